/*
 * harness.h — a tiny test harness for the C unit tests (native, and WASI under Node).
 * Each test file defines tests with TEST(name) and lists them in a TESTS table; main() runs
 * them all and prints one line per test and a closing "N passed, N failed" line.
 */
#ifndef PT_TEST_HARNESS_H
#define PT_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "partita.h"

extern int pt_test_failures;

#define CHECK(cond)                                                                        \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                    \
      pt_test_failures++;                                                                  \
    }                                                                                      \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                                 \
  do {                                                                                     \
    long long va_ = (long long)(a), vb_ = (long long)(b);                                  \
    if (va_ != vb_) {                                                                      \
      fprintf(stderr, "  FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, #a, #b, \
              va_, vb_);                                                                   \
      pt_test_failures++;                                                                  \
    }                                                                                      \
  } while (0)

/* The call succeeded; on failure prints the error's message. */
#define CHECK_OK(call, errp)                                                               \
  do {                                                                                     \
    pt_status rc_ = (call);                                                                \
    if (rc_ != PT_OK) {                                                                    \
      fprintf(stderr, "  FAIL %s:%d: %s -> %s: %s\n", __FILE__, __LINE__, #call,           \
              pt_status_str(rc_), (errp) ? (errp)->message : "");                          \
      pt_test_failures++;                                                                  \
    }                                                                                      \
  } while (0)

/* The error message contains `needle`. */
#define CHECK_MSG(errp, needle)                                                            \
  do {                                                                                     \
    if (!strstr((errp)->message, (needle))) {                                              \
      fprintf(stderr, "  FAIL %s:%d: message \"%s\" lacks \"%s\"\n", __FILE__, __LINE__,   \
              (errp)->message, (needle));                                                  \
      pt_test_failures++;                                                                  \
    }                                                                                      \
  } while (0)

/* The call failed with status `st`, and the error says so with Milvus's code, pymilvus's
 * exception class and a message containing `needle`. */
#define CHECK_ERR(call, errp, st, code_, exc_, needle)                                     \
  do {                                                                                     \
    pt_status rc_ = (call);                                                                \
    CHECK_EQ_INT(rc_, (st));                                                               \
    CHECK_EQ_INT((errp)->status, (st));                                                    \
    CHECK_EQ_INT((errp)->code, (code_));                                                   \
    CHECK_EQ_INT((errp)->exc, (exc_));                                                     \
    CHECK_MSG(errp, needle);                                                               \
  } while (0)

/* As CHECK_ERR for a status already in hand, printing what came and what was expected. */
void test_expect_err(const char *file, int line, pt_status rc, const pt_error *err, pt_status st,
                     int32_t code, int32_t exc, const char *needle);
#define EXPECT_ERR(rc, errp, st, code_, exc_, needle)                                     \
  test_expect_err(__FILE__, __LINE__, (rc), (errp), (st), (code_), (exc_), (needle))

/* Two NUL-terminated strings are equal; for long ones, the first differing line is shown. */
void test_check_str(const char *file, int line, const char *what, const char *a, const char *b);
#define CHECK_STR(a, b) test_check_str(__FILE__, __LINE__, #a " == " #b, (a), (b))

typedef struct pt_test {
  const char *name;
  void (*fn)(void);
} pt_test;

#define TEST(name) static void name(void)

int pt_test_main(const pt_test *tests, size_t n);
#define TEST_MAIN(...)                                                                     \
  int main(void) {                                                                         \
    static const pt_test tests_[] = {__VA_ARGS__};                                         \
    return pt_test_main(tests_, sizeof tests_ / sizeof tests_[0]);                         \
  }
#define T(fn) {#fn, fn}

/* ---- helpers shared by the test files ---- */

/* A schema from JSON; aborts the test program when it does not build. */
pt_schema *test_schema(const char *json);
/* A fresh store with a fixed clock (1,700,000,000,000 ms), and a collection in it. */
pt_store *test_store(void);
pt_collection *test_collection(pt_store *store, const char *name, const char *schema_json);
/* Builds a schema from JSON and creates collection "x" with it (dropped again when it was
 * created): the status of the first step that refused, with its error. */
pt_status test_try_create(pt_store *store, const char *schema_json, pt_error *err);
/* Runs a JSON write, expecting success. */
pt_mutation_result test_write(pt_collection *c, const char *partition, pt_op op, const char *json);

/* The wide twins of test_vindex and test_cold: an INT64 key `id`, an INT64 `tag` and a 1,024-d
 * FLOAT_VECTOR `v` (single-quoted: give it to J()). */
#define TEST_WIDE_DIM 1024
#define TEST_WIDE_SCHEMA \
  "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'tag','dtype':5},{'name':'v','dtype':101,'dim':1024}]}"
/* Writes keys [from, from + n) of TEST_WIDE_SCHEMA with `op` into a and b (either may be NULL):
 * tag key % 100, and a vector of TEST_WIDE_DIM values in 16 groups (key % 16) of nearby rows,
 * shifted by `ver` (another version of the same rows). */
void test_write_wide(pt_collection *a, pt_collection *b, pt_op op, size_t from, size_t n, int ver);
/* Runs a query, returning the rows (NULL and a printed failure on error). */
pt_rows *test_query(pt_collection *c, const char *request);
/* Value of an INT64 output column at a row. */
int64_t test_i64(const pt_rows *rows, size_t col, size_t row);
/* Index of an output column by name, or -1. */
int test_col(const pt_rows *rows, const char *name);
/* Text of a variable-length output column at a row, NUL-terminated in a static buffer. */
const char *test_text(const pt_rows *rows, size_t col, size_t row);

/* The ids (first output column, INT64) of the rows a filter selects, comma-separated, in storage
 * order (at most 16384); or "ERR: <message>". In a static buffer, valid until the next call. */
const char *test_filter_ids(pt_collection *c, const char *expr);
/* The first output column (INT64) of rows as "1,2,3" (at most 16384 of them), in a static buffer
 * shared with test_query_ids and test_filter_ids, valid until the next call of one of them. */
const char *test_ids(const pt_rows *rows);
/* The ids (test_ids) of the rows a query request (JSON) returns, or "ERR: <message>". */
const char *test_query_ids(pt_collection *c, const char *request);
/* The ids a query (single-quoted JSON, J) returns are `want` ("1,2,3", or "ERR: <message>"). */
#define CHECK_IDS(c, sq, want) CHECK_STR(test_query_ids((c), J(sq)), (want))
/* Got starts with want; otherwise prints both (labelled `what`, at file:line) and fails. */
void test_expect_prefix(const char *file, int line, const char *what, const char *got, const char *want);
#define EXPECT_PREFIX(what, got, want) test_expect_prefix(__FILE__, __LINE__, (what), (got), (want))
/* The next of a small linear congruential generator (the C library's example): its high bits. */
uint32_t test_rand(uint32_t *seed);

/* An expression and the ids it selects, or "ERR: " and a fragment of its error message. */
typedef struct test_filter_case {
  const char *expr;
  const char *want;
} test_filter_case;
/* Runs each case through test_filter_ids, printing and counting the ones that differ. */
void test_filter_cases(pt_collection *c, const test_filter_case *cases, size_t n);
/* test_filter_cases over a static array of cases against collection `c`. */
#define TEST_FILTER_CASES(c, cases) test_filter_cases((c), (cases), sizeof(cases) / sizeof((cases)[0]))

/* JSON written with single quotes for readability: returns the text with every ' turned into ",
 * in one of 16 rotating static buffers (so a few may be live at once). */
const char *test_json(const char *single_quoted);
#define J(s) test_json(s)
/* J of a printf-style text (a request built from a case's values). */
const char *test_jf(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* A growable string built with printf-style appends (libc memory, not the core's). */
typedef struct test_buf {
  char *p;
  size_t len, cap;
} test_buf;
void test_buf_printf(test_buf *b, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void test_buf_put(test_buf *b, const char *s, size_t n);
void test_buf_free(test_buf *b);

/* Every column and row of a result as text (fixed-width values in hex, variable-length values
 * as their text, nulls as "null"); free() it. */
char *test_dump_rows(const pt_rows *rows);
/* Everything observable about a collection: its partitions with their live counts, and every
 * live row with every field (a "*" query), in storage order; free() it. Two snapshots are
 * equal exactly when nothing visible changed. Needs fewer than 16384 rows. */
char *test_snapshot(pt_collection *c);
/* Everything observable about a store: its clocks (last timestamp and auto_id key), and per
 * collection its test_snapshot and its pt_collection_save bytes in hex; free() it. */
char *test_dump_store(pt_store *s);
/* Fails the test (at file:line) when c's snapshot differs from `before` (test_snapshot's), which
 * it frees. */
void test_unchanged(const char *file, int line, char *before, pt_collection *c);

/* An order_by spec as orderby.c read it (orderby.h), written back in its kind's form (a query's
 * `field:asc:nulls_last`, a search's `field:asc` or `json["k"][0]:desc`, a dynamic key as
 * `$meta["k"]`; items joined by commas) into out (size bytes, NUL-terminated, cut if it does not
 * fit): the length it needs. Reading it back must give the same keys (test_orderby, fuzz_orderby). */
struct pt_order;
size_t test_order_text(const pt_collection *c, const struct pt_order *o, char *out, size_t size);

/* An allocator that fails the Nth allocation (0: never) and counts live blocks. */
void test_alloc_install(void);
void test_alloc_fail_at(long n);
long test_alloc_count(void);
long test_alloc_live(void);

#endif
