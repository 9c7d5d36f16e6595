/*
 * test_search.c — pt_collection_search (exact vector search) against a brute-force reference
 * computed here, in double precision, from a model of what the store holds.
 *
 * Covers:
 *   - every metric of every vector type: FLOAT_VECTOR, FLOAT16_VECTOR, BFLOAT16_VECTOR and
 *     INT8_VECTOR with L2 / IP / COSINE, BINARY_VECTOR with HAMMING / JACCARD,
 *     SPARSE_FLOAT_VECTOR with IP; the default metric of each type (COSINE, HAMMING, IP).
 *   - data in three partitions written in several batches, with deletes and upserts (deleted
 *     rows never come back, upserted rows with their new vector, overwritten in place or
 *     appended as the store decides), several query vectors, limit / offset (including past the end),
 *     partition_names scopes, primary-key filters, output_fields (scalar, vector, dynamic keys,
 *     "*"): hit ids exactly and distances to float accuracy. Two kinds of data: random reals
 *     (ids must agree except among near-ties, which the reference can not order), and small
 *     integers, whose distances are exact and full of ties: ids must agree exactly, ties in
 *     storage order (partition creation order, then write order).
 *   - ties at the cut-off of the heap: the earlier row wins even when a better row arrives later.
 *   - range search for distance and similarity metrics: range_filter <= d < radius and
 *     radius < d <= range_filter, boundaries exact on integer data; radius alone.
 *   - float16 / bfloat16 query vectors are rounded to the field's type as Milvus receives
 *     them: searching with the numbers a row was written with finds it at distance 0.
 *   - zero vectors under COSINE give 0, not NaN; an empty sparse query scores 0 everywhere.
 *   - every error: topk / offset+topk / offset / nq out of range, metric not matching the type,
 *     unknown metric, query size mismatch, anns_field (several vector fields, unknown, not a
 *     vector), range_filter without radius or on the wrong side, unknown partition or output
 *     field, count(*) as an output field, non-integer limit / offset, bad request JSON, bad
 *     sparse query, non-finite query values; *out stays NULL.
 *   - grouping search (group_by_field on INT32 with nulls, BOOL, VARCHAR; group_size;
 *     strict_group_size; offset and limit counting groups) against a plain reference, and its
 *     errors (fields that cannot be grouped by, unknown field, sizes out of range, wrong types).
 *   - allocation failure: a search with a filter, a scope, output fields and several queries,
 *     with the Nth allocation failing for every N: a clean PT_NOMEM, nothing leaked, and the
 *     run that succeeds gives exactly the result of a run without failures.
 */
#include "harness.h"

#include <math.h>
#include <stdlib.h>

#include "half.h"

/* ---- a deterministic PRNG (xorshift64*) ---- */
static uint64_t rng_state = 0x853C49E6748FEA9Bull;
static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}
static float frand(void) { return (float)((double)(rng() >> 11) / 9007199254740992.0 * 2.0 - 1.0); }
static int irand(int lo, int hi) { return lo + (int)(rng() % (uint64_t)(hi - lo + 1)); }

#define INV PT_CODE_PARAMETER_INVALID
#define MIL PT_EXC_MILVUS
#define UNX PT_CODE_UNEXPECTED

enum { F32 = 101, F16 = 102, BF16 = 103, BIN = 100, SPARSE = 104, I8 = 105 };
typedef enum metric { L2, IP, COSINE, HAMMING, JACCARD, DEFAULT_METRIC } metric;
static const char *const MNAME[] = {"L2", "IP", "COSINE", "HAMMING", "JACCARD", ""};
static bool is_distance(metric m) { return m == L2 || m == HAMMING || m == JACCARD; }

/* ============================================================================================
 * The model: every row ever written, in write order, with its partition and liveness
 * ========================================================================================== */

#define MAX_SP 12
typedef struct vec {
  float f[256];        /* FLOAT values; FLOAT16 / BFLOAT16: the exact values of h */
  uint16_t h[256];     /* halves */
  int8_t i8[256];
  uint8_t bin[64];
  uint32_t sp_idx[MAX_SP];
  float sp_val[MAX_SP];
  size_t sp_n;
} vec;

typedef struct mrow {
  int64_t id;
  int part;      /* partition index in creation order */
  uint32_t seq;  /* write order */
  bool live;
  int32_t n;     /* the INT32 field */
  vec v;
} mrow;

typedef struct model {
  int dtype;
  size_t dim;     /* elements (bits for BINARY); unused for SPARSE */
  bool ints;      /* small integer data: exact distances, many ties */
  bool dynamic;   /* rows carry a dynamic key k */
  pt_store *st;
  pt_collection *c;
  mrow *rows;
  size_t n, cap;
  uint32_t seq;
  int64_t next_id;
} model;

static const char *const PARTS[] = {"_default", "p1", "p2"};

static void gen_vec(const model *m, vec *v) {
  memset(v, 0, sizeof *v);
  size_t d = m->dim;
  switch (m->dtype) {
  case F32:
    for (size_t i = 0; i < d; i++) v->f[i] = m->ints ? (float)irand(-1, 1) : frand();
    break;
  case F16: case BF16:
    for (size_t i = 0; i < d; i++) {
      float x = m->ints ? (float)irand(-1, 1) : frand() * 3;
      v->h[i] = m->dtype == F16 ? pt_f32_to_f16(x) : pt_f32_to_bf16(x);
      v->f[i] = m->dtype == F16 ? pt_f16_to_f32(v->h[i]) : pt_bf16_to_f32(v->h[i]);
    }
    break;
  case I8:
    for (size_t i = 0; i < d; i++) v->i8[i] = (int8_t)(m->ints ? irand(-1, 1) : irand(-128, 127));
    break;
  case BIN:
    for (size_t i = 0; i < d / 8; i++) v->bin[i] = (uint8_t)(m->ints ? (irand(0, 3) == 0 ? 0x81 : irand(0, 1) * 0x10) : irand(0, 255));
    break;
  case SPARSE: {
    /* `want` distinct indices out of `span`, increasing; spread out on real data */
    int span = m->ints ? 6 : 40, pool[40];
    int want = irand(m->ints ? 0 : 1, m->ints ? 3 : MAX_SP);
    for (int i = 0; i < span; i++) pool[i] = i;
    for (int k = 0; k < want; k++) {
      int j = irand(k, span - 1), t = pool[k];
      pool[k] = pool[j];
      pool[j] = t;
    }
    for (int a = 1; a < want; a++)
      for (int b = a; b > 0 && pool[b - 1] > pool[b]; b--) {
        int t = pool[b];
        pool[b] = pool[b - 1];
        pool[b - 1] = t;
      }
    for (int k = 0; k < want; k++) {
      v->sp_idx[k] = (uint32_t)(m->ints ? pool[k] : pool[k] * 97 + 5);
      v->sp_val[k] = m->ints ? (float)irand(1, 2) : frand() + 1.5f;
    }
    v->sp_n = (size_t)want;
    break;
  }
  default: break;
  }
}

static void put_vec_json(test_buf *b, const model *m, const vec *v) {
  size_t d = m->dim;
  switch (m->dtype) {
  case F32: case F16: case BF16:
    test_buf_printf(b, "[");
    for (size_t i = 0; i < d; i++) test_buf_printf(b, "%s%.17g", i ? "," : "", (double)v->f[i]);
    test_buf_printf(b, "]");
    break;
  case I8:
    test_buf_printf(b, "[");
    for (size_t i = 0; i < d; i++) test_buf_printf(b, "%s%d", i ? "," : "", v->i8[i]);
    test_buf_printf(b, "]");
    break;
  case BIN:
    test_buf_printf(b, "[");
    for (size_t i = 0; i < d / 8; i++) test_buf_printf(b, "%s%u", i ? "," : "", v->bin[i]);
    test_buf_printf(b, "]");
    break;
  case SPARSE:
    test_buf_printf(b, "{");
    for (size_t i = 0; i < v->sp_n; i++) test_buf_printf(b, "%s\"%u\":%.17g", i ? "," : "", v->sp_idx[i], (double)v->sp_val[i]);
    test_buf_printf(b, "}");
    break;
  default: break;
  }
}

static mrow *model_add(model *m) {
  if (m->n == m->cap) {
    m->cap = m->cap ? m->cap * 2 : 64;
    m->rows = realloc(m->rows, m->cap * sizeof *m->rows);
    if (!m->rows) exit(2);
  }
  return &m->rows[m->n++];
}

static model *model_open(int dtype, size_t dim, bool ints, bool dynamic) {
  model *m = calloc(1, sizeof *m);
  if (!m) exit(2);
  m->dtype = dtype;
  m->dim = dim;
  m->ints = ints;
  m->dynamic = dynamic;
  m->st = test_store();
  char schema[512];
  if (dtype == SPARSE)
    snprintf(schema, sizeof schema,
             "{\"enable_dynamic_field\":%s,\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true},"
             "{\"name\":\"n\",\"dtype\":4},{\"name\":\"v\",\"dtype\":104}]}", dynamic ? "true" : "false");
  else
    snprintf(schema, sizeof schema,
             "{\"enable_dynamic_field\":%s,\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true},"
             "{\"name\":\"n\",\"dtype\":4},{\"name\":\"v\",\"dtype\":%d,\"dim\":%zu}]}", dynamic ? "true" : "false", dtype, dim);
  m->c = test_collection(m->st, "c", schema);
  pt_error e;
  CHECK_OK(pt_partition_create(m->c, "p1", 2, &e), &e);
  CHECK_OK(pt_partition_create(m->c, "p2", 2, &e), &e);
  return m;
}

static void model_close(model *m) {
  pt_store_close(m->st);
  free(m->rows);
  free(m);
}

/* Writes `count` rows into partition `part`: new ids, or (upsert) the ids given. */
static void model_write(model *m, int part, pt_op op, size_t count, const int64_t *ids) {
  test_buf b = {0};
  test_buf_printf(&b, "[");
  for (size_t i = 0; i < count; i++) {
    int64_t id = ids ? ids[i] : m->next_id++;
    mrow fresh = {.id = id, .part = part, .live = true, .n = irand(-1000, 1000)};
    gen_vec(m, &fresh.v);
    mrow *row = NULL;
    if (op == PT_OP_UPSERT) {
      /* the store overwrites the key's row where it is when it is the key's only row in the
       * partition and every variable-width value has the same size ($meta {"k":..} and sparse
       * vectors here); otherwise the old rows go and the new one is appended */
      size_t n_old = 0, old = 0;
      for (size_t r = 0; r < m->n; r++)
        if (m->rows[r].id == id && m->rows[r].part == part && m->rows[r].live) n_old++, old = r;
      if (n_old == 1) {
        char a[16], b2[16];
        bool same = !m->dynamic || snprintf(a, sizeof a, "%d", m->rows[old].n * 2) == snprintf(b2, sizeof b2, "%d", fresh.n * 2);
        if (m->dtype == SPARSE && m->rows[old].v.sp_n != fresh.v.sp_n) same = false;
        if (same) {
          fresh.seq = m->rows[old].seq;
          row = &m->rows[old];
        }
      }
      if (!row)
        for (size_t r = 0; r < m->n; r++)
          if (m->rows[r].id == id && m->rows[r].part == part) m->rows[r].live = false;
    }
    if (!row) {
      row = model_add(m);
      fresh.seq = m->seq++;
    }
    *row = fresh;
    test_buf_printf(&b, "%s{\"id\":%lld,\"n\":%d,\"v\":", i ? "," : "", (long long)id, row->n);
    put_vec_json(&b, m, &row->v);
    if (m->dynamic) test_buf_printf(&b, ",\"k\":%d", row->n * 2);
    test_buf_printf(&b, "}");
  }
  test_buf_printf(&b, "]");
  pt_mutation_result r = test_write(m->c, PARTS[part], op, b.p);
  pt_mutation_result_clear(&r);
  test_buf_free(&b);
}

static void model_delete(model *m, const int64_t *ids, size_t count) {
  test_buf b = {0};
  test_buf_printf(&b, "id in [");
  for (size_t i = 0; i < count; i++) {
    test_buf_printf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
    for (size_t r = 0; r < m->n; r++)
      if (m->rows[r].id == ids[i]) m->rows[r].live = false;
  }
  test_buf_printf(&b, "]");
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(pt_collection_delete(m->c, NULL, 0, b.p, b.len, &r, &e), &e);
  pt_mutation_result_clear(&r);
  test_buf_free(&b);
}

/* A random live row (its index), or -1. */
static long random_live(const model *m) {
  for (int tries = 0; tries < 1000; tries++) {
    size_t r = (size_t)(rng() % m->n);
    if (m->rows[r].live) return (long)r;
  }
  return -1;
}

/* About `n` rows over three partitions in several batches, then deletes and upserts. */
static void model_fill(model *m, size_t n) {
  for (size_t done = 0; done < n;) {
    int part = irand(0, 2);
    size_t batch = (size_t)irand(1, 60);
    if (batch > n - done) batch = n - done;
    model_write(m, part, PT_OP_INSERT, batch, NULL);
    done += batch;
  }
  int64_t del[40];
  size_t nd = 0;
  for (size_t i = 0; i < n / 12 && nd < 40; i++) {
    long r = random_live(m);
    if (r >= 0) del[nd++] = m->rows[r].id;
  }
  model_delete(m, del, nd);
  for (int k = 0; k < 6; k++) {
    long r = random_live(m);
    if (r < 0) continue;
    int64_t id = m->rows[r].id;
    model_write(m, m->rows[r].part, PT_OP_UPSERT, 1, &id);
  }
}

/* ============================================================================================
 * Queries and the reference
 * ========================================================================================== */

typedef struct qset {
  size_t nq;
  vec q[8];
} qset;

static void gen_queries(const model *m, qset *qs, size_t nq) {
  qs->nq = nq;
  for (size_t i = 0; i < nq; i++) {
    gen_vec(m, &qs->q[i]);
    /* some queries are copies of stored rows: exact matches, and ties with duplicates */
    if (i == 1 && m->n) qs->q[i] = m->rows[rng() % m->n].v;
  }
}

static unsigned popc(unsigned x) {
  unsigned n = 0;
  for (; x; x >>= 1) n += x & 1u;
  return n;
}

/* Milvus's distance of row x to query q in double, and a scale for its float error. */
static double ref_distance(const model *m, metric me, const vec *q, const vec *x, double *scale) {
  size_t d = m->dim;
  double dot = 0, qq = 0, xx = 0, l2 = 0, abs_sum = 0;
  switch (m->dtype) {
  case F32: case F16: case BF16:
    for (size_t i = 0; i < d; i++) {
      double a = q->f[i], b = x->f[i];
      dot += a * b;
      abs_sum += fabs(a * b);
      qq += a * a;
      xx += b * b;
      l2 += (a - b) * (a - b);
    }
    break;
  case I8:
    for (size_t i = 0; i < d; i++) {
      double a = q->i8[i], b = x->i8[i];
      dot += a * b;
      abs_sum += fabs(a * b);
      qq += a * a;
      xx += b * b;
      l2 += (a - b) * (a - b);
    }
    break;
  case BIN: {
    unsigned ham = 0, both = 0, any = 0;
    for (size_t i = 0; i < d / 8; i++) {
      ham += popc((unsigned)(q->bin[i] ^ x->bin[i]));
      both += popc((unsigned)(q->bin[i] & x->bin[i]));
      any += popc((unsigned)(q->bin[i] | x->bin[i]));
    }
    *scale = 1;
    if (me == HAMMING) return ham;
    return any ? 1.0 - (double)both / any : 0.0;
  }
  case SPARSE: {
    size_t a = 0, b = 0;
    while (a < q->sp_n && b < x->sp_n) {
      if (q->sp_idx[a] < x->sp_idx[b]) a++;
      else if (q->sp_idx[a] > x->sp_idx[b]) b++;
      else {
        dot += (double)q->sp_val[a] * x->sp_val[b];
        abs_sum += fabs((double)q->sp_val[a] * x->sp_val[b]);
        a++;
        b++;
      }
    }
    *scale = abs_sum;
    return dot;
  }
  default: break;
  }
  switch (me) {
  case L2: *scale = l2; return l2;
  case IP: *scale = abs_sum; return dot;
  default:
    *scale = 1;
    return qq > 0 && xx > 0 ? dot / sqrt(qq * xx) : 0;
  }
}

typedef struct cand {
  double d, scale;
  size_t row; /* model index */
  int part;
  uint32_t seq;
} cand;

static metric cmp_metric;
static int cand_cmp(const void *a, const void *b) {
  const cand *x = a, *y = b;
  if (x->d != y->d) return (is_distance(cmp_metric) ? x->d < y->d : x->d > y->d) ? -1 : 1;
  if (x->part != y->part) return x->part < y->part ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* What a search selects beyond the vectors. */
typedef struct sopts {
  metric m;
  int64_t limit, offset;
  bool scope[3];        /* all false: every partition */
  const int64_t *keys;  /* a filter `id in [keys]`, or NULL */
  size_t n_keys;
  bool has_radius, has_range_filter;
  double radius, range_filter;
  const char *output;   /* output_fields JSON, or NULL */
} sopts;

static metric effective_metric(const model *m, metric me) {
  if (me != DEFAULT_METRIC) return me;
  return m->dtype == BIN ? HAMMING : m->dtype == SPARSE ? IP : COSINE;
}

/* Every candidate row of query q, sorted best first (ties in storage order). */
static size_t reference(const model *m, const sopts *o, const vec *q, cand *out) {
  metric me = effective_metric(m, o->m);
  bool any_scope = o->scope[0] || o->scope[1] || o->scope[2];
  size_t n = 0;
  for (size_t r = 0; r < m->n; r++) {
    const mrow *row = &m->rows[r];
    if (!row->live || (any_scope && !o->scope[row->part])) continue;
    if (o->keys) {
      bool found = false;
      for (size_t k = 0; k < o->n_keys; k++) found |= o->keys[k] == row->id;
      if (!found) continue;
    }
    double scale;
    double d = ref_distance(m, me, q, &row->v, &scale);
    if (o->has_radius) {
      bool in = is_distance(me) ? d < o->radius && (!o->has_range_filter || d >= o->range_filter)
                                : d > o->radius && (!o->has_range_filter || d <= o->range_filter);
      if (!in) continue;
    }
    out[n].d = d;
    out[n].scale = scale;
    out[n].row = r;
    out[n].part = row->part;
    out[n].seq = row->seq;
    n++;
  }
  cmp_metric = me;
  qsort(out, n, sizeof *out, cand_cmp);
  return n;
}

static void put_query_json(test_buf *b, const model *m, const qset *qs) {
  if (m->dtype == SPARSE) {
    test_buf_printf(b, ",\"sparse\":[");
    for (size_t i = 0; i < qs->nq; i++) {
      test_buf_printf(b, "%s", i ? "," : "");
      put_vec_json(b, m, &qs->q[i]);
    }
    test_buf_printf(b, "]");
  } else {
    bool bytes = m->dtype == I8 || m->dtype == BIN;
    test_buf_printf(b, ",\"nq\":%zu,\"vector_kind\":\"%s\"", qs->nq, bytes ? "bytes" : "float32");
  }
}

/* The query vectors as the core takes them; free() it. */
static void *query_bytes(const model *m, const qset *qs, size_t *len) {
  size_t per = m->dtype == I8 ? m->dim : m->dtype == BIN ? m->dim / 8 : m->dtype == SPARSE ? 0 : m->dim * 4;
  *len = per * qs->nq;
  uint8_t *p = malloc(*len ? *len : 1);
  if (!p) exit(2);
  for (size_t i = 0; i < qs->nq; i++) {
    const vec *v = &qs->q[i];
    const void *src = m->dtype == I8 ? (const void *)v->i8 : m->dtype == BIN ? (const void *)v->bin : (const void *)v->f;
    memcpy(p + i * per, src, per);
  }
  return p;
}

static char *request_json(const model *m, const sopts *o, const qset *qs) {
  test_buf b = {0};
  test_buf_printf(&b, "{\"anns_field\":\"v\",\"limit\":%lld,\"offset\":%lld", (long long)o->limit, (long long)o->offset);
  if (o->m != DEFAULT_METRIC) test_buf_printf(&b, ",\"metric_type\":\"%s\"", MNAME[o->m]);
  if (o->scope[0] || o->scope[1] || o->scope[2]) {
    test_buf_printf(&b, ",\"partition_names\":[");
    bool first = true;
    for (int p = 0; p < 3; p++)
      if (o->scope[p]) {
        test_buf_printf(&b, "%s\"%s\"", first ? "" : ",", PARTS[p]);
        first = false;
      }
    test_buf_printf(&b, "]");
  }
  if (o->keys) {
    test_buf_printf(&b, ",\"expr\":\"id in [");
    for (size_t k = 0; k < o->n_keys; k++) test_buf_printf(&b, "%s%lld", k ? "," : "", (long long)o->keys[k]);
    test_buf_printf(&b, "]\"");
  }
  if (o->has_radius) {
    test_buf_printf(&b, ",\"params\":{\"radius\":%.17g", o->radius);
    if (o->has_range_filter) test_buf_printf(&b, ",\"range_filter\":%.17g", o->range_filter);
    test_buf_printf(&b, "}");
  }
  if (o->output) test_buf_printf(&b, ",\"output_fields\":%s", o->output);
  put_query_json(&b, m, qs);
  test_buf_printf(&b, "}");
  return b.p;
}

static int64_t hit_id(const pt_search_result *r, size_t at) { return test_i64(pt_search_rows(r), 0, at); }

/* Runs a search and checks every hit of every query against the reference. */
static void check_search(int line, const model *m, const sopts *o, const qset *qs) {
  char *req = request_json(m, o, qs);
  size_t len;
  void *vecs = query_bytes(m, qs, &len);
  pt_search_result *res = NULL;
  pt_error e;
  pt_status rc = pt_collection_search(m->c, req, strlen(req), vecs, len, &res, &e);
  if (rc != PT_OK) {
    fprintf(stderr, "  FAIL %s:%d: search failed: %s\n    %s\n", __FILE__, line, e.message, req);
    pt_test_failures++;
    free(req);
    free(vecs);
    return;
  }
  metric me = effective_metric(m, o->m);
  /* ids must agree exactly when distances are exact (small integers, or binary metrics) */
  bool exact = m->dtype == BIN || (m->ints && me != COSINE) || (m->dtype == I8 && me != COSINE);
  cand *exp = malloc((m->n + 1) * sizeof *exp);
  if (!exp) exit(2);
  const pt_rows *rows = pt_search_rows(res);
  const float *dist = pt_search_distances(res);
  const uint32_t *counts = pt_search_counts(res);
  int fails = pt_test_failures;
  CHECK_EQ_INT(pt_search_nq(res), qs->nq);
  size_t at = 0, total = 0;
  for (size_t qi = 0; qi < qs->nq; qi++) total += counts[qi];
  CHECK_EQ_INT(pt_rows_count(rows), total);
  int ncol = test_col(rows, "n");
  for (size_t qi = 0; qi < qs->nq && pt_test_failures == fails; qi++) {
    size_t n = reference(m, o, &qs->q[qi], exp);
    size_t want = n > (size_t)o->offset ? n - (size_t)o->offset : 0;
    if (want > (size_t)o->limit) want = (size_t)o->limit;
    if (counts[qi] != want) {
      fprintf(stderr, "  FAIL %s:%d: query %zu: %u hits, expected %zu (of %zu candidates)\n    %s\n", __FILE__, line, qi,
              counts[qi], want, n, req);
      pt_test_failures++;
      break;
    }
    for (size_t i = 0; i < want; i++, at++) {
      const cand *x = &exp[(size_t)o->offset + i];
      int64_t id = hit_id(res, at);
      double tol = 1e-5 * x->scale + 1e-5;
      const char *why = NULL;
      /* the row the core returned, in the reference */
      const cand *got = NULL;
      for (size_t k = 0; k < n; k++)
        if (m->rows[exp[k].row].id == id) { got = &exp[k]; break; }
      if (!got) why = "a hit that is not a candidate";
      else if (fabs(dist[at] - got->d) > tol) why = "the hit's distance is not its distance";
      else if (id != m->rows[x->row].id && (exact || fabs(got->d - x->d) > 2 * tol)) why = "another row";
      else if (fabs(dist[at] - x->d) > 2 * tol) why = "a distance out of order";
      if (!why && i > 0 && dist[at] == dist[at - 1]) {
        /* equal reported distances come in storage order */
        int64_t prev = hit_id(res, at - 1);
        const cand *p = NULL;
        for (size_t k = 0; k < n; k++)
          if (m->rows[exp[k].row].id == prev) { p = &exp[k]; break; }
        if (p && got && (p->part > got->part || (p->part == got->part && p->seq > got->seq))) why = "a tie out of storage order";
      }
      if (!why && ncol >= 0 && got) {
        int32_t nv;
        memcpy(&nv, (const char *)pt_rows_column(rows, (size_t)ncol)->values + at * 4, 4);
        if (nv != m->rows[got->row].n) why = "the output field n of another row";
      }
      if (why) {
        fprintf(stderr, "  FAIL %s:%d: query %zu hit %zu: %s: got id %lld at %.9g, expected id %lld at %.9g (tol %.3g)\n    %s\n",
                __FILE__, line, qi, i, why, (long long)id, (double)dist[at], (long long)m->rows[x->row].id, x->d, tol, req);
        pt_test_failures++;
        break;
      }
    }
    at = 0;
    for (size_t k = 0; k <= qi; k++) at += counts[k];
  }
  free(exp);
  pt_search_free(res);
  free(req);
  free(vecs);
}
#define CHECK_SEARCH(m, o, qs) check_search(__LINE__, m, o, qs)

/* ============================================================================================
 * Tests
 * ========================================================================================== */

typedef struct combo {
  int dtype;
  size_t dim;
  metric m;
} combo;

static const combo COMBOS[] = {
  {F32, 3, L2}, {F32, 17, L2}, {F32, 64, L2}, {F32, 3, IP}, {F32, 17, IP}, {F32, 64, IP},
  {F32, 3, COSINE}, {F32, 17, COSINE}, {F32, 64, COSINE}, {F32, 17, DEFAULT_METRIC},
  {F16, 17, L2}, {F16, 17, IP}, {F16, 17, COSINE}, {F16, 5, DEFAULT_METRIC},
  {BF16, 17, L2}, {BF16, 17, IP}, {BF16, 17, COSINE}, {BF16, 33, COSINE},
  {I8, 17, L2}, {I8, 17, IP}, {I8, 17, COSINE}, {I8, 3, L2}, {I8, 33, DEFAULT_METRIC},
  {BIN, 16, HAMMING}, {BIN, 136, HAMMING}, {BIN, 16, JACCARD}, {BIN, 136, JACCARD}, {BIN, 64, DEFAULT_METRIC},
  {SPARSE, 0, IP}, {SPARSE, 0, DEFAULT_METRIC},
};

/* The searches run on every data set: limits, offsets, scopes, filters, output fields. */
static void search_battery(const model *m, metric me) {
  qset qs;
  sopts o;
  static const int64_t LO[][2] = {{10, 0}, {1, 0}, {5, 3}, {50, 10}, {16384, 0}, {7, 295}, {3, 1000}};
  for (size_t k = 0; k < sizeof LO / sizeof LO[0]; k++) {
    gen_queries(m, &qs, 3);
    memset(&o, 0, sizeof o);
    o.m = me;
    o.limit = LO[k][0];
    o.offset = LO[k][1];
    CHECK_SEARCH(m, &o, &qs);
  }
  /* scopes */
  gen_queries(m, &qs, 4);
  memset(&o, 0, sizeof o);
  o.m = me;
  o.limit = 20;
  o.scope[1] = true;
  o.output = "[\"n\"]";
  CHECK_SEARCH(m, &o, &qs);
  o.scope[1] = false;
  o.scope[0] = o.scope[2] = true;
  o.offset = 2;
  CHECK_SEARCH(m, &o, &qs);
  /* a primary-key filter over live, deleted and missing keys, in one partition and in all */
  int64_t keys[30];
  for (size_t k = 0; k < 30; k++) keys[k] = k < 25 ? m->rows[rng() % m->n].id : 100000 + (int64_t)k;
  memset(&o, 0, sizeof o);
  o.m = me;
  o.limit = 8;
  o.keys = keys;
  o.n_keys = 30;
  o.output = "[\"n\", \"k\"]";
  CHECK_SEARCH(m, &o, &qs);
  o.scope[2] = true;
  o.limit = 30;
  CHECK_SEARCH(m, &o, &qs);
  /* one query vector, eight query vectors */
  gen_queries(m, &qs, 1);
  memset(&o, 0, sizeof o);
  o.m = me;
  o.limit = 12;
  o.output = "[\"*\"]";
  CHECK_SEARCH(m, &o, &qs);
  gen_queries(m, &qs, 8);
  CHECK_SEARCH(m, &o, &qs);
}

static void run_combos(bool ints) {
  for (size_t i = 0; i < sizeof COMBOS / sizeof COMBOS[0]; i++) {
    const combo *k = &COMBOS[i];
    int before = pt_test_failures;
    model *m = model_open(k->dtype, k->dim, ints, true);
    model_fill(m, 300);
    search_battery(m, k->m);
    /* more writes after searching: upserts overwrite or move rows, deletes hide them */
    model_fill(m, 40);
    search_battery(m, k->m);
    if (pt_test_failures != before)
      fprintf(stderr, "    (dtype %d, dim %zu, metric %s, %s data)\n", k->dtype, k->dim, MNAME[k->m], ints ? "integer" : "real");
    model_close(m);
  }
}

TEST(every_metric_on_real_data) { run_combos(false); }
TEST(every_metric_on_integer_data_with_ties) { run_combos(true); }

/* Ties decided by storage order: partitions in creation order, rows in write order; an upserted
 * row keeps its place when it was overwritten in place and is at the end of its partition when
 * it was appended; a better row arriving after the heap is full evicts the latest of the tied
 * rows, not an arbitrary one. */
TEST(ties_in_storage_order) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "t", J("{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}"));
  pt_error e;
  CHECK_OK(pt_partition_create(c, "p1", 2, &e), &e);
  /* p1 gets 10..14, _default 0..4, then _default 5 (closer) */
  pt_mutation_result r = test_write(c, "p1", PT_OP_INSERT, J("[{'id':10,'v':[1,0]},{'id':11,'v':[1,0]},{'id':12,'v':[1,0]},{'id':13,'v':[1,0]},{'id':14,'v':[1,0]}]"));
  pt_mutation_result_clear(&r);
  r = test_write(c, "_default", PT_OP_INSERT, J("[{'id':0,'v':[1,0]},{'id':1,'v':[1,0]},{'id':2,'v':[1,0]},{'id':3,'v':[1,0]},{'id':4,'v':[1,0]}]"));
  pt_mutation_result_clear(&r);
  r = test_write(c, "_default", PT_OP_INSERT, J("[{'id':5,'v':[0.5,0]}]"));
  pt_mutation_result_clear(&r);
  /* upsert 2 with the same sizes: overwritten in place. Upsert 1 with a dynamic value it did
   * not have: appended, so it moves to the end of _default (still before p1) */
  r = test_write(c, "_default", PT_OP_UPSERT, J("[{'id':2,'v':[1,0]},{'id':1,'v':[1,0],'x':1}]"));
  pt_mutation_result_clear(&r);
  const float q[2] = {1, 0};
  static const struct { const char *req; const char *ids; } CASES[] = {
    {"{'metric_type':'L2','limit':3,'nq':1}", "0,2,3"},
    {"{'metric_type':'L2','limit':6,'nq':1}", "0,2,3,4,1,10"},
    {"{'metric_type':'L2','limit':4,'offset':3,'nq':1}", "4,1,10,11"},
    {"{'metric_type':'IP','limit':3,'nq':1}", "0,2,3"},
    {"{'metric_type':'COSINE','limit':3,'nq':1}", "0,2,3"},
    {"{'metric_type':'COSINE','limit':7,'nq':1}", "0,2,3,4,5,1,10"},
    {"{'metric_type':'L2','limit':3,'nq':1,'partition_names':['p1']}", "10,11,12"},
    {"{'metric_type':'L2','limit':2,'nq':1,'expr':'id in [14, 3, 12]'}", "3,12"},
  };
  for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
    const char *req = J(CASES[k].req);
    pt_search_result *res = NULL;
    CHECK_OK(pt_collection_search(c, req, strlen(req), q, sizeof q, &res, &e), &e);
    if (!res) continue;
    char got[256] = "";
    size_t at = 0;
    for (size_t i = 0; i < pt_search_counts(res)[0]; i++)
      at += (size_t)snprintf(got + at, sizeof got - at, "%s%lld", i ? "," : "", (long long)hit_id(res, i));
    CHECK_STR(got, CASES[k].ids);
    pt_search_free(res);
  }
  /* L2 with the heap full of ties when a better row arrives: 5 is best, then the earliest tie */
  {
    const char *req = J("{'metric_type':'L2','limit':2,'nq':1}");
    const float q2[2] = {0.5f, 0};
    pt_search_result *res = NULL;
    CHECK_OK(pt_collection_search(c, req, strlen(req), q2, sizeof q2, &res, &e), &e);
    if (res) {
      CHECK_EQ_INT(pt_search_counts(res)[0], 2);
      CHECK_EQ_INT(hit_id(res, 0), 5);
      CHECK_EQ_INT(hit_id(res, 1), 0);
      CHECK(pt_search_distances(res)[0] == 0.0f);
      CHECK(pt_search_distances(res)[1] == 0.25f);
      pt_search_free(res);
    }
  }
  pt_store_close(st);
}

/* Many rows tied, the heap at every size: each limit gives the first rows in storage order. */
TEST(ties_at_every_limit) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "t", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':100,'dim':16}]}"));
  test_buf b = {0};
  test_buf_printf(&b, "[");
  /* ids 0..99: bytes 1 or 3 (hamming 1 or 2 from byte 0); every third row is closer */
  for (int i = 0; i < 100; i++) test_buf_printf(&b, "%s{\"id\":%d,\"v\":[%d,0]}", i ? "," : "", i, i % 3 == 2 ? 1 : 3);
  test_buf_printf(&b, "]");
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, b.p);
  pt_mutation_result_clear(&r);
  test_buf_free(&b);
  const uint8_t q[2] = {0, 0};
  pt_error e;
  for (int limit = 1; limit <= 100; limit++) {
    char req[128];
    snprintf(req, sizeof req, "{\"limit\":%d,\"nq\":1,\"vector_kind\":\"bytes\"}", limit);
    pt_search_result *res = NULL;
    CHECK_OK(pt_collection_search(c, req, strlen(req), q, 2, &res, &e), &e);
    if (!res) continue;
    CHECK_EQ_INT(pt_search_counts(res)[0], limit);
    /* the 33 rows 2, 5, ..., 98 at distance 1 first, then 0, 1, 3, 4, ... at distance 2 */
    int want_close = 2, want_far = 0, bad = 0;
    for (int i = 0; i < limit; i++) {
      int64_t id = hit_id(res, (size_t)i);
      float d = pt_search_distances(res)[i];
      if (i < 33) {
        bad += id != want_close || d != 1.0f;
        want_close += 3;
      } else {
        bad += id != want_far || d != 2.0f;
        want_far += want_far % 3 == 1 ? 2 : 1;
      }
    }
    if (bad) {
      fprintf(stderr, "  FAIL %s:%d: limit %d: %d hits out of order\n", __FILE__, __LINE__, limit, bad);
      pt_test_failures++;
    }
    pt_search_free(res);
  }
  pt_store_close(st);
}

/* Range search: which side of each bound is inclusive, on exact (integer) distances. */
TEST(range_search_bounds) {
  for (int pass = 0; pass < 2; pass++) {
    model *m = model_open(pass == 0 ? F32 : I8, 4, true, false);
    model_fill(m, 200);
    for (metric me = L2; me <= COSINE; me++) {
      qset qs;
      gen_queries(m, &qs, 3);
      cand *all = malloc(m->n * sizeof *all);
      sopts o;
      memset(&o, 0, sizeof o);
      o.m = me;
      o.limit = 16384;
      size_t n = reference(m, &o, &qs.q[0], all);
      /* bounds at distances that occur (exact on this data), so both sides of each are tested;
       * cosine values are not exact: bounds just outside them, between distinct values */
      double better = all[n / 4].d, worse = all[(3 * n) / 4].d;
      double nudge = me == COSINE ? 1e-4 : 0;
      o.has_radius = true;
      o.radius = is_distance(me) ? worse + nudge : worse - nudge;
      CHECK_SEARCH(m, &o, &qs); /* radius alone */
      if (better != worse) {
        o.has_range_filter = true;
        o.range_filter = is_distance(me) ? better - nudge : better + nudge;
        CHECK_SEARCH(m, &o, &qs);
        o.limit = 5;
        CHECK_SEARCH(m, &o, &qs);
        o.offset = 3;
        CHECK_SEARCH(m, &o, &qs);
      } else {
        fprintf(stderr, "  FAIL %s:%d: degenerate range data\n", __FILE__, __LINE__);
        pt_test_failures++;
      }
      free(all);
    }
    model_close(m);
  }
  /* hand-checked: distances 0, 1, 4, 9 (L2) / dots 0, 1, 2, 3 (IP) */
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "r", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}"));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[[0,1,2,3],[[0,0],[1,0],[2,0],[3,0]]]"));
  pt_mutation_result_clear(&r);
  static const float origin[2] = {0, 0}, unit[2] = {1, 0};
  static const struct { const char *req; float q; const char *ids; } CASES[] = {
    {"{'metric_type':'L2','nq':1,'params':{'radius':4}}", 0, "0,1"},
    {"{'metric_type':'L2','nq':1,'params':{'radius':4.0001}}", 0, "0,1,2"},
    {"{'metric_type':'L2','nq':1,'params':{'radius':9,'range_filter':1}}", 0, "1,2"},
    {"{'metric_type':'L2','nq':1,'params':{'radius':10,'range_filter':0}}", 0, "0,1,2,3"},
    {"{'metric_type':'IP','nq':1,'params':{'radius':1}}", 1, "3,2"},
    {"{'metric_type':'IP','nq':1,'params':{'radius':0,'range_filter':2}}", 1, "2,1"},
    {"{'metric_type':'IP','nq':1,'params':{'radius':-1,'range_filter':3}}", 1, "3,2,1,0"},
    {"{'metric_type':'IP','nq':1,'limit':1,'params':{'radius':-1,'range_filter':2.5}}", 1, "2"},
    {"{'metric_type':'COSINE','nq':1,'params':{'radius':0.5}}", 1, "1,2,3"},
    {"{'metric_type':'COSINE','nq':1,'params':{'radius':-1,'range_filter':0.5}}", 1, "0"},
    /* bounds as strings holding a number, as Milvus's index layer converts them */
    {"{'metric_type':'L2','nq':1,'params':{'radius':'4.0001','range_filter':'1'}}", 0, "1,2"},
    {"{'metric_type':'IP','nq':1,'params':{'radius':'-1e0'}}", 1, "3,2,1,0"},
  };
  pt_error e;
  for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
    const char *req = J(CASES[k].req);
    pt_search_result *res = NULL;
    CHECK_OK(pt_collection_search(c, req, strlen(req), CASES[k].q ? unit : origin, 8, &res, &e), &e);
    if (!res) continue;
    char got[64] = "";
    size_t at = 0;
    for (size_t i = 0; i < pt_search_counts(res)[0]; i++)
      at += (size_t)snprintf(got + at, sizeof got - at, "%s%lld", i ? "," : "", (long long)hit_id(res, i));
    CHECK_STR(got, CASES[k].ids);
    pt_search_free(res);
  }
  pt_store_close(st);
}

/* Output fields of hits: scalars, vectors, dynamic keys, "*", "$meta". */
TEST(output_fields_of_hits) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "o", J("{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                                "{'name':'t','dtype':21,'max_length':8},{'name':'v','dtype':101,'dim':2},{'name':'b','dtype':100,'dim':16}]}"));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT,
                                    J("[{'id':1,'t':'one','v':[1,0],'b':[1,0],'x':10},{'id':2,'t':'two','v':[0,1],'b':[2,0],'y':'z'},{'id':3,'t':'three','v':[1,1],'b':[3,0]}]"));
  pt_mutation_result_clear(&r);
  pt_error e;
  const float q[2] = {1, 0.1f};
  const char *req = J("{'anns_field':'v','metric_type':'L2','limit':3,'nq':1,'output_fields':['*']}");
  pt_search_result *res = NULL;
  CHECK_OK(pt_collection_search(c, req, strlen(req), q, sizeof q, &res, &e), &e);
  if (res) {
    const pt_rows *rows = pt_search_rows(res);
    CHECK_EQ_INT(pt_rows_count(rows), 3);
    CHECK_EQ_INT(hit_id(res, 0), 1);
    CHECK_EQ_INT(hit_id(res, 1), 3);
    CHECK_EQ_INT(hit_id(res, 2), 2);
    CHECK_STR(pt_rows_column(rows, 0)->name, "id");
    int t = test_col(rows, "t"), v = test_col(rows, "v"), b = test_col(rows, "b"), meta = test_col(rows, "$meta");
    CHECK(t > 0 && v > 0 && b > 0 && meta > 0);
    if (t > 0 && v > 0 && b > 0 && meta > 0) {
      CHECK_STR(test_text(rows, (size_t)t, 1), "three");
      float v2[2];
      memcpy(v2, (const char *)pt_rows_column(rows, (size_t)v)->values + 2 * 8, 8);
      CHECK(v2[0] == 0 && v2[1] == 1);
      CHECK_EQ_INT(((const uint8_t *)pt_rows_column(rows, (size_t)b)->values)[2], 3);
      CHECK(strstr(test_text(rows, (size_t)meta, 0), "\"x\"") != NULL);
      CHECK(strstr(test_text(rows, (size_t)meta, 2), "\"y\"") != NULL);
    }
    /* distances of the hits: 0.01, 0.81, 1.01 */
    CHECK(fabsf(pt_search_distances(res)[0] - 0.01f) < 1e-6f);
    CHECK(fabsf(pt_search_distances(res)[1] - 0.81f) < 1e-6f);
    CHECK(fabsf(pt_search_distances(res)[2] - 1.81f) < 1e-6f);
    pt_search_free(res);
  }
  /* default: the key only; a dynamic key by name */
  req = J("{'anns_field':'b','limit':2,'nq':1,'vector_kind':'bytes','output_fields':['x']}");
  const uint8_t qb[2] = {1, 0};
  res = NULL;
  CHECK_OK(pt_collection_search(c, req, strlen(req), qb, 2, &res, &e), &e);
  if (res) {
    const pt_rows *rows = pt_search_rows(res);
    CHECK_EQ_INT(pt_search_counts(res)[0], 2);
    CHECK_EQ_INT(hit_id(res, 0), 1); /* hamming 0 */
    CHECK_EQ_INT(hit_id(res, 1), 3); /* 1 and 3 differ by one bit; 2 by two */
    CHECK_EQ_INT(pt_rows_num_columns(rows), 2);
    int meta = test_col(rows, "$meta");
    CHECK(meta == 1);
    if (meta == 1) {
      CHECK_STR(test_text(rows, 1, 0), "{\"x\":10}");
      CHECK_STR(test_text(rows, 1, 1), "{}");
    }
    pt_search_free(res);
  }
  req = J("{'anns_field':'b','limit':2,'nq':1,'vector_kind':'bytes'}");
  res = NULL;
  CHECK_OK(pt_collection_search(c, req, strlen(req), qb, 2, &res, &e), &e);
  if (res) {
    CHECK_EQ_INT(pt_rows_num_columns(pt_search_rows(res)), 1);
    pt_search_free(res);
  }
  pt_store_close(st);
}

/* Deleted rows are never found; an upserted row is found with its new vector only. */
TEST(deleted_and_upserted_rows) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "d", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}"));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[[1,2,3,4],[[0,0],[1,0],[2,0],[3,0]]]"));
  pt_mutation_result_clear(&r);
  pt_error e;
  const float q[2] = {0, 0};
  const char *req = J("{'metric_type':'L2','limit':10,'nq':1}");
  char got[128];
  pt_search_result *res;
#define IDS_AND_DIST(expect)                                                                      \
  do {                                                                                            \
    res = NULL;                                                                                   \
    CHECK_OK(pt_collection_search(c, req, strlen(req), q, sizeof q, &res, &e), &e);             \
    got[0] = '\0';                                                                                \
    size_t at_ = 0;                                                                               \
    for (size_t i = 0; res && i < pt_search_counts(res)[0]; i++)                                  \
      at_ += (size_t)snprintf(got + at_, sizeof got - at_, "%s%lld:%g", i ? "," : "", (long long)hit_id(res, i), \
                              (double)pt_search_distances(res)[i]);                               \
    CHECK_STR(got, expect);                                                                       \
    pt_search_free(res);                                                                          \
  } while (0)
  IDS_AND_DIST("1:0,2:1,3:4,4:9");
  pt_mutation_result d;
  CHECK_OK(pt_collection_delete(c, NULL, 0, "id in [1, 3]", 12, &d, &e), &e);
  pt_mutation_result_clear(&d);
  IDS_AND_DIST("2:1,4:9");
  r = test_write(c, NULL, PT_OP_UPSERT, J("[{'id':4,'v':[0.5,0]},{'id':1,'v':[5,0]}]"));
  pt_mutation_result_clear(&r);
  IDS_AND_DIST("4:0.25,2:1,1:25");
  /* the same key in another partition is another row */
  CHECK_OK(pt_partition_create(c, "p", 1, &e), &e);
  r = test_write(c, "p", PT_OP_UPSERT, J("[{'id':2,'v':[0,0]}]"));
  pt_mutation_result_clear(&r);
  IDS_AND_DIST("2:0,4:0.25,2:1,1:25");
#undef IDS_AND_DIST
  pt_store_close(st);
}

/* float16 / bfloat16 fields take the query rounded to their type, as Milvus receives it. */
TEST(half_queries_are_rounded) {
  for (int t = 0; t < 2; t++) {
    pt_store *st = test_store();
    pt_collection *c = test_collection(st, "h", t == 0 ? J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':102,'dim':3}]}")
                                                       : J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':103,'dim':3}]}"));
    pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[{'id':1,'v':[0.1,0.2,0.3]},{'id':2,'v':[0.3,0.2,0.1]}]"));
    pt_mutation_result_clear(&r);
    const float q[3] = {0.1f, 0.2f, 0.3f};
    pt_error e;
    const char *req = J("{'metric_type':'L2','limit':2,'nq':1}");
    pt_search_result *res = NULL;
    CHECK_OK(pt_collection_search(c, req, strlen(req), q, sizeof q, &res, &e), &e);
    if (res) {
      CHECK_EQ_INT(hit_id(res, 0), 1);
      CHECK(pt_search_distances(res)[0] == 0.0f);
      pt_search_free(res);
    }
    /* COSINE of a vector with itself: 1 within float rounding */
    req = J("{'metric_type':'COSINE','limit':1,'nq':1}");
    res = NULL;
    CHECK_OK(pt_collection_search(c, req, strlen(req), q, sizeof q, &res, &e), &e);
    if (res) {
      CHECK(fabsf(pt_search_distances(res)[0] - 1.0f) < 1e-6f);
      pt_search_free(res);
    }
    pt_store_close(st);
  }
}

/* Zero vectors: COSINE is 0, never NaN; an empty sparse query scores 0 and keeps storage order. */
TEST(zero_vectors) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "z", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2},{'name':'i','dtype':105,'dim':2},{'name':'s','dtype':104}]}"));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[{'id':1,'v':[0,0],'i':[0,0],'s':{}},{'id':2,'v':[1,0],'i':[1,0],'s':{'3':1.5}},{'id':3,'v':[-1,0],'i':[-1,0],'s':{'4':2}}]"));
  pt_mutation_result_clear(&r);
  pt_error e;
  const struct { const char *req; const void *q; size_t len; const char *want; } CASES[] = {
    {"{'anns_field':'v','metric_type':'COSINE','limit':3,'nq':1}", (const float[]){1, 0}, 8, "2:1,1:0,3:-1"},
    {"{'anns_field':'v','metric_type':'COSINE','limit':3,'nq':1}", (const float[]){0, 0}, 8, "1:0,2:0,3:0"},
    {"{'anns_field':'i','metric_type':'COSINE','limit':3,'nq':1,'vector_kind':'bytes'}", (const int8_t[]){0, 5}, 2, "1:0,2:0,3:0"},
    {"{'anns_field':'i','metric_type':'COSINE','limit':3,'nq':1,'vector_kind':'bytes'}", (const int8_t[]){-3, 0}, 2, "3:1,1:0,2:-1"},
    {"{'anns_field':'s','limit':3,'sparse':[{}]}", NULL, 0, "1:0,2:0,3:0"},
    {"{'anns_field':'s','limit':3,'sparse':[{'4':0.5,'3':-1}]}", NULL, 0, "3:1,1:0,2:-1.5"},
    {"{'anns_field':'s','limit':3,'sparse':[{'indices':[3,4],'values':[1,1]}]}", NULL, 0, "3:2,2:1.5,1:0"},
  };
  for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
    const char *req = J(CASES[k].req);
    pt_search_result *res = NULL;
    CHECK_OK(pt_collection_search(c, req, strlen(req), CASES[k].q, CASES[k].len, &res, &e), &e);
    if (!res) continue;
    char got[128] = "";
    size_t at = 0;
    for (size_t i = 0; i < pt_search_counts(res)[0]; i++)
      at += (size_t)snprintf(got + at, sizeof got - at, "%s%lld:%g", i ? "," : "", (long long)hit_id(res, i),
                             (double)pt_search_distances(res)[i]);
    CHECK_STR(got, CASES[k].want);
    pt_search_free(res);
  }
  pt_store_close(st);
}

/* An empty collection, a scope with no rows, a filter matching nothing: nq empty lists. */
TEST(nothing_to_find) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "e", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}"));
  pt_error e;
  const float q[4] = {1, 0, 0, 1};
  static const char *const REQS[] = {
    "{'limit':3,'nq':2}",
    "{'limit':3,'nq':2,'expr':'id in [1]'}",
  };
  for (int pass = 0; pass < 2; pass++) {
    for (size_t k = 0; k < 2; k++) {
      const char *req = J(REQS[k]);
      pt_search_result *res = NULL;
      CHECK_OK(pt_collection_search(c, req, strlen(req), q, sizeof q, &res, &e), &e);
      if (!res) continue;
      CHECK_EQ_INT(pt_search_nq(res), 2);
      CHECK_EQ_INT(pt_search_counts(res)[0], 0);
      CHECK_EQ_INT(pt_search_counts(res)[1], 0);
      CHECK_EQ_INT(pt_rows_count(pt_search_rows(res)), 0);
      pt_search_free(res);
    }
    pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[[5],[[1,1]]]"));
    pt_mutation_result_clear(&r);
    pt_mutation_result d;
    CHECK_OK(pt_collection_delete(c, NULL, 0, "id in [5]", 9, &d, &e), &e);
    pt_mutation_result_clear(&d);
  }
  pt_store_close(st);
}

/* ---- errors ---- */

static void search_fails(int line, pt_collection *c, const char *req, const void *vecs, size_t len, pt_status st,
                         int32_t code, int32_t exc, const char *needle) {
  pt_search_result *res = (pt_search_result *)1;
  pt_error e;
  pt_status rc = pt_collection_search(c, req, strlen(req), vecs, len, &res, &e);
  test_expect_err(__FILE__, line, rc, &e, st, code, exc, needle);
  if (res != NULL) {
    fprintf(stderr, "  FAIL %s:%d: a failed search returned a result\n", __FILE__, line);
    pt_test_failures++;
    if (res != (pt_search_result *)1) pt_search_free(res);
  }
}
#define SEARCH_ERR(c, sq, vecs, len, st, code, exc, needle) search_fails(__LINE__, c, J(sq), vecs, len, st, code, exc, needle)

TEST(errors) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "e", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'n','dtype':4},"
                                                "{'name':'v','dtype':101,'dim':3},{'name':'b','dtype':100,'dim':16},{'name':'s','dtype':104}]}"));
  pt_collection *one = test_collection(st, "one", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':3}]}"));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[{'id':1,'n':1,'v':[1,2,3],'b':[1,2],'s':{'1':1}}]"));
  pt_mutation_result_clear(&r);
  const float q[6] = {1, 2, 3, 4, 5, 6};
  const uint8_t qb[4] = {1, 2, 3, 4};

  /* topk: Milvus's proxy answers these as plain errors (65535, no ": invalid parameter") */
  SEARCH_ERR(one, "{'limit':0,'nq':1}", q, 12, PT_RANGE, UNX, MIL, "topk [0] is invalid, it should be in range [1, 16384], but got 0");
  SEARCH_ERR(one, "{'limit':-5,'nq':1}", q, 12, PT_RANGE, UNX, MIL, "topk [-5] is invalid, it should be in range [1, 16384], but got -5");
  SEARCH_ERR(one, "{'limit':16385,'nq':1}", q, 12, PT_RANGE, UNX, MIL, "topk [16385] is invalid, it should be in range [1, 16384], but got 16385");
  SEARCH_ERR(one, "{'limit':16384,'offset':1,'nq':1}", q, 12, PT_RANGE, UNX, MIL,
             "offset+topk [16385] is invalid, it should be in range [1, 16384], but got 16385");
  SEARCH_ERR(one, "{'limit':100,'offset':16300,'nq':1}", q, 12, PT_RANGE, UNX, MIL,
             "offset+topk [16400] is invalid, it should be in range [1, 16384], but got 16400");
  SEARCH_ERR(one, "{'limit':10,'offset':-1,'nq':1}", q, 12, PT_RANGE, UNX, MIL, "offset [-1] is invalid, it should be in range [1, 16384], but got -1");
  SEARCH_ERR(one, "{'limit':1,'offset':16385,'nq':1}", q, 12, PT_RANGE, UNX, MIL,
             "offset [16385] is invalid, it should be in range [1, 16384], but got 16385");
  SEARCH_ERR(one, "{'limit':1.5,'nq':1}", q, 12, PT_MISUSE, PT_CODE_CLIENT, PT_EXC_PARAM, "`limit` value 1.5 is illegal");
  SEARCH_ERR(one, "{'limit':'x','nq':1}", q, 12, PT_MISUSE, PT_CODE_CLIENT, PT_EXC_PARAM, "`limit` value x is illegal");
  SEARCH_ERR(one, "{'limit':2,'offset':'3','nq':1}", q, 12, PT_MISUSE, PT_CODE_CLIENT, PT_EXC_PARAM, "`offset` value 3 is illegal");
  SEARCH_ERR(one, "{'limit':2,'offset':0.5,'nq':1}", q, 12, PT_MISUSE, PT_CODE_CLIENT, PT_EXC_PARAM, "`offset` value 0.5 is illegal");
  SEARCH_ERR(one, "{'nq':1.5}", q, 12, PT_RANGE, INV, MIL, "nq [0] is invalid");
  /* nq */
  SEARCH_ERR(one, "{'limit':1,'nq':0}", q, 0, PT_RANGE, INV, MIL,
             "nq [0] is invalid, nq (number of search vector per search request) should be in range [1, 16384], but got 0");
  {
    size_t big = 16385 * 3 * 4;
    float *many = calloc(16385 * 3, 4);
    search_fails(__LINE__, one, J("{'limit':1,'nq':16385}"), many, big, PT_RANGE, INV, MIL,
                 "nq [16385] is invalid, nq (number of search vector per search request) should be in range [1, 16384], but got 16385");
    free(many);
  }
  SEARCH_ERR(c, "{'anns_field':'s','limit':1,'sparse':[]}", NULL, 0, PT_RANGE, INV, MIL,
             "nq [0] is invalid, nq (number of search vector per search request) should be in range [1, 16384], but got 0");
  /* metrics */
  SEARCH_ERR(one, "{'metric_type':'HAMMING','nq':1}", q, 12, PT_MISUSE, INV, MIL,
             "metric type not match: invalid parameter[expected=L2, IP or COSINE][actual=HAMMING]");
  SEARCH_ERR(c, "{'anns_field':'b','metric_type':'L2','nq':1,'vector_kind':'bytes'}", qb, 2, PT_MISUSE, INV, MIL,
             "metric type not match: invalid parameter[expected=HAMMING or JACCARD][actual=L2]");
  SEARCH_ERR(c, "{'anns_field':'s','metric_type':'COSINE','sparse':[{'1':1}]}", NULL, 0, PT_MISUSE, INV, MIL,
             "metric type not match: invalid parameter[expected=IP][actual=COSINE]");
  SEARCH_ERR(one, "{'metric_type':'FOO','nq':1}", q, 12, PT_MISUSE, INV, MIL,
             "metric type FOO not found or not supported, supported: [L2 IP COSINE HAMMING JACCARD]");
  SEARCH_ERR(one, "{'metric_type':'L2X','nq':1}", q, 12, PT_MISUSE, INV, MIL, "metric type L2X not found");
  SEARCH_ERR(one, "{'metric_type':5,'nq':1}", q, 12, PT_MISUSE, INV, PT_EXC_PARAM, "metric_type must be a string");
  /* query size */
  SEARCH_ERR(one, "{'nq':1}", q, 8, PT_SCHEMA, INV, MIL, "vector dimension mismatch, expected vector size(byte) 12, actual 8.");
  SEARCH_ERR(one, "{'nq':2}", q, 12, PT_SCHEMA, INV, MIL, "vector dimension mismatch, expected vector size(byte) 24, actual 12.");
  SEARCH_ERR(c, "{'anns_field':'b','nq':1,'vector_kind':'bytes'}", qb, 3, PT_SCHEMA, INV, MIL,
             "vector dimension mismatch, expected vector size(byte) 2, actual 3.");
  /* anns_field */
  SEARCH_ERR(c, "{'nq':1}", q, 12, PT_MISUSE, INV, MIL, "multiple anns_fields exist, please specify a anns_field in search_params");
  SEARCH_ERR(c, "{'anns_field':'w','nq':1}", q, 12, PT_NOT_FOUND, 1700, MIL, "fieldName(w) not found");
  SEARCH_ERR(c, "{'anns_field':'n','nq':1}", q, 12, PT_SCHEMA, INV, MIL, "field (n) to search is not of vector data type");
  /* range parameters */
  SEARCH_ERR(one, "{'metric_type':'L2','nq':1,'params':{'range_filter':1}}", q, 12, PT_MISUSE, INV, MIL,
             "range_filter requires radius to be set; range_filter alone is not a valid range search parameter: invalid parameter[expected=range_filter][actual=]");
  SEARCH_ERR(one, "{'metric_type':'L2','nq':1,'params':{'radius':1,'range_filter':1}}", q, 12, PT_MISUSE, INV, MIL,
             "range_filter must be less than radius for L2");
  SEARCH_ERR(one, "{'metric_type':'L2','nq':1,'params':{'radius':1,'range_filter':2}}", q, 12, PT_MISUSE, INV, MIL,
             "range_filter must be less than radius for L2");
  SEARCH_ERR(one, "{'metric_type':'IP','nq':1,'params':{'radius':1,'range_filter':0.5}}", q, 12, PT_MISUSE, INV, MIL,
             "range_filter must be greater than radius for IP");
  SEARCH_ERR(one, "{'nq':1,'params':{'radius':0.5,'range_filter':0.5}}", q, 12, PT_MISUSE, INV, MIL,
             "range_filter must be greater than radius for COSINE");
  SEARCH_ERR(c, "{'anns_field':'b','metric_type':'JACCARD','nq':1,'vector_kind':'bytes','params':{'radius':0.5,'range_filter':0.6}}", qb, 2,
             PT_MISUSE, INV, MIL, "range_filter must be less than radius for JACCARD");
  /* range bounds that are not numbers (issue 13): refused, never taken as "no range search" */
  static const struct { const char *params, *msg; } BOUNDS[] = {
    {"{'radius':'x'}", "invalid float value, key: 'radius', value: 'x': invalid parameter"},
    {"{'radius':'NaN'}", "invalid float value, key: 'radius', value: 'NaN'"},
    {"{'radius':'Infinity'}", "invalid float value, key: 'radius', value: 'Infinity'"},
    {"{'radius':'10n'}", "invalid float value, key: 'radius', value: '10n'"},
    {"{'radius':' 1'}", "invalid float value, key: 'radius', value: ' 1'"},
    {"{'radius':'0x10'}", "invalid float value, key: 'radius', value: '0x10'"},
    {"{'radius':'1.'}", "invalid float value, key: 'radius', value: '1.'"},
    {"{'radius':'1e999'}", "invalid float value, key: 'radius', value: '1e999'"},
    {"{'radius':''}", "invalid float value, key: 'radius', value: ''"},
    {"{'radius':null}", "Type conflict in json: param 'radius' (null) should be a number: invalid parameter"},
    {"{'radius':true}", "Type conflict in json: param 'radius' (true) should be a number"},
    {"{'radius':[1]}", "Type conflict in json: param 'radius' ([...]) should be a number"},
    {"{'radius':5,'range_filter':'y'}", "invalid float value, key: 'range_filter', value: 'y'"},
    {"{'radius':5,'range_filter':null}", "Type conflict in json: param 'range_filter' (null) should be a number"},
  };
  for (size_t k = 0; k < sizeof BOUNDS / sizeof BOUNDS[0]; k++)
    search_fails(__LINE__, one, test_jf("{'metric_type':'L2','nq':1,'params':%s}", BOUNDS[k].params), q, 12, PT_MISUSE, INV, MIL,
                 BOUNDS[k].msg);
  /* a number beyond a double is not JSON that partita takes (as Go's encoding/json refuses it) */
  SEARCH_ERR(one, "{'metric_type':'L2','nq':1,'params':{'radius':1e999}}", q, 12, PT_PARSE, INV, PT_EXC_PARAM,
             "a number beyond the range of a double");
  SEARCH_ERR(one, "{'nq':1,'params':5}", q, 12, PT_MISUSE, INV, PT_EXC_PARAM, "search params must be a dict");
  SEARCH_ERR(one, "{'nq':1,'params':[]}", q, 12, PT_MISUSE, INV, PT_EXC_PARAM, "search params must be a dict");
  /* nq given for sparse vectors: a host that finds too many gives their number alone */
  SEARCH_ERR(c, "{'anns_field':'s','nq':16385}", NULL, 0, PT_RANGE, INV, MIL,
             "nq [16385] is invalid, nq (number of search vector per search request) should be in range [1, 16384], but got 16385");
  SEARCH_ERR(c, "{'anns_field':'s','nq':2,'sparse':[{'1':1}]}", NULL, 0, PT_MISUSE, INV, MIL,
             "nq [2] does not match the 1 sparse query vectors given");
  SEARCH_ERR(c, "{'anns_field':'s','nq':1}", NULL, 0, PT_MISUSE, INV, MIL, "nq [1] does not match the 0 sparse query vectors given");
  /* drop_ratio_search: knowhere reads it for sparse indexes only (Milvus ignores it on a dense
   * field); partita refuses it there, by name, rather than ignore it */
  SEARCH_ERR(one, "{'metric_type':'L2','nq':1,'params':{'drop_ratio_search':0.2}}", q, 12, PT_MISUSE, INV, MIL,
             "search param 'drop_ratio_search' applies to sparse vector fields only; field v is a FloatVector: invalid parameter");
  /* scope and outputs */
  SEARCH_ERR(one, "{'nq':1,'partition_names':['nope']}", q, 12, PT_NOT_FOUND, UNX, MIL, "partition name nope not found");
  SEARCH_ERR(one, "{'nq':1,'output_fields':['nope']}", q, 12, PT_NOT_FOUND, PT_CODE_UNEXPECTED, MIL, "field nope not exist");
  SEARCH_ERR(one, "{'nq':1,'output_fields':['count(*)']}", q, 12, PT_NOT_FOUND, PT_CODE_UNEXPECTED, MIL, "field count(*) not exist");
  /* the request itself */
  SEARCH_ERR(one, "[1]", q, 12, PT_PARSE, INV, PT_EXC_PARAM, "the search request is not a JSON object");
  SEARCH_ERR(one, "{'nq':1", q, 12, PT_PARSE, INV, PT_EXC_PARAM, "the search request is not a JSON object");
  SEARCH_ERR(c, "{'anns_field':'s','sparse':[{'1':'x'}]}", NULL, 0, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "");
  {
    float bad[3] = {1, NAN, 3};
    SEARCH_ERR(one, "{'nq':1}", bad, 12, PT_RANGE, PT_CODE_UNEXPECTED, MIL, "value 'NaN' is not a number or infinity");
    bad[1] = INFINITY;
    SEARCH_ERR(one, "{'nq':1}", bad, 12, PT_RANGE, PT_CODE_UNEXPECTED, MIL, "value '+Inf' is not a number or infinity");
  }
  /* misuse */
  pt_search_result *res = (pt_search_result *)1;
  pt_error e;
  CHECK_EQ_INT(pt_collection_search(NULL, "{}", 2, q, 12, &res, &e), PT_MISUSE);
  pt_store_close(st);
}

/* ---- query vectors as hosts read them (pt_collection_search_vectors) ---- */

/* The hits of a search as JSON text (a static buffer), or "" after a printed failure. */
static const char *vsearch(int line, pt_collection *c, const char *req, const pt_vectors_in *in, int *key_is_output) {
  static char text[2048];
  pt_search_result *res = NULL;
  pt_error e;
  text[0] = '\0';
  pt_status rc = pt_collection_search_vectors(c, req, strlen(req), in, &res, &e);
  if (rc) {
    fprintf(stderr, "  FAIL %s:%d: search: %s\n", __FILE__, line, e.message);
    pt_test_failures++;
    return text;
  }
  char *json = NULL;
  CHECK_OK(pt_search_to_json(res, 0, &json, NULL, &e), &e);
  snprintf(text, sizeof text, "%s", json ? json : "");
  if (key_is_output) *key_is_output = pt_search_key_is_output(res);
  pt_free(json);
  pt_search_free(res);
  return text;
}
#define VSEARCH(c, req, in) vsearch(__LINE__, c, J(req), in, NULL)

static void vsearch_fails(int line, pt_collection *c, const char *req, const pt_vectors_in *in, pt_status st, int32_t code,
                          int32_t exc, const char *needle) {
  pt_search_result *res = (pt_search_result *)1;
  pt_error e;
  pt_status rc = pt_collection_search_vectors(c, req, strlen(req), in, &res, &e);
  test_expect_err(__FILE__, line, rc, &e, st, code, exc, needle);
  if (res != NULL) {
    fprintf(stderr, "  FAIL %s:%d: a failed search returned a result\n", __FILE__, line);
    pt_test_failures++;
    if (res != (pt_search_result *)1) pt_search_free(res);
  }
}
#define VSEARCH_ERR(c, req, in, st, code, exc, needle) vsearch_fails(__LINE__, c, J(req), in, st, code, exc, needle)

/* Typed vectors: kind, n, width, values; JSON ones: text. */
#define TYPED(kind, n, w, v) ((pt_vectors_in){(kind), (n), (w), (v), 0, NULL, NULL, 0, 0})
#define JSONV(text) ((pt_vectors_in){PT_IN_JSON, 0, 0, J(text), strlen(J(text)), NULL, NULL, 0, 0})

/* Every form a host may give (numbers as float32 or double, raw bytes, JSON with base64) finds
 * what the packed vectors of pt_collection_search find; one set of checks, with Milvus's
 * messages, in its order: the number of vectors, each one's size, its values. */
TEST(vectors_as_hosts_read_them) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "vh", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':3},"
                                                 "{'name':'h','dtype':102,'dim':2},{'name':'i','dtype':105,'dim':2},"
                                                 "{'name':'b','dtype':100,'dim':16}]}"));
  pt_collection *sc = test_collection(st, "vs", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'s','dtype':104}]}"));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT,
                                    J("[{'id':1,'v':[1,2,3],'h':[0.1,0.2],'i':[1,-2],'b':[1,2]},"
                                      "{'id':2,'v':[3,2,1],'h':[0.3,0.1],'i':[100,-100],'b':[255,0]}]"));
  pt_mutation_result_clear(&r);
  r = test_write(sc, NULL, PT_OP_INSERT, J("[{'id':1,'s':{'1':1}},{'id':2,'s':{'2':1}}]"));
  pt_mutation_result_clear(&r);

  /* FLOAT_VECTOR: float32, double and JSON numbers search as the packed float32 do */
  const float qf[3] = {1, 2, 3.5f};
  const double qd[3] = {1, 2, 3.5};
  pt_search_result *ref = NULL;
  pt_error e;
  const char *req = J("{'anns_field':'v','metric_type':'L2','nq':1}");
  CHECK_OK(pt_collection_search(c, req, strlen(req), qf, sizeof qf, &ref, &e), &e);
  char *want = NULL;
  CHECK_OK(pt_search_to_json(ref, 0, &want, NULL, &e), &e);
  pt_search_free(ref);
  pt_vectors_in in = TYPED(PT_IN_FLOAT32, 1, 3, qf);
  CHECK_STR(VSEARCH(c, "{'anns_field':'v','metric_type':'L2'}", &in), want);
  in = TYPED(PT_IN_DOUBLE, 1, 3, qd);
  CHECK_STR(VSEARCH(c, "{'anns_field':'v','metric_type':'L2'}", &in), want);
  in = JSONV("[[1, 2, 3.5]]");
  CHECK_STR(VSEARCH(c, "{'anns_field':'v','metric_type':'L2'}", &in), want);
  pt_free(want);

  /* FLOAT16: numbers rounded to the field's precision, raw halves, base64 halves: distance 0 */
  const double hd[2] = {0.1, 0.2};
  const uint8_t hraw[4] = {0x66, 0x2e, 0x66, 0x32}; /* float16 0.1, 0.2, little-endian */
  const char *at0 = "[{'id':1,'distance':0}]";
  in = TYPED(PT_IN_DOUBLE, 1, 2, hd);
  CHECK_STR(VSEARCH(c, "{'anns_field':'h','metric_type':'L2','limit':1}", &in), J(at0));
  in = TYPED(PT_IN_BYTES, 1, 4, hraw);
  CHECK_STR(VSEARCH(c, "{'anns_field':'h','metric_type':'L2','limit':1}", &in), J(at0));
  in = JSONV("['Zi5mMg==']");
  CHECK_STR(VSEARCH(c, "{'anns_field':'h','metric_type':'L2','limit':1}", &in), J(at0));
  in = JSONV("[[0.1, 0.2]]");
  CHECK_STR(VSEARCH(c, "{'anns_field':'h','metric_type':'L2','limit':1}", &in), J(at0));
  /* INT8: numbers, two's-complement bytes, JSON */
  const double id[2] = {1, -2};
  const uint8_t iraw[2] = {1, 0xfe};
  in = TYPED(PT_IN_DOUBLE, 1, 2, id);
  CHECK_STR(VSEARCH(c, "{'anns_field':'i','metric_type':'L2','limit':1}", &in), J(at0));
  in = TYPED(PT_IN_BYTES, 1, 2, iraw);
  CHECK_STR(VSEARCH(c, "{'anns_field':'i','metric_type':'L2','limit':1}", &in), J(at0));
  in = JSONV("[[1, -2]]");
  CHECK_STR(VSEARCH(c, "{'anns_field':'i','metric_type':'L2','limit':1}", &in), J(at0));
  /* BINARY: byte values, bytes, base64 */
  const double bd[2] = {1, 2};
  const uint8_t braw[2] = {1, 2};
  in = TYPED(PT_IN_DOUBLE, 1, 2, bd);
  CHECK_STR(VSEARCH(c, "{'anns_field':'b','limit':1}", &in), J(at0));
  in = TYPED(PT_IN_BYTES, 1, 2, braw);
  CHECK_STR(VSEARCH(c, "{'anns_field':'b','limit':1}", &in), J(at0));
  in = JSONV("['AQI=']");
  CHECK_STR(VSEARCH(c, "{'anns_field':'b','limit':1}", &in), J(at0));
  in = JSONV("['AQI']"); /* padding is optional */
  CHECK_STR(VSEARCH(c, "{'anns_field':'b','limit':1}", &in), J(at0));
  /* SPARSE: JSON, in any of its forms */
  in = JSONV("[{'1': 1}, {'indices': [2], 'values': [1]}, [[1, 1]]]");
  CHECK_STR(VSEARCH(sc, "{'anns_field':'s','limit':1}", &in), J("[{'id':1,'distance':1},{'id':2,'distance':1},{'id':1,'distance':1}]"));

  /* the key among a hit's fields: when asked for by name or by "*" */
  static const struct { const char *req; int asked; } KEYS[] = {
    {"{'anns_field':'i','limit':1}", 0}, {"{'anns_field':'i','limit':1,'output_fields':['id']}", 1},
    {"{'anns_field':'i','limit':1,'output_fields':[' id ']}", 1}, {"{'anns_field':'i','limit':1,'output_fields':['*']}", 1},
    {"{'anns_field':'i','limit':1,'output_fields':['v']}", 0},
  };
  for (size_t k = 0; k < sizeof KEYS / sizeof KEYS[0]; k++) {
    int asked = -1;
    in = TYPED(PT_IN_DOUBLE, 1, 2, id);
    vsearch(__LINE__, c, J(KEYS[k].req), &in, &asked);
    CHECK_EQ_INT(asked, KEYS[k].asked);
  }

  /* the number of vectors, first: nothing is read when it is out of range */
  in = TYPED(PT_IN_DOUBLE, 0, 3, qd);
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_RANGE, INV, MIL, "nq [0] is invalid, nq (number of search vector per search request)");
  in = TYPED(PT_IN_DOUBLE, 16385, 3, NULL);
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_RANGE, INV, MIL, "nq [16385] is invalid");
  in = (pt_vectors_in){PT_IN_JSON, 300000000, 0, NULL, 0, NULL, NULL, 0, 0};
  VSEARCH_ERR(sc, "{'anns_field':'s'}", &in, PT_RANGE, INV, MIL, "nq [300000000] is invalid");
  in = JSONV("[]");
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_RANGE, INV, MIL, "nq [0] is invalid");
  in = TYPED(PT_IN_DOUBLE, 1, 3, NULL);
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_MISUSE, PT_CODE_UNEXPECTED, MIL, "missing argument: vectors");
  /* then each vector's size: the first of another size, before any value */
  const uint8_t size_then_type[2] = {PT_CELL_WRONG_TYPE, PT_CELL_WRONG_LENGTH};
  in = (pt_vectors_in){PT_IN_DOUBLE, 2, 3, qd, 0, size_then_type, "str", 3, 5};
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_SCHEMA, INV, MIL, "vector dimension mismatch, expected vector size(byte) 12, actual 20.");
  in = TYPED(PT_IN_DOUBLE, 1, 4, qd);
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_SCHEMA, INV, MIL, "vector dimension mismatch, expected vector size(byte) 12, actual 16.");
  const uint8_t second_short[2] = {PT_CELL_VALUE, PT_CELL_WRONG_LENGTH};
  in = (pt_vectors_in){PT_IN_BYTES, 2, 2, iraw, 0, second_short, NULL, 0, 3};
  VSEARCH_ERR(c, "{'anns_field':'i'}", &in, PT_SCHEMA, INV, MIL, "vector dimension mismatch, expected vector size(byte) 2, actual 3.");
  in = JSONV("[[1, 2, 3], [1, 2]]");
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_SCHEMA, INV, MIL, "vector dimension mismatch, expected vector size(byte) 12, actual 8.");
  in = JSONV("['AQID']");
  VSEARCH_ERR(c, "{'anns_field':'b'}", &in, PT_SCHEMA, INV, MIL, "vector dimension mismatch, expected vector size(byte) 2, actual 3.");
  /* then the values, vector after vector: numbers, integers in range (never wrapped) */
  const uint8_t second_bad[2] = {PT_CELL_VALUE, PT_CELL_WRONG_TYPE};
  const double two[6] = {1, 2, 3, 4, 5, 6};
  in = (pt_vectors_in){PT_IN_DOUBLE, 2, 3, two, 0, second_bad, "str", 3, 0};
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "search data for field v must be numbers, got str");
  in = JSONV("[[1, 'a', 3]]");
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "search data for field v must be numbers, got str");
  static const struct { double x[2]; const char *field, *msg; } RANGES[] = {
    {{200, 1}, "i", "search data for INT8_VECTOR field i must be integers in [-128, 127], got 200"},
    {{1, -129}, "i", "must be integers in [-128, 127], got -129"},
    {{1.5, 1}, "i", "must be integers in [-128, 127], got 1.5"},
    {{NAN, 1}, "i", "must be integers in [-128, 127], got NaN"},
    {{256, 0}, "b", "search data for BINARY_VECTOR field b must be integers in [0, 255], got 256"},
    {{0, -1}, "b", "must be integers in [0, 255], got -1"},
  };
  for (size_t k = 0; k < sizeof RANGES / sizeof RANGES[0]; k++) {
    char rq[64];
    snprintf(rq, sizeof rq, "{'anns_field':'%s'}", RANGES[k].field);
    in = TYPED(PT_IN_DOUBLE, 1, 2, RANGES[k].x);
    vsearch_fails(__LINE__, c, J(rq), &in, PT_RANGE, PT_CODE_CLIENT, PT_EXC_PARAM, RANGES[k].msg);
  }
  in = JSONV("[[300, 1]]");
  VSEARCH_ERR(c, "{'anns_field':'i'}", &in, PT_RANGE, PT_CODE_CLIENT, PT_EXC_PARAM, "must be integers in [-128, 127], got 300");
  /* floats: finite once in the field's precision */
  const double nan3[3] = {1, NAN, 3}, big3[3] = {1, 1e39, 3}, big2[2] = {70000, 0};
  in = TYPED(PT_IN_DOUBLE, 1, 3, nan3);
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_RANGE, PT_CODE_UNEXPECTED, MIL, "value 'NaN' is not a number or infinity");
  in = TYPED(PT_IN_DOUBLE, 1, 3, big3);
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_RANGE, PT_CODE_UNEXPECTED, MIL, "value '+Inf' is not a number or infinity");
  in = TYPED(PT_IN_DOUBLE, 1, 2, big2);
  VSEARCH_ERR(c, "{'anns_field':'h'}", &in, PT_RANGE, PT_CODE_UNEXPECTED, MIL, "value '+Inf' is not a number or infinity");
  /* JSON that is not a list of vectors */
  in = JSONV("{'a': 1}");
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "search data must be a list of vectors, got dict");
  in = JSONV("[[1, 2, 3], 5]");
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "search data must be a list of vectors, got a list of int");
  in = JSONV("['AQI=']");
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "got a list of str");
  in = JSONV("['!!!!']");
  VSEARCH_ERR(c, "{'anns_field':'b'}", &in, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "vector 0 is a string that is not base64");
  in = JSONV("['Zi5mMgA=']"); /* five bytes: two halves and one byte too many */
  VSEARCH_ERR(c, "{'anns_field':'h'}", &in, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "vector 0 is base64 of 5 bytes, not of whole FLOAT16_VECTOR values");
  in = (pt_vectors_in){PT_IN_JSON, 0, 0, "[[1, 2", 6, NULL, NULL, 0, 0};
  VSEARCH_ERR(c, "{'anns_field':'v'}", &in, PT_PARSE, INV, PT_EXC_PARAM, "the search data is not JSON");
  in = JSONV("[{'1': 'x'}]");
  VSEARCH_ERR(sc, "{'anns_field':'s'}", &in, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "sparse vector value must be a number");
  in = TYPED(PT_IN_DOUBLE, 1, 3, qd);
  VSEARCH_ERR(sc, "{'anns_field':'s'}", &in, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "must be sparse vectors");
  /* the field is picked first */
  VSEARCH_ERR(c, "{}", &in, PT_MISUSE, INV, MIL, "multiple anns_fields exist");
  VSEARCH_ERR(c, "{'anns_field':'w'}", &in, PT_NOT_FOUND, 1700, MIL, "fieldName(w) not found");
  pt_store_close(st);
}

/* ---- allocation failure ---- */

#define MAX_STEPS 20000

static char *dump_result(const pt_search_result *r) {
  test_buf b = {0};
  test_buf_printf(&b, "nq=%zu\n", pt_search_nq(r));
  size_t total = 0;
  for (size_t i = 0; i < pt_search_nq(r); i++) {
    test_buf_printf(&b, "%u ", pt_search_counts(r)[i]);
    total += pt_search_counts(r)[i];
  }
  for (size_t i = 0; i < total; i++) test_buf_printf(&b, "%.9g ", (double)pt_search_distances(r)[i]);
  char *rows = test_dump_rows(pt_search_rows(r));
  test_buf_printf(&b, "\n%s", rows);
  free(rows);
  return b.p;
}

/* Runs the search with the Nth allocation failing for every N until it succeeds: a clean PT_NOMEM
 * each time, nothing leaked, and the run that succeeds gives exactly the result of a run without
 * failures. */
static void sweep(const model *m, const char *req, const void *vecs, size_t len) {
  pt_search_result *ref = NULL;
  pt_error e;
  CHECK_OK(pt_collection_search(m->c, req, strlen(req), vecs, len, &ref, &e), &e);
  char *want = ref ? dump_result(ref) : NULL;
  pt_search_free(ref);
  long live = test_alloc_live();
  size_t bytes = pt_memory_used();
  long n = 1;
  bool leaked = false;
  for (; n < MAX_STEPS && want; n++) {
    pt_search_result *res = (pt_search_result *)1;
    test_alloc_fail_at(n);
    pt_status rc = pt_collection_search(m->c, req, strlen(req), vecs, len, &res, &e);
    long count = test_alloc_count();
    test_alloc_fail_at(0);
    if (rc == PT_OK) {
      char *got = dump_result(res);
      CHECK_STR(got, want);
      if (count >= n) {
        fprintf(stderr, "  FAIL search, allocation %ld failing: succeeded although an allocation failed\n", n);
        pt_test_failures++;
      }
      free(got);
      pt_search_free(res);
    } else if (!((rc == PT_NOMEM || rc == PT_PARSE) && e.status == rc && e.message[0] && res == NULL)) {
      fprintf(stderr, "  FAIL search, allocation %ld failing: not a clean failure: %s (%s)\n", n, pt_status_str(rc), e.message);
      pt_test_failures++;
    }
    if (test_alloc_live() != live || pt_memory_used() != bytes) {
      fprintf(stderr, "  FAIL search, allocation %ld failing: memory leaked\n", n);
      pt_test_failures++;
      leaked = true;
    }
    if (rc == PT_OK || leaked) break;
  }
  CHECK(n > 5);
  CHECK(n < MAX_STEPS);
  free(want);
}

TEST(allocation_failure_sweep) {
  /* the test allocator goes in while nothing is allocated (every earlier test freed all) */
  CHECK_EQ_INT(pt_memory_used(), 0);
  test_alloc_install();
  model *m = model_open(F32, 8, false, true);
  model_fill(m, 150);
  qset qs;
  gen_queries(m, &qs, 3);
  int64_t keys[40];
  for (size_t k = 0; k < 40; k++) keys[k] = m->rows[rng() % m->n].id;
  sopts o;
  memset(&o, 0, sizeof o);
  o.m = COSINE;
  o.limit = 7;
  o.offset = 2;
  o.scope[0] = o.scope[2] = true;
  o.keys = keys;
  o.n_keys = 40;
  o.output = "[\"n\", \"k\", \"v\"]";
  char *req = request_json(m, &o, &qs);
  size_t len;
  void *vecs = query_bytes(m, &qs, &len);
  check_search(__LINE__, m, &o, &qs);
  sweep(m, req, vecs, len);
  /* a grouping search (by the INT32 field n, in groups of up to 3) */
  test_buf g = {0};
  test_buf_printf(&g, "%.*s,\"group_by_field\":\"n\",\"group_size\":3,\"strict_group_size\":false}", (int)strlen(req) - 1, req);
  sweep(m, g.p, vecs, len);
  test_buf_free(&g);
  free(req);
  free(vecs);
  model_close(m);
  CHECK_EQ_INT(test_alloc_live(), 0);
}

/* A search by keys finds what a search with those rows' vectors (as the host would give them)
 * finds: the same counts, distances and keys. */
static void same_as_vectors(int line, pt_collection *c, const char *by_keys, const char *by_vectors, const void *q,
                            size_t qlen) {
  pt_search_result *a = NULL, *b = NULL;
  pt_error e;
  pt_status ra = pt_collection_search(c, by_keys, strlen(by_keys), NULL, 0, &a, &e);
  if (ra) fprintf(stderr, "  (line %d) by keys: %s\n", line, e.message);
  CHECK_OK(ra, &e);
  CHECK_OK(pt_collection_search(c, by_vectors, strlen(by_vectors), q, qlen, &b, &e), &e);
  if (a && b) {
    CHECK_EQ_INT(pt_search_nq(a), pt_search_nq(b));
    size_t total = 0;
    for (size_t i = 0; i < pt_search_nq(a); i++) {
      CHECK_EQ_INT(pt_search_counts(a)[i], pt_search_counts(b)[i]);
      total += pt_search_counts(b)[i];
    }
    CHECK(memcmp(pt_search_distances(a), pt_search_distances(b), total * 4) == 0);
    char *ja = NULL, *jb = NULL; /* the hits' keys, with their distances */
    CHECK_OK(pt_search_to_json(a, 0, &ja, NULL, &e), &e);
    CHECK_OK(pt_search_to_json(b, 0, &jb, NULL, &e), &e);
    if (ja && jb) CHECK_STR(ja, jb);
    pt_free(ja);
    pt_free(jb);
  }
  pt_search_free(a);
  pt_search_free(b);
}

TEST(search_by_keys) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "k", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                                "{'name':'v','dtype':101,'dim':3},{'name':'h','dtype':102,'dim':2},"
                                                "{'name':'b','dtype':100,'dim':16},{'name':'s','dtype':104}]}"));
  pt_error pe;
  CHECK_OK(pt_partition_create(c, "p", 1, &pe), &pe);
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[{'id':1,'v':[1,2,3],'h':[0.5,1.5],'b':[1,2],'s':{'1':1,'7':2}},"
                                                             "{'id':2,'v':[3,2,1],'h':[2.5,0.25],'b':[3,4],'s':{'2':3}},"
                                                             "{'id':3,'v':[0,1,0],'h':[1,1],'b':[255,0],'s':{'7':0.5}}]"));
  pt_mutation_result_clear(&r);
  r = test_write(c, "p", PT_OP_INSERT, J("[{'id':9,'v':[5,5,5],'h':[3,3],'b':[0,255],'s':{'3':1}}]"));
  pt_mutation_result_clear(&r);
  /* an upserted key searches with its newest vector; a deleted row is no key any more */
  r = test_write(c, NULL, PT_OP_UPSERT, J("[{'id':2,'v':[2,2,2],'h':[2,2],'b':[8,8],'s':{'5':5}}]"));
  pt_mutation_result_clear(&r);
  const float v32[6] = {1, 2, 3, 2, 2, 2};
  same_as_vectors(__LINE__, c, J("{'anns_field':'v','metric_type':'L2','limit':4,'int_ids':['1','2']}"),
                  J("{'anns_field':'v','metric_type':'L2','limit':4,'nq':2}"), v32, sizeof v32);
  same_as_vectors(__LINE__, c, J("{'anns_field':'v','metric_type':'COSINE','limit':4,'int_ids':['2','1','2']}"),
                  J("{'anns_field':'v','metric_type':'COSINE','limit':4,'nq':3}"), (const float[9]){2, 2, 2, 1, 2, 3, 2, 2, 2}, 36);
  const float h32[2] = {0.5f, 1.5f};
  same_as_vectors(__LINE__, c, J("{'anns_field':'h','metric_type':'IP','limit':4,'int_ids':['1']}"),
                  J("{'anns_field':'h','metric_type':'IP','limit':4,'nq':1}"), h32, sizeof h32);
  const uint8_t bq[2] = {255, 0};
  same_as_vectors(__LINE__, c, J("{'anns_field':'b','metric_type':'HAMMING','limit':4,'int_ids':['3']}"),
                  J("{'anns_field':'b','metric_type':'HAMMING','limit':4,'nq':1,'vector_kind':'bytes'}"), bq, 2);
  same_as_vectors(__LINE__, c, J("{'anns_field':'s','limit':4,'int_ids':['1']}"),
                  J("{'anns_field':'s','limit':4,'sparse':[{'1':1,'7':2}]}"), NULL, 0);
  /* partitions: a key is looked up in the partitions searched */
  same_as_vectors(__LINE__, c, J("{'anns_field':'v','metric_type':'L2','limit':4,'int_ids':['9'],'partition_names':['p']}"),
                  J("{'anns_field':'v','metric_type':'L2','limit':4,'nq':1,'partition_names':['p']}"), (const float[3]){5, 5, 5}, 12);
  SEARCH_ERR(c, "{'anns_field':'v','limit':4,'int_ids':['9'],'partition_names':['_default']}", NULL, 0, PT_NOT_FOUND, INV, MIL,
             "some of the provided primary key IDs do not exist: missing IDs = [9]: invalid parameter");
  /* errors: missing keys (every one named), keys and vectors, no keys, the other key type, no anns_field */
  SEARCH_ERR(c, "{'anns_field':'v','limit':4,'int_ids':['1','40','-7']}", NULL, 0, PT_NOT_FOUND, INV, MIL,
             "some of the provided primary key IDs do not exist: missing IDs = [40 -7]: invalid parameter");
  SEARCH_ERR(c, "{'anns_field':'v','limit':4,'int_ids':['1']}", v32, 12, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
             "Either ids or data must be provided, not both");
  SEARCH_ERR(c, "{'anns_field':'s','limit':4,'int_ids':['1'],'sparse':[{'1':1}]}", NULL, 0, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
             "Either ids or data must be provided, not both");
  SEARCH_ERR(c, "{'anns_field':'v','limit':4,'int_ids':[]}", NULL, 0, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "`ids` value [] is illegal");
  SEARCH_ERR(c, "{'anns_field':'v','limit':4,'str_ids':['1']}", NULL, 0, PT_TYPE_MISMATCH, INV, MIL,
             "primary key is int64, but IDs type mismatch: invalid parameter");
  SEARCH_ERR(c, "{'anns_field':'v','limit':4,'int_ids':['1x']}", NULL, 0, PT_MISUSE, UNX, MIL, "key 0 of the request is not an int64");
  SEARCH_ERR(c, "{'anns_field':'v','limit':4,'int_ids':['9223372036854775808']}", NULL, 0, PT_MISUSE, UNX, MIL, "not an int64");
  SEARCH_ERR(c, "{'anns_field':'v','limit':0,'int_ids':['1']}", NULL, 0, PT_RANGE, UNX, MIL, "topk [0] is invalid");
  /* VARCHAR keys */
  pt_collection *s = test_collection(st, "ks", J("{'fields':[{'name':'pk','dtype':21,'max_length':8,'is_primary':true},"
                                                 "{'name':'v','dtype':101,'dim':2}]}"));
  r = test_write(s, NULL, PT_OP_INSERT, J("[{'pk':'a','v':[1,0]},{'pk':'b','v':[0,1]}]"));
  pt_mutation_result_clear(&r);
  const float sq[2] = {0, 1};
  same_as_vectors(__LINE__, s, J("{'anns_field':'v','limit':2,'str_ids':['b']}"), J("{'anns_field':'v','limit':2,'nq':1}"), sq, 8);
  SEARCH_ERR(s, "{'limit':4,'str_ids':['a']}", NULL, 0, PT_SCHEMA, INV, MIL,
             "anns_field is required for search by IDs: invalid parameter"); /* even with one vector field */
  SEARCH_ERR(s, "{'anns_field':'v','limit':4,'int_ids':['1']}", NULL, 0, PT_TYPE_MISMATCH, INV, MIL,
             "primary key is varchar, but IDs type mismatch: invalid parameter");
  SEARCH_ERR(s, "{'anns_field':'v','limit':4,'str_ids':['a','zz','b','yy']}", NULL, 0, PT_NOT_FOUND, INV, MIL,
             "missing IDs = [zz yy]: invalid parameter");
  pt_store_close(st);
}

/* ---- grouping search ---- */

/* A row of the grouping data set: small integer vectors (exact L2, many ties), group values in
 * small ranges, some null. */
typedef struct grow {
  int64_t id;
  bool live;
  int x, y;     /* the vector */
  int g;        /* INT32 (nullable): -1 is null */
  int b;        /* BOOL */
  char s[4];    /* VARCHAR */
} grow;

typedef struct gref { double d; size_t row; } gref;
static int gref_cmp(const void *a, const void *b) {
  const gref *x = a, *y = b;
  if (x->d != y->d) return x->d < y->d ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}

/* The group value of a row under field `f` ("g", "b" or "s"), as text ("null" for null). */
static void gkey(const grow *r, const char *f, char out[8]) {
  if (f[0] == 'g') {
    if (r->g < 0) snprintf(out, 8, "null");
    else snprintf(out, 8, "%d", r->g);
  } else if (f[0] == 'b') {
    snprintf(out, 8, "%d", r->b);
  } else {
    snprintf(out, 8, "'%s", r->s);
  }
}

/* The reference grouping: candidates best first (ties in write order); groups in the order of
 * their best hit, each its best `gs` hits; strict keeps only full groups; offset groups skipped,
 * limit kept. Writes the expected ids and distances; returns how many. */
static size_t group_reference(const grow *rows, size_t n, int qx, int qy, const char *f, size_t gs, bool strict,
                              size_t limit, size_t offset, int64_t *ids, double *ds) {
  gref *c = malloc((n + 1) * sizeof *c);
  char (*keys)[8] = malloc((n + 1) * sizeof *keys);
  size_t *cnt = calloc(n + 1, sizeof *cnt), *gof = malloc((n + 1) * sizeof *gof);
  if (!c || !keys || !cnt || !gof) exit(2);
  size_t nc = 0, ng = 0;
  for (size_t r = 0; r < n; r++)
    if (rows[r].live) {
      double dx = rows[r].x - qx, dy = rows[r].y - qy;
      c[nc].d = dx * dx + dy * dy;
      c[nc++].row = r;
    }
  qsort(c, nc, sizeof *c, gref_cmp);
  for (size_t i = 0; i < nc; i++) { /* quadratic on purpose: the plain definition */
    char k[8];
    gkey(&rows[c[i].row], f, k);
    size_t g = 0;
    while (g < ng && strcmp(keys[g], k) != 0) g++;
    if (g == ng) memcpy(keys[ng++], k, 8);
    gof[i] = g;
    cnt[g]++;
  }
  size_t out = 0, kept = 0;
  for (size_t g = 0; g < ng && kept < offset + limit; g++) {
    if (strict && cnt[g] < gs) continue;
    if (kept++ < offset) continue;
    size_t taken = 0;
    for (size_t i = 0; i < nc && taken < gs; i++)
      if (gof[i] == g) {
        ids[out] = rows[c[i].row].id;
        ds[out++] = c[i].d;
        taken++;
      }
  }
  free(c);
  free(keys);
  free(cnt);
  free(gof);
  return out;
}

TEST(grouping_search) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "g", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                                "{'name':'g','dtype':4,'nullable':true},{'name':'b','dtype':1},"
                                                "{'name':'s','dtype':21,'max_length':4},{'name':'i8','dtype':2},"
                                                "{'name':'f','dtype':10},{'name':'j','dtype':23},{'name':'v','dtype':101,'dim':2}]}"));
  enum { N = 400 };
  static grow rows[N];
  for (size_t batch = 0; batch < N / 50; batch++) {
    test_buf b = {0};
    test_buf_printf(&b, "[");
    for (size_t i = batch * 50; i < batch * 50 + 50; i++) {
      grow *r = &rows[i];
      r->id = (int64_t)i;
      r->live = true;
      r->x = irand(-3, 3);
      r->y = irand(-3, 3);
      r->g = irand(-1, 11);
      r->b = irand(0, 1);
      snprintf(r->s, sizeof r->s, "%c", 'a' + irand(0, 6));
      test_buf_printf(&b, "%s{'id':%lld,'g':", i % 50 ? "," : "", (long long)r->id);
      if (r->g < 0) test_buf_printf(&b, "null");
      else test_buf_printf(&b, "%d", r->g);
      test_buf_printf(&b, ",'b':%s,'s':'%s','i8':1,'f':1.5,'j':{},'v':[%d,%d]}", r->b ? "true" : "false", r->s, r->x, r->y);
    }
    test_buf_printf(&b, "]");
    pt_mutation_result mr = test_write(c, NULL, PT_OP_INSERT, J(b.p));
    pt_mutation_result_clear(&mr);
    test_buf_free(&b);
  }
  /* deletes: deleted rows are in no group */
  {
    test_buf b = {0};
    test_buf_printf(&b, "id in [");
    for (size_t i = 0; i < N; i += 7) {
      test_buf_printf(&b, "%s%zu", i ? "," : "", i);
      rows[i].live = false;
    }
    test_buf_printf(&b, "]");
    pt_mutation_result mr;
    pt_error e;
    CHECK_OK(pt_collection_delete(c, NULL, 0, b.p, b.len, &mr, &e), &e);
    pt_mutation_result_clear(&mr);
    test_buf_free(&b);
  }
  static int64_t want_ids[PT_MAX_TOPK];
  static double want_d[PT_MAX_TOPK];
  const char *fields[] = {"g", "b", "s"};
  for (int round = 0; round < 60; round++) {
    const char *f = fields[round % 3];
    size_t gs = (size_t)irand(1, 10), limit = (size_t)irand(1, 12), offset = round % 4 == 0 ? (size_t)irand(1, 3) : 0;
    bool strict = irand(0, 1);
    int qx = irand(-4, 4), qy = irand(-4, 4);
    char req[256];
    snprintf(req, sizeof req,
             "{\"anns_field\":\"v\",\"metric_type\":\"L2\",\"limit\":%zu,\"offset\":%zu,\"group_by_field\":\"%s\","
             "\"group_size\":%zu,\"strict_group_size\":%s,\"output_fields\":[\"id\"],\"nq\":2}",
             limit, offset, f, gs, strict ? "true" : "false");
    float q[4] = {(float)qx, (float)qy, (float)qx, (float)qy};
    pt_search_result *res = NULL;
    pt_error e;
    CHECK_OK(pt_collection_search(c, req, strlen(req), q, sizeof q, &res, &e), &e);
    if (!res) continue;
    size_t want = group_reference(rows, N, qx, qy, f, gs, strict, limit, offset, want_ids, want_d);
    const uint32_t *counts = pt_search_counts(res);
    CHECK_EQ_INT(counts[0], want);
    CHECK_EQ_INT(counts[1], want); /* the same query twice: the same groups */
    for (size_t i = 0; i < want && counts[0] == want; i++) {
      if (hit_id(res, i) != want_ids[i] || hit_id(res, want + i) != want_ids[i] ||
          pt_search_distances(res)[i] != (float)want_d[i]) {
        fprintf(stderr, "  FAIL %s:%d: hit %zu: got id %lld at %g, expected id %lld at %g\n    %s\n", __FILE__, __LINE__, i,
                (long long)hit_id(res, i), (double)pt_search_distances(res)[i], (long long)want_ids[i], want_d[i], req);
        pt_test_failures++;
        break;
      }
    }
    pt_search_free(res);
  }
  /* errors: fields that cannot be grouped by, an unknown field, group sizes out of range, wrong types */
  const float q2[2] = {0, 0};
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'group_by_field':'f'}", q2, 8, PT_SCHEMA, INV, MIL,
             "unsupported data type Float for group by operator: invalid parameter");
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'group_by_field':'v'}", q2, 8, PT_SCHEMA, INV, MIL,
             "unsupported data type FloatVector for group by operator");
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'group_by_field':'nope'}", q2, 8, PT_NOT_FOUND, 1700, MIL,
             "groupBy field not found in schema: field not found[field=nope]");
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'group_by_field':'g','group_size':0}", q2, 8, PT_RANGE, INV, MIL,
             "input group size:0 is negative, failed to do search_groupby: invalid parameter");
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'group_by_field':'g','group_size':11}", q2, 8, PT_RANGE, INV, MIL,
             "input group size:11 exceeds configured max group size:10: invalid parameter");
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'group_by_field':'g','group_size':1.5}", q2, 8, PT_MISUSE, INV, PT_EXC_PARAM,
             "`group_size` value 1.5 is illegal");
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'group_by_field':'g','strict_group_size':1}", q2, 8, PT_MISUSE, INV,
             PT_EXC_PARAM, "`strict_group_size` must be a bool");
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'group_by_field':3}", q2, 8, PT_MISUSE, INV, PT_EXC_PARAM,
             "group_by_field must be a string");
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'group_size':2}", q2, 8, PT_MISUSE, INV, PT_EXC_PARAM,
             "`group_size` is given without a group_by_field, where it would have no effect");
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'strict_group_size':true}", q2, 8, PT_MISUSE, INV, PT_EXC_PARAM,
             "`strict_group_size` is given without a group_by_field, where it would have no effect");
  /* without the dynamic field a name that is no field is no path either */
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'group_by_field':'nope[\\\"a\\\"]'}", q2, 8, PT_NOT_FOUND, 1700, MIL,
             "groupBy field not found in schema");
  /* INT8 groups; no grouping when group_by_field is "" */
  pt_search_result *res = NULL;
  pt_error e;
  const char *r8 = J("{'anns_field':'v','limit':3,'nq':1,'group_by_field':'i8','group_size':2}");
  CHECK_OK(pt_collection_search(c, r8, strlen(r8), q2, 8, &res, &e), &e);
  if (res) CHECK_EQ_INT(pt_search_counts(res)[0], 2); /* every row has i8 = 1: one group of two */
  pt_search_free(res);
  res = NULL;
  const char *r0 = J("{'anns_field':'v','limit':3,'nq':1,'group_by_field':''}");
  CHECK_OK(pt_collection_search(c, r0, strlen(r0), q2, 8, &res, &e), &e);
  if (res) CHECK_EQ_INT(pt_search_counts(res)[0], 3);
  pt_search_free(res);
  pt_store_close(st);
}

/* The ids of a grouping search's hits from (0, 0), as a list "1,2,3". */
static void grouped_ids(pt_collection *c, const char *group, int size, char *out, size_t cap) {
  char req[256];
  snprintf(req, sizeof req, "{\"anns_field\":\"v\",\"limit\":10,\"nq\":1,\"metric_type\":\"L2\",\"group_by_field\":\"%s\",\"group_size\":%d}",
           group, size);
  const float q[2] = {0, 0};
  pt_search_result *res = NULL;
  pt_error e;
  out[0] = 0;
  if (pt_collection_search(c, req, strlen(req), q, sizeof q, &res, &e) != PT_OK) {
    snprintf(out, cap, "error: %s", e.message);
    return;
  }
  size_t at = 0;
  for (uint32_t i = 0; i < pt_search_counts(res)[0] && at < cap; i++)
    at += (size_t)snprintf(out + at, cap - at, "%s%lld", i ? "," : "", (long long)hit_id(res, i));
  pt_search_free(res);
}

/* Grouping by a JSON value (Milvus 2.6: a JSON field, a path into one, a dynamic key): the value
 * at the path as text (a string's characters, any other value's JSON text: "1" and 1 are one
 * group, escapes compared as the characters they stand for), a missing key or a null field null. */
TEST(grouping_by_json) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "gj", J("{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                                 "{'name':'j','dtype':23,'nullable':true},{'name':'v','dtype':101,'dim':2}]}"));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("["
      "{'id':1,'j':{'k':'a'},'v':[1,0],'cat':'a'},"
      "{'id':2,'j':{'k':1},'v':[2,0],'cat':1},"
      "{'id':3,'j':{'k':'1'},'v':[3,0],'cat':'1'},"
      "{'id':4,'j':{'k':'a\\\"b'},'v':[4,0]},"
      "{'id':5,'j':{},'v':[5,0],'cat':'a\\nb'},"
      "{'id':6,'j':null,'v':[6,0],'cat':'a'},"
      "{'id':7,'j':{'k':{'x':[1,2]}},'v':[7,0]},"
      "{'id':8,'j':{'k':'{\\\"x\\\":[1,2]}'},'v':[8,0],'cat':'a\\u000ab'}]"));
  pt_mutation_result_clear(&r);
  char got[128];
  struct { const char *group; int size; const char *want; } cases[] = {
      {"j[\\\"k\\\"]", 2, "1,2,3,4,5,6,7,8"}, /* a, 1 = \"1\", a\"b, null (missing, null field), {\"x\":[1,2]} twice */
      {"j[\\\"k\\\"]", 1, "1,2,4,5,7"},
      {"cat", 2, "1,6,2,3,4,7,5,8"},        /* a, 1 = \"1\", null (no key), a\nb = a\u000ab */
      {"$meta[\\\"cat\\\"]", 1, "1,2,4,5"},
      {"$meta", 1, "1,2,3,4,5"},            /* whole $meta: {} for rows without dynamic keys */
      {"j", 1, "1,2,3,4,5,6,7,8"},          /* whole JSON values, all different */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    grouped_ids(c, cases[i].group, cases[i].size, got, sizeof got);
    if (strcmp(got, cases[i].want) != 0) {
      fprintf(stderr, "  FAIL %s:%d: group_by_field %s, group_size %d: got %s, expected %s\n", __FILE__, __LINE__,
              cases[i].group, cases[i].size, got, cases[i].want);
      pt_test_failures++;
    }
  }
  const float q2[2] = {0, 0};
  /* a field before brackets that is not JSON is grouped by itself, as Milvus does */
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'group_by_field':'v[\\\"a\\\"]'}", q2, 8, PT_SCHEMA, INV, MIL,
             "unsupported data type FloatVector for group by operator");
  SEARCH_ERR(c, "{'anns_field':'v','limit':3,'nq':1,'group_by_field':'j['}", q2, 8, PT_PARSE, INV, MIL,
             "group_by_field j[ is neither a field nor a JSON path: ");
  pt_store_close(st);
}

TEST_MAIN(T(allocation_failure_sweep), T(every_metric_on_real_data), T(every_metric_on_integer_data_with_ties), T(ties_in_storage_order),
          T(ties_at_every_limit), T(range_search_bounds), T(output_fields_of_hits), T(deleted_and_upserted_rows),
          T(half_queries_are_rounded), T(zero_vectors), T(nothing_to_find), T(errors), T(vectors_as_hosts_read_them),
          T(search_by_keys), T(grouping_search), T(grouping_by_json))
