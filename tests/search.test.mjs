// Collection.search and Partition.search: exact vector search, checked against a brute-force
// reference computed here from a model of what was written (seeded random data, 2,000 rows).
//
// Covers: every metric of every vector type (FLOAT_VECTOR, FLOAT16_VECTOR, BFLOAT16_VECTOR and
// INT8_VECTOR with L2 / IP / COSINE, BINARY_VECTOR with HAMMING / JACCARD, SPARSE_FLOAT_VECTOR
// with IP, and the default metric of each), on random reals and on small integers (exact
// distances, many ties: storage order decides); deletes and upserts; limit / offset; several
// query vectors; partition scopes (Partition.search, partition_names); primary-key filters;
// output_fields (fields, dynamic keys, '*', $meta, the primary key inside entity); round_decimal;
// range search; every form of query vector; float16 / bfloat16 query rounding; errors.
//
// Hits must match the reference exactly in ids and to 1e-5 (relative to the distance's scale)
// in distance. Where the reference itself has a near-tie (two rows within float rounding of
// each other, which float32 arithmetic may order either way) either row is accepted at that
// place; on integer data, where distances are exact, no such latitude is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, Collection, Partition, CollectionSchema, FieldSchema, DataType, ParamError,
} from 'partita';
import { rejects, uniqueName } from './support/helpers.mjs';

await init();

// ---- seeded PRNG (mulberry32) -----------------------------------------------------------------
function prng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  return next;
}

const { L2, IP, COSINE, HAMMING, JACCARD } = { L2: 'L2', IP: 'IP', COSINE: 'COSINE', HAMMING: 'HAMMING', JACCARD: 'JACCARD' };
const isDistance = (m) => m === L2 || m === HAMMING || m === JACCARD;
const PARTS = ['_default', 'pa', 'pb'];

const TYPES = {
  FLOAT_VECTOR: DataType.FLOAT_VECTOR,
  FLOAT16_VECTOR: DataType.FLOAT16_VECTOR,
  BFLOAT16_VECTOR: DataType.BFLOAT16_VECTOR,
  INT8_VECTOR: DataType.INT8_VECTOR,
  BINARY_VECTOR: DataType.BINARY_VECTOR,
  SPARSE_FLOAT_VECTOR: DataType.SPARSE_FLOAT_VECTOR,
};
const defaultMetric = (t) => (t === DataType.BINARY_VECTOR ? HAMMING : t === DataType.SPARSE_FLOAT_VECTOR ? IP : COSINE);

// ---- data -------------------------------------------------------------------------------------

/** A random vector of a type, as written (and as it is stored: values exact in the type). */
function genVector(rnd, t, dim, ints) {
  switch (t) {
    case DataType.FLOAT_VECTOR:
      return Array.from({ length: dim }, () => (ints ? rnd.int(-1, 1) : Math.fround(rnd() * 2 - 1)));
    case DataType.FLOAT16_VECTOR:
    case DataType.BFLOAT16_VECTOR: // k / 64, |k| < 256: exact in both half types
      return Array.from({ length: dim }, () => (ints ? rnd.int(-1, 1) : rnd.int(-255, 255) / 64));
    case DataType.INT8_VECTOR:
      return Array.from({ length: dim }, () => (ints ? rnd.int(-1, 1) : rnd.int(-128, 127)));
    case DataType.BINARY_VECTOR:
      return Uint8Array.from({ length: dim / 8 }, () => (ints ? [0x81, 0x10, 0, 0x81][rnd.int(0, 3)] : rnd.int(0, 255)));
    case DataType.SPARSE_FLOAT_VECTOR: {
      const span = ints ? 6 : 40;
      const n = ints ? rnd.int(0, 3) : rnd.int(1, 12);
      const pool = Array.from({ length: span }, (_, i) => i);
      for (let k = 0; k < n; k++) {
        const j = rnd.int(k, span - 1);
        [pool[k], pool[j]] = [pool[j], pool[k]];
      }
      const out = {};
      for (const i of pool.slice(0, n).sort((a, b) => a - b))
        out[ints ? i : i * 97 + 5] = ints ? rnd.int(1, 2) : Math.fround(rnd() + 1.5);
      return out;
    }
    default:
      throw new Error(`no generator for ${t}`);
  }
}

const popcount = (x) => {
  let n = 0;
  for (; x; x >>= 1) n += x & 1;
  return n;
};

/** Milvus's distance of a stored vector x to query q, in double, and the scale of its float error. */
function distance(t, metric, q, x) {
  if (t === DataType.BINARY_VECTOR) {
    let ham = 0, both = 0, any = 0;
    for (let i = 0; i < q.length; i++) {
      ham += popcount(q[i] ^ x[i]);
      both += popcount(q[i] & x[i]);
      any += popcount(q[i] | x[i]);
    }
    return metric === HAMMING ? [ham, 1] : [any ? 1 - both / any : 0, 1];
  }
  if (t === DataType.SPARSE_FLOAT_VECTOR) {
    let dot = 0, abs = 0;
    for (const [k, v] of Object.entries(q))
      if (Object.hasOwn(x, k)) {
        dot += v * x[k];
        abs += Math.abs(v * x[k]);
      }
    return [dot, abs];
  }
  let dot = 0, qq = 0, xx = 0, l2 = 0, abs = 0;
  for (let i = 0; i < q.length; i++) {
    const a = q[i], b = x[i];
    dot += a * b;
    abs += Math.abs(a * b);
    qq += a * a;
    xx += b * b;
    l2 += (a - b) * (a - b);
  }
  if (metric === L2) return [l2, l2];
  if (metric === IP) return [dot, abs];
  return [qq > 0 && xx > 0 ? dot / Math.sqrt(qq * xx) : 0, 1];
}

/** A collection and a model of everything written to it. */
class Model {
  constructor(t, dim, { ints = false, seed = 1 } = {}) {
    this.t = t;
    this.dim = dim;
    this.ints = ints;
    this.rnd = prng(seed);
    this.rows = []; // every row ever written, in write order
    this.seq = 0;
    this.nextId = 1;
    const fields = [
      new FieldSchema('id', DataType.INT64, { is_primary: true }),
      new FieldSchema('n', DataType.INT32),
      t === DataType.SPARSE_FLOAT_VECTOR ? new FieldSchema('v', t) : new FieldSchema('v', t, { dim }),
    ];
    this.collection = new Collection(uniqueName('search'), new CollectionSchema(fields, { enable_dynamic_field: true }));
    this.partitions = PARTS.map((p) => new Partition(this.collection, p));
  }

  newRow(id, part, upsert = false) {
    const n = this.rnd.int(-1000, 1000);
    const row = { id, n, v: genVector(this.rnd, this.t, this.dim, this.ints), color: `c${n & 7}` };
    // an upsert overwrites the key's row where it is when it is the key's only row in the
    // partition and every variable-width value keeps its size (here the sparse vector: $meta
    // is {"color":"cN"} for every row); otherwise the old rows go and the new one is appended
    const old = upsert ? this.rows.filter((r) => r.live && r.id === id && r.part === part) : [];
    const size = (v) => (this.t === DataType.SPARSE_FLOAT_VECTOR ? Object.keys(v).length : 0);
    if (old.length === 1 && size(old[0].v) === size(row.v)) {
      Object.assign(old[0], row);
      return row;
    }
    for (const r of old) r.live = false;
    this.rows.push({ ...row, part, seq: this.seq++, live: true });
    return row;
  }

  async insert(count, part) {
    const batch = Array.from({ length: count }, () => this.newRow(this.nextId++, part));
    await this.partitions[part].insert(batch);
  }

  async upsert(ids, part) {
    await this.partitions[part].upsert(ids.map((id) => this.newRow(id, part, true)));
  }

  async delete(ids) {
    for (const r of this.rows) if (ids.includes(r.id)) r.live = false;
    await this.collection.delete(`id in [${ids.join(', ')}]`);
  }

  live() {
    return this.rows.filter((r) => r.live);
  }

  /** 2,000 rows over three partitions in uneven batches, then deletes and upserts. */
  async fill(total = 2000) {
    for (let done = 0; done < total; ) {
      const k = Math.min(total - done, this.rnd.int(1, 250));
      await this.insert(k, this.rnd.int(0, 2));
      done += k;
    }
    const live = this.live();
    const pick = (k) => Array.from({ length: k }, () => live[this.rnd.int(0, live.length - 1)]);
    await this.delete([...new Set(pick(total / 20).map((r) => r.id))]);
    for (let p = 0; p < 3; p++) {
      const ids = [...new Set(pick(40).filter((r) => r.live && r.part === p).map((r) => r.id))];
      if (ids.length) await this.upsert(ids, p);
    }
  }

  queries(nq) {
    const live = this.live();
    return Array.from({ length: nq }, (_, i) =>
      // the second query is a stored vector: an exact match, and ties with its duplicates
      i === 1 ? live[this.rnd.int(0, live.length - 1)].v : genVector(this.rnd, this.t, this.dim, this.ints));
  }

  /** Every candidate of each query, best first, ties in storage order. */
  reference(queries, { metric, parts = null, ids = null, radius, range_filter } = {}) {
    metric ??= defaultMetric(this.t);
    const rows = this.live()
      .filter((r) => (!parts || parts.includes(PARTS[r.part])) && (!ids || ids.includes(r.id)))
      .sort((a, b) => a.part - b.part || a.seq - b.seq);
    return queries.map((q) => {
      const cands = [];
      for (const row of rows) {
        const [d, scale] = distance(this.t, metric, q, row.v);
        if (radius !== undefined) {
          const inside = isDistance(metric)
            ? d < radius && (range_filter === undefined || d >= range_filter)
            : d > radius && (range_filter === undefined || d <= range_filter);
          if (!inside) continue;
        }
        cands.push({ id: row.id, distance: d, scale, row });
      }
      // a stable sort keeps storage order among equal distances
      return cands.sort((a, b) => (isDistance(metric) ? a.distance - b.distance : b.distance - a.distance));
    });
  }
}

const tolerance = (c) => 1e-5 * Math.max(1, Math.abs(c.distance), c.scale);

/** The hits of every query match the reference (after offset, up to limit). */
function assertHits(results, reference, { limit = 10, offset = 0, exact = false, label = '' } = {}) {
  assert.ok(Array.isArray(results), `${label}: a list per query`);
  assert.equal(results.length, reference.length, `${label}: one list of hits per query vector`);
  results.forEach((hits, qi) => {
    const cands = reference[qi];
    const want = cands.slice(offset, offset + limit);
    const byId = new Map(cands.map((c) => [c.id, c]));
    assert.equal(hits.length, want.length, `${label} query ${qi}: ${hits.length} hits, expected ${want.length}`);
    hits.forEach((h, i) => {
      const e = want[i];
      const where = `${label} query ${qi} hit ${i}`;
      assert.deepEqual(Object.keys(h), ['id', 'distance', 'entity'], `${where}: a hit is { id, distance, entity }`);
      assert.equal(typeof h.distance, 'number');
      const tol = tolerance(e);
      assert.ok(Math.abs(h.distance - e.distance) <= tol, `${where}: distance ${h.distance}, expected ${e.distance}`);
      if (h.id !== e.id) {
        const g = byId.get(h.id);
        assert.ok(!exact && g && Math.abs(g.distance - e.distance) <= 2 * tol,
          `${where}: id ${h.id} (at ${g?.distance}), expected id ${e.id} (at ${e.distance})`);
      }
    });
    assert.equal(new Set(hits.map((h) => h.id)).size, hits.length, `${label} query ${qi}: a row twice`);
  });
}

// ---- every metric of every type ------------------------------------------------------------------

const COMBOS = [
  ['FLOAT_VECTOR', 3, [L2, IP, COSINE]],
  ['FLOAT_VECTOR', 16, [L2, IP, COSINE, undefined]],
  ['FLOAT_VECTOR', 17, [L2, IP, COSINE]],
  ['FLOAT_VECTOR', 128, [L2, IP, COSINE]],
  ['FLOAT16_VECTOR', 17, [L2, IP, COSINE]],
  ['BFLOAT16_VECTOR', 16, [L2, IP, COSINE, undefined]],
  ['INT8_VECTOR', 17, [L2, IP, COSINE]],
  ['INT8_VECTOR', 3, [L2, IP, undefined]],
  ['BINARY_VECTOR', 16, [HAMMING, JACCARD]],
  ['BINARY_VECTOR', 128, [HAMMING, JACCARD, undefined]],
  ['SPARSE_FLOAT_VECTOR', 0, [IP, undefined]],
];

let seed = 100;
for (const ints of [false, true]) {
  for (const [typeName, dim, metrics] of COMBOS) {
    const t = TYPES[typeName];
    test(`search ${typeName} dim ${dim}: ${metrics.map((m) => m ?? 'default').join(', ')} on ${ints ? 'small integers (ties)' : 'random reals'}`, async () => {
      const m = new Model(t, dim, { ints, seed: seed++ });
      await m.fill(2000);
      const c = m.collection;
      for (const metric of metrics) {
        const effective = metric ?? defaultMetric(t);
        // exact distances: ids must match exactly, ties in storage order
        const exact = t === DataType.BINARY_VECTOR || (effective !== COSINE && (ints || t === DataType.INT8_VECTOR));
        const param = metric ? { metric_type: metric } : {};
        const label = `${typeName}/${dim}/${effective}`;
        const qs = m.queries(3);

        let res = await c.search(qs, 'v', param, 10);
        assertHits(res, m.reference(qs, { metric: effective }), { exact, label });
        // offset, larger limits, a limit past the end
        res = await c.search(qs, 'v', { ...param, offset: 5 }, 7);
        assertHits(res, m.reference(qs, { metric: effective }), { limit: 7, offset: 5, exact, label: `${label} offset 5` });
        res = await c.search(qs, 'v', param, 40, '', { offset: 1990 });
        assertHits(res, m.reference(qs, { metric: effective }), { limit: 40, offset: 1990, exact, label: `${label} offset 1990` });
        // a partition, and two of them
        res = await m.partitions[1].search(qs, 'v', param, 25);
        assertHits(res, m.reference(qs, { metric: effective, parts: ['pa'] }), { limit: 25, exact, label: `${label} Partition.search` });
        res = await c.search(qs, 'v', param, 25, undefined, { partition_names: ['pb', '_default'] });
        assertHits(res, m.reference(qs, { metric: effective, parts: ['_default', 'pb'] }), { limit: 25, exact, label: `${label} partition_names` });
        // a primary-key filter over live, deleted and missing keys
        const ids = [...new Set(Array.from({ length: 60 }, () => m.rows[m.rnd.int(0, m.rows.length - 1)].id))].concat([999999]);
        res = await c.search(qs, 'v', param, 20, `id in [${ids.join(', ')}]`, { output_fields: ['n', 'color'] });
        const ref = m.reference(qs, { metric: effective, ids });
        assertHits(res, ref, { limit: 20, exact, label: `${label} filter` });
        for (const hits of res)
          for (const h of hits) {
            const row = m.rows.find((r) => r.live && r.id === h.id);
            assert.deepEqual(h.entity, { n: row.n, color: row.color }, `${label}: the entity of ${h.id}`);
          }
        // the filter and a partition together, eight query vectors
        const q8 = m.queries(8);
        res = await m.partitions[2].search(q8, 'v', param, 5, `id in [${ids.join(', ')}]`);
        assertHits(res, m.reference(q8, { metric: effective, parts: ['pb'], ids }), { limit: 5, exact, label: `${label} 8 queries` });
        for (const hits of res) for (const h of hits) assert.deepEqual(h.entity, {});
      }
    });
  }
}

// ---- ties, storage order ---------------------------------------------------------------------

test('ties come in storage order: partitions in creation order, rows in write order, upserts in place or last', async () => {
  const c = new Collection(uniqueName('ties'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ], { enable_dynamic_field: true }));
  const p1 = new Partition(c, 'p1');
  await p1.insert([10, 11, 12].map((id) => ({ id, v: [1, 0] })));
  await c.insert([0, 1, 2, 3].map((id) => ({ id, v: [1, 0] })));
  await c.insert({ id: 5, v: [0.5, 0] });
  // 2 has the same sizes: overwritten where it is; 1 gains a dynamic value, a longer $meta:
  // appended, so it moves to the end of _default
  await c.upsert([{ id: 2, v: [1, 0] }, { id: 1, v: [1, 0], x: 1 }]);
  const ids = (res) => res[0].map((h) => h.id);
  assert.deepEqual(ids(await c.search([[1, 0]], 'v', { metric_type: 'L2' }, 6)), [0, 2, 3, 1, 10, 11]);
  assert.deepEqual(ids(await c.search([[1, 0]], 'v', { metric_type: 'L2' }, 3, '', { offset: 3 })), [1, 10, 11]);
  assert.deepEqual(ids(await c.search([[1, 0]], 'v', { metric_type: 'IP' }, 3)), [0, 2, 3]);
  // [0.5, 0] has cosine 1 too: it ties, in its place
  assert.deepEqual(ids(await c.search([[1, 0]], 'v', { metric_type: 'COSINE' }, 6)), [0, 2, 3, 5, 1, 10]);
  // a better row after the kept ones are all tied: the latest tie goes
  assert.deepEqual(ids(await c.search([[0.5, 0]], 'v', { metric_type: 'L2' }, 2)), [5, 0]);
  assert.deepEqual(ids(await p1.search([[1, 0]], 'v', { metric_type: 'L2' }, 2)), [10, 11]);
});

// ---- output fields ---------------------------------------------------------------------------------

test('output_fields: fields, dynamic keys, $meta, *; the key in entity only when asked for', async () => {
  const c = new Collection(uniqueName('out'), new CollectionSchema([
    new FieldSchema('pk', DataType.INT64, { is_primary: true }),
    new FieldSchema('tag', DataType.VARCHAR, { max_length: 16 }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
    new FieldSchema('b', DataType.BINARY_VECTOR, { dim: 16 }),
  ], { enable_dynamic_field: true }));
  await c.insert([
    { pk: 1, tag: 'one', v: [1, 0], b: new Uint8Array([1, 0]), color: 'red', size: 3 },
    { pk: 2, tag: 'two', v: [0, 1], b: new Uint8Array([2, 0]) },
    { pk: 3, tag: 'three', v: [1, 1], b: new Uint8Array([3, 0]), color: 'blue' },
  ]);
  const q = [[1, 0.25]];
  let [hits] = await c.search(q, 'v', { metric_type: 'L2' }, 3);
  assert.deepEqual(hits.map((h) => [h.id, h.entity]), [[1, {}], [3, {}], [2, {}]]);
  assert.deepEqual(hits.map((h) => h.distance), [0.0625, 0.5625, 1.5625]);
  [hits] = await c.search(q, 'v', { metric_type: 'L2' }, 3, '', { output_fields: ['*'] });
  assert.deepEqual(hits[0], {
    id: 1, distance: 0.0625,
    entity: { pk: 1, tag: 'one', v: [1, 0], b: new Uint8Array([1, 0]), color: 'red', size: 3 },
  });
  assert.deepEqual(hits[2].entity, { pk: 2, tag: 'two', v: [0, 1], b: new Uint8Array([2, 0]) });
  [hits] = await c.search(q, 'v', { metric_type: 'L2' }, 2, '', { output_fields: ['color', 'tag'] });
  assert.deepEqual(hits.map((h) => h.entity), [{ tag: 'one', color: 'red' }, { tag: 'three', color: 'blue' }]);
  [hits] = await c.search(q, 'v', { metric_type: 'L2' }, 2, '', { output_fields: ['$meta'] });
  assert.deepEqual(hits.map((h) => h.entity), [{ color: 'red', size: 3 }, { color: 'blue' }]);
  [hits] = await c.search(q, 'v', { metric_type: 'L2' }, 1, '', { output_fields: ['pk', 'v'] });
  assert.deepEqual(hits[0].entity, { pk: 1, v: [1, 0] });
  // the binary field, found by name (two vector fields: anns_field is needed)
  [hits] = await c.search([new Uint8Array([1, 0])], 'b', {}, 3, '', { output_fields: ['b'] });
  assert.deepEqual(hits.map((h) => [h.id, h.distance, Array.from(h.entity.b)]), [[1, 0, [1, 0]], [3, 1, [3, 0]], [2, 2, [2, 0]]]);
  await rejects(() => c.search(q, undefined, {}, 3), { code: 1100, message: 'multiple anns_fields exist, please specify a anns_field in search_params' });
  // with the dynamic field, unknown names are dynamic keys (absent here)
  [hits] = await c.search(q, 'v', {}, 3, '', { output_fields: ['nope_field', 'size'] });
  assert.deepEqual(hits.map((h) => h.entity), [{ size: 3 }, {}, {}]);
});

test('keys: VARCHAR ids, INT64 ids beyond 2^53 as BigInt', async () => {
  const c = new Collection(uniqueName('keys'), new CollectionSchema([
    new FieldSchema('k', DataType.VARCHAR, { is_primary: true, max_length: 8 }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]));
  await c.insert([{ k: 'a', v: [0, 1] }, { k: 'b', v: [1, 0] }]);
  const [hits] = await c.search([[1, 0]], 'v', { metric_type: 'IP' }, 2);
  assert.deepEqual(hits, [{ id: 'b', distance: 1, entity: {} }, { id: 'a', distance: 0, entity: {} }]);
  const d = new Collection(uniqueName('keys'), new CollectionSchema([
    new FieldSchema('k', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]));
  await d.insert([{ k: 2n ** 60n, v: [1, 0] }, { k: -5, v: [0, 1] }]);
  const [h2] = await d.search([[1, 0]], 'v', { metric_type: 'L2' }, 2);
  assert.deepEqual(h2.map((h) => h.id), [2n ** 60n, -5]);
});

// ---- round_decimal ---------------------------------------------------------------------------------

test('round_decimal rounds distances half up, as Milvus does; -1 leaves them', async () => {
  const m = new Model(DataType.FLOAT_VECTOR, 16, { seed: 7 });
  await m.fill(300);
  const qs = m.queries(2);
  for (const metric of [L2, IP, COSINE]) {
    const raw = await m.collection.search(qs, 'v', { metric_type: metric }, 10);
    for (const rd of [0, 1, 3, 6]) {
      const res = await m.collection.search(qs, 'v', { metric_type: metric }, 10, '', { round_decimal: rd });
      res.forEach((hits, qi) => hits.forEach((h, i) => {
        assert.equal(h.id, raw[qi][i].id);
        assert.equal(h.distance, Math.floor(raw[qi][i].distance * 10 ** rd + 0.5) / 10 ** rd, `${metric} round_decimal ${rd}`);
      }));
    }
    const same = await m.collection.search(qs, 'v', { metric_type: metric, round_decimal: -1 }, 10);
    assert.deepEqual(same, raw);
    const viaParam = await m.collection.search(qs, 'v', { metric_type: metric, round_decimal: 2 }, 10);
    assert.equal(viaParam[0][0].distance, Math.floor(raw[0][0].distance * 100 + 0.5) / 100);
  }
  for (const bad of [7, -2, 1.5, '2'])
    await rejects(() => m.collection.search(qs, 'v', {}, 10, '', { round_decimal: bad }), { cls: ParamError, message: 'round_decimal' });
});

// ---- range search ------------------------------------------------------------------------------------

test('range search: range_filter <= d < radius for distances, radius < d <= range_filter for similarities', async () => {
  for (const [t, dim, metrics] of [[DataType.FLOAT_VECTOR, 17, [L2, IP, COSINE]], [DataType.BINARY_VECTOR, 64, [HAMMING, JACCARD]], [DataType.INT8_VECTOR, 8, [L2, IP]]]) {
    const m = new Model(t, dim, { ints: t === DataType.INT8_VECTOR, seed: 11 });
    await m.fill(600);
    for (const metric of metrics) {
      const qs = m.queries(2);
      const all = m.reference(qs, { metric })[0];
      // bounds at distances that occur, except for float metrics (between distinct values)
      const nudge = t === DataType.FLOAT_VECTOR || metric === JACCARD ? 1e-4 : 0;
      const better = all[Math.floor(all.length / 5)].distance, worse = all[Math.floor(all.length / 2)].distance;
      const radius = isDistance(metric) ? worse + nudge : worse - nudge;
      const range_filter = isDistance(metric) ? better - nudge : better + nudge;
      let res = await m.collection.search(qs, 'v', { metric_type: metric, params: { radius } }, 16384);
      assertHits(res, m.reference(qs, { metric, radius }), { limit: 16384, exact: t !== DataType.FLOAT_VECTOR, label: `${metric} radius` });
      res = await m.collection.search(qs, 'v', { metric_type: metric, params: { radius, range_filter } }, 50, '', { offset: 3 });
      assertHits(res, m.reference(qs, { metric, radius, range_filter }), { limit: 50, offset: 3, exact: t !== DataType.FLOAT_VECTOR, label: `${metric} range` });
      assert.ok(res[0].length > 0);
    }
  }
  const c = new Collection(uniqueName('range'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]));
  await c.insert([0, 1, 2, 3].map((i) => ({ id: i, v: [i, 0] })));
  const ids = async (param) => (await c.search([[0, 0]], 'v', param, 10))[0].map((h) => h.id);
  assert.deepEqual(await ids({ metric_type: 'L2', params: { radius: 4 } }), [0, 1]);
  assert.deepEqual(await ids({ metric_type: 'L2', params: { radius: 9, range_filter: 1 } }), [1, 2]);
  await rejects(() => ids({ metric_type: 'L2', params: { range_filter: 1 } }), { code: 1100, message: 'range_filter requires radius to be set; range_filter alone is not a valid range search parameter: invalid parameter[expected=range_filter][actual=]' });
  await rejects(() => ids({ metric_type: 'L2', params: { radius: 1, range_filter: 2 } }), { code: 1100, message: 'range_filter must be less than radius for L2' });
  await rejects(() => ids({ metric_type: 'IP', params: { radius: 1, range_filter: 0 } }), { code: 1100, message: 'range_filter must be greater than radius for IP' });
});

// ---- forms of query vectors ----------------------------------------------------------------------

test('query vectors: list of vectors, one vector, flat typed arrays, raw halves and bytes, sparse forms', async () => {
  // FLOAT: arrays, one array, Float32Array (one and flat nq × dim), Float64Array
  const f = new Model(DataType.FLOAT_VECTOR, 16, { seed: 21 });
  await f.fill(500);
  const qs = f.queries(3);
  const want = await f.collection.search(qs, 'v', { metric_type: 'L2' }, 5);
  assertHits(want, f.reference(qs, { metric: L2 }), { limit: 5, label: 'arrays' });
  const flat = new Float32Array(qs.flat());
  assert.deepEqual(await f.collection.search(flat, 'v', { metric_type: 'L2' }, 5), want);
  assert.deepEqual(await f.collection.search(new Float64Array(qs.flat()), 'v', { metric_type: 'L2' }, 5), want);
  assert.deepEqual(await f.collection.search(qs.map((q) => new Float32Array(q)), 'v', { metric_type: 'L2' }, 5), want);
  assert.deepEqual(await f.collection.search(qs[0], 'v', { metric_type: 'L2' }, 5), [want[0]]);
  assert.deepEqual(await f.collection.search(new Float32Array(qs[2]), 'v', { metric_type: 'L2' }, 5), [want[2]]);
  // the only vector field needs no name
  assert.deepEqual(await f.collection.search(qs, undefined, { metric_type: 'L2' }, 5), want);
  assert.deepEqual(await f.collection.search(qs, null, { metric_type: 'L2' }, 5), want);

  // BINARY: Uint8Array (one, flat), arrays of bytes
  const b = new Model(DataType.BINARY_VECTOR, 32, { seed: 22 });
  await b.fill(500);
  const bq = b.queries(2);
  const bwant = await b.collection.search(bq, 'v', {}, 6);
  assertHits(bwant, b.reference(bq, { metric: HAMMING }), { limit: 6, exact: true, label: 'binary' });
  const bflat = new Uint8Array([...bq[0], ...bq[1]]);
  assert.deepEqual(await b.collection.search(bflat, 'v', {}, 6), bwant);
  assert.deepEqual(await b.collection.search(bq.map((q) => Array.from(q)), 'v', {}, 6), bwant);
  assert.deepEqual(await b.collection.search(bq[1], 'v', {}, 6), [bwant[1]]);
  assert.deepEqual(await b.collection.search(Array.from(bq[1]), 'v', {}, 6), [bwant[1]]);

  // INT8: numbers, Int8Array, Uint8Array holding the two's-complement bytes
  const i8 = new Model(DataType.INT8_VECTOR, 17, { seed: 23 });
  await i8.fill(500);
  const iq = i8.queries(2);
  const iwant = await i8.collection.search(iq, 'v', { metric_type: 'IP' }, 6);
  assertHits(iwant, i8.reference(iq, { metric: IP }), { limit: 6, exact: true, label: 'int8' });
  assert.deepEqual(await i8.collection.search(iq.map((q) => Int8Array.from(q)), 'v', { metric_type: 'IP' }, 6), iwant);
  assert.deepEqual(await i8.collection.search(Int8Array.from(iq.flat()), 'v', { metric_type: 'IP' }, 6), iwant);
  assert.deepEqual(await i8.collection.search(new Uint8Array(Int8Array.from(iq.flat()).buffer), 'v', { metric_type: 'IP' }, 6), iwant);
  await rejects(() => i8.collection.search([iq[0].map((x, j) => (j ? x : 200))], 'v', {}, 6), { cls: ParamError, message: 'must be integers in [-128, 127], got 200' });

  // SPARSE: objects, Maps, { indices, values }, one vector alone
  const s = new Model(DataType.SPARSE_FLOAT_VECTOR, 0, { seed: 24 });
  await s.fill(500);
  const sq = s.queries(2);
  const swant = await s.collection.search(sq, 'v', {}, 8);
  assertHits(swant, s.reference(sq, { metric: IP }), { limit: 8, label: 'sparse' });
  const asMap = sq.map((q) => new Map(Object.entries(q).map(([k, v]) => [Number(k), v])));
  assert.deepEqual(await s.collection.search(asMap, 'v', {}, 8), swant);
  const asPairs = sq.map((q) => ({ indices: Object.keys(q).map(Number), values: Object.values(q) }));
  assert.deepEqual(await s.collection.search(asPairs, 'v', {}, 8), swant);
  assert.deepEqual(await s.collection.search(sq[0], 'v', {}, 8), [swant[0]]);
  assert.deepEqual(await s.collection.search(asMap[1], 'v', {}, 8), [swant[1]]);
});

test('FLOAT16 / BFLOAT16: queries are rounded to the field type; raw halves are taken', async () => {
  for (const t of [DataType.FLOAT16_VECTOR, DataType.BFLOAT16_VECTOR]) {
    const c = new Collection(uniqueName('half'), new CollectionSchema([
      new FieldSchema('id', DataType.INT64, { is_primary: true }),
      new FieldSchema('v', t, { dim: 3 }),
    ]));
    await c.insert([{ id: 1, v: [0.1, 0.2, 0.3] }, { id: 2, v: [0.3, 0.2, 0.1] }]);
    const [hits] = await c.search([[0.1, 0.2, 0.3]], 'v', { metric_type: 'L2' }, 2, '', { output_fields: ['v'] });
    assert.equal(hits[0].id, 1);
    assert.equal(hits[0].distance, 0); // the stored vector is the query rounded the same way
    // the stored halves, given back as a query
    const halves = t === DataType.FLOAT16_VECTOR ? new Uint16Array([0x2e66, 0x3266, 0x34cd]) : new Uint16Array([0x3dcd, 0x3e4d, 0x3e9a]);
    const [again] = await c.search(halves, 'v', { metric_type: 'L2' }, 1);
    assert.deepEqual(again.map((h) => [h.id, h.distance]), [[1, 0]]);
  }
});

// ---- errors ----------------------------------------------------------------------------------------

test('errors: Milvus messages and codes', async () => {
  const c = new Collection(uniqueName('err'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('n', DataType.INT32),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 4 }),
  ]));
  await c.insert({ id: 1, n: 1, v: [1, 2, 3, 4] });
  const q = [[1, 2, 3, 4]];
  await rejects(() => c.search(q, 'v', {}, 0), { code: 65535, message: 'topk [0] is invalid, it should be in range [1, 16384], but got 0' });
  await rejects(() => c.search(q, 'v', {}, 16385), { code: 65535, message: 'topk [16385] is invalid, it should be in range [1, 16384], but got 16385' });
  await rejects(() => c.search(q, 'v', { offset: 16000 }, 385), { code: 65535, message: 'offset+topk [16385] is invalid, it should be in range [1, 16384], but got 16385' });
  await rejects(() => c.search(q, 'v', {}, 10, '', { offset: -1 }), { code: 65535, message: 'offset [-1] is invalid, it should be in range [1, 16384], but got -1' });
  await rejects(() => c.search([], 'v', {}, 10), { code: 1100, message: 'nq [0] is invalid, nq (number of search vector per search request) should be in range [1, 16384], but got 0' });
  await rejects(() => c.search([[1, 2, 3]], 'v', {}, 10), { code: 1100, message: 'vector dimension mismatch, expected vector size(byte) 16, actual 12.' });
  // each vector's own size, as Milvus checks each line of the placeholder (the first wrong one);
  // vectors of other sizes are never taken as the concatenation of rows of the right size
  await rejects(() => c.search([[1, 2, 3, 4], [1, 2, 3, 4, 5]], 'v', {}, 10), { code: 1100, message: 'vector dimension mismatch, expected vector size(byte) 16, actual 20.' });
  await rejects(() => c.search([[1, 2, 3, 4, 5], [1, 2, 3]], 'v', {}, 10), { code: 1100, message: 'vector dimension mismatch, expected vector size(byte) 16, actual 20.' });
  await rejects(() => c.search([[1, 2, 3, 4, 5, 6], [1, 2]], 'v', {}, 10), { code: 1100, message: 'vector dimension mismatch, expected vector size(byte) 16, actual 24.' });
  await rejects(() => c.search(new Float32Array(6), 'v', {}, 10), { code: 1100, message: 'vector dimension mismatch, expected vector size(byte) 16, actual 8.' });
  await rejects(() => c.search(q, 'v', { metric_type: 'HAMMING' }, 10), { code: 1100, message: 'metric type not match: invalid parameter[expected=L2, IP or COSINE][actual=HAMMING]' });
  await rejects(() => c.search(q, 'v', { metric_type: 'BM25X' }, 10), { code: 1100, message: 'metric type BM25X not found or not supported' });
  await rejects(() => c.search(q, 'w', {}, 10), { message: 'fieldName(w) not found' });
  await rejects(() => c.search(q, 'n', {}, 10), { code: 1100, message: 'field (n) to search is not of vector data type' });
  await rejects(() => c.search(q, 'v', {}, 10, '', { partition_names: ['nope'] }), { code: 65535, message: 'partition name nope not found' });
  await rejects(() => c.search(q, 'v', {}, 10, '', { output_fields: ['nope'] }), { message: 'field nope not exist' });
  await rejects(() => c.search([[1, 2, NaN, 4]], 'v', {}, 10), { message: "value 'NaN' is not a number or infinity" });
  await rejects(() => c.search(q, 'v', {}, 10, 5), { cls: ParamError, message: 'The type of expr must be string' });
  await rejects(() => c.search(q, 5, {}, 10), { cls: ParamError, message: 'anns_field must be a string' });
  await rejects(() => c.search(q, 'v', 'L2', 10), { cls: ParamError, message: 'search param must be a dict' });
  await rejects(() => c.search('nope', 'v', {}, 10), { cls: ParamError, message: 'search data must be a list of vectors' });
  await rejects(() => c.search([['a', 'b', 'c', 'd']], 'v', {}, 10), { cls: ParamError, message: 'must be numbers' });
  await rejects(() => c.search(q, 'v', {}, 1.5), { cls: ParamError, message: '`limit` value 1.5 is illegal' });
  await rejects(() => c.search(q, 'v', {}, 10, '', { timeout: -1 }), { cls: ParamError, message: 'timeout' });
  // a dropped collection
  c.drop();
  await rejects(() => c.search(q, 'v', {}, 10), { code: 100, message: "can't find collection" });
});

test('an empty collection, an empty partition, a filter matching nothing: one empty list per query', async () => {
  const c = new Collection(uniqueName('empty'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]));
  assert.deepEqual(await c.search([[1, 0], [0, 1]], 'v', {}, 10), [[], []]);
  const p = c.create_partition('p');
  await c.insert([{ id: 1, v: [1, 0] }]);
  assert.deepEqual(await p.search([[1, 0]], 'v', {}, 10), [[]]);
  assert.deepEqual(await c.search([[1, 0]], 'v', {}, 10, 'id in [2, 3]'), [[]]);
  assert.deepEqual(await c.search([[1, 0]], 'v', {}, 10, 'id in [1]'), [[{ id: 1, distance: 1, entity: {} }]]);
  await c.delete('id in [1]');
  assert.deepEqual(await c.search([[1, 0]], 'v', {}, 10), [[]]);
});

test('parameters are taken as given: NaN, Infinity, BigInts and strings are refused, never replaced by a default (issue 13)', async () => {
  const c = new Collection(uniqueName('params'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]));
  await c.insert([{ id: 1, v: [1, 0] }, { id: 2, v: [0, 1] }, { id: 3, v: [1, 1] }]);
  const q = [[1, 0]];
  // limit and offset: pymilvus's client check, in the core
  for (const [bad, text] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'], [10n, '10n'], ['10', '10'], [true, 'true'], [2.5, '2.5']]) {
    await rejects(() => c.search(q, 'v', { metric_type: 'L2' }, bad), { cls: ParamError, message: `\`limit\` value ${text} is illegal` });
    await rejects(() => c.search(q, 'v', { metric_type: 'L2', limit: bad }), { cls: ParamError, message: `\`limit\` value ${text} is illegal` });
    await rejects(() => c.search(q, 'v', { metric_type: 'L2', offset: bad }, 2), { cls: ParamError, message: `\`offset\` value ${text} is illegal` });
    const shown = bad === true ? 'bool' : text;
    await rejects(() => c.query('id > 0', { limit: bad }), { code: 1100, message: `limit [${shown}] is invalid, should be an integer` });
    await rejects(() => c.query('id > 0', { limit: 2, offset: bad }), { code: 1100, message: `offset [${shown}] is invalid, should be an integer` });
  }
  // null and undefined are "not given": the defaults
  assert.equal((await c.search(q, 'v', { metric_type: 'L2' }, null))[0].length, 3);
  assert.equal((await c.search(q, 'v', { metric_type: 'L2', offset: null }, 2))[0].length, 2);
  assert.equal((await c.query('id > 0', { limit: null })).length, 3);
  // range search bounds, as Milvus's index layer reads them: numbers, or strings holding one
  for (const [bad, message] of [
    [NaN, "invalid float value, key: 'radius', value: 'NaN'"], [Infinity, "invalid float value, key: 'radius', value: 'Infinity'"],
    ['x', "invalid float value, key: 'radius', value: 'x'"], [10n, "invalid float value, key: 'radius', value: '10n'"],
    [null, "Type conflict in json: param 'radius' (null) should be a number"], [true, "Type conflict in json: param 'radius' (true) should be a number"],
  ]) await rejects(() => c.search(q, 'v', { metric_type: 'L2', params: { radius: bad } }, 3), { code: 1100, message });
  await rejects(() => c.search(q, 'v', { metric_type: 'L2', params: { radius: 5, range_filter: NaN } }, 3),
    { code: 1100, message: "invalid float value, key: 'range_filter', value: 'NaN'" });
  await rejects(() => c.search(q, 'v', { metric_type: 'L2', params: 5 }, 3), { cls: ParamError, message: 'search params must be a dict' });
  const ids = (hits) => hits[0].map((h) => h.id);
  assert.deepEqual(ids(await c.search(q, 'v', { metric_type: 'L2', params: { radius: '1.5' } }, 3)), [1, 3]);
  assert.deepEqual(ids(await c.search(q, 'v', { metric_type: 'L2', params: { radius: 1.5 } }, 3)), [1, 3]);
  for (const [bad, text] of [[NaN, 'NaN'], [2n, '2n'], ['2', '2']])
    await rejects(() => c.search(q, 'v', { metric_type: 'L2' }, 3, '', { round_decimal: bad }), { cls: ParamError, message: `\`round_decimal\` value ${text} is illegal` });
});

// A flat typed array of query vectors is copied as its elements are, never through code of the
// caller's (an own Symbol.iterator, which TypedArray.from would follow), and its number of
// vectors is taken from its length before anything is copied.
test('query vectors: a flat typed array is read by its elements, not by its iterator', async () => {
  const c = new Collection(uniqueName('flat'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]));
  try {
    await c.insert([{ id: 1, v: [1, 0] }, { id: 2, v: [0, 1] }]);
    for (const Ctor of [Float32Array, Float64Array]) {
      const q = new Ctor([1, 0]);
      let ran = false;
      Object.defineProperty(q, Symbol.iterator, { value: function* () { ran = true; yield 0; yield 1; } });
      const [hits] = await c.search(q, 'v', { metric_type: 'L2' }, 1);
      assert.deepEqual(hits.map((h) => [h.id, h.distance]), [[1, 0]], Ctor.name);
      assert.equal(ran, false, `${Ctor.name}: the caller's iterator ran`);
    }
  } finally {
    c.drop();
  }
});
