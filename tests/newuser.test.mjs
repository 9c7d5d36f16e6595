// What a new user found trying partita as they would try Milvus (issue 15, item 9): each case
// is answered as Milvus / pymilvus answer it, and a refused call leaves the store as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, CollectionSchema, FieldSchema, DataType, ParamError, utility } from 'partita';
import { rejects, rejectsUnchanged, uniqueName } from './support/helpers.mjs';

await init();

const withVector = (dtype, dim = 4) => new Collection(uniqueName('nu'), new CollectionSchema([
  new FieldSchema('id', DataType.INT64, { is_primary: true }),
  new FieldSchema('v', dtype, { dim }),
]));

test('FLOAT16 / BFLOAT16 vectors given as Uint16Array halves: batches of any size, rows and columns', async () => {
  for (const dtype of [DataType.FLOAT16_VECTOR, DataType.BFLOAT16_VECTOR]) {
    const c = withVector(dtype);
    // 1.0 is 0x3c00 in FLOAT16 and 0x3f80 in BFLOAT16; 2.0 is 0x4000 in both
    const one = dtype === DataType.FLOAT16_VECTOR ? 0x3c00 : 0x3f80;
    const halves = (x) => new Uint16Array([x, x, x, x]);
    const r = await c.insert([{ id: 1, v: halves(one) }, { id: 2, v: halves(0x4000) }, { id: 3, v: halves(one) }]);
    assert.equal(r.insert_count, 3);
    await c.insert([[4, 5], [halves(0x4000), halves(one)]]);
    const rows = await c.query('id > 0', { output_fields: ['v'] });
    assert.deepEqual(rows.map((x) => x.v[0]), [1, 2, 1, 2, 1], DataType[dtype]);
    // a wrong length in the second row is still reported with the right sizes
    await rejectsUnchanged(c, () => c.insert([{ id: 6, v: halves(one) }, { id: 7, v: new Uint16Array([one, one]) }]),
      { code: 1100, message: 'the dim (2) of field data(v) is not equal to schema dim (4)' });
  }
});

test('integer typed arrays are refused for float vectors, as pymilvus refuses an integer np.ndarray', async () => {
  const c = withVector(DataType.FLOAT_VECTOR);
  await c.insert({ id: 1, v: [1, 2, 3, 4] });
  for (const T of [Int32Array, Int16Array, Int8Array, Uint8Array, Uint16Array, Uint32Array, Uint8ClampedArray]) {
    const v = new T([1, 2, 3, 4]);
    await rejectsUnchanged(c, () => c.insert({ id: 2, v }), { cls: ParamError, message: `invalid input for float32 vector (field v, row 0): expected numbers, a Float32Array or a Float64Array, got ${T.name}` });
    await rejectsUnchanged(c, () => c.insert([[2], [v]]), { cls: ParamError, message: `got ${T.name}` });
    await rejectsUnchanged(c, () => c.search([v], 'v', { metric_type: 'L2' }, 1), { cls: ParamError, message: `invalid input for float32 vector in search data: expected numbers, a Float32Array or a Float64Array, got ${T.name}` });
  }
  // float arrays keep working
  await c.insert([{ id: 2, v: new Float32Array([1, 2, 3, 4]) }, { id: 3, v: new Float64Array([1, 2, 3, 4]) }]);
  assert.equal(c.num_entities, 3);
  const h = withVector(DataType.FLOAT16_VECTOR);
  await rejectsUnchanged(h, () => h.insert({ id: 1, v: new Int32Array([1, 2, 3, 4]) }), { cls: ParamError, message: 'invalid input for float16_vector (field v, row 0)' });
});

test('delete: an empty expression is pymilvus\'s ParamError', async () => {
  const c = withVector(DataType.FLOAT_VECTOR);
  await c.insert({ id: 1, v: [1, 2, 3, 4] });
  await rejectsUnchanged(c, () => c.delete(''), { cls: ParamError, code: 1, message: "Illegal str variables: {'filter': ''}, expect non-empty str" });
  await rejectsUnchanged(c, () => c.partition('_default').delete(''), { cls: ParamError, code: 1 });
});

test('an empty or non-string collection name is pymilvus\'s ParamError (check_pass_param), wherever it is given', async () => {
  const illegal = (v) => ({ cls: ParamError, code: 1, message: `\`collection_name\` value ${v} is illegal` });
  await rejects(() => new Collection(''), illegal(''));
  await rejects(() => new Collection('', new CollectionSchema([new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 })])), illegal(''));
  await rejects(() => utility.has_collection(''), illegal(''));
  await rejects(() => utility.drop_collection(''), illegal(''));
  await rejects(() => utility.has_partition('', 'p'), illegal(''));
  await rejects(() => utility.rename_collection('', 'b'), illegal(''));
  await rejects(() => utility.rename_collection('a', ''), illegal(''));
  await rejects(() => utility.has_collection(3), illegal(3));
});

test('search limit and offset out of range: Milvus\'s 65535 and its messages', async () => {
  const c = withVector(DataType.FLOAT_VECTOR);
  await c.insert({ id: 1, v: [1, 2, 3, 4] });
  const q = [[1, 2, 3, 4]];
  await rejectsUnchanged(c, () => c.search(q, 'v', {}, 0), { code: 65535, message: /^topk \[0\] is invalid, it should be in range \[1, 16384\], but got 0$/ });
  await rejectsUnchanged(c, () => c.search(q, 'v', {}, 10, null, { offset: 16385 }), { code: 65535, message: /^offset \[16385\] is invalid, it should be in range \[1, 16384\], but got 16385$/ });
  await rejectsUnchanged(c, () => c.search(q, 'v', { offset: 16380 }, 10), { code: 65535, message: /^offset\+topk \[16390\] is invalid, it should be in range \[1, 16384\], but got 16390$/ });
  await rejectsUnchanged(c, () => c.query('', { limit: 16385 }), { code: 1100, message: /^invalid max query result window, \(offset\+limit\) should be in range \[1, 16384\], but got 16385: invalid parameter$/ });
});

test('results holding BigInts (auto_id keys, INT64 beyond 2^53) can be written by JSON.stringify: int64 as string', async () => {
  const c = new Collection(uniqueName('nu'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true, auto_id: true }),
    new FieldSchema('n', DataType.INT64),
    new FieldSchema('j', DataType.JSON),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]), { });
  const r = await c.insert([{ n: 2n ** 60n, j: { big: 2n ** 55n, small: 1 }, v: [1, 0] }, { n: 5, j: { small: 2 }, v: [0, 1] }]);
  const keys = r.primary_keys;
  assert.equal(typeof keys[0], 'bigint', 'auto_id keys are beyond 2^53');
  // the values stay exact BigInts in JS; JSON writes them as their digits
  const written = JSON.parse(JSON.stringify(r));
  assert.deepEqual(written.primary_keys, keys.map(String));
  assert.equal(written.timestamp, String(r.timestamp));
  assert.equal(written.insert_count, 2);
  const rows = await c.query('n > 0', { output_fields: ['n', 'j'] });
  assert.deepEqual(JSON.parse(JSON.stringify(rows)), [
    { id: String(keys[0]), n: String(2n ** 60n), j: { big: String(2n ** 55n), small: 1 } },
    { id: String(keys[1]), n: 5, j: { small: 2 } },
  ]);
  assert.equal(JSON.stringify(rows[0]), JSON.stringify(JSON.parse(JSON.stringify(rows))[0]), 'one row alone is written too');
  assert.deepEqual(rows[0], { id: keys[0], n: 2n ** 60n, j: { big: 2n ** 55n, small: 1 } }, 'toJSON is not an enumerable key');
  assert.deepEqual(Object.keys(rows[0]), ['id', 'n', 'j']);
  const hits = await c.search([[1, 0]], 'v', { metric_type: 'IP' }, 2, null, { output_fields: ['n'] });
  assert.deepEqual(JSON.parse(JSON.stringify(hits)), [[
    { id: String(keys[0]), distance: 1, entity: { n: String(2n ** 60n) } },
    { id: String(keys[1]), distance: 0, entity: { n: 5 } },
  ]]);
  // the digits give the key back
  assert.equal((await c.get(BigInt(written.primary_keys[0]), { output_fields: ['n'] }))[0].n, 2n ** 60n);
});
