// Probe (not a test): the fixed cost of one insert call (a one-row typed batch), in microseconds.
import { performance } from 'node:perf_hooks';
import { benchSchema } from '../lib/data.mjs';
const partita = await import('partita');
const { init, Collection } = partita;
await init();
const dim = 128;
const c = new Collection('o', benchSchema(partita, dim));
const v = new Float32Array(dim).fill(0.5);
for (let rep = 0; rep < 3; rep++) {
  const M = 20000;
  const t0 = performance.now();
  for (let i = 0; i < M; i++) await c.insert([new Float64Array([rep * M + i]), v, ['tag01'], new Int32Array([i])]);
  console.log('us per one-row insert', ((performance.now() - t0) * 1000 / M).toFixed(2));
}
