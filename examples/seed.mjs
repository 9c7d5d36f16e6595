// The example of pymilvus's Partition.upsert() page, line by line in JavaScript.
//   python                                              javascript
//   from pymilvus import Collection, Partition, ...     import { ... } from 'partita'
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
console.log(res.upsert_count);
console.log(String(res));
console.log(res);
