/*
 * error.c — status names, pt_error filling, and the small text helpers used to build Milvus's
 * messages (UTF-8 counting, excerpts, name rules, hashing).
 */
#include "common.h"

#include <stdio.h>

const char *pt_version(void) { return PT_VERSION_STRING; }

const char *pt_status_str(pt_status status) {
  switch (status) {
  case PT_OK: return "PT_OK";
  case PT_ERROR: return "PT_ERROR";
  case PT_NOMEM: return "PT_NOMEM";
  case PT_MISUSE: return "PT_MISUSE";
  case PT_RANGE: return "PT_RANGE";
  case PT_SCHEMA: return "PT_SCHEMA";
  case PT_TYPE_MISMATCH: return "PT_TYPE_MISMATCH";
  case PT_CONSTRAINT: return "PT_CONSTRAINT";
  case PT_NOT_FOUND: return "PT_NOT_FOUND";
  case PT_PARSE: return "PT_PARSE";
  case PT_LIMIT: return "PT_LIMIT";
  case PT_EXISTS: return "PT_EXISTS";
  case PT_CORRUPT: return "PT_CORRUPT";
  default: return "PT_UNKNOWN_STATUS";
  }
}

static pt_status vfail(pt_error *err, pt_status status, int32_t code, pt_exception exc,
                       int64_t row, int32_t field, const char *fmt, va_list ap) {
  if (!err) return status;
  err->status = status;
  err->code = code;
  err->exc = (int32_t)exc;
  err->row = row;
  err->field = field;
  err->expr_offset = -1;
  err->expr_length = 0;
  int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
  if (n < 0) err->message[0] = '\0';
  /* messages quote names and values as given: keep the text UTF-8 whatever they held (a bad
   * byte shows as '?', and so does a sequence that truncation cut short) */
  size_t len = strlen(err->message), at = 0;
  while ((at += pt_utf8_check(err->message + at, len - at)) < len) err->message[at++] = '?';
  return status;
}

pt_status pt_fail(pt_error *err, pt_status status, int32_t code, pt_exception exc,
                  const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(err, status, code, exc, -1, -1, fmt, ap);
  va_end(ap);
  return status;
}

pt_status pt_fail_at(pt_error *err, pt_status status, int32_t code, pt_exception exc,
                     int64_t row, int32_t field, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(err, status, code, exc, row, field, fmt, ap);
  va_end(ap);
  return status;
}

pt_status pt_fail_nomem(pt_error *err) {
  if (pt_alloc_failed_at_limit())
    return pt_fail(err, PT_NOMEM, PT_CODE_QUOTA_EXCEEDED, PT_EXC_MILVUS,
                   "memory quota exceeded, please allocate more resources: quota exceeded"
                   "[limit=%zu bytes][used=%zu bytes]",
                   pt_memory_limit(), pt_memory_used());
  return pt_fail(err, PT_NOMEM, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "out of memory");
}

void pt_error_clear(pt_error *err) {
  if (!err) return;
  err->status = PT_OK;
  err->code = 0;
  err->exc = PT_EXC_MILVUS;
  err->row = -1;
  err->field = -1;
  err->expr_offset = -1;
  err->expr_length = 0;
  err->message[0] = '\0';
}

uint64_t pt_hash_bytes(const void *data, size_t len) {
  /* FNV-1a over 8-byte words with a splitmix finish: simple, and good enough for keys that
   * are then compared in full. */
  const unsigned char *p = data;
  uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)len;
  while (len >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    h = (h ^ w) * 0x100000001b3ULL;
    h ^= h >> 29;
    p += 8;
    len -= 8;
  }
  uint64_t tail = 0;
  if (len) memcpy(&tail, p, len);
  h = (h ^ tail) * 0x100000001b3ULL;
  return pt_hash_u64(h);
}

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
