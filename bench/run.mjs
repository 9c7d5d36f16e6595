// npm run bench — partita next to the alternatives a user would pick, measured in the same run
// on the same data, each case in a fresh Node process (so each starts from fresh memory):
//   ingest   W1 insert 100k rows, W2 upsert 50k rows (half new): rows/s
//   search   W3 exact top-10: median ms of 50 queries, recall@10 vs brute force
//   filter   W4 `n > 500000 and tag in [3 tags]` and a selective query (2% of the rows),
//            returning ids: median ms of 61 runs, each next to a plain JS loop over the same
//            typed columns and string array that builds the same objects, in the same process
//   Every timed query runs after WARM warm-up runs, for every case alike: V8 first runs
//   WebAssembly (and JS) on a baseline tier and swaps in optimised code after some use; the
//   figures are the steady state an application sees after its first ~100 ms of queries.
//   index    partita's HNSW, HNSW_SQ, IVF_FLAT, IVF_SQ8 (the C core through the index probe,
//            bench/probe/index.c; HNSW also through create_index) beside hnswlib-wasm's and
//            edgevec's HNSW, at 100k x 128 on a Gaussian mixture and on WordNet glosses (TF-IDF,
//            projected): build rows/s, bytes per row, recall@10 and median latency per ef /
//            nprobe, interleaved processes, medians (bench/lib/ann.mjs). With --million (or
//            PARTITA_BENCH_MILLION=1): 1,000,000 x 128 built and searched in a headless Chromium
//            page, partita's HNSW and hnswlib-wasm's (bench/lib/ann-page.mjs)
//   fts      WordNet's glosses, BM25 search by text next to MiniSearch, Orama, FlexSearch (bench/lib/fts.mjs)
//   start    init() + creating a collection, in fresh processes; hnswlib-wasm's load beside it
//   size     the .wasm and the minified JS glue, gzipped, against the budgets (bench/size.mjs)
//   forward  upserts forwarded to a partita-serve process on loopback (rows/s), next to the same
//            HTTP requests (recorded bodies) sent directly with fetch, one at a time as the
//            forwarder sends them: what forwarding adds besides batching
//   durable  upserts of 1,000-row batches into a durable store (fdatasync per batch; a group
//            commit window with 8 calls in flight) next to in memory and to SQLite in WAL mode
//            (synchronous FULL) doing the same row writes with the same syncs; the reopen of a
//            1,000,000-row store (bench/lib/durable.mjs)
// Peers: a plain columnar JS store (bench/lib/columnar-js.mjs), hnswlib-wasm's BruteforceSearch
// (the fastest exact WebAssembly peer measured for this project), and the physical limit: one
// SIMD128 pass over the vectors (bench/probe/scan.c). Absolute times drift between runs on
// shared VMs; the ratios measured in one run are what to compare.
//
//   node --expose-gc bench/run.mjs [--only ingest|search|filter|index|cold|fts|start|size|forward|durable|grpc] [--json out.json]
//        cold: [--rows 100000] [--reps 3]: a durable IVF_SQ8 store with and without coldVectors
//        (bench/lib/cold.mjs)
//        index: [--reps 3] [--rows 100000] [--sets mixture,wordnet] [--edgevec-rows 20000]
//        [--index-cases IVF_SQ8,IVF_RABITQ,exact]: only the cases whose names hold one of these
//        (PARTITA_BENCH_RBQ_PARAMS="8/10,8/20": IVF_RABITQ's nprobe/refine_k points instead of
//        its default curve)
//        [--before dir]: dir holds index.mjs / index.wasm, the index probe built from another
//        commit (build/em/probe/ there), run as one more case; [--million]: the page run at 1M;
//        --sets may name `filtered` (bench/lib/ann-filter.mjs: HNSW under filters passing 50 %..1 %
//        beside the exact filtered search); [--index-reopen] (or PARTITA_BENCH_INDEX_REOPEN=1):
//        the reopen of a durable store holding --rows (1,000,000) indexed rows, built once under
//        the OS temp directory and kept (bench/lib/index-reopen.mjs); [--index-reopen-efc 64]: a
//        cheaper build for a small machine (the index's bytes depend on M, not efConstruction)
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { benchSchema, columnsOf, dataset, rowsOf, unitVectors } from './lib/data.mjs';
import { ColumnarStore } from './lib/columnar-js.mjs';
import { EDGEVEC_ROWS, HNSW, INDEX_CASES, K, Q, SET_TITLES, WARM as INDEX_WARM, indexSuite, loadHnswlib, loadProbe, truthOf } from './lib/ann.mjs';
import { millionInPage } from './lib/ann-page.mjs';
import { FILTER_CASES, filteredSuite } from './lib/ann-filter.mjs';
import { INDEX_REOPEN_CASES, indexReopenSuite } from './lib/index-reopen.mjs';
import { coldCases, coldSuite } from './lib/cold.mjs';
import { FTS_CASES, ftsSuite } from './lib/fts.mjs';
import { printSizes, sizes } from './size.mjs';
import { WARM_BATCHES, diskAppends, partitaUpserts, reopen, sqliteUpserts } from './lib/durable.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const BATCH = 1000;
const START_BUDGET_MS = 20;
const WARM = 50;
const FILTER = { nGt: 500000, tags: ['tag01', 'tag05', 'tag09'] };
// n is uniform in [0, 1e6) and tag in 16 values: 16% x 2/16 of the rows, about 2%
const FILTER_SELECTIVE = { nGt: 840000, tags: ['tag01', 'tag03'] };
const filterExpr = (f) => `n > ${f.nGt} and tag in [${f.tags.map((t) => `"${t}"`).join(', ')}]`;
const W4_EXPR = filterExpr(FILTER);
const FILTER_ROUNDS = 61;

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function batches(src, make, dim, count, size = BATCH) {
  const out = [];
  for (let i = 0; i < count; i += size) out.push(make(src, i, Math.min(size, count - i), dim));
  return out;
}

// Every ingest case first runs its own code on a small throwaway store: 8-d rows, batches of
// 50, loaded and then upserted WARM_ROUNDS times, under 1 MB in all. What is timed after that is
// the load into fresh memory with the code already compiled by the engine's optimizing tier
// (V8 compiles hot WebAssembly and JS functions a second time, in the background, and that
// compile's own memory costs about a third of a first load's page faults). The warm store is
// dropped before the timed load; its few pages may be reused. The start case times a cold start.
const WARM_ROUNDS = 5;
const warmData = () => dataset(2000, 8);
// What V8 does on its background threads is let finish before a timed ingest region, so that
// it is not counted in the region (each case alike, the limit's too):
//  - after a warm-up, the optimizing compiles it queued: the largest (the core's write, ~45 KB
//    of WebAssembly: 85-100 ms of TurboFan here) was still compiling when the timed load began,
//    whose first ~15 batches ran the baseline code while the compile took one processor of the
//    two (--trace-wasm-compilation-times);
//  - after the gc() that clears what building the input left, its concurrent sweeping: the
//    100,000 Float32Arrays of a batch list of rows as objects are 100,000 ArrayBuffers, swept on
//    background threads that competed with the load (rows 2.2-2.6x the limit without the wait,
//    1.8-1.9x with it, alternated processes).
// PT_BENCH_SETTLE_MS=0 times without the waits.
const SETTLE_MS = Number(process.env.PT_BENCH_SETTLE_MS ?? 300);
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
/** gc(), then the settle: the start of a timed ingest region. */
async function quiesce() {
  globalThis.gc?.();
  await settle();
}

async function partitaCollection(dim) {
  const partita = await import('partita');
  const { init, Collection } = partita;
  const t0 = performance.now();
  await init();
  const c = new Collection('bench', benchSchema(partita, dim));
  return { c, startMs: performance.now() - t0 };
}

/** 50 queries: half random unit vectors, half near stored rows. */
function queries(ds, Q = 50) {
  const { dim } = ds;
  const rnd = unitVectors(Q, dim, 31337);
  const out = [];
  for (let i = 0; i < Q; i++) {
    const q = rnd.slice(i * dim, (i + 1) * dim);
    if (i % 2) {
      const r = (i * 7919) % ds.N;
      let s = 0;
      for (let d = 0; d < dim; d++) { q[d] = ds.vectors[r * dim + d] + 0.3 * q[d]; s += q[d] * q[d]; }
      for (let d = 0; d < dim; d++) q[d] /= Math.sqrt(s);
    }
    out.push(q);
  }
  return out;
}

/** Exact L2 top-k ids over the base rows (the ground truth for recall). */
function truth(ds, q, k) {
  const { dim, vectors: V, N } = ds;
  const best = [];
  for (let r = 0; r < N; r++) {
    let d = 0;
    for (let j = 0, o = r * dim; j < dim; j++) { const t = V[o + j] - q[j]; d += t * t; }
    if (best.length < k || d < best[best.length - 1][0]) {
      best.push([d, ds.ids[r]]);
      best.sort((a, b) => a[0] - b[0]);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b[1]);
}

function timeQueries(qs, run, warm = WARM) {
  for (let i = 0; i < warm; i++) run(qs[i % qs.length]);
  const ts = [];
  const results = [];
  for (const q of qs) {
    const t0 = performance.now();
    results.push(run(q));
    ts.push(performance.now() - t0);
  }
  return { ms: median(ts), results };
}

async function timeQueriesAsync(qs, run, warm = WARM) {
  for (let i = 0; i < warm; i++) await run(qs[i % qs.length]);
  const ts = [];
  const results = [];
  for (const q of qs) {
    const t0 = performance.now();
    results.push(await run(q));
    ts.push(performance.now() - t0);
  }
  return { ms: median(ts), results };
}

function recall(ds, qs, results, k = 10) {
  const sample = qs.slice(0, 10); // brute force in JS is slow: recall over 10 of the queries
  let hit = 0;
  sample.forEach((q, i) => {
    const want = new Set(truth(ds, q, k));
    hit += results[i].filter((id) => want.has(id)).length;
  });
  return hit / (sample.length * k);
}

// ---------------------------------------------------------------------------------------------
// cases (each runs in its own process)
// ---------------------------------------------------------------------------------------------

const CASES = {
  // ---- durability (bench/lib/durable.mjs) ----
  'durable|partita in memory': (p) => partitaUpserts({ ...p, durable: null }, root),
  'durable|partita durable: fdatasync per batch': (p) => partitaUpserts({ ...p, durable: {} }, root),
  "durable|the disk alone: a batch's log bytes appended and fdatasynced": (p) => diskAppends(p, root),
  "durable|the disk alone: 8 batches' log bytes a write and fdatasync": (p) => diskAppends({ ...p, perSync: 8 }, root),
  'durable|partita durable: fdatasync per batch, 8 calls in flight': (p) => partitaUpserts({ ...p, durable: {}, writers: 8 }, root),
  'durable|partita durable: written, fsync none': (p) => partitaUpserts({ ...p, durable: { fsync: 'none' } }, root),
  'durable|partita durable: group commit 2 ms, 8 calls in flight': (p) => partitaUpserts({ ...p, durable: { groupCommitMs: 2 }, writers: 8 }, root),
  'durable|SQLite WAL: a transaction per batch': (p) => sqliteUpserts(p, root),
  'durable|SQLite WAL: a transaction per 8 batches': (p) => sqliteUpserts({ ...p, perCommit: 8 }, root),
  'durable|SQLite WAL, synchronous OFF (no fsync): a transaction per batch': (p) => sqliteUpserts({ ...p, synchronous: 'OFF' }, root),
  'reopen|partita': (p) => reopen(p, root),
  ...FTS_CASES,
  // ---- W1 / W2 ingest ----
  'ingest|columnar JS: insert rows': async ({ N, dim }) => {
    warmColumnar();
    await settle();
    const ds = dataset(N, dim);
    const s = new ColumnarStore(dim);
    const bs = batches(ds, rowsOf, dim, N);
    await quiesce();
    const t0 = performance.now();
    for (const b of bs) s.upsert(b);
    return { rowsPerSecond: N / ((performance.now() - t0) / 1000) };
  },
  'ingest|columnar JS: upsert rows (half new)': async ({ N, dim }) => {
    warmColumnar();
    await settle();
    const ds = dataset(N, dim);
    const s = new ColumnarStore(dim);
    for (const b of batches(ds, rowsOf, dim, N)) s.upsert(b);
    const bs = batches(ds.up, rowsOf, dim, ds.up.M);
    await quiesce();
    const t0 = performance.now();
    for (const b of bs) s.upsert(b);
    if (s.live !== ds.liveAfterUpsert) throw new Error(`columnar JS: ${s.live} live rows, expected ${ds.liveAfterUpsert}`);
    return { rowsPerSecond: ds.up.M / ((performance.now() - t0) / 1000) };
  },
  'ingest|fresh-page limit': async ({ N, dim }) => writeLimit(dataset(N, dim)),
  'ingest|hnswlib-wasm BruteforceSearch: insert vectors': async ({ N, dim }) => hnswIngest(N, dim, 'insert'),
  'ingest|hnswlib-wasm BruteforceSearch: upsert vectors (half new)': async ({ N, dim }) => hnswIngest(N, dim, 'upsert'),
  'ingest|partita: insert rows': async ({ N, dim }) => partitaIngest(N, dim, 'insert', rowsOf),
  'ingest|partita: reload typed columns after drop()': async ({ N, dim }) => partitaIngest(N, dim, 'reload', columnsOf),
  'forward|partita forwarding': forwardBench,
  'ingest|partita: insert typed columns': async ({ N, dim }) => partitaIngest(N, dim, 'insert', columnsOf),
  'ingest|partita: upsert rows (half new)': async ({ N, dim }) => partitaIngest(N, dim, 'upsert', rowsOf),
  'ingest|partita: upsert typed columns (half new)': async ({ N, dim }) => partitaIngest(N, dim, 'upsert', columnsOf),

  // ---- W3 search ----
  'search|partita (exact, SIMD128)': async ({ N, dim }) => {
    const ds = dataset(N, dim);
    const { c } = await partitaCollection(dim);
    for (const b of batches(ds, columnsOf, dim, N)) await c.insert(b);
    const qs = queries(ds);
    const { ms, results } = await timeQueriesAsync(qs, async (q) => (await c.search([q], 'vec', { metric_type: 'L2' }, 10))[0].map((h) => h.id));
    return { ms, recall: recall(ds, qs, results) };
  },
  'search|scan limit (one SIMD128 pass)': async ({ N, dim }) => {
    const ds = dataset(N, dim);
    const P = await loadProbe(path.join(root, 'build/em/probe'), 'scan');
    const m = P._probe_alloc(N * dim) >>> 0;
    P.HEAPF32.set(ds.vectors, m / 4);
    const qp = P._probe_alloc(dim) >>> 0;
    const qs = queries(ds);
    const { ms } = timeQueries(qs, (q) => {
      P.HEAPF32.set(q, qp / 4);
      return P._probe_scan(m, N, dim, qp);
    });
    return { ms };
  },
  'search|columnar JS (exact)': async ({ N, dim }) => {
    const ds = dataset(N, dim);
    const s = new ColumnarStore(dim, N);
    for (const b of batches(ds, rowsOf, dim, N)) s.upsert(b);
    const qs = queries(ds);
    const { ms, results } = timeQueries(qs, (q) => s.search(q, 10));
    return { ms, recall: recall(ds, qs, results) };
  },
  'search|hnswlib-wasm BruteforceSearch (exact)': async ({ N, dim }) => {
    const ds = dataset(N, dim);
    const lib = await loadHnswlib();
    const idx = new lib.BruteforceSearch('l2', dim);
    idx.initIndex(N);
    for (let r = 0; r < N; r++) idx.addPoint(ds.vectors.subarray(r * dim, (r + 1) * dim), r);
    const qs = queries(ds);
    const { ms, results } = timeQueries(qs, (q) => {
      const res = idx.searchKnn(q, 10, undefined);
      const order = Array.from(res.neighbors.keys()).sort((a, b) => res.distances[a] - res.distances[b]);
      return order.map((i) => ds.ids[res.neighbors[i]]);
    });
    return { ms, recall: recall(ds, qs, results) };
  },

  // ---- W4 and a selective filtered query, each against a plain JS loop in the same process ----
  'filter|partita': async ({ N, dim }) => {
    const ds = dataset(N, dim);
    const { c } = await partitaCollection(dim);
    for (const b of batches(ds, columnsOf, dim, N)) await c.insert(b);
    const out = {};
    for (const [key, f] of [['W4', FILTER], ['selective', FILTER_SELECTIVE]]) {
      const expr = filterExpr(f);
      const r = await alternated(() => c.query(expr, { output_fields: ['id'] }), () => PLAIN_LOOPS[key](ds), FILTER_ROUNDS);
      const [mine, loop] = r.results;
      if (loop.length !== expected(ds, f) || mine.length !== loop.length || mine.some((row, i) => row.id !== loop[i].id))
        throw new Error(`partita ${key}: ${mine.length} rows, the plain loop ${loop.length}, expected ${expected(ds, f)}`);
      out[key] = { expr, ms: r.ms[0], loopMs: r.ms[1], ratio: r.ratio, count: loop.length };
    }
    return { ms: out.W4.ms, count: out.W4.count, queries: out };
  },
  'filter|columnar JS': async ({ N, dim }) => {
    const ds = dataset(N, dim);
    const s = new ColumnarStore(dim, N);
    for (const b of batches(ds, rowsOf, dim, N)) s.upsert(b);
    const want = expected(ds, FILTER);
    const { ms, results } = timeQueries(new Array(9).fill(0), () => s.filter(FILTER.nGt, FILTER.tags));
    if (results[0].length !== want) throw new Error(`columnar JS W4: ${results[0].length} ids, expected ${want}`);
    return { ms, count: want };
  },

  // ---- index: every library in its own processes (bench/lib/ann.mjs) ----
  ...INDEX_CASES,
  ...FILTER_CASES,
  ...INDEX_REOPEN_CASES,
  ...coldCases(root),

  // ---- cold start (the process is fresh: nothing is compiled or cached yet) ----
  'start|partita': async () => {
    const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
    const t0 = performance.now(), c0 = cpu();
    await import('partita');
    const t1 = performance.now(), c1 = cpu();
    const { startMs } = await partitaCollection(128);
    return { importMs: t1 - t0, ms: startMs, cpuMs: cpu() - c1, importCpuMs: c1 - c0 };
  },
  'start|hnswlib-wasm': async () => {
    const t0 = performance.now();
    const lib = await loadHnswlib();
    new lib.BruteforceSearch('l2', 128).initIndex(1);
    return { ms: performance.now() - t0 };
  },
};

/** What a user could write instead of each query: one loop over typed columns (ids, n) and a
 * string array (tags), building the same objects the query returns, with the query's constants
 * spelled out (0.36 ms for the selective one, against 0.55-0.60 ms with the tags in a Set,
 * includes() or an inner loop, measured). */
const PLAIN_LOOPS = {
  W4: ({ ids, ns, tags, N }) => {
    const out = [];
    for (let i = 0; i < N; i++) {
      if (ns[i] <= 500000) continue;
      const t = tags[i];
      if (t === 'tag01' || t === 'tag05' || t === 'tag09') out.push({ id: ids[i] });
    }
    return out;
  },
  selective: ({ ids, ns, tags, N }) => {
    const out = [];
    for (let i = 0; i < N; i++) {
      if (ns[i] <= 840000) continue;
      const t = tags[i];
      if (t === 'tag01' || t === 'tag03') out.push({ id: ids[i] });
    }
    return out;
  },
};

/** Two ways to the same result, each run WARM times, then `rounds` times one after the other (so
 * that drift on a shared VM hits both alike): the median ms of each, the median of the rounds'
 * ratios a / b, and the results of the last round. No collection is forced between runs: right
 * after a forced one, the selective query took 0.55 ms instead of 0.22 (measured), and the
 * steady state is what an application sees. */
async function alternated(a, b, rounds) {
  for (let i = 0; i < WARM; i++) (await a(), b());
  const ta = [], tb = [], ratios = [];
  let results;
  for (let i = 0; i < rounds; i++) {
    let t0 = performance.now();
    const ra = await a();
    const da = performance.now() - t0;
    t0 = performance.now();
    const rb = b();
    const db = performance.now() - t0;
    ta.push(da);
    tb.push(db);
    ratios.push(da / db);
    results = [ra, rb];
  }
  return { ms: [median(ta), median(tb)], ratio: median(ratios), results };
}

/** How many rows a filter { nGt, tags } selects. */
function expected(ds, f) {
  const tags = new Set(f.tags);
  let n = 0;
  for (let i = 0; i < ds.N; i++) if (ds.ns[i] > f.nGt && tags.has(ds.tags[i])) n++;
  return n;
}

/** The bytes of the rows as stored, with nothing else: vectors, keys, n, tag UTF-8. */
function rawRowBytes(ds, rows = ds.N) {
  let tagBytes = 0;
  for (let i = 0; i < rows; i++) tagBytes += ds.tags[i].length;
  return rows * (ds.dim * 4 + 8 + 4) + tagBytes;
}

/** Processor time (user + system, every thread of the process) since `from` (process.cpuUsage()), ms. */
const cpuMs = (from) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};

/**
 * The limit for a load into fresh memory: a WebAssembly.Memory as partita's starts (16 MB, up to
 * 4 GB), grown by the bytes of the rows, and those bytes written into it from the dataset's
 * arrays (Uint8Array.set: a memcpy). Then the same write again into the now-touched pages: the
 * limit for a load into reused memory.
 */
async function writeLimit(ds) {
  const { N, dim } = ds;
  const bytes = rawRowBytes(ds);
  const tagText = new TextEncoder().encode(ds.tags.join(''));
  const srcs = [new Uint8Array(ds.vectors.buffer), new Uint8Array(ds.ids.buffer), new Uint8Array(ds.ns.buffer), tagText];
  const mem = new WebAssembly.Memory({ initial: 256, maximum: 65536 });
  const base = mem.buffer.byteLength;
  const write = () => {
    const u8 = new Uint8Array(mem.buffer);
    let at = base;
    for (const s of srcs) (u8.set(s, at), (at += s.length));
  };
  await quiesce();
  const c0 = process.cpuUsage();
  let t0 = performance.now();
  mem.grow(Math.ceil(bytes / 65536));
  write();
  const freshMs = performance.now() - t0;
  const freshCpuMs = cpuMs(c0);
  t0 = performance.now();
  write();
  const touchedMs = performance.now() - t0;
  return { bytes, freshMs, freshCpuMs, touchedMs, rowsPerSecond: N / (freshMs / 1000), touchedRowsPerSecond: N / (touchedMs / 1000), dim };
}

/**
 * The same limit when the vectors come as rows do: one Float32Array per row, each in its own
 * buffer (rowsOf's), copied with one `set` a row into a freshly grown Memory (the keys, tags and
 * ints still in one piece each), its pages touched first as partita's engine touches them (a
 * fault taken inside a row's `set` costs more). Reading 100,000 separately allocated 512-byte
 * buffers is what rows as objects cost before any checking (in a microbenchmark into touched
 * memory, 10.6-16 ms one `set` a row against 4.5-7.7 ms for one contiguous copy), which is why
 * the rows case's ratio to the fresh-page limit above stays well over the typed one's. Measured
 * after writeLimit (the process's first Memory.grow), in the process of the case it is given for.
 */
async function rowInputLimit(ds) {
  const { N, dim } = ds;
  const rows = batches(ds, rowsOf, dim, N);
  const tagText = new TextEncoder().encode(ds.tags.join(''));
  const rest = [new Uint8Array(ds.ids.buffer), new Uint8Array(ds.ns.buffer), tagText];
  const mem = new WebAssembly.Memory({ initial: 256, maximum: 65536 });
  const base = mem.buffer.byteLength;
  await quiesce();
  const t0 = performance.now();
  mem.grow(Math.ceil(rawRowBytes(ds) / 65536));
  const f32 = new Float32Array(mem.buffer), u8 = new Uint8Array(mem.buffer);
  for (let p = base; p < u8.length; p += 4096) u8[p] = 0;
  let at = base >>> 2;
  for (const batch of rows) for (let k = 0; k < batch.length; k++, at += dim) f32.set(batch[k].vec, at);
  at <<= 2;
  for (const s of rest) (u8.set(s, at), (at += s.length));
  return performance.now() - t0;
}

/** hnswlib-wasm's BruteforceSearch (vectors and integer labels only): the fastest exact WASM peer. */
/** The columnar-JS baseline's warm-up (see WARM_ROUNDS). */
function warmColumnar() {
  const w = warmData();
  const s = new ColumnarStore(w.dim);
  const bs = batches(w, rowsOf, w.dim, w.N, 50);
  for (let r = 0; r < WARM_ROUNDS; r++) for (const b of bs) s.upsert(b);
}

async function hnswIngest(N, dim, op) {
  const dist = path.join(root, 'node_modules/hnswlib-wasm/dist');
  const file = readdirSync(dist).find((f) => /^hnswlib-[0-9a-f]+\.js$/.test(f));
  globalThis.importScripts = () => {};
  const lib = await (await import(path.join(dist, file))).default();
  delete globalThis.importScripts;
  { // warm-up (see WARM_ROUNDS): the same calls on a small index
    const w = warmData();
    const wi = new lib.BruteforceSearch('l2', w.dim);
    wi.initIndex(w.N * (WARM_ROUNDS + 1));
    for (let r = 0, label = 0; r < WARM_ROUNDS + 1; r++)
      for (let i = 0; i < w.N; i++) wi.addPoint(w.vectors.subarray(i * w.dim, (i + 1) * w.dim), label++);
  }
  await settle();
  const ds = dataset(N, dim);
  const idx = new lib.BruteforceSearch('l2', dim);
  idx.initIndex(N + ds.up.M);
  const label = (id) => (id - 10_000_000_000) / 7; // bench/lib/data.mjs keys: KEY_BASE + slot * KEY_STEP
  const load = (src, M) => {
    for (let r = 0; r < M; r++) idx.addPoint(src.vectors.subarray(r * dim, (r + 1) * dim), label(src.ids[r]));
  };
  if (op === 'insert') {
    await quiesce();
    const t0 = performance.now();
    load(ds, N);
    return { rowsPerSecond: N / ((performance.now() - t0) / 1000) };
  }
  load(ds, N);
  await quiesce();
  const t0 = performance.now();
  load(ds.up, ds.up.M);
  return { rowsPerSecond: ds.up.M / ((performance.now() - t0) / 1000) };
}

/** partita's heap after a load: bytes the core holds, and the size of linear memory. */
async function partitaMemory() {
  const { memoryUsage } = await import('partita');
  const { used, heap } = memoryUsage();
  return { coreBytes: used >>> 0, linearBytes: heap };
}

/** partita's warm-up (see WARM_ROUNDS): the same calls on a small collection, then drop(). */
async function warmPartita(make) {
  const w = warmData();
  const { c } = await partitaCollection(w.dim);
  const bs = batches(w, make, w.dim, w.N, 50);
  for (const b of bs) await c.insert(b);
  for (let r = 0; r < WARM_ROUNDS; r++) for (const b of bs) await c.upsert(b);
  await c.drop();
}

async function partitaIngest(N, dim, op, make) {
  const ds = dataset(N, dim);
  // the limit again, in this process just before the load: the ratio of the two is what holds
  // on a shared VM, where the speed of page faults drifts 2-3x from one minute to the next.
  // Measured before the warm-up, not after it: the limit's Memory.grow() is this process's first
  // detach of an ArrayBuffer, which V8 answers once per process by discarding every optimised
  // function that reads typed arrays (its "detaching protector"; --trace-deopt: "code
  // dependencies"). Any load that grows linear memory does this once; after the warm-up, it
  // recompiled partita's transcription in the middle of the timed load.
  const { freshMs, freshCpuMs } = await writeLimit(ds);
  const rowLimitMs = make === rowsOf && op !== 'upsert' ? await rowInputLimit(ds) : undefined;
  await warmPartita(make);
  await settle();
  globalThis.gc?.();
  let { c } = await partitaCollection(dim);
  if (op === 'insert' || op === 'reload') {
    if (op === 'reload') {
      // the same load twice in one process, dropping the first: the second reuses its memory
      for (const b of batches(ds, make, dim, N)) await c.insert(b);
      await c.drop();
      ({ c } = await partitaCollection(dim));
    }
    const bs = batches(ds, make, dim, N);
    await quiesce();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const b of bs) await c.insert(b);
    const ms = performance.now() - t0;
    // processor time too (all of the process's threads): on a loaded VM the wall clock also
    // counts the time the process waited for a processor
    const cpu = cpuMs(c0);
    // issue 14's targets are set "where the limit runs near 1 GB/s": what this run's time would be
    // there, if only the page faults (the limit) scaled (arithmetic, not a measurement)
    const slowMs = rawRowBytes(ds) / 1e6;
    const at1GBs = (op === 'reload' ? ms : ms - freshMs + slowMs) / slowMs;
    return { rowsPerSecond: N / (ms / 1000), limitRatio: ms / freshMs, at1GBs, rowLimitRatio: rowLimitMs && ms / rowLimitMs, rowLimitMs, freshMs, cpuMs: cpu, cpuLimitRatio: cpu / freshCpuMs, ...(await partitaMemory()), rawBytes: rawRowBytes(ds), live: c.num_entities };
  }
  for (const b of batches(ds, columnsOf, dim, N)) await c.insert(b);
  const bs = batches(ds.up, make, dim, ds.up.M);
  await quiesce();
  const t0 = performance.now();
  for (const b of bs) await c.upsert(b);
  const ms = performance.now() - t0;
  if (c.num_entities !== ds.liveAfterUpsert) throw new Error(`partita: ${c.num_entities} live rows, expected ${ds.liveAfterUpsert}`);
  // raw bytes of the live rows: the base rows plus the new half of the upserts (same shape)
  const rawLive = rawRowBytes(ds) * (ds.liveAfterUpsert / N);
  // the limit for the bytes of the upserted rows alone
  const res = { rowsPerSecond: ds.up.M / (ms / 1000), limitRatio: ms / (freshMs * (ds.up.M / N)), ...(await partitaMemory()), rawBytes: rawLive, live: c.num_entities };
  // memory once the overwritten rows are compacted away (automatic compaction may have run already)
  await c.compact();
  res.compactedBytes = (await partitaMemory()).coreBytes;
  return res;
}

// ---------------------------------------------------------------------------------------------
// forwarding
// ---------------------------------------------------------------------------------------------

/** A partita-serve process on an ephemeral loopback port. */
async function startServer() {
  const proc = spawn(process.execPath, [path.join(root, 'web/bin/partita-serve.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`partita-serve exited with ${code}`)));
  });
  return { url, stop: () => proc.kill() };
}

async function restCall(url, route, body) {
  const r = await (await fetch(`${url}/v2/vectordb/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  if (r.code !== 0) throw new Error(`${route}: ${JSON.stringify(r)}`);
  return r;
}

const FWD_SCHEMA = (name, dim) => ({
  collectionName: name,
  schema: { fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: String(dim) } }] },
  indexParams: [{ fieldName: 'vec', indexName: 'vec', metricType: 'L2', params: { index_type: 'AUTOINDEX' } }],
});

/**
 * Rounds of: (a) partita forwarding N upserted rows (calls of BATCH rows, typed columns) to B,
 * from the first call until flush() resolves; (b) the request bodies it sent, recorded, sent
 * again directly with fetch, one after another, to a fresh collection on B. Medians of the rounds.
 */
async function forwardBench({ N, dim, rounds }) {
  const { init, connections, Collection, CollectionSchema, FieldSchema, DataType } = await import('partita');
  await init();
  const B = await startServer();
  const ds = dataset(N, dim);
  const bs = batches(ds, (src, i, n, d) => [Array.from(src.ids.subarray(i, i + n)), src.vectors.subarray(i * d, (i + n) * d)], dim, N);
  const fwd = [], direct = [];
  let requests = 0, bodyBytes = 0;
  try {
    for (let round = -1; round < rounds; round++) { // round -1 warms both ends up, unmeasured
      const name = `fwd_${round + 1}`;
      // the forwarder's upsert bodies, recorded for the direct phase: a stream body is teed (its
      // chunks are views of the queued rows: nothing is copied while the clock runs)
      const recorded = [];
      const recording = (url, init) => {
        if (!url.endsWith('/entities/upsert')) return fetch(url, init);
        if (!(init.body instanceof ReadableStream)) {
          recorded.push([init.body]);
          return fetch(url, init);
        }
        const [send, keep] = init.body.tee();
        const chunks = [];
        recorded.push(chunks);
        (async () => {
          for await (const c of keep) chunks.push(c);
        })();
        return fetch(url, { ...init, body: send });
      };
      connections.remove_connection('default');
      connections.connect('default', { uri: B.url, fetch: recording, ...(process.env.FWD_OPTS ? JSON.parse(process.env.FWD_OPTS) : {}) });
      const c = new Collection(name, new CollectionSchema([
        new FieldSchema('id', DataType.INT64, { is_primary: true }),
        new FieldSchema('vec', DataType.FLOAT_VECTOR, { dim }),
      ]));
      await c.flush(); // the collection exists remotely before the clock starts
      globalThis.gc?.();
      let t0 = performance.now();
      for (const b of bs) await c.upsert(b);
      await c.flush();
      if (round >= 0) fwd.push(N / ((performance.now() - t0) / 1000));
      const bodies = recorded.map((chunks) => {
        const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        let at = 0;
        for (const c of chunks) (out.set(c, at), (at += c.length));
        return out;
      });
      requests = bodies.length;
      bodyBytes = bodies.reduce((n, b) => n + b.length, 0);
      // the same requests, directly, into a fresh collection of the same schema: every body
      // starts with {"collectionName":"fwd_N", and the other name has as many bytes
      const other = `dir_${round + 1}`;
      await restCall(B.url, 'collections/create', FWD_SCHEMA(other, dim));
      const at = '{"collectionName":"'.length;
      const renamed = bodies.map((b) => {
        const out = b.slice();
        out.set(new TextEncoder().encode(other), at);
        return out;
      });
      globalThis.gc?.();
      t0 = performance.now();
      for (const body of renamed) {
        const r = await (await fetch(`${B.url}/v2/vectordb/entities/upsert`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'accept-type-allow-int64': 'false', 'request-timeout': '30' },
          body,
        })).json();
        if (r.code !== 0) throw new Error(JSON.stringify(r));
      }
      if (round >= 0) direct.push(N / ((performance.now() - t0) / 1000));
      const count = async (coll) => Number((await restCall(B.url, 'entities/query', { collectionName: coll, filter: '', outputFields: ['count(*)'] })).data[0]['count(*)']);
      if ((await count(name)) !== N || (await count(other)) !== N) throw new Error('the remote does not hold every row');
    }
  } finally {
    B.stop();
  }
  return { forwardRowsPerSecond: median(fwd), directRowsPerSecond: median(direct), requests, bodyBytes, rounds };
}

// ---------------------------------------------------------------------------------------------
// orchestration
// ---------------------------------------------------------------------------------------------

function runCase(name, params) {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--case', name, '--params', JSON.stringify(params)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    cwd: root,
  });
  if (r.status !== 0) {
    console.error(`  ${name} ${JSON.stringify(params)} failed:\n${r.stderr}`);
    process.exitCode = 1;
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function table(rows) {
  const w = rows[0].map((_, j) => Math.max(...rows.map((r) => String(r[j]).length)));
  rows.forEach((r, i) => {
    console.log(`| ${r.map((c, j) => (j ? String(c).padStart(w[j]) : String(c).padEnd(w[j]))).join(' | ')} |`);
    if (i === 0) console.log(`|${w.map((x, j) => (j ? '-'.repeat(x + 1) + ':' : '-'.repeat(x + 2))).join('|')}|`);
  });
}

const kRows = (x) => `${Math.round(x / 1000).toLocaleString('en')} k`;

/** Every ingest case `reps` times, interleaved (so that drift on a shared VM hits all alike). */
function ingestSuite(N, dim, reps) {
  const names = Object.keys(CASES).filter((k) => k.startsWith('ingest|'));
  const runs = Object.fromEntries(names.map((k) => [k.slice(7), []]));
  for (let i = 0; i < reps; i++)
    for (const name of names) {
      const r = runCase(name, { N, dim });
      if (r) runs[name.slice(7)].push(r);
    }
  const res = {};
  for (const [k, rs] of Object.entries(runs)) {
    if (!rs.length) continue;
    const mid = median(rs.map((r) => r.rowsPerSecond));
    res[k] = { ...rs.find((r) => r.rowsPerSecond === mid), runs: rs.map((r) => Math.round(r.rowsPerSecond)) };
    if (rs[0].limitRatio !== undefined) res[k].limitRatio = median(rs.map((r) => r.limitRatio));
    if (rs[0].cpuLimitRatio !== undefined) res[k].cpuLimitRatio = median(rs.map((r) => r.cpuLimitRatio));
    if (rs[0].at1GBs !== undefined) res[k].at1GBs = median(rs.map((r) => r.at1GBs));
    if (rs[0].rowLimitRatio !== undefined) {
      res[k].rowLimitRatio = median(rs.map((r) => r.rowLimitRatio));
      res[k].rowLimitOverLimit = median(rs.map((r) => r.rowLimitMs / r.freshMs));
    }
  }
  return res;
}

/** The ingest table: each figure next to the fresh-page limit, columnar JS and hnswlib-wasm (the
 * WebAssembly peer installed here, measured in this run), and its target. */
function printIngest(N, dim, res) {
  const lim = res['fresh-page limit'];
  const colIns = res['columnar JS: insert rows']?.rowsPerSecond;
  const colUp = res['columnar JS: upsert rows (half new)']?.rowsPerSecond;
  const hIns = res['hnswlib-wasm BruteforceSearch: insert vectors']?.rowsPerSecond;
  const hUp = res['hnswlib-wasm BruteforceSearch: upsert vectors (half new)']?.rowsPerSecond;
  const ratio = (x, base) => (base ? `${(x / base).toFixed(2)}x` : '');
  // Issue 7's absolute rates were set where the fresh-page limit ran at about 550 k rows/s
  // (100k x 128); the limit drifts 2x on these VMs, so each rate is also given as the time ratio
  // to the limit it meant there (400 k: 1.38x; 3,000 k: 0.18x; 300 k: 1.83x), which is what
  // "the same ratios" at 768-d asks for.
  const ISSUE_LIMIT = 550_000;
  const verdict = (ok) => (ok ? 'met' : 'NOT met');
  // At 768-d only those ratios are targets; the rates and the columnar ratios are 128-d's.
  const main = dim === 128;
  const rate = (r, x, abs) => {
    const eq = ISSUE_LIMIT / abs;
    const ratio = `<= ${eq.toFixed(2)}x limit: ${verdict(x.limitRatio <= eq)}`;
    return main ? `>= ${kRows(abs)}: ${verdict(r >= abs)}; ${ratio}` : ratio;
  };
  const vsColumnar = (r, times, base) => (main ? `; ${times}x columnar: ${verdict(r >= times * base)}` : '');
  // Issue 14's, at 100k x 128 "where the limit runs near 1 GB/s" (it runs faster on these VMs,
  // which makes the same work a larger ratio): typed <= 1.5x, rows <= 1.7x, a reload <= 0.5x
  const issue14 = (x, at) => (main ? `; issue 14 <= ${at}x: ${verdict(x.limitRatio <= at)}` : '');
  const targets = {
    'partita: insert typed columns': (r, x) => `<= 1.25x limit: ${verdict(x.limitRatio <= 1.25)}` + issue14(x, 1.5),
    'partita: insert rows': (r, x) => rate(r, x, 400_000) + vsColumnar(r, 1.2, colIns) + issue14(x, 1.7),
    'partita: reload typed columns after drop()': (r, x) => rate(r, x, 3_000_000) + issue14(x, 0.5),
    'partita: upsert rows (half new)': (r, x) => rate(r, x, 300_000) + vsColumnar(r, 3.5, colUp),
  };
  const rows = [['case', 'rows/s', 'time vs fresh-page limit', 'processor time vs limit', 'vs columnar JS', 'vs hnswlib-wasm', 'target']];
  for (const [k, r] of Object.entries(res)) {
    if (k === 'fresh-page limit') continue;
    const up = k.includes('upsert');
    // partita's ratio to the limit is taken in its own process (see partitaIngest), the others'
    // against the limit case of this run
    const limRatio = r.limitRatio ?? (lim && !up ? lim.rowsPerSecond / r.rowsPerSecond : undefined);
    rows.push([k, kRows(r.rowsPerSecond), limRatio === undefined ? '' : `${limRatio.toFixed(2)}x`,
      r.cpuLimitRatio === undefined ? '' : `${r.cpuLimitRatio.toFixed(2)}x`, ratio(r.rowsPerSecond, up ? colUp : colIns), ratio(r.rowsPerSecond, up ? hUp : hIns), targets[k]?.(r.rowsPerSecond, r) ?? '']);
  }
  table(rows);
  if (lim) {
    console.log(`\nfresh-page limit: ${(lim.bytes / 1e6).toFixed(1)} MB of row bytes into a freshly grown WebAssembly.Memory in ${lim.freshMs.toFixed(0)} ms ` +
      `(${kRows(lim.rowsPerSecond)} rows/s); into touched pages ${lim.touchedMs.toFixed(1)} ms (${kRows(lim.touchedRowsPerSecond)} rows/s).`);
  }
  if (main) {
    const at = (k) => res[`partita: ${k}`]?.at1GBs?.toFixed(2) ?? '-';
    console.log(`at a fresh-page limit of 1 GB/s (issue 14's VM), the same work apart from the page faults would take: ` +
      `typed ${at('insert typed columns')}x, rows ${at('insert rows')}x, a reload ${at('reload typed columns after drop()')}x ` +
      `(targets 1.5x, 1.7x, 0.5x; arithmetic from each process's time and limit, not a measurement).`);
  }
  const rowsIns = res['partita: insert rows'];
  if (rowsIns?.rowLimitRatio !== undefined) {
    console.log(`row-input limit (the vectors read from one Float32Array per row, in partita's rows process): ` +
      `${rowsIns.rowLimitOverLimit.toFixed(2)}x the fresh-page limit; partita's insert of rows takes ${rowsIns.rowLimitRatio.toFixed(2)}x it.`);
  }
  for (const k of ['partita: insert typed columns', 'partita: reload typed columns after drop()', 'partita: upsert rows (half new)']) {
    const r = res[k];
    if (!r?.rawBytes) continue;
    console.log(`memory after ${k.slice(9)}: ${r.live.toLocaleString('en')} live rows, raw ${(r.rawBytes / 1e6).toFixed(1)} MB; ` +
      `core holds ${(r.coreBytes / r.rawBytes).toFixed(2)}x, linear memory is ${(r.linearBytes / r.rawBytes).toFixed(2)}x` +
      (r.compactedBytes ? `; after compact(): core holds ${(r.compactedBytes / r.rawBytes).toFixed(2)}x ` +
        `(target <= 1.25x: ${r.compactedBytes <= 1.25 * r.rawBytes ? 'met' : 'NOT met'})` : ''));
  }
}

async function main() {
  const only = opt('only');
  const out = { node: process.version, date: new Date().toISOString(), results: {} };
  const save = (key, r) => (out.results[key] = r);
  console.log(`partita benchmark — node ${process.version}, ${out.date}`);

  if (!only || only === 'ingest') {
    const reps = Number(opt('reps', 5));
    for (const [N, dim] of [[100_000, 128], [20_000, 768]]) {
      console.log(`\n## Ingest: ${N.toLocaleString('en')} rows x ${dim}-d float32 + INT64 key + VARCHAR + INT32, batches of ${BATCH} (median of ${reps} processes)\n`);
      const res = ingestSuite(N, dim, reps);
      printIngest(N, dim, res);
      save(`ingest ${N}x${dim}`, res);
    }
  }
  if (!only || only === 'search') {
    for (const [N, dim] of [[100_000, 128], [20_000, 768]]) {
      console.log(`\n## Exact top-10 search, L2: ${N.toLocaleString('en')} x ${dim}-d (median of 50 queries after ${WARM} warm-ups)\n`);
      const res = {};
      for (const name of Object.keys(CASES).filter((k) => k.startsWith('search|'))) res[name.slice(7)] = runCase(name, { N, dim });
      const limit = res['scan limit (one SIMD128 pass)']?.ms;
      const mine = res['partita (exact, SIMD128)']?.ms;
      table([['case', 'ms / query', 'recall@10', 'vs partita'],
        ...Object.entries(res).filter(([, r]) => r).map(([k, r]) => [k, r.ms.toFixed(2), r.recall === undefined ? '' : r.recall.toFixed(3), `${(r.ms / mine).toFixed(2)}x`])]);
      if (limit && mine) console.log(`\npartita takes ${(mine / limit).toFixed(2)}x the time of one SIMD128 pass over the vectors.`);
      save(`search ${N}x${dim}`, res);
    }
  }
  if (!only || only === 'filter') {
    const N = 100_000, dim = 128;
    console.log(`\n## Filtered query W4: \`${W4_EXPR}\`, ${N.toLocaleString('en')} rows, ids returned (median of 9 after ${WARM} warm-ups; partita: of ${FILTER_ROUNDS})\n`);
    const res = {};
    for (const name of Object.keys(CASES).filter((k) => k.startsWith('filter|'))) res[name.slice(7)] = runCase(name, { N, dim });
    const mine = res.partita?.ms;
    table([['case', 'ms', 'ids', 'vs partita'], ...Object.entries(res).filter(([, r]) => r).map(([k, r]) => [k, r.ms.toFixed(2), r.count, `${(r.ms / mine).toFixed(2)}x`])]);
    const qs = res.partita?.queries;
    if (qs) {
      console.log(`\nAgainst a plain JS loop over the typed columns and the string array, building the same { id } objects, ` +
        `in partita's process (the two alternated, ${FILTER_ROUNDS} rounds after ${WARM} warm-ups; the ratio is the median of the rounds'):\n`);
      table([['query', 'ids', 'partita ms', 'plain JS loop ms', 'partita / loop', 'target: <= 1.00'],
        ...Object.values(qs).map((q) => [`\`${q.expr}\``, q.count, q.ms.toFixed(3), q.loopMs.toFixed(3), q.ratio.toFixed(2), q.ratio <= 1 ? 'met' : 'NOT met'])]);
    }
    save('filter', res);
  }
  if (!only || only === 'index') {
    const million = args.includes('--million') || process.env.PARTITA_BENCH_MILLION === '1';
    if (args.includes('--index-reopen') || process.env.PARTITA_BENCH_INDEX_REOPEN === '1') {
      const rows = Number(opt('rows', 1_000_000));
      save(`index reopen ${rows}x128`, await indexReopenSuite({ rows, dim: 128, efc: Number(opt('index-reopen-efc', HNSW.efConstruction)), reps: Number(opt('reps', 3)), runCase, table, truthOf }));
    }
    else if (million) {
      const N = Number(opt('rows', 1_000_000));
      save(`index mixture ${N}x128 (page)`, await millionInPage({ table, N }));
    }
    else {
      const reps = Number(opt('reps', 3)), N = Number(opt('rows', 100_000)), dim = 128;
      const before = opt('before') && path.resolve(opt('before'));
      const edgevecRows = Number(opt('edgevec-rows', EDGEVEC_ROWS));
      const sets = (opt('sets') ?? 'mixture,wordnet,filtered').split(',');
      for (const set of sets.filter((x) => x !== 'filtered')) {
        console.log(`\n## Indexes: ${N.toLocaleString('en')} x ${dim}-d, ${SET_TITLES[set]}; HNSW M ${HNSW.M}, efConstruction ${HNSW.efConstruction}; ` +
          `${Q} queries, top-${K}, after ${INDEX_WARM} warm-ups; median of ${reps} processes each, interleaved\n`);
        const cases = opt('index-cases')?.split(',');
        save(`index ${set} ${N}x${dim}`, await indexSuite({ set, N, dim, reps, before, edgevecRows, runCase, table, cases }));
      }
      if (sets.includes('filtered')) save(`index filtered ${N}x${dim}`, await filteredSuite({ N, dim, reps, runCase, table }));
    }
  }
  if (!only || only === 'cold') {
    const rows = Number(opt('rows', 100_000));
    save(`cold ${rows}x128`, await coldSuite({ rows, dim: 128, reps: Number(opt('reps', 3)), runCase, table, truthOf }));
  }
  if (!only || only === 'start') {
    const K = 9;
    console.log(`\n## Cold start in Node (median of ${K} fresh processes; budget: init() + a collection < ${START_BUDGET_MS} ms)\n`);
    const runs = Array.from({ length: K }, () => runCase('start|partita', {})).filter(Boolean);
    const peer = Array.from({ length: 3 }, () => runCase('start|hnswlib-wasm', {})).filter(Boolean);
    const med = (k) => median(runs.map((r) => r[k]));
    const r = runs.length ? { ms: med('ms'), cpuMs: med('cpuMs'), importMs: med('importMs'), importCpuMs: med('importCpuMs'),
      totalMs: median(runs.map((x) => x.importMs + x.ms)), minMs: Math.min(...runs.map((x) => x.ms)) } : null;
    if (r) {
      table([['case', 'wall ms', 'CPU ms'],
        ["partita: `await init()` + new Collection (after import)", r.ms.toFixed(1), r.cpuMs.toFixed(1)],
        ["partita: `import('partita')`", r.importMs.toFixed(1), r.importCpuMs.toFixed(1)],
        ['partita: import + init() + collection', r.totalMs.toFixed(1), ''],
        ...(peer.length ? [['hnswlib-wasm: load + a BruteforceSearch (median of 3)', median(peer.map((x) => x.ms)).toFixed(1), '']] : [])]);
      console.log(`\ninit() + collection: median ${r.ms.toFixed(1)} ms, best ${r.minMs.toFixed(1)} ms: ${r.ms < START_BUDGET_MS ? 'within' : 'OVER'} the budget.`);
    }
    save('start', { partita: r, 'hnswlib-wasm': peer.length ? median(peer.map((x) => x.ms)) : null });
  }
  if (!only || only === 'fts') save('fts', ftsSuite(runCase, table, Number(opt('reps', 3))));
  if (!only || only === 'size') {
    console.log('\n## Size\n');
    const s = await sizes();
    printSizes(s);
    save('size', s);
  }
  if (!only || only === 'forward') {
    const N = 50_000, dim = 128, rounds = 5;
    console.log(`\n## Forwarding: ${N.toLocaleString('en')} upserted rows x ${dim}-d to a partita-serve process on loopback (median of ${rounds} rounds)\n`);
    const r = runCase('forward|partita forwarding', { N, dim, rounds });
    if (r) {
      table([['case', 'rows/s', 'vs direct fetch'],
        ['partita: upsert calls of 1,000 rows, forwarded, until flush()', kRows(r.forwardRowsPerSecond), `${(r.forwardRowsPerSecond / r.directRowsPerSecond).toFixed(2)}x`],
        ['the same requests sent directly with fetch', kRows(r.directRowsPerSecond), '1.00x']]);
      console.log(`\n${r.requests} requests, ${(r.bodyBytes / r.requests / 1e6).toFixed(1)} MB each; the target is forwarding >= 0.80x of direct fetch.`);
    }
    save('forward', r);
  }
  if (!only || only === 'durable') {
    const N = 40_000, dim = 128, reps = Number(opt('reps', 3));
    console.log(`\n## Durability: ${N.toLocaleString('en')} rows x ${dim}-d inserted, then ${(N / 2).toLocaleString('en')} upserted (half new) in 1,000-row batches, timed; ` +
      `median of ${reps} processes each, interleaved; the store on the repository's disk\n`);
    const names = Object.keys(CASES).filter((k) => k.startsWith('durable|'));
    const runs = Object.fromEntries(names.map((n) => [n, []]));
    const DISK = "durable|the disk alone: a batch's log bytes appended and fdatasynced", SYNCED = 'durable|partita durable: fdatasync per batch';
    const DISK8 = "durable|the disk alone: 8 batches' log bytes a write and fdatasync";
    for (let r = 0; r < reps; r++) {
      for (const n of names) {
        // the disk alone writes what the last fdatasync-per-batch run's batches wrote
        const last = runs[SYNCED].filter(Boolean).at(-1);
        const disk = n === DISK || n === DISK8;
        if (disk && !last) continue;
        runs[n].push(runCase(n, disk ? { bytes: last.batchBytes, batches: last.batches } : { N, dim }));
      }
    }
    const res = {};
    for (const n of names) {
      const ok = runs[n].filter(Boolean);
      if (ok.length) res[n.slice(8)] = median(ok.map((x) => x.rowsPerSecond));
    }
    const mem = res['partita in memory'], disk = res[DISK.slice(8)], synced = res[SYNCED.slice(8)];
    // one batch applied in memory, then its bytes written and synced: the rate of the two in a row
    const serial = mem && disk ? 1 / (1 / mem + 1 / disk) : null;
    table([['case', 'rows/s', 'vs in memory', 'vs memory + disk in a row'],
      ...Object.entries(res).map(([k, v]) => [k, kRows(v), mem ? `${(v / mem).toFixed(2)}x` : '', serial ? `${(v / serial).toFixed(2)}x` : ''])]);
    const bytes = runs[DISK].filter(Boolean).at(-1)?.bytes;
    if (serial && synced) console.log(`\nA batch's log record: ${(bytes / 1e6).toFixed(2)} MB. The disk alone syncs ${kRows(disk)} rows/s of them; ` +
      `in memory and then the disk, one batch after the other, is ${kRows(serial)} rows/s (${(serial / mem).toFixed(2)}x in memory): ` +
      `the most a durable batch can reach without overlapping the two. partita's fdatasync per batch reaches ${(synced / serial).toFixed(2)}x of it.`);
    const disk8 = res[DISK8.slice(8)];
    if (disk8 && mem) console.log(`Written 8 batches at a time, the disk takes ${kRows(disk8)} rows/s (${((disk8 / BATCH) * bytes / 1e6).toFixed(0)} MB/s): ` +
      `${(disk8 / mem).toFixed(2)}x the in-memory rate, the most any durable write (grouped or not) can reach on this disk.`);
    console.log('\nSQLite: the sqlite3 CLI, its own Run Time of each BEGIN / INSERT OR REPLACE / COMMIT summed (journal_mode WAL, synchronous FULL: ' +
      'the WAL fsynced at each commit; OFF: what its writes cost without syncs, parsing the rows from SQL text included). ' +
      `The first ${WARM_BATCHES} upsert batches of each process are not timed. The target is a durable upsert >= 0.50x of in memory ` +
      '(reachable only where the disk syncs a batch faster than memory applies it).');
    const rows = Number(opt('reopen-rows', 1_000_000)), rdim = 16;
    const ro = runCase('reopen|partita', { rows, dim: rdim });
    if (ro) {
      console.log(`\n## Reopen: ${rows.toLocaleString('en')} rows x ${rdim}-d (half in the checkpoint, half in the log after it)\n`);
      table([['case', 'ms', 'processor ms'], ['partita: open (checkpoint + log replayed) and count', ro.openMs.toFixed(0), ro.openCpuMs.toFixed(0)],
        [`reading the ${(ro.bytes / 1e6).toFixed(0)} MB of the two files`, ro.readMs.toFixed(0), ro.readCpuMs.toFixed(0)],
        ['target: the read + replay at 1 GB/s', ro.targetMs.toFixed(0), ro.targetCpuMs.toFixed(0)]]);
      console.log(`\nreopen / target: ${(ro.openMs / ro.targetMs).toFixed(2)}x, in processor time ${(ro.openCpuMs / ro.targetCpuMs).toFixed(2)}x (<= 1.00x is the target).`);
    }
    save('durable', { upserts: res, reopen: ro });
  }
  if (!only || only === 'grpc') {
    // bench/grpc.mjs in a process of its own (it spawns partita-serve and drives the Node SDK)
    console.log('\n## partita-serve through the Node SDK: MilvusClient (gRPC) next to HttpClient (REST), one process\n');
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('./grpc.mjs', import.meta.url))], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const g = r.status === 0 ? JSON.parse(r.stdout) : null;
    if (!g) console.log(`bench/grpc.mjs failed (${r.status}): ${(r.stderr ?? '').slice(-500)}`);
    else {
      table([['face', 'insert rows/s (batches of 1,000)', 'searches/s (top-10, one at a time)'],
        ['MilvusClient (gRPC)', kRows(g.grpc_insert_rows_per_s), Math.round(g.grpc_search_per_s).toLocaleString('en')],
        ['HttpClient (REST)', kRows(g.rest_insert_rows_per_s), Math.round(g.rest_search_per_s).toLocaleString('en')],
        ['gRPC / REST', `${(g.grpc_insert_rows_per_s / g.rest_insert_rows_per_s).toFixed(2)}x`, `${(g.grpc_search_per_s / g.rest_search_per_s).toFixed(2)}x`]]);
      console.log(`\n${g.rows.toLocaleString('en')} rows x ${g.dim}-d, ${g.queries} queries; partita-serve start-up to the first answered GetVersion: ${g.startup_ms} ms (median of 5 processes).`);
    }
    save('grpc', g);
  }
  const json = opt('json');
  if (json) writeFileSync(json, JSON.stringify(out, null, 2));
}

const caseName = opt('case');
if (caseName) {
  const r = await CASES[caseName](JSON.parse(opt('params', '{}')));
  process.stdout.write(`\n${JSON.stringify(r)}\n`);
} else {
  await main();
}


