/*
 * test_template.c — filter expression templates (Milvus's expr_params): `{name}` bound to the
 * constant of a JSON value in query, search and delete.
 *
 * Covers:
 *   - every kind of value: integers (exact to 64 bits, negative, the int64 extremes), doubles
 *     (a number with a fraction or exponent), strings (quotes, backslashes, expression text),
 *     bools, lists (in `in`, json_contains_any / array_contains_all), a string in `like`;
 *     a template in a range, in arithmetic, on a JSON path, used twice, repeated names (the
 *     last one wins), white space inside the braces; primary-key filters from templates.
 *   - errors with Milvus's messages: a name without a value, a value of the wrong type for the
 *     column, a non-list in `in`, a non-string in `like`, null / object values, an int beyond
 *     int64, parameters that are not an object or not JSON, a `{` without a name; unused values
 *     are accepted as in Milvus.
 *   - injection: string values holding quotes, `or`, braces and closing brackets select only
 *     the rows whose field equals the text.
 *   - delete with parameters (pt_collection_delete_with_params): the rows selected, errors leave
 *     the store unchanged; search's expr_params.
 */
#include "harness.h"

#include <stdlib.h>

#define SCHEMA "{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true}," \
  "{'name':'v','dtype':101,'dim':2},{'name':'name','dtype':21,'max_length':64},"                 \
  "{'name':'score','dtype':11},{'name':'ok','dtype':1},{'name':'tags','dtype':22,'element_type':5,'max_capacity':4}," \
  "{'name':'meta','dtype':23}]}"

static pt_collection *people(pt_store *st) {
  pt_collection *c = test_collection(st, "people", J(SCHEMA));
  pt_mutation_result r = test_write(
      c, NULL, PT_OP_INSERT,
      J("[{'id':1,'v':[1,0],'name':'ann','score':1.5,'ok':true,'tags':[1,2],'meta':{'k':1}},"
        "{'id':2,'v':[2,0],'name':'bob','score':2.5,'ok':false,'tags':[3],'meta':{'k':2}},"
        "{'id':3,'v':[3,0],'name':'\\\" or 1==1','score':3.5,'ok':true,'tags':[],'meta':{'k':3}},"
        "{'id':9223372036854775807,'v':[4,0],'name':'a{x}','score':-1,'ok':false,'tags':[2,3],'meta':{'k':'s'}},"
        "{'id':-9223372036854775808,'v':[5,0],'name':'o\\\\','score':0,'ok':true,'tags':[4],'meta':{'k':null}}]"));
  pt_mutation_result_clear(&r);
  return c;
}

static void query_fails(int line, pt_collection *c, const char *json, pt_status st, int32_t exc, const char *needle) {
  pt_rows *rows = NULL;
  pt_error e;
  pt_status rc = pt_collection_query(c, json, strlen(json), &rows, &e);
  test_expect_err(__FILE__, line, rc, &e, st, PT_CODE_PARAMETER_INVALID, exc, needle);
  if (rows) {
    fprintf(stderr, "  FAIL %s:%d: a failed query returned rows\n", __FILE__, line);
    pt_test_failures++;
    pt_rows_free(rows);
  }
}
#define QUERY_ERR(c, sq, st, needle) query_fails(__LINE__, c, J(sq), st, PT_EXC_MILVUS, needle)
#define QUERY_ERR_PARAM(c, sq, needle) query_fails(__LINE__, c, J(sq), PT_PARSE, PT_EXC_PARAM, needle)

TEST(values_of_every_kind) {
  pt_store *st = test_store();
  pt_collection *c = people(st);
  CHECK_IDS(c, "{'expr':'id > {lo}','expr_params':{'lo':1}}", "2,3,9223372036854775807");
  CHECK_IDS(c, "{'expr':'id == {k}','expr_params':{'k':9223372036854775807}}", "9223372036854775807");
  CHECK_IDS(c, "{'expr':'id == {k}','expr_params':{'k':-9223372036854775808}}", "-9223372036854775808");
  CHECK_IDS(c, "{'expr':'id in {ks}','expr_params':{'ks':[2,3,-9223372036854775808]}}", "2,3,-9223372036854775808");
  CHECK_IDS(c, "{'expr':'score >= {s}','expr_params':{'s':2.5}}", "2,3");
  CHECK_IDS(c, "{'expr':'score > {s}','expr_params':{'s':1}}", "1,2,3");
  CHECK_IDS(c, "{'expr':'score < {s}','expr_params':{'s':-5e-1}}", "9223372036854775807");
  CHECK_IDS(c, "{'expr':'ok == {b}','expr_params':{'b':false}}", "2,9223372036854775807");
  CHECK_IDS(c, "{'expr':'name == {n}','expr_params':{'n':'bob'}}", "2");
  CHECK_IDS(c, "{'expr':'name in {n}','expr_params':{'n':['ann','bob','x']}}", "1,2");
  CHECK_IDS(c, "{'expr':'name like {p}','expr_params':{'p':'a%'}}", "1,9223372036854775807");
  CHECK_IDS(c, "{'expr':'name like {p}','expr_params':{'p':'%b'}}", "2");
  CHECK_IDS(c, "{'expr':'{lo} < score < {hi}','expr_params':{'lo':1,'hi':3}}", "1,2");
  CHECK_IDS(c, "{'expr':'score + {d} > {x}','expr_params':{'d':1,'x':4}}", "3");
  CHECK_IDS(c, "{'expr':'meta[\\\"k\\\"] == {k}','expr_params':{'k':2}}", "2");
  CHECK_IDS(c, "{'expr':'meta[\\\"k\\\"] == {k}','expr_params':{'k':'s'}}", "9223372036854775807");
  CHECK_IDS(c, "{'expr':'array_contains_any(tags, {t})','expr_params':{'t':[2,4]}}",
            "1,9223372036854775807,-9223372036854775808");
  CHECK_IDS(c, "{'expr':'array_contains(tags, {t})','expr_params':{'t':3}}", "2,9223372036854775807");
  CHECK_IDS(c, "{'expr':'json_contains_any(meta[\\\"k\\\"], {t})','expr_params':{'t':[]}}", "");
  /* a name used twice, white space in the braces, unused values, the last of a repeated name */
  CHECK_IDS(c, "{'expr':'id == { a } or id == {a} + 0 or id == {b}','expr_params':{'a':1,'b':2,'unused':[{}]}}", "1,2");
  CHECK_IDS(c, "{'expr':'id == {a}','expr_params':{'a':1,'a':3}}", "3");
  /* templates in a list literal, next to literals */
  CHECK_IDS(c, "{'expr':'id in [{a}, 2]','expr_params':{'a':1}}", "1,2");
  /* no expression: the parameters are not read */
  CHECK_IDS(c, "{'limit':2,'expr_params':{'a':{}}}", "1,2");
  CHECK_IDS(c, "{'expr':'id == 1','expr_params':null}", "1");
  pt_store_close(st);
}

TEST(values_are_never_expression_text) {
  pt_store *st = test_store();
  pt_collection *c = people(st);
  /* the value is the text: a string that would close the literal and add `or 1==1` */
  CHECK_IDS(c, "{'expr':'name == {n}','expr_params':{'n':'\\\" or 1==1'}}", "3");
  CHECK_IDS(c, "{'expr':'name == {n}','expr_params':{'n':'x\\\" or name != \\\"'}}", "");
  CHECK_IDS(c, "{'expr':'name == {n}','expr_params':{'n':'a{x}'}}", "9223372036854775807");
  CHECK_IDS(c, "{'expr':'name == {n}','expr_params':{'n':'o\\\\'}}", "-9223372036854775808");
  CHECK_IDS(c, "{'expr':'name in {n}','expr_params':{'n':['ann\\\"] or id > [0']}}", "");
  pt_store_close(st);
}

TEST(errors) {
  pt_store *st = test_store();
  pt_collection *c = people(st);
  char *before = test_snapshot(c);
  QUERY_ERR(c, "{'expr':'id > {lo}'}", PT_PARSE,
            "failed to create query plan: the value of expression template variable name {lo} is not found: invalid parameter");
  QUERY_ERR(c, "{'expr':'id > {lo}','expr_params':{'hi':1}}", PT_PARSE,
            "the value of expression template variable name {lo} is not found");
  QUERY_ERR(c, "{'expr':'id > {lo}','expr_params':{'lo':'x'}}", PT_PARSE, "comparisons between Int64 and VarChar are not supported");
  QUERY_ERR(c, "{'expr':'id in {ks}','expr_params':{'ks':1}}", PT_PARSE,
            "the value of term expression template variable {ks} is not array");
  QUERY_ERR(c, "{'expr':'id in {ks}','expr_params':{'ks':[1,'a']}}", PT_PARSE,
            "value 'string_val:\"a\"' in list cannot be casted to Int64");
  QUERY_ERR(c, "{'expr':'name like {p}','expr_params':{'p':1}}", PT_PARSE,
            "the value of like expression template variable {p} is not string");
  QUERY_ERR(c, "{'expr':'id == {k}','expr_params':{'k':null}}", PT_PARSE,
            "the value of expression template variable name {k} is not a bool, number, string or list, got NoneType");
  QUERY_ERR(c, "{'expr':'id == {k}','expr_params':{'k':{'a':1}}}", PT_PARSE,
            "the value of expression template variable name {k} is not a bool, number, string or list, got dict");
  QUERY_ERR(c, "{'expr':'id == {k}','expr_params':{'k':9223372036854775808}}", PT_PARSE,
            "the value of expression template variable name {k} is out of the range of int64: 9223372036854775808");
  QUERY_ERR(c, "{'expr':'id == {n}','expr_params':{'n':'1 or 1==1'}}", PT_PARSE,
            "comparisons between Int64 and VarChar are not supported");
  QUERY_ERR_PARAM(c, "{'expr':'id == {k}','expr_params':[1]}", "expr_params must be a dict of template values, got list");
  QUERY_ERR_PARAM(c, "{'expr':'id == {k}','expr_params':'k'}", "expr_params must be a dict of template values, got str");
  QUERY_ERR(c, "{'expr':'id == {}','expr_params':{'k':1}}", PT_PARSE, "mismatched input '}' expecting Identifier");
  QUERY_ERR(c, "{'expr':'id == {k','expr_params':{'k':1}}", PT_PARSE, "mismatched input '<EOF>' expecting '}'");
  QUERY_ERR(c, "{'expr':'id == {1}','expr_params':{'1':1}}", PT_PARSE, "expecting Identifier");
  char *after = test_snapshot(c);
  CHECK_STR(after, before);
  free(before);
  free(after);
  pt_store_close(st);
}

TEST(delete_with_params) {
  pt_store *st = test_store();
  pt_collection *c = people(st);
  char *before = test_snapshot(c);
  pt_mutation_result r;
  pt_error e;
  const char *x = "name == {n}";
  /* errors first: nothing changes */
  EXPECT_ERR(pt_collection_delete_with_params(c, NULL, 0, x, strlen(x), NULL, 0, &r, &e), &e, PT_PARSE,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "failed to create delete plan: the value of expression template variable name {n} is not found: invalid parameter");
  EXPECT_ERR(pt_collection_delete_with_params(c, NULL, 0, x, strlen(x), "{\"n\":", 5, &r, &e), &e, PT_PARSE,
             PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "expr_params is not valid JSON");
  EXPECT_ERR(pt_collection_delete_with_params(c, NULL, 0, x, strlen(x), "{\"n\":\"a\\u0000\"}", 15, &r, &e), &e, PT_PARSE,
             PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "NUL");
  CHECK_EQ_INT(pt_collection_delete_with_params(c, NULL, 0, x, strlen(x), NULL, 3, &r, &e), PT_MISUSE);
  char *after = test_snapshot(c);
  CHECK_STR(after, before);
  free(after);
  free(before);
  /* an injection attempt deletes nothing */
  const char *inj = "{\"n\":\"\\\" or 1==1 or name == \\\"\"}";
  CHECK_OK(pt_collection_delete_with_params(c, NULL, 0, x, strlen(x), inj, strlen(inj), &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, 0);
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 5);
  const char *bob = "{\"n\":\"bob\"}";
  CHECK_OK(pt_collection_delete_with_params(c, NULL, 0, x, strlen(x), bob, strlen(bob), &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, 1);
  /* a key list from a template is a key filter: every listed key counts, found or not */
  const char *ks = "{\"ks\":[1,77]}";
  CHECK_OK(pt_collection_delete_with_params(c, NULL, 0, "id in {ks}", 10, ks, strlen(ks), &r, &e), &e);
  CHECK_EQ_INT(r.delete_count, 2);
  CHECK_IDS(c, "{'limit':10}", "3,9223372036854775807,-9223372036854775808");
  pt_store_close(st);
}

TEST(search_with_params) {
  pt_store *st = test_store();
  pt_collection *c = people(st);
  const float qv[2] = {0, 0};
  const char *req = "{\"anns_field\":\"v\",\"metric_type\":\"L2\",\"limit\":10,\"expr\":\"name in {n}\","
                    "\"expr_params\":{\"n\":[\"bob\",\"\\\" or 1==1\"]},\"vector_kind\":\"float32\",\"nq\":1}";
  pt_search_result *res = NULL;
  pt_error e;
  CHECK_OK(pt_collection_search(c, req, strlen(req), qv, sizeof qv, &res, &e), &e);
  if (res) {
    CHECK_EQ_INT(pt_search_counts(res)[0], 2);
    pt_search_free(res);
  }
  const char *bad = "{\"anns_field\":\"v\",\"metric_type\":\"L2\",\"limit\":10,\"expr\":\"name in {n}\",\"vector_kind\":\"float32\",\"nq\":1}";
  res = NULL;
  EXPECT_ERR(pt_collection_search(c, bad, strlen(bad), qv, sizeof qv, &res, &e), &e, PT_PARSE, PT_CODE_PARAMETER_INVALID,
             PT_EXC_MILVUS, "the value of expression template variable name {n} is not found");
  CHECK(res == NULL);
  pt_store_close(st);
}

TEST_MAIN(T(values_of_every_kind), T(values_are_never_expression_text), T(errors), T(delete_with_params),
          T(search_with_params))
