/*
 * vindex.c — vector indexes on collections (vindex.h): create_index, drop_index and describe
 * (the definitions are vindexdef.c's); building each partition's index and keeping it in step
 * with the rows; what a search walks.
 */
#include "vindex.h"

#include <math.h>
#include <stdio.h>

#include "cJSON.h"
#include "json.h"

#define INVALID(err, ...) pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, __VA_ARGS__)

static bool is_ivf(pt_index_type t) {
  return t == PT_INDEX_IVF_FLAT || t == PT_INDEX_IVF_SQ8 || t == PT_INDEX_BIN_IVF_FLAT || t == PT_INDEX_IVF_RABITQ;
}

/* ============================================================================================
 * Building
 * ========================================================================================== */

/* The live rows of a partition in [from, to), into a new array (*ids, *n). */
static pt_status live_rows(const pt_partition *part, const pt_layout *lay, uint32_t from, uint32_t to, uint32_t **ids,
                           size_t *n) {
  *ids = NULL;
  *n = 0;
  if (from >= to) return PT_OK;
  uint32_t *a = pt_malloc((size_t)(to - from) * sizeof *a);
  if (!a) return PT_NOMEM;
  size_t k = 0;
  for (uint32_t r = from; r < to; r++)
    if (!pt_row_deleted(part, lay, r)) a[k++] = r;
  *ids = a;
  *n = k;
  return PT_OK;
}

/* Brings one partition's index of definition `v` up to its rows: builds it when there is none
 * (an IVF index waits for nlist rows), adds the rows appended since. All or nothing. */
static pt_status catch_up_part(const pt_collection *c, const pt_vindex *v, pt_partition *part, pt_part_vix *pv) {
  const pt_layout *lay = &c->layout;
  if (pv->ix && pv->upto >= part->n_rows) return PT_OK;
  uint32_t from = pv->ix ? pv->upto : 0;
  uint32_t *ids;
  size_t n;
  pt_status rc = live_rows(part, lay, from, part->n_rows, &ids, &n);
  if (rc) return rc;
  pt_index *fresh = NULL;
  if (!pv->ix) {
    if (is_ivf(v->p.type) && n < v->p.nlist) { /* too few rows to train: searched exactly meanwhile */
      pt_free(ids);
      return PT_OK;
    }
    if ((rc = pt_index_new(&v->p, &fresh))) {
      pt_free(ids);
      return rc;
    }
  }
  pt_part_rows ctx = {part, lay, v->field};
  pt_index_rows rows = {pt_part_rows_get, &ctx};
  rc = pt_index_add(fresh ? fresh : pv->ix, &rows, ids, n);
  pt_free(ids);
  if (rc) {
    pt_index_free(fresh);
    return rc;
  }
  if (fresh) pv->ix = fresh;
  pv->upto = part->n_rows;
  pv->col = v->field;
  return PT_OK;
}

/* Makes room for `n` per-index entries in a partition (new ones empty). */
static pt_status part_room(pt_partition *part, size_t n) {
  if (part->n_vix >= n) return PT_OK;
  pt_part_vix *a = pt_realloc(part->vix, n * sizeof *a);
  if (!a) return PT_NOMEM;
  for (size_t i = part->n_vix; i < n; i++) a[i] = (pt_part_vix){NULL, 0, 0};
  part->vix = a;
  part->n_vix = n;
  return PT_OK;
}

void pt_vindex_catch_up(pt_collection *c, int field) {
  for (size_t i = 0; i < c->n_vindexes; i++) {
    const pt_vindex *v = &c->vindexes[i];
    if (!v->built || (field >= 0 && (int)v->field != field)) continue;
    for (size_t p = 0; p < c->n_parts; p++) {
      pt_partition *part = c->parts[p];
      if (part_room(part, c->n_vindexes) != PT_OK) continue;
      (void)catch_up_part(c, v, part, &part->vix[i]); /* best effort: what is left is scanned */
    }
  }
}

/* ============================================================================================
 * create_index, drop_index, describe
 * ========================================================================================== */

static cJSON *parse_request(const char *request, size_t len, const char *what, pt_error *err, pt_status *rc) {
  pt_json_hooks_install();
  pt_json_checked chk;
  cJSON *root = pt_json_parse_ex(request, len, 0, &chk);
  if (!root) {
    *rc = pt_json_fail(err, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, what, "the request is not a JSON object", &chk);
    return NULL;
  }
  if (!cJSON_IsObject(root)) {
    cJSON_Delete(root);
    *rc = pt_fail(err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the request is not a JSON object");
    return NULL;
  }
  return root;
}

static bool same_definition(const pt_vindex *a, const pt_vindex *b) {
  return a->field == b->field && strcmp(a->type, b->type) == 0 && strcmp(a->metric, b->metric) == 0 &&
         pt_str_eq(a->name, a->name_len, b->name, b->name_len) &&
         pt_str_eq(a->params, a->params_len, b->params, b->params_len);
}

/* A plain sparse field's IP index lives in the partitions' full-text states (fts.c), which are
 * made for the indexes that exist when a search builds them: creating or dropping one on such a
 * field drops the states, so the next search builds them for the indexes there are then. */
static void reset_fts(pt_collection *c, size_t field) {
  const pt_field *f = &c->schema->fields[field];
  if (f->dtype != PT_SPARSE_FLOAT_VECTOR || f->bm25_input >= 0) return;
  for (size_t p = 0; p < c->n_parts; p++) pt_fts_drop(c->parts[p]);
}

pt_status pt_collection_create_index(pt_collection *c, const char *request, size_t len, pt_error *err) {
  return pt_vindex_create(c, request, len, false, err);
}

pt_status pt_vindex_create(pt_collection *c, const char *request, size_t len, bool saved, pt_error *err) {
  if (!c || !request) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_create_index: missing argument");
  pt_status rc = PT_OK;
  cJSON *root = parse_request(request, len, "the create_index request", err, &rc);
  if (!root) return rc;
  pt_vindex v;
  rc = saved ? pt_vindex_parse_saved(c->schema, root, &v, err) : pt_vindex_parse(c->schema, root, &v, err);
  cJSON_Delete(root);
  if (rc) return rc;
  for (size_t i = 0; i < c->n_vindexes; i++) {
    const pt_vindex *o = &c->vindexes[i];
    if (o->field != v.field && !pt_str_eq(o->name, o->name_len, v.name, v.name_len)) continue;
    bool same = same_definition(o, &v);
    pt_vindex_release(&v);
    if (same) { /* Milvus: creating the same index again succeeds */
      pt_error_clear(err);
      return PT_OK;
    }
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "CreateIndex failed: at most one distinct index is allowed per field");
  }
  /* a build reads every row: cold ones (left by an index dropped before) are read back first */
  if (v.built) {
    bool cold;
    pt_status want = pt_cold_want_in(c, SIZE_MAX, v.field, &cold);
    if (cold || want) {
      pt_vindex_release(&v);
      return pt_cold_fail(want, err);
    }
  }
  /* the log's record first (the request as given: applying it builds the same index), then
   * every partition's index built apart, with the arrays that will hold it, then attached all
   * at once: nothing changes on a failure */
  pt_walw w;
  pt_wal_begin(&w, &c->store->wal, PT_LOG_CREATE_INDEX);
  pt_wal_item(&w, c->name, c->name_len);
  pt_wal_item(&w, request, len);
  if (pt_wal_ready(&w)) {
    pt_vindex_release(&v);
    return pt_fail_nomem(err);
  }
  size_t n = c->n_vindexes, np = c->n_parts ? c->n_parts : 1;
  pt_part_vix *built = pt_calloc(np, sizeof *built);
  pt_part_vix **arrays = pt_calloc(np, sizeof *arrays);
  pt_vindex *defs = pt_malloc((n + 1) * sizeof *defs);
  rc = built && arrays && defs ? PT_OK : PT_NOMEM;
  for (size_t p = 0; !rc && p < c->n_parts; p++)
    if (!(arrays[p] = pt_malloc((n + 1) * sizeof **arrays))) rc = PT_NOMEM;
  for (size_t p = 0; !rc && v.built && p < c->n_parts; p++) rc = catch_up_part(c, &v, c->parts[p], &built[p]);
  if (rc) {
    for (size_t p = 0; p < c->n_parts; p++) {
      if (built) pt_index_free(built[p].ix);
      if (arrays) pt_free(arrays[p]);
    }
    pt_free(built);
    pt_free(arrays);
    pt_free(defs);
    pt_vindex_release(&v);
    pt_wal_cancel(&w);
    return pt_fail_nomem(err);
  }
  for (size_t p = 0; p < c->n_parts; p++) {
    pt_partition *part = c->parts[p];
    for (size_t i = 0; i < n; i++) arrays[p][i] = i < part->n_vix ? part->vix[i] : (pt_part_vix){NULL, 0, 0};
    arrays[p][n] = built[p];
    pt_free(part->vix);
    part->vix = arrays[p];
    part->n_vix = n + 1;
  }
  pt_free(built);
  pt_free(arrays);
  if (n) memcpy(defs, c->vindexes, n * sizeof *defs);
  pt_free(c->vindexes);
  c->vindexes = defs;
  c->vindexes[n] = v;
  c->n_vindexes = n + 1;
  reset_fts(c, v.field);
  pt_wal_end_now(&w, c->store);
  pt_error_clear(err);
  return PT_OK;
}

/* The definitions a drop / describe request names ("field_name", "index_name"; both optional):
 * a mask of c->n_vindexes entries. */
static pt_status named(const pt_collection *c, const cJSON *root, bool *mask, size_t *count, pt_error *err) {
  const cJSON *fn = cJSON_GetObjectItemCaseSensitive(root, "field_name");
  const cJSON *in = cJSON_GetObjectItemCaseSensitive(root, "index_name");
  if ((fn && !cJSON_IsNull(fn) && !cJSON_IsString(fn)) || (in && !cJSON_IsNull(in) && !cJSON_IsString(in)))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "field_name and index_name must be strings");
  const char *f = cJSON_IsString(fn) ? fn->valuestring : "", *x = cJSON_IsString(in) ? in->valuestring : "";
  *count = 0;
  for (size_t i = 0; i < c->n_vindexes; i++) {
    const pt_vindex *v = &c->vindexes[i];
    const pt_field *fd = &c->schema->fields[v->field];
    mask[i] = (!*f || pt_str_eqz(fd->name, fd->name_len, f)) && (!*x || pt_str_eqz(v->name, v->name_len, x));
    *count += mask[i];
  }
  return PT_OK;
}

/* The definitions a request's text names, as a new mask (*mask, owned by the caller); none is
 * Milvus's index-not-found (code 700). */
static pt_status select_named(const pt_collection *c, const char *request, size_t len, const char *what, bool **mask,
                              size_t *count, pt_error *err) {
  pt_status rc = PT_OK;
  *mask = NULL;
  cJSON *root = parse_request(request, len, what, err, &rc);
  if (!root) return rc;
  *mask = pt_calloc(c->n_vindexes ? c->n_vindexes : 1, sizeof **mask);
  *count = 0;
  rc = *mask ? named(c, root, *mask, count, err) : pt_fail_nomem(err);
  cJSON_Delete(root);
  if (!rc && *count == 0) rc = pt_fail(err, PT_NOT_FOUND, 700, PT_EXC_MILVUS, "index not found[collection=%s]", c->name);
  if (rc) {
    pt_free(*mask);
    *mask = NULL;
  }
  return rc;
}

pt_status pt_collection_drop_index(pt_collection *c, const char *request, size_t len, pt_error *err) {
  if (!c || !request) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_drop_index: missing argument");
  bool *mask;
  size_t count;
  pt_status rc = select_named(c, request, len, "the drop_index request", &mask, &count, err);
  if (rc) return rc;
  if (count > 1) {
    pt_free(mask);
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "there are multiple indexes, please specify the index_name");
  }
  size_t i = 0;
  while (!mask[i]) i++;
  pt_free(mask);
  pt_walw w;
  pt_wal_begin(&w, &c->store->wal, PT_LOG_DROP_INDEX);
  pt_wal_item(&w, c->name, c->name_len);
  pt_wal_item(&w, request, len);
  if (pt_wal_ready(&w)) return pt_fail_nomem(err);
  for (size_t p = 0; p < c->n_parts; p++) {
    pt_partition *part = c->parts[p];
    if (part->n_vix <= i) continue;
    pt_index_free(part->vix[i].ix);
    memmove(&part->vix[i], &part->vix[i + 1], (part->n_vix - i - 1) * sizeof *part->vix);
    if (--part->n_vix == 0) {
      pt_free(part->vix);
      part->vix = NULL;
    }
  }
  size_t field = c->vindexes[i].field;
  pt_vindex_release(&c->vindexes[i]);
  memmove(&c->vindexes[i], &c->vindexes[i + 1], (c->n_vindexes - i - 1) * sizeof *c->vindexes);
  if (--c->n_vindexes == 0) {
    pt_free(c->vindexes);
    c->vindexes = NULL;
  }
  reset_fts(c, field);
  pt_wal_end_now(&w, c->store);
  pt_error_clear(err);
  return PT_OK;
}

/* Live rows of a partition below `upto`. */
static uint64_t live_below(const pt_partition *part, const pt_layout *lay, uint32_t upto) {
  uint64_t n = 0;
  uint32_t cap = lay->seg_mask + 1;
  for (size_t s = 0; s < part->n_segs; s++) {
    uint32_t base = (uint32_t)(s << lay->seg_shift);
    if (base >= upto) break;
    const pt_segment *seg = part->segs[s];
    if (upto - base >= cap || upto - base >= seg->count) {
      n += seg->live;
      continue;
    }
    for (uint32_t o = 0; o < upto - base; o++) n += !pt_bit_get(seg->deleted, o);
  }
  return n;
}

pt_status pt_collection_describe_index(pt_collection *c, const char *request, size_t len, char **out, size_t *out_len,
                                       pt_error *err) {
  if (!c || !request || !out || !out_len)
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_describe_index: missing argument");
  *out = NULL;
  *out_len = 0;
  pt_vindex_catch_up(c, -1);
  bool *mask;
  size_t count;
  pt_status rc = select_named(c, request, len, "the describe_index request", &mask, &count, err);
  if (rc) return rc;
  cJSON *list = cJSON_CreateArray();
  if (!rc && !list) rc = pt_fail_nomem(err);
  for (size_t i = 0; !rc && i < c->n_vindexes; i++) {
    if (!mask[i]) continue;
    const pt_vindex *v = &c->vindexes[i];
    uint64_t total = 0, indexed = 0;
    for (size_t p = 0; p < c->n_parts; p++) {
      const pt_partition *part = c->parts[p];
      total += part->n_live;
      if (!v->built) indexed += part->n_live;
      else if (i < part->n_vix && part->vix[i].ix) indexed += live_below(part, &c->layout, part->vix[i].upto);
    }
    cJSON *o = cJSON_CreateObject(), *params = cJSON_Parse(v->params);
    bool ok = o && params && cJSON_AddItemToArray(list, o);
    if (!ok) cJSON_Delete(o);
    ok = ok && cJSON_AddStringToObject(o, "index_name", v->name) &&
         cJSON_AddStringToObject(o, "field_name", c->schema->fields[v->field].name) &&
         cJSON_AddStringToObject(o, "index_type", v->type) && cJSON_AddStringToObject(o, "metric_type", v->metric) &&
         cJSON_AddItemToObject(o, "params", params) && (params = NULL, true) &&
         cJSON_AddNumberToObject(o, "indexed_rows", (double)indexed) &&
         cJSON_AddNumberToObject(o, "total_rows", (double)total) &&
         cJSON_AddNumberToObject(o, "pending_index_rows", (double)(total - indexed)) &&
         cJSON_AddStringToObject(o, "state", "Finished") && cJSON_AddStringToObject(o, "index_state_fail_reason", "");
    cJSON_Delete(params);
    if (!ok) rc = pt_fail_nomem(err);
  }
  pt_free(mask);
  if (!rc) {
    char *text = cJSON_PrintUnformatted(list);
    if (!text) rc = pt_fail_nomem(err);
    else {
      *out = text;
      *out_len = strlen(text);
      pt_error_clear(err);
    }
  }
  cJSON_Delete(list);
  return rc;
}

/* ============================================================================================
 * Search
 * ========================================================================================== */

const pt_vindex *pt_vindex_of_field(const pt_collection *c, int field, size_t *which) {
  for (size_t i = 0; i < c->n_vindexes; i++)
    if ((int)c->vindexes[i].field == field) {
      if (which) *which = i;
      return &c->vindexes[i];
    }
  return NULL;
}

const char *pt_vindex_search_metric(const pt_collection *c, int field) {
  const pt_vindex *vx = pt_vindex_of_field(c, field, NULL);
  return vx ? vx->metric : pt_field_default_metric(&c->schema->fields[field]);
}

pt_status pt_vindex_search_params(const pt_collection *c, int field, const cJSON *params, uint32_t k,
                                  pt_index_search_params *sp, bool *use, pt_error *err) {
  memset(sp, 0, sizeof *sp);
  sp->k = k;
  *use = false;
  const pt_vindex *v = pt_vindex_of_field(c, field, NULL);
  bool hnsw = v && v->built && (v->p.type == PT_INDEX_HNSW || v->p.type == PT_INDEX_HNSW_SQ);
  bool ivf = v && v->built && is_ivf(v->p.type);
  bool rbq = v && v->built && v->p.type == PT_INDEX_IVF_RABITQ;
  /* rbq_bits_query is knowhere's name (what Milvus passes on); Milvus's docs write
   * rbq_query_bits: both are read, and must agree when both are given */
  static const char *const KEYS[] = {"ef", "nprobe", "refine_k", "rbq_bits_query", "rbq_query_bits"};
  static const char *const FOR[] = {"HNSW", "IVF", "HNSW_SQ and IVF_RABITQ", "IVF_RABITQ", "IVF_RABITQ"};
  bool qbits_given = false;
  for (int i = 0; i < 5; i++) {
    const cJSON *e = params ? cJSON_GetObjectItemCaseSensitive(params, KEYS[i]) : NULL;
    if (!e) continue;
    bool fits = i == 0 ? hnsw : i == 1 ? ivf : i == 2 ? (v && v->built && (v->p.type == PT_INDEX_HNSW_SQ || rbq)) : rbq;
    if (!fits)
      return INVALID(err, "search param '%s' is for %s indexes; field %s has %s%s" PT_INVALID_PARAMETER, KEYS[i],
                     FOR[i], c->schema->fields[field].name, v ? "an index of type " : "no index", v ? v->type : "");
    if (i == 2) {
      if (!cJSON_IsNumber(e))
        return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                       "Out of range in json: param 'refine_k' should be in range [1, float_max)" PT_INVALID_PARAMETER);
      pt_status rc = pt_index_search_refine_k(e->valuedouble, err);
      if (rc) return rc;
      sp->refine_k = (float)e->valuedouble;
      continue;
    }
    int64_t n;
    pt_status rc = pt_vindex_param_int(e, KEYS[i], &n, err);
    if (rc || (rc = pt_index_search_int(KEYS[i], n, k, err))) return rc;
    if (i == 0) sp->ef = (uint32_t)n;
    else if (i == 1) sp->nprobe = (uint32_t)n;
    else if (qbits_given && sp->qbits != (uint32_t)n)
      return INVALID(err, "search params rbq_bits_query (%u) and rbq_query_bits (%lld) disagree" PT_INVALID_PARAMETER,
                     sp->qbits, (long long)n);
    else {
      sp->qbits = (uint32_t)n;
      qbits_given = true;
    }
  }
  if (!v || !v->built) return PT_OK;
  pt_index_search_params checked; /* each given value was checked above: only the defaults are added */
  pt_status rc = pt_index_search_complete(&v->p, sp, &checked, err);
  if (rc) return rc;
  *sp = checked;
  *use = true;
  return PT_OK;
}

static bool live_accept(const void *ctx, uint32_t row) {
  const pt_part_rows *r = ctx;
  return !pt_row_deleted(r->part, r->lay, row);
}

/* Appends segment s's filtered rows to w->sel (grown to hold a segment's worth more). */
static pt_status select_segment(pt_vindex_walk *w, const pt_collection *c, size_t part, const pt_filter *filter,
                                size_t s, size_t *used, size_t *room, pt_error *err) {
  size_t cap = (size_t)c->layout.seg_mask + 1;
  if (*room - *used < cap) {
    size_t want = 2 * *used + cap, bytes; /* used <= the rows: no overflow */
    uint32_t *grown = pt_mul_ok(want, sizeof *w->sel, &bytes) ? pt_realloc(w->sel, bytes) : NULL;
    if (!grown) return pt_fail_nomem(err);
    w->sel = grown;
    *room = want;
  }
  size_t n;
  pt_status rc = pt_filter_select(filter, c, part, s, w->sel + *used, &n, err);
  if (rc) return rc;
  w->sel_at[s] = *used;
  w->sel_n[s] = n;
  *used += n;
  return PT_OK;
}

/* Of segment s's selected rows, those below upto. */
static uint64_t selected_below(const pt_vindex_walk *w, const pt_layout *lay, size_t s, uint32_t upto) {
  uint32_t base = (uint32_t)(s << lay->seg_shift);
  const uint32_t *rows = w->sel + w->sel_at[s];
  size_t n = w->sel_n[s];
  if (upto - base >= (uint32_t)lay->seg_mask + 1) return n; /* the whole segment is below upto */
  uint64_t k = 0;
  while (k < n && base + rows[k] < upto) k++;
  return k;
}

pt_status pt_vindex_walk_begin(const pt_collection *c, size_t which, size_t part, const pt_filter *filter,
                               const pt_index_search_params *sp, pt_vindex_walk *w, pt_error *err) {
  memset(w, 0, sizeof *w);
  const pt_partition *p = c->parts[part];
  if (which >= p->n_vix || !p->vix[which].ix) return PT_OK;
  const pt_part_vix *pv = &p->vix[which];
  const pt_layout *lay = &c->layout;
  const pt_index_params *ip = pt_index_get_params(pv->ix);
  w->ctx = (pt_part_rows){p, lay, pv->col};
  w->rows = (pt_index_rows){pt_part_rows_get, &w->ctx};
  w->sp = *sp;
  uint32_t upto = pv->upto;
  uint64_t pass = live_below(p, lay, upto);
  /* beside cold rows (cold.c) the index always answers, as Milvus's does beside a raw field left
   * on disk: where the scan would have paid, it scores the accepted rows on its own codes (its
   * fallback: pass_hint below), rather than reading the rows back */
  bool cold = pt_cold_in(c, part, pv->col);
  if (filter) {
    /* the filter's rows of the segments the index covers: the walk's bitmap is made of them.
     * Whether the walk pays is first estimated from a sample of the segments, spread over the
     * partition (PT_VINDEX_SAMPLE_EVERY-th, at least PT_VINDEX_SAMPLE_MIN): when even a quarter
     * more rows than the sample promises would not pay, the exact scan runs as it does without
     * an index, selecting the other segments as it reaches them (a scan that found every
     * segment selected in advance ran 0.5-1 % slower than the same scan selecting as it goes,
     * measured through the API at 5-10 % passing); otherwise every segment is selected and
     * the exact count decides. So a wrong estimate only costs time: the walk is taken only on
     * the exact count. The selections are kept back to back in one buffer, which grows by
     * doubling: a filter that passes few rows keeps little, however many segments there are. */
    size_t segs = 0, used = 0, room = 0;
    while (segs < p->n_segs && (uint32_t)(segs << lay->seg_shift) < upto) segs++;
    w->sel_at = pt_malloc((segs + 1) * sizeof *w->sel_at);
    w->sel_n = pt_malloc((segs + 1) * sizeof *w->sel_n);
    if (!w->sel_at || !w->sel_n) {
      pt_vindex_walk_end(w);
      return pt_fail_nomem(err);
    }
    for (size_t s = 0; s < segs; s++) w->sel_at[s] = PT_SEL_NONE;
    w->n_sel_segs = segs;
    size_t sampled = segs / PT_VINDEX_SAMPLE_EVERY;
    if (sampled < PT_VINDEX_SAMPLE_MIN) sampled = PT_VINDEX_SAMPLE_MIN;
    pt_status rc = PT_OK;
    if (sampled < segs) {
      uint64_t got = 0, seen = 0;
      for (size_t j = 0; j < sampled && !rc; j++) {
        size_t s = (j * segs + segs / (2 * sampled)) / sampled; /* spread evenly, centred */
        if ((rc = select_segment(w, c, part, filter, s, &used, &room, err))) break;
        uint32_t base = (uint32_t)(s << lay->seg_shift), cap = (uint32_t)lay->seg_mask + 1;
        seen += upto - base >= cap ? cap : upto - base;
        got += selected_below(w, lay, s, upto);
      }
      if (rc) {
        pt_vindex_walk_end(w);
        return rc;
      }
      /* seen > 0: every sampled segment starts below upto */
      double est = (double)got * upto / (double)seen * PT_VINDEX_SAMPLE_SLACK;
      if (!cold && !pt_index_walk_pays(ip, sp, (uint64_t)ceil(est), upto)) return PT_OK; /* the scan, as without an index */
    }
    pass = 0;
    for (size_t s = 0; s < segs; s++) {
      if (w->sel_at[s] == PT_SEL_NONE && (rc = select_segment(w, c, part, filter, s, &used, &room, err))) {
        pt_vindex_walk_end(w);
        return rc;
      }
      pass += selected_below(w, lay, s, upto);
    }
  }
  float hint = upto ? (float)((double)pass / (double)upto) : 0;
  if (!cold && !pt_index_walk_pays(ip, sp, pass, upto)) return PT_OK; /* the exact scan is both right and faster */
  if (filter) {
    if (!(w->bitmap = pt_calloc(upto / 8 + 1, 1))) {
      pt_vindex_walk_end(w);
      return pt_fail_nomem(err);
    }
    for (size_t s = 0; s < w->n_sel_segs; s++) {
      uint32_t base = (uint32_t)(s << lay->seg_shift);
      const uint32_t *rows = w->sel + w->sel_at[s];
      for (size_t j = 0; j < w->sel_n[s] && base + rows[j] < upto; j++) pt_bit_set(w->bitmap, base + rows[j]);
    }
    w->bits = (pt_index_bits){w->bitmap, upto};
    w->filter = (pt_index_filter){pt_index_bits_accept, &w->bits};
  } else {
    w->filter = (pt_index_filter){live_accept, &w->ctx};
  }
  w->sp.pass_hint = hint > 1 ? 1 : hint;
  w->ix = pv->ix;
  w->from = upto;
  return PT_OK;
}

bool pt_vindex_walk_selected(const pt_vindex_walk *w, size_t seg, const uint32_t **rows, size_t *n) {
  if (seg >= w->n_sel_segs || w->sel_at[seg] == PT_SEL_NONE) return false;
  *rows = w->sel + w->sel_at[seg];
  *n = w->sel_n[seg];
  return true;
}

pt_status pt_vindex_walk_search(pt_vindex_walk *w, const void *query, uint32_t *ids, float *dist, size_t *n,
                                pt_error *err) {
  pt_status rc = pt_index_search(w->ix, &w->rows, query, &w->sp, &w->filter, ids, dist, n);
  return rc == PT_NOMEM ? pt_fail_nomem(err) : rc;
}

void pt_vindex_walk_end(pt_vindex_walk *w) {
  pt_free(w->bitmap);
  pt_free(w->sel);
  pt_free(w->sel_at);
  pt_free(w->sel_n);
  w->bitmap = NULL;
  w->sel = NULL;
  w->sel_at = NULL;
  w->sel_n = NULL;
  w->n_sel_segs = 0;
  w->ix = NULL;
  w->from = 0;
}
