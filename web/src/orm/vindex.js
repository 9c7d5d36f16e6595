// vindex.js — pymilvus's Index: an index on a collection's field, as the core keeps it
// (src/vindex.c builds and describes it; the Collection's create_index / index() / indexes make
// these handles).

import { CLIENT_ERROR, ParamError } from '../core/errors.js';
import { acceptOptions } from './options.js';

/** The request text naming one index ({ field_name, index_name }). */
export const indexRequest = (field_name, index_name) => JSON.stringify({ field_name: field_name ?? '', index_name: index_name ?? '' });

/** The request text of a create_index: pymilvus's index_params ({ index_type, metric_type, params }). */
export function createIndexRequest(field_name, index_params, index_name) {
  if (typeof field_name !== 'string') throw new ParamError(CLIENT_ERROR, `field_name must be a string, got ${typeof field_name}`);
  const ip = acceptOptions('index_params', index_params, ['index_type', 'metric_type', 'params']);
  let params = ip.params ?? {};
  if (typeof params === 'string') {
    try {
      params = JSON.parse(params);
    } catch {
      throw new ParamError(CLIENT_ERROR, `index params are not JSON: ${params}`);
    }
  }
  return JSON.stringify({ field_name, index_name: index_name ?? '', index_type: ip.index_type ?? '', metric_type: ip.metric_type ?? '', params });
}

export class Index {
  #collection;
  #desc;

  /** A handle on an index the core described (Collection.index(), .indexes, create_index). */
  constructor(collection, desc) {
    this.#collection = collection;
    this.#desc = desc;
  }

  get collection_name() {
    return this.#collection.name;
  }

  get field_name() {
    return this.#desc.field_name;
  }

  get index_name() {
    return this.#desc.index_name;
  }

  /** pymilvus's index_params: { index_type, metric_type, params } as created. */
  get params() {
    return { index_type: this.#desc.index_type, metric_type: this.#desc.metric_type, params: { ...this.#desc.params } };
  }

  toJSON() {
    return { collection: this.collection_name, field: this.field_name, index_name: this.index_name, index_param: this.params };
  }

  /** Drops the index. */
  drop(options = {}) {
    this.#collection.drop_index({ ...acceptOptions('Index.drop() options', options, ['timeout']), index_name: this.index_name });
  }
}
