/*
 * json_out.h — rows as REST v2 JSON (json_out.c), shared with write.c, which writes the rows of
 * a mutation for forwarding.
 */
#ifndef PT_JSON_OUT_H
#define PT_JSON_OUT_H

#include "pkindex.h"
#include "store.h"
#include "text.h"

/* Floats in 9 significant digits instead of the shortest text: exact too, and faster, for rows
 * that only a machine reads (forwarded batches). Beyond the public PT_JSON_* flags. */
#define PT_JSON_FAST_FLOATS (1u << 16)

typedef struct pt_json_row_opts {
  const float *distances; /* search hits: a "distance" member per row */
  int omit_column;        /* a column left out (an auto_id key on insert), or -1 */
  int key_column;         /* the column whose values come from `keys` instead, or -1 */
  const pt_key *keys;     /* per row: the key as the caller gave it (upsert under auto_id) */
} pt_json_row_opts;

/* Appends row r of `rows` as one JSON object; `o` may be NULL. PT_OK or PT_NOMEM. */
pt_status pt_json_rows_write(pt_text *t, const pt_rows *rows, size_t r, uint32_t flags, const pt_json_row_opts *o);

#endif /* PT_JSON_OUT_H */
