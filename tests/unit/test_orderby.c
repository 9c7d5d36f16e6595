/*
 * test_orderby.c — order_by_fields (Milvus 3.0, orderby.h) on query and search.
 *
 * Covers:
 *   - query: each sortable type ascending and descending; nulls last ascending and first
 *     descending, and as nulls_first / nulls_last say; several keys; ties in storage order;
 *     offset and limit after the ordering; with a filter, a key filter and partitions.
 *   - query errors, with Milvus's messages: no limit, an iterator, count(*), unknown field,
 *     unsortable types ($meta included), bad direction, bad null ordering, a fourth part; the
 *     store unchanged.
 *   - search: the offset + limit best hits reordered (ties best first), offset after; by a
 *     dynamic key and a path into a JSON field (numbers, strings, mixed kinds, missing keys);
 *     grouped hits ordered by their group's first hit; errors (unknown field, unsortable type,
 *     brackets on a non-JSON field, empty name, bad direction, iterator).
 *   - the spec read back: test_order_text (harness.c) of what was read reads back to the same keys.
 */
#include "harness.h"

#include <stdlib.h>

#include "orderby.h"

static const char *SCHEMA =
    "{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
    "{'name':'v','dtype':101,'dim':2},{'name':'i','dtype':4,'nullable':true},{'name':'f','dtype':10,'nullable':true},"
    "{'name':'s','dtype':21,'max_length':16,'nullable':true},{'name':'b','dtype':1},"
    "{'name':'j','dtype':23,'nullable':true},{'name':'a','dtype':22,'element_type':5,'max_capacity':4}]}";

/* id: i, f, s, b, j.p, dynamic k — ties and nulls on purpose */
static const char *ROWS =
    "[{'id':1,'v':[1,0],'i':3,'f':0.5,'s':'b','b':true,'j':{'p':2},'a':[],'k':'x'},"
    "{'id':2,'v':[2,0],'i':null,'f':-1.5,'s':'a','b':false,'j':{'p':'z'},'a':[],'k':1},"
    "{'id':3,'v':[3,0],'i':1,'f':null,'s':null,'b':true,'j':null,'a':[],'k':3},"
    "{'id':4,'v':[4,0],'i':3,'f':0.25,'s':'ab','b':false,'j':{'p':10},'a':[]},"
    "{'id':5,'v':[5,0],'i':2,'f':0.5,'s':'b','b':true,'j':{'q':1},'a':[],'k':null},"
    "{'id':6,'v':[6,0],'i':null,'f':2,'s':'\\u00e9','b':false,'j':{'p':'a'},'a':[],'k':2}]";

static pt_collection *setup(pt_store **st) {
  *st = test_store();
  pt_collection *c = test_collection(*st, "o", J(SCHEMA));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J(ROWS));
  pt_mutation_result_clear(&r);
  return c;
}

/* The ids of the hits of a search for [0, 0] (L2: id order is score order), as "1,2,3". */
static const char *hits(pt_collection *c, const char *sq) {
  static char out[1024];
  const char *req = test_jf("{'nq':1,%s", sq + 1);
  const float q[2] = {0, 0};
  pt_search_result *res = NULL;
  pt_error e;
  if (pt_collection_search(c, req, strlen(req), q, sizeof q, &res, &e)) {
    snprintf(out, sizeof out, "ERR: %s", e.message);
    return out;
  }
  snprintf(out, sizeof out, "%s", test_ids(pt_search_rows(res))); /* one query: its rows are all the rows */
  pt_search_free(res);
  return out;
}

TEST(query_orders_rows) {
  pt_store *st;
  pt_collection *c = setup(&st);
  CHECK_IDS(c, "{'limit':10,'order_by_fields':'i'}", "3,5,1,4,2,6");             /* nulls last, ties stored order */
  CHECK_IDS(c, "{'limit':10,'order_by_fields':'i:desc'}", "2,6,1,4,5,3");        /* nulls first */
  CHECK_IDS(c, "{'limit':10,'order_by_fields':'i:ASC:nulls_first'}", "2,6,3,5,1,4");
  CHECK_IDS(c, "{'limit':10,'order_by_fields':'i:descending:NULLS_LAST'}", "1,4,5,3,2,6");
  CHECK_IDS(c, "{'limit':10,'order_by_fields':'i:desc:nulls_last, f'}", "4,1,5,3,2,6");
  CHECK_IDS(c, "{'limit':10,'order_by_fields':'f'}", "2,4,1,5,6,3");
  CHECK_IDS(c, "{'limit':10,'order_by_fields':'s:desc'}", "3,6,1,5,4,2"); /* bytes: é (C3 A9) > b */
  CHECK_IDS(c, "{'limit':10,'order_by_fields':'b,id:desc'}", "6,4,2,5,3,1");
  CHECK_IDS(c, "{'limit':10,'order_by_fields':' , s:,'}", "2,4,1,5,6,3");        /* empty items skipped */
  /* offset and limit after the ordering; a filter, keys and partitions before it */
  CHECK_IDS(c, "{'limit':2,'offset':1,'order_by_fields':'i:desc'}", "6,1");
  CHECK_IDS(c, "{'limit':3,'expr':'id > 2','order_by_fields':'f:desc'}", "3,6,5");
  CHECK_IDS(c, "{'limit':3,'expr':'id in [6, 2, 1]','order_by_fields':'s'}", "2,1,6");
  CHECK_IDS(c, "{'limit':9,'partition_names':['_default'],'order_by_fields':'id:desc'}", "6,5,4,3,2,1");
  /* empty: no ordering (storage order) */
  CHECK_IDS(c, "{'limit':3,'order_by_fields':''}", "1,2,3");
  pt_store_close(st);
}

TEST(query_errors) {
  pt_store *st;
  pt_collection *c = setup(&st);
  char *before = test_snapshot(c);
  static const struct { const char *req, *want; } CASES[] = {
      {"{'expr':'id > 0','order_by_fields':'i'}", "ERR: ORDER BY requires explicit limit: invalid parameter"},
      {"{'limit':2,'order_by_pk':true,'order_by_fields':'i'}", "ERR: ORDER BY with iterator is not supported: invalid parameter"},
      {"{'limit':2,'output_fields':['count(*)'],'order_by_fields':' I :desc'}",
       "ERR: ORDER BY field 'i' is not valid: when using GROUP BY or aggregates, ORDER BY can only reference GROUP BY "
       "columns. Valid targets are: []: invalid parameter"},
      {"{'limit':2,'order_by_fields':'nope'}", "ERR: order_by field 'nope' does not exist in collection schema: invalid parameter"},
      {"{'limit':2,'order_by_fields':'k'}", "ERR: order_by field 'k' does not exist in collection schema: invalid parameter"},
      {"{'limit':2,'order_by_fields':'v'}", "ERR: order_by field 'v' has type FloatVector which is not sortable: invalid parameter"},
      {"{'limit':2,'order_by_fields':'j'}", "ERR: order_by field 'j' has type JSON which is not sortable: invalid parameter"},
      {"{'limit':2,'order_by_fields':'a'}", "ERR: order_by field 'a' has type Array which is not sortable: invalid parameter"},
      {"{'limit':2,'order_by_fields':'$meta'}", "ERR: order_by field '$meta' has type JSON which is not sortable: invalid parameter"},
      {"{'limit':2,'order_by_fields':'i:up'}", "ERR: invalid order direction 'up' for field 'i', must be 'asc' or 'desc': invalid parameter"},
      {"{'limit':2,'order_by_fields':'i:asc:nulls'}", "ERR: invalid null ordering 'nulls', must be 'nulls_first' or 'nulls_last': invalid parameter"},
      /* Milvus's query parser lower-cases the direction and the null ordering it quotes */
      {"{'limit':2,'order_by_fields':'i: UP '}", "ERR: invalid order direction 'up' for field 'i', must be 'asc' or 'desc': invalid parameter"},
      {"{'limit':2,'order_by_fields':'i:asc:Nulls_Middle'}", "ERR: invalid null ordering 'nulls_middle', must be 'nulls_first' or 'nulls_last': invalid parameter"},
      /* and refuses an aggregate expression by its own message (the name lower-cased) */
      {"{'limit':2,'output_fields':['count(*)'],'order_by_fields':'COUNT ( * ):desc'}",
       "ERR: ORDER BY on aggregate expression 'count ( * )' is not yet supported: invalid parameter"},
      {"{'limit':2,'output_fields':['count(*)'],'order_by_fields':'Max(i)'}",
       "ERR: ORDER BY on aggregate expression 'max(i)' is not yet supported: invalid parameter"},
      {"{'limit':2,'output_fields':['count(*)'],'order_by_fields':'max(i'}",
       "ERR: ORDER BY field 'max(i' is not valid: when using GROUP BY or aggregates"},
      {"{'limit':2,'output_fields':['count(*)'],'order_by_fields':'median(i)'}",
       "ERR: ORDER BY field 'median(i)' is not valid: when using GROUP BY or aggregates"},
      {"{'limit':2,'order_by_fields':'i:asc:nulls_last:x'}", "ERR: order_by item 'i:asc:nulls_last:x' has more than three parts"},
      {"{'limit':2,'order_by_fields':['i']}", "ERR: order_by_fields must be a string, got list"},
      {"{'limit':2,'expr':'id >','order_by_fields':'nope'}", "ERR: failed to create query plan: cannot parse expression"},
  };
  for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
    EXPECT_PREFIX(CASES[k].req, test_query_ids(c, J(CASES[k].req)), CASES[k].want);
  }
  pt_rows *rows = NULL;
  pt_error e;
  const char *req = J("{'limit':2,'order_by_fields':'v'}");
  CHECK_ERR(pt_collection_query(c, req, strlen(req), &rows, &e), &e, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "not sortable");
  test_unchanged(__FILE__, __LINE__, before, c);
  pt_store_close(st);
}

TEST(search_orders_hits) {
  pt_store *st;
  pt_collection *c = setup(&st);
  CHECK_STR(hits(c, "{'limit':6,'metric_type':'L2','params':{'order_by_fields':'i'}}"), "3,5,1,4,2,6"); /* nulls last */
  CHECK_STR(hits(c, "{'limit':6,'metric_type':'L2','params':{'order_by_fields':'i:desc'}}"), "1,4,5,3,2,6");
  /* the best offset + limit by score, ordered, then offset skipped */
  CHECK_STR(hits(c, "{'limit':3,'metric_type':'L2','params':{'order_by_fields':'id:desc'}}"), "3,2,1");
  CHECK_STR(hits(c, "{'limit':2,'offset':2,'metric_type':'L2','params':{'order_by_fields':'id:desc'}}"), "2,1");
  CHECK_STR(hits(c, "{'limit':6,'metric_type':'L2','expr':'b == false','params':{'order_by_fields':'s:desc'}}"), "6,4,2");
  /* a dynamic key: mixed kinds by their JSON text (a string's quote sorts before digits), missing
   * and null last */
  CHECK_STR(hits(c, "{'limit':6,'metric_type':'L2','params':{'order_by_fields':'k'}}"), "1,2,6,3,4,5");
  CHECK_STR(hits(c, "{'limit':6,'metric_type':'L2','params':{'order_by_fields':'k:desc'}}"), "3,6,2,1,4,5");
  /* a path into a JSON field: 2 < 10 as numbers; strings by their characters */
  CHECK_STR(hits(c, "{'limit':6,'metric_type':'L2','params':{'order_by_fields':'j[\\\"p\\\"]'}}"), "6,2,1,4,3,5");
  CHECK_STR(hits(c, "{'limit':6,'metric_type':'L2','expr':'id in [1, 4]','params':{'order_by_fields':'j[\\\"p\\\"]:desc'}}"), "4,1");
  CHECK_STR(hits(c, "{'limit':6,'metric_type':'L2','params':{'order_by_fields':'$meta[\\\"k\\\"]:desc'}}"), "3,6,2,1,4,5");
  /* grouped: groups (by b) ordered by their first hit's f, offset and limit counting groups */
  CHECK_STR(hits(c, "{'limit':2,'metric_type':'L2','group_by_field':'b','group_size':2,'params':{'order_by_fields':'f'}}"),
            "2,4,1,3");
  CHECK_STR(hits(c, "{'limit':2,'metric_type':'L2','group_by_field':'b','group_size':2,'params':{'order_by_fields':'f:desc'}}"),
            "1,3,2,4");
  CHECK_STR(hits(c, "{'limit':1,'offset':1,'metric_type':'L2','group_by_field':'b','group_size':2,'params':{'order_by_fields':'f'}}"),
            "1,3");
  pt_store_close(st);
}

/* Numbers at a path compare exactly, however long: no cut-off of their text, and no rounding
 * to a double (1.00000000000000000001 < 1.00000000000000000002); equal values (1e74 and
 * 10.0e73, -0.0 and 0) keep score order. */
TEST(search_orders_long_numbers_exactly) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "n", J("{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                                "{'name':'v','dtype':101,'dim':2}]}"));
  static const char *const N[] = {
      "0.100000000000000000000000000000000000000000000000000000000000000000000003",
      "0.100000000000000000000000000000000000000000000000000000000000000000000002",
      "1.00000000000000000002", "1.00000000000000000001", "1e0", "-0.5",
      "100000000000000000000000000000000000000000000000000000000000000000000000001", "1e74", "10.0e73", "-0.0", "0",
      "-100000000000000000000000000000000000000000000000000000000000000000000000001", "-1E+74"};
  test_buf rows = {0};
  test_buf_printf(&rows, "[");
  for (size_t i = 0; i < sizeof N / sizeof *N; i++) test_buf_printf(&rows, "%s{\"id\":%zu,\"v\":[%zu,0],\"n\":%s}", i ? "," : "", i + 1, i + 1, N[i]);
  test_buf_printf(&rows, "]");
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, rows.p);
  pt_mutation_result_clear(&r);
  test_buf_free(&rows);
  CHECK_STR(hits(c, "{'limit':13,'metric_type':'L2','params':{'order_by_fields':'n'}}"), "12,13,6,10,11,2,1,5,4,3,8,9,7");
  CHECK_STR(hits(c, "{'limit':13,'metric_type':'L2','params':{'order_by_fields':'n:desc'}}"), "7,8,9,3,4,5,1,2,10,11,6,13,12");
  pt_store_close(st);
}

/* The ids of a query's rows (at most max), or -1 on error. */
static long query_ids(pt_collection *c, const char *order, size_t limit, size_t offset, int64_t *out, size_t max) {
  char req[256];
  snprintf(req, sizeof req, "{\"limit\":%zu,\"offset\":%zu,\"order_by_fields\":\"%s\"}", limit, offset, order);
  pt_rows *rows = NULL;
  pt_error e;
  if (pt_collection_query(c, req, strlen(req), &rows, &e)) {
    fprintf(stderr, "  query %s: %s\n", req, e.message);
    return -1;
  }
  size_t n = pt_rows_count(rows);
  for (size_t i = 0; i < n && i < max; i++) out[i] = test_i64(rows, 0, i);
  pt_rows_free(rows);
  return (long)n;
}

/* The first offset + limit rows (a bounded heap) are those of ordering every row (a merge sort),
 * in the same order, ties included: random rows with few distinct values, nulls, a filter-free
 * query and a search's path order alike. */
TEST(first_rows_are_the_full_sorts) {
  enum { N = 3000 };
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "r", J("{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                                "{'name':'v','dtype':101,'dim':2},{'name':'i','dtype':4,'nullable':true},"
                                                "{'name':'s','dtype':21,'max_length':8,'nullable':true},{'name':'d','dtype':11}]}"));
  uint32_t seed = 12345;
  for (int batch = 0; batch < 3; batch++) {
    test_buf rows = {0};
    test_buf_printf(&rows, "[");
    for (int r = 0; r < N / 3; r++) {
      int id = batch * (N / 3) + r;
      uint32_t x[5];
      for (int k = 0; k < 5; k++) x[k] = test_rand(&seed);
      char i[16], sv[16], k[32];
      snprintf(i, sizeof i, x[0] % 10 ? "%u" : "null", x[1] % 7);
      snprintf(sv, sizeof sv, x[2] % 9 ? "\"%c%c\"" : "null", 'a' + x[3] % 3, 'a' + x[4] % 2);
      /* the dynamic key: a number (ints and decimals), a string, missing */
      if (x[4] % 5 == 0) k[0] = '\0';
      else if (x[4] % 5 == 1) snprintf(k, sizeof k, ",\"k\":\"%u\"", x[3] % 4);
      else snprintf(k, sizeof k, ",\"k\":%u.%u", x[1] % 3, x[2] % 2);
      test_buf_printf(&rows, "%s{\"id\":%d,\"v\":[%d,0],\"i\":%s,\"s\":%s,\"d\":%u.5%s}", r ? "," : "", id, id, i, sv,
                      x[3] % 4, k);
    }
    test_buf_printf(&rows, "]");
    pt_mutation_result w = test_write(c, NULL, PT_OP_INSERT, rows.p);
    pt_mutation_result_clear(&w);
    test_buf_free(&rows);
  }
  static int64_t full[N], part[N];
  static const char *const QUERY[] = {"i", "i:desc", "s:desc:nulls_first,i", "d,s:asc:nulls_first", "s,d:desc,i:desc"};
  static const size_t CUTS[][2] = {{1, 0}, {10, 0}, {7, 13}, {100, 900}, {1, 2999}, {50, 2980}, {2999, 0}, {3000, 0}, {5, 3000}};
  for (size_t q = 0; q < sizeof QUERY / sizeof *QUERY; q++) {
    CHECK_EQ_INT(query_ids(c, QUERY[q], N, 0, full, N), N);
    for (size_t k = 0; k < sizeof CUTS / sizeof *CUTS; k++) {
      size_t lim = CUTS[k][0], off = CUTS[k][1];
      long got = query_ids(c, QUERY[q], lim, off, part, N);
      size_t want = off >= N ? 0 : N - off < lim ? N - off : lim;
      CHECK_EQ_INT(got, want);
      if (got == (long)want && want && memcmp(part, full + off, want * sizeof *part) != 0) {
        fprintf(stderr, "  FAIL %s limit %zu offset %zu: rows differ from the full sort's\n", QUERY[q], lim, off);
        pt_test_failures++;
      }
    }
  }
  /* a search's order (a dynamic key: numbers, strings and missing ones) through pt_order_top */
  static pt_rowref refs[N];
  static uint32_t all[N], top[N];
  for (uint32_t r = 0; r < N; r++) refs[r] = (pt_rowref){0, r};
  static const char *const SEARCH[] = {"k", "k:desc,i", "s:desc,k"};
  for (size_t q = 0; q < sizeof SEARCH / sizeof *SEARCH; q++) {
    pt_order o;
    pt_error e;
    CHECK_OK(pt_order_parse(c, SEARCH[q], strlen(SEARCH[q]), PT_ORDER_SEARCH, &o, &e), &e);
    size_t n_all = 0, n_top = 0;
    CHECK_OK(pt_order_top(c, &o, refs, N, N, all, &n_all), (pt_error *)NULL);
    CHECK_EQ_INT(n_all, N);
    static const size_t M[] = {1, 2, 17, 640, 2999};
    for (size_t k = 0; k < sizeof M / sizeof *M; k++) {
      CHECK_OK(pt_order_top(c, &o, refs, N, M[k], top, &n_top), (pt_error *)NULL);
      CHECK_EQ_INT(n_top, M[k]);
      if (memcmp(top, all, M[k] * sizeof *top) != 0) {
        fprintf(stderr, "  FAIL search order %s, first %zu: differ from the full sort's\n", SEARCH[q], M[k]);
        pt_test_failures++;
      }
    }
    pt_order_release(&o);
  }
  pt_store_close(st);
}

TEST(search_errors) {
  pt_store *st;
  pt_collection *c = setup(&st);
  static const struct { const char *order, *want; } CASES[] = {
      {"v", "ERR: order_by field 'v' has unsortable type FloatVector; supported types: bool, int8/16/32/64, float, double, "
            "string, varchar; for JSON fields use path syntax like field[\"key\"]"},
      {"j", "ERR: order_by field 'j' has unsortable type JSON"},
      {"i[\\\"x\\\"]", "ERR: order_by field 'i[\"x\"]' has brackets but is not a JSON type"},
      {":desc", "ERR: empty field name in order_by_fields"},
      {"i:Up", "ERR: invalid order direction 'Up' for field 'i', expected 'asc' or 'desc'"},
      {"i:asc:nulls_first", "ERR: invalid order direction 'nulls_first' for field 'i:asc', expected 'asc' or 'desc'"},
      {"j[\\\"p\\\"", "ERR: invalid dynamic field key 'j[\"p\"'"},
  };
  for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++)
    EXPECT_PREFIX(CASES[k].order, hits(c, test_jf("{'limit':3,'metric_type':'L2','params':{'order_by_fields':'%s'}}", CASES[k].order)),
                  CASES[k].want);
  CHECK_STR(hits(c, "{'limit':3,'metric_type':'L2','iterator':true,'params':{'order_by_fields':'i'}}"),
            "ERR: order_by is not supported when using search iterator: invalid parameter[expected=][actual=]");
  CHECK_STR(hits(c, "{'limit':3,'metric_type':'L2','params':{'order_by_fields':1}}"), "ERR: order_by_fields must be a string, got int");
  /* without the dynamic field, an unknown name is unknown */
  pt_collection *plain = test_collection(st, "p", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}"));
  CHECK_STR(hits(plain, "{'limit':3,'metric_type':'L2','params':{'order_by_fields':'k'}}"),
            "ERR: order_by field 'k' does not exist in collection schema");
  CHECK_STR(hits(plain, "{'limit':3,'metric_type':'L2','params':{'order_by_fields':'k[\\\"x\\\"]'}}"),
            "ERR: order_by field 'k' not found in schema and no dynamic field available");
  pt_search_result *res = NULL;
  pt_error e;
  const float q[2] = {0, 0};
  const char *req = J("{'limit':3,'metric_type':'L2','params':{'order_by_fields':'v'}}");
  CHECK_ERR(pt_collection_search(c, req, strlen(req), q, sizeof q, &res, &e), &e, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "unsortable");
  CHECK(res == NULL);
  pt_store_close(st);
}

/* What was read writes back as text that reads back to the same keys. */
static void read_back(int line, pt_collection *c, pt_order_kind kind, const char *spec, const char *want) {
  pt_order a, b;
  pt_error e;
  if (pt_order_parse(c, spec, strlen(spec), kind, &a, &e)) {
    fprintf(stderr, "  FAIL %s:%d: %s: %s\n", __FILE__, line, spec, e.message);
    pt_test_failures++;
    return;
  }
  char text[512];
  test_order_text(c, &a, text, sizeof text);
  test_check_str(__FILE__, line, spec, text, want);
  CHECK_OK(pt_order_parse(c, text, strlen(text), kind, &b, &e), &e);
  CHECK_EQ_INT(a.n, b.n);
  for (size_t i = 0; i < a.n && i < b.n; i++) {
    CHECK_EQ_INT(a.keys[i].col, b.keys[i].col);
    CHECK_EQ_INT(a.keys[i].asc, b.keys[i].asc);
    CHECK_EQ_INT(a.keys[i].nulls_first, b.keys[i].nulls_first);
    CHECK_EQ_INT(a.keys[i].n_keys, b.keys[i].n_keys);
  }
  pt_order_release(&a);
  pt_order_release(&b);
}

TEST(spec_reads_back) {
  pt_store *st;
  pt_collection *c = setup(&st);
  read_back(__LINE__, c, PT_ORDER_QUERY, " i : DESC ,f,s:asc:nulls_first,", "i:desc:nulls_first,f:asc:nulls_last,s:asc:nulls_first");
  read_back(__LINE__, c, PT_ORDER_QUERY, "", "");
  /* a path's keys as string literals: an index is kept as its digits, the key the plan holds */
  read_back(__LINE__, c, PT_ORDER_SEARCH, "k:descending, j[\"p\"][0] ,i:", "$meta[\"k\"]:desc,j[\"p\"][\"0\"]:asc,i:asc");
  read_back(__LINE__, c, PT_ORDER_SEARCH, "j[\"a\\\"b\\\\\"]", "j[\"a\\\"b\\\\\"]:asc");
  read_back(__LINE__, c, PT_ORDER_SEARCH, "j['a\"b\\'c']:DESC", "j['a\"b\\'c']:desc");
  pt_store_close(st);
}

TEST_MAIN(T(query_orders_rows), T(query_errors), T(search_orders_hits), T(search_orders_long_numbers_exactly),
          T(first_rows_are_the_full_sorts), T(search_errors), T(spec_reads_back))
