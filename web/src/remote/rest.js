// rest.js — the vocabulary of Milvus's RESTful API v2 that both the forwarder (a client of a
// Milvus server) and the server (partita answering Milvus clients) speak: data type names, the
// schema of collections/create, envelopes and the error codes of the REST layer.

import { DataType, isVectorType } from '../core/dtype.js';
import { engine } from '../core/engine.js';

// The schema.proto names of the DataTypes ("Int64", "FloatVector", ...) are the core's
// (pt_dtype_proto_name), reported at init: read on first use.
let typeNames = null;
let typeCodes = null;

function protoTables() {
  if (typeNames === null) {
    const names = new Map(), codes = new Map();
    for (const [name, proto] of Object.entries(engine().constants.dtype_proto)) {
      names.set(DataType[name], proto);
      codes.set(proto, DataType[name]);
    }
    [typeNames, typeCodes] = [names, codes];
  }
}

/** DataType code → the proto name REST v2 uses in schemas ("Int64", "FloatVector", ...), or
 * undefined. */
export function restTypeName(code) {
  protoTables();
  return typeNames.get(code);
}

/** REST type name → DataType code (case-sensitive, as Milvus reads them), or undefined. */
export function restTypeCode(name) {
  protoTables();
  return typeCodes.get(name);
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
 * `indexParams` overrides, per field name, { index_type, metric_type, params }; `metricOf(field)`
 * is the metric otherwise (the core's: engine.searchMetric).
 */
export function restCreateCollection(name, describe, { dbName, indexParams, metricOf } = {}) {
  const s = describe.schema;
  const fields = s.fields.map((f) => {
    const out = { fieldName: f.name, dataType: restTypeName(f.dtype) };
    if (f.description) out.description = f.description;
    if (f.is_primary) out.isPrimary = true;
    if (f.is_partition_key) out.isPartitionKey = true;
    if (f.is_clustering_key) out.isClusteringKey = true;
    if (f.nullable) out.nullable = true;
    if (f.default_value !== undefined) out.defaultValue = f.default_value;
    if (f.dtype === DataType.ARRAY) out.elementDataType = restTypeName(f.element_type);
    const params = {};
    if (f.dim !== undefined) params.dim = String(f.dim);
    if (f.max_length !== undefined) params.max_length = String(f.max_length);
    if (f.max_capacity !== undefined) params.max_capacity = String(f.max_capacity);
    for (const k of ['enable_analyzer', 'enable_match', 'analyzer_params']) if (f[k] !== undefined) params[k] = String(f[k]);
    if (Object.keys(params).length) out.elementTypeParams = params;
    return out;
  });
  const index = [];
  for (const f of s.fields) {
    if (!isVectorType(f.dtype)) continue;
    const given = indexParams?.[f.name] ?? {};
    index.push({
      fieldName: f.name,
      indexName: f.name,
      metricType: given.metric_type ?? metricOf(f.name),
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
