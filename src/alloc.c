/*
 * alloc.c — the allocator hooks. Every allocation of the core and of cJSON goes through the
 * installed pt_allocator (libc by default). Each block carries a small header with its size,
 * so that pt_memory_used() is exact and a host-imposed ceiling or a fault-injecting test
 * allocator sees every byte.
 *
 * HOW THE CEILING WORKS: pt_set_memory_limit(n) makes pt_malloc / pt_realloc refuse any request
 * that would take the bytes in use past n, before the allocator is asked. A refusal is an
 * ordinary allocation failure (NULL), so every caller already unwinds it as PT_NOMEM and
 * leaves the store as it was; pt_fail_nomem then words the error as Milvus's memory quota
 * error instead of "out of memory". Freeing never fails, so a store over a lowered ceiling
 * still shrinks (drops, deletes that free) and reads that need no memory still work.
 * Operations that free memory but need some while they run (delete, compaction, a host's
 * arguments to them) run in relief (pt_memory_relief): the ceiling then stands PT_MEMORY_RELIEF
 * above the larger of itself and the bytes in use when the outermost relief began, so they
 * pass it by a bounded amount, and give it back before they return.
 */
#include "alloc.h"

#include <stdlib.h>
#include <string.h>

#include "cJSON.h"

static void *libc_malloc(void *ctx, size_t size) { (void)ctx; return malloc(size); }
static void *libc_realloc(void *ctx, void *ptr, size_t size) { (void)ctx; return realloc(ptr, size); }
static void libc_free(void *ctx, void *ptr) { (void)ctx; free(ptr); }

static const pt_allocator libc_allocator = {libc_malloc, libc_realloc, libc_free, NULL};
static pt_allocator current = {libc_malloc, libc_realloc, libc_free, NULL};
static size_t bytes_in_use;
static size_t memory_limit; /* 0: no ceiling */
static unsigned relief_depth;  /* pt_memory_relief(1) calls not yet undone */
static size_t relief_ceiling;  /* the ceiling while relief_depth > 0 */
static bool json_hooks_installed;
/* What the latest allocation failure was: the ceiling (true) or the allocator (false); read by
 * pt_fail_nomem to pick its message. A counter of failures lets pt_json_parse_ex (json.c)
 * tell an allocation failure inside cJSON from text cJSON cannot read. */
static bool last_failure_was_limit;
static unsigned long failures;

/* True when `grow` more bytes stay within the ceiling; records the refusal otherwise. */
static bool within_limit(size_t grow) {
  if (!memory_limit) return true;
  size_t ceiling = relief_depth ? relief_ceiling : memory_limit;
  if (grow <= ceiling && bytes_in_use <= ceiling - grow) return true;
  last_failure_was_limit = true;
  failures++;
  return false;
}

static void *allocator_failed(void) {
  last_failure_was_limit = false;
  failures++;
  return NULL;
}

/* 16 bytes keep the payload as aligned as the underlying allocator made the block. */
#define HEADER 16u

void *pt_malloc(size_t size) {
  size_t total;
  if (!pt_add_ok(size, HEADER, &total)) return allocator_failed();
  if (!within_limit(size)) return NULL;
  unsigned char *block = current.malloc(current.ctx, total);
  if (!block) return allocator_failed();
  memcpy(block, &size, sizeof size);
  bytes_in_use += size;
  return block + HEADER;
}

void *pt_calloc(size_t count, size_t size) {
  size_t total;
  if (!pt_mul_ok(count, size, &total)) return NULL;
  void *p = pt_malloc(total);
  if (p) memset(p, 0, total);
  return p;
}

void *pt_realloc(void *ptr, size_t size) {
  if (!ptr) return pt_malloc(size);
  size_t total;
  if (!pt_add_ok(size, HEADER, &total)) return allocator_failed();
  unsigned char *block = (unsigned char *)ptr - HEADER;
  size_t old;
  memcpy(&old, block, sizeof old);
  if (size > old && !within_limit(size - old)) return NULL;
  unsigned char *grown = current.realloc(current.ctx, block, total);
  if (!grown) return allocator_failed();
  memcpy(grown, &size, sizeof size);
  bytes_in_use = bytes_in_use - old + size;
  return grown + HEADER;
}

void pt_free(void *ptr) {
  if (!ptr) return;
  unsigned char *block = (unsigned char *)ptr - HEADER;
  size_t size;
  memcpy(&size, block, sizeof size);
  bytes_in_use -= size;
  current.free(current.ctx, block);
}

void *pt_alloc(size_t size) { return pt_malloc(size); }

/* A block (pt_block_new) is one allocation: its reference count in the 16 bytes before the
 * bytes handed out (which keeps them as aligned as pt_malloc's). */
#define BLOCK_HEAD 16u

uint8_t *pt_block_new(size_t len) {
  size_t total;
  if (!pt_add_ok(len, BLOCK_HEAD, &total)) return allocator_failed();
  unsigned char *p = pt_malloc(total);
  if (!p) return NULL;
  size_t refs = 1;
  memcpy(p, &refs, sizeof refs);
  return p + BLOCK_HEAD;
}

void pt_block_retain(uint8_t *block) {
  size_t refs;
  memcpy(&refs, block - BLOCK_HEAD, sizeof refs);
  refs++;
  memcpy(block - BLOCK_HEAD, &refs, sizeof refs);
}

void pt_block_release(uint8_t *block) {
  if (!block) return;
  size_t refs;
  memcpy(&refs, block - BLOCK_HEAD, sizeof refs);
  if (--refs == 0) {
    pt_free(block - BLOCK_HEAD);
    return;
  }
  memcpy(block - BLOCK_HEAD, &refs, sizeof refs);
}

size_t pt_memory_used(void) { return bytes_in_use; }

void pt_set_memory_limit(size_t bytes) { memory_limit = bytes; }

size_t pt_memory_limit(void) { return memory_limit; }

void pt_memory_relief(int on) {
  if (!on) {
    if (relief_depth) relief_depth--;
    return;
  }
  if (relief_depth++) return;
  size_t base = bytes_in_use > memory_limit ? bytes_in_use : memory_limit;
  relief_ceiling = base > SIZE_MAX - PT_MEMORY_RELIEF ? SIZE_MAX : base + PT_MEMORY_RELIEF;
}

bool pt_alloc_failed_at_limit(void) { return last_failure_was_limit; }

/* cJSON's hooks carry no context: they call back into the current allocator. */
static void *json_malloc(size_t size) { return pt_malloc(size); }
static void json_free(void *ptr) { pt_free(ptr); }

void pt_json_hooks_install(void) {
  if (json_hooks_installed) return;
  cJSON_Hooks hooks = {json_malloc, json_free};
  cJSON_InitHooks(&hooks);
  json_hooks_installed = true;
}

unsigned long pt_alloc_failures(void) { return failures; }

pt_status pt_set_allocator(const pt_allocator *allocator) {
  if (allocator && (!allocator->malloc || !allocator->realloc || !allocator->free)) return PT_MISUSE;
  if (bytes_in_use != 0) return PT_MISUSE; /* blocks from the old allocator are still alive */
  current = allocator ? *allocator : libc_allocator;
  pt_json_hooks_install();
  return PT_OK;
}

pt_status pt_grow(void **buf, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return PT_OK;
  size_t n = *cap ? *cap : 8;
  while (n < need) {
    if (n > SIZE_MAX / 2) return PT_NOMEM;
    n *= 2;
  }
  size_t bytes;
  if (!pt_mul_ok(n, elem, &bytes)) return PT_NOMEM;
  void *p = pt_realloc(*buf, bytes);
  if (!p) return PT_NOMEM;
  *buf = p;
  *cap = n;
  return PT_OK;
}

char *pt_strndup(const char *s, size_t len) {
  char *out = pt_malloc(len + 1);
  if (!out) return NULL;
  if (len) memcpy(out, s, len);
  out[len] = '\0';
  return out;
}
