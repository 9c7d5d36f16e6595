// Probe (not a test): marshal.transcribe alone over 100,000 rows as objects (no write), ms per
// load; and the same rows read by a plain JS row loop (the floor of reading them).
import { performance } from 'node:perf_hooks';
import { benchSchema, dataset, rowsOf, columnsOf } from '../lib/data.mjs';
import { transcribe } from '../../web/src/core/marshal.js';
const partita = await import('partita');
const { init, Collection } = partita;
await init();
const N = 100_000, dim = 128, B = 1000;
const ds = dataset(N, dim);
const c = new Collection('t', benchSchema(partita, dim));
const { info } = c._facts();
const mode = process.argv[2] || 'rows';
const make = mode === 'rows' ? rowsOf : columnsOf;
// SAME=1: the same batches every time (no first touch of fresh rows: the work alone)
const same = process.env.SAME ? (() => { const bs = []; for (let i = 0; i < N; i += B) bs.push(make(ds, i, B, dim)); return bs; })() : null;
const ts = [];
for (let k = 0; k < (same ? 40 : 12); k++) {
  const bs = same ?? [];
  if (!same) for (let i = 0; i < N; i += B) bs.push(make(ds, i, B, dim));
  if (!same) globalThis.gc?.();
  const t0 = performance.now();
  for (const b of bs) transcribe(info, b, 'insert').release();
  ts.push(performance.now() - t0);
}
ts.sort((a, b) => a - b);
console.log(mode, 'transcribe ms per load: median', ts[ts.length >> 1].toFixed(2), 'min', ts[0].toFixed(2));
