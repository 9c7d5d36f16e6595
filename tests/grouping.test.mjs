// Grouping search (Milvus 2.6, issue 15 item 4) through the ORM face: group_by_field, group_size
// and strict_group_size in search's options or its param; groups of a VARCHAR with nulls, offset
// and limit counting groups, several query vectors; Milvus's refusals, the store unchanged. The
// core's rules against a brute-force reference: tests/unit/test_search.c (grouping_search).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, CollectionSchema, FieldSchema, DataType, MilvusException, ParamError } from 'partita';
import { MilvusClient, DataType as SdkType } from 'partita/milvus-client';
import { createHandler } from 'partita/server';
import { rejectsUnchanged, uniqueName } from './support/helpers.mjs';

await init();

// rows at x = id on a line; their group: a VARCHAR (null for some) and a BOOL
const ROWS = [
  [1, 'a', true], [2, 'b', false], [3, 'a', true], [4, null, false], [5, 'c', true],
  [6, 'b', false], [7, null, true], [8, 'a', false], [9, 'c', true],
];
const shelf = async () => {
  const c = new Collection(uniqueName('grp'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('s', DataType.VARCHAR, { max_length: 4, nullable: true }),
    new FieldSchema('b', DataType.BOOL),
    new FieldSchema('f', DataType.FLOAT),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]));
  await c.insert(ROWS.map(([id, s, b]) => ({ id, s, b, f: 0.5, v: [id, 0] })));
  return c;
};
const ids = (hits) => hits.map((list) => list.map((h) => Number(h.id)));
const L2 = { metric_type: 'L2' };

test('groups of a VARCHAR (null is a group), best group first, each its best hits', async () => {
  const c = await shelf();
  // from x = 0: groups a (1, 3, 8), b (2, 6), null (4, 7), c (5, 9)
  assert.deepEqual(ids(await c.search([[0, 0]], 'v', L2, 3, null, { group_by_field: 's' })), [[1, 2, 4]]);
  assert.deepEqual(ids(await c.search([[0, 0]], 'v', L2, 3, null, { group_by_field: 's', group_size: 2 })), [[1, 3, 2, 6, 4, 7]]);
  assert.deepEqual(ids(await c.search([[0, 0]], 'v', L2, 10, null, { group_by_field: 's', group_size: 3, strict_group_size: true })),
    [[1, 3, 8]]);
  // offset counts groups; the param's keys as pymilvus's; two queries, each its own groups
  assert.deepEqual(ids(await c.search([[0, 0]], 'v', { ...L2, group_by_field: 's', group_size: 2, offset: 1 }, 2)), [[2, 6, 4, 7]]);
  assert.deepEqual(ids(await c.search([[0, 0], [10, 0]], 'v', L2, 2, null, { group_by_field: 'b', group_size: 2 })),
    [[1, 3, 2, 4], [9, 7, 8, 6]]);
  // the hits keep their distances and entities
  const [hits] = await c.search([[0, 0]], 'v', L2, 1, null, { group_by_field: 's', group_size: 2, output_fields: ['s'] });
  assert.deepEqual(hits.map((h) => [h.distance, h.entity.s]), [[1, 'a'], [9, 'a']]);
});

test("grouping refused as Milvus refuses it, the store unchanged", async () => {
  const c = await shelf();
  const search = (o) => () => c.search([[0, 0]], 'v', L2, 3, null, o);
  await rejectsUnchanged(c, search({ group_by_field: 'f' }), { message: 'unsupported data type Float for group by operator' });
  await rejectsUnchanged(c, search({ group_by_field: 'v' }), { message: 'unsupported data type FloatVector for group by operator' });
  await rejectsUnchanged(c, search({ group_by_field: 'zz' }), { code: 1700, message: 'groupBy field not found in schema' });
  await rejectsUnchanged(c, search({ group_by_field: 's', group_size: 0 }), { message: 'input group size:0 is negative, failed to do search_groupby: invalid parameter' });
  await rejectsUnchanged(c, search({ group_by_field: 's', group_size: 'two' }), { cls: ParamError, message: '`group_size` value two is illegal' });
  await rejectsUnchanged(c, search({ group_by_field: 's', strict_group_size: 'yes' }), { cls: ParamError, message: '`strict_group_size` must be a bool' });
  // Milvus ignores these without a group_by_field; partita names the one given, and refuses it
  await rejectsUnchanged(c, search({ group_size: 2 }), { cls: ParamError, message: '`group_size` is given without a group_by_field, where it would have no effect' });
  await rejectsUnchanged(c, search({ strict_group_size: true }), { cls: ParamError, message: '`strict_group_size` is given without a group_by_field' });
  // the iterators do not group
  await assert.rejects(c.search_iterator([[0, 0]], 'v', L2, 10, -1, null, null, null, { group_by_field: 's' }), /'group_by_field'/);
});

test('grouping by a dynamic key, a JSON path or a whole JSON field (Milvus 2.6): the value as text, missing keys null', async () => {
  const c = new Collection(uniqueName('grpj'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('meta', DataType.JSON, { nullable: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ], '', { enable_dynamic_field: true }));
  await c.insert([
    { id: 1, meta: { k: 'a' }, v: [1, 0], cat: 'a' },
    { id: 2, meta: { k: 1 }, v: [2, 0], cat: 1 },
    { id: 3, meta: { k: '1' }, v: [3, 0], cat: '1' },
    { id: 4, meta: { k: 'a"b' }, v: [4, 0] },
    { id: 5, meta: {}, v: [5, 0], cat: 'a\nb' },
    { id: 6, meta: null, v: [6, 0], cat: 'a' },
    { id: 7, meta: { k: { x: [1, 2] } }, v: [7, 0] },
    { id: 8, meta: { k: '{"x":[1,2]}' }, v: [8, 0], cat: 'a\nb' },
  ]);
  const grouped = async (group_by_field, group_size = 1) => ids(await c.search([[0, 0]], 'v', L2, 10, null, { group_by_field, group_size }))[0];
  // a string's characters and any other value's JSON text: 1 and "1" are one group, as in Milvus
  assert.deepEqual(await grouped('meta["k"]', 2), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(await grouped('meta["k"]'), [1, 2, 4, 5, 7]);
  // a dynamic key by name or as $meta["key"]; rows without it are the null group
  assert.deepEqual(await grouped('cat', 2), [1, 6, 2, 3, 4, 7, 5, 8]);
  assert.deepEqual(await grouped('$meta["cat"]'), [1, 2, 4, 5]);
  assert.deepEqual(await grouped('meta'), [1, 2, 3, 4, 5, 6, 7, 8]);
  // the hits are whole hits; a path that does not parse is refused, the store unchanged
  const [hits] = await c.search([[0, 0]], 'v', L2, 2, null, { group_by_field: 'cat', output_fields: ['cat'] });
  assert.deepEqual(hits.map((h) => [Number(h.id), h.entity.cat]), [[1, 'a'], [2, 1]]);
  await rejectsUnchanged(c, () => c.search([[0, 0]], 'v', L2, 2, null, { group_by_field: 'meta[' }), {
    cls: MilvusException, message: 'group_by_field meta[ is neither a field nor a JSON path',
  });
});

test('MilvusClient.search groups: group_by_field, group_size, strict_group_size', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const collection_name = uniqueName('grp');
  await client.createCollection({
    collection_name,
    fields: [
      { name: 'id', data_type: SdkType.Int64, is_primary_key: true },
      { name: 's', data_type: SdkType.VarChar, max_length: 4, nullable: true },
      { name: 'v', data_type: SdkType.FloatVector, dim: 2 },
    ],
    index_params: { field_name: 'v', metric_type: 'L2' },
  });
  await client.loadCollection({ collection_name });
  await client.insert({ collection_name, data: ROWS.map(([id, s]) => ({ id, s, v: [id, 0] })) });
  const found = async (o) => (await client.search({ collection_name, data: [0, 0], limit: 3, ...o })).results.map((h) => Number(h.id));
  assert.deepEqual(await found({ group_by_field: 's' }), [1, 2, 4]);
  assert.deepEqual(await found({ group_by_field: 's', group_size: 2 }), [1, 3, 2, 6, 4, 7]);
  assert.deepEqual(await found({ group_by_field: 's', group_size: 3, strict_group_size: true }), [1, 3, 8]);
  // as the SDK, a refusal is the status of the answer
  const refused = await client.search({ collection_name, data: [0, 0], limit: 3, group_by_field: 's', group_size: 11 });
  assert.match(refused.status.reason, /input group size:11 exceeds configured max group size:10/);
  assert.deepEqual(refused.results, []);
});

test("the REST server's groupingField, groupSize, strictGroupSize", async () => {
  const handler = createHandler();
  const post = async (path, body) => (await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }))).json();
  const collectionName = uniqueName('grp');
  let r = await post('collections/create', {
    collectionName,
    schema: { fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 's', dataType: 'VarChar', nullable: true, elementTypeParams: { max_length: 4 } },
      { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } }] },
  });
  assert.equal(r.code, 0, JSON.stringify(r));
  assert.equal((await post('entities/insert', { collectionName, data: ROWS.map(([id, s]) => ({ id, s, v: [id, 0] })) })).code, 0);
  assert.equal((await post('collections/load', { collectionName })).code, 0);
  const found = async (o) => {
    const res = await post('entities/search', { collectionName, data: [[0, 0]], limit: 3, searchParams: { metricType: 'L2' }, ...o });
    assert.equal(res.code, 0, JSON.stringify(res));
    return res.data.map((h) => Number(h.id));
  };
  assert.deepEqual(await found({ groupingField: 's' }), [1, 2, 4]);
  assert.deepEqual(await found({ groupingField: 's', groupSize: 2 }), [1, 3, 2, 6, 4, 7]);
  assert.deepEqual(await found({ groupingField: 's', groupSize: 3, strictGroupSize: true }), [1, 3, 8]);
  r = await post('entities/search', { collectionName, data: [[0, 0]], limit: 3, groupingField: 'v' });
  assert.equal(r.code, 1100, JSON.stringify(r));
  assert.match(r.message, /unsupported data type FloatVector for group by operator/);
});
