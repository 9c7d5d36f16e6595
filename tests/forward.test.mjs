// Forwarding to a Milvus REST v2 endpoint: a partita instance A (this process, embedded store)
// forwards its mutations to instance B (a partita-serve child process on loopback); after
// flush() B holds exactly A's data. Faults are injected by a proxy between them: refused
// connections, 503s, stalls past the timeout, connections dropped mid-response. Auth failures
// and remote validation errors surface as MilvusExceptions with the remote's code; the outbox
// keeps what was not acknowledged across a restart.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, connections, Collection, Partition, CollectionSchema, FieldSchema, DataType, MilvusException } from 'partita';
import { createHandler } from 'partita/server';
import { uniqueName, rejects, mergeSchema } from './support/helpers.mjs';

await init();
const SERVE = fileURLToPath(new URL('../web/bin/partita-serve.mjs', import.meta.url));
const children = [];
const closers = [];
after(async () => {
  for (const c of closers) await c();
  for (const p of children) p.kill('SIGKILL');
});

/** Starts instance B (partita-serve on an ephemeral port). */
async function startB(args = []) {
  const proc = spawn(process.execPath, [SERVE, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(proc);
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /serving Milvus REST v2 on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`partita-serve exited with ${code}`)));
  });
  return { url, proc };
}

async function rest(url, path, body, { token } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${url}/v2/vectordb/${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return res.json();
}

/** Every row of a collection in one partition (or all), as REST v2 returns it, sorted by key. */
async function restRows(call, collection, partition) {
  const body = { collectionName: collection, filter: 'id >= 0 || id < 0', outputFields: ['*'], limit: 16384 };
  if (partition) body.partitionNames = [partition];
  const r = await call('entities/query', body);
  assert.equal(r.code, 0, JSON.stringify(r));
  return r.data.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

/** A's own data, through the same REST handler over A's embedded store. */
const localHandler = createHandler({ using: 'default' });
const localCall = async (path, body) =>
  (await localHandler(new Request(`http://a/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }))).json();

/** B holds exactly A's data: collection, partitions and every row of each. */
async function assertConverged(url, name, opts = {}) {
  const remoteCall = (path, body) => rest(url, path, body, opts);
  const lp = await localCall('partitions/list', { collectionName: name });
  const rp = await remoteCall('partitions/list', { collectionName: name });
  assert.deepEqual(rp.data.sort(), lp.data.sort());
  for (const p of lp.data) assert.deepEqual(await restRows(remoteCall, name, p), await restRows(localCall, name, p), `partition ${p}`);
}

const schema = () =>
  new CollectionSchema(
    [
      new FieldSchema('id', DataType.INT64, { is_primary: true }),
      new FieldSchema('title', DataType.VARCHAR, { max_length: 64 }),
      new FieldSchema('year', DataType.INT32, { nullable: true }),
      new FieldSchema('score', DataType.FLOAT, { default_value: 0.5 }),
      new FieldSchema('meta', DataType.JSON, { nullable: true }),
      new FieldSchema('tags', DataType.ARRAY, { element_type: DataType.VARCHAR, max_capacity: 4, max_length: 16 }),
      new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 8 }),
    ],
    'films',
    { enable_dynamic_field: true },
  );

const vec = (i) => Array.from({ length: 8 }, (_, j) => Math.sin(i * 8 + j) / 3);
const film = (i, extra = {}) => ({ id: i, title: `film ${i}`, year: 1900 + (i % 120), meta: { i }, tags: ['a', `t${i % 3}`], v: vec(i), ...extra });

/** Connects alias `default` (the one localHandler serves) to `uri`; returns a disconnect. */
function connectA(uri, options = {}) {
  connections.remove_connection('default');
  connections.connect('default', { uri, ...options });
}

test('A forwards to B over loopback: after upserts, deletes and flush(), B holds exactly A\'s data', async () => {
  const B = await startB();
  connectA(B.url, { batch_rows: 700 });
  const name = uniqueName('films');
  const c = new Collection(name, schema());
  const comedy = new Partition(c, 'comedy');
  const drama = c.create_partition('drama');
  // many small calls (travel together), one large call (cut into requests of 700 rows)
  for (let i = 0; i < 50; i++) await comedy.upsert(film(i));
  await drama.insert(Array.from({ length: 3000 }, (_, i) => film(1000 + i, i % 2 ? { extra: i } : {})));
  // upserts over existing keys, nulls and defaults, int64 keys beyond 2^53
  await comedy.upsert([film(3, { title: 'again' }), { ...film(4), year: null, meta: null }]);
  await comedy.upsert({ id: 2n ** 62n + 7n, title: 'big', tags: [], v: vec(7) });
  await drama.delete('id in [1000, 1001, 1002]');
  await drama.delete('year > 2000 and id < 1500');
  await c.upsert([film(7), film(8)]);
  await c.flush();
  await assertConverged(B.url, name);
  const count = await rest(B.url, 'entities/query', { collectionName: name, filter: '', outputFields: ['count(*)'] });
  assert.equal(Number(count.data[0]['count(*)']), c.num_entities);
  // dropping a partition and a collection travels too
  const gone = c.create_partition('gone');
  await gone.upsert(film(99));
  c.drop_partition('gone');
  await c.flush();
  assert.equal((await rest(B.url, 'partitions/has', { collectionName: name, partitionName: 'gone' })).data.has, false);
  await assertConverged(B.url, name);
  const d = new Collection(uniqueName('dropme'), schema());
  d.drop();
  await c.flush();
  assert.equal((await rest(B.url, 'collections/has', { collectionName: d.name })).data.has, false);
  B.proc.kill();
});

/**
 * A proxy in front of B that plays a script of faults, one per request, then passes requests
 * through: '503', 'stall' (no answer), 'reset' (connection dropped before B sees the request),
 * 'drop' (B applies the request, the answer is cut off mid-body).
 */
async function faultProxy(target, script) {
  const sockets = new Set();
  const seen = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const ch of req) chunks.push(ch);
    const body = Buffer.concat(chunks);
    const fault = script.shift() ?? 'pass';
    seen.push([req.url, fault]);
    if (fault === '503') return res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
    if (fault === 'stall') return; // never answered
    if (fault === 'reset') return req.socket.destroy();
    const upstream = await fetch(target + req.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' }, body });
    const text = Buffer.from(await upstream.arrayBuffer());
    if (fault === 'drop') {
      res.writeHead(upstream.status, { 'content-type': 'application/json', 'content-length': text.length });
      res.write(text.subarray(0, Math.max(1, text.length >> 1)));
      setTimeout(() => req.socket.destroy(), 5);
      return;
    }
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const close = () =>
    new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  closers.push(close);
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close };
}

const FAST_RETRY = { retry_initial_ms: 5, retry_max_ms: 40 };

test('faults: 503s, stalls past the timeout, resets and answers dropped mid-body; nothing lost, upserts not duplicated', async () => {
  const B = await startB();
  const script = ['pass', 'pass', '503', '503', 'stall', 'reset', 'drop', 'drop', '503', 'stall', 'drop'];
  const proxy = await faultProxy(B.url, script);
  connectA(proxy.url, { ...FAST_RETRY, timeout: 0.3, batch_rows: 40 });
  const name = uniqueName('faults');
  const c = new Collection(name, schema());
  const p = new Partition(c, 'p');
  for (let round = 0; round < 6; round++) {
    // the same keys again and again: a duplicated upsert would show as extra rows on B
    await p.upsert(Array.from({ length: 100 }, (_, i) => film(i, { title: `round ${round}` })));
    await p.delete(`id in [${round * 3}]`);
  }
  await c.flush({ timeout: 30 });
  assert.equal(script.length, 0, 'every fault was played');
  assert.ok(proxy.seen.filter(([, f]) => f !== 'pass').length >= 9);
  const fw = connections._forwarder('default');
  assert.ok(fw.stats.retries >= 9, `retries: ${fw.stats.retries}`);
  await assertConverged(B.url, name);
  const n = await rest(B.url, 'entities/query', { collectionName: name, filter: '', outputFields: ['count(*)'] });
  assert.equal(Number(n.data[0]["count(*)"]), 99); // each round re-upserts the key the previous one deleted
  await proxy.close();
  B.proc.kill();
});

test('faults: the remote refuses connections, then comes up on that port', async () => {
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  connectA(`http://127.0.0.1:${port}`, { ...FAST_RETRY });
  const name = uniqueName('refused');
  const c = new Collection(name, schema());
  const res = await c.upsert([film(1), film(2)]); // resolves: the data is applied locally
  assert.equal(res.upsert_count, 2);
  await rejects(() => c.flush({ timeout: 0.3 }), { code: 1, message: /Retry timeout: 0.3s, message=flush: \d+ mutations still wait .*ECONNREFUSED/ });
  const fw = connections._forwarder('default');
  assert.ok(fw.stats.retries >= 2);
  assert.equal(fw.pending.rows, 2);
  // a proxy comes up on that very port, in front of B
  const B = await startB();
  const up = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const ch of req) chunks.push(ch);
    const r = await fetch(B.url + req.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise((r) => up.listen(port, '127.0.0.1', r));
  closers.push(() => new Promise((r) => up.close(() => r())));
  await c.flush({ timeout: 10 });
  await assertConverged(B.url, name);
  B.proc.kill();
});

test('ack: remote waits for the remote; its timeout rejects while the data stays queued, then lands', async () => {
  const B = await startB();
  const proxy = await faultProxy(B.url, ['pass', 'stall', 'stall']);
  connectA(proxy.url, { ...FAST_RETRY, timeout: 0.25 });
  const c = new Collection(uniqueName('ack'), schema());
  const e = await rejects(() => c.upsert(film(1), { ack: 'remote', timeout: 0.2 }), { code: 1, message: /Retry timeout: 0.2s.*not acknowledged/ });
  assert.ok(e.message.includes('applied locally'));
  assert.equal(c.num_entities, 1);
  const r = await c.upsert(film(2), { ack: 'remote', timeout: 10 });
  assert.equal(r.upsert_count, 1);
  await c.flush();
  await assertConverged(B.url, c.name);
  B.proc.kill();
});

test('auth failure surfaces with the remote code and pauses; new credentials resume it', async () => {
  const B = await startB(['--token', 'root:Milvus']);
  connectA(B.url, { ...FAST_RETRY, token: 'root:wrong' });
  const c = new Collection(uniqueName('auth'), schema());
  await c.upsert([film(1), film(2)]);
  const e = await rejects(() => c.flush({ timeout: 5 }), { code: 1800 });
  assert.equal(e.message, "user hasn't authenticated");
  assert.ok(connections._forwarder('default').pending.paused);
  // still paused: the next flush says so at once; an acknowledged call too
  await rejects(() => c.flush(), { code: 1800 });
  await rejects(() => c.upsert(film(3), { ack: 'remote' }), { code: 1800 });
  // the same uri with the right token resumes; nothing was lost
  connections.connect('default', { uri: B.url, token: 'root:Milvus' });
  await c.flush({ timeout: 10 });
  await assertConverged(B.url, c.name, { token: 'root:Milvus' });
  B.proc.kill();
});

test('a validation error of the remote reaches the call that waits, or the next flush(), with the remote code', async () => {
  const B = await startB();
  connectA(B.url, FAST_RETRY);
  const name = uniqueName('diverge');
  const c = new Collection(name, schema());
  await c.upsert(film(1));
  await c.flush();
  // B loses the collection behind A's back: A's next mutations are refused there
  assert.equal((await rest(B.url, 'collections/drop', { collectionName: name })).code, 0);
  const e = await rejects(() => c.upsert(film(2), { ack: 'remote' }), { code: 100 });
  assert.match(e.message, /can't find collection|collection not found/);
  await c.upsert(film(3)); // ack local: resolves; the refusal comes with flush()
  await c.delete('id in [1]');
  const f = await rejects(() => c.flush(), { code: 100 });
  assert.equal(f.errors.length, 2);
  await c.flush(); // reported once
  assert.equal(c.num_entities, 2); // the local store keeps what it applied
  B.proc.kill();
});

test('back-pressure: over max_pending_bytes a call waits for room; its timeout rejects and changes nothing', async () => {
  const B = await startB();
  const proxy = await faultProxy(B.url, ['pass', 'stall']);
  connectA(proxy.url, { ...FAST_RETRY, timeout: 1, max_pending_bytes: 4096 });
  const c = new Collection(uniqueName('bp'), schema());
  await c.upsert(Array.from({ length: 40 }, (_, i) => film(i))); // > 4 KiB of rows, stalled
  const before = c.num_entities;
  await rejects(() => c.upsert(film(500), { timeout: 0.1 }), { code: 1, message: /backlog is full.*nothing was changed/ });
  assert.equal(c.num_entities, before);
  // without a timeout the call waits until the stalled request is retried and acknowledged
  const r = await c.upsert(film(501));
  assert.equal(r.upsert_count, 1);
  await c.flush();
  await assertConverged(B.url, c.name);
  B.proc.kill();
});

test('outbox: what a process queued and did not deliver is sent by the next one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'partita-outbox-'));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  const outbox = join(dir, 'outbox.bin');
  const name = uniqueName('outbox');
  // process 1: the remote is down; it applies and queues, then exits
  const script = `
    import { init, connections, Collection, CollectionSchema, FieldSchema, DataType } from 'partita';
    await init();
    connections.connect('default', { uri: 'http://127.0.0.1:1', outbox: ${JSON.stringify(outbox)}, retry_initial_ms: 5 });
    const s = new CollectionSchema([new FieldSchema('id', DataType.INT64, { is_primary: true }),
      new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 })]);
    const c = new Collection(${JSON.stringify(name)}, s);
    for (let i = 0; i < 10; i++) await c.upsert([{ id: i, v: [i, 1] }, { id: 9007199254740993n + BigInt(i), v: [0, i] }]);
    await c.delete('id in [3]');
    process.exit(0);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit', cwd: fileURLToPath(new URL('..', import.meta.url)) });
  assert.equal(await new Promise((r) => child.once('exit', r)), 0);
  assert.ok(statSync(outbox).size > 0);
  // process 2 (this one, a fresh connection on the same outbox): B is up now
  const B = await startB();
  connections.connect('restarted', { uri: B.url, outbox, ...FAST_RETRY });
  const probe = new Collection(uniqueName('probe'), schema(), { using: 'restarted' });
  await probe.flush({ timeout: 10 });
  const rows = await restRows((p, b) => rest(B.url, p, b), name);
  assert.deepEqual(
    rows.map((r) => r.id),
    [0, 1, 2, 4, 5, 6, 7, 8, 9].map(String).concat(Array.from({ length: 10 }, (_, i) => String(9007199254740993n + BigInt(i)))),
  );
  assert.deepEqual(rows.find((r) => r.id === '9007199254740995').v, [0, 2]);
  assert.ok(!existsSync(outbox) || statSync(outbox).size === 0, 'the outbox is empty once everything is acknowledged');
  connections.remove_connection('restarted');
  B.proc.kill();
});

test('connect() options are checked; reads stay local', async () => {
  assert.throws(() => connections.connect('bad1', { uri: 'http://127.0.0.1:1', batch_rows: 0 }), MilvusException);
  assert.throws(() => connections.connect('bad2', { uri: 'http://127.0.0.1:1', ack: 'maybe' }), /ack must be/);
  connections.connect('offline', { uri: 'http://127.0.0.1:1', ...FAST_RETRY });
  const c = new Collection(uniqueName('offline'), schema(), { using: 'offline' });
  await c.upsert([film(1), film(2)]);
  assert.equal((await c.query('id > 0', { output_fields: ['title'] })).length, 2);
  assert.equal((await c.search([vec(1)], 'v', { metric_type: 'L2' }, 1))[0][0].id, 1);
  await rejects(() => c.upsert(film(3), { ack: 'sometimes' }), { message: /ack must be/ });
  connections.remove_connection('offline');
});

test('outbox in IndexedDB: records survive a new forwarder on the same database, in order', async () => {
  const { IDBFactory } = await import('fake-indexeddb');
  const { IndexedDBOutbox } = await import('partita');
  const indexedDB = new IDBFactory();
  const name = uniqueName('idb');
  // the remote refuses everything: the mutations stay in the outbox
  connections.connect('idb1', { uri: 'http://127.0.0.1:1', outbox: new IndexedDBOutbox('partita-outbox', { indexedDB }), ...FAST_RETRY });
  const c = new Collection(name, schema(), { using: 'idb1' });
  await c.upsert([film(1), film(2)]);
  await c.upsert(film(3));
  await c.delete('id in [2]');
  connections.remove_connection('idb1');
  const stored = await new IndexedDBOutbox('partita-outbox', { indexedDB }).load();
  assert.deepEqual(stored.map((r) => r.meta.kind), ['create_collection', 'upsert', 'upsert', 'delete']);
  assert.equal(stored[1].offsets.length, 3);
  // a new forwarder on that database delivers them to B, then empties it
  const B = await startB();
  connections.connect('idb2', { uri: B.url, outbox: new IndexedDBOutbox('partita-outbox', { indexedDB }), ...FAST_RETRY });
  await new Collection(uniqueName('probe'), schema(), { using: 'idb2' }).flush({ timeout: 10 });
  const rows = await restRows((p, b) => rest(B.url, p, b), name);
  assert.deepEqual(rows.map((r) => r.id), ['1', '3']);
  assert.equal((await new IndexedDBOutbox('partita-outbox', { indexedDB }).load()).length, 0);
  connections.remove_connection('idb2');
  B.proc.kill();
});

// A merge-mode upsert (partial_update, field_ops: tests/merge.test.mjs) travels with
// partialUpdate, as the rows it wrote, and B ends with A's rows.

/** A proxy in front of B that keeps every request body it passes on. */
async function recorder(target) {
  const bodies = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    bodies.push({ path: req.url, body: JSON.parse(body.toString()) });
    const r = await fetch(target + req.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  closers.push(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, bodies };
}

test('a merge-mode upsert is forwarded with partialUpdate, as the rows it wrote', async () => {
  const B = await startB();
  const rec = await recorder(B.url);
  connections.connect('merge_fw', { uri: rec.url });
  try {
    const name = uniqueName('fw');
    const c = new Collection(name, mergeSchema(), { using: 'merge_fw' });
    await c.insert([{ id: 1, v: [1, 2], title: 'Alien', tags: ['a'], k: 1 }, { id: 2, v: [3, 4], tags: ['x'] }]);
    await c.upsert([{ id: 1, title: 'Aliens', tags: ['b'] }, { id: 2, title: 'Heat', tags: ['c'] }], { field_ops: { tags: 'array_append' } });
    await c.upsert({ id: 2, v: [5, 5] });
    await c.upsert({ id: 1, j: 2 }, { partial_update: true });
    await c.flush();
    const upserts = rec.bodies.filter((b) => b.path.endsWith('entities/upsert')).map((b) => b.body);
    // three requests: a merge never travels with a plain upsert; the merged rows are whole and
    // carry no field operation (the remote must not append again)
    assert.equal(upserts.length, 3);
    assert.equal(upserts[0].partialUpdate, true);
    assert.equal(upserts[0].fieldOps, undefined);
    assert.deepEqual(upserts[0].data.map((r) => r.tags), [['a', 'b'], ['x', 'c']]);
    assert.equal(upserts[1].partialUpdate, undefined);
    assert.equal(upserts[2].partialUpdate, true);
    // B holds exactly A's rows
    const rows = async (base) => {
      const r = await (await fetch(`${base}/v2/vectordb/entities/query`, {
        method: 'POST', body: JSON.stringify({ collectionName: name, filter: 'id >= 0', outputFields: ['*'] }),
      })).json();
      assert.equal(r.code, 0, JSON.stringify(r));
      return r.data;
    };
    const mine = createHandler({ using: 'merge_fw' });
    const a = await (await mine(new Request('http://a/v2/vectordb/entities/query', {
      method: 'POST', body: JSON.stringify({ collectionName: name, filter: 'id >= 0', outputFields: ['*'] }),
    }))).json();
    assert.deepEqual(await rows(B.url), a.data);
    const byId = a.data.map((r) => [r.id, r.title, r.tags, r.k ?? null, r.j ?? null]).sort((x, y) => Number(x[0]) - Number(y[0]));
    assert.deepEqual(byId, [
      ['1', 'Aliens', ['a', 'b'], 1, 2],
      ['2', null, null, null, null],
    ]);
  } finally {
    connections.remove_connection('merge_fw');
    B.proc.kill();
  }
});
