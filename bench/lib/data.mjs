// Deterministic workload data for the benchmarks: unit-normalised Gaussian float32 vectors, an
// INT64 key, `tag` (a VARCHAR with 16 values) and `n` (an INT32 in [0, 1e6)).

/** The rows' schema in partita, from its API module (the package, or a checkout's
 * web/src/node.js): `id` the INT64 key, `vec` the vectors, `tag` a VARCHAR, `n` an INT32. */
export function benchSchema({ CollectionSchema, FieldSchema, DataType }, dim) {
  return new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('vec', DataType.FLOAT_VECTOR, { dim }),
    new FieldSchema('tag', DataType.VARCHAR, { max_length: 16 }),
    new FieldSchema('n', DataType.INT32),
  ]);
}

export const TAGS = Array.from({ length: 16 }, (_, i) => `tag${String(i).padStart(2, '0')}`);
export const KEY_BASE = 10_000_000_000; // beyond 2^32, still an exact JS number
export const KEY_STEP = 7;

/** xorshift128+ stream in [0, 1), seeded; the 64-bit state kept as 32-bit halves (BigInt
 * arithmetic made a million 128-d rows take minutes), the same stream as BigInt would give. */
export function random(seed) {
  const a = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n + 1n), b = a ^ 0xda3e39cb94b95bdbn;
  let h0 = Number(a >> 32n), l0 = Number(a & 0xffffffffn), h1 = Number(b >> 32n), l1 = Number(b & 0xffffffffn);
  const pool = new Uint32Array(2048);
  let at = pool.length;
  const refill = () => {
    for (let i = 0; i < pool.length; i += 2) {
      let xh = h0, xl = l0;
      const yh = h1, yl = l1;
      h0 = yh, l0 = yl;
      // x ^= x << 23
      xh = (xh ^ ((xh << 23) | (xl >>> 9))) >>> 0;
      xl = (xl ^ (xl << 23)) >>> 0;
      // s1 = x ^ y ^ (x >> 17) ^ (y >> 26)
      h1 = (xh ^ yh ^ (xh >>> 17) ^ (yh >>> 26)) >>> 0;
      l1 = (xl ^ yl ^ ((xl >>> 17) | (xh << 15)) ^ ((yl >>> 26) | (yh << 6))) >>> 0;
      // r = s1 + y
      const lo = l1 + yl;
      pool[i] = lo >>> 0;
      pool[i + 1] = (h1 + yh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    }
    at = 0;
  };
  return () => {
    if (at >= pool.length) refill();
    return pool[at++] / 4294967296;
  };
}

/** count unit vectors of `dim` floats, row after row. */
export function unitVectors(count, dim, seed) {
  const out = new Float32Array(count * dim);
  const r = random(seed);
  for (let i = 0; i < out.length; i += 2) {
    const u = r() || 1e-12, v = r();
    const m = Math.sqrt(-2 * Math.log(u));
    out[i] = m * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = m * Math.sin(2 * Math.PI * v);
  }
  for (let o = 0; o < out.length; o += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += out[o + j] * out[o + j];
    const k = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) out[o + j] *= k;
  }
  return out;
}

/** The base rows (W1) and the upserts (W2: half overwrite existing keys, half are new). */
export function dataset(N, dim) {
  const vectors = unitVectors(N, dim, 1);
  const rt = random(2), rn = random(3);
  const ids = new Float64Array(N), tags = new Array(N), ns = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    ids[i] = KEY_BASE + i * KEY_STEP;
    tags[i] = TAGS[Math.floor(rt() * TAGS.length)];
    ns[i] = Math.floor(rn() * 1_000_000);
  }
  const M = N >> 1;
  const up = { M, vectors: unitVectors(M, dim, 4), ids: new Float64Array(M), tags: new Array(M), ns: new Int32Array(M) };
  const rp = random(5), rt2 = random(6), rn2 = random(7);
  const order = Int32Array.from({ length: N }, (_, i) => i);
  for (let i = N - 1; i > 0; i--) {
    const j = Math.floor(rp() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  let fresh = 0;
  for (let j = 0; j < M; j++) {
    const slot = j % 2 === 0 ? order[j >> 1] : N + fresh++;
    up.ids[j] = KEY_BASE + slot * KEY_STEP;
    up.tags[j] = TAGS[Math.floor(rt2() * TAGS.length)];
    up.ns[j] = Math.floor(rn2() * 1_000_000);
  }
  return { N, dim, vectors, ids, tags, ns, up, liveAfterUpsert: N + fresh };
}

/** Row objects {id, vec, tag, n} as a user hands them over (vec: a fresh Float32Array). */
export function rowsOf(src, start, count, dim) {
  const rows = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = start + k;
    rows[k] = { id: src.ids[i], vec: src.vectors.slice(i * dim, (i + 1) * dim), tag: src.tags[i], n: src.ns[i] };
  }
  return rows;
}

/** The same batch as typed columns, in schema order. */
export function columnsOf(src, start, count, dim) {
  return [
    src.ids.slice(start, start + count),
    src.vectors.slice(start * dim, (start + count) * dim),
    src.tags.slice(start, start + count),
    src.ns.slice(start, start + count),
  ];
}

/**
 * A Gaussian mixture (issue 18's clustered set; uniform random vectors defeat every graph index
 * and are not a target): `centres` centres uniform in [-1, 1]^dim, then `count` rows and
 * `queries` queries, each around a centre drawn uniformly, sigma per dimension. Deterministic.
 */
export function mixture(count, dim, { queries = 200, centres = 1000, sigma = 0.35, seed = 18 } = {}) {
  const r = random(seed);
  const c = new Float32Array(centres * dim);
  for (let i = 0; i < c.length; i++) c[i] = r() * 2 - 1;
  const gauss = () => {
    const u = r() || 1e-12, v = r();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const draw = (n) => {
    const out = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      const o = Math.floor(r() * centres) * dim;
      for (let d = 0; d < dim; d++) out[i * dim + d] = c[o + d] + sigma * gauss();
    }
    return out;
  };
  const vectors = draw(count);
  return { N: count, dim, vectors, queries: draw(queries), Q: queries };
}
