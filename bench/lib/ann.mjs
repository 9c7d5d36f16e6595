// `npm run bench --only index` (issue 18): partita's indexes (HNSW, HNSW_SQ, IVF_FLAT, IVF_SQ8:
// the C core through the index probe, bench/probe/index.c, built by Emscripten with SIMD128 like
// dist/; HNSW also through the public API) beside the WebAssembly peers hnswlib-wasm (its
// HierarchicalNSW, same M and efConstruction) and edgevec (its HNSW), on two sets the bench makes
// deterministically: `mixture`, a Gaussian mixture of 1,000 centres (bench/lib/data.mjs), and
// `wordnet`, TF-IDF of WordNet's glosses randomly projected and normalised (bench/lib/wordnet.mjs).
// Never uniform random vectors: they defeat every graph and are not a target.
//
// Each library runs in its own process (bench/run.mjs --case), `reps` times interleaved; the
// figures are medians. Per library: build rows/s (one batch, wall and processor time), the
// index's bytes beside the float32 rows, then for each search parameter (ef, nprobe) recall@10
// against the exact top-10 and the median latency of 200 queries (after warm-up queries). The
// exact top-10 (the truth) comes from the probe's exact scan with the same SIMD128 kernel.
//
// The million mode (`--million`, or PARTITA_BENCH_MILLION=1): 1,000,000 x 128 of the mixture, built
// and searched in a page (headless Chromium through playwright-core, Debian's chromium as the
// browser tests use), partita's HNSW and hnswlib-wasm's, each in a fresh page; edgevec is left
// out there (it builds about 100-250 rows/s: hours for a million rows) and measured at 100k.
// The data files are written once to the OS temp directory (partita-bench/) and read by every
// process and page.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mixture } from './data.mjs';
import { wordnet } from './wordnet.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DATA_DIR = path.join(tmpdir(), 'partita-bench');
const BATCH = 1000;

// hnswlib's defaults (M 16, efConstruction 200) for every HNSW, so that all build with the same
// parameters; search ef from k to well past recall 0.99; IVF with faiss's 4 sqrt(n) lists
export const K = 10, Q = 200, WARM = 50;
export const HNSW = { M: 16, efConstruction: 200, seed: 100 };
export const EFS = [10, 12, 16, 24, 32, 48, 64, 96, 128, 192];
const NPROBES = [1, 2, 4, 8, 16, 32, 64, 128];
const nlistOf = (N) => Math.round(4 * Math.sqrt(N));
const REFINE_K = 2; // HNSW_SQ with refine: 2 k candidates re-scored with the float rows
// edgevec builds at a few hundred rows/s: by default it indexes the first EDGEVEC_ROWS rows of
// the set (its truth computed over those rows), a smaller graph, which flatters it
export const EDGEVEC_ROWS = 20_000;
const TYPES = { HNSW: 1, HNSW_SQ: 2, IVF_FLAT: 3, IVF_SQ8: 4, IVF_RABITQ: 6 };
// IVF_RABITQ: refine codes (index.h's pt_index_refine, + 1 for the probe); its curve walks nprobe
// with refine_k 2 and 5 at each (one build: the parameter is "nprobe/refine_k")
const RBQ_REFINE = { FP32: 1, SQ8: 2, FP16: 3, BF16: 4 };
// (PARTITA_BENCH_RBQ_PARAMS, e.g. "8/10,8/20,16/40", replaces the curve: at 1,000,000 rows
// refine_k 5 stops at recall 0.82)
const RBQ_PARAMS = process.env.PARTITA_BENCH_RBQ_PARAMS?.split(',') ?? NPROBES.flatMap((n) => [`${n}/2`, `${n}/5`]);

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

// ---------------------------------------------------------------------------------------------
// Data: written once per (set, rows, dim) to the temp directory; rows then queries, float32
// ---------------------------------------------------------------------------------------------

export const SET_TITLES = {
  mixture: 'a Gaussian mixture of 1,000 centres (sigma 0.35)',
  wordnet: "WordNet 3.1's glosses: TF-IDF, randomly projected, unit-normalised",
};
const SETS = { mixture: (N, dim) => mixture(N, dim, { queries: Q }), wordnet: (N, dim) => wordnet(N, dim, { queries: Q }) };

export function dataFile(set, N, dim) {
  const file = path.join(DATA_DIR, `${set}-${N}x${dim}.f32`);
  if (existsSync(file)) return file;
  mkdirSync(DATA_DIR, { recursive: true });
  const ds = SETS[set](N, dim);
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, Buffer.concat([Buffer.from(ds.vectors.buffer), Buffer.from(ds.queries.buffer)]));
  renameSync(tmp, file);
  return file;
}

export function loadData(file, N, dim) {
  const b = readFileSync(file);
  const f = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  if (f.length !== (N + Q) * dim) throw new Error(`${file}: ${f.length} floats, expected ${(N + Q) * dim}`);
  return { N, dim, vectors: f.subarray(0, N * dim), queries: f.subarray(N * dim), Q };
}

// ---------------------------------------------------------------------------------------------
// The libraries: each an adapter { build(), bytes(), set(p), search(q) -> ids, params, param }
// ---------------------------------------------------------------------------------------------

/** A probe (bench/probe/*.c built by Emscripten into build/em/probe): `name`.mjs and its .wasm in `dir`. */
export async function loadProbe(dir, name) {
  const { default: create } = await import(path.join(dir, `${name}.mjs`));
  const module = await WebAssembly.compile(readFileSync(path.join(dir, `${name}.wasm`)));
  return create({
    locateFile: (n) => n,
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(module, imports).then((i) => receive(i, module));
      return {};
    },
  });
}

/** hnswlib-wasm's module; its glue is browser-only, importScripts is all it needs in Node. */
export async function loadHnswlib() {
  const dist = path.join(root, 'node_modules/hnswlib-wasm/dist');
  const file = readdirSync(dist).find((f) => /^hnswlib-[0-9a-f]+\.js$/.test(f));
  globalThis.importScripts = () => {};
  const lib = await (await import(path.join(dist, file))).default();
  delete globalThis.importScripts;
  return lib;
}

/** partita's index of `type` in the C core, through the probe in `dir`. `old`: a probe from an
 * older commit (--before), which has the HNSW functions only. */
export function partitaIndex(type, dir, { old = false, refine = 'SQ8', qbits = 0 } = {}) {
  return async (ds) => {
    const P = await loadProbe(dir, 'index');
    const { N, dim } = ds;
    const rows = P._probe_alloc(N * dim * 4) >>> 0, qs = P._probe_alloc(ds.Q * dim * 4) >>> 0, out = P._probe_alloc(K * 4) >>> 0;
    P.HEAPF32.set(ds.vectors, rows / 4);
    P.HEAPF32.set(ds.queries, qs / 4);
    const hnsw = type === 'HNSW' || type === 'HNSW_SQ', rbq = type === 'IVF_RABITQ';
    let ix = 0, ef = 0, nprobe = 0, refineK = 1;
    return {
      param: hnsw ? 'ef' : rbq ? 'nprobe/refine_k' : 'nprobe',
      params: hnsw ? EFS : rbq ? RBQ_PARAMS : NPROBES,
      build() {
        ix = old ? P._probe_hnsw_build(rows, N, dim, HNSW.M, HNSW.efConstruction, HNSW.seed)
          : P._probe_index_build(TYPES[type], rows, N, dim, HNSW.M, HNSW.efConstruction, hnsw ? 0 : nlistOf(N),
            type === 'HNSW_SQ' ? 1 : rbq && refine ? RBQ_REFINE[refine] : 0, HNSW.seed);
        if (!ix) throw new Error(`partita: the ${type} build failed`);
      },
      bytes: () => P._probe_hnsw_bytes(ix),
      set: (p) => (hnsw ? (ef = Math.max(p, K)) : rbq ? ([nprobe, refineK] = p.split('/').map(Number)) : (nprobe = p)),
      search(q) {
        const n = old ? P._probe_hnsw_search(ix, qs + q * dim * 4, K, ef, out)
          : rbq ? P._probe_rbq_search(ix, qs + q * dim * 4, K, nprobe, refineK, qbits, out)
            : P._probe_index_search(ix, qs + q * dim * 4, K, ef, nprobe, type === 'HNSW_SQ' ? REFINE_K : 0, out);
        if (n < 0) throw new Error('partita: search failed');
        return Array.from(P.HEAPU32.subarray(out / 4, out / 4 + n));
      },
    };
  };
}

/** A collection (id, vec) holding the set's rows, inserted through the public API in batches, and
 * the queries as one Float32Array each. */
async function collectionOf(ds, name) {
  const { N, dim } = ds;
  const partita = await import('partita');
  const { init, Collection, CollectionSchema, FieldSchema, DataType } = partita;
  await init();
  const c = new Collection(name, new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('vec', DataType.FLOAT_VECTOR, { dim }),
  ]));
  for (let i = 0; i < N; i += BATCH) {
    const n = Math.min(BATCH, N - i);
    await c.insert([Float64Array.from({ length: n }, (_, j) => i + j), ds.vectors.subarray(i * dim, (i + n) * dim)]);
  }
  return { c, partita, qs: Array.from({ length: ds.Q }, (_, q) => ds.queries.subarray(q * dim, (q + 1) * dim)) };
}

/** partita's HNSW through the public API: rows inserted (not timed), create_index timed, search
 * with params.ef; bytes: what memoryUsage() grew by in create_index. */
async function partitaApiHnsw(ds) {
  const { c, qs, partita: { memoryUsage } } = await collectionOf(ds, 'api_hnsw');
  let ef = K, bytes = 0;
  return {
    async: true,
    param: 'ef',
    params: EFS,
    build() {
      const m0 = memoryUsage().used;
      c.create_index('vec', { index_type: 'HNSW', metric_type: 'L2', params: { M: HNSW.M, efConstruction: HNSW.efConstruction } });
      bytes = memoryUsage().used - m0;
    },
    bytes: () => bytes,
    set: (e) => (ef = Math.max(e, K)),
    search: async (q) => (await c.search([qs[q]], 'vec', { metric_type: 'L2', params: { ef } }, K))[0].map((h) => h.id),
  };
}

/** hnswlib-wasm's HierarchicalNSW, as its README builds one: addPoint per row, searchKnn; bytes:
 * its WebAssembly memory's growth in the build less the float32 rows (it keeps a copy). */
async function hnswlibHnsw(ds) {
  const lib = await loadHnswlib();
  const { N, dim } = ds;
  const idx = new lib.HierarchicalNSW('l2', dim, '');
  const mem = () => lib.HEAPU8?.buffer.byteLength ?? 0;
  const m0 = mem();
  idx.initIndex(N, HNSW.M, HNSW.efConstruction, HNSW.seed);
  const qs = Array.from({ length: ds.Q }, (_, q) => ds.queries.subarray(q * dim, (q + 1) * dim));
  return {
    param: 'ef',
    params: EFS,
    build() {
      for (let r = 0; r < N; r++) idx.addPoint(ds.vectors.subarray(r * dim, (r + 1) * dim), r, false);
    },
    bytes: () => (mem() - m0 > N * dim * 4 ? mem() - m0 - N * dim * 4 : undefined), // undefined: it did not grow
    set: (e) => idx.setEfSearch(e),
    search: (q) => Array.from(idx.searchKnn(qs[q], K, undefined).neighbors),
  };
}

/** edgevec's HNSW (M 16, M0 32, efConstruction 200, L2): insertBatchFlat; its search ef is a
 * construction setting, so one value per build (64); bytes: its memoryUsage() less the rows.
 * Ids are assigned in insert order; they are mapped back to row numbers through the returned list. */
async function edgevecHnsw(ds) {
  const { initSync, EdgeVec, EdgeVecConfig } = await import('edgevec');
  initSync({ module: readFileSync(path.join(root, 'node_modules/edgevec/edgevec_bg.wasm')) });
  const { N, dim } = ds;
  const EF = 64;
  const cfg = new EdgeVecConfig(dim);
  cfg.metric = 'l2';
  cfg.m = HNSW.M;
  cfg.m0 = 2 * HNSW.M;
  cfg.ef_construction = HNSW.efConstruction;
  cfg.ef_search = EF;
  const db = new EdgeVec(cfg);
  const qs = Array.from({ length: ds.Q }, (_, q) => ds.queries.subarray(q * dim, (q + 1) * dim));
  const row = new Map();
  return {
    param: 'ef',
    params: [EF],
    build() {
      const ids = db.insertBatchFlat(ds.vectors, N);
      ids.forEach((id, r) => row.set(id, r));
    },
    bytes: () => db.memoryUsage() - N * dim * 4,
    set: () => {},
    search: (q) => db.search(qs[q], K).map((h) => row.get(h.id)),
  };
}

// ---------------------------------------------------------------------------------------------
// The cases (each in its own process; bench/run.mjs spreads these into its CASES)
// ---------------------------------------------------------------------------------------------

/**
 * One library in this process: the set's rows (the first `rows` of them for a capped peer), a
 * build of all of them timed (wall and processor time), then for each search parameter the 200
 * queries, each timed alone, after warm-up queries; the ids found go back for recall, which the
 * parent computes against the exact top-k.
 */
async function indexCase({ N, dim, file, rows = N }, lib) {
  const full = loadData(file, N, dim);
  const ds = { ...full, N: rows, vectors: full.vectors.subarray(0, rows * dim) };
  const ix = await lib(ds);
  globalThis.gc?.();
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  await ix.build();
  const buildMs = performance.now() - t0, c = process.cpuUsage(cpu0);
  const out = { rows, buildMs, buildCpuMs: (c.user + c.system) / 1000, bytes: ix.bytes?.(), param: ix.param, points: [] };
  // the search's own code warmed first (the build ran only part of it): without this, the first
  // parameter's queries ran on V8's baseline tier and came out slower than the next one's
  ix.set(ix.params[0]);
  for (let i = 0; i < 10 * WARM; i++) await ix.search(i % ds.Q);
  for (const p of ix.params) {
    ix.set(p);
    for (let i = 0; i < WARM; i++) await ix.search(i % ds.Q);
    const ids = [], lat = [];
    for (let q = 0; q < ds.Q; q++) {
      const t = performance.now();
      ids.push(await ix.search(q));
      lat.push(performance.now() - t);
    }
    out.points.push({ p, ms: lat.reduce((a, b) => a + b, 0), medianMs: median(lat), ids });
  }
  return out;
}

/** partita's exact search (the public API, SIMD128) over the same rows: the queries/s an index
 * has to beat. */
async function exactCase({ N, dim, file }) {
  const { c, qs } = await collectionOf(loadData(file, N, dim), 'exact');
  const run = async (q) => (await c.search([qs[q]], 'vec', { metric_type: 'L2' }, K))[0].map((h) => h.id);
  for (let i = 0; i < WARM; i++) await run(i % Q);
  const ids = [], lat = [];
  for (let q = 0; q < Q; q++) {
    const t = performance.now();
    ids.push(await run(q));
    lat.push(performance.now() - t);
  }
  return { ms: lat.reduce((a, b) => a + b, 0), medianMs: median(lat), ids };
}

const probeDir = path.join(root, 'build/em/probe');
export const INDEX_CASES = {
  'index|partita HNSW': (p) => indexCase(p, partitaIndex('HNSW', probeDir)),
  'index|partita HNSW (before)': (p) => indexCase(p, partitaIndex('HNSW', p.before, { old: true })),
  'index|partita HNSW_SQ (refine)': (p) => indexCase(p, partitaIndex('HNSW_SQ', probeDir)),
  'index|partita IVF_FLAT': (p) => indexCase(p, partitaIndex('IVF_FLAT', probeDir)),
  'index|partita IVF_SQ8': (p) => indexCase(p, partitaIndex('IVF_SQ8', probeDir)),
  'index|partita IVF_RABITQ (SQ8 refine)': (p) => indexCase(p, partitaIndex('IVF_RABITQ', probeDir)),
  'index|partita IVF_RABITQ (SQ8 refine, 6-bit query)': (p) => indexCase(p, partitaIndex('IVF_RABITQ', probeDir, { qbits: 6 })),
  // FP32 refine: re-scored from the float32 rows the collection keeps anyway (no copy in the index)
  'index|partita IVF_RABITQ (FP32 refine)': (p) => indexCase(p, partitaIndex('IVF_RABITQ', probeDir, { refine: 'FP32' })),
  'index|partita create_index HNSW (API)': (p) => indexCase(p, partitaApiHnsw),
  'index|hnswlib-wasm HNSW': (p) => indexCase(p, hnswlibHnsw),
  'index|edgevec HNSW': (p) => indexCase({ ...p, rows: Math.min(p.N, p.edgevecRows ?? EDGEVEC_ROWS) }, edgevecHnsw),
  'index|partita exact search (API)': exactCase,
};

// ---------------------------------------------------------------------------------------------
// Truth and recall
// ---------------------------------------------------------------------------------------------

/** The exact top-k of each query over the first `rows` rows (the probe's scan), and the scan's
 * median latency. */
export async function truthOf(ds, rows = ds.N) {
  const P = await loadProbe(probeDir, 'index');
  const { dim } = ds;
  const data = P._probe_alloc(rows * dim * 4) >>> 0, q = P._probe_alloc(dim * 4) >>> 0, out = P._probe_alloc(K * 4) >>> 0;
  if (!data) throw new Error('truth: out of memory');
  P.HEAPF32.set(ds.vectors.subarray(0, rows * dim), data / 4);
  const ids = [], lat = [];
  for (let i = 0; i < ds.Q; i++) {
    P.HEAPF32.set(ds.queries.subarray(i * dim, (i + 1) * dim), q / 4);
    const t = performance.now();
    const n = P._probe_exact_search(data, rows, dim, q, K, out);
    lat.push(performance.now() - t);
    ids.push(Array.from(P.HEAPU32.subarray(out / 4, out / 4 + n)));
  }
  return { ids, medianMs: median(lat) };
}

export const recallOf = (truth, found) =>
  found.reduce((n, ids, q) => n + ids.filter((id) => truth[q].includes(id)).length, 0) / (truth.length * truth[0].length);

/** The median latency at `target` recall along a curve of { recall, medianMs } (parameter
 * ascending): interpolated between the two points that bracket it; null when none reaches it. */
export function atRecall(curve, target) {
  for (let i = 0; i < curve.length; i++) {
    if (curve[i].recall < target) continue;
    if (i === 0) return { medianMs: curve[0].medianMs, p: `${curve[0].p}` };
    const a = curve[i - 1], b = curve[i];
    const t = (target - a.recall) / (b.recall - a.recall);
    return { medianMs: a.medianMs + t * (b.medianMs - a.medianMs), p: `${a.p}-${b.p}` };
  }
  return null;
}

/** Each run's results folded into medians: build rows/s, bytes per row, and per parameter the
 * recall (of the first run: the builds are deterministic) and median latency. */
export function summarise(rs, truthFor) {
  const rows = rs[0].rows ?? undefined;
  if (rs[0].points === undefined) { // the exact search
    return { medianMs: median(rs.map((r) => r.medianMs)), qps: median(rs.map((r) => Q / (r.ms / 1000))), recall: recallOf(truthFor(undefined), rs[0].ids), runs: rs.length };
  }
  const truth = truthFor(rows);
  return {
    rows,
    param: rs[0].param,
    buildRowsPerSecond: median(rs.map((r) => r.rows / (r.buildMs / 1000))),
    buildCpuRowsPerSecond: rs[0].buildCpuMs ? median(rs.map((r) => r.rows / (r.buildCpuMs / 1000))) : undefined,
    builds: rs.map((r) => Math.round(r.rows / (r.buildMs / 1000))),
    bytesPerRow: rs[0].bytes ? rs[0].bytes / rs[0].rows : undefined,
    curve: rs[0].points.map((e, j) => ({ p: e.p, recall: recallOf(truth, e.ids), medianMs: median(rs.map((r) => r.points[j].medianMs)),
      qps: median(rs.map((r) => Q / (r.points[j].ms / 1000))) })),
    runs: rs.length,
  };
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

const fmtK = (x) => Math.round(x).toLocaleString('en');

/** The suite on one set: every case `reps` times, interleaved; then the tables. */
export async function indexSuite({ set, N, dim, reps, before, edgevecRows, runCase, table, cases }) {
  const file = dataFile(set, N, dim);
  const names = Object.keys(INDEX_CASES).filter((k) => (before || !k.endsWith('(before)')) && (!cases || cases.some((c) => k.includes(c))));
  const runs = Object.fromEntries(names.map((k) => [k.slice(6), []]));
  for (let i = 0; i < reps; i++)
    for (const name of names) {
      const r = runCase(name, { N, dim, file, set, before, edgevecRows });
      if (r) runs[name.slice(6)].push(r);
    }
  const ds = loadData(file, N, dim);
  const truths = new Map();
  for (const rs of Object.values(runs)) {
    const rows = rs[0]?.rows ?? N;
    if (rs.length && !truths.has(rows)) truths.set(rows, await truthOf(ds, rows));
  }
  if (!truths.has(N)) truths.set(N, await truthOf(ds, N));
  const res = { exactScan: { medianMs: truths.get(N).medianMs } };
  for (const [name, rs] of Object.entries(runs)) if (rs.length) res[name] = summarise(rs, (rows) => truths.get(rows ?? N).ids);
  printSuite(res, { N, dim, table });
  return res;
}

export function printSuite(res, { N, dim, table }) {
  const peer = res['hnswlib-wasm HNSW'], exactMs = res.exactScan.medianMs;
  const libs = Object.entries(res).filter(([, r]) => r.curve);
  const cpuRatio = (r) => (peer?.buildCpuRowsPerSecond && r.buildCpuRowsPerSecond ? `${(r.buildCpuRowsPerSecond / peer.buildCpuRowsPerSecond).toFixed(2)}x` : '');
  table([['index', 'rows', 'build rows/s (wall)', 'build rows/s (processor)', 'vs hnswlib-wasm (wall)', 'vs hnswlib-wasm (processor)', 'index B/row beside the rows', '/ float32 row'],
    ...libs.map(([name, r]) => [name, fmtK(r.rows), fmtK(r.buildRowsPerSecond), r.buildCpuRowsPerSecond ? fmtK(r.buildCpuRowsPerSecond) : '',
      peer ? `${(r.buildRowsPerSecond / peer.buildRowsPerSecond).toFixed(2)}x` : '', cpuRatio(r), r.bytesPerRow ? r.bytesPerRow.toFixed(0) : '?',
      r.bytesPerRow && dim ? `${(r.bytesPerRow / (4 * dim)).toFixed(3)}x` : ''])]);
  console.log(`\nbuilds (rows/s, wall, in run order): ${libs.map(([n, r]) => `${n} ${r.builds.join(', ')}`).join('; ')}`);
  const mine = res['partita HNSW'];
  if (mine && peer) console.log(`target: partita HNSW build >= 3x hnswlib-wasm: ${(mine.buildRowsPerSecond / peer.buildRowsPerSecond).toFixed(2)}x (wall), ` +
    `${mine.buildRowsPerSecond >= 3 * peer.buildRowsPerSecond ? 'met' : 'NOT met'}${cpuRatio(mine) ? `; ${cpuRatio(mine)} in processor time` : ''}`);
  console.log(`\nexact top-10: the probe's SIMD128 scan ${exactMs.toFixed(3)} ms a query (median)` +
    (res['partita exact search (API)'] ? `; partita's search API ${res['partita exact search (API)'].medianMs.toFixed(3)} ms` : '') + '\n');
  const apiExact = res['partita exact search (API)']?.medianMs ?? exactMs;
  for (const [name, r] of libs) {
    console.log(`${name} (${fmtK(r.rows)} rows): ${r.curve.map((c) => `${r.param} ${c.p}: recall ${c.recall.toFixed(3)}, ${c.medianMs.toFixed(3)} ms`).join('; ')}`);
  }
  console.log('');
  const rows = [['index', 'at recall@10 0.95: median ms', 'queries/s', 'x exact (API)', 'at 0.99: median ms', 'best recall']];
  for (const [name, r] of libs) {
    const a = atRecall(r.curve, 0.95), b = atRecall(r.curve, 0.99);
    rows.push([name, a ? `${a.medianMs.toFixed(3)} (${r.param} ${a.p})` : 'not reached', a ? fmtK(1000 / a.medianMs) : '',
      a ? `${(apiExact / a.medianMs).toFixed(1)}x` : '', b ? `${b.medianMs.toFixed(3)} (${r.param} ${b.p})` : 'not reached',
      Math.max(...r.curve.map((c) => c.recall)).toFixed(3)]);
  }
  table(rows);
  const a = mine && atRecall(mine.curve, 0.95), b = peer && atRecall(peer.curve, 0.95);
  if (a && b) console.log(`\nat recall@10 0.95: partita HNSW ${(b.medianMs / a.medianMs).toFixed(2)}x hnswlib-wasm's queries/s (target >= 2x: ${b.medianMs >= 2 * a.medianMs ? 'met' : 'NOT met'}); ` +
    `${(apiExact / a.medianMs).toFixed(1)}x the exact search (target >= 10x at 100k: ${apiExact >= 10 * a.medianMs ? 'met' : 'NOT met'})`);
}
