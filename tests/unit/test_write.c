/*
 * test_write.c — insert and upsert: semantics, every DataType through every input form, and
 * every data error with its atomicity.
 *
 * Covers:
 *   - insert keeps duplicate keys; upsert = delete in the TARGET partition + insert; one key
 *     upserted into two partitions is two entities; a second upsert replaces only that
 *     partition's row; upsert over insert duplicates; counts (insert = delete = upsert = N),
 *     keys in batch order (INT64 and VARCHAR), hybrid timestamps.
 *   - upsert in place: a key's only row with the same variable-width sizes is overwritten where
 *     it is (nulls, defaults, $meta; no memory kept, no dead row), other rows are appended in
 *     batch order; last-wins batches, another partition, VARCHAR keys, the rows a forwarding
 *     write reports; a staged block whose rows are partly overwritten in place.
 *   - duplicate keys inside one upsert batch: rejected, or last-wins with
 *     PT_WRITE_DUPLICATES_LAST_WINS; insert never dedupes.
 *   - auto_id: insert generates consecutive keys (INT64 and VARCHAR), a supplied key is refused;
 *     upsert needs the key, deletes it and stores the row under a new key; column and DataFrame
 *     forms with auto_id.
 *   - nullable and default_value: missing or null -> NULL or the default (default wins), in row,
 *     column (zero-length column) and typed forms; valid bitmaps in query output.
 *   - dynamic field: extra keys into $meta when enabled, refused when not; typed $meta errors.
 *   - every DataType (BOOL, INT8..INT64, FLOAT, DOUBLE, VARCHAR, JSON, ARRAY of each element
 *     type, FLOAT/FLOAT16/BFLOAT16/BINARY/INT8 vectors, SPARSE) written through JSON rows, JSON
 *     columns, and typed PT_FORM_ROWS / PT_FORM_COLUMNS / PT_FORM_DATAFRAME with several input
 *     kinds, all giving the same stored values, checked exactly.
 *   - the JSON entry point keeps values exact: INT64 keys and values beyond 2^53 written as
 *     numbers, ARRAY<INT64> / ARRAY<DOUBLE> elements, JSON documents and dynamic values as
 *     written (spacing, escapes, strings holding brackets), a UTF-8 BOM; trailing text after the
 *     batch or after a typed JSON value is refused.
 *   - every data error (JSON and typed): wrong types, int ranges, NaN/Inf, dims, varchar length
 *     in characters vs UTF-8 bytes, invalid UTF-8, invalid / too long / too deep JSON, array
 *     capacity and elements, sparse vectors, missing fields, nulls, cell states, column-form
 *     count and alignment, DataFrame names and order, batch size, partitions, misuse — each
 *     with one bad row in a batch of 100, and the store exactly as before afterwards.
 *   - partition-key collections: rows routed by key, partition name refused, upsert deletes
 *     across partitions.
 */
#include "harness.h"
#include "store.h" /* a partition's unindexed rows */

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

/* ============================================================================================
 * Helpers
 * ========================================================================================== */

static pt_collection *coll(pt_store *st, const char *name, const char *sq) {
  return test_collection(st, name, J(sq));
}

static pt_store *store_no_vector(void) {
  pt_store_options o = {NULL, NULL, PT_STORE_ALLOW_NO_VECTOR};
  pt_store *s = NULL;
  if (pt_store_open(&o, &s) != PT_OK) exit(2);
  return s;
}

/* A JSON write from single-quoted text that must succeed; the result is dropped. */
static void put(pt_collection *c, const char *partition, pt_op op, const char *sq) {
  pt_mutation_result r = test_write(c, partition, op, J(sq));
  pt_mutation_result_clear(&r);
}

static pt_status write_json(pt_collection *c, const char *partition, pt_op op, const char *json,
                            pt_write_flags flags, pt_mutation_result *res, pt_error *err) {
  return pt_collection_write_json(c, partition, partition ? strlen(partition) : 0, op, json,
                                  strlen(json), flags, res, err);
}

static pt_rows *q(pt_collection *c, const char *sq) { return test_query(c, J(sq)); }

static uint64_t count_of(pt_collection *c, const char *partition) {
  return pt_collection_num_entities(c, partition, partition ? strlen(partition) : 0);
}

/* Number of rows a filter query finds. */
static size_t found(pt_collection *c, const char *expr, const char *partition) {
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "{\"expr\":\"%s\"", expr);
  if (partition) test_buf_printf(&b, ",\"partition_names\":[\"%s\"]", partition);
  test_buf_printf(&b, "}");
  pt_rows *rows = test_query(c, b.p);
  size_t n = pt_rows_count(rows);
  pt_rows_free(rows);
  test_buf_free(&b);
  return n;
}

static const pt_column_out *col_named(const pt_rows *rows, const char *name) {
  int i = test_col(rows, name);
  if (i < 0) {
    fprintf(stderr, "  FAIL no output column %s\n", name);
    pt_test_failures++;
    return NULL;
  }
  return pt_rows_column(rows, (size_t)i);
}

/* Text of a variable-length column at a row ("" when the column is missing). */
static const char *text_at(const pt_rows *rows, const char *name, size_t row) {
  int i = test_col(rows, name);
  if (i < 0) {
    fprintf(stderr, "  FAIL no output column %s\n", name);
    pt_test_failures++;
    return "";
  }
  return test_text(rows, (size_t)i, row);
}

/* Copies the fixed-width value of a column at a row. */
static void fixed_at(const pt_rows *rows, const char *name, size_t row, void *out, size_t size) {
  memset(out, 0, size);
  const pt_column_out *c = col_named(rows, name);
  if (!c) return;
  size_t w = (size_t)c->width * c->elem_size;
  if (w != size) {
    fprintf(stderr, "  FAIL column %s has %zu bytes per row, not %zu\n", name, w, size);
    pt_test_failures++;
    return;
  }
  memcpy(out, (const char *)c->values + row * w, size);
}

static int64_t i64_at(const pt_rows *rows, const char *name, size_t row) {
  int64_t v;
  fixed_at(rows, name, row, &v, 8);
  return v;
}

/* Writes a JSON batch that must fail as described, and checks that nothing changed. */
static void json_fails(int line, pt_collection *c, const char *partition, pt_op op, const char *json,
                       pt_write_flags flags, pt_status st, int32_t code, int32_t exc, const char *needle,
                       int64_t row) {
  char *before = test_snapshot(c);
  pt_mutation_result res;
  pt_error err;
  pt_status rc = write_json(c, partition, op, json, flags, &res, &err);
  test_expect_err(__FILE__, line, rc, &err, st, code, exc, needle);
  if (row != -2 && err.row != row) {
    fprintf(stderr, "  FAIL %s:%d: error row %lld, expected %lld\n", __FILE__, line, (long long)err.row, (long long)row);
    pt_test_failures++;
  }
  if (res.n_keys || res.int_keys || res.str_data || res.insert_count) {
    fprintf(stderr, "  FAIL %s:%d: a failed write left a result\n", __FILE__, line);
    pt_test_failures++;
  }
  char *after = test_snapshot(c);
  if (strcmp(before, after) != 0) {
    fprintf(stderr, "  FAIL %s:%d: a failed write changed the store\n", __FILE__, line);
    pt_test_failures++;
  }
  pt_mutation_result_clear(&res);
  free(before);
  free(after);
}
#define JSON_FAILS(c, part, op, json, st, code, exc, needle, row)                          \
  json_fails(__LINE__, c, part, op, json, 0, st, code, exc, needle, row)

/* As json_fails, for a typed batch. */
static void batch_fails(int line, pt_collection *c, const char *partition, pt_op op, const pt_batch_in *b,
                        pt_status st, int32_t code, int32_t exc, const char *needle, int64_t row) {
  char *before = test_snapshot(c);
  pt_mutation_result res;
  pt_error err;
  pt_status rc = pt_collection_write(c, partition, partition ? strlen(partition) : 0, op, b, 0, &res, &err);
  test_expect_err(__FILE__, line, rc, &err, st, code, exc, needle);
  if (row != -2 && err.row != row) {
    fprintf(stderr, "  FAIL %s:%d: error row %lld, expected %lld\n", __FILE__, line, (long long)err.row, (long long)row);
    pt_test_failures++;
  }
  char *after = test_snapshot(c);
  if (strcmp(before, after) != 0) {
    fprintf(stderr, "  FAIL %s:%d: a failed write changed the store\n", __FILE__, line);
    pt_test_failures++;
  }
  pt_mutation_result_clear(&res);
  free(before);
  free(after);
}
#define BATCH_FAILS(c, part, op, b, st, code, exc, needle, row)                            \
  batch_fails(__LINE__, c, part, op, b, st, code, exc, needle, row)

/* ---- typed input columns ---- */

static pt_column_in cin(int32_t field, int32_t kind, size_t n, uint32_t width, const void *values) {
  pt_column_in c;
  memset(&c, 0, sizeof c);
  c.field = field;
  c.kind = kind;
  c.n_rows = n;
  c.width = width;
  c.values = values;
  return c;
}

/* TEXT / JSON values: one buffer with offsets, owned by a `texts`. */
typedef struct texts {
  test_buf buf;
  uint32_t *offs;
} texts;

static pt_column_in cin_text(texts *t, int32_t field, int32_t kind, const char *const *vals, size_t n) {
  t->buf.len = 0;
  free(t->offs);
  t->offs = malloc((n + 1) * sizeof *t->offs);
  t->offs[0] = 0;
  test_buf_put(&t->buf, "", 0);
  for (size_t i = 0; i < n; i++) {
    if (vals[i]) test_buf_put(&t->buf, vals[i], strlen(vals[i]));
    t->offs[i + 1] = (uint32_t)t->buf.len;
  }
  pt_column_in c = cin(field, kind, n, 1, t->buf.p);
  c.offsets = t->offs;
  return c;
}

static void texts_free(texts *t) {
  test_buf_free(&t->buf);
  free(t->offs);
  t->offs = NULL;
}

/* The i-th VARCHAR key of a result, NUL-terminated in `buf`. */
static const char *str_key(const pt_mutation_result *r, size_t i, char *buf, size_t size) {
  buf[0] = '\0';
  if (!r->str_offsets || i >= r->n_keys) return buf;
  snprintf(buf, size, "%.*s", (int)(r->str_offsets[i + 1] - r->str_offsets[i]), r->str_data + r->str_offsets[i]);
  return buf;
}

static pt_column_in named(pt_column_in c, const char *name) {
  c.name = name;
  c.name_len = strlen(name);
  c.field = PT_FIELD_BY_POSITION;
  return c;
}

/* Appends single-quoted JSON to a buffer as double-quoted JSON. */
static void put_sq(test_buf *b, const char *sq) {
  for (const char *p = sq; *p; p++) test_buf_put(b, *p == '\'' ? "\"" : p, 1);
}

/* ============================================================================================
 * Insert and upsert semantics
 * ========================================================================================== */

#define SIMPLE "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}," \
               "{'name':'tag','dtype':21,'max_length':16,'nullable':true}]}"

/* Rows [from, from + n) with keys key0 + (i % period): an INSERT batch as JSON. */
static char *many_rows(int from, int n, int key0, int period) {
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "[");
  for (int i = 0; i < n; i++)
    test_buf_printf(&b, "%s{\"id\":%d,\"v\":[%d,1],\"tag\":\"r%d\"}", i ? "," : "", key0 + i % period, from + i, from + i);
  test_buf_printf(&b, "]");
  return b.p;
}

/* Batches large enough to enter the key index at once (in order of home slots, pkindex.h)
 * chain their keys as rows entered one by one do: keys already there, and keys repeated in the
 * batch, newest first; deletes and upserts then find every copy. */
TEST(large_inserts_chain_duplicate_keys) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "c", SIMPLE);
  char *b1 = many_rows(0, 40000, 0, 40000), *b2 = many_rows(40000, 20000, 30000, 15000);
  pt_mutation_result r;
  pt_error err;
  CHECK_OK(write_json(c, NULL, PT_OP_INSERT, b1, 0, &r, &err), &err);
  pt_mutation_result_clear(&r);
  CHECK_OK(write_json(c, NULL, PT_OP_INSERT, b2, 0, &r, &err), &err);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(c, NULL), 60000);
  CHECK_EQ_INT(found(c, "id == 31000", NULL), 3); /* batch 1, then twice in batch 2 */
  CHECK_EQ_INT(found(c, "id == 36000", NULL), 2);
  CHECK_EQ_INT(found(c, "id == 44000", NULL), 1);
  CHECK_EQ_INT(found(c, "id == 50000", NULL), 0);
  pt_rows *rows = q(c, "{'expr':'id == 31000','output_fields':['tag']}");
  CHECK(pt_rows_count(rows) == 3 && strcmp(text_at(rows, "tag", 0), "r31000") == 0 &&
        strcmp(text_at(rows, "tag", 1), "r41000") == 0 && strcmp(text_at(rows, "tag", 2), "r56000") == 0);
  pt_rows_free(rows);
  CHECK_OK(pt_collection_delete(c, NULL, 0, "id in [31000, 44000]", strlen("id in [31000, 44000]"), &r, &err), &err);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(found(c, "id == 31000", NULL), 0);
  CHECK_EQ_INT(count_of(c, NULL), 60000 - 4);
  put(c, NULL, PT_OP_UPSERT, "{'id':36000,'v':[0,0],'tag':'u'}");
  CHECK_EQ_INT(found(c, "id == 36000", NULL), 1);
  CHECK_EQ_INT(count_of(c, NULL), 60000 - 4 - 2 + 1);
  free(b1);
  free(b2);
  pt_store_close(st);
}

/* Inserted rows wait out of the key index (the partition's unindexed rows); whatever reads the
 * index first enters them, all in one pass: a query by key, a delete by key or by another
 * field, an upsert, a compaction. Each finds every copy of a key, newest first. */
/* Inserts many_rows(from, n, key0, period), which must succeed. */
static void insert_rows(pt_collection *c, int from, int n, int key0, int period) {
  char *b = many_rows(from, n, key0, period);
  pt_mutation_result r;
  pt_error err;
  CHECK_OK(write_json(c, NULL, PT_OP_INSERT, b, 0, &r, &err), &err);
  pt_mutation_result_clear(&r);
  free(b);
}

TEST(small_inserts_into_a_large_index_wait_and_are_found) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "c", SIMPLE);
  pt_mutation_result r;
  pt_error err;
  /* 40,000 keys: a table of 65,536 slots */
  insert_rows(c, 0, 40000, 0, 40000);
  CHECK(c->parts[0]->unindexed == 40000);
  CHECK_EQ_INT(found(c, "id == 39999", NULL), 1); /* the first read enters them */
  CHECK(c->parts[0]->unindexed == 0);
  /* five batches, each repeating 500 keys of the first batch twice */
  for (int k = 0; k < 5; k++) insert_rows(c, 40000 + 1000 * k, 1000, 10000 + 500 * k, 500);
  CHECK_EQ_INT(count_of(c, NULL), 45000);
  CHECK(c->parts[0]->unindexed == 5000); /* the five batches wait */
  pt_rows *rows = q(c, "{'expr':'id == 10001','output_fields':['tag']}");
  CHECK(pt_rows_count(rows) == 3 && strcmp(text_at(rows, "tag", 0), "r10001") == 0 &&
        strcmp(text_at(rows, "tag", 1), "r40001") == 0 && strcmp(text_at(rows, "tag", 2), "r40501") == 0);
  pt_rows_free(rows);
  CHECK(c->parts[0]->unindexed == 0);
  /* waiting again: a delete by key, then by another field, an upsert, a compaction */
  insert_rows(c, 45000, 1000, 20000, 500);
  CHECK(c->parts[0]->unindexed == 1000);
  CHECK_OK(pt_collection_delete(c, NULL, 0, "id in [20002]", strlen("id in [20002]"), &r, &err), &err);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(found(c, "id == 20002", NULL), 0);
  CHECK_EQ_INT(count_of(c, NULL), 46000 - 3);
  insert_rows(c, 46000, 1000, 21000, 500);
  CHECK_OK(pt_collection_delete(c, NULL, 0, "tag == \"r46003\"", strlen("tag == \"r46003\""), &r, &err), &err);
  CHECK_EQ_INT(r.delete_count, 1);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(found(c, "id == 21003", NULL), 2);
  insert_rows(c, 47000, 1000, 22000, 500);
  put(c, NULL, PT_OP_UPSERT, "{'id':22004,'v':[0,0],'tag':'u'}");
  CHECK_EQ_INT(found(c, "id == 22004", NULL), 1);
  insert_rows(c, 48000, 1000, 23000, 500);
  CHECK(c->parts[0]->unindexed == 1000);
  /* an upsert whose batch repeats a key claims without looking up first */
  const char *twice = "[{\"id\":23006,\"v\":[0,0],\"tag\":\"a\"},{\"id\":23006,\"v\":[1,1],\"tag\":\"b\"}]";
  CHECK_OK(write_json(c, NULL, PT_OP_UPSERT, twice, PT_WRITE_DUPLICATES_LAST_WINS, &r, &err), &err);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(found(c, "id == 23006", NULL), 1);
  insert_rows(c, 49000, 1000, 24000, 500);
  CHECK(c->parts[0]->unindexed == 1000);
  CHECK_OK(pt_collection_compact(c, NULL, 0, NULL, &err), &err);
  CHECK(c->parts[0]->unindexed == 0);
  CHECK_EQ_INT(found(c, "id == 24005", NULL), 3);
  CHECK_EQ_INT(found(c, "id == 23006", NULL), 1);
  CHECK_EQ_INT(found(c, "id == 22004", NULL), 1);
  CHECK_EQ_INT(count_of(c, NULL), 50000 - 3 - 1 - 3 + 1 - 3 + 1);
  pt_store_close(st);
}

/* append_target clears a run of tombstone bits at once: the same bits as one at a time, every
 * start and length around byte edges, over set and mixed patterns, nothing outside the run. */
TEST(bits_clear_range_matches_one_by_one) {
  for (unsigned pattern = 0; pattern < 3; pattern++)
    for (uint32_t from = 0; from < 40; from++)
      for (uint32_t n = 0; from + n <= 96; n++) {
        uint8_t a[12], b[12];
        for (int i = 0; i < 12; i++) a[i] = b[i] = pattern == 0 ? 0xff : pattern == 1 ? 0xa5 : (uint8_t)(i * 37 + 11);
        pt_bits_clear_range(a, from, n);
        for (uint32_t j = 0; j < n; j++) pt_bit_clear(b, from + j);
        CHECK(memcmp(a, b, sizeof a) == 0);
      }
}

TEST(insert_keeps_duplicate_keys) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "c", SIMPLE);
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT,
                                    J("[{'id':1,'v':[1,1],'tag':'a'},{'id':2,'v':[2,2]},{'id':1,'v':[3,3],'tag':'b'}]"));
  CHECK_EQ_INT(r.insert_count, 3);
  CHECK_EQ_INT(r.delete_count, 0);
  CHECK_EQ_INT(r.upsert_count, 0);
  CHECK_EQ_INT(r.n_keys, 3);
  CHECK_EQ_INT(r.key_type, PT_INT64);
  CHECK(r.int_keys && r.int_keys[0] == 1 && r.int_keys[1] == 2 && r.int_keys[2] == 1);
  CHECK(r.timestamp == 1700000000000ull << 18);
  uint64_t ts = r.timestamp;
  pt_mutation_result_clear(&r);
  CHECK(r.int_keys == NULL && r.n_keys == 0);
  r = test_write(c, NULL, PT_OP_INSERT, J("{'id':1,'v':[4,4],'tag':'c'}"));
  CHECK(r.timestamp == ts + 1); /* a fixed clock: the logical counter moves on */
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(c, NULL), 4);
  /* every copy of key 1 is found, in storage order */
  pt_rows *rows = q(c, "{'expr':'id == 1','output_fields':['tag']}");
  CHECK_EQ_INT(pt_rows_count(rows), 3);
  CHECK_STR(text_at(rows, "tag", 0), "a");
  CHECK_STR(text_at(rows, "tag", 1), "b");
  CHECK_STR(text_at(rows, "tag", 2), "c");
  pt_rows_free(rows);
  pt_mutation_result_clear(NULL);
  pt_store_close(st);
}

TEST(upsert_is_scoped_to_the_target_partition) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "c", SIMPLE);
  pt_error e;
  CHECK_OK(pt_partition_create(c, "A", 1, &e), &e);
  CHECK_OK(pt_partition_create(c, "B", 1, &e), &e);
  put(c, "B", PT_OP_INSERT, "{'id':1,'v':[0,0],'tag':'b0'}");
  /* the same key upserted into A: B keeps its row, so there are two entities */
  pt_mutation_result r = test_write(c, "A", PT_OP_UPSERT, J("{'id':1,'v':[1,1],'tag':'a1'}"));
  CHECK_EQ_INT(r.upsert_count, 1);
  CHECK_EQ_INT(r.insert_count, 1);
  CHECK_EQ_INT(r.delete_count, 1);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(c, NULL), 2);
  CHECK_EQ_INT(count_of(c, "A"), 1);
  CHECK_EQ_INT(count_of(c, "B"), 1);
  pt_rows *rows = q(c, "{'output_fields':['count(*)']}");
  CHECK_EQ_INT(test_i64(rows, 0, 0), 2);
  pt_rows_free(rows);
  /* a second upsert into A replaces A's row only */
  put(c, "A", PT_OP_UPSERT, "{'id':1,'v':[2,2],'tag':'a2'}");
  CHECK_EQ_INT(count_of(c, "A"), 1);
  CHECK_EQ_INT(count_of(c, "B"), 1);
  rows = q(c, "{'expr':'id in [1]','output_fields':['tag']}");
  CHECK_EQ_INT(pt_rows_count(rows), 2);
  CHECK_STR(text_at(rows, "tag", 0), "a2"); /* partition order: A was created before B */
  CHECK_STR(text_at(rows, "tag", 1), "b0");
  pt_rows_free(rows);
  /* upsert into the default partition (NULL and "" both mean _default) */
  put(c, NULL, PT_OP_UPSERT, "{'id':1,'v':[3,3],'tag':'d'}");
  r = test_write(c, "", PT_OP_UPSERT, J("{'id':1,'v':[3,3],'tag':'d2'}"));
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(c, "_default"), 1);
  CHECK_EQ_INT(count_of(c, NULL), 3);
  /* upsert over duplicates left by insert: all of them go */
  put(c, "B", PT_OP_INSERT, "[{'id':1,'v':[0,0],'tag':'b1'},{'id':1,'v':[0,0],'tag':'b2'}]");
  CHECK_EQ_INT(count_of(c, "B"), 3);
  put(c, "B", PT_OP_UPSERT, "{'id':1,'v':[9,9],'tag':'b3'}");
  CHECK_EQ_INT(count_of(c, "B"), 1);
  CHECK_EQ_INT(found(c, "id == 1", "B"), 1);
  CHECK_EQ_INT(found(c, "id == 1", NULL), 3);
  pt_store_close(st);
}

TEST(upsert_counts_and_keys) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "c", SIMPLE);
  put(c, NULL, PT_OP_INSERT, "[{'id':1,'v':[0,0]},{'id':2,'v':[0,0]}]");
  /* five rows, two of them existing: every count is five, as Milvus reports */
  pt_mutation_result r = test_write(c, NULL, PT_OP_UPSERT,
      J("[{'id':5,'v':[0,0]},{'id':1,'v':[1,1]},{'id':3,'v':[0,0]},{'id':2,'v':[2,2]},{'id':4,'v':[0,0]}]"));
  CHECK_EQ_INT(r.insert_count, 5);
  CHECK_EQ_INT(r.delete_count, 5);
  CHECK_EQ_INT(r.upsert_count, 5);
  CHECK_EQ_INT(r.n_keys, 5);
  int64_t want[] = {5, 1, 3, 2, 4};
  for (int i = 0; i < 5; i++) CHECK_EQ_INT(r.int_keys[i], want[i]);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(c, NULL), 5);
  /* keys 1 and 2 were overwritten where they were; the new keys follow in batch order */
  pt_rows *rows = q(c, "{'expr':'','limit':100}");
  int64_t order[] = {1, 2, 5, 3, 4};
  CHECK_EQ_INT(pt_rows_count(rows), 5);
  for (size_t i = 0; i < 5 && i < pt_rows_count(rows); i++) CHECK_EQ_INT(test_i64(rows, 0, i), order[i]);
  pt_rows_free(rows);

  /* VARCHAR keys come back as offsets into str_data */
  pt_collection *s = coll(st, "s", "{'fields':[{'name':'pk','dtype':21,'max_length':8,'is_primary':true},"
                                 "{'name':'v','dtype':101,'dim':2}]}");
  r = test_write(s, NULL, PT_OP_UPSERT, J("[{'pk':'b','v':[0,0]},{'pk':'','v':[0,0]},{'pk':'\\u00e9t\\u00e9','v':[0,0]}]"));
  CHECK_EQ_INT(r.key_type, PT_VARCHAR);
  CHECK_EQ_INT(r.n_keys, 3);
  CHECK(r.int_keys == NULL);
  CHECK(r.str_offsets && r.str_offsets[0] == 0 && r.str_offsets[1] == 1 && r.str_offsets[2] == 1 && r.str_offsets[3] == 6);
  CHECK(r.str_data && memcmp(r.str_data, "b\xc3\xa9t\xc3\xa9", 6) == 0);
  pt_mutation_result_clear(&r);
  put(s, NULL, PT_OP_UPSERT, "[{'pk':'b','v':[1,1]}]");
  CHECK_EQ_INT(count_of(s, NULL), 3);
  pt_store_close(st);
}

/* Keys given as int64, int32 and doubles (what JS hands over) read the same: the result's keys
 * and the stored rows, through an insert and an upsert (pt_batch_keys's loop per kind). */
TEST(keys_of_every_numeric_kind) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "k", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}");
  enum { M = 5 };
  const int64_t want[3][M] = {{-9007199254740991LL, -1, 0, 7, 9007199254740991LL},
                              {-2147483647LL - 1, -3, 1, 40000, 2147483647LL},
                              {-4503599627370496LL, -2, 3, 123456789012LL, 4503599627370496LL}};
  int64_t i64[M];
  int32_t i32[M];
  double dbl[M];
  float vec[M * 2] = {0};
  for (int k = 0; k < M; k++) {
    i64[k] = want[0][k];
    i32[k] = (int32_t)want[1][k];
    dbl[k] = (double)want[2][k];
  }
  const void *vals[3] = {i64, i32, dbl};
  const int32_t kinds[3] = {PT_IN_INT64, PT_IN_INT32, PT_IN_DOUBLE};
  for (int kind = 0; kind < 3; kind++) {
    for (int op = 0; op < 2; op++) {
      pt_column_in cols[2] = {cin(PT_FIELD_BY_POSITION, kinds[kind], M, 1, vals[kind]),
                              cin(PT_FIELD_BY_POSITION, PT_IN_FLOAT32, M, 2, vec)};
      pt_batch_in in = {PT_FORM_COLUMNS, M, 2, cols};
      pt_mutation_result r;
      pt_error e;
      CHECK_OK(pt_collection_write(c, NULL, 0, op ? PT_OP_UPSERT : PT_OP_INSERT, &in, 0, &r, &e), &e);
      CHECK_EQ_INT(r.n_keys, M);
      for (int k = 0; k < M && r.int_keys; k++) CHECK_EQ_INT(r.int_keys[k], want[kind][k]);
      pt_mutation_result_clear(&r);
    }
    /* the insert stored each key once, the upsert replaced it: one live row per key */
    for (int k = 0; k < M; k++) {
      char expr[96];
      snprintf(expr, sizeof expr, "id == %lld", (long long)want[kind][k]);
      CHECK_EQ_INT(found(c, expr, NULL), 1);
    }
  }
  CHECK_EQ_INT(count_of(c, NULL), 3 * M);
  pt_store_close(st);
}

/* Query output of every row of a collection, in storage order, as text. */
static char *dump_all(pt_collection *c) {
  pt_rows *rows = q(c, "{'expr':'id >= 0','output_fields':['*']}");
  char *d = rows ? test_dump_rows(rows) : NULL;
  pt_rows_free(rows);
  return d;
}

#define UPSERT_SCHEMA "{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"     \
                      "{'name':'v','dtype':101,'dim':2},{'name':'s','dtype':21,'max_length':8,'nullable':true}," \
                      "{'name':'t','dtype':21,'max_length':8,'default_value':'dd'},"                              \
                      "{'name':'n','dtype':4,'nullable':true}]}"

TEST(upsert_in_place) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "c", UPSERT_SCHEMA);
  put(c, NULL, PT_OP_INSERT,
      "[{'id':1,'v':[1,1],'s':'ab','t':'t1','n':1,'x':1},{'id':2,'v':[2,2],'s':'ab','n':2},"
      "{'id':3,'v':[3,3],'s':'ab','t':'t3','n':3},{'id':4,'v':[4,4],'s':null,'t':'t4','n':4},"
      "{'id':5,'v':[5,5],'s':'ab','t':'t5','n':5,'x':5},{'id':6,'v':[6,6],'s':'ab','t':'t6','n':6},"
      "{'id':6,'v':[6,7],'s':'ab','t':'t6','n':6}]");
  /* 1, 2 and 4 store the same number of bytes in every variable-width column (s, t, $meta) as
   * before: they are overwritten where they are, nulls and defaults included. 3 (s longer), 5
   * ($meta gone), 6 (two rows, left by insert) and 7 (new) are appended in batch order. */
  pt_mutation_result r = test_write(c, NULL, PT_OP_UPSERT,
      J("[{'id':3,'v':[9,3],'s':'abc','t':'u3','n':3},{'id':1,'v':[9,1],'s':'cd','t':'u1','n':null,'x':7},"
        "{'id':2,'v':[9,2],'s':'cd','t':'zz'},{'id':5,'v':[9,5],'s':'ab','t':'t5','n':5},"
        "{'id':4,'v':[9,4],'s':null,'n':40},{'id':6,'v':[9,6],'s':'ab','t':'t6','n':6},{'id':7,'v':[9,7]}]"));
  CHECK_EQ_INT(r.upsert_count, 7);
  int64_t keys[] = {3, 1, 2, 5, 4, 6, 7};
  for (int i = 0; i < 7; i++) CHECK_EQ_INT(r.int_keys[i], keys[i]);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(c, NULL), 7);
  /* the same rows inserted in the expected storage order give the same output, byte for byte */
  pt_collection *want = coll(st, "want", UPSERT_SCHEMA);
  put(want, NULL, PT_OP_INSERT,
      "[{'id':1,'v':[9,1],'s':'cd','t':'u1','n':null,'x':7},{'id':2,'v':[9,2],'s':'cd','t':'zz'},"
      "{'id':4,'v':[9,4],'s':null,'n':40},{'id':3,'v':[9,3],'s':'abc','t':'u3','n':3},"
      "{'id':5,'v':[9,5],'s':'ab','t':'t5','n':5},{'id':6,'v':[9,6],'s':'ab','t':'t6','n':6},{'id':7,'v':[9,7]}]");
  char *got = dump_all(c), *exp = dump_all(want);
  CHECK(got && exp);
  if (got && exp) CHECK_STR(got, exp);
  free(got);
  free(exp);
  /* only the appended keys left dead rows: 3, 5 and both rows of 6 */
  uint64_t removed = 0;
  pt_error e;
  CHECK_OK(pt_collection_compact(c, NULL, 0, &removed, &e), &e);
  CHECK_EQ_INT(removed, 4);
  got = dump_all(c);
  exp = dump_all(want);
  if (got && exp) CHECK_STR(got, exp);
  free(got);
  free(exp);

  /* a batch that overwrites every row in place keeps no memory and no dead row */
  size_t before = pt_memory_used();
  put(c, NULL, PT_OP_UPSERT, "[{'id':7,'v':[0,7]},{'id':1,'v':[0,1],'s':'ef','t':'v1','n':11,'x':8}]");
  CHECK_EQ_INT(pt_memory_used(), before);
  CHECK_OK(pt_collection_compact(c, NULL, 0, &removed, &e), &e);
  CHECK_EQ_INT(removed, 0);
  pt_rows *rows = q(c, "{'expr':'id in [1, 7]','output_fields':['v','s','t','n','x']}");
  CHECK_EQ_INT(pt_rows_count(rows), 2);
  if (rows && pt_rows_count(rows) == 2) {
    CHECK_EQ_INT(i64_at(rows, "id", 0), 1); /* still first */
    CHECK_STR(text_at(rows, "s", 0), "ef");
    CHECK_STR(text_at(rows, "t", 0), "v1");
    CHECK_EQ_INT(i64_at(rows, "id", 1), 7);
    float v[2];
    fixed_at(rows, "v", 1, v, sizeof v);
    CHECK(v[0] == 0 && v[1] == 7);
  }
  pt_rows_free(rows);

  /* the rows a forwarding write reports are the rows as overwritten */
  r = (pt_mutation_result){0};
  CHECK_OK(write_json(c, NULL, PT_OP_UPSERT, J("[{'id':2,'v':[5,5],'s':'gh','t':'w2','n':22}]"),
                      PT_WRITE_ROWS_JSON, &r, &e), &e);
  CHECK(r.rows_json && strstr(r.rows_json, "\"s\":\"gh\"") && strstr(r.rows_json, "\"n\":22"));
  pt_mutation_result_clear(&r);

  /* duplicate keys let through (last wins): appended, as the keys are not known to be unique */
  CHECK_OK(write_json(c, NULL, PT_OP_UPSERT, J("[{'id':2,'v':[1,0]},{'id':2,'v':[2,0],'s':'ij'}]"),
                      PT_WRITE_DUPLICATES_LAST_WINS, &r, &e), &e);
  pt_mutation_result_clear(&r);
  rows = q(c, "{'expr':'id >= 0','limit':100}");
  CHECK_EQ_INT(pt_rows_count(rows), 7);
  if (rows && pt_rows_count(rows) == 7) CHECK_EQ_INT(test_i64(rows, 0, 6), 2);
  pt_rows_free(rows);
  CHECK_EQ_INT(found(c, "id == 2 and s == 'ij'", NULL), 1);

  /* another partition: the key is new there, so appended there; _default's row is untouched */
  CHECK_OK(pt_partition_create(c, "P", 1, &e), &e);
  put(c, "P", PT_OP_UPSERT, "{'id':1,'v':[3,3],'s':'ef'}");
  CHECK_EQ_INT(found(c, "id == 1", NULL), 2);
  CHECK_EQ_INT(found(c, "id == 1 and t == 'v1'", "_default"), 1);

  /* VARCHAR keys: the key's bytes are the same by definition */
  pt_collection *sk = coll(st, "sk", "{'fields':[{'name':'pk','dtype':21,'max_length':8,'is_primary':true},"
                                     "{'name':'v','dtype':101,'dim':2}]}");
  put(sk, NULL, PT_OP_INSERT, "[{'pk':'a','v':[0,0]},{'pk':'bb','v':[0,0]},{'pk':'c','v':[0,0]}]");
  put(sk, NULL, PT_OP_UPSERT, "[{'pk':'bb','v':[1,1]},{'pk':'d','v':[2,2]}]");
  rows = q(sk, "{'expr':'','output_fields':['v'],'limit':10}");
  CHECK_EQ_INT(pt_rows_count(rows), 4);
  const char *order[] = {"a", "bb", "c", "d"};
  for (size_t i = 0; i < 4 && rows && i < pt_rows_count(rows); i++) CHECK_STR(text_at(rows, "pk", i), order[i]);
  if (rows && pt_rows_count(rows) == 4) {
    float v[2];
    fixed_at(rows, "v", 1, v, sizeof v);
    CHECK(v[0] == 1 && v[1] == 1);
  }
  pt_rows_free(rows);
  pt_store_close(st);
}

TEST(duplicate_keys_in_one_upsert_batch) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "c", SIMPLE);
  put(c, NULL, PT_OP_INSERT, "[{'id':1,'v':[0,0],'tag':'old'}]");
  const char *dup = J("[{'id':1,'v':[1,1],'tag':'first'},{'id':2,'v':[0,0]},{'id':1,'v':[2,2],'tag':'last'}]");
  JSON_FAILS(c, NULL, PT_OP_UPSERT, dup, PT_CONSTRAINT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "duplicate primary keys are not allowed in the same batch: invalid parameter", 2);
  /* insert takes the same batch and keeps every row */
  put(c, "", PT_OP_INSERT, "[{'id':7,'v':[1,1]},{'id':7,'v':[2,2]}]");
  CHECK_EQ_INT(found(c, "id == 7", NULL), 2);
  /* last-wins mode: one row per key, the last one */
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(write_json(c, NULL, PT_OP_UPSERT, dup, PT_WRITE_DUPLICATES_LAST_WINS, &r, &e), &e);
  CHECK_EQ_INT(r.upsert_count, 3);
  pt_mutation_result_clear(&r);
  pt_rows *rows = q(c, "{'expr':'id in [1, 2]','output_fields':['tag']}");
  CHECK_EQ_INT(pt_rows_count(rows), 2);
  CHECK_EQ_INT(test_i64(rows, 0, 0), 2);
  CHECK_EQ_INT(test_i64(rows, 0, 1), 1);
  CHECK_STR(text_at(rows, "tag", 1), "last");
  pt_rows_free(rows);
  CHECK_EQ_INT(count_of(c, NULL), 4);
  /* VARCHAR keys too; equal keys only (a prefix is another key) */
  pt_collection *s = coll(st, "s", "{'fields':[{'name':'pk','dtype':21,'max_length':8,'is_primary':true},"
                                 "{'name':'v','dtype':101,'dim':2}]}");
  JSON_FAILS(s, NULL, PT_OP_UPSERT, J("[{'pk':'ab','v':[0,0]},{'pk':'a','v':[0,0]},{'pk':'ab','v':[0,0]}]"),
             PT_CONSTRAINT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "duplicate primary keys are not allowed in the same batch", 2);
  put(s, NULL, PT_OP_UPSERT, "[{'pk':'ab','v':[0,0]},{'pk':'a','v':[0,0]},{'pk':'abc','v':[0,0]}]");
  CHECK_EQ_INT(count_of(s, NULL), 3);
  pt_store_close(st);
}

TEST(auto_id_keys) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "c", "{'auto_id':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                   "{'name':'v','dtype':101,'dim':2},{'name':'t','dtype':21,'max_length':4}]}");
  /* insert generates consecutive keys from the clock */
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[{'v':[0,0],'t':'a'},{'v':[1,1],'t':'b'},{'v':[2,2],'t':'c'}]"));
  CHECK_EQ_INT(r.n_keys, 3);
  int64_t first = (int64_t)(1700000000000ull << 18);
  for (int i = 0; i < 3 && r.int_keys; i++) CHECK_EQ_INT(r.int_keys[i], first + i);
  pt_mutation_result_clear(&r);
  /* column form: the key column is left out, and the keys continue */
  r = test_write(c, NULL, PT_OP_INSERT, J("[[[5,5],[6,6]],['x','y']]"));
  CHECK_EQ_INT(r.n_keys, 2);
  CHECK(r.int_keys && r.int_keys[0] == first + 3 && r.int_keys[1] == first + 4);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(c, NULL), 5);
  /* a supplied key is refused, in any form */
  JSON_FAILS(c, NULL, PT_OP_INSERT, J("[{'v':[0,0],'t':'a'},{'id':5,'v':[0,0],'t':'a'}]"), PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "can not assign primary field data when auto id enabled id: invalid parameter", 1);
  JSON_FAILS(c, NULL, PT_OP_INSERT, J("[[1],[[0,0]],['a']]"), PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "The data doesn't match with schema fields, expect 2 list, got 3", -1);
  /* a null key is as good as none on insert */
  put(c, NULL, PT_OP_INSERT, "[{'id':null,'v':[0,0],'t':'n'}]");
  CHECK_EQ_INT(count_of(c, NULL), 6);
  /* upsert needs the key... */
  JSON_FAILS(c, NULL, PT_OP_UPSERT, J("[{'v':[0,0],'t':'a'}]"), PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "must assign pk when upsert, primary field: id: invalid parameter", 0);
  JSON_FAILS(c, NULL, PT_OP_UPSERT, J("[[[0,0]],['a']]"), PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "The data doesn't match with schema fields, expect 3 list, got 2", -1);
  /* ...deletes it, and stores the row under a new one */
  char sq[200];
  snprintf(sq, sizeof sq, "[{'id':'%lld','v':[9,9],'t':'new'}]", (long long)(first + 1));
  r = test_write(c, NULL, PT_OP_UPSERT, J(sq));
  CHECK_EQ_INT(r.upsert_count, 1);
  CHECK_EQ_INT(r.delete_count, 1);
  CHECK_EQ_INT(r.n_keys, 1);
  int64_t fresh = r.int_keys ? r.int_keys[0] : 0;
  CHECK(fresh > first + 5);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(c, NULL), 6);
  snprintf(sq, sizeof sq, "id == %lld", (long long)(first + 1));
  CHECK_EQ_INT(found(c, sq, NULL), 0);
  snprintf(sq, sizeof sq, "{'expr':'id == %lld','output_fields':['t']}", (long long)fresh);
  pt_rows *rows = q(c, sq);
  CHECK_EQ_INT(pt_rows_count(rows), 1);
  CHECK_STR(text_at(rows, "t", 0), "new");
  pt_rows_free(rows);
  /* an unknown key is simply inserted under a new one; the column form carries the key */
  r = test_write(c, NULL, PT_OP_UPSERT, J("[[42],[[1,1]],['z']]"));
  CHECK(r.n_keys == 1 && r.int_keys && r.int_keys[0] > fresh);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(c, NULL), 7);
  CHECK_EQ_INT(found(c, "id == 42", NULL), 0);

  /* VARCHAR auto_id keys are the decimal text of generated ids */
  pt_collection *s = coll(st, "s", "{'fields':[{'name':'pk','dtype':21,'max_length':32,'is_primary':true,'auto_id':true},"
                                   "{'name':'v','dtype':101,'dim':2}]}");
  r = test_write(s, NULL, PT_OP_INSERT, J("[{'v':[0,0]},{'v':[1,1]}]"));
  CHECK_EQ_INT(r.key_type, PT_VARCHAR);
  CHECK_EQ_INT(r.n_keys, 2);
  if (r.str_data && r.n_keys == 2) {
    char k0[32], k1[32], k2[32];
    str_key(&r, 0, k0, sizeof k0);
    str_key(&r, 1, k1, sizeof k1);
    long long a = atoll(k0), b = atoll(k1);
    CHECK(a > fresh);
    CHECK_EQ_INT(b, a + 1);
    char expr[64];
    snprintf(expr, sizeof expr, "{'expr':'pk == \\'%s\\''}", k1);
    rows = q(s, expr);
    CHECK_EQ_INT(pt_rows_count(rows), 1);
    pt_rows_free(rows);
    /* upsert regenerates it too */
    snprintf(expr, sizeof expr, "{'pk':'%s','v':[2,2]}", k0);
    pt_mutation_result r2 = test_write(s, NULL, PT_OP_UPSERT, J(expr));
    CHECK(r2.n_keys == 1 && atoll(str_key(&r2, 0, k2, sizeof k2)) > b);
    pt_mutation_result_clear(&r2);
    CHECK_EQ_INT(count_of(s, NULL), 2);
    snprintf(expr, sizeof expr, "pk == '%s'", k0);
    CHECK_EQ_INT(found(s, expr, NULL), 0);
  }
  pt_mutation_result_clear(&r);
  pt_store_close(st);
}

TEST(allow_insert_auto_id) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "c", "{'auto_id':true,'properties':{'allow_insert_auto_id':'true'},"
                                   "'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}");
  /* keys given: kept as given, nothing drawn from the allocator */
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[{'id':7,'v':[0,0]},{'id':9,'v':[1,1]}]"));
  CHECK(r.n_keys == 2 && r.int_keys && r.int_keys[0] == 7 && r.int_keys[1] == 9);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(found(c, "id in [7, 9]", NULL), 2);
  /* no keys: generated, as without the property */
  r = test_write(c, NULL, PT_OP_INSERT, J("[{'v':[2,2]}]"));
  int64_t first = (int64_t)(1700000000000ull << 18);
  CHECK(r.n_keys == 1 && r.int_keys && r.int_keys[0] == first);
  pt_mutation_result_clear(&r);
  /* a row that leaves the key out of a batch that gives keys: refused, nothing applied */
  JSON_FAILS(c, NULL, PT_OP_INSERT, J("[{'id':3,'v':[0,0]},{'v':[0,0]}]"), PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "Insert missed an field `id` to collection without set nullable==true or set default_value", 1);
  CHECK_EQ_INT(count_of(c, NULL), 3);
  /* the property off: a given key is refused as before */
  pt_collection *d = coll(st, "d", "{'auto_id':true,'properties':{'allow_insert_auto_id':false},"
                                   "'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}");
  JSON_FAILS(d, NULL, PT_OP_INSERT, J("[{'id':5,'v':[0,0]}]"), PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "can not assign primary field data when auto id enabled id: invalid parameter", 0);
  CHECK_EQ_INT(count_of(d, NULL), 0);
  pt_store_close(st);
}

/* ============================================================================================
 * Nullable fields, default values, the dynamic field
 * ========================================================================================== */

#define DEFAULTS "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}," \
  "{'name':'ni','dtype':4,'nullable':true},{'name':'di','dtype':4,'default_value':5}," \
  "{'name':'nds','dtype':21,'max_length':8,'nullable':true,'default_value':'dflt'}," \
  "{'name':'df','dtype':10,'default_value':1.5},{'name':'dd','dtype':11,'default_value':2}," \
  "{'name':'db','dtype':1,'default_value':true},{'name':'ds','dtype':21,'max_length':4,'default_value':'hi'}," \
  "{'name':'nj','dtype':23,'nullable':true},{'name':'na','dtype':22,'element_type':5,'max_capacity':2,'nullable':true}," \
  "{'name':'d8','dtype':2,'default_value':-7},{'name':'d64','dtype':5,'nullable':true,'default_value':64}]}"

/* Checks the row of key `id`: every defaulted field holds its default, nullable ones are null. */
static void check_defaults_row(pt_collection *c, int id) {
  char sq[200];
  snprintf(sq, sizeof sq, "{'expr':'id == %d','output_fields':['*']}", id);
  pt_rows *rows = q(c, sq);
  CHECK_EQ_INT(pt_rows_count(rows), 1);
  if (pt_rows_count(rows) != 1) { pt_rows_free(rows); return; }
  const pt_column_out *ni = col_named(rows, "ni"), *nds = col_named(rows, "nds"), *di = col_named(rows, "di");
  const pt_column_out *nj = col_named(rows, "nj"), *na = col_named(rows, "na"), *d64 = col_named(rows, "d64");
  CHECK(ni && ni->valid && ni->valid[0] == 0);
  CHECK(nj && nj->valid && nj->valid[0] == 0);
  CHECK(na && na->valid && na->valid[0] == 0);
  CHECK(di && di->valid == NULL); /* not nullable: no validity */
  int32_t i32;
  fixed_at(rows, "di", 0, &i32, 4);
  CHECK_EQ_INT(i32, 5);
  /* the default wins over NULL on a field that is both */
  CHECK(nds && nds->valid && nds->valid[0] == 1);
  CHECK_STR(text_at(rows, "nds", 0), "dflt");
  CHECK(d64 && d64->valid && d64->valid[0] == 1);
  CHECK_EQ_INT(i64_at(rows, "d64", 0), 64);
  float f;
  fixed_at(rows, "df", 0, &f, 4);
  CHECK(f == 1.5f);
  double d;
  fixed_at(rows, "dd", 0, &d, 8);
  CHECK(d == 2.0);
  uint8_t b;
  fixed_at(rows, "db", 0, &b, 1);
  CHECK_EQ_INT(b, 1);
  int8_t i8;
  fixed_at(rows, "d8", 0, &i8, 1);
  CHECK_EQ_INT(i8, -7);
  CHECK_STR(text_at(rows, "ds", 0), "hi");
  pt_rows_free(rows);
}

TEST(nullable_and_default_values) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "c", DEFAULTS);
  /* missing */
  put(c, NULL, PT_OP_INSERT, "{'id':1,'v':[0,0]}");
  check_defaults_row(c, 1);
  /* explicit null */
  put(c, NULL, PT_OP_INSERT, "{'id':2,'v':[0,0],'ni':null,'di':null,'nds':null,'df':null,'dd':null,'db':null,"
                             "'ds':null,'nj':null,'na':null,'d8':null,'d64':null}");
  check_defaults_row(c, 2);
  /* upsert fills the same way */
  put(c, NULL, PT_OP_UPSERT, "[{'id':3,'v':[0,0]},{'id':4,'v':[0,0],'ni':null}]");
  check_defaults_row(c, 3);
  check_defaults_row(c, 4);
  /* column form: a zero-length column is all null */
  put(c, NULL, PT_OP_INSERT, "[[5,6],[[0,0],[1,1]],[],[],[],[],[],[],[],[],[],[],[]]");
  check_defaults_row(c, 5);
  check_defaults_row(c, 6);
  /* column form: nulls inside a column */
  put(c, NULL, PT_OP_INSERT, "[[7,8],[[0,0],[1,1]],[null,3],[null,4],[null,'x'],[null,2.5],[null,3.5],[null,false],"
                             "[null,'yo'],[null,{'a':1}],[null,[1,2]],[null,8],[null,null]]");
  check_defaults_row(c, 7);
  /* values are stored as given */
  pt_rows *rows = q(c, "{'expr':'id == 8','output_fields':['*']}");
  CHECK_EQ_INT(pt_rows_count(rows), 1);
  const pt_column_out *ni = col_named(rows, "ni");
  CHECK(ni && ni->valid && ni->valid[0] == 1);
  int32_t i32;
  fixed_at(rows, "ni", 0, &i32, 4);
  CHECK_EQ_INT(i32, 3);
  fixed_at(rows, "di", 0, &i32, 4);
  CHECK_EQ_INT(i32, 4);
  CHECK_STR(text_at(rows, "nds", 0), "x");
  CHECK_STR(text_at(rows, "ds", 0), "yo");
  CHECK_STR(text_at(rows, "nj", 0), "{\"a\":1}");
  CHECK_STR(text_at(rows, "na", 0), "[1,2]");
  const pt_column_out *d64 = col_named(rows, "d64");
  CHECK(d64 && d64->valid && d64->valid[0] == 1);
  CHECK_EQ_INT(i64_at(rows, "d64", 0), 64); /* null on a nullable default field: the default */
  pt_rows_free(rows);
  CHECK_EQ_INT(count_of(c, NULL), 8);
  /* a field that is neither nullable nor defaulted must be present and not null */
  JSON_FAILS(c, NULL, PT_OP_INSERT, J("[{'id':9,'v':[0,0]},{'id':10}]"), PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "Insert missed an field `v` to collection without set nullable==true or set default_value", 1);
  JSON_FAILS(c, NULL, PT_OP_UPSERT, J("[{'id':9,'v':null}]"), PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
             "field (v) expects a non-None input", 0);
  JSON_FAILS(c, NULL, PT_OP_INSERT, J("[[9],[],[],[],[],[],[],[],[],[],[],[],[]]"), PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
             "field (v) expects a non-None input", 0);

  /* typed: cells NULL / MISSING fill the same way; PT_IN_ABSENT columns are all missing */
  int64_t ids[2] = {20, 21};
  float vec[4] = {0, 0, 1, 1};
  int32_t vals[2] = {0, 9};
  uint8_t cells[2] = {PT_CELL_NULL, PT_CELL_VALUE};
  uint8_t missing[2] = {PT_CELL_MISSING, PT_CELL_VALUE};
  pt_column_in cols[5] = {cin(0, PT_IN_INT64, 2, 1, ids), cin(1, PT_IN_FLOAT32, 2, 2, vec),
                          cin(2, PT_IN_INT32, 2, 1, vals), cin(3, PT_IN_INT32, 2, 1, vals), cin(4, PT_IN_ABSENT, 2, 1, NULL)};
  cols[2].cells = cells;
  cols[3].cells = missing;
  pt_batch_in b = {PT_FORM_ROWS, 2, 5, cols};
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e);
  pt_mutation_result_clear(&r);
  check_defaults_row(c, 20);
  rows = q(c, "{'expr':'id == 21','output_fields':['ni','di']}");
  fixed_at(rows, "ni", 0, &i32, 4);
  CHECK_EQ_INT(i32, 9);
  fixed_at(rows, "di", 0, &i32, 4);
  CHECK_EQ_INT(i32, 9);
  pt_rows_free(rows);
  pt_store_close(st);
}

TEST(dynamic_field) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "dyn", "{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                     "{'name':'v','dtype':101,'dim':2}]}");
  put(c, NULL, PT_OP_INSERT, "[{'id':1,'v':[0,0],'color':'red','n':[1,{'x':null}]},{'id':2,'v':[0,0]},"
                             "{'id':3,'v':[0,0],'size':3}]");
  pt_rows *rows = q(c, "{'expr':'','limit':10,'output_fields':['*']}");
  const pt_column_out *m = col_named(rows, "$meta");
  CHECK(m && m->is_dynamic == 1 && m->dtype == PT_JSON);
  CHECK_STR(text_at(rows, "$meta", 0), "{\"color\":\"red\",\"n\":[1,{\"x\":null}]}");
  CHECK_STR(text_at(rows, "$meta", 1), "{}");
  CHECK_STR(text_at(rows, "$meta", 2), "{\"size\":3}");
  pt_rows_free(rows);
  /* a row that says "$meta" itself is refused */
  JSON_FAILS(c, NULL, PT_OP_INSERT, J("[{'id':4,'v':[0,0]},{'id':5,'v':[0,0],'$meta':{'a':1}}]"), PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "cannot set json key to: $meta: invalid parameter", 1);
  /* typed $meta columns: objects only, no static names, JSON only */
  int64_t ids[2] = {10, 11};
  float vec[4] = {0};
  texts t = {{NULL, 0, 0}, NULL};
  const char *bad_meta[][2] = {
      {"{\"a\":1}", "[1]"}, {"{\"a\":1}", "{\"v\":1}"}, {"{\"a\":1}", "{\"$meta\":1}"}, {"{\"a\":1}", "{\"a\":"}};
  const char *msgs[] = {"The dynamic field of a row must be a dict",
                        "dynamic field name cannot include the static field name: v: invalid parameter",
                        "cannot set json key to: $meta: invalid parameter", "Invalid JSON string: "};
  pt_status sts[] = {PT_TYPE_MISMATCH, PT_SCHEMA, PT_SCHEMA, PT_PARSE};
  int32_t codes[] = {PT_CODE_CLIENT, PT_CODE_PARAMETER_INVALID, PT_CODE_PARAMETER_INVALID, PT_CODE_CLIENT};
  int32_t excs[] = {PT_EXC_DATA_NOT_MATCH, PT_EXC_MILVUS, PT_EXC_MILVUS, PT_EXC_DATA_NOT_MATCH};
  for (int k = 0; k < 4; k++) {
    pt_column_in cols[3] = {cin(0, PT_IN_INT64, 2, 1, ids), cin(1, PT_IN_FLOAT32, 2, 2, vec),
                            cin_text(&t, PT_FIELD_DYNAMIC, PT_IN_JSON, bad_meta[k], 2)};
    pt_batch_in b = {PT_FORM_ROWS, 2, 3, cols};
    BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, sts[k], codes[k], excs[k], msgs[k], 1);
  }
  {
    const char *ok_meta[2] = {"{\"a\":1}", NULL};
    pt_column_in cols[3] = {cin(0, PT_IN_INT64, 2, 1, ids), cin(1, PT_IN_FLOAT32, 2, 2, vec),
                            cin_text(&t, PT_FIELD_DYNAMIC, PT_IN_TEXT, ok_meta, 2)};
    pt_batch_in b = {PT_FORM_ROWS, 2, 3, cols};
    BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "the dynamic column must be JSON", -1);
    /* a NULL / MISSING cell is an empty dynamic part */
    cols[2].kind = PT_IN_JSON;
    uint8_t cells[2] = {PT_CELL_VALUE, PT_CELL_NULL};
    cols[2].cells = cells;
    pt_mutation_result r;
    pt_error e;
    CHECK_OK(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e);
    pt_mutation_result_clear(&r);
    rows = q(c, "{'expr':'id in [10, 11]','output_fields':['$meta']}");
    CHECK_STR(text_at(rows, "$meta", 0), "{\"a\":1}");
    CHECK_STR(text_at(rows, "$meta", 1), "{}");
    pt_rows_free(rows);
  }
  texts_free(&t);

  /* without the dynamic field, unknown keys are refused, naming the first */
  pt_collection *s = coll(st, "static", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}");
  JSON_FAILS(s, NULL, PT_OP_INSERT, J("[{'id':1,'v':[0,0]},{'id':2,'v':[0,0],'zz':1,'yy':2}]"), PT_SCHEMA, PT_CODE_CLIENT,
             PT_EXC_DATA_NOT_MATCH, "Attempt to insert an unexpected field `zz` to collection without enabling dynamic field", 1);
  JSON_FAILS(s, NULL, PT_OP_UPSERT, J("{'id':2,'v':[0,0],'$meta':{}}"), PT_SCHEMA, PT_CODE_CLIENT,
             PT_EXC_DATA_NOT_MATCH, "Attempt to insert an unexpected field `$meta` to collection without enabling dynamic field", 0);
  CHECK_EQ_INT(count_of(s, NULL), 0);
  pt_store_close(st);
}

/* ============================================================================================
 * Every DataType, every input form
 * ========================================================================================== */

#define TYPES_A "{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true}," \
  "{'name':'b','dtype':1},{'name':'i8','dtype':2},{'name':'i16','dtype':3},{'name':'i32','dtype':4}," \
  "{'name':'i64','dtype':5},{'name':'f','dtype':10},{'name':'d','dtype':11},{'name':'s','dtype':21,'max_length':8}," \
  "{'name':'j','dtype':23},{'name':'ab','dtype':22,'element_type':1,'max_capacity':4}," \
  "{'name':'ai8','dtype':22,'element_type':2,'max_capacity':4},{'name':'ai16','dtype':22,'element_type':3,'max_capacity':4}," \
  "{'name':'ai32','dtype':22,'element_type':4,'max_capacity':4},{'name':'ai64','dtype':22,'element_type':5,'max_capacity':4}," \
  "{'name':'af','dtype':22,'element_type':10,'max_capacity':4},{'name':'ad','dtype':22,'element_type':11,'max_capacity':4}," \
  "{'name':'as','dtype':22,'element_type':21,'max_length':4,'max_capacity':4}," \
  "{'name':'fv','dtype':101,'dim':4},{'name':'hv','dtype':102,'dim':4},{'name':'bv','dtype':103,'dim':4}," \
  "{'name':'bin','dtype':100,'dim':16}]}"

/* The two rows, as JSON rows. */
#define TYPES_A_ROWS "[{'id':1,'b':true,'i8':-128,'i16':-32768,'i32':-2147483648,'i64':'-9223372036854775808'," \
  "'f':1.5,'d':0.1,'s':'h\\u00e9llo','j':{'a':[1,2],'b':'x'},'ab':[true,false],'ai8':[-128,127],'ai16':[-32768,32767]," \
  "'ai32':[-2147483648,2147483647],'ai64':[-9007199254740992,9007199254740992],'af':[1.5,-0.1],'ad':[0.1,1e300]," \
  "'as':['ab','c\\'d'],'fv':[1,-2.5,0.1,3],'hv':[1.5,-2,0.5,65504],'bv':[1.5,-2,0.5,3],'bin':[1,255]," \
  "'color':'red'}," \
  "{'id':2,'b':false,'i8':127,'i16':32767,'i32':2147483647,'i64':'9223372036854775807','f':-0.1,'d':-1e300,'s':''," \
  "'j':[1,'two',null],'ab':[],'ai8':[0],'ai16':[1],'ai32':[2],'ai64':[3],'af':[0],'ad':[-2.5],'as':['']," \
  "'fv':[0,0,0,0],'hv':[0,0,0,0],'bv':[0,0,0,0],'bin':[0,128]}]"

/* The same rows as JSON columns in schema order (no dynamic keys: columns cannot carry them). */
#define TYPES_A_COLUMNS "[[1,2],[true,false],[-128,127],[-32768,32767],[-2147483648,2147483647]," \
  "['-9223372036854775808','9223372036854775807'],[1.5,-0.1],[0.1,-1e300],['h\\u00e9llo','']," \
  "[{'a':[1,2],'b':'x'},[1,'two',null]],[[true,false],[]],[[-128,127],[0]],[[-32768,32767],[1]]," \
  "[[-2147483648,2147483647],[2]],[[-9007199254740992,9007199254740992],[3]],[[1.5,-0.1],[0]],[[0.1,1e300],[-2.5]]," \
  "[['ab','c\\'d'],['']],[[1,-2.5,0.1,3],[0,0,0,0]],[[1.5,-2,0.5,65504],[0,0,0,0]],[[1.5,-2,0.5,3],[0,0,0,0]]," \
  "[[1,255],[0,128]]]"

static void check_types_a(const pt_rows *rows, bool with_meta) {
  CHECK_EQ_INT(pt_rows_count(rows), 2);
  CHECK_EQ_INT(pt_rows_num_columns(rows), with_meta ? 23 : 22);
  if (pt_rows_count(rows) != 2) return;
  CHECK_STR(pt_rows_column(rows, 0)->name, "id");
  CHECK_EQ_INT(test_i64(rows, 0, 0), 1);
  CHECK_EQ_INT(test_i64(rows, 0, 1), 2);
  uint8_t u8;
  fixed_at(rows, "b", 0, &u8, 1); CHECK_EQ_INT(u8, 1);
  fixed_at(rows, "b", 1, &u8, 1); CHECK_EQ_INT(u8, 0);
  int8_t i8;
  fixed_at(rows, "i8", 0, &i8, 1); CHECK_EQ_INT(i8, -128);
  fixed_at(rows, "i8", 1, &i8, 1); CHECK_EQ_INT(i8, 127);
  int16_t i16;
  fixed_at(rows, "i16", 0, &i16, 2); CHECK_EQ_INT(i16, -32768);
  fixed_at(rows, "i16", 1, &i16, 2); CHECK_EQ_INT(i16, 32767);
  int32_t i32;
  fixed_at(rows, "i32", 0, &i32, 4); CHECK_EQ_INT(i32, INT32_MIN);
  fixed_at(rows, "i32", 1, &i32, 4); CHECK_EQ_INT(i32, INT32_MAX);
  CHECK(i64_at(rows, "i64", 0) == INT64_MIN);
  CHECK(i64_at(rows, "i64", 1) == INT64_MAX);
  float f;
  fixed_at(rows, "f", 0, &f, 4); CHECK(f == 1.5f);
  fixed_at(rows, "f", 1, &f, 4); CHECK(f == -0.1f);
  double d;
  fixed_at(rows, "d", 0, &d, 8); CHECK(d == 0.1);
  fixed_at(rows, "d", 1, &d, 8); CHECK(d == -1e300);
  CHECK_STR(text_at(rows, "s", 0), "h\xc3\xa9llo");
  CHECK_STR(text_at(rows, "s", 1), "");
  CHECK_STR(text_at(rows, "j", 0), "{\"a\":[1,2],\"b\":\"x\"}");
  CHECK_STR(text_at(rows, "j", 1), "[1,\"two\",null]");
  CHECK_STR(text_at(rows, "ab", 0), "[true,false]");
  CHECK_STR(text_at(rows, "ab", 1), "[]");
  CHECK_STR(text_at(rows, "ai8", 0), "[-128,127]");
  CHECK_STR(text_at(rows, "ai16", 0), "[-32768,32767]");
  CHECK_STR(text_at(rows, "ai32", 0), "[-2147483648,2147483647]");
  CHECK_STR(text_at(rows, "ai64", 0), "[-9007199254740992,9007199254740992]");
  CHECK_STR(text_at(rows, "af", 0), "[1.5,-0.1]");
  CHECK_STR(text_at(rows, "ad", 0), "[0.1,1e+300]");
  CHECK_STR(text_at(rows, "as", 0), "[\"ab\",\"c\\\"d\"]");
  CHECK_STR(text_at(rows, "ai8", 1), "[0]");
  CHECK_STR(text_at(rows, "af", 1), "[0]");
  CHECK_STR(text_at(rows, "ad", 1), "[-2.5]");
  CHECK_STR(text_at(rows, "as", 1), "[\"\"]");
  const pt_column_out *fv = col_named(rows, "fv");
  CHECK(fv && fv->dtype == PT_FLOAT_VECTOR && fv->width == 4 && fv->elem_size == 4);
  float fvv[4];
  fixed_at(rows, "fv", 0, fvv, 16);
  CHECK(fvv[0] == 1.0f && fvv[1] == -2.5f && fvv[2] == 0.1f && fvv[3] == 3.0f);
  const pt_column_out *hv = col_named(rows, "hv");
  CHECK(hv && hv->width == 4 && hv->elem_size == 2);
  uint16_t h[4];
  fixed_at(rows, "hv", 0, h, 8);
  CHECK(h[0] == 0x3E00 && h[1] == 0xC000 && h[2] == 0x3800 && h[3] == 0x7BFF);
  fixed_at(rows, "bv", 0, h, 8);
  CHECK(h[0] == 0x3FC0 && h[1] == 0xC000 && h[2] == 0x3F00 && h[3] == 0x4040);
  const pt_column_out *bin = col_named(rows, "bin");
  CHECK(bin && bin->width == 2 && bin->elem_size == 1);
  uint8_t bb[2];
  fixed_at(rows, "bin", 0, bb, 2);
  CHECK(bb[0] == 1 && bb[1] == 255);
  fixed_at(rows, "bin", 1, bb, 2);
  CHECK(bb[0] == 0 && bb[1] == 128);
}

/* Typed columns for the TYPES_A rows, with several input kinds per type. `alt` picks the
 * second set of kinds. Columns are in schema order; `form` decides how they are matched. */
typedef struct types_a_in {
  int64_t id[2], i64[2];
  uint8_t b[2];
  int32_t i8[2];
  double i16[2];
  int64_t i32[2];
  float f[2];
  double d[2];
  float fv[8];
  double fvd[8];
  uint8_t hv[16];
  float bv[8];
  uint8_t bvb[16];
  uint8_t bin[4];
  int64_t bin64[4];
  texts t[10];
  pt_column_in cols[23];
} types_a_in;

static const char *const TA_S[2] = {"h\xc3\xa9llo", ""};
static const char *const TA_J[2] = {"{\"a\":[1,2],\"b\":\"x\"}", "[1,\"two\",null]"};
static const char *const TA_ARR[8][2] = {{"[true,false]", "[]"}, {"[-128,127]", "[0]"}, {"[-32768,32767]", "[1]"},
                                         {"[-2147483648,2147483647]", "[2]"}, {"[-9007199254740992,9007199254740992]", "[3]"},
                                         {"[1.5,-0.1]", "[0]"}, {"[0.1,1e300]", "[-2.5]"}, {"[\"ab\",\"c\\\"d\"]", "[\"\"]"}};
static const char *const TA_META[2] = {"{\"color\":\"red\"}", NULL};

static size_t types_a_columns(types_a_in *in, int form, bool alt) {
  static const char *const names[] = {"id", "b", "i8", "i16", "i32", "i64", "f", "d", "s", "j", "ab", "ai8",
                                      "ai16", "ai32", "ai64", "af", "ad", "as", "fv", "hv", "bv", "bin"};
  int64_t id[2] = {1, 2}, i64[2] = {INT64_MIN, INT64_MAX};
  memcpy(in->id, id, sizeof id);
  memcpy(in->i64, i64, sizeof i64);
  in->b[0] = 1; in->b[1] = 0;
  in->i8[0] = -128; in->i8[1] = 127;
  in->i16[0] = -32768; in->i16[1] = 32767;
  in->i32[0] = INT32_MIN; in->i32[1] = INT32_MAX;
  in->f[0] = 1.5f; in->f[1] = -0.1f;
  in->d[0] = 0.1; in->d[1] = -1e300;
  float fv[8] = {1, -2.5f, 0.1f, 3, 0, 0, 0, 0};
  memcpy(in->fv, fv, sizeof fv);
  for (int i = 0; i < 8; i++) in->fvd[i] = fv[i];
  uint16_t halves[8] = {0x3E00, 0xC000, 0x3800, 0x7BFF, 0, 0, 0, 0};
  for (int i = 0; i < 8; i++) { in->hv[2 * i] = (uint8_t)(halves[i] & 0xFF); in->hv[2 * i + 1] = (uint8_t)(halves[i] >> 8); }
  float bv[8] = {1.5f, -2, 0.5f, 3, 0, 0, 0, 0};
  memcpy(in->bv, bv, sizeof bv);
  uint16_t bhalves[8] = {0x3FC0, 0xC000, 0x3F00, 0x4040, 0, 0, 0, 0};
  for (int i = 0; i < 8; i++) { in->bvb[2 * i] = (uint8_t)(bhalves[i] & 0xFF); in->bvb[2 * i + 1] = (uint8_t)(bhalves[i] >> 8); }
  uint8_t bin[4] = {1, 255, 0, 128};
  memcpy(in->bin, bin, sizeof bin);
  for (int i = 0; i < 4; i++) in->bin64[i] = bin[i];

  pt_column_in *c = in->cols;
  size_t k = 0;
  c[k++] = cin(0, PT_IN_INT64, 2, 1, in->id);
  c[k++] = cin(1, PT_IN_BOOL, 2, 1, in->b);
  c[k++] = cin(2, alt ? PT_IN_INT32 : PT_IN_INT64, 2, 1, alt ? (const void *)in->i8 : NULL);
  if (!alt) { /* INT8 from int64 values */
    static int64_t i8_64[2] = {-128, 127};
    c[k - 1].values = i8_64;
  }
  c[k++] = cin(3, PT_IN_DOUBLE, 2, 1, in->i16); /* whole doubles are integers */
  c[k++] = cin(4, PT_IN_INT64, 2, 1, in->i32);
  c[k++] = cin(5, PT_IN_INT64, 2, 1, in->i64);
  c[k++] = cin(6, alt ? PT_IN_FLOAT32 : PT_IN_DOUBLE, 2, 1, NULL);
  if (alt) c[k - 1].values = in->f;
  else {
    static double fd[2];
    fd[0] = 1.5; fd[1] = (double)-0.1f;
    c[k - 1].values = fd;
  }
  c[k++] = cin(7, PT_IN_DOUBLE, 2, 1, in->d);
  c[k++] = cin_text(&in->t[0], 8, PT_IN_TEXT, TA_S, 2);
  c[k++] = cin_text(&in->t[1], 9, PT_IN_JSON, TA_J, 2);
  for (int a = 0; a < 8; a++) c[k++] = cin_text(&in->t[2 + a], 10 + a, PT_IN_JSON, TA_ARR[a], 2);
  c[k++] = alt ? cin(18, PT_IN_DOUBLE, 2, 4, in->fvd) : cin(18, PT_IN_FLOAT32, 2, 4, in->fv);
  c[k++] = alt ? cin(19, PT_IN_BYTES, 2, 8, in->hv) : cin(19, PT_IN_FLOAT32, 2, 4, (float[]){1.5f, -2, 0.5f, 65504, 0, 0, 0, 0});
  if (!alt) { /* the compound literal above does not outlive this function: use static storage */
    static float hvf[8] = {1.5f, -2, 0.5f, 65504, 0, 0, 0, 0};
    c[k - 1].values = hvf;
  }
  c[k++] = alt ? cin(20, PT_IN_BYTES, 2, 8, in->bvb) : cin(20, PT_IN_FLOAT32, 2, 4, in->bv);
  c[k++] = alt ? cin(21, PT_IN_INT64, 2, 2, in->bin64) : cin(21, PT_IN_BYTES, 2, 2, in->bin);
  if (form == PT_FORM_ROWS) {
    static texts meta;
    c[k++] = cin_text(&meta, PT_FIELD_DYNAMIC, PT_IN_JSON, TA_META, 2);
    static uint8_t meta_cells[2] = {PT_CELL_VALUE, PT_CELL_MISSING};
    c[k - 1].cells = meta_cells;
  } else {
    for (size_t i = 0; i < k; i++) {
      if (form == PT_FORM_DATAFRAME) c[i] = named(c[i], names[i]);
      else c[i].field = PT_FIELD_BY_POSITION;
    }
  }
  return k;
}

static void types_a_free(types_a_in *in) {
  for (int i = 0; i < 10; i++) texts_free(&in->t[i]);
}

TEST(every_type_round_trips) {
  pt_store *st = test_store();
  const char *all = J("{'expr':'','limit':10,'output_fields':['*']}");
  char *dumps[7];
  int nd = 0;
  /* 1. JSON rows */
  pt_collection *c = coll(st, "json_rows", TYPES_A);
  put(c, NULL, PT_OP_INSERT, TYPES_A_ROWS);
  pt_rows *rows = test_query(c, all);
  check_types_a(rows, true);
  CHECK_STR(text_at(rows, "$meta", 0), "{\"color\":\"red\"}");
  CHECK_STR(text_at(rows, "$meta", 1), "{}");
  dumps[nd++] = test_dump_rows(rows);
  pt_rows_free(rows);
  /* 2. JSON columns */
  c = coll(st, "json_cols", TYPES_A);
  put(c, NULL, PT_OP_UPSERT, TYPES_A_COLUMNS);
  rows = test_query(c, all);
  check_types_a(rows, true);
  CHECK_STR(text_at(rows, "$meta", 0), "{}");
  pt_rows_free(rows);
  /* 3-7. typed rows / columns / DataFrame, with both sets of input kinds */
  struct { int form; bool alt; } ways[] = {{PT_FORM_ROWS, false}, {PT_FORM_ROWS, true}, {PT_FORM_COLUMNS, false},
                                           {PT_FORM_COLUMNS, true}, {PT_FORM_DATAFRAME, true}};
  for (size_t w = 0; w < sizeof ways / sizeof ways[0]; w++) {
    char name[32];
    snprintf(name, sizeof name, "typed_%zu", w);
    c = coll(st, name, TYPES_A);
    types_a_in *in = calloc(1, sizeof *in);
    size_t n = types_a_columns(in, ways[w].form, ways[w].alt);
    pt_batch_in b = {ways[w].form, 2, n, in->cols};
    pt_mutation_result r;
    pt_error e;
    CHECK_OK(pt_collection_write(c, NULL, 0, w % 2 ? PT_OP_UPSERT : PT_OP_INSERT, &b, 0, &r, &e), &e);
    CHECK_EQ_INT(r.insert_count, 2);
    pt_mutation_result_clear(&r);
    rows = test_query(c, all);
    check_types_a(rows, true);
    if (ways[w].form == PT_FORM_ROWS) dumps[nd++] = test_dump_rows(rows);
    pt_rows_free(rows);
    types_a_free(in);
    free(in);
  }
  /* the row-form writes stored exactly the same bytes */
  for (int i = 1; i < nd; i++) CHECK_STR(dumps[i], dumps[0]);
  for (int i = 0; i < nd; i++) free(dumps[i]);
  pt_store_close(st);
}

TEST(int8_sparse_and_varchar_keys_round_trip) {
  pt_store *st = test_store();
  const char *schema = "{'fields':[{'name':'pk','dtype':21,'max_length':8,'is_primary':true},"
                       "{'name':'iv','dtype':105,'dim':3},{'name':'sp','dtype':104}]}";
  pt_collection *c = coll(st, "b", schema);
  put(c, NULL, PT_OP_INSERT, "[{'pk':'k\\u00271','iv':[-128,0,127],'sp':{'7':0.5,'2':-1.25}},"
                             "{'pk':'k2','iv':[1,2,3],'sp':{'indices':[4294967294,0],'values':[1,2]}},"
                             "{'pk':'k3','iv':[5,6,7],'sp':[[9,0.1],[3,0.25]]},{'pk':'k4','iv':[0,0,0],'sp':{}}]");
  pt_rows *rows = q(c, "{'expr':'','limit':10,'output_fields':['iv','sp']}");
  CHECK_EQ_INT(pt_rows_count(rows), 4);
  CHECK_STR(text_at(rows, "pk", 0), "k'1");
  const pt_column_out *iv = col_named(rows, "iv");
  CHECK(iv && iv->dtype == PT_INT8_VECTOR && iv->width == 3 && iv->elem_size == 1);
  int8_t v[3];
  fixed_at(rows, "iv", 0, v, 3);
  CHECK(v[0] == -128 && v[1] == 0 && v[2] == 127);
  const pt_column_out *sp = col_named(rows, "sp");
  CHECK(sp && sp->dtype == PT_SPARSE_FLOAT_VECTOR);
  CHECK_STR(text_at(rows, "sp", 0), "{\"2\":-1.25,\"7\":0.5}"); /* sorted by index */
  CHECK_STR(text_at(rows, "sp", 1), "{\"0\":2,\"4294967294\":1}");
  CHECK_STR(text_at(rows, "sp", 2), "{\"3\":0.25,\"9\":0.1}");
  CHECK_STR(text_at(rows, "sp", 3), "{}");
  char *json_dump = test_dump_rows(rows);
  pt_rows_free(rows);
  /* typed, each form */
  const char *keys[4] = {"k'1", "k2", "k3", "k4"};
  const char *sps[4] = {"{\"7\":0.5,\"2\":-1.25}", "{\"indices\":[4294967294,0],\"values\":[1,2]}",
                        "[[9,0.1],[3,0.25]]", "{}"};
  uint8_t ivb[12] = {0x80, 0, 0x7f, 1, 2, 3, 5, 6, 7, 0, 0, 0};
  double ivd[12] = {-128, 0, 127, 1, 2, 3, 5, 6, 7, 0, 0, 0};
  int forms[3] = {PT_FORM_ROWS, PT_FORM_COLUMNS, PT_FORM_DATAFRAME};
  for (int f = 0; f < 3; f++) {
    char name[16];
    snprintf(name, sizeof name, "t%d", f);
    pt_collection *t = coll(st, name, schema);
    texts a = {{NULL, 0, 0}, NULL}, bsp = {{NULL, 0, 0}, NULL};
    pt_column_in cols[3] = {cin_text(&a, 0, PT_IN_TEXT, keys, 4),
                            f == 1 ? cin(1, PT_IN_DOUBLE, 4, 3, ivd) : cin(1, PT_IN_BYTES, 4, 3, ivb),
                            cin_text(&bsp, 2, PT_IN_JSON, sps, 4)};
    const char *names[3] = {"pk", "iv", "sp"};
    for (int i = 0; i < 3; i++) {
      if (forms[f] == PT_FORM_DATAFRAME) cols[i] = named(cols[i], names[i]);
      else if (forms[f] == PT_FORM_COLUMNS) cols[i].field = PT_FIELD_BY_POSITION;
    }
    pt_batch_in b = {forms[f], 4, 3, cols};
    pt_mutation_result r;
    pt_error e;
    CHECK_OK(pt_collection_write(t, NULL, 0, PT_OP_UPSERT, &b, 0, &r, &e), &e);
    pt_mutation_result_clear(&r);
    rows = q(t, "{'expr':'','limit':10,'output_fields':['iv','sp']}");
    char *d = test_dump_rows(rows);
    CHECK_STR(d, json_dump);
    free(d);
    pt_rows_free(rows);
    texts_free(&a);
    texts_free(&bsp);
  }
  free(json_dump);
  pt_store_close(st);
}

TEST(json_numbers_are_exact) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "c", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2},"
                                   "{'name':'n','dtype':5},{'name':'ad','dtype':22,'element_type':11,'max_capacity':4},"
                                   "{'name':'ai','dtype':22,'element_type':5,'max_capacity':4},{'name':'j','dtype':23}]}");
  /* INT64 keys and values beyond 2^53, written as JSON numbers, are taken exactly */
  put(c, NULL, PT_OP_INSERT, "[{'id':445644800000000000,'v':[0,0],'n':9007199254740993,'ad':[0.30000000000000004],"
                             "'ai':[9007199254740993,-9223372036854775808],'j':{'big':12345678901234567891,'x':0.30000000000000004}},"
                             "{'id':445644800000000001,'v':[0,0],'n':-9223372036854775808,'ad':[1e-320],'ai':[9223372036854775807],"
                             "'j':[1.5e300]}]");
  CHECK_EQ_INT(found(c, "id == 445644800000000001", NULL), 1);
  put(c, NULL, PT_OP_UPSERT, "{'id':445644800000000001,'v':[1,1],'n':1,'ad':[],'ai':[],'j':{}}");
  CHECK_EQ_INT(count_of(c, NULL), 2);
  CHECK_EQ_INT(found(c, "id == 445644800000000000", NULL), 1); /* the neighbour is untouched */
  pt_rows *rows = q(c, "{'expr':'id == 445644800000000000','output_fields':['*']}");
  CHECK(pt_rows_count(rows) == 1 && i64_at(rows, "n", 0) == 9007199254740993LL);
  CHECK_STR(text_at(rows, "ad", 0), "[0.30000000000000004]");
  CHECK_STR(text_at(rows, "ai", 0), "[9007199254740993,-9223372036854775808]");
  CHECK_STR(text_at(rows, "j", 0), "{\"big\":12345678901234567891,\"x\":0.30000000000000004}");
  pt_rows_free(rows);
  rows = q(c, "{'expr':'id in [445644800000000001]','output_fields':['n']}");
  CHECK(pt_rows_count(rows) == 1 && i64_at(rows, "n", 0) == 1);
  pt_rows_free(rows);
  /* beyond int64 it is out of range, as a number or as a string */
  JSON_FAILS(c, NULL, PT_OP_INSERT, J("[{'id':1,'v':[0,0],'n':0,'ad':[],'ai':[],'j':1},"
                                      "{'id':9223372036854775808,'v':[0,0],'n':0,'ad':[],'ai':[],'j':1}]"),
             PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "{id} field should be a int64, but got a {int} instead. Detail: Value out of range: 9223372036854775808", 1);
  JSON_FAILS(c, NULL, PT_OP_INSERT, J("[{'id':1,'v':[0,0],'n':0,'ad':[],'ai':[9223372036854775808],'j':1}]"),
             PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, "element 0", 0);
  /* typed JSON text with trailing garbage is not JSON */
  int64_t ids[1] = {5}, ns[1] = {0};
  float vec[2] = {0, 0};
  texts t1 = {{NULL, 0, 0}, NULL}, t2 = {{NULL, 0, 0}, NULL}, t3 = {{NULL, 0, 0}, NULL};
  const char *ok[1] = {"[]"}, *bad[1] = {"{\"a\":1} x"};
  pt_column_in cols[6] = {cin(0, PT_IN_INT64, 1, 1, ids), cin(1, PT_IN_FLOAT32, 1, 2, vec), cin(2, PT_IN_INT64, 1, 1, ns),
                          cin_text(&t1, 3, PT_IN_JSON, ok, 1), cin_text(&t2, 4, PT_IN_JSON, ok, 1),
                          cin_text(&t3, 5, PT_IN_JSON, bad, 1)};
  pt_batch_in b = {PT_FORM_ROWS, 1, 6, cols};
  BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_PARSE, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, "Invalid JSON string: ", 0);
  texts_free(&t1);
  texts_free(&t2);
  texts_free(&t3);
  /* ...and neither is a batch with trailing garbage */
  JSON_FAILS(c, NULL, PT_OP_INSERT, J("[{'id':7,'v':[0,0],'n':0,'ad':[],'ai':[],'j':1}] []"), PT_PARSE, PT_CODE_CLIENT,
             PT_EXC_DATA_TYPE_NOT_SUPPORT, "The data is not valid JSON", -1);
  pt_store_close(st);
}

TEST(json_values_are_stored_in_canonical_form) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "c", "{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                   "{'name':'v','dtype':101,'dim':2},{'name':'j','dtype':23},{'name':'s','dtype':21,'max_length':16},"
                                   "{'name':'a','dtype':22,'element_type':21,'max_length':8,'max_capacity':4}]}");
  /* white space around the batch; strings holding brackets, quotes and commas; a repeated field
   * key (the first counts); escaped dynamic keys: each JSON value is found in the text and
   * stored in canonical form (no white space, strings as JSON.stringify writes them) */
  const char *batch = " \n [ {\"id\" : 1 , \"v\":[1,2], \"j\" : { \"x\" : \"a]}\\\",b\" , \"n\" : [ 1 , 2 ] } ,"
                      " \"s\":\"]}[{\\\"\", \"s\":\"second\", \"a\":[\"[\",\"}\"], \"k\\\"ey\":\"{[\", \"\\u00e9\":1e2,"
                      " \"z\" : [ { } ] } , {\"id\":2,\"v\":[0,0],\"j\":\"{]\",\"s\":\"\",\"a\":[]} ] \t";
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, batch);
  CHECK_EQ_INT(r.n_keys, 2);
  pt_mutation_result_clear(&r);
  pt_rows *rows = q(c, "{'expr':'id in [1, 2]','output_fields':['*']}");
  CHECK_EQ_INT(pt_rows_count(rows), 2);
  CHECK_STR(text_at(rows, "j", 0), "{\"x\":\"a]}\\\",b\",\"n\":[1,2]}");
  CHECK_STR(text_at(rows, "s", 0), "]}[{\"");
  CHECK_STR(text_at(rows, "a", 0), "[\"[\",\"}\"]");
  CHECK_STR(text_at(rows, "$meta", 0), "{\"k\\\"ey\":\"{[\",\"\xc3\xa9\":1e2,\"z\":[{}]}");
  CHECK_STR(text_at(rows, "j", 1), "\"{]\"");
  CHECK_STR(text_at(rows, "$meta", 1), "{}");
  float v[2];
  fixed_at(rows, "v", 0, v, 8);
  CHECK(v[0] == 1.0f && v[1] == 2.0f);
  pt_rows_free(rows);
  /* dynamic keys are found by their unescaped names */
  rows = test_query(c, "{\"expr\":\"id == 1\",\"output_fields\":[\"\\u00e9\",\"k\\\"ey\"]}");
  CHECK_STR(text_at(rows, "$meta", 0), "{\"k\\\"ey\":\"{[\",\"\xc3\xa9\":1e2}");
  pt_rows_free(rows);
  /* the column form is walked the same way */
  put(c, NULL, PT_OP_INSERT, " [ [ 3 , 4 ] , [ [0,0] , [1,1] ] , [ {\n'a' : '],'} , [ ] ] , [ ',' , ']' ] , [ [ ] , [ ']' ] ] ] ");
  rows = q(c, "{'expr':'id in [3, 4]','output_fields':['j','s','a']}");
  CHECK_STR(text_at(rows, "j", 0), "{\"a\":\"],\"}");
  CHECK_STR(text_at(rows, "j", 1), "[]");
  CHECK_STR(text_at(rows, "s", 1), "]");
  CHECK_STR(text_at(rows, "a", 1), "[\"]\"]");
  pt_rows_free(rows);
  /* one row object; a UTF-8 byte order mark is not JSON (RFC 8259 8.1, Go, JSON.parse) */
  put(c, NULL, PT_OP_INSERT, " {'id':5,'v':[0,0],'j':{'k':[]},'s':'x','a':[],'e':[ 5 ]}");
  rows = q(c, "{'expr':'id == 5','output_fields':['j','$meta']}");
  CHECK_STR(text_at(rows, "j", 0), "{\"k\":[]}");
  CHECK_STR(text_at(rows, "$meta", 0), "{\"e\":[5]}");
  pt_rows_free(rows);
  JSON_FAILS(c, NULL, PT_OP_INSERT, "\xEF\xBB\xBF {\"id\":6,\"v\":[0,0],\"j\":1,\"s\":\"x\",\"a\":[]}", PT_PARSE, PT_CODE_CLIENT,
             PT_EXC_DATA_TYPE_NOT_SUPPORT, "The data is not valid JSON: unexpected byte 0xef at byte 0", -1);
  CHECK_EQ_INT(count_of(c, NULL), 5);
  pt_store_close(st);
}

/* ============================================================================================
 * Data errors: one bad row in a batch of 100, and nothing changes
 * ========================================================================================== */

#define ATOM "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'i8','dtype':2},{'name':'i16','dtype':3}," \
  "{'name':'i32','dtype':4},{'name':'f','dtype':10},{'name':'d','dtype':11},{'name':'b','dtype':1}," \
  "{'name':'s','dtype':21,'max_length':4},{'name':'j','dtype':23},{'name':'arr','dtype':22,'element_type':3,'max_capacity':3}," \
  "{'name':'sarr','dtype':22,'element_type':21,'max_length':3,'max_capacity':2},{'name':'sp','dtype':104}," \
  "{'name':'v','dtype':101,'dim':2},{'name':'bin','dtype':100,'dim':16},{'name':'n','dtype':5,'nullable':true}," \
  "{'name':'dv','dtype':5,'default_value':7}]}"

static const char *const ATOM_ROW[][2] = {
    {"id", NULL}, {"i8", "-3"}, {"i16", "300"}, {"i32", "-70000"}, {"f", "0.5"}, {"d", "0.25"}, {"b", "true"},
    {"s", "'ab'"}, {"j", "{'k':[1,'x']}"}, {"arr", "[1,-2]"}, {"sarr", "['xy']"}, {"sp", "{'3':0.5,'1':-1}"},
    {"v", "[0.1,0.2]"}, {"bin", "[1,255]"}, {"n", "5"}, {"dv", "8"}};

/* A good row of ATOM with key `id`; `key` (a field, an extra key, or "ROW" for the whole row)
 * gets `val` instead (NULL: the key is left out). */
static void atom_row(test_buf *b, int id, const char *key, const char *val) {
  if (key && strcmp(key, "ROW") == 0) {
    put_sq(b, val);
    return;
  }
  bool first = true, replaced = false;
  test_buf_put(b, "{", 1);
  for (size_t i = 0; i < sizeof ATOM_ROW / sizeof ATOM_ROW[0]; i++) {
    char idtext[24];
    const char *v = ATOM_ROW[i][1];
    if (!v) {
      snprintf(idtext, sizeof idtext, "%d", id);
      v = idtext;
    }
    if (key && strcmp(key, ATOM_ROW[i][0]) == 0) {
      replaced = true;
      v = val;
      if (!v) continue;
    }
    test_buf_printf(b, "%s\"%s\":", first ? "" : ",", ATOM_ROW[i][0]);
    put_sq(b, v);
    first = false;
  }
  if (key && !replaced && val) {
    test_buf_printf(b, ",\"%s\":", key);
    put_sq(b, val);
  }
  test_buf_put(b, "}", 1);
}

/* n rows with keys first.., row `bad` (or none: -1) altered as atom_row says; free() it. */
static char *atom_batch(int first, int n, int bad, const char *key, const char *val) {
  test_buf b = {NULL, 0, 0};
  test_buf_put(&b, "[", 1);
  for (int i = 0; i < n; i++) {
    if (i) test_buf_put(&b, ",", 1);
    if (i == bad) atom_row(&b, first + i, key, val);
    else atom_row(&b, first + i, NULL, NULL);
  }
  test_buf_put(&b, "]", 1);
  return b.p;
}

/* A collection of ATOM holding rows 0..49 in _default and 1000..1004 in p2. */
static pt_collection *atom_collection(pt_store *st, const char *name) {
  pt_collection *c = coll(st, name, ATOM);
  pt_error e;
  if (pt_partition_create(c, "p2", 2, &e) != PT_OK) exit(2);
  char *b = atom_batch(0, 50, -1, NULL, NULL);
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, b);
  pt_mutation_result_clear(&r);
  free(b);
  b = atom_batch(1000, 5, -1, NULL, NULL);
  r = test_write(c, "p2", PT_OP_INSERT, b);
  pt_mutation_result_clear(&r);
  free(b);
  return c;
}

enum { INS = 1, UPS = 2, BOTH = 3 };
typedef struct wcase {
  const char *key, *val;
  int ops;
  pt_status st;
  int32_t code, exc;
  const char *msg;
} wcase;

#define DNM PT_EXC_DATA_NOT_MATCH
#define MIL PT_EXC_MILVUS
#define PAR PT_EXC_PARAM
#define CLI PT_CODE_CLIENT
#define INV PT_CODE_PARAMETER_INVALID
#define UNX PT_CODE_UNEXPECTED

static const wcase JSON_CASES[] = {
    /* integers */
    {"i8", "128", BOTH, PT_RANGE, INV, MIL, "the 57th element (128) out of range: [-128, 127]: invalid parameter"},
    {"i8", "-129", BOTH, PT_RANGE, INV, MIL, "the 57th element (-129) out of range: [-128, 127]"},
    {"i16", "32768", BOTH, PT_RANGE, INV, MIL, "the 57th element (32768) out of range: [-32768, 32767]"},
    {"i32", "-2147483649", BOTH, PT_RANGE, INV, MIL, "the 57th element (-2147483649) out of range: [-2147483648, 2147483647]"},
    {"i32", "'2147483648'", BOTH, PT_RANGE, INV, MIL, "the 57th element (2147483648) out of range"},
    {"i8", "1.5", BOTH, PT_TYPE_MISMATCH, CLI, DNM,
     "The Input data type is inconsistent with defined schema, {i8} field should be a int, but got a {float} instead."},
    {"i16", "'x'", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{i16} field should be a int, but got a {str} instead."},
    {"id", "'abc'", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{id} field should be a int64, but got a {str} instead."},
    {"id", "'12x'", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{id} field should be a int64, but got a {str} instead."},
    {"id", "'99999999999999999999'", BOTH, PT_TYPE_MISMATCH, CLI, DNM,
     "{id} field should be a int64, but got a {int} instead. Detail: Value out of range: 99999999999999999999"},
    {"id", "1e19", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{id} field should be a int64, but got a {int} instead. Detail: Value out of range:"},
    {"id", "true", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{id} field should be a int64, but got a {bool} instead."},
    {"id", "[1]", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{id} field should be a int64, but got a {list} instead."},
    {"dv", "{}", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{dv} field should be a int64, but got a {dict} instead."},
    {"n", "'x'", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{n} field should be a int64, but got a {str} instead."},
    /* bool, floats */
    {"b", "1", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{b} field should be a bool, but got a {int} instead."},
    {"b", "'true'", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{b} field should be a bool, but got a {str} instead."},
    {"f", "'x'", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{f} field should be a float, but got a {str} instead."},
    {"d", "[1]", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{d} field should be a double, but got a {list} instead."},
    {"f", "1e39", BOTH, PT_RANGE, UNX, MIL, "value '+Inf' is not a number or infinity"},
    {"f", "-1e39", BOTH, PT_RANGE, UNX, MIL, "value '-Inf' is not a number or infinity"},
    /* vectors */
    {"v", "[0.1,-1e39]", BOTH, PT_RANGE, UNX, MIL, "value '-Inf' is not a number or infinity"},
    {"v", "[0.1]", BOTH, PT_SCHEMA, INV, MIL,
     "the dim (1) of field data(v) is not equal to schema dim (2): invalid parameter[expected=2][actual=1]"},
    {"v", "[0.1,0.2,0.3]", BOTH, PT_SCHEMA, INV, MIL, "the dim (3) of field data(v) is not equal to schema dim (2)"},
    {"v", "[]", BOTH, PT_SCHEMA, INV, MIL, "the dim (0) of field data(v) is not equal to schema dim (2)"},
    {"v", "'x'", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{v} field should be a float_vector, but got a {str} instead."},
    {"v", "{'a':1}", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{v} field should be a float_vector, but got a {dict} instead."},
    {"v", "[0.1,'a']", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{v} field should be a float_vector, but got a {list} instead."},
    {"v", "null", BOTH, PT_SCHEMA, CLI, PAR, "field (v) expects a non-None input"},
    {"bin", "[1,2,3]", BOTH, PT_SCHEMA, INV, MIL, "the dim (24) of field data(bin) is not equal to schema dim (16)"},
    {"bin", "[1,256]", BOTH, PT_TYPE_MISMATCH, CLI, DNM,
     "{bin} field should be a binary_vector, but got a {list} instead. Detail: element 1 is not an integer in [0, 255]"},
    {"bin", "[-1,0]", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "Detail: element 0 is not an integer in [0, 255]"},
    {"bin", "[1,0.5]", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "Detail: element 1 is not an integer in [0, 255]"},
    /* VARCHAR: characters on the client, bytes on the server */
    {"s", "'abcde'", BOTH, PT_LIMIT, CLI, PAR,
     "invalid input of field (s), length of string exceeds max length. length: 5, max length: 4"},
    {"s", "'\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1\xc3\xb1'", BOTH, PT_LIMIT, CLI, PAR, "length of string exceeds max length. length: 5, max length: 4"},
    {"s", "'\xe6\x97\xa5\xe6\x9c\xac'", BOTH, PT_LIMIT, INV, MIL,
     "length of varchar field s exceeds max length, row number: 57, length: 6, max length: 4: invalid parameter"},
    {"s", "'a\xff'", BOTH, PT_TYPE_MISMATCH, INV, MIL, "string of field s is not valid UTF-8, row number: 57: invalid parameter"},
    {"s", "5", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "field (s) expects string input, got: int"},
    {"s", "['a']", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "field (s) expects string input, got: list"},
    {"s", "null", BOTH, PT_SCHEMA, CLI, PAR, "field (s) expects a non-None input"},
    {"s", NULL, BOTH, PT_SCHEMA, CLI, DNM, "Insert missed an field `s` to collection without set nullable==true or set default_value"},
    {"j", NULL, BOTH, PT_SCHEMA, CLI, DNM, "Insert missed an field `j` to collection"},
    /* ARRAY */
    {"arr", "[1,2,3,4]", BOTH, PT_LIMIT, INV, MIL, "the length (4) of 57th array exceeds max capacity (3): invalid parameter"},
    {"arr", "[1,'a']", BOTH, PT_TYPE_MISMATCH, CLI, DNM,
     "{arr} field should be a array, but got a {str} instead. Detail: element 1 of the array is not a valid INT16"},
    {"arr", "[1,1.5]", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "but got a {float} instead. Detail: element 1 of the array is not a valid INT16"},
    {"arr", "[null]", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "but got a {NoneType} instead. Detail: element 0 of the array is not a valid INT16"},
    {"arr", "[40000]", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "but got a {int} instead. Detail: element 0 (40000) out of range: [-32768, 32767]"},
    {"arr", "{'a':1}", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{arr} field should be a array, but got a {dict} instead."},
    {"arr", "5", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "{arr} field should be a array, but got a {int} instead."},
    {"sarr", "['abcd']", BOTH, PT_TYPE_MISMATCH, CLI, DNM,
     "{sarr} field should be a array, but got a {str} instead. Detail: length of string element 0 exceeds max length. length: 4, max length: 3"},
    {"sarr", "[1]", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "Detail: element 0 of the array is not a valid VARCHAR"},
    {"sarr", "['a','b','c']", BOTH, PT_LIMIT, INV, MIL, "the length (3) of 57th array exceeds max capacity (2)"},
    /* SPARSE_FLOAT_VECTOR */
    {"sp", "{'-1':0.5}", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "sparse vector index must be positive and less than 2^32-1: -1"},
    {"sp", "{'4294967295':0.5}", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "sparse vector index must be positive and less than 2^32-1: 4294967295"},
    {"sp", "{'1.5':0.5}", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "sparse vector index must be an integer in decimal digits: '1.5'"},
    {"sp", "{'a':1}", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "sparse vector index must be an integer in decimal digits: 'a'"},
    {"sp", "{'':1}", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "sparse vector index must be an integer"},
    {"sp", "{'1':'x'}", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "sparse vector value must be a number"},
    {"sp", "{'1':-1e39}", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "value '-Inf' is not a number or infinity"},
    {"sp", "{'indices':[1,2],'values':[0.5]}", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "length of indices and values must be the same"},
    {"sp", "{'indices':[1,'x'],'values':[0.5,1]}", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "sparse vector index must be an integer"},
    {"sp", "'x'", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "invalid input for sparse float vector"},
    {"sp", "[[1,0.5,3]]", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "invalid input for sparse float vector"},
    {"sp", "[5]", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "invalid input for sparse float vector"},
    {"sp", "[[1,0.5],[1,0.25]]", BOTH, PT_TYPE_MISMATCH, CLI, PAR, "duplicated index 1 in sparse float vector"},
    {"sp", "null", BOTH, PT_SCHEMA, CLI, PAR, "field (sp) expects a non-None input"},
    /* keys, rows, extra fields */
    {"id", "null", INS, PT_SCHEMA, CLI, PAR, "field (id) expects a non-None input"},
    {"id", "null", UPS, PT_SCHEMA, INV, MIL, "must assign pk when upsert, primary field: id: invalid parameter"},
    {"id", NULL, INS, PT_SCHEMA, CLI, DNM, "Insert missed an field `id` to collection"},
    {"id", NULL, UPS, PT_SCHEMA, INV, MIL, "must assign pk when upsert, primary field: id: invalid parameter"},
    {"id", "33", UPS, PT_CONSTRAINT, INV, MIL, "duplicate primary keys are not allowed in the same batch: invalid parameter"},
    {"id", "'33'", UPS, PT_CONSTRAINT, INV, MIL, "duplicate primary keys are not allowed in the same batch"},
    {"zz", "1", BOTH, PT_SCHEMA, CLI, DNM, "Attempt to insert an unexpected field `zz` to collection without enabling dynamic field"},
    {"ROW", "5", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "The Input data type is inconsistent with defined schema, please check it."},
    {"ROW", "[1]", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "The Input data type is inconsistent with defined schema, please check it."},
    {"ROW", "null", BOTH, PT_TYPE_MISMATCH, CLI, DNM, "The Input data type is inconsistent with defined schema, please check it."},
};

TEST(json_errors_change_nothing) {
  pt_store *st = test_store();
  pt_collection *c = atom_collection(st, "atom");
  CHECK_EQ_INT(count_of(c, NULL), 55);
  for (size_t i = 0; i < sizeof JSON_CASES / sizeof JSON_CASES[0]; i++) {
    const wcase *w = &JSON_CASES[i];
    char *batch = atom_batch(30, 100, 57, w->key, w->val);
    for (int op = INS; op <= UPS; op++) {
      if (!(w->ops & op)) continue;
      int before = pt_test_failures;
      json_fails(__LINE__, c, NULL, op == INS ? PT_OP_INSERT : PT_OP_UPSERT, batch, 0, w->st, w->code, w->exc, w->msg, 57);
      if (pt_test_failures != before)
        fprintf(stderr, "    (case %zu: %s = %s, %s)\n", i, w->key, w->val ? w->val : "<missing>", op == INS ? "insert" : "upsert");
    }
    free(batch);
  }
  /* values that vary in size */
  char *big = malloc(70010);
  memset(big, 'x', 70000);
  big[0] = '\'';
  big[69999] = '\'';
  big[70000] = '\0';
  char *batch = atom_batch(30, 100, 57, "j", big);
  JSON_FAILS(c, NULL, PT_OP_UPSERT, batch, PT_LIMIT, INV, MIL,
             "the length (70000) of json field (j) exceeds max length (65536): invalid parameter", 57);
  free(batch);
  free(big);
  /* batch-level errors */
  batch = atom_batch(30, 100, -1, NULL, NULL);
  JSON_FAILS(c, "nope", PT_OP_INSERT, batch, PT_NOT_FOUND, PT_CODE_PARTITION_NOT_FOUND, MIL, "partition not found[partition=nope]", -1);
  JSON_FAILS(c, "nope", PT_OP_UPSERT, batch, PT_NOT_FOUND, PT_CODE_PARTITION_NOT_FOUND, MIL, "partition not found[partition=nope]", -1);
  batch[strlen(batch) - 1] = ','; /* unterminated */
  JSON_FAILS(c, NULL, PT_OP_INSERT, batch, PT_PARSE, CLI, PT_EXC_DATA_TYPE_NOT_SUPPORT, "The data is not valid JSON: the text ends before the JSON value does at byte", -1);
  free(batch);
  JSON_FAILS(c, NULL, PT_OP_INSERT, "5", PT_TYPE_MISMATCH, CLI, PT_EXC_DATA_TYPE_NOT_SUPPORT,
             "The type of data should be List, pd.DataFrame or Dict", -1);
  JSON_FAILS(c, NULL, PT_OP_INSERT, "\"rows\"", PT_TYPE_MISMATCH, CLI, PT_EXC_DATA_TYPE_NOT_SUPPORT,
             "The type of data should be List, pd.DataFrame or Dict", -1);
  JSON_FAILS(c, NULL, PT_OP_INSERT, "", PT_PARSE, CLI, PT_EXC_DATA_TYPE_NOT_SUPPORT, "The data is not valid JSON", -1);
  /* nesting deeper than the parser allows */
  test_buf deep = {NULL, 0, 0};
  test_buf_printf(&deep, "[{\"id\":1,\"j\":");
  for (int i = 0; i < 1001; i++) test_buf_put(&deep, "[", 1);
  for (int i = 0; i < 1001; i++) test_buf_put(&deep, "]", 1);
  test_buf_printf(&deep, "}]");
  JSON_FAILS(c, NULL, PT_OP_INSERT, deep.p, PT_PARSE, CLI, PT_EXC_DATA_TYPE_NOT_SUPPORT, "nesting deeper than 1000 levels at byte 1011", -1);
  test_buf_free(&deep);
  /* a JSON string in a JSON field is a JSON string value (REST: any JSON value) */
  put(c, "p2", PT_OP_INSERT, "[{'id':2000,'i8':0,'i16':0,'i32':0,'f':0,'d':0,'b':false,'s':'','j':'{bad','arr':[],'sarr':[],"
                             "'sp':{},'v':[0,0],'bin':[0,0]}]");
  pt_rows *rows = q(c, "{'expr':'id == 2000','output_fields':['j','n','dv']}");
  CHECK_STR(text_at(rows, "j", 0), "\"{bad\"");
  const pt_column_out *n = col_named(rows, "n");
  CHECK(n && n->valid && n->valid[0] == 0);
  CHECK_EQ_INT(i64_at(rows, "dv", 0), 7);
  pt_rows_free(rows);
  CHECK_EQ_INT(count_of(c, NULL), 56);
  pt_store_close(st);
}

/* ---- typed batches of ATOM rows ---- */

#define TN 100
typedef struct tbatch {
  int64_t id[TN], i8[TN], i16[TN], i32[TN], n[TN], dv[TN];
  float f[TN], v[TN * 2];
  double d[TN];
  uint8_t b[TN], bin[TN * 2];
  const char *s[TN], *j[TN], *arr[TN], *sarr[TN], *sp[TN];
  uint8_t cells[16][TN];
  bool use_cells[16];
  texts t[5];
  pt_column_in cols[17];
  pt_batch_in batch;
} tbatch;

static tbatch *tb_new(int first) {
  tbatch *t = calloc(1, sizeof *t);
  for (int i = 0; i < TN; i++) {
    t->id[i] = first + i;
    t->i8[i] = -3; t->i16[i] = 300; t->i32[i] = -70000;
    t->f[i] = 0.5f; t->d[i] = 0.25; t->b[i] = 1;
    t->s[i] = "ab"; t->j[i] = "{\"k\":[1,\"x\"]}"; t->arr[i] = "[1,-2]"; t->sarr[i] = "[\"xy\"]";
    t->sp[i] = "{\"3\":0.5,\"1\":-1}";
    t->v[2 * i] = 0.1f; t->v[2 * i + 1] = 0.2f;
    t->bin[2 * i] = 1; t->bin[2 * i + 1] = 255;
    t->n[i] = 5; t->dv[i] = 8;
  }
  return t;
}

/* Builds the columns (rows form, fields by index) from the arrays. */
static pt_batch_in *tb_batch(tbatch *t) {
  pt_column_in *c = t->cols;
  c[0] = cin(0, PT_IN_INT64, TN, 1, t->id);
  c[1] = cin(1, PT_IN_INT64, TN, 1, t->i8);
  c[2] = cin(2, PT_IN_INT64, TN, 1, t->i16);
  c[3] = cin(3, PT_IN_INT64, TN, 1, t->i32);
  c[4] = cin(4, PT_IN_FLOAT32, TN, 1, t->f);
  c[5] = cin(5, PT_IN_DOUBLE, TN, 1, t->d);
  c[6] = cin(6, PT_IN_BOOL, TN, 1, t->b);
  c[7] = cin_text(&t->t[0], 7, PT_IN_TEXT, t->s, TN);
  c[8] = cin_text(&t->t[1], 8, PT_IN_JSON, t->j, TN);
  c[9] = cin_text(&t->t[2], 9, PT_IN_JSON, t->arr, TN);
  c[10] = cin_text(&t->t[3], 10, PT_IN_JSON, t->sarr, TN);
  c[11] = cin_text(&t->t[4], 11, PT_IN_JSON, t->sp, TN);
  c[12] = cin(12, PT_IN_FLOAT32, TN, 2, t->v);
  c[13] = cin(13, PT_IN_BYTES, TN, 2, t->bin);
  c[14] = cin(14, PT_IN_INT64, TN, 1, t->n);
  c[15] = cin(15, PT_IN_INT64, TN, 1, t->dv);
  for (int k = 0; k < 16; k++)
    if (t->use_cells[k]) c[k].cells = t->cells[k];
  t->batch.form = PT_FORM_ROWS;
  t->batch.n_rows = TN;
  t->batch.n_columns = 16;
  t->batch.columns = c;
  return &t->batch;
}

/* Rebuilds the text columns from the arrays, after an edit (their other settings stay). */
static void tb_texts(tbatch *t) {
  const char **vals[5] = {t->s, t->j, t->arr, t->sarr, t->sp};
  for (int m = 0; m < 5; m++) {
    pt_column_in *c = &t->cols[7 + m];
    if (c->offsets != t->t[m].offs) continue; /* replaced by the edit */
    pt_column_in fresh = cin_text(&t->t[m], c->field, c->kind, vals[m], TN);
    c->values = fresh.values;
    c->offsets = fresh.offsets;
  }
}

static void tb_cell(tbatch *t, int field, int row, int state) {
  if (!t->use_cells[field]) memset(t->cells[field], PT_CELL_VALUE, TN);
  t->use_cells[field] = true;
  t->cells[field][row] = (uint8_t)state;
  t->cols[field].cells = t->cells[field];
}

static void tb_free(tbatch *t) {
  for (int i = 0; i < 5; i++) texts_free(&t->t[i]);
  free(t);
}

/* Runs one typed case: `edit` alters a fresh batch; the write must fail as described. */
#define TYPED_CASE(c, op, edit, st, code, exc, msg, row)                                   \
  do {                                                                                     \
    tbatch *t = tb_new(30);                                                                \
    pt_batch_in *b_ = tb_batch(t);                                                         \
    edit;                                                                                  \
    tb_texts(t);                                                                           \
    batch_fails(__LINE__, c, NULL, op, b_, st, code, exc, msg, row);                       \
    tb_free(t);                                                                            \
  } while (0)

TEST(typed_errors_change_nothing) {
  pt_store *st = test_store();
  pt_collection *c = atom_collection(st, "atom");
  /* the unaltered batch is good */
  {
    pt_collection *g = atom_collection(st, "good");
    tbatch *t = tb_new(30);
    pt_mutation_result r;
    pt_error e;
    CHECK_OK(pt_collection_write(g, NULL, 0, PT_OP_UPSERT, tb_batch(t), 0, &r, &e), &e);
    pt_mutation_result_clear(&r);
    CHECK_EQ_INT(count_of(g, NULL), 135);
    tb_free(t);
  }
  const pt_op I = PT_OP_INSERT, U = PT_OP_UPSERT;
  /* values */
  TYPED_CASE(c, I, t->d[57] = NAN, PT_RANGE, UNX, MIL, "value 'NaN' is not a number or infinity", 57);
  TYPED_CASE(c, U, t->d[57] = -INFINITY, PT_RANGE, UNX, MIL, "value '-Inf' is not a number or infinity", 57);
  TYPED_CASE(c, I, t->f[57] = INFINITY, PT_RANGE, UNX, MIL, "value '+Inf' is not a number or infinity", 57);
  TYPED_CASE(c, U, t->f[57] = NAN, PT_RANGE, UNX, MIL, "value 'NaN' is not a number or infinity", 57);
  TYPED_CASE(c, I, t->v[115] = NAN, PT_RANGE, UNX, MIL, "value 'NaN' is not a number or infinity", 57);
  TYPED_CASE(c, U, t->v[114] = -INFINITY, PT_RANGE, UNX, MIL, "value '-Inf' is not a number or infinity", 57);
  TYPED_CASE(c, I, t->b[57] = 2, PT_TYPE_MISMATCH, CLI, DNM, "{b} field should be a bool, but got a {int} instead.", 57);
  TYPED_CASE(c, I, t->i8[57] = 128, PT_RANGE, INV, MIL, "the 57th element (128) out of range: [-128, 127]", 57);
  TYPED_CASE(c, U, t->i16[57] = -32769, PT_RANGE, INV, MIL, "the 57th element (-32769) out of range: [-32768, 32767]", 57);
  TYPED_CASE(c, I, t->i32[57] = 4294967296LL, PT_RANGE, INV, MIL, "the 57th element (4294967296) out of range: [-2147483648, 2147483647]", 57);
  /* UTF-8 and lengths */
  const char *bad_utf8[] = {"\xff", "a\x80", "\xc0\xaf", "\xed\xa0\x80", "\xe6\x97", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80"};
  for (size_t k = 0; k < sizeof bad_utf8 / sizeof bad_utf8[0]; k++)
    TYPED_CASE(c, k % 2 ? U : I, t->s[57] = bad_utf8[k], PT_TYPE_MISMATCH, INV, MIL,
               "string of field s is not valid UTF-8, row number: 57: invalid parameter", 57);
  TYPED_CASE(c, I, t->s[57] = "\xe6\x97\xa5\xe6\x9c\xac", PT_LIMIT, INV, MIL,
             "length of varchar field s exceeds max length, row number: 57, length: 6, max length: 4", 57);
  TYPED_CASE(c, U, t->s[57] = "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", PT_LIMIT, INV, MIL, "length: 8, max length: 4", 57);
  TYPED_CASE(c, I, t->s[57] = "abcde", PT_LIMIT, CLI, PAR,
             "invalid input of field (s), length of string exceeds max length. length: 5, max length: 4", 57);
  /* JSON */
  TYPED_CASE(c, I, t->j[57] = "{bad", PT_PARSE, CLI, DNM, "Input string: '{bad'", 57);
  TYPED_CASE(c, U, t->j[57] = "", PT_PARSE, CLI, DNM, "Invalid JSON string: ", 57);
  TYPED_CASE(c, I, t->j[57] = "{\"a\":1,}", PT_PARSE, CLI, DNM, "Invalid JSON string: ", 57);
  TYPED_CASE(c, I, t->arr[57] = "[1,", PT_PARSE, CLI, DNM, "Invalid JSON string: ", 57);
  TYPED_CASE(c, I, t->sp[57] = "{\"1\":NaN}", PT_PARSE, CLI, DNM, "Invalid JSON string: ", 57);
  TYPED_CASE(c, U, t->arr[57] = "[1,2,3,4]", PT_LIMIT, INV, MIL, "the length (4) of 57th array exceeds max capacity (3)", 57);
  {
    test_buf deep = {NULL, 0, 0};
    for (int i = 0; i < 1001; i++) test_buf_put(&deep, "[", 1);
    for (int i = 0; i < 1001; i++) test_buf_put(&deep, "]", 1);
    TYPED_CASE(c, I, t->j[57] = deep.p, PT_PARSE, CLI, DNM, "nesting deeper than 1000", 57);
    deep.len = 0;
    for (int i = 0; i < 999; i++) test_buf_put(&deep, "[", 1);
    for (int i = 0; i < 999; i++) test_buf_put(&deep, "]", 1);
    /* 999 levels are fine: only the duplicate key makes this fail */
    TYPED_CASE(c, U, (t->j[57] = deep.p, t->id[58] = t->id[3]), PT_CONSTRAINT, INV, MIL,
               "duplicate primary keys are not allowed in the same batch", 58);
    char *big = malloc(65538);
    memset(big, ' ', 65537);
    big[0] = '1';
    big[65537] = '\0';
    TYPED_CASE(c, I, t->j[57] = big, PT_LIMIT, INV, MIL, "the length (65537) of json field (j) exceeds max length (65536)", 57);
    free(big);
    test_buf_free(&deep);
  }
  /* cell states */
  TYPED_CASE(c, I, (tb_cell(t, 6, 57, PT_CELL_WRONG_TYPE), t->cols[6].got = "str", t->cols[6].got_len = 3), PT_TYPE_MISMATCH,
             CLI, DNM, "{b} field should be a bool, but got a {str} instead.", 57);
  TYPED_CASE(c, I, (tb_cell(t, 6, 57, PT_CELL_WRONG_TYPE)), PT_TYPE_MISMATCH, CLI, DNM,
             "{b} field should be a bool, but got a {unknown} instead.", 57);
  TYPED_CASE(c, I, (tb_cell(t, 7, 57, PT_CELL_WRONG_TYPE), t->cols[7].got = "bytes", t->cols[7].got_len = 5), PT_TYPE_MISMATCH,
             CLI, PAR, "field (s) expects string input, got: bytes", 57);
  TYPED_CASE(c, U, (tb_cell(t, 0, 57, PT_CELL_OUT_OF_RANGE), t->cols[0].got = "1e30", t->cols[0].got_len = 4), PT_TYPE_MISMATCH,
             CLI, DNM, "{id} field should be a int64, but got a {int} instead. Detail: Value out of range: 1e30", 57);
  TYPED_CASE(c, I, (tb_cell(t, 12, 57, PT_CELL_WRONG_LENGTH), t->cols[12].got_length = 3), PT_SCHEMA, INV, MIL,
             "the dim (3) of field data(v) is not equal to schema dim (2)", 57);
  TYPED_CASE(c, I, (tb_cell(t, 8, 57, PT_CELL_WRONG_LENGTH), t->cols[8].got = "set", t->cols[8].got_len = 3), PT_TYPE_MISMATCH,
             CLI, DNM, "{j} field should be a json, but got a {set} instead.", 57);
  TYPED_CASE(c, I, tb_cell(t, 7, 57, PT_CELL_MISSING), PT_SCHEMA, CLI, DNM,
             "Insert missed an field `s` to collection without set nullable==true or set default_value", 57);
  TYPED_CASE(c, I, tb_cell(t, 7, 57, PT_CELL_NULL), PT_SCHEMA, CLI, PAR, "field (s) expects a non-None input", 57);
  TYPED_CASE(c, U, tb_cell(t, 0, 57, PT_CELL_NULL), PT_SCHEMA, INV, MIL, "must assign pk when upsert, primary field: id", 57);
  TYPED_CASE(c, I, tb_cell(t, 7, 57, 9), PT_MISUSE, UNX, MIL, "invalid cell state 9", 57);
  TYPED_CASE(c, U, t->id[57] = t->id[3], PT_CONSTRAINT, INV, MIL, "duplicate primary keys are not allowed in the same batch", 57);
  /* columns */
  TYPED_CASE(c, I, t->cols[7].kind = PT_IN_INT64, PT_TYPE_MISMATCH, CLI, PAR, "field (s) expects string input, got: int", 0);
  {
    texts tt = {{NULL, 0, 0}, NULL};
    TYPED_CASE(c, I, (t->cols[5] = cin_text(&tt, 5, PT_IN_TEXT, t->s, TN)), PT_TYPE_MISMATCH, CLI, DNM,
               "{d} field should be a double, but got a {str} instead.", 0);
    texts_free(&tt);
  }
  TYPED_CASE(c, I, t->cols[6].kind = PT_IN_INT64, PT_TYPE_MISMATCH, CLI, DNM, "{b} field should be a bool, but got a {int} instead.", 0);
  TYPED_CASE(c, I, t->cols[12].kind = PT_IN_BYTES, PT_TYPE_MISMATCH, CLI, DNM, "{v} field should be a float_vector, but got a {bytes} instead.", 0);
  TYPED_CASE(c, I, t->cols[8].kind = PT_IN_TEXT, PT_TYPE_MISMATCH, CLI, DNM, "{j} field should be a json, but got a {str} instead.", 0);
  TYPED_CASE(c, I, t->cols[12].width = 1, PT_SCHEMA, INV, MIL, "the dim (1) of field data(v) is not equal to schema dim (2)", 0);
  TYPED_CASE(c, I, t->cols[13].width = 3, PT_SCHEMA, INV, MIL, "the dim (24) of field data(bin) is not equal to schema dim (16)", 0);
  TYPED_CASE(c, I, t->cols[1].width = 2, PT_MISUSE, UNX, MIL, "scalar column i8 has width 2", -1);
  TYPED_CASE(c, I, t->cols[6].n_rows = 99, PT_SCHEMA, INV, MIL,
             "the num_rows (99) of field (b) is not equal to passed num_rows (100): invalid parameter", -1);
  TYPED_CASE(c, I, t->cols[6].field = 1, PT_SCHEMA, INV, MIL, "duplicated field i8 found: invalid parameter", -1);
  TYPED_CASE(c, I, t->cols[6].field = 99, PT_MISUSE, UNX, MIL, "column 6 names no field (field index 99)", -1);
  TYPED_CASE(c, I, t->cols[6].field = PT_FIELD_BY_POSITION, PT_MISUSE, UNX, MIL, "column 6 names no field", -1);
  TYPED_CASE(c, I, t->batch.n_columns = 12, PT_SCHEMA, CLI, DNM, "Insert missed an field `v`", 0);
  TYPED_CASE(c, I, (t->cols[15].kind = PT_IN_ABSENT, t->cols[7].kind = PT_IN_ABSENT), PT_SCHEMA, CLI, DNM,
             "Insert missed an field `s`", 0);
  TYPED_CASE(c, I, t->batch.n_columns = 0, PT_SCHEMA, CLI, DNM, "Insert missed an field `id`", 0);
  {
    const char *dyn[TN];
    for (int i = 0; i < TN; i++) dyn[i] = "{}";
    dyn[57] = "{\"zz\":1}";
    texts tt = {{NULL, 0, 0}, NULL};
    TYPED_CASE(c, I, (t->cols[16] = cin_text(&tt, PT_FIELD_DYNAMIC, PT_IN_JSON, dyn, TN), t->batch.n_columns = 17), PT_SCHEMA,
               CLI, DNM, "Attempt to insert an unexpected field `zz` to collection without enabling dynamic field", 57);
    texts_free(&tt);
  }
  /* the batch itself */
  TYPED_CASE(c, I, (t->batch.n_rows = 0, memset(t->cols, 0, sizeof t->cols), t->batch.n_columns = 0), PT_SCHEMA,
             PT_CODE_PARAMETER_MISSING, MIL, "missing required parameters: no rows in the batch", -1);
  TYPED_CASE(c, I, t->batch.form = 7, PT_MISUSE, UNX, MIL, "pt_collection_write: invalid arguments", -1);
  TYPED_CASE(c, (pt_op)9, (void)0, PT_MISUSE, UNX, MIL, "pt_collection_write: invalid arguments", -1);
  TYPED_CASE(c, I, t->batch.columns = NULL, PT_MISUSE, UNX, MIL, "pt_collection_write: invalid arguments", -1);
  {
    tbatch *t = tb_new(30);
    batch_fails(__LINE__, c, "p9", PT_OP_UPSERT, tb_batch(t), PT_NOT_FOUND, PT_CODE_PARTITION_NOT_FOUND, MIL,
                "partition not found[partition=p9]", -1);
    pt_mutation_result r;
    pt_error e;
    CHECK_EQ_INT(pt_collection_write(NULL, NULL, 0, PT_OP_INSERT, tb_batch(t), 0, &r, &e), PT_MISUSE);
    CHECK_EQ_INT(pt_collection_write(c, NULL, 0, PT_OP_INSERT, NULL, 0, &r, &e), PT_MISUSE);
    CHECK_EQ_INT(pt_collection_write(c, NULL, 0, PT_OP_INSERT, tb_batch(t), 0, NULL, &e), PT_MISUSE);
    CHECK_EQ_INT(pt_collection_write_json(c, NULL, 0, PT_OP_INSERT, NULL, 0, 0, &r, &e), PT_MISUSE);
    tb_free(t);
  }
  CHECK_EQ_INT(count_of(c, NULL), 55);
  pt_store_close(st);
}

TEST(half_and_int8_vector_errors) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "h", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'hv','dtype':102,'dim':2},"
                                   "{'name':'bv','dtype':103,'dim':2},{'name':'iv','dtype':105,'dim':2}]}");
  put(c, NULL, PT_OP_INSERT, "[{'id':0,'hv':[1,2],'bv':[1,2],'iv':[1,2]}]");
  enum { N = 100 };
  int64_t ids[N], iv[2 * N];
  float hv[2 * N], bv[2 * N];
  uint8_t hb[4 * N], ib[2 * N];
  for (int i = 0; i < N; i++) {
    ids[i] = i;
    hv[2 * i] = bv[2 * i] = 0.5f;
    hv[2 * i + 1] = bv[2 * i + 1] = -2.0f;
    iv[2 * i] = -128;
    iv[2 * i + 1] = 127;
    hb[4 * i] = 0x00; hb[4 * i + 1] = 0x38; hb[4 * i + 2] = 0x00; hb[4 * i + 3] = 0xC0; /* 0.5, -2 */
    ib[2 * i] = 0x80;
    ib[2 * i + 1] = 0x7F;
  }
  pt_column_in cols[4] = {cin(0, PT_IN_INT64, N, 1, ids), cin(1, PT_IN_FLOAT32, N, 2, hv), cin(2, PT_IN_FLOAT32, N, 2, bv),
                          cin(3, PT_IN_INT64, N, 2, iv)};
  pt_batch_in b = {PT_FORM_ROWS, N, 4, cols};
  hv[115] = 70000.0f; /* beyond float16: +Inf */
  BATCH_FAILS(c, NULL, PT_OP_UPSERT, &b, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "value '+Inf' is not a number or infinity", 57);
  hv[115] = -65504.0f; /* the largest half is fine */
  bv[114] = -3.4e38f; /* rounds to -Inf in bfloat16 */
  BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "value '-Inf' is not a number or infinity", 57);
  bv[114] = 0.5f;
  iv[115] = 128;
  BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
              "{iv} field should be a int8_vector, but got a {list} instead. Detail: element 1 is not an integer in [-128, 127]", 57);
  iv[115] = 127;
  /* half and int8 bytes */
  cols[1] = cin(1, PT_IN_BYTES, N, 4, hb);
  cols[3] = cin(3, PT_IN_BYTES, N, 2, ib);
  hb[4 * 57 + 2] = 0x00;
  hb[4 * 57 + 3] = 0x7E; /* a NaN half */
  BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "value 'NaN' is not a number or infinity", 57);
  hb[4 * 57 + 3] = 0x7C; /* +Inf */
  BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "value '+Inf' is not a number or infinity", 57);
  hb[4 * 57 + 3] = 0xC0;
  cols[1].width = 2; /* two bytes are one half: dim 1 */
  BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
              "the dim (1) of field data(hv) is not equal to schema dim (2)", 0);
  cols[1].width = 4;
  /* the good batch goes in, exactly */
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(pt_collection_write(c, NULL, 0, PT_OP_UPSERT, &b, 0, &r, &e), &e);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(c, NULL), N);
  pt_rows *rows = q(c, "{'expr':'id == 57','output_fields':['hv','bv','iv']}");
  uint16_t h[2];
  fixed_at(rows, "hv", 0, h, 4);
  CHECK(h[0] == 0x3800 && h[1] == 0xC000);
  fixed_at(rows, "bv", 0, h, 4);
  CHECK(h[0] == 0x3F00 && h[1] == 0xC000);
  int8_t i8[2];
  fixed_at(rows, "iv", 0, i8, 2);
  CHECK(i8[0] == -128 && i8[1] == 127);
  pt_rows_free(rows);
  pt_store_close(st);
}

/* ============================================================================================
 * Column form and DataFrame form
 * ========================================================================================== */

TEST(column_form_errors) {
  pt_store *st = test_store();
  pt_collection *c = atom_collection(st, "atom");
  /* 16 columns of 100 rows, built from atom rows through a round trip of the JSON text */
  const char *col_vals[16] = {NULL, "-3", "300", "-70000", "0.5", "0.25", "true", "'ab'", "{'k':1}", "[1]", "['x']",
                              "{'1':0.5}", "[0.1,0.2]", "[1,2]", "null", "8"};
  test_buf good = {NULL, 0, 0};
  test_buf_put(&good, "[", 1);
  for (int k = 0; k < 16; k++) {
    test_buf_printf(&good, "%s[", k ? "," : "");
    for (int r = 0; r < 100; r++) {
      if (r) test_buf_put(&good, ",", 1);
      if (k == 0) test_buf_printf(&good, "%d", 30 + r);
      else put_sq(&good, col_vals[k]);
    }
    test_buf_put(&good, "]", 1);
  }
  test_buf_put(&good, "]", 1);
  /* the good batch is good (in another collection) */
  pt_collection *g = atom_collection(st, "good");
  pt_mutation_result r = test_write(g, NULL, PT_OP_UPSERT, good.p);
  CHECK_EQ_INT(r.upsert_count, 100);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(g, NULL), 135);
  /* one column too few / too many */
  test_buf bad = {NULL, 0, 0};
  test_buf_printf(&bad, "%.*s]", (int)(strrchr(good.p, '[') - good.p - 1), good.p);
  JSON_FAILS(c, NULL, PT_OP_INSERT, bad.p, PT_SCHEMA, CLI, DNM, "The data doesn't match with schema fields, expect 16 list, got 15", -1);
  bad.len = 0;
  test_buf_printf(&bad, "%.*s,[1]]", (int)(good.len - 1), good.p);
  JSON_FAILS(c, NULL, PT_OP_UPSERT, bad.p, PT_SCHEMA, CLI, DNM, "The data doesn't match with schema fields, expect 16 list, got 17", -1);
  JSON_FAILS(c, NULL, PT_OP_INSERT, "[]", PT_SCHEMA, CLI, DNM, "The data doesn't match with schema fields, expect 16 list, got 0", -1);
  JSON_FAILS(c, NULL, PT_OP_INSERT, "[[1,2]]", PT_SCHEMA, CLI, DNM, "The data doesn't match with schema fields, expect 16 list, got 1", -1);
  /* misaligned: the i16 column has one value less */
  bad.len = 0;
  const char *i16 = strstr(good.p, "],[300,") + 2;
  test_buf_printf(&bad, "%.*s%s", (int)(i16 - good.p + 1), good.p, i16 + 5);
  JSON_FAILS(c, NULL, PT_OP_INSERT, bad.p, PT_SCHEMA, CLI, PAR,
             "Field data size misaligned for field [i16] got size=[99] alignment size=[100]", -1);
  /* a column that is not a list */
  bad.len = 0;
  test_buf_printf(&bad, "%.*s,5]", (int)(strrchr(good.p, '[') - good.p - 1), good.p);
  JSON_FAILS(c, NULL, PT_OP_INSERT, bad.p, PT_TYPE_MISMATCH, CLI, PT_EXC_DATA_TYPE_NOT_SUPPORT, "The data should be a list of list", -1);
  /* every column empty */
  bad.len = 0;
  test_buf_put(&bad, "[[]", 3);
  for (int k = 1; k < 16; k++) test_buf_put(&bad, ",[]", 3);
  test_buf_put(&bad, "]", 1);
  JSON_FAILS(c, NULL, PT_OP_INSERT, bad.p, PT_SCHEMA, CLI, PAR, "Must pass in at least one column", -1);
  /* a bad cell in column form reports its row too */
  bad.len = 0;
  const char *cell = strstr(good.p, "[-3,") + 1;
  test_buf_printf(&bad, "%.*s300%s", (int)(cell - good.p), good.p, cell + 2);
  JSON_FAILS(c, NULL, PT_OP_INSERT, bad.p, PT_RANGE, INV, MIL, "the 0th element (300) out of range: [-128, 127]", 0);
  /* a zero-length column for a required field is all null */
  bad.len = 0;
  const char *vcol = strstr(good.p, "[[0.1,0.2]");
  const char *vend = strstr(vcol, "]],") + 2;
  test_buf_printf(&bad, "%.*s[]%s", (int)(vcol - good.p), good.p, vend);
  JSON_FAILS(c, NULL, PT_OP_INSERT, bad.p, PT_SCHEMA, CLI, PAR, "field (v) expects a non-None input", 0);
  /* typed columns: an ABSENT column is missing data, named as the server does */
  {
    tbatch *t = tb_new(30);
    pt_batch_in *b = tb_batch(t);
    b->form = PT_FORM_COLUMNS;
    for (int k = 0; k < 16; k++) t->cols[k].field = PT_FIELD_BY_POSITION;
    t->cols[7].kind = PT_IN_ABSENT;
    BATCH_FAILS(c, NULL, PT_OP_INSERT, b, PT_SCHEMA, INV, MIL, "fieldSchema(s) has no corresponding fieldData pass in: invalid parameter", 0);
    t->cols[7].kind = PT_IN_TEXT;
    b->n_columns = 15;
    BATCH_FAILS(c, NULL, PT_OP_INSERT, b, PT_SCHEMA, CLI, DNM, "The data doesn't match with schema fields, expect 16 list, got 15", -1);
    b->n_columns = 16;
    t->cols[3].n_rows = 101;
    BATCH_FAILS(c, NULL, PT_OP_UPSERT, b, PT_SCHEMA, CLI, PAR, "Field data size misaligned for field [id] got size=[100] alignment size=[101]", -1);
    t->cols[3].n_rows = 100;
    pt_error e;
    CHECK_OK(pt_collection_write(g, NULL, 0, PT_OP_UPSERT, b, 0, &r, &e), &e);
    pt_mutation_result_clear(&r);
    CHECK_EQ_INT(count_of(g, NULL), 135);
    tb_free(t);
  }
  test_buf_free(&bad);
  test_buf_free(&good);
  CHECK_EQ_INT(count_of(c, NULL), 55);
  pt_store_close(st);
}

TEST(dataframe_form) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "df", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'a','dtype':5,'nullable':true},"
                                    "{'name':'v','dtype':101,'dim':2}]}");
  put(c, NULL, PT_OP_INSERT, "[{'id':100,'v':[0,0]}]");
  int64_t ids[2] = {1, 2}, as[2] = {10, 20};
  float vs[4] = {1, 1, 2, 2};
  pt_column_in id = named(cin(0, PT_IN_INT64, 2, 1, ids), "id"), a = named(cin(0, PT_IN_INT64, 2, 1, as), "a"),
               v = named(cin(0, PT_IN_FLOAT32, 2, 2, vs), "v"), x = named(cin(0, PT_IN_INT64, 2, 1, as), "x");
  pt_mutation_result r;
  pt_error e;
  {
    pt_column_in cols[3] = {v, id, a};
    pt_batch_in b = {PT_FORM_DATAFRAME, 2, 3, cols};
    BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_SCHEMA, CLI, DNM, "The name of field doesn't match, expected: id, got v", -1);
  }
  {
    pt_column_in cols[2] = {id, v};
    pt_batch_in b = {PT_FORM_DATAFRAME, 2, 2, cols};
    BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_SCHEMA, CLI, DNM,
                "The fields don't match with schema fields, expected: ['id', 'a', 'v'], got ['id', 'v']", -1);
  }
  {
    pt_column_in cols[4] = {id, a, v, x};
    pt_batch_in b = {PT_FORM_DATAFRAME, 2, 4, cols};
    BATCH_FAILS(c, NULL, PT_OP_UPSERT, &b, PT_SCHEMA, CLI, DNM,
                "The fields don't match with schema fields, expected: ['id', 'a', 'v'], got ['id', 'a', 'v', 'x']", -1);
  }
  {
    pt_column_in cols[3] = {id, a, v};
    cols[1].n_rows = 1;
    pt_batch_in b = {PT_FORM_DATAFRAME, 2, 3, cols};
    BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_SCHEMA, CLI, PAR, "Field data size misaligned for field [a] got size=[1] alignment size=[2]", -1);
    cols[1].n_rows = 0; /* an empty column is all null */
    CHECK_OK(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e);
    pt_mutation_result_clear(&r);
    pt_rows *rows = q(c, "{'expr':'id in [1,2]','output_fields':['a']}");
    const pt_column_out *ac = col_named(rows, "a");
    CHECK(ac && ac->valid && ac->valid[0] == 0 && ac->valid[1] == 0);
    pt_rows_free(rows);
    cols[1].name = NULL;
    BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_MISUSE, UNX, MIL, "DataFrame column 1 has no name", -1);
    cols[1].name = "a";
    cols[0].n_rows = cols[1].n_rows = cols[2].n_rows = 0;
    BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_SCHEMA, CLI, PAR, "Must pass in at least one column", -1);
  }
  /* upsert needs the key column, with values */
  {
    pt_column_in cols[2] = {a, v};
    pt_batch_in b = {PT_FORM_DATAFRAME, 2, 2, cols};
    BATCH_FAILS(c, NULL, PT_OP_UPSERT, &b, PT_SCHEMA, CLI, DNM, "Upsert need to assign pk.", -1);
    pt_column_in cols3[3] = {id, a, v};
    uint8_t nulls[2] = {PT_CELL_NULL, PT_CELL_NULL};
    cols3[0].cells = nulls;
    pt_batch_in b3 = {PT_FORM_DATAFRAME, 2, 3, cols3};
    BATCH_FAILS(c, NULL, PT_OP_UPSERT, &b3, PT_SCHEMA, CLI, DNM, "Upsert need to assign pk.", -1);
  }
  /* auto_id: an all-null key column is dropped, a key column with values is refused */
  pt_collection *au = coll(st, "au", "{'auto_id':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                     "{'name':'a','dtype':5,'nullable':true},{'name':'v','dtype':101,'dim':2}]}");
  {
    pt_column_in cols[3] = {id, a, v};
    pt_batch_in b = {PT_FORM_DATAFRAME, 2, 3, cols};
    BATCH_FAILS(au, NULL, PT_OP_INSERT, &b, PT_SCHEMA, CLI, DNM, "Expect no data for auto_id primary field: id", -1);
    uint8_t nulls[2] = {PT_CELL_NULL, PT_CELL_MISSING};
    cols[0].cells = nulls;
    CHECK_OK(pt_collection_write(au, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e);
    CHECK_EQ_INT(r.n_keys, 2);
    pt_mutation_result_clear(&r);
    pt_column_in cols2[2] = {a, v};
    pt_batch_in b2 = {PT_FORM_DATAFRAME, 2, 2, cols2};
    CHECK_OK(pt_collection_write(au, NULL, 0, PT_OP_INSERT, &b2, 0, &r, &e), &e);
    pt_mutation_result_clear(&r);
    /* upsert takes the key column */
    cols[0].cells = NULL;
    CHECK_OK(pt_collection_write(au, NULL, 0, PT_OP_UPSERT, &b, 0, &r, &e), &e);
    CHECK(r.n_keys == 2 && r.int_keys && r.int_keys[0] != 1);
    pt_mutation_result_clear(&r);
    CHECK_EQ_INT(count_of(au, NULL), 6);
  }
  CHECK_EQ_INT(count_of(c, NULL), 3);
  pt_store_close(st);
}

/* ============================================================================================
 * Partition-key collections, batch limits
 * ========================================================================================== */

/* Index of the partition holding key `id`, or -1. */
static int partition_of(pt_collection *c, int id) {
  char expr[40];
  snprintf(expr, sizeof expr, "id == %d", id);
  for (size_t p = 0; p < pt_collection_num_partitions(c); p++)
    if (found(c, expr, pt_collection_partition_name(c, p, NULL))) return (int)p;
  return -1;
}

TEST(partition_key_routing) {
  pt_store *st = test_store();
  pt_schema *s = test_schema(J("{'fields':[{'name':'id','dtype':5,'is_primary':true},"
                               "{'name':'k','dtype':21,'max_length':8,'is_partition_key':true},{'name':'v','dtype':101,'dim':2}]}"));
  pt_collection_options o = {4, 0};
  pt_collection *c = NULL;
  pt_error e;
  CHECK_OK(pt_collection_create(st, "pk", 2, s, &o, &c, &e), &e);
  pt_schema_free(s);
  /* 40 rows over 10 key values */
  test_buf b = {NULL, 0, 0};
  test_buf_put(&b, "[", 1);
  for (int i = 0; i < 40; i++) test_buf_printf(&b, "%s{\"id\":%d,\"k\":\"k%d\",\"v\":[0,0]}", i ? "," : "", i, i % 10);
  test_buf_put(&b, "]", 1);
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, b.p);
  pt_mutation_result_clear(&r);
  test_buf_free(&b);
  CHECK_EQ_INT(count_of(c, NULL), 40);
  /* rows with one key value share a partition; the values spread over more than one */
  int part_of_value[10], used = 0;
  uint64_t sum = 0;
  for (int v = 0; v < 10; v++) {
    part_of_value[v] = partition_of(c, v);
    CHECK(part_of_value[v] >= 0);
    for (int i = v + 10; i < 40; i += 10) CHECK_EQ_INT(partition_of(c, i), part_of_value[v]);
  }
  for (size_t p = 0; p < 4; p++) {
    uint64_t n = count_of(c, pt_collection_partition_name(c, p, NULL));
    sum += n;
    used += n > 0;
  }
  CHECK_EQ_INT(sum, 40);
  CHECK(used > 1);
  /* a partition name is refused on every write and on delete */
  JSON_FAILS(c, "_default_0", PT_OP_INSERT, J("{'id':50,'k':'a','v':[0,0]}"), PT_SCHEMA, INV, MIL,
             "not support manually specifying the partition names if partition key mode is used: invalid parameter", -1);
  JSON_FAILS(c, "_default_0", PT_OP_UPSERT, J("{'id':50,'k':'a','v':[0,0]}"), PT_SCHEMA, INV, MIL,
             "not support manually specifying the partition names if partition key mode is used", -1);
  pt_mutation_result dr;
  EXPECT_ERR(pt_collection_delete(c, "_default_0", 10, "id in [1]", 9, &dr, &e), &e, PT_SCHEMA, INV, MIL,
             "not support manually specifying the partition names if partition key mode is used");
  /* the key value must be there */
  JSON_FAILS(c, NULL, PT_OP_INSERT, J("[{'id':50,'k':'a','v':[0,0]},{'id':51,'v':[0,0]}]"), PT_SCHEMA, CLI, DNM,
             "Insert missed an field `k`", 1);
  /* upsert deletes the key in every partition: moving row 0 to a value in another partition */
  int other = -1;
  for (int v = 1; v < 10; v++)
    if (part_of_value[v] != part_of_value[0]) { other = v; break; }
  CHECK(other > 0);
  char row[80];
  snprintf(row, sizeof row, "[{'id':0,'k':'k%d','v':[5,5]},{'id':100,'k':'k0','v':[0,0]}]", other);
  r = test_write(c, NULL, PT_OP_UPSERT, J(row));
  CHECK_EQ_INT(r.delete_count, 2);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(c, NULL), 41);
  CHECK_EQ_INT(found(c, "id == 0", NULL), 1);
  CHECK_EQ_INT(partition_of(c, 0), part_of_value[other]);
  CHECK_EQ_INT(partition_of(c, 100), part_of_value[0]);
  /* duplicates within the batch are judged across partitions too */
  snprintf(row, sizeof row, "[{'id':7,'k':'k0','v':[0,0]},{'id':7,'k':'k%d','v':[0,0]}]", other);
  JSON_FAILS(c, NULL, PT_OP_UPSERT, J(row), PT_CONSTRAINT, INV, MIL, "duplicate primary keys are not allowed in the same batch", 1);
  pt_error e2;
  CHECK_OK(write_json(c, NULL, PT_OP_UPSERT, J(row), PT_WRITE_DUPLICATES_LAST_WINS, &r, &e2), &e2);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(found(c, "id == 7", NULL), 1);
  CHECK_EQ_INT(partition_of(c, 7), part_of_value[other]);
  /* delete without a partition reaches every partition */
  CHECK_OK(pt_collection_delete(c, NULL, 0, "id in [0, 7, 100]", 17, &dr, &e), &e);
  CHECK_EQ_INT(count_of(c, NULL), 38);

  /* an INT64 partition key routes the same way */
  s = test_schema(J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'k','dtype':5,'is_partition_key':true},"
                    "{'name':'v','dtype':101,'dim':2}]}"));
  pt_collection *ci = NULL;
  CHECK_OK(pt_collection_create(st, "pki", 3, s, NULL, &ci, &e), &e);
  pt_schema_free(s);
  CHECK_EQ_INT(pt_collection_num_partitions(ci), 16);
  put(ci, NULL, PT_OP_INSERT, "[{'id':1,'k':42,'v':[0,0]},{'id':2,'k':'42','v':[0,0]},{'id':3,'k':43,'v':[0,0]}]");
  CHECK_EQ_INT(partition_of(ci, 1), partition_of(ci, 2));
  pt_store_close(st);
}

TEST(batch_size_limit) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "big", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'a','dtype':101,'dim':32768},"
                                     "{'name':'b','dtype':101,'dim':32768},{'name':'c','dtype':101,'dim':32768},"
                                     "{'name':'d','dtype':101,'dim':32768}]}");
  /* JSON text over the limit is refused before it is read */
  size_t len = PT_MAX_BATCH_BYTES + 1;
  char *text = malloc(len + 1);
  memset(text, ' ', len);
  text[0] = '[';
  text[len - 1] = ']';
  text[len] = '\0';
  JSON_FAILS(c, NULL, PT_OP_INSERT, text, PT_LIMIT, PT_CODE_TOO_LARGE, MIL,
             "insert request size exceeds maxInsertSize: 67108865 bytes, the limit is 67108864", -1);
  free(text);
  /* 129 rows of four 128 KiB vectors: just over 64 MiB (the columns share one buffer) */
  size_t n = 129;
  float *vec = calloc(n * 32768, sizeof *vec);
  int64_t *ids = calloc(n, sizeof *ids);
  for (size_t i = 0; i < n; i++) ids[i] = (int64_t)i;
  pt_column_in cols[5] = {cin(0, PT_IN_INT64, n, 1, ids), cin(1, PT_IN_FLOAT32, n, 32768, vec),
                          cin(2, PT_IN_FLOAT32, n, 32768, vec), cin(3, PT_IN_FLOAT32, n, 32768, vec),
                          cin(4, PT_IN_FLOAT32, n, 32768, vec)};
  pt_batch_in b = {PT_FORM_ROWS, n, 5, cols};
  BATCH_FAILS(c, NULL, PT_OP_INSERT, &b, PT_LIMIT, PT_CODE_TOO_LARGE, MIL, "insert request size exceeds maxInsertSize", -1);
  /* more rows than fit at their fixed width alone: refused before a cell is read, columns or
   * none (a host that finds its input too long passes the count alone) */
  CHECK_EQ_INT(pt_collection_max_batch_rows(c), PT_MAX_BATCH_BYTES / (8 + 4 * 32768 * 4));
  pt_batch_in empty = {PT_FORM_ROWS, 300000000, 0, NULL};
  BATCH_FAILS(c, NULL, PT_OP_INSERT, &empty, PT_LIMIT, PT_CODE_TOO_LARGE, MIL,
              "insert request size exceeds maxInsertSize: 157288800000000 bytes, the limit is 67108864", -1);
  empty.form = PT_FORM_COLUMNS;
  BATCH_FAILS(c, NULL, PT_OP_INSERT, &empty, PT_LIMIT, PT_CODE_TOO_LARGE, MIL, "insert request size exceeds maxInsertSize", -1);
  /* no fixed-width field: each row counts one byte */
  pt_collection *var = coll(st, "var", "{'fields':[{'name':'id','dtype':21,'is_primary':true,'max_length':8},"
                                       "{'name':'s','dtype':104}]}");
  CHECK_EQ_INT(pt_collection_max_batch_rows(var), PT_MAX_BATCH_BYTES);
  empty.n_rows = (size_t)PT_MAX_BATCH_BYTES + 1;
  BATCH_FAILS(var, NULL, PT_OP_INSERT, &empty, PT_LIMIT, PT_CODE_TOO_LARGE, MIL,
              "insert request size exceeds maxInsertSize: 67108865 bytes, the limit is 67108864", -1);
  /* 127 rows fit */
  for (int k = 0; k < 5; k++) cols[k].n_rows = 127;
  b.n_rows = 127;
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(count_of(c, NULL), 127);
  free(vec);
  free(ids);
  pt_store_close(st);
}

/* A BINARY_VECTOR of dim 8 is one byte wide: through JSON it is still a list, not a scalar. */
TEST(binary_vector_of_one_byte_through_json) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "b8",
      "{\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true},{\"name\":\"b\",\"dtype\":100,\"dim\":8}]}");
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, "[{\"id\":1,\"b\":[129]},{\"id\":2,\"b\":[0]}]");
  CHECK_EQ_INT(r.insert_count, 2);
  pt_mutation_result_clear(&r);
  pt_rows *rows = test_query(c, "{\"expr\":\"id == 1\",\"output_fields\":[\"b\"]}");
  CHECK(rows && pt_rows_count(rows) == 1);
  if (rows) {
    const pt_column_out *col = pt_rows_column(rows, (size_t)test_col(rows, "b"));
    CHECK_EQ_INT(((const uint8_t *)col->values)[0], 129);
  }
  pt_rows_free(rows);
  pt_store_close(st);
}

/* ---- pt_collection_stage: a vector column written straight into the partition's storage ---- */
enum { SD = 8192 }; /* 32 KB rows: 64 rows to a segment */

/* Writes keys [k0, k0 + n) with vectors v[j] = key * 10000 + j: those of rows [0, head) at
 * `vec` (staged or not), the rest at `tail` (a column in two pieces, pt_collection_stage_split;
 * NULL: one block). Row `poison_row` (< n; none when n) gets a NaN. */
static pt_status write_pieces(pt_collection *c, const char *part, pt_op op, int64_t k0, size_t n, float *vec,
                              size_t head, float *tail, size_t poison_row, pt_error *e) {
  int64_t *keys = malloc(n * sizeof *keys);
  for (size_t r = 0; r < n; r++) {
    keys[r] = k0 + (int64_t)r;
    float *row = r < head ? vec + r * SD : tail + (r - head) * SD;
    for (size_t j = 0; j < SD; j++) row[j] = (float)(keys[r] * 10000 + (int64_t)j);
    if (r == poison_row) row[7] = NAN;
  }
  pt_column_in cols[2] = {cin(0, PT_IN_INT64, n, 1, keys), cin(1, PT_IN_FLOAT32, n, SD, vec)};
  cols[1].values_tail = tail;
  cols[1].head_rows = tail ? head : 0;
  pt_batch_in b = {PT_FORM_COLUMNS, n, 2, cols};
  pt_mutation_result r;
  pt_status st = pt_collection_write(c, part, part ? strlen(part) : 0, op, &b, 0, &r, e);
  if (st == PT_OK) pt_mutation_result_clear(&r);
  free(keys);
  return st;
}

/* write_pieces in one block; `poison`: a NaN in row 3. */
static pt_status staged_write(pt_collection *c, const char *part, pt_op op, int64_t k0, size_t n, float *vec,
                              bool poison, pt_error *e) {
  return write_pieces(c, part, op, k0, n, vec, n, NULL, poison ? 3 : n, e);
}

/* The vector stored for key k, checked against what staged_write wrote. */
static bool vector_is(pt_collection *c, int64_t k) {
  char req[160];
  snprintf(req, sizeof req, "{'expr':'id == %lld','output_fields':['v']}", (long long)k);
  pt_rows *rows = q(c, req);
  bool ok = rows && pt_rows_count(rows) == 1;
  if (ok) {
    float *v = malloc(SD * sizeof *v);
    fixed_at(rows, "v", 0, v, SD * sizeof *v);
    for (size_t j = 0; j < SD && ok; j++) ok = v[j] == (float)(k * 10000 + (int64_t)j);
    free(v);
  }
  pt_rows_free(rows);
  return ok;
}

TEST(stage_writes_vectors_in_place) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "staged", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':8192}]}");
  pt_error e;
  /* no segment yet: a spare one is made, and the first write takes it */
  float *p1 = pt_collection_stage(c, NULL, 0, 1, 40);
  CHECK(p1 != NULL);
  CHECK(pt_collection_stage(c, "_default", 8, 1, 40) == p1); /* asked again: the same place */
  CHECK_OK(staged_write(c, NULL, PT_OP_INSERT, 0, 40, p1, false, &e), &e);
  CHECK_EQ_INT(count_of(c, NULL), 40);
  /* the tail of that segment */
  float *p2 = pt_collection_stage(c, NULL, 0, 1, 24);
  CHECK(p2 == p1 + 40 * SD);
  CHECK_OK(staged_write(c, NULL, PT_OP_INSERT, 40, 24, p2, false, &e), &e);
  /* full: a new spare; a write that fails leaves it unused and the store as it was */
  float *p3 = pt_collection_stage(c, NULL, 0, 1, 10);
  CHECK(p3 != NULL && (p3 < p1 || p3 >= p1 + 64 * SD));
  CHECK_EQ_INT(staged_write(c, NULL, PT_OP_INSERT, 64, 10, p3, true, &e), PT_RANGE);
  CHECK_MSG(&e, "value 'NaN' is not a number or infinity");
  CHECK_EQ_INT(count_of(c, NULL), 64);
  CHECK(pt_collection_stage(c, NULL, 0, 1, 10) == p3);
  CHECK_OK(staged_write(c, NULL, PT_OP_INSERT, 64, 10, p3, false, &e), &e);
  /* rows that would span two segments have no single place */
  CHECK(pt_collection_stage(c, NULL, 0, 1, 55) == NULL);
  CHECK(pt_collection_stage(c, NULL, 0, 1, 54) == p3 + 10 * SD);
  /* upsert: keys 72 and 73 are overwritten where they are, from the first two rows of the
   * staged block; key 74 is new, and appended from its third row over its first */
  float *p4 = pt_collection_stage(c, NULL, 0, 1, 3);
  CHECK(p4 == p3 + 10 * SD);
  CHECK_OK(staged_write(c, NULL, PT_OP_UPSERT, 72, 3, p4, false, &e), &e);
  CHECK_EQ_INT(count_of(c, NULL), 75);
  CHECK(pt_collection_stage(c, NULL, 0, 1, 1) == p4 + SD); /* one row was appended */
  CHECK(vector_is(c, 72) && vector_is(c, 73) && vector_is(c, 74));
  /* a deleted row, for compaction below */
  {
    pt_mutation_result dr;
    CHECK_OK(pt_collection_delete(c, NULL, 0, "id == 3", 7, &dr, &e), &e);
    pt_mutation_result_clear(&dr);
  }
  CHECK_EQ_INT(count_of(c, NULL), 74);
  /* a staged block handed to a write into another partition is copied from */
  CHECK_OK(pt_partition_create(c, "other", 5, &e), &e);
  float *p5 = pt_collection_stage(c, NULL, 0, 1, 5);
  CHECK_OK(staged_write(c, "other", PT_OP_INSERT, 100, 5, p5, false, &e), &e);
  CHECK_EQ_INT(count_of(c, "other"), 5);
  CHECK_EQ_INT(count_of(c, "_default"), 74);
  /* compaction moves rows (key 3's row goes) and drops the spare; staging goes on after it */
  CHECK(pt_collection_stage(c, NULL, 0, 1, 60) == NULL);
  uint64_t removed = 0;
  CHECK_OK(pt_collection_compact(c, NULL, 0, &removed, &e), &e);
  CHECK_EQ_INT(removed, 1);
  float *p6 = pt_collection_stage(c, NULL, 0, 1, 50);
  CHECK(p6 != NULL);
  CHECK_OK(staged_write(c, NULL, PT_OP_INSERT, 200, 50, p6, false, &e), &e);
  CHECK_EQ_INT(count_of(c, "_default"), 124);
  for (int64_t k = 200; k < 250; k++) CHECK(vector_is(c, k));
  bool all = true;
  for (int64_t k = 0; k < 75; k++) all = all && (k == 3 || vector_is(c, k));
  for (int64_t k = 100; k < 105; k++) all = all && vector_is(c, k);
  CHECK(all);
  /* compaction hands a spare segment back: 64 rows fill one segment and one is deleted, a
   * stage makes a spare, compaction drops the deleted row and the spare (ASan sees a leak or a
   * double free), and the next stage is the one free row of the first segment */
  {
    pt_collection *d = coll(st, "spare", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':8192}]}");
    float *buf = malloc(64 * SD * sizeof *buf);
    CHECK_OK(staged_write(d, NULL, PT_OP_INSERT, 0, 64, buf, false, &e), &e);
    pt_mutation_result dr;
    CHECK_OK(pt_collection_delete(d, NULL, 0, "id == 0", 7, &dr, &e), &e);
    pt_mutation_result_clear(&dr);
    size_t before_spare = pt_memory_used();
    float *spare = pt_collection_stage(d, NULL, 0, 1, 5);
    CHECK(spare != NULL);
    size_t with_spare = pt_memory_used();
    CHECK(with_spare >= before_spare + 64 * SD * sizeof(float));
    uint64_t gone = 0;
    CHECK_OK(pt_collection_compact(d, NULL, 0, &gone, &e), &e);
    CHECK_EQ_INT(gone, 1);
    CHECK(pt_memory_used() + 64 * SD * sizeof(float) <= with_spare); /* the spare went */
    CHECK(pt_collection_stage(d, NULL, 0, 1, 5) == NULL);
    float *last = pt_collection_stage(d, NULL, 0, 1, 1);
    CHECK(last != NULL);
    CHECK_OK(staged_write(d, NULL, PT_OP_INSERT, 500, 1, last, false, &e), &e);
    CHECK(vector_is(d, 500) && vector_is(d, 1) && vector_is(d, 63));
    free(buf);
  }
  /* no place: the key, a variable-width field, no such field / partition, no rows */
  pt_collection *w = coll(st, "narrow", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2},"
                                        "{'name':'s','dtype':21,'max_length':8}]}");
  CHECK(pt_collection_stage(w, NULL, 0, 1, 10) != NULL);
  CHECK(pt_collection_stage(w, NULL, 0, 0, 10) == NULL);
  CHECK(pt_collection_stage(w, NULL, 0, 2, 10) == NULL);
  CHECK(pt_collection_stage(w, NULL, 0, 3, 10) == NULL);
  CHECK(pt_collection_stage(w, "nope", 4, 1, 10) == NULL);
  CHECK(pt_collection_stage(w, NULL, 0, 1, 0) == NULL);
  CHECK(pt_collection_stage(NULL, NULL, 0, 1, 10) == NULL);
  /* partition-key mode routes rows row by row: no place */
  pt_collection *k = coll(st, "routed", "{'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                        "{'name':'k','dtype':5,'is_partition_key':true},{'name':'v','dtype':101,'dim':2}]}");
  CHECK(pt_collection_stage(k, NULL, 0, 2, 10) == NULL);
  pt_store_close(st);
}

/* Rows that span the last segment and a new one are staged in two pieces: the last segment's
 * tail and the new segment's start. A non-finite value in either piece is refused and leaves
 * the store as it was; the rows are stored from both pieces, read back exactly; an upsert that
 * overwrites some rows in place moves the others from the new segment into the last one's tail;
 * a column in two pieces of another kind, or split past its rows, is refused (misuse). */
TEST(stage_split_writes_vectors_in_two_pieces) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "split", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':8192}]}");
  pt_error e;
  float *buf = malloc(64 * SD * sizeof *buf);
  CHECK_OK(staged_write(c, NULL, PT_OP_INSERT, 0, 40, buf, false, &e), &e);
  size_t head = 0;
  void *tail = NULL;
  /* fits: one block, as pt_collection_stage */
  float *one = pt_collection_stage_split(c, NULL, 0, 1, 24, &head, &tail);
  CHECK(one != NULL && tail == NULL && head == 24 && one == pt_collection_stage(c, NULL, 0, 1, 24));
  /* 50 rows: 24 in the last segment's tail, 26 in a new segment; three segments: none */
  CHECK(pt_collection_stage(c, NULL, 0, 1, 50) == NULL);
  CHECK(pt_collection_stage_split(c, NULL, 0, 1, 24 + 64 + 1, &head, &tail) == NULL);
  float *p = pt_collection_stage_split(c, NULL, 0, 1, 50, &head, &tail);
  CHECK(p == one && head == 24 && tail != NULL);
  /* a bad value in the tail piece, then in the head piece: refused, nothing changed */
  CHECK_EQ_INT(write_pieces(c, NULL, PT_OP_INSERT, 40, 50, p, head, tail, 30, &e), PT_RANGE);
  CHECK_MSG(&e, "value 'NaN' is not a number or infinity");
  CHECK_EQ_INT(write_pieces(c, NULL, PT_OP_INSERT, 40, 50, p, head, tail, 3, &e), PT_RANGE);
  CHECK_EQ_INT(count_of(c, NULL), 40);
  float *again = pt_collection_stage_split(c, NULL, 0, 1, 50, &head, &tail);
  CHECK(again == p && head == 24);
  CHECK_OK(write_pieces(c, NULL, PT_OP_INSERT, 40, 50, p, head, tail, 50, &e), &e);
  CHECK_EQ_INT(count_of(c, NULL), 90);
  bool all = true;
  for (int64_t k = 0; k < 90; k++) all = all && vector_is(c, k);
  CHECK(all);
  /* the new segment took the tail piece: staging goes on after its 26 rows */
  CHECK(pt_collection_stage(c, NULL, 0, 1, 1) == (float *)tail + 26 * SD);
  /* upsert across the boundary of segments 2 and 3 (rows 90..127 free in segment 2): keys 88,
   * 89 are overwritten in place from the head piece's first two rows; keys 90.. are appended,
   * the ones in the tail piece moved up into the head piece's place */
  float *u = pt_collection_stage_split(c, NULL, 0, 1, 38 + 5, &head, &tail);
  CHECK(u != NULL && head == 38 && tail != NULL);
  CHECK_OK(write_pieces(c, NULL, PT_OP_UPSERT, 88, 43, u, head, tail, 43, &e), &e);
  CHECK_EQ_INT(count_of(c, NULL), 131);
  all = true;
  for (int64_t k = 0; k < 131; k++) all = all && vector_is(c, k);
  CHECK(all);
  /* misuse: another kind in two pieces, a split past the rows */
  {
    int64_t keys[2] = {900, 901};
    float v[2 * SD];
    memset(v, 0, sizeof v);
    pt_column_in cols[2] = {cin(0, PT_IN_INT64, 2, 1, keys), cin(1, PT_IN_FLOAT32, 2, SD, v)};
    cols[0].values_tail = keys + 1;
    cols[0].head_rows = 1;
    pt_batch_in b = {PT_FORM_COLUMNS, 2, 2, cols};
    pt_mutation_result r;
    CHECK_EQ_INT(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), PT_MISUSE);
    cols[0].values_tail = NULL;
    cols[1].values_tail = v + SD;
    cols[1].head_rows = 3;
    CHECK_EQ_INT(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), PT_MISUSE);
    cols[1].head_rows = 1;
    CHECK_OK(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e);
    pt_mutation_result_clear(&r);
    CHECK_EQ_INT(count_of(c, NULL), 133);
  }
  free(buf);
  pt_store_close(st);
}

/* String columns given whole (typed columns, every cell a value) are checked as a column and
 * copied into storage as a block: ASCII and non-ASCII strings, empty ones, a nullable column,
 * batches that fill a segment and spill into the next (SD-wide vectors: 64 rows a segment),
 * read back exactly; a string over max_length is still refused with its message, and the
 * store is left as it was. */
TEST(string_columns_written_whole) {
  pt_store *st = test_store();
  char schema[400];
  snprintf(schema, sizeof schema,
           "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':%d},"
           "{'name':'s','dtype':21,'max_length':6},{'name':'n','dtype':21,'max_length':6,'nullable':true}]}", SD);
  pt_collection *c = coll(st, "strs", schema);
  float *vec = calloc((size_t)100 * SD, sizeof *vec);
  char expect_s[200][16], expect_n[200][16];
  size_t sizes[4] = {40, 50, 100, 3}, total = 0;
  for (size_t b = 0; b < 4; b++) {
    size_t m = sizes[b];
    int64_t *keys = malloc(m * sizeof *keys);
    const char **sv = malloc(m * sizeof *sv), **nv = malloc(m * sizeof *nv);
    for (size_t r = 0; r < m; r++) {
      size_t i = total + r;
      keys[r] = (int64_t)i;
      /* lengths 0..6; batch 2 holds non-ASCII strings (3 characters in 4 bytes) */
      if (b == 1 && r % 3 == 0) snprintf(expect_s[i], 16, "\xc3\xa9t%zu", i % 10);
      else snprintf(expect_s[i], 16, "%.*s", (int)(i % 7), "abcdefg");
      snprintf(expect_n[i], 16, "n%zu", i);
      sv[r] = expect_s[i];
      nv[r] = expect_n[i];
    }
    texts ts = {{NULL, 0, 0}, NULL}, tn = {{NULL, 0, 0}, NULL};
    pt_column_in cols[4] = {cin(PT_FIELD_BY_POSITION, PT_IN_INT64, m, 1, keys),
                            cin(PT_FIELD_BY_POSITION, PT_IN_FLOAT32, m, SD, vec),
                            cin_text(&ts, PT_FIELD_BY_POSITION, PT_IN_TEXT, sv, m),
                            cin_text(&tn, PT_FIELD_BY_POSITION, PT_IN_TEXT, nv, m)};
    pt_batch_in in = {PT_FORM_COLUMNS, m, 4, cols};
    pt_mutation_result r;
    pt_error e;
    CHECK_OK(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &in, 0, &r, &e), &e);
    pt_mutation_result_clear(&r);
    total += m;
    /* the same batch with one ASCII string of 7 characters: refused, nothing stored */
    if (b == 2) {
      sv[m - 2] = "abcdefg";
      cols[2] = cin_text(&ts, PT_FIELD_BY_POSITION, PT_IN_TEXT, sv, m);
      for (size_t q = 0; q < m; q++) keys[q] += 1000;
      BATCH_FAILS(c, NULL, PT_OP_INSERT, &in, PT_LIMIT, PT_CODE_CLIENT, PT_EXC_PARAM,
                  "invalid input of field (s), length of string exceeds max length. length: 7, max length: 6", (int64_t)m - 2);
      CHECK_EQ_INT(count_of(c, NULL), total);
    }
    texts_free(&ts);
    texts_free(&tn);
    free(keys);
    free(sv);
    free(nv);
  }
  pt_rows *rows = q(c, "{'expr':'','limit':1000,'output_fields':['s','n']}");
  CHECK_EQ_INT(pt_rows_count(rows), total);
  for (size_t i = 0; i < total && i < pt_rows_count(rows); i++) {
    int64_t id = i64_at(rows, "id", i);
    CHECK(id >= 0 && id < (int64_t)total);
    if (id < 0 || id >= (int64_t)total) continue;
    CHECK_STR(text_at(rows, "s", i), expect_s[id]);
    CHECK_STR(text_at(rows, "n", i), expect_n[id]);
  }
  pt_rows_free(rows);
  free(vec);
  pt_store_close(st);
}

TEST_MAIN(T(bits_clear_range_matches_one_by_one), T(binary_vector_of_one_byte_through_json), T(string_columns_written_whole), T(stage_writes_vectors_in_place), T(stage_split_writes_vectors_in_two_pieces), T(insert_keeps_duplicate_keys), T(large_inserts_chain_duplicate_keys), T(small_inserts_into_a_large_index_wait_and_are_found), T(upsert_is_scoped_to_the_target_partition), T(upsert_counts_and_keys), T(keys_of_every_numeric_kind), T(upsert_in_place),
          T(duplicate_keys_in_one_upsert_batch), T(auto_id_keys), T(allow_insert_auto_id), T(nullable_and_default_values), T(dynamic_field),
          T(every_type_round_trips), T(int8_sparse_and_varchar_keys_round_trip), T(json_numbers_are_exact),
          T(json_values_are_stored_in_canonical_form),
          T(json_errors_change_nothing), T(typed_errors_change_nothing), T(half_and_int8_vector_errors), T(column_form_errors), T(dataframe_form),
          T(partition_key_routing), T(batch_size_limit))
