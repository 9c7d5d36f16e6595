/*
 * fuzz_orderby.c — libFuzzer target: order_by_fields specs (orderby.h). The first byte picks how
 * the rest is read (even: a query's spec, odd: a search's); the rest is the spec.
 *
 * Read-back oracle: a spec that is accepted writes back (test_order_text, harness.c) as text that is accepted
 * again, to the same keys, and writes back to the same text. An accepted spec then orders the
 * rows of a query (with a limit) and the hits of a search, and the rows come back as a
 * permutation of those without the ordering; a query with a limit below its rows (2 of 3: the
 * bounded heap of orderby.c's pt_order_top) gives the first rows of the one above them. A refused
 * spec fails the query with a message and leaves the store as it was.
 */
#include "fuzz_common.h"
#include "json.h"
#include "orderby.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_keys(const pt_order *a, const pt_order *b) {
  bool same = a->n == b->n;
  for (size_t i = 0; same && i < a->n; i++) {
    const pt_order_key *x = &a->keys[i], *y = &b->keys[i];
    same = x->col == y->col && x->json == y->json && x->asc == y->asc && x->nulls_first == y->nulls_first &&
           x->n_keys == y->n_keys;
    for (size_t j = 0; same && j < x->n_keys; j++)
      same = x->keys[j].len == y->keys[j].len && memcmp(x->keys[j].ptr, y->keys[j].ptr, x->keys[j].len) == 0;
  }
  if (!same) {
    fprintf(stderr, "fuzz: an order_by spec read back to other keys\n");
    abort();
  }
}

/* The sum and xor of the ids of a query's rows, and their number. */
static void id_sums(const pt_rows *rows, long long *sum, long long *x, size_t *n) {
  *sum = *x = 0;
  *n = pt_rows_count(rows);
  for (size_t i = 0; i < *n; i++) {
    long long id = (long long)test_i64(rows, 0, i);
    *sum += id;
    *x ^= id * 2654435761LL;
  }
}

/* A query ordered by the spec (escaped for JSON) with limit 2, below the fuzz collection's 3
 * rows, must give the first 2 rows of `all`, the answer with a limit above them. */
static void first_rows(pt_collection *c, const test_buf *esc, const pt_rows *all) {
  test_buf q = {NULL, 0, 0};
  test_buf_printf(&q, "{\"limit\":2,\"output_fields\":[\"id\"],\"order_by_fields\":\"%.*s\"}", (int)esc->len,
                  esc->p ? esc->p : "");
  pt_rows *top = NULL;
  pt_error e;
  if (pt_collection_query(c, q.p, q.len, &top, &e) != PT_OK) {
    fprintf(stderr, "fuzz: an ordered query was refused with limit 2: %s\n", e.message);
    abort();
  }
  size_t n = pt_rows_count(top);
  bool same = n == (pt_rows_count(all) < 2 ? pt_rows_count(all) : 2);
  for (size_t i = 0; same && i < n; i++) same = test_i64(top, 0, i) == test_i64(all, 0, i);
  if (!same) {
    fprintf(stderr, "fuzz: limit 2 did not give the first 2 rows of the same order (%zu rows)\n", n);
    abort();
  }
  pt_rows_free(top);
  test_buf_free(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 4096 || memchr(data, 0, size)) return 0; /* request strings hold no NUL */
  pt_order_kind kind = (data[0] & 1) ? PT_ORDER_SEARCH : PT_ORDER_QUERY;
  const char *spec = (const char *)data + 1;
  size_t len = size - 1;
  pt_store *st;
  pt_collection *c = fuzz_collection(&st);
  pt_order a, b;
  pt_error e;
  pt_status rc = pt_order_parse(c, spec, len, kind, &a, &e);
  fuzz_error_filled(rc, &e, "pt_order_parse");
  if (rc == PT_OK) {
    size_t need = test_order_text(c, &a, NULL, 0);
    char *text = malloc(need + 1), *again = malloc(need + 1);
    test_order_text(c, &a, text, need + 1);
    if (pt_order_parse(c, text, need, kind, &b, &e) != PT_OK) {
      fprintf(stderr, "fuzz: an order_by spec written back was refused: %s\n  %s\n", text, e.message);
      abort();
    }
    same_keys(&a, &b);
    if (test_order_text(c, &b, again, need + 1) != need || memcmp(text, again, need) != 0) {
      fprintf(stderr, "fuzz: an order_by spec wrote back differently: %s / %s\n", text, again);
      abort();
    }
    pt_order_release(&b);
    free(again);
    free(text);
    pt_order_release(&a);
  }

  /* the spec in a request: as a JSON string */
  test_buf esc = {NULL, 0, 0};
  for (size_t i = 0; i < len; i++) {
    unsigned ch = (uint8_t)spec[i];
    if (ch == '"' || ch == '\\') test_buf_printf(&esc, "\\%c", ch);
    else if (ch < 0x20) test_buf_printf(&esc, "\\u%04x", ch);
    else test_buf_put(&esc, spec + i, 1);
  }
  char *before = test_snapshot(c);
  test_buf q = {NULL, 0, 0};
  if (kind == PT_ORDER_QUERY) {
    test_buf_printf(&q, "{\"limit\":10,\"output_fields\":[\"id\"],\"order_by_fields\":\"%.*s\"}", (int)esc.len, esc.p ? esc.p : "");
  } else {
    test_buf_printf(&q, "{\"nq\":1,\"limit\":10,\"metric_type\":\"L2\",\"anns_field\":\"v\",\"output_fields\":[\"id\"],\"params\":{\"order_by_fields\":\"%.*s\"}}",
                    (int)esc.len, esc.p ? esc.p : "");
  }
  pt_rows *rows = NULL;
  pt_search_result *res = NULL;
  const float vec[4] = {0, 0, 0, 0};
  pt_status qrc = kind == PT_ORDER_QUERY ? pt_collection_query(c, q.p, q.len, &rows, &e)
                                          : pt_collection_search(c, q.p, q.len, vec, sizeof vec, &res, &e);
  fuzz_error_filled(qrc, &e, "ordered request");
  pt_json_checked chk;
  bool valid_text = pt_json_check(q.p, q.len, 0, &chk); /* the spec is UTF-8 */
  if (valid_text && (qrc == PT_OK) != (rc == PT_OK) && rc != PT_NOMEM && qrc != PT_NOMEM) {
    fprintf(stderr, "fuzz: the spec was %s alone but %s in a request: %s\n", rc ? "refused" : "accepted",
            qrc ? "refused" : "accepted", qrc ? e.message : "");
    abort();
  }
  if (qrc == PT_OK) {
    /* the same rows as without the ordering, in some order */
    const pt_rows *got = rows ? rows : pt_search_rows(res);
    const char *plain_req = kind == PT_ORDER_QUERY ? "{\"limit\":10,\"output_fields\":[\"id\"]}"
                                                   : "{\"nq\":1,\"limit\":10,\"metric_type\":\"L2\",\"anns_field\":\"v\",\"output_fields\":[\"id\"]}";
    pt_rows *prows = NULL;
    pt_search_result *pres = NULL;
    pt_status prc = kind == PT_ORDER_QUERY ? pt_collection_query(c, plain_req, strlen(plain_req), &prows, &e)
                                           : pt_collection_search(c, plain_req, strlen(plain_req), vec, sizeof vec, &pres, &e);
    if (prc == PT_OK) {
      long long s1, x1, s2, x2;
      size_t n1, n2;
      id_sums(got, &s1, &x1, &n1);
      id_sums(prows ? prows : pt_search_rows(pres), &s2, &x2, &n2);
      if (s1 != s2 || x1 != x2 || n1 != n2) {
        fprintf(stderr, "fuzz: an ordering changed which rows come back\n");
        abort();
      }
    }
    pt_rows_free(prows);
    pt_search_free(pres);
    if (kind == PT_ORDER_QUERY) first_rows(c, &esc, got);
  } else {
    fuzz_unchanged(c, before, "ordered request");
  }
  pt_rows_free(rows);
  pt_search_free(res);
  free(before);
  test_buf_free(&q);
  test_buf_free(&esc);
  pt_store_close(st);
  return 0;
}
