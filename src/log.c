/*
 * log.c — a store's mutation log (the record format is wal.c's): the pending records the host
 * takes, HOST records, checkpoints of a whole store, and applying a record through the call
 * that made it, with the store's clocks forced to what the call was given.
 */
#include <stdio.h>

#include "store.h"
#include "vindex.h"
#include "wal.h"



#define LOG_CORRUPT(err, ...) pt_fail((err), PT_CORRUPT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, __VA_ARGS__)

/* ============================================================================================
 * Pending records and checkpoints
 * ========================================================================================== */

void pt_store_log(pt_store *s, int on) {
  if (!s) return;
  s->wal.on = on != 0;
  if (!on) {
    pt_free(s->wal.buf);
    s->wal.buf = NULL;
    s->wal.len = s->wal.cap = 0;
  }
}

void pt_store_log_source(pt_store *s, uint8_t *block, size_t len) {
  if (!s) return;
  s->wal.src = block;
  s->wal.src_len = block ? len : 0;
}

const uint8_t *pt_store_log_pending(const pt_store *s, size_t *len) {
  if (len) *len = s && s->wal.len ? s->wal.len : 0;
  return s && s->wal.len ? s->wal.buf : NULL;
}

void pt_store_log_taken(pt_store *s) {
  if (!s) return;
  s->wal.len = 0;
  if (s->wal.cap > ((size_t)1 << 20)) { /* a large batch's record: not kept for the next one */
    pt_free(s->wal.buf);
    s->wal.buf = NULL;
    s->wal.cap = 0;
  }
}

pt_status pt_store_log_host(pt_store *s, const uint8_t *bytes, size_t len, pt_error *err) {
  if (!s || (!bytes && len)) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_store_log_host: missing argument");
  pt_walw w;
  pt_wal_begin(&w, &s->wal, PT_LOG_HOST);
  pt_wal_item(&w, bytes ? bytes : (const uint8_t *)"", len);
  if (pt_wal_ready(&w)) return pt_fail_nomem(err);
  pt_wal_end(&w, s->last_ts);
  pt_error_clear(err);
  return PT_OK;
}

pt_status pt_store_checkpoint(pt_store *s, uint64_t id, const uint8_t *host, size_t host_len, uint8_t **out,
                              size_t *len, pt_error *err) {
  if (!s || !out || !len || (!host && host_len))
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_store_checkpoint: missing argument");
  *out = NULL;
  *len = 0;
  /* cold rows are read back first, all at once (cold.c) */
  bool cold = false;
  pt_status want = PT_OK;
  for (size_t i = 0; i < s->n_colls && !want; i++) {
    bool any;
    want = pt_cold_want_in(s->colls[i], SIZE_MAX, SIZE_MAX, &any);
    cold |= any;
  }
  if (cold || want) return pt_cold_fail(want, err);
  /* every row is in memory now: the compactions cold rows held back run (what a reopen of this
   * checkpoint would hold anyway: snapshots leave deleted rows out) */
  for (size_t i = 0; i < s->n_colls; i++)
    if (s->colls[i]->compact_deferred) {
      s->colls[i]->compact_deferred = false;
      pt_collection_auto_compact(s->colls[i]);
    }
  /* the marks this checkpoint writes name checkpoint `id` only once it is whole (a failure below
   * leaves them naming none) */
  pt_cold_begin(s);
  uint32_t gen = s->cold.gen;
  pt_wal_state st;
  memset(&st, 0, sizeof st);
  st.on = true;
  uint8_t m[PT_LOG_MARKER_BYTES];
  pt_log_marker(0, id, m);
  bool ok = pt_wal_raw(&st, m, sizeof m);
  for (size_t i = 0; i < s->n_colls && ok; i++) {
    uint8_t *snap = NULL;
    size_t snap_len = 0;
    /* where the snapshot's bytes will lie: after the record's head, the name's item, its own
     * item's head (wal.c) */
    uint64_t base = st.len + PT_WAL_HEAD + PT_WAL_ITEM_HEAD + pt_wal_pad8(s->colls[i]->name_len) + PT_WAL_ITEM_HEAD;
    pt_status rc = pt_collection_save_marked(s->colls[i], base, gen, &snap, &snap_len, err);
    if (rc) {
      pt_free(st.buf);
      return rc;
    }
    pt_walw w;
    pt_wal_begin(&w, &st, PT_LOG_LOAD);
    pt_wal_item(&w, s->colls[i]->name, s->colls[i]->name_len);
    pt_assert(!w.active || !w.ok || st.len + PT_WAL_ITEM_HEAD == base);
    pt_wal_item(&w, snap, snap_len);
    pt_free(snap);
    if ((ok = pt_wal_ready(&w) == PT_OK)) pt_wal_end(&w, s->last_ts);
  }
  if (host_len && ok) {
    pt_walw w;
    pt_wal_begin(&w, &st, PT_LOG_HOST);
    pt_wal_item(&w, host, host_len);
    if ((ok = pt_wal_ready(&w) == PT_OK)) pt_wal_end(&w, s->last_ts);
  }
  pt_log_marker(1, id, m);
  if (!ok || !pt_wal_raw(&st, m, sizeof m)) {
    pt_free(st.buf);
    return pt_fail_nomem(err);
  }
  s->cold.checkpoint = id;
  *out = st.buf;
  *len = st.len;
  pt_error_clear(err);
  return PT_OK;
}

/* ============================================================================================
 * Applying records
 * ========================================================================================== */

typedef struct rd {
  const uint8_t *b;
  size_t len, at;
  bool ok;
} rd;

/* The next item: its bytes (NULL when absent) and length. */
static const uint8_t *take(rd *r, size_t *len) {
  *len = 0;
  if (!r->ok || r->len - r->at < PT_WAL_ITEM_HEAD) {
    r->ok = false;
    return NULL;
  }
  size_t n = pt_wal_get32(r->b + r->at);
  r->at += PT_WAL_ITEM_HEAD;
  if (n == PT_WAL_ABSENT) return NULL;
  if (pt_wal_pad8(n) > r->len - r->at) {
    r->ok = false;
    return NULL;
  }
  const uint8_t *p = r->b + r->at;
  r->at += pt_wal_pad8(n);
  *len = n;
  return p;
}

/* An item that must be present (a name, an expression). */
static const char *take_str(rd *r, size_t *len) {
  const uint8_t *p = take(r, len);
  if (!p) r->ok = false;
  return (const char *)p;
}

static bool take_u64(rd *r, uint64_t *v) {
  size_t n;
  const uint8_t *p = take(r, &n);
  if (!p || n != 8) return (r->ok = false);
  *v = pt_wal_get64(p);
  return true;
}

static pt_collection *find(pt_store *s, rd *r, pt_error *err) {
  size_t n;
  const char *name = take_str(r, &n);
  if (!r->ok) return NULL;
  pt_collection *c = pt_collection_find(s, name, n);
  if (!c)
    pt_fail(err, PT_NOT_FOUND, PT_CODE_COLLECTION_NOT_FOUND, PT_EXC_MILVUS, "collection %.*s does not exist", (int)n, name);
  return c;
}

/* Reads a WRITE record's batch and writes it. */
static pt_status apply_write(pt_store *s, rd *r, pt_error *err) {
  pt_collection *c = find(s, r, err);
  if (!c) return r->ok ? PT_NOT_FOUND : PT_CORRUPT;
  size_t plen, hlen;
  const char *part = (const char *)take(r, &plen);
  const uint8_t *head = take(r, &hlen);
  if (!r->ok || !head || hlen != 48) return PT_CORRUPT;
  uint64_t n_rows = pt_wal_get64(head + 16), n_cols = pt_wal_get64(head + 24), n_ops = pt_wal_get64(head + 32);
  /* every column takes 6 items and every operation 2, each at least 8 bytes: counts beyond
   * what the record holds are refused before anything is allocated */
  size_t room = (r->len - r->at) / PT_WAL_ITEM_HEAD;
  if (n_cols > room / 6 || n_ops > room / 2) return PT_CORRUPT;
  pt_column_in *cols = n_cols ? pt_calloc((size_t)n_cols, sizeof *cols) : NULL;
  pt_field_op *ops = n_ops ? pt_calloc((size_t)n_ops, sizeof *ops) : NULL;
  pt_status rc = PT_CORRUPT;
  if ((n_cols && !cols) || (n_ops && !ops)) {
    rc = pt_fail_nomem(err);
    goto done;
  }
  for (size_t k = 0; k < n_cols; k++) {
    pt_column_in *in = &cols[k];
    size_t dlen, nl, gl, cl, vl, ol;
    const uint8_t *desc = take(r, &dlen);
    if (!desc || dlen != 32) goto done;
    in->field = (int32_t)pt_wal_get32(desc);
    in->kind = (int32_t)pt_wal_get32(desc + 4);
    in->width = pt_wal_get32(desc + 8);
    uint64_t rows = pt_wal_get64(desc + 16);
    in->got_length = (int64_t)pt_wal_get64(desc + 24);
    in->name = (const char *)take(r, &nl);
    in->name_len = nl;
    in->got = (const char *)take(r, &gl);
    in->got_len = gl;
    in->cells = take(r, &cl);
    const uint8_t *values = take(r, &vl);
    const uint8_t *offs = take(r, &ol);
    if (!r->ok || rows > SIZE_MAX / 8 || (in->cells && cl != rows)) goto done;
    in->n_rows = (size_t)rows;
    in->values = values;
    size_t unit = pt_wal_kind_bytes(in->kind), need;
    if (pt_wal_is_text(in->kind) && values) {
      if (!offs || !pt_mul_ok(in->n_rows + 1, 4, &need) || ol != need || pt_wal_get32(offs) != 0) goto done;
      for (size_t i = 0; i < in->n_rows; i++)
        if (pt_wal_get32(offs + 4 * (i + 1)) < pt_wal_get32(offs + 4 * i)) goto done;
      if (pt_wal_get32(offs + 4 * in->n_rows) != vl) goto done;
      in->offsets = (const uint32_t *)(const void *)offs; /* 8-aligned in an aligned record */
    } else if (values) {
      if (offs || !unit || !pt_mul_ok(unit, in->width, &need) || !pt_mul_ok(need, in->n_rows, &need) || vl != need)
        goto done;
    } else if (offs) {
      goto done;
    }
  }
  for (size_t k = 0; k < n_ops; k++) {
    uint64_t op;
    ops[k].name = take_str(r, &ops[k].name_len);
    if (!take_u64(r, &op)) goto done;
    ops[k].op = (int32_t)op;
  }
  if (!r->ok || r->at != r->len) goto done;
  pt_batch_in b = {(int32_t)pt_wal_get32(head + 8), (size_t)n_rows, (size_t)n_cols, cols, (size_t)n_ops, ops};
  s->wal.force_id = pt_wal_get64(head + 40);
  pt_mutation_result res;
  memset(&res, 0, sizeof res);
  rc = pt_collection_write(c, part, part ? plen : 0, (pt_op)pt_wal_get32(head), &b, pt_wal_get32(head + 4) & ~PT_WRITE_ROWS_JSON, &res, err);
  pt_mutation_result_clear(&res);
done:
  pt_free(cols);
  pt_free(ops);
  return rc;
}

/* Whether a record changes nothing in the store: a HEADER or END marker, or the host's bytes. It
 * moves no clock either, applied alone or met in a replay: the core writes markers with time 0,
 * and a later time forged into one would otherwise move the clock one way and not the other. */
static bool is_mark(uint32_t type) { return type == PT_LOG_HEADER || type == PT_LOG_END || type == PT_LOG_HOST; }

static pt_status apply(pt_store *s, uint32_t type, rd *r, pt_error *err) {
  size_t n, m;
  switch (type) {
  case PT_LOG_HEADER: case PT_LOG_END: case PT_LOG_HOST:
    return PT_OK;
  case PT_LOG_CREATE_COLLECTION: {
    const char *name = take_str(r, &n);
    const char *schema_text = take_str(r, &m);
    uint64_t nparts;
    if (!take_u64(r, &nparts) || r->at != r->len) return PT_CORRUPT;
    pt_schema *schema = NULL;
    pt_status rc = pt_schema_from_json(schema_text, m, &schema, err);
    if (rc) return rc;
    pt_collection_options opts = {(int64_t)nparts, 0};
    pt_collection *c;
    rc = pt_collection_create(s, name, n, schema, &opts, &c, err);
    pt_schema_free(schema);
    return rc;
  }
  case PT_LOG_DROP_COLLECTION: {
    const char *name = take_str(r, &n);
    if (!r->ok || r->at != r->len) return PT_CORRUPT;
    return pt_collection_drop(s, name, n);
  }
  case PT_LOG_CREATE_PARTITION: case PT_LOG_DROP_PARTITION: {
    pt_collection *c = find(s, r, err);
    if (!c) return r->ok ? PT_NOT_FOUND : PT_CORRUPT;
    const char *part = take_str(r, &n);
    if (!r->ok || r->at != r->len) return PT_CORRUPT;
    return type == PT_LOG_CREATE_PARTITION ? pt_partition_create(c, part, n, err) : pt_partition_drop(c, part, n, err);
  }
  case PT_LOG_WRITE:
    return apply_write(s, r, err);
  case PT_LOG_DELETE: {
    pt_collection *c = find(s, r, err);
    if (!c) return r->ok ? PT_NOT_FOUND : PT_CORRUPT;
    size_t el, ql;
    const char *part = (const char *)take(r, &n);
    const char *expr = take_str(r, &el);
    const char *params = (const char *)take(r, &ql);
    if (!r->ok || r->at != r->len) return PT_CORRUPT;
    pt_mutation_result res;
    memset(&res, 0, sizeof res);
    pt_status rc = pt_collection_delete_with_params(c, part, n, expr, el, params, ql, &res, err);
    pt_mutation_result_clear(&res);
    return rc;
  }
  case PT_LOG_CREATE_INDEX: case PT_LOG_DROP_INDEX: {
    pt_collection *c = find(s, r, err);
    if (!c) return r->ok ? PT_NOT_FOUND : PT_CORRUPT;
    const char *req = take_str(r, &n);
    if (!r->ok || r->at != r->len) return PT_CORRUPT;
    return type == PT_LOG_CREATE_INDEX ? pt_vindex_create(c, req, n, true, err) : pt_collection_drop_index(c, req, n, err);
  }
  case PT_LOG_LOAD: {
    const char *name = (const char *)take(r, &n);
    const uint8_t *snap = take(r, &m);
    if (!r->ok || !snap || r->at != r->len) return PT_CORRUPT;
    return pt_snapshot_load(s, snap, m, true, name, n, NULL, err); /* the record's checksum covers it */
  }
  default:
    return PT_CORRUPT;
  }
}

/* Applies `record`, which pt_log_next has just read whole (its checksum checked) as `rec`. */
static pt_status apply_read(pt_store *s, const uint8_t *record, const pt_log_record *rec, pt_error *err) {
  size_t len = rec->length;
  /* a batch's values are read in place: aligned, as every record of an aligned log is */
  if ((uintptr_t)record % 8)
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_log_apply: the record is not 8-byte aligned");
  pt_status rc;
  rd r = {record, len - pt_wal_foot(record), PT_WAL_HEAD, true};
  s->wal.applying = true;
  s->wal.force_ts = rec->ts;
  s->wal.force_id = 0;
  pt_error scratch;
  pt_error *e = err ? err : &scratch;
  pt_error_clear(e);
  rc = apply(s, rec->type, &r, e);
  s->wal.applying = false;
  s->wal.force_ts = s->wal.force_id = 0;
  if (rc == PT_OK && rec->ts > s->last_ts && !is_mark(rec->type)) s->last_ts = rec->ts;
  if (rc == PT_NOMEM) return rc;
  if (rc == PT_CORRUPT && !e->message[0]) return LOG_CORRUPT(err, "log record of type %u is malformed", rec->type);
  if (rc) {
    char why[PT_ERROR_MESSAGE_MAX / 2];
    snprintf(why, sizeof why, "%.400s", e->message);
    return LOG_CORRUPT(err, "log record of type %u cannot be applied to this store: %s", rec->type, why);
  }
  pt_error_clear(err);
  return PT_OK;
}

pt_status pt_log_apply(pt_store *s, const uint8_t *record, size_t len, pt_error *err) {
  if (!s || (!record && len)) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_log_apply: missing argument");
  pt_log_record rec;
  pt_status rc = pt_log_next(record ? record : (const uint8_t *)"", len, 0, &rec, err);
  if (rc == PT_NOT_FOUND) return LOG_CORRUPT(err, "an empty log record");
  if (rc) return rc;
  if (rec.length != len) return LOG_CORRUPT(err, "a log record must be applied alone (%zu bytes of %zu)", rec.length, len);
  return apply_read(s, record, &rec, err);
}

/* Whether the `rem` bytes at `r` start with a WRITE record that inserts, as its header and first
 * items say, read within bounds but not checksummed: a run of inserts asks it of the record after
 * it, and checksums that record (pt_log_next) only when it is one, so the record that ends a run
 * is checksummed once, by the call that reads it next. */
static bool starts_insert(const uint8_t *r, size_t rem) {
  if (rem < PT_WAL_HEAD + PT_WAL_FOOT_CRC) return false;
  size_t total = pt_wal_get32(r), foot = pt_wal_foot(r);
  if (total < PT_WAL_HEAD + foot || total % 8 || total > rem ||
      (pt_wal_get32(r + 4) & ((1u << PT_WAL_FORMAT_SHIFT) - 1)) != PT_LOG_WRITE)
    return false;
  rd x = {r, total - foot, PT_WAL_HEAD, true};
  size_t n;
  take(&x, &n); /* collection */
  take(&x, &n); /* partition */
  const uint8_t *head = take(&x, &n);
  return x.ok && head && n == 48 && pt_wal_get32(head) == PT_OP_INSERT;
}

/* Enters the rows a run of inserts left out in their partitions' key indexes: the partitions it
 * wrote (pt_wal_run_part), or every partition when it wrote more than it remembers. */
static void index_pending(pt_store *s) {
  pt_wal_state *st = &s->wal;
  if (st->n_run_parts > PT_WAL_RUN_PARTS) {
    for (size_t i = 0; i < s->n_colls; i++)
      for (size_t q = 0; q < s->colls[i]->n_parts; q++) pt_partition_index_pending(s->colls[i]->parts[q], &s->colls[i]->layout);
  } else {
    for (size_t i = 0; i < st->n_run_parts; i++) pt_partition_index_pending(st->run_parts[i].part, st->run_parts[i].lay);
  }
  st->n_run_parts = 0;
}

pt_status pt_log_apply_next(pt_store *s, const uint8_t *bytes, size_t len, size_t at, pt_log_record *rec, int *applied,
                            pt_error *err) {
  if (applied) *applied = 0;
  if (!s) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_log_apply_next: missing argument");
  pt_status rc = pt_log_next(bytes, len, at, rec, err);
  /* the HEADER of a checkpoint named for cold rows: its id is the checkpoint their marks name */
  if (!rc && rec->type == PT_LOG_HEADER && at == 0 && bytes == s->cold.src && rec->item_len == 8)
    s->cold.checkpoint = pt_wal_get64(rec->item);
  if (rc || is_mark(rec->type)) return rc;
  if (applied) *applied = 1;
  if (!starts_insert(bytes + at, rec->length)) return apply_read(s, bytes + at, rec, err);
  /* a run of inserts: the records that follow it while they are inserts too are applied in this
   * call, and their rows enter the key indexes once, at the end (in order of home slots: one
   * pass through a table larger than the caches per run, not a cache miss per row). The index
   * is whole again before this returns. A record after the first that cannot be read or applied
   * ends the run: the next call meets it again, and reports it. */
  s->wal.defer_index = true;
  rc = apply_read(s, bytes + at, rec, err);
  size_t span = rec->length;
  for (pt_log_record next; rc == PT_OK;) {
    pt_error scratch;
    if (!starts_insert(bytes + at + span, len - at - span) || pt_log_next(bytes, len, at + span, &next, &scratch) != PT_OK ||
        apply_read(s, bytes + at + span, &next, &scratch) != PT_OK)
      break;
    span += next.length;
    *rec = next;
  }
  s->wal.defer_index = false;
  index_pending(s);
  rec->length = span; /* the run's bytes; type, timestamp and item are its last record's */
  if (rc == PT_OK) pt_error_clear(err);
  return rc;
}
