/*
 * wal.h — the mutation log's records (wal.c): how a store records its acknowledged mutations
 * as bytes a host appends to a file, and how such bytes are read back and applied. Internal:
 * the public calls are in partita.h (pt_store_log, pt_log_next, pt_log_apply, ...).
 */
#ifndef PT_WAL_H
#define PT_WAL_H

#include "common.h"

/* The record's framing (wal.c has the format). */
#define PT_WAL_HEAD 16u          /* length, type, timestamp */
#define PT_WAL_FOOT 16u          /* format 1: check (pt_hash64), 0, length again */
#define PT_WAL_FOOT_CRC 8u       /* format 0 (read only): CRC-32, length again */
#define PT_WAL_FORMAT_SHIFT 24   /* the type word's high byte: the record's format */
#define PT_WAL_FORMAT 1u         /* what this version writes */
#define PT_WAL_ITEM_HEAD 8u      /* an item's length, 0 */
#define PT_WAL_ABSENT 0xFFFFFFFFu /* the length of an absent item */
static inline uint32_t pt_wal_get32(const uint8_t *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint64_t pt_wal_get64(const uint8_t *b) { return (uint64_t)pt_wal_get32(b) | (uint64_t)pt_wal_get32(b + 4) << 32; }
static inline size_t pt_wal_pad8(size_t n) { return (n + 7u) & ~(size_t)7u; }
/* The footer's bytes of a record whose header pt_log_next has accepted (its format 0 or 1). */
static inline size_t pt_wal_foot(const uint8_t *record) {
  return pt_wal_get32(record + 4) >> PT_WAL_FORMAT_SHIFT ? PT_WAL_FOOT : PT_WAL_FOOT_CRC;
}

/* Distinct partitions a run of inserts remembers (a run into more visits all at its end). */
#define PT_WAL_RUN_PARTS 16

/* A store's recording state (a member of pt_store). */
typedef struct pt_wal_state {
  bool on;           /* record every successful mutation into `buf` */
  bool applying;     /* a record is being applied: nothing is recorded, the clocks are forced */
  bool defer_index;  /* a run of inserts is being applied (pt_log_apply_next): their rows enter
                      * the key index at the end of the run (pt_partition's `unindexed`) */
  struct { /* the partitions whose rows the run left out (entered at its end), when no more */
    struct pt_partition *part; /* than fit; else n_run_parts is PT_WAL_RUN_PARTS + 1 and the */
    const struct pt_layout *lay; /* end of the run visits every partition */
  } run_parts[PT_WAL_RUN_PARTS];
  size_t n_run_parts;
  uint8_t *src;      /* the block the records being applied lie in (pt_store_log_source) */
  size_t src_len;
  uint8_t *buf;      /* records not yet taken by the host */
  size_t len, cap;
  uint64_t force_ts; /* while applying: the timestamp the mutation had (0: none) */
  uint64_t force_id; /* while applying: the first auto_id key it had (0: none) */
  uint64_t first_id; /* the first auto_id key handed out by the write being recorded (0: none;
                      * pt_collection_write clears it) */
} pt_wal_state;

/* A record being written into a store's pending buffer: pt_wal_begin, items, pt_wal_ready
 * (before the mutation changes anything), the mutation, then pt_wal_end or pt_wal_cancel.
 * With recording off every call is a no-op. */
typedef struct pt_walw {
  pt_wal_state *st;  /* the bytes written into */
  size_t mark; /* where the record starts in s->wal.buf */
  bool active; /* recording */
  bool ok;     /* no allocation failed */
} pt_walw;

/* Starts a record in `st` (recording when st->on and not applying). */
void pt_wal_begin(pt_walw *w, pt_wal_state *st, uint32_t type);
void pt_wal_item(pt_walw *w, const void *p, size_t len); /* p NULL: an absent item */
void pt_wal_u64(pt_walw *w, uint64_t v);
/* PT_OK, or PT_NOMEM (the record is dropped): after it, pt_wal_end cannot fail. */
pt_status pt_wal_ready(pt_walw *w);
/* Seals the record with its timestamp. */
void pt_wal_end(pt_walw *w, uint64_t ts);
/* Appends whole records' bytes to `st` (false when out of memory: nothing appended). */
bool pt_wal_raw(pt_wal_state *st, const uint8_t *bytes, size_t len);
void pt_wal_cancel(pt_walw *w);
/* Rewrites the check of the `len`-byte record at `record` (its format's, from its type word) for
 * its bytes as they are: for tests and the fuzz target, which change bytes behind it. */
void pt_wal_reseal(uint8_t *record, size_t len);

/* Records a pt_collection_write batch (after its checks, before its commit), with the first
 * auto_id key st->first_id. */
void pt_wal_batch(pt_walw *w, const pt_batch_in *b, pt_op op, pt_write_flags flags);

/* Bytes per value of a fixed-width input kind (pt_input_kind); 0 for the others. */
size_t pt_wal_kind_bytes(int32_t kind);
/* A run of inserts left rows of `part` out of its key index (remembered for the run's end). */
void pt_wal_run_part(pt_wal_state *st, struct pt_partition *part, const struct pt_layout *lay);
static inline bool pt_wal_is_text(int32_t kind) { return kind == PT_IN_TEXT || kind == PT_IN_JSON; }


#endif /* PT_WAL_H */
