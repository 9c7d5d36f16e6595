/*
 * segment.c — fixed-capacity columnar segments.
 *
 * A segment holds up to 1 << seg_shift rows. Fixed-width columns are allocated at full
 * capacity when the segment is created and written in place; variable-length columns
 * (VARCHAR, JSON, ARRAY, sparse vectors, $meta) keep an offsets array at full capacity and a
 * byte arena that grows on reserve. All allocation happens in pt_segment_new and
 * pt_segment_reserve_bytes, before a mutation commits, so that committing never fails.
 */
#include "store.h"

static size_t bitmap_bytes(const pt_layout *lay) { return ((size_t)lay->seg_mask + 1 + 7) / 8; }

pt_segment *pt_segment_new(const pt_layout *lay) { return pt_segment_new_in(lay, NULL, NULL); }

pt_segment *pt_segment_new_in(const pt_layout *lay, uint8_t *block, uint8_t *const *fixed) {
  size_t cap = (size_t)lay->seg_mask + 1;
  pt_segment *seg = pt_calloc(1, sizeof *seg + lay->n_cols * sizeof(pt_column));
  if (!seg) return NULL;
  if (!(seg->deleted = pt_calloc(1, bitmap_bytes(lay)))) goto fail;
  if (!(seg->next = pt_malloc(cap * sizeof *seg->next))) goto fail;
  for (size_t c = 0; c < lay->n_cols; c++) {
    pt_column *col = &seg->cols[c];
    if (lay->row_bytes[c] && block && fixed && fixed[c]) {
      col->data = fixed[c];
      col->block = block;
      pt_block_retain(block);
    } else if (lay->row_bytes[c] && fixed && fixed[c]) {
      /* no block: left without data, for the caller to fill (cold rows' loads) */
    } else if (lay->row_bytes[c]) {
      /* not zeroed: every row is written before it becomes visible */
      if (!(col->data = pt_malloc(cap * lay->row_bytes[c]))) goto fail;
    } else {
      if (!(col->offsets = pt_malloc((cap + 1) * sizeof *col->offsets))) goto fail;
      col->offsets[0] = 0;
    }
    if (lay->nullable[c] && !(col->valid = pt_calloc(1, bitmap_bytes(lay)))) goto fail;
  }
  return seg;
fail:
  pt_segment_free(seg, lay);
  return NULL;
}

void pt_segment_free(pt_segment *seg, const pt_layout *lay) {
  if (!seg) return;
  for (size_t c = 0; c < lay->n_cols; c++) {
    if (seg->cols[c].cold) pt_cold_forget(((size_t)lay->seg_mask + 1) * lay->row_bytes[c]);
    if (seg->cols[c].block)
      pt_block_release(seg->cols[c].block);
    else
      pt_free(seg->cols[c].data);
    pt_free(seg->cols[c].offsets);
    pt_free(seg->cols[c].valid);
    pt_free(seg->cols[c].ck_dead);
  }
  pt_free(seg->deleted);
  pt_free(seg->next);
  pt_free(seg);
}

pt_status pt_segment_reserve_bytes(pt_segment *seg, size_t c, size_t more) {
  pt_column *col = &seg->cols[c];
  size_t need;
  if (!pt_add_ok(col->used, more, &need) || need > UINT32_MAX) return PT_LIMIT;
  if (need <= col->cap) return PT_OK;
  size_t ncap = col->cap ? col->cap : 256;
  while (ncap < need) ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
  if (ncap > UINT32_MAX) ncap = need;
  uint8_t *p = pt_realloc(col->data, ncap);
  if (!p) return PT_NOMEM;
  col->data = p;
  col->cap = ncap;
  return PT_OK;
}
