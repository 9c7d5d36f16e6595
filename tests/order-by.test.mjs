// Milvus 3.0's order_by_fields on every face that carries it: the ORM (Collection.query /
// search order_by_fields), MilvusClient (query order_by_fields / order_by, search
// order_by_fields; refused by Milvus's message on the iterators), REST v2 (entities/query
// orderByFields, entities/search searchParams.order_by_fields) and gRPC (the real SDK's
// order_by_fields in the query / search params). Each ordering is checked against one computed
// here from the rows inserted: mixed types, nulls, ties, limit / offset, a filter, partitions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusClient as SdkClient, ErrorCode as SdkErrorCode } from '@zilliz/milvus2-sdk-node';
import { MilvusClient, DataType, ErrorCode } from 'partita/milvus-client';
import { Collection, CollectionSchema, FieldSchema, DataType as OrmType, MilvusException, ParamError } from 'partita';
import { createHandler } from 'partita/server';
import { serve } from 'partita/server/node';
import { uniqueName } from './support/helpers.mjs';

// ---- the data: 40 rows, vector [id, 0] (L2 from [0, 0] ranks them by id); ties and nulls ----
const N = 40;
const ROWS = Array.from({ length: N }, (_, j) => {
  const id = j + 1;
  return {
    id,
    vector: [id, 0],
    rank: id % 7 === 0 ? null : id % 5,                       // ties, nulls
    price: id % 6 === 0 ? null : Math.round((id * 37 % 11) * 0.5 * 2) / 2, // halves: exact as FLOAT
    tag: id % 9 === 0 ? null : ['b', 'a', 'ab', 'B', 'é', ''][id % 6],      // bytes order: '' < B < a < ab < b < é
    flag: id % 3 === 0,
    // a dynamic key of mixed kinds: numbers, strings, missing
    ...(id % 4 === 0 ? {} : { k: id % 4 === 1 ? id % 10 : `s${id % 3}` }),
  };
});
// rows 1..30 in _default, 31..40 in p1: storage order is id order
const inP1 = (r) => r.id > 30;

/** Milvus's order of a query (nulls last ascending, first descending unless said) or a search
 * (nulls last), ties in the order given. keys: [{ field, asc, nullsFirst }]. */
function ordered(rows, keys) {
  const cmp = (a, b) => {
    for (const k of keys) {
      const x = a[k.field], y = b[k.field];
      const xn = x === null || x === undefined, yn = y === null || y === undefined;
      if (xn || yn) {
        if (xn && yn) continue;
        return xn === k.nullsFirst ? -1 : 1;
      }
      let c;
      if (typeof x === typeof y) c = typeof x === 'string' ? Buffer.compare(Buffer.from(x), Buffer.from(y)) : x < y ? -1 : x > y ? 1 : 0;
      else c = Buffer.compare(Buffer.from(JSON.stringify(x)), Buffer.from(JSON.stringify(y))); // mixed kinds: their JSON text
      if (c) return k.asc ? c : -c;
    }
    return 0;
  };
  return rows.map((r, i) => [r, i]).sort((a, b) => cmp(a[0], b[0]) || a[1] - b[1]).map(([r]) => r);
}
const q = (field, asc = true, nullsFirst = !asc) => ({ field, asc, nullsFirst });
const s = (field, asc = true) => ({ field, asc, nullsFirst: false });
const ids = (rows) => rows.map((r) => Number(r.id));

const client = new MilvusClient({ address: ':memory:' });
const NAME = uniqueName('order_by');

before(async () => {
  const fields = [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true },
    { name: 'vector', data_type: DataType.FloatVector, dim: 2 },
    { name: 'rank', data_type: DataType.Int32, nullable: true },
    { name: 'price', data_type: DataType.Float, nullable: true },
    { name: 'tag', data_type: DataType.VarChar, max_length: 8, nullable: true },
    { name: 'flag', data_type: DataType.Bool },
  ];
  let r = await client.createCollection({ collection_name: NAME, fields, enable_dynamic_field: true,
    index_params: [{ field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }] });
  assert.equal(r.error_code, ErrorCode.SUCCESS, r.reason);
  r = await client.createPartition({ collection_name: NAME, partition_name: 'p1' });
  assert.equal(r.error_code, ErrorCode.SUCCESS, r.reason);
  r = await client.insert({ collection_name: NAME, data: ROWS.filter((x) => !inP1(x)) });
  assert.equal(r.status.error_code, ErrorCode.SUCCESS, r.status.reason);
  r = await client.insert({ collection_name: NAME, partition_name: 'p1', data: ROWS.filter(inP1) });
  assert.equal(r.status.error_code, ErrorCode.SUCCESS, r.status.reason);
  await client.loadCollection({ collection_name: NAME });
});

test('MilvusClient.query: order_by_fields / order_by against the ordering computed from the rows', async () => {
  const cases = [
    [{ order_by_fields: 'rank', limit: 100 }, ordered(ROWS, [q('rank')])],
    [{ order_by_fields: 'rank:desc,price', limit: 100 }, ordered(ROWS, [q('rank', false), q('price')])],
    [{ order_by: [{ field: 'tag' }, { field: 'id', order: 'desc' }], limit: 100 }, ordered(ROWS, [q('tag'), q('id', false)])],
    [{ order_by_fields: ['price:asc:nulls_first', 'tag:desc:nulls_last'], limit: 100 }, ordered(ROWS, [q('price', true, true), q('tag', false, false)])],
    [{ order_by_fields: 'flag, rank:DESC', limit: 7, offset: 5 }, ordered(ROWS, [q('flag'), q('rank', false)]).slice(5, 12)],
    [{ order_by_fields: 'price:desc', filter: 'rank > 1 and id < 35', limit: 6 }, ordered(ROWS.filter((r) => r.rank > 1 && r.id < 35), [q('price', false)]).slice(0, 6)],
    [{ order_by_fields: 'tag', partition_names: ['p1'], limit: 100 }, ordered(ROWS.filter(inP1), [q('tag')])],
    [{ order_by_fields: 'rank', ids: [40, 3, 21, 7, 14], limit: 100 }, ordered(ROWS.filter((r) => [40, 3, 21, 7, 14].includes(r.id)), [q('rank')])],
  ];
  for (const [args, want] of cases) {
    const r = await client.query({ collection_name: NAME, output_fields: ['id', 'rank'], ...args });
    assert.equal(r.status.error_code, ErrorCode.SUCCESS, `${JSON.stringify(args)}: ${r.status.reason}`);
    assert.deepEqual(ids(r.data), ids(want), JSON.stringify(args));
  }
  // the ordering field need not be an output field
  const r = await client.query({ collection_name: NAME, output_fields: ['id'], order_by_fields: 'price:desc', limit: 3 });
  assert.deepEqual(r.data.map((x) => Object.keys(x)), [['id'], ['id'], ['id']]);
  assert.deepEqual(ids(r.data), ids(ordered(ROWS, [q('price', false)]).slice(0, 3)));
});

test('MilvusClient.search: order_by_fields reorders the offset + limit best hits, then skips offset', async () => {
  const byScore = ROWS; // L2 from [0, 0]: id order
  const cases = [
    [{ order_by_fields: 'rank', limit: 12 }, ordered(byScore.slice(0, 12), [s('rank')])],
    [{ order_by_fields: [{ field: 'price', order: 'desc' }, 'tag'], limit: 10, offset: 4 }, ordered(byScore.slice(0, 14), [s('price', false), s('tag')]).slice(4)],
    [{ order_by_fields: 'k:desc', limit: 20 }, ordered(byScore.slice(0, 20), [s('k', false)])],       // a dynamic key, mixed kinds
    [{ order_by_fields: 'tag:desc', filter: 'flag == true', limit: 8 }, ordered(byScore.filter((r) => r.flag).slice(0, 8), [s('tag', false)])],
    [{ order_by_fields: 'rank', partition_names: ['p1'], limit: 5 }, ordered(byScore.filter(inP1).slice(0, 5), [s('rank')])],
    [{ params: { order_by_fields: 'rank:desc' }, limit: 6 }, ordered(byScore.slice(0, 6), [s('rank', false)])], // as the SDK spreads params
  ];
  for (const [args, want] of cases) {
    const r = await client.search({ collection_name: NAME, data: [0, 0], output_fields: ['id'], ...args });
    assert.equal(r.status.error_code, ErrorCode.SUCCESS, `${JSON.stringify(args)}: ${r.status.reason}`);
    assert.deepEqual(ids(r.results), ids(want), JSON.stringify(args));
    // each hit keeps its own score
    for (const h of r.results) assert.equal(h.score, Number(h.id) ** 2);
  }
});

test("MilvusClient: Milvus's errors for order_by_fields (statuses), the SDK's (thrown), the iterators refused", async () => {
  const status = async (p, code, reason) => {
    const r = await p;
    assert.equal(r.status.code, code, r.status.reason);
    assert.match(r.status.reason, reason);
  };
  const c = { collection_name: NAME };
  await status(client.query({ ...c, filter: 'id > 0', order_by_fields: 'rank' }), 1100, /^ORDER BY requires explicit limit: invalid parameter$/);
  await status(client.query({ ...c, limit: 3, order_by_fields: 'nope' }), 1100, /^order_by field 'nope' does not exist in collection schema: invalid parameter$/);
  await status(client.query({ ...c, limit: 3, order_by_fields: 'vector' }), 1100, /^order_by field 'vector' has type FloatVector which is not sortable/);
  await status(client.query({ ...c, limit: 3, order_by_fields: 'rank:up' }), 1100, /^invalid order direction 'up' for field 'rank', must be 'asc' or 'desc'/);
  await status(client.query({ ...c, limit: 3, order_by_fields: 'k' }), 1100, /^order_by field 'k' does not exist/); // a query orders by schema fields only
  await status(client.search({ ...c, data: [0, 0], order_by_fields: 'vector' }), 65535, /^order_by field 'vector' has unsortable type FloatVector/);
  await status(client.search({ ...c, data: [0, 0], order_by_fields: 'rank:sideways' }), 65535, /^invalid order direction 'sideways' for field 'rank', expected 'asc' or 'desc'$/);
  await status(client.search({ ...c, data: [0, 0], order_by_fields: 'rank["x"]' }), 65535, /^order_by field 'rank\["x"\]' has brackets but is not a JSON type$/);
  // the SDK's own checks throw, as the SDK does
  await assert.rejects(client.query({ ...c, limit: 3, order_by_fields: { field: 'rank' } }), /^Error: Invalid order_by_fields format$/);
  await assert.rejects(client.search({ ...c, data: [0, 0], order_by_fields: [{ order: 'desc' }] }), /'field' key is required and cannot be empty/);
  await assert.rejects(client.query({ ...c, limit: 3, order_by_fields: [7] }), /expect string or object, got number/);
  // iterators: Milvus's messages
  const qi = await client.queryIterator({ ...c, batchSize: 5, order_by_fields: 'rank' });
  await assert.rejects((async () => { for await (const _ of qi) break; })(), (e) => e.code === 1100 && /^ORDER BY with iterator is not supported: invalid parameter$/.test(e.message));
  const si = await client.searchIterator({ ...c, data: [0, 0], batchSize: 5, order_by_fields: 'rank' });
  await assert.rejects((async () => { for await (const _ of si) break; })(),
    (e) => e.code === 1100 && e.message === 'order_by is not supported when using search iterator: invalid parameter[expected=][actual=]');
  assert.equal((await client.count(c)).data, N); // nothing changed
});

test('ORM: Collection.query / search order_by_fields (a string or a list), the iterators refused', async () => {
  const coll = new Collection(uniqueName('order_orm'), new CollectionSchema([
    new FieldSchema('id', OrmType.INT64, { is_primary: true }),
    new FieldSchema('vector', OrmType.FLOAT_VECTOR, { dim: 2 }),
    new FieldSchema('rank', OrmType.INT32, { nullable: true }),
    new FieldSchema('price', OrmType.DOUBLE, { nullable: true }),
    new FieldSchema('tag', OrmType.VARCHAR, { max_length: 8, nullable: true }),
    new FieldSchema('flag', OrmType.BOOL),
  ], { enable_dynamic_field: true }));
  await coll.insert(ROWS);
  await coll.load();
  const rows = await coll.query('id > 10', { limit: 9, offset: 2, output_fields: ['rank'], order_by_fields: [{ field: 'rank', order: 'desc' }, 'id:desc'] });
  assert.deepEqual(ids(rows), ids(ordered(ROWS.filter((r) => r.id > 10), [q('rank', false), q('id', false)]).slice(2, 11)));
  const hits = await coll.search([[0, 0]], 'vector', { metric_type: 'L2' }, 9, 'id != 3', { order_by_fields: 'tag:desc,price' });
  assert.deepEqual(hits[0].map((h) => Number(h.id)), ids(ordered(ROWS.filter((r) => r.id !== 3).slice(0, 9), [s('tag', false), s('price')])));
  await assert.rejects(coll.query('id > 0', { order_by_fields: 'rank' }), (e) => e instanceof MilvusException && e.code === 1100 && /ORDER BY requires explicit limit/.test(e.message));
  await assert.rejects(coll.query('id > 0', { limit: 2, order_by_fields: 3 }), (e) => e instanceof ParamError && e.message === 'Invalid order_by_fields format');
  // in param.params it is refused by name (pymilvus sends it as a search parameter of its own)
  await assert.rejects(coll.search([[0, 0]], 'vector', { metric_type: 'L2', params: { order_by_fields: 'rank' } }, 3), (e) => e instanceof ParamError && /order_by_fields/.test(e.message));
  const it = await coll.query_iterator({ batch_size: 5, order_by_fields: 'rank' });
  await assert.rejects(async () => it.next(), /ORDER BY with iterator is not supported/);
  const sit = await coll.search_iterator([[0, 0]], 'vector', { metric_type: 'L2' }, 5, -1, '', null, null, { order_by_fields: 'rank' });
  await assert.rejects(async () => sit.next(), /order_by is not supported when using search iterator/);
  await coll.drop();
});

test('REST v2: entities/query orderByFields, entities/search searchParams.order_by_fields', async () => {
  const rest = createHandler({ using: 'milvus-client :memory:' });
  const call = async (route, body) => (await rest(new Request(`http://127.0.0.1/v2/vectordb/${route}`, { method: 'POST', body: JSON.stringify(body) }))).json();
  let r = await call('entities/query', { collectionName: NAME, filter: 'id > 5', outputFields: ['id'], limit: 10, offset: 3, orderByFields: ['price:desc', 'id'] });
  assert.equal(r.code, 0, JSON.stringify(r));
  assert.deepEqual(ids(r.data), ids(ordered(ROWS.filter((x) => x.id > 5), [q('price', false), q('id')]).slice(3, 13)));
  r = await call('entities/search', { collectionName: NAME, data: [[0, 0]], limit: 10, outputFields: ['id'], searchParams: { order_by_fields: 'rank:desc,tag' } });
  assert.equal(r.code, 0, JSON.stringify(r));
  assert.deepEqual(ids(r.data), ids(ordered(ROWS.slice(0, 10), [s('rank', false), s('tag')])));
  r = await call('entities/query', { collectionName: NAME, filter: 'id > 5', orderByFields: ['rank'] });
  assert.equal(r.code, 0, JSON.stringify(r)); // REST's default limit (100) is a limit
  r = await call('entities/query', { collectionName: NAME, limit: 3, orderByFields: ['nope'] });
  assert.equal(r.code, 1100);
  assert.match(r.message, /^order_by field 'nope' does not exist in collection schema/);
  r = await call('entities/search', { collectionName: NAME, data: [[0, 0]], limit: 3, searchParams: { params: { order_by_fields: 'rank' } } });
  assert.equal(r.code, 1100);
  assert.match(r.message, /searchParams\.params\.order_by_fields/);
});

let server, sdk;
before(async () => {
  server = await serve({ port: 0, grpc: true });
  sdk = new SdkClient({ address: `127.0.0.1:${server.port}` });
  await sdk.connectPromise;
});
after(async () => {
  await sdk.closeConnection();
  await server.close();
});

test("gRPC: the real SDK's order_by_fields in the query and search params", async () => {
  const name = uniqueName('order_grpc');
  let r = await sdk.createCollection({ collection_name: name, fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true },
    { name: 'vector', data_type: DataType.FloatVector, dim: 2 },
    { name: 'rank', data_type: DataType.Int32, nullable: true },
    { name: 'tag', data_type: DataType.VarChar, max_length: 8, nullable: true },
  ], index_params: [{ field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }] });
  assert.equal(r.error_code, SdkErrorCode.SUCCESS, r.reason);
  const rows = ROWS.map(({ id, vector, rank, tag }) => ({ id, vector, rank, tag }));
  r = await sdk.insert({ collection_name: name, data: rows });
  assert.equal(r.status.error_code, SdkErrorCode.SUCCESS, r.status.reason);
  await sdk.loadCollection({ collection_name: name });
  const got = await sdk.query({ collection_name: name, filter: 'id > 2', output_fields: ['id'], limit: 8, offset: 1, order_by: [{ field: 'rank', order: 'desc' }, { field: 'tag' }] });
  assert.equal(got.status.error_code, SdkErrorCode.SUCCESS, got.status.reason);
  assert.deepEqual(ids(got.data), ids(ordered(rows.filter((x) => x.id > 2), [q('rank', false), q('tag')]).slice(1, 9)));
  const hits = await sdk.search({ collection_name: name, data: [0, 0], limit: 9, output_fields: ['id'], order_by_fields: 'tag:desc,rank' });
  assert.equal(hits.status.error_code, SdkErrorCode.SUCCESS, hits.status.reason);
  assert.deepEqual(ids(hits.results), ids(ordered(rows.slice(0, 9), [s('tag', false), s('rank')])));
  const bad = await sdk.query({ collection_name: name, filter: 'id > 0', order_by_fields: 'rank' });
  assert.equal(bad.status.code, 1100);
  assert.match(bad.status.reason, /ORDER BY requires explicit limit/);
});
