// The example of pymilvus's Partition.upsert() page (../shared/spec/seed), ported line by line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, Partition, FieldSchema, CollectionSchema, DataType, MutationResult } from 'partita';

await init();

test('seed example: upsert into a partition returns a MutationResult with upsert_count 10', async () => {
  // Define collection schema
  const schema = new CollectionSchema([
    new FieldSchema('film_id', DataType.INT64, { is_primary: true }),
    new FieldSchema('films', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]);
  // Get an existing collection
  const collection = new Collection('test_partition_insert', schema);
  // Get an existing partition in the current collection
  const partition = new Partition(collection, 'comedy', 'comedy films');
  // Prepare the data to insert
  const data = [
    Array.from({ length: 10 }, (_, i) => i),
    Array.from({ length: 10 }, () => Array.from({ length: 2 }, (_, i) => i)),
  ];
  // Upsert data
  const res = await partition.upsert(data);
  // Return the count of upserted entities
  assert.equal(res.upsert_count, 10);

  assert.ok(res instanceof MutationResult);
  assert.deepEqual(res.primary_keys, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(res.insert_count, 10);
  assert.equal(res.delete_count, 10);
  assert.equal(res.succ_count, 10);
  assert.deepEqual(res.succ_index, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(res.err_count, 0);
  assert.deepEqual(res.err_index, []);
  assert.equal(typeof res.timestamp, 'bigint');
  // a hybrid timestamp: physical milliseconds in the high bits
  const physical = Number(res.timestamp >> 18n);
  assert.ok(Math.abs(physical - Date.now()) < 60_000, `physical part ${physical} is not now`);

  assert.equal(partition.num_entities, 10);
  assert.equal(collection.num_entities, 10);
  assert.equal(partition.name, 'comedy');
  assert.equal(partition.description, 'comedy films');
  assert.deepEqual(collection.partitions.map((p) => p.name), ['_default', 'comedy']);

  // running the example a second time opens the same collection and partition: still 10
  const again = new Partition(new Collection('test_partition_insert', schema), 'comedy', 'comedy films');
  const res2 = await again.upsert(data);
  assert.equal(res2.upsert_count, 10);
  assert.equal(again.num_entities, 10);
  assert.ok(res2.timestamp > res.timestamp, 'timestamps increase');
  const rows = await again.query('film_id in [3, 7]', { output_fields: ['films'] });
  assert.deepEqual(rows, [{ film_id: 3, films: [0, 1] }, { film_id: 7, films: [0, 1] }]);
});

test("MutationResult prints as pymilvus's __str__", async () => {
  const r = new MutationResult({ insert_count: 1, delete_count: 0, upsert_count: 0, timestamp: 5n, primary_keys: [1], succ_index: [0] });
  assert.equal(String(r), '(insert count: 1, delete count: 0, upsert count: 0, timestamp: 5, success count: 1, err count: 0');
  assert.deepEqual(Object.keys(r).sort(), ['delete_count', 'err_count', 'err_index', 'insert_count', 'primary_keys', 'succ_count', 'succ_index', 'timestamp', 'upsert_count']);
});
