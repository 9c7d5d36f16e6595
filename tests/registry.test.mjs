// One registry per store (core/registry.js, client/databases.js): what Milvus keeps beside the
// collections — aliases, load state, collection properties, databases — is the store's, so every
// face sees what another made: the real SDK's MilvusClient over gRPC, REST over fetch on the same
// port, partita's in-process MilvusClient with a REST handler over its store; and with a durable
// store (partita-serve --data) all of it survives a restart whichever face made it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { MilvusClient as SdkClient, DataType, ErrorCode, LoadState } from '@zilliz/milvus2-sdk-node';
import { serve } from 'partita/server/node';
import { createHandler } from 'partita/server';
import { MilvusClient } from 'partita/milvus-client';
import { uniqueName } from './support/helpers.mjs';

const ok = (r) => assert.equal(r.error_code ?? r.status?.error_code, ErrorCode.SUCCESS, JSON.stringify(r));

/** A REST v2 call over fetch to the server on `port`. */
const restOf = (port) => async (path, body) =>
  (await fetch(`http://127.0.0.1:${port}/v2/vectordb/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();

/** A collection with an indexed vector field, loaded, made by the SDK over gRPC (each call names
 * its database: the SDK's createCollection does not pass db_name on to its index and load). */
async function sdkCollection(client, name, db_name) {
  ok(await client.createCollection({
    collection_name: name, db_name,
    fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 }],
  }));
  ok(await client.createIndex({ collection_name: name, db_name, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await client.loadCollection({ collection_name: name, db_name }));
  ok(await client.insert({ collection_name: name, db_name, data: [{ id: 1, v: [0, 1] }, { id: 2, v: [1, 0] }] }));
}

test('gRPC and REST on one port share aliases, load state, properties and databases (both ways)', async () => {
  const server = await serve({ port: 0, grpc: true });
  const client = new SdkClient({ address: `127.0.0.1:${server.port}` });
  const rest = restOf(server.port);
  try {
    const name = uniqueName('reg');
    await sdkCollection(client, name);
    // an alias made over gRPC is REST's: listed, described, and resolved in a query
    ok(await client.createAlias({ collection_name: name, alias: `${name}_g` }));
    assert.deepEqual((await rest('aliases/list', { collectionName: name })).data, [`${name}_g`]);
    assert.equal((await rest('aliases/describe', { aliasName: `${name}_g` })).data.collectionName, name);
    assert.deepEqual((await rest('collections/describe', { collectionName: name })).data.aliases, [`${name}_g`]);
    assert.equal((await rest('entities/query', { collectionName: `${name}_g`, filter: 'id > 0' })).data.length, 2);
    // an alias made over REST is gRPC's; a name REST's alias holds cannot become a collection
    assert.equal((await rest('aliases/create', { collectionName: name, aliasName: `${name}_r` })).code, 0);
    assert.equal((await client.describeAlias({ collection_name: name, alias: `${name}_r` })).collection, name);
    assert.equal((await client.query({ collection_name: `${name}_r`, filter: 'id > 0' })).data.length, 2);
    await assert.rejects(client.createCollection({ collection_name: `${name}_r`, fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 }] }),
      (e) => /conflicts with an existing alias/.test(e.reason));
    assert.equal((await rest('aliases/drop', { aliasName: `${name}_r` })).code, 0);
    assert.equal((await client.describeAlias({ collection_name: name, alias: `${name}_r` })).status.code, 1600);
    // load state: released over gRPC is released for REST (and the reverse)
    ok(await client.releaseCollection({ collection_name: name }));
    assert.equal((await rest('collections/get_load_state', { collectionName: name })).data.loadState, 'LoadStateNotLoad');
    assert.equal((await rest('entities/query', { collectionName: name, filter: 'id > 0' })).code, 101);
    // a property set over REST while released is described over gRPC
    assert.equal((await rest('collections/alter_properties', { collectionName: name, properties: { 'mmap.enabled': 'true' } })).code, 0);
    assert.deepEqual((await client.describeCollection({ collection_name: name })).properties, [{ key: 'mmap.enabled', value: 'true' }]);
    // dropping the index of a released collection is allowed on either face; REST loads it back
    assert.equal((await rest('collections/load', { collectionName: name })).code, 0);
    assert.equal((await client.getLoadState({ collection_name: name })).state, LoadState.LoadStateLoaded);
    assert.match((await client.dropIndex({ collection_name: name, field_name: 'v' })).reason, /collection is loaded/);
    // databases: made on either face, listed by both
    assert.equal((await rest('databases/create', { dbName: 'rest_db' })).code, 0);
    ok(await client.createDatabase({ db_name: 'grpc_db' }));
    assert.deepEqual((await client.listDatabases()).db_names, ['default', 'rest_db', 'grpc_db']);
    assert.deepEqual((await rest('databases/list', {})).data, ['default', 'rest_db', 'grpc_db']);
    // a collection made over gRPC in a database is REST's in that database
    await sdkCollection(client, 'in_db', 'rest_db');
    assert.deepEqual((await rest('collections/list', { dbName: 'rest_db' })).data, ['in_db']);
    assert.equal((await rest('databases/drop', { dbName: 'rest_db' })).code, 65535, 'not empty');
    ok(await client.dropCollection({ collection_name: 'in_db', db_name: 'rest_db' }));
    assert.equal((await rest('databases/drop', { dbName: 'rest_db' })).code, 0);
    assert.deepEqual((await client.listDatabases()).db_names, ['default', 'grpc_db']);
  } finally {
    await client.closeConnection();
    await server.close();
  }
});

test("partita's in-process MilvusClient and a REST handler over its store share aliases and load state", async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const handler = createHandler({ using: 'milvus-client :memory:' });
  const rest = async (path, body) => (await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }))).json();
  const name = uniqueName('inproc');
  ok(await client.createCollection({ collection_name: name, dimension: 2 }));
  ok(await client.createAlias({ collection_name: name, alias: `${name}_a` }));
  assert.deepEqual((await rest('aliases/list', {})).data.filter((a) => a.startsWith(name)), [`${name}_a`]);
  assert.equal((await rest('aliases/create', { collectionName: name, aliasName: `${name}_b` })).code, 0);
  assert.deepEqual((await client.listAliases({ collection_name: name })).aliases, [`${name}_a`, `${name}_b`]);
  assert.equal((await rest('collections/release', { collectionName: name })).code, 0);
  assert.equal((await client.getLoadState({ collection_name: name })).state, LoadState.LoadStateNotLoad);
  ok(await client.dropAlias({ alias: `${name}_a` }));
  ok(await client.dropAlias({ alias: `${name}_b` }));
  ok(await client.dropCollection({ collection_name: name }));
});

test('partita-serve --data: aliases, load state, properties and databases made over REST or gRPC survive a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'partita-registry-'));
  const start = async () => {
    const server = await serve({ port: 0, grpc: true, durable: { dir } });
    return { server, client: new SdkClient({ address: `127.0.0.1:${server.port}` }), rest: restOf(server.port) };
  };
  const stop = async ({ server, client }) => {
    await client.closeConnection();
    await server.close();
  };
  try {
    let s = await start();
    await sdkCollection(s.client, 'films');
    await sdkCollection(s.client, 'books');
    assert.equal((await s.rest('aliases/create', { collectionName: 'films', aliasName: 'movies' })).code, 0);
    ok(await s.client.createAlias({ collection_name: 'books', alias: 'novels' }));
    assert.equal((await s.rest('collections/release', { collectionName: 'books' })).code, 0);
    assert.equal((await s.rest('collections/alter_properties', { collectionName: 'books', properties: { 'mmap.enabled': 'false' } })).code, 0);
    ok(await s.client.releaseCollection({ collection_name: 'films' }));
    ok(await s.client.loadCollection({ collection_name: 'films' }));
    assert.equal((await s.rest('databases/create', { dbName: 'shelf' })).code, 0);
    await sdkCollection(s.client, 'maps', 'shelf');
    assert.equal((await s.rest('aliases/create', { dbName: 'shelf', collectionName: 'maps', aliasName: 'atlases' })).code, 0);
    await stop(s);

    s = await start();
    assert.deepEqual((await s.client.listAliases({ collection_name: 'films' })).aliases, ['movies']);
    assert.deepEqual((await s.rest('aliases/list', {})).data.sort(), ['movies', 'novels']);
    assert.equal((await s.client.getLoadState({ collection_name: 'books' })).state, LoadState.LoadStateNotLoad);
    assert.equal((await s.client.getLoadState({ collection_name: 'films' })).state, LoadState.LoadStateLoaded);
    assert.equal((await s.rest('collections/get_load_state', { collectionName: 'novels' })).data.loadState, 'LoadStateNotLoad');
    assert.deepEqual((await s.rest('collections/describe', { collectionName: 'books' })).data.properties, [{ key: 'mmap.enabled', value: 'false' }]);
    assert.deepEqual((await s.rest('databases/list', {})).data, ['default', 'shelf']);
    assert.equal((await s.client.describeAlias({ db_name: 'shelf', collection_name: 'maps', alias: 'atlases' })).collection, 'maps');
    assert.equal((await s.rest('entities/query', { dbName: 'shelf', collectionName: 'atlases', filter: 'id > 0' })).data.length, 2);
    await stop(s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve({ durable }) without gRPC: REST databases are durable stores under the data directory, closed with the server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'partita-registry-rest-'));
  try {
    let server = await serve({ port: 0, durable: { dir } });
    let rest = restOf(server.port);
    assert.equal((await rest('databases/create', { dbName: 'shelf' })).code, 0);
    assert.equal((await rest('collections/create', { dbName: 'shelf', collectionName: 'maps', dimension: 2 })).code, 0);
    assert.equal((await rest('entities/insert', { dbName: 'shelf', collectionName: 'maps', data: [{ id: 1, vector: [0, 1] }] })).code, 0);
    assert.equal((await rest('aliases/create', { dbName: 'shelf', collectionName: 'maps', aliasName: 'atlases' })).code, 0);
    assert.ok(existsSync(join(dir, 'databases', 'shelf.db', 'LOCK')));
    await server.close();
    assert.ok(!existsSync(join(dir, 'databases', 'shelf.db', 'LOCK')), 'close() closed the database\'s store');
    server = await serve({ port: 0, durable: { dir } });
    rest = restOf(server.port);
    assert.deepEqual((await rest('databases/list', {})).data, ['default', 'shelf']);
    assert.equal((await rest('entities/query', { dbName: 'shelf', collectionName: 'atlases', filter: 'id > 0' })).data.length, 1);
    await server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a REST handler over a .db connection: its databases are durable from the first request (the store not yet opened)', async () => {
  const { connections } = await import('partita');
  const dir = join(mkdtempSync(join(tmpdir(), 'partita-registry-db-')), 'shop.db');
  const using = uniqueName('restdb');
  try {
    const rest = async (handler, path, body) => (await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }))).json();
    connections.connect(using, { uri: dir });
    let handler = createHandler({ using });
    assert.equal((await rest(handler, 'databases/create', { dbName: 'shelf' })).code, 0);
    assert.equal((await rest(handler, 'collections/create', { dbName: 'shelf', collectionName: 'maps', dimension: 2 })).code, 0);
    assert.equal((await rest(handler, 'entities/insert', { dbName: 'shelf', collectionName: 'maps', data: [{ id: 1, vector: [0, 1] }] })).code, 0);
    assert.ok(existsSync(join(dir, 'databases', 'shelf.db', 'LOCK')), 'the database is a store under the connection\'s directory');
    connections.remove_connection(using);
    const { closeDatabases } = await import('../web/src/client/databases.js');
    closeDatabases(using);
    connections.connect(using, { uri: dir });
    handler = createHandler({ using });
    assert.deepEqual((await rest(handler, 'databases/list', {})).data, ['default', 'shelf']);
    assert.equal((await rest(handler, 'entities/query', { dbName: 'shelf', collectionName: 'maps', filter: 'id > 0' })).data.length, 1);
    closeDatabases(using);
  } finally {
    rmSync(dirname(dir), { recursive: true, force: true });
  }
});

test("an alias in a process's first MilvusClient call on a durable store names its collection (the store's aliases recovered first)", async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'partita-registry-alias-')), 'x.db');
  try {
    const first = new MilvusClient({ address: dir });
    ok(await first.createCollection({ collection_name: 'books', dimension: 2 }));
    ok(await first.insert({ collection_name: 'books', data: [{ id: 7, vector: [0, 1] }] }));
    ok(await first.createAlias({ collection_name: 'books', alias: 'shelf' }));
    await first.closeConnection();
    const { closeDurableAddress } = await import('../web/src/client/milvus-client.js');
    closeDurableAddress(dir);
    // a fresh process: the core not loaded yet when the first request names the alias
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { MilvusClient } from 'partita/milvus-client';
      const c = new MilvusClient({ address: ${JSON.stringify(dir)} });
      const r = await c.query({ collection_name: 'shelf', filter: 'id > 0', output_fields: ['id'] });
      console.log(JSON.stringify(r.data));
      await c.closeConnection();
    `], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').pop()), [{ id: '7' }]);
  } finally {
    rmSync(dirname(dir), { recursive: true, force: true });
  }
});

test("the ORM drops and renames through the store's registry (a REST handler over its connection): an aliased collection is not dropped, a rename takes its aliases and load state", async () => {
  const { init, connections, Collection, CollectionSchema, FieldSchema, DataType: T, utility } = await import('partita');
  await init();
  const using = uniqueName('ormreg');
  connections.connect(using);
  const handler = createHandler({ using });
  const rest = async (path, body) => (await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }))).json();
  new Collection('books', new CollectionSchema([new FieldSchema('id', T.INT64, { is_primary: true }), new FieldSchema('v', T.FLOAT_VECTOR, { dim: 2 })]), { using });
  assert.equal((await rest('aliases/create', { collectionName: 'books', aliasName: 'shelf' })).code, 0);
  assert.equal((await rest('collections/release', { collectionName: 'books' })).code, 0);
  const held = { code: 65535, message: 'unable to drop the collection [books] because it has associated aliases [shelf], please remove all aliases before dropping the collection' };
  assert.throws(() => utility.drop_collection('books', { using }), held);
  assert.throws(() => new Collection('books', { using }).drop(), held);
  assert.throws(() => utility.drop_collection('shelf', { using }), { code: 1100, message: 'cannot drop the collection via alias = shelf: invalid parameter' });
  assert.throws(() => utility.rename_collection('books', 'shelf', { using }), { message: 'duplicated new collection name shelf with other collection name or alias' });
  // an alias is not a collection to rename, on every face (Milvus's refusal; none renames what it names)
  const viaAlias = { code: 1100, message: 'unsupported use an alias to rename collection, alias:shelf: invalid parameter' };
  assert.throws(() => utility.rename_collection('shelf', 'tomes', { using }), viaAlias);
  assert.deepEqual(await rest('collections/rename', { collectionName: 'shelf', newCollectionName: 'tomes' }), viaAlias);
  const client = new MilvusClient({ address: ':memory:' });
  ok(await client.createCollection({ collection_name: 'books', dimension: 2 }));
  ok(await client.createAlias({ collection_name: 'books', alias: 'shelf' }));
  const viaClient = await client.renameCollection({ collection_name: 'shelf', new_collection_name: 'tomes' });
  assert.deepEqual([viaClient.code, viaClient.reason], [viaAlias.code, viaAlias.message]);
  ok(await client.dropAlias({ alias: 'shelf' }));
  ok(await client.dropCollection({ collection_name: 'books' }));
  utility.rename_collection('books', 'tomes', { using });
  const d = (await rest('collections/describe', { collectionName: 'shelf' })).data;
  assert.deepEqual([d.collectionName, d.aliases, d.load], ['tomes', ['shelf'], 'LoadStateNotLoad']);
  assert.equal((await rest('aliases/drop', { aliasName: 'shelf' })).code, 0);
  utility.drop_collection('tomes', { using });
  assert.deepEqual((await rest('collections/list', {})).data, []);
  connections.remove_connection(using);
});
