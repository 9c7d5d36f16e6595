// Probe (not a test): one load of 100k x 128 into fresh memory after the bench's warm-up,
// with the time of each batch (the slowest named: memory growth, collections, first use).
//
//   node --expose-gc bench/probe/ingest-fresh.mjs
//   MARK=1 ...      prints each batch's start and each Memory.grow (with --trace-gc,
//                   --trace-wasm-compilation-times: what happens at which batch)
//   SETTLE=ms ...   waits that long after the warm-up (background compiles finish)
//   ROWS=1 ...      the batches as rows (objects) instead of typed columns
//   DIM=768 ...     20,000 rows of 768-d (the bench's second size)
import { performance } from 'node:perf_hooks';
import { benchSchema, columnsOf, dataset, rowsOf } from '../lib/data.mjs';
const partita = await import('partita');
const { init, Collection } = partita;
await init(process.env.WASM ? { wasm: (await import('node:fs')).readFileSync(process.env.WASM) } : {});
const dim = Number(process.env.DIM || 128), N = dim === 128 ? 100_000 : 20_000, B = 1000; // DIM=768: 20,000 rows, as the bench
const grow = WebAssembly.Memory.prototype.grow;
WebAssembly.Memory.prototype.grow = function (pages) {
  const t = performance.now();
  const r = grow.call(this, pages);
  if (process.env.MARK) console.log('grow', pages, (performance.now() - t).toFixed(2), 'ms');
  return r;
};
const ds = dataset(N, dim);
// the limit's grow first (as the bench does: detaching protector)
{ const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 }); m.grow(1000); new Float32Array(m.buffer).set(ds.vectors); }
const mk = (d) => new Collection('bench', benchSchema(partita, d));
const form = process.env.ROWS ? rowsOf : columnsOf; // the warm-up in the load's own form, as the bench does
{ const w = dataset(2000, 8); const c = mk(8); const bs = []; for (let i = 0; i < 2000; i += 50) bs.push(form(w, i, 50, 8));
  for (const b of bs) await c.insert(b); for (let r = 0; r < 5; r++) for (const b of bs) await c.upsert(b); await c.drop(); }
if (process.env.MARK) console.log('warm-up done');
if (process.env.SETTLE) await new Promise((r) => setTimeout(r, Number(process.env.SETTLE)));
globalThis.gc?.();
const c = mk(dim);
const bs = []; for (let i = 0; i < N; i += B) bs.push(form(ds, i, B, dim));
globalThis.gc?.();
if (process.env.SETTLE) await new Promise((r) => setTimeout(r, Number(process.env.SETTLE)));
const ts = [];
const t0 = performance.now();
for (const b of bs) {
  const t = performance.now();
  if (process.env.MARK) console.log('batch', ts.length);
  await c.insert(b);
  ts.push(performance.now() - t);
}
const total = performance.now() - t0;
const sorted = [...ts].sort((a, b) => a - b);
console.log('total', total.toFixed(1), 'median batch', sorted[sorted.length >> 1].toFixed(3), 'sum', ts.reduce((a, b) => a + b, 0).toFixed(1),
  'top', ts.map((t, i) => [t, i]).sort((a, b) => b[0] - a[0]).slice(0, 8).map(([t, i]) => `${i}:${t.toFixed(2)}`).join(' '));
