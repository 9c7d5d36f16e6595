/*
 * json_in.c — the JSON entry point of insert / upsert: JSON text is parsed with cJSON and
 * transcribed into the same pt_batch_in that typed hosts build, so both paths share every rule
 * of batch.c and write.c. Values are encoded as Milvus's REST API encodes them (partita.h says how).
 *
 * Dispatch follows pymilvus: an object is one row; an array whose first element is an object
 * is a list of rows; any other array is a list of columns in schema order.
 *
 * Values are taken from the text as written, not printed back from cJSON's tree: cJSON keeps
 * numbers as doubles, exact for integers only up to 2^53, and prints them with 15 significant
 * digits, so a printed value is not always the value sent. cJSON built its tree from the text in
 * order, so a cursor that walks the text alongside the tree (white space as cJSON skips it,
 * strings with their escapes, containers by depth: pt_json_next, json.c) finds where each value
 * starts and ends.
 * INT64 values are read from their digits; JSON, ARRAY, sparse and dynamic values are copied;
 * strings are read from their text too (pt_json_unescape), since cJSON's C strings end at a NUL
 * character (\u0000) that the text may hold.
 *
 * The whole batch passes pt_json_check first (json.h): cJSON alone would take 02, 1. and
 * raw control characters, and the copied values would then be stored as they were written.
 */
#include "store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cJSON.h"
#include "json.h"
#include "text.h"

/* Growable buffers of one transcribed column. */
typedef struct jcol {
  pt_column_in in;
  uint8_t *cells;
  uint8_t *vals;
  size_t vals_len, vals_cap;
  uint32_t *offs;
  char got[48];
  bool have_issue;
} jcol;

typedef struct jbatch {
  jcol *cols;
  size_t n_cols;
  pt_column_in *ins;
  const pt_schema *s;
} jbatch;

static void jbatch_release(jbatch *b) {
  for (size_t i = 0; i < b->n_cols; i++) {
    pt_free(b->cols[i].cells);
    pt_free(b->cols[i].vals);
    pt_free(b->cols[i].offs);
  }
  pt_free(b->cols);
  pt_free(b->ins);
}

static bool put_bytes(jcol *c, const void *p, size_t n) {
  if (PT_GROW(&c->vals, &c->vals_cap, c->vals_len + n)) return false;
  if (n) memcpy(c->vals + c->vals_len, p, n);
  c->vals_len += n;
  return true;
}

static void mark(jcol *c, size_t r, int state, const char *got, int64_t length) {
  c->cells[r] = (uint8_t)state;
  if (c->have_issue) return;
  c->have_issue = true;
  snprintf(c->got, sizeof c->got, "%s", got ? got : "");
  c->in.got = c->got;
  c->in.got_len = strlen(c->got);
  c->in.got_length = length;
}

/* The input kind a field's JSON values are transcribed to. */
static int kind_for(const pt_field *f) {
  switch (f->dtype) {
  case PT_BOOL: return PT_IN_BOOL;
  case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: return PT_IN_INT64;
  case PT_FLOAT: case PT_DOUBLE: return PT_IN_DOUBLE;
  case PT_VARCHAR: case PT_TEXT: case PT_GEOMETRY: case PT_TIMESTAMPTZ: return PT_IN_TEXT;
  case PT_JSON: case PT_ARRAY: case PT_SPARSE_FLOAT_VECTOR: return PT_IN_JSON;
  default: return pt_dtype_is_dense_vector(f->dtype) ? PT_IN_DOUBLE : PT_IN_ABSENT;
  }
}

static pt_status jcol_init(jcol *c, const pt_field *f, int field, size_t n) {
  memset(c, 0, sizeof *c);
  c->in.field = field;
  c->in.kind = f ? kind_for(f) : PT_IN_JSON;
  c->in.n_rows = n;
  c->in.width = f && pt_dtype_is_dense_vector(f->dtype) ? f->width : 1;
  if (!(c->cells = pt_calloc(n ? n : 1, 1))) return PT_NOMEM;
  if ((c->in.kind == PT_IN_TEXT || c->in.kind == PT_IN_JSON) &&
      !(c->offs = pt_calloc(n + 1, sizeof *c->offs)))
    return PT_NOMEM;
  return PT_OK;
}

static const pt_str raw_none = {"", 0};

/* The bytes of the JSON string written as `raw` (quotes included): the text between the quotes
 * when it has no escape, else its unescaped copy in *copy (pt_free it). false: no memory. */
static bool string_bytes(pt_str raw, pt_str *out, char **copy) {
  *copy = NULL;
  out->ptr = raw.ptr + 1;
  out->len = raw.len - 2;
  if (!memchr(out->ptr, '\\', out->len)) return true;
  if (!(*copy = pt_malloc(out->len + 1))) return false;
  out->len = pt_json_unescape(out->ptr, out->len, *copy);
  out->ptr = *copy;
  return true;
}

/* Transcribes one JSON value, written as `raw`, into row r of a column. */
static pt_status put_value(jcol *c, const pt_field *f, size_t r, const cJSON *v, pt_str raw) {
  size_t width = c->in.width;
  int kind = c->in.kind;
  size_t fixed = kind == PT_IN_BOOL ? 1 : kind == PT_IN_INT64 || kind == PT_IN_DOUBLE ? 8 : 0;
  /* keep fixed-width columns dense: reserve the slot, then fill it */
  if (fixed) {
    size_t at = r * width * fixed;
    if (PT_GROW(&c->vals, &c->vals_cap, at + width * fixed)) return PT_NOMEM;
    memset(c->vals + at, 0, width * fixed);
    if (c->vals_len < at + width * fixed) c->vals_len = at + width * fixed;
  }
  if (!v) { c->cells[r] = PT_CELL_MISSING; goto var_end; }
  if (cJSON_IsNull(v)) { c->cells[r] = PT_CELL_NULL; goto var_end; }
  switch (kind) {
  case PT_IN_BOOL:
    if (!cJSON_IsBool(v)) { mark(c, r, PT_CELL_WRONG_TYPE, pt_json_python_type(v), 0); break; }
    c->vals[r] = cJSON_IsTrue(v) ? 1 : 0;
    break;
  case PT_IN_INT64: {
    int64_t x;
    int rc;
    if (cJSON_IsString(v)) { /* Milvus's REST API takes int64 as a numeric string too */
      pt_str digits;
      char *copy;
      if (!string_bytes(raw, &digits, &copy)) return PT_NOMEM;
      rc = pt_parse_i64(digits.ptr, digits.len, &x);
      if (rc == 2) {
        char t[40];
        snprintf(t, sizeof t, "%.*s", (int)(digits.len < 39 ? digits.len : 39), digits.ptr);
        mark(c, r, PT_CELL_OUT_OF_RANGE, t, 0);
      }
      pt_free(copy);
      if (rc == 1) { mark(c, r, PT_CELL_WRONG_TYPE, "str", 0); break; }
      if (rc == 2) break;
    } else if (cJSON_IsNumber(v) && (rc = pt_parse_i64(raw.ptr, raw.len, &x)) != 1) { /* the digits */
      if (rc == 2) {
        char t[40];
        snprintf(t, sizeof t, "%.*s", (int)(raw.len < 39 ? raw.len : 39), raw.ptr);
        mark(c, r, PT_CELL_OUT_OF_RANGE, t, 0);
        break;
      }
    } else if (cJSON_IsNumber(v)) { /* 1e3, 2.0: by its value */
      double d = v->valuedouble;
      if (d != floor(d)) { mark(c, r, PT_CELL_WRONG_TYPE, "float", 0); break; }
      if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
        char t[40];
        snprintf(t, sizeof t, "%.0f", d);
        mark(c, r, PT_CELL_OUT_OF_RANGE, t, 0);
        break;
      }
      x = (int64_t)d;
    } else {
      mark(c, r, PT_CELL_WRONG_TYPE, pt_json_python_type(v), 0);
      break;
    }
    memcpy(c->vals + r * 8, &x, 8);
    break;
  }
  case PT_IN_DOUBLE:
    if (!f || !pt_dtype_is_dense_vector(f->dtype)) {
      if (!cJSON_IsNumber(v)) { mark(c, r, PT_CELL_WRONG_TYPE, pt_json_python_type(v), 0); break; }
      memcpy(c->vals + r * 8, &v->valuedouble, 8);
      break;
    }
    if (!cJSON_IsArray(v)) { mark(c, r, PT_CELL_WRONG_TYPE, pt_json_python_type(v), 0); break; }
    if ((size_t)cJSON_GetArraySize(v) != width) {
      int64_t n = cJSON_GetArraySize(v);
      if (f->dtype == PT_BINARY_VECTOR) n *= 8;
      mark(c, r, PT_CELL_WRONG_LENGTH, "list", n);
      break;
    }
    {
      size_t j = 0;
      const cJSON *e;
      cJSON_ArrayForEach(e, v) {
        if (!cJSON_IsNumber(e)) { mark(c, r, PT_CELL_WRONG_TYPE, "list", 0); break; }
        memcpy(c->vals + (r * width + j) * 8, &e->valuedouble, 8);
        j++;
      }
    }
    break;
  case PT_IN_TEXT: {
    if (!cJSON_IsString(v)) { mark(c, r, PT_CELL_WRONG_TYPE, pt_json_python_type(v), 0); break; }
    pt_str bytes;
    char *copy;
    if (!string_bytes(raw, &bytes, &copy)) return PT_NOMEM;
    bool put = put_bytes(c, bytes.ptr, bytes.len);
    pt_free(copy);
    if (!put) return PT_NOMEM;
    break;
  }
  case PT_IN_JSON:
    if (!put_bytes(c, raw.ptr, raw.len)) return PT_NOMEM;
    break;
  default:
    mark(c, r, PT_CELL_WRONG_TYPE, pt_json_python_type(v), 0);
  }
var_end:
  if (c->offs) {
    if (c->vals_len > UINT32_MAX) return PT_LIMIT;
    c->offs[r + 1] = (uint32_t)c->vals_len;
  }
  return PT_OK;
}

static void finish(jbatch *b) {
  for (size_t i = 0; i < b->n_cols; i++) {
    jcol *c = &b->cols[i];
    c->in.values = c->vals ? (const void *)c->vals : (const void *)"";
    c->in.offsets = c->offs;
    c->in.cells = c->cells;
    b->ins[i] = c->in;
  }
}

static pt_status rows_batch(const pt_schema *s, const cJSON *rows, size_t n, pt_str text, jbatch *b, pt_error *err) {
  size_t nc = s->n_fields + 1; /* every field, plus the dynamic part */
  /* n_cols is set once the arrays exist, so that jbatch_release can always walk them */
  if (!(b->cols = pt_calloc(nc, sizeof *b->cols)) || !(b->ins = pt_calloc(nc, sizeof *b->ins)))
    return pt_fail_nomem(err);
  b->n_cols = nc;
  for (size_t i = 0; i < s->n_fields; i++)
    if (jcol_init(&b->cols[i], &s->fields[i], (int)i, n)) return pt_fail_nomem(err);
  jcol *dyn = &b->cols[s->n_fields];
  if (jcol_init(dyn, NULL, PT_FIELD_DYNAMIC, n)) return pt_fail_nomem(err);
  bool single = cJSON_IsObject(rows);
  size_t outer = single ? 0 : pt_json_enter(text);
  size_t r = 0;
  for (const cJSON *row = single ? rows : rows->child; row && r < n; row = row->next, r++) {
    pt_str row_text = single ? text : pt_json_next(text, &outer, NULL);
    if (!cJSON_IsObject(row))
      return pt_fail_at(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, (int64_t)r, -1,
                        "The Input data type is inconsistent with defined schema, please check it.");
    bool seen[PT_MAX_FIELDS + 1];
    memset(seen, 0, sizeof seen);
    bool extra = false;
    size_t inner = pt_json_enter(row_text);
    pt_status rc = PT_OK;
    for (const cJSON *k = row->child; k && !rc; k = k->next) {
      pt_str key;
      pt_str raw = pt_json_next(row_text, &inner, &key);
      int fi = pt_schema_find(s, k->string, strlen(k->string)); /* keys never hold NUL (json.h) */
      if (fi >= 0) {
        if (seen[fi]) continue; /* a repeated key: the first one counts */
        seen[fi] = true;
        rc = put_value(&b->cols[fi], &s->fields[fi], r, k, raw);
      } else if (!put_bytes(dyn, extra ? "," : "{", 1) || !put_bytes(dyn, key.ptr, key.len) ||
                 !put_bytes(dyn, ":", 1) || !put_bytes(dyn, raw.ptr, raw.len)) {
        rc = PT_NOMEM; /* keys that are not fields form the row's dynamic part, as written */
      } else {
        extra = true;
      }
    }
    for (size_t i = 0; i < s->n_fields && !rc; i++)
      if (!seen[i]) rc = put_value(&b->cols[i], &s->fields[i], r, NULL, raw_none);
    if (!rc && extra && !put_bytes(dyn, "}", 1)) rc = PT_NOMEM;
    if (!rc && !extra) dyn->cells[r] = PT_CELL_MISSING;
    if (!rc && dyn->vals_len > UINT32_MAX) rc = PT_LIMIT;
    if (rc == PT_NOMEM) return pt_fail_nomem(err);
    if (rc) return pt_fail(err, rc, PT_CODE_TOO_LARGE, PT_EXC_MILVUS, "the batch is too large");
    dyn->offs[r + 1] = (uint32_t)dyn->vals_len;
  }
  return PT_OK;
}

static pt_status columns_batch(const pt_schema *s, pt_op op, const cJSON *cols, pt_str text, jbatch *b, pt_error *err) {
  size_t nc = (size_t)cJSON_GetArraySize(cols);
  /* the fields the columns stand for, as batch.c expects them */
  int fields[PT_MAX_FIELDS + 1];
  size_t nf = 0;
  for (size_t i = 0; i < s->n_fields; i++) {
    if (op == PT_OP_INSERT && s->fields[i].is_primary && s->fields[i].auto_id) continue;
    fields[nf++] = (int)i;
  }
  /* batch.c reports a count mismatch; columns beyond the fields are transcribed as absent */
  if (!(b->cols = pt_calloc(nc ? nc : 1, sizeof *b->cols)) || !(b->ins = pt_calloc(nc ? nc : 1, sizeof *b->ins)))
    return pt_fail_nomem(err);
  b->n_cols = nc; /* set once the arrays exist, so that jbatch_release can always walk them */
  size_t k = 0, outer = pt_json_enter(text);
  for (const cJSON *col = cols->child; col; col = col->next, k++) {
    pt_str col_text = pt_json_next(text, &outer, NULL);
    if (!cJSON_IsArray(col))
      return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_TYPE_NOT_SUPPORT, "The data should be a list of list");
    size_t n = (size_t)cJSON_GetArraySize(col);
    const pt_field *f = k < nf ? &s->fields[fields[k]] : NULL;
    if (jcol_init(&b->cols[k], f, PT_FIELD_BY_POSITION, n)) return pt_fail_nomem(err);
    if (!f) { b->cols[k].in.kind = PT_IN_ABSENT; continue; }
    size_t r = 0, inner = pt_json_enter(col_text);
    for (const cJSON *v = col->child; v; v = v->next, r++) {
      pt_status rc = put_value(&b->cols[k], f, r, v, pt_json_next(col_text, &inner, NULL));
      if (rc == PT_NOMEM) return pt_fail_nomem(err);
      if (rc) return pt_fail(err, rc, PT_CODE_TOO_LARGE, PT_EXC_MILVUS, "the batch is too large");
    }
  }
  return PT_OK;
}

pt_status pt_collection_write_json(pt_collection *c, const char *partition, size_t partition_len, pt_op op,
                                   const char *json, size_t len, pt_write_flags flags, pt_mutation_result *res,
                                   pt_error *err) {
  return pt_collection_write_json_ops(c, partition, partition_len, op, json, len, flags, NULL, 0, res, err);
}

pt_status pt_collection_write_json_ops(pt_collection *c, const char *partition, size_t partition_len, pt_op op,
                                       const char *json, size_t len, pt_write_flags flags,
                                       const pt_field_op *field_ops, size_t n_field_ops, pt_mutation_result *res,
                                       pt_error *err) {
  if (!c || !json || !res || (n_field_ops && !field_ops))
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_write_json: missing argument");
  memset(res, 0, sizeof *res);
  if (len > PT_MAX_BATCH_BYTES)
    return pt_fail(err, PT_LIMIT, PT_CODE_TOO_LARGE, PT_EXC_MILVUS,
                   "insert request size exceeds maxInsertSize: %zu bytes, the limit is %u", len, PT_MAX_BATCH_BYTES);
  /* strings are read from the text, so they may hold NUL; UTF-8 is checked value by value, for
   * the field's own message */
  pt_json_checked chk;
  cJSON *root = pt_json_parse_ex(json, len, PT_JSON_NUL_OK | PT_JSON_BYTES, &chk);
  if (!root) {
    if (chk.fault == PT_JF_NOMEM) return pt_fail_nomem(err);
    char why[160];
    return pt_fail(err, PT_PARSE, PT_CODE_CLIENT, PT_EXC_DATA_TYPE_NOT_SUPPORT, "The data is not valid JSON: %s",
                   pt_json_describe(&chk, why, sizeof why));
  }
  pt_str text = {json, len};
  const pt_schema *s = c->schema;
  jbatch b;
  memset(&b, 0, sizeof b);
  b.s = s;
  pt_batch_in batch = {PT_FORM_ROWS, 0, 0, NULL, n_field_ops, field_ops};
  pt_status rc;
  if (cJSON_IsObject(root)) {
    batch.n_rows = 1;
    rc = rows_batch(s, root, 1, text, &b, err);
  } else if (cJSON_IsArray(root) && root->child && cJSON_IsObject(root->child)) {
    batch.n_rows = (size_t)cJSON_GetArraySize(root);
    rc = rows_batch(s, root, batch.n_rows, text, &b, err);
  } else if (cJSON_IsArray(root)) {
    batch.form = PT_FORM_COLUMNS;
    rc = columns_batch(s, op, root, text, &b, err);
  } else {
    rc = pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_TYPE_NOT_SUPPORT,
                 "The type of data should be List, pd.DataFrame or Dict");
  }
  if (!rc) {
    finish(&b);
    batch.n_columns = b.n_cols;
    batch.columns = b.ins;
    rc = pt_collection_write(c, partition, partition_len, op, &batch, flags, res, err);
  }
  jbatch_release(&b);
  cJSON_Delete(root);
  return rc;
}
