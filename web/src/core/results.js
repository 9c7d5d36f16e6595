// results.js — what comes back from the core, as JS values: MutationResult, and the values of
// query rows and search hits decoded from the columns the engine copied out of a pt_rows into
// plain objects. Nothing here reads linear memory: the engine hands over copies.

import { DataType } from './dtype.js';

// ignoreBOM: a value that starts with U+FEFF keeps it (the default decoder drops it as a byte
// order mark, so a VARCHAR written as '\uFEFFx' read back as 'x')
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

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

/**
 * A copy of `v` that JSON.stringify can write: each BigInt as its decimal digits, as Milvus's
 * REST API writes INT64 values by default (int64-as-string): a number would round an integer
 * beyond 2^53, the text is exact. Everything else is as it is.
 */
export function jsonSafe(v) {
  if (typeof v === 'bigint') return String(v);
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) return v.map(jsonSafe);
  const out = {};
  for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: jsonSafe(v[k]), enumerable: true, writable: true, configurable: true });
  return out;
}

/** The toJSON of results that hold BigInts (rows, hits): JSON.stringify writes them with
 * jsonSafe instead of throwing "Do not know how to serialize a BigInt". */
function bigToJSON() {
  return jsonSafe(this);
}

/** Gives `obj` a non-enumerable toJSON (bigToJSON) unless it has a member of that name. */
function serialisable(obj) {
  if (!Object.hasOwn(obj, 'toJSON')) Object.defineProperty(obj, 'toJSON', { value: bigToJSON, enumerable: false, writable: true, configurable: true });
  return obj;
}

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

  /** Its fields as JSON.stringify writes them: keys and timestamp beyond 2^53 as decimal
   * strings (jsonSafe), so that a result can be logged or sent as it is. */
  toJSON() {
    return jsonSafe(this);
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
export function indexList(n) {
  if (lastIndexList.length !== n) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(i);
    lastIndexList = Object.freeze(out);
  }
  return lastIndexList;
}

// ---------------------------------------------------------------------------------------------
// Query rows
// ---------------------------------------------------------------------------------------------

export function f16ToNumber(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
const bf16View = new Float32Array(1), bf16Bits = new Uint32Array(bf16View.buffer);
export function bf16ToNumber(h) {
  bf16Bits[0] = h << 16;
  return bf16View[0];
}

/** A variable-width column's values (text, JSON) from its bytes and n + 1 offsets (copies). */
export function textValues(dtype, n, valid, offs, bytes) {
  const out = new Array(n);
  const parse = dtype !== DataType.VARCHAR && dtype !== DataType.TEXT && dtype !== DataType.GEOMETRY && dtype !== DataType.TIMESTAMPTZ;
  for (let i = 0; i < n; i++) {
    if (valid && !valid[i]) { out[i] = null; continue; }
    const text = decoder.decode(bytes.subarray(offs[i], offs[i + 1]));
    out[i] = parse ? parseJson(text) : text;
    // rows whose value may hold a BigInt (an integer of 16 digits or more), for assembleRows
    if (parse && LONG_DIGITS.test(text)) (out.maybeBig ??= new Set()).add(i);
  }
  if (dtype === DataType.SPARSE_FLOAT_VECTOR)
    for (let i = 0; i < n; i++) if (out[i]) out[i] = Object.fromEntries(Object.entries(out[i]).map(([k, v]) => [Number(k), v]));
  return out;
}

/** A fixed-width column's values from its n × width values in `buf` from byte `at` (aligned to
 * the element; read only here, every value copied out, so `buf` may be linear memory itself). */
export function fixedValues(dtype, n, width, valid, buf, at = 0) {
  const len = n * width;
  const out = new Array(n);
  // one loop per type, each filling every row (a NULL row is set to null afterwards)
  switch (dtype) {
    case DataType.BOOL: { const a = new Uint8Array(buf, at, len); for (let i = 0; i < n; i++) out[i] = a[i] === 1; break; }
    case DataType.INT8: { const a = new Int8Array(buf, at, len); for (let i = 0; i < n; i++) out[i] = a[i]; break; }
    case DataType.INT16: { const a = new Int16Array(buf, at, len); for (let i = 0; i < n; i++) out[i] = a[i]; break; }
    case DataType.INT32: { const a = new Int32Array(buf, at, len); for (let i = 0; i < n; i++) out[i] = a[i]; break; }
    case DataType.INT64: {
      // two 32-bit halves: a number whenever it is a safe integer, without making a BigInt
      const w = new Int32Array(buf, at, 2 * len);
      const big = new BigInt64Array(buf, at, len);
      for (let i = 0; i < n; i++) {
        const hi = w[2 * i + 1], lo = w[2 * i] >>> 0;
        out[i] = hi >= -2097152 && hi < 2097152 ? hi * 4294967296 + lo : int64Value(big[i]);
      }
      break;
    }
    case DataType.FLOAT: { const a = new Float32Array(buf, at, len); for (let i = 0; i < n; i++) out[i] = a[i]; break; }
    case DataType.DOUBLE: { const a = new Float64Array(buf, at, len); for (let i = 0; i < n; i++) out[i] = a[i]; break; }
    case DataType.FLOAT_VECTOR: { const a = new Float32Array(buf, at, len); for (let i = 0; i < n; i++) out[i] = Array.from(a.subarray(i * width, (i + 1) * width)); break; }
    case DataType.FLOAT16_VECTOR: { const a = new Uint16Array(buf, at, len); for (let i = 0; i < n; i++) out[i] = Array.from(a.subarray(i * width, (i + 1) * width), f16ToNumber); break; }
    case DataType.BFLOAT16_VECTOR: { const a = new Uint16Array(buf, at, len); for (let i = 0; i < n; i++) out[i] = Array.from(a.subarray(i * width, (i + 1) * width), bf16ToNumber); break; }
    case DataType.INT8_VECTOR: { const a = new Int8Array(buf, at, len); for (let i = 0; i < n; i++) out[i] = Array.from(a.subarray(i * width, (i + 1) * width)); break; }
    case DataType.BINARY_VECTOR: { const a = new Uint8Array(buf, at, len); for (let i = 0; i < n; i++) out[i] = a.slice(i * width, (i + 1) * width); break; }
    default: out.fill(undefined);
  }
  if (valid) for (let i = 0; i < n; i++) if (!valid[i]) out[i] = null;
  return out;
}

/** The same string, internalized: V8 looks a key that is not (as a name TextDecoder made is not)
 * up in its string table on every keyed store, 3-4 times the cost of the store itself. */
const internalized = (s) => Object.keys({ [s]: 0 })[0];

/** Row objects from decoded columns ({ name, isDynamic, values }); dynamic keys become
 * top-level keys, as in pymilvus. */
export function assembleRows(cols, n) {
  // the fields first, in column order, then the dynamic keys that no field has taken; a field
  // may be called __proto__ (a valid Milvus name): an own property, never the prototype
  const fields = cols.filter((c) => !c.isDynamic), dynamic = cols.filter((c) => c.isDynamic);
  const names = fields.map((c) => internalized(c.name)), values = fields.map((c) => c.values);
  const plain = !names.includes('__proto__');
  const rows = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = {};
    for (let k = 0; k < names.length; k++) {
      if (plain) row[names[k]] = values[k][i];
      else setOwn(row, names[k], values[k][i]);
    }
    for (const c of dynamic) {
      const extra = c.values[i];
      if (extra && typeof extra === 'object') for (const key of Object.keys(extra)) if (!Object.hasOwn(row, key)) setOwn(row, key, extra[key]);
    }
    // a row holding a BigInt (an INT64 beyond 2^53, or one inside a JSON value) can be written
    // by JSON.stringify (bigToJSON); other rows are plain objects, as JSON writes them already
    let big = false;
    for (let k = 0; k < values.length && !big; k++) big = typeof values[k][i] === 'bigint' || Boolean(values[k].maybeBig?.has(i));
    for (let k = 0; k < dynamic.length && !big; k++) big = Boolean(dynamic[k].values.maybeBig?.has(i));
    if (big) serialisable(row);
    rows[i] = row;
  }
  return rows;
}

/** An own, enumerable property (a field may be called __proto__: never the prototype). */
const setOwn = (obj, key, value) => Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });

/**
 * The `int64: 'string'` key mode (connections.connect): the INT64 values of a result, in place,
 * as their decimal digits, as Milvus's REST API writes int64 and the Node SDK reads it: INT64
 * fields, the elements of ARRAY fields of INT64, an INT64 primary key's hit ids and
 * MutationResult keys. `result`: rows, lists of hits per query, or a MutationResult; `fields`:
 * the schema's fields ({ name, dtype, element_type, is_primary }). JSON and dynamic values keep
 * their form (BigInts beyond 2^53, written as digits by toJSON).
 */
export function int64Digits(result, fields) {
  const scalars = [], arrays = [];
  let intKey = false;
  for (const f of fields) {
    if (f.dtype === DataType.INT64) {
      scalars.push(f.name);
      if (f.is_primary) intKey = true;
    } else if (f.dtype === DataType.ARRAY && f.element_type === DataType.INT64) arrays.push(f.name);
  }
  const digits = (v) => (typeof v === 'number' || typeof v === 'bigint' ? String(v) : v);
  const row = (r) => {
    for (const k of scalars) if (Object.hasOwn(r, k)) setOwn(r, k, digits(r[k]));
    for (const k of arrays) if (Array.isArray(r[k])) setOwn(r, k, r[k].map(digits));
  };
  if (result instanceof MutationResult) {
    if (intKey) result.primary_keys = result.primary_keys.map(digits);
    return result;
  }
  for (const x of result) {
    if (!Array.isArray(x)) row(x);
    else for (const hit of x) {
      if (intKey) hit.id = digits(hit.id);
      if (hit.entity) row(hit.entity);
    }
  }
  return result;
}

/** A distance rounded half up to `roundDecimal` decimals as Milvus rounds it (-1: as it is). */
export function roundDistance(d, roundDecimal) {
  if (!(roundDecimal >= 0)) return d;
  const scale = 10 ** roundDecimal;
  return Math.floor(d * scale + 0.5) / scale;
}

/**
 * Search hits: one list per query vector (counts[q] hits each), best first, each hit
 * { id, distance, entity } as pymilvus's Hit, from the decoded columns of the hits' rows (`n`
 * of them: the primary key's column first). `entity` holds the output fields (dynamic keys
 * top-level) and the primary key only when it was asked for by name or by '*', as Milvus does
 * (`keyIsOutput`, the core's answer): the key's column is otherwise left out of it, never put
 * in to be taken out again. Distances are the core's float32 values; with roundDecimal >= 0
 * they are rounded half up to that many decimals, as Milvus rounds them.
 * @param {{ pk: string, keyIsOutput?: boolean, roundDecimal?: number }} how
 */
export function assembleHits(counts, dist, cols, n, { pk, keyIsOutput = false, roundDecimal = -1 }) {
  const key = cols.find((c) => !c.isDynamic && c.name === pk);
  const ids = key ? key.values : new Array(n);
  const rows = assembleRows(keyIsOutput ? cols : cols.filter((c) => c !== key), n);
  const nq = counts.length;
  const out = new Array(nq);
  let at = 0;
  for (let q = 0; q < nq; q++) {
    const hits = new Array(counts[q]);
    for (let i = 0; i < counts[q]; i++, at++) {
      const d = dist[at];
      hits[i] = { id: ids[at], distance: roundDistance(d, roundDecimal), entity: rows[at] };
      if (typeof hits[i].id === 'bigint') serialisable(hits[i]);
    }
    out[q] = hits;
  }
  return out;
}
