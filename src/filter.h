/*
 * filter.h — compiled filter expressions (query / delete / search `expr`), evaluated one segment
 * at a time into a byte mask. The expression language is Milvus's (expr.c parses it).
 */
#ifndef PT_FILTER_H
#define PT_FILTER_H

#include "expr.h"

typedef struct pt_filter pt_filter;

/* Compiles `expr` against a collection's schema. An empty expression compiles to NULL, which
 * every function here takes as "all live rows". Errors are Milvus's parse errors (code 1100);
 * `what` names the plan in them ("query", "delete"). */
pt_status pt_filter_compile(const pt_collection *c, const char *expr, size_t len, const char *what, pt_filter **out,
                            pt_error *err);

/* mask[i] = 1 for each live row i of segment `seg` of partition `part` that matches. */
pt_status pt_filter_eval(const pt_filter *f, const pt_collection *c, size_t part, size_t seg, uint8_t *mask,
                         pt_error *err);

/* A filter that only names primary keys (`pk in [...]`, `pk == x`) answers by index lookups:
 * its keys, or NULL for any other filter. */
const pt_pkfilter *pt_filter_keys(const pt_filter *f);

void pt_filter_free(pt_filter *f);

#endif /* PT_FILTER_H */
