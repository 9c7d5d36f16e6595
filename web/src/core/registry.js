// core/registry.js — what Milvus keeps of a store beside its collections, one registry per engine
// store, read and changed by every face (MilvusClient and the gRPC server over it, the REST
// routes): the aliases of its collections (core/aliases.js) and each collection's state — load
// state, consistency level, creation time and stored-only properties (core/properties.js).
// Indexes, schemas and rows are the core's.
//
// In a durable store each change is a HOST record of the store's log before it is made (the
// core records the bytes, persist/durable.js hands them back on recovery) and the checkpoint
// holds the whole registry, so aliases, load states and properties survive a restart whichever
// face made them. The records are JSON:
//   { alias, to }            alias set (to: a collection name) or dropped (to: null)
//   { state: name, value }   collection `name`'s state after a change
//   { aliases, states }      the whole registry (a checkpoint's HOST record)

import { engine } from './engine.js';
import { AliasTable } from './aliases.js';
import { Code, MilvusException } from './errors.js';
import { storedProperties } from './properties.js';

const textEncoder = new TextEncoder(), textDecoder = new TextDecoder();

/** A collection's state as a log record keeps it (the property maps as pairs). */
function keptState({ props, ...rest }) {
  if (!props) return rest;
  const pairs = (m) => [...m].map(([k, v]) => [k, v instanceof Map ? [...v] : v]);
  return { ...rest, props: { collection: [...props.collection], fields: pairs(props.fields), indexes: pairs(props.indexes) } };
}

/** A state read back from a record (keptState's inverse). */
function readState({ props, ...rest }) {
  if (!props) return rest;
  const out = storedProperties(props.collection);
  for (const [k, v] of props.fields) out.fields.set(k, new Map(v));
  for (const [k, v] of props.indexes) out.indexes.set(k, new Map(v));
  return { ...rest, props: out };
}

class Registry {
  /** alias -> collection name; change it through setAlias (which records the change). */
  aliases = new AliasTable();
  #store;
  #states = new Map(); // collection id -> state

  constructor(store) {
    this.#store = store;
  }

  #log(record) {
    engine().logHost(this.#store, textEncoder.encode(JSON.stringify(record)));
  }

  /** Collection `h`'s state; one no face has seen (made through the ORM) is loaded. */
  state(h) {
    let s = this.#states.get(h.id);
    if (!s) this.#states.set(h.id, (s = { loaded: true, consistency_level: 'Bounded', created: Date.now() }));
    return s;
  }

  /** Records collection `h`'s state after a change made to state(h) in place. */
  keep(h) {
    this.#log({ state: h.name, value: keptState(this.state(h)) });
  }

  /** A collection just created: its state (`loaded`, `consistency_level`, `stored`: the
   * stored-only properties as [key, value] pairs). */
  created(h, { loaded, consistency_level = 'Bounded', stored = [] }) {
    const s = { loaded, consistency_level, created: Date.now() };
    if (stored.length) s.props = storedProperties(stored);
    this.#states.set(h.id, s);
    this.keep(h);
  }

  /** LoadCollection / ReleaseCollection. */
  setLoaded(h, loaded) {
    this.state(h).loaded = loaded;
    this.keep(h);
  }

  /** Milvus's error for reading a collection that is not loaded. */
  requireLoaded(h) {
    if (!this.state(h).loaded) throw new MilvusException(101, `collection not loaded[collection=${h.id}]`);
  }

  /** Milvus's error for dropping an index of a loaded collection. */
  requireReleased(h) {
    if (this.state(h).loaded) throw new MilvusException(Code.UNEXPECTED, 'index cannot be dropped, collection is loaded, please release it first');
  }

  /** DropCollection, for every face: Milvus's refusals (`name` is an alias, or the collection
   * still has aliases), then the core drops it and its state goes. A collection that is not
   * there is no error, as in Milvus. */
  drop(name) {
    const h = engine().find(this.#store, name);
    this.aliases.refuseDrop(name, h?.name);
    engine().dropCollection(this.#store, name);
    if (h) this.#states.delete(h.id);
  }

  /** RenameCollection of collection `from` (not an alias, as Milvus refuses) to `to` (a name no
   * collection or alias has), for every face: its state and aliases follow it. Returns the core's facts of the renamed one. */
  rename(from, to) {
    if (this.aliases.has(from))
      throw new MilvusException(Code.PARAMETER_INVALID, `unsupported use an alias to rename collection, alias:${from}: invalid parameter`);
    const h = engine().resolve(this.#store, from);
    const renamed = engine().renameCollection(this.#store, h.name, to, (n) => this.aliases.has(n));
    const s = this.state(h);
    this.#states.delete(h.id);
    this.#states.set(renamed.id, s);
    this.keep(renamed);
    for (const [a, c] of this.aliases) if (c === h.name) this.setAlias(a, renamed.name);
    return renamed;
  }

  /** Sets (target: a collection name) or drops (null) an alias. */
  setAlias(alias, target) {
    this.#log({ alias, to: target });
    if (target === null) this.aliases.delete(alias);
    else this.aliases.set(alias, target);
  }

  /** CreateAlias (`alter` false) or AlterAlias in database `db`: Milvus's checks, then the change. */
  point(alias, name, alter, db) {
    this.aliases.checkPoint(alias, name, alter, db, (n) => engine().hasCollection(this.#store, n));
    this.setAlias(alias, name);
  }

  /** The collection a name names: itself, or the collection of an alias. */
  real(name) {
    return this.aliases.get(name) ?? name;
  }

  /** The whole registry, for a checkpoint's HOST record. */
  encode() {
    const states = [];
    for (const name of engine().listCollections(this.#store)) {
      const s = this.#states.get(engine().find(this.#store, name)?.id);
      if (s) states.push([name, keptState(s)]);
    }
    return textEncoder.encode(JSON.stringify({ aliases: [...this.aliases], states }));
  }

  /** Applies a HOST record on recovery. */
  apply(bytes) {
    const m = JSON.parse(textDecoder.decode(bytes));
    const setState = (name, value) => {
      const h = engine().find(this.#store, name);
      if (h) this.#states.set(h.id, readState(value));
    };
    if (Array.isArray(m.aliases)) {
      this.aliases.clear();
      for (const [a, c] of m.aliases) this.aliases.set(a, c);
      for (const [name, value] of m.states ?? []) setState(name, value);
    } else if (m.state !== undefined) setState(m.state, m.value);
    else if (m.to === null) this.aliases.delete(m.alias);
    else this.aliases.set(m.alias, m.to);
  }
}

const registries = new WeakMap(); // engine store -> Registry

/** The registry of an engine store (made on first use). */
export function registryOf(store) {
  let r = registries.get(store);
  if (!r) registries.set(store, (r = new Registry(store)));
  return r;
}

/** What a durable store keeps beside its collections (persist/durable.js's host): its registry. */
export const registryHost = {
  state: (store) => registryOf(store).encode(),
  apply: (bytes, store) => registryOf(store).apply(bytes),
};
