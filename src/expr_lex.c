/*
 * expr_lex.c — the tokens of Milvus filter expressions (Plan.g4).
 *
 * Identifiers [a-zA-Z_][a-zA-Z_0-9]* and $meta; a JSON / array access `a["k"][0]` is one token
 * with no space inside the brackets; integers in decimal, octal (0…), hex (0x…) and binary
 * (0b…); floats (1., .5, 1e5, 1.5e-3); strings in single or double quotes, unescaped as Go's
 * strconv.Unquote does; keywords in lower or UPPER case; `is null` and `is not null` are one
 * token each, with single spaces.
 */
#include "expr.h"

#include <stdlib.h>

#include "text.h"

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int hex_val(char c) { return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10; }

bool pt_expr_is_empty(const char *expr, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (!is_space(expr[i])) return false;
  return true;
}

typedef struct keyword {
  const char *lower, *upper;
  pt_tok_kind kind;
} keyword;

static const keyword KEYWORDS[] = {
    {"and", "AND", T_AND},
    {"or", "OR", T_OR},
    {"not", "NOT", T_NOT},
    {"in", "IN", T_IN},
    {"like", "LIKE", T_LIKE},
    {"exists", "EXISTS", T_EXISTS},
    {"json_contains", "JSON_CONTAINS", T_JSON_CONTAINS},
    {"json_contains_all", "JSON_CONTAINS_ALL", T_JSON_CONTAINS_ALL},
    {"json_contains_any", "JSON_CONTAINS_ANY", T_JSON_CONTAINS_ANY},
    {"array_contains", "ARRAY_CONTAINS", T_ARRAY_CONTAINS},
    {"array_contains_all", "ARRAY_CONTAINS_ALL", T_ARRAY_CONTAINS_ALL},
    {"array_contains_any", "ARRAY_CONTAINS_ANY", T_ARRAY_CONTAINS_ANY},
    {"array_length", "ARRAY_LENGTH", T_ARRAY_LENGTH},
    {"text_match", "TEXT_MATCH", T_TEXT_MATCH},
    {"phrase_match", "PHRASE_MATCH", T_PHRASE_MATCH},
    {"random_sample", "RANDOM_SAMPLE", T_RANDOM_SAMPLE},
    {"true", "TRUE", T_TRUE},
    {"True", NULL, T_TRUE},
    {"false", "FALSE", T_FALSE},
    {"False", NULL, T_FALSE},
};

static pt_tok_kind keyword_kind(const char *s, size_t n) {
  for (size_t i = 0; i < sizeof KEYWORDS / sizeof KEYWORDS[0]; i++)
    if (pt_str_eqz(s, n, KEYWORDS[i].lower) || (KEYWORDS[i].upper && pt_str_eqz(s, n, KEYWORDS[i].upper)))
      return KEYWORDS[i].kind;
  return T_IDENT;
}

/* Length of a string literal starting at s[0] (a quote), or 0 when it does not end on the line. */
static size_t string_length(const char *s, size_t n) {
  char q = s[0];
  for (size_t i = 1; i < n; i++) {
    if (s[i] == '\n' || s[i] == '\r') return 0;
    if (s[i] == '\\' && i + 1 < n) {
      i++;
      continue;
    }
    if (s[i] == q) return i + 1;
  }
  return 0;
}

/* Length of the bracket groups of a JSON identifier: ("[" (string|decimal) "]")+, no spaces. */
static size_t brackets_length(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && s[i] == '[') {
    size_t j = i + 1;
    if (j < n && (s[j] == '"' || s[j] == '\'')) {
      size_t k = string_length(s + j, n - j);
      if (!k) break;
      j += k;
    } else if (j < n && is_digit(s[j])) {
      if (s[j] == '0') j++;
      else
        while (j < n && is_digit(s[j])) j++;
    } else {
      break;
    }
    if (j >= n || s[j] != ']') break;
    i = j + 1;
  }
  return i;
}

static void lex_number(pt_lexer *lx, pt_token *t) {
  const char *s = lx->s + lx->pos;
  size_t n = lx->len - lx->pos, i = 0;
  t->kind = T_INT;
  if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X' || s[1] == 'b' || s[1] == 'B')) {
    int base = (s[1] == 'x' || s[1] == 'X') ? 16 : 2;
    i = 2;
    size_t start = i;
    while (i < n && (base == 16 ? is_hex(s[i]) : (s[i] == '0' || s[i] == '1'))) {
      uint64_t d = (uint64_t)hex_val(s[i]);
      if (t->u > (UINT64_MAX - d) / (uint64_t)base) t->overflow = true;
      t->u = t->u * (uint64_t)base + d;
      i++;
    }
    if (i == start) { /* "0x" alone: the 0, then an identifier */
      t->len = 1;
      t->u = 0;
      return;
    }
    t->len = i;
    return;
  }
  /* decimal or octal integer, or a float */
  while (i < n && is_digit(s[i])) i++;
  bool is_float = false;
  if (i < n && s[i] == '.') {
    is_float = true;
    i++;
    while (i < n && is_digit(s[i])) i++;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t k = i + 1;
    if (k < n && (s[k] == '+' || s[k] == '-')) k++;
    if (k < n && is_digit(s[k])) {
      is_float = true;
      i = k;
      while (i < n && is_digit(s[i])) i++;
    }
  }
  if (is_float) {
    char buf[128];
    size_t m = i < sizeof buf - 1 ? i : sizeof buf - 1;
    memcpy(buf, s, m);
    buf[m] = '\0';
    t->kind = T_FLOAT;
    t->d = strtod(buf, NULL);
    t->len = i;
    return;
  }
  if (s[0] == '0' && i > 1) { /* octal: 0[0-7]*; 08 is 0 then 8 */
    size_t k = 1;
    while (k < i && s[k] >= '0' && s[k] <= '7') {
      uint64_t d = (uint64_t)(s[k] - '0');
      if (t->u > (UINT64_MAX - d) / 8) t->overflow = true;
      t->u = t->u * 8 + d;
      k++;
    }
    t->len = k;
    return;
  }
  for (size_t k = 0; k < i; k++) {
    uint64_t d = (uint64_t)(s[k] - '0');
    if (t->u > (UINT64_MAX - d) / 10) t->overflow = true;
    t->u = t->u * 10 + d;
  }
  t->len = i;
}

/* `is null` / `IS NULL` / `is not null` / `IS NOT NULL`, one space between words. */
static size_t is_null_token(const char *s, size_t n, pt_tok_kind *kind) {
  static const struct { const char *text; pt_tok_kind kind; } F[] = {
      {"is not null", T_IS_NOT_NULL}, {"IS NOT NULL", T_IS_NOT_NULL}, {"is null", T_IS_NULL}, {"IS NULL", T_IS_NULL}};
  for (size_t i = 0; i < 4; i++) {
    size_t m = strlen(F[i].text);
    if (n >= m && memcmp(s, F[i].text, m) == 0 && (n == m || !pt_is_name_char(s[m]))) {
      *kind = F[i].kind;
      return m;
    }
  }
  return 0;
}

pt_token pt_lex_next(pt_lexer *lx) {
  const char *s = lx->s;
  size_t n = lx->len;
  while (lx->pos < n && is_space(s[lx->pos])) lx->pos++;
  pt_token t;
  memset(&t, 0, sizeof t);
  t.pos = lx->pos;
  if (lx->pos >= n) return t; /* T_END */
  const char *p = s + lx->pos;
  size_t rest = n - lx->pos;
  char c = p[0], d = rest > 1 ? p[1] : '\0';
  pt_tok_kind nk;
  size_t m;
  if (is_digit(c) || (c == '.' && is_digit(d))) {
    lex_number(lx, &t);
  } else if ((m = is_null_token(p, rest, &nk)) != 0) {
    t.kind = nk;
    t.len = m;
  } else if (pt_is_name_start(c) || (c == '$' && rest >= 5 && memcmp(p, "$meta", 5) == 0)) {
    size_t j = c == '$' ? 5 : 1;
    if (c != '$')
      while (j < rest && pt_is_name_char(p[j])) j++;
    size_t b = brackets_length(p + j, rest - j);
    if (b) {
      t.kind = T_JSON_IDENT;
      t.len = j + b;
    } else {
      t.kind = c == '$' ? T_IDENT : keyword_kind(p, j);
      t.len = j;
    }
  } else if (c == '"' || c == '\'') {
    size_t k = string_length(p, rest);
    t.kind = k ? T_STRING : T_BAD;
    t.len = k ? k : 1;
  } else {
    static const struct { const char *op; pt_tok_kind kind; } OPS[] = {
        {"**", T_POW}, {"==", T_EQ}, {"!=", T_NE}, {"<=", T_LE}, {">=", T_GE}, {"&&", T_AND}, {"||", T_OR},
        {"<<", T_SHL}, {">>", T_SHR}, {"(", T_LPAREN}, {")", T_RPAREN}, {"[", T_LBRACKET}, {"]", T_RBRACKET},
        {",", T_COMMA}, {"<", T_LT}, {">", T_GT}, {"+", T_PLUS}, {"-", T_MINUS}, {"*", T_STAR}, {"/", T_SLASH},
        {"%", T_PERCENT}, {"!", T_NOT}, {"~", T_TILDE}, {"&", T_BITAND}, {"|", T_BITOR}, {"^", T_BITXOR},
        {"=", T_ASSIGN}, {"{", T_LBRACE}, {"}", T_RBRACE}};
    t.kind = T_BAD;
    t.len = 1;
    for (size_t k = 0; k < sizeof OPS / sizeof OPS[0]; k++) {
      size_t ol = strlen(OPS[k].op);
      if (rest >= ol && memcmp(p, OPS[k].op, ol) == 0) {
        t.kind = OPS[k].kind;
        t.len = ol;
        break;
      }
    }
    /* a multi-byte UTF-8 character is one bad token, not several */
    if (t.kind == T_BAD && ((unsigned char)c & 0xC0) == 0xC0)
      while (t.len < rest && ((unsigned char)p[t.len] & 0xC0) == 0x80) t.len++;
  }
  lx->pos = t.pos + t.len;
  return t;
}

/* Appends code point cp as UTF-8; false for surrogates and values beyond U+10FFFF. */
static bool put_utf8(char *out, size_t *k, uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  if (cp < 0x80) {
    out[(*k)++] = (char)cp;
  } else if (cp < 0x800) {
    out[(*k)++] = (char)(0xC0 | (cp >> 6));
    out[(*k)++] = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out[(*k)++] = (char)(0xE0 | (cp >> 12));
    out[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[(*k)++] = (char)(0x80 | (cp & 0x3F));
  } else {
    out[(*k)++] = (char)(0xF0 | (cp >> 18));
    out[(*k)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[(*k)++] = (char)(0x80 | (cp & 0x3F));
  }
  return true;
}

size_t pt_lex_unquote(const char *tok, size_t len, char *out) {
  const char *s = tok + 1;
  size_t n = len - 2, k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c != '\\') {
      out[k++] = c;
      continue;
    }
    if (++i >= n) return SIZE_MAX;
    char e = s[i];
    switch (e) {
    case 'a': out[k++] = '\a'; break;
    case 'b': out[k++] = '\b'; break;
    case 'f': out[k++] = '\f'; break;
    case 'n': out[k++] = '\n'; break;
    case 'r': out[k++] = '\r'; break;
    case 't': out[k++] = '\t'; break;
    case 'v': out[k++] = '\v'; break;
    case '\\': out[k++] = '\\'; break;
    case '\'': out[k++] = '\''; break;
    case '"': out[k++] = '"'; break;
    case 'x': {
      if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return SIZE_MAX;
      out[k++] = (char)(hex_val(s[i + 1]) * 16 + hex_val(s[i + 2]));
      i += 2;
      break;
    }
    case 'u': case 'U': {
      size_t digits = e == 'u' ? 4 : 8;
      if (i + digits >= n) return SIZE_MAX;
      uint32_t cp = 0;
      for (size_t j = 1; j <= digits; j++) {
        if (!is_hex(s[i + j])) return SIZE_MAX;
        cp = cp * 16 + (uint32_t)hex_val(s[i + j]);
      }
      if (!put_utf8(out, &k, cp)) return SIZE_MAX;
      i += digits;
      break;
    }
    default:
      /* octal: exactly three digits, at most \377 */
      if (e >= '0' && e <= '7') {
        if (i + 2 >= n || s[i + 1] < '0' || s[i + 1] > '7' || s[i + 2] < '0' || s[i + 2] > '7') return SIZE_MAX;
        int v = (e - '0') * 64 + (s[i + 1] - '0') * 8 + (s[i + 2] - '0');
        if (v > 255) return SIZE_MAX;
        out[k++] = (char)v;
        i += 2;
        break;
      }
      return SIZE_MAX; /* \? \% and anything else */
    }
  }
  return k;
}
