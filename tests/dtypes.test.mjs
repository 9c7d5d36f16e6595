// Every DataType round-trips through upsert and query / get, in row and column form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, CollectionSchema, FieldSchema, DataType, MilvusException } from 'partita';
import { rejects, uniqueName } from './support/helpers.mjs';

await init();

const pk = () => new FieldSchema('id', DataType.INT64, { is_primary: true });
const anyVec = () => new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 });

/** Upserts `values` (one per row) into field `f` as rows and as columns; reads them back. */
async function roundTrip(field, values, { vectorField = anyVec(), expect = values } = {}) {
  const fields = [pk(), field];
  if (vectorField) fields.push(vectorField);
  const c = new Collection(uniqueName('dt'), new CollectionSchema(fields));
  const rows = values.map((v, i) => ({ id: i, [field.name]: v, ...(vectorField ? { v: [i, 1] } : {}) }));
  await c.upsert(rows);
  const got = await c.query('', { output_fields: [field.name], limit: 100 });
  assert.deepEqual(got.map((r) => r[field.name]), expect, `${DataType[field.dtype]} through rows`);
  // the same data in column form replaces every row
  const cols = [values.map((_, i) => i), values];
  if (vectorField) cols.push(values.map((_, i) => [i, 2]));
  await c.upsert(cols);
  assert.equal(c.num_entities, values.length);
  const byGet = await c.get(values.map((_, i) => i), { output_fields: [field.name] });
  assert.deepEqual(byGet.map((r) => r[field.name]), expect, `${DataType[field.dtype]} through columns + get`);
  return c;
}

test('BOOL', () => roundTrip(new FieldSchema('b', DataType.BOOL), [true, false, true]));
test('INT8', () => roundTrip(new FieldSchema('i', DataType.INT8), [-128, 0, 127]));
test('INT16', () => roundTrip(new FieldSchema('i', DataType.INT16), [-32768, 1, 32767]));
test('INT32', () => roundTrip(new FieldSchema('i', DataType.INT32), [-2147483648, 5, 2147483647]));
test('INT32 values that are not int32 are judged by the core, in any row of a batch', async () => {
  // numbers from rows and plain-array columns reach the core as doubles, which it checks cell by
  // cell: overflow, fractions and other types are refused wherever they stand in the batch
  const c = new Collection(uniqueName('dt'), new CollectionSchema([pk(), anyVec(),
    new FieldSchema('i', DataType.INT32, { nullable: true })]));
  const rows = (last) => [{ id: 1, v: [1, 1], i: 7 }, { id: 2, v: [2, 1], i: null }, { id: 3, v: [3, 1], i: -0 }, { id: 4, v: [4, 1], i: last }];
  await rejects(() => c.insert(rows(2 ** 31)), { message: 'out of range' });
  await rejects(() => c.insert(rows(-(2 ** 31) - 1)), { message: 'out of range' });
  await rejects(() => c.insert(rows(1.5)), { message: 'float' });
  await rejects(() => c.insert(rows('8')), { message: 'str' });
  await rejects(() => c.insert(rows(2n ** 31n)), { message: 'out of range' });
  await rejects(() => c.insert([[1, 2], [[1, 1], [2, 1]], [5, 2 ** 40]]), { message: 'out of range' });
  assert.equal(c.num_entities, 0);
  await c.insert(rows(4.0)); // an integral double is an int32
  await c.insert([{ id: 5, v: [5, 1], i: 2n ** 31n - 1n }, { id: 6, v: [6, 1], i: 6 }]); // a BigInt in range, then a number
  await c.insert([[7, 8], [[7, 1], [8, 1]], [-5, 2147483647]]);
  const got = await c.query('', { output_fields: ['i'], limit: 10 });
  assert.deepEqual(got.sort((a, b) => a.id - b.id).map((r) => r.i), [7, null, 0, 4, 2147483647, 6, -5, 2147483647]);
});
test('INT64 (numbers and BigInts; unsafe integers stay BigInt)', () =>
  roundTrip(new FieldSchema('i', DataType.INT64), [-(2n ** 63n), 0, 2n ** 63n - 1n, 42n], {
    expect: [-(2n ** 63n), 0, 2n ** 63n - 1n, 42],
  }));
test('FLOAT (float32 precision)', () =>
  roundTrip(new FieldSchema('f', DataType.FLOAT), [0.5, -3.25, 0.1], { expect: [0.5, -3.25, Math.fround(0.1)] }));
test('DOUBLE', () => roundTrip(new FieldSchema('d', DataType.DOUBLE), [0.1, -1e300, 5e-324]));
test('VARCHAR (UTF-8)', () =>
  roundTrip(new FieldSchema('s', DataType.VARCHAR, { max_length: 32 }), ['', 'héllo', '日本語', 'a"b\\c\n']));
test('JSON (objects, arrays, scalars; a string is a JSON document)', () =>
  roundTrip(new FieldSchema('j', DataType.JSON), [{ a: 1, b: [true, null] }, [1, 'x'], 3.5, '{"from":"text"}', 'null'], {
    expect: [{ a: 1, b: [true, null] }, [1, 'x'], 3.5, { from: 'text' }, null],
  }));

for (const [et, values, opts] of [
  [DataType.BOOL, [[true, false], []]],
  [DataType.INT8, [[-128, 127], [0]]],
  [DataType.INT16, [[-32768, 32767], [1, 2, 3]]],
  [DataType.INT32, [[-2147483648, 2147483647], []]],
  [DataType.INT64, [[-9007199254740991, 9007199254740991], [7]]],
  [DataType.FLOAT, [[0.5, -2.25], [1]]],
  [DataType.DOUBLE, [[0.1, 1e300], [-0.5]]],
  [DataType.VARCHAR, [['a', 'ü'], ['x"y']], { max_length: 4 }],
]) {
  test(`ARRAY of ${DataType[et]}`, () =>
    roundTrip(new FieldSchema('a', DataType.ARRAY, { element_type: et, max_capacity: 4, ...(opts ?? {}) }), values));
}

test('FLOAT_VECTOR', () =>
  roundTrip(new FieldSchema('fv', DataType.FLOAT_VECTOR, { dim: 3 }), [[0.5, -1, 2], [0, 0, 0]], { vectorField: null }));
test('FLOAT16_VECTOR (numbers are rounded to half precision; Uint16Array is taken raw)', async () => {
  const f = new FieldSchema('h', DataType.FLOAT16_VECTOR, { dim: 2 });
  await roundTrip(f, [[0.5, -2], [65504, 0.1]], { vectorField: null, expect: [[0.5, -2], [65504, 0.0999755859375]] });
  await roundTrip(f, [Uint16Array.from([0x3c00, 0xc000])], { vectorField: null, expect: [[1, -2]] });
});
/** bfloat16 rounding (to nearest even) of a number, computed independently of the core. */
function bf16(x) {
  const f = new Float32Array([x]), u = new Uint32Array(f.buffer);
  const bits = u[0], lsb = (bits >>> 16) & 1;
  u[0] = (((bits + 0x7fff + lsb) >>> 16) << 16) >>> 0;
  return f[0];
}
test('BFLOAT16_VECTOR (numbers are rounded to bfloat16)', () =>
  roundTrip(new FieldSchema('bf', DataType.BFLOAT16_VECTOR, { dim: 2 }), [[1.5, -3], [0.1, 1e30]], {
    vectorField: null, expect: [[1.5, -3], [bf16(0.1), bf16(1e30)]],
  }));
test('BINARY_VECTOR (dim in bits; bytes as Uint8Array or numbers)', () =>
  roundTrip(new FieldSchema('bv', DataType.BINARY_VECTOR, { dim: 16 }), [Uint8Array.from([1, 255]), [0, 128]], {
    vectorField: null, expect: [Uint8Array.from([1, 255]), Uint8Array.from([0, 128])],
  }));
test('INT8_VECTOR', () =>
  roundTrip(new FieldSchema('iv', DataType.INT8_VECTOR, { dim: 3 }), [Int8Array.from([-128, 0, 127]), [1, 2, 3]], {
    vectorField: null, expect: [[-128, 0, 127], [1, 2, 3]],
  }));
test('SPARSE_FLOAT_VECTOR (objects, Maps, indices/values)', () =>
  roundTrip(new FieldSchema('sp', DataType.SPARSE_FLOAT_VECTOR), [{ 3: 0.5, 1: 2 }, new Map([[7, 1.25]]), { indices: [2, 9], values: [1, -1] }, {}], {
    expect: [{ 1: 2, 3: 0.5 }, { 7: 1.25 }, { 2: 1, 9: -1 }, {}],
  }));
test('TEXT, GEOMETRY and TIMESTAMPTZ are kept as text', async () => {
  await roundTrip(new FieldSchema('t', DataType.TEXT), ['long text', '']);
  await roundTrip(new FieldSchema('g', DataType.GEOMETRY), ['POINT (1 2)']);
  await roundTrip(new FieldSchema('ts', DataType.TIMESTAMPTZ), ['2025-01-01T00:00:00Z']);
});
test('nullable fields round-trip null; default values fill missing and null cells', async () => {
  const c = new Collection(uniqueName('dt'), new CollectionSchema([
    pk(), anyVec(),
    new FieldSchema('n', DataType.INT32, { nullable: true }),
    new FieldSchema('d', DataType.VARCHAR, { max_length: 8, default_value: 'dflt' }),
    new FieldSchema('j', DataType.JSON, { nullable: true }),
  ]));
  await c.insert([{ id: 1, v: [1, 1], n: 5, d: 'x', j: { a: 1 } }, { id: 2, v: [1, 1], n: null, d: null, j: null }, { id: 3, v: [1, 1] }]);
  assert.deepEqual(await c.query('', { output_fields: ['n', 'd', 'j'], limit: 10 }), [
    { id: 1, n: 5, d: 'x', j: { a: 1 } },
    { id: 2, n: null, d: 'dflt', j: null },
    { id: 3, n: null, d: 'dflt', j: null },
  ]);
});
test('VARCHAR primary keys', async () => {
  const c = new Collection(uniqueName('dt'), new CollectionSchema([
    new FieldSchema('k', DataType.VARCHAR, { is_primary: true, max_length: 16 }), anyVec(),
  ]));
  const res = await c.upsert([{ k: 'a"b', v: [0, 1] }, { k: 'ü', v: [1, 1] }, { k: 'c\nd', v: [2, 2] }]);
  assert.deepEqual(res.primary_keys, ['a"b', 'ü', 'c\nd']);
  assert.deepEqual(await c.get(['ü', 'c\nd', 'a"b']), [{ k: 'a"b' }, { k: 'ü' }, { k: 'c\nd' }]);
  assert.deepEqual(await c.query('k == "ü"'), [{ k: 'ü' }]);
});
test('STRING, NONE and UNKNOWN are not usable', async () => {
  await rejects(() => new Collection(uniqueName('dt'), new CollectionSchema([pk(), anyVec(), new FieldSchema('s', DataType.STRING)])), {
    code: 65535, message: 'string data type not supported yet, please use VarChar type instead',
  });
  await rejects(() => new FieldSchema('u', DataType.UNKNOWN), { message: 'Field dtype must be of DataType' });
  await rejects(() => new FieldSchema('u', 12345), { message: 'Field dtype must be of DataType' });
  assert.ok(MilvusException);
});
test('DataType maps names and codes as pymilvus does', () => {
  assert.equal(DataType.INT64, 5);
  assert.equal(DataType[5], 'INT64');
  assert.equal(DataType.FLOAT_VECTOR, 101);
  assert.equal(DataType.INT8_VECTOR, 105);
  assert.equal(DataType.SPARSE_FLOAT_VECTOR, 104);
  assert.ok(Object.isFrozen(DataType));
});

test('integers beyond 2^53 inside JSON, ARRAY and dynamic values keep every digit, as over REST (issue 13)', async () => {
  const { createHandler } = await import('partita/server');
  const name = uniqueName('bigjson');
  const c = new Collection(name, new CollectionSchema([
    pk(), anyVec(),
    new FieldSchema('j', DataType.JSON, { nullable: true }),
    new FieldSchema('a', DataType.ARRAY, { element_type: DataType.INT64, max_capacity: 4, nullable: true }),
  ], { enable_dynamic_field: true }));
  const big = 2n ** 60n + 7n, huge = 2n ** 70n;
  // BigInts are written as their digits (a JSON number); read back, an integer beyond 2^53 is a
  // BigInt (as INT64 values are) and a safe one a number
  await c.insert([{ id: 1, v: [1, 2], j: { a: big, b: 5n, c: [huge, -big], d: 'x', e: 1.5 }, a: [big, 3n], dyn: -huge }]);
  const [row] = await c.query('id == 1', { output_fields: ['*'] });
  assert.deepEqual(row, { id: 1, v: [1, 2], j: { a: big, b: 5, c: [huge, -big], d: 'x', e: 1.5 }, a: [big, 3], dyn: -huge });
  // a JSON document given as text reads the same; a number (a double) is written as
  // JSON.stringify writes it, so an unsafe integer comes back as the integer of those digits
  await c.insert([{ id: 2, v: [1, 2], j: '{"t": 9007199254740993, "f": 9007199254740993.5, "s": "9007199254740993"}', n: 2 ** 60 }]);
  const [two] = await c.get([2], { output_fields: ['j', 'n'] });
  assert.deepEqual(two, { id: 2, j: { t: 9007199254740993n, f: 9007199254740993.5, s: '9007199254740993' }, n: BigInt(String(2 ** 60)) });
  // the REST face stores and returns the same digits, both ways
  const h = createHandler();
  const rest = async (path, body) => JSON.parse(await (await h(new Request(`http://x/v2/vectordb/${path}`, { method: 'POST', body }))).text());
  const text = await h(new Request('http://x/v2/vectordb/entities/get', { method: 'POST', body: JSON.stringify({ collectionName: name, id: [1], outputFields: ['j', 'dyn'] }) }));
  const answer = await text.text();
  assert.ok(answer.includes(`"a":${big},"b":5,"c":[${huge},${-big}]`) && answer.includes(`"dyn":${-huge}`), answer);
  assert.equal((await rest('entities/insert', `{"collectionName":"${name}","data":[{"id":3,"v":[1,1],"j":{"a":9007199254740993},"a":[-9223372036854775808]}]}`)).code, 0);
  const [three] = await c.get([3], { output_fields: ['j', 'a'] });
  assert.deepEqual(three, { id: 3, j: { a: 9007199254740993n }, a: [-(2n ** 63n)] });
  c.drop();
});
