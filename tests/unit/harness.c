/* harness.c — the test runner and helpers of harness.h. */
#include "harness.h"

#include <stdlib.h>

int pt_test_failures;

int pt_test_main(const pt_test *tests, size_t n) {
  int passed = 0, failed = 0;
  for (size_t i = 0; i < n; i++) {
    int before = pt_test_failures;
    tests[i].fn();
    bool ok = pt_test_failures == before;
    printf("%s %s\n", ok ? "ok  " : "FAIL", tests[i].name);
    if (ok) passed++;
    else failed++;
  }
  if (pt_memory_used() != 0) {
    printf("FAIL memory: %zu bytes still allocated after all tests\n", pt_memory_used());
    failed++;
  }
  printf("%d passed, %d failed\n", passed, failed);
  fflush(stdout);
  return failed ? 1 : 0;
}

pt_schema *test_schema(const char *json) {
  pt_schema *s = NULL;
  pt_error err;
  if (pt_schema_from_json(json, strlen(json), &s, &err) != PT_OK) {
    fprintf(stderr, "schema does not build: %s\n%s\n", err.message, json);
    exit(2);
  }
  return s;
}

static uint64_t fixed_clock(void *ctx) {
  (void)ctx;
  return 1700000000000ull;
}

pt_store *test_store(void) {
  pt_store_options opts = {fixed_clock, NULL, 0};
  pt_store *s = NULL;
  if (pt_store_open(&opts, &s) != PT_OK) exit(2);
  return s;
}

pt_collection *test_collection(pt_store *store, const char *name, const char *schema_json) {
  pt_schema *s = test_schema(schema_json);
  pt_collection *c = NULL;
  pt_error err;
  if (pt_collection_create(store, name, strlen(name), s, NULL, &c, &err) != PT_OK) {
    fprintf(stderr, "collection does not build: %s\n", err.message);
    exit(2);
  }
  pt_schema_free(s);
  return c;
}

pt_mutation_result test_write(pt_collection *c, const char *partition, pt_op op, const char *json) {
  pt_mutation_result res;
  pt_error err;
  pt_status rc = pt_collection_write_json(c, partition, partition ? strlen(partition) : 0, op, json,
                                          strlen(json), 0, &res, &err);
  if (rc != PT_OK) {
    fprintf(stderr, "  FAIL write %s: %s\n", json, err.message);
    pt_test_failures++;
  }
  return res;
}

pt_rows *test_query(pt_collection *c, const char *request) {
  pt_rows *rows = NULL;
  pt_error err;
  if (pt_collection_query(c, request, strlen(request), &rows, &err) != PT_OK) {
    fprintf(stderr, "  FAIL query %s: %s\n", request, err.message);
    pt_test_failures++;
  }
  return rows;
}

int64_t test_i64(const pt_rows *rows, size_t col, size_t row) {
  const pt_column_out *c = pt_rows_column(rows, col);
  int64_t v;
  memcpy(&v, (const char *)c->values + row * 8, 8);
  return v;
}

int test_col(const pt_rows *rows, const char *name) {
  for (size_t i = 0; i < pt_rows_num_columns(rows); i++)
    if (strcmp(pt_rows_column(rows, i)->name, name) == 0) return (int)i;
  return -1;
}

const char *test_text(const pt_rows *rows, size_t col, size_t row) {
  static char buf[4096];
  const pt_column_out *c = pt_rows_column(rows, col);
  size_t a = c->offsets[row], b = c->offsets[row + 1], n = b - a < sizeof buf - 1 ? b - a : sizeof buf - 1;
  memcpy(buf, (const char *)c->values + a, n);
  buf[n] = '\0';
  return buf;
}

/* ---- fault-injecting allocator ---- */

static long alloc_count, alloc_fail_at, alloc_live;

static void *t_malloc(void *ctx, size_t size) {
  (void)ctx;
  if (alloc_fail_at && ++alloc_count == alloc_fail_at) return NULL;
  void *p = malloc(size);
  if (p) alloc_live++;
  return p;
}
static void *t_realloc(void *ctx, void *ptr, size_t size) {
  (void)ctx;
  if (alloc_fail_at && ++alloc_count == alloc_fail_at) return NULL;
  void *p = realloc(ptr, size);
  if (p && !ptr) alloc_live++;
  return p;
}
static void t_free(void *ctx, void *ptr) {
  (void)ctx;
  if (ptr) alloc_live--;
  free(ptr);
}

void test_alloc_install(void) {
  pt_allocator a = {t_malloc, t_realloc, t_free, NULL};
  if (pt_set_allocator(&a) != PT_OK) {
    fprintf(stderr, "cannot install the test allocator\n");
    exit(2);
  }
}
void test_alloc_fail_at(long n) {
  alloc_fail_at = n;
  alloc_count = 0;
}
long test_alloc_count(void) { return alloc_count; }
long test_alloc_live(void) { return alloc_live; }
