/*
 * vindexdef.c — a vector index's definition (vindexdef.h): create_index's request read with
 * Milvus's types, parameters, defaults and messages, written back as one, and released.
 *
 * THE INDEX TYPES
 *   built (index.h): HNSW, HNSW_SQ, IVF_FLAT, IVF_SQ8, IVF_RABITQ on FLOAT_VECTOR fields (IVF_RABITQ:
 *     nlist, refine, refine_type SQ8 / FP16 / BF16 / FP32 (FLAT), rbq_bits 1; SQ6 refused by
 *     name), HNSW also on
 *     FLOAT16_VECTOR and BFLOAT16_VECTOR fields (on their half rows); AUTOINDEX on a
 *     FLOAT_VECTOR field is HNSW with M 18 and efConstruction 240 (Milvus's autoindex defaults);
 *     BIN_IVF_FLAT (nlist; HAMMING or JACCARD) on BINARY_VECTOR fields.
 *   inverted (fts.h, per partition, searched exactly by term: the same top-k as without it):
 *     SPARSE_INVERTED_INDEX / SPARSE_WAND / AUTOINDEX on SPARSE_FLOAT_VECTOR, with metric IP or,
 *     on a BM25 function's output, BM25. Build params: inverted_index_algo (knowhere's names;
 *     every one gives the exact top-k here), drop_ratio_build (in [0, 1); knowhere ignores it
 *     since 2.5, so does partita), and on a BM25 output bm25_k1 / bm25_b.
 *   exact (searched as without an index, which is what these types compute): FLAT on any dense
 *     vector field, BIN_FLAT on BINARY_VECTOR, and AUTOINDEX on every other vector type but
 *     FLOAT_VECTOR.
 *   refused by name: every other type Milvus knows (DISKANN, SCANN, IVF_PQ, MINHASH_LSH, GPU_*,
 *     ...), built types on other element types, and scalar indexes (filters scan the rows).
 */
#include "vindexdef.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bm25.h"
#include "cJSON.h"

#define INVALID(err, ...) pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, __VA_ARGS__)

#define AUTO_M 18
#define AUTO_EFC 240

typedef enum kind { K_EXACT, K_BUILT, K_AUTO } kind;

static const struct {
  const char *name;
  kind k;
  pt_index_type t;
  int dtype; /* the vector type it is for; 0: the dense float types */
} TYPES[] = {
    {"FLAT", K_EXACT, 0, 0},
    {"HNSW", K_BUILT, PT_INDEX_HNSW, PT_FLOAT_VECTOR},
    {"HNSW_SQ", K_BUILT, PT_INDEX_HNSW_SQ, PT_FLOAT_VECTOR},
    {"IVF_FLAT", K_BUILT, PT_INDEX_IVF_FLAT, PT_FLOAT_VECTOR},
    {"IVF_SQ8", K_BUILT, PT_INDEX_IVF_SQ8, PT_FLOAT_VECTOR},
    {"IVF_RABITQ", K_BUILT, PT_INDEX_IVF_RABITQ, PT_FLOAT_VECTOR},
    {"AUTOINDEX", K_AUTO, PT_INDEX_HNSW, -1},
    {"BIN_FLAT", K_EXACT, 0, PT_BINARY_VECTOR},
    {"BIN_IVF_FLAT", K_BUILT, PT_INDEX_BIN_IVF_FLAT, PT_BINARY_VECTOR},
    {"SPARSE_INVERTED_INDEX", K_EXACT, 0, PT_SPARSE_FLOAT_VECTOR},
    {"SPARSE_WAND", K_EXACT, 0, PT_SPARSE_FLOAT_VECTOR},
};

/* Index types Milvus builds and partita does not: refused by name. */
static const char *const NOT_BUILT[] = {
    "IVF_PQ", "IVF_RABITQ_FASTSCAN", "IVF_HNSW", "HNSW_PQ", "HNSW_PRQ", "DISKANN", "AISAQ", "SCANN", "SCANN_DVR", "ANNOY",
    "MINHASH_LSH", "GPU_FLAT", "GPU_IVF_FLAT", "GPU_IVF_PQ", "GPU_IVF_SQ8", "GPU_BRUTE_FORCE",
    "GPU_CAGRA", "SPARSE_INVERTED_INDEX_CC", "SPARSE_WAND_CC"};
static const char *const SCALAR[] = {"INVERTED", "STL_SORT", "Trie", "TRIE", "BITMAP", "NGRAM", "RTREE", "HYBRID"};



/* ============================================================================================
 * Parameters
 * ========================================================================================== */

/* Milvus's metrics for a vector field, its default first (a BM25 function's output: BM25 only). */
static const char *const *metrics_of(const pt_field *f, const char **list_text) {
  static const char *const FLOATS[] = {"COSINE", "L2", "IP", NULL};
  static const char *const BINARY[] = {"HAMMING", "JACCARD", NULL};
  static const char *const SPARSE[] = {"IP", NULL};
  static const char *const BM25[] = {"BM25", NULL};
  int dtype = f->dtype;
  if (f->bm25_input >= 0) return (*list_text = "[BM25]", BM25);
  if (dtype == PT_BINARY_VECTOR) return (*list_text = "[HAMMING JACCARD]", BINARY);
  if (dtype == PT_SPARSE_FLOAT_VECTOR) return (*list_text = "[IP]", SPARSE);
  return (*list_text = "[L2 IP COSINE]", FLOATS);
}

const char *pt_field_default_metric(const pt_field *f) {
  const char *list;
  return metrics_of(f, &list)[0];
}

bool pt_field_metric_allowed(const pt_field *f, const char *name) {
  const char *list;
  for (const char *const *m = metrics_of(f, &list); *m; m++)
    if (strcmp(*m, name) == 0) return true;
  return false;
}

static bool upper_eq(const char *a, const char *b) {
  for (; *a && *b; a++, b++)
    if ((*a >= 'a' && *a <= 'z' ? *a - 32 : *a) != *b) return false;
  return !*a && !*b;
}

/* A build parameter's integer, as knowhere reads it: a JSON integer or a string of one. */
pt_status pt_vindex_param_int(const cJSON *v, const char *key, int64_t *out, pt_error *err) {
  char buf[64];
  if (cJSON_IsNumber(v)) {
    if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 9e15) {
      *out = (int64_t)v->valuedouble;
      return PT_OK;
    }
    snprintf(buf, sizeof buf, "%.17g", v->valuedouble);
  } else if (cJSON_IsString(v)) {
    const char *s = v->valuestring;
    char *end = NULL;
    bool digits = *s && (*s == '-' || (*s >= '0' && *s <= '9'));
    long long n = digits ? strtoll(s, &end, 10) : 0;
    if (digits && end && !*end && strlen(s) < 19) {
      *out = n;
      return PT_OK;
    }
    snprintf(buf, sizeof buf, "\"%.48s\"", s);
  } else {
    snprintf(buf, sizeof buf, "%s", cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? "true" : "false") : cJSON_IsNull(v) ? "null"
                                                                                              : cJSON_IsArray(v) ? "[...]" : "{...}");
  }
  return INVALID(err, "Type conflict in json: param '%s' (%s) should be integer" PT_INVALID_PARAMETER, key, buf);
}

pt_status pt_vindex_out_of_range(pt_error *err, const char *key, int64_t v, int64_t lo, int64_t hi) {
  return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                 "Out of range in json: param '%s' (%lld) should be in range [%lld, %lld]" PT_INVALID_PARAMETER, key,
                 (long long)v, (long long)lo, (long long)hi);
}

/* The build parameters of a built type from "params" (NULL: none), into p. Keys a type does
 * not take are refused: partita does not keep what it would not use. */
static pt_status parse_build(const cJSON *params, const char *type, pt_vindex *v, pt_error *err) {
  pt_index_params *p = &v->p;
  bool hnsw = p->type == PT_INDEX_HNSW || p->type == PT_INDEX_HNSW_SQ, sq = p->type == PT_INDEX_HNSW_SQ;
  bool rbq = p->type == PT_INDEX_IVF_RABITQ;
  const char *refine_type = NULL;
  for (const cJSON *e = params ? params->child : NULL; e; e = e->next) {
    const char *k = e->string;
    int64_t n;
    pt_status rc;
    if (hnsw && strcmp(k, "M") == 0) {
      if ((rc = pt_vindex_param_int(e, k, &n, err))) return rc;
      if (n < PT_INDEX_M_MIN || n > PT_INDEX_M_MAX) return pt_vindex_out_of_range(err, k, n, PT_INDEX_M_MIN, PT_INDEX_M_MAX);
      p->M = (uint32_t)n;
    } else if (hnsw && strcmp(k, "efConstruction") == 0) {
      if ((rc = pt_vindex_param_int(e, k, &n, err))) return rc;
      if (n < 1 || n > PT_INDEX_EFC_MAX) return pt_vindex_out_of_range(err, k, n, 1, PT_INDEX_EFC_MAX);
      p->ef_construction = (uint32_t)n;
    } else if (!hnsw && strcmp(k, "nlist") == 0) {
      if ((rc = pt_vindex_param_int(e, k, &n, err))) return rc;
      if (n < 1 || n > PT_INDEX_NLIST_MAX) return pt_vindex_out_of_range(err, k, n, 1, PT_INDEX_NLIST_MAX);
      p->nlist = (uint32_t)n;
    } else if (sq && strcmp(k, "sq_type") == 0) {
      if (!cJSON_IsString(e) || !upper_eq(e->valuestring, "SQ8"))
        return INVALID(err, "sq_type %s is not built by partita: its HNSW_SQ quantises to SQ8" PT_INVALID_PARAMETER,
                       cJSON_IsString(e) ? e->valuestring : "(not a string)");
    } else if (rbq && strcmp(k, "rbq_bits") == 0) { /* knowhere's multi-bit RaBitQ: 1 (its default) only */
      if ((rc = pt_vindex_param_int(e, k, &n, err))) return rc;
      if (n < 1 || n > 9) return pt_vindex_out_of_range(err, k, n, 1, 9);
      if (n != 1)
        return INVALID(err, "rbq_bits %lld is not built by partita: its IVF_RABITQ codes are 1 bit a dimension" PT_INVALID_PARAMETER,
                       (long long)n);
    } else if (rbq && strcmp(k, "refine_type") == 0) {
      static const char *const RT[] = {"FP32", "SQ8", "FP16", "BF16", "FLAT"};
      int t = -1;
      for (int i = 0; i < 5 && cJSON_IsString(e); i++)
        if (upper_eq(e->valuestring, RT[i])) t = i;
      if (cJSON_IsString(e) && upper_eq(e->valuestring, "SQ6"))
        return INVALID(err, "refine_type SQ6 is not built by partita: its IVF_RABITQ refines with SQ8, FP16, BF16 or "
                            "FP32" PT_INVALID_PARAMETER);
      if (t < 0)
        return INVALID(err, "invalid refine type : %s, optional types are [sq6, sq8, fp16, bf16, fp32, flat]" PT_INVALID_PARAMETER,
                       cJSON_IsString(e) ? e->valuestring : "(not a string)");
      p->refine_type = t == 4 ? PT_REFINE_FP32 : (pt_index_refine)t;
      refine_type = e->valuestring;
    } else if ((sq || rbq) && strcmp(k, "refine") == 0) {
      if (cJSON_IsBool(e)) p->refine = cJSON_IsTrue(e);
      else if (cJSON_IsString(e) && (upper_eq(e->valuestring, "TRUE") || upper_eq(e->valuestring, "FALSE")))
        p->refine = upper_eq(e->valuestring, "TRUE");
      else return INVALID(err, "Type conflict in json: param 'refine' should be a boolean" PT_INVALID_PARAMETER);
    } else if (sq && strcmp(k, "refine_type") == 0) {
      if (!cJSON_IsString(e) || !(upper_eq(e->valuestring, "FP32") || upper_eq(e->valuestring, "FLAT")))
        return INVALID(err, "refine_type %s is not built by partita: it refines with the float32 rows (FP32)" PT_INVALID_PARAMETER,
                       cJSON_IsString(e) ? e->valuestring : "(not a string)");
      refine_type = e->valuestring;
    } else {
      return INVALID(err, "param '%s' is not a build parameter of %s (partita refuses what it would not use)" PT_INVALID_PARAMETER,
                     k, type);
    }
  }
  if (refine_type && !p->refine)
    return INVALID(err, "refine_type needs refine to be true" PT_INVALID_PARAMETER);
  return PT_OK;
}

/* saved: a definition read back from a snapshot, which may hold what an older partita took
 * (pt_vindex_parse_saved); otherwise create_index's request. */
static pt_status parse(const pt_schema *s, const cJSON *root, bool saved, pt_vindex *v, pt_error *err) {
  memset(v, 0, sizeof *v);
  const cJSON *fn = cJSON_GetObjectItemCaseSensitive(root, "field_name");
  const cJSON *in = cJSON_GetObjectItemCaseSensitive(root, "index_name");
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, "index_type");
  const cJSON *mt = cJSON_GetObjectItemCaseSensitive(root, "metric_type");
  const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
  if (!cJSON_IsString(fn))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "field_name must be a string");
  if ((in && !cJSON_IsNull(in) && !cJSON_IsString(in)) || (it && !cJSON_IsNull(it) && !cJSON_IsString(it)) ||
      (mt && !cJSON_IsNull(mt) && !cJSON_IsString(mt)))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM,
                   "index_name, index_type and metric_type must be strings");
  if (params && !cJSON_IsNull(params) && !cJSON_IsObject(params))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "index params must be a dict");
  int fi = pt_schema_find(s, fn->valuestring, strlen(fn->valuestring));
  if (fi < 0)
    return INVALID(err, "cannot create index on non-exist field: %s" PT_INVALID_PARAMETER, fn->valuestring);
  const pt_field *f = &s->fields[fi];
  const char *type = cJSON_IsString(it) && it->valuestring[0] ? it->valuestring : "AUTOINDEX";
  int found = -1;
  for (size_t i = 0; i < sizeof TYPES / sizeof *TYPES; i++)
    if (upper_eq(type, TYPES[i].name)) found = (int)i;
  if (!pt_dtype_is_vector(f->dtype)) {
    bool scalar = found >= 0 && TYPES[found].k == K_AUTO;
    for (size_t i = 0; i < sizeof SCALAR / sizeof *SCALAR; i++) scalar = scalar || upper_eq(type, SCALAR[i]);
    if (scalar)
      return INVALID(err, "partita builds no scalar index (%s on field %s): its filters scan the rows" PT_INVALID_PARAMETER,
                     type, f->name);
    if (found >= 0)
      return INVALID(err, "data type %s can't build with this index %s" PT_INVALID_PARAMETER,
                     pt_dtype_proto_name(f->dtype), TYPES[found].name);
  }
  if (found < 0) {
    for (size_t i = 0; i < sizeof NOT_BUILT / sizeof *NOT_BUILT; i++)
      if (upper_eq(type, NOT_BUILT[i]))
        return INVALID(err, "index type %s is not built by partita (it builds FLAT, HNSW, HNSW_SQ, IVF_FLAT, IVF_SQ8, "
                            "IVF_RABITQ and AUTOINDEX, BIN_FLAT and BIN_IVF_FLAT on binary fields, and SPARSE_INVERTED_INDEX / "
                            "SPARSE_WAND on sparse fields)" PT_INVALID_PARAMETER,
                       NOT_BUILT[i]);
    for (size_t i = 0; i < sizeof SCALAR / sizeof *SCALAR; i++)
      if (upper_eq(type, SCALAR[i]))
        return INVALID(err, "data type %s can't build with this index %s" PT_INVALID_PARAMETER,
                       pt_dtype_proto_name(f->dtype), type);
    return INVALID(err, "invalid index type: %s" PT_INVALID_PARAMETER, type);
  }
  kind k = TYPES[found].k;
  int want = TYPES[found].dtype;
  bool dense_float = f->dtype == PT_FLOAT_VECTOR || f->dtype == PT_FLOAT16_VECTOR || f->dtype == PT_BFLOAT16_VECTOR ||
                     f->dtype == PT_INT8_VECTOR;
  if ((want == 0 && !dense_float) || (want > 0 && want != PT_FLOAT_VECTOR && want != f->dtype) ||
      (want == PT_FLOAT_VECTOR && !dense_float))
    return INVALID(err, "data type %s can't build with this index %s" PT_INVALID_PARAMETER, pt_dtype_proto_name(f->dtype),
                   TYPES[found].name);
  bool half = f->dtype == PT_FLOAT16_VECTOR || f->dtype == PT_BFLOAT16_VECTOR;
  if (want == PT_FLOAT_VECTOR && f->dtype != PT_FLOAT_VECTOR && !(half && TYPES[found].t == PT_INDEX_HNSW && k == K_BUILT))
    return INVALID(err, "partita builds %s on FloatVector fields only (HNSW also on Float16Vector and BFloat16Vector); "
                        "field %s is a %s (FLAT searches it exactly)" PT_INVALID_PARAMETER,
                   TYPES[found].name, f->name, pt_dtype_proto_name(f->dtype));
  if (k == K_AUTO) k = f->dtype == PT_FLOAT_VECTOR ? K_BUILT : K_EXACT;
  /* the metric: given (upper case), else the field type's default */
  const char *list;
  const char *const *ms = metrics_of(f, &list);
  const char *metric = cJSON_IsString(mt) && mt->valuestring[0] ? mt->valuestring : ms[0];
  int mi = -1;
  for (int i = 0; ms[i]; i++)
    if (upper_eq(metric, ms[i])) mi = i;
  if (mi < 0)
    return INVALID(err, "metric type %s not found or not supported, supported: %s" PT_INVALID_PARAMETER, metric, list);
  v->field = (uint32_t)fi;
  snprintf(v->type, sizeof v->type, "%s", TYPES[found].name);
  snprintf(v->metric, sizeof v->metric, "%s", ms[mi]);
  v->built = k == K_BUILT;
  pt_bm25_params_default(&v->bm25);
  if (v->built) {
    static const char *const NAMES[] = {"L2", "IP", "COSINE", "HAMMING", "JACCARD"};
    pt_index_metric m = PT_INDEX_L2;
    for (int i = 0; i < 5; i++)
      if (strcmp(ms[mi], NAMES[i]) == 0) m = (pt_index_metric)i;
    pt_index_params_default(&v->p, TYPES[found].t, m, (uint32_t)f->dim);
    v->p.seed = 0x70617274u; /* fixed: a build is reproducible */
    v->p.elem = f->dtype == PT_FLOAT16_VECTOR ? PT_INDEX_F16 : f->dtype == PT_BFLOAT16_VECTOR ? PT_INDEX_BF16 : PT_INDEX_F32;
    if (TYPES[found].k == K_AUTO) {
      v->p.M = AUTO_M;
      v->p.ef_construction = AUTO_EFC;
    }
    pt_status rc = TYPES[found].k == K_AUTO && params && params->child
                       ? INVALID(err, "AUTOINDEX takes no build parameters in partita (it is HNSW, M 18, efConstruction 240)"
                                 PT_INVALID_PARAMETER)
                       : parse_build(params, TYPES[found].name, v, err);
    if (rc) return rc;
    if ((rc = pt_index_params_check(&v->p, err))) return rc;
  } else if (params && params->child) {
    /* the exact kinds: BIN_FLAT / FLAT take none; the sparse ones their algorithm's choice, and a
     * BM25 output's its bm25_k1 / bm25_b (the searches' defaults: the faces pass them on),
     * numbers in knowhere's ranges */
    pt_bm25_params bp = v->bm25;
    for (const cJSON *e = params->child; e; e = e->next) {
      bool sparse = f->dtype == PT_SPARSE_FLOAT_VECTOR;
      if (sparse && strcmp(e->string, "inverted_index_algo") == 0) {
        static const char *const ALGOS[] = {"TAAT_NAIVE", "DAAT_WAND", "DAAT_MAXSCORE", "DSP"};
        bool known = false;
        for (size_t i = 0; i < sizeof ALGOS / sizeof *ALGOS && cJSON_IsString(e); i++) known |= strcmp(e->valuestring, ALGOS[i]) == 0;
        /* every algorithm gives the exact top-k here: a saved name is kept as it was */
        if (!known && !(saved && cJSON_IsString(e)))
          return INVALID(err, "sparse inverted index algo %s not found or not supported, supported: "
                              "[TAAT_NAIVE DAAT_WAND DAAT_MAXSCORE DSP]" PT_INVALID_PARAMETER,
                         cJSON_IsString(e) ? e->valuestring : "(not a string)");
        continue;
      }
      if (sparse && strcmp(e->string, "drop_ratio_build") == 0) { /* deprecated by knowhere: range-checked, no effect */
        if (!cJSON_IsNumber(e)) return INVALID(err, "param 'drop_ratio_build' should be a number" PT_INVALID_PARAMETER);
        if (!(e->valuedouble >= 0 && e->valuedouble < 1)) return pt_bm25_out_of_range(err, "drop_ratio_build", e->valuedouble, 1, true);
        continue;
      }
      bool k1 = strcmp(e->string, "bm25_k1") == 0, b = strcmp(e->string, "bm25_b") == 0;
      if (f->bm25_input >= 0 && (k1 || b)) {
        if (!cJSON_IsNumber(e))
          return INVALID(err, "param '%s' should be a number" PT_INVALID_PARAMETER, e->string);
        *(k1 ? &bp.k1 : &bp.b) = e->valuedouble;
        pt_status rc = pt_bm25_params_check(&bp, err);
        if (rc) return rc;
        v->bm25 = bp;
        continue;
      }
      return INVALID(err, "param '%s' is not a build parameter of %s in partita" PT_INVALID_PARAMETER, e->string, v->type);
    }
  }
  const char *name = cJSON_IsString(in) && in->valuestring[0] ? in->valuestring : f->name;
  bool given = params && !cJSON_IsNull(params);
  v->name = pt_strndup(name, strlen(name));
  v->name_len = strlen(name);
  v->params = given ? cJSON_PrintUnformatted(params) : pt_strndup("{}", 2);
  v->params_len = v->params ? strlen(v->params) : 0;
  if (!v->name || !v->params) {
    pt_vindex_release(v);
    return pt_fail_nomem(err);
  }
  return PT_OK;
}

pt_status pt_vindex_parse(const pt_schema *s, const cJSON *root, pt_vindex *v, pt_error *err) {
  return parse(s, root, false, v, err);
}

pt_status pt_vindex_parse_saved(const pt_schema *s, const cJSON *root, pt_vindex *v, pt_error *err) {
  return parse(s, root, true, v, err);
}

void pt_vindex_release(pt_vindex *v) {
  pt_free(v->name);
  pt_free(v->params);
  v->name = v->params = NULL;
}

char *pt_vindex_request_json(const pt_vindex *v, const pt_schema *s) {
  cJSON *o = cJSON_CreateObject(), *params = cJSON_Parse(v->params);
  bool ok = o && params && cJSON_AddStringToObject(o, "field_name", s->fields[v->field].name) &&
            cJSON_AddStringToObject(o, "index_name", v->name) && cJSON_AddStringToObject(o, "index_type", v->type) &&
            cJSON_AddStringToObject(o, "metric_type", v->metric) && cJSON_AddItemToObject(o, "params", params);
  if (!ok) cJSON_Delete(params);
  char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
  cJSON_Delete(o);
  return text;
}
