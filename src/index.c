/*
 * index.c — what the vector indexes share (index.h): Milvus's parameters and their checks, the
 * row → entry map, the heaps of scored entries, the float distances, the entry points that
 * dispatch to HNSW (hnsw.c) or IVF (ivf.c), and the byte format of a saved index.
 *
 * THE FORMAT (version 2). Every integer is little-endian, floats are IEEE-754 binary32; there is
 * no padding (the header is 56 bytes: u32 arrays at a multiple of 4 from the index's start are
 * 4-aligned wherever the index starts 4-aligned, which a snapshot makes sure of).
 *
 *   magic      8   89 50 54 49 0D 0A 1A 0A ("\x89PTI\r\n\x1a\n", the snapshot's pattern)
 *   version    u32 PT_INDEX_FORMAT_VERSION; a reader refuses a newer one
 *   length     u64 bytes of the whole index, this header and the final CRC included
 *   type       u32 pt_index_type
 *   metric     u32 pt_index_metric
 *   dim        u32
 *   M          u32 \
 *   efc        u32  | the build parameters (pt_index_params), checked as a new index's are
 *   nlist      u32  |
 *   flags      u32 /  bit 0: refine; bit 1: float16 rows, bit 2: bfloat16 rows (HNSW); bits 3-4:
 *                     the refine type (pt_index_refine, IVF_RABITQ); a reader refuses bits it
 *                     does not know, bits 1 and 2 together, and a refine type params_check does
 *   seed       u64
 *   payload        the algorithm's (hnsw.c, ivf.c describe theirs)
 *   crc        u32 CRC-32 (IEEE 802.3, as zlib's and the snapshot's) of every byte before it
 *
 * Version 1 (partita before 2026-12-07; still read) differs in HNSW's payload only: link lists
 * as counted, where version 2 lays them out as they are in memory (hnsw.c), so that a load can
 * keep them in the bytes it read.
 *
 * HOW LOADING STAYS SAFE
 *   1. The length, magic, version and CRC are checked before anything is read: a truncation, a
 *      flipped bit, a foreign file or a newer version is refused by name, allocating nothing.
 *   2. A CRC stops accidents, not forgeries: the payload is then read as untrusted. Every count
 *      is checked against the bytes that remain before anything is allocated for it, every id
 *      that points inside the index against its bounds, every float for finiteness, and a row
 *      may be in the index once only.
 *   3. Only canonical bytes are accepted (no byte left over, no unknown flag, unused bits zero),
 *      so what loads saves back to the very same bytes (the fuzz target's oracle).
 */
#include "index.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

#include "crc32.h"
#include "distance.h"
#include "half.h"
#include "pkindex.h"

#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "index.c writes floats and u32s as stored: it assumes a little-endian host (wasm32, x86, ARM)"
#endif

#define HEADER_BYTES 60u /* magic .. seed */
#define FLAG_REFINE 1u
#define FLAG_F16 2u  /* pt_index_elem PT_INDEX_F16 */
#define FLAG_BF16 4u /* PT_INDEX_BF16 */
#define FLAG_RTYPE_SHIFT 3u /* bits 3-4: pt_index_refine (IVF_RABITQ) */
#define FLAG_RTYPE (3u << FLAG_RTYPE_SHIFT)

static const uint8_t MAGIC[8] = {0x89, 'P', 'T', 'I', '\r', '\n', 0x1a, '\n'};


/* ============================================================================================
 * Parameters
 * ========================================================================================== */

void pt_index_params_default(pt_index_params *p, pt_index_type type, pt_index_metric metric, uint32_t dim) {
  memset(p, 0, sizeof *p);
  p->type = type;
  p->metric = metric;
  p->dim = dim;
  p->M = PT_INDEX_M_DEFAULT;
  p->ef_construction = PT_INDEX_EFC_DEFAULT;
  p->nlist = PT_INDEX_NLIST_DEFAULT;
}

/* knowhere's range message (src/config.h), which Milvus returns for a parameter out of range. */
static pt_status out_of_range(pt_error *err, const char *name, int64_t v, int64_t lo, int64_t hi) {
  return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                 "Out of range in json: param '%s' (%lld) should be in range [%lld, %lld]" PT_INVALID_PARAMETER, name,
                 (long long)v, (long long)lo, (long long)hi);
}

static bool is_hnsw(pt_index_type t) { return t == PT_INDEX_HNSW || t == PT_INDEX_HNSW_SQ; }
static bool is_ivf(pt_index_type t) {
  return t == PT_INDEX_IVF_FLAT || t == PT_INDEX_IVF_SQ8 || t == PT_INDEX_BIN_IVF_FLAT || t == PT_INDEX_IVF_RABITQ;
}

pt_status pt_index_params_check(const pt_index_params *p, pt_error *err) {
  if (!is_hnsw(p->type) && !is_ivf(p->type))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "unknown index type %d", (int)p->type);
  /* binary rows take the binary metrics, float rows the float ones */
  bool bin_metric = p->metric == PT_INDEX_HAMMING || p->metric == PT_INDEX_JACCARD;
  if ((p->metric != PT_INDEX_L2 && p->metric != PT_INDEX_IP && p->metric != PT_INDEX_COSINE && !bin_metric) ||
      bin_metric != pt_index_binary(p->type))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "metric %d is not one of index type %d's",
                   (int)p->metric, (int)p->type);
  if (p->dim < 1 || p->dim > PT_INDEX_DIM_MAX) return out_of_range(err, "dim", p->dim, 1, PT_INDEX_DIM_MAX);
  if ((p->elem != PT_INDEX_F32 && p->type != PT_INDEX_HNSW) || p->elem > PT_INDEX_BF16)
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "element type %d is for HNSW only", (int)p->elem);
  if (pt_index_binary(p->type) && p->dim % 8)
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "a binary vector's dim must be a multiple of 8, not %u", p->dim);
  if (is_hnsw(p->type)) {
    if (p->M < PT_INDEX_M_MIN || p->M > PT_INDEX_M_MAX) return out_of_range(err, "M", p->M, PT_INDEX_M_MIN, PT_INDEX_M_MAX);
    if (p->ef_construction < 1 || p->ef_construction > PT_INDEX_EFC_MAX)
      return out_of_range(err, "efConstruction", p->ef_construction, 1, PT_INDEX_EFC_MAX);
  } else if (p->nlist < 1 || p->nlist > PT_INDEX_NLIST_MAX) {
    return out_of_range(err, "nlist", p->nlist, 1, PT_INDEX_NLIST_MAX);
  }
  if (p->refine && p->type != PT_INDEX_HNSW_SQ && p->type != PT_INDEX_IVF_RABITQ)
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "refine is for HNSW_SQ and IVF_RABITQ only");
  if (p->refine_type > PT_REFINE_BF16 || (p->refine_type != PT_REFINE_FP32 && !(p->refine && p->type == PT_INDEX_IVF_RABITQ)))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "refine type %d is for IVF_RABITQ with refine only", (int)p->refine_type);
  pt_error_clear(err);
  return PT_OK;
}

pt_status pt_index_search_int(const char *key, int64_t v, uint32_t k, pt_error *err) {
  if (strcmp(key, "ef") == 0) {
    /* knowhere's HnswConfig: ef in [1, INT32_MAX], then not below k */
    if (v < 1 || v > INT32_MAX) return out_of_range(err, key, v, 1, INT32_MAX);
    if (v < (int64_t)k)
      return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "ef(%lld) should be larger than k(%u)" PT_INVALID_PARAMETER, (long long)v, k);
    return PT_OK;
  }
  if (strcmp(key, "rbq_bits_query") == 0 || strcmp(key, "rbq_query_bits") == 0)
    return v < 0 || v > PT_RBQ_MAX_QBITS ? out_of_range(err, key, v, 0, PT_RBQ_MAX_QBITS) : PT_OK;
  if (v < 1 || v > PT_INDEX_NLIST_MAX) return out_of_range(err, key, v, 1, PT_INDEX_NLIST_MAX); /* nprobe */
  return PT_OK;
}

pt_status pt_index_search_refine_k(double v, pt_error *err) {
  if (v >= 1 && v <= FLT_MAX) return PT_OK;
  return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                 "Out of range in json: param 'refine_k' (%g) should be in range [1, float_max)" PT_INVALID_PARAMETER, v);
}

pt_status pt_index_search_complete(const pt_index_params *p, const pt_index_search_params *sp,
                                   pt_index_search_params *out, pt_error *err) {
  *out = *sp;
  if (sp->k < 1) return out_of_range(err, "topk", sp->k, 1, INT32_MAX);
  if (is_hnsw(p->type)) {
    if (out->ef == 0) out->ef = sp->k; /* knowhere: ef defaults to k */
    if (out->refine_k == 0) out->refine_k = 1;
  } else {
    if (out->nprobe == 0) out->nprobe = PT_INDEX_NPROBE_DEFAULT;
    if (out->refine_k == 0) out->refine_k = 1;
  }
  if (p->type != PT_INDEX_IVF_RABITQ) out->qbits = 0;
  if (!(out->pass_hint >= 0 && out->pass_hint <= 1)) out->pass_hint = 0;
  pt_error_clear(err);
  return PT_OK;
}

/* ============================================================================================
 * Distances
 * ========================================================================================== */

float pt_index_dist(pt_index_metric m, const float *q, const float *x, size_t dim) {
  switch (m) {
  case PT_INDEX_IP: return -pt_dist_dot_f32(q, x, dim);
  case PT_INDEX_COSINE: {
    /* search.c's COSINE: the unit query's dot product over sqrtf(x . x), 0 for a zero row */
    float nn, dot = pt_dist_dot_norm_f32(q, x, dim, &nn);
    return nn > 0 ? -(dot / sqrtf(nn)) : -0.0f;
  }
  case PT_INDEX_L2:
  default: return pt_dist_l2_f32(q, x, dim);
  }
}

float pt_index_dist_row(pt_index_elem e, pt_index_metric m, const float *q, const void *x, size_t dim, float bound) {
  if (e == PT_INDEX_F32) return pt_index_dist_within(m, q, x, dim, bound);
  bool bf = e == PT_INDEX_BF16;
  if (m == PT_INDEX_L2) return bf ? pt_dist_l2_bf16(q, x, dim) : pt_dist_l2_f16(q, x, dim);
  float dot = bf ? pt_dist_dot_bf16(q, x, dim) : pt_dist_dot_f16(q, x, dim);
  if (m == PT_INDEX_IP) return -dot;
  float nn = pt_dist_norm2_half(x, dim, bf); /* COSINE: search.c's score_rows */
  return nn > 0 ? -(dot / sqrtf(nn)) : -0.0f;
}

const float *pt_index_row_floats(pt_index_elem e, const void *x, float *buf, size_t dim) {
  if (e == PT_INDEX_F32) return x;
  const uint16_t *h = x;
  for (size_t d = 0; d < dim; d++) buf[d] = e == PT_INDEX_BF16 ? pt_bf16_to_f32(h[d]) : pt_f16_to_f32(h[d]);
  return buf;
}

float pt_index_bin_dist(pt_index_metric m, const uint8_t *a, const uint8_t *b, size_t bytes) {
  return m == PT_INDEX_HAMMING ? (float)pt_dist_hamming(a, b, bytes) : pt_dist_jaccard(a, b, bytes);
}

float pt_index_dist_within(pt_index_metric m, const float *q, const float *x, size_t dim, float bound) {
  return m == PT_INDEX_L2 ? pt_dist_l2_f32_bounded(q, x, dim, bound) : pt_index_dist(m, q, x, dim);
}

void pt_index_prepare_query(pt_index_metric metric, const float *query, float *out, size_t dim) {
  if (out != query) memcpy(out, query, dim * sizeof *out);
  if (metric != PT_INDEX_COSINE) return;
  /* as search.c normalises a COSINE query */
  double n = 0;
  for (size_t j = 0; j < dim; j++) n += (double)out[j] * out[j];
  if (n > 0) {
    float inv = (float)(1.0 / sqrt(n));
    for (size_t j = 0; j < dim; j++) out[j] *= inv;
  }
}

bool pt_index_bits_accept(const void *ctx, uint32_t row) {
  const pt_index_bits *b = ctx;
  return row < b->n_rows && ((b->bits[row >> 3] >> (row & 7)) & 1u);
}

/* ============================================================================================
 * The row map: linear probing, deletion by backward shift (no tombstones)
 * ========================================================================================== */

static size_t slot_of(uint32_t key, size_t cap) { return (size_t)pt_hash_u64(key) & (cap - 1); }

void pt_u32map_free(pt_u32map *m) {
  pt_free(m->keys);
  pt_free(m->vals);
  memset(m, 0, sizeof *m);
}

pt_status pt_u32map_reserve(pt_u32map *m, size_t more) {
  size_t need;
  if (!pt_add_ok(m->count, more, &need)) return PT_NOMEM;
  if (need <= m->cap / 2) return PT_OK;
  size_t cap = m->cap ? m->cap : 16;
  while (need > cap / 2) {
    if (cap > SIZE_MAX / 2 / sizeof(uint32_t)) return PT_NOMEM;
    cap *= 2;
  }
  uint32_t *keys = pt_malloc(cap * sizeof *keys), *vals = pt_malloc(cap * sizeof *vals);
  if (!keys || !vals) {
    pt_free(keys);
    pt_free(vals);
    return PT_NOMEM;
  }
  memset(keys, 0xff, cap * sizeof *keys);
  for (size_t i = 0; i < m->cap; i++) {
    if (m->keys[i] == PT_INDEX_NONE) continue;
    size_t j = slot_of(m->keys[i], cap);
    while (keys[j] != PT_INDEX_NONE) j = (j + 1) & (cap - 1);
    keys[j] = m->keys[i];
    vals[j] = m->vals[i];
  }
  pt_free(m->keys);
  pt_free(m->vals);
  m->keys = keys;
  m->vals = vals;
  m->cap = cap;
  return PT_OK;
}

/* The slot holding `key`, or the empty slot where it would go. Needs cap > 0. */
static size_t find_slot(const pt_u32map *m, uint32_t key) {
  size_t j = slot_of(key, m->cap);
  while (m->keys[j] != PT_INDEX_NONE && m->keys[j] != key) j = (j + 1) & (m->cap - 1);
  return j;
}

uint32_t pt_u32map_get(const pt_u32map *m, uint32_t key) {
  if (!m->cap || key == PT_INDEX_NONE) return PT_INDEX_NONE;
  size_t j = find_slot(m, key);
  return m->keys[j] == key ? m->vals[j] : PT_INDEX_NONE;
}

void pt_u32map_put(pt_u32map *m, uint32_t key, uint32_t val) {
  pt_assert(m->cap && m->count < m->cap / 2 + 1 && key != PT_INDEX_NONE);
  size_t j = find_slot(m, key);
  if (m->keys[j] == PT_INDEX_NONE) {
    m->keys[j] = key;
    m->count++;
  }
  m->vals[j] = val;
}

bool pt_u32map_put_new(pt_u32map *m, uint32_t key, uint32_t val) {
  pt_assert(m->cap && m->count < m->cap / 2 + 1 && key != PT_INDEX_NONE);
  size_t j = find_slot(m, key);
  if (m->keys[j] != PT_INDEX_NONE) return false;
  m->keys[j] = key;
  m->vals[j] = val;
  m->count++;
  return true;
}

void pt_u32map_del(pt_u32map *m, uint32_t key) {
  if (!m->cap || key == PT_INDEX_NONE) return;
  size_t mask = m->cap - 1, j = find_slot(m, key);
  if (m->keys[j] != key) return;
  m->count--;
  /* shift later members of the run back into the hole when their home allows it */
  for (size_t k = (j + 1) & mask;; k = (k + 1) & mask) {
    if (m->keys[k] == PT_INDEX_NONE) break;
    size_t home = slot_of(m->keys[k], m->cap);
    bool movable = j <= k ? (home <= j || home > k) : (home <= j && home > k);
    if (movable) {
      m->keys[j] = m->keys[k];
      m->vals[j] = m->vals[k];
      j = k;
    }
  }
  m->keys[j] = PT_INDEX_NONE;
}

/* ============================================================================================
 * Heaps of scored entries
 * ========================================================================================== */

void pt_maxheap_push(pt_scored *h, size_t *n, pt_scored x) {
  size_t i = (*n)++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!pt_scored_less(h[p], x)) break;
    h[i] = h[p];
    i = p;
  }
  h[i] = x;
}

/* Moves the last element down from the root; `less(a, b)` is the heap's "a goes below b". */
static void sift_down(pt_scored *h, size_t n, bool max) {
  if (n == 0) return;
  pt_scored x = h[0];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && (max ? pt_scored_less(h[c], h[c + 1]) : pt_scored_less(h[c + 1], h[c]))) c++;
    if (max ? !pt_scored_less(x, h[c]) : !pt_scored_less(h[c], x)) break;
    h[i] = h[c];
    i = c;
  }
  h[i] = x;
}

void pt_maxheap_pop(pt_scored *h, size_t *n) {
  if (*n == 0) return;
  h[0] = h[--*n];
  sift_down(h, *n, true);
}

void pt_maxheap_replace_top(pt_scored *h, size_t n, pt_scored x) {
  h[0] = x;
  sift_down(h, n, true);
}

void pt_minheap_push(pt_scored *h, size_t *n, pt_scored x) {
  size_t i = (*n)++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!pt_scored_less(x, h[p])) break;
    h[i] = h[p];
    i = p;
  }
  h[i] = x;
}

void pt_minheap_pop(pt_scored *h, size_t *n) {
  if (*n == 0) return;
  h[0] = h[--*n];
  sift_down(h, *n, false);
}

void pt_maxheap_sort(pt_scored *h, size_t n) {
  while (n > 1) {
    pt_scored top = h[0];
    h[0] = h[n - 1];
    sift_down(h, n - 1, true);
    h[--n] = top;
  }
}

/* ============================================================================================
 * Buffers grown together
 * ========================================================================================== */

pt_status pt_grow_stage(pt_grow_set *g, void **slot, size_t keep, size_t bytes) {
  pt_assert(g->n < g->cap && keep <= bytes);
  void *fresh = pt_malloc(bytes ? bytes : 1);
  if (!fresh) return PT_NOMEM;
  g->items[g->n++] = (pt_grow_item){slot, fresh, keep};
  return PT_OK;
}

void pt_grow_commit(pt_grow_set *g) {
  for (size_t i = 0; i < g->n; i++) {
    pt_grow_item *it = &g->items[i];
    if (it->keep) memcpy(it->fresh, *it->slot, it->keep);
    pt_free(*it->slot);
    *it->slot = it->fresh;
  }
  g->n = 0;
}

void pt_grow_abort(pt_grow_set *g) {
  for (size_t i = 0; i < g->n; i++) pt_free(g->items[i].fresh);
  g->n = 0;
}

pt_status pt_index_res_reserve(pt_index *ix, size_t n) {
  return n <= ix->res_cap ? PT_OK : PT_GROW(&ix->res, &ix->res_cap, n);
}

/* ============================================================================================
 * The index
 * ========================================================================================== */

pt_status pt_index_new(const pt_index_params *p, pt_index **out) {
  *out = NULL;
  if (pt_index_params_check(p, NULL) != PT_OK) return PT_MISUSE;
  pt_index *ix = pt_calloc(1, sizeof *ix);
  if (!ix) return PT_NOMEM;
  ix->p = *p;
  pt_status rc = PT_NOMEM;
  if (!(ix->qbuf = pt_malloc(p->dim * sizeof *ix->qbuf))) goto fail;
  rc = is_hnsw(p->type) ? pt_hnsw_new(ix) : pt_ivf_new(ix);
  if (rc != PT_OK) goto fail;
  *out = ix;
  return PT_OK;
fail:
  pt_index_free(ix);
  return rc;
}

void pt_index_free(pt_index *ix) {
  if (!ix) return;
  pt_hnsw_free(ix->hnsw);
  pt_ivf_free(ix->ivf);
  pt_u32map_free(&ix->where);
  pt_free(ix->res);
  pt_free(ix->qbuf);
  pt_free(ix);
}

const pt_index_params *pt_index_get_params(const pt_index *ix) { return &ix->p; }

size_t pt_index_count(const pt_index *ix) { return ix->where_later ? pt_hnsw_count(ix->hnsw) : ix->where.count; }

bool pt_index_contains(const pt_index *ix, uint32_t row) {
  uint32_t at = ix->where_later ? pt_hnsw_node_of(ix->hnsw, row) : pt_u32map_get(&ix->where, row);
  return at != PT_INDEX_NONE;
}

bool pt_index_rows_below(const pt_index *ix, uint32_t upto) {
  if (ix->hnsw) return pt_hnsw_rows_below(ix->hnsw, upto);
  for (size_t k = 0; k < ix->where.cap; k++)
    if (ix->where.keys[k] != PT_INDEX_NONE && ix->where.keys[k] >= upto) return false;
  return true;
}

size_t pt_index_memory(const pt_index *ix) {
  size_t b = sizeof *ix + ix->p.dim * sizeof(float) + ix->res_cap * sizeof(pt_scored) +
             ix->where.cap * 2 * sizeof(uint32_t);
  return b + (ix->hnsw ? pt_hnsw_memory(ix->hnsw) : 0) + (ix->ivf ? pt_ivf_memory(ix->ivf) : 0);
}

pt_status pt_index_add(pt_index *ix, const pt_index_rows *rows, const uint32_t *ids, size_t n) {
  if (n == 0) return PT_OK;
  for (size_t i = 0; i < n; i++)
    if (ids[i] == PT_INDEX_NONE) return PT_MISUSE; /* UINT32_MAX is never a row id (PT_NO_ROW) */
  return ix->hnsw ? pt_hnsw_add(ix, rows, ids, n) : pt_ivf_add(ix, rows, ids, n);
}

pt_status pt_index_remove(pt_index *ix, uint32_t row) {
  pt_status rc = ix->hnsw ? pt_hnsw_where_build(ix) : PT_OK; /* once, not a walk over the nodes a removal */
  if (rc != PT_OK) return rc;
  uint32_t at = pt_u32map_get(&ix->where, row);
  if (at == PT_INDEX_NONE) return PT_NOT_FOUND;
  if (ix->hnsw) pt_hnsw_remove(ix, at);
  else pt_ivf_remove(ix, at, row);
  pt_u32map_del(&ix->where, row);
  return PT_OK;
}

pt_status pt_index_compact(pt_index *ix, const pt_index_rows *rows, const uint32_t *remap, size_t n_remap) {
  return ix->hnsw ? pt_hnsw_compact(ix, rows, remap, n_remap) : pt_ivf_compact(ix, remap, n_remap);
}

size_t pt_index_dead(const pt_index *ix) { return ix->hnsw ? pt_hnsw_dead(ix->hnsw) : 0; }

bool pt_index_walk_pays(const pt_index_params *p, const pt_index_search_params *sp, uint64_t pass, uint64_t total) {
  if (pass == 0 || total == 0) return false;
  double share = (double)pass / (double)total;
  if (is_hnsw(p->type)) {
    double ef = sp->ef > sp->k ? sp->ef : sp->k, kept = p->refine ? ceil((double)sp->refine_k * sp->k) : 0;
    if (kept > ef) ef = kept;
    return (double)pass * share >= PT_INDEX_WALK_PER_EF * (1 + (double)PT_INDEX_WALK_NODE_DIMS / p->dim) * ef;
  }
  /* IVF: the centroids, the accepted rows of the lists probed, and a look at every row of them */
  double per_list = (double)total / p->nlist, lists = ceil((double)sp->nprobe / share);
  if (lists > p->nlist) lists = p->nlist;
  return (double)p->nlist + (double)sp->nprobe * per_list + lists * per_list / PT_INDEX_WALK_VISITS_PER_SCORE <
         (double)pass;
}

pt_status pt_index_search(pt_index *ix, const pt_index_rows *rows, const void *query,
                          const pt_index_search_params *sp, const pt_index_filter *filter, uint32_t *ids,
                          float *distances, size_t *count) {
  *count = 0;
  if (filter && !filter->accept) filter = NULL;
  pt_scored *best = NULL;
  size_t n = 0;
  pt_status rc = ix->hnsw ? pt_hnsw_search(ix, rows, query, sp, filter, &best, &n)
                          : pt_ivf_search(ix, rows, query, sp, filter, &best, &n);
  if (rc != PT_OK) return rc;
  /* `best` is a max-heap of (distance, row): sorted, it is best first with ties in row order */
  pt_maxheap_sort(best, n);
  bool similarity = ix->p.metric == PT_INDEX_IP || ix->p.metric == PT_INDEX_COSINE;
  for (size_t i = 0; i < n; i++) {
    ids[i] = best[i].id;
    distances[i] = similarity ? -best[i].d : best[i].d;
  }
  *count = n;
  return PT_OK;
}

/* ============================================================================================
 * Bytes
 * ========================================================================================== */

void pt_ibuf_put(pt_ibuf *w, const void *src, size_t n) {
  if (w->p && n) memcpy(w->p + w->at, src, n);
  w->at += n;
}

void pt_ibuf_u32(pt_ibuf *w, uint32_t v) { pt_ibuf_put(w, &v, 4); }
void pt_ibuf_u64(pt_ibuf *w, uint64_t v) { pt_ibuf_put(w, &v, 8); }
void pt_ibuf_f32s(pt_ibuf *w, const float *v, size_t n) { pt_ibuf_put(w, v, n * sizeof *v); }
void pt_ibuf_u32s(pt_ibuf *w, const uint32_t *v, size_t n) { pt_ibuf_put(w, v, n * sizeof *v); }

const uint8_t *pt_irdr_bytes(pt_irdr *r, size_t n) {
  if (r->bad || n > r->len - r->at) {
    r->bad = true;
    return NULL;
  }
  const uint8_t *p = r->p + r->at;
  r->at += n;
  return p;
}

uint32_t pt_irdr_u32(pt_irdr *r) {
  uint32_t v = 0;
  const uint8_t *p = pt_irdr_bytes(r, 4);
  if (p) memcpy(&v, p, 4);
  return v;
}

uint64_t pt_irdr_u64(pt_irdr *r) {
  uint64_t v = 0;
  const uint8_t *p = pt_irdr_bytes(r, 8);
  if (p) memcpy(&v, p, 8);
  return v;
}

bool pt_irdr_room(const pt_irdr *r, size_t n, size_t size) {
  size_t bytes;
  return !r->bad && pt_mul_ok(n, size, &bytes) && bytes <= r->len - r->at;
}

bool pt_irdr_f32s(pt_irdr *r, float *dst, size_t n) {
  if (!pt_irdr_room(r, n, sizeof *dst)) return (r->bad = true, false);
  if (n == 0) return true;
  memcpy(dst, pt_irdr_bytes(r, n * sizeof *dst), n * sizeof *dst);
  for (size_t i = 0; i < n; i++)
    if (!isfinite(dst[i])) return false;
  return true;
}

bool pt_irdr_u32s(pt_irdr *r, uint32_t *dst, size_t n) {
  if (!pt_irdr_room(r, n, sizeof *dst)) return (r->bad = true, false);
  if (n == 0) return true;
  memcpy(dst, pt_irdr_bytes(r, n * sizeof *dst), n * sizeof *dst);
  return true;
}

/* Writes (or, with w->p NULL, measures) the whole index. */
static void write_index(const pt_index *ix, pt_ibuf *w) {
  pt_ibuf_put(w, MAGIC, sizeof MAGIC);
  pt_ibuf_u32(w, PT_INDEX_FORMAT_VERSION);
  pt_ibuf_u64(w, 0); /* the length, filled in once known */
  pt_ibuf_u32(w, (uint32_t)ix->p.type);
  pt_ibuf_u32(w, (uint32_t)ix->p.metric);
  pt_ibuf_u32(w, ix->p.dim);
  pt_ibuf_u32(w, ix->p.M);
  pt_ibuf_u32(w, ix->p.ef_construction);
  pt_ibuf_u32(w, ix->p.nlist);
  pt_ibuf_u32(w, (ix->p.refine ? FLAG_REFINE : 0) | (ix->p.elem == PT_INDEX_F16 ? FLAG_F16 : 0) |
                    (ix->p.elem == PT_INDEX_BF16 ? FLAG_BF16 : 0) | ((uint32_t)ix->p.refine_type << FLAG_RTYPE_SHIFT));
  pt_ibuf_u64(w, ix->p.seed);
  if (ix->hnsw) pt_hnsw_save(ix, w);
  else pt_ivf_save(ix, w);
}

pt_status pt_index_save(const pt_index *ix, uint8_t **out, size_t *len) {
  *out = NULL;
  *len = 0;
  pt_ibuf w = {NULL, 0};
  write_index(ix, &w);
  size_t total;
  if (!pt_add_ok(w.at, 4, &total)) return PT_NOMEM;
  uint8_t *buf = pt_malloc(total);
  if (!buf) return PT_NOMEM;
  w.p = buf;
  w.at = 0;
  write_index(ix, &w);
  uint64_t total64 = total;
  memcpy(buf + 12, &total64, 8);
  uint32_t crc = pt_crc32(buf, total - 4);
  memcpy(buf + total - 4, &crc, 4);
  *out = buf;
  *len = total;
  return PT_OK;
}

#define CORRUPT(err, ...) pt_fail(err, PT_CORRUPT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, __VA_ARGS__)

pt_status pt_index_load(const uint8_t *data, size_t len, bool summed, pt_index **out, pt_error *err) {
  return pt_index_load_in(data, len, summed, NULL, out, err);
}

pt_status pt_index_load_in(const uint8_t *data, size_t len, bool summed, uint8_t *block, pt_index **out, pt_error *err) {
  *out = NULL;
  /* 1. the frame: length, magic, version, CRC */
  if (len < HEADER_BYTES + 4) return CORRUPT(err, "index bytes truncated: %zu bytes", len);
  if (memcmp(data, MAGIC, sizeof MAGIC) != 0) return CORRUPT(err, "not a partita index (bad magic)");
  pt_irdr r = {data, len, sizeof MAGIC, false};
  uint32_t version = pt_irdr_u32(&r);
  if (version > PT_INDEX_FORMAT_VERSION || version == 0)
    return CORRUPT(err, "index format version %u is not supported (this build reads up to %u)", version,
                   PT_INDEX_FORMAT_VERSION);
  uint64_t total = pt_irdr_u64(&r);
  if (total != len) return CORRUPT(err, "index bytes truncated or padded: %zu bytes, the header says %llu", len,
                                   (unsigned long long)total);
  uint32_t crc;
  memcpy(&crc, data + len - 4, 4);
  if (!summed && crc != pt_crc32(data, len - 4)) return CORRUPT(err, "index bytes corrupted (CRC mismatch)");
  /* 2. the parameters, checked as a new index's are */
  pt_index_params p;
  memset(&p, 0, sizeof p);
  p.type = (pt_index_type)pt_irdr_u32(&r);
  p.metric = (pt_index_metric)pt_irdr_u32(&r);
  p.dim = pt_irdr_u32(&r);
  p.M = pt_irdr_u32(&r);
  p.ef_construction = pt_irdr_u32(&r);
  p.nlist = pt_irdr_u32(&r);
  uint32_t flags = pt_irdr_u32(&r);
  p.seed = pt_irdr_u64(&r);
  p.refine = (flags & FLAG_REFINE) != 0;
  pt_error perr;
  if ((flags & ~(FLAG_REFINE | FLAG_F16 | FLAG_BF16 | FLAG_RTYPE)) || (flags & (FLAG_F16 | FLAG_BF16)) == (FLAG_F16 | FLAG_BF16))
    return CORRUPT(err, "index flags 0x%x not known", flags);
  p.refine_type = (pt_index_refine)((flags & FLAG_RTYPE) >> FLAG_RTYPE_SHIFT);
  p.elem = flags & FLAG_F16 ? PT_INDEX_F16 : flags & FLAG_BF16 ? PT_INDEX_BF16 : PT_INDEX_F32;
  if (pt_index_params_check(&p, &perr) != PT_OK) return CORRUPT(err, "index parameters: %s", perr.message);
  /* 3. the payload, untrusted */
  r.len = len - 4;
  pt_index *ix = NULL;
  pt_status rc = pt_index_new(&p, &ix);
  if (rc != PT_OK) return rc == PT_NOMEM ? pt_fail_nomem(err) : CORRUPT(err, "index parameters refused");
  const char *why = NULL;
  rc = ix->hnsw ? pt_hnsw_load(ix, &r, version, block, &why) : pt_ivf_load(ix, &r, &why);
  if (rc == PT_OK && r.at != r.len) {
    rc = PT_CORRUPT;
    why = "bytes left over after the index";
  }
  if (rc != PT_OK) {
    pt_index_free(ix);
    if (rc == PT_NOMEM) return pt_fail_nomem(err);
    return CORRUPT(err, "index bytes corrupted: %s", why ? why : "truncated");
  }
  *out = ix;
  pt_error_clear(err);
  return PT_OK;
}
