// collection.js — Collection: pymilvus's ORM Collection over the embedded store.
//
// A Collection object names a collection in a connection's store, as pymilvus's does on a
// server: every call finds it by name, so a collection dropped elsewhere is reported as such.
// Calls that may touch the network (mutations and reads) return Promises; in the embedded
// store they complete before returning.

import { core } from './binding.js';
import { connections } from './connections.js';
import { DataType } from './dtype.js';
import { CLIENT_ERROR, MilvusException, ParamError, SchemaNotReadyException } from './errors.js';
import { transcribe, writeBatch } from './marshal.js';
import { Partition, _registerCollection } from './partition.js';
import { readMutationResult, readRows } from './results.js';
import { CollectionSchema } from './schema.js';

const OP = { insert: 1, upsert: 2 };
const CREATE_ORM = 1;

/** Runs fn(core, scope, ...[ptr, len] of each string) and releases the scope. */
export function withStrings(strings, fn) {
  const c = core();
  const scope = c.scope();
  try {
    const args = strings.map((s) => (s === null || s === undefined ? [0, 0] : scope.string(s)));
    return fn(c, scope, ...args);
  } finally {
    scope.release();
  }
}

function checkName(name, what) {
  if (typeof name !== 'string') throw new ParamError(CLIENT_ERROR, `${what} name must be a string, got ${typeof name}`);
  return name;
}

function checkTimeout(options) {
  const t = options?.timeout;
  if (t !== undefined && t !== null && (typeof t !== 'number' || !(t >= 0)))
    throw new ParamError(CLIENT_ERROR, `timeout must be a non-negative number of seconds or null, got ${t}`);
}

/** A primary key as an expression literal. */
function keyLiteral(k, isString) {
  if (isString) {
    if (typeof k !== 'string') throw new ParamError(CLIENT_ERROR, `primary key ${String(k)} is not a string`);
    return JSON.stringify(k);
  }
  if (typeof k === 'bigint') return k.toString();
  if (typeof k === 'number' && Number.isInteger(k)) return String(k);
  throw new ParamError(CLIENT_ERROR, `primary key ${String(k)} is not an integer`);
}

export class Collection {
  #name;
  #using;
  #schema;
  #cache = { id: -1, ptr: 0, info: null };

  /**
   * Opens collection `name`, or creates it from `schema` (an equal schema opens it too).
   * @param {string} name
   * @param {CollectionSchema} [schema]
   * @param {{ using?: string, num_partitions?: number }} [options]
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
    this.#using = options.using ?? 'default';
    const store = connections._store(this.#using);
    const found = withStrings([name], (c, _s, [p, n]) => c.exports._pt_wasm_collection_find(store, p, n) >>> 0);
    if (!schema) {
      if (!found)
        throw new SchemaNotReadyException(CLIENT_ERROR, `Collection '${name}' not exist, or you can pass in schema to create one.`);
    } else {
      withStrings([name, JSON.stringify(schema.toCoreJSON())], (c, _s, [np, nn], [sp, sn]) => {
        const s = c.exports._pt_wasm_schema_from_json(sp, sn) >>> 0;
        if (!s) throw c.lastError();
        try {
          const coll = c.exports._pt_wasm_collection_create(store, np, nn, s, options.num_partitions ?? 0, CREATE_ORM) >>> 0;
          if (!coll) throw c.lastError();
        } finally {
          c.exports._pt_wasm_schema_free(s);
        }
      });
    }
    this.#schema = schema ?? CollectionSchema.fromCore(this._describe().schema);
  }

  // ---- internals shared with Partition -------------------------------------------------

  /** The collection's pointer and schema facts; throws when it no longer exists. */
  _handle() {
    const c = core();
    const store = connections._store(this.#using);
    const ptr = withStrings([this.#name], (cc, _s, [p, n]) => cc.exports._pt_wasm_collection_find(store, p, n) >>> 0);
    if (!ptr)
      throw new MilvusException(100, `can't find collection[database=default][collection=${this.#name}]`);
    const id = c.exports._pt_wasm_collection_id(ptr);
    if (this.#cache.id !== id) this.#cache = { id, ptr, info: schemaInfo(this._describeAt(ptr).schema) };
    this.#cache.ptr = ptr;
    return this.#cache;
  }

  _describeAt(ptr) {
    const c = core();
    const out = c.exports._pt_wasm_collection_describe(ptr) >>> 0;
    if (!out) throw new MilvusException(65535, 'out of memory describing a collection');
    try {
      return JSON.parse(c.cString(out));
    } finally {
      c.free(out);
    }
  }

  _describe() {
    return this._describeAt(this._handle().ptr);
  }

  /** insert / upsert into a partition (null: _default). */
  _write(opName, data, partition, options = {}) {
    checkTimeout(options);
    const h = this._handle();
    const op = OP[opName];
    const batch = transcribe(h.info, data, op);
    return withStrings([partition ?? null], (c, scope, [pp, pl]) => {
      const batchPtr = writeBatch(c, scope, batch);
      const res = scope.alloc(c.layout.pt_mutation_result.size);
      const st = c.exports._pt_wasm_write(h.ptr, pp, pl, op, batchPtr, 0, res);
      if (st !== 0) throw nameField(c.lastError(), h.info);
      try {
        return readMutationResult(c, res, true);
      } finally {
        c.exports._pt_wasm_mutation_result_clear(res);
      }
    });
  }

  _delete(expr, partition, options = {}) {
    checkTimeout(options);
    if (typeof expr !== 'string')
      throw new ParamError(CLIENT_ERROR, `The type of expr must be string ,but ${typeof expr} is given.`);
    const h = this._handle();
    return withStrings([partition ?? null, expr], (c, scope, [pp, pl], [ep, el]) => {
      const res = scope.alloc(c.layout.pt_mutation_result.size);
      c.check(c.exports._pt_wasm_delete(h.ptr, pp, pl, ep, el, res));
      try {
        return readMutationResult(c, res, false);
      } finally {
        c.exports._pt_wasm_mutation_result_clear(res);
      }
    });
  }

  _query(expr, options = {}, partitionNames) {
    checkTimeout(options);
    const h = this._handle();
    const request = { expr };
    if (options.output_fields !== undefined && options.output_fields !== null) request.output_fields = options.output_fields;
    const parts = partitionNames ?? options.partition_names;
    if (parts !== undefined && parts !== null) request.partition_names = parts;
    if (options.limit !== undefined && options.limit !== null) request.limit = options.limit;
    if (options.offset !== undefined && options.offset !== null) request.offset = options.offset;
    return withStrings([JSON.stringify(request)], (c, _s, [p, n]) => {
      const rows = c.exports._pt_wasm_query(h.ptr, p, n) >>> 0;
      if (!rows) throw c.lastError();
      try {
        return readRows(c, rows);
      } finally {
        c.exports._pt_wasm_rows_free(rows);
      }
    });
  }

  _get(ids, options = {}, partitionNames) {
    const h = this._handle();
    const pk = h.info.fields[h.info.primary];
    const list = Array.isArray(ids) || ArrayBuffer.isView(ids) ? Array.from(ids) : [ids];
    const isString = pk.dtype === DataType.VARCHAR;
    const expr = `${pk.name} in [${list.map((k) => keyLiteral(k, isString)).join(', ')}]`;
    return this._query(expr, { ...options, limit: undefined, offset: undefined }, partitionNames);
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
    return core().exports._pt_wasm_num_entities(this._handle().ptr, 0, 0, 0);
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
    const h = this._handle();
    return withStrings([name], (c, _s, [p, n]) => c.exports._pt_wasm_partition_exists(h.ptr, p, n) === 1);
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
    checkName(name, 'partition');
    checkTimeout(options);
    const h = this._handle();
    withStrings([name], (c, _s, [p, n]) => c.check(c.exports._pt_wasm_partition_drop(h.ptr, p, n)));
  }

  /** Drops the collection and its data. */
  drop(options = {}) {
    checkTimeout(options);
    const store = connections._store(this.#using);
    withStrings([this.#name], (c, _s, [p, n]) => c.check(c.exports._pt_wasm_collection_drop(store, p, n)));
  }

  /** @returns {Promise<import('./results.js').MutationResult>} */
  async insert(data, options = {}) {
    return this._write('insert', data, options.partition_name, options);
  }

  /** @returns {Promise<import('./results.js').MutationResult>} */
  async upsert(data, options = {}) {
    return this._write('upsert', data, options.partition_name, options);
  }

  async delete(expr, options = {}) {
    return this._delete(expr, options.partition_name, options);
  }

  async query(expr, options = {}) {
    return this._query(expr, options);
  }

  async get(ids, options = {}) {
    return this._get(ids, options);
  }

  /** Resolves when everything mutated before it is durable where it is going (nothing is
   * pending in the embedded store). */
  async flush(options = {}) {
    checkTimeout(options);
    this._handle();
  }

  /** Collections are always loaded in the embedded store; kept for pymilvus code. */
  async load(options = {}) {
    checkTimeout(options);
    this._handle();
  }

  async release(options = {}) {
    checkTimeout(options);
    this._handle();
  }

  toString() {
    return `<Collection>:\n-------------\n<name>: ${this.#name}\n<description>: ${this.description}\n<schema>: ${JSON.stringify(this.#schema)}`;
  }
}

/** Schema facts the marshaller needs, from the core's description. */
function schemaInfo(d) {
  const fields = d.fields.map((f, index) => ({ ...f, index }));
  return {
    fields,
    fieldIndex: new Map(fields.map((f) => [f.name, f.index])),
    primary: fields.findIndex((f) => f.is_primary),
    enable_dynamic_field: d.enable_dynamic_field,
  };
}

/** The core reports a field index; exceptions carry its name. */
function nameField(e, info) {
  if (typeof e.field === 'number') e.field = e.field < info.fields.length ? info.fields[e.field].name : '$meta';
  return e;
}

_registerCollection(Collection);
