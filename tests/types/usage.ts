// Compiled by tests/types.test.mjs with `tsc --noEmit --strict`: the declarations must accept
// the documented usage and reject misuse (the @ts-expect-error lines).
import {
  init, connections, Collection, Partition, CollectionSchema, FieldSchema, DataType,
  MutationResult, MilvusException, DataNotMatchException, type Entity, type PrimaryKey,
  type Hit, type SearchParam, type CompactionState, memoryUsage, FieldOp, FieldOpType,
} from 'partita';
import {
  Autosave, FileAdapter, IndexedDBAdapter, OPFSAdapter, defaultAdapter, loadCollection, saveCollection,
  type SnapshotAdapter,
} from 'partita/persist';
import workerEntry, { createHandler, fetch as serverFetch, routes, type Handler } from 'partita/server';
import { serve, type RunningServer } from 'partita/server/node';

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
  const param: SearchParam = { metric_type: 'L2', params: { radius: 2, range_filter: 0.5 } };
  const found: Hit[][] = await collection.search([[0.1, 0.2], [0.3, 0.4]], 'films', param, 10, 'film_id in [1, 2]', {
    output_fields: ['title'], partition_names: ['comedy'], offset: 1, round_decimal: 3,
  });
  const best: Hit = found[0][0];
  const hitId: PrimaryKey = best.id;
  const hitDistance: number = best.distance;
  const title: unknown = best.entity.title;
  await partition.search(new Float32Array(4), null, { metric_type: 'cosine' }, 5);
  await collection.search([0.1, 0.2], undefined, {}, 3);
  await collection.search([{ 3: 0.5 }, new Map([[7, 1]]), { indices: [1], values: [2] }], 'sparse', { metric_type: 'IP' });
  await partition.flush({ timeout: 5 });
  const count: number = collection.num_entities + partition.num_entities;
  const names: string[] = collection.partitions.map((p) => p.name);
  connections.connect('default', { uri: ':memory:' });
  connections.connect('remote', {
    uri: 'http://127.0.0.1:19530', token: 'root:Milvus', db_name: 'default', timeout: 10, batch_rows: 5000,
    batch_bytes: 1 << 24, max_pending_bytes: 1 << 28, max_in_flight: 2, retry_initial_ms: 50, retry_max_ms: 5000,
    ack: 'local', outbox: '/tmp/outbox.bin', index_params: { vector: { index_type: 'HNSW', metric_type: 'L2', params: { M: 16 } } },
    on_error: (e: MilvusException) => void e.code,
  });
  await partition.upsert([{ id: 1, vector: [0.1, 0.2] }], { ack: 'remote', timeout: 3 });
  await partition.upsert([{ id: 1, tags: [3] }], { partial_update: true, field_ops: { tags: FieldOp.array_append() } });
  await collection.upsert({ id: 1, tags: [3] }, { partition_name: 'p', field_ops: { tags: 'array_remove', n: FieldOpType.REPLACE } });
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
  // @ts-expect-error partial_update is a boolean
  await collection.upsert({ id: 1 }, { partial_update: 'yes' });
  // @ts-expect-error insert has no merge mode
  await collection.insert({ id: 1 }, { partial_update: true });
  // @ts-expect-error no such metric
  await collection.search([[1, 2]], 'films', { metric_type: 'EUCLID' }, 10);
  // @ts-expect-error Partition.search takes no partition_names
  await partition.search([[1, 2]], 'films', {}, 10, '', { partition_names: ['x'] });
  // @ts-expect-error a hit's distance is a number
  const badDistance: string = best.distance;

  void v, n, keys, ts, rows, got, count, names, code, name, hitId, hitDistance, title, badDistance;
}
void main;

// partita/server and partita/server/node
async function server(): Promise<void> {
  const handler: Handler = createHandler({ using: 'default', token: 'root:Milvus', maxBodyBytes: 1 << 20, page: '<p>demo</p>' });
  const res: Response = await handler(new Request('http://127.0.0.1/v2/vectordb/collections/list', { method: 'POST', body: '{}' }));
  const viaDefault: Response = await serverFetch(new Request('http://127.0.0.1/'));
  const worker: { fetch(request: Request): Promise<Response> } = workerEntry;
  const list: readonly string[] = routes;
  const running: RunningServer = await serve({ host: '127.0.0.1', port: 0, token: 't' });
  const url: string = running.url;
  await running.close();
  createHandler({ page: async () => new Response('x') });
  // @ts-expect-error the port is a number
  await serve({ port: '19530' });
  // @ts-expect-error no such option
  createHandler({ alias: 'x' });
  void res, viaDefault, worker, list, url;
}
void server;

// Saving and loading (partita/persist)
async function persistence(c: Collection): Promise<void> {
  const bytes: Uint8Array = c.save();
  const copy: Collection = Collection.load(bytes, { name: 'copy', using: 'default' });
  await copy.compact();
  const state: CompactionState = await copy.get_compaction_state();
  const removed: number = state.removed_rows;
  const used: number = memoryUsage().used;
  const files: SnapshotAdapter = new FileAdapter('/tmp/snapshots');
  await saveCollection(c, files);
  const back: Collection | null = await loadCollection(new IndexedDBAdapter('db'), 'films', { name: 'films2' });
  const kv = { get: async (k: string) => (k ? new Uint8Array(1) : null), put: async (_k: string, _b: Uint8Array) => {} };
  const auto = new Autosave(c, kv, { mutations: 100, delayMs: 500, onError: (e) => console.error(e) });
  await auto.flush();
  const n: number = auto.pending;
  await auto.close();
  void defaultAdapter, OPFSAdapter;
  // @ts-expect-error snapshots are bytes, not strings
  Collection.load('bytes');
  // @ts-expect-error an adapter needs put
  await saveCollection(c, { get: async () => null });
  void removed, used, back, n;
}
void persistence;

// partita/milvus-client: code typed against @zilliz/milvus2-sdk-node's MilvusClient
import { MilvusClient as SdkClient, DataType as SdkType, MetricType, ErrorCode, type SearchResultData } from 'partita/milvus-client';
import { MilvusClient as TopClient } from 'partita';

async function milvusClient(): Promise<void> {
  const client = new SdkClient({ address: ':memory:' });
  await client.connectPromise;
  const created = await client.createCollection({
    collection_name: 'c',
    fields: [
      { name: 'id', data_type: SdkType.Int64, is_primary_key: true, autoID: true },
      { name: 'text', data_type: 'VarChar', max_length: 512 },
      { name: 'vector', data_type: SdkType.FloatVector, dim: 4 },
    ],
    index_params: [{ field_name: 'vector', index_type: 'HNSW', metric_type: MetricType.COSINE, params: { M: 16 } }],
  });
  const ok: boolean = created.error_code === ErrorCode.SUCCESS;
  await client.createCollection({ collection_name: 'q', dimension: 4 });
  const ins = await client.insert({ collection_name: 'c', data: [{ vector: [1, 2, 3, 4], text: 'a' }] });
  const ids = 'int_id' in ins.IDs ? ins.IDs.int_id.data : ins.IDs.str_id.data;
  const one = await client.search({ collection_name: 'c', data: [1, 2, 3, 4], limit: 3, output_fields: ['text'] });
  const hits: SearchResultData[] = one.results;
  const many = await client.search({ collection_name: 'c', data: [[1, 2, 3, 4], [4, 3, 2, 1]], filter: 'text == "a"' });
  const lists: SearchResultData[][] = many.results;
  const rows: Record<string, any>[] = (await client.query({ collection_name: 'c', filter: 'id > 0' })).data;
  const n: number = (await client.count({ collection_name: 'c' })).data;
  const has: boolean = (await client.hasCollection({ collection_name: 'c' })).value;
  await client.delete({ collection_name: 'c', ids: [1, 2] });
  await client.delete({ collection_name: 'c', filter: 'id > 0' });
  const top = new TopClient();
  void [ok, ids, hits, lists, rows, n, has, top];
  // @ts-expect-error the collection name is required
  await client.hasCollection({});
}
void milvusClient;
