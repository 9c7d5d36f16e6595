// Upsert is partition-scoped, as in Milvus 2.6: it deletes the key in the target partition only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, Partition, CollectionSchema, FieldSchema, DataType } from 'partita';
import { uniqueName } from './support/helpers.mjs';

await init();

const films = () => new Collection(uniqueName('parts'), new CollectionSchema([
  new FieldSchema('film_id', DataType.INT64, { is_primary: true }),
  new FieldSchema('films', DataType.FLOAT_VECTOR, { dim: 2 }),
  new FieldSchema('title', DataType.VARCHAR, { max_length: 32 }),
]));

test('the same key upserted into two partitions gives two entities', async () => {
  const c = films();
  const comedy = new Partition(c, 'comedy');
  const drama = new Partition(c, 'drama');
  await comedy.upsert({ film_id: 1, films: [1, 1], title: 'Some Like It Hot' });
  await drama.upsert({ film_id: 1, films: [2, 2], title: 'Casablanca' });
  assert.equal(c.num_entities, 2);
  assert.equal(comedy.num_entities, 1);
  assert.equal(drama.num_entities, 1);
  assert.deepEqual(await c.query('film_id == 1', { output_fields: ['title'] }), [
    { film_id: 1, title: 'Some Like It Hot' },
    { film_id: 1, title: 'Casablanca' },
  ]);
  assert.deepEqual(await c.query('', { output_fields: ['count(*)'] }), [{ 'count(*)': 2 }]);
});

test("a second upsert in one partition replaces that partition's row only", async () => {
  const c = films();
  const comedy = new Partition(c, 'comedy');
  const drama = new Partition(c, 'drama');
  await comedy.upsert({ film_id: 1, films: [1, 1], title: 'v1' });
  await drama.upsert({ film_id: 1, films: [2, 2], title: 'drama v1' });
  const res = await comedy.upsert({ film_id: 1, films: [3, 3], title: 'v2' });
  assert.equal(res.upsert_count, 1);
  assert.equal(res.delete_count, 1);
  assert.equal(res.insert_count, 1);
  assert.deepEqual(await comedy.get(1, { output_fields: ['title', 'films'] }), [{ film_id: 1, title: 'v2', films: [3, 3] }]);
  assert.deepEqual(await drama.get(1, { output_fields: ['title'] }), [{ film_id: 1, title: 'drama v1' }]);
  assert.equal(c.num_entities, 2);
});

test('upsert into a partition on a collection object, and into _default', async () => {
  const c = films();
  new Partition(c, 'p');
  await c.upsert([{ film_id: 5, films: [0, 0], title: 'in p' }], { partition_name: 'p' });
  await c.upsert([{ film_id: 5, films: [0, 0], title: 'in default' }]);
  assert.deepEqual((await c.query('film_id in [5]', { output_fields: ['title'], partition_names: ['_default'] })).map((r) => r.title), ['in default']);
  assert.deepEqual((await c.query('film_id in [5]', { output_fields: ['title'], partition_names: ['p'] })).map((r) => r.title), ['in p']);
});

test('insert stores duplicate keys; upsert then replaces all of them in the partition', async () => {
  const c = films();
  await c.insert([{ film_id: 9, films: [0, 0], title: 'a' }, { film_id: 9, films: [0, 0], title: 'b' }]);
  assert.equal(c.num_entities, 2);
  assert.deepEqual((await c.get(9, { output_fields: ['title'] })).map((r) => r.title), ['a', 'b']);
  const res = await c.upsert({ film_id: 9, films: [1, 1], title: 'c' });
  assert.equal(res.delete_count, 1); // Milvus reports one delete per upserted row
  assert.equal(c.num_entities, 1);
  assert.deepEqual((await c.get(9, { output_fields: ['title'] })).map((r) => r.title), ['c']);
});

test('delete counts the listed keys, in a partition or everywhere', async () => {
  const c = films();
  const p = new Partition(c, 'p');
  await c.insert([1, 2, 3].map((i) => ({ film_id: i, films: [i, i], title: `t${i}` })));
  await p.insert([1, 2].map((i) => ({ film_id: i, films: [i, i], title: `p${i}` })));
  const r1 = await p.delete('film_id in [1, 999]');
  assert.equal(r1.delete_count, 2); // Milvus counts 999 too
  assert.deepEqual(r1.primary_keys, []);
  assert.equal(p.num_entities, 1);
  assert.equal(c.num_entities, 4);
  const r2 = await c.delete('film_id in [2]');
  assert.equal(r2.delete_count, 1);
  assert.equal(c.num_entities, 2);
  assert.deepEqual((await c.query('', { limit: 10 })).map((r) => r.film_id), [1, 3]);
});

test('partitions: list, has, create, drop (with their rows), Partition by collection name', async () => {
  const c = films();
  assert.deepEqual(c.partitions.map((p) => p.name), ['_default']);
  const p = c.create_partition('extra', 'about extra');
  assert.equal(p.description, 'about extra');
  assert.ok(c.has_partition('extra'));
  assert.equal(c.partition('missing'), null);
  await p.insert({ film_id: 1, films: [0, 0], title: 'x' });
  const same = new Partition(c.name, 'extra');
  assert.equal(same.num_entities, 1);
  assert.equal(same.is_empty, false);
  p.drop();
  assert.equal(c.has_partition('extra'), false);
  assert.equal(c.num_entities, 0);
  assert.ok(c.is_empty);
});
