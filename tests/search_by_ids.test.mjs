// Search by primary keys (Milvus 2.6.9, issue 15 item 6): `ids` instead of query vectors, the
// stored vectors of those keys being the query vectors (resolved in the core); Milvus's errors
// for missing keys, keys of the wrong type, keys and vectors together; the store unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, CollectionSchema, FieldSchema, DataType, MilvusException, ParamError } from 'partita';
import { MilvusClient, DataType as SdkType } from 'partita/milvus-client';
import { rejectsUnchanged, uniqueName } from './support/helpers.mjs';

await init();

const BIG = 2n ** 60n;
const films = async () => {
  const c = new Collection(uniqueName('byid'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('n', DataType.INT32),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 3 }),
    new FieldSchema('b', DataType.BINARY_VECTOR, { dim: 16 }),
  ]));
  await c.insert([
    { id: 1, n: 10, v: [1, 0, 0], b: [1, 2] },
    { id: 2, n: 20, v: [0, 1, 0], b: [3, 4] },
    { id: 3, n: 30, v: [0.9, 0.1, 0], b: [255, 0] },
    { id: BIG, n: 40, v: [0, 0, 1], b: [0, 255] },
  ]);
  return c;
};
const plain = (v) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)));
const keys = (hits) => plain(hits).map((list) => list.map((h) => h.id));

test('ORM search with ids: the same hits as a search with the keys\' stored vectors', async () => {
  const c = await films();
  const param = { metric_type: 'L2' };
  const byIds = await c.search(null, 'v', param, 3, null, { ids: [1, BIG], output_fields: ['n'] });
  const byVectors = await c.search([[1, 0, 0], [0, 0, 1]], 'v', param, 3, null, { output_fields: ['n'] });
  assert.deepEqual(plain(byIds), plain(byVectors));
  // each key finds itself first (an int64 beyond 2^53 in the default key mode's form)
  assert.deepEqual(keys(byIds).map((l) => String(l[0]).replace(/n$/, '')), ['1', String(BIG)]);
  // a filter applies to the hits, not to the keys
  assert.deepEqual(keys(await c.search(undefined, 'v', param, 2, 'n > 15', { ids: [1] })), [[3, 2]]);
  // binary vectors, and a partition's search looks the keys up in that partition
  const bin = await c.partition('_default').search(null, 'b', { metric_type: 'HAMMING' }, 1, null, { ids: [3] });
  assert.deepEqual(keys(bin), [[3]]);
});

test('ORM search with ids: Milvus\'s errors, the store unchanged', async () => {
  const c = await films();
  const search = (ids, data = null, field = 'v') => c.search(data, field, { metric_type: 'L2' }, 3, null, { ids });
  await rejectsUnchanged(c, () => search([1, 7, 8]), {
    cls: MilvusException, code: 1100, message: 'some of the provided primary key IDs do not exist: missing IDs = [7 8]: invalid parameter',
  });
  await rejectsUnchanged(c, () => search(['1']), {
    cls: MilvusException, code: 1100, message: 'primary key is int64, but IDs type mismatch: invalid parameter',
  });
  await rejectsUnchanged(c, () => search([1], [[1, 0, 0]]), { cls: ParamError, message: 'Either ids or data must be provided, not both' });
  await rejectsUnchanged(c, () => search([]), { cls: ParamError, message: '`ids` value [] is illegal' });
  await rejectsUnchanged(c, () => search([1.5]), { cls: ParamError, message: '`ids` value [1.5] is illegal' });
  await rejectsUnchanged(c, () => c.search(null, null, { metric_type: 'L2' }, 3, null, { ids: [1] }), {
    cls: MilvusException, message: /anns_field/,
  });
  // search_iterator has no ids (as in Milvus): refused by name
  await rejectsUnchanged(c, () => c.search_iterator(null, 'v', { metric_type: 'L2' }, 10, -1, null, null, null, { ids: [1] }), {
    cls: ParamError, message: /'ids'/,
  });
  // a deleted key is no key any more
  await c.delete('id in [2]');
  await rejectsUnchanged(c, () => search([2]), { message: 'some of the provided primary key IDs do not exist: missing IDs = [2]: invalid parameter' });
});

test('MilvusClient.search with ids, VARCHAR keys', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const collection_name = uniqueName('byid');
  await client.createCollection({
    collection_name,
    fields: [
      { name: 'pk', data_type: SdkType.VarChar, is_primary_key: true, max_length: 8 },
      { name: 'v', data_type: SdkType.FloatVector, dim: 2 },
    ],
    index_params: { field_name: 'v', metric_type: 'IP' },
  });
  await client.loadCollection({ collection_name });
  await client.insert({ collection_name, data: [{ pk: 'a', v: [1, 0] }, { pk: 'b', v: [0, 1] }, { pk: 'c', v: [0.5, 0.5] }] });
  const byIds = await client.search({ collection_name, anns_field: 'v', ids: ['b'], limit: 2 });
  const byVector = await client.search({ collection_name, anns_field: 'v', data: [0, 1], limit: 2 });
  assert.deepEqual(byIds.results, byVector.results);
  assert.equal(byIds.results[0].pk, 'b');
  const missing = await client.search({ collection_name, anns_field: 'v', ids: ['b', 'zz'], limit: 2 });
  assert.equal(missing.status.code, 1100);
  assert.equal(missing.status.reason, 'some of the provided primary key IDs do not exist: missing IDs = [zz]: invalid parameter');
  const wrongType = await client.search({ collection_name, anns_field: 'v', ids: [1], limit: 2 });
  assert.equal(wrongType.status.reason, 'primary key is varchar, but IDs type mismatch: invalid parameter');
  const noField = await client.search({ collection_name, ids: ['a'], limit: 2 });
  assert.equal(noField.status.reason, 'anns_field is required for search by IDs: invalid parameter');
  await assert.rejects(client.search({ collection_name, anns_field: 'v', ids: ['a'], data: [1, 0] }),
    (e) => e instanceof ParamError && e.message === 'Either ids or data must be provided, not both');
});
