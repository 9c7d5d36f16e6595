/*
 * query.c — query(), get() and delete(): rows selected by a filter expression.
 *
 * Row order is storage order: partitions in creation order, then rows in the order they were
 * written. Milvus leaves the order unspecified; partita keeps this one stable.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cJSON.h"
#include "json.h"
#include "filter.h"
#include "orderby.h"
#include "rows.h"


/* ============================================================================================
 * Selecting rows
 * ========================================================================================== */

typedef struct selection {
  pt_rowref *refs;
  size_t n, cap;
} selection;

static pt_status select_add(selection *sel, uint32_t part, uint32_t row) {
  /* (select_filtered reserves a segment's worth and writes directly) */
  if (PT_GROW(&sel->refs, &sel->cap, sel->n + 1)) return PT_NOMEM;
  sel->refs[sel->n].part = part;
  sel->refs[sel->n].row = row;
  sel->n++;
  return PT_OK;
}

static int rowref_cmp(const void *a, const void *b) {
  const pt_rowref *x = a, *y = b;
  if (x->part != y->part) return x->part < y->part ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}

/* A selected row with its key, for ordering by key. */
typedef struct keyed_ref {
  pt_key key;
  pt_rowref ref;
} keyed_ref;

static int keyed_cmp(const void *a, const void *b) {
  const keyed_ref *x = a, *y = b;
  int c;
  if (x->key.s || y->key.s) {
    size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
    c = n ? memcmp(x->key.s, y->key.s, n) : 0;
    if (!c) c = x->key.len < y->key.len ? -1 : x->key.len > y->key.len;
  } else {
    c = x->key.i < y->key.i ? -1 : x->key.i > y->key.i;
  }
  return c ? c : rowref_cmp(&x->ref, &y->ref);
}

static bool same_key(const keyed_ref *x, const keyed_ref *y) {
  return x->key.s || y->key.s ? x->key.len == y->key.len && (!x->key.len || !memcmp(x->key.s, y->key.s, x->key.len))
                              : x->key.i == y->key.i;
}

/* Orders the selection by primary key (ties in storage order), then keeps rows [skip, skip +
 * take) — and after them every further row with the last row's key, so that a run of rows of
 * one key (an inserted duplicate, a key in two partitions) is never cut in two: the cursor of a
 * query iterator (`pk > last`) then visits each row once. */
static pt_status order_by_key(const pt_collection *c, selection *sel, uint64_t skip, uint64_t take) {
  if (sel->n == 0) return PT_OK;
  keyed_ref *k = pt_malloc(sel->n * sizeof *k);
  if (!k) return PT_NOMEM;
  for (size_t i = 0; i < sel->n; i++) {
    k[i].ref = sel->refs[i];
    k[i].key = pt_row_key(c->parts[sel->refs[i].part], &c->layout, sel->refs[i].row);
  }
  qsort(k, sel->n, sizeof *k, keyed_cmp);
  size_t from = skip < sel->n ? (size_t)skip : sel->n;
  size_t end = sel->n - from < take ? sel->n : from + (size_t)take;
  while (end > from && end < sel->n && same_key(&k[end - 1], &k[end])) end++;
  for (size_t i = from; i < end; i++) sel->refs[i - from] = k[i].ref;
  sel->n = end - from;
  pt_free(k);
  return PT_OK;
}

/* Orders the selection by order_by_fields (orderby.h), then keeps rows [skip, skip + take): only
 * the first skip + take are ordered (a bounded heap), as a stable sort of them all would give. */
static pt_status order_rows(const pt_collection *c, const pt_order *o, selection *sel, uint64_t skip, uint64_t take) {
  size_t n = sel->n;
  if (skip >= n) {
    sel->n = 0;
    return PT_OK;
  }
  size_t m = take > n - skip ? n : (size_t)(skip + take), got = 0;
  uint32_t *top = pt_malloc(m * sizeof *top);
  pt_rowref *out = pt_malloc(m * sizeof *out);
  if (!top || !out || pt_order_top(c, o, sel->refs, n, m, top, &got)) {
    pt_free(top);
    pt_free(out);
    return PT_NOMEM;
  }
  size_t from = (size_t)skip;
  for (size_t i = from; i < got; i++) out[i - from] = sel->refs[top[i]];
  memcpy(sel->refs, out, (got - from) * sizeof *out);
  sel->n = got - from;
  pt_free(top);
  pt_free(out);
  return PT_OK;
}

/* Rows of the scoped partitions with the listed keys, by index lookups, in storage order. */
static pt_status select_keys(const pt_collection *c, const bool *scope, const pt_pkfilter *f, selection *sel) {
  for (size_t q = 0; q < c->n_parts; q++) {
    if (!scope[q]) continue;
    pt_partition *part = c->parts[q]; /* not const: a lookup may enter its unindexed rows */
    size_t start = sel->n;
    for (size_t k = 0; k < f->n; k++) {
      pt_key key = pt_pkfilter_key(f, k);
      size_t slot = pt_partition_lookup(part, &c->layout, &key);
      if (slot == SIZE_MAX) continue;
      for (uint32_t row = part->index.slots[slot].row; row != PT_NO_ROW;
           row = pt_row_segment(part, &c->layout, row)->next[pt_row_offset(&c->layout, row)])
        if (select_add(sel, (uint32_t)q, row)) return PT_NOMEM;
    }
    /* storage order, and each row once (a key may be listed twice); with fewer than two rows
     * there is nothing to order, and refs may still be NULL */
    if (sel->n - start < 2) continue;
    qsort(sel->refs + start, sel->n - start, sizeof *sel->refs, rowref_cmp);
    size_t w = start;
    for (size_t i = start; i < sel->n; i++)
      if (w == start || sel->refs[i].row != sel->refs[w - 1].row) sel->refs[w++] = sel->refs[i];
    sel->n = w;
  }
  return PT_OK;
}

/* Rows of the scoped partitions passing `f` (NULL: every live row), in storage order, skipping
 * `skip` and taking at most `take`; with `count` set, only counts them into *counted. */
static pt_status select_filtered(const pt_collection *c, const bool *scope, const pt_filter *f, uint64_t skip,
                                 uint64_t take, selection *sel, uint64_t *counted, pt_error *err) {
  const pt_layout *lay = &c->layout;
  uint32_t *hits = NULL;
  pt_status rc = PT_OK;
  for (size_t q = 0; q < c->n_parts && take; q++) {
    if (!scope[q]) continue;
    const pt_partition *part = c->parts[q];
    if (!f && !counted && skip >= part->n_live) { /* whole partitions skipped without a look */
      skip -= part->n_live;
      continue;
    }
    for (size_t s = 0; s < part->n_segs && take; s++) {
      const pt_segment *seg = part->segs[s];
      if (!seg->live) continue;
      if (!f && counted) { *counted += seg->live; continue; }
      if (!f && skip >= seg->live) { skip -= seg->live; continue; }
      if (!hits && !(hits = pt_malloc(((size_t)lay->seg_mask + 1) * sizeof *hits))) { rc = pt_fail_nomem(err); goto done; }
      size_t n;
      if ((rc = pt_filter_select(f, c, q, s, hits, &n, err))) goto done;
      if (counted) {
        *counted += n;
        continue;
      }
      if (skip >= n) {
        skip -= n;
        continue;
      }
      size_t from = (size_t)skip;
      n -= from;
      skip = 0;
      if (n > take) n = (size_t)take;
      take -= n;
      if (PT_GROW(&sel->refs, &sel->cap, sel->n + n)) { rc = pt_fail_nomem(err); goto done; }
      uint32_t base = (uint32_t)(s << lay->seg_shift);
      pt_rowref *refs = sel->refs + sel->n;
      for (size_t i = 0; i < n; i++) {
        refs[i].part = (uint32_t)q;
        refs[i].row = base | hits[from + i];
      }
      sel->n += n;
    }
  }
done:
  pt_free(hits);
  return rc;
}

/* ============================================================================================
 * query()
 * ========================================================================================== */

typedef struct qreq {
  const char *expr;
  size_t expr_len;
  pt_str params; /* expr_params */
  bool has_limit, has_offset;
  bool order_by_pk; /* rows in primary-key order (query iterators), not storage order */
  pt_str order_spec; /* order_by_fields (Milvus 3.0, orderby.h), or empty */
  pt_order order;
  int64_t limit, offset;
  bool *scope; /* per partition */
  pt_outputs out;
} qreq;

static void qreq_release(qreq *q) {
  pt_order_release(&q->order);
  pt_free(q->scope);
  pt_outputs_release(&q->out);
}

static bool get_int(const cJSON *root, const char *key, int64_t *out, bool *has, pt_error *err, pt_status *rc) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
  *has = v && !cJSON_IsNull(v);
  if (!*has) return true;
  if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) > 9e15) {
    char text[32];
    if (cJSON_IsNumber(v)) snprintf(text, sizeof text, "%.17g", v->valuedouble);
    *rc = pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "%s [%.64s] is invalid, should be an integer",
                  key, cJSON_IsString(v) ? v->valuestring : cJSON_IsNumber(v) ? text : cJSON_IsBool(v) ? "bool" : "non-integer");
    return false;
  }
  *out = (int64_t)v->valuedouble;
  return true;
}

static pt_status parse_request(const pt_collection *c, const cJSON *root, qreq *q, pt_error *err) {
  pt_status rc = PT_OK;
  if (!cJSON_IsObject(root))
    return pt_fail(err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the query request must be a JSON object");
  const cJSON *expr = cJSON_GetObjectItemCaseSensitive(root, "expr");
  if (expr && !cJSON_IsNull(expr) && !cJSON_IsString(expr))
    return pt_fail(err, PT_MISUSE, PT_CODE_CLIENT, PT_EXC_PARAM, "The type of expr must be string ,but %s is given.",
                   cJSON_IsNumber(expr) ? "int" : "other");
  q->expr = cJSON_IsString(expr) ? expr->valuestring : "";
  q->expr_len = strlen(q->expr);
  if (!(q->scope = pt_calloc(c->n_parts ? c->n_parts : 1, 1))) return pt_fail_nomem(err);
  if ((rc = pt_scope_parse(c, cJSON_GetObjectItemCaseSensitive(root, "partition_names"), q->scope, err))) return rc;
  if ((rc = pt_outputs_parse(c, cJSON_GetObjectItemCaseSensitive(root, "output_fields"), &q->out, err))) return rc;
  if (!get_int(root, "limit", &q->limit, &q->has_limit, err, &rc)) return rc;
  if (!get_int(root, "offset", &q->offset, &q->has_offset, err, &rc)) return rc;
  const cJSON *order = cJSON_GetObjectItemCaseSensitive(root, "order_by_pk");
  if (order && !cJSON_IsNull(order) && !cJSON_IsBool(order))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "order_by_pk must be a bool, got %s",
                   pt_json_python_type(order));
  q->order_by_pk = cJSON_IsTrue(order);
  const cJSON *spec = cJSON_GetObjectItemCaseSensitive(root, "order_by_fields");
  if (spec && !cJSON_IsNull(spec) && !cJSON_IsString(spec))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "order_by_fields must be a string, got %s",
                   pt_json_python_type(spec));
  if (cJSON_IsString(spec)) q->order_spec = (pt_str){spec->valuestring, strlen(spec->valuestring)};
  /* Milvus's order of checks: a limit, no iterator, then (the plan parsed) no aggregate */
  pt_str first;
  if (pt_order_given(q->order_spec.ptr, q->order_spec.len, &first)) {
    if (!q->has_limit)
      return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "ORDER BY requires explicit limit" PT_INVALID_PARAMETER);
    if (q->order_by_pk)
      return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "ORDER BY with iterator is not supported" PT_INVALID_PARAMETER);
    if (q->out.count_only) return pt_order_refuse_with_aggregates(first, err);
  }

  if (q->out.count_only && ((q->has_limit && q->limit > 0) || (q->has_offset && q->offset > 0)))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "count entities with pagination is not allowed" PT_INVALID_PARAMETER);
  if (q->has_offset && q->offset < 0)
    return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "invalid max query result window, offset [%lld] is invalid, should be gte than 0" PT_INVALID_PARAMETER, (long long)q->offset);
  if (q->has_limit && q->limit <= 0)
    return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "invalid max query result window, limit [%lld] is invalid, should be greater than 0" PT_INVALID_PARAMETER, (long long)q->limit);
  if (q->has_limit && q->limit + (q->has_offset ? q->offset : 0) > PT_MAX_TOPK)
    return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "invalid max query result window, (offset+limit) should be in range [1, %d], but got %lld" PT_INVALID_PARAMETER, PT_MAX_TOPK,
                   (long long)(q->limit + (q->has_offset ? q->offset : 0)));
  if (!q->out.count_only && !q->has_limit && pt_expr_is_empty(q->expr, q->expr_len))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "empty expression should be used with limit" PT_INVALID_PARAMETER);
  return PT_OK;
}

pt_status pt_collection_query(pt_collection *c, const char *request, size_t len, pt_rows **out, pt_error *err) {
  if (!c || !request || !out) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_query: missing argument");
  *out = NULL;
  pt_json_hooks_install();
  /* strings hold no NUL (json.h): the expression and names below are exact C strings */
  pt_json_checked chk;
  cJSON *root = pt_json_parse_ex(request, len, 0, &chk);
  if (!root)
    return pt_json_fail(err, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the query request",
                        "the query request is not valid JSON", &chk);
  qreq q;
  memset(&q, 0, sizeof q);
  selection sel = {NULL, 0, 0};
  pt_filter *filter = NULL;
  pt_rows *rows = NULL;
  pt_status rc = parse_request(c, root, &q, err);
  if (rc) goto done;
  q.params = pt_filter_params(request, len);
  if ((rc = pt_filter_compile(c, q.expr, q.expr_len, q.params.ptr, q.params.len, "query", &filter, err))) goto done;
  if ((rc = pt_order_parse(c, q.order_spec.ptr, q.order_spec.len, PT_ORDER_QUERY, &q.order, err))) goto done;

  uint64_t skip = q.has_offset ? (uint64_t)q.offset : 0;
  uint64_t take = q.has_limit ? (uint64_t)q.limit : UINT64_MAX;
  const pt_pkfilter *keys = pt_filter_keys(filter);
  if (q.out.count_only) {
    uint64_t n = 0;
    if (keys) {
      if ((rc = select_keys(c, q.scope, keys, &sel))) { rc = pt_fail_nomem(err); goto done; }
      n = sel.n;
    } else if ((rc = select_filtered(c, q.scope, filter, 0, UINT64_MAX, &sel, &n, err))) {
      goto done;
    }
    if (pt_rows_count_only(n, &rows)) rc = pt_fail_nomem(err);
    goto done;
  }
  if (q.order_by_pk) {
    if (keys ? select_keys(c, q.scope, keys, &sel) != PT_OK
             : (rc = select_filtered(c, q.scope, filter, 0, UINT64_MAX, &sel, NULL, err)) != PT_OK) {
      if (!rc) rc = pt_fail_nomem(err);
      goto done;
    }
    if (order_by_key(c, &sel, skip, take)) { rc = pt_fail_nomem(err); goto done; }
  } else if (q.order.n) {
    /* every row selected, in storage order, then ordered (stably) and cut */
    if (keys ? select_keys(c, q.scope, keys, &sel) != PT_OK
             : (rc = select_filtered(c, q.scope, filter, 0, UINT64_MAX, &sel, NULL, err)) != PT_OK) {
      if (!rc) rc = pt_fail_nomem(err);
      goto done;
    }
    if (order_rows(c, &q.order, &sel, skip, take)) { rc = pt_fail_nomem(err); goto done; }
  } else if (keys) {
    if (select_keys(c, q.scope, keys, &sel)) { rc = pt_fail_nomem(err); goto done; }
    /* offset and limit over the rows found */
    size_t from = skip < sel.n ? (size_t)skip : sel.n;
    size_t n = sel.n - from < take ? sel.n - from : (size_t)take;
    if (from && n) memmove(sel.refs, sel.refs + from, n * sizeof *sel.refs);
    sel.n = n;
  } else if ((rc = select_filtered(c, q.scope, filter, skip, take, &sel, NULL, err))) {
    goto done;
  }
  if ((rc = pt_rows_build(c, sel.refs, sel.n, &q.out, &rows))) rc = pt_rows_build_fail(rc, err);
done:
  if (rc) {
    pt_rows_free(rows);
    rows = NULL;
  } else {
    pt_error_clear(err);
  }
  *out = rows;
  pt_filter_free(filter);
  pt_free(sel.refs);
  qreq_release(&q);
  cJSON_Delete(root);
  return rc;
}

/* ============================================================================================
 * delete()
 * ========================================================================================== */

static pt_status delete_rows(pt_collection *c, const char *partition, size_t partition_len, const char *expr,
                             size_t expr_len, const char *params, size_t params_len, pt_mutation_result *res,
                             pt_error *err) {
  if (!c || !res || (!expr && expr_len))
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_delete: missing argument");
  memset(res, 0, sizeof *res);
  if (!expr || pt_expr_is_empty(expr, expr_len))
    return pt_fail(err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "invalid expression" PT_INVALID_PARAMETER "[expected=valid expr][actual=empty expr]");
  bool *scope = pt_calloc(c->n_parts ? c->n_parts : 1, 1);
  if (!scope) return pt_fail_nomem(err);
  pt_status rc = PT_OK;
  pt_filter *filter = NULL;
  selection sel = {NULL, 0, 0};
  if (partition && partition_len) {
    int only;
    if (c->partition_key_mode) {
      rc = pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "not support manually specifying the partition names if partition key mode is used" PT_INVALID_PARAMETER);
      goto done;
    }
    if ((only = pt_partition_find(c, partition, partition_len)) < 0) {
      rc = pt_fail(err, PT_NOT_FOUND, PT_CODE_PARTITION_NOT_FOUND, PT_EXC_MILVUS, "partition not found[partition=%.*s]",
                   (int)partition_len, partition);
      goto done;
    }
    scope[only] = true;
  } else {
    for (size_t q = 0; q < c->n_parts; q++) scope[q] = true;
  }
  if ((rc = pt_filter_compile(c, expr, expr_len, params, params_len, "delete", &filter, err))) goto done;
  const pt_pkfilter *keys = pt_filter_keys(filter);
  if (keys) {
    /* 1. a key list: every row with the keys goes; Milvus counts the keys listed, found or not */
    for (size_t q = 0; q < c->n_parts; q++)
      if (scope[q])
        for (size_t k = 0; k < keys->n; k++) {
          pt_key key = pt_pkfilter_key(keys, k);
          pt_partition_delete_key(c->parts[q], &c->layout, &key);
        }
    res->delete_count = keys->n;
  } else {
    /* 2. any other filter: select first (nothing changes if that fails), then delete; the
     *    count is the rows deleted */
    if ((rc = select_filtered(c, scope, filter, 0, UINT64_MAX, &sel, NULL, err))) goto done;
    uint64_t n = 0;
    for (size_t i = 0; i < sel.n; i++)
      n += pt_partition_delete_row(c->parts[sel.refs[i].part], &c->layout, sel.refs[i].row);
    res->delete_count = n;
  }
  res->timestamp = pt_store_next_ts(c->store);
  pt_collection_auto_compact(c);
  pt_error_clear(err);
done:
  pt_free(scope);
  pt_free(sel.refs);
  pt_filter_free(filter);
  return rc;
}

/* A delete frees memory (by compaction, at once or later): it runs in relief, so that a store at
 * its memory ceiling can still delete (alloc.c). */
pt_status pt_collection_delete_with_params(pt_collection *c, const char *partition, size_t partition_len,
                                           const char *expr, size_t expr_len, const char *params, size_t params_len,
                                           pt_mutation_result *res, pt_error *err) {
  if (!params && params_len)
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_delete: missing argument");
  if (!c || !res) return delete_rows(c, partition, partition_len, expr, expr_len, params, params_len, res, err);
  pt_walw w;
  pt_wal_begin(&w, &c->store->wal, PT_LOG_DELETE);
  pt_wal_item(&w, c->name, c->name_len);
  pt_wal_item(&w, partition, partition_len);
  pt_wal_item(&w, expr, expr_len);
  pt_wal_item(&w, params, params_len);
  if (pt_wal_ready(&w)) return pt_fail_nomem(err);
  pt_memory_relief(1);
  pt_status rc = delete_rows(c, partition, partition_len, expr, expr_len, params, params_len, res, err);
  pt_memory_relief(0);
  if (rc) pt_wal_cancel(&w);
  else pt_wal_end(&w, res->timestamp);
  return rc;
}

pt_status pt_collection_delete(pt_collection *c, const char *partition, size_t partition_len, const char *expr,
                               size_t expr_len, pt_mutation_result *res, pt_error *err) {
  return pt_collection_delete_with_params(c, partition, partition_len, expr, expr_len, NULL, 0, res, err);
}
