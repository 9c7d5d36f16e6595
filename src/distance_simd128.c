/*
 * distance_simd128.c — WebAssembly SIMD128 kernels (compiled only with -msimd128). Each loop
 * keeps independent accumulators so the adds do not wait on each other, and ends with a scalar
 * tail, so any dimension works. The scalar reference kernels in distance.c add in the same order
 * (distance.h), so both give bitwise equal results.
 */
#include "distance.h"

#ifdef __wasm_simd128__
#include <stdbool.h>
#include <wasm_simd128.h>

static inline float hsum(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

int pt_dist_simd(void) { return 1; }

float pt_dist_dot_f32(const float *a, const float *b, size_t n) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4)));
    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(wasm_v128_load(a + i + 8), wasm_v128_load(b + i + 8)));
    s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(wasm_v128_load(a + i + 12), wasm_v128_load(b + i + 12)));
  }
  for (; i + 4 <= n; i += 4) s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
  float s = hsum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

/* Squared L2; with `check`, stops once the part summed (checked every 32 dimensions, folded as
 * at the end) exceeds `bound` (distance.h). `check` is a constant at each call. */
static inline float l2_f32(const float *a, const float *b, size_t n, float bound, bool check) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t d0 = wasm_f32x4_sub(wasm_v128_load(a + i), wasm_v128_load(b + i));
    v128_t d1 = wasm_f32x4_sub(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4));
    v128_t d2 = wasm_f32x4_sub(wasm_v128_load(a + i + 8), wasm_v128_load(b + i + 8));
    v128_t d3 = wasm_f32x4_sub(wasm_v128_load(a + i + 12), wasm_v128_load(b + i + 12));
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d0, d0));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(d1, d1));
    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(d2, d2));
    s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(d3, d3));
    if (check && (i & 16) && i + 16 < n) {
      float part = hsum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
      if (part > bound) return part;
    }
  }
  for (; i + 4 <= n; i += 4) {
    v128_t d = wasm_f32x4_sub(wasm_v128_load(a + i), wasm_v128_load(b + i));
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d, d));
  }
  float s = hsum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
  for (; i < n; i++) {
    float d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

float pt_dist_l2_f32(const float *a, const float *b, size_t n) { return l2_f32(a, b, n, 0, false); }

float pt_dist_l2_f32_bounded(const float *a, const float *b, size_t n, float bound) {
  return l2_f32(a, b, n, bound, true);
}

/* the dot product and x . x together, each in the order of pt_dist_dot_f32 */
float pt_dist_dot_norm_f32(const float *q, const float *x, size_t n, float *norm) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t x0 = wasm_v128_load(x + i), x1 = wasm_v128_load(x + i + 4);
    v128_t x2 = wasm_v128_load(x + i + 8), x3 = wasm_v128_load(x + i + 12);
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(q + i), x0));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(q + i + 4), x1));
    s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(wasm_v128_load(q + i + 8), x2));
    s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(wasm_v128_load(q + i + 12), x3));
    t0 = wasm_f32x4_add(t0, wasm_f32x4_mul(x0, x0));
    t1 = wasm_f32x4_add(t1, wasm_f32x4_mul(x1, x1));
    t2 = wasm_f32x4_add(t2, wasm_f32x4_mul(x2, x2));
    t3 = wasm_f32x4_add(t3, wasm_f32x4_mul(x3, x3));
  }
  for (; i + 4 <= n; i += 4) {
    v128_t x0 = wasm_v128_load(x + i);
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(q + i), x0));
    t0 = wasm_f32x4_add(t0, wasm_f32x4_mul(x0, x0));
  }
  float s = hsum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
  float t = hsum(wasm_f32x4_add(wasm_f32x4_add(t0, t1), wasm_f32x4_add(t2, t3)));
  for (; i < n; i++) {
    s += q[i] * x[i];
    t += x[i] * x[i];
  }
  *norm = t;
  return s;
}

void pt_dist_cosine_div(float *dot, const float *norm, size_t n) {
  const v128_t zero = wasm_f32x4_splat(0);
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    v128_t d = wasm_v128_load(dot + j), m = wasm_v128_load(norm + j);
    v128_t r = wasm_f32x4_div(d, wasm_f32x4_sqrt(m));
    wasm_v128_store(dot + j, wasm_v128_bitselect(r, zero, wasm_f32x4_gt(m, zero)));
  }
  for (; j < n; j++) dot[j] = norm[j] > 0 ? dot[j] / __builtin_sqrtf(norm[j]) : 0.0f;
}

/* bfloat16 → float32 is a 16-bit shift: widen 8 halves into two f32x4 */
float pt_dist_dot_bf16(const float *q, const uint16_t *x, size_t n) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    v128_t h = wasm_v128_load(x + i);
    v128_t lo = wasm_i32x4_shl(wasm_u32x4_extend_low_u16x8(h), 16);
    v128_t hi = wasm_i32x4_shl(wasm_u32x4_extend_high_u16x8(h), 16);
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(q + i), lo));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(q + i + 4), hi));
  }
  float s = hsum(wasm_f32x4_add(s0, s1));
  for (; i < n; i++) {
    uint32_t u = (uint32_t)x[i] << 16;
    float f;
    __builtin_memcpy(&f, &u, 4);
    s += q[i] * f;
  }
  return s;
}

float pt_dist_l2_bf16(const float *q, const uint16_t *x, size_t n) {
  v128_t s0 = wasm_f32x4_splat(0), s1 = s0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    v128_t h = wasm_v128_load(x + i);
    v128_t d0 = wasm_f32x4_sub(wasm_v128_load(q + i), wasm_i32x4_shl(wasm_u32x4_extend_low_u16x8(h), 16));
    v128_t d1 = wasm_f32x4_sub(wasm_v128_load(q + i + 4), wasm_i32x4_shl(wasm_u32x4_extend_high_u16x8(h), 16));
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d0, d0));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(d1, d1));
  }
  float s = hsum(wasm_f32x4_add(s0, s1));
  for (; i < n; i++) {
    uint32_t u = (uint32_t)x[i] << 16;
    float f;
    __builtin_memcpy(&f, &u, 4);
    float d = q[i] - f;
    s += d * d;
  }
  return s;
}


/* int16 codes: blocks of 128 dimensions summed exactly in int32 lanes (distance.h) */
static inline float i16_sum(const int16_t *a, const int16_t *b, size_t n, bool l2) {
  v128_t f = wasm_f32x4_splat(0);
  size_t i = 0;
  while (i + 8 <= n) {
    v128_t acc = wasm_i32x4_splat(0);
    size_t end = n - i > 128 ? i + 128 : n;
    for (; i + 8 <= end; i += 8) {
      v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(b + i);
      if (l2) x = y = wasm_i16x8_sub(x, y);
      acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(x, y));
    }
    f = wasm_f32x4_add(f, wasm_f32x4_convert_i32x4(acc));
  }
  int32_t t = 0;
  for (; i < n; i++) t += l2 ? (a[i] - b[i]) * (a[i] - b[i]) : a[i] * b[i];
  return hsum(f) + (float)t;
}

float pt_dist_l2_i16(const int16_t *a, const int16_t *b, size_t n) { return i16_sum(a, b, n, true); }
float pt_dist_dot_i16(const int16_t *a, const int16_t *b, size_t n) { return i16_sum(a, b, n, false); }

/* int8: widen to int16 and multiply-add pairs into int32 (exact) */
int32_t pt_dist_dot_i8(const int8_t *a, const int8_t *b, size_t n) {
  v128_t acc = wasm_i32x4_splat(0);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t va = wasm_v128_load(a + i), vb = wasm_v128_load(b + i);
    acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(va), wasm_i16x8_extend_low_i8x16(vb)));
    acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(va), wasm_i16x8_extend_high_i8x16(vb)));
  }
  int32_t s = wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) + wasm_i32x4_extract_lane(acc, 2) +
              wasm_i32x4_extract_lane(acc, 3);
  for (; i < n; i++) s += (int32_t)a[i] * (int32_t)b[i];
  return s;
}

int32_t pt_dist_l2_i8(const int8_t *a, const int8_t *b, size_t n) {
  v128_t acc = wasm_i32x4_splat(0);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t va = wasm_v128_load(a + i), vb = wasm_v128_load(b + i);
    v128_t dl = wasm_i16x8_sub(wasm_i16x8_extend_low_i8x16(va), wasm_i16x8_extend_low_i8x16(vb));
    v128_t dh = wasm_i16x8_sub(wasm_i16x8_extend_high_i8x16(va), wasm_i16x8_extend_high_i8x16(vb));
    acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(dl, dl));
    acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(dh, dh));
  }
  int32_t s = wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) + wasm_i32x4_extract_lane(acc, 2) +
              wasm_i32x4_extract_lane(acc, 3);
  for (; i < n; i++) {
    int32_t d = (int32_t)a[i] - (int32_t)b[i];
    s += d * d;
  }
  return s;
}

/* popcount per byte (i8x16.popcnt), summed in 16-bit lanes */
uint32_t pt_dist_hamming(const uint8_t *a, const uint8_t *b, size_t n) {
  v128_t acc = wasm_i16x8_splat(0);
  uint32_t s = 0;
  size_t i = 0, blocks = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t c = wasm_i8x16_popcnt(wasm_v128_xor(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    acc = wasm_i16x8_add(acc, wasm_u16x8_extadd_pairwise_u8x16(c));
    if (++blocks == 2048) { /* 16-bit lanes: flush before they could overflow */
      v128_t w = wasm_u32x4_extadd_pairwise_u16x8(acc);
      s += (uint32_t)(wasm_i32x4_extract_lane(w, 0) + wasm_i32x4_extract_lane(w, 1) + wasm_i32x4_extract_lane(w, 2) +
                      wasm_i32x4_extract_lane(w, 3));
      acc = wasm_i16x8_splat(0);
      blocks = 0;
    }
  }
  v128_t w = wasm_u32x4_extadd_pairwise_u16x8(acc);
  s += (uint32_t)(wasm_i32x4_extract_lane(w, 0) + wasm_i32x4_extract_lane(w, 1) + wasm_i32x4_extract_lane(w, 2) +
                  wasm_i32x4_extract_lane(w, 3));
  for (; i < n; i++) s += (uint32_t)__builtin_popcount((unsigned)(a[i] ^ b[i]));
  return s;
}

float pt_dist_jaccard(const uint8_t *a, const uint8_t *b, size_t n) {
  uint32_t both = 0, any = 0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t va = wasm_v128_load(a + i), vb = wasm_v128_load(b + i);
    v128_t x = wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(wasm_i8x16_popcnt(wasm_v128_and(va, vb))));
    v128_t y = wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(wasm_i8x16_popcnt(wasm_v128_or(va, vb))));
    both += (uint32_t)(wasm_i32x4_extract_lane(x, 0) + wasm_i32x4_extract_lane(x, 1) + wasm_i32x4_extract_lane(x, 2) +
                       wasm_i32x4_extract_lane(x, 3));
    any += (uint32_t)(wasm_i32x4_extract_lane(y, 0) + wasm_i32x4_extract_lane(y, 1) + wasm_i32x4_extract_lane(y, 2) +
                      wasm_i32x4_extract_lane(y, 3));
  }
  for (; i < n; i++) {
    both += (uint32_t)__builtin_popcount((unsigned)(a[i] & b[i]));
    any += (uint32_t)__builtin_popcount((unsigned)(a[i] | b[i]));
  }
  return any ? 1.0f - (float)both / (float)any : 0.0f;
}
#else
/* keep ISO C happy: a translation unit must declare something */
typedef int pt_distance_simd128_unused;
#endif
