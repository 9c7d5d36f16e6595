// grpc/service.js — Milvus's MilvusService over the MilvusClient face (client/milvus-client.js):
// each RPC reads its request message, calls the face's method (whose replies already have the
// shapes of Milvus's messages: statuses, describe, show, mutation results) and, for data, turns
// columns into rows and rows into columns (grpc/fields.js). RPCs not listed here are answered
// UNIMPLEMENTED by grpc-js, as Milvus Lite answers what it does not serve.

import { Code, MilvusException } from '../core/errors.js';
import { setOrDelete } from '../core/properties.js';
import { resStatus, statusOf } from '../client/status.js';
import { DataType, DEFAULT_DYNAMIC_FIELD, DEFAULT_COUNT_QUERY_STRING, ErrorCode } from '../client/constants.js';
import { columnsOf, keyValues, placeholderVectors, rowsOf, templateValues, utf8Text } from './fields.js';
import { idsReply, toDataType } from '../client/milvus-client.js';

/** A status of whatever a face call threw: its Milvus code, a status it threw as it is, the SDK
 * face's client-side checks (plain Errors) as Milvus's server-side parameter check (1100). */
function statusOfThrown(e) {
  if (e instanceof MilvusException) return statusOf(e);
  if (e && typeof e === 'object' && typeof e.error_code === 'string' && 'reason' in e) return e;
  if (e && typeof e === 'object' && e.status && typeof e.status.error_code === 'string') return e.status;
  if (e instanceof Error && !(e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError))
    return resStatus(Code.PARAMETER_INVALID, `${e.message}: invalid parameter`);
  return resStatus(Code.UNEXPECTED, `internal error: ${e instanceof Error ? e.message : String(e)}`);
}

const ok = (status) => status.error_code === ErrorCode.SUCCESS;

/** A ValueField (a field's default value) of a value of type `t`. */
function valueField(t, v) {
  if (v === null || v === undefined) return null;
  switch (t) {
    case DataType.Bool: return { bool_data: v };
    case DataType.Int8: case DataType.Int16: case DataType.Int32: return { int_data: v };
    case DataType.Int64: return { long_data: String(v) };
    case DataType.Float: return { float_data: v };
    case DataType.Double: return { double_data: v };
    default: return { string_data: typeof v === 'string' ? v : JSON.stringify(v) };
  }
}

/** A ValueField's value. */
function fromValueField(v) {
  if (!v || !v.data) return undefined;
  const x = v[v.data];
  return v.data === 'long_data' ? BigInt(x) : x;
}

/** Only the members of `req` that differ from the proto's defaults (so that the face refuses,
 * by name, options it does not implement, and never sees a default as an option). */
function given(req, keys) {
  const out = {};
  for (const k of keys) {
    const v = req[k];
    if (v === undefined || v === null || v === '' || v === false || v === 0 || v === '0' || (Array.isArray(v) && !v.length)) continue;
    if (typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && !Object.keys(v).length) continue;
    out[k] = v;
  }
  return out;
}

/** The properties to set and the keys to delete of an Alter* request, each only when given (both
 * at once reach the face, which refuses them with Milvus's message: setOrDelete). A key given twice is
 * refused: the last one would silently win. */
function alterations(pairs, deleteKeys) {
  const out = {};
  if (pairs.length) out.properties = keyValues(pairs, 'properties');
  if (deleteKeys.length) out.delete_keys = deleteKeys;
  return out;
}

/** The schema fields of a CollectionSchema message as the face's FieldTypes. */
function fieldsOf(schema) {
  return schema.fields.map((f) => {
    const out = {
      name: f.name, description: f.description, data_type: toDataType(f.data_type) ?? f.data_type, is_primary_key: f.is_primary_key,
      autoID: f.autoID, type_params: keyValues(f.type_params, `type_params of field ${f.name}`), nullable: f.nullable, is_partition_key: f.is_partition_key,
      is_clustering_key: f.is_clustering_key,
    };
    if (f.element_type && f.element_type !== 'None') out.element_type = toDataType(f.element_type) ?? f.element_type;
    const dv = fromValueField(f.default_value);
    if (dv !== undefined) out.default_value = dv;
    if (f.is_function_output) out.is_function_output = true;
    if (f.is_dynamic) throw new MilvusException(Code.PARAMETER_INVALID, `field ${f.name}: is_dynamic is set by the server, not given: invalid parameter`);
    if (f.index_params.length) throw new MilvusException(Code.PARAMETER_INVALID, `field ${f.name}: index_params of a field are not supported by partita (create an index): invalid parameter`);
    return out;
  });
}

/** A describeCollection reply of the face as the DescribeCollectionResponse message. */
function describeMessage(r) {
  if (!r.schema) return r;
  const fields = r.schema.fields.map((f) => ({ ...f, data_type: f.dataType, default_value: valueField(f.dataType, f.default_value) }));
  return { ...r, schema: { ...r.schema, fields } };
}

/** The search iterators alive (token -> { next(limit) }), at most MAX_ITERATORS, each dropped
 * ITERATOR_IDLE_MS after its last use. */
const MAX_ITERATORS = 1024;
const ITERATOR_IDLE_MS = 10 * 60 * 1000;

/**
 * The MilvusService implementation over `face` (a MilvusClient of partita): `types` decode the
 * messages carried as bytes (grpc/load.js), `version` is GetVersion's answer.
 */
export function milvusService(face, { version, types }) {
  const schemaOf = (bytes) => decodeOrFail(types.CollectionSchema, bytes, 'collection schema');
  const placeholderOf = (bytes) => decodeOrFail(types.PlaceholderGroup, bytes, 'placeholder group');
  const iterators = new Map();
  let nextToken = 1;

  /** The database of a call: the request's db_name, else the `dbname` metadata (the SDKs'). */
  const dbOf = (call) => call.request.db_name || String(call.metadata.get('dbname')[0] ?? '') || 'default';

  /** An RPC whose reply is `shape(status)` on failure; fn(request, db) gives the reply. */
  const rpc = (shape, fn) => async (call, callback) => {
    let reply;
    try {
      reply = await fn(call.request, dbOf(call), call);
    } catch (e) {
      reply = shape(statusOfThrown(e));
    }
    callback(null, reply);
  };
  const statusRpc = (fn) => rpc((s) => s, fn);
  const withStatus = (fn) => rpc((s) => ({ status: s }), fn);

  /** The face's describeCollection reply, or its failure thrown as a status. */
  async function described(name, db) {
    const d = await face.describeCollection({ collection_name: name, db_name: db });
    if (!ok(d.status)) throw d.status;
    return d;
  }

  async function write(op, req, db) {
    const desc = await described(req.collection_name, db);
    const rows = rowsOf(req.fields_data, req.num_rows, desc.schema.fields, desc.schema.enable_dynamic_field);
    const data = { collection_name: req.collection_name, db_name: db, data: rows };
    if (req.partition_name) data.partition_name = req.partition_name;
    if (op === 'upsert') {
      if (req.partial_update) data.partial_update = true;
      if (req.field_ops.length) data.field_ops = req.field_ops.map((o) => ({ field_name: o.field_name, op: o.op }));
    }
    return face[op](data);
  }

  /** The face's query options from a QueryRequest. */
  function queryData(req, db) {
    const params = keyValues(req.query_params, 'query_params');
    // no output fields: the primary key alone, as Milvus answers (the SDK sends ['*'] itself)
    const data = { collection_name: req.collection_name, db_name: db, expr: req.expr, output_fields: req.output_fields };
    for (const [k, v] of Object.entries(params)) {
      if (k === 'limit' || k === 'offset') data[k] = Number(v);
      else if (k === 'order_by_fields') data.order_by_fields = v; // Milvus 3.0's ordering, read by the core
      else if (k === 'ignore_growing' && v === 'false') continue;
      else if (k === 'reduce_stop_for_best' || k === 'timezone') continue; // orderings and display hints of a server with segments
      else throw new MilvusException(Code.PARAMETER_INVALID, `query parameter ${k} is not supported by partita: invalid parameter`);
    }
    if (req.partition_names.length) data.partition_names = req.partition_names;
    const exprValues = templateValues(req.expr_template_values);
    if (exprValues) data.exprValues = exprValues;
    return data;
  }

  /** Output names and dynamic keys of rows: schema fields, `$meta` when rows carry it, and the
   * dynamic keys asked for by name (top-level in the face's hits). */
  function outputsOf(rows, fields, skip) {
    const byName = new Set(fields.map((f) => f.name));
    const seen = new Set(skip), names = [], dyn = [];
    for (const r of rows)
      for (const k in r) {
        if (seen.has(k)) continue;
        seen.add(k);
        if (byName.has(k) || k === DEFAULT_DYNAMIC_FIELD || k === DEFAULT_COUNT_QUERY_STRING) names.push(k);
        else dyn.push(k);
      }
    return { names, dyn };
  }

  /** Search data of a SearchResults message from the face's hits (a list per query vector). */
  function searchData(lists, desc, nq) {
    const fields = desc.schema.fields;
    const pk = fields.find((f) => f.is_primary_key);
    const hits = lists.flat();
    const { names, dyn } = outputsOf(hits, fields, new Set(['score']));
    const columns = columnsOf(hits, dyn.length && !names.includes(DEFAULT_DYNAMIC_FIELD) ? [...names, DEFAULT_DYNAMIC_FIELD] : names, fields, dyn);
    return {
      num_queries: nq,
      top_k: Math.max(0, ...lists.map((l) => l.length)),
      fields_data: columns,
      scores: hits.map((h) => h.score),
      ids: idsReply(hits.map((h) => h[pk.name]), pk.dataType === DataType.VarChar),
      topks: lists.map((l) => l.length),
      output_fields: [...names, ...dyn],
      primary_field_name: pk.name,
      all_search_count: hits.length,
    };
  }

  /** The face's search options from a SearchRequest; `vectors`: { n, data } */
  function searchOptions(req, db, sp) {
    const data = { collection_name: req.collection_name, db_name: db, output_fields: req.output_fields.length ? req.output_fields : [] };
    if (req.dsl) data.filter = req.dsl;
    if (req.partition_names.length) data.partition_names = req.partition_names;
    const exprValues = templateValues(req.expr_template_values);
    if (exprValues) data.exprValues = exprValues;
    let params = {};
    for (const [k, v] of Object.entries(sp)) {
      switch (k) {
        case 'anns_field': if (v) data.anns_field = v; break;
        case 'topk': data.limit = Number(v); break;
        case 'offset': data.offset = Number(v); break;
        case 'metric_type': if (v) data.metric_type = v; break;
        case 'round_decimal': data.round_decimal = Number(v); break;
        case 'ignore_growing': if (v === 'true') data.ignore_growing = true; break;
        case 'params': params = { ...params, ...JSON.parse(v || '{}') }; break;
        case 'group_by_field': data.group_by_field = v; break;
        case 'group_size': data.group_size = Number(v); break;
        case 'strict_group_size': data.strict_group_size = v === 'true'; break;
        default:
          // the SDK spreads `params` here too, key by key, beside the iterator's keys (iteratorPage)
          if (!ITERATOR_KEYS.has(k)) params[k] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
      }
    }
    // the JSON text of `params` may carry the iterator's keys as well
    for (const k of ITERATOR_KEYS) delete params[k];
    if (Object.keys(params).length) data.params = params;
    return data;
  }

  /** A search iterator's next page: the iterator is the face's (searchIterator), kept under a
   * token between calls; each call takes `limit` hits from it. */
  async function iteratorPage(data, sp) {
    let entry = sp.search_iter_id ? iterators.get(sp.search_iter_id) : undefined;
    if (sp.search_iter_id && !entry)
      throw new MilvusException(Code.PARAMETER_INVALID, `search iterator ${sp.search_iter_id} is not known (expired after ${ITERATOR_IDLE_MS / 60000} minutes idle, or never made): invalid parameter`);
    const limit = data.limit ?? 10;
    if (!entry) {
      const { limit: _l, offset: _o, round_decimal, ...rest } = data;
      const it = (await face.searchIterator({ ...rest, batchSize: Math.max(1, Number(sp.search_iter_batch_size ?? limit)), round_decimal }))[Symbol.asyncIterator]();
      if (iterators.size >= MAX_ITERATORS) iterators.delete(iterators.keys().next().value);
      entry = { token: String(nextToken++), it, buffer: [], done: false, timer: null };
      iterators.set(entry.token, entry);
    }
    const { token } = entry;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => iterators.delete(token), ITERATOR_IDLE_MS);
    entry.timer.unref?.();
    while (entry.buffer.length < limit && !entry.done) {
      const next = await entry.it.next();
      if (next.done) entry.done = true;
      else entry.buffer.push(...next.value);
    }
    const page = entry.buffer.splice(0, limit);
    if (!page.length) {
      clearTimeout(entry.timer);
      iterators.delete(token);
    }
    return { page, token, last_bound: page.length ? page[page.length - 1].score : 0 };
  }

  /** A FunctionSchema as the face takes it: ids are the server's to assign (a client sends none). */
  function functionOf(fn) {
    const ids = [...fn.input_field_ids, ...fn.output_field_ids, fn.id].map(String).filter((v) => v !== '0');
    if (ids.length) throw new MilvusException(Code.PARAMETER_INVALID, `function ${fn.name} carries field or function ids (${ids.join(', ')}); the server assigns them: invalid parameter`);
    return { // type: the enum's name as decoded ('BM25'), which the core reads as the number
      name: fn.name, description: fn.description, type: fn.type, input_field_names: fn.input_field_names, output_field_names: fn.output_field_names,
      params: keyValues(fn.params, `params of function ${fn.name}`),
    };
  }

  const searchFailed = (s, name) => ({ status: s, results: { num_queries: 0, top_k: 0, fields_data: [], scores: [], topks: [], output_fields: [] }, collection_name: name });

  return {
    Connect: withStatus(async () => ({
      status: resStatus(),
      server_info: { build_tags: version, build_time: '', git_commit: '', go_version: '', deploy_mode: 'partita', reserved: {} },
      identifier: '1',
    })),
    GetVersion: withStatus(async () => ({ status: resStatus(), version })),
    CheckHealth: withStatus(async () => ({ ...(await face.checkHealth()), status: resStatus(), quota_states: [] })),

    // ---- collections
    CreateCollection: statusRpc(async (req, db) => {
      const schema = schemaOf(req.schema);
      const data = {
        collection_name: req.collection_name, db_name: db, fields: fieldsOf(schema), description: schema.description,
        enable_dynamic_field: schema.enable_dynamic_field, consistency_level: req.consistency_level,
      };
      if (schema.name && schema.name !== req.collection_name)
        throw new MilvusException(Code.PARAMETER_INVALID, `collection name [${req.collection_name}] is not the schema's name [${schema.name}]: invalid parameter`);
      if (schema.functions.length) data.functions = schema.functions.map(functionOf);
      if (req.properties.length) data.properties = keyValues(req.properties, 'properties');
      if (Number(req.num_partitions) > 0) data.num_partitions = Number(req.num_partitions);
      if (req.shards_num > 1) data.shards_num = req.shards_num;
      if (schema.struct_array_fields.length) throw new MilvusException(Code.PARAMETER_INVALID, 'struct array fields are not supported by partita: invalid parameter');
      return face.createCollection(data);
    }),
    DropCollection: statusRpc((req, db) => face.dropCollection({ collection_name: req.collection_name, db_name: db })),
    HasCollection: withStatus((req, db) => face.hasCollection({ collection_name: req.collection_name, db_name: db })),
    DescribeCollection: withStatus(async (req, db) => describeMessage(await face.describeCollection({ collection_name: req.collection_name, db_name: db }))),
    ShowCollections: withStatus((req, db) =>
      face.showCollections({ db_name: db, type: req.type === 'InMemory' ? 1 : undefined, collection_names: req.collection_names.length ? req.collection_names : undefined })),
    RenameCollection: statusRpc((req, db) => {
      if (req.newDBName && req.newDBName !== db) throw new MilvusException(Code.PARAMETER_INVALID, 'renaming a collection into another database is not supported by partita: invalid parameter');
      return face.renameCollection({ collection_name: req.oldName, new_collection_name: req.newName, db_name: db });
    }),
    LoadCollection: statusRpc((req, db) => {
      if (Object.keys(req.load_params ?? {}).length) throw new MilvusException(Code.PARAMETER_INVALID, 'load_params are not supported by partita: invalid parameter');
      return face.loadCollection({ collection_name: req.collection_name, db_name: db, ...given(req, ['replica_number', 'resource_groups', 'refresh', 'load_fields', 'skip_load_dynamic_field']) });
    }),
    ReleaseCollection: statusRpc((req, db) => face.releaseCollection({ collection_name: req.collection_name, db_name: db })),
    GetLoadState: withStatus((req, db) =>
      face.getLoadState({ collection_name: req.collection_name, db_name: db, partition_names: req.partition_names.length ? req.partition_names : undefined })),
    GetLoadingProgress: withStatus((req, db) =>
      face.getLoadingProgress({ collection_name: req.collection_name, db_name: db, partition_names: req.partition_names.length ? req.partition_names : undefined })),
    GetCollectionStatistics: withStatus((req, db) => face.getCollectionStatistics({ collection_name: req.collection_name, db_name: db })),
    BatchDescribeCollection: withStatus(async (req, db) => {
      if (req.collectionID.length) throw new MilvusException(Code.PARAMETER_INVALID, 'collectionID of BatchDescribeCollection is not supported by partita, give collection_name: invalid parameter');
      if (!req.collection_name.length) throw new MilvusException(Code.PARAMETER_MISSING, 'collection names cannot be empty: missing parameter');
      const r = await face.batchDescribeCollections({ collection_names: req.collection_name, db_name: db });
      // a collection that cannot be described gets its status and name, as Milvus answers
      return { status: r.status, responses: r.responses.map((d, i) => (ok(d.status) ? describeMessage(d) : { status: d.status, collection_name: req.collection_name[i] })) };
    }),
    // properties: the face judges each key (stored-only mmap, the core's own, the rest refused by name)
    AlterCollection: statusRpc((req, db) => face.alterCollectionProperties({
      collection_name: req.collection_name, db_name: db, ...alterations(req.properties, req.delete_keys), ...given(req, ['collectionID']),
    })),
    AlterCollectionField: statusRpc((req, db) => {
      if (req.delete_keys.length) throw new MilvusException(Code.PARAMETER_INVALID, 'delete_keys of AlterCollectionField are not supported by partita: invalid parameter');
      return face.alterCollectionFieldProperties({ collection_name: req.collection_name, db_name: db, field_name: req.field_name, properties: keyValues(req.properties, 'properties') });
    }),

    // ---- partitions
    CreatePartition: statusRpc((req, db) => face.createPartition({ collection_name: req.collection_name, partition_name: req.partition_name, db_name: db })),
    DropPartition: statusRpc((req, db) => face.dropPartition({ collection_name: req.collection_name, partition_name: req.partition_name, db_name: db })),
    HasPartition: withStatus((req, db) => face.hasPartition({ collection_name: req.collection_name, partition_name: req.partition_name, db_name: db })),
    ShowPartitions: withStatus(async (req, db) => {
      const r = await face.showPartitions({ collection_name: req.collection_name, db_name: db });
      if (!ok(r.status)) return r;
      const wanted = req.partition_names.length ? new Set(req.partition_names) : null;
      const keep = r.partition_names.map((n) => !wanted || wanted.has(n));
      const pick = (list) => list.filter((_, i) => keep[i]);
      return {
        status: r.status, partition_names: pick(r.partition_names), partitionIDs: pick(r.partitionIDs), created_timestamps: pick(r.created_timestamps),
        created_utc_timestamps: pick(r.created_utc_timestamps), inMemory_percentages: pick(r.data.map((p) => p.loadedPercentage)),
      };
    }),
    LoadPartitions: statusRpc((req, db) =>
      face.loadPartitions({ collection_name: req.collection_name, partition_names: req.partition_names, db_name: db, ...given(req, ['replica_number', 'resource_groups', 'refresh', 'load_fields', 'skip_load_dynamic_field']) })),
    ReleasePartitions: statusRpc((req, db) => face.releasePartitions({ collection_name: req.collection_name, partition_names: req.partition_names, db_name: db })),
    GetPartitionStatistics: withStatus((req, db) => face.getPartitionStatistics({ collection_name: req.collection_name, partition_name: req.partition_name, db_name: db })),

    // ---- aliases
    CreateAlias: statusRpc((req, db) => face.createAlias({ collection_name: req.collection_name, alias: req.alias, db_name: db })),
    AlterAlias: statusRpc((req, db) => face.alterAlias({ collection_name: req.collection_name, alias: req.alias, db_name: db })),
    DropAlias: statusRpc((req, db) => face.dropAlias({ alias: req.alias, db_name: db })),
    // the face (as the SDK) asks for a collection name it does not use: the alias stands in
    DescribeAlias: withStatus((req, db) => face.describeAlias({ collection_name: req.alias, alias: req.alias, db_name: db })),
    ListAliases: withStatus((req, db) => face.listAliases({ collection_name: req.collection_name, db_name: db })),

    // ---- databases
    CreateDatabase: statusRpc((req) => face.createDatabase({ db_name: req.db_name, properties: req.properties.length ? keyValues(req.properties, 'properties') : undefined })),
    DropDatabase: statusRpc((req) => face.dropDatabase({ db_name: req.db_name })),
    ListDatabases: withStatus(() => face.listDatabases({})),
    DescribeDatabase: withStatus((req) => face.describeDatabase({ db_name: req.db_name })),
    AlterDatabase: statusRpc((req) => face.alterDatabaseProperties({ db_name: req.db_name, ...alterations(req.properties, req.delete_keys), ...given(req, ['db_id']) })),

    // ---- indexes (recorded as the face records them)
    CreateIndex: statusRpc((req, db) =>
      face.createIndex({ collection_name: req.collection_name, db_name: db, field_name: req.field_name, index_name: req.index_name || undefined, extra_params: keyValues(req.extra_params, 'index params') })),
    DescribeIndex: withStatus((req, db) => face.describeIndex({ collection_name: req.collection_name, db_name: db, field_name: req.field_name || undefined, index_name: req.index_name || undefined })),
    GetIndexState: withStatus((req, db) => face.getIndexState({ collection_name: req.collection_name, db_name: db, field_name: req.field_name || undefined, index_name: req.index_name || undefined })),
    GetIndexBuildProgress: withStatus((req, db) => face.getIndexBuildProgress({ collection_name: req.collection_name, db_name: db, field_name: req.field_name || undefined, index_name: req.index_name || undefined })),
    AlterIndex: statusRpc((req, db) => {
      setOrDelete(req.extra_params, req.delete_keys);
      const { properties, delete_keys } = alterations(req.extra_params, req.delete_keys);
      const data = { collection_name: req.collection_name, db_name: db, index_name: req.index_name };
      return delete_keys ? face.dropIndexProperties({ ...data, properties: delete_keys }) : face.alterIndexProperties({ ...data, params: properties });
    }),
    GetIndexStatistics: withStatus((req, db) => face.getIndexStatistics({ collection_name: req.collection_name, db_name: db, index_name: req.index_name || undefined })),
    DropIndex: statusRpc((req, db) => face.dropIndex({ collection_name: req.collection_name, db_name: db, field_name: req.field_name || undefined, index_name: req.index_name || undefined })),

    // ---- data
    Insert: withStatus((req, db) => write('insert', req, db)),
    Upsert: withStatus((req, db) => write('upsert', req, db)),
    Delete: withStatus((req, db) => {
      const data = { collection_name: req.collection_name, db_name: db, filter: req.expr };
      if (req.partition_name) data.partition_name = req.partition_name;
      const exprValues = templateValues(req.expr_template_values);
      if (exprValues) data.exprValues = exprValues;
      if (!req.expr) throw new MilvusException(Code.PARAMETER_INVALID, 'empty expression: invalid parameter');
      return face.delete(data);
    }),
    Query: withStatus(async (req, db) => {
      const data = queryData(req, db);
      const desc = await described(req.collection_name, db);
      const r = await face.query(data);
      if (!ok(r.status)) return { status: r.status };
      const fields = desc.schema.fields;
      const { names, dyn } = outputsOf(r.data, fields, new Set());
      return {
        status: r.status, collection_name: desc.collection_name, output_fields: [...names, ...dyn],
        fields_data: columnsOf(r.data, names, fields, dyn), primary_field_name: fields.find((f) => f.is_primary_key).name,
      };
    }),
    Search: rpc((s) => searchFailed(s, ''), async (req, db) => {
      if (req.sub_reqs.length || req.function_score || req.search_aggregation || req.function_chains.length || req.highlighter)
        throw new MilvusException(Code.PARAMETER_INVALID, 'sub requests, function scores, aggregations, chains and highlighters of a search are not supported by partita: invalid parameter');
      const sp = keyValues(req.search_params, 'search_params');
      const data = searchOptions(req, db, sp);
      let nq;
      if (req.search_input === 'ids') {
        const ids = req.ids.id_field === 'str_id' ? req.ids.str_id.data : req.ids.int_id.data;
        data.ids = ids;
        nq = ids.length;
      } else {
        const { n, data: vectors } = placeholderVectors(placeholderOf(req.placeholder_group ?? Buffer.alloc(0)));
        data.data = vectors;
        nq = n;
      }
      const desc = await described(req.collection_name, db);
      if (sp.iterator === 'true' && sp.search_iter_v2 === 'true') {
        const { page, token, last_bound } = await iteratorPage(data, sp);
        const results = searchData([page], desc, 1);
        results.search_iterator_v2_results = { token, last_bound };
        return { status: resStatus(), results, collection_name: desc.collection_name, session_ts: '0' };
      }
      const r = await face.search(data);
      if (!ok(r.status)) return searchFailed(r.status, req.collection_name);
      const lists = nq === 1 ? [r.results] : r.results;
      return { status: r.status, results: searchData(lists, desc, nq), collection_name: desc.collection_name, session_ts: '0' };
    }),
    // HybridSearch: each SearchRequest of `requests` is a sub-search of the face's hybridSearch,
    // fused by rank_params (strategy rrf / weighted with its params, limit, offset, round_decimal)
    HybridSearch: rpc((s) => searchFailed(s, ''), async (req, db) => {
      if (req.function_score || req.function_chains?.length || req.highlighter)
        throw new MilvusException(Code.PARAMETER_INVALID, 'function scores, chains and highlighters of a hybrid search are not supported by partita: invalid parameter');
      const rp = keyValues(req.rank_params, 'rank_params');
      for (const k of Object.keys(rp))
        if (!['strategy', 'params', 'limit', 'offset', 'round_decimal'].includes(k))
          throw new MilvusException(Code.PARAMETER_INVALID, `rank param ${k} of a hybrid search is not supported by partita: invalid parameter`);
      let nq = 1;
      const data = req.requests.map((sub) => {
        if (sub.sub_reqs.length || sub.function_score || sub.search_aggregation || sub.search_input === 'ids')
          throw new MilvusException(Code.PARAMETER_INVALID, 'a hybrid sub-search with sub requests, function scores, aggregations or ids is not supported by partita: invalid parameter');
        const o = searchOptions(sub, db, keyValues(sub.search_params, 'search_params'));
        const { n, data: vectors } = placeholderVectors(placeholderOf(sub.placeholder_group ?? Buffer.alloc(0)));
        nq = n;
        const one = { data: vectors, anns_field: o.anns_field, limit: o.limit };
        if (o.params) one.params = o.params;
        if (o.metric_type) one.metric_type = o.metric_type;
        if (o.filter) one.expr = o.filter;
        if (o.exprValues) one.exprValues = o.exprValues;
        if (o.group_by_field) one.group_by_field = o.group_by_field;
        if (o.ignore_growing) one.ignore_growing = true;
        return one;
      });
      // the ranker as given: the core defaults what is missing (no strategy: RRF; no k: 60)
      const rerank = {};
      if (rp.strategy !== undefined) rerank.strategy = rp.strategy;
      if (rp.params !== undefined) {
        try {
          rerank.params = JSON.parse(rp.params);
        } catch {
          throw new MilvusException(Code.PARAMETER_INVALID, `rank params ${rp.params} are not JSON: invalid parameter`);
        }
      }
      const request = {
        collection_name: req.collection_name, db_name: db, data, output_fields: req.output_fields.length ? req.output_fields : [],
        rerank, limit: Number(rp.limit ?? 10), offset: Number(rp.offset ?? 0),
        round_decimal: Number(rp.round_decimal ?? -1),
      };
      if (req.partition_names.length) request.partition_names = req.partition_names;
      const r = await face.hybridSearch(request);
      if (!ok(r.status)) return searchFailed(r.status, req.collection_name);
      const desc = await described(req.collection_name, db);
      const lists = nq === 1 ? [r.results] : r.results;
      return { status: r.status, results: searchData(lists, desc, nq), collection_name: desc.collection_name, session_ts: '0' };
    }),
    Flush: withStatus(async (req, db) => {
      const r = await face.flush({ collection_names: req.collection_names, db_name: db });
      if (!ok(r.status)) return r;
      return { ...r, db_name: db, coll_seal_times: {}, coll_flush_ts: Object.fromEntries(req.collection_names.map((n) => [n, '1'])), channel_cps: {} };
    }),
    // every write of the embedded store is where it goes once acknowledged
    GetFlushState: withStatus(async () => ({ status: resStatus(), flushed: true })),
    FlushAll: withStatus((req, db) => {
      if (req.flush_targets.length) throw new MilvusException(Code.PARAMETER_INVALID, 'flush_targets of FlushAll are not supported by partita: invalid parameter');
      return face.flushAll({ db_name: db });
    }),
    // FlushAll answers once every collection is flushed, so any FlushAll's timestamp is flushed;
    // the database must exist (Milvus answers 800 for one that does not)
    GetFlushAllState: withStatus(async (req) => {
      if (req.flush_targets.length) throw new MilvusException(Code.PARAMETER_INVALID, 'flush_targets of GetFlushAllState are not supported by partita: invalid parameter');
      if (req.db_name) {
        const d = await face.describeDatabase({ db_name: req.db_name });
        if (!ok(d.status)) return { status: d.status, flushed: false };
      }
      return { status: resStatus(), flushed: true };
    }),

    // ---- analyzers: the core's, given by their params (a collection field's analyzer is refused by name)
    RunAnalyzer: withStatus((req, db) => {
      for (const k of ['collection_name', 'field_name', 'analyzer_names'])
        if (req[k].length) throw new MilvusException(Code.PARAMETER_INVALID, `${k} of RunAnalyzer (a field's analyzer) is not supported by partita, give analyzer_params: invalid parameter`);
      return face.runAnalyzer({ text: req.placeholder.map((b) => utf8Text(b, 'a text of RunAnalyzer')), analyzer_params: req.analyzer_params || undefined, with_detail: req.with_detail, with_hash: req.with_hash, db_name: db });
    }),
  };
}

/** Search params of the SDK's search iterator (and the request's own keys), not the index's. */
const ITERATOR_KEYS = new Set(['iterator', 'search_iter_v2', 'search_iter_batch_size', 'search_iter_id', 'search_iter_last_bound',
  'guarantee_timestamp', 'collection_id']);

function decodeOrFail(type, bytes, what) {
  try {
    return type.decode(bytes);
  } catch (e) {
    throw new MilvusException(Code.PARAMETER_INVALID, `the ${what} is not a valid protobuf message (${e.message}): invalid parameter`);
  }
}
