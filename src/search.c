/*
 * search.c — exact (brute-force) vector search: every live row that passes the filter is
 * scored against every query vector, and the best offset+limit per query are kept in a heap.
 *
 * HOW IT WORKS
 * The filter is evaluated once per segment into the offsets of the rows it selects, shared by
 * all query vectors. They are visited in blocks of about 256 KB of vector data, so that with
 * several query vectors a block is still in cache when the next query scores it. For each
 * query, a block is scored by one loop per element type and metric (the metric is chosen once
 * per block, not per row) into an array of distances, which is then offered to the query's
 * heap; most rows fail the one comparison with the worst kept hit.
 * FLOAT_VECTOR COSINE reads a row once for its dot product with the normalised query and its
 * own norm (pt_dist_dot_norm_f32). Distances are Milvus's: squared L2, IP, cosine similarity,
 * Hamming count, Jaccard distance. The query vectors are checked and converted by vectors.c
 * (FLOAT16 / BFLOAT16 queries rounded to the field's type, as Milvus receives them), whether a
 * host gives them as it read them (pt_collection_search_vectors) or packed
 * (pt_collection_search).
 *
 * Scores are kept "smaller is better" inside (similarities are negated), so one max-heap of size
 * k serves every metric. The heap orders equal scores by storage order (partition, then row id),
 * so ties keep the earliest rows whatever the heap's shape; every row of a field goes through the
 * same kernel, so equal vectors get bitwise equal distances and do tie. Range search drops rows
 * outside [range_filter, radius) (distances) or (radius, range_filter] (similarities) before the
 * heap; rows whose distance is NaN (float overflow) are dropped too. Results are sorted best
 * first, `offset` of them skipped, and their entities built like a query's (rows.h).
 * A grouping search ("group_by_field", Milvus 2.6) keeps every hit, sorts them, and then
 * group_hits arranges them into groups of the field's value (up to group_size hits each, groups
 * in the order of their best hit, `offset` and `limit` counting groups).
 */
#include "search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cJSON.h"
#include "json.h"
#include "distance.h"
#include "half.h"
#include "orderby.h"
#include "text.h"
#include "vindex.h"


typedef enum metric { M_L2, M_IP, M_COSINE, M_HAMMING, M_JACCARD, M_BM25 } metric;

static const char *const METRIC_NAMES[] = {"L2", "IP", "COSINE", "HAMMING", "JACCARD", "BM25"};

struct pt_search_result {
  size_t nq;
  uint32_t *counts;   /* hits per query */
  float *distances;   /* every hit, query after query */
  pt_rows *rows;      /* primary key and output fields of every hit, same order */
  pt_rowref *refs;    /* where every hit is stored, same order (hybrid.c fuses by it) */
  bool key_is_output; /* the primary key was asked for as an output field too */
};

size_t pt_search_nq(const pt_search_result *r) { return r ? r->nq : 0; }
const uint32_t *pt_search_counts(const pt_search_result *r) { return r ? r->counts : NULL; }
const float *pt_search_distances(const pt_search_result *r) { return r ? r->distances : NULL; }
const pt_rows *pt_search_rows(const pt_search_result *r) { return r ? r->rows : NULL; }
int pt_search_key_is_output(const pt_search_result *r) { return r && r->key_is_output; }

void pt_search_free(pt_search_result *r) {
  if (!r) return;
  pt_free(r->counts);
  pt_free(r->distances);
  pt_rows_free(r->rows);
  pt_free(r->refs);
  pt_free(r);
}

const pt_rowref *pt_search_refs(const pt_search_result *r) { return r ? r->refs : NULL; }

pt_search_result *pt_search_result_make(size_t nq, uint32_t *counts, float *distances, pt_rows *rows, bool key_is_output) {
  pt_search_result *r = pt_calloc(1, sizeof *r);
  if (!r) {
    pt_free(counts);
    pt_free(distances);
    pt_rows_free(rows);
    return NULL;
  }
  r->nq = nq;
  r->counts = counts;
  r->distances = distances;
  r->rows = rows;
  r->key_is_output = key_is_output;
  return r;
}

/* ============================================================================================
 * Top-k heap: a max-heap on (internal score, storage order), so the worst kept hit is at the
 * top. Among equal scores the later row is the worse one: it is the one evicted when a better
 * row arrives, and a row equal to the worst kept one never displaces it (rows arrive in storage
 * order), so ties keep the earliest rows.
 * ========================================================================================== */

typedef struct hit {
  float key;       /* smaller is better */
  pt_rowref ref;
} hit;

typedef struct heap {
  hit *h;
  size_t n, k;
} heap;

static inline bool ref_before(pt_rowref a, pt_rowref b) {
  return a.part != b.part ? a.part < b.part : a.row < b.row;
}

/* x ranks after y */
static inline bool worse(const hit *x, const hit *y) {
  return x->key != y->key ? x->key > y->key : ref_before(y->ref, x->ref);
}

static void sift_down(hit *h, size_t n, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && worse(&h[l], &h[m])) m = l;
    if (r < n && worse(&h[r], &h[m])) m = r;
    if (m == i) return;
    hit t = h[i];
    h[i] = h[m];
    h[m] = t;
    i = m;
  }
}

static void heap_push(heap *hp, float key, pt_rowref ref) {
  hit x = {key, ref};
  if (hp->n < hp->k) {
    size_t i = hp->n++;
    while (i > 0) { /* sift up */
      size_t p = (i - 1) / 2;
      if (!worse(&x, &hp->h[p])) break;
      hp->h[i] = hp->h[p];
      i = p;
    }
    hp->h[i] = x;
  } else if (worse(&hp->h[0], &x)) {
    hp->h[0] = x;
    sift_down(hp->h, hp->n, 0);
  }
}

static int hit_cmp(const void *a, const void *b) {
  const hit *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  if (x->ref.part != y->ref.part) return x->ref.part < y->ref.part ? -1 : 1;
  return x->ref.row < y->ref.row ? -1 : x->ref.row > y->ref.row;
}

/* ============================================================================================
 * The request
 * ========================================================================================== */

typedef struct sreq {
  int field;               /* the vector field */
  const pt_field *f;
  metric m;
  int64_t limit, offset;
  size_t nq;
  bool has_radius, has_range_filter;
  double radius, range_filter;
  const char *expr;
  size_t expr_len;
  bool *scope;
  pt_outputs out;
  pt_queries v;            /* query vectors, converted once to what the kernels take (COSINE:
                            * float ones normalised) */
  float *qnorm;            /* INT8 COSINE: |q| */
  cJSON *texts;            /* BM25: the query texts (a JSON array of strings; owned) */
  int group_field;         /* grouping search: the column grouped by (a field, or $meta), or -1 */
  size_t group_size;       /* hits per group */
  bool strict_group;       /* only groups of exactly group_size hits */
  bool group_json;         /* group_field is JSON ($meta included): grouped by the value at a path */
  const pt_str *group_keys; /* that path (owned by group_plan), group_n_keys keys */
  size_t group_n_keys;
  pt_plan *group_plan;     /* the path's plan (`exists <group_by_field>`), or NULL */
  pt_str order_spec;       /* params.order_by_fields (Milvus 3.0, orderby.h), or empty */
  pt_order order;          /* the hits' order, when given (else best first) */
  bool use_index;          /* the field's index is walked (vindex.h), with these parameters */
  pt_index_search_params isp;
} sreq;

static void sreq_release(sreq *q) {
  pt_order_release(&q->order);
  pt_free(q->scope);
  pt_outputs_release(&q->out);
  pt_queries_release(&q->v);
  pt_free(q->qnorm);
  pt_plan_free(q->group_plan);
  cJSON_Delete(q->texts);
}

static pt_status pick_field(const pt_collection *c, const cJSON *root, sreq *q, pt_error *err) {
  const pt_schema *s = c->schema;
  const cJSON *af = cJSON_GetObjectItemCaseSensitive(root, "anns_field");
  if (cJSON_IsString(af) && af->valuestring[0]) {
    int fi = pt_schema_find(s, af->valuestring, strlen(af->valuestring));
    if (fi < 0)
      return pt_fail(err, PT_NOT_FOUND, 1700, PT_EXC_MILVUS, "failed to get field schema by name: fieldName(%s) not found: field not found[field=%s]",
                     af->valuestring, af->valuestring);
    if (!pt_dtype_is_vector(s->fields[fi].dtype))
      return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "field (%s) to search is not of vector data type" PT_INVALID_PARAMETER, af->valuestring);
    q->field = fi;
  } else {
    int found = -1, n = 0;
    for (size_t i = 0; i < s->n_fields; i++)
      if (pt_dtype_is_vector(s->fields[i].dtype)) { found = (int)i; n++; }
    if (n != 1)
      return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "multiple anns_fields exist, please specify a anns_field in search_params" PT_INVALID_PARAMETER);
    q->field = found;
  }
  q->f = &s->fields[q->field];
  return PT_OK;
}

const char *pt_metric_canonical(const char *name) {
  for (size_t i = 0; name && i < sizeof METRIC_NAMES / sizeof METRIC_NAMES[0]; i++) {
    const char *a = name, *b = METRIC_NAMES[i];
    while (*a && *b && (*a >= 'a' && *a <= 'z' ? *a - 32 : *a) == *b) { a++; b++; } /* case-insensitive */
    if (!*a && !*b) return METRIC_NAMES[i];
  }
  return NULL;
}

static pt_status pick_metric(const pt_collection *c, const cJSON *root, sreq *q, pt_error *err) {
  const cJSON *mt = cJSON_GetObjectItemCaseSensitive(root, "metric_type");
  const pt_vindex *vx = pt_vindex_of_field(c, q->field, NULL);
  if (!mt || cJSON_IsNull(mt) || (cJSON_IsString(mt) && !mt->valuestring[0])) {
    /* the index's metric, else the field type's default (one rule: vindexdef.c) */
    const char *dflt = pt_vindex_search_metric(c, q->field);
    for (size_t i = 0; i < sizeof METRIC_NAMES / sizeof *METRIC_NAMES; i++)
      if (strcmp(dflt, METRIC_NAMES[i]) == 0) q->m = (metric)i;
    return PT_OK;
  }
  int dtype = q->f->dtype;
  if (!cJSON_IsString(mt))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "metric_type must be a string");
  const char *name = mt->valuestring;
  const char *canonical = pt_metric_canonical(name);
  int found = -1;
  for (int i = 0; canonical && i < (int)(sizeof METRIC_NAMES / sizeof METRIC_NAMES[0]); i++)
    if (METRIC_NAMES[i] == canonical) found = i;
  if (found < 0)
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "metric type %s not found or not supported, supported: [L2 IP COSINE HAMMING JACCARD]" PT_INVALID_PARAMETER, name);
  q->m = (metric)found;
  if (!pt_field_metric_allowed(q->f, METRIC_NAMES[found]))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "metric type not match: invalid parameter[expected=%s][actual=%s]",
                   dtype == PT_BINARY_VECTOR ? "HAMMING or JACCARD" : q->f->bm25_input >= 0 ? "BM25"
                   : dtype == PT_SPARSE_FLOAT_VECTOR ? "IP" : "L2, IP or COSINE",
                   METRIC_NAMES[found]);
  if (vx && strcmp(vx->metric, METRIC_NAMES[found]) != 0) /* Milvus searches with the index's metric */
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "metric type not match: invalid parameter[expected=%s][actual=%s]", vx->metric, name);
  return PT_OK;
}

/* Whether s is exactly a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number_text(const char *s) {
  if (*s == '-') s++;
  if (*s == '0') s++;
  else if (*s >= '1' && *s <= '9') while (*s >= '0' && *s <= '9') s++;
  else return false;
  if (*s == '.') {
    if (!(*++s >= '0' && *s <= '9')) return false;
    while (*s >= '0' && *s <= '9') s++;
  }
  if (*s == 'e' || *s == 'E') {
    if (*++s == '+' || *s == '-') s++;
    if (!(*s >= '0' && *s <= '9')) return false;
    while (*s >= '0' && *s <= '9') s++;
  }
  return *s == '\0';
}

/* A range-search bound, params.radius or params.range_filter, as Milvus's index layer reads it:
 * a number, or a string holding one (knowhere converts those); anything else, null included, is
 * refused with knowhere's messages. Absent: *has is false. */
static pt_status get_bound(const cJSON *params, const char *key, bool *has, double *out, pt_error *err) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, key);
  *has = v != NULL;
  if (!v) return PT_OK;
  if (cJSON_IsString(v)) {
    if (number_text(v->valuestring)) *out = pt_strtod(v->valuestring, NULL);
    if (!number_text(v->valuestring) || !isfinite(*out))
      return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "invalid float value, key: '%s', value: '%.64s'" PT_INVALID_PARAMETER, key, v->valuestring);
    return PT_OK;
  }
  if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
    *out = v->valuedouble;
    return PT_OK;
  }
  return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                 "Type conflict in json: param '%s' (%s) should be a number" PT_INVALID_PARAMETER, key,
                 cJSON_IsNull(v) ? "null" : cJSON_IsTrue(v) ? "true" : cJSON_IsFalse(v) ? "false" : cJSON_IsArray(v) ? "[...]"
                 : cJSON_IsObject(v) ? "{...}" : "a number out of range");
}

static bool is_distance(metric m) { return m == M_L2 || m == M_HAMMING || m == M_JACCARD; }

/* An optional integer parameter (pymilvus checks its type before sending): false when it is
 * there but not an integer, with its text in `text`. */
static bool get_integer(const cJSON *root, const char *key, double *out, char *text, size_t tsize) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
  if (!v || cJSON_IsNull(v)) return true;
  if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble)) {
    *out = v->valuedouble;
    return true;
  }
  if (cJSON_IsNumber(v)) snprintf(text, tsize, "%.17g", v->valuedouble);
  else if (cJSON_IsString(v)) snprintf(text, tsize, "%s", v->valuestring);
  else if (cJSON_IsBool(v)) snprintf(text, tsize, "%s", cJSON_IsTrue(v) ? "true" : "false");
  else snprintf(text, tsize, "%s", cJSON_IsArray(v) ? "[...]" : "{...}");
  return false;
}

/* Milvus's order: topk, then offset, then offset + topk. */
static pt_status parse_limits(const pt_collection *c, const cJSON *root, sreq *q, pt_error *err) {
  double limit = 10, offset = 0;
  char text[64];
  if (!get_integer(root, "limit", &limit, text, sizeof text))
    return pt_fail(err, PT_MISUSE, PT_CODE_CLIENT, PT_EXC_PARAM, "`limit` value %s is illegal", text);
  if (!get_integer(root, "offset", &offset, text, sizeof text))
    return pt_fail(err, PT_MISUSE, PT_CODE_CLIENT, PT_EXC_PARAM, "`offset` value %s is illegal", text);
  /* Milvus's proxy words these as plain errors (code 65535, no ": invalid parameter"); an offset
   * of 0 is not checked, any other must itself be in [1, 16384] */
  if (limit < 1 || limit > PT_MAX_TOPK)
    return pt_fail(err, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "topk [%.0f] is invalid, it should be in range [1, %d], but got %.0f", limit, PT_MAX_TOPK, limit);
  if (offset != 0 && (offset < 1 || offset > PT_MAX_TOPK))
    return pt_fail(err, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "offset [%.0f] is invalid, it should be in range [1, %d], but got %.0f", offset, PT_MAX_TOPK, offset);
  if (limit + offset > PT_MAX_TOPK)
    return pt_fail(err, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "offset+topk [%.0f] is invalid, it should be in range [1, %d], but got %.0f", limit + offset,
                   PT_MAX_TOPK, limit + offset);
  q->limit = (int64_t)limit;
  q->offset = (int64_t)offset;

  const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
  if (params && !cJSON_IsNull(params) && !cJSON_IsObject(params))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "search params must be a dict");
  /* Milvus 3.0 orders a search's hits by scalar values given as order_by_fields, which the SDKs
   * send among the search params (read once the grouping is: order_hits) */
  const cJSON *ob = params ? cJSON_GetObjectItemCaseSensitive(params, "order_by_fields") : NULL;
  if (ob && !cJSON_IsNull(ob) && !cJSON_IsString(ob))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "order_by_fields must be a string, got %s",
                   pt_json_python_type(ob));
  if (cJSON_IsString(ob)) q->order_spec = (pt_str){ob->valuestring, strlen(ob->valuestring)};
  pt_status rc;
  if ((rc = pt_vindex_search_params(c, q->field, params, (uint32_t)(limit + offset), &q->isp, &q->use_index, err)))
    return rc;
  if ((rc = get_bound(params, "radius", &q->has_radius, &q->radius, err)) ||
      (rc = get_bound(params, "range_filter", &q->has_range_filter, &q->range_filter, err)))
    return rc;
  if (q->has_range_filter && !q->has_radius)
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "range_filter requires radius to be set; range_filter alone is not a valid range search parameter"
                   PT_INVALID_PARAMETER "[expected=range_filter][actual=]");
  if (q->has_radius && q->has_range_filter) {
    bool ok = is_distance(q->m) ? q->range_filter < q->radius : q->range_filter > q->radius;
    if (!ok)
      return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "range_filter must be %s than radius for %s" PT_INVALID_PARAMETER,
                     is_distance(q->m) ? "less" : "greater", METRIC_NAMES[q->m]);
  }
  return PT_OK;
}

/* Grouping search (Milvus 2.6): "group_by_field" (absent, null or "" means none), "group_size"
 * (hits per group, 1 to PT_MAX_GROUP_SIZE, Milvus's default maxGroupSize) and
 * "strict_group_size" (a boolean). group_by_field names, as Milvus's proxy resolves it
 * (parseGroupByField): a BOOL, INT8..INT64 or VARCHAR field; a JSON field (or $meta), grouped by
 * its whole value; a path into a JSON field (`meta["k"][0]`); or, with the dynamic field, a
 * dynamic key or a path into one (`color`, `color["shade"]`). A field named before brackets
 * that is not JSON is grouped by itself, as Milvus does. */
#define PT_MAX_GROUP_SIZE 10
static pt_status parse_group(const pt_collection *c, const cJSON *root, sreq *q, pt_error *err) {
  q->group_field = -1;
  q->group_size = 1;
  const cJSON *g = cJSON_GetObjectItemCaseSensitive(root, "group_by_field");
  const cJSON *gs = cJSON_GetObjectItemCaseSensitive(root, "group_size");
  const cJSON *st = cJSON_GetObjectItemCaseSensitive(root, "strict_group_size");
  if (g && !cJSON_IsNull(g) && !cJSON_IsString(g))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "group_by_field must be a string");
  double size = 1;
  char text[64];
  if (!get_integer(root, "group_size", &size, text, sizeof text))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "`group_size` value %s is illegal", text);
  if (st && !cJSON_IsNull(st) && !cJSON_IsBool(st))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "`strict_group_size` must be a bool");
  bool grouped = cJSON_IsString(g) && g->valuestring[0];
  if (!grouped) {
    /* Milvus ignores them without a group_by_field; nothing given is ignored here */
    const char *alone = gs && !cJSON_IsNull(gs) ? "group_size" : cJSON_IsTrue(st) ? "strict_group_size" : NULL;
    if (alone)
      return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM,
                     "`%s` is given without a group_by_field, where it would have no effect", alone);
    return PT_OK;
  }
  const pt_schema *s = c->schema;
  const char *name = g->valuestring;
  size_t len = strlen(name), base = len;
  if (strchr(name, '[') && strchr(name, ']')) base = (size_t)(strchr(name, '[') - name);
  int fi = pt_schema_find(s, name, base);
  if (fi >= 0 && (base == len || s->fields[fi].dtype != PT_JSON)) {
    q->group_json = s->fields[fi].dtype == PT_JSON; /* a JSON field by name: its whole value */
  } else if (fi < 0 && base == len && s->enable_dynamic_field && pt_str_eqz(name, len, PT_DYNAMIC_FIELD_NAME)) {
    fi = c->layout.dynamic;
    q->group_json = true;
  } else if (fi >= 0 || s->enable_dynamic_field) {
    /* a path: the filter language's `exists <path>` resolves it (JSON field or dynamic key) */
    pt_error perr;
    const pt_pred *p;
    pt_status rc = pt_json_path_plan(c, name, len, "search", &q->group_plan, &p, &perr);
    if (rc == PT_NOMEM) return pt_fail_nomem(err);
    if (!p)
      return pt_fail(err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "group_by_field %s is neither a field nor a JSON path%s%s" PT_INVALID_PARAMETER, name,
                     rc ? ": " : "", rc ? perr.message : "");
    fi = p->col.field;
    q->group_json = true;
    q->group_keys = p->col.keys;
    q->group_n_keys = p->col.n_keys;
  } else {
    return pt_fail(err, PT_NOT_FOUND, 1700, PT_EXC_MILVUS, "groupBy field not found in schema: field not found[field=%s]",
                   name);
  }
  int dt = q->group_json ? PT_JSON : s->fields[fi].dtype;
  if (!(dt == PT_BOOL || dt == PT_INT8 || dt == PT_INT16 || dt == PT_INT32 || dt == PT_INT64 || dt == PT_VARCHAR ||
        dt == PT_JSON))
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "unsupported data type %s for group by operator" PT_INVALID_PARAMETER, pt_dtype_proto_name(dt));
  if (size < 1)
    return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "input group size:%.0f is negative, failed to do search_groupby" PT_INVALID_PARAMETER, size);
  if (size > PT_MAX_GROUP_SIZE)
    return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "input group size:%.0f exceeds configured max group size:%d" PT_INVALID_PARAMETER, size, PT_MAX_GROUP_SIZE);
  q->group_field = fi;
  q->group_size = (size_t)size;
  q->strict_group = cJSON_IsTrue(st);
  return PT_OK;
}

/* pt_collection_search's vectors, packed as its request's "nq" and "vector_kind" say (sparse
 * ones in its "sparse" member): their number and packed size are checked as the packing
 * promised, then they are read as typed vectors (vectors.c), as every host's are. `vectors` is
 * read only when nq and `bytes` are valid (a host may pass NULL with the number or the size of
 * vectors it did not copy, to have them refused). */
static pt_status packed_vectors(const cJSON *root, sreq *q, const void *vectors, size_t bytes, pt_error *err) {
  const pt_field *f = q->f;
  const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "vector_kind");
  const char *k = cJSON_IsString(kind) ? kind->valuestring : "float32";
  /* the number of query vectors: "nq" when given (a host that finds too many vectors gives
   * their number alone, to have it refused), else sparse vectors are counted */
  const cJSON *given = cJSON_GetObjectItemCaseSensitive(root, "nq");
  const cJSON *sp = cJSON_GetObjectItemCaseSensitive(root, "sparse");
  double nq = 0;
  if (given) nq = cJSON_IsNumber(given) && given->valuedouble == floor(given->valuedouble) ? given->valuedouble : 0;
  else if (f->dtype == PT_SPARSE_FLOAT_VECTOR && cJSON_IsArray(sp)) nq = (double)cJSON_GetArraySize(sp);
  if (nq < 1 || nq > PT_MAX_NQ) return pt_queries_bad_nq(nq, err);
  size_t n = (size_t)nq, dim = (size_t)f->dim;
  pt_vectors_in in = {PT_IN_FLOAT32, (uint32_t)n, (uint32_t)dim, vectors, 0, NULL, NULL, 0, 0};
  size_t want = n * dim * 4;
  switch (f->dtype) {
  case PT_FLOAT_VECTOR: case PT_FLOAT16_VECTOR: case PT_BFLOAT16_VECTOR:
    if (strcmp(k, "float32") != 0) want = SIZE_MAX;
    break;
  case PT_INT8_VECTOR: case PT_BINARY_VECTOR:
    in.kind = PT_IN_BYTES;
    if (f->dtype == PT_BINARY_VECTOR) in.width = (uint32_t)(dim / 8);
    want = strcmp(k, "bytes") == 0 ? n * in.width : SIZE_MAX;
    break;
  case PT_SPARSE_FLOAT_VECTOR:
    if (!cJSON_IsArray(sp) || (size_t)cJSON_GetArraySize(sp) != n)
      return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "nq [%zu] does not match the %d sparse query vectors given" PT_INVALID_PARAMETER, n,
                     cJSON_IsArray(sp) ? cJSON_GetArraySize(sp) : 0);
    return pt_queries_sparse(sp, n, &q->v, err);
  default:
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "field %s is not a vector field", f->name);
  }
  if (bytes != want)
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "vector dimension mismatch, expected vector size(byte) %zu, actual %zu." PT_INVALID_PARAMETER,
                   want == SIZE_MAX ? n * in.width * (in.kind == PT_IN_BYTES ? 1 : 4) : want, bytes);
  return pt_queries_read(f, &in, &q->v, err);
}

/* What the kernels need besides the query vectors: COSINE float queries normalised, the norms
 * of INT8 ones. */
static pt_status prepare_queries(sreq *q, pt_error *err) {
  q->nq = q->v.nq;
  size_t dim = (size_t)q->f->dim;
  if (q->v.f && q->m == M_COSINE)
    for (size_t i = 0; i < q->nq; i++) {
      float *v = q->v.f + i * dim;
      double n = 0;
      for (size_t j = 0; j < dim; j++) n += (double)v[j] * v[j];
      if (n > 0) {
        float inv = (float)(1.0 / sqrt(n));
        for (size_t j = 0; j < dim; j++) v[j] *= inv;
      }
    }
  if (q->v.i8) {
    if (!(q->qnorm = pt_malloc((q->nq ? q->nq : 1) * sizeof *q->qnorm))) return pt_fail_nomem(err);
    for (size_t i = 0; i < q->nq; i++)
      q->qnorm[i] = sqrtf((float)pt_dist_dot_i8(q->v.i8 + i * dim, q->v.i8 + i * dim, dim));
  }
  return PT_OK;
}

/* ============================================================================================
 * Search by text (BM25): the texts, the statistics and inverted index of every partition
 * (fts.h), one index search per partition searched and query, offered to the query's heap
 * ========================================================================================== */

/* The query texts of a BM25 field: a JSON list of strings, from a host's vectors (JSON kind)
 * or pt_collection_search's "sparse" member. */
static pt_status bm25_texts(const cJSON *root, const pt_vectors_in *in, sreq *q, pt_error *err) {
  const cJSON *list = NULL;
  if (in && in->kind == PT_IN_JSON && in->values) {
    pt_json_checked chk;
    q->texts = pt_json_parse_ex(in->values, in->len, 0, &chk);
    if (!q->texts) return pt_json_fail(err, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "the search texts", "the search texts are not JSON", &chk);
    list = q->texts;
  } else if (!in) {
    list = cJSON_GetObjectItemCaseSensitive(root, "sparse");
  } else if (in->n < 1 || in->n > PT_MAX_NQ) {
    return pt_queries_bad_nq((double)in->n, err);
  }
  bool ok = cJSON_IsArray(list);
  for (const cJSON *t = ok ? list->child : NULL; t; t = t->next) ok &= cJSON_IsString(t);
  if (!ok)
    return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "field %s is the output of a BM25 function: search it with texts (a list of strings)" PT_INVALID_PARAMETER,
                   q->f->name);
  size_t n = (size_t)cJSON_GetArraySize(list);
  if (n < 1 || n > PT_MAX_NQ) return pt_queries_bad_nq((double)n, err);
  if (list != q->texts) {
    if (!(q->texts = cJSON_Duplicate(list, true))) return pt_fail_nomem(err);
  }
  q->nq = n;
  return PT_OK;
}

/* params.bm25_k1, bm25_b, drop_ratio_search: numbers (or their text), in knowhere's ranges. The
 * field's index (SPARSE_INVERTED_INDEX with metric BM25) may hold bm25_k1 / bm25_b, checked when
 * it was created: they are the search's unless it gives its own, as in knowhere. */
static pt_status bm25_params(const pt_collection *c, const sreq *q, const cJSON *root, pt_bm25_params *prm,
                             pt_error *err) {
  pt_bm25_params_default(prm);
  const pt_vindex *vx = pt_vindex_of_field(c, q->field, NULL);
  if (vx) *prm = vx->bm25; /* bm25_k1 / bm25_b as the index was created with (else defaults) */
  const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
  if (!cJSON_IsObject(params)) return PT_OK;
  bool has;
  pt_status rc;
  if ((rc = get_bound(params, "bm25_k1", &has, &prm->k1, err)) || (rc = get_bound(params, "bm25_b", &has, &prm->b, err)) ||
      (rc = get_bound(params, "drop_ratio_search", &has, &prm->drop_ratio_search, err)))
    return rc;
  return pt_bm25_params_check(prm, err);
}

static bool in_range(const sreq *q, float reported);

typedef struct bm25_accept {
  const uint8_t *bits; /* rows the filter selected */
} bm25_accept;

static bool bm25_accepts(const void *ctx, uint32_t row) { return pt_bit_get(((const bm25_accept *)ctx)->bits, row); }

/* The rows the filter selects, a bitmap per partition searched (none without a filter: the
 * inverted indexes hold the live rows only); *out (owned: filter_bits_free) has c->n_parts slots. */
static void filter_bits_free(const pt_collection *c, uint8_t **bits) {
  for (size_t p = 0; bits && p < c->n_parts; p++) pt_free(bits[p]);
  pt_free(bits);
}

static pt_status filter_bits(pt_collection *c, const sreq *q, const pt_filter *filter, uint32_t *sel, uint8_t ***out,
                             pt_error *err) {
  uint8_t **bits = pt_calloc(c->n_parts ? c->n_parts : 1, sizeof *bits);
  if (!bits) return pt_fail_nomem(err);
  const pt_layout *lay = &c->layout;
  pt_status rc = PT_OK;
  for (size_t p = 0; q->expr_len && p < c->n_parts && !rc; p++) {
    if (!q->scope[p]) continue;
    const pt_partition *part = c->parts[p];
    if (!(bits[p] = pt_calloc(part->n_rows / 8 + 1, 1))) { rc = pt_fail_nomem(err); break; }
    for (size_t s = 0; s < part->n_segs && !rc; s++) {
      size_t n_sel;
      if (!part->segs[s]->live || (rc = pt_filter_select(filter, c, p, s, sel, &n_sel, err))) continue;
      for (size_t j = 0; j < n_sel; j++) pt_bit_set(bits[p], (uint32_t)(s << lay->seg_shift) | sel[j]);
    }
  }
  if (rc) {
    filter_bits_free(c, bits);
    return rc;
  }
  *out = bits;
  return PT_OK;
}

static pt_status bm25_scan(pt_collection *c, const sreq *q, const cJSON *root, const pt_filter *filter, heap *heaps,
                           uint32_t *sel, pt_error *err) {
  pt_bm25_params prm;
  pt_status rc = bm25_params(c, q, root, &prm, err);
  if (rc) return rc;
  for (size_t p = 0; p < c->n_parts; p++)
    if (pt_fts_ensure(c, c->parts[p])) return pt_fail_nomem(err);
  const pt_field *in = &c->schema->fields[q->f->bm25_input];
  const pt_analyzer *a = in->analyzer; /* built once, with the collection (schema.h) */
  size_t k = heaps[0].k;
  uint8_t **bits = NULL;
  uint32_t *ids = pt_malloc(k * sizeof *ids);
  float *scores = pt_malloc(k * sizeof *scores);
  pt_fts_scratch scratch = {0};
  pt_bm25_query bq = {0};
  if (!ids || !scores) { rc = pt_fail_nomem(err); goto done; }
  if ((rc = filter_bits(c, q, filter, sel, &bits, err))) goto done;
  size_t qi = 0;
  for (const cJSON *t = q->texts->child; t; t = t->next, qi++) {
    if ((rc = pt_fts_query(c, q->field, a, t->valuestring, strlen(t->valuestring), &prm, &scratch, &bq, err))) goto done;
    for (size_t p = 0; p < c->n_parts; p++) {
      if (!q->scope[p]) continue;
      bm25_accept ctx = {bits[p]};
      pt_index_filter flt = {bm25_accepts, &ctx};
      size_t n;
      pt_fts_field *ff = pt_fts_field_of(c->parts[p], q->field);
      if (pt_bm25_index_search(ff->ix, &bq, k, q->expr_len ? &flt : NULL, ids, scores, &n)) {
        rc = pt_fail_nomem(err);
        goto done;
      }
      for (size_t j = 0; j < n; j++)
        if (in_range(q, scores[j])) heap_push(&heaps[qi], -scores[j], (pt_rowref){(uint32_t)p, ids[j]});
    }
  }
done:
  filter_bits_free(c, bits);
  pt_free(ids);
  pt_free(scores);
  pt_fts_scratch_release(&scratch);
  pt_bm25_query_release(&bq);
  return rc;
}

/* ============================================================================================
 * A plain sparse field with an IP index: each partition's inverted index (fts.h) answers a query
 * when its k-th best shares a term with it (score above 0: no row outside the index's answer
 * can tie or beat it); otherwise that partition is scanned exactly for that query
 * ========================================================================================== */

/* params.drop_ratio_search of a plain sparse field's search (knowhere's, in [0, 1)): each query
 * loses its values of smallest magnitude (pt_sparse_drop_small), for the index and the exact scan
 * alike. Other fields have no such parameter: knowhere reads it only in its sparse indexes'
 * config (Milvus takes it and ignores it on a dense field); partita refuses it by name rather
 * than ignore it. */
static pt_status sparse_drop_ratio(const cJSON *root, sreq *q, pt_error *err) {
  bool has;
  double ratio = 0;
  pt_status rc = get_bound(cJSON_GetObjectItemCaseSensitive(root, "params"), "drop_ratio_search", &has, &ratio, err);
  if (rc || !has) return rc;
  if (q->f->dtype != PT_SPARSE_FLOAT_VECTOR)
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "search param 'drop_ratio_search' applies to sparse vector fields only; field %s is a %s"
                   PT_INVALID_PARAMETER, q->f->name,
                   pt_dtype_proto_name(q->f->dtype));
  if (!(ratio >= 0 && ratio < 1)) return pt_bm25_out_of_range(err, "drop_ratio_search", ratio, 1, true);
  for (size_t qi = 0; qi < q->nq; qi++) {
    size_t m = pt_sparse_drop_small(q->v.sp[qi], q->v.sp_n[qi], ratio);
    if (m == SIZE_MAX) return pt_fail_nomem(err);
    q->v.sp_n[qi] = m;
  }
  return PT_OK;
}

/* answered[p * nq + qi]: partition p's best rows for query qi are in the heap already. */
static pt_status sparse_ip_walk(pt_collection *c, const sreq *q, const pt_filter *filter, heap *heaps, uint32_t *sel,
                                bool *answered, pt_error *err) {
  size_t k = heaps[0].k;
  uint8_t **bits = NULL;
  uint32_t *ids = pt_malloc(k * sizeof *ids);
  float *scores = pt_malloc(k * sizeof *scores);
  pt_status rc = ids && scores ? PT_OK : pt_fail_nomem(err);
  if (!rc) rc = filter_bits(c, q, filter, sel, &bits, err);
  for (size_t p = 0; !rc && p < c->n_parts; p++) {
    if (!q->scope[p]) continue;
    if (pt_fts_ensure(c, c->parts[p])) { rc = pt_fail_nomem(err); break; }
    pt_fts_field *ff = pt_fts_field_of(c->parts[p], q->field);
    bm25_accept ctx = {bits[p]};
    pt_index_filter flt = {bm25_accepts, &ctx};
    for (size_t qi = 0; ff && qi < q->nq; qi++) {
      size_t n;
      if (pt_bm25_index_search_ip(ff->ix, q->v.sp[qi], q->v.sp_n[qi], k, q->expr_len ? &flt : NULL, ids, scores, &n)) {
        rc = pt_fail_nomem(err);
        break;
      }
      if (n < k || !(scores[n - 1] > 0)) continue; /* scanned exactly */
      for (size_t j = 0; j < n; j++) heap_push(&heaps[qi], -scores[j], (pt_rowref){(uint32_t)p, ids[j]});
      answered[p * q->nq + qi] = true;
    }
  }
  filter_bits_free(c, bits);
  pt_free(ids);
  pt_free(scores);
  return rc;
}

/* ============================================================================================
 * Search by primary keys (Milvus 2.6.9): the stored vectors of the keys are the query vectors
 * ========================================================================================== */

/* An INT64 key written as decimal text, exactly; false when it is not one. */
static bool int64_text(const char *s, int64_t *out) {
  bool neg = *s == '-';
  const char *p = s + neg;
  if (!*p) return false;
  uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  for (; *p; p++) {
    if (*p < '0' || *p > '9') return false;
    unsigned d = (unsigned)(*p - '0');
    if (v > (lim - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return true;
}

/* The newest live row holding `key` in the partitions searched, or false. */
static bool key_row(const pt_collection *c, const bool *scope, const pt_key *key, pt_rowref *out) {
  const pt_layout *lay = &c->layout;
  for (size_t p = 0; p < c->n_parts; p++) {
    if (!scope[p]) continue;
    pt_partition *part = c->parts[p]; /* not const: a lookup may enter its unindexed rows */
    size_t slot = pt_partition_lookup(part, lay, key);
    if (slot == SIZE_MAX) continue;
    for (uint32_t row = part->index.slots[slot].row; row != PT_NO_ROW;
         row = pt_row_segment(part, lay, row)->next[pt_row_offset(lay, row)])
      if (!pt_row_deleted(part, lay, row)) {
        out->part = (uint32_t)p;
        out->row = row;
        return true;
      }
  }
  return false;
}

/* Appends a key to the text of the missing ones as Go prints a slice ([1 2], [a b]). */
static void note_missing(char *buf, size_t size, size_t *at, const pt_key *key, bool str) {
  if (*at >= size) return;
  int n = str ? snprintf(buf + *at, size - *at, "%s%.*s", *at > 1 ? " " : "", (int)(key->len > 64 ? 64 : key->len), key->s)
              : snprintf(buf + *at, size - *at, "%s%lld", *at > 1 ? " " : "", (long long)key->i);
  *at += n > 0 ? (size_t)n : 0;
  if (*at >= size) *at = size - 1;
}

/* The request's "int_ids" or "str_ids" (the host says which, as Milvus's IDs message does):
 * each key's newest live row in the partitions searched gives its stored vector, written as
 * a host's typed vectors (float32 for float-like fields, bytes for INT8 / BINARY) into `*buf`,
 * or for sparse fields straight into q->v. Refused: both kinds, keys and vectors
 * together, no keys, a key of the other type, keys with no live row (all of them named). */
static pt_status keyed_vectors(const pt_collection *c, const cJSON *root, sreq *q, bool has_vectors, uint8_t **buf,
                               size_t *bytes, double *nq, pt_error *err) {
  const cJSON *ints = cJSON_GetObjectItemCaseSensitive(root, "int_ids");
  const cJSON *strs = cJSON_GetObjectItemCaseSensitive(root, "str_ids");
  const cJSON *ids = ints ? ints : strs;
  *nq = -1;
  if (!ids) return PT_OK;
  if ((ints && strs) || !cJSON_IsArray(ids))
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "the request's keys must be one list, int_ids or str_ids");
  if (has_vectors || cJSON_GetObjectItemCaseSensitive(root, "sparse"))
    return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "Either ids or data must be provided, not both");
  size_t n = (size_t)cJSON_GetArraySize(ids);
  if (n == 0) return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "`ids` value [] is illegal");
  const pt_field *pk = &c->schema->fields[c->schema->primary];
  bool str = pk->dtype == PT_VARCHAR;
  if (str != (ids == strs))
    return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "primary key is %s, but IDs type mismatch" PT_INVALID_PARAMETER, str ? "varchar" : "int64");
  const cJSON *anns = cJSON_GetObjectItemCaseSensitive(root, "anns_field");
  if (!cJSON_IsString(anns) || !*anns->valuestring)
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "anns_field is required for search by IDs" PT_INVALID_PARAMETER);
  *nq = (double)n;
  if (n > PT_MAX_NQ) return PT_OK; /* the caller refuses the number */
  const pt_field *f = q->f;
  const pt_layout *lay = &c->layout;
  size_t vcol = (size_t)q->field, rb = lay->row_bytes[vcol], dim = (size_t)f->dim;
  size_t per = f->dtype == PT_SPARSE_FLOAT_VECTOR ? 0 : f->dtype == PT_INT8_VECTOR ? dim
               : f->dtype == PT_BINARY_VECTOR ? dim / 8 : dim * 4;
  *bytes = n * per;
  if (per && !(*buf = pt_malloc(*bytes))) return pt_fail_nomem(err);
  if (!per) {
    q->v.nq = n; /* so that pt_queries_release frees every query's pairs */
    if (!(q->v.sp = pt_calloc(n, sizeof *q->v.sp)) || !(q->v.sp_n = pt_calloc(n, sizeof *q->v.sp_n))) return pt_fail_nomem(err);
  }
  char missing[512] = "[";
  size_t at = 1, n_missing = 0;
  size_t i = 0;
  bool cold = false;
  for (const cJSON *v = ids->child; v; v = v->next, i++) {
    pt_key key = {0, NULL, 0};
    if (!cJSON_IsString(v) || (!str && !int64_text(v->valuestring, &key.i)))
      return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "key %zu of the request is not %s", i,
                     str ? "a string" : "an int64 in decimal text");
    if (str) key.s = v->valuestring, key.len = strlen(v->valuestring);
    pt_rowref ref;
    if (!key_row(c, q->scope, &key, &ref)) {
      n_missing++;
      note_missing(missing, sizeof missing - 1, &at, &key, str);
      continue;
    }
    const pt_partition *part = c->parts[ref.part];
    const pt_segment *seg = pt_row_segment(part, lay, ref.row);
    const pt_column *col = &seg->cols[vcol];
    uint32_t off = pt_row_offset(lay, ref.row);
    if (col->cold) { /* named, and read back before the search runs again (cold.c) */
      if (pt_cold_want(c, ref.part, ref.row >> lay->seg_shift, vcol)) return pt_fail_nomem(err);
      cold = true;
      continue;
    }
    if (col->valid && !pt_bit_get(col->valid, off))
      return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "the %s of primary key %zu is null: it cannot be a query vector" PT_INVALID_PARAMETER, f->name, i);
    if (!per) {
      const uint8_t *cell = pt_var_cell(col, off);
      uint32_t np = 0;
      if (col->offsets[off + 1] > col->offsets[off]) memcpy(&np, cell, 4);
      if (!(q->v.sp[i] = pt_malloc((np ? np : 1) * sizeof **q->v.sp))) return pt_fail_nomem(err);
      for (uint32_t j = 0; j < np; j++) {
        memcpy(&q->v.sp[i][j].index, cell + 4 + 8 * (size_t)j, 4);
        memcpy(&q->v.sp[i][j].value, cell + 8 + 8 * (size_t)j, 4);
      }
      q->v.sp_n[i] = np;
      continue;
    }
    const uint8_t *cell = col->data + (size_t)off * rb;
    uint8_t *dst = *buf + i * per;
    if (f->dtype == PT_FLOAT16_VECTOR || f->dtype == PT_BFLOAT16_VECTOR) {
      for (size_t j = 0; j < dim; j++) {
        uint16_t h;
        memcpy(&h, cell + 2 * j, 2);
        float x = f->dtype == PT_FLOAT16_VECTOR ? pt_f16_to_f32(h) : pt_bf16_to_f32(h);
        memcpy(dst + 4 * j, &x, 4);
      }
    } else {
      memcpy(dst, cell, per);
    }
  }
  if (cold) return pt_cold_fail(PT_OK, err);
  if (n_missing) {
    missing[at] = ']';
    missing[at + 1] = '\0';
    return pt_fail(err, PT_NOT_FOUND, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "some of the provided primary key IDs do not exist: missing IDs = %s" PT_INVALID_PARAMETER, missing);
  }
  return PT_OK;
}

/* The query vectors of a search by keys: the stored vectors of the keys (keyed_vectors), read
 * as a host's typed vectors are (pt_queries_read: sizes and values checked alike); sparse rows'
 * pairs are taken as they are stored. */
static pt_status keyed_queries(const pt_collection *c, const cJSON *root, sreq *q, bool has_vectors, pt_error *err) {
  uint8_t *buf = NULL;
  size_t bytes = 0;
  double nq = -1;
  pt_status rc = keyed_vectors(c, root, q, has_vectors, &buf, &bytes, &nq, err);
  if (!rc && (nq < 1 || nq > PT_MAX_NQ)) rc = pt_queries_bad_nq(nq, err);
  if (!rc && q->f->dtype != PT_SPARSE_FLOAT_VECTOR) {
    size_t dim = (size_t)q->f->dim;
    bool raw = q->f->dtype == PT_INT8_VECTOR || q->f->dtype == PT_BINARY_VECTOR;
    pt_vectors_in in = {raw ? PT_IN_BYTES : PT_IN_FLOAT32, (uint32_t)nq,
                        (uint32_t)(q->f->dtype == PT_BINARY_VECTOR ? dim / 8 : dim), buf, 0, NULL, NULL, 0, 0};
    rc = pt_queries_read(q->f, &in, &q->v, err);
  }
  pt_free(buf);
  return rc;
}

/* ============================================================================================
 * Scoring: the distances Milvus reports for a block of rows of one segment against one query
 * ========================================================================================== */

/* Inner product of a stored sparse row (count, then index/value pairs) with a query row. */
static float sparse_ip(const uint8_t *row, const pt_sparse_pair *qp, size_t qn) {
  uint32_t n;
  memcpy(&n, row, 4);
  float s = 0;
  size_t a = 0, b = 0;
  while (a < n && b < qn) {
    uint32_t ia;
    memcpy(&ia, row + 4 + 8 * a, 4);
    if (ia < qp[b].index) a++;
    else if (ia > qp[b].index) b++;
    else {
      float va;
      memcpy(&va, row + 8 + 8 * a, 4);
      s += va * qp[b].value;
      a++;
      b++;
    }
  }
  return s;
}

/* FLOAT_VECTOR: one kernel call per row, the kernel picked once per block. COSINE reads each row
 * once for its dot product with the (normalised) query and its own norm (into `tmp`), then
 * divides the block at once (pt_dist_cosine_div). */
static void score_f32(const sreq *q, size_t qi, const pt_column *col, const uint32_t *sel, size_t n, float *out,
                      float *tmp) {
  size_t dim = (size_t)q->f->dim;
  const float *qv = q->v.f + qi * dim;
  const float *base = (const float *)(const void *)col->data;
  switch (q->m) {
  case M_L2:
    for (size_t j = 0; j < n; j++) out[j] = pt_dist_l2_f32(qv, base + (size_t)sel[j] * dim, dim);
    return;
  case M_IP:
    for (size_t j = 0; j < n; j++) out[j] = pt_dist_dot_f32(qv, base + (size_t)sel[j] * dim, dim);
    return;
  default:
    for (size_t j = 0; j < n; j++) out[j] = pt_dist_dot_norm_f32(qv, base + (size_t)sel[j] * dim, dim, &tmp[j]);
    pt_dist_cosine_div(out, tmp, n);
    return;
  }
}

/* Every other type, row by row. */
static void score_rows(const sreq *q, size_t qi, const pt_column *col, size_t rb, const uint32_t *sel, size_t n,
                       float *out) {
  size_t dim = (size_t)q->f->dim;
  switch (q->f->dtype) {
  case PT_FLOAT16_VECTOR: case PT_BFLOAT16_VECTOR: {
    const float *qv = q->v.f + qi * dim;
    bool f16 = q->f->dtype == PT_FLOAT16_VECTOR;
    for (size_t j = 0; j < n; j++) {
      const uint16_t *v = (const uint16_t *)(const void *)(col->data + (size_t)sel[j] * rb);
      float d;
      if (q->m == M_L2) {
        d = f16 ? pt_dist_l2_f16(qv, v, dim) : pt_dist_l2_bf16(qv, v, dim);
      } else {
        d = f16 ? pt_dist_dot_f16(qv, v, dim) : pt_dist_dot_bf16(qv, v, dim);
        if (q->m == M_COSINE) {
          float nn = pt_dist_norm2_half(v, dim, !f16);
          d = nn > 0 ? d / sqrtf(nn) : 0;
        }
      }
      out[j] = d;
    }
    return;
  }
  case PT_INT8_VECTOR: {
    const int8_t *qv = q->v.i8 + qi * dim;
    for (size_t j = 0; j < n; j++) {
      const int8_t *v = (const int8_t *)(const void *)(col->data + (size_t)sel[j] * rb);
      float d;
      if (q->m == M_L2) {
        d = (float)pt_dist_l2_i8(qv, v, dim);
      } else {
        d = (float)pt_dist_dot_i8(qv, v, dim);
        if (q->m == M_COSINE) {
          float nn = sqrtf((float)pt_dist_dot_i8(v, v, dim)) * q->qnorm[qi];
          d = nn > 0 ? d / nn : 0;
        }
      }
      out[j] = d;
    }
    return;
  }
  case PT_BINARY_VECTOR: {
    size_t w = dim / 8;
    const uint8_t *qv = q->v.bin + qi * w;
    for (size_t j = 0; j < n; j++) {
      const uint8_t *v = col->data + (size_t)sel[j] * rb;
      out[j] = q->m == M_HAMMING ? (float)pt_dist_hamming(qv, v, w) : pt_dist_jaccard(qv, v, w);
    }
    return;
  }
  case PT_SPARSE_FLOAT_VECTOR:
    for (size_t j = 0; j < n; j++) out[j] = sparse_ip(pt_var_cell(col, sel[j]), q->v.sp[qi], q->v.sp_n[qi]);
    return;
  default:
    for (size_t j = 0; j < n; j++) out[j] = 0;
    return;
  }
}

static bool in_range(const sreq *q, float reported) {
  if (!q->has_radius) return true;
  if (is_distance(q->m))
    return reported < q->radius && (!q->has_range_filter || reported >= q->range_filter);
  return reported > q->radius && (!q->has_range_filter || reported <= q->range_filter);
}

/* Offers a block's distances to a query's heap. Rows whose distance is NaN (only reachable
 * through float overflow) cannot be ranked and are left out. */
static void offer(const sreq *q, heap *hp, const float *dist, const uint32_t *sel, size_t n, uint32_t part,
                  uint32_t row_base) {
  bool neg = !is_distance(q->m);
  for (size_t j = 0; j < n; j++) {
    float d = dist[j];
    if (d != d || !in_range(q, d)) continue;
    float key = neg ? -d : d;
    /* the common case: the heap is full and the row is no better than its worst */
    if (hp->n == hp->k && !(key < hp->h[0].key)) continue;
    pt_rowref ref = {part, row_base | sel[j]};
    heap_push(hp, key, ref);
  }
}

/* ============================================================================================
 * Grouping: a query's hits, sorted best first, rearranged into groups
 * ========================================================================================== */

typedef struct gval {
  const uint8_t *p;
  size_t len;
  bool null;
  bool esc; /* the text inside a JSON string in canonical form (json.h): compared unescaped */
} gval;

/* The grouped value at a row: a VARCHAR's text, a fixed cell's bytes, or null; grouping by a JSON
 * value (Milvus's JSON data getter without json_type) takes the value at the path as text: a
 * string's characters, any other value's JSON text; a missing key or a null field is null. */
static gval group_value(const pt_collection *c, const sreq *q, pt_rowref ref) {
  const pt_layout *lay = &c->layout;
  const pt_segment *seg = pt_row_segment(c->parts[ref.part], lay, ref.row);
  int fi = q->group_field;
  const pt_column *col = &seg->cols[fi];
  uint32_t off = pt_row_offset(lay, ref.row);
  gval v = {NULL, 0, false, false};
  if (col->valid && !pt_bit_get(col->valid, off)) {
    v.null = true;
  } else if (q->group_json) {
    pt_str at;
    if (!pt_json_path_find((const char *)pt_var_cell(col, off), col->offsets[off + 1] - col->offsets[off], q->group_keys,
                           q->group_n_keys, &at)) {
      v.null = true;
    } else if (at.len >= 2 && at.ptr[0] == '"') {
      v.p = (const uint8_t *)at.ptr + 1;
      v.len = at.len - 2;
      v.esc = true;
    } else {
      v.p = (const uint8_t *)at.ptr;
      v.len = at.len;
    }
  } else if (c->schema->fields[fi].dtype == PT_VARCHAR) {
    v.p = pt_var_cell(col, off);
    v.len = col->offsets[off + 1] - col->offsets[off];
  } else {
    v.len = lay->row_bytes[fi];
    v.p = col->data + (size_t)off * v.len;
  }
  return v;
}

/* The next byte of a value's characters, from *i on (esc: a canonical JSON string's escapes read
 * as the byte they stand for). */
static uint8_t gval_byte(gval v, size_t *i) {
  return v.esc ? pt_json_string_byte((const char *)v.p, v.len, i) : v.p[(*i)++];
}

static uint64_t gval_hash(gval v) {
  uint64_t h = v.null ? 0x9e3779b97f4a7c15u : 1469598103934665603u;
  for (size_t i = 0; i < v.len;) h = (h ^ gval_byte(v, &i)) * 1099511628211u;
  return h ^ (h >> 29);
}

static bool gval_eq(gval a, gval b) {
  if (a.null != b.null) return false;
  if (!a.esc && !b.esc) return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
  size_t i = 0, j = 0;
  while (i < a.len && j < b.len)
    if (gval_byte(a, &i) != gval_byte(b, &j)) return false;
  return i == a.len && j == b.len;
}

/* Rearranges hp->h (sorted best first) into the result of a grouping search: groups ordered by
 * their best hit, each holding its best group_size hits best first; with strict_group_size only
 * groups of group_size hits count. The first `offset` groups are skipped and `limit` kept:
 * *skip_hits is the number of hits of the skipped groups at the front of hp->h, hp->n the hits
 * kept in all, and (*starts)[0..*n_kept] where each kept group starts in hp->h, then hp->n (owned
 * by the caller: order_hits reads the groups from it). Linear in the hits (a hash table of the
 * groups seen). */
static pt_status group_hits(const pt_collection *c, const sreq *q, heap *hp, size_t *skip_hits, uint32_t **starts,
                            size_t *n_kept, pt_error *err) {
  size_t n = hp->n, cap = 2;
  while (cap < 2 * n) cap *= 2;
  uint32_t *table = pt_malloc(cap * sizeof *table);        /* group + 1, 0 when empty */
  uint32_t *of = pt_malloc((n ? n : 1) * sizeof *of);       /* each hit's group */
  uint32_t *count = pt_calloc(n ? n : 1, sizeof *count);   /* each group's hits (up to group_size) */
  uint32_t *first = pt_malloc((n ? n : 1) * sizeof *first); /* each group's best hit */
  uint32_t *slot = pt_malloc((n + 1) * sizeof *slot);      /* where a kept group's hits go, or UINT32_MAX */
  hit *out = pt_malloc((n ? n : 1) * sizeof *out);
  pt_status rc = PT_OK;
  if (!table || !of || !count || !first || !slot || !out) {
    rc = pt_fail_nomem(err);
    goto done;
  }
  memset(table, 0, cap * sizeof *table);
  size_t n_groups = 0;
  for (size_t i = 0; i < n; i++) {
    gval v = group_value(c, q, hp->h[i].ref);
    size_t at = (size_t)gval_hash(v) & (cap - 1);
    for (;;) {
      uint32_t e = table[at];
      if (!e) {
        table[at] = (uint32_t)++n_groups;
        first[n_groups - 1] = (uint32_t)i;
        of[i] = (uint32_t)(n_groups - 1);
        break;
      }
      if (gval_eq(group_value(c, q, hp->h[first[e - 1]].ref), v)) {
        of[i] = e - 1;
        break;
      }
      at = (at + 1) & (cap - 1);
    }
    if (count[of[i]] < q->group_size) count[of[i]]++;
  }
  /* the groups kept, in the order of their best hit: offset skipped, then limit */
  size_t want = (size_t)(q->limit + q->offset), kept = 0, placed = 0;
  *skip_hits = 0;
  for (size_t g = 0; g < n_groups; g++) {
    slot[g] = UINT32_MAX;
    if (kept == want || (q->strict_group && count[g] < q->group_size)) continue;
    slot[g] = (uint32_t)placed;
    placed += count[g];
    if (kept++ < (size_t)q->offset) *skip_hits += count[g];
  }
  for (size_t i = 0; i < n; i++) {
    uint32_t g = of[i];
    if (slot[g] == UINT32_MAX || count[g] == 0) continue;
    out[slot[g]++] = hp->h[i];
    count[g]--;
  }
  memcpy(hp->h, out, placed * sizeof *out);
  hp->n = placed;
  /* the kept groups' starts, in their order (slot[g] has moved to the group's end) */
  size_t k = 0;
  for (size_t g = 0, at = 0; g < n_groups; g++)
    if (slot[g] != UINT32_MAX) {
      size_t end = slot[g];
      slot[k++] = (uint32_t)at;
      at = end;
    }
  slot[k] = (uint32_t)placed;
  *starts = slot;
  *n_kept = k;
  slot = NULL;
done:
  pt_free(table);
  pt_free(of);
  pt_free(count);
  pt_free(first);
  pt_free(slot);
  pt_free(out);
  return rc;
}

/* ============================================================================================
 * order_by_fields: a query's hits (offset + limit of them best first, or groups of them)
 * reordered by scalar values, then offset skipped — Milvus's proxy order_by operator
 * ========================================================================================== */

/* Reorders hp->h by q->order (stably, so equal values keep best first); grouped, the groups
 * (starts[0..units], as group_hits leaves them; NULL: each hit its own) by their first hit's
 * values. *skip becomes the hits of the first `offset` rows or groups. */
static pt_status order_hits(const pt_collection *c, const sreq *q, heap *hp, const uint32_t *starts, size_t units,
                            size_t *skip, pt_error *err) {
  size_t n = hp->n;
  if (n == 0) return PT_OK;
  if (!starts) units = n;
  pt_rowref *refs = pt_malloc(units * sizeof *refs);
  uint32_t *perm = pt_malloc(units * sizeof *perm);
  hit *out = pt_malloc(n * sizeof *out);
  pt_status rc = PT_OK;
  size_t sorted;
  for (size_t u = 0; refs && u < units; u++) refs[u] = hp->h[starts ? starts[u] : u].ref;
  if (!refs || !perm || !out || pt_order_top(c, &q->order, refs, units, units, perm, &sorted)) {
    rc = pt_fail_nomem(err);
    goto done;
  }
  size_t at = 0;
  *skip = 0;
  for (size_t u = 0; u < units; u++) {
    size_t from = starts ? starts[perm[u]] : perm[u], to = starts ? starts[perm[u] + 1] : perm[u] + 1;
    if (u < (size_t)q->offset) *skip += to - from;
    memcpy(out + at, hp->h + from, (to - from) * sizeof *out);
    at += to - from;
  }
  memcpy(hp->h, out, n * sizeof *out);
done:
  pt_free(refs);
  pt_free(perm);
  pt_free(out);
  return rc;
}

/* ============================================================================================
 * Entry point
 * ========================================================================================== */

/* The partitions searched ("partition_names"; every one when absent). */
static pt_status parse_scope(const pt_collection *c, const cJSON *root, sreq *q, pt_error *err) {
  if (!(q->scope = pt_calloc(c->n_parts ? c->n_parts : 1, 1))) return pt_fail_nomem(err);
  return pt_scope_parse(c, cJSON_GetObjectItemCaseSensitive(root, "partition_names"), q->scope, err);
}

/* Keeps a request's parsed tree as the collection's last (a short request's: a host sends the
 * same few for its searches), or frees it; `root` may be the one kept already. */
static void keep_request(pt_collection *c, const char *request, size_t len, cJSON *root) {
  if (root == c->last_request_root) return;
  char *text = len <= 4096 ? pt_malloc(len ? len : 1) : NULL;
  if (!text) {
    cJSON_Delete(root);
    return;
  }
  pt_collection_forget_request(c);
  memcpy(text, request, len);
  c->last_request = text;
  c->last_request_len = len;
  c->last_request_root = root;
}

/* A search, its query vectors given as a host read them (`in`) or packed (pt_collection_search). */
static pt_status search(pt_collection *c, const char *request, size_t len, const pt_vectors_in *in,
                        const void *vectors, size_t vectors_bytes, pt_search_result **out, pt_error *err) {
  if (!c || !request || !out) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_search: missing argument");
  *out = NULL;
  pt_json_hooks_install();
  /* strings hold no NUL (json.h): the expression and names below are exact C strings. The
   * bytes of the last request parsed give the same tree, which nothing below changes */
  cJSON *root = c->last_request_root;
  if (!root || len != c->last_request_len || memcmp(request, c->last_request, len) != 0) {
    pt_json_checked chk;
    root = pt_json_parse_ex(request, len, 0, &chk);
    if (!root)
      return pt_json_fail(err, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the search request",
                          "the search request is not a JSON object", &chk);
    if (!cJSON_IsObject(root)) {
      cJSON_Delete(root);
      return pt_fail(err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the search request is not a JSON object");
    }
  }
  sreq q;
  memset(&q, 0, sizeof q);
  pt_filter *filter = NULL;
  heap *heaps = NULL;
  uint32_t *sel = NULL;
  float *dist = NULL, *tmp = NULL, *wdist = NULL;
  uint32_t *wids = NULL;
  bool *answered = NULL; /* sparse IP: (partition, query) pairs its inverted index answered */
  pt_search_result *res = NULL;
  pt_rowref *refs = NULL;
  size_t *skips = NULL; /* per query, the hits skipped at the front (offset) */
  uint32_t *groups = NULL; /* a query's kept groups' starts (group_hits) */
  pt_vindex_walk w; /* a partition's index walk (vindex.h), kept through its exact scan */
  memset(&w, 0, sizeof w);
  pt_status rc;

  if ((rc = pick_field(c, root, &q, err)) || (rc = pick_metric(c, root, &q, err)) || (rc = parse_limits(c, root, &q, err)) ||
      (rc = parse_group(c, root, &q, err)) ||
      (rc = pt_order_parse(c, q.order_spec.ptr, q.order_spec.len, PT_ORDER_SEARCH, &q.order, err)))
    goto done;
  {
    /* a search iterator's pages ("iterator": true, as Milvus's search params say it) are by distance */
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, "iterator");
    if (it && !cJSON_IsNull(it) && !cJSON_IsBool(it)) {
      rc = pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "iterator must be a bool, got %s", pt_json_python_type(it));
      goto done;
    }
    if (cJSON_IsTrue(it) && q.order.n) {
      rc = pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "order_by is not supported when using search iterator" PT_INVALID_PARAMETER "[expected=][actual=]");
      goto done;
    }
  }
  /* by keys (Milvus 2.6.9: "int_ids" / "str_ids"), the partitions searched are those the keys
   * are looked up in: read first */
  bool by_keys = cJSON_GetObjectItemCaseSensitive(root, "int_ids") || cJSON_GetObjectItemCaseSensitive(root, "str_ids");
  if (q.m == M_BM25) {
    if (by_keys) {
      rc = pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "search by primary keys is not supported on BM25 function output field %s" PT_INVALID_PARAMETER, q.f->name);
      goto done;
    }
    if ((rc = bm25_texts(root, in, &q, err)) || (rc = parse_scope(c, root, &q, err))) goto done;
  } else if (by_keys) {
    bool has_vectors = in ? in->n > 0 && (in->values || in->len) && in->width > 0 : vectors_bytes != 0;
    if ((rc = parse_scope(c, root, &q, err)) || (rc = keyed_queries(c, root, &q, has_vectors, err))) goto done;
  } else if ((rc = in ? pt_queries_read(q.f, in, &q.v, err) : packed_vectors(root, &q, vectors, vectors_bytes, err)) ||
             (rc = parse_scope(c, root, &q, err))) {
    goto done;
  }
  if (q.m != M_BM25 && (rc = prepare_queries(&q, err))) goto done;
  if (q.m != M_BM25 && (rc = sparse_drop_ratio(root, &q, err))) goto done;
  if ((rc = pt_outputs_parse(c, cJSON_GetObjectItemCaseSensitive(root, "output_fields"), &q.out, err))) goto done;
  if (q.out.count_only) { /* a query's aggregate: no field of a hit */
    rc = pt_fail(err, PT_NOT_FOUND, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "field count(*) not exist");
    goto done;
  }
  {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "expr");
    q.expr = cJSON_IsString(e) ? e->valuestring : "";
    q.expr_len = strlen(q.expr);
  }
  if (c->n_vindexes) pt_vindex_catch_up(c, q.field); /* rows written since join its index (vindex.h) */
  {
    /* the member's text, when the tree has it (most requests have none: no scan of their text) */
    pt_str none = {NULL, 0};
    pt_str params = cJSON_GetObjectItemCaseSensitive(root, "expr_params") ? pt_filter_params(request, len) : none;
    if ((rc = pt_filter_compile(c, q.expr, q.expr_len, params.ptr, params.len, "query", &filter, err))) goto done;
  }

  size_t k = (size_t)(q.limit + q.offset);
  if (q.group_field >= 0) { /* grouping: every hit is kept, then grouped (group_hits) */
    k = 1;
    for (size_t p = 0; p < c->n_parts; p++)
      if (q.scope[p]) k += c->parts[p]->n_rows;
  }
  if (!(heaps = pt_calloc(q.nq, sizeof *heaps))) {
    rc = pt_fail_nomem(err);
    goto done;
  }
  for (size_t i = 0; i < q.nq; i++) {
    heaps[i].k = k;
    if (!(heaps[i].h = pt_malloc(k * sizeof *heaps[i].h))) { rc = pt_fail_nomem(err); goto done; }
  }

  /* 1. scan: per segment the filter once, then blocks of the selected rows (small enough to stay
   * in cache while every query visits them), each query scoring a block and offering it */
  const pt_layout *lay = &c->layout;
  size_t vcol = (size_t)q.field;
  size_t rb = lay->row_bytes[vcol];
  size_t seg_cap = (size_t)lay->seg_mask + 1;
  size_t block = rb ? (256u << 10) / rb : seg_cap;
  block = block < 64 ? 64 : block > seg_cap ? seg_cap : block;
  /* a search by text scores no vectors: the selection only for its filter (bm25_scan) */
  bool texts = q.m == M_BM25;
  if (((!texts || q.expr_len) && !(sel = pt_malloc(seg_cap * sizeof *sel))) ||
      (!texts && (!(dist = pt_malloc(block * sizeof *dist)) || !(tmp = pt_malloc(block * sizeof *tmp))))) {
    rc = pt_fail_nomem(err);
    goto done;
  }
  bool f32 = q.f->dtype == PT_FLOAT_VECTOR;
  bool cold = false; /* a scan met cold rows (cold.c) */
  if (q.m == M_BM25 && (rc = bm25_scan(c, &q, root, filter, heaps, sel, err))) goto done;
  /* a plain sparse field's IP index (fts.h); grouping and range searches stay exact */
  if (q.m == M_IP && q.f->dtype == PT_SPARSE_FLOAT_VECTOR && q.group_field < 0 && !q.has_radius &&
      pt_vindex_of_field(c, q.field, NULL)) {
    if (!(answered = pt_calloc(c->n_parts * q.nq + 1, sizeof *answered))) { rc = pt_fail_nomem(err); goto done; }
    if ((rc = sparse_ip_walk(c, &q, filter, heaps, sel, answered, err))) goto done;
  }
  /* an index walks the rows it holds (vindex.h); grouping and range searches stay exact */
  size_t vwhich = 0;
  bool bin = q.f->dtype == PT_BINARY_VECTOR; /* BIN_IVF_FLAT walks its bytes */
  bool half = q.f->dtype == PT_FLOAT16_VECTOR || q.f->dtype == PT_BFLOAT16_VECTOR; /* HNSW: float queries */
  bool walk = q.m != M_BM25 && q.use_index && q.group_field < 0 && !q.has_radius && (f32 || bin || half) &&
              pt_vindex_of_field(c, q.field, &vwhich);
  for (size_t p = 0; q.m != M_BM25 && p < c->n_parts; p++) {
    if (!q.scope[p]) continue;
    const pt_partition *part = c->parts[p];
    uint32_t from = 0; /* rows below it were searched by the index */
    pt_vindex_walk_end(&w); /* the previous partition's */
    if (walk) {
      if ((rc = pt_vindex_walk_begin(c, vwhich, p, filter, &q.isp, &w, err))) goto done;
      /* the walk's results, once it walks (a scan needs none) */
      if (w.ix && !wids && (!(wids = pt_malloc(q.isp.k * sizeof *wids)) || !(wdist = pt_malloc(q.isp.k * sizeof *wdist)))) {
        rc = pt_fail_nomem(err);
        goto done;
      }
      for (size_t qi = 0; w.ix && qi < q.nq && !rc; qi++) {
        size_t nh = 0;
        const void *qv = bin ? (const void *)(q.v.bin + qi * (size_t)(q.f->dim / 8)) : (const void *)(q.v.f + qi * (size_t)q.f->dim);
        rc = pt_vindex_walk_search(&w, qv, wids, wdist, &nh, err);
        if (!rc) offer(&q, &heaps[qi], wdist, wids, nh, (uint32_t)p, 0);
      }
      from = w.from;
      if (rc) goto done;
    }
    const bool *done_q = answered ? answered + p * q.nq : NULL; /* queries the index answered here */
    size_t n_done = 0;
    for (size_t qi = 0; done_q && qi < q.nq; qi++) n_done += done_q[qi];
    for (size_t s = 0; n_done < q.nq && s < part->n_segs; s++) {
      const pt_segment *seg = part->segs[s];
      uint32_t row_base = (uint32_t)(s << lay->seg_shift);
      if (!seg->live || row_base + seg->count <= from) continue;
      size_t n_sel;
      const uint32_t *rows = sel; /* the index's walk may have selected them already */
      if (!pt_vindex_walk_selected(&w, s, &rows, &n_sel) && (rc = pt_filter_select(filter, c, p, s, sel, &n_sel, err)))
        goto done;
      const pt_column *col = &seg->cols[vcol];
      size_t first = 0;
      while (first < n_sel && row_base + rows[first] < from) first++;
      if (col->cold && first < n_sel) { /* named, and read back before the search runs again (cold.c) */
        if ((rc = pt_cold_want(c, p, s, vcol))) goto done;
        cold = true;
        continue;
      }
      for (size_t b0 = first; b0 < n_sel; b0 += block) {
        size_t nb = n_sel - b0 < block ? n_sel - b0 : block;
        for (size_t qi = 0; qi < q.nq; qi++) {
          if (done_q && done_q[qi]) continue;
          if (f32) score_f32(&q, qi, col, rows + b0, nb, dist, tmp);
          else score_rows(&q, qi, col, rb, rows + b0, nb, dist);
          offer(&q, &heaps[qi], dist, rows + b0, nb, (uint32_t)p, row_base);
        }
      }
    }
  }

  if (cold) {
    rc = pt_cold_fail(PT_OK, err);
    goto done;
  }

  /* 2. order, offset, limit; collect the hits */
  if (!(res = pt_calloc(1, sizeof *res)) || !(res->counts = pt_calloc(q.nq, sizeof *res->counts)) ||
      !(skips = pt_malloc(q.nq * sizeof *skips))) {
    rc = pt_fail_nomem(err);
    goto done;
  }
  res->nq = q.nq;
  res->key_is_output = q.out.key_named;
  size_t total = 0;
  for (size_t i = 0; i < q.nq; i++) {
    heap *hp = &heaps[i];
    qsort(hp->h, hp->n, sizeof *hp->h, hit_cmp);
    size_t skip = (size_t)q.offset < hp->n ? (size_t)q.offset : hp->n;
    size_t n_groups = 0;
    pt_free(groups);
    groups = NULL;
    if (q.group_field >= 0 && (rc = group_hits(c, &q, hp, &skip, &groups, &n_groups, err))) goto done;
    if (q.order.n && (rc = order_hits(c, &q, hp, groups, n_groups, &skip, err))) goto done;
    skips[i] = skip;
    res->counts[i] = (uint32_t)(hp->n - skip);
    total += hp->n - skip;
  }
  if (!(res->distances = pt_malloc((total ? total : 1) * sizeof *res->distances)) ||
      !(refs = pt_malloc((total ? total : 1) * sizeof *refs))) {
    rc = pt_fail_nomem(err);
    goto done;
  }
  size_t at = 0;
  for (size_t i = 0; i < q.nq; i++) {
    heap *hp = &heaps[i];
    for (size_t j = skips[i]; j < hp->n; j++, at++) {
      refs[at] = hp->h[j].ref;
      res->distances[at] = is_distance(q.m) ? hp->h[j].key : -hp->h[j].key;
    }
  }
  if ((rc = pt_rows_build(c, refs, total, &q.out, &res->rows))) {
    rc = pt_rows_build_fail(rc, err);
    goto done;
  }
  res->refs = refs;
  refs = NULL;
  pt_error_clear(err);

done:
  pt_vindex_walk_end(&w);
  if (heaps)
    for (size_t i = 0; i < q.nq; i++) pt_free(heaps[i].h);
  pt_free(heaps);
  pt_free(sel);
  pt_free(dist);
  pt_free(tmp);
  pt_free(wids);
  pt_free(wdist);
  pt_free(answered);
  pt_free(refs);
  pt_free(skips);
  pt_free(groups);
  pt_filter_free(filter);
  sreq_release(&q);
  keep_request(c, request, len, root);
  if (rc) {
    pt_search_free(res);
    return rc;
  }
  *out = res;
  return PT_OK;
}

pt_status pt_collection_search(pt_collection *c, const char *request, size_t len, const void *vectors,
                               size_t vectors_bytes, pt_search_result **out, pt_error *err) {
  return search(c, request, len, NULL, vectors, vectors_bytes, out, err);
}

pt_status pt_collection_search_vectors(pt_collection *c, const char *request, size_t len, const pt_vectors_in *vectors,
                                       pt_search_result **out, pt_error *err) {
  if (!vectors) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_search: missing argument: vectors");
  return search(c, request, len, vectors, NULL, 0, out, err);
}
