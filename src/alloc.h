/*
 * alloc.h — every allocation of the core goes through these (alloc.c), never libc directly, so
 * that a host allocator, the memory statistics and the fault-injecting test allocator see all
 * of it. They return NULL on failure; callers turn that into PT_NOMEM (error.h). pt_free() is
 * public (partita.h). Internal: never included by hosts.
 */
#ifndef PT_ALLOC_H
#define PT_ALLOC_H

#include "partita.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *pt_malloc(size_t size);
void *pt_calloc(size_t count, size_t size);
void *pt_realloc(void *ptr, size_t size);

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

/* Takes one more reference to a block of pt_block_new (partita.h). */
void pt_block_retain(uint8_t *block);

/* Grows *buf (element size `elem`) to hold at least `need` elements, doubling. */
pt_status pt_grow(void **buf, size_t *cap, size_t need, size_t elem);
#define PT_GROW(bufp, capp, need) pt_grow((void **)(bufp), (capp), (need), sizeof(**(bufp)))

/* Copies (s, len) into a new NUL-terminated string; NULL on allocation failure. */
char *pt_strndup(const char *s, size_t len);

/* Whether the latest allocation failure was a refusal by the memory ceiling: pt_fail_nomem
 * words its message by it. */
bool pt_alloc_failed_at_limit(void);

/* How many allocations have failed so far: a change across a call tells an allocation failure
 * inside it (cJSON's) from any other failure. */
unsigned long pt_alloc_failures(void);

/* Points cJSON at the core's allocator (cJSON_InitHooks), once, so that cJSON's memory is
 * counted and limited like the core's own. Every entry point that uses cJSON calls it first,
 * and so does pt_set_allocator. */
void pt_json_hooks_install(void);

#endif /* PT_ALLOC_H */
