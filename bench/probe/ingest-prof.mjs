// Probe (not a test): loads of 100k x 128 into reused memory, repeated in one process: the
// steady-state cost of an insert without the page faults of a fresh load.
//
//   node --expose-gc bench/probe/ingest-prof.mjs [typed|rows] [reps]
//   WASM=other/partita.wasm ...   another build's .wasm (same exports and glue), for A/B runs
//   node --cpu-prof ...            where the time goes (a --profiling-funcs build names the
//                                  WebAssembly functions; its glue must go with it)
import { performance } from 'node:perf_hooks';
import { benchSchema, columnsOf, dataset, rowsOf } from '../lib/data.mjs';
const partita = await import('partita');
const { init, Collection } = partita;
await init(process.env.WASM ? { wasm: (await import('node:fs')).readFileSync(process.env.WASM) } : {});
const mode = process.argv[2] || 'typed';
const reps = Number(process.argv[3] || 10);
const N = 100_000, dim = 128, B = 1000;
const ds = dataset(N, dim);
const make = mode === 'rows' ? rowsOf : columnsOf;
const mk = () => new Collection('bench', benchSchema(partita, dim));
const ts = [];
for (let r = 0; r < reps; r++) {
  const c = mk();
  const bs = [];
  for (let i = 0; i < N; i += B) bs.push(make(ds, i, B, dim));
  globalThis.gc?.();
  const t0 = performance.now();
  for (const b of bs) await c.insert(b);
  ts.push(performance.now() - t0);
  await c.drop();
}
ts.sort((a, b) => a - b);
console.log(mode, 'ms', ts.map((t) => t.toFixed(1)).join(' '), 'median', ts[ts.length >> 1].toFixed(1));
