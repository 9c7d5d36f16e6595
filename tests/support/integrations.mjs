// The framework integrations' shared pieces: deterministic embeddings (a text's letter counts),
// the expected order of hits computed from them, and one scenario that runs LangChain.js's Milvus
// store and LlamaIndex.TS's MilvusVectorStore as they are. tests/integrations.test.mjs uses the
// pieces in Node; the scenario is bundled with @zilliz/milvus2-sdk-node aliased to
// partita/milvus-client into a page (tests/browser.test.mjs) and a Worker (tests/workerd.test.mjs),
// and run in Node through the same alias as a resolve hook (tests/integrations.test.mjs).
import { Milvus } from '@langchain/community/vectorstores/milvus';
import { Embeddings } from '@langchain/core/embeddings';
import { Document } from '@langchain/core/documents';
import { MilvusVectorStore } from '@llamaindex/milvus';
import { TextNode } from '@llamaindex/core/schema';
import { BaseEmbedding } from '@llamaindex/core/embeddings';
import { MilvusClient } from 'partita/milvus-client';

/** A text's letter counts (a..z) in `dim` dimensions, normalised; the last dimension is a
 * constant, so that no text is the zero vector. */
export function letters(text, dim = 26) {
  const v = new Array(dim).fill(0);
  for (const ch of text.toLowerCase()) {
    const i = ch.charCodeAt(0) - 97;
    if (i >= 0 && i < 26) v[i]++;
  }
  v[dim - 1] += 0.01;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

export class LetterEmbeddings extends Embeddings {
  constructor() {
    super({});
  }

  async embedQuery(text) {
    return letters(text);
  }

  async embedDocuments(texts) {
    return texts.map((t) => letters(t));
  }
}

/** LlamaIndex's store creates a 1536-d vector field, whatever the model. */
export class LetterEmbedding extends BaseEmbedding {
  async getTextEmbedding(text) {
    return letters(text, 1536);
  }
}

/** `candidates` nearest first to `query` by `distance` of their embeddings (`dim`-d). */
export function nearest(query, candidates, distance, dim = 26) {
  const q = letters(query, dim);
  const d = (t) => distance(q, letters(t, dim));
  return [...candidates].sort((a, b) => d(a) - d(b));
}
export const l2 = (a, b) => a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0);
export const negCosine = (a, b) => -a.reduce((s, x, i) => s + x * b[i], 0); // unit vectors

const SENTENCES = ['the cat sat on the mat', 'dogs run fast', 'quantum physics', 'a cat and a dog'];
const KIND = ['animal', 'animal', 'science', 'animal'];

/**
 * Both stores' own flows, unmodified: LangChain's Milvus builds its own client from `url` (the
 * SDK's MilvusClient, which the alias makes partita's); LlamaIndex's store is given partita's
 * client. Add, similarity search with and without a metadata filter, delete by id and by
 * filter. Returns what they found, as JSON.
 */
export async function runIntegrations() {
  const lc = {};
  const store = new Milvus(new LetterEmbeddings(), { collectionName: 'lc_scenario', url: 'localhost:19530' });
  lc.client = store.client.constructor.sdkInfo?.recommendMilvus ?? null;
  await store.addDocuments(SENTENCES.map((pageContent, i) => new Document({ pageContent, metadata: { kind: KIND[i], n: i } })));
  lc.all = (await store.similaritySearch('the cat sat on the mat', 4)).map((d) => d.pageContent);
  const { langchain_primaryid: primaryId, ...metadata } = (await store.similaritySearch('the cat sat on the mat', 1))[0].metadata;
  lc.metadata = metadata;
  lc.autoId = /^\d+$/.test(primaryId);
  lc.filtered = (await store.similaritySearch('the cat sat on the mat', 4, 'kind == "animal" and n >= 1')).map((d) => d.pageContent);
  await store.delete({ filter: 'kind == "science"' });
  const { data } = await store.client.query({ collection_name: 'lc_scenario', filter: 'n == 0', output_fields: ['langchain_primaryid'] });
  await store.delete({ ids: data.map((r) => r.langchain_primaryid) });
  lc.afterDelete = (await store.similaritySearch('physics', 4)).map((d) => d.pageContent);

  const li = {};
  const embedModel = new LetterEmbedding();
  const vectors = new MilvusVectorStore({ milvusClient: new MilvusClient({ address: ':memory:' }), collection: 'li_scenario', embedModel });
  const nodes = await Promise.all(SENTENCES.map(async (text, i) => new TextNode({
    id_: `node-${i}`, text, metadata: { kind: KIND[i], n: i }, embedding: await embedModel.getTextEmbedding(text),
  })));
  li.added = await vectors.add(nodes);
  const query = async (text, filters) =>
    vectors.query({ queryEmbedding: await embedModel.getTextEmbedding(text), similarityTopK: 4, mode: 'default', filters });
  const all = await query('the cat sat on the mat');
  li.all = all.ids;
  li.metadata = all.nodes[0].metadata;
  li.filtered = (await query('the cat sat on the mat', { filters: [{ key: 'kind', value: 'animal', operator: '==' }, { key: 'n', value: 1, operator: '>=' }], condition: 'and' })).ids;
  await vectors.delete('node-2');
  li.afterDelete = (await query('physics')).ids.sort();
  return { langchain: lc, llamaindex: li };
}

/** What runIntegrations() finds, from the embeddings alone (no store involved). */
export function expectedIntegrations() {
  const q = 'the cat sat on the mat';
  const animals = SENTENCES.filter((_, i) => KIND[i] === 'animal' && i >= 1);
  const id = (t) => `node-${SENTENCES.indexOf(t)}`;
  return {
    langchain: {
      client: 'v2.6',
      all: nearest(q, SENTENCES, l2),
      metadata: { kind: 'animal', n: 0 },
      autoId: true,
      filtered: nearest(q, animals, l2),
      afterDelete: nearest('physics', [SENTENCES[1], SENTENCES[3]], l2),
    },
    llamaindex: {
      added: SENTENCES.map((_, i) => `node-${i}`),
      all: nearest(q, SENTENCES, negCosine, 1536).map(id),
      metadata: { kind: 'animal', n: 0 },
      filtered: nearest(q, animals, negCosine, 1536).map(id),
      afterDelete: ['node-0', 'node-1', 'node-3'],
    },
  };
}
