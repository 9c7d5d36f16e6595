/*
 * vindex.h — vector indexes wired into collections: create_index / drop_index / describe
 * (partita.h's pt_collection_*_index), keeping each partition's index in step with its rows, and
 * what a search needs to walk them (search.c). The index algorithms are index.h's; the store
 * (store.h) holds the definitions and the per-partition indexes, frees, compacts and saves them.
 *
 * HOW AN INDEX FOLLOWS ITS ROWS
 *   Each partition's index covers its rows [0, upto) (pt_part_vix); rows appended since are
 *   searched exactly until pt_vindex_catch_up adds them (it runs before every search, for the
 *   field searched, and every describe, best effort: an allocation failure leaves them to the
 *   exact scan, never a wrong answer). A deleted row stays in the index and is rejected during the walk; an upsert never
 *   overwrites an indexed row in place (write.c asks pt_partition_indexed), it deletes and
 *   appends. Compaction renumbers the index with the rows (compact.c, pt_index_compact).
 */
#ifndef PT_VINDEX_H
#define PT_VINDEX_H

#include "filter.h"
#include "store.h"

struct cJSON;

/* pt_collection_create_index; `saved`: the request is one a log recorded (its replay), read as
 * a saved definition is (pt_vindex_parse_saved: it may hold what an older version took). */
pt_status pt_vindex_create(pt_collection *c, const char *request, size_t len, bool saved, pt_error *err);

/* Adds the rows appended since to every partition's index on `field` (-1: every index; a
 * search catches up only the field it walks), building the indexes of partitions that have
 * none yet (an IVF index waits for nlist live rows, as faiss cannot train on fewer). Best
 * effort: cannot fail; what it could not add stays searched exactly. */
void pt_vindex_catch_up(pt_collection *c, int field);

/* The index definition on field `field`, or NULL; *which receives its position. */
const pt_vindex *pt_vindex_of_field(const pt_collection *c, int field, size_t *which);

/* The metric a search of `field` uses when it names none: its index's, else the field type's
 * default (pt_field_default_metric). */
const char *pt_vindex_search_metric(const pt_collection *c, int field);

/* The search parameters of an index search on `field` from a request's "params" object (may be
 * NULL): ef (HNSW, HNSW_SQ), nprobe (IVF_FLAT, IVF_SQ8, IVF_RABITQ), refine_k (HNSW_SQ,
 * IVF_RABITQ), rbq_bits_query / rbq_query_bits (IVF_RABITQ), checked with
 * Milvus's ranges and messages for k = limit + offset. A parameter of an index type the field
 * does not have is refused by name. *use is true when the field's index walks (a built type). */
pt_status pt_vindex_search_params(const pt_collection *c, int field, const struct cJSON *params, uint32_t k,
                                  pt_index_search_params *sp, bool *use, pt_error *err);

/* One partition's indexed search (search.c): begin decides whether the index is used (an index
 * exists there, and walking it is expected to score fewer rows than the exact scan of the rows
 * its filter passes: pt_index_walk_pays) and prepares its row filter; `from` is the first row
 * the caller must still scan exactly (0 when the index is not used). With a filter, begin has
 * selected the rows of the segments the index covers; the caller's exact scan takes them from
 * pt_vindex_walk_selected instead of running the filter again. End frees what begin holds. */
/* A walk's sampled decision (pt_vindex_walk_begin): every PT_VINDEX_SAMPLE_EVERY-th segment
 * the index covers, at least PT_VINDEX_SAMPLE_MIN of them, and the estimate taken this much
 * larger before the scan is chosen on it. */
#define PT_VINDEX_SAMPLE_EVERY 8
#define PT_VINDEX_SAMPLE_MIN 8
#define PT_VINDEX_SAMPLE_SLACK 1.25
#define PT_SEL_NONE SIZE_MAX

typedef struct pt_vindex_walk {
  pt_index *ix; /* NULL: not used */
  uint32_t from;
  pt_index_search_params sp;
  pt_index_rows rows;
  pt_index_filter filter;
  pt_part_rows ctx;
  pt_index_bits bits;
  uint8_t *bitmap; /* owned: the filter's rows, when filtered and walked */
  uint32_t *sel;   /* owned, filtered: pt_filter_select's rows of the segments selected */
  size_t *sel_at;  /* per segment below n_sel_segs: where its rows start in sel, or PT_SEL_NONE */
  size_t *sel_n;   /* per segment below n_sel_segs: how many */
  size_t n_sel_segs;
} pt_vindex_walk;

pt_status pt_vindex_walk_begin(const pt_collection *c, size_t which, size_t part, const pt_filter *filter,
                               const pt_index_search_params *sp, pt_vindex_walk *w, pt_error *err);
/* Top-k of one prepared query (COSINE: unit-normalised as search.c does; a binary field's: its
 * bytes): ids (rows) and Milvus's distances, room for sp.k each. */
pt_status pt_vindex_walk_search(pt_vindex_walk *w, const void *query, uint32_t *ids, float *dist, size_t *n,
                                pt_error *err);
/* Segment `seg`'s filtered rows as begin selected them (pt_filter_select's offsets): true with
 * them in *rows / *n, false when begin did not select that segment (the scan selects it then). */
bool pt_vindex_walk_selected(const pt_vindex_walk *w, size_t seg, const uint32_t **rows, size_t *n);
void pt_vindex_walk_end(pt_vindex_walk *w);

#endif /* PT_VINDEX_H */
