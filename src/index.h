/*
 * index.h — vector indexes over the rows of one partition: HNSW and HNSW_SQ (hnsw.c), IVF_FLAT,
 * IVF_SQ8 and BIN_IVF_FLAT (ivf.c), their SQ8 codes (sq8.c), and what they share (index.c): parameters with
 * Milvus's defaults, ranges and messages, the row → entry map, the search heaps, and the byte
 * format. Internal: the public API (create_index and friends) is wired on top of this later.
 *
 * THE CONTRACT WITH THE STORE
 *   - An index holds row ids (the partition's u32 row ids), never the float32 rows themselves:
 *     it reads a row's vector through a pt_index_rows accessor handed to every call that needs
 *     vectors (add, search, refine), so segments may move between calls. HNSW_SQ and IVF_SQ8
 *     also keep their own 8-bit codes (one byte per dimension), and search on those.
 *   - Filtered search takes a pt_index_filter: a predicate on row ids, asked during the walk
 *     (HNSW still walks through rejected rows, as a road, but never returns them). Deleted rows
 *     are rejected by the same predicate; the index itself never needs to know about deletes.
 *   - pt_index_add with a row already in the index replaces it (an upsert that overwrote a row
 *     in place); pt_index_remove forgets a row (HNSW keeps its node as a road: the row's vector
 *     must stay readable through the accessor until the partition is compacted; IVF drops it).
 *     When compact.c renumbers the partition's rows, pt_index_compact follows (reading the old
 *     rows) and the roads go.
 *   - The vectors are float32 (FLOAT_VECTOR fields), or for BIN_IVF_FLAT the dim / 8 bytes of a
 *     BINARY_VECTOR row (bit i of a row is bit i % 8 of its byte i / 8, as Milvus packs them);
 *     other element types need a kernel each.
 *   - Every fallible call returns a pt_status. Allocation goes through pt_malloc / pt_free; an
 *     allocation failure returns PT_NOMEM and leaves the index exactly as it was (usable,
 *     identical byte for byte in pt_index_save, and the bytes in use as they were, except that
 *     a search may keep scratch it grew).
 *   - Distances come back as Milvus gives them (squared L2; IP and COSINE as similarities,
 *     larger is better), best first. COSINE takes the query unit-normalised
 *     (pt_index_prepare_query, search.c's normalisation), and divides a row's dot product by
 *     sqrtf of its x . x, as search.c does, so equal rows give bitwise equal distances.
 *   - An index is not safe for concurrent use (its search scratch lives in it); the core is
 *     single-threaded.
 */
#ifndef PT_INDEX_H
#define PT_INDEX_H

#include "common.h"

/* ---------------------------------------------------------------------------------------------
 * Types and parameters
 * ------------------------------------------------------------------------------------------- */

typedef enum pt_index_type {
  PT_INDEX_HNSW = 1,
  PT_INDEX_HNSW_SQ = 2, /* HNSW over SQ8 codes, optional float refine */
  PT_INDEX_IVF_FLAT = 3,
  PT_INDEX_IVF_SQ8 = 4,
  PT_INDEX_BIN_IVF_FLAT = 5, /* BINARY_VECTOR rows, HAMMING or JACCARD */
  PT_INDEX_IVF_RABITQ = 6    /* IVF over 1-bit RaBitQ codes (rabitq.c), optional refine codes */
} pt_index_type;

/* What a refine re-scores candidates with (IVF_RABITQ's refine_type; HNSW_SQ refines with FP32
 * only): the float32 rows themselves (FP32: no copy, read through the accessor), or codes the
 * index keeps beside its RaBitQ codes: SQ8 (one byte a dimension, sq8.c's), FP16 or BF16 (two). */
typedef enum pt_index_refine {
  PT_REFINE_FP32 = 0,
  PT_REFINE_SQ8 = 1,
  PT_REFINE_FP16 = 2,
  PT_REFINE_BF16 = 3
} pt_index_refine;

/* The element type of the rows an index reads: float32, or (HNSW only, FLOAT16_VECTOR and
 * BFLOAT16_VECTOR fields) IEEE half or bfloat16, scored against float32 queries as the exact
 * scan scores them (BIN_IVF_FLAT's rows are bytes, told by its type). */
typedef enum pt_index_elem { PT_INDEX_F32 = 0, PT_INDEX_F16 = 1, PT_INDEX_BF16 = 2 } pt_index_elem;

typedef enum pt_index_metric {
  PT_INDEX_L2 = 0,
  PT_INDEX_IP = 1,
  PT_INDEX_COSINE = 2,
  PT_INDEX_HAMMING = 3, /* BIN_IVF_FLAT only, as the next */
  PT_INDEX_JACCARD = 4
} pt_index_metric;

/* Milvus's build parameters (milvus.io/docs hnsw.md, hnsw-sq.md, ivf-flat.md, ivf-sq8.md, and
 * knowhere's src/index/hnsw/hnsw_config.h, src/index/ivf/ivf_config.h):
 *   M               HNSW      [2, 2048], default 30 (knowhere: "hnsw M"; up to M links on the
 *                             upper layers, 2M on the bottom one)
 *   efConstruction  HNSW      [1, INT32_MAX], default 360
 *   nlist           IVF       [1, 65536], default 128 (BIN_IVF_FLAT too: knowhere's IvfBinConfig
 *                             is its IvfConfig)
 *   refine          HNSW_SQ   default false: search on codes only; true: re-score the best
 *                             refine_k * k candidates with the float rows (refine_type FP32)
 *                   IVF_RABITQ the same, with refine_type's codes (SQ8, FP16, BF16) or the
 *                             float rows (FP32, knowhere's default when refine_type is absent)
 * A violation is refused with knowhere's message, "Out of range in json: param 'M' (3000)
 * should be in range [2, 2048]". */
#define PT_INDEX_M_MIN 2
#define PT_INDEX_M_MAX 2048
#define PT_INDEX_M_DEFAULT 30
#define PT_INDEX_EFC_MAX INT32_MAX
#define PT_INDEX_EFC_DEFAULT 360
#define PT_INDEX_NLIST_MAX 65536
#define PT_INDEX_NLIST_DEFAULT 128
#define PT_INDEX_NPROBE_DEFAULT 8
#define PT_INDEX_DIM_MAX 32768 /* Milvus's maximum vector dimension (BIN_IVF_FLAT: bits, a multiple of 8) */

typedef struct pt_index_params {
  pt_index_type type;
  pt_index_metric metric;
  uint32_t dim;
  uint32_t M;               /* HNSW, HNSW_SQ */
  uint32_t ef_construction; /* HNSW, HNSW_SQ */
  uint32_t nlist;           /* IVF_FLAT, IVF_SQ8, BIN_IVF_FLAT */
  bool refine;              /* HNSW_SQ, IVF_RABITQ */
  pt_index_refine refine_type; /* IVF_RABITQ with refine (FP32 for every other index) */
  uint64_t seed;            /* level generation (HNSW), k-means init and sampling (IVF) */
  pt_index_elem elem;       /* HNSW: the rows' element type (F32 for every other type) */
} pt_index_params;

/* Search parameters (Milvus's search_params.params):
 *   k          results wanted, >= 1
 *   ef         HNSW: [k, 2147483647], 0 = k (Milvus's default, "limit"); a smaller one is
 *              refused: "ef(1) should be larger than k(10)"
 *   nprobe     IVF: [1, 65536], 0 = 8; more than nlist probes every list (Milvus accepts it)
 *   refine_k   HNSW_SQ / IVF_RABITQ with refine: candidates re-scored = refine_k * k,
 *              [1, FLT_MAX), 0 = 1
 *   qbits      IVF_RABITQ: rbq_bits_query (knowhere's name; Milvus's docs write rbq_query_bits),
 *              [0, 8]: 0 scores the RaBitQ codes against the float query, 1..8 against the query
 *              quantised to that many bits (popcounts)
 *   pass_hint  the share of the index's rows the filter is expected to pass, (0, 1]; 0 =
 *              unknown. When walking would not pay (pt_index_walk_pays) the search scores the
 *              accepted rows one by one instead (Milvus falls back to brute force when few rows
 *              pass a filter); otherwise IVF probes nprobe / pass_hint lists. */
typedef struct pt_index_search_params {
  uint32_t k;
  uint32_t ef;
  uint32_t nprobe;
  float refine_k;
  float pass_hint;
  uint32_t qbits;
} pt_index_search_params;

/* Whether walking the index for a search with `sp` is expected to score fewer rows than the
 * exact scan of the `pass` rows a filter passes among the `total` rows the index covers (the
 * search's choice between the two; vindex.c and the index's own fallback ask it). A filtered
 * HNSW walk still scores the rejected rows it goes through (they are its roads): to collect ef
 * accepted rows it scores about c x ef / p rows, p = pass / total, each dearer than a row of
 * the scan (heaps, visit marks, scattered reads: about PT_INDEX_WALK_NODE_DIMS dimensions'
 * worth more), so it pays when pass x p >= PT_INDEX_WALK_PER_EF x (1 + PT_INDEX_WALK_NODE_DIMS
 * / dim) x ef (ef: what the search keeps, refine candidates included). IVF scores the nlist
 * centroids and about nprobe x total / nlist accepted rows (nprobe / p lists probed), and looks
 * every row of those lists up in the filter's bitmap, PT_INDEX_WALK_VISITS_PER_SCORE of them
 * the cost of a row scored (without them, a 2 % filter over 100,000 x 128 rows with nlist 1,265
 * probed 400 lists at 1.8x the scan's time, measured through the API). The
 * crossover moves with the size: at 128-d, 100,000 rows and ef 64 the walk pays from about
 * 14 % of the rows passing, at 1,000,000 from about 4 % (Milvus's fixed 7 % walks where the scan
 * is faster, and scans where the walk is). Measured with bench/probe/index.c's `filtered`
 * sweep (the walk is as fast as the scan at about pass x p = 16 ef at 128-d, 50 ef at 16-d);
 * through the API, where a search's fixed costs weigh more at small ef, a 5 % filter over
 * 100,000 x 128 rows walked at ef 10 (pass x p = 25 ef, on the line at 20) at 1.20x the scan
 * with recall@10 0.915, hence 24. */
#define PT_INDEX_WALK_PER_EF 24
#define PT_INDEX_WALK_NODE_DIMS 32
#define PT_INDEX_WALK_VISITS_PER_SCORE 16
bool pt_index_walk_pays(const pt_index_params *p, const pt_index_search_params *sp, uint64_t pass, uint64_t total);

/* Fills `p` with Milvus's defaults for `type` (seed 0). */
void pt_index_params_default(pt_index_params *p, pt_index_type type, pt_index_metric metric, uint32_t dim);

/* Checks build parameters against Milvus's ranges; PT_RANGE with Milvus's message (code 1100). */
pt_status pt_index_params_check(const pt_index_params *p, pt_error *err);

/* ---------------------------------------------------------------------------------------------
 * What an index reads through: rows and a filter
 * ------------------------------------------------------------------------------------------- */

/* The vector of a row the index holds or is given: dim float32s, or for BIN_IVF_FLAT dim / 8
 * bytes (read as bytes: no alignment is promised for them); the pointer must stay
 * valid until the index call that asked for it returns (segments do not move during a call).
 * Never called with a row the caller did not add (a removed HNSW row may still be read: its
 * node stays in the graph as a road). */
typedef struct pt_index_rows {
  const void *(*get)(const void *ctx, uint32_t row);
  const void *ctx;
} pt_index_rows;

/* Whether a row may be returned by a search: the filter's bitmap, deleted rows excluded. NULL
 * (or a NULL `accept`) passes every row the index holds. */
typedef struct pt_index_filter {
  bool (*accept)(const void *ctx, uint32_t row);
  const void *ctx;
} pt_index_filter;

/* A filter over a flat bitmap of row ids (bit set = pass): the shape filter.c's per-segment
 * masks take once gathered. ctx: a pt_index_bits. */
typedef struct pt_index_bits {
  const uint8_t *bits;
  uint32_t n_rows; /* rows at or beyond it do not pass */
} pt_index_bits;
bool pt_index_bits_accept(const void *ctx, uint32_t row);

/* ---------------------------------------------------------------------------------------------
 * The index
 * ------------------------------------------------------------------------------------------- */

typedef struct pt_index pt_index;

/* Creates an empty index. The parameters are copied; they must pass pt_index_params_check
 * (PT_MISUSE otherwise). *out is owned by the caller, freed by pt_index_free. */
pt_status pt_index_new(const pt_index_params *p, pt_index **out);

/* Frees an index and everything it holds; NULL is a no-op. */
void pt_index_free(pt_index *ix);

/* The parameters the index was built with (owned by the index). */
const pt_index_params *pt_index_get_params(const pt_index *ix);

/* Rows in the index (removed ones not counted). */
size_t pt_index_count(const pt_index *ix);

/* Whether `row` is in the index. */
bool pt_index_contains(const pt_index *ix, uint32_t row);

/* Bytes the index holds (its allocations, scratch included); the float rows are not counted. */
size_t pt_index_memory(const pt_index *ix);

/* Adds rows ids[0..n) (their vectors read through `rows`); a row already in the index is
 * replaced. IVF / SQ8 indexes that are not trained yet train on this batch first (k-means on
 * up to 64 rows per list, SQ8 ranges on every row of the batch), as Milvus trains at build.
 * An untrained IVF index refuses a batch of fewer rows than nlist with PT_RANGE (faiss cannot
 * train on fewer points than clusters; Milvus builds no index for so few rows); UINT32_MAX is
 * not a row id (PT_MISUSE). All or nothing: on an error no row was added and the index is as
 * it was. The caller keeps `ids`. Vectors must be finite (the store checks them on write). */
pt_status pt_index_add(pt_index *ix, const pt_index_rows *rows, const uint32_t *ids, size_t n);

/* Forgets a row: it is never returned again. PT_NOT_FOUND when it is not in the index. Cannot
 * fail otherwise and allocates nothing, but for the first removal from an HNSW graph a load left
 * without its row map (where_later), which builds it (PT_NOMEM if it cannot; nothing changed). */
pt_status pt_index_remove(pt_index *ix, uint32_t row);

/* Follows a compaction of the partition (compact.c): remap[r] is row r's new id, or
 * PT_INDEX_NONE when r was dropped; rows at or beyond n_remap are dropped too. Removed HNSW
 * nodes and nodes of dropped rows leave the graph; a node that linked to one re-selects its
 * links among its remaining ones and the dropped node's neighbours (one hop), with the
 * heuristic of an add. `rows` reads vectors by their OLD ids: call it while the old segments
 * are still there. All or nothing: PT_NOMEM leaves the index as it was. */
pt_status pt_index_compact(pt_index *ix, const pt_index_rows *rows, const uint32_t *remap, size_t n_remap);

/* Nodes an HNSW index keeps only as roads (removed rows, replaced versions); 0 for IVF. A
 * caller may compact or rebuild when they outnumber the live rows. */
size_t pt_index_dead(const pt_index *ix);

/* The parameters a search uses: those given (already checked, each once) and the defaults for
 * the rest (ef: k; refine_k: 1; nprobe: 8); PT_RANGE for a k below 1. */
pt_status pt_index_search_complete(const pt_index_params *p, const pt_index_search_params *sp,
                                   pt_index_search_params *out, pt_error *err);

/* The one rule for a given search parameter (what the search API parsed, before it is stored
 * and handed to pt_index_search_complete), knowhere's bounds and messages with Milvus's
 * ": invalid parameter" (PT_RANGE, code 1100):
 *   ef        [1, 2147483647] ("Out of range in json: param 'ef' (-1) should be in range
 *             [1, 2147483647]"), then at least k ("ef(5) should be larger than k(10)"); an ef
 *             covering every node searches exactly (no scratch of ef entries)
 *   nprobe    [1, 65536]
 *   rbq_bits_query / rbq_query_bits  [0, 8]
 *   refine_k  [1, float_max) */
pt_status pt_index_search_int(const char *key, int64_t v, uint32_t k, pt_error *err);
pt_status pt_index_search_refine_k(double v, pt_error *err);

/* Copies a query for a search: COSINE queries are unit-normalised exactly as search.c does
 * (the sum of squares in double, one float multiplier); others are copied. */
void pt_index_prepare_query(pt_index_metric metric, const float *query, float *out, size_t dim);

/* Top-k search for one prepared query (dim floats; BIN_IVF_FLAT: dim / 8 bytes). `sp` must be pt_index_search_complete's
 * output (each value given checked by pt_index_search_int / pt_index_search_refine_k first);
 * `filter` may be NULL. Writes up to sp->k rows and distances (Milvus's values, best first;
 * ties in row order) into ids / distances, which the caller provides with room for sp->k, and
 * their number into *count. PT_NOMEM (search scratch could not grow) leaves the
 * index as it was. */
pt_status pt_index_search(pt_index *ix, const pt_index_rows *rows, const void *query,
                          const pt_index_search_params *sp, const pt_index_filter *filter, uint32_t *ids,
                          float *distances, size_t *count);

/* Writes the index as bytes (the format is in index.c) into a new buffer *out of *len bytes,
 * owned by the caller (pt_free). */
pt_status pt_index_save(const pt_index *ix, uint8_t **out, size_t *len);

/* Reads an index back from bytes written by pt_index_save. The bytes are untrusted: a
 * truncation, a flipped bit, a newer version or a structure that does not hold together is
 * refused with PT_CORRUPT (code 1100, as a snapshot's) or PT_NOMEM, with a message in err;
 * nothing stays allocated then. `summed`: a checksum over all of the bytes has just vouched for
 * them (a snapshot's section or log record), so the index's own CRC is not computed again; every
 * structural check still runs. *out is owned by the caller. The caller keeps `data`. */
pt_status pt_index_load(const uint8_t *data, size_t len, bool summed, pt_index **out, pt_error *err);
/* pt_index_load, for bytes that lie in `block` (pt_block_new; NULL: none): an HNSW graph of
 * format 2 whose arrays are aligned there keeps them where they are (a reference on the block,
 * dropped when the index first changes, hnsw.c) instead of copying them out. */
pt_status pt_index_load_in(const uint8_t *data, size_t len, bool summed, uint8_t *block, pt_index **out, pt_error *err);

/* Whether every row in the index is below `upto` (what a snapshot's partition saved). */
bool pt_index_rows_below(const pt_index *ix, uint32_t upto);

/* ---------------------------------------------------------------------------------------------
 * Shared by index.c, hnsw.c, ivf.c and sq8.c only
 * ------------------------------------------------------------------------------------------- */

#define PT_INDEX_NONE UINT32_MAX

/* The format pt_index_save writes (index.c); pt_index_load reads it and the ones before. */
#define PT_INDEX_FORMAT_VERSION 2u

/* Open-addressed map of u32 keys (row ids) to u32 values; capacity a power of two, load <= 1/2. */
typedef struct pt_u32map {
  uint32_t *keys; /* PT_INDEX_NONE = empty slot */
  uint32_t *vals;
  size_t cap, count;
} pt_u32map;
void pt_u32map_free(pt_u32map *m);
/* Ensures room for `more` further keys without allocating on insert. */
pt_status pt_u32map_reserve(pt_u32map *m, size_t more);
uint32_t pt_u32map_get(const pt_u32map *m, uint32_t key); /* PT_INDEX_NONE when absent */
/* Inserts or overwrites; room must be reserved. */
void pt_u32map_put(pt_u32map *m, uint32_t key, uint32_t val);
/* Inserts a key that is not there yet (one probe, where a get and a put take two); false, and
 * nothing changed, when it is. Room must be reserved. */
bool pt_u32map_put_new(pt_u32map *m, uint32_t key, uint32_t val);
void pt_u32map_del(pt_u32map *m, uint32_t key);

/* A (distance, entry) pair; distances inside are "smaller is better" (similarities negated). */
typedef struct pt_scored {
  float d;
  uint32_t id;
} pt_scored;

/* Binary heaps of pt_scored over caller-grown arrays: the max-heap keeps the best k (its top is
 * the worst kept), the min-heap yields the closest first. Ties order by id. */
void pt_maxheap_push(pt_scored *h, size_t *n, pt_scored x);
void pt_maxheap_pop(pt_scored *h, size_t *n);
/* Replaces the top of a max-heap of n (n > 0) with x: one sift, where a pop and a push take two. */
void pt_maxheap_replace_top(pt_scored *h, size_t n, pt_scored x);
void pt_minheap_push(pt_scored *h, size_t *n, pt_scored x);
void pt_minheap_pop(pt_scored *h, size_t *n);
/* Sorts a max-heap of n into ascending order in place. */
void pt_maxheap_sort(pt_scored *h, size_t n);
static inline bool pt_scored_less(pt_scored a, pt_scored b) { return a.d < b.d || (a.d == b.d && a.id < b.id); }

/* The deterministic generator of every random choice (splitmix64). */
static inline uint64_t pt_index_rand(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Distance of a prepared query to a float row, smaller is better: squared L2, the negated dot
 * product, or the negated cosine (the unit query's dot product over sqrtf(x . x), read in one
 * pass as search.c reads it; 0 for a zero row). */
float pt_index_dist(pt_index_metric m, const float *q, const float *x, size_t dim);
/* pt_index_dist_within for a row of element type `e` (a half row through distance.h's half
 * kernels; COSINE over sqrtf of the row's pt_dist_norm2_half, as search.c's exact scan). */
float pt_index_dist_row(pt_index_elem e, pt_index_metric m, const float *q, const void *x, size_t dim, float bound);
/* A row of element type `e` as dim floats: the row itself (F32), or decoded into buf. */
const float *pt_index_row_floats(pt_index_elem e, const void *x, float *buf, size_t dim);
/* Distance of two binary rows of `bytes` bytes, smaller is better: HAMMING's differing bits, or
 * JACCARD's 1 - |a & b| / |a | b| (search.c's kernels, so that an index search and the exact
 * scan give equal distances). */
float pt_index_bin_dist(pt_index_metric m, const uint8_t *a, const uint8_t *b, size_t bytes);
/* Whether an index type holds binary rows (BIN_IVF_FLAT). */
static inline bool pt_index_binary(pt_index_type t) { return t == PT_INDEX_BIN_IVF_FLAT; }
/* pt_index_dist for a caller that only needs it when it is at most `bound` (a search keeping
 * its best so far): L2 may stop reading early and return some value above `bound`
 * (pt_dist_l2_f32_bounded); a result <= bound is pt_index_dist's, bitwise. */
float pt_index_dist_within(pt_index_metric m, const float *q, const float *x, size_t dim, float bound);

/* SQ8 (sq8.c): per-dimension min / max scalar quantisation to one byte, as Milvus's SQ8
 * (faiss QT_8bit, ranges from the training rows). COSINE rows are encoded unit-normalised. */
typedef struct pt_sq8 {
  uint32_t dim;
  float *vmin;  /* dim */
  float *scale; /* dim: (max - min) / 255 */
} pt_sq8;
/* A query prepared against SQ8 codes: distance(code) = base + kernel(code) */
typedef struct pt_sq8_query {
  float *a;   /* L2: q - vmin; IP / COSINE: q * scale */
  float base; /* IP / COSINE: q . vmin */
} pt_sq8_query;
pt_status pt_sq8_train(pt_sq8 *sq, pt_index_metric m, const pt_index_rows *rows, const uint32_t *ids, size_t n,
                       uint32_t dim);
void pt_sq8_free(pt_sq8 *sq);
/* Ranges saved as vmin then scale (dim floats each, as laid out in memory), checked: finite,
 * scales not negative (PT_CORRUPT naming which in *why; the ranges are `sq`'s either way). */
pt_status pt_sq8_load(pt_sq8 *sq, const uint8_t *src, uint32_t dim, const char **why);
void pt_sq8_encode(const pt_sq8 *sq, pt_index_metric m, const float *x, uint8_t *code);
void pt_sq8_decode(const pt_sq8 *sq, const uint8_t *code, float *x);
/* `a` (dim floats) is owned by the caller. */
void pt_sq8_prepare(const pt_sq8 *sq, pt_index_metric m, const float *q, float *a, pt_sq8_query *out);
float pt_sq8_dist(const pt_sq8 *sq, pt_index_metric m, const pt_sq8_query *q, const uint8_t *code);

/* RaBitQ (rabitq.c): 1 bit a dimension of a row's residual to its IVF centroid, after a seeded
 * random rotation, with two factors per row for the unbiased inner-product estimator (Gao &
 * Long, SIGMOD 2024). `pdim` is the rotated space's dimension: the power of two at or above
 * max(dim, 64) (rows are padded with zeros); a code is pdim / 8 bytes of bits, then two f32
 * factors (PT_RBQ_FACTORS bytes). */
#define PT_RBQ_FACTORS 8
#define PT_RBQ_MAX_QBITS 8
typedef struct pt_rbq {
  uint32_t dim, pdim, words; /* words: pdim / 64 */
  uint8_t *signs;            /* 3 rounds × pdim bits: the rotation's sign flips */
} pt_rbq;
/* The rotation of `seed` for rows of `dim` (PT_NOMEM). */
pt_status pt_rbq_init(pt_rbq *r, uint32_t dim, uint64_t seed);
void pt_rbq_free(pt_rbq *r);
/* Bytes of one row's code: pdim / 8 bits and the factors. */
static inline size_t pt_rbq_code_bytes(const pt_rbq *r) { return r->pdim / 8 + PT_RBQ_FACTORS; }
/* out (pdim floats) = the rotation of x (dim floats, zero-padded). out may not be x. */
void pt_rbq_rotate(const pt_rbq *r, const float *x, float *out);
/* Encodes x (dim floats; unit for COSINE) against its list's centroid c (dim floats) into code;
 * tmp: 2 pdim floats of scratch. */
void pt_rbq_encode(const pt_rbq *r, pt_index_metric m, const float *x, const float *c, float *tmp, uint8_t *code);
/* A query prepared for one list: its residual to the list's centroid, rotated (y), and either a
 * table of y's sums over each 4 dimensions' bit patterns (bits 0: the float query) or y
 * quantised to `bits` bits as bit planes. */
typedef struct pt_rbq_query {
  float base; /* L2: |y|^2; IP / COSINE: -(q . c), given */
  float h;    /* half the sum of y (of its quantised values when bits > 0) */
  float lo, delta;
  uint32_t bits;
  float *lut;       /* pdim / 4 × 16 floats, the caller's */
  uint64_t *planes; /* PT_RBQ_MAX_QBITS × words, the caller's */
} pt_rbq_query;
/* q: the query (dim floats; unit for COSINE), c: the list's centroid; y: 2 pdim floats of the
 * caller's scratch; q->lut / q->planes must be set by the caller. */
void pt_rbq_prepare(const pt_rbq *r, pt_index_metric m, const float *query, const float *c, uint32_t bits, float *y,
                    pt_rbq_query *q);
/* The estimated distance of a code (smaller is better: squared L2, or the negated inner product). */
float pt_rbq_dist(const pt_rbq *r, const pt_rbq_query *q, const uint8_t *code);

/* Buffers grown together, all or nothing (an add that fails leaves every buffer and the bytes
 * in use as they were): each buffer is staged into a fresh block; commit copies the bytes to
 * keep into it and frees the old block; abort frees the fresh blocks. `items` is the caller's
 * array of `cap` entries. */
typedef struct pt_grow_item {
  void **slot;
  void *fresh;
  size_t keep;
} pt_grow_item;
typedef struct pt_grow_set {
  pt_grow_item *items;
  size_t n, cap;
} pt_grow_set;
pt_status pt_grow_stage(pt_grow_set *g, void **slot, size_t keep, size_t bytes);
void pt_grow_commit(pt_grow_set *g);
void pt_grow_abort(pt_grow_set *g);

/* Little-endian byte writing (measuring when p is NULL) and bounds-checked reading. */
typedef struct pt_ibuf {
  uint8_t *p;
  size_t at;
} pt_ibuf;
void pt_ibuf_put(pt_ibuf *w, const void *src, size_t n);
void pt_ibuf_u32(pt_ibuf *w, uint32_t v);
void pt_ibuf_u64(pt_ibuf *w, uint64_t v);
void pt_ibuf_f32s(pt_ibuf *w, const float *v, size_t n);
void pt_ibuf_u32s(pt_ibuf *w, const uint32_t *v, size_t n);
typedef struct pt_irdr {
  const uint8_t *p;
  size_t len, at;
  bool bad; /* a read went past the end: every later read gives zeros */
} pt_irdr;
uint32_t pt_irdr_u32(pt_irdr *r);
uint64_t pt_irdr_u64(pt_irdr *r);
/* The next n bytes, or NULL (and r->bad) when fewer remain. */
const uint8_t *pt_irdr_bytes(pt_irdr *r, size_t n);
/* Reads n floats / u32s into dst; false when fewer remain or (floats) one is not finite. */
bool pt_irdr_f32s(pt_irdr *r, float *dst, size_t n);
bool pt_irdr_u32s(pt_irdr *r, uint32_t *dst, size_t n);
/* Whether n items of `size` bytes can still be read (checked before allocating for them). */
bool pt_irdr_room(const pt_irdr *r, size_t n, size_t size);

/* The per-algorithm halves (hnsw.c, ivf.c). Each is given the common index; `add` must be all
 * or nothing; `save` writes (or measures) the algorithm's payload; `load` reads and validates
 * it (returning a message in *why on refusal). */
typedef struct pt_hnsw pt_hnsw;
typedef struct pt_ivf pt_ivf;

struct pt_index {
  pt_index_params p;
  pt_u32map where; /* row → HNSW node / IVF list */
  bool where_later; /* HNSW after a load: `where` is empty until the next add or removal builds
                       it from the nodes (pt_hnsw_where_build); count and contains read the
                       nodes meanwhile */
  pt_hnsw *hnsw;
  pt_ivf *ivf;
  /* the search's result heap, grown on demand */
  pt_scored *res;
  size_t res_cap;
  float *qbuf; /* dim floats of query scratch */
};

pt_status pt_hnsw_new(pt_index *ix);
void pt_hnsw_free(pt_hnsw *h);
size_t pt_hnsw_memory(const pt_hnsw *h);
size_t pt_hnsw_count(const pt_hnsw *h);
pt_status pt_hnsw_add(pt_index *ix, const pt_index_rows *rows, const uint32_t *ids, size_t n);
void pt_hnsw_remove(pt_index *ix, uint32_t node);
pt_status pt_hnsw_compact(pt_index *ix, const pt_index_rows *rows, const uint32_t *remap, size_t n_remap);
size_t pt_hnsw_dead(const pt_hnsw *h);
pt_status pt_hnsw_search(pt_index *ix, const pt_index_rows *rows, const float *q, const pt_index_search_params *sp,
                         const pt_index_filter *f, pt_scored **out, size_t *count);
void pt_hnsw_save(const pt_index *ix, pt_ibuf *w);
/* `version`: the index format's (1: link lists as counted, copied; 2: as laid out in memory,
 * kept in `block` when it is given and they are aligned there). */
pt_status pt_hnsw_load(pt_index *ix, pt_irdr *r, uint32_t version, uint8_t *block, const char **why);
/* Builds the row map a load left to later (ix->where_later; nothing otherwise). */
pt_status pt_hnsw_where_build(pt_index *ix);
/* The node of `row` by a walk over the nodes (when `where` is not built), or PT_INDEX_NONE. */
uint32_t pt_hnsw_node_of(const pt_hnsw *h, uint32_t row);
bool pt_hnsw_rows_below(const pt_hnsw *h, uint32_t upto);

pt_status pt_ivf_new(pt_index *ix);
void pt_ivf_free(pt_ivf *v);
size_t pt_ivf_memory(const pt_ivf *v);
size_t pt_ivf_count(const pt_ivf *v);
pt_status pt_ivf_add(pt_index *ix, const pt_index_rows *rows, const uint32_t *ids, size_t n);
void pt_ivf_remove(pt_index *ix, uint32_t list, uint32_t row);
pt_status pt_ivf_compact(pt_index *ix, const uint32_t *remap, size_t n_remap);
pt_status pt_ivf_search(pt_index *ix, const pt_index_rows *rows, const void *q, const pt_index_search_params *sp,
                        const pt_index_filter *f, pt_scored **out, size_t *count);
void pt_ivf_save(const pt_index *ix, pt_ibuf *w);
pt_status pt_ivf_load(pt_index *ix, pt_irdr *r, const char **why);

/* Grows the index's result heap to hold `n` entries. */
pt_status pt_index_res_reserve(pt_index *ix, size_t n);

/* Offers (d, id) to a bounded max-heap of the best `k`. */
static inline void pt_topk_offer(pt_scored *h, size_t *n, size_t k, pt_scored x) {
  if (*n < k) {
    pt_maxheap_push(h, n, x);
  } else if (k > 0 && pt_scored_less(x, h[0])) {
    pt_maxheap_replace_top(h, *n, x);
  }
}

#endif /* PT_INDEX_H */
