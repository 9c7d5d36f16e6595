/*
 * hnsw.c — HNSW and HNSW_SQ: a Hierarchical Navigable Small World graph over the rows of a
 * partition (Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search using
 * Hierarchical Navigable Small World graphs", 2016/2018), with Milvus's parameters M,
 * efConstruction and ef (index.h). HNSW_SQ walks the same graph over SQ8 codes (sq8.c) and may
 * re-score its best candidates with the float rows (refine).
 *
 * HOW IT WORKS
 * A node is a row added to the graph; nodes are numbered in the order they were added, and each
 * remembers its row id. Node v has a level L(v) >= 0, drawn when it is added: L = l with
 * probability (1 - 1/M) M^-l, counted with 64-bit integer draws from the index's seeded
 * generator (no floating-point logarithm), so the same seed builds the same graph on every
 * platform. It has up to 2M links on layer 0 and up to M on each layer 1..L(v).
 *
 * Search for a query q: from the entry point (a node of the highest level), walk greedily down
 * the upper layers to the node closest to q, then on layer 0 run a best-first search with two
 * heaps: candidates (closest first) and results (the best `ef` so far, worst on top). A popped
 * candidate's unvisited neighbours are scored; one closer than the worst result (or any while
 * fewer than ef results) becomes a candidate, and, if the filter accepts its row and it is not
 * a removed node, a result. The walk ends when the closest candidate is farther than the worst
 * of ef results. Rejected rows still lead the walk (a filter does not cut the graph); when the
 * caller expects so few rows to pass (pass_hint) that the walk would not pay
 * (pt_index_walk_pays), or ef covers every node, the search scores the accepted nodes one by
 * one instead, which is both exact and faster there.
 *
 * Adding a node x at level L: the same walk with ef = efConstruction finds x's candidate
 * neighbours on each layer min(L, top)..0, then, for each layer, the neighbour-selection
 * heuristic keeps at most M of them: in order of distance to x, a candidate c is kept unless it
 * is closer to an already kept neighbour than to x (it would be reached through that one), which
 * spreads links in different directions and keeps clusters connected. Each kept neighbour links
 * back to x; one whose list is full re-selects its list among its links and x with the same
 * heuristic. Every layer is searched before any is linked (linking layer l does not change
 * layer l - 1), and everything an add can need is reserved first, levels drawn ahead with a
 * copy of the generator: a batch either fails with PT_NOMEM before it changes anything, or
 * completes.
 *
 * What an add scores (HNSW): fixed-point copies of the prepared rows (unit for COSINE), kept by
 * the graph in node order: int16 codes round(x 2^e), one power-of-two scale for the whole graph,
 * the largest that keeps every code within PT_DIST_I16_MAX (4095), so that a step is at most
 * 1/2047 of the largest |x|. The new row is scored by its own codes. A build reads a row for
 * each distance, from anywhere in memory: the codes are half the bytes of the float rows and
 * side by side, and integer kernels score them with under half the instructions of a float
 * kernel over bfloat16 copies (per 8 dimensions a subtraction and an i32x4.dot_i16x8_s, no
 * widening; distance.h). The rounding moves a distance by far less than the gaps the heuristic
 * compares, unless a few values are hundreds of times the others' spread; searches score the
 * float rows, so the distances returned are exact. The scale depends only on the nodes and the
 * rows being added (their largest |x|, fx_prepare): a batch holding a larger one first makes
 * every node's codes again (at most once each time the largest |x| doubles). The codes are not
 * saved: after a load or a compaction, the next add makes them again from the rows (after a
 * load, the same bits).
 *
 * On a FLOAT16_VECTOR or BFLOAT16_VECTOR field (HNSW only) the rows are halves: an add decodes
 * the new row to float32 (then its codes, as for float rows), and a search scores the
 * half rows against the float32 query with distance.h's half kernels, as the exact scan does, so
 * the distances returned are the exact scan's, bit for bit.
 *
 * Removal marks the node removed: it is never returned but stays in the graph as a road (its
 * row's vector must stay readable until a rebuild), so the graph keeps its reach. Adding a row
 * that is already in the graph adds a new node for it and removes the old one.
 *
 * Memory per node: 4 (row) + 1 (level) + 4 (upper-layer offset) + 4 (1 + 2M) bytes (layer 0
 * links) + 2 (visit mark), plus 4 (1 + M) per upper layer (about 1 node in M has one), plus dim
 * bytes of codes for HNSW_SQ or 2 dim bytes of fixed-point codes for HNSW. The float rows stay in
 * the segments.
 *
 * THE PAYLOAD (index.c's format, after the header)
 *   n u32, entry u32 (UINT32_MAX when n = 0), top level u32, trained u32 (HNSW_SQ: 1 once SQ8
 *   is trained, which it is whenever n > 0; else 0), generator state u64,
 *   rows n × u32, levels n × u8, removed bitmap ceil(n / 8) bytes (bit set = removed),
 *   HNSW_SQ and trained: vmin dim × f32, scale dim × f32, codes n × dim bytes,
 *   then per node, per layer 0..level: count u32 and count × u32 neighbour nodes.
 * A reader checks every count against M (or 2M), every neighbour and the entry point against n,
 * levels against the top level (at most 31), and that no row is live twice. Link lists are
 * allocated at full size (so that adds after a load need nothing more): a few bytes of input can
 * ask for 4 (1 + 2M) bytes of memory, which an allocation failure answers with PT_NOMEM.
 */
#include "index.h"

#include <math.h>

#include "distance.h"
#include "half.h"

#define MAX_LEVEL 31

struct pt_hnsw {
  uint32_t M, M0, dim;
  size_t efc;
  pt_index_metric metric;
  pt_index_elem elem; /* the rows' (HNSW: float32, float16 or bfloat16) */
  bool sq; /* HNSW_SQ */
  /* nodes */
  uint32_t n, cap;
  uint32_t *rows;     /* per node: its row id */
  uint8_t *level;     /* per node */
  uint8_t *dead;      /* bitmap: removed nodes */
  uint32_t n_dead;
  uint32_t *link0;    /* per node: count, then up to M0 links (layer 0) */
  uint32_t *upper_at; /* per node with level > 0: offset of its layers 1..L in `upper` */
  uint32_t *upper;    /* per layer l >= 1 of a node: count, then up to M links */
  size_t upper_used, upper_cap;
  uint8_t *codes;     /* HNSW_SQ: dim bytes per node */
  int16_t *fx;        /* HNSW: dim fixed-point codes per node, its prepared row, what adds score
                         (below) */
  uint32_t fx_n;      /* HNSW: nodes 0..fx_n) have their codes (not saved: the next add makes them
                         again from the rows) */
  int fx_exp;         /* HNSW: the codes' scale: code = round(x 2^fx_exp) */
  float fx_max;       /* HNSW: the largest |x| of nodes 0..fx_n)'s prepared rows */
  pt_sq8 sqz;
  bool trained;
  uint32_t entry, top; /* entry point (PT_INDEX_NONE when empty) and its level */
  uint64_t rng;
  /* a load may leave rows, level, link0, upper and codes in the bytes it read (format 2,
   * pt_index_load_in): they lie in [lent, lent_end) of `block`, on which the index holds a
   * reference; they are never written there nor freed, and the first add or compaction moves
   * them out (grow_nodes, grow_upper) and drops the reference */
  uint8_t *block;
  const uint8_t *lent, *lent_end;
  /* scratch, not saved */
  uint16_t *visit; /* per node: the epoch of the walk that last visited it */
  uint16_t epoch;
  pt_scored *cand, *res, *found;
  pt_scored *batch; /* M0: one node's neighbours being scored */
  const void **ptrs; /* M0 + 1: the rows (or codes) of a batch being scored */
  unsigned sink;     /* what warm's loads summed to (kept, so that they are made) */
  size_t cand_cap, res_cap, found_cap;
  float *qv, *qa, *cv, *ca; /* dim floats each: query / candidate, float and SQ8-prepared */
};

/* A prepared point: what scoring nodes against it needs. */
typedef struct hpoint {
  const float *v;  /* float rows: the point (unit for COSINE) */
  pt_sq8_query s;  /* HNSW_SQ */
  const int16_t *c; /* HNSW, coded: the point's fixed-point codes */
  bool coded;       /* HNSW: scored against the nodes' fixed-point codes (adds), not the float rows */
} hpoint;

/* ============================================================================================
 * Nodes and links
 * ========================================================================================== */

static inline uint32_t *links_at(const pt_hnsw *h, uint32_t node, uint32_t layer) {
  if (layer == 0) return h->link0 + (size_t)node * (1 + h->M0);
  return h->upper + h->upper_at[node] + (size_t)(layer - 1) * (1 + h->M);
}

static inline uint32_t max_links(const pt_hnsw *h, uint32_t layer) { return layer ? h->M : h->M0; }

/* A link list's first word: its count in the low 16 bits (at most 2 PT_INDEX_M_MAX), and in the
 * high 16 the length of its stable prefix: links the neighbour-selection heuristic kept together,
 * whose pairs it need not compare again (link_back). Not saved: a loaded list has none. */
#define LINK_COUNT(links) ((links)[0] & 0xFFFFu)
#define LINK_STABLE(links) ((links)[0] >> 16)
static inline uint32_t link_word(uint32_t count, uint32_t stable) { return count | stable << 16; }

static inline bool is_dead(const pt_hnsw *h, uint32_t node) { return (h->dead[node >> 3] >> (node & 7)) & 1u; }

/* Frees an array unless it lies in the block a load lent it from. */
static void drop(const pt_hnsw *h, void *p) {
  if (!(p && h->lent && (const uint8_t *)p >= h->lent && (const uint8_t *)p < h->lent_end)) pt_free(p);
}

/* Gives back the block once no array lies in it any more. */
static void unlend(pt_hnsw *h) {
  pt_block_release(h->block);
  h->block = NULL;
  h->lent = h->lent_end = NULL;
}

/* What a node is scored from: its SQ8 codes (HNSW_SQ), its bfloat16 row (HNSW, q->coded) or its
 * float row in the partition. */
static inline const void *data_of(const pt_hnsw *h, const pt_index_rows *rows, const hpoint *q, uint32_t node) {
  if (h->sq) return h->codes + (size_t)node * h->dim;
  if (q->coded) return h->fx + (size_t)node * h->dim;
  return rows->get(rows->ctx, h->rows[node]);
}

/* The distance from q to a node's data x (data_of), needed only when it is at most `bound`
 * (pt_index_dist_within; INFINITY: always). */
static inline float score(const pt_hnsw *h, const hpoint *q, const void *x, float bound) {
  if (h->sq) return pt_sq8_dist(&h->sqz, h->metric, &q->s, x);
  if (q->coded) /* COSINE: of unit rows */
    return h->metric == PT_INDEX_L2 ? pt_dist_l2_i16(q->c, x, h->dim) : -pt_dist_dot_i16(q->c, x, h->dim);
  return pt_index_dist_row(h->elem, h->metric, q->v, x, h->dim, bound);
}

static inline float dist_to(const pt_hnsw *h, const pt_index_rows *rows, const hpoint *q, uint32_t node, float bound) {
  return score(h, q, data_of(h, rows, q, node), bound);
}

/* Asks for the `bytes` at each of x[0..n) ahead of their use: a prefetch where the compiler has
 * one; WebAssembly has none, so there a load of each cache line, all independent, which the
 * processor overlaps (what they summed to is kept, so that the loads are made). */
static void warm(pt_hnsw *h, const void *const *x, size_t n, size_t bytes) {
#if defined(__GNUC__) && !defined(__wasm__)
  (void)h;
  for (size_t j = 0; j < n; j++)
    for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch((const char *)x[j] + o);
#else
  unsigned touch = 0;
  for (size_t j = 0; j < n; j++)
    for (size_t o = 0; o < bytes; o += 64) touch += ((const uint8_t *)x[j])[o];
  h->sink = touch;
#endif
}

/* Scores nodes b[0..nb) (their ids set) against q into b[j].d, as dist_to would, each needed
 * only when it is at most `bound`.
 *
 * HOW IT WORKS
 * The rows a walk scores lie anywhere in memory (the float rows in the partition's segments,
 * 512 bytes each at 128-d, or the nodes' codes): a walk waits for memory far more than it
 * computes. So the batch first finds every row's address and asks for all of them (warm), and
 * only then computes the distances, from rows on their way into the cache. */
static void score_batch(pt_hnsw *h, const pt_index_rows *rows, const hpoint *q, pt_scored *b, size_t nb, float bound) {
  const void **x = h->ptrs;
  for (size_t j = 0; j < nb; j++) x[j] = data_of(h, rows, q, b[j].id);
  warm(h, x, nb, h->dim * (h->sq ? 1 : q->coded || h->elem != PT_INDEX_F32 ? 2 : 4));
  for (size_t j = 0; j < nb; j++) b[j].d = score(h, q, x[j], bound);
}

/* Row `row` as floats: the float row, or a half row decoded into buf (dim floats). */
static const float *row_floats(const pt_hnsw *h, const pt_index_rows *rows, uint32_t row, float *buf) {
  return pt_index_row_floats(h->elem, rows->get(rows->ctx, row), buf, h->dim);
}

/* Prepares an already prepared query (unit for COSINE) for scoring; SQ8 uses h->qa. */
static void point_query(pt_hnsw *h, const float *q, hpoint *out) {
  out->v = q;
  out->coded = false;
  if (h->sq) pt_sq8_prepare(&h->sqz, h->metric, q, h->qa, &out->s);
}

/* Prepares node `node` as a point, in the candidate scratch (h->cv, h->ca); `coded`: from its
 * bfloat16 row, scored against the others' (HNSW's adds). */
static void point_node(pt_hnsw *h, const pt_index_rows *rows, uint32_t node, bool coded, hpoint *out) {
  out->coded = coded;
  if (coded) {
    out->c = h->fx + (size_t)node * h->dim;
    return;
  }
  if (h->sq) {
    /* COSINE codes are of unit rows already */
    pt_sq8_decode(&h->sqz, h->codes + (size_t)node * h->dim, h->cv);
    out->v = h->cv;
    pt_sq8_prepare(&h->sqz, h->metric, h->cv, h->ca, &out->s);
    return;
  }
  const float *x = row_floats(h, rows, h->rows[node], h->cv);
  if (h->metric == PT_INDEX_COSINE) {
    pt_index_prepare_query(h->metric, x, h->cv, h->dim);
    x = h->cv;
  }
  out->v = x;
}

/* Draws a level: each further level with probability 1/M. */
static uint32_t draw_level(uint64_t *rng, uint32_t M) {
  uint64_t threshold = UINT64_MAX / M;
  uint32_t l = 0;
  while (l < MAX_LEVEL && pt_index_rand(rng) < threshold) l++;
  return l;
}

/* What an add or a load grows: new capacities, staged in a pt_grow_set until committed. */
typedef struct hgrow {
  pt_grow_item items[16];
  pt_grow_set g;
  size_t cap, upper_cap, res_cap, cand_cap, found_cap;
} hgrow;

static void grow_begin(const pt_hnsw *h, hgrow *gr) {
  gr->g = (pt_grow_set){gr->items, 0, sizeof gr->items / sizeof gr->items[0]};
  gr->cap = h->cap;
  gr->upper_cap = h->upper_cap;
  gr->res_cap = h->res_cap;
  gr->cand_cap = h->cand_cap;
  gr->found_cap = h->found_cap;
}

#define STAGE(gr, h, field, keep, bytes) pt_grow_stage(&(gr)->g, (void **)&(h)->field, (keep), (bytes))

/* Stages every per-node array for `need` nodes (all of them, whatever the need, while some lie
 * in a load's block: an add moves them out). */
static pt_status grow_nodes(pt_hnsw *h, hgrow *gr, size_t need) {
  if (need <= h->cap && !h->block) return PT_OK;
  if (need > UINT32_MAX - 1) return PT_NOMEM;
  size_t old = h->cap, cap = old ? old * 2 : 64;
  if (cap < need) cap = need;
  if (cap > UINT32_MAX - 1) cap = UINT32_MAX - 1;
  size_t block = (size_t)(1 + h->M0) * sizeof(uint32_t), link_bytes, code_bytes, fx_bytes;
  if (!pt_mul_ok(cap, block, &link_bytes) || !pt_mul_ok(cap, h->dim, &code_bytes) ||
      !pt_mul_ok(code_bytes, sizeof *h->fx, &fx_bytes))
    return PT_NOMEM;
  pt_status rc;
  if ((rc = STAGE(gr, h, rows, old * 4, cap * 4)) != PT_OK || (rc = STAGE(gr, h, level, old, cap)) != PT_OK ||
      (rc = STAGE(gr, h, upper_at, old * 4, cap * 4)) != PT_OK ||
      (rc = STAGE(gr, h, link0, old * block, link_bytes)) != PT_OK ||
      (h->sq && (rc = STAGE(gr, h, codes, old * h->dim, code_bytes)) != PT_OK) ||
      (!h->sq && (rc = STAGE(gr, h, fx, (size_t)h->fx_n * h->dim * sizeof *h->fx, fx_bytes)) != PT_OK) ||
      (rc = STAGE(gr, h, dead, (old + 7) / 8, (cap + 7) / 8)) != PT_OK ||
      (rc = STAGE(gr, h, visit, old * 2, cap * 2)) != PT_OK)
    return rc;
  gr->cap = cap;
  return PT_OK;
}

static pt_status grow_upper(pt_hnsw *h, hgrow *gr, size_t more) {
  size_t need;
  if (!pt_add_ok(h->upper_used, more, &need) || need > UINT32_MAX) return PT_NOMEM;
  if (need <= h->upper_cap && !h->block) return PT_OK;
  size_t cap = h->upper_cap * 2 > need ? h->upper_cap * 2 : need;
  if (cap > UINT32_MAX) cap = need;
  pt_status rc = STAGE(gr, h, upper, h->upper_used * 4, cap * 4);
  if (rc == PT_OK) gr->upper_cap = cap;
  return rc;
}

/* Stages the scratch a walk with `ef` results needs: results, candidates (with room for one
 * node's links), and, for adds, `layers` layers of found neighbours plus M0 + 1 entries for
 * re-selecting a full list. Scratch keeps nothing across calls. */
static pt_status grow_scratch(pt_hnsw *h, hgrow *gr, size_t ef, size_t layers) {
  size_t res, cand, found;
  if (!pt_add_ok(ef, 1, &res) || !pt_add_ok(ef, (size_t)h->M0 + 1, &cand) || !pt_mul_ok(ef, layers, &found) ||
      !pt_add_ok(found, (size_t)h->M0 + 1, &found) || res > SIZE_MAX / sizeof(pt_scored) ||
      cand > SIZE_MAX / sizeof(pt_scored) || found > SIZE_MAX / sizeof(pt_scored))
    return PT_NOMEM;
  pt_status rc = PT_OK;
  if (res > h->res_cap && (rc = STAGE(gr, h, res, 0, res * sizeof(pt_scored))) == PT_OK) gr->res_cap = res;
  if (rc == PT_OK && cand > h->cand_cap && (rc = STAGE(gr, h, cand, 0, cand * sizeof(pt_scored))) == PT_OK)
    gr->cand_cap = cand;
  if (rc == PT_OK && found > h->found_cap && (rc = STAGE(gr, h, found, 0, found * sizeof(pt_scored))) == PT_OK)
    gr->found_cap = found;
  return rc;
}

/* Puts what was staged in place (cannot fail): new node bits and visit marks start at zero. */
static void grow_commit(pt_hnsw *h, hgrow *gr) {
  /* an array lent by a load's block: copied here, and its slot emptied, so that nothing frees it */
  for (size_t i = 0; h->lent && i < gr->g.n; i++) {
    pt_grow_item *it = &gr->g.items[i];
    const uint8_t *old = *it->slot;
    if (!old || old < h->lent || old >= h->lent_end) continue;
    if (it->keep) memcpy(it->fresh, old, it->keep);
    it->keep = 0;
    *it->slot = NULL;
  }
  pt_grow_commit(&gr->g);
  if (gr->cap > h->cap) {
    size_t old_bits = ((size_t)h->cap + 7) / 8;
    memset(h->dead + old_bits, 0, (gr->cap + 7) / 8 - old_bits);
    memset(h->visit + h->cap, 0, (gr->cap - h->cap) * sizeof *h->visit);
    h->cap = (uint32_t)gr->cap;
  }
  h->upper_cap = gr->upper_cap;
  h->res_cap = gr->res_cap;
  h->cand_cap = gr->cand_cap;
  h->found_cap = gr->found_cap;
}

static uint16_t next_epoch(pt_hnsw *h) {
  if (++h->epoch == 0) {
    memset(h->visit, 0, (size_t)h->cap * sizeof *h->visit);
    h->epoch = 1;
  }
  return h->epoch;
}

/* ============================================================================================
 * Search on one layer
 * ========================================================================================== */

/* Makes room for `more` pushes on the candidate heap: first drops candidates that can no longer
 * be expanded (farther than the worst of a full result heap), then, if `grow`, grows it. An add
 * does not grow it: a push without room is skipped, which cannot happen there (every candidate
 * of an add is also offered to the results, so at most ef of them survive the drop, and the
 * heap has room for ef + M0 + 1; see grow_scratch). */
static pt_status cand_room(pt_hnsw *h, size_t *nc, size_t more, bool full, pt_scored worst, bool grow) {
  if (*nc + more <= h->cand_cap) return PT_OK;
  if (full) {
    size_t m = 0;
    for (size_t i = 0; i < *nc; i++) {
      pt_scored x = h->cand[i];
      if (!pt_scored_less(worst, x)) pt_minheap_push(h->cand, &m, x);
    }
    *nc = m;
    if (*nc + more <= h->cand_cap) return PT_OK;
  }
  if (!grow) return PT_OK; /* pushes beyond the capacity are dropped by the caller */
  size_t need;
  if (!pt_add_ok(*nc, more, &need)) return PT_NOMEM;
  return PT_GROW(&h->cand, &h->cand_cap, need);
}

/* Best-first search of layer `layer` from the entry points eps[0..n_eps) (scored), keeping the
 * best `ef` accepted nodes in h->res (a max-heap, *n_res of them). `accept` NULL: every node
 * is accepted (adds); otherwise removed nodes and rows the filter rejects are not (searches),
 * and the candidate heap may grow (PT_NOMEM). */
static pt_status search_layer(pt_hnsw *h, const pt_index_rows *rows, const hpoint *q, const pt_scored *eps,
                              size_t n_eps, size_t ef, uint32_t layer, const pt_index_filter *accept, bool searching,
                              size_t *n_res) {
  uint16_t ep = next_epoch(h);
  size_t nc = 0, nr = 0;
  for (size_t i = 0; i < n_eps; i++) {
    uint32_t v = eps[i].id;
    if (h->visit[v] == ep) continue;
    h->visit[v] = ep;
    pt_minheap_push(h->cand, &nc, eps[i]);
    if (!searching || (!is_dead(h, v) && (!accept || accept->accept(accept->ctx, h->rows[v]))))
      pt_topk_offer(h->res, &nr, ef, eps[i]);
  }
  while (nc) {
    pt_scored c = h->cand[0];
    if (nr >= ef && pt_scored_less(h->res[0], c)) break;
    pt_minheap_pop(h->cand, &nc);
    const uint32_t *links = links_at(h, c.id, layer);
    uint32_t cnt = LINK_COUNT(links);
    pt_status rc = cand_room(h, &nc, cnt, nr >= ef, nr ? h->res[0] : c, searching);
    if (rc != PT_OK) return rc;
    /* the unvisited neighbours first, then their distances in one tight loop (their rows'
     * loads overlap), then the heaps */
    size_t nb = 0;
    for (uint32_t j = 1; j <= cnt; j++) {
      /* without a branch: whether a neighbour was visited is a coin toss to the processor */
      uint32_t v = links[j];
      size_t fresh = h->visit[v] != ep;
      h->visit[v] = ep;
      h->batch[nb].id = v;
      nb += fresh;
    }
    float bound = nr >= ef ? h->res[0].d : INFINITY;
    score_batch(h, rows, q, h->batch, nb, bound);
    for (size_t j = 0; j < nb; j++) {
      pt_scored s = h->batch[j];
      uint32_t v = s.id;
      if (nr >= ef && !pt_scored_less(s, h->res[0])) continue;
      if (nc < h->cand_cap) pt_minheap_push(h->cand, &nc, s);
      if (!searching || (!is_dead(h, v) && (!accept || accept->accept(accept->ctx, h->rows[v]))))
        pt_topk_offer(h->res, &nr, ef, s);
    }
  }
  *n_res = nr;
  return PT_OK;
}

/* Greedy walk on one layer from *cur (scored *cur_d) to a local minimum. */
static void greedy(const pt_hnsw *h, const pt_index_rows *rows, const hpoint *q, uint32_t layer, uint32_t *cur,
                   float *cur_d) {
  for (bool moved = true; moved;) {
    moved = false;
    const uint32_t *links = links_at(h, *cur, layer);
    for (uint32_t j = 1, cnt = LINK_COUNT(links); j <= cnt; j++) {
      float d = dist_to(h, rows, q, links[j], *cur_d);
      if (d < *cur_d) {
        *cur_d = d;
        *cur = links[j];
        moved = true;
      }
    }
  }
}

/* ============================================================================================
 * Adding
 * ========================================================================================== */

/* The neighbour-selection heuristic, in place: w[0..n) sorted by distance to the base point;
 * keeps at most `max` of them in w[0..kept), returned. `stable` (0: none): the epoch that marks
 * (h->visit) nodes the heuristic kept together before, with these same distances: a marked
 * candidate passed the test against every marked node closer than itself then, so that pair is
 * not compared again; the result is the same. */
static size_t select_neighbours(pt_hnsw *h, const pt_index_rows *rows, pt_scored *w, size_t n, size_t max,
                                bool coded, uint16_t stable) {
  size_t kept = 0;
  for (size_t i = 0; i < n && kept < max; i++) {
    pt_scored c = w[i];
    bool good = true, marked = stable && h->visit[c.id] == stable;
    hpoint pc;
    bool prepared = false;
    for (size_t j = 0; j < kept && good; j++) {
      if (marked && h->visit[w[j].id] == stable) continue;
      if (!prepared) point_node(h, rows, c.id, coded, &pc), prepared = true;
      good = dist_to(h, rows, &pc, w[j].id, c.d) >= c.d;
    }
    if (good) w[kept++] = c;
  }
  return kept;
}

/* Sorts by (distance, node), in place: a max-heap grown over the array's own prefix, then
 * sorted. */
static void sort_scored(pt_scored *a, size_t n) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) pt_maxheap_push(a, &m, a[i]);
  pt_maxheap_sort(a, n);
}

/* Links `to` into node's list on `layer`; a full list re-selects among its links and `to`.
 *
 * The distances of a re-selection are all node's own (its stored row against each link's), so
 * that the same pair always scores the same. The links a re-selection keeps are a stable prefix:
 * the next re-selection of the list compares a pair of them no more (select_neighbours), only
 * pairs with a link added since. A full list's re-selection most often keeps all but one of its
 * candidates, so that one re-selection after another costs the distances to the links (2M at
 * layer 0) and a few tests, not the (2M)^2 / 2 tests of the heuristic. */
static void link_back(pt_hnsw *h, const pt_index_rows *rows, uint32_t node, uint32_t to, uint32_t layer) {
  uint32_t *links = links_at(h, node, layer);
  uint32_t cnt = LINK_COUNT(links), stable = LINK_STABLE(links), max = max_links(h, layer);
  if (cnt < max) {
    links[1 + cnt] = to;
    links[0] = link_word(cnt + 1, stable);
    return;
  }
  /* the pool lives past the found lists in h->found (grow_scratch) */
  pt_scored *pool = h->found + h->found_cap - (max + 1);
  hpoint pn;
  point_node(h, rows, node, !h->sq, &pn);
  uint16_t ep = stable ? next_epoch(h) : 0;
  for (uint32_t j = 0; j < cnt; j++) {
    pool[j] = (pt_scored){dist_to(h, rows, &pn, links[1 + j], INFINITY), links[1 + j]};
    if (j < stable) h->visit[links[1 + j]] = ep;
  }
  pool[cnt] = (pt_scored){dist_to(h, rows, &pn, to, INFINITY), to};
  sort_scored(pool, cnt + 1);
  size_t kept = select_neighbours(h, rows, pool, cnt + 1, max, !h->sq, ep);
  for (size_t j = 0; j < kept; j++) links[1 + j] = pool[j].id;
  links[0] = link_word((uint32_t)kept, (uint32_t)kept);
}

/* Node `node`'s fixed-point codes from its prepared row x (unit for COSINE): round(x 2^fx_exp),
 * within PT_DIST_I16_MAX (fx_exponent). */
static void encode_fx(pt_hnsw *h, const float *x, uint32_t node) {
  int16_t *c = h->fx + (size_t)node * h->dim;
  float scale = ldexpf(1.0f, h->fx_exp);
  for (uint32_t d = 0; d < h->dim; d++) {
    float v = x[d] * scale;
    v = v > PT_DIST_I16_MAX ? PT_DIST_I16_MAX : v < -PT_DIST_I16_MAX ? -PT_DIST_I16_MAX : v; /* NaN stays */
    c[d] = (int16_t)(v >= 0 ? (int32_t)(v + 0.5f) : v < 0 ? -(int32_t)(0.5f - v) : 0);
  }
}

/* The largest exponent e with m 2^e <= PT_DIST_I16_MAX (m >= 0), at most 127 (2^e a float: m
 * below 2^-115 gets codes of fewer bits). */
static int fx_exponent(float m) {
  if (!(m > 0)) return 0;
  int b, k;
  (void)frexpf(PT_DIST_I16_MAX, &b); /* PT_DIST_I16_MAX in [2^(b-1), 2^b) */
  (void)frexpf(m, &k);               /* m = f 2^k, f in [0.5, 1): m 2^(b-k) in [2^(b-1), 2^b) */
  int e = ldexpf(m, b - k) > PT_DIST_I16_MAX ? b - k - 1 : b - k;
  return e > 127 ? 127 : e;
}

/* The largest |x| of a prepared row (unit for COSINE), x scratch. */
static float row_max(pt_hnsw *h, const pt_index_rows *rows, uint32_t row) {
  pt_index_prepare_query(h->metric, row_floats(h, rows, row, h->cv), h->cv, h->dim);
  float m = 0;
  for (uint32_t d = 0; d < h->dim; d++) {
    float a = fabsf(h->cv[d]);
    m = a > m ? a : m;
  }
  return m;
}

/* Before adding rows ids[0..n): a scale that holds them and every node, and every node's codes
 * at that scale (made again from the rows when the scale changes or a load or a compaction left
 * them out), so that the codes depend only on the nodes and the rows being added. */
static void fx_prepare(pt_hnsw *h, const pt_index_rows *rows, const uint32_t *ids, size_t n) {
  bool all = h->fx_n < h->n;
  float m = all ? 0 : h->fx_max;
  for (uint32_t v = 0; all && v < h->n; v++) {
    float a = row_max(h, rows, h->rows[v]);
    m = a > m ? a : m;
  }
  for (size_t i = 0; i < n; i++) {
    float a = row_max(h, rows, ids[i]);
    m = a > m ? a : m;
  }
  int e = fx_exponent(m);
  if (e != h->fx_exp) all = true;
  h->fx_exp = e;
  h->fx_max = m;
  for (uint32_t v = 0; all && v < h->n; v++) {
    pt_index_prepare_query(h->metric, row_floats(h, rows, h->rows[v], h->cv), h->cv, h->dim);
    encode_fx(h, h->cv, v);
    /* new codes, new distances: what the heuristic kept together before is tested again */
    for (uint32_t l = 0; l <= h->level[v]; l++) {
      uint32_t *links = links_at(h, v, l);
      links[0] = link_word(LINK_COUNT(links), 0);
    }
  }
  h->fx_n = h->n;
}

/* Adds one node (its room reserved); cannot fail. */
static void add_one(pt_index *ix, const pt_index_rows *rows, uint32_t row, uint32_t level, size_t ef) {
  pt_hnsw *h = ix->hnsw;
  uint32_t node = h->n;
  const float *x = row_floats(h, rows, row, h->qv); /* prepared into h->qv below */
  h->rows[node] = row;
  h->level[node] = (uint8_t)level;
  h->dead[node >> 3] = (uint8_t)(h->dead[node >> 3] & ~(1u << (node & 7)));
  h->visit[node] = 0;
  links_at(h, node, 0)[0] = 0;
  h->upper_at[node] = (uint32_t)h->upper_used;
  h->upper_used += (size_t)level * (1 + h->M);
  for (uint32_t l = 1; l <= level; l++) links_at(h, node, l)[0] = 0;
  if (h->sq) pt_sq8_encode(&h->sqz, h->metric, x, h->codes + (size_t)node * h->dim);
  /* the new row as a query: unit for COSINE, against SQ8 codes for HNSW_SQ, against the
   * fixed-point codes for HNSW (its own made first) */
  hpoint q;
  pt_index_prepare_query(h->metric, x, h->qv, h->dim);
  point_query(h, h->qv, &q);
  if (!h->sq) {
    encode_fx(h, h->qv, node);
    h->fx_n = node + 1;
    q.c = h->fx + (size_t)node * h->dim;
    q.coded = true;
  }

  if (h->entry != PT_INDEX_NONE) {
    /* 1. down the layers above the node's level, greedily */
    uint32_t cur = h->entry;
    float cur_d = dist_to(h, rows, &q, cur, INFINITY);
    for (uint32_t l = h->top; l > level; l--) greedy(h, rows, &q, l, &cur, &cur_d);
    /* 2. each layer from min(level, top) down to 0: candidates, searched before any linking */
    uint32_t from = level < h->top ? level : h->top;
    pt_scored start = {cur_d, cur};
    size_t counts[MAX_LEVEL + 1];
    for (uint32_t l = from + 1; l-- > 0;) {
      pt_scored *w = h->found + (size_t)l * ef, *eps = l == from ? &start : w + ef;
      size_t n_eps = l == from ? 1 : counts[l + 1];
      size_t nr = 0;
      (void)search_layer(h, rows, &q, eps, n_eps, ef, l, NULL, false, &nr);
      pt_maxheap_sort(h->res, nr);
      memcpy(w, h->res, nr * sizeof *w);
      counts[l] = nr;
    }
    /* 3. link, layer by layer */
    for (uint32_t l = from + 1; l-- > 0;) {
      pt_scored *w = h->found + (size_t)l * ef;
      size_t kept = select_neighbours(h, rows, w, counts[l], h->M, !h->sq, 0);
      uint32_t *links = links_at(h, node, l);
      for (size_t j = 0; j < kept; j++) links[1 + j] = w[j].id;
      links[0] = link_word((uint32_t)kept, 0); /* scored from the new row, not from its stored one */
      for (size_t j = 0; j < kept; j++) link_back(h, rows, w[j].id, node, l);
    }
  }
  h->n++;
  if (h->entry == PT_INDEX_NONE || level > h->top) {
    h->entry = node;
    h->top = level;
  }
  /* 4. the row's newest node is this one; an older one is removed */
  uint32_t old = pt_u32map_get(&ix->where, row);
  if (old != PT_INDEX_NONE) pt_hnsw_remove(ix, old);
  pt_u32map_put(&ix->where, row, node);
}

pt_status pt_hnsw_add(pt_index *ix, const pt_index_rows *rows, const uint32_t *ids, size_t n) {
  pt_hnsw *h = ix->hnsw;
  /* Plan (all or nothing):
   *   1. HNSW_SQ trains SQ8 on its first batch
   *   2. levels drawn ahead with a copy of the generator: the upper-layer room they need
   *   3. reserve nodes, upper layers, the row map and walk scratch
   *   4. add each row (cannot fail), then keep the advanced generator */
  bool trained_here = false;
  pt_status rc = PT_OK;
  size_t total;
  if (!pt_add_ok(h->n, n, &total) || total > UINT32_MAX - 1) return PT_NOMEM;
  /* 1. */
  if (h->sq && !h->trained) {
    rc = pt_sq8_train(&h->sqz, h->metric, rows, ids, n, h->dim);
    if (rc != PT_OK) return rc;
    h->trained = trained_here = true;
  }
  /* 2. */
  uint64_t rng = h->rng;
  size_t upper = 0, top = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t l = draw_level(&rng, h->M);
    upper += (size_t)l * (1 + h->M);
    if (l > top) top = l;
  }
  /* 3. (the row map last: it grows in place, atomically) */
  size_t ef = h->efc < total ? h->efc : total;
  hgrow gr;
  grow_begin(h, &gr);
  if ((rc = grow_nodes(h, &gr, total)) != PT_OK || (rc = grow_upper(h, &gr, upper)) != PT_OK ||
      (rc = grow_scratch(h, &gr, ef, top + 1)) != PT_OK ||
      (rc = pt_u32map_reserve(&ix->where, n + (ix->where_later ? pt_hnsw_count(h) : 0))) != PT_OK) {
    pt_grow_abort(&gr.g);
    goto fail;
  }
  grow_commit(h, &gr);
  if (h->block) unlend(h); /* every array it lent was staged anew: none lies in it now */
  (void)pt_hnsw_where_build(ix); /* a load left the row map to now; its room is reserved above */
  /* 4. (HNSW: first the codes' scale) */
  if (!h->sq) fx_prepare(h, rows, ids, n);
  uint64_t draw = h->rng;
  for (size_t i = 0; i < n; i++) add_one(ix, rows, ids[i], draw_level(&draw, h->M), ef);
  h->rng = rng;
  return PT_OK;
fail:
  if (trained_here) {
    pt_sq8_free(&h->sqz);
    h->trained = false;
  }
  return rc;
}

void pt_hnsw_remove(pt_index *ix, uint32_t node) {
  pt_hnsw *h = ix->hnsw;
  if (is_dead(h, node)) return;
  h->dead[node >> 3] = (uint8_t)(h->dead[node >> 3] | (1u << (node & 7)));
  h->n_dead++;
}

size_t pt_hnsw_dead(const pt_hnsw *h) { return h->n_dead; }

/* The graph after a compaction (pt_index_compact), built beside the old one. */
typedef struct hnew {
  uint32_t *nid; /* old node → new node, or PT_INDEX_NONE */
  uint32_t *rows, *upper_at, *link0, *upper;
  uint8_t *level, *dead, *codes;
  uint16_t *visit;
  int16_t *fx;
  pt_scored *pool;
  size_t n, upper_n, pool_cap;
} hnew;

static void hnew_free(hnew *g) {
  pt_free(g->nid);
  pt_free(g->rows);
  pt_free(g->upper_at);
  pt_free(g->link0);
  pt_free(g->upper);
  pt_free(g->level);
  pt_free(g->dead);
  pt_free(g->codes);
  pt_free(g->visit);
  pt_free(g->fx);
  pt_free(g->pool);
}

/* The layer-`l` links of kept node v in the new graph (written at `out`: count, links): its kept
 * links as they are, or, when some of them leave, a re-selection among its kept links and the
 * kept links of the leaving ones. */
static void relink(pt_hnsw *h, const pt_index_rows *rows, hnew *g, uint32_t v, uint32_t l, uint32_t *out) {
  const uint32_t *links = links_at(h, v, l);
  uint32_t cnt = LINK_COUNT(links), kept = 0;
  for (uint32_t j = 1; j <= cnt; j++) kept += g->nid[links[j]] != PT_INDEX_NONE;
  if (kept == cnt) {
    out[0] = links[0]; /* the same links in the same order: a stable prefix stays one */
    for (uint32_t j = 1; j <= cnt; j++) out[j] = g->nid[links[j]];
    return;
  }
  uint16_t ep = next_epoch(h);
  h->visit[v] = ep;
  size_t np = 0;
  for (int pass = 0; pass < 2; pass++)
    for (uint32_t j = 1; j <= cnt; j++) {
      uint32_t u = links[j];
      bool stays = g->nid[u] != PT_INDEX_NONE;
      if (pass == 0 ? !stays : stays) continue;
      /* pass 0: v's own links that stay; pass 1: the links of those that leave (one hop) */
      const uint32_t *via = pass == 0 ? &u : links_at(h, u, l) + 1;
      uint32_t nvia = pass == 0 ? 1 : LINK_COUNT(links_at(h, u, l));
      for (uint32_t k = 0; k < nvia && np < g->pool_cap; k++) {
        uint32_t w = via[k];
        if (h->visit[w] == ep || g->nid[w] == PT_INDEX_NONE || h->level[w] < l) continue;
        h->visit[w] = ep;
        g->pool[np++].id = w;
      }
    }
  hpoint pv;
  point_node(h, rows, v, false, &pv);
  for (size_t j = 0; j < np; j++) g->pool[j].d = dist_to(h, rows, &pv, g->pool[j].id, INFINITY);
  sort_scored(g->pool, np);
  size_t sel = select_neighbours(h, rows, g->pool, np, max_links(h, l), false, 0);
  out[0] = link_word((uint32_t)sel, 0); /* scored from the float rows: not what link_back scores */
  for (size_t j = 0; j < sel; j++) out[1 + j] = g->nid[g->pool[j].id];
}

pt_status pt_hnsw_compact(pt_index *ix, const pt_index_rows *rows, const uint32_t *remap, size_t n_remap) {
  pt_hnsw *h = ix->hnsw;
  /* Plan (all or nothing):
   *   1. which nodes stay (live, with a row that stays) and their new numbers; the new row map
   *   2. the new graph's arrays, allocated beside the old ones
   *   3. every staying node's links, re-selected where a link leaves (reads the old graph)
   *   4. the entry point: the old one if it stays, else a staying node of the highest level
   *   5. the new arrays take the old ones' place */
  hnew g;
  memset(&g, 0, sizeof g);
  pt_u32map fresh = {NULL, NULL, 0, 0};
  pt_status rc = PT_NOMEM;
  /* 1. */
  if (h->n && !(g.nid = pt_malloc((size_t)h->n * sizeof *g.nid))) goto fail;
  for (uint32_t v = 0; v < h->n; v++) {
    uint32_t r = h->rows[v];
    bool stays = !is_dead(h, v) && r < n_remap && remap[r] != PT_INDEX_NONE;
    g.nid[v] = stays ? (uint32_t)g.n++ : PT_INDEX_NONE;
    if (stays) g.upper_n += (size_t)h->level[v] * (1 + h->M);
  }
  if (pt_u32map_reserve(&fresh, g.n) != PT_OK) goto fail;
  for (uint32_t v = 0; v < h->n; v++) {
    if (g.nid[v] == PT_INDEX_NONE) continue;
    uint32_t nr = remap[h->rows[v]];
    if (!pt_u32map_put_new(&fresh, nr, g.nid[v])) {
      rc = PT_MISUSE; /* two rows given one new id */
      goto fail;
    }
  }
  /* 2. */
  size_t cap = g.n ? g.n : 1, block = 1 + (size_t)h->M0;
  g.pool_cap = 8 * (size_t)h->M0;
  if (!(g.rows = pt_malloc(cap * 4)) || !(g.upper_at = pt_malloc(cap * 4)) || !(g.level = pt_malloc(cap)) ||
      !(g.link0 = pt_malloc(cap * block * 4)) || !(g.dead = pt_calloc((cap + 7) / 8, 1)) ||
      !(g.visit = pt_calloc(cap, sizeof *g.visit)) || !(g.upper = pt_malloc((g.upper_n ? g.upper_n : 1) * 4)) ||
      (h->sq && !(g.codes = pt_malloc(cap * h->dim))) ||
      (!h->sq && !(g.fx = pt_malloc(cap * h->dim * sizeof *g.fx))) || !(g.pool = pt_malloc(g.pool_cap * sizeof *g.pool)))
    goto fail;
  /* 3. */
  size_t at = 0;
  for (uint32_t v = 0; v < h->n; v++) {
    uint32_t nv = g.nid[v];
    if (nv == PT_INDEX_NONE) continue;
    g.rows[nv] = remap[h->rows[v]];
    g.level[nv] = h->level[v];
    g.upper_at[nv] = (uint32_t)at;
    if (h->sq) memcpy(g.codes + (size_t)nv * h->dim, h->codes + (size_t)v * h->dim, h->dim);
    relink(h, rows, &g, v, 0, g.link0 + (size_t)nv * block);
    for (uint32_t l = 1; l <= h->level[v]; l++) relink(h, rows, &g, v, l, g.upper + at + (size_t)(l - 1) * (1 + h->M));
    at += (size_t)h->level[v] * (1 + h->M);
  }
  /* 4. */
  uint32_t entry = PT_INDEX_NONE, top = 0;
  if (h->entry != PT_INDEX_NONE && g.nid[h->entry] != PT_INDEX_NONE) {
    entry = g.nid[h->entry];
    top = h->top;
  } else {
    for (uint32_t v = 0; v < g.n; v++)
      if (entry == PT_INDEX_NONE || g.level[v] > top) {
        entry = v;
        top = g.level[v];
      }
  }
  /* 5. */
#define SWAP_IN(field) \
  do {                 \
    drop(h, h->field); \
    h->field = g.field; \
    g.field = NULL;    \
  } while (0)
  SWAP_IN(rows);
  SWAP_IN(upper_at);
  SWAP_IN(link0);
  SWAP_IN(upper);
  SWAP_IN(level);
  SWAP_IN(dead);
  SWAP_IN(codes);
  SWAP_IN(visit);
  SWAP_IN(fx);
#undef SWAP_IN
  if (h->block) unlend(h);
  h->fx_n = 0; /* the next add makes the codes again, at the scale of the nodes that stayed */
  h->n = h->cap = (uint32_t)g.n;
  if (!g.n) h->cap = 1;
  h->n_dead = 0;
  h->upper_used = g.upper_n;
  h->upper_cap = g.upper_n ? g.upper_n : 1;
  h->entry = entry;
  h->top = top;
  h->epoch = 0;
  pt_u32map_free(&ix->where);
  ix->where = fresh;
  ix->where_later = false;
  hnew_free(&g);
  return PT_OK;
fail:
  hnew_free(&g);
  pt_u32map_free(&fresh);
  return rc;
}

/* ============================================================================================
 * Searching
 * ========================================================================================== */

pt_status pt_hnsw_search(pt_index *ix, const pt_index_rows *rows, const float *q, const pt_index_search_params *sp,
                         const pt_index_filter *f, pt_scored **out, size_t *count) {
  pt_hnsw *h = ix->hnsw;
  *out = ix->res;
  *count = 0;
  size_t live = (size_t)h->n - h->n_dead;
  if (live == 0) return PT_OK;
  /* HNSW_SQ with refine: the best refine_k * k by code distance, re-scored with the floats */
  bool refine = h->sq && ix->p.refine;
  size_t k = sp->k, want = k;
  if (refine) {
    double r = ceil((double)sp->refine_k * (double)k);
    want = r < (double)live ? (size_t)r : live;
    if (want < k) want = k;
  }
  size_t ef = sp->ef > want ? sp->ef : want;
  bool exact = ef >= live || (sp->pass_hint > 0 && !pt_index_walk_pays(&ix->p, sp, (uint64_t)(sp->pass_hint * (double)live), live));
  pt_status rc = pt_index_res_reserve(ix, want);
  if (rc == PT_OK && !exact) {
    hgrow gr;
    grow_begin(h, &gr);
    if ((rc = grow_scratch(h, &gr, ef, 0)) != PT_OK) pt_grow_abort(&gr.g);
    else grow_commit(h, &gr);
  }
  if (rc != PT_OK) return rc;
  *out = ix->res;
  hpoint hq;
  point_query(h, q, &hq);
  size_t nr = 0;
  if (exact) {
    for (uint32_t v = 0; v < h->n; v++) {
      if (is_dead(h, v) || (f && !f->accept(f->ctx, h->rows[v]))) continue;
      float bound = nr >= want ? ix->res[0].d : INFINITY;
      pt_topk_offer(ix->res, &nr, want, (pt_scored){dist_to(h, rows, &hq, v, bound), h->rows[v]});
    }
  } else {
    uint32_t cur = h->entry;
    float cur_d = dist_to(h, rows, &hq, cur, INFINITY);
    for (uint32_t l = h->top; l > 0; l--) greedy(h, rows, &hq, l, &cur, &cur_d);
    pt_scored start = {cur_d, cur};
    size_t found = 0;
    rc = search_layer(h, rows, &hq, &start, 1, ef, 0, f, true, &found);
    if (rc != PT_OK) return rc;
    for (size_t i = 0; i < found; i++)
      pt_topk_offer(ix->res, &nr, want, (pt_scored){h->res[i].d, h->rows[h->res[i].id]});
  }
  if (refine) {
    /* in place: the k best of the re-scored candidates as a max-heap at the front */
    size_t m = 0;
    for (size_t i = 0; i < nr; i++) {
      float bound = m >= k ? ix->res[0].d : INFINITY;
      pt_scored s = {pt_index_dist_within(h->metric, q, rows->get(rows->ctx, ix->res[i].id), h->dim, bound),
                     ix->res[i].id};
      pt_topk_offer(ix->res, &m, k, s);
    }
    nr = m;
  }
  *count = nr;
  return PT_OK;
}

/* ============================================================================================
 * Life cycle, memory, bytes
 * ========================================================================================== */

pt_status pt_hnsw_new(pt_index *ix) {
  pt_hnsw *h = pt_calloc(1, sizeof *h);
  if (!h) return PT_NOMEM;
  ix->hnsw = h;
  h->M = ix->p.M;
  h->M0 = 2 * ix->p.M;
  h->efc = ix->p.ef_construction;
  h->dim = ix->p.dim;
  h->metric = ix->p.metric;
  h->elem = ix->p.elem;
  h->sq = ix->p.type == PT_INDEX_HNSW_SQ;
  h->entry = PT_INDEX_NONE;
  h->rng = ix->p.seed;
  size_t fl = h->dim * sizeof(float);
  if (!(h->qv = pt_malloc(fl)) || !(h->qa = pt_malloc(fl)) || !(h->cv = pt_malloc(fl)) || !(h->ca = pt_malloc(fl)) ||
      !(h->batch = pt_malloc(h->M0 * sizeof *h->batch)) || !(h->ptrs = pt_malloc((h->M0 + 1) * sizeof *h->ptrs)))
    return PT_NOMEM; /* pt_index_new frees */
  return PT_OK;
}

void pt_hnsw_free(pt_hnsw *h) {
  if (!h) return;
  drop(h, h->rows);
  drop(h, h->level);
  pt_free(h->dead);
  drop(h, h->link0);
  pt_free(h->upper_at);
  drop(h, h->upper);
  drop(h, h->codes);
  unlend(h);
  pt_free(h->fx);
  pt_sq8_free(&h->sqz);
  pt_free(h->visit);
  pt_free(h->cand);
  pt_free(h->res);
  pt_free(h->found);
  pt_free(h->batch);
  pt_free(h->ptrs);
  pt_free(h->qv);
  pt_free(h->qa);
  pt_free(h->cv);
  pt_free(h->ca);
  pt_free(h);
}

size_t pt_hnsw_memory(const pt_hnsw *h) {
  size_t per_node = 4 + 1 + 4 + 2 + (size_t)(1 + h->M0) * 4 + (size_t)h->dim * (h->sq ? 1 : sizeof *h->fx);
  size_t b = sizeof *h + (size_t)h->cap * per_node + ((size_t)h->cap + 7) / 8 + h->upper_cap * 4;
  b += (h->cand_cap + h->res_cap + h->found_cap) * sizeof(pt_scored) + 4 * (size_t)h->dim * sizeof(float);
  return b + (h->sqz.vmin ? 2 * (size_t)h->dim * sizeof(float) : 0);
}

size_t pt_hnsw_count(const pt_hnsw *h) { return (size_t)h->n - h->n_dead; }

void pt_hnsw_save(const pt_index *ix, pt_ibuf *w) {
  const pt_hnsw *h = ix->hnsw;
  static const uint32_t zeros[1 + 2 * PT_INDEX_M_MAX] = {0};
  pt_ibuf_u32(w, h->n);
  pt_ibuf_u32(w, h->entry);
  pt_ibuf_u32(w, h->top);
  pt_ibuf_u32(w, h->trained ? 1 : 0);
  pt_ibuf_u64(w, h->rng);
  pt_ibuf_u32(w, (uint32_t)h->upper_used);
  pt_ibuf_u32(w, 0);
  pt_ibuf_u32s(w, h->rows, h->n);
  if (h->trained) {
    pt_ibuf_f32s(w, h->sqz.vmin, h->dim);
    pt_ibuf_f32s(w, h->sqz.scale, h->dim);
  }
  /* the lists as laid out in memory, each: its count (without the stable prefix, which is not
   * saved), its links, zeros for the rest */
  for (int layer = 0; layer < 2; layer++)
    for (uint32_t v = 0; v < h->n; v++)
      for (uint32_t l = layer ? 1 : 0; l <= (layer ? h->level[v] : 0); l++) {
        const uint32_t *links = links_at(h, v, l);
        uint32_t cnt = LINK_COUNT(links);
        pt_ibuf_u32(w, cnt);
        pt_ibuf_u32s(w, links + 1, cnt);
        pt_ibuf_u32s(w, zeros, max_links(h, l) - cnt);
      }
  pt_ibuf_put(w, h->level, h->n);
  pt_ibuf_put(w, h->dead, ((size_t)h->n + 7) / 8);
  if (h->trained) pt_ibuf_put(w, h->codes, (size_t)h->n * h->dim);
}

static uint32_t ld32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

/* After a load: counts the removed nodes and checks that no row has two live nodes, with a
 * bitmap over the rows when they are few enough for one (the row map is then built by the next
 * add: ix->where_later), else by building the row map. */
static pt_status live_rows(pt_index *ix, const char **why) {
  pt_hnsw *h = ix->hnsw;
  uint32_t max_row = 0;
  for (uint32_t v = 0; v < h->n; v++) {
    if (is_dead(h, v)) h->n_dead++;
    else if (h->rows[v] > max_row) max_row = h->rows[v];
  }
  size_t live = (size_t)h->n - h->n_dead;
  if (live && max_row / 8 < (size_t)h->n + 64) {
    uint8_t *seen = pt_calloc((size_t)max_row / 8 + 1, 1);
    if (!seen) return PT_NOMEM;
    pt_status rc = PT_OK;
    for (uint32_t v = 0; v < h->n && rc == PT_OK; v++) {
      uint32_t row = h->rows[v];
      if (is_dead(h, v)) continue;
      if (seen[row >> 3] & (1u << (row & 7))) rc = (*why = "a row live twice", PT_CORRUPT);
      seen[row >> 3] = (uint8_t)(seen[row >> 3] | (1u << (row & 7)));
    }
    pt_free(seen);
    ix->where_later = rc == PT_OK;
    return rc;
  }
  pt_status rc = pt_u32map_reserve(&ix->where, live);
  for (uint32_t v = 0; v < h->n && rc == PT_OK; v++)
    if (!is_dead(h, v) && !pt_u32map_put_new(&ix->where, h->rows[v], v)) rc = (*why = "a row live twice", PT_CORRUPT);
  return rc;
}

pt_status pt_hnsw_where_build(pt_index *ix) {
  if (!ix->where_later) return PT_OK;
  const pt_hnsw *h = ix->hnsw;
  pt_status rc = pt_u32map_reserve(&ix->where, pt_hnsw_count(h));
  if (rc != PT_OK) return rc;
  for (uint32_t v = 0; v < h->n; v++)
    if (!is_dead(h, v)) pt_u32map_put(&ix->where, h->rows[v], v);
  ix->where_later = false;
  return PT_OK;
}

uint32_t pt_hnsw_node_of(const pt_hnsw *h, uint32_t row) {
  for (uint32_t v = 0; v < h->n; v++)
    if (h->rows[v] == row && !is_dead(h, v)) return v;
  return PT_INDEX_NONE;
}

bool pt_hnsw_rows_below(const pt_hnsw *h, uint32_t upto) {
  for (uint32_t v = 0; v < h->n; v++)
    if (h->rows[v] >= upto && !is_dead(h, v)) return false;
  return true;
}

/* SQ8's ranges from saved bytes (pt_sq8_load); the index is trained from here. */
static pt_status sq8_ranges(pt_hnsw *h, const uint8_t *src, const char **why) {
  h->trained = true;
  return pt_sq8_load(&h->sqz, src, h->dim, why);
}

/* One saved link list of node v on layer l (format 2: its count, then `max` slots): the count
 * within max, every link to another node of that layer, zeros after the links. */
static bool list_ok(const uint8_t *levels, uint32_t n, uint32_t v, uint32_t l, const uint8_t *p, uint32_t max) {
  uint32_t cnt = ld32(p), bad = cnt > max;
  for (uint32_t j = 1; !bad && j <= cnt; j++) {
    uint32_t u = ld32(p + 4 * (size_t)j);
    bad = u >= n || u == v || (l && levels[u] < l);
  }
  for (uint32_t j = cnt + 1; !bad && j <= max; j++) bad = ld32(p + 4 * (size_t)j) != 0;
  return !bad;
}

/* Format 2: every structure checked in the bytes, then the big arrays kept there (in `block`,
 * aligned) or copied out. */
static pt_status load_v2(pt_index *ix, pt_irdr *r, uint8_t *block, const char **why) {
  pt_hnsw *h = ix->hnsw;
  uint32_t n = pt_irdr_u32(r), entry = pt_irdr_u32(r), top = pt_irdr_u32(r), trained = pt_irdr_u32(r);
  uint64_t rng = pt_irdr_u64(r);
  uint32_t upper = pt_irdr_u32(r), zero = pt_irdr_u32(r);
  size_t block0 = 1 + (size_t)h->M0, bytes0;
  /* every node takes at least a row, a level and a layer-0 list */
  if (r->bad || !pt_mul_ok(block0 * 4 + 5, n, &bytes0) || !pt_irdr_room(r, bytes0, 1))
    return (*why = "node count beyond the bytes", PT_CORRUPT);
  if (zero) return (*why = "bytes where zeros belong", PT_CORRUPT);
  if (n == 0 ? entry != PT_INDEX_NONE || top != 0 || upper != 0 : entry >= n || top > MAX_LEVEL)
    return (*why = "entry point or top level out of range", PT_CORRUPT);
  if (trained > 1 || (trained && !h->sq) || (h->sq && n > 0 && !trained))
    return (*why = "SQ8 training flag inconsistent", PT_CORRUPT);
  size_t codes = 0;
  if (trained && !pt_mul_ok(n, h->dim, &codes)) return (*why = "truncated SQ8 codes", PT_CORRUPT);
  const uint8_t *rows = pt_irdr_bytes(r, (size_t)n * 4);
  const uint8_t *ranges = trained ? pt_irdr_bytes(r, 2 * (size_t)h->dim * 4) : NULL;
  const uint8_t *link0 = pt_irdr_bytes(r, (size_t)n * block0 * 4);
  const uint8_t *up = pt_irdr_room(r, upper, 4) ? pt_irdr_bytes(r, (size_t)upper * 4) : NULL;
  const uint8_t *levels = pt_irdr_bytes(r, n), *dead = pt_irdr_bytes(r, ((size_t)n + 7) / 8);
  const uint8_t *code = trained && pt_irdr_room(r, codes, 1) ? pt_irdr_bytes(r, codes) : NULL;
  if (r->bad || !up || (trained && (!ranges || !code))) return (r->bad = true, *why = "truncated nodes", PT_CORRUPT);
  /* 1. the nodes: levels, rows, removed bits, the upper layers' room */
  if (n > 0 && levels[entry] != top) return (*why = "the entry point is not on the top level", PT_CORRUPT);
  if ((n & 7) && (dead[n >> 3] >> (n & 7))) return (*why = "removed bits set past the last node", PT_CORRUPT);
  uint64_t words = 0;
  for (uint32_t v = 0; v < n; v++) {
    if (levels[v] > top) return (*why = "a node above the top level", PT_CORRUPT);
    if (ld32(rows + 4 * (size_t)v) == PT_INDEX_NONE) return (*why = "a node without a row", PT_CORRUPT);
    words += (uint64_t)levels[v] * (1 + h->M);
  }
  if (words != upper) return (*why = "upper layers of another size than the levels ask", PT_CORRUPT);
  /* 2. the link lists: every node is on layer 0, so a link there needs only to name another
   * node; an upper layer's must name a node that reaches it */
  for (uint32_t v = 0; v < n; v++)
    if (!list_ok(levels, n, v, 0, link0 + (size_t)v * block0 * 4, h->M0))
      return (*why = "a layer-0 list beyond M, to no node, or not zero-filled", PT_CORRUPT);
  size_t at = 0;
  for (uint32_t v = 0; v < n; v++)
    for (uint32_t l = 1; l <= levels[v]; l++, at += 1 + (size_t)h->M)
      if (!list_ok(levels, n, v, l, up + at * 4, h->M))
        return (*why = "an upper-layer list beyond M, to no node of it, or not zero-filled", PT_CORRUPT);
  /* 3. SQ8's ranges */
  pt_status rc;
  if (trained && (rc = sq8_ranges(h, ranges, why)) != PT_OK) return rc;
  /* 4. the arrays: kept in the block when the bytes lie in it, 4-aligned; else copied */
  bool keep = block && n > 0 && (uintptr_t)rows % 4 == 0 && (uintptr_t)link0 % 4 == 0 && (uintptr_t)up % 4 == 0;
  if (keep) {
    if (!(h->upper_at = pt_malloc((size_t)n * 4)) || !(h->dead = pt_malloc(((size_t)n + 7) / 8)) ||
        !(h->visit = pt_calloc(n, sizeof *h->visit)))
      return PT_NOMEM;
    pt_block_retain(block);
    h->block = block;
    h->lent = r->p;
    h->lent_end = r->p + r->len;
    h->rows = (uint32_t *)(void *)(block + (rows - block));
    h->link0 = (uint32_t *)(void *)(block + (link0 - block));
    h->upper = upper ? (uint32_t *)(void *)(block + (up - block)) : NULL;
    h->level = block + (levels - block);
    h->codes = codes ? block + (code - block) : NULL;
    h->cap = n;
    h->upper_cap = upper;
  } else {
    hgrow gr;
    grow_begin(h, &gr);
    if ((rc = grow_nodes(h, &gr, n)) != PT_OK || (rc = grow_upper(h, &gr, upper)) != PT_OK) {
      pt_grow_abort(&gr.g);
      return rc;
    }
    grow_commit(h, &gr);
    if (n) {
      memcpy(h->rows, rows, (size_t)n * 4);
      memcpy(h->link0, link0, (size_t)n * block0 * 4);
      memcpy(h->level, levels, n);
    }
    if (upper) memcpy(h->upper, up, (size_t)upper * 4);
    if (codes) memcpy(h->codes, code, codes);
  }
  if (n) memcpy(h->dead, dead, ((size_t)n + 7) / 8);
  for (uint32_t v = 0, w = 0; v < n; w += (uint32_t)levels[v] * (1 + h->M), v++) h->upper_at[v] = w;
  h->upper_used = upper;
  h->rng = rng;
  h->entry = entry;
  h->top = top;
  h->n = n;
  return live_rows(ix, why);
}


/* Format 1: the link lists as counted, copied out. */
static pt_status load_v1(pt_index *ix, pt_irdr *r, const char **why) {
  pt_hnsw *h = ix->hnsw;
  uint32_t n = pt_irdr_u32(r), entry = pt_irdr_u32(r), top = pt_irdr_u32(r), trained = pt_irdr_u32(r);
  uint64_t rng = pt_irdr_u64(r);
  /* every node takes at least a row, a level and a layer-0 count */
  if (r->bad || !pt_irdr_room(r, n, 9)) return (*why = "node count beyond the bytes", PT_CORRUPT);
  if (n == 0 ? entry != PT_INDEX_NONE || top != 0 : entry >= n || top > MAX_LEVEL)
    return (*why = "entry point or top level out of range", PT_CORRUPT);
  /* HNSW_SQ trains with its first rows (and stays trained when a compaction drops them all) */
  if (trained > 1 || (trained && !h->sq) || (h->sq && n > 0 && !trained))
    return (*why = "SQ8 training flag inconsistent", PT_CORRUPT);
  hgrow gr;
  grow_begin(h, &gr);
  pt_status rc = grow_nodes(h, &gr, n);
  if (rc != PT_OK) {
    pt_grow_abort(&gr.g);
    return rc;
  }
  grow_commit(h, &gr);
  h->rng = rng;
  h->entry = entry;
  h->top = top;
  pt_irdr_u32s(r, h->rows, n);
  const uint8_t *levels = pt_irdr_bytes(r, n), *dead = pt_irdr_bytes(r, ((size_t)n + 7) / 8);
  if (!levels || !dead) return (*why = "truncated nodes", PT_CORRUPT);
  if (n > 0) {
    memcpy(h->level, levels, n);
    memcpy(h->dead, dead, ((size_t)n + 7) / 8);
  }
  if ((n & 7) && (dead[n >> 3] >> (n & 7)))
    return (*why = "removed bits set past the last node", PT_CORRUPT);
  if (n > 0 && h->level[entry] != top) return (*why = "the entry point is not on the top level", PT_CORRUPT);
  size_t upper = 0;
  for (uint32_t v = 0; v < n; v++) {
    if (h->level[v] > top) return (*why = "a node above the top level", PT_CORRUPT);
    if (h->rows[v] == PT_INDEX_NONE) return (*why = "a node without a row", PT_CORRUPT);
    h->upper_at[v] = (uint32_t)upper;
    upper += (size_t)h->level[v] * (1 + h->M);
  }
  if (trained) {
    size_t codes, bytes;
    if (!pt_mul_ok(n, h->dim, &codes) || !pt_add_ok(codes, 2 * (size_t)h->dim * sizeof(float), &bytes) ||
        !pt_irdr_room(r, bytes, 1))
      return (*why = "truncated SQ8 codes", PT_CORRUPT);
    if ((rc = sq8_ranges(h, pt_irdr_bytes(r, 2 * (size_t)h->dim * sizeof(float)), why)) != PT_OK) return rc;
    const uint8_t *src = pt_irdr_bytes(r, codes);
    if (codes) memcpy(h->codes, src, codes);
  }
  grow_begin(h, &gr);
  if ((rc = grow_upper(h, &gr, upper)) != PT_OK) {
    pt_grow_abort(&gr.g);
    return rc;
  }
  grow_commit(h, &gr);
  h->upper_used = upper;
  /* the link lists, read in one pass: every node is on layer 0, so a link there needs only to
   * name another node; an upper layer's must name a node that reaches it */
  const uint8_t *at = r->p + r->at, *end = r->p + r->len;
  for (uint32_t v = 0; v < n; v++) {
    for (uint32_t l = 0; l <= h->level[v]; l++) {
      uint32_t cnt;
      if (r->bad || end - at < 4 || (memcpy(&cnt, at, 4), cnt > max_links(h, l)))
        return (r->bad = true, *why = "a link count beyond M", PT_CORRUPT);
      at += 4;
      if ((size_t)(end - at) / 4 < cnt) return (r->bad = true, *why = "truncated links", PT_CORRUPT);
      uint32_t *links = links_at(h, v, l);
      links[0] = cnt;
      memcpy(links + 1, at, (size_t)cnt * 4);
      at += (size_t)cnt * 4;
      bool bad = false;
      for (uint32_t j = 1; j <= cnt; j++) bad |= links[j] >= n || links[j] == v;
      for (uint32_t j = 1; l && !bad && j <= cnt; j++) bad = h->level[links[j]] < l;
      if (bad) return (*why = "a link to no node of that layer", PT_CORRUPT);
    }
  }
  r->at = (size_t)(at - r->p);
  h->n = n;
  return live_rows(ix, why);
}

pt_status pt_hnsw_load(pt_index *ix, pt_irdr *r, uint32_t version, uint8_t *block, const char **why) {
  return version >= 2 ? load_v2(ix, r, block, why) : load_v1(ix, r, why);
}
