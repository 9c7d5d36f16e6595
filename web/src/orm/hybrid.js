// hybrid.js — pymilvus's AnnSearchRequest, RRFRanker and WeightedRanker: what
// Collection.hybrid_search takes. They only carry what they are given; the core checks it (each
// sub-request as a search, the ranker's params with Milvus's messages) and fuses the hits.

import { CLIENT_ERROR, ParamError } from '../core/errors.js';

/** One search of a hybrid search: its query vectors (or texts), field, param, limit and filter. */
export class AnnSearchRequest {
  /**
   * @param {*} data query vectors (or texts, for a BM25 function's output field)
   * @param {string} anns_field
   * @param {object} param { metric_type, params }
   * @param {number} limit
   * @param {string} [expr]
   * @param {object} [expr_params]
   */
  constructor(data, anns_field, param, limit, expr = null, expr_params = null) {
    if (typeof anns_field !== 'string') throw new ParamError(CLIENT_ERROR, `anns_field must be a string, got ${typeof anns_field}`);
    if (param === null || typeof param !== 'object' || Array.isArray(param)) throw new ParamError(CLIENT_ERROR, 'param must be a dict');
    if (expr !== null && expr !== undefined && typeof expr !== 'string')
      throw new ParamError(CLIENT_ERROR, `The type of expr must be string ,but ${typeof expr} is given.`);
    this.data = data;
    this.anns_field = anns_field;
    this.param = param;
    this.limit = limit;
    this.expr = expr ?? null;
    this.expr_params = expr_params ?? null;
  }
}

/** Reciprocal rank fusion: a row scores sum(1 / (k + rank)) over the searches that found it. */
export class RRFRanker {
  constructor(k = 60) {
    this.k = k;
  }

  dict() {
    return { strategy: 'rrf', params: { k: this.k } };
  }
}

/** A ranker as a face was given it (MilvusClient's and REST's `rerank` object, or none): handed
 * to the core as it is, which checks it and gives what is missing its default (RRF, k 60). */
export class GivenRanker {
  #given;

  constructor(given) {
    this.#given = given;
  }

  dict() {
    return this.#given;
  }
}

/** Weighted fusion: sum(weight * normalised score) (Milvus's normalisation per metric when
 * norm_score, the default). `new WeightedRanker(0.7, 0.3)` or `new WeightedRanker(0.7, 0.3, { norm_score: false })`. */
export class WeightedRanker {
  constructor(...weights) {
    const last = weights.at(-1);
    const opts = last !== null && typeof last === 'object' && !Array.isArray(last) ? weights.pop() : {};
    for (const k of Object.keys(opts))
      if (k !== 'norm_score') throw new ParamError(CLIENT_ERROR, `WeightedRanker() got an unexpected keyword argument '${k}'`);
    this.weights = weights;
    this.norm_score = opts.norm_score ?? true;
  }

  dict() {
    return { strategy: 'weighted', params: { weights: this.weights, norm_score: this.norm_score } };
  }
}
