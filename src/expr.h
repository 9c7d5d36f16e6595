/*
 * expr.h — Milvus filter expressions: lexer and parser.
 *
 * This version recognises the primary-key filters that get(), delete() and query() rely on:
 * `pk in [k1, k2, ...]` and `pk == k` (either side), in parentheses or not. Anything else is
 * refused with Milvus's "cannot parse expression" error. The full expression language
 * (comparisons on any field, like, JSON paths, arithmetic, boolean logic) builds on this lexer.
 */
#ifndef PT_EXPR_H
#define PT_EXPR_H

#include "store.h"

/* The keys selected by a primary-key filter. */
typedef struct pt_pkfilter {
  size_t n;
  pt_key *keys;   /* for VARCHAR keys, s points into `text` */
  char *text;     /* owned: unescaped string literals */
} pt_pkfilter;

/* Parses `expr` against `schema`; on success fills `out` (release with pt_pkfilter_free). */
pt_status pt_expr_parse_pk(const pt_schema *schema, const char *expr, size_t len, pt_pkfilter *out,
                           pt_error *err);
void pt_pkfilter_free(pt_pkfilter *f);

/* True when `expr` holds only white space. */
bool pt_expr_is_empty(const char *expr, size_t len);

#endif /* PT_EXPR_H */
