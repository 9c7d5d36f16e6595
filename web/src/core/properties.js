// core/properties.js — collection, field and index properties as every face alters them
// (MilvusClient's alter*, REST's */alter_properties and */drop_properties), with Milvus's checks
// and messages. What partita acts on is the core's (allow_insert_auto_id, given at creation);
// `mmap.enabled` is stored-only (below); every other key is refused by name. A request is
// checked whole before anything changes.
//
// Stored-only: `mmap.enabled` of a collection, a field or an index tells Milvus to memory-map
// that data from disk instead of holding it in memory. partita holds everything in its linear
// memory, so the property has no effect; it is checked as Milvus checks it (a Go boolean, and
// not while the collection is loaded), kept as given, described back and dropped with its
// collection. It lives in the collection's state in the store's registry (core/registry.js:
// `st`, which has `loaded`), which every face reads and a durable store's log keeps; it is not
// forwarded and not saved in snapshots.

import { Code, MilvusException, notSupported } from './errors.js';

export const MMAP = 'mmap.enabled';

/** Go's strconv.ParseBool's texts, true then false: the one copy of the faces (Milvus reads its
 * boolean properties, REST params and headers with it). */
const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'], GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** A text as Go's strconv.ParseBool reads it: true, false, or null when it is none of its texts. */
export const goBool = (text) => (GO_TRUE.includes(text) ? true : GO_FALSE.includes(text) ? false : null);

/** The one shape of a collection's stored-only properties (its state's `props`): the
 * collection's (from [key, value] pairs), its fields' and its indexes' (name -> Map). */
export const storedProperties = (collection = []) => ({ collection: new Map(collection), fields: new Map(), indexes: new Map() });

/** The stored-only properties of a face's collection state (made on first use). */
const storedOf = (st) => (st.props ??= storedProperties());

/** A stored-only boolean property's value, as Milvus keeps it: the text given, which must be one
 * Go's strconv.ParseBool reads. */
export function storedBool(key, v) {
  const text = String(v);
  if (goBool(text) === null) throw new MilvusException(Code.UNEXPECTED, `invalid ${key} value: ${text}`);
  return text;
}

/** Milvus's error for changing what a loaded collection holds (merr.WrapErrCollectionLoaded). */
export const loadedError = (name, what) => new MilvusException(104, `${what}: collection already loaded[collection=${name}]`);

/** Milvus refuses an alter that both sets and deletes properties. */
export function setOrDelete(pairs, keys) {
  if (pairs.length && keys.length) throw new MilvusException(Code.PARAMETER_INVALID, 'cannot provide both DeleteKeys and ExtraParams: invalid parameter');
}

/** The stored-only part of a createCollection's properties (checked), and the rest for the
 * core to judge. */
export function splitCreateProperties(properties) {
  const { [MMAP]: mmap, ...core } = properties ?? {};
  return { core, stored: mmap === undefined ? [] : [[MMAP, storedBool(MMAP, mmap)]] };
}

/**
 * AlterCollection: sets `pairs` ([key, value]) or deletes `keys` of collection `h` (the engine's
 * facts), whose face state is `st`.
 */
export function alterCollectionProperties(h, st, pairs, keys) {
  setOrDelete(pairs, keys);
  if (!pairs.length && !keys.length) throw new MilvusException(Code.PARAMETER_INVALID, 'no properties or delete keys provided: invalid parameter');
  const fixed = h.schema.properties ?? {};
  const set = [];
  for (const [k, v] of pairs) {
    if (k === MMAP) {
      if (st.loaded) throw loadedError(h.name, 'can not alter mmap properties if collection loaded');
      set.push([k, storedBool(k, v)]);
    } else if (k === 'collection.ttl.seconds') throw notSupported('the collection property `collection.ttl.seconds` (rows never expire in partita)');
    else if (Object.hasOwn(fixed, k) || k === 'allow_insert_auto_id') throw notSupported(`altering the collection property \`${k}\` (give it when the collection is created)`);
    else throw notSupported(`the collection property \`${k}\``);
  }
  for (const k of keys) {
    if (k === MMAP && st.loaded) throw loadedError(h.name, 'can not delete mmap properties if collection loaded');
    if (Object.hasOwn(fixed, k)) throw notSupported(`deleting the collection property \`${k}\` (it is fixed at creation)`);
  }
  // every key checked: now the change (a key that is not set is no error, as in Milvus)
  const stored = storedOf(st).collection;
  for (const [k, v] of set) stored.set(k, v);
  for (const k of keys) stored.delete(k);
}

/**
 * AlterCollectionField: `mmap.enabled` (or `mmap_enabled`) is stored-only; max_length,
 * max_capacity, the description and warmup are refused (a collection's schema is fixed once
 * created in partita); keys Milvus does not allow get its message.
 */
export function alterFieldProperties(h, st, fieldName, pairs) {
  const set = [];
  for (const [given, v] of pairs) {
    const k = given === 'mmap_enabled' ? MMAP : given;
    if (k === MMAP) {
      if (st.loaded) throw loadedError(h.name, 'can not alter collection field properties if collection loaded');
      set.push([k, storedBool(k, v)]);
    } else if (['max_length', 'max_capacity', 'field.description'].includes(k) || k === 'warmup' || k.startsWith('warmup.'))
      throw notSupported(`altering \`${k}\` of a field (a collection's schema is fixed once created in partita)`);
    else throw new MilvusException(Code.PARAMETER_INVALID, `${k} does not allow update in collection field param: invalid parameter`);
  }
  if (!h.schema.fields.some((f) => f.name === fieldName)) throw new MilvusException(1700, `field not found[field=${fieldName}]`);
  const { fields } = storedOf(st);
  if (set.length && !fields.has(fieldName)) fields.set(fieldName, new Map());
  for (const [k, v] of set) fields.get(fieldName).set(k, v);
}

/** AlterDatabase: partita acts on no database property (replicas, resource groups, quotas, rate
 * limits, ...), so each key set is refused by name; deleting keys that are not set succeeds, as
 * in Milvus. */
export function alterDatabaseProperties(pairs, keys) {
  setOrDelete(pairs, keys);
  for (const [k] of pairs) throw notSupported(`the database property \`${k}\``);
}

/** The collection's properties as described: the core's and the stored ones, values as text. */
export function describedProperties(h, st) {
  return Object.entries({ ...h.schema.properties, ...Object.fromEntries(st.props?.collection ?? []) }).map(([key, value]) => ({ key, value: String(value) }));
}

/** The stored-only properties of a field, as [key, value] pairs. */
export const fieldProperties = (st, fieldName) => [...(st.props?.fields.get(fieldName) ?? [])];

/** The stored-only properties of an index (by name; the index itself is the core's), as
 * [key, value] pairs. */
export const indexProperties = (st, indexName) => [...(st.props?.indexes.get(indexName) ?? [])];

/** AlterIndex / DropIndexProperties on the stored-only part of index `indexName`: `set` pairs
 * (already checked) and `keys` to delete. */
export function alterIndexProperties(st, indexName, set, keys) {
  const { indexes } = storedOf(st);
  if (set.length && !indexes.has(indexName)) indexes.set(indexName, new Map());
  for (const [k, v] of set) indexes.get(indexName).set(k, v);
  for (const k of keys) indexes.get(indexName)?.delete(k);
}

/** An index dropped: its stored-only properties go with it. */
export const forgetIndex = (st, indexName) => st.props?.indexes.delete(indexName);
