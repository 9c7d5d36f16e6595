// Every form of `data` that insert / upsert take: columns, rows, one row, an Apache Arrow Table,
// flat Float32Array vectors, BigInt keys and typed key columns; upserts that overwrite rows in
// place next to ones that append, through the staged vector column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tableFromArrays, vectorFromArray, FixedSizeList, Field, Float32 } from 'apache-arrow';
import { init, Collection, CollectionSchema, FieldSchema, DataType, DataNotMatchException, DataTypeNotSupportException, memoryUsage } from 'partita';
import { range, rejects, uniqueName } from './support/helpers.mjs';
import { touchPages } from '../web/src/core/engine.js';

await init();

function films(extra = [], opts = {}) {
  return new Collection(uniqueName('forms'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('vec', DataType.FLOAT_VECTOR, { dim: 4 }),
    new FieldSchema('tag', DataType.VARCHAR, { max_length: 16 }),
    ...extra,
  ], opts));
}
const vec = (i) => [i, i + 0.5, -i, 1];

async function all(c) {
  return c.query('', { output_fields: ['*'], limit: 100 });
}
const expected = (ids) => ids.map((i) => ({ id: i, vec: vec(i), tag: `t${i}` }));

test('a list of columns, in schema order', async () => {
  const c = films();
  const res = await c.upsert([[1, 2, 3], [vec(1), vec(2), vec(3)], ['t1', 't2', 't3']]);
  assert.deepEqual(res.primary_keys, [1, 2, 3]);
  assert.deepEqual(await all(c), expected([1, 2, 3]));
});

test('a list of rows', async () => {
  const c = films();
  await c.insert([1, 2].map((i) => ({ id: i, vec: vec(i), tag: `t${i}` })));
  assert.deepEqual(await all(c), expected([1, 2]));
});

test('one row', async () => {
  const c = films();
  const res = await c.upsert({ id: 7, vec: vec(7), tag: 't7' });
  assert.equal(res.upsert_count, 1);
  assert.deepEqual(await all(c), expected([7]));
});

test('rows with Float32Array vectors', async () => {
  const c = films();
  await c.insert(range(5, (i) => ({ id: i, vec: Float32Array.from(vec(i)), tag: `t${i}` })));
  assert.deepEqual(await all(c), expected(range(5)));
});

test('columns with one flat Float32Array of rows x dim', async () => {
  const c = films();
  const flat = new Float32Array(range(3).flatMap(vec));
  await c.insert([[0, 1, 2], flat, ['t0', 't1', 't2']]);
  assert.deepEqual(await all(c), expected([0, 1, 2]));
});

test('a flat Float32Array whose length is not a multiple of dim is refused', async () => {
  const c = films();
  await rejects(() => c.insert([[0, 1], new Float32Array(7), ['a', 'b']]), {
    code: 1100, message: 'the dim (3) of field data(vec) is not equal to schema dim (4)',
  });
  assert.equal(c.num_entities, 0);
});

test('BigInt keys, and keys beyond 2^53 come back as BigInt', async () => {
  const c = films();
  const big = 2n ** 60n + 7n;
  const res = await c.insert([{ id: big, vec: vec(1), tag: 'a' }, { id: 5n, vec: vec(2), tag: 'b' }, { id: 6, vec: vec(3), tag: 'c' }]);
  assert.deepEqual(res.primary_keys, [big, 5, 6]);
  const rows = await c.get([big, 5n, 6]);
  assert.deepEqual(rows.map((r) => r.id), [big, 5, 6]);
});

test('typed key columns: BigInt64Array, Float64Array; Int32Array for INT32', async () => {
  const c = films([new FieldSchema('n', DataType.INT32)]);
  const ids = BigInt64Array.from([10n, 11n, 2n ** 62n]);
  await c.insert([ids, new Float32Array(range(3).flatMap(vec)), ['a', 'b', 'c'], Int32Array.from([1, -2, 3])]);
  await c.insert([Float64Array.from([20, 21]), [vec(0), vec(1)], ['d', 'e'], [4, 5]]);
  const rows = await c.query('', { output_fields: ['n'], limit: 10 });
  assert.deepEqual(rows, [
    { id: 10, n: 1 }, { id: 11, n: -2 }, { id: 2n ** 62n, n: 3 }, { id: 20, n: 4 }, { id: 21, n: 5 },
  ]);
});

test('an Apache Arrow Table, read by column name', async () => {
  const c = films();
  const table = tableFromArrays({
    id: BigInt64Array.from([1n, 2n]),
    vec: vectorFromArray([vec(1), vec(2)], new FixedSizeList(4, new Field('item', new Float32(), false))),
    tag: ['t1', 't2'],
  });
  const res = await c.upsert(table);
  assert.deepEqual(res.primary_keys, [1, 2]);
  assert.deepEqual(await all(c), expected([1, 2]));
});

test('an Arrow Table with list vectors and nullable columns', async () => {
  const c = films([new FieldSchema('note', DataType.VARCHAR, { max_length: 8, nullable: true })]);
  const table = tableFromArrays({
    id: Float64Array.from([1, 2]),
    vec: vectorFromArray([vec(1), vec(2)]),
    tag: ['t1', 't2'],
    note: ['x', null],
  });
  await c.insert(table);
  const rows = await c.query('', { output_fields: ['note'], limit: 10 });
  assert.deepEqual(rows, [{ id: 1, note: 'x' }, { id: 2, note: null }]);
});

test('an Arrow Table must match the schema by name and order', async () => {
  const c = films();
  const swapped = tableFromArrays({ id: Float64Array.from([1]), tag: ['a'], vec: vectorFromArray([vec(1)]) });
  await rejects(() => c.insert(swapped), { cls: DataNotMatchException, message: "The name of field doesn't match, expected: vec, got tag" });
  const missing = tableFromArrays({ id: Float64Array.from([1]), vec: vectorFromArray([vec(1)]) });
  await rejects(() => c.insert(missing), {
    cls: DataNotMatchException, message: "The fields don't match with schema fields, expected: ['id', 'vec', 'tag'], got ['id', 'vec']",
  });
});

test('anything else is refused as pymilvus refuses it', async () => {
  const c = films();
  await rejects(() => c.insert('nope'), { cls: DataTypeNotSupportException, message: 'The type of data should be List, pd.DataFrame or Dict' });
  await rejects(() => c.insert([[1], 5, ['a']]), { cls: DataTypeNotSupportException, message: 'The data should be a list of list' });
  await rejects(() => c.insert([]), { cls: DataNotMatchException, message: "The data doesn't match with schema fields, expect 3 list, got 0" });
  await rejects(() => c.insert([{ id: 1, vec: vec(1), tag: 'a' }, 5]), {
    cls: DataNotMatchException, message: 'The Input data type is inconsistent with defined schema, please check it.',
  });
  assert.equal(c.num_entities, 0);
});

test('batches one after another: what a batch leaves out is null, the default or refused', async () => {
  // transcription reuses its scratch buffers from batch to batch (zeroed typed views are covered
  // by the tests above that tag cells); a cell a batch leaves out takes nothing from the last one
  const c = films([new FieldSchema('note', DataType.VARCHAR, { max_length: 16, nullable: true }),
    new FieldSchema('n', DataType.INT32, { default_value: 7 })], { enable_dynamic_field: true });
  const f32 = (i) => Float32Array.from(vec(i));
  await c.insert([1, 2, 3].map((i) => ({ id: i, vec: f32(i), tag: `t${i}`, note: `n${i}`, n: i, extra: i })));
  await c.insert([4, 5, 6].map((i) => ({ id: i, vec: f32(i), tag: `t${i}` })));
  const rows = await c.query('id >= 4', { output_fields: ['id', 'note', 'n', 'extra'] });
  assert.deepEqual(rows.sort((a, b) => a.id - b.id), [4, 5, 6].map((id) => ({ id, note: null, n: 7 })));
  // a row without its vector is refused, not given the vector of the row before it
  await rejects(() => c.insert([{ id: 7, vec: f32(7), tag: "t7" }, { id: 8, tag: "t8" }]), { cls: DataNotMatchException, message: "Insert missed an field `vec`" });
  assert.equal((await c.query('id >= 7', { output_fields: ['id'] })).length, 0);
  await c.insert([{ id: 9, vec: f32(9), tag: 't9' }]);
  assert.deepEqual(await c.query('id == 9', { output_fields: ['vec', 'tag'] }), [{ id: 9, vec: vec(9), tag: 't9' }]);
});

test('a write keeps no reference to the rows or columns it was given', async () => {
  // the scratch arrays that hold a batch's strings and vectors, and the pooled columns that hold
  // a column given whole, are emptied after each write, and after a batch refused half-way: what
  // the caller gave can be collected as soon as the caller lets it go
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const c = films();
  const refs = [];
  const given = (x) => (refs.push(new WeakRef(x)), x);
  await (() => c.insert([{ id: 1, vec: given(Float32Array.from(vec(1))), tag: 't1' }]))();
  await (() => c.insert([given(new BigInt64Array([2n])), given(Float32Array.from(vec(2))), given(['t2'])]))();
  await (() => rejects(() => c.insert([{ id: 3, vec: given(Float32Array.from(vec(3))), tag: 't3' }, 'not a row']),
    { cls: DataNotMatchException }))();
  await (() => rejects(() => c.insert([given(new BigInt64Array([4n])), given(new Float32Array(3)), ['t4']]),
    { message: 'the dim (3) of field data(vec) is not equal to schema dim (4)' }))();
  await new Promise((resolve) => setTimeout(resolve, 0)); // WeakRef targets live to the end of the job
  gc();
  assert.deepEqual(refs.map((r) => r.deref() === undefined), refs.map(() => true));
  assert.deepEqual(await all(c), expected([1, 2]));
});

/** A collection of an INT64 key, a FLOAT_VECTOR of `dim` and a VARCHAR tag. */
const keyVecTag = (name, dim) => new Collection(uniqueName(name), new CollectionSchema([
  new FieldSchema('id', DataType.INT64, { is_primary: true }),
  new FieldSchema('vec', DataType.FLOAT_VECTOR, { dim }),
  new FieldSchema('tag', DataType.VARCHAR, { max_length: 16 }),
]));

/** The vectors vecOf(k, ver) of `keys`, back to back. */
const flatOf = (vecOf, dim) => (keys, ver) => {
  const out = new Float32Array(keys.length * dim);
  keys.forEach((k, i) => out.set(vecOf(k, ver), i * dim));
  return out;
};

test('upsert of typed columns and of rows: existing keys overwritten in place, new keys appended, every vector as given', async () => {
  // a vector column of typed rows is written straight into the partition's storage
  // (pt_collection_stage); an upsert that overwrites some rows in place then moves the others
  // within that block: every value must still land on its own key
  const dim = 64, n = 600;
  const c = keyVecTag('inplace', dim);
  const vecOf = (k, ver) => Float32Array.from({ length: dim }, (_, j) => k * 1000 + ver * 100 + j);
  const flat = flatOf(vecOf, dim);
  const base = range(n);
  await c.insert([BigInt64Array.from(base, BigInt), flat(base, 0), base.map((k) => `t${k % 10}`)]);
  // every other key of the batch exists (tags of the same length: in place), the rest are new
  const keys = range(n).map((i) => (i % 2 ? n + i : i * 7 % n)); // 7 is prime to n: distinct
  await c.upsert([BigInt64Array.from(keys, BigInt), flat(keys, 1), keys.map((k) => `u${k % 10}`)]);
  // rows, the same mix again; one existing key gets a longer tag, so it is appended instead
  const more = [1, n + 1, 2, n + 3, 5];
  await c.upsert(more.map((k) => ({ id: k, vec: vecOf(k, 2), tag: k === 5 ? 'longer' : `w${k % 10}` })));
  const want = new Map(base.map((k) => [k, [0, `t${k % 10}`]]));
  keys.forEach((k) => want.set(k, [1, `u${k % 10}`]));
  more.forEach((k) => want.set(k, [2, k === 5 ? 'longer' : `w${k % 10}`]));
  assert.equal(c.num_entities, want.size);
  const rows = await c.query('', { output_fields: ['vec', 'tag'], limit: 16384 });
  assert.equal(rows.length, want.size);
  for (const r of rows) {
    const [ver, tag] = want.get(r.id);
    assert.deepEqual([...r.vec], [...vecOf(r.id, ver)], `key ${r.id}`);
    assert.equal(r.tag, tag, `key ${r.id}`);
  }
  // storage order: key 1 kept its place, key 5 (appended) is last
  assert.equal(rows.findIndex((r) => r.id === 1), 1);
  assert.equal(rows.at(-1).id, 5);
  // a batch of existing keys only, same sizes: nothing appended, no memory kept
  const before = memoryUsage().used;
  await c.upsert([BigInt64Array.from([0n, 2n, 4n]), flat([0, 2, 4], 3), ['x0', 'x2', 'x4']]);
  assert.equal(memoryUsage().used, before);
  const three = await c.query('id in [0, 2, 4]', { output_fields: ['vec'] });
  for (const r of three) assert.deepEqual([...r.vec], [...vecOf(r.id, 3)]);
  c.drop();
});

test('the pages a batch is copied into are touched first: one zero in each 4 KB page of the range, nothing outside it', () => {
  for (const [at, n] of [[100, 3 * 4096], [4096, 4096], [4095, 2], [8191, 1], [0, 4096 * 4], [5000, 0], [12000, 100]]) {
    const u8 = new Uint8Array(6 * 4096).fill(7);
    touchPages(u8, at, n);
    for (let i = 0; i < u8.length; i++) if (u8[i] !== 7) assert.ok(i >= at && i < at + n, `[${at}, +${n}): byte ${i} written`);
    for (let page = Math.floor(at / 4096); n > 0 && page * 4096 < at + n; page++) {
      const from = Math.max(at, page * 4096), to = Math.min(at + n, (page + 1) * 4096);
      assert.ok(u8.subarray(from, to).includes(0), `[${at}, +${n}): page ${page} not touched`);
    }
  }
});

test('batches that span two segments: vectors written in two pieces, read back exactly; a bad value in either piece refused', async () => {
  // 768-d rows: 1,024 to a segment, so batches of 700 span segments (pt_wasm_stage lends the
  // last segment's tail and the next segment's start); typed columns, rows, and upserts that
  // overwrite some rows in place and move the others across the two pieces
  const dim = 768, n = 700;
  const c = keyVecTag('span', dim);
  const vecOf = (k, ver) => Float32Array.from({ length: dim }, (_, j) => k * 10 + ver + j / 1024);
  const flat = flatOf(vecOf, dim);
  const want = new Map();
  const typed = async (op, keys, ver) => {
    await c[op]([BigInt64Array.from(keys, BigInt), flat(keys, ver), keys.map((k) => `t${k % 10}`)]);
    for (const k of keys) want.set(k, ver);
  };
  await typed('insert', range(n), 0); // rows 0..699
  // a NaN in the piece past the segment's end, then in the piece before it: nothing changes
  for (const bad of [n - 10, 5]) {
    const keys = range(n).map((i) => n + i);
    const v = flat(keys, 0);
    v[bad * dim + 3] = bad === 5 ? NaN : Infinity;
    await rejects(() => c.insert([BigInt64Array.from(keys, BigInt), v, keys.map((k) => `t${k % 10}`)]),
      { message: `value '${bad === 5 ? 'NaN' : '+Inf'}' is not a number or infinity` });
    assert.equal(c.num_entities, n);
  }
  await typed('insert', range(n).map((i) => n + i), 0); // rows 700..1399: 324 + 376
  await c.insert(range(n).map((i) => ({ id: 2 * n + i, vec: vecOf(2 * n + i, 0), tag: 'r' }))); // 1400..2099
  for (let i = 0; i < n; i++) want.set(2 * n + i, 0);
  // every other key exists (same tag size: in place), the rest are new and span 2048
  const keys = range(n).map((i) => (i % 2 ? 3 * n + i : i * 3));
  await typed('upsert', keys, 1);
  // rows whose vectors are arrays of numbers (copied from the transcription's own buffer in two
  // pieces), spanning 3072
  await c.insert(range(n).map((i) => ({ id: 5 * n + i, vec: Array.from(vecOf(5 * n + i, 0)), tag: 'a' })));
  for (let i = 0; i < n; i++) want.set(5 * n + i, 0);
  assert.equal(c.num_entities, want.size);
  const rows = await c.query('', { output_fields: ['vec'], limit: 16384 });
  assert.equal(rows.length, want.size);
  for (const r of rows) assert.deepEqual([...r.vec], [...vecOf(r.id, want.get(r.id))], `key ${r.id}`);
  c.drop();
});
