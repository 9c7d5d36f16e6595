// fieldop.js — an upsert's field operations: pymilvus's FieldOpType and FieldOp (Milvus 3.0's
// FieldPartialUpdateOp), and the `field_ops` option read as pymilvus reads it.
//
// FieldOpType exists before init() (callers write options with it), so its codes are here; the
// engine checks them against the core's (pt_field_op_kind, reported as `field_op`) when init()
// runs (engine.js checkMirrors). What an operation does, and every check of its field, is the
// core's (batch.c, merge.c): this file only turns the caller's spelling into codes.

import { CLIENT_ERROR, ParamError } from './errors.js';

const CODES = {
  REPLACE: 0,
  ARRAY_APPEND: 1,
  ARRAY_REMOVE: 2,
};

/** FieldOpType.ARRAY_APPEND === 1 and FieldOpType[1] === 'ARRAY_APPEND'. */
export const FieldOpType = Object.freeze(
  Object.assign(Object.create(null), CODES, Object.fromEntries(Object.entries(CODES).map(([k, v]) => [v, k]))),
);

export const FIELD_OP_CODES = CODES;

/** pymilvus's FieldOp factories: `field_ops: { tags: FieldOp.array_append() }`. */
export const FieldOp = Object.freeze({
  replace: () => Object.freeze({ op: CODES.REPLACE }),
  array_append: () => Object.freeze({ op: CODES.ARRAY_APPEND }),
  array_remove: () => Object.freeze({ op: CODES.ARRAY_REMOVE }),
});

/**
 * Field operations already read as a list of [field name, code] (the Node SDK's `field_ops`:
 * an array, where one field may be named twice; the core refuses that with Milvus's message).
 */
export class FieldOpList {
  constructor(pairs) {
    this.pairs = Object.freeze(pairs.map(([name, code]) => [name, code]));
    Object.freeze(this);
  }
}

/** pymilvus's string aliases (matched in lower case). */
const ALIASES = { replace: CODES.REPLACE, array_append: CODES.ARRAY_APPEND, array_remove: CODES.ARRAY_REMOVE };

/** A value's type as pymilvus's messages name it (Python's type names). */
function pyType(v) {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

/**
 * The `field_ops` option as [[field name, code], ...] (pymilvus normalize_field_ops): a mapping
 * of field name to a FieldOp (an object { op }), a FieldOpType code or a string alias; null /
 * undefined entries and REPLACE are dropped (REPLACE is the default). Any other spelling is a
 * ParamError with pymilvus's message. Codes the core does not know pass through: the core
 * refuses them with Milvus's message ("unsupported partial update op: 7").
 */
export function normalizeFieldOps(fieldOps) {
  if (fieldOps === undefined || fieldOps === null) return [];
  if (fieldOps instanceof FieldOpList) return fieldOps.pairs;
  if (typeof fieldOps !== 'object' || Array.isArray(fieldOps))
    throw new ParamError(CLIENT_ERROR, `field_ops must be a mapping of field name to operation, got ${pyType(fieldOps)}`);
  const out = [];
  for (const [name, op] of Object.entries(fieldOps)) {
    let code;
    if (op === null || op === undefined) continue;
    if (typeof op === 'string') {
      code = ALIASES[op.toLowerCase()];
      if (code === undefined) throw new ParamError(CLIENT_ERROR, `unknown field_op alias '${op}' for field '${name}'`);
    } else if (typeof op === 'number' && Number.isInteger(op)) {
      code = op;
    } else if (typeof op === 'object' && !Array.isArray(op) && Number.isInteger(op.op) && Object.keys(op).length === 1) {
      code = op.op;
    } else {
      throw new ParamError(CLIENT_ERROR, `unsupported field_op type ${pyType(op)} for field '${name}'`);
    }
    if (code === CODES.REPLACE) continue;
    if (!(code >= -0x80000000 && code <= 0x7fffffff))
      throw new ParamError(CLIENT_ERROR, `field_op ${code} for field '${name}' is not an int32`);
    out.push([name, code]);
  }
  return out;
}
