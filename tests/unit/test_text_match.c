/*
 * test_text_match.c — VarChar fields with enable_analyzer / enable_match / analyzer_params, and
 * text_match / phrase_match in filters.
 * Covers:
 *   - the schema params: read (booleans, ParseBool strings, a dict or a JSON string of params),
 *     described back and read again equal, saved in a snapshot and loaded back, and every
 *     refusal with its message (match without the analyzer, params the analyzer refuses, the
 *     params on a field that is not VarChar, a value ParseBool cannot read);
 *   - text_match and phrase_match row sets, case by case: OR of the query's tokens,
 *     minimum_should_match, phrases with slop (order changed, gaps left by stop words, repeated
 *     terms, one-token phrases), the english analyzer's stems, NULL rows as UNKNOWN under not;
 *   - every error the parser gives for them, with Milvus's messages;
 *   - run_analyzer's JSON: tokens, offsets, positions, hashes (the BM25 term index), refusals;
 *   - random documents, queries, deletes and upserts against the test's own evaluation from the
 *     definition (text_match with minimum_should_match; phrase_match of two terms with any slop
 *     and of any length without slop).
 */
#include "harness.h"

#include <stdlib.h>

#include "bm25.h"
#include "expr.h"

#define VEC "{\"name\":\"v\",\"dtype\":101,\"dim\":2}"

static const char *const SCHEMA =
    "{\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true}," VEC ","
    "{\"name\":\"t\",\"dtype\":21,\"max_length\":256,\"nullable\":true,\"enable_analyzer\":true,\"enable_match\":true},"
    "{\"name\":\"e\",\"dtype\":21,\"max_length\":256,\"enable_analyzer\":\"true\",\"enable_match\":\"True\","
    "\"analyzer_params\":{\"type\":\"english\"}},"
    "{\"name\":\"p\",\"dtype\":21,\"max_length\":64,\"analyzer_params\":\"{\\\"tokenizer\\\":\\\"whitespace\\\"}\"}]}";

static pt_collection *dataset(pt_store *st) {
  pt_collection *c = test_collection(st, "m", SCHEMA);
  const char *rows =
      "["
      "{\"id\":1,\"v\":[0,0],\"t\":\"The quick brown fox jumps over the lazy dog\",\"e\":\"running quickly to the stores\",\"p\":\"fox\"},"
      "{\"id\":2,\"v\":[0,0],\"t\":\"A quick movement of the enemy\",\"e\":\"The store runs\",\"p\":\"x\"},"
      "{\"id\":3,\"v\":[0,0],\"t\":\"Brown dogs and foxes\",\"e\":\"\",\"p\":\"x\"},"
      "{\"id\":4,\"v\":[0,0],\"t\":\"dog lazy the over jumps fox brown quick the\",\"e\":\"quick\",\"p\":\"x\"},"
      "{\"id\":5,\"v\":[0,0],\"t\":\"\",\"e\":\"\",\"p\":\"x\"},"
      "{\"id\":6,\"v\":[0,0],\"t\":null,\"e\":\"\",\"p\":\"x\"},"
      "{\"id\":7,\"v\":[0,0],\"t\":\"fox-fox FOX\",\"e\":\"\",\"p\":\"x\"}"
      "]";
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, rows);
  pt_mutation_result_clear(&r);
  return c;
}

#define run test_filter_ids

/* ---- the schema params ---- */

static pt_status create(pt_store *st, const char *fields, pt_error *e) {
  char json[2048];
  snprintf(json, sizeof json, "{\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true}," VEC ",%s]}", fields);
  return test_try_create(st, json, e);
}

TEST(schema_params) {
  pt_store *st = test_store();
  pt_error e;
  size_t before = pt_store_num_collections(st);
  /* match without the analyzer: Milvus's proxy message */
  EXPECT_ERR(create(st, "{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"enable_match\":true}", &e), &e, PT_SCHEMA,
             PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "field t which has enable_match or is input of BM25 function must also enable_analyzer");
  EXPECT_ERR(create(st, "{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"enable_match\":true,\"enable_analyzer\":\"false\"}", &e),
             &e, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "must also enable_analyzer");
  /* params the analyzer refuses, by name */
  EXPECT_ERR(create(st, "{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"enable_analyzer\":true,\"analyzer_params\":{\"tokenizer\":\"jieba\"}}", &e),
             &e, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "jieba");
  EXPECT_ERR(create(st, "{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"enable_analyzer\":true,\"analyzer_params\":{\"type\":\"nope\"}}", &e),
             &e, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "unknown build-in analyzer type: nope");
  EXPECT_ERR(create(st, "{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"enable_analyzer\":true,\"analyzer_params\":\"{\\\"type\\\":\"}", &e),
             &e, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "");
  /* the params on a field that is not VarChar */
  EXPECT_ERR(create(st, "{\"name\":\"n\",\"dtype\":5,\"enable_match\":true,\"enable_analyzer\":true}", &e), &e, PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "field n is of type Int64: enable_analyzer, enable_match and analyzer_params apply to VarChar fields only");
  EXPECT_ERR(create(st, "{\"name\":\"n\",\"dtype\":22,\"element_type\":21,\"max_capacity\":2,\"max_length\":4,\"analyzer_params\":{}}", &e),
             &e, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "is of type Array");
  /* a value strconv.ParseBool cannot read */
  EXPECT_ERR(create(st, "{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"enable_match\":\"yes\"}", &e), &e, PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "type param enable_match: strconv.ParseBool: parsing \"yes\": invalid syntax");
  EXPECT_ERR(create(st, "{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"enable_analyzer\":[true]}", &e), &e, PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "type param enable_analyzer: strconv.ParseBool: parsing \"list\"");
  CHECK_EQ_INT(pt_store_num_collections(st), before);
  /* accepted forms */
  CHECK_OK(create(st, "{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"enable_match\":\"1\",\"enable_analyzer\":1}", &e), &e);
  CHECK_OK(create(st, "{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"enable_analyzer\":true,\"analyzer_params\":\"{\\\"type\\\":\\\"standard\\\",\\\"stop_words\\\":[\\\"a\\\"]}\"}", &e), &e);
  /* Milvus builds no analyzer for a field that does not enable it: params are kept, unused */
  CHECK_OK(create(st, "{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"analyzer_params\":{\"type\":\"english\"}}", &e), &e);

  /* described back, read again: equal; and again the same text */
  pt_collection *c = test_collection(st, "m", SCHEMA);
  char *text = NULL, *again = NULL;
  size_t len = 0, len2 = 0;
  CHECK_OK(pt_schema_to_json(pt_collection_schema(c), &text, &len), &e);
  CHECK(strstr(text, "\"name\":\"t\"") != NULL);
  CHECK(strstr(text, "\"enable_analyzer\":true,\"enable_match\":true,\"analyzer_params\":\"{\\\"type\\\":\\\"english\\\"}\"") != NULL);
  CHECK(strstr(text, "\"analyzer_params\":\"{\\\"tokenizer\\\":\\\"whitespace\\\"}\"") != NULL);
  pt_schema *s2 = NULL;
  CHECK_OK(pt_schema_from_json(text, len, &s2, &e), &e);
  CHECK_OK(pt_schema_to_json(s2, &again, &len2), &e);
  CHECK_STR(again, text);
  pt_free(again);

  /* a snapshot keeps them */
  uint8_t *bytes = NULL;
  size_t nbytes = 0;
  CHECK_OK(pt_collection_save(c, &bytes, &nbytes, &e), &e);
  pt_collection *loaded = NULL;
  CHECK_OK(pt_collection_load(st, bytes, nbytes, "m2", 2, &loaded, &e), &e);
  if (loaded) {
    CHECK_OK(pt_schema_to_json(pt_collection_schema(loaded), &again, &len2), &e);
    CHECK_STR(again, text);
    pt_free(again);
  }
  pt_free(bytes);
  pt_free(text);
  pt_schema_free(s2);
  pt_store_close(st);
}

/* ---- text_match / phrase_match, case by case ---- */

TEST(text_match_cases) {
  pt_store *st = test_store();
  pt_collection *c = dataset(st);
  static const test_filter_case cases[] = {
      {"text_match(t, \"fox\")", "1,4,7"},
      {"TEXT_MATCH(t, 'FOX dog')", "1,4,7"},
      {"text_match(t, \"dogs\")", "3"},
      {"text_match(t, \"\")", ""},
      {"text_match(t, \"!!! ...\")", ""},
      {"text_match(t, \"quick enemy\", minimum_should_match=2)", "2"},
      {"text_match(t, \"fox fox\", minimum_should_match=2)", "1,4,7"}, /* each token of the query is a clause */
      {"text_match(t, \"fox cat\", minimum_should_match=2)", ""},
      {"not text_match(t, \"fox\")", "2,3,5"}, /* row 6 is NULL: unknown */
      {"text_match(t, \"fox\") or id == 6", "1,4,6,7"},
      {"text_match(t, \"fox\") and text_match(t, \"lazy\")", "1,4"},
      {"text_match(e, \"stores\")", "1,2"}, /* english: stemmed */
      {"text_match(e, \"the\")", ""},       /* english: a stop word, no token */
      {"phrase_match(t, \"quick brown\")", "1"},
      {"phrase_match(t, \"quick brown fox\")", "1"},
      {"phrase_match(t, \"quick fox\")", ""},
      {"phrase_match(t, \"quick fox\", 1)", "1"},
      {"phrase_match(t, \"brown quick\", 2)", "1,4"}, /* the order changed costs the slop */
      {"phrase_match(t, \"brown quick\")", "4"},
      {"phrase_match(t, \"brown quick\", 1)", "4"},
      {"phrase_match(t, \"fox fox\")", "7"},
      {"phrase_match(t, \"fox\", 0)", "1,4,7"}, /* one token: a term query */
      {"phrase_match(t, \"the lazy dog\", 0)", "1"},
      {"phrase_match(t, \"dog lazy the\")", "4"},
      {"phrase_match(t, \"the dog\", 1)", "1"},
      {"phrase_match(t, \"the quick fox\", 2)", "1"},
      {"phrase_match(t, \"\")", ""},
      {"not phrase_match(t, \"quick brown\")", "2,3,4,5,7"},
      {"phrase_match(e, \"run quickly\")", "1"},
      {"phrase_match(e, \"quickly to the store\")", "1"}, /* stop words leave their positions */
      {"phrase_match(e, \"quickly store\")", ""},
      {"phrase_match(e, \"quickly store\", 2)", "1"},
  };
  TEST_FILTER_CASES(c, cases);
  pt_store_close(st);
}

TEST(errors) {
  pt_store *st = test_store();
  pt_collection *c = dataset(st);
  static const test_filter_case cases[] = {
      {"text_match(p, \"x\")", "ERR: field \"p\" does not enable match"},
      {"phrase_match(p, \"x\")", "ERR: field \"p\" does not enable match"},
      {"text_match(id, \"x\")", "ERR: text match operation on non-string is unsupported"},
      {"phrase_match(v, \"x\")", "ERR: phrase match operation on non-string is unsupported"},
      {"text_match(nosuch, \"x\")", "ERR: field nosuch not exist"},
      {"text_match(t, x)", "ERR: mismatched input 'x' expecting StringLiteral"},
      {"text_match(t[0], \"x\")", "ERR: expecting Identifier"},
      {"text_match(\"x\", t)", "ERR: expecting Identifier"},
      {"text_match(t \"x\")", "ERR: expecting ','"},
      {"text_match(t, \"x\"", "ERR: expecting ')'"},
      {"text_match(t, \"x\", 2)", "ERR: expecting MINIMUM_SHOULD_MATCH"},
      {"text_match(t, \"x\", minimum_should_match=0)", "ERR: minimum_should_match should be >= 1, got 0"},
      {"text_match(t, \"x\", minimum_should_match=1001)", "ERR: minimum_should_match should be <= 1000, got 1001"},
      {"text_match(t, \"x\", minimum_should_match=-1)", "ERR: expecting IntegerConstant"},
      {"phrase_match(t, \"x\", -1)", "ERR: \"slop\" should not be a negative interger. \"slop\" passed: -1"},
      {"phrase_match(t, \"x\", 4294967296)", "ERR: \"slop\" exceeds the range of \"uint32\". \"slop\" expression passed: 4294967296"},
      {"phrase_match(t, \"x\", 1.5)", "ERR: \"slop\" should be a const integer expression with \"uint32\" value. \"slop\" expression passed: 1.5"},
      {"phrase_match(t, \"x\", id)", "ERR: \"slop\" should be a const integer expression"},
      {"phrase_match(t, \"x\", \"1\")", "ERR: \"slop\" should be a const integer expression"},
      {"text_match(t, \"\\xff\")", "ERR: string data must be utf8 format"},
  };
  TEST_FILTER_CASES(c, cases);
  CHECK_STR(run(c, "phrase_match(t, \"x\", 4294967295)"), "");
  /* a phrase of PT_PHRASE_MAX_TOKENS tokens is taken, one more refused */
  test_buf q = {0};
  test_buf_printf(&q, "phrase_match(t, \"");
  for (int i = 0; i < PT_PHRASE_MAX_TOKENS; i++) test_buf_printf(&q, "%sfox", i ? " " : "");
  test_buf_printf(&q, "\", 3)");
  CHECK(strncmp(run(c, q.p), "ERR", 3) != 0);
  q.len -= 5;
  test_buf_printf(&q, " fox\", 3)");
  CHECK(strstr(run(c, q.p), "phrase_match: the phrase has 257 tokens; partita matches phrases of at most 256 tokens") != NULL);
  test_buf_free(&q);
  pt_store_close(st);
}

/* ---- run_analyzer ---- */

TEST(run_analyzer) {
  char *out = NULL;
  size_t len = 0;
  pt_error e;
  const char *text = "The QUICK-brown \xc3\xa9t\xc3\xa9!";
  CHECK_OK(pt_run_analyzer(NULL, 0, text, strlen(text), 0, 0, &out, &len, &e), &e);
  CHECK_STR(out, "[\"the\",\"quick\",\"brown\",\"\xc3\xa9t\xc3\xa9\"]");
  CHECK_EQ_INT(len, strlen(out));
  pt_free(out);
  const char *en = "{\"type\":\"english\"}";
  CHECK_OK(pt_run_analyzer(en, strlen(en), "the runs", 8, 1, 1, &out, &len, &e), &e);
  char want[256];
  snprintf(want, sizeof want, "[{\"token\":\"run\",\"start_offset\":4,\"end_offset\":8,\"position\":1,\"position_length\":1,\"hash\":%u}]",
           pt_bm25_term_index("run", 3));
  CHECK_STR(out, want);
  pt_free(out);
  CHECK_OK(pt_run_analyzer(en, strlen(en), "", 0, 0, 1, &out, &len, &e), &e);
  CHECK_STR(out, "[]");
  pt_free(out);
  out = (char *)1;
  EXPECT_ERR(pt_run_analyzer("{\"type\":\"chinese\"}", 18, "x", 1, 0, 0, &out, &len, &e), &e, PT_SCHEMA, PT_CODE_PARAMETER_INVALID,
             PT_EXC_MILVUS, "chinese");
  CHECK(out == NULL);
  EXPECT_ERR(pt_run_analyzer(NULL, 0, "\xff", 1, 0, 0, &out, &len, &e), &e, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "string data must be utf8 format");
}

/* ---- random documents against the definition ---- */

static uint64_t seed = 0x2545f4914f6cdd1dull;
static unsigned rnd(unsigned n) {
  seed ^= seed << 13;
  seed ^= seed >> 7;
  seed ^= seed << 17;
  return (unsigned)(seed % n);
}

#define NWORDS 6
static const char *const WORDS[NWORDS] = {"ab", "cd", "ef", "gh", "ij", "kl"};
static const char *const CASED[NWORDS] = {"AB", "Cd", "eF", "GH", "iJ", "kL"};
static const char *const SEPS[] = {" ", ", ", "-", "  ", "'", ". "};

#define MAXW 12
typedef struct doc {
  int n, w[MAXW]; /* word indices; the tokens are these, positions 0..n-1 */
  bool live, null;
} doc;

static void doc_text(test_buf *b, const doc *d) {
  for (int i = 0; i < d->n; i++) {
    if (i) test_buf_printf(b, "%s", SEPS[rnd(6)]);
    test_buf_printf(b, "%s", rnd(3) ? WORDS[d->w[i]] : CASED[d->w[i]]);
  }
}

static void random_doc(doc *d) {
  d->n = (int)rnd(MAXW + 1);
  for (int i = 0; i < d->n; i++) d->w[i] = (int)rnd(NWORDS);
  d->null = rnd(10) == 0;
  d->live = true;
}

static void write_docs(pt_collection *c, doc *docs, const int *ids, int n, pt_op op) {
  test_buf b = {0};
  test_buf_printf(&b, "[");
  for (int k = 0; k < n; k++) {
    const doc *d = &docs[ids[k]];
    test_buf_printf(&b, "%s{\"id\":%d,\"v\":[0,0],\"e\":\"\",\"p\":\"\",\"t\":", k ? "," : "", ids[k]);
    if (d->null) {
      test_buf_printf(&b, "null}");
    } else {
      test_buf_printf(&b, "\"");
      doc_text(&b, d);
      test_buf_printf(&b, "\"}");
    }
  }
  test_buf_printf(&b, "]");
  pt_mutation_result r = test_write(c, NULL, op, b.p);
  pt_mutation_result_clear(&r);
  test_buf_free(&b);
}

/* text_match: how many of the query's tokens the document holds (each token a clause) */
static bool ref_text(const doc *d, const int *q, int nq, int min_should) {
  int clauses = 0;
  for (int k = 0; k < nq; k++)
    for (int i = 0; i < d->n; i++)
      if (d->w[i] == q[k]) {
        clauses++;
        break;
      }
  return nq > 0 && clauses >= min_should;
}

/* phrase_match: without slop, the query's words at consecutive positions; two words with a
 * slop, one of each within the slop of where the phrase puts it (in either order) */
static bool ref_phrase(const doc *d, const int *q, int nq, int slop) {
  if (nq <= 1) return ref_text(d, q, nq, 1);
  if (slop == 0) {
    for (int i = 0; i + nq <= d->n; i++) {
      int k = 0;
      while (k < nq && d->w[i + k] == q[k]) k++;
      if (k == nq) return true;
    }
    return false;
  }
  for (int i = 0; i < d->n; i++)
    for (int j = 0; j < d->n; j++)
      if (d->w[i] == q[0] && d->w[j] == q[1] && abs(i + 1 - j) <= slop) return true;
  return false;
}

TEST(random_against_the_definition) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "m", SCHEMA);
  enum { N = 400 };
  static doc docs[N];
  int ids[N];
  for (int i = 0; i < N; i++) {
    random_doc(&docs[i]);
    ids[i] = i;
  }
  write_docs(c, docs, ids, N, PT_OP_INSERT);
  for (int round = 0; round < 6; round++) {
    /* delete some, upsert some with new text */
    test_buf b = {0};
    test_buf_printf(&b, "id in [");
    int nd = 0, nu = 0;
    for (int k = 0; k < 20; k++) {
      int i = (int)rnd(N);
      if (!docs[i].live) continue;
      test_buf_printf(&b, "%s%d", nd++ ? "," : "", i);
      docs[i].live = false;
    }
    test_buf_printf(&b, "]");
    pt_mutation_result r;
    pt_error e;
    CHECK_OK(pt_collection_delete(c, NULL, 0, b.p, b.len, &r, &e), &e);
    pt_mutation_result_clear(&r);
    test_buf_free(&b);
    for (int k = 0; k < 15; k++) {
      int i = (int)rnd(N);
      bool dup = false;
      for (int j = 0; j < nu; j++) dup |= ids[j] == i;
      if (dup) continue;
      random_doc(&docs[i]);
      ids[nu++] = i;
    }
    write_docs(c, docs, ids, nu, PT_OP_UPSERT);

    for (int qn = 0; qn < 40; qn++) {
      int q[5], nq = (int)rnd(4) + (qn % 3 == 0 ? 0 : 1);
      test_buf qt = {0};
      for (int k = 0; k < nq; k++) {
        q[k] = (int)rnd(NWORDS + 1) % NWORDS;
        test_buf_printf(&qt, "%s%s", k ? " " : "", rnd(2) ? WORDS[q[k]] : CASED[q[k]]);
      }
      bool phrase = qn % 2;
      int slop = phrase && nq == 2 ? (int)rnd(4) : 0, min_should = phrase ? 1 : (int)rnd(3) + 1;
      char expr[256];
      if (phrase) snprintf(expr, sizeof expr, "phrase_match(t, \"%s\", %d)", qt.p ? qt.p : "", slop);
      else snprintf(expr, sizeof expr, "text_match(t, \"%s\", minimum_should_match=%d)", qt.p ? qt.p : "", min_should);
      int nw = 0;
      /* storage order: the query returns rows as stored; compare as sets via a sorted list */
      bool hit[N] = {0};
      for (int i = 0; i < N; i++)
        if (docs[i].live && !docs[i].null)
          hit[i] = phrase ? ref_phrase(&docs[i], q, nq, slop) : ref_text(&docs[i], q, nq, min_should);
      const char *got = run(c, expr);
      bool seen[N] = {0};
      int ng = 0;
      for (const char *p = got; *p && strncmp(got, "ERR", 3) != 0;) {
        int id = atoi(p);
        if (id >= 0 && id < N) seen[id] = true;
        ng++;
        p = strchr(p, ',');
        if (!p) break;
        p++;
      }
      for (int i = 0; i < N; i++) {
        nw += hit[i];
        if (hit[i] != seen[i]) {
          fprintf(stderr, "  FAIL %s: row %d (%s) want %d got %d\n", expr, i, docs[i].null ? "null" : "text", hit[i], seen[i]);
          pt_test_failures++;
          break;
        }
      }
      if (strncmp(got, "ERR", 3) == 0 || nw != ng) {
        fprintf(stderr, "  FAIL %s: %d rows wanted, got %s\n", expr, nw, got);
        pt_test_failures++;
      }
      test_buf_free(&qt);
    }
  }
  pt_store_close(st);
}

TEST_MAIN(T(schema_params), T(text_match_cases), T(errors), T(run_analyzer), T(random_against_the_definition))
