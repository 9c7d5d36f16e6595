/*
 * compact.c — compaction: rewriting a partition's segments without its deleted rows, and
 * rebuilding its key index and key chains from the rows that remain.
 *
 * HOW IT WORKS
 * A delete or an upsert only sets a bit in a segment's tombstone bitmap, so under an
 * upsert-heavy load a partition keeps every version of every row it was ever given. Compaction
 * gives that memory back:
 *   1. Leading segments that are full and have no deleted row are kept as they are, with their
 *      row ids (an upsert-heavy partition usually has none; an append-only prefix is free).
 *   2. The live rows of the other segments are copied, in storage order, into fresh segments
 *      (fixed-width columns by runs of consecutive live rows, variable-length columns with
 *      arenas reserved to the byte), so storage order stays the write order of the live rows
 *      and only row ids change.
 *   3. A fresh key index is sized for the live rows, and every key chain is rebuilt by walking
 *      the rows oldest first: the first row of a key enters the index, a later one becomes the
 *      head and links to the previous head. This is exactly the structure writes build (chains
 *      hold live rows only, newest first), renumbered.
 *   4. Steps 1-3 allocate everything before touching the partition; only then are the new
 *      segments and index swapped in and the old ones freed. A failed allocation frees what was
 *      made and leaves the partition exactly as it was.
 * Peak memory is the old partition plus its live rows once more, for the duration of the call.
 *
 * Automatic compaction (pt_collection_auto_compact, run after every successful mutation): a
 * partition is compacted when its deleted rows exceed `compact_ratio` × its live rows (store
 * option, 0.5 by default) and compacting would free at least one whole segment. So a partition
 * holds at most about (1 + ratio) × its live rows plus one segment, each row is copied at most
 * 1 / ratio times per deletion on average, and small partitions are never churned.
 */
#include "store.h"

/* ============================================================================================
 * Key index and chains
 * ========================================================================================== */

void pt_partition_reindex(pt_partition *p, const pt_layout *lay) {
  pt_assert(p->index.count == 0 && (uint64_t)p->n_rows <= (p->index.slots ? pt_pkindex_max_keys(p->index.mask + 1) : 0));
  for (uint32_t row = 0; row < p->n_rows; row++) {
    pt_segment *seg = pt_row_segment(p, lay, row);
    uint32_t off = pt_row_offset(lay, row);
    pt_key key = pt_row_key(p, lay, row);
    size_t slot = pt_partition_lookup(p, lay, &key);
    if (slot == SIZE_MAX) {
      seg->next[off] = PT_NO_ROW;
      pt_pkindex_put(&p->index, &key, row);
    } else {
      seg->next[off] = p->index.slots[slot].row;
      p->index.slots[slot].row = row;
    }
  }
}

/* ============================================================================================
 * Copying live rows
 * ========================================================================================== */

/* Copies rows [from, from + n) of `src` to rows [at, at + n) of `dst`, fixed-width columns and
 * validity bits; variable-length columns are copied by copy_var. */
static void copy_fixed_run(pt_segment *dst, uint32_t at, const pt_segment *src, uint32_t from, uint32_t n,
                           const pt_layout *lay) {
  for (size_t c = 0; c < lay->n_cols; c++) {
    size_t rb = lay->row_bytes[c];
    if (rb) memcpy(dst->cols[c].data + (size_t)at * rb, src->cols[c].data + (size_t)from * rb, (size_t)n * rb);
    if (lay->nullable[c])
      for (uint32_t k = 0; k < n; k++) {
        if (pt_bit_get(src->cols[c].valid, from + k)) pt_bit_set(dst->cols[c].valid, at + k);
        else pt_bit_clear(dst->cols[c].valid, at + k);
      }
  }
}

/* Appends the value of row `from` of `src` to the variable-length columns of `dst` at row `at`
 * (arena room reserved beforehand). */
static void copy_var(pt_segment *dst, uint32_t at, const pt_segment *src, uint32_t from, const pt_layout *lay) {
  for (size_t c = 0; c < lay->n_cols; c++) {
    if (lay->row_bytes[c]) continue;
    const pt_column *s = &src->cols[c];
    pt_column *d = &dst->cols[c];
    uint32_t len = s->offsets[from + 1] - s->offsets[from];
    if (len) memcpy(d->data + d->used, pt_var_cell(s, from), len);
    d->used += len;
    d->offsets[at + 1] = (uint32_t)d->used;
  }
}

/* Bytes of variable-length column c taken by the live rows [r0, r1) of a partition. */
static size_t live_var_bytes(const pt_partition *p, const pt_layout *lay, size_t c, uint32_t r0, uint32_t r1) {
  size_t n = 0;
  for (uint32_t row = r0; row < r1; row++) {
    const pt_segment *seg = pt_row_segment(p, lay, row);
    uint32_t off = pt_row_offset(lay, row);
    if (pt_bit_get(seg->deleted, off)) continue;
    n += seg->cols[c].offsets[off + 1] - seg->cols[c].offsets[off];
  }
  return n;
}

/* ============================================================================================
 * Compaction of one partition
 * ========================================================================================== */

pt_status pt_partition_compact(pt_partition *p, const pt_layout *lay, uint64_t *removed) {
  if (removed) *removed = 0;
  if (p->n_live == p->n_rows) return PT_OK;
  const uint32_t cap = lay->seg_mask + 1;
  pt_status rc = PT_NOMEM;

  /* 1. the fully live, full prefix is kept */
  size_t keep = 0;
  while (keep < p->n_segs && p->segs[keep]->count == cap && p->segs[keep]->live == cap) keep++;
  uint32_t first = (uint32_t)(keep * cap); /* first row id that moves */
  uint64_t moved = p->n_live - (uint64_t)keep * cap;
  size_t n_new = (size_t)((moved + cap - 1) / cap);

  /* 2. fresh segments with exact arena room, and a fresh index: everything is allocated here */
  pt_partition view = *p; /* the partition as it will be, for the index rebuild */
  pt_segment **segs = NULL;
  if (keep + n_new && !(segs = pt_calloc(keep + n_new, sizeof *segs))) return PT_NOMEM;
  for (size_t k = 0; k < keep; k++) segs[k] = p->segs[k];
  pt_pkindex_init(&view.index, p->index.is_string);
  for (size_t k = 0; k < n_new; k++)
    if (!(segs[keep + k] = pt_segment_new(lay))) goto fail;
  if (pt_pkindex_reserve(&view.index, (size_t)p->n_live)) goto fail;
  {
    /* arena bytes per fresh segment: walk the old rows, cutting every `cap` live rows */
    uint32_t row = first;
    for (size_t k = 0; k < n_new; k++) {
      uint32_t start = row, taken = 0;
      while (row < p->n_rows && taken < cap) {
        if (!pt_row_deleted(p, lay, row)) taken++;
        row++;
      }
      for (size_t c = 0; c < lay->n_cols; c++)
        if (!lay->row_bytes[c] && (rc = pt_segment_reserve_bytes(segs[keep + k], c, live_var_bytes(p, lay, c, start, row))))
          goto fail;
    }
  }

  /* 3. copy the live rows, in order; nothing can fail from here on */
  {
    size_t k = keep;
    uint32_t at = 0; /* next row within segs[k] */
    for (size_t si = keep; si < p->n_segs; si++) {
      const pt_segment *src = p->segs[si];
      /* runs of live rows, cut where the destination segment fills */
      for (uint32_t off = 0, end; (end = pt_live_run(src, &off, cap - at)) > off; off = end) {
        pt_segment *dst = segs[k];
        copy_fixed_run(dst, at, src, off, end - off, lay);
        for (uint32_t r = off; r < end; r++, at++) copy_var(dst, at, src, r, lay);
        dst->count = dst->live = at;
        if (at == cap) {
          k++;
          at = 0;
        }
      }
    }
  }
  view.segs = segs;
  view.n_segs = view.segs_cap = keep + n_new;
  view.n_rows = (uint32_t)(first + moved);
  view.n_live = view.n_rows;

  /* 4. chains and index over the new rows (the kept segments' links are rewritten too) */
  pt_partition_reindex(&view, lay);

  /* 5. swap in, free the old */
  if (removed) *removed = (uint64_t)p->n_rows - p->n_live;
  for (size_t si = keep; si < p->n_segs; si++) pt_segment_free(p->segs[si], lay);
  pt_free(p->segs);
  pt_pkindex_free(&p->index);
  pt_segment_free(view.spare, lay); /* a spare segment is memory compaction hands back too */
  view.spare = NULL;
  *p = view;
  return PT_OK;

fail:
  for (size_t k = keep; k < keep + n_new; k++) pt_segment_free(segs[k], lay);
  pt_free(segs);
  pt_pkindex_free(&view.index);
  return rc == PT_OK ? PT_NOMEM : rc;
}

/* ============================================================================================
 * Collections
 * ========================================================================================== */

pt_status pt_collection_compact(pt_collection *c, const char *partition, size_t len, uint64_t *removed,
                                pt_error *err) {
  if (removed) *removed = 0;
  if (!c) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_compact: missing argument");
  size_t lo = 0, hi = c->n_parts;
  if (partition) {
    int i = pt_partition_find(c, partition, len);
    if (i < 0)
      return pt_fail(err, PT_NOT_FOUND, PT_CODE_PARTITION_NOT_FOUND, PT_EXC_MILVUS, "partition not found[partition=%.*s]",
                     (int)len, partition);
    lo = (size_t)i;
    hi = lo + 1;
  }
  /* partition by partition: a failure leaves the ones done compacted, the others as they were */
  for (size_t i = lo; i < hi; i++) {
    uint64_t n = 0;
    pt_status rc = pt_partition_compact(c->parts[i], &c->layout, &n);
    if (rc == PT_NOMEM) return pt_fail_nomem(err);
    if (rc) return pt_fail(err, rc, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "compaction failed");
    if (removed) *removed += n;
  }
  pt_error_clear(err);
  return PT_OK;
}

void pt_collection_auto_compact(pt_collection *c) {
  double ratio = c->store->opts.compact_ratio;
  if (ratio < 0) return;
  uint64_t cap = (uint64_t)c->layout.seg_mask + 1;
  for (size_t i = 0; i < c->n_parts; i++) {
    pt_partition *p = c->parts[i];
    uint64_t dead = p->n_rows - p->n_live;
    if (!dead || (double)dead <= ratio * (double)p->n_live) continue;
    if ((p->n_live + cap - 1) / cap >= p->n_segs) continue; /* would not free a segment */
    pt_partition_compact(p, &c->layout, NULL); /* best effort: on failure nothing changed */
  }
}
