/*
 * write.c — insert and upsert: the mutation plan. A batch that batch.c has checked against the
 * schema gets its keys and partitions, then is committed whole.
 *
 * HOW IT WORKS
 * pt_collection_write runs in two phases:
 *   Validate  batch.c maps the input columns to the schema and checks every cell (batch.h);
 *             then the primary keys are resolved (auto_id keys are generated here), the target
 *             partition found (per row in partition-key mode) and, for upsert, duplicate keys
 *             within the batch rejected. Every error is found here, and nothing has changed yet.
 *   Commit    reserve everything the batch needs (new segments, arena bytes, index room),
 *             then write the columns and update the key index. Only reservation allocates; if
 *             it fails, what was reserved is released and nothing is visible. After it,
 *             nothing can fail, so a batch is applied whole or not at all.
 * Values are stored as batch.c converted them when checking (pt_batch_store_cell): the two
 * phases cannot disagree. With PT_WRITE_ROWS_JSON the rows as written come back as REST v2
 * rows for forwarding.
 */
#include "batch.h"

#include <stdio.h>

#include "json_out.h"
#include "merge.h"
#include "rows.h"

/* ============================================================================================
 * The plan of one write
 * ========================================================================================== */

typedef struct wplan {
  pt_batch b;         /* the checked batch (batch.c) */
  pt_collection *c;
  bool str_keys;
  pt_key *keys;       /* stored primary key per row */
  pt_key *del_keys;   /* upsert: key to delete per row (differs from keys under auto_id) */
  char *gen;          /* text of generated VARCHAR auto_id keys */
  int part;           /* target partition, -1 in partition-key mode */
  uint32_t *rpart;    /* partition-key mode: target partition per row */
  pt_rowref *refs;    /* PT_WRITE_ROWS_JSON: where each batch row was stored (set by commit) */
  bool unique_keys;   /* upsert: the batch's keys were checked to be distinct */
  /* merge mode (PT_WRITE_MERGE): */
  pt_rowref *src;     /* the stored row each batch row merges with; row PT_NO_ROW: a new key */
  size_t n_found;     /* batch rows whose key was stored */
  pt_merged *merged;  /* per stored column: values computed from the stored row (merge.c) */
} wplan;

static void plan_release(wplan *p) {
  if (p->merged)
    for (size_t ci = 0; ci < p->b.lay->n_cols; ci++) pt_merged_release(&p->merged[ci]);
  pt_free(p->merged);
  pt_free(p->src);
  pt_batch_release(&p->b);
  if (p->del_keys != p->keys) pt_free(p->del_keys);
  pt_free(p->refs);
  pt_free(p->keys);
  pt_free(p->gen);
  pt_free(p->rpart);
}

/* ============================================================================================
 * Keys and partitions
 * ========================================================================================== */

static size_t digits_u64(uint64_t v) {
  size_t n = 1;
  while (v >= 10) { v /= 10; n++; }
  return n;
}

static pt_status resolve_keys(wplan *p) {
  const pt_field *pk = &p->b.s->fields[p->b.s->primary];
  p->str_keys = pk->dtype == PT_VARCHAR;
  if (p->b.n && !(p->keys = pt_calloc(p->b.n, sizeof *p->keys))) return pt_fail_nomem(p->b.err);
  p->del_keys = p->keys;
  if (!p->b.n) return PT_OK;

  /* supplied keys: every key on upsert, every key on insert without auto_id or that gives its
   * keys where the collection allows it (allow_insert_auto_id) */
  bool supplied = !(pk->auto_id && p->b.op == PT_OP_INSERT) || p->b.keys_given;
  pt_key *sup = p->keys;
  if (pk->auto_id && p->b.op == PT_OP_UPSERT) {
    if (!(p->del_keys = pt_calloc(p->b.n, sizeof *p->del_keys))) return pt_fail_nomem(p->b.err);
    sup = p->del_keys;
  }
  if (supplied) pt_batch_keys(&p->b, p->b.s->primary, p->str_keys, sup);
  if (pk->auto_id && !p->b.keys_given) {
    int64_t first = pt_store_next_ids(p->c->store, p->b.n);
    if (!p->str_keys) {
      for (size_t r = 0; r < p->b.n; r++) p->keys[r].i = first + (int64_t)r;
    } else {
      /* VARCHAR auto_id keys are the decimal text of generated int64 ids */
      size_t total = 0;
      for (size_t r = 0; r < p->b.n; r++) total += digits_u64((uint64_t)first + r);
      if (!(p->gen = pt_malloc(total ? total : 1))) return pt_fail_nomem(p->b.err);
      size_t at = 0;
      for (size_t r = 0; r < p->b.n; r++) {
        size_t len = digits_u64((uint64_t)first + r);
        char tmp[24];
        snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)((uint64_t)first + r));
        memcpy(p->gen + at, tmp, len);
        p->keys[r].s = p->gen + at;
        p->keys[r].len = len;
        at += len;
      }
    }
  }
  return PT_OK;
}

typedef struct batch_keyctx {
  const pt_key *keys;
  bool str_keys;
} batch_keyctx;

static bool batch_key_eq(const void *ctx, uint32_t row, const pt_key *key) {
  const batch_keyctx *kc = ctx;
  return pt_key_eq(&kc->keys[row], key, kc->str_keys);
}

/* Upsert: duplicate keys within one batch are rejected, as Milvus 2.6 does. */
static pt_status check_duplicates(wplan *p) {
  pt_pkindex seen;
  pt_pkindex_init(&seen, p->str_keys);
  if (pt_pkindex_reserve(&seen, p->b.n)) return pt_fail_nomem(p->b.err);
  batch_keyctx kc = {p->del_keys, p->str_keys};
  pt_status rc = PT_OK;
  for (size_t r = 0; r < p->b.n; r++) {
    if (pt_pkindex_find(&seen, &p->del_keys[r], batch_key_eq, &kc) != SIZE_MAX) {
      rc = pt_fail_at(p->b.err, PT_CONSTRAINT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r,
                      p->b.s->primary, "duplicate primary keys are not allowed in the same batch" PT_INVALID_PARAMETER);
      break;
    }
    pt_pkindex_put(&seen, &p->del_keys[r], (uint32_t)r);
  }
  pt_pkindex_free(&seen);
  return rc;
}

static pt_status resolve_partition(wplan *p, const char *name, size_t len) {
  pt_collection *c = p->c;
  if (c->partition_key_mode) {
    if (name && len)
      return pt_fail(p->b.err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "not support manually specifying the partition names if partition key mode is used" PT_INVALID_PARAMETER);
    p->part = -1;
    if (p->b.n && !(p->rpart = pt_malloc(p->b.n * sizeof *p->rpart))) return pt_fail_nomem(p->b.err);
    if (p->b.merge) return PT_OK; /* routed by the merged values (merge_prepare) */
    bool text = p->b.s->fields[p->b.s->partition_key].dtype == PT_VARCHAR;
    for (size_t r = 0; r < p->b.n; r++) {
      pt_key k = pt_batch_key(&p->b, p->b.s->partition_key, r, text);
      uint64_t h = text ? pt_hash_bytes(k.s, k.len) : pt_hash_u64((uint64_t)k.i);
      p->rpart[r] = (uint32_t)(h % (uint64_t)c->n_parts);
    }
    return PT_OK;
  }
  if (!name || !len) {
    name = PT_DEFAULT_PARTITION;
    len = strlen(name);
  }
  p->part = pt_partition_find(c, name, len);
  if (p->part < 0)
    return pt_fail(p->b.err, PT_NOT_FOUND, PT_CODE_PARTITION_NOT_FOUND, PT_EXC_MILVUS,
                   "partition not found[partition=%.*s]", (int)len, name);
  return PT_OK;
}

/* ============================================================================================
 * Merge mode: the stored rows, what new keys must carry, the computed values
 * ========================================================================================== */

/* Where a cell of a merge-mode row comes from. */
enum { SRC_BATCH, SRC_STORED, SRC_MERGED };

/* The source of column ci of batch row r: the batch (every cell of a new key, every cell given
 * without a field operation), the stored row (a cell left out; a null given to an ARRAY field
 * under an operation, which changes nothing; a dynamic part left out or null), or a value
 * computed from both (an ARRAY field under an operation, a dynamic part given). */
static int cell_src(const wplan *p, size_t ci, size_t r) {
  if (!p->src || ci == (size_t)p->b.lay->pk || p->src[r].row == PT_NO_ROW) return SRC_BATCH;
  if (p->merged && p->merged[ci].state && p->merged[ci].state[r] != PT_MERGED_NONE) return SRC_MERGED;
  int st = pt_batch_cell(&p->b, ci, r);
  if (st == PT_CELL_MISSING) return SRC_STORED;
  if (st == PT_CELL_NULL && ((int)ci == p->b.lay->dynamic || (p->b.ops && p->b.ops[ci]))) return SRC_STORED;
  return SRC_BATCH;
}

/* The stored column ci of the row batch row r merges with, and the row's offset in it. */
static const pt_column *src_col(const wplan *p, size_t ci, size_t r, uint32_t *off) {
  const pt_partition *part = p->c->parts[p->src[r].part];
  *off = pt_row_offset(p->b.lay, p->src[r].row);
  return &pt_row_segment(part, p->b.lay, p->src[r].row)->cols[ci];
}

/* The stored cell of a variable-width column: its bytes, and whether it is null. */
static pt_str src_var(const wplan *p, size_t ci, size_t r, bool *null) {
  uint32_t off;
  const pt_column *col = src_col(p, ci, r, &off);
  *null = col->valid && !pt_bit_get(col->valid, off);
  pt_str t = {(const char *)pt_var_cell(col, off), col->offsets[off + 1] - col->offsets[off]};
  return t;
}

/* The partition-key value batch row r is routed by: the one given, else the stored one, else
 * the field's default (a new key that leaves a defaulted partition key out). */
static pt_key route_key(const wplan *p, size_t r, bool text) {
  size_t ci = (size_t)p->b.s->partition_key;
  int st = pt_batch_cell(&p->b, ci, r);
  if (st == PT_CELL_VALUE) return pt_batch_key(&p->b, ci, r, text);
  pt_key k = {0, NULL, 0};
  const pt_field *f = &p->b.s->fields[ci];
  if (p->src[r].row != PT_NO_ROW) {
    uint32_t off;
    const pt_column *col = src_col(p, ci, r, &off);
    if (text) {
      k.s = (const char *)pt_var_cell(col, off);
      k.len = col->offsets[off + 1] - col->offsets[off];
    } else {
      memcpy(&k.i, col->data + (size_t)off * 8, 8);
    }
  } else if (f->has_default) {
    k.i = f->default_value.i;
    k.s = f->default_value.s;
    k.len = f->default_value.slen;
  }
  return k;
}

/* Finds the stored row of each key: in the target partition, or in every partition (the first
 * that holds it) in partition-key mode, where Milvus's merge reads all of them. */
static pt_status find_sources(wplan *p) {
  pt_collection *c = p->c;
  const pt_layout *lay = p->b.lay;
  if (!(p->src = pt_malloc(p->b.n * sizeof *p->src))) return pt_fail_nomem(p->b.err);
  for (size_t r = 0; r < p->b.n; r++) {
    p->src[r] = (pt_rowref){0, PT_NO_ROW};
    size_t q0 = p->part >= 0 ? (size_t)p->part : 0, q1 = p->part >= 0 ? q0 + 1 : c->n_parts;
    for (size_t q = q0; q < q1; q++) {
      pt_partition *part = c->parts[q];
      size_t slot = pt_partition_lookup(part, lay, &p->del_keys[r]);
      if (slot == SIZE_MAX) continue;
      uint32_t row = part->index.slots[slot].row;
      if (pt_row_deleted(part, lay, row)) continue; /* the index names live rows only */
      p->src[r] = (pt_rowref){(uint32_t)q, row};
      p->n_found++;
      break;
    }
  }
  return PT_OK;
}

/* A new key must carry every field that is neither nullable nor defaulted (Milvus's
 * LackOfFieldsDataBySchema, run on the batch when one of its keys is new); rows carry the same
 * fields, so the first new row tells. The payload of an ARRAY_REMOVE becomes a new key's value:
 * it must fit the field's capacity. */
static pt_status check_new_keys(wplan *p) {
  const pt_schema *s = p->b.s;
  size_t first = SIZE_MAX;
  for (size_t r = 0; r < p->b.n && first == SIZE_MAX; r++)
    if (p->src[r].row == PT_NO_ROW) first = r;
  if (first == SIZE_MAX) return PT_OK;
  for (size_t ci = 0; ci < s->n_fields; ci++) {
    const pt_field *f = &s->fields[ci];
    if (f->nullable || f->has_default || f->is_function_output || pt_batch_given(&p->b, ci, first)) continue;
    return pt_fail_at(p->b.err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)first, (int32_t)ci,
                      "fieldSchema(%s) has no corresponding fieldData pass in" PT_INVALID_PARAMETER, f->name);
  }
  for (size_t ci = 0; p->b.ops && ci < s->n_fields; ci++) {
    if (p->b.ops[ci] != PT_FIELD_OP_ARRAY_REMOVE) continue;
    for (size_t r = 0; r < p->b.n; r++) {
      if (p->src[r].row != PT_NO_ROW || pt_batch_cell(&p->b, ci, r) != PT_CELL_VALUE) continue;
      uint32_t count;
      memcpy(&count, pt_batch_value(&p->b, ci, r).ptr, 4);
      if ((int64_t)count > s->fields[ci].max_capacity)
        return pt_fail_at(p->b.err, PT_LIMIT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                          "the length (%u) of %zuth array exceeds max capacity (%lld)" PT_INVALID_PARAMETER, count, r,
                          (long long)s->fields[ci].max_capacity);
    }
  }
  return PT_OK;
}

/* The values computed from the stored rows: ARRAY fields under an operation, dynamic parts. */
static pt_status compute_merged(wplan *p) {
  const pt_layout *lay = p->b.lay;
  const pt_schema *s = p->b.s;
  if (!(p->merged = pt_calloc(lay->n_cols, sizeof *p->merged))) return pt_fail_nomem(p->b.err);
  for (size_t ci = 0; ci < lay->n_cols; ci++) {
    bool dyn = (int)ci == lay->dynamic;
    int op = p->b.ops && !dyn ? p->b.ops[ci] : PT_FIELD_OP_REPLACE;
    if (!dyn && op == PT_FIELD_OP_REPLACE) continue;
    if (pt_merged_init(&p->merged[ci], p->b.n)) return pt_fail_nomem(p->b.err);
    for (size_t r = 0; r < p->b.n; r++) {
      if (p->src[r].row == PT_NO_ROW || pt_batch_cell(&p->b, ci, r) != PT_CELL_VALUE) continue;
      bool null;
      pt_str stored = src_var(p, ci, r, &null);
      pt_str given = pt_batch_value(&p->b, ci, r);
      if (dyn) {
        size_t len;
        if (pt_merge_dynamic(&p->merged[ci], r, stored, given, &len)) return pt_fail_nomem(p->b.err);
        if (len > PT_MAX_JSON_LENGTH)
          return pt_fail_at(p->b.err, PT_LIMIT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                            "the length (%zu) of json field (%s) exceeds max length (%d)" PT_INVALID_PARAMETER, len,
                            PT_DYNAMIC_FIELD_NAME, PT_MAX_JSON_LENGTH);
        continue;
      }
      const pt_field *f = &s->fields[ci];
      uint32_t count = 0;
      pt_status rc = pt_merge_array(&p->merged[ci], r, op, f->element_type, f->max_capacity,
                                    (const uint8_t *)stored.ptr, stored.len, null, (const uint8_t *)given.ptr,
                                    given.len, &count);
      if (rc == PT_NOMEM) return pt_fail_nomem(p->b.err);
      if (rc)
        return pt_fail_at(p->b.err, PT_LIMIT, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                          "array length %u exceeds max_capacity %lld", count, (long long)f->max_capacity);
    }
  }
  return PT_OK;
}

/* The plan of a merge (Milvus: query the stored rows with strong consistency, merge, then
 * delete and insert at one timestamp):
 *   1. find the stored row of every key
 *   2. new keys: every required field given; ARRAY_REMOVE payloads within capacity
 *   3. compute the ARRAY operations and the merged dynamic parts
 *   4. partition-key mode: route each row by its merged partition key */
static pt_status merge_prepare(wplan *p) {
  pt_status rc;
  /* 1. the stored rows; those of them that are cold are read back first (cold.c) */
  if ((rc = find_sources(p))) return rc;
  if (p->c->maybe_cold) {
    bool cold = false;
    for (size_t r = 0; r < p->b.n; r++) {
      if (p->src[r].row == PT_NO_ROW) continue;
      for (size_t ci = 0; ci < p->b.lay->n_cols; ci++) {
        uint32_t off;
        if (!src_col(p, ci, r, &off)->cold || cell_src(p, ci, r) == SRC_BATCH) continue;
        if (pt_cold_want(p->c, p->src[r].part, p->src[r].row >> p->b.lay->seg_shift, ci)) return pt_fail_nomem(p->b.err);
        cold = true;
      }
    }
    if (cold) return pt_cold_fail(PT_OK, p->b.err);
  }
  /* 2. what new keys must carry */
  if ((rc = check_new_keys(p))) return rc;
  /* 3. computed values */
  if ((rc = compute_merged(p))) return rc;
  /* 4. partition-key routing by the merged values */
  if (p->part < 0) {
    bool text = p->b.s->fields[p->b.s->partition_key].dtype == PT_VARCHAR;
    for (size_t r = 0; r < p->b.n; r++) {
      pt_key k = route_key(p, r, text);
      uint64_t h = text ? pt_hash_bytes(k.s, k.len) : pt_hash_u64((uint64_t)k.i);
      p->rpart[r] = (uint32_t)(h % (uint64_t)p->c->n_parts);
    }
  }
  return PT_OK;
}

/* ============================================================================================
 * Commit
 * ========================================================================================== */

/* Merge mode: copies the stored cell batch row r keeps into column ci of seg at offset off
 * (never its own row: rows overwritten in place keep such cells as they are). */
static void copy_stored(const wplan *p, size_t ci, size_t r, pt_segment *seg, uint32_t off) {
  uint32_t so;
  const pt_column *from = src_col(p, ci, r, &so);
  pt_column *col = &seg->cols[ci];
  size_t rb = p->b.lay->row_bytes[ci];
  if (rb) {
    memmove(col->data + (size_t)off * rb, from->data + (size_t)so * rb, rb);
  } else {
    size_t len = from->offsets[so + 1] - from->offsets[so];
    if (len) memmove(col->data + col->used, pt_var_cell(from, so), len);
    col->used += len;
    col->offsets[off + 1] = (uint32_t)col->used;
  }
  if (col->valid) {
    if (pt_bit_get(from->valid, so)) pt_bit_set(col->valid, off);
    else pt_bit_clear(col->valid, off);
  }
}

/* Merge mode: writes the value merge.c computed for batch row r (a variable-width column). */
static void put_merged(const wplan *p, size_t ci, size_t r, pt_segment *seg, uint32_t off) {
  const pt_merged *m = &p->merged[ci];
  pt_column *col = &seg->cols[ci];
  bool value = m->state[r] == PT_MERGED_VALUE;
  size_t len = value ? m->size[r] : 0;
  if (len) memcpy(col->data + col->used, pt_merged_bytes(m, r), len);
  col->used += len;
  col->offsets[off + 1] = (uint32_t)col->used;
  if (col->valid) {
    if (value) pt_bit_set(col->valid, off);
    else pt_bit_clear(col->valid, off);
  }
}

/* Writes the value (or null / default) of batch row r into column ci of seg at offset off: the
 * key column holds the resolved (maybe generated) keys, every other column what the batch
 * stores (batch.c), or in merge mode the stored row's value or one computed from it. */
static void write_cell(wplan *p, size_t ci, size_t r, pt_segment *seg, uint32_t off) {
  if (ci != (size_t)p->b.lay->pk) {
    switch (cell_src(p, ci, r)) {
    case SRC_STORED: copy_stored(p, ci, r, seg, off); break;
    case SRC_MERGED: put_merged(p, ci, r, seg, off); break;
    default: pt_batch_store_cell(&p->b, ci, r, seg, off); break;
    }
    return;
  }
  pt_column *col = &seg->cols[ci];
  if (p->str_keys) {
    memcpy(col->data + col->used, p->keys[r].s, p->keys[r].len);
    col->used += p->keys[r].len;
    col->offsets[off + 1] = (uint32_t)col->used;
  } else {
    memcpy(col->data + (size_t)off * p->b.lay->row_bytes[ci], &p->keys[r].i, 8);
  }
}

/* How a column's cells are written one at a time: a plain copy of the input's bytes (a
 * block-copy column), of the resolved integer key, or through write_cell. Decided per column. */
typedef enum { COPY_NONE, COPY_BLOCK, COPY_KEY } copy_kind;

static copy_kind column_copy(const wplan *p, size_t ci) {
  if (ci != (size_t)p->b.lay->pk && pt_batch_stored_as_given(&p->b, ci)) return COPY_BLOCK;
  return ci == (size_t)p->b.lay->pk && !p->str_keys ? COPY_KEY : COPY_NONE;
}

/* Writes batch row r of column ci (COPY_BLOCK or COPY_KEY) at offset off of seg. memmove: a
 * staged value (pt_collection_stage) may be moved within its block, or already be in place. */
static inline void copy_cell(const wplan *p, size_t ci, copy_kind kind, size_t r, pt_segment *seg, uint32_t off) {
  size_t rb = p->b.lay->row_bytes[ci];
  pt_column *col = &seg->cols[ci];
  uint8_t *dst = col->data + (size_t)off * rb;
  if (kind == COPY_KEY) {
    memcpy(dst, &p->keys[r].i, 8);
    return;
  }
  const uint8_t *src = pt_in_row(p->b.cols[ci].in, r, rb); /* in two pieces, maybe */
  if (src != dst) memmove(dst, src, rb);
  if (col->valid) pt_bit_set(col->valid, off);
}

/* Writes batch rows i .. i+k-1 of string column ci (pt_batch_text_as_given) at offsets off0 ..
 * of seg: their bytes in one copy, as pt_batch_store_cell would write them one by one. */
static void copy_text(const wplan *p, size_t ci, size_t i, size_t k, pt_segment *seg, uint32_t off0) {
  const pt_column_in *in = p->b.cols[ci].in;
  pt_column *col = &seg->cols[ci];
  const uint32_t *o = in->offsets + i;
  size_t bytes = o[k] - o[0];
  if (bytes) memcpy(col->data + col->used, (const uint8_t *)in->values + o[0], bytes);
  for (size_t j = 0; j < k; j++) col->offsets[off0 + j + 1] = (uint32_t)(col->used + (o[j + 1] - o[0]));
  col->used += bytes;
  if (col->valid)
    for (size_t j = 0; j < k; j++) pt_bit_set(col->valid, off0 + (uint32_t)j);
}

/* Rows of the batch going to one partition. */
typedef struct target {
  pt_partition *part;
  uint32_t *rows;      /* batch rows in order; NULL means 0 .. n-1 */
  size_t m;            /* number of rows */
  pt_segment **fresh;  /* new segments, attached at commit */
  size_t n_fresh;
} target;

static size_t batch_row(const target *t, size_t i) { return t->rows ? t->rows[i] : i; }

/* The bytes batch row r stores in variable-width column ci: the key column holds the resolved
 * (maybe generated) keys. */
static size_t stored_size(const wplan *p, size_t ci, size_t r) {
  if (ci == (size_t)p->b.lay->pk) return p->keys[r].len;
  switch (cell_src(p, ci, r)) {
  case SRC_STORED: {
    bool null;
    return src_var(p, ci, r, &null).len;
  }
  case SRC_MERGED: return p->merged[ci].state[r] == PT_MERGED_VALUE ? p->merged[ci].size[r] : 0;
  default: return pt_batch_stored_size(&p->b, ci, r);
  }
}

/* Rows in use in a partition's last segment; a full segment's worth when it has none, so that
 * "free rows in the last segment" is cap minus this either way. */
static size_t rows_in_last_segment(const pt_partition *part, size_t cap) {
  return part->n_segs ? part->n_rows - (part->n_segs - 1) * cap : cap;
}

/* Reserves everything the rows of one target need; on failure frees what it allocated. */
static pt_status reserve_target(wplan *p, target *t) {
  const pt_layout *lay = p->b.lay;
  pt_partition *part = t->part;
  size_t cap = (size_t)lay->seg_mask + 1;
  size_t free_in_last = cap - rows_in_last_segment(part, cap);
  size_t need_new = t->m > free_in_last ? (t->m - free_in_last + cap - 1) / cap : 0;
  if ((uint64_t)part->n_rows + t->m > PT_NO_ROW - 1) return PT_LIMIT;
  if (PT_GROW(&part->segs, &part->segs_cap, part->n_segs + need_new)) return PT_NOMEM;
  /* the keys of rows not yet indexed (inserts of a run being applied, log.c) stay reserved */
  if (pt_pkindex_reserve(&part->index, t->m + part->unindexed)) return PT_NOMEM;
  if (need_new && !(t->fresh = pt_calloc(need_new, sizeof *t->fresh))) return PT_NOMEM;
  if (need_new && part->spare) { /* made by pt_collection_stage: the host may have written into it */
    t->fresh[t->n_fresh++] = part->spare;
    part->spare = NULL;
  }
  for (; t->n_fresh < need_new; t->n_fresh++)
    if (!(t->fresh[t->n_fresh] = pt_segment_new(lay))) return PT_NOMEM;
  /* arena bytes of variable-length columns, per receiving segment */
  size_t i = 0, seg_i = 0;
  while (i < t->m) {
    pt_segment *seg;
    size_t room;
    if (seg_i == 0 && free_in_last) {
      seg = part->segs[part->n_segs - 1];
      room = free_in_last;
    } else {
      seg = t->fresh[seg_i - (free_in_last ? 1 : 0)];
      room = cap;
    }
    size_t k = t->m - i < room ? t->m - i : room;
    for (size_t ci = 0; ci < lay->n_cols; ci++) {
      if (lay->row_bytes[ci]) continue;
      size_t bytes = 0;
      if (!t->rows && ci != (size_t)lay->pk && pt_batch_text_as_given(&p->b, ci)) {
        const uint32_t *o = p->b.cols[ci].in->offsets;
        bytes = o[i + k] - o[i]; /* copy_text's bytes */
      } else {
        for (size_t j = i; j < i + k; j++) bytes += stored_size(p, ci, batch_row(t, j));
      }
      pt_status rc = pt_segment_reserve_bytes(seg, ci, bytes);
      if (rc) return rc;
    }
    i += k;
    seg_i++;
  }
  return PT_OK;
}

static void release_target(wplan *p, target *t) {
  for (size_t k = 0; k < t->n_fresh; k++) pt_segment_free(t->fresh[k], p->b.lay);
  pt_free(t->fresh);
  pt_free(t->rows);
}

/* Appends the rows of a target; returns the id of the first appended row. Cannot fail. */
_Static_assert(PT_NO_ROW == UINT32_MAX, "append_target writes PT_NO_ROW as 0xff bytes");

static uint32_t append_target(wplan *p, target *t) {
  const pt_layout *lay = p->b.lay;
  pt_partition *part = t->part;
  uint32_t first = part->n_rows;
  for (size_t k = 0; k < t->n_fresh; k++) part->segs[part->n_segs++] = t->fresh[k];
  t->n_fresh = 0;
  size_t i = 0;
  while (i < t->m) {
    uint32_t row = part->n_rows;
    pt_segment *seg = pt_row_segment(part, lay, row);
    uint32_t off0 = pt_row_offset(lay, row);
    size_t k = (size_t)lay->seg_mask + 1 - off0;
    if (k > t->m - i) k = t->m - i;
    for (size_t ci = 0; ci < lay->n_cols; ci++) {
      copy_kind kind = column_copy(p, ci);
      if (!t->rows && kind == COPY_BLOCK) {
        size_t rb = lay->row_bytes[ci];
        pt_column *col = &seg->cols[ci];
        const pt_column_in *in = p->b.cols[ci].in;
        /* the same bytes when the host wrote them in place (pt_collection_stage); a column in
         * two pieces is copied as two blocks */
        size_t head = in->values_tail && i < in->head_rows ? in->head_rows - i : k;
        if (head > k) head = k;
        const uint8_t *src = pt_in_row(in, i, rb);
        uint8_t *dst = col->data + (size_t)off0 * rb;
        if (src != dst) memcpy(dst, src, head * rb);
        if (head < k && (src = pt_in_row(in, i + head, rb)) != dst + head * rb)
          memcpy(dst + head * rb, src, (k - head) * rb);
        if (col->valid)
          for (size_t j = 0; j < k; j++) pt_bit_set(col->valid, off0 + (uint32_t)j);
        continue;
      }
      if (kind != COPY_NONE) {
        for (size_t j = 0; j < k; j++) copy_cell(p, ci, kind, batch_row(t, i + j), seg, off0 + (uint32_t)j);
        continue;
      }
      if (!t->rows && ci != (size_t)lay->pk && pt_batch_text_as_given(&p->b, ci)) {
        copy_text(p, ci, i, k, seg, off0);
        continue;
      }
      for (size_t j = 0; j < k; j++) write_cell(p, ci, batch_row(t, i + j), seg, off0 + (uint32_t)j);
    }
    memset(seg->next + off0, 0xff, k * sizeof *seg->next); /* PT_NO_ROW: every bit set */
    pt_bits_clear_range(seg->deleted, off0, (uint32_t)k);
    seg->count += (uint32_t)k;
    seg->live += (uint32_t)k;
    part->n_rows += (uint32_t)k;
    part->n_live += k;
    i += k;
  }
  return first;
}

/* Links appended row `row` (batch row r) into the key index of its partition. */
static void index_row(wplan *p, target *t, size_t r, uint32_t row) {
  const pt_layout *lay = p->b.lay;
  pt_partition *part = t->part;
  pt_segment *seg = pt_row_segment(part, lay, row);
  if (p->part >= 0 && p->keys == p->del_keys) {
    /* one probe: a new key is put; an existing key's slot takes the new row, and its older
     * rows are deleted (upsert) or chained behind it (insert: Milvus stores both) */
    pt_keyctx kc = {part, lay};
    bool found;
    size_t slot = pt_pkindex_claim(&part->index, &p->keys[r], pt_key_eq_row, &kc, row, &found);
    if (found) {
      uint32_t old = part->index.slots[slot].row;
      if (p->b.op == PT_OP_UPSERT) pt_partition_delete_chain(part, lay, old);
      else seg->next[pt_row_offset(lay, row)] = old;
      part->index.slots[slot].row = row;
    }
    return;
  }
  if (p->b.op == PT_OP_UPSERT) {
    /* 1. delete the supplied key: in the target partition, or in every partition in
     *    partition-key mode (Milvus deletes across all of them there) */
    if (p->part < 0) {
      for (size_t q = 0; q < p->c->n_parts; q++) pt_partition_delete_key(p->c->parts[q], lay, &p->del_keys[r]);
    } else {
      pt_partition_delete_key(part, lay, &p->del_keys[r]);
    }
    /* 2. the new row is now the only live row with its stored key here... unless the stored
     *    key differs (auto_id), in which case it is new anyway */
  }
  size_t slot = pt_partition_lookup(part, lay, &p->keys[r]);
  if (slot == SIZE_MAX) {
    pt_pkindex_put(&part->index, &p->keys[r], row);
  } else {
    /* insert of a key that exists: Milvus stores both; chain the older rows behind */
    seg->next[pt_row_offset(lay, row)] = part->index.slots[slot].row;
    part->index.slots[slot].row = row;
  }
}

/* Upsert in place. In a single-partition upsert whose keys are unique, a key whose only row in
 * the partition is live, and stores as many bytes in every variable-width column as the new
 * row would, is overwritten where it is: same row id, no tombstone, no growth, no index change.
 * Milvus deletes and re-inserts; what is visible differs only in storage order (the row keeps
 * its place instead of moving to the end), which Milvus leaves unspecified. Returns the row, or
 * PT_NO_ROW when batch row r must be appended. Reads only. */
static uint32_t in_place_row(const wplan *p, pt_partition *part, size_t r) {
  const pt_layout *lay = p->b.lay;
  size_t slot = pt_partition_lookup(part, lay, &p->keys[r]);
  if (slot == SIZE_MAX) return PT_NO_ROW;
  uint32_t row = part->index.slots[slot].row;
  const pt_segment *seg = pt_row_segment(part, lay, row);
  uint32_t off = pt_row_offset(lay, row);
  /* the index names live rows only; a deleted one here would be a broken invariant, and
   * overwriting it would bring it back: append instead */
  if (pt_bit_get(seg->deleted, off)) return PT_NO_ROW;
  if (seg->next[off] != PT_NO_ROW) return PT_NO_ROW; /* insert kept duplicates: delete them all */
  if (pt_partition_indexed(part, row)) return PT_NO_ROW; /* a vector index holds it (vindex.h) */
  for (size_t ci = 0; ci < lay->n_cols; ci++) {
    if (lay->row_bytes[ci]) continue;
    const uint32_t *o = seg->cols[ci].offsets;
    if (o[off + 1] - o[off] != stored_size(p, ci, r)) return PT_NO_ROW;
  }
  return row;
}

/* Overwrites, column by column, the rows in_place_row found (`at`: batch row -> row, or
 * PT_NO_ROW). Cannot fail. */
static void overwrite_rows(wplan *p, pt_partition *part, const uint32_t *at) {
  const pt_layout *lay = p->b.lay;
  /* the full-text state reads a row's old term vectors before they change (fts.h) */
  for (size_t r = 0; r < p->b.n; r++)
    if (at[r] != PT_NO_ROW) pt_fts_row_gone(part, lay, at[r], false);
  for (size_t ci = 0; ci < lay->n_cols; ci++) {
    copy_kind kind = column_copy(p, ci);
    for (size_t r = 0; r < p->b.n; r++) {
      if (at[r] == PT_NO_ROW) continue;
      if (cell_src(p, ci, r) == SRC_STORED) continue; /* merge: the row keeps this value */
      pt_segment *seg = pt_row_segment(part, lay, at[r]);
      uint32_t off = pt_row_offset(lay, at[r]);
      seg->cols[ci].ck_gen = 0; /* the last checkpoint no longer holds these bytes (cold.c) */
      if (kind != COPY_NONE) {
        copy_cell(p, ci, kind, r, seg, off);
        continue;
      }
      pt_column *col = &seg->cols[ci];
      if (lay->row_bytes[ci]) {
        write_cell(p, ci, r, seg, off);
        continue;
      }
      /* write_cell appends at col->used: point it at the old cell, whose size is the new one */
      size_t used = col->used;
      col->used = col->offsets[off];
      write_cell(p, ci, r, seg, off);
      col->used = used;
    }
  }
  for (size_t r = 0; r < p->b.n; r++)
    if (at[r] != PT_NO_ROW) pt_fts_row_added(part, lay, at[r]);
}

static pt_status commit(wplan *p, pt_mutation_result *res) {
  pt_collection *c = p->c;
  /* an upsert claims keys in the index: the rows inserts left out of it enter it first */
  if (p->b.op == PT_OP_UPSERT)
    for (size_t q = 0; q < c->n_parts; q++) pt_partition_index_pending(c->parts[q], &c->layout);
  size_t nt = p->part >= 0 ? 1 : c->n_parts;
  target *ts = pt_calloc(nt, sizeof *ts);
  if (!ts) return pt_fail_nomem(p->b.err);
  pt_status rc = PT_OK;

  /* 1. group the rows by target partition; a single-partition upsert with unique keys first
   *    sets apart the rows it overwrites in place (`at`: batch row -> row, or PT_NO_ROW) */
  uint32_t *at = NULL;
  if (p->part >= 0) {
    target *t = &ts[0];
    t->part = c->parts[p->part];
    t->m = p->b.n;
    if (p->b.op == PT_OP_UPSERT && p->unique_keys && p->keys == p->del_keys && t->part->n_live) {
      if (!(at = pt_malloc(p->b.n * sizeof *at))) { rc = PT_NOMEM; goto done; }
      size_t kept = 0;
      for (size_t r = 0; r < p->b.n; r++)
        if ((at[r] = in_place_row(p, t->part, r)) != PT_NO_ROW) kept++;
      if (!kept) {
        pt_free(at);
        at = NULL;
      } else if (kept < p->b.n) {
        t->m = p->b.n - kept;
        if (!(t->rows = pt_malloc(t->m * sizeof *t->rows))) { rc = PT_NOMEM; goto done; }
        for (size_t r = 0, j = 0; r < p->b.n; r++)
          if (at[r] == PT_NO_ROW) t->rows[j++] = (uint32_t)r;
      } else {
        t->m = 0;
      }
    }
  } else {
    for (size_t r = 0; r < p->b.n; r++) ts[p->rpart[r]].m++;
    for (size_t q = 0; q < nt; q++) {
      ts[q].part = c->parts[q];
      if (ts[q].m && !(ts[q].rows = pt_malloc(ts[q].m * sizeof *ts[q].rows))) { rc = PT_NOMEM; goto done; }
      ts[q].m = 0;
    }
    for (size_t r = 0; r < p->b.n; r++) {
      target *t = &ts[p->rpart[r]];
      t->rows[t->m++] = (uint32_t)r;
    }
  }
  /* 2. reserve: segments, arena bytes, index room. Nothing is visible yet. */
  for (size_t q = 0; q < nt; q++)
    if (ts[q].m && (rc = reserve_target(p, &ts[q]))) goto done;

  /* 3. from here on nothing can fail: append rows, then maintain the key index in batch
   *    order, so that later rows of the batch see earlier ones */
  uint32_t *first = pt_malloc(nt * sizeof *first);
  size_t *seen = pt_calloc(nt, sizeof *seen);
  if (!first || !seen) {
    pt_free(first);
    pt_free(seen);
    rc = PT_NOMEM;
    goto done;
  }
  /* rows overwritten in place first: their values may lie in the staged block the appended
   *    rows are written over (pt_collection_stage) */
  if (at) overwrite_rows(p, ts[0].part, at);
  for (size_t q = 0; q < nt; q++)
    if (ts[q].m) first[q] = append_target(p, &ts[q]);
  /* an insert's rows wait outside the key index, with those of the inserts before, until it is
   * read (pt_partition_lookup: a query, delete or upsert by key, a compaction): then they all
   * enter it in one pass (in order of home slots in a large table, pkindex.h), as one by one in
   * batch order: a key already there chains them behind, as Milvus stores both. A load of
   * 100,000 rows claimed at once costs about half of claiming it batch by batch into a table
   * that grows and is rehashed under it (measured). Their room is reserved (reserve_target).
   * While log.c applies a run of inserts, the partitions it writes are remembered: the run's
   * end enters their rows. */
  bool insert = p->b.op != PT_OP_UPSERT, run = c->store->wal.applying && c->store->wal.defer_index;
  for (size_t q = 0; insert && q < nt; q++) {
    if (!ts[q].m) continue;
    ts[q].part->unindexed += (uint32_t)ts[q].m;
    if (run) pt_wal_run_part(&c->store->wal, ts[q].part, &c->layout);
  }
  /* each row's place, for what follows it there: the key index (upsert), a partition's FTS
   * state, the rows_json refs. An insert with none of them (a load) has nothing to do per row. */
  bool per_row = !insert || p->refs;
  for (size_t q = 0; !per_row && q < nt; q++) per_row = ts[q].m && ts[q].part->fts;
  for (size_t r = 0; per_row && r < p->b.n; r++) {
    if (at && at[r] != PT_NO_ROW) {
      if (p->refs) p->refs[r] = (pt_rowref){(uint32_t)p->part, at[r]};
      continue;
    }
    size_t q = p->part >= 0 ? 0 : p->rpart[r];
    uint32_t row = first[q] + (uint32_t)seen[q]++;
    if (!insert) index_row(p, &ts[q], r, row);
    if (ts[q].part->fts) pt_fts_row_added(ts[q].part, &c->layout, row);
    if (p->refs) p->refs[r] = (pt_rowref){p->part >= 0 ? (uint32_t)p->part : (uint32_t)q, row};
  }
  pt_free(first);
  pt_free(seen);

  /* 4. the result: Milvus reports N deletes for an upsert of N rows, found or not; in merge
   *    mode the keys that were stored (the ones its delete names) */
  res->insert_count = p->b.n;
  res->upsert_count = p->b.op == PT_OP_UPSERT ? p->b.n : 0;
  res->delete_count = p->b.op != PT_OP_UPSERT ? 0 : p->src ? p->n_found : p->b.n;
  res->timestamp = pt_store_next_ts(c->store);

done:
  for (size_t q = 0; q < nt; q++) release_target(p, &ts[q]);
  pt_free(ts);
  pt_free(at);
  if (rc == PT_NOMEM) return pt_fail_nomem(p->b.err);
  if (rc == PT_LIMIT)
    return pt_fail(p->b.err, PT_LIMIT, PT_CODE_TOO_LARGE, PT_EXC_MILVUS, "partition row limit or segment arena size exceeded");
  return rc;
}

/* Copies the stored keys into the result. */
static pt_status fill_keys(wplan *p, pt_mutation_result *res) {
  res->n_keys = p->b.n;
  res->key_type = p->str_keys ? PT_VARCHAR : PT_INT64;
  if (!p->b.n) return PT_OK;
  if (!p->str_keys) {
    if (!(res->int_keys = pt_malloc(p->b.n * sizeof *res->int_keys))) return PT_NOMEM;
    for (size_t r = 0; r < p->b.n; r++) res->int_keys[r] = p->keys[r].i;
    return PT_OK;
  }
  size_t total = 0;
  for (size_t r = 0; r < p->b.n; r++) total += p->keys[r].len;
  if (total > UINT32_MAX) return PT_LIMIT;
  if (!(res->str_offsets = pt_malloc((p->b.n + 1) * sizeof *res->str_offsets)) ||
      !(res->str_data = pt_malloc(total ? total : 1)))
    return PT_NOMEM;
  size_t at = 0;
  res->str_offsets[0] = 0;
  for (size_t r = 0; r < p->b.n; r++) {
    memcpy(res->str_data + at, p->keys[r].s, p->keys[r].len);
    at += p->keys[r].len;
    res->str_offsets[r + 1] = (uint32_t)at;
  }
  return PT_OK;
}

void pt_mutation_result_clear(pt_mutation_result *res) {
  if (!res) return;
  pt_free(res->int_keys);
  pt_free(res->str_offsets);
  pt_free(res->str_data);
  pt_free(res->rows_json);
  pt_free(res->rows_json_offsets);
  memset(res, 0, sizeof *res);
}

/* The rows just written as REST v2 row objects, for forwarding (PT_WRITE_ROWS_JSON). */
static void rows_json(wplan *p, pt_mutation_result *res) {
  const pt_schema *s = p->b.s;
  pt_outputs o;
  memset(&o, 0, sizeof o);
  pt_rows *rows = NULL;
  pt_text t = {NULL, 0, 0, false};
  uint32_t *offs = NULL;
  if (!(o.want = pt_malloc(s->n_fields))) goto fail;
  /* a function's output is computed by the receiving Milvus too, which refuses it given */
  for (size_t i = 0; i < s->n_fields; i++) o.want[i] = !s->fields[i].is_function_output;
  o.all_dynamic = s->enable_dynamic_field;
  if (pt_rows_build(p->c, p->refs, p->b.n, &o, &rows)) goto fail;
  if (!(offs = pt_malloc((p->b.n + 1) * sizeof *offs))) goto fail;
  /* pt_rows_build puts the primary key first */
  bool auto_id = s->fields[s->primary].auto_id;
  pt_json_row_opts opts = {NULL, -1, -1, NULL};
  if (auto_id && p->b.op == PT_OP_INSERT && !p->b.keys_given) opts.omit_column = 0;
  if (auto_id && p->b.op == PT_OP_UPSERT) opts.key_column = 0, opts.keys = p->del_keys;
  for (size_t r = 0; r < p->b.n; r++) {
    if (t.len > UINT32_MAX - 1) goto fail;
    offs[r] = (uint32_t)t.len;
    if (r) offs[r]++; /* past the comma */
    if (r) pt_text_char(&t, ',');
    if (pt_json_rows_write(&t, rows, r, PT_JSON_FAST_FLOATS, &opts)) goto fail;
  }
  if (t.oom || t.len > UINT32_MAX - 1) goto fail;
  offs[p->b.n] = (uint32_t)t.len + 1;
  res->rows_json = t.p;
  res->rows_json_offsets = offs;
  pt_rows_free(rows);
  pt_outputs_release(&o);
  return;
fail:
  pt_text_release(&t);
  pt_free(offs);
  pt_rows_free(rows);
  pt_outputs_release(&o);
}

/* ============================================================================================
 * Entry point
 * ========================================================================================== */

void *pt_collection_stage(pt_collection *c, const char *partition, size_t partition_len, size_t field,
                          size_t n_rows) {
  size_t head;
  void *tail;
  void *at = pt_collection_stage_split(c, partition, partition_len, field, n_rows, &head, &tail);
  return tail ? NULL : at; /* the rows would span two segments */
}

void *pt_collection_stage_split(pt_collection *c, const char *partition, size_t partition_len, size_t field,
                                size_t n_rows, size_t *head_rows, void **tail) {
  if (!head_rows || !tail) return NULL;
  *tail = NULL;
  *head_rows = n_rows;
  if (!c || c->partition_key_mode || field >= c->schema->n_fields || (int)field == c->layout.pk || !n_rows)
    return NULL;
  const pt_layout *lay = &c->layout;
  size_t rb = lay->row_bytes[field];
  if (!rb) return NULL;
  if (!partition || !partition_len) {
    partition = PT_DEFAULT_PARTITION;
    partition_len = strlen(partition);
  }
  int q = pt_partition_find(c, partition, partition_len);
  if (q < 0) return NULL;
  pt_partition *part = c->parts[q];
  size_t cap = (size_t)lay->seg_mask + 1;
  size_t used_in_last = rows_in_last_segment(part, cap);
  size_t room = cap - used_in_last;
  if (n_rows <= room) return part->segs[part->n_segs - 1]->cols[field].data + used_in_last * rb;
  if (n_rows - room > cap) return NULL; /* the rows would span more than two segments */
  /* the rest (or all, when the last segment is full) go to the new segment the write will take */
  if (!part->spare && !(part->spare = pt_segment_new(lay))) return NULL;
  if (!room) return part->spare->cols[field].data;
  *head_rows = room;
  *tail = part->spare->cols[field].data;
  return part->segs[part->n_segs - 1]->cols[field].data + used_in_last * rb;
}

/* The plan of a write:
 *   1. check the batch against the schema: forms, cells, size, field operations (batch.c)
 *   2. resolve the primary keys
 *   3. find the target partition, or each row's in partition-key mode
 *   4. upsert: reject a key the batch holds twice
 *   5. merge mode: the stored rows, the values computed from them (merge_prepare numbers its
 *      own steps)
 *   6. copy the keys into the result
 *   7. forwarding: room for where each row lands
 *   8. commit (commit() numbers its own steps)
 *   9. forwarding: the rows as written, as REST v2 JSON
 *  10. compact the partitions the policy selects */
pt_status pt_collection_write(pt_collection *c, const char *partition, size_t partition_len,
                              pt_op op, const pt_batch_in *b, pt_write_flags flags,
                              pt_mutation_result *res, pt_error *err) {
  if (!c || !b || !res || (op != PT_OP_INSERT && op != PT_OP_UPSERT) ||
      (b->n_columns && !b->columns) || b->form < PT_FORM_ROWS || b->form > PT_FORM_DATAFRAME)
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_write: invalid arguments");
  /* a field operation other than REPLACE makes the upsert a merge, as in Milvus */
  bool merge = (flags & PT_WRITE_MERGE) != 0;
  for (size_t k = 0; k < b->n_field_ops && b->field_ops; k++) merge |= b->field_ops[k].op != PT_FIELD_OP_REPLACE;
  if ((merge || b->n_field_ops) && op != PT_OP_UPSERT)
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "pt_collection_write: merge mode and field operations are for upserts only");
  if (merge && (flags & PT_WRITE_DUPLICATES_LAST_WINS))
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "pt_collection_write: PT_WRITE_MERGE cannot be combined with PT_WRITE_DUPLICATES_LAST_WINS");
  memset(res, 0, sizeof *res);
  pt_json_hooks_install();
  c->store->wal.first_id = 0; /* set by the auto_id keys of this write, for its log record */

  wplan p;
  memset(&p, 0, sizeof p);
  p.c = c;
  pt_status rc;
  /* 1. the batch: forms, cells, size, field operations (batch.c) */
  if ((rc = pt_batch_check(&p.b, c, op, b, merge, err))) goto done;
  /* 2. keys (auto_id keys are generated here) */
  if ((rc = resolve_keys(&p))) goto done;
  /* 3. the target partition, or each row's in partition-key mode */
  if ((rc = resolve_partition(&p, partition, partition_len))) goto done;
  /* 4. upsert: no key twice in the batch */
  if (op == PT_OP_UPSERT && !(flags & PT_WRITE_DUPLICATES_LAST_WINS)) {
    if ((rc = check_duplicates(&p))) goto done;
    p.unique_keys = true;
  }
  /* 5. merge mode: the stored rows and what is computed from them; nothing has changed yet */
  if (merge && (rc = merge_prepare(&p))) goto done;
  /* 6. the result's key copy is allocated before committing, so that commit is the last step */
  if ((rc = fill_keys(&p, res))) {
    pt_mutation_result_clear(res);
    rc = rc == PT_NOMEM ? pt_fail_nomem(err)
                        : pt_fail(err, rc, PT_CODE_TOO_LARGE, PT_EXC_MILVUS, "the keys of the batch are too large");
    goto done;
  }
  /* 7. forwarding: room for where each row lands */
  if ((flags & PT_WRITE_ROWS_JSON) && !(p.refs = pt_malloc(p.b.n * sizeof *p.refs))) {
    pt_mutation_result_clear(res);
    rc = pt_fail_nomem(err);
    goto done;
  }
  /* the log record: the batch as checked, before the commit changes anything (the staged
   * column is still as the host wrote it) */
  pt_walw w;
  pt_wal_begin(&w, &c->store->wal, PT_LOG_WRITE);
  pt_wal_item(&w, c->name, c->name_len);
  pt_wal_item(&w, partition && partition_len ? partition : NULL, partition_len);
  pt_wal_batch(&w, b, op, flags);
  if (pt_wal_ready(&w)) {
    pt_mutation_result_clear(res);
    rc = pt_fail_nomem(err);
    goto done;
  }
  /* 8. commit */
  if ((rc = commit(&p, res))) {
    pt_wal_cancel(&w);
    pt_mutation_result_clear(res);
    goto done;
  }
  pt_wal_end(&w, res->timestamp);
  /* 9. the rows as written, for forwarding: after the commit, a failure here leaves rows_json NULL */
  if (p.refs) rows_json(&p, res);
  /* 10. compaction, last: it renumbers rows (p.refs are stale after it) */
  pt_collection_auto_compact(c);
  pt_error_clear(err);
done:
  plan_release(&p);
  return rc;
}
