/*
 * store.h — the in-memory store: store → collections → partitions → segments → columns.
 *
 * A partition appends rows into fixed-capacity columnar segments; row id r lives in segment
 * r >> seg_shift at offset r & seg_mask, and ids are never reused until compaction, so a row's
 * id is stable (an upsert may overwrite a live row in place, keeping its id; write.c says
 * when). Each segment keeps a deleted (tombstone) bitmap, a live count and, per row, the
 * link to the next-older row with the same primary key (insert stores duplicate keys). The
 * partition's pkindex maps a key to its newest row.
 */
#ifndef PT_STORE_H
#define PT_STORE_H

#include <string.h>

#include "bm25.h"
#include "index.h"
#include "pkindex.h"
#include "schema.h"
#include "vindexdef.h"
#include "wal.h"

/* One column of one segment. */
typedef struct pt_column {
  uint8_t *data;     /* fixed width: capacity * row_bytes; variable: the byte arena */
  size_t used;       /* variable: arena bytes in use */
  size_t cap;        /* variable: arena bytes allocated */
  uint32_t *offsets; /* variable: capacity + 1 offsets into data */
  uint8_t *valid;    /* nullable: bitmap, bit set = the row has a value */
  uint8_t *block;    /* fixed width: the block (pt_block_new) `data` lies in, adopted by a load
                      * (one reference held); NULL when `data` is an allocation of its own */
  /* cold rows (cold.c), fixed-width vector columns of full segments only: */
  bool cold;         /* `data` was dropped (NULL): its bytes lie in the checkpoint at ck_at */
  bool wanted;       /* cold, and named in the store's pending reads (cold.c) */
  uint32_t ck_gen;   /* the store's checkpoint generation (pt_cold_state.gen) that wrote this
                      * full segment's live rows at ck_at, back to back; 0: none, or they
                      * changed since */
  uint32_t ck_live;  /* how many rows it wrote there */
  uint8_t *ck_dead;  /* the segment's deleted bitmap then (owned), NULL when none was deleted */
  uint64_t ck_at;    /* where those rows start in that checkpoint */
  uint64_t ck_hash;  /* cold: the hash of the rows dropped (cold.c), to check them when read back */
} pt_column;

typedef struct pt_segment {
  uint32_t count;   /* rows appended */
  uint32_t live;    /* rows not deleted */
  uint8_t *deleted; /* bitmap, bit set = deleted */
  uint32_t *next;   /* per row: next-older row id with the same key, or PT_NO_ROW */
  pt_column cols[]; /* one per stored column (user fields, then $meta when dynamic) */
} pt_segment;

/* How rows of one collection are laid out, derived from its schema once. */
typedef struct pt_layout {
  uint32_t seg_shift; /* segment capacity is 1 << seg_shift rows */
  uint32_t seg_mask;
  size_t n_cols;      /* n_fields + (dynamic ? 1 : 0) */
  int pk;             /* column of the primary key */
  int dynamic;        /* column of $meta, or -1 */
  size_t *row_bytes;  /* per column: bytes per row when fixed width, 0 when variable */
  bool *nullable;     /* per column */
} pt_layout;

/* Cold rows (cold.c): a segment of a column a call met cold, to be read back. */
typedef struct pt_cold_ref {
  uint64_t coll; /* collection id */
  uint32_t part, seg, col;
} pt_cold_ref;

/* A store's cold rows (cold.c): the checkpoint marks' generation, and what calls wait for. */
typedef struct pt_cold_state {
  uint32_t gen;        /* bumped by every checkpoint: the marks it writes carry it */
  uint64_t checkpoint; /* the id of that checkpoint (0 until it is made whole) */
  pt_cold_ref *wants;  /* the segments the last calls met cold, not yet read back */
  size_t n_wants, wants_cap;
  pt_cold_read *reads; /* pt_store_cold_reads's answer, until pt_store_cold_done */
  size_t n_reads;
  const uint8_t *src;  /* the checkpoint file being replayed (pt_store_cold_source), or NULL */
  size_t src_len;
} pt_cold_state;

typedef struct pt_fts pt_fts; /* full-text state (fts.h) */
/* A partition's share of a vector index (vindex.c builds it; the store frees, compacts and saves
 * it): an index over the partition's rows [0, upto) of column `col` (rows deleted since are
 * still in it, rejected by every search), or none yet (ix NULL: the rows are searched exactly).
 * Rows at or beyond `upto` are searched exactly until vindex.c adds them. */
typedef struct pt_part_vix {
  pt_index *ix;
  uint32_t upto;
  uint32_t col;
} pt_part_vix;


typedef struct pt_partition {
  char *name; /* owned, NUL-terminated */
  size_t name_len;
  pt_segment **segs;
  size_t n_segs, segs_cap;
  uint32_t n_rows; /* row ids handed out */
  uint64_t n_live;
  pt_pkindex index;
  uint32_t unindexed; /* the last rows, inserted but not yet in `index` (room for their keys is
                       * reserved): inserts leave them there; pt_partition_lookup enters them
                       * all at once before it reads the index, and log.c at the end of a run
                       * of inserts it applies */
  pt_segment *spare; /* an empty segment made by pt_collection_stage, used by the next write */
  pt_fts *fts;       /* BM25 statistics and index, NULL until a search builds them (fts.h) */
  pt_part_vix *vix;  /* per index of the collection, in its order; n_vix may be fewer (the
                      * later ones have no index here yet) */
  size_t n_vix;
} pt_partition;

struct pt_collection {
  pt_store *store;
  uint64_t id;
  char *name; /* owned */
  size_t name_len;
  pt_schema *schema; /* owned copy */
  pt_layout layout;
  pt_partition **parts;
  size_t n_parts, parts_cap;
  bool partition_key_mode;
  int64_t num_partitions; /* partition-key mode */
  bool maybe_cold;       /* some column segment may be cold (cold.c): set when one goes, cleared
                          * when a read back leaves none */
  bool compact_deferred; /* an automatic compaction waited for cold rows: the next checkpoint,
                          * which reads them back, runs it (compact.c) */
  pt_vindex *vindexes;    /* vector indexes (vindex.c) */
  size_t n_vindexes;
  /* the last search request parsed, its text and tree (search.c): a search bringing the same
   * bytes reads that tree (nothing changes a request's tree) instead of parsing them again */
  char *last_request;
  size_t last_request_len;
  struct cJSON *last_request_root;
};

struct pt_store {
  pt_collection **colls;
  size_t n_colls, colls_cap;
  pt_store_options opts;
  uint64_t last_ts; /* last hybrid timestamp handed out */
  uint64_t last_id; /* last auto_id key handed out */
  uint64_t next_collection_id;
  uint32_t generation; /* changes when a collection is created, dropped or loaded
                        * (pt_store_generation) */
  pt_wal_state wal;    /* the mutation log's pending records (wal.c) */
  pt_cold_state cold;  /* cold rows: checkpoint marks and the reads a call is waiting for (cold.c) */
};

/* ---- segments (segment.c) ---- */
pt_segment *pt_segment_new(const pt_layout *lay);
/* pt_segment_new, but each fixed-width column c with fixed[c] non-NULL uses the block's bytes
 * there (capacity × row width of them, 8-aligned) instead of an allocation, with a reference;
 * with `block` NULL, such a column is left without data (data NULL) for the caller to fill. */
pt_segment *pt_segment_new_in(const pt_layout *lay, uint8_t *block, uint8_t *const *fixed);
void pt_segment_free(pt_segment *seg, const pt_layout *lay);
/* Ensures column `col` of `seg` has `more` free arena bytes. */
pt_status pt_segment_reserve_bytes(pt_segment *seg, size_t col, size_t more);

static inline bool pt_bit_get(const uint8_t *bits, uint32_t i) { return (bits[i >> 3] >> (i & 7)) & 1u; }
static inline void pt_bit_set(uint8_t *bits, uint32_t i) { bits[i >> 3] = (uint8_t)(bits[i >> 3] | (1u << (i & 7))); }
static inline void pt_bit_clear(uint8_t *bits, uint32_t i) { bits[i >> 3] = (uint8_t)(bits[i >> 3] & ~(1u << (i & 7))); }
/* Clears bits [from, from + n): the whole bytes between the ends at once. */
static inline void pt_bits_clear_range(uint8_t *bits, uint32_t from, uint32_t n) {
  uint32_t end = from + n;
  while (from < end && (from & 7)) pt_bit_clear(bits, from++);
  if (end - from >= 8) {
    memset(bits + (from >> 3), 0, (end - from) >> 3);
    from += (end - from) & ~7u;
  }
  while (from < end) pt_bit_clear(bits, from++);
}

/* The next run of live rows of a segment: the first live row at or after *from, and the rows
 * after it up to the next deleted one, at most `max` rows; [*from, returned end). Returns
 * *from when no live row is left. */
static inline uint32_t pt_live_run(const pt_segment *seg, uint32_t *from, uint32_t max) {
  uint32_t off = *from;
  while (off < seg->count && pt_bit_get(seg->deleted, off)) off++;
  *from = off;
  uint32_t end = off;
  while (end < seg->count && !pt_bit_get(seg->deleted, end) && end - off < max) end++;
  return end;
}

/* ---- partitions (partition.c) ---- */
pt_partition *pt_partition_new(const char *name, size_t len, bool string_keys);
void pt_partition_free(pt_partition *p, const pt_layout *lay);
int pt_partition_find(const pt_collection *c, const char *name, size_t len); /* index or -1 */

static inline pt_segment *pt_row_segment(const pt_partition *p, const pt_layout *lay, uint32_t row) {
  return p->segs[row >> lay->seg_shift];
}
static inline uint32_t pt_row_offset(const pt_layout *lay, uint32_t row) { return row & lay->seg_mask; }

/* The bytes of a variable-width cell (offset `off` of its segment). The arena is NULL until a
 * non-empty value is written (all values empty or null so far), so never add to it blindly. */
static inline const uint8_t *pt_var_cell(const pt_column *col, uint32_t off) {
  return col->data ? col->data + col->offsets[off] : (const uint8_t *)"";
}
bool pt_row_deleted(const pt_partition *p, const pt_layout *lay, uint32_t row);

/* A partition's FLOAT_VECTOR (or BINARY_VECTOR) column as an index reads it (pt_index_rows's get; ctx: a
 * pt_part_rows). */
typedef struct pt_part_rows {
  const pt_partition *part;
  const pt_layout *lay;
  uint32_t col;
} pt_part_rows;
const void *pt_part_rows_get(const void *ctx, uint32_t row);

/* Whether one of the partition's indexes holds `row` (it must then not be overwritten in place). */
static inline bool pt_partition_indexed(const pt_partition *p, uint32_t row) {
  for (size_t i = 0; i < p->n_vix; i++)
    if (p->vix[i].ix && row < p->vix[i].upto) return true;
  return false;
}

/* The key stored at a row. */
pt_key pt_row_key(const pt_partition *p, const pt_layout *lay, uint32_t row);

/* Context for pkindex callbacks on a partition. */
typedef struct pt_keyctx {
  const pt_partition *part;
  const pt_layout *lay;
} pt_keyctx;
bool pt_key_eq_row(const void *ctx, uint32_t row, const pt_key *key);

/* Finds a key in a partition's index; the slot or SIZE_MAX. Enters the partition's `unindexed`
 * rows first, so that the index it reads names every row. */
size_t pt_partition_lookup(pt_partition *p, const pt_layout *lay, const pt_key *key);

/* Marks every row of the chain starting at `head` deleted; returns how many were live. */
uint64_t pt_partition_delete_chain(pt_partition *p, const pt_layout *lay, uint32_t head);

/* Deletes every row with `key` in a partition; returns how many live rows went. */
uint64_t pt_partition_delete_key(pt_partition *p, const pt_layout *lay, const pt_key *key);

/* Deletes one row (and unlinks it from its key's chain); false when it was already deleted. */
bool pt_partition_delete_row(pt_partition *p, const pt_layout *lay, uint32_t row);

/* ---- store (collection.c) ---- */
/* Frees the collection's last parsed search request (pt_collection.last_request; search.c). */
void pt_collection_forget_request(pt_collection *c);
uint64_t pt_store_next_ts(pt_store *s);
/* Seals a log record (wal.h) of a mutation that took no timestamp of its own, with a new one. */
static inline void pt_wal_end_now(pt_walw *w, pt_store *s) {
  if (w->active) pt_wal_end(w, pt_store_next_ts(s));
}
/* Reserves `n` consecutive auto_id keys and returns the first. */
int64_t pt_store_next_ids(pt_store *s, uint64_t n);

/* Building a collection outside the store (pt_collection_create, snapshot loading): the layout
 * from c->schema, partitions, freeing everything a collection owns (it need not be attached). */
pt_status pt_layout_build(pt_collection *c);
pt_status pt_collection_add_partition(pt_collection *c, const char *name, size_t len);
void pt_collection_destroy(pt_collection *c);

/* ---- cold rows (cold.c: the protocol) ---- */
/* A checkpoint's mark on column `col` of full segment `seg`: its live rows are written back to
 * back at `at` of the checkpoint of generation `gen`. No mark when its room cannot be had. */
void pt_cold_mark(pt_column *col, const pt_segment *seg, const pt_layout *lay, uint32_t gen, uint64_t at);
/* Whether an index with these parameters searches without the float rows. */
bool pt_cold_index_ok(const pt_index_params *p);
/* Names column `col` of segment `seg` of partition `part` (cold) for reading back; PT_NOMEM when
 * there is no room to remember it. */
pt_status pt_cold_want(const pt_collection *c, size_t part, size_t seg, size_t col);
/* Names every cold segment of partition `part` and column `col` (SIZE_MAX: of every one); *any:
 * whether there was one. PT_NOMEM when one cannot be named. */
pt_status pt_cold_want_in(const pt_collection *c, size_t part, size_t col, bool *any);
/* Whether a segment of partition `part` and column `col` (SIZE_MAX: any) is cold. */
bool pt_cold_in(const pt_collection *c, size_t part, size_t col);
/* A checkpoint (or the replay of one, pt_store_cold_source) starts: the marks it writes carry a
 * generation of their own, and none is droppable until it names its id. */
void pt_cold_begin(pt_store *s);
/* The error of a call that met cold rows (PT_COLD), or PT_NOMEM when naming them failed. */
pt_status pt_cold_fail(pt_status want_rc, pt_error *err);
/* After a load from a checkpoint named for cold rows (snapshot.c): each full segment's float rows
 * it left out (data NULL, marked) go cold when they may (their index searches without them,
 * below its high-water mark), else are copied from the checkpoint's bytes. PT_NOMEM when a copy
 * cannot be allocated. */
pt_status pt_cold_loaded(pt_collection *c);
/* A cold column segment of `bytes` is freed (pt_segment_free): pt_cold_bytes no longer counts it. */
void pt_cold_forget(size_t bytes);
/* Frees what the store keeps for cold reads (pt_store_close). */
void pt_cold_state_free(pt_cold_state *s);

/* ---- snapshots (snapshot.c) ---- */
/* pt_collection_save, for a checkpoint: the snapshot will lie at `ck_base` in it, and every
 * fixed-width column segment it writes whole gets the mark (ck_gen, where) of cold.c. */
pt_status pt_collection_save_marked(const pt_collection *c, uint64_t ck_base, uint32_t ck_gen, uint8_t **out,
                                    size_t *len, pt_error *err);

/* ---- compaction (compact.c) ---- */
/* Rebuilds the key index and key chains of a partition whose rows [0, n_rows) are all live:
 * `p->index` must be empty with room reserved for n_rows keys. Cannot fail. */
void pt_partition_reindex(pt_partition *p, const pt_layout *lay);
/* Enters the live rows [from, n_rows) of a partition in its key index, oldest first, as writes
 * do (a row of a key already there becomes its head, chained to the one before): the index
 * must hold no row from `from` on and have room for them all. Cannot fail. */
void pt_partition_index_rows(pt_partition *p, const pt_layout *lay, uint32_t from);
/* Enters a partition's `unindexed` rows in its key index (room is reserved). Cannot fail. */
void pt_partition_index_pending(pt_partition *p, const pt_layout *lay);
/* Rewrites a partition without its deleted rows (storage order kept) and rebuilds its index;
 * *removed (may be NULL): rows dropped. PT_NOMEM leaves the partition as it was. */
pt_status pt_partition_compact(pt_partition *p, const pt_layout *lay, uint64_t *removed);
/* After a mutation: compacts the partitions the store's compaction policy selects (compact.c
 * says which). Best effort, never fails: a partition it cannot compact stays as it was. */
void pt_collection_auto_compact(pt_collection *c);

/* Rewrites every checksum of a snapshot for its bytes as they are (the header's, then each
 * section's as its version chains them; a section length past the end stops it): for tests and
 * the fuzz target, which change bytes behind the checksums (snapshot.c). */
void pt_snapshot_reseal(uint8_t *bytes, size_t len);
/* pt_collection_load; `summed`: the bytes come whole from a log record whose checksum was
 * just checked, so the sections' CRCs are not computed again (everything else is checked). */
pt_status pt_snapshot_load(pt_store *s, const uint8_t *b, size_t len, bool summed, const char *name, size_t name_len,
                           pt_collection **out, pt_error *err);

/* ---- full-text state (fts.c) ----
 * A partition's full-text state: for every BM25 function output field of its collection, the
 * BM25 statistics of the partition's live rows and an inverted index over them (bm25.h). It is
 * derived from the stored term vectors (the output field's sparse cells), so it is a cache:
 * built from the live rows the first time a search needs it, then kept in step as rows come and
 * go (write.c, partition.c), and dropped whenever keeping it in step would need memory that is
 * not there or would renumber its rows (compaction, loading): the next search builds it again.
 * A write never fails because of it. */
typedef struct pt_fts_field {
  int col;              /* the output field's column */
  bool ip;              /* a plain sparse field with an IP index: no statistics, an ip index */
  pt_bm25_stats stats;  /* the partition's live rows (BM25 outputs) */
  pt_bm25_index *ix;
} pt_fts_field;

struct pt_fts {
  pt_sparse_pair *tmp; /* a stored cell's pairs, aligned */
  size_t tmp_cap;
  size_t n;
  pt_fts_field f[];
};

void pt_fts_free(pt_fts *fts);
/* Drops a partition's state (it is rebuilt when next needed). */
void pt_fts_drop(pt_partition *p);
/* Builds the state of partition p of collection c from its live rows, unless it has it. */
pt_status pt_fts_ensure(const pt_collection *c, pt_partition *p);
/* The state of field `col` in a partition that has its state (NULL when the field has none). */
pt_fts_field *pt_fts_field_of(pt_partition *p, int col);
/* Row `row` of p became live (appended or overwritten): counted in, or the state dropped. */
void pt_fts_row_added(pt_partition *p, const pt_layout *lay, uint32_t row);
/* Live row `row` of p goes: `deleted`, or about to be overwritten in place. Taken out. */
void pt_fts_row_gone(pt_partition *p, const pt_layout *lay, uint32_t row, bool deleted);

/* Scratch of pt_fts_query: zero-initialise, reuse, release. */
typedef struct pt_fts_scratch {
  pt_tokens toks;
  pt_bm25_vec vec;
} pt_fts_scratch;
void pt_fts_scratch_release(pt_fts_scratch *s);

/* A search text's BM25 query on output column `col` of c: the text through the input field's
 * analyzer `a`, its term vector weighed by the statistics of every partition of c (each must
 * have its state: pt_fts_ensure), with parameters `prm` (checked: pt_bm25_params_check).
 * Errors: the analyzer's (text not UTF-8, too long), memory. */
pt_status pt_fts_query(pt_collection *c, int col, const pt_analyzer *a, const char *text, size_t len,
                       const pt_bm25_params *prm, pt_fts_scratch *s, pt_bm25_query *q, pt_error *err);


#endif /* PT_STORE_H */
