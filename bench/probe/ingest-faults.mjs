// Probe (not a test): the page faults and the user / system processor time of the fresh-page
// limit, of a load of 100k x 128 into fresh memory, and of the same load into the memory the
// first one left (after drop()): what a fresh load pays for its pages, beside its own work.
//
//   node --expose-gc bench/probe/ingest-faults.mjs
//   ROWS=1 ...   the batches as rows (objects) instead of typed columns
//   PERF_CTL=<fifo> PERF_WHAT=limit|load|reload ...   enables a `perf record -D -1 --control
//                fifo:<fifo>,<ack>` for that region alone (with node --perf-basic-prof: the
//                system's side of the page faults and the JIT'd functions in one profile)
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { benchSchema, columnsOf, dataset, rowsOf } from '../lib/data.mjs';
const partita = await import('partita');
const { init, Collection } = partita;
await init();
const N = 100_000, dim = 128, B = 1000;
const ds = dataset(N, dim);
const faults = () => process.resourceUsage().minorPageFault;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quiesce = async () => (globalThis.gc?.(), await sleep(300));
const form = process.env.ROWS ? rowsOf : columnsOf;
const mk = (d) => new Collection('bench', benchSchema(partita, d));

const perf = (what, command) => process.env.PERF_CTL && process.env.PERF_WHAT === what && writeFileSync(process.env.PERF_CTL, `${command}\n`);

/** Runs fn, printing its wall time, page faults and processor time. */
async function measure(what, fn) {
  await quiesce();
  perf(what, 'enable');
  const f0 = faults(), c0 = process.cpuUsage(), t0 = performance.now();
  await fn();
  const ms = performance.now() - t0, cpu = process.cpuUsage(c0);
  perf(what, 'disable');
  console.log(`${what.padEnd(6)} ${ms.toFixed(1).padStart(6)} ms  faults ${String(faults() - f0).padStart(6)}  ` +
    `user ${(cpu.user / 1000).toFixed(1).padStart(5)} ms  sys ${(cpu.system / 1000).toFixed(1).padStart(5)} ms`);
}

// the limit: the vectors into a freshly grown Memory (the process's first grow, as in the bench)
const mem = new WebAssembly.Memory({ initial: 256, maximum: 65536 });
await measure('limit', () => {
  mem.grow(Math.ceil(ds.vectors.byteLength / 65536));
  new Float32Array(mem.buffer).set(ds.vectors, 256 * 16384);
});
// the warm-up in the load's own form, as the bench does
{
  const w = dataset(2000, 8), c = mk(8), bs = [];
  for (let i = 0; i < 2000; i += 50) bs.push(form(w, i, 50, 8));
  for (const b of bs) await c.insert(b);
  for (let r = 0; r < 5; r++) for (const b of bs) await c.upsert(b);
  await c.drop();
}
for (const what of ['load', 'reload']) {
  const c = mk(dim), bs = [];
  for (let i = 0; i < N; i += B) bs.push(form(ds, i, B, dim));
  await measure(what, async () => { for (const b of bs) await c.insert(b); });
  await c.drop();
}
