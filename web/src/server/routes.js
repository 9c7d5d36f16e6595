// server/routes.js — the routes of the Milvus REST v2 subset and their handlers: collections/*,
// partitions/* and entities/*, each a function (connection, request, allowInt64, raw) -> reply.
// The handlers map Milvus's REST dialect onto the engine's operations (core/engine.js) and
// shape the replies; what Milvus keeps beside the collections (aliases, load state, consistency
// level, properties) is the store's registry (core/registry.js), which every face shares.
//
// Insert and upsert bodies are never parsed in JS: the C core finds the `data` member in the
// raw bytes and writes the rows from that text (exact int64s, no intermediate objects). Query,
// get and search results are serialised by the core too, straight into the response text.

import { engine } from '../core/engine.js';
import { connections } from '../orm/connections.js';
import { DataType, isVectorType } from '../core/dtype.js';
import { Code, MilvusException } from '../core/errors.js';
import { FieldOpType } from '../core/fieldop.js';
import { restTypeCode, restTypeName } from '../remote/rest.js';
import { templateText, withTemplate } from '../core/template.js';
import { queriesJson } from '../core/marshal.js';
import { registryOf } from '../core/registry.js';
import { OwnedDatabases, ownedDatabases } from '../client/databases.js';
import { FunctionType } from '../client/constants.js';
import { alterCollectionProperties, alterDatabaseProperties, alterFieldProperties, describedProperties, fieldProperties, goBool } from '../core/properties.js';
import { envelope, goFields, jsonKind, okData, okText } from './shapes.js';

const CONSISTENCY = ['Strong', 'Session', 'Bounded', 'Eventually', 'Customized'];

/**
 * The connection a handler serves, in one of its databases (`db`). Its store is looked up on
 * every call (remove_connection and connect give the alias a new one); collections are resolved
 * by the engine, which keeps their descriptions.
 */
export class Connection {
  constructor(using, db = 'default', owner = using) {
    this.using = using;
    this.db = db;
    this.owner = owner;
  }

  /** The databases of the handler's connection (shared with a MilvusClient address that has
   * the same default connection: the gRPC face); under a durable store, durable ones. */
  get databases() {
    const owner = this.owner;
    return ownedDatabases(owner, () => new OwnedDatabases(owner, connections._storePath(owner), () => ({ uri: ':memory:' })));
  }

  /** The connection of database `db` (Milvus's error when there is none), connected on first
   * use. */
  database(db) {
    this.databases.check(db);
    if (db === this.db) return this;
    return new Connection(this.databases.open(db), db, this.owner);
  }

  /** The engine's store of the connection, now. */
  get store() {
    return connections._store(this.using);
  }

  /** The store's registry: aliases, collection states. */
  get reg() {
    return registryOf(this.store);
  }

  /** The aliases of the store's collections. */
  get aliases() {
    return this.reg.aliases;
  }

  /** A collection's state (load state, consistency level, properties). */
  state(h) {
    return this.reg.state(h);
  }

  /** The collection a name names: the name itself, or the collection of an alias (Milvus
   * resolves aliases wherever a request names a collection). */
  real(name) {
    return this.aliases.get(name) ?? name;
  }

  /** The collection, or Milvus's collection-not-found error (code 100). */
  get(name) {
    return engine().resolve(this.store, this.real(name));
  }

  /** Partitions, fresh (names and live counts). */
  partitions(h) {
    return engine().describe(this.store, h.name, h).partitions;
  }
}

// ---------------------------------------------------------------------------------------------
// collections/*
// ---------------------------------------------------------------------------------------------

const toInt = (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v);

/** JSON text as Go's encoding/json marshals a decoded value: object members sorted by name. */
function goJson(v) {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${goJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** A field's elementTypeParams value as the REST handler passes it on (getElementTypeParams): a
 * string as it is, anything else marshalled. The core reads the flags with strconv.ParseBool. */
const typeParamText = (v) => (typeof v === 'string' ? v : goJson(v));

function invalidParam(expected, actual, msg) {
  return new MilvusException(Code.PARAMETER_INVALID, `${msg}: invalid parameter[expected=${expected}][actual=${actual}]`);
}

/** The fields of Milvus's httpserver structs a collections/create body nests (request_v2.go),
 * whose keys Go's encoding/json matches case-insensitively (autoId, EnableDynamicField, ...). */
const SCHEMA_FIELDS = ['autoID', 'enableDynamicField', 'fields', 'functions'];
const FIELD_FIELDS = ['fieldName', 'dataType', 'elementDataType', 'isPrimary', 'isPartitionKey', 'isClusteringKey',
  'elementTypeParams', 'nullable', 'defaultValue', 'description'];
const INDEX_FIELDS = ['fieldName', 'indexName', 'metricType', 'indexType', 'params'];
const FUNCTION_FIELDS = ['name', 'description', 'type', 'inputFieldNames', 'outputFieldNames', 'params'];

/** A schema's functions (httpserver.FunctionSchema: type by name, "BM25") as the core reads them. */
function functionsFromRequest(list) {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list))
    throw new MilvusException(1801, `can only accept json format request, error: json: cannot unmarshal ${jsonKind(list)} into Go struct field CollectionSchema.schema.functions of type []httpserver.FunctionSchema`);
  return list.map((fn) => {
    fn = goFields(fn, FUNCTION_FIELDS);
    if (fn === null || typeof fn !== 'object' || Array.isArray(fn))
      throw new MilvusException(1801, `can only accept json format request, error: json: cannot unmarshal ${jsonKind(fn)} into Go struct field CollectionSchema.schema.functions of type httpserver.FunctionSchema`);
    return { name: fn.name ?? '', description: fn.description ?? '', type: fn.type ?? '', input_field_names: fn.inputFieldNames ?? [],
      output_field_names: fn.outputFieldNames ?? [], params: fn.params ?? {} };
  });
}

/** The core's schema JSON (and index list, partition count) from a collections/create body. */
function schemaFromRequest(req) {
  req = { ...req, schema: goFields(req.schema, SCHEMA_FIELDS) };
  if (Array.isArray(req.indexParams)) req.indexParams = req.indexParams.map((ip) => goFields(ip, INDEX_FIELDS));
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
      dynamic = goBool(s);
      if (dynamic === null)
        throw new MilvusException(Code.PARAMETER_INVALID, `parse enableDynamicField fail, err:strconv.ParseBool: parsing "${s}": invalid syntax`);
    }
    return {
      schema: {
        description: req.description ?? '',
        auto_id: Boolean(req.autoID),
        enable_dynamic_field: dynamic,
        fields: [pk, { name: vecName, dtype: DataType.FLOAT_VECTOR, dim: req.dimension }],
      },
      indexes: [{ field_name: vecName, index_name: vecName, index_type: 'AUTOINDEX', metric_type: req.metricType || 'COSINE', params: {} }],
      loaded: true,
      numPartitions: 0,
    };
  }
  let numPartitions = 0;
  const out = [];
  const names = new Set();
  for (let f of fields) {
    f = goFields(f, FIELD_FIELDS);
    if (f === null || typeof f !== 'object' || Array.isArray(f))
      throw new MilvusException(1801, `can only accept json format request, error: json: cannot unmarshal ${jsonKind(f)} into Go struct field CollectionSchema.schema.fields of type httpserver.FieldSchema`);
    const dtype = restTypeCode(f.dataType);
    if (dtype === undefined)
      throw new MilvusException(Code.PARAMETER_INVALID, `invalid parameter, data type ${f.dataType ?? ''} is invalid(case sensitive).`);
    const field = {
      name: f.fieldName ?? '', dtype, description: f.description ?? '', is_primary: Boolean(f.isPrimary),
      is_partition_key: Boolean(f.isPartitionKey), is_clustering_key: Boolean(f.isClusteringKey),
      nullable: Boolean(f.nullable),
    };
    if (f.defaultValue !== undefined && f.defaultValue !== null) field.default_value = f.defaultValue;
    if (dtype === DataType.ARRAY) {
      const et = restTypeCode(f.elementDataType);
      if (et === undefined)
        throw new MilvusException(Code.PARAMETER_INVALID, `invalid parameter, element data type ${f.elementDataType ?? ''} is invalid(case sensitive).`);
      field.element_type = et;
    }
    if (field.is_primary) field.auto_id = Boolean(req.schema.autoID);
    if (field.is_partition_key) numPartitions = Number(toInt(params.partitionsNum ?? 64)) || 64;
    for (const [k, v] of Object.entries(f.elementTypeParams ?? {})) {
      if (k === 'dim' || k === 'max_length' || k === 'max_capacity') field[k] = toInt(v);
      else if (k === 'enable_analyzer' || k === 'enable_match' || k === 'analyzer_params') field[k] = typeParamText(v);
    }
    out.push(field);
    names.add(field.name);
  }
  const functions = functionsFromRequest(req.schema.functions);
  const indexes = [];
  for (const ip of req.indexParams ?? []) {
    if (!ip || !names.has(ip.fieldName))
      throw new MilvusException(1802, `missing required parameters, error: \`${ip?.fieldName ?? ''}\` hasn't defined in schema`);
    indexes.push(indexRequest(ip));
  }
  return {
    schema: {
      description: req.description ?? '',
      auto_id: Boolean(req.schema.autoID),
      enable_dynamic_field: Boolean(req.schema.enableDynamicField),
      fields: out,
      functions,
    },
    indexes,
    loaded: indexes.length > 0,
    numPartitions,
  };
}

/** The `params` of collections/create partita honours (Milvus's handler reads these and
 * ttlSeconds, partitionKeyIsolation, ...): any other is refused by name, never ignored; shardsNum
 * only as the one shard partita has. */
const CREATE_PARAMS = ['max_length', 'enableDynamicField', 'partitionsNum', 'shardsNum', 'consistencyLevel', 'allow_insert_auto_id'];

function createCollection(conn, req) {
  const given = req.params !== null && typeof req.params === 'object' ? req.params : {};
  for (const k of Object.keys(given))
    if (!CREATE_PARAMS.includes(k) || (k === 'shardsNum' && String(given[k]) !== '1'))
      throw new MilvusException(Code.PARAMETER_INVALID, `\`${k}\` in the params of collections/create is not supported by partita: invalid parameter`);
  const plan = schemaFromRequest(req);
  // the collection property allow_insert_auto_id (Milvus 2.6.3) in params, as given: the core
  // reads Go's ParseBool texts and booleans, and refuses the rest with Milvus's messages
  const allow = req.params?.allow_insert_auto_id;
  if (allow !== undefined && allow !== null) plan.schema.properties = { allow_insert_auto_id: allow };
  const level = req.params?.consistencyLevel;
  if (level !== undefined && !CONSISTENCY.includes(String(level)))
    throw invalidParam('Strong, Session, Bounded, Eventually, Customized', level, 'consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], default: Bounded');
  conn.aliases.refuseCreate(req.collectionName);
  const existed = engine().hasCollection(conn.store, req.collectionName);
  engine().createCollection(conn.store, req.collectionName, JSON.stringify(plan.schema), plan.numPartitions, false);
  const h = conn.get(req.collectionName);
  if (!existed) {
    // the indexes asked for are built by the core; one it refuses undoes the create
    try {
      for (const ix of plan.indexes) engine().createIndex(conn.store, h.name, JSON.stringify(ix));
    } catch (e) {
      engine().dropCollection(conn.store, h.name);
      throw e;
    }
  }
  if (!existed) conn.reg.created(h, { loaded: plan.loaded, consistency_level: level ?? 'Bounded' });
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

function describeField(f, st) {
  const d = {
    name: f.name,
    id: f.field_id,
    type: restTypeName(f.dtype) ?? DataType[f.dtype],
    primaryKey: f.is_primary,
    partitionKey: f.is_partition_key,
    clusteringKey: f.is_clustering_key,
    autoId: f.auto_id,
    nullable: f.nullable,
    description: f.description ?? '',
  };
  if (f.default_value !== undefined && f.default_value !== null) d.defaultValue = defaultValueField(f);
  const params = [];
  for (const k of ['dim', 'max_length', 'max_capacity', 'enable_analyzer', 'enable_match', 'analyzer_params'])
    if (f[k] !== undefined) params.push({ key: k, value: String(f[k]) });
  for (const [key, value] of fieldProperties(st, f.name)) params.push({ key, value });
  if (params.length) d.params = params;
  if (f.dtype === DataType.ARRAY) d.elementType = restTypeName(f.element_type) ?? DataType[f.element_type];
  return d;
}

function describeCollection(conn, req) {
  const h = conn.get(req.collectionName);
  const st = conn.state(h);
  const parts = conn.partitions(h);
  return envelope({
    code: 0,
    data: {
      collectionName: h.name,
      collectionID: h.id,
      description: h.schema.description ?? '',
      autoId: Boolean(h.pk?.auto_id),
      fields: h.schema.fields.map((f) => describeField(f, st)),
      functions: (h.schema.functions ?? []).map((fn) => ({
        name: fn.name, id: 0, description: fn.description ?? '', type: FunctionType[fn.type] ?? String(fn.type),
        inputFieldNames: fn.input_field_names, outputFieldNames: fn.output_field_names,
        params: Object.entries(fn.params ?? {}).map(([key, value]) => ({ key, value: String(value) })),
      })),
      aliases: conn.aliases.of(h.name),
      indexes: engine().indexes(conn.store, h.name).map((i) => ({ indexName: i.index_name, fieldName: i.field_name, metricType: i.metric_type })),
      load: st.loaded ? 'LoadStateLoaded' : 'LoadStateNotLoad',
      shardsNum: 1,
      partitionsNum: parts.length,
      consistencyLevel: st.consistency_level,
      enableDynamicField: Boolean(h.schema.enable_dynamic_field),
      // Milvus's REST describe lists the properties as [{key, value}], values as text
      properties: describedProperties(h, st),
    },
    message: '',
  });
}

function listCollections(conn) {
  return okData(engine().listCollections(conn.store));
}

function dropCollection(conn, req) {
  conn.reg.drop(req.collectionName);
  return okData({});
}

/** collections/rename: Milvus's RenameCollection (newDbName: the server's one database). The
 * collection's REST state (indexes, load state) follows it. */
function renameCollection(conn, req) {
  const db = conn.databases.check(req.newDbName || conn.db);
  if (db !== conn.db)
    throw new MilvusException(Code.PARAMETER_INVALID, 'collections/rename to another database (newDbName) is not supported by partita: invalid parameter');
  connections._renameCollection(conn.using, req.collectionName, req.newCollectionName);
  return okData({});
}

/** collections/alter_properties, drop_properties and fields/alter_properties: `alter` checks and
 * applies the request to the collection's REST state (core/properties.js). */
function alterProperties(conn, req, alter) {
  const h = conn.get(req.collectionName);
  alter(h, conn.state(h));
  conn.reg.keep(h);
  return ok();
}

/** aliases/create and aliases/alter: the alias names collection `collectionName` (itself, not
 * through another alias). */
function pointAlias(conn, req, alter) {
  const h = engine().resolve(conn.store, req.collectionName);
  conn.reg.point(req.aliasName, h.name, alter, conn.db);
  return ok();
}

/** aliases/list: the aliases of a collection, or all of them. */
function listAliases(conn, req) {
  if (!req.collectionName) return okData([...conn.aliases.keys()]);
  return okData(conn.aliases.of(conn.get(req.collectionName).name));
}

function numEntities(conn, h, partition) {
  return engine().numEntities(conn.store, h.name, partition);
}

function setLoaded(conn, req, loaded) {
  conn.reg.setLoaded(conn.get(req.collectionName), loaded);
  return okData({});
}

function loadState(conn, req) {
  const h = conn.get(req.collectionName);
  if (!conn.state(h).loaded) return okData({ loadState: 'LoadStateNotLoad' });
  return envelope({ code: 0, data: { loadState: 'LoadStateLoaded', loadProgress: 100 }, message: '' });
}

// ---------------------------------------------------------------------------------------------
// partitions/*
// ---------------------------------------------------------------------------------------------

function requirePartition(conn, h, name) {
  if (!engine().hasPartition(conn.store, h.name, name))
    throw new MilvusException(Code.PARTITION_NOT_FOUND, `partition not found[partition=${name}]`);
}

const partitionRoutes = {
  create(conn, req) {
    const h = conn.get(req.collectionName);
    engine().createPartition(conn.store, h.name, req.partitionName, h);
    return okData({});
  },
  drop(conn, req) {
    engine().dropPartition(conn.store, conn.real(req.collectionName), req.partitionName);
    return okData({});
  },
  list(conn, req) {
    const h = conn.get(req.collectionName);
    return okData(conn.partitions(h).map((p) => p.name));
  },
  has(conn, req) {
    const h = conn.get(req.collectionName);
    return okData({ has: engine().hasPartition(conn.store, h.name, req.partitionName) });
  },
  get_stats(conn, req) {
    const h = conn.get(req.collectionName);
    requirePartition(conn, h, req.partitionName);
    return okData({ rowCount: numEntities(conn, h, req.partitionName) });
  },
  load(conn, req) {
    const h = conn.get(req.collectionName);
    for (const p of req.partitionNames) requirePartition(conn, h, p);
    return okData({});
  },
  release(conn, req) {
    const h = conn.get(req.collectionName);
    for (const p of req.partitionNames) requirePartition(conn, h, p);
    return okData({});
  },
};

// ---------------------------------------------------------------------------------------------
// entities/*
// ---------------------------------------------------------------------------------------------

/** An upsert's `fieldOps` ([{ fieldName, op }], op a FieldPartialUpdateOp.OpType name, as
 * Milvus's REST layer reads FieldPartialUpdateOpReq) as [[name, code], ...], every entry kept
 * (Milvus's proxy checks REPLACE entries too). A `path` (PATH_REPLACE, on JSON fields) is
 * refused by name: partita has no path operations. */
function restFieldOps(fieldOps) {
  const unmarshal = (v, field, type) =>
    new MilvusException(1801, `can only accept json format request, error: json: cannot unmarshal ${jsonKind(v)} into Go struct field ${field} of type ${type}`);
  return fieldOps.map((o) => {
    if (o === null || typeof o !== 'object' || Array.isArray(o))
      throw unmarshal(o, 'CollectionDataReq.fieldOps', 'httpserver.FieldPartialUpdateOpReq');
    const { fieldName = '', op = '', path } = o;
    if (typeof fieldName !== 'string') throw unmarshal(fieldName, 'FieldPartialUpdateOpReq.fieldOps.fieldName', 'string');
    if (typeof op !== 'string') throw unmarshal(op, 'FieldPartialUpdateOpReq.fieldOps.op', 'string');
    if (path !== undefined && path !== null && path !== '')
      throw new MilvusException(Code.PARAMETER_INVALID, `fieldOps path (PATH_REPLACE) is not supported by partita: invalid parameter`);
    const code = op === '' ? FieldOpType.REPLACE : FieldOpType[op];
    if (typeof code !== 'number') throw new MilvusException(Code.PARAMETER_INVALID, `unsupported partial update op: ${op}: invalid parameter`);
    return [fieldName, code];
  });
}

/** insert / upsert: the rows go from the request bytes to the core without a JS parse. */
function write(conn, op, req, allowInt64, raw) {
  const h = conn.get(req.collectionName);
  const partition = req.partitionName ? req.partitionName : null;
  // merge mode (Milvus 2.6.2+) and field operations (3.0) are the upsert's; insert has neither
  const fieldOps = req.fieldOps ? restFieldOps(req.fieldOps) : [];
  if (op !== 'upsert' && (req.partialUpdate === true || fieldOps.length))
    throw new MilvusException(Code.PARAMETER_INVALID, `${req.partialUpdate === true ? 'partialUpdate' : 'fieldOps'} is a parameter of entities/upsert, not of entities/${op}: invalid parameter`);
  // (a field operation other than REPLACE makes the upsert a merge: the core promotes it)
  const merge = { merge: req.partialUpdate === true, fieldOps };
  if (!raw.hasRows) throw new MilvusException(1804, 'fail to deal the insert data, error: missing required parameters');
  let out;
  try {
    // the handler answers once the store has synced the write (handler.js)
    out = connections._deferred(conn.using, () => engine().writeJson(conn.store, h.name, h, partition, op, raw.data, !allowInt64, merge));
  } catch (e) {
    // the core's client-side checks (pymilvus's, code 1) are the REST layer's data checks in
    // Milvus: "fail to deal the insert data" (1804); so is a vector of the wrong dimension
    // (checkAndSetData measures each vector as it converts the rows)
    if (e.code === Code.CLIENT || (e.status === 'PT_SCHEMA' && e.field !== undefined && e.message.startsWith('the dim (')))
      throw new MilvusException(1804, `fail to deal the insert data, error: ${e.message}`);
    throw e;
  }
  const { n, keysJson } = out;
  const dataText = op === 'insert' ? `{"insertCount":${n},"insertIds":${keysJson}}` : `{"upsertCount":${n},"upsertIds":${keysJson}}`;
  return okText(dataText, ',"cost":0');
}

function deleteEntities(conn, req) {
  // in the core's relief (deleting frees memory), the collection's lookup too: a store at its
  // memory ceiling can always shrink
  return engine().relieved(() => {
    const h = conn.get(req.collectionName);
    const partition = req.partitionName ? req.partitionName : null;
    // Milvus's expression templates (`age > {age}` with exprParams {"age": 18}): the core binds them
    const params = templateText(req.exprParams);
    const result = connections._deferred(conn.using, () => engine().delete(conn.store, h.name, h, partition, req.filter ?? '', { withKeys: false, params }));
    return okData({ deleteCount: result.delete_count });
  });
}

function runQuery(conn, h, request, allowInt64, params = null) {
  const text = withTemplate(JSON.stringify(request), params);
  return okText(engine().queryJson(conn.store, h.name, h, text, !allowInt64), ',"cost":0');
}

function query(conn, req, allowInt64) {
  const h = conn.get(req.collectionName);
  conn.reg.requireLoaded(h);
  const outputFields = req.outputFields ?? ['*'];
  const params = templateText(req.exprParams);
  const request = { expr: req.filter ?? '', output_fields: outputFields };
  if (req.partitionNames) request.partition_names = req.partitionNames;
  if (req.offset > 0) request.offset = req.offset;
  const isCount = outputFields.length === 1 && outputFields[0].trim().toLowerCase() === 'count(*)';
  const limit = req.limit ?? 100;
  if (limit > 0 && !isCount) request.limit = limit;
  // Milvus 3.0's ordering: a list of `field[:direction]`, joined as Milvus's handler joins it
  if (req.orderByFields?.length) request.order_by_fields = req.orderByFields.join(',');
  return runQuery(conn, h, request, allowInt64, params);
}

/** entities/get: `id` is one key or a list; Milvus turns it into `pk in [...]`. */
function get(conn, req, allowInt64) {
  const h = conn.get(req.collectionName);
  conn.reg.requireLoaded(h);
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
  return runQuery(conn, h, request, allowInt64);
}

const pkError = (detail) =>
  new MilvusException(1806, `please check the primary key and its' type can only in [int, string], error: ${detail}`);

function checkSearchConsistency(req) {
  if (req.consistencyLevel && !CONSISTENCY.includes(req.consistencyLevel))
    throw new MilvusException(Code.PARAMETER_INVALID, `consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], default: Bounded, err:parameter:'${req.consistencyLevel}' is incorrect, please check it: invalid parameter`);
}

function search(conn, req, allowInt64) {
  checkSearchConsistency(req);
  const h = conn.get(req.collectionName);
  // the vector field: the one named, or the only one
  const vectors = h.schema.fields.filter((f) => isVectorType(f.dtype));
  let field;
  if (req.annsField) {
    field = vectors.find((f) => f.name === req.annsField);
    if (!field) throw new MilvusException(1801, `can only accept json format request, error: cannot find a vector field named: ${req.annsField}`);
  } else {
    if (vectors.length > 1)
      throw new MilvusException(1801, `can only accept json format request, error: search without annsField, but already found multiple vector fields: [${vectors[0].name}, ${vectors[1].name},,,]`);
    field = vectors[0];
  }
  conn.reg.requireLoaded(h);
  const sp = req.searchParams ?? {};
  // what Milvus would act on and partita does not is refused by name (function rerankers, the
  // other search params Milvus's handler passes on), never ignored
  const fs = req.functionScore;
  const given = (v) => v !== undefined && v !== null && !((Array.isArray(v) ? v : Object.keys(v)).length === 0);
  if (fs && (given(fs.functions) || given(fs.params)))
    throw new MilvusException(Code.PARAMETER_INVALID, '`functionScore` of entities/search is not supported by partita: invalid parameter');
  for (const k of Object.keys(sp))
    if (!['metricType', 'metric_type', 'params', 'order_by_fields'].includes(k))
      throw new MilvusException(Code.PARAMETER_INVALID, `\`searchParams.${k}\` of entities/search is not supported by partita: invalid parameter`);
  // Milvus's handler passes searchParams' other keys on as search params (Milvus 3.0's
  // order_by_fields among them), and searchParams.params to the index, which ignores an ordering
  if (sp.params && typeof sp.params === 'object' && Object.hasOwn(sp.params, 'order_by_fields'))
    throw new MilvusException(Code.PARAMETER_INVALID, '`searchParams.params.order_by_fields` of entities/search is not read by Milvus (give searchParams.order_by_fields): invalid parameter');
  const asked = sp.metricType ?? sp.metric_type; // the core checks it against the field's index
  const request = {
    anns_field: field.name,
    metric_type: asked ? String(asked) : '',
    limit: req.limit ?? 100,
    offset: req.offset ?? 0,
    expr: req.filter ?? '',
    params: sp.order_by_fields === undefined ? sp.params ?? {} : { ...(sp.params ?? {}), order_by_fields: sp.order_by_fields },
  };
  if (req.outputFields) request.output_fields = req.outputFields;
  if (req.partitionNames) request.partition_names = req.partitionNames;
  // grouping search (Milvus 2.6): as given, the core checks them
  if (req.groupingField) request.group_by_field = req.groupingField;
  if (req.groupSize !== undefined && req.groupSize !== null) request.group_size = req.groupSize;
  if (req.strictGroupSize !== undefined && req.strictGroupSize !== null) request.strict_group_size = req.strictGroupSize;
  // the vectors as JSON text: the core reads them for the field (numbers, base64 strings,
  // sparse vectors) and refuses what does not fit it; what the client sent badly is its 1801
  const text = withTemplate(JSON.stringify(request), templateText(req.exprParams));
  return searchReply(() => engine().searchJson(conn.store, h.name, h, text, queriesJson(JSON.stringify(req.data)), !allowInt64));
}

/** A search's (or hybrid search's) reply from the core's { topks, json }; what the client sent
 * badly (a client-side code) is its 1801. */
function searchReply(run) {
  let found;
  try {
    found = run();
  } catch (e) {
    if (e.code === Code.CLIENT) throw new MilvusException(1801, `can only accept json format request, error: ${e.message}`);
    throw e;
  }
  const { topks, json } = found;
  if (json === null) return okText('[]', ',"cost":0');
  return okText(json, `,"cost":0,"topks":[${topks.join(',')}]`);
}

/** httpserver.SubSearchReq's fields (one search of a hybrid search). */
const SUB_SEARCH_FIELDS = ['data', 'annsField', 'filter', 'groupingField', 'metricType', 'limit', 'offset', 'ignoreGrowing', 'params'];

/** entities/hybrid_search: each sub-search with its field's index metric (or its own), fused
 * by the core with `rerank` ({ strategy: 'rrf' | 'weighted', params }). */
function hybridSearch(conn, req, allowInt64) {
  checkSearchConsistency(req);
  const h = conn.get(req.collectionName);
  conn.reg.requireLoaded(h);
  const subs = [], queries = [];
  for (let sub of req.search) {
    sub = goFields(sub, SUB_SEARCH_FIELDS);
    if (sub === null || typeof sub !== 'object' || Array.isArray(sub))
      throw new MilvusException(1801, `can only accept json format request, error: json: cannot unmarshal ${jsonKind(sub)} into Go struct field HybridSearchReq.search of type httpserver.SubSearchReq`);
    if (sub.ignoreGrowing) throw new MilvusException(Code.PARAMETER_INVALID, 'ignoreGrowing is not supported by partita (every row is in a growing segment): invalid parameter');
    if (sub.groupingField) throw new MilvusException(Code.PARAMETER_INVALID, 'groupingField of a hybrid sub-search is not supported by partita: invalid parameter');
    // the field's index metric and a BM25 index's bm25_k1 / bm25_b are the core's defaults
    subs.push({ anns_field: sub.annsField ?? '', metric_type: sub.metricType || '', limit: sub.limit ?? req.limit ?? 100,
      expr: sub.filter ?? '', params: sub.params ?? {} });
    queries.push(queriesJson(JSON.stringify(sub.data ?? null)));
  }
  const request = { reqs: subs, rerank: req.rerank, limit: req.limit ?? 100 };
  if (req.outputFields) request.output_fields = req.outputFields;
  if (req.partitionNames) request.partition_names = req.partitionNames;
  return searchReply(() => engine().hybridSearch(conn.store, h.name, h, JSON.stringify(request), queries, null, { int64AsString: !allowInt64 }));
}

// ---------------------------------------------------------------------------------------------
// indexes/* (the core builds, drops and describes them: src/vindex.c)
// ---------------------------------------------------------------------------------------------

/** The core's create_index request from a REST IndexParam ({ fieldName, indexName, metricType,
 * indexType, params }; the type may be params.index_type, as Milvus's handler reads it). */
function indexRequest(ip) {
  const { index_type: typeParam, ...params } = ip.params ?? {};
  return {
    field_name: ip.fieldName ?? '', index_name: ip.indexName ?? '', index_type: ip.indexType || typeParam || '',
    metric_type: ip.metricType || '', params,
  };
}

function createIndexes(conn, req) {
  const h = conn.get(req.collectionName);
  for (let ip of req.indexParams) {
    ip = goFields(ip, INDEX_FIELDS);
    if (!ip || typeof ip !== 'object') throw new MilvusException(1802, 'missing required parameters, error: `fieldName` is required');
    engine().createIndex(conn.store, h.name, JSON.stringify(indexRequest(ip)));
  }
  return okData({});
}

function describeIndex(conn, req) {
  const h = conn.get(req.collectionName);
  const list = engine().describeIndex(conn.store, h.name, JSON.stringify({ index_name: req.indexName }));
  return okData(list.map((i) => ({
    indexName: i.index_name, fieldName: i.field_name, indexType: i.index_type, metricType: i.metric_type,
    indexState: i.state, indexedRows: i.indexed_rows, totalRows: i.total_rows, pendingRows: i.pending_index_rows,
    failReason: i.index_state_fail_reason, params: i.params,
  })));
}

function dropIndex(conn, req) {
  const h = conn.get(req.collectionName);
  conn.reg.requireReleased(h);
  engine().dropIndex(conn.store, h.name, JSON.stringify({ index_name: req.indexName }));
  return okData({});
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

const ok = () => okData({});

/** A route's third member: the request's `dbName` names the database the route acts on, so the
 * handler does not run it in that database. */
export const ON_DATABASE = 'on database';

function describeDatabase(conn, req) {
  conn.databases.check(req.dbName);
  return okData({ dbName: req.dbName, dbID: conn.databases.list().indexOf(req.dbName) + 1, properties: [] });
}

/** databases/create: a database is an embedded store of its own (none on a forwarding
 * connection, whose remote server has its own databases). */
async function createDatabase(conn, req) {
  if (connections._forwarder(conn.using))
    throw new MilvusException(Code.PARAMETER_INVALID, 'databases/create is not supported by partita on a forwarding connection: invalid parameter');
  // properties are checked first: a refused one leaves no database behind
  alterDatabaseProperties(Object.entries(req.properties ?? {}), []);
  await conn.databases.create(req.dbName); // in a page, a durable store's is made asynchronously
  return ok();
}

/** databases/drop: an empty database (Milvus drops only those; one not there is a success). */
async function dropDatabase(conn, req) {
  await conn.databases.dropStore(req.dbName); // in a page, deleted asynchronously
  return ok();
}

function alterDatabase(conn, req, pairs, keys) {
  conn.databases.check(req.dbName);
  alterDatabaseProperties(pairs, keys);
  return ok();
}
export const ROUTES = {
  'collections/create': ['CollectionReq', (s, r) => createCollection(s, r)],
  'collections/describe': ['CollectionNameReq', (s, r) => describeCollection(s, r)],
  'collections/has': ['CollectionNameReq', (s, r) => okData({ has: engine().hasCollection(s.store, s.real(r.collectionName)) })],
  'collections/list': ['DatabaseReq', (s) => listCollections(s)],
  'collections/drop': ['CollectionNameReq', (s, r) => dropCollection(s, r)],
  'collections/get_stats': ['CollectionNameReq', (s, r) => okData({ rowCount: numEntities(s, s.get(r.collectionName), null) })],
  'collections/get_load_state': ['CollectionNameReq', (s, r) => loadState(s, r)],
  'collections/load': ['CollectionNameReq', (s, r) => setLoaded(s, r, true)],
  'collections/release': ['CollectionNameReq', (s, r) => setLoaded(s, r, false)],
  'collections/flush': ['FlushReq', (s, r) => (s.get(r.collectionName), ok())],
  'collections/rename': ['RenameCollectionReq', (s, r) => renameCollection(s, r)],
  'collections/alter_properties': ['CollectionReqWithProperties', (s, r) =>
    alterProperties(s, r, (h, st) => alterCollectionProperties(h, st, Object.entries(r.properties ?? {}), []))],
  'collections/drop_properties': ['DropCollectionPropertiesReq', (s, r) => alterProperties(s, r, (h, st) => alterCollectionProperties(h, st, [], r.propertyKeys ?? []))],
  'collections/fields/alter_properties': ['CollectionFieldReqWithParams', (s, r) =>
    alterProperties(s, r, (h, st) => alterFieldProperties(h, st, r.fieldName, Object.entries(r.fieldParams ?? {})))],
  'aliases/create': ['AliasCollectionReq', (s, r) => pointAlias(s, r, false)],
  'aliases/alter': ['AliasCollectionReq', (s, r) => pointAlias(s, r, true)],
  // Milvus: dropping an alias that is not there succeeds
  'aliases/drop': ['AliasReq', (s, r) => (s.aliases.has(r.aliasName) && s.reg.setAlias(r.aliasName, null), ok())],
  // (members in the order Go's encoding/json writes a map's)
  'aliases/describe': ['AliasReq', (s, r) => okData({ aliasName: r.aliasName, collectionName: s.aliases.describe(r.aliasName, s.db), dbName: s.db })],
  'aliases/list': ['OptionalCollectionNameReq', (s, r) => listAliases(s, r)],
  // databases/*: `dbName` names the database acted on (ON_DATABASE), not the one a request runs in
  'databases/list': ['EmptyReq', (s) => okData(s.databases.list()), ON_DATABASE],
  'databases/describe': ['DatabaseReqRequiredName', (s, r) => describeDatabase(s, r), ON_DATABASE],
  'databases/create': ['DatabaseReqWithProperties', (s, r) => createDatabase(s, r), ON_DATABASE],
  'databases/drop': ['DatabaseReqRequiredName', (s, r) => dropDatabase(s, r), ON_DATABASE],
  'databases/alter': ['DatabaseReqWithProperties', (s, r) => alterDatabase(s, r, Object.entries(r.properties ?? {}), []), ON_DATABASE],
  'databases/alter_properties': ['DatabaseReqWithProperties', (s, r) => alterDatabase(s, r, Object.entries(r.properties ?? {}), []), ON_DATABASE],
  'databases/drop_properties': ['DropDatabasePropertiesReq', (s, r) => alterDatabase(s, r, [], r.propertyKeys ?? []), ON_DATABASE],
  'indexes/create': ['IndexParamReq', (s, r) => createIndexes(s, r)],
  'indexes/describe': ['IndexReq', (s, r) => describeIndex(s, r)],
  'indexes/list': ['CollectionNameReq', (s, r) => okData(engine().indexes(s.store, s.get(r.collectionName).name).map((i) => i.index_name))],
  'indexes/drop': ['IndexReq', (s, r) => dropIndex(s, r)],
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
  'entities/hybrid_search': ['HybridSearchReq', (s, r, a) => hybridSearch(s, r, a)],
};
export const PREFIX = '/v2/vectordb/';

/** The routes served, for documentation and the index page. */
export const routes = Object.keys(ROUTES).map((r) => PREFIX + r);

export function indexPage() {
  const items = routes.map((r) => `<li><code>POST ${r}</code></li>`).join('\n');
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>partita</title></head><body>\n' +
    '<h1>partita</h1>\n<p>A Milvus RESTful API v2 subset over an embedded partita store. Routes:</p>\n' +
    `<ul>\n${items}\n</ul>\n</body></html>\n`
  );
}
