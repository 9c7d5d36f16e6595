/*
 * test_bm25.c — BM25 as Milvus computes it (src/bm25.c): the BM25 function's term indices and
 * vectors, scores of the inverted index against a reference computed here from the definition
 * (in double, to 1e-5) across inserts, deletes and upserts, knowhere's parameter checks,
 * drop_ratio_search, filters, misuse, and allocation failure swept over every fallible call.
 */
#include "harness.h"

#include <math.h>
#include <stdlib.h>

#include "analyzer.h"
#include "bm25.h"

/* ---- term indices and vectors ---- */

static uint32_t idx(const char *s) { return pt_bm25_term_index(s, strlen(s)); }

TEST(term_index) {
  /* CRC-32 (IEEE) check values, modulo 2^32 - 1 */
  CHECK_EQ_INT(idx("123456789"), 0xCBF43926u);
  CHECK_EQ_INT(idx("hello"), 0x3610A686u);
  CHECK_EQ_INT(idx(""), 0);
  /* only the first 100 bytes count: longer tokens that share them share an index */
  char a[300], b[300];
  memset(a, 'x', sizeof a);
  memset(b, 'x', sizeof b);
  b[150] = 'y';
  CHECK(pt_bm25_term_index(a, 300) == pt_bm25_term_index(b, 300));
  CHECK(pt_bm25_term_index(a, 300) == pt_bm25_term_index(a, 100));
  CHECK(pt_bm25_term_index(a, 99) != pt_bm25_term_index(a, 100));
}

/* Tokens of `text` under the standard analyzer, vectorized. */
static void vec_of(const char *text, pt_bm25_vec *v) {
  static pt_analyzer *a;
  pt_error e;
  if (!a) CHECK_OK(pt_analyzer_new("", 0, &a, &e), &e);
  pt_tokens t = {0};
  CHECK_OK(pt_analyzer_run(a, text, strlen(text), &t, &e), &e);
  CHECK_OK(pt_bm25_vectorize(&t, v), (pt_error *)NULL);
  pt_tokens_release(&t);
  if (!text[0]) { /* the last call frees the analyzer (the allocation sweep wants none left) */
    pt_analyzer_free(a);
    a = NULL;
  }
}

TEST(vectors) {
  pt_bm25_vec v = {0};
  vec_of("a B a c A", &v);
  CHECK_EQ_INT(v.n, 3);
  for (size_t i = 1; i < v.n; i++) CHECK(v.p[i - 1].index < v.p[i].index);
  for (size_t i = 0; i < v.n; i++) {
    if (v.p[i].index == idx("a")) CHECK(v.p[i].value == 3);
    else CHECK(v.p[i].value == 1 && (v.p[i].index == idx("b") || v.p[i].index == idx("c")));
  }
  CHECK(pt_bm25_doc_len(v.p, v.n) == 5);
  vec_of("", &v);
  CHECK_EQ_INT(v.n, 0);
  pt_bm25_vec_release(&v);
  pt_bm25_vec_release(&v);
}

/* ---- the reference ---- */

#define MAXDOCS 400
#define VOCAB 40

static const char *word(int i) {
  static char w[VOCAB][8];
  if (!w[i][0]) snprintf(w[i], sizeof w[i], "w%c%c", 'a' + i % 26, 'a' + i / 26);
  return w[i];
}

/* A document: counts of each vocabulary word (the reference), and its text. */
typedef struct doc {
  bool live;     /* in the index and (in this test) in the statistics */
  int tf[VOCAB];
  int len;
} doc;

static uint64_t rng = 88172645463325252ULL;
static uint32_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)rng;
}

/* A random document (Zipf-like word choice), as text and counts. */
static void make_doc(doc *d, char *text, size_t cap) {
  memset(d->tf, 0, sizeof d->tf);
  d->len = 1 + (int)(next_rand() % 30);
  size_t at = 0;
  for (int i = 0; i < d->len; i++) {
    int w = (int)(next_rand() % VOCAB);
    w = (int)((uint64_t)w * (uint64_t)(next_rand() % VOCAB) / VOCAB); /* favour small ones */
    d->tf[w]++;
    at += (size_t)snprintf(text + at, cap - at, "%s%s", i ? (i % 3 ? " " : ", ") : "", word(w));
  }
}

/* Milvus's score of doc d for query counts qtf, from the definition, over the live documents. */
static double reference(const doc *docs, size_t n_docs, const int *qtf, const doc *d, double k1, double b) {
  double N = 0, tokens = 0;
  for (size_t i = 0; i < n_docs; i++)
    if (docs[i].live) {
      N++;
      tokens += docs[i].len;
    }
  double avgdl = N > 0 && tokens > 0 ? tokens / N : 0;
  if (avgdl < 1) avgdl = 1;
  double s = 0;
  for (int t = 0; t < VOCAB; t++) {
    if (!qtf[t] || !d->tf[t]) continue;
    double df = 0;
    for (size_t i = 0; i < n_docs; i++) df += docs[i].live && docs[i].tf[t] > 0;
    double idf = log(1 + (N - df + 0.5) / (df + 0.5));
    double tf = d->tf[t];
    s += qtf[t] * idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * d->len / avgdl));
  }
  return s;
}

typedef struct world {
  doc docs[MAXDOCS];
  size_t n_docs;
  pt_bm25_stats stats;
  pt_bm25_index *ix;
  pt_bm25_vec vecs[MAXDOCS];
} world;

static void add_doc(world *w, size_t row) {
  char text[1024];
  make_doc(&w->docs[row], text, sizeof text);
  vec_of(text, &w->vecs[row]);
  CHECK_OK(pt_bm25_stats_add(&w->stats, w->vecs[row].p, w->vecs[row].n), (pt_error *)NULL);
  CHECK_OK(pt_bm25_index_add(w->ix, (uint32_t)row, w->vecs[row].p, w->vecs[row].n), (pt_error *)NULL);
  w->docs[row].live = true;
}

static void remove_doc(world *w, size_t row) {
  pt_bm25_stats_remove(&w->stats, w->vecs[row].p, w->vecs[row].n);
  CHECK_OK(pt_bm25_index_remove(w->ix, (uint32_t)row, w->vecs[row].p, w->vecs[row].n), (pt_error *)NULL);
  w->docs[row].live = false;
}

static bool odd_rows_out(const void *ctx, uint32_t row) {
  (void)ctx;
  return (row & 1) == 0;
}

/* Runs random queries and compares every hit, and the hits' order and completeness, with the
 * reference. */
static void compare(world *w, double k1, double b, bool filtered) {
  pt_bm25_params p;
  pt_bm25_params_default(&p);
  p.k1 = k1;
  p.b = b;
  pt_bm25_query q = {0};
  uint32_t ids[MAXDOCS];
  float scores[MAXDOCS];
  pt_index_filter f = {odd_rows_out, NULL};
  for (int round = 0; round < 30; round++) {
    int qtf[VOCAB] = {0};
    char text[256];
    size_t at = 0;
    int nq = 1 + (int)(next_rand() % 4);
    for (int i = 0; i < nq; i++) {
      int t = (int)(next_rand() % VOCAB);
      qtf[t]++;
      at += (size_t)snprintf(text + at, sizeof text - at, "%s ", word(t));
    }
    if (round == 0) at += (size_t)snprintf(text + at, sizeof text - at, "unknownword");
    pt_bm25_vec qv = {0};
    vec_of(text, &qv);
    CHECK_OK(pt_bm25_query_prepare(&w->stats, qv.p, qv.n, &p, &q), (pt_error *)NULL);
    size_t count = 0, k = round % 2 ? 10 : MAXDOCS;
    CHECK_OK(pt_bm25_index_search(w->ix, &q, k, filtered ? &f : NULL, ids, scores, &count), (pt_error *)NULL);
    /* every hit scores as the reference says, and as pt_bm25_score says, bit for bit */
    for (size_t i = 0; i < count; i++) {
      const doc *d = &w->docs[ids[i]];
      CHECK(d->live && (!filtered || (ids[i] & 1) == 0));
      double want = reference(w->docs, w->n_docs, qtf, d, k1, b);
      if (!(fabs(scores[i] - want) <= 1e-5 * (want > 1 ? want : 1))) {
        fprintf(stderr, "  FAIL row %u: score %.9g, reference %.9g\n", ids[i], scores[i], want);
        pt_test_failures++;
      }
      float direct = pt_bm25_score(&q, w->vecs[ids[i]].p, w->vecs[ids[i]].n, pt_bm25_doc_len(w->vecs[ids[i]].p, w->vecs[ids[i]].n));
      CHECK(direct == scores[i]);
      if (i) CHECK(scores[i - 1] > scores[i] || (scores[i - 1] == scores[i] && ids[i - 1] < ids[i]));
    }
    /* nothing that scores is missing: every live row with a positive reference is a hit, or
     * scores no more than the last hit when k cut the list */
    size_t expected = 0;
    for (size_t r = 0; r < w->n_docs; r++) {
      if (!w->docs[r].live || (filtered && (r & 1))) continue;
      double want = reference(w->docs, w->n_docs, qtf, &w->docs[r], k1, b);
      if (want <= 0) continue;
      expected++;
      bool hit = false;
      for (size_t i = 0; i < count; i++) hit |= ids[i] == r;
      if (!hit && !(count == k && want <= scores[count - 1] + 1e-5)) {
        fprintf(stderr, "  FAIL row %zu (reference %.9g) is not a hit\n", r, want);
        pt_test_failures++;
      }
    }
    CHECK_EQ_INT(count, expected < k ? expected : k);
    pt_bm25_vec_release(&qv);
  }
  pt_bm25_query_release(&q);
}

TEST(scores_match_the_definition) {
  static world w;
  memset(&w, 0, sizeof w);
  CHECK_OK(pt_bm25_index_new(&w.ix), (pt_error *)NULL);
  /* an empty collection: nothing, with avgdl 0 raised to 1 */
  compare(&w, 1.2, 0.75, false);
  w.n_docs = 300;
  for (size_t r = 0; r < w.n_docs; r++) add_doc(&w, r);
  CHECK_EQ_INT(pt_bm25_index_count(w.ix), 300);
  CHECK_EQ_INT(w.stats.num_rows, 300);
  compare(&w, 1.2, 0.75, false);
  compare(&w, 0, 0, false);
  compare(&w, 3, 1, true);
  /* deletes: a third of the rows go from the index and the statistics */
  for (size_t r = 0; r < w.n_docs; r += 3) remove_doc(&w, r);
  CHECK_EQ_INT(pt_bm25_index_count(w.ix), 200);
  compare(&w, 1.2, 0.75, false);
  compare(&w, 2, 0.3, true);
  /* upserts: rows replaced by new text in place (remove, then add the same row id) */
  for (size_t r = 1; r < w.n_docs; r += 4) {
    if (w.docs[r].live) remove_doc(&w, r);
    add_doc(&w, r);
  }
  /* and new rows after the others */
  for (size_t r = 300; r < MAXDOCS; r++) add_doc(&w, r);
  w.n_docs = MAXDOCS;
  compare(&w, 1.2, 0.75, false);
  compare(&w, 1.5, 1, true);
  /* everything removed: statistics back to zero, no hits */
  for (size_t r = 0; r < w.n_docs; r++)
    if (w.docs[r].live) remove_doc(&w, r);
  CHECK_EQ_INT(w.stats.num_rows, 0);
  CHECK_EQ_INT(w.stats.num_tokens, 0);
  CHECK_EQ_INT(w.stats.df.count, 0);
  CHECK_EQ_INT(pt_bm25_index_count(w.ix), 0);
  compare(&w, 1.2, 0.75, false);
  CHECK(pt_bm25_index_memory(w.ix) > 0);
  for (size_t r = 0; r < MAXDOCS; r++) pt_bm25_vec_release(&w.vecs[r]);
  pt_bm25_index_free(w.ix);
  pt_bm25_stats_free(&w.stats);
  pt_bm25_vec v = {0};
  vec_of("", &v); /* frees the test's analyzer */
  pt_bm25_vec_release(&v);
}

/* Milvus keeps a deleted row in the statistics until a compaction drops it: the index forgets
 * the row, the statistics still count it. */
TEST(deleted_rows_counted_until_compaction) {
  pt_bm25_stats s = {0};
  pt_bm25_index *ix;
  CHECK_OK(pt_bm25_index_new(&ix), (pt_error *)NULL);
  pt_sparse_pair d0[] = {{idx("x"), 2}}, d1[] = {{idx("x"), 1}, {idx("y"), 3}};
  CHECK_OK(pt_bm25_stats_add(&s, d0, 1), (pt_error *)NULL);
  CHECK_OK(pt_bm25_stats_add(&s, d1, 2), (pt_error *)NULL);
  CHECK_OK(pt_bm25_index_add(ix, 0, d0, 1), (pt_error *)NULL);
  CHECK_OK(pt_bm25_index_add(ix, 1, d1, 2), (pt_error *)NULL);
  CHECK(pt_bm25_avgdl(&s) == 3.0);
  CHECK_OK(pt_bm25_index_remove(ix, 0, d0, 1), (pt_error *)NULL);
  pt_bm25_params p;
  pt_bm25_params_default(&p);
  pt_bm25_query q = {0};
  pt_sparse_pair qx[] = {{idx("x"), 1}};
  CHECK_OK(pt_bm25_query_prepare(&s, qx, 1, &p, &q), (pt_error *)NULL);
  uint32_t id;
  float score;
  size_t n;
  CHECK_OK(pt_bm25_index_search(ix, &q, 1, NULL, &id, &score, &n), (pt_error *)NULL);
  CHECK_EQ_INT(n, 1);
  CHECK_EQ_INT(id, 1);
  /* N = 2, df(x) = 2, avgdl = 3: idf = ln(1 + 0.5 / 2.5); dl = 4 */
  double idf = log(1 + 0.5 / 2.5), want = idf * 1 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 4 / 3.0));
  CHECK(fabs(score - want) < 1e-6);
  pt_bm25_query_release(&q);
  pt_bm25_index_free(ix);
  pt_bm25_stats_free(&s);
}

TEST(forget) {
  pt_bm25_stats s = {0};
  pt_bm25_index *ix;
  CHECK_OK(pt_bm25_index_new(&ix), (pt_error *)NULL);
  pt_sparse_pair d0[] = {{idx("x"), 2}}, d1[] = {{idx("x"), 1}, {idx("y"), 3}};
  CHECK_OK(pt_bm25_stats_add(&s, d0, 1), (pt_error *)NULL);
  CHECK_OK(pt_bm25_stats_add(&s, d1, 2), (pt_error *)NULL);
  CHECK_OK(pt_bm25_index_add(ix, 0, d0, 1), (pt_error *)NULL);
  CHECK_OK(pt_bm25_index_add(ix, 1, d1, 2), (pt_error *)NULL);
  /* forgotten: never returned, its id not added again, not forgotten twice, not removed */
  CHECK_OK(pt_bm25_index_forget(ix, 0), (pt_error *)NULL);
  CHECK_EQ_INT(pt_bm25_index_count(ix), 1);
  CHECK(!pt_bm25_index_contains(ix, 0));
  CHECK_EQ_INT(pt_bm25_index_forget(ix, 0), PT_NOT_FOUND);
  CHECK_EQ_INT(pt_bm25_index_add(ix, 0, d0, 1), PT_MISUSE);
  CHECK_EQ_INT(pt_bm25_index_remove(ix, 0, d0, 1), PT_NOT_FOUND);
  CHECK_EQ_INT(pt_bm25_index_forget(ix, 7), PT_NOT_FOUND);
  pt_bm25_params p;
  pt_bm25_params_default(&p);
  pt_bm25_query q = {0};
  pt_sparse_pair qx[] = {{idx("x"), 1}};
  CHECK_OK(pt_bm25_query_prepare(&s, qx, 1, &p, &q), (pt_error *)NULL);
  uint32_t id[2];
  float score[2];
  size_t n;
  CHECK_OK(pt_bm25_index_search(ix, &q, 2, NULL, id, score, &n), (pt_error *)NULL);
  CHECK_EQ_INT(n, 1);
  CHECK_EQ_INT(id[0], 1);
  pt_bm25_query_release(&q);
  pt_bm25_index_free(ix);
  pt_bm25_stats_free(&s);
}

/* ---- the index's top k is the brute force's, bit for bit, ties to the lower row ---- */

/* Row r of score sc kept among the best k so far (want/wscore, *nw of them): best first, ties
 * to the lower row (rows come in ascending order); rows scoring 0 or NaN are left out. */
static void keep_best(uint32_t r, float sc, size_t k, uint32_t *want, float *wscore, size_t *nw) {
  if (!(sc > 0)) return;
  size_t at = *nw < k ? (*nw)++ : k;
  while (at > 0 && wscore[at - 1] < sc) {
    if (at < k) want[at] = want[at - 1], wscore[at] = wscore[at - 1];
    at--;
  }
  if (at < k) want[at] = r, wscore[at] = sc;
}

/* The index's top (id/score, got) is the exhaustive one (want/wscore, nw), bit for bit. */
static void same_top(const uint32_t *id, const float *score, size_t got, const uint32_t *want, const float *wscore, size_t nw) {
  CHECK_EQ_INT(got, nw);
  for (size_t i = 0; i < got && i < nw; i++) {
    CHECK_EQ_INT(id[i], want[i]);
    CHECK(score[i] == wscore[i]);
  }
}

static bool every_third(const void *ctx, uint32_t row) { return (void)ctx, row % 3 != 0; }

TEST(top_k_is_the_brute_force) {
  enum { ROWS = 3000, TERMS = 12, K = 10 };
  static pt_sparse_pair docs[ROWS][TERMS];
  size_t dn[ROWS];
  pt_bm25_stats st = {0};
  pt_bm25_index *ix;
  CHECK_OK(pt_bm25_index_new(&ix), (pt_error *)NULL);
  uint32_t seed = 7;
  for (uint32_t r = 0; r < ROWS; r++) {
    /* skewed term indices (low ones common), small tfs: many ties and long lists */
    uint32_t at = 0;
    dn[r] = 0;
    for (int t = 0; t < TERMS; t++) {
      uint32_t step = test_rand(&seed) % 7;
      at += 1 + step * step;
      docs[r][dn[r]++] = (pt_sparse_pair){at, (float)(1 + test_rand(&seed) % 3)};
      if ((seed >> 20) % 4 == 0) break;
    }
    CHECK_OK(pt_bm25_stats_add(&st, docs[r], dn[r]), (pt_error *)NULL);
    CHECK_OK(pt_bm25_index_add(ix, r, docs[r], dn[r]), (pt_error *)NULL);
  }
  for (uint32_t r = 0; r < ROWS; r += 11) CHECK_OK(pt_bm25_index_forget(ix, r), (pt_error *)NULL);
  pt_bm25_params p;
  pt_bm25_params_default(&p);
  pt_bm25_query q = {0};
  pt_index_filter flt = {every_third, NULL};
  for (int qi = 0; qi < 60; qi++) {
    /* queries of common and rare terms: a row's terms, plus a common one */
    const pt_sparse_pair *d = docs[(qi * 131) % ROWS];
    pt_sparse_pair tf[TERMS + 1];
    size_t n = 0;
    tf[n++] = (pt_sparse_pair){1, (float)(1 + qi % 2)};
    for (size_t i = 0; i < dn[(qi * 131) % ROWS]; i++)
      if (d[i].index > 1) tf[n++] = (pt_sparse_pair){d[i].index, 1};
    CHECK_OK(pt_bm25_query_prepare(&st, tf, n, &p, &q), (pt_error *)NULL);
    const pt_index_filter *f = qi % 2 ? &flt : NULL;
    size_t k = qi % 3 == 0 ? 1 : K;
    uint32_t id[K];
    float score[K];
    size_t got;
    CHECK_OK(pt_bm25_index_search(ix, &q, k, f, id, score, &got), (pt_error *)NULL);
    /* the brute force: every row's pt_bm25_score, best first, ties to the lower row */
    uint32_t want[K];
    float wscore[K];
    size_t nw = 0;
    for (uint32_t r = 0; r < ROWS; r++) {
      if (r % 11 == 0 || (f && r % 3 == 0)) continue;
      keep_best(r, pt_bm25_score(&q, docs[r], dn[r], pt_bm25_doc_len(docs[r], dn[r])), k, want, wscore, &nw);
    }
    same_top(id, score, got, want, wscore, nw);
  }
  pt_bm25_query_release(&q);
  pt_bm25_index_free(ix);
  pt_bm25_stats_free(&st);
}

/* ---- a query of many rare words: the rows scored before the walk span many lists ----
 * Before the walk, the best block of each word is scored in turn until k rows are kept; with a
 * large k and hundreds of words of one row each, those rows come from hundreds of lists and must
 * be put in order (and each offered once) before the walk passes them over. */
TEST(many_rare_words) {
  enum { ROWS = 400, WORDS = 300, K = 250 };
  static pt_sparse_pair docs[ROWS][3];
  size_t dn[ROWS];
  pt_bm25_stats st = {0};
  pt_bm25_index *ix;
  CHECK_OK(pt_bm25_index_new(&ix), (pt_error *)NULL);
  for (uint32_t r = 0; r < ROWS; r++) {
    /* a common word, a word of its own, and for one row in five a second common one */
    dn[r] = 0;
    docs[r][dn[r]++] = (pt_sparse_pair){1, (float)(1 + r % 3)};
    if (r % 5 == 0) docs[r][dn[r]++] = (pt_sparse_pair){2, 1};
    docs[r][dn[r]++] = (pt_sparse_pair){100 + (r * 7919) % ROWS, (float)(1 + r % 2)};
    CHECK_OK(pt_bm25_stats_add(&st, docs[r], dn[r]), (pt_error *)NULL);
    CHECK_OK(pt_bm25_index_add(ix, r, docs[r], dn[r]), (pt_error *)NULL);
  }
  for (uint32_t r = 0; r < ROWS; r += 7) CHECK_OK(pt_bm25_index_forget(ix, r), (pt_error *)NULL);
  pt_sparse_pair tf[WORDS + 2];
  size_t n = 0;
  tf[n++] = (pt_sparse_pair){1, 1};
  tf[n++] = (pt_sparse_pair){2, 1};
  for (uint32_t w = 0; w < WORDS; w++) tf[n++] = (pt_sparse_pair){100 + w, 1};
  pt_bm25_params p;
  pt_bm25_params_default(&p);
  pt_bm25_query q = {0};
  CHECK_OK(pt_bm25_query_prepare(&st, tf, n, &p, &q), (pt_error *)NULL);
  pt_index_filter flt = {every_third, NULL};
  for (int pass = 0; pass < 2; pass++) {
    const pt_index_filter *f = pass ? &flt : NULL;
    static uint32_t id[K], want[K];
    static float score[K], wscore[K];
    size_t got, nw = 0;
    CHECK_OK(pt_bm25_index_search(ix, &q, K, f, id, score, &got), (pt_error *)NULL);
    for (uint32_t r = 0; r < ROWS; r++) {
      if (r % 7 == 0 || (f && r % 3 == 0)) continue;
      keep_best(r, pt_bm25_score(&q, docs[r], dn[r], pt_bm25_doc_len(docs[r], dn[r])), K, want, wscore, &nw);
    }
    same_top(id, score, got, want, wscore, nw);
  }
  pt_bm25_query_release(&q);
  pt_bm25_index_free(ix);
  pt_bm25_stats_free(&st);
}

/* ---- the pruned search is the exhaustive one, through every kind of change ----
 * The index passes over rows by bounds kept per block of postings (bm25.c); a bound too low, a
 * block summary left stale by an insert or a remove in the middle of a list, or a tie decided
 * the wrong way would change a top k. Rows with few distinct lengths and tfs (many exact ties),
 * long lists of common terms and short ones of rare terms; rows appended, inserted below others,
 * removed, put back in place (an upsert) and forgotten, with searches between the changes. */

enum { PR_ROWS = 2400, PR_TERMS = 6 };
static pt_sparse_pair pr_docs[PR_ROWS][PR_TERMS];
static size_t pr_n[PR_ROWS];
static bool pr_in[PR_ROWS], pr_gone[PR_ROWS]; /* in the index; forgotten */

static float pr_bump; /* added to every tf: 0, or a fraction (lengths and tfs not whole) */
static bool pr_fixed; /* every query with k1 1.2, b 0.75 and avgdl 8, whatever the rows */

static void pr_make(uint32_t r) {
  /* terms 1..3 common, 4..40 rarer; tf 1..3, one in eight 4..6 */
  size_t n = 1 + next_rand() % PR_TERMS;
  uint32_t t = 0;
  pr_n[r] = 0;
  for (size_t i = 0; i < n; i++) {
    t += 1 + (i == 0 ? next_rand() % 3 : next_rand() % 12);
    float tf = (float)(1 + next_rand() % 3 + (next_rand() % 8 == 0 ? 3 : 0)) + pr_bump;
    pr_docs[r][pr_n[r]++] = (pt_sparse_pair){t, tf};
  }
}

static void pr_add(pt_bm25_stats *st, pt_bm25_index *ix, uint32_t r) {
  pr_make(r);
  CHECK_OK(pt_bm25_stats_add(st, pr_docs[r], pr_n[r]), (pt_error *)NULL);
  CHECK_OK(pt_bm25_index_add(ix, r, pr_docs[r], pr_n[r]), (pt_error *)NULL);
  pr_in[r] = true;
}

static void pr_remove(pt_bm25_stats *st, pt_bm25_index *ix, uint32_t r) {
  pt_bm25_stats_remove(st, pr_docs[r], pr_n[r]);
  CHECK_OK(pt_bm25_index_remove(ix, r, pr_docs[r], pr_n[r]), (pt_error *)NULL);
  pr_in[r] = false;
}

/* `changes` random changes: a row removed or added, upserted in place (removed, added again with
 * new terms), forgotten, or left as it is. */
static void pr_churn(pt_bm25_stats *st, pt_bm25_index *ix, int changes) {
  for (int i = 0; i < changes; i++) {
    uint32_t r = next_rand() % PR_ROWS;
    if (pr_gone[r]) continue;
    switch (next_rand() % 4) {
    case 0:
      if (pr_in[r]) pr_remove(st, ix, r);
      else pr_add(st, ix, r);
      break;
    case 1: /* upsert */
      if (pr_in[r]) pr_remove(st, ix, r);
      pr_add(st, ix, r);
      break;
    case 2:
      if (pr_in[r]) {
        CHECK_OK(pt_bm25_index_forget(ix, r), (pt_error *)NULL);
        pr_gone[r] = true;
      }
      break;
    default:
      break;
    }
  }
}

/* `queries` searches of 1 to max_terms terms compared with the exhaustive scorer. */
static void pr_compare_terms(const pt_bm25_stats *st, pt_bm25_index *ix, int queries, size_t max_terms) {
  static const double kb[][2] = {{1.2, 0.75}, {0, 0}, {3, 1}, {0.5, 0}, {2, 0.3}};
  pt_index_filter flt = {every_third, NULL};
  pt_bm25_query q = {0};
  for (int qi = 0; qi < queries; qi++) {
    pt_bm25_params p;
    pt_bm25_params_default(&p);
    p.k1 = pr_fixed ? 1.2 : kb[qi % 5][0];
    p.b = pr_fixed ? 0.75 : kb[qi % 5][1];
    pt_sparse_pair tf[4];
    size_t n = 0;
    uint32_t t = 0;
    for (size_t i = 0, m = 1 + next_rand() % max_terms; i < m; i++) {
      t += 1 + (next_rand() % 2 ? next_rand() % 3 : next_rand() % 30);
      tf[n++] = (pt_sparse_pair){t, (float)(1 + next_rand() % 2)};
    }
    CHECK_OK(pt_bm25_query_prepare(st, tf, n, &p, &q), (pt_error *)NULL);
    if (pr_fixed) q.avgdl = 8;
    static const size_t ks[] = {1, 3, 10, 50};
    size_t k = ks[next_rand() % 4];
    const pt_index_filter *f = next_rand() % 4 == 0 ? &flt : NULL;
    uint32_t id[50], want[50];
    float score[50], wscore[50];
    size_t got, nw = 0;
    CHECK_OK(pt_bm25_index_search(ix, &q, k, f, id, score, &got), (pt_error *)NULL);
    /* exhaustive: every row's pt_bm25_score, best first, ties to the lower row */
    for (uint32_t r = 0; r < PR_ROWS; r++) {
      if (!pr_in[r] || pr_gone[r] || (f && r % 3 == 0)) continue;
      keep_best(r, pt_bm25_score(&q, pr_docs[r], pr_n[r], pt_bm25_doc_len(pr_docs[r], pr_n[r])), k, want, wscore, &nw);
    }
    CHECK_EQ_INT(got, nw);
    for (size_t i = 0; i < got && i < nw; i++) {
      if (id[i] != want[i] || score[i] != wscore[i]) {
        fprintf(stderr, "  FAIL query %d hit %zu: row %u score %.9g, exhaustive row %u score %.9g\n", qi, i, id[i],
                score[i], want[i], wscore[i]);
        pt_test_failures++;
        break;
      }
    }
  }
  pt_bm25_query_release(&q);
}

static void pr_compare(const pt_bm25_stats *st, pt_bm25_index *ix, int queries) { pr_compare_terms(st, ix, queries, 4); }

/* A new index of every row: the even rows appended, searched (`queries` of up to max_terms terms)
 * as they grow, every `even_every` rows, then the odd rows inserted below the others (their
 * lists' later blocks go stale), searched every `odd_every`. */
static pt_bm25_index *pr_fill(pt_bm25_stats *st, uint32_t even_every, uint32_t odd_every, int queries, size_t max_terms) {
  pt_bm25_index *ix;
  CHECK_OK(pt_bm25_index_new(&ix), (pt_error *)NULL);
  memset(pr_in, 0, sizeof pr_in);
  memset(pr_gone, 0, sizeof pr_gone);
  for (uint32_t r = 0; r < PR_ROWS; r += 2) {
    pr_add(st, ix, r);
    if (r % even_every == 0) pr_compare_terms(st, ix, queries, max_terms);
  }
  pr_compare_terms(st, ix, 6 * queries, max_terms);
  for (uint32_t r = PR_ROWS - 1; r < PR_ROWS; r -= 2) {
    pr_add(st, ix, r);
    if (r % odd_every == 1) pr_compare_terms(st, ix, queries, max_terms);
  }
  pr_compare_terms(st, ix, 6 * queries, max_terms);
  return ix;
}

TEST(pruned_search_is_exhaustive) {
  pt_bm25_stats st = {0};
  pt_bm25_index *ix = pr_fill(&st, 400, 300, 10, 4);
  /* removals only (the postings after a removed one move down by one, across block ends) */
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < 100; i++) {
      uint32_t r = next_rand() % PR_ROWS;
      if (pr_in[r]) pr_remove(&st, ix, r);
    }
    pr_compare(&st, ix, 60);
  }
  /* removals, upserts in place (removed, added again with new terms) and forgotten rows */
  for (int round = 0; round < 6; round++) {
    pr_churn(&st, ix, 150);
    pr_compare(&st, ix, 40);
  }
  pt_bm25_index_free(ix);
  pt_bm25_stats_free(&st);
}

/* ---- a query of one term: its list read in impact order ----
 * A query whose terms hold one list between them reads it by tf, then length, and stops a tf's
 * run at the first part below the k-th best (bm25.c): a wrong order, a run stopped at a tie (a
 * lower row of equal score still enters), or postings appended, inserted or removed since the
 * order was built would change a top k. Few distinct lengths and tfs (many exact ties, and
 * with k1 0 or b 0 whole runs of equal scores); searches between appends (the order's tail),
 * inserts below other rows (the order dropped), removes, upserts and forgotten rows; whole tfs
 * and lengths (a BM25 function's counts: the order made by a counting pass), then fractions (by
 * a sort); orders made by searches and by pt_bm25_index_prepare. */
TEST(one_term_is_exhaustive) {
  for (int pass = 0; pass < 2; pass++) {
    pr_bump = pass ? 0.25f : 0;
    pt_bm25_stats st = {0};
    pt_bm25_index *ix = pr_fill(&st, 40, 100, 6, 1); /* appends grow the order's tail, then it is built again */
    for (int round = 0; round < 8; round++) {
      pr_churn(&st, ix, 80);
      if (round % 2) pt_bm25_index_prepare(ix); /* every long list's order made at once (or found current) */
      pr_compare_terms(&st, ix, 40, 1);
    }
    pt_bm25_index_free(ix);
    pt_bm25_stats_free(&st);
  }
  pr_bump = 0;
}

/* ---- a block's bound kept between searches follows its rows ----
 * A search keeps each block's largest ts for the k1, b and avgdl it ran with, for the next
 * searches that bring the same (bm25.c, search_era). Searches of one k1, b and avgdl between
 * removes, adds, upserts and forgotten rows: a bound kept from before a change (too low once a
 * larger tf or a shorter row joined the block) would pass over a row of the top k. */
TEST(bounds_kept_across_changes) {
  pr_fixed = true;
  pt_bm25_stats st = {0};
  pt_bm25_index *ix = pr_fill(&st, 200, 150, 6, 4);
  for (int round = 0; round < 10; round++) {
    pr_churn(&st, ix, 60);
    pr_compare_terms(&st, ix, 30, 4);
  }
  pt_bm25_index_free(ix);
  pt_bm25_stats_free(&st);
  pr_fixed = false;
}

/* ---- a list's summary follows removes ----
 * A search bounds a term's part by its list's summary. A remove after the list's first block
 * once left the removed posting's point in it (the summary was merged anew only when the first
 * block changed): the bound stayed above every remaining part, and pruned less. */
TEST(list_bound_follows_removes) {
  enum { ROWS = 100, BIG = 50 };
  pt_bm25_stats st = {0};
  pt_bm25_index *ix;
  CHECK_OK(pt_bm25_index_new(&ix), (pt_error *)NULL);
  static pt_sparse_pair d[ROWS];
  for (uint32_t r = 0; r < ROWS; r++) {
    d[r] = (pt_sparse_pair){7, r == BIG ? 5.0f : 1.0f};
    CHECK_OK(pt_bm25_stats_add(&st, &d[r], 1), (pt_error *)NULL);
    CHECK_OK(pt_bm25_index_add(ix, r, &d[r], 1), (pt_error *)NULL);
  }
  pt_bm25_params p;
  pt_bm25_params_default(&p);
  pt_bm25_query q = {0};
  const pt_sparse_pair tf = {7, 1};
  CHECK_OK(pt_bm25_query_prepare(&st, &tf, 1, &p, &q), (pt_error *)NULL);
  CHECK(pt_bm25_index_term_bound(ix, &q, 0) >= q.w[0].value * pt_bm25_term_score(5, 5, q.k1, q.b, q.avgdl));
  pt_bm25_stats_remove(&st, &d[BIG], 1); /* the row of tf 5, in the list's second block */
  CHECK_OK(pt_bm25_index_remove(ix, BIG, &d[BIG], 1), (pt_error *)NULL);
  CHECK_OK(pt_bm25_query_prepare(&st, &tf, 1, &p, &q), (pt_error *)NULL);
  double most = q.w[0].value * pt_bm25_term_score(1, 1, q.k1, q.b, q.avgdl), bound = pt_bm25_index_term_bound(ix, &q, 0);
  CHECK(bound >= most);
  if (!(bound <= most * (1 + 1e-4))) printf("  bound %.9g, every part at most %.9g\n", bound, most);
  CHECK(bound <= most * (1 + 1e-4));
  pt_bm25_query_release(&q);
  pt_bm25_index_free(ix);
  pt_bm25_stats_free(&st);
}

/* ---- an ip list holds its postings' rows and values, nothing more ----
 * The block summaries serve BM25 searches only: ip lists once allocated them too. */
TEST(ip_lists_hold_no_summaries) {
  pt_bm25_index *ix;
  CHECK_OK(pt_bm25_index_new_ip(&ix), (pt_error *)NULL);
  const pt_sparse_pair v = {3, -0.5f};
  size_t m4 = 0;
  for (uint32_t r = 0; r < 64; r++) { /* row ids below 64: the lengths keep their first size */
    CHECK_OK(pt_bm25_index_add(ix, r, &v, 1), (pt_error *)NULL);
    if (r == 3) m4 = pt_bm25_index_memory(ix); /* the list's room: 4 postings, then 64 */
  }
  CHECK_EQ_INT(pt_bm25_index_memory(ix) - m4, (64 - 4) * (sizeof(uint32_t) + sizeof(float)));
  pt_bm25_index_free(ix);
}

/* ---- the ip index (a plain sparse field's SPARSE_INVERTED_INDEX) ---- */

/* The exact scan's inner product (search.c): products summed in ascending index order from 0. */
static float ip_ref(const pt_sparse_pair *d, size_t n, const pt_sparse_pair *q, size_t qn) {
  float s = 0;
  for (size_t a = 0, b = 0; a < n && b < qn;) {
    if (d[a].index < q[b].index) a++;
    else if (d[a].index > q[b].index) b++;
    else s += d[a++].value * q[b++].value;
  }
  return s;
}

static bool odd_rows(const void *ctx, uint32_t row) { return (void)ctx, (row & 1) != 0; }

TEST(ip_index) {
  enum { ROWS = 600, DIMS = 40, K = 12 };
  static pt_sparse_pair docs[ROWS][8];
  size_t dn[ROWS];
  pt_bm25_index *ix;
  CHECK_OK(pt_bm25_index_new_ip(&ix), (pt_error *)NULL);
  uint32_t seed = 42;
  for (uint32_t r = 0; r < ROWS; r++) {
    uint32_t at = 0;
    dn[r] = 0;
    for (int t = 0; t < 8; t++) {
      at += 1 + test_rand(&seed) % (DIMS / 8);
      float v = (float)((int)test_rand(&seed) % 2001 - 700) / 997.0f; /* either sign */
      if (v != 0) docs[r][dn[r]++] = (pt_sparse_pair){at, v};
    }
    CHECK_OK(pt_bm25_index_add(ix, r, docs[r], dn[r]), (pt_error *)NULL);
  }
  /* a zero value, and BM25 searches, are refused by an ip index; ip searches by a BM25 one */
  pt_sparse_pair zero[] = {{1, 0}};
  CHECK_EQ_INT(pt_bm25_index_add(ix, ROWS, zero, 1), PT_MISUSE);
  pt_bm25_query bq = {0};
  uint32_t id[K];
  float score[K];
  size_t n;
  CHECK_EQ_INT(pt_bm25_index_search(ix, &bq, K, NULL, id, score, &n), PT_MISUSE);
  pt_bm25_index *bm;
  CHECK_OK(pt_bm25_index_new(&bm), (pt_error *)NULL);
  CHECK_EQ_INT(pt_bm25_index_search_ip(bm, docs[0], dn[0], K, NULL, id, score, &n), PT_MISUSE);
  pt_bm25_index_free(bm);
  /* deletes: forgotten and removed rows are never returned */
  CHECK_OK(pt_bm25_index_forget(ix, 5), (pt_error *)NULL);
  CHECK_OK(pt_bm25_index_remove(ix, 6, docs[6], dn[6]), (pt_error *)NULL);
  pt_index_filter odd = {odd_rows, NULL};
  for (int qi = 0; qi < 30; qi++) {
    const pt_sparse_pair *q = docs[(qi * 37) % ROWS];
    size_t qn = dn[(qi * 37) % ROWS];
    const pt_index_filter *flt = qi % 3 == 0 ? &odd : NULL;
    CHECK_OK(pt_bm25_index_search_ip(ix, q, qn, K, flt, id, score, &n), (pt_error *)NULL);
    /* every returned score is the exact one, bit for bit, best first, and no row that shares a
     * term with the query and passes the filter scores above the last one returned */
    for (size_t i = 0; i < n; i++) {
      CHECK(id[i] != 5 && id[i] != 6 && (!flt || (id[i] & 1)));
      CHECK(score[i] == ip_ref(docs[id[i]], dn[id[i]], q, qn));
      if (i) CHECK(score[i] <= score[i - 1]);
    }
    CHECK_EQ_INT(n, K);
    size_t better = 0;
    for (uint32_t r = 0; r < ROWS; r++) {
      if (r == 5 || r == 6 || (flt && !(r & 1))) continue;
      better += ip_ref(docs[r], dn[r], q, qn) > score[n - 1];
    }
    CHECK(better < K);
  }
  pt_bm25_index_free(ix);
}

/* ---- parameters ---- */

TEST(parameters) {
  pt_bm25_params p;
  pt_error e;
  pt_bm25_params_default(&p);
  CHECK(p.k1 == 1.2 && p.b == 0.75 && p.drop_ratio_search == 0);
  CHECK_OK(pt_bm25_params_check(&p, &e), &e);
  p.k1 = 3.5;
  CHECK_ERR(pt_bm25_params_check(&p, &e), &e, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "Out of range in json: param 'bm25_k1' (3.5) should be in range [0.000000, 3.000000]");
  p.k1 = -0.1;
  CHECK_ERR(pt_bm25_params_check(&p, &e), &e, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "param 'bm25_k1' (-0.1)");
  p.k1 = 3;
  p.b = 1.5;
  CHECK_ERR(pt_bm25_params_check(&p, &e), &e, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "Out of range in json: param 'bm25_b' (1.5) should be in range [0.000000, 1.000000]");
  p.b = 0;
  p.drop_ratio_search = 1;
  CHECK_ERR(pt_bm25_params_check(&p, &e), &e, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "Out of range in json: param 'drop_ratio_search' (1) should be in range [0.000000, 1.000000)");
  p.drop_ratio_search = NAN;
  CHECK_EQ_INT(pt_bm25_params_check(&p, &e), PT_RANGE);
  p.drop_ratio_search = 0.99;
  CHECK_OK(pt_bm25_params_check(&p, &e), &e);
  CHECK_EQ_INT(pt_bm25_params_check(NULL, &e), PT_MISUSE);
}

TEST(drop_ratio_search) {
  pt_bm25_stats s = {0};
  /* four terms of df 1..4 over 10 rows (six of them empty): the rarer, the heavier */
  for (int r = 0; r < 10; r++) {
    pt_sparse_pair d[4];
    size_t n = 0;
    for (int t = 0; t < 4; t++)
      if (r <= t) d[n++] = (pt_sparse_pair){(uint32_t)(100 + t), 1};
    CHECK_OK(pt_bm25_stats_add(&s, d, n), (pt_error *)NULL);
  }
  pt_sparse_pair qtf[4] = {{100, 1}, {101, 1}, {102, 1}, {103, 1}};
  pt_bm25_params p;
  pt_bm25_params_default(&p);
  pt_bm25_query q = {0};
  CHECK_OK(pt_bm25_query_prepare(&s, qtf, 4, &p, &q), (pt_error *)NULL);
  CHECK_EQ_INT(q.n, 4);
  CHECK(q.w[0].value > q.w[1].value && q.w[1].value > q.w[2].value && q.w[2].value > q.w[3].value);
  CHECK(q.w[3].value == pt_bm25_idf(&s, 103));
  /* ratio 0.5: the two smallest weights (the two most common terms) go */
  p.drop_ratio_search = 0.5;
  CHECK_OK(pt_bm25_query_prepare(&s, qtf, 4, &p, &q), (pt_error *)NULL);
  CHECK_EQ_INT(q.n, 2);
  CHECK(q.w[0].index == 100 && q.w[1].index == 101);
  /* 0.2 of 4 is 0: nothing goes */
  p.drop_ratio_search = 0.2;
  CHECK_OK(pt_bm25_query_prepare(&s, qtf, 4, &p, &q), (pt_error *)NULL);
  CHECK_EQ_INT(q.n, 4);
  /* a ratio below 1 that float32 rounds to 1 (the position is counted in float, as knowhere
   * does): the position stays inside the values, and the heaviest term stays */
  p.drop_ratio_search = 0.99999999;
  CHECK(pt_bm25_params_check(&p, NULL) == PT_OK);
  CHECK_OK(pt_bm25_query_prepare(&s, qtf, 4, &p, &q), (pt_error *)NULL);
  CHECK_EQ_INT(q.n, 1);
  CHECK(q.w[0].index == 100);
  /* 10 tokens over 10 rows; k1 and b are carried as floats */
  CHECK(q.avgdl == 1.0f && pt_bm25_avgdl(&s) == 1.0 && q.k1 == 1.2f && q.b == 0.75f);
  pt_bm25_query_release(&q);
  pt_bm25_stats_free(&s);
  pt_bm25_stats empty = {0};
  CHECK_OK(pt_bm25_query_prepare(&empty, qtf, 4, &p, &q), (pt_error *)NULL);
  CHECK(q.avgdl == 1.0f && pt_bm25_avgdl(&empty) == 0);
  CHECK(q.w[0].value == (float)log(1 + 0.5 / 0.5));
  pt_bm25_query_release(&q);
}

/* ---- misuse ---- */

TEST(misuse) {
  pt_bm25_index *ix;
  CHECK_OK(pt_bm25_index_new(&ix), (pt_error *)NULL);
  pt_sparse_pair ok[] = {{1, 1}, {5, 2}}, unsorted[] = {{5, 1}, {1, 1}}, dup[] = {{1, 1}, {1, 1}},
                 zero[] = {{1, 0}}, neg[] = {{1, -1}}, inf[] = {{1, INFINITY}}, max[] = {{UINT32_MAX, 1}};
  CHECK_EQ_INT(pt_bm25_index_add(ix, 0, unsorted, 2), PT_MISUSE);
  CHECK_EQ_INT(pt_bm25_index_add(ix, 0, dup, 2), PT_MISUSE);
  CHECK_EQ_INT(pt_bm25_index_add(ix, 0, zero, 1), PT_MISUSE);
  CHECK_EQ_INT(pt_bm25_index_add(ix, 0, neg, 1), PT_MISUSE);
  CHECK_EQ_INT(pt_bm25_index_add(ix, 0, inf, 1), PT_MISUSE);
  CHECK_EQ_INT(pt_bm25_index_add(ix, 0, max, 1), PT_MISUSE);
  CHECK_EQ_INT(pt_bm25_index_add(ix, UINT32_MAX, ok, 2), PT_MISUSE);
  CHECK_OK(pt_bm25_index_add(ix, 7, ok, 2), (pt_error *)NULL);
  CHECK_EQ_INT(pt_bm25_index_add(ix, 7, ok, 2), PT_MISUSE);
  CHECK(pt_bm25_index_contains(ix, 7) && !pt_bm25_index_contains(ix, 6) && !pt_bm25_index_contains(ix, 1u << 30));
  /* an empty document is a row too */
  CHECK_OK(pt_bm25_index_add(ix, 3, NULL, 0), (pt_error *)NULL);
  CHECK_EQ_INT(pt_bm25_index_count(ix), 2);
  CHECK_EQ_INT(pt_bm25_index_remove(ix, 4, ok, 2), PT_NOT_FOUND);
  CHECK_EQ_INT(pt_bm25_index_remove(ix, 7, max, 1), PT_MISUSE);
  CHECK_EQ_INT(pt_bm25_index_remove(ix, 3, ok, 2), PT_MISUSE);
  CHECK(pt_bm25_index_contains(ix, 7) && pt_bm25_index_contains(ix, 3));
  CHECK_OK(pt_bm25_index_remove(ix, 3, NULL, 0), (pt_error *)NULL);
  CHECK_OK(pt_bm25_index_remove(ix, 7, ok, 2), (pt_error *)NULL);
  CHECK_EQ_INT(pt_bm25_index_count(ix), 0);
  pt_bm25_query q = {0};
  size_t n = 9;
  CHECK_OK(pt_bm25_index_search(ix, &q, 0, NULL, NULL, NULL, &n), (pt_error *)NULL);
  CHECK_EQ_INT(n, 0);
  CHECK_EQ_INT(pt_bm25_index_search(ix, &q, 3, NULL, NULL, NULL, &n), PT_MISUSE);
  CHECK_EQ_INT(pt_bm25_index_new(NULL), PT_MISUSE);
  pt_bm25_index_free(ix);
  pt_bm25_index_free(NULL);
  pt_bm25_stats_free(NULL);
  pt_bm25_query_release(NULL);
  pt_bm25_vec_release(NULL);
}

/* ---- allocation failure ---- */

typedef struct sweep_state {
  pt_bm25_stats stats;
  pt_bm25_index *ix;
} sweep_state;

static const pt_sparse_pair DOCS[6][4] = {
    {{1, 1}, {2, 3}, {9, 1}, {40, 2}}, {{2, 1}, {3, 1}, {0, 0}, {0, 0}}, {{1, 2}, {50, 1}, {60, 1}, {70, 1}},
    {{3, 4}, {0, 0}, {0, 0}, {0, 0}},  {{9, 1}, {80, 1}, {90, 2}, {0, 0}}, {{1, 1}, {2, 1}, {3, 1}, {100, 1}}};
static const size_t DOC_N[6] = {4, 2, 4, 1, 3, 4};

/* The observable state: statistics and the hits of a few queries, as text (malloc'd). */
static char *observe(sweep_state *st) {
  test_buf b = {0};
  test_buf_printf(&b, "rows %lld tokens %lld terms %zu count %zu\n", (long long)st->stats.num_rows,
                  (long long)st->stats.num_tokens, st->stats.df.count, pt_bm25_index_count(st->ix));
  pt_bm25_params p;
  pt_bm25_params_default(&p);
  static const pt_sparse_pair Q[3][2] = {{{1, 1}, {2, 1}}, {{3, 2}, {0, 0}}, {{9, 1}, {100, 1}}};
  for (int i = 0; i < 3; i++) {
    pt_bm25_query q = {0};
    uint32_t ids[8];
    float sc[8];
    size_t n = 0;
    if (pt_bm25_query_prepare(&st->stats, Q[i], i == 1 ? 1 : 2, &p, &q) != PT_OK ||
        pt_bm25_index_search(st->ix, &q, 8, NULL, ids, sc, &n) != PT_OK)
      test_buf_printf(&b, "query failed\n");
    for (size_t j = 0; j < n; j++) test_buf_printf(&b, "%u:%.6f ", ids[j], sc[j]);
    test_buf_printf(&b, "\n");
    pt_bm25_query_release(&q);
  }
  return b.p;
}

/* Step s of the sweep (its allocations may fail): 0 stats add, 1 index add, 2 search, 3 vectorize
 * + query prepare. Returns its status. */
static pt_status step(sweep_state *st, int s, long fail_at, bool *reached) {
  pt_status rc = PT_OK;
  test_alloc_fail_at(fail_at);
  if (s == 0) {
    rc = pt_bm25_stats_add(&st->stats, DOCS[5], DOC_N[5]);
  } else if (s == 1) {
    rc = pt_bm25_index_add(st->ix, 1000, DOCS[5], DOC_N[5]);
  } else if (s == 2) {
    pt_bm25_params p;
    pt_bm25_params_default(&p);
    p.drop_ratio_search = 0.5;
    pt_bm25_query q = {0};
    uint32_t ids[4];
    float sc[4];
    size_t n;
    rc = pt_bm25_query_prepare(&st->stats, DOCS[0], DOC_N[0], &p, &q);
    if (rc == PT_OK) rc = pt_bm25_index_search(st->ix, &q, 4, NULL, ids, sc, &n);
    pt_bm25_query_release(&q);
  } else {
    pt_tokens t = {0};
    pt_analyzer *a = NULL;
    pt_bm25_vec v = {0};
    rc = pt_analyzer_new("", 0, &a, NULL);
    if (rc == PT_OK) rc = pt_analyzer_run(a, "b a c a d e f", 13, &t, NULL);
    if (rc == PT_OK) rc = pt_bm25_vectorize(&t, &v);
    pt_bm25_vec_release(&v);
    pt_tokens_release(&t);
    pt_analyzer_free(a);
  }
  *reached = fail_at && test_alloc_count() >= fail_at;
  test_alloc_fail_at(0);
  return rc;
}

static void sweep_setup(sweep_state *st) {
  memset(st, 0, sizeof *st);
  CHECK_OK(pt_bm25_index_new(&st->ix), (pt_error *)NULL);
  for (int d = 0; d < 5; d++) {
    CHECK_OK(pt_bm25_stats_add(&st->stats, DOCS[d], DOC_N[d]), (pt_error *)NULL);
    CHECK_OK(pt_bm25_index_add(st->ix, (uint32_t)(d * 3), DOCS[d], DOC_N[d]), (pt_error *)NULL);
  }
}

static void sweep_teardown(sweep_state *st) {
  pt_bm25_index_free(st->ix);
  pt_bm25_stats_free(&st->stats);
}

TEST(allocation_failures) {
  CHECK_EQ_INT(pt_memory_used(), 0);
  test_alloc_install();
  for (int s = 0; s < 4; s++) {
    sweep_state st;
    bool reached;
    sweep_setup(&st);
    CHECK_OK(step(&st, s, 0, &reached), (pt_error *)NULL);
    char *want = observe(&st);
    sweep_teardown(&st);
    for (long n = 1; n < 500; n++) {
      sweep_setup(&st);
      char *before = observe(&st);
      long live = test_alloc_live();
      pt_status rc = step(&st, s, n, &reached);
      if (!reached) {
        CHECK_OK(rc, (pt_error *)NULL);
        char *got = observe(&st);
        CHECK_STR(got, want);
        free(got);
        free(before);
        sweep_teardown(&st);
        break;
      }
      if (rc != PT_NOMEM) {
        fprintf(stderr, "  FAIL step %d, allocation %ld failing: %s\n", s, n, pt_status_str(rc));
        pt_test_failures++;
      }
      if (s != 2 && s != 1) CHECK_EQ_INT(test_alloc_live(), live); /* a search and a failed add may keep capacity */
      /* nothing observable changed, and the step works now */
      char *after = observe(&st);
      CHECK_STR(after, before);
      CHECK_OK(step(&st, s, 0, &reached), (pt_error *)NULL);
      char *got = observe(&st);
      CHECK_STR(got, want);
      free(after);
      free(got);
      free(before);
      sweep_teardown(&st);
      if (pt_test_failures > 20) break;
    }
    free(want);
  }
  CHECK_EQ_INT(pt_memory_used(), 0);
  CHECK_EQ_INT(test_alloc_live(), 0);
  CHECK_EQ_INT(pt_set_allocator(NULL), PT_OK);
}

TEST_MAIN(T(term_index), T(vectors), T(scores_match_the_definition), T(deleted_rows_counted_until_compaction), T(forget), T(top_k_is_the_brute_force), T(many_rare_words), T(pruned_search_is_exhaustive), T(one_term_is_exhaustive), T(bounds_kept_across_changes), T(list_bound_follows_removes),
          T(ip_lists_hold_no_summaries),
          T(ip_index),
          T(parameters), T(drop_ratio_search), T(misuse), T(allocation_failures))
