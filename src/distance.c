/*
 * distance.c — scalar reference kernels, and the dispatch to SIMD128 kernels when they are
 * compiled in (distance_simd128.c). The scalar kernels accumulate in four lanes, the same
 * order of additions as the SIMD ones, so both give results within float rounding of each
 * other on the same data.
 */
#include "distance.h"

#include "half.h"

float pt_dist_dot_f32_scalar(const float *a, const float *b, size_t n) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; i++) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

float pt_dist_l2_f32_scalar(const float *a, const float *b, size_t n) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1], d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < n; i++) {
    float d = a[i] - b[i];
    s0 += d * d;
  }
  return (s0 + s1) + (s2 + s3);
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

float pt_dist_dot_bf16_scalar(const float *q, const uint16_t *x, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; i++) s += q[i] * pt_bf16_to_f32(x[i]);
  return s;
}

float pt_dist_l2_bf16_scalar(const float *q, const uint16_t *x, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; i++) {
    float d = q[i] - pt_bf16_to_f32(x[i]);
    s += d * d;
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
float pt_dist_dot_bf16(const float *q, const uint16_t *x, size_t n) { return pt_dist_dot_bf16_scalar(q, x, n); }
float pt_dist_l2_bf16(const float *q, const uint16_t *x, size_t n) { return pt_dist_l2_bf16_scalar(q, x, n); }
int32_t pt_dist_dot_i8(const int8_t *a, const int8_t *b, size_t n) { return pt_dist_dot_i8_scalar(a, b, n); }
int32_t pt_dist_l2_i8(const int8_t *a, const int8_t *b, size_t n) { return pt_dist_l2_i8_scalar(a, b, n); }
uint32_t pt_dist_hamming(const uint8_t *a, const uint8_t *b, size_t n) { return pt_dist_hamming_scalar(a, b, n); }
float pt_dist_jaccard(const uint8_t *a, const uint8_t *b, size_t n) { return pt_dist_jaccard_scalar(a, b, n); }
int pt_dist_simd(void) { return 0; }
#endif
