/*
 * search.h — exact vector search (search.c). The public entry points are in partita.h.
 */
#ifndef PT_SEARCH_H
#define PT_SEARCH_H

#include "filter.h"
#include "rows.h"
#include "sparse.h"
#include "vectors.h"

/* Where each hit of a search is stored (same order as its distances), for a hybrid search's
 * fusion (hybrid.c). Owned by the result. */
const pt_rowref *pt_search_refs(const pt_search_result *r);

/* A result made of parts a caller computed (hybrid.c): nq queries, counts[nq] hits each, their
 * distances and rows (taken over, freed by pt_search_free); NULL when memory runs out (the parts
 * are freed then). */
pt_search_result *pt_search_result_make(size_t nq, uint32_t *counts, float *distances, pt_rows *rows, bool key_is_output);

/* A metric's name as Milvus spells it (L2, IP, COSINE, HAMMING, JACCARD, BM25), given in any
 * case; NULL for a name that is none of them. */
const char *pt_metric_canonical(const char *name);

#endif /* PT_SEARCH_H */
