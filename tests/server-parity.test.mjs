// REST v2 routes added for parity with what MilvusClient offers: collections/rename (the
// collection's load state and indexes follow it), databases/* (named stores, `default` and
// created ones) and aliases/*. Milvus's codes and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHandler } from 'partita/server';
import { connections } from 'partita';
import { uniqueName } from './support/helpers.mjs';

const handler = createHandler();

async function call(path, body, headers = {}) {
  const res = await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', headers, body: JSON.stringify(body) }));
  assert.equal(res.status, 200);
  return res.json();
}

async function ok(path, body) {
  const r = await call(path, body);
  assert.equal(r.code, 0, JSON.stringify(r));
  return r;
}

test('collections/rename: rows, load state and indexes follow the new name; Milvus\'s errors', async () => {
  const from = uniqueName('rest_rename'), to = `${from}_new`;
  await ok('collections/create', { collectionName: from, dimension: 2 });
  await ok('entities/insert', { collectionName: from, data: [{ id: 1, vector: [0, 1] }, { id: 2, vector: [1, 0] }] });
  await ok('collections/release', { collectionName: from });
  const before = (await ok('collections/describe', { collectionName: from })).data;
  assert.deepEqual(await ok('collections/rename', { collectionName: from, newCollectionName: to }), { code: 0, data: {} });
  assert.deepEqual((await ok('collections/has', { collectionName: from })).data, { has: false });
  const after = (await ok('collections/describe', { collectionName: to })).data;
  assert.equal(after.collectionName, to);
  assert.deepEqual(after.indexes, before.indexes);
  assert.equal(after.load, 'LoadStateNotLoad', 'still released');
  await ok('collections/load', { collectionName: to });
  assert.deepEqual((await ok('entities/get', { collectionName: to, id: [2], outputFields: ['id'] })).data, [{ id: '2' }], 'int64 as text (no Accept-Type-Allow-Int64)');
  // Milvus's errors: missing fields, a collection that is not there, a name taken, another database
  assert.equal((await call('collections/rename', { collectionName: to })).code, 1802);
  assert.match((await call('collections/rename', { collectionName: from, newCollectionName: `${from}_x` })).message, /can't find collection/);
  await ok('collections/create', { collectionName: from, dimension: 2 });
  const taken = await call('collections/rename', { collectionName: to, newCollectionName: from });
  assert.equal(taken.code, 1100);
  assert.match(taken.message, /duplicated new collection name/);
  assert.deepEqual(await call('collections/rename', { collectionName: to, newCollectionName: `${to}_x`, newDbName: 'other' }), { code: 800, message: 'database not found[database=other]' });
  assert.deepEqual((await ok('collections/has', { collectionName: to })).data, { has: true }, 'nothing changed');
});

test('databases/list and databases/describe: the one database, default', async () => {
  assert.deepEqual(await ok('databases/list', {}), { code: 0, data: ['default'] });
  assert.deepEqual(await ok('databases/describe', { dbName: 'default' }), { code: 0, data: { dbName: 'default', dbID: 1, properties: [] } });
  assert.deepEqual(await call('databases/describe', { dbName: 'other' }), { code: 800, message: 'database not found[database=other]' });
  assert.equal((await call('databases/describe', {})).code, 1802);
});

test('collections/alter_properties, drop_properties and fields/alter_properties: mmap.enabled stored-only, the rest refused by name', async () => {
  const collectionName = uniqueName('rest_props');
  await ok('collections/create', { collectionName, dimension: 2 });
  const describe = async () => (await ok('collections/describe', { collectionName })).data;
  assert.deepEqual(await call('collections/alter_properties', { collectionName, properties: { 'mmap.enabled': true } }),
    { code: 104, message: `can not alter mmap properties if collection loaded: collection already loaded[collection=${collectionName}]` });
  await ok('collections/release', { collectionName });
  await ok('collections/alter_properties', { collectionName, properties: { 'mmap.enabled': true } });
  assert.deepEqual((await describe()).properties, [{ key: 'mmap.enabled', value: 'true' }]);
  const ttl = await call('collections/alter_properties', { collectionName, properties: { 'collection.ttl.seconds': 60 } });
  assert.equal(ttl.code, 1100);
  assert.match(ttl.message, /collection\.ttl\.seconds.*not supported by partita/);
  assert.deepEqual(await call('collections/alter_properties', { collectionName, properties: {} }), { code: 1100, message: 'no properties or delete keys provided: invalid parameter' });
  await ok('collections/fields/alter_properties', { collectionName, fieldName: 'vector', fieldParams: { mmap_enabled: 'false' } });
  assert.deepEqual((await describe()).fields.find((f) => f.name === 'vector').params, [{ key: 'dim', value: '2' }, { key: 'mmap.enabled', value: 'false' }]);
  assert.deepEqual(await call('collections/fields/alter_properties', { collectionName, fieldName: 'vector', fieldParams: { dim: 4 } }),
    { code: 1100, message: 'dim does not allow update in collection field param: invalid parameter' });
  assert.equal((await call('collections/fields/alter_properties', { collectionName, fieldName: 'nope', fieldParams: { 'mmap.enabled': true } })).code, 1700);
  await ok('collections/drop_properties', { collectionName, propertyKeys: ['mmap.enabled', 'not.set'] });
  assert.deepEqual((await describe()).properties, []);
  assert.equal((await describe()).load, 'LoadStateNotLoad', 'the load state is kept');
  assert.equal((await call('collections/drop_properties', { propertyKeys: [] })).code, 1802);
});

test('databases/create and databases/drop: named stores; dbName (or the DB-Name header) selects one in every route; Milvus\'s errors', async () => {
  const using = uniqueName('rest_dbs');
  connections.connect(using, { uri: ':memory:' });
  const own = createHandler({ using });
  const send = async (path, body, headers = {}) => (await own(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', headers, body: JSON.stringify(body) }))).json();
  const good = async (path, body, headers) => {
    const r = await send(path, body, headers);
    assert.equal(r.code, 0, `${path}: ${JSON.stringify(r)}`);
    return r.data;
  };
  assert.deepEqual(await send('databases/create', { dbName: 'films' }), { code: 0, data: {} });
  assert.deepEqual(await good('databases/list', {}), ['default', 'films']);
  assert.deepEqual(await good('databases/describe', { dbName: 'films' }), { dbName: 'films', dbID: 2, properties: [] });
  // the same collection name in two databases: two collections
  await good('collections/create', { collectionName: 'c', dimension: 2 });
  await good('collections/create', { dbName: 'films', collectionName: 'c', dimension: 2 });
  await good('entities/insert', { dbName: 'films', collectionName: 'c', data: [{ id: 1, vector: [0, 1] }, { id: 2, vector: [1, 0] }] });
  await good('entities/insert', { collectionName: 'c', data: [{ id: 7, vector: [0, 1] }] });
  assert.deepEqual((await good('entities/query', { dbName: 'films', collectionName: 'c', filter: 'id > 0', outputFields: ['id'] })).map((r) => r.id), ['1', '2']);
  assert.deepEqual((await good('entities/query', { collectionName: 'c', filter: 'id > 0', outputFields: ['id'] }, { 'DB-Name': 'films' })).map((r) => r.id), ['1', '2'], 'the header');
  assert.deepEqual((await good('entities/query', { collectionName: 'c', filter: 'id > 0', outputFields: ['id'] })).map((r) => r.id), ['7']);
  assert.deepEqual((await good('entities/search', { dbName: 'films', collectionName: 'c', data: [[1, 0]], limit: 1, outputFields: ['id'] })).map((r) => r.id), ['2']);
  await good('aliases/create', { dbName: 'films', collectionName: 'c', aliasName: 'movies' });
  assert.deepEqual(await good('aliases/describe', { dbName: 'films', aliasName: 'movies' }), { aliasName: 'movies', collectionName: 'c', dbName: 'films' });
  assert.deepEqual(await good('aliases/list', {}), [], 'aliases are per database');
  assert.deepEqual(await good('collections/list', { dbName: 'films' }), ['c']);
  // a database that is not there, one created twice, default, one not empty
  assert.deepEqual(await send('collections/list', { dbName: 'shows' }), { code: 800, message: 'database not found[database=shows]' });
  assert.deepEqual(await send('entities/query', { collectionName: 'c', filter: 'id > 0' }, { 'DB-Name': 'shows' }), { code: 800, message: 'database not found[database=shows]' });
  assert.deepEqual(await send('databases/create', { dbName: 'films' }), { code: 65535, message: 'database already exist: films' });
  assert.equal((await send('databases/create', {})).code, 1802);
  assert.deepEqual(await send('databases/drop', { dbName: 'default' }), { code: 65535, message: 'can not drop default database' });
  assert.deepEqual(await send('databases/drop', { dbName: 'films' }), { code: 65535, message: 'database:films not empty, must drop all collections before drop database' });
  const refused = await send('databases/create', { dbName: 'shows', properties: { 'database.max.collections': 3 } });
  assert.equal(refused.code, 1100);
  assert.match(refused.message, /the database property `database\.max\.collections` is not supported by partita/);
  assert.deepEqual(await good('databases/list', {}), ['default', 'films'], 'the refused database was not created');
  const moved = await send('collections/rename', { dbName: 'films', collectionName: 'c', newCollectionName: 'd', newDbName: 'default' });
  assert.equal(moved.code, 1100);
  assert.match(moved.message, /newDbName\) is not supported by partita/);
  await good('collections/rename', { dbName: 'films', collectionName: 'c', newCollectionName: 'd', newDbName: 'films' });
  await good('aliases/drop', { dbName: 'films', aliasName: 'movies' });
  await good('collections/drop', { dbName: 'films', collectionName: 'd' });
  assert.deepEqual(await send('databases/drop', { dbName: 'films' }), { code: 0, data: {} });
  assert.deepEqual(await send('databases/drop', { dbName: 'films' }), { code: 0, data: {} }, 'dropping one not there succeeds');
  assert.deepEqual(await good('databases/list', {}), ['default']);
  assert.deepEqual(await send('collections/list', { dbName: 'films' }), { code: 800, message: 'database not found[database=films]' });
  // created again: empty
  await good('databases/create', { dbName: 'films' });
  assert.deepEqual(await good('collections/list', { dbName: 'films' }), []);
  assert.deepEqual((await good('entities/query', { collectionName: 'c', filter: 'id > 0', outputFields: ['id'] })).map((r) => r.id), ['7'], 'default untouched');
});

test('databases/alter, alter_properties and drop_properties: no database property is acted on, each refused by name', async () => {
  for (const route of ['databases/alter', 'databases/alter_properties']) {
    const r = await call(route, { dbName: 'default', properties: { 'database.max.collections': 3 } });
    assert.equal(r.code, 1100, route);
    assert.match(r.message, /the database property `database\.max\.collections` is not supported by partita/);
  }
  await ok('databases/drop_properties', { dbName: 'default', propertyKeys: ['database.max.collections'] });
  assert.deepEqual(await call('databases/alter', { dbName: 'other', properties: {} }), { code: 800, message: 'database not found[database=other]' });
  assert.equal((await call('databases/alter', {})).code, 1802);
});

test('aliases/*: create, describe, list, alter, drop; an alias names its collection in every route; Milvus\'s errors', async () => {
  const a = uniqueName('rest_alias_a'), b = uniqueName('rest_alias_b'), alias = uniqueName('rest_alias');
  await ok('collections/create', { collectionName: a, dimension: 2 });
  await ok('collections/create', { collectionName: b, dimension: 2 });
  await ok('aliases/create', { collectionName: a, aliasName: alias });
  assert.deepEqual(await ok('aliases/describe', { aliasName: alias }), { code: 0, data: { aliasName: alias, collectionName: a, dbName: 'default' } });
  assert.deepEqual((await ok('aliases/list', { collectionName: a })).data, [alias]);
  assert.ok((await ok('aliases/list', {})).data.includes(alias));
  assert.deepEqual((await ok('collections/describe', { collectionName: alias })).data.aliases, [alias]);
  assert.equal((await ok('collections/describe', { collectionName: alias })).data.collectionName, a);
  assert.deepEqual((await ok('collections/has', { collectionName: alias })).data, { has: true });
  // data routes through the alias
  await ok('entities/insert', { collectionName: alias, data: [{ id: 7, vector: [1, 0] }] });
  assert.deepEqual((await ok('entities/get', { collectionName: a, id: [7], outputFields: ['id'] })).data, [{ id: '7' }]);
  await ok('partitions/create', { collectionName: alias, partitionName: 'p' });
  await ok('partitions/drop', { collectionName: alias, partitionName: 'p' });
  assert.deepEqual((await ok('partitions/list', { collectionName: a })).data, ['_default']);
  // Milvus's errors, nothing changed
  assert.deepEqual(await call('aliases/create', { collectionName: b, aliasName: alias }),
    { code: 65535, message: `alias exists and already aliased to another collection, alias: ${alias}, collection: ${b}, other collection: ${a}` });
  assert.deepEqual(await call('aliases/create', { collectionName: a, aliasName: b }), { code: 1100, message: `alias and collection name conflict[database=default][alias=${b}]` });
  assert.deepEqual(await call('collections/drop', { collectionName: alias }), { code: 1100, message: `cannot drop the collection via alias = ${alias}: invalid parameter` });
  assert.equal((await call('collections/drop', { collectionName: a })).code, 65535);
  assert.deepEqual(await call('collections/create', { collectionName: alias, dimension: 2 }),
    { code: 1100, message: `collection name [${alias}] conflicts with an existing alias, please choose a unique name: invalid parameter` });
  assert.match((await call('collections/rename', { collectionName: b, newCollectionName: alias })).message, /duplicated new collection name/);
  assert.equal((await call('aliases/alter', { collectionName: b, aliasName: 'no_such_alias' })).code, 65535);
  assert.equal((await call('aliases/create', { aliasName: 'x' })).code, 1802);
  // alter moves it; a rename carries it; drop removes it
  await ok('aliases/alter', { collectionName: b, aliasName: alias });
  assert.equal((await ok('aliases/describe', { aliasName: alias })).data.collectionName, b);
  await ok('collections/rename', { collectionName: b, newCollectionName: `${b}_r` });
  assert.equal((await ok('aliases/describe', { aliasName: alias })).data.collectionName, `${b}_r`);
  await ok('aliases/drop', { aliasName: alias });
  await ok('aliases/drop', { aliasName: alias });
  assert.deepEqual(await call('aliases/describe', { aliasName: alias }), { code: 1600, message: `alias not found[database=default][alias=${alias}]` });
  await ok('collections/drop', { collectionName: `${b}_r` });
});
