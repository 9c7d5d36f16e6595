/*
 * test_alloc.c — allocation failure, swept: each scenario is run with the 1st, 2nd, 3rd, ...
 * allocation failing until it runs without reaching the failure (SQLite's faultsim loop).
 *
 * Covers:
 *   - the allocator hooks: installing the test allocator before anything is allocated,
 *     pt_set_allocator refusing while memory is in use or with a missing hook, pt_alloc /
 *     pt_free / pt_memory_used.
 *   - scenarios: open a store, build a schema, create a collection and a partition, describe
 *     the schema; upsert a JSON batch (every kind of field, dynamic keys, a new segment) into a
 *     collection that holds data; insert a typed batch into a partition-key collection (several
 *     target partitions); query (filters, "*", dynamic keys, count(*), empty expression);
 *     delete with a partition scope.
 *     search (a filter, output fields, a group of nq vectors) and its JSON rendering.
 *   - the memory ceiling (pt_set_memory_limit): every ceiling from the bytes in use up to what
 *     an upsert needs refuses it with Milvus's quota error (code 9) and a store left as it was;
 *     a ceiling with room lets it through; freeing still works over a lowered ceiling.
 *   - freeing at the ceiling (pt_memory_relief): with the ceiling exactly at what is in use, and
 *     far below it, delete (by a filter, by keys), compact (of 40 MiB of rows: twice the
 *     relief, so only a compaction that goes a segment at a time fits), drop a partition and
 *     drop a collection all work and free memory; growth is refused again after each; a
 *     host's allocation in relief passes the ceiling, by at most PT_MEMORY_RELIEF.
 *   - for every failing N: the call reports PT_NOMEM with the error filled in, returns nothing, leaves the
 *     store exactly as before (same counts, same query results), and leaks nothing
 *     (test_alloc_live() and pt_memory_used() back to their baselines).
 *   - the run that succeeds must not have hit the failure (no allocation failure is swallowed)
 *     and must produce exactly what a run without failures produces.
 */
#include "harness.h"

#include <stdlib.h>

/* Allocations allowed per scenario before the sweep gives up (a runaway guard). */
#define MAX_STEPS 20000

static pt_collection *coll(pt_store *st, const char *name, const char *sq) {
  return test_collection(st, name, J(sq));
}

/* A failed call's status is an allocation failure (a failure inside cJSON included: the
 * allocator counts failures, so it is never reported as a syntax error). */
static bool clean_failure(pt_status rc, const pt_error *e) {
  return rc == PT_NOMEM && e->status == rc && e->message[0] != '\0';
}

static bool leaked; /* a leak ends a sweep: every later run would report it again */

static void report(const char *scenario, long n, const char *what) {
  fprintf(stderr, "  FAIL %s, allocation %ld failing: %s\n", scenario, n, what);
  pt_test_failures++;
  if (strstr(what, "leaked")) leaked = true;
}

/* ============================================================================================ */

TEST(allocator_hooks) {
  /* first of all: nothing is allocated yet, so the test allocator goes in */
  CHECK_EQ_INT(pt_memory_used(), 0);
  test_alloc_install();
  CHECK_EQ_INT(test_alloc_live(), 0);
  /* a missing hook is refused */
  pt_allocator bad = {NULL, NULL, NULL, NULL};
  CHECK_EQ_INT(pt_set_allocator(&bad), PT_MISUSE);
  /* blocks are counted, in bytes and in blocks */
  void *p = pt_alloc(100);
  CHECK(p != NULL);
  CHECK_EQ_INT(pt_memory_used(), 100);
  CHECK_EQ_INT(test_alloc_live(), 1);
  /* no allocator change while memory is in use */
  CHECK_EQ_INT(pt_set_allocator(NULL), PT_MISUSE);
  pt_store *st = test_store();
  CHECK(pt_memory_used() > 100);
  CHECK_EQ_INT(pt_set_allocator(NULL), PT_MISUSE);
  pt_store_close(st);
  pt_free(p);
  pt_free(NULL);
  CHECK_EQ_INT(pt_memory_used(), 0);
  CHECK_EQ_INT(test_alloc_live(), 0);
  /* now it may change: back to libc and to the test allocator again */
  CHECK_EQ_INT(pt_set_allocator(NULL), PT_OK);
  test_alloc_install();
  /* a failing allocation is reported as NULL by pt_alloc */
  test_alloc_fail_at(1);
  CHECK(pt_alloc(8) == NULL);
  test_alloc_fail_at(0);
  CHECK_EQ_INT(test_alloc_live(), 0);
  CHECK_EQ_INT(pt_memory_used(), 0);
}

/* ---- scenario 1: store, schema, collection, partition, description ---- */

#define FULL_SCHEMA "{'description':'d','enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true}," \
  "{'name':'t','dtype':21,'max_length':16,'nullable':true,'default_value':'dflt'},{'name':'j','dtype':23,'nullable':true}," \
  "{'name':'ai','dtype':22,'element_type':5,'max_capacity':8},{'name':'as','dtype':22,'element_type':21,'max_length':8,'max_capacity':4}," \
  "{'name':'sp','dtype':104},{'name':'v','dtype':101,'dim':4},{'name':'h','dtype':102,'dim':4},{'name':'n','dtype':4,'nullable':true}," \
  "{'name':'f','dtype':11,'default_value':2.5},{'name':'b','dtype':1,'default_value':true}]}"

/* Runs the creation scenario with allocation n failing; true when it ran to the end. */
static bool create_once(long n) {
  const char *sq = J(FULL_SCHEMA);
  pt_store *st = NULL;
  pt_schema *s = NULL;
  pt_collection *c = NULL;
  char *text = NULL;
  pt_error e;
  bool done = false;
  const char *stage = "store";
  test_alloc_fail_at(n);
  pt_store_options o = {NULL, NULL, 0};
  pt_status rc = pt_store_open(&o, &st);
  if (rc != PT_OK) {
    if (rc != PT_NOMEM || st != NULL) report("store open", n, "not a clean PT_NOMEM");
    goto out;
  }
  stage = "schema";
  rc = pt_schema_from_json(sq, strlen(sq), &s, &e);
  if (rc != PT_OK) {
    if (!clean_failure(rc, &e) || s != NULL) report("schema", n, e.message);
    goto out;
  }
  stage = "create";
  rc = pt_collection_create(st, "c", 1, s, NULL, &c, &e);
  if (rc != PT_OK) {
    if (!clean_failure(rc, &e) || c != NULL || pt_store_num_collections(st) != 0) report("create", n, e.message);
    goto out;
  }
  stage = "partition";
  rc = pt_partition_create(c, "p", 1, &e);
  if (rc != PT_OK) {
    if (!clean_failure(rc, &e) || pt_collection_num_partitions(c) != 1 || pt_partition_exists(c, "p", 1))
      report("partition", n, e.message);
    goto out;
  }
  stage = "describe";
  rc = pt_schema_to_json(pt_collection_schema(c), &text, NULL);
  if (rc != PT_OK) {
    if (rc != PT_NOMEM || text != NULL) report("describe", n, "not a clean PT_NOMEM");
    goto out;
  }
  done = true;
  if (test_alloc_count() >= n) report("create", n, "succeeded although an allocation failed");
out:
  test_alloc_fail_at(0);
  if (done) {
    /* what a run without failures gives */
    pt_schema *back = test_schema(text);
    char *again = NULL;
    if (pt_schema_to_json(back, &again, NULL) != PT_OK || strcmp(again, text) != 0) report("describe", n, "a different description");
    pt_free(again);
    pt_schema_free(back);
    if (pt_collection_num_partitions(c) != 2) report("partition", n, "not created");
  }
  pt_free(text);
  pt_schema_free(s);
  pt_store_close(st);
  if (test_alloc_live() != 0 || pt_memory_used() != 0) {
    char what[160];
    snprintf(what, sizeof what, "memory leaked (the run stopped at: %s)", stage);
    report("create", n, what);
  }
  return done;
}

TEST(create_sweep) {
  long n = 1;
  while (n < MAX_STEPS && !create_once(n) && !leaked) n++;
  CHECK(n < MAX_STEPS);
  CHECK(n > 10); /* the scenario allocates, so some runs failed */
}

/* ---- scenario 2: upsert a JSON batch into a collection holding data ---- */

/* A store with FULL_SCHEMA holding 62 rows (the next ones start a new segment). */
static pt_collection *full_collection(pt_store *st) {
  pt_collection *c = coll(st, "c", FULL_SCHEMA);
  pt_error e;
  if (pt_partition_create(c, "p", 1, &e) != PT_OK) exit(2);
  test_buf b = {NULL, 0, 0};
  test_buf_put(&b, "[", 1);
  for (int i = 0; i < 62; i++)
    test_buf_printf(&b, "%s{\"id\":%d,\"t\":\"t%d\",\"j\":{\"k\":%d},\"ai\":[%d,2],\"as\":[\"a\",\"b\"],\"sp\":{\"%d\":0.5},"
                    "\"v\":[%d,0,0,1],\"h\":[0.5,0,0,%d],\"n\":%d%s}",
                    i ? "," : "", i, i, i, i, i, i, i, i, i % 5 ? ",\"extra\":1" : "");
  test_buf_put(&b, "]", 1);
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, b.p);
  pt_mutation_result_clear(&r);
  test_buf_free(&b);
  r = test_write(c, "p", PT_OP_INSERT, J("[{'id':1,'ai':[],'as':[],'sp':{},'v':[0,0,0,0],'h':[0,0,0,0]}]"));
  pt_mutation_result_clear(&r);
  return c;
}

static const char *UPSERT_BATCH =
    "[{'id':3,'t':null,'j':[1,{'a':null}],'ai':[9007199254740993,-1],'as':['xy'],'sp':{'indices':[7,2],'values':[1,2]},"
    "'v':[1,2,3,4],'h':[1,2,3,4],'n':null,'color':'red'},"
    "{'id':100,'t':'new','j':'text','ai':[1,2,3,4,5,6,7,8],'as':['a','b','c','d'],'sp':[[4294967294,0.25]],'v':[0,0,0,0],"
    "'h':[0,0,0,0],'f':1e300,'b':false},"
    "{'id':1,'j':{'deep':[[[[1]]]]},'ai':[],'as':[],'sp':{},'v':[1,1,1,1],'h':[1,1,1,1],'n':7,'x':{'y':[1,2]},'z':null},"
    "{'id':101,'ai':[5],'as':['q'],'sp':{'1':1},'v':[5,5,5,5],'h':[5,5,5,5]},"
    "{'id':102,'ai':[5],'as':['q'],'sp':{'1':1},'v':[5,5,5,5],'h':[5,5,5,5]},"
    "{'id':61,'t':'last','ai':[5],'as':['q'],'sp':{'1':1},'v':[5,5,5,5],'h':[5,5,5,5]}]";

static char *upsert_reference;

static bool upsert_once(long n) {
  pt_store *st = test_store();
  pt_collection *c = full_collection(st);
  char *before = test_snapshot(c);
  long live = test_alloc_live();
  const char *json = J(UPSERT_BATCH);
  pt_mutation_result r;
  pt_error e;
  test_alloc_fail_at(n);
  pt_status rc = pt_collection_write_json(c, NULL, 0, PT_OP_UPSERT, json, strlen(json), 0, &r, &e);
  long count = test_alloc_count();
  test_alloc_fail_at(0);
  char *after = test_snapshot(c);
  bool done = rc == PT_OK;
  if (!done) {
    if (!clean_failure(rc, &e)) report("upsert", n, e.message);
    if (r.n_keys || r.int_keys || r.insert_count) report("upsert", n, "a failed write left a result");
    if (strcmp(before, after) != 0) report("upsert", n, "a failed write changed the store");
    (void)live;
  } else {
    if (count >= n) report("upsert", n, "succeeded although an allocation failed");
    if (r.upsert_count != 6 || r.n_keys != 6) report("upsert", n, "wrong counts");
    if (strcmp(after, upsert_reference) != 0) report("upsert", n, "a result different from a run without failures");
  }
  pt_mutation_result_clear(&r);
  free(before);
  free(after);
  pt_store_close(st);
  if (test_alloc_live() != 0 || pt_memory_used() != 0) report("upsert", n, "memory leaked");
  return done;
}

TEST(upsert_sweep) {
  /* the reference: the same upsert without failures */
  pt_store *st = test_store();
  pt_collection *c = full_collection(st);
  pt_mutation_result r = test_write(c, NULL, PT_OP_UPSERT, J(UPSERT_BATCH));
  pt_mutation_result_clear(&r);
  upsert_reference = test_snapshot(c);
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 66);
  pt_store_close(st);
  long n = 1;
  while (n < MAX_STEPS && !upsert_once(n) && !leaked) n++;
  CHECK(n < MAX_STEPS);
  CHECK(n > 50);
  free(upsert_reference);
}

/* ---- scenario 3: a typed insert spread over the partitions of a partition-key collection ---- */

static pt_collection *keyed_collection(pt_store *st) {
  pt_schema *s = test_schema(J("{'fields':[{'name':'id','dtype':21,'max_length':8,'is_primary':true},"
                               "{'name':'k','dtype':5,'is_partition_key':true},{'name':'v','dtype':101,'dim':2},"
                               "{'name':'j','dtype':23}]}"));
  pt_collection_options o = {4, 0};
  pt_collection *c = NULL;
  pt_error e;
  if (pt_collection_create(st, "k", 1, s, &o, &c, &e) != PT_OK) exit(2);
  pt_schema_free(s);
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[{'id':'a','k':1,'v':[0,0],'j':1},{'id':'b','k':2,'v':[0,0],'j':2}]"));
  pt_mutation_result_clear(&r);
  return c;
}

static pt_status typed_write(pt_collection *c, pt_mutation_result *r, pt_error *e) {
  static const char keys[] = "k0k1k2k3k4k5k6k7a";
  static const uint32_t key_offs[10] = {0, 2, 4, 6, 8, 10, 12, 14, 16, 17};
  static const int64_t parts[9] = {1, 2, 3, 4, 5, 6, 7, 8, 2};
  static const float vecs[18] = {0};
  static const char docs[] = "{}[1]{\"a\":\"b\"}null1\"s\"[][]{}";
  static const uint32_t doc_offs[10] = {0, 2, 5, 14, 18, 19, 22, 24, 26, 28};
  pt_column_in cols[4];
  memset(cols, 0, sizeof cols);
  cols[0].field = 0; cols[0].kind = PT_IN_TEXT; cols[0].n_rows = 9; cols[0].width = 1; cols[0].values = keys; cols[0].offsets = key_offs;
  cols[1].field = 1; cols[1].kind = PT_IN_INT64; cols[1].n_rows = 9; cols[1].width = 1; cols[1].values = parts;
  cols[2].field = 2; cols[2].kind = PT_IN_FLOAT32; cols[2].n_rows = 9; cols[2].width = 2; cols[2].values = vecs;
  cols[3].field = 3; cols[3].kind = PT_IN_JSON; cols[3].n_rows = 9; cols[3].width = 1; cols[3].values = docs; cols[3].offsets = doc_offs;
  pt_batch_in b = {PT_FORM_ROWS, 9, 4, cols};
  return pt_collection_write(c, NULL, 0, PT_OP_UPSERT, &b, 0, r, e);
}

static char *typed_reference;

static bool typed_once(long n) {
  pt_store *st = test_store();
  pt_collection *c = keyed_collection(st);
  char *before = test_snapshot(c);
  pt_mutation_result r;
  pt_error e;
  test_alloc_fail_at(n);
  pt_status rc = typed_write(c, &r, &e);
  long count = test_alloc_count();
  test_alloc_fail_at(0);
  char *after = test_snapshot(c);
  bool done = rc == PT_OK;
  if (!done) {
    if (!clean_failure(rc, &e)) report("typed upsert", n, e.message);
    if (strcmp(before, after) != 0) report("typed upsert", n, "a failed write changed the store");
  } else {
    if (count >= n) report("typed upsert", n, "succeeded although an allocation failed");
    if (strcmp(after, typed_reference) != 0) report("typed upsert", n, "a result different from a run without failures");
  }
  pt_mutation_result_clear(&r);
  free(before);
  free(after);
  pt_store_close(st);
  if (test_alloc_live() != 0 || pt_memory_used() != 0) report("typed upsert", n, "memory leaked");
  return done;
}

TEST(partition_key_sweep) {
  pt_store *st = test_store();
  pt_collection *c = keyed_collection(st);
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(typed_write(c, &r, &e), &e);
  pt_mutation_result_clear(&r);
  typed_reference = test_snapshot(c);
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 10);
  int used = 0;
  for (size_t p = 0; p < 4; p++) used += pt_collection_num_entities(c, pt_collection_partition_name(c, p, NULL), 10) > 0;
  CHECK(used > 2);
  pt_store_close(st);
  long n = 1;
  while (n < MAX_STEPS && !typed_once(n) && !leaked) n++;
  CHECK(n < MAX_STEPS);
  CHECK(n > 10);
  free(typed_reference);
}

/* ---- scenario 4: queries ---- */

static const char *const QUERIES[] = {
    "{'expr':'id in [1, 3, 5, 999]','output_fields':['*']}",
    "{'expr':'','limit':70,'offset':2,'output_fields':['t','ai','as','sp','h','n','f','b']}",
    "{'expr':'id == 1','output_fields':['extra','nope']}",
    "{'expr':'id in [1, 2]','output_fields':['count(*)'],'partition_names':['p','_default']}",
    "{'output_fields':['count(*)']}",
    "{'expr':'id > 1'}",
};

TEST(query_sweep) {
  pt_store *st = test_store();
  pt_collection *c = full_collection(st);
  for (size_t i = 0; i < sizeof QUERIES / sizeof QUERIES[0]; i++) {
    const char *req = J(QUERIES[i]);
    pt_rows *ref = NULL;
    pt_error e;
    pt_status want = pt_collection_query(c, req, strlen(req), &ref, &e);
    char *ref_dump = want == PT_OK ? test_dump_rows(ref) : NULL;
    pt_rows_free(ref);
    long live = test_alloc_live();
    size_t bytes = pt_memory_used();
    long n = 1;
    for (; n < MAX_STEPS; n++) {
      pt_rows *rows = (pt_rows *)1;
      test_alloc_fail_at(n);
      pt_status rc = pt_collection_query(c, req, strlen(req), &rows, &e);
      long count = test_alloc_count();
      test_alloc_fail_at(0);
      if (rc == PT_OK) {
        char *d = test_dump_rows(rows);
        if (want != PT_OK || strcmp(d, ref_dump) != 0) report("query", n, "a result different from a run without failures");
        if (count >= n) report("query", n, "succeeded although an allocation failed");
        free(d);
        pt_rows_free(rows);
      } else if (rc != want) {
        if (!clean_failure(rc, &e) || rows != NULL) report("query", n, e.message);
      }
      if (test_alloc_live() != live || pt_memory_used() != bytes) report("query", n, "memory leaked");
      if (rc == PT_OK || (rc == want && count < n) || leaked) break;
    }
    CHECK(n < MAX_STEPS);
    free(ref_dump);
  }
  pt_store_close(st);
}

/* ---- scenario 5: delete ---- */

TEST(delete_sweep) {
  const char *expr = "id in [1, 2, 3, 999, 61]";
  pt_store *st = test_store();
  pt_collection *c = full_collection(st);
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(pt_collection_delete(c, "_default", 8, expr, strlen(expr), &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, 5);
  char *reference = test_snapshot(c);
  pt_store_close(st);
  long n = 1;
  for (; n < MAX_STEPS; n++) {
    st = test_store();
    c = full_collection(st);
    char *before = test_snapshot(c);
    long live = test_alloc_live();
    test_alloc_fail_at(n);
    pt_status rc = pt_collection_delete(c, "_default", 8, expr, strlen(expr), &r, &e);
    long count = test_alloc_count();
    test_alloc_fail_at(0);
    char *after = test_snapshot(c);
    if (rc != PT_OK) {
      if (!clean_failure(rc, &e) || r.delete_count != 0) report("delete", n, e.message);
      if (strcmp(before, after) != 0) report("delete", n, "a failed delete changed the store");
      if (test_alloc_live() != live) report("delete", n, "memory leaked");
    } else {
      if (count >= n) report("delete", n, "succeeded although an allocation failed");
      if (strcmp(after, reference) != 0) report("delete", n, "a result different from a run without failures");
    }
    free(before);
    free(after);
    pt_store_close(st);
    if (test_alloc_live() != 0) report("delete", n, "memory leaked");
    if (rc == PT_OK || leaked) break;
  }
  CHECK(n > 1);
  CHECK(n < MAX_STEPS);
  free(reference);
}

/* ---- scenario 6: search and its JSON ---- */

static const char *SEARCHES[] = {
    "{'anns_field':'v','limit':5,'nq':2,'output_fields':['t','j','extra']}",
    "{'anns_field':'v','limit':3,'nq':2,'expr':'id > 10 and n < 40','partition_names':['_default']}",
    "{'anns_field':'h','limit':4,'nq':2,'offset':1,'output_fields':['*']}",
};

TEST(search_sweep) {
  pt_store *st = test_store();
  pt_collection *c = full_collection(st);
  const float q[8] = {1, 0, 0, 1, 3, 0, 0, 1};
  for (size_t i = 0; i < sizeof SEARCHES / sizeof SEARCHES[0]; i++) {
    const char *req = J(SEARCHES[i]);
    pt_search_result *ref = NULL;
    char *ref_json = NULL;
    pt_error e;
    CHECK_OK(pt_collection_search(c, req, strlen(req), q, sizeof q, &ref, &e), &e);
    CHECK_OK(pt_search_to_json(ref, 0, &ref_json, NULL, &e), &e);
    pt_search_free(ref);
    long live = test_alloc_live();
    size_t bytes = pt_memory_used();
    long n = 1;
    for (; n < MAX_STEPS; n++) {
      pt_search_result *r = NULL;
      char *json = NULL;
      test_alloc_fail_at(n);
      pt_status rc = pt_collection_search(c, req, strlen(req), q, sizeof q, &r, &e);
      if (rc == PT_OK) rc = pt_search_to_json(r, 0, &json, NULL, &e);
      long count = test_alloc_count();
      test_alloc_fail_at(0);
      if (rc == PT_OK) {
        if (strcmp(json, ref_json) != 0) report("search", n, "a result different from a run without failures");
        if (count >= n) report("search", n, "succeeded although an allocation failed");
      } else if (!clean_failure(rc, &e) || json != NULL) {
        report("search", n, e.message);
      }
      pt_free(json);
      pt_search_free(r);
      if (test_alloc_live() != live || pt_memory_used() != bytes) report("search", n, "memory leaked");
      if (rc == PT_OK || leaked) break;
    }
    CHECK(n > 1);
    CHECK(n < MAX_STEPS);
    pt_free(ref_json);
  }
  pt_store_close(st);
}

/* ---- the memory ceiling ---- */

TEST(memory_ceiling) {
  pt_store *st = test_store();
  pt_collection *c = full_collection(st);
  const char *json = J(UPSERT_BATCH);
  char *before = test_snapshot(c);
  size_t base = pt_memory_used();
  pt_error e;
  pt_mutation_result r;
  /* find what the upsert needs at its peak: the lowest ceiling that lets it through, by halving */
  size_t lo = base, hi = base + (64u << 20);
  while (hi - lo > 64) {
    size_t mid = lo + (hi - lo) / 2;
    pt_store *probe = test_store();
    pt_collection *pc = full_collection(probe);
    pt_set_memory_limit(pt_memory_used() + (mid - base));
    pt_status rc = pt_collection_write_json(pc, NULL, 0, PT_OP_UPSERT, json, strlen(json), 0, &r, &e);
    pt_set_memory_limit(0);
    pt_mutation_result_clear(&r);
    pt_store_close(probe);
    if (rc == PT_OK) hi = mid;
    else lo = mid;
  }
  CHECK(hi > base);
  /* every ceiling below that, in steps, refuses with the quota error and changes nothing */
  for (size_t limit = base; limit < hi - 64; limit += (hi - base) / 16 + 1) {
    pt_set_memory_limit(limit);
    CHECK_EQ_INT(pt_memory_limit(), limit);
    pt_status rc = pt_collection_write_json(c, NULL, 0, PT_OP_UPSERT, json, strlen(json), 0, &r, &e);
    pt_set_memory_limit(0);
    CHECK_EQ_INT(rc, PT_NOMEM);
    CHECK_EQ_INT(e.code, PT_CODE_QUOTA_EXCEEDED);
    CHECK_MSG(&e, "memory quota exceeded, please allocate more resources: quota exceeded[limit=");
    CHECK_EQ_INT(r.n_keys, 0);
    pt_mutation_result_clear(&r);
    CHECK_EQ_INT(pt_memory_used(), base);
    char *now = test_snapshot(c);
    CHECK_STR(now, before);
    free(now);
  }
  /* a failure of the allocator itself is still "out of memory" */
  test_alloc_fail_at(1);
  CHECK_EQ_INT(pt_collection_write_json(c, NULL, 0, PT_OP_UPSERT, json, strlen(json), 0, &r, &e), PT_NOMEM);
  test_alloc_fail_at(0);
  CHECK_EQ_INT(e.code, PT_CODE_UNEXPECTED);
  CHECK_MSG(&e, "out of memory");
  pt_mutation_result_clear(&r);
  /* with room, it goes through */
  pt_set_memory_limit(hi + 4096);
  CHECK_OK(pt_collection_write_json(c, NULL, 0, PT_OP_UPSERT, json, strlen(json), 0, &r, &e), &e);
  pt_mutation_result_clear(&r);
  /* a ceiling under what is in use: reads that need memory are refused, freeing still works */
  pt_set_memory_limit(pt_memory_used() / 2);
  pt_rows *rows = NULL;
  const char *q = J("{'expr':'id >= 0','output_fields':['*']}");
  CHECK_EQ_INT(pt_collection_query(c, q, strlen(q), &rows, &e), PT_NOMEM);
  CHECK_EQ_INT(e.code, PT_CODE_QUOTA_EXCEEDED);
  CHECK(rows == NULL);
  pt_store_close(st);
  pt_set_memory_limit(0);
  CHECK_EQ_INT(pt_memory_limit(), 0);
  free(before);
}

/* ---- freeing at the ceiling: drop, delete and compact work at it and far above it ---- */

#define BIG_DIM 256

/* Rows [from, from + n) of the big collection: id, a 256-d vector (1 KiB), a short string. */
static void write_big(pt_collection *c, const char *partition, int from, int n) {
  int64_t *ids = malloc((size_t)n * sizeof *ids);
  float *v = malloc((size_t)n * BIG_DIM * sizeof *v);
  char *text = malloc((size_t)n * 12);
  uint32_t *offs = malloc(((size_t)n + 1) * sizeof *offs);
  offs[0] = 0;
  for (int i = 0; i < n; i++) {
    ids[i] = from + i;
    for (int j = 0; j < BIG_DIM; j++) v[(size_t)i * BIG_DIM + j] = (float)((i + j) % 17);
    offs[i + 1] = offs[i] + (uint32_t)snprintf(text + offs[i], 12, "r%d", from + i);
  }
  pt_column_in cols[3] = {{.field = 0, .kind = PT_IN_INT64, .n_rows = (size_t)n, .width = 1, .values = ids},
                          {.field = 1, .kind = PT_IN_FLOAT32, .n_rows = (size_t)n, .width = BIG_DIM, .values = v},
                          {.field = 2, .kind = PT_IN_TEXT, .n_rows = (size_t)n, .width = 1, .values = text, .offsets = offs}};
  pt_batch_in b = {PT_FORM_COLUMNS, (size_t)n, 3, cols};
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(pt_collection_write(c, partition, partition ? strlen(partition) : 0, PT_OP_INSERT, &b, 0, &r, &e), &e);
  pt_mutation_result_clear(&r);
  free(ids);
  free(v);
  free(text);
  free(offs);
}

/* Outside relief (none was left on), a ceiling at what is in use refuses a small allocation. */
static void growth_refused(const char *after) {
  size_t limit = pt_memory_limit();
  if (pt_memory_used() < limit) pt_set_memory_limit(pt_memory_used());
  void *p = pt_alloc(1000);
  pt_set_memory_limit(limit);
  if (p) {
    fprintf(stderr, "  FAIL growth past the ceiling was allowed after %s\n", after);
    pt_test_failures++;
  }
  pt_free(p);
}

TEST(freeing_at_the_ceiling) {
  pt_store_options o = {NULL, NULL, 0, -1}; /* no automatic compaction: compact() does it */
  pt_store *st = NULL;
  CHECK_OK(pt_store_open(&o, &st), (pt_error *)NULL);
  pt_collection *c = coll(st, "big", "{'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                     "{'name':'v','dtype':101,'dim':256},{'name':'s','dtype':21,'max_length':16}]}");
  pt_error e;
  CHECK_OK(pt_partition_create(c, "p", 1, &e), &e);
  /* 40 MiB of rows: twice what compaction may take beyond the store while it runs */
  for (int k = 0; k < 8; k++) write_big(c, NULL, k * 5000, 5000);
  write_big(c, "p", 100000, 1000);
  size_t full = pt_memory_used();
  CHECK(full > 2 * PT_MEMORY_RELIEF);

  /* exactly at the ceiling: growth is refused, freeing is not */
  pt_set_memory_limit(full);
  pt_mutation_result r;
  growth_refused("setting the ceiling");
  const char *half = "id % 2 == 0";
  CHECK_OK(pt_collection_delete(c, NULL, 0, half, strlen(half), &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, 20500);
  pt_mutation_result_clear(&r);
  CHECK(pt_memory_used() <= full);
  growth_refused("a delete");
  uint64_t removed = 0;
  CHECK_OK(pt_collection_compact(c, NULL, 0, &removed, &e), &e);
  CHECK_EQ_INT(removed, 20500);
  size_t compacted = pt_memory_used();
  CHECK(compacted < full - full / 3);
  growth_refused("compaction");
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 20500);

  /* far above the ceiling: the same */
  pt_set_memory_limit(full / 8);
  const char *two = "id in [1, 3, 100001]";
  CHECK_OK(pt_collection_delete(c, NULL, 0, two, strlen(two), &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, 3);
  pt_mutation_result_clear(&r);
  CHECK_OK(pt_collection_compact(c, NULL, 0, &removed, &e), &e);
  CHECK_EQ_INT(removed, 3);
  CHECK(pt_memory_used() < compacted);
  size_t before_drop = pt_memory_used();
  CHECK_OK(pt_partition_drop(c, "p", 1, &e), &e);
  CHECK(pt_memory_used() < before_drop);
  growth_refused("dropping a partition");

  /* a host's own allocations around a freeing call: allowed in relief, by at most the relief */
  void *name = pt_alloc(64);
  CHECK(name == NULL);
  pt_memory_relief(1);
  pt_memory_relief(1); /* pairs nest */
  name = pt_alloc(64);
  CHECK(name != NULL);
  pt_memory_relief(0);
  void *more = pt_alloc(PT_MEMORY_RELIEF);
  CHECK(more == NULL);
  pt_memory_relief(0);
  growth_refused("relief");
  pt_free(name);

  CHECK_EQ_INT(pt_collection_drop(st, "big", 3), PT_OK);
  CHECK_EQ_INT(pt_store_num_collections(st), 0);
  pt_set_memory_limit(0);
  pt_store_close(st);
}

TEST(nothing_left) {
  CHECK_EQ_INT(test_alloc_live(), 0);
  CHECK_EQ_INT(pt_memory_used(), 0);
}

TEST_MAIN(T(allocator_hooks), T(create_sweep), T(upsert_sweep), T(partition_key_sweep), T(query_sweep), T(delete_sweep),
          T(search_sweep), T(memory_ceiling), T(freeing_at_the_ceiling), T(nothing_left))
