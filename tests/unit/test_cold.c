/*
 * test_cold.c — cold rows (src/cold.c): a vector field's float rows dropped from memory beside an
 * index that searches without them, and read back from the checkpoint that holds them.
 *
 * Two collections with the same rows (1,024-d, segments of 256 rows, six full segments and a
 * partial one): `a` goes cold after a checkpoint, `b` never does. A host loop (cold_call) answers
 * PT_COLD by copying each named read out of the checkpoint's bytes and calling again. Covers:
 *   - which rows go: IVF_SQ8's full segments below the index's high-water mark (the partial one
 *     and rows written after the checkpoint stay); memory given back as reported; HNSW and
 *     IVF_RABITQ refining with the float rows drop nothing; nothing before a checkpoint, or for
 *     another checkpoint id, or for a non-vector field.
 *   - what works cold without reading back (PT_OK at once, results equal to b's): an indexed
 *     search, count(*) and scalar queries, deletes, whole-row upserts of cold keys.
 *   - what reads back (PT_COLD first, with nothing changed; then results equal to b's): vector
 *     output_fields of a query and of a search, a range search, a search by primary keys, a
 *     merge-mode upsert of a cold row, compaction, save, a checkpoint, create_index after
 *     drop_index; a filter passing few rows does not (the index scores them on its codes).
 *   - a read back that does not match (a damaged checkpoint) is PT_CORRUPT, code 1001, and
 *     installs nothing (the rows stay cold, memory as it was); a host that could not read
 *     (ok 0) installs nothing.
 *   - a store replayed from a checkpoint named for cold rows (a reopen) drops its full segments
 *     and reads them back right; replayed without the name, nothing goes.
 */
#include "harness.h"

#include <stdlib.h>

#include "store.h"
#include "vindex.h" /* pt_vindex_catch_up */

#define WIDE TEST_WIDE_DIM

/* Deletes the rows `expr` passes from a and b. */
static void delete_both(pt_collection *a, pt_collection *b, const char *expr) {
  for (int k = 0; k < 2; k++) {
    pt_mutation_result r;
    pt_error e;
    CHECK_OK(pt_collection_delete(k ? b : a, NULL, 0, expr, strlen(expr), &r, &e), &e);
    pt_mutation_result_clear(&r);
  }
}

/* The host's side: the last checkpoint's bytes, and how many times it read back. */
static uint8_t *cp;
static size_t cp_len;
static int readbacks;
static bool damage; /* hand back one wrong byte */

static pt_status read_back(pt_store *st, pt_error *e) {
  const pt_cold_read *r;
  size_t n;
  pt_status rc = pt_store_cold_reads(st, &r, &n, e);
  if (rc) return rc;
  CHECK(n > 0);
  for (size_t i = 0; i < n; i++) {
    if (!r[i].len) continue;
    CHECK(r[i].at + r[i].len <= cp_len && r[i].dst);
    if (r[i].at + r[i].len > cp_len) return pt_store_cold_done(st, 0, e);
    memcpy(r[i].dst, cp + r[i].at, r[i].len);
    if (damage && i == n - 1) r[i].dst[r[i].len / 2] ^= 1;
  }
  readbacks++;
  return pt_store_cold_done(st, 1, e);
}

/* Runs `call` until it does not need cold rows; *first: its first status. */
#define COLD_CALL(st, first, call, e)                                   \
  do {                                                                  \
    pt_status cr_ = (call);                                             \
    *(first) = cr_;                                                     \
    for (int t_ = 0; cr_ == PT_COLD && t_ < 4; t_++) {                  \
      CHECK_OK(read_back((st), (e)), (e));                              \
      cr_ = (call);                                                     \
    }                                                                   \
    CHECK_OK(cr_, (e));                                                 \
  } while (0)

static void checkpoint(pt_store *st, uint64_t id) {
  pt_error e;
  uint8_t *out = NULL;
  size_t len = 0;
  pt_status first;
  COLD_CALL(st, &first, pt_store_checkpoint(st, id, NULL, 0, &out, &len, &e), &e);
  free(cp); /* read back from, above */
  cp = malloc(len);
  memcpy(cp, out, len);
  cp_len = len;
  pt_free(out);
}

static uint64_t drop(pt_collection *c, uint64_t id) {
  uint64_t n = 0;
  pt_error e;
  CHECK_OK(pt_collection_cold_drop(c, "v", 1, id, &n, &e), &e);
  return n;
}

static size_t cold_segments(const pt_collection *c) {
  size_t n = 0;
  for (size_t p = 0; p < c->n_parts; p++)
    for (size_t s = 0; s < c->parts[p]->n_segs; s++) n += c->parts[p]->segs[s]->cols[2].cold;
  return n;
}

static const float *query_vec(void) {
  static float q[WIDE];
  for (int j = 0; j < WIDE; j++) q[j] = 7.5f + (float)(j % 5) / 5.0f;
  return q;
}

/* A search's hits as text (keys, distances and, when asked, a hash of each hit's vector). */
static char *search_text(pt_collection *c, const char *extra, pt_status *first) {
  char req[1024];
  snprintf(req, sizeof req, "{\"anns_field\":\"v\",\"metric_type\":\"L2\",\"limit\":10,\"nq\":1%s}", extra);
  pt_search_result *res = NULL;
  pt_error e;
  bool by_ids = strstr(extra, "int_ids") != NULL;
  COLD_CALL(c->store, first,
            pt_collection_search(c, req, strlen(req), by_ids ? NULL : query_vec(), by_ids ? 0 : WIDE * sizeof(float), &res, &e),
            &e);
  char *text = malloc(8192);
  size_t at = 0;
  text[0] = 0;
  if (!res) return text;
  const pt_rows *rows = pt_search_rows(res);
  size_t n = pt_rows_count(rows);
  const float *d = pt_search_distances(res);
  for (size_t i = 0; i < n && at < 8000; i++) {
    at += (size_t)snprintf(text + at, 8192 - at, "%lld:%.6g", (long long)test_i64(rows, 0, i), (double)d[i]);
    for (size_t ci = 1; ci < pt_rows_num_columns(rows); ci++) {
      const pt_column_out *col = pt_rows_column(rows, ci);
      if (col->dtype != PT_FLOAT_VECTOR) continue;
      const float *v = (const float *)col->values + i * WIDE;
      double sum = 0;
      for (int j = 0; j < WIDE; j++) sum += v[j] * (double)(j + 1);
      at += (size_t)snprintf(text + at, 8192 - at, "/%.9g", sum);
    }
    at += (size_t)snprintf(text + at, 8192 - at, " ");
  }
  pt_search_free(res);
  return text;
}

/* A query's rows: every output column's bytes hashed, with the row count. */
static uint64_t query_hash(pt_collection *c, const char *req, pt_status *first) {
  pt_rows *rows = NULL;
  pt_error e;
  COLD_CALL(c->store, first, pt_collection_query(c, req, strlen(req), &rows, &e), &e);
  uint64_t h = rows ? pt_rows_count(rows) : 0;
  for (size_t ci = 0; rows && ci < pt_rows_num_columns(rows); ci++) {
    const pt_column_out *col = pt_rows_column(rows, ci);
    if (!col->values || col->offsets) continue;
    size_t bytes = pt_rows_count(rows) * col->width * col->elem_size;
    const uint8_t *b = col->values;
    for (size_t i = 0; i < bytes; i++) h = h * 1099511628211ull ^ b[i];
  }
  pt_rows_free(rows);
  return h;
}

static void same_search(pt_collection *a, pt_collection *b, const char *extra, pt_status want_first) {
  pt_status fa, fb;
  char *ta = search_text(a, extra, &fa), *tb = search_text(b, extra, &fb);
  if (strcmp(ta, tb) != 0) fprintf(stderr, "  search %s differs:\n  %s\n  %s\n", extra, ta, tb);
  CHECK(strcmp(ta, tb) == 0 && strlen(ta) > 0);
  if (fa != want_first) fprintf(stderr, "  search %s: first status %s\n", extra, pt_status_str(fa));
  CHECK_EQ_INT(fa, want_first);
  CHECK_EQ_INT(fb, PT_OK);
  free(ta);
  free(tb);
}

static void same_query(pt_collection *a, pt_collection *b, const char *req, pt_status want_first) {
  pt_status fa, fb;
  const char *text = strchr(req, '\'') ? J(req) : req;
  uint64_t ha = query_hash(a, text, &fa), hb = query_hash(b, text, &fb);
  CHECK(ha == hb);
  if (fa != want_first) fprintf(stderr, "  query %s: first status %s\n", req, pt_status_str(fa));
  CHECK_EQ_INT(fa, want_first);
  CHECK_EQ_INT(fb, PT_OK);
}

static void create(pt_collection *c, const char *req, pt_status *first) {
  pt_error e;
  const char *r = J(req);
  COLD_CALL(c->store, first, pt_collection_create_index(c, r, strlen(r), &e), &e);
}

#define IVF_SQ8 "{'field_name':'v','index_type':'IVF_SQ8','metric_type':'L2','params':{'nlist':4}}"

/* a and b with the same rows (`segs` full segments and `extra` rows more) and index, searched
 * once (the index holds every row) */
static pt_store *twins(pt_collection **a, pt_collection **b, const char *index, size_t segs, size_t extra) {
  pt_store *st = test_store();
  const char *schema = J(TEST_WIDE_SCHEMA);
  *a = test_collection(st, "cold", schema);
  *b = test_collection(st, "warm", schema);
  test_write_wide(*a, *b, PT_OP_INSERT, 0, segs * ((size_t)(*a)->layout.seg_mask + 1) + extra, 0);
  pt_status first;
  create(*a, index, &first);
  create(*b, index, &first);
  pt_vindex_catch_up(*a, 2);
  pt_vindex_catch_up(*b, 2);
  readbacks = 0;
  return st;
}

/* Closes a test's store and forgets its checkpoint's bytes. */
static void finish(pt_store *st) {
  free(cp);
  cp = NULL;
  pt_store_close(st);
}

/* The hits of a search_text. */
static int hits_of(const char *t) {
  int n = 0;
  for (; *t; t++) n += *t == ' ';
  return n;
}

/* twins with IVF_SQ8, checkpoint 1 taken and a's full segments dropped */
static pt_store *gone_cold(pt_collection **a, pt_collection **b, size_t segs, size_t extra) {
  pt_store *st = twins(a, b, IVF_SQ8, segs, extra);
  checkpoint(st, 1);
  CHECK_EQ_INT(drop(*a, 1), segs * ((size_t)(*a)->layout.seg_mask + 1) * WIDE * sizeof(float));
  return st;
}

TEST(which_rows_go) {
  test_alloc_install(); /* counts what every test here leaves allocated (test_alloc_live) */
  pt_collection *a, *b;
  pt_store *st = twins(&a, &b, IVF_SQ8, 4, 100);
  size_t cap = (size_t)a->layout.seg_mask + 1;
  pt_error e;
  uint64_t n = 0;
  /* before any checkpoint: refused by name, nothing dropped */
  EXPECT_ERR(pt_collection_cold_drop(a, "v", 1, 1, &n, &e), &e, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "not the store's last");
  checkpoint(st, 1);
  EXPECT_ERR(pt_collection_cold_drop(a, "tag", 3, 1, &n, &e), &e, PT_NOT_FOUND, 1100, PT_EXC_MILVUS, "not a FLOAT_VECTOR field");
  EXPECT_ERR(pt_collection_cold_drop(a, "v", 1, 2, &n, &e), &e, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "not the store's last");
  size_t before = pt_memory_used();
  n = drop(a, 1);
  CHECK_EQ_INT(n, 4 * cap * WIDE * sizeof(float)); /* the four full segments, not the partial one */
  CHECK_EQ_INT(before - pt_memory_used(), n);
  CHECK_EQ_INT(cold_segments(a), 4);
  CHECK_EQ_INT(drop(a, 1), 0); /* already cold */
  /* an indexed search needs no float row */
  same_search(a, b, ",\"params\":{\"nprobe\":2}", PT_OK);
  CHECK_EQ_INT(readbacks, 0);
  CHECK_EQ_INT(cold_segments(a), 4);
  /* nor do scalar queries, count(*), deletes and whole-row upserts of cold keys */
  same_query(a, b, "{'expr':'tag < 3','output_fields':['id','tag']}", PT_OK);
  same_query(a, b, "{'expr':'','output_fields':['count(*)']}", PT_OK);
  delete_both(a, b, "id in [3, 700, 1500, 2100]");
  test_write_wide(a, b, PT_OP_UPSERT, 10, 5, 1);
  same_search(a, b, ",\"params\":{\"nprobe\":2}", PT_OK);
  { /* nprobe covering every list: the index still searches (codes), as Milvus's, and reads nothing
     * back (without cold rows the exact scan, as fast, would answer) */
    pt_status first;
    char *t = search_text(a, ",\"params\":{\"nprobe\":4}", &first);
    CHECK_EQ_INT(first, PT_OK);
    CHECK(strlen(t) > 0);
    free(t);
  }
  CHECK_EQ_INT(readbacks, 0);
  CHECK_EQ_INT(cold_segments(a), 4);
  finish(st);
  CHECK_EQ_INT(test_alloc_live(), 0);

  /* indexes that read the float rows keep them */
  const char *keep[] = {"{'field_name':'v','index_type':'HNSW','metric_type':'L2','params':{'M':4,'efConstruction':16}}",
                        "{'field_name':'v','index_type':'IVF_FLAT','metric_type':'L2','params':{'nlist':4}}",
                        "{'field_name':'v','index_type':'HNSW_SQ','metric_type':'L2','params':{'M':4,'efConstruction':16,'refine':true}}",
                        "{'field_name':'v','index_type':'IVF_RABITQ','metric_type':'L2','params':{'nlist':4,'refine':true}}"};
  for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
    st = twins(&a, &b, keep[i], 1, 10);
    checkpoint(st, 5);
    CHECK_EQ_INT(drop(a, 5), 0);
    finish(st);
  }
  /* and those that do not, drop theirs */
  const char *go[] = {"{'field_name':'v','index_type':'HNSW_SQ','metric_type':'L2','params':{'M':4,'efConstruction':16}}",
                      "{'field_name':'v','index_type':'IVF_RABITQ','metric_type':'L2','params':{'nlist':4,'refine':true,'refine_type':'SQ8'}}"};
  for (size_t i = 0; i < sizeof go / sizeof *go; i++) {
    st = twins(&a, &b, go[i], 1, 10);
    checkpoint(st, 5);
    CHECK_EQ_INT(drop(a, 5), cap * WIDE * sizeof(float));
    pt_status first;
    char *t = search_text(a, i ? ",\"params\":{\"nprobe\":2}" : ",\"params\":{\"ef\":64}", &first);
    CHECK_EQ_INT(first, PT_OK); /* searched on the index's codes, nothing read back */
    CHECK(strlen(t) > 0);
    free(t);
    /* a filter passing few rows: scored on the codes too, every one of them found */
    t = search_text(a, i ? ",\"params\":{\"nprobe\":2},\"expr\":\"id < 5\"" : ",\"params\":{\"ef\":64},\"expr\":\"id < 5\"", &first);
    CHECK_EQ_INT(first, PT_OK);
    CHECK_EQ_INT(hits_of(t), 5);
    free(t);
    finish(st);
  }
  CHECK_EQ_INT(test_alloc_live(), 0);
}

/* Each reader that needs cold rows: PT_COLD first, then the same as the warm twin; the rows are
 * dropped again between readers (the checkpoint still holds them). */
TEST(readers_read_back) {
  pt_collection *a, *b;
  pt_store *st = twins(&a, &b, IVF_SQ8, 4, 100);
  size_t cap = (size_t)a->layout.seg_mask + 1;
  /* rows deleted before the checkpoint: it holds the others of their segments back to back,
   * spread to their places again when read back */
  delete_both(a, b, test_jf("id in [0, 2, 3, 6, %zu, %zu]", cap - 1, cap + 2));
  checkpoint(st, 1);
  CHECK_EQ_INT(drop(a, 1), 4 * cap * WIDE * sizeof(float));
  CHECK_EQ_INT(pt_cold_bytes(), 4 * cap * WIDE * sizeof(float));

  /* rows of segments 0, 1, 3 and of the partial one */
  const char *q4 = test_jf("{'expr':'id in [1, 5, %zu, %zu, %zu, %zu]','output_fields':['v']}", cap - 2, cap + 1, 3 * cap + 7, 4 * cap + 50);
  same_query(a, b, q4, PT_COLD);
  CHECK_EQ_INT(readbacks, 1);
  CHECK_EQ_INT(cold_segments(a), 1); /* only the segments of the rows asked for came back */
  CHECK_EQ_INT(pt_cold_bytes(), cap * WIDE * sizeof(float));
  CHECK(drop(a, 1) > 0);
  same_search(a, b, ",\"params\":{\"nprobe\":2},\"output_fields\":[\"v\"]", PT_COLD);
  CHECK(drop(a, 1) > 0);
  { /* a filter passing few rows: the index scores them on its codes (the warm twin scans the
     * rows), reading nothing back: the same rows */
    int before = readbacks;
    pt_status first;
    char *t = search_text(a, ",\"params\":{\"nprobe\":2},\"expr\":\"id in [7, 900, 1300]\"", &first);
    CHECK_EQ_INT(first, PT_OK);
    CHECK_EQ_INT(readbacks, before);
    CHECK(strstr(t, "7:") == t || strstr(t, " 7:") != NULL);
    CHECK(strstr(t, "900:") != NULL && strstr(t, "1300:") != NULL);
    CHECK_EQ_INT(hits_of(t), 3);
    free(t);
  }
  same_search(a, b, ",\"params\":{\"nprobe\":2,\"radius\":1e9}", PT_COLD); /* range: exact */
  CHECK(drop(a, 1) > 0);
  same_search(a, b, ",\"int_ids\":[\"17\"],\"params\":{\"nprobe\":2}", PT_COLD);
  CHECK(drop(a, 1) > 0);

  /* merge-mode upsert of a cold row (v kept from the stored row): nothing changes on PT_COLD */
  {
    const char *m = "[{\"id\":40,\"tag\":99}]";
    for (int k = 0; k < 2; k++) {
      pt_collection *c = k ? b : a;
      pt_mutation_result r;
      pt_error e;
      uint64_t live = pt_collection_num_entities(c, NULL, 0);
      size_t mem = pt_memory_used();
      pt_status first;
      if (!k) {
        pt_status rc = pt_collection_write_json(c, NULL, 0, PT_OP_UPSERT, m, strlen(m), PT_WRITE_MERGE, &r, &e);
        CHECK_EQ_INT(rc, PT_COLD);
        CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), live);
        CHECK_EQ_INT(pt_memory_used(), mem);
      }
      COLD_CALL(st, &first, pt_collection_write_json(c, NULL, 0, PT_OP_UPSERT, m, strlen(m), PT_WRITE_MERGE, &r, &e), &e);
      pt_mutation_result_clear(&r);
    }
    same_query(a, b, "{'expr':'id == 40','output_fields':['*']}", PT_OK);
  }
  CHECK(drop(a, 1) > 0);

  /* compaction of a partition with deleted rows */
  delete_both(a, b, "id < 600 or id == 1500");
  {
    pt_error e;
    uint64_t ra = 0, rb = 0;
    pt_status first;
    COLD_CALL(st, &first, pt_collection_compact(a, NULL, 0, &ra, &e), &e);
    CHECK_EQ_INT(first, PT_COLD);
    CHECK_OK(pt_collection_compact(b, NULL, 0, &rb, &e), &e);
    CHECK_EQ_INT(ra, rb);
  }
  same_search(a, b, ",\"params\":{\"nprobe\":4}", PT_OK);
  same_query(a, b, "{'expr':'id > 1000','output_fields':['*']}", PT_OK);

  /* save: the snapshot holds the rows, loaded again it answers as b */
  checkpoint(st, 2);
  CHECK(drop(a, 2) > 0);
  {
    pt_error e;
    uint8_t *bytes = NULL;
    size_t len = 0;
    pt_status first;
    COLD_CALL(st, &first, pt_collection_save(a, &bytes, &len, &e), &e);
    CHECK_EQ_INT(first, PT_COLD);
    pt_collection *c = NULL;
    CHECK_OK(pt_collection_load(st, bytes, len, "again", 5, &c, &e), &e);
    pt_free(bytes);
    same_query(c, b, "{'expr':'id >= 0','output_fields':['*']}", PT_OK);
  }
  /* a checkpoint reads them back (checkpoint() loops) */
  CHECK(drop(a, 2) > 0);
  readbacks = 0;
  checkpoint(st, 3);
  CHECK_EQ_INT(readbacks, 1);
  CHECK_EQ_INT(cold_segments(a), 0);
  /* create_index after drop_index reads every row; without an index the search is exact */
  CHECK(drop(a, 3) > 0);
  {
    pt_error e;
    const char *r = J("{'field_name':'v'}");
    CHECK_OK(pt_collection_drop_index(a, r, strlen(r), &e), &e);
    pt_status first;
    create(a, IVF_SQ8, &first);
    CHECK_EQ_INT(first, PT_COLD);
    CHECK_EQ_INT(cold_segments(a), 0);
    pt_vindex_catch_up(a, 2);
    checkpoint(st, 4);
    CHECK(drop(a, 4) > 0);
    CHECK_OK(pt_collection_drop_index(a, r, strlen(r), &e), &e);
    CHECK_OK(pt_collection_drop_index(b, r, strlen(r), &e), &e);
    same_search(a, b, "", PT_COLD); /* no index: exact */
    CHECK_EQ_INT(cold_segments(a), 0);
    CHECK_EQ_INT(drop(a, 4), 0); /* no index: nothing may go */
  }
  finish(st);
  CHECK_EQ_INT(pt_cold_bytes(), 0);
  CHECK_EQ_INT(test_alloc_live(), 0);
}

/* Bytes that do not match what was dropped install nothing; neither does a failed read. */
TEST(damaged_read_back) {
  pt_collection *a, *b;
  pt_store *st = gone_cold(&a, &b, 3, 0);
  size_t cap = (size_t)a->layout.seg_mask + 1;
  const char *req = test_jf("{'expr':'id in [1, %zu]','output_fields':['v']}", cap + 1);
  pt_rows *rows = NULL;
  pt_error e;
  EXPECT_ERR(pt_collection_query(a, req, strlen(req), &rows, &e), &e, PT_COLD, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "not in memory");
  size_t mem = pt_memory_used();
  damage = true;
  EXPECT_ERR(read_back(st, &e), &e, PT_CORRUPT, PT_CODE_IO_FAILED, PT_EXC_MILVUS, "IO failed");
  damage = false;
  CHECK_EQ_INT(pt_memory_used(), mem);
  CHECK_EQ_INT(cold_segments(a), 3);
  /* a host that could not read */
  EXPECT_ERR(pt_collection_query(a, req, strlen(req), &rows, &e), &e, PT_COLD, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "not in memory");
  const pt_cold_read *r;
  size_t n;
  CHECK_OK(pt_store_cold_reads(st, &r, &n, &e), &e);
  CHECK_EQ_INT(n, 2);
  CHECK_OK(pt_store_cold_done(st, 0, &e), &e);
  CHECK_EQ_INT(pt_memory_used(), mem);
  CHECK_EQ_INT(cold_segments(a), 3);
  /* then a good read */
  pt_status first;
  uint64_t h = query_hash(a, req, &first);
  CHECK_EQ_INT(first, PT_COLD);
  CHECK(h == query_hash(b, req, &first));
  CHECK_EQ_INT(cold_segments(a), 1);
  finish(st);
  CHECK_EQ_INT(test_alloc_live(), 0);
}

/* A store replayed from a checkpoint named for cold rows (pt_store_cold_source): the float rows
 * of its full segments below the index's high-water mark are never copied (cold from the load,
 * marked where they lie in it); read back, they are the rows that were saved. A checkpoint
 * replayed without the name marks nothing. */
TEST(replayed_checkpoint_goes_cold) {
  pt_collection *a, *b;
  pt_store *st = twins(&a, &b, IVF_SQ8, 3, 20);
  size_t cap = (size_t)a->layout.seg_mask + 1;
  { /* b without an index: its rows may not go, the replay copies them */
    pt_error e;
    const char *r = J("{'field_name':'v'}");
    CHECK_OK(pt_collection_drop_index(b, r, strlen(r), &e), &e);
  }
  checkpoint(st, 9);
  for (int named = 0; named < 2; named++) {
    pt_store *re = test_store();
    if (named) pt_store_cold_source(re, cp, cp_len);
    size_t at = 0;
    pt_log_record rec;
    pt_error e;
    int applied;
    while (pt_log_apply_next(re, cp, cp_len, at, &rec, &applied, &e) == PT_OK) at += rec.length;
    CHECK_EQ_INT(at, cp_len);
    pt_store_cold_source(re, NULL, 0);
    pt_collection *c = pt_collection_find(re, "cold", 4);
    CHECK(c != NULL);
    if (!c) break;
    pt_vindex_catch_up(c, 2);
    uint64_t n = 0;
    if (named) { /* the load left them cold: never copied */
      CHECK_EQ_INT(cold_segments(c), 3);
      CHECK_EQ_INT(drop(c, 9), 0);
    }
    else EXPECT_ERR(pt_collection_cold_drop(c, "v", 1, 9, &n, &e), &e, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "not the store's last");
    const char *q = test_jf("{'expr':'id in [2, %zu, %zu, %zu]','output_fields':['v']}", cap + 5, 2 * cap + 9, 3 * cap + 3);
    pt_status first;
    uint64_t h = query_hash(c, q, &first);
    CHECK_EQ_INT(first, named ? PT_COLD : PT_OK);
    CHECK(h == query_hash(b, q, &first));
    same_search(c, a, ",\"params\":{\"nprobe\":2}", PT_OK); /* the index a saved */
    pt_collection *w = pt_collection_find(re, "warm", 4);
    CHECK(w != NULL);
    if (w) {
      CHECK_EQ_INT(cold_segments(w), 0);
      CHECK(query_hash(w, q, &first) == query_hash(b, q, &first));
      CHECK_EQ_INT(first, PT_OK);
    }
    pt_store_close(re);
  }
  finish(st);
  CHECK_EQ_INT(pt_cold_bytes(), 0);
  CHECK_EQ_INT(test_alloc_live(), 0);
}

/* A row overwritten in place after the checkpoint (an upsert of a row no index held yet) makes
 * its segment's bytes differ from the checkpoint's: that segment stays, the others go. */
TEST(overwritten_after_checkpoint_stays) {
  pt_collection *a, *b;
  pt_store *st = twins(&a, &b, IVF_SQ8, 1, 0);
  size_t cap = (size_t)a->layout.seg_mask + 1;
  test_write_wide(a, b, PT_OP_INSERT, cap, cap, 0); /* a second full segment, not indexed yet */
  checkpoint(st, 1);
  test_write_wide(a, b, PT_OP_UPSERT, cap + 3, 1, 7); /* in place: no index holds it */
  pt_vindex_catch_up(a, 2);
  pt_vindex_catch_up(b, 2);
  CHECK_EQ_INT(drop(a, 1), cap * WIDE * sizeof(float));
  CHECK(!a->parts[0]->segs[1]->cols[2].cold);
  same_query(a, b, test_jf("{'expr':'id in [1, %zu]','output_fields':['v']}", cap + 3), PT_COLD);
  finish(st);
  CHECK_EQ_INT(test_alloc_live(), 0);
}

/* An automatic compaction does not read cold rows back: it waits for the next checkpoint, which
 * does, and runs there. */
TEST(compaction_waits_for_the_checkpoint) {
  pt_collection *a, *b;
  pt_store *st = gone_cold(&a, &b, 4, 10);
  size_t cap = (size_t)a->layout.seg_mask + 1;
  delete_both(a, b, test_jf("id < %zu", 3 * cap)); /* three segments' rows: b compacts after it */
  CHECK(b->parts[0]->n_rows == b->parts[0]->n_live);
  CHECK(a->parts[0]->n_rows > a->parts[0]->n_live);
  CHECK(a->compact_deferred);
  CHECK_EQ_INT(readbacks, 0);
  checkpoint(st, 2);
  CHECK(a->parts[0]->n_rows == a->parts[0]->n_live);
  CHECK(!a->compact_deferred);
  CHECK(drop(a, 2) > 0);
  same_search(a, b, ",\"params\":{\"nprobe\":2}", PT_OK);
  same_query(a, b, "{'expr':'id >= 0','output_fields':['*']}", PT_COLD);
  finish(st);
  CHECK_EQ_INT(test_alloc_live(), 0);
}

/* Allocation failure, swept over a read back (pt_store_cold_reads, pt_store_cold_done) of
 * segments with deleted rows (spread back to their places): PT_NOMEM with the rows still cold and
 * memory as it was, or success; and over a query naming cold rows: PT_NOMEM, or PT_COLD. */
TEST(read_back_allocation_failures) {
  test_alloc_install();
  pt_collection *a, *b;
  pt_store *st = twins(&a, &b, IVF_SQ8, 2, 0);
  size_t cap = (size_t)a->layout.seg_mask + 1;
  delete_both(a, b, "id in [1, 4]");
  checkpoint(st, 1);
  CHECK_EQ_INT(drop(a, 1), 2 * cap * WIDE * sizeof(float));
  const char *q = test_jf("{'expr':'id in [2, %zu]','output_fields':['v']}", cap + 1);
  pt_status first;
  uint64_t want = query_hash(b, q, &first);
  long n;
  for (n = 1; n < 100000; n++) {
    pt_rows *rows = NULL;
    pt_error e;
    pt_status rc = pt_collection_query(a, q, strlen(q), &rows, &e);
    CHECK_EQ_INT(rc, PT_COLD);
    size_t mem = pt_memory_used();
    test_alloc_fail_at(n);
    rc = read_back(st, &e);
    long used = test_alloc_count();
    test_alloc_fail_at(0);
    if (rc == PT_OK) {
      CHECK(used < n);
      CHECK_EQ_INT(cold_segments(a), 0);
      CHECK(query_hash(a, q, &first) == want);
      break;
    }
    if (rc != PT_NOMEM || pt_memory_used() != mem || cold_segments(a) != 2) {
      fprintf(stderr, "  FAIL read back, allocation %ld failing: %s\n", n, pt_status_str(rc));
      pt_test_failures++;
      break;
    }
  }
  CHECK(n > 2);
  /* the query itself, naming the cold rows */
  CHECK_EQ_INT(drop(a, 1), 2 * cap * WIDE * sizeof(float));
  for (n = 1; n < 100000; n++) {
    pt_rows *rows = NULL;
    pt_error e;
    test_alloc_fail_at(n);
    pt_status rc = pt_collection_query(a, q, strlen(q), &rows, &e);
    long used = test_alloc_count();
    test_alloc_fail_at(0);
    pt_rows_free(rows);
    if (rc == PT_COLD) {
      CHECK(used < n);
      CHECK_OK(pt_store_cold_done(st, 0, &e), &e); /* not read: forgotten */
      break;
    }
    CHECK_EQ_INT(rc, PT_NOMEM);
  }
  CHECK(n > 1);
  finish(st);
  CHECK_EQ_INT(test_alloc_live(), 0);
}

TEST_MAIN(T(which_rows_go), T(readers_read_back), T(damaged_read_back), T(replayed_checkpoint_goes_cold),
          T(overwritten_after_checkpoint_stays), T(compaction_waits_for_the_checkpoint), T(read_back_allocation_failures))
