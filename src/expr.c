/*
 * expr.c — lexer and parser of Milvus filter expressions (see expr.h for what is recognised).
 *
 * The lexer knows the whole token set of Milvus's grammar (Plan.g4): identifiers and $meta,
 * integer literals in decimal, hex, octal and binary, floats, single- and double-quoted strings
 * with escapes, every operator and keyword. Errors name the expression and the byte position.
 */
#include "expr.h"

#include <stdio.h>
#include <stdlib.h>

typedef enum tok_kind {
  T_END = 0, T_IDENT, T_INT, T_FLOAT, T_STRING, T_LPAREN, T_RPAREN, T_LBRACKET, T_RBRACKET,
  T_COMMA, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT,
  T_POW, T_NOT, T_AND, T_OR, T_TILDE, T_BITAND, T_BITOR, T_BITXOR, T_SHL, T_SHR, T_IN, T_LIKE,
  T_TRUE, T_FALSE, T_BAD
} tok_kind;

typedef struct token {
  tok_kind kind;
  size_t pos, len;  /* in the expression text */
  int64_t i;        /* T_INT */
  bool overflow;    /* T_INT beyond int64 */
  double d;         /* T_FLOAT */
} token;

typedef struct lexer {
  const char *s;
  size_t len, pos;
  token tok; /* current token */
} lexer;

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool pt_expr_is_empty(const char *expr, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (!is_space(expr[i])) return false;
  return true;
}

static bool word_is(const lexer *lx, size_t start, size_t n, const char *a, const char *b) {
  return pt_str_eqz(lx->s + start, n, a) || (b && pt_str_eqz(lx->s + start, n, b));
}

static void lex_number(lexer *lx, token *t) {
  const char *s = lx->s;
  size_t i = lx->pos, n = lx->len;
  int base = 10;
  if (s[i] == '0' && i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X')) base = 16;
  else if (s[i] == '0' && i + 1 < n && (s[i + 1] == 'o' || s[i + 1] == 'O')) base = 8;
  else if (s[i] == '0' && i + 1 < n && (s[i + 1] == 'b' || s[i + 1] == 'B')) base = 2;
  if (base != 10) {
    size_t j = i + 2;
    uint64_t v = 0;
    bool ovf = false, any = false;
    for (; j < n; j++) {
      int d;
      char c = s[j];
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else break;
      if (d >= base) break;
      if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) ovf = true;
      v = v * (uint64_t)base + (uint64_t)d;
      any = true;
    }
    t->kind = any ? T_INT : T_BAD;
    t->overflow = ovf || v > (uint64_t)INT64_MAX;
    t->i = (int64_t)v;
    t->len = j - i;
    return;
  }
  size_t j = i;
  while (j < n && is_digit(s[j])) j++;
  bool is_float = false;
  if (j < n && s[j] == '.') { is_float = true; j++; while (j < n && is_digit(s[j])) j++; }
  if (j < n && (s[j] == 'e' || s[j] == 'E')) {
    size_t k = j + 1;
    if (k < n && (s[k] == '+' || s[k] == '-')) k++;
    if (k < n && is_digit(s[k])) { is_float = true; j = k; while (j < n && is_digit(s[j])) j++; }
  }
  char buf[64];
  size_t m = j - i < sizeof buf - 1 ? j - i : sizeof buf - 1;
  memcpy(buf, s + i, m);
  buf[m] = '\0';
  t->len = j - i;
  if (is_float) {
    t->kind = T_FLOAT;
    t->d = strtod(buf, NULL);
    return;
  }
  uint64_t v = 0;
  bool ovf = false;
  for (size_t k = i; k < j; k++) {
    uint64_t d = (uint64_t)(s[k] - '0');
    if (v > (UINT64_MAX - d) / 10) ovf = true;
    v = v * 10 + d;
  }
  t->kind = T_INT;
  t->i = (int64_t)v;
  /* 9223372036854775808 is representable only negated; the parser handles the sign */
  t->overflow = ovf || v > (uint64_t)INT64_MAX + 1;
  if (v == (uint64_t)INT64_MAX + 1) t->i = INT64_MIN;
}

static void lex_next(lexer *lx) {
  const char *s = lx->s;
  size_t n = lx->len;
  while (lx->pos < n && is_space(s[lx->pos])) lx->pos++;
  token *t = &lx->tok;
  memset(t, 0, sizeof *t);
  t->pos = lx->pos;
  if (lx->pos >= n) { t->kind = T_END; return; }
  char c = s[lx->pos], d = lx->pos + 1 < n ? s[lx->pos + 1] : '\0';
  if (is_digit(c) || (c == '.' && is_digit(d))) {
    lex_number(lx, t);
  } else if (pt_is_name_start(c) || c == '$') {
    size_t j = lx->pos + 1;
    while (j < n && pt_is_name_char(s[j])) j++;
    size_t w = j - lx->pos;
    t->len = w;
    t->kind = T_IDENT;
    if (word_is(lx, lx->pos, w, "and", "AND")) t->kind = T_AND;
    else if (word_is(lx, lx->pos, w, "or", "OR")) t->kind = T_OR;
    else if (word_is(lx, lx->pos, w, "not", "NOT")) t->kind = T_NOT;
    else if (word_is(lx, lx->pos, w, "in", "IN")) t->kind = T_IN;
    else if (word_is(lx, lx->pos, w, "like", "LIKE")) t->kind = T_LIKE;
    else if (word_is(lx, lx->pos, w, "true", "True") || word_is(lx, lx->pos, w, "TRUE", NULL)) t->kind = T_TRUE;
    else if (word_is(lx, lx->pos, w, "false", "False") || word_is(lx, lx->pos, w, "FALSE", NULL)) t->kind = T_FALSE;
  } else if (c == '"' || c == '\'') {
    size_t j = lx->pos + 1;
    while (j < n && s[j] != c) j += (s[j] == '\\' && j + 1 < n) ? 2 : 1;
    t->kind = j < n ? T_STRING : T_BAD;
    t->len = (j < n ? j + 1 : n) - lx->pos;
  } else {
    static const struct { const char *op; tok_kind kind; } OPS[] = {
        {"**", T_POW}, {"==", T_EQ}, {"!=", T_NE}, {"<=", T_LE}, {">=", T_GE}, {"&&", T_AND},
        {"||", T_OR}, {"<<", T_SHL}, {">>", T_SHR}, {"(", T_LPAREN}, {")", T_RPAREN},
        {"[", T_LBRACKET}, {"]", T_RBRACKET}, {",", T_COMMA}, {"<", T_LT}, {">", T_GT},
        {"+", T_PLUS}, {"-", T_MINUS}, {"*", T_STAR}, {"/", T_SLASH}, {"%", T_PERCENT},
        {"!", T_NOT}, {"~", T_TILDE}, {"&", T_BITAND}, {"|", T_BITOR}, {"^", T_BITXOR}};
    t->kind = T_BAD;
    t->len = 1;
    for (size_t k = 0; k < sizeof OPS / sizeof OPS[0]; k++) {
      size_t m = strlen(OPS[k].op);
      if (lx->pos + m <= n && memcmp(s + lx->pos, OPS[k].op, m) == 0) {
        t->kind = OPS[k].kind;
        t->len = m;
        break;
      }
    }
  }
  lx->pos = t->pos + t->len;
}

/* ============================================================================================
 * Parser for primary-key filters
 * ========================================================================================== */

typedef struct parser {
  lexer lx;
  const pt_schema *schema;
  const pt_field *pk;
  pt_pkfilter *out;
  size_t keys_cap, text_cap, text_used;
  pt_error *err;
} parser;

static pt_status fail(parser *p, size_t pos, const char *what) {
  char ex[200];
  pt_excerpt(ex, sizeof ex, p->lx.s, p->lx.len, 160);
  return pt_fail(p->err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                 "cannot parse expression: %s, error: %s (at position %zu)" PT_INVALID_PARAMETER, ex, what, pos);
}

/* Appends the unescaped contents of a string token to out->text; returns its offset. */
static pt_status take_string(parser *p, const token *t, size_t *at, size_t *len) {
  const char *s = p->lx.s + t->pos + 1;
  size_t n = t->len - 2;
  if (PT_GROW(&p->out->text, &p->text_cap, p->text_used + n + 1)) return pt_fail_nomem(p->err);
  char *o = p->out->text + p->text_used;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '\\' && i + 1 < n) {
      char e = s[++i];
      switch (e) {
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      case '\\': case '"': case '\'': c = e; break;
      default: o[k++] = '\\'; c = e; break;
      }
    }
    o[k++] = c;
  }
  *at = p->text_used;
  *len = k;
  p->text_used += k;
  return PT_OK;
}

/* A literal key: [-]integer for INT64 keys, a string for VARCHAR keys. */
static pt_status parse_key(parser *p) {
  token t = p->lx.tok;
  bool neg = false;
  if (t.kind == T_MINUS || t.kind == T_PLUS) {
    neg = t.kind == T_MINUS;
    lex_next(&p->lx);
    t = p->lx.tok;
    if (t.kind != T_INT && t.kind != T_FLOAT) return fail(p, t.pos, "a number must follow the sign");
  }
  if (PT_GROW(&p->out->keys, &p->keys_cap, p->out->n + 1)) return pt_fail_nomem(p->err);
  pt_key *k = &p->out->keys[p->out->n];
  memset(k, 0, sizeof *k);
  if (p->pk->dtype == PT_INT64) {
    if (t.kind == T_STRING || t.kind == T_FLOAT || t.kind == T_TRUE || t.kind == T_FALSE) {
      char msg[160];
      snprintf(msg, sizeof msg, "value '%.*s' in list cannot be casted to Int64", (int)t.len, p->lx.s + t.pos);
      return fail(p, t.pos, msg);
    }
    if (t.kind != T_INT) return fail(p, t.pos, "a literal was expected");
    if (t.overflow || (!neg && t.i == INT64_MIN)) return fail(p, t.pos, "integer literal out of the range of int64");
    k->i = neg && t.i != INT64_MIN ? -t.i : t.i;
  } else {
    if (t.kind != T_STRING) {
      char msg[160];
      snprintf(msg, sizeof msg, "value '%.*s' in list cannot be casted to VarChar", (int)t.len, p->lx.s + t.pos);
      return fail(p, t.pos, msg);
    }
    size_t at, len;
    pt_status rc = take_string(p, &t, &at, &len);
    if (rc) return rc;
    k->s = (const char *)(uintptr_t)at; /* resolved to a pointer once `text` stops moving */
    k->len = len;
  }
  p->out->n++;
  lex_next(&p->lx);
  return PT_OK;
}

static pt_status expect_pk_ident(parser *p) {
  token t = p->lx.tok;
  if (t.kind != T_IDENT) return fail(p, t.pos, "a field name was expected");
  if (!pt_str_eq(p->lx.s + t.pos, t.len, p->pk->name, p->pk->name_len)) {
    char msg[400];
    if (pt_schema_find(p->schema, p->lx.s + t.pos, t.len) < 0 && !p->schema->enable_dynamic_field)
      snprintf(msg, sizeof msg, "field %.*s not exist", (int)t.len, p->lx.s + t.pos);
    else
      snprintf(msg, sizeof msg, "filters on %.*s are not supported yet: only the primary key %s can be "
               "filtered (%s in [...], %s == ...)", (int)t.len, p->lx.s + t.pos, p->pk->name, p->pk->name, p->pk->name);
    return fail(p, t.pos, msg);
  }
  lex_next(&p->lx);
  return PT_OK;
}

static pt_status parse_term(parser *p) {
  pt_status rc;
  token t = p->lx.tok;
  if (t.kind == T_LPAREN) {
    lex_next(&p->lx);
    if ((rc = parse_term(p))) return rc;
    if (p->lx.tok.kind != T_RPAREN) return fail(p, p->lx.tok.pos, "')' was expected");
    lex_next(&p->lx);
    return PT_OK;
  }
  if (t.kind == T_IDENT) {
    if ((rc = expect_pk_ident(p))) return rc;
    token op = p->lx.tok;
    if (op.kind == T_EQ) {
      lex_next(&p->lx);
      return parse_key(p);
    }
    if (op.kind != T_IN) return fail(p, op.pos, "only 'in [...]' and '==' are supported on the primary key");
    lex_next(&p->lx);
    if (p->lx.tok.kind != T_LBRACKET) return fail(p, p->lx.tok.pos, "'[' was expected after 'in'");
    lex_next(&p->lx);
    if (p->lx.tok.kind == T_RBRACKET) { lex_next(&p->lx); return PT_OK; }
    for (;;) {
      if ((rc = parse_key(p))) return rc;
      if (p->lx.tok.kind == T_COMMA) { lex_next(&p->lx); continue; }
      if (p->lx.tok.kind == T_RBRACKET) { lex_next(&p->lx); return PT_OK; }
      return fail(p, p->lx.tok.pos, "',' or ']' was expected");
    }
  }
  /* literal == pk */
  if ((rc = parse_key(p))) return rc;
  if (p->lx.tok.kind != T_EQ) return fail(p, p->lx.tok.pos, "'==' was expected");
  lex_next(&p->lx);
  return expect_pk_ident(p);
}

pt_status pt_expr_parse_pk(const pt_schema *schema, const char *expr, size_t len, pt_pkfilter *out,
                           pt_error *err) {
  memset(out, 0, sizeof *out);
  parser p;
  memset(&p, 0, sizeof p);
  p.lx.s = expr;
  p.lx.len = len;
  p.schema = schema;
  p.pk = &schema->fields[schema->primary];
  p.out = out;
  p.err = err;
  lex_next(&p.lx);
  pt_status rc = parse_term(&p);
  if (!rc && p.lx.tok.kind != T_END) rc = fail(&p, p.lx.tok.pos, "unexpected text after the filter");
  if (rc) {
    pt_pkfilter_free(out);
    return rc;
  }
  if (p.pk->dtype == PT_VARCHAR)
    for (size_t i = 0; i < out->n; i++) out->keys[i].s = out->text + (uintptr_t)out->keys[i].s;
  return PT_OK;
}

void pt_pkfilter_free(pt_pkfilter *f) {
  pt_free(f->keys);
  pt_free(f->text);
  memset(f, 0, sizeof *f);
}
