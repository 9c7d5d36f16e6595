/*
 * filter.c — evaluating a filter plan (expr.h) over one segment at a time.
 *
 * HOW IT WORKS
 * A segment's rows are filtered as a selection: the ascending offsets of the rows still in
 * play. Each predicate keeps the rows of a selection where it has the truth value asked for,
 * TRUE or FALSE (Kleene's three-valued logic: a NULL field is UNKNOWN, and UNKNOWN rows are
 * never kept). With both sets every rule of the logic is a set operation: NOT asks its child
 * for the other set; AND asked for TRUE hands its children the survivors of the one before
 * (the cheap ones first), so a selective conjunct makes the rest cheaper; AND asked for FALSE
 * (and OR asked for TRUE) keeps the rows one child decides, each child seeing only the rows
 * not yet decided. A leaf on a plain column is one typed loop over the selection without
 * branches on the data: a comparison of an INT32 field with a constant reads the column's
 * int32 values at the selected offsets; no tree is walked per row. The root is asked for TRUE
 * over the live rows, and what it keeps is the result. A segment without deleted rows starts
 * as a dense selection, every row, read as it is (in WebAssembly, four INT32 or FLOAT rows per
 * SIMD128 comparison). A VARCHAR row is compared with a short list as one 8-byte key (its
 * bytes and length), and only long strings byte by byte.
 * Memory: the selection is 4 bytes per row of a segment (the caller's); an OR asked for TRUE
 * (or an AND asked for FALSE) takes 8 bytes per row it is handed while it runs.
 * JSON values (JSON fields and the dynamic field) are read straight from their stored text by a
 * small scanner that walks the path without building a tree or allocating.
 */
#include "filter.h"

#include <math.h>
#include <stdlib.h>

#include "analyzer.h"
#include "cJSON.h"
#include "json.h"
#include "text.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

struct pt_filter {
  pt_plan *plan;
  pt_pkfilter keys;
  bool is_keys;
};

pt_status pt_filter_compile(const pt_collection *c, const char *expr, size_t len, const char *params,
                            size_t params_len, const char *what, pt_filter **out, pt_error *err) {
  *out = NULL;
  if (!expr || pt_expr_is_empty(expr, len)) return PT_OK;
  pt_filter *f = pt_calloc(1, sizeof *f);
  if (!f) return pt_fail_nomem(err);
  pt_status rc = pt_plan_parse(c, expr, len, params, params_len, what, &f->plan, err);
  if (rc) {
    pt_free(f);
    return rc;
  }
  f->is_keys = pt_plan_keys(f->plan, c, &f->keys);
  *out = f;
  return PT_OK;
}

pt_status pt_json_path_plan(const pt_collection *c, const char *name, size_t len, const char *what, pt_plan **plan,
                            const pt_pred **at, pt_error *perr) {
  *plan = NULL;
  *at = NULL;
  char *expr = pt_malloc(len + 8);
  if (!expr) return pt_fail_nomem(perr);
  memcpy(expr, "exists ", 7);
  memcpy(expr + 7, name, len);
  expr[len + 7] = '\0';
  pt_status rc = pt_plan_parse(c, expr, len + 7, NULL, 0, what, plan, perr);
  pt_free(expr);
  if (rc) return rc;
  const pt_pred *p = pt_plan_root(*plan);
  if (p && p->kind == P_EXISTS) *at = p;
  return PT_OK;
}

pt_str pt_filter_params(const char *request, size_t len) {
  size_t start = 0, n = 0;
  pt_str none = {NULL, 0};
  if (pt_json_member(request, len, "expr_params", 11, &start, &n) != 1) return none;
  if (n == 4 && memcmp(request + start, "null", 4) == 0) return none;
  pt_str out = {request + start, n};
  return out;
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

/* Positions of a phrase's terms in a row, as tantivy's PhraseScorer keeps them: values, and with
 * a slop the slop spent so far on each (`has_s` false: none spent yet, as its empty left_slops). */
typedef struct pvec {
  uint32_t *v;
  uint8_t *s;
  size_t n, cap;
  bool has_s;
} pvec;

typedef struct ectx {
  const pt_collection *c;
  const pt_partition *part;
  const pt_segment *seg;
  char *tmp;      /* scratch for unescaped JSON strings */
  size_t tmp_cap;
  bool oom;
  bool dense;     /* the selection is every row, 0..n-1, not yet written out (select_rows) */
  pt_tokens toks; /* text_match / phrase_match: a row's tokens */
  uint32_t *mscratch; /* text_match / phrase_match: per distinct query term, then per row token */
  size_t mscratch_cap;
  const pt_pred *mowner; /* the predicate whose counts (zero between rows) mscratch starts with */
  pvec pleft, pright, pnext; /* phrase_match: positions (phrase_row) */
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

bool pt_json_path_find(const char *text, size_t len, const pt_str *keys, size_t n_keys, pt_str *out) {
  static const char empty[] = "{}";
  if (len == 0) { /* an empty $meta part means {} */
    if (n_keys) return false;
    text = empty;
    len = 2;
  }
  const char *p = ws(text, text + len), *e = text + len;
  for (size_t k = 0; k < n_keys && p; k++) p = json_child(p, e, keys[k].ptr, keys[k].len);
  if (!p) return false;
  out->ptr = p;
  out->len = (size_t)(skip_value(p, e) - p);
  return true;
}

/* The JSON value a column reference points at in row `off` (J_MISSING when the key is absent;
 * valid = false when the JSON column itself is NULL). */
static jval read_json(const ectx *x, const pt_colref *col, uint32_t off, bool *valid) {
  cell c = read_field(x, col->field, off);
  *valid = !c.null;
  if (c.null || !c.s) return classify(NULL, NULL);
  pt_str v;
  return pt_json_path_find(c.s, c.slen, col->keys, col->n_keys, &v) ? classify(v.ptr, v.ptr + v.len) : classify(NULL, NULL);
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
 * Leaves: the truth of a predicate at one row
 * ========================================================================================== */

/* Kleene's truth values; a NULL field makes a leaf UNKNOWN. */
enum { K_UNKNOWN = -1, K_FALSE = 0, K_TRUE = 1 };

/* The value of a column reference at a row: a scalar, a string, or an element of an array in
 * `c`, or JSON in `j`. */
typedef struct colval {
  cell c;
  jval j;
  bool is_json;
} colval;

/* Reads a column reference at a row for scalar predicates. Returns 0 absent / false,
 * 1 present, -1 NULL (unknown). */
static int column_value(ectx *x, const pt_colref *col, uint32_t off, colval *v) {
  v->is_json = false;
  if (col->dtype == PT_JSON) {
    bool valid;
    v->j = read_json(x, col, off, &valid);
    v->is_json = true;
    if (!valid) return -1;
    return v->j.kind == J_MISSING ? 0 : 1;
  }
  v->c = read_field(x, col->field, off);
  if (v->c.null) return -1;
  if (col->has_index) return array_elem(col->elem_type, v->c.s, v->c.slen, col->index, &v->c) ? 1 : 0;
  return 1;
}

/* col [arith] CMP value, array_length(col) CMP value. */
static int compare_row(ectx *x, const pt_pred *pr, uint32_t i) {
  int t = pr->col.vtype_dtype;
  colval v;
  int st = column_value(x, &pr->col, i, &v);
  if (st < 0) return K_UNKNOWN;
  if (pr->array_length) {
    int64_t len;
    if (v.is_json) {
      if (v.j.kind != J_ARRAY) return K_FALSE;
      len = 0;
      const char *p = ws(v.j.p + 1, v.j.e);
      while (p < v.j.e && *p != ']') {
        len++;
        p = ws(skip_value(p, v.j.e), v.j.e);
        if (p < v.j.e && *p == ',') p = ws(p + 1, v.j.e);
      }
    } else {
      len = array_count(v.c.s, v.c.slen);
    }
    return pt_cmp_holds(cmp3_i(len, pr->value.i), pr->cmp);
  }
  if (st == 0) return pr->cmp == CMP_NE; /* a missing key or element: false, but != holds */
  if (v.is_json) {
    if (pr->arith != AR_NONE) {
      if (v.j.kind != J_INT && v.j.kind != J_FLOAT) return pr->cmp == CMP_NE;
      bool ints = v.j.kind == J_INT && pr->operand.type == VT_INT && pr->value.type == VT_INT;
      int64_t ri = 0;
      double rd = 0;
      if (pr->arith == AR_MOD && (v.j.kind != J_INT)) return pr->cmp == CMP_NE;
      apply_arith(pr->arith, ints || pr->arith == AR_MOD, v.j.i, v.j.d, &pr->operand, &ri, &rd);
      if (ints || pr->arith == AR_MOD) {
        jval tmp = v.j;
        tmp.kind = J_INT;
        tmp.i = ri;
        int cres = cmp_json(x, &tmp, &pr->value);
        return cres == 3 ? pr->cmp == CMP_NE : pt_cmp_holds(cres, pr->cmp);
      }
      double rv = pr->value.type == VT_INT ? (double)pr->value.i : pr->value.d;
      return pt_cmp_holds(cmp3_d(rd, rv), pr->cmp);
    }
    if (pr->value.type == VT_ARRAY && pr->cmp == CMP_NE && v.j.kind != J_ARRAY) return K_FALSE;
    int cres = cmp_json(x, &v.j, &pr->value);
    return cres == 3 ? pr->cmp == CMP_NE : pt_cmp_holds(cres, pr->cmp);
  }
  if (pr->col.dtype == PT_ARRAY && !pr->col.has_index) { /* a == [..] / a != [..] */
    uint32_t n = array_count(v.c.s, v.c.slen);
    bool eq = n == pr->value.n;
    for (uint32_t k = 0; eq && k < n; k++) {
      cell e;
      array_elem(pr->col.elem_type, v.c.s, v.c.slen, k, &e);
      eq = cmp_cell(pr->col.elem_type, &e, &pr->value.items[k]) == 0;
    }
    return pr->cmp == CMP_EQ ? eq : !eq;
  }
  if (pr->arith != AR_NONE) {
    if (is_int_t(t)) {
      int64_t ri = 0;
      double rd = 0;
      apply_arith(pr->arith, true, v.c.i, v.c.d, &pr->operand, &ri, &rd);
      return pt_cmp_holds(cmp3_i(ri, pr->value.i), pr->cmp);
    }
    if (t == PT_FLOAT) { /* a FLOAT field computes in float, as Milvus does */
      float a = (float)v.c.d, o = (float)pr->operand.d, res;
      switch (pr->arith) {
      case AR_ADD: res = a + o; break;
      case AR_SUB: res = a - o; break;
      case AR_MUL: res = a * o; break;
      default: res = a / o; break;
      }
      return pt_cmp_holds(cmp3_d(res, (float)pr->value.d), pr->cmp);
    }
    int64_t ri = 0;
    double rd = 0;
    apply_arith(pr->arith, false, v.c.i, v.c.d, &pr->operand, &ri, &rd);
    return pt_cmp_holds(cmp3_d(rd, pr->value.d), pr->cmp);
  }
  return pt_cmp_holds(cmp_cell(t, &v.c, &pr->value), pr->cmp);
}

static int compare_cols_row(ectx *x, const pt_pred *pr, uint32_t i) {
  int ta = pr->col.vtype_dtype, tb = pr->col2.vtype_dtype;
  colval a, b;
  int sa = column_value(x, &pr->col, i, &a), sb = column_value(x, &pr->col2, i, &b);
  if (sa < 0 || sb < 0) return K_UNKNOWN;
  if (sa == 0 || sb == 0) return K_FALSE;
  int c;
  if (ta == PT_BOOL || (is_int_t(ta) && is_int_t(tb))) c = cmp3_i(a.c.i, b.c.i);
  else if (ta == PT_VARCHAR || ta == PT_STRING) c = cmp3_s(a.c.s, a.c.slen, b.c.s, b.c.slen);
  else c = cmp3_d(a.c.d, b.c.d);
  return pt_cmp_holds(c, pr->cmp);
}

static int range_row(ectx *x, const pt_pred *pr, uint32_t i) {
  int t = pr->col.vtype_dtype;
  colval v;
  int st = column_value(x, &pr->col, i, &v);
  if (st <= 0) return st < 0 ? K_UNKNOWN : K_FALSE;
  int lo, hi;
  if (v.is_json) {
    lo = cmp_json(x, &v.j, &pr->lo);
    hi = cmp_json(x, &v.j, &pr->hi);
    if (lo == 3 || hi == 3) return K_FALSE;
  } else {
    lo = cmp_cell(t, &v.c, &pr->lo);
    hi = cmp_cell(t, &v.c, &pr->hi);
  }
  return pt_cmp_holds(lo, pr->lo_incl ? CMP_GE : CMP_GT) && pt_cmp_holds(hi, pr->hi_incl ? CMP_LE : CMP_LT);
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

static int term_row(ectx *x, const pt_pred *pr, uint32_t i) {
  int t = pr->col.vtype_dtype;
  const pt_value *items = pr->value.items;
  size_t n = pr->value.n;
  colval v;
  int st = column_value(x, &pr->col, i, &v);
  if (st < 0) return K_UNKNOWN;
  bool found = false;
  if (st > 0) {
    if (v.is_json) {
      for (size_t k = 0; k < n && !found; k++) found = json_equals(x, &v.j, &items[k]);
    } else if (pr->sorted && is_int_t(t)) {
      found = sorted_has_int(items, n, v.c.i);
    } else if (pr->sorted) {
      found = sorted_has_string(items, n, v.c.s, v.c.slen);
    } else if (is_int_t(t) || t == PT_BOOL) {
      for (size_t k = 0; k < n && !found; k++) found = v.c.i == (items[k].type == VT_BOOL ? (int64_t)items[k].b : items[k].i);
    } else if (t == PT_FLOAT) {
      for (size_t k = 0; k < n && !found; k++) found = (float)v.c.d == (float)items[k].d;
    } else if (t == PT_DOUBLE) {
      for (size_t k = 0; k < n && !found; k++) found = v.c.d == items[k].d;
    } else {
      for (size_t k = 0; k < n && !found; k++)
        found = v.c.slen == items[k].slen && (v.c.slen == 0 || memcmp(v.c.s, items[k].s, v.c.slen) == 0);
    }
  }
  /* a missing JSON key is not in any list, and so is "not in" every list */
  return pr->negate ? !found : found;
}

static int like_row(ectx *x, const pt_pred *pr, uint32_t i) {
  colval v;
  int st = column_value(x, &pr->col, i, &v);
  if (st <= 0) return st < 0 ? K_UNKNOWN : K_FALSE;
  if (v.is_json) {
    const char *s;
    size_t n;
    if (v.j.kind != J_STRING || !json_string(x, &v.j, &s, &n)) return K_FALSE;
    return like_holds(pr, s, n);
  }
  return like_holds(pr, v.c.s, v.c.slen);
}

static int null_row(ectx *x, const pt_pred *pr, uint32_t i) {
  const pt_column *col = &x->seg->cols[pr->col.field];
  bool is_null = col->valid && !pt_bit_get(col->valid, i);
  return pr->negate ? !is_null : is_null; /* never unknown */
}

static int exists_row(ectx *x, const pt_pred *pr, uint32_t i) {
  bool valid;
  jval j = read_json(x, &pr->col, i, &valid);
  return valid && j.kind != J_MISSING; /* exists is never unknown */
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

static int contains_row(ectx *x, const pt_pred *pr, uint32_t i) {
  colval v;
  int st = column_value(x, &pr->col, i, &v);
  if (st < 0) return K_UNKNOWN;
  if (st == 0 || (v.is_json && v.j.kind != J_ARRAY)) return K_FALSE;
  if (pr->contains == CONTAINS_ONE)
    return v.is_json ? json_array_has(x, &v.j, &pr->value) : array_has(pr->col.elem_type, &v.c, &pr->value);
  bool all = pr->contains == CONTAINS_ALL;
  for (size_t k = 0; k < pr->value.n; k++) {
    bool has = v.is_json ? json_array_has(x, &v.j, &pr->value.items[k]) : array_has(pr->col.elem_type, &v.c, &pr->value.items[k]);
    if (all && !has) return K_FALSE;
    if (!all && has) return K_TRUE;
  }
  return all;
}

/* ============================================================================================
 * Selections: a leaf keeps the rows of a selection where it has the truth value asked for
 * ========================================================================================== */

/* ============================================================================================
 * text_match / phrase_match: each row's text is tokenized by the field's analyzer as the filter
 * runs (no token index is kept: see HOW IT WORKS), and its tokens looked up in the query's.
 * ========================================================================================== */

/* The scratch of predicate `pr`, n words, its first `zeroed` zero. */
static uint32_t *match_scratch(ectx *x, const pt_pred *pr, size_t n, size_t zeroed) {
  if (n > x->mscratch_cap) {
    size_t cap = x->mscratch_cap ? x->mscratch_cap : 64;
    while (cap < n) cap *= 2;
    uint32_t *p = pt_realloc(x->mscratch, cap * sizeof *p);
    if (!p) {
      x->oom = true;
      return NULL;
    }
    x->mscratch = p;
    x->mscratch_cap = cap;
    x->mowner = NULL;
  }
  if (x->mowner != pr) { /* another predicate left its own data here */
    memset(x->mscratch, 0, zeroed * sizeof *x->mscratch);
    x->mowner = pr;
  }
  return x->mscratch;
}

static bool pvec_reserve(pvec *a, size_t n) {
  if (n <= a->cap) return true;
  size_t cap = a->cap ? a->cap : 64;
  while (cap < n) cap *= 2;
  uint32_t *v = pt_realloc(a->v, cap * sizeof *v);
  if (!v) return false;
  a->v = v;
  uint8_t *sl = pt_realloc(a->s, cap);
  if (!sl) return false;
  a->s = sl;
  a->cap = cap;
  return true;
}

static void pvec_release(pvec *a) {
  pt_free(a->v);
  pt_free(a->s);
  memset(a, 0, sizeof *a);
}

static uint32_t absdiff(uint32_t a, uint32_t b) { return a > b ? a - b : b - a; }

/* tantivy's intersection: `l` keeps its values that are in `r`. */
static void phrase_intersect(pvec *l, const uint32_t *r, size_t nr) {
  size_t li = 0, ri = 0, k = 0;
  while (li < l->n && ri < nr) {
    if (l->v[li] < r[ri]) li++;
    else if (l->v[li] > r[ri]) ri++;
    else l->v[k++] = l->v[li], li++, ri++;
  }
  l->n = k;
}

/* tantivy's intersection_exists / intersection_exists_with_slop: a value of `l` within `slop` of
 * one of `r` (the slop spent so far is not counted, as there). */
static bool phrase_exists(const pvec *l, const uint32_t *r, size_t nr, uint32_t slop) {
  size_t li = 0, ri = 0;
  while (li < l->n && ri < nr) {
    if (absdiff(l->v[li], r[ri]) <= slop) return true;
    if (l->v[li] < r[ri]) li++;
    else ri++;
  }
  return false;
}

/* tantivy's add_val: a value equal to the last one keeps the smaller slop. */
static bool carry_add(pvec *o, uint32_t v, uint32_t slop) {
  if (o->n && o->v[o->n - 1] == v) {
    if ((uint8_t)slop < o->s[o->n - 1]) o->s[o->n - 1] = (uint8_t)slop;
    return true;
  }
  if (!pvec_reserve(o, o->n + 1)) return false;
  o->v[o->n] = v;
  o->s[o->n++] = (uint8_t)slop; /* tantivy keeps a slop in a u8 */
  return true;
}

/* tantivy's intersection_count_with_carrying_slop, left updated: the middle terms of a phrase of
 * three or more with a slop. The left and right positions within the slop (spent so far plus
 * their distance) are kept with the slop they spend, so terms may come in another order. The
 * result (in `o`, then swapped into `l`) is as tantivy makes it, order included. False when
 * out of memory. */
static bool phrase_carry(pvec *l, const uint32_t *r, size_t nr, uint32_t max_slop, pvec *o) {
  o->n = 0;
  if (l->n && nr) {
    size_t li = 0, ri = 0;
    for (;;) {
      uint32_t lv = l->v[li], rv = r[ri], sf = l->has_s ? l->s[li] : 0;
      uint32_t dist = sf + absdiff(lv, rv);
      if (dist <= max_slop) {
        bool left_smaller = lv < rv;
        uint32_t small = left_smaller ? lv : rv, large = left_smaller ? rv : lv;
        const uint32_t *sp = left_smaller ? l->v : r;
        size_t si = left_smaller ? li : ri, sn = left_smaller ? l->n : nr;
        uint32_t ns = dist;
        if (!carry_add(o, small, ns)) return false;
        while (si + 1 < sn && sp[si + 1] <= large) {
          si++;
          ns = sf + absdiff(sp[si], large);
          if (!carry_add(o, sp[si], ns)) return false;
        }
        if (!carry_add(o, large, ns)) return false;
        li++;
        ri++;
      } else if (lv < rv) {
        li++;
      } else {
        ri++;
      }
      if (li >= l->n || ri >= nr) {
        if (li >= l->n) {
          uint32_t last = l->v[l->n - 1], lsf = l->has_s ? l->s[l->n - 1] : 0;
          for (size_t k = ri; k < nr; k++)
            if (absdiff(last, r[k]) + lsf <= max_slop && !carry_add(o, r[k], absdiff(last, r[k]) + lsf)) return false;
        } else {
          uint32_t last = r[nr - 1];
          for (size_t k = li; k < l->n; k++) {
            uint32_t ksf = l->has_s ? l->s[k] : 0;
            if (absdiff(l->v[k], last) + ksf <= max_slop && !carry_add(o, l->v[k], absdiff(l->v[k], last) + ksf))
              return false;
          }
        }
        break;
      }
    }
  }
  pvec t = *l;
  *l = *o;
  *o = t;
  l->has_s = true;
  return true;
}

/* tantivy's PhraseScorer (scoring disabled, as Milvus searches): each term's positions shifted
 * by (the last token's query offset - the token's own), the first term's intersected with each
 * middle term's in turn, then whether one is near enough one of the last term's. Term d's row
 * positions are pos[start[d] .. start[d + 1]), ascending. */
static int phrase_row(ectx *x, const pt_match *m, const uint32_t *start, const uint32_t *pos) {
  uint32_t maxoff = m->position[m->n_terms - 1];
  pvec *l = &x->pleft;
  for (uint32_t q = 0; q < m->n_terms; q++) {
    uint32_t d = m->term[q], n = start[d + 1] - start[d], sh = maxoff - m->position[q];
    uint32_t *r;
    if (q == 0) {
      if (!pvec_reserve(l, n)) goto oom;
      r = l->v;
      l->n = n;
      l->has_s = false;
    } else {
      if (!pvec_reserve(&x->pright, n)) goto oom;
      r = x->pright.v;
    }
    for (uint32_t j = 0; j < n; j++) r[j] = pos[start[d] + j] + sh;
    if (q == 0) continue;
    if (q == m->n_terms - 1) return phrase_exists(l, r, n, m->slop);
    if (m->slop == 0) phrase_intersect(l, r, n);
    else if (!phrase_carry(l, r, n, m->slop, &x->pnext)) goto oom;
    if (!l->n) return K_FALSE;
  }
  return K_FALSE;
oom:
  x->oom = true;
  return K_FALSE;
}

static int match_row(ectx *x, const pt_pred *pr, uint32_t i) {
  const pt_match *m = pr->match;
  cell c = read_field(x, pr->col.field, i);
  if (c.null) return K_UNKNOWN;
  if (m->n_terms == 0) return K_FALSE; /* a query of no tokens matches nothing */
  pt_error e;
  pt_status rc = pt_analyzer_run(m->analyzer, c.s ? c.s : "", c.slen, &x->toks, &e);
  if (rc == PT_NOMEM) x->oom = true;
  if (rc) return K_FALSE; /* stored text is UTF-8 (checked when written) */
  const pt_tokens *t = &x->toks;
  size_t nd = m->n_distinct;
  bool phrase = m->phrase && m->n_terms > 1; /* tantivy: a phrase of one token is a term query */
  /* cnt[nd], touched[nd]; for a phrase also start[nd + 1], pos[t->n] */
  uint32_t *s = match_scratch(x, pr, 2 * nd + (phrase ? nd + 1 + t->n : 0), nd);
  if (!s) return K_FALSE;
  uint32_t *cnt = s, *touched = s + nd, n_touched = 0;
  /* the row's tokens that are query terms: cnt[d] occurrences of term d */
  int64_t clauses = 0;
  for (size_t k = 0; k < t->n; k++) {
    const char *w = pt_token_text(t, k);
    uint32_t d = pt_match_find(m, w, t->v[k].len, pt_hash_bytes(w, t->v[k].len));
    if (d == UINT32_MAX) continue;
    if (cnt[d]++ == 0) {
      touched[n_touched++] = d;
      clauses += m->mult[d];
      if (!phrase && clauses >= m->min_should) break;
    }
  }
  int out;
  if (!phrase) {
    out = clauses >= m->min_should;
  } else if (n_touched < nd) {
    out = K_FALSE; /* a term of the phrase is missing */
  } else {
    /* each term's positions, ascending: pos[start[d] .. start[d + 1]) */
    uint32_t *start = s + 2 * nd, *pos = start + nd + 1, at = 0;
    for (size_t d = 0; d < nd; d++) {
      start[d] = at;
      at += cnt[d];
      cnt[d] = start[d]; /* now where the next position of d goes */
    }
    start[nd] = at;
    for (size_t k = 0; k < t->n; k++) {
      const char *w = pt_token_text(t, k);
      uint32_t d = pt_match_find(m, w, t->v[k].len, pt_hash_bytes(w, t->v[k].len));
      if (d != UINT32_MAX) pos[cnt[d]++] = t->v[k].position;
    }
    out = phrase_row(x, m, start, pos);
  }
  for (uint32_t k = 0; k < n_touched; k++) cnt[touched[k]] = 0;
  return out;
}

typedef int (*row_truth)(ectx *x, const pt_pred *pr, uint32_t i);

/* Writes out a dense selection (ectx.dense). */
static void materialize(ectx *x, uint32_t *sel, uint32_t n) {
  if (!x->dense) return;
  for (uint32_t i = 0; i < n; i++) sel[i] = i;
  x->dense = false;
}

/* Any leaf, a row at a time. */
static uint32_t keep_rows(ectx *x, const pt_pred *pr, row_truth truth, uint32_t *sel, uint32_t n, int want) {
  materialize(x, sel, n);
  uint32_t k = 0;
  for (uint32_t j = 0; j < n; j++) {
    uint32_t i = sel[j];
    sel[k] = i;
    k += truth(x, pr, i) == want;
  }
  return k;
}

/* ============================================================================================
 * Fast leaves: one typed loop over a plain column (no JSON path, no array element)
 * ========================================================================================== */

/* Each loop is a small function of its own, called through a pointer: inlined into
 * select_rows (one WebAssembly function of 55 KB; Binaryen inlines every function called from
 * one place, whatever its size or attributes), the loops ran with their values spilled to the
 * stack by V8's optimising compiler, the INT32 comparison at a third of its native speed. */

/* What a loop works on: the selection sel[0..n) (dense: the rows 0..n-1 themselves, not yet
 * written), `flip` 1 when the rows wanted are the FALSE ones, and the column's validity bitmap
 * (NULL when it has none: a NULL row is UNKNOWN, never kept). */
typedef struct keeper {
  uint32_t *sel;
  uint32_t n, flip;
  const uint8_t *vb;
  bool dense;
} keeper;

typedef uint32_t (*keep_fn)(const keeper *kp, const pt_column *col, const pt_pred *pr);

#define KEEPER_LOCALS(kp)                                                                          \
  uint32_t *sel = (kp)->sel, n = (kp)->n, flip = (kp)->flip, k = 0;                                \
  const uint8_t *vb = (kp)->vb;                                                                    \
  bool dense = (kp)->dense

/* Row i is written at sel[k] and k advances when TEST ^ flip holds (and the row is not NULL):
 * no branch on the data. */
#define KEEP_LOOP(I_OF_J, TEST)                                                                    \
  do {                                                                                             \
    if (vb) {                                                                                      \
      for (uint32_t j_ = 0; j_ < n; j_++) {                                                        \
        uint32_t i = I_OF_J;                                                                       \
        sel[k] = i;                                                                                \
        k += (uint32_t)(((TEST) ^ flip) & pt_bit_get(vb, i));                                      \
      }                                                                                            \
    } else {                                                                                       \
      for (uint32_t j_ = 0; j_ < n; j_++) {                                                        \
        uint32_t i = I_OF_J;                                                                       \
        sel[k] = i;                                                                                \
        k += (uint32_t)((TEST) ^ flip);                                                            \
      }                                                                                            \
    }                                                                                              \
  } while (0)
#define KEEP(TEST)                                                                                 \
  do {                                                                                             \
    if (dense) KEEP_LOOP(j_, TEST);                                                                \
    else KEEP_LOOP(sel[j_], TEST);                                                                 \
  } while (0)

#ifdef __wasm_simd128__
/* The lanes set in a 4-bit mask, in order (the rest 0). */
static const uint32_t LANES4[16][4] = {{0, 0, 0, 0}, {0, 0, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {2, 0, 0, 0}, {0, 2, 0, 0},
                                       {1, 2, 0, 0}, {0, 1, 2, 0}, {3, 0, 0, 0}, {0, 3, 0, 0}, {1, 3, 0, 0}, {0, 1, 3, 0},
                                       {2, 3, 0, 0}, {0, 2, 3, 0}, {1, 2, 3, 0}, {0, 1, 2, 3}};

/* A dense selection of a column of 4-byte values without NULLs compared with w, four rows at a
 * time: one vector comparison, and the rows kept written as one vector of indices (k <= i, so
 * the four lanes written never pass row i + 3). */
#define KEEP_DENSE4(VT, OPV, OPS)                                                                  \
  do {                                                                                             \
    const v128_t wv_ = VT##_splat(w);                                                              \
    uint32_t i_ = 0;                                                                               \
    for (; i_ + 4 <= n; i_ += 4) {                                                                 \
      uint32_t bits_ = (uint32_t)wasm_i32x4_bitmask(VT##_##OPV(wasm_v128_load(a + i_), wv_)) ^ fmask; \
      wasm_v128_store(sel + k, wasm_i32x4_add(wasm_v128_load(LANES4[bits_]), wasm_i32x4_splat((int32_t)i_))); \
      k += (uint32_t)__builtin_popcount(bits_);                                                    \
    }                                                                                              \
    for (; i_ < n; i_++) {                                                                         \
      sel[k] = i_;                                                                                 \
      k += (uint32_t)((a[i_] OPS w) ^ flip);                                                       \
    }                                                                                              \
  } while (0)
#define DEFINE_KEEP_DENSE4(SUFFIX, T, VT)                                                          \
  static uint32_t keep_dense_##SUFFIX(const T *a, T w, int cmp, uint32_t flip, uint32_t *sel, uint32_t n) { \
    uint32_t k = 0, fmask = flip ? 0xF : 0;                                                        \
    switch (cmp) {                                                                                 \
    case CMP_EQ: KEEP_DENSE4(VT, eq, ==); break;                                                   \
    case CMP_NE: KEEP_DENSE4(VT, ne, !=); break;                                                   \
    case CMP_LT: KEEP_DENSE4(VT, lt, <); break;                                                    \
    case CMP_LE: KEEP_DENSE4(VT, le, <=); break;                                                   \
    case CMP_GT: KEEP_DENSE4(VT, gt, >); break;                                                    \
    default: KEEP_DENSE4(VT, ge, >=); break;                                                       \
    }                                                                                              \
    return k;                                                                                      \
  }
DEFINE_KEEP_DENSE4(i32, int32_t, wasm_i32x4)
DEFINE_KEEP_DENSE4(f32, float, wasm_f32x4)
#define DENSE4(SUFFIX)                                                                             \
  if (dense && !vb) return keep_dense_##SUFFIX(a, w, pr->cmp, flip, sel, n);
#else
#define DENSE4(SUFFIX)
#endif

/* column CMP value, and lo <(=) column <(=) hi, for a fixed-width type T whose constants
 * the plan holds in member M (i or d); PRE: a faster way first, when there is one */
#define DEFINE_KEEP_CMP(SUFFIX, T, M, PRE)                                                         \
  static uint32_t keep_cmp_##SUFFIX(const keeper *kp, const pt_column *col, const pt_pred *pr) {   \
    KEEPER_LOCALS(kp);                                                                             \
    const T *a = (const T *)(const void *)col->data;                                               \
    const T w = (T)pr->value.M;                                                                    \
    PRE                                                                                            \
    switch (pr->cmp) {                                                                             \
    case CMP_EQ: KEEP(a[i] == w); break;                                                           \
    case CMP_NE: KEEP(a[i] != w); break;                                                           \
    case CMP_LT: KEEP(a[i] < w); break;                                                            \
    case CMP_LE: KEEP(a[i] <= w); break;                                                           \
    case CMP_GT: KEEP(a[i] > w); break;                                                            \
    default: KEEP(a[i] >= w); break;                                                               \
    }                                                                                              \
    return k;                                                                                      \
  }
#define DEFINE_KEEP_RANGE(SUFFIX, T, M)                                                            \
  static uint32_t keep_range_##SUFFIX(const keeper *kp, const pt_column *col, const pt_pred *pr) { \
    KEEPER_LOCALS(kp);                                                                             \
    const T *a = (const T *)(const void *)col->data;                                               \
    const T lo = (T)pr->lo.M, hi = (T)pr->hi.M;                                                    \
    if (pr->lo_incl && pr->hi_incl) KEEP((uint32_t)(a[i] >= lo) & (a[i] <= hi));                   \
    else if (pr->lo_incl) KEEP((uint32_t)(a[i] >= lo) & (a[i] < hi));                              \
    else if (pr->hi_incl) KEEP((uint32_t)(a[i] > lo) & (a[i] <= hi));                              \
    else KEEP((uint32_t)(a[i] > lo) & (a[i] < hi));                                                \
    return k;                                                                                      \
  }
DEFINE_KEEP_CMP(i8, int8_t, i, )
DEFINE_KEEP_CMP(i16, int16_t, i, )
DEFINE_KEEP_CMP(i32, int32_t, i, DENSE4(i32))
DEFINE_KEEP_CMP(i64, int64_t, i, )
DEFINE_KEEP_CMP(f32, float, d, DENSE4(f32))
DEFINE_KEEP_CMP(f64, double, d, )
DEFINE_KEEP_CMP(bool, uint8_t, b, )
DEFINE_KEEP_RANGE(i32, int32_t, i)
DEFINE_KEEP_RANGE(i64, int64_t, i)
DEFINE_KEEP_RANGE(f32, float, d)
DEFINE_KEEP_RANGE(f64, double, d)

/* An integer column in a list of constants: sorted (binary search) or short (linear). */
static inline bool int_list_has(const pt_value *items, size_t m, int64_t v) {
  for (size_t j = 0; j < m; j++)
    if (items[j].i == v) return true;
  return false;
}

#define DEFINE_KEEP_IN(SUFFIX, T)                                                                  \
  static uint32_t keep_in_##SUFFIX(const keeper *kp, const pt_column *col, const pt_pred *pr) {    \
    KEEPER_LOCALS(kp);                                                                             \
    const T *a = (const T *)(const void *)col->data;                                               \
    const pt_value *items = pr->value.items;                                                       \
    size_t m = pr->value.n;                                                                        \
    if (pr->sorted) KEEP(sorted_has_int(items, m, a[i]));                                          \
    else KEEP(int_list_has(items, m, a[i]));                                                       \
    return k;                                                                                      \
  }
DEFINE_KEEP_IN(i8, int8_t)
DEFINE_KEEP_IN(i16, int16_t)
DEFINE_KEEP_IN(i32, int32_t)
DEFINE_KEEP_IN(i64, int64_t)

/* Strings in a short list are compared by a key of 8 bytes: a string of fewer than 8 bytes is
 * its bytes, zero-padded, with its length in the last byte; a longer one its first 8 bytes.
 * Two strings of fewer than 8 bytes are equal when their keys are; any other match of keys is
 * confirmed byte for byte. In the column's arena, a string's key is one 8-byte load wherever
 * 8 bytes can be read (`readable`: all but the arena's last few strings). */
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "filter.c reads string keys as little-endian words (as snapshot.c stores columns)"
#endif
static inline uint64_t str_key(const char *s, uint32_t len, bool readable) {
  uint64_t w = 0;
  if (len >= 8 || readable) {
    memcpy(&w, s, 8);
    if (len >= 8) return w;
  } else {
    for (uint32_t k = 0; k < len; k++) w |= (uint64_t)(unsigned char)s[k] << (8 * k);
  }
  return (w & ((UINT64_C(1) << (8 * len)) - 1)) | (uint64_t)len << 56;
}

/* Whether a string whose key matched is one of a list's strings. */
static bool str_listed(const char *s, uint32_t len, const pt_value *items, size_t m) {
  for (size_t j = 0; j < m; j++)
    if (items[j].slen == len && memcmp(s, items[j].s, len) == 0) return true;
  return false;
}

/* Whether row i of a VARCHAR column is in a list whose keys are keys[0..cnt) (cnt may exceed
 * the list's m strings: padded with repeats). `confirm`: the list has a string of 8 bytes or
 * more, so that any match of keys is confirmed. */
static inline uint32_t str_row_in(const char *data, const uint32_t *offs, uint32_t i, size_t cap, const uint64_t *keys,
                                  size_t cnt, bool confirm, const pt_value *items, size_t m) {
  uint32_t a = offs[i], len = offs[i + 1] - a;
  uint64_t key = str_key(data + a, len, (size_t)a + 8 <= cap);
  uint32_t found = 0;
  for (size_t j = 0; j < cnt; j++) found |= (uint32_t)(keys[j] == key);
  if ((len >= 8 || confirm) && found) found = str_listed(data + a, len, items, m);
  return found;
}

#ifdef __wasm_simd128__
/* The same for a list of at most four, its keys in two vectors: the loop's other values keep
 * the general registers (with the four keys in them too, V8 spilled them to the stack). */
static inline uint32_t str_row_in4(const char *data, const uint32_t *offs, uint32_t i, size_t cap, v128_t k01,
                                   v128_t k23, bool confirm, const pt_value *items, size_t m) {
  uint32_t a = offs[i], len = offs[i + 1] - a;
  v128_t key = wasm_i64x2_splat((int64_t)str_key(data + a, len, (size_t)a + 8 <= cap));
  uint32_t found = wasm_v128_any_true(wasm_v128_or(wasm_i64x2_eq(key, k01), wasm_i64x2_eq(key, k23)));
  if ((len >= 8 || confirm) && found) found = str_listed(data + a, len, items, m);
  return found;
}
#endif

/* A VARCHAR column in a list of strings (`in`), or equal to one (== and !=: a list of one). A
 * list longer than PT_TERM_SORTED_AFTER is sorted and searched; a shorter one is compared by
 * keys, a list of at most four in one test without a loop. */
static uint32_t keep_in_str(const keeper *kp, const pt_column *col, const pt_pred *pr) {
  KEEPER_LOCALS(kp);
  const uint32_t *offs = col->offsets;
  const char *data = col->data ? (const char *)col->data : "";
  bool term = pr->kind == P_TERM;
  const pt_value *items = term ? pr->value.items : &pr->value;
  size_t m = term ? pr->value.n : 1, cap = col->cap;
  if (term && pr->sorted) {
    KEEP(sorted_has_string(items, m, data + offs[i], offs[i + 1] - offs[i]));
    return k;
  }
  uint64_t keys[PT_TERM_SORTED_AFTER > 4 ? PT_TERM_SORTED_AFTER : 4];
  bool confirm = false;
  for (size_t j = 0; j < m; j++) {
    keys[j] = str_key(items[j].s, (uint32_t)items[j].slen, false);
    confirm |= items[j].slen >= 8;
  }
  for (size_t j = m; j < 4; j++) keys[j] = keys[0];
  if (m > 4) {
    KEEP(str_row_in(data, offs, i, cap, keys, m, confirm, items, m));
    return k;
  }
#ifdef __wasm_simd128__
  const v128_t k01 = wasm_i64x2_make((int64_t)keys[0], (int64_t)keys[1]);
  const v128_t k23 = wasm_i64x2_make((int64_t)keys[2], (int64_t)keys[3]);
  KEEP(str_row_in4(data, offs, i, cap, k01, k23, confirm, items, m));
#else
  KEEP(str_row_in(data, offs, i, cap, keys, 4, confirm, items, m));
#endif
  return k;
}

static bool plain_column(const pt_pred *pr) {
  return !pr->col.has_index && !pr->col.n_keys && !pr->col.dynamic;
}

/* The typed loop for a leaf, or NULL when it has none (the leaf goes row by row): a
 * fixed-width column compared with a constant (an integer constant within the column's type),
 * a VARCHAR column == or != a string, a range on an INT32 / INT64 / FLOAT / DOUBLE column, an
 * integer or VARCHAR column in a list. */
static keep_fn fast_leaf(const pt_pred *pr) {
  if ((pr->kind != P_COMPARE && pr->kind != P_RANGE && pr->kind != P_TERM) || !plain_column(pr)) return NULL;
  int t = pr->col.dtype;
  int64_t lo, hi;
  switch (pr->kind) {
  case P_COMPARE:
    if (pr->arith != AR_NONE || pr->array_length) return NULL;
    switch (t) {
    case PT_INT8: case PT_INT16: case PT_INT32:
      pt_dtype_int_range(t, &lo, &hi);
      if (pr->value.i < lo || pr->value.i > hi) return NULL;
      return t == PT_INT8 ? keep_cmp_i8 : t == PT_INT16 ? keep_cmp_i16 : keep_cmp_i32;
    case PT_INT64: return keep_cmp_i64;
    case PT_FLOAT: return keep_cmp_f32;
    case PT_DOUBLE: return keep_cmp_f64;
    case PT_BOOL: return keep_cmp_bool;
    case PT_VARCHAR: return pr->cmp == CMP_EQ || pr->cmp == CMP_NE ? keep_in_str : NULL;
    default: return NULL;
    }
  case P_RANGE:
    switch (t) {
    case PT_INT32: return pr->lo.i >= INT32_MIN && pr->hi.i <= INT32_MAX ? keep_range_i32 : NULL;
    case PT_INT64: return keep_range_i64;
    case PT_FLOAT: return keep_range_f32;
    case PT_DOUBLE: return keep_range_f64;
    default: return NULL;
    }
  case P_TERM:
    switch (t) {
    case PT_VARCHAR: return keep_in_str;
    case PT_INT64: return keep_in_i64;
    case PT_INT32: return keep_in_i32;
    case PT_INT16: return keep_in_i16;
    case PT_INT8: return keep_in_i8;
    default: return NULL;
    }
  default: return NULL;
  }
}

/* A leaf with a typed loop, over the selection. */
static uint32_t keep_fast(ectx *x, const pt_pred *pr, keep_fn fn, uint32_t *sel, uint32_t n, int want) {
  const pt_column *col = &x->seg->cols[pr->col.field];
  bool negate = pr->kind == P_TERM ? pr->negate : pr->col.dtype == PT_VARCHAR && pr->cmp == CMP_NE;
  keeper kp = {sel, n, (uint32_t)(want == K_FALSE) ^ negate, col->valid, x->dense};
  x->dense = false;
  return fn(&kp, col, pr);
}

/* ============================================================================================
 * Logic: the rows of a selection where an expression is TRUE (or FALSE)
 * ========================================================================================== */

static uint32_t select_rows(ectx *x, const pt_pred *pr, uint32_t *sel, uint32_t n, int want);

/* How early a child of AND / OR is evaluated: plain numeric columns, then plain strings and
 * integer lists, then the rest (JSON, like, nested logic). Kleene's AND and OR commute and
 * evaluating has no effects, so the order only decides how many rows the costly ones see. */
static int cost_class(const pt_pred *pr) {
  if (pr->kind == P_CONST || pr->kind == P_NULL) return 0;
  keep_fn fn = fast_leaf(pr);
  if (!fn) return 2;
  return fn == keep_in_str || pr->kind == P_TERM ? 1 : 0;
}

/* Removes from a[0..na) the rows of b[0..nb), a sorted subset of it: the new count. */
static uint32_t remove_rows(uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb) {
  uint32_t k = 0, j = 0;
  for (uint32_t i = 0; i < na; i++) {
    if (j < nb && b[j] == a[i]) { j++; continue; }
    a[k++] = a[i];
  }
  return k;
}

/* AND asked for TRUE, OR asked for FALSE: each child keeps the rows the last one kept. */
static uint32_t select_all(ectx *x, const pt_pred *pr, uint32_t *sel, uint32_t n, int want) {
  for (int cls = 0; cls <= 2; cls++)
    for (size_t k = 0; k < pr->n_kids && n && !x->oom; k++)
      if (cost_class(pr->kids[k]) == cls) n = select_rows(x, pr->kids[k], sel, n, want);
  return n;
}

/* AND asked for FALSE, OR asked for TRUE: a row is kept when one child has the value; each
 * child looks only at the rows no child before it has decided. */
static uint32_t select_any(ectx *x, const pt_pred *pr, uint32_t *sel, uint32_t n, int want) {
  materialize(x, sel, n);
  uint32_t *rest = pt_malloc((n ? n : 1) * sizeof *rest), *tmp = pt_malloc((n ? n : 1) * sizeof *tmp);
  uint32_t left = n;
  if (!rest || !tmp) {
    x->oom = true;
    goto done;
  }
  memcpy(rest, sel, n * sizeof *sel);
  for (int cls = 0; cls <= 2; cls++)
    for (size_t k = 0; k < pr->n_kids && left && !x->oom; k++) {
      if (cost_class(pr->kids[k]) != cls) continue;
      memcpy(tmp, rest, left * sizeof *rest);
      uint32_t got = select_rows(x, pr->kids[k], tmp, left, want);
      left = remove_rows(rest, left, tmp, got);
    }
  n = remove_rows(sel, n, rest, left); /* the rows some child decided */
done:
  pt_free(rest);
  pt_free(tmp);
  return n;
}

/* Keeps the rows of sel[0..n) (ascending offsets) where `pr` has the truth value `want`
 * (K_TRUE or K_FALSE; an UNKNOWN row is never kept); returns how many, in sel, in order. With
 * both sets, every rule of Kleene's logic is a set operation: NOT swaps them; AND is TRUE
 * where every child is TRUE and FALSE where one child is; OR the other way round. */
static uint32_t select_rows(ectx *x, const pt_pred *pr, uint32_t *sel, uint32_t n, int want) {
  keep_fn fn = fast_leaf(pr);
  switch (pr->kind) {
  case P_CONST: return pr->b == (want == K_TRUE) ? n : 0;
  case P_NOT: return select_rows(x, pr->kids[0], sel, n, want == K_TRUE ? K_FALSE : K_TRUE);
  case P_AND: return want == K_TRUE ? select_all(x, pr, sel, n, want) : select_any(x, pr, sel, n, want);
  case P_OR: return want == K_TRUE ? select_any(x, pr, sel, n, want) : select_all(x, pr, sel, n, want);
  case P_COMPARE: return fn ? keep_fast(x, pr, fn, sel, n, want) : keep_rows(x, pr, compare_row, sel, n, want);
  case P_COMPARE_COLS: return keep_rows(x, pr, compare_cols_row, sel, n, want);
  case P_RANGE: return fn ? keep_fast(x, pr, fn, sel, n, want) : keep_rows(x, pr, range_row, sel, n, want);
  case P_TERM: return fn ? keep_fast(x, pr, fn, sel, n, want) : keep_rows(x, pr, term_row, sel, n, want);
  case P_LIKE: return keep_rows(x, pr, like_row, sel, n, want);
  case P_NULL: return keep_rows(x, pr, null_row, sel, n, want);
  case P_EXISTS: return keep_rows(x, pr, exists_row, sel, n, want);
  case P_CONTAINS: return keep_rows(x, pr, contains_row, sel, n, want);
  case P_MATCH: return keep_rows(x, pr, match_row, sel, n, want);
  }
  return 0;
}

pt_status pt_filter_select(const pt_filter *f, const pt_collection *c, size_t part, size_t seg, uint32_t *rows,
                           size_t *n_rows, pt_error *err) {
  const pt_layout *lay = &c->layout;
  pt_partition *p = c->parts[part]; /* not const: a lookup may enter its unindexed rows */
  const pt_segment *s = p->segs[seg];
  uint32_t n = 0;
  if (f && f->is_keys) { /* rows of the listed keys, from the key index */
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
    for (uint32_t i = 0; i < s->count; i++) {
      rows[n] = i;
      n += hit[i] & !pt_bit_get(s->deleted, i);
    }
    pt_free(hit);
    *n_rows = n;
    return PT_OK;
  }
  ectx x = {c, p, s, NULL, 0, false, false, {0}, NULL, 0, NULL, {0}, {0}, {0}};
  if (s->live == s->count) {
    x.dense = true;
    n = s->count;
  } else {
    for (uint32_t i = 0; i < s->count; i++) {
      rows[n] = i;
      n += !pt_bit_get(s->deleted, i);
    }
  }
  if (f && n) {
    n = select_rows(&x, pt_plan_root(f->plan), rows, n, K_TRUE);
    pt_free(x.tmp);
    pt_tokens_release(&x.toks);
    pt_free(x.mscratch);
    pvec_release(&x.pleft);
    pvec_release(&x.pright);
    pvec_release(&x.pnext);
    if (x.oom) return pt_fail_nomem(err);
  }
  materialize(&x, rows, n);
  *n_rows = n;
  return PT_OK;
}
