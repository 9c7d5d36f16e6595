/*
 * json.h — JSON text in the core (json.c): the one validator, the canonical form JSON values
 * are stored in, cJSON trees built from checked text, and walking the text itself (alongside a
 * tree, or to one member without a tree: pt_json_member, partita.h).
 *
 * Everywhere JSON enters (JSON batches, JSON and ARRAY and sparse cells, dynamic values,
 * requests, schemas, snapshots), the text must be exactly one JSON value as RFC 8259 defines it,
 * which is also what Go's encoding/json (Milvus) and JSON.parse accept: no leading zeros, a
 * digit after '.' and 'e', no raw control characters in strings, white space only as space,
 * tab, CR and LF, no byte order mark, nothing after the value. partita adds: the text is UTF-8
 * (RFC 8259 section 8.1), a \u escape never stands for a lone surrogate, a number stays within
 * a double (1e400 would read back as Infinity), nesting is at most CJSON_NESTING_LIMIT levels,
 * and a NUL character (\u0000) may stand only in string values that are read with their
 * lengths (PT_JSON_NUL_OK): never in object keys, requests or schemas, whose strings the core
 * reads as C strings.
 *
 * THE CANONICAL FORM, in which JSON and dynamic values are stored and read back: no white space
 * between tokens; strings as JSON.stringify writes them (", \ and control characters escaped,
 * \b \f \n \r \t by name, other controls as \u00xx; every other character as its UTF-8 bytes);
 * numbers, literals and the order of members exactly as written. It is never longer than the
 * text it comes from.
 */
#ifndef PT_JSON_H
#define PT_JSON_H

#include "common.h"

struct cJSON;

/* What is wrong with a JSON text. */
typedef enum pt_json_fault {
  PT_JF_NONE = 0,
  PT_JF_NOMEM,        /* pt_json_parse_ex: an allocation failed */
  PT_JF_END,          /* the text ends inside the value, or holds none */
  PT_JF_CHAR,         /* a character that cannot stand where it does */
  PT_JF_AFTER,        /* something after the value */
  PT_JF_LEADING_ZERO, /* 02 */
  PT_JF_DIGIT,        /* no digit after '-', '.' or the exponent's 'e' (1., 1e, -) */
  PT_JF_RANGE,        /* a number beyond the range of a double (1e400) */
  PT_JF_CONTROL,      /* a raw control character (U+0000 to U+001F) in a string */
  PT_JF_ESCAPE,       /* an escape that JSON does not have (\x, \u12) */
  PT_JF_SURROGATE,    /* a \u escape of a lone surrogate (\ud800) */
  PT_JF_NUL,          /* \u0000 where it is not taken */
  PT_JF_UTF8,         /* bytes that are not UTF-8 */
  PT_JF_DEPTH,        /* nesting deeper than CJSON_NESTING_LIMIT */
  PT_JF_PARSER,       /* cJSON refused text that the check accepted (never expected) */
} pt_json_fault;

typedef struct pt_json_checked {
  pt_json_fault fault;
  size_t at;            /* the byte offset of the fault */
  uint32_t unit;        /* CONTROL: the byte; SURROGATE: the UTF-16 unit; DIGIT: the character
                         * before; CHAR: the byte; NUL: 1 in a key, 0 in a value */
  size_t canonical_len; /* no fault: the length of the canonical form */
  bool canonical;       /* no fault: the text is in canonical form already */
} pt_json_checked;

/* String values may hold \u0000: their readers take them with their lengths (object keys never). */
#define PT_JSON_NUL_OK 1u
/* Bytes >= 0x80 inside strings are not checked as UTF-8: the caller checks each value itself. */
#define PT_JSON_BYTES 2u

/* Checks `len` bytes of text. Linear in len, no allocation. Returns true when it is one JSON
 * value as above; otherwise false with out->fault and out->at. */
bool pt_json_check(const char *text, size_t len, unsigned flags, pt_json_checked *out);

/* Writes the canonical form of text that pt_json_check accepted into out (room for
 * canonical_len bytes; out may not overlap text); returns its length. */
size_t pt_json_canonical(const char *text, size_t len, char *out);

/* The bytes a JSON string stands for: `s` is what stands between the quotes of a string that
 * pt_json_check accepted; out has room for n bytes (never more is written), or is NULL to
 * measure. Returns the length. */
size_t pt_json_unescape(const char *s, size_t n, char *out);

/* The next byte of the characters of a canonical JSON string (pt_json_canonical: its escapes
 * are \", \\, \b \f \n \r \t and \u00XX), read from p[*i] on (`len` bytes between the quotes),
 * *i moved past what was read. */
uint8_t pt_json_string_byte(const char *p, size_t len, size_t *i);

/* What is wrong, for a message: "a number with a leading zero at byte 5". Returns out. */
const char *pt_json_describe(const pt_json_checked *c, char *out, size_t size);

/* Parses text that pt_json_check accepts (with `flags`) into a cJSON tree: NULL when it does
 * not or an allocation failed, chk->fault saying which (chk must be given). */
struct cJSON *pt_json_parse_ex(const char *text, size_t len, unsigned flags, pt_json_checked *chk);

/* The Python type pymilvus names in its messages for a value of this JSON type: bool, int (a
 * number without a fraction), float, str, list, dict, or NoneType. */
const char *pt_json_python_type(const struct cJSON *v);

/* The error for a request or schema whose JSON pt_json_parse_ex refused: an allocation failure
 * as pt_fail_nomem; a NUL as PT_PARSE "<subject> holds a NUL character (\u0000) ... at byte n:
 * names, expressions and parameters cannot contain NUL"; anything else as PT_PARSE
 * "<lead>: <pt_json_describe>". */
pt_status pt_json_fail(pt_error *err, int32_t code, pt_exception exc, const char *subject, const char *lead,
                       const pt_json_checked *chk);

/* Walking JSON text that pt_json_check has accepted, alongside its tree: values are copied as
 * written instead of printed back from the tree, which keeps numbers as doubles.
 * pt_json_enter: the cursor just inside the container (array or object) that `t` holds.
 * pt_json_next: the text of the next element of an array or, with `key`, of the next member's
 *   value of an object (*key: the member's key as written); moves the cursor past it. */
size_t pt_json_enter(pt_str t);
pt_str pt_json_next(pt_str t, size_t *cursor, pt_str *key);

#endif /* PT_JSON_H */
