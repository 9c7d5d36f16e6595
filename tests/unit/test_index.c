/*
 * test_index.c — the vector indexes (src/index.h): HNSW, HNSW_SQ, IVF_FLAT, IVF_SQ8, BIN_IVF_FLAT,
 * IVF_RABITQ.
 *
 * Covers, on clustered data (a Gaussian mixture made here with a fixed seed; uniform random
 * vectors defeat every index and say nothing):
 *   - parameters: Milvus's defaults, ranges and messages for M, efConstruction, nlist, ef, nprobe;
 *     refine_k; an index is refused a bad parameter set.
 *   - recall@10 floors for each index type and metric (L2, IP, COSINE; HAMMING and JACCARD for
 *     BIN_IVF_FLAT, on the signs of the same mixture; HNSW on float16 and bfloat16 rows too)
 *     against the exact search,
 *     and results equal to the exact search (rows and bitwise distances) when ef / nprobe cover
 *     everything; sparse row ids (the index keeps row ids, not positions).
 *   - HNSW's build codes (fixed point, one scale for the graph): a later batch with larger values
 *     makes the codes again (recall holds), and the same graph grows after a save and load.
 *   - filtered search: filters passing 50 %, 10 % and 1 % of the rows, with pass_hint (the walk
 *     or, where it would not pay, the exact fallback) and without (the walk): every hit passes,
 *     recall against the exact filtered search.
 *   - change: 1,000 mixed operations (new rows, rows overwritten in place and re-added, rows
 *     removed from the index, rows deleted through the filter only) after a build: no removed or
 *     deleted row is ever returned, every live row is still found, recall holds; then the
 *     partition's compaction (pt_index_compact: live rows renumbered, the rest dropped): the
 *     same rows under their new ids, no removed node left, recall holds, adds go on, and a
 *     remap that gives two rows one id is refused.
 *   - bytes: save / load round trips to the same bytes and the same search results; truncation,
 *     every flipped byte of a small index, a newer version and a forged structure (CRC made
 *     right) are refused with PT_CORRUPT, allocating nothing that stays.
 *   - allocation failure, swept (each allocation in turn fails): the first add (training), a
 *     later add, a search, a save, a load and a compaction return PT_NOMEM and leave the index byte for byte
 *     as it was, leak nothing, and a retry gives what a run without failure gives.
 */
#include "harness.h"

#include <math.h>
#include <stdlib.h>

#include "index.h"

#include "crc32.h"
#include "half.h"
#include "pkindex.h"

/* ============================================================================================
 * Data: a Gaussian mixture, rows addressed as (row - base) / step
 * ========================================================================================== */

typedef struct data {
  float *v;
  size_t n, dim;
  uint32_t base, step; /* row id of position i: base + i * step */
  pt_index_elem elem;  /* F16 / BF16: the rows are halves (halve) */
} data;


static uint64_t test_rng = 1;
static double unif(void) { return (double)(pt_index_rand(&test_rng) >> 11) * (1.0 / 9007199254740992.0); }
static double gauss(void) {
  double u = unif(), v = unif();
  if (u < 1e-300) u = 1e-300;
  return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

static float *centres_of(size_t k, size_t dim, uint64_t seed) {
  test_rng = seed;
  float *c = malloc(k * dim * sizeof *c);
  for (size_t i = 0; i < k * dim; i++) c[i] = (float)(unif() * 2 - 1);
  return c;
}

/* n points around the centres (normal, SIGMA per dimension), shifted off the origin so that IP
 * is not COSINE */
#define CENTRES 64
#define SIGMA 0.6
static void mixture(float *out, size_t n, size_t dim, const float *centres, size_t k, uint64_t seed) {
  test_rng = seed;
  for (size_t i = 0; i < n; i++) {
    const float *c = centres + (pt_index_rand(&test_rng) % k) * dim;
    for (size_t d = 0; d < dim; d++) out[i * dim + d] = c[d] + (float)(SIGMA * gauss()) + 0.25f;
  }
}

static data make_data(size_t n, size_t dim, uint64_t seed) {
  data D = {malloc(n * dim * sizeof(float)), n, dim, 0, 1};
  float *c = centres_of(CENTRES, dim, 1000 + seed);
  mixture(D.v, n, dim, c, CENTRES, seed);
  free(c);
  return D;
}

static float *make_queries(size_t nq, size_t dim, uint64_t seed) {
  float *q = malloc(nq * dim * sizeof *q), *c = centres_of(CENTRES, dim, 1000 + seed);
  mixture(q, nq, dim, c, CENTRES, seed + 77);
  free(c);
  return q;
}

/* Binary rows (BIN_IVF_FLAT): each row's signs, bit d set when coordinate d is above the mixture's
 * shift (clustered as the floats are), packed into dim / 8 bytes at the start of the row's own
 * float slot, which data_get hands over as it is (the rest of the slot zero). A binary query is
 * prepared by pt_index_prepare_query as any other (a copy). */
static void binarise(float *v, size_t n, size_t dim) {
  uint8_t code[64];
  for (size_t i = 0; i < n; i++) {
    memset(code, 0, sizeof code);
    for (size_t d = 0; d < dim; d++)
      if (v[i * dim + d] > 0.25f) code[d >> 3] |= (uint8_t)(1u << (d & 7));
    memset(v + i * dim, 0, dim * sizeof *v);
    memcpy(v + i * dim, code, dim / 8);
  }
}

/* Half rows (HNSW on FLOAT16 / BFLOAT16 fields): each row rounded to the type, its 2 dim bytes at
 * the start of its float slot, which data_get hands over as it is (queries stay float32). */
static void halve(data *D, pt_index_elem e) {
  uint16_t h[64];
  D->elem = e;
  for (size_t i = 0; i < D->n; i++) {
    float *x = D->v + i * D->dim;
    for (size_t d = 0; d < D->dim; d++) h[d] = e == PT_INDEX_BF16 ? pt_f32_to_bf16(x[d]) : pt_f32_to_f16(x[d]);
    memset(x, 0, D->dim * sizeof *x);
    memcpy(x, h, D->dim * sizeof *h);
  }
}

/* Row i of D prepared as a query of metric m into pq (a half row decoded first). */
static void row_query(const data *D, size_t i, pt_index_metric m, float *pq) {
  float tmp[64];
  pt_index_prepare_query(m, pt_index_row_floats(D->elem, D->v + i * D->dim, tmp, D->dim), pq, D->dim);
}

static bool binary_metric(pt_index_metric m) { return m == PT_INDEX_HAMMING || m == PT_INDEX_JACCARD; }
static bool smaller_better(pt_index_metric m) { return m != PT_INDEX_IP && m != PT_INDEX_COSINE; }

static const void *data_get(const void *ctx, uint32_t row) {
  const data *D = ctx;
  size_t i = (row - D->base) / D->step;
  if ((row - D->base) % D->step || i >= D->n) {
    fprintf(stderr, "  FAIL the index asked for row %u, which it was never given\n", row);
    pt_test_failures++;
    abort();
  }
  return D->v + i * D->dim;
}

static uint32_t row_of(const data *D, size_t i) { return D->base + (uint32_t)(i * D->step); }

static uint32_t *row_ids(const data *D, size_t from, size_t to) {
  uint32_t *ids = malloc((to - from + 1) * sizeof *ids);
  for (size_t i = from; i < to; i++) ids[i - from] = row_of(D, i);
  return ids;
}

/* ============================================================================================
 * Helpers: building, the exact search, recall
 * ========================================================================================== */

/* IVF_RABITQ's build and search settings where the helpers below make one (refine and its
 * type; rbq_bits_query), and the refine_k every search asks for */
static bool rbq_refine = true;
static pt_index_refine rbq_rtype = PT_REFINE_SQ8;
static uint32_t test_qbits = 0;
static float test_refine_k = 4;
static void set_refine(pt_index_params *p) {
  p->refine = p->type == PT_INDEX_HNSW_SQ || (p->type == PT_INDEX_IVF_RABITQ && rbq_refine);
  p->refine_type = p->type == PT_INDEX_IVF_RABITQ && rbq_refine ? rbq_rtype : PT_REFINE_FP32;
}

static pt_index *build(pt_index_type type, pt_index_metric m, const data *D, uint32_t M, uint32_t efc, uint32_t nlist) {
  pt_index_params p;
  pt_index_params_default(&p, type, m, (uint32_t)D->dim);
  p.M = M;
  p.ef_construction = efc;
  p.nlist = nlist;
  p.seed = 42;
  p.elem = D->elem;
  set_refine(&p);
  pt_index *ix = NULL;
  CHECK_OK(pt_index_new(&p, &ix), (pt_error *)NULL);
  if (!ix) return NULL;
  pt_index_rows rows = {data_get, D};
  uint32_t *ids = row_ids(D, 0, D->n);
  CHECK_OK(pt_index_add(ix, &rows, ids, D->n), (pt_error *)NULL);
  free(ids);
  return ix;
}

typedef struct hits {
  uint32_t ids[64];
  float d[64];
  size_t n;
} hits;

/* The exact top-k of the rows that pass `f` (and `alive`, when given), by the index's distance. */
static hits exact(const data *D, pt_index_metric m, const float *pq, size_t k, const pt_index_filter *f,
                  const uint8_t *alive) {
  pt_scored heap[64];
  size_t n = 0;
  for (size_t i = 0; i < D->n; i++) {
    uint32_t row = row_of(D, i);
    if ((f && f->accept && !f->accept(f->ctx, row)) || (alive && !alive[i])) continue;
    const float *x = D->v + i * D->dim;
    float d = binary_metric(m) ? pt_index_bin_dist(m, (const uint8_t *)pq, (const uint8_t *)x, D->dim / 8)
              : D->elem   ? pt_index_dist_row(D->elem, m, pq, x, D->dim, INFINITY)
                          : pt_index_dist(m, pq, x, D->dim);
    pt_topk_offer(heap, &n, k, (pt_scored){d, row});
  }
  pt_maxheap_sort(heap, n);
  hits h = {{0}, {0}, n};
  for (size_t i = 0; i < n; i++) {
    h.ids[i] = heap[i].id;
    h.d[i] = smaller_better(m) ? heap[i].d : -heap[i].d;
  }
  return h;
}

static hits search(pt_index *ix, const data *D, const float *pq, uint32_t k, uint32_t ef, uint32_t nprobe,
                   const pt_index_filter *f, float pass_hint) {
  pt_index_search_params sp = {k, ef, nprobe, test_refine_k, pass_hint, test_qbits}, use;
  pt_error err;
  hits h = {{0}, {0}, 0};
  CHECK_OK(pt_index_search_complete(pt_index_get_params(ix), &sp, &use, &err), &err);
  pt_index_rows rows = {data_get, D};
  CHECK_OK(pt_index_search(ix, &rows, pq, &use, f, h.ids, h.d, &h.n), (pt_error *)NULL);
  return h;
}

static size_t overlap(const hits *a, const hits *b) {
  size_t o = 0;
  for (size_t i = 0; i < a->n; i++)
    for (size_t j = 0; j < b->n; j++)
      if (a->ids[i] == b->ids[j]) {
        o++;
        break;
      }
  return o;
}

/* recall@k of the index over nq queries (filtered by f when given) */
static double recall(pt_index *ix, const data *D, const float *queries, size_t nq, uint32_t k, uint32_t ef,
                     uint32_t nprobe, const pt_index_filter *f, float pass_hint) {
  pt_index_metric m = pt_index_get_params(ix)->metric;
  size_t found = 0, want = 0;
  float *pq = malloc(D->dim * sizeof *pq);
  for (size_t qi = 0; qi < nq; qi++) {
    pt_index_prepare_query(m, queries + qi * D->dim, pq, D->dim);
    hits e = exact(D, m, pq, k, f, NULL), got = search(ix, D, pq, k, ef, nprobe, f, pass_hint);
    for (size_t i = 0; i < got.n; i++)
      if (f && !f->accept(f->ctx, got.ids[i])) {
        fprintf(stderr, "  FAIL row %u returned, the filter rejects it\n", got.ids[i]);
        pt_test_failures++;
      }
    for (size_t i = 1; i < got.n; i++)
      if (smaller_better(m) ? got.d[i] < got.d[i - 1] : got.d[i] > got.d[i - 1]) {
        fprintf(stderr, "  FAIL hits not best first\n");
        pt_test_failures++;
      }
    found += overlap(&e, &got);
    want += e.n;
  }
  free(pq);
  return want ? (double)found / (double)want : 1.0;
}

#define CHECK_RECALL(r, floor_)                                                                             \
  do {                                                                                                      \
    double r_ = (r);                                                                                        \
    if (!(r_ >= (floor_))) {                                                                                \
      fprintf(stderr, "  FAIL %s:%d: recall %.4f below %.2f (%s)\n", __FILE__, __LINE__, r_, (double)(floor_), #r); \
      pt_test_failures++;                                                                                   \
    } else if (getenv("PT_TEST_TIMES")) {                                                                   \
      printf("    recall %.4f (floor %.2f) %s\n", r_, (double)(floor_), #r);                                \
    }                                                                                                       \
  } while (0)

static const pt_index_metric METRICS[] = {PT_INDEX_L2, PT_INDEX_IP, PT_INDEX_COSINE};
static const char *const METRIC_NAMES[] = {"L2", "IP", "COSINE"};

/* ============================================================================================ */

TEST(parameters) {
  pt_index_params p;
  pt_error err;
  pt_index_params_default(&p, PT_INDEX_HNSW, PT_INDEX_L2, 8);
  CHECK_EQ_INT(p.M, 30);
  CHECK_EQ_INT(p.ef_construction, 360);
  CHECK_EQ_INT(p.nlist, 128);
  CHECK_OK(pt_index_params_check(&p, &err), &err);
  p.M = 1;
  CHECK_ERR(pt_index_params_check(&p, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "Out of range in json: param 'M' (1) should be in range [2, 2048]");
  p.M = 2049;
  CHECK_ERR(pt_index_params_check(&p, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "param 'M' (2049) should be in range [2, 2048]");
  p.M = 2048;
  p.ef_construction = 0;
  CHECK_ERR(pt_index_params_check(&p, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "param 'efConstruction' (0) should be in range [1, 2147483647]");
  pt_index *ix = NULL;
  CHECK_EQ_INT(pt_index_new(&p, &ix), PT_MISUSE);
  CHECK(ix == NULL);
  pt_index_params_default(&p, PT_INDEX_IVF_SQ8, PT_INDEX_IP, 8);
  p.nlist = 0;
  CHECK_ERR(pt_index_params_check(&p, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "param 'nlist' (0) should be in range [1, 65536]");
  p.nlist = 65537;
  CHECK_ERR(pt_index_params_check(&p, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "param 'nlist' (65537) should be in range [1, 65536]");
  p.nlist = 65536;
  CHECK_OK(pt_index_params_check(&p, &err), &err);
  p.refine = true;
  CHECK_EQ_INT(pt_index_params_check(&p, &err), PT_MISUSE);
  p.refine = false;
  p.dim = 0;
  CHECK_EQ_INT(pt_index_params_check(&p, &err), PT_RANGE);

  /* search parameters: defaults and Milvus's messages */
  pt_index_params_default(&p, PT_INDEX_HNSW, PT_INDEX_L2, 8);
  CHECK_OK(pt_index_new(&p, &ix), &err);
  pt_index_search_params sp = {10, 0, 0, 0, 0}, use;
  CHECK_OK(pt_index_search_complete(pt_index_get_params(ix), &sp, &use, &err), &err);
  CHECK_EQ_INT(use.ef, 10);
  CHECK(use.refine_k == 1);
  CHECK_ERR(pt_index_search_int("ef", 5, 10, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "ef(5) should be larger than k(10)");
  /* Milvus's bounds: [1, 2^31 - 1], no cap at 65536 (an ef past the rows searches exactly) */
  CHECK_OK(pt_index_search_int("ef", 65537, 10, &err), &err);
  CHECK_ERR(pt_index_search_int("ef", 2147483648LL, 10, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID,
            PT_EXC_MILVUS, "Out of range in json: param 'ef' (2147483648) should be in range [1, 2147483647]");
  CHECK_ERR(pt_index_search_int("ef", -1, 10, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "Out of range in json: param 'ef' (-1) should be in range [1, 2147483647]");
  CHECK_ERR(pt_index_search_refine_k(0.5, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "Out of range in json: param 'refine_k' (0.5) should be in range [1, float_max)");
  sp.ef = 65536;
  CHECK_OK(pt_index_search_complete(pt_index_get_params(ix), &sp, &use, &err), &err);
  CHECK_EQ_INT(use.ef, 65536);
  sp.k = 0;
  CHECK_EQ_INT(pt_index_search_complete(pt_index_get_params(ix), &sp, &use, &err), PT_RANGE);
  pt_index_free(ix);
  pt_index_params_default(&p, PT_INDEX_IVF_FLAT, PT_INDEX_L2, 8);
  CHECK_OK(pt_index_new(&p, &ix), &err);
  pt_index_search_params sq = {10, 0, 0, 0, 0};
  CHECK_OK(pt_index_search_complete(pt_index_get_params(ix), &sq, &use, &err), &err);
  CHECK_EQ_INT(use.nprobe, 8);
  CHECK_ERR(pt_index_search_int("nprobe", 65537, 10, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "param 'nprobe' (65537) should be in range [1, 65536]");
  /* an empty index answers nothing; removing what is not there is PT_NOT_FOUND */
  float q[8] = {0};
  sq.nprobe = 8;
  CHECK_OK(pt_index_search_complete(pt_index_get_params(ix), &sq, &use, &err), &err);
  uint32_t ids[10];
  float d[10];
  size_t n = 99;
  pt_index_rows none = {NULL, NULL};
  CHECK_OK(pt_index_search(ix, &none, q, &use, NULL, ids, d, &n), (pt_error *)NULL);
  CHECK_EQ_INT(n, 0);
  CHECK_EQ_INT(pt_index_remove(ix, 3), PT_NOT_FOUND);
  /* IVF cannot train on fewer rows than lists */
  data D = make_data(100, 8, 5);
  pt_index_rows rows = {data_get, &D};
  uint32_t *all = row_ids(&D, 0, D.n);
  CHECK_EQ_INT(pt_index_add(ix, &rows, all, 100), PT_RANGE);
  CHECK_EQ_INT(pt_index_count(ix), 0);
  free(all);
  free(D.v);
  pt_index_free(ix);
  pt_index_free(NULL);
}

/* HNSW (with ef = k and ef = 64) and HNSW_SQ with refine (ef = 64), each metric */
static void hnsw_recall_of(pt_index_type type, uint64_t seed) {
  data D = make_data(2000, 24, seed);
  float *queries = make_queries(40, 24, seed);
  for (int mi = 0; mi < 3; mi++) {
    pt_index *ix = build(type, METRICS[mi], &D, 12, 64, 0);
    CHECK_EQ_INT(pt_index_count(ix), 2000);
    if (getenv("PT_TEST_TIMES")) printf("    %s\n", METRIC_NAMES[mi]);
    if (type == PT_INDEX_HNSW) CHECK_RECALL(recall(ix, &D, queries, 40, 10, 10, 0, NULL, 0), 0.82);
    CHECK_RECALL(recall(ix, &D, queries, 40, 10, 64, 0, NULL, 0), type == PT_INDEX_HNSW ? 0.97 : 0.95);
    pt_index_free(ix);
  }
  free(queries);
  free(D.v);
}

TEST(hnsw_recall) { hnsw_recall_of(PT_INDEX_HNSW, 1); }

/* HNSW's build scores fixed-point codes with one scale for the graph (hnsw.c): rows added later
 * with larger values make every node's codes again at a coarser scale. A second batch holding a
 * value 16 times the first batch's largest keeps the recall of the whole, and an add that changes
 * the scale again gives the same graph whether or not the index was saved and loaded before it. */
TEST(hnsw_rescale) {
  data D = make_data(2000, 24, 3);
  float *queries = make_queries(40, 24, 3), pq[24], top = 0;
  for (size_t i = 0; i < 1000 * D.dim; i++) top = fabsf(D.v[i]) > top ? fabsf(D.v[i]) : top;
  D.v[1000 * D.dim + 5] = 16 * top;
  pt_index_rows rows = {data_get, &D};
  for (int mi = 0; mi < 2; mi++) {
    pt_index_params p;
    pt_index_params_default(&p, PT_INDEX_HNSW, METRICS[mi], (uint32_t)D.dim);
    p.M = 12;
    p.ef_construction = 64;
    p.seed = 42;
    pt_index *ix = NULL, *back = NULL;
    CHECK_OK(pt_index_new(&p, &ix), (pt_error *)NULL);
    if (!ix) break;
    uint32_t *ids = row_ids(&D, 0, D.n);
    CHECK_OK(pt_index_add(ix, &rows, ids, 1000), (pt_error *)NULL);
    CHECK_OK(pt_index_add(ix, &rows, ids + 1000, 1000), (pt_error *)NULL);
    free(ids);
    CHECK_RECALL(recall(ix, &D, queries, 40, 10, 64, 0, NULL, 0), 0.97);
    /* a row 64 times the first batch's: the scale changes again, after a save and load as without */
    uint8_t *bytes = NULL, *b1 = NULL, *b2 = NULL;
    size_t len = 0, l1 = 0, l2 = 0;
    pt_error err;
    CHECK_OK(pt_index_save(ix, &bytes, &len), (pt_error *)NULL);
    CHECK_OK(pt_index_load(bytes, len, false, &back, &err), &err);
    float keep[24];
    memcpy(keep, D.v + 1500 * D.dim, sizeof keep);
    for (size_t d = 0; d < D.dim; d++) D.v[1500 * D.dim + d] *= 64;
    uint32_t big = row_of(&D, 1500), next = row_of(&D, 1600);
    CHECK_OK(pt_index_add(ix, &rows, &big, 1), (pt_error *)NULL);
    CHECK_OK(pt_index_add(back, &rows, &big, 1), (pt_error *)NULL);
    CHECK_OK(pt_index_add(ix, &rows, &next, 1), (pt_error *)NULL);
    CHECK_OK(pt_index_add(back, &rows, &next, 1), (pt_error *)NULL);
    CHECK_OK(pt_index_save(ix, &b1, &l1), (pt_error *)NULL);
    CHECK_OK(pt_index_save(back, &b2, &l2), (pt_error *)NULL);
    CHECK(l1 == l2 && memcmp(b1, b2, l1) == 0);
    pt_index_prepare_query(METRICS[mi], D.v + 1500 * D.dim, pq, D.dim);
    hits h = search(ix, &D, pq, 1, 64, 0, NULL, 0);
    CHECK(h.n == 1 && h.ids[0] == big);
    memcpy(D.v + 1500 * D.dim, keep, sizeof keep);
    pt_free(bytes);
    pt_free(b1);
    pt_free(b2);
    pt_index_free(ix);
    pt_index_free(back);
  }
  free(queries);
  free(D.v);
}

TEST(hnsw_sq_recall) { hnsw_recall_of(PT_INDEX_HNSW_SQ, 2); }

TEST(ivf_recall) {
  data D = make_data(2500, 32, 3);
  float *queries = make_queries(40, 32, 3);
  for (int t = 0; t < 2; t++)
    for (int mi = 0; mi < 3; mi++) {
      pt_index_type type = t ? PT_INDEX_IVF_SQ8 : PT_INDEX_IVF_FLAT;
      pt_index *ix = build(type, METRICS[mi], &D, 0, 0, 32);
      CHECK_EQ_INT(pt_index_count(ix), 2500);
      if (getenv("PT_TEST_TIMES")) printf("    %s %s\n", t ? "IVF_SQ8" : "IVF_FLAT", METRIC_NAMES[mi]);
      CHECK_RECALL(recall(ix, &D, queries, 40, 10, 0, 2, NULL, 0), 0.70);
      CHECK_RECALL(recall(ix, &D, queries, 40, 10, 0, 8, NULL, 0), 0.90);
      CHECK_RECALL(recall(ix, &D, queries, 40, 10, 0, 32, NULL, 0), t ? 0.97 : 1.0);
      pt_index_free(ix);
    }
  free(queries);
  free(D.v);
}

/* The index's top 20 for a prepared query, searched with ef / nprobe, is the exact search's, rows
 * and distances to the bit. */
static void check_exact(pt_index *ix, const data *D, const float *pq, uint32_t ef, uint32_t nprobe) {
  hits e = exact(D, pt_index_get_params(ix)->metric, pq, 20, NULL, NULL);
  hits got = search(ix, D, pq, 20, ef, nprobe, NULL, 0);
  CHECK_EQ_INT(got.n, 20);
  CHECK(memcmp(e.ids, got.ids, sizeof e.ids) == 0);
  CHECK(memcmp(e.d, got.d, sizeof e.d) == 0);
}

/* ef >= the rows (HNSW) or nprobe >= nlist (IVF_FLAT): the exact search, to the bit */
TEST(exact_when_covering) {
  data D = make_data(1500, 24, 4);
  D.base = 1000;
  D.step = 7; /* sparse row ids */
  float *queries = make_queries(10, 24, 4), pq[24];
  for (int t = 0; t < 2; t++)
    for (int mi = 0; mi < 3; mi++) {
      pt_index *ix = t ? build(PT_INDEX_IVF_FLAT, METRICS[mi], &D, 0, 0, 16) : build(PT_INDEX_HNSW, METRICS[mi], &D, 8, 40, 0);
      for (size_t qi = 0; qi < 10; qi++) {
        pt_index_prepare_query(METRICS[mi], queries + qi * 24, pq, 24);
        check_exact(ix, &D, pq, t ? 0 : 1500, t ? 16 : 0);
      }
      pt_index_free(ix);
    }
  free(queries);
  free(D.v);
}

/* a filter passing every row, counting the rows it is asked about */
typedef struct counter {
  size_t *n;
} counter;
static bool count_accept(const void *ctx, uint32_t row) {
  (void)row;
  ++*((const counter *)ctx)->n;
  return true;
}

/* BIN_IVF_FLAT: its parameters, recall floors per metric, and the exact search when nprobe
 * covers every list (sparse row ids; ties in row order, as the exact search breaks them) */
TEST(bin_ivf) {
  pt_index_params p;
  pt_error err;
  pt_index_params_default(&p, PT_INDEX_BIN_IVF_FLAT, PT_INDEX_HAMMING, 64);
  CHECK_EQ_INT(p.nlist, 128);
  CHECK_OK(pt_index_params_check(&p, &err), &err);
  p.nlist = 0;
  CHECK_ERR(pt_index_params_check(&p, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "param 'nlist' (0) should be in range [1, 65536]");
  p.nlist = 8;
  p.dim = 60; /* not whole bytes */
  CHECK_EQ_INT(pt_index_params_check(&p, &err), PT_MISUSE);
  p.dim = 64;
  p.metric = PT_INDEX_L2; /* a float metric on binary rows, and binary metrics on float indexes */
  CHECK_EQ_INT(pt_index_params_check(&p, &err), PT_MISUSE);
  pt_index_params_default(&p, PT_INDEX_IVF_FLAT, PT_INDEX_JACCARD, 64);
  CHECK_EQ_INT(pt_index_params_check(&p, &err), PT_MISUSE);
  pt_index_params_default(&p, PT_INDEX_HNSW, PT_INDEX_HAMMING, 64);
  CHECK_EQ_INT(pt_index_params_check(&p, &err), PT_MISUSE);

  static const pt_index_metric BIN[2] = {PT_INDEX_HAMMING, PT_INDEX_JACCARD};
  data D = make_data(3000, 128, 21);
  float *queries = make_queries(40, 128, 21);
  binarise(D.v, D.n, D.dim);
  binarise(queries, 40, D.dim);
  for (int mi = 0; mi < 2; mi++) {
    pt_index *ix = build(PT_INDEX_BIN_IVF_FLAT, BIN[mi], &D, 0, 0, 32);
    CHECK_EQ_INT(pt_index_count(ix), 3000);
    if (getenv("PT_TEST_TIMES")) printf("    BIN_IVF_FLAT %s\n", mi ? "JACCARD" : "HAMMING");
    CHECK_RECALL(recall(ix, &D, queries, 40, 10, 0, 2, NULL, 0), 0.90);
    CHECK_RECALL(recall(ix, &D, queries, 40, 10, 0, 8, NULL, 0), 0.95);
    CHECK_RECALL(recall(ix, &D, queries, 40, 10, 0, 32, NULL, 0), 1.0);
    /* the lists split the rows: 2 probes of 32 lists look at a small share of them (a training
     * that put every row in one list would still find the exact top 10) */
    size_t asked = 0;
    counter cnt = {&asked};
    pt_index_filter f = {count_accept, &cnt};
    for (size_t qi = 0; qi < 40; qi++) search(ix, &D, queries + qi * D.dim, 10, 0, 2, &f, 0);
    CHECK(asked < 40 * D.n / 4);
    pt_index_free(ix);
  }
  free(D.v);
  D = make_data(1500, 64, 22);
  binarise(D.v, D.n, D.dim);
  D.base = 1000;
  D.step = 7;
  for (int mi = 0; mi < 2; mi++) {
    pt_index *ix = build(PT_INDEX_BIN_IVF_FLAT, BIN[mi], &D, 0, 0, 16);
    for (size_t qi = 0; qi < 10; qi++) check_exact(ix, &D, queries + qi * 128, 0, 16); /* its first 64 bits */
    pt_index_free(ix);
  }
  free(queries);
  free(D.v);
}

/* a filter of rows whose hash falls below a share */
typedef struct share {
  uint32_t per_mille;
} share;
static bool share_accept(const void *ctx, uint32_t row) {
  return pt_hash_u64(row * 2654435761u + 17) % 1000 < ((const share *)ctx)->per_mille;
}

TEST(filtered) {
  data D = make_data(2000, 24, 6);
  float *queries = make_queries(30, 24, 6);
  pt_index *ix[3] = {build(PT_INDEX_HNSW, PT_INDEX_L2, &D, 12, 64, 0), build(PT_INDEX_IVF_FLAT, PT_INDEX_L2, &D, 0, 0, 32),
                     build(PT_INDEX_HNSW_SQ, PT_INDEX_COSINE, &D, 12, 64, 0)};
  static const uint32_t shares[3] = {500, 100, 10};
  static const double floors[3][3] = {{0.95, 0.95, 1.0}, {0.95, 0.95, 1.0}, {0.95, 0.95, 1.0}};
  for (int i = 0; i < 3; i++)
    for (int s = 0; s < 3; s++) {
      share sh = {shares[s]};
      pt_index_filter f = {share_accept, &sh};
      /* the share passed as a hint: IVF probes more lists, the 1 % filter becomes a scan */
      float hint = (float)shares[s] / 1000;
      if (getenv("PT_TEST_TIMES")) printf("    index %d, %u per mille\n", i, shares[s]);
      CHECK_RECALL(recall(ix[i], &D, queries, 30, 10, 64, 8, &f, hint), floors[i][s]);
      /* without the hint the HNSW family walks whatever it costs (at this size the hinted
       * search scans: pt_index_walk_pays): the filtered walk itself (IVF without the hint
       * probes only nprobe lists, too few for a filter) */
      if (s < 2 && i != 1) {
        double r = recall(ix[i], &D, queries, 30, 10, 64, 8, &f, 0);
        if (r < 0.9) {
          fprintf(stderr, "  FAIL index %d, %u per mille, walked: recall %.4f below 0.9\n", i, shares[s], r);
          pt_test_failures++;
        }
      }
    }
  for (int i = 0; i < 3; i++) pt_index_free(ix[i]);
  free(queries);
  free(D.v);
}

/* a filter that passes the live rows of a data set (alive[position]) */
typedef struct alive_ctx {
  const data *D;
  const uint8_t *alive;
} alive_ctx;
static bool alive_accept(const void *ctx, uint32_t row) {
  const alive_ctx *a = ctx;
  return a->alive[(row - a->D->base) / a->D->step] != 0;
}

/* 1,000 mixed operations after a build; no removed or deleted row ever comes back */
static void mixed_changes(pt_index_type type, pt_index_metric m, pt_index_elem elem) {
  const size_t cap = 4000, dim = pt_index_binary(type) ? 64 : 16;
  data D = make_data(cap, dim, 9); /* positions >= `used` are rows not written yet */
  float *fresh = make_queries(1000, dim, 10);
  if (pt_index_binary(type)) {
    binarise(D.v, cap, dim);
    binarise(fresh, 1000, dim);
  }
  if (elem) {
    data F = {fresh, 1000, dim, 0, 1, PT_INDEX_F32};
    halve(&D, elem);
    halve(&F, elem);
  }
  uint8_t *alive = calloc(cap, 1), *indexed = calloc(cap, 1);
  size_t used = 2000;
  pt_index_params p;
  pt_index_params_default(&p, type, m, (uint32_t)dim);
  p.M = 12;
  p.ef_construction = 60;
  p.nlist = 32;
  p.seed = 7;
  p.elem = elem;
  set_refine(&p);
  pt_index *ix = NULL;
  CHECK_OK(pt_index_new(&p, &ix), (pt_error *)NULL);
  pt_index_rows rows = {data_get, &D};
  uint32_t *ids = row_ids(&D, 0, used);
  CHECK_OK(pt_index_add(ix, &rows, ids, used), (pt_error *)NULL);
  free(ids);
  memset(alive, 1, used);
  memset(indexed, 1, used);
  test_rng = 99;
  for (int op = 0; op < 1000; op++) {
    uint64_t r = pt_index_rand(&test_rng);
    size_t i = (size_t)(r >> 8) % used;
    uint32_t row = row_of(&D, i);
    switch (r % 4) {
    case 0: { /* a new row */
      uint32_t nrow = row_of(&D, used);
      CHECK_OK(pt_index_add(ix, &rows, &nrow, 1), (pt_error *)NULL);
      alive[used] = indexed[used] = 1;
      used++;
      break;
    }
    case 1: /* overwritten in place (an upsert that fits), and added again */
      memcpy(D.v + i * dim, fresh + (size_t)op * dim, dim * sizeof(float));
      CHECK_OK(pt_index_add(ix, &rows, &row, 1), (pt_error *)NULL);
      alive[i] = indexed[i] = 1;
      break;
    case 2: /* deleted and removed from the index */
      CHECK_EQ_INT(pt_index_remove(ix, row), indexed[i] ? PT_OK : PT_NOT_FOUND);
      alive[i] = indexed[i] = 0;
      break;
    default: /* deleted: the filter knows, the index does not */
      alive[i] = 0;
      break;
    }
  }
  size_t n_indexed = 0;
  for (size_t i = 0; i < used; i++) n_indexed += indexed[i];
  CHECK_EQ_INT(pt_index_count(ix), n_indexed);
  for (size_t i = 0; i < used; i++) CHECK(pt_index_contains(ix, row_of(&D, i)) == (indexed[i] != 0));
  data live = D;
  live.n = used;
  alive_ctx actx = {&live, alive};
  pt_index_filter f = {alive_accept, &actx};
  /* every live row finds itself first (distance 0 for L2), and no dead row is returned */
  float pq[64];
  size_t self = 0, checked = 0;
  for (size_t i = 0; i < used; i += 7) {
    if (!alive[i]) continue;
    row_query(&D, i, m, pq);
    hits got = search(ix, &live, pq, 10, 48, 8, &f, 0);
    for (size_t j = 0; j < got.n; j++) CHECK(alive[(got.ids[j] - D.base) / D.step]);
    checked++;
    for (size_t j = 0; j < got.n; j++) self += got.ids[j] == row_of(&D, i);
  }
  if (m != PT_INDEX_IP) CHECK(self >= checked * 95 / 100); /* under IP a longer row can beat a row's own */
  /* recall against the exact search over the live rows */
  float *queries = make_queries(30, dim, 9);
  if (pt_index_binary(type)) binarise(queries, 30, dim);
  double floor_ = type == PT_INDEX_IVF_SQ8 || type == PT_INDEX_IVF_RABITQ ? 0.80 : 0.90;
  CHECK_RECALL(recall(ix, &live, queries, 30, 10, 64, 12, &f, 0), floor_);

  /* the partition is compacted: live rows renumbered in order, the others dropped */
  uint32_t *remap = malloc(used * sizeof *remap);
  data packed = {malloc(used * dim * sizeof(float)), 0, dim, 0, 1, elem};
  for (size_t i = 0; i < used; i++) {
    remap[i] = alive[i] ? (uint32_t)packed.n : PT_INDEX_NONE;
    if (alive[i]) memcpy(packed.v + packed.n++ * dim, D.v + i * dim, dim * sizeof(float));
  }
  pt_index_rows old_rows = {data_get, &live};
  CHECK_OK(pt_index_compact(ix, &old_rows, remap, used), (pt_error *)NULL);
  CHECK_EQ_INT(pt_index_count(ix), packed.n);
  CHECK_EQ_INT(pt_index_dead(ix), 0);
  for (size_t i = 0; i < packed.n; i++) CHECK(pt_index_contains(ix, (uint32_t)i));
  CHECK(!pt_index_contains(ix, (uint32_t)packed.n));
  self = checked = 0;
  for (size_t i = 0; i < packed.n; i += 7) {
    row_query(&packed, i, m, pq);
    hits got = search(ix, &packed, pq, 10, 48, 8, NULL, 0);
    for (size_t j = 0; j < got.n; j++) self += got.ids[j] == i;
    checked++;
  }
  if (m != PT_INDEX_IP) CHECK(self >= checked * 95 / 100);
  CHECK_RECALL(recall(ix, &packed, queries, 30, 10, 64, 12, NULL, 0), floor_);
  /* and it goes on: new rows after the compaction */
  uint32_t next = (uint32_t)packed.n;
  memcpy(packed.v + packed.n++ * dim, fresh, dim * sizeof(float));
  pt_index_rows new_rows = {data_get, &packed};
  CHECK_OK(pt_index_add(ix, &new_rows, &next, 1), (pt_error *)NULL);
  CHECK(pt_index_contains(ix, next));
  /* a remap that gives two rows one id is refused, the index unchanged */
  remap[0] = remap[1] = 0;
  size_t before = pt_index_count(ix);
  for (size_t i = 0; i < packed.n; i++) remap[i] = (uint32_t)(i / 2);
  CHECK_EQ_INT(pt_index_compact(ix, &new_rows, remap, packed.n), PT_MISUSE);
  CHECK_EQ_INT(pt_index_count(ix), before);
  free(remap);
  free(packed.v);
  free(queries);
  pt_index_free(ix);
  free(alive);
  free(indexed);
  free(fresh);
  free(D.v);
}

TEST(changes_hnsw) {
  mixed_changes(PT_INDEX_HNSW, PT_INDEX_L2, PT_INDEX_F32);
  mixed_changes(PT_INDEX_HNSW, PT_INDEX_COSINE, PT_INDEX_F32);
  mixed_changes(PT_INDEX_HNSW, PT_INDEX_L2, PT_INDEX_F16);
  mixed_changes(PT_INDEX_HNSW, PT_INDEX_COSINE, PT_INDEX_BF16);
}
TEST(changes_hnsw_sq) { mixed_changes(PT_INDEX_HNSW_SQ, PT_INDEX_IP, PT_INDEX_F32); }
TEST(changes_ivf) {
  mixed_changes(PT_INDEX_IVF_FLAT, PT_INDEX_L2, PT_INDEX_F32);
  mixed_changes(PT_INDEX_IVF_SQ8, PT_INDEX_COSINE, PT_INDEX_F32);
  mixed_changes(PT_INDEX_BIN_IVF_FLAT, PT_INDEX_HAMMING, PT_INDEX_F32);
  mixed_changes(PT_INDEX_BIN_IVF_FLAT, PT_INDEX_JACCARD, PT_INDEX_F32);
}
TEST(changes_rabitq) {
  mixed_changes(PT_INDEX_IVF_RABITQ, PT_INDEX_L2, PT_INDEX_F32);
  rbq_rtype = PT_REFINE_FP16;
  mixed_changes(PT_INDEX_IVF_RABITQ, PT_INDEX_COSINE, PT_INDEX_F32);
  rbq_rtype = PT_REFINE_FP32;
  test_qbits = 6;
  mixed_changes(PT_INDEX_IVF_RABITQ, PT_INDEX_IP, PT_INDEX_F32);
  rbq_rtype = PT_REFINE_SQ8;
  test_qbits = 0;
}

/* IVF_RABITQ: its parameters (refine types, rbq_bits_query's range), recall floors per metric
 * and refine type, with the float query and quantised ones, and the exact search when every list
 * is probed and the FP32 refine re-scores every row (rows and distances to the bit). */
TEST(rabitq) {
  pt_index_params p;
  pt_error err;
  pt_index_params_default(&p, PT_INDEX_IVF_RABITQ, PT_INDEX_L2, 100);
  CHECK_EQ_INT(p.nlist, 128);
  CHECK_OK(pt_index_params_check(&p, &err), &err);
  p.refine_type = PT_REFINE_SQ8; /* a refine type without refine */
  CHECK_EQ_INT(pt_index_params_check(&p, &err), PT_MISUSE);
  p.refine = true;
  CHECK_OK(pt_index_params_check(&p, &err), &err);
  p.refine_type = (pt_index_refine)7;
  CHECK_EQ_INT(pt_index_params_check(&p, &err), PT_MISUSE);
  pt_index_params_default(&p, PT_INDEX_IVF_SQ8, PT_INDEX_L2, 100);
  p.refine = true; /* IVF_SQ8 takes no refine here */
  CHECK_EQ_INT(pt_index_params_check(&p, &err), PT_MISUSE);
  CHECK_OK(pt_index_search_int("rbq_bits_query", 0, 10, &err), &err);
  CHECK_OK(pt_index_search_int("rbq_query_bits", 8, 10, &err), &err);
  CHECK_ERR(pt_index_search_int("rbq_bits_query", 9, 10, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "Out of range in json: param 'rbq_bits_query' (9) should be in range [0, 8]");
  CHECK_ERR(pt_index_search_int("rbq_query_bits", -1, 10, &err), &err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "param 'rbq_query_bits' (-1) should be in range [0, 8]");

  /* recall: 100-d rows (rotated in 128 dimensions), 32 lists */
  data D = make_data(2000, 100, 31);
  float *queries = make_queries(30, 100, 31);
  static const pt_index_refine RT[3] = {PT_REFINE_SQ8, PT_REFINE_FP16, PT_REFINE_FP32};
  for (int mi = 0; mi < 3; mi++) {
    rbq_refine = false;
    pt_index *ix = build(PT_INDEX_IVF_RABITQ, METRICS[mi], &D, 0, 0, 32);
    CHECK_EQ_INT(pt_index_count(ix), 2000);
    if (getenv("PT_TEST_TIMES")) printf("    IVF_RABITQ %s, no refine\n", METRIC_NAMES[mi]);
    CHECK_RECALL(recall(ix, &D, queries, 30, 10, 0, 8, NULL, 0), 0.5);
    pt_index_free(ix);
    rbq_refine = true;
    for (int r = 0; r < 3; r++) {
      rbq_rtype = RT[r];
      ix = build(PT_INDEX_IVF_RABITQ, METRICS[mi], &D, 0, 0, 32);
      if (getenv("PT_TEST_TIMES")) printf("    IVF_RABITQ %s, refine %d\n", METRIC_NAMES[mi], (int)RT[r]);
      CHECK_RECALL(recall(ix, &D, queries, 30, 10, 0, 8, NULL, 0), 0.90);
      CHECK_RECALL(recall(ix, &D, queries, 30, 10, 0, 32, NULL, 0), RT[r] == PT_REFINE_SQ8 ? 0.95 : 0.97);
      test_qbits = r == 0 ? 4 : 8; /* the query quantised */
      CHECK_RECALL(recall(ix, &D, queries, 30, 10, 0, 8, NULL, 0), 0.90);
      test_qbits = 0;
      pt_index_free(ix);
    }
  }
  rbq_rtype = PT_REFINE_SQ8;
  free(queries);
  free(D.v);

  /* the index's bytes with SQ8 refine codes, 128-d: under 0.45 of the float32 rows' (issue 18) */
  D = make_data(3000, 128, 32);
  rbq_rtype = PT_REFINE_SQ8;
  pt_index *big = build(PT_INDEX_IVF_RABITQ, PT_INDEX_L2, &D, 0, 0, 32);
  double share = (double)pt_index_memory(big) / (3000.0 * 128 * 4);
  if (getenv("PT_TEST_TIMES")) printf("    IVF_RABITQ SQ8 refine, 128-d: %.3f of the float32 bytes\n", share);
  CHECK(share <= 0.45);
  pt_index_free(big);
  free(D.v);

  /* every list probed, the FP32 refine over every row: the exact search */
  D = make_data(1500, 24, 4);
  D.base = 1000;
  D.step = 7;
  queries = make_queries(10, 24, 4);
  float pq[24];
  rbq_rtype = PT_REFINE_FP32;
  test_refine_k = 1000;
  for (int mi = 0; mi < 3; mi++) {
    pt_index *ix = build(PT_INDEX_IVF_RABITQ, METRICS[mi], &D, 0, 0, 16);
    for (size_t qi = 0; qi < 10; qi++) {
      pt_index_prepare_query(METRICS[mi], queries + qi * 24, pq, 24);
      check_exact(ix, &D, pq, 0, 16);
    }
    pt_index_free(ix);
  }
  test_refine_k = 4;
  rbq_rtype = PT_REFINE_SQ8;
  free(queries);
  free(D.v);
}

/* ============================================================================================
 * Bytes
 * ========================================================================================== */

static bool same_bytes(const pt_index *a, const uint8_t *bytes, size_t len) {
  uint8_t *b = NULL;
  size_t n = 0;
  if (pt_index_save(a, &b, &n) != PT_OK) return false;
  bool same = n == len && memcmp(b, bytes, n) == 0;
  pt_free(b);
  return same;
}

/* Re-seals forged bytes: the length and the CRC made right, so that the structure is judged. */
static void reseal(uint8_t *b, size_t len) {
  uint64_t total = len;
  memcpy(b + 12, &total, 8);
  uint32_t crc = pt_crc32(b, len - 4);
  memcpy(b + len - 4, &crc, 4);
}

TEST(save_load) {
  data Df = make_data(300, 12, 11), Db = make_data(300, 16, 11);
  Df.base = Db.base = 5;
  Df.step = Db.step = 3;
  float *qf = make_queries(5, 12, 11), *qb = make_queries(5, 16, 11), pq[16];
  binarise(Db.v, Db.n, Db.dim);
  binarise(qb, 5, Db.dim);
  static const pt_index_type types[8] = {PT_INDEX_HNSW,       PT_INDEX_HNSW_SQ,   PT_INDEX_IVF_FLAT,
                                         PT_INDEX_IVF_SQ8,    PT_INDEX_BIN_IVF_FLAT, PT_INDEX_IVF_RABITQ,
                                         PT_INDEX_IVF_RABITQ, PT_INDEX_IVF_RABITQ};
  static const pt_index_refine rtypes[3] = {PT_REFINE_SQ8, PT_REFINE_BF16, PT_REFINE_FP32};
  for (int t = 0; t < 8; t++) {
    if (t >= 5) rbq_rtype = rtypes[t - 5];
    const data *DD = t == 4 ? &Db : &Df;
    const float *queries = t == 4 ? qb : qf;
    pt_index_metric m = t == 4 ? PT_INDEX_JACCARD : METRICS[t % 3];
    size_t dim = DD->dim;
    data D = *DD;
    pt_index *ix = build(types[t], m, &D, 6, 30, 10);
    CHECK_EQ_INT(pt_index_remove(ix, row_of(&D, 17)), PT_OK); /* a removed node is saved too */
    uint8_t *bytes = NULL;
    size_t len = 0;
    CHECK_OK(pt_index_save(ix, &bytes, &len), (pt_error *)NULL);
    pt_error err;
    pt_index *back = NULL;
    CHECK_OK(pt_index_load(bytes, len, false, &back, &err), &err);
    if (!back) continue;
    CHECK(same_bytes(back, bytes, len));
    CHECK_EQ_INT(pt_index_count(back), pt_index_count(ix));
    CHECK(!pt_index_contains(back, row_of(&D, 17)));
    for (size_t qi = 0; qi < 5; qi++) {
      pt_index_prepare_query(m, queries + qi * dim, pq, dim);
      hits a = search(ix, &D, pq, 10, 20, 4, NULL, 0), b = search(back, &D, pq, 10, 20, 4, NULL, 0);
      CHECK(a.n == b.n && memcmp(a.ids, b.ids, sizeof a.ids) == 0 && memcmp(a.d, b.d, sizeof a.d) == 0);
    }
    /* both go on the same way */
    pt_index_rows rows = {data_get, &D};
    uint32_t again = row_of(&D, 17);
    CHECK_OK(pt_index_add(ix, &rows, &again, 1), (pt_error *)NULL);
    CHECK_OK(pt_index_add(back, &rows, &again, 1), (pt_error *)NULL);
    uint8_t *b1 = NULL, *b2 = NULL;
    size_t l1 = 0, l2 = 0;
    CHECK_OK(pt_index_save(ix, &b1, &l1), (pt_error *)NULL);
    CHECK_OK(pt_index_save(back, &b2, &l2), (pt_error *)NULL);
    CHECK(l1 == l2 && memcmp(b1, b2, l1) == 0);
    pt_free(b1);
    pt_free(b2);

    /* hostile bytes: every truncation, flipped bytes, a newer version, forged structures */
    size_t before = pt_memory_used();
    pt_index *bad = NULL;
    for (size_t cut = 0; cut < len; cut += (cut < 100 ? 1 : 97)) {
      CHECK_EQ_INT(pt_index_load(bytes, cut, false, &bad, &err), PT_CORRUPT);
      CHECK(bad == NULL);
    }
    for (size_t at = 0; at < len; at += (at < 120 ? 1 : 13)) {
      bytes[at] ^= 0x5a;
      CHECK_EQ_INT(pt_index_load(bytes, len, false, &bad, &err), PT_CORRUPT);
      bytes[at] ^= 0x5a;
    }
    /* bytes a checksum has just vouched for (summed): the index's own CRC is not computed again, so
     * a wrong one is not seen; the frame and the structure still are checked */
    bytes[len - 1] ^= 0x5a;
    CHECK_EQ_INT(pt_index_load(bytes, len, false, &bad, &err), PT_CORRUPT);
    CHECK_OK(pt_index_load(bytes, len, true, &bad, &err), &err);
    pt_index_free(bad);
    bad = NULL;
    CHECK_EQ_INT(pt_index_load(bytes, len - 8, true, &bad, &err), PT_CORRUPT);
    bytes[len - 1] ^= 0x5a;
    uint8_t *forged = malloc(len);
    memcpy(forged, bytes, len);
    forged[8] = 3; /* version 3 */
    reseal(forged, len);
    CHECK_ERR(pt_index_load(forged, len, false, &bad, &err), &err, PT_CORRUPT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
              "index format version 3 is not supported");
    /* forged payloads, sealed: every 4-byte word of the payload set to a hostile value */
    static const uint32_t hostile[] = {0xffffffffu, 0x7fffffffu, 600, 0x7fc00000u /* NaN */};
    size_t accepted = 0;
    for (size_t at = 60; at + 8 <= len; at += (at < 200 ? 4 : 52))
      for (size_t h = 0; h < 4; h++) {
        memcpy(forged, bytes, len);
        memcpy(forged + at, &hostile[h], 4);
        reseal(forged, len);
        pt_status rc = pt_index_load(forged, len, false, &bad, &err);
        if (rc == PT_OK) {
          accepted++; /* a value that still holds together (a row id, a code): it must search */
          uint8_t *again_bytes = NULL;
          size_t again_len = 0;
          CHECK_OK(pt_index_save(bad, &again_bytes, &again_len), (pt_error *)NULL);
          CHECK(again_len == len && memcmp(again_bytes, forged, len) == 0);
          pt_free(again_bytes);
          pt_index_free(bad);
          bad = NULL;
        } else {
          CHECK_EQ_INT(rc, PT_CORRUPT);
          CHECK(bad == NULL);
        }
      }
    CHECK(accepted < 4 * len / 4);
    free(forged);
    CHECK_EQ_INT(pt_memory_used(), before);
    pt_free(bytes);
    pt_index_free(ix);
    pt_index_free(back);
  }
  free(qf);
  free(qb);
  free(Df.v);
  free(Db.v);
}

/* HNSW on float16 and bfloat16 rows: element types for HNSW only, recall floors per metric, the
 * exact search (to the bit: the half kernels search.c scores with) when ef covers every node,
 * and the element type saved with the index */
TEST(hnsw_half) {
  pt_index_params p;
  pt_error err;
  pt_index_params_default(&p, PT_INDEX_IVF_FLAT, PT_INDEX_L2, 8);
  p.elem = PT_INDEX_F16;
  CHECK_EQ_INT(pt_index_params_check(&p, &err), PT_MISUSE);
  pt_index_params_default(&p, PT_INDEX_HNSW_SQ, PT_INDEX_L2, 8);
  p.elem = PT_INDEX_BF16;
  CHECK_EQ_INT(pt_index_params_check(&p, &err), PT_MISUSE);
  static const pt_index_elem ELEMS[2] = {PT_INDEX_F16, PT_INDEX_BF16};
  float *queries = make_queries(40, 24, 31), pq[24];
  for (int ei = 0; ei < 2; ei++) {
    data D = make_data(2000, 24, 31);
    halve(&D, ELEMS[ei]);
    for (int mi = 0; mi < 3; mi++) {
      pt_index *ix = build(PT_INDEX_HNSW, METRICS[mi], &D, 12, 64, 0);
      if (getenv("PT_TEST_TIMES")) printf("    %s %s\n", ei ? "BF16" : "F16", METRIC_NAMES[mi]);
      CHECK_RECALL(recall(ix, &D, queries, 40, 10, 10, 0, NULL, 0), 0.82);
      CHECK_RECALL(recall(ix, &D, queries, 40, 10, 64, 0, NULL, 0), 0.97);
      for (size_t qi = 0; qi < 10; qi++) {
        pt_index_prepare_query(METRICS[mi], queries + qi * 24, pq, 24);
        check_exact(ix, &D, pq, 2000, 0);
      }
      uint8_t *bytes = NULL;
      size_t len = 0;
      CHECK_OK(pt_index_save(ix, &bytes, &len), (pt_error *)NULL);
      pt_index *back = NULL;
      CHECK_OK(pt_index_load(bytes, len, false, &back, &err), &err);
      CHECK(back && pt_index_get_params(back)->elem == ELEMS[ei] && same_bytes(back, bytes, len));
      bytes[44] |= 6; /* both element bits in the flags: refused */
      reseal(bytes, len);
      pt_index *bad = NULL;
      CHECK_EQ_INT(pt_index_load(bytes, len, false, &bad, &err), PT_CORRUPT);
      pt_free(bytes);
      pt_index_free(back);
      pt_index_free(ix);
    }
    free(D.v);
  }
  free(queries);
}

/* ============================================================================================
 * Allocation failure, swept
 * ========================================================================================== */

typedef enum step { FIRST_ADD, LATER_ADD, SEARCH, SAVE, LOAD, COMPACT } step;
static const char *const STEP_NAMES[] = {"first add", "later add", "search", "save", "load", "compact"};

/* The index before `s`: new, and (unless s is FIRST_ADD) FIRST rows added. */
#define FIRST 160
#define LATER 60
static pt_index *before_step(pt_index_type type, step s, const data *D) {
  pt_index_params p;
  pt_index_params_default(&p, type, pt_index_binary(type) ? PT_INDEX_HAMMING : PT_INDEX_COSINE, (uint32_t)D->dim);
  p.M = 6;
  p.ef_construction = 24;
  p.nlist = 8;
  p.seed = 3;
  p.elem = D->elem;
  set_refine(&p);
  pt_index *ix = NULL;
  if (pt_index_new(&p, &ix) != PT_OK) return NULL;
  if (s != FIRST_ADD) {
    pt_index_rows rows = {data_get, D};
    uint32_t *ids = row_ids(D, 0, FIRST);
    pt_status rc = pt_index_add(ix, &rows, ids, FIRST);
    free(ids);
    /* some rows removed, so that a compaction has removed nodes to drop */
    for (uint32_t r = 0; rc == PT_OK && s == COMPACT && r < FIRST; r += 5) rc = pt_index_remove(ix, r);
    if (rc != PT_OK) {
      pt_index_free(ix);
      return NULL;
    }
  }
  return ix;
}

/* The sweep's failure injection, on only around the call under test; `sweep_reached` records
 * whether the failing allocation was reached. */
static long sweep_fail_at;
static bool sweep_reached;
static void inject(bool on) {
  if (on) {
    test_alloc_fail_at(sweep_fail_at);
    return;
  }
  if (sweep_fail_at && test_alloc_count() >= sweep_fail_at) sweep_reached = true;
  test_alloc_fail_at(0);
}

/* The index's bytes in libc memory (no failure injected), or NULL. */
static uint8_t *save_copy(const pt_index *ix, size_t *len) {
  uint8_t *b = NULL, *copy = NULL;
  *len = 0;
  if (pt_index_save(ix, &b, len) != PT_OK) return NULL;
  copy = malloc(*len);
  memcpy(copy, b, *len);
  pt_free(b);
  return copy;
}

/* Runs step `s` on *ixp with the failure injected; what it produced (the index's bytes after
 * it, or the hits of a search) into *out / *out_len (malloc'd), nothing on failure. */
static pt_status run_step(pt_index **ixp, step s, const data *D, uint8_t **out, size_t *out_len) {
  pt_index *ix = *ixp;
  pt_index_rows rows = {data_get, D};
  *out = NULL;
  *out_len = 0;
  pt_status rc = PT_OK;
  switch (s) {
  case FIRST_ADD:
  case LATER_ADD: {
    uint32_t *ids = s == FIRST_ADD ? row_ids(D, 0, FIRST) : row_ids(D, FIRST, FIRST + LATER);
    inject(true);
    rc = pt_index_add(ix, &rows, ids, s == FIRST_ADD ? FIRST : LATER);
    inject(false);
    free(ids);
    break;
  }
  case SEARCH: {
    pt_index_search_params sp = {10, 200, 8, 2, 0, 0}, use;
    float pq[8];
    row_query(D, 5, pt_index_get_params(ix)->metric, pq);
    hits h = {{0}, {0}, 0};
    share sh = {500};
    pt_index_filter f = {share_accept, &sh};
    inject(true);
    rc = pt_index_search_complete(pt_index_get_params(ix), &sp, &use, NULL);
    if (rc == PT_OK) rc = pt_index_search(ix, &rows, pq, &use, &f, h.ids, h.d, &h.n);
    inject(false);
    if (rc != PT_OK) return rc;
    *out = malloc(sizeof h);
    memcpy(*out, &h, sizeof h);
    *out_len = sizeof h;
    return PT_OK;
  }
  case SAVE: {
    uint8_t *b = NULL;
    size_t n = 0;
    inject(true);
    rc = pt_index_save(ix, &b, &n);
    inject(false);
    if (rc != PT_OK) return rc;
    *out = malloc(n);
    memcpy(*out, b, n);
    *out_len = n;
    pt_free(b);
    return PT_OK;
  }
  case COMPACT: {
    uint32_t remap[FIRST + LATER];
    uint32_t next = 0;
    for (uint32_t r = 0; r < FIRST + LATER; r++) remap[r] = r % 7 == 3 ? PT_INDEX_NONE : next++;
    inject(true);
    rc = pt_index_compact(ix, &rows, remap, FIRST + LATER);
    inject(false);
    break;
  }
  case LOAD: {
    size_t n = 0;
    uint8_t *b = save_copy(ix, &n);
    pt_index *back = NULL;
    pt_error err;
    inject(true);
    rc = pt_index_load(b, n, false, &back, &err);
    inject(false);
    free(b);
    if (rc != PT_OK) return rc;
    pt_index_free(*ixp);
    *ixp = back;
    break;
  }
  }
  if (rc != PT_OK) return rc;
  *out = save_copy(*ixp, out_len);
  return PT_OK;
}

static void sweep(pt_index_type type, pt_index_elem elem, step s) {
  data D = make_data(FIRST + LATER, 8, 13);
  if (pt_index_binary(type)) binarise(D.v, D.n, D.dim);
  if (elem) halve(&D, elem);
  /* what a run without failures gives */
  sweep_fail_at = 0;
  pt_index *ix = before_step(type, s, &D);
  uint8_t *want = NULL, *got = NULL;
  size_t want_len = 0, got_len = 0, pre_len = 0, post_len = 0;
  CHECK_OK(run_step(&ix, s, &D, &want, &want_len), (pt_error *)NULL);
  pt_index_free(ix);
  for (long n = 1; n < 5000; n++) {
    ix = before_step(type, s, &D);
    if (!ix) {
      fprintf(stderr, "  FAIL %s: no index to sweep\n", STEP_NAMES[s]);
      pt_test_failures++;
      break;
    }
    uint8_t *pre = save_copy(ix, &pre_len);
    long live = test_alloc_live();
    size_t used = pt_memory_used();
    sweep_fail_at = n;
    sweep_reached = false;
    pt_status rc = run_step(&ix, s, &D, &got, &got_len);
    sweep_fail_at = 0;
    if (!sweep_reached) {
      CHECK_OK(rc, (pt_error *)NULL);
      CHECK(got_len == want_len && memcmp(got, want, want_len) == 0);
      free(got);
      free(pre);
      pt_index_free(ix);
      break;
    }
    if (rc != PT_NOMEM || got) {
      fprintf(stderr, "  FAIL %s, allocation %ld failing: %s, output %p\n", STEP_NAMES[s], n, pt_status_str(rc),
              (void *)got);
      pt_test_failures++;
    }
    if (s != SEARCH) { /* a search may keep the scratch it grew (the index frees it) */
      CHECK_EQ_INT(test_alloc_live(), live);
      CHECK_EQ_INT(pt_memory_used(), used);
    }
    /* the index is as it was, and works: the step again gives what it gives without failures */
    uint8_t *post = save_copy(ix, &post_len);
    if (!(pre_len == post_len && memcmp(pre, post, pre_len) == 0)) {
      fprintf(stderr, "  FAIL %s, allocation %ld failing: the index changed\n", STEP_NAMES[s], n);
      pt_test_failures++;
    }
    free(post);
    free(pre);
    free(got);
    CHECK_OK(run_step(&ix, s, &D, &got, &got_len), (pt_error *)NULL);
    CHECK(got_len == want_len && memcmp(got, want, want_len) == 0);
    free(got);
    got = NULL;
    pt_index_free(ix);
    if (pt_test_failures > 20) break;
  }
  free(want);
  free(D.v);
}

/* An HNSW graph loaded from a block (pt_index_load_in: a checkpoint read into one, format 2)
 * keeps its arrays there: the same bytes save back, the same answers come, the block lives as
 * long as the index needs it (the caller's reference dropped at once), and an add, a removal or
 * a compaction after it works as on a copied graph, the add and the compaction moving the arrays
 * out. The row map waits for the first add or removal (where_later). An unaligned copy is copied out. */
TEST(load_in_block) {
  data D = make_data(400, 16, 21);
  D.base = 2;
  D.step = 2;
  float *queries = make_queries(8, 16, 21);
  for (int sq = 0; sq < 2; sq++)
    for (int then = 0; then < 3; then++) { /* then: add, compact, remove */
      size_t before = pt_memory_used();
      pt_index *ix = build(sq ? PT_INDEX_HNSW_SQ : PT_INDEX_HNSW, PT_INDEX_L2, &D, 8, 40, 0), *twin = NULL, *in = NULL;
      uint8_t *bytes = NULL;
      size_t len = 0;
      pt_error err;
      CHECK_OK(pt_index_save(ix, &bytes, &len), (pt_error *)NULL);
      for (size_t shift = 0; shift < 2; shift++) {
        size_t m0 = pt_memory_used();
        CHECK_OK(pt_index_load(bytes, len, false, &twin, &err), &err); /* copied */
        size_t copied = pt_memory_used() - m0;
        uint8_t *block = pt_block_new(len + 8);
        memcpy(block + 5 * shift, bytes, len); /* shift 1: 5 bytes in, unaligned */
        m0 = pt_memory_used();
        CHECK_OK(pt_index_load_in(block + 5 * shift, len, true, block, &in, &err), &err);
        size_t kept = pt_memory_used() - m0;
        CHECK(shift ? kept == copied : kept < copied / 2); /* aligned: the arrays stay in the block */
        pt_block_release(block); /* the index keeps its own reference while it needs one */
        if (!in || !twin) break;
        CHECK(same_bytes(in, bytes, len));
        CHECK_EQ_INT(pt_index_count(in), D.n);
        CHECK(pt_index_contains(in, row_of(&D, 7)) && !pt_index_contains(in, 1));
        for (size_t qi = 0; qi < 8; qi++) {
          float pq[16];
          pt_index_prepare_query(PT_INDEX_L2, queries + qi * 16, pq, 16);
          hits a = search(in, &D, pq, 10, 30, 0, NULL, 0), b = search(twin, &D, pq, 10, 30, 0, NULL, 0);
          CHECK(a.n == b.n && memcmp(a.ids, b.ids, sizeof a.ids) == 0);
        }
        pt_index_rows rows = {data_get, &D};
        pt_index *both[2] = {in, twin};
        for (int k = 0; k < 2 && both[k]; k++) {
          if (then == 0) {
            uint32_t again[2] = {row_of(&D, 3), row_of(&D, 5)};
            CHECK_OK(pt_index_add(both[k], &rows, again, 2), (pt_error *)NULL);
            CHECK_EQ_INT(pt_index_count(both[k]), D.n);
          } else if (then == 1) {
            uint32_t remap[802];
            for (uint32_t r = 0; r < 802; r++) remap[r] = r % 4 == 0 ? r / 4 : PT_INDEX_NONE; /* every other row stays */
            CHECK_OK(pt_index_compact(both[k], &rows, remap, 802), (pt_error *)NULL);
            CHECK_EQ_INT(pt_index_count(both[k]), D.n / 2);
          } else {
            CHECK(both[k]->where_later); /* the load left the row map to later */
            CHECK_EQ_INT(pt_index_remove(both[k], row_of(&D, 9)), PT_OK);
            CHECK(!both[k]->where_later); /* built once by the removal, not walked for each */
            CHECK_EQ_INT(pt_index_remove(both[k], row_of(&D, 9)), PT_NOT_FOUND);
            CHECK_EQ_INT(pt_index_count(both[k]), D.n - 1);
          }
        }
        { /* the graph after the change: the same bytes either way */
          uint8_t *b1 = NULL, *b2 = NULL;
          size_t l1 = 0, l2 = 0;
          CHECK_OK(pt_index_save(in, &b1, &l1), (pt_error *)NULL);
          CHECK_OK(pt_index_save(twin, &b2, &l2), (pt_error *)NULL);
          CHECK(l1 == l2 && memcmp(b1, b2, l1) == 0);
          pt_free(b1);
          pt_free(b2);
        }
        pt_index_free(in);
        pt_index_free(twin);
        in = twin = NULL;
      }
      pt_index_free(ix);
      pt_free(bytes);
      CHECK_EQ_INT(pt_memory_used(), before);
    }
  free(queries);
  free(D.v);
}

/* The row map's one-probe insert (pt_u32map_put_new), and the loads that build their row maps
 * with it: a saved HNSW index whose second node repeats the first one's row is refused. */
TEST(row_maps) {
  pt_u32map m = {0};
  CHECK_OK(pt_u32map_reserve(&m, 100), (pt_error *)NULL);
  for (uint32_t k = 0; k < 100; k++) CHECK(pt_u32map_put_new(&m, k * 7919u, k));
  CHECK(!pt_u32map_put_new(&m, 7919u, 55)); /* there: nothing changes */
  CHECK_EQ_INT(pt_u32map_get(&m, 7919u), 1);
  CHECK_EQ_INT(m.count, 100);
  pt_u32map_free(&m);

  data D = make_data(200, 12, 13);
  pt_index *ix = build(PT_INDEX_HNSW, PT_INDEX_L2, &D, 6, 30, 10);
  uint8_t *bytes = NULL;
  size_t len = 0;
  CHECK_OK(pt_index_save(ix, &bytes, &len), (pt_error *)NULL);
  /* header 56 bytes, then n, entry, top, trained (u32), the generator (u64), the upper layers'
   * words and a zero (u32): the rows at 88 */
  memcpy(bytes + 92, bytes + 88, 4);
  reseal(bytes, len);
  pt_error err;
  pt_index *bad = NULL;
  CHECK_ERR(pt_index_load(bytes, len, false, &bad, &err), &err, PT_CORRUPT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "a row live twice");
  CHECK(bad == NULL);
  pt_free(bytes);
  pt_index_free(ix);
  free(D.v);
}

TEST(allocation_failures) {
  CHECK_EQ_INT(pt_memory_used(), 0);
  test_alloc_install();
  static const pt_index_type types[6] = {PT_INDEX_HNSW, PT_INDEX_HNSW_SQ, PT_INDEX_IVF_FLAT, PT_INDEX_IVF_SQ8,
                                         PT_INDEX_BIN_IVF_FLAT, PT_INDEX_IVF_RABITQ};
  for (int t = 0; t < 6; t++)
    for (int s = FIRST_ADD; s <= COMPACT; s++) sweep(types[t], PT_INDEX_F32, (step)s);
  rbq_rtype = PT_REFINE_FP16; /* refine codes of another width */
  for (int s = FIRST_ADD; s <= COMPACT; s++) sweep(PT_INDEX_IVF_RABITQ, PT_INDEX_F32, (step)s);
  rbq_rtype = PT_REFINE_SQ8;
  for (int s = FIRST_ADD; s <= COMPACT; s++) sweep(PT_INDEX_HNSW, PT_INDEX_F16, (step)s); /* half rows */
  CHECK_EQ_INT(pt_set_allocator(NULL), PT_OK);
}

TEST_MAIN(T(parameters), T(hnsw_recall), T(hnsw_rescale), T(hnsw_sq_recall), T(ivf_recall), T(exact_when_covering), T(bin_ivf), T(hnsw_half), T(filtered),
          T(changes_hnsw), T(changes_hnsw_sq), T(changes_ivf), T(rabitq), T(changes_rabitq), T(save_load), T(load_in_block), T(row_maps), T(allocation_failures))
