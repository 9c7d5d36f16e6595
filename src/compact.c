/*
 * compact.c — compaction: rewriting a partition's segments without its deleted rows, and
 * rebuilding its key index and key chains from the rows that remain.
 *
 * HOW IT WORKS
 * A delete or an upsert only sets a bit in a segment's tombstone bitmap, so under an
 * upsert-heavy load a partition keeps every version of every row it was ever given. Compaction
 * gives that memory back, one segment at a time, so that it needs little memory of its own and
 * works at the memory ceiling too (it runs within pt_relief, alloc.c):
 *   1. Leading segments that are full and have no deleted row are kept as they are, with their
 *      row ids (an upsert-heavy partition usually has none; an append-only prefix is free).
 *   2. Then, step by step: the next `capacity` live rows (in storage order) are copied into one
 *      fresh segment (fixed-width columns by runs of consecutive live rows, variable-length
 *      columns with arenas reserved to the byte) and marked deleted where they were; the old
 *      segments left with no live row are freed and the fresh one takes the place of the first
 *      of them. Every segment but the last is full, so row ids stay dense. Between steps the
 *      partition is whole: the same live rows, in the same order, a prefix of them compacted.
 *      So a step's allocation failing only stops compaction early (PT_NOMEM, the rows intact),
 *      and what a step needs beyond the partition is one segment.
 *   3. The key index and every key chain are rebuilt by walking the live rows oldest first: the
 *      first row of a key enters the index, a later one becomes the head and links to the
 *      previous head. This is exactly the structure writes build (chains hold live rows only,
 *      newest first), renumbered. A fresh index sized for the live rows replaces the old one
 *      when it can be allocated; otherwise the old table is cleared and refilled in place (it
 *      holds every key already), so this step cannot fail.
 * Peak memory is the partition plus one segment.
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

static bool rows_eq(const void *ctx, uint32_t a, uint32_t b) {
  const pt_keyctx *kc = ctx;
  pt_key ka = pt_row_key(kc->part, kc->lay, a), kb = pt_row_key(kc->part, kc->lay, b);
  return pt_key_eq(&ka, &kb, kc->part->index.is_string);
}

static void row_link(void *ctx, uint32_t row, uint32_t prev) {
  const pt_keyctx *kc = ctx;
  pt_row_segment(kc->part, kc->lay, row)->next[pt_row_offset(kc->lay, row)] = prev;
}

void pt_partition_index_rows(pt_partition *p, const pt_layout *lay, uint32_t from) {
  size_t n = 0;
  for (uint32_t row = from; row < p->n_rows; row++) {
    pt_segment *seg = pt_row_segment(p, lay, row);
    uint32_t off = pt_row_offset(lay, row);
    seg->next[off] = PT_NO_ROW;
    n += !pt_bit_get(seg->deleted, off);
  }
  pt_keyctx kc = {p, lay};
  /* a large table is filled in order of home slots (pkindex.h), from the rows' hashes */
  pt_pkslot *items = pt_pkindex_bulk(&p->index, n) ? pt_malloc(n * sizeof *items) : NULL;
  size_t i = 0;
  for (uint32_t row = from; row < p->n_rows; row++) {
    if (pt_bit_get(pt_row_segment(p, lay, row)->deleted, pt_row_offset(lay, row))) continue;
    pt_key key = pt_row_key(p, lay, row);
    if (items) {
      items[i++] = (pt_pkslot){pt_pkindex_hash(&p->index, &key), row};
      continue;
    }
    /* a small table, or no memory for the items: one by one */
    bool found;
    size_t slot = pt_pkindex_claim(&p->index, &key, pt_key_eq_row, &kc, row, &found);
    if (found) {
      row_link(&kc, row, p->index.slots[slot].row);
      p->index.slots[slot].row = row;
    }
  }
  if (items) pt_pkindex_claim_rows(&p->index, items, n, rows_eq, row_link, &kc);
  pt_free(items);
}

void pt_partition_index_pending(pt_partition *p, const pt_layout *lay) {
  uint32_t n = p->unindexed;
  p->unindexed = 0;
  if (n) pt_partition_index_rows(p, lay, p->n_rows - n);
}

void pt_partition_reindex(pt_partition *p, const pt_layout *lay) {
  pt_assert(p->index.count == 0);
  pt_partition_index_rows(p, lay, 0);
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

/* The next step of compaction: where the next `cap` live rows from segment `at` (offset 0; the
 * rows moved before are marked deleted) end, as (segment, offset), and how many there are. */
static uint32_t next_rows(const pt_partition *p, size_t at, uint32_t cap, size_t *end_seg, uint32_t *end_off) {
  uint32_t taken = 0;
  size_t si = at;
  uint32_t off = 0;
  for (; si < p->n_segs; si++, off = 0) {
    const pt_segment *seg = p->segs[si];
    for (; off < seg->count && taken < cap; off++)
      if (!pt_bit_get(seg->deleted, off)) taken++;
    if (taken == cap) break;
  }
  *end_seg = si;
  *end_off = off;
  return taken;
}

/* Moves the live rows of segments [at, end_seg) and of segment end_seg below end_off into
 * `dst`, marking them deleted where they were. */
static void move_rows(pt_partition *p, const pt_layout *lay, pt_segment *dst, size_t at, size_t end_seg,
                      uint32_t end_off) {
  uint32_t n = 0;
  for (size_t si = at; si <= end_seg && si < p->n_segs; si++) {
    pt_segment *src = p->segs[si];
    uint32_t limit = si == end_seg ? end_off : src->count;
    for (uint32_t off = 0; off < limit;) {
      if (pt_bit_get(src->deleted, off)) {
        off++;
        continue;
      }
      uint32_t end = off + 1; /* a run of live rows, copied at once */
      while (end < limit && !pt_bit_get(src->deleted, end)) end++;
      copy_fixed_run(dst, n, src, off, end - off, lay);
      for (uint32_t r = off; r < end; r++, n++) {
        copy_var(dst, n, src, r, lay);
        pt_bit_set(src->deleted, r);
      }
      src->live -= end - off;
      off = end;
    }
  }
  dst->count = dst->live = n;
}

/* Drops the bytes of a segment's deleted rows from its variable-length arenas (their cells
 * become empty) and shrinks the arenas to what the live rows hold. PT_NOMEM when a shrinking
 * realloc failed: that arena keeps its size, and the segment is whole either way. */
static pt_status squeeze(pt_segment *seg, const pt_layout *lay) {
  pt_status rc = PT_OK;
  for (size_t c = 0; c < lay->n_cols; c++) {
    pt_column *col = &seg->cols[c];
    if (lay->row_bytes[c] || !col->data) continue;
    uint32_t *offs = col->offsets, start = offs[0], w = 0;
    for (uint32_t off = 0; off < seg->count; off++) {
      uint32_t end = offs[off + 1], len = pt_bit_get(seg->deleted, off) ? 0 : end - start;
      if (len && w != start) memmove(col->data + w, col->data + start, len);
      w += len;
      start = end;
      offs[off + 1] = w;
    }
    col->used = w;
    if (w == 0) {
      pt_free(col->data);
      col->data = NULL;
      col->cap = 0;
    } else if (w < col->cap) {
      uint8_t *smaller = pt_realloc(col->data, w);
      if (!smaller) {
        rc = PT_NOMEM;
        continue;
      }
      col->data = smaller;
      col->cap = w;
    }
  }
  return rc;
}

/* One step (HOW IT WORKS, 2): the fresh segment for position `at`, or when no live row is left,
 * the old segments freed. PT_NOMEM when the segment could not be allocated: nothing changed. */
static pt_status compact_step(pt_partition *p, const pt_layout *lay, size_t at) {
  const uint32_t cap = lay->seg_mask + 1;
  size_t end_seg;
  uint32_t end_off;
  uint32_t taken = next_rows(p, at, cap, &end_seg, &end_off);
  pt_segment *seg = NULL;
  if (taken) {
    if (!(seg = pt_segment_new(lay))) return PT_NOMEM;
    for (size_t c = 0; c < lay->n_cols; c++) {
      if (lay->row_bytes[c]) continue;
      size_t bytes = 0;
      for (size_t si = at; si <= end_seg && si < p->n_segs; si++) {
        const pt_segment *src = p->segs[si];
        uint32_t limit = si == end_seg ? end_off : src->count;
        for (uint32_t off = 0; off < limit; off++)
          if (!pt_bit_get(src->deleted, off)) bytes += src->cols[c].offsets[off + 1] - src->cols[c].offsets[off];
      }
      /* the arena to the byte: the segment is filled once */
      if (bytes > UINT32_MAX || (bytes && !(seg->cols[c].data = pt_malloc(bytes)))) {
        pt_segment_free(seg, lay);
        return bytes > UINT32_MAX ? PT_LIMIT : PT_NOMEM;
      }
      seg->cols[c].cap = bytes;
    }
    move_rows(p, lay, seg, at, end_seg, end_off);
  }
  /* the old segments left without a live row go; the fresh one takes the first one's place */
  size_t gone = 0;
  while (at + gone < p->n_segs && p->segs[at + gone]->live == 0) pt_segment_free(p->segs[at + gone++], lay);
  pt_assert(!seg || gone >= 1);
  size_t keep_from = at + gone, placed = seg ? 1 : 0;
  memmove(&p->segs[at + placed], &p->segs[keep_from], (p->n_segs - keep_from) * sizeof *p->segs);
  if (seg) p->segs[at] = seg;
  p->n_segs = p->n_segs - gone + placed;
  p->n_rows = p->n_segs ? (uint32_t)((p->n_segs - 1) * (size_t)cap + p->segs[p->n_segs - 1]->count) : 0;
  /* the rows moved out of the old segment read last leave their bytes there: dropped, so that
   * no row is held twice between steps */
  if (seg && at + 1 < p->n_segs && p->segs[at + 1]->live < p->segs[at + 1]->count) return squeeze(p->segs[at + 1], lay);
  return PT_OK;
}

/* Rebuilds the key index and chains (HOW IT WORKS, 3). PT_NOMEM when the fresh table could not
 * be allocated: the old one was refilled, and the partition is whole either way. */
static pt_status rebuild_index(pt_partition *p, const pt_layout *lay) {
  pt_pkindex fresh;
  pt_pkindex_init(&fresh, p->index.is_string);
  /* one slot per distinct live key, as many as the old table holds */
  pt_status rc = pt_pkindex_reserve(&fresh, p->index.count);
  if (rc == PT_OK) {
    pt_pkindex_free(&p->index);
    p->index = fresh;
  } else {
    for (size_t i = 0; p->index.slots && i <= p->index.mask; i++) p->index.slots[i].row = PT_NO_ROW;
    p->index.count = 0;
  }
  pt_partition_reindex(p, lay);
  return rc;
}

/* ============================================================================================
 * Compaction of one partition
 * ========================================================================================== */

/* The partition's vector indexes follow the renumbering (pt_index_compact: a row's new id is
 * the number of live rows before it), reading vectors by the old ids before rows move. An index
 * that cannot follow is dropped, and rebuilt by the next search (vindex.c). */
static void compact_indexes(pt_partition *p, const pt_layout *lay) {
  for (size_t i = 0; i < p->n_vix; i++) {
    pt_part_vix *pv = &p->vix[i];
    if (!pv->ix) continue;
    uint32_t *remap = pt_malloc((pv->upto ? pv->upto : 1) * sizeof *remap);
    uint32_t next = 0;
    for (uint32_t r = 0; remap && r < pv->upto; r++) remap[r] = pt_row_deleted(p, lay, r) ? PT_INDEX_NONE : next++;
    pt_part_rows ctx = {p, lay, pv->col};
    pt_index_rows rows = {pt_part_rows_get, &ctx};
    pt_status rc = remap ? pt_index_compact(pv->ix, &rows, remap, pv->upto) : PT_NOMEM;
    pt_free(remap);
    if (rc == PT_OK) {
      pv->upto = next;
    } else {
      pt_index_free(pv->ix);
      *pv = (pt_part_vix){NULL, 0, pv->col};
    }
  }
}

static void drop_indexes(pt_partition *p) {
  for (size_t i = 0; i < p->n_vix; i++) {
    pt_index_free(p->vix[i].ix);
    p->vix[i] = (pt_part_vix){NULL, 0, p->vix[i].col};
  }
}

pt_status pt_partition_compact(pt_partition *p, const pt_layout *lay, uint64_t *removed) {
  if (removed) *removed = 0;
  if (p->n_live == p->n_rows) return PT_OK;
  pt_partition_index_pending(p, lay); /* rows are renumbered from here */
  pt_fts_drop(p); /* its rows are renumbered: rebuilt when a search next needs it */
  compact_indexes(p, lay);
  const uint32_t cap = lay->seg_mask + 1;
  uint64_t dead = (uint64_t)p->n_rows - p->n_live;

  /* 1. the fully live, full prefix is kept */
  size_t at = 0;
  while (at < p->n_segs && p->segs[at]->count == cap && p->segs[at]->live == cap) at++;

  /* 2. a fresh segment at a time, until no old one is left */
  pt_status rc = PT_OK;
  while (at < p->n_segs && (rc = compact_step(p, lay, at)) == PT_OK) at++;

  /* 3. the index and chains, for the rows where they are now */
  pt_status index_rc = rebuild_index(p, lay);
  if (!rc) rc = index_rc;
  if (rc) {
    drop_indexes(p); /* they were renumbered for rows that did not all move */
    return rc;
  }
  if (removed) *removed = dead;
  pt_segment_free(p->spare, lay); /* a spare segment is memory compaction hands back too */
  p->spare = NULL;
  return PT_OK;
}

/* ============================================================================================
 * Collections
 * ========================================================================================== */

static pt_status compact_partitions(pt_collection *c, const char *partition, size_t len, uint64_t *removed,
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
  /* the cold rows of a partition that has rows to drop are read back first (cold.c) */
  bool cold = false;
  for (size_t i = lo; i < hi; i++) {
    bool any;
    if (c->parts[i]->n_live == c->parts[i]->n_rows) continue;
    if (pt_cold_want_in(c, i, SIZE_MAX, &any)) return pt_fail_nomem(err);
    cold |= any;
  }
  if (cold) return pt_cold_fail(PT_OK, err);
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

/* Compaction frees memory: it runs in relief, so that a store at its memory ceiling can still
 * compact (alloc.c); what it needs beyond the partition is one segment at a time. */
pt_status pt_collection_compact(pt_collection *c, const char *partition, size_t len, uint64_t *removed,
                                pt_error *err) {
  pt_memory_relief(1);
  pt_status rc = compact_partitions(c, partition, len, removed, err);
  pt_memory_relief(0);
  return rc;
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
    if (pt_cold_in(c, i, SIZE_MAX)) { /* cold rows are not read back for it: the next checkpoint,
                                        * which reads them back, compacts (pt_store_checkpoint) */
      c->compact_deferred = true;
      continue;
    }
    pt_partition_compact(p, &c->layout, NULL); /* best effort: on failure nothing changed */
  }
}
