// grpc/fields.js — Milvus's wire encodings as the MilvusClient face's values, and back:
// columnar FieldData (schema.proto) to rows for inserts and from rows for query and search
// results, vectors as Milvus encodes them (float vectors as floats; binary, float16, bfloat16
// and int8 vectors as bytes; sparse rows as (uint32 index, float32 value) pairs), the dynamic
// field `$meta` as JSON, placeholder groups (search vectors) and template values.
//
// Messages arrive decoded by proto-loader with LOADER_OPTIONS (grpc/load.js): enums by name,
// INT64 as strings, the set member of each oneof named by the oneof (`scalars.data`).
// Checks here are of the encoding only (lengths, sizes); the values themselves are judged by the
// core as for every face.

import { engine } from '../core/engine.js';
import { Code, MilvusException } from '../core/errors.js';
import { parseJson } from '../core/results.js';
import { isVectorType } from '../core/dtype.js';
import { DataType, DEFAULT_DYNAMIC_FIELD, DEFAULT_COUNT_QUERY_STRING } from '../client/constants.js';
import { toJsonText } from '../core/marshal.js';
import { toDataType } from '../client/milvus-client.js';

const invalid = (message) => new MilvusException(Code.PARAMETER_INVALID, `${message}: invalid parameter`);

const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Text sent as bytes, exactly (a leading BOM kept); bytes that are not UTF-8 are refused, never
 * read with replacement characters. */
export function utf8Text(bytes, what) {
  try {
    return text.decode(bytes);
  } catch {
    throw invalid(`${what} is not valid UTF-8`);
  }
}

/** JSON bytes as a value (integers beyond 2^53 as BigInts, as the core reads them). */
function jsonValue(bytes, name) {
  if (!bytes.length) return null;
  const t = utf8Text(bytes, `field ${name}: a JSON value`);
  try {
    return parseJson(t); // a leading BOM is not JSON (Go's encoding/json refuses it too)
  } catch (e) {
    throw invalid(`field ${name}: a JSON value that is not JSON (${e.message})`);
  }
}

/** A copy of `len` bytes of `buf` at `at`, aligned (typed views need their own buffer). */
const bytesAt = (buf, at, len) => Uint8Array.prototype.slice.call(buf, at, at + len);

/** A sparse row in Milvus's bytes: (uint32 index, float32 value) pairs, little-endian. */
function sparseRow(buf, name) {
  if (buf.length % 8) throw invalid(`field ${name}: a sparse float vector row of ${buf.length} bytes, not a whole number of (index, value) pairs`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const row = {};
  for (let at = 0; at < buf.length; at += 8) row[view.getUint32(at, true)] = view.getFloat32(at + 4, true);
  return row;
}

function sparseBytes(row) {
  const pairs = row instanceof Map ? [...row] : Object.entries(row).map(([k, v]) => [Number(k), v]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out = Buffer.alloc(pairs.length * 8);
  pairs.forEach(([i, v], j) => {
    out.writeUInt32LE(i, j * 8);
    out.writeFloatLE(v, j * 8 + 4);
  });
  return out;
}

/** Splits `bytes` into `count` rows of `width` bytes, each made by `make`; null when they do not
 * divide so. */
function splitBytes(bytes, width, make) {
  if (!(width > 0) || bytes.length % width) return null;
  const out = [];
  for (let at = 0; at < bytes.length; at += width) out.push(make(bytesAt(bytes, at, width)));
  return out;
}

/** The values a FieldData carries (physical: one per valid row, or one per row), as the face's
 * row values. */
function columnValues(fd, name) {
  if (fd.scalars) return scalarValues(fd.scalars, name);
  if (fd.vectors) {
    const v = fd.vectors, dim = Number(v.dim);
    let out;
    switch (v.data) {
      case 'float_vector': {
        const flat = v.float_vector.data;
        if (!(dim > 0) || flat.length % dim) throw invalid(`field ${name}: ${flat.length} floats are not whole vectors of dim ${dim}`);
        out = [];
        for (let at = 0; at < flat.length; at += dim) out.push(flat.slice(at, at + dim));
        return out;
      }
      case 'binary_vector': out = splitBytes(v.binary_vector, dim / 8, (b) => Array.from(b)); break;
      case 'float16_vector': out = splitBytes(v.float16_vector, dim * 2, (b) => b); break;
      case 'bfloat16_vector': out = splitBytes(v.bfloat16_vector, dim * 2, (b) => b); break;
      case 'int8_vector': out = splitBytes(v.int8_vector, dim, (b) => new Int8Array(b.buffer)); break;
      case 'sparse_float_vector': return v.sparse_float_vector.contents.map((b) => sparseRow(b, name));
      default: throw invalid(`field ${name}: vector data ${v.data ?? 'that is missing'} is not supported by partita`);
    }
    if (out === null) throw invalid(`field ${name}: ${v[v.data].length} bytes are not whole vectors of dim ${dim}`);
    return out;
  }
  throw invalid(`field ${name}: no scalars or vectors in its field data`);
}

function scalarValues(s, name) {
  const key = s.data;
  switch (key) {
    case 'bool_data': case 'int_data': case 'long_data': case 'float_data': case 'double_data': case 'string_data':
    case 'geometry_wkt_data': case 'timestamptz_data':
      return s[key].data;
    case 'json_data': return s.json_data.data.map((b) => jsonValue(b, name));
    case 'array_data': return s.array_data.data.map((e) => (e.data ? scalarValues(e, name) : []));
    default: throw invalid(`field ${name}: scalar data ${key ?? 'that is missing'} is not supported by partita`);
  }
}

/**
 * The rows of an insert or upsert (FieldData columns, `numRows` rows) as the face's row
 * objects: the dynamic field's keys top-level, null where valid_data says a row has no value.
 * Each column must name a field of `fields` (describeCollection's), with its type, or be the
 * dynamic field (JSON) of a collection that has one (`dynamic`).
 */
export function rowsOf(fieldsData, numRows, fields, dynamic) {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const n = Number(numRows);
  if (!(n > 0)) throw invalid(`num_rows should be greater than 0, got ${numRows}`);
  if (!fieldsData.length) throw invalid('no field data in the request');
  // every column is read and measured against num_rows first: the rows are made only for a
  // num_rows the columns carry (a message cannot claim rows it does not hold)
  const columns = [];
  const seen = new Set();
  for (const fd of fieldsData) {
    const name = fd.field_name;
    if (seen.has(name)) throw invalid(`duplicated field name ${name} in the field data`);
    seen.add(name);
    const isDynamic = fd.is_dynamic || name === DEFAULT_DYNAMIC_FIELD;
    const f = isDynamic ? null : byName.get(name);
    if (isDynamic ? !dynamic : !f) throw invalid(`field ${name} is not a field of the collection${isDynamic ? ' (it has no dynamic field)' : ''}`);
    const want = f ? f.dataType : DataType.JSON, got = toDataType(fd.type);
    if (got !== want) throw invalid(`the field data of ${name} is of type ${DataType[got] ?? fd.type}, the field is ${DataType[want]}`);
    const values = columnValues(fd, name);
    const valid = fd.valid_data;
    if (valid.length && valid.length !== n) throw invalid(`the valid_data (${valid.length}) of field (${name}) is not equal to passed num_rows (${n})`);
    const dense = values.length === n;
    const count = valid.length ? valid.reduce((a, v) => a + (v ? 1 : 0), 0) : n;
    if (!dense && values.length !== count) throw invalid(`the num_rows (${values.length}) of field (${name}) is not equal to passed num_rows (${n})`);
    columns.push({ name, isDynamic, values, valid, dense });
  }
  const rows = Array.from({ length: n }, () => ({}));
  for (const { name, isDynamic, values, valid, dense } of columns) {
    for (let r = 0, at = 0; r < n; r++) {
      const ok = !valid.length || valid[r];
      const v = ok ? values[dense ? r : at++] : null;
      if (!isDynamic) rows[r][name] = v;
      else if (v !== null) {
        if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`the dynamic field ${name} of row ${r} is not a JSON object`);
        for (const k of Object.keys(v)) {
          if (Object.hasOwn(rows[r], k)) throw invalid(`the dynamic key ${k} of row ${r} is also a field of the row`);
          rows[r][k] = v[k];
        }
      }
    }
  }
  return rows;
}

// ---- values out ---------------------------------------------------------------------------

/** Rows of numbers as the bytes of a FLOAT16 (`bf16` false) or BFLOAT16 vector column, rounded
 * by the core as it rounds a written vector. */
function halves(rows, bf16) {
  const width = rows.length ? rows[0].length : 0;
  const values = new Float32Array(rows.length * width);
  let at = 0;
  for (const r of rows) for (const v of r) values[at++] = v;
  return Buffer.from(engine().toHalves(values, bf16));
}

/** The scalar key of a DataType code (the SDK reads the member that is set). */
function scalarKey(t) {
  switch (t) {
    case DataType.Bool: return 'bool_data';
    case DataType.Int8: case DataType.Int16: case DataType.Int32: return 'int_data';
    case DataType.Int64: return 'long_data';
    case DataType.Float: return 'float_data';
    case DataType.Double: return 'double_data';
    case DataType.JSON: return 'json_data';
    case DataType.Array: return 'array_data';
    case DataType.Geometry: return 'geometry_wkt_data';
    default: return 'string_data'; // VarChar, Text, Timestamptz (as the face writes it: text)
  }
}

const ZERO = { bool_data: false, int_data: 0, long_data: '0', float_data: 0, double_data: 0, string_data: '', geometry_wkt_data: '' };

function scalarOut(t, elementType, values) {
  const key = scalarKey(t);
  let data;
  if (key === 'json_data') data = values.map((v) => (v === null || v === undefined ? Buffer.alloc(0) : Buffer.from(encoder.encode(toJsonText(v) ?? 'null'))));
  else if (key === 'array_data')
    return { array_data: { element_type: elementType, data: values.map((v) => (v === null || v === undefined ? {} : scalarOut(elementType, DataType.None, v))) } };
  else if (key === 'long_data') data = values.map((v) => (v === null || v === undefined ? '0' : String(v)));
  else data = values.map((v) => (v === null || v === undefined ? ZERO[key] : v));
  return { [key]: { data } };
}

function vectorOut(t, dim, rows) {
  switch (t) {
    case DataType.FloatVector: return { dim, float_vector: { data: rows.flat() } };
    case DataType.BinaryVector: return { dim, binary_vector: Buffer.from(rows.flat()) };
    case DataType.Float16Vector: return { dim, float16_vector: halves(rows, false) };
    case DataType.BFloat16Vector: return { dim, bfloat16_vector: halves(rows, true) };
    case DataType.Int8Vector: return { dim, int8_vector: Buffer.from(Int8Array.from(rows.flat()).buffer) };
    case DataType.SparseFloatVector: {
      const contents = rows.map(sparseBytes);
      let d = 0;
      for (const r of rows) for (const k of r instanceof Map ? r.keys() : Object.keys(r)) d = Math.max(d, Number(k) + 1);
      return { dim: d, sparse_float_vector: { dim: d, contents } };
    }
    default: throw new MilvusException(Code.UNEXPECTED, `no wire encoding for vectors of type ${t}`);
  }
}

/**
 * Columns (FieldData) of `rows` (the face's rows or hits) for the output names `names`, in that
 * order: schema fields by `fields` (describeCollection's fields: name, dataType, dim,
 * element_type, nullable), `$meta` from each row's dynamic keys (`$meta` and `dynamicKeys`
 * top-level), `count(*)` as INT64.
 */
export function columnsOf(rows, names, fields, dynamicKeys = []) {
  const byName = new Map(fields.map((f) => [f.name, f]));
  return names.map((name) => {
    if (name === DEFAULT_COUNT_QUERY_STRING)
      return { type: 'Int64', field_name: name, scalars: scalarOut(DataType.Int64, 0, rows.map((r) => r[name])), valid_data: [] };
    if (name === DEFAULT_DYNAMIC_FIELD) {
      const values = rows.map((r) => {
        const o = { ...(r[DEFAULT_DYNAMIC_FIELD] ?? {}) };
        for (const k of dynamicKeys) if (Object.hasOwn(r, k)) o[k] = r[k];
        return o;
      });
      return { type: 'JSON', field_name: name, is_dynamic: true, scalars: scalarOut(DataType.JSON, 0, values), valid_data: [] };
    }
    const f = byName.get(name);
    const t = f.dataType;
    const values = rows.map((r) => r[name]);
    const nullable = f.nullable === true;
    const valid_data = nullable ? values.map((v) => v !== null && v !== undefined) : [];
    const out = { type: t, field_name: name, field_id: f.fieldID, is_dynamic: false, valid_data };
    if (isVectorType(t)) out.vectors = vectorOut(t, Number(f.dim ?? 0), nullable ? values.filter((v) => v !== null && v !== undefined) : values);
    else out.scalars = scalarOut(t, toDataType(f.element_type) ?? DataType.None, values);
    return out;
  });
}

// ---- requests ----------------------------------------------------------------------------

/**
 * KeyValuePairs as an object. A key given twice is refused, naming the key and the list (`what`):
 * Milvus keeps the first search param, the last schema/type param and refuses a repeated index
 * param at build time, so no one of them can be kept without silently dropping the other.
 */
export function keyValues(list, what) {
  const out = Object.create(null); // a key named __proto__ is a key like any other
  for (const { key, value } of list ?? []) {
    if (Object.hasOwn(out, key)) throw new MilvusException(Code.PARAMETER_INVALID, `duplicated key ${key} in ${what}: invalid parameter`);
    out[key] = value;
  }
  return out;
}

/** An INT64 of the wire (a string) as a number when it is safe, else a BigInt. */
function int64(s) {
  const n = BigInt(s);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function templateArray(a) {
  switch (a.data) {
    case 'bool_data': case 'double_data': case 'string_data': return a[a.data].data;
    case 'long_data': return a.long_data.data.map(int64);
    case 'array_data': return a.array_data.data.map(templateArray);
    case 'json_data': return a.json_data.data.map((b) => jsonValue(b, 'expr_template_values'));
    default: return [];
  }
}

/** expr_template_values (map of TemplateValue) as the face's exprValues; undefined when empty. */
export function templateValues(map) {
  const keys = Object.keys(map ?? {});
  if (!keys.length) return undefined;
  const out = {};
  for (const k of keys) {
    const v = map[k];
    switch (v.val) {
      case 'bool_val': case 'float_val': case 'string_val': out[k] = v[v.val]; break;
      case 'int64_val': out[k] = int64(v.int64_val); break;
      case 'array_val': out[k] = templateArray(v.array_val); break;
      default: throw invalid(`template value ${k}: ${v.val ?? 'no value'} is not supported by partita`);
    }
  }
  return out;
}

/** A placeholder group's vectors as the face's search data (one flat typed array of raw vectors,
 * or a list of sparse rows / texts), and their number. */
export function placeholderVectors(group) {
  const ph = group.placeholders;
  if (ph.length !== 1) throw invalid(`a placeholder group of ${ph.length} placeholders (partita searches one)`);
  const { type, values } = ph[0];
  const n = values.length;
  const concat = () => Buffer.concat(values);
  // PlaceholderType names its vector types as DataType does
  switch (toDataType(type)) {
    case DataType.FloatVector: {
      const b = concat();
      if (b.length % 4) throw invalid(`float vectors of ${b.length} bytes in the placeholder group`);
      return { n, data: new Float32Array(bytesAt(b, 0, b.length).buffer) };
    }
    case DataType.BinaryVector: case DataType.Float16Vector: case DataType.BFloat16Vector: {
      const b = concat();
      return { n, data: bytesAt(b, 0, b.length) };
    }
    case DataType.Int8Vector: {
      const b = concat();
      return { n, data: new Int8Array(bytesAt(b, 0, b.length).buffer) };
    }
    case DataType.SparseFloatVector: return { n, data: values.map((b) => sparseRow(b, 'placeholder')) };
    case DataType.VarChar: return { n, data: values.map((b) => utf8Text(b, 'a placeholder text')) };
    default: throw invalid(`placeholder type ${type} is not supported by partita`);
  }
}
