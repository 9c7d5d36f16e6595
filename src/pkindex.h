/*
 * pkindex.h — open-addressed hash index from primary key to the newest row holding it.
 * One per partition. Rows with the same key (insert stores duplicates, as Milvus does) are
 * chained through the partition's per-row `next` links, newest first.
 */
#ifndef PT_PKINDEX_H
#define PT_PKINDEX_H

#include "common.h"

#define PT_NO_ROW UINT32_MAX

/* 64-bit hashes of keys (pkindex.c): the key index, the batch duplicate check, partition-key
 * routing. */
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

/* A key as the index sees it: the value of an INT64 key, or the bytes of a VARCHAR key. */
typedef struct pt_key {
  int64_t i;
  const char *s;
  size_t len;
} pt_key;

/* Equal keys: INT64 values, or VARCHAR bytes. */
static inline bool pt_key_eq(const pt_key *a, const pt_key *b, bool is_string) {
  return is_string ? a->len == b->len && (a->len == 0 || memcmp(a->s, b->s, a->len) == 0) : a->i == b->i;
}

/* Compares `key` with the key stored at `row`: the index keeps only 32 bits of each key's hash,
 * so a slot whose hash bits match is confirmed by reading the row's key. */
typedef bool (*pt_key_eq_fn)(const void *ctx, uint32_t row, const pt_key *key);

/* 8 bytes: a table of n keys is 10n-20n bytes (load 2/5 to 4/5); rehashing never hashes a key
 * again. */
typedef struct pt_pkslot {
  uint32_t hash; /* 32 bits of the key's hash; its low bits are the home slot */
  uint32_t row;  /* newest row with this key; PT_NO_ROW = empty slot */
} pt_pkslot;

typedef struct pt_pkindex {
  bool is_string;
  bool blank;   /* the slots are not yet marked empty (count is 0): the first key that comes
                 * does it, so that a table grown while rows wait outside it (pt_partition's
                 * `unindexed`) is never written, nor its fresh pages faulted in, until used */
  pt_pkslot *slots;
  size_t mask;  /* capacity - 1; capacity is a power of two (0 when empty) */
  size_t count; /* occupied slots */
} pt_pkindex;

/* The most keys a table of `cap` slots holds: a load of at most about 4/5. */
static inline size_t pt_pkindex_max_keys(size_t cap) { return cap - cap / 5; }

void pt_pkindex_init(pt_pkindex *ix, bool is_string);
void pt_pkindex_free(pt_pkindex *ix);

/* The hash bits of a key, as stored in its slot. */
uint32_t pt_pkindex_hash(const pt_pkindex *ix, const pt_key *key);

/* Makes room for `more` new keys so that pt_pkindex_put never allocates. */
pt_status pt_pkindex_reserve(pt_pkindex *ix, size_t more);

/* The slot holding `key`, or SIZE_MAX when absent. */
size_t pt_pkindex_find(const pt_pkindex *ix, const pt_key *key, pt_key_eq_fn eq, const void *ctx);

/* Adds an absent key with its head row and returns its slot. Needs reserved room. */
size_t pt_pkindex_put(pt_pkindex *ix, const pt_key *key, uint32_t row);

/* Removes the key in `slot` (backward-shift deletion keeps probe chains intact). */
void pt_pkindex_remove(pt_pkindex *ix, size_t slot);

/* One probe for "find or put": the slot holding `key` (*found = true), or the slot where `key`
 * now sits with `row` (*found = false). A new key needs room as pt_pkindex_put does; a key
 * already there takes none (a table at its most keys still chains rows behind them). */
size_t pt_pkindex_claim(pt_pkindex *ix, const pt_key *key, pt_key_eq_fn eq, const void *ctx, uint32_t row, bool *found);

/* Whether the keys of rows a and b are equal (pt_pkindex_claim_rows). */
typedef bool (*pt_rows_eq_fn)(const void *ctx, uint32_t a, uint32_t b);
/* Row `row` takes the slot of a key that row `prev` held (pt_pkindex_claim_rows). */
typedef void (*pt_row_link_fn)(void *ctx, uint32_t row, uint32_t prev);

/* Whether claiming `n` keys at once (pt_pkindex_claim_rows) beats claiming them one by one:
 * the table is larger than the caches, and the keys are many enough for its buckets. */
bool pt_pkindex_bulk(const pt_pkindex *ix, size_t n);

/* pt_pkindex_claim for many rows whose keys are already stored: `items` holds each row's hash
 * bits (pt_pkindex_hash) and row, rows in increasing order; an absent key is put with its row,
 * a present one (eq(ctx, slot's row, row)) takes the row after link(ctx, row, slot's row). The
 * result is that of claiming the items one by one in their order; a large table is filled in
 * order of home slots instead (one pass through it, not a cache miss per key), which needs
 * scratch memory: without it the items go one by one. Needs room for the new keys among them. */
void pt_pkindex_claim_rows(pt_pkindex *ix, const pt_pkslot *items, size_t n, pt_rows_eq_fn eq, pt_row_link_fn link,
                           void *ctx);

#endif /* PT_PKINDEX_H */
