// REST v2 routes added for parity with what MilvusClient offers: collections/rename (the
// collection's load state and indexes follow it) and databases/list / databases/describe (the
// server's one database, `default`). Milvus's codes and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHandler } from 'partita/server';
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
