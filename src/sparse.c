/*
 * sparse.c — reading sparse float vectors (sparse.h): one row, in any of the three forms Milvus
 * and pymilvus take, checked and sorted into (index, value) pairs. Writes (the SPARSE_FLOAT_VECTOR
 * cells of a batch) and searches (sparse query vectors) read them here.
 */
#include "sparse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cJSON.h"

static int pair_cmp(const void *a, const void *b) {
  uint32_t x = ((const pt_sparse_pair *)a)->index, y = ((const pt_sparse_pair *)b)->index;
  return x < y ? -1 : x > y;
}

/* The index a key of a sparse dict stands for: decimal digits as Milvus and pymilvus both read
 * them (Milvus parses keys with Go's strconv.ParseUint base 0, pymilvus with Python's int(): no
 * sign, space, exponent, fraction, hex or leading zero, which the two would read differently or
 * not at all), and an optional '-' so that a negative index is reported as one. Returns 0 with
 * *index, 1 when the key is not written so, 2 when it is beyond [0, 2^32-2]. */
static int sparse_key(const char *k, size_t n, uint32_t *index) {
  size_t i = n && k[0] == '-';
  if (i == n || (k[i] == '0' && n - i > 1)) return 1;
  uint64_t v = 0;
  for (size_t j = i; j < n; j++) {
    if (k[j] < '0' || k[j] > '9') return 1;
    if (v < UINT32_MAX) v = v * 10 + (uint64_t)(k[j] - '0');
  }
  if (i || v >= UINT32_MAX) return 2;
  *index = (uint32_t)v;
  return 0;
}

pt_status pt_sparse_parse(const cJSON *v, pt_sparse_pair **pairs, size_t *n, char *detail, size_t dsize) {
  const cJSON *idx = NULL, *vals = NULL;
  size_t count;
  if (cJSON_IsObject(v) && (idx = cJSON_GetObjectItemCaseSensitive(v, "indices")) &&
      (vals = cJSON_GetObjectItemCaseSensitive(v, "values"))) {
    if (!cJSON_IsArray(idx) || !cJSON_IsArray(vals) || cJSON_GetArraySize(idx) != cJSON_GetArraySize(vals)) {
      snprintf(detail, dsize, "length of indices and values must be the same");
      return PT_TYPE_MISMATCH;
    }
    count = (size_t)cJSON_GetArraySize(idx);
  } else if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
    idx = NULL;
    count = (size_t)cJSON_GetArraySize(v);
  } else {
    snprintf(detail, dsize, "invalid input for sparse float vector");
    return PT_TYPE_MISMATCH;
  }
  pt_sparse_pair *out = count ? pt_malloc(count * sizeof *out) : NULL;
  if (count && !out) return PT_NOMEM;
  size_t k = 0;
  const cJSON *e = idx ? idx->child : v->child, *ve = vals ? vals->child : NULL;
  for (; e; e = e->next, ve = ve ? ve->next : NULL, k++) {
    uint32_t index = 0;
    double x;
    const cJSON *iv, *xv;
    if (idx) { iv = e; xv = ve; }
    else if (cJSON_IsArray(v)) {
      if (cJSON_GetArraySize(e) != 2) { snprintf(detail, dsize, "invalid input for sparse float vector"); goto bad; }
      iv = e->child; xv = e->child->next;
    } else { iv = NULL; xv = e; }
    if (iv) { /* a JSON number: any integral value in range, as Milvus's REST API takes it */
      if (!cJSON_IsNumber(iv)) { snprintf(detail, dsize, "sparse vector index must be an integer"); goto bad; }
      double i = iv->valuedouble;
      if (i != floor(i)) { snprintf(detail, dsize, "sparse vector index must be an integer: %.17g", i); goto bad; }
      if (i < 0 || i >= 4294967295.0) {
        snprintf(detail, dsize, "sparse vector index must be positive and less than 2^32-1: %.17g", i);
        goto bad;
      }
      index = (uint32_t)i;
    } else { /* a key: its text (keys never hold NUL: json.h) */
      int rc = sparse_key(e->string, strlen(e->string), &index);
      if (rc == 1) {
        snprintf(detail, dsize, "sparse vector index must be an integer in decimal digits: '%.40s'", e->string);
        goto bad;
      }
      if (rc == 2) {
        snprintf(detail, dsize, "sparse vector index must be positive and less than 2^32-1: %.40s", e->string);
        goto bad;
      }
    }
    if (!cJSON_IsNumber(xv)) { snprintf(detail, dsize, "sparse vector value must be a number"); goto bad; }
    x = xv->valuedouble;
    if (isnan(x)) { snprintf(detail, dsize, "sparse vector value must not be NaN"); goto bad; }
    if (!isfinite(x) || fabs(x) > 3.4028234663852886e38) {
      snprintf(detail, dsize, "value '%s' is not a number or infinity", x > 0 ? "+Inf" : "-Inf");
      goto bad;
    }
    out[k].index = index;
    out[k].value = (float)x;
  }
  if (count > 1) qsort(out, count, sizeof *out, pair_cmp);
  for (size_t j = 1; j < count; j++)
    if (out[j].index == out[j - 1].index) {
      snprintf(detail, dsize, "duplicated index %u in sparse float vector", out[j].index);
      goto bad;
    }
  *pairs = out;
  *n = count;
  return PT_OK;
bad:
  pt_free(out);
  return PT_TYPE_MISMATCH;
}
