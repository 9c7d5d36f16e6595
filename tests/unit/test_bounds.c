/*
 * test_bounds.c — resource bounds of every parser: time and peak memory linear in the input.
 *
 * Each family builds inputs of about n bytes (a filter expression, a JSON batch, a snapshot)
 * and runs the parser on them with a measuring allocator installed (every byte the core
 * allocates passes through it). For each family:
 *   - peak memory: at a small size first (so that a quadratic parser fails here, cheaply,
 *     before the larger sizes could exhaust the machine), then at n and 8n, the most bytes in
 *     use above what was in use before the call is at most K × the input's length + a constant,
 *     K given per family (what the input turns into: a plan, stored rows);
 *   - time: the fastest run at 8n takes at most 20 times the fastest at n, the two sizes run
 *     interleaved, measured again up to four rounds before a miss fails (linear
 *     gives about 8, quadratic 64; like patterns: 16n, 40 times), plus a little slack for clock
 *     granularity and a loaded machine.
 * Covers: filter expressions (and / or chains, both mixed, nested, with not, arithmetic and
 * ranges, in-lists of numbers, keys, strings and on a JSON path, long string literals with
 * escapes, long subscript chains, long like patterns, a chain that ends in a syntax error, and
 * one of the full 1 MiB), the same filters planned and evaluated by a query (its request JSON
 * included), a deep JSON path evaluated over rows, JSON batches (many small rows, long escaped
 * strings, JSON arrays with sparse vectors and many dynamic keys), a search request with a long
 * sparse vector, and snapshot loading.
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime, CLOCK_PROCESS_CPUTIME_ID */
#include "harness.h"

#include <stdlib.h>
#include <time.h>

#include "filter.h"

/* ============================================================================================
 * A measuring allocator: bytes live and their peak
 * ========================================================================================== */

#define HDR 16u
static size_t live_bytes, peak_bytes;

static void note(size_t grow) {
  live_bytes += grow;
  if (live_bytes > peak_bytes) peak_bytes = live_bytes;
}
static void *m_malloc(void *ctx, size_t n) {
  (void)ctx;
  unsigned char *b = malloc(n + HDR);
  if (!b) return NULL;
  memcpy(b, &n, sizeof n);
  note(n);
  return b + HDR;
}
static void *m_realloc(void *ctx, void *p, size_t n) {
  if (!p) return m_malloc(ctx, n);
  unsigned char *b = (unsigned char *)p - HDR;
  size_t old;
  memcpy(&old, b, sizeof old);
  unsigned char *g = realloc(b, n + HDR);
  if (!g) return NULL;
  memcpy(g, &n, sizeof n);
  live_bytes -= old;
  note(n);
  return g + HDR;
}
static void m_free(void *ctx, void *p) {
  (void)ctx;
  if (!p) return;
  unsigned char *b = (unsigned char *)p - HDR;
  size_t old;
  memcpy(&old, b, sizeof old);
  live_bytes -= old;
  free(b);
}

/* The process's CPU time where the host gives it (natively; as WASI when the shim runs in Node),
 * so that time another process takes on a shared machine is not counted; else the wall clock. */
static double now(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ============================================================================================
 * The harness of a family
 * ========================================================================================== */

typedef struct family {
  const char *name;
  void (*gen)(test_buf *b, size_t n); /* an input of about n bytes */
  bool (*run)(const char *in, size_t len); /* parses it; false on an unexpected outcome */
  double k_mem;                        /* peak bytes allowed per input byte */
  size_t slack;                        /* and fixed bytes beyond SLACK_BYTES (a collection) */
} family;

/* One run: its peak above the bytes in use before it, and its time. */
static bool measure(const family *f, const test_buf *in, size_t *peak, double *secs) {
  size_t before = live_bytes;
  peak_bytes = live_bytes;
  double t0 = now();
  bool ok = f->run(in->p, in->len);
  *secs = now() - t0;
  *peak = peak_bytes - before;
  if (live_bytes != before) {
    fprintf(stderr, "  FAIL %s: %zu bytes still in use after the call (%zu before)\n", f->name, live_bytes, before);
    pt_test_failures++;
  }
  if (!ok) {
    fprintf(stderr, "  FAIL %s: the parser did not give the expected outcome on %zu bytes\n", f->name, in->len);
    pt_test_failures++;
  }
  return ok;
}

/* Fixed costs a run may have whatever its input: a collection, a result, scratch buffers. */
#define SLACK_BYTES (256u << 10)

static bool mem_ok(const family *f, size_t len, size_t peak) {
  double limit = f->k_mem * (double)len + SLACK_BYTES + (double)f->slack;
  if ((double)peak <= limit) return true;
  fprintf(stderr, "  FAIL %s: %zu input bytes peaked at %zu bytes (%.1f per input byte; the bound is %.0f)\n", f->name,
          len, peak, (double)peak / (double)len, f->k_mem);
  pt_test_failures++;
  return false;
}

static void check_family_by(const family *f, size_t small, size_t n, size_t mult) {
  test_buf in[2] = {{NULL, 0, 0}, {NULL, 0, 0}};
  size_t peak;
  double secs;
  /* small first: a quadratic parser shows here before a larger input could take the machine */
  f->gen(&in[0], small);
  if (!measure(f, &in[0], &peak, &secs) || !mem_ok(f, in[0].len, peak)) goto out;
  double best[2] = {1e9, 1e9};
  size_t lens[2];
  for (int k = 0; k < 2; k++) {
    in[k].len = 0;
    f->gen(&in[k], k ? mult * n : n);
    lens[k] = in[k].len;
  }
  double ratio = (double)lens[1] / (double)lens[0];
  /* The two sizes run interleaved and the fastest run of each counts, so that a busy machine
   * (CI shares its cores) slows both alike; a bound missed is measured again, up to four rounds
   * of three runs each, before it fails: noise passes some round, a quadratic cost (64 times for
   * 8 times the input, against the bound's 20) fails every one. */
  for (int round = 0; round < 4; round++) {
    for (int rep = 0; rep < 3; rep++)
      for (int k = 0; k < 2; k++) {
        if (!measure(f, &in[k], &peak, &secs) || !mem_ok(f, in[k].len, peak)) goto out;
        if (secs < best[k]) best[k] = secs;
      }
    if (best[1] <= best[0] * ratio * 2.5 + 0.005) break;
    if (round == 3) {
      fprintf(stderr, "  FAIL %s: %zu bytes took %.2f ms, %zu bytes %.2f ms (%.1f times, for %.1f times the input)\n",
              f->name, lens[0], best[0] * 1e3, lens[1], best[1] * 1e3, best[1] / best[0], ratio);
      pt_test_failures++;
    }
  }
  if (getenv("PT_TEST_TIMES"))
    printf("  %-28s %8zu B %8.2f ms   %8zu B %8.2f ms   peak %.1f B/B\n", f->name, lens[0], best[0] * 1e3, lens[1],
           best[1] * 1e3, (double)peak / (double)lens[1]);
out:
  test_buf_free(&in[0]);
  test_buf_free(&in[1]);
}

static void check_family(const family *f, size_t small, size_t n) { check_family_by(f, small, n, 8); }

/* ============================================================================================
 * Filter expressions
 * ========================================================================================== */

static pt_store *store;
static pt_collection *coll;

#define SCHEMA                                                                                                   \
  "{\"enable_dynamic_field\":true,\"fields\":[{\"name\":\"a\",\"dtype\":5,\"is_primary\":true},"                 \
  "{\"name\":\"v\",\"dtype\":101,\"dim\":2},{\"name\":\"t\",\"dtype\":21,\"max_length\":65535},"                 \
  "{\"name\":\"j\",\"dtype\":23},{\"name\":\"i\",\"dtype\":5},{\"name\":\"sp\",\"dtype\":104},"                 \
  "{\"name\":\"m\",\"dtype\":21,\"max_length\":64,\"nullable\":true,\"enable_analyzer\":true,\"enable_match\":true}]}"

/* Repeats `unit` until the buffer holds about n bytes, separated by `sep`; then `tail`. */
static void repeat(test_buf *b, const char *head, const char *unit, const char *sep, const char *tail, size_t n) {
  test_buf_printf(b, "%s", head);
  size_t ul = strlen(unit), sl = strlen(sep), tl = strlen(tail);
  for (bool first = true; b->len + ul + sl + tl < n; first = false) {
    if (!first) test_buf_put(b, sep, sl);
    test_buf_put(b, unit, ul);
  }
  test_buf_printf(b, "%s", tail);
}

static void gen_or(test_buf *b, size_t n) { repeat(b, "", "i>1", "||", "", n); }
static void gen_and(test_buf *b, size_t n) { repeat(b, "", "i>1", "&&", "", n); }
static void gen_or_words(test_buf *b, size_t n) { repeat(b, "", "i == 1", " or ", "", n); }
static void gen_mixed(test_buf *b, size_t n) { repeat(b, "", "i>1&&i<9", "||", "", n); }
static void gen_nested(test_buf *b, size_t n) { repeat(b, "", "(i>1||(i<2&&(i>3||i<4)))", "&&", "", n); }
static void gen_in_int(test_buf *b, size_t n) { repeat(b, "i in [", "1", ",", "]", n); }
static void gen_in_pk(test_buf *b, size_t n) { repeat(b, "a in [", "7", ",", "]", n); }
static void gen_in_str(test_buf *b, size_t n) { repeat(b, "t in [", "\"\"", ",", "]", n); }
static void gen_in_json(test_buf *b, size_t n) { repeat(b, "j[\"k\"] in [", "1", ",", "]", n); }
static void gen_string(test_buf *b, size_t n) { repeat(b, "t == \"", "x", "", "\"", n); }
static void gen_escapes(test_buf *b, size_t n) { repeat(b, "t != '", "\\x41\\u00e9\\n\\\"", "", "'", n); }
static void gen_subscript(test_buf *b, size_t n) { repeat(b, "j", "[\"a\"]", "", " == 1", n); }
static void gen_dyn_subscript(test_buf *b, size_t n) { repeat(b, "k", "[0]", "", " > 1", n); }
static void gen_like(test_buf *b, size_t n) { repeat(b, "t like \"", "a%", "", "\"", n); }
static void gen_like_wild(test_buf *b, size_t n) { repeat(b, "t like \"%", "a_", "", "%\"", n); }
static void gen_text_match(test_buf *b, size_t n) { repeat(b, "text_match(m, \"", "ab", " ", "\", minimum_should_match=2)", n); }
static void gen_phrase_match(test_buf *b, size_t n) { repeat(b, "phrase_match(m, \"", "ab cd", " ", "\", 3)", n); }
static void gen_bad_end(test_buf *b, size_t n) { repeat(b, "", "i>1", "||", "||)", n); }
static void gen_not(test_buf *b, size_t n) { repeat(b, "", "not(i>1)", " and ", "", n); }
static void gen_arith(test_buf *b, size_t n) { repeat(b, "", "i+1>2", "||", "", n); }
static void gen_range(test_buf *b, size_t n) { repeat(b, "", "1<i<9", "||", "", n); }

static bool compile(const char *in, size_t len, bool want_ok) {
  pt_filter *f = NULL;
  pt_error e;
  pt_status rc = pt_filter_compile(coll, in, len, NULL, 0, "query", &f, &e);
  pt_filter_free(f);
  if ((rc == PT_OK) != want_ok) fprintf(stderr, "    %s: %s\n", pt_status_str(rc), rc ? e.message : "accepted");
  return (rc == PT_OK) == want_ok;
}
static bool run_compile(const char *in, size_t len) { return compile(in, len, true); }
static bool run_compile_bad(const char *in, size_t len) { return compile(in, len, false); }

/* The expression as a query request: parsed (cJSON), planned and evaluated over the rows. */
static bool run_query(const char *in, size_t len) {
  test_buf req = {NULL, 0, 0};
  test_buf_printf(&req, "{\"limit\":10,\"output_fields\":[\"a\"],\"expr\":\"");
  for (size_t i = 0; i < len; i++) {
    if (in[i] == '"' || in[i] == '\\') test_buf_put(&req, "\\", 1);
    test_buf_put(&req, in + i, 1);
  }
  test_buf_printf(&req, "\"}");
  pt_rows *rows = NULL;
  pt_error e;
  pt_status rc = pt_collection_query(coll, req.p, req.len, &rows, &e);
  if (rc) fprintf(stderr, "    query: %s\n", e.message);
  pt_rows_free(rows);
  test_buf_free(&req);
  return rc == PT_OK;
}

static void fill_collection(void) {
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "[");
  for (int r = 0; r < 64; r++)
    test_buf_printf(&b, "%s{\"a\":%d,\"v\":[0,0],\"t\":\"row %d\",\"j\":{\"k\":%d,\"a\":{\"a\":1}},\"i\":%d,\"k\":[%d],"
                    "\"sp\":{\"%d\":0.5}}", r ? "," : "", r, r, r, r % 10, r, r);
  test_buf_printf(&b, "]");
  pt_mutation_result r = test_write(coll, NULL, PT_OP_INSERT, b.p);
  pt_mutation_result_clear(&r);
  test_buf_free(&b);
}

/* Rows whose JSON nests d levels deep, each level's object holding the next level first and
 * then a sibling of about 100 bytes (made by gen, outside the measure), and a filter that
 * follows the path to the bottom (the input). Walking the path must not rescan a level's
 * subtree at every level below it (d^2 / 2 siblings a row). */
static pt_collection *deep;

static void gen_deep_json(test_buf *b, size_t n) {
  size_t d = n / 1000; /* 262 levels at 256 KiB: within JSON's 1,000 and 64 KiB */
  pt_collection_drop(store, "deep", 4);
  deep = test_collection(store, "deep", SCHEMA);
  test_buf_printf(b, "[");
  for (int r = 0; r < 16; r++) {
    test_buf_printf(b, "%s{\"a\":%d,\"v\":[0,0],\"t\":\"x\",\"i\":0,\"sp\":{},\"j\":", r ? "," : "", r);
    for (size_t k = 0; k < d; k++) test_buf_printf(b, "{\"a\":");
    test_buf_printf(b, "%d", r % 2);
    for (size_t k = 0; k < d; k++) test_buf_printf(b, ",\"s\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30]}");
    test_buf_printf(b, "}");
  }
  test_buf_printf(b, "]");
  pt_mutation_result r = test_write(deep, NULL, PT_OP_INSERT, b->p);
  pt_mutation_result_clear(&r);
  b->len = 0;
  test_buf_printf(b, "j");
  for (size_t k = 0; k < d; k++) test_buf_printf(b, "[\"a\"]");
  test_buf_printf(b, " == 1");
}

static bool run_deep_json(const char *in, size_t len) {
  pt_collection *keep = coll;
  coll = deep;
  bool ok = run_query(in, len);
  coll = keep;
  return ok;
}

/* Like patterns that a backtracking matcher takes n * m steps for: a row whose string is twice
 * as long as the pattern, all 'a', and patterns of 'a's ending in 'b' (never found), alone, and
 * between % and _; the row made by gen, outside the measure. (A run with _ inside it, as
 * '%a_b%', is still tried at each character: its length times the string's.) */
static pt_collection *likes;

static void like_rows(size_t len) {
  pt_collection_drop(store, "likes", 5);
  likes = test_collection(store, "likes", SCHEMA);
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "[{\"a\":1,\"v\":[0,0],\"i\":0,\"j\":{},\"sp\":{},\"t\":\"");
  for (size_t k = 0; k < len; k++) test_buf_put(&b, "a", 1);
  test_buf_printf(&b, "\"}]");
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(pt_collection_write_json(likes, NULL, 0, PT_OP_INSERT, b.p, b.len, 0, &r, &e), &e);
  pt_mutation_result_clear(&r);
  test_buf_free(&b);
}

static void gen_like_inner(test_buf *b, size_t n) {
  like_rows(2 * n);
  repeat(b, "t like '%", "a", "", "b%'", n);
}

static void gen_like_segments(test_buf *b, size_t n) {
  like_rows(2 * n);
  repeat(b, "t like '%", "a", "", "b%a%'", n);
}

static void gen_like_any(test_buf *b, size_t n) {
  like_rows(2 * n);
  repeat(b, "t like '%__", "a", "", "b_%'", n);
}

static bool run_likes(const char *in, size_t len) {
  pt_collection *keep = coll;
  coll = likes;
  bool ok = run_query(in, len);
  coll = keep;
  return ok;
}

/* Peak bytes per byte of expression: the plan's nodes and values, kept while the query runs. The
 * densest forms are chains of 3-byte predicates (`i>1||`: an 80-byte node and its place in the
 * chain for 5 bytes of text, about 24 bytes a byte) and `and` within `or` (about 36); an in-list
 * item is a 16-byte constant for 2 bytes of text (`1,`) and the list doubles as it is read. */
#define K_PLAN 40.0

static const family FILTERS[] = {
    {"or chain", gen_or, run_compile, K_PLAN},
    {"and chain", gen_and, run_compile, K_PLAN},
    {"or chain, words", gen_or_words, run_compile, K_PLAN},
    {"and within or", gen_mixed, run_compile, K_PLAN},
    {"nested chains", gen_nested, run_compile, K_PLAN},
    {"not in a chain", gen_not, run_compile, K_PLAN},
    {"arithmetic in a chain", gen_arith, run_compile, K_PLAN},
    {"ranges in a chain", gen_range, run_compile, K_PLAN},
    {"in-list of integers", gen_in_int, run_compile, K_PLAN},
    {"in-list of keys", gen_in_pk, run_compile, K_PLAN},
    {"in-list of strings", gen_in_str, run_compile, K_PLAN},
    {"in-list on a JSON path", gen_in_json, run_compile, K_PLAN},
    {"string literal", gen_string, run_compile, K_PLAN},
    {"string escapes", gen_escapes, run_compile, K_PLAN},
    {"subscript chain", gen_subscript, run_compile, K_PLAN},
    {"dynamic subscript chain", gen_dyn_subscript, run_compile, K_PLAN},
    {"like prefix", gen_like, run_compile, K_PLAN},
    {"like wildcards", gen_like_wild, run_compile, K_PLAN},
    {"text_match", gen_text_match, run_compile, K_PLAN},
    {"phrase_match beyond its limit", gen_phrase_match, run_compile_bad, K_PLAN},
    {"chain ending in an error", gen_bad_end, run_compile_bad, K_PLAN},
};

static const family QUERIES[] = {
    {"query: or chain", gen_or, run_query, K_PLAN},
    {"query: and within or", gen_mixed, run_query, K_PLAN},
    {"query: in-list of integers", gen_in_int, run_query, K_PLAN},
    {"query: in-list of keys", gen_in_pk, run_query, K_PLAN},
    {"query: in-list of strings", gen_in_str, run_query, K_PLAN},
    {"query: in-list on a JSON path", gen_in_json, run_query, K_PLAN},
    {"query: subscript chain", gen_subscript, run_query, K_PLAN},
    {"query: like wildcards", gen_like_wild, run_query, K_PLAN},
    {"query: text_match", gen_text_match, run_query, K_PLAN},
    {"query: deep JSON path", gen_deep_json, run_deep_json, K_PLAN, 0},
};

/* ============================================================================================
 * JSON batches, search requests, snapshots
 * ========================================================================================== */

/* Batches are upserts of keys gen wrote first (outside the measure), with the same bytes: each
 * measured run overwrites its rows in place, so what it holds afterwards is what it held
 * before, and its peak is what parsing, checking and writing the batch took. */
static void warm_up(test_buf *b) {
  pt_mutation_result r;
  pt_error e;
  if (pt_collection_write_json(coll, "batches", 7, PT_OP_UPSERT, b->p, b->len, 0, &r, &e)) {
    fprintf(stderr, "  FAIL a batch is refused: %.200s\n", e.message);
    pt_test_failures++;
  }
  pt_mutation_result_clear(&r);
}

static bool run_batch(const char *in, size_t len) {
  pt_mutation_result r;
  pt_error e;
  pt_status rc = pt_collection_write_json(coll, "batches", 7, PT_OP_UPSERT, in, len, 0, &r, &e);
  if (rc) fprintf(stderr, "    %.200s\n", e.message);
  pt_mutation_result_clear(&r);
  return rc == PT_OK;
}

/* Many small rows. */
static void make_rows(test_buf *b, size_t n) {
  test_buf_printf(b, "[");
  for (int k = 0; b->len + 80 < n; k++)
    test_buf_printf(b, "%s{\"a\":%d,\"v\":[1,2],\"t\":\"t\",\"j\":{},\"i\":%d,\"sp\":{}}", k ? "," : "", 1000000 + k, k);
  test_buf_printf(b, "]");
}

static void gen_rows(test_buf *b, size_t n) {
  make_rows(b, n);
  warm_up(b);
}

/* Rows of 8 KiB strings made of escapes (6 bytes of text a character). */
static void gen_escaped(test_buf *b, size_t n) {
  test_buf_printf(b, "[");
  for (int k = 0; b->len + 8300 < n || k == 0; k++) {
    test_buf_printf(b, "%s{\"a\":%d,\"v\":[1,2],\"j\":{},\"i\":0,\"sp\":{},\"t\":\"", k ? "," : "", 2000000 + k);
    for (int c = 0; c < 1365; c++) test_buf_printf(b, "\\u00e9");
    test_buf_printf(b, "\"}");
  }
  test_buf_printf(b, "]");
  warm_up(b);
}

/* Rows of many dynamic keys and long numeric arrays in a JSON field and a sparse vector. */
static void gen_wide(test_buf *b, size_t n) {
  test_buf_printf(b, "[");
  for (int k = 0; b->len + 9000 < n || k == 0; k++) {
    test_buf_printf(b, "%s{\"a\":%d,\"v\":[1,2],\"t\":\"\",\"i\":0,\"j\":[", k ? "," : "", 3000000 + k);
    for (int c = 0; c < 1000; c++) test_buf_printf(b, "%s%d", c ? "," : "", c % 10);
    test_buf_printf(b, "],\"sp\":{");
    for (int c = 0; c < 300; c++) test_buf_printf(b, "%s\"%d\":1", c ? "," : "", c);
    test_buf_printf(b, "}");
    for (int c = 0; c < 300; c++) test_buf_printf(b, ",\"d%d\":%d", c, c % 10);
    test_buf_printf(b, "}");
  }
  test_buf_printf(b, "]");
  warm_up(b);
}

/* A sparse query vector of many indices: the request's JSON and the vector's parsing. */
static void gen_sparse_search(test_buf *b, size_t n) {
  test_buf_printf(b, "{\"anns_field\":\"sp\",\"metric_type\":\"IP\",\"limit\":3,\"nq\":1,\"sparse\":[{");
  for (int c = 0; b->len + 20 < n; c++) test_buf_printf(b, "%s\"%d\":1", c ? "," : "", c);
  test_buf_printf(b, "}]}");
}

static bool run_search(const char *in, size_t len) {
  pt_search_result *res = NULL;
  pt_error e;
  pt_status rc = pt_collection_search(coll, in, len, NULL, 0, &res, &e);
  if (rc) fprintf(stderr, "    search: %s\n", e.message);
  pt_search_free(res);
  return rc == PT_OK;
}

/* A snapshot of rows in proportion to n (made outside the measure); the run loads it as a new
 * collection and drops it. */
static void gen_snapshot(test_buf *b, size_t n) {
  pt_collection *c = test_collection(store, "snap", SCHEMA);
  test_buf rows = {NULL, 0, 0};
  make_rows(&rows, n / 2);
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(pt_collection_write_json(c, NULL, 0, PT_OP_INSERT, rows.p, rows.len, 0, &r, &e), &e);
  pt_mutation_result_clear(&r);
  test_buf_free(&rows);
  uint8_t *bytes = NULL;
  size_t len = 0;
  CHECK_OK(pt_collection_save(c, &bytes, &len, &e), &e);
  pt_collection_drop(store, "snap", 4);
  test_buf_put(b, (const char *)bytes, len);
  pt_free(bytes);
}

static bool run_load(const char *in, size_t len) {
  pt_collection *c = NULL;
  pt_error e;
  pt_status rc = pt_collection_load(store, (const uint8_t *)in, len, "loaded", 6, &c, &e);
  if (rc) fprintf(stderr, "    load: %s\n", e.message);
  pt_collection_drop(store, "loaded", 6);
  return rc == PT_OK;
}

/* Peak bytes per byte of a batch: cJSON's tree (a 64-byte node for each value, 2 bytes of text
 * for the densest ones) and what the batch is checked and written through. */
#define K_JSON 48.0
/* A loaded snapshot is its rows again, in segments allocated a whole segment at a time. */
#define K_SNAPSHOT 4.0
#define SEGMENT_BYTES (8u << 20)

static const family OTHERS[] = {
    {"batch: many small rows", gen_rows, run_batch, K_JSON, 0},
    {"batch: escaped strings", gen_escaped, run_batch, K_JSON, 0},
    {"batch: JSON, sparse, dynamic keys", gen_wide, run_batch, K_JSON, 0},
    {"search: a long sparse vector", gen_sparse_search, run_search, K_JSON, 0},
    {"snapshot load", gen_snapshot, run_load, K_SNAPSHOT, SEGMENT_BYTES},
};

TEST(allocator_first) {
  CHECK_EQ_INT(pt_memory_used(), 0);
  pt_allocator a = {m_malloc, m_realloc, m_free, NULL};
  CHECK_EQ_INT(pt_set_allocator(&a), PT_OK);
  store = test_store();
  coll = test_collection(store, "b", SCHEMA);
  fill_collection();
  pt_error e;
  CHECK_OK(pt_partition_create(coll, "batches", 7, &e), &e);
}

TEST(filter_expressions) {
  for (size_t i = 0; i < sizeof FILTERS / sizeof FILTERS[0]; i++) check_family(&FILTERS[i], 16u << 10, 32u << 10);
}

TEST(filter_expressions_in_queries) {
  for (size_t i = 0; i < sizeof QUERIES / sizeof QUERIES[0]; i++) check_family(&QUERIES[i], 16u << 10, 32u << 10);
}

static const family LIKES[] = {
    {"like: a long inner pattern", gen_like_inner, run_likes, K_PLAN, 0},
    {"like: a long run between %", gen_like_segments, run_likes, K_PLAN, 0},
    {"like: a long run between _ and %", gen_like_any, run_likes, K_PLAN, 0},
};

TEST(like_patterns) {
  /* strings up to 64 KiB (VARCHAR's limit): patterns of 1 and 16 KiB against strings twice that
   * (16 times the input: linear is 16 times the time, n * m 256 times) */
  for (size_t i = 0; i < sizeof LIKES / sizeof LIKES[0]; i++) check_family_by(&LIKES[i], 1u << 10, 1u << 10, 16);
  pt_collection_drop(store, "likes", 5);
}

TEST(batches_searches_and_snapshots) {
  for (size_t i = 0; i < sizeof OTHERS / sizeof OTHERS[0]; i++) check_family(&OTHERS[i], 32u << 10, 64u << 10);
}

TEST(filter_at_the_length_limit) {
  /* the longest expression accepted: an or chain of 1 MiB */
  const family f = {"1 MiB or chain", gen_or, run_compile, K_PLAN};
  test_buf in = {NULL, 0, 0};
  gen_or(&in, PT_EXPR_MAX_LENGTH);
  size_t peak;
  double secs;
  if (measure(&f, &in, &peak, &secs)) mem_ok(&f, in.len, peak);
  test_buf_free(&in);
}

TEST(the_end) {
  pt_collection_drop(store, "deep", 4);
  pt_store_close(store);
  CHECK_EQ_INT(live_bytes, 0);
}

TEST_MAIN(T(allocator_first), T(filter_expressions), T(filter_expressions_in_queries), T(like_patterns),
          T(batches_searches_and_snapshots),
          T(filter_at_the_length_limit),
          T(the_end))
