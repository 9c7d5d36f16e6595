/*
 * fuzz_analyzer.c — libFuzzer target: analyzer_params and text (src/analyzer.c, stemmer.c,
 * unicode.c, and bm25.c's term vectors). The input is the params, a NUL byte, then the text; an
 * input without a NUL is params alone, also run as the text of the standard analyzer.
 *
 * Oracles: refused params fill their error in (a UTF-8 message) and return no analyzer; text
 * that is not UTF-8 is refused and everything else is accepted; every token lies within the text,
 * tokens do not overlap and come in order with rising positions, and their texts are UTF-8 in the
 * run's arena; under the standard analyzer each token is a maximal run of alphanumeric characters
 * and its text is the slice lowercased (checked here character by character); a second run gives
 * the same tokens; the term vector counts every token once; stemming a token never lengthens it
 * nor breaks its UTF-8; a run holds at most a token and 1.5 bytes of token text per byte of text
 * (and libFuzzer's -timeout / -rss_limit_mb hold time and memory to that).
 */
#include "fuzz_common.h"

#include "analyzer.h"
#include "bm25.h"
#include "stemmer.h"
#include "text.h"
#include "unicode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what) {
  fprintf(stderr, "fuzz: %s\n", what);
  abort();
}

/* The tokens' shape, whatever the analyzer. */
static void check_tokens(const pt_tokens *t, const char *text, size_t len) {
  for (size_t i = 0; i < t->n; i++) {
    const pt_atoken *k = &t->v[i];
    if (!(k->start < k->end && k->end <= len)) fail("a token outside the text");
    if (i && (k->start < t->v[i - 1].end || k->position <= t->v[i - 1].position)) fail("tokens out of order");
    if ((size_t)k->text + k->len > t->text_len) fail("a token's text outside the arena");
    if (pt_utf8_check(pt_token_text(t, i), k->len) != k->len) fail("a token's text is not UTF-8");
    if (pt_utf8_check(text + k->start, k->end - k->start) != k->end - k->start) fail("a token cuts a character");
  }
}

/* The standard analyzer's tokens: maximal alphanumeric runs, lowercased. */
static void check_standard(const pt_tokens *t, const char *text, size_t len) {
  size_t i = 0, next = 0;
  while (i < len) {
    size_t n;
    uint32_t cp = pt_utf8_decode(text + i, len - i, &n);
    if (!pt_uni_is_alnum(cp)) {
      i += n;
      continue;
    }
    size_t start = i, out = 0;
    char want[4096];
    bool fits = true;
    while (i < len) {
      cp = pt_utf8_decode(text + i, len - i, &n);
      if (!pt_uni_is_alnum(cp)) break;
      uint32_t lo[2];
      size_t m = pt_uni_lower(cp, lo);
      for (size_t j = 0; j < m; j++) {
        if (out + 4 > sizeof want) fits = false;
        else out += pt_utf8_encode(lo[j], want + out);
      }
      i += n;
    }
    if (next >= t->n) fail("the standard analyzer missed a token");
    const pt_atoken *k = &t->v[next];
    if (k->start != start || k->end != i || k->position != next) fail("a standard token's bounds or position");
    if (fits && (k->len != out || memcmp(pt_token_text(t, next), want, out) != 0)) fail("a standard token's text");
    next++;
  }
  if (next != t->n) fail("the standard analyzer made a token of nothing");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (64u << 10)) return 0;
  const char *in = (const char *)data;
  const char *nul = memchr(in, 0, size);
  size_t plen = nul ? (size_t)(nul - in) : size;
  const char *text = nul ? nul + 1 : in;
  size_t tlen = nul ? size - plen - 1 : size;

  pt_analyzer *a = NULL;
  pt_error e;
  pt_status rc = pt_analyzer_new(in, plen, &a, &e);
  if (rc != PT_OK) {
    if (a || e.status != rc || !e.message[0]) fail("a refused analyzer without its error");
    if (pt_utf8_check(e.message, strlen(e.message)) != strlen(e.message)) fail("an error message that is not UTF-8");
    if (rc == PT_NOMEM) fail("out of memory with no failing allocator");
  }
  pt_analyzer *std = NULL;
  if (pt_analyzer_new("", 0, &std, &e) != PT_OK) fail("the standard analyzer");
  bool utf8 = pt_utf8_check(text, tlen) == tlen;
  pt_tokens t = {0}, again = {0};
  for (int pass = 0; pass < 2; pass++) {
    pt_analyzer *run = pass == 0 ? a : std;
    if (!run) continue;
    rc = pt_analyzer_run(run, text, tlen, &t, &e);
    if (!utf8) {
      if (rc != PT_PARSE || t.n != 0) fail("text that is not UTF-8 was not refused");
      continue;
    }
    if (rc != PT_OK) fail(e.message);
    check_tokens(&t, text, tlen);
    /* linear memory, as analyzer.h promises: a token per byte at most, 1.5 bytes of text per byte */
    if (t.n > tlen || t.text_len > tlen + tlen / 2) fail("a run larger than its text allows");
    if (pass == 1) check_standard(&t, text, tlen);
    /* the same again */
    if (pt_analyzer_run(run, text, tlen, &again, &e) != PT_OK || again.n != t.n || again.text_len != t.text_len ||
        (t.n && memcmp(again.v, t.v, t.n * sizeof *t.v) != 0) ||
        (t.text_len && memcmp(again.text, t.text, t.text_len) != 0))
      fail("a second run differs");
    /* the term vector counts every token once */
    pt_bm25_vec v = {0};
    if (pt_bm25_vectorize(&t, &v) != PT_OK) fail("vectorize");
    float sum = 0;
    for (size_t i = 0; i < v.n; i++) {
      if (i && v.p[i].index <= v.p[i - 1].index) fail("a term vector out of order");
      sum += v.p[i].value;
    }
    if ((size_t)sum != t.n) fail("a term vector that does not count every token");
    pt_bm25_vec_release(&v);
    /* stemming never lengthens a token nor breaks its UTF-8 */
    for (size_t i = 0; i < t.n && i < 64; i++) {
      size_t n = t.v[i].len;
      char *w = malloc(PT_STEM_ROOM(n));
      memcpy(w, pt_token_text(&t, i), n);
      size_t m = pt_stem_english(w, n);
      if (m > n || pt_utf8_check(w, m) != m) fail("a stem longer than its word, or not UTF-8");
      free(w);
    }
  }
  pt_tokens_release(&t);
  pt_tokens_release(&again);
  pt_analyzer_free(a);
  pt_analyzer_free(std);
  return 0;
}
