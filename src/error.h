/*
 * error.h — filling a pt_error (error.c): every failure of the core is reported through these,
 * with Milvus's code and message. Internal: never included by hosts.
 */
#ifndef PT_ERROR_H
#define PT_ERROR_H

#include "partita.h"

#include <stdint.h>

/* Fills err (if not NULL) and returns `status`. The message is printf-formatted. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 5, 6)))
#endif
pt_status pt_fail(pt_error *err, pt_status status, int32_t code, pt_exception exc,
                  const char *fmt, ...);

/* As pt_fail, and records the offending row and field. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 7, 8)))
#endif
pt_status pt_fail_at(pt_error *err, pt_status status, int32_t code, pt_exception exc,
                     int64_t row, int32_t field, const char *fmt, ...);

/* The standard out-of-memory error: "out of memory", or Milvus's memory quota error (code
 * PT_CODE_QUOTA_EXCEEDED) when the failure was the ceiling of pt_set_memory_limit. */
pt_status pt_fail_nomem(pt_error *err);

/* Clears err (if not NULL) for a successful call. */
void pt_error_clear(pt_error *err);

/* Milvus formats invalid-parameter errors as "<msg>: invalid parameter" (merr). */
#define PT_INVALID_PARAMETER ": invalid parameter"

#endif /* PT_ERROR_H */
