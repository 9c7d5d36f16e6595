/*
 * wal.c — the mutation log's records: a store's acknowledged mutations, written into the
 * store's pending bytes for the host to append to a file, and read back and applied through
 * the calls that made them. No I/O here.
 *
 * THE RECORD (partita.h has the summary). Little-endian, every record and item 8-byte aligned,
 * so the values of a batch are read in place, aligned, when a record is applied:
 *   length u32    bytes of the whole record (a multiple of 8, at least 32)
 *   type   u32    PT_LOG_* in the low 24 bits; the high byte is the record's format, 1
 *   ts     u64    the mutation's hybrid timestamp
 *   items         each: length u32 (0xFFFFFFFF: absent), u32 0, the bytes, zeros to 8
 *   check  u64    pt_hash64 (hash64.c), seed 0, of every byte before it
 *   zero   u32    0
 *   length u32    the length again: a torn write that left a plausible header is still caught
 * Format 0 (partita before 2026-12-07; still read, so a log or checkpoint written by it opens,
 * and a log it began is continued in format 1): the type word's high byte is 0 and the record
 * ends with crc u32 (CRC-32 of every byte before it) and the length (u32): 24 bytes at least.
 * The format is per record, so a log may hold both. pt_hash64 runs near memory speed in
 * WebAssembly where CRC-32 ran at about the speed of reading the file (hash64.c).
 *
 * Items per type: HEADER / END: id (8 bytes). CREATE_COLLECTION: name, schema JSON, u64
 * num_partitions. DROP_COLLECTION: name. CREATE_ / DROP_PARTITION: collection, partition.
 * DELETE: collection, partition (absent: all), expression, expr_params (absent: none). LOAD:
 * name (absent: the saved one), snapshot. HOST: the host's bytes. WRITE: collection, partition
 * (absent: _default), a head (op u32, flags u32, form u32, 0 u32, n_rows u64, n_columns u64,
 * n_field_ops u64, first auto_id key u64 (0: none)), per column a descriptor (field i32, kind
 * i32, width u32, 0 u32, n_rows u64, got_length i64), name, got, cells, values, offsets (TEXT /
 * JSON: n_rows + 1 u32 offsets into values, which hold the cells with a value back to back),
 * then per field operation: name, u64 op.
 *
 * WHY REPLAY GIVES THE SAME STORE: a record is the call's input, checked (a write is recorded
 * after its checks, before its commit; a creation after it succeeded, with the schema as
 * created), and applying it runs the same call with the store's clocks forced to the
 * timestamp and auto_id keys the original call was given. Everything else a mutation does
 * depends only on the store it is applied to.
 */
#include "wal.h"

#include <stdio.h>

#include "crc32.h"
#include "hash64.h"


static void put32(uint8_t *b, uint32_t v) {
  b[0] = (uint8_t)v;
  b[1] = (uint8_t)(v >> 8);
  b[2] = (uint8_t)(v >> 16);
  b[3] = (uint8_t)(v >> 24);
}
static void put64(uint8_t *b, uint64_t v) {
  put32(b, (uint32_t)v);
  put32(b + 4, (uint32_t)(v >> 32));
}

/* ============================================================================================
 * Writing records
 * ========================================================================================== */

static bool reserve(pt_walw *w, size_t more) {
  if (!w->active || !w->ok) return false;
  pt_wal_state *st = w->st;
  size_t need;
  if (!pt_add_ok(st->len, more, &need)) return (w->ok = false);
  if (need > st->cap) {
    size_t cap = st->cap ? st->cap : 4096;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *nb = pt_realloc(st->buf, cap);
    if (!nb) return (w->ok = false);
    st->buf = nb;
    st->cap = cap;
  }
  return true;
}

void pt_wal_begin(pt_walw *w, pt_wal_state *st, uint32_t type) {
  w->st = st;
  w->active = st->on && !st->applying;
  w->ok = true;
  w->mark = st->len;
  if (!w->active || !reserve(w, PT_WAL_HEAD)) return;
  uint8_t *b = st->buf + st->len;
  put32(b, 0);
  put32(b + 4, type | PT_WAL_FORMAT << PT_WAL_FORMAT_SHIFT);
  put64(b + 8, 0);
  st->len += PT_WAL_HEAD;
}

/* Reserves an item of `len` bytes and returns where its bytes go (NULL on failure). */
static uint8_t *item_open(pt_walw *w, size_t len) {
  if (len >= PT_WAL_ABSENT) {
    w->ok = false;
    return NULL;
  }
  if (!reserve(w, PT_WAL_ITEM_HEAD + pt_wal_pad8(len))) return NULL;
  uint8_t *b = w->st->buf + w->st->len;
  put32(b, (uint32_t)len);
  put32(b + 4, 0);
  memset(b + PT_WAL_ITEM_HEAD + len, 0, pt_wal_pad8(len) - len);
  w->st->len += PT_WAL_ITEM_HEAD + pt_wal_pad8(len);
  return b + PT_WAL_ITEM_HEAD;
}

void pt_wal_item(pt_walw *w, const void *p, size_t len) {
  if (!w->active || !w->ok) return;
  if (!p) {
    if (!reserve(w, PT_WAL_ITEM_HEAD)) return;
    uint8_t *b = w->st->buf + w->st->len;
    put32(b, PT_WAL_ABSENT);
    put32(b + 4, 0);
    w->st->len += PT_WAL_ITEM_HEAD;
    return;
  }
  uint8_t *to = item_open(w, len);
  if (to && len) memcpy(to, p, len);
}

bool pt_wal_raw(pt_wal_state *st, const uint8_t *bytes, size_t len) {
  pt_walw w = {st, st->len, true, true};
  if (!reserve(&w, len)) return false;
  memcpy(st->buf + st->len, bytes, len);
  st->len += len;
  return true;
}

void pt_wal_u64(pt_walw *w, uint64_t v) {
  uint8_t b[8];
  put64(b, v);
  pt_wal_item(w, b, 8);
}

void pt_wal_cancel(pt_walw *w) {
  if (w->active) w->st->len = w->mark;
}

pt_status pt_wal_ready(pt_walw *w) {
  if (!w->active) return PT_OK;
  if (w->ok && reserve(w, PT_WAL_FOOT)) return PT_OK;
  pt_wal_cancel(w);
  w->active = false;
  return PT_NOMEM;
}

void pt_wal_end(pt_walw *w, uint64_t ts) {
  if (!w->active) return;
  pt_wal_state *st = w->st;
  uint8_t *r = st->buf + w->mark;
  size_t total = st->len - w->mark + PT_WAL_FOOT;
  put32(r, (uint32_t)total);
  put64(r + 8, ts);
  put32(st->buf + st->len + 12, (uint32_t)total);
  pt_wal_reseal(r, total);
  st->len += PT_WAL_FOOT;
}

void pt_wal_reseal(uint8_t *record, size_t len) {
  if (len < PT_WAL_HEAD + PT_WAL_FOOT_CRC) return;
  if (pt_wal_get32(record + 4) >> PT_WAL_FORMAT_SHIFT) {
    if (len < PT_WAL_HEAD + PT_WAL_FOOT) return;
    put64(record + len - PT_WAL_FOOT, pt_hash64(0, record, len - PT_WAL_FOOT));
    put32(record + len - 8, 0);
  } else {
    put32(record + len - 8, pt_crc32(record, len - PT_WAL_FOOT_CRC));
  }
}

size_t pt_wal_kind_bytes(int32_t kind) {
  switch (kind) {
  case PT_IN_BOOL: case PT_IN_BYTES: return 1;
  case PT_IN_INT32: case PT_IN_FLOAT32: return 4;
  case PT_IN_INT64: case PT_IN_DOUBLE: return 8;
  default: return 0;
  }
}


void pt_wal_run_part(pt_wal_state *st, struct pt_partition *part, const struct pt_layout *lay) {
  for (size_t i = 0; i < st->n_run_parts && i < PT_WAL_RUN_PARTS; i++)
    if (st->run_parts[i].part == part) return;
  if (st->n_run_parts < PT_WAL_RUN_PARTS) {
    st->run_parts[st->n_run_parts].part = part;
    st->run_parts[st->n_run_parts].lay = lay;
  }
  if (st->n_run_parts <= PT_WAL_RUN_PARTS) st->n_run_parts++;
}

/* A TEXT / JSON column's values: the cells with a value back to back, and their offsets. */
static void text_items(pt_walw *w, const pt_column_in *in) {
  size_t n = in->n_rows, total = 0;
  for (size_t r = 0; r < n; r++)
    if (!in->cells || in->cells[r] == PT_CELL_VALUE) total += in->offsets[r + 1] - in->offsets[r];
  uint8_t *to = item_open(w, total);
  size_t offs_bytes;
  if (!to || !pt_mul_ok(n + 1, 4, &offs_bytes)) {
    w->ok = false;
    return;
  }
  size_t at = 0;
  for (size_t r = 0; r < n; r++)
    if (!in->cells || in->cells[r] == PT_CELL_VALUE) {
      size_t len = in->offsets[r + 1] - in->offsets[r];
      if (len) memcpy(to + at, (const uint8_t *)in->values + in->offsets[r], len);
      at += len;
    }
  uint8_t *offs = item_open(w, offs_bytes); /* may move the buffer: `to` is not used after */
  if (!offs) return;
  at = 0;
  put32(offs, 0);
  for (size_t r = 0; r < n; r++) {
    if (!in->cells || in->cells[r] == PT_CELL_VALUE) at += in->offsets[r + 1] - in->offsets[r];
    put32(offs + 4 * (r + 1), (uint32_t)at);
  }
}

void pt_wal_batch(pt_walw *w, const pt_batch_in *b, pt_op op, pt_write_flags flags) {
  if (!w->active) return;
  uint8_t head[48] = {0};
  put32(head, (uint32_t)op);
  put32(head + 4, flags);
  put32(head + 8, (uint32_t)b->form);
  put64(head + 16, b->n_rows);
  put64(head + 24, b->n_columns);
  put64(head + 32, b->field_ops ? b->n_field_ops : 0);
  put64(head + 40, w->st->first_id);
  pt_wal_item(w, head, sizeof head);
  for (size_t k = 0; k < b->n_columns && w->ok; k++) {
    const pt_column_in *in = &b->columns[k];
    uint8_t desc[32] = {0};
    put32(desc, (uint32_t)in->field);
    put32(desc + 4, (uint32_t)in->kind);
    put32(desc + 8, in->width);
    put64(desc + 16, in->n_rows);
    put64(desc + 24, (uint64_t)in->got_length);
    pt_wal_item(w, desc, sizeof desc);
    pt_wal_item(w, in->name, in->name ? in->name_len : 0);
    pt_wal_item(w, in->got, in->got ? in->got_len : 0);
    pt_wal_item(w, in->cells, in->cells ? in->n_rows : 0);
    size_t unit = pt_wal_kind_bytes(in->kind), bytes;
    if (pt_wal_is_text(in->kind) && in->values && in->offsets) {
      text_items(w, in);
    } else if (unit && in->values && pt_mul_ok(unit, in->width, &bytes) && pt_mul_ok(bytes, in->n_rows, &bytes)) {
      if (in->values_tail) { /* a column in two pieces (pt_column_in) is recorded as one block */
        size_t first = unit * in->width * in->head_rows; /* <= bytes: pt_batch_check */
        uint8_t *to = item_open(w, bytes);
        if (to) {
          memcpy(to, in->values, first);
          memcpy(to + first, in->values_tail, bytes - first);
        }
      } else {
        pt_wal_item(w, in->values, bytes);
      }
      pt_wal_item(w, NULL, 0);
    } else {
      pt_wal_item(w, NULL, 0);
      pt_wal_item(w, NULL, 0);
    }
  }
  for (size_t k = 0; b->field_ops && k < b->n_field_ops; k++) {
    pt_wal_item(w, b->field_ops[k].name, b->field_ops[k].name_len);
    pt_wal_u64(w, (uint64_t)(int64_t)b->field_ops[k].op);
  }
}

/* ============================================================================================
 * Markers
 * ========================================================================================== */

static void marker(uint8_t *out, uint32_t type, uint64_t id) {
  put32(out, PT_LOG_MARKER_BYTES);
  put32(out + 4, type | PT_WAL_FORMAT << PT_WAL_FORMAT_SHIFT);
  put64(out + 8, 0);
  put32(out + 16, 8);
  put32(out + 20, 0);
  put64(out + 24, id);
  put32(out + PT_LOG_MARKER_BYTES - 4, PT_LOG_MARKER_BYTES);
  pt_wal_reseal(out, PT_LOG_MARKER_BYTES);
}

void pt_log_marker(int end, uint64_t id, uint8_t out[PT_LOG_MARKER_BYTES]) {
  if (out) marker(out, end ? PT_LOG_END : PT_LOG_HEADER, id);
}

/* ============================================================================================
 * Reading records
 * ========================================================================================== */

static bool all_zero(const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (b[i]) return false;
  return true;
}

#define LOG_CORRUPT(err, ...) pt_fail((err), PT_CORRUPT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, __VA_ARGS__)

pt_status pt_log_next(const uint8_t *bytes, size_t len, size_t at, pt_log_record *rec, pt_error *err) {
  if (!rec || (!bytes && len) || at > len)
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_log_next: invalid arguments");
  memset(rec, 0, sizeof *rec);
  if (at == len) {
    pt_error_clear(err);
    return PT_NOT_FOUND;
  }
  const uint8_t *r = bytes + at;
  size_t rem = len - at;
  rec->torn = 1;
  if (rem < PT_WAL_HEAD + PT_WAL_FOOT_CRC)
    return LOG_CORRUPT(err, "log record at byte %zu is cut short: %zu bytes of at least %u", at, rem, PT_WAL_HEAD + PT_WAL_FOOT_CRC);
  size_t total = pt_wal_get32(r);
  uint32_t format = pt_wal_get32(r + 4) >> PT_WAL_FORMAT_SHIFT;
  size_t foot = format ? PT_WAL_FOOT : PT_WAL_FOOT_CRC;
  if (total < PT_WAL_HEAD + foot || total % 8) {
    rec->torn = all_zero(r, rem);
    return LOG_CORRUPT(err, "log record at byte %zu has an invalid length (%zu)", at, total);
  }
  if (total > rem)
    return LOG_CORRUPT(err, "log record at byte %zu is cut short: %zu bytes of %zu", at, rem, total);
  /* an unknown format is a changed byte or a newer partita's record: either way its check
   * cannot be read */
  bool good = pt_wal_get32(r + total - 4) == total &&
              (format == 0   ? pt_wal_get32(r + total - 8) == pt_crc32(r, total - PT_WAL_FOOT_CRC)
               : format == 1 ? pt_wal_get32(r + total - 8) == 0 && pt_wal_get64(r + total - PT_WAL_FOOT) == pt_hash64(0, r, total - PT_WAL_FOOT)
                             : false);
  if (!good) {
    rec->torn = total == rem || all_zero(r + total, rem - total);
    return LOG_CORRUPT(err, "log record at byte %zu fails its checksum%s", at,
                       format > PT_WAL_FORMAT ? " (or is of a newer format than this version of partita reads)" : "");
  }
  rec->torn = 0;
  uint32_t type = pt_wal_get32(r + 4) & ((1u << PT_WAL_FORMAT_SHIFT) - 1);
  if (type < PT_LOG_HEADER || type > PT_LOG_DROP_INDEX)
    return LOG_CORRUPT(err, "log record at byte %zu has type %u, which this version of partita does not know", at, type);
  rec->type = type;
  rec->ts = pt_wal_get64(r + 8);
  rec->length = total;
  if (total >= PT_WAL_HEAD + PT_WAL_ITEM_HEAD + foot) {
    size_t ilen = pt_wal_get32(r + PT_WAL_HEAD);
    if (ilen != PT_WAL_ABSENT) {
      if (ilen > total - PT_WAL_HEAD - PT_WAL_ITEM_HEAD - foot) return LOG_CORRUPT(err, "log record at byte %zu is malformed", at);
      rec->item = r + PT_WAL_HEAD + PT_WAL_ITEM_HEAD;
      rec->item_len = ilen;
    }
  }
  if ((type == PT_LOG_HEADER || type == PT_LOG_END) && rec->item_len != 8)
    return LOG_CORRUPT(err, "log record at byte %zu is malformed", at);
  pt_error_clear(err);
  return PT_OK;
}

