// schema.js — FieldSchema and CollectionSchema, shaped like pymilvus's ORM classes.
//
// The rules are the C core's: each constructor sends the schema to the core, which runs
// pymilvus's client-side checks and throws their exceptions. A CollectionSchema then reflects
// the core's view (primary_field and auto_id propagated to the fields), as pymilvus does.

import { engine } from '../core/engine.js';
import { DataType, toDataTypeCode } from '../core/dtype.js';
import { CLIENT_ERROR, FieldsTypeException, FieldTypeException, ParamError } from '../core/errors.js';
import { FUNCTION_TYPES } from '../core/functiontype.js';

const FIELD_OPTIONS = [
  'is_primary', 'auto_id', 'dim', 'max_length', 'element_type', 'max_capacity', 'nullable',
  'default_value', 'is_partition_key', 'is_clustering_key', 'is_dynamic',
  'enable_analyzer', 'enable_match', 'analyzer_params', 'is_function_output',
];

/** Type parameters, in pymilvus's order (COMMON_TYPE_PARAMS). */
const TYPE_PARAMS = ['dim', 'max_length', 'max_capacity', 'enable_match', 'enable_analyzer', 'analyzer_params'];

/** A type parameter as pymilvus keeps it: analyzer_params given as a dict becomes its JSON text
 * (the core reads that text, and the flags, with Milvus's rules). */
function typeParam(k, v) {
  return k === 'analyzer_params' && v !== null && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : v;
}

const toJsonNumber = (v) => (typeof v === 'bigint' ? Number(v) : v);

/** (description?, options?) where the description may be left out. */
function splitArgs(description, options) {
  if (description !== null && typeof description === 'object') return ['', description];
  return [description ?? '', options ?? {}];
}

export class FieldSchema {
  /**
   * @param {string} name
   * @param {number} dtype a DataType code (or name)
   * @param {string|object} [description]
   * @param {object} [options] is_primary, auto_id, dim, max_length, element_type, max_capacity,
   *   nullable, default_value, is_partition_key, enable_analyzer, enable_match, analyzer_params
   *   (a dict, kept as its JSON text as pymilvus does, or that text)
   */
  constructor(name, dtype, description, options) {
    [description, options] = splitArgs(description, options);
    const code = toDataTypeCode(dtype);
    this.name = name;
    this.dtype = code ?? dtype;
    this.description = description;
    this.is_primary = false;
    this.auto_id = false;
    this.nullable = false;
    this.is_partition_key = false;
    this.is_clustering_key = false;
    this.is_dynamic = false;
    /** Options as given, for the core (presence matters: default_value: null vs absent). */
    const given = {};
    for (const k of FIELD_OPTIONS) if (Object.hasOwn(options, k) && options[k] !== undefined) given[k] = typeParam(k, options[k]);
    Object.assign(this, given);
    if (this.default_value === undefined) delete this.default_value;
    Object.defineProperty(this, '_given', { value: given, enumerable: false });
    const text = JSON.stringify(this.toCoreJSON());
    engine().checkField(text);
  }

  /** Type parameters, as pymilvus's FieldSchema.params. */
  get params() {
    const p = {};
    for (const k of TYPE_PARAMS) if (this[k] !== undefined) p[k] = this[k];
    return p;
  }

  /** The field as the core reads it. */
  toCoreJSON() {
    const o = { name: this.name, dtype: typeof this.dtype === 'number' ? this.dtype : null, description: this.description };
    for (const [k, v] of Object.entries(this._given)) o[k] = toJsonNumber(v);
    return o;
  }

  toJSON() {
    const o = { name: this.name, description: this.description, type: this.dtype };
    if (Object.keys(this.params).length) o.params = this.params;
    if (this.is_primary) o.is_primary = true;
    if (this.auto_id) o.auto_id = true;
    if (this.nullable) o.nullable = true;
    if (this.is_partition_key) o.is_partition_key = true;
    if (this.element_type !== undefined) o.element_type = this.element_type;
    if (this.default_value !== undefined) o.default_value = this.default_value;
    return o;
  }

  /** Rebuilds a field from the core's description of it. */
  static fromCore(d) {
    const opts = {};
    for (const k of FIELD_OPTIONS) if (d[k] !== undefined && d[k] !== false) opts[k] = d[k];
    if (d.auto_id) opts.auto_id = true;
    return new FieldSchema(d.name, d.dtype, d.description ?? '', opts);
  }
}

/** pymilvus's FunctionType (the Node SDK's names in capitals, core/functiontype.js): only BM25
 * runs in partita. */
export const FunctionType = Object.freeze(Object.fromEntries(FUNCTION_TYPES.map(([name, code]) => [name.toUpperCase(), code])));

/** pymilvus's Function: a BM25 function fills its output SPARSE_FLOAT_VECTOR field from its
 * input VARCHAR field (enable_analyzer) on every write. The core checks it with pymilvus's and
 * Milvus's rules when the schema is built and when the collection is created. */
export class Function {
  /**
   * @param {string} name
   * @param {number} function_type FunctionType.BM25
   * @param {string|string[]} input_field_names
   * @param {string|string[]} output_field_names
   * @param {string} [description]
   * @param {object} [params]
   */
  constructor(name, function_type, input_field_names, output_field_names, description = '', params = null) {
    this.name = name;
    this.type = function_type;
    this.input_field_names = typeof input_field_names === 'string' ? [input_field_names] : input_field_names;
    this.output_field_names = typeof output_field_names === 'string' ? [output_field_names] : output_field_names;
    this.description = description;
    this.params = params ?? {};
    engine().describeSchema(JSON.stringify({ fields: [{ name: 'pk', dtype: DataType.INT64, is_primary: true }], functions: [this.toCoreJSON()] }));
  }

  /** The function as the core reads it. */
  toCoreJSON() {
    return { name: this.name, description: this.description, type: this.type, input_field_names: this.input_field_names,
      output_field_names: this.output_field_names, params: this.params };
  }

  toJSON() {
    return this.toCoreJSON();
  }

  static fromCore(d) {
    return new Function(d.name, d.type, d.input_field_names, d.output_field_names, d.description ?? '', d.params ?? {});
  }
}

export class CollectionSchema {
  /**
   * @param {FieldSchema[]} fields
   * @param {string|object} [description]
   * @param {object} [options] auto_id, enable_dynamic_field, primary_field, partition_key_field
   */
  constructor(fields, description, options) {
    [description, options] = splitArgs(description, options);
    if (!Array.isArray(fields)) throw new FieldsTypeException(CLIENT_ERROR, 'The fields of schema must be type list.');
    for (const f of fields)
      if (!(f instanceof FieldSchema)) throw new FieldTypeException(CLIENT_ERROR, 'The field of schema type must be FieldSchema.');
    const functions = options.functions ?? [];
    if (!Array.isArray(functions)) throw new ParamError(CLIENT_ERROR, 'The functions of schema must be type list.');
    for (const f of functions)
      if (!(f instanceof Function)) throw new ParamError(CLIENT_ERROR, 'The function of schema type must be Function.');
    const json = { description, fields: fields.map((f) => f.toCoreJSON()), functions: functions.map((f) => f.toCoreJSON()) };
    for (const k of ['auto_id', 'enable_dynamic_field', 'primary_field', 'partition_key_field'])
      if (options[k] !== undefined) json[k] = options[k];
    const text = JSON.stringify(json);
    // the core checks it and describes it back, with primary_field / auto_id applied
    const described = engine().describeSchema(text);
    this.description = description;
    this.enable_dynamic_field = Boolean(options.enable_dynamic_field);
    this.fields = fields.map((f, i) => {
      const d = described.fields[i];
      if (d.is_primary === f.is_primary && d.auto_id === f.auto_id && d.is_partition_key === f.is_partition_key) return f;
      const copy = Object.create(FieldSchema.prototype);
      Object.assign(copy, f, { is_primary: d.is_primary, auto_id: d.auto_id, is_partition_key: d.is_partition_key });
      Object.defineProperty(copy, '_given', { value: { ...f._given, is_primary: d.is_primary, auto_id: d.auto_id, is_partition_key: d.is_partition_key }, enumerable: false });
      return copy;
    });
    this.auto_id = described.auto_id;
    this.functions = [...functions];
    Object.defineProperty(this, '_options', { value: { ...options }, enumerable: false });
  }

  /** pymilvus's add_function: checked with the schema's fields (the core), then kept. */
  add_function(fn) {
    if (!(fn instanceof Function)) throw new ParamError(CLIENT_ERROR, 'The function of schema type must be Function.');
    engine().describeSchema(JSON.stringify({ ...this.toCoreJSON(), functions: [...this.functions, fn].map((f) => f.toCoreJSON()) }));
    this.functions.push(fn);
    return this;
  }

  /** The primary-key field. */
  get primary_field() {
    return this.fields.find((f) => f.is_primary);
  }

  /** The partition-key field, or undefined. */
  get partition_key_field() {
    return this.fields.find((f) => f.is_partition_key);
  }

  /** The schema as the core reads it. */
  toCoreJSON() {
    return {
      description: this.description,
      auto_id: this.auto_id,
      enable_dynamic_field: this.enable_dynamic_field,
      fields: this.fields.map((f) => f.toCoreJSON()),
      functions: this.functions.map((f) => f.toCoreJSON()),
    };
  }

  toJSON() {
    return {
      description: this.description,
      auto_id: this.auto_id,
      enable_dynamic_field: this.enable_dynamic_field,
      fields: this.fields.map((f) => f.toJSON()),
      ...(this.functions.length ? { functions: this.functions.map((f) => f.toJSON()) } : {}),
    };
  }

  /** Rebuilds a schema from the core's description of a collection. */
  static fromCore(d) {
    return new CollectionSchema(d.fields.map((f) => FieldSchema.fromCore(f)), d.description ?? '', {
      enable_dynamic_field: d.enable_dynamic_field,
      functions: (d.functions ?? []).map((f) => Function.fromCore(f)),
    });
  }
}

export { DataType };
