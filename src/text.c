/*
 * text.c — growable text buffers, number formatting and reading, UTF-8 and the other text
 * helpers (text.h).
 *
 * pt_format_f32 is on the hot path of every forwarded vector (a 128-d row is 128 of them), so
 * it avoids printf: the nearest k-digit decimal of the value is found by one scaling with an
 * exact power of ten in double arithmetic, for k = 9 (which always reads back: 9 significant
 * digits identify a float32) down to the first k that no longer reads back as the same float;
 * the last k that did is the shortest. A decimal "reads back" when D / 10^p, rounded to double,
 * then to float, is the value: the path JSON.parse + Float32Array and strtod + (float) take.
 * Values whose scaling needs a power beyond 10^22 (|v| < 1e-14 or > 1e21) go through snprintf.
 */
#include "text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

bool pt_text_reserve(pt_text *t, size_t n) {
  if (t->oom) return false;
  if (t->len + n + 1 <= t->cap) return true;
  if (PT_GROW(&t->p, &t->cap, t->len + n + 1)) {
    t->oom = true;
    return false;
  }
  return true;
}

void pt_text_put(pt_text *t, const char *s, size_t n) {
  if (!pt_text_reserve(t, n)) return;
  if (n) memcpy(t->p + t->len, s, n);
  t->len += n;
  t->p[t->len] = '\0';
}

void pt_text_puts(pt_text *t, const char *z) { pt_text_put(t, z, strlen(z)); }

void pt_text_char(pt_text *t, char c) {
  if (!pt_text_reserve(t, 1)) return;
  t->p[t->len++] = c;
  t->p[t->len] = '\0';
}

size_t pt_json_escape(unsigned char c, char *out) {
  static const char hex[] = "0123456789abcdef";
  if (c >= 0x20 && c != '"' && c != '\\') return 0;
  out[0] = '\\';
  switch (c) {
  case '"': out[1] = '"'; return 2;
  case '\\': out[1] = '\\'; return 2;
  case '\n': out[1] = 'n'; return 2;
  case '\r': out[1] = 'r'; return 2;
  case '\t': out[1] = 't'; return 2;
  case '\b': out[1] = 'b'; return 2;
  case '\f': out[1] = 'f'; return 2;
  default:
    out[1] = 'u', out[2] = '0', out[3] = '0', out[4] = hex[c >> 4], out[5] = hex[c & 15];
    return 6;
  }
}

void pt_text_json_string(pt_text *t, const char *s, size_t n) {
  if (!pt_text_reserve(t, n + 2)) return;
  pt_text_char(t, '"');
  size_t run = 0; /* bytes copied as they are, in one go */
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    pt_text_put(t, s + run, i - run);
    run = i + 1;
    char esc[6];
    pt_text_put(t, esc, pt_json_escape(c, esc));
  }
  pt_text_put(t, s + run, n - run);
  pt_text_char(t, '"');
}

/* ---- integers ---- */

static size_t format_u64(char *out, uint64_t v) {
  char tmp[24];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  for (size_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  return n;
}

size_t pt_format_i64(char *out, int64_t v) {
  if (v >= 0) return format_u64(out, (uint64_t)v);
  out[0] = '-';
  return 1 + format_u64(out + 1, (uint64_t)0 - (uint64_t)v);
}

void pt_text_i64(pt_text *t, int64_t v) {
  if (!pt_text_reserve(t, PT_NUMBER_TEXT)) return;
  t->len += pt_format_i64(t->p + t->len, v);
  t->p[t->len] = '\0';
}

void pt_text_u64(pt_text *t, uint64_t v) {
  if (!pt_text_reserve(t, PT_NUMBER_TEXT)) return;
  t->len += format_u64(t->p + t->len, v);
  t->p[t->len] = '\0';
}

/* ---- floats ---- */

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* digits (n of them, the first non-zero) times 10^e, placed as JavaScript's Number#toString
 * places them: plain from 1e-6 up to 1e21, exponent notation beyond. */
static size_t place(char *out, bool neg, const char *dig, int n, int e) {
  char *o = out;
  if (neg) *o++ = '-';
  int pos = e + 1; /* digits before the decimal point */
  if (pos > 0 && pos <= 21) {
    for (int i = 0; i < n && i < pos; i++) *o++ = dig[i];
    for (int i = n; i < pos; i++) *o++ = '0';
    if (n > pos) {
      *o++ = '.';
      for (int i = pos; i < n; i++) *o++ = dig[i];
    }
  } else if (pos <= 0 && pos > -6) {
    *o++ = '0';
    *o++ = '.';
    for (int i = pos; i < 0; i++) *o++ = '0';
    for (int i = 0; i < n; i++) *o++ = dig[i];
  } else {
    *o++ = dig[0];
    if (n > 1) {
      *o++ = '.';
      for (int i = 1; i < n; i++) *o++ = dig[i];
    }
    *o++ = 'e';
    *o++ = e < 0 ? '-' : '+';
    o += format_u64(o, (uint64_t)(e < 0 ? -e : e));
  }
  return (size_t)(o - out);
}

/* The shortest of %.{from..17}g that reads back; mantissa and exponent re-placed. */
static size_t format_slow(char *out, double v, bool single) {
  char tmp[40];
  for (int prec = single ? 1 : 15; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
    double back = strtod(tmp, NULL);
    if (single ? (float)back == (float)v : back == v) break;
  }
  /* tmp is [-]d.ddde[+-]x: collect the digits, drop trailing zeros, re-place */
  const char *s = tmp;
  bool neg = *s == '-';
  if (neg) s++;
  char dig[24];
  int n = 0;
  for (; *s && *s != 'e'; s++)
    if (*s >= '0' && *s <= '9') dig[n++] = *s;
  int e = *s == 'e' ? atoi(s + 1) : 0;
  while (n > 1 && dig[n - 1] == '0') n--;
  return place(out, neg, dig, n, e);
}

/* Non-finite values (null) and zeros; 0 for every other value. */
static size_t format_special(char *out, double v) {
  if (!isfinite(v)) {
    memcpy(out, "null", 4);
    return 4;
  }
  if (v != 0) return 0;
  if (signbit(v)) {
    memcpy(out, "-0", 2);
    return 2;
  }
  out[0] = '0';
  return 1;
}

/* The decimal digits of v (v < 10^10) into dig, most significant first; returns how many. */
static int digits_u32(char *dig, uint32_t v) {
  static const char pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                 "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                 "8081828384858687888990919293949596979899";
  char tmp[12];
  int n = 12;
  while (v >= 100) {
    uint32_t q = v / 100, r = v - q * 100;
    tmp[--n] = pairs[2 * r + 1];
    tmp[--n] = pairs[2 * r];
    v = q;
  }
  if (v >= 10) {
    tmp[--n] = pairs[2 * v + 1];
    tmp[--n] = pairs[2 * v];
  } else {
    tmp[--n] = (char)('0' + v);
  }
  int len = 12 - n;
  for (int i = 0; i < len; i++) dig[i] = tmp[n + i];
  return len;
}

/*
 * A finite non-zero float32: `shortest` finds the fewest digits that read back; otherwise 9
 * significant digits (always enough to read back), trailing zeros dropped, which is about
 * twice as fast: what forwarded rows use, where nobody reads the text.
 */
static size_t format_f32(char *out, float f, bool shortest) {
  size_t special = format_special(out, f);
  if (special) return special;
  bool neg = f < 0;
  float af = neg ? -f : f;
  double v = af;
  /* 10^e <= v < 10^(e+1), from the binary exponent (low by one at most: corrected below) */
  uint32_t bits;
  memcpy(&bits, &af, 4);
  int e2 = (int)(bits >> 23) - 127;
  if (e2 == -127) return format_slow(out, f, true); /* subnormal */
  int e = (e2 * 78913) >> 18; /* floor(e2 * log10(2)) */
  if (8 - e > 22 || e > 21) return format_slow(out, f, true);
  double s9 = 8 - e >= 0 ? v * pow10_exact[8 - e] : v / pow10_exact[e - 8];
  if (s9 >= 999999999.5) { /* rounds to 10 digits */
    e++;
    if (e > 21) return format_slow(out, f, true);
    s9 = 8 - e >= 0 ? v * pow10_exact[8 - e] : v / pow10_exact[e - 8];
  }
  double best = nearbyint(s9);
  int best_e = e;
  if (best >= 1e9) best = 1e8, best_e = e + 1;
  for (int k = 8; shortest && k >= 1; k--) {
    int p = k - 1 - e; /* D = v * 10^p has k digits */
    double r = nearbyint(p >= 0 ? v * pow10_exact[p] : v / pow10_exact[-p]);
    int ee = e;
    if (r >= pow10_exact[k]) { /* rounded up to 10^k: one digit fewer, one power more */
      r = pow10_exact[k - 1];
      ee = e + 1;
    }
    int q = k - 1 - ee;
    double back = q >= 0 ? r / pow10_exact[q] : r * pow10_exact[-q];
    if ((float)back != af) break;
    best = r;
    best_e = ee;
  }
  char dig[12];
  int n = digits_u32(dig, (uint32_t)best);
  while (n > 1 && dig[n - 1] == '0') n--;
  return place(out, neg, dig, n, best_e);
}

size_t pt_format_f32(char *out, float f) { return format_f32(out, f, true); }
size_t pt_format_f32_exact(char *out, float f) { return format_f32(out, f, false); }

size_t pt_format_f64(char *out, double v) {
  size_t special = format_special(out, v);
  if (special) return special;
  /* integers exact in a double print as integers */
  if (fabs(v) < 9007199254740992.0 && v == floor(v)) return pt_format_i64(out, (int64_t)v);
  return format_slow(out, v, false);
}

void pt_text_f32(pt_text *t, float v) {
  if (!pt_text_reserve(t, PT_NUMBER_TEXT)) return;
  t->len += pt_format_f32(t->p + t->len, v);
  t->p[t->len] = '\0';
}

void pt_text_f32_exact(pt_text *t, float v) {
  if (!pt_text_reserve(t, PT_NUMBER_TEXT)) return;
  t->len += pt_format_f32_exact(t->p + t->len, v);
  t->p[t->len] = '\0';
}

void pt_text_f64(pt_text *t, double v) {
  if (!pt_text_reserve(t, PT_NUMBER_TEXT)) return;
  t->len += pt_format_f64(t->p + t->len, v);
  t->p[t->len] = '\0';
}

void pt_text_release(pt_text *t) {
  pt_free(t->p);
  memset(t, 0, sizeof *t);
}

/* ---- parsing ---- */

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;

/* Compares A * 2^a with B * 2^b: -1, 0 or 1. */
static int cmp_scaled(u128 A, int a, u128 B, int b) {
  if (a > b) {
    int sh = a - b;
    if (A && (sh >= 128 || (A >> (127 - sh)) != 0)) return 1; /* A * 2^sh >= 2^127 > B */
    A <<= sh;
  } else if (b > a) {
    int sh = b - a;
    if (B && (sh >= 128 || (B >> (127 - sh)) != 0)) return -1;
    B <<= sh;
  }
  return A < B ? -1 : A > B;
}

/* d as F * 2^E with F an integer (53 bits for normal doubles). */
static void split_double(double d, uint64_t *F, int *E) {
  int e;
  double f = frexp(d, &e);
  *F = (uint64_t)ldexp(f, 53);
  *E = e - 53;
}

/* Compares m * 10^scale with the midpoint of the doubles lo < hi: -1, 0 or 1. */
static int cmp_midpoint(uint64_t m, int scale, double lo, double hi) {
  static const uint64_t pow5[23] = {1ull, 5ull, 25ull, 125ull, 625ull, 3125ull, 15625ull, 78125ull, 390625ull,
                                    1953125ull, 9765625ull, 48828125ull, 244140625ull, 1220703125ull,
                                    6103515625ull, 30517578125ull, 152587890625ull, 762939453125ull,
                                    3814697265625ull, 19073486328125ull, 95367431640625ull,
                                    476837158203125ull, 2384185791015625ull};
  uint64_t Fl, Fh;
  int El, Eh;
  split_double(lo, &Fl, &El);
  split_double(hi, &Fh, &Eh);
  int E = El < Eh ? El : Eh;
  u128 mid = ((u128)Fl << (El - E)) + ((u128)Fh << (Eh - E)); /* (lo + hi) * 2^-E, times 2 */
  int emid = E - 1;
  if (scale >= 0) return cmp_scaled((u128)m * pow5[scale], scale, mid, emid);
  return cmp_scaled((u128)m, 0, mid * pow5[-scale], emid - scale);
}

/* The double nearest to m * 10^scale (|scale| <= 22), ties to even, from an estimate d within
 * a few units in the last place (m * 10^scale computed with two roundings). */
static double nearest_double(uint64_t m, int scale, double d) {
  for (int i = 0; i < 4; i++) {
    double up = nextafter(d, INFINITY), down = nextafter(d, 0.0);
    uint64_t F;
    int E;
    split_double(d, &F, &E);
    bool even = (F & 1) == 0;
    int c = cmp_midpoint(m, scale, d, up);
    if (c > 0 || (c == 0 && !even)) {
      d = up;
      continue;
    }
    c = cmp_midpoint(m, scale, down, d);
    if (c < 0 || (c == 0 && !even)) {
      d = down;
      continue;
    }
    break;
  }
  return d;
}
#endif

double pt_strtod(const char *s, char **end) {
  const char *p = s;
  bool neg = false;
  if (*p == '-' || *p == '+') neg = *p++ == '-';
  uint64_t m = 0;
  int digits = 0, scale = 0; /* significant digits taken; power of ten they are short of */
  const char *start = p;
  while (*p == '0') p++; /* leading zeros are not significant */
  for (; *p >= '0' && *p <= '9'; p++) {
    if (digits < 19) m = m * 10 + (uint64_t)(*p - '0'), digits++;
    else if (*p != '0') goto slow; /* more significant digits than the fast path takes */
    else scale++;
  }
  bool int_digits = p > start;
  if (*p == 'x' || *p == 'X') goto slow; /* hexadecimal */
  bool frac_digits = false;
  if (*p == '.') {
    p++;
    for (; *p >= '0' && *p <= '9'; p++, frac_digits = true) {
      if (m == 0 && *p == '0') { scale--; continue; }
      if (digits >= 19) goto slow;
      m = m * 10 + (uint64_t)(*p - '0');
      digits++;
      scale--;
    }
  }
  if (!int_digits && !frac_digits) goto slow; /* not a decimal number we read: inf, nan, hex, " 1" */
  if (*p == 'e' || *p == 'E') {
    const char *q = p + 1;
    bool eneg = false;
    if (*q == '-' || *q == '+') eneg = *q++ == '-';
    if (!(*q >= '0' && *q <= '9')) goto done; /* "1e" reads as 1, like strtod */
    int e = 0;
    for (; *q >= '0' && *q <= '9'; q++)
      if (e < 100000) e = e * 10 + (*q - '0');
    scale += eneg ? -e : e;
    p = q;
  }
done:
  if (m == 0) {
    if (end) *end = (char *)(uintptr_t)p;
    return neg ? -0.0 : 0.0;
  }
  if (scale < -22 || scale > 22) goto slow;
  double v = scale >= 0 ? (double)m * pow10_exact[scale] : (double)m / pow10_exact[-scale];
#ifdef __SIZEOF_INT128__
  if (m > (1ull << 53)) v = nearest_double(m, scale, v); /* two roundings: settle it exactly */
#else
  if (m > (1ull << 53)) goto slow;
#endif
  if (end) *end = (char *)(uintptr_t)p;
  return neg ? -v : v;
slow:
  return strtod(s, end);
}

/* ---- cJSON's number I/O (src/cjson_numbers.h renames its calls to these) ---- */

int pt_cjson_sprintf(char *out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n;
  if (strcmp(fmt, "%1.15g") == 0 || strcmp(fmt, "%1.17g") == 0) {
    /* at most 25 characters (-0.00000ddddddddddddddddd), which cJSON's 26-byte buffer holds */
    n = (int)pt_format_f64(out, va_arg(ap, double));
    out[n] = '\0';
  } else {
    n = vsprintf(out, fmt, ap); /* "null", the version, \u escapes: no floating point */
  }
  va_end(ap);
  return n;
}

int pt_cjson_sscanf(const char *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n;
  if (strcmp(fmt, "%lg") == 0) {
    char *end;
    double *d = va_arg(ap, double *);
    *d = pt_strtod(s, &end);
    n = end == s ? 0 : 1;
  } else {
    n = vsscanf(s, fmt, ap);
  }
  va_end(ap);
  return n;
}

/* ---- UTF-8, excerpts, integers, names ---- */

size_t pt_utf8_seq(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  if (!len) return 0;
  unsigned c = p[0];
  if (c < 0x80) return 1;
  size_t k;
  uint32_t cp, min;
  if ((c & 0xE0) == 0xC0) { k = 1; cp = c & 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { k = 2; cp = c & 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { k = 3; cp = c & 0x07; min = 0x10000; }
  else return 0;
  if (len <= k) return 0;
  for (size_t i = 1; i <= k; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return k + 1;
}

int64_t pt_utf8_count(const char *s, size_t len) {
  int64_t n = 0;
  for (size_t i = 0; i < len; n++) {
    if ((unsigned char)s[i] < 0x80) {
      i++;
      continue;
    }
    size_t k = pt_utf8_seq(s + i, len - i);
    if (!k) return -1;
    i += k;
  }
  return n;
}

size_t pt_utf8_check(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    /* ASCII runs, eight bytes at a time */
    while (i + 8 <= len) {
      uint64_t w;
      memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= len) break;
    size_t k = pt_utf8_seq(s + i, len - i);
    if (!k) return i;
    i += k;
  }
  return len;
}

size_t pt_excerpt(char *out, size_t out_size, const char *s, size_t len, size_t max) {
  if (out_size == 0) return 0;
  size_t take = len < max ? len : max;
  /* do not cut a UTF-8 sequence in half */
  while (take < len && take > 0 && ((unsigned char)s[take] & 0xC0) == 0x80) take--;
  size_t room = out_size - 1, n = 0;
  /* messages are UTF-8 text: a byte that is not part of a valid sequence shows as '?' */
  for (size_t i = 0; i < take && n < room;) {
    size_t ok = pt_utf8_check(s + i, take - i);
    if (ok == 0) {
      out[n++] = '?';
      i++;
      continue;
    }
    for (size_t j = 0; j < ok && n < room; j++, i++) out[n++] = s[i] ? s[i] : ' ';
  }
  if (take < len) {
    for (const char *d = "..."; *d && n < room; d++) out[n++] = *d;
  }
  out[n] = '\0';
  return n;
}

int pt_parse_i64(const char *s, size_t len, int64_t *out) {
  size_t i = 0;
  bool neg = len > 0 && s[0] == '-';
  if (len > 0 && (s[0] == '-' || s[0] == '+')) i++;
  if (i == len) return 1;
  uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  bool over = false;
  for (; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return 1;
    uint64_t d = (uint64_t)(s[i] - '0');
    if (v > (limit - d) / 10) over = true;
    else v = v * 10 + d;
  }
  if (over) return 2;
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return 0;
}

bool pt_is_name_start(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool pt_is_name_char(char c) { return pt_is_name_start(c) || (c >= '0' && c <= '9'); }
