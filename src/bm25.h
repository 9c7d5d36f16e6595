/*
 * bm25.h — BM25 as Milvus computes it (bm25.c): the BM25 function's term vectors, the collection
 * statistics its scores depend on, the BM25 metric, and an inverted index that scores a query
 * without reading every document. Internal: the BM25 function in schemas and writes, search by
 * text and the SPARSE_INVERTED_INDEX are wired on top of this later.
 *
 * WHAT MILVUS DOES, and what each piece here reproduces:
 *   - Term vectors (Milvus's BM25FunctionRunner): each token of the analyzer's output is hashed
 *     to a sparse index, typeutil.HashString2LessUint32: the CRC-32 (IEEE) of the token's first
 *     100 bytes, modulo 2^32 - 1; the vector's value at an index is the number of tokens hashed
 *     to it (float32), indices ascending. pt_bm25_term_index, pt_bm25_vectorize.
 *   - Statistics (storage.BM25Stats, kept per shard by the query node's IDF oracle): the number
 *     of rows N, the number of tokens (the sum of every row's values, each truncated to an
 *     integer) and, per index, the number of rows holding it (df). avgdl = tokens / N (0 for an
 *     empty collection). Milvus merges a segment's statistics when it is loaded or grows and
 *     subtracts them when it is released or compacted away: a deleted row counts until the
 *     compaction that drops it. pt_bm25_stats_add / _remove let the caller decide when a row
 *     enters and leaves them (the wiring step follows Milvus: on insert, and on compaction).
 *   - The query (the delegator's BuildIDF): the query text's term vector, each value multiplied
 *     by float32(ln(1 + (N - df + 0.5) / (df + 0.5))) in float32; avgdl passed to the index as
 *     a float and raised to at least 1 (knowhere). drop_ratio_search drops the query values
 *     below the one at position floor(ratio * n) of their sorted magnitudes. pt_bm25_query_prepare.
 *   - The score of a document (knowhere's BM25 doc value computer, float32): the sum over the
 *     query's terms, in ascending index order, of weight * tf * (k1 + 1) /
 *     (tf + k1 * (1 - b + b * dl / avgdl)), dl the document's row sum. Only documents sharing a
 *     term with the query score, and higher is better. pt_bm25_score, pt_bm25_index_search.
 *   - Parameters (knowhere's config): bm25_k1 in [0, 3] (default 1.2), bm25_b in [0, 1] (default
 *     0.75), drop_ratio_search in [0, 1) (default 0), refused with knowhere's message "Out of range
 *     in json: param 'bm25_k1' (3.5) should be in range [0.000000, 3.000000]".
 *
 * THE INDEX holds, per term index, a posting list of (row, tf) sorted by row, and each row's
 * length. A search walks the rows its query's lists name in row order (document at a time),
 * summing each row's parts in the query's order (the sum pt_bm25_score computes, bit for bit),
 * and keeps the best k that the filter passes. It is exact and prunes: each block of 32 postings
 * keeps the Pareto front of its (tf, length) pairs, which bounds the part of any row in it
 * whatever k1, b and avgdl the query brings, so rows and whole blocks that cannot beat the k-th
 * best so far are passed over (block-max MaxScore; bm25.c). A query whose terms hold one list
 * between them reads that list in an order kept for it (tf, then length: bm25.c), only as far as
 * a row can still enter. Like pt_index (index.h) it holds row
 * ids, takes a pt_index_filter, is all-or-nothing on PT_NOMEM (a failed add leaves the postings
 * as they were; only capacity may have grown) and is not safe for concurrent use (search
 * scratch, and the block summaries a search brings up to date after a change in the middle of
 * a list, live in it).
 */
#ifndef PT_BM25_H
#define PT_BM25_H

#include "analyzer.h"
#include "common.h"
#include "index.h"
#include "sparse.h"

#define PT_BM25_HASH_PREFIX 100 /* bytes of a token that its index is computed from */
#define PT_BM25_K1_DEFAULT 1.2
#define PT_BM25_B_DEFAULT 0.75

/* ---------------------------------------------------------------------------------------------
 * Term vectors
 * ------------------------------------------------------------------------------------------- */

/* The sparse index of a token: CRC-32 of its first 100 bytes, modulo 2^32 - 1 (never UINT32_MAX). */
uint32_t pt_bm25_term_index(const char *token, size_t len);

/* A term vector: pairs with ascending indices and positive values. Zero-initialise; reusable. */
typedef struct pt_bm25_vec {
  pt_sparse_pair *p;
  size_t n, cap;
  uint32_t *scratch; /* the tokens' indices while they are counted */
  size_t scratch_cap;
} pt_bm25_vec;

/* The term vector of an analyzer's tokens (Milvus's BM25 function output), into `out`. */
pt_status pt_bm25_vectorize(const pt_tokens *tokens, pt_bm25_vec *out);
void pt_bm25_vec_release(pt_bm25_vec *v);

/* A document's length: the sum of its values in order (knowhere's row sum), in float32. */
float pt_bm25_doc_len(const pt_sparse_pair *p, size_t n);

/* ---------------------------------------------------------------------------------------------
 * Statistics
 * ------------------------------------------------------------------------------------------- */

typedef struct pt_bm25_stats {
  int64_t num_rows;
  int64_t num_tokens;
  pt_u32map df; /* term index -> rows holding it */
} pt_bm25_stats;

/* Counts a row with term vector p[0..n) in. All or nothing: PT_NOMEM leaves the statistics as
 * they were. Zero-initialise the statistics before the first call. */
pt_status pt_bm25_stats_add(pt_bm25_stats *s, const pt_sparse_pair *p, size_t n);
/* Takes a row counted in with p[0..n) back out. Never fails; allocates nothing. */
void pt_bm25_stats_remove(pt_bm25_stats *s, const pt_sparse_pair *p, size_t n);
void pt_bm25_stats_free(pt_bm25_stats *s);
/* tokens / rows, as Milvus's GetAvgdl (0 when either is 0). */
double pt_bm25_avgdl(const pt_bm25_stats *s);
/* float32(ln(1 + (N - df + 0.5) / (df + 0.5))) for a term index. */
float pt_bm25_idf(const pt_bm25_stats *s, uint32_t term);

/* ---------------------------------------------------------------------------------------------
 * Parameters and the query
 * ------------------------------------------------------------------------------------------- */

typedef struct pt_bm25_params {
  double k1;                /* bm25_k1 */
  double b;                 /* bm25_b */
  double drop_ratio_search; /* drop_ratio_search */
} pt_bm25_params;

/* Milvus's defaults: k1 1.2, b 0.75, drop_ratio_search 0. */
void pt_bm25_params_default(pt_bm25_params *p);
/* knowhere's ranges and messages: PT_RANGE, code 1100. */
pt_status pt_bm25_params_check(const pt_bm25_params *p, pt_error *err);
/* knowhere's "Out of range in json: param 'name' (v) should be in range [0.000000, hi]" (hi_open:
 * "...hi)"), the bounds printed as std::to_string prints a float: PT_RANGE, code 1100. */
pt_status pt_bm25_out_of_range(pt_error *err, const char *name, double v, double hi, bool hi_open);

/* A query ready to score: its weights (tf * idf, float32; indices ascending; dropped terms gone)
 * and the constants of the metric. Zero-initialise; reusable. */
typedef struct pt_bm25_query {
  pt_sparse_pair *w;
  size_t n, cap;
  float k1, b, avgdl;
} pt_bm25_query;

/* Prepares the query whose term vector is tf[0..n) (pt_bm25_vectorize of the query text) against
 * the statistics `s`, with parameters `p` that passed pt_bm25_params_check. */
pt_status pt_bm25_query_prepare(const pt_bm25_stats *s, const pt_sparse_pair *tf, size_t n, const pt_bm25_params *p,
                                pt_bm25_query *q);
void pt_bm25_query_release(pt_bm25_query *q);

/* drop_ratio_search (knowhere's sparse search): the pairs whose magnitude is below the one at
 * position floor(ratio * n) of their sorted magnitudes leave p[0..n), the others keep their
 * order; their number, or SIZE_MAX when out of memory (p unchanged). ratio in [0, 1). */
size_t pt_sparse_drop_small(pt_sparse_pair *p, size_t n, double ratio);

/* knowhere's BM25 value of one term of a document: tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)). */
static inline float pt_bm25_term_score(float tf, float dl, float k1, float b, float avgdl) {
  return tf * (k1 + 1) / (tf + k1 * (1 - b + b * (dl / avgdl)));
}

/* The score of one document (its term vector doc[0..n) and length dl) for a prepared query; 0
 * when they share no term. The index's search gives the same value, bit for bit. */
float pt_bm25_score(const pt_bm25_query *q, const pt_sparse_pair *doc, size_t n, float dl);

/* ---------------------------------------------------------------------------------------------
 * The inverted index
 * ------------------------------------------------------------------------------------------- */

typedef struct pt_bm25_index pt_bm25_index;

/* An empty index; *out is owned by the caller (pt_bm25_index_free). */
pt_status pt_bm25_index_new(pt_bm25_index **out);
/* An empty index of plain sparse rows, searched by inner product (pt_bm25_index_search_ip): the
 * same posting lists, but values of either sign (any finite non-zero value; a stored row's zeros
 * are left out by the caller, they add nothing to a product) and no lengths. The SPARSE_INVERTED_INDEX
 * of a SPARSE_FLOAT_VECTOR field with metric IP. */
pt_status pt_bm25_index_new_ip(pt_bm25_index **out);
void pt_bm25_index_free(pt_bm25_index *ix);
/* Rows in the index. */
size_t pt_bm25_index_count(const pt_bm25_index *ix);
bool pt_bm25_index_contains(const pt_bm25_index *ix, uint32_t row);
/* Bytes the index holds, scratch included. */
size_t pt_bm25_index_memory(const pt_bm25_index *ix);

/* Adds `row` with its term vector p[0..n) (indices strictly ascending, values positive and
 * finite, for an ip index non-zero and finite; PT_MISUSE otherwise, or when the row is in the index already or is UINT32_MAX). All or
 * nothing: PT_NOMEM leaves the index's rows and postings as they were. The caller keeps `p`. */
pt_status pt_bm25_index_add(pt_bm25_index *ix, uint32_t row, const pt_sparse_pair *p, size_t n);

/* Removes `row`, which was added with the term vector p[0..n) (the store reads it back from the
 * row's sparse field). PT_NOT_FOUND when the row is not in the index, PT_MISUSE when p is not
 * what it was added with (nothing is changed then). Allocates nothing. */
pt_status pt_bm25_index_remove(pt_bm25_index *ix, uint32_t row, const pt_sparse_pair *p, size_t n);

/* Forgets `row` without touching the postings (O(1)): it is never returned again, and its id
 * cannot be added again (PT_MISUSE) — for rows whose ids are not reused until the index is
 * rebuilt (deleted rows; compaction renumbers and rebuilds). Its postings stay, skipped by
 * searches, in the memory the index reports. PT_NOT_FOUND when the row is not in the index. */
pt_status pt_bm25_index_forget(pt_bm25_index *ix, uint32_t row);

/* Makes, for every long list, the order a query of one term reads it in (otherwise made by the
 * first such query of the list): for an index just built whole. Allocation failures are left to
 * the searches (nothing changes but capacity). */
void pt_bm25_index_prepare(pt_bm25_index *ix);

/* The best k rows for a prepared query that `filter` passes (NULL: every row), highest score
 * first, ties in row order: their ids and scores into the caller's arrays of room k, their
 * number into *count. PT_NOMEM (scratch could not grow) leaves the index as it was. */
pt_status pt_bm25_index_search(pt_bm25_index *ix, const pt_bm25_query *q, size_t k, const pt_index_filter *filter,
                               uint32_t *ids, float *scores, size_t *count);

/* The bound a search puts on the part of the query's term i (q->w[i]) in any row: its list's
 * summary, brought up to date, at q's k1, b and avgdl (0 when the index has no posting of it or
 * is an ip index). At least every live row's part; for tests, which check it is not far above. */
double pt_bm25_index_term_bound(pt_bm25_index *ix, const pt_bm25_query *q, size_t i);

/* An ip index's best k rows by inner product with the query q[0..qn) (indices ascending), among
 * the rows that share a non-zero term with it, as pt_bm25_index_search returns them. Each sum is
 * the exact scan's, bit for bit (products stored value x query value, added in ascending index
 * order from 0). Rows sharing no term score 0 and are not returned: when fewer than k rows come
 * back, or the last one's score is not above 0, a row outside them may tie or beat it, and the
 * caller scans exactly instead. PT_MISUSE on a BM25 index (and BM25 searches on an ip one). */
pt_status pt_bm25_index_search_ip(pt_bm25_index *ix, const pt_sparse_pair *q, size_t qn, size_t k,
                                  const pt_index_filter *filter, uint32_t *ids, float *scores, size_t *count);

#endif /* PT_BM25_H */
