/*
 * json_in.c — the JSON entry point of insert / upsert: JSON text is parsed with cJSON and
 * transcribed into the same pt_batch_in that typed hosts build, so both paths share every rule
 * of write.c. Values are encoded as Milvus's REST API encodes them (partita.h says how).
 *
 * Dispatch follows pymilvus: an object is one row; an array whose first element is an object
 * is a list of rows; any other array is a list of columns in schema order.
 */
#include "store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cJSON.h"

void pt_json_hooks_install(void);

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

static const char *json_type(const cJSON *v) {
  if (cJSON_IsBool(v)) return "bool";
  if (cJSON_IsNumber(v)) return v->valuedouble == floor(v->valuedouble) ? "int" : "float";
  if (cJSON_IsString(v)) return "str";
  if (cJSON_IsArray(v)) return "list";
  if (cJSON_IsObject(v)) return "dict";
  return "NoneType";
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

/* Decimal text to int64: 0 ok, 1 not an integer, 2 beyond int64. */
static int parse_i64(const char *s, int64_t *out) {
  bool neg = *s == '-';
  if (*s == '-' || *s == '+') s++;
  if (!*s) return 1;
  uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  bool over = false;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return 1;
    uint64_t d = (uint64_t)(*s - '0');
    if (v > (limit - d) / 10) over = true;
    else v = v * 10 + d;
  }
  if (over) return 2;
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return 0;
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

/* Transcribes one JSON value into row r of a column. */
static pt_status put_value(jcol *c, const pt_field *f, size_t r, const cJSON *v) {
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
    if (!cJSON_IsBool(v)) { mark(c, r, PT_CELL_WRONG_TYPE, json_type(v), 0); break; }
    c->vals[r] = cJSON_IsTrue(v) ? 1 : 0;
    break;
  case PT_IN_INT64: {
    int64_t x;
    if (cJSON_IsString(v)) { /* Milvus's REST API takes int64 as a numeric string too */
      int rc = parse_i64(v->valuestring, &x);
      if (rc == 1) { mark(c, r, PT_CELL_WRONG_TYPE, "str", 0); break; }
      if (rc == 2) { mark(c, r, PT_CELL_OUT_OF_RANGE, v->valuestring, 0); break; }
    } else if (cJSON_IsNumber(v)) {
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
      mark(c, r, PT_CELL_WRONG_TYPE, json_type(v), 0);
      break;
    }
    memcpy(c->vals + r * 8, &x, 8);
    break;
  }
  case PT_IN_DOUBLE:
    if (width == 1 || !pt_dtype_is_dense_vector(f->dtype)) {
      if (!cJSON_IsNumber(v)) { mark(c, r, PT_CELL_WRONG_TYPE, json_type(v), 0); break; }
      memcpy(c->vals + r * 8, &v->valuedouble, 8);
      break;
    }
    if (!cJSON_IsArray(v)) { mark(c, r, PT_CELL_WRONG_TYPE, json_type(v), 0); break; }
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
  case PT_IN_TEXT:
    if (!cJSON_IsString(v)) { mark(c, r, PT_CELL_WRONG_TYPE, json_type(v), 0); break; }
    if (!put_bytes(c, v->valuestring, strlen(v->valuestring))) return PT_NOMEM;
    break;
  case PT_IN_JSON: {
    char *text = cJSON_PrintUnformatted(v);
    if (!text) return PT_NOMEM;
    bool ok = put_bytes(c, text, strlen(text));
    pt_free(text);
    if (!ok) return PT_NOMEM;
    break;
  }
  default:
    mark(c, r, PT_CELL_WRONG_TYPE, json_type(v), 0);
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

static pt_status rows_batch(const pt_schema *s, const cJSON *rows, size_t n, jbatch *b, pt_error *err) {
  b->n_cols = s->n_fields + 1; /* every field, plus the dynamic part */
  if (!(b->cols = pt_calloc(b->n_cols, sizeof *b->cols)) || !(b->ins = pt_calloc(b->n_cols, sizeof *b->ins)))
    return pt_fail_nomem(err);
  for (size_t i = 0; i < s->n_fields; i++)
    if (jcol_init(&b->cols[i], &s->fields[i], (int)i, n)) return pt_fail_nomem(err);
  jcol *dyn = &b->cols[s->n_fields];
  if (jcol_init(dyn, NULL, PT_FIELD_DYNAMIC, n)) return pt_fail_nomem(err);
  size_t r = 0;
  for (const cJSON *row = cJSON_IsObject(rows) ? rows : rows->child; row && r < n; row = row->next, r++) {
    if (!cJSON_IsObject(row))
      return pt_fail_at(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_NOT_MATCH, (int64_t)r, -1,
                        "The Input data type is inconsistent with defined schema, please check it.");
    for (size_t i = 0; i < s->n_fields; i++) {
      const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, s->fields[i].name);
      pt_status rc = put_value(&b->cols[i], &s->fields[i], r, v);
      if (rc == PT_NOMEM) return pt_fail_nomem(err);
      if (rc) return pt_fail(err, rc, PT_CODE_TOO_LARGE, PT_EXC_MILVUS, "the batch is too large");
    }
    /* keys that are not fields form the row's dynamic part */
    cJSON *extra = NULL;
    for (const cJSON *k = row->child; k; k = k->next) {
      if (pt_schema_find(s, k->string, strlen(k->string)) >= 0) continue;
      if (!extra && !(extra = cJSON_CreateObject())) return pt_fail_nomem(err);
      cJSON *copy = cJSON_Duplicate(k, true);
      if (!copy || !cJSON_AddItemToObject(extra, k->string, copy)) {
        cJSON_Delete(copy);
        cJSON_Delete(extra);
        return pt_fail_nomem(err);
      }
    }
    pt_status rc = PT_OK;
    if (extra) rc = put_value(dyn, NULL, r, extra);
    else { dyn->cells[r] = PT_CELL_MISSING; dyn->offs[r + 1] = (uint32_t)dyn->vals_len; }
    cJSON_Delete(extra);
    if (rc == PT_NOMEM) return pt_fail_nomem(err);
    if (rc) return pt_fail(err, rc, PT_CODE_TOO_LARGE, PT_EXC_MILVUS, "the batch is too large");
  }
  return PT_OK;
}

static pt_status columns_batch(const pt_schema *s, pt_op op, const cJSON *cols, jbatch *b, pt_error *err) {
  size_t nc = (size_t)cJSON_GetArraySize(cols);
  /* the fields the columns stand for, as write.c expects them */
  int fields[PT_MAX_FIELDS + 1];
  size_t nf = 0;
  for (size_t i = 0; i < s->n_fields; i++) {
    if (op == PT_OP_INSERT && s->fields[i].is_primary && s->fields[i].auto_id) continue;
    fields[nf++] = (int)i;
  }
  if (nc > nf) nc = nf + 1; /* write.c reports the count mismatch; transcribe what maps */
  b->n_cols = (size_t)cJSON_GetArraySize(cols);
  if (!(b->cols = pt_calloc(b->n_cols ? b->n_cols : 1, sizeof *b->cols)) ||
      !(b->ins = pt_calloc(b->n_cols ? b->n_cols : 1, sizeof *b->ins)))
    return pt_fail_nomem(err);
  size_t k = 0;
  for (const cJSON *col = cols->child; col; col = col->next, k++) {
    if (!cJSON_IsArray(col))
      return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_DATA_TYPE_NOT_SUPPORT, "The data should be a list of list");
    size_t n = (size_t)cJSON_GetArraySize(col);
    const pt_field *f = k < nf ? &s->fields[fields[k]] : NULL;
    if (jcol_init(&b->cols[k], f, PT_FIELD_BY_POSITION, n)) return pt_fail_nomem(err);
    if (!f) { b->cols[k].in.kind = PT_IN_ABSENT; continue; }
    size_t r = 0;
    for (const cJSON *v = col->child; v; v = v->next, r++) {
      pt_status rc = put_value(&b->cols[k], f, r, v);
      if (rc == PT_NOMEM) return pt_fail_nomem(err);
      if (rc) return pt_fail(err, rc, PT_CODE_TOO_LARGE, PT_EXC_MILVUS, "the batch is too large");
    }
  }
  return PT_OK;
}

pt_status pt_collection_write_json(pt_collection *c, const char *partition, size_t partition_len, pt_op op,
                                   const char *json, size_t len, pt_write_flags flags, pt_mutation_result *res,
                                   pt_error *err) {
  if (!c || !json || !res) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_write_json: missing argument");
  memset(res, 0, sizeof *res);
  pt_json_hooks_install();
  if (len > PT_MAX_BATCH_BYTES)
    return pt_fail(err, PT_LIMIT, PT_CODE_TOO_LARGE, PT_EXC_MILVUS,
                   "insert request size exceeds maxInsertSize: %zu bytes, the limit is %u", len, PT_MAX_BATCH_BYTES);
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, false);
  if (!root) {
    size_t at = end && end >= json ? (size_t)(end - json) : 0;
    return pt_fail(err, PT_PARSE, PT_CODE_CLIENT, PT_EXC_DATA_TYPE_NOT_SUPPORT,
                   "The data is not valid JSON (or nests deeper than %d) at byte %zu", CJSON_NESTING_LIMIT, at);
  }
  const pt_schema *s = c->schema;
  jbatch b;
  memset(&b, 0, sizeof b);
  b.s = s;
  pt_batch_in batch = {PT_FORM_ROWS, 0, 0, NULL};
  pt_status rc;
  if (cJSON_IsObject(root)) {
    batch.n_rows = 1;
    rc = rows_batch(s, root, 1, &b, err);
  } else if (cJSON_IsArray(root) && root->child && cJSON_IsObject(root->child)) {
    batch.n_rows = (size_t)cJSON_GetArraySize(root);
    rc = rows_batch(s, root, batch.n_rows, &b, err);
  } else if (cJSON_IsArray(root)) {
    batch.form = PT_FORM_COLUMNS;
    rc = columns_batch(s, op, root, &b, err);
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
