// MilvusClient's alter* family: alterCollectionProperties / dropCollectionProperties,
// alterCollectionFieldProperties, alterIndexProperties / dropIndexProperties,
// alterDatabaseProperties / dropDatabaseProperties / describeDatabase. What partita acts on is
// the core's (allow_insert_auto_id, given at creation); `mmap.enabled` (memory-mapping from
// disk, meaningless in linear memory) is stored-only, checked as Milvus checks it and described
// back; every other key is refused by name with nothing changed. Milvus's codes and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusClient, ErrorCode } from 'partita/milvus-client';
import { uniqueName } from './support/helpers.mjs';

const client = new MilvusClient({ address: ':memory:' });

function assertStatus(status, code, reason) {
  assert.equal(status.code, code, status.reason);
  if (code === 0) assert.equal(status.error_code, ErrorCode.SUCCESS);
  if (reason) assert.match(status.reason, reason);
}

/** A collection of an id, a text and a vector, indexed (index `vix`) and loaded. */
async function collection(extra = {}) {
  const collection_name = uniqueName('alter');
  const r = await client.createCollection({
    collection_name,
    fields: [
      { name: 'id', data_type: 'Int64', is_primary_key: true, autoID: true },
      { name: 'text', data_type: 'VarChar', max_length: 16 },
      { name: 'v', data_type: 'FloatVector', dim: 2 },
    ],
    index_params: [{ field_name: 'v', index_name: 'vix', metric_type: 'L2' }],
    ...extra,
  });
  assertStatus(r, 0);
  return collection_name;
}

const props = async (collection_name) =>
  Object.fromEntries((await client.describeCollection({ collection_name })).properties.map(({ key, value }) => [key, value]));

test('alterCollectionProperties / dropCollectionProperties: mmap.enabled stored-only, set only while released, described back', async () => {
  const collection_name = await collection({ properties: { allow_insert_auto_id: true } });
  assert.deepEqual(await props(collection_name), { allow_insert_auto_id: 'true' });
  // loaded: Milvus refuses (104), nothing changes
  assertStatus(await client.alterCollectionProperties({ collection_name, properties: { 'mmap.enabled': true } }), 104,
    new RegExp(`^can not alter mmap properties if collection loaded: collection already loaded\\[collection=${collection_name}\\]$`));
  assertStatus(await client.releaseCollection({ collection_name }), 0);
  assertStatus(await client.alterCollectionProperties({ collection_name, properties: { 'mmap.enabled': true } }), 0);
  assert.deepEqual(await props(collection_name), { allow_insert_auto_id: 'true', 'mmap.enabled': 'true' });
  // a value Go's ParseBool does not read
  assertStatus(await client.alterCollectionProperties({ collection_name, properties: { 'mmap.enabled': 'yes' } }), 65535, /^invalid mmap\.enabled value: yes$/);
  assert.equal((await props(collection_name))['mmap.enabled'], 'true');
  // LangChain's setProperties sends properties and delete_keys in one call: Milvus takes one or the other
  assertStatus(await client.alterCollectionProperties({ collection_name, properties: { 'mmap.enabled': 'False' }, delete_keys: ['mmap.enabled'] }), 1100,
    /^cannot provide both DeleteKeys and ExtraParams/);
  assertStatus(await client.alterCollectionProperties({ collection_name, properties: {} }), 1100, /^no properties or delete keys provided/);
  assertStatus(await client.alterCollectionProperties({ collection_name, properties: { 'mmap.enabled': 'False' } }), 0);
  assert.equal((await props(collection_name))['mmap.enabled'], 'False', 'kept as given');
  // deleting: the stored key goes; a key that is not set is no error (as in Milvus)
  assertStatus(await client.dropCollectionProperties({ collection_name, properties: ['mmap.enabled', 'never.set'] }), 0);
  assert.deepEqual(await props(collection_name), { allow_insert_auto_id: 'true' });
  assertStatus(await client.alterCollectionProperties({ collection_name, properties: { 'mmap.enabled': 1 } }), 0);
  assertStatus(await client.alterCollectionProperties({ collection_name, delete_keys: ['mmap.enabled'] }), 0);
  assert.deepEqual(await props(collection_name), { allow_insert_auto_id: 'true' });
  // loaded again: deleting mmap.enabled is refused too
  assertStatus(await client.alterCollectionProperties({ collection_name, properties: { 'mmap.enabled': 'true' } }), 0);
  assertStatus(await client.loadCollection({ collection_name }), 0);
  assertStatus(await client.dropCollectionProperties({ collection_name, properties: ['mmap.enabled'] }), 104, /^can not delete mmap properties if collection loaded/);
  assert.equal((await props(collection_name))['mmap.enabled'], 'true');
  // the property goes with its collection
  assertStatus(await client.releaseCollection({ collection_name }), 0);
  assertStatus(await client.dropCollection({ collection_name }), 0);
  await collection({ collection_name });
  assertStatus(await client.dropCollection({ collection_name }), 0);
});

test('collection properties partita cannot honour are refused by name, nothing changed', async () => {
  const collection_name = await collection({ properties: { allow_insert_auto_id: 'true', 'mmap.enabled': 'false' } });
  assert.deepEqual(await props(collection_name), { allow_insert_auto_id: 'true', 'mmap.enabled': 'false' });
  assertStatus(await client.releaseCollection({ collection_name }), 0);
  const before = await props(collection_name);
  for (const [properties, reason] of [
    [{ 'collection.ttl.seconds': 60 }, /collection\.ttl\.seconds.*rows never expire.*not supported by partita/],
    [{ allow_insert_auto_id: false }, /altering the collection property `allow_insert_auto_id`.*not supported by partita/],
    [{ 'mmap.enabled': true, 'partitionkey.isolation': true }, /the collection property `partitionkey\.isolation` is not supported by partita/],
  ]) assertStatus(await client.alterCollectionProperties({ collection_name, properties }), 1100, reason);
  assertStatus(await client.dropCollectionProperties({ collection_name, properties: ['allow_insert_auto_id'] }), 1100, /deleting the collection property `allow_insert_auto_id`/);
  assert.deepEqual(await props(collection_name), before);
  // the SDK's own checks
  await assert.rejects(client.alterCollectionProperties({ properties: {} }), /collection_name/);
  assertStatus(await client.alterCollectionProperties({ collection_name: 'no_such', properties: { 'mmap.enabled': true } }), 100, /can't find collection/);
  await assert.rejects(client.alterCollectionProperties({ collection_name, properties: { 'mmap.enabled': true }, shards: 2 }), /`shards` of MilvusClient\.alterCollectionProperties is not supported/);
  // an alias names its collection
  assertStatus(await client.createAlias({ collection_name, alias: `${collection_name}_a` }), 0);
  assertStatus(await client.alterCollection({ collection_name: `${collection_name}_a`, properties: { 'mmap.enabled': 't' } }), 0);
  assert.equal((await props(collection_name))['mmap.enabled'], 't');
});

test('alterCollectionFieldProperties: mmap.enabled (or mmap_enabled) stored-only in type_params; max_length and the rest refused', async () => {
  const collection_name = await collection();
  const typeParams = async (name) => {
    const f = (await client.describeCollection({ collection_name })).schema.fields.find((x) => x.name === name);
    return Object.fromEntries(f.type_params.map(({ key, value }) => [key, value]));
  };
  assertStatus(await client.alterCollectionFieldProperties({ collection_name, field_name: 'text', properties: { 'mmap.enabled': true } }), 104,
    /^can not alter collection field properties if collection loaded/);
  assertStatus(await client.releaseCollection({ collection_name }), 0);
  assertStatus(await client.alterCollectionFieldProperties({ collection_name, field_name: 'text', properties: { mmap_enabled: true } }), 0);
  assert.deepEqual(await typeParams('text'), { max_length: '16', 'mmap.enabled': 'true' });
  assert.deepEqual(await typeParams('v'), { dim: '2' });
  assertStatus(await client.alterCollectionFieldProperties({ collection_name, field_name: 'text', properties: { max_length: 64 } }), 1100,
    /altering `max_length` of a field .*not supported by partita/);
  assertStatus(await client.alterCollectionFieldProperties({ collection_name, field_name: 'text', properties: { 'mmap.enabled': false, dim: 8 } }), 1100,
    /^dim does not allow update in collection field param: invalid parameter$/);
  assertStatus(await client.alterCollectionFieldProperties({ collection_name, field_name: 'nope', properties: { 'mmap.enabled': false } }), 1700, /^field not found\[field=nope\]$/);
  assert.deepEqual(await typeParams('text'), { max_length: '16', 'mmap.enabled': 'true' }, 'nothing changed');
  // max_length still holds as created
  assertStatus(await client.loadCollection({ collection_name }), 0);
  const r = await client.insert({ collection_name, data: [{ text: 'x'.repeat(17), v: [0, 0] }] });
  assertStatus(r.status, 1100, /max length/);
});

test('alterIndexProperties / dropIndexProperties: mmap.enabled the one configurable index parameter, stored-only, described by describeIndex', async () => {
  const collection_name = await collection();
  const params = async () => Object.fromEntries((await client.describeIndex({ collection_name, index_name: 'vix' })).index_descriptions[0].params.map(({ key, value }) => [key, value]));
  assertStatus(await client.alterIndexProperties({ collection_name, index_name: 'vix', params: { 'mmap.enabled': true } }), 104,
    /^can't alter index on loaded collection, please release the collection first: collection already loaded/);
  assertStatus(await client.releaseCollection({ collection_name }), 0);
  assertStatus(await client.alterIndexProperties({ collection_name, index_name: 'vix', params: { M: 16 } }), 1100, /^M is not configable index param: invalid parameter$/);
  assertStatus(await client.alterIndexProperties({ collection_name, index_name: 'nope', params: { 'mmap.enabled': true } }), 700, /^index not found\[indexName=nope\]$/);
  assertStatus(await client.alterIndexProperties({ collection_name, index_name: '', params: { 'mmap.enabled': true } }), 1100, /^index name is empty/);
  assertStatus(await client.alterIndexProperties({ collection_name, index_name: 'vix', params: { 'mmap.enabled': 'maybe' } }), 65535, /^invalid mmap\.enabled value: maybe$/);
  assert.equal((await params())['mmap.enabled'], undefined);
  assertStatus(await client.alterIndex({ collection_name, index_name: 'vix', params: { 'mmap.enabled': true } }), 0);
  assert.deepEqual(await params(), { index_type: 'AUTOINDEX', metric_type: 'L2', params: '{}', 'mmap.enabled': 'true' });
  assertStatus(await client.dropIndexProperties({ collection_name, index_name: 'vix', properties: ['efConstruction'] }), 1100, /^efConstruction is not configable index param/);
  assertStatus(await client.dropIndexProperties({ collection_name, index_name: 'vix', properties: ['mmap.enabled'] }), 0);
  assert.deepEqual(await params(), { index_type: 'AUTOINDEX', metric_type: 'L2', params: '{}' });
});

test('alterDatabaseProperties / dropDatabaseProperties / describeDatabase: no database property is acted on, each refused by name', async () => {
  const db_name = uniqueName('db');
  assertStatus(await client.createDatabase({ db_name }), 0);
  const before = await client.describeDatabase({ db_name });
  assertStatus(before.status, 0);
  assert.deepEqual(before.properties, []);
  assertStatus(await client.alterDatabaseProperties({ db_name, properties: { 'database.max.collections': 10 } }), 1100,
    /the database property `database\.max\.collections` is not supported by partita/);
  assertStatus(await client.alterDatabase({ db_name, properties: { 'database.replica.number': 1 }, delete_keys: ['x'] }), 1100, /^cannot provide both/);
  assertStatus(await client.alterDatabaseProperties({ db_name: 'no_such_db', properties: { 'database.replica.number': 1 } }), 800, /^database not found\[database=no_such_db\]$/);
  assertStatus(await client.dropDatabaseProperties({ db_name, properties: ['database.max.collections'] }), 0, null);
  assertStatus(await client.dropDatabaseProperties({ db_name: 'no_such_db', properties: ['x'] }), 800);
  await assert.rejects(client.alterDatabaseProperties({ db_name, properties: {}, db_id: '1' }), /`db_id` of MilvusClient\.alterDatabaseProperties is not supported/);
  assert.deepEqual(await client.describeDatabase({ db_name }), before);
  assertStatus(await client.dropDatabase({ db_name }), 0);
});
