/* harness.c — the test runner and helpers of harness.h. */
#include "harness.h"

#include "orderby.h"
#include "store.h"

#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

int pt_test_failures;

static double now_seconds(void) {
  struct timespec ts;
  if (timespec_get(&ts, TIME_UTC) != TIME_UTC) return 0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int pt_test_main(const pt_test *tests, size_t n) {
  int passed = 0, failed = 0;
  bool times = getenv("PT_TEST_TIMES") != NULL; /* print how long each test took */
  for (size_t i = 0; i < n; i++) {
    int before = pt_test_failures;
    double t0 = now_seconds();
    tests[i].fn();
    bool ok = pt_test_failures == before;
    if (times) printf("%s %s (%.3f s)\n", ok ? "ok  " : "FAIL", tests[i].name, now_seconds() - t0);
    else printf("%s %s\n", ok ? "ok  " : "FAIL", tests[i].name);
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

void test_expect_err(const char *file, int line, pt_status rc, const pt_error *err, pt_status st,
                     int32_t code, int32_t exc, const char *needle) {
  if (rc == st && err->status == st && err->code == code && err->exc == exc &&
      strstr(err->message, needle))
    return;
  fprintf(stderr,
          "  FAIL %s:%d:\n    got      %s code=%d exc=%d \"%s\"\n    expected %s code=%d exc=%d \"%s\"\n",
          file, line, pt_status_str(rc), (int)err->code, (int)err->exc, err->message,
          pt_status_str(st), (int)code, (int)exc, needle);
  pt_test_failures++;
}

void test_check_str(const char *file, int line, const char *what, const char *a, const char *b) {
  if (a && b && strcmp(a, b) == 0) return;
  pt_test_failures++;
  if (!a || !b || (strlen(a) < 200 && strlen(b) < 200)) {
    fprintf(stderr, "  FAIL %s:%d: %s (\"%s\" != \"%s\")\n", file, line, what, a ? a : "(null)", b ? b : "(null)");
    return;
  }
  size_t i = 0, start = 0;
  while (a[i] && a[i] == b[i]) {
    if (a[i] == '\n') start = i + 1;
    i++;
  }
  size_t ea = strcspn(a + start, "\n"), eb = strcspn(b + start, "\n");
  fprintf(stderr, "  FAIL %s:%d: %s, first difference at byte %zu:\n    \"%.*s\"\n != \"%.*s\"\n", file, line, what, i,
          (int)ea, a + start, (int)eb, b + start);
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

void test_write_wide(pt_collection *a, pt_collection *b, pt_op op, size_t from, size_t n, int ver) {
  if (!n) return;
  int64_t *ids = malloc(n * sizeof *ids), *tags = malloc(n * sizeof *tags);
  float *v = malloc(n * TEST_WIDE_DIM * sizeof *v);
  for (size_t i = 0; i < n; i++) {
    size_t key = from + i;
    ids[i] = (int64_t)key;
    tags[i] = (int64_t)(key % 100);
    for (size_t j = 0; j < TEST_WIDE_DIM; j++)
      v[i * TEST_WIDE_DIM + j] = (float)((key * 31 + j * 7 + (size_t)ver) % 101) / 101.0f + (float)(key % 16);
  }
  pt_column_in cols[3] = {{.field = PT_FIELD_BY_POSITION, .kind = PT_IN_INT64, .n_rows = n, .width = 1, .values = ids},
                          {.field = PT_FIELD_BY_POSITION, .kind = PT_IN_INT64, .n_rows = n, .width = 1, .values = tags},
                          {.field = PT_FIELD_BY_POSITION, .kind = PT_IN_FLOAT32, .n_rows = n, .width = TEST_WIDE_DIM, .values = v}};
  pt_batch_in batch = {PT_FORM_COLUMNS, n, 3, cols};
  for (int k = 0; k < 2; k++) {
    pt_collection *c = k ? b : a;
    if (!c) continue;
    pt_mutation_result r;
    pt_error e;
    CHECK_OK(pt_collection_write(c, NULL, 0, op, &batch, 0, &r, &e), &e);
    pt_mutation_result_clear(&r);
  }
  free(ids);
  free(tags);
  free(v);
}

pt_status test_try_create(pt_store *store, const char *schema_json, pt_error *err) {
  pt_schema *s = NULL;
  pt_status rc = pt_schema_from_json(schema_json, strlen(schema_json), &s, err);
  if (rc) return rc;
  pt_collection *c = NULL;
  rc = pt_collection_create(store, "x", 1, s, NULL, &c, err);
  pt_schema_free(s);
  if (rc == PT_OK) pt_collection_drop(store, "x", 1);
  return rc;
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

static char ids_out[65536];

const char *test_ids(const pt_rows *rows) {
  size_t at = 0;
  ids_out[0] = '\0';
  for (size_t i = 0; i < pt_rows_count(rows) && at < sizeof ids_out; i++)
    at += (size_t)snprintf(ids_out + at, sizeof ids_out - at, "%s%lld", i ? "," : "", (long long)test_i64(rows, 0, i));
  return ids_out;
}

static const char *query_ids(pt_collection *c, const char *request, size_t len) {
  pt_rows *rows = NULL;
  pt_error e;
  if (pt_collection_query(c, request, len, &rows, &e) != PT_OK) {
    snprintf(ids_out, sizeof ids_out, "ERR: %s", e.message);
    return ids_out;
  }
  test_ids(rows);
  pt_rows_free(rows);
  return ids_out;
}

const char *test_query_ids(pt_collection *c, const char *request) { return query_ids(c, request, strlen(request)); }

const char *test_filter_ids(pt_collection *c, const char *expr) {
  test_buf req = {NULL, 0, 0};
  test_buf_printf(&req, "{\"expr\":\"");
  for (const char *p = expr; *p; p++) { /* the expression goes into JSON: escape quotes and backslashes */
    if (*p == '"' || *p == '\\') test_buf_put(&req, "\\", 1);
    test_buf_put(&req, p, 1);
  }
  test_buf_printf(&req, "\",\"limit\":16384}");
  const char *out = query_ids(c, req.p, req.len);
  test_buf_free(&req);
  return out;
}

void test_expect_prefix(const char *file, int line, const char *what, const char *got, const char *want) {
  if (strncmp(got, want, strlen(want)) == 0) return;
  fprintf(stderr, "  FAIL %s:%d: %s\n    got  %s\n    want %s\n", file, line, what, got, want);
  pt_test_failures++;
}

uint32_t test_rand(uint32_t *seed) {
  *seed = *seed * 1103515245u + 12345u;
  return *seed >> 16;
}

void test_filter_cases(pt_collection *c, const test_filter_case *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const char *got = test_filter_ids(c, cases[i].expr);
    bool is_err = strncmp(cases[i].want, "ERR: ", 5) == 0;
    bool ok = is_err ? (strncmp(got, "ERR: ", 5) == 0 && strstr(got, cases[i].want + 5) != NULL) : strcmp(got, cases[i].want) == 0;
    if (!ok) {
      fprintf(stderr, "  FAIL expr %s\n    want %s\n    got  %s\n", cases[i].expr, cases[i].want, got);
      pt_test_failures++;
    }
  }
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

const char *test_json(const char *sq) {
  static char bufs[16][16384];
  static unsigned next;
  char *out = bufs[next++ % 16];
  size_t n = strlen(sq);
  if (n >= sizeof bufs[0]) {
    fprintf(stderr, "test_json: text too long\n");
    exit(2);
  }
  for (size_t i = 0; i <= n; i++) out[i] = sq[i] == '\'' ? '"' : sq[i];
  return out;
}

const char *test_jf(const char *fmt, ...) {
  char text[16384];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof text) {
    fprintf(stderr, "test_jf: text too long\n");
    exit(2);
  }
  return test_json(text);
}

void test_buf_put(test_buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      fprintf(stderr, "test_buf: out of memory\n");
      exit(2);
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

void test_buf_printf(test_buf *b, const char *fmt, ...) {
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) {
    test_buf_put(b, small, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (!big) exit(2);
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  test_buf_put(b, big, (size_t)n);
  free(big);
}

void test_buf_free(test_buf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

char *test_dump_rows(const pt_rows *rows) {
  test_buf b = {NULL, 0, 0};
  size_t n = pt_rows_count(rows), nc = pt_rows_num_columns(rows);
  test_buf_printf(&b, "rows=%zu cols=%zu\n", n, nc);
  for (size_t i = 0; i < nc; i++) {
    const pt_column_out *c = pt_rows_column(rows, i);
    test_buf_printf(&b, "[%s dtype=%d dyn=%d width=%u elem=%u]", c->name, (int)c->dtype,
                    (int)c->is_dynamic, (unsigned)c->width, (unsigned)c->elem_size);
    for (size_t r = 0; r < n; r++) {
      test_buf_put(&b, " ", 1);
      if (c->valid && !c->valid[r]) {
        test_buf_put(&b, "null", 4);
      } else if (c->offsets) {
        test_buf_put(&b, (const char *)c->values + c->offsets[r], c->offsets[r + 1] - c->offsets[r]);
      } else {
        static const char hex[] = "0123456789abcdef";
        size_t w = (size_t)c->width * c->elem_size;
        const unsigned char *v = (const unsigned char *)c->values + r * w;
        for (size_t k = 0; k < w; k++) {
          char two[2] = {hex[v[k] >> 4], hex[v[k] & 15]};
          test_buf_put(&b, two, 2);
        }
      }
    }
    test_buf_put(&b, "\n", 1);
  }
  return b.p;
}

char *test_snapshot(pt_collection *c) {
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "entities=%llu\n", (unsigned long long)pt_collection_num_entities(c, NULL, 0));
  for (size_t i = 0; i < pt_collection_num_partitions(c); i++) {
    size_t len;
    const char *name = pt_collection_partition_name(c, i, &len);
    test_buf_printf(&b, "partition %.*s=%llu\n", (int)len, name,
                    (unsigned long long)pt_collection_num_entities(c, name, len));
  }
  const char *req = "{\"expr\":\"\",\"limit\":16384,\"output_fields\":[\"*\"]}";
  pt_rows *rows = NULL;
  pt_error err;
  if (pt_collection_query(c, req, strlen(req), &rows, &err) != PT_OK) {
    test_buf_printf(&b, "query failed: %s\n", err.message);
  } else {
    char *d = test_dump_rows(rows);
    test_buf_printf(&b, "%s", d);
    free(d);
  }
  pt_rows_free(rows);
  return b.p;
}

char *test_dump_store(pt_store *s) {
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "last_ts=%llu last_id=%llu\n", (unsigned long long)s->last_ts, (unsigned long long)s->last_id);
  for (size_t i = 0; i < pt_store_num_collections(s); i++) {
    size_t n;
    const char *name = pt_store_collection_name(s, i, &n);
    pt_collection *c = pt_collection_find(s, name, n);
    char *d = test_snapshot(c);
    test_buf_printf(&b, "== %.*s\n%s", (int)n, name, d);
    free(d);
    uint8_t *snap;
    size_t len;
    pt_error err;
    if (pt_collection_save(c, &snap, &len, &err) == PT_OK) {
      for (size_t k = 0; k < len; k++) test_buf_printf(&b, "%02x", snap[k]);
      pt_free(snap);
    } else {
      test_buf_printf(&b, "save failed: %s", err.message);
    }
    test_buf_printf(&b, "\n");
  }
  return b.p ? b.p : calloc(1, 1);
}

void test_unchanged(const char *file, int line, char *before, pt_collection *c) {
  char *after = test_snapshot(c);
  if (strcmp(before, after) != 0) {
    fprintf(stderr, "  FAIL %s:%d: a failed write changed the store\n", file, line);
    pt_test_failures++;
  }
  free(after);
  free(before);
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

/* ---- an order_by spec written back (the tests' read-back oracle; the core never writes one) ---- */

size_t test_order_text(const pt_collection *c, const struct pt_order *o, char *out, size_t size) {
  size_t need = 0;
  for (size_t i = 0; i < o->n; i++) {
    const pt_order_key *k = &o->keys[i];
    char head[8];
    snprintf(head, sizeof head, "%s", i ? "," : "");
    /* a path: as the plan read it, `name["k1"]["k2"]` (a dynamic key's: `$meta["k"]`) */
    const pt_field *f = k->col < (int)c->schema->n_fields ? &c->schema->fields[k->col] : NULL;
    const char *name = f ? f->name : PT_DYNAMIC_FIELD_NAME;
    int n = snprintf(need < size ? out + need : NULL, need < size ? size - need : 0, "%s%s", head, name);
    need += (size_t)(n > 0 ? n : 0);
    for (size_t j = 0; k->json && j < k->n_keys; j++) {
      /* the key as the plan holds it, verbatim between quotes (escapes as written): in single
       * quotes when it holds an unescaped double quote (it was written in single quotes) */
      const pt_str *key = &k->keys[j];
      char q = '"';
      for (size_t b = 0; b < key->len; b++) {
        if (key->ptr[b] == '\\') b++;
        else if (key->ptr[b] == '"') q = '\'';
      }
      n = snprintf(need < size ? out + need : NULL, need < size ? size - need : 0, "[%c%.*s%c]", q, (int)key->len, key->ptr, q);
      need += (size_t)(n > 0 ? n : 0);
    }
    n = snprintf(need < size ? out + need : NULL, need < size ? size - need : 0, ":%s%s", k->asc ? "asc" : "desc",
                 o->kind == PT_ORDER_SEARCH ? "" : k->nulls_first ? ":nulls_first" : ":nulls_last");
    need += (size_t)(n > 0 ? n : 0);
  }
  if (size) out[need < size ? need : size - 1] = '\0';
  return need;
}
