// node bench/grpc.mjs [--rows 20000] [--dim 128] [--queries 200] — partita-serve through the Node
// SDK (issue 20): insert and search throughput of its MilvusClient (gRPC) next to its HttpClient
// (REST) against the same partita-serve process on loopback, and partita-serve's start-up time
// from spawn to the first answered GetVersion (median of 5 fresh processes).
// Inserts go in batches of 1000 rows; searches are exact top-10, one query vector per call, one
// call at a time. Absolute figures drift on shared machines; compare the two faces of one run.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MilvusClient, HttpClient } from '@zilliz/milvus2-sdk-node';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ROWS = opt('rows', 20000), DIM = opt('dim', 128), QUERIES = opt('queries', 200), BATCH = 1000;
const bin = fileURLToPath(new URL('../web/bin/partita-serve.mjs', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** The partita-serve processes started, killed when this one ends however it ends (a child
 * left running would hold the pipes of whoever waits for this process). */
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** Starts partita-serve on a free port: { child, port, started (ms from spawn to its line) }. */
function start() {
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, '--port', '0', '--api-only'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.stdout.on('data', (d) => {
      out += d;
      const m = /serving Milvus gRPC on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), t0 });
    });
    child.on('exit', (code) => reject(new Error(`partita-serve exited (${code}): ${out}`)));
  });
}

let seed = 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
const vector = () => Array.from({ length: DIM }, rand);

async function startup() {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const { child, port, t0 } = await start();
    const c = new MilvusClient({ address: `127.0.0.1:${port}` });
    await c.getVersion();
    times.push(performance.now() - t0);
    await c.closeConnection();
    child.kill('SIGTERM');
  }
  return median(times);
}

async function main() {
  const startMs = await startup();
  const { child, port } = await start();
  const grpc = new MilvusClient({ address: `127.0.0.1:${port}` });
  const rest = new HttpClient({ endpoint: `http://127.0.0.1:${port}` });
  const rows = Array.from({ length: ROWS }, (_, i) => ({ id: i, vector: vector() }));
  const queries = Array.from({ length: QUERIES }, vector);
  const out = { rows: ROWS, dim: DIM, queries: QUERIES, startup_ms: Math.round(startMs) };
  for (const [face, c] of [['grpc', grpc], ['rest', rest]]) {
    const name = `bench_${face}`;
    if (face === 'grpc') await c.createCollection({ collection_name: name, dimension: DIM, metric_type: 'L2' });
    else await c.createCollection({ collectionName: name, dimension: DIM, metricType: 'L2' });
    let t = performance.now();
    for (let at = 0; at < ROWS; at += BATCH) {
      const data = rows.slice(at, at + BATCH);
      const r = face === 'grpc' ? await c.insert({ collection_name: name, data }) : await c.insert({ collectionName: name, data });
      if ((r.status?.error_code ?? (r.code === 0 ? 'Success' : r.message)) !== 'Success') throw new Error(`${face} insert: ${JSON.stringify(r).slice(0, 300)}`);
    }
    out[`${face}_insert_rows_per_s`] = Math.round(ROWS / ((performance.now() - t) / 1000));
    t = performance.now();
    for (const q of queries) {
      const r = face === 'grpc' ? await c.search({ collection_name: name, data: q, limit: 10 }) : await c.search({ collectionName: name, data: [q], limit: 10 });
      if ((face === 'grpc' ? r.results : r.data).length !== 10) throw new Error(`${face} search: ${JSON.stringify(r).slice(0, 300)}`);
    }
    out[`${face}_search_per_s`] = Math.round(QUERIES / ((performance.now() - t) / 1000));
  }
  await grpc.closeConnection();
  child.kill('SIGTERM');
  console.log(JSON.stringify(out, null, 2));
  process.exit(0);
}

try {
  await main();
} catch (e) {
  console.error(e?.stack ?? e);
  process.exit(1);
}
