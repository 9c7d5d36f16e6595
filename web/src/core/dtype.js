// dtype.js — Milvus DataType codes, as pymilvus numbers them.
//
// DataType.INT64 === 5 and DataType[5] === 'INT64'. DataType exists before init() (schemas are
// written with it), so the codes are here; they are checked against the C core's own table
// when init() runs (engine.js checkMirrors), so they cannot drift apart. Which types are
// vectors or integers is the core's to say: it reports them at init (dtype_class).

const CODES = {
  NONE: 0,
  BOOL: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  FLOAT: 10,
  DOUBLE: 11,
  STRING: 20,
  VARCHAR: 21,
  ARRAY: 22,
  JSON: 23,
  GEOMETRY: 24,
  TEXT: 25,
  TIMESTAMPTZ: 26,
  BINARY_VECTOR: 100,
  FLOAT_VECTOR: 101,
  FLOAT16_VECTOR: 102,
  BFLOAT16_VECTOR: 103,
  SPARSE_FLOAT_VECTOR: 104,
  INT8_VECTOR: 105,
  UNKNOWN: 999,
};

/** @type {Readonly<Record<string, number> & Record<number, string>>} */
export const DataType = Object.freeze(
  Object.assign(Object.create(null), CODES, Object.fromEntries(Object.entries(CODES).map(([k, v]) => [v, k]))),
);

export const DTYPE_CODES = CODES;

// The core's classes of DataTypes (pt_dtype_is_vector, ...), set when the engine starts.
let VECTOR = new Set();
let DENSE_VECTOR = new Set();
let INTEGER = new Set();

/** Takes the classes the core reports (engine.js, at init). */
export function bindDtypeClasses(classes) {
  VECTOR = new Set(classes.vector);
  DENSE_VECTOR = new Set(classes.dense_vector);
  INTEGER = new Set(classes.integer);
}

export const isVectorType = (t) => VECTOR.has(t);
export const isDenseVectorType = (t) => DENSE_VECTOR.has(t);
export const isIntegerType = (t) => INTEGER.has(t);
export const isStringType = (t) =>
  t === CODES.VARCHAR || t === CODES.TEXT || t === CODES.GEOMETRY || t === CODES.TIMESTAMPTZ;

/** Accepts a DataType code or name ('INT64', 'FloatVector' is not accepted: pymilvus names only). */
export function toDataTypeCode(dtype) {
  if (typeof dtype === 'number') return dtype;
  if (typeof dtype === 'string' && Object.hasOwn(CODES, dtype)) return CODES[dtype];
  return undefined;
}
