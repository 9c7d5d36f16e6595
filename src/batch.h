/*
 * batch.h — a write's batch, checked against its collection's schema (batch.c): what the batch
 * normalisation hands the mutation plan (write.c).
 *
 * pt_batch_check maps the columns of a pt_batch_in to the fields as pymilvus does for the
 * batch's form, checks every cell against its field and encodes the values that need it (ARRAY
 * and sparse values; JSON and dynamic values in canonical form). It reads the collection and
 * changes nothing. write.c then resolves keys and partitions and commits: it reads keys through
 * pt_batch_key, asks how many bytes a value stores and whether a column is stored as given, and
 * has pt_batch_store_cell write each value, so that checking and storing convert a value the
 * same way (double -> float, float -> half).
 */
#ifndef PT_BATCH_H
#define PT_BATCH_H

#include "store.h"

/* One stored column of a checked batch. */
typedef struct pt_batch_col {
  const pt_column_in *in; /* NULL: every cell missing */
  const pt_field *f;      /* NULL for $meta */
  bool all_null;          /* a zero-length column in column form: every cell null */
  uint32_t *sizes;        /* variable-length columns: stored bytes per batch row */
  uint8_t *enc;           /* ARRAY / SPARSE: the stored form of every value, encoded when checked;
                           * JSON / $meta: the canonical form of values not written in it */
  size_t enc_len, enc_cap;
  size_t *enc_at;         /* where each batch row's value starts in enc (JSON / $meta: AS_GIVEN
                           * when the value is stored as the host gave it) */
  uint8_t *fn_cells;      /* a function output (BM25): per row PT_CELL_VALUE when its value is
                           * computed from an input the row gives, PT_CELL_MISSING when the row
                           * leaves the input out (merge mode: the stored value stays); the value,
                           * when there is one (sizes[r] > 0), is in enc like a given sparse value */
} pt_batch_col;

typedef struct pt_batch {
  const pt_layout *lay;
  const pt_schema *s;
  pt_op op;
  int form;
  bool merge;         /* an upsert in merge mode: a missing cell keeps the stored value */
  bool keys_given;    /* an insert under auto_id that gives its keys (allow_insert_auto_id) */
  size_t n;           /* rows */
  pt_batch_col *cols; /* one per stored column */
  int8_t *ops;        /* merge: the pt_field_op_kind of each stored column (NULL: all REPLACE) */
  pt_error *err;
} pt_batch;

/* Checks batch `in` for a write (`op`) into collection `c`: PT_OK, or the first error (Milvus's
 * message, in `err`). Either way `b` is filled enough for pt_batch_release, which must follow.
 * `in` must outlive `b`: the checked batch reads its values from there. With `merge` (an
 * upsert in merge mode) a row may leave fields out (in row form every row the same ones), the
 * field operations of `in` are checked and recorded in b->ops, and whether a row whose key is
 * new carries every required field is left to write.c, which knows the keys. */
pt_status pt_batch_check(pt_batch *b, const pt_collection *c, pt_op op, const pt_batch_in *in, bool merge,
                         pt_error *err);
void pt_batch_release(pt_batch *b);

/* The pt_cell state of batch row r of column ci (PT_CELL_MISSING when the column is absent). */
int pt_batch_cell(const pt_batch *b, size_t ci, size_t r);

/* Where element i (of `size` bytes; a row is `width` elements) of an input column's values is:
 * in values, or past head_rows in values_tail when the column comes in two pieces
 * (pt_column_in, pt_collection_stage_split). */
static inline const uint8_t *pt_in_at(const pt_column_in *in, size_t i, size_t size) {
  size_t head = in->head_rows * in->width;
  if (in->values_tail && i >= head) return (const uint8_t *)in->values_tail + (i - head) * size;
  return (const uint8_t *)in->values + i * size;
}

/* Row r (of `row_bytes`) of a fixed-width input column, as pt_in_at. */
static inline const uint8_t *pt_in_row(const pt_column_in *in, size_t r, size_t row_bytes) {
  if (in->values_tail && r >= in->head_rows) return (const uint8_t *)in->values_tail + (r - in->head_rows) * row_bytes;
  return (const uint8_t *)in->values + r * row_bytes;
}

/* True when batch row r of column ci holds a value or a null, false when the row left it out. */
static inline bool pt_batch_given(const pt_batch *b, size_t ci, size_t r) {
  return pt_batch_cell(b, ci, r) != PT_CELL_MISSING;
}

/* The bytes a present ARRAY, JSON or $meta value of batch row r stores: the encoded array, the
 * canonical JSON text. */
pt_str pt_batch_value(const pt_batch *b, size_t ci, size_t r);

/* Batch row r of column ci as a key: its bytes (`is_string`) or its integer value. */
pt_key pt_batch_key(const pt_batch *b, size_t ci, size_t r, bool is_string);

/* Every row's key of column ci into out[0, n), as pt_batch_key reads each (a loop per input kind
 * rather than a call and a switch per row: a load's keys). */
void pt_batch_keys(const pt_batch *b, size_t ci, bool is_string, pt_key *out);

/* The bytes batch row r stores in variable-width column ci, which is not the key column (a
 * null stores none; a missing VARCHAR with a default stores the default). */
size_t pt_batch_stored_size(const pt_batch *b, size_t ci, size_t r);

/* True when column ci (not the key column) can be copied as a block: fixed width, stored as
 * given (the input's bytes are the stored bytes), no cell states. */
bool pt_batch_stored_as_given(const pt_batch *b, size_t ci);

/* True when string column ci (not the key column) can be copied as a block: a value in every
 * cell, stored as the UTF-8 given (pt_batch_store_cell copies each cell's bytes as they are). */
bool pt_batch_text_as_given(const pt_batch *b, size_t ci);

/* Writes the value (or null / default) of batch row r into column ci (not the key column) of
 * seg at offset off. Variable-width values are appended at the column's `used` mark, whose
 * arena room the caller reserved. Cannot fail. */
void pt_batch_store_cell(const pt_batch *b, size_t ci, size_t r, pt_segment *seg, uint32_t off);

#endif /* PT_BATCH_H */
