// Indexes on every face (src/vindex.c builds and describes them; each face maps its API onto it):
// the ORM's create_index / indexes / index() / has_index / drop_index and utility's progress,
// MilvusClient's createIndex / describeIndex / listIndexes / dropIndex, REST's indexes/*. Recall
// against the exact search of a twin collection on clustered data (fixed seed), the index's
// search parameters and Milvus's messages, change after the build, memory accounting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, CollectionSchema, FieldSchema, DataType, memoryUsage, utility } from 'partita';
import { MilvusClient, DataType as SdkType } from 'partita/milvus-client';
import { createHandler } from 'partita/server';
import { uniqueName, rejects } from './support/helpers.mjs';

await init();

const DIM = 16;
const N = 2000;

/** A deterministic Gaussian mixture: 30 centres, rows near centre (i * 7) % 30. */
function data(n = N, seed = 7) {
  let s = seed >>> 0;
  const unif = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(unif())) * Math.cos(2 * Math.PI * unif());
  const centres = Array.from({ length: 30 }, () => Array.from({ length: DIM }, () => gauss() * 4));
  const near = (c) => centres[c % 30].map((x) => x + gauss());
  return { rows: Array.from({ length: n }, (_, i) => ({ id: i, tag: i % 100, v: near(i * 7) })), queries: Array.from({ length: 20 }, (_, i) => near(i * 3 + 1)) };
}

function twins() {
  const schema = () => new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }), new FieldSchema('tag', DataType.INT64),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: DIM }),
  ]);
  return [new Collection(uniqueName('ix'), schema()), new Collection(uniqueName('exact'), schema())];
}

const keys = (hits) => hits.map((q) => q.map((h) => Number(h.id)));
function recall(got, want) {
  let hit = 0, all = 0;
  want.forEach((w, q) => w.forEach((k) => { all++; if (got[q].includes(k)) hit++; }));
  return hit / all;
}

/** 300 changes to both twins, keys in [0, span): upserts (new vectors, seeded from `seed`),
 * deletes, and merge-mode upserts of live rows (the tag changes, the vector stays). */
async function churn(a, b, rows, span, seed) {
  const live = new Set(rows.map((r) => r.id));
  for (let i = 0; i < 300; i++) {
    const k = (i * 37) % span;
    const row = { ...data(1, i + seed).rows[0], id: k, tag: 100 + i };
    if (i % 3 === 0) {
      await Promise.all([a.upsert(row), b.upsert(row)]);
      live.add(k);
    } else if (i % 3 === 1 || !live.has(k)) {
      await Promise.all([a.delete(`id in [${k}]`), b.delete(`id in [${k}]`)]);
      live.delete(k);
    } else {
      await Promise.all([a.upsert({ id: k, tag: 500 + i }, { partial_update: true }), b.upsert({ id: k, tag: 500 + i }, { partial_update: true })]);
    }
  }
}

test('the search walks the index: a walk too narrow to find every neighbour misses some (a full scan would not)', async () => {
  const [a, b] = twins();
  const { rows, queries } = data();
  await a.insert(rows);
  await b.insert(rows);
  const exact = keys(await b.search(queries, 'v', { metric_type: 'L2' }, 10));
  a.create_index('v', { index_type: 'HNSW', metric_type: 'L2', params: { M: 4, efConstruction: 8 } });
  const hnsw = recall(keys(await a.search(queries, 'v', { metric_type: 'L2', params: { ef: 10 } }, 10)), exact);
  assert.ok(hnsw < 1 && hnsw > 0.3, `HNSW M 4, ef 10: recall ${hnsw}`);
  a.drop_index();
  a.create_index('v', { index_type: 'IVF_FLAT', metric_type: 'L2', params: { nlist: 64 } });
  const ivf = recall(keys(await a.search(queries, 'v', { metric_type: 'L2', params: { nprobe: 1 } }, 10)), exact);
  assert.ok(ivf < 1 && ivf > 0.1, `IVF_FLAT nlist 64, nprobe 1: recall ${ivf}`);
  // a filter passing fewer than 7 % of the rows is searched exactly, whatever the index
  const few = 'tag < 5';
  const exactFew = keys(await b.search(queries, 'v', { metric_type: 'L2' }, 10, few));
  assert.deepEqual(keys(await a.search(queries, 'v', { metric_type: 'L2', params: { nprobe: 1 } }, 10, few)), exactFew);
  a.drop_index();
  assert.deepEqual(keys(await a.search(queries, 'v', { metric_type: 'L2' }, 10)), exact);
  a.drop();
  b.drop();
});

test('a search catches up only the index of the field it searches (rows written since join that index then)', async () => {
  const c = new Collection(uniqueName('two'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: DIM }), new FieldSchema('w', DataType.FLOAT_VECTOR, { dim: DIM }),
  ]));
  const { rows, queries } = data();
  const two = (rs, at = 0) => rs.map((r, i) => ({ id: at + i, v: r.v, w: r.v }));
  await c.insert(two(rows.slice(0, 1000)));
  for (const f of ['v', 'w']) c.create_index(f, { index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 32 } });
  // each field searched once, so that the walks' scratch is there before what is measured
  for (const f of ['v', 'w']) await c.search(queries, f, { metric_type: 'L2', params: { ef: 16 } }, 10);
  await c.insert(two(rows.slice(1000), 1000));
  const m0 = memoryUsage().used;
  await c.search(queries, 'v', { metric_type: 'L2', params: { ef: 16 } }, 10);
  const m1 = memoryUsage().used;
  await c.search(queries, 'w', { metric_type: 'L2', params: { ef: 16 } }, 10);
  const m2 = memoryUsage().used;
  assert.ok(m1 > m0, `v's index grew at v's search (${m0} -> ${m1})`);
  assert.ok(m2 > m1, `w's index grew at w's search, not before (${m1} -> ${m2})`);
  c.drop();
});

test('ORM: create_index builds an index the search walks; recall against exact; ef checked; memory counted', async () => {
  const [a, b] = twins();
  const { rows, queries } = data();
  await a.insert(rows);
  await b.insert(rows);
  const before = memoryUsage().used;
  const ix = a.create_index('v', { index_type: 'HNSW', metric_type: 'L2', params: { M: 16, efConstruction: 100 } });
  assert.ok(memoryUsage().used > before + N * 16, 'the index is counted in memoryUsage');
  assert.deepEqual(ix.params, { index_type: 'HNSW', metric_type: 'L2', params: { M: 16, efConstruction: 100 } });
  assert.equal(ix.field_name, 'v');
  assert.equal(ix.index_name, 'v');
  assert.deepEqual(a.indexes.map((i) => i.index_name), ['v']);
  assert.equal(a.has_index(), true);
  const exact = keys(await b.search(queries, 'v', { metric_type: 'L2' }, 10));
  // ef covering every row: the exact answer; the default-ish ef: recall above a floor
  assert.deepEqual(keys(await a.search(queries, 'v', { metric_type: 'L2', params: { ef: N } }, 10)), exact);
  const r = recall(keys(await a.search(queries, 'v', { metric_type: 'L2', params: { ef: 32 } }, 10)), exact);
  assert.ok(r >= 0.9, `recall ${r}`);
  // the index's metric is the search's; another is refused; ef below k is refused
  assert.deepEqual(keys(await a.search(queries, 'v', { params: { ef: N } }, 10)), exact);
  await rejects(() => a.search(queries, 'v', { metric_type: 'IP' }, 10), { code: 1100, message: 'metric type not match: invalid parameter[expected=L2][actual=IP]' });
  await rejects(() => a.search(queries, 'v', { metric_type: 'L2', params: { ef: 5 } }, 10), { code: 1100, message: 'ef(5) should be larger than k(10): invalid parameter' });
  // Milvus's bounds, one rule (index.c): ef in [1, 2^31 - 1] first, then at least k; no cap at 65536
  await rejects(() => a.search(queries, 'v', { metric_type: 'L2', params: { ef: -1 } }, 10), { code: 1100, message: "Out of range in json: param 'ef' (-1) should be in range [1, 2147483647]: invalid parameter" });
  await rejects(() => a.search(queries, 'v', { metric_type: 'L2', params: { ef: 2 ** 31 } }, 10), { code: 1100, message: "Out of range in json: param 'ef' (2147483648) should be in range [1, 2147483647]: invalid parameter" });
  assert.deepEqual(keys(await a.search(queries, 'v', { metric_type: 'L2', params: { ef: 70000 } }, 10)), exact);
  // params of plain numbers are written without a replacer (collection.js): the same request as
  // through it, a getter's ef read once, a key partita does not take refused by name either way
  let reads = 0;
  const narrow = keys(await a.search(queries, 'v', { metric_type: 'L2', params: { ef: 12 } }, 10));
  assert.deepEqual(keys(await a.search(queries, 'v', { metric_type: 'L2', params: { get ef() { reads++; return 12; } } }, 10)), narrow);
  assert.equal(reads, 1);
  assert.deepEqual(keys(await a.search(queries, 'v', { metric_type: 'L2', params: Object.defineProperty({ ef: 12 }, 'hidden', { value: 'x' }) }, 10)), narrow);
  for (const params of [{ ef: 12, nlist: 5 }, { ef: 12, nlist: 'x' }])
    await rejects(() => a.search(queries, 'v', { metric_type: 'L2', params }, 10), { message: /search param.params: 'nlist' is not supported/ });
  await rejects(() => a.search(queries, 'v', { metric_type: 'L2', params: { refine_k: 2 } }, 10), { code: 1100, message: "search param 'refine_k' is for HNSW_SQ and IVF_RABITQ indexes; field v has an index of type HNSW: invalid parameter" });
  await rejects(() => a.search(queries, 'v', { metric_type: 'L2', params: { nprobe: 5 } }, 10), { code: 1100, message: "search param 'nprobe' is for IVF indexes; field v has an index of type HNSW: invalid parameter" });
  // utility's progress
  assert.deepEqual(utility.index_building_progress(a.name), { total_rows: N, indexed_rows: N, pending_index_rows: 0 });
  assert.equal(await utility.wait_for_index_building_complete(a.name), true);
  // dropping gives the memory back and the search is exact again (ef has nothing to act on)
  const withIndex = memoryUsage().used;
  a.drop_index();
  assert.ok(memoryUsage().used < withIndex - N * 16);
  assert.equal(a.has_index(), false);
  await rejects(() => a.search(queries, 'v', { metric_type: 'L2', params: { ef: 64 } }, 10), { code: 1100, message: "search param 'ef' is for HNSW indexes; field v has no index: invalid parameter" });
  await rejects(() => Promise.resolve().then(() => a.index()), { code: 700, message: `index not found[collection=${a.name}]` });
  a.drop();
  b.drop();
});

test('ORM: index types, parameters and messages as Milvus; types partita does not build are refused by name', async () => {
  const [a] = twins();
  const bad = [
    [{ index_type: 'DISKANN' }, 'index type DISKANN is not built by partita'],
    [{ index_type: 'SCANN' }, 'index type SCANN is not built by partita'],
    [{ index_type: 'GPU_CAGRA' }, 'index type GPU_CAGRA is not built by partita'],
    [{ index_type: 'BIN_IVF_FLAT' }, "data type FloatVector can't build with this index BIN_IVF_FLAT: invalid parameter"],
    [{ index_type: 'BIN_FLAT' }, "data type FloatVector can't build with this index BIN_FLAT: invalid parameter"],
    [{ index_type: 'WHAT' }, 'invalid index type: WHAT: invalid parameter'],
    [{ index_type: 'HNSW', params: { M: 1 } }, "Out of range in json: param 'M' (1) should be in range [2, 2048]: invalid parameter"],
    [{ index_type: 'HNSW', params: { efConstruction: -1 } }, "param 'efConstruction' (-1) should be in range [1, 2147483647]"],
    [{ index_type: 'IVF_SQ8', params: { nlist: 0 } }, "param 'nlist' (0) should be in range [1, 65536]"],
    [{ index_type: 'HNSW', params: { M: 'x' } }, `Type conflict in json: param 'M' ("x") should be integer`],
    [{ index_type: 'IVF_FLAT', params: { M: 8 } }, "param 'M' is not a build parameter of IVF_FLAT"],
    [{ index_type: 'HNSW', metric_type: 'JACCARD' }, 'metric type JACCARD not found or not supported, supported: [L2 IP COSINE]'],
  ];
  for (const [ip, message] of bad) {
    const e = await rejects(() => Promise.resolve().then(() => a.create_index('v', ip)), { code: 1100 });
    assert.ok(e.message.includes(message), `${JSON.stringify(ip)}: ${e.message}`);
    assert.equal(a.has_index(), false);
  }
  await rejects(() => Promise.resolve().then(() => a.create_index('tag', { index_type: 'INVERTED' })), { code: 1100, message: 'partita builds no scalar index (INVERTED on field tag): its filters scan the rows: invalid parameter' });
  // AUTOINDEX is HNSW (M 18, efConstruction 240) with COSINE by default; the same again is a no-op
  const ix = a.create_index('v');
  assert.deepEqual(ix.params, { index_type: 'AUTOINDEX', metric_type: 'COSINE', params: {} });
  a.create_index('v');
  await rejects(() => Promise.resolve().then(() => a.create_index('v', { index_type: 'IVF_FLAT' })), { code: 65535, message: 'CreateIndex failed: at most one distinct index is allowed per field' });
  a.drop();
});

test('ORM: upserts, merge-mode upserts and deletes after the build: no dead row returned; IVF waits for nlist rows', async () => {
  const [a, b] = twins();
  const { rows, queries } = data(600, 11);
  await a.insert(rows.slice(0, 20));
  await b.insert(rows.slice(0, 20));
  a.create_index('v', { index_type: 'IVF_FLAT', metric_type: 'L2', params: { nlist: 32 } });
  // 20 rows: too few to train 32 lists: searched exactly, reported pending
  assert.equal(utility.index_building_progress(a.name).pending_index_rows, 20);
  await a.insert(rows.slice(20));
  await b.insert(rows.slice(20));
  await churn(a, b, rows, 700, 0);
  const full = await a.search(queries, 'v', { metric_type: 'L2', params: { nprobe: 32 } }, 10, null, { output_fields: ['tag'] });
  const exact = await b.search(queries, 'v', { metric_type: 'L2' }, 10, null, { output_fields: ['tag'] });
  assert.deepEqual(full, exact);
  assert.equal(utility.index_building_progress(a.name).pending_index_rows, 0);
  a.drop();
  b.drop();
});

test('ORM: save() and Collection.load keep the index: the reloaded one is searched through it, not rebuilt', async () => {
  const [a, b] = twins();
  const { rows, queries } = data();
  await a.insert(rows);
  await b.insert(rows);
  a.create_index('v', { index_type: 'HNSW', metric_type: 'L2', params: { M: 16, efConstruction: 100 } });
  await a.delete('id < 100');
  await b.delete('id < 100');
  const withIndex = a.save(), without = b.save();
  assert.ok(withIndex.byteLength > without.byteLength + N * 16, 'the snapshot holds the index');
  const m0 = memoryUsage().used;
  const r = Collection.load(withIndex, { name: uniqueName('reloaded') });
  const m1 = memoryUsage().used;
  const rb = Collection.load(without, { name: uniqueName('reloaded') });
  const m2 = memoryUsage().used;
  assert.ok(m1 - m0 > (m2 - m1) + N * 16, 'the index was loaded with the rows (before any search could build it)');
  assert.deepEqual(r.index().params, a.index().params);
  const exact = keys(await rb.search(queries, 'v', { metric_type: 'L2' }, 10));
  assert.deepEqual(keys(await r.search(queries, 'v', { params: { ef: N } }, 10)), exact);
  assert.ok(recall(keys(await r.search(queries, 'v', { params: { ef: 32 } }, 10)), exact) >= 0.9);
  for (const c of [a, b, r, rb]) c.drop();
});

test('the memory ceiling covers indexes: a create_index past it is a quota error and leaves no index', async () => {
  const [a] = twins();
  await a.insert(data(500).rows);
  await init({ memory_limit: memoryUsage().used + 4096 });
  try {
    await rejects(() => Promise.resolve().then(() => a.create_index('v', { index_type: 'HNSW', metric_type: 'L2' })), { code: 9, message: 'memory quota exceeded' });
    assert.equal(a.has_index(), false);
  } finally {
    await init({ memory_limit: 0 });
  }
  a.create_index('v', { index_type: 'HNSW', metric_type: 'L2' });
  assert.equal(a.has_index(), true);
  a.drop();
});

test('MilvusClient: createIndex builds; describeIndex reports rows; search takes ef / nprobe as Milvus', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const name = uniqueName('mcix');
  await client.createCollection({
    collection_name: name,
    fields: [{ name: 'id', data_type: SdkType.Int64, is_primary_key: true }, { name: 'v', data_type: SdkType.FloatVector, dim: DIM }],
    index_params: { field_name: 'v', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 64 } },
  });
  const { rows, queries } = data(500, 3);
  await client.insert({ collection_name: name, data: rows.map(({ id, v }) => ({ id, v })) });
  const d = await client.describeIndex({ collection_name: name, field_name: 'v' });
  assert.equal(d.status.error_code, 'Success');
  const [desc] = d.index_descriptions;
  assert.deepEqual([desc.index_name, desc.field_name, desc.state, desc.indexed_rows, desc.total_rows, desc.pending_index_rows], ['v', 'v', 'Finished', '500', '500', '0']);
  assert.deepEqual(desc.params, [{ key: 'index_type', value: 'HNSW' }, { key: 'metric_type', value: 'L2' }, { key: 'params', value: '{"M":8,"efConstruction":64}' }]);
  assert.deepEqual((await client.listIndexes({ collection_name: name })).indexes, ['v']);
  assert.deepEqual(await client.getIndexBuildProgress({ collection_name: name, field_name: 'v' }).then((r) => [r.indexed_rows, r.total_rows]), [500, 500]);
  const s = await client.search({ collection_name: name, data: queries[0], limit: 5, params: { ef: 500 } });
  assert.equal(s.status.error_code, 'Success');
  assert.equal(s.results.length, 5);
  const bad = await client.search({ collection_name: name, data: queries[0], limit: 5, params: { nprobe: 8 } });
  assert.equal(bad.status.code, 1100);
  assert.match(bad.status.reason, /search param 'nprobe' is for IVF indexes/);
  const badEf = await client.search({ collection_name: name, data: queries[0], limit: 10, params: { ef: 3 } });
  assert.match(badEf.status.reason, /ef\(3\) should be larger than k\(10\)/);
  const refused = await client.createIndex({ collection_name: name, field_name: 'v', index_type: 'DISKANN', metric_type: 'L2' });
  assert.equal(refused.code, 1100);
  assert.match(refused.reason, /index type DISKANN is not built by partita/);
  // Milvus drops an index of a released collection only
  assert.match((await client.dropIndex({ collection_name: name, field_name: 'v' })).reason, /release it first/);
  await client.releaseCollection({ collection_name: name });
  assert.equal((await client.dropIndex({ collection_name: name, field_name: 'v' })).error_code, 'Success');
  assert.equal((await client.describeIndex({ collection_name: name })).status.code, 700);
  await client.dropCollection({ collection_name: name });
});

test('REST: indexes/create, describe, list, drop; collections/create builds its indexParams; searchParams.params.ef', async () => {
  const handler = createHandler();
  const post = async (path, body) => (await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }))).json();
  const name = uniqueName('restix');
  const created = await post('collections/create', {
    collectionName: name,
    schema: { fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: DIM } }] },
    indexParams: [{ fieldName: 'v', indexName: 'vi', metricType: 'L2', params: { index_type: 'HNSW', M: 8 } }],
  });
  assert.equal(created.code, 0, JSON.stringify(created));
  const { rows, queries } = data(300, 5);
  assert.equal((await post('entities/insert', { collectionName: name, data: rows.map(({ id, v }) => ({ id, v })) })).code, 0);
  const d = await post('indexes/describe', { collectionName: name, indexName: 'vi' });
  assert.deepEqual(d.data, [{ indexName: 'vi', fieldName: 'v', indexType: 'HNSW', metricType: 'L2', indexState: 'Finished', indexedRows: 300, totalRows: 300, pendingRows: 0, failReason: '', params: { M: 8 } }]);
  assert.deepEqual((await post('indexes/list', { collectionName: name })).data, ['vi']);
  const s = await post('entities/search', { collectionName: name, data: [queries[0]], limit: 3, searchParams: { params: { ef: 100 } } });
  assert.equal(s.code, 0, JSON.stringify(s));
  assert.equal(s.data.length, 3);
  const bad = await post('entities/search', { collectionName: name, data: [queries[0]], limit: 3, searchParams: { params: { nprobe: 4 } } });
  assert.equal(bad.code, 1100);
  const refused = await post('indexes/create', { collectionName: name, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'SCANN' }] });
  assert.equal(refused.code, 1100);
  assert.match(refused.message, /index type SCANN is not built by partita/);
  assert.equal((await post('indexes/drop', { collectionName: name, indexName: 'vi' })).code, 65535); // loaded
  await post('collections/release', { collectionName: name });
  assert.equal((await post('indexes/drop', { collectionName: name, indexName: 'vi' })).code, 0);
  assert.equal((await post('indexes/describe', { collectionName: name, indexName: 'vi' })).code, 700);
  // a create whose index the core refuses leaves no collection
  const name2 = uniqueName('restix');
  const r2 = await post('collections/create', {
    collectionName: name2,
    schema: { fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 4 } }] },
    indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'DISKANN' }],
  });
  assert.equal(r2.code, 1100);
  assert.equal((await post('collections/has', { collectionName: name2 })).data.has, false);
  await post('collections/drop', { collectionName: name });
});

/** Binary rows of BDIM bits: the signs of data()'s mixture (clustered as its rows are), each row
 * BDIM / DIM of its points near centres its own centre picks. */
const BDIM = 64;
function binaryData(n = N, seed = 7) {
  const { rows, queries } = data(n * (BDIM / DIM), seed);
  const bits = (vs) => {
    const out = new Uint8Array(BDIM / 8);
    vs.flat().forEach((x, i) => { if (x > 0) out[i >> 3] |= 1 << (i & 7); });
    return out;
  };
  const pick = (i) => Array.from({ length: BDIM / DIM }, (_, k) => rows[(i * 5 + k * 11) % rows.length].v);
  return {
    rows: Array.from({ length: n }, (_, i) => ({ id: i, tag: i % 100, b: bits(pick(i)) })),
    queries: queries.map((q, i) => bits([q, ...pick(i * 3 + 1).slice(1)])),
  };
}
function binaryTwins() {
  const schema = () => new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }), new FieldSchema('tag', DataType.INT64),
    new FieldSchema('b', DataType.BINARY_VECTOR, { dim: BDIM }),
  ]);
  return [new Collection(uniqueName('bix'), schema()), new Collection(uniqueName('bexact'), schema())];
}

test('ORM: BIN_IVF_FLAT on a binary field (HAMMING, JACCARD): walked, exact when nprobe covers nlist, changes, save / load, messages', async () => {
  const [a, b] = binaryTwins();
  const { rows, queries } = binaryData();
  await a.insert(rows);
  await b.insert(rows);
  for (const metric of ['HAMMING', 'JACCARD']) {
    a.create_index('b', { index_type: 'BIN_IVF_FLAT', metric_type: metric, params: { nlist: 32 } });
    const exact = await b.search(queries, 'b', { metric_type: metric }, 10);
    assert.deepEqual(await a.search(queries, 'b', { params: { nprobe: 32 } }, 10), exact);
    const one = recall(keys(await a.search(queries, 'b', { params: { nprobe: 1 } }, 10)), keys(exact));
    assert.ok(one < 1 && one > 0.3, `nprobe 1: recall ${one}`);
    assert.ok(recall(keys(await a.search(queries, 'b', { params: { nprobe: 8 } }, 10)), keys(exact)) >= 0.9);
    await rejects(() => a.search(queries, 'b', { params: { ef: 20 } }, 10), { code: 1100, message: "search param 'ef' is for HNSW indexes; field b has an index of type BIN_IVF_FLAT: invalid parameter" });
    a.drop_index();
  }
  const bad = [
    [{ index_type: 'BIN_IVF_FLAT', metric_type: 'L2' }, 'metric type L2 not found or not supported, supported: [HAMMING JACCARD]'],
    [{ index_type: 'BIN_IVF_FLAT', params: { nlist: 65537 } }, "Out of range in json: param 'nlist' (65537) should be in range [1, 65536]"],
    [{ index_type: 'BIN_IVF_FLAT', params: { efConstruction: 8 } }, "param 'efConstruction' is not a build parameter of BIN_IVF_FLAT"],
    [{ index_type: 'IVF_FLAT' }, "data type BinaryVector can't build with this index IVF_FLAT"],
  ];
  for (const [ip, message] of bad) {
    const e = await rejects(() => Promise.resolve().then(() => a.create_index('b', ip)), { code: 1100 });
    assert.ok(e.message.includes(message), `${JSON.stringify(ip)}: ${e.message}`);
    assert.equal(a.has_index(), false);
  }
  // after the build: upserts (replacing rows the index holds) and deletes; no dead row comes back
  a.create_index('b', { index_type: 'BIN_IVF_FLAT', metric_type: 'JACCARD', params: { nlist: 32 } });
  const fresh = binaryData(300, 11).rows;
  for (let i = 0; i < 300; i++) {
    const row = { ...fresh[i], id: (i * 37) % (N + 100) };
    if (i % 2) await Promise.all([a.upsert(row), b.upsert(row)]);
    else await Promise.all([a.delete(`id in [${row.id}]`), b.delete(`id in [${row.id}]`)]);
  }
  const live = new Set((await b.query('id >= 0', { output_fields: ['id'], limit: 16384 })).map((r) => Number(r.id)));
  const got = await a.search(queries, 'b', { params: { nprobe: 32 } }, 10);
  for (const q of got) for (const h of q) assert.ok(live.has(Number(h.id)), `dead row ${h.id} returned`);
  const exact = await b.search(queries, 'b', { metric_type: 'JACCARD' }, 10);
  assert.deepEqual(got.map((q) => q.map((h) => h.distance)), exact.map((q) => q.map((h) => h.distance)));
  // saved with its index, loaded without a rebuild
  const saved = a.save();
  const r = Collection.load(saved, { name: uniqueName('reloaded') });
  assert.deepEqual(r.index().params, { index_type: 'BIN_IVF_FLAT', metric_type: 'JACCARD', params: { nlist: 32 } });
  assert.deepEqual(await r.search(queries, 'b', { params: { nprobe: 32 } }, 10), got);
  for (const c of [a, b, r]) c.drop();
});

test('MilvusClient and REST: BIN_IVF_FLAT on a BinaryVector field, created, described, searched with nprobe', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const name = uniqueName('mcbix');
  await client.createCollection({
    collection_name: name,
    fields: [{ name: 'id', data_type: SdkType.Int64, is_primary_key: true }, { name: 'b', data_type: SdkType.BinaryVector, dim: BDIM }],
  });
  const { rows, queries } = binaryData(400, 3);
  assert.equal((await client.insert({ collection_name: name, data: rows.map(({ id, b }) => ({ id, b: Array.from(b) })) })).status.error_code, 'Success');
  const made = await client.createIndex({ collection_name: name, field_name: 'b', index_type: 'BIN_IVF_FLAT', metric_type: 'HAMMING', params: { nlist: 16 } });
  assert.equal(made.error_code, 'Success', made.reason);
  const [desc] = (await client.describeIndex({ collection_name: name, field_name: 'b' })).index_descriptions;
  assert.deepEqual([desc.indexed_rows, desc.total_rows, desc.pending_index_rows], ['400', '400', '0']);
  assert.deepEqual(desc.params, [{ key: 'index_type', value: 'BIN_IVF_FLAT' }, { key: 'metric_type', value: 'HAMMING' }, { key: 'params', value: '{"nlist":16}' }]);
  await client.loadCollection({ collection_name: name });
  const s = await client.search({ collection_name: name, anns_field: 'b', data: [Array.from(queries[0])], limit: 5, params: { nprobe: 16 } });
  assert.equal(s.status.error_code, 'Success', s.status.reason);
  assert.equal(s.results.length, 5);
  const bad = await client.createIndex({ collection_name: name, field_name: 'b', index_type: 'BIN_IVF_FLAT', metric_type: 'COSINE' });
  assert.equal(bad.code, 1100);
  await client.dropCollection({ collection_name: name });

  const handler = createHandler();
  const post = async (path, body) => (await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }))).json();
  const rname = uniqueName('restbix');
  const created = await post('collections/create', {
    collectionName: rname,
    schema: { fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'b', dataType: 'BinaryVector', elementTypeParams: { dim: BDIM } }] },
    indexParams: [{ fieldName: 'b', indexName: 'bi', metricType: 'JACCARD', indexType: 'BIN_IVF_FLAT', params: { nlist: 8 } }],
  });
  assert.equal(created.code, 0, JSON.stringify(created));
  assert.equal((await post('entities/insert', { collectionName: rname, data: rows.map(({ id, b }) => ({ id, b: Array.from(b) })) })).code, 0);
  const d = await post('indexes/describe', { collectionName: rname, indexName: 'bi' });
  assert.deepEqual(d.data, [{ indexName: 'bi', fieldName: 'b', indexType: 'BIN_IVF_FLAT', metricType: 'JACCARD', indexState: 'Finished', indexedRows: 400, totalRows: 400, pendingRows: 0, failReason: '', params: { nlist: 8 } }]);
  const rs = await post('entities/search', { collectionName: rname, annsField: 'b', data: [Array.from(queries[0])], limit: 3, searchParams: { params: { nprobe: 8 } } });
  assert.equal(rs.code, 0, JSON.stringify(rs));
  assert.equal(rs.data.length, 3);
  const rbad = await post('entities/search', { collectionName: rname, annsField: 'b', data: [Array.from(queries[0])], limit: 3, searchParams: { params: { ef: 8 } } });
  assert.equal(rbad.code, 1100);
  await post('collections/drop', { collectionName: rname });
});

test('ORM: HNSW on FLOAT16_VECTOR and BFLOAT16_VECTOR fields: walked, the exact answer when ef covers every row, save / load; other types refused by name', async () => {
  const { rows, queries } = data();
  for (const dtype of [DataType.FLOAT16_VECTOR, DataType.BFLOAT16_VECTOR]) {
    const schema = () => new CollectionSchema([
      new FieldSchema('id', DataType.INT64, { is_primary: true }), new FieldSchema('tag', DataType.INT64),
      new FieldSchema('v', dtype, { dim: DIM }),
    ]);
    const a = new Collection(uniqueName('hix'), schema()), b = new Collection(uniqueName('hexact'), schema());
    await a.insert(rows);
    await b.insert(rows);
    for (const metric of ['L2', 'IP', 'COSINE']) {
      a.create_index('v', { index_type: 'HNSW', metric_type: metric, params: { M: 16, efConstruction: 100 } });
      const exact = await b.search(queries, 'v', { metric_type: metric }, 10);
      assert.deepEqual(await a.search(queries, 'v', { params: { ef: N } }, 10), exact);
      assert.ok(recall(keys(await a.search(queries, 'v', { params: { ef: 32 } }, 10)), keys(exact)) >= 0.9);
      a.drop_index();
    }
    a.create_index('v', { index_type: 'HNSW', metric_type: 'L2', params: { M: 4, efConstruction: 8 } });
    const exact = keys(await b.search(queries, 'v', { metric_type: 'L2' }, 10));
    const walked = recall(keys(await a.search(queries, 'v', { params: { ef: 10 } }, 10)), exact);
    assert.ok(walked < 1 && walked > 0.3, `HNSW M 4, ef 10: recall ${walked}`);
    const r = Collection.load(a.save(), { name: uniqueName('reloaded') });
    assert.deepEqual(await r.search(queries, 'v', { params: { ef: 10 } }, 10), await a.search(queries, 'v', { params: { ef: 10 } }, 10));
    a.drop_index();
    const e = await rejects(() => Promise.resolve().then(() => a.create_index('v', { index_type: 'IVF_FLAT', metric_type: 'L2' })), { code: 1100 });
    assert.match(e.message, /partita builds IVF_FLAT on FloatVector fields only \(HNSW also on Float16Vector and BFloat16Vector\)/);
    for (const c of [a, b, r]) c.drop();
  }
});

test('filtered search with an index: recall at filters passing 50 %, 10 % and 1 %', async () => {
  const [a, b] = twins();
  const { rows, queries } = data();
  await a.insert(rows);
  await b.insert(rows);
  a.create_index('v', { index_type: 'HNSW', metric_type: 'L2', params: { M: 16, efConstruction: 100 } });
  for (const expr of ['tag < 50', 'tag < 10', 'tag < 1']) {
    const got = keys(await a.search(queries, 'v', { metric_type: 'L2', params: { ef: 64 } }, 10, expr));
    const want = keys(await b.search(queries, 'v', { metric_type: 'L2' }, 10, expr));
    const r = recall(got, want);
    assert.ok(r >= 0.9, `${expr}: recall ${r}`);
    const limit = Number(expr.split('<')[1]);
    for (const q of got) for (const k of q) assert.ok(k % 100 < limit, `${expr}: ${k}`);
  }
  a.drop();
  b.drop();
});


test('IVF_RABITQ on every face: 1-bit codes with refine; Milvus 2.6 parameters and messages; changes, save/load, memory', async () => {
  const [a, b] = twins();
  const { rows, queries } = data();
  await a.insert(rows);
  await b.insert(rows);
  const exact = keys(await b.search(queries, 'v', { metric_type: 'L2' }, 10));
  for (const [ip, message] of [
    [{ params: { refine: true, refine_type: 'SQ4' } }, 'invalid refine type : SQ4, optional types are [sq6, sq8, fp16, bf16, fp32, flat]: invalid parameter'],
    [{ params: { refine: true, refine_type: 'SQ6' } }, 'refine_type SQ6 is not built by partita'],
    [{ params: { refine_type: 'SQ8' } }, 'refine_type needs refine to be true'],
    [{ params: { nlist: 65537 } }, "Out of range in json: param 'nlist' (65537) should be in range [1, 65536]"],
    [{ params: { rbq_bits: 2 } }, 'rbq_bits 2 is not built by partita'],
    [{ params: { efConstruction: 8 } }, "param 'efConstruction' is not a build parameter of IVF_RABITQ"],
  ]) {
    const e = await rejects(() => Promise.resolve().then(() => a.create_index('v', { index_type: 'IVF_RABITQ', metric_type: 'L2', ...ip })), { code: 1100 });
    assert.ok(e.message.includes(message), `${JSON.stringify(ip)}: ${e.message}`);
    assert.equal(a.has_index(), false);
  }
  // SQ8 refine codes, counted in memoryUsage() (at 16-d the row map and the 64-bit codes weigh
  // as much as the rows; test_index.c checks the share at 128-d)
  const before = memoryUsage().used;
  a.create_index('v', { index_type: 'IVF_RABITQ', metric_type: 'L2', params: { nlist: 32, refine: true, refine_type: 'SQ8' } });
  const bytes = memoryUsage().used - before;
  assert.ok(bytes > N * (DIM + 16), `index bytes ${bytes}`);
  const r = recall(keys(await a.search(queries, 'v', { params: { nprobe: 8, refine_k: 4 } }, 10)), exact);
  assert.ok(r >= 0.9, `recall ${r}`);
  const rq = recall(keys(await a.search(queries, 'v', { params: { nprobe: 8, refine_k: 4, rbq_query_bits: 6 } }, 10)), exact);
  assert.ok(rq >= 0.9, `recall, 6-bit queries: ${rq}`);
  await rejects(() => a.search(queries, 'v', { params: { rbq_bits_query: 9 } }, 10), { code: 1100, message: "Out of range in json: param 'rbq_bits_query' (9) should be in range [0, 8]: invalid parameter" });
  await rejects(() => a.search(queries, 'v', { params: { rbq_bits_query: 4, rbq_query_bits: 6 } }, 10), { code: 1100, message: /disagree/ });
  await rejects(() => a.search(queries, 'v', { params: { refine_k: 0.5 } }, 10), { code: 1100, message: /param 'refine_k' \(0.5\) should be in range \[1, float_max\)/ });
  await rejects(() => a.search(queries, 'v', { params: { ef: 16 } }, 10), { code: 1100, message: /search param 'ef' is for HNSW indexes; field v has an index of type IVF_RABITQ/ });
  a.drop_index();
  // FP32 refine (refine_type absent): the float32 rows, exact when every list and row is covered
  a.create_index('v', { index_type: 'IVF_RABITQ', metric_type: 'L2', params: { nlist: 32, refine: true } });
  const full = { params: { nprobe: 32, refine_k: N } };
  assert.deepEqual(await a.search(queries, 'v', full, 10), await b.search(queries, 'v', { metric_type: 'L2' }, 10));
  // upserts, merge-mode upserts and deletes after the build: no dead or replaced row comes back
  await churn(a, b, rows, N + 200, 50);
  const after = await b.search(queries, 'v', { metric_type: 'L2' }, 10, null, { output_fields: ['tag'] });
  assert.deepEqual(await a.search(queries, 'v', full, 10, null, { output_fields: ['tag'] }), after);
  // save / load: the index comes with the rows
  const r2 = Collection.load(a.save(), { name: uniqueName('rbq') });
  assert.deepEqual(r2.index().params, { index_type: 'IVF_RABITQ', metric_type: 'L2', params: { nlist: 32, refine: true } });
  assert.deepEqual(await r2.search(queries, 'v', full, 10, null, { output_fields: ['tag'] }), after);
  for (const c of [a, b, r2]) c.drop();

  // MilvusClient and REST build and describe it
  const client = new MilvusClient({ address: ':memory:' });
  const name = uniqueName('mcrbq');
  await client.createCollection({ collection_name: name, fields: [{ name: 'id', data_type: SdkType.Int64, is_primary_key: true }, { name: 'v', data_type: SdkType.FloatVector, dim: DIM }] });
  await client.insert({ collection_name: name, data: rows.slice(0, 500).map(({ id, v }) => ({ id, v })) });
  assert.equal((await client.createIndex({ collection_name: name, field_name: 'v', index_type: 'IVF_RABITQ', metric_type: 'COSINE', params: { nlist: 16, refine: true, refine_type: 'FP16' } })).error_code, 'Success');
  const [desc] = (await client.describeIndex({ collection_name: name, field_name: 'v' })).index_descriptions;
  assert.deepEqual(desc.params, [{ key: 'index_type', value: 'IVF_RABITQ' }, { key: 'metric_type', value: 'COSINE' }, { key: 'params', value: '{"nlist":16,"refine":true,"refine_type":"FP16"}' }]);
  assert.equal(desc.indexed_rows, '500');
  await client.loadCollection({ collection_name: name });
  const s = await client.search({ collection_name: name, data: queries[0], limit: 5, params: { nprobe: 16, refine_k: 2, rbq_bits_query: 8 } });
  assert.equal(s.status.error_code, 'Success');
  assert.equal(s.results.length, 5);
  await client.dropCollection({ collection_name: name });
  const handler = createHandler();
  const post = async (path, body) => (await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }))).json();
  const rname = uniqueName('restrbq');
  assert.equal((await post('collections/create', { collectionName: rname, schema: { fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: DIM } }] } })).code, 0);
  assert.equal((await post('entities/insert', { collectionName: rname, data: rows.slice(0, 300).map(({ id, v }) => ({ id, v })) })).code, 0);
  const made = await post('indexes/create', { collectionName: rname, indexParams: [{ fieldName: 'v', indexName: 'rq', metricType: 'IP', indexType: 'IVF_RABITQ', params: { nlist: 8, refine: true, refine_type: 'BF16' } }] });
  assert.equal(made.code, 0, JSON.stringify(made));
  const d = await post('indexes/describe', { collectionName: rname, indexName: 'rq' });
  assert.equal(d.data[0].indexType, 'IVF_RABITQ');
  assert.equal(d.data[0].indexedRows, 300);
  assert.equal((await post('collections/load', { collectionName: rname })).code, 0);
  const rs = await post('entities/search', { collectionName: rname, data: [queries[0]], limit: 3, searchParams: { params: { nprobe: 8, rbq_bits_query: 0, refine_k: 3 } } });
  assert.equal(rs.code, 0, JSON.stringify(rs));
  assert.equal(rs.data.length, 3);
  await post('collections/drop', { collectionName: rname });
});
