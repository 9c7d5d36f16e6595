// Filtered search with an index (issue 18: "filtered (50 %, 10 %, 1 % pass): recall@10 >= 0.95 and
// never slower than the exact filtered search"), `npm run bench -- --only index` (after the index
// suites; `--sets` may name `filtered` alone).
//
// One process holds three collections of the same rows (the Gaussian mixture, 100,000 x 128, the
// index bench's data file) with an INT32 field `b`, a bucket in [0, 100) drawn from a hash of the
// row number, so that it is independent of the mixture's clusters: one collection with HNSW (M 16,
// efConstruction 200, as the index bench), one without (the exact filtered search) and a second
// one without (the control). Filters
// `b < P` pass P % of the rows. For each P and each ef of the sweep, the 200 queries are searched
// through the public API (search with `expr` and params.ef), each query on both collections in
// turn (each first every other query), after warm-ups; recall@10 is measured against the exact filtered top-10, latency is the
// median of the queries, and the ratio the median of the per-query ratios (indexed / exact). An A/A
// control does the same with a second unindexed copy in the indexed one's place (its ratio is
// what "the same speed" reads as on the machine at the time).
import { performance } from 'node:perf_hooks';
import { HNSW, K, Q, WARM, dataFile, loadData, median } from './ann.mjs';

export const PASSES = [50, 20, 10, 5, 2, 1];
const FEFS = [10, 16, 24, 32, 48, 64, 96, 128];
const BATCH = 1000;

/** The bucket of row i, in [0, 100): a multiplicative hash, independent of the set's clusters. */
export const bucketOf = (i) => (Math.imul(i + 1, 0x9e3779b1) >>> 8) % 100;

async function filteredCase({ N, dim, file }) {
  const ds = loadData(file, N, dim);
  const partita = await import('partita');
  const { init, Collection, CollectionSchema, FieldSchema, DataType } = partita;
  await init();
  const make = async (name) => {
    const c = new Collection(name, new CollectionSchema([
      new FieldSchema('id', DataType.INT64, { is_primary: true }),
      new FieldSchema('b', DataType.INT32),
      new FieldSchema('vec', DataType.FLOAT_VECTOR, { dim }),
    ]));
    for (let i = 0; i < N; i += BATCH) {
      const n = Math.min(BATCH, N - i);
      await c.insert([Float64Array.from({ length: n }, (_, j) => i + j), Int32Array.from({ length: n }, (_, j) => bucketOf(i + j)),
        ds.vectors.subarray(i * dim, (i + n) * dim)]);
    }
    return c;
  };
  const exact = await make('exact'), indexed = await make('indexed'), control = await make('control');
  const t0 = performance.now();
  indexed.create_index('vec', { index_type: 'HNSW', metric_type: 'L2', params: { M: HNSW.M, efConstruction: HNSW.efConstruction } });
  const buildMs = performance.now() - t0;
  const qs = Array.from({ length: Q }, (_, q) => ds.queries.subarray(q * dim, (q + 1) * dim));
  const search = async (c, q, expr, ef) =>
    (await c.search([qs[q]], 'vec', { metric_type: 'L2', ...(ef ? { params: { ef } } : {}) }, K, expr))[0].map((h) => Number(h.id));
  const out = { N, buildMs, passes: [] };
  for (const P of PASSES) {
    const expr = `b < ${P}`;
    const pass = Array.from({ length: N }, (_, i) => bucketOf(i) < P).filter(Boolean).length;
    for (let i = 0; i < WARM; i++) await search(exact, i % Q, expr);
    const truth = [], exactLat = [];
    for (let q = 0; q < Q; q++) {
      const t = performance.now();
      truth.push(await search(exact, q, expr));
      exactLat.push(performance.now() - t);
    }
    // the A/A control: the unindexed copy in the indexed one's place, alternated the same way
    const aa = [];
    for (let i = 0; i < WARM; i++) await search(control, i % Q, expr);
    for (let q = 0; q < Q; q++) {
      const t0 = performance.now();
      if (q & 1) await search(exact, q, expr);
      else await search(control, q, expr);
      const t1 = performance.now();
      if (q & 1) await search(control, q, expr);
      else await search(exact, q, expr);
      const t2 = performance.now();
      aa.push(q & 1 ? (t2 - t1) / (t1 - t0) : (t1 - t0) / (t2 - t1));
    }
    const points = [];
    for (const ef of FEFS) {
      for (let i = 0; i < WARM; i++) await search(indexed, i % Q, expr, ef);
      const lat = [], ratios = [];
      let hits = 0;
      for (let q = 0; q < Q; q++) {
        // the exact search beside it, query by query, each going first every other query (the
        // second of a pair finds the shared code and the query warm)
        const timed = async (f) => {
          const t = performance.now();
          const r = await f();
          return [r, performance.now() - t];
        };
        const first = q & 1 ? 'exact' : 'indexed';
        let ids, ms, ems;
        if (first === 'indexed') {
          [ids, ms] = await timed(() => search(indexed, q, expr, ef));
          [, ems] = await timed(() => search(exact, q, expr));
        } else {
          [, ems] = await timed(() => search(exact, q, expr));
          [ids, ms] = await timed(() => search(indexed, q, expr, ef));
        }
        lat.push(ms);
        ratios.push(ms / ems);
        hits += ids.filter((id) => truth[q].includes(id)).length;
      }
      points.push({ ef, recall: hits / (Q * K), medianMs: median(lat), ratio: median(ratios) });
    }
    out.passes.push({ P, expr, pass, exactMs: median(exactLat), aa: median(aa), points });
  }
  return out;
}

export const FILTER_CASES = { 'index|filtered HNSW vs exact (API)': filteredCase };

/** The suite: `reps` processes; per pass share and ef, the medians. */
export async function filteredSuite({ N, dim, reps, runCase, table }) {
  console.log(`\n## Filtered search: ${N.toLocaleString('en')} x ${dim}-d Gaussian mixture, filter \`b < P\` (P % of the rows pass; b a hash ` +
    `of the row, independent of the clusters); HNSW M ${HNSW.M}, efConstruction ${HNSW.efConstruction} beside the exact filtered search ` +
    `(no index), both through the public API, alternated query by query; ${Q} queries, top-${K}; median of ${reps} processes\n`);
  const file = dataFile('mixture', N, dim);
  const runs = [];
  for (let i = 0; i < reps; i++) {
    const r = runCase('index|filtered HNSW vs exact (API)', { N, dim, file });
    if (r) runs.push(r);
  }
  if (!runs.length) return null;
  const res = { N, buildMs: median(runs.map((r) => r.buildMs)), passes: [] };
  const rows = [['pass', 'exact filtered ms', 'A/A control', ...FEFS.map((ef) => `ef ${ef}: recall / ms / x exact`)]];
  for (let p = 0; p < runs[0].passes.length; p++) {
    const at = runs.map((r) => r.passes[p]);
    const points = at[0].points.map((pt, j) => ({
      ef: pt.ef, recall: pt.recall, medianMs: median(at.map((a) => a.points[j].medianMs)), ratio: median(at.map((a) => a.points[j].ratio)),
    }));
    const e = { P: at[0].P, pass: at[0].pass, exactMs: median(at.map((a) => a.exactMs)), aa: median(at.map((a) => a.aa)), points };
    res.passes.push(e);
    rows.push([`${e.P} % (${e.pass.toLocaleString('en')} rows)`, e.exactMs.toFixed(3), `${e.aa.toFixed(2)}x`,
      ...points.map((x) => `${x.recall.toFixed(3)} / ${x.medianMs.toFixed(3)} / ${x.ratio.toFixed(2)}x`)]);
  }
  table(rows);
  console.log('');
  for (const e of res.passes) {
    const ok = e.points.find((x) => x.recall >= 0.95);
    const slower = e.points.filter((x) => x.ratio > 1).map((x) => x.ef);
    console.log(`${e.P} % pass: ` + (ok ? `recall@10 ${ok.recall.toFixed(3)} from ef ${ok.ef}, ${ok.medianMs.toFixed(3)} ms, ${ok.ratio.toFixed(2)}x the exact filtered search` : 'recall 0.95 NOT reached') +
      `; slower than exact at ef ${slower.length ? slower.join(', ') : '(none)'} (A/A control ${e.aa.toFixed(3)}x)` +
      ` — target (recall >= 0.95, never slower than exact): ${ok && ok.ratio <= 1 ? 'met' : 'NOT met'}`);
  }
  return res;
}
