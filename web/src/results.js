// results.js — what comes back from the core: MutationResult, and query rows decoded from the
// columnar pt_rows into plain objects.

import { decoder } from './binding.js';
import { DataType } from './dtype.js';

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** INT64 as a number when it is a safe integer, as a BigInt otherwise. */
export function int64Value(v) {
  return v >= SAFE_MIN && v <= SAFE_MAX ? Number(v) : v;
}

// JSON values (JSON fields, ARRAY values, dynamic keys) keep their integers exactly, as INT64
// values do: an integer beyond 2^53 (written as a BigInt, or over REST) reads back as a BigInt.
// JSON.parse would round it, so a text with such an integer is parsed with each one quoted
// behind a marker no stored string can begin with, and the reviver makes the BigInts: a low
// surrogate, which at the start of a string is always a lone one, and the core refuses those.
const BIG_MARK = '\udc00';
const reviveBig = (_k, v) => (typeof v === 'string' && v.startsWith(BIG_MARK) ? BigInt(v.slice(BIG_MARK.length)) : v);
const LONG_DIGITS = /[0-9]{16}/; // shorter integers are safe

const isDigit = (ch) => ch >= 48 && ch <= 57;

/** JSON text (valid: the core's) as JS values, integers beyond 2^53 as BigInts. */
export function parseJson(text) {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  let out = '', last = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
    } else if (ch === 45 /* - */ || isDigit(ch)) {
      let j = i + 1, integer = true;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (isDigit(d)) continue;
        if (d === 46 /* . */ || d === 101 /* e */ || d === 69 /* E */ || d === 43 /* + */ || d === 45 /* - */) integer = false;
        else break;
      }
      if (integer && j - i >= 16) {
        const n = BigInt(text.slice(i, j));
        if (n < SAFE_MIN || n > SAFE_MAX) {
          out += `${text.slice(last, i)}"${BIG_MARK}${n}"`;
          last = j;
        }
      }
      i = j - 1;
    }
  }
  return last === 0 ? JSON.parse(text) : JSON.parse(out + text.slice(last), reviveBig);
}

/**
 * The result of insert / upsert / delete: pymilvus's MutationResult, field for field.
 * A call succeeds whole or throws, so succ_index is every row and err_index is empty.
 */
export class MutationResult {
  constructor({ insert_count = 0, delete_count = 0, upsert_count = 0, timestamp = 0n, primary_keys = [], succ_index = [] } = {}) {
    /** @type {number} */ this.insert_count = insert_count;
    /** @type {number} */ this.delete_count = delete_count;
    /** @type {number} */ this.upsert_count = upsert_count;
    /** @type {number} */ this.succ_count = succ_index.length;
    /** Frozen when the result comes from the store (results of one size share it). @type {readonly number[]} */
    this.succ_index = succ_index;
    /** @type {number} */ this.err_count = 0;
    /** @type {number[]} */ this.err_index = [];
    /** @type {Array<number|bigint|string>} */ this.primary_keys = primary_keys;
    /** Hybrid timestamp: physical milliseconds << 18 | logical counter. @type {bigint} */
    this.timestamp = timestamp;
  }

  /** pymilvus's str(MutationResult), including its missing closing parenthesis. */
  toString() {
    return (
      `(insert count: ${this.insert_count}, delete count: ${this.delete_count}, upsert count: ${this.upsert_count}, ` +
      `timestamp: ${this.timestamp}, success count: ${this.succ_count}, err count: ${this.err_count}`
    );
  }
}

/** succ_index of a result of n rows, [0, n): every row succeeds or the call throws, so results
 * of one size share one frozen list (made once: a load of equal batches allocates none). */
let lastIndexList = Object.freeze([]);
function indexList(n) {
  if (lastIndexList.length !== n) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(i);
    lastIndexList = Object.freeze(out);
  }
  return lastIndexList;
}

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

/** Reads a pt_mutation_result from linear memory (the caller clears it afterwards). */
export function readMutationResult(core, ptr, withIndex) {
  const L = core.layout.pt_mutation_result;
  const dv = core.dv;
  const n = Number(dv.getBigUint64(ptr + L.n_keys, true));
  const keyType = dv.getInt32(ptr + L.key_type, true);
  // filled by index, made with its length: grown by push instead, the keys of a load of rows
  // took 6-10 ms rather than 2.6-4.2 ms (a load of 100,000 rows, measured)
  const keys = new Array(n);
  if (n && keyType === DataType.INT64)
    decodeIntKeys(core.M.HEAP32, core.M.HEAPU32, dv, dv.getUint32(ptr + L.int_keys, true) >>> 2, n, keys);
  else if (n && keyType === DataType.VARCHAR)
    decodeStringKeys(core.u8, core.M.HEAPU32, dv.getUint32(ptr + L.str_offsets, true), dv.getUint32(ptr + L.str_data, true), n, keys);
  return new MutationResult({
    insert_count: Number(dv.getBigUint64(ptr + L.insert_count, true)),
    delete_count: Number(dv.getBigUint64(ptr + L.delete_count, true)),
    upsert_count: Number(dv.getBigUint64(ptr + L.upsert_count, true)),
    timestamp: dv.getBigUint64(ptr + L.timestamp, true),
    primary_keys: keys,
    succ_index: withIndex ? indexList(n) : [],
  });
}

// ---------------------------------------------------------------------------------------------
// Query rows
// ---------------------------------------------------------------------------------------------

function f16ToNumber(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
const bf16View = new Float32Array(1), bf16Bits = new Uint32Array(bf16View.buffer);
function bf16ToNumber(h) {
  bf16Bits[0] = h << 16;
  return bf16View[0];
}

/** Copies `len` bytes out of linear memory into a fresh, aligned ArrayBuffer. */
function copyOut(core, ptr, len) {
  return core.u8.slice(ptr, ptr + len).buffer;
}

/** Decodes one pt_column_out into an array of JS values (one per row). */
function decodeColumn(core, colPtr, n) {
  const L = core.layout.pt_column_out;
  const dv = core.dv;
  const name = core.cString(dv.getUint32(colPtr + L.name, true));
  const dtype = dv.getInt32(colPtr + L.dtype, true);
  const isDynamic = dv.getInt32(colPtr + L.is_dynamic, true) === 1;
  const width = dv.getUint32(colPtr + L.width, true);
  const elem = dv.getUint32(colPtr + L.elem_size, true);
  const valuesPtr = dv.getUint32(colPtr + L.values, true);
  const offsetsPtr = dv.getUint32(colPtr + L.offsets, true);
  const validPtr = dv.getUint32(colPtr + L.valid, true);
  const valid = validPtr ? core.u8.slice(validPtr, validPtr + n) : null;
  const out = new Array(n);

  if (offsetsPtr) {
    const offs = new Uint32Array(copyOut(core, offsetsPtr, (n + 1) * 4));
    const bytes = new Uint8Array(copyOut(core, valuesPtr, offs[n]));
    const parse = dtype !== DataType.VARCHAR && dtype !== DataType.TEXT && dtype !== DataType.GEOMETRY && dtype !== DataType.TIMESTAMPTZ;
    for (let i = 0; i < n; i++) {
      if (valid && !valid[i]) { out[i] = null; continue; }
      const text = decoder.decode(bytes.subarray(offs[i], offs[i + 1]));
      out[i] = parse ? parseJson(text) : text;
    }
    if (dtype === DataType.SPARSE_FLOAT_VECTOR)
      for (let i = 0; i < n; i++) if (out[i]) out[i] = Object.fromEntries(Object.entries(out[i]).map(([k, v]) => [Number(k), v]));
    return { name, isDynamic, values: out };
  }

  const buf = copyOut(core, valuesPtr, n * width * elem);
  // one loop per type, each filling every row (a NULL row is set to null afterwards)
  switch (dtype) {
    case DataType.BOOL: { const a = new Uint8Array(buf); for (let i = 0; i < n; i++) out[i] = a[i] === 1; break; }
    case DataType.INT8: { const a = new Int8Array(buf); for (let i = 0; i < n; i++) out[i] = a[i]; break; }
    case DataType.INT16: { const a = new Int16Array(buf); for (let i = 0; i < n; i++) out[i] = a[i]; break; }
    case DataType.INT32: { const a = new Int32Array(buf); for (let i = 0; i < n; i++) out[i] = a[i]; break; }
    case DataType.INT64: {
      // two 32-bit halves: a number whenever it is a safe integer, without making a BigInt
      const w = new Int32Array(buf);
      const big = new BigInt64Array(buf);
      for (let i = 0; i < n; i++) {
        const hi = w[2 * i + 1], lo = w[2 * i] >>> 0;
        out[i] = hi >= -2097152 && hi < 2097152 ? hi * 4294967296 + lo : int64Value(big[i]);
      }
      break;
    }
    case DataType.FLOAT: { const a = new Float32Array(buf); for (let i = 0; i < n; i++) out[i] = a[i]; break; }
    case DataType.DOUBLE: { const a = new Float64Array(buf); for (let i = 0; i < n; i++) out[i] = a[i]; break; }
    case DataType.FLOAT_VECTOR: { const a = new Float32Array(buf); for (let i = 0; i < n; i++) out[i] = Array.from(a.subarray(i * width, (i + 1) * width)); break; }
    case DataType.FLOAT16_VECTOR: { const a = new Uint16Array(buf); for (let i = 0; i < n; i++) out[i] = Array.from(a.subarray(i * width, (i + 1) * width), f16ToNumber); break; }
    case DataType.BFLOAT16_VECTOR: { const a = new Uint16Array(buf); for (let i = 0; i < n; i++) out[i] = Array.from(a.subarray(i * width, (i + 1) * width), bf16ToNumber); break; }
    case DataType.INT8_VECTOR: { const a = new Int8Array(buf); for (let i = 0; i < n; i++) out[i] = Array.from(a.subarray(i * width, (i + 1) * width)); break; }
    case DataType.BINARY_VECTOR: { const a = new Uint8Array(buf); for (let i = 0; i < n; i++) out[i] = a.slice(i * width, (i + 1) * width); break; }
    default: out.fill(undefined);
  }
  if (valid) for (let i = 0; i < n; i++) if (!valid[i]) out[i] = null;
  return { name, isDynamic, values: out };
}

/** The same string, internalized: V8 looks a key that is not (as a name TextDecoder made is not)
 * up in its string table on every keyed store, 3-4 times the cost of the store itself. */
const internalized = (s) => Object.keys({ [s]: 0 })[0];

/** Decodes a pt_rows into row objects; dynamic keys become top-level keys, as in pymilvus. */
export function readRows(core, rowsPtr) {
  const M = core.exports;
  const n = M._pt_wasm_rows_count(rowsPtr);
  const ncols = M._pt_wasm_rows_num_columns(rowsPtr) >>> 0;
  const cols = [];
  for (let k = 0; k < ncols; k++) cols.push(decodeColumn(core, M._pt_wasm_rows_column(rowsPtr, k) >>> 0, n));
  // the fields first, in column order, then the dynamic keys that no field has taken; a field
  // may be called __proto__ (a valid Milvus name): an own property, never the prototype
  const fields = cols.filter((c) => !c.isDynamic), dynamic = cols.filter((c) => c.isDynamic);
  const names = fields.map((c) => internalized(c.name)), values = fields.map((c) => c.values);
  const plain = !names.includes('__proto__');
  const own = (row, key, value) => Object.defineProperty(row, key, { value, enumerable: true, writable: true, configurable: true });
  const rows = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = {};
    for (let k = 0; k < names.length; k++) {
      if (plain) row[names[k]] = values[k][i];
      else own(row, names[k], values[k][i]);
    }
    for (const c of dynamic) {
      const extra = c.values[i];
      if (extra && typeof extra === 'object') for (const key of Object.keys(extra)) if (!Object.hasOwn(row, key)) own(row, key, extra[key]);
    }
    rows[i] = row;
  }
  return rows;
}

/**
 * Decodes a pt_search_result: one list of hits per query vector, best first, each hit
 * { id, distance, entity } as pymilvus's Hit, `entity` holding the output fields (dynamic keys
 * top-level, the primary key only when it was asked for by name or by '*', as Milvus does).
 * Distances are the core's float32 values; with roundDecimal >= 0 they are rounded half up to
 * that many decimals, as Milvus rounds them.
 * @param {{ pk: string, pkInEntity?: boolean, roundDecimal?: number }} how
 */
export function readSearchResult(core, ptr, { pk, pkInEntity = false, roundDecimal = -1 }) {
  const M = core.exports;
  const nq = M._pt_wasm_search_nq(ptr) >>> 0;
  const countsPtr = M._pt_wasm_search_counts(ptr) >>> 0;
  const counts = new Uint32Array(copyOut(core, countsPtr, nq * 4));
  let total = 0;
  for (let q = 0; q < nq; q++) total += counts[q];
  const distPtr = M._pt_wasm_search_distances(ptr) >>> 0;
  const dist = new Float32Array(copyOut(core, distPtr, total * 4));
  const rows = readRows(core, M._pt_wasm_search_rows(ptr) >>> 0);
  const scale = roundDecimal >= 0 ? 10 ** roundDecimal : 0;
  const out = new Array(nq);
  let at = 0;
  for (let q = 0; q < nq; q++) {
    const hits = new Array(counts[q]);
    for (let i = 0; i < counts[q]; i++, at++) {
      const entity = rows[at];
      const id = entity[pk];
      if (!pkInEntity) delete entity[pk];
      const d = dist[at];
      hits[i] = { id, distance: scale ? Math.floor(d * scale + 0.5) / scale : d, entity };
    }
    out[q] = hits;
  }
  return out;
}
