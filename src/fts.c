/*
 * fts.c — a partition's full-text state (store.h, "full-text state").
 *
 * HOW IT WORKS
 * A stored sparse cell is a uint32 count, then count (uint32 index, float32 value) pairs, at any
 * byte offset of its arena: the pairs are copied into aligned scratch before the statistics or
 * the index read them. Building walks the live rows of every segment in row order and adds each
 * to every field's statistics and index, then has each index make its long lists' one-word
 * orders (pt_bm25_index_prepare). Keeping in step adds or takes out one row; a failure to
 * add (memory) drops the whole state, since statistics and index must describe the same rows.
 * A deleted row is forgotten by the index in O(1) (its postings stay, skipped, until compaction
 * drops the state), so that deleting or upserting many rows costs what it costs without it.
 * A plain SPARSE_FLOAT_VECTOR field with an index of metric IP (SPARSE_INVERTED_INDEX,
 * SPARSE_WAND, AUTOINDEX) has an ip index here too (bm25.h), kept in step the same way, without
 * statistics; its zero values are left out (they add nothing to an inner product). Creating or
 * dropping such an index drops the states (vindex.c), so the next search builds them anew.
 */
#include "store.h"

void pt_fts_free(pt_fts *fts) {
  if (!fts) return;
  for (size_t i = 0; i < fts->n; i++) {
    pt_bm25_stats_free(&fts->f[i].stats);
    pt_bm25_index_free(fts->f[i].ix);
  }
  pt_free(fts->tmp);
  pt_free(fts);
}

void pt_fts_drop(pt_partition *p) {
  pt_fts_free(p->fts);
  p->fts = NULL;
}

pt_fts_field *pt_fts_field_of(pt_partition *p, int col) {
  if (!p->fts) return NULL;
  for (size_t i = 0; i < p->fts->n; i++)
    if (p->fts->f[i].col == col) return &p->fts->f[i];
  return NULL;
}

/* The pairs of a row's cell in column col, into fts->tmp; their number, or SIZE_MAX (memory). */
static size_t cell_pairs(pt_fts *fts, const pt_partition *p, const pt_layout *lay, int col, uint32_t row) {
  const pt_column *c = &pt_row_segment(p, lay, row)->cols[col];
  uint32_t off = pt_row_offset(lay, row);
  size_t len = c->offsets[off + 1] - c->offsets[off];
  if (len < 4) return 0;
  const uint8_t *b = pt_var_cell(c, off);
  uint32_t n;
  memcpy(&n, b, 4);
  if ((size_t)n > (len - 4) / 8) n = (uint32_t)((len - 4) / 8);
  if (n && PT_GROW(&fts->tmp, &fts->tmp_cap, n) != PT_OK) return SIZE_MAX;
  if (n) memcpy(fts->tmp, b + 4, (size_t)n * 8);
  return n;
}

/* cell_pairs of a field's column; an ip field's zero values left out. */
static size_t field_pairs(pt_fts *fts, const pt_partition *p, const pt_layout *lay, const pt_fts_field *f, uint32_t row) {
  size_t n = cell_pairs(fts, p, lay, f->col, row);
  if (!f->ip || n == SIZE_MAX) return n;
  size_t kept = 0;
  for (size_t i = 0; i < n; i++)
    if (fts->tmp[i].value != 0) fts->tmp[kept++] = fts->tmp[i];
  return kept;
}

static bool add_row(pt_fts *fts, const pt_partition *p, const pt_layout *lay, uint32_t row) {
  for (size_t i = 0; i < fts->n; i++) {
    pt_fts_field *f = &fts->f[i];
    size_t n = field_pairs(fts, p, lay, f, row);
    if (n == SIZE_MAX) return false;
    if (!f->ip && pt_bm25_stats_add(&f->stats, fts->tmp, n) != PT_OK) return false;
    if (pt_bm25_index_add(f->ix, row, fts->tmp, n) != PT_OK) {
      if (!f->ip) pt_bm25_stats_remove(&f->stats, fts->tmp, n);
      return false;
    }
  }
  return true;
}

/* A plain sparse field with an index of metric IP. */
static bool ip_indexed(const pt_collection *c, size_t field) {
  if (c->schema->fields[field].dtype != PT_SPARSE_FLOAT_VECTOR || c->schema->fields[field].bm25_input >= 0) return false;
  for (size_t i = 0; i < c->n_vindexes; i++)
    if (c->vindexes[i].field == field) return strcmp(c->vindexes[i].metric, "IP") == 0;
  return false;
}

pt_status pt_fts_ensure(const pt_collection *c, pt_partition *p) {
  if (p->fts) return PT_OK;
  const pt_schema *s = c->schema;
  size_t n = 0;
  for (size_t i = 0; i < s->n_fields; i++) n += s->fields[i].bm25_input >= 0 || ip_indexed(c, i);
  pt_fts *fts = pt_calloc(1, sizeof *fts + n * sizeof fts->f[0]);
  if (!fts) return PT_NOMEM;
  for (size_t i = 0; i < s->n_fields; i++) {
    bool ip = ip_indexed(c, i);
    if (s->fields[i].bm25_input < 0 && !ip) continue;
    pt_fts_field *f = &fts->f[fts->n++];
    f->col = (int)i;
    f->ip = ip;
    if ((ip ? pt_bm25_index_new_ip(&f->ix) : pt_bm25_index_new(&f->ix)) != PT_OK) {
      pt_fts_free(fts);
      return PT_NOMEM;
    }
  }
  const pt_layout *lay = &c->layout;
  for (size_t si = 0; si < p->n_segs; si++) {
    const pt_segment *seg = p->segs[si];
    for (uint32_t off = 0; off < seg->count; off++) {
      if (pt_bit_get(seg->deleted, off)) continue;
      if (!add_row(fts, p, lay, (uint32_t)(si << lay->seg_shift) | off)) {
        pt_fts_free(fts);
        return PT_NOMEM;
      }
    }
  }
  for (size_t i = 0; i < fts->n; i++) pt_bm25_index_prepare(fts->f[i].ix);
  p->fts = fts;
  return PT_OK;
}

void pt_fts_row_added(pt_partition *p, const pt_layout *lay, uint32_t row) {
  if (p->fts && !add_row(p->fts, p, lay, row)) pt_fts_drop(p); /* rebuilt when next needed */
}

void pt_fts_row_gone(pt_partition *p, const pt_layout *lay, uint32_t row, bool deleted) {
  pt_fts *fts = p->fts;
  if (!fts) return;
  for (size_t i = 0; i < fts->n; i++) {
    pt_fts_field *f = &fts->f[i];
    size_t n = field_pairs(fts, p, lay, f, row);
    /* a deleted row's id is not reused before compaction rebuilds the state: forgotten in
     * O(1); a row about to be overwritten in place leaves its postings now */
    pt_status rc = n == SIZE_MAX ? PT_NOMEM : deleted ? pt_bm25_index_forget(f->ix, row) : pt_bm25_index_remove(f->ix, row, fts->tmp, n);
    if (rc != PT_OK) {
      pt_fts_drop(p);
      return;
    }
    if (!f->ip) pt_bm25_stats_remove(&f->stats, fts->tmp, n);
  }
}

/* The statistics a query's terms are weighed by: every partition's (Milvus keeps them per
 * shard, whatever partitions a search names), for the query's terms only. */
static pt_status merged_stats(pt_collection *c, int col, const pt_bm25_vec *vec, pt_bm25_stats *out) {
  memset(out, 0, sizeof *out);
  if (vec->n && pt_u32map_reserve(&out->df, vec->n) != PT_OK) return PT_NOMEM;
  for (size_t pi = 0; pi < c->n_parts; pi++) {
    const pt_fts_field *f = pt_fts_field_of(c->parts[pi], col);
    if (!f || f->ip) continue;
    out->num_rows += f->stats.num_rows;
    out->num_tokens += f->stats.num_tokens;
    for (size_t i = 0; i < vec->n; i++) {
      uint32_t df = pt_u32map_get(&f->stats.df, vec->p[i].index);
      if (df == PT_INDEX_NONE) continue;
      uint32_t had = pt_u32map_get(&out->df, vec->p[i].index);
      pt_u32map_put(&out->df, vec->p[i].index, had == PT_INDEX_NONE ? df : had + df);
    }
  }
  return PT_OK;
}

pt_status pt_fts_query(pt_collection *c, int col, const pt_analyzer *a, const char *text, size_t len,
                       const pt_bm25_params *prm, pt_fts_scratch *s, pt_bm25_query *q, pt_error *err) {
  pt_status rc = pt_analyzer_run(a, text, len, &s->toks, err);
  if (rc) return rc;
  if (pt_bm25_vectorize(&s->toks, &s->vec)) return pt_fail_nomem(err);
  pt_bm25_stats st;
  if (merged_stats(c, col, &s->vec, &st) || pt_bm25_query_prepare(&st, s->vec.p, s->vec.n, prm, q)) {
    pt_bm25_stats_free(&st);
    return pt_fail_nomem(err);
  }
  pt_bm25_stats_free(&st);
  return PT_OK;
}

void pt_fts_scratch_release(pt_fts_scratch *s) {
  pt_tokens_release(&s->toks);
  pt_bm25_vec_release(&s->vec);
}
