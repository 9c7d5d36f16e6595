/*
 * filter.h — compiled filter expressions (query / delete / search `expr`), evaluated one segment
 * at a time into the offsets of the rows that match. The expression language is Milvus's
 * (expr_parse.c parses it).
 */
#ifndef PT_FILTER_H
#define PT_FILTER_H

#include "expr.h"

typedef struct pt_filter pt_filter;

/* Compiles `expr` against a collection's schema. An empty expression compiles to NULL, which
 * every function here takes as "all live rows". Errors are Milvus's parse errors (code 1100);
 * `what` names the plan in them ("query", "delete"); `params` are the expression's template values
 * (pt_plan_parse). */
pt_status pt_filter_compile(const pt_collection *c, const char *expr, size_t len, const char *params,
                            size_t params_len, const char *what, pt_filter **out, pt_error *err);

/* The rows of segment `seg` of partition `part` that are live and match `f` (NULL: every live
 * row), as offsets in ascending order: rows[0..*n_rows). `rows` has room for the segment's
 * rows. Fails only when memory runs out. */
pt_status pt_filter_select(const pt_filter *f, const pt_collection *c, size_t part, size_t seg, uint32_t *rows,
                           size_t *n_rows, pt_error *err);

/* A filter that only names primary keys (`pk in [...]`, `pk == x`) answers by index lookups:
 * its keys, or NULL for any other filter. */
const pt_pkfilter *pt_filter_keys(const pt_filter *f);

void pt_filter_free(pt_filter *f);

/* The text of the JSON value at a path (`keys`, as written between brackets) inside stored JSON
 * text (`text`, `len` bytes, as pt_json_check accepted it; an empty text, a row's empty $meta,
 * is {}): *out, or false when a key of the path is absent. */
bool pt_json_path_find(const char *text, size_t len, const pt_str *keys, size_t n_keys, pt_str *out);

/* Resolves `name` (len bytes) as the filter language reads a column (`exists <name>`): a path
 * into a JSON field or the dynamic field (`meta["k"][0]`), or a dynamic key. Returns the
 * parser's status (perr filled when it fails); on PT_OK *plan holds the plan (pt_plan_free) and
 * *at its `exists` predicate, or NULL when the name is a column but no path (a plain field). */
pt_status pt_json_path_plan(const pt_collection *c, const char *name, size_t len, const char *what, pt_plan **plan,
                            const pt_pred **at, pt_error *perr);

/* The text of a request's "expr_params" member (the expression's template values), or an empty
 * span when it is absent or null. */
pt_str pt_filter_params(const char *request, size_t len);

#endif /* PT_FILTER_H */
