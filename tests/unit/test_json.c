/*
 * test_json.c — the JSON validator and the canonical form (src/json.c, issue 13): what
 * RFC 8259 takes is taken, anything else is refused with the fault and its byte, and the
 * canonical form of what is taken is the same JSON value, written once and for all.
 *
 * Covers:
 *   - values JSON takes, at the edges: numbers (-0, exponents, the largest and smallest doubles,
 *     underflow, 400 digits), every escape, surrogate pairs, U+2028, 1000 levels of nesting,
 *     scalars at the top, white space of the four kinds.
 *   - what cJSON, strtod or other parsers take but JSON does not, each with its fault and byte:
 *     leading zeros, a missing digit, '+', hex, NaN / Infinity, raw control characters, other
 *     white space bytes, a byte order mark, bad escapes, lone surrogates, bytes that are not
 *     UTF-8 (overlong, surrogates, beyond U+10FFFF, cut short), trailing commas and text,
 *     single quotes, comments, 1001 levels, numbers beyond a double.
 *   - NUL: kept in string values, refused in keys, refused everywhere with
 *     PT_JSON_VALIDATE_NO_NUL.
 *   - the canonical form: expected rewrites, its length as predicted, already-canonical text
 *     recognised, canonical(canonical(x)) == canonical(x), and pt_json_unescape.
 */
#include "harness.h"

#include <stdlib.h>

#include "json.h"

static bool takes(const char *s, size_t n, unsigned flags) {
  pt_json_checked c;
  return pt_json_check(s, n, flags, &c);
}

/* `text` is refused with `fault` at byte `at`. */
static void refused(int line, const char *text, size_t n, unsigned flags, pt_json_fault fault, size_t at) {
  pt_json_checked c;
  if (pt_json_check(text, n, flags, &c) || c.fault != fault || c.at != at) {
    char why[160];
    fprintf(stderr, "  FAIL %s:%d: %.60s: fault %d at %zu (%s), expected %d at %zu\n", __FILE__, line, text, (int)c.fault,
            c.at, pt_json_describe(&c, why, sizeof why), (int)fault, at);
    pt_test_failures++;
  }
}
#define REFUSED(text, fault, at) refused(__LINE__, text, sizeof text - 1, PT_JSON_NUL_OK, fault, at)

/* `text` is taken, and its canonical form is `canon`. */
static void canonical(int line, const char *text, size_t n, const char *canon, size_t cn) {
  pt_json_checked c;
  if (!pt_json_check(text, n, PT_JSON_NUL_OK, &c)) {
    char why[160];
    fprintf(stderr, "  FAIL %s:%d: %.60s refused: %s\n", __FILE__, line, text, pt_json_describe(&c, why, sizeof why));
    pt_test_failures++;
    return;
  }
  char *out = malloc(n + 1);
  size_t k = pt_json_canonical(text, n, out);
  if (k != cn || memcmp(out, canon, cn) != 0 || c.canonical_len != k || c.canonical != (k == n && memcmp(text, out, n) == 0)) {
    fprintf(stderr, "  FAIL %s:%d: %.60s -> %.*s (%zu bytes, predicted %zu, canonical flag %d)\n", __FILE__, line, text,
            (int)k, out, k, c.canonical_len, (int)c.canonical);
    pt_test_failures++;
  }
  /* the canonical form is canonical */
  pt_json_checked again;
  CHECK(pt_json_check(out, k, PT_JSON_NUL_OK, &again) && again.canonical && again.canonical_len == k);
  free(out);
}
#define CANONICAL(text, canon) canonical(__LINE__, text, sizeof text - 1, canon, sizeof canon - 1)
#define TAKEN(text) canonical(__LINE__, text, sizeof text - 1, text, sizeof text - 1)

TEST(what_json_takes) {
  TAKEN("0");
  TAKEN("-0");
  TAKEN("[0,-0,0.0,-0.0,1e0,1E+2,1e-2,-1.5e-300,123456789012345678901234567890]");
  TAKEN("[1.7976931348623157e308,-1.7976931348623157e308,4.9e-324,1e-400,0.000001e-330,1e308]");
  TAKEN("\"\"");
  TAKEN("\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\"");
  TAKEN("\"\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80\x7f\"");
  TAKEN("{}");
  TAKEN("[]");
  TAKEN("[[],{},[{}]]");
  TAKEN("{\"a\":{\"b\":[true,false,null]},\"\":1}");
  TAKEN("{\"a\":1,\"a\":2}"); /* repeated keys: JSON says SHOULD be unique, Go and JSON.parse take them */
  TAKEN("true");
  TAKEN("null");
  CANONICAL(" \t\r\n[ 1 ,\t2\n]\r\n ", "[1,2]");
  /* 400 digits: a double's range, not its precision, limits a number */
  test_buf b = {NULL, 0, 0};
  for (int i = 0; i < 400; i++) test_buf_put(&b, i ? "7" : "1", 1);
  test_buf_put(&b, "e-100", 5);
  CHECK(takes(b.p, b.len, 0));
  test_buf_free(&b);
  /* 1000 levels: taken; 1001: refused */
  for (int i = 0; i < 1000; i++) test_buf_put(&b, i % 2 ? "{\"k\":" : "[", i % 2 ? 5 : 1);
  test_buf_put(&b, "1", 1);
  for (int i = 999; i >= 0; i--) test_buf_put(&b, i % 2 ? "}" : "]", 1);
  CHECK(takes(b.p, b.len, 0));
  test_buf_free(&b);
  for (int i = 0; i < 1001; i++) test_buf_put(&b, "[", 1);
  for (int i = 0; i < 1001; i++) test_buf_put(&b, "]", 1);
  refused(__LINE__, b.p, b.len, 0, PT_JF_DEPTH, 1000);
  test_buf_free(&b);
}

TEST(what_json_refuses) {
  REFUSED("", PT_JF_END, 0);
  REFUSED("   ", PT_JF_END, 3);
  REFUSED("[1,2", PT_JF_END, 4);
  REFUSED("\"abc", PT_JF_END, 4);
  REFUSED("tru", PT_JF_END, 3);
  REFUSED("{\"a\":02}", PT_JF_LEADING_ZERO, 5);
  REFUSED("-01", PT_JF_LEADING_ZERO, 0);
  REFUSED("00", PT_JF_LEADING_ZERO, 0);
  REFUSED("{\"a\":1.}", PT_JF_DIGIT, 7);
  REFUSED("1.", PT_JF_DIGIT, 2);
  REFUSED("1e", PT_JF_DIGIT, 2);
  REFUSED("1e+", PT_JF_DIGIT, 3);
  REFUSED("-", PT_JF_DIGIT, 1);
  REFUSED("-a", PT_JF_DIGIT, 1);
  REFUSED(".5", PT_JF_CHAR, 0);
  REFUSED("+1", PT_JF_CHAR, 0);
  REFUSED("0x10", PT_JF_AFTER, 1);
  REFUSED("[0x10]", PT_JF_CHAR, 2);
  REFUSED("NaN", PT_JF_CHAR, 0);
  REFUSED("[Infinity]", PT_JF_CHAR, 1);
  REFUSED("[-Infinity]", PT_JF_DIGIT, 2);
  REFUSED("1e400", PT_JF_RANGE, 0);
  REFUSED("[-1.8e308]", PT_JF_RANGE, 1);
  REFUSED("0.000018e313", PT_JF_RANGE, 0);
  REFUSED("1e99999999999999999999", PT_JF_RANGE, 0);
  REFUSED("\"\x01\"", PT_JF_CONTROL, 1);
  REFUSED("\"a\tb\"", PT_JF_CONTROL, 2);
  REFUSED("{\"a\nb\":1}", PT_JF_CONTROL, 3);
  REFUSED("\x01{}", PT_JF_CHAR, 0);
  REFUSED("{}\x0b", PT_JF_AFTER, 2);
  REFUSED("[\x0c" "1]", PT_JF_CHAR, 1);
  REFUSED("[1\x1f]", PT_JF_CHAR, 2);
  REFUSED("\xEF\xBB\xBF{}", PT_JF_CHAR, 0);
  REFUSED("[1,]", PT_JF_CHAR, 3);
  REFUSED("{\"a\":1,}", PT_JF_CHAR, 7);
  REFUSED("[1 2]", PT_JF_CHAR, 3);
  REFUSED("{\"a\" 1}", PT_JF_CHAR, 5);
  REFUSED("{'a':1}", PT_JF_CHAR, 1);
  REFUSED("{a:1}", PT_JF_CHAR, 1);
  REFUSED("[1]/**/", PT_JF_AFTER, 3);
  REFUSED("{}{}", PT_JF_AFTER, 2);
  REFUSED("[}", PT_JF_CHAR, 1);
  REFUSED("{]", PT_JF_CHAR, 1);
  REFUSED("\"\\x41\"", PT_JF_ESCAPE, 1);
  REFUSED("\"\\u12\"", PT_JF_ESCAPE, 1);
  REFUSED("\"\\u12", PT_JF_END, 1);
  REFUSED("\"\\U0041\"", PT_JF_ESCAPE, 1);
  REFUSED("\"\\ud800\"", PT_JF_SURROGATE, 1);
  REFUSED("\"\\udfff\"", PT_JF_SURROGATE, 1);
  REFUSED("\"\\ud800\\u0041\"", PT_JF_SURROGATE, 1);
  REFUSED("\"\\ud800\\ud800\"", PT_JF_SURROGATE, 1);
  REFUSED("\"\\ud800x\"", PT_JF_SURROGATE, 1);
  REFUSED("\"\xff\"", PT_JF_UTF8, 1);
  REFUSED("\"\xc0\xaf\"", PT_JF_UTF8, 1);         /* overlong '/' */
  REFUSED("\"\xed\xa0\x80\"", PT_JF_UTF8, 1);     /* an encoded surrogate */
  REFUSED("\"\xf4\x90\x80\x80\"", PT_JF_UTF8, 1); /* beyond U+10FFFF */
  REFUSED("\"\xe2\x82\"", PT_JF_UTF8, 1);         /* cut short */
  REFUSED("[\xc3\xa9]", PT_JF_CHAR, 1);           /* UTF-8 outside a string */
  /* PT_JSON_BYTES leaves string bytes to the caller, not the grammar */
  CHECK(takes("\"\xff\"", 3, PT_JSON_BYTES));
  CHECK(!takes("[\xff]", 3, PT_JSON_BYTES));
  /* messages */
  pt_json_checked c;
  char why[160];
  CHECK(!pt_json_check("{\"a\":02}", 8, 0, &c));
  CHECK_STR(pt_json_describe(&c, why, sizeof why), "a number with a leading zero at byte 5");
  CHECK(!pt_json_check("\"\x01\"", 3, 0, &c));
  CHECK_STR(pt_json_describe(&c, why, sizeof why), "a control character (U+0001) in a string that is not escaped at byte 1");
  CHECK(!pt_json_check("\"\\udc01\"", 8, 0, &c));
  CHECK_STR(pt_json_describe(&c, why, sizeof why), "a lone surrogate (\\udc01) in a string, which is not Unicode text at byte 1");
}

TEST(nul_in_values_and_keys) {
  const char *value = "{\"a\":\"x\\u0000y\"}", *key = "{\"a\\u0000\":1}";
  CHECK(takes(value, strlen(value), PT_JSON_NUL_OK));
  refused(__LINE__, value, strlen(value), 0, PT_JF_NUL, 7);
  refused(__LINE__, key, strlen(key), PT_JSON_NUL_OK, PT_JF_NUL, 3);
  /* a raw NUL byte is a control character */
  refused(__LINE__, "\"a\0b\"", 5, PT_JSON_NUL_OK, PT_JF_CONTROL, 2);
  /* the public check */
  pt_error e;
  CHECK_OK(pt_json_validate(value, strlen(value), 0, &e), &e);
  CHECK_ERR(pt_json_validate(value, strlen(value), PT_JSON_VALIDATE_NO_NUL, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_MILVUS,
            "a NUL character (\\u0000) in a string at byte 7");
  CHECK_ERR(pt_json_validate(key, strlen(key), 0, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_MILVUS,
            "a NUL character (\\u0000) in an object key at byte 3");
  CHECK_ERR(pt_json_validate("[01]", 4, 0, &e), &e, PT_PARSE, PT_CODE_CLIENT, PT_EXC_MILVUS,
            "invalid JSON: a number with a leading zero at byte 1");
  char out[16];
  const char *s = "x\\u0000y\\ud83d\\ude00\\/";
  size_t n = pt_json_unescape(s, strlen(s), out);
  CHECK(n == 8 && memcmp(out, "x\0y\xf0\x9f\x98\x80/", 8) == 0);
  CHECK_EQ_INT(pt_json_unescape(s, strlen(s), NULL), 8);
}

TEST(canonical_form) {
  /* strings as JSON.stringify writes them: escapes by name, other controls as \u00xx (lower
   * case), everything else as UTF-8 */
  CANONICAL("\"\\u0041\\/\\u00e9\\u2028\\ud83d\\uDE00\"", "\"A/\xc3\xa9\xe2\x80\xa8\xf0\x9f\x98\x80\"");
  CANONICAL("\"\\u000a\\u0009\\u0008\\u000C\\u000d\\u0022\\u005C\"", "\"\\n\\t\\b\\f\\r\\\"\\\\\"");
  CANONICAL("\"\\u001F\\u0000\\u007f\"", "\"\\u001f\\u0000\x7f\"");
  TAKEN("\"\\u001f\\u0000\\\"\\\\\\n\"");
  /* numbers and literals as written; no white space between tokens */
  CANONICAL("{ \"a\" : [ 1.50 , -0 , 1E5 , true , null ] , \"b\" : { } }", "{\"a\":[1.50,-0,1E5,true,null],\"b\":{}}");
  /* keys are strings too */
  CANONICAL("{\"\\u006b\":1}", "{\"k\":1}");
  /* white space inside strings stays */
  TAKEN("[\" a \"]");
}

TEST_MAIN(T(what_json_takes), T(what_json_refuses), T(nul_in_values_and_keys), T(canonical_form))
