// rest.js — the vocabulary of Milvus's RESTful API v2 that both the forwarder (a client of a
// Milvus server) and the server (partita answering Milvus clients) speak: data type names, the
// schema of collections/create, envelopes and the error codes of the REST layer.

import { DataType } from '../core/dtype.js';

/** DataType code → the proto name REST v2 uses in schemas ("Int64", "FloatVector", ...). */
export const REST_TYPE_NAMES = Object.freeze({
  [DataType.BOOL]: 'Bool',
  [DataType.INT8]: 'Int8',
  [DataType.INT16]: 'Int16',
  [DataType.INT32]: 'Int32',
  [DataType.INT64]: 'Int64',
  [DataType.FLOAT]: 'Float',
  [DataType.DOUBLE]: 'Double',
  [DataType.STRING]: 'String', // in the enum; Milvus refuses it in schemas
  [DataType.VARCHAR]: 'VarChar',
  [DataType.ARRAY]: 'Array',
  [DataType.JSON]: 'JSON',
  [DataType.GEOMETRY]: 'Geometry',
  [DataType.TEXT]: 'Text',
  [DataType.TIMESTAMPTZ]: 'Timestamptz',
  [DataType.BINARY_VECTOR]: 'BinaryVector',
  [DataType.FLOAT_VECTOR]: 'FloatVector',
  [DataType.FLOAT16_VECTOR]: 'Float16Vector',
  [DataType.BFLOAT16_VECTOR]: 'BFloat16Vector',
  [DataType.SPARSE_FLOAT_VECTOR]: 'SparseFloatVector',
  [DataType.INT8_VECTOR]: 'Int8Vector',
});

/** REST type name → DataType code (case-sensitive, as Milvus reads them). */
export const REST_TYPE_CODES = Object.freeze(Object.fromEntries(Object.entries(REST_TYPE_NAMES).map(([k, v]) => [v, Number(k)])));

/** The metric a vector field gets when none is named: Milvus's defaults per type. */
export function defaultMetric(dtype) {
  if (dtype === DataType.BINARY_VECTOR) return 'HAMMING';
  if (dtype === DataType.SPARSE_FLOAT_VECTOR) return 'IP';
  return 'COSINE';
}

/** Error codes of Milvus's REST layer (httpserver/constant.go) and the merr codes partita uses. */
export const REST_CODES = Object.freeze({
  AUTH: 1800,
  NOT_JSON: 1801,
  MISSING_PARAMS: 1802,
  RATE_LIMITED: 1807,
  MERR_RATE_LIMIT: 8,
  MERR_NOT_AUTHENTICATED: 1400,
  MERR_PRIVILEGE_DENIED: 1401,
});

/**
 * The body of collections/create (custom schema) for a collection as the core describes it
 * (`describe.schema`: fields with dtype codes and type parameters). Every vector field gets an
 * index, so that the remote collection is loaded and searchable like the local one:
 * `indexParams` overrides, per field name, { index_type, metric_type, params }.
 */
export function restCreateCollection(name, describe, { dbName, indexParams } = {}) {
  const s = describe.schema;
  const fields = s.fields.map((f) => {
    const out = { fieldName: f.name, dataType: REST_TYPE_NAMES[f.dtype] };
    if (f.description) out.description = f.description;
    if (f.is_primary) out.isPrimary = true;
    if (f.is_partition_key) out.isPartitionKey = true;
    if (f.is_clustering_key) out.isClusteringKey = true;
    if (f.nullable) out.nullable = true;
    if (f.default_value !== undefined) out.defaultValue = f.default_value;
    if (f.dtype === DataType.ARRAY) out.elementDataType = REST_TYPE_NAMES[f.element_type];
    const params = {};
    if (f.dim !== undefined) params.dim = String(f.dim);
    if (f.max_length !== undefined) params.max_length = String(f.max_length);
    if (f.max_capacity !== undefined) params.max_capacity = String(f.max_capacity);
    if (Object.keys(params).length) out.elementTypeParams = params;
    return out;
  });
  const index = [];
  for (const f of s.fields) {
    if (f.dtype < 100 || f.dtype > 105) continue;
    const given = indexParams?.[f.name] ?? {};
    index.push({
      fieldName: f.name,
      indexName: f.name,
      metricType: given.metric_type ?? defaultMetric(f.dtype),
      params: { index_type: given.index_type ?? 'AUTOINDEX', ...(given.params ?? {}) },
    });
  }
  const body = {
    collectionName: name,
    schema: { autoID: Boolean(s.auto_id || s.fields.some((f) => f.is_primary && f.auto_id)), enableDynamicField: Boolean(s.enable_dynamic_field), fields },
    indexParams: index,
  };
  if (s.description) body.description = s.description;
  // a partition-key collection's partitions are the hash buckets: as many remotely
  if (s.fields.some((f) => f.is_partition_key)) body.params = { partitionsNum: describe.partitions.length };
  if (dbName && dbName !== 'default') body.dbName = dbName;
  return body;
}
