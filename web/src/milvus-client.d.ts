// Types of `partita/milvus-client`: @zilliz/milvus2-sdk-node's MilvusClient over partita's
// embedded store. The names and shapes are the SDK's (3.0.x, its dist/milvus/types/*.d.ts) for
// the methods partita offers; code typed against the SDK compiles against these.

export declare enum DataType {
  None = 0, Bool = 1, Int8 = 2, Int16 = 3, Int32 = 4, Int64 = 5, Float = 10, Double = 11, VarChar = 21, Array = 22, JSON = 23,
  Geometry = 24, Text = 25, Timestamptz = 26, BinaryVector = 100, FloatVector = 101, Float16Vector = 102, BFloat16Vector = 103,
  SparseFloatVector = 104, Int8Vector = 105, ArrayOfVector = 106, Struct = 201,
}
export declare const DataTypeMap: { readonly [name: string]: number };
export declare enum ConsistencyLevelEnum { Strong = 0, Session = 1, Bounded = 2, Eventually = 3, Customized = 4 }
export declare enum MetricType {
  L2 = 'L2', IP = 'IP', COSINE = 'COSINE', HAMMING = 'HAMMING', JACCARD = 'JACCARD', TANIMOTO = 'TANIMOTO',
  SUBSTRUCTURE = 'SUBSTRUCTURE', SUPERSTRUCTURE = 'SUPERSTRUCTURE', BM25 = 'BM25', MHJACCARD = 'MHJACCARD', MAX_SIM = 'MAX_SIM',
  MAX_SIM_COSINE = 'MAX_SIM_COSINE', MAX_SIM_IP = 'MAX_SIM_IP', MAX_SIM_L2 = 'MAX_SIM_L2', DTW_COSINE = 'DTW_COSINE', DTW_IP = 'DTW_IP',
}
export declare enum IndexType {
  FLAT = 'FLAT', IVF_FLAT = 'IVF_FLAT', IVF_SQ8 = 'IVF_SQ8', IVF_PQ = 'IVF_PQ', HNSW = 'HNSW', BIN_FLAT = 'BIN_FLAT',
  BIN_IVF_FLAT = 'BIN_IVF_FLAT', DISKANN = 'DISKANN', AUTOINDEX = 'AUTOINDEX', ANNOY = 'ANNOY',
  SPARSE_INVERTED_INDEX = 'SPARSE_INVERTED_INDEX', SPARSE_WAND = 'SPARSE_WAND', GPU_FLAT = 'GPU_FLAT', GPU_IVF_FLAT = 'GPU_IVF_FLAT',
  GPU_IVF_PQ = 'GPU_IVF_PQ', GPU_IVF_SQ8 = 'GPU_IVF_SQ8', GPU_BRUTE_FORCE = 'GPU_BRUTE_FORCE', GPU_CAGRA = 'GPU_CAGRA',
  RAFT_IVF_FLAT = 'RAFT_IVF_FLAT', RAFT_IVF_PQ = 'RAFT_IVF_PQ', ScaNN = 'SCANN', STL_SORT = 'STL_SORT', TRIE = 'Trie',
  INVERTED = 'INVERTED', BITMAP = 'BITMAP', IVF_RABITQ = 'IVF_RABITQ', MINHASH_LSH = 'MINHASH_LSH', RTREE = 'RTREE',
  HNSW_SQ = 'HNSW_SQ', HNSW_PQ = 'HNSW_PQ', HNSW_PRQ = 'HNSW_PRQ', AISAQ = 'AISAQ', NGRAM = 'NGRAM', FMINDEX = 'FMINDEX',
}
export declare enum LoadState {
  LoadStateNotExist = 'LoadStateNotExist', LoadStateNotLoad = 'LoadStateNotLoad', LoadStateLoading = 'LoadStateLoading',
  LoadStateLoaded = 'LoadStateLoaded',
}
export declare enum ShowCollectionsType { All = 0, Loaded = 1 }
export declare enum ErrorCode {
  SUCCESS = 'Success', IndexNotExist = 'IndexNotExist', UnexpectedError = 'UnexpectedError', EmptyCollection = 'EmptyCollection',
  UpsertAutoIDTrue = 'UpsertAutoIDTrue', CollectionNotExists = 'CollectionNotExists', IllegalArgument = 'IllegalArgument',
  RateLimit = 'RateLimit', SchemaMismatch = 'SchemaMismatch',
}
export declare const ERROR_REASONS: { readonly [name: string]: string };
export declare const DEFAULT_TOPK: number;
export declare const DEFAULT_METRIC_TYPE: string;
export declare const DEFAULT_PRIMARY_KEY_FIELD: string;
export declare const DEFAULT_VECTOR_FIELD: string;
export declare const DEFAULT_DYNAMIC_FIELD: string;

// ---- common -----------------------------------------------------------------------------------

export interface KeyValuePair<T = string, U = string | number> { key: T; value: U }
export interface ResStatus {
  extra_info: Record<string, any>;
  error_code: string | number;
  reason: string;
  code?: number;
  retriable: boolean;
  detail: string;
}
export interface resStatusResponse { status: ResStatus }
export interface GrpcTimeOut { timeout?: number; client_request_id?: string; 'client-request-id'?: string }
export interface collectionNameReq extends GrpcTimeOut { collection_name: string; db_name?: string }
export interface ClientConfig {
  /** ':memory:' (default) or host:port: an embedded store (clients with one address share it);
   * http(s)://host:port: the embedded store, its writes forwarded to that Milvus REST v2 endpoint;
   * a path ending in '.db' (Milvus Lite's './milvus.db'): a durable store in that directory,
   * each database other than 'default' in databases/<name>.db under it; in a page, that path in
   * the origin's private file system (connectPromise resolves once it is open; its other
   * databases open on their first request). */
  address?: string;
  /** Options of a durable store (an address ending in '.db'): fsync, groupCommitMs, compactRatio,
   * compactMinBytes, coldVectors (Node), and in a page backend. */
  durable?: import('./index.js').DurableOptions;
  token?: string;
  username?: string;
  password?: string;
  /** The database of requests that name none (default 'default'). */
  database?: string;
  timeout?: number | string;
  ssl?: boolean;
  maxRetries?: number;
  retryDelay?: number;
  logLevel?: string;
  logPrefix?: string;
  id?: string;
  telemetry?: unknown;
}

// ---- analyzers ----------------------------------------------------------------------------------

export interface RunAnalyzerRequest {
  analyzer_params?: Record<string, any>;
  text: string | string[];
  with_detail?: boolean;
  with_hash?: boolean;
  db_name?: string;
}
export type AnalyzerToken = { token: string; start_offset: number; end_offset: number; position: number; position_length: number; hash: number };
export type AnalyzerResult = { tokens: AnalyzerToken[] };
export interface RunAnalyzerResponse { status: ResStatus; results: AnalyzerResult[] }

// ---- collections ------------------------------------------------------------------------------

export type TypeParamKey = 'dim' | 'max_length' | 'max_capacity' | 'analyzer_params' | 'enable_analyzer' | 'enable_match';
export type TypeParam = string | number | boolean | Record<string, any>;
export type FieldType = {
  name: string;
  description?: string;
  data_type: DataType | keyof typeof DataType;
  element_type?: DataType | keyof typeof DataType;
  is_primary_key?: boolean;
  is_partition_key?: boolean;
  /** Set on a BM25 function's output; the function must name the field. */
  is_function_output?: boolean;
  is_clustering_key?: boolean;
  type_params?: Partial<Record<TypeParamKey, TypeParam>>;
  autoID?: boolean;
  default_value?: number | string | boolean;
  nullable?: boolean;
} & Partial<Record<TypeParamKey, TypeParam>>;
export interface CreateIndexParam { index_type?: string; metric_type: string; params?: string | Record<string, any> }
export interface CreateIndexReq extends collectionNameReq { field_name: string; index_name?: string; extra_params?: CreateIndexParam }
export interface CreateIndexSimpleReq extends collectionNameReq {
  field_name: string;
  index_type?: string;
  metric_type?: string;
  index_name?: string;
  params?: Record<string, any>;
}
export type CreateIndexRequest = CreateIndexReq | CreateIndexSimpleReq;
export type CreateIndexesReq = CreateIndexRequest[] | CreateIndexRequest;
interface BaseCreateCollectionReq extends GrpcTimeOut {
  collection_name: string;
  db_name?: string;
  description?: string;
  consistency_level?: keyof typeof ConsistencyLevelEnum | ConsistencyLevelEnum;
  num_partitions?: number;
  partition_key_field?: string;
  enable_dynamic_field?: boolean;
  enableDynamicField?: boolean;
  shards_num?: 1;
  /** `allow_insert_auto_id` only (an auto_id insert may give its keys); others are refused. */
  properties?: { allow_insert_auto_id?: boolean | string };
  /** The schema's functions: BM25 (one VarChar input with enable_analyzer, one
   * SparseFloatVector output, no params). */
  functions?: FunctionObject[];
}
/** The SDK's FunctionType. */
export declare enum FunctionType { Unknown = 0, BM25 = 1, TEXTEMBEDDING = 2, RERANK = 3, MINHASH = 4, MOLFINGERPRINT = 5 }
export interface FunctionObject {
  name: string;
  description?: string;
  type: FunctionType;
  input_field_names: string[];
  output_field_names?: string[];
  params?: Record<string, any>;
}
/** The SDK's reranker objects and their builders. */
export interface RerankerObj { strategy: 'rrf' | 'weighted' | string; params: Record<string, any> }
export declare function RRFRanker(k?: number): RerankerObj;
export declare function WeightedRanker(weights: number[]): RerankerObj;
export interface HybridSearchSingleReq {
  data: SearchData;
  anns_field: string;
  params?: Record<string, any>;
  expr?: string;
  filter?: string;
  exprValues?: keyValueObj;
  limit?: number;
  metric_type?: string;
}
export interface HybridSearchReq extends collectionNameReq {
  data: HybridSearchSingleReq[];
  /** Default: RRFRanker(60). */
  rerank?: RerankerObj;
  limit?: number;
  topk?: number;
  offset?: number;
  output_fields?: string[];
  partition_names?: string[];
  consistency_level?: ConsistencyLevelEnum | keyof typeof ConsistencyLevelEnum;
  round_decimal?: number;
}
export interface CreateCollectionWithFieldsReq extends BaseCreateCollectionReq {
  fields: FieldType[];
  index_params?: Omit<CreateIndexSimpleReq, 'collection_name'>[] | Omit<CreateIndexSimpleReq, 'collection_name'>;
}
export interface CreateCollectionWithSchemaReq extends BaseCreateCollectionReq {
  schema: FieldType[];
  index_params?: CreateCollectionWithFieldsReq['index_params'];
}
export interface CreateColReq extends GrpcTimeOut {
  collection_name: string;
  db_name?: string;
  dimension: number;
  primary_field_name?: string;
  id_type?: DataType.Int64 | DataType.VarChar | 'Int64' | 'VarChar';
  max_length?: number;
  metric_type?: string;
  vector_field_name?: string;
  enableDynamicField?: boolean;
  enable_dynamic_field?: boolean;
  auto_id?: boolean;
  index_params?: Record<string, any>;
  consistency_level?: keyof typeof ConsistencyLevelEnum | ConsistencyLevelEnum;
  description?: string;
}
export type CreateCollectionReq = CreateCollectionWithFieldsReq | CreateCollectionWithSchemaReq;

export type FieldSchema = {
  type_params: KeyValuePair<TypeParamKey, string>[];
  index_params: KeyValuePair[];
  fieldID: string | number;
  name: string;
  is_primary_key: boolean;
  description: string;
  data_type: keyof typeof DataType;
  autoID: boolean;
  state: string;
  element_type?: keyof typeof DataType;
  default_value?: number | string | boolean | null;
  dataType: DataType;
  is_partition_key?: boolean;
  is_dynamic?: boolean;
  is_clustering_key?: boolean;
  nullable?: boolean;
  is_function_output: boolean;
} & Partial<Record<TypeParamKey, string>>;
export interface CollectionSchema {
  name: string;
  description: string;
  enable_dynamic_field: boolean;
  autoID: boolean;
  fields: FieldSchema[];
  functions: FunctionDescription[];
  struct_array_fields: FieldSchema[];
}
export interface FunctionDescription {
  name: string;
  description: string;
  type: string;
  input_field_names: string[];
  output_field_names: string[];
  input_field_ids: string[];
  output_field_ids: string[];
  params: KeyValuePair[];
}
export interface DescribeCollectionResponse {
  status: ResStatus;
  schema: CollectionSchema;
  collectionID: string;
  collection_name: string;
  consistency_level: string;
  aliases: string[];
  virtual_channel_names: string[];
  physical_channel_names: string[];
  start_positions: string[];
  properties: KeyValuePair[];
  created_timestamp: string;
  created_utc_timestamp: string;
  shards_num: number;
  num_partitions?: string;
  db_name: string;
  functions: FunctionDescription[];
  update_timestamp_str: string;
  update_timestamp: number;
  anns_fields: Record<string, FieldSchema>;
  scalar_fields: Record<string, FieldSchema>;
  function_fields: Record<string, FieldSchema>;
}
export interface BoolResponse extends resStatusResponse { value: boolean }
export interface CollectionData { name: string; id: string; timestamp: string; loadedPercentage: string }
export interface ShowCollectionsReq extends GrpcTimeOut { type?: ShowCollectionsType; collection_names?: string[]; db_name?: string }
export interface ShowCollectionsResponse extends resStatusResponse {
  data: CollectionData[];
  collection_names: string[];
  collection_ids: string[];
  created_timestamps: string[];
  created_utc_timestamps: string[];
  inMemory_percentages: string[];
}
export interface StatisticsResponse extends resStatusResponse { stats: KeyValuePair[]; data: { [x: string]: any } }
export interface LoadCollectionReq extends collectionNameReq { replica_number?: 1; refresh?: boolean }
export interface GetLoadStateReq extends collectionNameReq { partition_names?: string[] }
export interface GetLoadStateResponse extends resStatusResponse { state: LoadState }
export interface GetLoadingProgressResponse extends resStatusResponse { progress: string }
export interface RenameCollectionReq extends collectionNameReq { new_collection_name: string }

// ---- partitions -------------------------------------------------------------------------------

export interface PartitionReq extends collectionNameReq { partition_name: string }
export interface ShowPartitionsReq extends collectionNameReq { type?: number }
export interface ShowPartitionsResponse extends resStatusResponse {
  partition_names: string[];
  partitionIDs: string[];
  created_timestamps: string[];
  created_utc_timestamps: string[];
  data: CollectionData[];
}
export interface PartitionsReq extends collectionNameReq { partition_names: string[]; replica_number?: 1 }

// ---- indexes ----------------------------------------------------------------------------------

export interface DescribeIndexReq extends collectionNameReq { field_name?: string; index_name?: string }
export interface IndexDescription {
  index_name: string;
  indexID: number;
  params: KeyValuePair[];
  field_name: string;
  indexed_rows: string;
  total_rows: string;
  state: string;
  index_state_fail_reason: string;
  pending_index_rows: string;
}
export interface DescribeIndexResponse extends resStatusResponse { index_descriptions: IndexDescription[] }
export interface ListIndexResponse extends resStatusResponse { indexes: string[] }
export interface GetIndexStateResponse extends resStatusResponse { state: string }
export interface GetIndexBuildProgressResponse extends resStatusResponse { indexed_rows: number; total_rows: number }

// ---- data -------------------------------------------------------------------------------------

export type FieldData = boolean | number | bigint | string | null | undefined | FieldData[] | { [key: string]: any } | Uint8Array;
export interface RowData { [x: string]: FieldData }
interface BaseInsertReq extends collectionNameReq { partition_name?: string }
export type InsertReq = (BaseInsertReq & { data: RowData[]; fields_data?: never }) | (BaseInsertReq & { fields_data: RowData[]; data?: never });
export declare enum FieldPartialUpdateOpType { REPLACE = 0, ARRAY_APPEND = 1, ARRAY_REMOVE = 2 }
export type FieldPartialUpdateOpName = keyof typeof FieldPartialUpdateOpType;
export interface FieldPartialUpdateOp { field_name: string; op: FieldPartialUpdateOpType | FieldPartialUpdateOpName }
/** Merge mode (partial_update) and ARRAY_APPEND / ARRAY_REMOVE field operations, as Milvus 2.6.2+ / 3.0. */
export type UpsertReq = InsertReq & { partial_update?: boolean; field_ops?: FieldPartialUpdateOp[] };
export interface NumberArrayId { int_id: { data: string[] }; id_field?: 'int_id' }
export interface StringArrayId { str_id: { data: string[] }; id_field?: 'str_id' }
export interface MutationResult extends resStatusResponse {
  succ_index: number[];
  err_index: number[];
  acknowledged: boolean;
  insert_cnt: string;
  delete_cnt: string;
  upsert_cnt: string;
  timestamp: string;
  IDs: StringArrayId | NumberArrayId;
}
/** A filter's template values (`age > {min}` with `{ min: 18 }`): bound by the core as constants. */
export type keyValueObj = Record<string, any>;
interface BaseDeleteReq extends collectionNameReq {
  partition_name?: string;
  exprValues?: keyValueObj;
  consistency_level?: 'Strong' | 'Session' | 'Bounded' | 'Eventually' | 'Customized';
}
export type DeleteReq = (BaseDeleteReq & { ids: string[] | number[] }) | (BaseDeleteReq & { filter: string }) | (BaseDeleteReq & { expr: string });
export type DeleteEntitiesReq = (BaseDeleteReq & { expr: string }) | (BaseDeleteReq & { filter: string });
/** Milvus 3.0's ordering: `'price:desc,rating'`, or a list of `field[:direction]` strings and
 * `{ field, order }` objects (order asc, ascending, desc or descending; asc when absent). */
export type OrderByOrder = 'asc' | 'desc' | 'ascending' | 'descending';
export type OrderByField = string | { field: string; order?: OrderByOrder };
export type OrderByFields = string | OrderByField[];
export interface QueryReq extends collectionNameReq {
  /** Rows ordered by BOOL, INT8 to INT64, FLOAT, DOUBLE or VARCHAR fields (each
   * `field[:direction[:nulls_first|nulls_last]]`; nulls last ascending, first descending),
   * ties in storage order; needs a `limit`, which with `offset` applies after the ordering. */
  order_by_fields?: OrderByFields;
  /** Alias of order_by_fields. */
  order_by?: OrderByFields;
  output_fields?: string[];
  partition_names?: string[];
  ids?: string[] | number[];
  expr?: string;
  filter?: string;
  exprValues?: keyValueObj;
  offset?: number;
  limit?: number;
  consistency_level?: ConsistencyLevelEnum | keyof typeof ConsistencyLevelEnum;
}
export interface QueryIteratorReq extends Omit<QueryReq, 'ids' | 'offset' | 'limit' | 'order_by'> {
  limit?: number;
  batchSize: number;
}
export interface GetReq extends collectionNameReq {
  ids: string[] | number[];
  output_fields?: string[];
  partition_names?: string[];
  offset?: number;
  limit?: number;
  consistency_level?: ConsistencyLevelEnum | keyof typeof ConsistencyLevelEnum;
}
export interface CountReq extends collectionNameReq { expr?: string; filter?: string }
export interface QueryResults extends resStatusResponse { data: Record<string, any>[] }
export interface CountResult extends resStatusResponse { data: number }

export type SparseFloatVector = { [key: string]: number } | { indices: number[]; values: number[] } | Map<number, number>;
export type VectorTypes = number[] | Float32Array | Uint8Array | Int8Array | Uint16Array | SparseFloatVector;
export type SearchData = VectorTypes;
export interface SearchParam {
  anns_field: string;
  topk: string | number;
  metric_type: string;
  params: string | Record<string, any>;
  offset?: number;
  round_decimal?: number;
  ignore_growing?: boolean;
}
export interface SearchReq extends collectionNameReq {
  anns_field?: string;
  partition_names?: string[];
  expr?: string;
  filter?: string;
  exprValues?: keyValueObj;
  search_params: SearchParam;
  vectors: SearchData | SearchData[];
  output_fields?: string[];
  vector_type?: DataType.BinaryVector | DataType.FloatVector;
  nq?: number;
  consistency_level?: ConsistencyLevelEnum | keyof typeof ConsistencyLevelEnum;
}
export interface SearchSimpleReq extends collectionNameReq {
  partition_names?: string[];
  anns_field?: string;
  data?: SearchData | SearchData[];
  vector?: SearchData | SearchData[];
  output_fields?: string[];
  limit?: number;
  topk?: number;
  offset?: number;
  filter?: string;
  expr?: string;
  exprValues?: keyValueObj;
  params?: Record<string, any>;
  metric_type?: string;
  consistency_level?: ConsistencyLevelEnum | keyof typeof ConsistencyLevelEnum;
  ignore_growing?: boolean;
  round_decimal?: number;
  nq?: number;
  /** Search by primary keys (Milvus 2.6.9): these keys' stored vectors are the query vectors
   * (no `data` then, and `anns_field` is required). */
  ids?: Array<number | bigint> | string[];
  /** Grouping search (Milvus 2.6): `limit` groups of this field's value (BOOL, INT8 to INT64,
   * VARCHAR, or a JSON field, JSON path or dynamic key, grouped as text), best first, each its best `group_size` hits (1 to 10, default 1), only full
   * groups with `strict_group_size`; the hits flattened group by group. */
  group_by_field?: string;
  group_size?: number;
  strict_group_size?: boolean;
  /** Milvus 3.0: the `offset + limit` best hits (or groups, by their best hit) reordered by these
   * fields, dynamic keys or JSON paths (`meta["price"]`), nulls last, ties best first; then
   * `offset` skipped. Refused by a search iterator, as Milvus refuses it. */
  order_by_fields?: OrderByFields;
}
export interface SearchIteratorReq
  extends Omit<SearchSimpleReq, 'offset' | 'limit' | 'topk' | 'ids' | 'group_by_field' | 'group_size' | 'strict_group_size'> {
  limit?: number;
  batchSize: number;
  external_filter_fn?: (row: SearchResultData) => boolean;
}
export interface SearchResultData {
  [x: string]: any;
  score: number;
}
export type DetermineResultsType<T extends Record<string, any>> = T['vectors'] extends [SearchData] ? SearchResultData[] : T['vectors'] extends SearchData[] ? SearchResultData[][] : T['vector'] extends SearchData ? SearchResultData[] : T['data'] extends SearchData ? SearchResultData[] : T['data'] extends SearchData[] ? SearchResultData[][] : SearchResultData[];
export interface SearchResults<T extends SearchReq | SearchSimpleReq> extends resStatusResponse {
  results: DetermineResultsType<T>;
  recalls: number[];
  session_ts: number;
  collection_name: string;
  all_search_count?: number;
}
export interface AliasReq extends collectionNameReq { alias: string }
export interface DescribeAliasResponse extends resStatusResponse { db_name: string; alias: string; collection: string }
export interface ListAliasesResponse extends resStatusResponse { db_name: string; aliases: string[]; collection_name: string }
export interface databaseReq extends GrpcTimeOut { db_name: string }
export interface ListDatabasesResponse extends resStatusResponse { db_names: string[]; db_ids: string[]; created_timestamp: string[] }
export interface DescribeDatabaseResponse extends resStatusResponse { db_name: string; dbID: number; created_timestamp: number; properties: KeyValuePair[] }
/** Properties as the SDK takes them: values are sent as text. partita keeps `mmap.enabled`
 * (stored-only: it has no effect in linear memory) and refuses any other key by name. */
export type Properties = Record<string, string | number | boolean>;
export interface AlterCollectionReq extends collectionNameReq { properties: Properties; delete_keys?: string[] }
export interface DropCollectionPropertiesReq extends collectionNameReq { properties: string[] }
export interface AlterCollectionFieldPropertiesReq extends collectionNameReq { field_name: string; properties: Properties }
export interface AlterIndexReq extends collectionNameReq { index_name: string; params: Record<string, number | string | boolean> }
export interface DropIndexPropertiesReq extends collectionNameReq { index_name: string; properties: string[] }
export interface AlterDatabaseRequest extends GrpcTimeOut { db_name: string; properties: Properties; delete_keys?: string[] }
export interface DropDatabasePropertiesRequest extends GrpcTimeOut { db_name: string; properties: string[] }

export interface FlushReq extends GrpcTimeOut { collection_names: string[]; db_name?: string }
export interface FlushResult extends resStatusResponse {
  coll_segIDs: any;
  flush_coll_segIDs: any;
  coll_seal_times: any;
  coll_flush_ts: any;
  db_name?: string;
  channel_cps?: any;
}
export interface GetFlushStateResponse extends resStatusResponse { flushed: boolean }

/** @zilliz/milvus2-sdk-node's MilvusClient over partita's embedded store. Methods partita does
 * not offer (users and roles, resource groups, replicas, bulk import, hybrid search,
 * iterators, ...) resolve to a status saying so. */
export declare class MilvusClient {
  static get sdkInfo(): { version: string; recommendMilvus: string };
  constructor(configOrAddress?: ClientConfig | string, ssl?: boolean, username?: string, password?: string);
  readonly config: ClientConfig;
  readonly address: string;
  /** Resolves once the WebAssembly core is loaded. */
  connectPromise: Promise<void>;
  getVersion(): Promise<{ version: string }>;
  checkHealth(): Promise<{ isHealthy: boolean; reasons: [] }>;
  /** Resolves to the SDK's CONNECT_STATUS.SHUTDOWN (5); the store stays. */
  closeConnection(): Promise<number>;

  /** Databases are named stores of one address; use() sets the database of this client's
   * requests that name none. */
  createDatabase(data: databaseReq & { properties?: Record<string, never> }): Promise<ResStatus>;
  listDatabases(data?: GrpcTimeOut): Promise<ListDatabasesResponse>;
  describeDatabase(data: databaseReq): Promise<DescribeDatabaseResponse>;
  dropDatabase(data: databaseReq): Promise<ResStatus>;
  /** No database property is acted on by partita: setting one is refused by name. */
  alterDatabaseProperties(data: AlterDatabaseRequest): Promise<ResStatus>;
  alterDatabase(data: AlterDatabaseRequest): Promise<ResStatus>;
  dropDatabaseProperties(data: DropDatabasePropertiesRequest): Promise<ResStatus>;
  use(data?: { db_name: string }): Promise<any>;
  useDatabase(data?: { db_name: string }): Promise<any>;

  createAlias(data: AliasReq): Promise<ResStatus>;
  alterAlias(data: AliasReq): Promise<ResStatus>;
  dropAlias(data: GrpcTimeOut & { alias: string; db_name?: string }): Promise<ResStatus>;
  describeAlias(data: AliasReq): Promise<DescribeAliasResponse>;
  listAliases(data: collectionNameReq): Promise<ListAliasesResponse>;

  createCollection(data: CreateColReq | CreateCollectionReq): Promise<ResStatus>;
  hasCollection(data: collectionNameReq): Promise<BoolResponse>;
  describeCollection(data: collectionNameReq & { cache?: boolean }): Promise<DescribeCollectionResponse>;
  showCollections(data?: ShowCollectionsReq): Promise<ShowCollectionsResponse>;
  listCollections(data?: ShowCollectionsReq): Promise<ShowCollectionsResponse>;
  dropCollection(data: collectionNameReq): Promise<ResStatus>;
  renameCollection(data: RenameCollectionReq): Promise<ResStatus>;
  getCollectionStatistics(data: collectionNameReq): Promise<StatisticsResponse>;
  getCollectionStats(data: collectionNameReq): Promise<StatisticsResponse>;
  loadCollection(data: LoadCollectionReq): Promise<ResStatus>;
  loadCollectionSync(data: LoadCollectionReq): Promise<ResStatus>;
  loadCollectionAsync(data: LoadCollectionReq): Promise<ResStatus>;
  releaseCollection(data: collectionNameReq): Promise<ResStatus>;
  getLoadState(data: GetLoadStateReq): Promise<GetLoadStateResponse>;
  getLoadingProgress(data: GetLoadStateReq): Promise<GetLoadingProgressResponse>;
  /** `mmap.enabled` is stored-only; `delete_keys` is honoured (the SDK 3.0.6 leaves it out). */
  alterCollectionProperties(data: AlterCollectionReq): Promise<ResStatus>;
  alterCollection(data: AlterCollectionReq): Promise<ResStatus>;
  dropCollectionProperties(data: DropCollectionPropertiesReq): Promise<ResStatus>;
  /** `mmap.enabled` only (stored-only); max_length, max_capacity and descriptions are fixed. */
  alterCollectionFieldProperties(data: AlterCollectionFieldPropertiesReq): Promise<ResStatus>;

  createPartition(data: PartitionReq): Promise<ResStatus>;
  hasPartition(data: PartitionReq): Promise<BoolResponse>;
  showPartitions(data: ShowPartitionsReq): Promise<ShowPartitionsResponse>;
  listPartitions(data: ShowPartitionsReq): Promise<ShowPartitionsResponse>;
  getPartitionStatistics(data: PartitionReq): Promise<StatisticsResponse>;
  getPartitionStats(data: PartitionReq): Promise<StatisticsResponse>;
  dropPartition(data: PartitionReq): Promise<ResStatus>;
  loadPartitions(data: PartitionsReq): Promise<ResStatus>;
  loadPartitionsSync(data: PartitionsReq): Promise<ResStatus>;
  releasePartitions(data: PartitionsReq): Promise<ResStatus>;

  createIndex(data: CreateIndexesReq): Promise<ResStatus>;
  describeIndex(data: DescribeIndexReq): Promise<DescribeIndexResponse>;
  listIndexes(data: DescribeIndexReq): Promise<ListIndexResponse>;
  getIndexState(data: DescribeIndexReq): Promise<GetIndexStateResponse>;
  getIndexBuildProgress(data: DescribeIndexReq): Promise<GetIndexBuildProgressResponse>;
  dropIndex(data: DescribeIndexReq): Promise<ResStatus>;
  /** `mmap.enabled`, the one configurable index parameter (stored-only). */
  alterIndexProperties(data: AlterIndexReq): Promise<ResStatus>;
  alterIndex(data: AlterIndexReq): Promise<ResStatus>;
  dropIndexProperties(data: DropIndexPropertiesReq): Promise<ResStatus>;

  insert(data: InsertReq): Promise<MutationResult>;
  upsert(data: UpsertReq): Promise<MutationResult>;
  delete(data: DeleteReq): Promise<MutationResult>;
  deleteEntities(data: DeleteEntitiesReq): Promise<MutationResult>;
  query(data: QueryReq): Promise<QueryResults>;
  get(data: GetReq): Promise<QueryResults>;
  count(data: CountReq): Promise<CountResult>;
  search<T extends SearchReq | SearchSimpleReq>(params: T): Promise<SearchResults<T>>;
  /** Each sub-request searched with its field's index metric, the hits fused by `rerank`. */
  hybridSearch(params: HybridSearchReq): Promise<SearchResults<SearchSimpleReq>>;
  /** Batches of rows in primary-key order, each row once even while other calls write. */
  queryIterator(data: QueryIteratorReq): Promise<AsyncIterable<Record<string, any>[]>>;
  /** Batches of hits for one vector, best first, each row once. */
  searchIterator(data: SearchIteratorReq): Promise<AsyncIterable<SearchResultData[]>>;
  flush(data: FlushReq): Promise<FlushResult>;
  flushSync(data: FlushReq): Promise<GetFlushStateResponse>;
  /** Every collection of the database (`db_name`, else the client's) flushed. */
  flushAll(data?: { db_name?: string }): Promise<resStatusResponse & { flush_all_ts: number; flush_all_tss: Record<string, number>; flush_all_msgs: Record<string, any> }>;
  flushAllSync(data?: { db_name?: string }): Promise<resStatusResponse & { flushed: boolean }>;
  /** describeCollection of each name, in order, each reply with its own status. */
  batchDescribeCollections(data: { collection_names: string[]; db_name?: string }): Promise<resStatusResponse & { responses: DescribeCollectionResponse[] }>;
  /** As describeIndex (its descriptions carry indexed_rows and total_rows). */
  getIndexStatistics(data: DescribeIndexReq): Promise<DescribeIndexResponse>;
  /** false: an embedded store has no primary to reconnect to. */
  reconnectToPrimary(): Promise<boolean>;
  runAnalyzer(data: RunAnalyzerRequest): Promise<RunAnalyzerResponse>;
}
