// Durable stores (issue 17): the mutation log and checkpoints in a directory (persist/durable.js),
// through connections.connect({ uri: './x.db' }), MilvusClient({ address: './x.db' }) and
// partita-serve --data. Crash tests: a child process writes random mutations, recording each on
// stdout, and is SIGKILLed at random moments (during appends, checkpoints and log truncations);
// after each kill the store holds every acknowledged mutation and the one in flight wholly or
// not at all, as a model says. Torn and damaged logs recover to the last whole record or are
// refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs, { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, connections, Collection, CollectionSchema, FieldSchema, DataType, utility } from 'partita';

await init();

const root = fileURLToPath(new URL('..', import.meta.url));
const child = path.join(root, 'tests/support/durable-child.mjs');
const tmp = (name) => path.join(mkdtempSync(path.join(tmpdir(), 'partita-durable-')), name);

function schema() {
  return new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('n', DataType.INT64),
    new FieldSchema('tag', DataType.VARCHAR, { max_length: 16, nullable: true, default_value: 'd' }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 4 }),
  ]);
}

/** Every row of collection `name` of `alias`, by key, as plain values. */
async function rowsOf(alias, name) {
  const c = new Collection(name, { using: alias });
  const rows = await c.query('id >= 0', { output_fields: ['id', 'n', 'tag', 'v'] });
  const out = new Map();
  for (const r of rows) out.set(Number(r.id), { n: Number(r.n), tag: r.tag, v: Array.from(r.v) });
  return out;
}

/** Applies an operation of the child's to the model (a Map id -> row). */
function applyOp(model, op) {
  if (op.kind === 'insert' || op.kind === 'upsert')
    for (const r of op.rows) model.set(r.id, { n: r.n, tag: r.tag ?? 'd', v: r.v }); // null takes the default
  else if (op.kind === 'merge')
    for (const r of op.rows) model.set(r.id, { n: r.n, tag: model.has(r.id) ? model.get(r.id).tag : 'd', v: r.v });
  else if (op.kind === 'delete') for (const id of op.ids) model.delete(id);
}

const same = (a, b) => {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
};

/** A write's promise that fails unless the write inserted `n` rows (so that a count of
 * fdatasyncs cannot pass because the write failed). */
const wrote = (p, n = 1) => p.then((r) => assert.equal(Number(r.insert_cnt), n, JSON.stringify(r)));

/** How many fdatasyncs (of any durable store of this process) `fn` makes, awaited: the count, or
 * with `split` { sync (made before a call returned), pool (in the thread pool), all }. */
async function fdatasyncs(fn, { split = false } = {}) {
  const n = { sync: 0, pool: 0 };
  const realSync = fs.fdatasyncSync, realPool = fs.fdatasync;
  fs.fdatasyncSync = (...a) => (n.sync++, realSync(...a));
  fs.fdatasync = (...a) => (n.pool++, realPool(...a));
  try {
    await fn();
  } finally {
    fs.fdatasyncSync = realSync;
    fs.fdatasync = realPool;
  }
  return split ? { ...n, all: n.sync + n.pool } : n.sync + n.pool;
}

/** Opens the store in `dir` in this process and returns its rows (null: no collection yet). */
async function reopen(dir, alias = 'check', cold = false) {
  connections._connectDurable(alias, dir, { coldVectors: cold });
  try {
    return utility.has_collection('crash', { using: alias }) ? await rowsOf(alias, 'crash') : null;
  } finally {
    connections.remove_connection(alias);
  }
}

/** Runs the child until it is killed after `ms` (or fails); its acknowledged ops and the one in flight. */
function runChild(dir, seed, ms, groupMs = 0, cold = false) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', child, dir, String(seed), String(groupMs), cold ? 'cold' : 'warm'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    let timer = null;
    p.stdout.on('data', (d) => {
      out += d;
      if (!timer && out.startsWith('ready\n')) timer = setTimeout(() => p.kill('SIGKILL'), ms);
    });
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`the writer exited by itself (${code}): ${err}`));
      const acked = [];
      let inflight = null;
      for (const line of out.split('\n')) {
        if (line.startsWith('begin ')) inflight = JSON.parse(line.slice(6));
        else if (line.startsWith('ack ')) {
          acked.push(inflight);
          inflight = null;
        }
      }
      resolve({ acked, inflight });
    });
  });
}

test('a durable store through connections: reopened, it holds every change; an empty uri path is a fresh store', async () => {
  const dir = tmp('a.db');
  connections.connect('d1', { uri: dir });
  const c = new Collection('t', schema(), { using: 'd1' });
  c.create_partition('p');
  await c.insert([{ id: 1, n: 1, v: [1, 0, 0, 0] }, { id: 2, n: 2, tag: 'x', v: [0, 1, 0, 0] }]);
  await c.insert([{ id: 3, n: 3, v: [0, 0, 1, 0] }], { partition_name: 'p' });
  await c.upsert([{ id: 2, n: 20, tag: null, v: [0, 2, 0, 0] }]);
  await c.upsert([{ id: 1, n: 10, v: [1, 1, 1, 1] }], { partial_update: true });
  await c.delete('id in [3]');
  // an index created after the last checkpoint is in the log: replayed, it is there again
  c.create_index('v', { index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 32 } });
  const drop = new Collection('gone', schema(), { using: 'd1' });
  drop.drop();
  const before = await rowsOf('d1', 't');
  connections.remove_connection('d1');
  assert.ok(existsSync(path.join(dir, 'log')) && existsSync(path.join(dir, 'LOCK')) === false);
  connections.connect('d2', { uri: dir });
  assert.deepEqual(await rowsOf('d2', 't'), before);
  assert.deepEqual(before.get(2), { n: 20, tag: 'd', v: [0, 2, 0, 0] }); // null takes the default, as in Milvus
  assert.deepEqual(before.get(1), { n: 10, tag: 'd', v: [1, 1, 1, 1] });
  assert.deepEqual(utility.list_collections({ using: 'd2' }), ['t']);
  assert.ok(new Collection('t', { using: 'd2' }).has_partition('p'));
  assert.deepEqual(new Collection('t', { using: 'd2' }).indexes.map((i) => [i.field_name, i.params.index_type, i.params.params.M]), [['v', 'HNSW', 8]]);
  // a checkpoint, then more changes: both kept
  connections._durable('d2').checkpoint();
  await new Collection('t', { using: 'd2' }).insert([{ id: 4, n: 4, v: [4, 4, 4, 4] }]);
  new Collection('t', { using: 'd2' }).drop_index(); // in the log after the checkpoint
  const after = await rowsOf('d2', 't');
  connections.remove_connection('d2');
  connections.connect('d3', { uri: dir });
  assert.deepEqual(await rowsOf('d3', 't'), after);
  assert.equal(after.size, 3);
  assert.deepEqual(new Collection('t', { using: 'd3' }).indexes, []);
  connections.remove_connection('d3');
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

test("durable options: a group-commit window with fsync 'none' is refused, not ignored", () => {
  const dir = tmp('opts.db');
  assert.throws(() => connections._connectDurable('opts', dir, { fsync: 'none', groupCommitMs: 5 }),
    { message: "durable store option groupCommitMs groups fdatasyncs: it has no use with fsync 'none'" });
  assert.equal(connections.has_connection('opts'), false);
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

test("connect()'s durable option: the store's sync policy, each key checked by name; refused without a .db uri", async () => {
  const dir = tmp('gc.db');
  assert.throws(() => connections.connect('gc', { uri: dir, durable: { groupCommitMs: 5, fsinc: 'batch' } }),
    { name: 'ParamError', message: "durable store options: unknown option 'fsinc'" });
  assert.throws(() => connections.connect('gc', { uri: dir, durable: { fsync: 'always' } }),
    { name: 'ParamError', message: "durable store option fsync must be 'batch' or 'none', got always" });
  assert.throws(() => connections.connect('gc', { uri: ':memory:', durable: { fsync: 'none' } }),
    { name: 'ParamError', message: "connections.connect() options: 'durable' is an option of a durable store (a uri ending in .db)" });
  assert.equal(connections.has_connection('gc'), false);
  // a group commit window: the insert resolves after the fdatasync that covers it
  connections.connect('gc', { uri: dir, durable: { groupCommitMs: 20 } });
  const c = new Collection('t', schema(), { using: 'gc' });
  const d = connections._durable('gc');
  const t0 = performance.now();
  await c.insert([{ id: 1, n: 1, v: [1, 0, 0, 0] }]);
  assert.ok(performance.now() - t0 >= 15, 'the insert waited for the window');
  assert.equal(d.synced(), null, 'nothing unsynced once the insert resolved');
  connections.remove_connection('gc');
  const { MilvusClient } = await import('partita/milvus-client');
  assert.throws(() => new MilvusClient({ address: ':memory:', durable: { fsync: 'none' } }),
    { message: 'MilvusClient: `durable` (fsync, groupCommitMs, ...) is a config of a durable store (an address ending in .db)' });
  const client = new MilvusClient({ address: dir, durable: { fsync: 'none' } });
  await client.connectPromise;
  assert.equal((await client.query({ collection_name: 't', filter: 'id >= 0', output_fields: ['id'] })).data.length, 1);
  // fsync 'none' is the store's policy: its writes never fdatasync
  assert.equal(await fdatasyncs(() => wrote(client.insert({ collection_name: 't', data: [{ id: 2, n: 2, v: [0, 1, 0, 0] }] }))), 0);
  await client.closeConnection?.();
  connections.remove_connection(`milvus-client ${dir}`);
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

test("fsync 'batch' (the default): an asynchronous write resolves after an fdatasync of the thread pool, a burst shares one, a synchronous call syncs before it returns", async () => {
  const dir = tmp('pool.db');
  connections.connect('pool', { uri: dir });
  let c, d;
  // a synchronous call (creating a collection) is on disk when it returns
  const created = await fdatasyncs(() => {
    c = new Collection('t', schema(), { using: 'pool' });
    d = connections._durable('pool'); // (opened by the first call)
    assert.equal(d.synced(), null, 'nothing left to sync when Collection() returned');
  }, { split: true });
  assert.ok(created.sync >= 1 && created.pool === 0, JSON.stringify(created));
  // an insert: fdatasynced in the thread pool, resolved after it
  let pending = null;
  const one = await fdatasyncs(async () => {
    const p = c.insert([{ id: 1, n: 1, v: [1, 0, 0, 0] }]);
    pending = d.synced();
    assert.equal((await p).insert_count, 1);
    assert.equal(d.synced(), null, 'nothing unsynced once the insert resolved');
  }, { split: true });
  assert.ok(pending instanceof Promise, 'the insert was written, not yet synced, when the call returned');
  assert.ok(one.pool >= 1, JSON.stringify(one));
  // eight writes in one turn share one fdatasync (or two: one may have started after the first)
  const burst = await fdatasyncs(() => Promise.all(Array.from({ length: 8 }, (_, i) => c.upsert([{ id: 10 + i, n: i, v: [0, 1, 0, i] }]))), { split: true });
  assert.ok(burst.sync === 0 && burst.pool >= 1 && burst.pool <= 2, JSON.stringify(burst));
  const burstDelete = await fdatasyncs(() => Promise.all([c.delete('id in [10]'), c.delete('id in [11]'), c.delete('id in [12]')]), { split: true });
  assert.ok(burstDelete.sync === 0 && burstDelete.pool >= 1 && burstDelete.pool <= 2, JSON.stringify(burstDelete));
  assert.equal(d.synced(), null);
  // a checkpoint while an fdatasync of the thread pool runs on the log it replaces: that
  // descriptor is closed once the fdatasync ends, not under it (slowed here to be sure)
  const realPool = fs.fdatasync;
  let ended = 0, reused = false;
  fs.fdatasync = (fd, cb) => {
    const file = fs.fstatSync(fd).ino;
    setTimeout(() => {
      // the descriptor still names the file it named when the fdatasync was asked for (closed,
      // its number would be the next file opened's: the new log's)
      try {
        reused ||= fs.fstatSync(fd).ino !== file;
      } catch {
        reused = true;
      }
      realPool(fd, (e) => (ended++, cb(e)));
    }, 30);
  };
  try {
    const late = c.insert([{ id: 30, n: 30, v: [3, 0, 0, 0] }]);
    await new Promise((r) => setTimeout(r, 5)); // the fdatasync has started
    assert.equal(ended, 0);
    assert.ok(d.synced() instanceof Promise);
    d.checkpoint();
    assert.equal((await c.insert([{ id: 31, n: 31, v: [3, 1, 0, 0] }])).insert_count, 1);
    assert.equal((await late).insert_count, 1); // (the checkpoint covered it)
    while (ended === 0) await new Promise((r) => setTimeout(r, 5));
    assert.equal(reused, false, 'the replaced log was closed under its fdatasync');
  } finally {
    fs.fdatasync = realPool;
  }
  assert.equal(d.synced(), null);
  const before = await rowsOf('pool', 't');
  assert.deepEqual([...before.keys()].sort((a, b) => a - b), [1, 13, 14, 15, 16, 17, 30, 31]);
  connections.remove_connection('pool');
  connections.connect('pool2', { uri: dir });
  assert.deepEqual(await rowsOf('pool2', 't'), before);
  connections.remove_connection('pool2');
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

test("the owner's durable options are every database's: a write to another database follows them and is synced before its reply", async () => {
  const { MilvusClient } = await import('partita/milvus-client');
  const { createHandler } = await import('partita/server');
  const { databaseAlias, closeDatabases } = await import('../web/src/client/databases.js');
  const dir = tmp('owner.db');
  // MilvusClient, fsync 'none': the other database's store does not fdatasync either (and the
  // default policy's does, so the count can tell)
  const options = { fsync: 'none' };
  const client = new MilvusClient({ address: dir, durable: options });
  await client.connectPromise;
  // the options were checked and kept when the client connected: changing the caller's object
  // afterwards (or a getter answering otherwise) does not reach the database opened later
  options.fsync = 'batch';
  assert.equal((await client.createDatabase({ db_name: 'other' })).error_code, 'Success');
  assert.equal((await client.createCollection({ db_name: 'other', collection_name: 'x', dimension: 2 })).error_code, 'Success');
  const row = { db_name: 'other', collection_name: 'x', data: [{ id: 1, vector: [1, 0] }] };
  assert.equal(await fdatasyncs(() => wrote(client.insert(row))), 0);
  closeDatabases(`milvus-client ${dir}`);
  const batch = new MilvusClient({ address: dir });
  assert.ok(await fdatasyncs(() => wrote(batch.insert({ ...row, data: [{ id: 2, vector: [0, 1] }] }))) > 0);
  closeDatabases(`milvus-client ${dir}`);
  // REST over a connection with a group commit window: the other database's store has it, and the
  // reply waits for its fdatasync
  const using = 'owner-rest';
  connections.connect(using, { uri: dir, durable: { groupCommitMs: 50 } });
  const handler = createHandler({ using });
  const rest = async (p, body) => (await handler(new Request(`http://127.0.0.1/v2/vectordb/${p}`, { method: 'POST', body: JSON.stringify(body) }))).json();
  assert.equal((await rest('entities/insert', { dbName: 'other', collectionName: 'x', data: [{ id: 2, vector: [0, 1] }] })).code, 0);
  assert.equal(connections._durable(databaseAlias(using, 'other')).synced(), null, 'nothing unsynced once the reply came');
  closeDatabases(using);
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

test('a store open in one process is refused to another, naming the directory and the holder', async () => {
  const dir = tmp('locked.db');
  const holder = spawn(process.execPath, ['--input-type=module', '-e',
    `import { init, connections } from 'partita'; await init(); connections._connectDurable('x', ${JSON.stringify(dir)}); console.log('open'); setInterval(() => {}, 1000);`],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => holder.stdout.once('data', resolve));
  try {
    assert.throws(() => connections._connectDurable('y', dir), (e) => {
      assert.match(e.message, new RegExp(`in use by process ${holder.pid} \\(lock file .*locked\\.db/LOCK\\)`));
      return true;
    });
    // and twice in one process
    connections._connectDurable('z', tmp('twice.db'));
    assert.throws(() => connections._connectDurable('z2', connections._durable('z').dir), /already open in this process/);
    connections.remove_connection('z');
  } finally {
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('exit', resolve));
  }
  // the holder was killed: its lock is stale, and the store opens
  connections._connectDurable('y', dir);
  connections.remove_connection('y');
});

/** One lane of the crash test: `rounds` kills of writers on one store, checked after each;
 * `cold`: the store opened with coldVectors (its checkpoints replayed as cold rows' sources). */
async function crashLane(lane, rounds, cold = false) {
  const dir = tmp(`crash${lane}.db`);
  let model = new Map();
  let checkpoints = 0, midWrite = 0;
  for (let round = 0; round < rounds; round++) {
    const ms = 10 + ((round * 37 + lane * 53) % 150);
    const { acked, inflight } = await runChild(dir, lane * 1000 + round + 1, ms, round % 4 === 3 ? 2 : 0, cold);
    for (const op of acked) {
      applyOp(model, op);
      if (op.kind === 'checkpoint') checkpoints++;
    }
    if (inflight) midWrite++;
    const have = (await reopen(dir, `check${lane}`, cold)) ?? new Map();
    if (same(have, model)) continue;
    assert.ok(inflight, `lane ${lane} round ${round}: the store differs from the acknowledged changes, and none was in flight`);
    const withInflight = new Map([...model].map(([k, v]) => [k, { ...v }]));
    applyOp(withInflight, inflight);
    assert.deepEqual(have, withInflight, `lane ${lane} round ${round}: the store is neither before nor after the change in flight (${inflight.kind})`);
    model = withInflight;
  }
  // compaction kept the log near the live data
  const log = statSync(path.join(dir, 'log')).size;
  const cp = existsSync(path.join(dir, 'checkpoint')) ? statSync(path.join(dir, 'checkpoint')).size : 0;
  assert.ok(log <= Math.max(2 * cp, 16384) + 64 * 1024, `log ${log} bytes, checkpoint ${cp} bytes`);
  rmSync(path.dirname(dir), { recursive: true, force: true });
  return { midWrite, checkpoints };
}

test('SIGKILL at random moments (appends, checkpoints, log truncation): every acknowledged change is kept, the one in flight wholly or not at all', { timeout: 180_000 }, async () => {
  // four stores at once, 13 kills each; the last with coldVectors
  const lanes = await Promise.all([0, 1, 2, 3].map((lane) => crashLane(lane, 13, lane === 3)));
  // every round ends in a SIGKILL (runChild refuses any other end); some must land mid-change
  const midWrite = lanes.reduce((n, l) => n + l.midWrite, 0), checkpoints = lanes.reduce((n, l) => n + l.checkpoints, 0);
  assert.ok(midWrite > 0, 'no kill landed while a change was in flight');
  assert.ok(checkpoints > 0, 'some checkpoints were acknowledged');
});

test('a torn last record is dropped (and cut from the file), nothing before it; a damaged record followed by others is refused by name', async () => {
  const dir = tmp('torn.db');
  connections._connectDurable('t1', dir);
  const c = new Collection('crash', schema(), { using: 't1' });
  for (let i = 0; i < 5; i++) await c.insert([{ id: i, n: i, v: [i, 0, 0, 0] }]);
  connections.remove_connection('t1');
  const logPath = path.join(dir, 'log');
  const whole = readFileSync(logPath);
  // cut inside the last record: the first four inserts stay
  truncateSync(logPath, whole.length - 5);
  let rows = await reopen(dir);
  assert.deepEqual([...rows.keys()].sort(), [0, 1, 2, 3]);
  const cut = statSync(logPath).size;
  assert.ok(cut < whole.length - 5, 'the torn record is cut from the file');
  // appends after recovery land after the last whole record
  connections._connectDurable('t2', dir);
  await new Collection('crash', { using: 't2' }).insert([{ id: 9, n: 9, v: [9, 9, 9, 9] }]);
  connections.remove_connection('t2');
  rows = await reopen(dir);
  assert.deepEqual([...rows.keys()].sort(), [0, 1, 2, 3, 9]);
  // a bit flipped in a record that is not the last: refused, the file named, nothing applied
  const bytes = readFileSync(logPath);
  bytes[Math.floor(bytes.length / 2)] ^= 0x10;
  writeFileSync(logPath, bytes);
  assert.throws(() => connections._connectDurable('t3', dir), (e) => {
    assert.match(e.message, /torn\.db\/log is damaged at byte \d+ with \d+ bytes after it/);
    assert.match(e.message, /truncate the file to \d+ bytes/);
    return true;
  });
  // the refused open released its lock
  assert.equal(existsSync(path.join(dir, 'LOCK')), false);
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

test("a store file that cannot be read is refused with the file system's error, not called damaged (its bytes are read as they are applied)", async () => {
  const dir = tmp('unreadable.db');
  connections._connectDurable('u1', dir);
  await new Collection('crash', schema(), { using: 'u1' }).insert([{ id: 1, n: 1, v: [1, 0, 0, 0] }]);
  connections._durable('u1').checkpoint();
  connections.remove_connection('u1');
  // a directory where the checkpoint was: it opens, and each read of it fails (EISDIR)
  rmSync(path.join(dir, 'checkpoint'));
  fs.mkdirSync(path.join(dir, 'checkpoint'));
  assert.throws(() => connections._connectDurable('u2', dir), (e) => {
    assert.equal(e.code, 'EISDIR');
    assert.doesNotMatch(e.message, /damaged|cannot be applied/);
    return true;
  });
  assert.equal(existsSync(path.join(dir, 'LOCK')), false, 'the refused open released its lock');
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

test('a log older than its checkpoint (killed between the two) is not applied twice', async () => {
  const dir = tmp('stale.db');
  connections._connectDurable('s1', dir);
  const c = new Collection('crash', schema(), { using: 's1' });
  await c.insert([{ id: 1, n: 1, v: [1, 0, 0, 0] }]);
  connections.remove_connection('s1');
  const oldLog = readFileSync(path.join(dir, 'log'));
  connections._connectDurable('s2', dir);
  await new Collection('crash', { using: 's2' }).delete('id in [1]');
  connections._durable('s2').checkpoint();
  connections.remove_connection('s2');
  // as if killed after the checkpoint's rename, before the new log: the old log is back
  writeFileSync(path.join(dir, 'log'), oldLog);
  const rows = await reopen(dir);
  assert.equal(rows.size, 0, 'the insert of the old log is in the checkpoint, and its delete too');
});

test('MilvusClient({ address: "./x.db" }): collections, rows, indexes, load state, aliases and databases survive a restart (a new process)', async () => {
  const dir = tmp('milvus.db');
  const script = (body) => spawnSync(process.execPath, ['--input-type=module', '-e', `
    import { MilvusClient, DataType } from 'partita/milvus-client';
    const client = new MilvusClient({ address: ${JSON.stringify(dir)} });
    await client.connectPromise;
    ${body}`], { cwd: root, encoding: 'utf8' });
  let r = script(`
    await client.createCollection({ collection_name: 'docs', fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'vector', data_type: DataType.FloatVector, dim: 2 }] });
    await client.insert({ collection_name: 'docs', data: [{ id: 1, vector: [1, 0] }, { id: 2, vector: [0, 1] }] });
    await client.delete({ collection_name: 'docs', ids: [2] });
    await client.createIndex({ collection_name: 'docs', field_name: 'vector', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 64 } });
    await client.loadCollection({ collection_name: 'docs' });
    await client.createAlias({ collection_name: 'docs', alias: 'papers' });
    // a checkpoint: the aliases and states are then in it, not in the log
    (await import('partita')).connections._durable('milvus-client ' + ${JSON.stringify(dir)}).checkpoint();
    await client.createDatabase({ db_name: 'other' });
    await client.createCollection({ db_name: 'other', collection_name: 'x', dimension: 2 });
    await client.insert({ db_name: 'other', collection_name: 'x', data: [{ id: 5, vector: [1, 1] }] });
    process.exit(0); // no close: as a killed process
  `);
  assert.equal(r.status, 0, r.stderr);
  r = script(`
    const q = await client.query({ collection_name: 'papers', filter: 'id >= 0', output_fields: ['id'] });
    const dbs = await client.listDatabases();
    const x = await client.query({ db_name: 'other', collection_name: 'x', filter: 'id >= 0', output_fields: ['id'] });
    const ix = await client.describeIndex({ collection_name: 'docs' });
    const load = await client.getLoadState({ collection_name: 'docs' });
    console.log(JSON.stringify({ ids: q.data.map((d) => Number(d.id)), dbs: dbs.db_names.sort(), x: x.data.map((d) => Number(d.id)),
      index: ix.index_descriptions.map((d) => [d.field_name, JSON.stringify(d).includes('HNSW'), JSON.stringify(d).includes('L2')]), load: load.state }));
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { ids: [1], dbs: ['default', 'other'], x: [5], index: [['vector', true, true]], load: 'LoadStateLoaded' });
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

test('partita-serve --data DIR: killed mid-load, restarted, it has every acknowledged insert (REST and gRPC write to the one durable store)', { timeout: 180_000 }, async () => {
  const dir = tmp('served');
  const start = () => new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(root, 'web/bin/partita-serve.mjs'), '--port', '0', '--api-only', '--data', dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      const m = /serving Milvus REST v2 on (\S+)/.exec(out);
      if (m && out.includes('store kept in')) resolve({ p, url: m[1] });
    });
    p.on('exit', (code) => reject(new Error(`partita-serve exited (${code}): ${out}`)));
  });
  const post = async (url, route, body) => (await fetch(`${url}/v2/vectordb/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  let { p, url } = await start();
  assert.equal((await post(url, 'collections/create', { collectionName: 'c', dimension: 2 })).code, 0);
  // gRPC (served on the same port by default) writes to the same durable store
  const { MilvusClient: SdkClient } = await import('@zilliz/milvus2-sdk-node');
  const sdk = new SdkClient({ address: url.replace(/^http:\/\//, '') });
  const g = await sdk.insert({ collection_name: 'c', data: [{ id: 1000000, vector: [9, 9] }] });
  assert.equal(g.status.error_code, 'Success', g.status.reason);
  // ... and so does a database of its own (a store under DIR/databases)
  assert.equal((await sdk.createDatabase({ db_name: 'other' })).error_code, 'Success');
  assert.equal((await sdk.createCollection({ db_name: 'other', collection_name: 'x', dimension: 2 })).error_code, 'Success');
  const gx = await sdk.insert({ db_name: 'other', collection_name: 'x', data: [{ id: 7, vector: [1, 1] }] });
  assert.equal(gx.status.error_code, 'Success', gx.status.reason);
  await sdk.closeConnection();
  const acked = [];
  const load = (async () => {
    for (let i = 0; ; i++) {
      const r = await post(url, 'entities/insert', { collectionName: 'c', data: [{ id: i, vector: [i, 1] }] }).catch(() => null);
      if (!r) return;
      assert.equal(r.code, 0);
      acked.push(i);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const exited = new Promise((resolve) => p.on('exit', resolve));
  p.kill('SIGKILL');
  await load;
  await exited;
  assert.ok(acked.length > 0);
  ({ p, url } = await start());
  try {
    const r = await post(url, 'entities/query', { collectionName: 'c', filter: 'id >= 0', outputFields: ['id'], limit: 16384 });
    assert.equal(r.code, 0, JSON.stringify(r));
    const have = new Set(r.data.map((d) => Number(d.id)));
    for (const i of acked) assert.ok(have.has(i), `acknowledged insert ${i} is missing`);
    assert.ok(have.has(1000000), 'the row inserted over gRPC is missing');
    const sdk2 = new SdkClient({ address: url.replace(/^http:\/\//, '') });
    assert.ok((await sdk2.listDatabases()).db_names.includes('other'), 'the database made over gRPC is missing');
    const x = await sdk2.query({ db_name: 'other', collection_name: 'x', filter: 'id >= 0', output_fields: ['id'] });
    assert.deepEqual(x.data.map((d) => Number(d.id)), [7]);
    await sdk2.closeConnection();
  } finally {
    const exit = new Promise((resolve) => p.on('exit', resolve));
    p.kill('SIGTERM');
    await exit;
  }
  assert.equal(existsSync(path.join(dir, 'LOCK')), false, 'SIGTERM closes the store');
  rmSync(dir, { recursive: true, force: true });
});
