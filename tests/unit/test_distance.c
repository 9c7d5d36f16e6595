/*
 * test_distance.c — the distance kernels of vector search (src/distance.h) on their own.
 *
 * Under WASI the core is compiled with -msimd128, so pt_dist_* are the SIMD128 kernels of
 * distance_simd128.c and are checked against the scalar reference kernels (pt_dist_*_scalar);
 * natively both are the scalar ones and the comparisons hold trivially, but the exact checks
 * against hand-computed values and a double-precision reference still bite. The float and
 * bfloat16 kernels add in one documented order (distance.h), so SIMD and scalar must agree
 * bitwise, not just within rounding.
 *
 * Covers:
 *   - the build mode: pt_dist_simd() is 1 exactly when the build has SIMD128 (printed).
 *   - known values on tiny hand-computed inputs for every kernel (f32 / f16 / bf16 dot and
 *     squared L2, int8 dot and L2, hamming, jaccard with empty sets).
 *   - every position of every lane and tail: one-hot vectors of every dimension up to 70 give
 *     the exact product / squared difference, so a lost tail element or a lane summed twice
 *     shows.
 *   - integer-valued float data (sums below 2^24 are exact in any order): SIMD and scalar
 *     kernels agree exactly and equal the integer reference, for dims 1 ... 32768.
 *   - random real data at dims 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127,
 *     128, 129, 768, 1000, 32768 and 100 random ones: SIMD and scalar kernels bitwise equal
 *     (f32, bf16, the fused dot + norm), and within 1e-5 of sum|terms| (plus 1e-6) of a
 *     double-precision reference; unaligned starts.
 *   - int8 dot / L2, hamming: exact against a plain reference, at extremes (-128 / 127, all
 *     bits different) and at sizes that make the SIMD hamming flush its 16-bit lanes.
 *   - jaccard: exactly the scalar value (same integer counts, same final division).
 *   - int16 codes (an HNSW build's, |code| <= PT_DIST_I16_MAX): L2 and dot exact against an
 *     integer reference while the sums stay below 2^24 (every lane and tail position, one-hot),
 *     SIMD bitwise equal to scalar and within float rounding of the exact sum for random codes
 *     at every size, and at the extremes (+-PT_DIST_I16_MAX at 32768 dimensions: the int32
 *     lanes of a block must not overflow).
 *   - bounded L2 (pt_dist_l2_f32_bounded): bitwise the full L2 when it is within the bound,
 *     above the bound (and at most the full L2) otherwise, SIMD equal to scalar, at bounds from
 *     twice the distance down to 0.
 *   - the COSINE division over a block (dot / sqrt(norm), 0 for a zero norm): known values, and
 *     SIMD bitwise equal to scalar for every length up to 40.
 */
#include "harness.h"

#include <math.h>
#include <stdlib.h>

#include "distance.h"
#include "half.h"

/* ---- a deterministic PRNG (xorshift64*) ---- */
static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}
/* Uniform in [-1, 1). */
static float frand(void) { return (float)((double)(rng() >> 11) / 9007199254740992.0 * 2.0 - 1.0); }
/* Integer in [lo, hi]. */
static int irand(int lo, int hi) { return lo + (int)(rng() % (uint64_t)(hi - lo + 1)); }

static const size_t DIMS[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 768, 1000, 32768};
#define N_DIMS (sizeof DIMS / sizeof DIMS[0])
#define MAXDIM 32768

static int close_to(double got, double want, double scale) { return fabs(got - want) <= 1e-5 * scale + 1e-6; }

#define CHECK_CLOSE(got, want, scale, what, n)                                                          \
  do {                                                                                                  \
    double g_ = (got), w_ = (want), s_ = (scale);                                                       \
    if (!close_to(g_, w_, s_)) {                                                                        \
      fprintf(stderr, "  FAIL %s:%d: %s at dim %zu: %.9g vs %.9g (scale %.6g)\n", __FILE__, __LINE__, what, \
              (size_t)(n), g_, w_, s_);                                                                 \
      pt_test_failures++;                                                                               \
    }                                                                                                   \
  } while (0)
#define CHECK_SAME_F(got, want, what, n)                                                                \
  do {                                                                                                  \
    float g_ = (got), w_ = (want);                                                                      \
    if (!(g_ == w_)) {                                                                                  \
      fprintf(stderr, "  FAIL %s:%d: %s at dim %zu: %.9g != %.9g\n", __FILE__, __LINE__, what, (size_t)(n), \
              (double)g_, (double)w_);                                                                  \
      pt_test_failures++;                                                                               \
    }                                                                                                   \
  } while (0)
#define CHECK_SAME_I(got, want, what, n)                                                                \
  do {                                                                                                  \
    long long g_ = (long long)(got), w_ = (long long)(want);                                            \
    if (g_ != w_) {                                                                                     \
      fprintf(stderr, "  FAIL %s:%d: %s at dim %zu: %lld != %lld\n", __FILE__, __LINE__, what, (size_t)(n), g_, w_); \
      pt_test_failures++;                                                                               \
    }                                                                                                   \
  } while (0)

/* Buffers shared by the tests (one extra element so that starts can be offset by one). */
static float fa[MAXDIM + 1], fb[MAXDIM + 1];
static uint16_t ha[MAXDIM + 1];
static int8_t ia[MAXDIM + 1], ib[MAXDIM + 1];
static int16_t sa[MAXDIM + 1], sb[MAXDIM + 1];
static uint8_t ua[MAXDIM * 4 + 64], ub[MAXDIM * 4 + 64];

static unsigned popcount_ref(unsigned x) {
  unsigned n = 0;
  for (; x; x >>= 1) n += x & 1u;
  return n;
}

/* ============================================================================================ */

TEST(build_mode) {
  int simd = pt_dist_simd();
  printf("     distance kernels: %s\n", simd ? "SIMD128" : "scalar");
#if defined(__wasm_simd128__)
  CHECK_EQ_INT(simd, 1);
#elif !defined(__wasm__)
  CHECK_EQ_INT(simd, 0); /* no SIMD128 kernels outside WebAssembly */
#endif
  CHECK(simd == 0 || simd == 1);
}

TEST(known_values) {
  const float a[3] = {1, 2, 3}, b[3] = {4, -5, 6};
  /* 4 - 10 + 18 = 12; (1-4)^2 + (2+5)^2 + (3-6)^2 = 9 + 49 + 9 = 67 */
  CHECK(pt_dist_dot_f32(a, b, 3) == 12.0f);
  CHECK(pt_dist_dot_f32_scalar(a, b, 3) == 12.0f);
  CHECK(pt_dist_l2_f32(a, b, 3) == 67.0f);
  CHECK(pt_dist_l2_f32_scalar(a, b, 3) == 67.0f);
  CHECK(pt_dist_dot_f32(a, b, 0) == 0.0f);
  CHECK(pt_dist_l2_f32(a, b, 0) == 0.0f);
  /* 17 elements: 16 in vector lanes, one in the tail */
  float x[17], y[17];
  for (int i = 0; i < 17; i++) { x[i] = (float)(i + 1); y[i] = 1; }
  CHECK(pt_dist_dot_f32(x, y, 17) == 153.0f); /* 1 + ... + 17 */
  CHECK(pt_dist_l2_f32(x, y, 17) == 1496.0f); /* 0^2 + ... + 16^2 */

  /* halves: 1.5 = 0x3E00 (f16) = 0x3FC0 (bf16); -2 = 0xC000 (f16) = 0xC000 (bf16) */
  const float q[2] = {2, 1};
  const uint16_t h16[2] = {0x3E00, 0xC000}, hb16[2] = {0x3FC0, 0xC000};
  CHECK(pt_dist_dot_f16(q, h16, 2) == 1.0f);  /* 3 - 2 */
  CHECK(pt_dist_l2_f16(q, h16, 2) == 9.25f);  /* 0.25 + 9 */
  CHECK(pt_dist_dot_bf16(q, hb16, 2) == 1.0f);
  CHECK(pt_dist_dot_bf16_scalar(q, hb16, 2) == 1.0f);
  CHECK(pt_dist_l2_bf16(q, hb16, 2) == 9.25f);
  CHECK(pt_dist_l2_bf16_scalar(q, hb16, 2) == 9.25f);

  const int8_t i1[4] = {1, -2, 127, -128}, i2[4] = {3, 4, -128, -128};
  /* 3 - 8 - 16256 + 16384 = 123; 4 + 36 + 65025 + 0 = 65065 */
  CHECK_EQ_INT(pt_dist_dot_i8(i1, i2, 4), 123);
  CHECK_EQ_INT(pt_dist_dot_i8_scalar(i1, i2, 4), 123);
  CHECK_EQ_INT(pt_dist_l2_i8(i1, i2, 4), 65065);
  CHECK_EQ_INT(pt_dist_l2_i8_scalar(i1, i2, 4), 65065);

  const uint8_t b1[2] = {0xF0, 0x01}, b2[2] = {0xFF, 0x00};
  /* xor = 0x0F, 0x01: 5 bits; and = 0xF0: 4 bits; or = 0xFF, 0x01: 9 bits */
  CHECK_EQ_INT(pt_dist_hamming(b1, b2, 2), 5);
  CHECK_EQ_INT(pt_dist_hamming_scalar(b1, b2, 2), 5);
  CHECK(pt_dist_jaccard(b1, b2, 2) == 1.0f - 4.0f / 9.0f);
  CHECK(pt_dist_jaccard_scalar(b1, b2, 2) == 1.0f - 4.0f / 9.0f);
  /* two empty sets are identical; disjoint sets are at distance 1 */
  const uint8_t z[2] = {0, 0}, o[2] = {0x0F, 0}, p[2] = {0xF0, 0};
  CHECK(pt_dist_jaccard(z, z, 2) == 0.0f);
  CHECK(pt_dist_jaccard_scalar(z, z, 2) == 0.0f);
  CHECK(pt_dist_jaccard(o, p, 2) == 1.0f);
  CHECK(pt_dist_jaccard(o, o, 2) == 0.0f);
}

/* A single non-zero element at each position of each small dimension: the result is that one
 * term, exactly, for every kernel. */
TEST(one_hot_every_position) {
  for (size_t n = 1; n <= 70; n++) {
    for (size_t at = 0; at < n; at++) {
      memset(fa, 0, sizeof fa);
      memset(fb, 0, sizeof fb);
      memset(ia, 0, sizeof ia);
      memset(ib, 0, sizeof ib);
      memset(ha, 0, sizeof ha);
      fa[at] = 3;
      fb[at] = -5;
      ia[at] = -7;
      ib[at] = 11;
      ha[at] = pt_f32_to_bf16(-5);
      CHECK_SAME_F(pt_dist_dot_f32(fa, fb, n), -15.0f, "one-hot dot f32", n);
      CHECK_SAME_F(pt_dist_dot_f32_scalar(fa, fb, n), -15.0f, "one-hot dot f32 scalar", n);
      CHECK_SAME_F(pt_dist_l2_f32(fa, fb, n), 64.0f, "one-hot l2 f32", n);
      CHECK_SAME_F(pt_dist_l2_f32_scalar(fa, fb, n), 64.0f, "one-hot l2 f32 scalar", n);
      float nn = 0, ns = 0;
      CHECK_SAME_F(pt_dist_dot_norm_f32(fa, fb, n, &nn), -15.0f, "one-hot dot+norm f32", n);
      CHECK_SAME_F(nn, 25.0f, "one-hot dot+norm f32 (norm)", n);
      CHECK_SAME_F(pt_dist_dot_norm_f32_scalar(fa, fb, n, &ns), -15.0f, "one-hot dot+norm f32 scalar", n);
      CHECK_SAME_F(ns, 25.0f, "one-hot dot+norm f32 scalar (norm)", n);
      CHECK_SAME_F(pt_dist_dot_bf16(fa, ha, n), -15.0f, "one-hot dot bf16", n);
      CHECK_SAME_F(pt_dist_dot_bf16_scalar(fa, ha, n), -15.0f, "one-hot dot bf16 scalar", n);
      CHECK_SAME_F(pt_dist_l2_bf16(fa, ha, n), 64.0f, "one-hot l2 bf16", n);
      CHECK_SAME_F(pt_dist_l2_bf16_scalar(fa, ha, n), 64.0f, "one-hot l2 bf16 scalar", n);
      ha[at] = pt_f32_to_f16(-5);
      CHECK_SAME_F(pt_dist_dot_f16(fa, ha, n), -15.0f, "one-hot dot f16", n);
      CHECK_SAME_F(pt_dist_l2_f16(fa, ha, n), 64.0f, "one-hot l2 f16", n);
      CHECK_SAME_I(pt_dist_dot_i8(ia, ib, n), -77, "one-hot dot i8", n);
      CHECK_SAME_I(pt_dist_dot_i8_scalar(ia, ib, n), -77, "one-hot dot i8 scalar", n);
      CHECK_SAME_I(pt_dist_l2_i8(ia, ib, n), 324, "one-hot l2 i8", n);
      CHECK_SAME_I(pt_dist_l2_i8_scalar(ia, ib, n), 324, "one-hot l2 i8 scalar", n);
    }
  }
  /* bytes: one differing bit at every bit of every byte position */
  for (size_t n = 1; n <= 70; n++)
    for (size_t at = 0; at < n; at++)
      for (int bit = 0; bit < 8; bit++) {
        memset(ua, 0, n);
        memset(ub, 0, n);
        ua[at] = (uint8_t)(1u << bit);
        CHECK_SAME_I(pt_dist_hamming(ua, ub, n), 1, "one-hot hamming", n);
        CHECK_SAME_I(pt_dist_hamming_scalar(ua, ub, n), 1, "one-hot hamming scalar", n);
        CHECK_SAME_F(pt_dist_jaccard(ua, ub, n), 1.0f, "one-hot jaccard", n);
        ub[at] = (uint8_t)(1u << bit) | (uint8_t)(1u << ((bit + 1) & 7));
        CHECK_SAME_F(pt_dist_jaccard(ua, ub, n), 0.5f, "one-hot jaccard 1/2", n);
        CHECK_SAME_F(pt_dist_jaccard_scalar(ua, ub, n), 0.5f, "one-hot jaccard 1/2 scalar", n);
      }
}

/* Small integers: every partial sum is an integer below 2^24, exact in float in any order. */
TEST(integer_floats_are_exact) {
  for (size_t d = 0; d < N_DIMS; d++) {
    size_t n = DIMS[d];
    int64_t dot = 0, l2 = 0;
    for (size_t i = 0; i < n; i++) {
      int x = irand(-8, 8), y = irand(-8, 8);
      fa[i] = (float)x;
      fb[i] = (float)y;
      ha[i] = pt_f32_to_bf16((float)y);
      dot += x * y;
      l2 += (x - y) * (x - y);
    }
    CHECK_SAME_F(pt_dist_dot_f32(fa, fb, n), (float)dot, "integer dot f32", n);
    CHECK_SAME_F(pt_dist_dot_f32_scalar(fa, fb, n), (float)dot, "integer dot f32 scalar", n);
    CHECK_SAME_F(pt_dist_l2_f32(fa, fb, n), (float)l2, "integer l2 f32", n);
    CHECK_SAME_F(pt_dist_l2_f32_scalar(fa, fb, n), (float)l2, "integer l2 f32 scalar", n);
    int64_t nb = 0;
    for (size_t i = 0; i < n; i++) nb += (int64_t)fb[i] * (int64_t)fb[i];
    float nn = 0;
    CHECK_SAME_F(pt_dist_dot_norm_f32(fa, fb, n, &nn), (float)dot, "integer dot+norm f32", n);
    CHECK_SAME_F(nn, (float)nb, "integer dot+norm f32 (norm)", n);
    CHECK_SAME_F(pt_dist_dot_bf16(fa, ha, n), (float)dot, "integer dot bf16", n);
    CHECK_SAME_F(pt_dist_dot_bf16_scalar(fa, ha, n), (float)dot, "integer dot bf16 scalar", n);
    CHECK_SAME_F(pt_dist_l2_bf16(fa, ha, n), (float)l2, "integer l2 bf16", n);
    CHECK_SAME_F(pt_dist_l2_bf16_scalar(fa, ha, n), (float)l2, "integer l2 bf16 scalar", n);
    for (size_t i = 0; i < n; i++) ha[i] = pt_f32_to_f16(fb[i]);
    CHECK_SAME_F(pt_dist_dot_f16(fa, ha, n), (float)dot, "integer dot f16", n);
    CHECK_SAME_F(pt_dist_l2_f16(fa, ha, n), (float)l2, "integer l2 f16", n);
  }
}

/* A bounded L2 kernel (SIMD and scalar) against the full one on a, b: the exact value when
 * within the bound, above the bound otherwise. */
#define CHECK_BOUNDED(simd, scalar, full_fn, a, b, n, type)                                        \
  do {                                                                                             \
    float full_ = full_fn(a, b, n);                                                                \
    static const float fractions_[] = {2.0f, 1.0f, 0.9f, 0.5f, 0.1f, 0.0f};                        \
    for (size_t f_ = 0; f_ < sizeof fractions_ / sizeof fractions_[0]; f_++) {                     \
      float bound_ = full_ * fractions_[f_];                                                       \
      float s1_ = simd(a, b, n, bound_), s2_ = scalar(a, b, n, bound_);                            \
      CHECK_SAME_F(s1_, s2_, "bounded l2 " type " simd vs scalar", n);                             \
      if (full_ <= bound_) CHECK_SAME_F(s1_, full_, "bounded l2 " type " within the bound", n);    \
      else CHECK(s1_ > bound_ && s1_ <= full_);                                                    \
    }                                                                                              \
    CHECK_SAME_F(simd(a, b, n, INFINITY), full_, "bounded l2 " type ", no bound", n);              \
  } while (0)

/* Random reals: SIMD and scalar within float accumulation error of each other and of double. */
static void random_f32_at(size_t n, size_t shift) {
  float *a = fa + shift, *b = fb + shift;
  uint16_t *h = ha + shift;
  double dot = 0, dabs = 0, l2 = 0, bdot = 0, babs = 0, bl2 = 0, hdot = 0, habs = 0, hl2 = 0;
  for (size_t i = 0; i < n; i++) {
    a[i] = frand();
    b[i] = frand() * 4;
    dot += (double)a[i] * b[i];
    dabs += fabs((double)a[i] * b[i]);
    l2 += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
  }
  CHECK_CLOSE(pt_dist_dot_f32(a, b, n), dot, dabs, "dot f32 vs double", n);
  CHECK_CLOSE(pt_dist_dot_f32_scalar(a, b, n), dot, dabs, "dot f32 scalar vs double", n);
  CHECK_SAME_F(pt_dist_dot_f32(a, b, n), pt_dist_dot_f32_scalar(a, b, n), "dot f32 simd vs scalar", n);
  CHECK_CLOSE(pt_dist_l2_f32(a, b, n), l2, l2, "l2 f32 vs double", n);
  CHECK_CLOSE(pt_dist_l2_f32_scalar(a, b, n), l2, l2, "l2 f32 scalar vs double", n);
  CHECK_SAME_F(pt_dist_l2_f32(a, b, n), pt_dist_l2_f32_scalar(a, b, n), "l2 f32 simd vs scalar", n);
  CHECK_BOUNDED(pt_dist_l2_f32_bounded, pt_dist_l2_f32_bounded_scalar, pt_dist_l2_f32_scalar, a, b, n, "f32");
  {
    double bb = 0;
    for (size_t i = 0; i < n; i++) bb += (double)b[i] * b[i];
    float nn = -1, ns = -2;
    float d1 = pt_dist_dot_norm_f32(a, b, n, &nn), d2 = pt_dist_dot_norm_f32_scalar(a, b, n, &ns);
    CHECK_SAME_F(d1, d2, "dot+norm f32 simd vs scalar", n);
    CHECK_SAME_F(nn, ns, "dot+norm f32 simd vs scalar (norm)", n);
    CHECK_SAME_F(d1, pt_dist_dot_f32(a, b, n), "dot+norm f32 vs dot", n);
    CHECK_SAME_F(nn, pt_dist_dot_f32(b, b, n), "dot+norm f32 vs dot (norm)", n);
    CHECK_CLOSE(nn, bb, bb, "dot+norm f32 (norm) vs double", n);
  }

  for (size_t i = 0; i < n; i++) {
    h[i] = pt_f32_to_bf16(b[i]);
    double x = pt_bf16_to_f32(h[i]);
    bdot += a[i] * x;
    babs += fabs(a[i] * x);
    bl2 += (a[i] - x) * (a[i] - x);
  }
  CHECK_CLOSE(pt_dist_dot_bf16(a, h, n), bdot, babs, "dot bf16 vs double", n);
  CHECK_CLOSE(pt_dist_dot_bf16_scalar(a, h, n), bdot, babs, "dot bf16 scalar vs double", n);
  CHECK_SAME_F(pt_dist_dot_bf16(a, h, n), pt_dist_dot_bf16_scalar(a, h, n), "dot bf16 simd vs scalar", n);
  CHECK_CLOSE(pt_dist_l2_bf16(a, h, n), bl2, bl2, "l2 bf16 vs double", n);
  CHECK_CLOSE(pt_dist_l2_bf16_scalar(a, h, n), bl2, bl2, "l2 bf16 scalar vs double", n);
  CHECK_SAME_F(pt_dist_l2_bf16(a, h, n), pt_dist_l2_bf16_scalar(a, h, n), "l2 bf16 simd vs scalar", n);

  for (size_t i = 0; i < n; i++) {
    h[i] = pt_f32_to_f16(b[i]);
    double x = pt_f16_to_f32(h[i]);
    hdot += a[i] * x;
    habs += fabs(a[i] * x);
    hl2 += (a[i] - x) * (a[i] - x);
  }
  CHECK_CLOSE(pt_dist_dot_f16(a, h, n), hdot, habs, "dot f16 vs double", n);
  CHECK_CLOSE(pt_dist_dot_f16_scalar(a, h, n), hdot, habs, "dot f16 scalar vs double", n);
  CHECK_CLOSE(pt_dist_l2_f16(a, h, n), hl2, hl2, "l2 f16 vs double", n);
  CHECK_CLOSE(pt_dist_l2_f16_scalar(a, h, n), hl2, hl2, "l2 f16 scalar vs double", n);
}

TEST(random_floats_agree) {
  for (size_t d = 0; d < N_DIMS; d++) {
    random_f32_at(DIMS[d], 0);
    random_f32_at(DIMS[d], 1); /* a start that is not 16-byte aligned */
  }
  /* 100 random dims between 1 and 300 */
  for (int k = 0; k < 100; k++) random_f32_at((size_t)irand(1, 300), (size_t)irand(0, 1));
}

static void random_i8_at(size_t n, size_t shift, int lo, int hi) {
  int8_t *a = ia + shift, *b = ib + shift;
  int64_t dot = 0, l2 = 0;
  for (size_t i = 0; i < n; i++) {
    a[i] = (int8_t)irand(lo, hi);
    b[i] = (int8_t)irand(lo, hi);
    dot += a[i] * b[i];
    l2 += (a[i] - b[i]) * (a[i] - b[i]);
  }
  CHECK_SAME_I(pt_dist_dot_i8(a, b, n), dot, "dot i8", n);
  CHECK_SAME_I(pt_dist_dot_i8_scalar(a, b, n), dot, "dot i8 scalar", n);
  CHECK_SAME_I(pt_dist_l2_i8(a, b, n), l2, "l2 i8", n);
  CHECK_SAME_I(pt_dist_l2_i8_scalar(a, b, n), l2, "l2 i8 scalar", n);
}

TEST(int8_exact) {
  for (size_t d = 0; d < N_DIMS; d++) {
    random_i8_at(DIMS[d], 0, -128, 127);
    random_i8_at(DIMS[d], 1, -128, 127);
  }
  for (int k = 0; k < 100; k++) random_i8_at((size_t)irand(1, 300), (size_t)irand(0, 1), -128, 127);
  /* extremes at the largest dimension: the sums stay within int32 */
  size_t n = MAXDIM;
  for (size_t i = 0; i < n; i++) { ia[i] = -128; ib[i] = -128; }
  CHECK_SAME_I(pt_dist_dot_i8(ia, ib, n), (int64_t)n * 16384, "dot i8 extremes", n);
  CHECK_SAME_I(pt_dist_dot_i8_scalar(ia, ib, n), (int64_t)n * 16384, "dot i8 extremes scalar", n);
  for (size_t i = 0; i < n; i++) ib[i] = 127;
  CHECK_SAME_I(pt_dist_dot_i8(ia, ib, n), -(int64_t)n * 16256, "dot i8 mixed extremes", n);
  CHECK_SAME_I(pt_dist_l2_i8(ia, ib, n), (int64_t)n * 65025, "l2 i8 extremes", n);
  CHECK_SAME_I(pt_dist_l2_i8_scalar(ia, ib, n), (int64_t)n * 65025, "l2 i8 extremes scalar", n);
}

/* int16 codes in [-lim, lim]: SIMD bitwise scalar, both within float rounding of the exact sums
 * (exactly them when `exact`: every sum below 2^24). */
static void random_i16_at(size_t n, size_t shift, int lim, int exact) {
  int16_t *a = sa + shift, *b = sb + shift;
  int64_t dot = 0, l2 = 0;
  double dabs = 0;
  for (size_t i = 0; i < n; i++) {
    a[i] = (int16_t)irand(-lim, lim);
    b[i] = (int16_t)irand(-lim, lim);
    dot += a[i] * b[i];
    dabs += fabs((double)a[i] * b[i]);
    l2 += (a[i] - b[i]) * (a[i] - b[i]);
  }
  float d1 = pt_dist_dot_i16(a, b, n), d2 = pt_dist_dot_i16_scalar(a, b, n);
  float l1 = pt_dist_l2_i16(a, b, n), l2s = pt_dist_l2_i16_scalar(a, b, n);
  CHECK_SAME_F(d1, d2, "dot i16 simd vs scalar", n);
  CHECK_SAME_F(l1, l2s, "l2 i16 simd vs scalar", n);
  if (exact) {
    CHECK_SAME_I(d1, dot, "dot i16 exact", n);
    CHECK_SAME_I(l1, l2, "l2 i16 exact", n);
  } else {
    CHECK_CLOSE(d1, (double)dot, dabs, "dot i16 vs exact", n);
    CHECK_CLOSE(l1, (double)l2, (double)l2, "l2 i16 vs exact", n);
  }
}

TEST(int16_codes) {
  /* every lane and tail position */
  for (size_t n = 1; n <= 70; n++)
    for (size_t at = 0; at < n; at++) {
      for (size_t i = 0; i < n; i++) sa[i] = sb[i] = 0;
      sa[at] = 3;
      sb[at] = -5;
      CHECK_SAME_F(pt_dist_dot_i16(sa, sb, n), -15.0f, "one-hot dot i16", n);
      CHECK_SAME_F(pt_dist_dot_i16_scalar(sa, sb, n), -15.0f, "one-hot dot i16 scalar", n);
      CHECK_SAME_F(pt_dist_l2_i16(sa, sb, n), 64.0f, "one-hot l2 i16", n);
      CHECK_SAME_F(pt_dist_l2_i16_scalar(sa, sb, n), 64.0f, "one-hot l2 i16 scalar", n);
    }
  for (size_t d = 0; d < N_DIMS; d++) {
    random_i16_at(DIMS[d], 0, PT_DIST_I16_MAX, 0);
    random_i16_at(DIMS[d], 1, PT_DIST_I16_MAX, 0); /* a start that is not 16-byte aligned */
    random_i16_at(DIMS[d], 0, 10, 1);              /* 32768 * 20^2 < 2^24 */
  }
  for (int k = 0; k < 100; k++) random_i16_at((size_t)irand(1, 300), (size_t)irand(0, 1), PT_DIST_I16_MAX, 0);
  /* extremes at the largest dimension: each block's int32 lanes stay in range */
  size_t n = MAXDIM;
  double m = PT_DIST_I16_MAX;
  for (size_t i = 0; i < n; i++) {
    sa[i] = PT_DIST_I16_MAX;
    sb[i] = -PT_DIST_I16_MAX;
  }
  CHECK_CLOSE(pt_dist_l2_i16(sa, sb, n), n * 4 * m * m, n * 4 * m * m, "l2 i16 extremes", n);
  CHECK_SAME_F(pt_dist_l2_i16(sa, sb, n), pt_dist_l2_i16_scalar(sa, sb, n), "l2 i16 extremes simd vs scalar", n);
  CHECK_CLOSE(pt_dist_dot_i16(sa, sb, n), -(n * m * m), n * m * m, "dot i16 extremes", n);
  CHECK_CLOSE(pt_dist_dot_i16(sa, sa, n), n * m * m, n * m * m, "dot i16 extremes (same)", n);
  CHECK_SAME_F(pt_dist_dot_i16(sa, sb, n), pt_dist_dot_i16_scalar(sa, sb, n), "dot i16 extremes simd vs scalar", n);
}

static void random_bits_at(size_t n, size_t shift, int density) {
  uint8_t *a = ua + shift, *b = ub + shift;
  uint32_t ham = 0, both = 0, any = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t x = 0, y = 0;
    for (int bit = 0; bit < 8; bit++) {
      if (irand(0, 99) < density) x |= (uint8_t)(1u << bit);
      if (irand(0, 99) < density) y |= (uint8_t)(1u << bit);
    }
    a[i] = x;
    b[i] = y;
    ham += popcount_ref((unsigned)(x ^ y));
    both += popcount_ref((unsigned)(x & y));
    any += popcount_ref((unsigned)(x | y));
  }
  CHECK_SAME_I(pt_dist_hamming(a, b, n), ham, "hamming", n);
  CHECK_SAME_I(pt_dist_hamming_scalar(a, b, n), ham, "hamming scalar", n);
  float jac = any ? 1.0f - (float)both / (float)any : 0.0f;
  CHECK_SAME_F(pt_dist_jaccard(a, b, n), jac, "jaccard", n);
  CHECK_SAME_F(pt_dist_jaccard_scalar(a, b, n), jac, "jaccard scalar", n);
  CHECK_SAME_F(pt_dist_jaccard(a, b, n), pt_dist_jaccard_scalar(a, b, n), "jaccard simd vs scalar", n);
}

TEST(binary_exact) {
  /* byte counts: dims in bits / 8 for every listed dim that is a multiple of 8, and odd ones */
  static const size_t BYTES[] = {1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 64, 96, 127, 128, 129, 1000, 4096};
  for (size_t d = 0; d < sizeof BYTES / sizeof BYTES[0]; d++)
    for (int density = 0; density <= 100; density += 25) {
      random_bits_at(BYTES[d], 0, density);
      random_bits_at(BYTES[d], 3, density);
    }
  for (int k = 0; k < 100; k++) random_bits_at((size_t)irand(1, 300), (size_t)irand(0, 15), irand(0, 100));
  /* every bit differs, over sizes that make 16-bit lane counters overflow unless flushed */
  static const size_t BIG[] = {4096, 32768, 32768 + 16, 65536 + 5, MAXDIM * 4 + 64};
  for (size_t d = 0; d < sizeof BIG / sizeof BIG[0]; d++) {
    size_t n = BIG[d];
    memset(ua, 0xFF, n);
    memset(ub, 0x00, n);
    CHECK_SAME_I(pt_dist_hamming(ua, ub, n), 8 * n, "hamming all bits", n);
    CHECK_SAME_I(pt_dist_hamming_scalar(ua, ub, n), 8 * n, "hamming all bits scalar", n);
    CHECK_SAME_F(pt_dist_jaccard(ua, ub, n), 1.0f, "jaccard disjoint", n);
    CHECK_SAME_F(pt_dist_jaccard(ua, ua, n), 0.0f, "jaccard identical", n);
  }
}

TEST(cosine_division) {
  float dot[8] = {3, -3, 5, 7, 1, 2, 0, -1}, norm[8] = {4, 9, 0, 49, 1, 0.25f, 2, 1};
  pt_dist_cosine_div(dot, norm, 8);
  const float want[8] = {1.5f, -1, 0, 1, 1, 4, 0, -1};
  for (int j = 0; j < 8; j++) CHECK_SAME_F(dot[j], want[j], "cosine division", (size_t)j);
  float a[40], b[40], n[40];
  for (size_t len = 0; len <= 40; len++) {
    for (size_t j = 0; j < len; j++) {
      a[j] = b[j] = frand() * 10;
      n[j] = irand(0, 4) == 0 ? 0 : (frand() + 1) * 50;
    }
    pt_dist_cosine_div(a, n, len);
    pt_dist_cosine_div_scalar(b, n, len);
    for (size_t j = 0; j < len; j++) CHECK_SAME_F(a[j], b[j], "cosine division simd vs scalar", len);
  }
}

TEST_MAIN(T(build_mode), T(known_values), T(one_hot_every_position), T(integer_floats_are_exact), T(random_floats_agree),
          T(int8_exact), T(int16_codes), T(binary_exact), T(cosine_division))
