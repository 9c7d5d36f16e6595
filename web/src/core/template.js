// template.js — a filter's template values (Milvus's expr_params: `age > {min}` with
// { min: 18 }) as the JSON text the core binds them from (pt_plan_parse, src/expr_parse.c).
//
// The core binds and checks every value (types, ranges, nesting, names without a value), so the
// ORM, MilvusClient and the REST server share one implementation; this only writes the values
// down faithfully: BigInts as their digits (exact to 64 bits, where JSON.stringify throws),
// typed arrays as lists, everything else as JSON.stringify writes it. What JSON cannot carry
// (NaN, Infinity, undefined, functions, symbols) is refused here, naming the value.

import { CLIENT_ERROR, ParamError } from './errors.js';

/** The exact decimal digits of an integer given as a BigInt or as an integral number. String()
 * and JSON.stringify write a number beyond 2^53 in its shortest round-trip form (2 ** 60 as
 * '1152921504606847000'), which is another integer than the one the number holds
 * (1152921504606846976, what an insert of that number stores). */
export const integerText = (n) => BigInt(n).toString();

/** A string of decimal digits (an optional minus sign, no space, sign or fraction): how an INT64
 * arrives as text (Milvus REST's int64-as-string, the Node SDK's ids). */
export const isDigitString = (v) => typeof v === 'string' && /^-?[0-9]+$/.test(v);

function valueText(v, name) {
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      if (!Number.isFinite(v)) throw new ParamError(CLIENT_ERROR, `the value ${v} of template variable {${name}} is not a finite number`);
      // an integer within int64 as the integer it holds; beyond int64 it can only be a float
      return Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63 ? integerText(v) : JSON.stringify(v);
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'object': {
      if (v === null) return 'null'; // the core names it (NoneType)
      if (Array.isArray(v)) return `[${v.map((x) => valueText(x, name)).join(',')}]`;
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return `[${Array.from(v, (x) => valueText(x, name)).join(',')}]`;
      // a dict: the core refuses it as a value, and reads it as the parameters themselves
      return `{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${valueText(v[k], k)}`).join(',')}}`;
    }
    default:
      throw new ParamError(CLIENT_ERROR, `the value of template variable {${name}} is a ${typeof v}, which cannot be sent`);
  }
}

/**
 * The JSON text of template values, or null when there are none (undefined / null). Anything
 * but a plain object is written as it is, for the core to refuse ("expr_params must be a dict").
 */
export function templateText(params) {
  if (params === undefined || params === null) return null;
  try {
    return valueText(params, '');
  } catch (e) {
    if (e instanceof RangeError) throw new ParamError(CLIENT_ERROR, 'expr_params nests too deep to be sent');
    throw e;
  }
}

/** A request's JSON text with `"expr_params": <text>` added (`text` is an object's JSON). */
export function withTemplate(requestText, text) {
  if (text === null) return requestText;
  return `${requestText.slice(0, -1)}${requestText === '{}' ? '' : ','}"expr_params":${text}}`;
}
