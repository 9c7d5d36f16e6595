// options.js — the options of the ORM face's methods: every key of an options object is one
// partita honours, or it is refused by name (ParamError), never ignored: a ported call that
// relies on an option partita does not implement fails where it is made, not in its results.

import { ConsistencyLevelEnum } from '../client/constants.js';
import { CLIENT_ERROR, ParamError } from '../core/errors.js';
import { typeName } from '../core/marshal.js';

/** The options each method honours (index.d.ts documents them; tests/options.test.mjs walks
 * them): anything else is refused by name (acceptOptions). Partition's methods take the same
 * options without the partition's. */
export const OPTIONS = {
  insert: ['timeout', 'ack', 'partial_update', 'field_ops'], // the last two refused by writeOptions, as upsert's
  upsert: ['timeout', 'ack', 'partial_update', 'field_ops'],
  delete: ['timeout', 'ack', 'expr_params'],
  query: ['output_fields', 'limit', 'offset', 'timeout', 'consistency_level', 'expr_params', 'order_by_fields'],
  get: ['output_fields', 'timeout', 'consistency_level'],
  search: ['output_fields', 'offset', 'round_decimal', 'timeout', 'consistency_level', 'expr_params', 'ids',
    'group_by_field', 'group_size', 'strict_group_size', 'order_by_fields'],
};
/** Why a few options Milvus has are refused, in their messages. */
const WHY = {
  group_by_field: 'grouping is an option of search only',
  group_size: 'grouping is an option of search only',
  strict_group_size: 'grouping is an option of search only',
  filter_params: "the ORM face names a filter's template values expr_params",
};

/**
 * Checks that `options` (undefined, null or a plain object) carries only `keys`; throws a
 * ParamError naming the first other key (`what`: the options' name in the message). Keys whose value is undefined are absent, as in
 * JavaScript's own defaults. Returns the options object ({} for none).
 */
export function acceptOptions(what, options, keys, why = 'partita does not implement it') {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options))
    throw new ParamError(CLIENT_ERROR, `${what} must be an object, got ${typeName(options)}`);
  // the accepted keys are not read here (a getter is asked once, by the call)
  for (const k of Object.keys(options)) {
    if (keys.includes(k) || options[k] === undefined) continue;
    throw new ParamError(CLIENT_ERROR, `${what}: '${k}' is not supported (${Object.hasOwn(WHY, k) ? WHY[k] : why})`);
  }
  return options;
}

/**
 * A consistency level as pymilvus takes it: a level's name (Strong, Session, Bounded,
 * Eventually, Customized) or its code (0-4); undefined / null for none. Every read of the
 * embedded store sees every write acknowledged before it (Strong), which every level allows.
 */
export function checkConsistencyLevel(level) {
  if (level === undefined || level === null) return;
  const known = typeof level === 'number' ? Number.isInteger(level) && ConsistencyLevelEnum[level] !== undefined
    : typeof level === 'string' && Object.hasOwn(ConsistencyLevelEnum, level) && typeof ConsistencyLevelEnum[level] === 'number';
  if (!known) throw new ParamError(CLIENT_ERROR, `invalid consistency level: ${typeof level === 'string' || typeof level === 'number' ? level : typeName(level)}`);
}
