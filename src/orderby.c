/*
 * orderby.c — Milvus 3.0's order_by_fields (orderby.h): reading the spec, and a stable sort of
 * rows by the values it names.
 *
 * The sort reads every row's values once (a JSON path is looked up once a row, not once a
 * comparison). The first m of n rows: a max-heap of m entries (O(n log m) comparisons, m rows'
 * values held) when m < n, else a merge sort of the positions (O(n log n)); both order equal
 * values by position, so they give the same rows in the same order.
 */
#include "orderby.h"

#include "filter.h"
#include "json.h"

/* ============================================================================================
 * Reading the spec
 * ========================================================================================== */

static bool blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f'; }

static pt_str trim(const char *p, size_t n) {
  while (n && blank(*p)) { p++; n--; }
  while (n && blank(p[n - 1])) n--;
  return (pt_str){p, n};
}

static bool eq_nocase(pt_str s, const char *z) {
  size_t i = 0;
  for (; i < s.len && z[i]; i++) {
    char ch = s.ptr[i];
    if (ch >= 'A' && ch <= 'Z') ch = (char)(ch + 32);
    if (ch != z[i]) return false;
  }
  return i == s.len && !z[i];
}

/* The direction word: 1 ascending, 0 descending, -1 neither. */
static int direction(pt_str d) {
  if (d.len == 0 || eq_nocase(d, "asc") || eq_nocase(d, "ascending")) return 1;
  if (eq_nocase(d, "desc") || eq_nocase(d, "descending")) return 0;
  return -1;
}

static bool sortable(int dtype) {
  return dtype == PT_BOOL || dtype == PT_INT8 || dtype == PT_INT16 || dtype == PT_INT32 || dtype == PT_INT64 ||
         dtype == PT_FLOAT || dtype == PT_DOUBLE || dtype == PT_VARCHAR;
}

/* A field by name, as Milvus's schema holds them: the dynamic field too, as "$meta" (a JSON
 * field). The field's index, or -1 (PT_JSON in *dtype for $meta, -2 returned). */
static int find_field(const pt_collection *c, pt_str name, int *dtype) {
  int fi = pt_schema_find(c->schema, name.ptr, name.len);
  if (fi >= 0) {
    *dtype = c->schema->fields[fi].dtype;
    return fi;
  }
  if (c->schema->enable_dynamic_field && pt_str_eqz(name.ptr, name.len, PT_DYNAMIC_FIELD_NAME)) {
    *dtype = PT_JSON;
    return -2;
  }
  return -1;
}

static pt_status add_key(pt_order *o, size_t *cap, pt_order_key k) {
  if (PT_GROW(&o->keys, cap, o->n + 1)) {
    pt_plan_free(k.plan);
    return PT_NOMEM;
  }
  o->keys[o->n++] = k;
  return PT_OK;
}

/* The items of a spec, split at commas and trimmed: the next non-empty one from *from on into
 * *item, false when there is none. */
static bool next_item(const char *spec, size_t len, size_t *from, pt_str *item) {
  while (*from <= len) {
    size_t i = *from;
    while (i < len && spec[i] != ',') i++;
    *item = trim(spec + *from, i - *from);
    *from = i + 1;
    if (item->len) return true;
  }
  return false;
}

/* A query item's parts (`field[:direction[:nulls]]`), split at colons and trimmed, into part[0..3):
 * how many there are, 4 for more than three. */
static size_t query_parts(pt_str item, pt_str part[3]) {
  size_t n = 0, from = 0;
  for (size_t i = 0; i <= item.len; i++) {
    if (i < item.len && item.ptr[i] != ':') continue;
    if (n == 3) return 4;
    part[n++] = trim(item.ptr + from, i - from);
    from = i + 1;
  }
  return n;
}

bool pt_order_given(const char *spec, size_t len, pt_str *first) {
  size_t from = 0;
  return len && next_item(spec, len, &from, first);
}

/* Up to 128 bytes of s, ASCII lower-cased (Go's strings.ToLower on what Milvus quotes), into out. */
static const char *lower(pt_str s, char out[129]) {
  size_t n = s.len < 128 ? s.len : 128;
  for (size_t i = 0; i < n; i++) out[i] = (char)(s.ptr[i] >= 'A' && s.ptr[i] <= 'Z' ? s.ptr[i] + 32 : s.ptr[i]);
  out[n] = '\0';
  return out;
}

static bool re_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r'; } /* RE2's \s */

static bool word_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* An aggregate expression as Milvus's agg.MatchAggregationExpression reads one (lower case):
 * sum|count|avg|min|max, blanks, '(', blanks, word characters or '*', blanks, ')'. */
static bool aggregate_expr(const char *z) {
  static const char *const OPS[] = {"sum", "count", "avg", "min", "max"};
  size_t i = 0;
  for (size_t k = 0; k < 5 && !i; k++)
    if (strncmp(z, OPS[k], strlen(OPS[k])) == 0) i = strlen(OPS[k]);
  if (!i) return false;
  while (re_space(z[i])) i++;
  if (z[i++] != '(') return false;
  while (re_space(z[i])) i++;
  while (word_char(z[i]) || z[i] == '*') i++;
  while (re_space(z[i])) i++;
  return z[i] == ')' && z[i + 1] == '\0';
}

pt_status pt_order_refuse_with_aggregates(pt_str first, pt_error *err) {
  pt_str part[3];
  query_parts(first, part);
  char name[129];
  lower(part[0], name);
  if (aggregate_expr(name))
    return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "ORDER BY on aggregate expression '%s' is not yet supported" PT_INVALID_PARAMETER, name);
  return pt_fail(err, PT_MISUSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                 "ORDER BY field '%s' is not valid: when using GROUP BY or aggregates, ORDER BY can only reference "
                 "GROUP BY columns. Valid targets are: []" PT_INVALID_PARAMETER, name);
}

/* `field[:direction[:nulls]]` of a query (Milvus's orderby.ParseOrderByFields). */
static pt_status query_item(const pt_collection *c, pt_str item, pt_order_key *k, pt_error *err) {
  pt_str part[3];
  size_t n = query_parts(item, part);
  if (n > 3)
    return pt_fail(err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "order_by item '%.*s' has more than three parts (field:direction:nulls)" PT_INVALID_PARAMETER,
                   (int)(item.len > 128 ? 128 : item.len), item.ptr);
  pt_str name = part[0];
  int nlen = (int)(name.len > 128 ? 128 : name.len);
  char low[129]; /* what Milvus quotes of a direction or null ordering: lower-cased */
  k->asc = true;
  if (n > 1) {
    int d = direction(part[1]);
    if (d < 0)
      return pt_fail(err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "invalid order direction '%s' for field '%.*s', must be 'asc' or 'desc'" PT_INVALID_PARAMETER,
                     lower(part[1], low), nlen, name.ptr);
    k->asc = d == 1;
  }
  k->nulls_first = !k->asc;
  if (n > 2) {
    if (eq_nocase(part[2], "nulls_first")) k->nulls_first = true;
    else if (eq_nocase(part[2], "nulls_last")) k->nulls_first = false;
    else
      return pt_fail(err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "invalid null ordering '%s', must be 'nulls_first' or 'nulls_last'" PT_INVALID_PARAMETER,
                     lower(part[2], low));
  }
  int dt, fi = find_field(c, name, &dt);
  if (fi == -1)
    return pt_fail(err, PT_NOT_FOUND, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "order_by field '%.*s' does not exist in collection schema" PT_INVALID_PARAMETER, nlen, name.ptr);
  if (!sortable(dt))
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "order_by field '%.*s' has type %s which is not sortable" PT_INVALID_PARAMETER, nlen, name.ptr,
                   pt_dtype_proto_name(dt));
  k->col = fi;
  return PT_OK;
}

/* A search's path: a JSON field's or the dynamic field's (plan holds its keys). */
static pt_status search_path(const pt_collection *c, pt_str spec, const char *lead, pt_order_key *k, pt_error *err) {
  pt_error perr;
  const pt_pred *p;
  pt_status rc = pt_json_path_plan(c, spec.ptr, spec.len, "search", &k->plan, &p, &perr);
  if (rc == PT_NOMEM) return pt_fail_nomem(err);
  if (!p || p->col.dtype != PT_JSON || p->col.n_keys == 0)
    return pt_fail(err, PT_PARSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "%s '%.*s': %s", lead,
                   (int)(spec.len > 128 ? 128 : spec.len), spec.ptr, rc ? perr.message : "not a path into a JSON value");
  k->col = p->col.field;
  k->json = true;
  k->keys = p->col.keys;
  k->n_keys = p->col.n_keys;
  return PT_OK;
}

/* `spec[:direction]` of a search (Milvus's proxy parseOrderByFields). */
static pt_status search_item(const pt_collection *c, pt_str item, pt_order_key *k, pt_error *err) {
  long depth = 0;
  size_t colon = SIZE_MAX;
  char quote = 0; /* inside a quoted key of a path ("..." or '...'): its brackets and colons are the key's */
  for (size_t i = 0; i < item.len; i++) {
    char ch = item.ptr[i];
    if (quote) {
      if (ch == '\\') i++;
      else if (ch == quote) quote = 0;
      continue;
    }
    if ((ch == '"' || ch == '\'') && depth > 0) quote = ch;
    else if (ch == '[') depth++;
    else if (ch == ']') depth--;
    else if (ch == ':' && depth == 0) colon = i;
  }
  pt_str spec = colon == SIZE_MAX ? item : trim(item.ptr, colon);
  pt_str dir = colon == SIZE_MAX ? (pt_str){item.ptr, 0} : trim(item.ptr + colon + 1, item.len - colon - 1);
  int slen = (int)(spec.len > 128 ? 128 : spec.len);
  if (spec.len == 0) return pt_fail(err, PT_PARSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "empty field name in order_by_fields");
  int d = direction(dir);
  if (d < 0)
    return pt_fail(err, PT_PARSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "invalid order direction '%.*s' for field '%.*s', expected 'asc' or 'desc'",
                   (int)(dir.len > 64 ? 64 : dir.len), dir.ptr, slen, spec.ptr);
  k->asc = d == 1;
  k->nulls_first = false;
  const pt_schema *s = c->schema;
  const char *lb = memchr(spec.ptr, '[', spec.len);
  if (lb && memchr(spec.ptr, ']', spec.len)) {
    size_t base = (size_t)(lb - spec.ptr);
    int fi = pt_schema_find(s, spec.ptr, base);
    if (fi >= 0 && s->fields[fi].dtype != PT_JSON)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "order_by field '%.*s' has brackets but is not a JSON type",
                     slen, spec.ptr);
    if (fi < 0 && !s->enable_dynamic_field)
      return pt_fail(err, PT_NOT_FOUND, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "order_by field '%.*s' not found in schema and no dynamic field available", (int)(base > 128 ? 128 : base),
                     spec.ptr);
    return search_path(c, spec, "invalid JSON path in order_by field", k, err);
  }
  int dt, fi = find_field(c, spec, &dt);
  if (fi != -1) {
    if (!sortable(dt))
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "order_by field '%.*s' has unsortable type %s; supported types: bool, int8/16/32/64, float, double, "
                     "string, varchar; for JSON fields use path syntax like field[\"key\"]",
                     slen, spec.ptr, pt_dtype_proto_name(dt));
    k->col = fi;
    return PT_OK;
  }
  if (!s->enable_dynamic_field)
    return pt_fail(err, PT_NOT_FOUND, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "order_by field '%.*s' does not exist in collection schema",
                   slen, spec.ptr);
  return search_path(c, spec, "invalid dynamic field key", k, err);
}

void pt_order_release(pt_order *o) {
  for (size_t i = 0; i < o->n; i++) pt_plan_free(o->keys[i].plan);
  pt_free(o->keys);
  o->keys = NULL;
  o->n = 0;
}

pt_status pt_order_parse(const pt_collection *c, const char *spec, size_t len, pt_order_kind kind, pt_order *o,
                         pt_error *err) {
  o->keys = NULL;
  o->n = 0;
  o->kind = kind;
  if (!len) return PT_OK; /* spec may then be NULL */
  size_t cap = 0, from = 0;
  pt_str item;
  while (next_item(spec, len, &from, &item)) {
    pt_order_key k;
    memset(&k, 0, sizeof k);
    pt_status rc = kind == PT_ORDER_QUERY ? query_item(c, item, &k, err) : search_item(c, item, &k, err);
    if (!rc && add_key(o, &cap, k)) rc = pt_fail_nomem(err);
    else if (rc) pt_plan_free(k.plan);
    if (rc) {
      pt_order_release(o);
      return rc;
    }
  }
  return PT_OK;
}

/* ============================================================================================
 * Values and their order
 * ========================================================================================== */

typedef enum okind { O_NULL, O_INT, O_NUM, O_DEC, O_STR, O_BOOL, O_RAW } okind;

typedef struct oval {
  const char *p; /* O_STR: the characters (esc: a JSON string's, escapes unread); O_RAW, O_DEC: JSON text */
  size_t len;
  union {
    int64_t i; /* O_INT, O_BOOL; O_DEC: the decimal exponent (below) */
    double d;  /* O_NUM */
  } u;
  uint32_t dig, dig_len; /* O_DEC: its significant digits, p[dig .. dig + dig_len) (a '.' may be among them) */
  int8_t sign;           /* O_DEC: -1, 0 (zero, either sign), 1 */
  uint8_t kind;
  bool esc;
  bool json; /* read at a path: mixed kinds compare by their JSON text */
} oval;

/* A JSON number's text (RFC 8259, checked when written) read for an exact comparison: its sign,
 * its significant digits d1 d2 ... (no leading or trailing zeros) and the exponent E with
 * value = 0.d1d2... x 10^E. Linear in the text; any length. */
static void read_decimal(oval *v) {
  const char *t = v->p;
  size_t n = v->len, i = 0;
  bool neg = n && t[0] == '-';
  if (neg) i++;
  size_t int_from = i;
  while (i < n && t[i] >= '0' && t[i] <= '9') i++;
  size_t int_to = i, frac_from = i, frac_to = i;
  if (i < n && t[i] == '.') {
    frac_from = ++i;
    while (i < n && t[i] >= '0' && t[i] <= '9') i++;
    frac_to = i;
  }
  int64_t exp = 0;
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    i++;
    bool eneg = i < n && t[i] == '-';
    if (i < n && (t[i] == '-' || t[i] == '+')) i++;
    for (; i < n && t[i] >= '0' && t[i] <= '9'; i++)
      if (exp < ((int64_t)1 << 40)) exp = exp * 10 + (t[i] - '0'); /* beyond any text's digits: saturated */
    if (eneg) exp = -exp;
  }
  /* the first and last non-zero digits, over the integer then the fraction digits */
  size_t first = SIZE_MAX, last = 0;
  int64_t e = 0;
  for (size_t k = int_from; k < int_to; k++)
    if (t[k] != '0') {
      if (first == SIZE_MAX) { first = k; e = (int64_t)(int_to - k); }
      last = k;
    }
  for (size_t k = frac_from; k < frac_to; k++)
    if (t[k] != '0') {
      if (first == SIZE_MAX) { first = k; e = -(int64_t)(k - frac_from); }
      last = k;
    }
  v->kind = O_DEC;
  if (first == SIZE_MAX) {
    v->sign = 0;
    return;
  }
  v->sign = neg ? -1 : 1;
  v->u.i = e + exp;
  v->dig = (uint32_t)first;
  v->dig_len = (uint32_t)(last + 1 - first);
}

/* Two read_decimal values, exactly. */
static int cmp_decimal(const oval *a, const oval *b) {
  if (a->sign != b->sign) return a->sign < b->sign ? -1 : 1;
  if (a->sign == 0) return 0;
  int c = 0;
  if (a->u.i != b->u.i) {
    c = a->u.i < b->u.i ? -1 : 1;
  } else {
    const char *x = a->p + a->dig, *y = b->p + b->dig;
    size_t i = 0, j = 0;
    while (!c && i < a->dig_len && j < b->dig_len) {
      if (x[i] == '.') { i++; continue; }
      if (y[j] == '.') { j++; continue; }
      c = x[i] < y[j] ? -1 : x[i] > y[j];
      i++;
      j++;
    }
    /* equal so far: the one with digits left (its last one is not zero) is the larger */
    if (!c) c = i < a->dig_len ? 1 : j < b->dig_len ? -1 : 0;
  }
  return a->sign < 0 ? -c : c;
}

static oval read_value(const pt_collection *c, const pt_order_key *k, pt_rowref ref) {
  const pt_layout *lay = &c->layout;
  const pt_segment *seg = pt_row_segment(c->parts[ref.part], lay, ref.row);
  const pt_column *col = &seg->cols[k->col];
  uint32_t off = pt_row_offset(lay, ref.row);
  oval v;
  memset(&v, 0, sizeof v);
  if (col->valid && !pt_bit_get(col->valid, off)) return v;
  if (k->json) {
    v.json = true;
    pt_str at;
    if (!pt_json_path_find((const char *)pt_var_cell(col, off), col->offsets[off + 1] - col->offsets[off], k->keys,
                           k->n_keys, &at) || at.len == 0)
      return v;
    char ch = at.ptr[0];
    v.p = at.ptr;
    v.len = at.len;
    if (ch == 'n') {
      v.kind = O_NULL;
    } else if (ch == '"') {
      v.kind = O_STR;
      v.p = at.ptr + 1;
      v.len = at.len - 2;
      v.esc = true;
    } else if (ch == 't' || ch == 'f') {
      v.kind = O_BOOL;
      v.u.i = ch == 't';
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
      read_decimal(&v);
    } else {
      v.kind = O_RAW;
    }
    return v;
  }
  int dt = c->schema->fields[k->col].dtype;
  const uint8_t *d = col->data;
  switch (dt) {
  case PT_BOOL: v.kind = O_INT; v.u.i = d[off] != 0; break;
  case PT_INT8: { int8_t y; memcpy(&y, d + off, 1); v.kind = O_INT; v.u.i = y; break; }
  case PT_INT16: { int16_t y; memcpy(&y, d + (size_t)off * 2, 2); v.kind = O_INT; v.u.i = y; break; }
  case PT_INT32: { int32_t y; memcpy(&y, d + (size_t)off * 4, 4); v.kind = O_INT; v.u.i = y; break; }
  case PT_INT64: v.kind = O_INT; memcpy(&v.u.i, d + (size_t)off * 8, 8); break;
  case PT_FLOAT: { float y; memcpy(&y, d + (size_t)off * 4, 4); v.kind = O_NUM; v.u.d = y; break; }
  case PT_DOUBLE: v.kind = O_NUM; memcpy(&v.u.d, d + (size_t)off * 8, 8); break;
  default: /* VARCHAR */
    v.kind = O_STR;
    v.p = (const char *)pt_var_cell(col, off);
    v.len = col->offsets[off + 1] - col->offsets[off];
    break;
  }
  return v;
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn) {
  size_t n = an < bn ? an : bn;
  int c = n ? memcmp(a, b, n) : 0;
  if (c) return c < 0 ? -1 : 1;
  return an < bn ? -1 : an > bn;
}

/* Two strings by the bytes they stand for (a JSON string's escapes read). */
static int cmp_str(const oval *a, const oval *b) {
  if (!a->esc && !b->esc) return cmp_bytes(a->p, a->len, b->p, b->len);
  size_t i = 0, j = 0;
  while (i < a->len && j < b->len) {
    uint8_t x = a->esc ? pt_json_string_byte(a->p, a->len, &i) : (uint8_t)a->p[i++];
    uint8_t y = b->esc ? pt_json_string_byte(b->p, b->len, &j) : (uint8_t)b->p[j++];
    if (x != y) return x < y ? -1 : 1;
  }
  return i < a->len ? 1 : j < b->len ? -1 : 0;
}

/* The JSON text of a value read at a path. */
static pt_str raw_of(const oval *v) {
  return v->kind == O_STR ? (pt_str){v->p - 1, v->len + 2} : (pt_str){v->p, v->len};
}

static int cmp_values(const pt_order_key *k, const oval *a, const oval *b) {
  bool an = a->kind == O_NULL, bn = b->kind == O_NULL;
  if (an || bn) return an && bn ? 0 : (an == k->nulls_first) ? -1 : 1;
  int c;
  if (a->kind != b->kind) {
    pt_str x = raw_of(a), y = raw_of(b);
    c = cmp_bytes(x.ptr, x.len, y.ptr, y.len);
  } else if (a->kind == O_INT || a->kind == O_BOOL) {
    c = a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
  } else if (a->kind == O_NUM) {
    c = a->u.d < b->u.d ? -1 : a->u.d > b->u.d;
  } else if (a->kind == O_DEC) {
    c = cmp_decimal(a, b);
  } else if (a->kind == O_STR) {
    c = cmp_str(a, b);
  } else {
    c = cmp_bytes(a->p, a->len, b->p, b->len);
  }
  return k->asc ? c : -c;
}

typedef struct octx {
  const pt_order *o;
  const oval *vals;     /* per entry, o->n values */
  const uint32_t *pos;  /* per entry, its position in refs (ties: the earlier first); NULL: the entry is it */
} octx;

/* Entries a and b by their values, then (equal) by their positions: a total order, so the
 * heap's selection and the stable sort give the same rows in the same order. */
static int cmp_pos(const octx *x, uint32_t a, uint32_t b) {
  for (size_t i = 0; i < x->o->n; i++) {
    int c = cmp_values(&x->o->keys[i], &x->vals[(size_t)a * x->o->n + i], &x->vals[(size_t)b * x->o->n + i]);
    if (c) return c;
  }
  uint32_t pa = x->pos ? x->pos[a] : a, pb = x->pos ? x->pos[b] : b;
  return pa < pb ? -1 : pa > pb;
}

/* A stable bottom-up merge sort of p[0..n) through tmp. */
static void merge_sort(const octx *x, uint32_t *p, uint32_t *tmp, size_t n) {
  uint32_t *src = p, *dst = tmp;
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, t = lo;
      while (i < mid && j < hi) dst[t++] = cmp_pos(x, src[j], src[i]) < 0 ? src[j++] : src[i++];
      while (i < mid) dst[t++] = src[i++];
      while (j < hi) dst[t++] = src[j++];
    }
    uint32_t *s = src;
    src = dst;
    dst = s;
  }
  if (src != p) memcpy(p, src, n * sizeof *p);
}

static void read_values(const pt_collection *c, const pt_order *o, pt_rowref ref, oval *out) {
  for (size_t k = 0; k < o->n; k++) out[k] = read_value(c, &o->keys[k], ref);
}

/* The heap's entry at h[i] moved down to its place (the largest first). */
static void sift_down(const octx *x, uint32_t *h, size_t n, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, big = i;
    if (l < n && cmp_pos(x, h[l], h[big]) > 0) big = l;
    if (l + 1 < n && cmp_pos(x, h[l + 1], h[big]) > 0) big = l + 1;
    if (big == i) return;
    uint32_t t = h[i];
    h[i] = h[big];
    h[big] = t;
    i = big;
  }
}

static void sift_up(const octx *x, uint32_t *h, size_t i) {
  while (i > 0 && cmp_pos(x, h[(i - 1) / 2], h[i]) < 0) {
    uint32_t t = h[i];
    h[i] = h[(i - 1) / 2];
    h[(i - 1) / 2] = t;
    i = (i - 1) / 2;
  }
}

/* The m (< n) first: a max-heap of the m best entries seen (entries are slots 0..m, one spare
 * for the row being read), then the m sorted. */
static pt_status top_by_heap(const pt_collection *c, const pt_order *o, const pt_rowref *refs, size_t n, size_t m,
                             uint32_t *top) {
  if (o->n > SIZE_MAX / sizeof(oval) / (m + 1)) return PT_NOMEM;
  oval *vals = pt_malloc((m + 1) * o->n * sizeof *vals);
  uint32_t *pos = pt_malloc((m + 1) * sizeof *pos), *heap = pt_malloc((m + 1) * sizeof *heap);
  if (!vals || !pos || !heap) {
    pt_free(vals);
    pt_free(pos);
    pt_free(heap);
    return PT_NOMEM;
  }
  octx x = {o, vals, pos};
  size_t size = 0;
  uint32_t spare = (uint32_t)m;
  for (size_t i = 0; i < n; i++) {
    uint32_t slot = size < m ? (uint32_t)size : spare;
    read_values(c, o, refs[i], &vals[(size_t)slot * o->n]);
    pos[slot] = (uint32_t)i;
    if (size < m) {
      heap[size] = slot;
      sift_up(&x, heap, size++);
    } else if (cmp_pos(&x, slot, heap[0]) < 0) {
      spare = heap[0];
      heap[0] = slot;
      sift_down(&x, heap, m, 0);
    }
  }
  merge_sort(&x, heap, top, m); /* top: the scratch, then the answer */
  for (size_t i = 0; i < m; i++) top[i] = pos[heap[i]];
  pt_free(vals);
  pt_free(pos);
  pt_free(heap);
  return PT_OK;
}

pt_status pt_order_top(const pt_collection *c, const pt_order *o, const pt_rowref *refs, size_t n, size_t m,
                       uint32_t *top, size_t *n_top) {
  if (m > n) m = n;
  *n_top = m;
  if (n > UINT32_MAX) return PT_NOMEM;
  if (!o->n || n < 2 || m == 0) {
    for (size_t i = 0; i < m; i++) top[i] = (uint32_t)i;
    return PT_OK;
  }
  if (m < n) return top_by_heap(c, o, refs, n, m, top);
  /* every row: values read once each, then a stable merge sort of the positions */
  if (o->n > SIZE_MAX / sizeof(oval) / n) return PT_NOMEM; /* n x keys values must not wrap a 32-bit size */
  oval *vals = pt_malloc(n * o->n * sizeof *vals);
  uint32_t *tmp = pt_malloc(n * sizeof *tmp);
  if (!vals || !tmp) {
    pt_free(vals);
    pt_free(tmp);
    return PT_NOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    read_values(c, o, refs[i], &vals[i * o->n]);
    top[i] = (uint32_t)i;
  }
  octx x = {o, vals, NULL};
  merge_sort(&x, top, tmp, n);
  pt_free(vals);
  pt_free(tmp);
  return PT_OK;
}
