/*
 * test_crc32.c — CRC-32 (src/crc32.c) on its own.
 *
 * Covers:
 *   - the published check values of CRC-32 (IEEE 802.3, as zlib's crc32()): "123456789" is
 *     0xCBF43926, and others, whole and continued in pieces.
 *   - inputs long enough to be summed in two halves side by side and joined (crc32.c), at every
 *     length around the split and its alignment, at unaligned starts, continued from a CRC, and
 *     cut into pieces at random: each the same as a CRC computed bit by bit.
 */
#include "harness.h"

#include <stdlib.h>

#include "crc32.h"

/* The CRC-32 bit by bit, from its definition: the reference. */
static uint32_t crc_bitwise(uint32_t crc, const uint8_t *p, size_t n) {
  uint32_t c = ~crc;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return ~c;
}

/* deterministic bytes and choices (an LCG: the high bits) */
static uint64_t lcg = 12345;
static uint64_t rng(void) { return (lcg = lcg * 6364136223846793005ull + 1442695040888963407ull) >> 24; }

TEST(check_values) {
  CHECK_EQ_INT(pt_crc32("", 0), 0);
  CHECK_EQ_INT(pt_crc32("123456789", 9), 0xCBF43926u);
  CHECK_EQ_INT(pt_crc32("a", 1), 0xE8B7BE43u);
  CHECK_EQ_INT(pt_crc32("abc", 3), 0x352441C2u);
  CHECK_EQ_INT(pt_crc32("The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
  CHECK_EQ_INT(pt_crc32_update(pt_crc32("12345", 5), "6789", 4), 0xCBF43926u);
  CHECK_EQ_INT(pt_crc32_update(0, "123456789", 9), 0xCBF43926u);
  /* 32 zero bytes, and 4096 of 0xFF (long enough to be split) */
  uint8_t z[32] = {0};
  CHECK_EQ_INT(pt_crc32(z, sizeof z), 0x190A55ADu);
  static uint8_t ff[4096];
  memset(ff, 0xFF, sizeof ff);
  CHECK_EQ_INT(pt_crc32(ff, sizeof ff), crc_bitwise(0, ff, sizeof ff));
}

TEST(split_inputs_as_bit_by_bit) {
  enum { MAX = 3 * 65536 + 77 };
  uint8_t *buf = malloc(MAX + 8);
  CHECK(buf != NULL);
  if (!buf) return;
  for (size_t i = 0; i < MAX + 8; i++) buf[i] = (uint8_t)rng();
  long wrong = 0;
  /* every length around the split (4096) and a few aligned and odd starts */
  for (size_t n = 4000; n < 4200; n++)
    for (size_t start = 0; start < 8; start += 3)
      wrong += pt_crc32(buf + start, n) != crc_bitwise(0, buf + start, n);
  CHECK_EQ_INT(wrong, 0);
  /* long inputs, continued from a CRC */
  for (int t = 0; t < 40; t++) {
    size_t n = 4096 + (size_t)(rng() % (MAX - 4096)), start = (size_t)(rng() % 8);
    uint32_t from = (uint32_t)rng();
    wrong += pt_crc32_update(from, buf + start, n) != crc_bitwise(from, buf + start, n);
    /* and cut into pieces at random: the CRC of the whole */
    uint32_t c = 0;
    for (size_t at = 0; at < n;) {
      size_t piece = 1 + (size_t)(rng() % (n - at < 20000 ? n - at : 20000));
      c = pt_crc32_update(c, buf + start + at, piece);
      at += piece;
    }
    wrong += c != crc_bitwise(0, buf + start, n);
  }
  CHECK_EQ_INT(wrong, 0);
  free(buf);
}

TEST_MAIN(T(check_values), T(split_inputs_as_bit_by_bit))
