/*
 * test_json_out.c — JSON output: number formatting, REST v2 rows and hits, rows of a write
 * (PT_WRITE_ROWS_JSON) and the member scanner.
 *
 * Covers:
 *   - float32 formatting: every value reads back (strtod then float) as the same float, over
 *     random bit patterns of every exponent and a dense sweep around 1; no shorter %.Ng text
 *     reads back (shortest); JavaScript's placement (0.1, 1e-7, 1.5e+25, 100); zero, -0,
 *     non-finite → null. Doubles and int64 extremes.
 *   - pt_rows_to_json for every dtype, nulls, the dynamic field flattened, int64 as strings;
 *     pt_search_to_json's distance member.
 *   - rows of a write: every field as stored (defaults filled in), offsets that cut the text
 *     into rows, auto_id keys left out on insert and given keys on upsert, and a forwarded row
 *     written into a second collection reads back identical.
 *   - pt_json_member: found / absent / repeated / nested / strings with brackets and escapes /
 *     truncated and malformed text.
 */
#include "harness.h"

#include <math.h>
#include <stdlib.h>

#include "text.h"

#include <cJSON.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static bool f32_reads_back(float f, const char *text) {
  return (float)strtod(text, NULL) == f;
}

/* Number of significant digits of a formatted number. */
static int sig_digits(const char *s) {
  int n = 0, lead = 1, trailing = 0;
  for (; *s && *s != 'e'; s++) {
    if (*s < '0' || *s > '9') continue;
    if (lead && *s == '0') continue;
    lead = 0;
    n++;
    trailing = *s == '0' ? trailing + 1 : 0;
  }
  return n - trailing > 0 ? n - trailing : 1;
}

TEST(float32_round_trip_and_shortest) {
  char buf[PT_NUMBER_TEXT + 1];
  long bad = 0, longer = 0;
  for (int i = 0; i < 400000; i++) {
    uint32_t bits = (uint32_t)rng();
    float f;
    memcpy(&f, &bits, 4);
    if (!isfinite(f)) continue;
    size_t n = pt_format_f32(buf, f);
    buf[n] = '\0';
    if (!f32_reads_back(f, buf)) {
      if (bad++ < 5) fprintf(stderr, "  %a -> %s\n", (double)f, buf);
    }
    /* shortest: no %.{k}g with k below ours reads back */
    int k = sig_digits(buf);
    if (k > 1) {
      char alt[40];
      snprintf(alt, sizeof alt, "%.*g", k - 1, (double)f);
      if (f32_reads_back(f, alt) && longer++ < 5) fprintf(stderr, "  %s longer than %s\n", buf, alt);
    }
  }
  /* the 9-digit form reads back too, and is never shorter than the shortest */
  for (int i = 0; i < 400000; i++) {
    uint32_t bits = (uint32_t)rng();
    float f;
    memcpy(&f, &bits, 4);
    if (!isfinite(f)) continue;
    char alt[PT_NUMBER_TEXT + 1];
    size_t n = pt_format_f32_exact(buf, f), m = pt_format_f32(alt, f);
    buf[n] = '\0';
    if (!f32_reads_back(f, buf) || n < m) {
      if (bad++ < 5) fprintf(stderr, "  exact %a -> %s\n", (double)f, buf);
    }
  }
  /* a dense sweep of consecutive floats around 1 and 0.001 */
  for (int base = 0; base < 2; base++) {
    float f = base ? 0.001f : 1.0f;
    for (int i = 0; i < 100000; i++) {
      size_t n = pt_format_f32(buf, f);
      buf[n] = '\0';
      if (!f32_reads_back(f, buf)) bad++;
      n = pt_format_f32_exact(buf, f);
      buf[n] = '\0';
      if (!f32_reads_back(f, buf)) bad++;
      f = nextafterf(f, 2.0f);
    }
  }
  CHECK_EQ_INT(bad, 0);
  CHECK_EQ_INT(longer, 0);
}

static const char *f32(float f) {
  static char buf[PT_NUMBER_TEXT + 1];
  buf[pt_format_f32(buf, f)] = '\0';
  return buf;
}
static const char *f64(double d) {
  static char buf[PT_NUMBER_TEXT + 1];
  buf[pt_format_f64(buf, d)] = '\0';
  return buf;
}
static const char *i64(int64_t v) {
  static char buf[PT_NUMBER_TEXT + 1];
  buf[pt_format_i64(buf, v)] = '\0';
  return buf;
}

TEST(number_placement) {
  CHECK_STR(f32(0.1f), "0.1");
  CHECK_STR(f32(-0.5f), "-0.5");
  CHECK_STR(f32(100.0f), "100");
  CHECK_STR(f32(1e-7f), "1e-7");
  CHECK_STR(f32(1.5e25f), "1.5e+25");
  CHECK_STR(f32(123456.789f), "123456.79");
  CHECK_STR(f32(0.000001f), "0.000001");
  CHECK_STR(f32(3.4028235e38f), "3.4028235e+38");
  CHECK_STR(f32(1e-45f), "1e-45");
  CHECK_STR(f32(0.0f), "0");
  CHECK_STR(f32(-0.0f), "-0");
  CHECK_STR(f32(NAN), "null");
  CHECK_STR(f32(INFINITY), "null");
  CHECK_STR(f32(16777216.0f), "16777216");
  CHECK_STR(f64(0.1), "0.1");
  CHECK_STR(f64(1.0 / 3.0), "0.3333333333333333");
  CHECK_STR(f64(12345678901.0), "12345678901");
  CHECK_STR(f64(1e300), "1e+300");
  CHECK_STR(f64(-2.5e-10), "-2.5e-10");
  CHECK_STR(i64(INT64_MIN), "-9223372036854775808");
  CHECK_STR(i64(INT64_MAX), "9223372036854775807");
  CHECK_STR(i64(0), "0");
  for (int i = 0; i < 20000; i++) {
    uint64_t bits = rng();
    double d;
    memcpy(&d, &bits, 8);
    if (!isfinite(d)) continue;
    if (strtod(f64(d), NULL) != d) {
      CHECK(!"double reads back");
      break;
    }
  }
}

static const char *SCHEMA_ALL =
    "{'fields':["
    "{'name':'id','dtype':5,'is_primary':true},"
    "{'name':'b','dtype':1},{'name':'i8','dtype':2},{'name':'i16','dtype':3},{'name':'i32','dtype':4},"
    "{'name':'big','dtype':5,'nullable':true},{'name':'f','dtype':10},{'name':'d','dtype':11},"
    "{'name':'s','dtype':21,'max_length':64,'default_value':'dflt'},"
    "{'name':'j','dtype':23,'nullable':true},"
    "{'name':'a','dtype':22,'element_type':4,'max_capacity':4},"
    "{'name':'v','dtype':101,'dim':2},{'name':'h','dtype':102,'dim':2},{'name':'bf','dtype':103,'dim':2},"
    "{'name':'i8v','dtype':105,'dim':2}],"
    "'enable_dynamic_field':true}";

static const char *ROW_ALL =
    "{'id':9007199254740993,'b':true,'i8':-8,'i16':300,'i32':-70000,'big':null,'f':0.1,'d':0.25,"
    "'j':{'k':[1,'x\\\\n']},'a':[1,2,3],'v':[0.5,-1.25],'h':[0.5,2],'bf':[1.5,-2],"
    "'i8v':[-128,127],'extra':'dyn','n':7}";

TEST(rows_to_json_every_type) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "all", J(SCHEMA_ALL));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J(ROW_ALL));
  pt_mutation_result_clear(&r);
  pt_rows *rows = test_query(c, J("{'expr':'','limit':10,'output_fields':['*']}"));
  pt_error e;
  char *out = NULL;
  size_t len = 0;
  CHECK_OK(pt_rows_to_json(rows, 0, &out, &len, &e), &e);
  CHECK_STR(out,
            "[{\"id\":9007199254740993,\"b\":true,\"i8\":-8,\"i16\":300,\"i32\":-70000,\"big\":null,\"f\":0.1,"
            "\"d\":0.25,\"s\":\"dflt\",\"j\":{\"k\":[1,\"x\\\\n\"]},\"a\":[1,2,3],\"v\":[0.5,-1.25],\"h\":[0.5,2],"
            "\"bf\":[1.5,-2],\"i8v\":[-128,127],\"extra\":\"dyn\",\"n\":7}]");
  CHECK_EQ_INT(len, strlen(out));
  pt_free(out);
  CHECK_OK(pt_rows_to_json(rows, PT_JSON_INT64_AS_STRING, &out, NULL, &e), &e);
  CHECK(strstr(out, "\"id\":\"9007199254740993\"") != NULL);
  CHECK(strstr(out, "\"i32\":-70000") != NULL);
  pt_free(out);
  pt_rows_free(rows);
  /* count(*) and empty results */
  rows = test_query(c, J("{'expr':'id > 0','output_fields':['count(*)']}"));
  CHECK_OK(pt_rows_to_json(rows, PT_JSON_INT64_AS_STRING, &out, NULL, &e), &e);
  CHECK_STR(out, "[{\"count(*)\":\"1\"}]");
  pt_free(out);
  pt_rows_free(rows);
  /* binary and sparse vectors */
  pt_collection *c2 = test_collection(st, "bs", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                                  "{'name':'bin','dtype':100,'dim':16},{'name':'sp','dtype':104}]}"));
  r = test_write(c2, NULL, PT_OP_INSERT, J("{'id':1,'bin':[255,1],'sp':{'3':0.5,'1':1}}"));
  pt_mutation_result_clear(&r);
  rows = test_query(c2, J("{'expr':'','limit':10,'output_fields':['*']}"));
  CHECK_OK(pt_rows_to_json(rows, 0, &out, NULL, &e), &e);
  CHECK_STR(out, "[{\"id\":1,\"bin\":[255,1],\"sp\":{\"1\":1,\"3\":0.5}}]");
  pt_free(out);
  pt_rows_free(rows);
  rows = test_query(c, J("{'expr':'id < 0'}"));
  CHECK_OK(pt_rows_to_json(rows, 0, &out, NULL, &e), &e);
  CHECK_STR(out, "[]");
  pt_free(out);
  pt_rows_free(rows);
  pt_store_close(st);
}

TEST(search_to_json_hits) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "s", J("{'fields':[{'name':'pk','dtype':21,'is_primary':true,'max_length':8},"
                                                "{'name':'v','dtype':101,'dim':2},{'name':'t','dtype':5}]}"));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[{'pk':'a','v':[0,0],'t':1},{'pk':'b','v':[1,0],'t':2}]"));
  pt_mutation_result_clear(&r);
  const char *req = "{\"metric_type\":\"L2\",\"limit\":2,\"nq\":1,\"output_fields\":[\"t\"]}";
  float qv[2] = {0.9f, 0};
  pt_search_result *sr = NULL;
  pt_error e;
  CHECK_OK(pt_collection_search(c, req, strlen(req), qv, sizeof qv, &sr, &e), &e);
  char *out = NULL;
  CHECK_OK(pt_search_to_json(sr, PT_JSON_INT64_AS_STRING, &out, NULL, &e), &e);
  CHECK_STR(out, "[{\"pk\":\"b\",\"t\":\"2\",\"distance\":0.010000004},{\"pk\":\"a\",\"t\":\"1\",\"distance\":0.80999994}]");
  pt_free(out);
  pt_search_free(sr);
  pt_store_close(st);
}

/* Row i of a write's rows_json. */
static char *row_text(const pt_mutation_result *r, size_t i) {
  size_t a = r->rows_json_offsets[i], b = r->rows_json_offsets[i + 1] - 1;
  char *s = malloc(b - a + 1);
  memcpy(s, r->rows_json + a, b - a);
  s[b - a] = '\0';
  return s;
}

static pt_mutation_result write_rows_json(pt_collection *c, pt_op op, const char *json) {
  pt_mutation_result r;
  pt_error e;
  memset(&r, 0, sizeof r);
  CHECK_OK(pt_collection_write_json(c, NULL, 0, op, json, strlen(json), PT_WRITE_ROWS_JSON, &r, &e), &e);
  return r;
}

TEST(rows_of_a_write) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "all", J(SCHEMA_ALL));
  /* two rows; the second leaves out the nullable and default fields */
  const char *rows =
      J("[{'id':1,'b':false,'i8':1,'i16':2,'i32':3,'big':4,'f':1.5,'d':2.5,'s':'x','j':null,'a':[],"
        "'v':[1,2],'h':[1,2],'bf':[1,2],'i8v':[0,0]},"
        "{'id':2,'b':true,'i8':1,'i16':2,'i32':3,'f':0.1,'d':2.5,'a':[7],"
        "'v':[0.3,0.7],'h':[0.1,2],'bf':[0.1,2],'i8v':[1,2],'dyn':[1]}]");
  pt_mutation_result r = write_rows_json(c, PT_OP_UPSERT, rows);
  CHECK(r.rows_json != NULL);
  if (!r.rows_json) return;
  CHECK_EQ_INT(r.rows_json_offsets[0], 0);
  CHECK_EQ_INT(r.rows_json_offsets[2], strlen(r.rows_json) + 1);
  char *r0 = row_text(&r, 0), *r1 = row_text(&r, 1);
  CHECK_STR(r0, "{\"id\":1,\"b\":false,\"i8\":1,\"i16\":2,\"i32\":3,\"big\":4,\"f\":1.5,\"d\":2.5,\"s\":\"x\",\"j\":null,"
                "\"a\":[],\"v\":[1,2],\"h\":[1,2],\"bf\":[1,2],\"i8v\":[0,0]}");
  /* defaults filled in, halves as the numbers they hold, floats as stored */
  CHECK_STR(r1, "{\"id\":2,\"b\":true,\"i8\":1,\"i16\":2,\"i32\":3,\"big\":null,\"f\":0.100000001,\"d\":2.5,\"s\":\"dflt\","
                "\"j\":null,\"a\":[7],\"v\":[0.300000012,0.699999988],\"h\":[0.0999755859,2],\"bf\":[0.100097656,2],"
                "\"i8v\":[1,2],\"dyn\":[1]}");
  /* forwarded into a twin collection, the rows read back identical */
  pt_collection *twin = test_collection(st, "twin", J(SCHEMA_ALL));
  test_buf body = {0};
  test_buf_printf(&body, "[%s]", r.rows_json);
  pt_mutation_result r2 = test_write(twin, NULL, PT_OP_UPSERT, body.p);
  pt_mutation_result_clear(&r2);
  char *a = test_snapshot(c), *b = test_snapshot(twin);
  CHECK_STR(a, b);
  free(a);
  free(b);
  test_buf_free(&body);
  free(r0);
  free(r1);
  pt_mutation_result_clear(&r);
  CHECK(r.rows_json == NULL && r.rows_json_offsets == NULL);
  pt_store_close(st);
}

TEST(rows_of_a_write_auto_id) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "a", J("{'auto_id':true,'fields':[{'name':'id','dtype':5,'is_primary':true,"
                                                "'auto_id':true},{'name':'n','dtype':5},{'name':'v','dtype':101,'dim':2}]}"));
  pt_mutation_result r = write_rows_json(c, PT_OP_INSERT, J("[{'n':1,'v':[1,1]},{'n':2,'v':[2,2]}]"));
  CHECK_STR(r.rows_json ? r.rows_json : "", "{\"n\":1,\"v\":[1,1]},{\"n\":2,\"v\":[2,2]}");
  pt_mutation_result_clear(&r);
  /* upsert: the key the caller gave (the one a server deletes), not the new local one */
  r = write_rows_json(c, PT_OP_UPSERT, J("[{'id':12345,'n':3,'v':[3,3]}]"));
  CHECK_STR(r.rows_json ? r.rows_json : "", "{\"id\":12345,\"n\":3,\"v\":[3,3]}");
  CHECK(r.n_keys == 1 && r.int_keys[0] != 12345);
  pt_mutation_result_clear(&r);
  /* without the flag: nothing */
  pt_error e;
  const char *one = "{\"n\":4,\"v\":[4,4]}";
  CHECK_OK(pt_collection_write_json(c, NULL, 0, PT_OP_INSERT, one, strlen(one), 0, &r, &e), &e);
  CHECK(r.rows_json == NULL);
  pt_mutation_result_clear(&r);
  pt_store_close(st);
}

TEST(partition_key_rows_in_batch_order) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(
      st, "pk", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'k','dtype':5,'is_partition_key':true},"
                 "{'name':'v','dtype':101,'dim':2}]}"));
  test_buf rows = {0};
  test_buf_printf(&rows, "[");
  for (int i = 0; i < 50; i++) test_buf_printf(&rows, "%s{\"id\":%d,\"k\":%d,\"v\":[0,0]}", i ? "," : "", i, i * 7);
  test_buf_printf(&rows, "]");
  pt_mutation_result r = write_rows_json(c, PT_OP_INSERT, rows.p);
  for (int i = 0; i < 50 && r.rows_json; i++) {
    char *t = row_text(&r, (size_t)i);
    char want[64];
    snprintf(want, sizeof want, "{\"id\":%d,\"k\":%d,\"v\":[0,0]}", i, i * 7);
    CHECK_STR(t, want);
    free(t);
  }
  pt_mutation_result_clear(&r);
  test_buf_free(&rows);
  pt_store_close(st);
}

static int member(const char *json, const char *key, char *value) {
  size_t start = 0, n = 0;
  int rc = pt_json_member(json, strlen(json), key, strlen(key), &start, &n);
  if (rc == 1) {
    memcpy(value, json + start, n);
    value[n] = '\0';
  }
  return rc;
}

TEST(json_member_scanner) {
  char v[8192]; /* the deep cases below are 3.6 KB */
  CHECK_EQ_INT(member(J("{'collectionName':'c','data':[{'a':'}]'},{'b':[1,{'c':2}]}],'x':1}"), "data", v), 1);
  CHECK_STR(v, J("[{'a':'}]'},{'b':[1,{'c':2}]}]"));
  CHECK_EQ_INT(member(J(" \n{ 'data' : 12 , 'z' : true } "), "data", v), 1);
  CHECK_STR(v, "12");
  CHECK_EQ_INT(member(J("{'data':'a\\'b'}"), "data", v), 1); /* "a\"b" */
  CHECK_STR(v, J("'a\\'b'"));
  CHECK_EQ_INT(member(J("{'data':1,'data':{'k':2}}"), "data", v), 1);
  CHECK_STR(v, J("{'k':2}"));
  CHECK_EQ_INT(member(J("{'datum':1,'nested':{'data':2}}"), "data", v), 0);
  CHECK_EQ_INT(member("{}", "data", v), 0);
  CHECK_EQ_INT(member("[1,2]", "data", v), -1);
  CHECK_EQ_INT(member(J("{'data':[1,2}"), "data", v), -1);
  CHECK_EQ_INT(member(J("{'data':[1,2]"), "data", v), -1);
  CHECK_EQ_INT(member(J("{'data':'open"), "data", v), -1);
  CHECK_EQ_INT(member(J("{'data' 1}"), "data", v), -1);
  CHECK_EQ_INT(member(J("{'data':}"), "data", v), -1);
  CHECK_EQ_INT(member(J("{'a':1,}"), "data", v), -1);
  CHECK_EQ_INT(member("", "data", v), -1);
  /* nesting as deep as cJSON takes (and the request around it) is walked; deeper is refused,
   * not overflowed; the closing brackets must match level by level across the words of the stack */
  for (int depth = PT_JSON_MEMBER_DEPTH - 1; depth <= PT_JSON_MEMBER_DEPTH + 1; depth++) {
    test_buf deep = {0};
    test_buf_printf(&deep, "{\"data\":");
    for (int i = 0; i < depth; i++) test_buf_put(&deep, i % 3 ? "[" : "{\"k\":", i % 3 ? 1 : 5);
    for (int i = depth - 1; i >= 0; i--) test_buf_put(&deep, i % 3 ? "]" : "}", 1);
    test_buf_put(&deep, "}", 1);
    CHECK_EQ_INT(member(deep.p, "data", v), depth <= PT_JSON_MEMBER_DEPTH ? 1 : -1);
    if (depth == PT_JSON_MEMBER_DEPTH) {
      deep.p[deep.len - 1 - 70] = deep.p[deep.len - 1 - 70] == ']' ? '}' : ']'; /* one mismatch, 70 levels up */
      CHECK_EQ_INT(member(deep.p, "data", v), -1);
    }
    test_buf_free(&deep);
  }
}

/* pt_strtod agrees with strtod: value and end, on every kind of text. */
TEST(strtod_agrees) {
  static const char *cases[] = {"0", "-0", "1", "-1", "0.1", "0.001", "123.456e2", "1e22", "1e23", "1e-22", "1e-23",
                                "9007199254740993", "9007199254740992", "12345678901234567890", "1234567890123456789",
                                "0.30000000000000004", "4.9e-324", "1.7976931348623157e308", "1e400", "1e-400",
                                "1e", "1e+", "1.", ".5", "-.5e1", "+3", "-", "", "abc", " 1", "0x1p3", "inf", "nan",
                                "00012", "0.000000000000000000000000001", "123456789012345678.5", "1.5e+05,", "7]"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *e1 = NULL, *e2 = NULL;
    double a = pt_strtod(cases[i], &e1), b = strtod(cases[i], &e2);
    if (!((a == b && signbit(a) == signbit(b)) || (isnan(a) && isnan(b))) || e1 != e2) {
      fprintf(stderr, "  %s: %.17g (end %d) vs strtod %.17g (end %d)\n", cases[i], a, (int)(e1 - cases[i]), b,
              (int)(e2 - cases[i]));
      CHECK(!"pt_strtod == strtod");
    }
  }
  /* random decimals of every length and exponent */
  char buf[64];
  long bad = 0;
  for (int i = 0; i < 300000; i++) {
    uint64_t r = rng();
    /* up to 20 digits: 17 to 19 go through the exact correction, 20 to libc */
    int len = snprintf(buf, sizeof buf, "%s%llu", (r & 1) ? "-" : "", (unsigned long long)(rng() >> (r % 64)));
    int point = (int)((r >> 8) % (uint64_t)(len + 1));
    if (point > 1 && point < len) {
      memmove(buf + point + 1, buf + point, (size_t)(len - point + 1));
      buf[point] = '.';
      len++;
    }
    if ((r >> 16) & 1) snprintf(buf + len, sizeof buf - (size_t)len, "e%d", (int)((r >> 20) % 80) - 40);
    char *e1, *e2;
    double a = pt_strtod(buf, &e1), b = strtod(buf, &e2);
    if (a != b || e1 != e2) {
      if (bad++ < 5) fprintf(stderr, "  %s: %.17g vs %.17g\n", buf, a, b);
    }
  }
  CHECK_EQ_INT(bad, 0);
  /* what JS clients send: doubles in 17 significant digits, and float32 values widened */
  bad = 0;
  for (int i = 0; i < 300000; i++) {
    uint64_t bits = rng();
    double d;
    memcpy(&d, &bits, 8);
    if (!isfinite(d)) continue;
    if (i & 1) d = (float)ldexp((double)(rng() >> 11) / 9007199254740992.0, (int)(rng() % 40) - 20);
    snprintf(buf, sizeof buf, "%.17g", d);
    char *e1, *e2;
    double a = pt_strtod(buf, &e1), b = strtod(buf, &e2);
    if (a != b || e1 != e2 || b != d) {
      if (bad++ < 5) fprintf(stderr, "  %s: %.17g vs %.17g\n", buf, a, b);
    }
  }
  CHECK_EQ_INT(bad, 0);
}

/* cJSON prints numbers through pt_cjson_sprintf (src/cjson_numbers.h): the shortest text that
 * reads back, within its 26-byte buffer, for every kind of double. */
TEST(cjson_prints_numbers_shortest) {
  static const struct {
    double v;
    const char *want;
  } cases[] = {{0.1, "0.1"}, {1.5, "1.5"}, {100, "100"}, {-7, "-7"}, {1e21, "1e+21"}, {1e300, "1e+300"},
               {-1.2345678901234567e-7, "-1.2345678901234566e-7"}, {-0.0000012345678901234567, "-0.0000012345678901234567"},
               {123456789012345678901.0, "123456789012345680000"}, {5e-324, "4.94065645841247e-324"} /* subnormals: the shortest of %.15g-%.17g */, {NAN, "null"}, {INFINITY, "null"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cJSON *n = cJSON_CreateNumber(cases[i].v);
    char *text = cJSON_PrintUnformatted(n);
    CHECK(text != NULL);
    if (text) {
      CHECK_STR(text, cases[i].want);
      if (isfinite(cases[i].v)) CHECK(strtod(text, NULL) == cases[i].v);
    }
    cJSON_free(text);
    cJSON_Delete(n);
  }
  /* other formats still reach libc: control characters are escaped as \u00XX */
  cJSON *s = cJSON_CreateString("a\x01" "b");
  char *text = cJSON_PrintUnformatted(s);
  CHECK_STR(text, "\"a\\u0001b\"");
  cJSON_free(text);
  cJSON_Delete(s);
}

TEST_MAIN(T(strtod_agrees), T(float32_round_trip_and_shortest), T(number_placement), T(rows_to_json_every_type), T(search_to_json_hits),
          T(rows_of_a_write), T(rows_of_a_write_auto_id), T(partition_key_rows_in_batch_order), T(json_member_scanner),
          T(cjson_prints_numbers_shortest))
