/*
 * bm25.c — BM25 as Milvus computes it (bm25.h): term vectors of tokens, collection statistics,
 * knowhere's metric and parameter checks, and an inverted index.
 *
 * HOW IT WORKS
 * Vectorizing hashes every token, sorts the indices and counts runs: the pairs come out
 * ascending, as Milvus sorts its rows. The statistics keep df in an open-addressed u32 map
 * (index.h's pt_u32map); an add reserves room for every new term before it counts anything, so
 * it fails whole or not at all. The index keeps one posting list per term (rows ascending, their
 * tf and, for BM25, the row's length beside them, and a summary per block of postings, see
 * "Postings come in blocks" below) and a float per row id for the row's length (negative: not in
 * the index; a search asks it only of a row about to enter its top k). An add first grows
 * everything it will write (the term map, the list of lists, each posting list by one, the length
 * array), then inserts; a remove checks that every posting is where it should be before it takes
 * any out. A BM25 search is document at a time with exact pruning ("the BM25 search" below); an
 * ip search walks the query's terms in order, each posting adding its product to an accumulator
 * per row (the rows it touches are listed, so clearing costs what the search touched), then the
 * touched rows the filter passes go through a max-heap of k (index.h's pt_scored heaps, scores
 * negated so that smaller is better).
 */
#include "bm25.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "crc32.h"
#include "text.h"

/* ============================================================================================
 * Term vectors
 * ========================================================================================== */

uint32_t pt_bm25_term_index(const char *token, size_t len) {
  uint32_t crc = pt_crc32(token, len < PT_BM25_HASH_PREFIX ? len : PT_BM25_HASH_PREFIX);
  return crc % UINT32_MAX; /* Go's crc32.ChecksumIEEE(...) % math.MaxUint32 */
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

pt_status pt_bm25_vectorize(const pt_tokens *tokens, pt_bm25_vec *out) {
  out->n = 0;
  size_t n = tokens->n;
  if (n == 0) return PT_OK;
  if (PT_GROW(&out->scratch, &out->scratch_cap, n) != PT_OK) return PT_NOMEM;
  for (size_t i = 0; i < n; i++) out->scratch[i] = pt_bm25_term_index(pt_token_text(tokens, i), tokens->v[i].len);
  if (n > 16) qsort(out->scratch, n, sizeof *out->scratch, cmp_u32);
  else /* a query's few tokens: by insertion (a library sort costs more on them than the search) */
    for (size_t i = 1; i < n; i++) {
      uint32_t v = out->scratch[i];
      size_t j = i;
      for (; j > 0 && out->scratch[j - 1] > v; j--) out->scratch[j] = out->scratch[j - 1];
      out->scratch[j] = v;
    }
  size_t distinct = 1;
  for (size_t i = 1; i < n; i++) distinct += out->scratch[i] != out->scratch[i - 1];
  if (PT_GROW(&out->p, &out->cap, distinct) != PT_OK) return PT_NOMEM;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && out->scratch[j] == out->scratch[i]) j++;
    out->p[out->n].index = out->scratch[i];
    out->p[out->n].value = (float)(j - i);
    out->n++;
    i = j;
  }
  return PT_OK;
}

void pt_bm25_vec_release(pt_bm25_vec *v) {
  if (!v) return;
  pt_free(v->p);
  pt_free(v->scratch);
  memset(v, 0, sizeof *v);
}

float pt_bm25_doc_len(const pt_sparse_pair *p, size_t n) {
  float sum = 0;
  for (size_t i = 0; i < n; i++) sum += p[i].value;
  return sum;
}

/* ============================================================================================
 * Statistics
 * ========================================================================================== */

pt_status pt_bm25_stats_add(pt_bm25_stats *s, const pt_sparse_pair *p, size_t n) {
  if (pt_u32map_reserve(&s->df, n) != PT_OK) return PT_NOMEM;
  for (size_t i = 0; i < n; i++) {
    uint32_t df = pt_u32map_get(&s->df, p[i].index);
    pt_u32map_put(&s->df, p[i].index, df == PT_INDEX_NONE ? 1 : df + 1);
    s->num_tokens += (int64_t)p[i].value; /* Go's int64(value) */
  }
  s->num_rows++;
  return PT_OK;
}

void pt_bm25_stats_remove(pt_bm25_stats *s, const pt_sparse_pair *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint32_t df = pt_u32map_get(&s->df, p[i].index);
    if (df == PT_INDEX_NONE) continue; /* never counted in: nothing to take out */
    if (df <= 1) pt_u32map_del(&s->df, p[i].index);
    else pt_u32map_put(&s->df, p[i].index, df - 1);
    s->num_tokens -= (int64_t)p[i].value;
  }
  s->num_rows--;
}

void pt_bm25_stats_free(pt_bm25_stats *s) {
  if (!s) return;
  pt_u32map_free(&s->df);
  s->num_rows = s->num_tokens = 0;
}

double pt_bm25_avgdl(const pt_bm25_stats *s) {
  if (s->num_rows == 0 || s->num_tokens == 0) return 0;
  return (double)s->num_tokens / (double)s->num_rows;
}

float pt_bm25_idf(const pt_bm25_stats *s, uint32_t term) {
  uint32_t df = pt_u32map_get(&s->df, term);
  double nq = df == PT_INDEX_NONE ? 0 : (double)df;
  return (float)log(1 + ((double)s->num_rows - nq + 0.5) / (nq + 0.5));
}

/* ============================================================================================
 * Parameters and the query
 * ========================================================================================== */

void pt_bm25_params_default(pt_bm25_params *p) {
  p->k1 = PT_BM25_K1_DEFAULT;
  p->b = PT_BM25_B_DEFAULT;
  p->drop_ratio_search = 0;
}

pt_status pt_bm25_out_of_range(pt_error *err, const char *name, double v, double hi, bool hi_open) {
  char num[PT_NUMBER_TEXT + 1];
  num[pt_format_f64(num, v)] = '\0';
  return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                 "Out of range in json: param '%s' (%s) should be in range [0.000000, %f%s", name, num, hi,
                 hi_open ? ")" : "]");
}

pt_status pt_bm25_params_check(const pt_bm25_params *p, pt_error *err) {
  if (!p) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_bm25_params_check: missing argument");
  if (!(p->k1 >= 0 && p->k1 <= 3)) return pt_bm25_out_of_range(err, "bm25_k1", p->k1, 3, false);
  if (!(p->b >= 0 && p->b <= 1)) return pt_bm25_out_of_range(err, "bm25_b", p->b, 1, false);
  if (!(p->drop_ratio_search >= 0 && p->drop_ratio_search < 1))
    return pt_bm25_out_of_range(err, "drop_ratio_search", p->drop_ratio_search, 1, true);
  pt_error_clear(err);
  return PT_OK;
}

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

pt_status pt_bm25_query_prepare(const pt_bm25_stats *s, const pt_sparse_pair *tf, size_t n, const pt_bm25_params *p,
                                pt_bm25_query *q) {
  q->n = 0;
  q->k1 = (float)p->k1;
  q->b = (float)p->b;
  float avgdl = (float)pt_bm25_avgdl(s);
  q->avgdl = avgdl > 1.0f ? avgdl : 1.0f;
  if (n == 0) return PT_OK;
  if (PT_GROW(&q->w, &q->cap, n) != PT_OK) return PT_NOMEM;
  for (size_t i = 0; i < n; i++) {
    q->w[i].index = tf[i].index;
    q->w[i].value = tf[i].value * pt_bm25_idf(s, tf[i].index);
  }
  size_t m = pt_sparse_drop_small(q->w, n, p->drop_ratio_search);
  q->n = m == SIZE_MAX ? 0 : m;
  return m == SIZE_MAX ? PT_NOMEM : PT_OK;
}

size_t pt_sparse_drop_small(pt_sparse_pair *p, size_t n, double ratio) {
  size_t drop = (size_t)((float)ratio * (float)n);
  if (drop == 0) return n;
  if (drop >= n) drop = n - 1; /* a ratio just below 1 that float rounds to 1: the largest stay */
  float *v = pt_malloc(n * sizeof *v);
  if (!v) return SIZE_MAX;
  for (size_t i = 0; i < n; i++) v[i] = fabsf(p[i].value);
  qsort(v, n, sizeof *v, cmp_float);
  float threshold = v[drop];
  pt_free(v);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (!(fabsf(p[i].value) < threshold)) p[m++] = p[i];
  return m;
}

void pt_bm25_query_release(pt_bm25_query *q) {
  if (!q) return;
  pt_free(q->w);
  memset(q, 0, sizeof *q);
}

float pt_bm25_score(const pt_bm25_query *q, const pt_sparse_pair *doc, size_t n, float dl) {
  float sum = 0;
  size_t j = 0;
  for (size_t i = 0; i < q->n; i++) {
    uint32_t t = q->w[i].index;
    while (j < n && doc[j].index < t) j++;
    if (j == n) break;
    if (doc[j].index != t) continue;
    float part = q->w[i].value * pt_bm25_term_score(doc[j].value, dl, q->k1, q->b, q->avgdl);
    if (part > 0) sum += part;
  }
  return sum;
}

/* ============================================================================================
 * The inverted index
 * ========================================================================================== */

/* Postings come in blocks of BLOCK by position; each block has a summary for pruning: at most
 * FRONT (tf, length) pairs such that every live posting of the block has a tf no larger and a
 * length no smaller than one of them (the block's Pareto front of large tf and short length,
 * its largest-tf points merged when it has more). A term's part grows with tf and falls with
 * the length, so the largest part any pair allows bounds every part of the block, whatever k1,
 * b and avgdl a query brings. The summaries of blocks [0, fresh) describe their postings; an
 * add or a remove at position `at` makes the blocks from at / BLOCK on stale, and the next
 * search that reads the list summarises them again (a forgotten row may stay in a summary: it
 * only loosens the bound). The list has a summary of the same kind, merged from its blocks'. */
#define BLOCK 32
#define FRONT 4

/* Blocks of n postings. */
static size_t blocks(size_t n) { return (n + BLOCK - 1) / BLOCK; }

/* A summary: FRONT (tf, length) pairs, tf descending; unused pairs have tf 0. */
typedef struct front {
  float tf[FRONT], dl[FRONT];
  uint32_t last; /* a block's: its last row */
  uint32_t era;  /* a block's: the bound era `best` was computed in (0: none) */
  double best;   /* the largest ts(tf, length) of its pairs in that era */
} front;

typedef struct posting {
  uint32_t *rows; /* ascending */
  float *tf;
  float *dl;      /* BM25: each posting's row length, beside its tf (a search reads them in
                   * order instead of looking each row up in the index's lengths) */
  front *bm;      /* per block, room for the blocks of cap postings */
  size_t n, cap;
  size_t fresh;   /* blocks whose summary is current */
  front all;      /* the list's: covers every posting when fresh covers the list */
} posting;

/* A BM25 list's impact order, positions [0, n) of the list (see "a query of one term"): kept
 * beside the lists, not in them, so that the lists an add reads stay as small as they were. */
typedef struct impact {
  uint32_t *pos;
  size_t n, cap; /* n 0: no order (none made, or a change not at the list's end since) */
  uint32_t *run; /* where each tf's run starts in pos, then n (n_runs + 1 entries) */
  size_t n_runs, run_cap;
} impact;

/* A search's place in one query term's list. */
typedef struct cursor {
  posting *l;
  size_t pos;    /* the next posting */
  uint32_t row;  /* its row (UINT32_MAX past the end) */
  uint32_t last; /* the last row of its block */
  size_t blk;    /* its block (SIZE_MAX: none yet) */
  double bub;    /* the bound of the term's part in that block */
  size_t qi;     /* the term's position in the query */
  float w;       /* its weight */
  double ub;     /* the bound of its part, over the whole list */
} cursor;

struct pt_bm25_index {
  pt_u32map terms; /* term index -> its posting list */
  posting *lists;
  size_t n_lists, cap_lists;
  float *len; /* per row id: its length, -1 when the row is not in the index, -2 when it was
               * forgotten (its postings stay, skipped, until the index is rebuilt) */
  size_t len_cap;
  size_t count;
  bool ip; /* an index of plain sparse rows (pt_bm25_index_new_ip): values of any sign, no lengths */
  impact *imp;      /* BM25: per list, for lists [0, imp_lists) (grown by one-term searches) */
  size_t imp_lists;
  /* search scratch */
  cursor *cur;        /* BM25: one per query term found */
  float *part;        /* BM25: one per query term */
  uint32_t *pre;      /* BM25: the rows scored before the walk, BLOCK per query term */
  size_t cur_cap;
  float *acc;       /* ip: len_cap accumulators, zero between searches */
  uint32_t *touched; /* ip: rows that a search reached */
  uint8_t *mark;     /* ip: len_cap marks, set on the rows in `touched`, zero between searches */
  size_t acc_cap;
  pt_scored *heap;
  size_t heap_cap;
  /* the bound era (search_era): the k1, b and avgdl the blocks' kept best_ts are for */
  uint32_t era;
  float era_k1, era_b, era_avgdl;
};

pt_status pt_bm25_index_new(pt_bm25_index **out) {
  if (!out) return PT_MISUSE;
  *out = pt_calloc(1, sizeof **out);
  return *out ? PT_OK : PT_NOMEM;
}

pt_status pt_bm25_index_new_ip(pt_bm25_index **out) {
  pt_status rc = pt_bm25_index_new(out);
  if (rc == PT_OK) (*out)->ip = true;
  return rc;
}

void pt_bm25_index_free(pt_bm25_index *ix) {
  if (!ix) return;
  for (size_t i = 0; i < ix->n_lists; i++) {
    pt_free(ix->lists[i].rows);
    pt_free(ix->lists[i].tf);
    pt_free(ix->lists[i].dl);
    pt_free(ix->lists[i].bm);
  }
  for (size_t i = 0; i < ix->imp_lists; i++) {
    pt_free(ix->imp[i].pos);
    pt_free(ix->imp[i].run);
  }
  pt_free(ix->imp);
  pt_free(ix->lists);
  pt_u32map_free(&ix->terms);
  pt_free(ix->len);
  pt_free(ix->cur);
  pt_free(ix->part);
  pt_free(ix->pre);
  pt_free(ix->acc);
  pt_free(ix->touched);
  pt_free(ix->mark);
  pt_free(ix->heap);
  pt_free(ix);
}

size_t pt_bm25_index_count(const pt_bm25_index *ix) { return ix->count; }

bool pt_bm25_index_contains(const pt_bm25_index *ix, uint32_t row) { return row < ix->len_cap && ix->len[row] >= 0; }

size_t pt_bm25_index_memory(const pt_bm25_index *ix) {
  size_t b = sizeof *ix + ix->terms.cap * 2 * sizeof(uint32_t) + ix->cap_lists * sizeof(posting) +
             ix->len_cap * sizeof(float) + ix->acc_cap * (sizeof(float) + sizeof(uint32_t) + ix->ip) +
             ix->heap_cap * sizeof(pt_scored) + ix->cur_cap * (sizeof *ix->cur + sizeof *ix->part + BLOCK * sizeof *ix->pre);
  for (size_t i = 0; i < ix->n_lists; i++)
    b += ix->lists[i].cap * (sizeof(uint32_t) + sizeof(float) * (ix->lists[i].dl ? 2 : 1)) +
         (ix->lists[i].bm ? blocks(ix->lists[i].cap) * sizeof(front) : 0);
  b += ix->imp_lists * sizeof(impact);
  for (size_t i = 0; i < ix->imp_lists; i++) b += (ix->imp[i].cap + ix->imp[i].run_cap) * sizeof(uint32_t);
  return b;
}

static bool vector_ok(const pt_bm25_index *ix, const pt_sparse_pair *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float v = p[i].value;
    if (!(ix->ip ? v != 0 : v > 0) || !isfinite(v) || p[i].index == UINT32_MAX) return false;
    if (i && p[i].index <= p[i - 1].index) return false;
  }
  return true;
}

/* Grows a posting list to hold one more entry (with `lengths`, a BM25 list's: its lengths and
 * its block summaries too). */
static pt_status posting_room(posting *l, bool lengths) {
  if (l->n < l->cap) return PT_OK;
  size_t cap = l->cap ? l->cap * 2 : 4;
  uint32_t *rows = pt_realloc(l->rows, cap * sizeof *rows);
  if (!rows) return PT_NOMEM;
  l->rows = rows;
  float *tf = pt_realloc(l->tf, cap * sizeof *tf);
  if (!tf) return PT_NOMEM; /* rows grew: harmless, cap stays */
  l->tf = tf;
  if (lengths) {
    float *dl = pt_realloc(l->dl, cap * sizeof *dl);
    if (!dl) return PT_NOMEM; /* as above */
    l->dl = dl;
    front *bm = pt_realloc(l->bm, blocks(cap) * sizeof *bm);
    if (!bm) return PT_NOMEM; /* as above */
    l->bm = bm;
  }
  l->cap = cap;
  return PT_OK;
}

/* Empties a list and gives its memory back. */
static void posting_clear(posting *l) {
  pt_free(l->rows);
  pt_free(l->tf);
  pt_free(l->dl);
  pt_free(l->bm);
  memset(l, 0, sizeof *l);
}

/* Adds the point (tf, dl) to a front of n points (tf descending, dl descending), keeping only
 * the points no other one dominates (tf no larger and dl no smaller); returns the new n, which
 * may be FRONT + 1 (front_cap takes it back). */
static size_t front_add(float *tf, float *dl, size_t n, float t, float d) {
  size_t i = 0;
  while (i < n && tf[i] > t) i++; /* points [0, i) have a larger tf */
  if (i > 0 && dl[i - 1] <= d) return n; /* dominated by a point of larger tf and shorter length */
  if (i < n && tf[i] == t && dl[i] <= d) return n; /* the same tf, no longer */
  /* the point goes at i; the points from i on with a length no shorter are dominated by it */
  size_t j = i;
  while (j < n && dl[j] >= d) j++;
  size_t keep = n - j;
  memmove(tf + i + 1, tf + j, keep * sizeof *tf);
  memmove(dl + i + 1, dl + j, keep * sizeof *dl);
  tf[i] = t;
  dl[i] = d;
  return i + 1 + keep;
}

/* A front of n <= FRONT + 1 points as a summary: the two largest-tf points merged (the larger
 * tf, the shorter length) while there are too many. */
static void front_cap(front *f, float *tf, float *dl, size_t n) {
  while (n > FRONT) {
    dl[0] = dl[1];
    memmove(tf + 1, tf + 2, (n - 2) * sizeof *tf);
    memmove(dl + 1, dl + 2, (n - 2) * sizeof *dl);
    n--;
  }
  for (size_t i = 0; i < FRONT; i++) {
    f->tf[i] = i < n ? tf[i] : 0;
    f->dl[i] = i < n ? dl[i] : INFINITY;
  }
  f->era = 0;
}

/* Counts the point (tf, dl) into a summary (nothing to do when a pair covers it already). */
static void front_count(front *f, float tf, float dl) {
  size_t n = 0;
  for (; n < FRONT && f->tf[n] > 0; n++)
    if (f->tf[n] >= tf && f->dl[n] <= dl) return;
  float t[FRONT + 1], d[FRONT + 1];
  memcpy(t, f->tf, n * sizeof *t);
  memcpy(d, f->dl, n * sizeof *d);
  front_cap(f, t, d, front_add(t, d, n, tf, dl));
}

/* Counts a posting just appended to a list (at position n - 1) into the summaries of its block
 * and of the list, when they were current: no allocation (posting_room grew them). */
static void summarise_appended(posting *l, float tf, float dl) {
  size_t at = l->n - 1, b = at / BLOCK;
  if (l->fresh < blocks(at)) return; /* stale before: the next search summarises */
  if (at % BLOCK == 0) front_cap(&l->bm[b], NULL, NULL, 0); /* a new block: empty */
  front_count(&l->bm[b], tf, dl);
  front_count(&l->all, tf, dl);
  l->bm[b].last = l->rows[at];
  l->fresh = b + 1;
}

/* A change at position `at` of list li: its impact order is gone when that moved positions it
 * holds (an append leaves it), and with `clear` (the list emptied) its memory too. */
static void impact_changed(pt_bm25_index *ix, uint32_t li, size_t at, bool clear) {
  if (li >= ix->imp_lists) return;
  impact *o = &ix->imp[li];
  if (at < o->n) o->n = 0;
  if (clear) {
    pt_free(o->pos);
    pt_free(o->run);
    memset(o, 0, sizeof *o);
  }
}

/* Where `row` is, or would go, in a list. */
static size_t posting_find(const posting *l, uint32_t row) {
  size_t lo = 0, hi = l->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (l->rows[mid] < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

pt_status pt_bm25_index_add(pt_bm25_index *ix, uint32_t row, const pt_sparse_pair *p, size_t n) {
  if (!ix || (!p && n) || row == UINT32_MAX || !vector_ok(ix, p, n) || (row < ix->len_cap && ix->len[row] != -1)) return PT_MISUSE;
  /* 1. room for the row's length */
  if (row >= ix->len_cap) {
    size_t cap = ix->len_cap ? ix->len_cap : 64;
    while (cap <= row) cap *= 2;
    float *len = pt_realloc(ix->len, cap * sizeof *len);
    if (!len) return PT_NOMEM;
    for (size_t i = ix->len_cap; i < cap; i++) len[i] = -1;
    ix->len = len;
    ix->len_cap = cap;
  }
  /* 2. room for new terms, in the map and in the list of lists */
  size_t fresh = 0;
  for (size_t i = 0; i < n; i++) fresh += pt_u32map_get(&ix->terms, p[i].index) == PT_INDEX_NONE;
  if (fresh) {
    if (pt_u32map_reserve(&ix->terms, fresh) != PT_OK) return PT_NOMEM;
    if (PT_GROW(&ix->lists, &ix->cap_lists, ix->n_lists + fresh) != PT_OK) return PT_NOMEM;
  }
  /* 3. room for one more entry in every existing list the row joins */
  for (size_t i = 0; i < n; i++) {
    uint32_t l = pt_u32map_get(&ix->terms, p[i].index);
    if (l != PT_INDEX_NONE && posting_room(&ix->lists[l], !ix->ip) != PT_OK) return PT_NOMEM;
  }
  /* 4. new lists get their first entry's room; a failure here drops the lists made so far */
  size_t first_new = ix->n_lists;
  for (size_t i = 0; i < n; i++) {
    if (pt_u32map_get(&ix->terms, p[i].index) != PT_INDEX_NONE) continue;
    posting *l = &ix->lists[ix->n_lists];
    memset(l, 0, sizeof *l);
    if (posting_room(l, !ix->ip) != PT_OK) {
      posting_clear(l); /* the half-grown list (its rows may be allocated) */
      goto undo_new;
    }
    pt_u32map_put(&ix->terms, p[i].index, (uint32_t)ix->n_lists);
    ix->n_lists++;
  }
  /* 5. insert (nothing can fail from here on) */
  float dl = ix->ip ? 0 : pt_bm25_doc_len(p, n);
  for (size_t i = 0; i < n; i++) {
    uint32_t li = pt_u32map_get(&ix->terms, p[i].index);
    posting *l = &ix->lists[li];
    size_t at = l->n && l->rows[l->n - 1] > row ? posting_find(l, row) : l->n;
    memmove(l->rows + at + 1, l->rows + at, (l->n - at) * sizeof *l->rows);
    memmove(l->tf + at + 1, l->tf + at, (l->n - at) * sizeof *l->tf);
    if (l->dl) {
      memmove(l->dl + at + 1, l->dl + at, (l->n - at) * sizeof *l->dl);
      l->dl[at] = dl;
    }
    l->rows[at] = row;
    l->tf[at] = p[i].value;
    l->n++;
    if (at + 1 == l->n && !ix->ip) summarise_appended(l, p[i].value, dl);
    else if (l->fresh > at / BLOCK) l->fresh = at / BLOCK;
    impact_changed(ix, li, at, false);
  }
  ix->len[row] = dl;
  ix->count++;
  return PT_OK;
undo_new:
  /* the lists made in step 4 are empty: unmap them and free their room */
  for (size_t j = first_new; j < ix->n_lists; j++) posting_clear(&ix->lists[j]);
  for (size_t i = 0; i < n; i++) {
    uint32_t l = pt_u32map_get(&ix->terms, p[i].index);
    if (l != PT_INDEX_NONE && l >= first_new) pt_u32map_del(&ix->terms, p[i].index);
  }
  ix->n_lists = first_new;
  return PT_NOMEM;
}

pt_status pt_bm25_index_remove(pt_bm25_index *ix, uint32_t row, const pt_sparse_pair *p, size_t n) {
  if (!ix || (!p && n)) return PT_MISUSE;
  if (!pt_bm25_index_contains(ix, row)) return PT_NOT_FOUND;
  /* every posting must be there before any goes */
  for (size_t i = 0; i < n; i++) {
    uint32_t l = pt_u32map_get(&ix->terms, p[i].index);
    if (l == PT_INDEX_NONE) return PT_MISUSE;
    const posting *pl = &ix->lists[l];
    size_t at = posting_find(pl, row);
    if (at == pl->n || pl->rows[at] != row) return PT_MISUSE;
  }
  for (size_t i = 0; i < n; i++) {
    uint32_t li = pt_u32map_get(&ix->terms, p[i].index);
    posting *l = &ix->lists[li];
    size_t at = posting_find(l, row);
    memmove(l->rows + at, l->rows + at + 1, (l->n - at - 1) * sizeof *l->rows);
    memmove(l->tf + at, l->tf + at + 1, (l->n - at - 1) * sizeof *l->tf);
    if (l->dl) memmove(l->dl + at, l->dl + at + 1, (l->n - at - 1) * sizeof *l->dl);
    l->n--;
    if (l->fresh > at / BLOCK) l->fresh = at / BLOCK;
    impact_changed(ix, li, at, l->n == 0);
    if (l->n == 0) posting_clear(l); /* an emptied list gives its memory back; its term stays mapped to it */
  }
  ix->len[row] = -1;
  ix->count--;
  return PT_OK;
}

pt_status pt_bm25_index_forget(pt_bm25_index *ix, uint32_t row) {
  if (!ix) return PT_MISUSE;
  if (!pt_bm25_index_contains(ix, row)) return PT_NOT_FOUND;
  ix->len[row] = -2;
  ix->count--;
  return PT_OK;
}

/* Search scratch for every row id the index may hold: accumulators (zero), touched rows, marks
 * (ip), and a heap of room kk. PT_NOMEM leaves what grew consistent (zeroed past acc_cap). */
static pt_status search_room(pt_bm25_index *ix, size_t kk) {
  if (ix->acc_cap < ix->len_cap) {
    float *acc = pt_realloc(ix->acc, ix->len_cap * sizeof *acc);
    if (!acc) return PT_NOMEM;
    ix->acc = acc;
    memset(acc + ix->acc_cap, 0, (ix->len_cap - ix->acc_cap) * sizeof *acc);
    uint32_t *touched = pt_realloc(ix->touched, ix->len_cap * sizeof *touched);
    if (!touched) return PT_NOMEM; /* acc grew and is all zeros past acc_cap: kept */
    ix->touched = touched;
    if (ix->ip) {
      uint8_t *mark = pt_realloc(ix->mark, ix->len_cap);
      if (!mark) return PT_NOMEM;
      memset(mark + ix->acc_cap, 0, ix->len_cap - ix->acc_cap);
      ix->mark = mark;
    }
    ix->acc_cap = ix->len_cap;
  }
  return PT_GROW(&ix->heap, &ix->heap_cap, kk);
}

/* The heap's h rows, best first, into the caller's arrays. */
static void heap_out(pt_bm25_index *ix, size_t h, uint32_t *ids, float *scores, size_t *count) {
  pt_maxheap_sort(ix->heap, h);
  for (size_t i = 0; i < h; i++) {
    ids[i] = ix->heap[i].id;
    scores[i] = -ix->heap[i].d;
  }
  *count = h;
}

/* The best kk of the touched rows the filter passes (NaN sums left out: they cannot be ranked),
 * highest first, ties in row order; the accumulators (and marks) back to zero. */
static void best_touched(pt_bm25_index *ix, size_t n_touched, size_t kk, const pt_index_filter *filter, uint32_t *ids,
                         float *scores, size_t *count) {
  size_t h = 0;
  for (size_t i = 0; i < n_touched; i++) {
    uint32_t r = ix->touched[i];
    float s = ix->acc[r];
    ix->acc[r] = 0;
    if (ix->ip) ix->mark[r] = 0;
    if (s != s || (filter && filter->accept && !filter->accept(filter->ctx, r))) continue;
    pt_topk_offer(ix->heap, &h, kk, (pt_scored){-s, r});
  }
  heap_out(ix, h, ids, scores, count);
}

/* ---- the BM25 search: document at a time, with exact pruning ----
 *
 * The rows are visited in ascending order, each one's score summed over the query's terms in
 * ascending index order (pt_bm25_score's sum, bit for bit); a row enters the best kk when it
 * beats the worst kept, theta (a later row never wins a tie). A term's part of any score is at
 * most the bound of a summary that covers the posting (its block's, or the list's): the largest
 * w * ts(tf, length) over the summary's pairs. Once kk rows are kept,
 *   - the terms whose list bounds, smallest first, add up to no more than theta cannot make a
 *     row enter on their own (MaxScore): only the rows of the other ("essential") terms are
 *     candidates, the others' lists are moved up to each candidate;
 *   - every list's postings from the candidate up to `last`, the first end of the lists'
 *     current blocks, lie in its current block: when those blocks' bounds add up to no more than
 *     theta, every row up to `last` is passed over (block-max), and when the bounds of the
 *     blocks holding the candidate do, the candidate is.
 * Before the walk, the rows of the block with the largest bound of the term with the largest
 * bound are scored, then those of the next term's, until kk rows are kept (a query of one rare
 * and two common words then starts with theta among the rare word's rows and the next word's
 * best, where the common words cannot follow), so that theta starts high (the walk passes
 * those rows over: each row is offered to the heap once, and the heap orders by score, then row,
 * whatever the order rows come in).
 * Bounds are computed in double from the float summaries and raised by a relative margin that
 * covers the float rounding of a part (a few ulps) and of a sum of up to m parts, so a row is
 * only passed over when its float score could not be above theta. */

/* Summarises the stale blocks of a list, then the list from its blocks' summaries (merged from
 * scratch: a point of the old one may stand for a posting that a change took out). */
static void refresh(const pt_bm25_index *ix, posting *l) {
  size_t nb = blocks(l->n);
  if (l->fresh >= nb) return;
  for (size_t b = l->fresh; b < nb; b++) {
    size_t end = (b + 1) * BLOCK < l->n ? (b + 1) * BLOCK : l->n;
    float tf[BLOCK + 1], dl[BLOCK + 1];
    size_t n = 0;
    for (size_t j = b * BLOCK; j < end; j++) {
      float len = ix->len[l->rows[j]];
      if (len >= 0) n = front_add(tf, dl, n, l->tf[j], len); /* forgotten rows left out */
    }
    front_cap(&l->bm[b], tf, dl, n);
    l->bm[b].last = l->rows[end - 1];
  }
  front_cap(&l->all, NULL, NULL, 0);
  for (size_t b = 0; b < nb; b++)
    for (size_t i = 0; i < FRONT && l->bm[b].tf[i] > 0; i++) front_count(&l->all, l->bm[b].tf[i], l->bm[b].dl[i]);
  l->fresh = nb;
}

/* The relative margin of a bound's part: the real part at most, raised past float rounding. */
#define PART_MARGIN (1 + 1e-5)

/* The largest ts(tf, dl) = tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)) of a summary's pairs,
 * at q's k1, b and avgdl (0: no pair). */
static double best_ts(const pt_bm25_query *q, const front *f) {
  double k1 = q->k1, best = 0, base = k1 * (1 - (double)q->b), slope = k1 * (double)q->b / q->avgdl;
  for (size_t i = 0; i < FRONT && f->tf[i] > 0; i++) {
    double tf = f->tf[i], ts = tf * (k1 + 1) / (tf + base + slope * f->dl[i]);
    if (ts > best) best = ts;
  }
  return best;
}

/* A bound on a term's part w * ts(tf, dl) for every (tf, dl) a summary covers (0: no pair). */
static double bound(const pt_bm25_query *q, float w, const front *f) { return (double)w * best_ts(q, f) * PART_MARGIN; }

/* bound() of a block's summary, its best_ts kept for the searches of the index's bound era (the
 * same k1, b and avgdl: search_era): the same value, without the divisions. */
static double block_bound(const pt_bm25_index *ix, const pt_bm25_query *q, float w, front *f) {
  if (f->era != ix->era) {
    f->best = best_ts(q, f);
    f->era = ix->era;
  }
  return (double)w * f->best * PART_MARGIN;
}

/* Starts a search's bound era: the current one when q brings its k1, b and avgdl, else a new one
 * (every block's kept best_ts is then stale; a summary made again is stale too: front_cap). */
static void search_era(pt_bm25_index *ix, const pt_bm25_query *q) {
  if (ix->era && q->k1 == ix->era_k1 && q->b == ix->era_b && q->avgdl == ix->era_avgdl) return;
  if (++ix->era == 0) { /* wrapped: no block may keep an era of the past */
    for (size_t li = 0; li < ix->n_lists; li++)
      for (size_t b = 0, nb = ix->lists[li].bm ? blocks(ix->lists[li].n) : 0; b < nb; b++) ix->lists[li].bm[b].era = 0;
    ix->era = 1;
  }
  ix->era_k1 = q->k1;
  ix->era_b = q->b;
  ix->era_avgdl = q->avgdl;
}

double pt_bm25_index_term_bound(pt_bm25_index *ix, const pt_bm25_query *q, size_t i) {
  if (!ix || !q || i >= q->n || ix->ip) return 0;
  uint32_t li = pt_u32map_get(&ix->terms, q->w[i].index);
  if (li == PT_INDEX_NONE || ix->lists[li].n == 0) return 0;
  refresh(ix, &ix->lists[li]);
  return bound(q, q->w[i].value, &ix->lists[li].all);
}

/* The last row of block b of a list (its summary must be current: refresh). */
static uint32_t block_last(const posting *l, size_t b) { return l->bm[b].last; }

/* A cursor's row and, when it entered another block, that block's last row and bound. */
static void settle(const pt_bm25_index *ix, const pt_bm25_query *q, cursor *c) {
  posting *l = c->l;
  if (c->pos >= l->n) {
    c->row = UINT32_MAX;
    return;
  }
  c->row = l->rows[c->pos];
  size_t b = c->pos / BLOCK;
  if (b == c->blk) return;
  c->blk = b;
  c->last = block_last(l, b);
  c->bub = block_bound(ix, q, c->w, &l->bm[b]);
}

/* Moves a cursor to its next posting (settle's work only when it enters another block). */
static inline void advance(const pt_bm25_index *ix, const pt_bm25_query *q, cursor *c) {
  size_t pos = ++c->pos;
  if (pos % BLOCK != 0 && pos < c->l->n) c->row = c->l->rows[pos];
  else settle(ix, q, c);
}

/* Moves a cursor to its first posting at or after row `r`: to its block by strides that double
 * (a rare word's rows move a common word's cursor over thousands of blocks), then by halves. */
static void seek(const pt_bm25_index *ix, const pt_bm25_query *q, cursor *c, uint32_t r) {
  const posting *l = c->l;
  size_t pos = c->pos;
  if (pos < l->n && l->rows[pos] < r) {
    size_t nb = blocks(l->n), lo = pos / BLOCK, hi = lo; /* the block: the first from lo whose last row is >= r */
    if (block_last(l, lo) < r) {
      /* block_last(lo) < r; hi: a block whose last row is >= r, or nb */
      for (size_t step = 1;; step *= 2) {
        hi = lo + step < nb ? lo + step : nb;
        if (hi == nb || block_last(l, hi) >= r) break;
        lo = hi;
      }
      while (lo + 1 < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (block_last(l, mid) < r) lo = mid;
        else hi = mid;
      }
      pos = hi * BLOCK; /* past the end when hi == nb */
    }
    if (pos < l->n) {
      size_t a = pos, b = (pos / BLOCK + 1) * BLOCK; /* rows[b - 1] >= r */
      if (b > l->n) b = l->n;
      b--;
      while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (l->rows[mid] < r) a = mid + 1;
        else b = mid;
      }
      pos = a;
    } else {
      pos = l->n;
    }
  }
  c->pos = pos;
  settle(ix, q, c);
}

static float part_at(const pt_bm25_query *q, const cursor *c) {
  return c->w * pt_bm25_term_score(c->l->tf[c->pos], c->l->dl[c->pos], q->k1, q->b, q->avgdl);
}

/* Row d, its parts in part[] (by query position), offered to the heap of the best kk: its
 * score summed as pt_bm25_score sums it. With `check`, a row that would enter is first asked
 * whether it is live (a forgotten row's postings stay) and passes the filter: most rows do not
 * get that far, and their lookups are the random reads of a search. The new theta (the worst
 * kept once kk are). */
static double offer(pt_bm25_index *ix, const pt_bm25_query *q, const float *part, size_t kk, size_t *h, uint32_t d,
                    double theta, bool check, const pt_index_filter *filter) {
  float sum = 0;
  for (size_t i = 0; i < q->n; i++)
    if (part[i] > 0) sum += part[i];
  pt_scored x = {-sum, d};
  if (!(sum > 0) || (*h == kk && !pt_scored_less(x, ix->heap[0]))) return theta;
  if (check && (ix->len[d] < 0 || (filter && filter->accept && !filter->accept(filter->ctx, d)))) return theta;
  pt_topk_offer(ix->heap, h, kk, x);
  return *h == kk ? -(double)ix->heap[0].d : theta;
}

/* ---- a query of one term: its list read in impact order ----
 *
 * When one list holds the query's terms, a row's score is that term's part alone, w * ts(tf,
 * length), and for a given tf it never rises as the length grows, whatever k1 and b (>= 0) and
 * avgdl (> 0) the query brings: each float operation of pt_bm25_term_score is monotone in the
 * length (rounding to nearest is monotone). So such a list keeps its positions in an order no
 * statistic changes, tf descending, then length ascending, then position (row) ascending, with
 * where each tf's run starts, built by the first such search (or for every long list at once by
 * pt_bm25_index_prepare), and the search reads each run from its front until, k rows kept, a
 * part falls below the worst kept: the rest of the run can neither beat nor tie it.
 * Postings appended since the order was built (its tail) are scored one by one; the order is
 * built again once the tail passes an eighth of it, and dropped by a change anywhere else in the
 * list. The top k is the walk's, bit for bit: the same parts (summed from 0: 0 + part == part),
 * offered to the same heap. */
#define IMPACT_MIN (4 * BLOCK) /* shorter lists are walked: they cost less than an order */

typedef struct impact_key {
  float tf, dl;
  uint32_t pos;
} impact_key;

static int cmp_impact(const void *a, const void *b) {
  const impact_key *x = a, *y = b;
  if (x->tf != y->tf) return x->tf > y->tf ? -1 : 1;
  if (x->dl != y->dl) return x->dl < y->dl ? -1 : 1;
  return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Brings a list's impact order up to date; false when there is no room for it (the walk answers
 * then, and the index is as it was but for capacity). Whole tfs and lengths of a small range (a
 * BM25 function's counts) are put in order by one stable counting pass on (largest tf - tf,
 * length), which costs about what a walk of the list does; other values by a sort. */
static bool impact_ready(pt_bm25_index *ix, uint32_t li) {
  if (ix->imp_lists < ix->n_lists) {
    impact *imp = pt_realloc(ix->imp, ix->cap_lists * sizeof *imp);
    if (!imp) return false;
    memset(imp + ix->imp_lists, 0, (ix->cap_lists - ix->imp_lists) * sizeof *imp);
    ix->imp = imp;
    ix->imp_lists = ix->cap_lists;
  }
  const posting *l = &ix->lists[li];
  impact *o = &ix->imp[li];
  if (o->n && l->n - o->n <= o->n / 8) return true;
  if (PT_GROW(&o->pos, &o->cap, l->n) != PT_OK) return false;
  float max_tf = 0, max_dl = 0;
  bool whole = true;
  for (size_t i = 0; i < l->n; i++) {
    float tf = l->tf[i], dl = l->dl[i];
    whole = whole && tf == floorf(tf) && dl == floorf(dl);
    if (tf > max_tf) max_tf = tf;
    if (dl > max_dl) max_dl = dl;
  }
  whole = whole && max_tf <= 65535 && max_dl <= 65535; /* (lengths are >= 0, tfs > 0) */
  size_t width = whole ? (size_t)max_dl + 1 : 0, range = whole ? ((size_t)max_tf + 1) * width : SIZE_MAX;
  size_t runs = 0;
  if (range <= 4 * l->n + 1024) {
    uint32_t *at = pt_calloc(range + 1, sizeof *at);
    if (!at) return false;
    const size_t top = (size_t)max_tf;
    for (size_t i = 0; i < l->n; i++) at[(top - (size_t)l->tf[i]) * width + (size_t)l->dl[i] + 1]++;
    for (size_t v = 0; v < range; v++) at[v + 1] += at[v];
    /* a tf's run: its buckets, from at[(top - tf) * width] (the keys before them) */
    if (PT_GROW(&o->run, &o->run_cap, top + 2) != PT_OK) {
      pt_free(at);
      return false;
    }
    for (size_t t = 0; t <= top; t++)
      if (at[(t + 1) * width] > at[t * width]) o->run[runs++] = at[t * width];
    for (size_t i = 0; i < l->n; i++) o->pos[at[(top - (size_t)l->tf[i]) * width + (size_t)l->dl[i]]++] = (uint32_t)i;
    pt_free(at);
  } else {
    impact_key *key = pt_malloc(l->n * sizeof *key);
    if (!key) return false;
    for (size_t i = 0; i < l->n; i++) key[i] = (impact_key){l->tf[i], l->dl[i], (uint32_t)i};
    qsort(key, l->n, sizeof *key, cmp_impact);
    for (size_t i = 0; i < l->n; i++) runs += i == 0 || key[i].tf != key[i - 1].tf;
    if (PT_GROW(&o->run, &o->run_cap, runs + 1) != PT_OK) {
      pt_free(key);
      return false;
    }
    runs = 0;
    for (size_t i = 0; i < l->n; i++) {
      if (i == 0 || key[i].tf != key[i - 1].tf) o->run[runs++] = (uint32_t)i;
      o->pos[i] = key[i].pos;
    }
    pt_free(key);
  }
  o->run[runs] = (uint32_t)l->n;
  o->n_runs = runs;
  o->n = l->n;
  return true;
}

void pt_bm25_index_prepare(pt_bm25_index *ix) {
  if (!ix || ix->ip) return;
  for (uint32_t li = 0; li < ix->n_lists; li++)
    if (ix->lists[li].n >= IMPACT_MIN && !impact_ready(ix, li)) return; /* made by searches, later */
}

/* The best kk rows of the one list `c` reads, in impact order then its tail, into the heap (its
 * size *h). */
static void search_one(pt_bm25_index *ix, const pt_bm25_query *q, const cursor *c, const impact *o, size_t kk,
                       const pt_index_filter *filter, size_t *h) {
  const posting *l = c->l;
  float *part = ix->part;
  double theta = -INFINITY;
  for (size_t r = 0; r < o->n_runs; r++) {
    const float tf = l->tf[o->pos[o->run[r]]];
    for (size_t j = o->run[r], end = o->run[r + 1]; j < end; j++) {
      size_t pos = o->pos[j];
      part[c->qi] = c->w * pt_bm25_term_score(tf, l->dl[pos], q->k1, q->b, q->avgdl);
      if (*h == kk && part[c->qi] < theta) break; /* the rest of the run is no better */
      theta = offer(ix, q, part, kk, h, l->rows[pos], theta, true, filter);
    }
  }
  for (size_t pos = o->n; pos < l->n; pos++) {
    part[c->qi] = c->w * pt_bm25_term_score(l->tf[pos], l->dl[pos], q->k1, q->b, q->avgdl);
    theta = offer(ix, q, part, kk, h, l->rows[pos], theta, true, filter);
  }
  part[c->qi] = 0;
}

pt_status pt_bm25_index_search(pt_bm25_index *ix, const pt_bm25_query *q, size_t k, const pt_index_filter *filter,
                               uint32_t *ids, float *scores, size_t *count) {
  if (!ix || !q || !count || (k && (!ids || !scores)) || ix->ip) return PT_MISUSE;
  *count = 0;
  if (k == 0 || ix->count == 0 || q->n == 0) return PT_OK;
  size_t kk = k < ix->count ? k : ix->count;
  if (PT_GROW(&ix->heap, &ix->heap_cap, kk) != PT_OK) return PT_NOMEM;
  if (ix->cur_cap < q->n) {
    cursor *cur = pt_realloc(ix->cur, q->n * sizeof *cur);
    if (!cur) return PT_NOMEM;
    ix->cur = cur;
    float *part = pt_realloc(ix->part, q->n * sizeof *part);
    if (!part) return PT_NOMEM; /* cur grew: harmless */
    ix->part = part;
    uint32_t *pre = pt_realloc(ix->pre, q->n * BLOCK * sizeof *pre);
    if (!pre) return PT_NOMEM; /* as above */
    ix->pre = pre;
    ix->cur_cap = q->n;
  }
  search_era(ix, q);
  /* the terms the index holds, smallest bound first */
  cursor *cur = ix->cur;
  float *part = ix->part;
  size_t m = 0;
  uint32_t one = 0; /* the list, when the query has one */
  for (size_t i = 0; i < q->n; i++) {
    part[i] = 0;
    uint32_t li = pt_u32map_get(&ix->terms, q->w[i].index);
    if (li == PT_INDEX_NONE || ix->lists[li].n == 0 || !(q->w[i].value > 0)) continue; /* adds nothing */
    posting *l = &ix->lists[one = li];
    refresh(ix, l);
    cursor c = {.l = l, .blk = SIZE_MAX, .qi = i, .w = q->w[i].value, .ub = bound(q, q->w[i].value, &l->all)};
    settle(ix, q, &c);
    size_t at = m++;
    while (at > 0 && cur[at - 1].ub > c.ub) {
      cur[at] = cur[at - 1];
      at--;
    }
    cur[at] = c;
  }
  if (m == 1 && ix->lists[one].n >= IMPACT_MIN && q->k1 >= 0 && q->b >= 0 && q->avgdl > 0 && impact_ready(ix, one)) {
    size_t h = 0;
    search_one(ix, q, &cur[0], &ix->imp[one], kk, filter, &h);
    heap_out(ix, h, ids, scores, count);
    return PT_OK;
  }
  /* the margin of a sum of up to m float parts */
  const double sum_margin = 1 + 1.25e-7 * (double)(m + 1);
  double below = 0;         /* the bounds of the non-essential terms cur[0..e), summed */
  double theta = -INFINITY; /* the worst kept score, once kk are kept */
  size_t e = 0, h = 0;
  /* a first theta: the rows of the block with the largest bound of the term with the largest
   * bound, then of the next term's, ... until kk rows are kept (a short list has one block: all
   * of its rows), each scored, each part found by halves; the walk below passes them over
   * (pre[0, n_pre), sorted then) */
  uint32_t *pre = ix->pre;
  size_t n_pre = 0, pre_at = 0;
  for (size_t t = m; t-- > 0 && (t == m - 1 || h < kk);) {
    posting *l = cur[t].l;
    size_t at = 0;
    double best = -1;
    for (size_t b = 0, nb = blocks(l->n); b < nb; b++) {
      double v = block_bound(ix, q, cur[t].w, &l->bm[b]);
      if (v > best) best = v, at = b * BLOCK;
    }
    size_t end = at + BLOCK < l->n ? at + BLOCK : l->n, had = n_pre;
    for (size_t i = at; i < end; i++) {
      uint32_t r = l->rows[i];
      if (ix->len[r] < 0 || (filter && filter->accept && !filter->accept(filter->ctx, r))) continue;
      bool seen = false;
      for (size_t x = 0; x < had && !seen; x++) seen = pre[x] == r;
      if (seen) continue;
      pre[n_pre++] = r;
      for (size_t j = 0; j < m; j++) {
        const posting *lj = cur[j].l;
        size_t aj = lj == l ? i : posting_find(lj, r);
        if (aj < lj->n && lj->rows[aj] == r)
          part[cur[j].qi] = cur[j].w * pt_bm25_term_score(lj->tf[aj], lj->dl[aj], q->k1, q->b, q->avgdl);
      }
      theta = offer(ix, q, part, kk, &h, r, theta, false, NULL);
      for (size_t j = 0; j < m; j++) part[cur[j].qi] = 0;
    }
  }
  if (n_pre > 4 * BLOCK) qsort(pre, n_pre, sizeof *pre, cmp_u32); /* ascending (a block's rows are already) */
  else for (size_t i = 1; i < n_pre; i++) {
    uint32_t r = pre[i];
    size_t j = i;
    for (; j > 0 && pre[j - 1] > r; j--) pre[j] = pre[j - 1];
    pre[j] = r;
  }
  while (h == kk && e < m && (below + cur[e].ub) * sum_margin <= theta) below += cur[e++].ub;
  for (;;) {
    /* the next row of an essential list */
    uint32_t d = UINT32_MAX;
    for (size_t j = e; j < m; j++)
      if (cur[j].row < d) d = cur[j].row;
    if (d == UINT32_MAX) break;
    /* a row scored first: passed over */
    while (pre_at < n_pre && pre[pre_at] < d) pre_at++;
    if (pre_at < n_pre && pre[pre_at] == d) {
      for (size_t j = e; j < m; j++)
        if (cur[j].row == d) {
          advance(ix, q, &cur[j]);
        }
      continue;
    }
    if (h == kk && e > 0) {
      /* MaxScore: d's essential parts, exactly, and the others' list bounds; when they cannot
       * beat theta, d cannot enter whatever the other lists hold at d (none of them is sought) */
      double ess = 0;
      for (size_t j = e; j < m; j++)
        if (cur[j].row == d) ess += part_at(q, &cur[j]);
      if ((ess + below) * sum_margin <= theta) {
        for (size_t j = e; j < m; j++)
          if (cur[j].row == d) advance(ix, q, &cur[j]);
        continue;
      }
    }
    if (h == kk) {
      /* every list at d or past it; `last`: the first end of their current blocks. A list's
       * postings from d up to `last` are in its current block, so its block's bound bounds
       * its part of every row there (a list whose next row is past `last` has none) */
      uint32_t last = UINT32_MAX;
      for (size_t j = 0; j < m; j++) {
        if (j < e && cur[j].row < d) seek(ix, q, &cur[j], d);
        if (cur[j].row != UINT32_MAX && cur[j].last < last) last = cur[j].last;
      }
      double ub = 0, ub_d = 0;
      for (size_t j = 0; j < m; j++) {
        if (cur[j].row <= last) ub += cur[j].bub;
        if (cur[j].row == d) ub_d += cur[j].bub;
      }
      if (ub * sum_margin <= theta) { /* no row up to `last` can enter */
        for (size_t j = e; j < m; j++)
          if (cur[j].row <= last) seek(ix, q, &cur[j], last + 1);
        continue;
      }
      if (ub_d * sum_margin <= theta) { /* row d cannot */
        for (size_t j = e; j < m; j++)
          if (cur[j].row == d) {
            advance(ix, q, &cur[j]);
          }
        continue;
      }
    }
    /* row d's score, as pt_bm25_score sums it (every list is at d or past it: before the heap
     * is full, every list is essential) */
    for (size_t j = 0; j < m; j++) {
      if (cur[j].row != d) continue;
      part[cur[j].qi] = part_at(q, &cur[j]);
      if (j >= e) {
        advance(ix, q, &cur[j]);
      }
    }
    double was = theta;
    theta = offer(ix, q, part, kk, &h, d, theta, true, filter);
    for (size_t j = 0; j < m; j++) part[cur[j].qi] = 0;
    if (theta != was)
      while (e < m && (below + cur[e].ub) * sum_margin <= theta) below += cur[e++].ub;
  }
  heap_out(ix, h, ids, scores, count);
  return PT_OK;
}

pt_status pt_bm25_index_search_ip(pt_bm25_index *ix, const pt_sparse_pair *q, size_t qn, size_t k,
                                  const pt_index_filter *filter, uint32_t *ids, float *scores, size_t *count) {
  if (!ix || (!q && qn) || !count || (k && (!ids || !scores)) || !ix->ip) return PT_MISUSE;
  *count = 0;
  if (k == 0 || ix->count == 0 || qn == 0) return PT_OK;
  size_t kk = k < ix->count ? k : ix->count;
  if (search_room(ix, kk) != PT_OK) return PT_NOMEM;
  /* term at a time, the query's terms in ascending index order: each row's sum takes its
   * products (stored value times query value) in the order the exact scan does */
  size_t n_touched = 0;
  for (size_t i = 0; i < qn; i++) {
    float w = q[i].value;
    uint32_t li = w != 0 ? pt_u32map_get(&ix->terms, q[i].index) : PT_INDEX_NONE;
    if (li == PT_INDEX_NONE) continue; /* a zero weight adds a zero, which changes no sum */
    const posting *l = &ix->lists[li];
    for (size_t j = 0; j < l->n; j++) {
      uint32_t r = l->rows[j];
      if (ix->len[r] < 0) continue; /* forgotten */
      if (!ix->mark[r]) {
        ix->mark[r] = 1;
        ix->touched[n_touched++] = r;
      }
      ix->acc[r] += l->tf[j] * w;
    }
  }
  best_touched(ix, n_touched, kk, filter, ids, scores, count);
  return PT_OK;
}
