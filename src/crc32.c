/*
 * crc32.c — CRC-32 (IEEE 802.3, the reflected polynomial 0xEDB88320), as zlib computes it: the
 * checksums of log records, snapshots and index bytes.
 *
 * Slicing by eight: eight tables of 256 entries, made on first use, consume eight bytes per step.
 * One step waits for the one before it (the CRC so far picks the table entries), so a long
 * input is cut in two halves summed side by side, two independent chains in one loop, and the
 * halves' CRCs are then joined: the CRC register is linear, so the register after A then B is
 * (the register after A, shifted through |B| zero bytes) xor (B's register started from 0), and
 * a shift through n zero bytes is a multiplication by x^(8n) modulo the polynomial. Recovery
 * checks every byte of a store: with one chain the checksum was a sixth of a 1M-row reopen in
 * WebAssembly; two chains are ~1.4x as fast there and natively (three or four were no faster
 * in WebAssembly: they run out of registers).
 */
#include "crc32.h"

#include <stdbool.h>

#define POLY 0xEDB88320u

static uint32_t crc_table[8][256];
static uint32_t x2n[64]; /* x^(2^k) modulo the polynomial (reflected: bit 31 is x^0) */
static bool crc_ready;

/* a · b modulo the polynomial, both reflected */
static uint32_t gf_mul(uint32_t a, uint32_t b) {
  uint32_t prod = 0;
  for (int i = 0; i < 32; i++) {
    if (a & (0x80000000u >> i)) prod ^= b;
    b = (b >> 1) ^ (POLY & (0u - (b & 1u))); /* b · x */
  }
  return prod;
}

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? POLY ^ (c >> 1) : c >> 1;
    crc_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++) crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
  x2n[0] = 0x40000000u; /* x^1 */
  for (int k = 1; k < 64; k++) x2n[k] = gf_mul(x2n[k - 1], x2n[k - 1]);
  crc_ready = true;
}

/* The register `c` shifted through n zero bytes: c · x^(8n). */
static uint32_t shift_zeros(uint32_t c, size_t n) {
  for (int k = 3; n; k++, n >>= 1) /* bit j of n: x^(8 · 2^j) = x^(2^(j+3)); n < 2^61 */
    if (n & 1) c = gf_mul(x2n[k], c);
  return c;
}

static inline uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One step of eight bytes at p (read as one 64-bit word: in WebAssembly, one load and shifts of
 * a register instead of two words). */
static inline uint32_t step8(uint32_t c, const uint8_t *p) {
  uint64_t w = ((uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32) ^ c;
  return crc_table[7][w & 0xff] ^ crc_table[6][(w >> 8) & 0xff] ^ crc_table[5][(w >> 16) & 0xff] ^
         crc_table[4][(w >> 24) & 0xff] ^ crc_table[3][(w >> 32) & 0xff] ^ crc_table[2][(w >> 40) & 0xff] ^
         crc_table[1][(w >> 48) & 0xff] ^ crc_table[0][w >> 56];
}

/* The register `c` (not inverted) continued over n bytes, one chain. */
static uint32_t chain(uint32_t c, const uint8_t *p, size_t n) {
  for (; n >= 8; p += 8, n -= 8) c = step8(c, p);
  while (n--) c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return c;
}

/* Inputs shorter than this take one chain (the join costs a few hundred operations). */
#define SPLIT_MIN 4096u

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n) {
  if (!crc_ready) crc_init();
  uint32_t c = ~crc;
  if (n >= SPLIT_MIN) {
    size_t part = n / 2 & ~(size_t)7; /* two parts of `part` bytes, the rest after them */
    const uint8_t *q = p + part;
    uint32_t d = 0;
    for (size_t at = 0; at < part; at += 8) {
      c = step8(c, p + at);
      d = step8(d, q + at);
    }
    c = gf_mul(shift_zeros(0x80000000u, part), c) ^ d; /* c · x^(8 part), then the second part's */
    p += 2 * part;
    n -= 2 * part;
  }
  return ~chain(c, p, n);
}

uint32_t pt_crc32(const void *data, size_t len) { return crc32_update(0, data, len); }
uint32_t pt_crc32_update(uint32_t crc, const void *data, size_t len) { return crc32_update(crc, data, len); }
