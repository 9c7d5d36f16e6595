// client/constants.js — the enums and texts of @zilliz/milvus2-sdk-node that code written for its
// MilvusClient imports beside it (DataType, MetricType, IndexType, ConsistencyLevelEnum, LoadState,
// ErrorCode, ERROR_REASONS), with the SDK's names and values, so that such code runs unchanged
// with `partita/milvus-client` in place of the SDK. The DataType codes are Milvus's, the same the
// core uses (core/dtype.js, checked against the C core when init() runs): the SDK spells them
// `Int64`, pymilvus `INT64`.

import { DTYPE_CODES } from '../core/dtype.js';
import { FUNCTION_TYPES } from '../core/functiontype.js';

/** An enum as TypeScript compiles a numeric one: names to codes and codes to names. */
function numericEnum(pairs) {
  const e = {};
  for (const [name, code] of pairs) {
    e[name] = code;
    e[code] = name;
  }
  return Object.freeze(e);
}

/**
 * The SDK's name of a DataType (pymilvus's name in CamelCase, as Milvus's schema.proto spells
 * them: FLOAT16_VECTOR → Float16Vector, with VarChar, JSON and BFloat16 as the proto has them).
 * The names must be here before init() (schemas are written with DataType.Int64); the client
 * checks them against the core's (dtype_proto) when the core is loaded (checkSdkNames).
 */
function sdkName(core) {
  const special = { VARCHAR: 'VarChar', JSON: 'JSON', BFLOAT16: 'BFloat16' };
  return core.split('_').map((w) => special[w] ?? w[0] + w.slice(1).toLowerCase()).join('');
}
/** Milvus types the SDK knows and partita does not store (refused by name). */
const SDK_ONLY_TYPES = [['ArrayOfVector', 106], ['Struct', 201]];
const CORE_TYPES = Object.keys(DTYPE_CODES).filter((k) => k !== 'STRING' && k !== 'UNKNOWN');

export const DataType = numericEnum([...CORE_TYPES.map((core) => [sdkName(core), DTYPE_CODES[core]]), ...SDK_ONLY_TYPES]);

/** Checks the SDK's names against the core's proto names (engine constants.dtype_proto). */
export function checkSdkNames(dtypeProto) {
  for (const core of CORE_TYPES)
    if (Object.hasOwn(dtypeProto, core) && dtypeProto[core] !== sdkName(core))
      throw new Error(`DataType.${sdkName(core)} is ${dtypeProto[core]} in the core`);
}

/** The SDK's DataTypeMap: names to codes, as `data_type: 'FloatVector'` is given. */
export const DataTypeMap = Object.freeze(Object.fromEntries(Object.keys(DataType).filter((k) => !/^\d+$/.test(k)).map((k) => [k, DataType[k]])));

export const ConsistencyLevelEnum = numericEnum([['Strong', 0], ['Session', 1], ['Bounded', 2], ['Eventually', 3], ['Customized', 4]]);

const stringEnum = (names) => Object.freeze(Object.fromEntries(names.map((n) => (Array.isArray(n) ? n : [n, n]))));

export const MetricType = stringEnum(['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE', 'BM25', 'MHJACCARD',
  'MAX_SIM', 'MAX_SIM_COSINE', 'MAX_SIM_IP', 'MAX_SIM_L2', 'DTW_COSINE', 'DTW_IP']);

export const IndexType = stringEnum(['FLAT', 'IVF_FLAT', 'IVF_SQ8', 'IVF_PQ', 'HNSW', 'BIN_FLAT', 'BIN_IVF_FLAT', 'DISKANN', 'AUTOINDEX', 'ANNOY',
  'SPARSE_INVERTED_INDEX', 'SPARSE_WAND', 'GPU_FLAT', 'GPU_IVF_FLAT', 'GPU_IVF_PQ', 'GPU_IVF_SQ8', 'GPU_BRUTE_FORCE', 'GPU_CAGRA',
  'RAFT_IVF_FLAT', 'RAFT_IVF_PQ', ['ScaNN', 'SCANN'], 'STL_SORT', ['TRIE', 'Trie'], 'INVERTED', 'BITMAP', 'IVF_RABITQ', 'MINHASH_LSH',
  'RTREE', 'HNSW_SQ', 'HNSW_PQ', 'HNSW_PRQ', 'AISAQ', 'NGRAM', 'FMINDEX']);

/** The SDK's FunctionType: only BM25 runs in partita (the core refuses the others by name). */
export const FunctionType = numericEnum(FUNCTION_TYPES);

export const LoadState = stringEnum(['LoadStateNotExist', 'LoadStateNotLoad', 'LoadStateLoading', 'LoadStateLoaded']);

export const ShowCollectionsType = numericEnum([['All', 0], ['Loaded', 1]]);

export const ErrorCode = stringEnum([['SUCCESS', 'Success'], 'IndexNotExist', 'UnexpectedError', 'EmptyCollection', 'UpsertAutoIDTrue',
  'CollectionNotExists', 'IllegalArgument', 'RateLimit', 'SchemaMismatch']);

/** The SDK's own argument checks (thrown as Errors before any request, as the SDK throws them). */
export const ERROR_REASONS = Object.freeze({
  CREATE_COLLECTION_MISS_DATA_TYPE: 'The `data_type` property is missing in the `field` object.',
  CREATE_COLLECTION_CHECK_PARAMS: 'The `fields` or `collection_name` property is missing.',
  CREATE_COLLECTION_CHECK_PRIMARY_KEY: 'The `data_type` for the primary key field must be DataType.Int64.',
  CREATE_COLLECTION_CHECK_VECTOR_FIELD_EXIST: 'The `data_type` of a vector field  must be either DataType.FloatVector or DataType.BinaryVector.',
  CREATE_COLLECTION_CHECK_MISS_DIM: 'The `dim` property is missing.',
  CREATE_COLLECTION_CHECK_BINARY_DIM: 'The `dim` property of the Binary vector should be value multiples of 8.',
  COLLECTION_NAME_IS_REQUIRED: 'The `collection_name` property is missing.',
  COLLECTION_PARTITION_NAME_ARE_REQUIRED: 'The `collection_name` or the `partition_name` property is missing.',
  INSERT_CHECK_FIELD_DATA_IS_REQUIRED: 'The type of the `data or field_data` should be an array and length > 0.',
  PARTITION_NAMES_IS_REQUIRED: 'The `partition_names` property is missing.',
  FILTER_EXPR_REQUIRED: 'The `filter` or the `expr` property is missing.',
  VECTORS_OR_VECTOR_IS_MISSING: 'The `vector` or `vectors` property is missing.',
  FIELD_TYPE_IS_NOT_SUPPORT: `The data_type is not supported, please use one of ${Object.keys(DataTypeMap).filter((d) => d !== 'None').join(', ')}.`,
  INVALID_PARTITION_KEY_FIELD_TYPE: 'Only non-primary key Int64 or VarChar field support partition key.',
  IDS_REQUIRED: 'The `ids` is missing or empty.',
  ALIAS_NAME_IS_REQUIRED: 'The `alias` property is missing.',
  NO_ANNS_FEILD_FOUND_IN_SEARCH: 'Target anns field not found, please check your search parameters.',
});

export const DEFAULT_TOPK = 100;
export const DEFAULT_METRIC_TYPE = 'COSINE';
export const DEFAULT_PRIMARY_KEY_FIELD = 'id';
export const DEFAULT_VECTOR_FIELD = 'vector';
export const DEFAULT_DYNAMIC_FIELD = '$meta';
export const DEFAULT_COUNT_QUERY_STRING = 'count(*)';
