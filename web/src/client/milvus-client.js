// client/milvus-client.js — MilvusClient: @zilliz/milvus2-sdk-node's client class over the
// embedded store, so that code written for that SDK (its README, LangChain.js, LlamaIndex.TS, ...)
// runs on partita in a page, a Worker and Node.
//
// A thin face, as orm/ and server/ are: each method reads the SDK's argument object (snake_case
// keys, with the SDK's aliases), checks it as the SDK does (its ERROR_REASONS, thrown), calls one
// operation of the engine (core/engine.js) or of the ORM face for what the ORM face already does
// (writes, creates and drops go through orm/Collection, so that a client with an http(s) address
// forwards them as connections.connect does), and shapes the reply as the SDK returns it:
// errors the server would report come back as a reply whose `status` (a ResStatus) says so.
//
// Every key of an argument object is either honoured or refused by name: a key partita does not
// implement (rerankers, resource groups, ...) throws a MilvusException (code 1100)
// naming it, and nothing is done.
//
// Replies follow the SDK's processed forms: INT64 values and counts as strings, IDs as
// { int_id: { data } } / { str_id: { data } }, describeCollection with `data_type` names and
// `dataType` codes and its type parameters flattened to strings, search hits as
// { score, <primary key>, ...output fields } (one query vector: a flat list; several: a list per
// vector), query rows with the dynamic keys under `$meta`, as the SDK shows them.

import { init } from '../core/loader.js';
import { engine, isInitialized } from '../core/engine.js';
import { connections, isStorePath } from '../orm/connections.js';
import { Collection, idsRequest, keysExpr } from '../orm/collection.js';
import { transcribeQueries } from '../core/marshal.js';
import { CollectionSchema, FieldSchema, Function as OrmFunction } from '../orm/schema.js';
import { AnnSearchRequest, GivenRanker } from '../orm/hybrid.js';
import { run_analyzer } from '../orm/analyzer.js';
import { DataType as CORE, isVectorType } from '../core/dtype.js';
import { CLIENT_ERROR, Code, MilvusException, ParamError } from '../core/errors.js';
import { templateText, withTemplate } from '../core/template.js';
import { orderByText } from '../core/orderby.js';
import {
  ConsistencyLevelEnum, DataType, DataTypeMap, FunctionType, DEFAULT_COUNT_QUERY_STRING, DEFAULT_DYNAMIC_FIELD, DEFAULT_METRIC_TYPE,
  DEFAULT_PRIMARY_KEY_FIELD, DEFAULT_TOPK, DEFAULT_VECTOR_FIELD, ERROR_REASONS, ErrorCode, LoadState, checkSdkNames,
} from './constants.js';
import { resStatus, statusOf, unsupported } from './status.js';
import { FieldOpList, FieldOpType } from '../core/fieldop.js';
import { registryOf } from '../core/registry.js';
import { OwnedDatabases, closeDatabases, databaseAlias, ownedDatabases } from './databases.js';
import {
  MMAP, alterCollectionProperties, alterDatabaseProperties, alterFieldProperties, alterIndexProperties, describedProperties, fieldProperties,
  forgetIndex, indexProperties, loadedError, splitCreateProperties, storedBool,
} from '../core/properties.js';

/** The keys every request may carry (GrpcTimeOut, collectionNameReq). An embedded call completes
 * before it returns; `timeout` (ms) bounds the waits of a forwarding client's writes and flushes
 * (room in the backlog, the remote's acknowledgement); the request id only names a request. */
const COMMON = ['collection_name', 'db_name', 'timeout', 'client_request_id', 'client-request-id'];

/** Checks that every key of `data` is one partita honours for `method`; throws naming the first
 * that is not. Keys whose value is undefined are absent. */
function accept(method, data, keys) {
  if (data === null || typeof data !== 'object') throw new Error(ERROR_REASONS.COLLECTION_NAME_IS_REQUIRED);
  for (const k of Object.keys(data)) {
    if (data[k] === undefined || COMMON.includes(k) || keys.includes(k)) continue;
    throw unsupported(`\`${k}\` of MilvusClient.${method}`);
  }
}

/**
 * The SDK's `field_ops` ([{ field_name, op }], op a FieldPartialUpdateOpType code or name) as
 * the core's list, with the SDK's own client-side messages (Data.normalizeFieldOps).
 */
function sdkFieldOps(list) {
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) throw unsupported('`field_ops` of MilvusClient.upsert that is not an array');
  return new FieldOpList(list.map(({ field_name, op }) => {
    if (!field_name) throw new Error('field_ops field_name is required');
    const code = typeof op === 'number' ? (FieldOpType[op] !== undefined ? op : undefined) : FieldOpType[op];
    if (code === undefined || typeof code !== 'number') throw new Error(`unsupported field partial update op: ${op}`);
    return [field_name, code];
  }).filter(([, code]) => code !== FieldOpType.REPLACE));
}

function checkCollectionName(data) {
  if (!data || !data.collection_name) throw new Error(ERROR_REASONS.COLLECTION_NAME_IS_REQUIRED);
}

/** A DataType given as a code or an SDK name; undefined when it is neither. */
export function toDataType(t) {
  if (typeof t === 'number') return DataType[t] === undefined ? undefined : t;
  if (typeof t === 'string') return Object.hasOwn(DataTypeMap, t) ? DataTypeMap[t] : undefined;
  return undefined;
}

/** A type parameter as a number when it is written as one (the SDK takes '128' and 128). */
const typeParam = (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v);

/** Search parameters as the SDK takes them: an object, or its JSON text (LangChain.js sends
 * JSON.stringify of one); anything else is refused (code 1100). */
function searchParamsOf(given) {
  let p = given ?? {};
  if (typeof p === 'string') {
    try {
      p = JSON.parse(p);
    } catch {
      throw new MilvusException(Code.PARAMETER_INVALID, `search params are not JSON: ${given}: invalid parameter`);
    }
  }
  if (p === null || typeof p !== 'object' || Array.isArray(p))
    throw new MilvusException(Code.PARAMETER_INVALID, `search params must be a JSON object, got: ${typeof given === 'string' ? given : JSON.stringify(given)}: invalid parameter`);
  return p;
}

/** What the SDK throws for its own argument checks: a plain Error. */
const sdkError = (message) => new Error(message);

/** An INT64 given as the SDK takes it: a number, a BigInt, a string of digits or a Long. */
function int64In(v) {
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  if (v !== null && typeof v === 'object' && typeof v.low === 'number' && typeof v.high === 'number' && !Array.isArray(v))
    return (BigInt(v.high >>> 0) << 32n | BigInt(v.low >>> 0)) - (v.unsigned || v.high >= 0 ? 0n : 1n << 64n);
  return v;
}

/** A key or value of a VARCHAR (`isString`) or INT64 field as the SDK sends it: for VARCHAR a
 * number or BigInt is its decimal text (the SDK joins ids into `pk in ["1"]`, and protobuf's
 * fromObject writes String(v) into a string field); for INT64 see int64In. */
const keyIn = (isString) => (isString ? varcharIn : int64In);
const varcharIn = (v) => (typeof v === 'number' || typeof v === 'bigint' ? String(v) : v);

/** The properties of an alter request (an object, as the SDK takes them) as [key, value] pairs;
 * none when absent (the SDK sends an empty list). */
function propertyPairs(method, properties) {
  if (properties === undefined || properties === null) return [];
  if (typeof properties !== 'object' || Array.isArray(properties)) throw unsupported(`\`properties\` of MilvusClient.${method} that is not an object`);
  return Object.entries(properties);
}

/** The keys of a drop request: a list of strings. */
function keyList(method, name, keys) {
  if (keys === undefined || keys === null) return [];
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string'))
    throw new MilvusException(Code.PARAMETER_INVALID, `\`${name}\` of MilvusClient.${method} must be a list of property names: invalid parameter`);
  return keys;
}

/** A hybrid timestamp (physical ms << 18) as the SDK shows it: a string. */
const hybridTs = (ms) => String(BigInt(ms) << 18n);

// ---------------------------------------------------------------------------------------------
// Reply shapes
// ---------------------------------------------------------------------------------------------

const keyValues = (obj) => Object.entries(obj).map(([key, value]) => ({ key, value: typeof value === 'object' ? JSON.stringify(value) : String(value) }));

/** The SDK's name of a DataType code. */
const typeName = (t) => DataType[t] ?? 'None';

function indexParams(ix, st) {
  return keyValues({ index_type: ix.index_type, metric_type: ix.metric_type, params: ix.params, ...Object.fromEntries(indexProperties(st, ix.index_name)) });
}

/** A field as describeCollection shows it (after the SDK's formatDescribedCol). */
function fieldReply(f, st, indexes) {
  const ix = indexes.find((i) => i.field_name === f.name);
  const typeParams = {};
  for (const k of TYPE_PARAMS) if (f[k] !== undefined && f[k] !== null) typeParams[k] = String(f[k]);
  for (const [k, v] of fieldProperties(st, f.name)) typeParams[k] = v;
  const out = {
    type_params: keyValues(typeParams),
    index_params: ix ? indexParams(ix, st) : [],
    fieldID: String(f.field_id ?? 0),
    name: f.name,
    is_primary_key: f.is_primary === true,
    description: f.description ?? '',
    data_type: typeName(f.dtype),
    autoID: f.auto_id === true,
    state: 'FieldCreated',
    element_type: typeName(f.element_type ?? CORE.NONE),
    default_value: f.default_value === undefined ? null : f.default_value,
    dataType: f.dtype,
    is_partition_key: f.is_partition_key === true,
    is_dynamic: false,
    is_clustering_key: f.is_clustering_key === true,
    nullable: f.nullable === true,
    is_function_output: f.is_function_output === true,
  };
  Object.assign(out, typeParams);
  return out;
}

/** The schema's functions as the SDK describes them (type by name, params as key/value pairs). */
function functionsReply(schema) {
  return (schema.functions ?? []).map((fn) => ({
    name: fn.name, description: fn.description ?? '', type: FunctionType[fn.type] ?? String(fn.type),
    input_field_names: fn.input_field_names, output_field_names: fn.output_field_names,
    input_field_ids: fn.input_field_names.map((n) => String(schema.fields.find((f) => f.name === n)?.field_id ?? 0)),
    output_field_ids: fn.output_field_names.map((n) => String(schema.fields.find((f) => f.name === n)?.field_id ?? 0)),
    params: keyValues(fn.params ?? {}),
  }));
}

/** The SDK's FunctionObject list ({ name, description, type, input_field_names,
 * output_field_names, params }) as the ORM's Function objects (the core checks them). */
function coreFunctions(list) {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new ParamError(CLIENT_ERROR, 'The functions of schema must be type list.');
  return list.map((fn) => {
    accept('createCollection (functions)', fn, ['name', 'description', 'type', 'input_field_names', 'output_field_names', 'params']);
    return new OrmFunction(fn.name, fn.type, fn.input_field_names, fn.output_field_names ?? [], fn.description ?? '', fn.params ?? {});
  });
}

function describeReply(h, st, indexes, partitions, aliasNames, db) {
  const fields = h.schema.fields.map((f) => fieldReply(f, st, indexes));
  const anns_fields = {}, scalar_fields = {};
  for (const f of fields) (isVectorType(f.dataType) ? anns_fields : scalar_fields)[f.name] = f;
  const ts = hybridTs(st.created);
  return {
    status: resStatus(),
    schema: {
      name: h.name,
      description: h.schema.description ?? '',
      enable_dynamic_field: h.schema.enable_dynamic_field === true,
      autoID: h.pk?.auto_id === true,
      fields,
      functions: functionsReply(h.schema),
      struct_array_fields: [],
    },
    collectionID: String(h.id),
    collection_name: h.name,
    consistency_level: st.consistency_level,
    aliases: aliasNames,
    virtual_channel_names: [],
    physical_channel_names: [],
    start_positions: [],
    properties: describedProperties(h, st), // as Milvus answers them: values as text
    created_timestamp: ts,
    created_utc_timestamp: String(st.created),
    shards_num: 1,
    num_partitions: String(partitions.length),
    db_name: db,
    functions: functionsReply(h.schema),
    update_timestamp_str: ts,
    update_timestamp: Number(st.created),
    anns_fields,
    scalar_fields,
    function_fields: {},
  };
}

/** IDs as the SDK shows them: INT64 keys as strings; `id_field` names the oneof member, as the
 * SDK's proto loader (oneofs: true) adds it. */
export function idsReply(keys, isString) {
  return isString ? { str_id: { data: keys.slice() }, id_field: 'str_id' } : { int_id: { data: keys.map(String) }, id_field: 'int_id' };
}

function mutationReply(r, isString, status = resStatus()) {
  return {
    status,
    succ_index: Array.from(r ? r.succ_index : []),
    err_index: [],
    acknowledged: false,
    insert_cnt: String(r ? r.insert_count : 0),
    delete_cnt: String(r ? r.delete_count : 0),
    upsert_cnt: String(r ? r.upsert_count : 0),
    timestamp: String(r ? r.timestamp : 0),
    IDs: idsReply(r ? r.primary_keys : [], isString),
  };
}

/** A value of a field as the SDK reads it from gRPC: INT64 (and ARRAY of INT64) as strings,
 * binary vectors as arrays of bytes. */
function valueOut(f, v) {
  if (v === null || v === undefined) return v;
  if (f.dtype === CORE.INT64) return String(v);
  if (f.dtype === CORE.ARRAY && f.element_type === CORE.INT64) return v.map(String);
  if (f.dtype === CORE.BINARY_VECTOR) return Array.from(v);
  return v;
}

/**
 * A row of the engine (dynamic keys top-level) in the SDK's shape: schema fields converted, the
 * dynamic keys under `$meta` (`meta`), or top-level (`topLevel`: the names asked for).
 */
function rowOut(row, fieldsByName, meta, topLevel = null) {
  const out = {};
  let dyn = null;
  for (const k of Object.keys(row)) {
    const f = fieldsByName.get(k);
    if (f) out[k] = valueOut(f, row[k]);
    else if (topLevel && topLevel.has(k)) out[k] = row[k];
    else if (meta) (dyn ??= {})[k] = row[k];
  }
  if (dyn) out[DEFAULT_DYNAMIC_FIELD] = dyn;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

/** The connection alias of a database of an address: clients with the same address share its
 * stores, one per database (the gRPC server's REST face uses its default database's). */
export function aliasOf(address, db) {
  return databaseAlias(`milvus-client ${address}`, db);
}

/** The databases of an address (a database is a store of its own), shared with the REST
 * server that serves the address's default database (client/databases.js). `options`: the
 * address's connection options. */
function databasesOf(address, options) {
  return ownedDatabases(aliasOf(address, 'default'), () => new OwnedDatabases(aliasOf(address, 'default'), storeDirOf(address), (db) => dbOptions(options, db)));
}

/**
 * Opens the durable store in directory `dir` (persist/durable.js options) as the default
 * database of MilvusClients of `address`, before the first of them connects: partita-serve
 * --data, whose gRPC face and REST server share that store.
 */
export function openDurableAddress(address, dir, options = {}) {
  durableDirs.set(address, dir);
  connections._connectDurable(aliasOf(address, 'default'), dir, options);
}

/** The directory of an address's durable store: the address itself when it is a `.db` path, or
 * the one openDurableAddress gave it; null for an address whose stores are in memory. */
const durableDirs = new Map();
const storeDirOf = (address) => durableDirs.get(address) ?? (isStorePath(address) ? address : null);

/** Closes what openDurableAddress opened: the stores of every database of `address` (synced,
 * their locks released). */
export function closeDurableAddress(address) {
  closeDatabases(aliasOf(address, 'default'));
  durableDirs.delete(address);
}

/** Connects the default database of an address (a durable store is kept as openDurableAddress
 * opened it); the others are client/databases.js's. */
function connectDefault(address, options) {
  if (connections._durable(aliasOf(address, 'default'))) return;
  connections.connect(aliasOf(address, 'default'), options);
}

/** Resolves when the changes made so far to the durable stores of an address's databases are
 * on disk (a group commit window, a page's); null when there is nothing to wait for. */
function syncedOf(address, databases) {
  const waits = databases.list().map((db) => connections._synced(aliasOf(address, db))).filter(Boolean);
  return waits.length ? Promise.all(waits) : null;
}

function connectionOptions(config) {
  const address = config.address ?? ':memory:';
  if (typeof address !== 'string') throw new MilvusException(Code.CLIENT, `MilvusClient: address must be a string, got ${typeof address}`);
  if (config.durable !== undefined && !isStorePath(address))
    throw new MilvusException(Code.CLIENT, 'MilvusClient: `durable` (fsync, groupCommitMs, ...) is a config of a durable store (an address ending in .db)');
  if (/^https?:\/\//i.test(address)) {
    if (config.ssl === true && /^http:/i.test(address)) throw unsupported('`ssl: true` with an http:// address (give https://)');
    const token = config.token ?? (config.username || config.password ? `${config.username ?? ''}:${config.password ?? ''}` : undefined);
    const options = { uri: address, token, db_name: config.database };
    // the SDK's retries, as the forwarder's
    if (config.maxRetries !== undefined) options.max_retries = config.maxRetries;
    if (config.retryDelay !== undefined) options.retry_initial_ms = config.retryDelay;
    return { address, options };
  }
  if (address === ':memory:' || address === '' || /^[A-Za-z0-9.-]+:\d+$/.test(address))
    return { address, options: { uri: ':memory:' } };
  // Milvus Lite's local file: a durable store in that directory (persist/durable.js)
  if (isStorePath(address)) return { address, options: { uri: address, durable: config.durable } };
  throw new MilvusException(Code.CLIENT, `MilvusClient: address ${JSON.stringify(address)} is neither ':memory:', host:port, ` +
    'http(s)://host:port nor a path ending in .db (a durable store in that directory, as Milvus Lite\'s ./milvus.db)');
}

/** A database's connection options (not a durable store's: client/databases.js): a forwarding
 * connection's remote database (an embedded store has none: connections.connect refuses db_name
 * there, each database being a store). */
const dbOptions = (options, db) => (options.uri === ':memory:' ? options : { ...options, db_name: db });

/** The SDK's CONNECT_STATUS.SHUTDOWN. */
const CONNECT_SHUTDOWN = 5;

/** ClientConfig keys partita honours; the others the SDK takes (tls, pool, channelOptions,
 * trace, ...) are refused by name. `timeout` is the default of every request's; `maxRetries` and
 * `retryDelay` are the forwarder's retries; `ssl` is the scheme of an http(s) address (and means
 * nothing to an embedded store); `durable` the options of a durable store (an address ending in
 * .db: fsync, groupCommitMs, compactRatio, compactMinBytes; in a page also backend); `logLevel`, `logPrefix`, `id` and `telemetry` concern the SDK's
 * own logging and reports, which partita does not make. */
const CONFIG_KEYS = ['durable', 'address', 'token', 'username', 'password', 'database', 'timeout', 'logLevel', 'logPrefix', 'id', 'ssl', 'maxRetries', 'retryDelay', '__SKIP_CONNECT__', 'telemetry'];

// ---------------------------------------------------------------------------------------------
// MilvusClient
// ---------------------------------------------------------------------------------------------

export class MilvusClient {
  #options; // the connection options of the address
  #db = 'default'; // the database of requests that name none (use())
  #collections = new Map(); // `${db}\0${name}` -> orm Collection (writes, drops)
  #ready = null;

  /** The SDK's version this client mirrors. */
  static get sdkInfo() {
    return { version: '3.0.6', recommendMilvus: 'v2.6' };
  }

  /**
   * @param {string | object} [configOrAddress] an address, or the SDK's ClientConfig: `address`
   *   ':memory:' (the default) or host:port for an embedded store, http(s)://host:port (with
   *   `token`, or `username` / `password`) for the embedded store forwarding its writes there.
   */
  constructor(configOrAddress = {}, ssl, username, password) {
    const config = typeof configOrAddress === 'string' ? { address: configOrAddress, ssl, username, password } : { ...configOrAddress };
    for (const k of Object.keys(config)) {
      if (config[k] === undefined || CONFIG_KEYS.includes(k)) continue;
      throw unsupported(`\`${k}\` of the MilvusClient config`);
    }
    const { address, options } = connectionOptions(config);
    this.config = config;
    this.address = address;
    this.#options = options;
    // as the SDK, the database is not looked up now: requests to one that does not exist fail
    if (config.database) this.#db = config.database;
    const alias = aliasOf(address, 'default');
    if (!connections.has_connection(alias) || options.uri !== ':memory:') connectDefault(address, options); // a new token too
    /** Resolves once the WebAssembly core is loaded (the SDK's connection promise). */
    this.connectPromise = this.#whenReady();
    this.connectPromise.catch(() => {}); // reported by every call; never an unhandled rejection
  }

  #whenReady() {
    return (this.#ready ??= (isInitialized() ? Promise.resolve() : init()).then(() => {
      checkSdkNames(engine().constants.dtype_proto);
      // a durable store is opened (recovered) before the first request: its aliases with it
      if (isStorePath(this.address)) return connections._open(aliasOf(this.address, 'default'));
    }).catch((e) => {
      // init or the store's opening failed: the next request tries again
      this.#ready = null;
      throw e;
    }));
  }

  /** The database a request names (`db_name`), or the client's (use()); Milvus's error when it
   * does not exist. */
  #dbOf(data) {
    return this.#databases().check(data?.db_name || this.#db);
  }

  /** The address's databases. */
  #databases() {
    return databasesOf(this.address, this.#options);
  }

  /** The registry (aliases, load states, properties) of a request's database. */
  #reg(data) {
    return registryOf(this.#storeOf(data));
  }

  /** The connection alias of a request's database (connected on first use). */
  #aliasOf(data) {
    const db = this.#dbOf(data);
    if (db !== 'default') return this.#databases().open(db);
    const alias = aliasOf(this.address, db);
    if (!connections.has_connection(alias)) connectDefault(this.address, this.#options);
    return alias;
  }

  /** A request's timeout (ms; the client's `timeout` by default) as the ORM face takes it
   * (seconds); undefined: none. */
  #seconds(data) {
    const ms = data.timeout ?? this.config.timeout;
    return ms === undefined || ms === null ? undefined : Number(ms) / 1000;
  }

  /** The store of a request's database. */
  #storeOf(data) {
    return connections._store(this.#aliasOf(data));
  }

  /** The request with its collection name resolved when it is an alias (as Milvus resolves
   * aliases in every request that names a collection). */
  /** #real once the core is loaded and the store open (a durable store's aliases recovered):
   * an alias in the first request of a process, or of a page's store, names its collection. A
   * failure to get ready is the request's to report (#run), so the data is kept as it is. */
  async #resolved(data) {
    try {
      await this.#whenReady();
      await this.#databases().ready(data?.db_name || this.#db);
    } catch {
      return data;
    }
    return this.#real(data);
  }

  #real(data) {
    // before the core is loaded no store is open, so no alias is known; a database that does
    // not exist (or a store that cannot be opened) fails when the request runs
    let target;
    try {
      if (isInitialized()) target = this.#reg(data).aliases.get(data.collection_name);
    } catch {
      target = undefined;
    }
    return target === undefined ? data : { ...data, collection_name: target };
  }

  /** Runs fn once the core is loaded and the request's database is ready (in a page, a durable
   * store's databases open asynchronously); a MilvusException becomes the reply `shape(status)`. */
  async #run(data, shape, fn) {
    await this.#whenReady();
    try {
      await this.#databases().ready(data?.db_name || this.#db);
      const out = await fn();
      // a durable store's changes are on disk before the reply (a group commit window, a page's)
      await syncedOf(this.address, this.#databases());
      return out;
    } catch (e) {
      return shape(statusOf(e));
    }
  }

  /** The ORM collection object that names `name` in this client's connection. */
  #collection(data, name = data.collection_name) {
    engine().resolve(this.#storeOf(data), name); // Milvus's error (code 100) when there is none
    const key = `${this.#dbOf(data)}\u0000${name}`;
    let c = this.#collections.get(key);
    if (!c) {
      c = new Collection(name, { using: this.#aliasOf(data) });
      this.#collections.set(key, c);
    }
    return c;
  }

  // ---- connection ------------------------------------------------------------------------

  async getVersion() {
    await this.#whenReady();
    return { version: `partita ${engine().constants.version}` };
  }

  async checkHealth() {
    await this.#whenReady();
    return { isHealthy: true, reasons: [] };
  }

  /** Nothing to close in an embedded store: the store stays, as a server's would. Resolves to
   * the SDK's CONNECT_STATUS.SHUTDOWN. */
  async closeConnection() {
    return CONNECT_SHUTDOWN;
  }

  // ---- collections -----------------------------------------------------------------------

  /**
   * createCollection: quick setup (`dimension`), or a schema (`fields` / `schema`) with optional
   * `index_params`, as the SDK's MilvusClient.createCollection.
   */
  async createCollection(data) {
    if (!data || !data.collection_name) throw new Error(ERROR_REASONS.CREATE_COLLECTION_CHECK_PARAMS);
    if ('fields' in data || 'schema' in data) {
      accept('createCollection', data, ['fields', 'schema', 'index_params', 'description', 'consistency_level', 'num_partitions',
        'partition_key_field', 'enable_dynamic_field', 'enableDynamicField', 'properties', 'functions', 'shards_num']);
      const res = await this.#createWithFields(data);
      if (res.error_code !== ErrorCode.SUCCESS) throw res;
      if ('index_params' in data && data.index_params !== undefined) {
        const list = Array.isArray(data.index_params) ? data.index_params : [data.index_params];
        for (const ip of list) {
          const r = await this.createIndex({ ...ip, collection_name: data.collection_name, db_name: data.db_name });
          if (r.error_code !== ErrorCode.SUCCESS) throw r;
        }
        await this.loadCollectionSync({ collection_name: data.collection_name, db_name: data.db_name });
      }
      return res;
    }
    accept('createCollection', data, ['dimension', 'primary_field_name', 'id_type', 'metric_type', 'vector_field_name',
      'enableDynamicField', 'enable_dynamic_field', 'auto_id', 'index_params', 'consistency_level', 'description', 'max_length']);
    const {
      collection_name, dimension, primary_field_name = DEFAULT_PRIMARY_KEY_FIELD, id_type = DataType.Int64,
      metric_type = DEFAULT_METRIC_TYPE, vector_field_name = DEFAULT_VECTOR_FIELD, enableDynamicField = true,
      enable_dynamic_field = true, auto_id = false, index_params = {}, consistency_level,
    } = data;
    let result = resStatus();
    const exist = await this.hasCollection({ collection_name, db_name: data.db_name });
    let indexNotExist = true;
    if (!exist.value) {
      const pk = { name: primary_field_name, data_type: id_type, is_primary_key: true, autoID: auto_id };
      if (data.max_length !== undefined) pk.max_length = data.max_length;
      result = await this.#createWithFields({
        collection_name, db_name: data.db_name, description: data.description, consistency_level,
        enable_dynamic_field: enableDynamicField && enable_dynamic_field,
        fields: [pk, { name: vector_field_name, data_type: DataType.FloatVector, dim: dimension }],
      });
      if (result.error_code !== ErrorCode.SUCCESS) throw new Error(result.reason);
    } else {
      const info = await this.describeIndex({ collection_name, db_name: data.db_name });
      indexNotExist = info.status.error_code === ErrorCode.IndexNotExist;
    }
    if (indexNotExist) {
      const r = await this.createIndex({ collection_name, db_name: data.db_name, field_name: vector_field_name, extra_params: { metric_type, ...index_params } });
      if (r.error_code !== ErrorCode.SUCCESS) throw new Error(r.reason);
    }
    const loaded = await this.loadCollectionSync({ collection_name, db_name: data.db_name });
    if (loaded.error_code !== ErrorCode.SUCCESS) throw new Error(loaded.reason);
    return result;
  }

  /** The SDK's _createCollection: its field checks, then the collection. */
  async #createWithFields(data) {
    const fields = data.schema ?? data.fields;
    if (!Array.isArray(fields) || !fields.length || !data.collection_name) throw new Error(ERROR_REASONS.CREATE_COLLECTION_CHECK_PARAMS);
    await this.#whenReady(); // which types are vectors is the core's to say
    checkFields(fields);
    const functions = coreFunctions(data.functions);
    if (data.shards_num !== undefined && data.shards_num !== 1) throw unsupported('`shards_num` other than 1 of MilvusClient.createCollection');
    const level = data.consistency_level ?? 'Bounded';
    const levelName = typeof level === 'number' ? ConsistencyLevelEnum[level] : level;
    if (ConsistencyLevelEnum[levelName] === undefined) throw unsupported(`consistency_level ${JSON.stringify(level)}`);
    const hasKey = fields.some((f) => f.is_partition_key) || data.partition_key_field !== undefined;
    if (data.num_partitions !== undefined && !hasKey)
      throw new MilvusException(Code.PARAMETER_INVALID, 'num_partitions should only be specified with partition key field enabled: invalid parameter');
    const coreFields = fields.map((f) => coreField(f, data.partition_key_field));
    return this.#run(data, (s) => s, () => {
      this.#reg(data).aliases.refuseCreate(data.collection_name);
      const schema = new CollectionSchema(coreFields, data.description ?? '', {
        enable_dynamic_field: Boolean(data.enable_dynamic_field || data.enableDynamicField), functions,
      });
      const existed = engine().hasCollection(this.#storeOf(data), data.collection_name);
      // the stored-only properties are kept here, the others are the core's to judge
      const { core: coreProperties, stored } = splitCreateProperties(data.properties);
      this.#collections.set(`${this.#dbOf(data)}\u0000${data.collection_name}`, new Collection(data.collection_name, schema, {
        using: this.#aliasOf(data), num_partitions: hasKey ? data.num_partitions ?? 16 : 0, properties: data.properties && coreProperties,
      }));
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      // a new collection of Milvus is not loaded until its vector fields are indexed and loaded
      if (!existed) this.#reg(data).created(h, { loaded: false, consistency_level: levelName, stored });
      return resStatus();
    });
  }

  async hasCollection(data) {
    checkCollectionName(data);
    accept('hasCollection', data, []);
    data = await this.#resolved(data);
    // the SDK answers false, with a success, whatever the error
    return this.#run(data, () => ({ status: resStatus(), value: false }), () => ({ status: resStatus(), value: engine().hasCollection(this.#storeOf(data), data.collection_name) }));
  }

  async describeCollection(data) {
    checkCollectionName(data);
    accept('describeCollection', data, ['cache']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s }), () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      const db = this.#dbOf(data);
      const reg = this.#reg(data);
      return describeReply(h, reg.state(h), engine().indexes(this.#storeOf(data), h.name), engine().describe(this.#storeOf(data), h.name, h).partitions, reg.aliases.of(h.name), db);
    });
  }

  async showCollections(data = {}) {
    accept('showCollections', data ?? {}, ['type', 'collection_names']);
    return this.#run(data, (s) => ({ status: s, data: [], collection_names: [], collection_ids: [], created_timestamps: [], created_utc_timestamps: [], inMemory_percentages: [] }), () => {
      const wanted = data?.collection_names?.length ? data.collection_names : null;
      const loadedOnly = data?.type === 1;
      const names = engine().listCollections(this.#storeOf(data)).filter((n) => !wanted || wanted.includes(n));
      const reg = this.#reg(data), stateOf = (h) => reg.state(h);
      const hs = names.map((n) => engine().resolve(this.#storeOf(data), n)).filter((h) => !loadedOnly || stateOf(h).loaded);
      const out = {
        status: resStatus(),
        collection_names: hs.map((h) => h.name),
        collection_ids: hs.map((h) => String(h.id)),
        created_timestamps: hs.map((h) => hybridTs(stateOf(h).created)),
        created_utc_timestamps: hs.map((h) => String(stateOf(h).created)),
        inMemory_percentages: hs.map((h) => (stateOf(h).loaded ? '100' : '0')),
      };
      out.data = hs.map((h, i) => ({ name: h.name, id: out.collection_ids[i], timestamp: out.created_utc_timestamps[i], loadedPercentage: out.inMemory_percentages[i] }));
      return out;
    });
  }

  listCollections(data) {
    return this.showCollections(data);
  }

  async dropCollection(data) {
    checkCollectionName(data);
    accept('dropCollection', data, []);
    const name = data.collection_name; // read once: a getter cannot name two collections
    return this.#run(data, (s) => s, () => {
      // the ORM collection's drop (forwarded on a forwarding connection) is the registry's
      if (engine().hasCollection(this.#storeOf(data), name)) this.#collection(data, name).drop();
      else this.#reg(data).drop(name); // Milvus's refusal of an alias, else nothing
      this.#collections.delete(`${this.#dbOf(data)}\u0000${name}`);
      return resStatus();
    });
  }

  /** Renames a collection: its snapshot is restored under the new name, then the old one is
   * dropped (the data is copied once; a failure leaves the collection as it was). */
  async renameCollection(data) {
    checkCollectionName(data);
    accept('renameCollection', data, ['new_collection_name']);
    if (data.new_db_name !== undefined) throw unsupported('`new_db_name` of MilvusClient.renameCollection');
    return this.#run(data, (s) => s, () => {
      const from = data.collection_name, to = data.new_collection_name;
      if (typeof to !== 'string') throw new MilvusException(Code.PARAMETER_INVALID, 'new collection name must be a string: invalid parameter');
      connections._renameCollection(this.#aliasOf(data), from, to);
      this.#collections.delete(`${this.#dbOf(data)}\u0000${from}`);
      return resStatus();
    });
  }

  async getCollectionStatistics(data) {
    checkCollectionName(data);
    accept('getCollectionStatistics', data, []);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, stats: [], data: {} }), () => {
      const n = String(engine().numEntities(this.#storeOf(data), data.collection_name));
      return { status: resStatus(), stats: [{ key: 'row_count', value: n }], data: { row_count: n } };
    });
  }

  getCollectionStats(data) {
    return this.getCollectionStatistics(data);
  }

  async loadCollection(data) {
    checkCollectionName(data);
    accept('loadCollection', data, ['replica_number', 'refresh']);
    data = await this.#resolved(data);
    if (data.replica_number !== undefined && data.replica_number !== 1) throw unsupported('`replica_number` other than 1 of MilvusClient.loadCollection');
    return this.#run(data, (s) => s, () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      const indexes = engine().indexes(this.#storeOf(data), h.name);
      const missing = h.schema.fields.filter((f) => isVectorType(f.dtype) && !indexes.some((i) => i.field_name === f.name));
      if (missing.length)
        throw new MilvusException(700, `there is no vector index on field: [${missing.map((f) => f.name).join(' ')}], please create index firstly: collection=${h.name}: index not found`);
      this.#reg(data).setLoaded(h, true);
      return resStatus();
    });
  }

  loadCollectionSync(data) {
    return this.loadCollection(data);
  }

  loadCollectionAsync(data) {
    return this.loadCollection(data);
  }

  async releaseCollection(data) {
    checkCollectionName(data);
    accept('releaseCollection', data, []);
    data = await this.#resolved(data);
    return this.#run(data, (s) => s, () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      this.#reg(data).setLoaded(h, false);
      return resStatus();
    });
  }

  async getLoadState(data) {
    checkCollectionName(data);
    accept('getLoadState', data, ['partition_names']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, state: LoadState.LoadStateNotExist }), () => {
      const h = engine().find(this.#storeOf(data), data.collection_name);
      if (!h) return { status: resStatus(), state: LoadState.LoadStateNotExist };
      for (const p of data.partition_names ?? []) requirePartition(this.#storeOf(data), h, p);
      return { status: resStatus(), state: this.#reg(data).state(h).loaded ? LoadState.LoadStateLoaded : LoadState.LoadStateNotLoad };
    });
  }

  async getLoadingProgress(data) {
    checkCollectionName(data);
    accept('getLoadingProgress', data, ['partition_names']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, progress: '0' }), () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      return { status: resStatus(), progress: this.#reg(data).state(h).loaded ? '100' : '0' };
    });
  }

  // ---- partitions ------------------------------------------------------------------------

  async createPartition(data) {
    checkPartitionArgs(data);
    accept('createPartition', data, ['partition_name']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => s, () => {
      this.#collection(data).create_partition(data.partition_name);
      return resStatus();
    });
  }

  async hasPartition(data) {
    checkPartitionArgs(data);
    accept('hasPartition', data, ['partition_name']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, value: false }), () =>
      ({ status: resStatus(), value: engine().hasPartition(this.#storeOf(data), data.collection_name, data.partition_name) }));
  }

  async showPartitions(data) {
    checkCollectionName(data);
    accept('showPartitions', data, ['type']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, partition_names: [], partitionIDs: [], created_timestamps: [], created_utc_timestamps: [], data: [] }), () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      const parts = engine().describe(this.#storeOf(data), h.name, h).partitions;
      const st = this.#reg(data).state(h);
      const ids = parts.map((p, i) => String(p.id ?? i));
      const ts = parts.map(() => String(st.created));
      return {
        status: resStatus(),
        partition_names: parts.map((p) => p.name),
        partitionIDs: ids,
        created_timestamps: parts.map(() => hybridTs(st.created)),
        created_utc_timestamps: ts,
        data: parts.map((p, i) => ({ name: p.name, id: ids[i], timestamp: ts[i], loadedPercentage: st.loaded ? '100' : '0' })),
      };
    });
  }

  listPartitions(data) {
    return this.showPartitions(data);
  }

  async getPartitionStatistics(data) {
    checkPartitionArgs(data);
    accept('getPartitionStatistics', data, ['partition_name']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, stats: [], data: {} }), () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      requirePartition(this.#storeOf(data), h, data.partition_name);
      const n = String(engine().numEntities(this.#storeOf(data), h.name, data.partition_name));
      return { status: resStatus(), stats: [{ key: 'row_count', value: n }], data: { row_count: n } };
    });
  }

  getPartitionStats(data) {
    return this.getPartitionStatistics(data);
  }

  async dropPartition(data) {
    checkPartitionArgs(data);
    accept('dropPartition', data, ['partition_name']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => s, () => {
      if (data.partition_name === '_default') throw new MilvusException(Code.PARAMETER_INVALID, 'default partition cannot be deleted: invalid parameter');
      this.#collection(data).drop_partition(data.partition_name);
      return resStatus();
    });
  }

  async loadPartitions(data) {
    return this.#partitionsLoad('loadPartitions', data, true);
  }

  loadPartitionsSync(data) {
    return this.loadPartitions(data);
  }

  async releasePartitions(data) {
    return this.#partitionsLoad('releasePartitions', data, false);
  }

  /** Partitions load with their collection in partita: the names are checked, the collection's
   * load state is what a search sees. */
  async #partitionsLoad(method, data, load) {
    checkCollectionName(data);
    accept(method, data, ['partition_names', 'replica_number']);
    data = await this.#resolved(data);
    if (!Array.isArray(data.partition_names) || !data.partition_names.length) throw new Error(ERROR_REASONS.PARTITION_NAMES_IS_REQUIRED);
    if (data.replica_number !== undefined && data.replica_number !== 1) throw unsupported(`\`replica_number\` other than 1 of MilvusClient.${method}`);
    return this.#run(data, (s) => s, () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      for (const p of data.partition_names) requirePartition(this.#storeOf(data), h, p);
      if (load) return this.loadCollection({ collection_name: h.name, db_name: data.db_name });
      return resStatus();
    });
  }

  // ---- indexes (the core's: built by createIndex, one path for every face) -----------------

  async createIndex(data) {
    if (Array.isArray(data)) {
      const out = [];
      for (const d of data) out.push(await this.createIndex(d));
      return out.find((r) => r.error_code !== ErrorCode.SUCCESS) ?? out[0];
    }
    checkCollectionName(data);
    accept('createIndex', data, ['field_name', 'index_name', 'extra_params', 'index_type', 'metric_type', 'params']);
    data = await this.#resolved(data);
    const extra = { ...(data.extra_params ?? {}) };
    if (data.params) extra.params = data.params;
    if (data.index_type) extra.index_type = data.index_type;
    if (data.metric_type) extra.metric_type = data.metric_type;
    return this.#run(data, (s) => s, () => {
      let params = extra.params ?? {};
      if (typeof params === 'string') {
        try {
          params = JSON.parse(params);
        } catch {
          throw new MilvusException(Code.PARAMETER_INVALID, `index params are not JSON: ${params}: invalid parameter`);
        }
      }
      // the SDK's flat form: build parameters beside index_type and metric_type
      for (const [k, v] of Object.entries(extra)) if (!['params', 'index_type', 'metric_type'].includes(k)) params[k] = v;
      const request = { field_name: data.field_name, index_name: data.index_name ?? '', index_type: extra.index_type ?? '', metric_type: extra.metric_type ?? '', params };
      engine().createIndex(this.#storeOf(data), data.collection_name, JSON.stringify(request));
      return resStatus();
    });
  }

  async describeIndex(data) {
    checkCollectionName(data);
    accept('describeIndex', data, ['field_name', 'index_name']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, index_descriptions: [] }), () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      return {
        status: resStatus(),
        index_descriptions: this.#indexes(h, data).map((ix) => ({
          index_name: ix.index_name, indexID: String(h.info.fields[h.info.fieldIndex.get(ix.field_name)].field_id ?? 0),
          params: indexParams(ix, this.#reg(data).state(h)), field_name: ix.field_name, indexed_rows: String(ix.indexed_rows), total_rows: String(ix.total_rows),
          state: ix.state, index_state_fail_reason: ix.index_state_fail_reason, pending_index_rows: String(ix.pending_index_rows),
        })),
      };
    });
  }

  async listIndexes(data) {
    checkCollectionName(data);
    accept('listIndexes', data, ['field_name', 'index_name']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, indexes: [] }), () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      return { status: resStatus(), indexes: engine().indexes(this.#storeOf(data), h.name).map((i) => i.index_name) };
    });
  }

  async getIndexState(data) {
    checkCollectionName(data);
    accept('getIndexState', data, ['field_name', 'index_name']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, state: 'None' }), () => {
      const [ix] = this.#indexes(engine().resolve(this.#storeOf(data), data.collection_name), data);
      return { status: resStatus(), state: ix.state };
    });
  }

  async getIndexBuildProgress(data) {
    checkCollectionName(data);
    accept('getIndexBuildProgress', data, ['field_name', 'index_name']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, indexed_rows: 0, total_rows: 0 }), () => {
      const list = this.#indexes(engine().resolve(this.#storeOf(data), data.collection_name), data);
      const sum = (k) => list.reduce((a, ix) => a + ix[k], 0);
      return { status: resStatus(), indexed_rows: sum('indexed_rows'), total_rows: sum('total_rows') };
    });
  }

  async dropIndex(data) {
    checkCollectionName(data);
    accept('dropIndex', data, ['field_name', 'index_name']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => s, () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      const reg = this.#reg(data);
      reg.requireReleased(h);
      let gone = []; // the stored-only properties of the indexes dropped go with them
      try {
        gone = this.#indexes(h, data).map((i) => i.index_name);
      } catch (e) {
        if (e.code !== 700) throw e;
      }
      engine().dropIndex(this.#storeOf(data), h.name, JSON.stringify({ field_name: data.field_name ?? '', index_name: data.index_name ?? '' }));
      if (gone.length) {
        for (const name of gone) forgetIndex(reg.state(h), name);
        reg.keep(h);
      }
      return resStatus();
    });
  }

  /** The indexes a request names (by field or index name; all without either), as the core
   * describes them, or Milvus's index-not-found error (code 700). */
  #indexes(h, data) {
    return engine().describeIndex(this.#storeOf(data), h.name, JSON.stringify({ field_name: data.field_name ?? '', index_name: data.index_name ?? '' }));
  }

  // ---- data ------------------------------------------------------------------------------

  async insert(data) {
    return this.#write('insert', data);
  }

  async upsert(data) {
    return this.#write('upsert', data);
  }

  async #write(op, data) {
    checkCollectionName(data);
    accept(op, data, op === 'upsert' ? ['data', 'fields_data', 'partition_name', 'partial_update', 'field_ops'] : ['data', 'fields_data', 'partition_name']);
    data = await this.#resolved(data);
    // the SDK's upsert: merge mode when partial_update is true or field_ops name an operation
    // (the SDK sends both to the server, which merges; the core does here)
    const fieldOps = op === 'upsert' ? sdkFieldOps(data.field_ops) : undefined;
    const rows = data.fields_data || data.data;
    if (!rows || !Array.isArray(rows) || !rows.length) throw new Error(ERROR_REASONS.INSERT_CHECK_FIELD_DATA_IS_REQUIRED);
    await this.#whenReady();
    // the SDK describes the collection first, and throws its reply when there is none
    const desc = await this.describeCollection({ collection_name: data.collection_name, db_name: data.db_name });
    if (desc.status.error_code !== ErrorCode.SUCCESS) throw desc;
    const isString = desc.schema.fields.find((f) => f.is_primary_key).dataType === DataType.VarChar;
    return this.#run(data, (s) => mutationReply(null, isString, s), async () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      const typed = h.schema.fields.filter(sdkTyped);
      const batch = typed.length ? rows.map((r) => sdkRow(r, typed)) : rows;
      const c = this.#collection(data);
      const options = { partition_name: data.partition_name, timeout: this.#seconds(data) };
      if (op === 'upsert') Object.assign(options, { partial_update: data.partial_update === true, field_ops: fieldOps });
      const r = await (op === 'insert' ? c.insert(batch, options) : c.upsert(batch, options));
      return mutationReply(r, isString);
    });
  }

  /** delete({ ids } | { filter } | { expr }), as the SDK's delete. */
  async delete(data) {
    if (!data || !data.collection_name) throw new Error(ERROR_REASONS.COLLECTION_NAME_IS_REQUIRED);
    accept('delete', data, ['ids', 'filter', 'expr', 'exprValues', 'partition_name', 'consistency_level']);
    data = await this.#resolved(data);
    await this.#whenReady();
    const desc = await this.describeCollection({ collection_name: data.collection_name, db_name: data.db_name });
    const pk = desc.status.error_code === ErrorCode.SUCCESS ? desc.schema.fields.find((f) => f.is_primary_key) : null;
    const isString = pk?.dataType === DataType.VarChar;
    let expr = data.filter || data.expr;
    if (!expr && data.ids) {
      if (!pk) return mutationReply(null, false, desc.status);
      expr = keysExpr({ name: pk.name, dtype: pk.dataType }, data.ids.map(keyIn(isString)), engine().constants.limits.MAX_EXPR_LENGTH);
    }
    if (!expr) throw new Error(ERROR_REASONS.FILTER_EXPR_REQUIRED);
    // the filter's template values (the SDK's exprValues), bound by the core
    const exprValues = expr === (data.filter || data.expr) ? data.exprValues : undefined;
    return this.#run(data, (s) => mutationReply(null, isString, s), async () => {
      const c = this.#collection(data);
      // Milvus's reply names the keys deleted: those the filter selects now
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      const request = { expr, output_fields: [h.pk.name] };
      if (data.partition_name) request.partition_names = [data.partition_name];
      const text = withTemplate(JSON.stringify(request), templateText(exprValues));
      const keys = engine().queryRows(this.#storeOf(data), h.name, h, text).map((row) => row[h.pk.name]);
      const r = await c.delete(expr, { partition_name: data.partition_name, timeout: this.#seconds(data), expr_params: exprValues });
      r.primary_keys = keys;
      return mutationReply(r, isString);
    });
  }

  /** deleteEntities({ filter | expr }): the SDK's older name. */
  async deleteEntities(data) {
    if (!data || !data.collection_name) throw new Error(ERROR_REASONS.COLLECTION_NAME_IS_REQUIRED);
    if (!data.filter && !data.expr) throw new Error(ERROR_REASONS.FILTER_EXPR_REQUIRED);
    return this.delete(data);
  }

  async query(data) {
    checkCollectionName(data);
    accept('query', data, ['output_fields', 'partition_names', 'ids', 'expr', 'filter', 'exprValues', 'offset', 'limit', 'consistency_level',
      'order_by_fields', 'order_by']);
    orderByText(data.order_by_fields ?? data.order_by, sdkError); // the SDK's checks throw, before any call
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, data: [] }), () => ({ status: resStatus(), data: this.#queryRows(data) }));
  }

  #queryRows(data) {
    const h = engine().resolve(this.#storeOf(data), data.collection_name);
    this.#reg(data).requireLoaded(h);
    let expr = data.filter || data.expr || '';
    if (!expr && data.ids && data.ids.length) {
      const pk = h.pk;
      expr = keysExpr(pk, data.ids.map(keyIn(pk.dtype === CORE.VARCHAR)), engine().constants.limits.MAX_EXPR_LENGTH);
    }
    const request = { expr, output_fields: data.output_fields || ['*'] };
    if (data.partition_names) request.partition_names = data.partition_names;
    if (typeof data.limit === 'number') request.limit = data.limit;
    if (typeof data.offset === 'number') request.offset = data.offset;
    // Milvus 3.0's ordering (the SDK's order_by_fields, or order_by): the core reads the wire text
    const order = orderByText(data.order_by_fields ?? data.order_by, sdkError);
    if (order !== undefined) request.order_by_fields = order;
    const text = withTemplate(JSON.stringify(request), templateText(data.exprValues));
    const rows = engine().queryRows(this.#storeOf(data), h.name, h, text);
    if (request.output_fields.some((o) => o.trim() === DEFAULT_COUNT_QUERY_STRING)) return rows.map((r) => ({ [DEFAULT_COUNT_QUERY_STRING]: String(r[DEFAULT_COUNT_QUERY_STRING]) }));
    const byName = new Map(h.schema.fields.map((f) => [f.name, f]));
    return rows.map((r) => rowOut(r, byName, true));
  }

  async get(data) {
    checkCollectionName(data);
    if (!data.ids || !data.ids.length) throw new Error(ERROR_REASONS.IDS_REQUIRED);
    return this.query(data);
  }

  async count(data) {
    checkCollectionName(data);
    accept('count', data, ['expr', 'filter']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, data: 0 }), () => {
      const rows = this.#queryRows({ collection_name: data.collection_name, db_name: data.db_name, expr: data.filter || data.expr || '', output_fields: [DEFAULT_COUNT_QUERY_STRING] });
      return { status: resStatus(), data: Number(rows[0][DEFAULT_COUNT_QUERY_STRING]) };
    });
  }

  /**
   * search: `data` / `vector` / `vectors` (one vector or several), `filter` / `expr`,
   * `output_fields`, `limit` / `topk`, `offset`, `params`, `metric_type`, `anns_field`,
   * `partition_names`; or the legacy form with `search_params` ({ anns_field, topk, metric_type,
   * params }). One query vector gives a flat list of hits, several a list per vector.
   */
  async search(data) {
    checkCollectionName(data);
    // a list of sub-requests is a hybrid search, as the SDK decides it
    const first = Array.isArray(data.data) ? data.data[0] : undefined;
    if (first && typeof first === 'object' && !Array.isArray(first) && first.anns_field && !ArrayBuffer.isView(first)) {
      const { anns_field: _a, ...rest } = data;
      return this.hybridSearch(rest);
    }
    accept('search', data, ['anns_field', 'partition_names', 'expr', 'filter', 'exprValues', 'search_params', 'vectors', 'vector', 'data', 'output_fields',
      'vector_type', 'consistency_level', 'limit', 'topk', 'offset', 'params', 'metric_type', 'round_decimal', 'ignore_growing', 'ids',
      'group_by_field', 'group_size', 'strict_group_size', 'order_by_fields']);
    orderByText(data.order_by_fields, sdkError); // the SDK's checks throw, before any call
    const legacy = data.search_params ?? null;
    if (legacy) accept('search (search_params)', legacy, ['anns_field', 'topk', 'metric_type', 'params', 'offset', 'round_decimal', 'ignore_growing']);
    // every row of the embedded store is where Milvus keeps new rows (growing segments)
    if (data.ignore_growing || legacy?.ignore_growing) throw unsupported('`ignore_growing: true` of MilvusClient.search');

    const vectors = data.vectors ?? data.vector ?? data.data;
    // search by primary keys (Milvus 2.6.9): the keys' stored vectors are the query vectors
    const byIds = data.ids !== undefined && data.ids !== null;
    const keyed = byIds ? idsRequest(data.ids, vectors) : null;
    if (vectors === undefined && !byIds) throw new Error(ERROR_REASONS.VECTORS_OR_VECTOR_IS_MISSING);
    await this.#whenReady();
    data = await this.#resolved(data); // an alias names its collection (after the store's aliases are recovered)
    const desc = await this.describeCollection({ collection_name: data.collection_name, db_name: data.db_name });
    if (desc.status.error_code !== ErrorCode.SUCCESS) return { status: desc.status, results: [], recalls: [], session_ts: -1, collection_name: data.collection_name };
    // by keys the field is never guessed: the core asks for it as Milvus does
    const annsName = data.anns_field || legacy?.anns_field || (byIds ? '' : Object.keys(desc.anns_fields)[0]);
    if (!desc.anns_fields[annsName] && !(byIds && annsName === '')) throw new Error(ERROR_REASONS.NO_ANNS_FEILD_FOUND_IN_SEARCH);
    if (data.vector_type !== undefined && data.vector_type !== desc.anns_fields[annsName]?.dataType)
      throw new MilvusException(Code.PARAMETER_INVALID, `vector_type ${data.vector_type} is not the type of field ${annsName} (${desc.anns_fields[annsName]?.dataType}): invalid parameter`);
    return this.#run(data, (s) => ({ status: s, results: [], recalls: [], session_ts: -1, collection_name: data.collection_name }), () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      this.#reg(data).requireLoaded(h);
      const field = h.info.fields[h.info.fieldIndex.get(annsName)];
      const asked = legacy ? legacy.metric_type : data.metric_type; // the core checks it against the index's
      const params = searchParamsOf(legacy ? legacy.params : data.params);
      const roundDecimal = legacy?.round_decimal ?? params.round_decimal ?? data.round_decimal ?? -1;
      const { round_decimal: _r, ...searchParams } = params; // a BM25 index's bm25_k1 / bm25_b: the core's
      // Milvus 3.0's ordering goes among the search params, as the SDK sends it (over params' own)
      const order = orderByText(data.order_by_fields, sdkError);
      if (order !== undefined) searchParams.order_by_fields = order;
      const request = {
        anns_field: annsName,
        metric_type: asked ? String(asked) : '',
        // the SDK sends these as text, which the server reads as numbers
        limit: typeParam((legacy ? legacy.topk : data.limit ?? data.topk) ?? DEFAULT_TOPK),
        offset: typeParam((legacy ? legacy.offset : data.offset) ?? 0),
        expr: data.expr || data.filter || '',
        params: searchParams,
      };
      const outputs = data.output_fields ?? ['*'];
      request.output_fields = outputs;
      if (data.partition_names) request.partition_names = data.partition_names;
      // INT64 keys as the SDK takes them (digit strings, Longs) go as int_id, as the SDK sends them
      if (keyed) Object.assign(request, h.pk.dtype === CORE.INT64 ? idsRequest((Array.isArray(data.ids) ? data.ids : [data.ids]).map(int64In), null, true) : keyed);
      // grouping search (Milvus 2.6): as given, the core checks them
      for (const k of ['group_by_field', 'group_size', 'strict_group_size'])
        if (data[k] !== undefined && data[k] !== null) request[k] = data[k];
      // the query vectors as read: the core checks them against the field it searches (by keys,
      // the core reads the keys' stored vectors instead)
      const q = transcribeQueries(keyed ? null : vectors, keyed ? null : field ?? null, engine().constants.limits.MAX_NQ);
      const pk = h.pk.name;
      const text = withTemplate(JSON.stringify(request), templateText(data.exprValues));
      return searchReply(h, engine().searchHits(this.#storeOf(data), h.name, h, text, q, { pk, roundDecimal }), outputs);
    });
  }

  /**
   * hybridSearch({ collection_name, data: [{ data, anns_field, params, expr | filter, exprValues,
   * limit }], rerank: RRFRanker(k) | WeightedRanker(weights), limit, output_fields,
   * partition_names }): as the SDK's; each sub-request searches its field with its index's
   * metric (its own limit, else the request's), and the core fuses the hits (ORM hybrid_search).
   */
  async hybridSearch(data) {
    checkCollectionName(data);
    accept('hybridSearch', data, ['data', 'rerank', 'limit', 'topk', 'offset', 'output_fields', 'partition_names', 'consistency_level',
      'round_decimal', 'filter', 'expr']);
    if (!Array.isArray(data.data) || data.data.length === 0) throw new Error(ERROR_REASONS.VECTORS_OR_VECTOR_IS_MISSING);
    // the SDK's hybrid search has no top-level filter: each sub-request carries its own
    if (data.filter || data.expr) throw unsupported('a top-level `filter` of MilvusClient.hybridSearch (give each sub-request its `expr`)');
    await this.#whenReady();
    data = await this.#resolved(data); // an alias names its collection
    const desc = await this.describeCollection({ collection_name: data.collection_name, db_name: data.db_name });
    const fail = (s) => ({ status: s, results: [], recalls: [], session_ts: -1, collection_name: data.collection_name });
    if (desc.status.error_code !== ErrorCode.SUCCESS) return fail(desc.status);
    return this.#run(data, fail, () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      this.#reg(data).requireLoaded(h);
      const limit = typeParam(data.limit ?? data.topk ?? DEFAULT_TOPK);
      const reqs = data.data.map((r) => {
        accept('hybridSearch (data)', r, ['data', 'anns_field', 'params', 'expr', 'filter', 'exprValues', 'limit', 'metric_type', 'ignore_growing', 'group_by_field']);
        if (r.ignore_growing) throw unsupported('`ignore_growing: true` of MilvusClient.hybridSearch');
        if (r.group_by_field) throw unsupported('`group_by_field` of a hybridSearch sub-request');
        // the field's index metric and a BM25 index's bm25_k1 / bm25_b are the core's defaults
        const params = searchParamsOf(r.params);
        return new AnnSearchRequest(r.data, r.anns_field, { metric_type: r.metric_type ?? '', params },
          typeParam(r.limit ?? limit), r.expr || r.filter || null, r.exprValues ?? null);
      });
      // the core checks the ranker and defaults what it lacks (none: RRF; RRF without k: 60)
      const rerank = new GivenRanker(data.rerank);
      const outputs = data.output_fields ?? ['*'];
      const hits = this.#collection(data)._hybridSearch(reqs, rerank, limit, {
        output_fields: outputs, offset: data.offset ?? 0, round_decimal: data.round_decimal ?? -1,
      }, data.partition_names);
      return searchReply(h, hits, outputs);
    });
  }

  /**
   * queryIterator({ filter | expr, exprValues, batchSize, limit, output_fields, partition_names }):
   * as the SDK's, an async iterable of batches of rows (`for await (const rows of it)`), here in
   * primary-key order, each row once even while other calls write between batches (the ORM's
   * query_iterator, orm/iterator.js). A batchSize above the SDK's maximum is cut to it, as the
   * SDK does; no limit (or 0, -1) is no limit. Errors are thrown (the SDK logs and stops).
   */
  async queryIterator(data) {
    checkCollectionName(data);
    accept('queryIterator', data, ['expr', 'filter', 'exprValues', 'batchSize', 'limit', 'output_fields', 'partition_names', 'consistency_level',
      'order_by_fields']);
    data = await this.#resolved(data);
    await this.#whenReady();
    const h = engine().resolve(this.#storeOf(data), data.collection_name);
    this.#reg(data).requireLoaded(h);
    const it = await this.#collection(data).query_iterator({
      batch_size: data.batchSize === undefined ? undefined : Math.min(data.batchSize, engine().constants.limits.MAX_TOPK),
      limit: data.limit > 0 ? data.limit : -1,
      expr: data.expr || data.filter || '',
      output_fields: data.output_fields ?? ['*'],
      partition_names: data.partition_names,
      expr_params: data.exprValues,
      order_by_fields: orderByText(data.order_by_fields, sdkError), // the core refuses it, as Milvus
    });
    const byName = new Map(h.schema.fields.map((f) => [f.name, f]));
    return iterable(it, (rows) => rows.map((r) => rowOut(r, byName, true)));
  }

  /**
   * searchIterator({ data | vector | vectors (one vector), anns_field, filter | expr, exprValues,
   * batchSize, limit, output_fields, params, metric_type, partition_names, external_filter_fn }):
   * as the SDK's, an async iterable of batches of hits ({ score, <pk>, ...fields }), best first,
   * each row once (the ORM's search_iterator: range pages by distance, ties broken by key). The
   * metric is the one given, else the index's, else the field type's default.
   */
  async searchIterator(data) {
    checkCollectionName(data);
    accept('searchIterator', data, ['data', 'vector', 'vectors', 'anns_field', 'expr', 'filter', 'exprValues', 'batchSize', 'limit',
      'output_fields', 'params', 'metric_type', 'partition_names', 'consistency_level', 'round_decimal', 'external_filter_fn', 'order_by_fields']);
    data = await this.#resolved(data);
    await this.#whenReady();
    const h = engine().resolve(this.#storeOf(data), data.collection_name);
    this.#reg(data).requireLoaded(h);
    const vectorFields = h.schema.fields.filter((f) => isVectorType(f.dtype));
    const field = data.anns_field ? vectorFields.find((f) => f.name === data.anns_field) : vectorFields[0];
    if (!field) throw new Error(ERROR_REASONS.NO_ANNS_FEILD_FOUND_IN_SEARCH);
    let vectors = data.data ?? data.vector ?? data.vectors;
    if (vectors === undefined) throw new Error(ERROR_REASONS.VECTORS_OR_VECTOR_IS_MISSING);
    // one vector (a list of numbers, or a sparse object) is one query
    if (!Array.isArray(vectors) || !Array.isArray(vectors[0]) && typeof vectors[0] !== 'object') vectors = [vectors];
    const filter = data.external_filter_fn;
    if (filter !== undefined && typeof filter !== 'function') throw new Error('external_filter_fn must be a function');
    const params = searchParamsOf(data.params);
    const metric = String(data.metric_type ?? engine().searchMetric(this.#storeOf(data), h.name, field.name)).toUpperCase();
    const it = await this.#collection(data).search_iterator(vectors, field.name, { metric_type: metric, params },
      data.batchSize === undefined ? undefined : Math.min(data.batchSize, engine().constants.limits.MAX_TOPK), data.limit > 0 ? data.limit : -1,
      data.expr || data.filter || '', data.partition_names, data.output_fields ?? ['*'],
      { expr_params: data.exprValues, round_decimal: data.round_decimal ?? -1, order_by_fields: orderByText(data.order_by_fields, sdkError) });
    const row = hitRow(h, data.output_fields ?? ['*']);
    return iterable(it, (hits) => {
      const rows = hits.map(row);
      return filter ? rows.filter(filter) : rows;
    });
  }

  // ---- properties (alter*) ------------------------------------------------------------------
  // What partita acts on is the core's (allow_insert_auto_id, given at creation); `mmap.enabled`
  // is stored-only (core/properties.js); every other key is refused by name, nothing being changed.

  /** alterCollectionProperties({ properties, delete_keys }): sets or deletes collection
   * properties, as Milvus's AlterCollection (`delete_keys` honoured, which the SDK 3.0.6 leaves
   * out of its request). */
  async alterCollectionProperties(data) {
    checkCollectionName(data);
    accept('alterCollectionProperties', data, ['properties', 'delete_keys']);
    return this.#alterCollection(data, propertyPairs('alterCollectionProperties', data.properties),
      keyList('alterCollectionProperties', 'delete_keys', data.delete_keys));
  }

  alterCollection(data) {
    return this.alterCollectionProperties(data);
  }

  /** dropCollectionProperties({ properties: [keys] }): deletes collection properties (a key that
   * is not set is no error, as in Milvus). */
  async dropCollectionProperties(data) {
    checkCollectionName(data);
    accept('dropCollectionProperties', data, ['properties']);
    return this.#alterCollection(data, [], keyList('dropCollectionProperties', 'properties', data.properties));
  }

  async #alterCollection(data, pairs, keys) {
    data = await this.#resolved(data);
    return this.#run(data, (s) => s, () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      alterCollectionProperties(h, this.#reg(data).state(h), pairs, keys);
      this.#reg(data).keep(h);
      return resStatus();
    });
  }

  /** alterCollectionFieldProperties({ field_name, properties }), as Milvus's AlterCollectionField:
   * `mmap.enabled` (or `mmap_enabled`) is stored-only; max_length, max_capacity and the field's
   * description are refused (a collection's schema is fixed once created in partita); keys
   * Milvus does not allow get its message. */
  async alterCollectionFieldProperties(data) {
    checkCollectionName(data);
    accept('alterCollectionFieldProperties', data, ['field_name', 'properties']);
    const pairs = propertyPairs('alterCollectionFieldProperties', data.properties);
    data = await this.#resolved(data);
    return this.#run(data, (s) => s, () => {
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      alterFieldProperties(h, this.#reg(data).state(h), data.field_name, pairs);
      this.#reg(data).keep(h);
      return resStatus();
    });
  }

  /** alterIndexProperties({ index_name, params }), as Milvus's AlterIndex: `mmap.enabled` is
   * the one configurable index parameter, stored-only. */
  async alterIndexProperties(data) {
    checkCollectionName(data);
    accept('alterIndexProperties', data, ['index_name', 'params']);
    return this.#alterIndex(data, propertyPairs('alterIndexProperties', data.params), []);
  }

  alterIndex(data) {
    return this.alterIndexProperties(data);
  }

  /** dropIndexProperties({ index_name, properties: [keys] }). */
  async dropIndexProperties(data) {
    checkCollectionName(data);
    accept('dropIndexProperties', data, ['index_name', 'properties']);
    return this.#alterIndex(data, [], keyList('dropIndexProperties', 'properties', data.properties));
  }

  async #alterIndex(data, pairs, keys) {
    data = await this.#resolved(data);
    return this.#run(data, (s) => s, () => {
      for (const k of [...pairs.map(([key]) => key), ...keys])
        if (k !== MMAP) throw new MilvusException(Code.PARAMETER_INVALID, `${k} is not configable index param: invalid parameter`);
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      if (!data.index_name) throw new MilvusException(Code.PARAMETER_INVALID, 'index name is empty: invalid parameter');
      const st = this.#reg(data).state(h);
      if (st.loaded) throw loadedError(h.name, "can't alter index on loaded collection, please release the collection first");
      if (!engine().indexes(this.#storeOf(data), h.name).some((i) => i.index_name === data.index_name))
        throw new MilvusException(700, `index not found[indexName=${data.index_name}]`);
      alterIndexProperties(st, data.index_name, pairs.map(([k, v]) => [k, storedBool(k, v)]), keys);
      this.#reg(data).keep(h);
      return resStatus();
    });
  }

  /** alterDatabaseProperties({ db_name, properties, delete_keys }): partita acts on no database
   * property (replicas, resource groups, quotas, rate limits, ...), so each key set is refused by
   * name; deleting keys that are not set succeeds, as in Milvus. */
  async alterDatabaseProperties(data) {
    accept('alterDatabaseProperties', data, ['properties', 'delete_keys']);
    return this.#alterDatabase(data, propertyPairs('alterDatabaseProperties', data.properties), keyList('alterDatabaseProperties', 'delete_keys', data.delete_keys));
  }

  alterDatabase(data) {
    return this.alterDatabaseProperties(data);
  }

  async dropDatabaseProperties(data) {
    accept('dropDatabaseProperties', data, ['properties']);
    return this.#alterDatabase(data, [], keyList('dropDatabaseProperties', 'properties', data.properties));
  }

  #alterDatabase(data, pairs, keys) {
    return this.#run(data, (s) => s, () => {
      this.#databases().check(data.db_name);
      alterDatabaseProperties(pairs, keys);
      return resStatus();
    });
  }

  // ---- databases: named stores of one address ---------------------------------------------

  async createDatabase(data) {
    accept('createDatabase', data, []);
    if (data.properties !== undefined && Object.keys(data.properties ?? {}).length) throw unsupported('`properties` of MilvusClient.createDatabase');
    return this.#run(data, (s) => s, async () => {
      await this.#databases().create(data.db_name); // in a page, its store is made asynchronously
      return resStatus();
    });
  }

  async listDatabases(data = {}) {
    accept('listDatabases', data ?? {}, []);
    return this.#run(data, (s) => ({ status: s, db_names: [], created_timestamp: [], db_ids: [] }), () => {
      const names = this.#databases().list();
      return { status: resStatus(), db_names: names, created_timestamp: names.map(() => '0'), db_ids: names.map((_, i) => String(i + 1)) };
    });
  }

  async describeDatabase(data) {
    accept('describeDatabase', data, []);
    return this.#run(data, (s) => ({ status: s, db_name: data.db_name, dbID: 0, created_timestamp: 0, properties: [] }), () => {
      const names = this.#databases().list();
      this.#databases().check(data.db_name);
      return { status: resStatus(), db_name: data.db_name, dbID: names.indexOf(data.db_name) + 1, created_timestamp: 0, properties: [] };
    });
  }

  /** Drops an empty database (Milvus drops only those). */
  async dropDatabase(data) {
    accept('dropDatabase', data, []);
    return this.#run(data, (s) => s, async () => {
      // Milvus: dropping a database that is not there succeeds
      if (!(await this.#databases().dropStore(data.db_name))) return resStatus();
      if (this.#db === data.db_name) this.#db = 'default';
      return resStatus();
    });
  }

  /** The database of requests that name none, as the SDK's use(): not looked up now (requests
   * to a database that does not exist fail). */
  async use(data) {
    accept('use', data ?? {}, []);
    this.#db = data?.db_name || 'default';
    return { error_code: ErrorCode.SUCCESS, reason: '' };
  }

  useDatabase(data) {
    return this.use(data);
  }

  // ---- aliases ---------------------------------------------------------------------------

  async createAlias(data) {
    return this.#setAlias('createAlias', data, false);
  }

  async alterAlias(data) {
    return this.#setAlias('alterAlias', data, true);
  }

  async #setAlias(method, data, alter) {
    checkCollectionName(data);
    if (!data.alias) throw new Error(ERROR_REASONS.ALIAS_NAME_IS_REQUIRED);
    accept(method, data, ['alias']);
    return this.#run(data, (s) => s, () => {
      const store = this.#storeOf(data), db = this.#dbOf(data);
      const h = engine().resolve(store, data.collection_name);
      registryOf(store).point(data.alias, h.name, alter, db);
      return resStatus();
    });
  }

  async dropAlias(data) {
    if (!data || !data.alias) throw new Error(ERROR_REASONS.ALIAS_NAME_IS_REQUIRED);
    accept('dropAlias', data, ['alias']);
    return this.#run(data, (s) => s, () => {
      // Milvus: dropping an alias that is not there succeeds
      if (this.#reg(data).aliases.has(data.alias)) this.#reg(data).setAlias(data.alias, null);
      return resStatus();
    });
  }

  async describeAlias(data) {
    checkCollectionName(data);
    if (!data.alias) throw new Error(ERROR_REASONS.ALIAS_NAME_IS_REQUIRED);
    accept('describeAlias', data, ['alias']);
    return this.#run(data, (s) => ({ status: s, db_name: data.db_name || this.#db, alias: data.alias, collection: '' }), () => {
      const db = this.#dbOf(data);
      return { status: resStatus(), db_name: db, alias: data.alias, collection: this.#reg(data).aliases.describe(data.alias, db) };
    });
  }

  async listAliases(data) {
    checkCollectionName(data);
    accept('listAliases', data, []);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, db_name: data.db_name || this.#db, collection_name: data.collection_name, aliases: [] }), () => {
      const db = this.#dbOf(data);
      const h = engine().resolve(this.#storeOf(data), data.collection_name);
      return { status: resStatus(), db_name: db, collection_name: h.name, aliases: this.#reg(data).aliases.of(h.name) };
    });
  }


  async flush(data) {
    return this.#flush('flush', data);
  }

  async flushSync(data) {
    return this.#flush('flushSync', data);
  }

  /** flushAll({ db_name }): every collection of the database flushed (as flush does each). */
  async flushAll(data = {}) {
    accept('flushAll', data ?? {}, ['db_name']);
    return this.#run(data, (s) => ({ status: s, flush_all_ts: 0, flush_all_tss: {}, flush_all_msgs: {} }), async () => {
      await this.#flushEvery(data ?? {});
      return { status: resStatus(), flush_all_ts: 0, flush_all_tss: {}, flush_all_msgs: {} };
    });
  }

  /** flushAllSync({ db_name }): flushAll, answered once it is done. */
  async flushAllSync(data = {}) {
    accept('flushAllSync', data ?? {}, ['db_name']);
    return this.#run(data, (s) => ({ status: s, flushed: false }), async () => {
      await this.#flushEvery(data ?? {});
      return { status: resStatus(), flushed: true };
    });
  }

  async #flushEvery(data) {
    const names = engine().listCollections(this.#storeOf(data));
    for (const name of names) await this.#collection(data, name).flush({ timeout: this.#seconds(data) });
  }

  /** batchDescribeCollections({ collection_names }): describeCollection of each, in order (each
   * reply with its own status). */
  async batchDescribeCollections(data) {
    accept('batchDescribeCollections', data ?? {}, ['collection_names']);
    const names = data?.collection_names;
    if (!Array.isArray(names) || !names.length) throw new Error(ERROR_REASONS.COLLECTION_NAME_IS_REQUIRED);
    const responses = [];
    for (const collection_name of names) responses.push(await this.describeCollection({ collection_name, db_name: data.db_name }));
    return { status: resStatus(), responses };
  }

  /** getIndexStatistics: the index's description with its row counts, as describeIndex gives it. */
  async getIndexStatistics(data) {
    return this.describeIndex(data);
  }

  /** There is no primary to reconnect to in an embedded store: false, nothing done. */
  async reconnectToPrimary() {
    return false;
  }

  /**
   * runAnalyzer({ text, analyzer_params, with_detail, with_hash }): the tokens of each text, as
   * Milvus's RunAnalyzer answers (every AnalyzerToken member present, 0 where not asked for).
   * A collection's field analyzer (collection_name / field_name / analyzer_names) is refused by
   * name: give analyzer_params.
   */
  async runAnalyzer(data) {
    accept('runAnalyzer', data, ['text', 'analyzer_params', 'with_detail', 'with_hash']);
    if (data.collection_name !== undefined) throw unsupported('`collection_name` of MilvusClient.runAnalyzer (a field\'s analyzer): give analyzer_params');
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, results: [] }), () => {
      const texts = Array.isArray(data.text) ? data.text.map(String) : [String(data.text)];
      const results = run_analyzer(texts, { analyzer_params: data.analyzer_params || undefined, with_detail: data.with_detail === true, with_hash: data.with_hash === true });
      const token = (t) => (typeof t === 'string' ? { token: t } : t);
      return {
        status: resStatus(),
        results: results.map((r) => ({ tokens: r.tokens.map((t) => ({ token: '', start_offset: 0, end_offset: 0, position: 0, position_length: 0, hash: 0, ...token(t) })) })),
      };
    });
  }

  /** Waits until every write of the named collections is where it is going: at once in the
   * embedded store, acknowledged by the remote with an http(s) address. */
  async #flush(method, data) {
    if (!data || !Array.isArray(data.collection_names) || !data.collection_names.length) throw new Error(ERROR_REASONS.COLLECTION_NAME_IS_REQUIRED);
    accept(method, data, ['collection_names']);
    data = await this.#resolved(data);
    return this.#run(data, (s) => ({ status: s, coll_segIDs: {}, flush_coll_segIDs: {}, coll_seal_times: {}, coll_flush_ts: {}, flushed: false }), async () => {
      const segs = {};
      for (const name of data.collection_names) {
        await this.#collection(data, name).flush({ timeout: this.#seconds(data) });
        segs[name] = { data: [] };
      }
      if (method === 'flushSync') return { status: resStatus(), flushed: true };
      return { status: resStatus(), db_name: 'default', coll_segIDs: segs, flush_coll_segIDs: segs, coll_seal_times: {}, coll_flush_ts: {}, channel_cps: {} };
    });
  }
}

/** An ORM iterator as the SDK's iterators are: an async iterable of its batches, each mapped by
 * `map` (a batch the map leaves empty is skipped, not the end). */
function iterable(it, map) {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for await (const batch of it) {
          const out = map(batch);
          if (out.length) yield out;
        }
      } finally {
        it.close();
      }
    },
  };
}

/** The methods of the SDK that make no sense in an embedded store (or are not in partita yet):
 * each resolves to a status that says so, never to a success. */
const NOT_SUPPORTED = [
  'createUser', 'updateUser', 'deleteUser', 'listUsers', 'describeUser', 'createRole', 'dropRole', 'addUserToRole', 'removeUserFromRole',
  'listRoles', 'describeRole', 'grantPrivilege', 'revokePrivilege', 'grantRolePrivilege', 'revokeRolePrivilege', 'listGrants', 'selectRole',
  'selectUser', 'createPrivilegeGroup', 'dropPrivilegeGroup', 'listPrivilegeGroups', 'createResourceGroup', 'listResourceGroups',
  'describeResourceGroup', 'dropResourceGroup', 'updateResourceGroups', 'transferNode', 'transferReplica', 'getReplicas', 'describeReplicas',
  'bulkInsert', 'listImportTasks', 'getImportState', 'loadBalance', 'getQuerySegmentInfo', 'getPersistentSegmentInfo', 'getMetric',
  'createSnapshot', 'dropSnapshot', 'listSnapshots', 'describeSnapshot', 'restoreSnapshot',
  'addCollectionField', 'truncateCollection', 'compact', 'getCompactionState',
  // a collection's schema (its functions too) is fixed once created; every write is visible at once
  'addCollectionFunction', 'dropCollectionFunction', 'alterCollectionFunction', 'refreshLoad',
];
for (const name of NOT_SUPPORTED) {
  if (Object.hasOwn(MilvusClient.prototype, name)) throw new Error(`MilvusClient.${name} is implemented and listed as not supported`);
  Object.defineProperty(MilvusClient.prototype, name, {
    value: async function () {
      return resStatus(1100, `MilvusClient.${name} is not supported by partita: invalid parameter`);
    },
    writable: true,
    configurable: true,
  });
}

/** The type parameters partita reads (the SDK's TypeParamKey less multi_analyzer_params and
 * mmap.enabled, which are refused by name); the core checks their values. */
const TYPE_PARAMS = ['dim', 'max_length', 'max_capacity', 'enable_analyzer', 'enable_match', 'analyzer_params'];

/** The SDK's checks of a schema's fields (checkCollectionFieldsWithOptions). */
function checkFields(fields) {
  let hasPrimaryKey = false, hasVector = false, keys = 0;
  for (const f of fields) {
    if (!f || !Object.hasOwn(f, 'data_type')) throw new Error(ERROR_REASONS.CREATE_COLLECTION_MISS_DATA_TYPE);
    const t = toDataType(f.data_type);
    if (t === undefined) throw new Error(ERROR_REASONS.FIELD_TYPE_IS_NOT_SUPPORT);
    if (f.is_primary_key && (t === DataType.Int64 || t === DataType.VarChar)) hasPrimaryKey = true;
    if (f.is_partition_key) {
      if ((t !== DataType.Int64 && t !== DataType.VarChar) || f.is_primary_key) throw new Error(ERROR_REASONS.INVALID_PARTITION_KEY_FIELD_TYPE);
      keys++;
    }
    if (isVectorType(t)) {
      const dim = Number(f.type_params?.dim ?? f.dim);
      if (!dim && t !== DataType.SparseFloatVector) throw new Error(ERROR_REASONS.CREATE_COLLECTION_CHECK_MISS_DIM);
      if (t === DataType.BinaryVector && dim % 8 !== 0) throw new Error(ERROR_REASONS.CREATE_COLLECTION_CHECK_BINARY_DIM);
      hasVector = true;
    }
  }
  if (!hasPrimaryKey) throw new Error(ERROR_REASONS.CREATE_COLLECTION_CHECK_PRIMARY_KEY);
  if (!hasVector) throw new Error(ERROR_REASONS.CREATE_COLLECTION_CHECK_VECTOR_FIELD_EXIST);
  if (keys > 1) throw new Error('Only 1 field supports partition key. ');
}

const FIELD_KEYS = ['name', 'description', 'data_type', 'element_type', 'is_primary_key', 'is_partition_key', 'is_clustering_key',
  'type_params', 'autoID', 'default_value', 'nullable', 'is_function_output', ...TYPE_PARAMS];

/** An SDK FieldType as the ORM's FieldSchema (the core checks it). */
function coreField(f, partitionKeyField) {
  for (const k of Object.keys(f)) {
    if (f[k] === undefined || FIELD_KEYS.includes(k)) continue;
    throw unsupported(`\`${k}\` of a field of MilvusClient.createCollection`);
  }
  const t = toDataType(f.data_type);
  if (t === DataType.ArrayOfVector || t === DataType.Struct) throw unsupported(`the data type ${DataType[t]}`);
  const opts = {};
  if (f.is_primary_key) opts.is_primary = true;
  if (f.autoID) opts.auto_id = true;
  if (f.nullable !== undefined) opts.nullable = f.nullable;
  if (f.default_value !== undefined) opts.default_value = f.default_value;
  if (f.is_partition_key || (partitionKeyField !== undefined && f.name === partitionKeyField)) opts.is_partition_key = true;
  if (f.is_clustering_key) opts.is_clustering_key = true;
  if (f.is_function_output !== undefined) opts.is_function_output = f.is_function_output;
  if (f.element_type !== undefined) {
    const et = toDataType(f.element_type);
    if (et === undefined) throw new Error(ERROR_REASONS.FIELD_TYPE_IS_NOT_SUPPORT);
    opts.element_type = et;
  }
  for (const [k, v] of Object.entries(f.type_params ?? {})) {
    if (!TYPE_PARAMS.includes(k)) throw unsupported(`type parameter \`${k}\` of field ${f.name}`);
    opts[k] = typeParam(v);
  }
  for (const k of TYPE_PARAMS) if (f[k] !== undefined && opts[k] === undefined) opts[k] = typeParam(f[k]);
  return new FieldSchema(f.name, t, f.description ?? '', opts);
}

/** The fields whose values the SDK's serialization may change (see sdkRow). */
const sdkTyped = (f) => f.dtype === CORE.INT64 || f.dtype === CORE.VARCHAR || (f.dtype === CORE.ARRAY && (f.element_type === CORE.INT64 || f.element_type === CORE.VARCHAR));

/** A row as the SDK's serialization sends it: INT64 values (of INT64 fields and of ARRAY fields
 * of INT64) given as strings or Longs are read as BigInts; numbers and BigInts given for VARCHAR
 * (or ARRAY of VARCHAR) are sent as their decimal text, as protobuf's fromObject writes a string
 * field (String(v)). Other values are left for the core to judge. The row is copied only when a
 * value changes. */
function sdkRow(row, fields) {
  if (row === null || typeof row !== 'object') return row;
  let out = row;
  for (const f of fields) {
    const n = f.name, v = row[n];
    if (v === null || v === undefined) continue;
    const one = keyIn((f.dtype === CORE.ARRAY ? f.element_type : f.dtype) === CORE.VARCHAR);
    const x = Array.isArray(v) ? (f.dtype === CORE.ARRAY && v.some((e) => one(e) !== e) ? v.map(one) : v) : f.dtype === CORE.ARRAY ? v : one(v);
    if (x !== v) {
      if (out === row) out = { ...row };
      out[n] = x;
    }
  }
  return out;
}

/** The SDK's row of a hit of collection `h` searched with output fields `outputs`: hit ->
 * { score, <pk>, ...fields }. */
function hitRow(h, outputs) {
  const pk = h.pk.name;
  const byName = new Map(h.schema.fields.map((f) => [f.name, f]));
  const wildcard = outputs.some((o) => o.trim() === '*' || o.trim() === DEFAULT_DYNAMIC_FIELD);
  const named = new Set(outputs.map((o) => o.trim()).filter((o) => !byName.has(o)));
  return (hit) => ({ score: hit.distance, [pk]: valueOut(h.pk, hit.id), ...rowOut(hit.entity, byName, wildcard, named) });
}

/** The SDK's reply of a search or hybrid search from the hits of each query vector. */
function searchReply(h, hits, outputs) {
  const row = hitRow(h, outputs);
  const results = hits.map((list) => list.map(row));
  return {
    status: resStatus(),
    results: results.length === 1 ? results[0] : results, // one query vector: a flat list, as the SDK gives it
    recalls: [],
    session_ts: 0,
    collection_name: h.name,
    all_search_count: results.reduce((a, l) => a + l.length, 0),
  };
}

function checkPartitionArgs(data) {
  if (!data || !data.collection_name || !data.partition_name) throw new Error(ERROR_REASONS.COLLECTION_PARTITION_NAME_ARE_REQUIRED);
}

function requirePartition(store, h, name) {
  if (!engine().hasPartition(store, h.name, name)) throw new MilvusException(Code.PARTITION_NOT_FOUND, `partition not found[partition=${name}]`);
}

