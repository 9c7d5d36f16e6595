/*
 * hybrid.h — hybrid search (hybrid.c): several searches of one collection, each with its own
 * field, metric, filter and limit, fused by a reranker (RRF or weighted) into one list of hits.
 * The public entry point is pt_collection_hybrid_search (partita.h).
 */
#ifndef PT_HYBRID_H
#define PT_HYBRID_H

#include "search.h"

/* The weighted reranker's normalisation of a metric's score into [0, 1], larger better (Milvus's
 * getNormalizeFunc); `metric` by name, upper case. */
float pt_rerank_normalize(const char *metric, float score);

#endif /* PT_HYBRID_H */
