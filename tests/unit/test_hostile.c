/*
 * test_hostile.c — hostile input, one test per kind (issue 6): each gives a clear Milvus-style
 * error, and the store is exactly as it was (test_snapshot before and after).
 *
 * Covers:
 *   - JSON nested 10,000 deep at every JSON entry point: a JSON batch, a JSON field and a
 *     dynamic value given as text in a typed batch, the schema and field JSON, query and search
 *     requests, and the member scanner (pt_json_member).
 *   - strings: VARCHAR over max_length counted in UTF-8 bytes; bytes that are not UTF-8 in a
 *     VARCHAR, in JSON field text, in dynamic keys and values, in collection, partition and
 *     field names, and in query / search / schema JSON; error messages stay UTF-8.
 *   - NaN and ±Infinity in float vectors, FLOAT and DOUBLE fields (typed and JSON), and in
 *     search vectors.
 *   - dims, capacities and lengths over Milvus's limits, and absurd ones (2^40).
 *   - `__proto__` and `constructor` as field names and dynamic keys: plain data.
 *   - batches over the 64 MiB limit (JSON text and typed columns), refused before reading.
 *   - filter expressions nested 10,000 deep (parentheses, not, unary minus, lists), long
 *     subscript chains.
 *   - integer overflow: INT64 text beyond int64, doubles beyond int64, int64 values beyond
 *     INT8 / INT16 / INT32, the host's OUT_OF_RANGE cells.
 *   - a dynamic part the host could not transcribe (a WRONG_TYPE cell) is an error, not {}.
 *   - a scalar column declared 0 values wide is refused, not read past (found by fuzz_columns).
 *   - issue 13: JSON that cJSON alone takes but JSON does not (02, 1., raw control characters,
 *     bytes below 0x20 as white space, a byte order mark, lone surrogates, numbers beyond a
 *     double) is refused as a JSON field, a dynamic value and in a batch; accepted values read
 *     back in canonical form; a NUL character is kept in string values (VARCHAR, ARRAY, JSON)
 *     and refused in names (keys, requests, schemas) instead of cutting them; sparse dict keys
 *     are decimal integers.
 */
#include "harness.h"

#include "common.h"
#include "text.h" /* pt_utf8_count */

#include <math.h>
#include <stdlib.h>

#define DEEP 10000

static const char *SCHEMA =
    "{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
    "{'name':'v','dtype':101,'dim':2},{'name':'s','dtype':21,'max_length':4,'nullable':true},"
    "{'name':'j','dtype':23,'nullable':true},{'name':'f','dtype':10,'nullable':true},"
    "{'name':'d','dtype':11,'nullable':true},{'name':'i8','dtype':2,'nullable':true},"
    "{'name':'i32','dtype':4,'nullable':true}]}";

static pt_collection *fresh(pt_store *st) {
  pt_collection *c = test_collection(st, "h", J(SCHEMA));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT,
                                    J("[{'id':1,'v':[1,2],'s':'ab','j':{'a':1},'k':'x'},{'id':2,'v':[3,4],'f':1.5}]"));
  pt_mutation_result_clear(&r);
  return c;
}

/* `depth` opening brackets, `inner`, and the closing ones, in a test_buf. */
static void nest(test_buf *b, int depth, const char *open, const char *inner, const char *close) {
  for (int i = 0; i < depth; i++) test_buf_printf(b, "%s", open);
  test_buf_printf(b, "%s", inner);
  for (int i = 0; i < depth; i++) test_buf_printf(b, "%s", close);
}

static char *before_state;

static void begin(pt_collection *c) {
  free(before_state);
  before_state = test_snapshot(c);
}

/* The store is as it was at begin(). */
static void unchanged(int line, pt_collection *c) {
  char *now = test_snapshot(c);
  if (strcmp(now, before_state) != 0) {
    fprintf(stderr, "  FAIL %s:%d: the store changed\n", __FILE__, line);
    pt_test_failures++;
  }
  free(now);
}
#define UNCHANGED(c) unchanged(__LINE__, c)

/* A JSON write of `json` (length len) fails with `st` and a message holding `needle`. */
static void json_write_fails(int line, pt_collection *c, const char *json, size_t len, pt_status st, const char *needle) {
  pt_mutation_result r;
  pt_error e;
  pt_status rc = pt_collection_write_json(c, NULL, 0, PT_OP_UPSERT, json, len, 0, &r, &e);
  if (rc != st || !strstr(e.message, needle)) {
    fprintf(stderr, "  FAIL %s:%d: got %s \"%s\", expected %s \"%s\"\n", __FILE__, line, pt_status_str(rc), e.message,
            pt_status_str(st), needle);
    pt_test_failures++;
  }
  if (r.n_keys || r.int_keys) {
    fprintf(stderr, "  FAIL %s:%d: a failed write left a result\n", __FILE__, line);
    pt_test_failures++;
  }
  pt_mutation_result_clear(&r);
  unchanged(line, c);
}
#define JSON_WRITE_FAILS(c, json, st, needle) json_write_fails(__LINE__, c, json, strlen(json), st, needle)

/* One input column: `n` rows of `width` values of `kind` for `field`. */
static pt_column_in column(int32_t field, int32_t kind, size_t n, uint32_t width, const void *values) {
  pt_column_in col;
  memset(&col, 0, sizeof col);
  col.field = field;
  col.kind = kind;
  col.n_rows = n;
  col.width = width;
  col.values = values;
  return col;
}

/* A typed one-row batch: id, v, and one TEXT / JSON column (`field`, kind) holding `text`. */
static pt_status typed_text(pt_collection *c, int32_t field, int32_t kind, const char *text, size_t len, pt_error *e) {
  static const int64_t id[1] = {77};
  static const float v[2] = {0, 1};
  uint32_t offs[2] = {0, (uint32_t)len};
  pt_column_in cols[3];
  memset(cols, 0, sizeof cols);
  cols[0] = column(0, PT_IN_INT64, 1, 1, id);
  cols[1] = column(1, PT_IN_FLOAT32, 1, 2, v);
  cols[2] = column(field, kind, 1, 1, text);
  cols[2].offsets = offs;
  pt_batch_in b = {PT_FORM_ROWS, 1, 3, cols};
  pt_mutation_result r;
  pt_status rc = pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, e);
  pt_mutation_result_clear(&r);
  return rc;
}

static pt_status query(pt_collection *c, const char *req, size_t len, pt_error *e) {
  pt_rows *rows = NULL;
  pt_status rc = pt_collection_query(c, req, len, &rows, e);
  pt_rows_free(rows);
  return rc;
}

static pt_status search(pt_collection *c, const char *req, size_t len, const float *vec, size_t nbytes, pt_error *e) {
  pt_search_result *r = NULL;
  pt_status rc = pt_collection_search(c, req, len, vec, nbytes, &r, e);
  pt_search_free(r);
  return rc;
}

/* ============================================================================================ */

TEST(json_nested_10000_deep_everywhere) {
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  pt_error e;
  begin(c);
  /* a JSON batch: the whole text, a JSON field, a dynamic value */
  test_buf b = {NULL, 0, 0};
  nest(&b, DEEP, "[", "", "]");
  JSON_WRITE_FAILS(c, b.p, PT_PARSE, "nesting deeper than 1000");
  test_buf_free(&b);
  test_buf_printf(&b, "[{\"id\":9,\"v\":[0,1],\"j\":");
  nest(&b, DEEP, "{\"a\":", "1", "}");
  test_buf_printf(&b, "}]");
  JSON_WRITE_FAILS(c, b.p, PT_PARSE, "nesting deeper than 1000");
  test_buf_free(&b);
  test_buf_printf(&b, "[{\"id\":9,\"v\":[0,1],\"dyn\":");
  nest(&b, DEEP, "[", "", "]");
  test_buf_printf(&b, "}]");
  JSON_WRITE_FAILS(c, b.p, PT_PARSE, "nesting deeper than 1000");
  test_buf_free(&b);
  /* typed batches: a JSON field's text and a dynamic part */
  nest(&b, DEEP, "[", "", "]");
  EXPECT_ERR(typed_text(c, 3, PT_IN_JSON, b.p, b.len, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "Invalid JSON string: nesting deeper than 1000");
  test_buf_free(&b);
  test_buf_printf(&b, "{\"k\":");
  nest(&b, DEEP, "[", "", "]");
  test_buf_printf(&b, "}");
  EXPECT_ERR(typed_text(c, PT_FIELD_DYNAMIC, PT_IN_JSON, b.p, b.len, &e), &e, PT_PARSE, PT_CODE_CLIENT,
             PT_EXC_DATA_NOT_MATCH, "nesting deeper than 1000");
  UNCHANGED(c);
  test_buf_free(&b);
  /* schema and field JSON */
  test_buf_printf(&b, "{\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true,\"x\":");
  nest(&b, DEEP, "[", "", "]");
  test_buf_printf(&b, "}]}");
  pt_schema *s = (pt_schema *)1;
  EXPECT_ERR(pt_schema_from_json(b.p, b.len, &s, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_PARAM, "invalid schema JSON");
  CHECK(s == NULL);
  EXPECT_ERR(pt_field_check_json(b.p + 11, b.len - 13, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_PARAM, "invalid field JSON");
  test_buf_free(&b);
  /* query and search requests */
  test_buf_printf(&b, "{\"expr\":\"id > 0\",\"limit\":3,\"x\":");
  nest(&b, DEEP, "[", "", "]");
  test_buf_printf(&b, "}");
  EXPECT_ERR(query(c, b.p, b.len, &e), &e, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the query request is not valid JSON");
  const float q[2] = {1, 1};
  EXPECT_ERR(search(c, b.p, b.len, q, sizeof q, &e), &e, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM,
             "the search request is not a JSON object");
  /* the member scanner refuses it rather than overflowing */
  size_t at = 0, n = 0;
  CHECK_EQ_INT(pt_json_member(b.p, b.len, "x", 1, &at, &n), -1);
  CHECK_EQ_INT(pt_json_member(b.p, b.len, "expr", 4, &at, &n), -1);
  test_buf_free(&b);
  UNCHANGED(c);
  pt_store_close(st);
}

TEST(utf8_lengths_and_invalid_bytes) {
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  pt_error e;
  begin(c);
  /* max_length counts UTF-8 bytes: 2 characters, 6 bytes, over 4 */
  JSON_WRITE_FAILS(c, J("[{'id':9,'v':[0,1],'s':'\xe6\x97\xa5\xe6\x9c\xac'}]"), PT_LIMIT,
                   "length of varchar field s exceeds max length, row number: 0, length: 6, max length: 4");
  /* 4 characters, 4 bytes: fits; 4 characters, 5 bytes: does not */
  EXPECT_ERR(typed_text(c, 2, PT_IN_TEXT, "ab\xc3\xa9" "c", 5, &e), &e, PT_LIMIT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "length: 5, max length: 4");
  /* bytes that are not UTF-8: a VARCHAR, a JSON document, a dynamic value and key */
  EXPECT_ERR(typed_text(c, 2, PT_IN_TEXT, "a\xff", 2, &e), &e, PT_TYPE_MISMATCH, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "string of field s is not valid UTF-8, row number: 0");
  EXPECT_ERR(typed_text(c, 3, PT_IN_JSON, "\"a\xc0\xaf\"", 5, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "Invalid JSON string: not valid UTF-8 at byte 2");
  EXPECT_ERR(typed_text(c, PT_FIELD_DYNAMIC, PT_IN_JSON, "{\"k\":\"\xed\xa0\x80\"}", 9, &e), &e, PT_PARSE, PT_CODE_CLIENT,
             PT_EXC_DATA_NOT_MATCH, "not valid UTF-8 at byte 6");
  /* the message shows the bad bytes as '?': it is UTF-8 text itself */
  CHECK(pt_utf8_count(e.message, strlen(e.message)) >= 0);
  JSON_WRITE_FAILS(c, "[{\"id\":9,\"v\":[0,1],\"j\":{\"\xff\":1}}]", PT_PARSE, "not valid UTF-8");
  JSON_WRITE_FAILS(c, "[{\"id\":9,\"v\":[0,1],\"k\xfe\":1}]", PT_PARSE, "not valid UTF-8");
  JSON_WRITE_FAILS(c, "[{\"id\":9,\"v\":[0,1],\"s\":\"\xf8\x88\x80\x80\x80\"}]", PT_TYPE_MISMATCH, "is not valid UTF-8");
  /* names: collection, partition, field */
  pt_schema *s = test_schema(J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}"));
  pt_collection *other = NULL;
  EXPECT_ERR(pt_collection_create(st, "c\xff", 2, s, NULL, &other, &e), &e, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "collection name can only contain numbers, letters and underscores");
  CHECK(other == NULL);
  CHECK(pt_utf8_count(e.message, strlen(e.message)) >= 0);
  pt_schema_free(s);
  EXPECT_ERR(pt_partition_create(c, "p\xc3", 2, &e), &e, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "Invalid partition name: p?. Partition name can only contain numbers, letters and underscores.");
  const char *bad_field = "{\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true},{\"name\":\"v\\u0000\xff\",\"dtype\":101,\"dim\":2}]}";
  EXPECT_ERR(pt_schema_from_json(bad_field, strlen(bad_field), &s, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_PARAM,
             "the schema holds a NUL character (\\u0000) in a string at byte 63");
  bad_field = "{\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true},{\"name\":\"v\xff\",\"dtype\":101,\"dim\":2}]}";
  EXPECT_ERR(pt_schema_from_json(bad_field, strlen(bad_field), &s, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_PARAM,
             "invalid schema JSON: not valid UTF-8 at byte 63");
  /* requests */
  const char *req = "{\"expr\":\"s == '\xff'\",\"limit\":3}";
  EXPECT_ERR(query(c, req, strlen(req), &e), &e, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "not valid UTF-8");
  const float q[2] = {1, 1};
  req = "{\"anns_field\":\"v\",\"limit\":1,\"nq\":1,\"expr\":\"s == '\xff'\"}";
  EXPECT_ERR(search(c, req, strlen(req), q, sizeof q, &e), &e, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM,
             "not valid UTF-8");
  UNCHANGED(c);
  pt_store_close(st);
}

TEST(nan_and_infinity) {
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  pt_error e;
  begin(c);
  /* a JSON number beyond a double is not taken as infinity (Go's encoding/json refuses it too) */
  JSON_WRITE_FAILS(c, J("[{'id':9,'v':[0,1e999]}]"), PT_PARSE, "a number beyond the range of a double at byte 16");
  JSON_WRITE_FAILS(c, J("[{'id':9,'v':[0,1],'f':-1e39}]"), PT_RANGE, "value '-Inf' is not a number or infinity");
  JSON_WRITE_FAILS(c, J("[{'id':9,'v':[0,1],'d':1e999}]"), PT_PARSE, "a number beyond the range of a double at byte 23");
  JSON_WRITE_FAILS(c, J("[{'id':9,'v':[0,NaN]}]"), PT_PARSE, "not valid JSON");
  const float specials[3] = {NAN, INFINITY, -INFINITY};
  const char *names[3] = {"'NaN'", "'+Inf'", "'-Inf'"};
  for (int k = 0; k < 3; k++) {
    int64_t id[1] = {9};
    float v[2] = {0, specials[k]};
    double d[1] = {specials[k]};
    pt_column_in cols[3];
    memset(cols, 0, sizeof cols);
    cols[0] = column(0, PT_IN_INT64, 1, 1, id);
    cols[1] = column(1, PT_IN_FLOAT32, 1, 2, v);
    pt_batch_in b = {PT_FORM_ROWS, 1, 2, cols};
    pt_mutation_result r;
    EXPECT_ERR(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, names[k]);
    v[1] = 0;
    for (int32_t field = 4; field <= 5; field++) {
      cols[2] = column(field, PT_IN_DOUBLE, 1, 1, d);
      b.n_columns = 3;
      EXPECT_ERR(pt_collection_write(c, NULL, 0, PT_OP_UPSERT, &b, 0, &r, &e), &e, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                 names[k]);
    }
    /* a search vector */
    const char *req = "{\"anns_field\":\"v\",\"limit\":1,\"nq\":1}";
    float q[2] = {specials[k], 1};
    EXPECT_ERR(search(c, req, strlen(req), q, sizeof q, &e), &e, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, names[k]);
  }
  UNCHANGED(c);
  pt_store_close(st);
}

TEST(dims_and_capacities_over_the_limits) {
  pt_store *st = test_store();
  pt_error e;
  static const struct {
    const char *field;
    const char *needle;
  } cases[] = {
      {"{'name':'w','dtype':101,'dim':32769}", "invalid dimension: 32769 of field w"},
      {"{'name':'w','dtype':101,'dim':1099511627776}", "invalid dimension"},
      {"{'name':'w','dtype':100,'dim':262152}", "invalid dimension"},
      {"{'name':'w','dtype':100,'dim':12}", "binary vector dimension should be multiple of 8"},
      {"{'name':'a','dtype':22,'element_type':5,'max_capacity':4097}", "the maximum capacity specified for a Array should be in (0, 4096]"},
      {"{'name':'a','dtype':22,'element_type':5,'max_capacity':8589934592}", "should be in (0, 4096]"},
      {"{'name':'t','dtype':21,'max_length':65536}", "should be in (0, 65535], but got 65536"},
      {"{'name':'t','dtype':21,'max_length':9007199254740993}", "should be in (0, 65535]"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char sq[512];
    snprintf(sq, sizeof sq, "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2},%s]}",
             cases[k].field);
    pt_schema *s = test_schema(J(sq));
    pt_collection *c = NULL;
    pt_status rc = pt_collection_create(st, "d", 1, s, NULL, &c, &e);
    CHECK(rc != PT_OK);
    CHECK(c == NULL);
    CHECK_MSG(&e, cases[k].needle);
    CHECK_EQ_INT(pt_store_num_collections(st), 0);
    pt_schema_free(s);
  }
  pt_store_close(st);
}

TEST(proto_and_constructor_are_plain_names) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "p", J("{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                                "{'name':'__proto__','dtype':101,'dim':2},{'name':'constructor','dtype':5}]}"));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT,
                                    J("[{'id':1,'__proto__':[1,2],'constructor':7,'prototype':{'__proto__':{'x':1}}}]"));
  pt_mutation_result_clear(&r);
  pt_rows *rows = test_query(c, J("{'expr':'constructor == 7','output_fields':['*']}"));
  CHECK_EQ_INT(pt_rows_count(rows), 1);
  char *json = NULL;
  pt_error e;
  CHECK_OK(pt_rows_to_json(rows, 0, &json, NULL, &e), &e);
  CHECK_STR(json, "[{\"id\":1,\"__proto__\":[1,2],\"constructor\":7,\"prototype\":{\"__proto__\":{\"x\":1}}}]");
  pt_free(json);
  pt_rows_free(rows);
  rows = test_query(c, "{\"expr\":\"prototype['__proto__']['x'] == 1\",\"output_fields\":[\"count(*)\"]}");
  CHECK_EQ_INT(test_i64(rows, 0, 0), 1);
  pt_rows_free(rows);
  pt_store_close(st);
}

TEST(batches_over_the_size_limit) {
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  pt_error e;
  begin(c);
  size_t len = PT_MAX_BATCH_BYTES + 1;
  char *text = malloc(len);
  memset(text, ' ', len);
  text[0] = '[';
  text[len - 1] = ']';
  json_write_fails(__LINE__, c, text, len, PT_LIMIT, "insert request size exceeds maxInsertSize: 67108865 bytes");
  free(text);
  /* a typed batch: 8,389,000 rows of two floats and a key, over 64 MiB in all */
  size_t n = 2800000;
  int64_t *ids = calloc(n, sizeof *ids);
  float *v = calloc(n * 2, sizeof *v);
  pt_column_in cols[2];
  memset(cols, 0, sizeof cols);
  cols[0] = column(0, PT_IN_INT64, n, 1, ids);
  cols[1] = column(1, PT_IN_FLOAT32, n, 2, v);
  pt_batch_in b = {PT_FORM_ROWS, n, 2, cols};
  pt_mutation_result r;
  EXPECT_ERR(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e, PT_LIMIT, PT_CODE_TOO_LARGE, PT_EXC_MILVUS,
             "insert request size exceeds maxInsertSize");
  free(ids);
  free(v);
  UNCHANGED(c);
  pt_store_close(st);
}

TEST(filters_nested_10000_deep) {
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  pt_error e;
  begin(c);
  static const struct {
    const char *open, *inner, *close;
  } shapes[] = {{"(", "id > 0", ")"}, {"not ", "id > 0", ""}, {"-", "1 == id", ""}, {"", "id in ", ""},
                {"array_length(", "j", ") == 1"}};
  for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
    test_buf expr = {NULL, 0, 0};
    if (k == 3) { /* a list of lists */
      test_buf_printf(&expr, "id in ");
      nest(&expr, DEEP, "[", "1", "]");
    } else {
      nest(&expr, DEEP, shapes[k].open, shapes[k].inner, shapes[k].close);
    }
    test_buf req = {NULL, 0, 0};
    test_buf_printf(&req, "{\"expr\":\"%s\",\"limit\":3}", expr.p);
    pt_status rc = query(c, req.p, req.len, &e);
    CHECK_EQ_INT(rc, PT_PARSE);
    CHECK_EQ_INT(e.code, PT_CODE_PARAMETER_INVALID);
    CHECK_MSG(&e, "cannot parse expression");
    /* and through delete and search */
    pt_mutation_result r;
    CHECK(pt_collection_delete(c, NULL, 0, expr.p, expr.len, &r, &e) != PT_OK);
    pt_mutation_result_clear(&r);
    test_buf_free(&req);
    test_buf_printf(&req, "{\"anns_field\":\"v\",\"limit\":1,\"nq\":1,\"expr\":\"%s\"}", expr.p);
    const float q[2] = {1, 1};
    CHECK(search(c, req.p, req.len, q, sizeof q, &e) != PT_OK);
    CHECK_MSG(&e, "cannot parse expression");
    test_buf_free(&req);
    test_buf_free(&expr);
  }
  /* a long subscript chain is no nesting: it runs (and finds nothing) */
  test_buf req = {NULL, 0, 0};
  test_buf_printf(&req, "{\"expr\":\"j");
  for (int i = 0; i < DEEP; i++) test_buf_printf(&req, "[0]");
  test_buf_printf(&req, " == 1\",\"limit\":3}");
  CHECK_OK(query(c, req.p, req.len, &e), &e);
  test_buf_free(&req);
  UNCHANGED(c);
  pt_store_close(st);
}

TEST(integer_overflow) {
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  pt_error e;
  begin(c);
  JSON_WRITE_FAILS(c, J("[{'id':9223372036854775808,'v':[0,1]}]"), PT_TYPE_MISMATCH, "out of range");
  JSON_WRITE_FAILS(c, J("[{'id':'-9223372036854775809','v':[0,1]}]"), PT_TYPE_MISMATCH, "out of range");
  JSON_WRITE_FAILS(c, J("[{'id':1e20,'v':[0,1]}]"), PT_TYPE_MISMATCH, "out of range");
  JSON_WRITE_FAILS(c, J("[{'id':9,'v':[0,1],'i8':128}]"), PT_RANGE, "(128) out of range: [-128, 127]");
  JSON_WRITE_FAILS(c, J("[{'id':9,'v':[0,1],'i32':2147483648}]"), PT_RANGE, "out of range: [-2147483648, 2147483647]");
  /* typed: int64 values beyond INT8 / INT32, a double beyond int64, the host's OUT_OF_RANGE cell */
  int64_t id[1] = {9};
  float v[2] = {0, 1};
  int64_t big[1] = {INT64_MIN};
  double huge[1] = {1e300};
  uint8_t out_of_range[1] = {PT_CELL_OUT_OF_RANGE};
  pt_column_in cols[3];
  memset(cols, 0, sizeof cols);
  cols[0] = column(0, PT_IN_INT64, 1, 1, id);
  cols[1] = column(1, PT_IN_FLOAT32, 1, 2, v);
  cols[2] = column(6, PT_IN_INT64, 1, 1, big);
  pt_batch_in b = {PT_FORM_ROWS, 1, 3, cols};
  pt_mutation_result r;
  EXPECT_ERR(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "(-9223372036854775808) out of range: [-128, 127]");
  cols[2].field = 7;
  EXPECT_ERR(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "out of range: [-2147483648, 2147483647]");
  cols[0].kind = PT_IN_DOUBLE; cols[0].values = huge;
  b.n_columns = 2;
  EXPECT_ERR(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "Value out of range");
  cols[0].kind = PT_IN_INT64; cols[0].values = id; cols[0].cells = out_of_range;
  cols[0].got = "18446744073709551616"; cols[0].got_len = 20;
  EXPECT_ERR(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "Value out of range: 18446744073709551616");
  UNCHANGED(c);
  pt_store_close(st);
}

TEST(untranscribable_dynamic_part_is_an_error) {
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  pt_error e;
  begin(c);
  int64_t id[1] = {9};
  float v[2] = {0, 1};
  uint8_t wrong[1] = {PT_CELL_WRONG_TYPE};
  uint32_t offs[2] = {0, 0};
  pt_column_in cols[3];
  memset(cols, 0, sizeof cols);
  cols[0] = column(0, PT_IN_INT64, 1, 1, id);
  cols[1] = column(1, PT_IN_FLOAT32, 1, 2, v);
  cols[2] = column(PT_FIELD_DYNAMIC, PT_IN_JSON, 1, 1, "");
  cols[2].offsets = offs; cols[2].cells = wrong; cols[2].got = "BigInt"; cols[2].got_len = 6;
  pt_batch_in b = {PT_FORM_ROWS, 1, 3, cols};
  pt_mutation_result r;
  EXPECT_ERR(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "{$meta} field should be a json, but got a {BigInt} instead");
  UNCHANGED(c);
  pt_store_close(st);
}

TEST(scalar_columns_of_width_0) {
  /* found by fuzz_columns: a scalar column declared 0 values wide (an empty buffer) had its
   * rows read anyway; it is refused as the host's mistake */
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  pt_error e;
  begin(c);
  int64_t id[2] = {9, 10};
  float v[4] = {0, 1, 1, 0};
  uint8_t empty[1] = {0};
  pt_column_in cols[3];
  memset(cols, 0, sizeof cols);
  cols[0] = column(0, PT_IN_INT64, 2, 1, id);
  cols[1] = column(1, PT_IN_FLOAT32, 2, 2, v);
  cols[2] = column(6, PT_IN_INT64, 2, 0, empty);
  pt_batch_in b = {PT_FORM_ROWS, 2, 3, cols};
  pt_mutation_result r;
  EXPECT_ERR(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e), &e, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "scalar column i8 has width 0");
  cols[0].width = 0;
  cols[2].width = 1;
  cols[2].values = id;
  CHECK(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &b, 0, &r, &e) != PT_OK);
  UNCHANGED(c);
  pt_store_close(st);
}

/* ---- issue 13: lenient JSON, NUL characters, sparse keys ---- */

/* What cJSON alone takes but JSON (RFC 8259, Go's encoding/json, JSON.parse) does not; each was
 * stored as written and then broke every read (JSON.parse in JS, REST answers, forwarding). */
static const char *const LENIENT[] = {
    "{\"a\":02}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e400}", "{\"a\":-1e400}", "{\"a\":\"\x01\"}", "{\"a\":\"x\ty\"}",
    "{\"a\":\"x\ny\"}", "\x01{\"a\":1}", "{\"a\":1}\x0b", "{\x1f\"a\":1}", "{\"a\":\x0c" "1}", "\xEF\xBB\xBF{\"a\":1}",
    "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00x\"}", "{\"a\":\"\\ud800\\u0041\"}", "{\"a\\u0000\":1}",
};

TEST(lenient_json_is_refused_everywhere) {
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  pt_error e;
  begin(c);
  for (size_t i = 0; i < sizeof LENIENT / sizeof *LENIENT; i++) {
    const char *l = LENIENT[i];
    int before = pt_test_failures;
    /* a JSON field and a dynamic value given as text by a typed host (what the JS API does) */
    EXPECT_ERR(typed_text(c, 3, PT_IN_JSON, l, strlen(l), &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
               "Invalid JSON string: ");
    UNCHANGED(c);
    test_buf b = {NULL, 0, 0};
    test_buf_printf(&b, "{\"k\":%s}", l);
    EXPECT_ERR(typed_text(c, PT_FIELD_DYNAMIC, PT_IN_JSON, b.p, b.len, &e), &e, PT_PARSE, PT_CODE_CLIENT,
               PT_EXC_DATA_NOT_MATCH, "Invalid JSON string: ");
    UNCHANGED(c);
    test_buf_free(&b);
    /* the same in a JSON batch (the REST API's rows) */
    test_buf_printf(&b, "[{\"id\":9,\"v\":[0,1],\"j\":%s}]", l);
    json_write_fails(__LINE__, c, b.p, b.len, PT_PARSE, "The data is not valid JSON: ");
    test_buf_free(&b);
    test_buf_printf(&b, "[{\"id\":9,\"v\":[0,1],\"k\":%s}]", l);
    json_write_fails(__LINE__, c, b.p, b.len, PT_PARSE, "The data is not valid JSON: ");
    test_buf_free(&b);
    if (pt_test_failures != before) fprintf(stderr, "    (case %zu)\n", i);
  }
  /* the messages say what is wrong where */
  EXPECT_ERR(typed_text(c, 3, PT_IN_JSON, "{\"a\":02}", 8, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "Invalid JSON string: a number with a leading zero at byte 5. Input string: '{\"a\":02}'");
  EXPECT_ERR(typed_text(c, 3, PT_IN_JSON, "{\"a\":1.}", 8, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "a number without a digit after '.' at byte 7");
  EXPECT_ERR(typed_text(c, 3, PT_IN_JSON, "{\"a\":\"x\ty\"}", 11, &e), &e, PT_PARSE, PT_CODE_CLIENT,
             PT_EXC_DATA_NOT_MATCH, "a control character (U+0009) in a string that is not escaped at byte 7");
  EXPECT_ERR(typed_text(c, 3, PT_IN_JSON, "\"\\ud800\"", 8, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "a lone surrogate (\\ud800) in a string");
  EXPECT_ERR(typed_text(c, 3, PT_IN_JSON, "[1e400]", 7, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
             "a number beyond the range of a double at byte 1");
  UNCHANGED(c);
  pt_store_close(st);
}

/* The bytes of a variable-length output cell, with their length. */
static pt_str cell(const pt_rows *rows, const char *name, size_t row) {
  pt_str t = {"", 0};
  int col = test_col(rows, name);
  if (col < 0) return t;
  const pt_column_out *o = pt_rows_column(rows, (size_t)col);
  t.ptr = (const char *)o->values + o->offsets[row];
  t.len = o->offsets[row + 1] - o->offsets[row];
  return t;
}
#define CHECK_CELL(rows, name, row, lit) CHECK(pt_str_eq(cell(rows, name, row).ptr, cell(rows, name, row).len, lit, sizeof lit - 1))

TEST(json_values_read_back_in_canonical_form) {
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  pt_error e;
  /* valid but nasty: white space, escapes of every kind, a surrogate pair, numbers as written */
  const char *j = " { \"a\" : [ 1 , 2.50 , -0 , 1E5 , 1e-400 ] , \"\\u00e9\\/\" : \"\\ud83d\\ude00\\u2028\\u001F\\n\\u0041\\\"\" } ";
  CHECK_OK(typed_text(c, 3, PT_IN_JSON, j, strlen(j), &e), &e);
  const char *dyn = "{ \"k\\u0041\" : [ \"\\t\" ] }";
  CHECK_OK(typed_text(c, PT_FIELD_DYNAMIC, PT_IN_JSON, dyn, strlen(dyn), &e), &e);
  pt_rows *rows = test_query(c, "{\"expr\":\"id == 77\",\"output_fields\":[\"j\",\"$meta\"]}");
  CHECK_EQ_INT(pt_rows_count(rows), 2);
  CHECK_CELL(rows, "j", 0, "{\"a\":[1,2.50,-0,1E5,1e-400],\"\xc3\xa9/\":\"\xf0\x9f\x98\x80\xe2\x80\xa8\\u001f\\nA\\\"\"}");
  CHECK_CELL(rows, "$meta", 1, "{\"kA\":[\"\\t\"]}");
  pt_rows_free(rows);
  pt_store_close(st);
}

TEST(nul_is_kept_in_values_and_refused_in_names) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "nul", J("{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                                  "{'name':'v','dtype':101,'dim':2},{'name':'s','dtype':21,'max_length':8,'nullable':true},"
                                                  "{'name':'a','dtype':22,'element_type':21,'max_length':4,'max_capacity':2,'nullable':true},"
                                                  "{'name':'j','dtype':23,'nullable':true}]}"));
  pt_error e;
  /* values: kept whole, whatever the path (JSON batch, typed ARRAY text) */
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT,
                                    "[{\"id\":1,\"v\":[0,1],\"s\":\"a\\u0000b\",\"a\":[\"x\\u0000y\"],\"j\":{\"k\":\"\\u0000\"},\"d\":\"\\u0000\"}]");
  pt_mutation_result_clear(&r);
  const char *arr = "[\"p\\u0000q\",\"\\u0000\"]";
  CHECK_OK(typed_text(c, 3, PT_IN_JSON, arr, strlen(arr), &e), &e);
  pt_rows *rows = test_query(c, "{\"expr\":\"id in [1, 77]\",\"output_fields\":[\"*\"]}");
  CHECK_EQ_INT(pt_rows_count(rows), 2);
  CHECK_CELL(rows, "s", 0, "a\0b");
  CHECK_CELL(rows, "a", 0, "[\"x\\u0000y\"]");
  CHECK_CELL(rows, "j", 0, "{\"k\":\"\\u0000\"}");
  CHECK_CELL(rows, "$meta", 0, "{\"d\":\"\\u0000\"}");
  CHECK_CELL(rows, "a", 1, "[\"p\\u0000q\",\"\\u0000\"]");
  pt_rows_free(rows);
  /* names: refused, never cut at the NUL */
  begin(c);
  JSON_WRITE_FAILS(c, "[{\"id\\u0000\":5,\"id\":6,\"v\":[0,1]}]", PT_PARSE, "a NUL character (\\u0000) in an object key at byte 5");
  JSON_WRITE_FAILS(c, "[{\"id\":7,\"v\":[0,1],\"k\\u0000\":1}]", PT_PARSE, "a NUL character (\\u0000) in an object key");
  EXPECT_ERR(typed_text(c, PT_FIELD_DYNAMIC, PT_IN_JSON, "{\"k\\u0000\":1}", 13, &e), &e, PT_PARSE, PT_CODE_CLIENT,
             PT_EXC_DATA_NOT_MATCH, "a NUL character (\\u0000) in an object key");
  /* an INT64 given as a string is all of its text */
  JSON_WRITE_FAILS(c, "[{\"id\":\"2\\u00003\",\"v\":[0,1]}]", PT_TYPE_MISMATCH, "{id} field should be a int64, but got a {str} instead.");
  /* requests: the expression, output fields and partition names */
  static const char *const requests[] = {
      "{\"expr\":\"\\u0000id == 1\",\"limit\":10}",
      "{\"expr\":\"id < 0\\u0000 or true\",\"limit\":10}",
      "{\"expr\":\"id > 0\",\"output_fields\":[\"s\\u0000x\"]}",
      "{\"expr\":\"id > 0\",\"partition_names\":[\"_default\\u0000x\"]}",
  };
  for (size_t i = 0; i < sizeof requests / sizeof *requests; i++)
    EXPECT_ERR(query(c, requests[i], strlen(requests[i]), &e), &e, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM,
               "the query request holds a NUL character (\\u0000) in a string at byte");
  const float q[2] = {0, 1};
  const char *sreq = "{\"anns_field\":\"v\",\"limit\":5,\"nq\":1,\"expr\":\"id < 0\\u0000 or true\"}";
  EXPECT_ERR(search(c, sreq, strlen(sreq), q, sizeof q, &e), &e, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM,
             "the search request holds a NUL character (\\u0000) in a string at byte 49: names, expressions and "
             "parameters cannot contain NUL");
  UNCHANGED(c);
  const char *schema = "{\"description\":\"a\\u0000b\",\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true},"
                       "{\"name\":\"v\",\"dtype\":101,\"dim\":2}]}";
  pt_schema *sc = NULL;
  EXPECT_ERR(pt_schema_from_json(schema, strlen(schema), &sc, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_PARAM,
             "the schema holds a NUL character (\\u0000) in a string at byte 17");
  CHECK(sc == NULL);
  pt_store_close(st);
}

TEST(sparse_indices_are_decimal_integers) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "sp", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'sp','dtype':104}]}"));
  begin(c);
  /* keys as Milvus (strconv.ParseUint) and pymilvus (int()) would both read them, or an error */
  static const char *const bad[] = {"1e3", "0x10", " 1", "1 ", "+7", "01", "1.5", "", "1_000", "\\u0031\\u0032x"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    test_buf b = {NULL, 0, 0};
    test_buf_printf(&b, "[{\"id\":1,\"sp\":{\"%s\":0.5}}]", bad[i]);
    json_write_fails(__LINE__, c, b.p, b.len, PT_TYPE_MISMATCH, "sparse vector index must be an integer in decimal digits: '");
    test_buf_free(&b);
  }
  JSON_WRITE_FAILS(c, "[{\"id\":1,\"sp\":{\"1.5\":0.5}}]", PT_TYPE_MISMATCH,
                   "sparse vector index must be an integer in decimal digits: '1.5'");
  JSON_WRITE_FAILS(c, "[{\"id\":1,\"sp\":{\"4294967295\":0.5}}]", PT_TYPE_MISMATCH,
                   "sparse vector index must be positive and less than 2^32-1: 4294967295");
  JSON_WRITE_FAILS(c, "[{\"id\":1,\"sp\":{\"99999999999999999999\":0.5}}]", PT_TYPE_MISMATCH,
                   "sparse vector index must be positive and less than 2^32-1: 99999999999999999999");
  JSON_WRITE_FAILS(c, "[{\"id\":1,\"sp\":{\"-3\":0.5}}]", PT_TYPE_MISMATCH,
                   "sparse vector index must be positive and less than 2^32-1: -3");
  /* an index given as a JSON number: its value, integral */
  JSON_WRITE_FAILS(c, "[{\"id\":1,\"sp\":{\"indices\":[1.5],\"values\":[0.5]}}]", PT_TYPE_MISMATCH,
                   "sparse vector index must be an integer: 1.5");
  JSON_WRITE_FAILS(c, "[{\"id\":1,\"sp\":[[2.5,0.5]]}]", PT_TYPE_MISMATCH, "sparse vector index must be an integer: 2.5");
  JSON_WRITE_FAILS(c, "[{\"id\":1,\"sp\":[[4294967295,0.5]]}]", PT_TYPE_MISMATCH,
                   "sparse vector index must be positive and less than 2^32-1: 4294967295");
  /* what is taken */
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT,
                                    "[{\"id\":1,\"sp\":{\"0\":0.5,\"4294967294\":1,\"10\":2}},{\"id\":2,\"sp\":{\"indices\":[1e3,7.0],\"values\":[1,2]}}]");
  pt_mutation_result_clear(&r);
  pt_rows *rows = test_query(c, "{\"expr\":\"id in [1, 2]\",\"output_fields\":[\"sp\"]}");
  CHECK_CELL(rows, "sp", 0, "{\"0\":0.5,\"10\":2,\"4294967294\":1}");
  CHECK_CELL(rows, "sp", 1, "{\"7\":2,\"1000\":1}");
  pt_rows_free(rows);
  pt_store_close(st);
}

TEST(cleanup) {
  free(before_state);
  before_state = NULL;
}

TEST_MAIN(T(json_nested_10000_deep_everywhere), T(utf8_lengths_and_invalid_bytes), T(nan_and_infinity),
          T(dims_and_capacities_over_the_limits), T(proto_and_constructor_are_plain_names), T(batches_over_the_size_limit),
          T(filters_nested_10000_deep), T(integer_overflow), T(untranscribable_dynamic_part_is_an_error), T(scalar_columns_of_width_0),
          T(lenient_json_is_refused_everywhere), T(json_values_read_back_in_canonical_form),
          T(nul_is_kept_in_values_and_refused_in_names), T(sparse_indices_are_decimal_integers), T(cleanup))
