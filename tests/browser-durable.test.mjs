// Durable stores in a page (issue 17): connections.connect({ uri: './x.db' }) and
// MilvusClient({ address: './x.db' }) in headless Chromium, the log kept by a Worker in OPFS
// (sync access handles) or in IndexedDB (the fallback, forced with durable: { backend: 'idb' }).
// Each backend: a page writes with acknowledgements recorded and is closed mid-write, or its
// store's Worker is terminated mid-write; a new page finds every acknowledged row (whole). A
// torn last log record is dropped; a second opener is refused; the registry (an alias, a
// release, an mmap property) is kept; a database is a store under the store, found again after
// a reload, and deleted when dropped. The steps are in
// tests/browser/durable.html.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from './support/static-server.mjs';
import { launchChromium, openPage, skipWithoutChromium as skip } from './support/chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let server, browser;

before(async () => {
  if (skip) return;
  server = await serveStatic({ '/pkg/': root, '/': path.join(root, 'tests/browser') });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens durable.html with `query`; the page object and its problems. */
async function open(query) {
  const p = await openPage(browser.context, server.origin);
  await p.page.goto(`${server.origin}/durable.html?${new URLSearchParams(query)}`);
  return p;
}

/** Runs a step that ends (title 'done'); its results, the page closed. */
async function step(query) {
  const { page, problems } = await open(query);
  await page.waitForFunction(() => document.title === 'done', null, { timeout: 60_000 });
  const results = await page.evaluate(() => window.results);
  await page.close();
  assert.equal(results.error, undefined, results.error);
  assert.deepEqual(problems, { errors: [], external: [] });
  return results;
}

/** Every acknowledged key is there, with its row whole; nothing else is there. */
function assertHolds(rows, acked, sent) {
  const byId = new Map(rows.map(([id, n, v]) => [id, { n, v }]));
  for (const id of acked) assert.ok(byId.has(id), `acknowledged key ${id} is missing (${byId.size} rows, ${acked.length} acknowledged)`);
  for (const [id, { n, v }] of byId) {
    assert.ok(id < sent, `key ${id} was never written`);
    assert.deepEqual([n, v], [id * 3, [id, 1, 2, 3]], `row ${id} is not whole`);
  }
}

for (const backend of ['opfs', 'idb']) {
  test(`${backend}: a page closed mid-write, then one whose store's Worker is terminated mid-write: a new page has every acknowledged row`, { skip, timeout: 120_000 }, async () => {
    const store = `crash-${backend}`;
    // 1. closed mid-write: acknowledgements read while writes go on, then the page goes
    const { page, problems } = await open({ step: 'write', store, backend });
    await page.waitForFunction(() => window.batches >= 40 || document.title === 'done', null, { timeout: 60_000 });
    const acked = await page.evaluate(() => window.acked.slice());
    const used = await page.evaluate(() => window.backend);
    await page.close({ runBeforeUnload: false });
    assert.deepEqual(problems.errors, []);
    assert.equal(used, backend);
    let r = await step({ step: 'read', store, backend });
    assert.ok(acked.length >= 40 * 50, `${acked.length} rows acknowledged`);
    assertHolds(r.rows, acked, Infinity);
    assert.ok(r.sizes.checkpoint > 0, 'the writes made checkpoints (compactMinBytes 16384)');
    // 2. the Worker terminated with writes in flight (the page stays): a new page has each
    //    acknowledged row; the keys go on from where the store is (the first write step's rows
    //    are there too)
    const { page: p2 } = await open({ step: 'write', store: `${store}-kill`, backend, kill: 30 });
    await p2.waitForFunction(() => document.title === 'done', null, { timeout: 60_000 });
    const acked2 = await p2.evaluate(() => window.acked.slice());
    assert.equal(await p2.evaluate(() => window.killed), true);
    await p2.close();
    r = await step({ step: 'read', store: `${store}-kill`, backend });
    assert.ok(acked2.length >= 30 * 50);
    assertHolds(r.rows, acked2, Infinity);
  });

  test(`${backend}: a torn last log record is dropped, nothing before it; reopened in the same page through MilvusClient`, { skip, timeout: 60_000 }, async () => {
    const store = `torn-${backend}`;
    const small = await step({ step: 'small', store, backend });
    assert.deepEqual(small, { ids: [0, 2, 3, 4, 5], status: 'Success', inserted: '1', unsynced: false });
    const cut = await step({ step: 'tear', store, backend });
    assert.equal(cut.after, cut.before - 3);
    const r = await step({ step: 'read', store, backend });
    // the last record (MilvusClient's create partition) is torn: dropped; every record before it
    // (the delete of key 1, MilvusClient's insert of key 10) is kept
    assert.deepEqual(r.rows.map(([id]) => id).sort((a, b) => a - b), [0, 2, 3, 4, 5, 10]);
    // and cut from the log: a write after it is read back
    assert.ok(r.sizes.log < cut.after, `the log was cut to its valid prefix (${r.sizes.log} < ${cut.after})`);
  });

  test(`${backend}: a store open in one page is refused to another page and to a second connection, by name`, { skip, timeout: 60_000 }, async () => {
    const store = `lock-${backend}`;
    const holder = await open({ step: 'hold', store, backend });
    await holder.page.waitForFunction(() => document.title === 'done', null, { timeout: 60_000 });
    const held = await holder.page.evaluate(() => window.results);
    assert.equal(held.error, undefined, held.error);
    assert.match(held.same, /ConnectionConfigException: the store lock-\w+\.db cannot be opened: the store lock-\w+\.db is open in another tab, worker or connection/);
    const r = await step({ step: 'lock', store, backend });
    assert.match(r.refused, /ConnectionConfigException: the store lock-\w+\.db cannot be opened: .*open in another tab/);
    assert.match(r.used, /cannot be opened/);
    await holder.page.close();
    // the holder gone, its lock goes with it
    const again = await step({ step: 'read', store, backend });
    assert.deepEqual(again.rows, []);
  });
}

test('opfs: an alias (in a checkpoint), a release and an mmap property (in the log) made through MilvusClient survive a page reload', { skip, timeout: 60_000 }, async () => {
  const store = 'registry-opfs';
  assert.deepEqual(await step({ step: 'registry', store, backend: 'opfs', phase: 'make' }), { made: true });
  assert.deepEqual(await step({ step: 'registry', store, backend: 'opfs', phase: 'check' }),
    { collection: 'books', aliases: ['shelf'], load: 'LoadStateNotLoad', properties: [{ key: 'mmap.enabled', value: 'true' }] });
});

for (const backend of ['opfs', 'idb']) {
  test(`${backend}: a database made through MilvusClient is a store of its own under the store: a new page finds it and its rows; dropped, it is gone`, { skip, timeout: 90_000 }, async () => {
    const store = `databases-${backend}`;
    const made = await step({ step: 'databases', store, backend, phase: 'make' });
    assert.deepEqual(made, { listed: ['default', 'shelf'], again: 'database already exist: shelf', inDefault: false });
    const found = await step({ step: 'databases', store, backend, phase: 'check' });
    assert.deepEqual(found, { listed: ['default', 'shelf'], rows: [[1, 'one'], [2, 'two']], stores: backend === 'opfs' ? ['shelf.db'] : null });
    const dropped = await step({ step: 'databases', store, backend, phase: 'drop' });
    assert.deepEqual(dropped, { full: 'database:shelf not empty, must drop all collections before drop database', listed: ['default'] });
    const gone = await step({ step: 'databases', store, backend, phase: 'gone' });
    assert.deepEqual(gone, { listed: ['default'], idb: backend === 'idb' ? [] : null, rows: 'database not found[database=shelf]' });
  });
}

test('the acknowledgement latency of a durable write in a page (OPFS and IndexedDB), next to an in-memory one and a bare Worker round trip', { skip, timeout: 60_000 }, async (t) => {
  for (const backend of ['opfs', 'idb']) {
    const r = await step({ step: 'latency', store: `latency-${backend}`, backend });
    assert.equal(r.backend, backend);
    t.diagnostic(`${backend}: one-row insert, median: durable ${r.durableMs.toFixed(3)} ms, in memory ${r.memoryMs.toFixed(3)} ms; a bare Worker round trip ${r.roundTripMs.toFixed(3)} ms`);
    assert.ok(r.durableMs > r.memoryMs, 'a durable write waits for its flush');
  }
});
