/*
 * crc32.h — CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib's crc32()): the
 * checksums of snapshots (snapshot.c) and of index bytes (index.c).
 */
#ifndef PT_CRC32_H
#define PT_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32 of `len` bytes. */
uint32_t pt_crc32(const void *data, size_t len);
/* Continues `crc` over `len` more bytes (0 starts one: pt_crc32_update(0, …) == pt_crc32(…)). */
uint32_t pt_crc32_update(uint32_t crc, const void *data, size_t len);

#endif /* PT_CRC32_H */
