/*
 * pkindex.c — the primary-key index: linear probing over a power-of-two table of 8-byte slots.
 *
 * HOW IT WORKS
 * A slot holds 32 bits of its key's hash and the key's newest row; the key itself stays in the
 * row's column, so the index never copies keys. A lookup compares hash bits first and confirms
 * a match through the caller's callback, which reads the key at the row: a missing key almost
 * never reaches the callback (its hash bits would have to collide), a present one once. The low
 * bits of the stored hash are the home slot, so growing the table re-places the slots without
 * reading or hashing a key again (32 bits address 2^32 slots, more than a partition's row ids).
 * The load factor stays at or below about 4/5: a probe compares 32-bit hash bits in 8-byte
 * slots, so even the longer runs of that load (an absent key walks about 13 slots on average
 * at the peak, two cache lines) stay cheap, and the table is half the size it would be at 1/2
 * (fewer fresh pages to fault in when it grows). Deletion shifts later members of
 * the probe run back instead of leaving tombstones, so lookups never slow down under
 * upsert-heavy loads.
 */
#include "pkindex.h"

uint64_t pt_hash_bytes(const void *data, size_t len) {
  /* FNV-1a over 8-byte words with a splitmix finish: simple, and good enough for keys that
   * are then compared in full. */
  const unsigned char *p = data;
  uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)len;
  while (len >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    h = (h ^ w) * 0x100000001b3ULL;
    h ^= h >> 29;
    p += 8;
    len -= 8;
  }
  uint64_t tail = 0;
  if (len) memcpy(&tail, p, len);
  h = (h ^ tail) * 0x100000001b3ULL;
  return pt_hash_u64(h);
}

void pt_pkindex_init(pt_pkindex *ix, bool is_string) {
  memset(ix, 0, sizeof *ix);
  ix->is_string = is_string;
}

void pt_pkindex_free(pt_pkindex *ix) {
  pt_free(ix->slots);
  ix->slots = NULL;
  ix->mask = 0;
  ix->count = 0;
  ix->blank = false;
}

uint32_t pt_pkindex_hash(const pt_pkindex *ix, const pt_key *key) {
  uint64_t h = ix->is_string ? pt_hash_bytes(key->s, key->len) : pt_hash_u64((uint64_t)key->i);
  return (uint32_t)(h ^ (h >> 32));
}

static size_t capacity(const pt_pkindex *ix) { return ix->slots ? ix->mask + 1 : 0; }

pt_status pt_pkindex_reserve(pt_pkindex *ix, size_t more) {
  size_t need;
  if (!pt_add_ok(ix->count, more, &need)) return PT_NOMEM;
  size_t cap = capacity(ix);
  if (need <= pt_pkindex_max_keys(cap)) return PT_OK;
  size_t ncap = cap ? cap : 16;
  while (need > pt_pkindex_max_keys(ncap)) {
    /* the home slot comes from the 32 stored hash bits */
    if (ncap > SIZE_MAX / 2 / sizeof(pt_pkslot) || ncap >= ((size_t)1 << 31)) return PT_NOMEM;
    ncap *= 2;
  }
  pt_pkslot *slots = pt_malloc(ncap * sizeof *slots);
  if (!slots) return PT_NOMEM;
  pt_pkslot *old = ix->slots;
  size_t old_cap = ix->count ? cap : 0, mask = ncap - 1;
  ix->blank = !ix->count; /* nothing to place: marked empty when the first key comes (ready) */
  for (size_t i = 0; !ix->blank && i < ncap; i++) slots[i].row = PT_NO_ROW;
  for (size_t i = 0; i < old_cap; i++) {
    if (old[i].row == PT_NO_ROW) continue;
    size_t j = old[i].hash & mask;
    while (slots[j].row != PT_NO_ROW) j = (j + 1) & mask;
    slots[j] = old[i];
  }
  ix->slots = slots;
  ix->mask = mask;
  pt_free(old);
  return PT_OK;
}

/* Marks the slots of a blank table empty, before a key enters it. */
static void ready(pt_pkindex *ix) {
  if (!ix->blank) return;
  for (size_t i = 0; i <= ix->mask; i++) ix->slots[i].row = PT_NO_ROW;
  ix->blank = false;
}

size_t pt_pkindex_find(const pt_pkindex *ix, const pt_key *key, pt_key_eq_fn eq, const void *ctx) {
  if (!ix->count) return SIZE_MAX;
  uint32_t h = pt_pkindex_hash(ix, key);
  for (size_t j = h & ix->mask;; j = (j + 1) & ix->mask) {
    const pt_pkslot *s = &ix->slots[j];
    if (s->row == PT_NO_ROW) return SIZE_MAX;
    if (s->hash == h && eq(ctx, s->row, key)) return j;
  }
}

size_t pt_pkindex_put(pt_pkindex *ix, const pt_key *key, uint32_t row) {
  pt_assert(ix->count + 1 <= pt_pkindex_max_keys(capacity(ix)));
  ready(ix);
  uint32_t h = pt_pkindex_hash(ix, key);
  size_t j = h & ix->mask;
  while (ix->slots[j].row != PT_NO_ROW) j = (j + 1) & ix->mask;
  ix->slots[j].hash = h;
  ix->slots[j].row = row;
  ix->count++;
  return j;
}

size_t pt_pkindex_claim(pt_pkindex *ix, const pt_key *key, pt_key_eq_fn eq, const void *ctx, uint32_t row, bool *found) {
  pt_assert(ix->slots);
  ready(ix);
  uint32_t h = pt_pkindex_hash(ix, key);
  size_t j = h & ix->mask;
  for (;; j = (j + 1) & ix->mask) {
    pt_pkslot *s = &ix->slots[j];
    if (s->row == PT_NO_ROW) break;
    if (s->hash == h && eq(ctx, s->row, key)) {
      *found = true;
      return j;
    }
  }
  /* a new key takes a slot: only it needs the room (a key already there takes none) */
  pt_assert(ix->count + 1 <= pt_pkindex_max_keys(capacity(ix)));
  ix->slots[j].hash = h;
  ix->slots[j].row = row;
  ix->count++;
  *found = false;
  return j;
}

/* Tables smaller than this (slots) are claimed in item order: they stay in the caches. */
#define BULK_MIN_SLOTS ((size_t)1 << 16)
/* Slots per bucket of home slots in a bulk claim: 8 KiB of table. */
#define BULK_BUCKET_SLOTS ((size_t)1 << 10)

static void claim_row(pt_pkindex *ix, uint32_t h, uint32_t row, pt_rows_eq_fn eq, pt_row_link_fn link, void *ctx) {
  for (size_t j = h & ix->mask;; j = (j + 1) & ix->mask) {
    pt_pkslot *s = &ix->slots[j];
    if (s->row == PT_NO_ROW) {
      pt_assert(ix->count + 1 <= pt_pkindex_max_keys(capacity(ix)));
      s->hash = h;
      s->row = row;
      ix->count++;
      return;
    }
    if (s->hash == h && eq(ctx, s->row, row)) {
      link(ctx, row, s->row);
      s->row = row;
      return;
    }
  }
}

bool pt_pkindex_bulk(const pt_pkindex *ix, size_t n) {
  return capacity(ix) >= BULK_MIN_SLOTS && n >= capacity(ix) / BULK_BUCKET_SLOTS;
}

void pt_pkindex_claim_rows(pt_pkindex *ix, const pt_pkslot *items, size_t n, pt_rows_eq_fn eq, pt_row_link_fn link,
                           void *ctx) {
  pt_assert(ix->slots || !n); /* room for the new keys among them: claim_row asserts it per key */
  ready(ix);
  size_t cap = capacity(ix), buckets = cap / BULK_BUCKET_SLOTS;
  pt_pkslot *sorted = NULL;
  size_t *at = NULL;
  /* a stable counting sort by bucket of home slot: rows of one key share their hash, so they
   * keep their order, and claims of different keys do not depend on each other's order */
  if (pt_pkindex_bulk(ix, n)) {
    sorted = pt_malloc(n * sizeof *sorted);
    at = pt_calloc(buckets + 1, sizeof *at);
  }
  if (!sorted || !at) {
    pt_free(sorted);
    pt_free(at);
    for (size_t i = 0; i < n; i++) claim_row(ix, items[i].hash, items[i].row, eq, link, ctx);
    return;
  }
  int shift = 0;
  while (((size_t)1 << shift) < BULK_BUCKET_SLOTS) shift++;
  for (size_t i = 0; i < n; i++) at[((items[i].hash & ix->mask) >> shift) + 1]++;
  for (size_t b = 0; b < buckets; b++) at[b + 1] += at[b];
  for (size_t i = 0; i < n; i++) sorted[at[(items[i].hash & ix->mask) >> shift]++] = items[i];
  for (size_t i = 0; i < n; i++) claim_row(ix, sorted[i].hash, sorted[i].row, eq, link, ctx);
  pt_free(sorted);
  pt_free(at);
}

void pt_pkindex_remove(pt_pkindex *ix, size_t slot) {
  pt_assert(slot <= ix->mask && ix->slots[slot].row != PT_NO_ROW);
  size_t hole = slot;
  for (size_t j = (slot + 1) & ix->mask; ix->slots[j].row != PT_NO_ROW; j = (j + 1) & ix->mask) {
    size_t h = ix->slots[j].hash & ix->mask;
    /* move j back into the hole unless its home lies cyclically in (hole, j] */
    bool stays = (hole <= j) ? (hole < h && h <= j) : (hole < h || h <= j);
    if (!stays) {
      ix->slots[hole] = ix->slots[j];
      hole = j;
    }
  }
  ix->slots[hole].row = PT_NO_ROW;
  ix->count--;
}
