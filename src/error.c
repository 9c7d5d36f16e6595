/*
 * error.c — status names and pt_error filling (error.h): every failure of the core ends here,
 * with Milvus's code and message, and the message is kept UTF-8 whatever it quotes.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "text.h"

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
  case PT_COLD: return "PT_COLD";
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
