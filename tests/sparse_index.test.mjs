// SPARSE_INVERTED_INDEX / SPARSE_WAND on a plain SPARSE_FLOAT_VECTOR field with metric IP: an
// inverted index per partition (src/fts.c, src/bm25.c), kept in step with inserts, upserts and
// deletes. Its top-k equals the exact inner products computed here in float32 (the same sums,
// bit for bit), across partitions, with filters, after writes, through save()/load; Milvus's build
// parameters checked with knowhere's names and messages. C checks: tests/unit/test_bm25.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, CollectionSchema, FieldSchema, DataType, MilvusException, memoryUsage } from 'partita';
import { rejects, rejectsUnchanged, uniqueName } from './support/helpers.mjs';

await init();

const f32 = Math.fround;

/** A seeded generator (mulberry32). */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sparse row over a vocabulary of `dims` indices: a few terms, values of either sign and zeros. */
function sparseRow(r, dims, terms = 6) {
  const out = {};
  const n = 1 + Math.floor(r() * terms);
  for (let i = 0; i < n; i++) {
    const v = r() < 0.1 ? 0 : r() < 0.2 ? -r() : r() * 2;
    out[Math.floor(r() * r() * dims)] = v; // skewed: low indices are common terms
  }
  return out;
}

/** Inserts rows 0..n-1 (tag 0) with random sparse vectors over `dims` into `c`; the vectors by id. */
async function insertSparse(c, r, n, dims) {
  const rows = new Map();
  await c.insert(Array.from({ length: n }, (_, id) => {
    const sv = sparseRow(r, dims);
    rows.set(id, sv);
    return { id, tag: 0, sv };
  }));
  return rows;
}

/** The exact scan's inner product, in float32: products summed in ascending index order from 0. */
function ip(row, query) {
  let s = 0;
  const keys = Object.keys(row).map(Number).filter((k) => k in query).sort((a, b) => a - b);
  for (const k of keys) s = f32(s + f32(f32(row[k]) * f32(query[k])));
  return s;
}

/** The best `limit` of the live rows (id -> row) by IP, highest first. */
function reference(rows, query, limit) {
  return [...rows].map(([id, v]) => [id, ip(v, query)]).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, limit);
}

/** The hits equal the reference: same scores in the same order; same ids where the score is
 * not shared with another row (ties, such as the rows of score 0, may be any of the tied ones). */
function assertSame(hits, want) {
  assert.deepEqual(hits.map((h) => h.distance), want.map(([, s]) => s));
  const count = new Map();
  for (const [, s] of want) count.set(s, (count.get(s) ?? 0) + 1);
  want.forEach(([id, s], i) => {
    if (count.get(s) === 1) assert.equal(Number(hits[i].id), id, `hit ${i} (score ${s})`);
  });
}

const schema = () => new CollectionSchema([
  new FieldSchema('id', DataType.INT64, { is_primary: true }),
  new FieldSchema('tag', DataType.INT64),
  new FieldSchema('sv', DataType.SPARSE_FLOAT_VECTOR),
]);

test('SPARSE_INVERTED_INDEX (IP): the exact top-k across partitions, filters, deletes and upserts', async () => {
  const r = rng(19);
  const c = new Collection(uniqueName('spx'), schema());
  c.create_partition('p1');
  const rows = new Map();
  const put = (id) => {
    const v = sparseRow(r, 400);
    rows.set(id, v);
    return { id, tag: id % 7, sv: v };
  };
  // rows before the index, then the index, then more rows (kept in step from then on)
  await c.insert(Array.from({ length: 1500 }, (_, i) => put(i)));
  c.create_index('sv', { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP', params: { inverted_index_algo: 'DAAT_MAXSCORE', drop_ratio_build: 0.2 } });
  await c.partition('p1').insert(Array.from({ length: 1500 }, (_, i) => put(1500 + i)));
  const queries = Array.from({ length: 25 }, () => sparseRow(r, 400, 4));
  queries.push({ 399999: 1 }); // shares no term: every row scores 0 (the exact scan's answer)
  queries.push({ 0: -1 }); // negative: the best rows are the ones without the term
  const check = async (limit, expr, pred = () => true, opts = {}) => {
    const res = await c.search(queries, 'sv', { metric_type: 'IP' }, limit, expr, opts);
    const live = new Map([...rows].filter(([id]) => pred(id)));
    res.forEach((hits, i) => assertSame(hits, reference(live, queries[i], limit)));
  };
  await check(10);
  await check(50, 'tag == 3', (id) => id % 7 === 3);
  await check(5, null, (id) => id >= 1500, { partition_names: ['p1'] });
  // deletes, upserts (in place and moved), inserts: the index follows
  await c.delete('id in [0, 1, 2, 1600, 1601]');
  for (const id of [0, 1, 2, 1600, 1601]) rows.delete(id);
  await c.upsert(Array.from({ length: 200 }, (_, i) => put(3 + i * 5)));
  await c.insert(Array.from({ length: 300 }, (_, i) => put(5000 + i)));
  await check(10);
  await check(20, 'tag in [1, 2]', (id) => id % 7 === 1 || id % 7 === 2);
  // compaction renumbers the rows; save()/load keeps the definition, the index is built again
  c.compact();
  await check(10);
  const copy = Collection.load(c.save(), { name: uniqueName('spcopy') });
  const res = await copy.search(queries, 'sv', { metric_type: 'IP' }, 10);
  res.forEach((hits, i) => assertSame(hits, reference(rows, queries[i], 10)));
  assert.equal(copy.index().params.index_type, 'SPARSE_INVERTED_INDEX');
  // dropping the index: the exact scan, the same answers
  c.release();
  c.drop_index();
  await check(10);
  c.drop();
  copy.drop();
});

test('SPARSE_WAND and AUTOINDEX on a sparse field answer as the exact scan', async () => {
  const r = rng(7);
  for (const index_type of ['SPARSE_WAND', 'AUTOINDEX']) {
    const c = new Collection(uniqueName('spw'), schema());
    const rows = await insertSparse(c, r, 800, 100);
    c.create_index('sv', { index_type, metric_type: 'IP' });
    const q = sparseRow(r, 100, 5);
    const [hits] = await c.search([q], 'sv', { metric_type: 'IP' }, 15);
    assertSame(hits, reference(rows, q, 15));
    c.drop();
  }
});

test("knowhere's build parameters: inverted_index_algo by name, drop_ratio_build in [0, 1)", async () => {
  const c = new Collection(uniqueName('spp'), schema());
  await c.insert([{ id: 1, tag: 0, sv: { 1: 0.5 } }]);
  const idx = (params) => () => c.create_index('sv', { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP', params });
  await rejectsUnchanged(c, idx({ inverted_index_algo: 'BLOCK_MAX' }), {
    cls: MilvusException, code: 1100,
    message: 'sparse inverted index algo BLOCK_MAX not found or not supported, supported: [TAAT_NAIVE DAAT_WAND DAAT_MAXSCORE DSP]: invalid parameter',
  });
  await rejects(idx({ drop_ratio_build: 1 }), { code: 1100, message: "Out of range in json: param 'drop_ratio_build' (1) should be in range [0.000000, 1.000000)" });
  await rejects(idx({ drop_ratio_build: 'x' }), { code: 1100, message: "param 'drop_ratio_build' should be a number: invalid parameter" });
  await rejects(idx({ nlist: 8 }), { code: 1100, message: "param 'nlist' is not a build parameter of SPARSE_INVERTED_INDEX in partita: invalid parameter" });
  assert.equal(c.has_index(), false);
  idx({ inverted_index_algo: 'TAAT_NAIVE', drop_ratio_build: 0 })();
  const [hits] = await c.search([{ 1: 2 }], 'sv', { metric_type: 'IP' }, 3);
  assert.deepEqual(hits.map((h) => [Number(h.id), h.distance]), [[1, 1]]);
  c.drop();
});

test('drop_ratio_search: a query loses its smallest values, with the index and without; refused elsewhere', async () => {
  const r = rng(3);
  const c = new Collection(uniqueName('spd'), schema());
  const rows = await insertSparse(c, r, 500, 20);
  const q = { 1: 1, 2: 0.1, 3: -0.05, 4: 2, 5: -1.5 };
  // 0.5 of 5 values: position 2 of the sorted magnitudes (1): 0.1 and -0.05 go
  const kept = { 1: 1, 4: 2, 5: -1.5 };
  const run = async () => (await c.search([q], 'sv', { metric_type: 'IP', params: { drop_ratio_search: 0.5 } }, 10))[0];
  assertSame(await run(), reference(rows, kept, 10));
  c.create_index('sv', { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP' });
  assertSame(await run(), reference(rows, kept, 10));
  const [all] = await c.search([q], 'sv', { metric_type: 'IP', params: { drop_ratio_search: 0 } }, 10);
  assertSame(all, reference(rows, q, 10));
  await rejects(() => c.search([q], 'sv', { metric_type: 'IP', params: { drop_ratio_search: 1 } }, 10),
    { code: 1100, message: "Out of range in json: param 'drop_ratio_search' (1) should be in range [0.000000, 1.000000)" });
  const d = new Collection(uniqueName('spdense'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }), new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 })]));
  await d.insert([{ id: 1, v: [1, 0] }]);
  await rejects(() => d.search([[1, 0]], 'v', { metric_type: 'L2', params: { drop_ratio_search: 0.5 } }, 3),
    { code: 1100, message: "search param 'drop_ratio_search' applies to sparse vector fields only; field v is a FloatVector: invalid parameter" });
  c.drop();
  d.drop();
});

test('an IP index made after the partitions\' inverted indexes exist is built by its next search; a dropped one is let go', async () => {
  const r = rng(23);
  const c = new Collection(uniqueName('sp2'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('sv', DataType.SPARSE_FLOAT_VECTOR),
    new FieldSchema('sw', DataType.SPARSE_FLOAT_VECTOR),
  ]));
  const N = 4000, sv = new Map(), sw = new Map();
  await c.insert(Array.from({ length: N }, (_, id) => {
    sv.set(id, sparseRow(r, 300));
    sw.set(id, sparseRow(r, 300));
    return { id, sv: sv.get(id), sw: sw.get(id) };
  }));
  const q = [sparseRow(r, 300, 4)];
  c.create_index('sv', { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP', params: {} });
  assertSame((await c.search(q, 'sv', { metric_type: 'IP' }, 10))[0], reference(sv, q[0], 10)); // sv's index built
  const m0 = memoryUsage().used;
  c.create_index('sw', { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP', params: {} }, { index_name: 'w' });
  assertSame((await c.search(q, 'sw', { metric_type: 'IP' }, 10))[0], reference(sw, q[0], 10));
  const m1 = memoryUsage().used;
  // sw's postings (a few terms a row, 8 bytes each) are built now, beside sv's
  assert.ok(m1 > m0 + N * 8, `sw's inverted index was built at its search (${m0} -> ${m1})`);
  c.release();
  c.drop_index({ index_name: 'w' });
  assertSame((await c.search(q, 'sv', { metric_type: 'IP' }, 10))[0], reference(sv, q[0], 10));
  assert.ok(memoryUsage().used < m1 - N * 8, 'the dropped index\'s postings are let go');
  c.drop();
});
