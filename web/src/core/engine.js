// engine.js — the one place where JavaScript meets the WebAssembly core.
//
// This module is the JS side of the boundary described in web/pt_wasm.c, after duckdb-wasm's
// bindings class: it alone calls the `_pt_wasm_*` exports and reads or writes linear memory.
// It reads the constants and struct layouts the core reports at init (no code or offset is
// written down twice), moves strings and buffers in and out of linear memory, turns the core's
// pt_error into exceptions, and owns what every face would otherwise keep for itself: the
// stores, the lookup of a collection by name and the cache of its description, and the readers
// of what comes back (mutation results, rows, hits, JSON text).
//
// The faces (orm/: pymilvus's Collection and friends; server/: Milvus REST v2) are thin: they
// read their dialect's arguments, transcribe them (marshal.js) and call one operation here:
//   schemas      checkField, describeSchema, runAnalyzer
//   stores       openStore, closeStore, listCollections
//   collections  hasCollection, find, resolve, describe, createCollection, dropCollection,
//                numEntities
//   indexes      createIndex, dropIndex, describeIndex
//   partitions   createPartition, dropPartition, hasPartition
//   data         write (a transcribed batch), writeJson (REST rows), delete, queryRows,
//                queryJson, searchHits, searchJson, save, load, compact
//   memory       setMemoryLimit, memoryLimit, memoryUsage, relieved; and jsonMember (a REST
//                body checked whole by the core)
//
// Re-entrancy: a face reads every value of its caller first (the caller's code may run then: a
// getter, a Proxy, toJSON), and only then calls an operation. Each operation resolves the
// collection by name itself (resolve), checks that it is still the collection the values were
// read against (`expected`), and calls the core with none of the caller's code in between. A
// collection dropped meanwhile gets Milvus's collection-not-found error (code 100).
//
// Memory may grow on any allocation, which replaces the views over it: every view is taken
// after the last allocation of a step, and passed to the loops that use it as an argument
// (optimised code that read them from the module object would be thrown away at each growth).

import { DTYPE_CODES, DataType, bindDtypeClasses } from './dtype.js';
import { FIELD_OP_CODES } from './fieldop.js';
import { FUNCTION_CODES } from './functiontype.js';
import { Code, EXCEPTION_CLASSES, MilvusException, MilvusMemoryError, ParamError } from './errors.js';
import { MutationResult, assembleHits, assembleRows, fixedValues, indexList, int64Value, textValues } from './results.js';
import { typedBytes, typedKind, typedLength } from './typed.js';

const encoder = new TextEncoder();
// ignoreBOM: a value that starts with U+FEFF keeps it (the default decoder drops it as a byte
// order mark, so a VARCHAR written as '\uFEFFx' read back as 'x')
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

// The core's codes, set once when the engine starts (pt_wasm_constants): for the writers below.
let IN = null; // pt_input_kind
let CELL = null; // pt_cell_state
let IN_BYTES = null; // bytes per value of the fixed-width input kinds

let current = null;

// A DataView over linear memory, renewed after growth (memory grows on any allocation).
let viewBuffer = null;
let view = null;
function dataView(M) {
  const buf = M.HEAPU8.buffer;
  if (buf !== viewBuffer) {
    viewBuffer = buf;
    view = new DataView(buf);
  }
  return view;
}

/** Starts the engine over a loaded Emscripten module (loader.js, once). */
export function startEngine(M) {
  current = new Engine(M);
  return current;
}

/** The engine; throws when init() has not completed. */
export function engine() {
  if (!current)
    throw new MilvusException(Code.CLIENT, 'partita is not initialised: call `await init()` before using the API');
  return current;
}

/** True once init() has completed. */
export function isInitialized() {
  return current !== null;
}

/**
 * Memory of the WebAssembly core: `used`, bytes its allocator holds now (every store, row,
 * index and pending result), `heap`, the size of linear memory (it grows, never shrinks), and
 * `cold`, bytes of rows a durable store with coldVectors dropped from memory (they are in its
 * checkpoint file, read back when a call needs them).
 */
export function memoryUsage() {
  return engine().memoryUsage();
}

/**
 * The tables JS has before init() (DataType in dtype.js, the error codes in errors.js) against
 * the core's: they must agree, or the engine does not start.
 */
export function checkMirrors(constants) {
  mirror(DTYPE_CODES, constants.dtype, 'DataType.');
  mirror(FIELD_OP_CODES, constants.field_op, 'FieldOpType.');
  mirror(FUNCTION_CODES, constants.function, 'FunctionType.');
  mirror(Code, constants.code, 'error code ');
}

/** A JS table of names → codes against the core's: the same names, each with the same code. */
function mirror(js, core, label) {
  for (const [name, code] of Object.entries(core))
    if (js[name] !== code) throw new MilvusException(Code.CLIENT, `${label}${name} is ${js[name]} in JS but ${code} in the core`);
  for (const name of Object.keys(js))
    if (!Object.hasOwn(core, name)) throw new MilvusException(Code.CLIENT, `${label}${name} is not one of the core's`);
}

/** A store: the collections of one connection (its handle is the engine's alone). */
class Store {
  constructor(ptr, serial) {
    this.ptr = ptr; // 0 once closed
    /** Which store of the program it is: a closed store's pointer and its collections' ids may
     * be given again to a new store, so a collection is known by (serial, id). */
    this.serial = serial;
    /** Collections resolved so far, by id: their schema facts (a collection's schema never
     * changes; a dropped one's id is never given again). */
    this.collections = new Map();
    /** The same, by name, while the store's generation (pt_store_generation) is `generation`:
     * no collection was created, dropped or loaded since, so their handles are still valid. */
    this.names = new Map();
    this.generation = -1;
    /** Where rows the core dropped from memory (coldDrop) are read back from:
     * read(checkpointId, offset, into: Uint8Array), or null. */
    this.coldSource = null;
    /** Where the store's mutation log goes (a durable store: persist/durable.js), or null:
     * { append(bytes) } is called with the records of each mutation before the call returns
     * (a copy it may keep), or, when the log has it, appendNow(bytes) with a view of them in
     * the core's memory, valid during that call only (a log that writes them at once, keeping
     * nothing: no copy); and `broken` (an error) once it failed: the store then refuses
     * mutations. */
    this.log = null;
  }
}

let storeSerials = 0;

/** A write that is neither a merge nor carries field operations. */
const NO_MERGE = Object.freeze({ merge: false, fieldOps: Object.freeze([]) });

/** A store's handle; a closed one is never handed to the core (connections give a closed
 * store's alias a new one, so only a face that kept one across its caller's code holds it). */
function open(store) {
  if (!store.ptr) throw new MilvusException(Code.UNEXPECTED, 'the store of this connection was closed (remove_connection) while the call was being made');
  return store.ptr;
}

/**
 * A collection as the engine resolved it. Made by one object literal, so every collection's
 * facts share one hidden class.
 */
function collectionFacts(store, id, name, ptr, schema, maxRows) {
  return {
    key: `${store.serial}:${id}`, // names one collection of the program
    id,
    name,
    ptr, // valid until the caller's code runs again: the engine's alone
    schema, // the core's description of the schema
    pk: schema.fields.find((f) => f.is_primary),
    info: schemaInfo(schema, maxRows), // what the marshaller reads values against
  };
}

/**
 * A field as the marshaller and the search path see it. Every field of every collection has the
 * same properties, made by one object literal, so they share one hidden class, and that class
 * outlives the collections (the literal's boilerplate holds it): code the engine optimised on
 * one collection's fields keeps running on the next one's, even after a full garbage
 * collection at a moment when no collection was alive. An object spread of the description gave
 * maps that differed by field type and between two collections of one schema, and a class's
 * instances lose their hidden class when the last one dies; either deoptimised the row
 * transcription in the middle of the next load.
 */
function fieldInfo(f, index) {
  return {
    name: f.name,
    dtype: f.dtype,
    index,
    dim: f.dim ?? 0, // vector fields
    is_primary: f.is_primary === true,
    auto_id: f.auto_id === true,
  };
}

/** Schema facts the marshaller needs, from the core's description of a schema; `maxRows`: the
 * most rows a batch may have (the core refuses more unread). */
function schemaInfo(d, maxRows) {
  const fields = d.fields.map((f, index) => fieldInfo(f, index));
  return {
    fields,
    fieldIndex: new Map(fields.map((f) => [f.name, f.index])),
    primary: fields.findIndex((f) => f.is_primary),
    enable_dynamic_field: d.enable_dynamic_field,
    allow_insert_auto_id: d.properties?.allow_insert_auto_id === true,
    maxRows,
  };
}

/** The core reports a field index; exceptions carry its name. */
function nameField(e, info) {
  if (typeof e.field === 'number') e.field = e.field < info.fields.length ? info.fields[e.field].name : '$meta';
  return e;
}

class Engine {
  #M;
  #allocate = (size) => this.#alloc(size);
  #excByIndex = [];
  #statusByIndex = [];
  #op;
  #flags;
  #errorPtr;
  /** The staging block (pt_wasm_scratch) every call's arguments are laid out in: base, cap,
   * used (by the scopes open now), want (the most a call asked for that did not fit). */
  #arena = { base: 0, cap: 0, used: 0, want: 0 };

  constructor(M) {
    this.#M = M;
    /** Everything the core reports about itself: codes, limits, flags, layouts (read-only). */
    this.constants = JSON.parse(this.#cString(M._pt_wasm_constants() >>> 0, 1 << 16));
    checkMirrors(this.constants);
    this.layout = this.constants.layout;
    for (const [name, i] of Object.entries(this.constants.exception)) this.#excByIndex[i] = name;
    for (const [name, i] of Object.entries(this.constants.status)) this.#statusByIndex[i] = `PT_${name}`;
    this.#op = { insert: this.constants.op.INSERT, upsert: this.constants.op.UPSERT };
    this.#flags = this.constants.flags;
    IN = this.constants.input;
    CELL = this.constants.cell;
    IN_BYTES = Object.fromEntries(Object.entries(this.constants.input_bytes).map(([name, size]) => [IN[name], size]));
    bindDtypeClasses(this.constants.dtype_class);
    this.#errorPtr = M._pt_wasm_error() >>> 0;
    this.#growScratch(SCRATCH_START);
  }

  // ---- memory ---------------------------------------------------------------------------

  /** A DataView over linear memory, renewed after growth. */
  get #view() {
    return dataView(this.#M);
  }

  /** Caps what the core allocates (bytes; 0: none); returns the cap now in force. */
  setMemoryLimit(bytes) {
    this.#M._pt_wasm_set_memory_limit(bytes);
    return this.memoryLimit();
  }

  memoryLimit() {
    return this.#M._pt_wasm_memory_limit();
  }

  memoryUsage() {
    return { used: this.#M._pt_wasm_memory_used(), heap: this.#M.HEAPU8.length, cold: this.#M._pt_wasm_cold_bytes() };
  }

  #alloc(size) {
    // sizes are passed as u32: a larger one must not wrap around to a small allocation
    if (!(size >= 0 && size <= 0xffffffff)) throw this.#allocError(size);
    const p = this.#M._pt_wasm_alloc(size) >>> 0;
    if (!p) throw this.#allocError(size);
    return p;
  }

  #free(ptr) {
    if (ptr) this.#M._pt_wasm_free(ptr);
  }

  /** The error for a failed allocation of `size` bytes: the memory ceiling's, or out of memory. */
  #allocError(size) {
    const limit = this.#M._pt_wasm_memory_limit(), used = this.#M._pt_wasm_memory_used();
    if (limit > 0 && used + size > limit) return this.#quotaError(limit, used);
    return new MilvusMemoryError(Code.UNEXPECTED, `out of memory: could not allocate ${size} bytes in the WebAssembly heap`, { status: this.#nomem() });
  }

  /** The error for a core call that returned nothing because memory ran out, `what` doing. */
  #nomemError(what) {
    const limit = this.#M._pt_wasm_memory_limit();
    if (limit > 0) return this.#quotaError(limit, this.#M._pt_wasm_memory_used());
    return new MilvusMemoryError(Code.UNEXPECTED, `out of memory ${what}`, { status: this.#nomem() });
  }

  #quotaError(limit, used) {
    return new MilvusMemoryError(Code.QUOTA_EXCEEDED, `memory quota exceeded, please allocate more resources: quota exceeded[limit=${limit} bytes][used=${used} bytes]`, { status: this.#nomem() });
  }

  #nomem() {
    return this.#statusByIndex[this.constants.status.NOMEM];
  }

  /** Reads a NUL-terminated UTF-8 string. */
  #cString(ptr, max = 1 << 30) {
    const u8 = this.#M.HEAPU8;
    let end = ptr, ascii = true;
    for (; end < ptr + max && u8[end] !== 0; end++) ascii &&= u8[end] < 0x80;
    // a short ASCII string (a field name) without a call into TextDecoder, which costs more
    if (ascii && end - ptr <= 64) return String.fromCharCode.apply(null, u8.subarray(ptr, end));
    return decoder.decode(u8.subarray(ptr, end));
  }

  /** A NUL-terminated string the core allocated (JSON text), read and freed; `what` names the
   * work in the error when the core had no memory for it. */
  #takeString(ptr, what) {
    if (!ptr) throw what === null ? this.lastError() : this.#nomemError(what);
    try {
      return this.#cString(ptr);
    } finally {
      this.#free(ptr);
    }
  }

  /** Copies `len` bytes out of linear memory into a fresh, aligned ArrayBuffer. */
  #copyOut(ptr, len) {
    return this.#M.HEAPU8.slice(ptr, ptr + len).buffer;
  }

  /**
   * Runs fn (synchronous) in the core's relief (pt_memory_relief): for operations that free
   * memory (drops, delete, compact), whose arguments and work may then pass the memory ceiling
   * by a bounded amount, so that a store at its ceiling can always shrink.
   */
  relieved(fn) {
    this.#M._pt_wasm_memory_relief(1);
    try {
      return fn();
    } finally {
      this.#M._pt_wasm_memory_relief(0);
    }
  }

  /**
   * Runs fn; when the core answers PT_COLD (it needs rows coldDrop dropped from memory, and
   * changed nothing), reads them back through the store's coldSource and runs fn again.
   */
  #cold(store, fn) {
    for (let round = 0; ; round++) {
      try {
        return fn();
      } catch (e) {
        if (e?.status !== 'PT_COLD' || round >= 8) throw e;
        this.#readBack(store);
      }
    }
  }

  /** Reads back what the last PT_COLD of `store` waits for (pt_store_cold_reads), all or none. */
  #readBack(store) {
    const M = this.#M;
    this.#scoped((scope) => {
      const out = scope.alloc(32);
      const n = M._pt_wasm_cold_reads(open(store), 0, out);
      if (n < 0) throw this.lastError();
      let ok = 0;
      try {
        if (!store.coldSource)
          throw new MilvusException(Code.UNEXPECTED, 'rows of this store are not in memory and it has no source to read them back from');
        for (let i = 0; i < n; i++) {
          M._pt_wasm_cold_reads(store.ptr, i, out);
          const [id, at, len, dst] = [0, 1, 2, 3].map((k) => this.#view.getFloat64(out + 8 * k, true));
          if (len > 0) store.coldSource(id, at, M.HEAPU8.subarray(dst, dst + len));
        }
        ok = 1;
      } finally {
        const st = M._pt_wasm_cold_done(store.ptr, ok);
        if (ok && st !== this.constants.status.OK) throw this.lastError(); // eslint-disable-line no-unsafe-finally
      }
    });
  }

  /** Sets where `store`'s cold rows are read back from (see Store.coldSource). */
  setColdSource(store, read) {
    open(store);
    store.coldSource = read;
  }

  /** coldDrop for every FLOAT_VECTOR field of every collection of `store`; the bytes given back. */
  coldDropAll(store, id) {
    let freed = 0;
    for (const name of this.listCollections(store))
      for (const f of this.resolve(store, name).schema.fields)
        if (f.dtype === DataType.FLOAT_VECTOR) freed += this.coldDrop(store, name, f.name, id);
    return freed;
  }

  /** Drops from memory the rows of vector field `field` of a collection that checkpoint `id`
   * (the store's last, now durable) holds and its index searches without (src/cold.c says
   * which); returns the bytes given back. */
  coldDrop(store, name, field, id) {
    return this.#scoped((scope) => {
      const [p, n] = scope.string(field);
      const freed = this.#M._pt_wasm_cold_drop(this.resolve(store, name).ptr, p, n, id);
      if (freed < 0) throw this.lastError();
      return freed;
    });
  }

  /**
   * Runs fn(scope) with a scope for temporary allocations, freed together afterwards. They are
   * laid out in the staging block, so a call makes no allocation of its own; what does not fit
   * is allocated apart (and freed), and the block is grown for the next call, up to
   * SCRATCH_KEEP (a larger batch allocates apart each time).
   */
  #scoped(fn) {
    const scope = new Scope(this.#M, this.#allocate, this.#arena);
    try {
      return fn(scope);
    } finally {
      scope.release();
      const a = this.#arena;
      if (a.used === 0 && a.want > a.cap && a.want <= SCRATCH_KEEP) this.#growScratch(Math.min(SCRATCH_KEEP, a.want * 1.5));
      a.want = 0;
    }
  }

  /** Replaces the staging block by one of `size` bytes (none when memory ran out). */
  #growScratch(size) {
    const a = this.#arena;
    a.base = this.#M._pt_wasm_scratch(Math.ceil(size)) >>> 0;
    a.cap = a.base ? Math.ceil(size) : 0;
  }

  // ---- errors -----------------------------------------------------------------------------

  /** The core's last error as the matching exception. */
  lastError() {
    const L = this.layout.pt_error;
    const base = this.#errorPtr;
    const dv = this.#view;
    const status = dv.getInt32(base + L.status, true);
    const code = dv.getInt32(base + L.code, true);
    const exc = dv.getInt32(base + L.exc, true);
    const row = Number(dv.getBigInt64(base + L.row, true));
    const field = dv.getInt32(base + L.field, true);
    const exprOffset = dv.getInt32(base + L.expr_offset, true);
    const exprLength = dv.getInt32(base + L.expr_length, true);
    const message = this.#cString(base + L.message, L.size - L.message);
    const Cls = EXCEPTION_CLASSES[this.#excByIndex[exc]] ?? MilvusException;
    const statusName = this.#statusByIndex[status] ?? `PT_${status}`;
    const details = { status: statusName };
    if (row >= 0) details.row = row;
    if (field >= 0) details.field = field;
    if (exprOffset >= 0) {
      details.expr_offset = exprOffset;
      details.expr_length = exprLength;
    }
    if (status === this.constants.status.NOMEM) return new MilvusMemoryError(code, message, details);
    return new Cls(code, message, details);
  }

  /** Throws the last error unless `status` is PT_OK. */
  #check(status) {
    if (status !== this.constants.status.OK) throw this.lastError();
  }

  // ---- schemas ----------------------------------------------------------------------------

  /** Runs pymilvus's checks of one FieldSchema (its JSON text); throws their exception. */
  checkField(text) {
    this.#scoped((scope) => {
      const [p, n] = scope.string(text);
      this.#check(this.#M._pt_wasm_field_check(p, n));
    });
  }

  /** Milvus's rule for a database name (the core's, code 802); throws its error. */
  checkDatabaseName(name) {
    this.#scoped((scope) => {
      const [p, n] = scope.string(name);
      this.#check(this.#M._pt_wasm_database_name_check(p, n));
    });
  }

  /** Milvus's run_analyzer over one text: its tokens (strings, or with detail / hash objects).
   * `params` is analyzer_params as JSON text ('' for the standard analyzer). */
  runAnalyzer(params, text, detail, hash) {
    return this.#scoped((scope) => {
      const [pp, pn] = scope.string(params);
      const [tp, tn] = scope.string(text);
      return JSON.parse(this.#takeString(this.#M._pt_wasm_run_analyzer(pp, pn, tp, tn, detail ? 1 : 0, hash ? 1 : 0) >>> 0, null));
    });
  }

  /** Checks a CollectionSchema (its JSON text) and returns the core's description of it, with
   * primary_field and auto_id applied. */
  describeSchema(text) {
    return this.#scoped((scope) => {
      const [p, n] = scope.string(text);
      const schema = this.#M._pt_wasm_schema_from_json(p, n) >>> 0;
      if (!schema) throw this.lastError();
      try {
        return JSON.parse(this.#takeString(this.#M._pt_wasm_schema_to_json(schema) >>> 0, 'describing a schema'));
      } finally {
        this.#M._pt_wasm_schema_free(schema);
      }
    });
  }

  // ---- stores -----------------------------------------------------------------------------

  /** Opens an empty in-memory store. */
  openStore() {
    const ptr = this.#M._pt_wasm_store_open() >>> 0;
    if (!ptr) throw this.lastError();
    return new Store(ptr, ++storeSerials);
  }

  /** Closes a store and every collection in it. */
  closeStore(store) {
    if (!store.ptr) return;
    const ptr = store.ptr;
    store.ptr = 0;
    store.collections.clear();
    store.names.clear();
    this.#M._pt_wasm_store_close(ptr);
  }

  /** The names of a store's collections. */
  listCollections(store) {
    return JSON.parse(this.#takeString(this.#M._pt_wasm_store_list(open(store)) >>> 0, 'listing collections'));
  }

  // ---- collections ------------------------------------------------------------------------

  /** The pointer of collection `name` in `store` now, or 0. */
  #find(store, name) {
    if (!store.ptr) return 0;
    return this.#scoped((scope) => {
      const [p, n] = scope.string(name);
      return this.#M._pt_wasm_collection_find(store.ptr, p, n) >>> 0;
    });
  }

  /** Whether `store` has a collection called `name` (without describing it). */
  hasCollection(store, name) {
    return this.#find(store, name) !== 0;
  }

  /**
   * Collection `name` of `store` now (its facts: key, id, name, schema, pk, info), or null.
   * Without a call into the core while no collection of the store was created, dropped or
   * loaded since it was last found (the store's generation, read from its memory).
   */
  find(store, name) {
    if (!store.ptr) return null;
    const generation = this.#view.getUint32(store.ptr + this.layout.pt_store.generation, true);
    if (generation !== store.generation) {
      store.names.clear();
      store.generation = generation;
    }
    const known = store.names.get(name);
    if (known !== undefined) return known;
    const facts = this.#findNow(store, name);
    if (facts !== null) store.names.set(name, facts);
    return facts;
  }

  #findNow(store, name) {
    const ptr = this.#find(store, name);
    if (!ptr) return null;
    const id = this.#M._pt_wasm_collection_id(ptr);
    let facts = store.collections.get(id);
    if (facts === undefined) {
      // described once per collection: the schema of a collection never changes
      const d = this.#describe(ptr);
      facts = collectionFacts(store, id, name, ptr, d.schema, this.#M._pt_wasm_collection_max_rows(ptr));
      store.collections.set(id, facts);
    }
    facts.ptr = ptr;
    return facts;
  }

  /**
   * Resolves collection `name` of `store` now and returns its facts. Throws Milvus's
   * collection-not-found error (code 100) when there is none; and when `expected`, the facts
   * the caller's values were read against, are not this collection's (it was dropped, and
   * perhaps created again, while they were read).
   */
  resolve(store, name, expected = null) {
    const facts = this.find(store, name);
    if (expected && (facts === null || facts.key !== expected.key))
      throw new MilvusException(Code.COLLECTION_NOT_FOUND, `can't find collection[database=default][collection=${name}]: it was dropped ` +
        'while the values of this call were being read (by a getter, toJSON or a Proxy?); nothing was done');
    if (facts === null) throw new MilvusException(Code.COLLECTION_NOT_FOUND, `can't find collection[database=default][collection=${name}]`);
    return facts;
  }

  #describe(ptr) {
    return JSON.parse(this.#takeString(this.#M._pt_wasm_collection_describe(ptr) >>> 0, 'describing a collection'));
  }

  /** The core's description of a collection now: name, schema, partitions (with live counts). */
  describe(store, name, expected = null) {
    return this.#describe(this.resolve(store, name, expected).ptr);
  }

  /**
   * Creates collection `name` in `store` from a schema's JSON text, with `numPartitions`
   * partition-key buckets. `orm`: pymilvus's Collection() rules (an equal schema opens an
   * existing collection), else Milvus's CreateCollection's.
   */
  createCollection(store, name, schemaText, numPartitions, orm) {
    this.#mutating(store, () => this.#scoped((scope) => {
      const [np, nn] = scope.string(name);
      const [sp, sn] = scope.string(schemaText);
      const M = this.#M;
      const s = M._pt_wasm_schema_from_json(sp, sn) >>> 0;
      if (!s) throw this.lastError();
      try {
        const coll = M._pt_wasm_collection_create(open(store), np, nn, s, numPartitions, orm ? this.#flags.CREATE_ORM : 0) >>> 0;
        if (!coll) throw this.lastError();
      } finally {
        M._pt_wasm_schema_free(s);
      }
    }));
  }

  /** Drops collection `name` and its data; returns the key of the collection dropped (null when
   * there was none). */
  dropCollection(store, name) {
    return this.#mutating(store, () => this.relieved(() => this.#scoped((scope) => {
      const [p, n] = scope.string(name);
      const M = this.#M;
      const ptr = M._pt_wasm_collection_find(open(store), p, n) >>> 0;
      const id = ptr ? M._pt_wasm_collection_id(ptr) : null;
      this.#check(M._pt_wasm_collection_drop(store.ptr, p, n));
      if (id === null) return null;
      store.collections.delete(id);
      return `${store.serial}:${id}`;
    })));
  }

  /**
   * Renames collection `from` to `to`: its snapshot is restored under the new name, then the old
   * one is dropped (the data is copied once; a failure leaves the collection as it was). Milvus's
   * errors for a collection that does not exist and for a name taken. Returns the facts of the
   * collection under its new name.
   */
  renameCollection(store, from, to, taken = () => false) {
    this.resolve(store, from);
    if (this.hasCollection(store, to) || taken(to))
      throw new MilvusException(Code.PARAMETER_INVALID, `duplicated new collection name ${to} with other collection name or alias`);
    this.load(store, this.save(store, from), to);
    this.dropCollection(store, from);
    return this.resolve(store, to);
  }

  /** Live entities of a collection, or of one of its partitions. */
  numEntities(store, name, partition = null) {
    const h = this.resolve(store, name);
    if (partition === null) return this.#M._pt_wasm_num_entities(h.ptr, 0, 0, 0);
    return this.#scoped((scope) => {
      const [p, n] = scope.string(partition);
      return this.#M._pt_wasm_num_entities(h.ptr, p, n, 1);
    });
  }

  // ---- indexes (vindex.c: one path for every face) ---------------------------------------

  /** Creates an index (pt_collection_create_index): `request` is its JSON text ({ field_name,
   * index_name, index_type, metric_type, params }); the index is built before it returns. */
  createIndex(store, name, request) {
    this.#mutating(store, () => this.#cold(store, () => this.#scoped((scope) => {
      const [p, n] = scope.string(request);
      this.#check(this.#M._pt_wasm_create_index(this.resolve(store, name).ptr, p, n));
    })));
  }

  /** Drops the index a request names ({ field_name, index_name }, JSON text). */
  dropIndex(store, name, request) {
    this.#mutating(store, () => this.relieved(() => this.#scoped((scope) => {
      const [p, n] = scope.string(request);
      this.#check(this.#M._pt_wasm_drop_index(this.resolve(store, name).ptr, p, n));
    })));
  }

  /** The indexes a request names ({ field_name, index_name }, JSON text; neither: all), as the
   * core describes them: [{ index_name, field_name, index_type, metric_type, params,
   * indexed_rows, total_rows, pending_index_rows, state, index_state_fail_reason }]. */
  describeIndex(store, name, request) {
    return this.#scoped((scope) => {
      const [p, n] = scope.string(request);
      return JSON.parse(this.#takeString(this.#M._pt_wasm_describe_index(this.resolve(store, name).ptr, p, n) >>> 0, null));
    });
  }

  /** As describeIndex, but [] where it answers Milvus's index-not-found (code 700): the
   * indexes of a collection (request '{}': all), for the faces that list them. */
  indexes(store, name, request = '{}') {
    try {
      return this.describeIndex(store, name, request);
    } catch (e) {
      if (e.code === 700) return [];
      throw e;
    }
  }

  // ---- partitions -------------------------------------------------------------------------

  /** Creates a partition (an existing one is kept). */
  createPartition(store, name, partition, expected = null) {
    this.#mutating(store, () => this.#scoped((scope) => {
      const [p, n] = scope.string(partition);
      this.#check(this.#M._pt_wasm_partition_create(this.resolve(store, name, expected).ptr, p, n));
    }));
  }

  /** Drops a partition and its data; returns whether it existed. */
  dropPartition(store, name, partition) {
    return this.#mutating(store, () => this.relieved(() => this.#scoped((scope) => {
      const [p, n] = scope.string(partition);
      const h = this.resolve(store, name);
      const had = this.#M._pt_wasm_partition_exists(h.ptr, p, n) === 1;
      this.#check(this.#M._pt_wasm_partition_drop(h.ptr, p, n));
      return had;
    })));
  }

  /** `values` (a Float32Array) as IEEE halves (`bf16` false) or bfloat16s, little-endian bytes,
   * rounded as the core rounds a vector written to a FLOAT16 / BFLOAT16 field. */
  toHalves(values, bf16) {
    return this.#scoped((scope) => {
      const inp = scope.bytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      const out = scope.alloc(values.length * 2);
      this.#M._pt_wasm_to_halves(inp, values.length, bf16 ? 1 : 0, out);
      return new Uint8Array(this.#copyOut(out, values.length * 2));
    });
  }

  /** The metric a search of vector field `field` of collection `name` takes when it names none
   * (its index's, else the field type's default: the core's rule), or null when it has no such
   * field. */
  searchMetric(store, name, field) {
    return this.#scoped((scope) => {
      const [p, n] = scope.string(field);
      const m = this.#M._pt_wasm_search_metric(this.resolve(store, name).ptr, p, n) >>> 0;
      return m ? this.#cString(m) : null;
    });
  }

  hasPartition(store, name, partition) {
    return this.#scoped((scope) => {
      const [p, n] = scope.string(partition);
      return this.#M._pt_wasm_partition_exists(this.resolve(store, name).ptr, p, n) === 1;
    });
  }

  // ---- writes -----------------------------------------------------------------------------

  /**
   * Writes a batch transcribed by marshal.transcribe (against `expected`'s facts) into a
   * partition (null: _default): `op` is 'insert' or 'upsert'. Returns { result (the
   * MutationResult), rows (with `rowsJson`: the rows as REST JSON, { rows, offsets }, or null
   * when out of memory), info }. The transcription's buffers are released whatever happens.
   *
   * Every buffer is allocated first (memory may grow on any allocation), then every value is
   * written once into linear memory: a float vector column straight into the storage the core
   * will keep it in (pt_wasm_stage), so the core does not copy it again.
   */
  write(store, name, expected, partition, op, batch, rowsJson, merge = NO_MERGE) {
    try {
      return this.#mutating(store, () => this.#cold(store, () => this.#scoped((scope) => {
        const M = this.#M;
        const h = this.resolve(store, name, expected);
        const [pp, pl] = partition === null ? [0, 0] : scope.string(partition);
        const split = scope.alloc(8); // pt_wasm_stage's head_rows and tail
        const stage = (field, n, p) => {
          p.values = M._pt_wasm_stage(h.ptr, pp, pl, field, n, split) >>> 0;
          if (p.values) [p.headRows, p.tail] = [M.HEAPU32[split >>> 2], M.HEAPU32[(split >>> 2) + 1]];
          return p.values;
        };
        const ops = this.#fieldOps(scope, merge.fieldOps);
        const batchPtr = copyBatch(M, this.layout, scope, batch, stage, ops);
        const res = this.#result(scope);
        const flags = (rowsJson ? this.#flags.ROWS_JSON : 0) | (merge.merge ? this.#flags.MERGE : 0);
        const st = M._pt_wasm_write(h.ptr, pp, pl, this.#op[op], batchPtr, flags, res);
        if (st !== this.constants.status.OK) throw nameField(this.lastError(), h.info);
        try {
          return { result: this.#mutationResult(res, true, true), rows: rowsJson ? this.#rowsJson(res) : null, info: h.info };
        } finally {
          M._pt_wasm_mutation_result_clear(res);
        }
      })));
    } finally {
      batch.release(); // the batch is copied, or failed: its buffers are free either way
    }
  }

  /**
   * Writes rows given as JSON text (a REST body's `data`, the bytes of a genuine Uint8Array)
   * into a partition (null: _default). Returns { n, keysJson }: the keys as a JSON array, int64s
   * as strings with `int64AsString`.
   */
  writeJson(store, name, expected, partition, op, data, int64AsString, merge = NO_MERGE) {
    return this.#mutating(store, () => this.#cold(store, () => this.#scoped((scope) => {
      const M = this.#M;
      const h = this.resolve(store, name, expected);
      const [pp, pl] = partition === null ? [0, 0] : scope.string(partition);
      const ops = this.#fieldOps(scope, merge.fieldOps);
      const dp = scope.bytes(data, true);
      const res = this.#result(scope);
      const flags = merge.merge ? this.#flags.MERGE : 0;
      this.#check(M._pt_wasm_write_json(h.ptr, pp, pl, this.#op[op], dp, typedLength(data), flags, ops.ptr, ops.n, res));
      try {
        return this.#keysJson(res, int64AsString);
      } finally {
        M._pt_wasm_mutation_result_clear(res);
      }
    })));
  }

  /** Deletes the rows that `expr` selects (in a partition, or all with null): the
   * MutationResult (its primary_keys read only `withKeys`). `params`: the JSON text of the
   * expression's template values (expr_params), or null. */
  delete(store, name, expected, partition, expr, { withKeys = true, params = null } = {}) {
    // deleting frees memory: it may pass the memory ceiling by the core's relief while it runs
    return this.#mutating(store, () => this.relieved(() => this.#scoped((scope) => {
      const M = this.#M;
      const [pp, pl] = partition === null ? [0, 0] : scope.string(partition);
      const [ep, el] = scope.string(expr);
      const [tp, tl] = params === null ? [0, 0] : scope.string(params);
      const h = this.resolve(store, name, expected);
      const res = this.#result(scope);
      this.#check(M._pt_wasm_delete(h.ptr, pp, pl, ep, el, tp, tl, res));
      try {
        return this.#mutationResult(res, false, withKeys);
      } finally {
        M._pt_wasm_mutation_result_clear(res);
      }
    })));
  }

  /** An upsert's field operations ([name, pt_field_op_kind] pairs) as pt_field_op structs in
   * `scope`: { ptr, n } (ptr 0 when there are none). */
  #fieldOps(scope, fieldOps) {
    if (!fieldOps.length) return { ptr: 0, n: 0 };
    const F = this.layout.pt_field_op;
    const names = fieldOps.map(([name]) => scope.string(name));
    const ptr = scope.alloc(fieldOps.length * F.size);
    const dv = this.#view; // after every allocation: memory may have grown
    fieldOps.forEach(([, kind], i) => {
      const base = ptr + i * F.size;
      dv.setUint32(base + F.name, names[i][0], true);
      dv.setUint32(base + F.name_len, names[i][1], true);
      dv.setInt32(base + F.op, kind, true);
    });
    return { ptr, n: fieldOps.length };
  }

  /** A zeroed pt_mutation_result in `scope`. */
  #result(scope) {
    const size = this.layout.pt_mutation_result.size;
    const res = scope.alloc(size);
    this.#M.HEAPU8.fill(0, res, res + size);
    return res;
  }

  /** Reads a pt_mutation_result (the caller clears it afterwards). */
  #mutationResult(ptr, withIndex, withKeys) {
    const L = this.layout.pt_mutation_result;
    const M = this.#M;
    const dv = this.#view;
    const n = Number(dv.getBigUint64(ptr + L.n_keys, true));
    const keyType = dv.getInt32(ptr + L.key_type, true);
    // filled by index, made with its length: grown by push instead, the keys of a load of rows
    // took 6-10 ms rather than 2.6-4.2 ms (a load of 100,000 rows, measured)
    const keys = new Array(withKeys ? n : 0);
    if (withKeys && n && keyType === DataType.INT64)
      decodeIntKeys(M.HEAP32, M.HEAPU32, dv, dv.getUint32(ptr + L.int_keys, true) >>> 2, n, keys);
    else if (withKeys && n && keyType === DataType.VARCHAR)
      decodeStringKeys(M.HEAPU8, M.HEAPU32, dv.getUint32(ptr + L.str_offsets, true), dv.getUint32(ptr + L.str_data, true), n, keys);
    return new MutationResult({
      insert_count: Number(dv.getBigUint64(ptr + L.insert_count, true)),
      delete_count: Number(dv.getBigUint64(ptr + L.delete_count, true)),
      upsert_count: Number(dv.getBigUint64(ptr + L.upsert_count, true)),
      timestamp: dv.getBigUint64(ptr + L.timestamp, true),
      primary_keys: keys,
      succ_index: withIndex ? indexList(n) : [],
    });
  }

  /** The rows_json of a write, copied out of linear memory: { rows, offsets }, or null. */
  #rowsJson(res) {
    const L = this.layout.pt_mutation_result;
    const dv = this.#view;
    const text = dv.getUint32(res + L.rows_json, true), offs = dv.getUint32(res + L.rows_json_offsets, true);
    if (!text || !offs) return null;
    const n = Number(dv.getBigUint64(res + L.n_keys, true));
    const offsets = new Uint32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = dv.getUint32(offs + i * 4, true);
    // new + set: about twice as fast as slice() for megabytes
    const rows = new Uint8Array(offsets[n] - 1);
    rows.set(this.#M.HEAPU8.subarray(text, text + rows.length));
    return { rows, offsets };
  }

  /** A pt_mutation_result's keys as JSON text (exact int64 digits): { n, keysJson }. */
  #keysJson(res, int64AsString) {
    const L = this.layout.pt_mutation_result;
    const dv = this.#view;
    const n = Number(dv.getBigUint64(res + L.n_keys, true));
    const keyType = dv.getInt32(res + L.key_type, true);
    const parts = new Array(n);
    const u8 = this.#M.HEAPU8;
    if (n && keyType === DataType.INT64) {
      const p = dv.getUint32(res + L.int_keys, true);
      const keys = new BigInt64Array(u8.slice(p, p + n * 8).buffer);
      for (let i = 0; i < n; i++) parts[i] = int64AsString ? `"${keys[i]}"` : keys[i].toString();
    } else if (n) {
      const offs = dv.getUint32(res + L.str_offsets, true);
      const data = dv.getUint32(res + L.str_data, true);
      for (let i = 0; i < n; i++) {
        const a = dv.getUint32(offs + i * 4, true), b = dv.getUint32(offs + i * 4 + 4, true);
        parts[i] = JSON.stringify(decoder.decode(u8.subarray(data + a, data + b)));
      }
    }
    return { n, keysJson: `[${parts.join(',')}]` };
  }

  // ---- reads ------------------------------------------------------------------------------
  //
  // A query or a search comes back as one block (pt_wasm_block: status first, then where the
  // rows, hits and distances are), read from memory with no further call; the values are copied
  // out, and the result freed by one call.

  /** A zeroed pt_wasm_block in `scope`. */
  #blockIn(scope) {
    const size = this.layout.pt_wasm_block.size;
    const b = scope.alloc(size);
    this.#M.HEAPU8.fill(0, b, b + size);
    return b;
  }

  /** Runs a query (its request as JSON text); `read(block, rowsPtr)` reads the rows before they
   * are freed. */
  #query(store, name, expected, request, read) {
    return this.#cold(store, () => this.#scoped((scope) => {
      const [p, n] = scope.string(request);
      const block = this.#blockIn(scope);
      const h = this.resolve(store, name, expected);
      if (this.#M._pt_wasm_query_block(h.ptr, p, n, block) !== this.constants.status.OK) throw this.lastError();
      const rows = this.#view.getUint32(block + this.layout.pt_wasm_block.handle, true);
      try {
        return read(block, rows);
      } finally {
        this.#M._pt_wasm_rows_free(rows);
      }
    }));
  }

  /** A query's rows as objects (dynamic keys top-level, as pymilvus gives them). */
  queryRows(store, name, expected, request) {
    return this.#query(store, name, expected, request, (block) => {
      const n = this.#view.getUint32(block + this.layout.pt_wasm_block.n_rows, true);
      return assembleRows(this.#readColumns(block, n), n);
    });
  }

  /** A query's rows as the JSON text of an array of row objects, written by the core. */
  queryJson(store, name, expected, request, int64AsString) {
    return this.#query(store, name, expected, request, (_block, rows) => this.#rowsText(rows, int64AsString));
  }

  /**
   * Runs a search: its request as JSON text, its query vectors as marshal.transcribeQueries
   * gave them (the core judges them). `read(block, resultPtr)` reads the result before it is
   * freed.
   */
  #search(store, name, expected, request, vectors, read) {
    return this.#cold(store, () => this.#scoped((scope) => {
      const [p, n] = scope.string(request);
      const vin = this.#vectorsIn(scope, vectors);
      const block = this.#blockIn(scope);
      const h = this.resolve(store, name, expected);
      if (this.#M._pt_wasm_search_block(h.ptr, p, n, vin, block) !== this.constants.status.OK) throw nameField(this.lastError(), h.info);
      const r = this.#view.getUint32(block + this.layout.pt_wasm_block.handle, true);
      try {
        return read(block, r);
      } finally {
        this.#M._pt_wasm_search_free(r);
      }
    }));
  }

  /** Query vectors (marshal.transcribeQueries) as a pt_vectors_in in `scope` (at `ptr` when given). */
  #vectorsIn(scope, v, ptr = scope.alloc(this.layout.pt_vectors_in.size)) {
    const L = this.layout.pt_vectors_in;
    const json = v.kind === IN.JSON;
    const bytes = json || v.values === null ? null : typedBytes(v.values);
    // the core reads n × width values: never more than were copied
    if (bytes && bytes.length !== v.n * v.width * IN_BYTES[v.kind]) throw changedWhileRead();
    const [tp, tn] = json && v.text !== null ? scope.string(v.text) : [0, 0];
    const vp = bytes ? scope.alloc(Math.max(1, bytes.length)) : 0;
    const cp = v.cells ? scope.alloc(v.n) : 0;
    const [gp, gn] = v.got != null ? scope.string(v.got) : [0, 0];
    // no allocation from here on: the views stay valid
    const u8 = this.#M.HEAPU8, dv = this.#view;
    u8.fill(0, ptr, ptr + L.size);
    if (bytes) u8.set(bytes, vp);
    if (cp) u8.set(v.cells, cp);
    dv.setInt32(ptr + L.kind, v.kind, true);
    dv.setUint32(ptr + L.n, v.n, true);
    dv.setUint32(ptr + L.width, json ? 0 : v.width, true);
    dv.setUint32(ptr + L.values, json ? tp : vp, true);
    dv.setUint32(ptr + L.len, tn, true);
    dv.setUint32(ptr + L.cells, cp, true);
    dv.setUint32(ptr + L.got, gp, true);
    dv.setUint32(ptr + L.got_len, gn, true);
    dv.setBigInt64(ptr + L.got_length, BigInt(json ? 0 : v.gotLength), true);
    return ptr;
  }

  /** A search block's hits per query vector, copied out (values read one by one: a search has
   * few, and a copy's fresh ArrayBuffer costs more than reading them), and their total. */
  #hitCounts(block) {
    const L = this.layout.pt_wasm_block;
    const dv = this.#view;
    const nq = dv.getUint32(block + L.nq, true), at = dv.getUint32(block + L.counts, true);
    const counts = new Array(nq);
    let total = 0;
    for (let q = 0; q < nq; q++) total += counts[q] = dv.getUint32(at + 4 * q, true);
    return { counts, total };
  }

  /**
   * A search's hits: one list per query vector, best first, each hit { id, distance, entity }
   * (see results.assembleHits for `how`: pk, roundDecimal).
   */
  searchHits(store, name, expected, request, vectors, how) {
    return this.#search(store, name, expected, request, vectors, (block) => this.#hits(block, how));
  }

  #hits(block, how) {
    const L = this.layout.pt_wasm_block;
    const dv = this.#view;
    const { counts, total } = this.#hitCounts(block);
    const at = dv.getUint32(block + L.distances, true), dist = new Array(total);
    for (let i = 0; i < total; i++) dist[i] = dv.getFloat32(at + 4 * i, true);
    const keyIsOutput = dv.getInt32(block + L.key_is_output, true) === 1;
    return assembleHits(counts, dist, this.#readColumns(block, total), total, { ...how, keyIsOutput });
  }

  /**
   * A hybrid search (the core's pt_collection_hybrid_search): its request as JSON text, the query
   * vectors of each sub-request as marshal.transcribeQueries gave them; hits as searchHits's, or
   * as REST JSON ({ topks, json }) with `json`.
   */
  hybridSearch(store, name, expected, request, vectorsList, how, json = null) {
    return this.#cold(store, () => this.#scoped((scope) => {
      const [p, n] = scope.string(request);
      const size = this.layout.pt_vectors_in.size;
      const base = scope.alloc(size * Math.max(1, vectorsList.length));
      vectorsList.forEach((v, i) => this.#vectorsIn(scope, v, base + i * size));
      const block = this.#blockIn(scope);
      const h = this.resolve(store, name, expected);
      if (this.#M._pt_wasm_hybrid_search_block(h.ptr, p, n, base, vectorsList.length, block) !== this.constants.status.OK)
        throw nameField(this.lastError(), h.info);
      const r = this.#view.getUint32(block + this.layout.pt_wasm_block.handle, true);
      try {
        if (json === null) return this.#hits(block, how);
        const { counts: topks, total } = this.#hitCounts(block);
        if (total === 0) return { topks, json: null };
        return { topks, json: this.#takeString(this.#M._pt_wasm_search_to_json(r, json.int64AsString ? this.#flags.JSON_INT64_AS_STRING : 0) >>> 0, null) };
      } finally {
        this.#M._pt_wasm_search_free(r);
      }
    }));
  }

  /** A search's hits as REST JSON: { topks (hits per query vector), json (the hits as one JSON
   * array written by the core, null when there are none) }. */
  searchJson(store, name, expected, request, vectors, int64AsString) {
    return this.#search(store, name, expected, request, vectors, (block, r) => {
      const { counts: topks, total } = this.#hitCounts(block);
      if (total === 0) return { topks, json: null };
      const json = this.#takeString(this.#M._pt_wasm_search_to_json(r, int64AsString ? this.#flags.JSON_INT64_AS_STRING : 0) >>> 0, null);
      return { topks, json };
    });
  }

  /** A pt_rows as the JSON text of an array of row objects, written by the core. */
  #rowsText(rowsPtr, int64AsString) {
    return this.#takeString(this.#M._pt_wasm_rows_to_json(rowsPtr, int64AsString ? this.#flags.JSON_INT64_AS_STRING : 0) >>> 0, null);
  }

  /** The columns of a block's `n` rows, copied out and decoded ({ name, isDynamic, values }). */
  #readColumns(block, n) {
    const L = this.layout.pt_wasm_block;
    const dv = this.#view;
    const ncols = dv.getUint32(block + L.n_columns, true);
    const base = dv.getUint32(block + L.columns, true);
    const cols = [];
    for (let k = 0; k < ncols; k++) cols.push(this.#readColumn(base + k * this.layout.pt_column_out.size, n));
    return cols;
  }

  /** Reads one pt_column_out: its buffers are copied out, then decoded (results.js). */
  #readColumn(colPtr, n) {
    const L = this.layout.pt_column_out;
    const dv = this.#view;
    const name = this.#cString(dv.getUint32(colPtr + L.name, true));
    const dtype = dv.getInt32(colPtr + L.dtype, true);
    const isDynamic = dv.getInt32(colPtr + L.is_dynamic, true) === 1;
    const width = dv.getUint32(colPtr + L.width, true);
    const elem = dv.getUint32(colPtr + L.elem_size, true);
    const valuesPtr = dv.getUint32(colPtr + L.values, true);
    const offsetsPtr = dv.getUint32(colPtr + L.offsets, true);
    const validPtr = dv.getUint32(colPtr + L.valid, true);
    const valid = validPtr ? this.#M.HEAPU8.slice(validPtr, validPtr + n) : null;
    if (offsetsPtr) {
      const offs = new Uint32Array(this.#copyOut(offsetsPtr, (n + 1) * 4));
      const bytes = new Uint8Array(this.#copyOut(valuesPtr, offs[n]));
      return { name, isDynamic, values: textValues(dtype, n, valid, offs, bytes) };
    }
    // read in place when aligned (fixedValues copies every value out and runs no user code)
    if (valuesPtr % elem === 0) return { name, isDynamic, values: fixedValues(dtype, n, width, valid, this.#M.HEAPU8.buffer, valuesPtr) };
    return { name, isDynamic, values: fixedValues(dtype, n, width, valid, this.#copyOut(valuesPtr, n * width * elem)) };
  }

  // ---- snapshots and compaction -----------------------------------------------------------

  /** The collection as snapshot bytes (format: src/snapshot.c). */
  save(store, name) {
    const h = this.resolve(store, name);
    return this.#cold(store, () => this.#scoped((scope) => {
      const lenPtr = scope.alloc(4);
      const p = this.#M._pt_wasm_collection_save(h.ptr, lenPtr) >>> 0;
      if (!p) throw this.lastError();
      try {
        const n = this.#view.getUint32(lenPtr, true);
        const out = new Uint8Array(n);
        out.set(this.#M.HEAPU8.subarray(p, p + n));
        return out;
      } finally {
        this.#free(p);
      }
    }));
  }

  /** Restores snapshot bytes (a Uint8Array) into `store` as a new collection, called `name`
   * (null: the saved name); returns its name. */
  load(store, bytes, name) {
    const ptr = this.#mutating(store, () => this.#scoped((scope) => {
      const [np, nl] = name === null ? [0, 0] : scope.string(name);
      const bp = scope.bytes(bytes);
      const coll = this.#M._pt_wasm_collection_load(open(store), bp, typedLength(bytes), np, nl) >>> 0;
      if (!coll) throw this.lastError();
      return coll;
    }));
    return this.#describe(ptr).name;
  }

  /** Drops deleted rows from memory now; returns how many. */
  compact(store, name) {
    return this.#cold(store, () => {
      const removed = this.relieved(() => this.#M._pt_wasm_collection_compact(this.resolve(store, name).ptr, 0, 0, 0));
      if (removed < 0) throw this.lastError();
      return removed;
    });
  }

  // ---- the mutation log (src/wal.c; persist/durable.js writes it) ----------------------------

  /**
   * Runs a mutation of `store`; with a log, hands the records it made to store.log.append
   * before returning. A log that failed refuses further mutations (the store in memory is
   * then ahead of its log: only reopening it is safe).
   */
  #mutating(store, fn) {
    const log = store.log;
    if (log?.broken) throw log.broken;
    const out = fn();
    if (log) this.#drain(store, log);
    return out;
  }

  #drain(store, log) {
    const M = this.#M;
    const [p, n] = this.#scoped((scope) => {
      const lenPtr = scope.alloc(4);
      return [M._pt_wasm_log_pending(store.ptr, lenPtr) >>> 0, this.#view.getUint32(lenPtr, true)];
    });
    if (!p || !n) return;
    // a log that writes at once reads the records where the core made them (a batch's record is
    // about its size: a copy of it was fresh memory, a copy and a garbage collection per call)
    if (typeof log.appendNow !== 'function') {
      M._pt_wasm_log_taken(store.ptr);
      log.append(new Uint8Array(this.#copyOut(p, n)));
      return;
    }
    try {
      log.appendNow(new Uint8Array(M.HEAPU8.buffer, p, n));
    } finally {
      M._pt_wasm_log_taken(store.ptr);
    }
  }

  /** Records every later mutation of `store` to `log` ({ append(bytes) } or { appendNow(bytes) }:
   * Store.log says how each is called); null stops. */
  logTo(store, log) {
    this.#M._pt_wasm_store_log(open(store), log ? 1 : 0);
    store.log = log;
  }

  /** Appends a HOST record (bytes the host applies itself on recovery) to `store`'s log; nothing
   * when the store has none. */
  logHost(store, bytes) {
    if (!store.log) return;
    this.#mutating(store, () => this.#scoped((scope) => {
      this.#check(this.#M._pt_wasm_log_host(open(store), scope.bytes(bytes), bytes.length));
    }));
  }

  /** The HEADER (end false) or END record of checkpoint `id`. */
  logMarker(end, id) {
    return this.#scoped((scope) => {
      const out = scope.alloc(this.constants.log.MARKER_BYTES);
      this.#M._pt_wasm_log_marker(end ? 1 : 0, id, out);
      return new Uint8Array(this.#copyOut(out, this.constants.log.MARKER_BYTES));
    });
  }

  /** The whole store as checkpoint `id` (a log: HEADER, a snapshot per collection, a HOST
   * record with `host` when not empty, END). */
  checkpoint(store, id, host) {
    return this.#cold(store, () => this.#scoped((scope) => {
      const lenPtr = scope.alloc(4);
      const hp = host.length ? scope.bytes(host) : 0;
      const p = this.#M._pt_wasm_checkpoint(open(store), id, hp, host.length, lenPtr) >>> 0;
      if (!p) throw this.lastError();
      try {
        return new Uint8Array(this.#copyOut(p, this.#view.getUint32(lenPtr, true)));
      } finally {
        this.#free(p);
      }
    }));
  }

  /**
   * Applies the records of log bytes to `store`, in order, up to the first that is not whole
   * with a good checksum. HOST records go to onHost(bytes). Returns { end (bytes applied),
   * header (the first record's checkpoint id, or null when it is not a HEADER), last (the
   * checkpoint id of an END record met, or null), bad (null, or { message, torn } for the
   * record at `end` that could not be read) }. A whole record that cannot be applied throws
   * (a MilvusException, PT_CORRUPT) after the records before it were applied. With `apply`
   * false the records are only read (nothing is applied, onHost is not called).
   *
   * `bytes`: a Uint8Array (copied into the core's memory), or a file's bytes read straight to
   * where the core will read them (no buffer in between, no copy: reopening a large store is
   * mostly reading it): { length, copyTo(into) }, copyTo filling the Uint8Array `into`, of
   * `length` bytes, with them (synchronously, keeping nothing: `into` is valid during the call
   * only).
   */
  replayLog(store, bytes, onHost, apply = true, cold = false) {
    const M = this.#M;
    const L = this.constants.log;
    const len = bytes.length;
    // a block (pt_block_new) that the store may keep parts of: a snapshot's full segments keep
    // their fixed-width columns where they were read (the core holds the block while they last)
    if (!(len <= 0xffffffff)) throw this.#allocError(len);
    const buf = M._pt_wasm_block_new(len || 1) >>> 0;
    if (!buf) throw this.#allocError(len);
    let into = 0;
    try {
      if (ArrayBuffer.isView(bytes)) M.HEAPU8.set(bytes, buf);
      else if (len) bytes.copyTo(new Uint8Array(M.HEAPU8.buffer, buf, len));
      const out = { end: 0, header: null, last: null, bad: null };
      this.#scoped((scope) => {
        const rec = scope.alloc(7 * 8);
        // applying, the core applies each record in the call that reads it (one checksum pass)
        into = apply ? open(store) : 0;
        // `cold`: the bytes are a checkpoint file whose rows may leave memory (coldDrop) and be
        // read back from it: marked where they lie, copied rather than kept in the block
        if (into && cold) M._pt_wasm_cold_source(into, buf, len);
        else if (into) M._pt_wasm_log_source(into, buf, len);
        for (let at = 0; ;) {
          const st = M._pt_wasm_log_next(buf, len, at, rec, into);
          const f = new Float64Array(M.HEAPU8.buffer, rec, 7);
          if (st === this.constants.status.NOT_FOUND) break;
          if (st !== this.constants.status.OK) {
            if (f[6] === 1) throw this.lastError();
            out.bad = { message: this.lastError().message, torn: f[4] === 1 };
            break;
          }
          const [type, length, item, itemLen, , id] = f;
          if (type === L.HEADER && at === 0) out.header = id;
          else if (type === L.END) out.last = id;
          else if (apply && type === L.HOST) onHost(new Uint8Array(this.#copyOut(buf + item, itemLen)));
          at += length;
          out.end = at;
        }
      });
      return out;
    } finally {
      if (into) M._pt_wasm_log_source(into, 0, 0);
      if (into && cold) M._pt_wasm_cold_source(into, 0, 0);
      M._pt_wasm_block_release(buf);
    }
  }

  // ---- JSON text --------------------------------------------------------------------------

  /**
   * Checks JSON text (the bytes of a genuine Uint8Array) whole, as the core takes JSON
   * (RFC 8259, UTF-8, no byte order mark), and finds the member `key` of its top-level object:
   * { valid: false, message } or { valid: true, found (-1: not an object, 0: no such member,
   * 1: found), start, length (the member's value, in bytes) }.
   */
  jsonMember(bytes, key) {
    return this.#scoped((scope) => {
      const M = this.#M;
      const length = typedLength(bytes);
      const bodyPtr = scope.bytes(bytes, true);
      if (M._pt_wasm_json_validate(bodyPtr, length, 0) !== this.constants.status.OK) return { valid: false, message: this.lastError().message };
      const [kp, kn] = scope.string(key);
      const out = scope.alloc(8);
      const found = M._pt_wasm_json_member(bodyPtr, length, kp, kn, out);
      if (found !== 1) return { valid: true, found, start: 0, length: 0 };
      const dv = this.#view;
      return { valid: true, found, start: dv.getUint32(out, true), length: dv.getUint32(out + 4, true) };
    });
  }
}

/** The staging block's first size, and the largest one kept between calls (bytes). */
const SCRATCH_START = 64 * 1024;
const SCRATCH_KEEP = 8 * 1024 * 1024;

/**
 * Temporary linear-memory allocations of one call, in the staging block (`arena`) after those
 * of the scopes open around it, or allocated apart when they do not fit; release() gives them
 * all back.
 */
class Scope {
  constructor(M, alloc, arena) {
    this.M = M;
    this.allocate = alloc;
    this.arena = arena;
    this.mark = arena.used;
    this.ptrs = [];
  }

  alloc(size) {
    const a = this.arena, at = (a.used + 7) & ~7;
    if (a.base && at + size <= a.cap) {
      a.used = at + size;
      return a.base + at;
    }
    a.want = Math.max(a.want, at + size);
    const p = this.allocate(size);
    this.ptrs.push(p);
    return p;
  }

  /** Copies a string as UTF-8; returns [pointer, byte length]. Only strings: anything else
   * would be converted by its own toString(), at a moment when no user code may run. */
  string(s) {
    if (typeof s !== 'string') throw new ParamError(Code.CLIENT, `expected a string, got ${s === null ? 'null' : typeof s}`);
    // written in place when the staging block has room for its longest form (3 bytes per UTF-16
    // unit), without an intermediate array
    const a = this.arena, at = (a.used + 7) & ~7, most = s.length * 3;
    if (a.base && at + most + 1 <= a.cap) {
      const u8 = this.M.HEAPU8, p = a.base + at;
      const { written } = encoder.encodeInto(s, u8.subarray(p, p + most));
      u8[p + written] = 0;
      a.used = at + written + 1;
      return [p, written];
    }
    const bytes = encoder.encode(s);
    const p = this.alloc(bytes.length + 1);
    const u8 = this.M.HEAPU8;
    u8.set(bytes, p);
    u8[p + bytes.length] = 0;
    return [p, bytes.length];
  }

  /** Copies the bytes of a typed array into linear memory (followed by a NUL with `nul`);
   * returns the pointer. */
  bytes(view, nul = false) {
    if (typedKind(view) === undefined) throw new ParamError(Code.CLIENT, 'expected a typed array');
    const src = typedBytes(view);
    const p = this.alloc(src.length + (nul ? 1 : 0));
    const u8 = this.M.HEAPU8;
    u8.set(src, p);
    if (nul) u8[p + src.length] = 0;
    return p;
  }

  release() {
    if (this.ptrs.length) { // (setting the length of an empty array still costs a runtime call)
      for (const p of this.ptrs) this.M._pt_wasm_free(p);
      this.ptrs.length = 0;
    }
    this.arena.used = this.mark;
  }
}

// ---------------------------------------------------------------------------------------------
// Mutation results: keys
// ---------------------------------------------------------------------------------------------

/** INT64 keys from their (lo, hi) 32-bit halves at word w into `keys`: a key whose high half is
 * in (-2^21, 2^21) is a safe integer and becomes a number without a BigInt being made (the
 * common case, a thousand per batch). The views are arguments, never read from the module object
 * in here: optimized code that had them as constants would be thrown away whenever memory grows. */
function decodeIntKeys(i32, u32, dv, w, n, keys) {
  for (let i = 0; i < n; i++, w += 2) {
    const hi = i32[w + 1];
    keys[i] = hi > -0x200000 && hi < 0x200000 ? hi * 4294967296 + u32[w] : int64Value(dv.getBigInt64(w * 4, true));
  }
}

function decodeStringKeys(u8, u32, offs, data, n, keys) {
  for (let i = 0, o = offs >>> 2; i < n; i++, o++) keys[i] = decoder.decode(u8.subarray(data + u32[o], data + u32[o + 1]));
}

// ---------------------------------------------------------------------------------------------
// A transcribed batch → one pt_batch_in in linear memory
// ---------------------------------------------------------------------------------------------

const hasWellFormed = typeof ''.isWellFormed === 'function';

/** A string with lone surrogates as WTF-8: each lone surrogate as its own three bytes, which
 * the core refuses as not UTF-8 (TextEncoder would quietly turn them into U+FFFD). */
function encodeWtf8Into(s, out) {
  let at = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out[at++] = c;
    else if (c < 0x800) { out[at++] = 0xc0 | (c >> 6); out[at++] = 0x80 | (c & 63); }
    else if (c < 0x10000) { out[at++] = 0xe0 | (c >> 12); out[at++] = 0x80 | ((c >> 6) & 63); out[at++] = 0x80 | (c & 63); }
    else {
      out[at++] = 0xf0 | (c >> 18); out[at++] = 0x80 | ((c >> 12) & 63);
      out[at++] = 0x80 | ((c >> 6) & 63); out[at++] = 0x80 | (c & 63);
    }
  }
  return at;
}

/** Upper bound of the UTF-8 bytes of a TEXT / JSON column's strings. */
function stringsCapacity(values, cells, n) {
  const VALUE = CELL.VALUE;
  let cap = 0;
  for (let r = 0; r < n; r++) {
    const s = values[r];
    if (typeof s === 'string' && (!cells || cells[r] === VALUE)) cap += s.length * 3;
  }
  return cap;
}

/**
 * encodeStrings for a column of strings all ASCII, the common case (tags, keys, JSON text), in
 * one pass: a short string a char at a time, a long one by encodeInto. False when a value is not
 * a string or a string is not ASCII (its bytes outnumber its UTF-16 units; a lone surrogate
 * becomes three): encodeStrings then writes the column again. (One encodeInto of the strings
 * joined was slower: the join copies every string once more, 14 ns a string of five chars.)
 */
function encodeAscii(u8, u32, at, offsAt, values, n) {
  let o = at;
  u32[offsAt] = 0;
  for (let r = 0; r < n; r++) {
    const s = values[r];
    if (typeof s !== 'string') return false;
    const len = s.length;
    if (len <= 32) {
      for (let j = 0; j < len; j++) {
        const ch = s.charCodeAt(j);
        if (ch >= 0x80) return false;
        u8[o + j] = ch;
      }
    } else if (encoder.encodeInto(s, u8.subarray(o, o + len * 3)).written !== len) return false;
    o += len;
    u32[offsAt + r + 1] = o - at;
  }
  return true;
}

/**
 * Encodes a TEXT / JSON column's strings as UTF-8 into linear memory at `at`, with n + 1 offsets
 * at `offsAt` (a u32 index). Short ASCII strings (tags, keys, names) are written a char at a
 * time, which beats a TextEncoder call per string; anything else goes through encodeInto, or
 * as WTF-8 when it holds a lone surrogate (so that the core refuses it).
 */
function encodeStrings(u8, u32, at, offsAt, values, cells, n, VALUE) {
  if (!cells && encodeAscii(u8, u32, at, offsAt, values, n)) return;
  const base = at;
  u32[offsAt] = 0;
  for (let r = 0; r < n; r++) {
    const s = values[r];
    if (typeof s === 'string' && (!cells || cells[r] === VALUE)) {
      const len = s.length;
      let j = 0;
      if (len <= 64) {
        for (; j < len; j++) {
          const ch = s.charCodeAt(j);
          if (ch >= 0x80) break;
          u8[at + j] = ch;
        }
      }
      if (j === len) at += len;
      else if (hasWellFormed && !s.isWellFormed()) at += encodeWtf8Into(s, u8.subarray(at, at + len * 3));
      else at += encoder.encodeInto(s, u8.subarray(at, at + len * 3)).written;
    }
    u32[offsAt + r + 1] = at - base;
  }
}

/** A typed array of the batch that changed size after it was measured: only the caller's code
 * (a getter, toJSON, a Proxy) run while the batch was read can detach or shrink its buffer. */
const changedWhileRead = () =>
  new MilvusException(Code.CLIENT, 'a typed array of the batch was detached or resized while the batch was being read ' +
    '(by a getter, toJSON or a Proxy?): nothing was written');

/** Copies a vector column given row by row into linear memory at `ptr`: typed arrays as they
 * are (checked to be still of the field's width), arrays from the numbers read (rowData; all at
 * once when every row was an array). */
function writeRowVectors(f32, u8, ptr, c, tail, head) {
  const { rowVectors: rows, rowData: data, width: w, n } = c;
  // both offsets worked out on every call: an operation first met in the middle of a load (the
  // first batch that spans two segments) had no type feedback and deoptimised this function there
  const at = ptr >>> 2, tailAt = tail >>> 2;
  if (!tail) head = n; // one block; else rows from `head` on go to `tail` (pt_wasm_stage)
  touchPages(u8, ptr, head * w * 4);
  touchPages(u8, tail, (n - head) * w * 4);
  if (c.inRowData === n) {
    const cut = head * w;
    f32.set(data.subarray(0, cut), at);
    if (head < n) f32.set(data.subarray(cut, n * w), tailAt);
    return;
  }
  for (let r = 0, o = at; r < n; r++, o += w) {
    if (r === head) o = tailAt;
    const v = rows[r];
    if (v === undefined) f32.fill(0, o, o + w); // a cell the core reports
    else if (typeof v === 'number') f32.set(data.subarray(r * w, r * w + w), o); // IN_ROW_DATA
    else if (typedLength(v) !== w) throw changedWhileRead();
    else f32.set(v, o); // a numeric typed array: converted to float32 as set does
  }
}

/** A column's values (a typed array: the caller's, kept by reference, or scratch) as bytes, which
 * must be the n × width values the core will read. */
function valueBytes(c) {
  const bytes = typedBytes(c.values);
  if (bytes.length !== c.n * c.width * IN_BYTES[c.kind]) throw changedWhileRead();
  return bytes;
}

/** A FLOAT_VECTOR column whose every row holds a float32 vector of the field's dim: written in
 * the stored format, so the core can take it in place (pt_wasm_stage). */
function stageable(c) {
  const f = c.field;
  return f !== null && f.dtype === DataType.FLOAT_VECTOR && c.kind === IN.FLOAT32 && c.cells === null &&
    c.width === f.dim && c.n > 0 && (c.rowVectors !== null || typedLength(c.values) === c.n * c.width);
}

/** Writes bytes at `at`; when `tail` is given, only the first `head` of them there and the rest
 * at `tail` (pt_wasm_stage's two pieces). Each destination's pages touched first. */
function placeBytes(u8, bytes, at, tail, head) {
  if (!tail) head = bytes.length;
  touchPages(u8, at, head);
  u8.set(head === bytes.length ? bytes : bytes.subarray(0, head), at);
  if (head === bytes.length) return;
  touchPages(u8, tail, bytes.length - head);
  u8.set(bytes.subarray(head), tail);
}

/**
 * Writes a zero into each 4 KB page of [at, at + n), which the caller overwrites right after.
 * A load into fresh memory takes a page fault at the first write to each page; taken by one
 * store each, in a row, before the copy, they cost the system less than the same faults taken in
 * the middle of a `set` (a 512 KB copy, or a row's 512 bytes at a time): a typed load of
 * 100,000 x 128 went from 1.81-1.88x to 1.61-1.66x the fresh-page limit (medians of 16-20
 * alternated processes, three runs; bench/probe/ingest-faults.mjs), rows from 2.44x to 2.11x (one
 * run of 16), a plain JS copy in 512 KB pieces into fresh memory from 44 to 35 ms. Into memory
 * already mapped it costs one store per 4 KB (no difference in a reload).
 * (Exported for its test, tests/forms.test.mjs.)
 */
export function touchPages(u8, at, n) {
  if (n <= 0) return;
  const end = at + n;
  u8[at] = 0;
  for (let p = (at | 4095) + 1; p < end; p += 4096) u8[p] = 0;
}

/** Writes the pt_column_in at `base` for transcribed column c, whose buffers are at p. */
function columnIn(dv, L, base, c, p) {
  dv.setInt32(base + L.field, c.index, true);
  dv.setInt32(base + L.kind, c.kind, true);
  dv.setUint32(base + L.name, p.name, true);
  dv.setUint32(base + L.name_len, p.nameLen, true);
  dv.setUint32(base + L.n_rows, c.n, true);
  dv.setUint32(base + L.width, c.width, true);
  dv.setUint32(base + L.values, p.values, true);
  dv.setUint32(base + L.offsets, p.offsets, true);
  dv.setUint32(base + L.cells, p.cells, true);
  dv.setUint32(base + L.got, p.got, true);
  dv.setUint32(base + L.got_len, p.gotLen, true);
  dv.setBigInt64(base + L.got_length, BigInt(Math.trunc(c.gotLength)), true);
  dv.setUint32(base + L.values_tail, p.tail, true);
  dv.setUint32(base + L.head_rows, p.headRows, true);
}

/**
 * Writes a transcribed batch into linear memory (inside `scope`) and returns the pointer of its
 * pt_batch_in. `stage(field, n)` returns where the core will store a fixed-width column of the
 * next n rows (pt_wasm_stage), or 0: a float vector column is written there. Every buffer is
 * allocated first (memory may grow on any allocation), then every value is written once.
 */
function copyBatch(M, layout, scope, batch, stage, ops) {
  const L = layout.pt_column_in, B = layout.pt_batch_in;
  const TEXT = IN.TEXT, JSON_ = IN.JSON, ABSENT = IN.ABSENT, FLOAT32 = IN.FLOAT32;
  const cols = batch.cols;
  // nColumns may exceed the columns transcribed (a count the core refuses): the rest are absent
  const colsPtr = scope.alloc(Math.max(1, batch.nColumns) * L.size);
  M.HEAPU8.fill(0, colsPtr, colsPtr + batch.nColumns * L.size);
  const batchPtr = scope.alloc(B.size);
  const ptrs = cols.map((c) => {
    const p = { values: 0, tail: 0, headRows: 0, offsets: 0, cells: 0, name: 0, nameLen: 0, got: 0, gotLen: 0, cap: 0, bytes: null };
    if (c.kind !== TEXT && c.kind !== JSON_ && c.kind !== ABSENT && c.values) p.bytes = valueBytes(c);
    if (c.kind === TEXT || c.kind === JSON_) {
      p.cap = stringsCapacity(c.values, c.cells, c.n);
      p.values = scope.alloc(Math.max(1, p.cap));
      p.offsets = scope.alloc((c.n + 1) * 4);
    } else if (stage !== null && stageable(c) && stage(c.field.index, c.n, p)) {
      // in place: the core's own storage for these rows (in two pieces when they span two
      // segments: p.tail, from row p.headRows on)
    } else if (c.kind === FLOAT32 && c.rowVectors) {
      p.values = scope.alloc(Math.max(1, c.n * c.width * 4));
    } else if (p.bytes) {
      p.values = scope.alloc(Math.max(1, p.bytes.length));
    }
    if (c.cells) p.cells = scope.alloc(c.n);
    if (c.name !== null) [p.name, p.nameLen] = scope.string(c.name);
    if (c.got !== null) [p.got, p.gotLen] = scope.string(c.got);
    return p;
  });
  // no allocation from here on: the views stay valid
  const u8 = M.HEAPU8, u32 = M.HEAPU32, dv = dataView(M);
  const VALUE = CELL.VALUE;
  // the values first, then the pt_column_in records: two plain loops and a small function rather
  // than one closure per column with the string encoder inlined into it, which V8 optimised only
  // once a load of full batches was under way (compiling it took 15-55 ms of processor time in
  // the middle of the load, on the 2-core VM under load; the bench's warm-up did not reach it)
  for (let k = 0; k < cols.length; k++) {
    const c = cols[k], p = ptrs[k];
    if (c.kind === TEXT || c.kind === JSON_) encodeStrings(u8, u32, p.values, p.offsets >>> 2, c.values, c.cells, c.n, VALUE);
    else if (c.kind === FLOAT32 && c.rowVectors) writeRowVectors(M.HEAPF32, u8, p.values, c, p.tail, p.headRows);
    else if (p.bytes) placeBytes(u8, p.bytes, p.values, p.tail, p.headRows * c.width * IN_BYTES[c.kind]);
    if (p.cells) u8.set(c.cells, p.cells);
  }
  for (let k = 0; k < cols.length; k++) columnIn(dv, L, colsPtr + k * L.size, cols[k], ptrs[k]);
  dv.setInt32(batchPtr + B.form, batch.form, true);
  dv.setUint32(batchPtr + B.n_rows, batch.n, true);
  dv.setUint32(batchPtr + B.n_columns, batch.nColumns, true);
  dv.setUint32(batchPtr + B.columns, colsPtr, true);
  dv.setUint32(batchPtr + B.n_field_ops, ops.n, true);
  dv.setUint32(batchPtr + B.field_ops, ops.ptr, true);
  return batchPtr;
}
