// The BM25 function and search by text, on every face: schemas with Function (ORM), functions
// (MilvusClient, REST); the output filled on insert / upsert (merge mode too) and never given or
// returned; search by text with scores equal to a reference computed here from the definition
// (Milvus's IDF over every partition's live rows, k1, b, avgdl) to 1e-5, after deletes and
// upserts; Milvus's errors with the store unchanged. Case-by-case C checks: tests/unit/test_fts.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, CollectionSchema, FieldSchema, Function, FunctionType, DataType, MilvusException, DataNotMatchException } from 'partita';
import { MilvusClient, FunctionType as SdkFunctionType, DataType as SdkDataType } from 'partita/milvus-client';
import { createHandler } from 'partita/server';
import { rejects, rejectsUnchanged, uniqueName } from './support/helpers.mjs';

await init();

/** The standard analyzer's tokens: runs of letters and digits, lowercased. */
const tokens = (text) => (text ?? '').match(/[\p{Alphabetic}\p{N}]+/gu)?.map((w) => w.toLowerCase()) ?? [];

/** Milvus's BM25 score of every live document for a query, from the definition (docs: id -> text). */
function reference(docs, query, k1 = 1.2, b = 0.75) {
  const all = [...docs.values()].map(tokens);
  const N = all.length;
  const avgdl = Math.max(1, N ? all.reduce((a, t) => a + t.length, 0) / N : 0);
  const qtf = new Map();
  for (const t of tokens(query)) qtf.set(t, (qtf.get(t) ?? 0) + 1);
  const out = new Map();
  for (const [id, text] of docs) {
    const t = tokens(text);
    let s = 0;
    for (const [term, q] of qtf) {
      const tf = t.filter((x) => x === term).length;
      if (!tf) continue;
      const df = all.filter((d) => d.includes(term)).length;
      const idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
      s += q * idf * (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * t.length) / avgdl));
    }
    if (s > 0) out.set(id, s);
  }
  return out;
}

function assertScores(hits, ref, limit = 10) {
  const want = [...ref].sort((a, b) => b[1] - a[1]).slice(0, limit);
  assert.equal(hits.length, want.length, `hits ${JSON.stringify(hits.map((h) => h.id))} vs ${JSON.stringify(want)}`);
  for (const h of hits) {
    const r = ref.get(Number(h.id));
    assert.ok(r !== undefined, `hit ${h.id} scores nothing in the reference`);
    assert.ok(Math.abs(r - h.distance) <= 1e-5 * (1 + r), `id ${h.id}: ${h.distance} vs reference ${r}`);
  }
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i].distance <= hits[i - 1].distance);
}

const TEXTS = [
  'The quick brown fox jumps over the lazy dog', 'A quick movement of the enemy', 'Brown dogs and foxes',
  'dog lazy the over jumps fox brown quick the', 'Fox fox FOX', 'river banks and river boats', 'quick quick quick',
  'An unrelated sentence about databases', 'brown river', 'the end',
];

function schema() {
  return new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
    new FieldSchema('text', DataType.VARCHAR, { max_length: 200, enable_analyzer: true }),
    new FieldSchema('sparse', DataType.SPARSE_FLOAT_VECTOR),
  ], { functions: [new Function('bm25', FunctionType.BM25, ['text'], ['sparse'])] });
}

test('ORM: scores follow the definition across partitions, deletes and upserts', async () => {
  const c = new Collection(uniqueName('bm'), schema());
  c.create_partition('p1');
  const docs = new Map();
  await c.insert(TEXTS.slice(0, 6).map((text, i) => ({ id: i, v: [0, 0], text })));
  await c.partition('p1').insert(TEXTS.slice(6).map((text, i) => ({ id: 6 + i, v: [0, 0], text })));
  TEXTS.forEach((t, i) => docs.set(i, t));
  const check = async (query, param = {}, k1, b) => {
    const [hits] = await c.search([query], 'sparse', { metric_type: 'BM25', params: param }, 10);
    assertScores(hits, reference(docs, query, k1, b));
  };
  for (const q of ['quick fox', 'brown', 'river river', 'dog', 'nothing here', 'the']) await check(q);
  await check('quick brown', { bm25_k1: 2, bm25_b: 0.3 }, 2, 0.3);
  // one partition searched: the statistics are still every partition's (Milvus's shard-wide IDF)
  const [some] = await c.search(['brown'], 'sparse', { metric_type: 'BM25' }, 10, null, { partition_names: ['p1'] });
  assertScores(some, new Map([...reference(docs, 'brown')].filter(([id]) => id >= 6)));
  // a filter
  const [filtered] = await c.search(['quick'], 'sparse', { metric_type: 'BM25' }, 10, 'id > 2');
  assertScores(filtered, new Map([...reference(docs, 'quick')].filter(([id]) => id > 2)));
  // deletes and upserts (in place: same bytes; appended: new length; merge mode: text changed)
  await c.delete('id in [1, 7]');
  docs.delete(1);
  docs.delete(7);
  await c.upsert([{ id: 0, v: [1, 1], text: 'The quick brown cat jumps over the lazy dog' }]);
  docs.set(0, 'The quick brown cat jumps over the lazy dog');
  await c.upsert([{ id: 2, v: [1, 1], text: 'river' }]);
  docs.set(2, 'river');
  await c.upsert([{ id: 3, text: 'fox river fox' }], { partial_update: true });
  docs.set(3, 'fox river fox');
  await c.upsert([{ id: 4, v: [2, 2] }], { partial_update: true }); // text kept: the output stays
  for (const q of ['quick fox', 'brown', 'river river', 'dog cat', 'fox']) await check(q);
  // the output is never returned: "*" leaves it out, naming it is Milvus's error
  const rows = await c.query('id == 0', { output_fields: ['*'] });
  assert.deepEqual(Object.keys(rows[0]).sort(), ['id', 'text', 'v']);
  await rejects(() => c.query('id == 0', { output_fields: ['sparse'] }), { code: 65535, message: 'not allowed to retrieve raw data of field sparse' });
  // given: pymilvus's message, nothing written
  await rejectsUnchanged(c, () => c.insert([{ id: 50, v: [0, 0], text: 'x', sparse: { 1: 0.5 } }]),
    { cls: DataNotMatchException, message: 'Attempt to insert an unexpected function output field `sparse` to collection' });
  // columns: the output is not one of them
  await c.insert([[60], [[0, 0]], ['columns work']]);
  docs.set(60, 'columns work');
  await check('columns work');
  // the schema reads back with its function; a copy through save/load scores the same
  assert.equal(c.schema.functions.length, 1);
  assert.deepEqual(c.schema.functions[0].output_field_names, ['sparse']);
  const copy = Collection.load(c.save(), { name: uniqueName('bmcopy') });
  const [a] = await copy.search(['quick fox'], 'sparse', { metric_type: 'BM25' }, 10);
  assertScores(a, reference(docs, 'quick fox'));
  c.drop();
  copy.drop();
});

test('ORM: Milvus\'s function checks and search refusals', async () => {
  const f = (fields, fns) => () => new Collection(uniqueName('bmx'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }), new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }), ...fields,
  ], { functions: fns }));
  const text = (o = {}) => new FieldSchema('text', DataType.VARCHAR, { max_length: 20, enable_analyzer: true, ...o });
  const sparse = new FieldSchema('sparse', DataType.SPARSE_FLOAT_VECTOR);
  const bm = new Function('bm', FunctionType.BM25, 'text', 'sparse');
  await rejects(f([text({ enable_analyzer: false }), sparse], [bm]), { message: 'BM25 function input field must set enable_analyzer to true' });
  await rejects(f([text({ nullable: true }), sparse], [bm]), { message: 'function input field cannot be nullable: function bm, field text' });
  await rejects(f([text(), new FieldSchema('sparse', DataType.FLOAT_VECTOR, { dim: 2 })], [bm]),
    { message: 'BM25 function output field must be a SparseFloatVector field, but got FloatVector' });
  await rejects(f([text(), sparse], [new Function('bm', FunctionType.BM25, 'text', 'sparse', '', { a: 1 })]), { message: 'BM25 function accepts no params' });
  await rejects(() => new Function('bm', FunctionType.BM25, 'text', 'text'), { message: 'Input and output field names must be different.' });
  await rejects(() => new Function('bm', 7, 'text', 'sparse'), { message: 'Unknown function type.' });
  const c = f([text(), sparse], [bm])();
  await c.insert([{ id: 1, v: [0, 0], text: 'apple' }]);
  await rejects(() => c.search(['apple'], 'sparse', { metric_type: 'IP' }, 5), { message: 'metric type not match: invalid parameter[expected=BM25][actual=IP]' });
  await rejects(() => c.search([{ 1: 0.5 }], 'sparse', { metric_type: 'BM25' }, 5), { message: 'search it with texts' });
  await rejects(() => c.search(['apple'], 'sparse', { metric_type: 'BM25', params: { bm25_k1: 4 } }, 5),
    { message: "Out of range in json: param 'bm25_k1' (4) should be in range [0.000000, 3.000000]" });
  // add_function, as pymilvus's
  const s = new CollectionSchema([new FieldSchema('id', DataType.INT64, { is_primary: true }), text(), sparse]);
  assert.equal(s.add_function(bm), s);
  assert.equal(s.functions.length, 1);
  c.drop();
});

test('MilvusClient: createCollection with functions, SPARSE_INVERTED_INDEX, search by text', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const name = uniqueName('bmc');
  await client.createCollection({
    collection_name: name,
    fields: [
      { name: 'id', data_type: SdkDataType.Int64, is_primary_key: true },
      { name: 'text', data_type: SdkDataType.VarChar, max_length: 200, enable_analyzer: true },
      { name: 'sparse', data_type: SdkDataType.SparseFloatVector, is_function_output: true },
    ],
    functions: [{ name: 'bm25', type: SdkFunctionType.BM25, input_field_names: ['text'], output_field_names: ['sparse'], params: {} }],
    index_params: [{ field_name: 'sparse', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25', params: { bm25_k1: 1.5, bm25_b: 0.5 } }],
  });
  const docs = new Map(TEXTS.map((t, i) => [i, t]));
  await client.insert({ collection_name: name, data: TEXTS.map((text, id) => ({ id, text })) });
  const res = await client.search({ collection_name: name, data: 'quick fox', anns_field: 'sparse', limit: 10, output_fields: ['text'] });
  assert.equal(res.status.error_code, 'Success');
  // the index's bm25_k1 / bm25_b are the search's
  assertScores(res.results.map((r) => ({ id: r.id, distance: r.score })), reference(docs, 'quick fox', 1.5, 0.5));
  assert.ok(res.results.every((r) => typeof r.text === 'string' && !('sparse' in r)));
  const d = await client.describeCollection({ collection_name: name });
  assert.equal(d.schema.functions[0].type, 'BM25');
  assert.deepEqual(d.schema.functions[0].output_field_names, ['sparse']);
  assert.equal(d.schema.fields.find((f) => f.name === 'sparse').is_function_output, true);
  const q = await client.query({ collection_name: name, filter: 'id == 0', output_fields: ['sparse'] });
  assert.notEqual(q.status.error_code, 'Success');
  assert.match(q.status.reason, /not allowed to retrieve raw data of field sparse/);
});

test('MilvusClient: searchIterator over a BM25 field without an index takes the core\'s metric (BM25)', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const name = uniqueName('bmit');
  // made by the ORM face on the client's store: loaded, no index on `sparse`
  const c = new Collection(name, schema(), { using: 'milvus-client :memory:' });
  await c.insert(TEXTS.map((text, id) => ({ id, v: [0, 0], text })));
  const docs = new Map(TEXTS.map((t, i) => [i, t]));
  const hits = [];
  for await (const batch of await client.searchIterator({ collection_name: name, data: 'quick fox', anns_field: 'sparse', batchSize: 3, limit: 10 }))
    hits.push(...batch);
  assertScores(hits.map((r) => ({ id: r.id, distance: r.score })), reference(docs, 'quick fox'));
  c.drop();
});

test('REST: schema functions, search by text', async () => {
  const handler = createHandler();
  const rest = async (path, body) => (await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }))).json();
  const name = uniqueName('bmrest');
  const created = await rest('collections/create', {
    collectionName: name,
    schema: {
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: 200, enable_analyzer: true } },
        { fieldName: 'sparse', dataType: 'SparseFloatVector' },
      ],
      functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} }],
    },
    indexParams: [{ fieldName: 'sparse', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25' }],
  });
  assert.equal(created.code, 0, JSON.stringify(created));
  const ins = await rest('entities/insert', { collectionName: name, data: TEXTS.map((text, id) => ({ id, text })) });
  assert.equal(ins.code, 0, JSON.stringify(ins));
  const found = await rest('entities/search', { collectionName: name, data: ['brown fox'], annsField: 'sparse', limit: 10, outputFields: ['id'] });
  assert.equal(found.code, 0, JSON.stringify(found));
  assertScores(found.data.map((h) => ({ id: h.id, distance: h.distance })), reference(new Map(TEXTS.map((t, i) => [i, t])), 'brown fox'));
  const d = await rest('collections/describe', { collectionName: name });
  assert.equal(d.data.functions[0].type, 'BM25');
  const bad = await rest('entities/insert', { collectionName: name, data: [{ id: 99, text: 'x', sparse: { 1: 0.5 } }] });
  assert.notEqual(bad.code, 0);
  assert.match(bad.message, /function output field `sparse`/);
});

test('hostile text: the longest document and token, too long a document, many distinct terms', async () => {
  const c = new Collection(uniqueName('bmh'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
    new FieldSchema('text', DataType.VARCHAR, { max_length: 65535, enable_analyzer: true }),
    new FieldSchema('sparse', DataType.SPARSE_FLOAT_VECTOR),
  ], { functions: [new Function('bm25', FunctionType.BM25, 'text', 'sparse')] }));
  const token = 'x'.repeat(65535); // one token of the longest text
  const many = Array.from({ length: 6000 }, (_, i) => `t${i}`).join(' ').slice(0, 65535); // thousands of terms
  await c.insert([{ id: 1, v: [0, 0], text: token }, { id: 2, v: [0, 0], text: many }, { id: 3, v: [0, 0], text: 'plain words' }]);
  const docs = new Map([[1, token], [2, many], [3, 'plain words']]);
  for (const q of [token, 't1 t2 t3 t5999 t0', 'plain']) {
    const [hits] = await c.search([q], 'sparse', {}, 10);
    assertScores(hits, reference(docs, q));
  }
  await rejectsUnchanged(c, () => c.insert([{ id: 4, v: [0, 0], text: 'y'.repeat(65536) }]), { message: 'exceeds max length' });
  c.drop();
});
