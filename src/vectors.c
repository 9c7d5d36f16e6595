/*
 * vectors.c — the query vectors of a search, checked and converted (vectors.h).
 *
 * HOW IT WORKS
 * A host hands the vectors over as it read them (pt_vectors_in): typed values (numbers, or raw
 * bytes: BINARY bytes, INT8 two's-complement bytes, FLOAT16 / BFLOAT16 halves), each vector's
 * size and any value that was not a number marked per vector; or the JSON text of a list of
 * vectors (the REST server, the WASI command). JSON text is first transcribed into the same
 * typed form (numbers read from their text, base64 strings decoded, sizes and types marked
 * per vector), so both go through one set of checks, in Milvus's order: the number of vectors
 * (1 to PT_MAX_NQ, before anything else is read), each vector's size (the first one of another
 * size is reported: "vector dimension mismatch, expected vector size(byte) 16, actual 20."),
 * then the values, vector after vector (numbers; integers in range for INT8 and BINARY fields,
 * never wrapped), then their conversion: numbers rounded to float32 and then to the field's
 * precision (FLOAT16, BFLOAT16), where a value that is not finite is refused. Sparse vectors
 * are read by sparse.c from a cJSON tree (they are small: a few pairs each).
 */
#include "vectors.h"

#include <math.h>
#include <stdio.h>

#include "cJSON.h"
#include "half.h"
#include "json.h"
#include "text.h"

void pt_queries_release(pt_queries *q) {
  pt_free(q->f);
  pt_free(q->i8);
  pt_free(q->bin);
  if (q->sp)
    for (size_t i = 0; i < q->nq; i++) pt_free(q->sp[i]);
  pt_free(q->sp);
  pt_free(q->sp_n);
  memset(q, 0, sizeof *q);
}

pt_status pt_queries_bad_nq(double nq, pt_error *err) {
  return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                 "nq [%.0f] is invalid, nq (number of search vector per search request) should be in range [1, %d], "
                 "but got %.0f" PT_INVALID_PARAMETER, nq, PT_MAX_NQ, nq);
}

static pt_status missing_vectors(pt_error *err) {
  return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_search: missing argument: vectors");
}

static bool float_like(int t) { return t == PT_FLOAT_VECTOR || t == PT_FLOAT16_VECTOR || t == PT_BFLOAT16_VECTOR; }
static bool half_type(int t) { return t == PT_FLOAT16_VECTOR || t == PT_BFLOAT16_VECTOR; }

/* Values per query vector of a dense field. */
static size_t vector_width(const pt_field *f) {
  return f->dtype == PT_BINARY_VECTOR ? (size_t)f->dim / 8 : (size_t)f->dim;
}

static pt_status fail_size(const pt_field *f, size_t values, pt_error *err) {
  size_t per = float_like(f->dtype) ? 4 : 1; /* a float-like query travels as float32 */
  return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                 "vector dimension mismatch, expected vector size(byte) %zu, actual %zu." PT_INVALID_PARAMETER,
                 vector_width(f) * per, values * per);
}

/* A number as JavaScript writes it (the hosts' values are JS numbers): 200, 1.5, NaN. */
static const char *number_text(double d, char *buf) {
  if (isnan(d)) return "NaN";
  if (isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  buf[pt_format_f64(buf, d)] = '\0';
  return buf;
}

/* ============================================================================================
 * Typed vectors
 * ========================================================================================== */

static double number_at(const pt_vectors_in *in, size_t i) {
  const unsigned char *v = in->values;
  if (in->kind == PT_IN_FLOAT32) {
    float x;
    memcpy(&x, v + i * 4, 4);
    return x;
  }
  double d;
  memcpy(&d, v + i * 8, 8);
  return d;
}

static pt_status read_typed(const pt_field *f, const pt_vectors_in *in, pt_queries *q, pt_error *err) {
  int t = f->dtype;
  size_t n = in->n, w = vector_width(f);
  bool raw = in->kind == PT_IN_BYTES;
  if (t == PT_SPARSE_FLOAT_VECTOR)
    return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM,
                   "search data for field %s must be sparse vectors (objects, Maps or {indices, values})", f->name);
  if (!(raw || in->kind == PT_IN_FLOAT32 || in->kind == PT_IN_DOUBLE) || (raw && t == PT_FLOAT_VECTOR))
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "pt_collection_search_vectors: vectors of input kind %d for a field of type %s", (int)in->kind,
                   pt_dtype_name(t));
  /* raw halves: two bytes a value */
  size_t per = raw && half_type(t) ? 2 : 1;
  /* 1. sizes: every vector, before any value */
  if (in->width != w * per) return fail_size(f, in->width / per, err);
  if (in->cells)
    for (size_t r = 0; r < n; r++)
      if (in->cells[r] == PT_CELL_WRONG_LENGTH)
        return fail_size(f, in->got_length > 0 ? (size_t)in->got_length : 0, err);
  /* 2. values, vector after vector: numbers; integers in range for byte vectors */
  bool bytes = t == PT_INT8_VECTOR || t == PT_BINARY_VECTOR;
  int lo = t == PT_INT8_VECTOR ? -128 : 0, hi = t == PT_INT8_VECTOR ? 127 : 255;
  for (size_t r = 0; r < n; r++) {
    if (in->cells && in->cells[r] != PT_CELL_VALUE) {
      char got[130];
      pt_excerpt(got, sizeof got, in->got ? in->got : "", in->got ? in->got_len : 0, 120);
      return pt_fail_at(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, (int64_t)r, -1,
                        "search data for field %s must be numbers, got %s", f->name, got[0] ? got : "unknown");
    }
    if (!bytes || raw) continue;
    for (size_t j = 0; j < w; j++) {
      double x = number_at(in, r * w + j);
      if (!(x == floor(x) && x >= lo && x <= hi)) {
        char buf[PT_NUMBER_TEXT + 1];
        return pt_fail_at(err, PT_RANGE, PT_CODE_CLIENT, PT_EXC_PARAM, (int64_t)r, -1,
                          "search data for %s field %s must be integers in [%d, %d], got %s", pt_dtype_name(t), f->name,
                          lo, hi, number_text(x, buf));
      }
    }
  }
  /* 3. conversion into what the kernels take */
  q->nq = n;
  const unsigned char *src = in->values;
  if (bytes) {
    uint8_t *out = pt_malloc(n * w + 1);
    if (!out) return pt_fail_nomem(err);
    if (t == PT_INT8_VECTOR) q->i8 = (int8_t *)out;
    else q->bin = out;
    if (raw) memcpy(out, src, n * w);
    else
      for (size_t i = 0; i < n * w; i++) {
        double x = number_at(in, i);
        out[i] = t == PT_INT8_VECTOR ? (uint8_t)(int8_t)x : (uint8_t)x;
      }
    return PT_OK;
  }
  if (!(q->f = pt_malloc((n * w + 1) * sizeof *q->f))) return pt_fail_nomem(err);
  for (size_t i = 0; i < n * w; i++) {
    float x;
    if (raw) {
      uint16_t h = (uint16_t)(src[2 * i] | (src[2 * i + 1] << 8));
      x = t == PT_FLOAT16_VECTOR ? pt_f16_to_f32(h) : pt_bf16_to_f32(h);
    } else {
      x = (float)number_at(in, i);
    }
    /* float16 / bfloat16 fields: the query as Milvus receives it, in the field's type (a
     * number written into a row and searched for again is found at distance 0) */
    if (t == PT_FLOAT16_VECTOR) x = pt_f16_to_f32(pt_f32_to_f16(x));
    else if (t == PT_BFLOAT16_VECTOR) x = pt_bf16_to_f32(pt_f32_to_bf16(x));
    if (!isfinite(x))
      return pt_fail(err, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "value '%s' is not a number or infinity",
                     isnan(x) ? "NaN" : x > 0 ? "+Inf" : "-Inf");
    q->f[i] = x;
  }
  return PT_OK;
}

/* ============================================================================================
 * JSON text
 * ========================================================================================== */

/* The Python type of the JSON value whose text is v, as pymilvus names types in messages. */
static const char *json_type(pt_str v) {
  switch (v.len ? v.ptr[0] : 'n') {
  case '"': return "str";
  case 't': case 'f': return "bool";
  case 'n': return "NoneType";
  case '[': return "list";
  case '{': return "dict";
  default: return memchr(v.ptr, '.', v.len) || memchr(v.ptr, 'e', v.len) || memchr(v.ptr, 'E', v.len) ? "float" : "int";
  }
}

static int base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Decodes base64 (the standard alphabet, '=' padding optional, as Go's encoding/json writes
 * []byte and atob reads) into out (room for len * 3 / 4 bytes); false when it is not base64. */
static bool base64_decode(const char *s, size_t len, uint8_t *out, size_t *n) {
  while (len && s[len - 1] == '=') len--;
  if (len % 4 == 1) return false;
  uint32_t acc = 0;
  size_t bits = 0, k = 0;
  for (size_t i = 0; i < len; i++) {
    int v = base64_value((unsigned char)s[i]);
    if (v < 0) return false;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[k++] = (uint8_t)(acc >> bits);
    }
  }
  *n = k;
  return true;
}

/* A list of dense vectors as JSON text, transcribed into the typed form (`cells`, `got`,
 * `got_length` filled as a host fills them), then read as typed vectors. */
static pt_status read_json_dense(const pt_field *f, pt_str t, size_t n, pt_queries *q, pt_error *err) {
  int dt = f->dtype;
  size_t w = vector_width(f);
  bool fl = float_like(dt), b64 = dt == PT_BINARY_VECTOR || half_type(dt);
  size_t elem = fl ? 4 : 8;
  uint8_t *vals = pt_malloc(n * w * elem + 1), *cells = pt_calloc(n, 1), *raw = NULL;
  pt_status rc = PT_OK;
  const char *got = NULL;
  int64_t got_length = -1;
  if (!vals || !cells) {
    rc = pt_fail_nomem(err);
    goto done;
  }
  size_t cursor = pt_json_enter(t);
  for (size_t r = 0; r < n; r++) {
    pt_str v = pt_json_next(t, &cursor, NULL);
    uint8_t *out = vals + r * w * elem;
    size_t m = 0;
    const char *bad = NULL;
    if (v.ptr[0] == '[') {
      size_t c = pt_json_enter(v);
      for (; c < v.len && v.ptr[c] != ']'; m++) {
        pt_str e = pt_json_next(v, &c, NULL);
        if (m >= w || bad) continue;
        char c0 = e.ptr[0];
        if (c0 != '-' && !(c0 >= '0' && c0 <= '9')) {
          bad = json_type(e);
          continue;
        }
        double d = pt_strtod(e.ptr, NULL);
        if (fl) {
          float x = (float)d;
          memcpy(out + m * 4, &x, 4);
        } else {
          memcpy(out + m * 8, &d, 8);
        }
      }
    } else if (v.ptr[0] == '"' && b64) {
      /* base64 of the vector's bytes: BINARY bytes, FLOAT16 / BFLOAT16 little-endian halves */
      size_t slen = pt_json_unescape(v.ptr + 1, v.len - 2, NULL), nb = 0;
      pt_free(raw);
      if (!(raw = pt_malloc(slen + slen * 3 / 4 + 1))) {
        rc = pt_fail_nomem(err);
        goto done;
      }
      pt_json_unescape(v.ptr + 1, v.len - 2, (char *)raw);
      uint8_t *bytes = raw + slen;
      if (!base64_decode((const char *)raw, slen, bytes, &nb)) {
        rc = pt_fail_at(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, (int64_t)r, -1,
                        "search data for field %s: vector %zu is a string that is not base64", f->name, r);
        goto done;
      }
      if (dt != PT_BINARY_VECTOR && nb % 2) {
        rc = pt_fail_at(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, (int64_t)r, -1,
                        "search data for field %s: vector %zu is base64 of %zu bytes, not of whole %s values", f->name, r,
                        nb, pt_dtype_name(dt));
        goto done;
      }
      m = dt == PT_BINARY_VECTOR ? nb : nb / 2;
      for (size_t j = 0; j < m && m == w; j++) {
        if (dt == PT_BINARY_VECTOR) {
          double d = bytes[j];
          memcpy(out + j * 8, &d, 8);
        } else {
          uint16_t h = (uint16_t)(bytes[2 * j] | (bytes[2 * j + 1] << 8));
          float x = dt == PT_FLOAT16_VECTOR ? pt_f16_to_f32(h) : pt_bf16_to_f32(h);
          memcpy(out + j * 4, &x, 4);
        }
      }
    } else {
      rc = pt_fail_at(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, (int64_t)r, -1,
                      "search data must be a list of vectors, got a list of %s", json_type(v));
      goto done;
    }
    if (m != w) {
      cells[r] = PT_CELL_WRONG_LENGTH;
      if (got_length < 0) got_length = (int64_t)m;
    } else if (bad) {
      cells[r] = PT_CELL_WRONG_TYPE;
      if (!got) got = bad;
    }
  }
  pt_vectors_in typed = {fl ? PT_IN_FLOAT32 : PT_IN_DOUBLE, (uint32_t)n, (uint32_t)w, vals, 0, cells,
                         got, got ? strlen(got) : 0, got_length};
  rc = read_typed(f, &typed, q, err);
done:
  pt_free(vals);
  pt_free(cells);
  pt_free(raw);
  return rc;
}

static pt_status read_json(const pt_field *f, const pt_vectors_in *in, pt_queries *q, pt_error *err) {
  if (!in->values) {
    if (in->n < 1 || in->n > PT_MAX_NQ) return pt_queries_bad_nq(in->n, err);
    return missing_vectors(err);
  }
  pt_json_checked chk;
  if (!pt_json_check(in->values, in->len, 0, &chk))
    return pt_json_fail(err, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the search data", "the search data is not JSON", &chk);
  pt_str t = {in->values, in->len};
  size_t at = 0;
  while (at < t.len && (unsigned char)t.ptr[at] <= 32) at++;
  if (t.ptr[at] != '[') {
    pt_str v = {t.ptr + at, t.len - at};
    return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "search data must be a list of vectors, got %s",
                   json_type(v));
  }
  /* 1. how many: before anything of their size is read */
  size_t n = 0;
  for (size_t c = pt_json_enter(t); c < t.len && t.ptr[c] != ']'; n++) pt_json_next(t, &c, NULL);
  if (n < 1 || n > PT_MAX_NQ) return pt_queries_bad_nq((double)n, err);
  if (in->n && in->n != n)
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "pt_collection_search_vectors: n is %u, the text holds %zu vectors", in->n, n);
  if (f->dtype != PT_SPARSE_FLOAT_VECTOR) return read_json_dense(f, t, n, q, err);
  cJSON *list = pt_json_parse_ex(in->values, in->len, 0, &chk);
  if (!list) return pt_json_fail(err, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the search data", "the search data is not JSON", &chk);
  pt_status rc = pt_queries_sparse(list, n, q, err);
  cJSON_Delete(list);
  return rc;
}

/* ============================================================================================
 * Entry points
 * ========================================================================================== */

pt_status pt_queries_sparse(const cJSON *list, size_t nq, pt_queries *q, pt_error *err) {
  q->nq = nq;
  if (!(q->sp = pt_calloc(nq, sizeof *q->sp)) || !(q->sp_n = pt_calloc(nq, sizeof *q->sp_n))) return pt_fail_nomem(err);
  size_t i = 0;
  for (const cJSON *row = list->child; row && i < nq; row = row->next, i++) {
    char detail[200];
    pt_status rc = pt_sparse_parse(row, &q->sp[i], &q->sp_n[i], detail, sizeof detail);
    if (rc == PT_NOMEM) return pt_fail_nomem(err);
    if (rc) return pt_fail_at(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, (int64_t)i, -1, "%s", detail);
  }
  return PT_OK;
}

pt_status pt_queries_read(const pt_field *f, const pt_vectors_in *in, pt_queries *q, pt_error *err) {
  memset(q, 0, sizeof *q);
  if (!in) return missing_vectors(err);
  if (in->kind == PT_IN_JSON) return read_json(f, in, q, err);
  if (in->n < 1 || in->n > PT_MAX_NQ) return pt_queries_bad_nq(in->n, err);
  if (!in->values) return missing_vectors(err);
  return read_typed(f, in, q, err);
}
