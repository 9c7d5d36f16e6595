/*
 * cold.c — cold rows: the float rows of a vector field dropped from memory where its index
 * searches without them, read back on demand from the checkpoint that holds them (the public
 * half is partita.h's "Cold rows"; the internal one is in store.h).
 *
 * WHICH ROWS MAY GO
 * Milvus leaves a raw vector field out of memory (mmap, or tiered storage's lazy load) beside an
 * index without raw data, never beside one that has it, and never for rows no index holds yet.
 * So here: the rows of a FLOAT_VECTOR field whose index searches on its own codes (IVF_SQ8;
 * HNSW_SQ without refine; IVF_RABITQ without refine or refining with SQ8 / FP16 / BF16 codes),
 * in full segments that lie below their partition's index high-water mark, whose live rows the
 * last checkpoint wrote (back to back: a segment's deleted rows are not saved), and that are
 * allocations of their own (a segment a load left in the snapshot's block stays: the block is
 * freed only whole). The index adds later rows from their own, resident, segments.
 *
 * THE PROTOCOL
 *   - pt_store_checkpoint marks every full column segment it writes (pt_cold_mark: the
 *     checkpoint's generation, where its live rows went, which rows were deleted then). A write
 *     over a marked segment clears its mark.
 *   - pt_collection_cold_drop frees the marked segments of a field that may go cold, keeping a
 *     hash of the rows the checkpoint holds.
 *   - A reader that meets a cold segment names it (pt_cold_want) and goes on without it; the
 *     call then returns pt_cold_fail (PT_COLD) without having changed anything. A write checks
 *     before it changes anything; a read-only call may find out midway.
 *   - The host reads the named bytes (pt_store_cold_reads / pt_store_cold_done: checked against
 *     the hash, spread back to their rows, all or none installed) and calls again.
 */
#include "hash64.h"
#include "store.h"

bool pt_cold_index_ok(const pt_index_params *p) {
  switch (p->type) {
  case PT_INDEX_IVF_SQ8: return true;
  case PT_INDEX_HNSW_SQ: return !p->refine;
  case PT_INDEX_IVF_RABITQ: return !p->refine || p->refine_type != PT_REFINE_FP32;
  default: return false;
  }
}

static size_t seg_cap(const pt_collection *c) { return (size_t)c->layout.seg_mask + 1; }

/* Bytes of every store's cold column segments (pt_cold_bytes). */
static size_t cold_total;

size_t pt_cold_bytes(void) { return cold_total; }

void pt_cold_forget(size_t bytes) { cold_total -= bytes; }

void pt_cold_mark(pt_column *col, const pt_segment *seg, const pt_layout *lay, uint32_t gen, uint64_t at) {
  size_t cap = (size_t)lay->seg_mask + 1, nb = (cap + 7) / 8;
  col->ck_gen = 0;
  if (seg->live == seg->count) {
    pt_free(col->ck_dead);
    col->ck_dead = NULL;
  } else {
    if (!col->ck_dead && !(col->ck_dead = pt_malloc(nb))) return; /* no mark: the rows stay */
    memcpy(col->ck_dead, seg->deleted, nb);
  }
  col->ck_gen = gen;
  col->ck_live = seg->live;
  col->ck_at = at;
}

void pt_store_cold_source(pt_store *s, const uint8_t *bytes, size_t len) {
  if (!s) return;
  s->cold.src = bytes;
  s->cold.src_len = bytes ? len : 0;
  if (bytes) pt_cold_begin(s); /* its loads' marks, for the checkpoint its HEADER names (log.c) */
}

/* The hash of the rows a mark wrote (those not in `dead`, in order), `rb` bytes each, at `data`:
 * a full segment's column (packed false) or those rows back to back (packed true). */
static uint64_t rows_hash(const uint8_t *data, size_t cap, size_t rb, const uint8_t *dead, bool packed) {
  uint64_t h = 0;
  for (size_t r = 0, k = 0; r < cap; r++) {
    if (dead && pt_bit_get(dead, (uint32_t)r)) continue;
    h = pt_hash64(h, data + (packed ? k++ : r) * rb, rb);
  }
  return h;
}

pt_status pt_cold_want(const pt_collection *c, size_t part, size_t seg, size_t col) {
  pt_column *cl = &c->parts[part]->segs[seg]->cols[col];
  if (cl->wanted) return PT_OK;
  pt_cold_state *st = &c->store->cold;
  if (st->n_wants == st->wants_cap) {
    size_t cap = st->wants_cap ? st->wants_cap * 2 : 16;
    pt_cold_ref *w = pt_realloc(st->wants, cap * sizeof *w);
    if (!w) return PT_NOMEM;
    st->wants = w;
    st->wants_cap = cap;
  }
  st->wants[st->n_wants++] = (pt_cold_ref){c->id, (uint32_t)part, (uint32_t)seg, (uint32_t)col};
  cl->wanted = true;
  return PT_OK;
}

/* Visits the cold column segments of partition `part` and column `col` (SIZE_MAX: every one):
 * with `want`, names each (pt_cold_want); without, stops at the first. *any: whether one was. */
static pt_status each_cold(const pt_collection *c, size_t part, size_t col, bool want, bool *any) {
  *any = false;
  if (!c->maybe_cold) return PT_OK;
  size_t p0 = part == SIZE_MAX ? 0 : part, p1 = part == SIZE_MAX ? c->n_parts : part + 1;
  size_t c0 = col == SIZE_MAX ? 0 : col, c1 = col == SIZE_MAX ? c->layout.n_cols : col + 1;
  for (size_t p = p0; p < p1; p++)
    for (size_t s = 0; s < c->parts[p]->n_segs; s++)
      for (size_t ci = c0; ci < c1; ci++) {
        if (!c->parts[p]->segs[s]->cols[ci].cold) continue;
        *any = true;
        if (!want) return PT_OK;
        if (pt_cold_want(c, p, s, ci)) return PT_NOMEM;
      }
  return PT_OK;
}

pt_status pt_cold_want_in(const pt_collection *c, size_t part, size_t col, bool *any) {
  return each_cold(c, part, col, true, any);
}

bool pt_cold_in(const pt_collection *c, size_t part, size_t col) {
  bool any;
  (void)each_cold(c, part, col, false, &any);
  return any;
}

void pt_cold_begin(pt_store *s) {
  if (!++s->cold.gen) s->cold.gen = 1;
  s->cold.checkpoint = 0;
}

pt_status pt_cold_fail(pt_status want_rc, pt_error *err) {
  if (want_rc) return pt_fail_nomem(err);
  return pt_fail(err, PT_COLD, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                 "the call needs rows that are not in memory: read them back from the checkpoint "
                 "(pt_store_cold_reads) and call again");
}

/* The collection a want names, or NULL when it is gone (dropped). */
static pt_collection *want_coll(pt_store *s, const pt_cold_ref *w) {
  for (size_t i = 0; i < s->n_colls; i++)
    if (s->colls[i]->id == w->coll) return s->colls[i];
  return NULL;
}

/* The column a want names, or NULL when it is gone (its collection dropped, its partition
 * compacted or dropped). */
static pt_column *named_column(pt_store *s, const pt_cold_ref *w) {
  pt_collection *c = want_coll(s, w);
  if (!c || w->part >= c->n_parts || w->seg >= c->parts[w->part]->n_segs || w->col >= c->layout.n_cols) return NULL;
  return &c->parts[w->part]->segs[w->seg]->cols[w->col];
}

/* The same, when it is still cold. */
static pt_column *want_column(pt_store *s, const pt_cold_ref *w) {
  pt_column *col = named_column(s, w);
  return col && col->cold ? col : NULL;
}

/* Frees the reads and the room they were given. */
static void free_reads(pt_cold_state *st) {
  for (size_t i = 0; i < st->n_reads; i++) pt_free(st->reads[i].dst);
  pt_free(st->reads);
  st->reads = NULL;
  st->n_reads = 0;
}

/* Forgets every want and read (their room freed): the columns are as they were. */
static void reset(pt_store *s) {
  for (size_t i = 0; i < s->cold.n_wants; i++) {
    pt_column *col = named_column(s, &s->cold.wants[i]);
    if (col) col->wanted = false;
  }
  free_reads(&s->cold);
  s->cold.n_wants = 0;
}

void pt_cold_state_free(pt_cold_state *st) {
  free_reads(st);
  pt_free(st->wants);
  memset(st, 0, sizeof *st);
}

pt_status pt_store_cold_reads(pt_store *s, const pt_cold_read **reads, size_t *n, pt_error *err) {
  if (!s || !reads || !n) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_store_cold_reads: missing argument");
  *reads = NULL;
  *n = 0;
  pt_cold_state *st = &s->cold;
  if (!st->reads && st->n_wants) {
    if (!(st->reads = pt_calloc(st->n_wants, sizeof *st->reads))) return pt_fail_nomem(err);
    for (size_t i = 0; i < st->n_wants; i++) {
      pt_column *col = want_column(s, &st->wants[i]);
      pt_cold_read *r = &st->reads[st->n_reads++];
      *r = (pt_cold_read){st->checkpoint, 0, 0, NULL};
      if (!col) continue; /* gone meanwhile: nothing to read */
      const pt_collection *c = want_coll(s, &st->wants[i]);
      size_t rb = c->layout.row_bytes[st->wants[i].col], cap = seg_cap(c);
      /* the rows the checkpoint holds, into room for the whole segment (done spreads them) */
      r->at = col->ck_at;
      r->len = (uint64_t)col->ck_live * rb;
      if (!(r->dst = pt_malloc(cap * rb))) {
        reset(s);
        return pt_fail_nomem(err);
      }
    }
  }
  *reads = st->reads;
  *n = st->n_reads;
  pt_error_clear(err);
  return PT_OK;
}

pt_status pt_store_cold_done(pt_store *s, int ok, pt_error *err) {
  if (!s) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_store_cold_done: missing argument");
  pt_cold_state *st = &s->cold;
  if (!ok || st->n_reads != st->n_wants) {
    reset(s);
    pt_error_clear(err);
    return PT_OK;
  }
  /* checked first, installed after: all or none */
  for (size_t i = 0; i < st->n_reads; i++) {
    pt_column *col = want_column(s, &st->wants[i]);
    if (!col || !st->reads[i].dst) continue;
    const pt_collection *c = want_coll(s, &st->wants[i]);
    if (rows_hash(st->reads[i].dst, col->ck_live, c->layout.row_bytes[st->wants[i].col], NULL, true) != col->ck_hash) {
      pt_cold_ref w = st->wants[i];
      uint64_t at = st->reads[i].at, id = st->reads[i].checkpoint;
      reset(s);
      return pt_fail(err, PT_CORRUPT, PT_CODE_IO_FAILED, PT_EXC_MILVUS,
                     "IO failed: the rows of segment %u of partition %u read back from checkpoint %llu at byte %llu are "
                     "not the rows that were dropped from memory (the checkpoint changed or is damaged)",
                     (unsigned)w.seg, (unsigned)w.part, (unsigned long long)id, (unsigned long long)at);
    }
  }
  for (size_t i = 0; i < st->n_reads; i++) {
    pt_column *col = want_column(s, &st->wants[i]);
    if (!col || !st->reads[i].dst) continue;
    const pt_collection *c = want_coll(s, &st->wants[i]);
    size_t rb = c->layout.row_bytes[st->wants[i].col], cap = seg_cap(c);
    uint8_t *d = st->reads[i].dst;
    if (col->ck_dead) /* spread the rows back to their places, from the last (a row only moves up) */
      for (size_t r = cap, k = col->ck_live; r-- > 0;) {
        if (pt_bit_get(col->ck_dead, (uint32_t)r)) memset(d + r * rb, 0, rb);
        else if (--k != r) memmove(d + r * rb, d + k * rb, rb);
      }
    col->data = d;
    st->reads[i].dst = NULL;
    col->cold = false;
    cold_total -= cap * rb;
  }
  reset(s);
  for (size_t i = 0; i < s->n_colls; i++) s->colls[i]->maybe_cold = pt_cold_in(s->colls[i], SIZE_MAX, SIZE_MAX);
  pt_error_clear(err);
  return PT_OK;
}

/* The rows of field `fi` in `part` that may go cold: those below the high-water mark of the
 * field's index when it searches without them, else none (0). */
static uint32_t cold_upto(const pt_collection *c, size_t fi, const pt_partition *part) {
  for (size_t i = 0; i < c->n_vindexes; i++) {
    const pt_vindex *v = &c->vindexes[i];
    if (v->field != fi) continue;
    return v->built && pt_cold_index_ok(&v->p) && i < part->n_vix && part->vix[i].ix ? part->vix[i].upto : 0;
  }
  return 0;
}

/* A column segment goes cold, the rows a checkpoint holds of it (those not in ck_dead) at `data`
 * hashed; the caller frees or never had its bytes. */
static void go_cold(pt_collection *c, pt_column *col, const uint8_t *data, size_t rb) {
  col->ck_hash = rows_hash(data, seg_cap(c), rb, col->ck_dead, false);
  col->data = NULL;
  col->cold = true;
  c->maybe_cold = true;
  cold_total += seg_cap(c) * rb;
}

pt_status pt_cold_loaded(pt_collection *c) {
  const pt_cold_state *cs = &c->store->cold;
  size_t cap = seg_cap(c);
  for (size_t fi = 0; fi < c->schema->n_fields; fi++) {
    if (c->schema->fields[fi].dtype != PT_FLOAT_VECTOR) continue;
    size_t rb = c->layout.row_bytes[fi];
    for (size_t p = 0; p < c->n_parts; p++) {
      const pt_partition *part = c->parts[p];
      uint32_t upto = cold_upto(c, fi, part);
      for (size_t s = 0; s < part->n_segs; s++) {
        pt_column *col = &part->segs[s]->cols[fi];
        if (col->data || col->cold || col->block) continue; /* only what the load left out */
        const uint8_t *from = cs->src + col->ck_at;
        if ((s + 1) * cap <= upto) {
          go_cold(c, col, from, rb);
        } else {
          if (!(col->data = pt_malloc(cap * rb))) return PT_NOMEM;
          memcpy(col->data, from, cap * rb);
        }
      }
    }
  }
  return PT_OK;
}

pt_status pt_collection_cold_drop(pt_collection *c, const char *field, size_t field_len, uint64_t checkpoint,
                                  uint64_t *dropped, pt_error *err) {
  if (dropped) *dropped = 0;
  if (!c || (!field && field_len))
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_cold_drop: missing argument");
  int fi = pt_schema_find(c->schema, field, field_len);
  if (fi < 0 || c->schema->fields[fi].dtype != PT_FLOAT_VECTOR)
    return pt_fail(err, PT_NOT_FOUND, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "%.*s is not a FLOAT_VECTOR field of collection %s: only their rows go cold", (int)field_len,
                   field ? field : "", c->name);
  pt_cold_state *st = &c->store->cold;
  if (!st->gen || !st->checkpoint || st->checkpoint != checkpoint)
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "pt_collection_cold_drop: checkpoint %llu is not the store's last", (unsigned long long)checkpoint);
  size_t cap = seg_cap(c), rb = c->layout.row_bytes[fi];
  for (size_t p = 0; p < c->n_parts; p++) {
    pt_partition *part = c->parts[p];
    uint32_t upto = cold_upto(c, (size_t)fi, part);
    for (size_t s = 0; s < part->n_segs; s++) {
      pt_segment *seg = part->segs[s];
      pt_column *col = &seg->cols[fi];
      if ((s + 1) * cap > upto || seg->count != cap || col->cold || col->block || !col->data || col->ck_gen != st->gen)
        continue;
      uint8_t *bytes = col->data;
      go_cold(c, col, bytes, rb);
      pt_free(bytes);
      if (dropped) *dropped += cap * rb;
    }
  }
  pt_error_clear(err);
  return PT_OK;
}
