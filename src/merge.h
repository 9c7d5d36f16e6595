/*
 * merge.h — the values a merge-mode upsert computes from the row it replaces (merge.c): ARRAY
 * fields under a field operation (ARRAY_APPEND, ARRAY_REMOVE) and the dynamic part, whose keys
 * are merged key by key. write.c decides which cells are computed, finds the stored row and
 * stores the results; this file only computes them, into a per-column side buffer, before
 * anything is committed.
 */
#ifndef PT_MERGE_H
#define PT_MERGE_H

#include "common.h"

/* What a computed cell holds. */
enum { PT_MERGED_NONE = 0, PT_MERGED_VALUE = 1 };

/* The computed cells of one column, per batch row: their state, and the bytes of the values
 * (ARRAY: the stored encoding, batch.c; $meta: canonical JSON text) in one buffer. */
typedef struct pt_merged {
  uint8_t *state; /* per batch row: PT_MERGED_* */
  size_t *at;     /* per batch row: where its bytes start in `bytes` */
  uint32_t *size; /* per batch row: how many bytes it stores */
  uint8_t *bytes;
  size_t len, cap;
} pt_merged;

/* Makes `m` ready for `n` batch rows, none computed; PT_NOMEM on failure (release either way). */
pt_status pt_merged_init(pt_merged *m, size_t n);
void pt_merged_release(pt_merged *m);

/* The bytes of row r (which has PT_MERGED_VALUE). */
static inline const uint8_t *pt_merged_bytes(const pt_merged *m, size_t r) { return m->bytes + m->at[r]; }

/* Row r of an ARRAY field with element type `elem` under field operation `op`
 * (PT_FIELD_OP_ARRAY_APPEND / _REMOVE): `base` is the stored value (encoded; base_null when it
 * is null) and `pay` the value given (encoded, not null). APPEND puts the given elements after
 * the stored ones; REMOVE drops every stored element equal to one given (floats compare as
 * numbers: 0.0 equals -0.0), keeping the order of the others. A null base counts as empty for
 * both, and the result is a value, never null. Returns PT_RANGE with *count when an APPEND
 * result would hold more than max_capacity elements (nothing is stored then), PT_NOMEM, or
 * PT_OK. Linear in the elements up to a log factor, whatever they hold. */
pt_status pt_merge_array(pt_merged *m, size_t r, int op, int elem, int64_t max_capacity, const uint8_t *base,
                         size_t base_len, bool base_null, const uint8_t *pay, size_t pay_len, uint32_t *count);

/* Row r of the dynamic part: the stored object `stored` (canonical text; empty stands for {})
 * with the members of `given` (canonical, an object) merged in: a stored key that is given
 * takes the given value where it stands, the other given keys follow in their order; of a key
 * written twice, the last value counts. The result is canonical. Linear in the two texts.
 * PT_NOMEM or PT_OK; *len is the result's length. */
pt_status pt_merge_dynamic(pt_merged *m, size_t r, pt_str stored, pt_str given, size_t *len);

#endif /* PT_MERGE_H */
