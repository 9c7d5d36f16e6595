/*
 * json.c — JSON text in the core (json.h says what is accepted and what the canonical form is):
 * the validator, the canonical form, the one way text becomes a cJSON tree, and two walkers over
 * the text, one alongside a tree (values as written) and one that finds a member without a tree
 * (pt_json_member, so that a host can hand the `data` of a large request body to
 * pt_collection_write_json as it is).
 *
 * pt_json_check is one pass over the text with a stack of one bit per open container (object or
 * array), so it is linear in the text, allocates nothing and does not recurse. cJSON alone is
 * more lenient than JSON (it takes 02, 1., raw control characters in strings, any byte up to
 * 0x20 as white space, a byte order mark, and cuts a string at \u0000): every cJSON tree of the
 * core is built by pt_json_parse_ex, from text this check has accepted.
 */
#include "json.h"

#include <math.h>
#include <stdio.h>

#include "cJSON.h"
#include "text.h"

static bool is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool fail(pt_json_checked *out, pt_json_fault fault, size_t at, uint32_t unit) {
  out->fault = fault;
  out->at = at;
  out->unit = unit;
  return false;
}

/* ---- strings ---- */

/* The escape at p[0] == '\\', n bytes from there: its length (2, 6, or 12 for a surrogate
 * pair) with the code point in *cp; 0 when it is no JSON escape, *fault and *unit saying why. */
static size_t read_escape(const unsigned char *p, size_t n, uint32_t *cp, pt_json_fault *fault, uint32_t *unit) {
  if (n < 2) {
    *fault = PT_JF_END;
    return 0;
  }
  switch (p[1]) {
  case '"': *cp = '"'; return 2;
  case '\\': *cp = '\\'; return 2;
  case '/': *cp = '/'; return 2;
  case 'b': *cp = '\b'; return 2;
  case 'f': *cp = '\f'; return 2;
  case 'n': *cp = '\n'; return 2;
  case 'r': *cp = '\r'; return 2;
  case 't': *cp = '\t'; return 2;
  case 'u': break;
  default: *fault = PT_JF_ESCAPE; return 0;
  }
  uint32_t u[2] = {0, 0};
  for (int k = 0; k < 2; k++) {
    const unsigned char *h = p + 6 * k;
    size_t have = n - 6 * (size_t)k;
    for (size_t j = 2; j < 6; j++) {
      if (j >= have) {
        *fault = k ? PT_JF_SURROGATE : PT_JF_END;
        *unit = u[0];
        return 0;
      }
      int v = hex_value(h[j]);
      if (v < 0) {
        *fault = k ? PT_JF_SURROGATE : PT_JF_ESCAPE;
        *unit = u[0];
        return 0;
      }
      u[k] = u[k] * 16 + (uint32_t)v;
    }
    if (u[0] < 0xD800 || u[0] > 0xDFFF) {
      *cp = u[0];
      return 6;
    }
    if (k == 0 && (u[0] > 0xDBFF || n < 8 || p[6] != '\\' || p[7] != 'u')) {
      *fault = PT_JF_SURROGATE; /* a low surrogate first, or a high one alone */
      *unit = u[0];
      return 0;
    }
  }
  if (u[1] < 0xDC00 || u[1] > 0xDFFF) {
    *fault = PT_JF_SURROGATE;
    *unit = u[0];
    return 0;
  }
  *cp = 0x10000 + ((u[0] - 0xD800) << 10) + (u[1] - 0xDC00);
  return 12;
}

static size_t put_utf8(uint32_t cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Code point cp as the canonical form writes it inside a string. */
static size_t put_canonical(uint32_t cp, char *out) {
  size_t e = cp < 0x80 ? pt_json_escape((unsigned char)cp, out) : 0;
  return e ? e : put_utf8(cp, out);
}

/* The string at s[*at] == '"'; *at goes past it, *canon grows by its canonical length. */
static bool check_string(const unsigned char *s, size_t len, size_t *at, size_t *canon, bool *canonical,
                         unsigned flags, bool key, pt_json_checked *out) {
  size_t i = *at + 1, n = 2;
  for (;;) {
    size_t run = i;
    while (i < len && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\') i++;
    n += i - run;
    if (i >= len) return fail(out, PT_JF_END, len, 0);
    unsigned char c = s[i];
    if (c == '"') break;
    if (c < 0x20) return fail(out, PT_JF_CONTROL, i, c);
    if (c == '\\') {
      uint32_t cp = 0, unit = 0;
      pt_json_fault why = PT_JF_NONE;
      size_t k = read_escape(s + i, len - i, &cp, &why, &unit);
      if (!k) return fail(out, why, i, unit);
      if (cp == 0 && (key || !(flags & PT_JSON_NUL_OK))) return fail(out, PT_JF_NUL, i, key);
      char esc[6];
      size_t e = put_canonical(cp, esc);
      if (e != k || memcmp(esc, s + i, k) != 0) *canonical = false;
      n += e;
      i += k;
      continue;
    }
    size_t k = (flags & PT_JSON_BYTES) ? 1 : pt_utf8_seq((const char *)s + i, len - i);
    if (!k) return fail(out, PT_JF_UTF8, i, c);
    n += k;
    i += k;
  }
  *at = i + 1;
  *canon += n;
  return true;
}

/* ---- numbers ---- */

/* Whether a number (integer digits s[a, b), fraction digits s[c, d), exponent exp) stays
 * within a double: strtod would not make it infinite. */
static bool within_double(const unsigned char *s, size_t a, size_t b, size_t c, size_t d, int64_t exp) {
  while (a < b && s[a] == '0') a++;
  size_t first = a < b ? a : c; /* the first significant digit */
  if (a == b)
    while (first < d && s[first] == '0') first++;
  if (a == b && first == d) return true; /* zero */
  int64_t e10 = a < b ? (int64_t)(b - a) - 1 + exp : exp - (int64_t)(first - c) - 1;
  if (e10 < 308) return true;
  if (e10 > 308) return false;
  /* 1e308 to 9.99e308: strtod decides, from the first 40 significant digits */
  char buf[64] = "0.";
  size_t k = 2;
  for (size_t j = first; j < b && k < 42; j++) buf[k++] = (char)s[j];
  for (size_t j = a < b ? c : first; j < d && k < 42; j++) buf[k++] = (char)s[j];
  memcpy(buf + k, "e309", 5);
  return isfinite(pt_strtod(buf, NULL));
}

static bool check_number(const unsigned char *s, size_t len, size_t *at, pt_json_checked *out) {
  size_t i = *at, start = i;
  if (s[i] == '-') i++;
  if (i >= len || !is_digit(s[i])) return fail(out, PT_JF_DIGIT, i, '-');
  size_t a = i;
  if (s[i] == '0') {
    i++;
    if (i < len && is_digit(s[i])) return fail(out, PT_JF_LEADING_ZERO, start, 0);
  } else {
    while (i < len && is_digit(s[i])) i++;
  }
  size_t b = i, c = i, d = i;
  if (i < len && s[i] == '.') {
    i++;
    if (i >= len || !is_digit(s[i])) return fail(out, PT_JF_DIGIT, i, '.');
    c = i;
    while (i < len && is_digit(s[i])) i++;
    d = i;
  }
  int64_t exp = 0;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    unsigned char before = s[i++];
    bool negative = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
      negative = s[i] == '-';
      before = s[i++];
    }
    if (i >= len || !is_digit(s[i])) return fail(out, PT_JF_DIGIT, i, before);
    for (; i < len && is_digit(s[i]); i++)
      if (exp < 1000000000) exp = exp * 10 + (s[i] - '0');
    if (negative) exp = -exp;
  }
  if (!within_double(s, a, b, c, d, exp)) return fail(out, PT_JF_RANGE, start, 0);
  *at = i;
  return true;
}

/* ---- the value ---- */

enum { WANT_VALUE, WANT_VALUE_OR_CLOSE, WANT_KEY_OR_CLOSE, WANT_KEY, WANT_COLON, AFTER_VALUE };

bool pt_json_check(const char *text, size_t len, unsigned flags, pt_json_checked *out) {
  const unsigned char *s = (const unsigned char *)text;
  uint8_t objects[(CJSON_NESTING_LIMIT + 7) / 8]; /* per open container: 1 object, 0 array */
  size_t depth = 0, i = 0, canon = 0;
  bool canonical = true;
  int want = WANT_VALUE;
  memset(out, 0, sizeof *out);
  for (;;) {
    size_t from = i;
    while (i < len && is_ws(s[i])) i++;
    if (i > from) canonical = false;
    if (i >= len) break;
    unsigned char c = s[i];
    bool in_object = depth && ((objects[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1);
    bool may_close = want == AFTER_VALUE || want == WANT_KEY_OR_CLOSE || want == WANT_VALUE_OR_CLOSE;
    if (depth && may_close && c == (in_object ? '}' : ']')) {
      i++;
      canon++;
      depth--;
      want = AFTER_VALUE;
      continue;
    }
    if (want == AFTER_VALUE) {
      if (!depth) return fail(out, PT_JF_AFTER, i, c);
      if (c != ',') return fail(out, PT_JF_CHAR, i, c);
      i++;
      canon++;
      want = in_object ? WANT_KEY : WANT_VALUE;
      continue;
    }
    if (want == WANT_COLON) {
      if (c != ':') return fail(out, PT_JF_CHAR, i, c);
      i++;
      canon++;
      want = WANT_VALUE;
      continue;
    }
    if (want == WANT_KEY_OR_CLOSE || want == WANT_KEY) {
      if (c != '"') return fail(out, PT_JF_CHAR, i, c);
      if (!check_string(s, len, &i, &canon, &canonical, flags, true, out)) return false;
      want = WANT_COLON;
      continue;
    }
    /* a value */
    if (c == '{' || c == '[') {
      if (depth == CJSON_NESTING_LIMIT) return fail(out, PT_JF_DEPTH, i, c);
      uint8_t bit = (uint8_t)(1u << (depth % 8));
      if (c == '{') objects[depth / 8] |= bit;
      else objects[depth / 8] &= (uint8_t)~bit;
      depth++;
      i++;
      canon++;
      want = c == '{' ? WANT_KEY_OR_CLOSE : WANT_VALUE_OR_CLOSE;
      continue;
    }
    if (c == '"') {
      if (!check_string(s, len, &i, &canon, &canonical, flags, false, out)) return false;
    } else if (c == '-' || is_digit(c)) {
      size_t start = i;
      if (!check_number(s, len, &i, out)) return false;
      canon += i - start;
    } else if (c == 't' || c == 'f' || c == 'n') {
      const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
      for (size_t k = 0; word[k]; k++, i++) {
        if (i >= len) return fail(out, PT_JF_END, len, 0);
        if (s[i] != (unsigned char)word[k]) return fail(out, PT_JF_CHAR, i, s[i]);
        canon++;
      }
    } else {
      return fail(out, PT_JF_CHAR, i, c);
    }
    want = AFTER_VALUE;
  }
  if (want != AFTER_VALUE || depth) return fail(out, PT_JF_END, len, 0);
  out->canonical_len = canon;
  out->canonical = canonical;
  return true;
}

/* ---- what the check accepted, rewritten ---- */

size_t pt_json_canonical(const char *text, size_t len, char *out) {
  const unsigned char *s = (const unsigned char *)text;
  size_t k = 0;
  for (size_t i = 0; i < len;) {
    unsigned char c = s[i];
    if (is_ws(c)) {
      i++;
    } else if (c != '"') {
      out[k++] = (char)c;
      i++;
    } else {
      out[k++] = '"';
      for (i++; s[i] != '"';) {
        if (s[i] != '\\') {
          out[k++] = (char)s[i++];
          continue;
        }
        uint32_t cp = 0, unit;
        pt_json_fault why;
        i += read_escape(s + i, len - i, &cp, &why, &unit);
        k += put_canonical(cp, out + k);
      }
      out[k++] = '"';
      i++;
    }
  }
  return k;
}

static int hex1(uint8_t ch) { return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10; }

uint8_t pt_json_string_byte(const char *p, size_t len, size_t *i) {
  uint8_t ch = (uint8_t)p[(*i)++];
  if (ch != '\\' || *i >= len) return ch;
  ch = (uint8_t)p[(*i)++];
  switch (ch) {
  case 'b': return '\b';
  case 'f': return '\f';
  case 'n': return '\n';
  case 'r': return '\r';
  case 't': return '\t';
  case 'u':
    if (*i + 4 > len) return ch;
    *i += 4;
    return (uint8_t)(hex1((uint8_t)p[*i - 2]) << 4 | hex1((uint8_t)p[*i - 1]));
  default: return ch; /* \" and \\ */
  }
}

size_t pt_json_unescape(const char *text, size_t n, char *out) {
  const unsigned char *s = (const unsigned char *)text;
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    const unsigned char *esc = memchr(s + i, '\\', n - i);
    size_t run = esc ? (size_t)(esc - s) - i : n - i;
    if (out) memcpy(out + k, s + i, run);
    k += run;
    i += run;
    if (i < n) {
      uint32_t cp = 0, unit;
      pt_json_fault why;
      char tmp[4];
      i += read_escape(s + i, n - i, &cp, &why, &unit);
      k += put_utf8(cp, out ? out + k : tmp);
    }
  }
  return k;
}

/* ---- messages ---- */

const char *pt_json_describe(const pt_json_checked *c, char *out, size_t size) {
  char what[112];
  switch (c->fault) {
  case PT_JF_NONE: snprintf(what, sizeof what, "no fault"); break;
  case PT_JF_NOMEM: snprintf(what, sizeof what, "out of memory"); break;
  case PT_JF_END: snprintf(what, sizeof what, "the text ends before the JSON value does"); break;
  case PT_JF_CHAR:
    if (c->unit > 0x20 && c->unit < 0x7F) snprintf(what, sizeof what, "unexpected character '%c'", (char)c->unit);
    else snprintf(what, sizeof what, "unexpected byte 0x%02x", (unsigned)c->unit);
    break;
  case PT_JF_AFTER: snprintf(what, sizeof what, "text after the JSON value"); break;
  case PT_JF_LEADING_ZERO: snprintf(what, sizeof what, "a number with a leading zero"); break;
  case PT_JF_DIGIT: snprintf(what, sizeof what, "a number without a digit after '%c'", (char)c->unit); break;
  case PT_JF_RANGE: snprintf(what, sizeof what, "a number beyond the range of a double"); break;
  case PT_JF_CONTROL:
    snprintf(what, sizeof what, "a control character (U+%04X) in a string that is not escaped", (unsigned)c->unit);
    break;
  case PT_JF_ESCAPE: snprintf(what, sizeof what, "an escape sequence that JSON does not have"); break;
  case PT_JF_SURROGATE:
    snprintf(what, sizeof what, "a lone surrogate (\\u%04x) in a string, which is not Unicode text", (unsigned)c->unit);
    break;
  case PT_JF_NUL:
    snprintf(what, sizeof what, "a NUL character (\\u0000) in %s", c->unit ? "an object key" : "a string");
    break;
  case PT_JF_UTF8: snprintf(what, sizeof what, "not valid UTF-8"); break;
  case PT_JF_DEPTH: snprintf(what, sizeof what, "nesting deeper than %d levels", CJSON_NESTING_LIMIT); break;
  case PT_JF_PARSER: snprintf(what, sizeof what, "text the JSON parser cannot read"); break;
  }
  snprintf(out, size, "%s at byte %zu", what, c->at);
  return out;
}

pt_status pt_json_fail(pt_error *err, int32_t code, pt_exception exc, const char *subject, const char *lead,
                       const pt_json_checked *chk) {
  char what[160];
  if (chk->fault == PT_JF_NOMEM) return pt_fail_nomem(err);
  pt_json_describe(chk, what, sizeof what);
  if (chk->fault == PT_JF_NUL)
    return pt_fail(err, PT_PARSE, code, exc,
                   "%s holds %s: names, expressions and parameters cannot contain NUL", subject, what);
  return pt_fail(err, PT_PARSE, code, exc, "%s: %s", lead, what);
}

pt_status pt_json_validate(const char *json, size_t len, uint32_t flags, pt_error *err) {
  if (!json && len) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_json_validate: missing argument");
  pt_json_checked chk;
  if (pt_json_check(json ? json : "", len, (flags & PT_JSON_VALIDATE_NO_NUL) ? 0 : PT_JSON_NUL_OK, &chk)) {
    pt_error_clear(err);
    return PT_OK;
  }
  char what[160];
  pt_json_describe(&chk, what, sizeof what);
  return pt_fail(err, PT_PARSE, PT_CODE_CLIENT, PT_EXC_MILVUS, "%s%s", chk.fault == PT_JF_NUL ? "" : "invalid JSON: ", what);
}

/* ---- the tree ---- */

cJSON *pt_json_parse_ex(const char *text, size_t len, unsigned flags, pt_json_checked *chk) {
  pt_json_hooks_install();
  if (!pt_json_check(text, len, flags, chk)) return NULL;
  unsigned long failures = pt_alloc_failures();
  cJSON *v = cJSON_ParseWithLengthOpts(text, len, NULL, false);
  if (!v) {
    chk->fault = pt_alloc_failures() != failures ? PT_JF_NOMEM : PT_JF_PARSER;
    chk->at = 0;
  }
  return v;
}

const char *pt_json_python_type(const cJSON *v) {
  if (cJSON_IsBool(v)) return "bool";
  if (cJSON_IsNumber(v)) return v->valuedouble == floor(v->valuedouble) ? "int" : "float";
  if (cJSON_IsString(v)) return "str";
  if (cJSON_IsArray(v)) return "list";
  if (cJSON_IsObject(v)) return "dict";
  return "NoneType";
}

/* ---- walking the text alongside the tree ---- */

static size_t skip_cjson_ws(pt_str t, size_t i) {
  while (i < t.len && (unsigned char)t.ptr[i] <= 32) i++;
  return i;
}

/* The end of the JSON value that starts at t.ptr[i] (in text cJSON has accepted). */
static size_t walk_value_end(pt_str t, size_t i) {
  size_t depth = 0;
  if (i >= t.len) return i;
  do {
    char c = t.ptr[i];
    if (c == '"') {
      for (i++; i < t.len && t.ptr[i] != '"'; i++)
        if (t.ptr[i] == '\\') i++;
      i++;
    } else if (c == '{' || c == '[') {
      depth++;
      i++;
    } else if (c == '}' || c == ']') {
      depth--;
      i++;
    } else if (depth) {
      i++;
    } else { /* a number or a literal */
      while (i < t.len && (unsigned char)t.ptr[i] > 32 && !strchr(",]}", t.ptr[i])) i++;
    }
  } while (depth && i < t.len);
  return i;
}

size_t pt_json_enter(pt_str t) { return skip_cjson_ws(t, skip_cjson_ws(t, 0) + 1); }

pt_str pt_json_next(pt_str t, size_t *cursor, pt_str *key) {
  size_t at = skip_cjson_ws(t, *cursor);
  if (key) {
    size_t k = at;
    at = walk_value_end(t, at);
    key->ptr = t.ptr + k;
    key->len = at - k;
    at = skip_cjson_ws(t, skip_cjson_ws(t, at) + 1); /* past ':' */
  }
  size_t end = walk_value_end(t, at);
  pt_str v = {t.ptr + at, end - at};
  end = skip_cjson_ws(t, end);
  if (end < t.len && t.ptr[end] == ',') end++;
  *cursor = end;
  return v;
}

/* ---- finding a member without a tree ---- */

static size_t skip_ws(const char *s, size_t n, size_t i) {
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  return i;
}

/* Past a string starting at s[i] == '"'; n + 1 when it does not end. */
static size_t skip_string(const char *s, size_t n, size_t i) {
  for (i++; i < n; i++) {
    if (s[i] == '\\') i++;
    else if (s[i] == '"') return i + 1;
  }
  return n + 1;
}

/* Past one value starting at s[i]; n + 1 when it is cut short or its brackets do not match. */
static size_t skip_value(const char *s, size_t n, size_t i) {
  if (i >= n) return n + 1;
  if (s[i] == '"') return skip_string(s, n, i);
  if (s[i] != '{' && s[i] != '[') {
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
           s[i] != '\r')
      i++;
    return i;
  }
  /* a container: a stack of what closes it, one bit per level; deeper than PT_JSON_MEMBER_DEPTH
   * (cJSON's limit and room for the request around it) is refused */
  uint64_t stack[PT_JSON_MEMBER_DEPTH / 64];
  int depth = 0;
  for (; i < n; i++) {
    char ch = s[i];
    if (ch == '"') {
      i = skip_string(s, n, i) - 1;
      if (i >= n) return n + 1;
    } else if (ch == '{' || ch == '[') {
      if (depth == PT_JSON_MEMBER_DEPTH) return n + 1;
      uint64_t bit = 1ull << (depth % 64);
      if (ch == '{') stack[depth / 64] |= bit;
      else stack[depth / 64] &= ~bit;
      depth++;
    } else if (ch == '}' || ch == ']') {
      if (!depth) return n + 1;
      depth--;
      if ((bool)(stack[depth / 64] & (1ull << (depth % 64))) != (ch == '}')) return n + 1;
      if (depth == 0) return i + 1;
    }
  }
  return n + 1;
}

int pt_json_member(const char *json, size_t len, const char *key, size_t key_len, size_t *start, size_t *value_len) {
  if (!json) return -1;
  size_t i = skip_ws(json, len, 0);
  if (len - i >= 3 && (unsigned char)json[i] == 0xEF && (unsigned char)json[i + 1] == 0xBB && (unsigned char)json[i + 2] == 0xBF)
    i = skip_ws(json, len, i + 3);
  if (i >= len || json[i] != '{') return -1;
  i = skip_ws(json, len, i + 1);
  if (i < len && json[i] == '}') return 0;
  int found = 0;
  while (i < len) {
    if (json[i] != '"') return -1;
    size_t kend = skip_string(json, len, i);
    if (kend > len) return -1;
    /* keys are compared as written: a key spelled with escapes is not the plain key */
    bool match = kend - i - 2 == key_len && memcmp(json + i + 1, key, key_len) == 0;
    i = skip_ws(json, len, kend);
    if (i >= len || json[i] != ':') return -1;
    i = skip_ws(json, len, i + 1);
    size_t vend = skip_value(json, len, i);
    if (vend > len || vend == i) return -1;
    if (match) { /* the last of repeated keys wins, as in JSON.parse */
      *start = i;
      *value_len = vend - i;
      found = 1;
    }
    i = skip_ws(json, len, vend);
    if (i < len && json[i] == ',') {
      i = skip_ws(json, len, i + 1);
      continue;
    }
    if (i < len && json[i] == '}') return found;
    return -1;
  }
  return -1;
}
