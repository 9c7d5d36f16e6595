// The file outbox across crashes (issue 13, item 6): a frame cut short by a crash at any byte,
// or followed by zeros or garbage (a power loss), is cut off when the next program opens the
// file, so what that program appends is read back by the one after it; a frame damaged after it
// was written (a flipped bit) is never returned, and the file is then refused as it is rather
// than cut (acknowledged records stay in it). Three program generations share one file: the
// first writes and is "killed" during its last write, the second opens and appends, the third
// reads everything back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileOutbox } from 'partita';

const dir = mkdtempSync(join(tmpdir(), 'partita-outbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `outbox-${++files}.bin`);

const encoder = new TextEncoder();
/** A data record (rows and offsets) or, without rows, another kind of mutation. */
function record(seq, rows) {
  const meta = { kind: rows ? 'upsert' : 'delete', collection: 'films', partition: null, body: rows ? null : { filter: `id in [${seq}]` }, keyed: true };
  if (!rows) return { id: [1700000000000, seq], meta };
  const parts = rows.map((r) => encoder.encode(JSON.stringify(r)));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, -1));
  const offsets = new Uint32Array(parts.length + 1);
  let at = 0;
  parts.forEach((p, i) => {
    offsets[i] = at;
    bytes.set(p, at);
    at += p.length;
    if (i < parts.length - 1) bytes[at++] = 0x2c; // ','
  });
  offsets[parts.length] = at + 1;
  return { id: [1700000000000, seq], meta, rows: bytes, offsets };
}
const A = record(1, [{ id: 1, v: [1, 2] }, { id: 2, v: [3, 4] }]);
const B = record(2);
const C = record(3, [{ id: 3, title: 'ünïcode ✓', v: [5, 6] }]);
const D = record(4, [{ id: 4, v: [7, 8] }, { id: 5, v: [9, 10] }, { id: 6, v: [11, 12] }]);
const E = record(5, [{ id: 7, v: [0, 0] }]);

/** Records as plain data, to compare exactly. */
const plain = (recs) =>
  recs.map((r) => ({ id: [...r.id], meta: r.meta, rows: r.rows ? [...r.rows] : undefined, offsets: r.offsets ? [...r.offsets] : undefined }));

/**
 * Generation 1 on a fresh file: A, B, C acknowledged, A removed, then D; returns the path, the
 * file as it was before D and D's frame.
 */
async function generationOne() {
  const path = freshPath();
  const ob = new FileOutbox(path);
  assert.deepEqual(await ob.load(), []);
  await ob.put(A);
  await ob.put(B);
  await ob.put(C);
  await ob.remove(A.id);
  const before = readFileSync(path);
  await ob.put(D);
  await ob.close();
  const all = readFileSync(path);
  assert.deepEqual(all.subarray(0, before.length), before);
  return { path, before, frame: all.subarray(before.length) };
}

/** Generations 2 and 3: open (load, or a first write without a load), append E, reopen. */
async function laterGenerations(path, expected, { loadFirst = true } = {}) {
  const ob = new FileOutbox(path);
  if (loadFirst) assert.deepEqual(plain(await ob.load()), plain(expected), 'generation 2 reads back');
  await ob.put(E);
  await ob.close();
  const again = new FileOutbox(path);
  assert.deepEqual(plain(await again.load()), plain([...expected, E]), 'generation 3 reads back');
  await again.close();
}

test('a torn last frame, cut at every byte, is cut off: nothing acknowledged is lost, nothing torn returned', async () => {
  const { path, before, frame } = await generationOne();
  assert.deepEqual(plain(await new FileOutbox(path).load()), plain([B, C, D]));
  for (let k = 0; k < frame.length; k++) {
    writeFileSync(path, Buffer.concat([before, frame.subarray(0, k)]));
    await laterGenerations(path, [B, C], { loadFirst: k % 2 === 0 });
  }
});

test('a torn last frame followed by zeros or garbage (a power loss) is cut off the same way', async () => {
  const { path, before, frame } = await generationOne();
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (let k = 0; k < frame.length; k++) {
    for (const fill of ['zeros', 'garbage']) {
      const tail = Buffer.alloc(frame.length - k + 16);
      if (fill === 'garbage') for (let i = 0; i < tail.length; i++) tail[i] = random();
      writeFileSync(path, Buffer.concat([before, frame.subarray(0, k), tail]));
      // cut in its last bytes (the trailer, which no checksum covers, or zeros where zeros
      // were written), all of D may be there, checked: it may come back, whole
      const ob = new FileOutbox(path);
      const whole = (await ob.load()).length === 3;
      await ob.close();
      if (whole) assert.ok(k >= frame.length - 16, `D came back after a cut at ${k} of ${frame.length}`);
      const expected = whole ? [B, C, D] : [B, C];
      await laterGenerations(path, expected).catch((e) => {
        throw new Error(`cut at ${k} of ${frame.length}, then ${fill}: ${e.message.split('\n')[0]}`);
      });
    }
  }
});

/** Loads a damaged file: either exactly `whole` comes back, or a clear error and nothing is
 * changed (the file as it was, writes refused). Returns which. */
async function damaged(path, whole) {
  const bytes = readFileSync(path);
  const ob = new FileOutbox(path);
  let records;
  try {
    records = await ob.load();
  } catch (e) {
    const refusal = /outbox file .* is damaged at byte \d+|is not a partita outbox file/;
    assert.match(e.message, refusal);
    await assert.rejects(ob.put(E), refusal);
    await assert.rejects(ob.remove(B.id), refusal);
    await assert.rejects(ob.compact(), refusal);
    await ob.close();
    assert.deepEqual(readFileSync(path), bytes, 'the damaged file is left as it was');
    return 'refused';
  }
  assert.deepEqual(plain(records), plain(whole));
  await ob.close();
  return 'whole';
}

test('a flipped bit in any frame is never returned: the file is refused as it is, records kept', async () => {
  const { path, before, frame } = await generationOne();
  const all = Buffer.concat([before, frame]);
  const seen = { whole: 0, refused: 0 };
  // every bit of the last frame (acknowledged: its write completed), a bit of every byte
  // before it (the bit in turn)
  for (let i = 0; i < all.length; i++) {
    for (let bit = i < before.length ? i % 8 : 0; bit < (i < before.length ? i % 8 + 1 : 8); bit++) {
      const flipped = Buffer.from(all);
      flipped[i] ^= 1 << bit;
      writeFileSync(path, flipped);
      seen[await damaged(path, [B, C, D])]++;
    }
  }
  assert.ok(seen.refused > 0.9 * (before.length + 8 * frame.length), JSON.stringify(seen));
});

test('a file that is not an outbox is refused and left alone; an empty or missing one is an empty outbox', async () => {
  const path = freshPath();
  writeFileSync(path, 'these are my notes, not an outbox\n');
  const ob = new FileOutbox(path);
  await assert.rejects(ob.load(), /is not a partita outbox/);
  await assert.rejects(ob.put(A), /is not a partita outbox/);
  await ob.close();
  assert.equal(readFileSync(path, 'utf8'), 'these are my notes, not an outbox\n');

  const missing = freshPath();
  assert.deepEqual(await new FileOutbox(missing).load(), []);
  assert.equal(existsSync(missing), false);
  writeFileSync(missing, '');
  const empty = new FileOutbox(missing);
  assert.deepEqual(await empty.load(), []);
  await empty.put(A);
  await empty.compact();
  await empty.put(B);
  await empty.close();
  assert.deepEqual(plain(await new FileOutbox(missing).load()), plain([B]));
});

test('a forwarder on a damaged outbox says so (flush, on_error) and leaves the file as it is', async () => {
  const { init, connections, Collection, CollectionSchema, FieldSchema, DataType } = await import('partita');
  await init();
  const { path, before, frame } = await generationOne();
  const bytes = Buffer.concat([before, frame]);
  bytes[before.length - 30] ^= 0x10; // inside C's frame, which D follows
  writeFileSync(path, bytes);
  const errors = [];
  connections.connect('damaged', { uri: 'http://127.0.0.1:1', outbox: path, retry_initial_ms: 5, retry_max_ms: 40, on_error: (e) => errors.push(e) });
  try {
    const schema = new CollectionSchema([new FieldSchema('id', DataType.INT64, { is_primary: true }), new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 })]);
    const c = new Collection(`damaged_${process.pid}`, schema, { using: 'damaged' });
    await assert.rejects(c.flush({ timeout: 0.2 })); // the remote is down, and the outbox refused
    assert.ok(errors.some((e) => /the outbox could not be read: outbox file .* is damaged at byte/.test(e.message)));
    assert.ok(errors.some((e) => /the outbox could not keep .* is damaged at byte/.test(e.message)));
  } finally {
    connections.remove_connection('damaged');
  }
  assert.deepEqual(readFileSync(path), bytes);
});

test('IndexedDB outbox: outbox_fsync asks for strict durability of its writes', async () => {
  const { IDBFactory, IDBDatabase } = await import('fake-indexeddb');
  const { IndexedDBOutbox } = await import('partita');
  const seen = [];
  const transaction = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (names, mode, options) {
    if (mode !== 'versionchange') seen.push(`${mode}:${options?.durability ?? 'default'}`);
    return transaction.call(this, names, mode, options);
  };
  try {
    for (const fsync of [false, true]) {
      seen.length = 0;
      const ob = new IndexedDBOutbox('ob', { indexedDB: new IDBFactory(), fsync });
      await ob.put(A);
      await ob.remove(A.id);
      await ob.load();
      await ob.close();
      const w = fsync ? 'strict' : 'default';
      assert.deepEqual(seen, [`readwrite:${w}`, `readwrite:${w}`, 'readonly:default']);
    }
  } finally {
    IDBDatabase.prototype.transaction = transaction;
  }
});
