/*
 * sq8.c — SQ8, the scalar quantiser of IVF_SQ8 and HNSW_SQ: each dimension of a row becomes one
 * byte, from that dimension's minimum and maximum over the training rows (Milvus's SQ8, faiss's
 * QT_8bit with min / max ranges). A quarter of the float32 bytes, searched without decoding.
 *
 * HOW IT WORKS
 * Training records vmin[d] and scale[d] = (max[d] - min[d]) / 255; a value encodes as
 * round((x - vmin) / scale) clamped to [0, 255] (rows added after training may fall outside the
 * range) and decodes as vmin + code * scale. A COSINE row is unit-normalised before training and
 * encoding, so that its codes are searched as an inner product.
 *
 * A query is prepared once per search so that a code's distance is one pass over its bytes:
 *   L2           sum_d (a[d] - scale[d] * c[d])^2      with a = q - vmin
 *   IP, COSINE   -(base + sum_d a[d] * c[d])           with a = q * scale, base = q . vmin
 * The kernels keep 16 lanes (lane k sums the terms i with i % 16 == k), fold them as distance.h
 * says, then add the last n % 16 terms in order; the SIMD128 versions follow the same order, so
 * both builds give bitwise equal distances.
 */
#include "index.h"

#include <math.h>
#include <string.h>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

void pt_sq8_free(pt_sq8 *sq) {
  pt_free(sq->vmin);
  pt_free(sq->scale);
  sq->vmin = sq->scale = NULL;
  sq->dim = 0;
}

pt_status pt_sq8_train(pt_sq8 *sq, pt_index_metric m, const pt_index_rows *rows, const uint32_t *ids, size_t n,
                       uint32_t dim) {
  float *vmin = pt_malloc(dim * sizeof *vmin), *vmax = pt_malloc(dim * sizeof *vmax), *tmp = NULL;
  if (!vmin || !vmax || (m == PT_INDEX_COSINE && !(tmp = pt_malloc(dim * sizeof *tmp)))) {
    pt_free(vmin);
    pt_free(vmax);
    pt_free(tmp);
    return PT_NOMEM;
  }
  for (uint32_t d = 0; d < dim; d++) vmin[d] = vmax[d] = 0;
  for (size_t i = 0; i < n; i++) {
    const float *x = rows->get(rows->ctx, ids[i]);
    if (tmp) {
      pt_index_prepare_query(m, x, tmp, dim);
      x = tmp;
    }
    for (uint32_t d = 0; d < dim; d++) {
      if (i == 0 || x[d] < vmin[d]) vmin[d] = x[d];
      if (i == 0 || x[d] > vmax[d]) vmax[d] = x[d];
    }
  }
  /* vmax becomes the scale */
  for (uint32_t d = 0; d < dim; d++) {
    float s = (vmax[d] - vmin[d]) / 255.0f;
    vmax[d] = isfinite(s) ? s : 0.0f;
  }
  pt_free(tmp);
  pt_sq8_free(sq);
  sq->dim = dim;
  sq->vmin = vmin;
  sq->scale = vmax;
  return PT_OK;
}

pt_status pt_sq8_load(pt_sq8 *sq, const uint8_t *src, uint32_t dim, const char **why) {
  float *vmin = pt_malloc(dim * sizeof *vmin), *scale = pt_malloc(dim * sizeof *scale);
  if (!vmin || !scale) {
    pt_free(vmin);
    pt_free(scale);
    return PT_NOMEM;
  }
  memcpy(vmin, src, dim * sizeof *vmin);
  memcpy(scale, src + dim * sizeof *vmin, dim * sizeof *scale);
  pt_sq8_free(sq);
  sq->dim = dim;
  sq->vmin = vmin;
  sq->scale = scale;
  for (uint32_t d = 0; d < dim; d++) {
    if (!isfinite(vmin[d]) || !isfinite(scale[d])) return (*why = "SQ8 ranges not finite", PT_CORRUPT);
    if (!(scale[d] >= 0)) return (*why = "negative SQ8 scale", PT_CORRUPT);
  }
  return PT_OK;
}

static uint8_t encode1(float x, float vmin, float scale) {
  if (!(scale > 0)) return 0;
  float v = (x - vmin) / scale;
  if (!(v > 0)) return 0; /* NaN included */
  if (v >= 255.0f) return 255;
  return (uint8_t)(v + 0.5f);
}

void pt_sq8_encode(const pt_sq8 *sq, pt_index_metric m, const float *x, uint8_t *code) {
  uint32_t dim = sq->dim;
  if (m == PT_INDEX_COSINE) {
    /* unit-normalise on the way, without a buffer: the factor of pt_index_prepare_query */
    double n = 0;
    for (uint32_t d = 0; d < dim; d++) n += (double)x[d] * x[d];
    float inv = n > 0 ? (float)(1.0 / sqrt(n)) : 1.0f;
    for (uint32_t d = 0; d < dim; d++) code[d] = encode1(x[d] * inv, sq->vmin[d], sq->scale[d]);
    return;
  }
  for (uint32_t d = 0; d < dim; d++) code[d] = encode1(x[d], sq->vmin[d], sq->scale[d]);
}

void pt_sq8_decode(const pt_sq8 *sq, const uint8_t *code, float *x) {
  for (uint32_t d = 0; d < sq->dim; d++) x[d] = sq->vmin[d] + (float)code[d] * sq->scale[d];
}

void pt_sq8_prepare(const pt_sq8 *sq, pt_index_metric m, const float *q, float *a, pt_sq8_query *out) {
  out->a = a;
  out->base = 0;
  if (m == PT_INDEX_L2) {
    for (uint32_t d = 0; d < sq->dim; d++) a[d] = q[d] - sq->vmin[d];
    return;
  }
  float base = 0;
  for (uint32_t d = 0; d < sq->dim; d++) {
    a[d] = q[d] * sq->scale[d];
    base += q[d] * sq->vmin[d];
  }
  out->base = base;
}

/* ---- kernels ---- */

static float fold16(const float l[16]) {
  float t0 = (l[0] + l[4]) + (l[8] + l[12]), t1 = (l[1] + l[5]) + (l[9] + l[13]);
  float t2 = (l[2] + l[6]) + (l[10] + l[14]), t3 = (l[3] + l[7]) + (l[11] + l[15]);
  return (t0 + t1) + (t2 + t3);
}

#ifdef __wasm_simd128__
/* the 16 codes at c as four f32x4 */
#define WIDEN16(c, f0, f1, f2, f3)                                                                   \
  do {                                                                                               \
    v128_t b_ = wasm_v128_load(c);                                                                   \
    v128_t lo_ = wasm_u16x8_extend_low_u8x16(b_), hi_ = wasm_u16x8_extend_high_u8x16(b_);            \
    f0 = wasm_f32x4_convert_u32x4(wasm_u32x4_extend_low_u16x8(lo_));                                 \
    f1 = wasm_f32x4_convert_u32x4(wasm_u32x4_extend_high_u16x8(lo_));                                \
    f2 = wasm_f32x4_convert_u32x4(wasm_u32x4_extend_low_u16x8(hi_));                                 \
    f3 = wasm_f32x4_convert_u32x4(wasm_u32x4_extend_high_u16x8(hi_));                                \
  } while (0)

static float lanes16(v128_t s0, v128_t s1, v128_t s2, v128_t s3) {
  float l[16];
  wasm_v128_store(l, s0);
  wasm_v128_store(l + 4, s1);
  wasm_v128_store(l + 8, s2);
  wasm_v128_store(l + 12, s3);
  return fold16(l);
}
#endif

/* sum_d (a[d] - s[d] * c[d])^2 */
static float l2_u8(const float *a, const float *s, const uint8_t *c, size_t n) {
  size_t i = 0;
  float sum;
#ifdef __wasm_simd128__
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0, f0, f1, f2, f3;
  for (; i + 16 <= n; i += 16) {
    WIDEN16(c + i, f0, f1, f2, f3);
    v128_t d0 = wasm_f32x4_sub(wasm_v128_load(a + i), wasm_f32x4_mul(wasm_v128_load(s + i), f0));
    v128_t d1 = wasm_f32x4_sub(wasm_v128_load(a + i + 4), wasm_f32x4_mul(wasm_v128_load(s + i + 4), f1));
    v128_t d2 = wasm_f32x4_sub(wasm_v128_load(a + i + 8), wasm_f32x4_mul(wasm_v128_load(s + i + 8), f2));
    v128_t d3 = wasm_f32x4_sub(wasm_v128_load(a + i + 12), wasm_f32x4_mul(wasm_v128_load(s + i + 12), f3));
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d0, d0));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(d1, d1));
    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(d2, d2));
    s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(d3, d3));
  }
  sum = lanes16(s0, s1, s2, s3);
#else
  float l[16] = {0};
  for (; i + 16 <= n; i += 16)
    for (int k = 0; k < 16; k++) {
      float d = a[i + k] - s[i + k] * (float)c[i + k];
      l[k] += d * d;
    }
  sum = fold16(l);
#endif
  for (; i < n; i++) {
    float d = a[i] - s[i] * (float)c[i];
    sum += d * d;
  }
  return sum;
}

/* sum_d a[d] * c[d] */
static float dot_u8(const float *a, const uint8_t *c, size_t n) {
  size_t i = 0;
  float sum;
#ifdef __wasm_simd128__
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0, f0, f1, f2, f3;
  for (; i + 16 <= n; i += 16) {
    WIDEN16(c + i, f0, f1, f2, f3);
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + i), f0));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(a + i + 4), f1));
    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(wasm_v128_load(a + i + 8), f2));
    s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(wasm_v128_load(a + i + 12), f3));
  }
  sum = lanes16(s0, s1, s2, s3);
#else
  float l[16] = {0};
  for (; i + 16 <= n; i += 16)
    for (int k = 0; k < 16; k++) l[k] += a[i + k] * (float)c[i + k];
  sum = fold16(l);
#endif
  for (; i < n; i++) sum += a[i] * (float)c[i];
  return sum;
}

float pt_sq8_dist(const pt_sq8 *sq, pt_index_metric m, const pt_sq8_query *q, const uint8_t *code) {
  if (m == PT_INDEX_L2) return l2_u8(q->a, sq->scale, code, sq->dim);
  return -(q->base + dot_u8(q->a, code, sq->dim));
}
