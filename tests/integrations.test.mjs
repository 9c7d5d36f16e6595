// The real integrations, unmodified, over partita's MilvusClient in Node: LangChain.js's Milvus
// vector store (@langchain/community/vectorstores/milvus; it builds its own SDK client, whose
// public `client` field is set to partita's, and through the package alias for its static
// fromTexts) and LlamaIndex.TS's MilvusVectorStore (@llamaindex/milvus; it takes `milvusClient`).
// Their own flows: add, similarity search with and without metadata filters, delete by ids and
// by filter, fromDocuments / fromTexts / fromExistingCollection, collection properties.
// Embeddings are deterministic: a text's letter counts, normalised (tests/support/integrations.mjs,
// whose scenario also runs here through the alias, as in the page and the Worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Milvus } from '@langchain/community/vectorstores/milvus';
import { Document } from '@langchain/core/documents';
import { MilvusVectorStore } from '@llamaindex/milvus';
import { TextNode } from '@llamaindex/core/schema';
import { MilvusClient } from 'partita/milvus-client';
import { uniqueName } from './support/helpers.mjs';
import { LetterEmbeddings, LetterEmbedding, nearest, l2, negCosine, expectedIntegrations } from './support/integrations.mjs';

const embeddings = new LetterEmbeddings();

/** LangChain's client config for its own (real SDK) client, which is replaced before use. */
const sdkConfig = { address: 'localhost:19530', __SKIP_CONNECT__: true };

/** LangChain's store with partita's client set in its public `client` field. */
function langchain(args) {
  const store = new Milvus(embeddings, { ...args, clientConfig: sdkConfig });
  store.client = new MilvusClient({ address: ':memory:' });
  return store;
}

/** LangChain's class, its constructor followed by the same assignment: its static factories
 * (fromDocuments, fromExistingCollection) build `new this(...)`. */
class PartitaMilvus extends Milvus {
  constructor(e, args) {
    super(e, { ...args, clientConfig: sdkConfig });
    this.client = new MilvusClient({ address: ':memory:' });
  }
}

const texts = (results) => results.map(([doc]) => doc.pageContent);

test('LangChain.js Milvus: addDocuments (auto ids), similarity search with and without filters, delete by filter and by ids', async () => {
  const collectionName = uniqueName('lc');
  const store = langchain({ collectionName });
  await store.addDocuments([
    new Document({ pageContent: 'the cat sat on the mat', metadata: { kind: 'animal', n: 1, ok: true, extra: { a: 1 } } }),
    new Document({ pageContent: 'dogs run fast', metadata: { kind: 'animal', n: 2, ok: false, extra: { a: 2 } } }),
    new Document({ pageContent: 'quantum physics', metadata: { kind: 'science', n: 3, ok: true, extra: { a: 3 } } }),
  ]);
  // setProperties (alterCollectionProperties) before the first search loads the collection
  await store.setProperties({ 'mmap.enabled': true });
  const { properties } = await store.client.describeCollection({ collection_name: collectionName });
  assert.deepEqual(properties, [{ key: 'mmap.enabled', value: 'true' }]);
  const best = await store.similaritySearchWithScore('the cat sat on the mat', 3);
  const sentences = ['the cat sat on the mat', 'dogs run fast', 'quantum physics'];
  assert.deepEqual(texts(best), nearest('the cat sat on the mat', sentences, l2));
  assert.ok(Math.abs(best[0][1]) < 1e-6, 'L2 of a text with itself is 0');
  assert.ok(best[0][1] <= best[1][1] && best[1][1] <= best[2][1], 'L2: nearest first');
  const [doc] = best[0];
  assert.deepEqual({ ...doc.metadata, langchain_primaryid: undefined }, { kind: 'animal', n: 1, ok: true, extra: { a: 1 }, langchain_primaryid: undefined });
  // metadata filters (LangChain passes Milvus's filter text as it is)
  assert.deepEqual((await store.similaritySearch('cat', 3, 'kind == "science"')).map((d) => d.pageContent), ['quantum physics']);
  assert.deepEqual((await store.similaritySearch('cat', 3, 'ok == false')).map((d) => d.pageContent), ['dogs run fast']);
  assert.deepEqual((await store.similaritySearch('cat', 3, 'n >= 2 and kind like "ani%"')).map((d) => d.pageContent), ['dogs run fast']);
  // delete by filter, then by the ids a query gives
  await store.delete({ filter: 'n > 2' });
  assert.deepEqual(texts(await store.similaritySearchWithScore('physics', 5)).sort(), ['dogs run fast', 'the cat sat on the mat']);
  const { data } = await store.client.query({ collection_name: collectionName, filter: 'kind == "animal" and n == 2', output_fields: ['langchain_primaryid'] });
  assert.equal(data.length, 1);
  await store.delete({ ids: [data[0].langchain_primaryid] });
  assert.deepEqual(texts(await store.similaritySearchWithScore('dogs', 5)), ['the cat sat on the mat']);
  // another store over the existing collection (its fields read back from describeCollection)
  const again = await PartitaMilvus.fromExistingCollection(embeddings, { collectionName });
  assert.deepEqual((await again.similaritySearch('mat', 1)).map((d) => d.pageContent), ['the cat sat on the mat']);
});

test("LangChain.js Milvus: its own integration flow with autoId false and numeric ids in metadata (a VarChar primary key)", async () => {
  // LangChain's milvus.int.test.ts: primaryField "id", metadata ids given as numbers; the SDK
  // sends a number for a VarChar as its text, and builds `id in ["1"]` from numeric ids
  const collectionName = uniqueName('lc_ids');
  const objA = { A: { B: 'some string' } };
  const objB = { A: { B: 'some other string' } };
  const sentences = ['Tortoise: Labyrinth? Labyrinth?', 'Achilles: Yiikes! What is that?', 'Tortoise: They say a Majotaur laughs',
    'Achilles: Oh, no!', "Tortoise: But it's only a myth. Courage, Achilles."];
  const metadatas = [{ id: 2, other: objA }, { id: 1, other: objB }, { id: 3, other: objA }, { id: 4, other: objB }, { id: 5, other: objA }];
  const docs = sentences.map((pageContent, i) => new Document({ pageContent, metadata: metadatas[i] }));
  const store = await PartitaMilvus.fromDocuments(docs, embeddings, { collectionName, autoId: false, primaryField: 'id' });
  const fields = (await store.client.describeCollection({ collection_name: collectionName })).schema.fields;
  assert.equal(fields.find((f) => f.name === 'id').data_type, 'VarChar');
  const query = 'Achilles: Oh, no!';
  assert.deepEqual((await store.similaritySearch(query, 5)).map((d) => d.pageContent), nearest(query, sentences, l2));
  // (the search loaded the collection: Milvus queries only loaded ones)
  const { status, data } = await store.client.query({ collection_name: collectionName, filter: '', output_fields: ['id'], limit: 10 });
  assert.equal(status.error_code, 'Success', status.reason);
  assert.deepEqual(data.map((r) => r.id).sort(), ['1', '2', '3', '4', '5'], 'numbers kept as their text');
  assert.deepEqual((await store.similaritySearch(query, 1)).map((d) => d.metadata), [{ id: 4, other: objB }]);
  assert.deepEqual((await store.similaritySearch(query, 1, 'id == "1"')).map((d) => d.metadata), [{ id: 1, other: objB }]);
  // upsert (autoId false): the same id replaces its row
  await store.addDocuments([new Document({ pageContent: 'Achilles: Oh, no! Oh no!', metadata: { id: 4, other: objA } })]);
  assert.equal((await store.client.count({ collection_name: collectionName })).data, 5);
  assert.deepEqual((await store.similaritySearch(query, 1, 'id == "4"')).map((d) => [d.pageContent, d.metadata.other]), [['Achilles: Oh, no! Oh no!', objA]]);
  // delete by filter, then by numeric ids (the SDK quotes them for a VarChar key)
  await store.delete({ filter: 'id in ["1"]' });
  await store.delete({ ids: [2, 3] });
  const rest = await PartitaMilvus.fromExistingCollection(embeddings, { collectionName, autoId: false, primaryField: 'id' });
  assert.deepEqual((await rest.similaritySearch(query, 5)).map((d) => d.metadata.id).sort(), [4, 5]);
});

test('LangChain.js Milvus: a partition, a partition key and its index options (IVF_FLAT, IP)', async () => {
  const inPartition = langchain({ collectionName: uniqueName('lc_part'), partitionName: 'p1', textFieldMaxLength: 64 });
  await inPartition.addDocuments([new Document({ pageContent: 'alpha', metadata: { tag: 'x' } }), new Document({ pageContent: 'beta', metadata: { tag: 'y' } })]);
  const parts = await inPartition.client.showPartitions({ collection_name: inPartition.collectionName });
  assert.deepEqual(parts.partition_names, ['_default', 'p1']);
  assert.equal((await inPartition.client.getPartitionStatistics({ collection_name: inPartition.collectionName, partition_name: 'p1' })).data.row_count, '2');
  assert.deepEqual((await inPartition.similaritySearch('alpha', 2, 'tag == "y"')).map((d) => d.pageContent), ['beta']);
  await inPartition.delete({ filter: 'tag == "x"' });
  assert.deepEqual((await inPartition.similaritySearch('alpha', 2)).map((d) => d.pageContent), ['beta']);

  const keyed = langchain({
    collectionName: uniqueName('lc_key'), partitionKey: 'tenant',
    indexCreateOptions: { index_type: 'IVF_FLAT', metric_type: 'IP', params: { nlist: 8 } },
  });
  await keyed.addDocuments([new Document({ pageContent: 'alpha', metadata: { tenant: 't1' } }), new Document({ pageContent: 'beta', metadata: { tenant: 't2' } })]);
  const desc = await keyed.client.describeCollection({ collection_name: keyed.collectionName });
  const tenant = desc.schema.fields.find((f) => f.name === 'tenant');
  assert.deepEqual([tenant.is_partition_key, tenant.max_length], [true, '512']);
  const [ix] = (await keyed.client.describeIndex({ collection_name: keyed.collectionName })).index_descriptions;
  assert.deepEqual(Object.fromEntries(ix.params.map((p) => [p.key, p.value])), { index_type: 'IVF_FLAT', metric_type: 'IP', params: '{"nlist":8}' });
  const hits = await keyed.similaritySearchWithScore('alpha', 2);
  assert.deepEqual(texts(hits), ['alpha', 'beta']);
  assert.ok(hits[0][1] > hits[1][1], 'IP: largest first');
  assert.deepEqual((await keyed.similaritySearch('alpha', 2, 'tenant == "t2"')).map((d) => d.pageContent), ['beta']);
});

/** Runs the module `script` in a Node process of its own where @zilliz/milvus2-sdk-node resolves
 * to partita/milvus-client (the alias a bundler gives, here a module resolve hook); returns the
 * JSON the script printed after `RESULT `. */
function underAlias(script) {
  const target = new URL('../web/src/milvus-client.node.js', import.meta.url).href;
  const hook = `export async function resolve(s, c, next) { return s === '@zilliz/milvus2-sdk-node' ? { url: ${JSON.stringify(target)}, shortCircuit: true } : next(s, c); }`;
  const prologue = `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));\n`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', prologue + script], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('RESULT ')).slice(7));
}

test("LangChain.js Milvus.fromTexts through the package alias (@zilliz/milvus2-sdk-node -> partita/milvus-client, as a Node resolve hook)", () => {
  // fromTexts builds a plain Milvus (not `this`), so its client is the SDK's name resolved
  const out = underAlias(`
    const { Milvus } = await import('@langchain/community/vectorstores/milvus');
    const { FakeEmbeddings } = await import('@langchain/core/utils/testing');
    const store = await Milvus.fromTexts(['Hello world', 'Bye bye', 'hello nice world'], [{ id: 2 }, { id: 1 }, { id: 3 }], new FakeEmbeddings(),
      { collectionName: 'from_texts', url: 'localhost:19530' });
    const hits = await store.similaritySearch('hello world', 3, 'id >= 2');
    await store.delete({ filter: 'id == 3' });
    const left = await store.similaritySearch('hello world', 3);
    console.log('RESULT ' + JSON.stringify({ client: store.client.constructor.sdkInfo, hits: hits.map((d) => d.metadata.id).sort(), left: left.map((d) => d.metadata.id).sort() }));
  `);
  assert.equal(out.client.recommendMilvus, 'v2.6', "partita's client (the SDK's own is never loaded)");
  assert.deepEqual(out.hits, [2, 3]);
  assert.deepEqual(out.left, [1, 2]);
});

test('the integrations scenario of the page and the Worker (tests/support/integrations.mjs) in Node, through the same alias', () => {
  const out = underAlias(`
    const { runIntegrations } = await import('./tests/support/integrations.mjs');
    console.log('RESULT ' + JSON.stringify(await runIntegrations()));
  `);
  assert.deepEqual(out, expectedIntegrations());
});

test('LlamaIndex.TS MilvusVectorStore with an injected partita client: add, query with metadata filters, delete', async () => {
  const collection = uniqueName('li');
  const client = new MilvusClient({ address: ':memory:' });
  const embedModel = new LetterEmbedding();
  const store = new MilvusVectorStore({ milvusClient: client, collection, embedModel });
  const sentences = ['the cat sat on the mat', 'dogs run fast', 'quantum physics'];
  const nodes = await Promise.all(sentences.map(async (text, i) => new TextNode({
    id_: `node-${i}`, text, metadata: { kind: i < 2 ? 'animal' : 'science', n: i }, embedding: await embedModel.getTextEmbedding(text),
  })));
  assert.deepEqual(await store.add(nodes), ['node-0', 'node-1', 'node-2']);
  const query = async (text, filters, similarityTopK = 3) =>
    store.query({ queryEmbedding: await embedModel.getTextEmbedding(text), similarityTopK, mode: 'default', filters });
  const all = await query('the cat sat on the mat');
  assert.deepEqual(all.ids, nearest('the cat sat on the mat', sentences, negCosine, 1536).map((t) => `node-${sentences.indexOf(t)}`));
  assert.ok(Math.abs(all.similarities[0] - 1) < 1e-6, 'COSINE (the server\'s default metric) of a text with itself');
  assert.deepEqual(all.nodes.map((n) => [n.getContent(), n.metadata]), all.ids.map((id) => {
    const i = Number(id.slice(5));
    return [sentences[i], { kind: i < 2 ? 'animal' : 'science', n: i }];
  }));
  const f = (filters, condition) => ({ filters, condition });
  assert.deepEqual((await query('cat', f([{ key: 'kind', value: 'science', operator: '==' }]))).ids, ['node-2']);
  assert.deepEqual((await query('cat', f([{ key: 'kind', value: 'science', operator: '!=' }]))).ids.sort(), ['node-0', 'node-1']);
  assert.deepEqual((await query('cat', f([{ key: 'kind', value: ['science', 'other'], operator: 'in' }]))).ids, ['node-2']);
  assert.deepEqual((await query('cat', f([{ key: 'kind', value: ['science', 'other'], operator: 'nin' }]))).ids.sort(), ['node-0', 'node-1']);
  assert.deepEqual((await query('cat', f([{ key: 'n', value: 1, operator: '>=' }, { key: 'kind', value: 'animal', operator: '==' }], 'and'))).ids, ['node-1']);
  assert.deepEqual((await query('cat', f([{ key: 'n', value: 2, operator: '>=' }, { key: 'n', value: 0, operator: '<' }], 'or'))).ids, ['node-2']);
  await store.delete('node-1');
  assert.deepEqual((await query('dogs')).ids.sort(), ['node-0', 'node-2']);
  // a second store (another client of the same address) finds the collection and its rows
  const other = new MilvusVectorStore({ milvusClient: new MilvusClient({ address: ':memory:' }), collection, embedModel });
  assert.deepEqual((await other.query({ queryEmbedding: await embedModel.getTextEmbedding('physics'), similarityTopK: 1, mode: 'default' })).ids, ['node-2']);
});

test("what LangChain relies on: numbers given for a VarChar are sent as their text, and numeric ids of a VarChar key are quoted (the SDK's serialization)", async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const collection_name = uniqueName('varchar_numbers');
  await client.createCollection({
    collection_name,
    fields: [
      { name: 'id', data_type: 'VarChar', is_primary_key: true, max_length: 32 },
      { name: 'tags', data_type: 'Array', element_type: 'VarChar', max_capacity: 4, max_length: 32 },
      { name: 'v', data_type: 'FloatVector', dim: 2 },
    ],
    index_params: [{ field_name: 'v', metric_type: 'L2' }],
  });
  const r = await client.insert({ collection_name, data: [{ id: 1, tags: [2, 'b', 3n], v: [0, 1] }, { id: 20n, tags: [], v: [1, 0] }, { id: '3', tags: ['x'], v: [1, 1] }] });
  assert.equal(r.status.error_code, 'Success', r.status.reason);
  assert.deepEqual(r.IDs.str_id.data, ['1', '20', '3']);
  assert.deepEqual((await client.get({ collection_name, ids: [1, 20n], output_fields: ['id', 'tags'] })).data, [{ id: '1', tags: ['2', 'b', '3'] }, { id: '20', tags: [] }]);
  const d = await client.delete({ collection_name, ids: [1, 3] });
  assert.equal(d.status.error_code, 'Success', d.status.reason);
  assert.deepEqual(d.IDs.str_id.data.sort(), ['1', '3']);
  assert.equal((await client.count({ collection_name })).data, 1);
  // other types are not converted: a text for a Float vector's element is still refused
  const bad = await client.insert({ collection_name, data: [{ id: 4, tags: [], v: ['0', 1] }] });
  assert.equal(bad.status.code, 1100, bad.status.reason);
  assert.equal((await client.count({ collection_name })).data, 1);
});

test('search params as LangChain.js sends them (JSON text): text that is not a JSON object is a status (1100), never a thrown SyntaxError', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const collection_name = uniqueName('search_params');
  assert.equal((await client.createCollection({ collection_name, dimension: 2 })).error_code, 'Success');
  assert.equal((await client.insert({ collection_name, data: [{ id: 1, vector: [0, 1] }] })).status.error_code, 'Success');
  const search = (params) => client.search({ collection_name, search_params: { anns_field: 'vector', topk: 1, metric_type: 'COSINE', params }, vectors: [[0, 1]] });
  const good = await search(JSON.stringify({ ef: 10 }));
  assert.equal(good.status.error_code, 'Success', good.status.reason);
  assert.deepEqual(good.results.map((h) => h.id), ['1']);
  for (const [params, reason] of [['{ef:10', /^search params are not JSON: \{ef:10: invalid parameter$/], ['[10]', /^search params must be a JSON object, got: \[10\]/]]) {
    const r = await search(params);
    assert.equal(r.status.code, 1100, r.status.reason);
    assert.match(r.status.reason, reason);
  }
  await assert.rejects(client.searchIterator({ collection_name, data: [0, 1], params: 'null', batchSize: 1 }), /search params must be a JSON object/);
});
