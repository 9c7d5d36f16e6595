// The browser side of the index bench's million mode (bench/lib/ann-page.mjs opens a page on
// its own server and calls run() here): one library's HNSW built and searched in this page,
// over the data file the Node side wrote (rows then queries, float32). The page is
// cross-origin isolated, so that performance.now() resolves microseconds, not 100 µs.

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs the 200 queries at each search parameter (after warm-up queries), each timed alone. */
function curve(params, set, search, Q, warm) {
  set(params[0]);
  for (let i = 0; i < 10 * warm; i++) search(i % Q);
  return params.map((p) => {
    set(p);
    for (let i = 0; i < warm; i++) search(i % Q);
    const ids = [], lat = [];
    for (let q = 0; q < Q; q++) {
      const t = performance.now();
      ids.push(search(q));
      lat.push(performance.now() - t);
    }
    return { p, ms: lat.reduce((a, b) => a + b, 0), medianMs: median(lat), ids };
  });
}

export async function run({ lib, data, hnswlibFile, N, dim, Q, K, M, efConstruction, seed, efs, warm }) {
  if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated: timings would be coarse');
  const buf = await (await fetch(data)).arrayBuffer();
  if (buf.byteLength !== (N + Q) * dim * 4) throw new Error(`${data}: ${buf.byteLength} bytes`);
  const vectors = new Float32Array(buf, 0, N * dim), queries = new Float32Array(buf, N * dim * 4, Q * dim);
  if (lib === 'partita HNSW') {
    const { default: create } = await import('/build/em/probe/index.mjs');
    const P = await create({ locateFile: (n) => `/build/em/probe/${n}` });
    const rows = P._probe_alloc(N * dim * 4) >>> 0, qs = P._probe_alloc(Q * dim * 4) >>> 0, out = P._probe_alloc(K * 4) >>> 0;
    if (!rows || !qs || !out) throw new Error('partita: out of memory');
    P.HEAPF32.set(vectors, rows / 4);
    P.HEAPF32.set(queries, qs / 4);
    const t0 = performance.now();
    const ix = P._probe_index_build(1, rows, N, dim, M, efConstruction, 0, 0, seed);
    const buildMs = performance.now() - t0;
    if (!ix) throw new Error('partita: the HNSW build failed');
    let ef = K;
    const ids = (n) => Array.from(P.HEAPU32.subarray(out / 4, out / 4 + n));
    const points = curve(efs, (e) => (ef = Math.max(e, K)), (q) => ids(P._probe_index_search(ix, qs + q * dim * 4, K, ef, 0, 0, out)), Q, warm);
    // the exact scan with the same kernel, in this page: what the index has to beat
    const exact = [];
    for (let q = 0; q < Q; q++) {
      const t = performance.now();
      P._probe_exact_search(rows, N, dim, qs + q * dim * 4, K, out);
      exact.push(performance.now() - t);
    }
    return { rows: N, buildMs, bytes: P._probe_hnsw_bytes(ix), param: 'ef', points, exactMedianMs: median(exact) };
  }
  if (lib === 'hnswlib-wasm HNSW') {
    const lib = await (await import(hnswlibFile)).default();
    const idx = new lib.HierarchicalNSW('l2', dim, '');
    const m0 = lib.HEAPU8?.buffer.byteLength;
    idx.initIndex(N, M, efConstruction, seed);
    const t0 = performance.now();
    for (let r = 0; r < N; r++) idx.addPoint(vectors.subarray(r * dim, (r + 1) * dim), r, false);
    const buildMs = performance.now() - t0;
    const grown = m0 ? lib.HEAPU8.buffer.byteLength - m0 : 0;
    const bytes = grown > N * dim * 4 ? grown - N * dim * 4 : undefined; // undefined: it did not grow
    const qv = Array.from({ length: Q }, (_, q) => queries.subarray(q * dim, (q + 1) * dim));
    const points = curve(efs, (e) => idx.setEfSearch(e), (q) => Array.from(idx.searchKnn(qv[q], K, undefined).neighbors), Q, warm);
    return { rows: N, buildMs, bytes, param: 'ef', points };
  }
  throw new Error(`unknown library ${lib}`);
}
