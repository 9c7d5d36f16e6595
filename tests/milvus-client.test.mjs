// MilvusClient (partita/milvus-client): @zilliz/milvus2-sdk-node's client over the embedded
// store. The SDK's README quickstart runs unmodified (its import resolved to partita by a
// package alias, as a bundler alias does); the seed's partition-scoped upsert; every DataType
// round-trips in the SDK's shapes; errors come back with Milvus's codes where the server would
// answer and are thrown where the SDK throws; arguments partita does not implement are refused
// by name, with nothing done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MilvusClient, DataType, MetricType, ErrorCode, ERROR_REASONS, LoadState, FieldPartialUpdateOpType } from 'partita/milvus-client';
import { MilvusClient as FromMain, MilvusException } from 'partita';
import { serve } from 'partita/server/node';
import { uniqueName, sdkQuickstart, assertQuickstartResults } from './support/helpers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const sdkDir = join(root, 'node_modules/@zilliz/milvus2-sdk-node');
const client = new MilvusClient({ address: ':memory:' });

/** Asserts a reply's status: Milvus's code, the legacy error_code and a reason matching. */
function assertStatus(status, code, errorCode, reason) {
  assert.equal(status.code, code, status.reason);
  assert.equal(status.error_code, errorCode, status.reason);
  if (reason) assert.match(status.reason, reason);
}

/** A collection `name` of an id and a float vector of `dim`, indexed and loaded. */
async function quick(name, dim = 2, extra = {}) {
  const r = await client.createCollection({ collection_name: name, dimension: dim, ...extra });
  assert.equal(r.error_code, ErrorCode.SUCCESS, r.reason);
}

test('partita exports the same MilvusClient as partita/milvus-client', () => {
  assert.equal(FromMain, MilvusClient);
});

test("the SDK README's quickstart runs unmodified (the package aliased to partita/milvus-client)", () => {
  const block = sdkQuickstart(readFileSync, sdkDir);
  const dir = mkdtempSync(join(tmpdir(), 'partita-quickstart-'));
  try {
    // what a bundler alias does: the SDK's name resolves to partita's client
    const pkg = join(dir, 'node_modules/@zilliz/milvus2-sdk-node');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@zilliz/milvus2-sdk-node', type: 'module', exports: './index.js' }));
    writeFileSync(join(pkg, 'index.js'), `export * from ${JSON.stringify(join(root, 'web/src/milvus-client.node.js'))};\n`);
    // the quickstart as it is, then what it printed
    writeFileSync(join(dir, 'quickstart.mjs'), `${block}\nconsole.log('RESULT ' + JSON.stringify(results));\n`);
    const r = spawnSync(process.execPath, ['quickstart.mjs'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assertQuickstartResults(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the seed's partition-scoped upsert through MilvusClient", async () => {
  const name = uniqueName('seed');
  const created = await client.createCollection({
    collection_name: name,
    fields: [
      { name: 'film_id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'films', data_type: DataType.FloatVector, dim: 2 },
    ],
    index_params: { field_name: 'films', index_type: 'FLAT', metric_type: MetricType.L2 },
  });
  assert.equal(created.error_code, ErrorCode.SUCCESS, created.reason);
  assert.equal((await client.createPartition({ collection_name: name, partition_name: 'comedy' })).error_code, 'Success');
  const data = Array.from({ length: 10 }, (_, i) => ({ film_id: i, films: [0, 1] }));
  const res = await client.upsert({ collection_name: name, partition_name: 'comedy', data });
  assert.equal(res.upsert_cnt, '10');
  assert.deepEqual(res.IDs, { int_id: { data: data.map((r) => String(r.film_id)) }, id_field: 'int_id' });
  assert.deepEqual(res.succ_index, data.map((_, i) => i));
  await client.upsert({ collection_name: name, partition_name: 'comedy', data });
  const stats = await client.getPartitionStatistics({ collection_name: name, partition_name: 'comedy' });
  assert.equal(stats.data.row_count, '10', 'the keys were replaced in comedy');
  await client.createPartition({ collection_name: name, partition_name: 'drama' });
  await client.upsert({ collection_name: name, partition_name: 'drama', fields_data: data });
  assert.equal((await client.getCollectionStatistics({ collection_name: name })).data.row_count, '20', 'upsert is partition-scoped');
  const q = await client.query({ collection_name: name, filter: 'film_id in [0, 1]', output_fields: ['films'] });
  assert.equal(q.data.length, 4);
  for (const row of q.data) assert.deepEqual(Object.keys(row).sort(), ['film_id', 'films']);
  assert.equal((await client.count({ collection_name: name, filter: 'film_id < 5' })).data, 10);
  const parts = await client.showPartitions({ collection_name: name });
  assert.deepEqual(parts.partition_names, ['_default', 'comedy', 'drama']);
});

test('every DataType round-trips in the SDK shapes (INT64 as strings, $meta for dynamic keys)', async () => {
  const name = uniqueName('types');
  const r = await client.createCollection({
    collection_name: name,
    enable_dynamic_field: true,
    fields: [
      { name: 'pk', data_type: DataType.Int64, is_primary_key: true },
      { name: 'b', data_type: DataType.Bool }, { name: 'i8', data_type: DataType.Int8 }, { name: 'i16', data_type: 'Int16' },
      { name: 'i32', data_type: DataType.Int32 }, { name: 'i64', data_type: DataType.Int64 }, { name: 'f', data_type: DataType.Float },
      { name: 'd', data_type: DataType.Double }, { name: 's', data_type: DataType.VarChar, type_params: { max_length: '20' } },
      { name: 'j', data_type: DataType.JSON }, { name: 'a', data_type: DataType.Array, element_type: DataType.Int64, max_capacity: 4 },
      { name: 'as', data_type: DataType.Array, element_type: 'VarChar', max_capacity: 2, max_length: 4 },
      { name: 'g', data_type: DataType.Geometry }, { name: 't', data_type: DataType.Timestamptz }, { name: 'tx', data_type: DataType.Text },
      { name: 'n', data_type: DataType.Int32, nullable: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 }, { name: 'bv', data_type: DataType.BinaryVector, dim: 16 },
      { name: 'hv', data_type: DataType.Float16Vector, dim: 2 }, { name: 'bf', data_type: DataType.BFloat16Vector, dim: 2 },
    ],
    index_params: ['v', 'bv', 'hv', 'bf'].map((f) => ({ field_name: f, index_type: 'AUTOINDEX' })),
  });
  assert.equal(r.error_code, 'Success', r.reason);
  const row = {
    pk: '9007199254740993', b: true, i8: -8, i16: 300, i32: -70000, i64: -9223372036854775808n, f: 1.5, d: 0.1, s: 'héllo',
    j: { x: [1, 'y'], big: 12345678901234567890n }, a: [1, '2', 3n], as: ['ab', 'cd'], g: 'POINT (1 2)', t: '2025-01-02T03:04:05Z',
    tx: 'some text', n: null, v: [0.5, -1], bv: [1, 255], hv: [0.5, 2], bf: [1.5, -2], extra: 'dyn', more: [1, 2],
  };
  const ins = await client.insert({ collection_name: name, data: [row] });
  assert.equal(ins.status.error_code, 'Success', ins.status.reason);
  assert.deepEqual(ins.IDs.int_id.data, ['9007199254740993'], 'a string INT64 key is read exactly');
  const want = {
    pk: '9007199254740993', b: true, i8: -8, i16: 300, i32: -70000, i64: '-9223372036854775808', f: 1.5, d: 0.1, s: 'héllo',
    j: { x: [1, 'y'], big: 12345678901234567890n }, a: ['1', '2', '3'], as: ['ab', 'cd'], g: 'POINT (1 2)', t: '2025-01-02T03:04:05Z',
    tx: 'some text', n: null, v: [0.5, -1], bv: [1, 255], hv: [0.5, 2], bf: [1.5, -2], $meta: { extra: 'dyn', more: [1, 2] },
  };
  const q = await client.query({ collection_name: name, filter: '', limit: 10 });
  assert.deepEqual(q.data, [want]);
  const g = await client.get({ collection_name: name, ids: ['9007199254740993'] });
  assert.deepEqual(g.data, [want]);
  // a dynamic key asked for by name comes top-level in a hit, as the SDK reads `output_fields`
  const s = await client.search({ collection_name: name, anns_field: 'v', data: [0.5, -1], output_fields: ['s', 'extra'] });
  assert.deepEqual(s.results, [{ score: s.results[0].score, pk: '9007199254740993', s: 'héllo', extra: 'dyn' }]);

  // the other vector types (a collection may hold four vector fields)
  const name2 = uniqueName('types2');
  await client.createCollection({
    collection_name: name2,
    fields: [
      { name: 'pk', data_type: DataType.VarChar, max_length: 8, is_primary_key: true },
      { name: 'sv', data_type: DataType.SparseFloatVector }, { name: 'iv', data_type: DataType.Int8Vector, dim: 2 },
    ],
    index_params: [{ field_name: 'sv', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP' }, { field_name: 'iv', index_type: 'FLAT', metric_type: 'L2' }], // partita builds HNSW on FloatVector only
  });
  const ins2 = await client.insert({ collection_name: name2, data: [{ pk: 'a', sv: { 3: 0.5, 10: 1 }, iv: [-128, 127] }, { pk: 'b', sv: { 1: 2 }, iv: new Int8Array([1, 2]) }] });
  assert.deepEqual(ins2.IDs, { str_id: { data: ['a', 'b'] }, id_field: 'str_id' });
  const q2 = await client.query({ collection_name: name2, filter: '', limit: 5 });
  assert.deepEqual(q2.data, [{ pk: 'a', sv: { 3: 0.5, 10: 1 }, iv: [-128, 127] }, { pk: 'b', sv: { 1: 2 }, iv: [1, 2] }]);
});

test('search: one vector gives a flat list, several a list per vector; filter, limit/topk, partitions, the legacy form', async () => {
  const name = uniqueName('search');
  await quick(name, 2, { metric_type: 'L2' });
  await client.createPartition({ collection_name: name, partition_name: 'p' });
  await client.insert({ collection_name: name, data: [{ id: 1, vector: [0, 0], tag: 'a' }, { id: 2, vector: [1, 0], tag: 'b' }] });
  await client.insert({ collection_name: name, partition_name: 'p', data: [{ id: 3, vector: [2, 0], tag: 'a' }] });
  const one = await client.search({ collection_name: name, vector: [0, 0], limit: 2 });
  assert.deepEqual(one.results.map((h) => [h.id, h.score]), [['1', 0], ['2', 1]]);
  const many = await client.search({ collection_name: name, data: [[0, 0], [2, 0]], topk: 1, output_fields: ['tag'] });
  assert.deepEqual(many.results, [[{ score: 0, id: '1', tag: 'a' }], [{ score: 0, id: '3', tag: 'a' }]]);
  const filtered = await client.search({ collection_name: name, data: [[0, 0]], filter: 'tag == "a"', output_fields: ['tag'] });
  assert.deepEqual(filtered.results.map((h) => h.id), ['1', '3'], 'one query vector in a list: still a flat list');
  const part = await client.search({ collection_name: name, data: [0, 0], partition_names: ['p'] });
  assert.deepEqual(part.results.map((h) => h.id), ['3']);
  // LangChain.js's call: search_params with topk and a JSON string of params, vectors, filter
  const legacy = await client.search({
    collection_name: name, search_params: { anns_field: 'vector', topk: '2', metric_type: 'L2', params: JSON.stringify({ ef: 10 }) },
    output_fields: ['tag'], vector_type: DataType.FloatVector, vectors: [[2, 0]], filter: '',
  });
  assert.deepEqual(legacy.results.map((h) => h.id), ['3', '2']);
  // delete by ids and by filter
  const del = await client.delete({ collection_name: name, ids: [1] });
  assert.equal(del.delete_cnt, '1');
  assert.deepEqual(del.IDs.int_id.data, ['1']);
  const del2 = await client.deleteEntities({ collection_name: name, expr: 'tag == "a"' });
  assert.equal(del2.delete_cnt, '1');
  assert.equal((await client.count({ collection_name: name })).data, 1);
});

test('collections: list, describe, load state, release, rename, drop', async () => {
  const name = uniqueName('coll');
  await quick(name, 3);
  assert.equal((await client.hasCollection({ collection_name: name })).value, true);
  const list = await client.listCollections();
  assert.ok(list.data.some((c) => c.name === name && c.loadedPercentage === '100'));
  assert.equal((await client.getLoadState({ collection_name: name })).state, LoadState.LoadStateLoaded);
  assert.equal((await client.releaseCollection({ collection_name: name })).error_code, 'Success');
  assert.equal((await client.getLoadState({ collection_name: name })).state, LoadState.LoadStateNotLoad);
  const notLoaded = await client.search({ collection_name: name, data: [1, 2, 3] });
  assertStatus(notLoaded.status, 101, ErrorCode.UnexpectedError, /collection not loaded/);
  await client.loadCollection({ collection_name: name });
  await client.insert({ collection_name: name, data: [{ id: 7, vector: [1, 2, 3] }] });
  const d = await client.describeCollection({ collection_name: name });
  assert.equal(d.schema.enable_dynamic_field, true);
  assert.deepEqual(d.schema.fields.map((f) => [f.name, f.data_type, f.dataType]), [['id', 'Int64', 5], ['vector', 'FloatVector', 101]]);
  assert.equal(d.anns_fields.vector.dim, '3');
  assert.deepEqual(d.anns_fields.vector.index_params.find((p) => p.key === 'metric_type'), { key: 'metric_type', value: 'COSINE' });
  const to = uniqueName('renamed');
  assert.equal((await client.renameCollection({ collection_name: name, new_collection_name: to })).error_code, 'Success');
  assert.equal((await client.hasCollection({ collection_name: name })).value, false);
  assert.deepEqual((await client.get({ collection_name: to, ids: [7] })).data.map((r) => r.id), ['7']);
  assert.equal((await client.getLoadState({ collection_name: to })).state, LoadState.LoadStateLoaded, 'the state moves with the name');
  assert.equal((await client.dropCollection({ collection_name: to })).error_code, 'Success');
  assert.equal((await client.getLoadState({ collection_name: to })).state, LoadState.LoadStateNotExist);
  // clients with one address share its store; another address is another store
  assert.equal((await new MilvusClient(':memory:').hasCollection({ collection_name: d.collection_name })).value, false);
  const other = new MilvusClient({ address: 'localhost:19530' });
  assert.equal((await other.listCollections()).data.some((c) => c.name === to), false);
});

test("errors: the server's as statuses with Milvus's codes, the SDK's own checks thrown", async () => {
  const missing = uniqueName('missing');
  assertStatus((await client.describeCollection({ collection_name: missing })).status, 100, 'CollectionNotExists',
    new RegExp(`can't find collection\\[database=default\\]\\[collection=${missing}\\]`));
  assert.deepEqual(await client.hasCollection({ collection_name: missing }), { status: (await client.hasCollection({ collection_name: missing })).status, value: false });
  assertStatus(await client.createPartition({ collection_name: missing, partition_name: 'p' }), 100, 'CollectionNotExists');
  assertStatus((await client.query({ collection_name: missing, filter: '' })).status, 100, 'CollectionNotExists');
  // the SDK describes the collection before an insert and throws that reply
  await assert.rejects(client.insert({ collection_name: missing, data: [{ id: 1 }] }), (e) => e.status.code === 100);

  const name = uniqueName('err');
  await client.createCollection({ collection_name: name, fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 }] });
  assertStatus(await client.loadCollection({ collection_name: name }), 700, ErrorCode.IndexNotExist, /there is no vector index on field: \[v\]/);
  assertStatus((await client.describeIndex({ collection_name: name })).status, 700, ErrorCode.IndexNotExist);
  await client.createIndex({ collection_name: name, field_name: 'v' });
  assert.equal((await client.loadCollectionSync({ collection_name: name })).error_code, 'Success');
  const ix = await client.describeIndex({ collection_name: name });
  assert.deepEqual(ix.index_descriptions[0].params, [{ key: 'index_type', value: 'AUTOINDEX' }, { key: 'metric_type', value: 'COSINE' }, { key: 'params', value: '{}' }]);
  assertStatus((await client.query({ collection_name: name, filter: 'id >' })).status, 1100, ErrorCode.IllegalArgument);
  assertStatus((await client.search({ collection_name: name, data: [1, 2], metric_type: 'L2' })).status, 1100, ErrorCode.IllegalArgument, /metric type not match/);
  assertStatus((await client.getPartitionStatistics({ collection_name: name, partition_name: 'nope' })).status, 200, 'MetaFailed', /partition not found/);
  const bad = await client.insert({ collection_name: name, data: [{ id: 1, v: [1, 2, 3] }] });
  assertStatus(bad.status, 1100, ErrorCode.IllegalArgument, /dim/);
  // the core's client-side checks (pymilvus's code 1) are the server's invalid parameter for a gRPC client
  const wrongType = await client.insert({ collection_name: name, data: [{ id: 1, v: 'nope' }] });
  assertStatus(wrongType.status, 1100, ErrorCode.IllegalArgument, /inconsistent with defined schema/);
  assert.equal(bad.insert_cnt, '0');
  assert.equal((await client.count({ collection_name: name })).data, 0, 'nothing was written');

  // the SDK's own argument checks: thrown, with its texts
  await assert.rejects(client.hasCollection({}), { message: ERROR_REASONS.COLLECTION_NAME_IS_REQUIRED });
  await assert.rejects(client.insert({ collection_name: name, data: [] }), { message: ERROR_REASONS.INSERT_CHECK_FIELD_DATA_IS_REQUIRED });
  await assert.rejects(client.delete({ collection_name: name }), { message: ERROR_REASONS.FILTER_EXPR_REQUIRED });
  await assert.rejects(client.search({ collection_name: name }), { message: ERROR_REASONS.VECTORS_OR_VECTOR_IS_MISSING });
  await assert.rejects(client.createCollection({ collection_name: 'x', fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }] }),
    { message: ERROR_REASONS.CREATE_COLLECTION_CHECK_VECTOR_FIELD_EXIST });
  await assert.rejects(client.createPartition({ collection_name: name }), { message: ERROR_REASONS.COLLECTION_PARTITION_NAME_ARE_REQUIRED });
  // a collection whose schema the core refuses: the SDK throws the status
  await assert.rejects(client.createCollection({ collection_name: uniqueName('bad'), fields: [
    { name: 'id', data_type: DataType.VarChar, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 }] }),
  (e) => e.error_code !== 'Success' && /max_length/.test(e.reason));
});

test('arguments partita does not implement are refused by name, and nothing is done', async () => {
  const name = uniqueName('refuse');
  await quick(name);
  const refuse = async (call, key) => assert.rejects(call, (e) => e instanceof MilvusException && e.code === 1100 && e.message.includes(key));
  await refuse(client.searchIterator({ collection_name: name, data: [1, 2], batchSize: 10, group_by_field: 'id' }), 'group_by_field');
  await refuse(client.search({ collection_name: name, data: [1, 2], rerank: { strategy: 'rrf', params: {} } }), 'rerank');
  await refuse(client.insert({ collection_name: name, data: [{ id: 1, vector: [1, 2] }], partial_update: true }), 'partial_update');
  await refuse(client.insert({ collection_name: name, data: [{ id: 1, vector: [1, 2] }], field_ops: [] }), 'field_ops');
  await refuse(client.insert({ collection_name: name, data: [{ id: 1, vector: [1, 2] }], transformers: {} }), 'transformers');
  await refuse(client.loadCollection({ collection_name: name, resource_groups: ['rg'] }), 'resource_groups');
  await refuse(client.search({ collection_name: name, data: [1, 2], ignore_growing: true }), 'ignore_growing');
  await refuse(client.search({ collection_name: name, data: [1, 2], vector_type: DataType.BinaryVector }), 'vector_type');
  await refuse(client.search({ collection_name: name, data: [1, 2], nq: 2 }), 'nq');
  assert.equal((await client.count({ collection_name: name })).data, 0, 'no write happened');
  const fresh = uniqueName('refuse');
  await refuse(client.createCollection({ collection_name: fresh, fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 't', data_type: DataType.VarChar, max_length: 9, multi_analyzer_params: {} },
    { name: 'v', data_type: DataType.FloatVector, dim: 2 }] }), 'multi_analyzer_params');
  await refuse(client.createCollection({ collection_name: fresh, dimension: 2, shards_num: 2 }), 'shards_num');
  await refuse(client.createCollection({ collection_name: fresh, num_partitions: 8, fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 }] }), 'num_partitions');
  assert.equal((await client.hasCollection({ collection_name: fresh })).value, false, 'no collection was created');
  assert.throws(() => new MilvusClient({ address: ':memory:', pool: { max: 2 } }), /`pool`/);
  assert.throws(() => new MilvusClient({ address: 'http://127.0.0.1:9', ssl: true }), /`ssl: true` with an http:\/\/ address/);
  // a method that makes no sense in an embedded store: a status that says so, never a success
  const users = await client.createUser({ username: 'u', password: 'p' });
  assertStatus(users, 1100, ErrorCode.IllegalArgument, /createUser is not supported by partita/);
});

test('upsert: partial_update merges the fields given, field_ops append and remove array elements', async () => {
  const name = uniqueName('merge');
  const created = await client.createCollection({
    collection_name: name,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'title', data_type: DataType.VarChar, max_length: 32 },
      { name: 'tags', data_type: DataType.Array, element_type: DataType.VarChar, max_capacity: 4, max_length: 8 },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
    ],
    index_params: { field_name: 'v', index_type: 'FLAT', metric_type: MetricType.L2 },
  });
  assert.equal(created.error_code, ErrorCode.SUCCESS, created.reason);
  const ins = await client.insert({ collection_name: name, data: [{ id: 1, title: 'a', tags: ['x'], v: [1, 2] }] });
  assert.equal(ins.status.error_code, ErrorCode.SUCCESS, ins.status.reason);
  const merged = await client.upsert({ collection_name: name, data: [{ id: 1, title: 'b' }], partial_update: true });
  assert.equal(merged.status.error_code, ErrorCode.SUCCESS, merged.status.reason);
  const get = async () => (await client.get({ collection_name: name, ids: [1], output_fields: ['title', 'tags', 'v'] })).data[0];
  assert.deepEqual(await get(), { id: '1', title: 'b', tags: ['x'], v: [1, 2] }, 'the fields not given kept their values');
  await client.upsert({ collection_name: name, data: [{ id: 1, tags: ['y', 'z'] }], field_ops: [{ field_name: 'tags', op: 'ARRAY_APPEND' }] });
  assert.deepEqual((await get()).tags, ['x', 'y', 'z']);
  await client.upsert({ collection_name: name, data: [{ id: 1, tags: ['x'] }], field_ops: [{ field_name: 'tags', op: FieldPartialUpdateOpType.ARRAY_REMOVE }] });
  assert.deepEqual((await get()).tags, ['y', 'z']);
  // Milvus's limits: max_capacity, one operation per field, a key not stored needs every field
  const over = await client.upsert({ collection_name: name, data: [{ id: 1, tags: ['1', '2', '3'] }], field_ops: [{ field_name: 'tags', op: 'ARRAY_APPEND' }] });
  assert.notEqual(over.status.error_code, ErrorCode.SUCCESS);
  assert.match(over.status.reason, /max_capacity 4/);
  const twice = await client.upsert({ collection_name: name, data: [{ id: 1, tags: ['q'] }],
    field_ops: [{ field_name: 'tags', op: 'ARRAY_APPEND' }, { field_name: 'tags', op: 'ARRAY_REMOVE' }] });
  assert.match(twice.status.reason, /duplicate partial-update op for field "tags"/);
  const missing = await client.upsert({ collection_name: name, data: [{ id: 2, title: 'c' }], partial_update: true });
  assert.equal(missing.status.code, 1100);
  assert.deepEqual((await get()).tags, ['y', 'z'], 'refused upserts changed nothing');
  assert.equal((await client.count({ collection_name: name })).data, 1);
  // the SDK's own checks of field_ops, thrown with its texts
  await assert.rejects(client.upsert({ collection_name: name, data: [{ id: 1 }], field_ops: [{ op: 'ARRAY_APPEND' }] }), { message: 'field_ops field_name is required' });
  await assert.rejects(client.upsert({ collection_name: name, data: [{ id: 1 }], field_ops: [{ field_name: 'tags', op: 'PUSH' }] }), { message: 'unsupported field partial update op: PUSH' });
});

test('text: enable_analyzer / enable_match fields, text_match filters and runAnalyzer', async () => {
  const name = uniqueName('text');
  const created = await client.createCollection({
    collection_name: name,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'body', data_type: DataType.VarChar, max_length: 200, enable_analyzer: true, enable_match: true,
        analyzer_params: { type: 'english' } },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
    ],
    index_params: { field_name: 'v', index_type: 'FLAT', metric_type: MetricType.L2 },
  });
  assert.equal(created.error_code, ErrorCode.SUCCESS, created.reason);
  await client.insert({ collection_name: name, data: [
    { id: 1, body: 'The cats are running', v: [0, 1] }, { id: 2, body: 'A dog sleeps', v: [1, 0] }, { id: 3, body: 'Running dogs', v: [1, 1] }] });
  const q = await client.query({ collection_name: name, filter: 'text_match(body, "run")', output_fields: ['id'] });
  assert.deepEqual(q.data.map((r) => r.id).sort(), ['1', '3'], 'the english analyzer stems running to run');
  const desc = await client.describeCollection({ collection_name: name });
  const params = Object.fromEntries(desc.schema.fields.find((f) => f.name === 'body').type_params.map((p) => [p.key, p.value]));
  assert.equal(params.enable_match, 'true');
  assert.equal(JSON.parse(params.analyzer_params).type, 'english');
  const bad = await client.query({ collection_name: name, filter: 'text_match(id, "x")', output_fields: ['id'] });
  assert.notEqual(bad.status.error_code, ErrorCode.SUCCESS);
  const a = await client.runAnalyzer({ text: ['Hello, World!'], analyzer_params: { tokenizer: 'standard', filter: ['lowercase'] }, with_detail: true });
  assert.equal(a.status.error_code, ErrorCode.SUCCESS, a.status.reason);
  assert.deepEqual(a.results[0].tokens.map((t) => [t.token, t.start_offset, t.end_offset]), [['hello', 0, 5], ['world', 7, 12]]);
  assert.deepEqual(Object.keys(a.results[0].tokens[0]).sort(), ['end_offset', 'hash', 'position', 'position_length', 'start_offset', 'token']);
  await assert.rejects(client.runAnalyzer({ text: 'x', collection_name: name }), (e) => e.code === 1100 && e.message.includes('collection_name'));
});

test('databases: named stores of one address, use() per client; aliases resolve in every call', async () => {
  const address = `db-${process.pid}:1`;
  const a = new MilvusClient({ address }), b = new MilvusClient({ address });
  const db = uniqueName('db');
  assertStatus((await a.describeCollection({ collection_name: 'x', db_name: db })).status, 800, ErrorCode.UnexpectedError, /database not found/);
  await assert.rejects(a.insert({ collection_name: 'x', db_name: db, data: [{ id: 1 }] }), (e) => e.status.code === 800);
  assert.equal((await a.createDatabase({ db_name: db })).error_code, 'Success');
  assertStatus(await a.createDatabase({ db_name: db }), 65535, ErrorCode.UnexpectedError, /database already exist/);
  assert.deepEqual((await b.listDatabases()).db_names, ['default', db], 'clients of one address share its databases');
  await a.createCollection({ collection_name: 'films', dimension: 2, db_name: db });
  await a.insert({ collection_name: 'films', db_name: db, data: [{ id: 1, vector: [1, 2] }] });
  assert.equal((await a.hasCollection({ collection_name: 'films' })).value, false, 'the default database is another store');
  assert.deepEqual(await b.use({ db_name: db }), { error_code: 'Success', reason: '' });
  assert.equal((await b.count({ collection_name: 'films' })).data, 1, 'use() sets the database of the client that calls it');
  assert.equal((await a.hasCollection({ collection_name: 'films' })).value, false, '... and of no other client');
  assertStatus(await a.dropDatabase({ db_name: db }), 65535, ErrorCode.UnexpectedError, /not empty/);
  // aliases
  assert.equal((await b.createAlias({ collection_name: 'films', alias: 'movies' })).error_code, 'Success');
  assert.deepEqual((await b.get({ collection_name: 'movies', ids: [1] })).data.map((r) => r.id), ['1']);
  assert.equal((await b.insert({ collection_name: 'movies', data: [{ id: 2, vector: [2, 1] }] })).insert_cnt, '1');
  // search and hybridSearch through the alias too
  const viaAlias = await b.search({ collection_name: 'movies', data: [2, 1], limit: 1 });
  assert.equal(viaAlias.status.error_code, 'Success', viaAlias.status.reason);
  assert.deepEqual(viaAlias.results.map((r) => r.id), ['2']);
  const hybridAlias = await b.hybridSearch({ collection_name: 'movies', data: [{ data: [2, 1], anns_field: 'vector' }, { data: [1, 2], anns_field: 'vector' }], limit: 2 });
  assert.equal(hybridAlias.status.error_code, 'Success', hybridAlias.status.reason);
  assert.deepEqual(hybridAlias.results.map((r) => r.id).sort(), ['1', '2']);
  const desc = await b.describeCollection({ collection_name: 'movies' });
  assert.equal(desc.collection_name, 'films');
  assert.deepEqual(desc.aliases, ['movies']);
  assert.equal(desc.db_name, db);
  assert.deepEqual(await b.describeAlias({ collection_name: 'films', alias: 'movies' }), { status: desc.status, db_name: db, alias: 'movies', collection: 'films' });
  assert.deepEqual((await b.listAliases({ collection_name: 'films' })).aliases, ['movies']);
  assertStatus(await b.dropCollection({ collection_name: 'movies' }), 1100, ErrorCode.IllegalArgument, /via alias/);
  assertStatus(await b.dropCollection({ collection_name: 'films' }), 65535, ErrorCode.UnexpectedError, /associated aliases/);
  await b.createCollection({ collection_name: 'shows', dimension: 2 });
  assertStatus(await b.createAlias({ collection_name: 'shows', alias: 'movies' }), 65535, ErrorCode.UnexpectedError, /already aliased/);
  assert.equal((await b.alterAlias({ collection_name: 'shows', alias: 'movies' })).error_code, 'Success');
  assert.equal((await b.count({ collection_name: 'movies' })).data, 0, 'the alias now names shows');
  assert.equal((await b.dropAlias({ alias: 'movies' })).error_code, 'Success');
  assertStatus((await b.describeAlias({ collection_name: 'shows', alias: 'movies' })).status, 1600, ErrorCode.UnexpectedError, /alias not found/);
  await assert.rejects(b.createAlias({ collection_name: 'films' }), { message: ERROR_REASONS.ALIAS_NAME_IS_REQUIRED });
  for (const c of ['films', 'shows']) assert.equal((await b.dropCollection({ collection_name: c })).error_code, 'Success');
  assert.equal((await a.dropDatabase({ db_name: db })).error_code, 'Success');
  assertStatus((await b.count({ collection_name: 'films' })).status, 800, ErrorCode.UnexpectedError, /database not found/);
  assertStatus(await a.dropDatabase({ db_name: 'default' }), 65535, ErrorCode.UnexpectedError, /can not drop default database/);
});

test('an address that is neither memory, host:port, http(s) nor a path ending in .db (a durable store: durable.test.mjs) is refused, naming the forms', () => {
  for (const address of ['./milvus.sqlite', '/tmp/milvus', 'grpc://x:1'])
    assert.throws(() => new MilvusClient({ address }), (e) => e instanceof MilvusException && /a path ending in \.db/.test(e.message) && e.message.includes(address));
});

test('an http(s) address forwards the writes to that Milvus REST endpoint, as connections.connect does', async () => {
  const server = await serve({ port: 0 });
  try {
    const remote = new MilvusClient({ address: server.url, token: 'root:Milvus' });
    const name = uniqueName('fw');
    await remote.createCollection({ collection_name: name, fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 }],
    index_params: { field_name: 'v', metric_type: 'L2', index_type: 'FLAT' } });
    await remote.insert({ collection_name: name, data: [{ id: 1, v: [1, 2] }, { id: 2, v: [3, 4] }] });
    await remote.delete({ collection_name: name, ids: [2] });
    await remote.flushSync({ collection_names: [name] });
    const post = async (route, body) => (await fetch(`${server.url}/v2/vectordb/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
    await post('collections/load', { collectionName: name });
    const q = await post('entities/query', { collectionName: name, filter: 'id > 0', outputFields: ['id'] });
    assert.equal(q.code, 0, JSON.stringify(q));
    assert.deepEqual(q.data.map((r) => Number(r.id)), [1]);
    // and the embedded store answers the reads
    assert.deepEqual((await remote.query({ collection_name: name, filter: '', limit: 5 })).data.map((r) => r.id), ['1']);
    // a rename would rename the local copy only (the remote keeps its name): refused by name, nothing renamed
    const renamed = await remote.renameCollection({ collection_name: name, new_collection_name: `${name}_b` });
    assert.equal(renamed.code, 1100);
    assert.match(renamed.reason, /renaming a collection is not supported by partita on a forwarding connection/);
    assert.deepEqual((await remote.showCollections()).data.map((c) => c.name).filter((n) => n.startsWith(name)), [name]);
  } finally {
    await server.close();
  }
});

test("each reply has the keys the SDK's types declare for it", async () => {
  const ts = (await import('typescript')).default;
  const program = ts.createProgram([join(sdkDir, 'dist/milvus/index.d.ts')], { skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const types = new Map();
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.includes('milvus2-sdk-node/dist/milvus/types/')) continue;
    ts.forEachChild(file, (n) => {
      if ((ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) && n.name) types.set(n.name.text, checker.getTypeAtLocation(n.name));
    });
  }
  /** The SDK type's properties: { required, all }. */
  const props = (typeName) => {
    const t = types.get(typeName);
    assert.ok(t, `the SDK declares ${typeName}`);
    const all = checker.getPropertiesOfType(t);
    // a type with an index signature (a search hit: its output fields) takes any further key
    return { all: new Set(all.map((p) => p.name)), open: checker.getIndexInfosOfType(t).length > 0,
      required: all.filter((p) => !(p.flags & ts.SymbolFlags.Optional)).map((p) => p.name) };
  };
  // keys of the gRPC replies that the SDK passes on without declaring them (its proto loader
  // keeps every field of the message, and adds the oneof's name)
  const UNDECLARED = {
    NumberArrayId: ['id_field'],
    StringArrayId: ['id_field'],
    ShowCollectionsResponse: ['collection_names', 'collection_ids', 'inMemory_percentages'],
    FlushResult: ['db_name', 'flush_coll_segIDs', 'coll_seal_times', 'coll_flush_ts', 'channel_cps'],
  };
  const check = (typeName, reply, where = typeName) => {
    const { all, open, required } = props(typeName);
    const keys = Object.keys(reply);
    for (const k of required) assert.ok(keys.includes(k), `${where}: the SDK's ${typeName} has ${k}`);
    for (const k of keys) assert.ok(all.has(k) || open || UNDECLARED[typeName]?.includes(k), `${where}: ${k} is not in the SDK's ${typeName}`);
  };
  const name = uniqueName('shape');
  const c = { collection_name: name };
  check('ResStatus', await client.createCollection({ ...c, dimension: 2 }), 'createCollection');
  await client.createPartition({ ...c, partition_name: 'p' });
  const ins = await client.insert({ ...c, data: [{ id: 1, vector: [1, 2] }] });
  check('MutationResult', ins, 'insert');
  check('NumberArrayId', ins.IDs, 'insert IDs');
  check('MutationResult', await client.upsert({ ...c, data: [{ id: 1, vector: [1, 2] }] }), 'upsert');
  check('BoolResponse', await client.hasCollection(c), 'hasCollection');
  check('BoolResponse', await client.hasPartition({ ...c, partition_name: 'p' }), 'hasPartition');
  const d = await client.describeCollection(c);
  check('DescribeCollectionResponse', d, 'describeCollection');
  check('CollectionSchema', d.schema, 'describeCollection schema');
  for (const f of d.schema.fields) check('FieldSchema', f, `field ${f.name}`);
  check('ResStatus', d.status, 'status');
  const list = await client.showCollections();
  check('ShowCollectionsResponse', list, 'showCollections');
  check('CollectionData', list.data[0], 'showCollections data');
  check('StatisticsResponse', await client.getCollectionStatistics(c), 'getCollectionStatistics');
  check('StatisticsResponse', await client.getPartitionStatistics({ ...c, partition_name: 'p' }), 'getPartitionStatistics');
  check('GetLoadStateResponse', await client.getLoadState(c), 'getLoadState');
  check('GetLoadingProgressResponse', await client.getLoadingProgress(c), 'getLoadingProgress');
  check('ShowPartitionsResponse', await client.showPartitions(c), 'showPartitions');
  check('DescribeIndexResponse', await client.describeIndex(c), 'describeIndex');
  check('IndexDescription', (await client.describeIndex(c)).index_descriptions[0], 'describeIndex description');
  check('ListIndexResponse', await client.listIndexes(c), 'listIndexes');
  check('GetIndexStateResponse', await client.getIndexState(c), 'getIndexState');
  check('GetIndexBuildProgressResponse', await client.getIndexBuildProgress({ ...c, field_name: 'vector' }), 'getIndexBuildProgress');
  check('QueryResults', await client.query({ ...c, filter: '', limit: 5 }), 'query');
  check('QueryResults', await client.get({ ...c, ids: [1] }), 'get');
  check('CountResult', await client.count(c), 'count');
  const s = await client.search({ ...c, data: [1, 2] });
  check('SearchResults', s, 'search');
  check('SearchResultData', s.results[0], 'search hit');
  check('FlushResult', await client.flush({ collection_names: [name] }), 'flush');
  check('GetFlushStateResponse', await client.flushSync({ collection_names: [name] }), 'flushSync');
  check('MutationResult', await client.delete({ ...c, filter: 'id > 0' }), 'delete');
  check('ResStatus', await client.dropPartition({ ...c, partition_name: 'p' }), 'dropPartition');
  check('ResStatus', await client.releaseCollection(c), 'releaseCollection');
  check('ResStatus', await client.dropIndex(c), 'dropIndex');
  check('ResStatus', await client.createAlias({ ...c, alias: `${name}_a` }), 'createAlias');
  check('DescribeAliasResponse', await client.describeAlias({ ...c, alias: `${name}_a` }), 'describeAlias');
  check('ListAliasesResponse', await client.listAliases(c), 'listAliases');
  check('ResStatus', await client.dropAlias({ alias: `${name}_a` }), 'dropAlias');
  check('ListDatabasesResponse', await client.listDatabases(), 'listDatabases');
  check('DescribeDatabaseResponse', await client.describeDatabase({ db_name: 'default' }), 'describeDatabase');
  check('ResStatus', await client.dropCollection(c), 'dropCollection');
  // failures keep the reply's shape
  check('MutationResult', await client.delete({ ...c, filter: 'id > 0' }), 'delete of a dropped collection');
  check('QueryResults', await client.query(c), 'query of a dropped collection');
  check('DescribeIndexResponse', await client.describeIndex(c), 'describeIndex of a dropped collection');
});
