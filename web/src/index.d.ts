// Type declarations of partita's public surface (the same for the node, browser and workerd
// entry points). Names and fields mirror pymilvus's ORM, snake_case included.

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

export interface InitOptions {
  /** The core: a compiled module (Cloudflare Workers: import the .wasm and pass it), its bytes,
   * a fetch Response, or a URL. Default: dist/partita.wasm next to the package. */
  wasm?: WebAssembly.Module | BufferSource | Response | URL | string;
  /** A ceiling, in bytes, on the memory the core allocates (rows, indexes, results, request
   * buffers); 0 or null: none (the default). A call that would pass it throws a
   * MilvusMemoryError with code 9 ("memory quota exceeded, please allocate more resources ...")
   * and changes nothing. Every init() call that gives it sets it anew. */
  memory_limit?: number | null;
}

export interface InitInfo {
  version: string;
  /** The memory ceiling in force (0: none). */
  memory_limit: number;
}

/** Loads the WebAssembly core once; later calls return the same promise (after applying
 * their memory_limit, when they give one). */
export function init(options?: InitOptions): Promise<InitInfo>;
export function isInitialized(): boolean;

export interface MemoryUsage {
  /** Bytes the core's allocator holds now: every store, row, key index and pending result. */
  used: number;
  /** Size of WebAssembly linear memory in bytes (it grows, never shrinks). */
  heap: number;
  /** Bytes of float rows a durable store opened with `coldVectors` dropped from memory: they are
   * in its checkpoint file and read back when a call needs them (not counted in `used`). */
  cold: number;
}

/** Memory of the WebAssembly core (after init()). */
export function memoryUsage(): MemoryUsage;

// ---------------------------------------------------------------------------------------------
// DataType
// ---------------------------------------------------------------------------------------------

export interface DataTypeCodes {
  readonly NONE: 0;
  readonly BOOL: 1;
  readonly INT8: 2;
  readonly INT16: 3;
  readonly INT32: 4;
  readonly INT64: 5;
  readonly FLOAT: 10;
  readonly DOUBLE: 11;
  readonly STRING: 20;
  readonly VARCHAR: 21;
  readonly ARRAY: 22;
  readonly JSON: 23;
  readonly GEOMETRY: 24;
  readonly TEXT: 25;
  readonly TIMESTAMPTZ: 26;
  readonly BINARY_VECTOR: 100;
  readonly FLOAT_VECTOR: 101;
  readonly FLOAT16_VECTOR: 102;
  readonly BFLOAT16_VECTOR: 103;
  readonly SPARSE_FLOAT_VECTOR: 104;
  readonly INT8_VECTOR: 105;
  readonly UNKNOWN: 999;
}
export type DataTypeName = keyof DataTypeCodes;
export type DataTypeCode = DataTypeCodes[DataTypeName];
/** Milvus DataType codes (`DataType.INT64 === 5`) and their names (`DataType[5] === 'INT64'`). */
export const DataType: DataTypeCodes & { readonly [code: number]: DataTypeName | undefined };

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

export type DefaultValue = boolean | number | bigint | string | null;

export interface FieldOptions {
  is_primary?: boolean;
  /** Set by the schema's functions; given, a function must output the field. */
  is_function_output?: boolean;
  auto_id?: boolean;
  /** Vector dimension (in bits for BINARY_VECTOR). */
  dim?: number;
  /** VARCHAR (and ARRAY of VARCHAR) length limit, in UTF-8 bytes. */
  max_length?: number;
  /** ARRAY element type. */
  element_type?: DataTypeCode;
  /** ARRAY capacity. */
  max_capacity?: number;
  nullable?: boolean;
  default_value?: DefaultValue;
  is_partition_key?: boolean;
  is_clustering_key?: boolean;
  /** VARCHAR: tokenize the text with an analyzer (a boolean, or what Go's strconv.ParseBool reads). */
  enable_analyzer?: boolean | string;
  /** VARCHAR: allow text_match / phrase_match in filters (needs enable_analyzer). */
  enable_match?: boolean | string;
  /** VARCHAR: Milvus's analyzer_params (standard, english, whitespace, custom tokenizer and
   * filters); a dict is kept as its JSON text, as pymilvus does. */
  analyzer_params?: Record<string, unknown> | string;
}

export class FieldSchema {
  constructor(name: string, dtype: DataTypeCode | DataTypeName, description?: string, options?: FieldOptions);
  constructor(name: string, dtype: DataTypeCode | DataTypeName, options?: FieldOptions);
  readonly name: string;
  readonly dtype: DataTypeCode;
  readonly description: string;
  readonly is_primary: boolean;
  readonly auto_id: boolean;
  readonly nullable: boolean;
  readonly is_partition_key: boolean;
  readonly is_clustering_key: boolean;
  readonly dim?: number;
  readonly max_length?: number;
  readonly element_type?: DataTypeCode;
  readonly max_capacity?: number;
  readonly default_value?: DefaultValue;
  readonly enable_analyzer?: boolean | string;
  readonly enable_match?: boolean | string;
  /** analyzer_params as JSON text. */
  readonly analyzer_params?: string;
  /** Type parameters, as pymilvus's FieldSchema.params. */
  readonly params: {
    dim?: number;
    max_length?: number;
    max_capacity?: number;
    enable_match?: boolean | string;
    enable_analyzer?: boolean | string;
    analyzer_params?: string;
  };
  toJSON(): object;
}

/** pymilvus's FunctionType: only BM25 runs (the others are refused by name). */
export declare const FunctionType: { readonly UNKNOWN: 0; readonly BM25: 1; readonly TEXTEMBEDDING: 2; readonly RERANK: 3; readonly MINHASH: 4; readonly MOLFINGERPRINT: 5 };

/** pymilvus's Function: a BM25 function fills its SPARSE_FLOAT_VECTOR output from its VARCHAR
 * input (enable_analyzer) on every write; the output is never written nor returned. */
export class Function {
  constructor(name: string, function_type: number, input_field_names: string | string[], output_field_names: string | string[],
              description?: string, params?: Record<string, unknown> | null);
  readonly name: string;
  readonly type: number;
  readonly input_field_names: string[];
  readonly output_field_names: string[];
  readonly description: string;
  readonly params: Record<string, unknown>;
  toJSON(): object;
}

export interface CollectionSchemaOptions {
  /** The schema's functions (BM25). */
  functions?: Function[];
  auto_id?: boolean;
  enable_dynamic_field?: boolean;
  primary_field?: string;
  partition_key_field?: string;
}

export class CollectionSchema {
  constructor(fields: FieldSchema[], description?: string, options?: CollectionSchemaOptions);
  constructor(fields: FieldSchema[], options?: CollectionSchemaOptions);
  readonly fields: FieldSchema[];
  readonly description: string;
  readonly auto_id: boolean;
  readonly enable_dynamic_field: boolean;
  readonly primary_field: FieldSchema;
  readonly partition_key_field: FieldSchema | undefined;
  readonly functions: Function[];
  /** pymilvus's add_function: checked against the fields, kept; returns the schema. */
  add_function(fn: Function): this;
  toJSON(): object;
}

// ---------------------------------------------------------------------------------------------
// Data and results
// ---------------------------------------------------------------------------------------------

/** A primary key: INT64 keys as numbers or BigInts (and as strings of digits in the `int64:
 * 'string'` key mode), VARCHAR keys as strings. A number beyond 2^53 stands for the integer it
 * holds (2 ** 60 is 1152921504606846976n), as an insert of it stores. */
export type PrimaryKey = number | bigint | string;

/** A value of a field, in any form insert / upsert take. */
export type FieldValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | readonly unknown[]
  | ArrayBufferView
  | Map<number, number>
  | { [key: string]: unknown };

/** One entity: field name to value; with the dynamic field on, other keys are kept too. */
export type Row = { [field: string]: FieldValue | undefined };

/** A column: an array of values, or a typed array (a vector column may be one flat
 * Float32Array of rows × dim; INT64 columns BigInt64Array or Float64Array). */
export type Column = readonly unknown[] | ArrayBufferView;

/** Anything with Apache Arrow Table's public interface (getChild, numRows, schema.fields). */
export interface ArrowTableLike {
  readonly numRows: number;
  readonly schema: { readonly fields: ReadonlyArray<{ readonly name: string }> };
  getChild(name: string): unknown;
}

/** Every form of data insert and upsert take, as pymilvus: columns, rows, one row, a DataFrame. */
export type InsertData = Column[] | Row[] | Row | ArrowTableLike;

export class MutationResult {
  readonly insert_count: number;
  readonly delete_count: number;
  readonly upsert_count: number;
  readonly succ_count: number;
  /** Every row, [0, n): frozen, and shared by results of the same size. */
  readonly succ_index: readonly number[];
  readonly err_count: number;
  readonly err_index: number[];
  readonly primary_keys: PrimaryKey[];
  /** Hybrid timestamp: physical milliseconds << 18 | logical counter. */
  readonly timestamp: bigint;
  /** The fields as JSON.stringify writes them: BigInts (auto_id keys, the timestamp) as their
   * decimal digits, as Milvus's REST API writes INT64 values. */
  toJSON(): object;
  toString(): string;
}

/** A row read back: INT64 as number (BigInt beyond 2^53; every INT64 value, ARRAY elements and
 * hit ids included, as a string of digits with ConnectOptions `int64: 'string'`), FLOAT_VECTOR / FLOAT16_VECTOR /
 * BFLOAT16_VECTOR / INT8_VECTOR as number[], BINARY_VECTOR as Uint8Array, JSON and ARRAY as
 * parsed values, SPARSE_FLOAT_VECTOR as { index: value }, nulls as null; dynamic keys top-level.
 * A row (or hit) holding a BigInt has a non-enumerable toJSON: JSON.stringify writes each
 * BigInt as its decimal digits (Milvus REST's int64-as-string) instead of throwing. */
export type Entity = { [field: string]: unknown };

/** Milvus's consistency levels, by name or code. Every read of the embedded store sees every
 * write acknowledged before it (Strong), which is what each level allows at least; any other
 * value is refused (ParamError "invalid consistency level: ..."). */
export type ConsistencyLevel = 'Strong' | 'Session' | 'Bounded' | 'Eventually' | 'Customized' | 0 | 1 | 2 | 3 | 4;

/** Every options object below is checked key by key: a key partita does not implement (say
 * `group_by_field`, or a misspelling) throws a ParamError naming it, and nothing is done. */
export interface TimeoutOption {
  /** Seconds, or null for none. */
  timeout?: number | null;
}
export interface MutationOptions extends TimeoutOption {
  /**
   * On a forwarding connection: 'local' (default) resolves once the mutation is applied to the
   * embedded store and queued for the remote; 'remote' also waits for the remote's
   * acknowledgement and rejects with the remote's error (the local store keeps the mutation).
   * `timeout` bounds the wait (the mutation stays queued). A connection that forwards nowhere
   * takes 'local' only.
   */
  ack?: 'local' | 'remote';
}
export interface CollectionMutationOptions extends MutationOptions {
  /** Target partition (default `_default`). */
  partition_name?: string;
}

/** Milvus's FieldPartialUpdateOp.OpType codes (`FieldOpType.ARRAY_APPEND === 1`) and their names. */
export interface FieldOpTypeCodes {
  readonly REPLACE: 0;
  readonly ARRAY_APPEND: 1;
  readonly ARRAY_REMOVE: 2;
}
export const FieldOpType: FieldOpTypeCodes & { readonly [code: number]: keyof FieldOpTypeCodes | undefined };
/** One field operation, as FieldOp's factories make it. */
export interface FieldPartialUpdateOp {
  readonly op: number;
}
/** pymilvus's FieldOp factories: `field_ops: { tags: FieldOp.array_append() }`. */
export const FieldOp: {
  replace(): FieldPartialUpdateOp;
  array_append(): FieldPartialUpdateOp;
  array_remove(): FieldPartialUpdateOp;
};
/** An operation as `field_ops` takes it: a FieldOp, a FieldOpType code, or a string alias
 * (case-insensitive); null / undefined and REPLACE are dropped, as pymilvus drops them. */
export type FieldOpInput = FieldPartialUpdateOp | number | 'replace' | 'array_append' | 'array_remove' | string | null | undefined;

export interface UpsertOptions extends MutationOptions {
  /**
   * Merge mode (Milvus 2.6.2+): a key stored in the target partition (any partition in
   * partition-key mode) keeps every field the row leaves out (vectors, nullable and defaulted
   * fields, ARRAY, JSON); a field given, null included, replaces the stored value; the dynamic
   * keys given are merged key by key into the stored ones. A new key must carry every field
   * that is neither nullable nor defaulted ("fieldSchema(v) has no corresponding fieldData pass
   * in"); the rows of one batch must carry the same fields ("The data fields length is
   * inconsistent"). delete_count counts the keys that were stored. All or nothing.
   */
  partial_update?: boolean;
  /**
   * Per-field operations (Milvus 3.0): ARRAY_APPEND puts the elements given after the stored
   * ones (duplicates kept), ARRAY_REMOVE drops every stored element equal to one given; a null
   * base counts as empty, a null payload changes nothing, a new key stores the payload; the
   * result must fit max_capacity. Any operation other than REPLACE makes the upsert a merge.
   */
  field_ops?: { [field: string]: FieldOpInput };
}
export interface CollectionUpsertOptions extends UpsertOptions {
  /** Target partition (default `_default`). */
  partition_name?: string;
}
/**
 * A filter's template values (Milvus's expr_params): `age > {min}` with `{ min: 18 }`. Each
 * `{name}` stands for its value, bound as a constant and never read as expression text: a bool,
 * a number (an integer when it has no fraction: BigInts for all of int64), a string, or a list
 * (array or typed array) of these. A name without a value is an error; unused values are not.
 */
export type ExprParams = Record<string, ExprParamValue>;
export type ExprParamValue = boolean | number | bigint | string | ExprParamValue[] | ArrayLike<number>;
export interface DeleteOptions extends MutationOptions {
  expr_params?: ExprParams;
}
export interface CollectionDeleteOptions extends DeleteOptions {
  /** Target partition (default: every partition). */
  partition_name?: string;
}
export interface QueryOptions extends TimeoutOption {
  /** Fields to return; `*` for all, `count(*)` to count; the primary key always comes back. */
  output_fields?: string[];
  limit?: number;
  offset?: number;
  consistency_level?: ConsistencyLevel;
  expr_params?: ExprParams;
  /** Milvus 3.0's ordering (needs a limit): `'price:desc,rating'` or a list of such strings and
   * `{ field, order }` objects; BOOL, INT8 to INT64, FLOAT, DOUBLE or VARCHAR fields, nulls last
   * ascending and first descending (`field:asc:nulls_first` says otherwise), ties in storage order. */
  order_by_fields?: OrderByFields;
}
/** Milvus 3.0's order_by_fields: a string (`'price:desc,rating'`) or a list of strings and
 * `{ field, order }` objects (asc, ascending, desc, descending; asc when absent). */
export type OrderByFields = string | Array<string | { field: string; order?: 'asc' | 'desc' | 'ascending' | 'descending' }>;
export interface CollectionQueryOptions extends QueryOptions {
  partition_names?: string[];
}
export interface GetOptions extends TimeoutOption {
  output_fields?: string[];
  consistency_level?: ConsistencyLevel;
}
export interface CollectionGetOptions extends GetOptions {
  partition_names?: string[];
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

/** Milvus's metrics: L2 (squared Euclidean distance), IP (inner product), COSINE (cosine
 * similarity) for FLOAT / FLOAT16 / BFLOAT16 / INT8 vectors (IP also for sparse ones); HAMMING
 * and JACCARD for binary vectors. Names are case-insensitive. */
export type MetricType = 'L2' | 'IP' | 'COSINE' | 'HAMMING' | 'JACCARD';

/** One dense query vector: numbers, or a typed array (BINARY: Uint8Array of dim/8 bytes; INT8:
 * Int8Array, or Uint8Array of raw bytes; FLOAT16 / BFLOAT16: numbers, or Uint16Array halves). */
export type DenseVector = readonly number[] | Float32Array | Float64Array | Int8Array | Uint8Array | Uint16Array;

/** One sparse query vector: { index: value }, a Map, or { indices, values }. */
export type SparseVector =
  | { readonly [index: number]: number }
  | ReadonlyMap<number, number>
  | { readonly indices: ArrayLike<number>; readonly values: ArrayLike<number> };

/** Query vectors: a list of vectors (one list of hits per vector), one vector, or one flat typed
 * array of nq × dim values (nq × dim/8 bytes for BINARY). */
export type SearchData = readonly DenseVector[] | DenseVector | readonly SparseVector[] | SparseVector;

/** pymilvus's search `param`. */
export interface SearchParam {
  /** Default: COSINE for dense vectors, HAMMING for binary, IP for sparse. */
  metric_type?: MetricType | Lowercase<MetricType>;
  /** Range search: keep range_filter <= distance < radius (L2, HAMMING, JACCARD) or
   * radius < distance <= range_filter (IP, COSINE) (range searches are exact). The index's:
   * ef (HNSW, HNSW_SQ; default k), nprobe (IVF_FLAT, IVF_SQ8, IVF_RABITQ, BIN_IVF_FLAT; default 8), refine_k (HNSW_SQ,
   * IVF_RABITQ; with refine), rbq_bits_query or rbq_query_bits (IVF_RABITQ, 0-8, default 0); on a field without that
   * index type they are refused by name. Other index parameters are refused by name (ParamError). */
  params?: { radius?: number; range_filter?: number; ef?: number; nprobe?: number; refine_k?: number; rbq_bits_query?: number; rbq_query_bits?: number };
  /** Hits to skip (options.offset takes precedence). */
  offset?: number;
  /** Decimals to round distances to, -1 (default) for none (options.round_decimal takes precedence). */
  round_decimal?: number;
  /** Top-k when the `limit` argument is left out. */
  limit?: number;
  /** Grouping search, as in the options (the options' values take precedence). */
  group_by_field?: string;
  group_size?: number;
  strict_group_size?: boolean;
}

export interface SearchOptions extends TimeoutOption {
  /** Fields to return in each hit's `entity`: names, dynamic keys, `$meta`, `*`. */
  output_fields?: string[];
  offset?: number;
  /** -1 to 6. */
  round_decimal?: number;
  consistency_level?: ConsistencyLevel;
  expr_params?: ExprParams;
  /** Search by primary keys (Milvus 2.6.9): the stored vectors of these keys (all integers or
   * all strings, as the primary key) are the query vectors; `data` must then be null and
   * `anns_field` given. A key with no live row in the partitions searched is an error. In the
   * `int64: 'string'` key mode, INT64 keys may be strings of digits. */
  ids?: Array<number | bigint> | string[];
  /** Grouping search (Milvus 2.6): hits grouped by this field's value (BOOL, INT8 to INT64 or
   * VARCHAR; null values form a group), or by a JSON value: a JSON field by name (its whole
   * value), a path into one (`meta["k"]`), a dynamic key (`color`, `$meta["color"]`), grouped as
   * text (a string's characters, any other value's JSON text, so 1 and "1" are one group; a
   * missing key is the null group); `limit` (and `offset`) count groups, best group first,
   * each holding its best `group_size` hits, the hits of each query flattened group by group. */
  group_by_field?: string;
  /** Hits per group, 1 (default) to 10; refused (ParamError) without group_by_field. */
  group_size?: number;
  /** Only groups of exactly group_size hits are returned; refused without group_by_field. */
  strict_group_size?: boolean;
  /** Milvus 3.0: the `offset + limit` best hits (or groups, by their best hit) reordered by these
   * fields, dynamic keys or JSON paths (`meta["price"]`), nulls last, ties best first; then
   * `offset` skipped. */
  order_by_fields?: OrderByFields;
}
export interface CollectionSearchOptions extends SearchOptions {
  partition_names?: string[];
}

/** One search of a hybrid search (pymilvus's AnnSearchRequest): query vectors (texts for a BM25
 * function's output field), the field, its param (metric_type, params), limit and filter. */
export class AnnSearchRequest {
  constructor(data: SearchData | string | string[], anns_field: string, param: SearchParam, limit: number, expr?: string | null,
              expr_params?: ExprParams | null);
}
/** Reciprocal rank fusion: a row scores the sum of 1 / (k + rank) over the searches that found it. */
export class RRFRanker {
  constructor(k?: number);
}
/** Weighted fusion: the sum of weight * score normalised per metric (Milvus's, with norm_score,
 * the default). `new WeightedRanker(0.7, 0.3)`, or with `{ norm_score: false }` last. */
export class WeightedRanker {
  constructor(...weights: Array<number | { norm_score?: boolean }>);
}

export interface PartitionHybridSearchOptions extends TimeoutOption {
  /** Fields to return in each hit's `entity`. */
  output_fields?: string[];
  /** Fused hits to skip. */
  offset?: number;
  /** -1 to 6. */
  round_decimal?: number;
}

export interface HybridSearchOptions extends TimeoutOption {
  partition_names?: string[];
  /** Fields to return in each hit's `entity`. */
  output_fields?: string[];
  /** Fused hits to skip. */
  offset?: number;
  /** -1 to 6. */
  round_decimal?: number;
}

/** One search hit, as pymilvus's Hit: the primary key, Milvus's distance (squared L2, inner
 * product, cosine similarity, Hamming count or Jaccard distance) and the output fields (the
 * primary key among them only when it was asked for by name or by `*`). */
export interface Hit {
  id: PrimaryKey;
  distance: number;
  entity: Entity;
}

// ---------------------------------------------------------------------------------------------
// Collections and partitions
// ---------------------------------------------------------------------------------------------

export interface CollectionOptions {
  /** Connection alias (default `default`). */
  using?: string;
  /** Partition-key collections: number of partitions (default 16). */
  num_partitions?: number;
  consistency_level?: ConsistencyLevel;
  /** Collection properties set at creation: partita knows `allow_insert_auto_id` (a boolean or
   * Go's ParseBool text: an auto_id insert may give its keys); any other is refused by name. */
  properties?: CollectionProperties;
}

export interface CollectionProperties {
  allow_insert_auto_id?: boolean | string;
}

export interface QueryIteratorOptions extends TimeoutOption {
  /** Rows per batch, 0 to 16384 (default 1000). */
  batch_size?: number;
  /** Rows in all, -1 (default) for all. */
  limit?: number;
  expr?: string;
  output_fields?: string[];
  partition_names?: string[];
  /** Rows skipped before the first batch (in key order). */
  offset?: number;
  expr_params?: ExprParams;
}
/** search_iterator's param: the metric (required) and a range; its batch size, limit and
 * round_decimal are arguments and options of their own, and it takes no offset but 0. */
export interface SearchIteratorParam {
  metric_type: MetricType | Lowercase<MetricType>;
  params?: { radius?: number; range_filter?: number };
  /** Only 0: pymilvus's iterators do not skip ("Not support offset when searching iteration"). */
  offset?: 0;
}
export interface SearchIteratorOptions extends TimeoutOption {
  round_decimal?: number;
  expr_params?: ExprParams;
}
/** pymilvus's iterators: next() gives the next batch ([] when done), close() ends them; they
 * are async iterables of their batches too. */
export interface QueryIterator extends AsyncIterable<Entity[]> {
  next(): Promise<Entity[]>;
  close(): void;
}
export interface SearchIterator extends AsyncIterable<Hit[]> {
  next(): Promise<Hit[]>;
  close(): void;
}

/** pymilvus's index_params of create_index. */
export interface IndexParams {
  index_type?: string;
  metric_type?: string;
  params?: Record<string, unknown> | string;
}

/** An index on a collection's field (Collection.create_index, .index(), .indexes). */
export class Index {
  private constructor();
  readonly collection_name: string;
  readonly field_name: string;
  readonly index_name: string;
  readonly params: { index_type: string; metric_type: string; params: Record<string, unknown> };
  drop(options?: { timeout?: number | null }): void;
}

export class Collection {
  /** Opens `name`, or creates it from `schema` (an equal schema opens it too). */
  constructor(name: string, schema?: CollectionSchema, options?: CollectionOptions);
  constructor(name: string, options: CollectionOptions);
  readonly name: string;
  readonly using: string;
  readonly schema: CollectionSchema;
  readonly description: string;
  readonly primary_field: FieldSchema;
  /** Live entities (Milvus also counts deleted rows until compaction). */
  readonly num_entities: number;
  readonly is_empty: boolean;
  readonly partitions: Partition[];
  has_partition(name: string): boolean;
  create_partition(name: string, description?: string): Partition;
  partition(name: string): Partition | null;
  drop_partition(name: string, options?: TimeoutOption): void;
  drop(options?: TimeoutOption): void;
  /**
   * Builds an index on a field, as pymilvus's: index_params { index_type, metric_type, params }.
   * Built: HNSW (M, efConstruction), HNSW_SQ (M, efConstruction, sq_type SQ8, refine,
   * refine_type FP32), IVF_FLAT and IVF_SQ8 (nlist), IVF_RABITQ (nlist, refine, refine_type SQ8 / FP16 / BF16 /
   * FP32), AUTOINDEX (HNSW, M 18, efConstruction 240)
   * on FLOAT_VECTOR fields, HNSW on FLOAT16_VECTOR / BFLOAT16_VECTOR fields, BIN_IVF_FLAT (nlist;
   * HAMMING or JACCARD) on BINARY_VECTOR fields; FLAT, BIN_FLAT, SPARSE_INVERTED_INDEX, SPARSE_WAND (and AUTOINDEX on
   * other vector types) search exactly; any other type is refused by name.
   */
  create_index(field_name: string, index_params?: IndexParams, options?: { index_name?: string; timeout?: number | null }): Index;
  readonly indexes: Index[];
  index(options?: { index_name?: string; field_name?: string; timeout?: number | null }): Index;
  has_index(options?: { index_name?: string; timeout?: number | null }): boolean;
  drop_index(options?: { index_name?: string; timeout?: number | null }): void;
  insert(data: InsertData, options?: CollectionMutationOptions): Promise<MutationResult>;
  /**
   * Deletes the rows' keys in the target partition and inserts the rows, at one timestamp
   * (Milvus 2.6); duplicate keys in one batch are refused. A key whose only row there has the
   * same byte size in every variable-length value is overwritten where it is: the same result,
   * only the storage order (query and tie order) shows it.
   */
  upsert(data: InsertData, options?: CollectionUpsertOptions): Promise<MutationResult>;
  delete(expr: string, options?: CollectionDeleteOptions): Promise<MutationResult>;
  query(expr: string, options?: CollectionQueryOptions): Promise<Entity[]>;
  get(ids: PrimaryKey | readonly PrimaryKey[] | BigInt64Array, options?: CollectionGetOptions): Promise<Entity[]>;
  /** Exact vector search: one list of hits per query vector, best first (ties in storage
   * order). `anns_field` may be left out (undefined / null) when there is one vector field. */
  search(data: SearchData | null | undefined, anns_field: string | null | undefined, param: SearchParam | null | undefined, limit?: number,
         expr?: string | null, options?: CollectionSearchOptions): Promise<Hit[][]>;
  /** pymilvus's hybrid_search: each request searched, the hits fused by the ranker, best first
   * (the distances are the fused scores). */
  hybrid_search(reqs: AnnSearchRequest[], rerank: RRFRanker | WeightedRanker, limit: number, options?: HybridSearchOptions): Promise<Hit[][]>;
  /** pymilvus's query_iterator: batches of rows in primary-key order, each row present from
   * start to end once, whatever other calls write between batches. */
  query_iterator(options?: QueryIteratorOptions): Promise<QueryIterator>;
  query_iterator(batch_size?: number, limit?: number, expr?: string | null, output_fields?: string[] | null,
                 partition_names?: string[] | null, options?: QueryIteratorOptions): Promise<QueryIterator>;
  /** pymilvus's search_iterator: batches of hits for one query vector, best first (pages by
   * distance, ties broken by key); param.metric_type is required. */
  search_iterator(data: SearchData, anns_field: string | null | undefined, param: SearchIteratorParam, batch_size?: number,
                  limit?: number, expr?: string | null, partition_names?: string[] | null, output_fields?: string[] | null,
                  options?: SearchIteratorOptions): Promise<SearchIterator>;
  flush(options?: TimeoutOption): Promise<void>;
  load(options?: TimeoutOption): Promise<void>;
  release(options?: TimeoutOption): Promise<void>;
  /** The collection as snapshot bytes (name, schema, partitions, live rows, clocks);
   * Collection.load() restores it. See README "Saving and loading". */
  save(): Uint8Array;
  /** Restores a snapshot as a new collection (default: the saved name) in a connection's store.
   * Truncated, corrupted, foreign or newer-version bytes throw MilvusException code 1100
   * (status 'PT_CORRUPT') and add nothing. */
  static load(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options?: { name?: string; using?: string }): Collection;
  /** Frees deleted rows now (also automatic after mutations); results do not change. */
  compact(options?: TimeoutOption): Promise<void>;
  get_compaction_state(options?: TimeoutOption): Promise<CompactionState>;
  wait_for_compaction_completed(options?: TimeoutOption): Promise<CompactionState>;
}

/** pymilvus's CompactionState, plus the rows the last compact() removed. */
export interface CompactionState {
  compaction_id: number;
  state: 'Undefined' | 'Executing' | 'Completed';
  executing_plan_no: number;
  timeout_plan_no: number;
  completed_plan_no: number;
  removed_rows: number;
}

export class Partition {
  /** Opens partition `name` of a collection (or of the collection with that name), creating it
   * when it does not exist. */
  constructor(collection: Collection | string, name: string, description?: string, options?: { using?: string });
  readonly name: string;
  readonly description: string;
  readonly collection: Collection;
  readonly collection_name: string;
  /** Live entities in this partition. */
  readonly num_entities: number;
  readonly is_empty: boolean;
  insert(data: InsertData, options?: MutationOptions): Promise<MutationResult>;
  /** As Collection.upsert, into this partition. */
  upsert(data: InsertData, options?: UpsertOptions): Promise<MutationResult>;
  delete(expr: string, options?: DeleteOptions): Promise<MutationResult>;
  query(expr: string, options?: QueryOptions): Promise<Entity[]>;
  get(ids: PrimaryKey | readonly PrimaryKey[] | BigInt64Array, options?: GetOptions): Promise<Entity[]>;
  /** Exact vector search in this partition (see Collection.search). */
  search(data: SearchData | null | undefined, anns_field: string | null | undefined, param: SearchParam | null | undefined, limit?: number,
         expr?: string | null, options?: SearchOptions): Promise<Hit[][]>;
  /** pymilvus's Partition.hybrid_search: Collection.hybrid_search over this partition. */
  hybrid_search(reqs: AnnSearchRequest[], rerank: RRFRanker | WeightedRanker, limit: number, options?: PartitionHybridSearchOptions): Promise<Hit[][]>;
  flush(options?: TimeoutOption): Promise<void>;
  load(options?: TimeoutOption): Promise<void>;
  release(options?: TimeoutOption): Promise<void>;
  drop(options?: TimeoutOption): void;
}

// ---------------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------------

/** Where a forwarding connection keeps unacknowledged mutations across restarts. */
export interface OutboxStore {
  load(): Promise<Array<{ id: [number, number]; meta: unknown; rows?: Uint8Array; offsets?: Uint32Array }>>;
  put(record: { id: [number, number]; meta: unknown; rows?: Uint8Array; offsets?: Uint32Array }): Promise<void>;
  remove(id: [number, number]): Promise<void>;
  compact(): Promise<void>;
  close?(): Promise<void>;
}

/**
 * An outbox in a file (Node ≥ 20.15): an append-only log of checksummed frames, emptied when
 * nothing is pending. A frame cut short by a crash is cut off when the next program opens the
 * file; a file damaged otherwise (or not an outbox) is refused as it is: load() and writes reject.
 */
export class FileOutbox implements OutboxStore {
  constructor(path: string, options?: { fsync?: boolean });
  readonly path: string;
  load(): ReturnType<OutboxStore['load']>;
  put(record: Parameters<OutboxStore['put']>[0]): Promise<void>;
  remove(id: [number, number]): Promise<void>;
  compact(): Promise<void>;
  close(): Promise<void>;
}

/** An outbox in IndexedDB (browsers, web workers); `indexedDB` defaults to the global one;
 * `fsync`: writes ask for 'strict' durability. */
export class IndexedDBOutbox implements OutboxStore {
  constructor(name: string, options?: { indexedDB?: IDBFactory; fsync?: boolean });
  load(): ReturnType<OutboxStore['load']>;
  put(record: Parameters<OutboxStore['put']>[0]): Promise<void>;
  remove(id: [number, number]): Promise<void>;
  compact(): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /**
   * ':memory:' (default): the embedded store only. 'http(s)://host:port': the embedded store,
   * with every mutation also forwarded to that Milvus REST v2 endpoint; reads stay local.
   * A path ending in '.db' (as Milvus Lite's './milvus.db'): a durable store, every acknowledged
   * change in its log before the call resolves (README "Durable stores"): in Node a directory;
   * in a page, that path in the origin's private file system, kept by a Worker (IndexedDB where
   * a Worker has no OPFS sync access handles), and connect() then returns the opening's promise,
   * to await before the store is used. Options of a forwarding connection given without one are
   * refused by name.
   */
  uri?: string;
  /** Options of a durable store (a uri ending in '.db'), each refused by name when wrong. */
  durable?: DurableOptions;
  /** pymilvus's address form, instead of uri: http://host:port (https with `secure`); Milvus
   * serves REST v2 on its gRPC port. Defaults 'localhost' and 19530 when the other is given. */
  host?: string;
  port?: number | string;
  secure?: boolean;
  /** How reads on this connection give INT64 values: 'auto' (default) as numbers when they are
   * safe integers and exact BigInts beyond 2^53; 'string' as strings of decimal digits (Milvus
   * REST's int64-as-string, the Node SDK's form): INT64 fields, ARRAY elements of INT64, hit
   * ids, MutationResult keys and iterator batches. In 'string' mode get() and search `ids` also
   * take INT64 keys as digit strings. JSON and dynamic values keep their form either way. */
  int64?: 'auto' | 'string';
  /** Sent as `Authorization: Bearer <token>` ('user:password' or an API key). */
  token?: string;
  /** Used to make the token 'user:password' when no token is given. */
  user?: string;
  password?: string;
  /** The remote database (default 'default'). */
  db_name?: string;
  /** Seconds per request attempt (default 30); a call's own timeout shortens it. */
  timeout?: number;
  /** Rows per request at most (default 10000). */
  batch_rows?: number;
  /** Request body bytes at most (default 16 MiB; Milvus accepts 64 MB). */
  batch_bytes?: number;
  /** Queued bytes beyond which mutations wait for room (default 256 MiB). */
  max_pending_bytes?: number;
  /** Requests at once: inserts / upserts of one collection with disjoint keys (default 2). */
  max_in_flight?: number;
  /** Backoff of retries: first delay, cap and factor (defaults 50 ms, 30 s, 2); jittered. */
  retry_initial_ms?: number;
  retry_max_ms?: number;
  retry_multiplier?: number;
  /** Attempts after the first before a request is given up (default: retry forever). */
  max_retries?: number;
  /** Default acknowledgement of mutations (see MutationOptions.ack). */
  ack?: 'local' | 'remote';
  /** Persistent outbox: a file path (Node), an IndexedDB database name (browsers), or a store. */
  outbox?: string | OutboxStore;
  /** fsync the outbox file after each write (IndexedDB: 'strict' durability; default false). */
  outbox_fsync?: boolean;
  /** Index of each vector field in collections/create, by field name (default AUTOINDEX with
   * Milvus's default metric of the type). */
  index_params?: Record<string, { index_type?: string; metric_type?: string; params?: Record<string, unknown> }>;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Called with every remote failure and every pause. */
  on_error?: (error: MilvusException) => void;
  /** Send request bodies as streams (default: in Node, whose fetch copies byte arrays). */
  stream_bodies?: boolean;
}

/** How a durable store syncs its log and when it writes a checkpoint. */
export interface DurableOptions {
  /** 'batch' (default): each write call's records are synced (fdatasync; in a page the sync
   * access handle's flush(), or an IndexedDB transaction with durability 'strict') before it
   * resolves. 'none': written, never synced (a killed process or closed page loses nothing; a
   * power cut may). */
  fsync?: 'batch' | 'none';
  /** > 0: at most one sync per window of this many ms; calls resolve after the sync that covers
   * them, and concurrent calls share it (default 0). */
  groupCommitMs?: number;
  /** A checkpoint is written when the log passes compactRatio x the last checkpoint (default 2)
   * and compactMinBytes (default 64 MiB). */
  compactRatio?: number;
  compactMinBytes?: number;
  /** Node only (refused in a page): the float rows an IVF_SQ8, HNSW_SQ (no refine) or
   * IVF_RABITQ (no FP32 refine) index searches without leave memory at each checkpoint and are
   * read back from the checkpoint file when a call needs them (default false). */
  coldVectors?: boolean;
  /** In a page: where the log goes; 'auto' (default) OPFS when a Worker has sync access handles,
   * else IndexedDB. */
  backend?: 'auto' | 'opfs' | 'idb';
}

export const connections: {
  /** Returns a promise only in a page with a '.db' uri (the store's opening). */
  connect(alias?: string, options?: ConnectOptions): void | Promise<void>;
  disconnect(alias?: string): void;
  remove_connection(alias?: string): void;
  has_connection(alias?: string): boolean;
  list_connections(): Array<[string, { uri: string } | null]>;
  get_connection_addr(alias?: string): { uri?: string };
};

/** The options of most utility functions: the connection, and pymilvus's timeout (seconds). */
export interface UtilityOptions {
  using?: string;
  timeout?: number | null;
}
/** A further interval of a hybrid timestamp: `milliseconds` plus `delta` (milliseconds too). */
export interface TimestampOptions {
  milliseconds?: number;
  delta?: number;
}
type ServerOnly = (...args: unknown[]) => never;

/**
 * pymilvus's `utility` for the embedded store (keyword arguments as an options object). What
 * needs a server throws a ParamError naming the function.
 */
export const utility: {
  has_collection(collection_name: string, options?: UtilityOptions): boolean;
  has_partition(collection_name: string, partition_name: string, options?: UtilityOptions): boolean;
  list_collections(options?: UtilityOptions): string[];
  /** A collection that does not exist is no error. */
  drop_collection(collection_name: string, options?: UtilityOptions): void;
  /** Refused on a forwarding connection and with a new_db_name. */
  rename_collection(old_collection_name: string, new_collection_name: string, options?: UtilityOptions & { new_db_name?: string }): void;
  loading_progress(collection_name: string, partition_names?: string[] | null, options?: UtilityOptions): { loading_progress: string };
  load_state(collection_name: string, partition_names?: string[] | null, options?: UtilityOptions): 'Loaded';
  wait_for_loading_complete(collection_name: string, partition_names?: string[] | null, options?: UtilityOptions): Promise<void>;
  flush_all(options?: UtilityOptions): Promise<void>;
  /** partita's version. */
  get_server_version(options?: UtilityOptions): string;
  mkts_from_hybridts(hybridts: bigint | number, options?: TimestampOptions): bigint;
  mkts_from_unixtime(epoch: number, options?: TimestampOptions): bigint;
  mkts_from_datetime(d_time: Date, options?: TimestampOptions): bigint;
  hybridts_to_unixtime(hybridts: bigint | number): number;
  hybridts_to_datetime(hybridts: bigint | number): Date;
  load_balance: ServerOnly; get_query_segment_info: ServerOnly; get_server_type: ServerOnly;
  create_alias: ServerOnly; drop_alias: ServerOnly; alter_alias: ServerOnly; list_aliases: ServerOnly;
  do_bulk_insert: ServerOnly; get_bulk_insert_state: ServerOnly; list_bulk_insert_tasks: ServerOnly;
  create_user: ServerOnly; delete_user: ServerOnly; reset_password: ServerOnly; update_password: ServerOnly;
  list_usernames: ServerOnly; list_roles: ServerOnly; list_user: ServerOnly; list_users: ServerOnly;
  create_resource_group: ServerOnly; drop_resource_group: ServerOnly; update_resource_groups: ServerOnly;
  describe_resource_group: ServerOnly; list_resource_groups: ServerOnly; transfer_node: ServerOnly; transfer_replica: ServerOnly;
  /** An index's progress (create_index builds before it returns). */
  index_building_progress(collection_name: string, index_name?: string, options?: UtilityOptions): { total_rows: number; indexed_rows: number; pending_index_rows: number };
  wait_for_index_building_complete(collection_name: string, index_name?: string, options?: UtilityOptions): Promise<true>;
};

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export class MilvusException extends Error {
  constructor(code?: number, message?: string, details?: {
    row?: number; field?: string; status?: string; expr_offset?: number; expr_length?: number; cause?: unknown;
  });
  /** Milvus / pymilvus error code: 1 for client-side checks, 1100 invalid parameter, ... */
  readonly code: number;
  /** Row of the batch the error is about, when there is one. */
  readonly row?: number;
  /** Field the error is about, when there is one. */
  readonly field?: string;
  /** The core's status name (PT_SCHEMA, PT_NOMEM, ...), when the error comes from it. */
  readonly status?: string;
  /** Filter expressions: UTF-8 byte offset and length of the offending text. */
  readonly expr_offset?: number;
  readonly expr_length?: number;
}
export class ParamError extends MilvusException {}
export class DataNotMatchException extends MilvusException {}
export class DataTypeNotSupportException extends MilvusException {}
export class PrimaryKeyException extends MilvusException {}
export class AutoIDException extends MilvusException {}
export class PartitionKeyException extends MilvusException {}
export class SchemaNotReadyException extends MilvusException {}
export class CollectionNotExistException extends MilvusException {}
export class FieldsTypeException extends MilvusException {}
export class FieldTypeException extends MilvusException {}
export class ConnectionConfigException extends MilvusException {}
export class ConnectionNotExistException extends MilvusException {}
/** An allocation in the WebAssembly core failed; nothing was changed. */
export class MilvusMemoryError extends MilvusException {}

/** One token of run_analyzer with with_detail / with_hash (byte offsets). */
export interface AnalyzeToken {
  token: string;
  start_offset?: number;
  end_offset?: number;
  position?: number;
  position_length?: number;
  hash?: number;
}
export interface AnalyzeResult {
  tokens: string[] | AnalyzeToken[];
}
/** Milvus's run_analyzer: the tokens of each text under analyzer_params (default: standard). */
export function run_analyzer(texts: string, options?: { analyzer_params?: Record<string, unknown> | string; with_hash?: boolean; with_detail?: boolean }): AnalyzeResult;
export function run_analyzer(texts: string[], options?: { analyzer_params?: Record<string, unknown> | string; with_hash?: boolean; with_detail?: boolean }): AnalyzeResult[];

/** @zilliz/milvus2-sdk-node's MilvusClient over the embedded store (its enums and types: partita/milvus-client). */
export { MilvusClient } from './milvus-client.js';
