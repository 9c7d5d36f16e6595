/*
 * test_query.c — query(), get() and delete().
 *
 * Covers:
 *   - query with an empty expression and a limit; offset / limit over all rows and over
 *     filtered rows; every offset / limit / count(*) rule with Milvus's message.
 *   - primary-key filters: `pk in [...]`, `pk == x`, `x == pk`, parentheses, negative / hex /
 *     octal / binary literals, int64 extremes, empty lists, repeated keys (each row once),
 *     VARCHAR keys with quotes and escapes; every parse error the parser reports.
 *   - output_fields: default (the primary key only), "*", named fields (primary key first, then
 *     schema order), dynamic keys by name, "$meta", count(*) with and without a filter,
 *     unknown fields with and without the dynamic field; column metadata (dtype, width,
 *     elem_size, valid, is_dynamic).
 *   - partition_names scoping, unknown partitions, stable storage order (partition creation
 *     order, then write order; upserted rows move to the end).
 *   - get-equivalent behaviour: missing keys are absent, duplicates from insert all come back.
 *   - delete by key list / equality: delete_count counts the listed keys found or not,
 *     partition scope, duplicates removed, re-insert after delete, empty-expression and other
 *     errors leave the store unchanged; timestamps.
 *   - request errors: invalid JSON, non-object, wrong types of expr / limit / offset /
 *     output_fields / partition_names; misuse.
 *   - order_by_pk (query iterators): key order, ties in storage order, a run of one key kept
 *     whole past the limit, with offsets, key filters and other filters.
 */
#include "harness.h"

#include <stdlib.h>

static pt_collection *coll(pt_store *st, const char *name, const char *sq) {
  return test_collection(st, name, J(sq));
}

static void put(pt_collection *c, const char *partition, pt_op op, const char *sq) {
  pt_mutation_result r = test_write(c, partition, op, J(sq));
  pt_mutation_result_clear(&r);
}

static pt_rows *q(pt_collection *c, const char *sq) { return test_query(c, J(sq)); }

/* The VARCHAR primary keys of a query result, as "a|b|c" (the request is plain JSON). */
static const char *str_keys_of(pt_collection *c, const char *json) {
  static char out[4096];
  out[0] = '\0';
  pt_rows *rows = test_query(c, json);
  size_t at = 0;
  for (size_t i = 0; rows && i < pt_rows_count(rows) && at < sizeof out - 64; i++)
    at += (size_t)snprintf(out + at, sizeof out - at, "%s%s", i ? "|" : "", test_text(rows, 0, i));
  pt_rows_free(rows);
  return out;
}

/* A query that must fail as described, leaving *out NULL. */
static void query_fails(int line, pt_collection *c, const char *json, pt_status st, int32_t code, int32_t exc,
                        const char *needle) {
  pt_rows *rows = (pt_rows *)1;
  pt_error e;
  pt_status rc = pt_collection_query(c, json, strlen(json), &rows, &e);
  test_expect_err(__FILE__, line, rc, &e, st, code, exc, needle);
  if (rows != NULL) {
    fprintf(stderr, "  FAIL %s:%d: a failed query returned rows\n", __FILE__, line);
    pt_test_failures++;
    if (rows != (pt_rows *)1) pt_rows_free(rows);
  }
}
#define QUERY_ERR(c, sq, st, code, exc, needle) query_fails(__LINE__, c, J(sq), st, code, exc, needle)
#define QUERY_ERR_RAW(c, json, st, code, exc, needle) query_fails(__LINE__, c, json, st, code, exc, needle)

#define INV PT_CODE_PARAMETER_INVALID
#define MIL PT_EXC_MILVUS

#define FILMS "{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true}," \
  "{'name':'v','dtype':101,'dim':2},{'name':'title','dtype':21,'max_length':16,'nullable':true}," \
  "{'name':'year','dtype':4,'default_value':2000}]}"

/* films: _default holds 1..10, partition "b" (created second) holds 20, 21 and 1. */
static pt_collection *films(pt_store *st) {
  pt_collection *c = coll(st, "films", FILMS);
  pt_error e;
  if (pt_partition_create(c, "b", 1, &e) != PT_OK) exit(2);
  test_buf b = {NULL, 0, 0};
  test_buf_put(&b, "[", 1);
  for (int i = 1; i <= 10; i++)
    test_buf_printf(&b, "%s{\"id\":%d,\"v\":[%d,0],\"title\":\"t%d\",\"year\":%d%s}", i > 1 ? "," : "", i, i, i,
                    1990 + i, i % 3 == 0 ? ",\"color\":\"red\"" : "");
  test_buf_put(&b, "]", 1);
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, b.p);
  pt_mutation_result_clear(&r);
  test_buf_free(&b);
  put(c, "b", PT_OP_INSERT, "[{'id':20,'v':[0,0],'title':null},{'id':21,'v':[0,0],'size':3},{'id':1,'v':[0,1],'title':'b1'}]");
  return c;
}

/* ============================================================================================
 * Empty expression, limits, offsets
 * ========================================================================================== */

TEST(empty_expression_with_limit) {
  pt_store *st = test_store();
  pt_collection *c = films(st);
  /* storage order: _default first (write order), then b */
  CHECK_IDS(c, "{'expr':'','limit':100}", "1,2,3,4,5,6,7,8,9,10,20,21,1");
  CHECK_IDS(c, "{'limit':3}", "1,2,3");
  CHECK_IDS(c, "{'expr':'  ','limit':3,'offset':9}", "10,20,21");
  CHECK_IDS(c, "{'limit':100,'offset':12}", "1");
  CHECK_IDS(c, "{'limit':100,'offset':13}", "");
  CHECK_IDS(c, "{'limit':100,'offset':1000}", "");
  CHECK_IDS(c, "{'limit':2,'offset':0}", "1,2");
  CHECK_IDS(c, "{'limit':16384}", "1,2,3,4,5,6,7,8,9,10,20,21,1");
  CHECK_IDS(c, "{'limit':1,'offset':16383}", "");
  /* offsets skip deleted rows */
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(pt_collection_delete(c, NULL, 0, "id in [2, 3]", 12, &r, &e), &e);
  CHECK_IDS(c, "{'limit':3,'offset':1}", "4,5,6");
  /* upserted rows move to the end of their partition */
  put(c, NULL, PT_OP_UPSERT, "{'id':4,'v':[0,0]}");
  CHECK_IDS(c, "{'limit':100}", "1,5,6,7,8,9,10,4,20,21,1");
  pt_store_close(st);
}

TEST(limit_and_offset_rules) {
  pt_store *st = test_store();
  pt_collection *c = films(st);
  QUERY_ERR(c, "{'expr':''}", PT_MISUSE, INV, MIL, "empty expression should be used with limit: invalid parameter");
  QUERY_ERR(c, "{}", PT_MISUSE, INV, MIL, "empty expression should be used with limit");
  QUERY_ERR(c, "{'offset':2}", PT_MISUSE, INV, MIL, "empty expression should be used with limit");
  QUERY_ERR(c, "{'expr':' ','output_fields':['*']}", PT_MISUSE, INV, MIL, "empty expression should be used with limit");
  QUERY_ERR(c, "{'limit':0}", PT_RANGE, INV, MIL, "invalid max query result window, limit [0] is invalid, should be greater than 0: invalid parameter");
  QUERY_ERR(c, "{'limit':-5}", PT_RANGE, INV, MIL, "limit [-5] is invalid, should be greater than 0");
  QUERY_ERR(c, "{'limit':5,'offset':-1}", PT_RANGE, INV, MIL, "invalid max query result window, offset [-1] is invalid, should be gte than 0: invalid parameter");
  QUERY_ERR(c, "{'limit':16385}", PT_RANGE, INV, MIL, "invalid max query result window, (offset+limit) should be in range [1, 16384], but got 16385: invalid parameter");
  QUERY_ERR(c, "{'limit':16000,'offset':1000}", PT_RANGE, INV, MIL, "(offset+limit) should be in range [1, 16384], but got 17000");
  QUERY_ERR(c, "{'expr':'id in [1]','limit':16385}", PT_RANGE, INV, MIL, "(offset+limit) should be in range [1, 16384]");
  QUERY_ERR(c, "{'limit':'10'}", PT_MISUSE, INV, PT_EXC_PARAM, "limit [10] is invalid, should be an integer");
  QUERY_ERR(c, "{'limit':1.5}", PT_MISUSE, INV, PT_EXC_PARAM, "limit [1.5] is invalid, should be an integer");
  QUERY_ERR(c, "{'limit':10,'offset':true}", PT_MISUSE, INV, PT_EXC_PARAM, "offset [bool] is invalid, should be an integer");
  QUERY_ERR(c, "{'limit':1e300}", PT_MISUSE, INV, PT_EXC_PARAM, "limit [1.0000000000000001e+300] is invalid, should be an integer");
  QUERY_ERR(c, "{'limit':[1]}", PT_MISUSE, INV, PT_EXC_PARAM, "limit [non-integer] is invalid, should be an integer");
  /* what a host writes for a value JSON cannot carry (NaN, a BigInt): refused, never a default */
  QUERY_ERR(c, "{'limit':'NaN'}", PT_MISUSE, INV, PT_EXC_PARAM, "limit [NaN] is invalid, should be an integer");
  QUERY_ERR(c, "{'limit':5,'offset':'2n'}", PT_MISUSE, INV, PT_EXC_PARAM, "offset [2n] is invalid, should be an integer");
  /* count(*) takes no pagination */
  QUERY_ERR(c, "{'output_fields':['count(*)'],'limit':10}", PT_MISUSE, INV, MIL,
            "count entities with pagination is not allowed: invalid parameter");
  QUERY_ERR(c, "{'expr':'id in [1]','output_fields':['count(*)'],'offset':1}", PT_MISUSE, INV, MIL,
            "count entities with pagination is not allowed");
  /* null limit / offset are absent */
  CHECK_IDS(c, "{'expr':'id == 2','limit':null,'offset':null}", "2");
  /* offset and limit over filtered rows */
  CHECK_IDS(c, "{'expr':'id in [1,2,3,4,5]','limit':2,'offset':1}", "2,3");
  CHECK_IDS(c, "{'expr':'id in [5,4,3,2,1]','offset':4}", "5,1");
  CHECK_IDS(c, "{'expr':'id in [1,2]','offset':3}", "");
  CHECK_IDS(c, "{'expr':'id in [1,2]','limit':1}", "1");
  pt_store_close(st);
}

/* ============================================================================================
 * Primary-key filters
 * ========================================================================================== */

TEST(primary_key_filters) {
  pt_store *st = test_store();
  pt_collection *c = films(st);
  CHECK_IDS(c, "{'expr':'id in [3, 1, 999]'}", "1,3,1"); /* storage order; 999 is absent */
  CHECK_IDS(c, "{'expr':'id == 5'}", "5");
  CHECK_IDS(c, "{'expr':'5 == id'}", "5");
  CHECK_IDS(c, "{'expr':'(id == 6)'}", "6");
  CHECK_IDS(c, "{'expr':'((id in [7]))'}", "7");
  CHECK_IDS(c, "{'expr':'  id   in[  8 ,9 ]  '}", "8,9");
  CHECK_IDS(c, "{'expr':'id IN [10]'}", "10");
  CHECK_IDS(c, "{'expr':'id in []'}", "");
  CHECK_IDS(c, "{'expr':'id in [2, 2, 2]'}", "2"); /* each row once */
  CHECK_IDS(c, "{'expr':'id in [0x14, 025, 0b1]'}", "1,20,21,1"); /* 025: octal, as in C */
  CHECK_IDS(c, "{'expr':'id == +3'}", "3");
  CHECK_IDS(c, "{'expr':'id == -3'}", "");
  /* int64 extremes and negatives */
  put(c, NULL, PT_OP_INSERT, "[{'id':'-9223372036854775808','v':[0,0]},{'id':'9223372036854775807','v':[0,0]},{'id':-7,'v':[0,0]}]");
  CHECK_IDS(c, "{'expr':'id in [-9223372036854775808, 9223372036854775807, -7]'}",
            "-9223372036854775808,9223372036854775807,-7");
  CHECK_IDS(c, "{'expr':'-7 == id'}", "-7");
  /* partition scope */
  CHECK_IDS(c, "{'expr':'id in [1, 20]','partition_names':['b']}", "20,1");
  CHECK_IDS(c, "{'expr':'id in [1, 20]','partition_names':['_default']}", "1");
  CHECK_IDS(c, "{'expr':'id in [1, 20]','partition_names':['b','_default']}", "1,20,1");
  CHECK_IDS(c, "{'expr':'id in [1, 20]','partition_names':[]}", "1,20,1");
  CHECK_IDS(c, "{'limit':100,'partition_names':['b']}", "20,21,1");
  pt_store_close(st);
}

TEST(filter_errors) {
  pt_store *st = test_store();
  pt_collection *c = films(st);
  const char *P = "cannot parse expression: ";
  struct { const char *expr, *msg; } cases[] = {
      {"id in 5", "the right-hand side of 'in' must be a list, but got: 5"},
      {"id in [1, 2", "line 1:11 mismatched input '<EOF>' expecting {',', ']'}"},
      {"id in [1 2]", "line 1:9 mismatched input '2' expecting {',', ']'}"},
      {"(id == 1", "mismatched input '<EOF>' expecting ')'"},
      {"id == 1)", "invalid expression: id == 1)"},
      {"id ==", "line 1:5 mismatched input '<EOF>' expecting an expression"},
      {"5", "predicate is not a boolean expression: 5, data type: Int64"},
      {"id", "predicate is not a boolean expression: id, data type: Int64"},
      {"id == 'a'", "comparisons between Int64 and VarChar are not supported"},
      {"id in [1, \\\"x\\\"]", "value 'string_val:\"x\"' in list cannot be casted to Int64"},
      {"id == 1.5", "cannot cast value to Int64, value: float_val:1.5"},
      {"id == true", "comparisons between Int64 and Bool are not supported"},
      {"id == 9223372036854775808", "strconv.ParseInt: parsing \"9223372036854775808\": value out of range"},
      {"id == -9223372036854775809", "strconv.ParseInt: parsing \"9223372036854775809\": value out of range"},
      {"id == -x", "unexpected op: -"},
      {"title == 5", "comparisons between VarChar and Int64 are not supported"},
      {"id == #", "line 1:6 token recognition error at: '#'"},
      {"id in [1, id]", "array element type must be generic value, but got: id"},
      {"id > 1 and 2", "'and' can only be used between boolean expressions"},
  };
  char *before = test_snapshot(c);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char json[300], msg[300];
    snprintf(json, sizeof json, "{\"expr\":\"%s\"}", cases[i].expr);
    snprintf(msg, sizeof msg, "%s", cases[i].msg);
    pt_rows *rows = (pt_rows *)1;
    pt_error e;
    pt_status rc = pt_collection_query(c, json, strlen(json), &rows, &e);
    int f = pt_test_failures;
    EXPECT_ERR(rc, &e, PT_PARSE, INV, MIL, msg);
    CHECK_MSG(&e, P);
    CHECK_MSG(&e, ": invalid parameter");
    CHECK(rows == NULL);
    if (f != pt_test_failures) fprintf(stderr, "    (expr %s)\n", cases[i].expr);
    /* delete parses the same way, and changes nothing */
    pt_mutation_result r;
    char expr[200];
    snprintf(expr, sizeof expr, "%s", cases[i].expr);
    /* (unescape the \" used inside JSON) */
    for (char *p = expr; *p; p++)
      if (p[0] == '\\' && p[1] == '"') memmove(p, p + 1, strlen(p));
    EXPECT_ERR(pt_collection_delete(c, NULL, 0, expr, strlen(expr), &r, &e), &e, PT_PARSE, INV, MIL, msg);
    CHECK_EQ_INT(r.delete_count, 0);
  }
  /* the expression is quoted in the message, with the position */
  pt_rows *rows;
  pt_error e;
  const char *j = "{\"expr\":\"id in [1, 2\"}";
  CHECK_EQ_INT(pt_collection_query(c, j, strlen(j), &rows, &e), PT_PARSE);
  CHECK_MSG(&e, "failed to create query plan: cannot parse expression: id in [1, 2, error: line 1:11 mismatched input '<EOF>' expecting {',', ']'}: invalid parameter");
  CHECK_EQ_INT(e.expr_offset, 11);
  /* without the dynamic field an unknown name is reported as missing */
  pt_collection *s = coll(st, "s", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}");
  QUERY_ERR(s, "{'expr':'x == 1'}", PT_PARSE, INV, MIL, "field x not exist");
  QUERY_ERR(s, "{'expr':'v == 1'}", PT_PARSE, INV, MIL, "comparisons between FloatVector and Int64 are not supported");
  char *after = test_snapshot(c);
  CHECK_STR(after, before);
  free(before);
  free(after);
  pt_store_close(st);
}

TEST(varchar_keys_and_escapes) {
  pt_store *st = test_store();
  pt_collection *c = coll(st, "s", "{'fields':[{'name':'pk','dtype':21,'max_length':16,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}");
  /* keys: a"b  c'd  e\f  tab<TAB>x  new<LF>line  empty  unicode */
  const char *rows_json = "[{\"pk\":\"a\\\"b\",\"v\":[0,0]},{\"pk\":\"c'd\",\"v\":[0,0]},{\"pk\":\"e\\\\f\",\"v\":[0,0]},"
                          "{\"pk\":\"tab\\tx\",\"v\":[0,0]},{\"pk\":\"new\\nline\",\"v\":[0,0]},{\"pk\":\"\",\"v\":[0,0]},"
                          "{\"pk\":\"\\u00e9t\\u00e9\",\"v\":[0,0]},{\"pk\":\"plain\",\"v\":[0,0]}]";
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, rows_json);
  pt_mutation_result_clear(&r);
  /* expressions as Milvus reads them (inside a JSON request, so escaped once more) */
  CHECK_STR(str_keys_of(c, "{\"expr\":\"pk == \\\"a\\\\\\\"b\\\"\"}"), "a\"b");         /* pk == "a\"b" */
  CHECK_STR(str_keys_of(c, "{\"expr\":\"pk == 'a\\\"b'\"}"), "a\"b");                   /* pk == 'a"b' */
  CHECK_STR(str_keys_of(c, "{\"expr\":\"pk == 'c\\\\'d'\"}"), "c'd");                   /* pk == 'c\'d' */
  CHECK_STR(str_keys_of(c, "{\"expr\":\"pk == \\\"c'd\\\"\"}"), "c'd");                 /* pk == "c'd" */
  CHECK_STR(str_keys_of(c, "{\"expr\":\"pk == 'e\\\\\\\\f'\"}"), "e\\f");               /* pk == 'e\\f' */
  CHECK_STR(str_keys_of(c, "{\"expr\":\"pk in ['tab\\\\tx', 'new\\\\nline']\"}"), "tab\tx|new\nline");
  CHECK_STR(str_keys_of(c, "{\"expr\":\"pk == ''\"}"), "");
  CHECK_STR(str_keys_of(c, "{\"expr\":\"pk in ['', 'plain']\"}"), "|plain");
  CHECK_STR(str_keys_of(c, "{\"expr\":\"pk == '\\u00e9t\\u00e9'\"}"), "\xc3\xa9t\xc3\xa9");
  CHECK_STR(str_keys_of(c, "{\"expr\":\"'plain' == pk\"}"), "plain");
  CHECK_STR(str_keys_of(c, "{\"expr\":\"pk in ['pla', 'plainer', 'Plain']\"}"), ""); /* whole keys only */
  QUERY_ERR(c, "{'expr':'pk == 5'}", PT_PARSE, INV, MIL, "comparisons between VarChar and Int64 are not supported");
  QUERY_ERR_RAW(c, "{\"expr\":\"pk == 'open\"}", PT_PARSE, INV, MIL, "token recognition error at: '''");
  /* delete by VARCHAR key */
  pt_error e;
  const char *del = "pk in [\"a\\\"b\", 'plain', 'missing']";
  CHECK_OK(pt_collection_delete(c, NULL, 0, del, strlen(del), &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, 3);
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 6);
  CHECK_STR(str_keys_of(c, "{\"expr\":\"pk in ['plain', 'c\\\\'d']\"}"), "c'd");
  pt_store_close(st);
}

/* ============================================================================================
 * Output fields
 * ========================================================================================== */

TEST(output_fields) {
  pt_store *st = test_store();
  pt_collection *c = films(st);
  /* default: the primary key only */
  pt_rows *rows = q(c, "{'expr':'id in [3]'}");
  CHECK_EQ_INT(pt_rows_num_columns(rows), 1);
  const pt_column_out *k = pt_rows_column(rows, 0);
  CHECK(k && strcmp(k->name, "id") == 0 && k->dtype == PT_INT64 && k->width == 1 && k->elem_size == 8 && k->valid == NULL &&
        k->offsets == NULL && k->is_dynamic == 0);
  CHECK(pt_rows_column(rows, 1) == NULL);
  pt_rows_free(rows);
  /* "*": every field, the primary key first, then $meta */
  rows = q(c, "{'expr':'id in [3, 20]','output_fields':['*']}");
  CHECK_EQ_INT(pt_rows_count(rows), 2);
  CHECK_EQ_INT(pt_rows_num_columns(rows), 5);
  const char *names[] = {"id", "v", "title", "year", "$meta"};
  for (size_t i = 0; i < 5 && i < pt_rows_num_columns(rows); i++) CHECK_STR(pt_rows_column(rows, i)->name, names[i]);
  const pt_column_out *v = pt_rows_column(rows, 1), *t = pt_rows_column(rows, 2), *y = pt_rows_column(rows, 3),
                      *m = pt_rows_column(rows, 4);
  CHECK(v->dtype == PT_FLOAT_VECTOR && v->width == 2 && v->elem_size == 4);
  CHECK(t->dtype == PT_VARCHAR && t->offsets && t->valid && t->valid[0] == 1 && t->valid[1] == 0);
  CHECK_STR(test_text(rows, 2, 0), "t3");
  CHECK(y->dtype == PT_INT32 && y->valid == NULL && y->elem_size == 4);
  int32_t year;
  memcpy(&year, (const char *)y->values + 4, 4);
  CHECK_EQ_INT(year, 2000); /* row 20 took the default */
  CHECK(m->dtype == PT_JSON && m->is_dynamic == 1);
  CHECK_STR(test_text(rows, 4, 0), "{\"color\":\"red\"}");
  CHECK_STR(test_text(rows, 4, 1), "{}");
  pt_rows_free(rows);
  /* named fields come back in schema order, the key first, each once */
  rows = q(c, "{'expr':'id == 3','output_fields':['year','title','id','year',' v ']}");
  CHECK_EQ_INT(pt_rows_num_columns(rows), 4);
  CHECK_STR(pt_rows_column(rows, 0)->name, "id");
  CHECK_STR(pt_rows_column(rows, 1)->name, "v");
  CHECK_STR(pt_rows_column(rows, 2)->name, "title");
  CHECK_STR(pt_rows_column(rows, 3)->name, "year");
  pt_rows_free(rows);
  /* dynamic keys by name: a $meta column with only those keys */
  rows = q(c, "{'expr':'id in [3, 21, 4]','output_fields':['size']}");
  CHECK_EQ_INT(pt_rows_num_columns(rows), 2);
  CHECK_STR(pt_rows_column(rows, 1)->name, "$meta");
  CHECK_STR(test_text(rows, 1, 0), "{}");
  CHECK_STR(test_text(rows, 1, 1), "{}");
  CHECK_STR(test_text(rows, 1, 2), "{\"size\":3}");
  pt_rows_free(rows);
  rows = q(c, "{'expr':'id in [3, 21]','output_fields':['color','size','title']}");
  CHECK_EQ_INT(pt_rows_num_columns(rows), 3);
  CHECK_STR(test_text(rows, 2, 0), "{\"color\":\"red\"}");
  CHECK_STR(test_text(rows, 2, 1), "{\"size\":3}");
  pt_rows_free(rows);
  /* "$meta": every dynamic key */
  rows = q(c, "{'expr':'id in [6]','output_fields':['$meta']}");
  CHECK_EQ_INT(pt_rows_num_columns(rows), 2);
  CHECK_STR(test_text(rows, 1, 0), "{\"color\":\"red\"}");
  pt_rows_free(rows);
  /* count(*) */
  rows = q(c, "{'output_fields':['count(*)']}");
  CHECK_EQ_INT(pt_rows_count(rows), 1);
  CHECK_EQ_INT(pt_rows_num_columns(rows), 1);
  CHECK_STR(pt_rows_column(rows, 0)->name, "count(*)");
  CHECK_EQ_INT(pt_rows_column(rows, 0)->dtype, PT_INT64);
  CHECK_EQ_INT(test_i64(rows, 0, 0), 13);
  pt_rows_free(rows);
  rows = q(c, "{'expr':'id in [1, 2, 999]','output_fields':['count(*)']}");
  CHECK_EQ_INT(test_i64(rows, 0, 0), 3);
  pt_rows_free(rows);
  rows = q(c, "{'expr':'','output_fields':['count(*)'],'partition_names':['b']}");
  CHECK_EQ_INT(test_i64(rows, 0, 0), 3);
  pt_rows_free(rows);
  /* limit 0 is still an invalid limit */
  QUERY_ERR(c, "{'expr':'id == 1','output_fields':['count(*)'],'limit':0}", PT_RANGE, INV, MIL, "limit [0] is invalid");
  /* without the dynamic field, an unknown name is an error */
  pt_collection *s = coll(st, "s", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}");
  put(s, NULL, PT_OP_INSERT, "{'id':1,'v':[1,2]}");
  QUERY_ERR(s, "{'expr':'id == 1','output_fields':['nope']}", PT_NOT_FOUND, PT_CODE_UNEXPECTED, MIL, "field nope not exist");
  QUERY_ERR(s, "{'expr':'id == 1','output_fields':['$meta']}", PT_NOT_FOUND, PT_CODE_UNEXPECTED, MIL, "field $meta not exist");
  rows = q(s, "{'expr':'id == 1','output_fields':['*']}");
  CHECK_EQ_INT(pt_rows_num_columns(rows), 2); /* no $meta */
  float vec[2];
  memcpy(vec, pt_rows_column(rows, 1)->values, 8);
  CHECK(vec[0] == 1.0f && vec[1] == 2.0f);
  pt_rows_free(rows);
  pt_store_close(st);
}

TEST(request_errors) {
  pt_store *st = test_store();
  pt_collection *c = films(st);
  QUERY_ERR_RAW(c, "{", PT_PARSE, INV, PT_EXC_PARAM, "the query request is not valid JSON");
  QUERY_ERR_RAW(c, "", PT_PARSE, INV, PT_EXC_PARAM, "the query request is not valid JSON");
  QUERY_ERR_RAW(c, "[]", PT_PARSE, INV, PT_EXC_PARAM, "the query request must be a JSON object");
  QUERY_ERR(c, "{'expr':5}", PT_MISUSE, PT_CODE_CLIENT, PT_EXC_PARAM, "The type of expr must be string ,but int is given.");
  QUERY_ERR(c, "{'expr':['id == 1']}", PT_MISUSE, PT_CODE_CLIENT, PT_EXC_PARAM, "The type of expr must be string");
  QUERY_ERR(c, "{'limit':5,'output_fields':'id'}", PT_MISUSE, INV, PT_EXC_PARAM, "output_fields must be a list of str");
  QUERY_ERR(c, "{'limit':5,'output_fields':[1]}", PT_MISUSE, INV, PT_EXC_PARAM, "output_fields must be a list of str");
  QUERY_ERR(c, "{'limit':5,'partition_names':'b'}", PT_MISUSE, INV, PT_EXC_PARAM, "partition_names must be a list of str");
  QUERY_ERR(c, "{'limit':5,'partition_names':[null]}", PT_MISUSE, INV, PT_EXC_PARAM, "partition_names must be a list of str");
  QUERY_ERR(c, "{'limit':5,'partition_names':['b','nope']}", PT_NOT_FOUND, PT_CODE_UNEXPECTED, MIL,
            "partition name nope not found");
  /* a request with trailing text is not one JSON object */
  QUERY_ERR_RAW(c, "{\"limit\":5} {\"limit\":6}", PT_PARSE, INV, PT_EXC_PARAM, "the query request is not valid JSON");
  pt_rows *rows;
  pt_error e;
  CHECK_EQ_INT(pt_collection_query(NULL, "{}", 2, &rows, &e), PT_MISUSE);
  CHECK_EQ_INT(pt_collection_query(c, NULL, 0, &rows, &e), PT_MISUSE);
  CHECK_EQ_INT(pt_collection_query(c, "{}", 2, NULL, &e), PT_MISUSE);
  CHECK_EQ_INT(pt_rows_count(NULL), 0);
  CHECK_EQ_INT(pt_rows_num_columns(NULL), 0);
  CHECK(pt_rows_column(NULL, 0) == NULL);
  pt_rows_free(NULL);
  /* err may be NULL */
  CHECK_EQ_INT(pt_collection_query(c, "{}", 2, &rows, NULL), PT_MISUSE);
  CHECK(rows == NULL);
  pt_store_close(st);
}

/* ============================================================================================
 * get() and delete()
 * ========================================================================================== */

TEST(get_equivalent) {
  pt_store *st = test_store();
  pt_collection *c = films(st);
  /* get(ids) is query "pk in [...]": missing ids are absent, every copy of a key comes back */
  pt_rows *rows = q(c, "{'expr':'id in [1, 404, 21]','output_fields':['title','size']}");
  CHECK_EQ_INT(pt_rows_count(rows), 3);
  CHECK_EQ_INT(test_i64(rows, 0, 0), 1);
  CHECK_EQ_INT(test_i64(rows, 0, 1), 21);
  CHECK_EQ_INT(test_i64(rows, 0, 2), 1);
  CHECK_STR(test_text(rows, 1, 0), "t1");
  CHECK_STR(test_text(rows, 1, 2), "b1");
  CHECK_STR(test_text(rows, 2, 1), "{\"size\":3}");
  pt_rows_free(rows);
  put(c, NULL, PT_OP_INSERT, "{'id':5,'v':[0,0],'title':'again'}");
  CHECK_IDS(c, "{'expr':'id in [5]'}", "5,5");
  rows = q(c, "{'expr':'id == 5','output_fields':['title']}");
  CHECK_STR(test_text(rows, 1, 0), "t5");
  CHECK_STR(test_text(rows, 1, 1), "again");
  pt_rows_free(rows);
  CHECK_IDS(c, "{'expr':'id in [404, 405]'}", "");
  pt_store_close(st);
}

TEST(delete_by_keys) {
  pt_store *st = test_store();
  pt_collection *c = films(st);
  pt_mutation_result r;
  pt_error e;
  /* the listed keys are counted, found or not */
  CHECK_OK(pt_collection_delete(c, NULL, 0, "id in [1, 2, 999]", 17, &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, 3);
  CHECK_EQ_INT(r.insert_count, 0);
  CHECK_EQ_INT(r.upsert_count, 0);
  CHECK_EQ_INT(r.n_keys, 0);
  CHECK(r.timestamp == (1700000000000ull << 18) + 2); /* two writes came before */
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 10); /* 1 in both partitions, and 2 */
  CHECK_IDS(c, "{'expr':'id in [1, 2]'}", "");
  /* idempotent */
  CHECK_OK(pt_collection_delete(c, NULL, 0, "id == 1", 7, &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, 1);
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 10);
  /* partition scope */
  put(c, "b", PT_OP_INSERT, "{'id':3,'v':[0,0]}");
  CHECK_OK(pt_collection_delete(c, "b", 1, "id in [3, 4]", 12, &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, 2);
  CHECK_IDS(c, "{'expr':'id in [3, 4]'}", "3,4");
  CHECK_EQ_INT(pt_collection_num_entities(c, "b", 1), 2);
  CHECK_OK(pt_collection_delete(c, "_default", 8, "id == 3", 7, &r, &e), &e);
  CHECK_IDS(c, "{'expr':'id in [3, 4]'}", "4");
  /* every copy of a key goes */
  put(c, NULL, PT_OP_INSERT, "[{'id':8,'v':[0,0]},{'id':8,'v':[0,0]}]");
  CHECK_IDS(c, "{'expr':'id == 8'}", "8,8,8");
  CHECK_OK(pt_collection_delete(c, NULL, 0, "id == 8", 7, &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, 1);
  CHECK_IDS(c, "{'expr':'id == 8'}", "");
  /* a key can come back after delete */
  put(c, NULL, PT_OP_INSERT, "{'id':8,'v':[0,0],'title':'back'}");
  CHECK_IDS(c, "{'expr':'id == 8'}", "8");
  CHECK_OK(pt_collection_delete(c, NULL, 0, "id in []", 8, &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, 0);
  uint64_t ts = r.timestamp;
  CHECK_OK(pt_collection_delete(c, NULL, 0, "(id in [5])", 11, &r, &e), &e);
  CHECK(r.timestamp == ts + 1);
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 8);
  pt_store_close(st);
}

TEST(delete_errors) {
  pt_store *st = test_store();
  pt_collection *c = films(st);
  char *before = test_snapshot(c);
  pt_mutation_result r;
  pt_error e;
  const char *empty_msg = "invalid expression: invalid parameter[expected=valid expr][actual=empty expr]";
  EXPECT_ERR(pt_collection_delete(c, NULL, 0, "", 0, &r, &e), &e, PT_PARSE, INV, MIL, empty_msg);
  EXPECT_ERR(pt_collection_delete(c, NULL, 0, " \t\n", 3, &r, &e), &e, PT_PARSE, INV, MIL, empty_msg);
  EXPECT_ERR(pt_collection_delete(c, NULL, 0, NULL, 0, &r, &e), &e, PT_PARSE, INV, MIL, empty_msg);
  EXPECT_ERR(pt_collection_delete(c, "b", 1, "", 0, &r, &e), &e, PT_PARSE, INV, MIL, empty_msg);
  EXPECT_ERR(pt_collection_delete(c, "nope", 4, "id == 1", 7, &r, &e), &e, PT_NOT_FOUND, PT_CODE_PARTITION_NOT_FOUND, MIL,
             "partition not found[partition=nope]");
  EXPECT_ERR(pt_collection_delete(c, NULL, 0, "id > 'x'", 8, &r, &e), &e, PT_PARSE, INV, MIL,
             "failed to create delete plan: cannot parse expression: id > 'x', error: comparisons between Int64 and VarChar are not supported");
  CHECK_EQ_INT(pt_collection_delete(NULL, NULL, 0, "id == 1", 7, &r, &e), PT_MISUSE);
  CHECK_EQ_INT(pt_collection_delete(c, NULL, 0, "id == 1", 7, NULL, &e), PT_MISUSE);
  CHECK_EQ_INT(pt_collection_delete(c, NULL, 0, NULL, 3, &r, &e), PT_MISUSE);
  char *after = test_snapshot(c);
  CHECK_STR(after, before);
  free(before);
  free(after);
  /* the expression is read within its length */
  CHECK_OK(pt_collection_delete(c, NULL, 0, "id == 1 garbage", 7, &r, &e), &e);
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 11);
  pt_store_close(st);
}

/* order_by_pk (query iterators): key order, ties in storage order, a run of one key never cut */
TEST(order_by_pk) {
  pt_store *st = test_store();
  pt_collection *c = films(st);
  put(c, NULL, PT_OP_INSERT, "[{'id':-5,'v':[0,0]},{'id':15,'v':[0,0]}]");
  CHECK_IDS(c, "{'limit':100,'order_by_pk':true}", "-5,1,1,2,3,4,5,6,7,8,9,10,15,20,21");
  CHECK_IDS(c, "{'limit':2,'order_by_pk':true}", "-5,1,1");
  CHECK_IDS(c, "{'limit':1,'offset':1,'order_by_pk':true}", "1,1");
  CHECK_IDS(c, "{'limit':1,'offset':2,'order_by_pk':true}", "1");
  CHECK_IDS(c, "{'expr':'id > 5','limit':3,'order_by_pk':true}", "6,7,8");
  CHECK_IDS(c, "{'expr':'id in [21, 1, 7]','limit':3,'order_by_pk':true}", "1,1,7");
  CHECK_IDS(c, "{'expr':'id > 100','limit':3,'order_by_pk':true}", "");
  CHECK_IDS(c, "{'limit':100,'order_by_pk':false}", "1,2,3,4,5,6,7,8,9,10,-5,15,20,21,1");
  QUERY_ERR(c, "{'limit':1,'order_by_pk':1}", PT_MISUSE, INV, PT_EXC_PARAM, "order_by_pk must be a bool, got int");
  pt_store_close(st);
}

TEST(many_rows_and_segments) {
  /* enough rows for several segments per partition: order, offsets and deletes across them */
  pt_store *st = test_store();
  pt_collection *c = coll(st, "many", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2},"
                                      "{'name':'s','dtype':21,'max_length':12}]}");
  const int n = 20000;
  test_buf b = {NULL, 0, 0};
  test_buf_put(&b, "[", 1);
  for (int i = 0; i < n; i++) test_buf_printf(&b, "%s{\"id\":%d,\"v\":[%d,0],\"s\":\"s%d\"}", i ? "," : "", i, i, i);
  test_buf_put(&b, "]", 1);
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, b.p);
  pt_mutation_result_clear(&r);
  test_buf_free(&b);
  /* delete every third row */
  b.len = 0;
  test_buf_put(&b, "id in [", 7);
  for (int i = 0; i < n; i += 3) test_buf_printf(&b, "%s%d", i ? "," : "", i);
  test_buf_put(&b, "]", 1);
  pt_error e;
  CHECK_OK(pt_collection_delete(c, NULL, 0, b.p, b.len, &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, (n + 2) / 3);
  test_buf_free(&b);
  uint64_t live = (uint64_t)n - (uint64_t)(n + 2) / 3;
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), live);
  /* paging through everything gives each live row once, in order */
  int expect = 1, pages = 0;
  bool ok = true;
  for (int offset = 0; offset < (int)live; offset += 1000) {
    char req[100];
    snprintf(req, sizeof req, "{\"limit\":1000,\"offset\":%d,\"output_fields\":[\"s\"]}", offset);
    pt_rows *rows = test_query(c, req);
    for (size_t i = 0; rows && i < pt_rows_count(rows); i++) {
      if (expect % 3 == 0) expect++;
      char s[16];
      snprintf(s, sizeof s, "s%d", expect);
      if (test_i64(rows, 0, i) != expect || strcmp(test_text(rows, 1, i), s) != 0) ok = false;
      expect++;
    }
    if (rows && pt_rows_count(rows)) pages++;
    pt_rows_free(rows);
  }
  CHECK(ok);
  CHECK_EQ_INT(expect, n);
  CHECK_EQ_INT(pages, (int)((live + 999) / 1000));
  /* pages end where offset + limit reaches 16384, as in Milvus */
  pt_rows *none = NULL;
  const char *far = "{\"limit\":1000,\"offset\":15385}";
  CHECK_EQ_INT(pt_collection_query(c, far, strlen(far), &none, &e), PT_RANGE);
  pt_rows *rows = q(c, "{'expr':'id in [19999, 19998, 3, 4]','output_fields':['v']}");
  CHECK_EQ_INT(pt_rows_count(rows), 2);
  CHECK_EQ_INT(test_i64(rows, 0, 0), 4);
  CHECK_EQ_INT(test_i64(rows, 0, 1), 19997 + 2); /* 19998 % 3 == 0: deleted */
  float v[2];
  memcpy(v, (const char *)pt_rows_column(rows, 1)->values + 8, 8);
  CHECK(v[0] == 19999.0f);
  pt_rows_free(rows);
  pt_store_close(st);
}

TEST_MAIN(T(empty_expression_with_limit), T(limit_and_offset_rules), T(primary_key_filters), T(filter_errors),
          T(varchar_keys_and_escapes), T(output_fields), T(request_errors), T(get_equivalent), T(delete_by_keys),
          T(delete_errors), T(order_by_pk), T(many_rows_and_segments))
