/*
 * test_expr.c — the filter-expression language, case by case, against expected row sets.
 *
 * One collection holds eight rows with every kind of field a filter reads (INT8..INT64,
 * FLOAT, DOUBLE, BOOL, nullable INT32 / VARCHAR / JSON, ARRAY of INT64 and of VARCHAR,
 * dynamic keys); each case is an expression and the ids it must select, or the error it must
 * give. Covers:
 *   - comparisons, ranges and reverse ranges, in / not in, integer literal forms, constant
 *     folding, out-of-range literals on narrow integer fields, float vs int literals;
 *   - arithmetic `field op const CMP const` on integer, float and JSON values;
 *   - like: equal, prefix, postfix, inner, full patterns, escapes, UTF-8;
 *   - and / or / not, && || !, and three-valued logic with NULLs;
 *   - is null / is not null, exists, JSON paths (objects, arrays, nested, missing keys, NULL
 *     JSON), dynamic keys as bare names and via $meta;
 *   - json_contains / array_contains (+ _all, _any), array_length, array elements and equality;
 *   - two-field comparisons;
 *   - every error the parser reports (Milvus's messages), their span, and the nesting limit;
 *   - query, delete and count(*) agree on the same filters;
 *   - random and / or / not trees against the test's own row-by-row evaluation, over segments
 *     with and without deleted rows, NULLs, strings whose 8-byte keys collide, short and long
 *     lists, and arenas compacted to the byte.
 */
#include "harness.h"

#include <stdlib.h>

#include "store.h"

static pt_collection *dataset(pt_store *st) {
  pt_collection *c = test_collection(st, "e",
      "{\"enable_dynamic_field\":true,\"fields\":["
      "{\"name\":\"id\",\"dtype\":5,\"is_primary\":true},"
      "{\"name\":\"v\",\"dtype\":101,\"dim\":2},"
      "{\"name\":\"i8\",\"dtype\":2},{\"name\":\"i16\",\"dtype\":3},"
      "{\"name\":\"i32\",\"dtype\":4,\"nullable\":true},{\"name\":\"i64\",\"dtype\":5},"
      "{\"name\":\"f\",\"dtype\":10},{\"name\":\"d\",\"dtype\":11},{\"name\":\"b\",\"dtype\":1},"
      "{\"name\":\"s\",\"dtype\":21,\"max_length\":32,\"nullable\":true},"
      "{\"name\":\"j\",\"dtype\":23,\"nullable\":true},"
      "{\"name\":\"ai\",\"dtype\":22,\"element_type\":5,\"max_capacity\":8},"
      "{\"name\":\"as\",\"dtype\":22,\"element_type\":21,\"max_capacity\":8,\"max_length\":8}]}");
  const char *rows =
      "["
      "{\"id\":1,\"v\":[0,0],\"i8\":1,\"i16\":100,\"i32\":10,\"i64\":1000,\"f\":0.5,\"d\":1.5,\"b\":true,\"s\":\"apple\","
      " \"j\":{\"a\":1,\"b\":\"x\",\"arr\":[1,2,3],\"n\":{\"k\":5}},\"ai\":[1,2,3],\"as\":[\"a\",\"b\"],\"color\":\"red\",\"size\":1},"
      "{\"id\":2,\"v\":[0,0],\"i8\":2,\"i16\":200,\"i32\":20,\"i64\":2000,\"f\":1.5,\"d\":2.5,\"b\":false,\"s\":\"banana\","
      " \"j\":{\"a\":2,\"b\":\"y\",\"arr\":[4]},\"ai\":[4],\"as\":[\"c\"],\"color\":\"blue\",\"size\":2},"
      "{\"id\":3,\"v\":[0,0],\"i8\":3,\"i16\":300,\"i32\":null,\"i64\":3000,\"f\":2.5,\"d\":3.5,\"b\":true,\"s\":\"cherry\","
      " \"j\":{\"a\":3.5,\"arr\":[]},\"ai\":[],\"as\":[],\"color\":\"red\"},"
      "{\"id\":4,\"v\":[0,0],\"i8\":-1,\"i16\":-100,\"i32\":40,\"i64\":-4000,\"f\":-0.5,\"d\":-1.5,\"b\":false,\"s\":null,"
      " \"j\":null,\"ai\":[5,6],\"as\":[\"d\",\"e\"]},"
      "{\"id\":5,\"v\":[0,0],\"i8\":127,\"i16\":32767,\"i32\":50,\"i64\":9000000000,\"f\":100.0,\"d\":1e10,\"b\":true,\"s\":\"a%b_c\","
      " \"j\":{\"a\":\"1\"},\"ai\":[1],\"as\":[\"apple\"],\"size\":5,\"tags\":[\"x\",\"y\"]},"
      "{\"id\":6,\"v\":[0,0],\"i8\":-128,\"i16\":0,\"i32\":0,\"i64\":0,\"f\":0.0,\"d\":0.0,\"b\":false,\"s\":\"\","
      " \"j\":{\"b\":\"x\"},\"ai\":[2,2],\"as\":[\"\"],\"color\":\"green\",\"size\":1.5},"
      "{\"id\":7,\"v\":[0,0],\"i8\":0,\"i16\":7,\"i32\":7,\"i64\":7,\"f\":7.0,\"d\":7.0,\"b\":true,\"s\":\"\\u65e5\\u672c\\u8a9e\","
      " \"j\":[1,2],\"ai\":[7],\"as\":[\"\\u65e5\\u672c\"],\"nested\":{\"k\":[1,{\"z\":1}]}},"
      "{\"id\":8,\"v\":[0,0],\"i8\":8,\"i16\":8,\"i32\":null,\"i64\":8,\"f\":8.0,\"d\":8.0,\"b\":true,\"s\":\"Apple\","
      " \"j\":{\"a\":null},\"ai\":[8,9],\"as\":[\"x\"],\"color\":null}"
      "]";
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, rows);
  pt_mutation_result_clear(&r);
  return c;
}

#define run test_filter_ids

TEST(comparisons_and_ranges) {
  pt_store *st = test_store();
  pt_collection *c = dataset(st);
  static const test_filter_case cases[] = {
      {"i8 > 2", "3,5,8"},
      {"i8 >= 2", "2,3,5,8"},
      {"2 < i8", "3,5,8"},
      {"i8 == 300", ""},            /* beyond INT8: never equal */
      {"i8 != 300", "1,2,3,4,5,6,7,8"},
      {"i8 < 300", "1,2,3,4,5,6,7,8"},
      {"i8 > -200", "1,2,3,4,5,6,7,8"},
      {"1 < i8 < 5", "2,3"},
      {"1 <= i8 <= 3", "1,2,3"},
      {"5 > i8 > 1", "2,3"},
      {"5 >= i8 >= 3", "3"},
      {"i16 in [100, 300]", "1,3"},
      {"i16 not in [100, 300]", "2,4,5,6,7,8"},
      {"i16 in []", ""},
      {"i16 not in []", "1,2,3,4,5,6,7,8"},
      {"i16 == 0x64", "1"},
      {"i16 == 0144", "1"},          /* octal */
      {"i16 == 0b1100100", "1"},
      {"i64 > 5000000000", "5"},
      {"i64 == -4000", "4"},
      {"i64 == -(-7)", "7"},
      {"f > 1.0", "2,3,5,7,8"},
      {"f == 0.5", "1"},
      {"f == 7", "7"},               /* an integer literal on a FLOAT field */
      {"d in [1.5, 3.5]", "1,3"},
      {"d > 1e9", "5"},
      {"b == true", "1,3,5,7,8"},
      {"b != true", "2,4,6"},
      {"b == False", "2,4,6"},
      {"s == 'apple'", "1"},
      {"s == \"apple\"", "1"},
      {"'apple' == s", "1"},
      {"s > 'b'", "2,3,7"},          /* byte order: UTF-8 sorts after ASCII */
      {"s < 'c' and s >= 'b'", "2"},
      {"s in ['apple', 'Apple']", "1,8"},
      {"s == ''", "6"},
      {"s == '\\u65e5\\u672c\\u8a9e'", "7"},
      {"i8 == 1 + 1", "2"},          /* constants fold */
      {"i8 == 2 * 3 - 5", "1"},
      {"i8 == 7 / 2", "3"},          /* integer division */
      {"f == 2 ** 3", "8"},
      {"1 < 2", "1,2,3,4,5,6,7,8"},  /* a constant filter */
      {"1 > 2", ""},
      {"i8 < i16", "1,2,3,5,6,7"},   /* two fields */
      {"i32 == i64", "6,7"},
      {"f == d", "6,7,8"},
      {"s != s", ""},
  };
  TEST_FILTER_CASES(c, cases);
  pt_store_close(st);
}

TEST(arithmetic) {
  pt_store *st = test_store();
  pt_collection *c = dataset(st);
  static const test_filter_case cases[] = {
      {"i64 % 2 == 0", "1,2,3,4,5,6,8"},
      {"i64 + 1 == 8", "7"},
      {"i64 * 2 > 10000", "5"},
      {"i64 / 1000 == 2", "2"},
      {"i64 - 1 == 6", "7"},
      {"2 * i64 == 14", "7"},        /* c * field commutes */
      {"1 + i8 > 100", "5"},
      {"f + 0.5 == 1.0", "1"},
      {"d * 2 == 3.0", "1"},
      {"i16 % 100 != 0", "5,7,8"},
      {"j['a'] + 1 == 3", "2"},
      {"j['a'] * 2 == 7", "3"},
      {"size % 2 == 1", "1,5"},      /* a dynamic key; 1.5 is not an integer */
      {"not (i8 + 1 == 2)", "2,3,4,5,6,7,8"},
  };
  TEST_FILTER_CASES(c, cases);
  pt_store_close(st);
}

TEST(like_patterns) {
  pt_store *st = test_store();
  pt_collection *c = dataset(st);
  static const test_filter_case cases[] = {
      {"s like 'a%'", "1,5"},
      {"s like '%e'", "1,8"},
      {"s like '%an%'", "2"},
      {"s like 'apple'", "1"},
      {"s like 'a_p%'", "1"},
      {"s like '_pple'", "1,8"},
      {"s like 'a\\\\%b%'", "5"},     /* \\% in the text: a literal % */
      {"s like 'a%b\\\\_c'", "5"},
      {"s like '%\\\\%%'", "5"},
      {"s like '\\u65e5%'", "7"},
      {"s like '_\\u672c_'", "7"},     /* _ is one character, not one byte */
      {"s like ''", "6"},
      {"s like '%'", "1,2,3,5,6,7,8"},
      {"s like '%%'", "1,2,3,5,6,7,8"},
      {"s like 'b%a'", "2"},
      {"s like '%r%y'", "3"},
      {"j['b'] like 'x%'", "1,6"},
      {"as[0] like 'a%'", "1,5"},
      {"color like 'r%'", "1,3"},
      /* runs between %: found leftmost, the first and the last anchored, _ in and around them */
      {"s like '%a_a%'", "2"},
      {"s like '%an_n%'", "2"},
      {"s like '%p_e'", "1,8"},
      {"s like 'a%a'", ""},
      {"s like 'b%n%a'", "2"},
      {"s like '%na%na%'", "2"},
      {"s like '%nan%nan%'", ""},
      {"s like 'ban%ana'", "2"},
      {"s like 'bana%ana'", ""},   /* the first and the last run may not overlap */
      {"s like '__'", ""},
      {"s like '___'", "7"},
      {"s like '%_'", "1,2,3,5,7,8"},
      {"s like '_%_%_'", "1,2,3,5,7,8"},
      {"s like '%\u672c%'", "7"},
      {"s like '%c%h%'", "3"},
      {"s like '%_\\\\_%'", "5"},  /* _ then a literal _ */
      {"s like '%e%'", "1,3,8"},
      {"s like '%pp%e'", "1,8"},
  };
  TEST_FILTER_CASES(c, cases);
  pt_store_close(st);
}

/* LIKE, the definition: % any run of characters, _ one character (a UTF-8 code point), a
 * backslash makes the next pattern byte literal. Exponential, for tiny inputs. */
static bool ref_like(const char *p, size_t pn, const char *s, size_t sn) {
  if (pn == 0) return sn == 0;
  if (p[0] == '%') {
    for (size_t i = 0;; i += ((unsigned char)s[i] < 0x80 ? 1 : 2)) {
      if (ref_like(p + 1, pn - 1, s + i, sn - i)) return true;
      if (i >= sn) return false;
    }
  }
  if (p[0] == '_') {
    size_t l = sn && (unsigned char)s[0] >= 0x80 ? 2 : 1; /* the alphabet's only 2-byte letter: e-acute */
    return sn >= l && ref_like(p + 1, pn - 1, s + l, sn - l);
  }
  size_t pl = p[0] == '\\' && pn > 1 ? 2 : 1;
  return sn > 0 && s[0] == p[pl - 1] && ref_like(p + pl, pn - pl, s + 1, sn - 1);
}

/* Random strings and patterns over a, b, e-acute, %, _ (and \% \_ in patterns): every pattern
 * selects the rows the definition selects, whatever class of matcher it is planned to. */
TEST(like_against_the_definition) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "likes", "{\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true},"
                                                  "{\"name\":\"v\",\"dtype\":101,\"dim\":2},"
                                                  "{\"name\":\"s\",\"dtype\":21,\"max_length\":64}]}");
  static const char *const letters[] = {"a", "b", "\xc3\xa9", "%", "_"};
  static const char *const tokens[] = {"a", "b", "\xc3\xa9", "%", "_", "\\%", "\\_", "a", "%"};
  enum { ROWS = 60 };
  char strs[ROWS][32];
  uint32_t seed = 12345;
#define NEXT() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "[");
  for (int r = 0; r < ROWS; r++) {
    strs[r][0] = '\0';
    for (int k = (int)(NEXT() % 7); k > 0; k--) strcat(strs[r], letters[NEXT() % 5]);
    test_buf_printf(&b, "%s{\"id\":%d,\"v\":[0,0],\"s\":\"%s\"}", r ? "," : "", r, strs[r]);
  }
  test_buf_printf(&b, "]");
  pt_mutation_result mr = test_write(c, NULL, PT_OP_INSERT, b.p);
  pt_mutation_result_clear(&mr);
  test_buf_free(&b);
  for (int t = 0; t < 400; t++) {
    char pat[64] = "", expr[160], want[512] = "";
    for (int k = (int)(NEXT() % 6); k > 0; k--) strcat(pat, tokens[NEXT() % 9]);
    /* in the expression's string literal a backslash is written twice */
    size_t e = (size_t)snprintf(expr, sizeof expr, "s like '");
    for (const char *q = pat; *q; q++) {
      if (*q == '\\') expr[e++] = '\\';
      expr[e++] = *q;
    }
    snprintf(expr + e, sizeof expr - e, "'");
    size_t w = 0;
    for (int r = 0; r < ROWS; r++)
      if (ref_like(pat, strlen(pat), strs[r], strlen(strs[r])))
        w += (size_t)snprintf(want + w, sizeof want - w, "%s%d", w ? "," : "", r);
    const char *got = run(c, expr);
    if (strcmp(got, want) != 0) {
      fprintf(stderr, "  FAIL expr %s\n    want %s\n    got  %s\n", expr, want, got);
      pt_test_failures++;
    }
  }
#undef NEXT
  pt_store_close(st);
}

TEST(logic_and_nulls) {
  pt_store *st = test_store();
  pt_collection *c = dataset(st);
  static const test_filter_case cases[] = {
      {"i32 > 15", "2,4,5"},
      {"i32 is null", "3,8"},
      {"i32 IS NOT NULL", "1,2,4,5,6,7"},
      {"not (i32 > 15)", "1,6,7"},                 /* NULL rows are neither */
      {"i32 <= 15", "1,6,7"},
      {"i32 != 10", "2,4,5,6,7"},
      {"i32 in [10, 20]", "1,2"},
      {"i32 not in [10, 20]", "4,5,6,7"},
      {"i32 > 15 or i8 > 100", "2,4,5"},           /* NULL or false: unknown */
      {"i32 > 15 or i8 == 8", "2,4,5,8"},          /* NULL or true: true */
      {"i32 > 15 and i8 > 100", "5"},
      {"not (i32 > 15 and i8 > 0)", "1,4,6,7"},    /* NULL and false: false */
      {"not (i32 > 15 or i8 > 100)", "1,6,7"},
      {"not not (i32 > 15)", "2,4,5"},
      {"s is null", "4"},
      {"s is not null and s like 'a%'", "1,5"},
      {"i8 > 0 and s like 'a%'", "1,5"},
      {"i8 > 100 or i8 < -100", "5,6"},
      {"i8 > 0 && b == false", "2"},
      {"!(b == true)", "2,4,6"},
      {"(i8 > 0) and (i16 > 100 or i16 < 0)", "2,3,5"},
      {"id in [1, 2, 3] and i8 > 1", "2,3"},
      {"id in [1, 2, 3] or id == 8", "1,2,3,8"},
      {"i8 > 0 AND i8 < 5 OR b == false", "1,2,3,4,6"},
      {"j is null", "4"},
      {"j is not null", "1,2,3,5,6,7,8"},
  };
  TEST_FILTER_CASES(c, cases);
  pt_store_close(st);
}

TEST(json_paths_and_dynamic_keys) {
  pt_store *st = test_store();
  pt_collection *c = dataset(st);
  static const test_filter_case cases[] = {
      {"j['a'] == 1", "1"},
      {"j[\"a\"] == 1", "1"},
      {"j['a'] > 1", "2,3"},
      {"j['a'] != 1", "2,3,5,6,7,8"},   /* missing keys and other types: != holds; a NULL JSON is unknown */
      {"not (j['a'] > 1)", "1,5,6,7,8"},
      {"j['a'] == 3.5", "3"},
      {"j['a'] == '1'", "5"},
      {"j['a'] in [1, '1']", "1,5"},
      {"1 < j['a'] < 4", "2,3"},
      {"j['b'] == 'x'", "1,6"},
      {"j['arr'][0] == 4", "2"},
      {"j['n']['k'] == 5", "1"},
      {"j[0] == 1", "7"},
      {"j[1] > 1", "7"},
      {"j['arr'] == [1, 2, 3]", "1"},
      {"exists j['b']", "1,2,6"},
      {"exists j['a']", "1,2,3,5,8"},    /* a key holding null exists */
      {"j['a'] is null", "4,6,7"},       /* = not exists j['a'] */
      {"j['a'] is not null", "1,2,3,5,8"},
      {"json_contains(j['arr'], 2)", "1"},
      {"JSON_CONTAINS(j['arr'], 4)", "2"},
      {"json_contains_all(j['arr'], [1, 3])", "1"},
      {"json_contains_any(j['arr'], [3, 4])", "1,2"},
      {"json_contains(j, 2)", "7"},
      {"array_length(j['arr']) == 0", "3"},
      {"array_length(j['arr']) > 0", "1,2"},
      {"color == 'red'", "1,3"},
      {"$meta['color'] == 'red'", "1,3"},
      {"size > 1", "2,5,6"},
      {"size in [1, 2]", "1,2"},
      {"exists color", "1,2,3,6,8"},
      {"color is null", "4,5,7"},
      {"json_contains(tags, 'y')", "5"},
      {"nested['k'][1]['z'] == 1", "7"},
      {"nope == 1", ""},
      {"nope != 1", "1,2,3,4,5,6,7,8"},
  };
  TEST_FILTER_CASES(c, cases);
  pt_store_close(st);
}

TEST(arrays) {
  pt_store *st = test_store();
  pt_collection *c = dataset(st);
  static const test_filter_case cases[] = {
      {"ai[0] == 1", "1,5"},
      {"ai[1] > 2", "4,8"},
      {"ai[5] == 1", ""},                /* out of bounds: false */
      {"1 <= ai[0] <= 4", "1,2,5,6"},
      {"ai[0] in [4, 7]", "2,7"},
      {"ai == [1, 2, 3]", "1"},
      {"ai != [1, 2, 3]", "2,3,4,5,6,7,8"},
      {"array_contains(ai, 2)", "1,6"},
      {"ARRAY_CONTAINS(ai, 9)", "8"},
      {"array_contains_all(ai, [5, 6])", "4"},
      {"array_contains_any(ai, [7, 8])", "7,8"},
      {"array_contains_all(ai, [])", "1,2,3,4,5,6,7,8"},
      {"array_contains_any(ai, [])", ""},
      {"array_length(ai) == 2", "4,6,8"},
      {"array_length(ai) == 0", "3"},
      {"as[0] == 'a'", "1"},
      {"array_contains(as, 'x')", "8"},
      {"array_contains(as, '')", "6"},
      {"ai in []", ""}, /* valid in Milvus: an empty list holds nothing */
  };
  TEST_FILTER_CASES(c, cases);
  pt_store_close(st);
}

/* Lists longer than PT_TERM_SORTED_AFTER are sorted when planned and searched: the same rows as
 * a scan gives, duplicates and values that match nothing among them. */
TEST(long_in_lists) {
  pt_store *st = test_store();
  pt_collection *c = dataset(st);
  static const test_filter_case cases[] = {
      {"i16 in [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,300,100,-100,7]", "1,3,4,7,8"},
      {"i16 not in [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,300,100,-100,7]", "2,5,6"},
      {"i8 in [127,-128,-1,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35]", "4,5,6"},
      {"i64 in [9000000000,-4000,7,7,7,1,2,3,4,5,6,9,10,11,12,13,14,15,16,17]", "4,5,7"},
      {"i32 in [10,20,40,50,0,7,100,101,102,103,104,105,106,107,108,109,110]", "1,2,4,5,6,7"},
      {"s in ['apple','Apple','',\"x1\",'x2','x3','x4','x5','x6','x7','x8','x9','y1','y2','y3','y4','y5','apple']", "1,6,8"},
      {"s not in ['apple','Apple','','x1','x2','x3','x4','x5','x6','x7','x8','x9','y1','y2','y3','y4','y5']", "2,3,5,7"},
      {"ai[0] in [4,5,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114]", "2,4"},
      {"as[0] in ['c','d','q1','q2','q3','q4','q5','q6','q7','q8','q9','r1','r2','r3','r4','r5','r6']", "2,4"},
      {"id in [8,1,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,1]", "1,8"},
      {"j['a'] in [1,2,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114]", "1,2"},
  };
  TEST_FILTER_CASES(c, cases);
  pt_store_close(st);
}

TEST(errors) {
  pt_store *st = test_store();
  pt_collection *c = dataset(st);
  static const test_filter_case cases[] = {
      {"i8 > 1.5", "ERR: cannot cast value to Int8, value: float_val:1.5"},
      {"i8 in [4.0]", "ERR: value 'float_val:4' in list cannot be casted to Int8"},
      {"s == 1", "ERR: comparisons between VarChar and Int64 are not supported"},
      {"b == 1", "ERR: comparisons between Bool and Int64 are not supported"},
      {"b", "ERR: predicate is not a boolean expression: b, data type: Bool"},
      {"true", "ERR: predicate is not a boolean expression: true, data type: Bool"},
      {"'constant'", "ERR: predicate is not a boolean expression: 'constant', data type: VarChar"},
      {"color", "ERR: predicate is not a boolean expression: color, data type: JSON"},
      {"i8 > 0 or false", "ERR: 'or' can only be used between boolean expressions"},
      {"i8 > 0 and 1 < 2", "ERR: 'and' can only be used between boolean expressions"},
      {"b and i8 > 0", "ERR: 'and' can only be used between boolean expressions"},
      {"i8 + i16 == 3", "ERR: not supported to do arithmetic operations between multiple fields"},
      {"2 - i8 == 1", "ERR: module field is not yet supported"},
      {"(i8 + 1) * 2 == 4", "ERR: complicated arithmetic operations are not supported"},
      {"i8 + 1.5 == 2", "ERR: 'add' cannot perform arithmetic between Int8 field and Double"},
      {"s - 2 == 1", "ERR: 'subtract' cannot perform arithmetic between VarChar field and Int64"},
      {"f % 2 == 1", "ERR: modulo can only apply on integer types"},
      {"i8 / 0 == 1", "ERR: division or modulus by zero"},
      {"i8 == 2 / 0", "ERR: cannot divide by zero"},
      {"i8 == 2 % 0", "ERR: cannot modulo by zero"},
      {"i64 == 2 ** 3", "ERR: cannot cast value to Int64, value: float_val:8"},
      {"i8 ** 2 > 1", "ERR: power can only apply on constants: i8**2"},
      {"i8 & 1 == 1", "ERR: BitAnd is not supported: i8&1==1"},
      {"i8 | 1 == 1", "ERR: BitOr is not supported"},
      {"i8 ^ 1 == 1", "ERR: BitXor is not supported: i8^1==1"},
      {"i8 << 1 > 2", "ERR: shift is not supported: i8<<1"},
      {"-i8 > 0", "ERR: unexpected op: -"},
      {"~i8 > 0", "ERR: unexpected op: ~"},
      {"not i8", "ERR: not op can only be applied on boolean expression"},
      {"not b == true", "ERR: not op can only be applied on boolean expression"},
      {"1 < 3 < 2", "ERR: comparison operations cannot be applied to two incompatible operands: 1<3<2"},
      {"true == 'str'", "ERR: comparison operations cannot be applied to two incompatible operands: true=='str'"},
      {"1.0 < i8 < 2.0", "ERR: invalid range operations"},
      {"1 < b < 2", "ERR: invalid range operations on boolean expr"},
      {"5 < i8 < 1", "ERR: invalid range: lowerbound is greater than upperbound"},
      {"1 < i8 < 1", "ERR: invalid range: lowerbound is greater than upperbound"},
      {"1 < i8 < (i16)", "ERR: upperbound cannot be a non-const expression: (i16)"},
      {"1 in [1, 2]", "ERR: 'term' can only be used on non-const expression, but got: 1"},
      {"i8 in 5", "ERR: the right-hand side of 'in' must be a list, but got: 5"},
      {"i8 in [i16]", "ERR: array element type must be generic value, but got: i16"},
      {"f like 'a%'", "ERR: like operation on non-string or no-json field is unsupported"},
      {"ai like 'a%'", "ERR: can not comparisons array fields directly"},
      {"ai > 1", "ERR: can not comparisons array fields directly"},
      {"ai == ['a']", "ERR: comparisons between Array[Int64] and Array[VarChar] are not supported"},
      {"ai == []", "ERR: comparisons between Array[Int64] and Array[None] are not supported"},
      {"ai['x'] == 1", "ERR: can only access array field with integer index"},
      {"i8['x'] == 1", "ERR: Int8 data type not supported accessed with []"},
      {"j[''] == 1", "ERR: invalid identifier: j['']"},
      {"exists i8", "ERR: exists operations are only supportted on json field, got:i8"},
      {"exists j", "ERR: exists operations are only supportted on json key"},
      {"exists j['a'] > 1", "ERR: comparison operations cannot be applied to two incompatible operands"},
      {"json_contains(i8, 1)", "ERR: contains operation are only supported on json or array fields now, got: i8"},
      {"json_contains(j, i8)", "ERR: contains operation are only supported explicitly specified element, got: i8"},
      {"json_contains_all(j, 1)", "ERR: ContainsAll operation element must be an array"},
      {"json_contains_any(j, 1)", "ERR: ContainsAny operation element must be an array"},
      {"array_contains(ai, 'a')", "ERR: cannot cast value to Int64, value: string_val:\"a\""},
      {"array_contains_any(as, ['a', 1])", "ERR: ContainsAny operation can't compare between array element type: VarChar and Int64"},
      {"array_length(i8) == 1", "ERR: array_length operation are only supported on json or array fields now, got: i8"},
      {"array_length(ai) == 1.5", "ERR: array_length can only be compared with an integer"},
      {"v == 1", "ERR: comparisons between FloatVector and Int64 are not supported"},
      {"v is null", "ERR: IsNull/IsNotNull operations are not supported on vector fields"},
      {"i8 == 128 and", "ERR: line 1:13 mismatched input '<EOF>' expecting an expression"},
      {"i8 = 1", "ERR: invalid expression: i8 = 1"},
      {"i8 >", "ERR: mismatched input '<EOF>'"},
      {"(i8 > 1", "ERR: mismatched input '<EOF>' expecting ')'"},
      {"i8 > 1)", "ERR: invalid expression: i8 > 1)"},
      {"s == 'a\\?b'", "ERR: invalid syntax"},
      {"s == 'a\\%b'", "ERR: invalid syntax"},
      {"s == '\\400'", "ERR: invalid syntax"},
      {"i8 == 9223372036854775808", "ERR: strconv.ParseInt: parsing \"9223372036854775808\": value out of range"},
      {"i8 > @", "ERR: line 1:5 token recognition error at: '@'"},
      {"random_sample(0.1)", "ERR: random_sample is not supported"},
      {"i8 > {x}", "ERR: the value of expression template variable name {x} is not found"},
      {"s like 5", "ERR: mismatched input '5' expecting StringLiteral"},
      {"i8 not 5", "ERR: mismatched input '5' expecting 'in'"},
      {"json_contains(j 1)", "ERR: expecting ','"},
  };
  TEST_FILTER_CASES(c, cases);
  /* the error names the plan, and carries the span of the offending text */
  pt_rows *rows;
  pt_error e;
  const char *req = "{\"expr\":\"i8 > 0 and s == 1\"}";
  CHECK_EQ_INT(pt_collection_query(c, req, strlen(req), &rows, &e), PT_PARSE);
  CHECK_EQ_INT(e.code, 1100);
  CHECK_MSG(&e, "failed to create query plan: cannot parse expression: i8 > 0 and s == 1, error: comparisons between "
                "VarChar and Int64 are not supported: invalid parameter");
  CHECK_EQ_INT(e.expr_offset, 11);
  CHECK_EQ_INT(e.expr_length, 6);
  /* without the dynamic field an unknown name is an error */
  pt_collection *s = test_collection(st, "s", "{\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true},{\"name\":\"v\",\"dtype\":101,\"dim\":2}]}");
  CHECK_STR(run(s, "x == 1"), "ERR: failed to create query plan: cannot parse expression: x == 1, error: field x not exist: invalid parameter");
  CHECK_STR(run(s, "$meta['a'] == 1"), "ERR: failed to create query plan: cannot parse expression: $meta['a'] == 1, error: field $meta not exist: invalid parameter");
  pt_store_close(st);
}

TEST(nesting_is_bounded) {
  pt_store *st = test_store();
  pt_collection *c = dataset(st);
  char expr[2000];
  size_t k = 0;
  for (int i = 0; i < 100; i++) expr[k++] = '(';
  k += (size_t)snprintf(expr + k, sizeof expr - k, "i8 > 2");
  for (int i = 0; i < 100; i++) expr[k++] = ')';
  expr[k] = '\0';
  CHECK_STR(run(c, expr), "3,5,8");
  k = 0;
  for (int i = 0; i < 300; i++) expr[k++] = '(';
  k += (size_t)snprintf(expr + k, sizeof expr - k, "i8 > 2");
  for (int i = 0; i < 300; i++) expr[k++] = ')';
  expr[k] = '\0';
  const char *got = run(c, expr);
  CHECK(strstr(got, "nests deeper than 128 levels") != NULL);
  /* 200 nots */
  k = 0;
  for (int i = 0; i < 200; i++) k += (size_t)snprintf(expr + k, sizeof expr - k, "not ");
  snprintf(expr + k, sizeof expr - k, "(i8 > 2)");
  CHECK(strstr(run(c, expr), "nests deeper") != NULL);
  /* a long flat chain is not nesting */
  char *chain = malloc(200000);
  k = 0;
  for (int i = 0; i < 5000; i++) k += (size_t)snprintf(chain + k, 200000 - k, "%sid == %d", i ? " or " : "", i);
  pt_rows *rows;
  pt_error e;
  char *req = malloc(k + 64);
  snprintf(req, k + 64, "{\"expr\":\"%s\",\"limit\":100}", chain);
  CHECK_OK(pt_collection_query(c, req, strlen(req), &rows, &e), &e);
  CHECK_EQ_INT(pt_rows_count(rows), 8);
  pt_rows_free(rows);
  free(req);
  free(chain);
  pt_store_close(st);
}

TEST(query_delete_and_count_agree) {
  pt_store *st = test_store();
  pt_collection *c = dataset(st);
  const char *filters[] = {"i8 > 2", "s like 'a%'", "j['a'] != 1", "i32 is null or b == false", "array_contains(ai, 2)",
                           "color == 'red'"};
  for (size_t f = 0; f < sizeof filters / sizeof filters[0]; f++) {
    pt_store *st2 = test_store();
    pt_collection *c2 = dataset(st2);
    char ids[256];
    snprintf(ids, sizeof ids, "%s", run(c2, filters[f]));
    size_t n = ids[0] ? 1 : 0;
    for (char *p = ids; *p; p++) n += *p == ',';
    /* count(*) agrees with the rows */
    char req[300];
    snprintf(req, sizeof req, "{\"expr\":\"%s\",\"output_fields\":[\"count(*)\"]}", filters[f]);
    pt_rows *rows;
    pt_error e;
    /* (the filters above have no double quotes) */
    CHECK_OK(pt_collection_query(c2, req, strlen(req), &rows, &e), &e);
    CHECK_EQ_INT(test_i64(rows, 0, 0), (long long)n);
    pt_rows_free(rows);
    /* delete removes exactly those rows, and reports how many */
    pt_mutation_result r;
    CHECK_OK(pt_collection_delete(c2, NULL, 0, filters[f], strlen(filters[f]), &r, &e), &e);
    CHECK_EQ_INT(r.delete_count, (long long)n);
    CHECK_EQ_INT(pt_collection_num_entities(c2, NULL, 0), 8 - (long long)n);
    CHECK_STR(run(c2, filters[f]), "");
    pt_store_close(st2);
  }
  (void)c;
  pt_store_close(st);
}

/* ---- Selections against a reference ----
 * Random and / or / not over leaves whose truth the test computes itself, row by row in
 * Kleene's logic, on 700 rows in segments of 256: with NULLs, columns without them (INT32 and
 * FLOAT: compared four rows at a time with SIMD128 in WebAssembly), deleted rows (segments with and
 * without them: the filter reads a segment without deleted rows as it is), strings whose 8-byte
 * keys collide ("ab" and "ab\0\0\0\0\0\x02"), strings of 7, 8 and 9 bytes, lists of 1-4, 5-16
 * and more than 16 strings (sorted), and the strings at the end of an arena made to the byte by
 * compact(). */

enum { SEL_ROWS = 700, SEL_DIM = 4000 };
static const char *const SEL_STRS[] = {"", "a", "ab", "abc", "tag01", "tag03", "tag1", "abcdefg", "abcdefgh", "abcdefghi",
                                       "abcdefghijk1", "abcdefghijk2", "ab\0\0\0\0\0\x02", "ab\0", "\xe6\x97\xa5", "x\x07"};
static const size_t SEL_LENS[] = {0, 1, 2, 3, 5, 5, 4, 7, 8, 9, 12, 12, 8, 3, 3, 2};
#define SEL_NSTR (sizeof SEL_STRS / sizeof *SEL_STRS)

typedef struct selrow {
  int64_t id, i64;
  int32_t i32, k32; /* k32 and f never NULL */
  float f;
  bool i32_null, s_null;
  int s; /* index into SEL_STRS */
} selrow;

static uint64_t sel_seed = 0x9e3779b97f4a7c15u;
static unsigned sel_rand(unsigned n) {
  sel_seed ^= sel_seed << 13;
  sel_seed ^= sel_seed >> 7;
  sel_seed ^= sel_seed << 17;
  return (unsigned)(sel_seed % n);
}

/* A string literal of the expression language for SEL_STRS[k]: bytes outside printable ASCII
 * as \x escapes. */
static void sel_literal(test_buf *b, int k) {
  test_buf_put(b, "\"", 1);
  for (size_t i = 0; i < SEL_LENS[k]; i++) {
    unsigned char ch = (unsigned char)SEL_STRS[k][i];
    if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\') test_buf_printf(b, "\\x%02x", ch);
    else test_buf_put(b, (const char *)&ch, 1);
  }
  test_buf_put(b, "\"", 1);
}

static int k_not(int t) { return t < 0 ? t : !t; }

/* A leaf: its text, and its truth (1, 0, -1 unknown) for each row. */
static void sel_leaf(test_buf *b, const selrow *rows, size_t n, int *truth) {
  static const char *const OPS[] = {"==", "!=", "<", "<=", ">", ">="};
  unsigned kind = sel_rand(12), op = sel_rand(6);
  int v = (int)sel_rand(9) - 4, w = v + 1 + (int)sel_rand(4); /* an empty range is refused */
  bool mark[SEL_NSTR] = {false};
  switch (kind) {
  case 0: /* i32 CMP v (nullable) */
    test_buf_printf(b, "i32 %s %d", OPS[op], v);
    for (size_t r = 0; r < n; r++) {
      int32_t x = rows[r].i32;
      bool h = op == 0 ? x == v : op == 1 ? x != v : op == 2 ? x < v : op == 3 ? x <= v : op == 4 ? x > v : x >= v;
      truth[r] = rows[r].i32_null ? -1 : h;
    }
    return;
  case 1: /* v < i32 <= w */
    test_buf_printf(b, "%d < i32 <= %d", v, w);
    for (size_t r = 0; r < n; r++) truth[r] = rows[r].i32_null ? -1 : rows[r].i32 > v && rows[r].i32 <= w;
    return;
  case 2: { /* i32 [not] in [v, w] */
    bool neg = sel_rand(2);
    test_buf_printf(b, "i32 %sin [%d, %d]", neg ? "not " : "", v, w);
    for (size_t r = 0; r < n; r++) truth[r] = rows[r].i32_null ? -1 : ((rows[r].i32 == v || rows[r].i32 == w) != neg);
    return;
  }
  case 10: /* k32 CMP v (never null) */
    test_buf_printf(b, "k32 %s %d", OPS[op], v);
    for (size_t r = 0; r < n; r++) {
      int32_t x = rows[r].k32;
      truth[r] = op == 0 ? x == v : op == 1 ? x != v : op == 2 ? x < v : op == 3 ? x <= v : op == 4 ? x > v : x >= v;
    }
    return;
  case 11: /* f CMP v / 2 (never null) */
    test_buf_printf(b, "f %s %g", OPS[op], v / 2.0);
    for (size_t r = 0; r < n; r++) {
      float x = rows[r].f, y = (float)(v / 2.0);
      truth[r] = op == 0 ? x == y : op == 1 ? x != y : op == 2 ? x < y : op == 3 ? x <= y : op == 4 ? x > y : x >= y;
    }
    return;
  case 3: /* i64 CMP v*100 (never null) */
    test_buf_printf(b, "i64 %s %d", OPS[op], v * 100);
    for (size_t r = 0; r < n; r++) {
      int64_t x = rows[r].i64, y = v * 100;
      truth[r] = op == 0 ? x == y : op == 1 ? x != y : op == 2 ? x < y : op == 3 ? x <= y : op == 4 ? x > y : x >= y;
    }
    return;
  case 4: case 5: { /* s == x, s != x */
    int k = (int)sel_rand(SEL_NSTR);
    bool ne = kind == 5;
    test_buf_printf(b, "s %s ", ne ? "!=" : "==");
    sel_literal(b, k);
    for (size_t r = 0; r < n; r++) truth[r] = rows[r].s_null ? -1 : ((rows[r].s == k) != ne);
    return;
  }
  case 6: case 7: { /* s [not] in a list of 1-4, 5-16 or 17-20 strings (repeats allowed) */
    unsigned len = sel_rand(3) == 0 ? 1 + sel_rand(4) : sel_rand(2) ? 5 + sel_rand(12) : 17 + sel_rand(4);
    bool neg = kind == 7;
    test_buf_printf(b, "s %sin [", neg ? "not " : "");
    for (unsigned j = 0; j < len; j++) {
      int k = (int)sel_rand(SEL_NSTR);
      if (j) test_buf_printf(b, ", ");
      sel_literal(b, k);
      mark[k] = true;
    }
    test_buf_printf(b, "]");
    for (size_t r = 0; r < n; r++) truth[r] = rows[r].s_null ? -1 : (mark[rows[r].s] != neg);
    return;
  }
  case 8: /* s like "ab%" (row by row) */
    test_buf_printf(b, "s like \"ab%%\"");
    for (size_t r = 0; r < n; r++)
      truth[r] = rows[r].s_null ? -1 : SEL_LENS[rows[r].s] >= 2 && memcmp(SEL_STRS[rows[r].s], "ab", 2) == 0;
    return;
  default: { /* is [not] null */
    bool on_s = sel_rand(2), neg = sel_rand(2);
    test_buf_printf(b, "%s is %snull", on_s ? "s" : "i32", neg ? "not " : "");
    for (size_t r = 0; r < n; r++) truth[r] = (on_s ? rows[r].s_null : rows[r].i32_null) != neg;
    return;
  }
  }
}

/* A random expression over the leaves, up to `depth` levels of and / or / not. */
static void sel_expr(test_buf *b, const selrow *rows, size_t n, int *truth, int depth) {
  unsigned r = sel_rand(8);
  if (depth == 0 || r < 3) {
    sel_leaf(b, rows, n, truth);
    return;
  }
  if (r == 3) {
    test_buf_printf(b, "not (");
    sel_expr(b, rows, n, truth, depth - 1);
    test_buf_printf(b, ")");
    for (size_t i = 0; i < n; i++) truth[i] = k_not(truth[i]);
    return;
  }
  bool is_and = r < 6;
  unsigned kids = 2 + sel_rand(3);
  int *t = malloc(n * sizeof *t);
  test_buf_printf(b, "(");
  for (unsigned k = 0; k < kids; k++) {
    if (k) test_buf_printf(b, is_and ? " and " : " or ");
    sel_expr(b, rows, n, k ? t : truth, depth - 1);
    if (!k) continue;
    for (size_t i = 0; i < n; i++) {
      int a = truth[i], c = t[i];
      if (is_and) truth[i] = a == 0 || c == 0 ? 0 : a < 0 || c < 0 ? -1 : 1;
      else truth[i] = a == 1 || c == 1 ? 1 : a < 0 || c < 0 ? -1 : 0;
    }
  }
  test_buf_printf(b, ")");
  free(t);
}

/* Every live row's id where the expression is TRUE, against the query's. */
static void sel_check(pt_collection *c, const selrow *rows, const bool *live, size_t n, int rounds) {
  int *truth = malloc(n * sizeof *truth);
  for (int round = 0; round < rounds; round++) {
    test_buf e = {NULL, 0, 0};
    sel_expr(&e, rows, n, truth, 3);
    test_buf want = {NULL, 0, 0};
    test_buf_printf(&want, "%s", "");
    for (size_t i = 0; i < n; i++)
      if (live[i] && truth[i] == 1) test_buf_printf(&want, "%s%lld", want.len ? "," : "", (long long)rows[i].id);
    test_buf req = {NULL, 0, 0};
    test_buf_printf(&req, "{\"expr\":\"");
    for (size_t i = 0; i < e.len; i++) {
      if (e.p[i] == '"' || e.p[i] == '\\') test_buf_put(&req, "\\", 1);
      test_buf_put(&req, e.p + i, 1);
    }
    test_buf_printf(&req, "\"}");
    pt_rows *res = test_query(c, req.p);
    test_buf got = {NULL, 0, 0};
    test_buf_printf(&got, "%s", "");
    for (size_t i = 0; res && i < pt_rows_count(res); i++)
      test_buf_printf(&got, "%s%lld", i ? "," : "", (long long)test_i64(res, 0, i));
    pt_rows_free(res);
    if (strcmp(got.p, want.p) != 0) {
      fprintf(stderr, "  FAIL selection of %s\n    want %s\n    got  %s\n", e.p, want.p, got.p);
      pt_test_failures++;
    }
    test_buf_free(&e);
    test_buf_free(&want);
    test_buf_free(&req);
    test_buf_free(&got);
  }
  free(truth);
}

TEST(selections_against_a_reference) {
  pt_store *st = test_store();
  char schema[512];
  snprintf(schema, sizeof schema,
           "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':%d},"
           "{'name':'i32','dtype':4,'nullable':true},{'name':'i64','dtype':5},"
           "{'name':'s','dtype':21,'max_length':32,'nullable':true},{'name':'k32','dtype':4},{'name':'f','dtype':10}]}",
           SEL_DIM);
  pt_collection *c = test_collection(st, "sel", J(schema));
  CHECK(c->layout.seg_mask + 1 == 256); /* 700 rows: segments of 256 */
  selrow rows[SEL_ROWS];
  bool live[SEL_ROWS];
  float *vec = calloc((size_t)100 * SEL_DIM, sizeof *vec);
  for (size_t b0 = 0; b0 < SEL_ROWS; b0 += 100) {
    int64_t ids[100], i64s[100];
    int32_t i32s[100], k32s[100];
    float fs[100];
    uint8_t i32_cells[100], s_cells[100];
    char text[100 * 16];
    uint32_t offs[101] = {0};
    for (size_t r = 0; r < 100; r++) {
      selrow *x = &rows[b0 + r];
      x->id = (int64_t)(b0 + r);
      x->i32 = (int32_t)sel_rand(9) - 4;
      x->i32_null = sel_rand(6) == 0;
      x->i64 = (int64_t)sel_rand(900) - 450;
      x->s = (int)sel_rand(SEL_NSTR);
      x->s_null = sel_rand(7) == 0;
      x->k32 = (int32_t)sel_rand(9) - 4;
      x->f = (float)((int)sel_rand(9) - 4) / 2;
      k32s[r] = x->k32;
      fs[r] = x->f;
      live[b0 + r] = true;
      ids[r] = x->id;
      i64s[r] = x->i64;
      i32s[r] = x->i32;
      i32_cells[r] = x->i32_null ? PT_CELL_NULL : PT_CELL_VALUE;
      s_cells[r] = x->s_null ? PT_CELL_NULL : PT_CELL_VALUE;
      size_t len = x->s_null ? 0 : SEL_LENS[x->s];
      memcpy(text + offs[r], SEL_STRS[x->s], len);
      offs[r + 1] = offs[r] + (uint32_t)len;
    }
    pt_column_in cols[7] = {
        {.field = PT_FIELD_BY_POSITION, .kind = PT_IN_INT64, .n_rows = 100, .width = 1, .values = ids},
        {.field = PT_FIELD_BY_POSITION, .kind = PT_IN_FLOAT32, .n_rows = 100, .width = SEL_DIM, .values = vec},
        {.field = PT_FIELD_BY_POSITION, .kind = PT_IN_INT32, .n_rows = 100, .width = 1, .values = i32s, .cells = i32_cells},
        {.field = PT_FIELD_BY_POSITION, .kind = PT_IN_INT64, .n_rows = 100, .width = 1, .values = i64s},
        {.field = PT_FIELD_BY_POSITION, .kind = PT_IN_TEXT, .n_rows = 100, .width = 1, .values = text, .offsets = offs,
         .cells = s_cells},
        {.field = PT_FIELD_BY_POSITION, .kind = PT_IN_INT32, .n_rows = 100, .width = 1, .values = k32s},
        {.field = PT_FIELD_BY_POSITION, .kind = PT_IN_FLOAT32, .n_rows = 100, .width = 1, .values = fs},
    };
    pt_batch_in batch = {PT_FORM_COLUMNS, 100, 7, cols};
    pt_mutation_result m;
    pt_error e;
    CHECK_OK(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &batch, 0, &m, &e), &e);
    pt_mutation_result_clear(&m);
  }
  free(vec);
  /* deleted rows in the first and third segments; the second keeps all its rows */
  pt_mutation_result m;
  pt_error e;
  const char *del = "(id < 256 and id % 3 == 1) or (id >= 512 and id < 600)";
  CHECK_OK(pt_collection_delete(c, NULL, 0, del, strlen(del), &m, &e), &e);
  pt_mutation_result_clear(&m);
  for (size_t i = 0; i < SEL_ROWS; i++) live[i] = !((i < 256 && i % 3 == 1) || (i >= 512 && i < 600));
  sel_check(c, rows, live, SEL_ROWS, 400);
  /* compacted: each arena holds its strings to the byte, so the last ones cannot be read 8
   * bytes at a time */
  uint64_t removed = 0;
  CHECK_OK(pt_collection_compact(c, NULL, 0, &removed, &e), &e);
  CHECK(removed > 0);
  sel_check(c, rows, live, SEL_ROWS, 400);
  pt_store_close(st);
}

TEST_MAIN(T(comparisons_and_ranges), T(arithmetic), T(like_patterns), T(like_against_the_definition), T(logic_and_nulls), T(json_paths_and_dynamic_keys),
          T(arrays), T(long_in_lists), T(errors), T(nesting_is_bounded), T(query_delete_and_count_agree),
          T(selections_against_a_reference))
