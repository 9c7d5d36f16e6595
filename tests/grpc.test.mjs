// Milvus's gRPC API (issue 20): the real @zilliz/milvus2-sdk-node MilvusClient (gRPC) against
// partita's server (serve({ grpc: true }), the port that also serves REST): the SDK README's
// quickstart, the seed's partition-scoped upsert, every data type round trip, filtered search
// and query, iterators, errors with Milvus's codes, UNIMPLEMENTED for RPCs not served, the
// token, and hostile messages (wrong field data lengths, oversized messages, unknown enum
// values) answered with a status that leaves the store as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MilvusClient, HttpClient, DataType, MetricType, ErrorCode } from '@zilliz/milvus2-sdk-node';
import grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { serve } from 'partita/server/node';
import { uniqueName, sdkQuickstart, assertQuickstartResults } from './support/helpers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'root:Milvus';
let server, client, address;

before(async () => {
  server = await serve({ port: 0, grpc: true, token: TOKEN, maxBodyBytes: 4 * 1024 * 1024 });
  address = `127.0.0.1:${server.port}`;
  client = new MilvusClient({ address, token: TOKEN });
  await client.connectPromise;
});
after(async () => {
  await client.closeConnection();
  await server.close();
});

/** A raw grpc-js client of MilvusService (the descriptor the server loads), for messages the SDK
 * would never send. */
function rawClient(token = TOKEN) {
  const def = fromJSON(JSON.parse(readFileSync(join(root, 'dist/milvus-proto.json'), 'utf8')),
    { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const Service = grpc.loadPackageDefinition(def).milvus.proto.milvus.MilvusService;
  const c = new Service(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
  const md = new grpc.Metadata();
  if (token !== null) md.set('authorization', Buffer.from(token).toString('base64'));
  const call = (method, req) => new Promise((resolve, reject) => c[method](req, md, (err, res) => (err ? reject(err) : resolve(res))));
  // a request's bytes as they are
  const unary = (method, bytes) => new Promise((resolve, reject) =>
    c.makeUnaryRequest(`/milvus.proto.milvus.MilvusService/${method}`, (x) => x, (x) => x, bytes, md, (err, res) => (err ? reject(err) : resolve(res))));
  return { call, unary, close: () => c.close() };
}

/** A protobufjs type of Milvus's protocol (proto-loader's protobufjs), to encode messages sent
 * as bytes inside others. */
function protoType(name) {
  const protobuf = createRequire(createRequire(import.meta.url).resolve('@grpc/proto-loader'))('protobufjs');
  return protobuf.Root.fromJSON(JSON.parse(readFileSync(join(root, 'dist/milvus-proto.json'), 'utf8'))).lookupType(name);
}

const varint = (n) => {
  const b = [];
  for (; n > 127; n = Math.floor(n / 128)) b.push((n % 128) | 128);
  b.push(n);
  return Buffer.from(b);
};
/** A length-delimited field `id` holding `inner` (protobuf wire type 2). */
const lengthDelimited = (id, inner) => Buffer.concat([varint((id << 3) | 2), varint(inner.length), inner]);

/** A ScalarField of arrays nested `depth` deep, its bytes made outside in (one copy). */
function nestedArrays(depth) {
  const SF = protoType('milvus.proto.schema.ScalarField'), AA = protoType('milvus.proto.schema.ArrayArray');
  const parts = [];
  let size = 0;
  for (let i = 0; i < depth; i++) {
    const inner = varint((AA.fields.data.id << 3) | 2), innerLen = varint(size);
    size += inner.length + innerLen.length;
    const outer = Buffer.concat([varint((SF.fields.array_data.id << 3) | 2), varint(size)]);
    size += outer.length;
    parts.push(Buffer.concat([outer, inner, innerLen]));
  }
  return Buffer.concat(parts.reverse());
}

const ok = (r) => assert.equal((r.status ?? r).error_code, ErrorCode.SUCCESS, (r.status ?? r).reason);

async function quick(name, dim = 2, extra = {}) {
  ok(await client.createCollection({ collection_name: name, dimension: dim, ...extra }));
}

test("the SDK README's quickstart runs unmodified against partita-serve's gRPC (its address: the test's port)", async () => {
  const block = sdkQuickstart(readFileSync, join(root, 'node_modules/@zilliz/milvus2-sdk-node'));
  assert.match(block, /address: 'localhost:19530'/);
  const open = await serve({ port: 0, grpc: true });
  const dir = mkdtempSync(join(tmpdir(), 'partita-grpc-quickstart-'));
  try {
    // the SDK itself, from this checkout's node_modules; only the port differs
    const code = block.replace("'localhost:19530'", `'localhost:${open.port}'`).replace("'@zilliz/milvus2-sdk-node'", JSON.stringify(join(root, 'node_modules/@zilliz/milvus2-sdk-node/dist/milvus/index.js')));
    writeFileSync(join(dir, 'quickstart.mjs'), `${code}\nconsole.log('RESULT ' + JSON.stringify(results));\nprocess.exit(0);\n`);
    const child = spawn(process.execPath, ['quickstart.mjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(status, 0, stderr);
    assertQuickstartResults(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await open.close();
  }
});

test("the seed's partition-scoped upsert over gRPC, and REST on the same port sees the same store", async () => {
  const name = uniqueName('seed');
  ok(await client.createCollection({
    collection_name: name,
    fields: [{ name: 'film_id', data_type: DataType.Int64, is_primary_key: true }, { name: 'films', data_type: DataType.FloatVector, dim: 2 }],
    index_params: { field_name: 'films', index_type: 'FLAT', metric_type: MetricType.L2 },
  }));
  ok(await client.loadCollectionSync({ collection_name: name }));
  ok(await client.createPartition({ collection_name: name, partition_name: 'comedy' }));
  const data = Array.from({ length: 10 }, (_, i) => ({ film_id: i, films: [0, 1] }));
  const res = await client.upsert({ collection_name: name, partition_name: 'comedy', data });
  ok(res);
  assert.equal(res.upsert_cnt, '10');
  assert.deepEqual(res.IDs.int_id.data, data.map((r) => String(r.film_id)));
  ok(await client.upsert({ collection_name: name, partition_name: 'comedy', data }));
  assert.equal((await client.getPartitionStatistics({ collection_name: name, partition_name: 'comedy' })).data.row_count, '10');
  ok(await client.createPartition({ collection_name: name, partition_name: 'drama' }));
  ok(await client.upsert({ collection_name: name, partition_name: 'drama', data }));
  assert.equal((await client.getCollectionStatistics({ collection_name: name })).data.row_count, '20', 'upsert is partition-scoped');
  assert.deepEqual((await client.showPartitions({ collection_name: name })).partition_names, ['_default', 'comedy', 'drama']);
  assert.equal((await client.count({ collection_name: name, filter: 'film_id < 5' })).data, 10);
  // the REST API on the same port serves the same store
  const rest = new HttpClient({ endpoint: `http://${address}`, token: TOKEN });
  assert.ok((await rest.listCollections()).data.includes(name));
  assert.deepEqual((await rest.getCollectionStatistics({ collectionName: name })).data, { rowCount: 20 });
});

test('every data type round-trips through FieldData (scalars, JSON, arrays, nulls, dynamic $meta, every vector type)', async () => {
  const name = uniqueName('types');
  ok(await client.createCollection({
    collection_name: name,
    enable_dynamic_field: true,
    fields: [
      { name: 'pk', data_type: DataType.Int64, is_primary_key: true },
      { name: 'b', data_type: DataType.Bool }, { name: 'i8', data_type: DataType.Int8 }, { name: 'i16', data_type: DataType.Int16 },
      { name: 'i32', data_type: DataType.Int32 }, { name: 'i64', data_type: DataType.Int64 }, { name: 'f', data_type: DataType.Float },
      { name: 'd', data_type: DataType.Double }, { name: 's', data_type: DataType.VarChar, max_length: 20 },
      { name: 'j', data_type: DataType.JSON }, { name: 'a', data_type: DataType.Array, element_type: DataType.Int64, max_capacity: 4 },
      { name: 'as', data_type: DataType.Array, element_type: DataType.VarChar, max_capacity: 2, max_length: 4 },
      { name: 'n', data_type: DataType.Int32, nullable: true },
      { name: 'g', data_type: DataType.Geometry }, { name: 't', data_type: DataType.Timestamptz }, { name: 'tx', data_type: DataType.Text },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 }, { name: 'bv', data_type: DataType.BinaryVector, dim: 16 },
      { name: 'hv', data_type: DataType.Float16Vector, dim: 2 }, { name: 'bf', data_type: DataType.BFloat16Vector, dim: 2 },
    ],
    index_params: ['v', 'bv', 'hv', 'bf'].map((f) => ({ field_name: f, index_type: 'AUTOINDEX', metric_type: f === 'bv' ? 'HAMMING' : 'L2' })),
  }));
  ok(await client.loadCollectionSync({ collection_name: name }));
  const rows = [
    { pk: '9007199254740993', b: true, i8: -8, i16: 300, i32: -70000, i64: '-9223372036854775808', f: 1.5, d: 0.1, s: 'héllo',
      j: { x: [1, 'y'], z: null }, a: [1, 2, 3], as: ['ab', 'cd'], n: null, g: 'POINT (1 2)', t: '2025-01-02T03:04:05Z', tx: 'some text',
      v: [0.5, -1], bv: [1, 255], hv: [0.5, 2], bf: [1.5, -2], extra: 'dyn', more: [1, 2] },
    { pk: 2, b: false, i8: 127, i16: -1, i32: 5, i64: 7, f: -0.25, d: 1e300, s: '', j: [1, 2], a: [], as: ['x'], n: 42, g: 'POINT (0 0)',
      t: '2000-01-01T00:00:00Z', tx: '', v: [0, 0], bv: [0, 0], hv: [-1, 65504], bf: [0, 1] },
  ];
  const ins = await client.insert({ collection_name: name, data: rows });
  ok(ins);
  assert.deepEqual(ins.IDs.int_id.data, ['9007199254740993', '2'], 'an INT64 key beyond 2^53 is kept exactly');
  const q = await client.query({ collection_name: name, filter: '', limit: 10, output_fields: ['*'] });
  ok(q);
  const got = q.data.map((r) => ({ ...r, hv: Array.from(r.hv), bf: Array.from(r.bf) }));
  assert.deepEqual(got, [
    { pk: '9007199254740993', b: true, i8: -8, i16: 300, i32: -70000, i64: '-9223372036854775808', f: 1.5, d: 0.1, s: 'héllo',
      j: { x: [1, 'y'], z: null }, a: ['1', '2', '3'], as: ['ab', 'cd'], n: null, g: 'POINT (1 2)', t: '2025-01-02T03:04:05Z', tx: 'some text',
      v: [0.5, -1], bv: [1, 255], hv: [0.5, 2], bf: [1.5, -2], $meta: { extra: 'dyn', more: [1, 2] } },
    { pk: '2', b: false, i8: 127, i16: -1, i32: 5, i64: '7', f: -0.25, d: 1e300, s: '', j: [1, 2], a: [], as: ['x'], n: 42, g: 'POINT (0 0)',
      t: '2000-01-01T00:00:00Z', tx: '', v: [0, 0], bv: [0, 0], hv: [-1, 65504], bf: [0, 1], $meta: {} },
  ]);
  // a dynamic key asked for by name comes as the SDK reads it from $meta
  const s = await client.search({ collection_name: name, anns_field: 'v', data: [0.5, -1], limit: 1, output_fields: ['s', 'extra'] });
  ok(s);
  assert.deepEqual(s.results, [{ score: 0, pk: '9007199254740993', s: 'héllo', extra: 'dyn' }]);

  // sparse and int8 vectors, VARCHAR keys
  const name2 = uniqueName('types2');
  ok(await client.createCollection({
    collection_name: name2,
    fields: [
      { name: 'pk', data_type: DataType.VarChar, max_length: 8, is_primary_key: true },
      { name: 'sv', data_type: DataType.SparseFloatVector }, { name: 'iv', data_type: DataType.Int8Vector, dim: 2 },
    ],
    index_params: [{ field_name: 'sv', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP' }, { field_name: 'iv', index_type: 'FLAT', metric_type: 'L2' }],
  }));
  ok(await client.loadCollectionSync({ collection_name: name2 }));
  const ins2 = await client.insert({ collection_name: name2, data: [{ pk: 'a', sv: { 3: 0.5, 10: 1 }, iv: [-128, 127] }, { pk: 'b', sv: { 1: 2 }, iv: [1, 2] }] });
  ok(ins2);
  assert.deepEqual(ins2.IDs.str_id.data, ['a', 'b']);
  const q2 = await client.query({ collection_name: name2, filter: '', limit: 5, output_fields: ['*'] });
  assert.deepEqual(q2.data.map((r) => ({ ...r, iv: Array.from(r.iv) })), [{ pk: 'a', sv: { 3: 0.5, 10: 1 }, iv: [-128, 127] }, { pk: 'b', sv: { 1: 2 }, iv: [1, 2] }]);
  const s2 = await client.search({ collection_name: name2, anns_field: 'sv', data: [{ 3: 1, 10: 1 }], limit: 1 });
  ok(s2);
  assert.deepEqual(s2.results.map((h) => [h.pk, h.score]), [['a', 1.5]]);
  const s3 = await client.search({ collection_name: name2, anns_field: 'iv', data: [[1, 2]], limit: 1 });
  assert.deepEqual(s3.results.map((h) => [h.pk, h.score]), [['b', 0]]);
});

test('filtered search and query: filters, templates, partitions, several query vectors, limit and offset, count', async () => {
  const name = uniqueName('search');
  await quick(name, 2, { metric_type: 'L2' });
  ok(await client.createPartition({ collection_name: name, partition_name: 'p' }));
  ok(await client.insert({ collection_name: name, data: [{ id: 1, vector: [0, 0], tag: 'a' }, { id: 2, vector: [1, 0], tag: 'b' }] }));
  ok(await client.insert({ collection_name: name, partition_name: 'p', data: [{ id: 3, vector: [2, 0], tag: 'a' }] }));
  const one = await client.search({ collection_name: name, data: [0, 0], limit: 2 });
  assert.deepEqual(one.results.map((h) => [h.id, h.score]), [['1', 0], ['2', 1]]);
  const many = await client.search({ collection_name: name, data: [[0, 0], [2, 0]], limit: 1, output_fields: ['tag'] });
  assert.deepEqual(many.results, [[{ score: 0, id: '1', tag: 'a' }], [{ score: 0, id: '3', tag: 'a' }]]);
  const filtered = await client.search({ collection_name: name, data: [0, 0], filter: 'tag == {t}', exprValues: { t: 'a' }, output_fields: ['tag'] });
  assert.deepEqual(filtered.results.map((h) => h.id), ['1', '3']);
  const part = await client.search({ collection_name: name, data: [0, 0], partition_names: ['p'] });
  assert.deepEqual(part.results.map((h) => h.id), ['3']);
  const paged = await client.search({ collection_name: name, data: [0, 0], limit: 1, offset: 1 });
  assert.deepEqual(paged.results.map((h) => h.id), ['2']);
  // a dynamic key asked for by name: in $meta, as the SDK builds query rows from the columns
  const q = await client.query({ collection_name: name, filter: 'id in {ids}', exprValues: { ids: [2, 3] }, output_fields: ['tag'] });
  assert.deepEqual(q.data, [{ id: '2', $meta: { tag: 'b' } }, { id: '3', $meta: { tag: 'a' } }]);
  const q2 = await client.query({ collection_name: name, filter: 'id > 0', limit: 1, offset: 1, output_fields: ['id'] });
  assert.deepEqual(q2.data, [{ id: '2' }]);
  const g = await client.get({ collection_name: name, ids: ['3'], output_fields: ['vector'] });
  assert.deepEqual(g.data, [{ id: '3', vector: [2, 0] }]);
  assert.equal((await client.count({ collection_name: name, filter: 'tag == "a"' })).data, 2);
  const del = await client.delete({ collection_name: name, filter: 'tag == "b"' });
  ok(del);
  assert.equal(del.delete_cnt, '1');
  assert.equal((await client.count({ collection_name: name })).data, 2);
});

test('upsert in merge mode over gRPC: partial_update keeps the fields not sent, field_ops append to arrays', async () => {
  const name = uniqueName('merge');
  ok(await client.createCollection({
    collection_name: name,
    fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      { name: 'tag', data_type: DataType.VarChar, max_length: 8 }, { name: 'arr', data_type: DataType.Array, element_type: DataType.Int32, max_capacity: 8 }],
    index_params: { field_name: 'v', index_type: 'FLAT', metric_type: 'L2' },
  }));
  ok(await client.loadCollectionSync({ collection_name: name }));
  ok(await client.insert({ collection_name: name, data: [{ id: 1, v: [1, 2], tag: 'a', arr: [1] }] }));
  ok(await client.upsert({ collection_name: name, partial_update: true, data: [{ id: 1, tag: 'b' }] }));
  ok(await client.upsert({ collection_name: name, data: [{ id: 1, arr: [2, 3] }], field_ops: [{ field_name: 'arr', op: 'ARRAY_APPEND' }] }));
  const q = await client.query({ collection_name: name, filter: 'id == 1', output_fields: ['*'] });
  assert.deepEqual(q.data, [{ id: '1', v: [1, 2], tag: 'b', arr: [1, 2, 3] }]);
});

test('iterators: queryIterator and searchIterator page through every row once', async () => {
  const name = uniqueName('iter');
  await quick(name, 2, { metric_type: 'L2' });
  ok(await client.insert({ collection_name: name, data: Array.from({ length: 25 }, (_, i) => ({ id: i, vector: [i, 0] })) }));
  const seen = [];
  for await (const batch of await client.queryIterator({ collection_name: name, batchSize: 7, filter: 'id >= 3', output_fields: ['id'] })) {
    assert.ok(batch.length <= 7);
    seen.push(...batch.map((r) => Number(r.id)));
  }
  assert.deepEqual(seen, Array.from({ length: 22 }, (_, i) => i + 3));
  const hits = [];
  for await (const batch of await client.searchIterator({ collection_name: name, data: [0, 0], batchSize: 4, limit: 10 })) {
    assert.ok(batch.length <= 4);
    hits.push(...batch.map((h) => Number(h.id)));
  }
  assert.deepEqual(hits, Array.from({ length: 10 }, (_, i) => i), 'nearest first, each row once, up to the limit');
});

test("collections, aliases, databases, indexes, load state and flush answer as Milvus's", async () => {
  const name = uniqueName('admin');
  await quick(name, 2);
  assert.equal((await client.hasCollection({ collection_name: name })).value, true);
  const d = await client.describeCollection({ collection_name: name });
  ok(d);
  assert.deepEqual(d.schema.fields.map((f) => [f.name, f.data_type, f.is_primary_key]), [['id', 'Int64', true], ['vector', 'FloatVector', false]]);
  const ix = await client.describeIndex({ collection_name: name });
  assert.deepEqual(ix.index_descriptions.map((i) => i.field_name), ['vector']);
  assert.equal((await client.getLoadState({ collection_name: name })).state, 'LoadStateLoaded');
  ok(await client.releaseCollection({ collection_name: name }));
  assert.equal((await client.getLoadState({ collection_name: name })).state, 'LoadStateNotLoad');
  ok(await client.loadCollectionSync({ collection_name: name }));
  ok(await client.createAlias({ collection_name: name, alias: `${name}_a` }));
  assert.equal((await client.describeAlias({ collection_name: name, alias: `${name}_a` })).collection, name);
  assert.deepEqual((await client.listAliases({ collection_name: name })).aliases, [`${name}_a`]);
  ok(await client.insert({ collection_name: `${name}_a`, data: [{ id: 1, vector: [1, 1] }] }));
  ok(await client.dropAlias({ alias: `${name}_a` }));
  ok(await client.flushSync({ collection_names: [name] }));
  const renamed = `${name}_r`;
  ok(await client.renameCollection({ collection_name: name, new_collection_name: renamed }));
  assert.equal((await client.getCollectionStatistics({ collection_name: renamed })).data.row_count, '1');
  const db = uniqueName('db');
  ok(await client.createDatabase({ db_name: db }));
  assert.ok((await client.listDatabases()).db_names.includes(db));
  await quick(name, 2, { db_name: db });
  assert.ok((await client.showCollections({ db_name: db })).data.some((c) => c.name === name));
  // a client of that database (the SDK sends it as `dbname` metadata)
  const inDb = new MilvusClient({ address, token: TOKEN, database: db });
  try {
    assert.deepEqual((await inDb.showCollections()).data.map((c) => c.name), [name]);
    ok(await inDb.insert({ collection_name: name, data: [{ id: 5, vector: [0, 1] }] }));
    assert.equal((await client.count({ collection_name: name, db_name: db })).data, 1);
    assert.equal((await client.hasCollection({ collection_name: name })).value, false, 'the default database has none of that name');
  } finally {
    await inDb.closeConnection();
  }
  ok(await client.dropCollection({ collection_name: name, db_name: db }));
  ok(await client.dropDatabase({ db_name: db }));
  ok(await client.dropCollection({ collection_name: renamed }));
  assert.equal((await client.hasCollection({ collection_name: renamed })).value, false);
});

test("errors come back as Milvus's statuses: codes and reasons", async () => {
  const missing = await client.describeCollection({ collection_name: 'no_such_collection' });
  assert.equal(missing.status.code, 100);
  assert.equal(missing.status.error_code, 'CollectionNotExists');
  assert.match(missing.status.reason, /can't find collection\[database=default\]\[collection=no_such_collection\]/);
  const name = uniqueName('errs');
  await quick(name, 2);
  const part = await client.query({ collection_name: name, filter: 'id > 0', partition_names: ['nope'] });
  // Milvus's query task: a plain error (65535) naming the partition
  assert.equal(part.status.code, 65535);
  assert.equal(part.status.reason, 'partition name nope not found');
  ok(await client.releaseCollection({ collection_name: name }));
  const unloaded = await client.search({ collection_name: name, data: [0, 0] });
  assert.equal(unloaded.status.code, 101);
  ok(await client.loadCollectionSync({ collection_name: name }));
  const bad = await client.query({ collection_name: name, filter: 'id >>> 1', limit: 1 });
  assert.equal(bad.status.code, 1100);
  assert.equal(bad.status.error_code, 'IllegalArgument');
});

test('hybridSearch over gRPC (HybridSearch): dense and BM25 sub-searches fused by RRF, as each searched alone says', async () => {
  const name = uniqueName('hyb');
  const ok = (r) => assert.equal((r.status ?? r).error_code, ErrorCode.SUCCESS, (r.status ?? r).reason);
  ok(await client.createCollection({
    collection_name: name,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      { name: 'text', data_type: DataType.VarChar, max_length: 200, enable_analyzer: true },
      { name: 'sparse', data_type: DataType.SparseFloatVector, is_function_output: true },
    ],
    functions: [{ name: 'bm25', type: 1, input_field_names: ['text'], output_field_names: ['sparse'], params: {} }],
    index_params: [{ field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }, { field_name: 'sparse', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' }],
  }));
  const texts = ['alien space horror', 'space opera', 'horror in the house', 'romance', 'space space space', 'a heist'];
  ok(await client.insert({ collection_name: name, data: texts.map((text, i) => ({ id: i + 1, v: [i, 1], text })) }));
  ok(await client.loadCollectionSync({ collection_name: name }));
  const dense = await client.search({ collection_name: name, data: [1, 1], anns_field: 'v', limit: 4 });
  const words = await client.search({ collection_name: name, data: ['space alien'], anns_field: 'sparse', limit: 4 });
  ok(dense);
  ok(words);
  const r = await client.hybridSearch({
    collection_name: name, limit: 5, output_fields: ['text'],
    data: [{ data: [1, 1], anns_field: 'v', limit: 4 }, { data: ['space alien'], anns_field: 'sparse', limit: 4 }],
  });
  ok(r);
  const fused = new Map();
  for (const list of [dense.results, words.results]) list.forEach((h, rank) => fused.set(h.id, (fused.get(h.id) ?? 0) + 1 / (60 + rank + 1)));
  const want = [...fused].sort((a, b) => b[1] - a[1]).slice(0, 5);
  assert.deepEqual(r.results.map((h) => h.id).sort(), want.map(([id]) => id).sort());
  for (const h of r.results) assert.ok(Math.abs(h.score - fused.get(h.id)) < 1e-6, `${h.id}: ${h.score} vs ${fused.get(h.id)}`);
  assert.ok(r.results.every((h) => typeof h.text === 'string'));
  ok(await client.dropCollection({ collection_name: name }));
});

test('Alter* RPCs: the SDK sets and drops stored properties over gRPC; what partita cannot honour is refused by status', async () => {
  const name = uniqueName('alter');
  await quick(name, 2);
  const props = async () => Object.fromEntries((await client.describeCollection({ collection_name: name })).properties.map(({ key, value }) => [key, value]));
  const status = (r, code, reason) => {
    assert.equal(r.code, code, r.reason);
    if (reason) assert.match(r.reason, reason);
  };
  // loaded: Milvus refuses mmap changes (104), nothing changed
  status(await client.alterCollectionProperties({ collection_name: name, properties: { 'mmap.enabled': true } }), 104, /collection already loaded/);
  ok(await client.releaseCollection({ collection_name: name }));
  ok(await client.alterCollectionProperties({ collection_name: name, properties: { 'mmap.enabled': true } }));
  assert.equal((await props())['mmap.enabled'], 'true');
  status(await client.alterCollectionProperties({ collection_name: name, properties: { 'collection.ttl.seconds': 60 } }), 1100, /collection\.ttl\.seconds/);
  ok(await client.dropCollectionProperties({ collection_name: name, properties: ['mmap.enabled'] }));
  assert.equal((await props())['mmap.enabled'], undefined);
  ok(await client.alterCollectionFieldProperties({ collection_name: name, field_name: 'vector', properties: { 'mmap.enabled': true } }));
  const field = (await client.describeCollection({ collection_name: name })).schema.fields.find((f) => f.name === 'vector');
  assert.equal(Object.fromEntries(field.type_params.map(({ key, value }) => [key, value]))['mmap.enabled'], 'true');
  const [index] = (await client.listIndexes({ collection_name: name })).indexes;
  ok(await client.alterIndexProperties({ collection_name: name, index_name: index, params: { 'mmap.enabled': true } }));
  status(await client.alterIndexProperties({ collection_name: name, index_name: index, params: { nlist: 8 } }), 1100, /nlist is not configable index param/);
  ok(await client.dropIndexProperties({ collection_name: name, index_name: index, properties: ['mmap.enabled'] }));
  status(await client.alterDatabaseProperties({ db_name: 'default', properties: { 'database.replica.number': 2 } }), 1100, /database\.replica\.number/);
  const raw = rawClient();
  try {
    const set = [{ key: 'mmap.enabled', value: 'true' }];
    for (const [method, req] of [
      ['AlterIndex', { collection_name: name, index_name: index, extra_params: set, delete_keys: ['mmap.enabled'] }],
      ['AlterCollection', { collection_name: name, properties: set, delete_keys: ['mmap.enabled'] }],
    ]) status(await raw.call(method, req), 1100, /^cannot provide both DeleteKeys and ExtraParams/);
    status(await raw.call('AlterCollection', { collection_name: name, properties: [...set, { key: 'mmap.enabled', value: 'false' }] }), 1100, /duplicated key mmap\.enabled in properties/);
    status(await raw.call('AlterCollectionField', { collection_name: name, field_name: 'vector', delete_keys: ['mmap.enabled'] }), 1100, /delete_keys of AlterCollectionField are not supported/);
  } finally {
    raw.close();
  }
  assert.equal((await props())['mmap.enabled'], undefined);
  ok(await client.dropCollection({ collection_name: name }));
});

test('BatchDescribeCollection, GetIndexStatistics, FlushAll / GetFlushAllState and RunAnalyzer over gRPC, as the SDK calls them', async () => {
  const name = uniqueName('batch');
  await quick(name, 2);
  ok(await client.insert({ collection_name: name, data: [{ id: 1, vector: [1, 0] }, { id: 2, vector: [0, 1] }] }));
  const batch = await client.batchDescribeCollections({ collection_names: [name] });
  ok(batch);
  assert.equal(batch.responses.length, 1);
  ok(batch.responses[0]);
  assert.equal(batch.responses[0].collection_name, name);
  assert.deepEqual(batch.responses[0].schema.fields.map((f) => f.name).sort(), ['id', 'vector']);
  const stats = await client.getIndexStatistics({ collection_name: name });
  ok(stats);
  assert.equal(stats.index_descriptions.length, 1);
  assert.equal(stats.index_descriptions[0].field_name, 'vector');
  assert.equal(Number(stats.index_descriptions[0].total_rows), 2);
  ok(await client.flushAll());
  const sync = await client.flushAllSync();
  ok(sync);
  assert.equal(sync.flushed, true);
  const tokens = await client.runAnalyzer({ text: ['The Quick brown fox', 'Été'], analyzer_params: { tokenizer: 'standard', filter: ['lowercase'] }, with_detail: true });
  ok(tokens);
  assert.deepEqual(tokens.results.map((r) => r.tokens.map((t) => t.token)), [['the', 'quick', 'brown', 'fox'], ['été']]);
  assert.deepEqual(tokens.results[0].tokens.map((t) => [Number(t.start_offset), Number(t.end_offset)]), [[0, 3], [4, 9], [10, 15], [16, 19]]);
  const status = (r, code, reason) => {
    assert.equal(r.status.code, code, r.status.reason);
    assert.match(r.status.reason, reason);
  };
  status(await client.runAnalyzer({ text: 'x', collection_name: name, field_name: 'vector' }), 1100, /collection_name of RunAnalyzer/);
  const raw = rawClient();
  try {
    // a collection that cannot be described: its status and name (the SDK 3.0.6's formatting of
    // the batch fails on such an entry, against Milvus too, so it is read raw here)
    const both = await raw.call('BatchDescribeCollection', { collection_name: [name, 'no_such_collection'] });
    ok(both);
    assert.deepEqual(both.responses.map((d) => [d.status.code, d.collection_name]), [[0, name], [100, 'no_such_collection']]);
    status(await raw.call('RunAnalyzer', { placeholder: [Buffer.from([0x61, 0xff, 0x62])] }), 1100, /not valid UTF-8/);
    // a search by text whose text is not UTF-8: Milvus's parameter error, not an internal one
    const PG = protoType('milvus.proto.common.PlaceholderGroup');
    const group = PG.encode(PG.fromObject({ placeholders: [{ tag: '$0', type: 'VarChar', values: [Buffer.from([0x61, 0xff])] }] })).finish();
    const s = await raw.call('Search', { collection_name: name, dsl: '', placeholder_group: Buffer.from(group), nq: 1,
      search_params: [{ key: 'anns_field', value: 'vector' }, { key: 'topk', value: '3' }, { key: 'params', value: '{}' }] });
    status(s, 1100, /a placeholder text is not valid UTF-8/);
    status(await raw.call('BatchDescribeCollection', { collection_name: [name], collectionID: ['1'] }), 1100, /collectionID of BatchDescribeCollection/);
    status(await raw.call('BatchDescribeCollection', { collection_name: [] }), 1101, /^collection names cannot be empty: missing parameter$/);
    status(await raw.call('FlushAll', { flush_targets: [{ db_name: 'default', collection_names: [name] }] }), 1100, /flush_targets of FlushAll/);
  } finally {
    raw.close();
  }
  ok(await client.dropCollection({ collection_name: name }));
});

test('a string field of a request that is not UTF-8 is refused whole (INTERNAL, as grpc-go unmarshals proto3), never stored with replacement characters', async () => {
  const name = uniqueName('utf8');
  ok(await client.createCollection({ collection_name: name, fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'title', data_type: DataType.VarChar, max_length: 16 },
    { name: 'vector', data_type: DataType.FloatVector, dim: 2 }], index_params: { field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' } }));
  const raw = rawClient();
  try {
    const Insert = protoType('milvus.proto.milvus.InsertRequest');
    const request = (title) => Buffer.from(Insert.encode(Insert.fromObject({ collection_name: name, num_rows: 1, fields_data: [
      { type: 'Int64', field_name: 'id', scalars: { long_data: { data: ['1'] } } },
      { type: 'VarChar', field_name: 'title', scalars: { string_data: { data: [title] } } },
      { type: 'FloatVector', field_name: 'vector', vectors: { dim: 2, float_vector: { data: [1, 0] } } }] })).finish());
    const good = request('aQQb');
    const at = good.indexOf('QQ');
    const bad = Buffer.from(good);
    bad[at] = 0xff; // 'a\xffQb': not UTF-8
    await assert.rejects(raw.unary('Insert', bad), (e) => e.code === grpc.status.INTERNAL); // grpc-js: 'Error deserializing request'
    assert.equal((await client.count({ collection_name: name })).data, 0, 'nothing was written');
    // a non-ASCII title that is UTF-8 reads back exactly
    const accented = request('aÉb');
    const r = protoType('milvus.proto.milvus.MutationResult').decode(await raw.unary('Insert', accented));
    assert.equal(Number(r.insert_cnt), 1, JSON.stringify(r));
    const q = await client.query({ collection_name: name, filter: 'id == 1', output_fields: ['title'] });
    assert.deepEqual(q.data.map((row) => row.title), ['aÉb']);
  } finally {
    raw.close();
  }
  ok(await client.dropCollection({ collection_name: name }));
});

test('a key given twice in a key-value list is refused by name (no silent first-wins or last-wins), and changes nothing', async () => {
  const name = uniqueName('dupkeys');
  await quick(name, 2);
  ok(await client.insert({ collection_name: name, data: [{ id: 1, vector: [1, 1] }] }));
  const raw = rawClient();
  try {
    const twice = (key, a, b) => [{ key, value: a }, { key, value: b }];
    const status = (r, code, reason) => {
      const st = r.status ?? r;
      assert.equal(st.code, code, st.reason);
      assert.match(st.reason, reason);
    };
    const PG = protoType('milvus.proto.common.PlaceholderGroup');
    const group = PG.encode(PG.fromObject({ placeholders: [{ tag: '$0', type: 'FloatVector', values: [Buffer.from(new Float32Array([1, 1]).buffer)] }] })).finish();
    const search = (params) => raw.call('Search', {
      collection_name: name, dsl: '', nq: 1, placeholder_group: Buffer.from(group),
      search_params: [{ key: 'anns_field', value: 'vector' }, { key: 'metric_type', value: 'COSINE' }, ...params],
    });
    const found = await search([{ key: 'topk', value: '1' }]);
    assert.equal(found.status.code, 0, found.status.reason);
    for (const [r, reason] of [
      [(await search(twice('topk', '1', '5'))).status, /duplicated key topk in search_params/],
      [(await raw.call('Query', { collection_name: name, expr: 'id > 0', output_fields: ['id'], query_params: twice('limit', '1', '2') })).status, /duplicated key limit in query_params/],
      [await raw.call('CreateIndex', { collection_name: name, field_name: 'vector', index_name: 'ix2', extra_params: [{ key: 'index_type', value: 'FLAT' }, ...twice('metric_type', 'L2', 'IP')] }), /duplicated key metric_type in index params/],
      [await raw.call('CreateDatabase', { db_name: 'dup_db', properties: twice('database.max.collections', '5', '6') }), /duplicated key database\.max\.collections in properties/],
    ]) {
      assert.equal(r.code, 1100, r.reason);
      assert.match(r.reason, reason);
    }
    // a key named __proto__ is a key like any other: refused by the face as an unknown property, by name
    status(await raw.call('AlterCollection', { collection_name: name, properties: [{ key: '__proto__', value: 'x' }] }), 1100, /__proto__/);
    // ids the embedded store does not use are refused by name, never answered Success for any id
    status(await raw.call('AlterCollection', { collection_name: name, collectionID: '12345', properties: [{ key: 'mmap.enabled', value: 'true' }] }), 1100, /collectionID/);
    status(await raw.call('AlterDatabase', { db_name: 'default', db_id: '7', properties: [{ key: 'mmap.enabled', value: 'true' }] }), 1100, /db_id/);
    const noDb = await raw.call('GetFlushAllState', { db_name: 'no_such_db' });
    assert.equal(noDb.status.code, 800, noDb.status.reason);
    status(await raw.call('GetFlushAllState', { flush_targets: [{ db_name: 'default', collection_names: [name] }] }), 1100, /flush_targets of GetFlushAllState/);
    assert.equal((await client.listDatabases()).db_names.includes('dup_db'), false);
    assert.deepEqual((await client.listIndexes({ collection_name: name })).indexes.includes('ix2'), false);
  } finally {
    raw.close();
  }
  ok(await client.dropCollection({ collection_name: name }));
});

test('an RPC partita does not serve answers UNIMPLEMENTED, never a silent success', async () => {
  const raw = rawClient();
  try {
    await assert.rejects(raw.call('CreateCredential', { username: 'u', password: 'cA==' }), (e) => e.code === grpc.status.UNIMPLEMENTED);
    await assert.rejects(raw.call('GetReplicas', { collection_name: 'x' }), (e) => e.code === grpc.status.UNIMPLEMENTED);
  } finally {
    raw.close();
  }
});

test('requests as other clients send them (pymilvus): no output fields gives the primary key alone', async () => {
  const name = uniqueName('raw');
  await quick(name, 2);
  ok(await client.insert({ collection_name: name, data: [{ id: 7, vector: [1, 0], tag: 'a' }] }));
  const raw = rawClient();
  try {
    const q = await raw.call('Query', { collection_name: name, expr: 'id > 0', output_fields: [] });
    ok(q);
    assert.deepEqual(q.fields_data.map((f) => [f.field_name, f.type, f.scalars.long_data.data]), [['id', 'Int64', ['7']]]);
    const group = { placeholders: [{ tag: '$0', type: 'FloatVector', values: [Buffer.from(new Float32Array([1, 0]).buffer)] }] };
    const PG = protoType('milvus.proto.common.PlaceholderGroup');
    const s = await raw.call('Search', {
      collection_name: name, dsl: 'id == 7', placeholder_group: Buffer.from(PG.encode(PG.fromObject(group)).finish()), nq: 1,
      search_params: [{ key: 'anns_field', value: 'vector' }, { key: 'topk', value: '3' }, { key: 'params', value: '{}' }],
    });
    ok(s);
    assert.deepEqual(s.results.ids.int_id.data, ['7']);
    assert.deepEqual(s.results.topks, ['1']);
    assert.deepEqual(s.results.fields_data.map((f) => f.field_name), ['id']);
  } finally {
    raw.close();
  }
});

test('the token: a call without it, or with another, is UNAUTHENTICATED', async () => {
  for (const token of [null, 'root:wrong']) {
    const raw = rawClient(token);
    try {
      await assert.rejects(raw.call('ShowCollections', {}), (e) => e.code === grpc.status.UNAUTHENTICATED);
    } finally {
      raw.close();
    }
  }
});

test('hostile messages: wrong field data lengths, unknown enum values, bad placeholders, oversized messages get a status and change nothing', async () => {
  const name = uniqueName('hostile');
  await quick(name, 2);
  ok(await client.insert({ collection_name: name, data: [{ id: 1, vector: [1, 1] }] }));
  const raw = rawClient();
  const count = async () => (await client.count({ collection_name: name })).data;
  try {
    const column = (n) => ({ type: 'Int64', field_name: 'id', scalars: { long_data: { data: Array.from({ length: n }, (_, i) => String(i + 10)) } } });
    const vectors = (floats) => ({ type: 'FloatVector', field_name: 'vector', vectors: { dim: 2, float_vector: { data: floats } } });
    const cases = [
      [{ fields_data: [column(3), vectors([0, 0, 1, 1])], num_rows: 2 }, /the num_rows \(3\) of field \(id\) is not equal to passed num_rows \(2\)/],
      [{ fields_data: [column(2), vectors([0, 0, 1])], num_rows: 2 }, /3 floats are not whole vectors of dim 2/],
      [{ fields_data: [column(2), vectors([0, 0, 1, 1, 2, 2])], num_rows: 2 }, /num_rows \(3\) of field \(vector\)/],
      [{ fields_data: [column(2)], num_rows: 0 }, /num_rows should be greater than 0/],
      [{ fields_data: [{ ...column(2), type: 77 }, vectors([0, 0, 1, 1])], num_rows: 2 }, /./],
      [{ fields_data: [column(2), { field_name: 'vector', type: 'FloatVector' }], num_rows: 2 }, /no scalars or vectors/],
    ];
    for (const [req, reason] of cases) {
      const r = await raw.call('Insert', { collection_name: name, ...req });
      assert.notEqual(r.status.code, 0, JSON.stringify(req));
      assert.match(r.status.reason, reason);
      assert.equal(await count(), 1, 'nothing was written');
    }
    // a num_rows far beyond the data sent: refused from the columns, nothing made for the rows
    const before = process.memoryUsage().heapUsed;
    const huge = await raw.call('Insert', { collection_name: name, fields_data: [column(2), vectors([0, 0, 1, 1])], num_rows: 5_000_000 });
    assert.match(huge.status.reason, /the num_rows \(2\) of field \(id\) is not equal to passed num_rows \(5000000\)/);
    assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024, 'no row objects were made for the rows claimed');
    const badPlaceholder = await raw.call('Search', { collection_name: name, placeholder_group: Buffer.from([0xff, 0xff, 0xff]), search_params: [{ key: 'topk', value: '1' }], nq: 1 });
    assert.equal(badPlaceholder.status.code, 1100);
    const badSchema = await raw.call('CreateCollection', { collection_name: uniqueName('bad'), schema: Buffer.from([0x0a, 0xff]) });
    assert.equal(badSchema.code, 1100);
    // a schema whose field has a DataType Milvus does not name
    const Schema = protoType('milvus.proto.schema.CollectionSchema');
    const unknownType = uniqueName('bad');
    const schema = Schema.encode(Schema.fromObject({ name: unknownType, fields: [{ name: 'id', data_type: 5, is_primary_key: true }, { name: 'v', data_type: 999 }] })).finish();
    const refused = await raw.call('CreateCollection', { collection_name: unknownType, schema: Buffer.from(schema) });
    assert.equal(refused.code, 1100, refused.reason);
    assert.equal((await client.hasCollection({ collection_name: unknownType })).value, false);
    await assert.rejects(raw.call('Insert', { collection_name: name, num_rows: 1, fields_data: [{ field_name: 'x', type: 'VarChar', scalars: { string_data: { data: ['x'.repeat(5 * 1024 * 1024)] } } }] }),
      (e) => e.code === grpc.status.RESOURCE_EXHAUSTED);
    // arrays nested 30,000 deep (a ScalarField may hold arrays of ScalarFields): the message
    // cannot be decoded, grpc-js answers INTERNAL, and the server goes on
    const deep = nestedArrays(30000);
    const Insert = protoType('milvus.proto.milvus.InsertRequest'), FD = protoType('milvus.proto.schema.FieldData');
    const fd = Buffer.concat([FD.encode(FD.fromObject({ field_name: 'a', type: 'Array' })).finish(), lengthDelimited(FD.fields.scalars.id, deep)]);
    const body = Buffer.concat([Insert.encode(Insert.fromObject({ collection_name: name, num_rows: 1 })).finish(), lengthDelimited(Insert.fields.fields_data.id, fd)]);
    await assert.rejects(raw.unary('Insert', body), (e) => e.code === grpc.status.INTERNAL);
    assert.equal(await count(), 1);
  } finally {
    raw.close();
  }
});

test("LangChain.js's Milvus vector store, unmodified, against the gRPC server", async () => {
  const { Milvus } = await import('@langchain/community/vectorstores/milvus');
  const { Embeddings } = await import('@langchain/core/embeddings');
  // deterministic embeddings: a text's counts of a, b, c, d (plus one, so none is all zeros)
  class CountEmbeddings extends Embeddings {
    constructor() {
      super({});
    }
    embed(text) {
      return ['a', 'b', 'c', 'd'].map((ch) => 1 + text.split(ch).length - 1);
    }
    async embedDocuments(texts) {
      return texts.map((t) => this.embed(t));
    }
    async embedQuery(text) {
      return this.embed(text);
    }
  }
  const collectionName = uniqueName('lc');
  const store = await Milvus.fromTexts(['aaaa', 'bbbb', 'aabb'], [{ kind: 'x' }, { kind: 'y' }, { kind: 'x' }], new CountEmbeddings(),
    { collectionName, clientConfig: { address, token: TOKEN } });
  try {
    const hits = await store.similaritySearchWithScore('aaaa', 2);
    assert.deepEqual(hits.map(([doc]) => doc.pageContent), ['aaaa', 'aabb']);
    assert.equal(hits[0][1], 0, 'L2: the same text is at distance 0');
    const filtered = await store.similaritySearch('aaaa', 3, 'kind == "y"');
    assert.deepEqual(filtered.map((d) => [d.pageContent, d.metadata.kind]), [['bbbb', 'y']]);
    await store.delete({ filter: 'kind == "x"' });
    assert.deepEqual((await store.similaritySearch('aaaa', 3)).map((d) => d.pageContent), ['bbbb']);
  } finally {
    await store.client.dropCollection({ collection_name: collectionName });
    await store.client.closeConnection();
  }
});

test("LlamaIndex.TS's Milvus vector store, unmodified (its own SDK client), against the gRPC server", async () => {
  const { MilvusVectorStore } = await import('@llamaindex/milvus');
  const { TextNode } = await import('@llamaindex/core/schema');
  const { LetterEmbedding, nearest, negCosine } = await import('./support/integrations.mjs');
  const collection = uniqueName('li');
  const embedModel = new LetterEmbedding();
  const [username, password] = TOKEN.split(':');
  const store = new MilvusVectorStore({ params: { configOrAddress: address, username, password }, collection, embedModel });
  try {
    const sentences = ['the cat sat on the mat', 'dogs run fast', 'quantum physics'];
    const nodes = await Promise.all(sentences.map(async (text, i) => new TextNode({
      id_: `node-${i}`, text, metadata: { kind: i < 2 ? 'animal' : 'science', n: i }, embedding: await embedModel.getTextEmbedding(text),
    })));
    assert.deepEqual(await store.add(nodes), ['node-0', 'node-1', 'node-2']);
    const query = async (text, filters) => store.query({ queryEmbedding: await embedModel.getTextEmbedding(text), similarityTopK: 3, mode: 'default', filters });
    const all = await query('the cat sat on the mat');
    assert.deepEqual(all.ids, nearest('the cat sat on the mat', sentences, negCosine, 1536).map((t) => `node-${sentences.indexOf(t)}`));
    assert.ok(Math.abs(all.similarities[0] - 1) < 1e-6, 'COSINE of a text with itself');
    assert.deepEqual(all.nodes.map((n) => n.metadata), all.ids.map((id) => ({ kind: id === 'node-2' ? 'science' : 'animal', n: Number(id.slice(5)) })));
    const science = await query('cat', { filters: [{ key: 'kind', value: 'science', operator: '==' }] });
    assert.deepEqual(science.ids, ['node-2']);
    await store.delete('node-1');
    assert.deepEqual((await query('dogs')).ids.sort(), ['node-0', 'node-2']);
  } finally {
    await store.client().dropCollection({ collection_name: collection });
    await store.client().closeConnection();
  }
});
