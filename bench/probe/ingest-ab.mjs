// Probe (not a test): loads of 100k x 128 into reused memory by two checkouts in one process,
// alternated: A/B of a change to the write path (JS or core) without the variance between
// processes. Each checkout loads its own module graph and its own core (its dist/).
//
//   node --expose-gc bench/probe/ingest-ab.mjs <checkout A> <checkout B> [typed|rows] [rounds]
//   FIRST=B ...   loads B's graph first. The graph loaded second reads slower here (two copies
//                 of the same code: 7-20 % for a load, 0-3 % for transcribe-ab.mjs), so run both
//                 orders and take the geometric mean of the two B/A.
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchSchema, dataset, rowsOf, columnsOf } from '../lib/data.mjs';

const [rootA, rootB, mode = 'typed', roundsArg = '30'] = process.argv.slice(2);
if (!rootA || !rootB) throw new Error('usage: ingest-ab.mjs <checkout A> <checkout B> [typed|rows] [rounds]');
const N = 100_000, dim = 128, B = 1000;

async function side(root) {
  const api = await import(pathToFileURL(path.resolve(root, 'web/src/node.js')).href);
  await api.init();
  const { Collection } = api;
  return async (bs) => {
    const c = new Collection('ab', benchSchema(api, dim));
    const t0 = performance.now();
    for (const b of bs) await c.insert(b);
    const ms = performance.now() - t0;
    await c.drop();
    return ms;
  };
}

let a, b;
if (process.env.FIRST === 'B') (b = await side(rootB)), (a = await side(rootA));
else (a = await side(rootA)), (b = await side(rootB));
const ds = dataset(N, dim);
const make = mode === 'rows' ? rowsOf : columnsOf;
const t = { A: [], B: [] };
for (let r = 0; r < Number(roundsArg); r++) {
  for (const [k, f] of r % 2 ? [['A', a], ['B', b]] : [['B', b], ['A', a]]) {
    const bs = []; for (let i = 0; i < N; i += B) bs.push(make(ds, i, B, dim));
    globalThis.gc?.();
    t[k].push(await f(bs));
  }
}
const med = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
console.log(`${mode}: A ${med(t.A).toFixed(2)} ms, B ${med(t.B).toFixed(2)} ms a load (medians of ${t.A.length}); B/A ${(med(t.B) / med(t.A)).toFixed(3)}`);
