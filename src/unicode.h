/*
 * unicode.h — the Unicode character data the analyzers need (unicode.c, over the generated
 * tables of unicode_tables.h): decoding UTF-8 a code point at a time, the alphanumeric class
 * Milvus's `standard` tokenizer splits on, the Han script, and lowercasing.
 *
 * The tables are generated from the Unicode version named by PT_UNICODE_VERSION (the version of
 * the Node.js that ran scripts/gen_unicode_tables.mjs); a code point assigned after it is neither
 * alphanumeric nor cased here. Milvus's answers come from Rust's char methods, whose Unicode
 * version is that of the Rust toolchain Milvus was built with: the two agree on every character
 * both versions assign.
 */
#ifndef PT_UNICODE_H
#define PT_UNICODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the code point that starts `s` (len > 0), which must be valid UTF-8 (text.h's
 * pt_utf8_check passed); *n receives its length in bytes (1 to 4). */
uint32_t pt_utf8_decode(const char *s, size_t len, size_t *n);

/* Writes the UTF-8 encoding of `cp` (at most 0x10FFFF, not a surrogate) into out[4]; returns
 * its length. */
size_t pt_utf8_encode(uint32_t cp, char *out);

/* Alphabetic or Number (Nd, Nl, No): Rust's char::is_alphanumeric. */
bool pt_uni_is_alnum(uint32_t cp);

/* Script=Han (regex \p{Han}). */
bool pt_uni_is_han(uint32_t cp);

/* The lowercase of `cp` as Rust's char::to_lowercase gives it, into out[2]: returns the number of
 * code points (2 only for U+0130, which lowercases to U+0069 U+0307). */
size_t pt_uni_lower(uint32_t cp, uint32_t out[2]);

#endif /* PT_UNICODE_H */
