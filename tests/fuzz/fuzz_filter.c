/*
 * fuzz_filter.c — libFuzzer target: filter expressions. The input is an expression: it is
 * used as the filter of a delete (raw bytes), and of a query and a search (in the JSON
 * request, escaped). A refused expression leaves the store as it was; an accepted delete
 * removes exactly as many rows as it says, but for a list of primary keys, which it counts as
 * listed, found or not (Milvus's count), and of which it removes at most that many.
 */
#include "fuzz_common.h"
#include "filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The expression as a JSON request {"expr": ..., <rest>}. */
static void request(test_buf *b, const uint8_t *data, size_t size, const char *rest) {
  test_buf_printf(b, "{\"expr\":\"");
  for (size_t i = 0; i < size; i++) {
    unsigned ch = data[i];
    if (ch == '"' || ch == '\\') test_buf_printf(b, "\\%c", ch);
    else if (ch < 0x20) test_buf_printf(b, "\\u%04x", ch);
    else test_buf_put(b, (const char *)data + i, 1);
  }
  test_buf_printf(b, "\",%s}", rest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  pt_store *st;
  pt_collection *c = fuzz_collection(&st);
  char *before = test_snapshot(c);
  pt_error e;
  test_buf q = {NULL, 0, 0};
  request(&q, data, size, "\"limit\":10,\"output_fields\":[\"*\"]");
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
  if (pt_filter_compile(c, (const char *)data, size, "delete", &f, &e) == PT_OK && pt_filter_keys(f))
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
  return 0;
}
