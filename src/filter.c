/*
 * filter.c — evaluating a filter plan (expr.h) over one segment at a time.
 *
 * HOW IT WORKS
 * Every predicate is evaluated for a whole segment into two byte arrays, value[] and valid[]
 * (Kleene's three-valued logic: valid = 0 means UNKNOWN, as for a NULL field), and only for the
 * rows marked in a candidate array. A leaf is one tight loop over one column: a comparison of
 * an INT32 field with a constant reads the column's int32 values in order; no tree is walked
 * per row. AND evaluates its children one after the other on the rows that are not yet
 * definitely false, OR on the rows not yet definitely true, so selective predicates first make
 * the rest cheaper. The mask handed back is value AND valid AND live.
 * JSON values (JSON fields and the dynamic field) are read straight from their stored text by a
 * small scanner that walks the path without building a tree or allocating.
 */
#include "filter.h"

#include <math.h>
#include <stdlib.h>

#include "cJSON.h"
#include "json.h"
#include "text.h"

struct pt_filter {
  pt_plan *plan;
  pt_pkfilter keys;
  bool is_keys;
};

pt_status pt_filter_compile(const pt_collection *c, const char *expr, size_t len, const char *what, pt_filter **out,
                            pt_error *err) {
  *out = NULL;
  if (!expr || pt_expr_is_empty(expr, len)) return PT_OK;
  pt_filter *f = pt_calloc(1, sizeof *f);
  if (!f) return pt_fail_nomem(err);
  pt_status rc = pt_plan_parse(c, expr, len, what, &f->plan, err);
  if (rc) {
    pt_free(f);
    return rc;
  }
  f->is_keys = pt_plan_keys(f->plan, c, &f->keys);
  *out = f;
  return PT_OK;
}

const pt_pkfilter *pt_filter_keys(const pt_filter *f) { return f && f->is_keys ? &f->keys : NULL; }

void pt_filter_free(pt_filter *f) {
  if (!f) return;
  pt_plan_free(f->plan);
  pt_free(f);
}

/* ============================================================================================
 * JSON text scanning (the text passed pt_json_check when it was written or loaded)
 * ========================================================================================== */

static const char *ws(const char *p, const char *e) {
  while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

static const char *skip_string(const char *p, const char *e) {
  for (p++; p < e && *p != '"'; p++)
    if (*p == '\\') p++;
  return p < e ? p + 1 : e;
}

/* Past one JSON value starting at p. */
static const char *skip_value(const char *p, const char *e) {
  p = ws(p, e);
  if (p >= e) return e;
  if (*p == '"') return skip_string(p, e);
  if (*p == '{' || *p == '[') {
    int depth = 0;
    while (p < e) {
      char c = *p;
      if (c == '"') { p = skip_string(p, e); continue; }
      if (c == '{' || c == '[') depth++;
      else if (c == '}' || c == ']') {
        if (--depth == 0) return p + 1;
      }
      p++;
    }
    return e;
  }
  while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\t' && *p != '\r') p++;
  return p;
}

/* Where the value of a member / element of the JSON value at p starts (e: the end of the text);
 * NULL when absent. Only the members before it are skipped: the caller finds its end when it
 * needs it, so that walking a path reads each byte of the text at most twice, however deep. */
static const char *json_child(const char *p, const char *e, const char *key, size_t klen) {
  p = ws(p, e);
  if (p >= e) return NULL;
  if (*p == '{') {
    p = ws(p + 1, e);
    while (p < e && *p == '"') {
      const char *ks = p + 1, *ke = skip_string(p, e) - 1;
      p = ws(ke + 1, e);
      if (p >= e || *p != ':') return NULL;
      const char *vs = ws(p + 1, e);
      if ((size_t)(ke - ks) == klen && memcmp(ks, key, klen) == 0) return vs;
      p = ws(skip_value(vs, e), e);
      if (p < e && *p == ',') p = ws(p + 1, e);
    }
    return NULL;
  }
  if (*p == '[') {
    int64_t idx;
    if (pt_parse_i64(key, klen, &idx) || idx < 0) return NULL;
    p = ws(p + 1, e);
    for (int64_t i = 0; p < e && *p != ']'; i++) {
      if (i == idx) return p;
      p = ws(skip_value(p, e), e);
      if (p < e && *p == ',') p = ws(p + 1, e);
    }
  }
  return NULL;
}

typedef enum jkind { J_MISSING, J_NULL, J_BOOL, J_INT, J_FLOAT, J_STRING, J_ARRAY, J_OBJECT } jkind;

typedef struct jval {
  jkind kind;
  bool b;
  int64_t i;
  double d;
  const char *s; /* J_STRING: raw text between the quotes (escapes kept) */
  size_t slen;
  bool escaped;  /* the string has backslash escapes */
  const char *p, *e; /* the value's text */
} jval;

static jval classify(const char *p, const char *e) {
  jval v;
  memset(&v, 0, sizeof v);
  v.p = p;
  v.e = e;
  if (!p || p >= e) { v.kind = J_MISSING; return v; }
  switch (*p) {
  case 'n': v.kind = J_NULL; break;
  case 't': v.kind = J_BOOL; v.b = true; break;
  case 'f': v.kind = J_BOOL; v.b = false; break;
  case '"':
    v.kind = J_STRING;
    v.s = p + 1;
    v.slen = (size_t)(e - p) - 2;
    v.escaped = memchr(v.s, '\\', v.slen) != NULL;
    break;
  case '[': v.kind = J_ARRAY; break;
  case '{': v.kind = J_OBJECT; break;
  default: {
    size_t n = (size_t)(e - p);
    bool is_int = true;
    for (size_t k = 0; k < n; k++)
      if (p[k] == '.' || p[k] == 'e' || p[k] == 'E') is_int = false;
    if (is_int && pt_parse_i64(p, n, &v.i) == 0) {
      v.kind = J_INT;
      v.d = (double)v.i;
    } else {
      char buf[64];
      size_t m = n < sizeof buf - 1 ? n : sizeof buf - 1;
      memcpy(buf, p, m);
      buf[m] = '\0';
      v.kind = J_FLOAT;
      v.d = strtod(buf, NULL);
    }
  }
  }
  return v;
}

/* ============================================================================================
 * Values of a row
 * ========================================================================================== */

/* What one row holds in a column: a scalar, a string, JSON text, an ARRAY's encoded bytes. */
typedef struct cell {
  bool null;
  int64_t i;
  double d;
  bool b;
  const char *s;
  size_t slen;
} cell;

typedef struct ectx {
  const pt_collection *c;
  const pt_partition *part;
  const pt_segment *seg;
  uint32_t n;
  char *tmp;      /* scratch for unescaped JSON strings */
  size_t tmp_cap;
  bool oom;
} ectx;

static bool is_int_t(int t) { return t >= PT_INT8 && t <= PT_INT64; }

/* Reads the fixed-width or variable-length value of a field at row `off`. */
static cell read_field(const ectx *x, int field, uint32_t off) {
  cell v;
  memset(&v, 0, sizeof v);
  const pt_column *col = &x->seg->cols[field];
  if (col->valid && !pt_bit_get(col->valid, off)) {
    v.null = true;
    return v;
  }
  int t = field == x->c->layout.dynamic ? PT_JSON : x->c->schema->fields[field].dtype;
  const uint8_t *d;
  switch (t) {
  case PT_BOOL: v.b = col->data[off] != 0; v.i = v.b; break;
  case PT_INT8: { int8_t y; memcpy(&y, col->data + off, 1); v.i = y; break; }
  case PT_INT16: { int16_t y; memcpy(&y, col->data + (size_t)off * 2, 2); v.i = y; break; }
  case PT_INT32: { int32_t y; memcpy(&y, col->data + (size_t)off * 4, 4); v.i = y; break; }
  case PT_INT64: memcpy(&v.i, col->data + (size_t)off * 8, 8); break;
  case PT_FLOAT: { float y; memcpy(&y, col->data + (size_t)off * 4, 4); v.d = y; break; }
  case PT_DOUBLE: memcpy(&v.d, col->data + (size_t)off * 8, 8); break;
  default:
    if (!col->offsets) break;
    d = pt_var_cell(col, off);
    v.s = (const char *)d;
    v.slen = col->offsets[off + 1] - col->offsets[off];
    break;
  }
  if (t == PT_FLOAT || t == PT_DOUBLE) v.i = (int64_t)v.d;
  else v.d = (double)v.i;
  return v;
}

/* The JSON value a column reference points at in row `off` (J_MISSING when the key is absent;
 * valid = false when the JSON column itself is NULL). */
static jval read_json(const ectx *x, const pt_colref *col, uint32_t off, bool *valid) {
  cell c = read_field(x, col->field, off);
  *valid = !c.null;
  if (c.null || !c.s) return classify(NULL, NULL);
  const char *p = c.s, *e = c.s + c.slen;
  if (c.slen == 0) { /* an empty $meta part means {} */
    if (col->n_keys) return classify(NULL, NULL);
    static const char empty[] = "{}";
    return classify(empty, empty + 2);
  }
  p = ws(p, e);
  for (size_t k = 0; k < col->n_keys && p; k++) p = json_child(p, e, col->keys[k].ptr, col->keys[k].len);
  return p ? classify(p, skip_value(p, e)) : classify(NULL, NULL);
}

/* Element `i` of an ARRAY field's encoded value (see batch.c): false when out of bounds. */
static bool array_elem(int et, const char *d, size_t n, int64_t i, cell *out) {
  memset(out, 0, sizeof *out);
  if (n < 4 || i < 0) return false;
  uint32_t count;
  memcpy(&count, d, 4);
  if ((uint64_t)i >= count) return false;
  const uint8_t *p = (const uint8_t *)d + 4;
  switch (et) {
  case PT_BOOL: out->b = p[i] != 0; out->i = out->b; break;
  case PT_INT8: { int8_t y; memcpy(&y, p + i, 1); out->i = y; break; }
  case PT_INT16: { int16_t y; memcpy(&y, p + i * 2, 2); out->i = y; break; }
  case PT_INT32: { int32_t y; memcpy(&y, p + i * 4, 4); out->i = y; break; }
  case PT_INT64: memcpy(&out->i, p + i * 8, 8); break;
  case PT_FLOAT: { float y; memcpy(&y, p + i * 4, 4); out->d = y; break; }
  case PT_DOUBLE: memcpy(&out->d, p + i * 8, 8); break;
  case PT_VARCHAR: {
    for (int64_t k = 0; k < i; k++) {
      uint32_t l;
      memcpy(&l, p, 4);
      p += 4 + l;
    }
    uint32_t l;
    memcpy(&l, p, 4);
    out->s = (const char *)p + 4;
    out->slen = l;
    return true;
  }
  default: return false;
  }
  if (et == PT_FLOAT || et == PT_DOUBLE) out->i = (int64_t)out->d;
  else out->d = (double)out->i;
  return true;
}

static uint32_t array_count(const char *d, size_t n) {
  uint32_t count = 0;
  if (n >= 4) memcpy(&count, d, 4);
  return count;
}

/* ============================================================================================
 * Comparing
 * ========================================================================================== */

static int cmp3_i(int64_t a, int64_t b) { return a < b ? -1 : a > b; }
static int cmp3_d(double a, double b) { return a < b ? -1 : a > b ? 1 : a == b ? 0 : 2; /* 2: NaN */ }
static int cmp3_s(const char *a, size_t an, const char *b, size_t bn) {
  size_t n = an < bn ? an : bn;
  int c = n ? memcmp(a, b, n) : 0;
  return c ? (c < 0 ? -1 : 1) : (an < bn ? -1 : an > bn);
}

static bool holds(int c, pt_cmp op) {
  if (c == 2) return op == CMP_NE; /* NaN compares unequal to everything */
  switch (op) {
  case CMP_EQ: return c == 0;
  case CMP_NE: return c != 0;
  case CMP_LT: return c < 0;
  case CMP_LE: return c <= 0;
  case CMP_GT: return c > 0;
  default: return c >= 0;
  }
}

/* Compares a scalar cell of DataType t with a constant already cast to t. */
static int cmp_cell(int t, const cell *c, const pt_value *v) {
  if (is_int_t(t) || t == PT_BOOL) return cmp3_i(c->i, v->type == VT_BOOL ? (int64_t)v->b : v->i);
  if (t == PT_FLOAT) return cmp3_d((float)c->d, (float)v->d); /* Milvus compares a FLOAT field in float */
  if (t == PT_DOUBLE) return cmp3_d(c->d, v->d);
  return cmp3_s(c->s, c->slen, v->s, v->slen);
}

static bool ensure_tmp(ectx *x, size_t n) {
  if (n <= x->tmp_cap) return true;
  char *t = pt_realloc(x->tmp, n);
  if (!t) { x->oom = true; return false; }
  x->tmp = t;
  x->tmp_cap = n;
  return true;
}

/* A JSON string's bytes, unescaped when needed. */
static bool json_string(ectx *x, const jval *j, const char **s, size_t *n) {
  if (!j->escaped) {
    *s = j->s;
    *n = j->slen;
    return true;
  }
  if (!ensure_tmp(x, j->slen + 1)) return false;
  *n = pt_json_unescape(j->s, j->slen, x->tmp);
  *s = x->tmp;
  return true;
}

/* Compares a JSON value with a constant: -1/0/1, 2 for unordered, 3 when the types differ. */
static int cmp_json(ectx *x, const jval *j, const pt_value *v) {
  switch (v->type) {
  case VT_INT:
    if (j->kind == J_INT) return cmp3_i(j->i, v->i);
    if (j->kind == J_FLOAT) return cmp3_d(j->d, (double)v->i);
    return 3;
  case VT_FLOAT:
    if (j->kind == J_INT || j->kind == J_FLOAT) return cmp3_d(j->kind == J_INT ? (double)j->i : j->d, v->d);
    return 3;
  case VT_BOOL:
    return j->kind == J_BOOL ? cmp3_i(j->b, v->b) : 3;
  case VT_STRING: {
    if (j->kind != J_STRING) return 3;
    const char *s;
    size_t n;
    if (!json_string(x, j, &s, &n)) return 3;
    return cmp3_s(s, n, v->s, v->slen);
  }
  case VT_ARRAY: {
    if (j->kind != J_ARRAY) return 3;
    /* element-wise equality */
    const char *p = ws(j->p + 1, j->e);
    size_t i = 0;
    while (p < j->e && *p != ']') {
      const char *ve = skip_value(p, j->e);
      if (i >= v->n) return 1;
      jval e = classify(p, ve);
      if (cmp_json(x, &e, &v->items[i]) != 0) return 1;
      i++;
      p = ws(ve, j->e);
      if (p < j->e && *p == ',') p = ws(p + 1, j->e);
    }
    return i == v->n ? 0 : 1;
  }
  default:
    return 3;
  }
}

/* Arithmetic on a number: the result (integer when both are integers). */
static bool apply_arith(pt_arith op, bool ints, int64_t a, double ad, const pt_value *o, int64_t *ri, double *rd) {
  if (ints) {
    uint64_t x = (uint64_t)a, y = (uint64_t)o->i;
    switch (op) {
    case AR_ADD: *ri = (int64_t)(x + y); return true;
    case AR_SUB: *ri = (int64_t)(x - y); return true;
    case AR_MUL: *ri = (int64_t)(x * y); return true;
    case AR_DIV: *ri = (a == INT64_MIN && o->i == -1) ? INT64_MIN : a / o->i; return true;
    default: *ri = o->i == -1 ? 0 : a % o->i; return true;
    }
  }
  double y = o->type == VT_INT ? (double)o->i : o->d;
  switch (op) {
  case AR_ADD: *rd = ad + y; return true;
  case AR_SUB: *rd = ad - y; return true;
  case AR_MUL: *rd = ad * y; return true;
  case AR_DIV: *rd = ad / y; return true;
  default: return false;
  }
}

static size_t utf8_len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

/* One code point forward from *i within [.., lim), or back within [lo, ..): false when there is
 * none. */
static bool cp_next(const char *s, size_t lim, size_t *i) {
  if (*i >= lim) return false;
  size_t l = utf8_len((unsigned char)s[*i]);
  if (l > lim - *i) return false;
  *i += l;
  return true;
}
static bool cp_prev(const char *s, size_t lo, size_t *i) {
  if (*i <= lo) return false;
  size_t j = *i - 1;
  while (j > lo && ((unsigned char)s[j] & 0xC0) == 0x80) j--;
  *i = j;
  return true;
}

/* `n` code points of `_` from *i (forward within lim, or back within lo). */
static bool any_next(const char *s, size_t lim, size_t *i, uint32_t n) {
  for (uint32_t k = 0; k < n; k++)
    if (!cp_next(s, lim, i)) return false;
  return true;
}
static bool any_prev(const char *s, size_t lo, size_t *i, uint32_t n) {
  for (uint32_t k = 0; k < n; k++)
    if (!cp_prev(s, lo, i)) return false;
  return true;
}

/* The core of a run at i, within lim: where it ends. */
static bool core_at(const pt_like_seg *g, const char *s, size_t lim, size_t i, size_t *end) {
  for (uint32_t k = 0; k < g->len; k++) {
    if (g->has_any && g->any[k]) {
      if (!cp_next(s, lim, &i)) return false;
    } else {
      if (i >= lim || s[i] != g->lit[k]) return false;
      i++;
    }
  }
  *end = i;
  return true;
}

/* A run at i (anchored), within lim: where it ends. */
static bool run_at(const pt_like_seg *g, const char *s, size_t lim, size_t i, size_t *end) {
  return any_next(s, lim, &i, g->lead) && core_at(g, s, lim, i, &i) && any_next(s, lim, &i, g->trail) && (*end = i, true);
}

/* A run ending at lim (anchored), starting at or after lo: where it starts. */
static bool run_back(const pt_like_seg *g, const char *s, size_t lo, size_t lim, size_t *start) {
  size_t i = lim;
  if (!any_prev(s, lo, &i, g->trail)) return false;
  for (uint32_t k = g->len; k-- > 0;) {
    if (g->has_any && g->any[k]) {
      if (!cp_prev(s, lo, &i)) return false;
    } else {
      if (i <= lo || s[i - 1] != g->lit[k]) return false;
      i--;
    }
  }
  if (!any_prev(s, lo, &i, g->lead)) return false;
  *start = i;
  return true;
}

/* The leftmost run within [from, lim): where it ends. A core without `_` is found by KMP in
 * linear time; one with `_` inside is tried at each code point (its length times the string's). */
static bool run_find(const pt_like_seg *g, const char *s, size_t from, size_t lim, size_t *end) {
  size_t i = from, e = 0;
  if (!any_next(s, lim, &i, g->lead)) return false;
  if (!g->len) {
    e = i;
  } else if (!g->has_any) {
    uint32_t q = 0;
    for (; i < lim; i++) {
      while (q && s[i] != g->lit[q]) q = g->fail[q - 1];
      if (s[i] == g->lit[q] && ++q == g->len) break;
    }
    if (i >= lim) return false;
    e = i + 1;
  } else {
    while (!core_at(g, s, lim, i, &e))
      if (!cp_next(s, lim, &i)) return false;
  }
  if (!any_next(s, lim, &e, g->trail)) return false;
  *end = e;
  return true;
}

/* A pattern's runs: the first at the start, the last at the end, the others leftmost in
 * between (which is the right choice: a run found later leaves less room for the rest). */
static bool like_runs(const pt_pred *pr, const char *s, size_t n) {
  const pt_like_seg *g = pr->segs;
  uint32_t k = pr->n_segs;
  size_t pos, lim;
  if (!run_at(&g[0], s, n, 0, &pos)) return false;
  if (k == 1) return pos == n;
  if (!run_back(&g[k - 1], s, pos, n, &lim)) return false;
  for (uint32_t j = 1; j + 1 < k; j++)
    if (!run_find(&g[j], s, pos, lim, &pos)) return false;
  return true;
}

/* LIKE: the classes of expr_parse.c's like(). % any run, _ one character (a UTF-8 code point).
 * Linear in the string and the pattern, but for a run holding `_` between other characters. */
static bool like_holds(const pt_pred *pr, const char *s, size_t n) {
  switch (pr->like) {
  case LIKE_EQUAL: return n == pr->pat_len && memcmp(s, pr->pat, n) == 0;
  case LIKE_PREFIX: return n >= pr->pat_len && memcmp(s, pr->pat, pr->pat_len) == 0;
  case LIKE_POSTFIX: return n >= pr->pat_len && memcmp(s + n - pr->pat_len, pr->pat, pr->pat_len) == 0;
  default: return like_runs(pr, s, n);
  }
}

/* ============================================================================================
 * Leaves
 * ========================================================================================== */

typedef struct tri {
  uint8_t *val, *valid;
} tri;

/* The value of a column reference at a row, for scalar predicates: fills `c` (a scalar, a
 * string, or an element of an array) or `j` (JSON). Returns 0 absent / false, 1 present,
 * -1 NULL (unknown). */
static int column_value(ectx *x, const pt_colref *col, uint32_t off, cell *c, jval *j, bool *is_json) {
  *is_json = false;
  if (col->dtype == PT_JSON) {
    bool valid;
    *j = read_json(x, col, off, &valid);
    *is_json = true;
    if (!valid) return -1;
    return j->kind == J_MISSING ? 0 : 1;
  }
  *c = read_field(x, col->field, off);
  if (c->null) return -1;
  if (col->has_index) return array_elem(col->elem_type, c->s, c->slen, col->index, c) ? 1 : 0;
  return 1;
}

/* col [arith] CMP value, array_length(col) CMP value. */
static void eval_compare(ectx *x, const pt_pred *pr, const uint8_t *cand, tri r) {
  int t = pr->col.vtype_dtype;
  for (uint32_t i = 0; i < x->n; i++) {
    if (!cand[i]) continue;
    cell c;
    jval j;
    bool is_json;
    r.valid[i] = 1;
    r.val[i] = 0;
    if (pr->array_length) {
      int st = column_value(x, &pr->col, i, &c, &j, &is_json);
      if (st < 0) { r.valid[i] = 0; continue; }
      int64_t len;
      if (is_json) {
        if (j.kind != J_ARRAY) continue;
        len = 0;
        const char *p = ws(j.p + 1, j.e);
        while (p < j.e && *p != ']') {
          len++;
          p = ws(skip_value(p, j.e), j.e);
          if (p < j.e && *p == ',') p = ws(p + 1, j.e);
        }
      } else {
        len = array_count(c.s, c.slen);
      }
      r.val[i] = holds(cmp3_i(len, pr->value.i), pr->cmp);
      continue;
    }
    int st = column_value(x, &pr->col, i, &c, &j, &is_json);
    if (st < 0) { r.valid[i] = 0; continue; }
    if (st == 0) { /* a missing key or element: false, but != holds */
      r.val[i] = pr->cmp == CMP_NE;
      continue;
    }
    if (is_json) {
      if (pr->arith != AR_NONE) {
        if (j.kind != J_INT && j.kind != J_FLOAT) { r.val[i] = pr->cmp == CMP_NE; continue; }
        bool ints = j.kind == J_INT && pr->operand.type == VT_INT && pr->value.type == VT_INT;
        int64_t ri = 0;
        double rd = 0;
        if (pr->arith == AR_MOD && (j.kind != J_INT)) { r.val[i] = pr->cmp == CMP_NE; continue; }
        apply_arith(pr->arith, ints || pr->arith == AR_MOD, j.i, j.d, &pr->operand, &ri, &rd);
        if (ints || pr->arith == AR_MOD) {
          jval tmp = j;
          tmp.kind = J_INT;
          tmp.i = ri;
          int cres = cmp_json(x, &tmp, &pr->value);
          r.val[i] = cres == 3 ? pr->cmp == CMP_NE : holds(cres, pr->cmp);
        } else {
          double rv = pr->value.type == VT_INT ? (double)pr->value.i : pr->value.d;
          r.val[i] = holds(cmp3_d(rd, rv), pr->cmp);
        }
        continue;
      }
      if (pr->value.type == VT_ARRAY && pr->cmp == CMP_NE && j.kind != J_ARRAY) { r.val[i] = 0; continue; }
      int cres = cmp_json(x, &j, &pr->value);
      r.val[i] = cres == 3 ? pr->cmp == CMP_NE : holds(cres, pr->cmp);
      continue;
    }
    if (pr->col.dtype == PT_ARRAY && !pr->col.has_index) { /* a == [..] / a != [..] */
      uint32_t n = array_count(c.s, c.slen);
      bool eq = n == pr->value.n;
      for (uint32_t k = 0; eq && k < n; k++) {
        cell e;
        array_elem(pr->col.elem_type, c.s, c.slen, k, &e);
        eq = cmp_cell(pr->col.elem_type, &e, &pr->value.items[k]) == 0;
      }
      r.val[i] = pr->cmp == CMP_EQ ? eq : !eq;
      continue;
    }
    if (pr->arith != AR_NONE) {
      if (is_int_t(t)) {
        int64_t ri = 0;
        double rd = 0;
        apply_arith(pr->arith, true, c.i, c.d, &pr->operand, &ri, &rd);
        r.val[i] = holds(cmp3_i(ri, pr->value.i), pr->cmp);
      } else if (t == PT_FLOAT) { /* a FLOAT field computes in float, as Milvus does */
        float a = (float)c.d, o = (float)pr->operand.d, res;
        switch (pr->arith) {
        case AR_ADD: res = a + o; break;
        case AR_SUB: res = a - o; break;
        case AR_MUL: res = a * o; break;
        default: res = a / o; break;
        }
        r.val[i] = holds(cmp3_d(res, (float)pr->value.d), pr->cmp);
      } else {
        int64_t ri = 0;
        double rd = 0;
        apply_arith(pr->arith, false, c.i, c.d, &pr->operand, &ri, &rd);
        r.val[i] = holds(cmp3_d(rd, pr->value.d), pr->cmp);
      }
      continue;
    }
    r.val[i] = holds(cmp_cell(t, &c, &pr->value), pr->cmp);
  }
}

static void eval_compare_cols(ectx *x, const pt_pred *pr, const uint8_t *cand, tri r) {
  int ta = pr->col.vtype_dtype, tb = pr->col2.vtype_dtype;
  for (uint32_t i = 0; i < x->n; i++) {
    if (!cand[i]) continue;
    cell a, b;
    jval j;
    bool is_json;
    int sa = column_value(x, &pr->col, i, &a, &j, &is_json), sb = column_value(x, &pr->col2, i, &b, &j, &is_json);
    r.val[i] = 0;
    r.valid[i] = sa >= 0 && sb >= 0;
    if (sa <= 0 || sb <= 0) continue;
    int c;
    if (ta == PT_BOOL || (is_int_t(ta) && is_int_t(tb))) c = cmp3_i(a.i, b.i);
    else if (ta == PT_VARCHAR || ta == PT_STRING) c = cmp3_s(a.s, a.slen, b.s, b.slen);
    else c = cmp3_d(a.d, b.d);
    r.val[i] = holds(c, pr->cmp);
  }
}

static void eval_range(ectx *x, const pt_pred *pr, const uint8_t *cand, tri r) {
  int t = pr->col.vtype_dtype;
  for (uint32_t i = 0; i < x->n; i++) {
    if (!cand[i]) continue;
    cell c;
    jval j;
    bool is_json;
    int st = column_value(x, &pr->col, i, &c, &j, &is_json);
    r.val[i] = 0;
    r.valid[i] = st >= 0;
    if (st <= 0) continue;
    int lo, hi;
    if (is_json) {
      lo = cmp_json(x, &j, &pr->lo);
      hi = cmp_json(x, &j, &pr->hi);
      if (lo == 3 || hi == 3) continue;
    } else {
      lo = cmp_cell(t, &c, &pr->lo);
      hi = cmp_cell(t, &c, &pr->hi);
    }
    r.val[i] = holds(lo, pr->lo_incl ? CMP_GE : CMP_GT) && holds(hi, pr->hi_incl ? CMP_LE : CMP_LT);
  }
}

/* Whether a sorted list (pt_pred.sorted) holds an integer or a string. */
static bool sorted_has(const pt_value *items, size_t n, const pt_value *v) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = pt_value_cmp(&items[mid], v);
    if (c == 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

static bool sorted_has_int(const pt_value *items, size_t n, int64_t i) {
  pt_value v = {.type = VT_INT, .i = i};
  return sorted_has(items, n, &v);
}

static bool sorted_has_string(const pt_value *items, size_t n, const char *s, size_t len) {
  pt_value v = {.type = VT_STRING, .slen = (uint32_t)len, .s = s};
  return len <= UINT32_MAX && sorted_has(items, n, &v);
}

/* Whether a JSON value equals a constant (numbers across int and float). */
static bool json_equals(ectx *x, const jval *j, const pt_value *v) { return cmp_json(x, j, v) == 0; }

static void eval_term(ectx *x, const pt_pred *pr, const uint8_t *cand, tri r) {
  int t = pr->col.vtype_dtype;
  const pt_value *items = pr->value.items;
  size_t n = pr->value.n;
  for (uint32_t i = 0; i < x->n; i++) {
    if (!cand[i]) continue;
    cell c;
    jval j;
    bool is_json;
    int st = column_value(x, &pr->col, i, &c, &j, &is_json);
    r.val[i] = 0;
    r.valid[i] = st >= 0;
    if (st < 0) continue;
    bool found = false;
    if (st > 0) {
      if (is_json) {
        for (size_t k = 0; k < n && !found; k++) found = json_equals(x, &j, &items[k]);
      } else if (pr->sorted && is_int_t(t)) {
        found = sorted_has_int(items, n, c.i);
      } else if (pr->sorted) {
        found = sorted_has_string(items, n, c.s, c.slen);
      } else if (is_int_t(t) || t == PT_BOOL) {
        for (size_t k = 0; k < n && !found; k++) found = c.i == (items[k].type == VT_BOOL ? (int64_t)items[k].b : items[k].i);
      } else if (t == PT_FLOAT) {
        for (size_t k = 0; k < n && !found; k++) found = (float)c.d == (float)items[k].d;
      } else if (t == PT_DOUBLE) {
        for (size_t k = 0; k < n && !found; k++) found = c.d == items[k].d;
      } else {
        for (size_t k = 0; k < n && !found; k++)
          found = c.slen == items[k].slen && (c.slen == 0 || memcmp(c.s, items[k].s, c.slen) == 0);
      }
    }
    r.val[i] = pr->negate ? !found : found;
    /* a missing JSON key is not in any list, and so is "not in" every list */
  }
}

static void eval_like(ectx *x, const pt_pred *pr, const uint8_t *cand, tri r) {
  for (uint32_t i = 0; i < x->n; i++) {
    if (!cand[i]) continue;
    cell c;
    jval j;
    bool is_json;
    int st = column_value(x, &pr->col, i, &c, &j, &is_json);
    r.val[i] = 0;
    r.valid[i] = st >= 0;
    if (st <= 0) continue;
    if (is_json) {
      const char *s;
      size_t n;
      if (j.kind != J_STRING || !json_string(x, &j, &s, &n)) continue;
      r.val[i] = like_holds(pr, s, n);
    } else {
      r.val[i] = like_holds(pr, c.s, c.slen);
    }
  }
}

static void eval_null(ectx *x, const pt_pred *pr, const uint8_t *cand, tri r) {
  const pt_column *col = &x->seg->cols[pr->col.field];
  for (uint32_t i = 0; i < x->n; i++) {
    if (!cand[i]) continue;
    bool is_null = col->valid && !pt_bit_get(col->valid, i);
    r.val[i] = pr->negate ? !is_null : is_null;
    r.valid[i] = 1;
  }
}

static void eval_exists(ectx *x, const pt_pred *pr, const uint8_t *cand, tri r) {
  for (uint32_t i = 0; i < x->n; i++) {
    if (!cand[i]) continue;
    bool valid;
    jval j = read_json(x, &pr->col, i, &valid);
    r.valid[i] = 1; /* exists is never unknown */
    r.val[i] = valid && j.kind != J_MISSING;
  }
}

/* Does the JSON array [p, e) contain a value equal to v? */
static bool json_array_has(ectx *x, const jval *arr, const pt_value *v) {
  const char *p = ws(arr->p + 1, arr->e);
  while (p < arr->e && *p != ']') {
    const char *ve = skip_value(p, arr->e);
    jval e = classify(p, ve);
    if (json_equals(x, &e, v)) return true;
    p = ws(ve, arr->e);
    if (p < arr->e && *p == ',') p = ws(p + 1, arr->e);
  }
  return false;
}

static bool array_has(int et, const cell *c, const pt_value *v) {
  uint32_t n = array_count(c->s, c->slen);
  for (uint32_t k = 0; k < n; k++) {
    cell e;
    array_elem(et, c->s, c->slen, k, &e);
    if (cmp_cell(et, &e, v) == 0) return true;
  }
  return false;
}

static void eval_contains(ectx *x, const pt_pred *pr, const uint8_t *cand, tri r) {
  for (uint32_t i = 0; i < x->n; i++) {
    if (!cand[i]) continue;
    cell c;
    jval j;
    bool is_json;
    int st = column_value(x, &pr->col, i, &c, &j, &is_json);
    r.val[i] = 0;
    r.valid[i] = st >= 0;
    if (st <= 0) continue;
    if (is_json && j.kind != J_ARRAY) continue;
    bool res;
    if (pr->contains == CONTAINS_ONE) {
      res = is_json ? json_array_has(x, &j, &pr->value) : array_has(pr->col.elem_type, &c, &pr->value);
    } else {
      bool all = pr->contains == CONTAINS_ALL;
      res = all;
      for (size_t k = 0; k < pr->value.n; k++) {
        bool has = is_json ? json_array_has(x, &j, &pr->value.items[k]) : array_has(pr->col.elem_type, &c, &pr->value.items[k]);
        if (all && !has) { res = false; break; }
        if (!all && has) { res = true; break; }
      }
    }
    r.val[i] = res;
  }
}

/* ============================================================================================
 * Fast leaves: one typed loop over a plain (non-JSON, non-element) column
 * ========================================================================================== */

/* Loads a column of a fixed-width numeric type as the loop's element type. */
#define CMP_LOOP(T, A, V, OP)                                                                      \
  do {                                                                                             \
    const T *a_ = (const T *)(const void *)(A);                                                    \
    for (uint32_t i_ = 0; i_ < n; i_++) r.val[i_] = (uint8_t)(a_[i_] OP (V));                      \
  } while (0)

#define CMP_SWITCH(T, A, V)                                                                        \
  switch (pr->cmp) {                                                                               \
  case CMP_EQ: CMP_LOOP(T, A, V, ==); break;                                                       \
  case CMP_NE: CMP_LOOP(T, A, V, !=); break;                                                       \
  case CMP_LT: CMP_LOOP(T, A, V, <); break;                                                        \
  case CMP_LE: CMP_LOOP(T, A, V, <=); break;                                                       \
  case CMP_GT: CMP_LOOP(T, A, V, >); break;                                                        \
  default: CMP_LOOP(T, A, V, >=); break;                                                           \
  }

static void fill_valid(const pt_column *col, uint32_t n, uint8_t *valid) {
  if (!col->valid) {
    memset(valid, 1, n);
    return;
  }
  for (uint32_t i = 0; i < n; i++) valid[i] = pt_bit_get(col->valid, i);
}

/* A numeric column compared with a constant, computed for every row (cheaper than branching on
 * the candidates: the callers only read the candidate rows). False when it does not apply. */
static bool fast_compare(ectx *x, const pt_pred *pr, tri r) {
  if (pr->col.has_index || pr->col.n_keys || pr->col.dynamic || pr->arith != AR_NONE || pr->array_length) return false;
  const pt_column *col = &x->seg->cols[pr->col.field];
  uint32_t n = x->n;
  int64_t lo, hi;
  switch (pr->col.dtype) {
  case PT_INT8: case PT_INT16: case PT_INT32: {
    /* a constant beyond the type's range compares the same as the nearest bound +/- 1 would */
    pt_dtype_int_range(pr->col.dtype, &lo, &hi);
    int64_t v = pr->value.i;
    if (v < lo || v > hi) return false;
    if (pr->col.dtype == PT_INT8) { int8_t w = (int8_t)v; CMP_SWITCH(int8_t, col->data, w); }
    else if (pr->col.dtype == PT_INT16) { int16_t w = (int16_t)v; CMP_SWITCH(int16_t, col->data, w); }
    else { int32_t w = (int32_t)v; CMP_SWITCH(int32_t, col->data, w); }
    break;
  }
  case PT_INT64: { int64_t w = pr->value.i; CMP_SWITCH(int64_t, col->data, w); break; }
  case PT_FLOAT: { float w = (float)pr->value.d; CMP_SWITCH(float, col->data, w); break; }
  case PT_DOUBLE: { double w = pr->value.d; CMP_SWITCH(double, col->data, w); break; }
  case PT_BOOL: { uint8_t w = pr->value.b; CMP_SWITCH(uint8_t, col->data, w); break; }
  default: return false;
  }
  fill_valid(col, n, r.valid);
  return true;
}

/* lo <(=) column <(=) hi on a numeric column. */
static bool fast_range(ectx *x, const pt_pred *pr, tri r) {
  if (pr->col.has_index || pr->col.n_keys || pr->col.dynamic) return false;
  const pt_column *col = &x->seg->cols[pr->col.field];
  uint32_t n = x->n;
  int t = pr->col.dtype;
#define RANGE_LOOP(T, LO, HI)                                                                      \
  do {                                                                                             \
    const T *a_ = (const T *)(const void *)col->data;                                              \
    T lo_ = (LO), hi_ = (HI);                                                                       \
    bool li_ = pr->lo_incl, hi2_ = pr->hi_incl;                                                    \
    for (uint32_t i_ = 0; i_ < n; i_++)                                                            \
      r.val[i_] = (uint8_t)((li_ ? a_[i_] >= lo_ : a_[i_] > lo_) & (hi2_ ? a_[i_] <= hi_ : a_[i_] < hi_)); \
  } while (0)
  if (t == PT_INT64) RANGE_LOOP(int64_t, pr->lo.i, pr->hi.i);
  else if (t == PT_INT32 && pr->lo.i >= INT32_MIN && pr->hi.i <= INT32_MAX) RANGE_LOOP(int32_t, (int32_t)pr->lo.i, (int32_t)pr->hi.i);
  else if (t == PT_DOUBLE) RANGE_LOOP(double, pr->lo.d, pr->hi.d);
  else if (t == PT_FLOAT) RANGE_LOOP(float, (float)pr->lo.d, (float)pr->hi.d);
  else return false;
#undef RANGE_LOOP
  fill_valid(col, n, r.valid);
  return true;
}

/* The first (up to) 8 bytes of a string as one word; with the length, a cheap equality test. */
static inline uint64_t pack8(const char *s, size_t n) {
  uint32_t lo, hi;
  if (n >= 8) {
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
  }
  if (n >= 4) { /* two overlapping 4-byte loads cover 4..7 bytes */
    memcpy(&lo, s, 4);
    memcpy(&hi, s + n - 4, 4);
    return (uint64_t)lo | (uint64_t)hi << 32;
  }
  uint64_t w = 0;
  for (size_t i = 0; i < n; i++) w |= (uint64_t)(unsigned char)s[i] << (8 * i);
  return w;
}

/* VARCHAR / integer column in a list of constants. */
static bool fast_term(ectx *x, const pt_pred *pr, const uint8_t *cand, tri r) {
  if (pr->col.has_index || pr->col.n_keys || pr->col.dynamic) return false;
  const pt_column *col = &x->seg->cols[pr->col.field];
  uint32_t n = x->n;
  const pt_value *items = pr->value.items;
  size_t k = pr->value.n;
  uint8_t neg = pr->negate ? 1 : 0;
  int t = pr->col.dtype;
  if (t == PT_VARCHAR) {
    /* a short list: each string is compared as (length, its first 8 bytes packed in a word),
     * and only longer ones with memcmp for the rest */
    uint64_t words[PT_TERM_SORTED_AFTER > 4 ? PT_TERM_SORTED_AFTER : 4];
    uint32_t lens[PT_TERM_SORTED_AFTER > 4 ? PT_TERM_SORTED_AFTER : 4];
    bool packed = !pr->sorted;
    for (size_t j = 0; packed && j < k; j++) {
      words[j] = pack8(items[j].s, items[j].slen);
      lens[j] = (uint32_t)items[j].slen;
    }
    const uint32_t *offs = col->offsets;
    const char *data = (const char *)col->data;
    if (packed && k <= 4) {
      /* the usual short list, unrolled: padded to four entries no string can equal */
      for (size_t j = k; j < 4; j++) {
        words[j] = 0;
        lens[j] = UINT32_MAX;
      }
      const uint64_t w0 = words[0], w1 = words[1], w2 = words[2], w3 = words[3];
      const uint32_t l0 = lens[0], l1 = lens[1], l2 = lens[2], l3 = lens[3];
      for (uint32_t i = 0; i < n; i++) {
        uint32_t a = offs[i], len = offs[i + 1] - a;
        uint64_t w = pack8(data + a, len);
        uint8_t found = (uint8_t)(((w == w0) & (len == l0)) | ((w == w1) & (len == l1)) | ((w == w2) & (len == l2)) |
                                  ((w == w3) & (len == l3)));
        if (found && len > 8) {
          found = 0;
          for (size_t j = 0; j < k && !found; j++)
            found = lens[j] == len && memcmp(data + a + 8, items[j].s + 8, len - 8) == 0;
        }
        r.val[i] = found ^ neg;
      }
    } else if (packed) {
      /* every row, without branches on the (often random) candidates or matches; strings over
       * 8 bytes are confirmed with memcmp */
      for (uint32_t i = 0; i < n; i++) {
        uint32_t a = offs[i], len = offs[i + 1] - a;
        uint64_t w = pack8(data + a, len);
        uint8_t found = 0;
        for (size_t j = 0; j < k; j++) found |= (uint8_t)((words[j] == w) & (lens[j] == len));
        if (found && len > 8) {
          found = 0;
          for (size_t j = 0; j < k && !found; j++)
            found = lens[j] == len && memcmp(data + a + 8, items[j].s + 8, len - 8) == 0;
        }
        r.val[i] = found ^ neg;
      }
    } else {
      /* a long list: sorted when planned */
      for (uint32_t i = 0; i < n; i++) {
        if (!cand[i]) continue;
        uint32_t a = offs[i];
        r.val[i] = (uint8_t)sorted_has_string(items, k, data + a, offs[i + 1] - a) ^ neg;
      }
    }
  } else if (t == PT_INT64 || t == PT_INT32 || t == PT_INT16 || t == PT_INT8) {
    for (uint32_t i = 0; i < n; i++) {
      if (!cand[i]) continue;
      int64_t v;
      switch (t) {
      case PT_INT64: memcpy(&v, col->data + (size_t)i * 8, 8); break;
      case PT_INT32: { int32_t y; memcpy(&y, col->data + (size_t)i * 4, 4); v = y; break; }
      case PT_INT16: { int16_t y; memcpy(&y, col->data + (size_t)i * 2, 2); v = y; break; }
      default: { int8_t y; memcpy(&y, col->data + i, 1); v = y; break; }
      }
      uint8_t found = 0;
      if (pr->sorted) found = sorted_has_int(items, k, v);
      else
        for (size_t j = 0; j < k; j++)
          if (items[j].i == v) { found = 1; break; }
      r.val[i] = found ^ neg;
    }
  } else {
    return false;
  }
  fill_valid(col, n, r.valid);
  return true;
}

/* ============================================================================================
 * Logic
 * ========================================================================================== */

static pt_status eval_pred(ectx *x, const pt_pred *pr, const uint8_t *cand, tri r);

/* AND / OR in three-valued logic. `open` holds the rows not yet decided (AND: not yet false,
 * OR: not yet true) and only those are evaluated by the next child; `unknown` the open rows some
 * child left UNKNOWN. AND: true = open and not unknown; definite = not (open and unknown).
 * OR: true = not open; definite = not open or not unknown. All byte-wise, so it vectorizes. */
static pt_status eval_logic(ectx *x, const pt_pred *pr, const uint8_t *cand, tri r) {
  bool is_and = pr->kind == P_AND;
  uint32_t n = x->n;
  size_t sz = n ? n : 1;
  uint8_t *open = pt_malloc(sz), *unknown = pt_malloc(sz), *kv = pt_malloc(sz), *kk = pt_malloc(sz);
  pt_status rc = PT_OK;
  if (!open || !unknown || !kv || !kk) { rc = PT_NOMEM; goto done; }
  memcpy(open, cand, n);
  memset(unknown, 0, n);
  for (size_t k = 0; k < pr->n_kids; k++) {
    uint8_t any = 0;
    for (uint32_t i = 0; i < n; i++) any |= open[i];
    if (!any) break;
    if ((rc = eval_pred(x, pr->kids[k], open, (tri){kv, kk}))) goto done;
    uint8_t decided = is_and ? 0 : 1; /* the child value that decides: false for AND, true for OR */
    for (uint32_t i = 0; i < n; i++) {
      uint8_t o = open[i], known = kk[i] & 1, v = kv[i] & 1;
      uint8_t decides = o & known & (uint8_t)(v == decided);
      unknown[i] |= o & (uint8_t)(known ^ 1);
      open[i] = o & (uint8_t)(decides ^ 1);
    }
  }
  for (uint32_t i = 0; i < n; i++) {
    uint8_t o = open[i], u = unknown[i];
    if (is_and) {
      r.val[i] = o & (uint8_t)(u ^ 1);
      r.valid[i] = (uint8_t)((o & u) ^ 1);
    } else {
      r.val[i] = (uint8_t)(o ^ 1) & cand[i];
      r.valid[i] = (uint8_t)(o ^ 1) | (uint8_t)(u ^ 1);
    }
  }
done:
  pt_free(open);
  pt_free(unknown);
  pt_free(kv);
  pt_free(kk);
  return rc;
}

static pt_status eval_pred(ectx *x, const pt_pred *pr, const uint8_t *cand, tri r) {
  switch (pr->kind) {
  case P_CONST:
    for (uint32_t i = 0; i < x->n; i++)
      if (cand[i]) { r.val[i] = pr->b; r.valid[i] = 1; }
    return PT_OK;
  case P_COMPARE: if (!fast_compare(x, pr, r)) eval_compare(x, pr, cand, r); break;
  case P_COMPARE_COLS: eval_compare_cols(x, pr, cand, r); break;
  case P_RANGE: if (!fast_range(x, pr, r)) eval_range(x, pr, cand, r); break;
  case P_TERM: if (!fast_term(x, pr, cand, r)) eval_term(x, pr, cand, r); break;
  case P_LIKE: eval_like(x, pr, cand, r); break;
  case P_NULL: eval_null(x, pr, cand, r); break;
  case P_EXISTS: eval_exists(x, pr, cand, r); break;
  case P_CONTAINS: eval_contains(x, pr, cand, r); break;
  case P_NOT: {
    pt_status rc = eval_pred(x, pr->kids[0], cand, r);
    if (rc) return rc;
    for (uint32_t i = 0; i < x->n; i++)
      if (cand[i]) r.val[i] = !r.val[i]; /* NOT(unknown) stays unknown */
    return PT_OK;
  }
  case P_AND: case P_OR: return eval_logic(x, pr, cand, r);
  }
  return x->oom ? PT_NOMEM : PT_OK;
}

pt_status pt_filter_eval(const pt_filter *f, const pt_collection *c, size_t part, size_t seg, uint8_t *mask,
                         pt_error *err) {
  const pt_layout *lay = &c->layout;
  const pt_partition *p = c->parts[part];
  const pt_segment *s = p->segs[seg];
  if (s->live == s->count) memset(mask, 1, s->count);
  else
    for (uint32_t i = 0; i < s->count; i++) mask[i] = !pt_bit_get(s->deleted, i);
  if (!f) return PT_OK;
  if (f->is_keys) { /* rows of the listed keys, from the key index */
    uint8_t *live = mask;
    uint8_t *hit = pt_calloc(s->count ? s->count : 1, 1);
    if (!hit) return pt_fail_nomem(err);
    for (size_t k = 0; k < f->keys.n; k++) {
      pt_key key = pt_pkfilter_key(&f->keys, k);
      size_t slot = pt_partition_lookup(p, lay, &key);
      if (slot == SIZE_MAX) continue;
      for (uint32_t row = p->index.slots[slot].row; row != PT_NO_ROW;
           row = pt_row_segment(p, lay, row)->next[pt_row_offset(lay, row)])
        if ((row >> lay->seg_shift) == seg) hit[pt_row_offset(lay, row)] = 1;
    }
    for (uint32_t i = 0; i < s->count; i++) live[i] = live[i] && hit[i];
    pt_free(hit);
    return PT_OK;
  }
  ectx x = {c, p, s, s->count, NULL, 0, false};
  uint8_t *val = pt_malloc(s->count ? s->count : 1), *valid = pt_malloc(s->count ? s->count : 1);
  pt_status rc = PT_OK;
  if (!val || !valid) rc = PT_NOMEM;
  if (!rc) rc = eval_pred(&x, pt_plan_root(f->plan), mask, (tri){val, valid});
  if (!rc && x.oom) rc = PT_NOMEM;
  if (!rc)
    for (uint32_t i = 0; i < s->count; i++) mask[i] = mask[i] & val[i] & valid[i];
  pt_free(val);
  pt_free(valid);
  pt_free(x.tmp);
  if (rc) return pt_fail_nomem(err);
  return PT_OK;
}
