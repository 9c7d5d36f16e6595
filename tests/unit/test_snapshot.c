/*
 * test_snapshot.c — snapshots: pt_collection_save / pt_collection_load, and every way a
 * snapshot can be damaged.
 *
 * Covers:
 *   - allocation failure, swept (first, while nothing is allocated, so the test allocator can go
 *     in): save, and load, with the 1st, 2nd, ... allocation failing: a clean PT_NOMEM, nothing
 *     added to the store, nothing leaked; the run that succeeds equals a run without failures.
 *   - round trips, equal row for row, and equal after the same later writes on both sides (so
 *     the key index and key chains came back too): every field type (nullable, defaults, JSON,
 *     ARRAY of INT64 / VARCHAR / BOOL, sparse, float, float16, binary vectors, dynamic keys),
 *     several partitions, duplicate keys (insert), upserts, deletes by key and by filter
 *     (tombstones are not saved); a partition-key collection with VARCHAR keys, bfloat16 and
 *     int8 vectors. Saving what was loaded gives the same bytes; search results agree.
 *   - the store's clocks: a loaded auto_id collection never hands out a saved key again, and
 *     later timestamps are newer than the saved ones; load under another name; a name in use
 *     is refused (PT_EXISTS); an empty collection; the schema and store rules apply on load.
 *   - corruption, each detected with PT_CORRUPT, code 1100, a message naming the problem, and
 *     the store unchanged (no collection, no memory kept): truncation at every length (every
 *     section boundary among them), truncation at a section boundary with the header made
 *     consistent again, a flip of every single bit, wrong magic, a newer and a zero version,
 *     unknown header flags, trailing bytes, an empty buffer.
 *   - forged payloads (changed bytes with their CRC recomputed, as a hostile writer would): every
 *     byte of every section changed (xor 0x01, 0x80 or 0xff, in turn); each load either succeeds whole or fails with
 *     an error, never reads out of bounds (ASan), never leaves anything behind. Stored JSON that
 *     a write would refuse (02, 1., raw control characters, bytes below 0x20 as white space, lone
 *     surrogates, a NUL in a key, numbers beyond a double) is refused (issue 13).
 */
#include "harness.h"

#include <stdlib.h>

#include "schema.h"
#include "store.h"

#include "crc32.h"
#include "fixture_format0.h"
#include "hash64.h"

#define MAX_STEPS 100000

/* ============================================================================================
 * Helpers
 * ========================================================================================== */

#define SCHEMA_A                                                                                             \
  "{'description':'every type','enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true}," \
  "{'name':'b','dtype':1,'default_value':true},{'name':'i8','dtype':2},{'name':'i16','dtype':3,'nullable':true},"  \
  "{'name':'i32','dtype':4},{'name':'f','dtype':10},{'name':'d','dtype':11,'default_value':2.5},"                 \
  "{'name':'t','dtype':21,'max_length':32,'nullable':true,'default_value':'dflt'},"                             \
  "{'name':'j','dtype':23,'nullable':true},{'name':'ai','dtype':22,'element_type':5,'max_capacity':8},"          \
  "{'name':'as','dtype':22,'element_type':21,'max_length':8,'max_capacity':4},"                                  \
  "{'name':'ab','dtype':22,'element_type':1,'max_capacity':4,'nullable':true},{'name':'sp','dtype':104},"       \
  "{'name':'v','dtype':101,'dim':4},{'name':'h','dtype':102,'dim':4},{'name':'bin','dtype':100,'dim':16}]}"

#define SCHEMA_B                                                                                             \
  "{'fields':[{'name':'pk','dtype':21,'max_length':16,'is_primary':true},"                                     \
  "{'name':'tenant','dtype':5,'is_partition_key':true},{'name':'bf','dtype':103,'dim':2},"                     \
  "{'name':'iv','dtype':105,'dim':3}]}"

/* JSON rows of SCHEMA_A for keys [from, from + n), version `ver`. */
static char *rows_a(int from, int n, int ver) {
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "[");
  for (int k = from; k < from + n; k++) {
    if (k > from) test_buf_printf(&b, ",");
    test_buf_printf(&b, "{\"id\":%d,\"b\":%s,\"i8\":%d,\"i32\":%d,\"f\":%g,", k, (k + ver) % 2 ? "true" : "false",
                    k % 200 - 100, k * 7 + ver, k * 0.5);
    if (k % 5) test_buf_printf(&b, "\"i16\":%d,", k % 30000);
    else test_buf_printf(&b, "\"i16\":null,");
    if (k % 3) test_buf_printf(&b, "\"d\":%d.25,", k);
    if (k % 4 == 1) test_buf_printf(&b, "\"t\":null,");
    else if (k % 4 > 1) test_buf_printf(&b, "\"t\":\"s%d-%d \\u00e9\",", k, ver);
    if (k % 6) test_buf_printf(&b, "\"j\":{\"k\":%d,\"v\":[%d,\"x\"]},", k, ver);
    if (k % 7 == 0) test_buf_printf(&b, "\"ab\":null,");
    else test_buf_printf(&b, "\"ab\":[true,false,%s],", k % 2 ? "true" : "false");
    test_buf_printf(&b,
                    "\"ai\":[%d,%d,%d],\"as\":[\"a%d\",\"\\u00e9\"],\"sp\":{\"%d\":0.5,\"%d\":%d},"
                    "\"v\":[%d,%d,0.25,-1],\"h\":[0.5,1,%d,2],\"bin\":[%d,%d]",
                    k, -k, ver, k % 10, k, k + 3, ver, k, ver, k % 7, k % 256, ver % 256);
    if (k % 2) test_buf_printf(&b, ",\"color\":\"c%d\"", k % 3);
    test_buf_printf(&b, "}");
  }
  test_buf_printf(&b, "]");
  return b.p;
}

static void write_a(pt_collection *c, const char *partition, pt_op op, int from, int n, int ver) {
  char *json = rows_a(from, n, ver);
  pt_mutation_result r = test_write(c, partition, op, json);
  pt_mutation_result_clear(&r);
  free(json);
}

static void del(pt_collection *c, const char *partition, const char *expr) {
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(pt_collection_delete(c, partition, partition ? strlen(partition) : 0, expr, strlen(expr), &r, &e), &e);
  pt_mutation_result_clear(&r);
}

/* A collection of SCHEMA_A with three partitions, duplicate keys, upserts and deletes. */
static pt_collection *build_a(pt_store *st, const char *name, int scale) {
  pt_collection *c = test_collection(st, name, J(SCHEMA_A));
  pt_error e;
  CHECK_OK(pt_partition_create(c, "p1", 2, &e), &e);
  CHECK_OK(pt_partition_create(c, "p2", 2, &e), &e);
  write_a(c, NULL, PT_OP_INSERT, 0, 30 * scale, 0);
  write_a(c, "p1", PT_OP_INSERT, 0, 10 * scale, 0);
  write_a(c, NULL, PT_OP_INSERT, 10, 5, 1);                /* duplicates: chains of two */
  write_a(c, NULL, PT_OP_UPSERT, 5 * scale, 10 * scale, 2); /* tombstones */
  del(c, NULL, "id in [1, 2, 3]");
  del(c, NULL, "i32 > 70 and i32 < 90"); /* rows off the middle of chains */
  write_a(c, "p2", PT_OP_UPSERT, 0, 5, 3);
  return c;
}

/* The same later writes, to tell whether key chains and the index came back. */
static void later_writes(pt_collection *c) {
  write_a(c, NULL, PT_OP_UPSERT, 10, 6, 4); /* keys with duplicates: every row of the key goes */
  write_a(c, NULL, PT_OP_INSERT, 12, 2, 5);
  del(c, NULL, "id in [11, 20]");
  del(c, "p1", "id >= 8");
  write_a(c, "p2", PT_OP_UPSERT, 3, 4, 6);
}

static pt_status save(pt_collection *c, uint8_t **out, size_t *len) {
  pt_error e;
  pt_status rc = pt_collection_save(c, out, len, &e);
  if (rc != PT_OK) fprintf(stderr, "  save: %s\n", e.message);
  return rc;
}

static pt_collection *load(pt_store *st, const uint8_t *b, size_t len, const char *name) {
  pt_collection *c = NULL;
  pt_error e;
  CHECK_OK(pt_collection_load(st, b, len, name, name ? strlen(name) : 0, &c, &e), &e);
  return c;
}

/* Search results of a collection over field v, as JSON (free()). */
static char *search_v(pt_collection *c) {
  const char *req = J("{'anns_field':'v','metric_type':'L2','limit':7,'nq':2,'output_fields':['*']}");
  float q[8] = {3, 1, 0.25f, -1, 40, 2, 0, 0};
  pt_search_result *r = NULL;
  pt_error e;
  char *json = NULL, *copy = NULL;
  CHECK_OK(pt_collection_search(c, req, strlen(req), q, sizeof q, &r, &e), &e);
  if (r && pt_search_to_json(r, 0, &json, NULL, &e) == PT_OK) {
    copy = malloc(strlen(json) + 1);
    strcpy(copy, json);
  }
  pt_free(json);
  pt_search_free(r);
  return copy ? copy : calloc(1, 1);
}

static void check_same(pt_collection *a, pt_collection *b) {
  char *x = test_snapshot(a), *y = test_snapshot(b);
  CHECK_STR(y, x);
  free(x);
  free(y);
}

/* Section boundaries of a snapshot: the header's end, then each section's end (version 4:
 * kind, 0, length, the payload padded to 8, a 64-bit check; before it: kind, length, payload,
 * CRC-32). */
static size_t boundaries(const uint8_t *b, size_t len, size_t *out, size_t max) {
  size_t n = 0, at = 32;
  uint32_t version;
  memcpy(&version, b + 8, 4);
  out[n++] = at;
  while (at + (version >= 4 ? 24 : 16) <= len && n < max) {
    uint64_t plen;
    memcpy(&plen, b + at + (version >= 4 ? 8 : 4), 8);
    at += version >= 4 ? 24 + (size_t)((plen + 7) & ~(uint64_t)7) : 16 + (size_t)plen;
    out[n++] = at;
  }
  return n;
}

/* The header's check as its version has it (version 4: the low half of pt_hash64). */
static void fix_header_crc(uint8_t *b) {
  uint32_t version, crc;
  memcpy(&version, b + 8, 4);
  crc = version >= 4 ? (uint32_t)pt_hash64(0, b, 28) : pt_crc32(b, 28);
  memcpy(b + 28, &crc, 4);
}

/* Loading must fail with PT_CORRUPT and leave the store as it was. */
static void expect_corrupt(pt_store *st, const uint8_t *b, size_t len, const char *needle, const char *what, size_t at) {
  size_t colls = pt_store_num_collections(st), mem = pt_memory_used();
  pt_collection *c = (pt_collection *)1;
  pt_error e;
  pt_status rc = pt_collection_load(st, b, len, "fresh", 5, &c, &e);
  if (rc != PT_CORRUPT || e.status != PT_CORRUPT || e.code != PT_CODE_PARAMETER_INVALID || c != NULL ||
      !strstr(e.message, needle) || !strstr(e.message, "invalid snapshot")) {
    fprintf(stderr, "  FAIL %s at %zu: %s (%s), message \"%s\" (wanted \"%s\")\n", what, at, pt_status_str(rc),
            c ? "a collection came back" : "no collection", e.message, needle);
    pt_test_failures++;
  }
  if (pt_store_num_collections(st) != colls || pt_memory_used() != mem) {
    fprintf(stderr, "  FAIL %s at %zu: the store changed (%zu -> %zu collections, %zu -> %zu bytes)\n", what, at,
            colls, pt_store_num_collections(st), mem, pt_memory_used());
    pt_test_failures++;
  }
}

/* ============================================================================================
 * Allocation failure (first: the test allocator needs nothing allocated yet)
 * ========================================================================================== */

TEST(allocation_failures_swept) {
  CHECK_EQ_INT(pt_memory_used(), 0);
  test_alloc_install();
  pt_store *st = test_store();
  pt_collection *c = build_a(st, "src", 1);
  uint8_t *bytes = NULL;
  size_t len = 0;
  CHECK_OK(save(c, &bytes, &len), (pt_error *)NULL);
  char *want = test_snapshot(c);

  /* save */
  size_t base = pt_memory_used();
  long n;
  for (n = 1; n < MAX_STEPS; n++) {
    uint8_t *out = (uint8_t *)1;
    size_t olen = 7;
    pt_error e;
    test_alloc_fail_at(n);
    pt_status rc = pt_collection_save(c, &out, &olen, &e);
    long used = test_alloc_count();
    test_alloc_fail_at(0);
    if (rc == PT_OK) {
      CHECK(used < n);
      CHECK(olen == len && memcmp(out, bytes, len) == 0);
      pt_free(out);
      break;
    }
    if (rc != PT_NOMEM || e.status != PT_NOMEM || out != NULL || olen != 0 || pt_memory_used() != base) {
      fprintf(stderr, "  FAIL save, allocation %ld failing: %s, %s\n", n, pt_status_str(rc), e.message);
      pt_test_failures++;
      break;
    }
  }
  CHECK(n > 2);

  /* load */
  for (n = 1; n < MAX_STEPS; n++) {
    pt_collection *got = (pt_collection *)1;
    pt_error e;
    test_alloc_fail_at(n);
    pt_status rc = pt_collection_load(st, bytes, len, "copy", 4, &got, &e);
    long used = test_alloc_count();
    test_alloc_fail_at(0);
    if (rc == PT_OK) {
      char *have = test_snapshot(got);
      CHECK_STR(have, want);
      free(have);
      if (used < n) break;
      /* the failure was met and recovered from (a JSON text parsed again, see snapshot.c):
       * a whole collection came; drop it and go on failing later allocations */
      pt_collection_drop(st, "copy", 4);
      continue;
    }
    if (rc != PT_NOMEM || e.status != PT_NOMEM || got != NULL || pt_store_num_collections(st) != 1 ||
        pt_memory_used() != base) {
      fprintf(stderr, "  FAIL load, allocation %ld failing: %s, %s (%zu collections, %zu bytes, %zu before)\n", n,
              pt_status_str(rc), e.message, pt_store_num_collections(st), pt_memory_used(), base);
      pt_test_failures++;
      break;
    }
  }
  CHECK(n > 20);
  CHECK_EQ_INT(pt_store_num_collections(st), 2);
  free(want);
  pt_free(bytes);
  pt_store_close(st);
  CHECK_EQ_INT(pt_memory_used(), 0);
  CHECK_EQ_INT(test_alloc_live(), 0);
}

/* ============================================================================================
 * Round trips
 * ========================================================================================== */

TEST(round_trip_every_type) {
  pt_store *st = test_store();
  pt_collection *a = build_a(st, "films", 3);
  uint8_t *bytes = NULL;
  size_t len = 0;
  CHECK_OK(save(a, &bytes, &len), (pt_error *)NULL);
  CHECK(len > 32);
  CHECK(bytes[0] == 0x89 && memcmp(bytes + 1, "PTS", 3) == 0);

  /* into the same store, under another name */
  pt_collection *b = load(st, bytes, len, "films_copy");
  CHECK(b != NULL && b != a);
  if (!b) return;
  CHECK_STR(pt_collection_name(b), "films_copy");
  CHECK(pt_collection_id(b) != pt_collection_id(a));
  CHECK(pt_schema_equal(pt_collection_schema(a), pt_collection_schema(b)));
  CHECK_EQ_INT(pt_collection_num_partitions(b), 3);
  CHECK_EQ_INT(pt_collection_num_entities(b, NULL, 0), pt_collection_num_entities(a, NULL, 0));
  check_same(a, b);
  char *sa = search_v(a), *sb = search_v(b);
  CHECK_STR(sb, sa);
  free(sa);
  free(sb);

  /* into another store, under its own name: saving it again gives the same bytes */
  pt_store *st2 = test_store();
  pt_collection *c = load(st2, bytes, len, NULL);
  CHECK(c != NULL);
  if (!c) return;
  CHECK_STR(pt_collection_name(c), "films");
  uint8_t *again = NULL;
  size_t again_len = 0;
  CHECK_OK(save(c, &again, &again_len), (pt_error *)NULL);
  CHECK(again_len == len && memcmp(again, bytes, len) == 0);
  pt_free(again);

  /* the same later writes give the same collections: the key index and chains came back */
  later_writes(a);
  later_writes(b);
  later_writes(c);
  check_same(a, b);
  check_same(a, c);
  pt_free(bytes);
  pt_store_close(st);
  pt_store_close(st2);
}

TEST(round_trip_partition_key_varchar_keys) {
  pt_store *st = test_store();
  pt_schema *s = test_schema(J(SCHEMA_B));
  pt_collection_options o = {4, 0};
  pt_collection *a = NULL;
  pt_error e;
  CHECK_OK(pt_collection_create(st, "tenants", 7, s, &o, &a, &e), &e);
  pt_schema_free(s);
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "[");
  for (int k = 0; k < 200; k++)
    test_buf_printf(&b, "%s{\"pk\":\"k%d\",\"tenant\":%d,\"bf\":[%d.5,-1],\"iv\":[%d,-128,127]}", k ? "," : "", k,
                    k % 9, k, k % 100);
  test_buf_printf(&b, "]");
  pt_mutation_result r = test_write(a, NULL, PT_OP_INSERT, b.p);
  pt_mutation_result_clear(&r);
  r = test_write(a, NULL, PT_OP_UPSERT, J("[{'pk':'k5','tenant':3,'bf':[0,0],'iv':[1,1,1]}]"));
  pt_mutation_result_clear(&r);
  del(a, NULL, "pk in ['k7', 'k8']");
  test_buf_free(&b);

  uint8_t *bytes = NULL;
  size_t len = 0;
  CHECK_OK(save(a, &bytes, &len), (pt_error *)NULL);
  pt_store *st2 = test_store();
  pt_collection *c = load(st2, bytes, len, NULL);
  if (!c) return;
  CHECK_EQ_INT(pt_collection_num_partitions(c), 4);
  check_same(a, c);
  /* keys route and upsert as before */
  const char *more = J("[{'pk':'k9','tenant':1,'bf':[2,2],'iv':[2,2,2]},{'pk':'new','tenant':2,'bf':[3,3],'iv':[3,3,3]}]");
  r = test_write(a, NULL, PT_OP_UPSERT, more);
  pt_mutation_result_clear(&r);
  r = test_write(c, NULL, PT_OP_UPSERT, more);
  pt_mutation_result_clear(&r);
  check_same(a, c);
  pt_free(bytes);
  pt_store_close(st);
  pt_store_close(st2);
}

TEST(clocks_names_and_rules) {
  /* auto_id keys and timestamps continue past the saved ones, even under an earlier clock */
  pt_store *st = test_store();
  pt_collection *a = test_collection(st, "auto", J("{'fields':[{'name':'id','dtype':5,'is_primary':true,'auto_id':true},"
                                                    "{'name':'v','dtype':101,'dim':2}]}"));
  pt_mutation_result r = test_write(a, NULL, PT_OP_INSERT, J("[{'v':[1,2]},{'v':[3,4]},{'v':[5,6]}]"));
  int64_t last_key = r.int_keys[2];
  uint64_t last_ts = r.timestamp;
  pt_mutation_result_clear(&r);
  uint8_t *bytes = NULL;
  size_t len = 0;
  CHECK_OK(save(a, &bytes, &len), (pt_error *)NULL);

  pt_store *st2 = test_store(); /* the same fixed clock: it would hand out the same keys */
  pt_collection *c = load(st2, bytes, len, NULL);
  if (!c) return;
  r = test_write(c, NULL, PT_OP_INSERT, J("[{'v':[7,8]}]"));
  CHECK(r.n_keys == 1 && r.int_keys[0] > last_key);
  CHECK(r.timestamp > last_ts);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 4);

  /* a name in use is refused, and nothing changes */
  pt_collection *got = (pt_collection *)1;
  pt_error e;
  size_t mem = pt_memory_used();
  EXPECT_ERR(pt_collection_load(st2, bytes, len, NULL, 0, &got, &e), &e, PT_EXISTS, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "collection auto already exists");
  CHECK(got == NULL && pt_store_num_collections(st2) == 1 && pt_memory_used() == mem);
  /* a name that Milvus refuses */
  EXPECT_ERR(pt_collection_load(st2, bytes, len, "1bad", 4, &got, &e), &e, PT_SCHEMA, PT_CODE_PARAMETER_INVALID,
             PT_EXC_MILVUS, "the first character of a collection name must be an underscore or letter");
  CHECK(pt_store_num_collections(st2) == 1 && pt_memory_used() == mem);
  /* an empty collection round-trips */
  pt_collection *empty = test_collection(st, "empty", J("{'fields':[{'name':'id','dtype':21,'max_length':4,'is_primary':true},"
                                                        "{'name':'v','dtype':101,'dim':2}]}"));
  pt_free(bytes);
  CHECK_OK(save(empty, &bytes, &len), (pt_error *)NULL);
  pt_collection *e2 = load(st2, bytes, len, NULL);
  CHECK(e2 && pt_collection_num_entities(e2, NULL, 0) == 0);
  if (e2) {
    r = test_write(e2, NULL, PT_OP_UPSERT, J("[{'id':'a','v':[1,2]},{'id':'b','v':[1,2]}]"));
    pt_mutation_result_clear(&r);
    r = test_write(e2, NULL, PT_OP_UPSERT, J("[{'id':'a','v':[3,4]}]"));
    pt_mutation_result_clear(&r);
    CHECK_EQ_INT(pt_collection_num_entities(e2, NULL, 0), 2);
  }
  /* misuse */
  CHECK_EQ_INT(pt_collection_load(NULL, bytes, len, NULL, 0, &got, &e), PT_MISUSE);
  CHECK_EQ_INT(pt_collection_save(NULL, &bytes, &len, &e), PT_MISUSE);
  pt_free(bytes);
  pt_store_close(st);
  pt_store_close(st2);
}

/* ============================================================================================
 * Corruption
 * ========================================================================================== */

/* A small snapshot with every kind of section, for the sweeps. */
static uint8_t *small_snapshot(size_t *len) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "small", J(SCHEMA_A));
  pt_error e;
  CHECK_OK(pt_partition_create(c, "p1", 2, &e), &e);
  write_a(c, NULL, PT_OP_INSERT, 1, 2, 0);
  write_a(c, "p1", PT_OP_INSERT, 12, 1, 1);
  uint8_t *bytes = NULL;
  CHECK_OK(save(c, &bytes, len), (pt_error *)NULL);
  pt_store_close(st);
  return bytes;
}

TEST(truncation_is_detected) {
  size_t len;
  uint8_t *bytes = small_snapshot(&len);
  pt_store *st = test_store();
  pt_collection *keep = build_a(st, "fresh_not", 1); /* the store holds something */
  (void)keep;
  /* every length, so every section boundary among them */
  for (size_t n = 0; n < len; n++) expect_corrupt(st, bytes, n, n < 8 ? "not a partita snapshot" : "truncated", "truncation", n);
  /* at each boundary, with the header made consistent again: the sections disagree */
  size_t bounds[8];
  size_t nb = boundaries(bytes, len, bounds, 8);
  CHECK_EQ_INT(nb, 5); /* header, collection, _default, p1, indexes */
  CHECK_EQ_INT(bounds[nb - 1], len);
  uint8_t *cut = malloc(len);
  for (size_t i = 0; i + 1 < nb; i++) {
    memcpy(cut, bytes, bounds[i]);
    uint64_t total = bounds[i];
    uint32_t sections = (uint32_t)i;
    memcpy(cut + 16, &total, 8);
    memcpy(cut + 24, &sections, 4);
    pt_snapshot_reseal(cut, bounds[i]); /* as a forger would: the chained CRCs agree */
    /* version 3 ends with its indexes section: a cut before it is refused by that */
    expect_corrupt(st, cut, bounds[i], i <= 1 ? "sections cannot be right" : "expected 3 (indexes)", "consistent cut", bounds[i]);
  }
  /* trailing bytes */
  uint8_t *longer = malloc(len + 1);
  memcpy(longer, bytes, len);
  longer[len] = 0;
  expect_corrupt(st, longer, len + 1, "trailing bytes", "trailing", len);
  free(longer);
  free(cut);
  /* nothing at all */
  expect_corrupt(st, NULL, 0, "not a partita snapshot", "empty", 0);
  pt_free(bytes);
  pt_store_close(st);
}

TEST(bit_flips_are_detected) {
  size_t len;
  uint8_t *bytes = small_snapshot(&len);
  pt_store *st = test_store();
  for (size_t bit = 0; bit < len * 8; bit++) {
    bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    const char *needle = bit < 64 ? "not a partita snapshot" : bit < 256 ? "header" : "corrupted";
    expect_corrupt(st, bytes, len, needle, "bit flip", bit);
    bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
  }
  /* the untouched snapshot still loads */
  pt_collection *c = load(st, bytes, len, NULL);
  CHECK(c != NULL);
  pt_free(bytes);
  pt_store_close(st);
}

TEST(magic_version_and_flags) {
  size_t len;
  uint8_t *bytes = small_snapshot(&len);
  pt_store *st = test_store();
  uint8_t *b = malloc(len);
  /* wrong magic: another format, or a text-mode transfer that ate the \r */
  memcpy(b, bytes, len);
  memcpy(b, "PK\x03\x04", 4);
  expect_corrupt(st, b, len, "not a partita snapshot", "magic", 0);
  memcpy(b, bytes, len);
  b[4] = '\n';
  expect_corrupt(st, b, len, "not a partita snapshot", "magic", 4);
  /* a newer format, and version 0, with a valid header checksum */
  memcpy(b, bytes, len);
  uint32_t v = PT_SNAPSHOT_FORMAT_VERSION + 1;
  memcpy(b + 8, &v, 4);
  fix_header_crc(b);
  char newer[64];
  snprintf(newer, sizeof newer, "format version %u is not supported", (unsigned)v);
  expect_corrupt(st, b, len, newer, "version", v);
  v = 0;
  memcpy(b + 8, &v, 4);
  fix_header_crc(b);
  expect_corrupt(st, b, len, "format version 0 is not supported", "version", 0);
  /* unknown flags */
  memcpy(b, bytes, len);
  uint32_t flags = 4;
  memcpy(b + 12, &flags, 4);
  fix_header_crc(b);
  expect_corrupt(st, b, len, "unknown header flags", "flags", 4);
  /* the message names what is wrong */
  pt_error e;
  pt_collection *c = NULL;
  memcpy(b, bytes, len);
  b[len / 2] ^= 0x10;
  pt_collection_load(st, b, len, NULL, 0, &c, &e);
  CHECK_MSG(&e, "is corrupted or out of place (checksum 0x");
  CHECK_MSG(&e, ": invalid parameter");
  free(b);
  pt_free(bytes);
  pt_store_close(st);
}

/* A snapshot whose framed sections [a] and [b] (indexes into bounds) trade places. */
static uint8_t *swapped(const uint8_t *bytes, size_t len, const size_t *bounds, size_t a, size_t b) {
  uint8_t *out = malloc(len);
  size_t at = 0;
  memcpy(out, bytes, bounds[0]);
  at = bounds[0];
  for (size_t i = 0; bounds[i] < len; i++) {
    size_t from = i == a ? b : i == b ? a : i;
    size_t n = bounds[from + 1] - bounds[from];
    memcpy(out + at, bytes + bounds[from], n);
    at += n;
  }
  return out;
}

TEST(section_order_is_protected) {
  pt_store *st = test_store();
  pt_collection *c = build_a(st, "ordered", 1);
  uint8_t *bytes = NULL;
  size_t len;
  CHECK_OK(save(c, &bytes, &len), (pt_error *)NULL);
  size_t bounds[8];
  size_t nb = boundaries(bytes, len, bounds, 8);
  CHECK_EQ_INT(nb, 6); /* header, collection, _default, p1, p2, indexes */
  /* two partitions trade places: each section is intact, the order is not */
  uint8_t *b = swapped(bytes, len, bounds, 2, 3);
  expect_corrupt(st, b, len, "section 2 (partition) is corrupted or out of place", "swapped partitions", 2);
  free(b);
  /* _default and p2 trade places */
  b = swapped(bytes, len, bounds, 1, 3);
  expect_corrupt(st, b, len, "section 1 (partition) is corrupted or out of place", "swapped _default", 1);
  free(b);
  /* the last partition dropped, the header made consistent (but its CRC chain not rebuilt) */
  b = malloc(len);
  memcpy(b, bytes, bounds[3]);
  uint64_t total = bounds[3];
  uint32_t sections = 3;
  memcpy(b + 16, &total, 8);
  memcpy(b + 24, &sections, 4);
  fix_header_crc(b);
  expect_corrupt(st, b, bounds[3], "out of place", "dropped partition", 3);
  free(b);

  /* version 3 (CRC-32 checks, no padding), as partita wrote it before version 4, is still read:
   * the same collection comes back */
  len = sizeof v3_snapshot;
  nb = boundaries(v3_snapshot, len, bounds, 8);
  CHECK_EQ_INT(nb, 6);
  CHECK_EQ_INT(bounds[nb - 1], len);
  pt_collection *from_v3 = load(st, v3_snapshot, len, "from_v3");
  char *want = test_snapshot(c), *got = from_v3 ? test_snapshot(from_v3) : NULL;
  CHECK_STR(got, want);
  free(got);
  /* version 2 (no indexes section) is still read */
  size_t v2len = bounds[nb - 2];
  uint8_t *v2 = malloc(len);
  memcpy(v2, v3_snapshot, v2len);
  uint32_t two = 2, v2sections = (uint32_t)(nb - 2);
  uint64_t v2total = v2len;
  memcpy(v2 + 8, &two, 4);
  memcpy(v2 + 16, &v2total, 8);
  memcpy(v2 + 24, &v2sections, 4);
  pt_snapshot_reseal(v2, v2len);
  pt_collection *from_v2 = load(st, v2, v2len, "from_v2");
  CHECK(from_v2 != NULL);
  /* version 1 (each CRC on its own) is still read: the same collection comes back; its order
   * was never protected, so swapped partitions load swapped */
  uint8_t *v1 = v2;
  len = v2len;
  uint32_t one = 1;
  memcpy(v1 + 8, &one, 4);
  pt_snapshot_reseal(v1, len);
  pt_collection *old = load(st, v1, len, "from_v1");
  CHECK(old != NULL);
  got = old ? test_snapshot(old) : NULL;
  CHECK_STR(got, want);
  free(got);
  uint8_t *v1s = swapped(v1, len, bounds, 2, 3);
  pt_collection *moved = load(st, v1s, len, "from_v1_swapped");
  CHECK(moved != NULL && pt_collection_num_partitions(moved) == 3);
  size_t n0 = 0;
  const char *first = moved ? pt_collection_partition_name(moved, 1, &n0) : "";
  CHECK(n0 == 2 && memcmp(first, "p2", 2) == 0);
  /* what is saved again is the current version */
  uint8_t *again = NULL;
  size_t again_len = 0;
  if (old) CHECK_OK(save(old, &again, &again_len), (pt_error *)NULL);
  uint32_t version = 0;
  if (again_len >= 12) memcpy(&version, again + 8, 4);
  CHECK_EQ_INT(version, PT_SNAPSHOT_FORMAT_VERSION);
  pt_free(again);
  free(v1s);
  free(v1);
  free(want);
  pt_free(bytes);
  pt_store_close(st);
}

/* Changes byte `at` of a copy, recomputing the chained CRCs of its section and every later one
 * (at the boundaries of the original: a forged length field must not move where a CRC is
 * written). */
static void forge(uint8_t *b, const size_t *bounds, size_t nb, size_t at, uint8_t x) {
  b[at] ^= x;
  uint64_t chain = pt_hash64(0, b, 28); /* version 4 */
  for (size_t i = 0; i + 1 < nb; i++) {
    chain = pt_hash64(chain, b + bounds[i], bounds[i + 1] - 8 - bounds[i]);
    if (at < bounds[i + 1]) memcpy(b + bounds[i + 1] - 8, &chain, 8);
    else memcpy(&chain, b + bounds[i + 1] - 8, 8);
  }
}

TEST(forged_payloads_are_refused_or_loaded_whole) {
  size_t len;
  uint8_t *bytes = small_snapshot(&len);
  pt_store *st = test_store();
  uint8_t *b = malloc(len);
  const uint8_t xs[3] = {0x01, 0x80, 0xff};
  size_t loaded = 0, refused = 0;
  /* the store's array of collections is allocated by the first load and kept */
  pt_collection *first = load(st, bytes, len, "forged");
  CHECK(first != NULL);
  pt_collection_drop(st, "forged", 6);
  size_t mem = pt_memory_used();
  size_t bounds[8];
  size_t nb = boundaries(bytes, len, bounds, 8);
  for (size_t at = 32; at < len; at++) {
    for (int k = (int)(at % 3); k <= (int)(at % 3); k++) { /* one change per byte, cycling */
      memcpy(b, bytes, len);
      forge(b, bounds, nb, at, xs[k]);
      pt_collection *c = NULL;
      pt_error e;
      pt_status rc = pt_collection_load(st, b, len, "forged", 6, &c, &e);
      if (rc == PT_OK) {
        loaded++;
        /* whole: it can be read and written */
        char *snap = test_snapshot(c);
        free(snap);
        pt_collection_drop(st, "forged", 6);
      } else {
        refused++;
        if (c != NULL || e.status != rc || e.message[0] == '\0') {
          fprintf(stderr, "  FAIL forged byte %zu ^ 0x%02x: %s \"%s\"\n", at, xs[k], pt_status_str(rc), e.message);
          pt_test_failures++;
        }
      }
      if (pt_store_num_collections(st) != 0 || pt_memory_used() != mem) {
        fprintf(stderr, "  FAIL forged byte %zu ^ 0x%02x: the store changed (%s, %zu collections, %zu bytes, %zu before)\n", at,
                xs[k], pt_status_str(rc), pt_store_num_collections(st), pt_memory_used(), mem);
        pt_test_failures++;
        at = len;
        break;
      }
    }
  }
  CHECK(refused > 0 && loaded > 0);
  free(b);
  pt_free(bytes);
  pt_store_close(st);
}

/* Replaces the first `from` in a snapshot by `to` (as long), repairing the chained CRCs as a
 * forger would; the offset, or SIZE_MAX when `from` is not there. */
static size_t forge_text(uint8_t *b, size_t len, const char *from, const char *to) {
  size_t n = strlen(from), at = 0;
  while (at + n <= len && memcmp(b + at, from, n) != 0) at++;
  if (at + n > len || strlen(to) != n) return SIZE_MAX;
  memcpy(b + at, to, n);
  pt_snapshot_reseal(b, len);
  return at;
}

/* Stored JSON that a write would refuse, forged with the CRC repaired (issue 13): every read of
 * such a row would give text that is not JSON (JSON.parse throws, REST answers are broken). */
TEST(forged_json_is_refused) {
  pt_store *src = test_store();
  pt_collection *c = test_collection(src, "js", J("{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                                  "{'name':'v','dtype':101,'dim':2},{'name':'j','dtype':23}]}"));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, "[{\"id\":1,\"v\":[0,1],\"j\":{\"a\":\"abcdef\",\"n\":12345},\"k\":\"uvwxyz\"}]");
  pt_mutation_result_clear(&r);
  uint8_t *bytes = NULL;
  size_t len = 0;
  CHECK_OK(save(c, &bytes, &len), (pt_error *)NULL);
  pt_store_close(src);
  /* (what is replaced, by what of the same length) in the JSON field and in the dynamic value */
  static const char *const forgeries[][2] = {
      {"12345", "01234"}, {"12345", "1234."}, {"12345", "1e400"}, {"12345", ".1234"}, {"abcdef", "ab\x01" "def"},
      {"abcdef", "ab\tdef"}, {"\"abcdef\"", "\x01\"abcde\""}, {"\"abcdef\"", "\"abcde\"\x0b"}, {"abcdef", "\\ud800"},
      {"\"a\":\"abcdef\"", "\"\\u0000\":\"a\""}, {"uvwxyz", "uv\nxyz"}, {"\"uvwxyz\"", "\x1f\"uvwxy\""},
      {"{\"k\":\"uvwxyz\"}", "[\"k\",\"uvwxyz\"]"},
  };
  uint8_t *b = malloc(len);
  pt_store *st = test_store();
  for (size_t i = 0; i < sizeof forgeries / sizeof *forgeries; i++) {
    memcpy(b, bytes, len);
    size_t at = forge_text(b, len, forgeries[i][0], forgeries[i][1]);
    CHECK(at != SIZE_MAX);
    expect_corrupt(st, b, len, forgeries[i][1][0] == '[' ? "row 0 is not a JSON object" : "row 0 is not valid JSON",
                   forgeries[i][1], at);
  }
  /* \u0000 in a string value is kept: the untouched snapshot and one holding it both load */
  CHECK(load(st, bytes, len, "plain") != NULL);
  memcpy(b, bytes, len);
  CHECK(forge_text(b, len, "\"abcdef\"", "\"\\u0000\"") != SIZE_MAX);
  CHECK(load(st, b, len, "nul") != NULL);
  pt_store_close(st);
  free(b);
  pt_free(bytes);
}

/* A sparse index saved before inverted_index_algo was checked by knowhere's names (any string
 * was taken, 4bd4b3b..7856f14) still loads, its params as saved; create_index still refuses the
 * name, and a value that was never taken (not a string) is refused on load too. */
TEST(older_sparse_algo_names_load) {
  pt_store *src = test_store();
  pt_collection *c = test_collection(src, "sp", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'sv','dtype':104}]}"));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, "[{\"id\":1,\"sv\":{\"3\":0.5}}]");
  pt_mutation_result_clear(&r);
  pt_error e;
  const char *ix = J("{'field_name':'sv','index_type':'SPARSE_INVERTED_INDEX','metric_type':'IP','params':{'inverted_index_algo':'DAAT_WAND'}}");
  CHECK_OK(pt_collection_create_index(c, ix, strlen(ix), &e), &e);
  uint8_t *bytes = NULL;
  size_t len = 0;
  CHECK_OK(save(c, &bytes, &len), (pt_error *)NULL);
  pt_store_close(src);
  uint8_t *b = malloc(len);
  memcpy(b, bytes, len);
  CHECK(forge_text(b, len, "DAAT_WAND", "BLOCK_MAX") != SIZE_MAX);
  pt_store *st = test_store();
  pt_collection *old = load(st, b, len, "old");
  if (old) {
    char *desc = NULL;
    size_t dlen = 0;
    const char *dq = J("{'field_name':'sv'}");
    CHECK_OK(pt_collection_describe_index(old, dq, strlen(dq), &desc, &dlen, &e), &e);
    CHECK(desc && strstr(desc, "BLOCK_MAX"));
    pt_free(desc);
    const char *again = J("{'field_name':'sv','index_name':'x','index_type':'SPARSE_INVERTED_INDEX','metric_type':'IP','params':{'inverted_index_algo':'BLOCK_MAX'}}");
    CHECK_OK(pt_collection_drop_index(old, dq, strlen(dq), &e), &e);
    CHECK_ERR(pt_collection_create_index(old, again, strlen(again), &e), &e, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
              "sparse inverted index algo BLOCK_MAX not found or not supported");
  }
  memcpy(b, bytes, len);
  CHECK(forge_text(b, len, "\"DAAT_WAND\"", "12345678901") != SIZE_MAX);
  expect_corrupt(st, b, len, "index 0 is refused", "a number for inverted_index_algo", 0);
  pt_store_close(st);
  free(b);
  pt_free(bytes);
}

TEST_MAIN(T(allocation_failures_swept), T(round_trip_every_type), T(round_trip_partition_key_varchar_keys),
          T(clocks_names_and_rules), T(truncation_is_detected), T(bit_flips_are_detected), T(magic_version_and_flags),
          T(section_order_is_protected), T(forged_payloads_are_refused_or_loaded_whole), T(forged_json_is_refused),
          T(older_sparse_algo_names_load))
