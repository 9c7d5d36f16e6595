/*
 * unicode.c — UTF-8 decoding and encoding of single code points, and look-ups in the generated
 * Unicode tables (unicode_tables.h): the alphanumeric and Han classes by binary search over
 * ranges, and lowercasing over runs. ASCII is answered without a look-up.
 */
#include "unicode.h"

#include "unicode_tables.h"

uint32_t pt_utf8_decode(const char *s, size_t len, size_t *n) {
  const unsigned char *u = (const unsigned char *)s;
  (void)len;
  if (u[0] < 0x80) {
    *n = 1;
    return u[0];
  }
  if (u[0] < 0xE0) {
    *n = 2;
    return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
  }
  if (u[0] < 0xF0) {
    *n = 3;
    return ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
  }
  *n = 4;
  return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) | ((uint32_t)(u[2] & 0x3F) << 6) |
         (u[3] & 0x3F);
}

size_t pt_utf8_encode(uint32_t cp, char *out) {
  unsigned char *o = (unsigned char *)out;
  if (cp < 0x80) {
    o[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | (cp >> 6));
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (unsigned char)(0xF0 | (cp >> 18));
  o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

static bool in_ranges(const pt_uni_range *r, size_t n, uint32_t cp) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cp < r[mid].first) hi = mid;
    else if (cp > r[mid].last) lo = mid + 1;
    else return true;
  }
  return false;
}

bool pt_uni_is_alnum(uint32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
  return in_ranges(pt_uni_alnum_ranges, sizeof pt_uni_alnum_ranges / sizeof pt_uni_alnum_ranges[0], cp);
}

bool pt_uni_is_han(uint32_t cp) {
  return cp >= 0x2E80 && in_ranges(pt_uni_han_ranges, sizeof pt_uni_han_ranges / sizeof pt_uni_han_ranges[0], cp);
}

size_t pt_uni_lower(uint32_t cp, uint32_t out[2]) {
  out[0] = cp;
  if (cp < 0x80) {
    if (cp >= 'A' && cp <= 'Z') out[0] = cp + 32;
    return 1;
  }
  if (cp == 0x130) { /* the one unconditional multi-character lowercase (SpecialCasing.txt) */
    out[0] = 0x69;
    out[1] = 0x307;
    return 2;
  }
  size_t lo = 0, hi = sizeof pt_uni_lower_runs / sizeof pt_uni_lower_runs[0];
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const pt_uni_case_run *r = &pt_uni_lower_runs[mid];
    if (cp < r->first) hi = mid;
    else if (cp > r->last) lo = mid + 1;
    else {
      if ((cp - r->first) % r->stride == 0) out[0] = (uint32_t)((int32_t)cp + r->delta);
      break;
    }
  }
  return 1;
}
