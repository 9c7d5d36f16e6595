// The durability bench (npm run bench -- --only durable; issue 17): upserts of 1,000-row
// batches into a durable store (persist/durable.js) with fdatasync per batch and with a group
// commit window, next to the same upserts in memory and to SQLite in WAL mode doing the same
// row writes with the same sync policy; and the reopen time of a large store.
//
// SQLite is Debian's sqlite3 CLI (Node 20 has no node:sqlite; no native addon is installed),
// driven through a pipe with `.timer on`: what is summed is SQLite's own "Run Time: real" of
// each BEGIN / INSERT OR REPLACE / COMMIT, so the pipe and the process are not timed; SQLite
// parses its rows from SQL text (vectors as X'…' blobs) as partita transcribes row objects.
import { spawn } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchSchema, columnsOf, dataset, rowsOf } from './data.mjs';

export const BATCH = 1000;

/** A fresh directory on the disk the repository is on (not tmpfs: fsync must cost what it costs). */
export function scratchDir(root) {
  return mkdtempSync(path.join(root, 'build', 'bench-durable-'));
}

async function collection(partita, alias, dim) {
  return new partita.Collection('bench', benchSchema(partita, dim), { using: alias });
}

/** Upsert batches run before the timed ones (not timed): the first batches of a process run
 * while its code is still being compiled and its memory grown. */
export const WARM_BATCHES = 4;

/**
 * partita: N rows inserted (not timed), then the N/2 upserts (half new keys) in batches of
 * 1,000, the first WARM_BATCHES not timed. `durable`: null (in memory) or the store's options;
 * `writers`: upsert calls in flight at once, each writer sending its next batch when its last
 * resolved (they share fdatasyncs: in the thread pool, or a group commit window's).
 * `batchBytes`: the log bytes a timed batch wrote.
 */
export async function partitaUpserts({ N, dim, durable, writers = 1 }, root) {
  const partita = await import('partita');
  await partita.init();
  const ds = dataset(N, dim);
  const dir = durable ? scratchDir(root) : null;
  try {
    partita.connections.connect('bench', durable ? { uri: path.join(dir, 'bench.db'), durable } : {});
    const c = await collection(partita, 'bench', dim);
    for (let i = 0; i < N; i += BATCH) await c.insert(columnsOf(ds, i, Math.min(BATCH, N - i), dim));
    const bs = [];
    for (let i = 0; i < ds.up.M; i += BATCH) bs.push(rowsOf(ds.up, i, Math.min(BATCH, ds.up.M - i), dim));
    const warm = Math.min(WARM_BATCHES, bs.length >> 1);
    for (let i = 0; i < warm; i += writers) await Promise.all(bs.slice(i, Math.min(warm, i + writers)).map((b) => c.upsert(b)));
    const logAt = () => (durable ? partita.connections._durable('bench').sizes.log : 0);
    const log0 = logAt();
    globalThis.gc?.();
    const t0 = performance.now();
    // `writers` loops, each taking the next batch when its last upsert resolved: that many
    // calls in flight all the time (a server's clients), not rounds that wait for the slowest
    let next = warm;
    const writer = async () => {
      while (next < bs.length) await c.upsert(bs[next++]);
    };
    await Promise.all(Array.from({ length: writers }, writer));
    const ms = performance.now() - t0;
    if (c.num_entities !== ds.liveAfterUpsert) throw new Error(`partita: ${c.num_entities} live rows, expected ${ds.liveAfterUpsert}`);
    const timed = bs.length - warm, logBytes = logAt() - log0;
    partita.connections.remove_connection('bench');
    return { rowsPerSecond: (timed * BATCH) / (ms / 1000), batches: timed, logBytes, batchBytes: logBytes / timed };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The disk alone, the limit of a durable batch: `batches` appends of `bytes` each to a file on
 * the same disk, each followed by fdatasync, as the log's writes (no partita); as rows/s of
 * 1,000-row batches.
 */
export function diskAppends({ bytes, batches, perSync = 1 }, root) {
  const dir = scratchDir(root);
  const fd = openSync(path.join(dir, 'log'), 'w');
  // `perSync` batches' bytes in one write and one fdatasync (what a group commit asks of the
  // disk): the disk's rate for larger writes, its bandwidth rather than a sync's latency
  const buf = Buffer.alloc(Math.max(1, Math.round(bytes * perSync)));
  batches = Math.max(1, Math.round(batches / perSync));
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 2654435761) >>> 24; // not all zeros
  try {
    let at = 0;
    const append = () => {
      for (let done = 0; done < buf.length;) done += writeSync(fd, buf, done, buf.length - done, at + done);
      at += buf.length;
      fdatasyncSync(fd);
    };
    for (let i = 0; i < WARM_BATCHES; i++) append();
    const t0 = performance.now();
    for (let i = 0; i < batches; i++) append();
    return { rowsPerSecond: (batches * perSync * BATCH) / ((performance.now() - t0) / 1000), bytes: buf.length / perSync };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

const hex = (f32) => Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength).toString('hex');

/** The INSERT OR REPLACE of rows [start, start + count) of `src` (SQLite's upsert by key). */
function insertSql(src, start, count, dim) {
  const values = [];
  for (let i = start; i < start + count; i++)
    values.push(`(${src.ids[i]},X'${hex(src.vectors.subarray(i * dim, (i + 1) * dim))}','${src.tags[i]}',${src.ns[i]})`);
  return `INSERT OR REPLACE INTO bench VALUES ${values.join(',')};\n`;
}

/** A sqlite3 CLI process on database file `file`: run(sql) resolves with the summed "Run Time:
 * real" seconds of its statements (with `.timer on`), once a `.print` after them (a dot command,
 * not timed) has come back. */
function sqliteShell(file) {
  const p = spawn('sqlite3', ['-batch', file], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', err = '', waiting = null, mark = 0;
  p.stdout.setEncoding('utf8').on('data', (d) => {
    out += d;
    if (waiting && out.includes(`end-${waiting.mark}\n`)) {
      const text = out;
      out = '';
      const w = waiting;
      waiting = null;
      let s = 0;
      for (const m of text.matchAll(/Run Time: real ([0-9.]+)/g)) s += Number(m[1]);
      w.resolve(s);
    }
  });
  p.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  return {
    run(sql) {
      if (err) return Promise.reject(new Error(`sqlite3: ${err}`));
      const m = ++mark;
      return new Promise((resolve) => {
        waiting = { mark: m, resolve };
        p.stdin.write(`${sql}.print end-${m}\n`);
      });
    },
    close: () => new Promise((resolve) => {
      p.on('close', resolve);
      p.stdin.end('.quit\n');
    }),
    get stderr() {
      return err;
    },
  };
}

/**
 * SQLite in WAL mode, the same rows: N inserted (one transaction, not timed), then the N/2
 * upserts, one transaction per `perCommit` batches of 1,000 (synchronous FULL: the WAL is
 * fsynced at each commit, as partita's log at each batch or group commit; OFF: never, what
 * SQLite's writes cost without their syncs).
 */
export async function sqliteUpserts({ N, dim, perCommit = 1, synchronous = 'FULL' }, root) {
  const ds = dataset(N, dim);
  const dir = scratchDir(root);
  const sh = sqliteShell(path.join(dir, 'bench.sqlite'));
  try {
    await sh.run(`PRAGMA journal_mode = WAL;\nPRAGMA synchronous = ${synchronous};\n` +
      'CREATE TABLE bench (id INTEGER PRIMARY KEY, vec BLOB NOT NULL, tag TEXT NOT NULL, n INTEGER NOT NULL);\n');
    let sql = 'BEGIN;\n';
    for (let i = 0; i < N; i += BATCH) sql += insertSql(ds, i, Math.min(BATCH, N - i), dim);
    await sh.run(`${sql}COMMIT;\n`);
    await sh.run('.timer on\n');
    let seconds = 0;
    for (let i = 0; i < ds.up.M; i += BATCH * perCommit) {
      let tx = 'BEGIN;\n';
      for (let j = i; j < Math.min(ds.up.M, i + BATCH * perCommit); j += BATCH) tx += insertSql(ds.up, j, Math.min(BATCH, ds.up.M - j), dim);
      seconds += await sh.run(`${tx}COMMIT;\n`);
    }
    await sh.run('.timer off\n');
    const rows = await new Promise((resolve) => {
      // the row count, to check the upserts did what partita's did
      const chk = spawn('sqlite3', [path.join(dir, 'bench.sqlite'), 'SELECT count(*) FROM bench;']);
      let t = '';
      chk.stdout.on('data', (d) => (t += d));
      chk.on('close', () => resolve(Number(t.trim())));
    });
    if (rows !== ds.liveAfterUpsert) throw new Error(`sqlite3: ${rows} rows, expected ${ds.liveAfterUpsert}${sh.stderr ? `: ${sh.stderr}` : ''}`);
    return { rowsPerSecond: ds.up.M / seconds };
  } finally {
    await sh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The reopen of a store of `rows` rows: written (half into a checkpoint, half in the log after
 * it), closed, then opened in this process: the open's time (recovery: the checkpoint's
 * snapshots, then the log's records replayed) next to reading the same files' bytes.
 */
export async function reopen({ rows, dim }, root) {
  const partita = await import('partita');
  await partita.init();
  const dir = scratchDir(root);
  const file = path.join(dir, 'big.db');
  try {
    const ds = dataset(rows, dim);
    partita.connections.connect('big', { uri: file, durable: { fsync: 'none' } });
    const c = await collection(partita, 'big', dim);
    for (let i = 0; i < rows; i += 10_000) {
      await c.insert(columnsOf(ds, i, Math.min(10_000, rows - i), dim));
      if (i + 10_000 === rows >> 1) partita.connections._durable('big').checkpoint();
    }
    const sizes = partita.connections._durable('big').sizes;
    partita.connections.remove_connection('big');
    globalThis.gc?.();
    // the bytes alone, read whole (the page cache is warm for both); the process's processor
    // time beside the wall time (a shared VM's wall times are mostly waiting)
    const cpuMs = (u) => (u.user + u.system) / 1000;
    let t0 = performance.now(), u0 = process.cpuUsage();
    const bytes = readFileSync(path.join(file, 'checkpoint')).length + readFileSync(path.join(file, 'log')).length;
    const readMs = performance.now() - t0, readCpuMs = cpuMs(process.cpuUsage(u0));
    globalThis.gc?.();
    t0 = performance.now();
    u0 = process.cpuUsage();
    partita.connections.connect('big', { uri: file });
    const live = new partita.Collection('bench', undefined, { using: 'big' }).num_entities;
    const openMs = performance.now() - t0, openCpuMs = cpuMs(process.cpuUsage(u0));
    if (live !== rows) throw new Error(`reopened: ${live} rows, expected ${rows}`);
    partita.connections.remove_connection('big');
    return { rows, dim, checkpointBytes: sizes.checkpoint, logBytes: sizes.log, bytes, readMs, openMs, targetMs: readMs + (bytes / 1e9) * 1000,
      readCpuMs, openCpuMs, targetCpuMs: readCpuMs + (bytes / 1e9) * 1000, diskBytes: statSync(path.join(file, 'checkpoint')).size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
