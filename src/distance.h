/*
 * distance.h — the distance kernels of vector search, one scalar reference implementation per
 * metric and element type, and WebAssembly SIMD128 versions beside them (distance_simd128.c)
 * when the build has PT_ENABLE_SIMD128 / -msimd128. pt_dist_* dispatch to the fastest one
 * compiled in; pt_dist_*_scalar are always there, for tests and as the reference.
 *
 * Order of additions: the float kernels have one fixed order, which the scalar and SIMD128
 * versions both follow, so they give bitwise equal results: pt_dist_dot_f32 / pt_dist_l2_f32 keep
 * 16 lanes (lane k sums the terms i with i % 16 == k while 16 remain, then lanes 0..3 take the
 * terms of a last run of 4), fold them as (l[k] + l[4+k]) + (l[8+k] + l[12+k]) into four, those as
 * (t0 + t1) + (t2 + t3), and add the last n % 4 terms one by one; the bfloat16 kernels do the same
 * with 8 lanes folded as l[k] + l[4+k]. The float16 ones have no SIMD version and sum in order.
 *
 * Values are what Milvus returns: L2 is the squared Euclidean distance, IP the inner product,
 * COSINE the cosine similarity, HAMMING the number of differing bits, JACCARD 1 - |A∩B|/|A∪B|.
 */
#ifndef PT_DISTANCE_H
#define PT_DISTANCE_H

#include <stddef.h>
#include <stdint.h>

/* ---- float32 ---- */
float pt_dist_dot_f32_scalar(const float *a, const float *b, size_t n);
float pt_dist_l2_f32_scalar(const float *a, const float *b, size_t n);
float pt_dist_dot_f32(const float *a, const float *b, size_t n);
float pt_dist_l2_f32(const float *a, const float *b, size_t n);

/* pt_dist_l2_f32 for a caller that only needs it when it is at most `bound` (an index keeping
 * its best k): the sum is checked every 32 dimensions, and once the part already summed exceeds
 * `bound` (the terms are not negative, so the whole would too) that part is returned, without
 * reading the rest of the rows. A result <= bound is bitwise pt_dist_l2_f32's. */
float pt_dist_l2_f32_bounded_scalar(const float *a, const float *b, size_t n, float bound);
float pt_dist_l2_f32_bounded(const float *a, const float *b, size_t n, float bound);

/* dot product of q and x, and x . x in *norm, in one pass over x (COSINE); both summed in the
 * order of pt_dist_dot_f32 */
float pt_dist_dot_norm_f32_scalar(const float *q, const float *x, size_t n, float *norm);
float pt_dist_dot_norm_f32(const float *q, const float *x, size_t n, float *norm);
/* COSINE against a unit query, for n rows at once: dot[j] = norm[j] > 0 ? dot[j] / sqrt(norm[j])
 * : 0 (correctly rounded sqrt and division, so both versions agree bitwise) */
void pt_dist_cosine_div_scalar(float *dot, const float *norm, size_t n);
void pt_dist_cosine_div(float *dot, const float *norm, size_t n);

/* ---- float16 / bfloat16 rows against a float32 query ---- */
float pt_dist_dot_f16_scalar(const float *q, const uint16_t *x, size_t n);
float pt_dist_l2_f16_scalar(const float *q, const uint16_t *x, size_t n);
float pt_dist_dot_bf16_scalar(const float *q, const uint16_t *x, size_t n);
float pt_dist_l2_bf16_scalar(const float *q, const uint16_t *x, size_t n);
float pt_dist_dot_bf16(const float *q, const uint16_t *x, size_t n);
float pt_dist_l2_bf16(const float *q, const uint16_t *x, size_t n);
/* x . x of a float16 (bf16 false) or bfloat16 row, summed in float in order (the exact scan's
 * and an HNSW index's COSINE divide by its sqrtf, so both give bitwise equal distances). */
float pt_dist_norm2_half(const uint16_t *x, size_t n, int bf16);
#define pt_dist_dot_f16 pt_dist_dot_f16_scalar
#define pt_dist_l2_f16 pt_dist_l2_f16_scalar

/* ---- int16 fixed point (an HNSW build's copies of its rows) ----
 * Codes of at most PT_DIST_I16_MAX in magnitude (the caller's promise): a difference fits in
 * int16 and a block of 128 dimensions sums exactly in int32 lanes (i32x4.dot_i16x8_s pairs
 * dimensions 2k and 2k + 1 of each 8 into lane k). Each block's four lanes are converted to
 * float and added to four float lanes, folded as (l0 + l1) + (l2 + l3); the last n % 8 terms are
 * summed exactly and added last. The scalar and SIMD128 versions are bitwise equal. */
#define PT_DIST_I16_MAX 4095
float pt_dist_l2_i16_scalar(const int16_t *a, const int16_t *b, size_t n);
float pt_dist_dot_i16_scalar(const int16_t *a, const int16_t *b, size_t n);
float pt_dist_l2_i16(const int16_t *a, const int16_t *b, size_t n);
float pt_dist_dot_i16(const int16_t *a, const int16_t *b, size_t n);

/* ---- int8 (exact in int32) ---- */
int32_t pt_dist_dot_i8_scalar(const int8_t *a, const int8_t *b, size_t n);
int32_t pt_dist_l2_i8_scalar(const int8_t *a, const int8_t *b, size_t n);
int32_t pt_dist_dot_i8(const int8_t *a, const int8_t *b, size_t n);
int32_t pt_dist_l2_i8(const int8_t *a, const int8_t *b, size_t n);

/* ---- binary (n bytes) ---- */
uint32_t pt_dist_hamming_scalar(const uint8_t *a, const uint8_t *b, size_t n);
float pt_dist_jaccard_scalar(const uint8_t *a, const uint8_t *b, size_t n);
uint32_t pt_dist_hamming(const uint8_t *a, const uint8_t *b, size_t n);
float pt_dist_jaccard(const uint8_t *a, const uint8_t *b, size_t n);

/* ---- helpers ---- */
/* 1 when SIMD128 kernels are compiled in. */
int pt_dist_simd(void);

#endif /* PT_DISTANCE_H */
