/*
 * test_fts.c — the BM25 function in schemas and writes, and search by text (src/fts.c, the BM25
 * branch of search.c), through the public API.
 * Covers:
 *   - the function in a schema: read, described back, read again equal, saved in a snapshot and
 *     loaded back; every refusal of Milvus's validateFunction with its message;
 *   - writes: the output is computed from the input (insert, upsert in place and appended,
 *     merge-mode upsert with and without the text), refused when given, never returned by a
 *     query ("*" leaves it out, naming it is Milvus's error);
 *   - search by text: scores equal a reference computed here from the definition (Milvus's IDF
 *     over every partition's live rows, k1, b, avgdl) to 1e-5, across partitions, filters,
 *     inserts after the search state is built, deletes, upserts, compaction and a snapshot round
 *     trip; bm25_k1 / bm25_b /
 *     drop_ratio_search and their refusals; the metric and data refusals.
 */
#include "harness.h"

#include <math.h>
#include <stdlib.h>

#define FN "{\"name\":\"bm\",\"type\":1,\"input_field_names\":[\"t\"],\"output_field_names\":[\"s\"]}"

static const char *const SCHEMA =
    "{\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true},{\"name\":\"v\",\"dtype\":101,\"dim\":2},"
    "{\"name\":\"t\",\"dtype\":21,\"max_length\":256,\"enable_analyzer\":true},"
    "{\"name\":\"s\",\"dtype\":104}],\"functions\":[" FN "]}";

/* ---- the reference: documents as the test keeps them ---- */

#define MAXD 64
typedef struct doc {
  int64_t id;
  char text[256];
  int part; /* 0: _default, 1: p1 */
  bool live;
} doc;
static doc docs[MAXD];
static size_t n_docs;

/* Whitespace-separated lowercase words (the standard analyzer's tokens for such text). */
static size_t words(const char *s, char out[][32], size_t max) {
  size_t n = 0;
  while (*s && n < max) {
    while (*s == ' ') s++;
    if (!*s) break;
    size_t k = 0;
    while (*s && *s != ' ') out[n][k++] = *s++;
    out[n][k] = '\0';
    n++;
  }
  return n;
}

static size_t count_in(const char *text, const char *w) {
  char ws[64][32];
  size_t n = words(text, ws, 64), c = 0;
  for (size_t i = 0; i < n; i++) c += strcmp(ws[i], w) == 0;
  return c;
}

/* Milvus's score of a live document for a query, from the definition, in double. */
static double ref_score(const doc *d, const char *query, double k1, double b) {
  double N = 0, tokens = 0;
  char qw[32][32], dw[64][32];
  for (size_t i = 0; i < n_docs; i++)
    if (docs[i].live) { N++; tokens += (double)words(docs[i].text, dw, 64); }
  double avgdl = N ? tokens / N : 0;
  if (avgdl < 1) avgdl = 1;
  size_t nq = words(query, qw, 32);
  double dl = (double)words(d->text, dw, 64), sum = 0;
  for (size_t i = 0; i < nq; i++) {
    bool seen = false;
    for (size_t j = 0; j < i; j++) seen |= strcmp(qw[i], qw[j]) == 0;
    if (seen) continue;
    double qtf = (double)count_in(query, qw[i]);
    double df = 0;
    for (size_t j = 0; j < n_docs; j++) df += docs[j].live && count_in(docs[j].text, qw[i]) > 0;
    double idf = log(1 + (N - df + 0.5) / (df + 0.5));
    double tf = (double)count_in(d->text, qw[i]);
    if (tf > 0) sum += qtf * idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl));
  }
  return sum;
}

static void put_doc(pt_collection *c, int64_t id, const char *text, int part, pt_op op) {
  char json[512];
  snprintf(json, sizeof json, "[{\"id\":%lld,\"v\":[0,0],\"t\":\"%s\"}]", (long long)id, text);
  pt_mutation_result r = test_write(c, part ? "p1" : NULL, op, json);
  pt_mutation_result_clear(&r);
  for (size_t i = 0; i < n_docs; i++)
    if (docs[i].id == id && docs[i].part == part) docs[i].live = false;
  doc *d = &docs[n_docs++];
  d->id = id;
  snprintf(d->text, sizeof d->text, "%s", text);
  d->part = part;
  d->live = true;
}

/* Searches `query` (an expression `expr`, params) and checks every hit's score against the
 * reference, and that the hits are exactly the live documents scoring above 0 (up to limit). */
static void check_search(pt_collection *c, const char *query, const char *expr, double k1, double b, const char *params) {
  char req[1024];
  snprintf(req, sizeof req,
           "{\"anns_field\":\"s\",\"metric_type\":\"BM25\",\"limit\":50,\"expr\":\"%s\",\"output_fields\":[\"id\"],"
           "\"params\":%s,\"sparse\":[\"%s\"]}",
           expr, params, query);
  pt_search_result *res = NULL;
  pt_error e;
  pt_status rc = pt_collection_search(c, req, strlen(req), NULL, 0, &res, &e);
  CHECK_OK(rc, &e);
  if (rc) return;
  const pt_rows *rows = pt_search_rows(res);
  uint32_t n = pt_search_counts(res)[0];
  const float *dist = pt_search_distances(res);
  size_t want = 0;
  for (size_t i = 0; i < n_docs; i++)
    if (docs[i].live && ref_score(&docs[i], query, k1, b) > 0 &&
        (!expr[0] || (strcmp(expr, "id > 3") == 0 && docs[i].id > 3)))
      want++;
  CHECK_EQ_INT(n, want);
  for (uint32_t h = 0; h < n; h++) {
    int64_t id = test_i64(rows, 0, h);
    const doc *d = NULL;
    for (size_t i = 0; i < n_docs; i++)
      if (docs[i].live && docs[i].id == id) d = &docs[i];
    CHECK(d != NULL);
    if (!d) continue;
    double r = ref_score(d, query, k1, b);
    if (!(fabs(r - dist[h]) <= 1e-5 * (1 + fabs(r)))) {
      printf("  query '%s' id %lld: score %.9g, reference %.9g\n", query, (long long)id, dist[h], r);
      CHECK(0);
    }
    if (h) CHECK(dist[h] <= dist[h - 1]);
  }
  pt_search_free(res);
}

static pt_collection *fresh(pt_store *st) {
  n_docs = 0;
  pt_collection *c = test_collection(st, "f", SCHEMA);
  pt_error e;
  CHECK_OK(pt_partition_create(c, "p1", 2, &e), &e);
  return c;
}

TEST(scores_follow_the_definition) {
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  put_doc(c, 1, "apple banana apple cherry", 0, PT_OP_INSERT);
  put_doc(c, 2, "banana split", 0, PT_OP_INSERT);
  put_doc(c, 3, "cherry cherry cherry pie with apple", 0, PT_OP_INSERT);
  put_doc(c, 4, "durian", 1, PT_OP_INSERT);
  put_doc(c, 5, "apple pie apple pie apple pie and more words here", 1, PT_OP_INSERT);
  const char *queries[] = {"apple", "banana cherry", "apple apple pie", "durian split", "nothing", "pie"};
  for (size_t i = 0; i < 6; i++) check_search(c, queries[i], "", 1.2, 0.75, "{}");
  check_search(c, "apple pie", "id > 3", 1.2, 0.75, "{}");
  check_search(c, "apple pie", "", 2.0, 0.3, "{\"bm25_k1\":2,\"bm25_b\":0.3}");
  check_search(c, "apple pie", "", 0, 1, "{\"bm25_k1\":\"0\",\"bm25_b\":1}");
  /* inserts into partitions whose search state exists enter it (a plain insert, as a load's) */
  put_doc(c, 7, "apple cherry words", 0, PT_OP_INSERT);
  put_doc(c, 8, "durian pie", 1, PT_OP_INSERT);
  for (size_t i = 0; i < 6; i++) check_search(c, queries[i], "", 1.2, 0.75, "{}");
  /* deletes and upserts change the statistics: in place (same length), appended, across partitions */
  pt_mutation_result r;
  pt_error e;
  CHECK_OK(pt_collection_delete(c, NULL, 0, "id == 2", 7, &r, &e), &e);
  pt_mutation_result_clear(&r);
  docs[1].live = false;
  for (size_t i = 0; i < 6; i++) check_search(c, queries[i], "", 1.2, 0.75, "{}");
  put_doc(c, 1, "apple banana apple durian", 0, PT_OP_UPSERT); /* same bytes: overwritten in place */
  put_doc(c, 3, "pie", 0, PT_OP_UPSERT);                       /* appended */
  put_doc(c, 6, "banana banana", 1, PT_OP_UPSERT);
  for (size_t i = 0; i < 6; i++) check_search(c, queries[i], "", 1.2, 0.75, "{}");
  /* compaction renumbers the rows: the state is rebuilt */
  CHECK_OK(pt_collection_compact(c, NULL, 0, NULL, &e), &e);
  for (size_t i = 0; i < 6; i++) check_search(c, queries[i], "", 1.2, 0.75, "{}");
  /* a snapshot's copy scores the same */
  uint8_t *bytes = NULL;
  size_t len = 0;
  CHECK_OK(pt_collection_save(c, &bytes, &len, &e), &e);
  pt_collection *copy = NULL;
  CHECK_OK(pt_collection_load(st, bytes, len, "g", 1, &copy, &e), &e);
  pt_free(bytes);
  if (copy)
    for (size_t i = 0; i < 6; i++) check_search(copy, queries[i], "", 1.2, 0.75, "{}");
  pt_store_close(st);
}

TEST(writes_compute_the_output) {
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  pt_error e;
  pt_mutation_result r;
  char *before = test_snapshot(c);
  /* given: pymilvus's message, nothing written */
  const char *given = "[{\"id\":1,\"v\":[0,0],\"t\":\"a\",\"s\":{\"1\":0.5}}]";
  EXPECT_ERR(pt_collection_write_json(c, NULL, 0, PT_OP_INSERT, given, strlen(given), 0, &r, &e), &e, PT_SCHEMA,
             PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, "Attempt to insert an unexpected function output field `s` to collection");
  test_unchanged(__FILE__, __LINE__, before, c);
  /* columns: the output is not one of them */
  const char *cols = "[[1],[[0,0]],[\"hello world\"]]";
  CHECK_OK(pt_collection_write_json(c, NULL, 0, PT_OP_INSERT, cols, strlen(cols), 0, &r, &e), &e);
  pt_mutation_result_clear(&r);
  n_docs = 0;
  docs[n_docs++] = (doc){1, "hello world", 0, true};
  check_search(c, "hello", "", 1.2, 0.75, "{}");
  /* query: "*" leaves the output out, naming it is Milvus's error */
  pt_rows *rows = test_query(c, "{\"expr\":\"id > 0\",\"output_fields\":[\"*\"]}");
  CHECK(rows && test_col(rows, "s") < 0 && test_col(rows, "t") >= 0);
  pt_rows_free(rows);
  const char *q = "{\"expr\":\"id > 0\",\"output_fields\":[\"s\"]}";
  EXPECT_ERR(pt_collection_query(c, q, strlen(q), &rows, &e), &e, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "not allowed to retrieve raw data of field s");
  /* merge-mode upsert: without the text the output stays; with it, it follows */
  const char *m1 = "[{\"id\":1,\"v\":[1,1]}]";
  CHECK_OK(pt_collection_write_json(c, NULL, 0, PT_OP_UPSERT, m1, strlen(m1), PT_WRITE_MERGE, &r, &e), &e);
  pt_mutation_result_clear(&r);
  check_search(c, "hello", "", 1.2, 0.75, "{}");
  const char *m2 = "[{\"id\":1,\"t\":\"goodbye world\"}]";
  CHECK_OK(pt_collection_write_json(c, NULL, 0, PT_OP_UPSERT, m2, strlen(m2), PT_WRITE_MERGE, &r, &e), &e);
  pt_mutation_result_clear(&r);
  snprintf(docs[0].text, sizeof docs[0].text, "goodbye world");
  check_search(c, "hello", "", 1.2, 0.75, "{}");
  check_search(c, "goodbye", "", 1.2, 0.75, "{}");
  /* a new key in merge mode needs the text like any required field */
  const char *m3 = "[{\"id\":9,\"v\":[1,1]}]";
  EXPECT_ERR(pt_collection_write_json(c, NULL, 0, PT_OP_UPSERT, m3, strlen(m3), PT_WRITE_MERGE, &r, &e), &e, PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "fieldSchema(t) has no corresponding fieldData pass in");
  pt_store_close(st);
}

static pt_status create(pt_store *st, const char *fields, const char *fns, pt_error *e) {
  char json[2048];
  snprintf(json, sizeof json,
           "{\"fields\":[{\"name\":\"id\",\"dtype\":5,\"is_primary\":true},{\"name\":\"v\",\"dtype\":101,\"dim\":2},%s],"
           "\"functions\":[%s]}",
           fields, fns);
  return test_try_create(st, json, e);
}

/* A refusal with its status and message (the codes are checked where the tables give them). */
static void expect_refusal(int line, pt_status rc, const pt_error *e, pt_status st, int32_t code, const char *msg) {
  if (rc == st && (code < 0 || e->code == code) && strstr(e->message, msg)) return;
  fprintf(stderr, "  FAIL %s:%d: got %s code=%d \"%s\", expected %s code=%d \"%s\"\n", __FILE__, line, pt_status_str(rc),
          (int)e->code, e->message, pt_status_str(st), (int)code, msg);
  pt_test_failures++;
}

#define TXT "{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"enable_analyzer\":true}"
#define SP "{\"name\":\"s\",\"dtype\":104}"

TEST(schema_checks) {
  pt_store *st = test_store();
  pt_error e;
  CHECK_OK(create(st, TXT "," SP, FN, &e), &e);
  CHECK_OK(create(st, TXT "," SP, "{\"name\":\"bm\",\"type\":\"BM25\",\"input_field_names\":\"t\",\"output_field_names\":\"s\",\"params\":{}}", &e), &e);
  struct { const char *fields, *fns; pt_status st; const char *msg; } cases[] = { /* client-side first (code 1) */
    {TXT "," SP, "{\"name\":\"bm\",\"type\":2,\"input_field_names\":[\"t\"],\"output_field_names\":[\"s\"]}", PT_SCHEMA, "Unknown function type."},
    {TXT "," SP, "{\"name\":\"bm\",\"type\":1,\"input_field_names\":[\"t\",\"t\"],\"output_field_names\":[\"s\"]}", PT_SCHEMA, "Duplicate input field names are not allowed in function."},
    {TXT "," SP, "{\"name\":\"bm\",\"type\":1,\"input_field_names\":[\"t\"],\"output_field_names\":[\"t\"]}", PT_SCHEMA, "Input and output field names must be different."},
    {TXT "," SP, "{\"name\":\"bm\",\"type\":1,\"input_field_names\":[1],\"output_field_names\":[\"s\"]}", PT_TYPE_MISMATCH, "The type of function input and output must be str."},
    {TXT "," SP, "{\"name\":\"\",\"type\":1,\"input_field_names\":[\"t\"],\"output_field_names\":[\"s\"]}", PT_SCHEMA, "function name cannot be empty"},
    {TXT "," SP, "{\"name\":\"bm\",\"type\":1,\"input_field_names\":[],\"output_field_names\":[\"s\"]}", PT_SCHEMA, "function input field names cannot be empty, function: bm"},
    {TXT "," SP, "{\"name\":\"bm\",\"type\":1,\"input_field_names\":[\"t\"],\"output_field_names\":[\"s\"],\"params\":{\"a\":1}}", PT_SCHEMA, "BM25 function accepts no params"},
    {TXT "," SP, "{\"name\":\"bm\",\"type\":1,\"input_field_names\":[\"x\"],\"output_field_names\":[\"s\"]}", PT_SCHEMA, "function input field not found: x"},
    {TXT "," SP, "{\"name\":\"bm\",\"type\":1,\"input_field_names\":[\"t\"],\"output_field_names\":[\"x\"]}", PT_SCHEMA, "function output field not found: x"},
    {"{\"name\":\"t\",\"dtype\":21,\"max_length\":8}," SP, FN, PT_SCHEMA, "BM25 function input field must set enable_analyzer to true"},
    {"{\"name\":\"t\",\"dtype\":5}," SP, FN, PT_SCHEMA, "BM25 function input field must be a VARCHAR field, got 1 field with type Int64"},
    {"{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"enable_analyzer\":true,\"nullable\":true}," SP, FN, PT_SCHEMA,
     "function input field cannot be nullable: function bm, field t"},
    {TXT ",{\"name\":\"s\",\"dtype\":101,\"dim\":2}", FN, PT_SCHEMA, "BM25 function output field must be a SparseFloatVector field, but got FloatVector"},
    {TXT "," SP ",{\"name\":\"u\",\"dtype\":21,\"max_length\":8,\"enable_analyzer\":true}",
     FN ",{\"name\":\"bm2\",\"type\":1,\"input_field_names\":[\"u\"],\"output_field_names\":[\"s\"]}", PT_SCHEMA,
     "duplicate function output field: function bm2, field s"},
    {TXT "," SP, FN "," FN, PT_SCHEMA, "duplicate function name: bm"},
    {TXT ",{\"name\":\"s\",\"dtype\":104,\"is_function_output\":true}", "", PT_SCHEMA, "field s is marked is_function_output but no function outputs it"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    expect_refusal(__LINE__, create(st, cases[i].fields, cases[i].fns, &e), &e, cases[i].st,
                   i < 4 ? PT_CODE_CLIENT : i == 15 ? PT_CODE_PARAMETER_INVALID : PT_CODE_UNEXPECTED, cases[i].msg);
  /* described back and read again: equal; is_function_output shown */
  pt_schema *s = test_schema(SCHEMA);
  pt_collection *c = NULL;
  CHECK_OK(pt_collection_create(st, "d", 1, s, NULL, &c, &e), &e);
  pt_schema_free(s);
  char *json = NULL;
  size_t len = 0;
  CHECK_OK(pt_schema_to_json(pt_collection_schema(c), &json, &len), (pt_error *)NULL);
  CHECK(strstr(json, "\"is_function_output\":true") != NULL);
  CHECK(strstr(json, "\"functions\":[{\"name\":\"bm\",\"description\":\"\",\"type\":1,\"input_field_names\":[\"t\"],"
                     "\"output_field_names\":[\"s\"],\"params\":{}}]") != NULL);
  pt_schema *back = NULL;
  CHECK_OK(pt_schema_from_json(json, len, &back, &e), &e);
  pt_free(json);
  pt_schema_free(back);
  pt_store_close(st);
}

TEST(search_refusals) {
  pt_store *st = test_store();
  pt_collection *c = fresh(st);
  put_doc(c, 1, "apple", 0, PT_OP_INSERT);
  pt_error e;
  pt_search_result *res = NULL;
  struct { const char *req; pt_status st; const char *msg; } cases[] = {
    {"{\"anns_field\":\"s\",\"metric_type\":\"IP\",\"sparse\":[\"apple\"]}", PT_MISUSE, "metric type not match: invalid parameter[expected=BM25][actual=IP]"},
    {"{\"anns_field\":\"s\",\"sparse\":[{\"1\":0.5}]}", PT_TYPE_MISMATCH, "field s is the output of a BM25 function: search it with texts"},
    {"{\"anns_field\":\"s\",\"sparse\":[]}", PT_RANGE, "nq"},
    {"{\"anns_field\":\"s\",\"params\":{\"bm25_k1\":3.5},\"sparse\":[\"apple\"]}", PT_RANGE,
     "Out of range in json: param 'bm25_k1' (3.5) should be in range [0.000000, 3.000000]"},
    {"{\"anns_field\":\"s\",\"params\":{\"bm25_b\":-1},\"sparse\":[\"apple\"]}", PT_RANGE, "param 'bm25_b' (-1)"},
    {"{\"anns_field\":\"s\",\"params\":{\"drop_ratio_search\":1},\"sparse\":[\"apple\"]}", PT_RANGE, "param 'drop_ratio_search' (1) should be in range [0.000000, 1.000000)"},
    {"{\"anns_field\":\"s\",\"params\":{\"bm25_k1\":true},\"sparse\":[\"apple\"]}", PT_MISUSE, "Type conflict in json: param 'bm25_k1' (true) should be a number"},
    {"{\"anns_field\":\"s\",\"output_fields\":[\"s\"],\"sparse\":[\"apple\"]}", PT_SCHEMA, "not allowed to retrieve raw data of field s"},
    {"{\"anns_field\":\"s\",\"int_ids\":[1]}", PT_MISUSE, "search by primary keys is not supported on BM25 function output field s"},
    {"{\"anns_field\":\"v\",\"metric_type\":\"BM25\"}", PT_MISUSE, "metric type not match: invalid parameter[expected=L2, IP or COSINE][actual=BM25]"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    expect_refusal(__LINE__, pt_collection_search(c, cases[i].req, strlen(cases[i].req), NULL, 0, &res, &e), &e, cases[i].st,
                   -1, cases[i].msg);
  }
  /* drop_ratio_search drops the query's smaller weights: "apple zebra" keeps the rarer term */
  check_search(c, "apple", "", 1.2, 0.75, "{\"drop_ratio_search\":0.5}");
  pt_store_close(st);
}

TEST_MAIN(T(scores_follow_the_definition), T(writes_compute_the_output), T(schema_checks), T(search_refusals))
