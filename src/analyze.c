/*
 * analyze.c — Milvus's run_analyzer (pt_run_analyzer, include/partita.h): an analyzer built from
 * its params (analyzer.h) run over one text, the tokens written as JSON in the shape pymilvus's
 * AnalyzeResult gives them, with the BM25 function's term index (bm25.h) as each token's hash.
 */
#include "analyzer.h"
#include "bm25.h"
#include "text.h"

pt_status pt_run_analyzer(const char *params, size_t params_len, const char *text, size_t text_len, int detail,
                          int hash, char **out, size_t *out_len, pt_error *err) {
  if (!out || (!params && params_len) || (!text && text_len))
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_run_analyzer: missing argument");
  *out = NULL;
  pt_analyzer *a = NULL;
  pt_status rc = pt_analyzer_new(params, params_len, &a, err);
  if (rc) return rc;
  pt_tokens t = {0};
  rc = pt_analyzer_run(a, text ? text : "", text_len, &t, err);
  pt_text j = {0};
  if (rc == PT_OK) {
    pt_text_char(&j, '[');
    for (size_t i = 0; i < t.n; i++) {
      const pt_atoken *k = &t.v[i];
      if (i) pt_text_char(&j, ',');
      if (!detail && !hash) {
        pt_text_json_string(&j, pt_token_text(&t, i), k->len);
        continue;
      }
      pt_text_puts(&j, "{\"token\":");
      pt_text_json_string(&j, pt_token_text(&t, i), k->len);
      if (detail) {
        pt_text_puts(&j, ",\"start_offset\":");
        pt_text_u64(&j, k->start);
        pt_text_puts(&j, ",\"end_offset\":");
        pt_text_u64(&j, k->end);
        pt_text_puts(&j, ",\"position\":");
        pt_text_u64(&j, k->position);
        pt_text_puts(&j, ",\"position_length\":1");
      }
      if (hash) {
        pt_text_puts(&j, ",\"hash\":");
        pt_text_u64(&j, pt_bm25_term_index(pt_token_text(&t, i), k->len));
      }
      pt_text_char(&j, '}');
    }
    pt_text_char(&j, ']');
    if (j.oom) rc = pt_fail_nomem(err);
  }
  pt_tokens_release(&t);
  pt_analyzer_free(a);
  if (rc) {
    pt_text_release(&j);
    return rc;
  }
  *out = j.p;
  if (out_len) *out_len = j.len;
  pt_error_clear(err);
  return PT_OK;
}
