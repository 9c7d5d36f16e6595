/*
 * test_pkindex.c — the primary-key index (src/pkindex.h) on its own.
 *
 * Covers:
 *   - empty index: find misses, reserve(0) allocates nothing, free is idempotent.
 *   - reserve / growth: capacity is a power of two, the load stays at or below 4/5, growth
 *     keeps every key and its row, impossible reservations fail with PT_NOMEM and change
 *     nothing.
 *   - backward-shift deletion: a probe run that wraps around the end of the table, with the
 *     exact slots before and after a removal in its middle.
 *   - a long random sequence of puts, row updates and removes of INT64 keys (extremes
 *     included) checked against a simple model after every step batch.
 *   - the index keeps 32 hash bits per key and asks the callback only when they match: INT64
 *     keys whose stored hash bits really collide are told apart by the callback, and a missing
 *     key with other hash bits never reaches it.
 *   - VARCHAR keys: keys whose 64-bit hashes really collide are told apart by the callback,
 *     found, removed independently; a random sequence of string keys against the model.
 *   - many rows claimed at once in a table larger than the caches (pt_pkindex_claim_rows, in
 *     order of home slots) give the index and links of claiming them one by one, in row order:
 *     keys already there, new keys, keys repeated among the new rows.
 *   - a table reserved (and grown) while empty is left blank until a key enters it: whatever
 *     its slots held is never taken for keys, by put, claim, claim_rows or find.
 */
#include "harness.h"

#include <stdlib.h>

#include "pkindex.h"

/* ---- a deterministic PRNG (xorshift64*) ---- */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

static size_t capacity(const pt_pkindex *ix) { return ix->slots ? ix->mask + 1 : 0; }

static pt_key ikey(int64_t i) {
  pt_key k = {i, NULL, 0};
  return k;
}

/* Slots in use, counted directly (none in a blank table, whose slots are not yet written). */
static size_t occupied(const pt_pkindex *ix) {
  size_t n = 0;
  if (ix->blank) return 0;
  for (size_t i = 0; i < capacity(ix); i++) n += ix->slots[i].row != PT_NO_ROW;
  return n;
}

/* ---- INT64 keys: the callback reads the key of a row from this table ---- */
typedef struct inttab {
  int64_t *key; /* by row */
  long calls;
} inttab;

static bool int_eq(const void *ctx, uint32_t row, const pt_key *k) {
  inttab *t = (inttab *)(uintptr_t)ctx;
  t->calls++;
  return t->key[row] == k->i;
}

/* ---- VARCHAR keys: the same, for strings ---- */
typedef struct strtab {
  char **s;
  size_t *len;
  long calls;
} strtab;

static bool str_eq(const void *ctx, uint32_t row, const pt_key *k) {
  strtab *t = (strtab *)(uintptr_t)ctx;
  t->calls++;
  return t->len[row] == k->len && memcmp(t->s[row], k->s, k->len) == 0;
}

static bool never_called(const void *ctx, uint32_t row, const pt_key *k) {
  (void)ctx, (void)row, (void)k;
  pt_test_failures++;
  fprintf(stderr, "  FAIL the key callback was called for an empty index\n");
  return false;
}

/* ============================================================================================ */

TEST(empty_index) {
  pt_pkindex ix;
  pt_pkindex_init(&ix, false);
  pt_key k = ikey(5);
  CHECK_EQ_INT(pt_pkindex_find(&ix, &k, never_called, NULL), SIZE_MAX);
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, 0), PT_OK);
  CHECK(ix.slots == NULL);
  CHECK_EQ_INT(capacity(&ix), 0);
  pt_pkindex_free(&ix);
  pt_pkindex_free(&ix);
  CHECK(ix.slots == NULL && ix.count == 0);
  pt_pkindex_init(&ix, true);
  CHECK(ix.is_string);
  pt_key s = {0, "abc", 3};
  CHECK_EQ_INT(pt_pkindex_find(&ix, &s, str_eq, NULL), SIZE_MAX);
  pt_pkindex_free(&ix);
}

TEST(reserve_and_growth) {
  pt_pkindex ix;
  pt_pkindex_init(&ix, false);
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, 1), PT_OK);
  CHECK_EQ_INT(capacity(&ix), 16);
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, 13), PT_OK); /* 13 <= 16 - 16 / 5: no growth */
  CHECK_EQ_INT(capacity(&ix), 16);
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, 14), PT_OK);
  CHECK_EQ_INT(capacity(&ix), 32);
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, 103), PT_OK); /* 128 slots hold 103 keys, not 104 */
  CHECK_EQ_INT(capacity(&ix), 128);
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, 104), PT_OK);
  CHECK_EQ_INT(capacity(&ix), 256);
  /* grow one key at a time: every key keeps its row, the load stays <= 4/5 */
  enum { n = 3000 };
  static int64_t keys[n];
  inttab t = {keys, 0};
  for (int i = 0; i < n; i++) {
    CHECK_EQ_INT(pt_pkindex_reserve(&ix, 1), PT_OK);
    pt_key k = ikey((int64_t)i * 7919 - 100000);
    keys[i] = k.i;
    size_t slot = pt_pkindex_put(&ix, &k, (uint32_t)i);
    CHECK(ix.slots[slot].row == (uint32_t)i);
    if (ix.count * 5 > capacity(&ix) * 4 + 4) {
      fprintf(stderr, "  FAIL load above 4/5: %zu of %zu\n", ix.count, capacity(&ix));
      pt_test_failures++;
      break;
    }
  }
  CHECK_EQ_INT(ix.count, n);
  CHECK_EQ_INT(occupied(&ix), n);
  size_t cap = capacity(&ix);
  CHECK((cap & (cap - 1)) == 0);
  CHECK_EQ_INT(cap, 4096); /* 3000 keys: 4096 slots hold up to 3277 */
  bool all = true;
  for (int i = 0; i < n; i++) {
    pt_key k = ikey((int64_t)i * 7919 - 100000);
    size_t slot = pt_pkindex_find(&ix, &k, int_eq, &t);
    if (slot == SIZE_MAX || ix.slots[slot].row != (uint32_t)i) all = false;
  }
  CHECK(all);
  /* each present key is confirmed once (no two of these keys share their stored hash bits) */
  CHECK_EQ_INT(t.calls, n);
  /* a reservation that cannot be made fails and changes nothing */
  pt_pkslot *before = ix.slots;
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, SIZE_MAX), PT_NOMEM);
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, SIZE_MAX / 4), PT_NOMEM);
  CHECK(ix.slots == before && capacity(&ix) == cap && ix.count == (size_t)n);
  /* a big batch reserves at once */
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, 10000), PT_OK);
  CHECK(pt_pkindex_max_keys(capacity(&ix)) >= (size_t)(n + 10000));
  CHECK_EQ_INT(capacity(&ix), 16384);
  CHECK_EQ_INT(occupied(&ix), n);
  pt_pkindex_free(&ix);
}

/* Finds `count` INT64 keys (from `start` upwards) whose home slot in a table of `mask` is `home`. */
static void keys_with_home(const pt_pkindex *ix, size_t home, int64_t *out, int count, int64_t *start) {
  for (int got = 0; got < count; (*start)++) {
    pt_key k = ikey(*start);
    if ((pt_pkindex_hash(ix, &k) & ix->mask) == home) out[got++] = *start;
  }
}

TEST(backward_shift_wraps_around) {
  pt_pkindex ix;
  pt_pkindex_init(&ix, false);
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, 8), PT_OK);
  CHECK_EQ_INT(capacity(&ix), 16);
  int64_t at14[2], at15[2], at0[1], next = 1;
  keys_with_home(&ix, 14, at14, 2, &next);
  keys_with_home(&ix, 15, at15, 2, &next);
  keys_with_home(&ix, 0, at0, 1, &next);
  /* A(14) B(15) C(15) D(0) E(14): the run fills 14, 15, 0, 1, 2 */
  int64_t keys[5] = {at14[0], at15[0], at15[1], at0[0], at14[1]};
  inttab t = {keys, 0};
  size_t want[5] = {14, 15, 0, 1, 2};
  for (int i = 0; i < 5; i++) {
    pt_key k = ikey(keys[i]);
    CHECK_EQ_INT(pt_pkindex_put(&ix, &k, (uint32_t)i), want[i]);
  }
  /* remove B: C, D and E shift back one slot each, across the end of the table */
  pt_key b = ikey(keys[1]);
  size_t slot = pt_pkindex_find(&ix, &b, int_eq, &t);
  CHECK_EQ_INT(slot, 15);
  pt_pkindex_remove(&ix, slot);
  CHECK_EQ_INT(ix.count, 4);
  size_t after[5] = {14, SIZE_MAX, 15, 0, 1};
  for (int i = 0; i < 5; i++) {
    pt_key k = ikey(keys[i]);
    CHECK_EQ_INT(pt_pkindex_find(&ix, &k, int_eq, &t), after[i]);
  }
  CHECK(ix.slots[2].row == PT_NO_ROW);
  /* remove A (slot 14): C (home 15) must not move into 14; E (home 14) moves from 1 to 14 */
  pt_key a = ikey(keys[0]);
  pt_pkindex_remove(&ix, pt_pkindex_find(&ix, &a, int_eq, &t));
  size_t after2[5] = {SIZE_MAX, SIZE_MAX, 15, 0, 14};
  for (int i = 0; i < 5; i++) {
    pt_key k = ikey(keys[i]);
    CHECK_EQ_INT(pt_pkindex_find(&ix, &k, int_eq, &t), after2[i]);
  }
  CHECK_EQ_INT(occupied(&ix), 3);
  /* D sits at its home: removing C leaves it there */
  pt_key c = ikey(keys[2]);
  pt_pkindex_remove(&ix, pt_pkindex_find(&ix, &c, int_eq, &t));
  pt_key d = ikey(keys[3]);
  CHECK_EQ_INT(pt_pkindex_find(&ix, &d, int_eq, &t), 0);
  pt_key e = ikey(keys[4]);
  CHECK_EQ_INT(pt_pkindex_find(&ix, &e, int_eq, &t), 14);
  CHECK_EQ_INT(ix.count, 2);
  pt_pkindex_free(&ix);
}

/* The model: key values with their row (or PT_NO_ROW when absent). */
#define MODEL_KEYS 4096
static int64_t model_key(size_t i) {
  if (i == 0) return INT64_MIN;
  if (i == 1) return INT64_MAX;
  if (i == 2) return 0;
  if (i == 3) return -1;
  return (int64_t)(i * 0x9E3779B1u) - (int64_t)(MODEL_KEYS / 2) * 1000;
}

static bool model_matches(const pt_pkindex *ix, const uint32_t *rows, inttab *t) {
  size_t present = 0;
  for (size_t i = 0; i < MODEL_KEYS; i++) {
    pt_key k = ikey(model_key(i));
    size_t slot = pt_pkindex_find(ix, &k, int_eq, t);
    if (rows[i] == PT_NO_ROW) {
      if (slot != SIZE_MAX) return false;
    } else {
      present++;
      if (slot == SIZE_MAX || ix->slots[slot].row != rows[i] || t->key[rows[i]] != model_key(i) ||
          ix->slots[slot].hash != pt_pkindex_hash(ix, &k))
        return false;
    }
  }
  return present == ix->count && occupied(ix) == ix->count && ix->count <= pt_pkindex_max_keys(capacity(ix));
}

TEST(random_int_keys_against_a_model) {
  pt_pkindex ix;
  pt_pkindex_init(&ix, false);
  uint32_t *rows = malloc(MODEL_KEYS * sizeof *rows);
  for (size_t i = 0; i < MODEL_KEYS; i++) rows[i] = PT_NO_ROW;
  inttab t = {malloc(60000 * sizeof(int64_t)), 0}; /* the key of each row handed out */
  uint32_t next_row = 0;
  int checks = 0, failed = 0;
  for (int step = 0; step < 60000; step++) {
    /* keys in a window that slides, so the table fills, drains and refills */
    size_t window = 256 + (size_t)(step / 20) % (MODEL_KEYS - 256);
    size_t i = (size_t)(rng() % window);
    pt_key k = ikey(model_key(i));
    size_t slot = pt_pkindex_find(&ix, &k, int_eq, &t);
    unsigned op = (unsigned)(rng() % 10);
    if (rows[i] == PT_NO_ROW) {
      if (slot != SIZE_MAX) failed++;
      if (op < 6) { /* put */
        if (pt_pkindex_reserve(&ix, 1) != PT_OK) { failed++; break; }
        slot = pt_pkindex_put(&ix, &k, next_row);
        t.key[next_row] = k.i;
        rows[i] = next_row++;
      }
    } else {
      if (slot == SIZE_MAX) { failed++; continue; }
      if (op < 4) { /* remove */
        pt_pkindex_remove(&ix, slot);
        rows[i] = PT_NO_ROW;
      } else if (op < 6) { /* a newer row with the same key (what insert does) */
        ix.slots[slot].row = next_row;
        t.key[next_row] = k.i;
        rows[i] = next_row++;
      }
    }
    if (step % 500 == 0 || step > 59900) {
      checks++;
      if (!model_matches(&ix, rows, &t)) {
        failed++;
        fprintf(stderr, "  FAIL the index differs from the model at step %d\n", step);
        break;
      }
    }
  }
  CHECK_EQ_INT(failed, 0);
  CHECK(checks > 100);
  /* drain it completely */
  for (size_t i = 0; i < MODEL_KEYS; i++) {
    if (rows[i] == PT_NO_ROW) continue;
    pt_key k = ikey(model_key(i));
    size_t slot = pt_pkindex_find(&ix, &k, int_eq, &t);
    CHECK(slot != SIZE_MAX);
    if (slot != SIZE_MAX) pt_pkindex_remove(&ix, slot);
    rows[i] = PT_NO_ROW;
  }
  CHECK_EQ_INT(ix.count, 0);
  CHECK_EQ_INT(occupied(&ix), 0);
  CHECK(model_matches(&ix, rows, &t));
  free(rows);
  free(t.key);
  pt_pkindex_free(&ix);
}

/* Two INT64 keys whose stored 32 hash bits collide, found by sorting the hashes of a range. */
typedef struct hk {
  uint32_t h;
  int64_t k;
} hk;
static int hk_cmp(const void *a, const void *b) {
  uint32_t x = ((const hk *)a)->h, y = ((const hk *)b)->h;
  return x < y ? -1 : x > y;
}

TEST(int_keys_with_colliding_hash_bits) {
  pt_pkindex ix;
  pt_pkindex_init(&ix, false);
  enum { M = 300000 }; /* ~10 collisions expected among 2^32 values */
  hk *all = malloc(M * sizeof *all);
  for (int i = 0; i < M; i++) {
    pt_key k = ikey((int64_t)i * 1000003 - 7);
    all[i] = (hk){pt_pkindex_hash(&ix, &k), k.i};
  }
  qsort(all, M, sizeof *all, hk_cmp);
  int64_t a = 0, b = 0;
  bool have = false;
  for (int i = 1; i < M && !have; i++)
    if (all[i].h == all[i - 1].h) a = all[i - 1].k, b = all[i].k, have = true;
  free(all);
  CHECK(have);
  if (!have) return;
  int64_t keys[3] = {a, b, 12345};
  inttab t = {keys, 0};
  pt_key ka = ikey(a), kb = ikey(b), kc = ikey(12345);
  CHECK(pt_pkindex_hash(&ix, &ka) == pt_pkindex_hash(&ix, &kb));
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, 4), PT_OK);
  size_t sa = pt_pkindex_put(&ix, &ka, 0);
  /* b shares a's hash bits: the callback tells it apart, and it is missing */
  t.calls = 0;
  CHECK_EQ_INT(pt_pkindex_find(&ix, &kb, int_eq, &t), SIZE_MAX);
  CHECK_EQ_INT(t.calls, 1);
  bool found = true;
  size_t sb = pt_pkindex_claim(&ix, &kb, int_eq, &t, 1, &found);
  CHECK(!found && sb != sa);
  CHECK_EQ_INT(pt_pkindex_find(&ix, &ka, int_eq, &t), sa);
  CHECK_EQ_INT(pt_pkindex_find(&ix, &kb, int_eq, &t), sb);
  /* a key with other hash bits never reaches the callback */
  t.calls = 0;
  CHECK_EQ_INT(pt_pkindex_find(&ix, &kc, int_eq, &t), SIZE_MAX);
  CHECK_EQ_INT(t.calls, 0);
  /* growth re-places both without asking for keys, and removing one keeps the other */
  t.calls = 0;
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, 1000), PT_OK);
  CHECK_EQ_INT(t.calls, 0);
  pt_pkindex_remove(&ix, pt_pkindex_find(&ix, &ka, int_eq, &t));
  CHECK_EQ_INT(pt_pkindex_find(&ix, &ka, int_eq, &t), SIZE_MAX);
  size_t s2 = pt_pkindex_find(&ix, &kb, int_eq, &t);
  CHECK(s2 != SIZE_MAX && ix.slots[s2].row == 1);
  pt_pkindex_free(&ix);
}

/* ---- real 64-bit hash collisions between 16-byte VARCHAR keys ----
 * pt_hash_bytes folds 8-byte words into its state; after the first word the state is s1(w1).
 * Two keys (w1, w2) and (w1', w2 ^ s1(w1) ^ s1(w1')) enter the second word with equal state,
 * so every later step, and the hash, agree. The test checks the hashes really are equal. */
static uint64_t first_round(uint64_t w1) {
  uint64_t h = 0xcbf29ce484222325ULL ^ 16u;
  h = (h ^ w1) * 0x100000001b3ULL;
  h ^= h >> 29;
  return h;
}

static void colliding_key(char out[16], uint64_t w1, uint64_t w2_base, uint64_t w1_base) {
  uint64_t w2 = w2_base ^ first_round(w1_base) ^ first_round(w1);
  memcpy(out, &w1, 8);
  memcpy(out + 8, &w2, 8);
}

TEST(string_keys_with_colliding_hashes) {
  enum { N = 6 };
  char keys[N][16];
  strtab t;
  char *ptrs[N];
  size_t lens[N];
  t.s = ptrs;
  t.len = lens;
  t.calls = 0;
  uint64_t w1_base = 0x6161616161616161ull, w2_base = 0x6262626262626262ull; /* "aaaaaaaabbbbbbbb" */
  for (int i = 0; i < N; i++) {
    colliding_key(keys[i], w1_base + (uint64_t)i * 0x0101, w2_base, w1_base);
    ptrs[i] = keys[i];
    lens[i] = 16;
  }
  /* the precondition: six different keys, one hash */
  uint64_t h0 = pt_hash_bytes(keys[0], 16);
  for (int i = 1; i < N; i++) {
    CHECK(memcmp(keys[i], keys[0], 16) != 0);
    CHECK(pt_hash_bytes(keys[i], 16) == h0);
  }
  pt_pkindex ix;
  pt_pkindex_init(&ix, true);
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, N), PT_OK);
  /* five of them go in; each is found at its own slot with its own row */
  size_t slots[N];
  for (int i = 0; i < N - 1; i++) {
    pt_key k = {0, keys[i], 16};
    CHECK_EQ_INT(pt_pkindex_find(&ix, &k, str_eq, &t), SIZE_MAX);
    slots[i] = pt_pkindex_put(&ix, &k, (uint32_t)i);
  }
  CHECK_EQ_INT(ix.count, N - 1);
  for (int i = 0; i < N - 1; i++) {
    pt_key k = {0, keys[i], 16};
    t.calls = 0;
    size_t slot = pt_pkindex_find(&ix, &k, str_eq, &t);
    CHECK_EQ_INT(slot, slots[i]);
    CHECK(slot != SIZE_MAX && ix.slots[slot].row == (uint32_t)i && ix.slots[slot].hash == pt_pkindex_hash(&ix, &k));
    CHECK_EQ_INT(t.calls, i + 1); /* one callback per earlier key with the same hash, then the hit */
  }
  /* the sixth shares the hash but is not there: every candidate is asked, none matches */
  pt_key absent = {0, keys[N - 1], 16};
  t.calls = 0;
  CHECK_EQ_INT(pt_pkindex_find(&ix, &absent, str_eq, &t), SIZE_MAX);
  CHECK_EQ_INT(t.calls, N - 1);
  /* a key with another hash never reaches the callback */
  pt_key other = {0, "something else", 14};
  t.calls = 0;
  CHECK_EQ_INT(pt_pkindex_find(&ix, &other, str_eq, &t), SIZE_MAX);
  CHECK_EQ_INT(t.calls, 0);
  /* removing one in the middle of the run keeps the others reachable */
  pt_key k2 = {0, keys[2], 16};
  pt_pkindex_remove(&ix, pt_pkindex_find(&ix, &k2, str_eq, &t));
  CHECK_EQ_INT(pt_pkindex_find(&ix, &k2, str_eq, &t), SIZE_MAX);
  for (int i = 0; i < N - 1; i++) {
    if (i == 2) continue;
    pt_key k = {0, keys[i], 16};
    size_t slot = pt_pkindex_find(&ix, &k, str_eq, &t);
    CHECK(slot != SIZE_MAX && ix.slots[slot].row == (uint32_t)i);
  }
  /* growth rehashes by the stored hashes: all still there */
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, 100), PT_OK);
  CHECK(capacity(&ix) >= 256);
  for (int i = 0; i < N - 1; i++) {
    pt_key k = {0, keys[i], 16};
    size_t slot = pt_pkindex_find(&ix, &k, str_eq, &t);
    CHECK(i == 2 ? slot == SIZE_MAX : (slot != SIZE_MAX && ix.slots[slot].row == (uint32_t)i));
  }
  pt_pkindex_free(&ix);
}

TEST(random_string_keys_against_a_model) {
  enum { K = 1500 };
  static char text[K][24];
  char *ptrs[K];
  size_t lens[K];
  uint32_t rows[K];
  for (int i = 0; i < K; i++) {
    /* short, long, empty and prefix-sharing keys */
    int n = i == 0 ? 0 : snprintf(text[i], sizeof text[i], i % 3 ? "key-%d" : "%d-a-longer-key", i);
    ptrs[i] = text[i];
    lens[i] = (size_t)n;
    rows[i] = PT_NO_ROW;
  }
  /* the table maps rows to key ids */
  uint32_t *row_key = malloc(200000 * sizeof *row_key);
  char **row_s = malloc(200000 * sizeof *row_s);
  size_t *row_len = malloc(200000 * sizeof *row_len);
  strtab t = {row_s, row_len, 0};
  pt_pkindex ix;
  pt_pkindex_init(&ix, true);
  uint32_t next_row = 0;
  int failed = 0;
  for (int step = 0; step < 40000 && !failed; step++) {
    size_t i = (size_t)(rng() % K);
    pt_key k = {0, ptrs[i], lens[i]};
    size_t slot = pt_pkindex_find(&ix, &k, str_eq, &t);
    if ((rows[i] == PT_NO_ROW) != (slot == SIZE_MAX)) { failed = 1; break; }
    if (slot != SIZE_MAX && ix.slots[slot].row != rows[i]) { failed = 1; break; }
    if (rows[i] == PT_NO_ROW) {
      if (pt_pkindex_reserve(&ix, 1) != PT_OK) { failed = 1; break; }
      row_key[next_row] = (uint32_t)i;
      row_s[next_row] = ptrs[i];
      row_len[next_row] = lens[i];
      pt_pkindex_put(&ix, &k, next_row);
      rows[i] = next_row++;
    } else if (rng() % 2) {
      pt_pkindex_remove(&ix, slot);
      rows[i] = PT_NO_ROW;
    }
    if (step % 1000 == 999) {
      size_t present = 0;
      for (int j = 0; j < K; j++) {
        pt_key kj = {0, ptrs[j], lens[j]};
        size_t s = pt_pkindex_find(&ix, &kj, str_eq, &t);
        if (rows[j] != PT_NO_ROW) present++;
        if ((rows[j] == PT_NO_ROW) != (s == SIZE_MAX) || (s != SIZE_MAX && row_key[ix.slots[s].row] != (uint32_t)j))
          failed = 2;
      }
      if (present != ix.count || occupied(&ix) != ix.count) failed = 3;
    }
  }
  CHECK_EQ_INT(failed, 0);
  pt_pkindex_free(&ix);
  free(row_key);
  free(row_s);
  free(row_len);
}

/* ---- pt_pkindex_claim_rows: rows whose keys are in the table above, by row ---- */
static bool rows_eq(const void *ctx, uint32_t a, uint32_t b) {
  const inttab *t = ctx;
  return t->key[a] == t->key[b];
}
static uint32_t *link_prev; /* by row: the row it was chained to (PT_NO_ROW: none) */
static void row_link(void *ctx, uint32_t row, uint32_t prev) {
  (void)ctx;
  link_prev[row] = prev;
}

TEST(claim_rows_as_one_by_one) {
  enum { OLD = 30000, NEW = 60000, ALL = OLD + NEW };
  inttab t = {malloc(ALL * sizeof(int64_t)), 0};
  uint32_t *prev_one = malloc(ALL * sizeof *prev_one), *prev_bulk = malloc(ALL * sizeof *prev_bulk);
  pt_pkslot *items = malloc(NEW * sizeof *items);
  /* keys from a small range: old keys repeat, new rows hit old keys and each other */
  for (size_t r = 0; r < ALL; r++) t.key[r] = (int64_t)(rng() % 70000) - 35000;
  pt_pkindex one, bulk;
  pt_pkindex_init(&one, false);
  pt_pkindex_init(&bulk, false);
  CHECK_EQ_INT(pt_pkindex_reserve(&one, ALL), PT_OK);
  CHECK_EQ_INT(pt_pkindex_reserve(&bulk, ALL), PT_OK);
  for (uint32_t r = 0; r < ALL; r++) {
    pt_key k = ikey(t.key[r]);
    bool found;
    size_t slot = pt_pkindex_claim(&one, &k, int_eq, &t, r, &found);
    prev_one[r] = found ? one.slots[slot].row : PT_NO_ROW;
    if (found) one.slots[slot].row = r;
    if (r < OLD) { /* the same old rows in the other table */
      slot = pt_pkindex_claim(&bulk, &k, int_eq, &t, r, &found);
      prev_bulk[r] = found ? bulk.slots[slot].row : PT_NO_ROW;
      if (found) bulk.slots[slot].row = r;
    } else {
      prev_bulk[r] = PT_NO_ROW;
      items[r - OLD] = (pt_pkslot){pt_pkindex_hash(&bulk, &k), r};
    }
  }
  CHECK(pt_pkindex_bulk(&bulk, NEW)); /* the path under test, not the one-by-one fallback */
  link_prev = prev_bulk;
  pt_pkindex_claim_rows(&bulk, items, NEW, rows_eq, row_link, &t);
  CHECK_EQ_INT(bulk.count, one.count);
  CHECK_EQ_INT(occupied(&bulk), one.count);
  long differ = 0;
  for (uint32_t r = 0; r < ALL; r++) differ += prev_one[r] != prev_bulk[r];
  CHECK_EQ_INT(differ, 0);
  for (int64_t k = -35000; k < 35000; k++) { /* every key's head row */
    pt_key key = ikey(k);
    size_t a = pt_pkindex_find(&one, &key, int_eq, &t), b = pt_pkindex_find(&bulk, &key, int_eq, &t);
    if ((a == SIZE_MAX) != (b == SIZE_MAX) || (a != SIZE_MAX && one.slots[a].row != bulk.slots[b].row)) differ++;
  }
  CHECK_EQ_INT(differ, 0);
  pt_pkindex_free(&one);
  pt_pkindex_free(&bulk);
  free(t.key);
  free(prev_one);
  free(prev_bulk);
  free(items);
}

/* A table reserved while empty is left blank (its slots unwritten, its fresh pages untouched)
 * until a key enters it: garbage in its slots is never read as keys, by put, claim, claim_rows
 * or find, and growth from a blank table keeps nothing. */
TEST(a_table_reserved_empty_stays_blank_until_a_key_enters) {
  inttab t = {malloc(80000 * sizeof(int64_t)), 0};
  for (int64_t r = 0; r < 80000; r++) t.key[r] = r * 7 + 3;
  for (int way = 0; way < 3; way++) { /* put, claim, claim_rows */
    pt_pkindex ix;
    pt_pkindex_init(&ix, false);
    CHECK_EQ_INT(pt_pkindex_reserve(&ix, 100), PT_OK);
    CHECK(ix.blank);
    CHECK_EQ_INT(pt_pkindex_reserve(&ix, 70000), PT_OK); /* grown while blank */
    CHECK(ix.blank && capacity(&ix) == 131072);
    for (size_t i = 0; i < capacity(&ix); i += 2) ix.slots[i] = (pt_pkslot){0, 0}; /* as if they held row 0 */
    pt_key k0 = ikey(t.key[0]);
    CHECK_EQ_INT(pt_pkindex_find(&ix, &k0, never_called, NULL), SIZE_MAX);
    if (way < 2) {
      for (uint32_t r = 0; r < 70000; r++) {
        pt_key k = ikey(t.key[r]);
        bool found = false;
        if (way == 0) pt_pkindex_put(&ix, &k, r);
        else pt_pkindex_claim(&ix, &k, int_eq, &t, r, &found);
        CHECK(!found);
      }
    } else {
      pt_pkslot *items = malloc(70000 * sizeof *items);
      for (uint32_t r = 0; r < 70000; r++) {
        pt_key k = ikey(t.key[r]);
        items[r] = (pt_pkslot){pt_pkindex_hash(&ix, &k), r};
      }
      CHECK(pt_pkindex_bulk(&ix, 70000));
      pt_pkindex_claim_rows(&ix, items, 70000, rows_eq, row_link, &t);
      free(items);
    }
    CHECK(!ix.blank);
    CHECK_EQ_INT(ix.count, 70000);
    CHECK_EQ_INT(occupied(&ix), 70000);
    long missing = 0;
    for (uint32_t r = 0; r < 80000; r++) {
      pt_key k = ikey(t.key[r]);
      size_t slot = pt_pkindex_find(&ix, &k, int_eq, &t);
      missing += r < 70000 ? slot == SIZE_MAX || ix.slots[slot].row != r : slot != SIZE_MAX;
    }
    CHECK_EQ_INT(missing, 0);
    pt_pkindex_free(&ix);
    CHECK(!ix.blank);
  }
  free(t.key);
}

/* A table holding as many keys as its load allows: claiming rows of keys it holds takes no room
 * (the rows are chained), one by one and many at once, and must not be refused. */
TEST(a_full_table_claims_rows_of_the_keys_it_holds) {
  enum { CAP = 1 << 16 };
  const size_t K = CAP - CAP / 5; /* the most keys a table of CAP slots holds */
  inttab t = {malloc(3 * K * sizeof(int64_t)), 0};
  pt_pkslot *items = malloc(K * sizeof *items);
  link_prev = malloc(3 * K * sizeof *link_prev);
  pt_pkindex ix;
  pt_pkindex_init(&ix, false);
  CHECK_EQ_INT(pt_pkindex_reserve(&ix, K), PT_OK);
  CHECK_EQ_INT(capacity(&ix), CAP);
  for (uint32_t r = 0; r < K; r++) {
    t.key[r] = t.key[K + r] = t.key[2 * K + r] = (int64_t)r * 7919;
    pt_key k = ikey(t.key[r]);
    bool found;
    pt_pkindex_claim(&ix, &k, int_eq, &t, r, &found);
  }
  CHECK_EQ_INT(ix.count, K);
  /* one by one: every key is found, its slot takes the new row */
  long wrong = 0;
  for (uint32_t r = K; r < 2 * K; r++) {
    pt_key k = ikey(t.key[r]);
    bool found = false;
    size_t slot = pt_pkindex_claim(&ix, &k, int_eq, &t, r, &found);
    if (!found || ix.slots[slot].row != r - K) wrong++;
    else ix.slots[slot].row = r;
  }
  CHECK_EQ_INT(wrong, 0);
  /* many at once (the bulk path): each row chained behind the one before */
  for (uint32_t r = 0; r < K; r++) {
    pt_key k = ikey(t.key[2 * K + r]);
    items[r] = (pt_pkslot){pt_pkindex_hash(&ix, &k), (uint32_t)(2 * K + r)};
    link_prev[2 * K + r] = PT_NO_ROW;
  }
  CHECK(pt_pkindex_bulk(&ix, K));
  pt_pkindex_claim_rows(&ix, items, K, rows_eq, row_link, &t);
  CHECK_EQ_INT(ix.count, K);
  for (uint32_t r = 0; r < K; r++) wrong += link_prev[2 * K + r] != K + r;
  CHECK_EQ_INT(wrong, 0);
  pt_pkindex_free(&ix);
  free(t.key);
  free(items);
  free(link_prev);
}

TEST_MAIN(T(empty_index), T(reserve_and_growth), T(backward_shift_wraps_around), T(random_int_keys_against_a_model),
          T(int_keys_with_colliding_hash_bits),
          T(string_keys_with_colliding_hashes), T(random_string_keys_against_a_model), T(claim_rows_as_one_by_one),
          T(a_table_reserved_empty_stays_blank_until_a_key_enters),
          T(a_full_table_claims_rows_of_the_keys_it_holds))
