/*
 * test_hash64.c — pt_hash64 (src/hash64.c), the check of log records and snapshot sections.
 *
 * Covers:
 *   - fixed values: the native build (portable C) and the WebAssembly builds (SIMD128, and the
 *     portable path) must give these, or a file written by one is refused by the other.
 *   - the SIMD128 path and the portable one agree at every length around the stripe (64 bytes)
 *     and block (1024 bytes) sizes, at unaligned starts, and with seeds.
 *   - what it must detect: every single flipped bit, a truncation by one byte, a zero byte
 *     appended, two stripes trading places, a changed seed (a section out of place).
 */
#include "harness.h"

#include <stdlib.h>

#include "hash64.h"

static uint64_t lcg = 987654321;
static uint8_t rng8(void) { return (uint8_t)((lcg = lcg * 6364136223846793005ull + 1442695040888963407ull) >> 56); }

#define CHECK_EQ_U64(a, b) CHECK((uint64_t)(a) == (uint64_t)(b))

TEST(fixed_values) {
  CHECK_EQ_U64(pt_hash64(0, "", 0), 0x0b3d7bb79429adccull);
  CHECK_EQ_U64(pt_hash64(0, "a", 1), 0x2d2769c6111cf737ull);
  CHECK_EQ_U64(pt_hash64(0, "abc", 3), 0x43d9cdd2a02a1c26ull);
  CHECK_EQ_U64(pt_hash64(0, "123456789", 9), 0xff417cbf229ee416ull);
  CHECK_EQ_U64(pt_hash64(0, "The quick brown fox jumps over the lazy dog", 43), 0x63c472eb6144cf41ull);
  size_t n = (size_t)1 << 20;
  uint8_t *big = malloc(n);
  CHECK(big != NULL);
  if (!big) return;
  for (size_t i = 0; i < n; i++) big[i] = (uint8_t)(i * 131u + (i >> 8));
  CHECK_EQ_U64(pt_hash64(0, big, n), 0xe5bab892321506e0ull);
  CHECK_EQ_U64(pt_hash64(1, big, n), 0xfaf31bad2c1e56c9ull);
  CHECK_EQ_U64(pt_hash64(0, big, 1000), 0x408539cc0ddf017eull);
  CHECK_EQ_U64(pt_hash64_portable(0, big, n), 0xe5bab892321506e0ull);
  free(big);
}

TEST(simd_and_portable_agree) {
  enum { MAX = 3 * 1024 + 130 };
  uint8_t *buf = malloc(MAX + 8);
  CHECK(buf != NULL);
  if (!buf) return;
  for (size_t i = 0; i < MAX + 8; i++) buf[i] = rng8();
  long wrong = 0;
  for (size_t n = 0; n <= MAX; n += n < 1100 ? 1 : 61)
    for (size_t start = 0; start < 8; start += 3) {
      uint64_t seed = n * 0x9E3779B97F4A7C15ull;
      wrong += pt_hash64(seed, buf + start, n) != pt_hash64_portable(seed, buf + start, n);
    }
  CHECK_EQ_INT(wrong, 0);
  free(buf);
}

TEST(detects_flips_truncation_and_moves) {
  enum { N = 2100 };
  uint8_t *b = malloc(N + 1);
  CHECK(b != NULL);
  if (!b) return;
  for (size_t i = 0; i < N; i++) b[i] = rng8();
  b[N] = 0;
  uint64_t h = pt_hash64(0, b, N);
  long missed = 0;
  for (size_t bit = 0; bit < (size_t)N * 8; bit++) {
    b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    missed += pt_hash64(0, b, N) == h;
    b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
  }
  CHECK_EQ_INT(missed, 0);
  CHECK(pt_hash64(0, b, N - 1) != h);     /* truncated */
  CHECK(pt_hash64(0, b, N + 1) != h);     /* a zero appended */
  CHECK(pt_hash64(1, b, N) != h);         /* another seed: a section out of its place in a chain */
  /* all zeros, of lengths that pad to the same stripe */
  uint8_t z[64] = {0};
  CHECK(pt_hash64(0, z, 63) != pt_hash64(0, z, 64));
  CHECK(pt_hash64(0, z, 0) != pt_hash64(0, z, 1));
  /* two stripes trade places */
  uint8_t *m = malloc(N);
  memcpy(m, b, N);
  uint8_t t[64];
  memcpy(t, m, 64);
  memcpy(m, m + 64, 64);
  memcpy(m + 64, t, 64);
  CHECK(pt_hash64(0, m, N) != h);
  free(m);
  free(b);
}

TEST_MAIN(T(fixed_values), T(simd_and_portable_agree), T(detects_flips_truncation_and_moves))
