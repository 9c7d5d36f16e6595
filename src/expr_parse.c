/*
 * expr_parse.c — parsing and type-checking Milvus filter expressions into a plan (expr.h).
 *
 * HOW IT WORKS
 * A precedence-climbing parser follows Plan.g4's order of alternatives (tightest first):
 * primaries and `like`, `**`, unary + - ~ not, * / %, + -, << >>, [not] in, < <= > >= (and the
 * ranges `a < x < b`, `a > x > b`), == !=, &, ^, |, and, or. Every step returns an `item`: a
 * constant (folded as soon as both sides are constants), a column (field, JSON path, array
 * element), an arithmetic `column op constant`, array_length(column), or a predicate. The
 * checks Milvus's visitor makes happen as items combine, with its messages, so that the same
 * expression is accepted or refused here as on a Milvus 2.6 server. AND / OR chains are
 * flattened into one node, so a long chain costs no recursion; nesting (parentheses, unary
 * operators, calls) is bounded by PT_EXPR_MAX_DEPTH. Time and memory are linear in the text:
 * nothing built is copied again as it grows (arrays double), and the plan's nodes and constants
 * are compact, so a plan takes at most about 40 bytes per byte of expression
 * (tests/unit/test_bounds.c holds every form of expression to that).
 *
 * Errors read as Milvus's: "failed to create <query|delete> plan: cannot parse expression:
 * <expr>, error: <reason>: invalid parameter" (code 1100), and carry the byte span of the
 * offending text in pt_error.expr_offset / expr_length.
 */
#include "expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyzer.h"
#include "cJSON.h"
#include "json.h"
#include "text.h"

/* ============================================================================================
 * The plan and its arena
 * ========================================================================================== */

typedef struct arena_block {
  struct arena_block *next;
  size_t used, cap;
  max_align_t data[];
} arena_block;

struct pt_plan {
  arena_block *blocks;
  pt_pred *root;
  const pt_value *keys; /* primary-key filters */
  size_t n_keys;
  bool is_keys;
};

static void *arena_alloc(pt_plan *p, size_t size) {
  size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
  arena_block *b = p->blocks;
  if (!b || b->cap - b->used < size) {
    size_t cap = size > 16384 ? size : 16384;
    arena_block *nb = pt_malloc(sizeof *nb + cap);
    if (!nb) return NULL;
    nb->next = p->blocks;
    nb->used = 0;
    nb->cap = cap;
    p->blocks = nb;
    b = nb;
  }
  void *out = (char *)b->data + b->used;
  b->used += size;
  memset(out, 0, size);
  return out;
}

void pt_plan_free(pt_plan *p) {
  if (!p) return;
  for (arena_block *b = p->blocks; b;) {
    arena_block *next = b->next;
    pt_free(b);
    b = next;
  }
  pt_free(p);
}

const pt_pred *pt_plan_root(const pt_plan *p) { return p ? p->root : NULL; }

/* ============================================================================================
 * Parser state and errors
 * ========================================================================================== */

typedef enum ikind { I_CONST, I_COLUMN, I_ARITH, I_ARRAY_LENGTH, I_PRED } ikind;

typedef struct item {
  ikind kind;
  pt_value v;          /* I_CONST */
  bool literal;        /* I_CONST straight from a literal token (not folded) */
  pt_colref col;       /* I_COLUMN / I_ARITH / I_ARRAY_LENGTH */
  pt_arith arith;      /* I_ARITH */
  pt_value operand;
  pt_pred *pred;       /* I_PRED */
  size_t pos, end;     /* span in the text */
  bool single_token;   /* a bare (JSON) identifier token: the middle of a range */
  bool templ;          /* I_CONST bound from a template parameter `{name}` */
  size_t tname, tname_len; /* templ: the name's span in the text */
} item;

/* A template parameter: its name and value (in the parameters' tree and text). */
typedef struct tparam {
  const char *name;
  const cJSON *v;
  pt_str raw;
  size_t order;        /* position among the members: the last of a repeated name wins */
} tparam;

typedef struct parser {
  pt_lexer lx;
  pt_token tok;       /* current token */
  const pt_collection *c;
  const pt_schema *s;
  pt_plan *plan;
  const char *what;
  pt_error *err;
  int depth;
  bool failed;
  /* template parameters (expr_params): a tree of the JSON object, its members sorted by name */
  cJSON *params;
  tparam *tparams;
  size_t n_tparams;
  size_t budget;       /* bytes of parameter text template values may still expand to */
  bool filling;        /* reporting an error of a template value (fail) */
} parser;

static void advance(parser *p) { p->tok = pt_lex_next(&p->lx); }

/* The text of a span with white space removed, as ANTLR's ctx.GetText() gives it. */
static void span_text(const parser *p, size_t pos, size_t end, char *out, size_t size) {
  size_t k = 0;
  for (size_t i = pos; i < end && i < p->lx.len && k + 1 < size; i++) {
    char ch = p->lx.s[i];
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') continue;
    out[k++] = ch;
  }
  if (size) out[k] = '\0';
  if (k + 1 >= size && size > 4) memcpy(out + size - 4, "...", 4);
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
static pt_status fail(parser *p, size_t pos, size_t end, const char *fmt, ...) {
  if (p->failed) return PT_PARSE;
  p->failed = true;
  char reason[600], ex[300];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  pt_excerpt(ex, sizeof ex, p->lx.s, p->lx.len, 256);
  if (p->filling) /* Milvus fills template values after parsing: its errors name no expression */
    pt_fail(p->err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "failed to create %s plan: %s" PT_INVALID_PARAMETER,
            p->what, reason);
  else
    pt_fail(p->err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "failed to create %s plan: cannot parse expression: %s, error: %s" PT_INVALID_PARAMETER, p->what, ex, reason);
  if (p->err) {
    p->err->expr_offset = (int32_t)pos;
    p->err->expr_length = (int32_t)(end > pos ? end - pos : 0);
  }
  return PT_PARSE;
}

/* An error of a template value, as Milvus reports those found while filling values in. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
static pt_status fill_fail(parser *p, size_t pos, size_t end, const char *fmt, ...) {
  char reason[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  p->filling = true;
  return fail(p, pos, end, "%s", reason);
}

static pt_status fail_item(parser *p, const item *it, const char *fmt_with_text) {
  char text[300];
  span_text(p, it->pos, it->end, text, sizeof text);
  return fail(p, it->pos, it->end, fmt_with_text, text);
}

static pt_status nomem(parser *p) {
  p->failed = true;
  return pt_fail_nomem(p->err);
}

static const char *tok_text(const parser *p, const pt_token *t, char *buf, size_t size) {
  if (t->kind == T_END) return "<EOF>";
  pt_excerpt(buf, size, p->lx.s + t->pos, t->len, 60);
  return buf;
}

static pt_status syntax(parser *p, const char *expecting) {
  char buf[80];
  if (p->tok.kind == T_BAD)
    return fail(p, p->tok.pos, p->tok.pos + p->tok.len, "line 1:%zu token recognition error at: '%s'", p->tok.pos,
                tok_text(p, &p->tok, buf, sizeof buf));
  return fail(p, p->tok.pos, p->tok.pos + p->tok.len, "line 1:%zu mismatched input '%s' expecting %s", p->tok.pos,
              tok_text(p, &p->tok, buf, sizeof buf), expecting);
}

/* ============================================================================================
 * Types and values
 * ========================================================================================== */

static const char *vtype_name(pt_vtype t) {
  switch (t) {
  case VT_BOOL: return "Bool";
  case VT_INT: return "Int64";
  case VT_FLOAT: return "Double";
  case VT_STRING: return "VarChar";
  case VT_ARRAY: return "Array";
  case VT_JSON: return "JSON";
  default: return "None";
  }
}

/* The proto text form of a value, as Milvus prints it in cast errors. */
static void value_text(const pt_value *v, char *out, size_t size) {
  switch (v->type) {
  case VT_BOOL: snprintf(out, size, "bool_val:%s", v->b ? "true" : "false"); break;
  case VT_INT: snprintf(out, size, "int64_val:%lld", (long long)v->i); break;
  case VT_FLOAT: snprintf(out, size, "float_val:%.17g", v->d); break;
  case VT_STRING: snprintf(out, size, "string_val:\"%.*s\"", (int)(v->slen < 100 ? v->slen : 100), v->s); break;
  case VT_ARRAY: snprintf(out, size, "array_val:{...}"); break;
  default: snprintf(out, size, "<nil>"); break;
  }
}

static bool is_int_dtype(int t) { return t >= PT_INT8 && t <= PT_INT64; }
static bool is_float_dtype(int t) { return t == PT_FLOAT || t == PT_DOUBLE; }
static bool is_string_dtype(int t) { return t == PT_VARCHAR || t == PT_STRING || t == PT_TEXT; }
static bool is_numeric_dtype(int t) { return is_int_dtype(t) || is_float_dtype(t); }

/* The DataType a column's values have (an ARRAY element, a JSON value, ...). */
static int col_type(const pt_colref *c) { return c->vtype_dtype; }

static const char *dtype_display(const pt_colref *c) { return pt_dtype_proto_name(col_type(c)); }

/* canBeComparedDataType: may a value of column type `t` be compared with a constant of `v`? */
static bool comparable(int t, pt_vtype v) {
  if (t == PT_JSON || v == VT_JSON) return true;
  if (t == PT_BOOL) return v == VT_BOOL;
  if (is_numeric_dtype(t)) return v == VT_INT || v == VT_FLOAT;
  if (is_string_dtype(t)) return v == VT_STRING;
  return false;
}

static bool columns_comparable(int a, int b) {
  if (a == PT_BOOL || b == PT_BOOL) return a == b;
  if (is_numeric_dtype(a)) return is_numeric_dtype(b);
  if (is_string_dtype(a)) return is_string_dtype(b);
  return false;
}

/* castValue: the constant as the column's type, or an error. */
static pt_status cast_value(parser *p, const item *where, int t, pt_value *v, const char *fmt_value_type) {
  char vt[200];
  bool ok;
  if (t == PT_JSON) return PT_OK;
  if (is_int_dtype(t)) ok = v->type == VT_INT;
  else if (is_float_dtype(t)) {
    ok = v->type == VT_INT || v->type == VT_FLOAT;
    if (ok && v->type == VT_INT) {
      v->d = (double)v->i;
      v->type = VT_FLOAT;
    }
  } else if (is_string_dtype(t)) ok = v->type == VT_STRING;
  else if (t == PT_BOOL) ok = v->type == VT_BOOL;
  else ok = false;
  if (ok) return PT_OK;
  value_text(v, vt, sizeof vt);
  return fail(p, where->pos, where->end, fmt_value_type, vt, pt_dtype_proto_name(t));
}

/* ============================================================================================
 * Columns
 * ========================================================================================== */

static const char *dup_text(parser *p, const char *s, size_t n) {
  char *out = arena_alloc(p->plan, n + 1);
  if (!out) return NULL;
  memcpy(out, s, n);
  out[n] = '\0';
  return out;
}

/* Resolves `name` to a field, $meta, or a dynamic key of $meta. */
static pt_status resolve_name(parser *p, const pt_token *t, const char *name, size_t n, pt_colref *c, bool *dyn_key) {
  memset(c, 0, sizeof *c);
  *dyn_key = false;
  if (pt_str_eqz(name, n, PT_DYNAMIC_FIELD_NAME)) {
    if (!p->s->enable_dynamic_field)
      return fail(p, t->pos, t->pos + t->len, "field %.*s not exist", (int)n, name);
    c->field = p->c->layout.dynamic;
    c->dynamic = true;
    c->dtype = PT_JSON;
    c->vtype_dtype = PT_JSON;
    return PT_OK;
  }
  int fi = pt_schema_find(p->s, name, n);
  if (fi >= 0) {
    const pt_field *f = &p->s->fields[fi];
    if (f->dtype == PT_TEXT) return fail(p, t->pos, t->pos + t->len, "filter on text field (%s) is not supported yet", f->name);
    c->field = fi;
    c->dtype = f->dtype;
    c->elem_type = f->element_type;
    c->vtype_dtype = f->dtype;
    return PT_OK;
  }
  if (!p->s->enable_dynamic_field) return fail(p, t->pos, t->pos + t->len, "field %.*s not exist", (int)n, name);
  /* a dynamic key: $meta["name"] */
  c->field = p->c->layout.dynamic;
  c->dynamic = true;
  c->dtype = PT_JSON;
  c->vtype_dtype = PT_JSON;
  *dyn_key = true;
  return PT_OK;
}

/* Appends a key to a path whose arrays were sized for all its keys (column_item counts them
 * first: growing the arrays key by key would copy them at every step). */
static pt_status add_key(parser *p, pt_colref *c, const char *k, size_t n) {
  const char *copy = dup_text(p, k, n);
  if (!copy) return nomem(p);
  c->keys[c->n_keys++] = (pt_str){copy, n};
  return PT_OK;
}

/* An identifier or JSON identifier token as a column. */
static pt_status column_item(parser *p, const pt_token *t, item *out) {
  const char *s = p->lx.s + t->pos;
  size_t n = t->len, base = 0;
  while (base < n && s[base] != '[') base++;
  bool dyn_key;
  pt_status rc = resolve_name(p, t, s, base, &out->col, &dyn_key);
  if (rc) return rc;
  out->kind = I_COLUMN;
  out->pos = t->pos;
  out->end = t->pos + t->len;
  out->single_token = true;
  pt_colref *c = &out->col;
  if (base < n && c->dtype != PT_JSON && c->dtype != PT_ARRAY)
    return fail(p, t->pos, t->pos + t->len, "%s data type not supported accessed with []", pt_dtype_proto_name(c->dtype));
  /* the path's arrays, sized once: the dynamic key and one per bracket group (the lexer made
   * the groups well formed; keys hold no unescaped quote) */
  size_t groups = 0;
  if (c->dtype == PT_JSON)
    for (size_t i = base; i < n; i++) {
      if (s[i] == '"' || s[i] == '\'') {
        char q = s[i];
        for (i++; s[i] != q; i++) i += s[i] == '\\';
      } else if (s[i] == '[') {
        groups++;
      }
    }
  size_t want = groups + (dyn_key ? 1 : 0);
  if (want) {
    if (!(c->keys = arena_alloc(p->plan, want * sizeof *c->keys))) return nomem(p);
  }
  if (dyn_key && (rc = add_key(p, c, s, base))) return rc;
  if (base == n) return PT_OK;
  /* the bracket groups: verbatim keys between the quotes, or decimal indexes */
  for (size_t i = base; i < n;) {
    size_t j = i + 1, kstart, klen;
    bool quoted = s[j] == '"' || s[j] == '\'';
    if (quoted) {
      char q = s[j];
      kstart = j + 1;
      size_t k = kstart;
      while (s[k] != q) k += s[k] == '\\' ? 2 : 1;
      klen = k - kstart;
      j = k + 1;
    } else {
      kstart = j;
      while (s[j] >= '0' && s[j] <= '9') j++;
      klen = j - kstart;
    }
    i = j + 1; /* past ']' */
    if (quoted && klen == 0) return fail(p, t->pos, t->pos + t->len, "invalid identifier: %.*s", (int)n, s);
    if (c->dtype == PT_ARRAY) {
      if (quoted || c->has_index) return fail(p, t->pos, t->pos + t->len, "can only access array field with integer index");
      int64_t idx = 0;
      if (pt_parse_i64(s + kstart, klen, &idx)) return fail(p, t->pos, t->pos + t->len, "invalid array index: %.*s", (int)klen, s + kstart);
      c->has_index = true;
      c->index = idx;
      c->vtype_dtype = c->elem_type;
    } else if ((rc = add_key(p, c, s + kstart, klen))) {
      return rc;
    }
  }
  return PT_OK;
}

static bool is_whole_array(const pt_colref *c) { return c->dtype == PT_ARRAY && !c->has_index; }

/* ============================================================================================
 * Predicates
 * ========================================================================================== */

static pt_pred *new_pred(parser *p, pt_pred_kind kind) {
  pt_pred *pr = arena_alloc(p->plan, sizeof *pr);
  if (!pr) {
    nomem(p);
    return NULL;
  }
  pr->kind = kind;
  return pr;
}

static pt_status make_pred(parser *p, item *it, pt_pred *pr, size_t pos, size_t end) {
  if (!pr) return PT_NOMEM;
  memset(it, 0, sizeof *it);
  it->kind = I_PRED;
  it->pred = pr;
  it->pos = pos;
  it->end = end;
  (void)p;
  return PT_OK;
}

static pt_cmp mirror(pt_cmp op) {
  switch (op) {
  case CMP_LT: return CMP_GT;
  case CMP_LE: return CMP_GE;
  case CMP_GT: return CMP_LT;
  case CMP_GE: return CMP_LE;
  default: return op;
  }
}

static int compare_values(const pt_value *a, const pt_value *b) {
  if (a->type == VT_STRING || (a->type == VT_INT && b->type == VT_INT)) return pt_value_cmp(a, b);
  if (a->type == VT_BOOL) return (int)a->b - (int)b->b;
  double x = a->type == VT_INT ? (double)a->i : a->d, y = b->type == VT_INT ? (double)b->i : b->d;
  return x < y ? -1 : x > y;
}


static bool values_comparable(const pt_value *a, const pt_value *b) {
  bool na = a->type == VT_INT || a->type == VT_FLOAT, nb = b->type == VT_INT || b->type == VT_FLOAT;
  return (na && nb) || (a->type == b->type && (a->type == VT_STRING || a->type == VT_BOOL));
}

/* Arrays compared with == / !=: element types, and each element cast. */
static pt_status check_array_value(parser *p, const item *where, const pt_colref *col, pt_value *v) {
  int et = col->elem_type;
  bool ok = v->n > 0;
  for (size_t i = 0; ok && i < v->n; i++) ok = comparable(et, v->items[i].type);
  if (!ok)
    return fail(p, where->pos, where->end, "comparisons between Array[%s] and Array[%s] are not supported",
                pt_dtype_proto_name(et), v->n ? vtype_name(v->items[0].type) : "None");
  for (size_t i = 0; i < v->n; i++)
    if (cast_value(p, where, et, &v->items[i], "cannot cast value to %2$s, value: %1$s")) return PT_PARSE;
  return PT_OK;
}

static pt_status compare(parser *p, item *l, pt_cmp op, item *r, item *out) {
  size_t pos = l->pos, end = r->end;
  /* two constants fold */
  if (l->kind == I_CONST && r->kind == I_CONST) {
    if (!values_comparable(&l->v, &r->v) || l->v.type == VT_ARRAY) {
      char text[300];
      span_text(p, pos, end, text, sizeof text);
      return fail(p, pos, end, "comparison operations cannot be applied to two incompatible operands: %s", text);
    }
    bool b = pt_cmp_holds(compare_values(&l->v, &r->v), op);
    memset(out, 0, sizeof *out);
    out->kind = I_CONST; /* folded: usable as the whole filter, not beside a predicate */
    out->v.type = VT_BOOL;
    out->v.b = b;
    out->pos = pos;
    out->end = end;
    return PT_OK;
  }
  if (l->kind == I_CONST) { /* 5 < a  ≡  a > 5 */
    item *t = l;
    l = r;
    r = t;
    op = mirror(op);
  }
  if (l->kind == I_PRED || r->kind == I_PRED) {
    char text[300];
    span_text(p, pos, end, text, sizeof text);
    return fail(p, pos, end, "comparison operations cannot be applied to two incompatible operands: %s", text);
  }
  if (r->kind != I_CONST) {
    /* field vs field */
    if (l->kind != I_COLUMN || r->kind != I_COLUMN)
      return fail(p, pos, end, "only comparison between two fields is supported");
    if (col_type(&l->col) == PT_JSON || col_type(&r->col) == PT_JSON)
      return fail(p, pos, end, "two column comparison with JSON type is not supported");
    if (is_whole_array(&l->col) || is_whole_array(&r->col)) return fail(p, pos, end, "can not comparisons array fields directly");
    if (!columns_comparable(col_type(&l->col), col_type(&r->col)))
      return fail(p, pos, end, "comparisons between %s and %s are not supported", dtype_display(&l->col), dtype_display(&r->col));
    pt_pred *pr = new_pred(p, P_COMPARE_COLS);
    if (!pr) return PT_NOMEM;
    pr->col = l->col;
    pr->col2 = r->col;
    pr->cmp = op;
    return make_pred(p, out, pr, pos, end);
  }
  /* column (or arithmetic on it, or array_length) vs constant */
  pt_pred *pr = new_pred(p, P_COMPARE);
  if (!pr) return PT_NOMEM;
  pr->cmp = op;
  pr->value = r->v;
  pr->col = l->col;
  if (l->kind == I_ARRAY_LENGTH) {
    if (r->v.type != VT_INT) return fail(p, pos, end, "array_length can only be compared with an integer");
    pr->array_length = true;
    return make_pred(p, out, pr, pos, end);
  }
  int t = col_type(&l->col);
  if (is_whole_array(&l->col)) {
    if ((op != CMP_EQ && op != CMP_NE) || r->v.type != VT_ARRAY) {
      if (r->v.type == VT_ARRAY || op == CMP_EQ || op == CMP_NE)
        return fail(p, pos, end, "comparisons between Array[%s] and %s are not supported", pt_dtype_proto_name(l->col.elem_type),
                    vtype_name(r->v.type));
      return fail(p, pos, end, "can not comparisons array fields directly");
    }
    if (check_array_value(p, r, &l->col, &pr->value)) return PT_PARSE;
    return make_pred(p, out, pr, pos, end);
  }
  if (r->v.type == VT_ARRAY && t != PT_JSON)
    return fail(p, pos, end, "comparisons between %s and Array are not supported", dtype_display(&l->col));
  if (!comparable(t, r->v.type))
    return fail(p, pos, end, "comparisons between %s and %s are not supported", dtype_display(&l->col), vtype_name(r->v.type));
  if (l->kind == I_ARITH) {
    pr->arith = l->arith;
    pr->operand = l->operand;
    /* the value takes the arithmetic's result type: an integer column stays integer */
    int rt = is_int_dtype(t) ? PT_INT64 : t == PT_JSON ? PT_JSON : PT_DOUBLE;
    if (cast_value(p, r, rt, &pr->value, "cannot cast value to %2$s, value: %1$s")) return PT_PARSE;
    return make_pred(p, out, pr, pos, end);
  }
  if (cast_value(p, r, t, &pr->value, "cannot cast value to %2$s, value: %1$s")) return PT_PARSE;
  return make_pred(p, out, pr, pos, end);
}

static pt_status range(parser *p, item *lo, pt_cmp op1, item *mid, pt_cmp op2, item *hi, item *out) {
  size_t pos = lo->pos, end = hi->end;
  bool reverse = op1 == CMP_GT || op1 == CMP_GE;
  if (lo->kind != I_CONST) return fail_item(p, lo, reverse ? "upperbound cannot be a non-const expression: %s" : "lowerbound cannot be a non-const expression: %s");
  if (hi->kind != I_CONST) return fail_item(p, hi, reverse ? "lowerbound cannot be a non-const expression: %s" : "upperbound cannot be a non-const expression: %s");
  if (mid->kind != I_COLUMN) return fail_item(p, mid, "range operations are only supported on single fields now, got: %s");
  if (is_whole_array(&mid->col)) return fail(p, pos, end, "can not comparisons array fields directly");
  int t = col_type(&mid->col);
  if (t == PT_BOOL) return fail(p, pos, end, "invalid range operations on boolean expr");
  pt_value a = lo->v, b = hi->v;
  bool ok = true;
  if (t != PT_JSON) {
    for (int k = 0; k < 2; k++) {
      pt_value *v = k ? &b : &a;
      if (is_int_dtype(t)) ok = ok && v->type == VT_INT;
      else if (is_float_dtype(t)) {
        ok = ok && (v->type == VT_INT || v->type == VT_FLOAT);
        if (v->type == VT_INT) { v->d = (double)v->i; v->type = VT_FLOAT; }
      } else if (is_string_dtype(t)) ok = ok && v->type == VT_STRING;
      else ok = false;
    }
  } else {
    ok = values_comparable(&a, &b);
  }
  if (!ok) return fail(p, pos, end, "invalid range operations");
  pt_pred *pr = new_pred(p, P_RANGE);
  if (!pr) return PT_NOMEM;
  pr->col = mid->col;
  if (reverse) { /* hi > x > lo */
    pr->lo = b;
    pr->hi = a;
    pr->lo_incl = op2 == CMP_GE;
    pr->hi_incl = op1 == CMP_GE;
  } else {
    pr->lo = a;
    pr->hi = b;
    pr->lo_incl = op1 == CMP_LE;
    pr->hi_incl = op2 == CMP_LE;
  }
  int c = compare_values(&pr->lo, &pr->hi);
  if (c > 0 || (c == 0 && !(pr->lo_incl && pr->hi_incl)))
    return fail(p, pos, end, "invalid range: lowerbound is greater than upperbound");
  return make_pred(p, out, pr, pos, end);
}

static int sort_order(const void *a, const void *b) { return pt_value_cmp(a, b); }

static pt_status term(parser *p, item *l, bool negate, item *r, item *out) {
  size_t pos = l->pos, end = r->end;
  if (l->kind == I_CONST) return fail_item(p, l, "'term' can only be used on non-const expression, but got: %s");
  if (l->kind != I_COLUMN) return fail_item(p, l, "'term' can only be used on single field, but got: %s");
  if (r->kind == I_CONST && r->templ && r->v.type != VT_ARRAY)
    return fill_fail(p, r->pos, r->end, "the value of term expression template variable {%.*s} is not array", (int)r->tname_len,
                p->lx.s + r->tname);
  if (r->kind != I_CONST || r->v.type != VT_ARRAY)
    return fail_item(p, r, "the right-hand side of 'in' must be a list, but got: %s");
  int t = col_type(&l->col);
  if (is_whole_array(&l->col) && r->v.n) {
    char vt[200];
    value_text(&r->v.items[0], vt, sizeof vt);
    return fail(p, pos, end, "value '%s' in list cannot be casted to %s", vt, "Array");
  }
  for (size_t i = 0; i < r->v.n; i++)
    if (cast_value(p, r, t, &r->v.items[i], "value '%s' in list cannot be casted to %s")) return PT_PARSE;
  pt_pred *pr = new_pred(p, P_TERM);
  if (!pr) return PT_NOMEM;
  pr->col = l->col;
  pr->value = r->v;
  pr->negate = negate;
  if (r->v.n > PT_TERM_SORTED_AFTER && (is_int_dtype(t) || is_string_dtype(t))) {
    qsort(pr->value.items, pr->value.n, sizeof *pr->value.items, sort_order);
    pr->sorted = true;
  }
  return make_pred(p, out, pr, pos, end);
}

/* The KMP failure function of a run's core (pt_like_seg). */
static pt_status like_core(parser *p, pt_like_seg *g) {
  if (g->has_any || !g->len) return PT_OK;
  uint32_t *fail = arena_alloc(p->plan, g->len * sizeof *fail);
  if (!fail) return nomem(p);
  fail[0] = 0;
  for (uint32_t k = 1, b = 0; k < g->len; k++) {
    while (b && g->lit[k] != g->lit[b]) b = fail[b - 1];
    if (g->lit[k] == g->lit[b]) b++;
    fail[k] = b;
  }
  g->fail = fail;
  return PT_OK;
}

/* Splits a pattern with wildcards at its unescaped % into runs (pt_like_seg); a backslash
 * makes the byte after it literal, as in Milvus's patterns. */
static pt_status like_runs(parser *p, pt_pred *pr, const char *raw, size_t n) {
  uint32_t runs = 1;
  for (size_t i = 0; i < n; i++) {
    if (raw[i] == '\\' && i + 1 < n) i++;
    else if (raw[i] == '%') runs++;
  }
  pt_like_seg *segs = arena_alloc(p->plan, runs * sizeof *segs);
  char *bytes = arena_alloc(p->plan, n + 1);
  uint8_t *any = arena_alloc(p->plan, n + 1);
  if (!segs || !bytes || !any) return nomem(p);
  size_t k = 0, i = 0;
  for (uint32_t r = 0; r < runs; r++) {
    size_t start = k;
    bool has_any = false;
    for (; i < n && raw[i] != '%'; i++) {
      if (raw[i] == '\\' && i + 1 < n) i++;
      else if (raw[i] == '_') any[k] = 1, has_any = true;
      bytes[k++] = raw[i];
    }
    i++; /* past the % */
    pt_like_seg *g = &segs[r];
    size_t a = start, b = k;
    while (a < b && any[a]) a++; /* the leading and trailing _ around the core */
    while (b > a && any[b - 1]) b--;
    g->lead = (uint32_t)(a - start);
    g->trail = (uint32_t)(k - b);
    g->lit = bytes + a;
    g->len = (uint32_t)(b - a);
    bool core_any = false;
    for (size_t j = a; has_any && j < b; j++) core_any = core_any || any[j];
    g->has_any = core_any;
    if (core_any) g->any = any + a;
    if (like_core(p, g)) return PT_NOMEM;
  }
  pr->segs = segs;
  pr->n_segs = runs;
  return PT_OK;
}

/* Milvus's optimizeLikePattern: Equal / Prefix / Postfix / Inner when the pattern allows, else a
 * full match; in the simple classes `\%` and `\_` stand for the characters themselves. */
static pt_status like_column(parser *p, const item *l, size_t end) {
  size_t pos = l->pos;
  if (l->kind != I_COLUMN) return fail(p, pos, end, "like operation on complicated expr is unsupported");
  int t = col_type(&l->col);
  if (is_whole_array(&l->col)) return fail(p, pos, end, "can not comparisons array fields directly");
  if (!is_string_dtype(t) && t != PT_JSON)
    return fail(p, pos, end, "like operation on non-string or no-json field is unsupported");
  return PT_OK;
}

/* col like pattern: raw[0..n) is the pattern (in the plan's arena), `end` the end of its text. */
static pt_status like_pattern(parser *p, item *l, const char *raw, size_t n, size_t end, item *out) {
  size_t pos = l->pos;
  pt_pred *pr = new_pred(p, P_LIKE);
  if (!pr) return PT_NOMEM;
  pr->col = l->col;
  /* strip runs of unescaped % at both ends, then look for wildcards inside */
  size_t a = 0, b = n;
  bool lead = false, trail = false;
  while (a < b && raw[a] == '%') { a++; lead = true; }
  while (b > a && raw[b - 1] == '%') {
    size_t bs = 0; /* a % preceded by an odd number of backslashes is escaped */
    for (size_t k = b - 1; k > a && raw[k - 1] == '\\'; k--) bs++;
    if (bs % 2) break;
    b--;
    trail = true;
  }
  bool wild = false;
  char *lit = arena_alloc(p->plan, n + 1);
  if (!lit) return nomem(p);
  size_t k = 0;
  for (size_t i = a; i < b; i++) {
    if (raw[i] == '\\' && i + 1 < b && (raw[i + 1] == '%' || raw[i + 1] == '_')) {
      lit[k++] = raw[++i];
      continue;
    }
    if (raw[i] == '%' || raw[i] == '_') wild = true;
    lit[k++] = raw[i];
  }
  if (wild) {
    pr->like = LIKE_MATCH;
    pr->pat = raw;
    pr->pat_len = n;
    if (like_runs(p, pr, raw, n)) return PT_NOMEM;
  } else {
    pr->like = lead && trail ? LIKE_INNER : lead ? LIKE_POSTFIX : trail ? LIKE_PREFIX : LIKE_EQUAL;
    if (lead && trail && k == 0) pr->like = LIKE_PREFIX; /* "%" / "%%": every non-null string */
    pr->pat = lit;
    pr->pat_len = k;
    if (pr->like == LIKE_INNER) { /* one run between two empty ones: searched for */
      pt_like_seg *segs = arena_alloc(p->plan, 3 * sizeof *segs);
      if (!segs) return nomem(p);
      segs[1].lit = lit;
      segs[1].len = (uint32_t)k;
      if (like_core(p, &segs[1])) return PT_NOMEM;
      pr->segs = segs;
      pr->n_segs = 3;
    }
  }
  return make_pred(p, out, pr, pos, end);
}

static pt_status like(parser *p, item *l, const pt_token *pat, item *out) {
  size_t end = pat->pos + pat->len;
  if (like_column(p, l, end)) return PT_PARSE;
  char *raw = arena_alloc(p->plan, pat->len);
  if (!raw) return nomem(p);
  size_t n = pt_lex_unquote(p->lx.s + pat->pos, pat->len, raw);
  if (n == SIZE_MAX) return fail(p, pat->pos, end, "invalid syntax");
  return like_pattern(p, l, raw, n, end, out);
}

/* Appends kids to an AND / OR node; its array doubles when full. */
static pt_status add_kids(parser *p, pt_pred *node, pt_pred *const *kids, size_t n) {
  if (n > node->kids_cap - node->n_kids) {
    size_t cap = node->kids_cap ? node->kids_cap : 4;
    while (cap - node->n_kids < n) cap *= 2;
    pt_pred **grown = arena_alloc(p->plan, cap * sizeof *grown);
    if (!grown) return nomem(p);
    if (node->n_kids) memcpy(grown, node->kids, node->n_kids * sizeof *grown);
    node->kids = grown;
    node->kids_cap = cap;
  }
  memcpy(node->kids + node->n_kids, kids, n * sizeof *kids);
  node->n_kids += n;
  return PT_OK;
}

static pt_status logic(parser *p, bool is_and, item *l, item *r, item *out) {
  size_t pos = l->pos, end = r->end;
  const char *name = is_and ? "and" : "or";
  bool lp = l->kind == I_PRED, rp = r->kind == I_PRED;
  if (l->kind == I_CONST && r->kind == I_CONST) {
    if (l->v.type != VT_BOOL || r->v.type != VT_BOOL) return fail(p, pos, end, "%s can only apply on boolean", name);
    bool b = is_and ? (l->v.b && r->v.b) : (l->v.b || r->v.b);
    memset(out, 0, sizeof *out);
    out->kind = I_CONST;
    out->v.type = VT_BOOL;
    out->v.b = b;
    out->pos = pos;
    out->end = end;
    return PT_OK;
  }
  if (!lp || !rp) return fail(p, pos, end, "'%s' can only be used between boolean expressions", name);
  pt_pred_kind k = is_and ? P_AND : P_OR;
  /* flatten: a chain `a or b or c` grows one node (its kids array doubling), and a node of the
   * same kind on the right `a or (b or c)` gives it its kids, so a chain costs linear time and
   * memory */
  pt_pred *pr = l->pred;
  if (pr->kind != k) {
    if (!(pr = new_pred(p, k)) || add_kids(p, pr, &l->pred, 1)) return PT_NOMEM;
  }
  pt_pred *right = r->pred;
  if (right->kind == k ? add_kids(p, pr, right->kids, right->n_kids) : add_kids(p, pr, &right, 1)) return PT_NOMEM;
  return make_pred(p, out, pr, pos, end);
}

/* ============================================================================================
 * Arithmetic
 * ========================================================================================== */

static const char *arith_name(pt_arith a) {
  switch (a) {
  case AR_ADD: return "add";
  case AR_SUB: return "subtract";
  case AR_MUL: return "multiply";
  case AR_DIV: return "divide";
  default: return "modulo";
  }
}

static pt_status fold_arith(parser *p, pt_arith op, item *l, item *r, item *out) {
  size_t pos = l->pos, end = r->end;
  pt_value a = l->v, b = r->v;
  if ((a.type != VT_INT && a.type != VT_FLOAT) || (b.type != VT_INT && b.type != VT_FLOAT)) {
    if (op == AR_MOD) return fail(p, pos, end, "modulo can only apply on integer");
    return fail(p, pos, end, "%s cannot apply on %s", arith_name(op), vtype_name(a.type == VT_INT || a.type == VT_FLOAT ? b.type : a.type));
  }
  memset(out, 0, sizeof *out);
  out->kind = I_CONST;
  out->pos = pos;
  out->end = end;
  if (a.type == VT_INT && b.type == VT_INT) {
    uint64_t x = (uint64_t)a.i, y = (uint64_t)b.i;
    out->v.type = VT_INT;
    switch (op) {
    case AR_ADD: out->v.i = (int64_t)(x + y); break; /* wraps, as Go's int64 does */
    case AR_SUB: out->v.i = (int64_t)(x - y); break;
    case AR_MUL: out->v.i = (int64_t)(x * y); break;
    case AR_DIV:
      if (b.i == 0) return fail(p, pos, end, "cannot divide by zero");
      out->v.i = (a.i == INT64_MIN && b.i == -1) ? INT64_MIN : a.i / b.i;
      break;
    default:
      if (b.i == 0) return fail(p, pos, end, "cannot modulo by zero");
      out->v.i = b.i == -1 ? 0 : a.i % b.i;
      break;
    }
    return PT_OK;
  }
  if (op == AR_MOD) return fail(p, pos, end, "modulo can only apply on integer");
  double x = a.type == VT_INT ? (double)a.i : a.d, y = b.type == VT_INT ? (double)b.i : b.d;
  out->v.type = VT_FLOAT;
  switch (op) {
  case AR_ADD: out->v.d = x + y; break;
  case AR_SUB: out->v.d = x - y; break;
  case AR_MUL: out->v.d = x * y; break;
  default:
    if (y == 0) return fail(p, pos, end, "cannot divide by zero");
    out->v.d = x / y;
    break;
  }
  return PT_OK;
}

static pt_status arith(parser *p, pt_arith op, item *l, item *r, item *out) {
  size_t pos = l->pos, end = r->end;
  if (l->kind == I_CONST && r->kind == I_CONST) return fold_arith(p, op, l, r, out);
  if (l->kind == I_ARITH || r->kind == I_ARITH) return fail(p, pos, end, "complicated arithmetic operations are not supported");
  if (l->kind == I_COLUMN && r->kind == I_COLUMN)
    return fail(p, pos, end, "not supported to do arithmetic operations between multiple fields");
  if (l->kind == I_CONST && r->kind == I_COLUMN) {
    if (op == AR_SUB || op == AR_DIV || op == AR_MOD) return fail(p, pos, end, "module field is not yet supported");
    item *t = l; /* c + f, c * f commute */
    l = r;
    r = t;
  }
  if (l->kind != I_COLUMN || r->kind != I_CONST) {
    char lt[200], rt[200];
    span_text(p, l->pos, l->end, lt, sizeof lt);
    span_text(p, r->pos, r->end, rt, sizeof rt);
    return fail(p, pos, end, "invalid arithmetic expression, left: %s, op: %s, right: %s", lt, arith_name(op), rt);
  }
  int t = col_type(&l->col);
  pt_vtype vt = r->v.type;
  if (op == AR_MOD && (!(is_int_dtype(t) || t == PT_JSON) || vt != VT_INT))
    return fail(p, pos, end, "modulo can only apply on integer types");
  bool ok = (is_int_dtype(t) && vt == VT_INT) || (is_float_dtype(t) && (vt == VT_INT || vt == VT_FLOAT)) ||
            (t == PT_JSON && (vt == VT_INT || vt == VT_FLOAT));
  if (!ok || is_whole_array(&l->col))
    return fail(p, pos, end, "'%s' cannot perform arithmetic between %s field and %s", arith_name(op),
                is_whole_array(&l->col) ? "Array" : dtype_display(&l->col), vtype_name(vt));
  if ((op == AR_DIV || op == AR_MOD) && ((vt == VT_INT && r->v.i == 0) || (vt == VT_FLOAT && r->v.d == 0)))
    return fail(p, pos, end, "division or modulus by zero");
  memset(out, 0, sizeof *out);
  out->kind = I_ARITH;
  out->col = l->col;
  out->arith = op;
  out->operand = r->v;
  if (is_float_dtype(t) && out->operand.type == VT_INT) {
    out->operand.d = (double)out->operand.i;
    out->operand.type = VT_FLOAT;
  }
  out->pos = pos;
  out->end = end;
  return PT_OK;
}

/* ============================================================================================
 * The grammar
 * ========================================================================================== */

enum prec { L_OR = 1, L_AND = 2, L_BOR = 3, L_BXOR = 4, L_BAND = 5, L_EQ = 6, L_REL = 7, L_IN = 8, L_SHIFT = 9,
            L_ADD = 10, L_MUL = 11, L_UNARY = 12, L_POW = 13, L_POSTFIX = 14 };

static int infix_prec(const parser *p) {
  switch (p->tok.kind) {
  case T_OR: return L_OR;
  case T_AND: return L_AND;
  case T_BITOR: return L_BOR;
  case T_BITXOR: return L_BXOR;
  case T_BITAND: return L_BAND;
  case T_EQ: case T_NE: return L_EQ;
  case T_LT: case T_LE: case T_GT: case T_GE: return L_REL;
  case T_IN: return L_IN;
  case T_NOT: return L_IN; /* only as `not in` */
  case T_SHL: case T_SHR: return L_SHIFT;
  case T_PLUS: case T_MINUS: return L_ADD;
  case T_STAR: case T_SLASH: case T_PERCENT: return L_MUL;
  case T_POW: return L_POW;
  case T_LIKE: return L_POSTFIX;
  default: return 0;
  }
}

static pt_status parse_expr(parser *p, int min_prec, item *out);

static pt_status enter(parser *p) {
  if (++p->depth > PT_EXPR_MAX_DEPTH)
    return fail(p, p->tok.pos, p->tok.pos + p->tok.len,
                "the expression nests deeper than %d levels of parentheses, operators and calls", PT_EXPR_MAX_DEPTH);
  return PT_OK;
}

static pt_status expect(parser *p, pt_tok_kind k, const char *what) {
  if (p->tok.kind != k) return syntax(p, what);
  advance(p);
  return PT_OK;
}

/* An integer literal token (magnitude `u`), negated or not. */
static pt_status int_literal(parser *p, const pt_token *t, bool negative, pt_value *v) {
  v->type = VT_INT;
  if (t->overflow || t->u > (uint64_t)INT64_MAX + (negative ? 1u : 0u))
    return fail(p, t->pos, t->pos + t->len, "strconv.ParseInt: parsing \"%.*s\": value out of range", (int)t->len,
                p->lx.s + t->pos);
  v->i = negative ? (int64_t)(0 - t->u) : (int64_t)t->u;
  return PT_OK;
}

static pt_status parse_array(parser *p, item *out) {
  size_t pos = p->tok.pos;
  advance(p); /* [ */
  pt_value *items = NULL;
  size_t n = 0, cap = 0;
  while (p->tok.kind != T_RBRACKET) {
    item e;
    pt_status rc = parse_expr(p, L_OR, &e);
    if (rc) return rc;
    if (e.kind != I_CONST) return fail_item(p, &e, "array element type must be generic value, but got: %s");
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 8;
      pt_value *grown = arena_alloc(p->plan, ncap * sizeof *grown);
      if (!grown) return nomem(p);
      if (n) memcpy(grown, items, n * sizeof *items);
      items = grown;
      cap = ncap;
    }
    items[n++] = e.v;
    if (p->tok.kind == T_COMMA) { advance(p); continue; }
    if (p->tok.kind != T_RBRACKET) return syntax(p, "{',', ']'}");
  }
  memset(out, 0, sizeof *out);
  out->kind = I_CONST;
  out->literal = true;
  out->v.type = VT_ARRAY;
  out->v.items = items;
  out->v.n = n;
  out->pos = pos;
  out->end = p->tok.pos + p->tok.len;
  advance(p); /* ] */
  return PT_OK;
}

/* ============================================================================================
 * Expression templates: `{name}` stands for the value of parameter `name` (expr_params), bound
 * as a constant of the plan. Values are never read as expression text: a string parameter is
 * one string whatever it holds.
 * ========================================================================================== */

static int tparam_order(const void *a, const void *b) {
  const tparam *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : (x->order < y->order ? -1 : x->order > y->order);
}

/* The order of a parameter's name and the text s[0..n). */
static int name_cmp(const char *name, const char *s, size_t n) {
  int c = strncmp(name, s, n);
  return c ? c : name[n] != '\0';
}

/* Reads the parameters (a JSON object) into p->params and p->tparams, sorted by name. */
static pt_status load_params(parser *p, const char *text, size_t len) {
  pt_json_checked chk;
  p->params = pt_json_parse_ex(text, len, 0, &chk);
  if (!p->params) {
    p->failed = true;
    return pt_json_fail(p->err, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM, "the expression's template values",
                        "expr_params is not valid JSON", &chk);
  }
  if (!cJSON_IsObject(p->params)) {
    p->failed = true;
    return pt_fail(p->err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_PARAM,
                   "expr_params must be a dict of template values, got %s", pt_json_python_type(p->params));
  }
  size_t n = 0;
  for (const cJSON *m = p->params->child; m; m = m->next) n++;
  if (n && !(p->tparams = arena_alloc(p->plan, n * sizeof *p->tparams))) return nomem(p);
  pt_str t = {text, len};
  size_t cursor = pt_json_enter(t), k = 0;
  for (const cJSON *m = p->params->child; m; m = m->next, k++) {
    pt_str key;
    pt_str raw = pt_json_next(t, &cursor, &key);
    p->tparams[k] = (tparam){m->string, m, raw, k};
  }
  p->n_tparams = n;
  if (n > 1) qsort(p->tparams, n, sizeof *p->tparams, tparam_order);
  p->budget = len + PT_EXPR_MAX_LENGTH;
  return PT_OK;
}

/* The parameter named s[0..n) (the last one given under that name), or NULL. */
static const tparam *find_param(const parser *p, const char *s, size_t n) {
  size_t lo = 0, hi = p->n_tparams; /* the first name after s */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (name_cmp(p->tparams[mid].name, s, n) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo && name_cmp(p->tparams[lo - 1].name, s, n) == 0 ? &p->tparams[lo - 1] : NULL;
}

/* A parameter's JSON value as a constant: bool, integer (a number written without fraction or
 * exponent, exact to 64 bits), double, string, or a list of these. */
static pt_status template_value(parser *p, const item *at, const cJSON *v, pt_str raw, pt_value *out, int depth) {
  const char *name = p->lx.s + at->tname;
  int nlen = (int)at->tname_len;
  memset(out, 0, sizeof *out);
  if (cJSON_IsBool(v)) {
    out->type = VT_BOOL;
    out->b = cJSON_IsTrue(v);
    return PT_OK;
  }
  if (cJSON_IsNumber(v)) {
    if (memchr(raw.ptr, '.', raw.len) || memchr(raw.ptr, 'e', raw.len) || memchr(raw.ptr, 'E', raw.len)) {
      out->type = VT_FLOAT;
      out->d = v->valuedouble;
      return PT_OK;
    }
    bool neg = raw.ptr[0] == '-', overflow = false;
    uint64_t u = 0;
    for (size_t i = neg; i < raw.len; i++) {
      uint64_t d = (uint64_t)(raw.ptr[i] - '0');
      if (u > (UINT64_MAX - d) / 10) overflow = true;
      u = u * 10 + d;
    }
    if (overflow || u > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
      return fill_fail(p, at->pos, at->end, "the value of expression template variable name {%.*s} is out of the range of int64: %.*s",
                  nlen, name, (int)(raw.len < 40 ? raw.len : 40), raw.ptr);
    out->type = VT_INT;
    out->i = neg ? (int64_t)(0 - u) : (int64_t)u;
    return PT_OK;
  }
  if (cJSON_IsString(v)) {
    size_t n = strlen(v->valuestring); /* no NUL inside: the parameters are read without PT_JSON_NUL_OK */
    const char *s = dup_text(p, v->valuestring, n);
    if (!s) return nomem(p);
    out->type = VT_STRING;
    out->s = s;
    out->slen = (uint32_t)n;
    return PT_OK;
  }
  if (cJSON_IsArray(v)) {
    if (depth >= PT_EXPR_MAX_DEPTH)
      return fill_fail(p, at->pos, at->end, "the value of expression template variable name {%.*s} nests deeper than %d levels",
                  nlen, name, PT_EXPR_MAX_DEPTH);
    size_t n = 0;
    for (const cJSON *e = v->child; e; e = e->next) n++;
    pt_value *items = n ? arena_alloc(p->plan, n * sizeof *items) : NULL;
    if (n && !items) return nomem(p);
    size_t cursor = pt_json_enter(raw), k = 0;
    for (const cJSON *e = v->child; e; e = e->next, k++) {
      pt_status rc = template_value(p, at, e, pt_json_next(raw, &cursor, NULL), &items[k], depth + 1);
      if (rc) return rc;
    }
    out->type = VT_ARRAY;
    out->items = items;
    out->n = (uint32_t)n;
    return PT_OK;
  }
  return fill_fail(p, at->pos, at->end, "the value of expression template variable name {%.*s} is not a bool, number, string or list, got %s",
              nlen, name, pt_json_python_type(v));
}

/* `{name}`: the constant of parameter `name`. */
static pt_status parse_template(parser *p, item *out) {
  pt_status rc;
  size_t pos = p->tok.pos;
  advance(p); /* { */
  pt_token name = p->tok;
  if (name.kind != T_IDENT) return syntax(p, "Identifier");
  advance(p);
  size_t end = p->tok.pos + p->tok.len;
  if ((rc = expect(p, T_RBRACE, "'}'"))) return rc;
  memset(out, 0, sizeof *out);
  out->kind = I_CONST;
  out->literal = true;
  out->templ = true;
  out->tname = name.pos;
  out->tname_len = name.len;
  out->pos = pos;
  out->end = end;
  const tparam *tp = find_param(p, p->lx.s + name.pos, name.len);
  if (!tp)
    return fill_fail(p, pos, end, "the value of expression template variable name {%.*s} is not found", (int)name.len,
                p->lx.s + name.pos);
  /* every use binds a copy of its own (an `in` list is cast and sorted in place): the copies
   * together are bounded, so that memory stays linear in the text and the parameters */
  if (tp->raw.len > p->budget)
    return fail(p, pos, end, "the template values of the expression expand to more than the size of the parameters plus %u bytes",
                PT_EXPR_MAX_LENGTH);
  p->budget -= tp->raw.len;
  return template_value(p, out, tp->v, tp->raw, &out->v, 0);
}

/* json_contains / array_contains (and _all, _any) */
static pt_status parse_contains(parser *p, pt_contains_kind kind, item *out) {
  size_t pos = p->tok.pos;
  advance(p);
  pt_status rc;
  if ((rc = enter(p)) || (rc = expect(p, T_LPAREN, "'('"))) return rc;
  item a, b;
  if ((rc = parse_expr(p, L_OR, &a)) || (rc = expect(p, T_COMMA, "','")) || (rc = parse_expr(p, L_OR, &b))) return rc;
  size_t end = p->tok.pos + p->tok.len;
  if ((rc = expect(p, T_RPAREN, "')'"))) return rc;
  p->depth--;
  static const char *const names[] = {"contains", "contains_all", "contains_any"};
  if (a.kind != I_COLUMN || (a.col.dtype != PT_JSON && !is_whole_array(&a.col))) {
    char text[300];
    span_text(p, a.pos, a.end, text, sizeof text);
    return fail(p, pos, end, "%s operation are only supported on json or array fields now, got: %s", names[kind], text);
  }
  if (b.kind != I_CONST) {
    char text[300];
    span_text(p, b.pos, b.end, text, sizeof text);
    return fail(p, pos, end, "contains operation are only supported explicitly specified element, got: %s", text);
  }
  if (kind != CONTAINS_ONE && b.v.type != VT_ARRAY)
    return fail(p, pos, end, kind == CONTAINS_ALL ? "ContainsAll operation element must be an array"
                                                  : "ContainsAny operation element must be an array");
  if (is_whole_array(&a.col)) {
    int et = a.col.elem_type;
    if (kind == CONTAINS_ONE) {
      if (cast_value(p, &b, et, &b.v, "cannot cast value to %2$s, value: %1$s")) return PT_PARSE;
    } else {
      for (size_t i = 0; i < b.v.n; i++)
        if (!comparable(et, b.v.items[i].type) || b.v.items[i].type == VT_ARRAY)
          return fail(p, pos, end, "%s operation can't compare between array element type: %s and %s",
                      kind == CONTAINS_ALL ? "ContainsAll" : "ContainsAny", pt_dtype_proto_name(et),
                      vtype_name(b.v.items[i].type));
        else if (cast_value(p, &b, et, &b.v.items[i], "cannot cast value to %2$s, value: %1$s"))
          return PT_PARSE;
    }
  }
  pt_pred *pr = new_pred(p, P_CONTAINS);
  if (!pr) return PT_NOMEM;
  pr->col = a.col;
  pr->value = b.v;
  pr->contains = kind;
  return make_pred(p, out, pr, pos, end);
}

/* The query of text_match / phrase_match, tokenized by the field's analyzer, as a pt_match. */
static pt_status build_match(parser *p, const pt_field *f, const char *q, size_t qlen, size_t pos, size_t end,
                             pt_match *m) {
  pt_error e;
  m->analyzer = f->analyzer; /* the field's, built when its collection was (schema.h) */
  pt_tokens t = {0};
  pt_status rc = pt_analyzer_run(m->analyzer, q, qlen, &t, &e);
  if (rc == PT_NOMEM) return nomem(p);
  if (rc) return fail(p, pos, end, "%s", e.message);
  if (m->phrase && t.n > PT_PHRASE_MAX_TOKENS) {
    size_t n = t.n;
    pt_tokens_release(&t);
    return fail(p, pos, end, "phrase_match: the phrase has %zu tokens; partita matches phrases of at most %d tokens", n,
                PT_PHRASE_MAX_TOKENS);
  }
  uint32_t n = (uint32_t)t.n, cap = 4;
  while (cap < 2 * (uint64_t)n) cap *= 2;
  uint32_t *position = arena_alloc(p->plan, (n ? n : 1) * sizeof *position);
  uint32_t *term = arena_alloc(p->plan, (n ? n : 1) * sizeof *term);
  uint32_t *mult = arena_alloc(p->plan, (n ? n : 1) * sizeof *mult);
  uint32_t *slots = arena_alloc(p->plan, cap * sizeof *slots);
  pt_str *text = arena_alloc(p->plan, (n ? n : 1) * sizeof *text);
  char *arena = arena_alloc(p->plan, t.text_len ? t.text_len : 1);
  if (!position || !term || !mult || !slots || !text || !arena) {
    pt_tokens_release(&t);
    return nomem(p);
  }
  if (t.text_len) memcpy(arena, t.text, t.text_len);
  m->text = text;
  m->slots = slots;
  m->mask = cap - 1;
  m->n_distinct = 0;
  for (uint32_t i = 0; i < n; i++) {
    const char *w = arena + t.v[i].text;
    size_t wl = t.v[i].len;
    uint64_t h = pt_hash_bytes(w, wl);
    uint32_t d = pt_match_find(m, w, wl, h);
    if (d == UINT32_MAX) {
      d = m->n_distinct++;
      text[d] = (pt_str){w, wl};
      uint32_t k = (uint32_t)h & m->mask;
      while (slots[k]) k = (k + 1) & m->mask;
      slots[k] = d + 1;
    }
    mult[d]++;
    term[i] = d;
    position[i] = t.v[i].position;
  }
  pt_tokens_release(&t);
  m->n_terms = n;
  m->position = position;
  m->term = term;
  m->mult = mult;
  return PT_OK;
}

/* text_match(field, "query" [, minimum_should_match = n]) and phrase_match(field, "query" [, slop]),
 * with the checks and messages of Milvus's VisitTextMatch / VisitPhraseMatch. */
static pt_status parse_match(parser *p, bool phrase, item *out) {
  size_t pos = p->tok.pos;
  const char *name = phrase ? "phrase" : "text";
  pt_status rc;
  advance(p);
  if ((rc = enter(p)) || (rc = expect(p, T_LPAREN, "'('"))) return rc;
  pt_token id = p->tok;
  if (id.kind != T_IDENT || memchr(p->lx.s + id.pos, '[', id.len)) return syntax(p, "Identifier");
  advance(p);
  item col;
  if ((rc = column_item(p, &id, &col))) return rc;
  size_t idend = id.pos + id.len;
  if (col.col.dynamic || col.col.dtype != PT_VARCHAR)
    return fail(p, id.pos, idend, "%s match operation on non-string is unsupported", name);
  const pt_field *f = &p->s->fields[col.col.field];
  if (!f->enable_match) return fail(p, id.pos, idend, "field \"%s\" does not enable match", f->name);
  if ((rc = expect(p, T_COMMA, "','"))) return rc;
  pt_token lit = p->tok;
  if (lit.kind != T_STRING) return syntax(p, "StringLiteral");
  advance(p);
  char *q = arena_alloc(p->plan, lit.len);
  if (!q) return nomem(p);
  size_t qlen = pt_lex_unquote(p->lx.s + lit.pos, lit.len, q);
  if (qlen == SIZE_MAX) return fail(p, lit.pos, lit.pos + lit.len, "invalid syntax");
  pt_match *m = arena_alloc(p->plan, sizeof *m);
  if (!m) return nomem(p);
  m->phrase = phrase;
  m->min_should = 1;
  if (p->tok.kind == T_COMMA) {
    advance(p);
    if (!phrase) { /* minimum_should_match = IntegerConstant */
      pt_token kw = p->tok;
      if (kw.kind != T_IDENT || !(pt_str_eqz(p->lx.s + kw.pos, kw.len, "minimum_should_match") ||
                                  pt_str_eqz(p->lx.s + kw.pos, kw.len, "MINIMUM_SHOULD_MATCH")))
        return syntax(p, "MINIMUM_SHOULD_MATCH");
      advance(p);
      if ((rc = expect(p, T_ASSIGN, "'='"))) return rc;
      pt_token v = p->tok;
      if (v.kind != T_INT) return syntax(p, "IntegerConstant");
      advance(p);
      if (v.overflow || v.u > INT64_MAX)
        return fail(p, v.pos, v.pos + v.len, "invalid minimum_should_match value: %.*s", (int)v.len, p->lx.s + v.pos);
      if (v.u < 1) return fail(p, v.pos, v.pos + v.len, "minimum_should_match should be >= 1, got %llu", (unsigned long long)v.u);
      if (v.u > 1000)
        return fail(p, v.pos, v.pos + v.len, "minimum_should_match should be <= 1000, got %llu", (unsigned long long)v.u);
      m->min_should = (int64_t)v.u;
    } else {
      item x;
      if ((rc = parse_expr(p, L_OR, &x))) return rc;
      if (x.kind != I_CONST || x.v.type != VT_INT)
        return fail_item(p, &x, "\"slop\" should be a const integer expression with \"uint32\" value. \"slop\" expression passed: %s");
      if (x.v.i < 0) return fail_item(p, &x, "\"slop\" should not be a negative interger. \"slop\" passed: %s");
      if (x.v.i > (int64_t)UINT32_MAX)
        return fail_item(p, &x, "\"slop\" exceeds the range of \"uint32\". \"slop\" expression passed: %s");
      m->slop = (uint32_t)x.v.i;
    }
  }
  size_t end = p->tok.pos + p->tok.len;
  if ((rc = expect(p, T_RPAREN, "')'"))) return rc;
  p->depth--;
  if ((rc = build_match(p, f, q, qlen, lit.pos, lit.pos + lit.len, m))) return rc;
  pt_pred *pr = new_pred(p, P_MATCH);
  if (!pr) return PT_NOMEM;
  pr->col = col.col;
  pr->match = m;
  return make_pred(p, out, pr, pos, end);
}

static pt_status parse_primary(parser *p, item *out) {
  pt_token t = p->tok;
  pt_status rc;
  memset(out, 0, sizeof *out);
  out->pos = t.pos;
  out->end = t.pos + t.len;
  switch (t.kind) {
  case T_INT:
    advance(p);
    out->kind = I_CONST;
    out->literal = true;
    return int_literal(p, &t, false, &out->v);
  case T_FLOAT:
    advance(p);
    if (!isfinite(t.d))
      return fail(p, t.pos, t.pos + t.len, "strconv.ParseFloat: parsing \"%.*s\": value out of range", (int)t.len, p->lx.s + t.pos);
    out->kind = I_CONST;
    out->literal = true;
    out->v.type = VT_FLOAT;
    out->v.d = t.d;
    return PT_OK;
  case T_TRUE: case T_FALSE:
    advance(p);
    out->kind = I_CONST;
    out->literal = true;
    out->v.type = VT_BOOL;
    out->v.b = t.kind == T_TRUE;
    return PT_OK;
  case T_STRING: {
    advance(p);
    char *s = arena_alloc(p->plan, t.len);
    if (!s) return nomem(p);
    size_t n = pt_lex_unquote(p->lx.s + t.pos, t.len, s);
    if (n == SIZE_MAX) return fail(p, t.pos, t.pos + t.len, "invalid syntax");
    out->kind = I_CONST;
    out->literal = true;
    out->v.type = VT_STRING;
    out->v.s = s;
    out->v.slen = n;
    return PT_OK;
  }
  case T_IDENT: case T_JSON_IDENT: {
    advance(p);
    if ((rc = column_item(p, &t, out))) return rc;
    if (p->tok.kind == T_IS_NULL || p->tok.kind == T_IS_NOT_NULL) {
      bool not_null = p->tok.kind == T_IS_NOT_NULL;
      size_t end = p->tok.pos + p->tok.len;
      advance(p);
      if (pt_dtype_is_vector(out->col.dtype))
        return fail(p, out->pos, end, "IsNull/IsNotNull operations are not supported on vector fields");
      pt_pred *pr;
      if (out->col.dtype == PT_JSON && out->col.n_keys) { /* a JSON path: `not exists` / `exists` */
        pt_pred *ex = new_pred(p, P_EXISTS);
        if (!ex) return PT_NOMEM;
        ex->col = out->col;
        if (not_null) {
          pr = ex;
        } else {
          pt_pred **kids = arena_alloc(p->plan, sizeof *kids);
          if (!(pr = new_pred(p, P_NOT)) || !kids) return nomem(p);
          kids[0] = ex;
          pr->kids = kids;
          pr->n_kids = 1;
        }
      } else {
        if (!(pr = new_pred(p, P_NULL))) return PT_NOMEM;
        pr->col = out->col;
        pr->negate = not_null;
      }
      return make_pred(p, out, pr, out->pos, end);
    }
    return PT_OK;
  }
  case T_LPAREN: {
    advance(p);
    if ((rc = enter(p)) || (rc = parse_expr(p, L_OR, out))) return rc;
    out->pos = t.pos;
    out->end = p->tok.pos + p->tok.len;
    out->single_token = false;
    if ((rc = expect(p, T_RPAREN, "')'"))) return rc;
    p->depth--;
    return PT_OK;
  }
  case T_LBRACKET:
    if ((rc = enter(p))) return rc;
    rc = parse_array(p, out);
    p->depth--;
    return rc;
  case T_EXISTS: {
    advance(p);
    if ((rc = enter(p))) return rc;
    item x;
    if ((rc = parse_expr(p, L_POSTFIX, &x))) return rc;
    p->depth--;
    if (x.kind != I_COLUMN) return fail_item(p, &x, "exists operations are only supported on single fields now, got: %s");
    if (x.col.dtype != PT_JSON) return fail_item(p, &x, "exists operations are only supportted on json field, got:%s");
    if (!x.col.n_keys) return fail(p, t.pos, x.end, "exists operations are only supportted on json key");
    pt_pred *pr = new_pred(p, P_EXISTS);
    if (!pr) return PT_NOMEM;
    pr->col = x.col;
    return make_pred(p, out, pr, t.pos, x.end);
  }
  case T_JSON_CONTAINS: case T_ARRAY_CONTAINS: return parse_contains(p, CONTAINS_ONE, out);
  case T_JSON_CONTAINS_ALL: case T_ARRAY_CONTAINS_ALL: return parse_contains(p, CONTAINS_ALL, out);
  case T_JSON_CONTAINS_ANY: case T_ARRAY_CONTAINS_ANY: return parse_contains(p, CONTAINS_ANY, out);
  case T_ARRAY_LENGTH: {
    advance(p);
    if ((rc = expect(p, T_LPAREN, "'('"))) return rc;
    pt_token a = p->tok;
    if (a.kind != T_IDENT && a.kind != T_JSON_IDENT) return syntax(p, "{Identifier, JSONIdentifier}");
    advance(p);
    item col;
    if ((rc = column_item(p, &a, &col))) return rc;
    size_t end = p->tok.pos + p->tok.len;
    if ((rc = expect(p, T_RPAREN, "')'"))) return rc;
    if (col.col.dtype != PT_JSON && !is_whole_array(&col.col)) {
      char text[300];
      span_text(p, a.pos, a.pos + a.len, text, sizeof text);
      return fail(p, t.pos, end, "array_length operation are only supported on json or array fields now, got: %s", text);
    }
    memset(out, 0, sizeof *out);
    out->kind = I_ARRAY_LENGTH;
    out->col = col.col;
    out->pos = t.pos;
    out->end = end;
    return PT_OK;
  }
  case T_TEXT_MATCH: return parse_match(p, false, out);
  case T_PHRASE_MATCH: return parse_match(p, true, out);
  case T_RANDOM_SAMPLE:
    return fail(p, t.pos, t.pos + t.len, "random_sample is not supported by partita");
  case T_LBRACE:
    return parse_template(p, out);
  case T_END:
    return syntax(p, "an expression");
  default:
    return syntax(p, "an expression");
  }
}

/* Prefix operators, then a primary. */
static pt_status parse_prefix(parser *p, item *out) {
  pt_token t = p->tok;
  pt_status rc;
  if (t.kind != T_PLUS && t.kind != T_MINUS && t.kind != T_TILDE && t.kind != T_NOT) return parse_primary(p, out);
  advance(p);
  if ((rc = enter(p))) return rc;
  /* -9223372036854775808: the literal is only in range once negated */
  if (t.kind == T_MINUS && p->tok.kind == T_INT) {
    pt_token lit = p->tok;
    pt_lexer save = p->lx;
    advance(p);
    if (infix_prec(p) != L_POW) {
      memset(out, 0, sizeof *out);
      out->kind = I_CONST;
      out->pos = t.pos;
      out->end = lit.pos + lit.len;
      p->depth--;
      return int_literal(p, &lit, true, &out->v);
    }
    p->lx = save; /* -2 ** 2 is -(2 ** 2): parse it again the long way */
    p->tok = lit;
  }
  item x;
  if ((rc = parse_expr(p, L_UNARY, &x))) return rc;
  p->depth--;
  size_t pos = t.pos, end = x.end;
  switch (t.kind) {
  case T_PLUS:
    if (x.kind == I_CONST && x.v.type != VT_INT && x.v.type != VT_FLOAT) return fail(p, pos, end, "unexpected op: +");
    *out = x;
    out->pos = pos;
    out->literal = false;
    out->single_token = false;
    return PT_OK;
  case T_MINUS:
    if (x.kind != I_CONST || (x.v.type != VT_INT && x.v.type != VT_FLOAT)) return fail(p, pos, end, "unexpected op: -");
    *out = x;
    out->literal = false;
    out->pos = pos;
    if (out->v.type == VT_INT) out->v.i = (int64_t)(0 - (uint64_t)out->v.i);
    else out->v.d = -out->v.d;
    return PT_OK;
  case T_TILDE:
    return fail(p, pos, end, "unexpected op: ~");
  default: /* not, ! */
    if (x.kind == I_CONST && x.v.type == VT_BOOL) {
      *out = x;
      out->literal = false;
      out->pos = pos;
      out->v.b = !out->v.b;
      return PT_OK;
    }
    if (x.kind != I_PRED) return fail(p, pos, end, "not op can only be applied on boolean expression");
    {
      pt_pred *pr = new_pred(p, P_NOT);
      pt_pred **kids = arena_alloc(p->plan, sizeof *kids);
      if (!pr || !kids) return nomem(p);
      kids[0] = x.pred;
      pr->kids = kids;
      pr->n_kids = 1;
      return make_pred(p, out, pr, pos, end);
    }
  }
}

static pt_cmp cmp_of(pt_tok_kind k) {
  switch (k) {
  case T_EQ: return CMP_EQ;
  case T_NE: return CMP_NE;
  case T_LT: return CMP_LT;
  case T_LE: return CMP_LE;
  case T_GT: return CMP_GT;
  default: return CMP_GE;
  }
}

static pt_status parse_expr(parser *p, int min_prec, item *out) {
  pt_status rc;
  if ((rc = parse_prefix(p, out))) return rc;
  for (;;) {
    int prec = infix_prec(p);
    if (prec == 0 || prec < min_prec) break;
    pt_token op = p->tok;
    advance(p);
    item r;
    if (op.kind == T_LIKE && p->tok.kind == T_LBRACE) { /* like {pattern} */
      item l = *out, pat;
      if ((rc = parse_template(p, &pat))) return rc;
      if (pat.v.type != VT_STRING)
        return fill_fail(p, pat.pos, pat.end, "the value of like expression template variable {%.*s} is not string",
                    (int)pat.tname_len, p->lx.s + pat.tname);
      if ((rc = like_column(p, &l, pat.end)) || (rc = like_pattern(p, &l, pat.v.s, pat.v.slen, pat.end, out)))
        return rc;
      continue;
    }
    if (op.kind == T_LIKE) {
      pt_token pat = p->tok;
      if (pat.kind != T_STRING) return syntax(p, "StringLiteral");
      advance(p);
      item l = *out;
      if ((rc = like(p, &l, &pat, out))) return rc;
      continue;
    }
    if (op.kind == T_NOT) { /* not in */
      if (p->tok.kind != T_IN) return syntax(p, "'in'");
      advance(p);
    }
    if ((rc = parse_expr(p, prec + 1, &r))) return rc;
    item l = *out;
    switch (op.kind) {
    case T_OR: case T_AND: rc = logic(p, op.kind == T_AND, &l, &r, out); break;
    case T_BITOR: rc = fail(p, l.pos, r.end, "BitOr is not supported: %.*s", (int)(r.end - l.pos), p->lx.s + l.pos); break;
    case T_BITXOR: {
      char text[300];
      span_text(p, l.pos, r.end, text, sizeof text);
      rc = fail(p, l.pos, r.end, "BitXor is not supported: %s", text);
      break;
    }
    case T_BITAND: {
      char text[300];
      span_text(p, l.pos, r.end, text, sizeof text);
      rc = fail(p, l.pos, r.end, "BitAnd is not supported: %s", text);
      break;
    }
    case T_SHL: case T_SHR: {
      char text[300];
      span_text(p, l.pos, r.end, text, sizeof text);
      rc = fail(p, l.pos, r.end, "shift is not supported: %s", text);
      break;
    }
    case T_EQ: case T_NE: rc = compare(p, &l, cmp_of(op.kind), &r, out); break;
    case T_LT: case T_LE: case T_GT: case T_GE: {
      bool up = op.kind == T_LT || op.kind == T_LE;
      pt_tok_kind nk = p->tok.kind;
      bool chained = up ? (nk == T_LT || nk == T_LE) : (nk == T_GT || nk == T_GE);
      if (chained && r.single_token && r.kind == I_COLUMN) { /* a range: lo < x < hi */
        pt_token op2 = p->tok;
        advance(p);
        item hi;
        if ((rc = parse_expr(p, L_REL + 1, &hi))) return rc;
        rc = range(p, &l, cmp_of(op.kind), &r, cmp_of(op2.kind), &hi, out);
      } else {
        rc = compare(p, &l, cmp_of(op.kind), &r, out);
      }
      break;
    }
    case T_IN: case T_NOT: rc = term(p, &l, op.kind == T_NOT, &r, out); break;
    case T_PLUS: rc = arith(p, AR_ADD, &l, &r, out); break;
    case T_MINUS: rc = arith(p, AR_SUB, &l, &r, out); break;
    case T_STAR: rc = arith(p, AR_MUL, &l, &r, out); break;
    case T_SLASH: rc = arith(p, AR_DIV, &l, &r, out); break;
    case T_PERCENT: rc = arith(p, AR_MOD, &l, &r, out); break;
    case T_POW:
      if (l.kind != I_CONST || r.kind != I_CONST) {
        char text[300];
        span_text(p, l.pos, r.end, text, sizeof text);
        rc = fail(p, l.pos, r.end, "power can only apply on constants: %s", text);
      } else if ((l.v.type != VT_INT && l.v.type != VT_FLOAT) || (r.v.type != VT_INT && r.v.type != VT_FLOAT)) {
        rc = fail(p, l.pos, r.end, "power can only apply on numeric constants");
      } else {
        double x = l.v.type == VT_INT ? (double)l.v.i : l.v.d, y = r.v.type == VT_INT ? (double)r.v.i : r.v.d;
        memset(out, 0, sizeof *out);
        out->kind = I_CONST;
        out->v.type = VT_FLOAT; /* Milvus 2.6 folds ** to a Double */
        out->v.d = pow(x, y);
        out->pos = l.pos;
        out->end = r.end;
      }
      break;
    default: rc = syntax(p, "an operator"); break;
    }
    if (rc) return rc;
    out->single_token = false;
  }
  return PT_OK;
}

/* ============================================================================================
 * Entry points
 * ========================================================================================== */

static const char *item_type_name(const item *it) {
  switch (it->kind) {
  case I_CONST: return vtype_name(it->v.type);
  case I_COLUMN: return is_whole_array(&it->col) ? "Array" : dtype_display(&it->col);
  case I_ARITH: return dtype_display(&it->col);
  case I_ARRAY_LENGTH: return "Int64";
  default: return "Bool";
  }
}

/* Recognises `pk in [...]` and `pk == k`: they are answered with the key index. */
static bool detect_keys(pt_plan *plan, const pt_collection *c) {
  const pt_pred *r = plan->root;
  int pk = c->schema->primary;
  if (!r || (r->kind != P_TERM && r->kind != P_COMPARE)) return false;
  if (r->col.field != pk || r->col.dynamic || r->col.n_keys) return false;
  if (r->kind == P_TERM && r->negate) return false;
  if (r->kind == P_COMPARE && (r->cmp != CMP_EQ || r->arith != AR_NONE)) return false;
  const pt_value *keys = r->kind == P_TERM ? r->value.items : &r->value;
  size_t n = r->kind == P_TERM ? r->value.n : 1;
  plan->keys = keys;
  plan->n_keys = n;
  plan->is_keys = true;
  return true;
}

bool pt_plan_keys(const pt_plan *plan, const pt_collection *c, pt_pkfilter *out) {
  (void)c;
  if (!plan || !plan->is_keys) return false;
  out->n = plan->n_keys;
  out->values = plan->keys;
  return true;
}

pt_status pt_plan_parse(const pt_collection *c, const char *expr, size_t len, const char *params, size_t params_len,
                        const char *what, pt_plan **out, pt_error *err) {
  *out = NULL;
  if (len > PT_EXPR_MAX_LENGTH)
    return pt_fail(err, PT_LIMIT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "failed to create %s plan: the expression is %zu bytes long, the limit is %u" PT_INVALID_PARAMETER, what,
                   len, PT_EXPR_MAX_LENGTH);
  pt_plan *plan = pt_calloc(1, sizeof *plan);
  if (!plan) return pt_fail_nomem(err);
  parser p;
  memset(&p, 0, sizeof p);
  p.lx.s = expr;
  p.lx.len = len;
  p.c = c;
  p.s = c->schema;
  p.plan = plan;
  p.what = what;
  p.err = err;
  pt_status rc = params && params_len ? load_params(&p, params, params_len) : PT_OK;
  item root;
  if (!rc) {
    advance(&p);
    rc = parse_expr(&p, L_OR, &root);
  }
  if (!rc && p.tok.kind != T_END) {
    if (p.tok.kind == T_BAD) rc = syntax(&p, "");
    else rc = fail(&p, p.tok.pos, len, "invalid expression: %.*s", (int)len, expr);
  }
  if (!rc && root.kind != I_PRED && !(root.kind == I_CONST && !root.literal && root.v.type == VT_BOOL)) {
    char text[300];
    span_text(&p, root.pos, root.end, text, sizeof text);
    rc = fail(&p, root.pos, root.end, "predicate is not a boolean expression: %s, data type: %s", text, item_type_name(&root));
  }
  if (!rc && root.kind == I_CONST) { /* a folded constant predicate: 1 < 2 */
    pt_pred *pr = new_pred(&p, P_CONST);
    if (!pr) rc = PT_NOMEM;
    else {
      pr->b = root.v.b;
      root.kind = I_PRED;
      root.pred = pr;
    }
  }
  cJSON_Delete(p.params); /* the plan holds copies of the values it bound */
  if (rc) {
    if (rc == PT_NOMEM && !p.failed) pt_fail_nomem(err);
    pt_plan_free(plan);
    return rc == PT_NOMEM ? PT_NOMEM : PT_PARSE;
  }
  plan->root = root.pred;
  detect_keys(plan, c);
  *out = plan;
  return PT_OK;
}
