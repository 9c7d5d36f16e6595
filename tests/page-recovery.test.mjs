// Recovery of a durable store in a page (persist/browser-store.js) run in Node, its Worker
// (store-worker.js) replaced by one that hands over given files: which checkpoint slot is
// recovered, and that each checkpoint's records are read once (the page tests in Chromium are
// tests/browser-durable.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, connections, Collection, CollectionSchema, FieldSchema, DataType } from 'partita';
import { engine } from '../web/src/core/engine.js';
import { registryHost } from '../web/src/core/registry.js';
import { BrowserStore } from '../web/src/persist/browser-store.js';

await init();

/** A Worker that answers `open` with `files` ({ cp: [2], log: [2] }) and any other message. */
function fakeWorker(files) {
  return class {
    postMessage(m) {
      const answer = m.op === 'open' ? { backend: 'fake', ...files } : {};
      queueMicrotask(() => this.onmessage({ data: { ...answer, id: m.id } }));
    }

    terminate() {}
  };
}

/** Opens a page store over `files`; its collections' row counts, and the bytes the engine read
 * from records (every call of replayLog). */
async function recover(files) {
  const store = engine().openStore();
  const e = engine(), replayLog = e.replayLog;
  let read = 0;
  e.replayLog = (s, bytes, ...rest) => ((read += bytes.length), replayLog.call(e, s, bytes, ...rest));
  const saved = globalThis.Worker;
  globalThis.Worker = fakeWorker(files);
  try {
    const b = await BrowserStore.open(store, 'page.db', {}, registryHost);
    const counts = Object.fromEntries(e.listCollections(store).map((n) => [n, e.numEntities(store, n)]));
    await b.close();
    return { counts, read };
  } finally {
    globalThis.Worker = saved;
    e.replayLog = replayLog;
    e.closeStore(store);
  }
}

/** Checkpoint `id` of a store with collection `name` of `rows` rows. */
function checkpointOf(id, name, rows) {
  const using = `page-recovery-${id}`;
  connections.connect(using);
  const c = new Collection(name, new CollectionSchema([new FieldSchema('id', DataType.INT64, { is_primary: true }), new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 4 })]), { using });
  c.insert(Array.from({ length: rows }, (_, i) => ({ id: i, v: [i, 1, 2, 3] })));
  const store = connections._store(using);
  const bytes = engine().checkpoint(store, id, registryHost.state(store));
  connections.remove_connection(using);
  return bytes;
}

test('a page store recovers its newest whole checkpoint, reading each checkpoint once; one torn mid-write is passed over', async () => {
  const older = checkpointOf(1, 'old', 300), newer = checkpointOf(2, 'new', 500);
  const marker = engine().constants.log.MARKER_BYTES;
  const logOf = (id) => engine().logMarker(false, id);
  // slot 0 holds checkpoint 2, slot 1 checkpoint 1: checkpoint 2 and its log are recovered, and
  // the records read are checkpoint 2's, once (and the first record of each file, of log.0 twice,
  // and each checkpoint's END record, read by the core whatever its format)
  let r = await recover({ cp: [newer, older], log: [logOf(2), logOf(1)] });
  assert.deepEqual(r.counts, { new: 500 });
  assert.ok(r.read <= newer.length + 8 * marker, `${r.read} bytes read from records, checkpoint 2 is ${newer.length} bytes and checkpoint 1 ${older.length}`);
  // checkpoint 2 torn mid-write (a prefix; its log not written yet): checkpoint 1 and its log
  r = await recover({ cp: [newer.subarray(0, newer.length - 5), older], log: [null, logOf(1)] });
  assert.deepEqual(r.counts, { old: 300 });
  // checkpoint 2 ends with its END but its middle was lost (a power cut: storage may persist a
  // file's tail first) and its log header was not written yet: checkpoint 1 and its log, which
  // hold everything acknowledged, are recovered (not refused)
  const holed = newer.slice();
  holed.fill(0, newer.length >> 2, newer.length >> 1);
  for (const stale of [null, logOf(0)]) {
    r = await recover({ cp: [holed, older], log: [stale, logOf(1)] });
    assert.deepEqual(r.counts, { old: 300 });
  }
  // a record of checkpoint 2 damaged after it was written (its log was started): refused by name
  const bad = newer.slice();
  bad[newer.length >> 1] ^= 1;
  await assert.rejects(recover({ cp: [bad, older], log: [logOf(2), logOf(1)] }), /the store page\.db \(fake\) cannot be opened: checkpoint\.0 is damaged/);
});
