/*
 * filter.c — evaluation of compiled filters over segments.
 */
#include "filter.h"

struct pt_filter {
  pt_pkfilter keys; /* primary-key filters */
};

pt_status pt_filter_compile(const pt_collection *c, const char *expr, size_t len, pt_filter **out, pt_error *err) {
  *out = NULL;
  if (!expr || pt_expr_is_empty(expr, len)) return PT_OK;
  pt_filter *f = pt_calloc(1, sizeof *f);
  if (!f) return pt_fail_nomem(err);
  pt_status rc = pt_expr_parse_pk(c->schema, expr, len, &f->keys, err);
  if (rc) {
    pt_free(f);
    return rc;
  }
  *out = f;
  return PT_OK;
}

const pt_pkfilter *pt_filter_keys(const pt_filter *f) { return f ? &f->keys : NULL; }

pt_status pt_filter_eval(const pt_filter *f, const pt_collection *c, size_t part, size_t seg, uint8_t *mask,
                         pt_error *err) {
  (void)err;
  const pt_layout *lay = &c->layout;
  const pt_partition *p = c->parts[part];
  const pt_segment *s = p->segs[seg];
  if (!f) {
    for (uint32_t i = 0; i < s->count; i++) mask[i] = !pt_bit_get(s->deleted, i);
    return PT_OK;
  }
  memset(mask, 0, s->count);
  for (size_t k = 0; k < f->keys.n; k++) {
    size_t slot = pt_partition_lookup(p, lay, &f->keys.keys[k]);
    if (slot == SIZE_MAX) continue;
    for (uint32_t row = p->index.slots[slot].row; row != PT_NO_ROW;
         row = pt_row_segment(p, lay, row)->next[pt_row_offset(lay, row)])
      if ((row >> lay->seg_shift) == seg) mask[pt_row_offset(lay, row)] = 1;
  }
  return PT_OK;
}

void pt_filter_free(pt_filter *f) {
  if (!f) return;
  pt_pkfilter_free(&f->keys);
  pt_free(f);
}
