/*
 * vectors.h — the query vectors of a search (vectors.c): what a host gives (pt_vectors_in,
 * partita.h: typed values or JSON text) checked against the field searched, with Milvus's
 * messages, and converted into what the distance kernels take. One rule set for every face:
 * the typed path of the JS API, the JSON of the REST server and of the WASI command, and the
 * packed vectors of pt_collection_search.
 */
#ifndef PT_VECTORS_H
#define PT_VECTORS_H

#include "schema.h"
#include "sparse.h"

struct cJSON;

/* Query vectors as the kernels take them; exactly one of f, i8, bin and sp is set. */
typedef struct pt_queries {
  size_t nq;
  float *f;             /* FLOAT / FLOAT16 / BFLOAT16: nq × dim, in the field's precision */
  int8_t *i8;           /* INT8: nq × dim */
  uint8_t *bin;         /* BINARY: nq × dim/8 */
  pt_sparse_pair **sp;  /* SPARSE: per query vector, its pairs sorted by index */
  size_t *sp_n;
} pt_queries;

/* Checks and converts the query vectors `in` for field `f`: PT_OK, or the first error (in
 * err). q is filled enough for pt_queries_release either way. */
pt_status pt_queries_read(const pt_field *f, const pt_vectors_in *in, pt_queries *q, pt_error *err);

/* Sparse query vectors from a parsed list (the "sparse" member of pt_collection_search's
 * request), `nq` of them. */
pt_status pt_queries_sparse(const struct cJSON *list, size_t nq, pt_queries *q, pt_error *err);

void pt_queries_release(pt_queries *q);

/* The error for a number of query vectors out of [1, PT_MAX_NQ]. */
pt_status pt_queries_bad_nq(double nq, pt_error *err);

#endif /* PT_VECTORS_H */
