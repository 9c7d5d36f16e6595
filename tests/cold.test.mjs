// Cold rows (issue 18 item 5; src/cold.c, persist/durable.js's coldVectors): a durable store
// opened with { coldVectors: true } drops the float rows an IVF_SQ8 index searches without from
// memory at each checkpoint, and reads them back from the checkpoint file when a call needs
// them. Compared against a twin store that keeps them: the same answers, less memory.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, readSync, writeSync, closeSync, fstatSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { init, connections, Collection, CollectionSchema, FieldSchema, DataType, memoryUsage, MilvusClient, MilvusException, ParamError } from 'partita';

await init();

const DIM = 1024; // segments of 512 rows at this width: a few full ones in a small test
const ROWS = 4 * 512 + 100;
const made = [];
const tmp = (name) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'partita-cold-'));
  made.push(dir);
  return path.join(dir, name);
};
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function vec(i, ver = 0) {
  const v = new Float32Array(DIM);
  for (let j = 0; j < DIM; j++) v[j] = ((i * 31 + j * 7 + ver) % 101) / 101 + (i % 16);
  return v;
}

function schema() {
  return new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('tag', DataType.INT64),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: DIM }),
  ]);
}

/** A collection in a durable store (`cold`: with coldVectors), loaded with ROWS rows and an
 * IVF_SQ8 index, searched once (the index holds every row), then checkpointed. */
async function opened(alias, cold) {
  const dir = tmp(`${alias}.db`);
  connections.connect(alias, { uri: dir, durable: { coldVectors: cold } });
  const c = new Collection('docs', schema(), { using: alias });
  const ids = [], tags = [], vs = [];
  for (let i = 0; i < ROWS; i++) ids.push(i), tags.push(i % 100), vs.push(vec(i));
  await c.insert([ids, tags, vs]);
  await c.create_index('v', { index_type: 'IVF_SQ8', metric_type: 'L2', params: { nlist: 4 } });
  await c.load();
  await c.search([vec(7)], 'v', { metric_type: 'L2', params: { nprobe: 2 } }, 10);
  return { c, dir };
}

const hits = (res) => res.map((q) => q.map((h) => [Number(h.id), Math.fround(h.distance)]));

test('coldVectors: rows leave memory at a checkpoint and come back when a call needs them', async () => {
  const warm = await opened('warm', false);
  const cold = await opened('cold', true);
  const before = memoryUsage().used;
  connections._durable('warm').checkpoint();
  assert.equal(memoryUsage().used, before, 'without coldVectors a checkpoint keeps the rows');
  assert.equal(memoryUsage().cold, 0);
  connections._durable('cold').checkpoint();
  const dropped = before - memoryUsage().used;
  assert.equal(dropped, 4 * 512 * DIM * 4, 'the four full segments of the cold store left memory');
  assert.equal(memoryUsage().cold, dropped);

  // the index searches without them: nothing read back
  const q = [vec(3), vec(1500, 5)];
  const p = { metric_type: 'L2', params: { nprobe: 2 } };
  assert.deepEqual(hits(await cold.c.search(q, 'v', p, 10)), hits(await warm.c.search(q, 'v', p, 10)));
  assert.equal(memoryUsage().cold, dropped);
  // scalar queries, deletes and whole-row upserts neither
  const ids = (rows) => rows.map((r) => Number(r.id));
  assert.deepEqual(ids(await cold.c.query('tag == 3', { output_fields: ['id'] })), ids(await warm.c.query('tag == 3', { output_fields: ['id'] })));
  for (const x of [cold, warm]) {
    await x.c.delete('id in [4, 600]');
    await x.c.upsert([[10, 11], [0, 0], [vec(10, 1), vec(11, 1)]]);
  }
  assert.equal(memoryUsage().cold, dropped);

  // vector outputs read the rows back: the same vectors
  const out = async (x) => (await x.c.query('id in [1, 513, 1030, 2140]', { output_fields: ['v'] })).map((r) => [Number(r.id), Array.from(r.v)]);
  assert.deepEqual(await out(cold), await out(warm));
  assert.equal(memoryUsage().cold, dropped - 3 * 512 * DIM * 4, 'the three segments asked for came back');
  // a filter passing few rows: the index scores them on its codes (the warm store scans them),
  // reading nothing back: the same rows
  const coldNow = memoryUsage().cold;
  const f = 'id in [7, 900, 1300]';
  const ids3 = (res) => res.map((hs) => hs.map((h) => Number(h.id)).sort((x, y) => x - y));
  assert.deepEqual(ids3(await cold.c.search(q, 'v', p, 10, f)), ids3(await warm.c.search(q, 'v', p, 10, f)));
  assert.equal(memoryUsage().cold, coldNow);
  // and a merge-mode upsert of a cold row keeps its vector
  for (const x of [cold, warm]) await x.c.upsert([{ id: 40, tag: 99 }], { partial_update: true });
  const row40 = async (x) => (await x.c.query('id == 40', { output_fields: ['*'] })).map((r) => [r.tag, Array.from(r.v)]);
  assert.deepEqual(await row40(cold), await row40(warm));

  // the next checkpoint drops them again (segments with deleted rows too: it holds their other
  // rows back to back); a damaged checkpoint is refused by name, nothing changes
  connections._durable('cold').checkpoint();
  assert.equal(memoryUsage().cold, dropped);
  const file = path.join(cold.dir, 'checkpoint');
  const fd = openSync(file, 'r+');
  const size = fstatSync(fd).size;
  const one = Buffer.alloc(1);
  // a byte inside the first segment's vectors (they follow the schema near the start)
  const at = Math.floor(size / 8);
  readSync(fd, one, 0, 1, at);
  const flipped = Buffer.from([one[0] ^ 1]);
  writeSync(fd, flipped, 0, 1, at);
  await assert.rejects(cold.c.query('id >= 0', { output_fields: ['v'], limit: 3000 }), (e) =>
    e instanceof MilvusException && e.code === 1001 && /IO failed/.test(e.message));
  assert.equal(memoryUsage().cold, dropped, 'nothing read back was installed');
  writeSync(fd, one, 0, 1, at);
  closeSync(fd);
  assert.equal((await cold.c.query('id >= 0', { output_fields: ['v'], limit: 3000 })).length, ROWS - 2);

  connections.remove_connection('cold');
  assert.equal(memoryUsage().cold, 0, 'a closed store holds no cold rows');

  // reopened, the rows the checkpoint holds stay out of memory (read from it, not kept); the log
  // after it is applied on top
  const usedBefore = memoryUsage().used;
  connections.connect('again', { uri: cold.dir, durable: { coldVectors: true } });
  const again = { c: new Collection('docs', { using: 'again' }) };
  assert.equal(memoryUsage().cold, dropped, 'the full segments of the reopened store are cold');
  assert.ok(memoryUsage().used - usedBefore < ROWS * DIM * 4 - dropped / 2, 'their rows are not in memory');
  assert.deepEqual(hits(await again.c.search(q, 'v', p, 10)), hits(await warm.c.search(q, 'v', p, 10)));
  assert.deepEqual(await out(again), await out(warm));
  connections.remove_connection('again');
  connections.remove_connection('warm');
});

test('coldVectors through MilvusClient: the same rows, read back for output_fields', async () => {
  const dir = tmp('client.db');
  const client = new MilvusClient({ address: dir, durable: { coldVectors: true } });
  await client.connectPromise;
  await client.createCollection({ collection_name: 'docs', fields: [
    { name: 'id', data_type: 'Int64', is_primary_key: true },
    { name: 'vector', data_type: 'FloatVector', dim: DIM }] });
  const data = [];
  for (let i = 0; i < ROWS; i++) data.push({ id: i, vector: Array.from(vec(i)) });
  await client.insert({ collection_name: 'docs', data });
  await client.createIndex({ collection_name: 'docs', field_name: 'vector', index_type: 'IVF_SQ8', metric_type: 'L2', params: { nlist: 4 } });
  await client.loadCollection({ collection_name: 'docs' });
  const s = await client.search({ collection_name: 'docs', data: Array.from(vec(9)), limit: 3, params: { nprobe: 2 }, output_fields: ['id'] });
  connections._durable('milvus-client ' + dir).checkpoint();
  assert.equal(memoryUsage().cold, 4 * 512 * DIM * 4);
  const again = await client.search({ collection_name: 'docs', data: Array.from(vec(9)), limit: 3, params: { nprobe: 2 }, output_fields: ['id'] });
  assert.deepEqual(again.results.map((h) => h.id), s.results.map((h) => h.id));
  const q = await client.query({ collection_name: 'docs', filter: 'id in [3, 1700]', output_fields: ['vector'] });
  assert.deepEqual(q.data.map((r) => [Number(r.id), r.vector]), [3, 1700].map((i) => [i, Array.from(vec(i))]));
  assert.equal(memoryUsage().cold, 2 * 512 * DIM * 4);
  await client.closeConnection();
});

test('coldVectors is refused by name where it cannot work', () => {
  assert.throws(() => connections.connect('bad', { uri: tmp('x.db'), durable: { coldVectors: 'yes' } }),
    (e) => e instanceof ParamError && /coldVectors must be a boolean/.test(e.message));
  assert.throws(() => connections.connect('bad2', { uri: ':memory:', durable: { coldVectors: true } }),
    (e) => e instanceof ParamError && /durable/.test(e.message));
});
