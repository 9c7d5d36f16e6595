/*
 * rows.h — selections of rows, and the columnar results (pt_rows) built from them: shared by
 * query(), get() and search() (rows.c).
 */
#ifndef PT_ROWS_H
#define PT_ROWS_H

#include "store.h"

struct cJSON;

/* A row: its partition (index in the collection) and its row id there. */
typedef struct pt_rowref {
  uint32_t part;
  uint32_t row;
} pt_rowref;

/* What to return for each row. */
typedef struct pt_outputs {
  bool *want;        /* per schema field */
  char **dyn_keys;   /* dynamic keys asked for by name */
  size_t n_dyn;
  bool all_dynamic;  /* "*" or "$meta": every dynamic key */
  bool key_named;    /* the primary key was asked for, by name or by "*" (want[primary] is
                      * always set: a row's key is always returned) */
  bool count_only;   /* "count(*)" */
} pt_outputs;

/* Reads `output_fields` (NULL: the primary key only). */
pt_status pt_outputs_parse(const pt_collection *c, const struct cJSON *fields, pt_outputs *o, pt_error *err);
void pt_outputs_release(pt_outputs *o);

/* Reads `partition_names` into a per-partition flag array (NULL or empty: every partition). */
pt_status pt_scope_parse(const pt_collection *c, const struct cJSON *names, bool *scope, pt_error *err);

/* The columns of `o` for rows `refs` (in that order). Returns PT_OK, PT_NOMEM, or PT_COLD when
 * rows of a vector column are cold (named for reading back: cold.c). */
pt_status pt_rows_build(const pt_collection *c, const pt_rowref *refs, size_t n, const pt_outputs *o, pt_rows **out);
/* A failed pt_rows_build's status as the call's error: out of memory, or pt_cold_fail's. */
pt_status pt_rows_build_fail(pt_status rc, pt_error *err);

/* A one-row result [{"count(*)": n}]. Returns PT_OK or PT_NOMEM. */
pt_status pt_rows_count_only(uint64_t n, pt_rows **out);

#endif /* PT_ROWS_H */
