/*
 * pkindex.c — the primary-key index: linear probing over a power-of-two table of 16-byte slots.
 *
 * HOW IT WORKS
 * An INT64 key is stored in its slot and compared directly. A VARCHAR key is stored as its
 * 64-bit hash; equal hashes are confirmed by the caller's callback, which reads the string from
 * the row's column, so the index never copies strings. The load factor stays at or below 1/2,
 * so probes are short; the table doubles (a full rehash of the stored hashes) when a reserve
 * would pass that. Deletion shifts later members of the probe run back instead of leaving
 * tombstones, so lookups never slow down under upsert-heavy loads.
 */
#include "pkindex.h"

void pt_pkindex_init(pt_pkindex *ix, bool is_string) {
  memset(ix, 0, sizeof *ix);
  ix->is_string = is_string;
}

void pt_pkindex_free(pt_pkindex *ix) {
  pt_free(ix->slots);
  ix->slots = NULL;
  ix->mask = 0;
  ix->count = 0;
}

uint64_t pt_pkindex_hash(const pt_pkindex *ix, const pt_key *key) {
  return ix->is_string ? pt_hash_bytes(key->s, key->len) : pt_hash_u64((uint64_t)key->i);
}

static size_t capacity(const pt_pkindex *ix) { return ix->slots ? ix->mask + 1 : 0; }

/* The home slot of a stored key word. */
static size_t home(const pt_pkindex *ix, uint64_t word) {
  /* VARCHAR words are already hashes; INT64 words are keys and get mixed here */
  uint64_t h = ix->is_string ? word : pt_hash_u64(word);
  return (size_t)h & ix->mask;
}

pt_status pt_pkindex_reserve(pt_pkindex *ix, size_t more) {
  size_t need;
  if (!pt_add_ok(ix->count, more, &need)) return PT_NOMEM;
  size_t cap = capacity(ix);
  if (need <= cap / 2) return PT_OK;
  size_t ncap = cap ? cap : 16;
  while (need > ncap / 2) {
    if (ncap > SIZE_MAX / 2 / sizeof(pt_pkslot)) return PT_NOMEM;
    ncap *= 2;
  }
  pt_pkslot *slots = pt_malloc(ncap * sizeof *slots);
  if (!slots) return PT_NOMEM;
  for (size_t i = 0; i < ncap; i++) slots[i].row = PT_NO_ROW;
  pt_pkslot *old = ix->slots;
  size_t old_cap = cap;
  ix->slots = slots;
  ix->mask = ncap - 1;
  for (size_t i = 0; i < old_cap; i++) {
    if (old[i].row == PT_NO_ROW) continue;
    size_t j = home(ix, old[i].key);
    while (slots[j].row != PT_NO_ROW) j = (j + 1) & ix->mask;
    slots[j] = old[i];
  }
  pt_free(old);
  return PT_OK;
}

size_t pt_pkindex_find(const pt_pkindex *ix, const pt_key *key, pt_key_eq_fn eq, const void *ctx) {
  if (!ix->count) return SIZE_MAX;
  uint64_t word = ix->is_string ? pt_hash_bytes(key->s, key->len) : (uint64_t)key->i;
  for (size_t j = home(ix, word);; j = (j + 1) & ix->mask) {
    const pt_pkslot *s = &ix->slots[j];
    if (s->row == PT_NO_ROW) return SIZE_MAX;
    if (s->key == word && (!ix->is_string || eq(ctx, s->row, key->s, key->len))) return j;
  }
}

size_t pt_pkindex_put(pt_pkindex *ix, const pt_key *key, uint32_t row) {
  pt_assert(ix->count + 1 <= capacity(ix) / 2);
  uint64_t word = ix->is_string ? pt_hash_bytes(key->s, key->len) : (uint64_t)key->i;
  size_t j = home(ix, word);
  while (ix->slots[j].row != PT_NO_ROW) j = (j + 1) & ix->mask;
  ix->slots[j].key = word;
  ix->slots[j].row = row;
  ix->count++;
  return j;
}

size_t pt_pkindex_claim(pt_pkindex *ix, const pt_key *key, pt_key_eq_fn eq, const void *ctx, uint32_t row, bool *found) {
  pt_assert(ix->count + 1 <= capacity(ix) / 2);
  uint64_t word = ix->is_string ? pt_hash_bytes(key->s, key->len) : (uint64_t)key->i;
  size_t j = home(ix, word);
  for (;; j = (j + 1) & ix->mask) {
    pt_pkslot *s = &ix->slots[j];
    if (s->row == PT_NO_ROW) break;
    if (s->key == word && (!ix->is_string || eq(ctx, s->row, key->s, key->len))) {
      *found = true;
      return j;
    }
  }
  ix->slots[j].key = word;
  ix->slots[j].row = row;
  ix->count++;
  *found = false;
  return j;
}

void pt_pkindex_remove(pt_pkindex *ix, size_t slot) {
  pt_assert(slot <= ix->mask && ix->slots[slot].row != PT_NO_ROW);
  size_t hole = slot;
  for (size_t j = (slot + 1) & ix->mask; ix->slots[j].row != PT_NO_ROW; j = (j + 1) & ix->mask) {
    size_t h = home(ix, ix->slots[j].key);
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
