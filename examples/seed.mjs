// The example of pymilvus's Partition.upsert() page, line by line in JavaScript.
// `npm run seed` runs it on the embedded store: nothing leaves this process.
import { init, Collection, Partition, FieldSchema, CollectionSchema, DataType } from 'partita';

await init();

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
console.log('res.upsert_count');
console.log(res.upsert_count);

// --- beyond the page: what the upsert did -------------------------------------------------
console.log('\nMutationResult:', String(res));
console.log({
  insert_count: res.insert_count,
  delete_count: res.delete_count,
  upsert_count: res.upsert_count,
  succ_count: res.succ_count,
  err_count: res.err_count,
  primary_keys: res.primary_keys,
  timestamp: res.timestamp,
});

// upsert again: the keys are replaced in 'comedy', so the partition still holds 10 entities
await partition.upsert(data);
console.log(`\nafter a second upsert: partition '${partition.name}' holds ${partition.num_entities} entities`);
// the same keys upserted into another partition are other entities (upsert is partition-scoped)
await new Partition(collection, 'drama').upsert(data);
console.log(`after upserting the same keys into 'drama': the collection holds ${collection.num_entities}`);
console.log('film_id in [0, 1]:', await collection.query('film_id in [0, 1]', { output_fields: ['films'] }));
