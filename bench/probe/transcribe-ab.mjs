// Probe (not a test): marshal.transcribe of two checkouts in one process, alternated: A/B of a
// change to the transcription without the variance between processes (which on these VMs is
// larger than the change). Each checkout loads its own module graph and its own core.
//
//   node --expose-gc bench/probe/transcribe-ab.mjs <checkout A> <checkout B> [rows|typed] [rounds]
//   FIRST=B ...   loads B's graph first (the graph loaded second reads 0-3 % slower with two
//                 copies of the same code: run both orders)
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchSchema, dataset, rowsOf, columnsOf } from '../lib/data.mjs';

const [rootA, rootB, mode = 'rows', roundsArg = '30'] = process.argv.slice(2);
if (!rootA || !rootB) throw new Error('usage: transcribe-ab.mjs <checkout A> <checkout B> [rows|typed] [rounds]');
const N = 100_000, dim = 128, B = 1000;

async function side(root) {
  const url = (p) => pathToFileURL(path.resolve(root, p)).href;
  const api = await import(url('web/src/node.js'));
  const { transcribe } = await import(url('web/src/core/marshal.js'));
  await api.init();
  const { Collection } = api;
  const c = new Collection('t', benchSchema(api, dim));
  const { info } = c._facts();
  return (bs) => { for (const b of bs) transcribe(info, b, 'insert').release(); };
}

let a, b;
if (process.env.FIRST === 'B') (b = await side(rootB)), (a = await side(rootA));
else (a = await side(rootA)), (b = await side(rootB));
const ds = dataset(N, dim);
const make = mode === 'rows' ? rowsOf : columnsOf;
const bs = []; for (let i = 0; i < N; i += B) bs.push(make(ds, i, B, dim));
const t = { A: [], B: [] };
for (let r = 0; r < Number(roundsArg); r++) {
  for (const [k, f] of r % 2 ? [['A', a], ['B', b]] : [['B', b], ['A', a]]) {
    const t0 = performance.now();
    f(bs);
    t[k].push(performance.now() - t0);
  }
}
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
console.log(`${mode}: A ${med(t.A).toFixed(2)} ms, B ${med(t.B).toFixed(2)} ms a load (medians of ${t.A.length}); B/A ${(med(t.B) / med(t.A)).toFixed(3)}`);
