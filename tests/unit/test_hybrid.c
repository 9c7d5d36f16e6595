/*
 * test_hybrid.c — hybrid search (src/hybrid.c): a dense search and a BM25 search of one
 * collection fused by RRF and by the weighted ranker, against fusions computed here from the
 * sub-searches run alone (Milvus's formulas: sum 1 / (k + rank); sum weight * normalised score,
 * with its normalisation per metric, or without it); limit, offset, output fields, partitions;
 * the rerank params' refusals with Milvus's messages.
 */
#include "harness.h"

#include <math.h>
#include <stdlib.h>

static const char *const SCHEMA =
    "{\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true},{\"name\":\"v\",\"dtype\":101,\"dim\":2},"
    "{\"name\":\"t\",\"dtype\":21,\"max_length\":256,\"enable_analyzer\":true},{\"name\":\"s\",\"dtype\":104}],"
    "\"functions\":[{\"name\":\"bm\",\"type\":1,\"input_field_names\":[\"t\"],\"output_field_names\":[\"s\"]}]}";

static const float QV[2] = {1, 0.5f};
static const char *const QT = "[\"apple pie\"]";

static pt_vectors_in dense_in(void) {
  pt_vectors_in in = {PT_IN_FLOAT32, 1, 2, QV, 0, NULL, NULL, 0, 0};
  return in;
}
static pt_vectors_in text_in(void) {
  pt_vectors_in in = {PT_IN_JSON, 0, 0, QT, strlen(QT), NULL, NULL, 0, 0};
  return in;
}

/* A sub-search alone: its ids and scores (at most 64). */
static size_t sub(pt_collection *c, const char *req, const pt_vectors_in *in, int64_t *ids, float *scores) {
  pt_search_result *r = NULL;
  pt_error e;
  CHECK_OK(pt_collection_search_vectors(c, req, strlen(req), in, &r, &e), &e);
  if (!r) return 0;
  size_t n = pt_search_counts(r)[0];
  for (size_t i = 0; i < n; i++) {
    ids[i] = test_i64(pt_search_rows(r), 0, i);
    scores[i] = pt_search_distances(r)[i];
  }
  pt_search_free(r);
  return n;
}

typedef struct fusedref {
  int64_t id;
  double score;
} fusedref;

static int cmp_fused(const void *a, const void *b) {
  const fusedref *x = a, *y = b;
  return x->score != y->score ? (x->score > y->score ? -1 : 1) : (x->id > y->id) - (x->id < y->id);
}

static const double PI = 3.14159265358979323846;

static double norm(const char *metric, double s) {
  if (strcmp(metric, "COSINE") == 0) return (1 + s) * 0.5;
  if (strcmp(metric, "IP") == 0) return 0.5 + atan(s) / PI;
  if (strcmp(metric, "BM25") == 0) return 2 * atan(s) / PI;
  return 1 - 2 * atan(s) / PI;
}

/* Runs the hybrid search and compares it with the fusion of the two sub-searches run alone. */
static void check(pt_collection *c, const char *rerank, bool rrf, double k, const double *w, bool normed, int limit, int offset) {
  const char *r1 = "{\"anns_field\":\"v\",\"metric_type\":\"L2\",\"limit\":6,\"output_fields\":[\"id\"]}";
  const char *r2 = "{\"anns_field\":\"s\",\"metric_type\":\"BM25\",\"limit\":5,\"output_fields\":[\"id\"]}";
  int64_t ids[2][64];
  float sc[2][64];
  pt_vectors_in ins[2] = {dense_in(), text_in()};
  size_t n[2] = {sub(c, r1, &ins[0], ids[0], sc[0]), sub(c, r2, &ins[1], ids[1], sc[1])};
  const char *metric[2] = {"L2", "BM25"};
  fusedref f[128];
  size_t nf = 0;
  for (int s = 0; s < 2; s++)
    for (size_t j = 0; j < n[s]; j++) {
      double part = rrf ? 1.0 / (k + (double)(j + 1)) : normed ? w[s] * norm(metric[s], sc[s][j])
                                                         : w[s] * (s == 0 ? norm("L2", sc[s][j]) : sc[s][j]);
      size_t at = 0;
      while (at < nf && f[at].id != ids[s][j]) at++;
      if (at == nf) f[nf++] = (fusedref){ids[s][j], 0};
      f[at].score += part;
    }
  qsort(f, nf, sizeof *f, cmp_fused);
  char req[1024];
  snprintf(req, sizeof req,
           "{\"reqs\":[{\"anns_field\":\"v\",\"metric_type\":\"L2\",\"limit\":6},{\"anns_field\":\"s\",\"limit\":5}],"
           "\"rerank\":%s,\"limit\":%d,\"offset\":%d,\"output_fields\":[\"t\"]}",
           rerank, limit, offset);
  pt_search_result *res = NULL;
  pt_error e;
  CHECK_OK(pt_collection_hybrid_search(c, req, strlen(req), ins, 2, &res, &e), &e);
  if (!res) return;
  size_t want = nf > (size_t)offset ? nf - (size_t)offset : 0;
  if (want > (size_t)limit) want = (size_t)limit;
  CHECK_EQ_INT(pt_search_counts(res)[0], want);
  const pt_rows *rows = pt_search_rows(res);
  CHECK(test_col(rows, "t") >= 0);
  for (size_t i = 0; i < pt_search_counts(res)[0] && i < want; i++) {
    int64_t id = test_i64(rows, 0, i);
    const fusedref *x = &f[(size_t)offset + i];
    /* equal scores may come in either order: the score at each rank is what must agree */
    if (!(fabs(x->score - pt_search_distances(res)[i]) <= 1e-5)) {
      printf("  %s rank %zu: id %lld score %.9g, reference id %lld %.9g\n", rerank, i, (long long)id,
             pt_search_distances(res)[i], (long long)x->id, x->score);
      CHECK(0);
    }
  }
  pt_search_free(res);
}

static pt_collection *films(pt_store *st) {
  pt_collection *c = test_collection(st, "h", SCHEMA);
  const char *rows =
      "[{\"id\":1,\"v\":[1,0],\"t\":\"apple\"},{\"id\":2,\"v\":[0,1],\"t\":\"apple pie\"},"
      "{\"id\":3,\"v\":[2,2],\"t\":\"cherry pie\"},{\"id\":4,\"v\":[1,0.4],\"t\":\"nothing\"},"
      "{\"id\":5,\"v\":[5,5],\"t\":\"pie pie pie\"},{\"id\":6,\"v\":[0.9,0.5],\"t\":\"banana\"},"
      "{\"id\":7,\"v\":[-1,-1],\"t\":\"apple apple\"},{\"id\":8,\"v\":[3,0],\"t\":\"grape\"}]";
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, rows);
  pt_mutation_result_clear(&r);
  return c;
}

TEST(fusion_follows_the_definition) {
  pt_store *st = test_store();
  pt_collection *c = films(st);
  double w[2] = {0.7, 0.3};
  check(c, "{\"strategy\":\"rrf\",\"params\":{\"k\":60}}", true, 60, NULL, true, 10, 0);
  check(c, "{\"strategy\":\"rrf\",\"params\":{\"k\":1}}", true, 1, NULL, true, 3, 2);
  /* Milvus 2.6: RRF without k takes k 60; no strategy is RRF */
  check(c, "{\"strategy\":\"rrf\",\"params\":{}}", true, 60, NULL, true, 10, 0);
  check(c, "{\"strategy\":\"rrf\"}", true, 60, NULL, true, 10, 0);
  check(c, "{}", true, 60, NULL, true, 10, 0);
  /* a null rerank (None), strategy or params is an absent one */
  check(c, "null", true, 60, NULL, true, 10, 0);
  check(c, "{\"strategy\":\"rrf\",\"params\":null}", true, 60, NULL, true, 10, 0);
  check(c, "{\"strategy\":null,\"params\":{\"k\":5}}", true, 5, NULL, true, 10, 0);
  check(c, "{\"strategy\":\"weighted\",\"params\":{\"weights\":[0.7,0.3]}}", false, 0, w, true, 10, 0);
  check(c, "{\"strategy\":\"weighted\",\"params\":{\"weights\":[0.7,0.3],\"norm_score\":false}}", false, 0, w, false, 4, 1);
  pt_store_close(st);
}

TEST(refusals) {
  pt_store *st = test_store();
  pt_collection *c = films(st);
  pt_vectors_in ins[2] = {dense_in(), text_in()};
  struct { const char *rerank; int32_t code; const char *msg; } cases[] = {
    {"{\"strategy\":\"rrf\",\"params\":{\"k\":0}}", PT_CODE_UNEXPECTED, "The rank params k should be in range (0, 16384)"},
    {"{\"strategy\":\"rrf\",\"params\":{\"k\":16384}}", PT_CODE_UNEXPECTED, "The rank params k should be in range (0, 16384)"},
    {"{\"strategy\":\"rrf\",\"params\":{\"k\":\"a\"}}", PT_CODE_UNEXPECTED, "The type of rank param k should be float"},
    {"{\"strategy\":7,\"params\":{}}", PT_CODE_PARAMETER_INVALID, "rerank must be {strategy, params}"},
    {"[]", PT_CODE_PARAMETER_INVALID, "rerank must be {strategy, params}"},
    {"{\"strategy\":\"weighted\",\"params\":{\"weights\":[0.5]}}", PT_CODE_PARAMETER_INVALID,
     "the length of weights param mismatch with ann search requests: invalid parameter[expected=2][actual=1]"},
    {"{\"strategy\":\"weighted\",\"params\":{\"weights\":[0.5,1.5]}}", PT_CODE_UNEXPECTED, "rank param weight should be in range [0, 1]"},
    {"{\"strategy\":\"weighted\",\"params\":{}}", PT_CODE_UNEXPECTED, "weights not found in rank_params"},
    {"{\"strategy\":\"nope\",\"params\":{}}", PT_CODE_UNEXPECTED, "unsupported rank type nope"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char req[512];
    snprintf(req, sizeof req, "{\"reqs\":[{\"anns_field\":\"v\",\"metric_type\":\"L2\",\"limit\":3},{\"anns_field\":\"s\",\"limit\":3}],\"rerank\":%s}",
             cases[i].rerank);
    pt_search_result *res = NULL;
    pt_error e;
    pt_status rc = pt_collection_hybrid_search(c, req, strlen(req), ins, 2, &res, &e);
    if (rc == PT_OK || e.code != cases[i].code || !strstr(e.message, cases[i].msg)) {
      printf("  case %zu: got %d code %d \"%s\"\n", i, (int)rc, (int)e.code, rc ? e.message : "");
      CHECK(0);
    }
    pt_search_free(res);
  }
  /* a sub-request's own error comes through (its metric), and a mismatch of requests and vectors */
  const char *bad = "{\"reqs\":[{\"anns_field\":\"v\",\"metric_type\":\"L2\"},{\"anns_field\":\"s\",\"metric_type\":\"IP\"}],\"rerank\":{\"strategy\":\"rrf\",\"params\":{\"k\":60}}}";
  pt_search_result *res = NULL;
  pt_error e;
  EXPECT_ERR(pt_collection_hybrid_search(c, bad, strlen(bad), ins, 2, &res, &e), &e, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "metric type not match: invalid parameter[expected=BM25][actual=IP]");
  EXPECT_ERR(pt_collection_hybrid_search(c, bad, strlen(bad), ins, 1, &res, &e), &e, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "the number of ann search requests (2)");
  /* an ordering by scalar values inside a sub-request would change the ranks the fusion reads */
  const char *ordered = "{\"reqs\":[{\"anns_field\":\"v\",\"metric_type\":\"L2\",\"params\":{\"order_by_fields\":\"id:desc\"}},"
                        "{\"anns_field\":\"s\"}],\"rerank\":{}}";
  EXPECT_ERR(pt_collection_hybrid_search(c, ordered, strlen(ordered), ins, 2, &res, &e), &e, PT_MISUSE, PT_CODE_PARAMETER_INVALID,
             PT_EXC_PARAM, "order_by_fields is not supported in a hybrid search's sub-request (request 0)");
  pt_store_close(st);
}

TEST_MAIN(T(fusion_follows_the_definition), T(refusals))
