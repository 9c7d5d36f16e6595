// INT64 keys beyond 2^53 (issue 15, item 9): every key a face accepts reads back exactly and
// finds its row again, whether it was given as a BigInt, a number or a string of digits; reads
// give them as exact BigInts (by default) or, in the `int64: 'string'` key mode, as digit
// strings (Milvus REST's int64-as-string, the Node SDK's IDs.int_id.data).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, connections, Collection, CollectionSchema, FieldSchema, DataType } from 'partita';
import { MilvusClient, DataType as SdkType } from 'partita/milvus-client';
import { uniqueName } from './support/helpers.mjs';

await init();

const BIG = 2n ** 53n + 1n; // no number holds it
const schema = (auto_id = false) => new CollectionSchema([
  new FieldSchema('id', DataType.INT64, { is_primary: true, auto_id }),
  new FieldSchema('n', DataType.INT64),
  new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
]);

test('a key given as a number beyond 2^53 is the integer the number holds, for insert, get, ids and templates alike', async () => {
  const c = new Collection(uniqueName('i64'), schema());
  const k = 2 ** 60; // String(k) is '1152921504606847000', the number holds 1152921504606846976
  await c.insert([{ id: k, n: k, v: [1, 0] }, { id: 1, n: 1, v: [0, 1] }]);
  assert.deepEqual(await c.get([k]), [{ id: 2n ** 60n }]);
  assert.deepEqual(await c.get(k), [{ id: 2n ** 60n }]);
  assert.deepEqual(await c.query('id == {k}', { expr_params: { k } }), [{ id: 2n ** 60n }]);
  assert.deepEqual(await c.query('n in {ks}', { expr_params: { ks: [k, 1] } }), [{ id: 2n ** 60n }, { id: 1 }]);
  const hits = await c.search(null, 'v', { metric_type: 'IP' }, 1, null, { ids: [k] });
  assert.equal(hits[0][0].id, 2n ** 60n);
  assert.equal((await c.delete('id == {k}', { expr_params: { k } })).delete_count, 1);
});

test("the int64: 'string' key mode: INT64 values read as digit strings, and keys taken as digits, exactly", async () => {
  connections.connect('digits', { uri: ':memory:', int64: 'string' });
  const s = new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('n', DataType.INT64, { nullable: true }),
    new FieldSchema('a', DataType.ARRAY, { element_type: DataType.INT64, max_capacity: 4 }),
    new FieldSchema('j', DataType.JSON, { nullable: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ], '', { enable_dynamic_field: true });
  const c = new Collection(uniqueName('i64'), s, { using: 'digits' });
  const r = await c.insert([
    { id: BIG, n: -BIG, a: [BIG, 1], j: { k: 1 }, v: [1, 0], extra: 5 },
    { id: 7, n: null, a: [], j: null, v: [0, 1] },
  ]);
  assert.deepEqual(r.primary_keys, [String(BIG), '7']);
  const all = await c.query('id > 0', { output_fields: ['*'] });
  assert.deepEqual(all, [
    { id: String(BIG), n: String(-BIG), a: [String(BIG), '1'], j: { k: 1 }, v: [1, 0], extra: 5 },
    { id: '7', n: null, a: [], j: null, v: [0, 1] },
  ]);
  assert.equal(JSON.stringify(all[0]), `{"id":"${BIG}","n":"${-BIG}","a":["${BIG}","1"],"j":{"k":1},"v":[1,0],"extra":5}`);
  // the keys read are the keys to give: get, search by ids, templates, partitions
  assert.deepEqual(await c.get([String(BIG), '7'], { output_fields: ['n'] }), [{ id: String(BIG), n: String(-BIG) }, { id: '7', n: null }]);
  assert.deepEqual(await c.partition('_default').get(String(BIG)), [{ id: String(BIG) }]);
  const hits = await c.search(null, 'v', { metric_type: 'IP' }, 2, null, { ids: [String(BIG)], output_fields: ['n'] });
  assert.deepEqual(hits[0].map((h) => [h.id, h.entity.n]), [[String(BIG), String(-BIG)], ['7', null]]);
  assert.deepEqual((await c.partition('_default').search([[0, 1]], 'v', { metric_type: 'IP' }, 1))[0].map((h) => h.id), ['7']);
  // iterators give their batches in the mode, and still visit every row once
  const it = await c.query_iterator({ batch_size: 1, output_fields: ['n'] });
  const batches = [];
  for await (const b of it) batches.push(b);
  assert.deepEqual(batches, [[{ id: '7', n: null }], [{ id: String(BIG), n: String(-BIG) }]]);
  const sit = await c.search_iterator([[1, 0]], 'v', { metric_type: 'IP' }, 1);
  const seen = [];
  for await (const b of sit) seen.push(...b.map((h) => h.id));
  assert.deepEqual(seen, [String(BIG), '7']);
  // writes in the mode: MutationResult keys as digits; a key that is not digits is refused
  assert.deepEqual((await c.upsert({ id: BIG, n: 1, a: [], j: 1, v: [1, 1] })).primary_keys, [String(BIG)]);
  await assert.rejects(c.get(['7x']), { message: 'primary key 7x is not an integer' });
  await assert.rejects(c.get(['']), { message: 'primary key  is not an integer' });
  // the default mode keeps pymilvus's types: numbers, BigInts beyond 2^53, strings refused
  const d = new Collection(c.name, { using: 'digits' });
  connections.connect('digits', { uri: ':memory:' });
  assert.deepEqual(await d.get([BIG, 7]), [{ id: 7 }, { id: BIG }]);
  await assert.rejects(d.get(['7']), { message: 'primary key 7 is not an integer' });
  assert.throws(() => connections.connect('digits', { uri: ':memory:', int64: 'bigint' }), { message: "int64 must be 'auto' or 'string', got \"bigint\"" });
  connections.remove_connection('digits');
});

test('MilvusClient: INT64 keys as strings (as the SDK gives them) find their rows in get, delete and search by ids', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const collection_name = uniqueName('i64');
  await client.createCollection({
    collection_name,
    fields: [
      { name: 'id', data_type: SdkType.Int64, is_primary_key: true, autoID: true },
      { name: 'v', data_type: SdkType.FloatVector, dim: 2 },
    ],
    index_params: { field_name: 'v', metric_type: 'IP' },
  });
  await client.loadCollection({ collection_name });
  const ins = await client.insert({ collection_name, data: [{ v: [1, 0] }, { v: [0, 1] }] });
  const ids = ins.IDs.int_id.data;
  assert.ok(ids.every((k) => typeof k === 'string' && BigInt(k) > 2n ** 53n), 'auto_id keys are strings beyond 2^53');
  const got = await client.get({ collection_name, ids: [ids[1]] });
  assert.deepEqual(got.data.map((r) => r.id), [ids[1]]);
  const byIds = await client.search({ collection_name, anns_field: 'v', ids: [ids[1]], limit: 2 });
  assert.equal(byIds.status.code, 0, byIds.status.reason);
  assert.deepEqual(byIds.results.map((h) => h.id), [ids[1], ids[0]]);
  const del = await client.delete({ collection_name, ids: [ids[0]] });
  assert.equal(del.delete_cnt, '1');
  assert.deepEqual((await client.query({ collection_name, filter: '', limit: 10 })).data.map((r) => r.id), [ids[1]]);
});
