// Compiled by tests/types.test.mjs with `tsc --noEmit --strict`: the declarations must accept
// the documented usage and reject misuse (the @ts-expect-error lines).
import {
  init, connections, Collection, Partition, CollectionSchema, FieldSchema, DataType,
  MutationResult, MilvusException, DataNotMatchException, type Entity, type PrimaryKey,
} from 'partita';

async function main(): Promise<void> {
  const info = await init();
  const v: string = info.version;
  await init({ wasm: new Uint8Array(8) });

  const schema = new CollectionSchema([
    new FieldSchema('film_id', DataType.INT64, { is_primary: true }),
    new FieldSchema('films', DataType.FLOAT_VECTOR, { dim: 2 }),
    new FieldSchema('title', DataType.VARCHAR, 'the title', { max_length: 64, nullable: true }),
  ], { enable_dynamic_field: true });
  const collection = new Collection('test_partition_insert', schema);
  const partition = new Partition(collection, 'comedy', 'comedy films');

  const res: MutationResult = await partition.upsert([
    [0, 1, 2],
    [[0, 1], [0, 1], [0, 1]],
    ['a', 'b', null],
  ]);
  const n: number = res.upsert_count;
  const keys: PrimaryKey[] = res.primary_keys;
  const ts: bigint = res.timestamp;
  await collection.insert({ film_id: 5n, films: new Float32Array([1, 2]), title: 'x', extra: { any: 1 } }, { partition_name: 'comedy' });
  await collection.insert([{ film_id: 6, films: [1, 2] }]);
  await collection.upsert([new BigInt64Array([7n]), new Float32Array([1, 2]), ['t']]);
  const rows: Entity[] = await partition.query('film_id in [0, 1]', { output_fields: ['title'], limit: 10 });
  const got: Entity[] = await collection.get([0, 1n], { output_fields: ['*'], partition_names: ['comedy'] });
  await collection.delete('film_id == 0', { partition_name: 'comedy' });
  await partition.flush({ timeout: 5 });
  const count: number = collection.num_entities + partition.num_entities;
  const names: string[] = collection.partitions.map((p) => p.name);
  connections.connect('default', { uri: ':memory:' });
  try {
    await collection.insert('nope' as never);
  } catch (e) {
    if (e instanceof MilvusException) {
      const code: number = e.code;
      const msg: string = e.message;
      void code, msg;
    }
    if (e instanceof DataNotMatchException) void e.row;
  }
  const code: 5 = DataType.INT64;
  const name = DataType[5];

  // @ts-expect-error dim must be a number
  new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: '8' });
  // @ts-expect-error the expression is a string
  await collection.delete(5);
  // @ts-expect-error MutationResult fields are read-only
  res.upsert_count = 3;
  // @ts-expect-error no such option
  await collection.query('', { limt: 5 });

  void v, n, keys, ts, rows, got, count, names, code, name;
}
void main;
