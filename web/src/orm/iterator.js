// iterator.js — pymilvus's QueryIterator and SearchIterator over the embedded store.
//
// next() resolves to the next batch (a list, empty once done); close() ends the iteration.
// Both are async iterables too (`for await (const batch of it)`).
//
// QueryIterator pages by primary key: each batch is the first `batch_size` matching rows in key
// order (the core's `order_by_pk`) after the last key returned, `pk > {cursor}` bound as a
// template value (never spliced into the expression). A run of rows of one key (an inserted
// duplicate, a key in two partitions) is never cut between batches. So while other calls insert,
// upsert and delete between batches, every row present from start to end is returned exactly
// once, a row deleted before its turn is not returned, and a row written after the cursor passed
// its key is not returned again.
//
// SearchIterator pages by distance as pymilvus does: after a batch whose last hit is at distance
// d, the next search is a range search from d (range_filter = d: d included, the user's radius
// kept) that leaves out the keys already returned at exactly d (`pk not in {ties}`), so ties are
// broken by key and none is returned twice. The keys returned are also remembered, so a row
// upserted with a new vector further away is never returned a second time. Every row present
// from start to end, with its vector unchanged, is returned exactly once, best first.
//
// Each batch is one query or search: it costs a pass over the matching rows, as they do.

import { engine } from '../core/engine.js';
import { CLIENT_ERROR, MilvusException, ParamError } from '../core/errors.js';
import { roundDistance } from '../core/results.js';

const UNLIMITED = -1;
const CURSOR = 'partita_iterator_cursor';
const TIES = 'partita_iterator_ties';

function checkBatchSize(batchSize) {
  const max = engine().constants.limits.MAX_TOPK; // pymilvus's MAX_BATCH_SIZE, Milvus's topk limit
  if (!Number.isInteger(batchSize)) throw new ParamError(CLIENT_ERROR, `batch size must be an integer, got ${String(batchSize)}`);
  if (batchSize < 0) throw new ParamError(CLIENT_ERROR, 'batch size cannot be less than zero');
  if (batchSize > max) throw new ParamError(CLIENT_ERROR, `batch size cannot be larger than ${max}`);
  return batchSize;
}

function checkLimit(limit) {
  if (!Number.isInteger(limit) || limit < UNLIMITED)
    throw new ParamError(CLIENT_ERROR, `limit must be -1 (unlimited) or a non-negative integer, got ${String(limit)}`);
  return limit;
}

function checkExpr(expr) {
  if (expr !== undefined && expr !== null && typeof expr !== 'string')
    throw new ParamError(CLIENT_ERROR, `The type of expr must be string ,but ${typeof expr} is given.`);
  return expr ?? '';
}

/** The user's template values with one more. */
function withParam(params, name, value) {
  if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params)))
    return params; // the core refuses it with its message
  return { ...(params ?? {}), [name]: value };
}

class BaseIterator {
  #closed = false;
  _returned = 0;

  constructor(limit) {
    this._limit = checkLimit(limit);
  }

  get _done() {
    return this.#closed || (this._limit !== UNLIMITED && this._returned >= this._limit);
  }

  /** Cuts a batch to the limit and counts it. */
  _take(batch) {
    if (this._limit !== UNLIMITED && batch.length > this._limit - this._returned) batch = batch.slice(0, this._limit - this._returned);
    this._returned += batch.length;
    return batch;
  }

  /** Ends the iteration: next() resolves to [] from now on. */
  close() {
    this.#closed = true;
  }

  async *[Symbol.asyncIterator]() {
    for (;;) {
      const batch = await this.next();
      if (!batch.length) return;
      yield batch;
    }
  }
}

export class QueryIterator extends BaseIterator {
  #collection;
  #batchSize;
  #expr;
  #options;
  #partitions;
  #offset;
  #pk;
  #cursor;
  #started = false;
  #pending = []; // rows of one key fetched beyond a batch (never cut between batches)

  /** @param collection the Collection; `o` pymilvus's arguments (see Collection.query_iterator). */
  constructor(collection, o) {
    super(o.limit ?? UNLIMITED);
    this.#collection = collection;
    this.#batchSize = checkBatchSize(o.batch_size ?? 1000);
    this.#expr = checkExpr(o.expr);
    this.#offset = o.offset ?? 0;
    this.#partitions = o.partition_names ?? null;
    this.#options = { output_fields: o.output_fields, timeout: o.timeout, expr_params: o.expr_params, order_by_fields: o.order_by_fields };
    this.#pk = collection.schema.primary_field.name;
  }

  /** The next batch of rows in key order; [] when every row was returned (or close()). */
  async next() {
    if (this._done) return [];
    if (this.#pending.length < this.#batchSize) {
      const rows = this.#fetch();
      if (rows.length) this.#cursor = rows[rows.length - 1][this.#pk];
      this.#pending = this.#pending.concat(rows);
    }
    // the cursor is read from the rows as the core gave them; the batch as the key mode gives it
    return this.#collection._out(this._take(this.#pending.splice(0, this.#batchSize)));
  }

  #fetch() {
    // the first batch starts at `offset`; then after the cursor, bound as a template value
    const started = this.#started;
    this.#started = true;
    if (started && this.#cursor === undefined) return [];
    let expr = this.#expr;
    let params = this.#options.expr_params;
    if (this.#cursor !== undefined) {
      const after = `${this.#pk} > {${CURSOR}}`;
      expr = expr.trim() ? `(${expr}) and ${after}` : after;
      params = withParam(params, CURSOR, this.#cursor);
    }
    const options = { ...this.#options, expr_params: params, limit: this.#batchSize, offset: started ? undefined : this.#offset };
    return this.#collection._query(expr, options, this.#partitions, undefined, { order_by_pk: true });
  }
}

/** Whether smaller is better for a metric (pymilvus's metrics_positive_related). */
function distanceLike(metric) {
  const m = String(metric).toUpperCase();
  if (m === 'L2' || m === 'JACCARD' || m === 'HAMMING' || m === 'TANIMOTO') return true;
  if (m === 'IP' || m === 'COSINE' || m === 'BM25') return false;
  throw new MilvusException(CLIENT_ERROR, `unsupported metrics type for search iteration: ${metric}`);
}

export class SearchIterator extends BaseIterator {
  #collection;
  #data;
  #anns;
  #param;
  #batchSize;
  #expr;
  #options;
  #partitions;
  #roundDecimal;
  #pk;
  #smaller;
  #tail; // the distance of the last hit returned
  #ties = []; // the keys returned at exactly #tail
  #seen = new Set(); // every key returned
  #started = false;
  #exhausted = false;

  constructor(collection, o) {
    super(o.limit ?? UNLIMITED);
    const data = o.data;
    if (Array.isArray(data) && data.length === 0) throw new ParamError(CLIENT_ERROR, 'vector_data for search cannot be empty');
    this.#collection = collection;
    this.#data = data;
    this.#anns = o.anns_field;
    this.#batchSize = checkBatchSize(o.batch_size ?? 1000);
    this.#expr = checkExpr(o.expr);
    const param = o.param ?? {};
    if (typeof param !== 'object' || Array.isArray(param)) throw new ParamError(CLIENT_ERROR, 'search param must be a dict');
    this.#param = { ...param, params: { ...(param.params ?? {}) } };
    if (this.#param.metric_type === undefined || this.#param.metric_type === null || this.#param.metric_type === '')
      throw new ParamError(CLIENT_ERROR, 'must specify metrics type for search iterator');
    this.#smaller = distanceLike(this.#param.metric_type);
    if ((o.offset ?? param.offset ?? 0) !== 0) throw new ParamError(CLIENT_ERROR, 'Not support offset when searching iteration');
    const { radius, range_filter: rangeFilter } = this.#param.params;
    if (radius !== undefined && rangeFilter !== undefined) {
      if (this.#smaller && radius <= rangeFilter)
        throw new MilvusException(CLIENT_ERROR, `for metrics:${this.#param.metric_type}, radius must be larger than range_filter, please adjust your parameter`);
      if (!this.#smaller && radius >= rangeFilter)
        throw new MilvusException(CLIENT_ERROR, `for metrics:${this.#param.metric_type}, radius must be smalled than range_filter, please adjust your parameter`);
    }
    this.#roundDecimal = o.round_decimal ?? -1;
    this.#partitions = o.partition_names ?? null;
    this.#options = { output_fields: o.output_fields, timeout: o.timeout, expr_params: o.expr_params, order_by_fields: o.order_by_fields };
    this.#pk = collection.schema.primary_field.name;
  }

  /** The next batch of hits ({ id, distance, entity }), best first; [] when done (or close()). */
  async next() {
    const out = [];
    while (!this._done && !this.#exhausted && out.length === 0) {
      const hits = this.#page();
      if (!hits.length) this.#exhausted = true;
      else this.#advance(hits);
      for (const h of hits)
        if (!this.#seen.has(h.id)) {
          this.#seen.add(h.id);
          out.push(h);
        }
    }
    for (const h of out) h.distance = roundDistance(h.distance, this.#roundDecimal);
    // ties and seen keys are kept as the core gave them; the batch as the key mode gives it
    return this.#collection._out([this._take(out)])[0];
  }

  /** One search: the first page, or the range after the last distance returned. */
  #page() {
    const param = { ...this.#param, params: { ...this.#param.params } };
    let expr = this.#expr;
    let params = this.#options.expr_params;
    if (this.#started) {
      param.params.range_filter = this.#tail;
      param.params.radius ??= this.#smaller ? Number.MAX_VALUE : -Number.MAX_VALUE;
      if (this.#ties.length) {
        const notTied = `${this.#pk} not in {${TIES}}`;
        expr = expr.trim() ? `(${expr}) and ${notTied}` : notTied;
        params = withParam(params, TIES, this.#ties);
      }
    }
    this.#started = true;
    const options = { ...this.#options, expr_params: params, round_decimal: -1, iterator: true };
    const result = this.#collection._search(this.#data, this.#anns, param, this.#batchSize, expr, options, this.#partitions);
    if (result.length > 1) throw new ParamError(CLIENT_ERROR, 'Not support search iteration over multiple vectors at present');
    return result[0] ?? [];
  }

  #advance(hits) {
    const last = hits[hits.length - 1].distance;
    if (last !== this.#tail) {
      this.#tail = last;
      this.#ties = [];
    }
    for (const h of hits) if (h.distance === last) this.#ties.push(h.id);
  }
}
