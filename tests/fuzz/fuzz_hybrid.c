/*
 * fuzz_hybrid.c — libFuzzer target: the two parsers issue 19 added, schemas with functions
 * (src/schema.c) and hybrid search requests (src/hybrid.c), and search by text (fts.c). The
 * first byte chooses: even, the rest is a schema's JSON; odd, a hybrid search request's JSON
 * against a collection with a dense field and a BM25 function (two sub-requests' vectors given:
 * a dense one and the text "quick brown fox").
 *
 * Oracles. Schemas: a refused one fills its error in; an accepted one reads back exactly (its
 * description parsed again describes the same text and is equal); a collection created from it
 * describes the same functions, and when it has a BM25 output, rows written to it are found by
 * text with scores that do not increase and the output is never returned. Hybrid requests: a
 * refused one fills its error in and changes nothing; an accepted one gives at most `limit` hits
 * per query, scores that do not increase, and rows for every hit.
 */
#include "fuzz_common.h"

#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "fuzz: %s\n", what);
  abort();
}

static void check_hits(const pt_search_result *r, double limit) {
  const uint32_t *counts = pt_search_counts(r);
  const float *d = pt_search_distances(r);
  size_t at = 0;
  for (size_t q = 0; q < pt_search_nq(r); q++) {
    if (limit > 0 && counts[q] > limit) fail("more hits than the limit");
    for (uint32_t j = 1; j < counts[q]; j++)
      if (d[at + j] > d[at + j - 1]) fail("scores increase");
    at += counts[q];
  }
  if (pt_rows_count(pt_search_rows(r)) != at) fail("a hit without its row");
}

static void fuzz_schema(const char *json, size_t len) {
  pt_error e;
  pt_schema *a = NULL;
  pt_status rc = pt_schema_from_json(json, len, &a, &e);
  fuzz_error_filled(rc, &e, "pt_schema_from_json");
  if (rc) return;
  char *t1 = NULL, *t2 = NULL;
  size_t l1 = 0, l2 = 0;
  pt_schema *b = NULL;
  if (pt_schema_to_json(a, &t1, &l1) || pt_schema_from_json(t1, l1, &b, &e) || pt_schema_to_json(b, &t2, &l2))
    fail("an accepted schema does not read back");
  if (l1 != l2 || memcmp(t1, t2, l1) != 0 || !pt_schema_equal(a, b)) fail("a schema reads back differently");
  pt_store *st = test_store();
  pt_collection *c = NULL;
  rc = pt_collection_create(st, "x", 1, a, NULL, &c, &e);
  fuzz_error_filled(rc, &e, "pt_collection_create");
  if (rc == PT_OK) {
    const pt_schema *s = pt_collection_schema(c);
    if (s->n_functions != a->n_functions) fail("the collection's functions differ from its schema's");
    int out = -1;
    for (size_t i = 0; i < s->n_fields; i++)
      if (s->fields[i].bm25_input >= 0) out = (int)i;
    if (out >= 0 && s->fields[s->primary].dtype == PT_INT64 && !s->fields[s->primary].auto_id) {
      /* rows with the input's text and every other field left to its default: the write may
       * be refused (required fields); when it is not, the text is found */
      char rows[512];
      snprintf(rows, sizeof rows, "[{\"%s\":1,\"%s\":\"quick brown fox\"},{\"%s\":2,\"%s\":\"fox\"}]", s->fields[s->primary].name,
               s->fields[s->fields[out].bm25_input].name, s->fields[s->primary].name, s->fields[s->fields[out].bm25_input].name);
      pt_mutation_result r;
      if (pt_collection_write_json(c, NULL, 0, PT_OP_INSERT, rows, strlen(rows), 0, &r, &e) == PT_OK) {
        pt_mutation_result_clear(&r);
        char req[512];
        snprintf(req, sizeof req, "{\"anns_field\":\"%s\",\"limit\":5,\"output_fields\":[\"*\"],\"sparse\":[\"fox\"]}", s->fields[out].name);
        pt_search_result *res = NULL;
        if (pt_collection_search(c, req, strlen(req), NULL, 0, &res, &e) != PT_OK) fail("a search by text failed");
        if (pt_search_counts(res)[0] != 2) fail("a text search missed a row");
        check_hits(res, 5);
        const pt_rows *rows_out = pt_search_rows(res);
        for (size_t i = 0; i < pt_rows_num_columns(rows_out); i++)
          if (strcmp(pt_rows_column(rows_out, i)->name, s->fields[out].name) == 0) fail("a BM25 output was returned");
        pt_search_free(res);
      }
    }
  }
  pt_store_close(st);
  pt_free(t1);
  pt_free(t2);
  pt_schema_free(a);
  pt_schema_free(b);
}

static void fuzz_request(const char *json, size_t len) {
  static pt_store *st;
  static pt_collection *c;
  static char *before;
  if (!c) {
    st = test_store();
    c = test_collection(st, "h", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2},"
                                   "{'name':'t','dtype':21,'max_length':64,'enable_analyzer':true},{'name':'s','dtype':104}],"
                                   "'functions':[{'name':'bm','type':1,'input_field_names':['t'],'output_field_names':['s']}]}"));
    pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT,
                                      J("[{'id':1,'v':[1,0],'t':'quick brown fox'},{'id':2,'v':[0,1],'t':'lazy dog'},"
                                        "{'id':3,'v':[1,1],'t':'fox fox'}]"));
    pt_mutation_result_clear(&r);
    before = test_snapshot(c);
  }
  static const float qv[2] = {1, 0.5f};
  static const char qt[] = "[\"quick brown fox\"]";
  pt_vectors_in ins[2] = {{PT_IN_FLOAT32, 1, 2, qv, 0, NULL, NULL, 0, 0}, {PT_IN_JSON, 0, 0, qt, sizeof qt - 1, NULL, NULL, 0, 0}};
  pt_search_result *res = NULL;
  pt_error e;
  pt_status rc = pt_collection_hybrid_search(c, json, len, ins, 2, &res, &e);
  fuzz_error_filled(rc, &e, "pt_collection_hybrid_search");
  if (rc == PT_OK) {
    check_hits(res, -1);
    pt_search_free(res);
  } else if (res) {
    fail("a refused hybrid search gave a result");
  }
  fuzz_unchanged(c, before, "hybrid search");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  if (data[0] % 2 == 0) fuzz_schema((const char *)data + 1, size - 1);
  else fuzz_request((const char *)data + 1, size - 1);
  return 0;
}
