// npm run bench — partita's upsert / insert throughput next to a plain columnar-JS store,
// measured in the same run on the same data (each case in a fresh process, so every case starts
// from fresh memory). Figures are rows per second; ratios are what to compare across machines.
//
//   node --expose-gc bench/ingest.mjs [--n 100000] [--dim 128] [--json out.json]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { columnsOf, dataset, rowsOf } from './lib/data.mjs';
import { ColumnarStore } from './lib/columnar-js.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const N = Number(opt('n', 100_000));
const DIM = Number(opt('dim', 128));
const BATCH = 1000;

const CASES = {
  'columnar-js: insert rows': async (ds) => {
    const s = new ColumnarStore(ds.dim);
    const batches = prepare(ds, rowsOf, ds);
    const t = time(() => { for (const b of batches) s.upsert(b); });
    return { seconds: t, rows: ds.N, live: s.live };
  },
  'columnar-js: upsert rows (half new)': async (ds) => {
    const s = new ColumnarStore(ds.dim);
    for (const b of prepare(ds, rowsOf, ds)) s.upsert(b);
    const batches = prepare(ds.up, rowsOf, ds, ds.up.M);
    const t = time(() => { for (const b of batches) s.upsert(b); });
    return { seconds: t, rows: ds.up.M, live: s.live, expectLive: ds.liveAfterUpsert };
  },
  'partita: insert rows': async (ds) => partitaCase(ds, 'insert', rowsOf),
  'partita: insert typed columns': async (ds) => partitaCase(ds, 'insert', columnsOf),
  'partita: upsert rows (half new)': async (ds) => partitaCase(ds, 'upsert', rowsOf),
  'partita: upsert typed columns (half new)': async (ds) => partitaCase(ds, 'upsert', columnsOf),
};

function prepare(src, make, ds, count = ds.N) {
  const out = [];
  for (let i = 0; i < count; i += BATCH) out.push(make(src, i, Math.min(BATCH, count - i), ds.dim));
  return out;
}

function time(fn) {
  globalThis.gc?.();
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

async function partitaCase(ds, op, make) {
  const { init, Collection, CollectionSchema, FieldSchema, DataType } = await import('partita');
  const t0 = performance.now();
  await init();
  const c = new Collection('bench', new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('vec', DataType.FLOAT_VECTOR, { dim: ds.dim }),
    new FieldSchema('tag', DataType.VARCHAR, { max_length: 16 }),
    new FieldSchema('n', DataType.INT32),
  ]));
  const initMs = performance.now() - t0;
  if (op === 'insert') {
    const batches = prepare(ds, make, ds);
    globalThis.gc?.();
    const t1 = performance.now();
    for (const b of batches) await c.insert(b);
    return { seconds: (performance.now() - t1) / 1000, rows: ds.N, live: c.num_entities, initMs };
  }
  for (const b of prepare(ds, columnsOf, ds)) await c.insert(b);
  const batches = prepare(ds.up, make, ds, ds.up.M);
  globalThis.gc?.();
  const t1 = performance.now();
  for (const b of batches) await c.upsert(b);
  return { seconds: (performance.now() - t1) / 1000, rows: ds.up.M, live: c.num_entities, expectLive: ds.liveAfterUpsert, initMs };
}

async function child(name) {
  const ds = dataset(N, DIM);
  const r = await CASES[name](ds);
  process.stdout.write(JSON.stringify(r));
}

function main() {
  const self = fileURLToPath(import.meta.url);
  const results = {};
  console.log(`partita ingest benchmark: ${N.toLocaleString('en')} rows x ${DIM}-d float32 + INT64 key + VARCHAR + INT32, batches of ${BATCH}`);
  console.log(`node ${process.version}, ${new Date().toISOString()}\n`);
  for (const name of Object.keys(CASES)) {
    const r = spawnSync(process.execPath, ['--expose-gc', self, '--case', name, '--n', String(N), '--dim', String(DIM)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) {
      console.error(`${name}: failed\n${r.stderr}`);
      process.exitCode = 1;
      continue;
    }
    const res = JSON.parse(r.stdout);
    if (res.expectLive !== undefined && res.live !== res.expectLive) {
      console.error(`${name}: ${res.live} live rows, expected ${res.expectLive}`);
      process.exitCode = 1;
    }
    res.rowsPerSecond = res.rows / res.seconds;
    results[name] = res;
  }
  const base = (k) => results[k]?.rowsPerSecond;
  const rowsFmt = (x) => (x === undefined ? 'n/a' : `${Math.round(x / 1000).toLocaleString('en')} k`);
  const table = [
    ['case', 'rows/s', 'vs columnar JS'],
    ...Object.entries(results).map(([k, r]) => {
      const ref = k.includes('upsert') ? base('columnar-js: upsert rows (half new)') : base('columnar-js: insert rows');
      return [k, rowsFmt(r.rowsPerSecond), ref ? `${(r.rowsPerSecond / ref).toFixed(2)}x` : ''];
    }),
  ];
  const w = table[0].map((_, j) => Math.max(...table.map((row) => row[j].length)));
  table.forEach((row, i) => {
    console.log(`| ${row.map((c, j) => (j ? c.padStart(w[j]) : c.padEnd(w[j]))).join(' | ')} |`);
    if (i === 0) console.log(`|${w.map((x, j) => (j ? '-'.repeat(x + 1) + ':' : '-'.repeat(x + 2))).join('|')}|`);
  });
  const initMs = results['partita: insert rows']?.initMs;
  if (initMs !== undefined) console.log(`\npartita init() + first collection: ${initMs.toFixed(1)} ms`);
  const out = opt('json');
  if (out) writeFileSync(out, JSON.stringify({ N, DIM, BATCH, node: process.version, results }, null, 2));
}

const caseName = opt('case');
if (caseName) await child(caseName);
else main();
