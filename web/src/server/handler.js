// server/handler.js — a Milvus RESTful API v2 subset over an embedded store, as one web-standard
// `fetch(request) -> Response` function (Node ≥ 20, service workers, Cloudflare Workers).
//
// It answers as Milvus's proxy does (internal/distributed/proxy/httpserver/handler_v2.go):
// HTTP 200 with {"code", "message"} for every API error, {"code": 0, "data": ...} on success,
// gin's plain "404 page not found" for an unknown route or method, 401 with code 1800 when a
// token is configured and the request does not carry it, the request binding's errors (1801
// for a body that is not a JSON object of the request's shape, 1802 for a missing required
// parameter, with go-playground/validator's wording), and INT64 values and ids as strings
// unless the request says `Accept-Type-Allow-Int64: true`.
//
// Insert and upsert bodies are never parsed in JS: the C core finds the `data` member in the
// raw bytes and writes the rows from that text (exact int64s, no intermediate objects). Query,
// get and search results are serialised by the core too, straight into the response text.

import { core, init, typedKind, typedLength } from '../core/engine.js';
import { connections } from '../orm/connections.js';
import { DataType } from '../core/dtype.js';
import { MilvusException } from '../core/errors.js';
import { REST_TYPE_CODES, REST_TYPE_NAMES } from '../remote/rest.js';

// ignoreBOM: keys that start with U+FEFF keep it, and a body that starts with a byte order mark
// is not JSON (as for Go's encoding/json) instead of having it dropped
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Milvus's REST body limit is the proxy's; partita's default is the 64 MiB of issue 4. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** How long a request body may take to arrive (the store's work itself is synchronous). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Data types by their proto names (schemapb.DataType), as REST schemas spell them
// ---------------------------------------------------------------------------------------------

const PROTO_TYPES = REST_TYPE_CODES;
/** obj[key] for an own key only: names from requests never reach Object.prototype's members. */
const own = (obj, key) => (typeof key === 'string' && Object.hasOwn(obj, key) ? obj[key] : undefined);
const PROTO_NAMES = REST_TYPE_NAMES;
const isVector = (t) => t >= 100 && t <= 105;
const CONSISTENCY = ['Strong', 'Session', 'Bounded', 'Eventually', 'Customized'];

// ---------------------------------------------------------------------------------------------
// Request shapes (request_v2.go): gin binds the body into these structs, then validates
// `binding:"required"` fields. Types: s string, i int32, b bool, sa []string, m map, a any,
// aa []any, rows []map, o struct, os []struct.
// ---------------------------------------------------------------------------------------------

const R = true;
const SHAPES = {
  DatabaseReq: { dbName: 's' },
  CollectionNameReq: { dbName: 's', collectionName: ['s', R], partitionNames: 'sa' },
  FlushReq: { dbName: 's', collectionName: ['s', R] },
  CollectionReq: {
    dbName: 's', collectionName: ['s', R], dimension: 'i', idType: 's', autoID: 'b', metricType: 's',
    primaryFieldName: 's', vectorFieldName: 's', schema: 'o', indexParams: 'os', params: 'm', description: 's',
    enableDynamicField: 'b',
  },
  PartitionReq: { dbName: 's', collectionName: ['s', R], partitionName: ['s', R] },
  PartitionsReq: { dbName: 's', collectionName: ['s', R], partitionNames: ['sa', R] },
  QueryReqV2: {
    dbName: 's', collectionName: ['s', R], partitionNames: 'sa', outputFields: 'sa', filter: 's', limit: 'i',
    offset: 'i', exprParams: 'm', consistencyLevel: 's',
  },
  CollectionIDReq: {
    dbName: 's', collectionName: ['s', R], partitionName: 's', partitionNames: 'sa', outputFields: 'sa',
    id: ['a', R], consistencyLevel: 's',
  },
  CollectionFilterReq: { dbName: 's', collectionName: ['s', R], partitionName: 's', filter: ['s', R], exprParams: 'm' },
  CollectionDataReq: { dbName: 's', collectionName: ['s', R], partitionName: 's', data: ['rows', R] },
  SearchReqV2: {
    dbName: 's', collectionName: ['s', R], data: ['aa', R], annsField: 's', partitionNames: 'sa', filter: 's',
    groupingField: 's', groupSize: 'i', strictGroupSize: 'b', limit: 'i', offset: 'i', outputFields: 'sa',
    searchParams: 'm', consistencyLevel: 's', exprParams: 'm', params: 'm',
  },
};

const GO_TYPES = {
  s: 'string', i: 'int32', b: 'bool', sa: '[]string', m: 'map[string]interface {}', a: 'interface {}',
  aa: '[]interface {}', rows: '[]map[string]interface {}', o: 'httpserver.CollectionSchema',
  os: '[]httpserver.IndexParam',
};
const goField = (k) => (k === 'id' ? 'ID' : k === 'dbName' ? 'DbName' : k[0].toUpperCase() + k.slice(1));
const jsonKind = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v);

function typeMatches(kind, v) {
  switch (kind) {
    case 's': return typeof v === 'string';
    case 'i': return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;
    case 'b': return typeof v === 'boolean';
    case 'sa': return Array.isArray(v) && v.every((x) => typeof x === 'string' || x === null);
    case 'm': case 'o': return typeof v === 'object' && !Array.isArray(v);
    case 'aa': case 'os': return Array.isArray(v);
    case 'rows': return Array.isArray(v) ? v.every((x) => x === null || (typeof x === 'object' && !Array.isArray(x))) : typeof v === 'object';
    default: return true;
  }
}

/** gin's ShouldBindBodyWith(req, binding.JSON) as Milvus reports its failures. */
function bind(shapeName, body) {
  const shape = SHAPES[shapeName];
  if (body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new MilvusException(1801, `can only accept json format request, error: json: cannot unmarshal ${jsonKind(body)} into Go value of type httpserver.${shapeName}`);
  const missing = [];
  for (const [key, spec] of Object.entries(shape)) {
    const [kind, required] = Array.isArray(spec) ? spec : [spec, false];
    const v = body[key];
    if (v !== undefined && v !== null && !typeMatches(kind, v)) {
      const what = typeof v === 'number' && kind === 'i' ? `number ${v}` : jsonKind(v);
      throw new MilvusException(1801, `can only accept json format request, error: json: cannot unmarshal ${what} into Go struct field ${shapeName}.${key} of type ${GO_TYPES[kind]}`);
    }
    if (required && (v === undefined || v === null || v === '' || (kind === 'i' && v === 0)))
      missing.push(`Key: '${shapeName}.${goField(key)}' Error:Field validation for '${goField(key)}' failed on the 'required' tag`);
  }
  if (missing.length) throw new MilvusException(1802, `missing required parameters, error: ${missing.join('\n')}`);
  return body;
}

// ---------------------------------------------------------------------------------------------
// Envelopes
// ---------------------------------------------------------------------------------------------

const JSON_TYPE = 'application/json; charset=utf-8';
const envelope = (obj, status = 200) => ({ status, contentType: JSON_TYPE, body: JSON.stringify(obj) });
const okData = (data, extra) => envelope({ code: 0, data, ...extra });
/** A success whose `data` is JSON text built elsewhere (the core's rows, int64 ids). */
const okText = (dataText, extra = '') => ({ status: 200, contentType: JSON_TYPE, body: `{"code":0${extra},"data":${dataText}}` });
const failure = (code, message, status = 200) => envelope({ code, message }, status);
const NOT_FOUND = { status: 404, contentType: 'text/plain', body: '404 page not found' };

/** A JS number for the response, or the int64's digits as a JSON string (or number). */
const int64Text = (digits, allowInt64) => (allowInt64 ? digits : `"${digits}"`);

/** Go's strconv.ParseBool, as Milvus reads Accept-Type-Allow-Int64. */
const parseBool = (s) => s !== null && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s.trim());

// ---------------------------------------------------------------------------------------------
// State kept beside the core: the index parameters given at create and the load state, per
// collection (store + collection id, so a dropped and re-created collection starts afresh).
// Collections created through the JS API have no entry: they are loaded, with no index.
// ---------------------------------------------------------------------------------------------

const collectionState = new Map();

/** The collection handle: pointer, id, described schema (cached per id). */
const described = new Map();

function notFound(name) {
  return new MilvusException(100, `can't find collection[database=default][collection=${name}]`);
}

function withBytes(c, strings, fn) {
  const scope = c.scope();
  try {
    return fn(scope, ...strings.map((s) => (s === null || s === undefined ? [0, 0] : scope.string(s))));
  } finally {
    scope.release();
  }
}

class Store {
  constructor(using) {
    this.using = using;
  }

  get ptr() {
    return connections._store(this.using);
  }

  find(name) {
    const c = core();
    const store = connections._storeEntry(this.using);
    const ptr = withBytes(c, [name], (_s, [p, n]) => c.exports._pt_wasm_collection_find(store.ptr, p, n) >>> 0);
    if (!ptr) return null;
    const id = c.exports._pt_wasm_collection_id(ptr);
    // ids are per store, and a closed store's pointer may be given to a new one: the serial
    // names the store
    const key = `${store.serial}:${id}`;
    let d = described.get(key);
    if (!d) {
      const out = c.exports._pt_wasm_collection_describe(ptr) >>> 0;
      if (!out) throw c.nomemError('describing a collection');
      try {
        d = JSON.parse(c.cString(out));
      } finally {
        c.free(out);
      }
      const fields = d.schema.fields;
      d.pk = fields.find((f) => f.is_primary);
      described.set(key, d);
    }
    return { ptr, id, key, name, schema: d.schema, pk: d.pk };
  }

  /** The collection, or Milvus's collection-not-found error (code 100). */
  get(name) {
    const h = this.find(name);
    if (!h) throw notFound(name);
    return h;
  }

  /** Partitions, fresh (names and live counts). */
  partitions(h) {
    const c = core();
    const out = c.exports._pt_wasm_collection_describe(h.ptr) >>> 0;
    if (!out) throw c.nomemError('describing a collection');
    try {
      return JSON.parse(c.cString(out)).partitions;
    } finally {
      c.free(out);
    }
  }
}

function stateOf(h) {
  return collectionState.get(h.key) ?? { indexes: [], loaded: true };
}

function requireLoaded(h) {
  if (!stateOf(h).loaded) throw new MilvusException(101, `collection not loaded[collection=${h.id}]`);
}

// ---------------------------------------------------------------------------------------------
// collections/*
// ---------------------------------------------------------------------------------------------

const toInt = (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v);

function invalidParam(expected, actual, msg) {
  return new MilvusException(1100, `${msg}: invalid parameter[expected=${expected}][actual=${actual}]`);
}

/** The core's schema JSON (and index list, partition count) from a collections/create body. */
function schemaFromRequest(req) {
  const params = req.params ?? {};
  const fields = req.schema?.fields;
  if (!Array.isArray(fields) || fields.length === 0) {
    // quick setup: an id and a float vector, an AUTOINDEX on the vector with the metric given
    if (Array.isArray(req.schema?.functions) && req.schema.functions.length)
      throw invalidParam('schema', 'functions', 'functions are not supported for quickly create collection');
    if (!req.dimension)
      throw invalidParam('collectionName & dimension', 'collectionName', 'dimension is required for quickly create collection(default metric type: COSINE)');
    const pkName = req.primaryFieldName || 'id';
    const vecName = req.vectorFieldName || 'vector';
    const pk = { name: pkName, dtype: DataType.INT64, is_primary: true, auto_id: Boolean(req.autoID) };
    const idType = req.idType ?? '';
    if (idType === 'VarChar' || idType === 'Varchar') {
      pk.dtype = DataType.VARCHAR;
      if (params.max_length !== undefined) pk.max_length = toInt(params.max_length);
    } else if (!['', 'Int64', 'int64'].includes(idType)) {
      throw invalidParam('Int64, Varchar', idType, 'idType can only be [Int64, VarChar], default: Int64');
    }
    let dynamic = true;
    const dynParam = params.enableDynamicField ?? req.enableDynamicField;
    if (dynParam !== undefined) {
      const s = String(dynParam);
      if (!['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s))
        throw new MilvusException(1100, `parse enableDynamicField fail, err:strconv.ParseBool: parsing "${s}": invalid syntax`);
      dynamic = parseBool(s);
    }
    return {
      schema: {
        description: req.description ?? '',
        auto_id: Boolean(req.autoID),
        enable_dynamic_field: dynamic,
        fields: [pk, { name: vecName, dtype: DataType.FLOAT_VECTOR, dim: req.dimension }],
      },
      indexes: [{ fieldName: vecName, indexName: vecName, metricType: (req.metricType || 'COSINE').toUpperCase() }],
      loaded: true,
      numPartitions: 0,
    };
  }
  let numPartitions = 0;
  const out = [];
  const names = new Set();
  for (const f of fields) {
    if (f === null || typeof f !== 'object' || Array.isArray(f))
      throw new MilvusException(1801, `can only accept json format request, error: json: cannot unmarshal ${jsonKind(f)} into Go struct field CollectionSchema.schema.fields of type httpserver.FieldSchema`);
    const dtype = own(PROTO_TYPES, f.dataType);
    if (dtype === undefined)
      throw new MilvusException(1100, `invalid parameter, data type ${f.dataType ?? ''} is invalid(case sensitive).`);
    const field = {
      name: f.fieldName ?? '', dtype, description: f.description ?? '', is_primary: Boolean(f.isPrimary),
      is_partition_key: Boolean(f.isPartitionKey), is_clustering_key: Boolean(f.isClusteringKey),
      nullable: Boolean(f.nullable),
    };
    if (f.defaultValue !== undefined && f.defaultValue !== null) field.default_value = f.defaultValue;
    if (dtype === DataType.ARRAY) {
      const et = own(PROTO_TYPES, f.elementDataType);
      if (et === undefined)
        throw new MilvusException(1100, `invalid parameter, element data type ${f.elementDataType ?? ''} is invalid(case sensitive).`);
      field.element_type = et;
    }
    if (field.is_primary) field.auto_id = Boolean(req.schema.autoID);
    if (field.is_partition_key) numPartitions = Number(toInt(params.partitionsNum ?? 64)) || 64;
    for (const [k, v] of Object.entries(f.elementTypeParams ?? {})) {
      if (k === 'dim' || k === 'max_length' || k === 'max_capacity') field[k] = toInt(v);
    }
    out.push(field);
    names.add(field.name);
  }
  const indexes = [];
  for (const ip of req.indexParams ?? []) {
    if (!ip || !names.has(ip.fieldName))
      throw new MilvusException(1802, `missing required parameters, error: \`${ip?.fieldName ?? ''}\` hasn't defined in schema`);
    const field = out.find((x) => x.name === ip.fieldName);
    const metric = ip.metricType || ip.params?.metric_type || (isVector(field.dtype) ? defaultMetric(field.dtype) : 'COSINE');
    indexes.push({ fieldName: ip.fieldName, indexName: ip.indexName || ip.fieldName, metricType: String(metric).toUpperCase() });
  }
  return {
    schema: {
      description: req.description ?? '',
      auto_id: Boolean(req.schema.autoID),
      enable_dynamic_field: Boolean(req.schema.enableDynamicField),
      fields: out,
    },
    indexes,
    loaded: indexes.length > 0,
    numPartitions,
  };
}

function defaultMetric(dtype) {
  if (dtype === DataType.BINARY_VECTOR) return 'HAMMING';
  if (dtype === DataType.SPARSE_FLOAT_VECTOR) return 'IP';
  return 'COSINE';
}

function createCollection(store, req) {
  const plan = schemaFromRequest(req);
  const level = req.params?.consistencyLevel;
  if (level !== undefined && !CONSISTENCY.includes(String(level)))
    throw invalidParam('Strong, Session, Bounded, Eventually, Customized', level, 'consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], default: Bounded');
  const c = core();
  const storePtr = store.ptr;
  withBytes(c, [req.collectionName, JSON.stringify(plan.schema)], (_s, [np, nn], [sp, sn]) => {
    const s = c.exports._pt_wasm_schema_from_json(sp, sn) >>> 0;
    if (!s) throw c.lastError();
    try {
      const coll = c.exports._pt_wasm_collection_create(storePtr, np, nn, s, plan.numPartitions, 0) >>> 0;
      if (!coll) throw c.lastError();
    } finally {
      c.exports._pt_wasm_schema_free(s);
    }
  });
  const h = store.get(req.collectionName);
  if (!collectionState.has(h.key))
    collectionState.set(h.key, { indexes: plan.indexes, loaded: plan.loaded, consistencyLevel: level ?? 'Bounded' });
  return okData({});
}

/** A default value as Milvus's describe prints a schemapb.ValueField through encoding/json. */
function defaultValueField(f) {
  const v = f.default_value;
  const kind = {
    [DataType.BOOL]: 'BoolData', [DataType.INT8]: 'IntData', [DataType.INT16]: 'IntData', [DataType.INT32]: 'IntData',
    [DataType.INT64]: 'LongData', [DataType.FLOAT]: 'FloatData', [DataType.DOUBLE]: 'DoubleData',
    [DataType.VARCHAR]: 'StringData', [DataType.STRING]: 'StringData', [DataType.TEXT]: 'StringData',
  }[f.dtype] ?? 'StringData';
  return { Data: { [kind]: typeof v === 'object' ? JSON.stringify(v) : v } };
}

function describeField(f) {
  const d = {
    name: f.name,
    id: f.field_id,
    type: PROTO_NAMES[f.dtype] ?? DataType[f.dtype],
    primaryKey: f.is_primary,
    partitionKey: f.is_partition_key,
    clusteringKey: f.is_clustering_key,
    autoId: f.auto_id,
    nullable: f.nullable,
    description: f.description ?? '',
  };
  if (f.default_value !== undefined && f.default_value !== null) d.defaultValue = defaultValueField(f);
  const params = [];
  for (const k of ['dim', 'max_length', 'max_capacity']) if (f[k] !== undefined) params.push({ key: k, value: String(f[k]) });
  if (params.length) d.params = params;
  if (f.dtype === DataType.ARRAY) d.elementType = PROTO_NAMES[f.element_type] ?? DataType[f.element_type];
  return d;
}

function describeCollection(store, req) {
  const h = store.get(req.collectionName);
  const st = stateOf(h);
  const parts = store.partitions(h);
  return envelope({
    code: 0,
    data: {
      collectionName: h.name,
      collectionID: h.id,
      description: h.schema.description ?? '',
      autoId: Boolean(h.pk?.auto_id),
      fields: h.schema.fields.map(describeField),
      functions: [],
      aliases: [],
      indexes: st.indexes.map((i) => ({ indexName: i.indexName, fieldName: i.fieldName, metricType: i.metricType })),
      load: st.loaded ? 'LoadStateLoaded' : 'LoadStateNotLoad',
      shardsNum: 1,
      partitionsNum: parts.length,
      consistencyLevel: st.consistencyLevel ?? 'Bounded',
      enableDynamicField: Boolean(h.schema.enable_dynamic_field),
      properties: [],
    },
    message: '',
  });
}

function listCollections(store) {
  const c = core();
  const out = c.exports._pt_wasm_store_list(store.ptr) >>> 0;
  if (!out) throw c.nomemError('listing collections');
  try {
    return okData(JSON.parse(c.cString(out)));
  } finally {
    c.free(out);
  }
}

function dropCollection(store, req) {
  const c = core();
  const h = c.relieved(() => {
    const found = store.find(req.collectionName);
    const storePtr = store.ptr;
    withBytes(c, [req.collectionName], (_s, [p, n]) => c.check(c.exports._pt_wasm_collection_drop(storePtr, p, n)));
    return found;
  });
  if (h) {
    collectionState.delete(h.key);
    described.delete(h.key);
  }
  return okData({});
}

function numEntities(h, partition) {
  const c = core();
  return withBytes(c, [partition], (_s, [p, n]) => c.exports._pt_wasm_num_entities(h.ptr, p, n, partition === null ? 0 : 1));
}

function setLoaded(store, req, loaded) {
  const h = store.get(req.collectionName);
  collectionState.set(h.key, { ...stateOf(h), loaded });
  return okData({});
}

function loadState(store, req) {
  const h = store.get(req.collectionName);
  if (!stateOf(h).loaded) return okData({ loadState: 'LoadStateNotLoad' });
  return envelope({ code: 0, data: { loadState: 'LoadStateLoaded', loadProgress: 100 }, message: '' });
}

// ---------------------------------------------------------------------------------------------
// partitions/*
// ---------------------------------------------------------------------------------------------

function partitionCall(h, name, fn) {
  const c = core();
  return withBytes(c, [name], (_s, [p, n]) => fn(c, p, n));
}

function requirePartition(h, name) {
  if (!partitionCall(h, name, (c, p, n) => c.exports._pt_wasm_partition_exists(h.ptr, p, n) === 1))
    throw new MilvusException(200, `partition not found[partition=${name}]`);
}

const partitionRoutes = {
  create(store, req) {
    const h = store.get(req.collectionName);
    partitionCall(h, req.partitionName, (c, p, n) => c.check(c.exports._pt_wasm_partition_create(h.ptr, p, n)));
    return okData({});
  },
  drop(store, req) {
    core().relieved(() => {
      const h = store.get(req.collectionName);
      partitionCall(h, req.partitionName, (c, p, n) => c.check(c.exports._pt_wasm_partition_drop(h.ptr, p, n)));
    });
    return okData({});
  },
  list(store, req) {
    const h = store.get(req.collectionName);
    return okData(store.partitions(h).map((p) => p.name));
  },
  has(store, req) {
    const h = store.get(req.collectionName);
    return okData({ has: partitionCall(h, req.partitionName, (c, p, n) => c.exports._pt_wasm_partition_exists(h.ptr, p, n) === 1) });
  },
  get_stats(store, req) {
    const h = store.get(req.collectionName);
    requirePartition(h, req.partitionName);
    return okData({ rowCount: numEntities(h, req.partitionName) });
  },
  load(store, req) {
    const h = store.get(req.collectionName);
    for (const p of req.partitionNames) requirePartition(h, p);
    return okData({});
  },
  release(store, req) {
    const h = store.get(req.collectionName);
    for (const p of req.partitionNames) requirePartition(h, p);
    return okData({});
  },
};

// ---------------------------------------------------------------------------------------------
// entities/*
// ---------------------------------------------------------------------------------------------

/** Reads a pt_mutation_result's keys as JSON text (exact int64 digits). */
function keysText(c, res, allowInt64) {
  const L = c.layout.pt_mutation_result;
  const dv = c.dv;
  const n = Number(dv.getBigUint64(res + L.n_keys, true));
  const keyType = dv.getInt32(res + L.key_type, true);
  const parts = new Array(n);
  if (n && keyType === DataType.INT64) {
    const p = dv.getUint32(res + L.int_keys, true);
    const keys = new BigInt64Array(c.u8.slice(p, p + n * 8).buffer);
    for (let i = 0; i < n; i++) parts[i] = int64Text(keys[i].toString(), allowInt64);
  } else if (n) {
    const offs = dv.getUint32(res + L.str_offsets, true);
    const data = dv.getUint32(res + L.str_data, true);
    const u8 = c.u8;
    for (let i = 0; i < n; i++) {
      const a = dv.getUint32(offs + i * 4, true), b = dv.getUint32(offs + i * 4 + 4, true);
      parts[i] = JSON.stringify(decoder.decode(u8.subarray(data + a, data + b)));
    }
  }
  return { n, text: `[${parts.join(',')}]` };
}

/** insert / upsert: the rows go from the request bytes to the core without a JS parse. */
function write(store, op, req, allowInt64, raw) {
  const h = store.get(req.collectionName);
  const c = core();
  const opCode = op === 'insert' ? 1 : 2;
  const partition = req.partitionName ? req.partitionName : null;
  const scope = c.scope();
  try {
    // the body is in linear memory already; `data` is a span of it
    const dataPtr = raw.bodyPtr + raw.dataStart;
    const dataLen = raw.dataLen;
    if (!raw.hasRows) throw new MilvusException(1804, 'fail to deal the insert data, error: missing required parameters');
    const [pp, pl] = partition === null ? [0, 0] : scope.string(partition);
    const res = scope.alloc(c.layout.pt_mutation_result.size);
    c.u8.fill(0, res, res + c.layout.pt_mutation_result.size);
    const st = c.exports._pt_wasm_write_json(h.ptr, pp, pl, opCode, dataPtr, dataLen, 0, res);
    if (st !== 0) {
      const e = c.lastError();
      // the core's client-side checks (pymilvus's, code 1) are the REST layer's data checks in
      // Milvus: "fail to deal the insert data" (1804)
      if (e.code === 1) throw new MilvusException(1804, `fail to deal the insert data, error: ${e.message}`);
      throw e;
    }
    try {
      const { n, text } = keysText(c, res, allowInt64);
      const dataText = op === 'insert' ? `{"insertCount":${n},"insertIds":${text}}` : `{"upsertCount":${n},"upsertIds":${text}}`;
      return okText(dataText, ',"cost":0');
    } finally {
      c.exports._pt_wasm_mutation_result_clear(res);
    }
  } finally {
    scope.release();
  }
}

/** An expression template value as a filter literal. Arrays may nest as deep as a filter
 * expression may (128 levels); deeper ones are refused before they cost a deep recursion. */
function templateLiteral(v, name, depth = 0) {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (depth >= 128)
      throw new MilvusException(1100, `the value of expression template variable name {${name}} nests deeper than 128 levels: invalid parameter`);
    return `[${v.map((x) => templateLiteral(x, name, depth + 1)).join(', ')}]`;
  }
  throw new MilvusException(1100, `the value of expression template variable name {${name}} is not a bool, number, string or array: invalid parameter`);
}

/**
 * Milvus's expression templates (`age > {age}` with exprParams {"age": 18}): each `{name}`
 * outside string literals becomes the literal of its value.
 */
function applyExprParams(filter, params) {
  if (!params || Object.keys(params).length === 0 || !filter) return filter ?? '';
  let out = '';
  let quote = null;
  for (let i = 0; i < filter.length; i++) {
    const ch = filter[i];
    if (quote) {
      out += ch;
      if (ch === '\\' && i + 1 < filter.length) out += filter[++i];
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    const m = ch === '{' ? /^\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}/.exec(filter.slice(i)) : null;
    if (!m) {
      out += ch;
      continue;
    }
    if (!Object.hasOwn(params, m[1]))
      throw new MilvusException(1100, `the value of expression template variable name {${m[1]}} is not found: invalid parameter`);
    out += templateLiteral(params[m[1]], m[1]);
    i += m[0].length - 1;
  }
  return out;
}

function deleteEntities(store, req) {
  return core().relieved(() => deleteRelieved(store, req));
}

function deleteRelieved(store, req) {
  const h = store.get(req.collectionName);
  const c = core();
  const partition = req.partitionName ? req.partitionName : null;
  return withBytes(c, [partition, applyExprParams(req.filter, req.exprParams)], (scope, [pp, pl], [ep, el]) => {
    const res = scope.alloc(c.layout.pt_mutation_result.size);
    c.u8.fill(0, res, res + c.layout.pt_mutation_result.size);
    c.check(c.exports._pt_wasm_delete(h.ptr, pp, pl, ep, el, res));
    try {
      const n = Number(c.dv.getBigUint64(res + c.layout.pt_mutation_result.delete_count, true));
      return okData({ deleteCount: n });
    } finally {
      c.exports._pt_wasm_mutation_result_clear(res);
    }
  });
}

/** A pt_rows as the JSON text of an array of row objects, written by the core. */
function rowsText(c, rowsPtr, allowInt64) {
  const out = c.exports._pt_wasm_rows_to_json(rowsPtr, allowInt64 ? 0 : 1) >>> 0;
  if (!out) throw c.lastError();
  try {
    return c.cString(out);
  } finally {
    c.free(out);
  }
}

function runQuery(h, request, allowInt64) {
  const c = core();
  return withBytes(c, [JSON.stringify(request)], (_s, [p, n]) => {
    const rows = c.exports._pt_wasm_query(h.ptr, p, n) >>> 0;
    if (!rows) throw c.lastError();
    try {
      return okText(rowsText(c, rows, allowInt64), ',"cost":0');
    } finally {
      c.exports._pt_wasm_rows_free(rows);
    }
  });
}

function query(store, req, allowInt64) {
  const h = store.get(req.collectionName);
  requireLoaded(h);
  const outputFields = req.outputFields ?? ['*'];
  const request = { expr: applyExprParams(req.filter, req.exprParams), output_fields: outputFields };
  if (req.partitionNames) request.partition_names = req.partitionNames;
  if (req.offset > 0) request.offset = req.offset;
  const isCount = outputFields.length === 1 && outputFields[0].trim().toLowerCase() === 'count(*)';
  const limit = req.limit ?? 100;
  if (limit > 0 && !isCount) request.limit = limit;
  return runQuery(h, request, allowInt64);
}

/** entities/get: `id` is one key or a list; Milvus turns it into `pk in [...]`. */
function get(store, req, allowInt64) {
  const h = store.get(req.collectionName);
  requireLoaded(h);
  const ids = Array.isArray(req.id) ? req.id : [req.id];
  const isString = h.pk.dtype === DataType.VARCHAR;
  const literals = ids.map((k) => {
    if (isString) {
      if (typeof k !== 'string') throw pkError(`the id ${JSON.stringify(k)} is not a string`);
      return JSON.stringify(k);
    }
    if (typeof k === 'number' && Number.isInteger(k)) return String(k);
    if (typeof k === 'string' && /^-?\d+$/.test(k)) return k;
    throw pkError(`the id ${JSON.stringify(k)} is not an integer`);
  });
  const request = { expr: `${h.pk.name} in [${literals.join(',')}]`, output_fields: req.outputFields ?? ['*'] };
  if (req.partitionNames) request.partition_names = req.partitionNames;
  else if (req.partitionName) request.partition_names = [req.partitionName];
  return runQuery(h, request, allowInt64);
}

const pkError = (detail) =>
  new MilvusException(1806, `please check the primary key and its' type can only in [int, string], error: ${detail}`);

/** Query vectors from REST JSON, packed as the core takes them. */
function packVectors(data, field) {
  const t = field.dtype;
  if (t === DataType.SPARSE_FLOAT_VECTOR) return { kind: 'sparse', sparse: data };
  const byteVec = t === DataType.BINARY_VECTOR || t === DataType.INT8_VECTOR;
  const rows = data.map((v) => {
    if (typeof v === 'string' && t !== DataType.FLOAT_VECTOR && t !== DataType.INT8_VECTOR) return base64Values(v, t);
    if (!Array.isArray(v)) throw new MilvusException(1801, `can only accept json format request, error: the vector of a search must be an array of numbers, got ${jsonKind(v)}`);
    return v;
  });
  const total = rows.reduce((n, r) => n + r.length, 0);
  const out = new Uint8Array(total * (byteVec ? 1 : 4));
  const f32 = byteVec ? null : new Float32Array(out.buffer);
  let at = 0;
  for (const r of rows) {
    for (let j = 0; j < r.length; j++) {
      const x = r[j];
      if (typeof x !== 'number')
        throw new MilvusException(1801, `can only accept json format request, error: the vector of a search must be an array of numbers, got ${jsonKind(x)}`);
      if (byteVec) out[at + j] = x & 0xff;
      else f32[at + j] = x;
    }
    at += r.length;
  }
  // a vector of another size is reported alone, as Milvus checks each vector: never read as part
  // of rows of the right size cut from the concatenation
  const width = t === DataType.BINARY_VECTOR ? field.dim / 8 : field.dim;
  const wrong = rows.find((r) => r.length !== width);
  if (wrong) return { kind: byteVec ? 'bytes' : 'float32', nq: 1, bytes: null, byteLength: wrong.length * (byteVec ? 1 : 4) };
  return { kind: byteVec ? 'bytes' : 'float32', nq: rows.length, bytes: out };
}

/** A base64 vector (binary: bytes; float16 / bfloat16: little-endian halves) as numbers. */
function base64Values(s, t) {
  const bin = atob(s);
  const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  if (t === DataType.BINARY_VECTOR) return Array.from(bytes);
  const halves = new Uint16Array(bytes.buffer.slice(0, bytes.length - (bytes.length % 2)));
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  return Array.from(halves, (h) => {
    if (t === DataType.BFLOAT16_VECTOR) {
      u[0] = h << 16;
      return f[0];
    }
    const sgn = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e === 0) return sgn * m * 2 ** -24;
    if (e === 31) return m ? NaN : sgn * Infinity;
    return sgn * (1 + m / 1024) * 2 ** (e - 15);
  });
}

function search(store, req, allowInt64) {
  if (req.consistencyLevel && !CONSISTENCY.includes(req.consistencyLevel))
    throw new MilvusException(1100, `consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], default: Bounded, err:parameter:'${req.consistencyLevel}' is incorrect, please check it: invalid parameter`);
  const h = store.get(req.collectionName);
  if (req.groupingField) throw new MilvusException(1100, 'grouping search (groupingField) is not supported by partita: invalid parameter');
  // the vector field: the one named, or the only one
  const vectors = h.schema.fields.filter((f) => isVector(f.dtype));
  let field;
  if (req.annsField) {
    field = vectors.find((f) => f.name === req.annsField);
    if (!field) throw new MilvusException(1801, `can only accept json format request, error: cannot find a vector field named: ${req.annsField}`);
  } else {
    if (vectors.length > 1)
      throw new MilvusException(1801, `can only accept json format request, error: search without annsField, but already found multiple vector fields: [${vectors[0].name}, ${vectors[1].name},,,]`);
    field = vectors[0];
  }
  requireLoaded(h);
  const sp = req.searchParams ?? {};
  const index = stateOf(h).indexes.find((i) => i.fieldName === field.name);
  const asked = sp.metricType ?? sp.metric_type;
  if (asked && index && isVector(field.dtype) && String(asked).toUpperCase() !== index.metricType)
    throw new MilvusException(1100, `metric type not match: invalid parameter[expected=${index.metricType}][actual=${asked}]`);
  const request = {
    anns_field: field.name,
    metric_type: asked ? String(asked) : index?.metricType ?? '',
    limit: req.limit ?? 100,
    offset: req.offset ?? 0,
    expr: applyExprParams(req.filter, req.exprParams),
    params: sp.params ?? {},
  };
  if (req.outputFields) request.output_fields = req.outputFields;
  if (req.partitionNames) request.partition_names = req.partitionNames;
  const q = packVectors(req.data, field);
  request.vector_kind = q.kind;
  if (q.sparse) request.sparse = q.sparse;
  else request.nq = q.nq;
  const c = core();
  return withBytes(c, [JSON.stringify(request)], (scope, [p, n]) => {
    const vp = q.bytes ? scope.bytes(q.bytes.length ? q.bytes : new Uint8Array(1)) : 0;
    const r = c.exports._pt_wasm_search(h.ptr, p, n, vp, q.bytes ? q.bytes.length : q.byteLength ?? 0) >>> 0;
    if (!r) throw c.lastError();
    try {
      const nq = c.exports._pt_wasm_search_nq(r) >>> 0;
      const countsPtr = c.exports._pt_wasm_search_counts(r) >>> 0;
      const topks = Array.from(new Uint32Array(c.u8.slice(countsPtr, countsPtr + nq * 4).buffer));
      const total = topks.reduce((a, b) => a + b, 0);
      if (total === 0) return okText('[]', ',"cost":0');
      const out = c.exports._pt_wasm_search_to_json(r, allowInt64 ? 0 : 1) >>> 0;
      if (!out) throw c.lastError();
      let hits;
      try {
        hits = c.cString(out);
      } finally {
        c.free(out);
      }
      return okText(hits, `,"cost":0,"topks":[${topks.join(',')}]`);
    } finally {
      c.exports._pt_wasm_search_free(r);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

const ok = () => okData({});
const ROUTES = {
  'collections/create': ['CollectionReq', (s, r) => createCollection(s, r)],
  'collections/describe': ['CollectionNameReq', (s, r) => describeCollection(s, r)],
  'collections/has': ['CollectionNameReq', (s, r) => okData({ has: s.find(r.collectionName) !== null })],
  'collections/list': ['DatabaseReq', (s) => listCollections(s)],
  'collections/drop': ['CollectionNameReq', (s, r) => dropCollection(s, r)],
  'collections/get_stats': ['CollectionNameReq', (s, r) => okData({ rowCount: numEntities(s.get(r.collectionName), null) })],
  'collections/get_load_state': ['CollectionNameReq', (s, r) => loadState(s, r)],
  'collections/load': ['CollectionNameReq', (s, r) => setLoaded(s, r, true)],
  'collections/release': ['CollectionNameReq', (s, r) => setLoaded(s, r, false)],
  'collections/flush': ['FlushReq', (s, r) => (s.get(r.collectionName), ok())],
  'partitions/create': ['PartitionReq', partitionRoutes.create],
  'partitions/drop': ['PartitionReq', partitionRoutes.drop],
  'partitions/list': ['CollectionNameReq', partitionRoutes.list],
  'partitions/has': ['PartitionReq', partitionRoutes.has],
  'partitions/get_stats': ['PartitionReq', partitionRoutes.get_stats],
  'partitions/load': ['PartitionsReq', partitionRoutes.load],
  'partitions/release': ['PartitionsReq', partitionRoutes.release],
  'entities/insert': ['CollectionDataReq', (s, r, a, raw) => write(s, 'insert', r, a, raw)],
  'entities/upsert': ['CollectionDataReq', (s, r, a, raw) => write(s, 'upsert', r, a, raw)],
  'entities/delete': ['CollectionFilterReq', (s, r) => deleteEntities(s, r)],
  'entities/query': ['QueryReqV2', (s, r, a) => query(s, r, a)],
  'entities/get': ['CollectionIDReq', (s, r, a) => get(s, r, a)],
  'entities/search': ['SearchReqV2', (s, r, a) => search(s, r, a)],
};
const PREFIX = '/v2/vectordb/';

/** The routes served, for documentation and the index page. */
export const routes = Object.keys(ROUTES).map((r) => PREFIX + r);

function indexPage() {
  const items = routes.map((r) => `<li><code>POST ${r}</code></li>`).join('\n');
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>partita</title></head><body>\n' +
    '<h1>partita</h1>\n<p>A Milvus RESTful API v2 subset over an embedded partita store. Routes:</p>\n' +
    `<ul>\n${items}\n</ul>\n</body></html>\n`
  );
}

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

const isSpace = (b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Binds an insert / upsert body without parsing `data` in JS: the body is copied into linear
 * memory once, checked whole as the core takes JSON (pt_json_validate: JSON.parse is as strict
 * about the grammar, but the rows are never parsed here, and a byte order mark, bytes that are
 * not UTF-8 or lone surrogates would pass it), the core finds the `data` member, and only the
 * rest is parsed.
 */
function bindWrite(c, bytes, scope) {
  const M = c.exports;
  let start = 0;
  const length = typedLength(bytes); // what u8.set copies, whatever an own `length` says
  while (start < length && isSpace(bytes[start])) start++;
  if (bytes[start] !== 0x7b /* { */) bind('CollectionDataReq', JSON.parse(decoder.decode(bytes))); // throws
  const bodyPtr = scope.alloc(length + 1);
  c.u8.set(bytes, bodyPtr);
  c.u8[bodyPtr + length] = 0;
  if (M._pt_wasm_json_validate(bodyPtr, length, 0) !== 0)
    throw new MilvusException(1801, `can only accept json format request, error: ${c.lastError().message}`);
  const [kp, kn] = scope.string('data');
  const out = scope.alloc(8);
  const found = M._pt_wasm_json_member(bodyPtr, length, kp, kn, out);
  if (found < 0) throw new MilvusException(1801, 'can only accept json format request, error: the body is not a JSON object');
  let rest, dataStart = 0, dataLen = 0, first = 0;
  if (found === 0) rest = decoder.decode(bytes);
  else {
    dataStart = c.dv.getUint32(out, true);
    dataLen = c.dv.getUint32(out + 4, true);
    first = c.u8[bodyPtr + dataStart];
    // the rest of the body, with `data` replaced by a stand-in of the same JSON kind
    const stand = first === 0x5b ? '[]' : first === 0x7b ? '{}' : decoder.decode(c.u8.subarray(bodyPtr + dataStart, bodyPtr + dataStart + dataLen));
    rest = decoder.decode(bytes.subarray(0, dataStart)) + stand + decoder.decode(bytes.subarray(dataStart + dataLen));
  }
  const req = bind('CollectionDataReq', JSON.parse(rest));
  // rows are there unless `data` is an empty array
  let hasRows = found === 1 && first !== 0x6e; /* null */
  if (hasRows && first === 0x5b) {
    let i = bodyPtr + dataStart + 1;
    const end = bodyPtr + dataStart + dataLen;
    while (i < end && isSpace(c.u8[i])) i++;
    hasRows = c.u8[i] !== 0x5d;
  }
  return { req, raw: { bodyPtr, dataStart, dataLen, hasRows } };
}

function parseBody(text) {
  if (text.trim() === '')
    throw new MilvusException(1801, 'can only accept json format request, the request body should be nil, however {} is valid');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MilvusException(1801, `can only accept json format request, error: ${e.message}`);
  }
}

/** Reads a web Request's body (`reader`: its reader, null when it has none) up to `max` bytes;
 * null when it is larger. */
async function readRequestBody(request, reader, max) {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) return null;
  if (!reader) return new Uint8Array(0);
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.byteLength;
  }
  return out;
}

/** What a body read gives when it took longer than the request timeout. */
const TIMED_OUT = Symbol('timed out');

/** `promise`, or TIMED_OUT once `ms` (0: never) have passed. */
function withTimeout(promise, ms) {
  if (!ms) return promise;
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export function timedOut(ms) {
  return failure(65535, `request timeout: the request did not arrive within ${ms} ms`, 408);
}

export function tooLarge(max) {
  return failure(1102, `parameter too large[message=request body is larger than ${max} bytes]`, 413);
}

// ---------------------------------------------------------------------------------------------
// The handler
// ---------------------------------------------------------------------------------------------

const encoder = new TextEncoder();

/**
 * Whether two strings are equal, in a time that depends on their lengths only (never on where
 * they differ): a token compared with === leaks its prefix to whoever can time the answers.
 */
export function constantTimeEqual(a, b) {
  const x = encoder.encode(a), y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < y.length; i++) diff |= (x[i % (x.length || 1)] ?? 0) ^ y[i];
  return diff === 0;
}

function authorized(header, token) {
  if (!header) return false;
  const m = /^(Bearer|Basic)\s+(.*)$/i.exec(header.trim());
  if (!m) return false;
  if (m[1].toLowerCase() === 'bearer') return constantTimeEqual(m[2], token);
  let decoded;
  try {
    decoded = atob(m[2]);
  } catch {
    return false;
  }
  return constantTimeEqual(decoded, token);
}

/**
 * CORS: off unless `cors` is given (true or '*': any origin; a string or an array: those
 * origins). Returns the headers for a request from `origin` (null: none to add).
 */
function corsPolicy(cors) {
  if (cors === undefined || cors === null || cors === false) return () => null;
  const any = cors === true || cors === '*';
  const allowed = any ? null : new Set(Array.isArray(cors) ? cors : [cors]);
  if (!any) for (const o of allowed) if (typeof o !== 'string') throw new TypeError('cors: origins must be strings');
  return (origin) => {
    if (!origin || (!any && !allowed.has(origin))) return null;
    return { 'access-control-allow-origin': any ? '*' : origin, vary: 'origin' };
  };
}

const PREFLIGHT = {
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': 'authorization, content-type, accept-type-allow-int64, db-name, request-timeout',
  'access-control-max-age': '600',
};

/**
 * Creates a Milvus REST v2 handler over the embedded store of a connection alias.
 * Hardening: the token is compared in constant time; a body over maxBodyBytes gets 413 and one
 * that does not arrive within requestTimeoutMs gets 408; errors carry messages, never stacks;
 * CORS headers are sent only when `cors` says so (true / '*', an origin or a list of them),
 * and preflights (OPTIONS) are answered only then. Requests share one store safely: each one's
 * work on the core runs synchronously to the end once its body is in, so concurrent requests
 * are serialised by the event loop.
 * @param {{ using?: string, token?: string, maxBodyBytes?: number, requestTimeoutMs?: number,
 *   cors?: boolean | string | string[],
 *   page?: string | Response | (() => Response | string | Promise<Response | string>) }} [options]
 * @returns {((request: Request) => Promise<Response>) & { handle: Function }}
 */
export function createHandler(options = {}) {
  const using = options.using ?? 'default';
  const token = options.token ?? null;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes >= 0)) throw new TypeError('maxBodyBytes: a number of bytes');
  if (!(Number.isSafeInteger(requestTimeoutMs) && requestTimeoutMs >= 0)) throw new TypeError('requestTimeoutMs: a number of milliseconds (0: none)');
  const corsFor = corsPolicy(options.cors);
  const store = new Store(using);

  /** The transport-neutral handler, with CORS headers added (and preflights answered). */
  async function handle(request) {
    const cors = corsFor(request.header('origin'));
    if (request.method === 'OPTIONS' && cors && request.path.startsWith(PREFIX))
      return { status: 204, contentType: 'text/plain', body: '', headers: { ...cors, ...PREFLIGHT } };
    const out = await route(request);
    // a copy: some answers (NOT_FOUND) are shared constants
    if (cors && out.page === undefined) return { ...out, headers: { ...out.headers, ...cors } };
    return out;
  }

  /** Whether a request may use the API, from its headers alone: the one place that decides. */
  const authorize = (header) => token === null || authorized(header('authorization'), token);

  /**
   * The transport-neutral core of the handler: { method, path, header(name), body } ->
   * { status, contentType, body }. `body` is a function reading the body (a Promise of its
   * bytes, or of null once it passes maxBodyBytes), called only when the request has passed the
   * route and token checks, so a refused request's body is never read; or the bytes themselves
   * (or null), read by the caller.
   */
  async function route({ method, path, header, body: given }) {
    if ((method === 'GET' || method === 'HEAD') && (path === '/' || path === '/index.html')) {
      if (options.page !== undefined) return { page: options.page };
      return { status: 200, contentType: 'text/html; charset=utf-8', body: indexPage() };
    }
    const route = method === 'POST' && path.startsWith(PREFIX) ? own(ROUTES, path.slice(PREFIX.length)) : undefined;
    if (!route) return NOT_FOUND;
    if (!authorize(header)) return failure(1800, "user hasn't authenticated", 401);
    const body = typeof given === 'function' ? await withTimeout(given(), requestTimeoutMs) : given;
    if (body === null) return tooLarge(maxBodyBytes);
    if (body === TIMED_OUT) return timedOut(requestTimeoutMs);
    // the body is copied into linear memory as measured by the engine: a genuine Uint8Array
    if (typedKind(body) !== 'Uint8Array') throw new TypeError('handle(): body must be a Uint8Array, null (too large), TIMED_OUT or a function reading it');
    await init();
    const [shape, fn] = route;
    const allowInt64 = parseBool(header('accept-type-allow-int64'));
    const c = core();
    const scope = c.scope();
    try {
      let req, raw;
      if (shape === 'CollectionDataReq') {
        ({ req, raw } = bindWriteOrFail(c, body, scope));
      } else {
        req = bind(shape, parseBody(decoder.decode(body)));
      }
      const db = req.dbName || header('db-name') || 'default';
      if (db !== 'default') throw new MilvusException(800, `database not found[database=${db}]`);
      return fn(store, req, allowInt64, raw);
    } catch (e) {
      if (e instanceof MilvusException) return failure(e.code, e.message);
      // anything else is a bug of ours: its message, never its stack
      return failure(65535, `internal error: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      scope.release();
    }
  }

  function bindWriteOrFail(c, body, scope) {
    let start = 0;
    const length = typedLength(body);
    while (start < length && isSpace(body[start])) start++;
    if (start === length)
      throw new MilvusException(1801, 'can only accept json format request, the request body should be nil, however {} is valid');
    try {
      return bindWrite(c, body, scope);
    } catch (e) {
      if (e instanceof SyntaxError) throw new MilvusException(1801, `can only accept json format request, error: ${e.message}`);
      throw e;
    }
  }

  async function fetch(request) {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    let reader = null;
    const body = () => readRequestBody(request, (reader = request.body?.getReader() ?? null), maxBodyBytes);
    const out = await handle({ method, path: url.pathname, header: (n) => request.headers.get(n), body });
    // a body that was not read to its end (too large, late) is dropped, not read on
    reader?.cancel().catch(() => {});
    if (out.page !== undefined) {
      const p = typeof out.page === 'function' ? await out.page() : out.page;
      if (p instanceof Response) return p;
      return new Response(String(p), { headers: { 'content-type': 'text/html; charset=utf-8' } });
    }
    const headers = { 'content-type': out.contentType, ...out.headers };
    return new Response(method === 'HEAD' || out.status === 204 ? null : out.body, { status: out.status, headers });
  }

  fetch.handle = handle;
  fetch.maxBodyBytes = maxBodyBytes;
  fetch.requestTimeoutMs = requestTimeoutMs;
  return fetch;
}

let defaultHandler = null;

/** A handler with the default options (the `default` connection, no token), for Workers. */
export function fetch(request) {
  defaultHandler ??= createHandler();
  return defaultHandler(request);
}

export default { fetch };
