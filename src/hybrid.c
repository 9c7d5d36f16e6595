/*
 * hybrid.c — hybrid search (hybrid.h): Milvus's hybrid_search with its RRF and weighted rerankers.
 *
 * HOW IT WORKS
 * Each sub-request runs as a search of its own (search.c) asking for the primary key only, with
 * the request's partitions; its hits come back with where they are stored (pt_search_refs). The
 * fusion then gives every stored row one score per query, summed over the sub-requests that
 * found it: RRF adds 1 / (k + rank) (rank from 1, in the sub-request's order); weighted adds
 * weight * normalise(metric, score), the normalisation Milvus applies (norm_score, its default)
 * or, without it, the raw score of a larger-is-better metric and 1 - 2 atan(d) / pi of a
 * distance. The fused rows are sorted by score (larger first, ties in storage order), `offset`
 * skipped, `limit` kept, and their output fields read as a search's are (rows.c).
 */
#include "hybrid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cJSON.h"
#include "index.h"
#include "json.h"
#include "text.h"
#include "vindex.h"

#define PT_MAX_HYBRID_REQS 1024 /* Milvus's maxAnnSearchRequests... as its proxy bounds them */

float pt_rerank_normalize(const char *metric, float score) {
  const float pi = 3.14159265358979323846f;
  if (strcmp(metric, "COSINE") == 0) return (1 + score) * 0.5f;
  if (strcmp(metric, "IP") == 0) return 0.5f + (float)atan((double)score) / pi;
  if (strcmp(metric, "BM25") == 0) return 2 * (float)atan((double)score) / pi;
  return 1.0f - 2 * (float)atan((double)score) / pi;
}

static bool larger_is_better(const char *metric) {
  return strcmp(metric, "COSINE") == 0 || strcmp(metric, "IP") == 0 || strcmp(metric, "BM25") == 0;
}

typedef struct fused {
  pt_rowref ref;
  float score;
} fused;

static int fused_cmp(const void *a, const void *b) {
  const fused *x = a, *y = b;
  if (x->score != y->score) return x->score > y->score ? -1 : 1;
  if (x->ref.part != y->ref.part) return x->ref.part < y->ref.part ? -1 : 1;
  return x->ref.row < y->ref.row ? -1 : x->ref.row > y->ref.row;
}

typedef struct ranker {
  bool rrf;
  double k;
  double *weights;
  bool norm;
} ranker;

/* RRF's k when the request gives none (Milvus 2.6's RRF function default). */
#define RRF_DEFAULT_K 60.0

/* The rerank object: {"strategy": "rrf" | "weighted", "params": {...}}. As Milvus 2.6 reads a
 * legacy rank: no rerank or no strategy is RRF, and RRF without k takes RRF_DEFAULT_K. */
static pt_status parse_ranker(const cJSON *rr, size_t n_reqs, ranker *r, pt_error *err) {
  if (cJSON_IsNull(rr)) rr = NULL; /* a null rerank (None) is an absent one */
  const cJSON *st = cJSON_GetObjectItemCaseSensitive(rr, "strategy");
  const cJSON *params = cJSON_GetObjectItemCaseSensitive(rr, "params");
  if (cJSON_IsNull(params)) params = NULL;
  if (cJSON_IsNull(st)) st = NULL;
  r->norm = true;
  if ((rr && !cJSON_IsObject(rr)) || (params && !cJSON_IsObject(params)) || (st && !cJSON_IsString(st)))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "rerank must be {strategy, params}" PT_INVALID_PARAMETER);
  const char *name = st ? st->valuestring : "rrf";
  if (pt_str_eqz(name, strlen(name), "rrf")) {
    r->rrf = true;
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(params, "k");
    r->k = RRF_DEFAULT_K;
    if (!k) return PT_OK;
    if (!cJSON_IsNumber(k)) return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "The type of rank param k should be float");
    r->k = k->valuedouble;
    if (!(r->k > 0 && r->k < 16384))
      return pt_fail(err, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "The rank params k should be in range (0, 16384)");
    return PT_OK;
  }
  if (!pt_str_eqz(name, strlen(name), "weighted"))
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "unsupported rank type %s", name);
  const cJSON *w = cJSON_GetObjectItemCaseSensitive(params, "weights");
  if (!w) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "weights not found in rank_params");
  const cJSON *norm = cJSON_GetObjectItemCaseSensitive(params, "norm_score");
  if (norm && !cJSON_IsBool(norm))
    return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "norm_score must be a bool");
  if (norm) r->norm = cJSON_IsTrue(norm);
  if (!cJSON_IsArray(w)) return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "The weights param should be an array");
  size_t n = (size_t)cJSON_GetArraySize(w);
  if (n != n_reqs)
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "the length of weights param mismatch with ann search requests: invalid parameter[expected=%zu][actual=%zu]",
                   n_reqs, n);
  if (!(r->weights = pt_malloc((n ? n : 1) * sizeof *r->weights))) return pt_fail_nomem(err);
  size_t i = 0;
  for (const cJSON *x = w->child; x; x = x->next, i++) {
    if (!cJSON_IsNumber(x)) return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "The type of rank param weight should be float");
    if (!(x->valuedouble >= 0 && x->valuedouble <= 1))
      return pt_fail(err, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "rank param weight should be in range [0, 1]");
    r->weights[i] = x->valuedouble;
  }
  return PT_OK;
}

/* The metric a sub-request's hits are scored by: the one it names (in Milvus's spelling: a name
 * given in lower case is the same metric), else the one its search takes (pt_vindex_search_metric,
 * as search.c). Its search has already refused a metric that is none. */
static const char *sub_metric(const pt_collection *c, const cJSON *req) {
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(req, "metric_type");
  if (cJSON_IsString(m) && m->valuestring[0]) {
    const char *canonical = pt_metric_canonical(m->valuestring);
    return canonical ? canonical : m->valuestring;
  }
  const cJSON *af = cJSON_GetObjectItemCaseSensitive(req, "anns_field");
  int fi = cJSON_IsString(af) ? pt_schema_find(c->schema, af->valuestring, strlen(af->valuestring)) : -1;
  if (fi < 0) {
    for (size_t i = 0; i < c->schema->n_fields; i++)
      if (pt_dtype_is_vector(c->schema->fields[i].dtype)) fi = (int)i;
  }
  return fi < 0 ? "COSINE" : pt_vindex_search_metric(c, fi);
}

pt_status pt_collection_hybrid_search(pt_collection *c, const char *request, size_t len, const pt_vectors_in *vectors,
                                      size_t n_vectors, pt_search_result **out, pt_error *err) {
  if (!c || !request || !out || (n_vectors && !vectors))
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_hybrid_search: missing argument");
  *out = NULL;
  pt_json_hooks_install();
  pt_json_checked chk;
  cJSON *root = pt_json_parse_ex(request, len, 0, &chk);
  if (!root)
    return pt_json_fail(err, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the hybrid search request",
                        "the hybrid search request is not a JSON object", &chk);
  pt_status rc = PT_OK;
  ranker rk = {0};
  pt_search_result **subs = NULL;
  char *sub_text = NULL;
  fused *all = NULL;
  pt_u32map *seen = NULL;
  const char **metrics = NULL; /* per sub-request */
  size_t *firsts = NULL;       /* per sub-request: the current query's first hit */
  uint32_t *counts = NULL;
  float *dist = NULL;
  pt_rowref *refs = NULL;
  pt_rows *rows = NULL;
  pt_outputs o = {0};
  size_t nq = 0, n_reqs = 0;
  const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(root, "reqs");
  if (!cJSON_IsObject(root) || !cJSON_IsArray(reqs)) {
    rc = pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the hybrid search request needs a list of requests (reqs)");
    goto done;
  }
  n_reqs = (size_t)cJSON_GetArraySize(reqs);
  if (n_reqs == 0 || n_reqs > PT_MAX_HYBRID_REQS || n_reqs != n_vectors) {
    rc = pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                 "the number of ann search requests (%zu) should be in [1, %d], with as many query vectors (%zu)" PT_INVALID_PARAMETER,
                 n_reqs, PT_MAX_HYBRID_REQS, n_vectors);
    goto done;
  }
  if ((rc = parse_ranker(cJSON_GetObjectItemCaseSensitive(root, "rerank"), n_reqs, &rk, err))) goto done;
  double limit = 10, offset = 0;
  const cJSON *l = cJSON_GetObjectItemCaseSensitive(root, "limit"), *of = cJSON_GetObjectItemCaseSensitive(root, "offset");
  if (l && !cJSON_IsNull(l)) limit = cJSON_IsNumber(l) ? l->valuedouble : -1;
  if (of && !cJSON_IsNull(of)) offset = cJSON_IsNumber(of) ? of->valuedouble : -1;
  if (!(limit >= 1 && limit <= PT_MAX_TOPK && limit == floor(limit))) {
    rc = pt_fail(err, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "topk [%g] is invalid, it should be in range [1, %d], but got %g",
                 limit, PT_MAX_TOPK, limit);
    goto done;
  }
  if (!(offset >= 0 && offset <= PT_MAX_TOPK && offset == floor(offset))) {
    rc = pt_fail(err, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "offset [%g] is invalid, it should be in range [1, %d], but got %g",
                 offset, PT_MAX_TOPK, offset);
    goto done;
  }
  if ((rc = pt_outputs_parse(c, cJSON_GetObjectItemCaseSensitive(root, "output_fields"), &o, err))) goto done;
  /* 1. every sub-request, as a search of its own (key only, the request's partitions) */
  if (!(subs = pt_calloc(n_reqs, sizeof *subs))) { rc = pt_fail_nomem(err); goto done; }
  const cJSON *parts = cJSON_GetObjectItemCaseSensitive(root, "partition_names");
  const cJSON *req = reqs->child;
  for (size_t i = 0; i < n_reqs; i++, req = req->next) {
    if (!cJSON_IsObject(req)) {
      rc = pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "each hybrid search request must be an object");
      goto done;
    }
    /* a sub-request's hits are ranked in score order for the fusion: an ordering by scalar
     * values (Milvus 3.0's order_by_fields) has no meaning there */
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(req, "params");
    const cJSON *sob = cJSON_IsObject(sp) ? cJSON_GetObjectItemCaseSensitive(sp, "order_by_fields") : NULL;
    if (sob && !cJSON_IsNull(sob)) {
      rc = pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM,
                   "order_by_fields is not supported in a hybrid search's sub-request (request %zu)", i);
      goto done;
    }
    cJSON *sub = cJSON_Duplicate(req, true);
    bool ok = sub != NULL;
    if (ok) {
      cJSON_DeleteItemFromObjectCaseSensitive(sub, "output_fields");
      cJSON_DeleteItemFromObjectCaseSensitive(sub, "partition_names");
      cJSON_DeleteItemFromObjectCaseSensitive(sub, "offset");
      cJSON *p = parts ? cJSON_Duplicate(parts, true) : NULL;
      if (parts && !(p && cJSON_AddItemToObject(sub, "partition_names", p))) {
        cJSON_Delete(p);
        ok = false;
      }
    }
    pt_free(sub_text);
    sub_text = ok ? cJSON_PrintUnformatted(sub) : NULL;
    cJSON_Delete(sub);
    if (!sub_text) { rc = pt_fail_nomem(err); goto done; }
    if ((rc = pt_collection_search_vectors(c, sub_text, strlen(sub_text), &vectors[i], &subs[i], err))) goto done;
    size_t sq = pt_search_nq(subs[i]);
    if (i == 0) nq = sq;
    if (sq != nq) {
      rc = pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "the nq of ann search requests differ (%zu and %zu)" PT_INVALID_PARAMETER, nq, sq);
      goto done;
    }
  }
  /* 2. fusion per query: one score per stored row (a map from partition and row to a slot) */
  size_t total_hits = 0;
  for (size_t i = 0; i < n_reqs; i++) {
    const uint32_t *cn = pt_search_counts(subs[i]);
    for (size_t q = 0; q < nq; q++) total_hits += cn[q];
  }
  size_t keep = (size_t)limit, room = nq * keep > 0 ? nq * keep : 1;
  if (!(all = pt_malloc((total_hits ? total_hits : 1) * sizeof *all)) || !(counts = pt_calloc(nq, sizeof *counts)) ||
      !(dist = pt_malloc(room * sizeof *dist)) || !(refs = pt_malloc(room * sizeof *refs)) ||
      !(seen = pt_calloc(c->n_parts ? c->n_parts : 1, sizeof *seen)) || !(metrics = pt_malloc(n_reqs * sizeof *metrics)) ||
      !(firsts = pt_malloc(n_reqs * sizeof *firsts))) {
    rc = pt_fail_nomem(err);
    goto done;
  }
  /* per sub-request, once: its metric, and where the current query's hits begin */
  size_t at = 0, i_req = 0;
  for (const cJSON *r = reqs->child; r; r = r->next, i_req++) {
    metrics[i_req] = sub_metric(c, r);
    firsts[i_req] = 0;
  }
  for (size_t q = 0; q < nq; q++) {
    size_t n = 0;
    for (size_t p = 0; p < c->n_parts; p++) pt_u32map_free(&seen[p]);
    for (size_t i = 0; i < n_reqs; i++) {
      const uint32_t *cn = pt_search_counts(subs[i]);
      const pt_rowref *rf = pt_search_refs(subs[i]) + firsts[i];
      const float *ds = pt_search_distances(subs[i]) + firsts[i];
      const char *metric = metrics[i];
      firsts[i] += cn[q];
      for (size_t j = 0; j < cn[q]; j++) {
        float part;
        if (rk.rrf) part = 1.0f / ((float)rk.k + (float)(j + 1));
        else if (rk.norm) part = (float)rk.weights[i] * pt_rerank_normalize(metric, ds[j]);
        else part = (float)rk.weights[i] * (larger_is_better(metric) ? ds[j] : pt_rerank_normalize("L2", ds[j]));
        pt_u32map *m = &seen[rf[j].part];
        uint32_t slot = pt_u32map_get(m, rf[j].row);
        if (slot != PT_INDEX_NONE) {
          all[slot].score += part;
          continue;
        }
        if (pt_u32map_reserve(m, 1) != PT_OK) { rc = pt_fail_nomem(err); goto done; }
        pt_u32map_put(m, rf[j].row, (uint32_t)n);
        all[n++] = (fused){rf[j], part};
      }
    }
    qsort(all, n, sizeof *all, fused_cmp);
    size_t skip = (size_t)offset < n ? (size_t)offset : n;
    size_t take = n - skip < keep ? n - skip : keep;
    for (size_t j = 0; j < take; j++, at++) {
      refs[at] = all[skip + j].ref;
      dist[at] = all[skip + j].score;
    }
    counts[q] = (uint32_t)take;
  }
  /* 3. the hits' fields */
  if ((rc = pt_rows_build(c, refs, at, &o, &rows))) {
    rc = pt_rows_build_fail(rc, err);
    goto done;
  }
  if (!(*out = pt_search_result_make(nq, counts, dist, rows, o.key_named))) {
    counts = NULL, dist = NULL, rows = NULL;
    rc = pt_fail_nomem(err);
    goto done;
  }
  counts = NULL, dist = NULL, rows = NULL;
  pt_error_clear(err);
done:
  for (size_t i = 0; subs && i < n_reqs; i++) pt_search_free(subs[i]);
  pt_free(subs);
  pt_free(sub_text);
  pt_free(all);
  for (size_t p = 0; seen && p < c->n_parts; p++) pt_u32map_free(&seen[p]);
  pt_free(seen);
  pt_free(metrics);
  pt_free(firsts);
  pt_free(counts);
  pt_free(dist);
  pt_free(refs);
  pt_rows_free(rows);
  pt_outputs_release(&o);
  pt_free(rk.weights);
  cJSON_Delete(root);
  return rc;
}
