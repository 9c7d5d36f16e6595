// hybrid_search on every face: ORM Collection.hybrid_search (AnnSearchRequest, RRFRanker,
// WeightedRanker), MilvusClient.hybridSearch (and search with sub-requests, as the SDK), REST
// entities/hybrid_search; fused scores against a fusion computed here from each sub-search run
// alone (Milvus's RRF sum 1 / (k + rank), weighted sum with its normalisation per metric); the
// rerank params' refusals. Case-by-case C checks: tests/unit/test_hybrid.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, CollectionSchema, FieldSchema, Function, FunctionType, DataType, AnnSearchRequest, RRFRanker, WeightedRanker, ParamError } from 'partita';
import { MilvusClient, DataType as SdkDataType, FunctionType as SdkFunctionType, RRFRanker as SdkRRF, WeightedRanker as SdkWeighted } from 'partita/milvus-client';
import { createHandler } from 'partita/server';
import { rejects, uniqueName } from './support/helpers.mjs';

await init();

const FILMS = [
  [1, [1, 0], 'alien space horror'], [2, [0, 1], 'space opera'], [3, [2, 2], 'horror in the house'], [4, [1, 0.4], 'romance'],
  [5, [5, 5], 'space space space'], [6, [0.9, 0.5], 'a heist'], [7, [-1, -1], 'alien romance'], [8, [3, 0], 'western'],
];
const QV = [1, 0.5];
const QT = 'space alien';

const norm = { COSINE: (s) => (1 + s) * 0.5, IP: (s) => 0.5 + Math.atan(s) / Math.PI, BM25: (s) => 2 * Math.atan(s) / Math.PI, L2: (s) => 1 - 2 * Math.atan(s) / Math.PI };

/** The fusion of sub-search hit lists ([{ id, distance }] best first, with their metrics). */
function fuse(lists, metrics, rerank) {
  const score = new Map();
  lists.forEach((hits, i) => hits.forEach((h, j) => {
    const part = rerank.rrf !== undefined ? 1 / (rerank.rrf + j + 1) : rerank.weights[i] * norm[metrics[i]](h.distance);
    score.set(h.id, (score.get(h.id) ?? 0) + part);
  }));
  return [...score].sort((a, b) => b[1] - a[1]);
}

function assertFused(hits, want, limit) {
  const w = want.slice(0, limit);
  assert.equal(hits.length, w.length);
  hits.forEach((h, i) => {
    assert.ok(Math.abs(h.distance - w[i][1]) <= 1e-5, `rank ${i}: ${h.id} ${h.distance} vs ${w[i][0]} ${w[i][1]}`);
    // the row too, where its score is not tied with a neighbour's
    const tied = [w[i - 1], w[i + 1]].some((o) => o && Math.abs(o[1] - w[i][1]) <= 1e-5);
    if (!tied) assert.equal(Number(h.id), Number(w[i][0]), `rank ${i}`);
  });
}

function films() {
  const c = new Collection(uniqueName('hy'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
    new FieldSchema('text', DataType.VARCHAR, { max_length: 200, enable_analyzer: true }),
    new FieldSchema('sparse', DataType.SPARSE_FLOAT_VECTOR),
  ], { functions: [new Function('bm25', FunctionType.BM25, 'text', 'sparse')] }));
  return c;
}

test('ORM: hybrid_search with RRFRanker and WeightedRanker fuses as Milvus does', async () => {
  const c = films();
  await c.insert(FILMS.map(([id, v, text]) => ({ id, v, text })));
  const [dense] = await c.search([QV], 'v', { metric_type: 'L2' }, 6);
  const [text] = await c.search([QT], 'sparse', { metric_type: 'BM25' }, 5);
  const reqs = [new AnnSearchRequest([QV], 'v', { metric_type: 'L2' }, 6), new AnnSearchRequest([QT], 'sparse', { metric_type: 'BM25' }, 5)];
  const [rrf] = await c.hybrid_search(reqs, new RRFRanker(), 10, { output_fields: ['text'] });
  assertFused(rrf, fuse([dense, text], ['L2', 'BM25'], { rrf: 60 }), 10);
  assert.ok(rrf.every((h) => typeof h.entity.text === 'string'));
  const [w] = await c.hybrid_search(reqs, new WeightedRanker(0.7, 0.3), 4);
  assertFused(w, fuse([dense, text], ['L2', 'BM25'], { weights: [0.7, 0.3] }), 4);
  // a metric named in lower case is the same metric (its scores normalised as that metric's)
  const lower = [new AnnSearchRequest([QV], 'v', { metric_type: 'l2' }, 6), new AnnSearchRequest([QT], 'sparse', { metric_type: 'bm25' }, 5)];
  assertFused((await c.hybrid_search(lower, new WeightedRanker(0.7, 0.3), 4))[0], fuse([dense, text], ['L2', 'BM25'], { weights: [0.7, 0.3] }), 4);
  // a filter per request
  const [f] = await c.hybrid_search([new AnnSearchRequest([QV], 'v', { metric_type: 'L2' }, 6, 'id > 3'), reqs[1]], new RRFRanker(10), 10);
  const [denseF] = await c.search([QV], 'v', { metric_type: 'L2' }, 6, 'id > 3');
  assertFused(f, fuse([denseF, text], ['L2', 'BM25'], { rrf: 10 }), 10);
  // a partition's hybrid search: the statistics are still the collection's, the hits its own
  c.create_partition('p');
  await c.partition('p').insert([{ id: 100, v: [1, 0.5], text: 'space alien space' }]);
  const [pd] = await c.search([QV], 'v', { metric_type: 'L2' }, 6, null, { partition_names: ['p'] });
  const [pt] = await c.search([QT], 'sparse', { metric_type: 'BM25' }, 5, null, { partition_names: ['p'] });
  const [ph] = await c.partition('p').hybrid_search(reqs, new RRFRanker(), 10);
  assertFused(ph, fuse([pd, pt], ['L2', 'BM25'], { rrf: 60 }), 10);
  assert.deepEqual(ph.map((h) => h.id), [100]);
  await rejects(() => c.hybrid_search(reqs, new RRFRanker(0), 10), { code: 65535, message: 'The rank params k should be in range (0, 16384)' });
  await rejects(() => c.hybrid_search(reqs, new WeightedRanker(0.5), 10),
    { message: 'the length of weights param mismatch with ann search requests: invalid parameter[expected=2][actual=1]' });
  await rejects(() => c.hybrid_search([{}], new RRFRanker(), 10), { cls: ParamError, message: 'reqs must be a list of AnnSearchRequest' });
  await rejects(() => c.hybrid_search(reqs, new RRFRanker(), 10, { nope: 1 }), { cls: ParamError, message: "'nope'" });
  // what a sub-request would not honour is refused by name, not dropped
  for (const param of [{ metric_type: 'L2', group_by_field: 'id' }, { metric_type: 'L2', offset: 2 }, { metric_type: 'L2', params: { nope: 1 } }])
    await rejects(() => c.hybrid_search([new AnnSearchRequest([QV], 'v', param, 6), reqs[1]], new RRFRanker(), 10),
      { cls: ParamError, message: `'${Object.keys(param).find((k) => k !== 'metric_type' && k !== 'params') ?? 'nope'}'` });
  c.drop();
});

test('MilvusClient: hybridSearch (and search with sub-requests) with the SDK rerankers', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const name = uniqueName('hyc');
  await client.createCollection({
    collection_name: name,
    fields: [
      { name: 'id', data_type: SdkDataType.Int64, is_primary_key: true },
      { name: 'v', data_type: SdkDataType.FloatVector, dim: 2 },
      { name: 'text', data_type: SdkDataType.VarChar, max_length: 200, enable_analyzer: true },
      { name: 'sparse', data_type: SdkDataType.SparseFloatVector },
    ],
    functions: [{ name: 'bm25', type: SdkFunctionType.BM25, input_field_names: ['text'], output_field_names: ['sparse'], params: {} }],
    index_params: [{ field_name: 'v', metric_type: 'L2' }, { field_name: 'sparse', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' }],
  });
  await client.insert({ collection_name: name, data: FILMS.map(([id, v, text]) => ({ id, v, text })) });
  const dense = (await client.search({ collection_name: name, data: QV, anns_field: 'v', limit: 5 })).results.map((r) => ({ id: r.id, distance: r.score }));
  const text = (await client.search({ collection_name: name, data: QT, anns_field: 'sparse', limit: 5 })).results.map((r) => ({ id: r.id, distance: r.score }));
  const data = [{ data: QV, anns_field: 'v' }, { data: QT, anns_field: 'sparse' }];
  const r1 = await client.hybridSearch({ collection_name: name, data, rerank: SdkRRF(20), limit: 5, output_fields: ['text'] });
  assert.equal(r1.status.error_code, 'Success', r1.status.reason);
  assertFused(r1.results.map((r) => ({ id: r.id, distance: r.score })), fuse([dense, text], ['L2', 'BM25'], { rrf: 20 }), 5);
  const r2 = await client.search({ collection_name: name, data, rerank: SdkWeighted([0.2, 0.8]), limit: 5 });
  assertFused(r2.results.map((r) => ({ id: r.id, distance: r.score })), fuse([dense, text], ['L2', 'BM25'], { weights: [0.2, 0.8] }), 5);
});

test('REST: entities/hybrid_search', async () => {
  const handler = createHandler();
  const rest = async (path, body) => (await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }))).json();
  const name = uniqueName('hyrest');
  const created = await rest('collections/create', {
    collectionName: name,
    schema: {
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
        { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: 200, enable_analyzer: true } },
        { fieldName: 'sparse', dataType: 'SparseFloatVector' },
      ],
      functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }],
    },
    indexParams: [{ fieldName: 'v', metricType: 'COSINE' }, { fieldName: 'sparse', metricType: 'BM25', indexType: 'SPARSE_INVERTED_INDEX' }],
  });
  assert.equal(created.code, 0, JSON.stringify(created));
  assert.equal((await rest('entities/insert', { collectionName: name, data: FILMS.map(([id, v, text]) => ({ id, v, text })) })).code, 0);
  const s1 = await rest('entities/search', { collectionName: name, data: [QV], annsField: 'v', limit: 4 });
  const s2 = await rest('entities/search', { collectionName: name, data: [QT], annsField: 'sparse', limit: 4 });
  const found = await rest('entities/hybrid_search', {
    collectionName: name,
    search: [{ data: [QV], annsField: 'v', limit: 4 }, { data: [QT], annsField: 'sparse', limit: 4 }],
    rerank: { strategy: 'weighted', params: { weights: [0.5, 0.5] } },
    limit: 3, outputFields: ['text'],
  });
  assert.equal(found.code, 0, JSON.stringify(found));
  assertFused(found.data.map((h) => ({ id: h.id, distance: h.distance })), fuse([s1.data, s2.data], ['COSINE', 'BM25'], { weights: [0.5, 0.5] }), 3);
  assert.ok(found.data.every((h) => typeof h.text === 'string'));
  // RRF without k (or no rerank at all) is RRF with k 60, as MilvusClient's and Milvus 2.6's
  const subs = [{ data: [QV], annsField: 'v', limit: 4 }, { data: [QT], annsField: 'sparse', limit: 4 }];
  for (const rerank of [{ strategy: 'rrf', params: {} }, undefined]) {
    const r = await rest('entities/hybrid_search', { collectionName: name, search: subs, rerank, limit: 3 });
    assert.equal(r.code, 0, JSON.stringify(r));
    assertFused(r.data.map((h) => ({ id: h.id, distance: h.distance })), fuse([s1.data, s2.data], ['COSINE', 'BM25'], { rrf: 60 }), 3);
  }
  const bad = await rest('entities/hybrid_search', { collectionName: name, search: [{ data: [QV], annsField: 'v', limit: 4 }], rerank: { strategy: 'rrf', params: { k: -1 } } });
  assert.notEqual(bad.code, 0);
  assert.match(bad.message, /The rank params k should be in range/);
});
