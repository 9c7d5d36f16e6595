// utility: pymilvus's module for the embedded store (has / list / drop / rename collections,
// partitions, load state, flush_all, hybrid timestamps), with Milvus's errors; what needs a
// server is refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, utility, connections, Collection, CollectionSchema, FieldSchema, DataType, ParamError, MilvusException } from 'partita';
import { rejects, uniqueName } from './support/helpers.mjs';

await init();

const schema = () => new CollectionSchema([
  new FieldSchema('id', DataType.INT64, { is_primary: true }),
  new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
]);

test('has_collection, list_collections, has_partition, drop_collection', async () => {
  const name = uniqueName('util');
  assert.equal(utility.has_collection(name), false);
  const c = new Collection(name, schema());
  c.create_partition('p');
  assert.equal(utility.has_collection(name), true);
  assert.ok(utility.list_collections().includes(name));
  assert.equal(utility.has_partition(name, 'p'), true);
  assert.equal(utility.has_partition(name, 'q'), false);
  await rejects(() => utility.has_partition(uniqueName('none'), 'p'), { code: 100, message: "can't find collection" });
  await rejects(() => utility.has_collection(3), { cls: ParamError, message: '`collection_name` value 3 is illegal' });
  utility.drop_collection(name);
  assert.equal(utility.has_collection(name), false);
  utility.drop_collection(name); // dropping what is not there is no error, as in Milvus
  // another connection's store
  connections.connect('util_other');
  assert.equal(utility.has_collection(name, { using: 'util_other' }), false);
  new Collection(name, schema(), { using: 'util_other' });
  assert.deepEqual(utility.list_collections({ using: 'util_other' }), [name]);
  connections.remove_connection('util_other');
  await rejects(() => utility.list_collections({ using: 'util_other' }), { message: 'should create connection first' });
});

test('rename_collection keeps the data; Milvus errors; nothing changes on error', async () => {
  const from = uniqueName('ren'), to = uniqueName('ren');
  const c = new Collection(from, schema());
  await c.insert([{ id: 1, v: [1, 0] }, { id: 2, v: [0, 1] }]);
  const other = new Collection(uniqueName('ren'), schema());
  await rejects(() => utility.rename_collection(from, other.name), {
    code: 1100, message: `duplicated new collection name ${other.name} with other collection name or alias`,
  });
  await rejects(() => utility.rename_collection(uniqueName('none'), to), { code: 100 });
  await rejects(() => utility.rename_collection(from, to, { new_db_name: 'db2' }), { cls: ParamError, message: 'new_db_name' });
  await rejects(() => utility.rename_collection(from, 'bad name!'), { code: 1100 });
  assert.equal(utility.has_collection(from), true);
  assert.equal(utility.has_collection(to), false);
  utility.rename_collection(from, to);
  assert.equal(utility.has_collection(from), false);
  const renamed = new Collection(to);
  assert.deepEqual((await renamed.query('id > 0')).map((r) => Number(r.id)).sort(), [1, 2]);
});

test('load state, flush_all, version, hybrid timestamps', async () => {
  const name = uniqueName('util');
  const c = new Collection(name, schema());
  assert.deepEqual(utility.loading_progress(name), { loading_progress: '100%' });
  assert.equal(utility.load_state(name, ['_default']), 'Loaded');
  await utility.wait_for_loading_complete(name);
  await rejects(() => utility.loading_progress(name, ['nope']), { code: 200, message: 'partition not found[partition=nope]' });
  await rejects(() => utility.load_state(uniqueName('none')), { code: 100 });
  await utility.flush_all();
  assert.match(utility.get_server_version(), /^\d+\.\d+\.\d+$/);
  const r = await c.insert([{ id: 1, v: [0, 0] }]);
  const ts = r.timestamp;
  const secs = utility.hybridts_to_unixtime(ts);
  assert.ok(Math.abs(secs * 1000 - Date.now()) < 60_000, String(secs));
  assert.equal(utility.hybridts_to_datetime(ts).getTime(), Math.round(secs * 1000));
  assert.equal(utility.mkts_from_hybridts(ts, { milliseconds: 1000 }) - ts, 1000n << 18n);
  assert.equal(utility.mkts_from_unixtime(2, { milliseconds: 500, delta: 250 }), 2750n << 18n);
  assert.equal(utility.mkts_from_datetime(new Date(3000)), 3000n << 18n);
  await rejects(() => utility.mkts_from_hybridts(1.5), { message: 'parameter hybridts should be type of int' });
  await rejects(() => utility.mkts_from_unixtime('1'), { message: 'parameter epoch should be type of int or float' });
  await rejects(() => utility.mkts_from_hybridts(1n, { milliseconds: 'x' }), { message: 'parameter milliseconds should be type of int or float' });
});

test('what needs a server is refused by name', async () => {
  for (const name of ['create_user', 'list_users', 'create_resource_group', 'do_bulk_insert', 'create_alias', 'load_balance']) {
    const e = await rejects(() => utility[name]('x'), { cls: ParamError });
    assert.match(e.message, new RegExp(`^utility\\.${name} is not supported by partita's embedded store: `));
  }
  assert.ok(MilvusException);
});
