// Snapshots, compaction and persistence from JS (issue 6, item 1): collection.save() /
// Collection.load(), every corruption class refused with the store unchanged, compact(), the
// adapters of partita/persist (file, IndexedDB through fake-indexeddb, a user bytes store),
// autosave, and the soak: 1,000,000 mixed upserts and deletes over 10,000 keys, memory within
// 2x the live data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { init, Collection, CollectionSchema, FieldSchema, DataType, MilvusException, connections, memoryUsage } from 'partita';
import { Autosave, FileAdapter, IndexedDBAdapter, loadCollection, saveCollection } from 'partita/persist';
import { rejects, snapshot, uniqueName, range } from './support/helpers.mjs';

await init();

const DIM = 128;

function vecSchema(dim = DIM) {
  return new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('tag', DataType.VARCHAR, { max_length: 32, nullable: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim }),
  ], { enable_dynamic_field: true });
}

const value = (key, ver, j) => ((key * 31 + j * 7 + ver) % 251) / 8;

/** A typed column batch: keys, tags and flat vectors of version `ver`. */
function batch(keys, ver, dim = DIM) {
  const v = new Float32Array(keys.length * dim);
  for (let i = 0; i < keys.length; i++) for (let j = 0; j < dim; j++) v[i * dim + j] = value(keys[i], ver, j);
  return [BigInt64Array.from(keys, BigInt), keys.map((k) => (k % 7 ? `t${k}.${ver}` : null)), v];
}

/** A small collection with partitions, duplicates, upserts, deletes and dynamic fields. */
async function small() {
  const c = new Collection(uniqueName('snap'), vecSchema(4));
  c.create_partition('p1');
  await c.insert(range(20, (i) => ({ id: i, tag: `a${i}`, v: [i, 1, 2, 3], extra: { i } })));
  await c.insert(range(5, (i) => ({ id: 100 + i, tag: null, v: [0, 0, 0, i] })), { partition_name: 'p1' });
  await c.upsert(range(5, (i) => ({ id: i, tag: `b${i}`, v: [9, 9, 9, i] })));
  await c.delete('id in [7, 8, 101]');
  return c;
}

test('save and load: schema, partitions, rows, deletes and the key index come back', async () => {
  const c = await small();
  const bytes = c.save();
  assert.ok(bytes instanceof Uint8Array && bytes.length > 32);
  const d = Collection.load(bytes, { name: uniqueName('copy') });
  assert.deepEqual(d.schema.toJSON(), c.schema.toJSON());
  assert.deepEqual(d.partitions.map((p) => p.name), c.partitions.map((p) => p.name));
  const a = await snapshot(c), b = await snapshot(d);
  assert.deepEqual(b, a);
  assert.equal(d.partition('p1').num_entities, 4);
  // the key index: an upsert replaces the loaded row, a delete finds it
  await d.upsert([{ id: 3, tag: 'c3', v: [1, 1, 1, 1] }]);
  await d.delete('id == 100');
  assert.deepEqual(await d.query('id in [3, 100]', { output_fields: ['tag'] }), [{ id: 3, tag: 'c3' }]);
  assert.equal(d.num_entities, c.num_entities - 1);
  // the saved name; a name in use is refused
  const name = c.name;
  c.drop();
  const e = Collection.load(bytes);
  assert.equal(e.name, name);
  await rejects(() => Collection.load(bytes), { message: 'already exists' });
  // saved again after a load: the same rows, so the same size
  assert.equal(e.save().length, bytes.length);
});

test('100,000 rows of 128-d vectors: save and load equal row for row', async () => {
  const c = new Collection(uniqueName('big'), vecSchema());
  const N = 100_000, B = 10_000;
  for (let at = 0; at < N; at += B) await c.insert(batch(range(B, (i) => at + i), 0));
  const bytes = c.save();
  assert.ok(bytes.length > N * DIM * 4);
  const d = Collection.load(bytes, { name: uniqueName('big_copy') });
  assert.equal(d.num_entities, N);
  for (let at = 0; at < N; at += B) {
    const rows = await d.query(`id >= ${at} and id < ${at + B}`, { output_fields: ['tag', 'v'], limit: B });
    assert.equal(rows.length, B);
    for (let i = 0; i < B; i++) {
      const r = rows[i], k = at + i;
      if (r.id !== k || r.tag !== (k % 7 ? `t${k}.0` : null)) assert.fail(`row ${k}: ${JSON.stringify({ id: r.id, tag: r.tag })}`);
      for (let j = 0; j < DIM; j++) if (r.v[j] !== Math.fround(value(k, 0, j))) assert.fail(`row ${k}: v[${j}] = ${r.v[j]}`);
    }
  }
  // search answers the same
  const q = [Array.from({ length: DIM }, (_, j) => value(4242, 0, j))];
  const [x] = await c.search(q, 'v', { metric_type: 'L2' }, 5);
  const [y] = await d.search(q, 'v', { metric_type: 'L2' }, 5);
  assert.deepEqual(y.ids, x.ids);
  assert.deepEqual(y.distances, x.distances);
  c.drop();
  d.drop();
});

/** Asserts that loading `bytes` is refused as corrupt and adds nothing to the store. */
async function refused(bytes, message) {
  const name = uniqueName('bad');
  const e = await rejects(() => Collection.load(bytes, { name }), { code: 1100, message });
  assert.equal(e.status, 'PT_CORRUPT');
  await rejects(() => new Collection(name), { message: 'not exist' });
}

/** CRC-32 (IEEE), as the format's checksums. */
function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** Section boundaries of a snapshot (versions 4 and 5, framed alike): 32-byte header, then
 * sections of u32 tag, u32 0, u64 length, the payload padded to 8 bytes, u64 check. */
function sections(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(dv.getUint32(8, true), 5, 'the snapshot version these boundaries are for');
  const out = [32];
  for (let at = 32; at < bytes.length;) {
    const len = Number(dv.getBigUint64(at + 8, true));
    at += 24 + Math.ceil(len / 8) * 8;
    out.push(at);
  }
  return out;
}

test('corrupt snapshots are refused with PT_CORRUPT, never half loaded', async () => {
  const c = await small();
  const bytes = c.save();
  const ends = sections(bytes);
  assert.equal(ends.at(-1), bytes.length, 'the section walk matches the format');
  assert.ok(ends.length >= 4, 'header, collection, partitions');
  const memBefore = memoryUsage().used;
  // truncation at each section boundary, and just before and after it
  for (const end of ends.slice(0, -1)) for (const at of [end - 1, end, end + 1]) await refused(bytes.subarray(0, at), /snapshot/);
  // truncation at every byte
  for (let at = 0; at < bytes.length; at += 1) {
    const name = uniqueName('cut');
    assert.throws(() => Collection.load(bytes.subarray(0, at), { name }), (e) => e instanceof MilvusException && e.status === 'PT_CORRUPT');
  }
  // a flipped bit in every section (and every byte of the header)
  const flips = [...range(32), ...ends.slice(0, -1).flatMap((s, i) => [s, s + 4, s + 12, s + 16, Math.floor((s + ends[i + 1]) / 2), ends[i + 1] - 1])];
  for (const at of flips) {
    const bad = bytes.slice();
    bad[at] ^= 0x10;
    await refused(bad, /snapshot/);
  }
  // wrong magic, a future version, not a snapshot at all
  const magic = bytes.slice();
  magic[0] ^= 0xff;
  await refused(magic, /snapshot/);
  const future = bytes.slice();
  new DataView(future.buffer).setUint32(8, 99, true);
  new DataView(future.buffer).setUint32(28, crc32(future.subarray(0, 28)), true); // a valid header
  const e = await rejects(() => Collection.load(future, { name: uniqueName('future') }), { code: 1100, message: /version/ });
  assert.equal(e.status, 'PT_CORRUPT');
  await refused(new TextEncoder().encode('{"not":"a snapshot"}'), /snapshot/);
  await refused(new Uint8Array(0), /snapshot/);
  await rejects(() => Collection.load('bytes'), { code: 1, message: 'Collection.load takes the bytes' });
  await rejects(() => Collection.load(bytes, { name: 5 }), { code: 1 });
  // nothing leaked by the failed loads
  assert.equal(memoryUsage().used, memBefore);
  // and the good bytes still load
  assert.deepEqual(await snapshot(Collection.load(bytes, { name: uniqueName('ok') })), await snapshot(c));
});

test('compact(): results unchanged, deleted rows freed, pymilvus compaction state', async () => {
  const c = new Collection(uniqueName('compact'), vecSchema());
  assert.equal((await c.get_compaction_state()).state, 'Undefined');
  for (let ver = 0; ver < 3; ver++) await c.insert(batch(range(3000, (i) => i + ver * 3000), ver));
  await c.delete("id >= 1000 and id < 3000"); // under the automatic threshold
  const before = await snapshot(c);
  const q = [Array.from({ length: DIM }, (_, j) => value(8500, 2, j))];
  const [hits] = await c.search(q, 'v', { metric_type: 'IP' }, 10);
  const mem = memoryUsage().used;
  await c.compact();
  const state = await c.get_compaction_state();
  assert.equal(state.state, 'Completed');
  assert.ok(state.removed_rows > 0);
  assert.ok(state.compaction_id > 0);
  assert.ok(memoryUsage().used < mem, 'memory given back');
  assert.deepEqual(await snapshot(c), before);
  const [again] = await c.search(q, 'v', { metric_type: 'IP' }, 10);
  assert.deepEqual(again.ids, hits.ids);
  assert.deepEqual(await c.get([0, 999, 1000, 8999]).then((r) => r.map((x) => x.id)), [0, 999, 8999]);
  assert.deepEqual(await c.wait_for_compaction_completed(), state);
  c.drop();
  await rejects(() => c.compact(), { code: 100 });
});

test('FileAdapter: temporary file then rename; loadCollection / saveCollection', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'partita-persist-'));
  try {
    const a = new FileAdapter(path.join(dir, 'snaps'));
    assert.equal(await a.get('nothing'), null);
    const c = await small();
    await saveCollection(c, a, 'k/1');
    assert.deepEqual(await readdir(path.join(dir, 'snaps')), ['k%2F1.snapshot'], 'no temporary file left');
    const d = await loadCollection(a, 'k/1', { name: uniqueName('file') });
    assert.deepEqual(await snapshot(d), await snapshot(c));
    assert.equal(await loadCollection(a, 'absent'), null);
    // a torn file (as if written in place and cut) is refused, not half loaded
    await writeFile(path.join(dir, 'snaps', 'torn.snapshot'), c.save().subarray(0, 100));
    await rejects(() => loadCollection(a, 'torn', { name: uniqueName('torn') }), { code: 1100 });
    await a.delete('k/1');
    assert.equal(await a.get('k/1'), null);
    await rejects(() => saveCollection(c, {}, 'x'), { code: 1, message: 'get(key) and put(key, bytes)' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('IndexedDBAdapter (fake-indexeddb) and a user bytes store (a Map, as Workers KV would be)', async () => {
  const c = await small();
  const idb = new IndexedDBAdapter('snaps', { indexedDB: new IDBFactory() });
  assert.equal(await idb.get('c'), null);
  await saveCollection(c, idb, 'c');
  const d = await loadCollection(idb, 'c', { name: uniqueName('idb') });
  assert.deepEqual(await snapshot(d), await snapshot(c));
  await idb.delete('c');
  assert.equal(await idb.get('c'), null);
  idb.close();

  const kv = new Map();
  const bytesStore = { async get(k) { return kv.get(k) ?? null; }, async put(k, b) { kv.set(k, b.slice()); } };
  await saveCollection(c, bytesStore);
  assert.ok(kv.get(c.name) instanceof Uint8Array);
  assert.deepEqual(await snapshot(await loadCollection(bytesStore, c.name, { name: uniqueName('kv') })), await snapshot(c));
});

test('Autosave: after N mutations, after a quiet delay, on flush; failures surfaced', async () => {
  const c = new Collection(uniqueName('auto'), vecSchema(4));
  const kv = new Map();
  let fail = false;
  const puts = [];
  const store = {
    async get(k) { return kv.get(k) ?? null; },
    async put(k, b) { puts.push(k); if (fail) throw new Error('disk full'); kv.set(k, b); },
  };
  const errors = [];
  const auto = new Autosave(c, store, { key: 'a', mutations: 3, delayMs: 20, onError: (e) => errors.push(e) });
  await c.insert([{ id: 1, tag: 'x', v: [1, 2, 3, 4] }]);
  await c.insert([{ id: 2, tag: 'x', v: [1, 2, 3, 4] }]);
  assert.equal(auto.pending, 2);
  assert.equal(puts.length, 0);
  await c.delete('id == 1'); // the third: saved at once
  await auto.flush();
  assert.equal(auto.saves, 1);
  assert.deepEqual(await snapshot(Collection.load(kv.get('a'), { name: uniqueName('a1') })), await snapshot(c));
  // debounced: one save after the last of several quick changes
  await c.upsert([{ id: 3, tag: 'y', v: [0, 0, 0, 1] }]);
  await c.upsert([{ id: 4, tag: 'y', v: [0, 0, 0, 1] }]);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(auto.saves, 2);
  assert.equal(auto.pending, 0);
  // a failing put: reported, kept pending, flush rejects; the next save succeeds
  fail = true;
  c.create_partition('p');
  await assert.rejects(auto.flush(), /disk full/);
  assert.equal(errors.length, 1);
  assert.equal(auto.lastError.message, 'disk full');
  assert.equal(auto.pending, 1);
  fail = false;
  await auto.flush();
  assert.equal(auto.lastError, null);
  assert.deepEqual((await loadCollection(store, 'a', { name: uniqueName('a2') })).partitions.map((p) => p.name), ['_default', 'p']);
  await auto.close();
  await c.insert([{ id: 9, tag: 'z', v: [1, 1, 1, 1] }]);
  assert.equal(auto.pending, 0, 'closed: no longer listening');
  assert.throws(() => new Autosave(c, store, { mutations: 0 }), /positive integer/);
});

test('soak: 1,000,000 upserts and deletes over 10,000 keys; the model, memory within 2x live data', async () => {
  const KEYS = 10_000, OPS = 1_000_000, BATCH = 1000, D = DIM;
  const schema = new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: D }),
  ]);
  const base = memoryUsage().used;
  const c = new Collection(uniqueName('soak'), schema);
  const ver = new Int32Array(KEYS), live = new Uint8Array(KEYS);
  let seed = 0x2545f491;
  const rnd = (n) => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const perm = Int32Array.from(range(KEYS));
  const ids = new BigInt64Array(BATCH), v = new Float32Array(BATCH * D);
  let worst = 0;
  for (let done = 0; done < OPS; done += BATCH) {
    for (let i = 0; i < BATCH; i++) {
      const j = i + rnd(KEYS - i);
      const t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
    if (rnd(4) !== 0) {
      for (let i = 0; i < BATCH; i++) {
        const k = perm[i];
        live[k] = 1;
        const x = ++ver[k];
        ids[i] = BigInt(k);
        v[i * D] = k; v[i * D + 1] = x;
        v.fill((k + x) % 251, i * D + 2, i * D + D);
      }
      await c.upsert([ids, v]);
    } else {
      for (let i = 0; i < BATCH; i++) live[perm[i]] = 0;
      await c.delete(`id in [${perm.subarray(0, BATCH).join(',')}]`);
    }
    if (done >= OPS / 10) {
      const n = c.num_entities;
      worst = Math.max(worst, (memoryUsage().used - base) / (n * (8 + D * 4)));
    }
  }
  const nLive = live.reduce((a, b) => a + b, 0);
  assert.equal(c.num_entities, nLive);
  const rows = await c.query('', { output_fields: ['v'], limit: 16384 });
  assert.equal(rows.length, nLive);
  for (const r of rows) {
    const k = r.id;
    if (!live[k]) assert.fail(`key ${k} is deleted in the model`);
    const x = ver[k];
    if (r.v[0] !== k || r.v[1] !== x || r.v[2] !== (k + x) % 251 || r.v[D - 1] !== (k + x) % 251)
      assert.fail(`key ${k}: v starts ${r.v.slice(0, 3)}, the model has version ${x}`);
  }
  const used = memoryUsage().used - base, liveBytes = nLive * (8 + D * 4);
  console.log(`# soak: ${OPS} ops, ${nLive} live rows, ${liveBytes} bytes live data, ${used} bytes used (${(used / liveBytes).toFixed(2)}x), worst ${worst.toFixed(2)}x`);
  assert.ok(used <= 2 * liveBytes, `memory ${used} > 2 x live data ${liveBytes}`);
  c.drop();
});

test('a snapshot loads into another connection; auto_id keys after it never repeat saved ones', async () => {
  const schema = new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true, auto_id: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]);
  const c = new Collection(uniqueName('auto_id'), schema);
  const first = await c.insert([{ v: [1, 2] }, { v: [3, 4] }]);
  const alias = uniqueName('conn');
  connections.connect(alias);
  try {
    const d = Collection.load(c.save(), { using: alias });
    assert.equal(d.using, alias);
    assert.equal(d.name, c.name);
    const later = await d.insert([{ v: [5, 6] }]);
    const newest = first.primary_keys.reduce((a, b) => (BigInt(a) > BigInt(b) ? a : b));
    assert.ok(BigInt(later.primary_keys[0]) > BigInt(newest), 'keys move on from the saved ones');
    assert.equal(d.num_entities, 3);
    assert.equal(c.num_entities, 2, 'the source is untouched');
  } finally {
    connections.disconnect(alias);
  }
});
