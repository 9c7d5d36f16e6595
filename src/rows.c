/*
 * rows.c — columnar results (pt_rows) of query(), get() and search(): for each output field, one
 * column over the selected rows, copied out of the segments, so that a result stays valid
 * whatever happens to the store afterwards. Variable-length values come out as bytes with
 * offsets; ARRAY and sparse values are rendered as JSON text.
 */
#include "rows.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cJSON.h"
#include "json.h"
#include "text.h"

struct pt_rows {
  size_t n;
  size_t n_cols;
  pt_column_out *cols;
};

size_t pt_rows_count(const pt_rows *rows) { return rows ? rows->n : 0; }
size_t pt_rows_num_columns(const pt_rows *rows) { return rows ? rows->n_cols : 0; }
const pt_column_out *pt_rows_column(const pt_rows *rows, size_t i) {
  return rows && i < rows->n_cols ? &rows->cols[i] : NULL;
}

void pt_rows_free(pt_rows *rows) {
  if (!rows) return;
  for (size_t i = 0; i < rows->n_cols; i++) {
    pt_free((void *)(uintptr_t)rows->cols[i].name);
    pt_free((void *)(uintptr_t)rows->cols[i].values);
    pt_free((void *)(uintptr_t)rows->cols[i].offsets);
    pt_free((void *)(uintptr_t)rows->cols[i].valid);
  }
  pt_free(rows->cols);
  pt_free(rows);
}

/* ============================================================================================
 * Rendering variable-length values as JSON text
 * ========================================================================================== */

static void render_array(pt_text *b, int et, const uint8_t *d) {
  uint32_t count;
  memcpy(&count, d, 4);
  size_t at = 4;
  pt_text_put(b, "[", 1);
  for (uint32_t i = 0; i < count; i++) {
    if (i) pt_text_put(b, ",", 1);
    switch (et) {
    case PT_BOOL: pt_text_puts(b, d[at] ? "true" : "false"); at += 1; break;
    case PT_INT8: { int8_t x; memcpy(&x, d + at, 1); pt_text_i64(b, x); at += 1; break; }
    case PT_INT16: { int16_t x; memcpy(&x, d + at, 2); pt_text_i64(b, x); at += 2; break; }
    case PT_INT32: { int32_t x; memcpy(&x, d + at, 4); pt_text_i64(b, x); at += 4; break; }
    case PT_INT64: { int64_t x; memcpy(&x, d + at, 8); pt_text_i64(b, x); at += 8; break; }
    case PT_FLOAT: { float x; memcpy(&x, d + at, 4); pt_text_f32(b, x); at += 4; break; }
    case PT_DOUBLE: { double x; memcpy(&x, d + at, 8); pt_text_f64(b, x); at += 8; break; }
    case PT_VARCHAR: {
      uint32_t n;
      memcpy(&n, d + at, 4);
      pt_text_json_string(b, (const char *)d + at + 4, n);
      at += 4 + n;
      break;
    }
    default: break;
    }
  }
  pt_text_put(b, "]", 1);
}

static void render_sparse(pt_text *b, const uint8_t *d) {
  uint32_t count;
  memcpy(&count, d, 4);
  pt_text_put(b, "{", 1);
  for (uint32_t i = 0; i < count; i++) {
    uint32_t idx;
    float v;
    memcpy(&idx, d + 4 + 8 * i, 4);
    memcpy(&v, d + 8 + 8 * i, 4);
    if (i) pt_text_char(b, ',');
    pt_text_char(b, '"');
    pt_text_u64(b, idx);
    pt_text_put(b, "\":", 2);
    pt_text_f32(b, v);
  }
  pt_text_put(b, "}", 1);
}

/* ============================================================================================
 * Building output columns
 * ========================================================================================== */

typedef struct outspec {
  int field;            /* schema field, or -1 for the dynamic column */
  char **dyn_keys;      /* dynamic column: the keys asked for (NULL = all of them) */
  size_t n_dyn_keys;
} outspec;

static pt_status column_fixed(const pt_collection *c, const pt_rowref *refs, size_t n_rows, int fi, pt_column_out *out) {
  const pt_layout *lay = &c->layout;
  const pt_field *f = &c->schema->fields[fi];
  size_t rb = lay->row_bytes[fi];
  if (c->maybe_cold && f->dtype == PT_FLOAT_VECTOR) { /* cold rows are named for reading back (cold.c) */
    bool cold = false;
    for (size_t i = 0; i < n_rows; i++) {
      const pt_partition *part = c->parts[refs[i].part];
      size_t s = refs[i].row >> lay->seg_shift;
      if (!part->segs[s]->cols[fi].cold) continue;
      if (pt_cold_want(c, refs[i].part, s, (size_t)fi)) return PT_NOMEM;
      cold = true;
    }
    if (cold) return PT_COLD;
  }
  uint8_t *vals = pt_malloc(n_rows * rb + 1);
  uint8_t *valid = f->nullable ? pt_malloc(n_rows + 1) : NULL;
  if (!vals || (f->nullable && !valid)) {
    pt_free(vals);
    pt_free(valid);
    return PT_NOMEM;
  }
  /* a copy of a constant size for the usual widths: WebAssembly runs a memcpy of a size known
   * only at run time as memory.copy, which V8 makes a call out of the module (several times
   * the cost of the copy of one key) */
#define COPY_ROWS(RB)                                                                              \
  for (size_t i = 0; i < n_rows; i++) {                                                            \
    const pt_partition *part = c->parts[refs[i].part];                                             \
    const pt_segment *seg = pt_row_segment(part, lay, refs[i].row);                                \
    uint32_t off = pt_row_offset(lay, refs[i].row);                                                \
    memcpy(vals + i * (RB), seg->cols[fi].data + (size_t)off * (RB), (RB));                        \
    if (valid) valid[i] = pt_bit_get(seg->cols[fi].valid, off);                                    \
  }
  switch (rb) {
  case 8: COPY_ROWS(8); break;
  case 4: COPY_ROWS(4); break;
  case 2: COPY_ROWS(2); break;
  case 1: COPY_ROWS(1); break;
  default: COPY_ROWS(rb); break;
  }
#undef COPY_ROWS
  out->values = vals;
  out->valid = valid;
  out->width = f->width;
  out->elem_size = f->elem_size;
  return PT_OK;
}

/* Whether the dynamic key written as `raw` (a JSON string token, quotes included) is asked for. */
static bool dyn_key_wanted(const outspec *o, pt_str raw, bool *nomem) {
  if (!o->dyn_keys) return true;
  pt_str key = {raw.ptr + 1, raw.len - 2};
  char *copy = NULL;
  if (memchr(key.ptr, '\\', key.len)) { /* escapes: compare what they stand for */
    if (!(copy = pt_malloc(key.len + 1))) {
      *nomem = true;
      return false;
    }
    key.len = pt_json_unescape(key.ptr, key.len, copy);
    key.ptr = copy;
  }
  bool wanted = false;
  for (size_t i = 0; i < o->n_dyn_keys && !wanted; i++)
    wanted = pt_str_eqz(key.ptr, key.len, o->dyn_keys[i]);
  pt_free(copy);
  return wanted;
}

static pt_status column_variable(const pt_collection *c, const pt_rowref *refs, size_t n_rows, const outspec *o,
                                 pt_column_out *out) {
  const pt_layout *lay = &c->layout;
  int ci = o->field >= 0 ? o->field : lay->dynamic;
  const pt_field *f = o->field >= 0 ? &c->schema->fields[o->field] : NULL;
  uint32_t *offs = pt_malloc((n_rows + 1) * sizeof *offs);
  uint8_t *valid = f && f->nullable ? pt_malloc(n_rows + 1) : NULL;
  pt_text b = {NULL, 0, 0, false};
  if (!offs || (f && f->nullable && !valid)) goto nomem;
  offs[0] = 0;
  for (size_t i = 0; i < n_rows; i++) {
    const pt_partition *part = c->parts[refs[i].part];
    const pt_segment *seg = pt_row_segment(part, lay, refs[i].row);
    uint32_t off = pt_row_offset(lay, refs[i].row);
    const pt_column *col = &seg->cols[ci];
    const uint8_t *d = pt_var_cell(col, off);
    size_t n = col->offsets[off + 1] - col->offsets[off];
    bool has = !col->valid || pt_bit_get(col->valid, off);
    if (valid) valid[i] = has;
    if (!has) {
      /* nothing */
    } else if (!f) { /* $meta: all keys, or the ones asked for */
      if (!o->dyn_keys) {
        if (n) pt_text_put(&b, (const char *)d, n);
        else pt_text_puts(&b, "{}");
      } else if (n) {
        /* the members asked for, copied as stored (stored text passed pt_json_check) */
        pt_str text = {(const char *)d, n};
        size_t cursor = pt_json_enter(text);
        pt_text_put(&b, "{", 1);
        bool first = true, nomem = false;
        while (cursor < n && d[cursor] != '}') {
          pt_str key, value = pt_json_next(text, &cursor, &key);
          if (!dyn_key_wanted(o, key, &nomem)) {
            if (nomem) goto nomem;
            continue;
          }
          if (!first) pt_text_put(&b, ",", 1);
          pt_text_put(&b, key.ptr, key.len);
          pt_text_put(&b, ":", 1);
          pt_text_put(&b, value.ptr, value.len);
          first = false;
        }
        pt_text_put(&b, "}", 1);
      } else {
        pt_text_puts(&b, "{}");
      }
    } else if (f->dtype == PT_ARRAY) {
      render_array(&b, f->element_type, d);
    } else if (f->dtype == PT_SPARSE_FLOAT_VECTOR) {
      render_sparse(&b, d);
    } else {
      pt_text_put(&b, (const char *)d, n);
    }
    if (b.oom || b.len > UINT32_MAX) goto nomem;
    offs[i + 1] = (uint32_t)b.len;
  }
  if (!b.p && !(b.p = pt_malloc(1))) goto nomem;
  out->values = b.p;
  out->offsets = offs;
  out->valid = valid;
  out->width = 1;
  out->elem_size = 1;
  return PT_OK;
nomem:
  pt_free(offs);
  pt_free(valid);
  pt_free(b.p);
  return PT_NOMEM;
}

/* ============================================================================================
 * Output fields and partition scope
 * ========================================================================================== */

void pt_outputs_release(pt_outputs *o) {
  pt_free(o->want);
  for (size_t i = 0; i < o->n_dyn; i++) pt_free(o->dyn_keys[i]);
  pt_free(o->dyn_keys);
  memset(o, 0, sizeof *o);
}

pt_status pt_outputs_parse(const pt_collection *c, const cJSON *fields, pt_outputs *o, pt_error *err) {
  const pt_schema *s = c->schema;
  memset(o, 0, sizeof *o);
  if (!(o->want = pt_calloc(s->n_fields ? s->n_fields : 1, 1))) return pt_fail_nomem(err);
  o->want[s->primary] = true; /* the primary key is always returned */
  if (!fields || cJSON_IsNull(fields)) return PT_OK;
  if (!cJSON_IsArray(fields))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "output_fields must be a list of str");
  const cJSON *n;
  cJSON_ArrayForEach(n, fields) {
    if (!cJSON_IsString(n))
      return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "output_fields must be a list of str");
    const char *name = n->valuestring;
    size_t len = strlen(name);
    while (len && name[0] == ' ') { name++; len--; }
    while (len && name[len - 1] == ' ') len--;
    if (pt_str_eqz(name, len, "*")) {
      /* Milvus's CanRetrieveRawFieldData: a BM25 function's output is never returned */
      for (size_t i = 0; i < s->n_fields; i++) o->want[i] = s->fields[i].bm25_input < 0;
      o->all_dynamic = s->enable_dynamic_field;
      o->key_named = true;
    } else if (pt_str_eqz(name, len, "count(*)")) {
      o->count_only = true;
    } else if (pt_str_eqz(name, len, PT_DYNAMIC_FIELD_NAME) && s->enable_dynamic_field) {
      o->all_dynamic = true;
    } else {
      int fi = pt_schema_find(s, name, len);
      if (fi >= 0 && s->fields[fi].bm25_input >= 0)
        return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "not allowed to retrieve raw data of field %s",
                       s->fields[fi].name);
      if (fi >= 0) {
        o->want[fi] = true;
        if (fi == s->primary) o->key_named = true;
      } else if (s->enable_dynamic_field) {
        char **grown = pt_realloc(o->dyn_keys, (o->n_dyn + 1) * sizeof *grown);
        if (!grown) return pt_fail_nomem(err);
        o->dyn_keys = grown;
        if (!(o->dyn_keys[o->n_dyn] = pt_strndup(name, len))) return pt_fail_nomem(err);
        o->n_dyn++;
      } else {
        return pt_fail(err, PT_NOT_FOUND, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "field %.*s not exist", (int)len, name);
      }
    }
  }
  return PT_OK;
}

pt_status pt_scope_parse(const pt_collection *c, const cJSON *names, bool *scope, pt_error *err) {
  if (!names || cJSON_IsNull(names) || (cJSON_IsArray(names) && cJSON_GetArraySize(names) == 0)) {
    for (size_t q = 0; q < c->n_parts; q++) scope[q] = true;
    return PT_OK;
  }
  if (!cJSON_IsArray(names))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "partition_names must be a list of str");
  const cJSON *n;
  cJSON_ArrayForEach(n, names) {
    if (!cJSON_IsString(n))
      return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "partition_names must be a list of str");
    int q = pt_partition_find(c, n->valuestring, strlen(n->valuestring));
    /* Milvus's proxy (getPartitionIDs) answers this as a plain error, 65535, not as
     * ErrPartitionNotFound (200), which it keeps for writes */
    if (q < 0)
      return pt_fail(err, PT_NOT_FOUND, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "partition name %s not found", n->valuestring);
    scope[q] = true;
  }
  return PT_OK;
}

/* ============================================================================================
 * Building results
 * ========================================================================================== */

pt_status pt_rows_count_only(uint64_t n, pt_rows **out) {
  pt_rows *rows = pt_calloc(1, sizeof *rows);
  if (!rows) return PT_NOMEM;
  rows->n = 1;
  if (!(rows->cols = pt_calloc(1, sizeof *rows->cols))) { pt_rows_free(rows); return PT_NOMEM; }
  rows->n_cols = 1; /* only once the column exists: pt_rows_free walks n_cols */
  pt_column_out *col = &rows->cols[0];
  int64_t *v = pt_malloc(sizeof *v);
  if (!v || !(col->name = pt_strndup("count(*)", 8))) {
    pt_free(v);
    pt_rows_free(rows);
    return PT_NOMEM;
  }
  *v = (int64_t)n;
  col->values = v;
  col->dtype = PT_INT64;
  col->width = 1;
  col->elem_size = 8;
  *out = rows;
  return PT_OK;
}

pt_status pt_rows_build_fail(pt_status rc, pt_error *err) {
  return rc == PT_COLD ? pt_cold_fail(PT_OK, err) : pt_fail_nomem(err);
}

pt_status pt_rows_build(const pt_collection *c, const pt_rowref *refs, size_t n, const pt_outputs *o, pt_rows **out) {
  const pt_schema *s = c->schema;
  *out = NULL;
  pt_rows *rows = pt_calloc(1, sizeof *rows);
  if (!rows) return PT_NOMEM;
  size_t n_cols = 0;
  for (size_t i = 0; i < s->n_fields; i++) n_cols += o->want[i];
  bool dyn = s->enable_dynamic_field && (o->all_dynamic || o->n_dyn);
  n_cols += dyn;
  rows->n = n;
  if (!(rows->cols = pt_calloc(n_cols, sizeof *rows->cols))) { pt_rows_free(rows); return PT_NOMEM; }
  /* the primary key first, then the other fields in schema order, then $meta */
  int order[PT_MAX_FIELDS + 1];
  size_t k = 0;
  order[k++] = s->primary;
  for (size_t i = 0; i < s->n_fields; i++)
    if (o->want[i] && (int)i != s->primary) order[k++] = (int)i;
  if (dyn) order[k++] = -1;
  for (size_t j = 0; j < k; j++) {
    pt_column_out *col = &rows->cols[j];
    rows->n_cols = j + 1;
    outspec spec = {order[j], o->all_dynamic ? NULL : o->dyn_keys, o->all_dynamic ? 0 : o->n_dyn};
    pt_status rc;
    if (order[j] >= 0) {
      const pt_field *f = &s->fields[order[j]];
      if (!(col->name = pt_strndup(f->name, f->name_len))) { pt_rows_free(rows); return PT_NOMEM; }
      col->dtype = f->dtype;
      rc = c->layout.row_bytes[order[j]] ? column_fixed(c, refs, n, order[j], col)
                                         : column_variable(c, refs, n, &spec, col);
    } else {
      if (!(col->name = pt_strndup(PT_DYNAMIC_FIELD_NAME, strlen(PT_DYNAMIC_FIELD_NAME)))) { pt_rows_free(rows); return PT_NOMEM; }
      col->dtype = PT_JSON;
      col->is_dynamic = 1;
      rc = column_variable(c, refs, n, &spec, col);
    }
    if (rc) {
      pt_rows_free(rows);
      return rc;
    }
  }
  *out = rows;
  return PT_OK;
}
