/*
 * query.c — query(), get() and delete(): selecting rows by filter, and building columnar
 * results (pt_rows) that hosts turn into row objects.
 *
 * Row order is storage order: partitions in creation order, then rows in the order they were
 * written. Milvus leaves the order unspecified; partita keeps this one stable.
 */
#include "expr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cJSON.h"
#include "half.h"

void pt_json_hooks_install(void);

/* A selected row. */
typedef struct rowref {
  uint32_t part;
  uint32_t row;
} rowref;

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
 * Selecting rows
 * ========================================================================================== */

static int rowref_cmp(const void *a, const void *b) {
  const rowref *x = a, *y = b;
  if (x->part != y->part) return x->part < y->part ? -1 : 1;
  return x->row < y->row ? -1 : x->row > y->row;
}

typedef struct selection {
  rowref *refs;
  size_t n, cap;
} selection;

static pt_status select_add(selection *sel, uint32_t part, uint32_t row) {
  if (PT_GROW(&sel->refs, &sel->cap, sel->n + 1)) return PT_NOMEM;
  sel->refs[sel->n].part = part;
  sel->refs[sel->n].row = row;
  sel->n++;
  return PT_OK;
}

/* Rows of the scoped partitions matching a primary-key filter, in storage order. */
static pt_status select_keys(const pt_collection *c, const bool *scope, const pt_pkfilter *f,
                             selection *sel) {
  for (size_t q = 0; q < c->n_parts; q++) {
    if (!scope[q]) continue;
    const pt_partition *part = c->parts[q];
    size_t start = sel->n;
    for (size_t k = 0; k < f->n; k++) {
      size_t slot = pt_partition_lookup(part, &c->layout, &f->keys[k]);
      if (slot == SIZE_MAX) continue;
      for (uint32_t row = part->index.slots[slot].row; row != PT_NO_ROW;
           row = pt_row_segment(part, &c->layout, row)->next[pt_row_offset(&c->layout, row)])
        if (select_add(sel, (uint32_t)q, row)) return PT_NOMEM;
    }
    /* storage order, and each row once (a key may be listed twice); with fewer than two rows
     * there is nothing to order, and refs may still be NULL */
    if (sel->n - start < 2) continue;
    qsort(sel->refs + start, sel->n - start, sizeof *sel->refs, rowref_cmp);
    size_t w = start;
    for (size_t i = start; i < sel->n; i++)
      if (w == start || sel->refs[i].row != sel->refs[w - 1].row) sel->refs[w++] = sel->refs[i];
    sel->n = w;
  }
  return PT_OK;
}

/* Live rows of the scoped partitions, in storage order, skipping `skip` and taking `take`. */
static pt_status select_all(const pt_collection *c, const bool *scope, uint64_t skip, uint64_t take,
                            selection *sel) {
  const pt_layout *lay = &c->layout;
  for (size_t q = 0; q < c->n_parts && take; q++) {
    if (!scope[q]) continue;
    const pt_partition *part = c->parts[q];
    if (skip >= part->n_live) {
      skip -= part->n_live;
      continue;
    }
    for (size_t s = 0; s < part->n_segs && take; s++) {
      const pt_segment *seg = part->segs[s];
      if (skip >= seg->live) {
        skip -= seg->live;
        continue;
      }
      for (uint32_t off = 0; off < seg->count && take; off++) {
        if (pt_bit_get(seg->deleted, off)) continue;
        if (skip) { skip--; continue; }
        if (select_add(sel, (uint32_t)q, (uint32_t)((s << lay->seg_shift) | off))) return PT_NOMEM;
        take--;
      }
    }
  }
  return PT_OK;
}

/* ============================================================================================
 * Rendering variable-length values as JSON text
 * ========================================================================================== */

typedef struct sbuf {
  char *p;
  size_t len, cap;
  bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (PT_GROW(&b->p, &b->cap, b->len + n + 1)) { b->oom = true; return; }
  memcpy(b->p + b->len, s, n);
  b->len += n;
}
static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }
static void sb_printf(sbuf *b, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n > 0) sb_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void sb_json_string(sbuf *b, const char *s, size_t n) {
  sb_put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"': sb_puts(b, "\\\""); break;
    case '\\': sb_puts(b, "\\\\"); break;
    case '\n': sb_puts(b, "\\n"); break;
    case '\r': sb_puts(b, "\\r"); break;
    case '\t': sb_puts(b, "\\t"); break;
    default:
      if (c < 0x20) sb_printf(b, "\\u%04x", c);
      else sb_put(b, (const char *)&s[i], 1);
    }
  }
  sb_put(b, "\"", 1);
}

/* Shortest text that reads back as the same float32 / double. */
static void sb_float(sbuf *b, double v, bool single) {
  char tmp[40];
  for (int prec = single ? 6 : 15; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, v);
    double back = strtod(tmp, NULL);
    if (single ? (float)back == (float)v : back == v) break;
  }
  sb_puts(b, tmp);
}

static void render_array(sbuf *b, int et, const uint8_t *d) {
  uint32_t count;
  memcpy(&count, d, 4);
  size_t at = 4;
  sb_put(b, "[", 1);
  for (uint32_t i = 0; i < count; i++) {
    if (i) sb_put(b, ",", 1);
    switch (et) {
    case PT_BOOL: sb_puts(b, d[at] ? "true" : "false"); at += 1; break;
    case PT_INT8: { int8_t x; memcpy(&x, d + at, 1); sb_printf(b, "%d", x); at += 1; break; }
    case PT_INT16: { int16_t x; memcpy(&x, d + at, 2); sb_printf(b, "%d", x); at += 2; break; }
    case PT_INT32: { int32_t x; memcpy(&x, d + at, 4); sb_printf(b, "%ld", (long)x); at += 4; break; }
    case PT_INT64: { int64_t x; memcpy(&x, d + at, 8); sb_printf(b, "%lld", (long long)x); at += 8; break; }
    case PT_FLOAT: { float x; memcpy(&x, d + at, 4); sb_float(b, x, true); at += 4; break; }
    case PT_DOUBLE: { double x; memcpy(&x, d + at, 8); sb_float(b, x, false); at += 8; break; }
    case PT_VARCHAR: {
      uint32_t n;
      memcpy(&n, d + at, 4);
      sb_json_string(b, (const char *)d + at + 4, n);
      at += 4 + n;
      break;
    }
    default: break;
    }
  }
  sb_put(b, "]", 1);
}

static void render_sparse(sbuf *b, const uint8_t *d) {
  uint32_t count;
  memcpy(&count, d, 4);
  sb_put(b, "{", 1);
  for (uint32_t i = 0; i < count; i++) {
    uint32_t idx;
    float v;
    memcpy(&idx, d + 4 + 8 * i, 4);
    memcpy(&v, d + 8 + 8 * i, 4);
    sb_printf(b, "%s\"%lu\":", i ? "," : "", (unsigned long)idx);
    sb_float(b, v, true);
  }
  sb_put(b, "}", 1);
}

/* ============================================================================================
 * Building output columns
 * ========================================================================================== */

typedef struct outspec {
  int field;            /* schema field, or -1 for the dynamic column */
  char **dyn_keys;      /* dynamic column: the keys asked for (NULL = all of them) */
  size_t n_dyn_keys;
} outspec;

static pt_status column_fixed(const pt_collection *c, const selection *sel, int fi, pt_column_out *out) {
  const pt_layout *lay = &c->layout;
  const pt_field *f = &c->schema->fields[fi];
  size_t rb = lay->row_bytes[fi];
  uint8_t *vals = pt_malloc(sel->n * rb + 1);
  uint8_t *valid = f->nullable ? pt_malloc(sel->n + 1) : NULL;
  if (!vals || (f->nullable && !valid)) {
    pt_free(vals);
    pt_free(valid);
    return PT_NOMEM;
  }
  for (size_t i = 0; i < sel->n; i++) {
    const pt_partition *part = c->parts[sel->refs[i].part];
    const pt_segment *seg = pt_row_segment(part, lay, sel->refs[i].row);
    uint32_t off = pt_row_offset(lay, sel->refs[i].row);
    memcpy(vals + i * rb, seg->cols[fi].data + (size_t)off * rb, rb);
    if (valid) valid[i] = pt_bit_get(seg->cols[fi].valid, off);
  }
  out->values = vals;
  out->valid = valid;
  out->width = f->width;
  out->elem_size = f->elem_size;
  return PT_OK;
}

static bool dyn_key_wanted(const outspec *o, const char *key) {
  if (!o->dyn_keys) return true;
  for (size_t i = 0; i < o->n_dyn_keys; i++)
    if (strcmp(o->dyn_keys[i], key) == 0) return true;
  return false;
}

static pt_status column_variable(const pt_collection *c, const selection *sel, const outspec *o,
                                 pt_column_out *out) {
  const pt_layout *lay = &c->layout;
  int ci = o->field >= 0 ? o->field : lay->dynamic;
  const pt_field *f = o->field >= 0 ? &c->schema->fields[o->field] : NULL;
  uint32_t *offs = pt_malloc((sel->n + 1) * sizeof *offs);
  uint8_t *valid = f && f->nullable ? pt_malloc(sel->n + 1) : NULL;
  sbuf b = {NULL, 0, 0, false};
  if (!offs || (f && f->nullable && !valid)) goto nomem;
  offs[0] = 0;
  for (size_t i = 0; i < sel->n; i++) {
    const pt_partition *part = c->parts[sel->refs[i].part];
    const pt_segment *seg = pt_row_segment(part, lay, sel->refs[i].row);
    uint32_t off = pt_row_offset(lay, sel->refs[i].row);
    const pt_column *col = &seg->cols[ci];
    const uint8_t *d = col->data + col->offsets[off];
    size_t n = col->offsets[off + 1] - col->offsets[off];
    bool has = !col->valid || pt_bit_get(col->valid, off);
    if (valid) valid[i] = has;
    if (!has) {
      /* nothing */
    } else if (!f) { /* $meta: all keys, or the ones asked for */
      if (!o->dyn_keys) {
        if (n) sb_put(&b, (const char *)d, n);
        else sb_puts(&b, "{}");
      } else if (n) {
        /* the tree gives the keys' names; the members are copied as stored (see pt_json_next) */
        cJSON *obj = cJSON_ParseWithLength((const char *)d, n);
        if (!obj) goto nomem;
        pt_str text = {(const char *)d, n};
        size_t cursor = pt_json_enter(text);
        sb_put(&b, "{", 1);
        bool first = true;
        for (cJSON *k = obj->child; k; k = k->next) {
          pt_str key, value = pt_json_next(text, &cursor, &key);
          if (!dyn_key_wanted(o, k->string)) continue;
          if (!first) sb_put(&b, ",", 1);
          sb_put(&b, key.ptr, key.len);
          sb_put(&b, ":", 1);
          sb_put(&b, value.ptr, value.len);
          first = false;
        }
        sb_put(&b, "}", 1);
        cJSON_Delete(obj);
      } else {
        sb_puts(&b, "{}");
      }
    } else if (f->dtype == PT_ARRAY) {
      render_array(&b, f->element_type, d);
    } else if (f->dtype == PT_SPARSE_FLOAT_VECTOR) {
      render_sparse(&b, d);
    } else {
      sb_put(&b, (const char *)d, n);
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
 * query()
 * ========================================================================================== */

typedef struct qreq {
  const char *expr;
  size_t expr_len;
  bool has_limit, has_offset, count_only, all_dynamic;
  int64_t limit, offset;
  bool *scope;        /* per partition */
  bool *want;         /* per schema field */
  char **dyn_keys;    /* dynamic keys asked for by name */
  size_t n_dyn;
} qreq;

static void qreq_release(qreq *q) {
  pt_free(q->scope);
  pt_free(q->want);
  for (size_t i = 0; i < q->n_dyn; i++) pt_free(q->dyn_keys[i]);
  pt_free(q->dyn_keys);
}

static pt_status parse_scope(const pt_collection *c, const cJSON *names, bool *scope, pt_error *err) {
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
    if (q < 0)
      return pt_fail(err, PT_NOT_FOUND, PT_CODE_PARTITION_NOT_FOUND, PT_EXC_MILVUS,
                     "partition name %s not found", n->valuestring);
    scope[q] = true;
  }
  return PT_OK;
}

static pt_status parse_output_fields(const pt_collection *c, const cJSON *fields, qreq *q, pt_error *err) {
  const pt_schema *s = c->schema;
  q->want[s->primary] = true; /* the primary key is always returned */
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
      for (size_t i = 0; i < s->n_fields; i++) q->want[i] = true;
      q->all_dynamic = s->enable_dynamic_field;
    } else if (pt_str_eqz(name, len, "count(*)")) {
      q->count_only = true;
    } else if (pt_str_eqz(name, len, PT_DYNAMIC_FIELD_NAME) && s->enable_dynamic_field) {
      q->all_dynamic = true;
    } else {
      int fi = pt_schema_find(s, name, len);
      if (fi >= 0) {
        q->want[fi] = true;
      } else if (s->enable_dynamic_field) {
        char **grown = pt_realloc(q->dyn_keys, (q->n_dyn + 1) * sizeof *grown);
        if (!grown) return pt_fail_nomem(err);
        q->dyn_keys = grown;
        if (!(q->dyn_keys[q->n_dyn] = pt_strndup(name, len))) return pt_fail_nomem(err);
        q->n_dyn++;
      } else {
        return pt_fail(err, PT_NOT_FOUND, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "field %.*s not exist", (int)len, name);
      }
    }
  }
  return PT_OK;
}

static bool get_int(const cJSON *root, const char *key, int64_t *out, bool *has, pt_error *err, pt_status *rc) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
  *has = v && !cJSON_IsNull(v);
  if (!*has) return true;
  if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) > 9e15) {
    *rc = pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "%s [%s] is invalid, should be an integer",
                  key, cJSON_IsString(v) ? v->valuestring : "non-integer");
    return false;
  }
  *out = (int64_t)v->valuedouble;
  return true;
}

static pt_status parse_request(const pt_collection *c, const cJSON *root, qreq *q, pt_error *err) {
  pt_status rc = PT_OK;
  if (!cJSON_IsObject(root))
    return pt_fail(err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the query request must be a JSON object");
  const cJSON *expr = cJSON_GetObjectItemCaseSensitive(root, "expr");
  if (expr && !cJSON_IsNull(expr) && !cJSON_IsString(expr))
    return pt_fail(err, PT_MISUSE, PT_CODE_CLIENT, PT_EXC_PARAM, "The type of expr must be string ,but %s is given.",
                   cJSON_IsNumber(expr) ? "int" : "other");
  q->expr = cJSON_IsString(expr) ? expr->valuestring : "";
  q->expr_len = strlen(q->expr);
  if (!(q->scope = pt_calloc(c->n_parts ? c->n_parts : 1, 1)) ||
      !(q->want = pt_calloc(c->schema->n_fields ? c->schema->n_fields : 1, 1)))
    return pt_fail_nomem(err);
  if ((rc = parse_scope(c, cJSON_GetObjectItemCaseSensitive(root, "partition_names"), q->scope, err))) return rc;
  if ((rc = parse_output_fields(c, cJSON_GetObjectItemCaseSensitive(root, "output_fields"), q, err))) return rc;
  if (!get_int(root, "limit", &q->limit, &q->has_limit, err, &rc)) return rc;
  if (!get_int(root, "offset", &q->offset, &q->has_offset, err, &rc)) return rc;

  if (q->count_only && ((q->has_limit && q->limit > 0) || (q->has_offset && q->offset > 0)))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "count entities with pagination is not allowed" PT_INVALID_PARAMETER);
  if (q->has_offset && q->offset < 0)
    return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "offset [%lld] is invalid, should be gte than 0" PT_INVALID_PARAMETER, (long long)q->offset);
  if (q->has_limit && q->limit <= 0)
    return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "limit [%lld] is invalid, should be greater than 0" PT_INVALID_PARAMETER, (long long)q->limit);
  if (q->has_limit && q->limit + (q->has_offset ? q->offset : 0) > PT_MAX_TOPK)
    return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "(offset+limit) should be in range [1, %d], but got %lld" PT_INVALID_PARAMETER, PT_MAX_TOPK,
                   (long long)(q->limit + (q->has_offset ? q->offset : 0)));
  if (!q->count_only && !q->has_limit && pt_expr_is_empty(q->expr, q->expr_len))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "empty expression should be used with limit" PT_INVALID_PARAMETER);
  return PT_OK;
}

static pt_status count_rows(pt_rows *rows, uint64_t n) {
  rows->n = 1;
  if (!(rows->cols = pt_calloc(1, sizeof *rows->cols))) return PT_NOMEM;
  rows->n_cols = 1; /* only once the column exists: pt_rows_free walks n_cols */
  pt_column_out *col = &rows->cols[0];
  int64_t *v = pt_malloc(sizeof *v);
  if (!v || !(col->name = pt_strndup("count(*)", 8))) { pt_free(v); return PT_NOMEM; }
  *v = (int64_t)n;
  col->values = v;
  col->dtype = PT_INT64;
  col->width = 1;
  col->elem_size = 8;
  return PT_OK;
}

static pt_status build_rows(const pt_collection *c, const selection *sel, const qreq *q, pt_rows *rows) {
  const pt_schema *s = c->schema;
  size_t n_cols = 0;
  for (size_t i = 0; i < s->n_fields; i++) n_cols += q->want[i];
  bool dyn = s->enable_dynamic_field && (q->all_dynamic || q->n_dyn);
  n_cols += dyn;
  rows->n = sel->n;
  if (!(rows->cols = pt_calloc(n_cols, sizeof *rows->cols))) return PT_NOMEM;
  /* the primary key first, then the other fields in schema order, then $meta */
  int order[PT_MAX_FIELDS + 1];
  size_t k = 0;
  order[k++] = s->primary;
  for (size_t i = 0; i < s->n_fields; i++)
    if (q->want[i] && (int)i != s->primary) order[k++] = (int)i;
  if (dyn) order[k++] = -1;
  for (size_t j = 0; j < k; j++) {
    pt_column_out *col = &rows->cols[j];
    rows->n_cols = j + 1;
    outspec o = {order[j], q->all_dynamic ? NULL : q->dyn_keys, q->all_dynamic ? 0 : q->n_dyn};
    pt_status rc;
    if (order[j] >= 0) {
      const pt_field *f = &s->fields[order[j]];
      if (!(col->name = pt_strndup(f->name, f->name_len))) return PT_NOMEM;
      col->dtype = f->dtype;
      rc = c->layout.row_bytes[order[j]] ? column_fixed(c, sel, order[j], col) : column_variable(c, sel, &o, col);
    } else {
      if (!(col->name = pt_strndup(PT_DYNAMIC_FIELD_NAME, strlen(PT_DYNAMIC_FIELD_NAME)))) return PT_NOMEM;
      col->dtype = PT_JSON;
      col->is_dynamic = 1;
      rc = column_variable(c, sel, &o, col);
    }
    if (rc) return rc;
  }
  return PT_OK;
}

pt_status pt_collection_query(pt_collection *c, const char *request, size_t len, pt_rows **out, pt_error *err) {
  if (!c || !request || !out) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_query: missing argument");
  *out = NULL;
  pt_json_hooks_install();
  cJSON *root = pt_json_parse(request, len, NULL);
  if (!root) return pt_fail(err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the query request is not valid JSON");
  qreq q;
  memset(&q, 0, sizeof q);
  selection sel = {NULL, 0, 0};
  pt_pkfilter pk = {0, NULL, NULL};
  pt_rows *rows = NULL;
  pt_status rc = parse_request(c, root, &q, err);
  if (rc) goto done;

  bool empty = pt_expr_is_empty(q.expr, q.expr_len);
  if (!empty && (rc = pt_expr_parse_pk(c->schema, q.expr, q.expr_len, &pk, err))) goto done;
  uint64_t skip = q.has_offset ? (uint64_t)q.offset : 0;
  uint64_t take = q.has_limit ? (uint64_t)q.limit : UINT64_MAX;
  if (empty && q.count_only) {
    uint64_t n = 0;
    for (size_t p = 0; p < c->n_parts; p++) if (q.scope[p]) n += c->parts[p]->n_live;
    if (!(rows = pt_calloc(1, sizeof *rows)) || count_rows(rows, n)) { rc = pt_fail_nomem(err); goto done; }
    goto done;
  }
  if (empty) rc = select_all(c, q.scope, skip, take, &sel);
  else rc = select_keys(c, q.scope, &pk, &sel);
  if (rc) { rc = pt_fail_nomem(err); goto done; }
  if (!(rows = pt_calloc(1, sizeof *rows))) { rc = pt_fail_nomem(err); goto done; }
  if (q.count_only) {
    if (count_rows(rows, sel.n)) rc = pt_fail_nomem(err);
    goto done;
  }
  if (!empty) { /* offset and limit over the filtered rows */
    size_t from = skip < sel.n ? (size_t)skip : sel.n;
    size_t n = sel.n - from < take ? sel.n - from : (size_t)take;
    if (from && n) memmove(sel.refs, sel.refs + from, n * sizeof *sel.refs);
    sel.n = n;
  }
  if (build_rows(c, &sel, &q, rows)) rc = pt_fail_nomem(err);
done:
  if (rc) {
    pt_rows_free(rows);
    rows = NULL;
  } else {
    pt_error_clear(err);
  }
  *out = rows;
  pt_pkfilter_free(&pk);
  pt_free(sel.refs);
  qreq_release(&q);
  cJSON_Delete(root);
  return rc;
}

/* ============================================================================================
 * delete()
 * ========================================================================================== */

pt_status pt_collection_delete(pt_collection *c, const char *partition, size_t partition_len, const char *expr,
                               size_t expr_len, pt_mutation_result *res, pt_error *err) {
  if (!c || !res || (!expr && expr_len))
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_delete: missing argument");
  memset(res, 0, sizeof *res);
  if (!expr || pt_expr_is_empty(expr, expr_len))
    return pt_fail(err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "invalid expression" PT_INVALID_PARAMETER "[expected=valid expr][actual=empty expr]");
  int only = -1;
  if (partition && partition_len) {
    if (c->partition_key_mode)
      return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "not support manually specifying the partition names if partition key mode is used" PT_INVALID_PARAMETER);
    if ((only = pt_partition_find(c, partition, partition_len)) < 0)
      return pt_fail(err, PT_NOT_FOUND, PT_CODE_PARTITION_NOT_FOUND, PT_EXC_MILVUS,
                     "partition not found[partition=%.*s]", (int)partition_len, partition);
  }
  pt_pkfilter pk;
  pt_status rc = pt_expr_parse_pk(c->schema, expr, expr_len, &pk, err);
  if (rc) return rc;
  for (size_t q = 0; q < c->n_parts; q++) {
    if (only >= 0 && (int)q != only) continue;
    for (size_t k = 0; k < pk.n; k++) pt_partition_delete_key(c->parts[q], &c->layout, &pk.keys[k]);
  }
  /* Milvus counts the listed keys, whether they existed or not */
  res->delete_count = pk.n;
  res->timestamp = pt_store_next_ts(c->store);
  pt_pkfilter_free(&pk);
  pt_error_clear(err);
  return PT_OK;
}
