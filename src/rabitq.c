/*
 * rabitq.c — RaBitQ, the 1-bit quantiser of IVF_RABITQ (ivf.c holds the lists): each row becomes
 * one bit a dimension of its residual to its list's centroid, after a random rotation, and two
 * factors from which an unbiased estimate of its inner product with any vector follows (Gao &
 * Long, "RaBitQ: Quantizing High-Dimensional Vectors with a Theoretical Error Bound for
 * Approximate Nearest Neighbor Search", SIGMOD 2024). A 128-d row's code is 16 bytes of bits and
 * 8 of factors, 24 bytes where its float32 row takes 512.
 *
 * HOW IT WORKS
 * The rotation R is orthogonal and deterministic, made from the index's seed: three rounds of
 * random sign flips each followed by a normalised fast Hadamard transform, on rows padded with
 * zeros to pdim, the power of two at or above max(dim, 64). It preserves inner products and
 * spreads every vector's mass over all pdim coordinates, so that the sign of each coordinate
 * carries about as much as any other.
 *
 * A row x in the list of centroid c (COSINE: x unit-normalised first) has the residual r = x - c;
 * u = R r, |u| = |r|. Its code is b_i = [u_i > 0], i < pdim: the quantised unit vector is
 * o = (2b - 1) / sqrt(pdim), and <o, u / |r|> = sum |u_i| / (sqrt(pdim) |r|). For any vector v
 * (y = R v), the paper's estimator of <u / |r|, y> is <o, y> / <o, u / |r|>, unbiased, its error
 * O(|y| / sqrt(pdim)); so
 *     <r, v> = <u, y>  ≈  w (2 <b, y> - sum y),   w = |r|^2 / sum |u_i|.
 * The query's residual v = q - c of the list probed (rotated once a list: 3 pdim log2 pdim
 * additions, less than a list's rows cost) gives the distances:
 *     L2          |x - q|^2 = |r|^2 + |q - c|^2 - 2 <r, q - c>
 *                          ≈ f + base + g (<b, y> - h),  f = |r|^2,  g = -4 w
 *     IP / COSINE -<x, q> = -<q, c> - <r, c> - <r, q - c>
 *                          ≈ f + base + g (<b, y> - h),  f = -<r, c>, g = -2 w
 * with base = |y|^2 (L2) or -<q, c>, and h = sum y / 2, both once per list. A code stores its
 * bits and (f, g) as two f32.
 *
 * <b, y> is the sum of y over the row's set bits. With the float query (rbq_bits_query 0) a
 * table per list holds, for each 4 dimensions, y's sums over the 16 patterns of their bits: a
 * row costs pdim / 4 lookups, in a fixed order, so every build gives the same bits. With a query
 * quantised to B bits (1..8; y_i ≈ lo + delta ȳ_i, ȳ_i round to nearest) it is
 * lo popcount(b) + delta sum_j 2^j popcount(b & plane_j): B + 1 popcounts a 64-bit word, and h
 * sums the quantised values, so that the estimate stays that of the vector it scores.
 */
#include "index.h"

#include <math.h>

#define SIGN_ROUNDS 3

pt_status pt_rbq_init(pt_rbq *r, uint32_t dim, uint64_t seed) {
  uint32_t pdim = 64;
  while (pdim < dim) pdim *= 2;
  uint8_t *signs = pt_malloc((size_t)SIGN_ROUNDS * pdim / 8);
  if (!signs) return PT_NOMEM;
  uint64_t state = seed ^ 0x5261426974510001ULL; /* apart from the k-means generator */
  for (size_t i = 0; i < (size_t)SIGN_ROUNDS * pdim / 8; i += 8) {
    uint64_t bits = pt_index_rand(&state);
    memcpy(signs + i, &bits, 8); /* pdim / 8 is a multiple of 8 */
  }
  pt_rbq_free(r);
  r->dim = dim;
  r->pdim = pdim;
  r->words = pdim / 64;
  r->signs = signs;
  return PT_OK;
}

void pt_rbq_free(pt_rbq *r) {
  pt_free(r->signs);
  memset(r, 0, sizeof *r);
}

/* The Walsh-Hadamard transform of x (n a power of two), in place, unnormalised. */
static void fht(float *x, size_t n) {
  for (size_t h = 1; h < n; h *= 2)
    for (size_t i = 0; i < n; i += 2 * h)
      for (size_t j = i; j < i + h; j++) {
        float a = x[j], b = x[j + h];
        x[j] = a + b;
        x[j + h] = a - b;
      }
}

void pt_rbq_rotate(const pt_rbq *r, const float *x, float *out) {
  size_t n = r->pdim;
  memcpy(out, x, r->dim * sizeof *out);
  memset(out + r->dim, 0, (n - r->dim) * sizeof *out);
  float norm = (float)(1.0 / sqrt((double)n));
  for (int k = 0; k < SIGN_ROUNDS; k++) {
    const uint8_t *s = r->signs + (size_t)k * n / 8;
    for (size_t i = 0; i < n; i++)
      if ((s[i >> 3] >> (i & 7)) & 1) out[i] = -out[i];
    fht(out, n);
    for (size_t i = 0; i < n; i++) out[i] *= norm;
  }
}

void pt_rbq_encode(const pt_rbq *r, pt_index_metric m, const float *x, const float *c, float *tmp, uint8_t *code) {
  float *res = tmp, *u = tmp + r->pdim;
  double nr2 = 0, rc = 0;
  for (uint32_t d = 0; d < r->dim; d++) {
    res[d] = x[d] - c[d];
    nr2 += (double)res[d] * res[d];
    rc += (double)res[d] * c[d];
  }
  pt_rbq_rotate(r, res, u);
  size_t nb = r->pdim / 8;
  memset(code, 0, nb);
  double sabs = 0;
  for (size_t i = 0; i < r->pdim; i++) {
    if (u[i] > 0) code[i >> 3] |= (uint8_t)(1u << (i & 7));
    sabs += fabs((double)u[i]);
  }
  double w = sabs > 0 ? nr2 / sabs : 0;
  float f = m == PT_INDEX_L2 ? (float)nr2 : (float)-rc, g = (float)(m == PT_INDEX_L2 ? -4 * w : -2 * w);
  memcpy(code + nb, &f, 4);
  memcpy(code + nb + 4, &g, 4);
}

void pt_rbq_prepare(const pt_rbq *r, pt_index_metric m, const float *query, const float *c, uint32_t bits, float *y,
                    pt_rbq_query *q) {
  size_t n = r->pdim;
  double sum = 0, n2 = 0, qc = 0;
  float *res = y + n;
  for (uint32_t d = 0; d < r->dim; d++) {
    res[d] = query[d] - c[d];
    n2 += (double)res[d] * res[d];
    qc += (double)query[d] * c[d];
  }
  pt_rbq_rotate(r, res, y);
  float lo = 0, hi = 0;
  for (size_t i = 0; i < n; i++) {
    sum += y[i];
    if (i == 0 || y[i] < lo) lo = y[i];
    if (i == 0 || y[i] > hi) hi = y[i];
  }
  q->base = (float)(m == PT_INDEX_L2 ? n2 : -qc);
  q->bits = bits;
  if (!bits) {
    /* the table: entry p of group g is the sum of y[4g + t] over the bits t of p */
    for (size_t g = 0; g < n / 4; g++) {
      float *t = q->lut + 16 * g;
      const float *yg = y + 4 * g;
      t[0] = 0;
      for (unsigned p = 1; p < 16; p++) t[p] = t[p & (p - 1)] + yg[__builtin_ctz(p)];
    }
    q->h = (float)(sum / 2);
    q->lo = q->delta = 0;
    return;
  }
  uint32_t levels = (1u << bits) - 1;
  float delta = (hi - lo) / (float)levels, inv = delta > 0 ? 1 / delta : 0;
  memset(q->planes, 0, (size_t)bits * r->words * sizeof *q->planes);
  double qsum = 0;
  for (size_t i = 0; i < n; i++) {
    float t = (y[i] - lo) * inv; /* NaN when a denormal delta made inv infinite */
    uint32_t v = !(t > 0) ? 0 : t >= (float)levels ? levels : (uint32_t)(t + 0.5f);
    qsum += v;
    for (uint32_t j = 0; j < bits; j++)
      if ((v >> j) & 1) q->planes[(size_t)j * r->words + (i >> 6)] |= 1ULL << (i & 63);
  }
  q->lo = lo;
  q->delta = delta;
  q->h = (float)(((double)lo * (double)n + (double)delta * qsum) / 2);
}

float pt_rbq_dist(const pt_rbq *r, const pt_rbq_query *q, const uint8_t *code) {
  size_t nb = r->pdim / 8;
  float f, g, t;
  memcpy(&f, code + nb, 4);
  memcpy(&g, code + nb + 4, 4);
  if (!q->bits) {
    /* four sums, each over every fourth group, added in one order */
    const float *lut = q->lut;
    float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (size_t j = 0; j < nb; j += 2, lut += 64) {
      uint8_t b0 = code[j], b1 = code[j + 1];
      a0 += lut[b0 & 15];
      a1 += lut[16 + (b0 >> 4)];
      a2 += lut[32 + (b1 & 15)];
      a3 += lut[48 + (b1 >> 4)];
    }
    t = ((a0 + a1) + (a2 + a3)) - q->h;
  } else {
    uint64_t pc = 0, acc = 0;
    for (size_t w = 0; w < r->words; w++) {
      uint64_t cw;
      memcpy(&cw, code + 8 * w, 8);
      pc += (uint64_t)__builtin_popcountll(cw);
      const uint64_t *pl = q->planes + w;
      for (uint32_t j = 0; j < q->bits; j++, pl += r->words) acc += (uint64_t)__builtin_popcountll(cw & *pl) << j;
    }
    t = (q->lo * (float)pc + q->delta * (float)acc) - q->h;
  }
  return f + q->base + g * t;
}
