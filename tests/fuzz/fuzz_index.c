/*
 * fuzz_index.c — libFuzzer target: index bytes (pt_index_load, src/index.c). The first input
 * byte is a mode: with bit 0 set, the rest is "resealed" before loading (its length field and
 * CRC made right), so that the fuzzer reaches the structure reader behind the CRC; bit 1 adds
 * rows after loading, bit 2 removes one, bit 3 compacts (even rows below 64 renumbered, the
 * rest dropped), bit 4 loads from a block (pt_block_new, the bytes 8-aligned in it: an HNSW
 * graph of format 2 keeps its arrays there, and an add or a compaction moves them out). The
 * rest is the index bytes.
 *
 * Oracles: a refused load fills its error in and leaves no memory behind; an accepted one saves
 * back to the very same bytes (the reader accepts only canonical encodings; an older format
 * saves as the current one, which loads back and saves to the same bytes), and the index it
 * gives searches (plain, filtered, and with the exact fallback), adds, removes, compacts and
 * saves again without fault, the second save loading back to the same bytes once more. Rows
 * are read through an accessor that answers for any row id with one of 16 vectors (as halves
 * for an index of float16 / bfloat16 rows; a binary index reads their first bytes).
 */
#include "fuzz_common.h"

#include "index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#include "crc32.h"
#include "half.h"
#include "pkindex.h"

typedef struct table {
  float *v;
  size_t dim;
} table;

static const void *table_get(const void *ctx, uint32_t row) {
  const table *t = ctx;
  return t->v + (pt_hash_u64(row) & 15) * t->dim;
}

static bool even_rows(const void *ctx, uint32_t row) {
  (void)ctx;
  return (row & 1) == 0;
}

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "fuzz: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  abort();
}

/* Saves ix; aborts unless the bytes equal (want, want_len) when want is given. */
static uint8_t *save_checked(const pt_index *ix, const uint8_t *want, size_t want_len, size_t *len) {
  uint8_t *b = NULL;
  if (pt_index_save(ix, &b, len) != PT_OK) fail("a loaded index does not save", NULL);
  if (want && (*len != want_len || memcmp(b, want, want_len) != 0)) fail("save after load changed the bytes", NULL);
  return b;
}

static void search_some(pt_index *ix, const pt_index_rows *rows, const table *t) {
  pt_index_search_params sp = {5, 16, 4, 2, 0}, use;
  pt_error e;
  if (pt_index_search_complete(pt_index_get_params(ix), &sp, &use, &e) != PT_OK) fail("search parameters refused", e.message);
  uint32_t ids[5];
  float d[5];
  size_t n;
  pt_index_filter even = {even_rows, NULL};
  for (int pass = 0; pass < 3; pass++) {
    use.pass_hint = pass == 2 ? 0.01f : 0;
    pt_status rc = pt_index_search(ix, rows, t->v, &use, pass ? &even : NULL, ids, d, &n);
    if (rc != PT_OK) fail("a search failed", pt_status_str(rc));
    if (n > 5) fail("too many hits", NULL);
    for (size_t i = 0; i < n; i++)
      if (!pt_index_contains(ix, ids[i]) || (pass && (ids[i] & 1))) fail("a hit that is not in the index, or filtered out", NULL);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* link lists are allocated at full size: keep inputs small enough for the fuzzer's memory */
  if (size < 1 || size > (16u << 10)) return 0;
  uint8_t mode = data[0];
  size_t len = size - 1;
  uint8_t *bytes = malloc(len ? len : 1);
  memcpy(bytes, data + 1, len);
  if ((mode & 1) && len >= 24) {
    uint64_t total = len;
    memcpy(bytes + 12, &total, 8);
    uint32_t crc = pt_crc32(bytes, len - 4);
    memcpy(bytes + len - 4, &crc, 4);
  }
  size_t before = pt_memory_used();
  pt_error e;
  pt_index *ix = NULL;
  uint8_t *block = (mode & 16) ? pt_block_new(len ? len : 1) : NULL;
  if (block && len) memcpy(block, bytes, len);
  pt_status rc = block ? pt_index_load_in(block, len, false, block, &ix, &e) : pt_index_load(bytes, len, false, &ix, &e);
  pt_block_release(block); /* the index holds its own reference while it keeps arrays there */
  fuzz_error_filled(rc, &e, "index load");
  if (rc != PT_OK) {
    if (ix || pt_memory_used() != before) fail("a refused load left memory behind", e.message);
    free(bytes);
    return 0;
  }
  uint32_t version = 0;
  memcpy(&version, bytes + 8, 4);
  size_t n1;
  uint8_t *first = save_checked(ix, version == PT_INDEX_FORMAT_VERSION ? bytes : NULL, len, &n1);
  if (version != PT_INDEX_FORMAT_VERSION) {
    pt_index *cur = NULL;
    if (pt_index_load(first, n1, false, &cur, &e) != PT_OK) fail("an older index saved does not load", e.message);
    size_t n1b;
    pt_free(save_checked(cur, first, n1, &n1b));
    pt_index_free(cur);
  }
  pt_free(first);

  const pt_index_params *p = pt_index_get_params(ix);
  table t = {malloc(16 * p->dim * sizeof(float)), p->dim};
  for (size_t i = 0; i < 16 * p->dim; i++) t.v[i] = (float)((pt_hash_u64(i) % 2001)) / 1000.0f - 1.0f;
  if (p->elem != PT_INDEX_F32) /* half rows: each row's halves at the start of its slot */
    for (size_t r = 0; r < 16; r++) {
      float *x = t.v + r * p->dim;
      uint16_t *h = (uint16_t *)(void *)x;
      for (size_t d = 0; d < p->dim; d++) h[d] = p->elem == PT_INDEX_BF16 ? pt_f32_to_bf16(x[d]) : pt_f32_to_f16(x[d]);
    }
  pt_index_rows rows = {table_get, &t};
  search_some(ix, &rows, &t);
  if (mode & 2) {
    uint32_t add[4] = {1, 2, 3, 0xfffffffeu};
    size_t count = pt_index_count(ix);
    rc = pt_index_add(ix, &rows, add, 4);
    /* an untrained IVF index refuses fewer rows than lists */
    if (rc != PT_OK && rc != PT_RANGE) fail("an add failed", pt_status_str(rc));
    if (rc == PT_OK && !pt_index_contains(ix, 0xfffffffeu)) fail("an added row is missing", NULL);
    if (rc != PT_OK && pt_index_count(ix) != count) fail("a refused add changed the index", NULL);
  }
  if (mode & 4) {
    uint32_t row = 2;
    rc = pt_index_remove(ix, row);
    if ((rc != PT_OK && rc != PT_NOT_FOUND) || pt_index_contains(ix, row)) fail("a remove failed", NULL);
  }
  if (mode & 8) {
    /* a compaction: even rows below 64 renumbered r / 2, every other row dropped */
    uint32_t remap[64];
    for (uint32_t r = 0; r < 64; r++) remap[r] = r & 1 ? PT_INDEX_NONE : r / 2;
    rc = pt_index_compact(ix, &rows, remap, 64);
    if (rc != PT_OK) fail("a compaction failed", pt_status_str(rc));
    if (pt_index_dead(ix) != 0) fail("removed nodes left after a compaction", NULL);
    for (uint32_t r = 32; r < 40; r++)
      if (pt_index_contains(ix, r)) fail("a row id beyond the compacted ones", NULL);
  }
  search_some(ix, &rows, &t);
  size_t n2;
  uint8_t *again = save_checked(ix, NULL, 0, &n2);
  pt_index *back = NULL;
  if (pt_index_load(again, n2, false, &back, &e) != PT_OK) fail("a saved index does not load", e.message);
  size_t n3;
  pt_free(save_checked(back, again, n2, &n3));
  pt_free(again);
  pt_index_free(back);
  pt_index_free(ix);
  free(t.v);
  free(bytes);
  if (pt_memory_used() != before) fail("memory left behind", NULL);
  return 0;
}
