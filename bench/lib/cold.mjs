// Cold rows (issue 18 item 5: "quantized indexes can drop the float32 vectors' working set where
// Milvus allows it"): a durable store with an IVF_SQ8 index, opened with and without
// `coldVectors`, side by side. `npm run bench -- --only cold [--rows 100000] [--reps 3]`.
//
// Each case runs in a process of its own (bench/run.mjs --case), the two alternating:
//   the Gaussian mixture's rows (bench/lib/ann.mjs's data file) inserted into a durable store in
//   build/, IVF_SQ8 (nlist 4 x sqrt(rows)) built, one search (the index holds every row), a
//   checkpoint; then measured: the core's resident bytes (memoryUsage().used, after a GC) beside
//   the raw float32 bytes, Q searches at nprobe 16 (latency, recall against the exact top-10),
//   a query of 10 random rows' vectors (with coldVectors: their segments read back from the
//   checkpoint file), and a reopen (time, resident bytes after it).
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { K, dataFile, loadData, median } from './ann.mjs';

const BATCH = 10_000, NPROBE = 16, WARM = 20;

async function coldStore({ rows, dim, cold }, root) {
  const partita = await import('partita');
  await partita.init();
  const { CollectionSchema, FieldSchema, DataType, Collection, connections, memoryUsage } = partita;
  const ds = loadData(dataFile('mixture', rows, dim), rows, dim);
  const dir = path.join(mkdtempSync(path.join(root, 'build', 'bench-cold-')), 'store.db');
  const durable = { coldVectors: cold, fsync: 'none' };
  try {
    connections.connect('c', { uri: dir, durable });
    const schema = new CollectionSchema([
      new FieldSchema('id', DataType.INT64, { is_primary: true }),
      new FieldSchema('vec', DataType.FLOAT_VECTOR, { dim }),
    ]);
    let c = new Collection('bench', schema, { using: 'c' });
    for (let at = 0; at < rows; at += BATCH) {
      const n = Math.min(BATCH, rows - at);
      const ids = Array.from({ length: n }, (_, i) => at + i), vs = [];
      for (let i = 0; i < n; i++) vs.push(ds.vectors.subarray((at + i) * dim, (at + i + 1) * dim));
      await c.insert([ids, vs]);
    }
    const nlist = Math.round(4 * Math.sqrt(rows));
    await c.create_index('vec', { index_type: 'IVF_SQ8', metric_type: 'L2', params: { nlist } });
    await c.load();
    const q = (i) => ds.queries.subarray(i * dim, (i + 1) * dim);
    const p = { metric_type: 'L2', params: { nprobe: NPROBE } };
    const search = async (i) => (await c.search([q(i)], 'vec', p, K, null, { output_fields: ['id'] }))[0].map((h) => Number(h.id));
    await search(0);
    connections._durable('c').checkpoint();
    globalThis.gc?.();
    const used = memoryUsage().used, coldBytes = memoryUsage().cold;
    const lat = [], found = [];
    for (let i = 0; i < ds.Q; i++) {
      const t = performance.now();
      found.push(await search(i));
      if (i >= WARM) lat.push(performance.now() - t);
    }
    const afterSearch = memoryUsage().used;
    // 10 rows spread over the collection: their vectors (with coldVectors, read back)
    const some = Array.from({ length: 10 }, (_, i) => Math.floor(((i + 0.5) * rows) / 10));
    let t = performance.now();
    const got = await c.query(`id in [${some.join(', ')}]`, { output_fields: ['vec'] });
    const outputMs = performance.now() - t;
    if (got.length !== 10) throw new Error(`query: ${got.length} rows`);
    const afterOutput = memoryUsage().used;
    connections.remove_connection('c');
    globalThis.gc?.();
    t = performance.now();
    connections.connect('c', { uri: dir, durable });
    c = new Collection('bench', undefined, { using: 'c' });
    if (c.num_entities !== rows) throw new Error(`reopened: ${c.num_entities} rows`);
    const reopenMs = performance.now() - t;
    globalThis.gc?.();
    const reopenUsed = memoryUsage().used, reopenCold = memoryUsage().cold;
    const again = await search(0);
    connections.remove_connection('c');
    return {
      rows, dim, cold, raw: rows * dim * 4, used, coldBytes, searchMs: median(lat), found, afterSearch, outputMs, afterOutput,
      reopenMs, reopenUsed, reopenCold, sameAfterReopen: JSON.stringify(again) === JSON.stringify(found[0]),
    };
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}

export const coldCases = (root) => ({ 'cold|store': (p) => coldStore(p, root) });

/** The report: `reps` processes of each, alternating; medians. */
export async function coldSuite({ rows, dim, reps, runCase, table, truthOf }) {
  console.log(`\n## Cold rows: ${rows.toLocaleString('en')} x ${dim}-d (Gaussian mixture), IVF_SQ8 (nlist ${Math.round(4 * Math.sqrt(rows))}), ` +
    `a durable store with and without coldVectors after a checkpoint; nprobe ${NPROBE}, top-${K}; median of ${reps} processes each, alternating\n`);
  const runs = { false: [], true: [] };
  for (let i = 0; i < reps; i++)
    for (const cold of [false, true]) {
      const r = runCase('cold|store', { rows, dim, cold });
      if (r) runs[cold].push(r);
    }
  if (!runs.false.length || !runs.true.length) return null;
  const ds = loadData(dataFile('mixture', rows, dim), rows, dim);
  const truth = (await truthOf(ds, rows)).ids;
  const recall = (found) => found.reduce((n, ids, q) => n + ids.filter((id) => truth[q].includes(id)).length, 0) / (found.length * K);
  const m = (cold, k) => median(runs[cold].map((r) => r[k]));
  const raw = rows * dim * 4, x = (v) => `${(v / raw).toFixed(3)}x`, mb = (v) => `${(v / 1e6).toFixed(1)} MB`;
  const row = (cold) => [cold ? 'coldVectors' : 'rows in memory', `${mb(m(cold, 'used'))} (${x(m(cold, 'used'))})`,
    recall(runs[cold][0].found).toFixed(3), m(cold, 'searchMs').toFixed(3), `${m(cold, 'outputMs').toFixed(1)} ms, then ${x(m(cold, 'afterOutput'))}`,
    `${m(cold, 'reopenMs').toFixed(0)} ms, ${x(m(cold, 'reopenUsed'))}`];
  table([['store', 'resident after a checkpoint (x the float32 bytes)', `recall@${K}`, 'search ms', '10 rows\' vectors (resident after)', 'reopen (resident after)'],
    row(false), row(true)]);
  const ratio = m(true, 'searchMs') / m(false, 'searchMs');
  console.log(`\nThe float32 rows are ${mb(raw)}; with coldVectors ${mb(m(true, 'coldBytes'))} of them are in the checkpoint file only. ` +
    `Search with coldVectors / without: ${ratio.toFixed(2)}x (the same index, nothing read back). Target (issue 18): a quantized index holding ` +
    '<= 0.45x the float32 bytes at recall@10 >= 0.95.');
  return { rows, dim, raw, warm: runs.false, cold: runs.true, recall: { warm: recall(runs.false[0].found), cold: recall(runs.true[0].found) } };
}
