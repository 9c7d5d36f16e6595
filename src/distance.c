/*
 * distance.c — scalar reference kernels, and the dispatch to SIMD128 kernels when they are
 * compiled in (distance_simd128.c). The float and bfloat16 kernels add in the order the SIMD ones
 * do (distance.h), so both give bitwise equal results on the same data.
 */
#include "distance.h"

#include <math.h>
#include <stdbool.h>

#include "half.h"

/* 16 lanes folded to 4, then to 1, then the tail: the order of the SIMD128 kernels (distance.h) */
static float fold16(const float l[16]) {
  float t0 = (l[0] + l[4]) + (l[8] + l[12]), t1 = (l[1] + l[5]) + (l[9] + l[13]);
  float t2 = (l[2] + l[6]) + (l[10] + l[14]), t3 = (l[3] + l[7]) + (l[11] + l[15]);
  return (t0 + t1) + (t2 + t3);
}

float pt_dist_dot_f32_scalar(const float *a, const float *b, size_t n) {
  float l[16] = {0};
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int k = 0; k < 16; k++) l[k] += a[i + k] * b[i + k];
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; k++) l[k] += a[i + k] * b[i + k];
  float s = fold16(l);
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

/* Four lanes as one value, so that the compiler keeps them in one vector register: gcc does not
 * vectorise the 16-lane array of l2_f32 once the loop may leave early (the bounded kernel ran
 * 720 scalar instructions per 128-d row), it does vectorise these. The order of additions is
 * the array's: lanes 0..3 are l[0..3], and so on. */
typedef struct lanes4 {
  float v[4];
} lanes4;

static inline lanes4 l2_lanes(lanes4 s, const float *a, const float *b) {
  for (int k = 0; k < 4; k++) {
    float d = a[k] - b[k];
    s.v[k] += d * d;
  }
  return s;
}

static inline lanes4 add_lanes(lanes4 x, lanes4 y) {
  for (int k = 0; k < 4; k++) x.v[k] += y.v[k];
  return x;
}

/* fold16 of the lanes s0 (l[0..3]), s1 (l[4..7]), s2, s3 */
static inline float fold_lanes(lanes4 s0, lanes4 s1, lanes4 s2, lanes4 s3) {
  lanes4 t = add_lanes(add_lanes(s0, s1), add_lanes(s2, s3));
  return (t.v[0] + t.v[1]) + (t.v[2] + t.v[3]);
}

/* Squared L2; with `check`, stops once the part summed (checked every 32 dimensions) exceeds
 * `bound` (pt_dist_l2_f32_bounded). `check` is a constant at each call, so the plain kernel
 * carries no test. */
static inline float l2_f32(const float *a, const float *b, size_t n, float bound, bool check) {
  lanes4 s0 = {{0, 0, 0, 0}}, s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = l2_lanes(s0, a + i, b + i);
    s1 = l2_lanes(s1, a + i + 4, b + i + 4);
    s2 = l2_lanes(s2, a + i + 8, b + i + 8);
    s3 = l2_lanes(s3, a + i + 12, b + i + 12);
    /* the lanes folded as at the end: folding is monotone in each lane, the terms >= 0 */
    if (check && (i & 16) && i + 16 < n) {
      float part = fold_lanes(s0, s1, s2, s3);
      if (part > bound) return part;
    }
  }
  for (; i + 4 <= n; i += 4) s0 = l2_lanes(s0, a + i, b + i);
  float s = fold_lanes(s0, s1, s2, s3);
  for (; i < n; i++) {
    float d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

float pt_dist_l2_f32_scalar(const float *a, const float *b, size_t n) { return l2_f32(a, b, n, 0, false); }

float pt_dist_l2_f32_bounded_scalar(const float *a, const float *b, size_t n, float bound) {
  return l2_f32(a, b, n, bound, true);
}

float pt_dist_dot_norm_f32_scalar(const float *q, const float *x, size_t n, float *norm) {
  *norm = pt_dist_dot_f32_scalar(x, x, n);
  return pt_dist_dot_f32_scalar(q, x, n);
}

void pt_dist_cosine_div_scalar(float *dot, const float *norm, size_t n) {
  for (size_t j = 0; j < n; j++) dot[j] = norm[j] > 0 ? dot[j] / sqrtf(norm[j]) : 0.0f;
}

/* 8 lanes folded to 4, then to 1, then the tail (the order of the SIMD128 kernels) */
float pt_dist_dot_bf16_scalar(const float *q, const uint16_t *x, size_t n) {
  float l[8] = {0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; k++) l[k] += q[i + k] * pt_bf16_to_f32(x[i + k]);
  float s = ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]));
  for (; i < n; i++) s += q[i] * pt_bf16_to_f32(x[i]);
  return s;
}

static inline lanes4 l2_lanes_bf16(lanes4 s, const float *q, const uint16_t *x) {
  for (int k = 0; k < 4; k++) {
    float d = q[k] - pt_bf16_to_f32(x[k]);
    s.v[k] += d * d;
  }
  return s;
}

float pt_dist_l2_bf16_scalar(const float *q, const uint16_t *x, size_t n) {
  lanes4 s0 = {{0, 0, 0, 0}}, s1 = s0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = l2_lanes_bf16(s0, q + i, x + i);
    s1 = l2_lanes_bf16(s1, q + i + 4, x + i + 4);
  }
  lanes4 t = add_lanes(s0, s1);
  float s = (t.v[0] + t.v[1]) + (t.v[2] + t.v[3]);
  for (; i < n; i++) {
    float d = q[i] - pt_bf16_to_f32(x[i]);
    s += d * d;
  }
  return s;
}


float pt_dist_dot_f16_scalar(const float *q, const uint16_t *x, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; i++) s += q[i] * pt_f16_to_f32(x[i]);
  return s;
}

float pt_dist_l2_f16_scalar(const float *q, const uint16_t *x, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; i++) {
    float d = q[i] - pt_f16_to_f32(x[i]);
    s += d * d;
  }
  return s;
}

float pt_dist_norm2_half(const uint16_t *x, size_t n, int bf16) {
  float s = 0;
  for (size_t i = 0; i < n; i++) {
    float t = bf16 ? pt_bf16_to_f32(x[i]) : pt_f16_to_f32(x[i]);
    s += t * t;
  }
  return s;
}

int32_t pt_dist_dot_i8_scalar(const int8_t *a, const int8_t *b, size_t n) {
  int32_t s = 0;
  for (size_t i = 0; i < n; i++) s += (int32_t)a[i] * (int32_t)b[i];
  return s;
}

int32_t pt_dist_l2_i8_scalar(const int8_t *a, const int8_t *b, size_t n) {
  int32_t s = 0;
  for (size_t i = 0; i < n; i++) {
    int32_t d = (int32_t)a[i] - (int32_t)b[i];
    s += d * d;
  }
  return s;
}

/* int16 codes (distance.h): blocks of 128 dimensions summed exactly in four int32 lanes (lane k:
 * dimensions 2k and 2k + 1 of each 8), each block's lanes added to four float lanes */
#define I16_BLOCK 128
static inline float i16_sum(const int16_t *a, const int16_t *b, size_t n, bool l2) {
  float f[4] = {0, 0, 0, 0};
  size_t i = 0;
  while (i + 8 <= n) {
    int32_t acc[4] = {0, 0, 0, 0};
    size_t end = n - i > I16_BLOCK ? i + I16_BLOCK : n;
    for (; i + 8 <= end; i += 8)
      for (int k = 0; k < 4; k++) {
        int32_t x0 = a[i + 2 * k], y0 = b[i + 2 * k], x1 = a[i + 2 * k + 1], y1 = b[i + 2 * k + 1];
        acc[k] += l2 ? (x0 - y0) * (x0 - y0) + (x1 - y1) * (x1 - y1) : x0 * y0 + x1 * y1;
      }
    for (int k = 0; k < 4; k++) f[k] += (float)acc[k];
  }
  int32_t t = 0;
  for (; i < n; i++) t += l2 ? (a[i] - b[i]) * (a[i] - b[i]) : a[i] * b[i];
  return ((f[0] + f[1]) + (f[2] + f[3])) + (float)t;
}

float pt_dist_l2_i16_scalar(const int16_t *a, const int16_t *b, size_t n) { return i16_sum(a, b, n, true); }
float pt_dist_dot_i16_scalar(const int16_t *a, const int16_t *b, size_t n) { return i16_sum(a, b, n, false); }

static unsigned popcount8(uint8_t x) {
  x = (uint8_t)(x - ((x >> 1) & 0x55));
  x = (uint8_t)((x & 0x33) + ((x >> 2) & 0x33));
  return (unsigned)((x + (x >> 4)) & 0x0F);
}

uint32_t pt_dist_hamming_scalar(const uint8_t *a, const uint8_t *b, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i < n; i++) s += popcount8((uint8_t)(a[i] ^ b[i]));
  return s;
}

float pt_dist_jaccard_scalar(const uint8_t *a, const uint8_t *b, size_t n) {
  uint32_t both = 0, any = 0;
  for (size_t i = 0; i < n; i++) {
    both += popcount8((uint8_t)(a[i] & b[i]));
    any += popcount8((uint8_t)(a[i] | b[i]));
  }
  /* two empty sets are identical: distance 0 */
  return any ? 1.0f - (float)both / (float)any : 0.0f;
}

#ifndef __wasm_simd128__
/* no SIMD kernels in this build: the reference ones serve */
float pt_dist_dot_f32(const float *a, const float *b, size_t n) { return pt_dist_dot_f32_scalar(a, b, n); }
float pt_dist_l2_f32(const float *a, const float *b, size_t n) { return pt_dist_l2_f32_scalar(a, b, n); }
float pt_dist_l2_f32_bounded(const float *a, const float *b, size_t n, float bound) {
  return pt_dist_l2_f32_bounded_scalar(a, b, n, bound);
}
float pt_dist_dot_norm_f32(const float *q, const float *x, size_t n, float *norm) {
  return pt_dist_dot_norm_f32_scalar(q, x, n, norm);
}
void pt_dist_cosine_div(float *dot, const float *norm, size_t n) { pt_dist_cosine_div_scalar(dot, norm, n); }
float pt_dist_dot_bf16(const float *q, const uint16_t *x, size_t n) { return pt_dist_dot_bf16_scalar(q, x, n); }
float pt_dist_l2_bf16(const float *q, const uint16_t *x, size_t n) { return pt_dist_l2_bf16_scalar(q, x, n); }
float pt_dist_l2_i16(const int16_t *a, const int16_t *b, size_t n) { return pt_dist_l2_i16_scalar(a, b, n); }
float pt_dist_dot_i16(const int16_t *a, const int16_t *b, size_t n) { return pt_dist_dot_i16_scalar(a, b, n); }
int32_t pt_dist_dot_i8(const int8_t *a, const int8_t *b, size_t n) { return pt_dist_dot_i8_scalar(a, b, n); }
int32_t pt_dist_l2_i8(const int8_t *a, const int8_t *b, size_t n) { return pt_dist_l2_i8_scalar(a, b, n); }
uint32_t pt_dist_hamming(const uint8_t *a, const uint8_t *b, size_t n) { return pt_dist_hamming_scalar(a, b, n); }
float pt_dist_jaccard(const uint8_t *a, const uint8_t *b, size_t n) { return pt_dist_jaccard_scalar(a, b, n); }
int pt_dist_simd(void) { return 0; }
#endif
