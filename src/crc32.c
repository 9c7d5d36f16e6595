/*
 * crc32.c — CRC-32 (IEEE 802.3, the reflected polynomial 0xEDB88320), as zlib computes it: the
 * checksums of log records, snapshots and index bytes. Slicing by eight: eight tables of 256
 * entries, made on first use, consume eight bytes per step (recovery checks every byte of a store:
 * by four, the checksum was half of a reopen's time in WebAssembly).
 */
#include "crc32.h"

#include <stdbool.h>

static uint32_t crc_table[8][256];
static bool crc_ready;

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++) crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
  crc_ready = true;
}

/* Continues a CRC-32 over more bytes (crc 0 starts one). */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n) {
  if (!crc_ready) crc_init();
  uint32_t c = ~crc;
  while (n >= 8) {
    c ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    uint32_t d = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
    c = crc_table[7][c & 0xff] ^ crc_table[6][(c >> 8) & 0xff] ^ crc_table[5][(c >> 16) & 0xff] ^ crc_table[4][c >> 24] ^
        crc_table[3][d & 0xff] ^ crc_table[2][(d >> 8) & 0xff] ^ crc_table[1][(d >> 16) & 0xff] ^ crc_table[0][d >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

uint32_t pt_crc32(const void *data, size_t len) { return crc32_update(0, data, len); }
uint32_t pt_crc32_update(uint32_t crc, const void *data, size_t len) { return crc32_update(crc, data, len); }
