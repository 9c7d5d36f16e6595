/*
 * bm25.c — BM25 as Milvus computes it (bm25.h): term vectors of tokens, collection statistics,
 * knowhere's metric and parameter checks, and a term-at-a-time inverted index.
 *
 * HOW IT WORKS
 * Vectorizing hashes every token, sorts the indices and counts runs: the pairs come out
 * ascending, as Milvus sorts its rows. The statistics keep df in an open-addressed u32 map
 * (index.h's pt_u32map); an add reserves room for every new term before it counts anything, so
 * it fails whole or not at all. The index keeps one posting list per term (rows ascending, their
 * tf beside them) and a float per row id for the row's length (negative: not in the index). An
 * add first grows everything it will write (the term map, the list of lists, each posting list by
 * one, the length array), then inserts; a remove checks that every posting is where it should be
 * before it takes any out. A search walks the query's terms in order; each posting adds
 * weight * term score to an accumulator per row (the rows it touches are listed, so clearing
 * costs what the search touched), then the touched rows the filter passes go through a max-heap
 * of k (index.h's pt_scored heaps, scores negated so that smaller is better).
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
  qsort(out->scratch, n, sizeof *out->scratch, cmp_u32);
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

typedef struct posting {
  uint32_t *rows; /* ascending */
  float *tf;
  size_t n, cap;
} posting;

struct pt_bm25_index {
  pt_u32map terms; /* term index -> its posting list */
  posting *lists;
  size_t n_lists, cap_lists;
  float *len; /* per row id: its length, -1 when the row is not in the index, -2 when it was
               * forgotten (its postings stay, skipped, until the index is rebuilt) */
  size_t len_cap;
  size_t count;
  bool ip; /* an index of plain sparse rows (pt_bm25_index_new_ip): values of any sign, no lengths */
  /* search scratch */
  float *acc;       /* len_cap accumulators, zero between searches */
  uint32_t *touched; /* rows whose accumulator a search made non-zero (ip: that a search reached) */
  uint8_t *mark;     /* ip: len_cap marks, set on the rows in `touched`, zero between searches */
  size_t acc_cap;
  pt_scored *heap;
  size_t heap_cap;
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
  }
  pt_free(ix->lists);
  pt_u32map_free(&ix->terms);
  pt_free(ix->len);
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
             ix->heap_cap * sizeof(pt_scored);
  for (size_t i = 0; i < ix->n_lists; i++) b += ix->lists[i].cap * (sizeof(uint32_t) + sizeof(float));
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

/* Grows a posting list to hold one more entry. */
static pt_status posting_room(posting *l) {
  if (l->n < l->cap) return PT_OK;
  size_t cap = l->cap ? l->cap * 2 : 4;
  uint32_t *rows = pt_realloc(l->rows, cap * sizeof *rows);
  if (!rows) return PT_NOMEM;
  l->rows = rows;
  float *tf = pt_realloc(l->tf, cap * sizeof *tf);
  if (!tf) return PT_NOMEM; /* rows grew: harmless, cap stays */
  l->tf = tf;
  l->cap = cap;
  return PT_OK;
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
    if (l != PT_INDEX_NONE && posting_room(&ix->lists[l]) != PT_OK) return PT_NOMEM;
  }
  /* 4. new lists get their first entry's room; a failure here drops the lists made so far */
  size_t first_new = ix->n_lists;
  for (size_t i = 0; i < n; i++) {
    if (pt_u32map_get(&ix->terms, p[i].index) != PT_INDEX_NONE) continue;
    posting *l = &ix->lists[ix->n_lists];
    memset(l, 0, sizeof *l);
    if (posting_room(l) != PT_OK) {
      pt_free(l->rows); /* the half-grown list (its rows may be allocated) */
      goto undo_new;
    }
    pt_u32map_put(&ix->terms, p[i].index, (uint32_t)ix->n_lists);
    ix->n_lists++;
  }
  /* 5. insert (nothing can fail from here on) */
  for (size_t i = 0; i < n; i++) {
    posting *l = &ix->lists[pt_u32map_get(&ix->terms, p[i].index)];
    size_t at = posting_find(l, row);
    memmove(l->rows + at + 1, l->rows + at, (l->n - at) * sizeof *l->rows);
    memmove(l->tf + at + 1, l->tf + at, (l->n - at) * sizeof *l->tf);
    l->rows[at] = row;
    l->tf[at] = p[i].value;
    l->n++;
  }
  ix->len[row] = ix->ip ? 0 : pt_bm25_doc_len(p, n);
  ix->count++;
  return PT_OK;
undo_new:
  /* the lists made in step 4 are empty: unmap them and free their room */
  for (size_t j = first_new; j < ix->n_lists; j++) {
    pt_free(ix->lists[j].rows);
    pt_free(ix->lists[j].tf);
  }
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
    posting *l = &ix->lists[pt_u32map_get(&ix->terms, p[i].index)];
    size_t at = posting_find(l, row);
    memmove(l->rows + at, l->rows + at + 1, (l->n - at - 1) * sizeof *l->rows);
    memmove(l->tf + at, l->tf + at + 1, (l->n - at - 1) * sizeof *l->tf);
    l->n--;
    if (l->n == 0) { /* an emptied list gives its memory back; its term stays mapped to it */
      pt_free(l->rows);
      pt_free(l->tf);
      l->rows = NULL;
      l->tf = NULL;
      l->cap = 0;
    }
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
    pt_scored x = {-s, r};
    if (h < kk) pt_maxheap_push(ix->heap, &h, x);
    else if (pt_scored_less(x, ix->heap[0])) {
      pt_maxheap_pop(ix->heap, &h);
      pt_maxheap_push(ix->heap, &h, x);
    }
  }
  pt_maxheap_sort(ix->heap, h);
  for (size_t i = 0; i < h; i++) {
    ids[i] = ix->heap[i].id;
    scores[i] = -ix->heap[i].d;
  }
  *count = h;
}

pt_status pt_bm25_index_search(pt_bm25_index *ix, const pt_bm25_query *q, size_t k, const pt_index_filter *filter,
                               uint32_t *ids, float *scores, size_t *count) {
  if (!ix || !q || !count || (k && (!ids || !scores)) || ix->ip) return PT_MISUSE;
  *count = 0;
  if (k == 0 || ix->count == 0 || q->n == 0) return PT_OK;
  size_t kk = k < ix->count ? k : ix->count;
  if (search_room(ix, kk) != PT_OK) return PT_NOMEM;
  /* term at a time: each posting adds its part to its row's accumulator */
  size_t n_touched = 0;
  for (size_t i = 0; i < q->n; i++) {
    uint32_t li = pt_u32map_get(&ix->terms, q->w[i].index);
    if (li == PT_INDEX_NONE) continue;
    const posting *l = &ix->lists[li];
    float w = q->w[i].value;
    for (size_t j = 0; j < l->n; j++) {
      uint32_t r = l->rows[j];
      if (ix->len[r] < 0) continue; /* forgotten */
      float part = w * pt_bm25_term_score(l->tf[j], ix->len[r], q->k1, q->b, q->avgdl);
      /* parts are positive (weights and term scores are), so a zero accumulator is an untouched
       * row; a part that is not (it cannot be, short of NaN) adds nothing, as in pt_bm25_score */
      if (!(part > 0)) continue;
      if (ix->acc[r] == 0) ix->touched[n_touched++] = r;
      ix->acc[r] += part;
    }
  }
  best_touched(ix, n_touched, kk, filter, ids, scores, count);
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
