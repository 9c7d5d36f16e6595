/*
 * fuzz_filter.c — libFuzzer target: filter expressions. The input is an expression: it is
 * used as the filter of a delete (raw bytes), and of a query and a search (in the JSON
 * request, escaped). A refused expression leaves the store as it was; an accepted delete
 * removes exactly as many rows as it says, but for a list of primary keys, which it counts as
 * listed, found or not (Milvus's count), and of which it removes at most that many.
 *
 * Templates: the query binds the expression's `{name}`s to template values of every kind
 * (expr_params). And the input is a template value: a row whose dynamic key `k` holds the input
 * as a string must be selected by `k == {x}` and `k in {xs}` with x the input, and by nothing
 * else than the rows whose `k` equals it (read back exactly, never read as expression text).
 */
#include "fuzz_common.h"
#include "filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as the inside of a JSON string. */
static void escaped(test_buf *b, const uint8_t *data, size_t size) {
  for (size_t i = 0; i < size; i++) {
    unsigned ch = data[i];
    if (ch == '"' || ch == '\\') test_buf_printf(b, "\\%c", ch);
    else if (ch < 0x20) test_buf_printf(b, "\\u%04x", ch);
    else test_buf_put(b, (const char *)data + i, 1);
  }
}

/* The expression as a JSON request {"expr": ..., <rest>}. */
static void request(test_buf *b, const uint8_t *data, size_t size, const char *rest) {
  test_buf_printf(b, "{\"expr\":\"");
  escaped(b, data, size);
  test_buf_printf(b, "\",%s}", rest);
}

/* The rows `request` selects, or -1 when it fails. */
static long count_rows(pt_collection *c, test_buf *q) {
  pt_rows *rows = NULL;
  pt_error e;
  pt_status rc = pt_collection_query(c, q->p, q->len, &rows, &e);
  fuzz_error_filled(rc, &e, "template query");
  long n = rc == PT_OK ? (long)pt_rows_count(rows) : -1;
  pt_rows_free(rows);
  return n;
}

/* The input as a template value: read back exactly. */
static void template_value(const uint8_t *data, size_t size) {
  if (memchr(data, 0, size)) return; /* template values cannot hold NUL (json.h) */
  pt_store *st;
  pt_collection *c = fuzz_collection(&st);
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "{\"id\":100,\"v\":[0,0,0,0],\"h\":[0,0,0,0],\"bv\":[0],\"k\":\"");
  escaped(&b, data, size);
  test_buf_printf(&b, "\"}");
  pt_mutation_result r;
  pt_error e;
  pt_status rc = pt_collection_write_json(c, NULL, 0, PT_OP_INSERT, b.p, b.len, 0, &r, &e);
  test_buf_free(&b);
  if (rc == PT_OK) { /* the input is UTF-8 */
    pt_mutation_result_clear(&r);
    long want = 1 + (size == 1 && data[0] == 'z'); /* row 3 holds k 'z' */
    for (int form = 0; form < 2; form++) {
      test_buf q = {NULL, 0, 0};
      test_buf_printf(&q, form ? "{\"expr\":\"k in {xs}\",\"expr_params\":{\"xs\":[\""
                                : "{\"expr\":\"k == {x}\",\"expr_params\":{\"x\":\"");
      escaped(&q, data, size);
      test_buf_printf(&q, form ? "\"]},\"limit\":100}" : "\"},\"limit\":100}");
      long got = count_rows(c, &q);
      if (got != want) {
        fprintf(stderr, "fuzz: a template value selected %ld rows, not %ld: %s\n", got, want, q.p);
        abort();
      }
      test_buf_free(&q);
    }
  }
  pt_store_close(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  pt_store *st;
  pt_collection *c = fuzz_collection(&st);
  char *before = test_snapshot(c);
  pt_error e;
  test_buf q = {NULL, 0, 0};
  request(&q, data, size,
          "\"limit\":10,\"output_fields\":[\"*\"],\"expr_params\":{\"a\":1,\"b\":-2.5,\"s\":\"ab\",\"t\":true,"
          "\"l\":[1,\"ab\",[2]],\"m\":[1,2],\"n\":null,\"x\":9223372036854775807}");
  pt_rows *rows = NULL;
  pt_status rc = pt_collection_query(c, q.p, q.len, &rows, &e);
  fuzz_error_filled(rc, &e, "query");
  if (rc == PT_OK) free(test_dump_rows(rows));
  pt_rows_free(rows);
  test_buf_free(&q);
  request(&q, data, size, "\"anns_field\":\"v\",\"limit\":2,\"nq\":1");
  const float vec[4] = {1, 0, 0, 1};
  pt_search_result *sr = NULL;
  rc = pt_collection_search(c, q.p, q.len, vec, sizeof vec, &sr, &e);
  fuzz_error_filled(rc, &e, "search");
  pt_search_free(sr);
  test_buf_free(&q);
  fuzz_unchanged(c, before, "read");
  uint64_t n = pt_collection_num_entities(c, NULL, 0);
  pt_filter *f = NULL;
  uint64_t listed = UINT64_MAX; /* the keys of a primary-key list */
  if (pt_filter_compile(c, (const char *)data, size, NULL, 0, "delete", &f, &e) == PT_OK && pt_filter_keys(f))
    listed = pt_filter_keys(f)->n;
  pt_filter_free(f);
  pt_mutation_result r;
  rc = pt_collection_delete(c, NULL, 0, (const char *)data, size, &r, &e);
  fuzz_error_filled(rc, &e, "delete");
  uint64_t now = pt_collection_num_entities(c, NULL, 0);
  if (rc != PT_OK) {
    fuzz_unchanged(c, before, "delete");
  } else if (listed != UINT64_MAX ? r.delete_count != listed || now > n || n - now > listed : now != n - r.delete_count) {
    fprintf(stderr, "fuzz: delete said %llu rows, the count went from %llu to %llu\n", (unsigned long long)r.delete_count,
            (unsigned long long)n, (unsigned long long)now);
    abort();
  }
  pt_mutation_result_clear(&r);
  free(before);
  pt_store_close(st);
  template_value(data, size);
  return 0;
}
