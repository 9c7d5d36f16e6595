/*
 * sparse.h — sparse float vectors: the (index, value) pairs of one row, sorted by index.
 * Stored as uint32 count, then count × (uint32 index, float32 value).
 */
#ifndef PT_SPARSE_H
#define PT_SPARSE_H

#include "common.h"

struct cJSON;

typedef struct pt_sparse_pair {
  uint32_t index;
  float value;
} pt_sparse_pair;

/* Reads one sparse row: {"3": 0.5}, {"indices": [...], "values": [...]} or [[3, 0.5], ...].
 * On success *pairs (owned by the caller, pt_free) holds *n pairs sorted by index. Otherwise
 * PT_NOMEM, or PT_TYPE_MISMATCH with the reason in `detail`. */
pt_status pt_sparse_parse(const struct cJSON *v, pt_sparse_pair **pairs, size_t *n, char *detail, size_t dsize);

#endif /* PT_SPARSE_H */
