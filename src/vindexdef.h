/*
 * vindexdef.h — a vector index's definition: what create_index asked for, read and checked with
 * Milvus's types, parameters, defaults and messages (vindexdef.c). The store keeps one per
 * indexed field (store.h) and saves it as the request it came from (snapshot.c); vindex.c
 * builds and searches what it defines.
 */
#ifndef PT_VINDEXDEF_H
#define PT_VINDEXDEF_H

#include "bm25.h"
#include "index.h"
#include "schema.h"

struct cJSON;

/* A vector index defined on a collection (vindex.c parses, builds and describes it): one per
 * field at most. `built` false: an exact kind (FLAT, BIN_FLAT, SPARSE_*; AUTOINDEX on a field
 * partita does not build graphs for), searched exactly as without an index. */
typedef struct pt_vindex {
  char *name; /* owned, NUL-terminated */
  size_t name_len;
  uint32_t field;   /* the vector field (its column) */
  char type[32];    /* the index type as asked (AUTOINDEX kept), NUL-terminated */
  bool built;
  pt_index_params p; /* built: the parameters (metric, dim, M, efConstruction, nlist, refine) */
  char metric[16];  /* the metric type, upper case */
  char *params;     /* the build parameters as given: a JSON object's text, owned */
  size_t params_len;
  pt_bm25_params bm25; /* a BM25 output's: bm25_k1 / bm25_b as given, else the defaults (bm25.h),
                        * read once here rather than from `params` by every search */
} pt_vindex;

/* Reads a create_index request ({"field_name", "index_name", "index_type", "metric_type",
 * "params"}) against a schema into *v (its strings owned by v on success); Milvus's messages
 * (code 1100) for what it refuses. */
pt_status pt_vindex_parse(const pt_schema *s, const struct cJSON *root, pt_vindex *v, pt_error *err);
/* The same for a definition saved in a snapshot: as strict, but for what older versions took
 * that create_index now refuses — inverted_index_algo was any string until it was checked by
 * knowhere's names (7856f14); such a name is kept (every algorithm searches exactly here). */
pt_status pt_vindex_parse_saved(const pt_schema *s, const struct cJSON *root, pt_vindex *v, pt_error *err);

/* The request that makes `v` again (JSON text, owned by the caller; NULL when out of memory). */
char *pt_vindex_request_json(const pt_vindex *v, const pt_schema *s);

/* Frees a definition's strings. */
void pt_vindex_release(pt_vindex *v);

/* Milvus's default metric of a vector field: COSINE for dense vectors, HAMMING for binary, IP for
 * sparse, BM25 for a BM25 function's output (the first of the metrics it allows). */
const char *pt_field_default_metric(const pt_field *f);
/* Whether a vector field may be searched (and indexed) with metric `name` (upper case). */
bool pt_field_metric_allowed(const pt_field *f, const char *name);

/* A parameter's integer as knowhere reads it (a JSON integer or a string of one), or its
 * "Type conflict in json" message; and knowhere's range message. */
pt_status pt_vindex_param_int(const struct cJSON *v, const char *key, int64_t *out, pt_error *err);
pt_status pt_vindex_out_of_range(pt_error *err, const char *key, int64_t v, int64_t lo, int64_t hi);

#endif /* PT_VINDEXDEF_H */
