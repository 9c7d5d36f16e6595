// marshal.js — JS values → one batch of columns the engine copies into a pt_batch_in.
//
// Marshal transcribes and never judges: every rule (types, ranges, dims, lengths, nulls,
// defaults, unknown fields) lives in the C core, so the typed path, the JSON path and the WASI
// build share one set of rules and messages. Where a JS value cannot be transcribed faithfully
// (a string where a number is due, a vector of another length, a BigInt beyond int64), the cell
// is tagged and the C core reports the error with the value's JS type name.
//
// Re-entrancy: transcribe() is the only part that reads the caller's values, and it may run the
// caller's code (getters, Proxies, toJSON, valueOf). Everything it keeps is the caller's values
// read once into scratch arrays (numbers, strings, JSON text, vectors given as arrays), or
// genuine typed arrays kept by reference, measured by the engine's own getters (typed.js); the
// engine's write() then copies into linear memory without running any of the caller's code,
// and refuses a typed array whose buffer was detached or shrunk in the meantime. Sizes are checked
// before anything proportional to them is allocated: a batch of more rows than the collection's
// maxRows is passed on unread, and the core refuses it (maxInsertSize).
//
// Forms, decided once per batch as pymilvus decides them:
//   a plain object            one row                       PT_FORM_ROWS
//   [ {..}, {..} ]            rows                          PT_FORM_ROWS
//   [ col, col, ... ]         columns in schema order       PT_FORM_COLUMNS
//   an Apache Arrow Table     named columns (a DataFrame)   PT_FORM_DATAFRAME
// Fast paths: a vector column may be one flat Float32Array of rows × dim; INT64 columns may
// be BigInt64Array / Float64Array; INT32 columns Int32Array.

import { engine } from './engine.js';
import { randomMark, typedBytes, typedKind, typedLength } from './typed.js';
import { DataType, isDenseVectorType, isIntegerType, isStringType, isVectorType } from './dtype.js';
import { CLIENT_ERROR, DataNotMatchException, DataTypeNotSupportException, MilvusException, ParamError } from './errors.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The JS type name used in messages (pymilvus prints Python's). */
export function typeName(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'Array';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === 'object') {
    // the prototype's constructor, never an own `constructor` key of the value
    const ctor = Object.getPrototypeOf(v)?.constructor;
    return typeof ctor === 'function' && ctor !== Object && ctor.name ? ctor.name : 'object';
  }
  if (typeof v === 'number' && !Number.isInteger(v)) return 'float';
  return typeof v;
}

/**
 * The keys loaded from a row, and from a row's vector, before asking for its prototype (its
 * length): the load's feedback gives V8 the object's shape, so that the optimised transcription
 * reads the prototype (the length) inline instead of calling into the runtime
 * (Object.getPrototypeOf of an object of unknown shape: ~10 % of a load of rows' transcription,
 * the intrinsic length getter another ~6 %; measured by bench/probe/transcribe-ab.mjs in both
 * orders). The values are not used. A row is asked for Symbol.toStringTag, which every object is
 * asked for already (Object.prototype.toString, console.log), so that a Proxy row refusing keys
 * it does not know still answers; a vector, already known to be a Float32Array, for a key of its
 * own (its toStringTag is a getter: 6-8 % slower). A trap or a getter that answers runs in the
 * read phase, as every getter of a row may, and what is measured comes after it.
 */
const ROW_PROBE = Symbol.toStringTag;
const VECTOR_PROBE = Symbol('partita: vector shape');
const isPlainRow = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);

/** Duck-typed Apache Arrow Table: partita never imports apache-arrow. */
/**
 * Refuses a typed array that cannot hold a vector of a FLOAT / FLOAT16 / BFLOAT16 field, as
 * pymilvus refuses an np.ndarray of another dtype than float32 / float64 ("invalid input for
 * float32 vector"): integer arrays would be read as floats that were never meant. FLOAT16 /
 * BFLOAT16 also take their raw halves (Uint16Array) and bytes (Uint8Array). `where` names the
 * vector in the message.
 */
export function checkFloatVectorKind(t, kind, where) {
  if (kind === undefined || kind === 'Float32Array' || kind === 'Float64Array') return;
  const half = t === DataType.FLOAT16_VECTOR || t === DataType.BFLOAT16_VECTOR;
  if (half ? kind === 'Uint16Array' || kind === 'Uint8Array' : t !== DataType.FLOAT_VECTOR) return;
  const kinds = half ? 'a Float32Array, a Float64Array, a Uint16Array of halves or a Uint8Array of their bytes' : 'a Float32Array or a Float64Array';
  throw new ParamError(CLIENT_ERROR, `invalid input for ${half ? DataType[t].toLowerCase() : 'float32 vector'} ${where}: expected numbers, ${kinds}, got ${kind}`);
}

export function isArrowTable(v) {
  return (
    v !== null && typeof v === 'object' && typeof v.getChild === 'function' && typeof v.numRows === 'number' &&
    v.schema && Array.isArray(v.schema.fields)
  );
}

/**
 * BigInts inside JSON values (JSON fields, ARRAY elements, dynamic keys) are written as their
 * exact digits, a JSON number, as a REST body's integers are stored; results.js reads integers
 * beyond 2^53 back as BigInts. JSON.stringify cannot write a BigInt, so the replacer leaves a
 * string holding a marker (random: no caller's string holds it) that is then unquoted.
 */
let BIGINT_MARK = null; // made on first use: Workers allow no random values at start-up
let BIGINT_TEXT = null;
let sawBigInt = false;
const jsonReplacer = (_k, v) => {
  if (typeof v !== 'bigint') return v;
  if (BIGINT_MARK === null) {
    BIGINT_MARK = randomMark();
    BIGINT_TEXT = new RegExp(`"${BIGINT_MARK}(-?[0-9]+)"`, 'g');
  }
  sawBigInt = true;
  return BIGINT_MARK + v.toString();
};

const TOO_DEEP = Symbol('too deep');

/** JSON text of a value; undefined when it cannot be serialised (cyclic, ...), TOO_DEEP when it
 * nests deeper than the JS stack lets JSON.stringify go (the core would refuse it anyway: it
 * takes 1000 levels). */
export function toJsonText(v) {
  sawBigInt = false;
  let text;
  try {
    text = JSON.stringify(v, jsonReplacer);
  } catch (e) {
    return e instanceof RangeError ? TOO_DEEP : undefined;
  }
  return sawBigInt && text !== undefined ? text.replace(BIGINT_TEXT, '$1') : text;
}

// ---------------------------------------------------------------------------------------------
// One column being transcribed
// ---------------------------------------------------------------------------------------------

/**
 * Scratch arrays for the transcription of one batch. transcribe → the engine's write() runs synchronously
 * and nothing keeps a batch afterwards, so the buffers are reused by the next batch: a bulk load
 * does not allocate (and first-touch) fresh buffers per batch, which on a VM where page faults
 * are the limit cost as much as the transcription itself. Each transcription asks for them in
 * the same order, so the i-th request of a type gets the same buffer each time. Typed views are
 * zeroed when handed out; plain arrays (strings, row vectors: references to the caller's values)
 * are emptied when handed out and by release(), which the engine calls (batch.release) when it
 * has copied them (and transcribe when it throws), so no batch is kept alive by the pool.
 *
 * The Column objects are pooled the same way, and for a second reason: a Column that stays alive
 * keeps its hidden class alive. When every Column of a load died between two batches, a full
 * garbage collection dropped that class, the engine threw away the optimised transcription that
 * depended on it ("weak objects"), and the next batches of the load ran unoptimised until it was
 * compiled again (measured: 5-15% of a load of rows as objects). release() drops what a pooled
 * Column refers to (the caller's arrays, field, strings).
 */
const scratch = {
  bufs: { Float64Array: [], Float32Array: [], Uint8Array: [], Uint16Array: [], Array: [], Column: [] },
  used: { Float64Array: 0, Float32Array: 0, Uint8Array: 0, Uint16Array: 0, Array: 0, Column: 0 },
  busy: false, // from reset() to release(): holds a batch
  reset() {
    this.release();
    this.busy = true;
    this.used.Float64Array = this.used.Float32Array = this.used.Uint8Array = this.used.Uint16Array = this.used.Array = this.used.Column = 0;
  },
  /** A Column for field (see Column.init), the next one of the pool. */
  column(field, n, allocate = true) {
    const list = this.bufs.Column, i = this.used.Column++;
    if (i === list.length) list.push(new Column());
    return list[i].init(field, n, allocate);
  },
  take(Ctor, n) {
    const name = Ctor.name, list = this.bufs[name], i = this.used[name]++;
    if (i >= list.length || list[i].length < n) list[i] = new Ctor(Math.max(n, 1024));
    const view = list[i].subarray(0, n);
    view.fill(0);
    return view;
  },
  /** A plain array of n undefined values (a pooled array holds nothing but undefined once
   * released: only what it grows by is filled). */
  array(n) {
    const list = this.bufs.Array, i = this.used.Array++;
    const a = i < list.length ? list[i] : (list[i] = []);
    const had = a.length;
    a.length = n;
    if (had < n) a.fill(undefined, had);
    return a;
  },
  /** Drops the references the plain arrays and the pooled Columns hold: the pool is free again.
   * What was released is not released again (reset() after the engine's release()). */
  release() {
    this.busy = false;
    const list = this.bufs.Array;
    for (let i = 0; i < this.used.Array; i++) list[i].fill(undefined);
    const cols = this.bufs.Column;
    for (let i = 0; i < this.used.Column; i++) cols[i].init(null, 0, false);
    this.used.Array = this.used.Column = 0;
  },
};

// The core's codes (pt_wasm_constants), read from the engine by the first transcription: input
// kinds (a Column's kind), cell states, batch forms.
let K = null;
let CELL = null;
let FORM = null;

/** One column of a batch being transcribed; made by scratch.column, never by `new` elsewhere. */
class Column {
  constructor() {
    this.init(null, 0, false);
  }

  /**
   * (Re)starts this column.
   * @param {object|null} field  field info (null: the dynamic $meta column)
   * @param {number} n rows
   * @param {boolean} [allocate] false: no value buffers yet (a column given whole sets its own
   *   with setFlat, or calls allocate() when it has to be transcribed cell by cell)
   */
  init(field, n, allocate = true) {
    this.field = field;
    this.n = n;
    this.cells = null;
    this.got = null;
    this.gotLength = 0;
    this.name = null;
    this.written = 0;
    this.index = field ? field.index : -2;
    this.width = 1;
    this.rowVectors = null;
    this.rowData = null;
    this.inRowData = 0;
    if (allocate) this.allocate();
    else this.setKind(K.ABSENT, null);
    return this;
  }

  /** The value buffers for a cell-by-cell transcription. */
  allocate() {
    const field = this.field, n = this.n;
    const t = field ? field.dtype : DataType.JSON;
    if (t === DataType.BOOL) this.setKind(K.BOOL, scratch.take(Uint8Array, n));
    else if (isIntegerType(t)) this.setKind(K.DOUBLE, scratch.take(Float64Array, n));
    else if (t === DataType.FLOAT || t === DataType.DOUBLE) this.setKind(K.DOUBLE, scratch.take(Float64Array, n));
    else if (isStringType(t)) this.setKind(K.TEXT, scratch.array(n));
    else if (t === DataType.JSON || t === DataType.ARRAY || t === DataType.SPARSE_FLOAT_VECTOR) this.setKind(K.JSON, scratch.array(n));
    else if (isDenseVectorType(t)) {
      this.width = t === DataType.BINARY_VECTOR ? field.dim / 8 : field.dim;
      // each row's vector is kept by reference and copied once, by the engine, straight into
      // linear memory (a column given whole replaces this with setFlat)
      this.setKind(K.FLOAT32, null);
      this.rowVectors = scratch.array(n);
    } else this.setKind(K.ABSENT, null);
  }

  setKind(kind, values) {
    this.kind = kind;
    this.values = values;
  }

  mark(r, state, got, length = 0) {
    if (!this.cells) this.cells = scratch.take(Uint8Array, this.n);
    this.cells[r] = state;
    if (this.got === null && (state === CELL.WRONG_TYPE || state === CELL.OUT_OF_RANGE || state === CELL.WRONG_LENGTH)) {
      this.got = got ?? '';
      this.gotLength = length;
    }
  }

  /** Transcribes value v of row r. */
  set(r, v) {
    if (v === undefined) return this.mark(r, CELL.MISSING);
    if (v === null) return this.mark(r, CELL.NULL);
    const f = this.field;
    const t = f ? f.dtype : DataType.JSON;
    switch (this.kind) {
      case K.BOOL:
        if (typeof v === 'boolean') this.values[r] = v ? 1 : 0;
        else this.mark(r, CELL.WRONG_TYPE, typeName(v));
        return;
      case K.DOUBLE:
        if (typeof v === 'number') this.values[r] = v;
        else if (typeof v === 'bigint') {
          if (isIntegerType(t)) {
            this.toInt64();
            return this.set(r, v);
          }
          this.values[r] = Number(v);
        } else this.mark(r, CELL.WRONG_TYPE, typeName(v));
        return;
      case K.INT64:
        if (typeof v === 'bigint') {
          if (v < INT64_MIN || v > INT64_MAX) this.mark(r, CELL.OUT_OF_RANGE, v.toString());
          else this.values[r] = v;
        } else if (typeof v === 'number') {
          if (!Number.isInteger(v)) this.mark(r, CELL.WRONG_TYPE, 'float');
          else if (v < -9223372036854775808 || v >= 9223372036854775808) this.mark(r, CELL.OUT_OF_RANGE, String(v));
          else this.values[r] = BigInt(v);
        } else this.mark(r, CELL.WRONG_TYPE, typeName(v));
        return;
      case K.TEXT:
        if (typeof v === 'string') this.values[r] = v;
        else this.mark(r, CELL.WRONG_TYPE, typeName(v));
        return;
      case K.JSON:
        return this.setJson(r, v, t);
      case K.FLOAT32:
      case K.BYTES:
        return this.setVector(r, v, t);
      default:
        return this.mark(r, CELL.WRONG_TYPE, typeName(v));
    }
  }

  /** Switches a DOUBLE integer column to exact int64 (a BigInt arrived). */
  toInt64() {
    const old = this.values;
    const next = new BigInt64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      if (this.cells && this.cells[i] !== CELL.VALUE) continue;
      const x = old[i];
      if (Number.isInteger(x) && x >= -9223372036854775808 && x < 9223372036854775808) next[i] = BigInt(x);
    }
    // non-integer doubles written so far are judged by the core as floats: keep them tagged
    for (let i = 0; i < this.n; i++) {
      if (this.cells && this.cells[i] !== CELL.VALUE) continue;
      if (!Number.isInteger(old[i])) this.mark(i, CELL.WRONG_TYPE, 'float');
    }
    this.setKind(K.INT64, next);
  }

  setJson(r, v, t) {
    const f = this.field;
    let text;
    if (t === DataType.JSON && typeof v === 'string') {
      text = v; // pymilvus 2.6: a str for a JSON field is a JSON document
    } else if (t === DataType.ARRAY) {
      const kind = typedKind(v);
      if (!Array.isArray(v) && kind === undefined) return this.mark(r, CELL.WRONG_TYPE, typeName(v));
      text = toJsonText(kind === undefined ? v : Array.from(v));
    } else if (t === DataType.SPARSE_FLOAT_VECTOR) {
      text = toJsonText(sparseToJson(v));
    } else {
      text = toJsonText(v);
    }
    if (text === TOO_DEEP)
      throw new DataNotMatchException(CLIENT_ERROR, `Invalid JSON value of field (${f ? f.name : '$meta'}) in row ${r}: it nests too deeply ` +
        '(JSON values may nest at most 1000 levels)', { row: r, field: f ? f.name : '$meta' });
    if (text === undefined) return this.mark(r, CELL.WRONG_TYPE, typeName(v));
    this.values[r] = text;
  }

  setVector(r, v, t) {
    const w = this.width;
    const kind = typedKind(v);
    checkFloatVectorKind(t, kind, `(field ${this.field.name}, row ${r})`);
    // FLOAT16 / BFLOAT16 given as raw halves (Uint16Array) or raw bytes (Uint8Array): copied now
    const half = t === DataType.FLOAT16_VECTOR || t === DataType.BFLOAT16_VECTOR;
    if (half && (kind === 'Uint16Array' || kind === 'Uint8Array')) {
      // bytes per row: the width is the dim until the first row switches the column to bytes
      const rowBytes = this.kind === K.BYTES ? w : w * 2;
      if (this.kind !== K.BYTES) {
        if (this.written) return this.mark(r, CELL.WRONG_TYPE, typeName(v)); // mixed forms in one column
        this.toBytes(rowBytes);
      }
      this.written++;
      const b = typedBytes(v);
      if (b.length !== rowBytes) return this.mark(r, CELL.WRONG_LENGTH, typeName(v), b.length / 2);
      this.values.set(b, r * rowBytes);
      return;
    }
    if (this.kind === K.BYTES) return this.mark(r, CELL.WRONG_TYPE, typeName(v)); // mixed forms in one column
    if (Array.isArray(v)) {
      const length = v.length;
      if (length !== w) return this.mark(r, CELL.WRONG_LENGTH, typeName(v), t === DataType.BINARY_VECTOR ? length * 8 : length);
      this.written++;
      // numbers read once, converted to float32 as TypedArray.set converts them
      const data = (this.rowData ??= scratch.take(Float32Array, this.n * w));
      for (let j = 0, at = r * w; j < w; j++) {
        const x = v[j];
        if (typeof x !== 'number') return this.mark(r, CELL.WRONG_TYPE, typeName(v));
        data[at + j] = x;
      }
      this.rowVectors[r] = IN_ROW_DATA;
      this.inRowData++;
      return;
    }
    if (kind === undefined || kind === 'BigInt64Array' || kind === 'BigUint64Array') return this.mark(r, CELL.WRONG_TYPE, typeName(v));
    // INT8 vectors: a Uint8Array holds the raw two's-complement bytes
    if (t === DataType.INT8_VECTOR && kind === 'Uint8Array') {
      const b = typedBytes(v);
      v = new Int8Array(b.buffer, b.byteOffset, b.length);
    }
    const length = typedLength(v);
    if (length !== w) return this.mark(r, CELL.WRONG_LENGTH, typeName(v), t === DataType.BINARY_VECTOR ? length * 8 : length);
    this.written++;
    this.rowVectors[r] = v; // a numeric typed array, by reference: the engine checks its length again
  }

  /** Switches a vector column to raw bytes (the first row given as bytes decides). */
  toBytes(bytesPerRow) {
    this.width = bytesPerRow;
    this.rowVectors = null;
    this.setKind(K.BYTES, new Uint8Array(this.n * bytesPerRow));
  }

  /** A flat typed column (fast path): values for every row at once. */
  setFlat(kind, values, width = 1) {
    this.kind = kind;
    this.values = values;
    this.width = width;
    this.rowVectors = null;
  }
}

/** rowVectors[r] of a row whose vector was given as an array: its values are in rowData (the
 * engine tells it from a typed array as a number). */
const IN_ROW_DATA = 1;

/** Sparse vector forms → a JSON-able form the core reads. */
function sparseToJson(v) {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), x]));
  if (v && typeof v === 'object' && 'indices' in v && 'values' in v)
    return { indices: Array.from(v.indices, Number), values: Array.from(v.values, Number) };
  return v;
}

// ---------------------------------------------------------------------------------------------
// Forms
// ---------------------------------------------------------------------------------------------

/** Field names a plain object inherits (toString, constructor, ...): a row must own them. */
const INHERITED = (name) => name in Object.prototype;

// One column of rows, by the column's kind. Each loop sees one kind of value in the common case
// and stores it without a call; only other values take the general Column.set. (A number that
// is not a small integer still comes out of row[name] boxed: a load by a name known only at run
// time returns a tagged value, and partita generates no code per schema.) A cell is absent when its value is undefined or inherited (a field named
// toString), and rows with another prototype (`odd`) must own what they give.
const absent = (row, name, v, mustOwn, odd, r) => v === undefined || ((mustOwn || (odd !== null && odd[r] === 1)) && !Object.hasOwn(row, name));

function readNumbers(col, rows, name, mustOwn, odd, missing) {
  const values = col.values;
  for (let r = 0, n = col.n; r < n; r++) {
    const row = rows[r];
    const v = row[name];
    if (absent(row, name, v, mustOwn, odd, r)) {
      missing[r]++;
      col.set(r, undefined);
    } else if (typeof v === 'number' && col.values === values) values[r] = v;
    else col.set(r, v); // a BigInt switches the column to int64; anything else is tagged
  }
}

// readNumbers again, for the primary key alone, and on purpose: a load site that only ever sees
// one name (the key's) reads a key that is not a small integer as a double, without boxing it,
// where the site in readNumbers sees every other numeric field's name, goes generic and boxes
// (100,000 HeapNumbers a load of rows). A shared body cannot do this: a loader function passed
// in, or two sites merged into one value, box again (measured).
function readKeys(col, rows, name, mustOwn, odd, missing) {
  const values = col.values;
  for (let r = 0, n = col.n; r < n; r++) {
    const row = rows[r];
    const v = row[name];
    if (absent(row, name, v, mustOwn, odd, r)) {
      missing[r]++;
      col.set(r, undefined);
    } else if (typeof v === 'number' && col.values === values) values[r] = v;
    else col.set(r, v);
  }
}

function readStrings(col, rows, name, mustOwn, odd, missing) {
  const values = col.values;
  for (let r = 0, n = col.n; r < n; r++) {
    const row = rows[r];
    const v = row[name];
    if (absent(row, name, v, mustOwn, odd, r)) {
      missing[r]++;
      col.set(r, undefined);
    } else if (typeof v === 'string') values[r] = v;
    else col.set(r, v);
  }
}

function readVectors(col, rows, name, mustOwn, odd, missing) {
  const vecs = col.rowVectors, w = col.width, F32 = K.FLOAT32;
  let f32 = col.kind === F32; // until a row switches the column to bytes (col.set)
  for (let r = 0, n = col.n; r < n; r++) {
    const row = rows[r];
    const v = row[name];
    if (absent(row, name, v, mustOwn, odd, r)) {
      missing[r]++;
      col.set(r, undefined);
    } else if (f32 && typedKind(v) === 'Float32Array' && (void v[VECTOR_PROBE], typedLength(v) === w)) {
      col.written++;
      vecs[r] = v;
    } else {
      col.set(r, v);
      f32 = col.kind === F32;
    }
  }
}

function readCells(col, rows, name, mustOwn, odd, missing) {
  for (let r = 0, n = col.n; r < n; r++) {
    const row = rows[r];
    const v = row[name];
    if (absent(row, name, v, mustOwn, odd, r)) {
      missing[r]++;
      col.set(r, undefined);
    } else col.set(r, v);
  }
}

/**
 * Row form: one column per field, plus the dynamic part (keys that are not fields).
 * Field by field rather than row by row: `row[name]` with one name over rows of one shape is
 * a monomorphic property load, and each column's common case (a number, a string, a
 * Float32Array of the right length) is written without a call.
 */
function fromRows(info, data, n) {
  if (n > info.maxRows) return oversize(FORM.ROWS, n);
  const fields = info.fields, nf = fields.length;
  // 1. the rows, read once: every row an object; how many own keys each has; which rows may
  //    inherit fields
  const rows = scratch.array(n);
  const own = scratch.take(Uint16Array, n);
  const missing = scratch.take(Uint16Array, n);
  let odd = null; // rows whose prototype is not Object.prototype / null: they own what they give
  for (let r = 0; r < n; r++) {
    const row = data[r];
    if (!isPlainRow(row)) throw new DataNotMatchException(CLIENT_ERROR, 'The Input data type is inconsistent with defined schema, please check it.', { row: r });
    rows[r] = row;
    void row[ROW_PROBE];
    const proto = Object.getPrototypeOf(row);
    let k = 0;
    if (proto === Object.prototype || proto === null) {
      for (const _ in row) k++; // Object.prototype has no enumerable keys: all of these are own
    } else {
      (odd ??= scratch.take(Uint8Array, n))[r] = 1;
      for (const key in row) if (Object.hasOwn(row, key)) k++;
    }
    own[r] = k > 0xffff ? 0xffff : k;
  }
  const cols = new Array(nf);
  for (let i = 0; i < nf; i++) cols[i] = scratch.column(fields[i], n);
  const dyn = scratch.column(null, n, false); // its values are allocated for the first dynamic row
  // 2. the fields, a column at a time
  for (let i = 0; i < nf; i++) {
    const col = cols[i];
    const name = col.field.name;
    const mustOwn = INHERITED(name);
    if (col.kind === K.DOUBLE) (col.field.is_primary ? readKeys : readNumbers)(col, rows, name, mustOwn, odd, missing);
    else if (col.kind === K.TEXT) readStrings(col, rows, name, mustOwn, odd, missing);
    else if (col.kind === K.FLOAT32) readVectors(col, rows, name, mustOwn, odd, missing);
    else readCells(col, rows, name, mustOwn, odd, missing);
  }
  // 3. keys beyond the fields go to $meta (or make the core report an unexpected field): a row
  //    with exactly the fields, the common case, never makes an array of its keys, and a batch
  //    without any extra key never touches the dynamic column (its rows are marked missing only
  //    once one row has a dynamic part)
  let anyDyn = false;
  for (let r = 0; r < n; r++) {
    if (own[r] + missing[r] > nf) {
      const row = rows[r];
      let extra = null;
      for (const k of Object.keys(row)) {
        if (info.fieldIndex.has(k) || row[k] === undefined) continue;
        extra ??= Object.create(null);
        extra[k] = row[k];
      }
      if (extra) {
        if (!anyDyn) {
          dyn.allocate();
          for (let q = 0; q < r; q++) dyn.mark(q, CELL.MISSING);
          anyDyn = true;
        }
        dyn.setJson(r, extra, DataType.JSON);
        continue;
      }
    }
    if (anyDyn) dyn.mark(r, CELL.MISSING);
  }
  if (anyDyn) cols.push(dyn);
  return { form: FORM.ROWS, n, cols, nColumns: cols.length, release: releaseBatch };
}

/** The length of a list the caller gave (a Proxy may claim any): a count, or an error. */
function count(n) {
  if (Number.isInteger(n) && n >= 0) return n;
  throw new DataTypeNotSupportException(CLIENT_ERROR, `The data should be a list of list: a list claims a length of ${typeof n === 'number' ? n : typeof n}`);
}

/** A batch of more rows than the collection's maxRows, passed on unread: the core refuses it by
 * its row count (maxInsertSize) before it looks at a column. */
const oversize = (form, n) => ({ form, n: Math.min(n, 0xffffffff), cols: [], nColumns: 0, release: releaseBatch });

/** Fields a column batch of `m` columns carries, in order, for their types (pymilvus: insert
 * leaves out an auto_id key; where the collection allows it, one column more is the key column
 * in its place). The core maps the columns to fields and checks their number. */
function expectedFields(info, op, m) {
  const withKey = op === 'insert' && info.allow_insert_auto_id && m === info.fields.length;
  return info.fields.filter((f) => withKey || !(op === 'insert' && f.is_primary && f.auto_id));
}

/** Rows of a column given whole: a flat Float32Array / Float64Array of a vector field holds
 * rows × dim values. Typed arrays are measured by the engine (core/engine.js). */
function columnLength(col, f) {
  const kind = typedKind(col);
  if (kind === undefined) return col.length;
  if (f && isDenseVectorType(f.dtype) && (kind === 'Float32Array' || kind === 'Float64Array')) {
    const w = f.dtype === DataType.BINARY_VECTOR ? f.dim / 8 : f.dim;
    return Math.ceil(typedLength(col) / w);
  }
  return typedLength(col);
}

/** Reads a column's n values once into `values`; true when every one is a string. A function
 * of its own, not a loop inlined into transcribeColumn: a small one V8 optimises during the
 * first batches, where transcribeColumn, called once per column, was optimised only in the
 * middle of a load (5-30 ms of compiling then, on the 2-core VM under load). */
function readColumn(col, values, n) {
  let strings = true;
  for (let r = 0; r < n; r++) {
    const v = col[r];
    values[r] = v;
    if (typeof v !== 'string') strings = false;
  }
  return strings;
}

/** One column given as a whole (column and DataFrame forms), `n` rows long (columnLength). */
function transcribeColumn(f, col, name, n) {
  if (!f) {
    const c = scratch.column(null, n, false);
    c.name = name;
    c.index = -1;
    return c;
  }
  const t = f.dtype;
  const c = scratch.column(f, n, false);
  c.name = name;
  c.index = -1;
  // fast paths: typed arrays that are already what the core stores
  const kind = typedKind(col);
  if (isDenseVectorType(t) && (kind === 'Float32Array' || kind === 'Float64Array') && t !== DataType.BINARY_VECTOR) {
    const w = f.dim, length = typedLength(col);
    c.setFlat(kind === 'Float32Array' ? K.FLOAT32 : K.DOUBLE, col, w);
    if (length % w !== 0) {
      c.mark(n - 1, CELL.WRONG_LENGTH, typeName(col), length % w);
      c.values = kind === 'Float32Array' ? new Float32Array(n * w) : new Float64Array(n * w);
      c.values.set(col);
    }
    return c;
  }
  if (isIntegerType(t) && kind === 'BigInt64Array') return c.setFlat(K.INT64, col), c;
  if (isIntegerType(t) && kind === 'Int32Array') return c.setFlat(K.INT32, col), c;
  if ((isIntegerType(t) || t === DataType.DOUBLE || t === DataType.FLOAT) && kind === 'Float64Array')
    return c.setFlat(K.DOUBLE, col), c;
  if (t === DataType.FLOAT && kind === 'Float32Array') return c.setFlat(K.FLOAT32, col), c;
  // anything else is read once, value by value; a column of strings is kept as read
  const values = scratch.array(n);
  if (readColumn(col, values, n) && isStringType(t)) return c.setFlat(K.TEXT, values), c;
  c.allocate();
  for (let r = 0; r < n; r++) c.set(r, values[r]);
  return c;
}

function fromColumns(info, data, m, op) {
  const fields = expectedFields(info, op, m);
  // more columns than fields and one: the core refuses their number, none of them is read
  if (m > fields.length + 1) return { form: FORM.COLUMNS, n: 0, cols: [], nColumns: Math.min(m, 0xffffffff), release: releaseBatch };
  // the columns and their lengths, read once, before anything of their size is allocated
  const given = new Array(m), lengths = new Array(m);
  let n = 0;
  for (let k = 0; k < m; k++) {
    const col = data[k];
    if (!Array.isArray(col) && typedKind(col) === undefined)
      throw new DataTypeNotSupportException(CLIENT_ERROR, 'The data should be a list of list');
    given[k] = col;
    lengths[k] = count(columnLength(col, k < fields.length ? fields[k] : null));
    if (lengths[k] > info.maxRows) return oversize(FORM.COLUMNS, lengths[k]);
    n = Math.max(n, lengths[k]);
  }
  const cols = given.map((col, k) => transcribeColumn(k < fields.length ? fields[k] : null, col, null, lengths[k]));
  return { form: FORM.COLUMNS, n, cols, nColumns: m, release: releaseBatch };
}

/** Values of an Arrow column, as plain JS values (or a flat typed array for vectors). */
function arrowColumn(table, name, f, n) {
  const vec = table.getChild(name);
  if (f && isDenseVectorType(f.dtype) && f.dtype !== DataType.BINARY_VECTOR && vec.nullCount === 0) {
    // FixedSizeList<Float32>: read the child values of every chunk without materialising rows
    const w = f.dim;
    const flat = new Float32Array(n * w);
    let at = 0, ok = true;
    for (const d of vec.data) {
      const child = d.children && d.children[0];
      const values = child && typedKind(child.values) === 'Float32Array' ? child.values : null;
      const from = values && child.offset + d.offset * w, size = values && d.length * w;
      if (!values || d.stride !== w || !(Number.isInteger(from) && Number.isInteger(size) && from >= 0 && size >= 0 &&
          at + size <= flat.length && from + size <= typedLength(values))) {
        ok = false;
        break;
      }
      flat.set(Float32Array.prototype.subarray.call(values, from, from + size), at);
      at += size;
    }
    if (ok && at === n * w) return flat;
  }
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = arrowValue(vec.get(i));
  return out;
}

function arrowValue(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') {
    if (typeof v.toArray === 'function') return v.toArray();
    if (typeof v.toJSON === 'function') return v.toJSON();
  }
  return v;
}

function fromArrow(info, table) {
  const n = count(table.numRows);
  if (n > info.maxRows) return oversize(FORM.DATAFRAME, n);
  const cols = Array.from(table.schema.fields, (af) => {
    const name = String(af.name);
    const f = info.fieldIndex.has(name) ? info.fields[info.fieldIndex.get(name)] : null;
    return transcribeColumn(f, arrowColumn(table, name, f, n), name, n);
  });
  return { form: FORM.DATAFRAME, n, cols, nColumns: cols.length, release: releaseBatch };
}

/**
 * Decides the form of `data` (`op`: 'insert' or 'upsert') and transcribes it. The batch lives in
 * the scratch pool until the engine's write() has copied it (or failed to): one batch at a time,
 * so the caller hands it to write() with nothing in between that could throw. A write started
 * while another batch's rows are being read (from a getter or a Proxy of a row) is refused, as
 * it would otherwise overwrite the other batch's columns.
 */
export function transcribe(info, data, op) {
  if (scratch.busy)
    throw new MilvusException(CLIENT_ERROR, 'a write was started while the rows of another write were being read ' +
      '(from a getter or a Proxy of a row?): partita reads one batch at a time');
  if (K === null) ({ input: K, cell: CELL, form: FORM } = engine().constants);
  scratch.reset();
  try {
    if (isArrowTable(data)) return fromArrow(info, data);
    if (Array.isArray(data)) {
      const n = count(data.length);
      if (n > 0 && isPlainRow(data[0])) return fromRows(info, data, n);
      return fromColumns(info, data, n, op);
    }
    if (isPlainRow(data)) return fromRows(info, [data], 1);
    throw new DataTypeNotSupportException(CLIENT_ERROR, 'The type of data should be List, pd.DataFrame or Dict');
  } catch (e) {
    scratch.release(); // a batch refused here never reaches the engine, which would empty them
    throw e;
  }
}

/** Releases the scratch pool that holds a transcribed batch: batch.release(), which the engine
 * calls once it has copied the batch (or failed to). */
function releaseBatch() {
  scratch.release();
}

// ---------------------------------------------------------------------------------------------
// Query vectors
// ---------------------------------------------------------------------------------------------

/** The error for a value that is not a list of vectors (the shape of the argument). */
const notVectors = (what) => new ParamError(CLIENT_ERROR, `search data must be a list of vectors, got ${what}`);

/**
 * A search's query vectors as the core's pt_vectors_in takes them (the core judges them: their
 * number, each one's size, their values and ranges): { kind, n, width, values, cells, got,
 * gotLength } for dense fields, { kind: JSON, n, text } for sparse ones. `field` is the field
 * the core will search (info.fields), `maxNq` the core's limit on their number.
 *
 * `field` null (no vector field to read them for): nothing is read, the core reports it.
 *
 * `data` is a list of vectors, one vector (numbers, or a typed array of one vector's length), or
 * one flat typed array of n × width values; sparse vectors are objects, Maps or { indices,
 * values }, one or a list. Numbers travel as doubles (a flat Float32Array as it is); raw bytes
 * as bytes: FLOAT16 / BFLOAT16 halves (Uint16Array, or little-endian in a Uint8Array), INT8
 * two's-complement bytes (Uint8Array), BINARY bytes. Nothing is read for more than `maxNq`
 * vectors (their number alone goes), nor the values of a vector of another size (its size
 * alone: cell WRONG_LENGTH) or of one holding something else than numbers (WRONG_TYPE).
 */
export function transcribeQueries(data, field, maxNq) {
  if (K === null) ({ input: K, cell: CELL, form: FORM } = engine().constants);
  // no vector field to read them for: nothing is read, the core reports the field
  if (field === null || !isVectorType(field.dtype)) return { kind: K.DOUBLE, n: 1, width: 0, values: new Float64Array(0), cells: null, got: null, gotLength: 0 };
  const t = field.dtype;
  if (t === DataType.SPARSE_FLOAT_VECTOR) {
    const list = Array.isArray(data) ? data : [data];
    const n = list.length;
    if (!(n >= 1 && n <= maxNq)) return { kind: K.JSON, n: Math.min(n, 0xffffffff), text: null };
    // each read once; texts (a search by text): plain strings, written without a replacer
    const items = new Array(n);
    let texts = true;
    for (let i = 0; i < n; i++) texts = typeof (items[i] = list[i]) === 'string' && texts;
    const text = texts ? JSON.stringify(items) : toJsonText(items.map(sparseToJson));
    if (text === TOO_DEEP) throw new ParamError(CLIENT_ERROR, 'search data nests too deeply (JSON values may nest at most 1000 levels)');
    if (text === undefined) throw notVectors(typeName(data));
    return { kind: K.JSON, n: 0, text };
  }
  const half = t === DataType.FLOAT16_VECTOR || t === DataType.BFLOAT16_VECTOR;
  const w = t === DataType.BINARY_VECTOR ? field.dim / 8 : field.dim;
  // raw bytes of one vector or of many, for the fields that take them
  const rawKind = (kind) => (half && (kind === 'Uint16Array' || kind === 'Uint8Array')) ||
    (kind === 'Uint8Array' && (t === DataType.INT8_VECTOR || t === DataType.BINARY_VECTOR)) || (kind === 'Int8Array' && t === DataType.INT8_VECTOR);
  const rawWidth = half ? w * 2 : w;
  const flatKind = typedKind(data);
  if (flatKind !== undefined) {
    if (flatKind === 'BigInt64Array' || flatKind === 'BigUint64Array') throw new ParamError(CLIENT_ERROR, `search data must be vectors of numbers, got ${typeName(data)}`);
    checkFloatVectorKind(t, flatKind, 'in search data');
    const raw = rawKind(flatKind);
    const width = raw ? rawWidth : w;
    // measured first: nothing is copied for more vectors than the core takes
    const total = raw ? typedBytes(data).length : typedLength(data);
    const n = Math.max(1, Math.ceil(total / width));
    if (n > maxNq) return { kind: K.DOUBLE, n: Math.min(n, 0xffffffff), width: w, values: null, cells: null, got: null, gotLength: 0 };
    // copied by set(), which reads a typed array's elements without running any code of its own;
    // n whole vectors (a short last one is marked below, and never read)
    const values = raw ? new Uint8Array(n * width) : flatKind === 'Float32Array' ? new Float32Array(n * width) : new Float64Array(n * width);
    values.set(raw ? typedBytes(data).subarray(0, total) : data);
    const out = { kind: raw ? K.BYTES : flatKind === 'Float32Array' ? K.FLOAT32 : K.DOUBLE, n, width, values, cells: null, got: null, gotLength: 0 };
    if (total !== n * width) {
      // the last vector is short: its size alone (in values: halves for raw halves)
      out.cells = new Uint8Array(n);
      out.cells[n - 1] = CELL.WRONG_LENGTH;
      out.got = flatKind;
      out.gotLength = half && raw ? Math.floor((total % width) / 2) : total % width;
    }
    return out;
  }
  if (!Array.isArray(data)) throw notVectors(typeName(data));
  const first = data.length > 0 ? data[0] : undefined;
  const list = typeof first === 'number' || typeof first === 'bigint' ? [data] : data;
  const n = list.length;
  if (!(n >= 1 && n <= maxNq)) return { kind: K.DOUBLE, n: Math.min(n, 0xffffffff), width: w, values: null, cells: null, got: null, gotLength: 0 };
  // the form of the first vector decides: raw bytes, or numbers
  const raw = rawKind(typedKind(list === data ? first : data));
  const width = raw ? rawWidth : w;
  const values = raw ? new Uint8Array(n * width) : new Float64Array(n * width);
  const out = { kind: raw ? K.BYTES : K.DOUBLE, n, width, values, cells: null, got: null, gotLength: 0 };
  let sized = false; // a vector of another size was seen: its size is the one reported
  const mark = (r, state, got, length = 0) => {
    out.cells ??= new Uint8Array(n);
    out.cells[r] = state;
    if (state === CELL.WRONG_LENGTH && !sized) [sized, out.gotLength] = [true, length];
    else if (state === CELL.WRONG_TYPE && out.got === null) out.got = got;
  };
  for (let r = 0; r < n; r++) {
    const v = list === data && r === 0 ? first : list[r];
    const kind = typedKind(v);
    if (kind === 'BigInt64Array' || kind === 'BigUint64Array') throw new ParamError(CLIENT_ERROR, `search data must be vectors of numbers, got ${typeName(v)}`);
    checkFloatVectorKind(t, kind, 'in search data');
    if (kind === undefined && !Array.isArray(v)) throw notVectors(`a list of ${typeName(v)}`);
    if (raw !== (kind !== undefined && rawKind(kind))) {
      // raw bytes and numbers mixed in one list: INT8 bytes and numbers agree on their values
      if (!(kind === 'Uint8Array' || kind === 'Int8Array') || half) { mark(r, CELL.WRONG_TYPE, typeName(v)); continue; }
    }
    if (raw) {
      const b = typedBytes(v);
      if (b.length !== width) { mark(r, CELL.WRONG_LENGTH, null, half ? Math.floor(b.length / 2) : b.length); continue; }
      values.set(b, r * width);
      continue;
    }
    const length = kind === undefined ? v.length : typedLength(v);
    if (length !== w) { mark(r, CELL.WRONG_LENGTH, null, length); continue; }
    if (kind !== undefined) {
      const b = kind === 'Uint8Array' && t === DataType.INT8_VECTOR ? typedBytes(v) : null;
      values.set(b ? new Int8Array(b.buffer, b.byteOffset, w) : v, r * w);
      continue;
    }
    for (let j = 0, at = r * w; j < w; j++) {
      const x = v[j];
      if (typeof x !== 'number') { mark(r, CELL.WRONG_TYPE, typeName(x)); break; }
      values[at + j] = x;
    }
  }
  return out;
}

/** Query vectors given as JSON text (a REST body's `data`, a list of vectors): the core reads
 * them for the field it searches. */
export function queriesJson(text) {
  if (K === null) ({ input: K, cell: CELL, form: FORM } = engine().constants);
  return { kind: K.JSON, n: 0, text };
}
