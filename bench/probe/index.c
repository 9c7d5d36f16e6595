/*
 * index.c — a micro-benchmark of the vector indexes (src/index.h) on their own, before they are
 * wired into the API: build rows/s, queries/s and recall@10 against the exact search, and the
 * index's bytes per row beside the float32 rows. Not run by `npm test`; built with
 * -DPT_BUILD_BENCH=ON natively and as a WASI command (SIMD128), see bench/README.md:
 *
 *   bench_index [rows] [dim] [queries] [types] [metric]
 *   defaults:    100000 128   200       hnsw,hnsw_sq,ivf_flat,ivf_sq8  L2 (or IP, COSINE)
 *   types may name `filtered`: HNSW under filters passing 50 % .. 1 % of the rows (run_filtered)
 *
 * Data: a Gaussian mixture made here with a fixed seed (1,000 centres uniform in [-1, 1]^dim,
 * rows and queries drawn around them with sigma 0.35 per dimension), the set issue 18's bench
 * names; uniform random vectors defeat every index and are not a target. The exact search is
 * a single-threaded scan with the same distance kernels (pt_index_dist), its top-10 the truth.
 * Single thread; every figure is one run, timed in processor time natively (clock()), so that
 * other processes on a shared machine do not distort the ratios, and in wall time under WASI.
 *
 * Built with Emscripten (build/em/probe/index.mjs, beside the scan probe) it is a library
 * instead: `npm run bench`'s index case (bench/run.mjs) builds and searches HNSW through the
 * probe_hnsw_* functions below on data it made, and times them in JavaScript exactly as it times
 * hnswlib-wasm on the same data in the same way. Until the index is wired into the API, that is
 * the path from the bench to the C core.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define PROBE_API EMSCRIPTEN_KEEPALIVE
#else
#define PROBE_API
#endif

typedef struct rows_ctx {
  const float *v;
  size_t dim;
} rows_ctx;

static const void *get_row(const void *ctx, uint32_t row) {
  const rows_ctx *r = ctx;
  return r->v + (size_t)row * r->dim;
}

/* ---------------------------------------------------------------------------------------------
 * The probe as a library (bench/run.mjs): an HNSW index over rows the caller placed in memory
 * ------------------------------------------------------------------------------------------- */

typedef struct probe_index {
  pt_index *ix;
  rows_ctx rc;
  pt_index_rows rows;
} probe_index;

/* The search parameters given (0: Milvus's default), each checked by the rule the search API
 * uses (pt_index_search_int / pt_index_search_refine_k), then completed into *use. */
static pt_status search_params(const pt_index *ix, const pt_index_search_params *sp, pt_index_search_params *use) {
  if ((sp->ef && pt_index_search_int("ef", sp->ef, sp->k, NULL)) ||
      (sp->nprobe && pt_index_search_int("nprobe", sp->nprobe, sp->k, NULL)) ||
      (sp->refine_k != 0 && pt_index_search_refine_k(sp->refine_k, NULL)))
    return PT_RANGE;
  return pt_index_search_complete(pt_index_get_params(ix), sp, use, NULL);
}

PROBE_API void *probe_alloc(size_t bytes) { return malloc(bytes); }
PROBE_API void probe_free(void *p) { free(p); }

/* Builds an index of `type` (1 HNSW, 2 HNSW_SQ, 3 IVF_FLAT, 4 IVF_SQ8, 6 IVF_RABITQ:
 * pt_index_type) with metric L2 over rows 0..n) of `data` (n x dim floats, kept by the caller
 * until probe_hnsw_free) in one batch; M and efc for the HNSW family, nlist for IVF (0: Milvus's
 * defaults), refine for HNSW_SQ and IVF_RABITQ (0: none; 1 + a pt_index_refine: refine with it);
 * NULL on failure. */
PROBE_API probe_index *probe_index_build(uint32_t type, const float *data, uint32_t n, uint32_t dim, uint32_t M,
                                         uint32_t efc, uint32_t nlist, uint32_t refine, uint32_t seed) {
  probe_index *p = calloc(1, sizeof *p);
  uint32_t *ids = malloc((n ? n : 1) * sizeof *ids);
  pt_index_params ip;
  pt_index_params_default(&ip, (pt_index_type)type, PT_INDEX_L2, dim);
  if (M) ip.M = M;
  if (efc) ip.ef_construction = efc;
  if (nlist) ip.nlist = nlist;
  ip.refine = refine != 0;
  ip.refine_type = refine > 1 ? (pt_index_refine)(refine - 1) : PT_REFINE_FP32;
  ip.seed = seed;
  if (!p || !ids || pt_index_new(&ip, &p->ix) != PT_OK) goto fail;
  p->rc = (rows_ctx){data, dim};
  p->rows = (pt_index_rows){get_row, &p->rc};
  for (uint32_t i = 0; i < n; i++) ids[i] = i;
  if (pt_index_add(p->ix, &p->rows, ids, n) != PT_OK) goto fail;
  free(ids);
  return p;
fail:
  free(ids);
  if (p) pt_index_free(p->ix);
  free(p);
  return NULL;
}

/* HNSW (the name older probes have, for bench/run.mjs's --before). */
PROBE_API probe_index *probe_hnsw_build(const float *data, uint32_t n, uint32_t dim, uint32_t M, uint32_t efc,
                                        uint32_t seed) {
  return probe_index_build(PT_INDEX_HNSW, data, n, dim, M, efc, 0, 0, seed);
}

/* The k nearest rows of query q (dim floats) with search parameters ef (HNSW family), nprobe
 * (IVF) and refine_k (HNSW_SQ with refine), 0 for Milvus's default, into ids (room for k):
 * their number, or -1 on an error. */
PROBE_API int probe_index_search(probe_index *p, const float *q, uint32_t k, uint32_t ef, uint32_t nprobe,
                                 float refine_k, uint32_t *ids) {
  pt_index_search_params sp = {k, ef, nprobe, refine_k, 0}, use;
  float d[1024];
  size_t cnt;
  if (k > 1024 || search_params(p->ix, &sp, &use) != PT_OK ||
      pt_index_search(p->ix, &p->rows, q, &use, NULL, ids, d, &cnt) != PT_OK)
    return -1;
  return (int)cnt;
}

/* probe_index_search for IVF_RABITQ: nprobe, refine_k and rbq_bits_query (qbits). */
PROBE_API int probe_rbq_search(probe_index *p, const float *q, uint32_t k, uint32_t nprobe, float refine_k, uint32_t qbits,
                               uint32_t *ids) {
  pt_index_search_params sp = {k, 0, nprobe, refine_k, 0, qbits}, use;
  float d[1024];
  size_t cnt;
  if (k > 1024 || pt_index_search_int("rbq_bits_query", qbits, k, NULL) || search_params(p->ix, &sp, &use) != PT_OK ||
      pt_index_search(p->ix, &p->rows, q, &use, NULL, ids, d, &cnt) != PT_OK)
    return -1;
  return (int)cnt;
}

PROBE_API int probe_hnsw_search(probe_index *p, const float *q, uint32_t k, uint32_t ef, uint32_t *ids) {
  return probe_index_search(p, q, k, ef, 0, 0, ids);
}

/* The exact k nearest rows (L2, the index's distance kernel, SIMD128 in the probe) of query q
 * among rows 0..n) of `data`, best first, into ids (room for k): their number, or -1. The
 * bench's truth for recall, and the exact search an index has to beat. */
PROBE_API int probe_exact_search(const float *data, uint32_t n, uint32_t dim, const float *q, uint32_t k,
                                 uint32_t *ids) {
  pt_scored heap[1024];
  size_t h = 0;
  if (k > 1024) return -1;
  for (uint32_t i = 0; i < n; i++) {
    float bound = h >= k ? heap[0].d : INFINITY;
    pt_topk_offer(heap, &h, k, (pt_scored){pt_index_dist_within(PT_INDEX_L2, q, data + (size_t)i * dim, dim, bound), i});
  }
  pt_maxheap_sort(heap, h);
  for (size_t j = 0; j < h; j++) ids[j] = heap[j].id;
  return (int)h;
}

/* Bytes the index holds beside the rows. */
PROBE_API double probe_hnsw_bytes(const probe_index *p) { return (double)pt_index_memory(p->ix); }

PROBE_API void probe_hnsw_free(probe_index *p) {
  if (!p) return;
  pt_index_free(p->ix);
  free(p);
}

#ifndef __EMSCRIPTEN__

/* Natively, processor time of this process, not wall time: the development VMs are shared,
 * and another process's load would otherwise count against whichever case ran under it. WASI
 * has no process clock: there it is wall time, so run it on an otherwise idle machine. */
static double now(void) {
#ifdef __wasi__
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
#else
  return (double)clock() / CLOCKS_PER_SEC;
#endif
}

static uint64_t rng = 12345;
static double unif(void) { return (double)(pt_index_rand(&rng) >> 11) * (1.0 / 9007199254740992.0); }
static double gauss(void) {
  double u = unif(), v = unif();
  if (u < 1e-300) u = 1e-300;
  return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

#define K 10

/* The exact top-10 of each query (by pt_index_dist on prepared queries), row ids. */
static double exact_all(pt_index_metric m, const float *data, size_t n, size_t dim, const float *pq, size_t nq,
                        uint32_t *truth) {
  double t0 = now();
  for (size_t q = 0; q < nq; q++) {
    pt_scored heap[K];
    size_t h = 0;
    for (size_t i = 0; i < n; i++) {
      float bound = h >= K ? heap[0].d : INFINITY;
      pt_topk_offer(heap, &h, K, (pt_scored){pt_index_dist_within(m, pq + q * dim, data + i * dim, dim, bound), (uint32_t)i});
    }
    pt_maxheap_sort(heap, h);
    for (size_t j = 0; j < K; j++) truth[q * K + j] = heap[j].id;
  }
  return (double)nq / (now() - t0);
}

/* The nq queries searched with `use` (and filter f, may be NULL): seconds taken, and the recall
 * against truth (K rows a query) in *recall. */
static double search_all(pt_index *ix, const pt_index_rows *rows, const float *pq, size_t nq, size_t dim,
                         const pt_index_search_params *use, const pt_index_filter *f, const uint32_t *truth,
                         double *recall) {
  uint32_t got[K];
  float d[K];
  size_t found = 0, cnt;
  double t0 = now();
  for (size_t q = 0; q < nq; q++) {
    if (pt_index_search(ix, rows, pq + q * dim, use, f, got, d, &cnt) != PT_OK) exit(1);
    for (size_t i = 0; i < cnt; i++)
      for (size_t j = 0; j < K; j++) found += got[i] == truth[q * K + j];
  }
  *recall = (double)found / (double)(nq * K);
  return now() - t0;
}

static void run(pt_index_type type, const char *name, pt_index_metric m, const float *data, size_t n, size_t dim,
                const float *pq, size_t nq, const uint32_t *truth, double exact_qps) {
  pt_index_params p;
  pt_index_params_default(&p, type, m, (uint32_t)dim);
  p.M = 16;               /* hnswlib's default, to compare with hnswlib-wasm */
  p.ef_construction = 200;
  p.nlist = (uint32_t)(4 * sqrt((double)n) + 0.5); /* faiss's guideline: 4 sqrt(n) to 16 sqrt(n) lists */
  p.refine = type == PT_INDEX_HNSW_SQ;
  p.seed = 1;
  pt_index *ix = NULL;
  if (pt_index_new(&p, &ix) != PT_OK) {
    fprintf(stderr, "bench: cannot create %s\n", name);
    exit(1);
  }
  rows_ctx rc = {data, dim};
  pt_index_rows rows = {get_row, &rc};
  uint32_t *ids = malloc(n * sizeof *ids);
  for (size_t i = 0; i < n; i++) ids[i] = (uint32_t)i;
  /* one batch, as Milvus builds an index over a sealed segment (IVF trains on it; an HNSW
   * graph is the same whatever the batches) */
  double t0 = now();
  pt_status st = pt_index_add(ix, &rows, ids, n);
  if (st != PT_OK) {
    fprintf(stderr, "bench: add failed: %s\n", pt_status_str(st));
    exit(1);
  }
  double build = now() - t0;
  free(ids);
  double extra = (double)pt_index_memory(ix) / (double)n;
  printf("%-9s build %8.0f rows/s (%6.1f s), index %6.1f B/row beside %zu B/row of float32 rows\n", name,
         (double)n / build, build, extra, dim * 4);
  static const uint32_t efs[] = {10, 16, 32, 64, 128, 256}, probes[] = {1, 2, 4, 8, 16, 32, 64};
  bool hnsw = type == PT_INDEX_HNSW || type == PT_INDEX_HNSW_SQ;
  size_t steps = hnsw ? sizeof efs / sizeof efs[0] : sizeof probes / sizeof probes[0];
  for (size_t s = 0; s < steps; s++) {
    pt_index_search_params sp = {K, hnsw ? efs[s] : 0, hnsw ? 0 : probes[s], type == PT_INDEX_HNSW_SQ ? 2 : 0, 0}, use;
    if (search_params(ix, &sp, &use) != PT_OK) continue;
    double recall, qps = (double)nq / search_all(ix, &rows, pq, nq, dim, &use, NULL, truth, &recall);
    printf("          %s=%-4u recall@10 %.4f  %9.0f queries/s  %7.3f ms  %6.1fx exact\n", hnsw ? "ef" : "nprobe",
           hnsw ? use.ef : use.nprobe, recall, qps, 1000.0 / qps, qps / exact_qps);
  }
  pt_index_free(ix);
}

/* Filtered search (`filtered` among the types): HNSW under filters that pass P % of the rows (a
 * hash of the row, independent of the clusters), the index walk (pass_hint 1: never its exact
 * fallback) beside the exact filtered scan over the accepted rows, per ef; what decides where
 * the walk stops paying (vindex.c's choice, pt_index_walk_pays). Recall against the exact
 * filtered top-10. */
static uint32_t bucket_of(uint32_t i) { return ((i + 1) * 0x9e3779b1u >> 8) % 100; }

static void run_filtered(pt_index_metric m, const float *data, size_t n, size_t dim, const float *pq, size_t nq) {
  pt_index_params p;
  pt_index_params_default(&p, PT_INDEX_HNSW, m, (uint32_t)dim);
  p.M = 16;
  p.ef_construction = 200;
  p.seed = 1;
  pt_index *ix = NULL;
  uint32_t *ids = malloc(n * sizeof *ids), *acc = malloc(n * sizeof *acc), *truth = malloc(nq * K * sizeof *truth);
  uint8_t *bits = calloc(n / 8 + 1, 1);
  if (!ids || !acc || !truth || !bits || pt_index_new(&p, &ix) != PT_OK) exit(1);
  rows_ctx rc = {data, dim};
  pt_index_rows rows = {get_row, &rc};
  for (size_t i = 0; i < n; i++) ids[i] = (uint32_t)i;
  double t0 = now();
  if (pt_index_add(ix, &rows, ids, n) != PT_OK) exit(1);
  printf("HNSW build %.1f s\n", now() - t0);
  static const uint32_t passes[] = {50, 30, 20, 15, 10, 7, 5, 3, 2, 1}, efs[] = {10, 16, 24, 32, 48, 64, 96, 128};
  for (size_t pi = 0; pi < sizeof passes / sizeof passes[0]; pi++) {
    size_t na = 0;
    memset(bits, 0, n / 8 + 1);
    for (uint32_t i = 0; i < n; i++)
      if (bucket_of(i) < passes[pi]) {
        bits[i >> 3] |= (uint8_t)(1u << (i & 7));
        acc[na++] = i;
      }
    /* the exact filtered scan: the accepted rows' distances, a bounded top-10 */
    t0 = now();
    for (size_t q = 0; q < nq; q++) {
      pt_scored heap[K];
      size_t h = 0;
      for (size_t j = 0; j < na; j++) {
        float bound = h >= K ? heap[0].d : INFINITY;
        pt_topk_offer(heap, &h, K, (pt_scored){pt_index_dist_within(m, pq + q * dim, data + (size_t)acc[j] * dim, dim, bound), acc[j]});
      }
      pt_maxheap_sort(heap, h);
      for (size_t j = 0; j < K; j++) truth[q * K + j] = j < h ? heap[j].id : UINT32_MAX;
    }
    double exact_ms = (now() - t0) * 1000 / (double)nq;
    printf("pass %2u %% (%zu rows): exact filtered %.3f ms\n", passes[pi], na, exact_ms);
    pt_index_bits b = {bits, (uint32_t)n};
    pt_index_filter f = {pt_index_bits_accept, &b};
    for (size_t e = 0; e < sizeof efs / sizeof efs[0]; e++) {
      pt_index_search_params sp = {K, efs[e], 0, 0, 1}, use;
      if (search_params(ix, &sp, &use) != PT_OK) continue;
      double recall, ms = search_all(ix, &rows, pq, nq, dim, &use, &f, truth, &recall) * 1000 / (double)nq;
      printf("          ef=%-4u recall@10 %.4f  %7.3f ms  %5.2fx exact filtered  (pass x p / ef = %.0f)\n", efs[e], recall,
             ms, ms / exact_ms, (double)na * na / (double)n / efs[e]);
    }
  }
  free(ids);
  free(acc);
  free(truth);
  free(bits);
  pt_index_free(ix);
}

/* Whether the comma-separated list names `token`. */
static bool has_token(const char *list, const char *token) {
  size_t len = strlen(token);
  for (const char *p = list; *p;) {
    size_t n = strcspn(p, ",");
    if (n == len && strncmp(p, token, len) == 0) return true;
    p += n + (p[n] == ',');
  }
  return false;
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)atol(argv[1]) : 100000, dim = argc > 2 ? (size_t)atol(argv[2]) : 128;
  size_t nq = argc > 3 ? (size_t)atol(argv[3]) : 200;
  const char *types = argc > 4 ? argv[4] : "hnsw,hnsw_sq,ivf_flat,ivf_sq8";
  const char *metric = argc > 5 ? argv[5] : "L2";
  pt_index_metric m = strcmp(metric, "IP") == 0 ? PT_INDEX_IP : strcmp(metric, "COSINE") == 0 ? PT_INDEX_COSINE : PT_INDEX_L2;
  setvbuf(stdout, NULL, _IOLBF, 0); /* a line at a time, for runs that take minutes */
  size_t centres = 1000;
  float *c = malloc(centres * dim * sizeof *c), *data = malloc(n * dim * sizeof *data), *pq = malloc(nq * dim * sizeof *pq);
  uint32_t *truth = malloc(nq * K * sizeof *truth);
  if (!c || !data || !pq || !truth) return 1;
  for (size_t i = 0; i < centres * dim; i++) c[i] = (float)(unif() * 2 - 1);
  for (size_t i = 0; i < n + nq; i++) {
    const float *ct = c + (pt_index_rand(&rng) % centres) * dim;
    float *out = i < n ? data + i * dim : pq + (i - n) * dim;
    for (size_t d = 0; d < dim; d++) out[d] = ct[d] + (float)(0.35 * gauss());
  }
  for (size_t q = 0; q < nq; q++) pt_index_prepare_query(m, pq + q * dim, pq + q * dim, dim);
  printf("%zu rows x %zu, %zu queries, top-%d, %s, %s\n", n, dim, nq, K, metric,
#ifdef __wasm_simd128__
         "WebAssembly SIMD128"
#else
         "native (the scalar kernels, compiler-vectorised)"
#endif
  );
  double exact_qps = exact_all(m, data, n, dim, pq, nq, truth);
  printf("exact     %9.0f queries/s  %7.3f ms\n", exact_qps, 1000.0 / exact_qps);
  static const struct {
    const char *token, *name;
    pt_index_type type;
  } all[] = {{"hnsw", "HNSW", PT_INDEX_HNSW},
             {"hnsw_sq", "HNSW_SQ", PT_INDEX_HNSW_SQ},
             {"ivf_flat", "IVF_FLAT", PT_INDEX_IVF_FLAT},
             {"ivf_sq8", "IVF_SQ8", PT_INDEX_IVF_SQ8}};
  if (has_token(types, "filtered")) run_filtered(m, data, n, dim, pq, nq);
  for (size_t t = 0; t < sizeof all / sizeof all[0]; t++)
    if (has_token(types, all[t].token)) run(all[t].type, all[t].name, m, data, n, dim, pq, nq, truth, exact_qps);
  free(c);
  free(data);
  free(pq);
  free(truth);
  return 0;
}

#endif /* !__EMSCRIPTEN__ */
