/*
 * ivf.c — IVF_FLAT, IVF_SQ8 and BIN_IVF_FLAT: inverted lists over k-means centroids, with
 * Milvus's nlist and nprobe (index.h). IVF_FLAT lists hold row ids and score the float rows
 * through the accessor (the rows stay in the segments: no second copy, at the price of reading
 * them in random order, where faiss's lists hold copies side by side); IVF_SQ8 lists also hold
 * each row's SQ8 codes (sq8.c), side by side, and score those, returning their approximate
 * distances as Milvus's IVF_SQ8 does. BIN_IVF_FLAT lists hold row ids of binary rows, scored by
 * HAMMING or JACCARD through the accessor, under binary centroids.
 *
 * HOW IT WORKS
 * Training (on the first batch added, as Milvus trains at build): k-means with nlist centroids
 * on a sample of the batch, at most PT_IVF_SAMPLE_PER_LIST rows per list, drawn with the index's
 * seeded generator (a partial Fisher-Yates shuffle; faiss, which knowhere trains with, samples
 * at most 256 rows a list and runs 10 rounds for an IVF index); the centroids start from
 * k-means++ seeding on a subsample of PT_IVF_SEED_PER_LIST rows a list (each a row drawn with
 * probability proportional to its squared distance to the centroids so far: on clustered
 * data, drawing them uniformly as faiss does put several in one cluster and left others to
 * centroids that sit between clusters and take the rows of many, lists 17 times their average
 * length at 100,000 rows), then PT_IVF_ITERATIONS rounds of Lloyd's algorithm: assign every
 * sample row to its nearest centroid (nearest_many: tiles of rows against tiles of centroids),
 * move each centroid to the mean of its rows. A centroid left without rows takes half of the
 * largest cluster: it becomes a
 * copy of that cluster's centroid nudged by +1/1024 on even dimensions and -1/1024 on odd ones,
 * the other one the opposite way (faiss's split). "Nearest" is the metric's: least L2, largest
 * inner product; COSINE trains on unit rows and keeps the centroids unit (spherical k-means),
 * so its nearest is the largest dot product too. IVF_SQ8 then trains SQ8 on the whole batch.
 * Fewer rows than nlist cannot train: the add is refused with PT_RANGE (faiss: "Number of
 * training points should be at least as large as number of clusters").
 *
 * BIN_IVF_FLAT trains as faiss's IndexBinaryIVF does (knowhere builds BIN_IVF_FLAT with it): each
 * sample row is read as floats, bit i as +1 when set and -1 when not (faiss's binary_to_real),
 * the same k-means runs on those with L2, and each centroid becomes binary at the end, bit i set
 * when its coordinate is above 0 (real_to_binary). Rows are then assigned, and centroids probed,
 * by the index's metric (HAMMING or JACCARD) to the binary centroids, as faiss's binary
 * quantiser does. (faiss clusters a JACCARD index with its float "Jaccard" on the +-1 rows; here
 * both metrics cluster with L2, which on +-1 rows is 4 x HAMMING.)
 *
 * Adding: each row goes to the list of its nearest centroid (rows added after training included;
 * the centroids do not move). Search: the query's nprobe nearest centroids, then every row of
 * those lists the filter accepts is scored into a top-k heap. A filter expected to pass a share
 * p of the rows (pass_hint) probes nprobe / p lists, so that about as many rows are scored as
 * without it. With nprobe >= nlist, or where probing would not pay (pt_index_walk_pays), every list is scanned: the
 * search is then exact (IVF_FLAT) or exact over the codes (IVF_SQ8). Removal swaps the row out of its list (order
 * inside a list does not matter).
 *
 * THE PAYLOAD (index.c's format, after the header)
 *   trained u32 (0 or 1), generator state u64,
 *   trained: centroids nlist × dim f32 (BIN_IVF_FLAT: nlist × dim / 8 bytes), then IVF_SQ8:
 *   vmin dim × f32, scale dim × f32,
 *   per list: count u32, rows count × u32, IVF_SQ8: codes count × dim bytes.
 * An untrained index has every list empty; a row is in one list once at most.
 */
#include "index.h"

#include <math.h>

#include "distance.h"
#include "half.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define PT_IVF_SAMPLE_PER_LIST 64
#define PT_IVF_ITERATIONS 10
#define PT_IVF_SEED_PER_LIST 16
#define PT_IVF_SEED_MIN 4096

typedef struct ivf_list {
  uint32_t *rows;
  uint8_t *codes; /* stride bytes per row: IVF_SQ8's SQ8 codes, IVF_RABITQ's RaBitQ codes */
  uint8_t *extra; /* xstride bytes per row: IVF_RABITQ's refine codes (SQ8, FP16, BF16) */
  uint32_t n, cap;
} ivf_list;

struct pt_ivf {
  uint32_t nlist, dim;
  pt_index_metric metric;
  bool sq8;         /* IVF_SQ8: scored on SQ8 codes */
  bool rbq;         /* IVF_RABITQ: scored on RaBitQ codes (rabitq.c) */
  bool has_sq;      /* SQ8 ranges trained: IVF_SQ8, IVF_RABITQ with SQ8 refine codes */
  bool refine;      /* IVF_RABITQ with refine */
  pt_index_refine rtype;
  uint32_t stride, xstride; /* bytes per row of a list's codes and extra codes */
  bool bin;         /* BIN_IVF_FLAT: rows of `code` bytes */
  uint32_t code;    /* BIN_IVF_FLAT: dim / 8 */
  bool trained;
  float *centroids; /* nlist × dim; BIN_IVF_FLAT: while training only */
  uint8_t *bcent;   /* BIN_IVF_FLAT: nlist × code */
  ivf_list *lists;  /* nlist */
  pt_sq8 sqz;
  pt_rbq rot;       /* IVF_RABITQ: the rotation */
  uint64_t rng;
  size_t count;
  /* scratch */
  pt_scored *probe; /* nlist */
  float *qa;        /* dim: a query prepared for SQ8 codes */
  float *rtmp;      /* IVF_RABITQ: 2 pdim floats (a list's residual, rotated, or an encoding's
                     * two buffers) and the float query's table, 4 pdim */
  uint64_t *planes; /* IVF_RABITQ: a quantised query's bit planes */
  const uint8_t **cand_x; /* IVF_RABITQ with refine codes: each candidate's, by heap slot */
  uint32_t *cand_row;
  size_t cand_cap;
};

/* ============================================================================================
 * Centroids
 * ========================================================================================== */

/* The distance of x to centroid c, smaller is better: by the metric's rule, or for BIN_IVF_FLAT
 * (trained) by its metric to the binary centroid. */
static float to_centroid(const pt_ivf *v, const void *x, uint32_t c) {
  if (v->bin) return pt_index_bin_dist(v->metric, x, v->bcent + (size_t)c * v->code, v->code);
  const float *ct = v->centroids + (size_t)c * v->dim;
  return v->metric == PT_INDEX_L2 ? pt_dist_l2_f32(x, ct, v->dim) : -pt_dist_dot_f32(x, ct, v->dim);
}

/* The list whose centroid is nearest to x (unit for COSINE; to_centroid's rule). */
static uint32_t nearest(const pt_ivf *v, const void *x) {
  uint32_t best = 0;
  float best_d = 0;
  for (uint32_t c = 0; c < v->nlist; c++) {
    float d = to_centroid(v, x, c);
    if (c == 0 || d < best_d) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

static void normalise(float *x, size_t dim) { pt_index_prepare_query(PT_INDEX_COSINE, x, x, dim); }

/* ---- Many rows to their nearest centroids at once (training and adding) ----
 * The one cost that grows with nlist x rows: 1,000,000 rows under 4,000 lists are 5.1e11
 * multiply-adds, and k-means on a 256,000-row sample ten times as many. Scored one pair at a
 * time (to_centroid) each pair reloads both vectors and folds its own sum; here a tile of
 * PT_IVF_TILE_ROWS rows meets a tile of PT_IVF_TILE_CENTROIDS centroids (both stay in cache), 4
 * rows against 2 centroids at a time, each vector chunk loaded once for several pairs. "Nearest"
 * is by the dot product: least |c|^2 / 2 - x . c for L2 (|x|^2 is the same for every centroid),
 * largest x . c for IP and COSINE (unit centroids), the first centroid on a tie. The products
 * sum in 4 lanes (lane k the terms i with i % 4 == k, while 4 remain), folded as (l0 + l1) +
 * (l2 + l3), then the last dim % 4 terms in order: the SIMD128 and scalar versions agree
 * bitwise, so native and WebAssembly builds train the same lists. (A search ranks its probes by
 * to_centroid: a row whose two nearest centroids tie to within rounding may sit in the list a
 * search ranks second, which costs nothing but that row's share of recall at nprobe 1.) */
#define PT_IVF_TILE_ROWS 64
#define PT_IVF_TILE_CENTROIDS 64

/* out[2 r + j] = x[r] . c[j] for 4 rows and 2 centroids (the order above) */
static void dots_4x2(const float *const *x, const float *c0, const float *c1, size_t dim, float *out) {
  size_t i = 0;
#ifdef __wasm_simd128__
  v128_t a[8];
  for (int j = 0; j < 8; j++) a[j] = wasm_f32x4_splat(0);
  for (; i + 4 <= dim; i += 4) {
    v128_t k0 = wasm_v128_load(c0 + i), k1 = wasm_v128_load(c1 + i);
    v128_t r0 = wasm_v128_load(x[0] + i), r1 = wasm_v128_load(x[1] + i);
    v128_t r2 = wasm_v128_load(x[2] + i), r3 = wasm_v128_load(x[3] + i);
    a[0] = wasm_f32x4_add(a[0], wasm_f32x4_mul(r0, k0));
    a[1] = wasm_f32x4_add(a[1], wasm_f32x4_mul(r0, k1));
    a[2] = wasm_f32x4_add(a[2], wasm_f32x4_mul(r1, k0));
    a[3] = wasm_f32x4_add(a[3], wasm_f32x4_mul(r1, k1));
    a[4] = wasm_f32x4_add(a[4], wasm_f32x4_mul(r2, k0));
    a[5] = wasm_f32x4_add(a[5], wasm_f32x4_mul(r2, k1));
    a[6] = wasm_f32x4_add(a[6], wasm_f32x4_mul(r3, k0));
    a[7] = wasm_f32x4_add(a[7], wasm_f32x4_mul(r3, k1));
  }
  for (int j = 0; j < 8; j++)
    out[j] = (wasm_f32x4_extract_lane(a[j], 0) + wasm_f32x4_extract_lane(a[j], 1)) +
             (wasm_f32x4_extract_lane(a[j], 2) + wasm_f32x4_extract_lane(a[j], 3));
#else
  float a[8][4] = {{0}};
  for (; i + 4 <= dim; i += 4)
    for (int r = 0; r < 4; r++)
      for (int l = 0; l < 4; l++) {
        a[2 * r][l] += x[r][i + l] * c0[i + l];
        a[2 * r + 1][l] += x[r][i + l] * c1[i + l];
      }
  for (int j = 0; j < 8; j++) out[j] = (a[j][0] + a[j][1]) + (a[j][2] + a[j][3]);
#endif
  for (; i < dim; i++)
    for (int r = 0; r < 4; r++) {
      out[2 * r] += x[r][i] * c0[i];
      out[2 * r + 1] += x[r][i] * c1[i];
    }
}

/* half[c] = |c|^2 / 2 for L2 (and a binary index's training, which is L2), 0 for IP and COSINE:
 * the centroids' part of the score */
static void centroid_halves(const pt_ivf *v, float *half) {
  bool l2 = v->metric == PT_INDEX_L2 || v->bin;
  for (uint32_t c = 0; c < v->nlist; c++) {
    const float *ct = v->centroids + (size_t)c * v->dim;
    half[c] = l2 ? 0.5f * pt_dist_dot_f32(ct, ct, v->dim) : 0;
  }
}

/* best[i] = the nearest centroid of rows x[0..n) (float rows: unit for COSINE, +-1 for a binary
 * index's training; see above), half from centroid_halves. */
static void nearest_many(const pt_ivf *v, const float *const *x, size_t n, const float *half, uint32_t *best) {
  size_t k = v->nlist, dim = v->dim;
  float score[PT_IVF_TILE_ROWS], out[8];
  for (size_t r0 = 0; r0 < n; r0 += PT_IVF_TILE_ROWS) {
    size_t nr = n - r0 < PT_IVF_TILE_ROWS ? n - r0 : PT_IVF_TILE_ROWS;
    for (size_t r = 0; r < nr; r++) score[r] = INFINITY;
    for (size_t c0 = 0; c0 < k; c0 += PT_IVF_TILE_CENTROIDS) {
      size_t c1 = k - c0 < PT_IVF_TILE_CENTROIDS ? k : c0 + PT_IVF_TILE_CENTROIDS;
      for (size_t r = 0; r < nr; r += 4) {
        const float *xs[4];
        for (int j = 0; j < 4; j++) xs[j] = x[r0 + (r + j < nr ? r + j : r)]; /* a short group repeats its first row */
        for (size_t c = c0; c < c1; c += 2) {
          size_t cb = c + 1 < c1 ? c + 1 : c;
          dots_4x2(xs, v->centroids + c * dim, v->centroids + cb * dim, dim, out);
          for (size_t j = 0; j < 4 && r + j < nr; j++) {
            float s0 = half[c] - out[2 * j], s1 = half[cb] - out[2 * j + 1];
            if (s0 < score[r + j]) {
              score[r + j] = s0;
              best[r0 + r + j] = (uint32_t)c;
            }
            if (s1 < score[r + j]) {
              score[r + j] = s1;
              best[r0 + r + j] = (uint32_t)cb;
            }
          }
        }
      }
    }
    for (size_t r = 0; r < nr; r++) /* rows whose every score is NaN: the first list */
      if (score[r] == INFINITY) best[r0 + r] = 0;
  }
}

/* A row as the k-means reads it: the float row (COSINE: unit, in tmp), or a binary row's bits
 * as +-1 floats in tmp. */
static const float *train_row(const pt_ivf *v, const pt_index_rows *rows, uint32_t id, float *tmp) {
  const void *x = rows->get(rows->ctx, id);
  if (v->bin) {
    const uint8_t *b = x;
    for (uint32_t d = 0; d < v->dim; d++) tmp[d] = (b[d >> 3] >> (d & 7)) & 1 ? 1.0f : -1.0f;
    return tmp;
  }
  if (v->metric != PT_INDEX_COSINE) return x;
  pt_index_prepare_query(PT_INDEX_COSINE, x, tmp, v->dim);
  return tmp;
}

/* k-means on rows ids[0..n) into v->centroids (allocated here; freed by the caller on failure).
 * HOW IT WORKS: see the file's top. */
static pt_status train(pt_ivf *v, const pt_index_rows *rows, const uint32_t *ids, size_t n) {
  size_t k = v->nlist, dim = v->dim, s = n;
  if (s > k * PT_IVF_SAMPLE_PER_LIST) s = k * PT_IVF_SAMPLE_PER_LIST;
  bool cosine = v->metric == PT_INDEX_COSINE, copy = cosine || v->bin;
  uint32_t *perm = pt_malloc(n * sizeof *perm), *counts = pt_malloc(k * sizeof *counts);
  uint32_t *assign = pt_malloc(s * sizeof *assign);
  float *sums = pt_malloc(k * dim * sizeof *sums), *half = pt_malloc(k * sizeof *half);
  const float **sx = pt_malloc(s * sizeof *sx);
  /* the sample as the k-means reads it: unit rows (COSINE) and +-1 rows (binary) copied once */
  float *scopy = copy ? pt_malloc(s * dim * sizeof *scopy) : NULL;
  double *d2 = pt_malloc(s * sizeof *d2);
  float *cc = pt_malloc(k * sizeof *cc), *seed = NULL;
  v->centroids = pt_malloc(k * dim * sizeof *v->centroids);
  pt_status rc = PT_NOMEM;
  if (!perm || !counts || !assign || !sums || !half || !sx || (copy && !scopy) || !d2 || !cc || !v->centroids) goto done;
  /* the sample: a partial Fisher-Yates shuffle of the batch's positions */
  for (size_t i = 0; i < n; i++) perm[i] = (uint32_t)i;
  for (size_t i = 0; i < s; i++) {
    size_t j = i + (size_t)(pt_index_rand(&v->rng) % (n - i));
    uint32_t t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  for (size_t i = 0; i < s; i++) {
    const float *x = train_row(v, rows, ids[perm[i]], copy ? scopy + i * dim : NULL);
    if (copy && x != scopy + i * dim) memcpy(scopy + i * dim, x, dim * sizeof *scopy);
    sx[i] = copy ? scopy + i * dim : x;
  }
  /* k-means++ seeding, on the sample's first PT_IVF_SEED_PER_LIST rows a list, at least
   * PT_IVF_SEED_MIN (the sample is shuffled: a uniform subsample), copied side by side: the first centroid a row drawn
   * uniformly, each next one a row drawn with probability proportional to its squared L2
   * distance to the nearest centroid so far (Arthur & Vassilvitskii, 2007), on unit rows for
   * COSINE. Each centroid drawn scores every seeding row once, one pair at a time, nlist x rows x
   * dim in all: on the whole sample that was 4.4 times Lloyd's ten rounds at 100,000 rows (47 of
   * 72 s), the rows read from memory in random order. A row whose nearest centroid a is at least
   * twice as far from the new one c as from the row (|c - a|^2 >= 4 d2) cannot come nearer to c
   * (the triangle inequality): its distance to c is not computed. */
  size_t ns = k * PT_IVF_SEED_PER_LIST > PT_IVF_SEED_MIN ? k * PT_IVF_SEED_PER_LIST : PT_IVF_SEED_MIN;
  if (ns > s) ns = s;
  if (!(seed = pt_malloc(ns * dim * sizeof *seed))) goto done;
  for (size_t i = 0; i < ns; i++) memcpy(seed + i * dim, sx[i], dim * sizeof *seed);
  double total = 0;
  for (size_t c = 0; c < k; c++) {
    size_t pick = (size_t)(pt_index_rand(&v->rng) % ns);
    if (c > 0 && total > 0) {
      double r = (double)(pt_index_rand(&v->rng) >> 11) * (1.0 / 9007199254740992.0) * total, acc = 0;
      for (pick = 0; pick + 1 < ns; pick++) {
        acc += d2[pick];
        if (acc > r) break;
      }
    }
    float *ct = v->centroids + c * dim;
    memcpy(ct, seed + pick * dim, dim * sizeof *ct);
    for (size_t j = 0; j < c; j++) cc[j] = pt_dist_l2_f32(ct, v->centroids + j * dim, dim);
    total = 0;
    for (size_t i = 0; i < ns; i++) {
      if (c == 0 || (double)cc[assign[i]] < 4 * d2[i]) {
        double d = pt_dist_l2_f32(seed + i * dim, ct, dim);
        if (c == 0 || d < d2[i]) {
          d2[i] = d;
          assign[i] = (uint32_t)c;
        }
      }
      total += d2[i];
    }
  }
  for (int it = 0; it < PT_IVF_ITERATIONS; it++) {
    memset(sums, 0, k * dim * sizeof *sums);
    memset(counts, 0, k * sizeof *counts);
    centroid_halves(v, half);
    nearest_many(v, sx, s, half, assign);
    for (size_t i = 0; i < s; i++) {
      uint32_t c = assign[i];
      counts[c]++;
      float *sc = sums + (size_t)c * dim;
      for (size_t d = 0; d < dim; d++) sc[d] += sx[i][d];
    }
    for (size_t c = 0; c < k; c++) {
      if (!counts[c]) continue;
      float *ct = v->centroids + c * dim, *sc = sums + c * dim;
      for (size_t d = 0; d < dim; d++) ct[d] = sc[d] / (float)counts[c];
      if (cosine) normalise(ct, dim);
    }
    /* empty clusters take half of the largest */
    for (size_t c = 0; c < k; c++) {
      if (counts[c]) continue;
      size_t big = 0;
      for (size_t b = 1; b < k; b++)
        if (counts[b] > counts[big]) big = b;
      float *ct = v->centroids + c * dim, *cb = v->centroids + big * dim;
      for (size_t d = 0; d < dim; d++) {
        float e = (d & 1) ? -1.0f / 1024 : 1.0f / 1024;
        ct[d] = cb[d] * (1 + e);
        cb[d] = cb[d] * (1 - e);
      }
      if (cosine) {
        normalise(ct, dim);
        normalise(cb, dim);
      }
      counts[c] = counts[big] / 2;
      counts[big] -= counts[c];
    }
  }
  if (v->bin) { /* faiss's real_to_binary: bit set where the centroid is above 0 */
    if (!(v->bcent = pt_calloc(k, v->code))) goto done;
    for (size_t c = 0; c < k; c++)
      for (size_t d = 0; d < dim; d++)
        if (v->centroids[c * dim + d] > 0) v->bcent[c * v->code + (d >> 3)] |= (uint8_t)(1u << (d & 7));
    pt_free(v->centroids);
    v->centroids = NULL;
  }
  rc = PT_OK;
done:
  pt_free(perm);
  pt_free(counts);
  pt_free(assign);
  pt_free(sums);
  pt_free(half);
  pt_free((void *)sx);
  pt_free(scopy);
  pt_free(d2);
  pt_free(cc);
  pt_free(seed);
  return rc;
}

/* ============================================================================================
 * Adding and removing
 * ========================================================================================== */

/* Stages list l's arrays for `need` rows into g; its new capacity into *cap. */
static pt_status stage_list(pt_ivf *v, ivf_list *l, pt_grow_set *g, size_t need, uint32_t *cap) {
  *cap = l->cap;
  if (need <= l->cap) return PT_OK;
  if (need > UINT32_MAX) return PT_NOMEM;
  size_t c = l->cap ? (size_t)l->cap * 2 : 16, bytes;
  if (c < need) c = need;
  if (c > UINT32_MAX) c = UINT32_MAX;
  pt_status rc = pt_grow_stage(g, (void **)&l->rows, (size_t)l->n * 4, c * 4);
  if (rc == PT_OK && v->stride)
    rc = pt_mul_ok(c, v->stride, &bytes) ? pt_grow_stage(g, (void **)&l->codes, (size_t)l->n * v->stride, bytes) : PT_NOMEM;
  if (rc == PT_OK && v->xstride)
    rc = pt_mul_ok(c, v->xstride, &bytes) ? pt_grow_stage(g, (void **)&l->extra, (size_t)l->n * v->xstride, bytes) : PT_NOMEM;
  if (rc == PT_OK) *cap = (uint32_t)c;
  return rc;
}

static void untrain(pt_ivf *v) {
  pt_free(v->centroids);
  pt_free(v->bcent);
  v->centroids = NULL;
  v->bcent = NULL;
  pt_sq8_free(&v->sqz);
  v->trained = false;
}

/* Writes row x's codes for list `list`: IVF_SQ8's SQ8 codes, or IVF_RABITQ's RaBitQ code (of
 * the unit row for COSINE, in tmp) and its refine codes. Allocates nothing. */
static void encode_row(pt_ivf *v, float *tmp, const float *x, uint32_t list, uint8_t *code, uint8_t *extra) {
  if (v->sq8) {
    pt_sq8_encode(&v->sqz, v->metric, x, code);
    return;
  }
  const float *xu = x;
  if (v->metric == PT_INDEX_COSINE) {
    pt_index_prepare_query(PT_INDEX_COSINE, x, tmp, v->dim);
    xu = tmp;
  }
  pt_rbq_encode(&v->rot, v->metric, xu, v->centroids + (size_t)list * v->dim, v->rtmp, code);
  if (v->rtype == PT_REFINE_SQ8) {
    pt_sq8_encode(&v->sqz, v->metric, x, extra);
  } else if (v->xstride) { /* FP16 / BF16: the row as it is (COSINE divides by its norm when scored) */
    for (uint32_t d = 0; d < v->dim; d++) {
      uint16_t h = v->rtype == PT_REFINE_BF16 ? pt_f32_to_bf16(x[d]) : pt_f32_to_f16(x[d]);
      memcpy(extra + 2 * (size_t)d, &h, 2);
    }
  }
}

pt_status pt_ivf_add(pt_index *ix, const pt_index_rows *rows, const uint32_t *ids, size_t n) {
  pt_ivf *v = ix->ivf;
  /* Plan (all or nothing):
   *   1. an untrained index trains on this batch (k-means, then SQ8 for IVF_SQ8)
   *   2. each row's list, into a scratch array
   *   3. reserve room in those lists and the row map
   *   4. commit: a row already in the index leaves its old list, then each row is appended */
  bool trained_here = false;
  uint64_t rng = v->rng;
  pt_status rc;
  uint32_t *assign = NULL, *more = NULL;
  pt_grow_set g = {NULL, 0, 0};
  /* 1. */
  if (!v->trained) {
    if (n < v->nlist) return PT_RANGE;
    rc = train(v, rows, ids, n);
    if (rc == PT_OK && v->has_sq) rc = pt_sq8_train(&v->sqz, v->metric, rows, ids, n, v->dim);
    v->trained = trained_here = true;
    if (rc != PT_OK) goto fail;
  }
  /* 2. */
  rc = PT_NOMEM;
  if (!(assign = pt_malloc(n * sizeof *assign)) || !(more = pt_calloc(v->nlist, sizeof *more))) goto fail;
  float *tmp = ix->qbuf;
  if (v->bin) {
    for (size_t i = 0; i < n; i++) assign[i] = nearest(v, rows->get(rows->ctx, ids[i]));
  } else {
    /* PT_IVF_TILE_ROWS rows at a time (COSINE: unit copies) to their nearest centroids */
    const float *xs[PT_IVF_TILE_ROWS];
    float *unit = NULL, *half = pt_malloc(v->nlist * sizeof *half);
    if (!half || (v->metric == PT_INDEX_COSINE && !(unit = pt_malloc(PT_IVF_TILE_ROWS * (size_t)v->dim * sizeof *unit)))) {
      pt_free(half);
      goto fail;
    }
    centroid_halves(v, half);
    for (size_t i0 = 0; i0 < n; i0 += PT_IVF_TILE_ROWS) {
      size_t nb = n - i0 < PT_IVF_TILE_ROWS ? n - i0 : PT_IVF_TILE_ROWS;
      for (size_t j = 0; j < nb; j++) {
        xs[j] = rows->get(rows->ctx, ids[i0 + j]);
        if (unit) {
          pt_index_prepare_query(PT_INDEX_COSINE, xs[j], unit + j * v->dim, v->dim);
          xs[j] = unit + j * v->dim;
        }
      }
      nearest_many(v, xs, nb, half, assign + i0);
    }
    pt_free(unit);
    pt_free(half);
  }
  for (size_t i = 0; i < n; i++) more[assign[i]]++;
  /* 3. every list that grows, staged, then the row map (it grows in place, atomically) */
  size_t growing = 0;
  for (uint32_t c = 0; c < v->nlist; c++) growing += more[c] && v->lists[c].n + more[c] > v->lists[c].cap;
  if (!(g.items = pt_malloc((3 * growing + 1) * sizeof *g.items))) goto fail;
  g.cap = 3 * growing + 1;
  for (uint32_t c = 0; c < v->nlist; c++) {
    /* `more` becomes the list's capacity once committed */
    if (more[c] && (rc = stage_list(v, &v->lists[c], &g, (size_t)v->lists[c].n + more[c], &more[c])) != PT_OK) goto fail;
    if (!more[c]) more[c] = v->lists[c].cap;
  }
  if ((rc = pt_u32map_reserve(&ix->where, n)) != PT_OK) goto fail;
  pt_grow_commit(&g);
  for (uint32_t c = 0; c < v->nlist; c++) v->lists[c].cap = more[c];
  /* 4. */
  for (size_t i = 0; i < n; i++) {
    uint32_t old = pt_u32map_get(&ix->where, ids[i]);
    if (old != PT_INDEX_NONE) pt_ivf_remove(ix, old, ids[i]);
    ivf_list *l = &v->lists[assign[i]];
    l->rows[l->n] = ids[i];
    if (v->stride)
      encode_row(v, tmp, rows->get(rows->ctx, ids[i]), assign[i], l->codes + (size_t)l->n * v->stride,
                 v->xstride ? l->extra + (size_t)l->n * v->xstride : NULL);
    l->n++;
    v->count++;
    pt_u32map_put(&ix->where, ids[i], assign[i]);
  }
  pt_free(g.items);
  pt_free(assign);
  pt_free(more);
  return PT_OK;
fail:
  pt_grow_abort(&g);
  pt_free(g.items);
  pt_free(assign);
  pt_free(more);
  if (trained_here) {
    untrain(v);
    v->rng = rng;
  }
  return rc;
}

void pt_ivf_remove(pt_index *ix, uint32_t list, uint32_t row) {
  pt_ivf *v = ix->ivf;
  ivf_list *l = &v->lists[list];
  for (uint32_t i = 0; i < l->n; i++) {
    if (l->rows[i] != row) continue;
    uint32_t last = l->n - 1;
    l->rows[i] = l->rows[last];
    if (v->stride) memmove(l->codes + (size_t)i * v->stride, l->codes + (size_t)last * v->stride, v->stride);
    if (v->xstride) memmove(l->extra + (size_t)i * v->xstride, l->extra + (size_t)last * v->xstride, v->xstride);
    l->n = last;
    v->count--;
    return;
  }
}

pt_status pt_ivf_compact(pt_index *ix, const uint32_t *remap, size_t n_remap) {
  pt_ivf *v = ix->ivf;
  /* 1. the new row map, built apart (the one allocation); a new id given twice is misuse */
  pt_u32map fresh = {NULL, NULL, 0, 0};
  size_t keep = 0;
  for (uint32_t c = 0; c < v->nlist; c++)
    for (uint32_t i = 0; i < v->lists[c].n; i++) {
      uint32_t r = v->lists[c].rows[i];
      keep += r < n_remap && remap[r] != PT_INDEX_NONE;
    }
  if (pt_u32map_reserve(&fresh, keep) != PT_OK) return PT_NOMEM;
  for (uint32_t c = 0; c < v->nlist; c++)
    for (uint32_t i = 0; i < v->lists[c].n; i++) {
      uint32_t r = v->lists[c].rows[i], nr = r < n_remap ? remap[r] : PT_INDEX_NONE;
      if (nr == PT_INDEX_NONE) continue;
      if (pt_u32map_get(&fresh, nr) != PT_INDEX_NONE) {
        pt_u32map_free(&fresh);
        return PT_MISUSE;
      }
      pt_u32map_put(&fresh, nr, c);
    }
  /* 2. each list keeps its staying rows, in order, under their new ids */
  for (uint32_t c = 0; c < v->nlist; c++) {
    ivf_list *l = &v->lists[c];
    uint32_t j = 0;
    for (uint32_t i = 0; i < l->n; i++) {
      uint32_t r = l->rows[i], nr = r < n_remap ? remap[r] : PT_INDEX_NONE;
      if (nr == PT_INDEX_NONE) continue;
      l->rows[j] = nr;
      if (v->stride && i != j) memcpy(l->codes + (size_t)j * v->stride, l->codes + (size_t)i * v->stride, v->stride);
      if (v->xstride && i != j) memcpy(l->extra + (size_t)j * v->xstride, l->extra + (size_t)i * v->xstride, v->xstride);
      j++;
    }
    l->n = j;
  }
  v->count = keep;
  pt_u32map_free(&ix->where);
  ix->where = fresh;
  return PT_OK;
}

/* ============================================================================================
 * Searching
 * ========================================================================================== */

/* IVF_RABITQ with refine codes: room for `n` candidates' slots. */
static pt_status cand_reserve(pt_ivf *v, size_t n) {
  if (n <= v->cand_cap) return PT_OK;
  size_t bytes;
  if (!pt_mul_ok(n, sizeof *v->cand_x, &bytes)) return PT_NOMEM;
  const uint8_t **x = pt_malloc(bytes);
  uint32_t *r = pt_malloc(n * sizeof *r);
  if (!x || !r) {
    pt_free((void *)x);
    pt_free(r);
    return PT_NOMEM;
  }
  pt_free((void *)v->cand_x);
  pt_free(v->cand_row);
  v->cand_x = x;
  v->cand_row = r;
  v->cand_cap = n;
  return PT_OK;
}

/* The refine distance of candidate row `row` (its refine codes at x): the float row's
 * (pt_index_dist_within: the exact search's value), or its SQ8 / FP16 / BF16 codes'. */
static float refine_dist(const pt_index *ix, const pt_index_rows *rows, const float *q, const pt_sq8_query *sq,
                         uint32_t row, const uint8_t *x, float bound) {
  const pt_ivf *v = ix->ivf;
  switch (v->rtype) {
  case PT_REFINE_SQ8: return pt_sq8_dist(&v->sqz, v->metric, sq, x);
  case PT_REFINE_FP16: return pt_index_dist_row(PT_INDEX_F16, v->metric, q, x, v->dim, bound);
  case PT_REFINE_BF16: return pt_index_dist_row(PT_INDEX_BF16, v->metric, q, x, v->dim, bound);
  case PT_REFINE_FP32:
  default: return pt_index_dist_within(v->metric, q, rows->get(rows->ctx, row), v->dim, bound);
  }
}

pt_status pt_ivf_search(pt_index *ix, const pt_index_rows *rows, const void *q, const pt_index_search_params *sp,
                        const pt_index_filter *f, pt_scored **out, size_t *count) {
  pt_ivf *v = ix->ivf;
  *out = ix->res;
  *count = 0;
  if (!v->count) return PT_OK;
  size_t k = sp->k, want = k;
  /* IVF_RABITQ with refine: the best refine_k * k by their estimates, re-scored */
  bool refine = v->rbq && v->refine, slots = refine && v->rtype != PT_REFINE_FP32;
  if (refine) {
    double r = ceil((double)sp->refine_k * (double)k);
    want = r < (double)v->count ? (size_t)r : v->count;
    if (want < k) want = k;
  }
  if (pt_index_res_reserve(ix, want) != PT_OK || (slots && cand_reserve(v, want) != PT_OK)) return PT_NOMEM;
  *out = ix->res;
  /* the lists to scan: the nprobe nearest centroids, or all of them */
  double wanted = sp->nprobe;
  /* a filter that passes a share p of the rows: probe 1/p as many lists, for as many candidates */
  if (sp->pass_hint > 0)
    wanted = pt_index_walk_pays(&ix->p, sp, (uint64_t)(sp->pass_hint * (double)v->count), v->count)
                 ? ceil(wanted / sp->pass_hint)
                 : v->nlist;
  size_t nprobe = wanted < v->nlist ? (size_t)wanted : v->nlist, np = 0;
  for (uint32_t c = 0; c < v->nlist; c++) {
    if (nprobe == v->nlist) {
      v->probe[np++] = (pt_scored){0, c};
      continue;
    }
    pt_topk_offer(v->probe, &np, nprobe, (pt_scored){to_centroid(v, q, c), c});
  }
  pt_sq8_query sq;
  if (v->has_sq) pt_sq8_prepare(&v->sqz, v->metric, q, v->qa, &sq);
  /* (rtmp is NULL but for IVF_RABITQ) */
  pt_rbq_query rb = {0, 0, 0, 0, 0, v->rbq ? v->rtmp + 2 * (size_t)v->rot.pdim : NULL, v->planes};
  size_t nr = 0;
  for (size_t p = 0; p < np; p++) {
    uint32_t list = v->probe[p].id;
    const ivf_list *l = &v->lists[list];
    if (!l->n) continue;
    if (v->rbq) {
      pt_rbq_prepare(&v->rot, v->metric, q, v->centroids + (size_t)list * v->dim, sp->qbits, v->rtmp, &rb);
      for (uint32_t i = 0; i < l->n; i++) {
        uint32_t row = l->rows[i];
        if (f && !f->accept(f->ctx, row)) continue;
        float d = pt_rbq_dist(&v->rot, &rb, l->codes + (size_t)i * v->stride);
        if (!slots) {
          pt_topk_offer(ix->res, &nr, want, (pt_scored){d, row});
          continue;
        }
        /* the heap holds slots, each slot its candidate's row and refine codes */
        uint32_t slot;
        if (nr < want) slot = (uint32_t)nr;
        else if (d < ix->res[0].d) slot = ix->res[0].id;
        else continue;
        v->cand_row[slot] = row;
        v->cand_x[slot] = l->extra + (size_t)i * v->xstride;
        if (nr < want) pt_maxheap_push(ix->res, &nr, (pt_scored){d, slot});
        else pt_maxheap_replace_top(ix->res, nr, (pt_scored){d, slot});
      }
      continue;
    }
    for (uint32_t i = 0; i < l->n; i++) {
      uint32_t row = l->rows[i];
      if (f && !f->accept(f->ctx, row)) continue;
      float bound = nr >= k ? ix->res[0].d : INFINITY;
      const void *x = v->sq8 ? NULL : rows->get(rows->ctx, row);
      float d = v->sq8 ? pt_sq8_dist(&v->sqz, v->metric, &sq, l->codes + (size_t)i * v->dim)
                : v->bin ? pt_index_bin_dist(v->metric, q, x, v->code)
                         : pt_index_dist_within(v->metric, q, x, v->dim, bound);
      pt_topk_offer(ix->res, &nr, k, (pt_scored){d, row});
    }
  }
  if (refine) {
    /* in place: the k best of the re-scored candidates as a max-heap at the front (a slot's
     * entry is read before the front reaches it) */
    size_t m = 0;
    for (size_t i = 0; i < nr; i++) {
      uint32_t row = slots ? v->cand_row[ix->res[i].id] : ix->res[i].id;
      const uint8_t *x = slots ? v->cand_x[ix->res[i].id] : NULL;
      float bound = m >= k ? ix->res[0].d : INFINITY;
      pt_topk_offer(ix->res, &m, k, (pt_scored){refine_dist(ix, rows, q, &sq, row, x, bound), row});
    }
    nr = m;
  }
  *count = nr;
  return PT_OK;
}

/* ============================================================================================
 * Life cycle, memory, bytes
 * ========================================================================================== */

pt_status pt_ivf_new(pt_index *ix) {
  pt_ivf *v = pt_calloc(1, sizeof *v);
  if (!v) return PT_NOMEM;
  ix->ivf = v;
  v->nlist = ix->p.nlist;
  v->dim = ix->p.dim;
  v->metric = ix->p.metric;
  v->sq8 = ix->p.type == PT_INDEX_IVF_SQ8;
  v->rbq = ix->p.type == PT_INDEX_IVF_RABITQ;
  v->refine = v->rbq && ix->p.refine;
  v->rtype = v->refine ? ix->p.refine_type : PT_REFINE_FP32;
  v->has_sq = v->sq8 || v->rtype == PT_REFINE_SQ8;
  v->bin = pt_index_binary(ix->p.type);
  v->code = v->dim / 8;
  v->rng = ix->p.seed;
  if (!(v->lists = pt_calloc(v->nlist, sizeof *v->lists)) || !(v->probe = pt_malloc(v->nlist * sizeof *v->probe)) ||
      !(v->qa = pt_malloc(v->dim * sizeof *v->qa)))
    return PT_NOMEM; /* pt_index_new frees */
  v->stride = v->sq8 ? v->dim : 0;
  if (v->rbq) {
    if (pt_rbq_init(&v->rot, v->dim, ix->p.seed) != PT_OK) return PT_NOMEM;
    v->stride = (uint32_t)pt_rbq_code_bytes(&v->rot);
    v->xstride = v->rtype == PT_REFINE_SQ8 ? v->dim : v->rtype == PT_REFINE_FP32 ? 0 : 2 * v->dim;
    if (!(v->rtmp = pt_malloc(6 * (size_t)v->rot.pdim * sizeof *v->rtmp)) ||
        !(v->planes = pt_malloc((size_t)PT_RBQ_MAX_QBITS * v->rot.words * sizeof *v->planes)))
      return PT_NOMEM;
  }
  return PT_OK;
}

void pt_ivf_free(pt_ivf *v) {
  if (!v) return;
  if (v->lists)
    for (uint32_t c = 0; c < v->nlist; c++) {
      pt_free(v->lists[c].rows);
      pt_free(v->lists[c].codes);
      pt_free(v->lists[c].extra);
    }
  pt_free(v->lists);
  untrain(v);
  pt_rbq_free(&v->rot);
  pt_free(v->probe);
  pt_free(v->qa);
  pt_free(v->rtmp);
  pt_free(v->planes);
  pt_free((void *)v->cand_x);
  pt_free(v->cand_row);
  pt_free(v);
}

size_t pt_ivf_memory(const pt_ivf *v) {
  size_t b = sizeof *v + (size_t)v->nlist * (sizeof(ivf_list) + sizeof(pt_scored)) + v->dim * sizeof(float);
  if (v->centroids) b += (size_t)v->nlist * v->dim * sizeof(float);
  if (v->bcent) b += (size_t)v->nlist * v->code;
  if (v->sqz.vmin) b += 2 * (size_t)v->dim * sizeof(float);
  if (v->rbq) /* the rotation's signs, its scratch, the candidates' slots */
    b += (size_t)v->rot.pdim * 3 / 8 + (size_t)v->rot.pdim * 6 * sizeof(float) +
         (size_t)PT_RBQ_MAX_QBITS * v->rot.words * 8 + v->cand_cap * (sizeof *v->cand_x + 4);
  for (uint32_t c = 0; c < v->nlist; c++) b += (size_t)v->lists[c].cap * (4 + (size_t)v->stride + v->xstride);
  return b;
}

size_t pt_ivf_count(const pt_ivf *v) { return v->count; }

void pt_ivf_save(const pt_index *ix, pt_ibuf *w) {
  const pt_ivf *v = ix->ivf;
  pt_ibuf_u32(w, v->trained ? 1 : 0);
  pt_ibuf_u64(w, v->rng);
  if (v->trained) {
    if (v->bin) pt_ibuf_put(w, v->bcent, (size_t)v->nlist * v->code);
    else pt_ibuf_f32s(w, v->centroids, (size_t)v->nlist * v->dim);
    if (v->has_sq) {
      pt_ibuf_f32s(w, v->sqz.vmin, v->dim);
      pt_ibuf_f32s(w, v->sqz.scale, v->dim);
    }
  }
  for (uint32_t c = 0; c < v->nlist; c++) {
    const ivf_list *l = &v->lists[c];
    pt_ibuf_u32(w, l->n);
    pt_ibuf_u32s(w, l->rows, l->n);
    pt_ibuf_put(w, l->codes, (size_t)l->n * v->stride);
    pt_ibuf_put(w, l->extra, (size_t)l->n * v->xstride);
  }
}

/* IVF_RABITQ: whether a loaded list's codes hold together: every factor finite, and FP16 /
 * BF16 refine codes finite (any bits are a RaBitQ code, any bytes SQ8 codes). */
static bool codes_hold(const pt_ivf *v, const ivf_list *l) {
  size_t nb = v->rot.pdim / 8;
  for (uint32_t i = 0; i < l->n; i++) {
    float fg[2];
    memcpy(fg, l->codes + (size_t)i * v->stride + nb, sizeof fg);
    if (!isfinite(fg[0]) || !isfinite(fg[1])) return false;
    if (v->rtype != PT_REFINE_FP16 && v->rtype != PT_REFINE_BF16) continue;
    const uint8_t *x = l->extra + (size_t)i * v->xstride;
    for (uint32_t d = 0; d < v->dim; d++) {
      uint16_t h;
      memcpy(&h, x + 2 * (size_t)d, 2);
      bool inf_nan = v->rtype == PT_REFINE_BF16 ? (h & 0x7f80u) == 0x7f80u : (h & 0x7c00u) == 0x7c00u;
      if (inf_nan) return false;
    }
  }
  return true;
}

pt_status pt_ivf_load(pt_index *ix, pt_irdr *r, const char **why) {
  pt_ivf *v = ix->ivf;
  uint32_t trained = pt_irdr_u32(r);
  v->rng = pt_irdr_u64(r);
  if (r->bad || trained > 1) return (*why = "bad training flag", PT_CORRUPT);
  if (trained && v->bin) {
    size_t nb = (size_t)v->nlist * v->code; /* any bits are a centroid */
    if (!pt_irdr_room(r, nb, 1)) return (*why = "truncated centroids", PT_CORRUPT);
    if (!(v->bcent = pt_malloc(nb))) return PT_NOMEM;
    v->trained = true;
    memcpy(v->bcent, pt_irdr_bytes(r, nb), nb);
  } else if (trained) {
    size_t nc = (size_t)v->nlist * v->dim;
    if (!pt_irdr_room(r, nc + (v->has_sq ? 2 * (size_t)v->dim : 0), sizeof(float)))
      return (*why = "truncated centroids", PT_CORRUPT);
    if (!(v->centroids = pt_malloc(nc * sizeof(float)))) return PT_NOMEM;
    v->trained = true;
    if (!pt_irdr_f32s(r, v->centroids, nc)) return (*why = "centroids not finite", PT_CORRUPT);
    if (v->has_sq) { /* its room checked with the centroids' */
      pt_status rc = pt_sq8_load(&v->sqz, pt_irdr_bytes(r, 2 * (size_t)v->dim * sizeof(float)), v->dim, why);
      if (rc != PT_OK) return rc;
    }
  }
  size_t per_row = 4 + (size_t)v->stride + v->xstride;
  for (uint32_t c = 0; c < v->nlist; c++) {
    uint32_t n = pt_irdr_u32(r);
    if (r->bad || !pt_irdr_room(r, n, per_row)) return (*why = "a list beyond the bytes", PT_CORRUPT);
    if (n && !trained) return (*why = "rows in an untrained index", PT_CORRUPT);
    ivf_list *l = &v->lists[c];
    pt_grow_item items[3];
    pt_grow_set g = {items, 0, 3};
    uint32_t cap;
    pt_status rc = stage_list(v, l, &g, n, &cap);
    if (rc != PT_OK) {
      pt_grow_abort(&g);
      return rc;
    }
    pt_grow_commit(&g);
    l->cap = cap;
    if ((rc = pt_u32map_reserve(&ix->where, n)) != PT_OK) return rc;
    pt_irdr_u32s(r, l->rows, n);
    if (v->stride && n) memcpy(l->codes, pt_irdr_bytes(r, (size_t)n * v->stride), (size_t)n * v->stride);
    if (v->xstride && n) memcpy(l->extra, pt_irdr_bytes(r, (size_t)n * v->xstride), (size_t)n * v->xstride);
    l->n = n;
    if (v->rbq && !codes_hold(v, l)) return (*why = "RaBitQ factors or refine codes not finite", PT_CORRUPT);
    v->count += n;
    for (uint32_t i = 0; i < n; i++) {
      if (l->rows[i] == PT_INDEX_NONE || !pt_u32map_put_new(&ix->where, l->rows[i], c))
        return (*why = "a row twice, or no row", PT_CORRUPT);
    }
  }
  return PT_OK;
}
