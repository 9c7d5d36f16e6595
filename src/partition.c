/*
 * partition.c — a partition: its segments, its row ids, and its primary-key index.
 */
#include "store.h"


pt_partition *pt_partition_new(const char *name, size_t len, bool string_keys) {
  pt_partition *p = pt_calloc(1, sizeof *p);
  if (!p) return NULL;
  if (!(p->name = pt_strndup(name, len))) {
    pt_free(p);
    return NULL;
  }
  p->name_len = len;
  pt_pkindex_init(&p->index, string_keys);
  return p;
}

void pt_partition_free(pt_partition *p, const pt_layout *lay) {
  if (!p) return;
  for (size_t i = 0; i < p->n_segs; i++) pt_segment_free(p->segs[i], lay);
  pt_segment_free(p->spare, lay);
  pt_free(p->segs);
  pt_pkindex_free(&p->index);
  pt_fts_free(p->fts);
  for (size_t i = 0; i < p->n_vix; i++) pt_index_free(p->vix[i].ix);
  pt_free(p->vix);
  pt_free(p->name);
  pt_free(p);
}

int pt_partition_find(const pt_collection *c, const char *name, size_t len) {
  for (size_t i = 0; i < c->n_parts; i++)
    if (pt_str_eq(c->parts[i]->name, c->parts[i]->name_len, name, len)) return (int)i;
  return -1;
}

bool pt_row_deleted(const pt_partition *p, const pt_layout *lay, uint32_t row) {
  return pt_bit_get(pt_row_segment(p, lay, row)->deleted, pt_row_offset(lay, row));
}

const void *pt_part_rows_get(const void *ctx, uint32_t row) {
  const pt_part_rows *r = ctx;
  const pt_segment *seg = pt_row_segment(r->part, r->lay, row);
  pt_assert(!seg->cols[r->col].cold); /* an index that reads rows never has cold ones (cold.c) */
  return seg->cols[r->col].data + (size_t)pt_row_offset(r->lay, row) * r->lay->row_bytes[r->col];
}

pt_key pt_row_key(const pt_partition *p, const pt_layout *lay, uint32_t row) {
  pt_key k = {0, NULL, 0};
  const pt_segment *seg = pt_row_segment(p, lay, row);
  uint32_t off = pt_row_offset(lay, row);
  const pt_column *col = &seg->cols[lay->pk];
  if (p->index.is_string) {
    k.s = (const char *)pt_var_cell(col, off);
    k.len = col->offsets[off + 1] - col->offsets[off];
  } else {
    memcpy(&k.i, col->data + (size_t)off * 8, 8);
  }
  return k;
}

bool pt_key_eq_row(const void *ctx, uint32_t row, const pt_key *key) {
  const pt_keyctx *kc = ctx;
  pt_key k = pt_row_key(kc->part, kc->lay, row);
  return pt_key_eq(&k, key, kc->part->index.is_string);
}

size_t pt_partition_lookup(pt_partition *p, const pt_layout *lay, const pt_key *key) {
  pt_partition_index_pending(p, lay);
  pt_keyctx kc = {p, lay};
  return pt_pkindex_find(&p->index, key, pt_key_eq_row, &kc);
}

uint64_t pt_partition_delete_chain(pt_partition *p, const pt_layout *lay, uint32_t head) {
  uint64_t n = 0;
  for (uint32_t row = head; row != PT_NO_ROW;) {
    pt_segment *seg = pt_row_segment(p, lay, row);
    uint32_t off = pt_row_offset(lay, row);
    uint32_t next = seg->next[off];
    if (!pt_bit_get(seg->deleted, off)) {
      pt_fts_row_gone(p, lay, row, true);
      pt_bit_set(seg->deleted, off);
      seg->live--;
      n++;
    }
    seg->next[off] = PT_NO_ROW;
    row = next;
  }
  p->n_live -= n;
  return n;
}

uint64_t pt_partition_delete_key(pt_partition *p, const pt_layout *lay, const pt_key *key) {
  size_t slot = pt_partition_lookup(p, lay, key);
  if (slot == SIZE_MAX) return 0;
  uint64_t n = pt_partition_delete_chain(p, lay, p->index.slots[slot].row);
  pt_pkindex_remove(&p->index, slot);
  return n;
}

bool pt_partition_delete_row(pt_partition *p, const pt_layout *lay, uint32_t row) {
  pt_segment *seg = pt_row_segment(p, lay, row);
  uint32_t off = pt_row_offset(lay, row);
  if (pt_bit_get(seg->deleted, off)) return false;
  /* unlink the row from its key's chain: it is the head, or follows another row of the key */
  pt_key key = pt_row_key(p, lay, row);
  size_t slot = pt_partition_lookup(p, lay, &key);
  if (slot != SIZE_MAX) {
    uint32_t head = p->index.slots[slot].row;
    if (head == row) {
      if (seg->next[off] == PT_NO_ROW) pt_pkindex_remove(&p->index, slot);
      else p->index.slots[slot].row = seg->next[off];
    } else {
      for (uint32_t r = head; r != PT_NO_ROW;) {
        pt_segment *rs = pt_row_segment(p, lay, r);
        uint32_t ro = pt_row_offset(lay, r);
        if (rs->next[ro] == row) {
          rs->next[ro] = seg->next[off];
          break;
        }
        r = rs->next[ro];
      }
    }
  }
  seg->next[off] = PT_NO_ROW;
  pt_fts_row_gone(p, lay, row, true);
  pt_bit_set(seg->deleted, off);
  seg->live--;
  p->n_live--;
  return true;
}
