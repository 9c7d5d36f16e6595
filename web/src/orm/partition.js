// partition.js — Partition: pymilvus's ORM Partition. Its calls are the Collection's, scoped to
// this partition; creating one creates the partition if it does not exist yet.

import { CLIENT_ERROR, ParamError } from '../core/errors.js';
import { OPTIONS, acceptOptions } from './options.js';

const INTERNAL = Symbol('partita.internal');
let CollectionClass = null;

export class Partition {
  #collection;
  #name;
  #description;

  /**
   * @param {import('./collection.js').Collection | string} collection a Collection, or its name
   * @param {string} name
   * @param {string} [description]
   * @param {{ using?: string }} [options]
   */
  constructor(collection, name, description = '', options = {}) {
    if (description !== null && typeof description === 'object') [description, options] = ['', description];
    if (collection === INTERNAL) {
      [this.#collection, this.#name] = options;
      this.#description = description;
      return;
    }
    options = acceptOptions('Partition() options', options, ['using']);
    // a Collection object is in its own connection: another alias would name another store
    if (typeof collection !== 'string' && options.using !== undefined && options.using !== collection?.using)
      throw new ParamError(CLIENT_ERROR, `Partition() options: using '${options.using}' is not the connection of the collection given ('${collection?.using}'); give the collection's name to open it there`);
    if (typeof collection === 'string') {
      if (!CollectionClass) throw new ParamError(CLIENT_ERROR, 'import Collection from partita before creating a Partition by name');
      collection = new CollectionClass(collection, undefined, { using: options.using });
    }
    // a Collection of this module, by its private state (duck typing would let any object
    // stand for one)
    if (!CollectionClass?._is(collection)) throw new ParamError(CLIENT_ERROR, 'The type of collection must be pymilvus.Collection.');
    if (typeof name !== 'string') throw new ParamError(CLIENT_ERROR, `partition name must be a string, got ${typeof name}`);
    this.#collection = collection;
    this.#name = name;
    this.#description = description ?? '';
    const existed = collection.has_partition(name);
    collection._createPartition(name);
    if (!existed) collection._forwardOp('create_partition', { collectionName: collection.name, partitionName: name }, name);
  }

  /** A Partition object for a partition known to exist. */
  static _existing(collection, name) {
    return new Partition(INTERNAL, '', '', [collection, name]);
  }

  get name() {
    return this.#name;
  }

  get description() {
    return this.#description;
  }

  get collection() {
    return this.#collection;
  }

  get collection_name() {
    return this.#collection.name;
  }

  /** Live entities in this partition. */
  get num_entities() {
    return this.#collection._numEntities(this.#name);
  }

  get is_empty() {
    return this.num_entities === 0;
  }

  async insert(data, options = {}) {
    options = acceptOptions('Partition.insert() options', options, OPTIONS.insert);
    return this.#collection._durable(this.#collection._out(await this.#collection._write('insert', data, this.#name, options)));
  }

  async upsert(data, options = {}) {
    options = acceptOptions('Partition.upsert() options', options, OPTIONS.upsert);
    return this.#collection._durable(this.#collection._out(await this.#collection._write('upsert', data, this.#name, options)));
  }

  async delete(expr, options = {}) {
    options = acceptOptions('Partition.delete() options', options, OPTIONS.delete);
    return this.#collection._durable(this.#collection._out(await this.#collection._delete(expr, this.#name, options)));
  }

  async query(expr, options = {}) {
    options = acceptOptions('Partition.query() options', options, OPTIONS.query);
    return this.#collection._out(await this.#collection._query(expr, options, [this.#name]));
  }

  async get(ids, options = {}) {
    options = acceptOptions('Partition.get() options', options, OPTIONS.get);
    return this.#collection._out(await this.#collection._get(ids, options, [this.#name]));
  }

  /** Exact vector search in this partition (see Collection.search). */
  async search(data, anns_field, param, limit, expr, options = {}) {
    options = acceptOptions('Partition.search() options', options, OPTIONS.search);
    return this.#collection._out(await this.#collection._search(data, anns_field, param, limit, expr, options, [this.#name]));
  }

  /** pymilvus's Partition.hybrid_search: Collection.hybrid_search over this partition. */
  async hybrid_search(reqs, rerank, limit, options = {}) {
    options = acceptOptions('Partition.hybrid_search() options', options ?? {}, ['output_fields', 'offset', 'round_decimal', 'timeout']);
    return this.#collection._out(await this.#collection._hybridSearch(reqs, rerank, limit, options, [this.#name]));
  }

  /** pymilvus's Partition.flush flushes the whole collection. */
  async flush(options = {}) {
    return this.#collection.flush(options);
  }

  async load(options = {}) {
    return this.#collection.load(options);
  }

  async release(options = {}) {
    return this.#collection.release(options);
  }

  /** Drops this partition and its data. */
  drop(options = {}) {
    this.#collection.drop_partition(this.#name, options);
  }

  toString() {
    return JSON.stringify({ name: this.#name, collection_name: this.collection_name, description: this.#description });
  }
}

/** collection.js registers Collection here, so that `new Partition('films', 'comedy')` can open
 * the collection by name without a module cycle at load time. */
export function _registerCollection(C) {
  CollectionClass = C;
}
