// server/shapes.js — the shapes of Milvus's REST v2 API as partita's server speaks them: the
// request structs that gin binds bodies into (request_v2.go) with Milvus's binding errors, the
// response envelopes, and the binding of insert / upsert bodies, whose `data` is never parsed in
// JS.

import { engine } from '../core/engine.js';
import { typedBytes } from '../core/typed.js';
import { MilvusException } from '../core/errors.js';
import { goBool } from '../core/properties.js';

// ignoreBOM: keys that start with U+FEFF keep it, and a body that starts with a byte order mark
// is not JSON (as for Go's encoding/json) instead of having it dropped
export const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** obj[key] for an own key only: names from requests never reach Object.prototype's members. */
export const own = (obj, key) => (typeof key === 'string' && Object.hasOwn(obj, key) ? obj[key] : undefined);

// ---------------------------------------------------------------------------------------------
// Request shapes (request_v2.go): gin binds the body into these structs, then validates
// `binding:"required"` fields. Types: s string, i int32, b bool, sa []string, m map, a any,
// aa []any, rows []map, o struct, os []struct.
// ---------------------------------------------------------------------------------------------

const R = true;
const SHAPES = {
  EmptyReq: {},
  DatabaseReq: { dbName: 's' },
  DatabaseReqRequiredName: { dbName: ['s', R] },
  RenameCollectionReq: { dbName: 's', collectionName: ['s', R], newCollectionName: ['s', R], newDbName: 's' },
  CollectionReqWithProperties: { dbName: 's', collectionName: ['s', R], properties: 'm' },
  DropCollectionPropertiesReq: { dbName: 's', collectionName: ['s', R], propertyKeys: 'sa' },
  CollectionFieldReqWithParams: { dbName: 's', collectionName: ['s', R], fieldName: ['s', R], fieldParams: 'm' },
  AliasReq: { dbName: 's', aliasName: ['s', R] },
  AliasCollectionReq: { dbName: 's', collectionName: ['s', R], aliasName: ['s', R] },
  OptionalCollectionNameReq: { dbName: 's', collectionName: 's' },
  DatabaseReqWithProperties: { dbName: ['s', R], properties: 'm' },
  DropDatabasePropertiesReq: { dbName: ['s', R], propertyKeys: 'sa' },
  CollectionNameReq: { dbName: 's', collectionName: ['s', R], partitionNames: 'sa' },
  FlushReq: { dbName: 's', collectionName: ['s', R] },
  CollectionReq: {
    dbName: 's', collectionName: ['s', R], dimension: 'i', idType: 's', autoID: 'b', metricType: 's',
    primaryFieldName: 's', vectorFieldName: 's', schema: 'o', indexParams: 'os', params: 'm', description: 's',
    enableDynamicField: 'b',
  },
  PartitionReq: { dbName: 's', collectionName: ['s', R], partitionName: ['s', R] },
  IndexParamReq: { dbName: 's', collectionName: ['s', R], indexParams: ['os', R] },
  IndexReq: { dbName: 's', collectionName: ['s', R], indexName: ['s', R] },
  PartitionsReq: { dbName: 's', collectionName: ['s', R], partitionNames: ['sa', R] },
  QueryReqV2: {
    dbName: 's', collectionName: ['s', R], partitionNames: 'sa', outputFields: 'sa', filter: 's', limit: 'i',
    offset: 'i', exprParams: 'm', consistencyLevel: 's', orderByFields: 'sa',
  },
  CollectionIDReq: {
    dbName: 's', collectionName: ['s', R], partitionName: 's', partitionNames: 'sa', outputFields: 'sa',
    id: ['a', R], consistencyLevel: 's',
  },
  CollectionFilterReq: { dbName: 's', collectionName: ['s', R], partitionName: 's', filter: ['s', R], exprParams: 'm' },
  CollectionDataReq: { dbName: 's', collectionName: ['s', R], partitionName: 's', data: ['rows', R], partialUpdate: 'b', fieldOps: 'fo' },
  SearchReqV2: {
    dbName: 's', collectionName: ['s', R], data: ['aa', R], annsField: 's', partitionNames: 'sa', filter: 's',
    groupingField: 's', groupSize: 'i', strictGroupSize: 'b', limit: 'i', offset: 'i', outputFields: 'sa',
    searchParams: 'm', consistencyLevel: 's', exprParams: 'm', params: 'm', functionScore: 'o',
  },
  HybridSearchReq: {
    dbName: 's', collectionName: ['s', R], partitionNames: 'sa', search: ['subs', R], rerank: 'm', limit: 'i', outputFields: 'sa',
    consistencyLevel: 's',
  },
};

const GO_TYPES = {
  s: 'string', i: 'int32', b: 'bool', sa: '[]string', m: 'map[string]interface {}', a: 'interface {}',
  aa: '[]interface {}', rows: '[]map[string]interface {}', o: 'httpserver.CollectionSchema',
  os: '[]httpserver.IndexParam', fo: '[]httpserver.FieldPartialUpdateOpReq', subs: '[]httpserver.SubSearchReq',
};
const goField = (k) => (k === 'id' ? 'ID' : k === 'dbName' ? 'DbName' : k[0].toUpperCase() + k.slice(1));
export const jsonKind = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v);

function typeMatches(kind, v) {
  switch (kind) {
    case 's': return typeof v === 'string';
    case 'i': return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;
    case 'b': return typeof v === 'boolean';
    case 'sa': return Array.isArray(v) && v.every((x) => typeof x === 'string' || x === null);
    case 'm': case 'o': return typeof v === 'object' && !Array.isArray(v);
    case 'aa': case 'os': case 'fo': case 'subs': return Array.isArray(v);
    case 'rows': return Array.isArray(v) ? v.every((x) => x === null || (typeof x === 'object' && !Array.isArray(x))) : typeof v === 'object';
    default: return true;
  }
}

/**
 * An object's keys as Go's encoding/json binds them to a struct's fields `names`: a key equal to
 * a name binds to it, else a key equal to it but for case (Unicode simple folding, as Go's
 * EqualFold); keys in document order, a later one binding a field again winning. Other keys are
 * kept as they are (a struct ignores them). Returns a new object; `obj` when it is not one.
 */
export function goFields(obj, names) {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  const out = {};
  for (const k of Object.keys(obj)) {
    const name = names.includes(k) ? k : names.find((n) => foldEqual(n, k)) ?? k;
    // defined, not assigned: a key "__proto__" stays a key
    Object.defineProperty(out, name, { value: obj[k], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Go's EqualFold for field names: equal under simple case folding (U+017F folds to s there,
 * which toLowerCase does not do). */
const fold = (x) => x.replace(/\u017f/g, 's').toLowerCase();
const foldEqual = (a, b) => fold(a) === fold(b);

/** gin's ShouldBindBodyWith(req, binding.JSON) as Milvus reports its failures. */
export function bind(shapeName, body) {
  const shape = SHAPES[shapeName];
  if (body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new MilvusException(1801, `can only accept json format request, error: json: cannot unmarshal ${jsonKind(body)} into Go value of type httpserver.${shapeName}`);
  body = goFields(body, Object.keys(shape));
  const missing = [];
  for (const [key, spec] of Object.entries(shape)) {
    const [kind, required] = Array.isArray(spec) ? spec : [spec, false];
    const v = body[key];
    if (v !== undefined && v !== null && !typeMatches(kind, v)) {
      const what = typeof v === 'number' && kind === 'i' ? `number ${v}` : jsonKind(v);
      throw new MilvusException(1801, `can only accept json format request, error: json: cannot unmarshal ${what} into Go struct field ${shapeName}.${key} of type ${GO_TYPES[kind]}`);
    }
    if (required && (v === undefined || v === null || v === '' || (kind === 'i' && v === 0)))
      missing.push(`Key: '${shapeName}.${goField(key)}' Error:Field validation for '${goField(key)}' failed on the 'required' tag`);
  }
  if (missing.length) throw new MilvusException(1802, `missing required parameters, error: ${missing.join('\n')}`);
  return body;
}

// ---------------------------------------------------------------------------------------------
// Envelopes
// ---------------------------------------------------------------------------------------------

export const JSON_TYPE = 'application/json; charset=utf-8';
export const envelope = (obj, status = 200) => ({ status, contentType: JSON_TYPE, body: JSON.stringify(obj) });
export const okData = (data, extra) => envelope({ code: 0, data, ...extra });
/** A success whose `data` is JSON text built elsewhere (the core's rows, int64 ids). */
export const okText = (dataText, extra = '') => ({ status: 200, contentType: JSON_TYPE, body: `{"code":0${extra},"data":${dataText}}` });
export const failure = (code, message, status = 200) => envelope({ code, message }, status);
export const NOT_FOUND = { status: 404, contentType: 'text/plain', body: '404 page not found' };

/** A JS number for the response, or the int64's digits as a JSON string (or number). */
export const int64Text = (digits, allowInt64) => (allowInt64 ? digits : `"${digits}"`);

/** Go's strconv.ParseBool, as Milvus reads Accept-Type-Allow-Int64. */
export const parseBool = (s) => s !== null && goBool(s.trim()) === true;

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

export const isSpace = (b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Binds an insert / upsert body without parsing `data` in JS: the body is checked whole as the
 * core takes JSON (engine.jsonMember, pt_json_validate: JSON.parse is as strict about the
 * grammar, but the rows are never parsed here, and a byte order mark, bytes that are not UTF-8
 * or lone surrogates would pass it), the core finds the `data` member, and only the rest is
 * parsed. `raw.data` is the bytes of `data`, which the core writes the rows from.
 */
export function bindWrite(bytes) {
  const b = typedBytes(bytes); // the bytes as measured by the engine, whatever an own `length` says
  const length = b.length;
  let start = 0;
  while (start < length && isSpace(b[start])) start++;
  if (b[start] !== 0x7b /* { */) bind('CollectionDataReq', JSON.parse(decoder.decode(b))); // throws
  const member = engine().jsonMember(b, 'data');
  if (!member.valid) throw new MilvusException(1801, `can only accept json format request, error: ${member.message}`);
  const { found } = member;
  if (found < 0) throw new MilvusException(1801, 'can only accept json format request, error: the body is not a JSON object');
  let rest, data = b.subarray(0, 0), first = 0;
  if (found === 0) rest = decoder.decode(b);
  else {
    data = b.subarray(member.start, member.start + member.length);
    first = data[0];
    // the rest of the body, with `data` replaced by a stand-in of the same JSON kind
    const stand = first === 0x5b ? '[]' : first === 0x7b ? '{}' : decoder.decode(data);
    rest = decoder.decode(b.subarray(0, member.start)) + stand + decoder.decode(b.subarray(member.start + member.length));
  }
  const req = bind('CollectionDataReq', JSON.parse(rest));
  // rows are there unless `data` is an empty array
  let hasRows = found === 1 && first !== 0x6e; /* null */
  if (hasRows && first === 0x5b) {
    let i = 1;
    while (i < data.length && isSpace(data[i])) i++;
    hasRows = data[i] !== 0x5d;
  }
  return { req, raw: { data, hasRows } };
}

export function parseBody(text) {
  if (text.trim() === '')
    throw new MilvusException(1801, 'can only accept json format request, the request body should be nil, however {} is valid');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MilvusException(1801, `can only accept json format request, error: ${e.message}`);
  }
}
