// The collection property allow_insert_auto_id (Milvus 2.6.3, issue 15 item 6): an auto_id
// collection created with it takes the keys an insert gives, and generates them when the insert
// gives none; the property is described back, saved in snapshots, and refused where Milvus
// refuses it. Every refusal leaves the store as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, CollectionSchema, FieldSchema, DataType, MilvusException, ParamError, connections } from 'partita';
import { MilvusClient, DataType as SdkType } from 'partita/milvus-client';
import { rejects, rejectsUnchanged, uniqueName } from './support/helpers.mjs';
import { tableFromArrays, vectorFromArray } from 'apache-arrow';

await init();

const schema = (auto_id = true, dtype = DataType.INT64) =>
  new CollectionSchema([
    new FieldSchema('id', dtype, { is_primary: true, auto_id, ...(dtype === DataType.VARCHAR ? { max_length: 32 } : {}) }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]);
const allowing = (name = uniqueName('aiai'), dtype) =>
  new Collection(name, schema(true, dtype), { properties: { allow_insert_auto_id: true } });

test('an insert that gives its keys keeps them; one that gives none has them generated', async () => {
  const c = allowing();
  const given = await c.insert([{ id: 7, v: [1, 0] }, { id: 9, v: [0, 1] }]);
  assert.deepEqual(given.primary_keys.map(Number), [7, 9]);
  assert.deepEqual((await c.get([7, 9], { output_fields: ['v'] })).map((r) => Number(r.id)), [7, 9]);
  const generated = await c.insert([{ v: [1, 1] }]);
  assert.equal(generated.primary_keys.length, 1);
  assert.ok(![7, 9].includes(Number(generated.primary_keys[0])));
  assert.equal(c.num_entities, 3);
});

test('column lists and DataFrames may carry the key column in its place, or leave it out', async () => {
  const c = allowing();
  // all the schema's columns: the keys given are kept (BigInts, typed arrays and numbers alike)
  assert.deepEqual((await c.insert([[5, 2n ** 60n], [[1, 0], [0, 1]]])).primary_keys, [5, 2n ** 60n]);
  assert.deepEqual((await c.insert([BigInt64Array.from([6n]), new Float32Array([1, 1])])).primary_keys, [6]);
  // one column fewer: the keys are generated, as before
  const generated = await c.insert([[[0.5, 0.5]]]);
  assert.equal(generated.primary_keys.length, 1);
  assert.ok(![5, 6, 2n ** 60n].includes(generated.primary_keys[0]));
  // an Arrow table by name: with the key column, or without it
  assert.deepEqual((await c.insert(tableFromArrays({ id: BigInt64Array.from([8n]), v: vectorFromArray([[1, 2]]) }))).primary_keys, [8]);
  assert.equal((await c.insert(tableFromArrays({ v: vectorFromArray([[2, 1]]) }))).primary_keys.length, 1);
  assert.deepEqual((await c.get([5, 2n ** 60n, 6, 8])).map((r) => r.id), [5, 2n ** 60n, 6, 8]);
  assert.equal(c.num_entities, 6);
  // a key column with a null among its keys is refused whole; so are columns of a wrong count
  await rejectsUnchanged(c, () => c.insert([[9, null], [[1, 0], [0, 1]]]), { message: /id/ });
  await rejectsUnchanged(c, () => c.insert([[9], [[1, 0]], [1]]), { message: "The data doesn't match with schema fields, expect 1 list, got 3" });
  // without the property a key column is refused as before
  const plain = new Collection(uniqueName('aiai'), schema(true));
  await rejectsUnchanged(plain, () => plain.insert([[5], [[1, 0]]]), { message: "The data doesn't match with schema fields, expect 1 list, got 2" });
  await rejectsUnchanged(plain, () => plain.insert(tableFromArrays({ id: BigInt64Array.from([8n]), v: vectorFromArray([[1, 2]]) })), {
    message: 'Expect no data for auto_id primary field: id',
  });
});

test('VARCHAR auto_id keys may be given too', async () => {
  const c = allowing(uniqueName('aiai'), DataType.VARCHAR);
  const res = await c.insert([{ id: 'mine', v: [1, 0] }]);
  assert.deepEqual(res.primary_keys, ['mine']);
  assert.deepEqual(await c.get(['mine']), [{ id: 'mine' }]);
});

test('a batch where some rows give a key and others do not is refused, nothing applied', async () => {
  const c = allowing();
  await c.insert([{ id: 1, v: [1, 0] }]);
  await rejectsUnchanged(c, () => c.insert([{ id: 2, v: [1, 0] }, { v: [0, 1] }]), {
    message: 'Insert missed an field `id` to collection without set nullable==true or set default_value',
  });
  await rejectsUnchanged(c, () => c.insert([{ id: 'x', v: [1, 0] }]), { message: /id/ });
});

test('without the property a given auto_id key is refused as before', async () => {
  const c = new Collection(uniqueName('aiai'), schema(true), { properties: { allow_insert_auto_id: 'false' } });
  await rejectsUnchanged(c, () => c.insert([{ id: 5, v: [1, 0] }]), {
    cls: MilvusException, code: 1100, message: 'can not assign primary field data when auto id enabled id',
  });
});

test('the property is described back and survives a snapshot', async () => {
  const c = allowing();
  assert.deepEqual(c._describe().schema.properties, { allow_insert_auto_id: true });
  await c.insert([{ id: 3, v: [1, 0] }]);
  const d = Collection.load(c.save(), { name: uniqueName('aiai_copy') });
  assert.deepEqual(d._describe().schema.properties, { allow_insert_auto_id: true });
  const res = await d.insert([{ id: 4, v: [0, 1] }]);
  assert.deepEqual(res.primary_keys.map(Number), [4]);
  // Go's ParseBool texts are read as Milvus reads them; what is stored reads back as a boolean
  const e = new Collection(uniqueName('aiai'), schema(true), { properties: { allow_insert_auto_id: 'True' } });
  assert.deepEqual(e._describe().schema.properties, { allow_insert_auto_id: true });
  // a collection created without it describes no properties
  assert.equal(new Collection(uniqueName('aiai'), schema(true))._describe().schema.properties, undefined);
});

test('reopening with another value of the property is a different schema', async () => {
  const name = uniqueName('aiai');
  allowing(name);
  assert.ok(allowing(name)); // the same schema and properties open it
  await rejects(() => new Collection(name, schema(true)), { message: /schema is not the same/ });
});

test('refusals: the property without auto_id, a value that is no boolean, an unknown property', async () => {
  const name = uniqueName('aiai');
  await rejects(() => new Collection(name, schema(false), { properties: { allow_insert_auto_id: true } }), {
    cls: MilvusException, code: 1100,
    message: 'the value for allow_insert_auto_id must be false when autoID is false: invalid parameter',
  });
  await rejects(() => new Collection(name, schema(true), { properties: { allow_insert_auto_id: 'yes' } }), {
    cls: MilvusException, code: 1100, message: 'the value for allow_insert_auto_id must be a boolean: invalid parameter',
  });
  await rejects(() => new Collection(name, schema(true), { properties: { 'collection.ttl.seconds': 60 } }), {
    cls: ParamError, message: 'the collection property collection.ttl.seconds is not supported by partita',
  });
  await rejects(() => new Collection(name, schema(true), { properties: [] }), {
    cls: ParamError, message: 'Param properties must be dict type.',
  });
  // nothing was created by any of them
  await rejects(() => new Collection(name), { message: /not exist/ });
});

test('MilvusClient: createCollection properties, describeCollection lists them, insert keeps given keys', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const collection_name = uniqueName('aiai');
  const created = await client.createCollection({
    collection_name,
    fields: [
      { name: 'id', data_type: SdkType.Int64, is_primary_key: true, autoID: true },
      { name: 'v', data_type: SdkType.FloatVector, dim: 2 },
    ],
    properties: { allow_insert_auto_id: true },
  });
  assert.equal(created.error_code, 'Success');
  const d = await client.describeCollection({ collection_name });
  assert.deepEqual(d.properties, [{ key: 'allow_insert_auto_id', value: 'true' }]);
  const res = await client.insert({ collection_name, data: [{ id: 42, v: [1, 0] }] });
  assert.deepEqual(res.IDs.int_id.data.map(Number), [42]);
  // the SDK's fields_data (rows, as data) gives keys the same way
  assert.deepEqual((await client.insert({ collection_name, fields_data: [{ id: '43', v: [0, 1] }] })).IDs.int_id.data, ['43']);
  // a property the core refuses: the SDK throws the status, and nothing is created
  const badName = uniqueName('aiai');
  await assert.rejects(client.createCollection({
    collection_name: badName,
    fields: [{ name: 'id', data_type: SdkType.Int64, is_primary_key: true }, { name: 'v', data_type: SdkType.FloatVector, dim: 2 }],
    properties: { allow_insert_auto_id: true },
  }), (e) => e.code === 1100 && e.reason === 'the value for allow_insert_auto_id must be false when autoID is false: invalid parameter');
  assert.equal((await client.hasCollection({ collection_name: badName })).value, false);
});

test('a forwarding connection refuses to create a collection with properties (they would not reach the remote)', async () => {
  connections.connect('aiai_fwd', { uri: 'http://127.0.0.1:1', retry_initial_ms: 5, retry_max_ms: 40 });
  try {
    const name = uniqueName('aiai');
    await rejects(() => new Collection(name, schema(true), { using: 'aiai_fwd', properties: { allow_insert_auto_id: true } }), {
      cls: ParamError, message: 'collection properties are not forwarded: a forwarding connection cannot create a collection with `properties`',
    });
    await rejects(() => new Collection(name, { using: 'aiai_fwd' }), { message: /not exist/ });
  } finally {
    connections.remove_connection('aiai_fwd');
  }
});
