/*
 * batch.c — batch normalisation for insert and upsert: a host's batch is mapped to the schema,
 * every cell checked and the values that need it encoded, before write.c plans the mutation.
 *
 * HOW IT WORKS
 * A host hands over a pt_batch_in: one pt_column_in per field it transcribed, in row form
 * (columns named by field), column form (matched by position) or DataFrame form (matched by
 * name). pt_batch_check maps the input columns to the schema as pymilvus's checks for that form
 * do, then checks every cell against its field (type, range, dim, length, UTF-8, JSON,
 * nullability, defaults) and the size of the batch. Every error of a batch's values is found
 * here, and nothing has changed yet; write.c then resolves the keys and commits (write.c says
 * how).
 * Conversions (double -> float, float -> half) are pure functions run once to check here and
 * once to store (pt_batch_store_cell, during write.c's commit), so the two cannot disagree.
 * ARRAY and sparse values, whose conversion needs a JSON parse (and so memory), are encoded
 * once, here, into the checked batch; storing copies the bytes.
 */
#include "batch.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cJSON.h"
#include "bm25.h"
#include "half.h"
#include "json.h"
#include "sparse.h"
#include "text.h"

/* ============================================================================================
 * The checked batch
 * ========================================================================================== */

void pt_batch_release(pt_batch *p) {
  if (p->cols)
    for (size_t i = 0; i < p->lay->n_cols; i++) {
      pt_free(p->cols[i].sizes);
      pt_free(p->cols[i].enc);
      pt_free(p->cols[i].enc_at);
      pt_free(p->cols[i].fn_cells);
    }
  pt_free(p->cols);
  pt_free(p->ops);
}

static const char *field_name(const pt_batch *p, size_t ci) {
  return p->cols[ci].f ? p->cols[ci].f->name : PT_DYNAMIC_FIELD_NAME;
}

static int cell_state(const pt_batch_col *w, size_t r) {
  if (w->fn_cells) return w->fn_cells[r];
  if (!w->in || w->in->kind == PT_IN_ABSENT) return PT_CELL_MISSING;
  if (w->all_null) return PT_CELL_NULL;
  return w->in->cells ? w->in->cells[r] : PT_CELL_VALUE;
}

int pt_batch_cell(const pt_batch *p, size_t ci, size_t r) { return cell_state(&p->cols[ci], r); }

static const char *kind_name(int kind) {
  switch (kind) {
  case PT_IN_BOOL: return "bool";
  case PT_IN_INT64: case PT_IN_INT32: return "int";
  case PT_IN_DOUBLE: case PT_IN_FLOAT32: return "float";
  case PT_IN_BYTES: return "bytes";
  case PT_IN_TEXT: return "str";
  case PT_IN_JSON: return "dict";
  default: return "None";
  }
}

/* ============================================================================================
 * Reading input values
 * ========================================================================================== */

enum { RD_OK = 0, RD_NOT_INT, RD_RANGE, RD_KIND };

/* A double as int64: only an integer in range (*out untouched otherwise). */
static inline int double_i64(double d, int64_t *out) {
  if (d != floor(d)) return RD_NOT_INT; /* also NaN and Inf */
  if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return RD_RANGE;
  *out = (int64_t)d;
  return RD_OK;
}

/* Element `i` of a numeric column as int64. */
static int read_i64(const pt_column_in *in, size_t i, int64_t *out) {
  const unsigned char *v = in->values;
  switch (in->kind) {
  case PT_IN_INT64: memcpy(out, v + i * 8, 8); return RD_OK;
  case PT_IN_INT32: { int32_t x; memcpy(&x, v + i * 4, 4); *out = x; return RD_OK; }
  case PT_IN_DOUBLE: { double d; memcpy(&d, v + i * 8, 8); return double_i64(d, out); }
  case PT_IN_FLOAT32: { float f; memcpy(&f, pt_in_at(in, i, 4), 4); return double_i64(f, out); } /* the one kind that may be in two pieces */
  default: return RD_KIND;
  }
}

/* Element `i` of a numeric column as double. */
static int read_f64(const pt_column_in *in, size_t i, double *out) {
  const unsigned char *v = in->values;
  switch (in->kind) {
  case PT_IN_DOUBLE: memcpy(out, v + i * 8, 8); return RD_OK;
  case PT_IN_FLOAT32: { float f; memcpy(&f, pt_in_at(in, i, 4), 4); *out = f; return RD_OK; }
  case PT_IN_INT64: { int64_t x; memcpy(&x, v + i * 8, 8); *out = (double)x; return RD_OK; }
  case PT_IN_INT32: { int32_t x; memcpy(&x, v + i * 4, 4); *out = x; return RD_OK; }
  default: return RD_KIND;
  }
}

static pt_str read_text(const pt_column_in *in, size_t r) {
  pt_str s = {(const char *)in->values + in->offsets[r], in->offsets[r + 1] - in->offsets[r]};
  return s;
}

static const char *nonfinite_text(double d) { return isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf"; }

/* ============================================================================================
 * Messages
 * ========================================================================================== */

static pt_status fail_type(pt_batch *p, size_t ci, size_t r, const char *got, const char *detail) {
  const pt_field *f = p->cols[ci].f;
  const char *label = f ? pt_dtype_error_label(f->dtype) : "json";
  if (f && (f->dtype == PT_VARCHAR || f->dtype == PT_TEXT || f->dtype == PT_GEOMETRY))
    return pt_fail_at(p->err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, (int64_t)r, (int32_t)ci,
                      "field (%s) expects string input, got: %s", f->name, got);
  return pt_fail_at(p->err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, (int64_t)r, (int32_t)ci,
                    "The Input data type is inconsistent with defined schema, {%s} field should be "
                    "a %s, but got a {%s} instead.%s%s",
                    field_name(p, ci), label, got, detail ? " Detail: " : "", detail ? detail : "");
}

/* The host's label for the first WRONG_TYPE / OUT_OF_RANGE cell of a column. */
static const char *got_text(const pt_column_in *in, char *buf, size_t size) {
  if (!in->got || !in->got_len) return "unknown";
  pt_excerpt(buf, size, in->got, in->got_len, 120);
  return buf;
}

static pt_status fail_dim(pt_batch *p, size_t ci, size_t r, int64_t got_dim) {
  const pt_field *f = p->cols[ci].f;
  return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                    "the dim (%lld) of field data(%s) is not equal to schema dim (%lld)"
                    PT_INVALID_PARAMETER "[expected=%lld][actual=%lld]",
                    (long long)got_dim, f->name, (long long)f->dim, (long long)f->dim, (long long)got_dim);
}

static pt_status fail_nonfinite(pt_batch *p, size_t ci, size_t r, double d) {
  return pt_fail_at(p->err, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                    "value '%s' is not a number or infinity", nonfinite_text(d));
}

static pt_status fail_int_range(pt_batch *p, size_t ci, size_t r, int64_t v, int64_t lo, int64_t hi) {
  return pt_fail_at(p->err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                    "the %zuth element (%lld) out of range: [%lld, %lld]" PT_INVALID_PARAMETER
                    "[expected=in [%lld, %lld]][actual=%lld]",
                    r, (long long)v, (long long)lo, (long long)hi, (long long)lo, (long long)hi, (long long)v);
}

/* ============================================================================================
 * Encoded forms of variable-length values
 *
 * ARRAY:  uint32 count, then count packed elements (BOOL 1 byte, INT8..INT64 their width,
 *         FLOAT 4, DOUBLE 8), or for VARCHAR elements count × (uint32 length, bytes).
 * SPARSE: uint32 count, then count × (uint32 index, float32 value), sorted by index.
 * Each encoder returns the stored size; with out == NULL it only measures (and checks).
 * ========================================================================================== */

static void put_u32(uint8_t *out, size_t at, uint32_t v) { memcpy(out + at, &v, 4); }

/* Encodes (or measures) one ARRAY value, parsed from `text`; on a bad element fills *bad with
 * the JSON kind. Elements are also read from the text: INT64 ones from their digits (a double
 * holds only 53 bits), VARCHAR ones from their escapes (cJSON's C string ends at a NUL). */
static pt_status array_encode(const pt_field *f, const cJSON *arr, pt_str text, uint8_t *out, size_t *size,
                              const char **bad, char *detail, size_t dsize) {
  int et = f->element_type;
  size_t at = 4, esz = pt_dtype_scalar_size(et), cursor = pt_json_enter(text);
  uint32_t count = 0;
  const cJSON *e;
  cJSON_ArrayForEach(e, arr) {
    pt_str raw = pt_json_next(text, &cursor, NULL);
    bool ok;
    switch (et) {
    case PT_BOOL: ok = cJSON_IsBool(e); break;
    case PT_VARCHAR: ok = cJSON_IsString(e); break;
    case PT_FLOAT: case PT_DOUBLE: ok = cJSON_IsNumber(e) && isfinite(e->valuedouble); break;
    default: ok = cJSON_IsNumber(e) && e->valuedouble == floor(e->valuedouble); break;
    }
    if (!ok) {
      *bad = pt_json_python_type(e);
      snprintf(detail, dsize, "element %u of the array is not a valid %s", count, pt_dtype_name(et));
      return PT_TYPE_MISMATCH;
    }
    if (et == PT_VARCHAR) {
      size_t len = pt_json_unescape(raw.ptr + 1, raw.len - 2, NULL);
      if ((int64_t)len > f->max_length) {
        *bad = "str";
        snprintf(detail, dsize, "length of string element %u exceeds max length. length: %zu, max length: %lld",
                 count, len, (long long)f->max_length);
        return PT_LIMIT;
      }
      if (out) {
        put_u32(out, at, (uint32_t)len);
        pt_json_unescape(raw.ptr + 1, raw.len - 2, (char *)out + at + 4);
      }
      at += 4 + len;
    } else {
      int64_t exact = 0;
      int digits = 1; /* 0: `exact` holds the element */
      if (et == PT_INT64) {
        digits = pt_parse_i64(raw.ptr, raw.len, &exact);
        if (digits == 2) {
          *bad = "int";
          snprintf(detail, dsize, "element %u (%.*s) out of range: [%lld, %lld]", count, (int)raw.len, raw.ptr,
                   (long long)INT64_MIN, (long long)INT64_MAX);
          return PT_RANGE;
        }
      }
      if (pt_dtype_is_integer(et) && digits != 0) {
        int64_t lo, hi;
        pt_dtype_int_range(et, &lo, &hi);
        /* (double)hi + 1 is the first value beyond hi, also for INT64 where (double)hi rounds up */
        if (e->valuedouble < (double)lo || e->valuedouble >= (double)hi + 1.0) {
          *bad = "int";
          snprintf(detail, dsize, "element %u (%.0f) out of range: [%lld, %lld]", count, e->valuedouble,
                   (long long)lo, (long long)hi);
          return PT_RANGE;
        }
      }
      if (et == PT_FLOAT && fabs(e->valuedouble) > 3.4028234663852886e38) {
        *bad = "float";
        snprintf(detail, dsize, "element %u is out of the range of float32", count);
        return PT_RANGE;
      }
      if (out) {
        uint8_t *d = out + at;
        double v = e->valuedouble;
        switch (et) {
        case PT_BOOL: *d = cJSON_IsTrue(e) ? 1 : 0; break;
        case PT_INT8: { int8_t x = (int8_t)v; memcpy(d, &x, 1); break; }
        case PT_INT16: { int16_t x = (int16_t)v; memcpy(d, &x, 2); break; }
        case PT_INT32: { int32_t x = (int32_t)v; memcpy(d, &x, 4); break; }
        case PT_INT64: { int64_t x = digits == 0 ? exact : (int64_t)v; memcpy(d, &x, 8); break; }
        case PT_FLOAT: { float x = (float)v; memcpy(d, &x, 4); break; }
        case PT_DOUBLE: memcpy(d, &v, 8); break;
        default: break;
        }
      }
      at += esz;
    }
    count++;
  }
  if (out) put_u32(out, 0, count);
  *size = at;
  return PT_OK;
}

/* ============================================================================================
 * Validate: mapping input columns to fields
 * ========================================================================================== */

/* Fields a column-form batch must carry, in schema order (pymilvus _check_data_schema_cnt);
 * `with_key`: an auto_id key column too, where an insert gives its keys (allow_insert_auto_id). */
static size_t expected_fields(const pt_schema *s, pt_op op, bool with_key, int *out) {
  size_t n = 0;
  for (size_t i = 0; i < s->n_fields; i++) {
    const pt_field *f = &s->fields[i];
    if (op == PT_OP_INSERT && f->is_primary && f->auto_id && !with_key) continue;
    if (f->is_function_output) continue; /* computed (pymilvus leaves them out of the list) */
    out[n++] = (int)i;
  }
  return n;
}

/* Whether an insert may give the keys of an auto_id collection (allow_insert_auto_id). */
static bool may_give_keys(const pt_batch *p) {
  return p->op == PT_OP_INSERT && p->s->fields[p->s->primary].auto_id && p->s->allow_insert_auto_id;
}

static bool column_all_null(const pt_column_in *in);

static pt_status map_rows(pt_batch *p, const pt_batch_in *b) {
  for (size_t k = 0; k < b->n_columns; k++) {
    const pt_column_in *in = &b->columns[k];
    int ci;
    if (in->field == PT_FIELD_DYNAMIC) {
      if (p->lay->dynamic < 0) {
        /* dynamic keys in a collection without the dynamic field: checked cell by cell below,
         * so that the message can name the first unexpected key */
        ci = -1;
      } else {
        ci = p->lay->dynamic;
      }
    } else if (in->field >= 0 && (size_t)in->field < p->s->n_fields) {
      ci = in->field;
    } else {
      return pt_fail(p->err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "column %zu names no field (field index %d)", k, (int)in->field);
    }
    if (in->n_rows != b->n_rows)
      return pt_fail(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "the num_rows (%zu) of field (%s) is not equal to passed num_rows (%zu)" PT_INVALID_PARAMETER,
                     in->n_rows, ci >= 0 ? field_name(p, (size_t)ci) : PT_DYNAMIC_FIELD_NAME, b->n_rows);
    if (ci < 0) continue;
    if (p->cols[ci].in)
      return pt_fail(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "duplicated field %s found" PT_INVALID_PARAMETER, field_name(p, (size_t)ci));
    p->cols[ci].in = in;
  }
  p->n = b->n_rows;
  /* an auto_id collection that allows it (allow_insert_auto_id) takes the keys an insert gives */
  const pt_batch_col *pkc = &p->cols[p->s->primary];
  p->keys_given = p->op == PT_OP_INSERT && pkc->f->auto_id && p->s->allow_insert_auto_id && pkc->in &&
                  !column_all_null(pkc->in);
  return PT_OK;
}

/* Shared by column and DataFrame forms: every non-empty column has the same length. */
static pt_status check_alignment(pt_batch *p, const pt_batch_in *b, const int *fields, size_t nf) {
  size_t n = 0;
  for (size_t k = 0; k < nf; k++)
    if (b->columns[k].n_rows > n) n = b->columns[k].n_rows;
  if (n == 0)
    return pt_fail(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "Must pass in at least one column");
  for (size_t k = 0; k < nf; k++) {
    const pt_column_in *in = &b->columns[k];
    if (in->n_rows != 0 && in->n_rows != n)
      return pt_fail(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
                     "Field data size misaligned for field [%s] got size=[%zu] alignment size=[%zu]",
                     p->s->fields[fields[k]].name, in->n_rows, n);
  }
  p->n = n;
  return PT_OK;
}

static pt_status map_columns(pt_batch *p, const pt_batch_in *b) {
  int fields[PT_MAX_FIELDS + 1];
  size_t nf = expected_fields(p->s, p->op, false, fields);
  /* where the collection allows it, the key column may stand in its place: one column more */
  if (may_give_keys(p) && b->n_columns == nf + 1) nf = expected_fields(p->s, p->op, true, fields);
  if (b->n_columns != nf)
    return pt_fail(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
                   "The data doesn't match with schema fields, expect %zu list, got %zu", nf, b->n_columns);
  pt_status rc = check_alignment(p, b, fields, nf);
  if (rc) return rc;
  for (size_t k = 0; k < nf; k++) {
    p->cols[fields[k]].in = &b->columns[k];
    p->cols[fields[k]].all_null = b->columns[k].n_rows == 0;
  }
  p->keys_given = may_give_keys(p) && p->cols[p->s->primary].in != NULL;
  return PT_OK;
}

/* Python's repr of a list of names: ['a', 'b'] */
static void names_repr(char *out, size_t size, const char *const *names, const size_t *lens, size_t n) {
  size_t at = 0;
  at += (size_t)snprintf(out + at, size - at, "[");
  for (size_t i = 0; i < n && at < size; i++)
    at += (size_t)snprintf(out + at, size - at, "%s'%.*s'", i ? ", " : "", (int)lens[i], names[i]);
  if (at < size) snprintf(out + at, size - at, "]");
}

static bool column_all_null(const pt_column_in *in) {
  if (in->kind == PT_IN_ABSENT || in->n_rows == 0) return true;
  if (!in->cells) return false;
  for (size_t r = 0; r < in->n_rows; r++)
    if (in->cells[r] != PT_CELL_NULL && in->cells[r] != PT_CELL_MISSING) return false;
  return true;
}

static pt_status map_dataframe(pt_batch *p, const pt_batch_in *b) {
  const pt_schema *s = p->s;
  const pt_field *pk = &s->fields[s->primary];
  int fields[PT_MAX_FIELDS + 1];
  size_t nf = expected_fields(s, p->op, false, fields);
  /* the columns that take part: an all-null auto_id key column is dropped (pymilvus); one with
   * keys takes part where the collection allows it (allow_insert_auto_id) */
  const pt_column_in *cols[PT_MAX_FIELDS + 8];
  size_t nc = 0;
  bool has_pk = false;
  for (size_t k = 0; k < b->n_columns; k++) {
    const pt_column_in *in = &b->columns[k];
    if (!in->name) return pt_fail(p->err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "DataFrame column %zu has no name", k);
    bool is_pk = pt_str_eq(in->name, in->name_len, pk->name, pk->name_len);
    bool keys = is_pk && p->op == PT_OP_INSERT && pk->auto_id && !column_all_null(in);
    if (keys && may_give_keys(p)) {
      nf = expected_fields(s, p->op, true, fields);
      p->keys_given = true;
    } else if (is_pk && p->op == PT_OP_INSERT && pk->auto_id) {
      if (keys)
        return pt_fail(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
                       "Expect no data for auto_id primary field: %s", pk->name);
      continue;
    }
    if (is_pk) {
      has_pk = true;
      if (p->op == PT_OP_UPSERT && column_all_null(in))
        return pt_fail(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, "Upsert need to assign pk.");
    }
    if (nc == sizeof cols / sizeof cols[0])
      return pt_fail(p->err, PT_LIMIT, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, "too many DataFrame columns");
    cols[nc++] = in;
  }
  if (p->op == PT_OP_UPSERT && !has_pk)
    return pt_fail(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, "Upsert need to assign pk.");

  /* the same set of names? */
  bool same = nc == nf;
  for (size_t k = 0; same && k < nc; k++) {
    bool found = false;
    for (size_t j = 0; j < nf && !found; j++)
      found = pt_str_eq(cols[k]->name, cols[k]->name_len, s->fields[fields[j]].name, s->fields[fields[j]].name_len);
    same = found;
  }
  if (!same) {
    const char *en[PT_MAX_FIELDS + 1], *gn[PT_MAX_FIELDS + 8];
    size_t el[PT_MAX_FIELDS + 1], gl[PT_MAX_FIELDS + 8];
    for (size_t j = 0; j < nf; j++) { en[j] = s->fields[fields[j]].name; el[j] = s->fields[fields[j]].name_len; }
    for (size_t k = 0; k < nc; k++) { gn[k] = cols[k]->name; gl[k] = cols[k]->name_len; }
    char e[400], g[400];
    names_repr(e, sizeof e, en, el, nf);
    names_repr(g, sizeof g, gn, gl, nc);
    return pt_fail(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
                   "The fields don't match with schema fields, expected: %s, got %s", e, g);
  }
  /* ...in schema order? */
  for (size_t k = 0; k < nc; k++) {
    const pt_field *f = &s->fields[fields[k]];
    if (!pt_str_eq(cols[k]->name, cols[k]->name_len, f->name, f->name_len))
      return pt_fail(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH,
                     "The name of field doesn't match, expected: %s, got %.*s", f->name,
                     (int)cols[k]->name_len, cols[k]->name);
  }
  size_t n = 0;
  for (size_t k = 0; k < nc; k++)
    if (cols[k]->n_rows > n) n = cols[k]->n_rows;
  if (n == 0) return pt_fail(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "Must pass in at least one column");
  for (size_t k = 0; k < nc; k++) {
    if (cols[k]->n_rows != 0 && cols[k]->n_rows != n)
      return pt_fail(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
                     "Field data size misaligned for field [%s] got size=[%zu] alignment size=[%zu]",
                     s->fields[fields[k]].name, cols[k]->n_rows, n);
    p->cols[fields[k]].in = cols[k];
    p->cols[fields[k]].all_null = cols[k]->n_rows == 0;
  }
  p->n = n;
  return PT_OK;
}

/* ============================================================================================
 * Validate: cells
 * ========================================================================================== */

/* enc_at of a JSON / $meta value stored as the host gave it (it is in canonical form). */
#define AS_GIVEN SIZE_MAX

static pt_status need_sizes(pt_batch *p, pt_batch_col *w) {
  if (p->n && !(w->sizes = pt_calloc(p->n, sizeof *w->sizes))) return pt_fail_nomem(p->err);
  bool encoded = !w->f || w->f->dtype == PT_ARRAY || w->f->dtype == PT_SPARSE_FLOAT_VECTOR || w->f->dtype == PT_JSON;
  if (encoded && p->n && !(w->enc_at = pt_calloc(p->n, sizeof *w->enc_at))) return pt_fail_nomem(p->err);
  return PT_OK;
}

/* Room for `size` more encoded bytes of batch row r; *out is where they go. */
static pt_status enc_reserve(pt_batch *p, pt_batch_col *w, size_t r, size_t size, uint8_t **out) {
  if (PT_GROW(&w->enc, &w->enc_cap, w->enc_len + size + 1)) return pt_fail_nomem(p->err);
  w->enc_at[r] = w->enc_len;
  w->enc_len += size;
  *out = w->enc + w->enc_at[r];
  return PT_OK;
}

/* Width an input column must have for a vector field, per input kind. */
static uint32_t expected_width(const pt_field *f, int kind) {
  if (f->dtype == PT_BINARY_VECTOR) return (uint32_t)(f->dim / 8);
  if (kind == PT_IN_BYTES && (f->dtype == PT_FLOAT16_VECTOR || f->dtype == PT_BFLOAT16_VECTOR))
    return (uint32_t)(f->dim * 2);
  return (uint32_t)f->dim;
}

/* The dim a wrongly sized input column stands for, for the message. */
static int64_t width_as_dim(const pt_field *f, int kind, uint32_t width) {
  if (f->dtype == PT_BINARY_VECTOR) return (int64_t)width * 8;
  if (kind == PT_IN_BYTES && (f->dtype == PT_FLOAT16_VECTOR || f->dtype == PT_BFLOAT16_VECTOR))
    return width / 2;
  return width;
}

static bool kind_fits(const pt_field *f, int kind) {
  switch (f->dtype) {
  case PT_BOOL: return kind == PT_IN_BOOL;
  case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64:
    return kind == PT_IN_INT64 || kind == PT_IN_INT32 || kind == PT_IN_DOUBLE || kind == PT_IN_FLOAT32;
  case PT_FLOAT: case PT_DOUBLE:
    return kind == PT_IN_DOUBLE || kind == PT_IN_FLOAT32 || kind == PT_IN_INT64 || kind == PT_IN_INT32;
  case PT_VARCHAR: case PT_TEXT: case PT_GEOMETRY: case PT_TIMESTAMPTZ: return kind == PT_IN_TEXT;
  case PT_JSON: case PT_ARRAY: case PT_SPARSE_FLOAT_VECTOR: return kind == PT_IN_JSON;
  case PT_FLOAT_VECTOR: return kind == PT_IN_FLOAT32 || kind == PT_IN_DOUBLE;
  case PT_FLOAT16_VECTOR: case PT_BFLOAT16_VECTOR: case PT_INT8_VECTOR: case PT_BINARY_VECTOR:
    return kind == PT_IN_FLOAT32 || kind == PT_IN_DOUBLE || kind == PT_IN_BYTES || kind == PT_IN_INT64 ||
           kind == PT_IN_INT32;
  default: return false;
  }
}

/* The JSON text of one cell, checked (json.h: strings may hold NUL, their readers take
 * them from the text), and parsed when `parsed` is given. */
static pt_status check_json_text(pt_batch *p, size_t ci, size_t r, pt_str t, pt_json_checked *chk, cJSON **parsed) {
  if (t.len > PT_MAX_JSON_LENGTH)
    return pt_fail_at(p->err, PT_LIMIT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                      "the length (%zu) of json field (%s) exceeds max length (%d)" PT_INVALID_PARAMETER,
                      t.len, field_name(p, ci), PT_MAX_JSON_LENGTH);
  if (parsed ? (*parsed = pt_json_parse_ex(t.ptr, t.len, PT_JSON_NUL_OK, chk)) != NULL
             : pt_json_check(t.ptr, t.len, PT_JSON_NUL_OK, chk))
    return PT_OK;
  if (chk->fault == PT_JF_NOMEM) return pt_fail_nomem(p->err);
  char ex[260], why[160];
  pt_excerpt(ex, sizeof ex, t.ptr, t.len, 200);
  return pt_fail_at(p->err, PT_PARSE, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, (int64_t)r, (int32_t)ci,
                    "Invalid JSON string: %s. Input string: '%s'", pt_json_describe(chk, why, sizeof why), ex);
}

/* JSON and $meta values are stored in canonical form (json.h): a value not written in it
 * is rewritten into enc. */
static pt_status keep_canonical(pt_batch *p, pt_batch_col *w, size_t r, pt_str t, const pt_json_checked *chk) {
  w->sizes[r] = (uint32_t)chk->canonical_len;
  if (chk->canonical) {
    w->enc_at[r] = AS_GIVEN;
    return PT_OK;
  }
  uint8_t *out;
  pt_status rc = enc_reserve(p, w, r, chk->canonical_len, &out);
  if (!rc) pt_json_canonical(t.ptr, t.len, (char *)out);
  return rc;
}

/* The bytes a JSON or $meta value is stored as. */
static pt_str canonical_text(const pt_batch_col *w, size_t r) {
  if (w->enc_at[r] == AS_GIVEN) return read_text(w->in, r);
  pt_str t = {(const char *)w->enc + w->enc_at[r], w->sizes[r]};
  return t;
}

/* Checks one dynamic value: a JSON object whose keys are neither fields nor $meta (its keys are
 * C strings: json.h keeps NUL out of keys). */
static pt_status check_dynamic_cell(pt_batch *p, size_t ci, size_t r, pt_str t, bool enabled, pt_json_checked *chk) {
  cJSON *v = NULL;
  pt_status rc = check_json_text(p, ci, r, t, chk, &v);
  if (rc) return rc;
  if (!cJSON_IsObject(v)) {
    cJSON_Delete(v);
    return pt_fail_at(p->err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, (int64_t)r, (int32_t)ci,
                      "The dynamic field of a row must be a dict");
  }
  for (const cJSON *k = v->child; k; k = k->next) {
    if (!enabled) {
      rc = pt_fail_at(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, (int64_t)r, -1,
                      "Attempt to insert an unexpected field `%s` to collection without enabling dynamic field",
                      k->string);
      break;
    }
    if (strcmp(k->string, PT_DYNAMIC_FIELD_NAME) == 0) {
      rc = pt_fail_at(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                      "cannot set json key to: $meta" PT_INVALID_PARAMETER);
      break;
    }
    if (pt_schema_find(p->s, k->string, strlen(k->string)) >= 0) {
      rc = pt_fail_at(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                      "dynamic field name cannot include the static field name: %s" PT_INVALID_PARAMETER, k->string);
      break;
    }
  }
  cJSON_Delete(v);
  return rc;
}

/* Checks one present value of a field. `w->sizes[r]` gets its stored size when variable. */
static pt_status check_value(pt_batch *p, size_t ci, size_t r) {
  pt_batch_col *w = &p->cols[ci];
  const pt_field *f = w->f;
  const pt_column_in *in = w->in;
  char detail[200];
  switch (f->dtype) {
  case PT_BOOL: {
    uint8_t b = ((const uint8_t *)in->values)[r];
    if (b > 1) return fail_type(p, ci, r, "int", NULL);
    return PT_OK;
  }
  case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: {
    int64_t v, lo, hi;
    int rd = read_i64(in, r, &v);
    if (rd == RD_NOT_INT) return fail_type(p, ci, r, "float", NULL);
    if (rd == RD_RANGE) return fail_type(p, ci, r, "int", "Value out of range");
    pt_dtype_int_range(f->dtype, &lo, &hi);
    if (v < lo || v > hi) return fail_int_range(p, ci, r, v, lo, hi);
    return PT_OK;
  }
  case PT_FLOAT: case PT_DOUBLE: {
    double d;
    read_f64(in, r, &d);
    if (!isfinite(d)) return fail_nonfinite(p, ci, r, d);
    if (f->dtype == PT_FLOAT && fabs(d) > 3.4028234663852886e38) return fail_nonfinite(p, ci, r, d);
    return PT_OK;
  }
  case PT_VARCHAR: case PT_TEXT: case PT_GEOMETRY: case PT_TIMESTAMPTZ: {
    pt_str t = read_text(in, r);
    int64_t chars = pt_utf8_count(t.ptr, t.len);
    if (chars < 0)
      return pt_fail_at(p->err, PT_TYPE_MISMATCH, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                        "string of field %s is not valid UTF-8, row number: %zu" PT_INVALID_PARAMETER, f->name, r);
    if (f->dtype == PT_VARCHAR || f->has_max_length) {
      int64_t max = f->has_max_length ? f->max_length : PT_MAX_VARCHAR_LENGTH;
      if (chars > max)
        return pt_fail_at(p->err, PT_LIMIT, PT_CODE_CLIENT, PT_EXC_PARAM, (int64_t)r, (int32_t)ci,
                          "invalid input of field (%s), length of string exceeds max length. length: "
                          "%lld, max length: %lld",
                          f->name, (long long)chars, (long long)max);
      if ((int64_t)t.len > max)
        return pt_fail_at(p->err, PT_LIMIT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                          "length of varchar field %s exceeds max length, row number: %zu, length: %zu, "
                          "max length: %lld" PT_INVALID_PARAMETER,
                          f->name, r, t.len, (long long)max);
    }
    w->sizes[r] = (uint32_t)t.len;
    return PT_OK;
  }
  case PT_JSON: {
    pt_str t = read_text(in, r);
    pt_json_checked chk;
    pt_status rc = check_json_text(p, ci, r, t, &chk, NULL);
    return rc ? rc : keep_canonical(p, w, r, t, &chk);
  }
  case PT_ARRAY: {
    pt_str t = read_text(in, r);
    pt_json_checked chk;
    cJSON *v = NULL;
    pt_status rc = check_json_text(p, ci, r, t, &chk, &v);
    if (rc) return rc;
    if (!cJSON_IsArray(v)) {
      const char *got = pt_json_python_type(v);
      cJSON_Delete(v);
      return fail_type(p, ci, r, got, NULL);
    }
    int count = cJSON_GetArraySize(v);
    int fop = p->ops ? p->ops[ci] : PT_FIELD_OP_REPLACE;
    /* an ARRAY_APPEND payload is checked on its own first (Milvus's proxy, before the merge);
     * an ARRAY_REMOVE payload cannot make the array longer: only a new key's is checked, as
     * the value it becomes (write.c) */
    if (count > f->max_capacity && fop == PT_FIELD_OP_ARRAY_APPEND) {
      cJSON_Delete(v);
      return pt_fail_at(p->err, PT_LIMIT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                        "ARRAY_APPEND payload for field \"%s\" row %zu has length %d exceeding max_capacity %lld"
                        PT_INVALID_PARAMETER, f->name, r, count, (long long)f->max_capacity);
    }
    if (count > f->max_capacity && fop != PT_FIELD_OP_ARRAY_REMOVE) {
      cJSON_Delete(v);
      return pt_fail_at(p->err, PT_LIMIT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                        "the length (%d) of %zuth array exceeds max capacity (%lld)" PT_INVALID_PARAMETER,
                        count, r, (long long)f->max_capacity);
    }
    size_t size = 0;
    const char *bad = NULL;
    uint8_t *out = NULL;
    rc = array_encode(f, v, t, NULL, &size, &bad, detail, sizeof detail);
    if (!rc && !(rc = enc_reserve(p, w, r, size, &out))) array_encode(f, v, t, out, &size, &bad, detail, sizeof detail);
    cJSON_Delete(v);
    if (rc == PT_NOMEM) return rc;
    if (rc) return fail_type(p, ci, r, bad ? bad : "list", detail);
    w->sizes[r] = (uint32_t)size;
    return PT_OK;
  }
  case PT_SPARSE_FLOAT_VECTOR: {
    pt_str t = read_text(in, r);
    pt_json_checked chk;
    cJSON *v = NULL;
    pt_status rc = check_json_text(p, ci, r, t, &chk, &v);
    if (rc) return rc;
    pt_sparse_pair *pairs = NULL;
    size_t n = 0;
    rc = pt_sparse_parse(v, &pairs, &n, detail, sizeof detail);
    cJSON_Delete(v);
    uint8_t *o = NULL;
    if (!rc && !(rc = enc_reserve(p, w, r, 4 + 8 * n, &o))) {
      put_u32(o, 0, (uint32_t)n);
      for (size_t k = 0; k < n; k++) {
        put_u32(o, 4 + 8 * k, pairs[k].index);
        memcpy(o + 8 + 8 * k, &pairs[k].value, 4);
      }
    }
    pt_free(pairs);
    if (rc == PT_NOMEM) return pt_fail_nomem(p->err);
    if (rc) return pt_fail_at(p->err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, (int64_t)r, (int32_t)ci, "%s", detail);
    w->sizes[r] = (uint32_t)(4 + 8 * n);
    return PT_OK;
  }
  case PT_FLOAT_VECTOR: case PT_FLOAT16_VECTOR: case PT_BFLOAT16_VECTOR: {
    uint32_t width = in->width;
    if (in->kind == PT_IN_BYTES) {
      const uint8_t *b = (const uint8_t *)in->values + (size_t)r * width;
      for (uint32_t j = 0; j < width / 2; j++) {
        uint16_t h;
        memcpy(&h, b + 2 * j, 2);
        float x = f->dtype == PT_FLOAT16_VECTOR ? pt_f16_to_f32(h) : pt_bf16_to_f32(h);
        if (!isfinite(x)) return fail_nonfinite(p, ci, r, x);
      }
      return PT_OK;
    }
    for (uint32_t j = 0; j < width; j++) {
      double d;
      read_f64(in, (size_t)r * width + j, &d);
      if (!isfinite(d)) return fail_nonfinite(p, ci, r, d);
      float x = (float)d;
      if (!isfinite(x)) return fail_nonfinite(p, ci, r, d > 0 ? INFINITY : -INFINITY);
      if (f->dtype == PT_FLOAT16_VECTOR && !isfinite(pt_f16_to_f32(pt_f32_to_f16(x))))
        return fail_nonfinite(p, ci, r, d > 0 ? INFINITY : -INFINITY);
      if (f->dtype == PT_BFLOAT16_VECTOR && !isfinite(pt_bf16_to_f32(pt_f32_to_bf16(x))))
        return fail_nonfinite(p, ci, r, d > 0 ? INFINITY : -INFINITY);
    }
    return PT_OK;
  }
  case PT_INT8_VECTOR: case PT_BINARY_VECTOR: {
    if (in->kind == PT_IN_BYTES) return PT_OK;
    int64_t lo = f->dtype == PT_INT8_VECTOR ? -128 : 0, hi = f->dtype == PT_INT8_VECTOR ? 127 : 255;
    for (uint32_t j = 0; j < in->width; j++) {
      int64_t v;
      int rd = read_i64(in, (size_t)r * in->width + j, &v);
      if (rd != RD_OK || v < lo || v > hi) {
        snprintf(detail, sizeof detail, "element %u is not an integer in [%lld, %lld]", j, (long long)lo, (long long)hi);
        return fail_type(p, ci, r, "list", detail);
      }
    }
    return PT_OK;
  }
  default:
    return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                      "Unsupported data type: %s", pt_dtype_name(f->dtype));
  }
}

/* True when no element of a float32 array is NaN or infinite: an unsigned max over the
 * magnitude bits, since an exponent of all ones is >= 0x7f800000. Every vector of a batch
 * passes through here, so it is one pass at memory speed: SIMD128 spelled out (clang left the
 * loop scalar in the WebAssembly build), and elsewhere four independent maxima a compiler can
 * keep in registers or vectorise. */
static bool floats_finite(const float *v, size_t n) {
  size_t i = 0;
  uint32_t top = 0;
#ifdef __wasm_simd128__
  const v128_t mag = wasm_i32x4_splat(0x7fffffff);
  v128_t m0 = wasm_i32x4_splat(0), m1 = m0, m2 = m0, m3 = m0;
  for (; i + 16 <= n; i += 16) {
    m0 = wasm_u32x4_max(m0, wasm_v128_and(wasm_v128_load(v + i), mag));
    m1 = wasm_u32x4_max(m1, wasm_v128_and(wasm_v128_load(v + i + 4), mag));
    m2 = wasm_u32x4_max(m2, wasm_v128_and(wasm_v128_load(v + i + 8), mag));
    m3 = wasm_u32x4_max(m3, wasm_v128_and(wasm_v128_load(v + i + 12), mag));
  }
  uint32_t lanes[4];
  wasm_v128_store(lanes, wasm_u32x4_max(wasm_u32x4_max(m0, m1), wasm_u32x4_max(m2, m3)));
  for (int k = 0; k < 4; k++) top = lanes[k] > top ? lanes[k] : top;
#else
  uint32_t t[4] = {0, 0, 0, 0};
  for (; i + 4 <= n; i += 4) {
    uint32_t u[4];
    memcpy(u, v + i, sizeof u);
    for (int k = 0; k < 4; k++) {
      uint32_t x = u[k] & 0x7fffffffu;
      t[k] = x > t[k] ? x : t[k];
    }
  }
  for (int k = 0; k < 4; k++) top = t[k] > top ? t[k] : top;
#endif
  for (; i < n; i++) {
    uint32_t u;
    memcpy(&u, v + i, 4);
    u &= 0x7fffffffu;
    top = u > top ? u : top;
  }
  return top < 0x7f800000u;
}

/* True when every double of an array is an integer in [lo, hi_excl): what rows given as JS
 * numbers bring for integer fields. No branch per element (NaN fails the comparisons). */
static bool doubles_integral(const void *values, size_t n, double lo, double hi_excl) {
  const unsigned char *v = values;
  bool ok = true;
  for (size_t i = 0; i < n; i++) {
    double d;
    memcpy(&d, v + i * 8, 8);
    ok &= (d >= lo) & (d < hi_excl) & (d == floor(d));
  }
  return ok;
}

/* Whole-column checks for the kinds that have a fast answer: true when every cell of a column
 * with no cell states (every cell holds a value) is known to be valid, so that the per-cell loop
 * can be skipped. False means "check cell by cell", which finds the first bad cell and its
 * message; it never means the column is bad. */
static bool column_checks_clean(const pt_batch *p, const pt_field *f, const pt_column_in *in) {
  switch (f->dtype) {
  case PT_INT64:
    if (in->kind == PT_IN_DOUBLE) return doubles_integral(in->values, p->n, -9223372036854775808.0, 9223372036854775808.0);
    return in->kind == PT_IN_INT64 || in->kind == PT_IN_INT32;
  case PT_INT32:
    if (in->kind == PT_IN_DOUBLE) return doubles_integral(in->values, p->n, -2147483648.0, 2147483648.0);
    return in->kind == PT_IN_INT32;
  case PT_FLOAT_VECTOR: {
    if (in->kind != PT_IN_FLOAT32) return false;
    size_t head = in->values_tail ? in->head_rows : p->n;
    return floats_finite(in->values, head * in->width) &&
           (!in->values_tail || floats_finite(in->values_tail, (p->n - head) * in->width));
  }
  default: return false;
  }
}

/* The string kinds: stored as the UTF-8 given, checked for UTF-8 and, with a limit, length. */
static bool is_string_dtype(int dtype) {
  return dtype == PT_VARCHAR || dtype == PT_TEXT || dtype == PT_GEOMETRY || dtype == PT_TIMESTAMPTZ;
}

/* True when no byte of s[0, len) has its high bit set. */
static bool all_ascii(const unsigned char *s, size_t len) {
  uint64_t any = 0;
  size_t i = 0;
  for (; i + 32 <= len; i += 32) {
    uint64_t w[4];
    memcpy(w, s + i, 32);
    any |= w[0] | w[1] | w[2] | w[3];
  }
  for (; i < len; i++) any |= s[i];
  return (any & 0x8080808080808080ULL) == 0;
}

/* check_value's rule for a whole string column with a value in every cell, when the answer is
 * quick: every cell's bytes in order and within the field's limit, and all of them ASCII, so
 * that each cell's length in characters is its length in bytes. Sets each cell's size. False
 * means "check cell by cell" (which finds the first bad cell and its message), never that the
 * column is bad. */
static bool text_column_clean(pt_batch *p, pt_batch_col *w) {
  const pt_field *f = w->f;
  const pt_column_in *in = w->in;
  if (in->kind != PT_IN_TEXT || !is_string_dtype(f->dtype) || !p->n) return false;
  uint64_t max = f->dtype == PT_VARCHAR || f->has_max_length
                     ? (uint64_t)(f->has_max_length ? f->max_length : PT_MAX_VARCHAR_LENGTH)
                     : UINT32_MAX;
  const uint32_t *o = in->offsets;
  for (size_t r = 0; r < p->n; r++) {
    if (o[r + 1] < o[r] || o[r + 1] - o[r] > max) return false;
    w->sizes[r] = o[r + 1] - o[r];
  }
  return all_ascii((const unsigned char *)in->values + o[0], o[p->n] - o[0]);
}

static pt_status check_column(pt_batch *p, size_t ci) {
  pt_batch_col *w = &p->cols[ci];
  const pt_field *f = w->f;
  const pt_column_in *in = w->in;
  bool rows_form = p->form == PT_FORM_ROWS;
  char got[160];
  pt_status rc;

  if (!f) { /* $meta */
    if ((rc = need_sizes(p, w))) return rc;
    if (!in || in->kind == PT_IN_ABSENT) return PT_OK;
    if (in->kind != PT_IN_JSON)
      return pt_fail(p->err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "the dynamic column must be JSON");
    for (size_t r = 0; r < p->n; r++) {
      int st = cell_state(w, r);
      /* a dynamic part the host could not transcribe is an error, never an empty one */
      if (st == PT_CELL_WRONG_TYPE || st == PT_CELL_WRONG_LENGTH || st == PT_CELL_OUT_OF_RANGE)
        return fail_type(p, ci, r, got_text(in, got, sizeof got), NULL);
      if (st != PT_CELL_VALUE) continue;
      pt_str t = read_text(in, r);
      pt_json_checked chk;
      if ((rc = check_dynamic_cell(p, ci, r, t, true, &chk)) || (rc = keep_canonical(p, w, r, t, &chk))) return rc;
    }
    return PT_OK;
  }

  if (pt_dtype_is_variable(f->dtype) && (rc = need_sizes(p, w))) return rc;
  if (f->is_function_output) { /* computed from its input (function_outputs); never given */
    for (size_t r = 0; r < p->n; r++)
      if (cell_state(w, r) != PT_CELL_MISSING)
        return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, (int64_t)r, (int32_t)ci,
                          "Attempt to insert an unexpected function output field `%s` to collection", f->name);
    return PT_OK;
  }
  bool has_values = in && in->kind != PT_IN_ABSENT && !w->all_null;
  if (has_values && !kind_fits(f, in->kind)) {
    /* a host transcribed values of another type: report the first present one */
    for (size_t r = 0; r < p->n; r++)
      if (cell_state(w, r) == PT_CELL_VALUE) return fail_type(p, ci, r, kind_name(in->kind), NULL);
    has_values = false;
  }
  if (has_values && pt_dtype_is_dense_vector(f->dtype) && in->width != expected_width(f, in->kind))
    return fail_dim(p, ci, 0, width_as_dim(f, in->kind, in->width));
  /* a scalar column holds one value per row: a width of 0 would have rows read past a buffer
   * the host sized as empty (text kinds are read through their offsets, whatever the width) */
  if (has_values && !pt_dtype_is_vector(f->dtype) && in->width != 1 && in->kind != PT_IN_TEXT && in->kind != PT_IN_JSON)
    return pt_fail(p->err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "scalar column %s has width %u", f->name, in->width);

  bool pk_generated = f->is_primary && f->auto_id && p->op == PT_OP_INSERT && !p->keys_given;
  if (has_values && !pk_generated && !in->cells && (column_checks_clean(p, f, in) || text_column_clean(p, w))) return PT_OK;
  for (size_t r = 0; r < p->n; r++) {
    int st = cell_state(w, r);
    switch (st) {
    case PT_CELL_VALUE:
      if (pk_generated)
        return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                          "can not assign primary field data when auto id enabled %s" PT_INVALID_PARAMETER, f->name);
      if ((rc = check_value(p, ci, r))) return rc;
      break;
    case PT_CELL_NULL:
    case PT_CELL_MISSING:
      if (pk_generated) break;
      if (f->is_primary && p->op == PT_OP_UPSERT)
        return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                          "must assign pk when upsert, primary field: %s" PT_INVALID_PARAMETER, f->name);
      /* merge mode: a field left out keeps its stored value (a new key's is checked by write.c) */
      if (st == PT_CELL_MISSING && p->merge) break;
      if (!f->is_primary && (f->nullable || f->has_default)) break;
      if (st == PT_CELL_MISSING && rows_form)
        return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, (int64_t)r, (int32_t)ci,
                          "Insert missed an field `%s` to collection without set nullable==true or set default_value",
                          f->name);
      if (st == PT_CELL_MISSING)
        return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                          "fieldSchema(%s) has no corresponding fieldData pass in" PT_INVALID_PARAMETER, f->name);
      return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, (int64_t)r, (int32_t)ci,
                        "field (%s) expects a non-None input", f->name);
    case PT_CELL_WRONG_TYPE:
      if (pk_generated)
        return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                          "can not assign primary field data when auto id enabled %s" PT_INVALID_PARAMETER, f->name);
      return fail_type(p, ci, r, got_text(in, got, sizeof got), NULL);
    case PT_CELL_OUT_OF_RANGE: {
      char detail[200];
      snprintf(detail, sizeof detail, "Value out of range: %s", got_text(in, got, sizeof got));
      return fail_type(p, ci, r, "int", detail);
    }
    case PT_CELL_WRONG_LENGTH:
      if (pt_dtype_is_dense_vector(f->dtype)) return fail_dim(p, ci, r, in->got_length);
      return fail_type(p, ci, r, got_text(in, got, sizeof got), NULL);
    default:
      return pt_fail_at(p->err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, (int64_t)r, (int32_t)ci,
                        "invalid cell state %d", st);
    }
  }
  return PT_OK;
}

/* The BM25 function's outputs: each row's input text (given, or the field's default where the
 * row leaves it out, except in merge mode, where the stored value stays) through the input
 * field's analyzer into a term vector (bm25.h), encoded as a given sparse value is. */
static pt_status function_outputs(pt_batch *p) {
  pt_status rc = PT_OK;
  pt_tokens toks = {0};
  pt_bm25_vec vec = {0};
  for (size_t ci = 0; ci < p->s->n_fields && !rc; ci++) {
    pt_batch_col *w = &p->cols[ci];
    if (w->f->bm25_input < 0) continue;
    const pt_field *in = &p->s->fields[w->f->bm25_input];
    const pt_batch_col *src = &p->cols[w->f->bm25_input];
    const pt_analyzer *a = in->analyzer; /* built once, with the collection (schema.h) */
    if (!(w->fn_cells = pt_malloc(p->n ? p->n : 1))) { rc = pt_fail_nomem(p->err); break; }
    for (size_t r = 0; r < p->n; r++) {
      int st = cell_state(src, r);
      w->fn_cells[r] = st == PT_CELL_VALUE ? PT_CELL_VALUE : PT_CELL_MISSING;
      pt_str t;
      /* merge mode keeps the stored value of a row that leaves its input out (write.c); the
       * default's vector is for a new key's row then */
      if (st == PT_CELL_VALUE) t = read_text(src->in, r);
      else if (in->has_default) t = (pt_str){in->default_value.s, in->default_value.slen};
      else continue;
      if ((rc = pt_analyzer_run(a, t.ptr, t.len, &toks, p->err))) {
        if (p->err) {
          p->err->row = (int64_t)r;
          p->err->field = (int32_t)w->f->bm25_input;
        }
        break;
      }
      if (pt_bm25_vectorize(&toks, &vec)) { rc = pt_fail_nomem(p->err); break; }
      uint8_t *out;
      size_t size = 4 + vec.n * 8;
      if ((rc = enc_reserve(p, w, r, size, &out))) break;
      uint32_t n = (uint32_t)vec.n;
      memcpy(out, &n, 4);
      if (vec.n) memcpy(out + 4, vec.p, vec.n * 8);
      w->sizes[r] = (uint32_t)size;
    }
  }
  pt_tokens_release(&toks);
  pt_bm25_vec_release(&vec);
  return rc;
}

/* ============================================================================================
 * Storing values (write.c's commit, into the room it reserved)
 * ========================================================================================== */

pt_key pt_batch_key(const pt_batch *p, size_t ci, size_t r, bool is_string) {
  const pt_column_in *in = p->cols[ci].in;
  pt_key k = {0, NULL, 0};
  if (is_string) {
    pt_str t = read_text(in, r);
    k.s = t.ptr;
    k.len = t.len;
  } else {
    read_i64(in, r, &k.i);
  }
  return k;
}

void pt_batch_keys(const pt_batch *p, size_t ci, bool is_string, pt_key *out) {
  const pt_column_in *in = p->cols[ci].in;
  const unsigned char *v = in ? in->values : NULL;
  size_t n = p->n;
  if (!is_string && v && in->kind == PT_IN_INT64) {
    for (size_t r = 0; r < n; r++) memcpy(&out[r].i, v + r * 8, 8);
  } else if (!is_string && v && in->kind == PT_IN_INT32) {
    for (size_t r = 0; r < n; r++) {
      int32_t x;
      memcpy(&x, v + r * 4, 4);
      out[r].i = x;
    }
  } else if (!is_string && v && in->kind == PT_IN_DOUBLE) {
    for (size_t r = 0; r < n; r++) {
      double d;
      memcpy(&d, v + r * 8, 8);
      double_i64(d, &out[r].i); /* what the checks let through; any other key left as read_i64 leaves it */
    }
  } else {
    for (size_t r = 0; r < n; r++) out[r] = pt_batch_key(p, ci, r, is_string);
  }
}

pt_str pt_batch_value(const pt_batch *p, size_t ci, size_t r) {
  const pt_batch_col *w = &p->cols[ci];
  if (w->f && w->f->dtype == PT_ARRAY) {
    pt_str t = {(const char *)w->enc + w->enc_at[r], w->sizes[r]};
    return t;
  }
  return canonical_text(w, r);
}

size_t pt_batch_stored_size(const pt_batch *p, size_t ci, size_t r) {
  const pt_batch_col *w = &p->cols[ci];
  if (w->fn_cells) return w->sizes[r];
  if (cell_state(w, r) == PT_CELL_VALUE) return w->sizes[r];
  const pt_field *f = w->f;
  return f && f->dtype == PT_VARCHAR && f->has_default ? f->default_value.slen : 0;
}

void pt_batch_store_cell(const pt_batch *p, size_t ci, size_t r, pt_segment *seg, uint32_t off) {
  const pt_batch_col *w = &p->cols[ci];
  const pt_field *f = w->f;
  const pt_column_in *in = w->in;
  pt_column *col = &seg->cols[ci];
  size_t rb = p->lay->row_bytes[ci];
  uint8_t *dst = rb ? col->data + (size_t)off * rb : NULL;
  int st = cell_state(w, r);

  if (!f) { /* $meta: a missing or null dynamic part is stored as {} */
    if (st == PT_CELL_VALUE) {
      pt_str t = canonical_text(w, r);
      memcpy(col->data + col->used, t.ptr, t.len);
      col->used += t.len;
    }
    col->offsets[off + 1] = (uint32_t)col->used;
    return;
  }

  if (w->fn_cells) { /* a computed function output: its value when it has one */
    if (w->sizes[r]) memcpy(col->data + col->used, w->enc + w->enc_at[r], w->sizes[r]);
    col->used += w->sizes[r];
    col->offsets[off + 1] = (uint32_t)col->used;
    return;
  }
  bool present = st == PT_CELL_VALUE;
  if (col->valid) {
    if (present || f->has_default) pt_bit_set(col->valid, off);
    else pt_bit_clear(col->valid, off);
  }
  if (!present && f->has_default) {
    const pt_default *d = &f->default_value;
    switch (f->dtype) {
    case PT_BOOL: dst[0] = d->b ? 1 : 0; break;
    case PT_INT8: { int8_t x = (int8_t)d->i; memcpy(dst, &x, 1); break; }
    case PT_INT16: { int16_t x = (int16_t)d->i; memcpy(dst, &x, 2); break; }
    case PT_INT32: { int32_t x = (int32_t)d->i; memcpy(dst, &x, 4); break; }
    case PT_INT64: memcpy(dst, &d->i, 8); break;
    case PT_FLOAT: { float x = (float)(d->kind == PT_DEFAULT_INT ? (double)d->i : d->d); memcpy(dst, &x, 4); break; }
    case PT_DOUBLE: { double x = d->kind == PT_DEFAULT_INT ? (double)d->i : d->d; memcpy(dst, &x, 8); break; }
    case PT_VARCHAR:
      memcpy(col->data + col->used, d->s, d->slen);
      col->used += d->slen;
      col->offsets[off + 1] = (uint32_t)col->used;
      break;
    default: break;
    }
    return;
  }
  if (!present) { /* null: fixed columns keep zeros, variable columns an empty value */
    if (dst) memset(dst, 0, rb);
    else col->offsets[off + 1] = (uint32_t)col->used;
    return;
  }

  switch (f->dtype) {
  case PT_BOOL: dst[0] = ((const uint8_t *)in->values)[r]; break;
  case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: {
    int64_t v = 0;
    read_i64(in, r, &v);
    if (f->dtype == PT_INT8) { int8_t x = (int8_t)v; memcpy(dst, &x, 1); }
    else if (f->dtype == PT_INT16) { int16_t x = (int16_t)v; memcpy(dst, &x, 2); }
    else if (f->dtype == PT_INT32) { int32_t x = (int32_t)v; memcpy(dst, &x, 4); }
    else memcpy(dst, &v, 8);
    break;
  }
  case PT_FLOAT: { double d = 0; read_f64(in, r, &d); float x = (float)d; memcpy(dst, &x, 4); break; }
  case PT_DOUBLE: { double d = 0; read_f64(in, r, &d); memcpy(dst, &d, 8); break; }
  case PT_VARCHAR: case PT_TEXT: case PT_GEOMETRY: case PT_TIMESTAMPTZ: case PT_JSON: {
    pt_str t = f->dtype == PT_JSON ? canonical_text(w, r) : read_text(in, r);
    if (t.len) memcpy(col->data + col->used, t.ptr, t.len); /* a batch of empty strings leaves data NULL */
    col->used += t.len;
    col->offsets[off + 1] = (uint32_t)col->used;
    break;
  }
  case PT_ARRAY: case PT_SPARSE_FLOAT_VECTOR: /* encoded in Validate */
    memcpy(col->data + col->used, w->enc + w->enc_at[r], w->sizes[r]);
    col->used += w->sizes[r];
    col->offsets[off + 1] = (uint32_t)col->used;
    break;
  case PT_FLOAT_VECTOR: {
    if (in->kind == PT_IN_FLOAT32) {
      /* staged values (pt_collection_stage) may already be here: the same bytes, or (an upsert
       * that overwrote some rows in place) a later row of the same staged block */
      const uint8_t *src = pt_in_row(in, r, rb);
      if (src != dst) memmove(dst, src, rb);
    } else {
      for (uint32_t j = 0; j < f->width; j++) {
        double d = 0;
        read_f64(in, (size_t)r * f->width + j, &d);
        float x = (float)d;
        memcpy(dst + 4 * j, &x, 4);
      }
    }
    break;
  }
  case PT_FLOAT16_VECTOR: case PT_BFLOAT16_VECTOR: {
    if (in->kind == PT_IN_BYTES) {
      memcpy(dst, (const uint8_t *)in->values + (size_t)r * rb, rb);
      break;
    }
    for (uint32_t j = 0; j < f->width; j++) {
      double d = 0;
      read_f64(in, (size_t)r * f->width + j, &d);
      uint16_t h = f->dtype == PT_FLOAT16_VECTOR ? pt_f32_to_f16((float)d) : pt_f32_to_bf16((float)d);
      memcpy(dst + 2 * j, &h, 2);
    }
    break;
  }
  case PT_INT8_VECTOR: case PT_BINARY_VECTOR: {
    if (in->kind == PT_IN_BYTES) {
      memcpy(dst, (const uint8_t *)in->values + (size_t)r * rb, rb);
      break;
    }
    for (uint32_t j = 0; j < f->width; j++) {
      int64_t v = 0;
      read_i64(in, (size_t)r * f->width + j, &v);
      dst[j] = (uint8_t)(f->dtype == PT_INT8_VECTOR ? (uint8_t)(int8_t)v : (uint8_t)v);
    }
    break;
  }
  default: break;
  }
}

bool pt_batch_text_as_given(const pt_batch *p, size_t ci) {
  const pt_batch_col *w = &p->cols[ci];
  return w->f && w->in && !w->all_null && !w->in->cells && !w->fn_cells && w->in->kind == PT_IN_TEXT &&
         is_string_dtype(w->f->dtype);
}

bool pt_batch_stored_as_given(const pt_batch *p, size_t ci) {
  const pt_batch_col *w = &p->cols[ci];
  const pt_field *f = w->f;
  if (!f || !w->in || w->all_null || w->in->cells) return false;
  switch (f->dtype) {
  case PT_FLOAT_VECTOR: return w->in->kind == PT_IN_FLOAT32;
  case PT_INT64: return w->in->kind == PT_IN_INT64;
  case PT_INT32: return w->in->kind == PT_IN_INT32;
  case PT_DOUBLE: return w->in->kind == PT_IN_DOUBLE;
  case PT_FLOAT: return w->in->kind == PT_IN_FLOAT32;
  case PT_BOOL: return w->in->kind == PT_IN_BOOL;
  case PT_FLOAT16_VECTOR: case PT_BFLOAT16_VECTOR: case PT_INT8_VECTOR: case PT_BINARY_VECTOR:
    return w->in->kind == PT_IN_BYTES;
  default: return false;
  }
}

/* ============================================================================================
 * Entry point
 * ========================================================================================== */

/* The fixed-width bytes of one row (every field stored at a fixed width counts, the key of an
 * auto_id insert too), at least one: a batch of n rows holds at least n times this. */
static uint64_t fixed_row_bytes(const pt_collection *c) {
  uint64_t bytes = 0;
  for (size_t ci = 0; ci < c->layout.n_cols; ci++) bytes += c->layout.row_bytes[ci];
  return bytes ? bytes : 1;
}

static pt_status too_large(uint64_t bytes, pt_error *err) {
  return pt_fail(err, PT_LIMIT, PT_CODE_TOO_LARGE, PT_EXC_MILVUS,
                 "insert request size exceeds maxInsertSize: %llu bytes, the limit is %u", (unsigned long long)bytes,
                 PT_MAX_BATCH_BYTES);
}

size_t pt_collection_max_batch_rows(const pt_collection *c) {
  return c ? (size_t)(PT_MAX_BATCH_BYTES / fixed_row_bytes(c)) : 0;
}

/* ============================================================================================
 * Merge mode: the fields rows carry, field operations
 * ========================================================================================== */

/* Row form in merge mode: pymilvus leaves a field out of a row instead of filling it, then
 * requires every field to have as many values as the others (prepare.py,
 * _parse_upsert_row_request: "The data fields length is inconsistent"); with dynamic fields
 * every row carries a dynamic part. Fields with equal counts but in other rows would reach
 * Milvus misaligned, which refuses them by their row count. */
static pt_status check_field_set(pt_batch *p) {
  size_t first = 0;
  int first_ci = -1;
  for (size_t ci = 0; ci < p->lay->n_cols; ci++) {
    size_t count = p->n;
    if (p->cols[ci].f) {
      count = 0;
      for (size_t r = 0; r < p->n; r++) count += cell_state(&p->cols[ci], r) != PT_CELL_MISSING;
    }
    if (!count) continue;
    if (first_ci < 0) {
      first = count;
      first_ci = (int)ci;
    } else if (count != first) {
      return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, -1, (int32_t)ci,
                        "The data fields length is inconsistent. previous length is %zu, current length is %zu",
                        first, count);
    }
  }
  if (first_ci >= 0 && first != p->n)
    return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, -1, first_ci,
                      "the num_rows (%zu) of field (%s) is not equal to passed num_rows (%zu)" PT_INVALID_PARAMETER,
                      first, field_name(p, (size_t)first_ci), p->n);
  return PT_OK;
}

/* A name as Go's %q writes it, for messages: quoted, with ", \ and control characters escaped
 * and bytes that are not UTF-8 as \x..; at most about 200 bytes of the name are shown. */
static const char *go_quote(char *out, size_t size, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  size_t n = 0, i = 0;
  out[n++] = '"';
  while (i < len && n + 8 < size) {
    unsigned char c = (unsigned char)s[i];
    size_t seq = pt_utf8_seq(s + i, len - i);
    if (c == '"' || c == '\\') {
      out[n++] = '\\';
      out[n++] = (char)c;
    } else if (c == '\n' || c == '\t' || c == '\r') {
      out[n++] = '\\';
      out[n++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
    } else if (c < 0x20 || c == 0x7f || seq == 0) {
      out[n++] = '\\';
      out[n++] = 'x';
      out[n++] = hex[c >> 4];
      out[n++] = hex[c & 15];
    } else if (seq > 1) {
      if (n + seq + 2 >= size) break;
      memcpy(out + n, s + i, seq);
      n += seq;
      i += seq;
      continue;
    } else {
      out[n++] = (char)c;
    }
    i++;
  }
  if (i < len && n + 5 < size) {
    memcpy(out + n, "...", 3);
    n += 3;
  }
  out[n++] = '"';
  out[n] = '\0';
  return out;
}

/* Milvus's proxy checks an upsert's field operations (task_upsert_partial_op.go,
 * validateFieldPartialUpdateOps) in this order: a name, no field twice, REPLACE needs nothing
 * more; then not the primary key, a field of the schema, an ARRAY field for ARRAY_APPEND /
 * ARRAY_REMOVE, and carried by the batch. Records each field's operation in p->ops. */
static pt_status check_field_ops(pt_batch *p, const pt_batch_in *b) {
  if (!b->field_ops)
    return pt_fail(p->err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_batch_in: field_ops is NULL");
  if (!(p->ops = pt_calloc(p->lay->n_cols, 1))) return pt_fail_nomem(p->err);
  const pt_schema *s = p->s;
  char q[260];
  for (size_t k = 0; k < b->n_field_ops; k++) {
    const pt_field_op *o = &b->field_ops[k];
    if (!o->name_len || !o->name)
      return pt_fail(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "FieldPartialUpdateOp.field_name is required" PT_INVALID_PARAMETER);
    for (size_t j = 0; j < k; j++)
      if (pt_str_eq(b->field_ops[j].name, b->field_ops[j].name_len, o->name, o->name_len))
        return pt_fail(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                       "duplicate partial-update op for field %s" PT_INVALID_PARAMETER,
                       go_quote(q, sizeof q, o->name, o->name_len));
    if (o->op == PT_FIELD_OP_REPLACE) continue;
    go_quote(q, sizeof q, o->name, o->name_len);
    const pt_field *pk = &s->fields[s->primary];
    if (pt_str_eq(pk->name, pk->name_len, o->name, o->name_len))
      return pt_fail(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "field %s is the primary key and cannot carry a partial-update op" PT_INVALID_PARAMETER, q);
    int fi = pt_schema_find(s, o->name, o->name_len);
    if (fi < 0)
      return pt_fail(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "field %s not found in collection schema" PT_INVALID_PARAMETER, q);
    const pt_field *f = &s->fields[fi];
    if (o->op != PT_FIELD_OP_ARRAY_APPEND && o->op != PT_FIELD_OP_ARRAY_REMOVE)
      return pt_fail(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "unsupported partial update op: %d" PT_INVALID_PARAMETER, (int)o->op);
    const char *opname = o->op == PT_FIELD_OP_ARRAY_APPEND ? "ARRAY_APPEND" : "ARRAY_REMOVE";
    if (f->dtype != PT_ARRAY)
      return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, -1, fi,
                        "op %s requires Array field, but field %s is %s" PT_INVALID_PARAMETER, opname, q,
                        pt_dtype_proto_name(f->dtype));
    bool carried = false;
    for (size_t r = 0; r < p->n && !carried; r++) carried = cell_state(&p->cols[fi], r) != PT_CELL_MISSING;
    if (!carried)
      return pt_fail_at(p->err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, -1, fi,
                        "partial-update op targets field %s not present in fields_data" PT_INVALID_PARAMETER, q);
    p->ops[fi] = (int8_t)o->op;
  }
  return PT_OK;
}

/* The plan of a check:
 *   0. refuse more rows than the limit can hold at their fixed width alone
 *   1. map the input columns to fields, as pymilvus does for the batch's form
 *   1b. merge mode: the same fields in every row; the field operations
 *   2. check every cell of every column (and encode what needs it)
 *   3. refuse a batch larger than the limit */
pt_status pt_batch_check(pt_batch *p, const pt_collection *c, pt_op op, const pt_batch_in *b, bool merge,
                         pt_error *err) {
  memset(p, 0, sizeof *p);
  p->lay = &c->layout;
  p->s = c->schema;
  p->op = op;
  p->form = b->form;
  p->merge = merge;
  p->err = err;
  /* 0. more rows than the limit can hold at their fixed width alone: refused before a cell is
   *    read, so that a host may leave such a batch's columns empty (pt_collection_max_batch_rows) */
  {
    uint64_t n = b->n_rows;
    for (size_t k = 0; k < b->n_columns; k++)
      if (b->columns[k].n_rows > n) n = b->columns[k].n_rows;
    if (n > pt_collection_max_batch_rows(c)) return too_large(n * fixed_row_bytes(c), err);
  }
  /* a column in two pieces (pt_in_at reads it): float32 values only, split within the column */
  for (size_t k = 0; k < b->n_columns; k++) {
    const pt_column_in *in = &b->columns[k];
    if (in->values_tail && (in->kind != PT_IN_FLOAT32 || !in->values || in->head_rows > in->n_rows))
      return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "pt_collection_write: values_tail is for a FLOAT32 column split within its rows");
  }

  pt_status rc;
  if (!(p->cols = pt_calloc(p->lay->n_cols, sizeof *p->cols))) return pt_fail_nomem(err);
  for (size_t i = 0; i < p->s->n_fields; i++) p->cols[i].f = &p->s->fields[i];

  /* 1. map columns to fields, as pymilvus does for this form */
  if (b->form == PT_FORM_ROWS) rc = map_rows(p, b);
  else if (b->form == PT_FORM_COLUMNS) rc = map_columns(p, b);
  else rc = map_dataframe(p, b);
  if (rc) return rc;
  if (p->n == 0)
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_MISSING, PT_EXC_MILVUS, "missing required parameters: no rows in the batch");
  /* a dynamic column on a collection without the dynamic field: its keys are unexpected */
  if (p->lay->dynamic < 0) {
    for (size_t k = 0; k < b->n_columns; k++) {
      const pt_column_in *in = &b->columns[k];
      if (in->field != PT_FIELD_DYNAMIC || in->kind != PT_IN_JSON) continue;
      for (size_t r = 0; r < p->n; r++) {
        if (in->cells && in->cells[r] != PT_CELL_VALUE) continue;
        pt_batch_col tmp = {.in = in};
        pt_batch q = *p;
        q.cols = &tmp;
        pt_json_checked chk;
        if ((rc = check_dynamic_cell(&q, 0, r, read_text(in, r), false, &chk))) return rc;
      }
    }
  }
  /* 1b. merge mode: every row carries the same fields (pymilvus), and the field operations
   *     name fields the batch carries, as Milvus's proxy checks them */
  if (merge && b->form == PT_FORM_ROWS && (rc = check_field_set(p))) return rc;
  if (b->n_field_ops && (rc = check_field_ops(p, b))) return rc;
  /* 2. every cell of every column */
  for (size_t ci = 0; ci < p->lay->n_cols; ci++)
    if ((rc = check_column(p, ci))) return rc;
  /* 2b. function outputs, from the inputs as checked */
  if ((rc = function_outputs(p))) return rc;
  /* 3. batch size */
  uint64_t bytes = 0;
  for (size_t ci = 0; ci < p->lay->n_cols; ci++) {
    if (p->lay->row_bytes[ci]) bytes += (uint64_t)p->lay->row_bytes[ci] * p->n;
    else if (p->cols[ci].sizes)
      for (size_t r = 0; r < p->n; r++) bytes += p->cols[ci].sizes[r];
  }
  if (bytes > PT_MAX_BATCH_BYTES) return too_large(bytes, err);
  return PT_OK;
}
