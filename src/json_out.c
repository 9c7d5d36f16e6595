/*
 * json_out.c — results and rows as the JSON of Milvus's REST API v2: query / get rows and search
 * hits for the server, and the rows of a write for forwarding (write.c).
 *
 * A row is an object from field name to value; the dynamic field's keys are members of the row
 * itself, as REST v2 writes and reads them. Encodings (what Milvus's REST layer accepts on
 * insert, so that a forwarded row reads back as the same stored value): INT64 as a number, or a
 * string under PT_JSON_INT64_AS_STRING; FLOAT / vectors as shortest round-trip numbers
 * (text.h); FLOAT16 / BFLOAT16 vectors as the numbers their halves hold; BINARY vectors as byte
 * values; INT8 vectors as integers; sparse vectors as {"index": value}; JSON and ARRAY values
 * as JSON; nulls as null.
 */
#include "json_out.h"

#include "half.h"
#include "text.h"

static void put_f32(pt_text *t, float x, uint32_t flags) {
  if (flags & PT_JSON_FAST_FLOATS) pt_text_f32_exact(t, x);
  else pt_text_f32(t, x);
}

/* The value of row r of column c. */
static void put_value(pt_text *t, const pt_column_out *c, size_t r, uint32_t flags) {
  if (c->valid && !c->valid[r]) {
    pt_text_put(t, "null", 4);
    return;
  }
  if (c->offsets) {
    const char *d = (const char *)c->values + c->offsets[r];
    size_t n = c->offsets[r + 1] - c->offsets[r];
    switch (c->dtype) {
    case PT_JSON:
    case PT_ARRAY:
    case PT_SPARSE_FLOAT_VECTOR:
      if (n) pt_text_put(t, d, n);
      else pt_text_put(t, "null", 4);
      return;
    default:
      pt_text_json_string(t, d, n);
      return;
    }
  }
  const uint8_t *base = (const uint8_t *)c->values + (size_t)r * c->width * c->elem_size;
  switch (c->dtype) {
  case PT_BOOL: pt_text_puts(t, base[0] ? "true" : "false"); return;
  case PT_INT8: { int8_t x; memcpy(&x, base, 1); pt_text_i64(t, x); return; }
  case PT_INT16: { int16_t x; memcpy(&x, base, 2); pt_text_i64(t, x); return; }
  case PT_INT32: { int32_t x; memcpy(&x, base, 4); pt_text_i64(t, x); return; }
  case PT_INT64: {
    int64_t x;
    memcpy(&x, base, 8);
    if (flags & PT_JSON_INT64_AS_STRING) pt_text_char(t, '"');
    pt_text_i64(t, x);
    if (flags & PT_JSON_INT64_AS_STRING) pt_text_char(t, '"');
    return;
  }
  case PT_FLOAT: { float x; memcpy(&x, base, 4); put_f32(t, x, flags); return; }
  case PT_DOUBLE: { double x; memcpy(&x, base, 8); pt_text_f64(t, x); return; }
  default: break;
  }
  /* vectors: `width` elements, written straight into the buffer (room for each reserved once) */
  if (!pt_text_reserve(t, (size_t)c->width * (PT_NUMBER_TEXT + 1) + 2)) return;
  char *o = t->p + t->len;
  bool fast = flags & PT_JSON_FAST_FLOATS;
  *o++ = '[';
  for (uint32_t j = 0; j < c->width; j++) {
    if (j) *o++ = ',';
    switch (c->dtype) {
    case PT_FLOAT_VECTOR: {
      float x;
      memcpy(&x, base + 4 * j, 4);
      o += fast ? pt_format_f32_exact(o, x) : pt_format_f32(o, x);
      break;
    }
    case PT_FLOAT16_VECTOR:
    case PT_BFLOAT16_VECTOR: {
      uint16_t h;
      memcpy(&h, base + 2 * j, 2);
      float x = c->dtype == PT_FLOAT16_VECTOR ? pt_f16_to_f32(h) : pt_bf16_to_f32(h);
      o += fast ? pt_format_f32_exact(o, x) : pt_format_f32(o, x);
      break;
    }
    case PT_INT8_VECTOR: o += pt_format_i64(o, (int8_t)base[j]); break;
    default: o += pt_format_i64(o, base[j]); break; /* BINARY_VECTOR: bytes */
    }
  }
  *o++ = ']';
  t->len = (size_t)(o - t->p);
  t->p[t->len] = '\0';
}

/* The members of a dynamic-field object, without its braces, after a member already written
 * (or first). Returns whether anything was written. */
static bool put_dynamic(pt_text *t, const pt_column_out *c, size_t r, bool first) {
  if (c->valid && !c->valid[r]) return false;
  const char *d = (const char *)c->values + c->offsets[r];
  size_t n = c->offsets[r + 1] - c->offsets[r];
  while (n && (d[0] == ' ' || d[0] == '\t' || d[0] == '\n' || d[0] == '\r')) d++, n--;
  while (n && (d[n - 1] == ' ' || d[n - 1] == '\t' || d[n - 1] == '\n' || d[n - 1] == '\r')) n--;
  if (n < 2 || d[0] != '{' || d[n - 1] != '}') return false;
  d++, n -= 2;
  size_t k = 0;
  while (k < n && (d[k] == ' ' || d[k] == '\t' || d[k] == '\n' || d[k] == '\r')) k++;
  if (k == n) return false;
  if (!first) pt_text_char(t, ',');
  pt_text_put(t, d, n);
  return true;
}

pt_status pt_json_rows_write(pt_text *t, const pt_rows *rows, size_t r, uint32_t flags, const pt_json_row_opts *o) {
  size_t nc = pt_rows_num_columns(rows);
  bool first = true;
  pt_text_char(t, '{');
  for (size_t ci = 0; ci < nc; ci++) {
    const pt_column_out *c = pt_rows_column(rows, ci);
    if (c->is_dynamic) {
      if (put_dynamic(t, c, r, first)) first = false;
      continue;
    }
    if (o && (int)ci == o->omit_column) continue;
    if (!first) pt_text_char(t, ',');
    first = false;
    pt_text_json_string(t, c->name, strlen(c->name));
    pt_text_char(t, ':');
    if (o && (int)ci == o->key_column && o->keys) {
      const pt_key *k = &o->keys[r];
      if (c->dtype == PT_VARCHAR) pt_text_json_string(t, k->s, k->len);
      else pt_text_i64(t, k->i);
    } else {
      put_value(t, c, r, flags);
    }
  }
  if (o && o->distances) {
    if (!first) pt_text_char(t, ',');
    pt_text_put(t, "\"distance\":", 11);
    pt_text_f32(t, o->distances[r]);
  }
  pt_text_char(t, '}');
  return t->oom ? PT_NOMEM : PT_OK;
}

static pt_status finish(pt_text *t, char **out, size_t *len, pt_error *err) {
  if (t->oom) {
    pt_text_release(t);
    return pt_fail_nomem(err);
  }
  *out = t->p;
  if (len) *len = t->len;
  return PT_OK;
}

pt_status pt_rows_to_json(const pt_rows *rows, uint32_t flags, char **out, size_t *len, pt_error *err) {
  if (!rows || !out) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_rows_to_json: invalid arguments");
  *out = NULL;
  pt_text t = {NULL, 0, 0, false};
  size_t n = pt_rows_count(rows);
  pt_text_char(&t, '[');
  for (size_t r = 0; r < n && !t.oom; r++) {
    if (r) pt_text_char(&t, ',');
    pt_json_rows_write(&t, rows, r, flags, NULL);
  }
  pt_text_char(&t, ']');
  return finish(&t, out, len, err);
}

pt_status pt_search_to_json(const pt_search_result *res, uint32_t flags, char **out, size_t *len, pt_error *err) {
  if (!res || !out) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_search_to_json: invalid arguments");
  *out = NULL;
  const pt_rows *rows = pt_search_rows(res);
  pt_json_row_opts o = {pt_search_distances(res), -1, -1, NULL};
  pt_text t = {NULL, 0, 0, false};
  size_t n = pt_rows_count(rows);
  pt_text_char(&t, '[');
  for (size_t r = 0; r < n && !t.oom; r++) {
    if (r) pt_text_char(&t, ',');
    pt_json_rows_write(&t, rows, r, flags, &o);
  }
  pt_text_char(&t, ']');
  return finish(&t, out, len, err);
}
