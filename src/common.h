/*
 * common.h — infrastructure shared by every file of the core: allocation through the installed
 * allocator, debug-only assertions, error reporting into pt_error, and small helpers.
 * Internal: never included by hosts.
 */
#ifndef PT_COMMON_H
#define PT_COMMON_H

#include "partita.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Allocation: every allocation of the core goes through these (alloc.c), never libc directly,
 * so that a host allocator, the memory statistics and the fault-injecting test allocator see
 * all of it. They return NULL on failure; callers turn that into PT_NOMEM.
 * ------------------------------------------------------------------------------------------- */
void *pt_malloc(size_t size);
void *pt_calloc(size_t count, size_t size);
void *pt_realloc(void *ptr, size_t size);
/* pt_free() is public (partita.h). */

/* Overflow-checked size arithmetic: false when a * b (or a + b) does not fit in size_t. */
static inline bool pt_mul_ok(size_t a, size_t b, size_t *out) {
  if (b != 0 && a > SIZE_MAX / b) return false;
  *out = a * b;
  return true;
}
static inline bool pt_add_ok(size_t a, size_t b, size_t *out) {
  if (a > SIZE_MAX - b) return false;
  *out = a + b;
  return true;
}

/* Grows *buf (element size `elem`) to hold at least `need` elements, doubling. */
pt_status pt_grow(void **buf, size_t *cap, size_t need, size_t elem);
#define PT_GROW(bufp, capp, need) pt_grow((void **)(bufp), (capp), (need), sizeof(**(bufp)))

/* Copies (s, len) into a new NUL-terminated string; NULL on allocation failure. */
char *pt_strndup(const char *s, size_t len);

/* ---------------------------------------------------------------------------------------------
 * Assertions: debug builds only. Argument checks of public entry points are real code that
 * returns PT_MISUSE, also in release builds.
 * ------------------------------------------------------------------------------------------- */
#ifdef NDEBUG
#define pt_assert(cond) ((void)0)
#else
#include <assert.h>
#define pt_assert(cond) assert(cond)
#endif

/* ---------------------------------------------------------------------------------------------
 * Errors (error.c)
 * ------------------------------------------------------------------------------------------- */

/* Fills err (if not NULL) and returns `status`. The message is printf-formatted. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 5, 6)))
#endif
pt_status pt_fail(pt_error *err, pt_status status, int32_t code, pt_exception exc,
                  const char *fmt, ...);

/* As pt_fail, and records the offending row and field. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 7, 8)))
#endif
pt_status pt_fail_at(pt_error *err, pt_status status, int32_t code, pt_exception exc,
                     int64_t row, int32_t field, const char *fmt, ...);

/* The standard out-of-memory error: "out of memory", or Milvus's memory quota error (code
 * PT_CODE_QUOTA_EXCEEDED) when the failure was the ceiling of pt_set_memory_limit. */
pt_status pt_fail_nomem(pt_error *err);

/* Clears err (if not NULL) for a successful call. */
void pt_error_clear(pt_error *err);

/* Milvus formats invalid-parameter errors as "<msg>: invalid parameter" (merr). */
#define PT_INVALID_PARAMETER ": invalid parameter"

/* ---------------------------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------------------------- */

/* A (pointer, length) string view. */
typedef struct pt_str {
  const char *ptr;
  size_t len;
} pt_str;

static inline bool pt_str_eq(const char *a, size_t alen, const char *b, size_t blen) {
  return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}
static inline bool pt_str_eqz(const char *a, size_t alen, const char *z) {
  return pt_str_eq(a, alen, z, strlen(z));
}

/* 64-bit hashes used by the key index and the batch duplicate check. */
static inline uint64_t pt_hash_u64(uint64_t x) {
  /* splitmix64 finaliser: every input bit affects every output bit */
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}
uint64_t pt_hash_bytes(const void *data, size_t len);

/* UTF-8: the length (1 to 4) of the valid sequence `s` starts with, 0 when it starts with none
 * (or len is 0). */
size_t pt_utf8_seq(const char *s, size_t len);
/* UTF-8: number of code points, or -1 when `s` is not valid UTF-8. */
int64_t pt_utf8_count(const char *s, size_t len);
/* UTF-8: the offset of the first byte that does not belong to a valid sequence, or `len`. */
size_t pt_utf8_check(const char *s, size_t len);

/* Writes a printable, truncated representation of (s, len) for messages: at most `max` bytes
 * of s are used, and "..." is appended when it was cut. Returns the output length. */
size_t pt_excerpt(char *out, size_t out_size, const char *s, size_t len, size_t max);

/* Decimal integer text (an optional sign, then digits only) to int64: 0 when it is one,
 * 1 when the text is anything else, 2 when the integer is beyond int64. */
int pt_parse_i64(const char *s, size_t len, int64_t *out);

/* Name validation shared by collections, partitions and fields (Milvus's rules). */
bool pt_is_name_start(char c);
bool pt_is_name_char(char c);

/* ---------------------------------------------------------------------------------------------
 * JSON: cJSON with the core's allocator (alloc.c), and its text (json_in.c)
 * ------------------------------------------------------------------------------------------- */

/* Parsing JSON text into a cJSON tree, and the one check all JSON passes: json_check.h. */

/* Whether the latest allocation failure was a refusal by the memory ceiling (alloc.c). */
bool pt_alloc_failed_at_limit(void);

/* Walking JSON text that pt_json_check has accepted, alongside its tree (json_in.c): values are
 * copied as written instead of printed back from the tree, which keeps numbers as doubles.
 * pt_json_enter: the cursor just inside the container (array or object) that `t` holds.
 * pt_json_next: the text of the next element of an array or, with `key`, of the next member's
 *   value of an object (*key: the member's key as written); moves the cursor past it. */
size_t pt_json_enter(pt_str t);
pt_str pt_json_next(pt_str t, size_t *cursor, pt_str *key);

#define PT_DEFAULT_PARTITION "_default"
#define PT_DYNAMIC_FIELD_NAME "$meta"

#endif /* PT_COMMON_H */
