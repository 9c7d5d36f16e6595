// collection.js — Collection: pymilvus's ORM Collection over the embedded store.
//
// A Collection object names a collection in a connection's store, as pymilvus's does on a
// server: every call finds it by name, so a collection dropped elsewhere is reported as such.
// Calls that may touch the network (mutations and reads) return Promises; in the embedded
// store they complete before returning.
//
// Re-entrancy: reading the caller's values (rows, vectors, options, lists) may run the caller's
// code (getters, toJSON, Proxies, valueOf), and that code may drop, create or change any
// collection. A collection's pointer is only valid until such code runs, so every call reads the
// caller's values first, into plain values, then calls one operation of the engine, which
// resolves the collection and calls the core with nothing in between. A call whose values were
// read against a collection that was dropped meanwhile gets a clean error (code 100); anything
// else the caller's code did happens before the call, as if it had run first.

import { engine } from '../core/engine.js';
import { connections } from './connections.js';
import { registryOf } from '../core/registry.js';
import { DataType, isVectorType } from '../core/dtype.js';
import { CLIENT_ERROR, ParamError, SchemaNotReadyException } from '../core/errors.js';
import { normalizeFieldOps } from '../core/fieldop.js';
import { integerText, isDigitString, templateText, withTemplate } from '../core/template.js';
import { transcribe, transcribeQueries, typeName } from '../core/marshal.js';
import { Partition, _registerCollection } from './partition.js';
import { isArrayBuffer, typedBytes, typedKind, typedLength } from '../core/typed.js';
import { restCreateCollection } from '../remote/rest.js';
import { CollectionSchema } from './schema.js';
import { OPTIONS, acceptOptions, checkConsistencyLevel } from './options.js';
import { orderByText } from '../core/orderby.js';

/** Options of a data call of a Collection: the partition's option besides (one list per call,
 * made once). */
const ON_COLLECTION = Object.fromEntries(Object.keys(OPTIONS).map((op) =>
  [op, [...OPTIONS[op], op === 'query' || op === 'get' || op === 'search' ? 'partition_names' : 'partition_name']]));
const onCollection = (op) => ON_COLLECTION[op];
const TIMEOUT = ['timeout'];
/** Keys of search's `param`, and of its `params`: ef / nprobe / refine_k act on the field's
 * index (the core refuses them where there is none); other index parameters are refused. */
const SEARCH_PARAM = ['metric_type', 'params', 'offset', 'round_decimal', 'limit', 'group_by_field', 'group_size', 'strict_group_size'];
/** Grouping search's keys (Milvus 2.6), from search's options or else its param, as pymilvus. */
const GROUPING = ['group_by_field', 'group_size', 'strict_group_size'];
const SEARCH_PARAMS_HINT = "partita's indexes take ef (HNSW), nprobe (IVF), refine_k (HNSW_SQ, IVF_RABITQ) and rbq_bits_query / rbq_query_bits (IVF_RABITQ); BM25 searches bm25_k1, bm25_b and drop_ratio_search";
const SEARCH_PARAMS = ['radius', 'range_filter', 'ef', 'nprobe', 'refine_k', 'rbq_bits_query', 'rbq_query_bits', 'bm25_k1', 'bm25_b', 'drop_ratio_search'];
/** The iterators' arguments and options (positional ones included, as iteratorOptions merges them). */
// order_by_fields is taken by the iterators as pymilvus takes it; the core refuses it with Milvus's message
const QUERY_ITERATOR = ['batch_size', 'limit', 'expr', 'output_fields', 'partition_names', 'offset', 'expr_params', 'timeout', 'order_by_fields'];
const SEARCH_ITERATOR = ['batch_size', 'limit', 'expr', 'output_fields', 'partition_names', 'round_decimal', 'expr_params', 'timeout', 'order_by_fields'];
/** Milvus 3.0's order_by_fields (a string, or a list of strings and { field, order }) as the wire text. */
const orderBy = (v) => orderByText(v, (m) => new ParamError(CLIENT_ERROR, m));
import { QueryIterator, SearchIterator } from './iterator.js';
import { int64Digits } from '../core/results.js';
import { AnnSearchRequest, GivenRanker, RRFRanker, WeightedRanker } from './hybrid.js';
/** hybrid_search's options (pymilvus's keyword arguments). */
const HYBRID = ['partition_names', 'output_fields', 'offset', 'round_decimal', 'timeout'];
/** The keys of an AnnSearchRequest's param that its sub-search honours. */
const HYBRID_PARAM = ['metric_type', 'params', 'limit'];
import { Index, createIndexRequest, indexRequest } from './vindex.js';

/** A collection or partition name given by the caller: a string, for a collection a non-empty
 * one as pymilvus checks it (the core checks the rest). */
export function checkName(name, what) {
  // pymilvus's check_pass_param: a collection name is a non-empty string
  if (what === 'collection' && !(typeof name === 'string' && name))
    throw new ParamError(CLIENT_ERROR, `\`collection_name\` value ${shown(name)} is illegal`);
  if (typeof name !== 'string') throw new ParamError(CLIENT_ERROR, `${what} name must be a string, got ${typeof name}`);
  return name;
}

/** A partition name given to a data call: a string, or null / undefined for `_default`. */
function checkPartition(name) {
  return name === undefined || name === null ? null : checkName(name, 'partition');
}

/** How a value the request JSON cannot carry is written, so that the core sees it and refuses
 * it with its message, never a default in its place: NaN / Infinity (JSON.stringify would write
 * null) and BigInts (it would throw) as their text, e.g. `limit: NaN` → "NaN", 10n → "10n". */
const faithful = (_k, v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);

/** A request as JSON text; `replacer` (default: faithful) sees every value once. */
function requestText(request, replacer = faithful) {
  try {
    return JSON.stringify(request, replacer);
  } catch (e) {
    if (e instanceof ParamError) throw e; // a replacer's own refusal
    throw new ParamError(CLIENT_ERROR, `the request cannot be written as JSON: ${e?.message ?? e}`);
  }
}

/** A request as JSON text without a replacer, when there is nothing for one to do: every value
 * a string, a boolean or a finite number, and params a plain object of search params (`keys`)
 * each a finite number held as a plain value, such as { ef: 64 } (a search's common cases, an
 * index's included); undefined otherwise (requestText then). Nothing of the caller's is read
 * twice: params' values are looked at through their descriptors, which call no getter. */
function plainRequestText(request, keys = []) {
  for (const k in request) {
    const v = request[k], t = typeof v;
    if (t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(v))) continue;
    if (k === 'params' && t === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype && !('toJSON' in v) &&
      plainParams(v, keys)) continue;
    return undefined;
  }
  return JSON.stringify(request);
}

/** Whether every own property of `params` is an enumerable plain value, a finite number, under
 * one of `keys`. */
function plainParams(params, keys) {
  const names = Object.getOwnPropertyNames(params);
  for (const name of names) {
    const d = Object.getOwnPropertyDescriptor(params, name);
    if (!keys.includes(name) || !d.enumerable || !('value' in d) || typeof d.value !== 'number' || !Number.isFinite(d.value))
      return false;
  }
  return true;
}

/** A parameter's value in a message: BigInts as 10n. */
const shown = (v) => (typeof v === 'bigint' ? `${v}n` : String(v));

/** An iterator's arguments: one options object, or pymilvus's positional ones (`names`) and
 * then an options object. */
function iteratorOptions(args, names) {
  const first = args[0];
  if (args.length === 1 && first !== null && typeof first === 'object' && !Array.isArray(first)) return { ...first };
  const o = {};
  names.forEach((n, i) => {
    if (args[i] !== undefined) o[n] = args[i];
  });
  const rest = args[names.length];
  if (rest !== undefined && rest !== null && (typeof rest !== 'object' || Array.isArray(rest)))
    throw new ParamError(CLIENT_ERROR, `iterator options must be an object, got ${typeName(rest)}`);
  return { ...o, ...rest };
}

function checkTimeout(options) {
  const t = options?.timeout;
  if (t !== undefined && t !== null && (typeof t !== 'number' || !(t >= 0)))
    throw new ParamError(CLIENT_ERROR, `timeout must be a non-negative number of seconds or null, got ${t}`);
}

/** A mutation's options, each read once (a getter is not asked twice), timeout checked. */
function mutationOptions(options) {
  const out = { timeout: options?.timeout, ack: options?.ack };
  checkTimeout(out);
  return out;
}

/** An insert's or upsert's options: mutationOptions plus `merge`, the upsert's merge mode
 * (partial_update, a boolean) and field operations (field_ops, as pymilvus reads them); an
 * insert given either is refused by name (Milvus's insert has neither). */
function writeOptions(op, options) {
  const partial = options?.partial_update, fieldOps = options?.field_ops;
  const out = mutationOptions(options);
  if (op !== 'upsert') {
    if (partial !== undefined) throw new ParamError(CLIENT_ERROR, `partial_update is an option of upsert, not of ${op}`);
    if (fieldOps !== undefined) throw new ParamError(CLIENT_ERROR, `field_ops is an option of upsert, not of ${op}`);
    out.merge = undefined;
    return out;
  }
  if (partial !== undefined && partial !== null && typeof partial !== 'boolean')
    throw new ParamError(CLIENT_ERROR, `partial_update must be a bool, got ${typeof partial}`);
  const ops = normalizeFieldOps(fieldOps);
  // a field operation other than REPLACE makes the upsert a merge (Milvus promotes it too)
  out.merge = { merge: partial === true || ops.length > 0, fieldOps: ops };
  return out;
}

/** A mutation on a connection without a remote: its ack can only be 'local' (the default). */
function checkLocalAck(options) {
  const ack = options.ack;
  if (ack !== undefined && ack !== null && ack !== 'local')
    throw new ParamError(CLIENT_ERROR, `ack ${JSON.stringify(ack) ?? typeName(ack)} needs a forwarding connection (uri http(s)://host:port); the embedded store acknowledges 'local' only`);
}

/** A call's timeout (seconds) in milliseconds; undefined when it has none. */
function toMs(timeout) {
  return timeout === undefined || timeout === null ? undefined : timeout * 1000;
}

let compactionIds = 0;

/** Listeners told after every change of a collection, by `${alias}\0${name}` (persist.js autosave). */
const mutationListeners = new Map();

/** Calls fn() after every mutation of collection `name` of connection `using`; returns an unsubscribe. */
export function _onMutation(using, name, fn) {
  const key = `${using}\0${name}`;
  let set = mutationListeners.get(key);
  if (!set) mutationListeners.set(key, (set = new Set()));
  set.add(fn);
  return () => {
    set.delete(fn);
    if (!set.size && mutationListeners.get(key) === set) mutationListeners.delete(key);
  };
}

function mutated(using, name) {
  const set = mutationListeners.get(`${using}\0${name}`);
  if (set) for (const fn of [...set]) fn();
}

/** Snapshot bytes as a Uint8Array view (no copy), measured by the engine's getters (typed.js). */
function snapshotBytes(bytes) {
  if (typedKind(bytes) !== undefined) return typedBytes(bytes);
  if (isArrayBuffer(bytes)) return new Uint8Array(bytes);
  throw new ParamError(CLIENT_ERROR, `Collection.load takes the bytes of a snapshot (Uint8Array or ArrayBuffer), got ${typeName(bytes)}`);
}

/** A primary key as an expression literal; `digits`: an INT64 key may be a string of digits. */
function keyLiteral(k, isString, digits) {
  if (isString) {
    if (typeof k !== 'string') throw new ParamError(CLIENT_ERROR, `primary key ${String(k)} is not a string`);
    return JSON.stringify(k);
  }
  // exact digits (a number beyond 2^53 as the integer it holds)
  if (typeof k === 'bigint' || (typeof k === 'number' && Number.isInteger(k)) || (digits && isDigitString(k))) return integerText(k);
  throw new ParamError(CLIENT_ERROR, `primary key ${String(k)} is not an integer`);
}

/** `pk in [k1, k2, ...]` for get(ids): one key, a list or a typed array of keys. The keys are read
 * one at a time, never copied first, and no further than the expression's limit (`max` bytes):
 * a longer one is left for the core to refuse, so a list claiming a huge length costs nothing.
 * `digits`: INT64 keys may be strings of digits (the `int64: 'string'` key mode). */
export function keysExpr(pk, ids, max, digits = false) {
  const isString = pk.dtype === DataType.VARCHAR;
  const list = typedKind(ids) !== undefined || Array.isArray(ids);
  const n = typedKind(ids) !== undefined ? typedLength(ids) : list ? ids.length : 1;
  if (!(Number.isInteger(n) && n >= 0)) throw new ParamError(CLIENT_ERROR, `the list of ids claims a length of ${String(n)}`);
  const head = `${pk.name} in [`;
  const parts = [];
  for (let i = 0, length = head.length; i < n && length <= max; i++) {
    const literal = keyLiteral(list ? ids[i] : ids, isString, digits);
    parts.push(literal);
    length += literal.length + 2;
  }
  return `${head}${parts.join(', ')}]`;
}

export class Collection {
  #name;
  #using;
  #schema;
  #compaction = null;

  /**
   * Opens collection `name`, or creates it from `schema` (an equal schema opens it too).
   * @param {string} name
   * @param {CollectionSchema} [schema]
   * @param {{ using?: string, num_partitions?: number, properties?: object }} [options]
   *   properties: collection properties, as pymilvus's create_collection takes them (partita knows
   *   allow_insert_auto_id; the core refuses any other by name)
   */
  constructor(name, schema, options = {}) {
    if (schema !== undefined && schema !== null && !(schema instanceof CollectionSchema)) {
      if (typeof schema === 'object' && !Array.isArray(schema) && !('fields' in schema)) {
        options = schema; // new Collection(name, { using })
        schema = undefined;
      } else {
        throw new SchemaNotReadyException(CLIENT_ERROR, 'Schema type must be schema.CollectionSchema.');
      }
    }
    this.#name = checkName(name, 'collection');
    // the caller's values first (the schema's JSON, the options): then the store
    options = acceptOptions('Collection() options', options, ['using', 'num_partitions', 'consistency_level', 'properties']);
    checkConsistencyLevel(options.consistency_level);
    this.#using = options.using ?? 'default';
    const schemaText = schema ? requestText({ ...schema.toCoreJSON(), properties: options.properties }, null) : null;
    const numPartitions = options.num_partitions ?? 0;
    if (typeof numPartitions !== 'number')
      throw new ParamError(CLIENT_ERROR, `num_partitions must be a number, got ${typeName(numPartitions)}`);
    const store = this.#store();
    const found = engine().hasCollection(store, name);
    const fw = connections._forwarder(this.#using);
    // the remote's collections/create would be sent without them (not forwarded yet): refused
    if (fw && !found && schema && options.properties != null && Object.keys(options.properties).length)
      throw new ParamError(CLIENT_ERROR, 'collection properties are not forwarded: a forwarding connection cannot create a collection with `properties`');
    if (!schema) {
      if (!found)
        throw new SchemaNotReadyException(CLIENT_ERROR, `Collection '${name}' not exist, or you can pass in schema to create one.`);
    } else {
      engine().createCollection(store, name, schemaText, numPartitions, true);
    }
    // the core's description is only needed to rebuild the schema or to forward the creation
    // (describing costs two JSON round trips through the core, a good part of a cold start)
    const described = !schema || (fw && !found) ? this._describe() : null;
    this.#schema = schema ?? CollectionSchema.fromCore(described.schema);
    if (fw && !found)
      this._forwardOp('create_collection', restCreateCollection(name, described, {
        indexParams: fw.config.index_params, metricOf: (field) => engine().searchMetric(store, name, field),
      }));
  }

  // ---- internals shared with Partition -------------------------------------------------

  /** Whether v is a Collection (not a look-alike, not a Proxy of one). */
  static _is(v) {
    return typeof v === 'object' && v !== null && #name in v;
  }

  /** The store of this collection's connection, now. */
  #store() {
    return connections._store(this.#using);
  }

  /**
   * Resolves the collection now and returns its facts (engine.resolve): `info`, the schema facts
   * the caller's values are read against, and the key `expected` compares. Throws (code 100)
   * when it no longer exists, or when it is not the collection of `expected` any more.
   */
  _facts(expected = null) {
    return engine().resolve(this.#store(), this.#name, expected);
  }

  /** Whether this collection's connection gives INT64 values as digit strings (the `int64:
   * 'string'` key mode of connections.connect), and takes INT64 keys as digits. */
  _digits() {
    return connections._int64Mode(this.#using) === 'string';
  }

  /** A result (rows, hits, MutationResult) as the connection's key mode gives it. */
  _out(result) {
    return this._digits() ? int64Digits(result, this.#schema.fields) : result;
  }

  /** The core's description of the collection now (schema, partitions). */
  _describe() {
    return engine().describe(this.#store(), this.#name);
  }

  /** Creates partition `name` (an existing one is kept). */
  _createPartition(name) {
    engine().createPartition(this.#store(), this.#name, name);
  }

  /** Live entities in partition `name`. */
  _numEntities(name) {
    return engine().numEntities(this.#store(), this.#name, name);
  }

  /** insert / upsert into a partition (null: _default): the MutationResult, or with a
   * forwarding connection a Promise of it (see _forwarded). */
  _write(op, data, partition, options = {}) {
    options = writeOptions(op, options);
    partition = checkPartition(partition);
    const fw = connections._forwarder(this.#using);
    if (fw) return this._forwarded(fw, options, () => this._applyWrite(op, data, partition, fw, options));
    checkLocalAck(options);
    return this._applyWrite(op, data, partition, null, options).result;
  }

  /** Applies a write to the local store; with a forwarder, also queues it for the remote. */
  _applyWrite(op, data, partition, fw, options) {
    const timeoutMs = toMs(options.timeout);
    const { result, rows, info } = this._writeBatch(op, data, partition, fw !== null, options.merge);
    if (!fw) return { result };
    if (!rows) {
      fw.lost(this.#name, `out of memory encoding the rows of ${op} for ${fw.uri}; they are applied locally only`);
      return { result };
    }
    // the keys the remote sees, so that requests with disjoint keys may travel together or
    // overlap: none for auto_id inserts (the remote assigns its own), unknown (null) for
    // auto_id upserts (the forwarded keys are the given ones)
    const pk = info.fields[info.primary];
    const keys = !pk.auto_id ? new Set(result.primary_keys.map(String)) : op === 'insert' ? new Set() : null;
    // a merge travels as the rows it wrote (every field; arrays after their operations) in an
    // upsert with partialUpdate (forward.js), never as the operations: the remote ends with
    // the rows the local store has
    const kind = options.merge?.merge ? 'upsert_merge' : op;
    const { entry, persisted } = fw.enqueue({ kind, collection: this.#name, partition, ...rows, keys, timeoutMs });
    return { result, entry, persisted };
  }

  /** Writes `data` into the local store (`op`: 'insert' or 'upsert'): { result, rows (with
   * rowsJson: the rows as REST JSON, or null when out of memory), info (the collection's schema
   * facts) }. */
  _writeBatch(op, data, partition, rowsJson, merge = undefined) {
    const facts = this._facts(); // the schema the rows are read against
    let written = false;
    try {
      // the caller's values are read here (their code may run); the engine's write resolves the
      // collection again once they are read (in the connection's store now), and frees the
      // transcription's buffers whatever happens
      const batch = transcribe(facts.info, data, op);
      let store;
      try {
        store = this.#store();
      } catch (e) {
        batch.release(); // the caller's code removed the connection: the batch goes nowhere
        throw e;
      }
      // (insert and upsert await the store's sync before they resolve: _write's callers)
      const out = connections._deferred(this.#using, () => engine().write(store, this.#name, facts, partition, op, batch, rowsJson, merge));
      written = true;
      return out;
    } finally {
      // once the core is done with: listeners (autosave) may run the caller's code
      if (written) mutated(this.#using, this.#name);
    }
  }

  /**
   * A mutation on a forwarding connection: waits for room in the backlog (back-pressure), applies
   * it locally and queues it (one synchronous step), waits for the outbox write, and with
   * ack 'remote' for the remote's acknowledgement. `apply` returns { result, entry, persisted }.
   */
  async _forwarded(fw, options, apply) {
    const timeoutMs = toMs(options.timeout);
    const ack = options.ack ?? fw.ack;
    if (ack !== 'local' && ack !== 'remote') throw new ParamError(CLIENT_ERROR, `ack must be 'local' or 'remote', got ${String(ack)}`);
    const room = fw.room(timeoutMs);
    if (room) await room;
    const { result, entry, persisted } = apply();
    if (persisted) await persisted;
    else await fw.turn();
    if (entry && ack === 'remote') await fw.acknowledged(entry, timeoutMs);
    return result;
  }

  /** Queues a non-data mutation (create, drop) for the remote of a forwarding connection. */
  _forwardOp(kind, body, partition = null) {
    mutated(this.#using, this.#name);
    const fw = connections._forwarder(this.#using);
    if (!fw) return;
    if (fw.db_name !== 'default') body = { dbName: fw.db_name, ...body };
    fw.enqueue({ kind, collection: this.#name, partition, body });
  }

  _delete(expr, partition, options = {}) {
    const exprParams = options?.expr_params;
    options = mutationOptions(options);
    if (typeof expr !== 'string')
      throw new ParamError(CLIENT_ERROR, `The type of expr must be string ,but ${typeof expr} is given.`);
    // pymilvus checks the filter before sending it (Prepare.delete_request)
    if (expr === '') throw new ParamError(CLIENT_ERROR, "Illegal str variables: {'filter': ''}, expect non-empty str");
    partition = checkPartition(partition);
    const params = templateText(exprParams);
    const fw = connections._forwarder(this.#using);
    if (fw) return this._forwarded(fw, options, () => this._applyDelete(expr, partition, fw, options, params));
    checkLocalAck(options);
    return this._applyDelete(expr, partition, null, options, params).result;
  }

  _applyDelete(expr, partition, fw, options, params = null) {
    const timeoutMs = toMs(options.timeout);
    const store = this.#store();
    const result = connections._deferred(this.#using, () => engine().delete(store, this.#name, null, partition, expr, { params }));
    mutated(this.#using, this.#name);
    if (!fw) return { result };
    // the filter as written: the remote evaluates it on the same data, in the same order
    const body = { collectionName: this.#name, filter: expr };
    if (params !== null) body.exprParams = JSON.parse(params);
    if (partition) body.partitionName = partition;
    if (fw.db_name !== 'default') body.dbName = fw.db_name;
    const { entry, persisted } = fw.enqueue({ kind: 'delete', collection: this.#name, partition, body, timeoutMs });
    return { result, entry, persisted };
  }

  /** query; `expected`: the resolution an expression was built against (see _get); `extra`:
   * further members of the core's request (query iterators: order_by_pk). */
  _query(expr = '', options = {}, partitionNames, expected, extra = null) {
    checkTimeout(options);
    checkConsistencyLevel(options.consistency_level);
    if (typeof expr !== 'string')
      throw new ParamError(CLIENT_ERROR, `The type of expr must be string ,but ${typeof expr} is given.`);
    // every option read once, and the request written, before the collection is resolved
    const request = { expr, ...extra };
    const outputs = options.output_fields, parts = partitionNames ?? options.partition_names;
    const limit = options.limit, offset = options.offset;
    if (outputs !== undefined && outputs !== null) request.output_fields = outputs;
    if (parts !== undefined && parts !== null) request.partition_names = parts;
    if (limit !== undefined && limit !== null) request.limit = limit;
    if (offset !== undefined && offset !== null) request.offset = offset;
    const order = orderBy(options.order_by_fields);
    if (order !== undefined) request.order_by_fields = order;
    const text = withTemplate(requestText(request), templateText(options.expr_params));
    return engine().queryRows(this.#store(), this.#name, expected, text);
  }

  _search(data, annsField, param, limit, expr, options = {}, partitionNames) {
    checkTimeout(options);
    options ??= {};
    checkConsistencyLevel(options.consistency_level);
    param ??= {};
    if (typeof param !== 'object' || Array.isArray(param))
      throw new ParamError(CLIENT_ERROR, `search param must be a dict, got ${typeName(param)}`);
    acceptOptions('search param', param, SEARCH_PARAM);
    if (annsField !== undefined && annsField !== null && typeof annsField !== 'string')
      throw new ParamError(CLIENT_ERROR, `anns_field must be a string, got ${typeName(annsField)}`);
    if (expr !== undefined && expr !== null && typeof expr !== 'string')
      throw new ParamError(CLIENT_ERROR, `The type of expr must be string ,but ${typeof expr} is given.`);
    const roundDecimal = options.round_decimal ?? param.round_decimal ?? -1;
    if (!Number.isInteger(roundDecimal) || roundDecimal < -1 || roundDecimal > 6)
      throw new ParamError(CLIENT_ERROR, `\`round_decimal\` value ${shown(roundDecimal)} is illegal`);
    // the schema the query vectors are read against; the collection is resolved again once every
    // value of the caller is read
    const facts = this._facts();
    const { info } = facts;
    // the field the query vectors are for: the one named, or the only vector field (with several,
    // the core reports that anns_field is needed)
    const vectorFields = annsField ? null : info.fields.filter((f) => isVectorType(f.dtype));
    const field = annsField ? info.fields[info.fieldIndex.get(annsField)] : vectorFields.length === 1 ? vectorFields[0] : undefined;
    // limit, offset and params as given: the core refuses what is not a valid value (faithful)
    const request = {
      anns_field: annsField ?? '',
      metric_type: param.metric_type ?? '',
      limit: limit ?? param.limit ?? 10,
      offset: options.offset ?? param.offset ?? 0,
      expr: expr ?? '',
      params: param.params ?? {},
    };
    // Milvus 3.0's order_by_fields goes among the search params, as the SDKs send it; a search
    // iterator's requests say they are one (the core refuses an ordering there, as Milvus)
    const order = orderBy(options.order_by_fields);
    const given = request.params;
    if (order !== undefined && given !== null && typeof given === 'object' && !Array.isArray(given)) {
      // param.params has no order_by_fields of its own (refused by name, as any other key)
      if (Object.hasOwn(given, 'order_by_fields')) acceptOptions('search param.params', given, SEARCH_PARAMS, SEARCH_PARAMS_HINT);
      request.params = { ...given, order_by_fields: order };
    }
    if (options.iterator === true) request.iterator = true;
    const outputs = options.output_fields;
    if (outputs !== undefined && outputs !== null) request.output_fields = outputs;
    const parts = partitionNames ?? options.partition_names;
    if (parts !== undefined && parts !== null) request.partition_names = parts;
    for (const k of GROUPING) {
      const v = options[k] ?? param[k];
      if (v !== undefined && v !== null) request[k] = v; // as given: the core checks them
    }
    const byIds = options.ids !== undefined && options.ids !== null;
    if (byIds) Object.assign(request, idsRequest(options.ids, data, this._digits() && info.fields[info.primary].dtype === DataType.INT64));
    // the query vectors as read (the core checks them against the field it searches; by keys, it
    // reads the keys' stored vectors instead)
    const q = transcribeQueries(byIds ? null : data, byIds ? null : field ?? null, engine().constants.limits.MAX_NQ);
    const pk = info.fields[info.primary].name;
    const params = templateText(options.expr_params);
    const text = withTemplate(plainRequestText(request, SEARCH_PARAMS) ?? requestText(request, function (k, v) {
      // the params as written (after their toJSON); not an object: the core refuses it
      if (this === request && k === 'params' && v !== null && typeof v === 'object' && !Array.isArray(v))
        acceptOptions('search param.params', v, order === undefined ? SEARCH_PARAMS : [...SEARCH_PARAMS, 'order_by_fields'], SEARCH_PARAMS_HINT);
      return faithful(k, v);
    }), params);
    return engine().searchHits(this.#store(), this.#name, facts, text, q, { pk, roundDecimal });
  }

  _hybridSearch(reqs, rerank, limit, options, partitionNames) {
    options = acceptOptions('Collection.hybrid_search() options', options ?? {}, HYBRID);
    checkTimeout(options);
    if (!Array.isArray(reqs) || reqs.some((r) => !(r instanceof AnnSearchRequest)))
      throw new ParamError(CLIENT_ERROR, 'reqs must be a list of AnnSearchRequest');
    if (!(rerank instanceof RRFRanker || rerank instanceof WeightedRanker || rerank instanceof GivenRanker))
      throw new ParamError(CLIENT_ERROR, 'rerank must be a RRFRanker or a WeightedRanker');
    const roundDecimal = options.round_decimal ?? -1;
    if (!Number.isInteger(roundDecimal) || roundDecimal < -1 || roundDecimal > 6)
      throw new ParamError(CLIENT_ERROR, `\`round_decimal\` value ${shown(roundDecimal)} is illegal`);
    const facts = this._facts();
    const { info } = facts;
    const vectorFields = info.fields.filter((f) => isVectorType(f.dtype));
    const subs = [], queries = [];
    for (const r of reqs) {
      // a sub-request honours these keys of its param (grouping, offset and rounding are the
      // hybrid search's own, or not supported there): the others are refused by name
      acceptOptions('AnnSearchRequest param', r.param, HYBRID_PARAM, 'a hybrid sub-request takes metric_type, params and limit');
      if (r.param.params !== null && typeof r.param.params === 'object' && !Array.isArray(r.param.params))
        acceptOptions('AnnSearchRequest param.params', r.param.params, SEARCH_PARAMS, SEARCH_PARAMS_HINT);
      const field = r.anns_field ? info.fields[info.fieldIndex.get(r.anns_field)] : vectorFields.length === 1 ? vectorFields[0] : undefined;
      const sub = { anns_field: r.anns_field, metric_type: r.param.metric_type ?? '', limit: r.limit ?? r.param.limit ?? 10, expr: r.expr ?? '',
        params: r.param.params ?? {} };
      subs.push(withTemplate(requestText(sub), templateText(r.expr_params)));
      queries.push(transcribeQueries(r.data, field ?? null, engine().constants.limits.MAX_NQ));
    }
    const request = { rerank: rerank.dict(), limit, offset: options.offset ?? 0 };
    if (options.output_fields !== undefined && options.output_fields !== null) request.output_fields = options.output_fields;
    const parts = partitionNames ?? options.partition_names;
    if (parts !== undefined && parts !== null) request.partition_names = parts;
    const text = `{"reqs":[${subs.join(',')}],${requestText(request).slice(1)}`;
    const pk = info.fields[info.primary].name;
    return engine().hybridSearch(this.#store(), this.#name, facts, text, queries, { pk, roundDecimal });
  }

  _get(ids, options = {}, partitionNames) {
    checkTimeout(options);
    // the expression is built against the key field of the collection as it is now; the query
    // runs only if it is still that collection
    const facts = this._facts();
    const pk = facts.info.fields[facts.info.primary];
    const expr = keysExpr(pk, ids, engine().constants.limits.MAX_EXPR_LENGTH, this._digits());
    return this._query(expr, { ...options, limit: undefined, offset: undefined }, partitionNames, facts);
  }

  // ---- pymilvus's Collection ------------------------------------------------------------

  get name() {
    return this.#name;
  }

  /** The connection alias this collection belongs to. */
  get using() {
    return this.#using;
  }

  get schema() {
    return this.#schema;
  }

  get description() {
    return this.#schema.description;
  }

  get primary_field() {
    return this.#schema.primary_field;
  }

  /** Live entities (Milvus's figure also counts deleted rows until compaction). */
  get num_entities() {
    return engine().numEntities(this.#store(), this.#name);
  }

  get is_empty() {
    return this.num_entities === 0;
  }

  /** The partitions, in creation order. */
  get partitions() {
    return this._describe().partitions.map((p) => Partition._existing(this, p.name));
  }

  has_partition(name) {
    checkName(name, 'partition');
    return engine().hasPartition(this.#store(), this.#name, name);
  }

  /** Creates a partition (an existing one is kept) and returns it. */
  create_partition(name, description = '') {
    return new Partition(this, name, description);
  }

  /** The partition called `name`, or null. */
  partition(name) {
    return this.has_partition(name) ? Partition._existing(this, name) : null;
  }

  drop_partition(name, options = {}) {
    options = acceptOptions('Collection.drop_partition() options', options, TIMEOUT);
    checkName(name, 'partition');
    checkTimeout(options);
    const existed = engine().dropPartition(this.#store(), this.#name, name);
    if (existed) {
      // Milvus drops only released partitions
      this._forwardOp('release_partition', { collectionName: this.#name, partitionNames: [name] }, name);
      this._forwardOp('drop_partition', { collectionName: this.#name, partitionName: name }, name);
    }
  }

  // ---- indexes (the core's, src/vindex.c) -------------------------------------------------

  /** Builds an index on a field (pymilvus's create_index): index_params { index_type,
   * metric_type, params }; options { index_name, timeout }. Returns its Index. */
  create_index(field_name, index_params = {}, options = {}) {
    options = acceptOptions('Collection.create_index() options', options, ['index_name', 'timeout']);
    checkTimeout(options);
    const request = createIndexRequest(field_name, index_params, options.index_name);
    engine().createIndex(this.#store(), this.#name, request);
    return this.index({ index_name: JSON.parse(request).index_name || undefined, field_name });
  }

  /** The collection's indexes. */
  get indexes() {
    return engine().indexes(this.#store(), this.#name, indexRequest()).map((d) => new Index(this, d));
  }

  /** The index named (options { index_name, field_name }; neither: the only one), or Milvus's
   * index-not-found error (code 700). */
  index(options = {}) {
    options = acceptOptions('Collection.index() options', options, ['index_name', 'field_name', 'timeout']);
    checkTimeout(options);
    const [d] = engine().describeIndex(this.#store(), this.#name, indexRequest(options.field_name, options.index_name));
    return new Index(this, d);
  }

  has_index(options = {}) {
    options = acceptOptions('Collection.has_index() options', options, ['index_name', 'timeout']);
    checkTimeout(options);
    return engine().indexes(this.#store(), this.#name, indexRequest(undefined, options.index_name)).length > 0;
  }

  /** Drops the index named (options { index_name }; none: the only one). */
  drop_index(options = {}) {
    options = acceptOptions('Collection.drop_index() options', options, ['index_name', 'timeout']);
    checkTimeout(options);
    engine().dropIndex(this.#store(), this.#name, indexRequest(undefined, options.index_name));
  }

  /** Drops the collection and its data (Milvus's error while it has aliases: the store's
   * registry, which every face shares, keeps them). */
  drop(options = {}) {
    options = acceptOptions('Collection.drop() options', options, TIMEOUT);
    checkTimeout(options);
    registryOf(this.#store()).drop(this.#name);
    this._forwardOp('drop_collection', { collectionName: this.#name });
  }

  /** @returns {Promise<import('../core/results.js').MutationResult>} */
  async insert(data, options = {}) {
    options = acceptOptions('Collection.insert() options', options, onCollection('insert'));
    return this._durable(this._out(await this._write('insert', data, options.partition_name, options)));
  }

  /** @returns {Promise<import('../core/results.js').MutationResult>} */
  async upsert(data, options = {}) {
    options = acceptOptions('Collection.upsert() options', options, onCollection('upsert'));
    return this._durable(this._out(await this._write('upsert', data, options.partition_name, options)));
  }

  async delete(expr, options = {}) {
    options = acceptOptions('Collection.delete() options', options, onCollection('delete'));
    return this._durable(this._out(await this._delete(expr, options.partition_name, options)));
  }

  /** `result` once the connection's durable store has synced it (a group commit window), at
   * once otherwise. */
  async _durable(result) {
    const synced = connections._synced(this.#using);
    if (synced) await synced;
    return result;
  }

  async query(expr, options = {}) {
    options = acceptOptions('Collection.query() options', options, onCollection('query'));
    return this._out(await this._query(expr, options));
  }

  async get(ids, options = {}) {
    options = acceptOptions('Collection.get() options', options, onCollection('get'));
    return this._out(await this._get(ids, options));
  }

  /**
   * Exact vector search, as pymilvus's Collection.search: one list of hits { id, distance,
   * entity } per query vector, best first, ties in storage order.
   * @param data query vectors: an array of vectors, one vector, or a flat typed array of nq × dim
   *   (BINARY: bytes; INT8: Int8Array or raw Uint8Array; FLOAT16 / BFLOAT16: numbers or Uint16Array
   *   halves; SPARSE: objects, Maps or { indices, values })
   * @param {string} [anns_field] the vector field (may be omitted when there is only one)
   * @param {{ metric_type?: string, params?: { radius?: number, range_filter?: number }, offset?: number,
   *   round_decimal?: number, limit?: number, group_by_field?: string, group_size?: number,
   *   strict_group_size?: boolean }} param metric_type defaults to COSINE (HAMMING for
   *   binary, IP for sparse vectors); the grouping keys as in options
   * @param {number} [limit] top-k (default 10)
   * @param {string} [expr] a filter expression
   * @param {{ output_fields?: string[], partition_names?: string[], offset?: number, round_decimal?: number,
   *   timeout?: number, group_by_field?: string, group_size?: number, strict_group_size?: boolean }} [options]
   *   grouping search (Milvus 2.6): up to `limit` groups of the group_by_field's value (BOOL,
   *   INT8..INT64, VARCHAR; a JSON field, JSON path or dynamic key as text), best group first, each its best group_size hits (default 1; 1 to 10),
   *   only full groups with strict_group_size; the hits of each query flattened, group by group
   */
  async search(data, anns_field, param, limit, expr, options = {}) {
    options = acceptOptions('Collection.search() options', options, onCollection('search'));
    return this._out(await this._search(data, anns_field, param, limit, expr, options));
  }

  /**
   * pymilvus's Collection.hybrid_search: each AnnSearchRequest searched (its own field, metric,
   * filter and limit), the hits fused by the ranker (RRFRanker(k): sum 1 / (k + rank);
   * WeightedRanker(...weights): sum weight * normalised score), best first; the distances are
   * the fused scores.
   * @param {AnnSearchRequest[]} reqs
   * @param {RRFRanker|WeightedRanker} rerank
   * @param {number} limit
   * @param {{ partition_names?: string[], output_fields?: string[], offset?: number, round_decimal?: number, timeout?: number }} [options]
   */
  async hybrid_search(reqs, rerank, limit, options = {}) {
    return this._out(await this._hybridSearch(reqs, rerank, limit, options));
  }

  /**
   * pymilvus's Collection.query_iterator: `await it.next()` gives the next batch of rows in
   * primary-key order ([] when done), `it.close()` ends it; `for await (const batch of it)` too.
   * Every row present from start to end is returned once, whatever other calls write between
   * batches (iterator.js). Arguments positionally as pymilvus's, or one options object:
   * { batch_size = 1000, limit = -1, expr, output_fields, partition_names, offset, expr_params, timeout }.
   * @returns {Promise<QueryIterator>}
   */
  async query_iterator(batch_size, limit, expr, output_fields, partition_names, options = {}) {
    const o = iteratorOptions(arguments, ['batch_size', 'limit', 'expr', 'output_fields', 'partition_names']);
    acceptOptions('Collection.query_iterator() options', o, QUERY_ITERATOR);
    checkTimeout(o);
    this._facts(); // Milvus's error now for a collection that does not exist
    return new QueryIterator(this, o);
  }

  /**
   * pymilvus's Collection.search_iterator: batches of hits for one query vector, best first, in
   * pages by distance ([] when done). Every row present from start to end with its vector
   * unchanged is returned once (iterator.js). Arguments positionally as pymilvus's (data,
   * anns_field, param, batch_size = 1000, limit = -1, expr, partition_names, output_fields,
   * options { round_decimal, expr_params, timeout }); param must name the metric_type.
   * @returns {Promise<SearchIterator>}
   */
  async search_iterator(data, anns_field, param, batch_size, limit, expr, partition_names, output_fields, options = {}) {
    const o = iteratorOptions([...arguments].slice(3), ['batch_size', 'limit', 'expr', 'partition_names', 'output_fields']);
    acceptOptions('Collection.search_iterator() options', o, SEARCH_ITERATOR);
    if (param !== null && typeof param === 'object' && !Array.isArray(param)) {
      acceptOptions('search_iterator param', param, ['metric_type', 'params', 'offset']);
      acceptOptions('search_iterator param.params', param.params, SEARCH_PARAMS,
        SEARCH_PARAMS_HINT);
    }
    checkTimeout(o);
    this._facts();
    return new SearchIterator(this, { ...o, data, anns_field, param });
  }

  /** Resolves when everything mutated before it is durable where it is going: with a
   * forwarding connection, when the remote has acknowledged every earlier mutation of the
   * connection (rejects with remote failures not reported yet); in the embedded store at once. */
  async flush(options = {}) {
    options = acceptOptions('Collection.flush() options', options, TIMEOUT);
    checkTimeout(options);
    this._facts();
    const fw = connections._forwarder(this.#using);
    if (fw) await fw.flush(toMs(options.timeout));
  }

  /** Collections are always loaded in the embedded store; kept for pymilvus code. */
  async load(options = {}) {
    options = acceptOptions('Collection.load() options', options, TIMEOUT);
    checkTimeout(options);
    this._facts();
  }

  async release(options = {}) {
    options = acceptOptions('Collection.release() options', options, TIMEOUT);
    checkTimeout(options);
    this._facts();
  }

  // ---- snapshots and compaction (issue 6) ------------------------------------------------

  /**
   * The collection as snapshot bytes: name, schema, partitions, live rows, and the clocks that
   * keep keys and timestamps unique after a load (format: src/snapshot.c). Synchronous; the
   * collection is not changed. Deleted rows are left out, as compaction would.
   * @returns {Uint8Array}
   */
  save() {
    return engine().save(this.#store(), this.#name);
  }

  /**
   * Restores a collection saved with save() into a connection's store, as a new collection
   * (`name`, default the saved one) and returns it. Bytes that are truncated, corrupted, of
   * another format or of a newer version throw a MilvusException (code 1100, status
   * PT_CORRUPT) and nothing is added; a name in use throws too.
   * @param {Uint8Array | ArrayBuffer | ArrayBufferView} bytes
   * @param {{ name?: string, using?: string }} [options]
   */
  static load(bytes, options = {}) {
    options = acceptOptions('Collection.load() options', options, ['name', 'using']);
    const optName = options.name, using = options.using ?? 'default';
    const name = optName === undefined || optName === null ? null : checkName(optName, 'collection');
    // the bytes last: no caller's code runs between measuring them and copying them
    const u8 = snapshotBytes(bytes);
    const savedName = engine().load(connections._store(using), u8, name);
    return new Collection(savedName, { using });
  }

  /**
   * Drops deleted rows from memory now (pymilvus: Collection.compact). Compaction also runs by
   * itself after mutations, when a partition's deleted rows exceed half its live rows and a
   * segment would be freed. Results of reads do not change.
   */
  async compact(options = {}) {
    options = acceptOptions('Collection.compact() options', options, TIMEOUT);
    checkTimeout(options);
    const removed = engine().compact(this.#store(), this.#name);
    this.#compaction = { compaction_id: ++compactionIds, removed_rows: removed };
  }

  /** The state of the last compact() (pymilvus shape; embedded compactions complete at once). */
  async get_compaction_state(options = {}) {
    options = acceptOptions('Collection.get_compaction_state() options', options, TIMEOUT);
    checkTimeout(options);
    this._facts();
    const last = this.#compaction;
    if (!last)
      return { compaction_id: 0, state: 'Undefined', executing_plan_no: 0, timeout_plan_no: 0, completed_plan_no: 0, removed_rows: 0 };
    return { compaction_id: last.compaction_id, state: 'Completed', executing_plan_no: 0, timeout_plan_no: 0, completed_plan_no: 1, removed_rows: last.removed_rows };
  }

  /** Resolves when the last compact() has completed (at once in the embedded store). */
  async wait_for_compaction_completed(options = {}) {
    options = acceptOptions('Collection.wait_for_compaction_completed() options', options, TIMEOUT);
    return this.get_compaction_state(options);
  }

  toString() {
    return `<Collection>:\n-------------\n<name>: ${this.#name}\n<description>: ${this.description}\n<schema>: ${JSON.stringify(this.#schema)}`;
  }
}

/**
 * Search by primary keys (Milvus 2.6.9, pymilvus's `ids`): the request member naming the keys
 * whose stored vectors are the query vectors, as Milvus's IDs message carries them: int_ids
 * (integers and BigInts, as decimal text so that int64 keys stay exact) or str_ids (strings).
 * The core resolves them (a key of the other type than the primary key's, a missing key:
 * Milvus's errors). `data` must not be given too.
 */
export function idsRequest(ids, data, int64Key) {
  if (data !== undefined && data !== null) throw new ParamError(CLIENT_ERROR, 'Either ids or data must be provided, not both');
  const list = Array.isArray(ids) ? ids : [ids];
  // integers as their exact digits; for an INT64 key, strings of digits are integers too (as the
  // SDK sends them in int_id), and any other list is left for the core to refuse by type
  const ints = list.every((k) => typeof k === 'bigint' || Number.isInteger(k) || (int64Key && isDigitString(k)));
  if (!ints && !list.every((k) => typeof k === 'string'))
    throw new ParamError(CLIENT_ERROR, `\`ids\` value [${list.map(shown).join(', ')}] is illegal`);
  return ints && list.length ? { int_ids: list.map(integerText) } : { str_ids: [...list] };
}

_registerCollection(Collection);
