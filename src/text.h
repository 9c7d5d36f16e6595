/*
 * text.h — growable text buffers and the number formatting of every JSON the core writes
 * (query results, REST v2 rows, forwarded batches); number reading for cJSON; and the byte-level
 * text helpers every layer uses: UTF-8, excerpts for messages, decimal integers, name characters.
 *
 * Floats are written in the shortest form that reads back as the same value, as JavaScript and
 * Go print them (0.1f is "0.1", not "0.100000001"): a float32 through a double and back, which is
 * what JSON.parse + Float32Array and strtod + (float) both do, a double through strtod.
 */
#ifndef PT_TEXT_H
#define PT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A byte buffer that records an allocation failure instead of reporting it at every step:
 * check `oom` once at the end. `p` is NUL-terminated whenever len > 0. */
typedef struct pt_text {
  char *p;
  size_t len, cap;
  bool oom;
} pt_text;

/* Reserves room for `n` more bytes (and a NUL); false (and oom set) when that fails. */
bool pt_text_reserve(pt_text *t, size_t n);
void pt_text_put(pt_text *t, const char *s, size_t n);
void pt_text_puts(pt_text *t, const char *z);
void pt_text_char(pt_text *t, char c);
/* A JSON string literal: quotes, escapes (", \, control characters), UTF-8 bytes as they are. */
void pt_text_json_string(pt_text *t, const char *s, size_t n);
/* How pt_text_json_string writes byte c inside a string, as JSON.stringify does: 0 when it
 * stands as it is, else the length (2 or 6) of its escape written to out[6]. */
size_t pt_json_escape(unsigned char c, char *out);
void pt_text_i64(pt_text *t, int64_t v);
void pt_text_u64(pt_text *t, uint64_t v);
/* Shortest round-trip text of a float32 / double; non-finite values are written as null, which
 * is what JSON has for them. */
void pt_text_f32(pt_text *t, float v);
/* 9 significant digits (trailing zeros dropped): reads back too, about twice as fast. */
void pt_text_f32_exact(pt_text *t, float v);
void pt_text_f64(pt_text *t, double v);
void pt_text_release(pt_text *t);

/* The same formatting into a caller's buffer of at least PT_NUMBER_TEXT bytes; returns the
 * length written (no NUL). */
#define PT_NUMBER_TEXT 32
size_t pt_format_f32(char *out, float v);
size_t pt_format_f32_exact(char *out, float v);
size_t pt_format_f64(char *out, double v);
size_t pt_format_i64(char *out, int64_t v);

/* strtod, fast for the decimals JSON carries: a mantissa of at most 19 digits that a double
 * holds exactly and a power of ten up to 10^22 make one correctly rounded multiplication or
 * division (Clinger's fast path); anything else is libc's strtod. cJSON is compiled with
 * strtod defined as pt_strtod (cmake/cjson.cmake): WebAssembly libcs parse through long double,
 * which is emulated in software there and takes over a microsecond a number. */
double pt_strtod(const char *s, char **end);

/* cJSON's sprintf and sscanf (src/cjson_numbers.h): "%1.15g" / "%1.17g" write pt_format_f64's
 * shortest text, "%lg" reads with pt_strtod; other formats go to libc. */
int pt_cjson_sprintf(char *out, const char *fmt, ...);
int pt_cjson_sscanf(const char *s, const char *fmt, ...);

/* ---- UTF-8, excerpts, integers, names ---- */

/* UTF-8: the length (1 to 4) of the valid sequence `s` starts with, 0 when it starts with none
 * (or len is 0). */
size_t pt_utf8_seq(const char *s, size_t len);
/* UTF-8: number of code points, or -1 when `s` is not valid UTF-8. */
int64_t pt_utf8_count(const char *s, size_t len);
/* UTF-8: the offset of the first byte that does not belong to a valid sequence, or `len`. */
size_t pt_utf8_check(const char *s, size_t len);

/* Writes a printable, truncated representation of (s, len) for messages: at most `max` bytes
 * of s are used, and "..." is appended when it was cut. Returns the output length. */
size_t pt_excerpt(char *out, size_t out_size, const char *s, size_t len, size_t max);

/* Decimal integer text (an optional sign, then digits only) to int64: 0 when it is one,
 * 1 when the text is anything else, 2 when the integer is beyond int64. */
int pt_parse_i64(const char *s, size_t len, int64_t *out);

/* Name validation shared by collections, partitions and fields (Milvus's rules). */
bool pt_is_name_start(char c);
bool pt_is_name_char(char c);

#endif /* PT_TEXT_H */
