/*
 * common.h — infrastructure shared by every file of the core: allocation through the installed
 * allocator (alloc.h), error reporting into pt_error (error.h), debug-only assertions, and small
 * helpers. Internal: never included by hosts.
 */
#ifndef PT_COMMON_H
#define PT_COMMON_H

#include "partita.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "error.h"

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

#define PT_DEFAULT_PARTITION "_default"
#define PT_DYNAMIC_FIELD_NAME "$meta"
/* the collection property that lets an insert give auto_id keys (Milvus 2.6.3) */
#define PT_PROP_ALLOW_INSERT_AUTO_ID "allow_insert_auto_id"

#endif /* PT_COMMON_H */
