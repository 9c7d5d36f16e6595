/*
 * hash64.h — the 64-bit check of log records (wal.c, format 2) and snapshot sections
 * (snapshot.c, version 4): a hash at memory speed in WebAssembly (SIMD128) and natively, the
 * same value on both. It catches accidents (bit flips, torn or truncated writes, bytes out of
 * place), not forgeries: what a file holds is still checked value by value after it.
 * hash64.c says how it is made and why it detects what it must.
 */
#ifndef PT_HASH64_H
#define PT_HASH64_H

#include <stddef.h>
#include <stdint.h>

/* The check of `len` bytes, continued from `seed` (0 starts one; a previous check chains). */
uint64_t pt_hash64(uint64_t seed, const void *data, size_t len);
/* The same value computed without SIMD128 (for the tests that compare the two paths). */
uint64_t pt_hash64_portable(uint64_t seed, const void *data, size_t len);

#endif /* PT_HASH64_H */
