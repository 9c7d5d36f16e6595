// The rest of the JS surface: connections, collections by name, reads with output fields, the
// dynamic field, counting, flush, drop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, connections, Collection, Partition, CollectionSchema, FieldSchema, DataType,
  ConnectionConfigException, ConnectionNotExistException, SchemaNotReadyException, MilvusException,
} from 'partita';
import { range, rejects, uniqueName } from './support/helpers.mjs';

test('init() is idempotent and reports the version', async () => {
  const a = init();
  const b = init();
  assert.equal(a, b);
  const info = await a;
  assert.match(info.version, /^\d+\.\d+\.\d+$/);
});

const schema = (opts = {}) => new CollectionSchema([
  new FieldSchema('id', DataType.INT64, { is_primary: true }),
  new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  new FieldSchema('n', DataType.INT32),
], opts);

test('a collection is found again by name, with its schema', async () => {
  const name = uniqueName('api');
  const c = new Collection(name, schema());
  await c.insert(range(3, (i) => ({ id: i, v: [i, 1], n: i })));
  const again = new Collection(name);
  assert.equal(again.num_entities, 3);
  assert.deepEqual(again.schema.fields.map((f) => [f.name, f.dtype]), [['id', 5], ['v', 101], ['n', 4]]);
  assert.equal(again.primary_field.name, 'id');
  assert.equal(again.schema.fields[1].params.dim, 2);
});

test('output fields: default is the key, * is every field, dynamic keys come back top-level', async () => {
  const c = new Collection(uniqueName('api'), schema({ enable_dynamic_field: true }));
  await c.insert([{ id: 1, v: [1, 2], n: 10, color: 'red', meta: { a: [1] } }, { id: 2, v: [3, 4], n: 20 }]);
  assert.deepEqual(await c.get([1, 2]), [{ id: 1 }, { id: 2 }]);
  assert.deepEqual(await c.get([1, 2], { output_fields: ['*'] }), [
    { id: 1, v: [1, 2], n: 10, color: 'red', meta: { a: [1] } },
    { id: 2, v: [3, 4], n: 20 },
  ]);
  assert.deepEqual(await c.get([1], { output_fields: ['color'] }), [{ id: 1, color: 'red' }]);
  assert.deepEqual(await c.get([1], { output_fields: ['n', 'meta'] }), [{ id: 1, n: 10, meta: { a: [1] } }]);
  assert.deepEqual(await c.get([1], { output_fields: ['$meta'] }), [{ id: 1, color: 'red', meta: { a: [1] } }]);
});

test('dynamic keys named __proto__ or constructor are plain data', async () => {
  const c = new Collection(uniqueName('api'), schema({ enable_dynamic_field: true }));
  const row = JSON.parse('{"id": 1, "v": [0, 0], "n": 1, "__proto__": {"polluted": true}, "constructor": "x"}');
  await c.insert(row);
  const [got] = await c.get(1, { output_fields: ['*'] });
  assert.equal(({}).polluted, undefined);
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(got, '__proto__').value, { polluted: true });
  assert.equal(got.constructor, 'x');
});

test('query: limit, offset, count(*), partition scope, stable order', async () => {
  const c = new Collection(uniqueName('api'), schema());
  const p = new Partition(c, 'p');
  await c.insert(range(10, (i) => ({ id: i, v: [i, 0], n: i })));
  await p.insert(range(5, (i) => ({ id: 100 + i, v: [i, 0], n: i })));
  assert.deepEqual((await c.query('', { limit: 3 })).map((r) => r.id), [0, 1, 2]);
  assert.deepEqual((await c.query('', { limit: 3, offset: 9 })).map((r) => r.id), [9, 100, 101]);
  assert.deepEqual(await c.query('', { output_fields: ['count(*)'] }), [{ 'count(*)': 15 }]);
  assert.deepEqual(await c.query('id in [1, 2, 100]', { output_fields: ['count(*)'] }), [{ 'count(*)': 3 }]);
  assert.deepEqual(await p.query('', { output_fields: ['count(*)'] }), [{ 'count(*)': 5 }]);
  assert.deepEqual((await c.query('id in [100, 5, 1, 5]', {})).map((r) => r.id), [1, 5, 100]);
  assert.deepEqual((await c.query('id in [100, 5, 1]', { limit: 1, offset: 1 })).map((r) => r.id), [5]);
  assert.deepEqual(await c.query('5 == id', { output_fields: ['n'] }), [{ id: 5, n: 5 }]);
});

test('drop() removes a collection; flush() and load() resolve', async () => {
  const name = uniqueName('api');
  const c = new Collection(name, schema());
  await c.flush();
  await c.load();
  c.drop();
  await rejects(() => new Collection(name), { cls: SchemaNotReadyException });
  c.drop(); // dropping twice is fine, as in Milvus
});

test('connections: embedded stores per alias', async () => {
  await rejects(() => new Collection(uniqueName('api'), schema(), { using: 'other' }), {
    cls: ConnectionNotExistException, message: 'should create connection first.',
  });
  connections.connect('other', { uri: ':memory:' });
  assert.ok(connections.has_connection('other'));
  const name = uniqueName('api');
  const c = new Collection(name, schema(), { using: 'other' });
  await c.insert({ id: 1, v: [0, 0], n: 0 });
  // the same name in another store is another collection
  await rejects(() => new Collection(name), { cls: SchemaNotReadyException });
  // disconnecting keeps the data, like a server would
  connections.disconnect('other');
  await rejects(() => c.num_entities, { cls: ConnectionNotExistException });
  connections.connect('other');
  assert.equal(new Collection(name, undefined, { using: 'other' }).num_entities, 1);
  connections.remove_connection('other');
  assert.ok(connections.list_connections().some(([a]) => a === 'default'));
  await rejects(() => connections.connect('remote', { uri: 'ftp://127.0.0.1:19530' }), {
    cls: ConnectionConfigException, message: 'unsupported uri',
  });
  // an alias keeps its uri while connected: another one is refused
  connections.connect('remote', { uri: 'http://127.0.0.1:1' });
  await rejects(() => connections.connect('remote', { uri: 'http://127.0.0.1:2' }), {
    cls: ConnectionConfigException, message: 'the configure is not the same',
  });
  assert.deepEqual(connections.get_connection_addr('remote'), { uri: 'http://127.0.0.1:1' });
  connections.remove_connection('remote');
});

test('timeouts are checked, and errors print as pymilvus prints them', async () => {
  const c = new Collection(uniqueName('api'), schema());
  await rejects(() => c.insert({ id: 1, v: [0, 0], n: 0 }, { timeout: -1 }), { message: 'timeout must be a non-negative number' });
  const e = await rejects(() => c.query(''), {});
  assert.equal(String(e), '<MilvusException: (code=1100, message=empty expression should be used with limit: invalid parameter)>');
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'MilvusException');
  assert.ok(MilvusException);
});
