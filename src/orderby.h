/*
 * orderby.h — Milvus 3.0's `order_by_fields`: rows of a query, or hits of a search, ordered by
 * scalar values (orderby.c).
 *
 * The spec is Milvus's wire text, which every SDK sends as one string ("price:desc,rating"):
 * items separated by commas, each a field and an optional direction (asc, ascending, desc,
 * descending; any case; asc when absent or empty). Milvus reads it in two ways, kept here:
 *   query   `field[:direction[:nulls_first|nulls_last]]`, a field of the schema of type BOOL,
 *           INT8..INT64, FLOAT, DOUBLE or VARCHAR; nulls after every value ascending and before
 *           them descending (PostgreSQL's rule) unless the third part says otherwise. Milvus
 *           ignores parts after the third; partita refuses them.
 *   search  `spec[:direction]`, split at the last colon outside brackets: such a field, or a
 *           path into a JSON field (`meta["price"]`), or with the dynamic field a dynamic key or a
 *           path into one (`age`, `user["score"]`); nulls (a null cell, a missing key, JSON null)
 *           after every value. Values at a path compare as numbers when both are numbers, as
 *           strings when both are strings, false < true, and otherwise by their JSON text.
 * Strings compare by their bytes (UTF-8). Equal rows keep the order they came in (a stable
 * sort): storage order for a query, best score first for a search.
 */
#ifndef PT_ORDERBY_H
#define PT_ORDERBY_H

#include "expr.h"
#include "rows.h"

typedef enum pt_order_kind { PT_ORDER_QUERY, PT_ORDER_SEARCH } pt_order_kind;

typedef struct pt_order_key {
  int col;            /* the column: a field, or the dynamic column ($meta) */
  bool json;          /* the value at a path (keys) inside a JSON column */
  bool asc;
  bool nulls_first;
  const pt_str *keys; /* the path (owned by plan) */
  size_t n_keys;
  pt_plan *plan;      /* the plan of `exists <path>` that resolved it, or NULL */
} pt_order_key;

typedef struct pt_order {
  pt_order_key *keys;
  size_t n;
  pt_order_kind kind;
} pt_order;

/* Reads `spec` (len bytes; no NUL inside) against the collection's schema, read as `kind` says.
 * An empty spec (or only commas and blanks) gives no keys: no ordering. Errors are Milvus's
 * (query: code 1100; search: a plain error, code 65535). On failure *o is left empty. */
pt_status pt_order_parse(const pt_collection *c, const char *spec, size_t len, pt_order_kind kind, pt_order *o,
                         pt_error *err);
void pt_order_release(pt_order *o);
/* Whether a spec has an item (asks for an order), and its first item (trimmed) in *first: read
 * without the schema, for the checks Milvus makes before it reads the fields. */
bool pt_order_given(const char *spec, size_t len, pt_str *first);
/* Refuses the order of a query that asks for aggregates (count(*)): Milvus's refusal (code 1100)
 * by the name in the spec's first item (pt_order_given's), lower-cased — an aggregate
 * expression's own message for one (sum, count, avg, min, max of a word or *). Always fails. */
pt_status pt_order_refuse_with_aggregates(pt_str first, pt_error *err);

/* The first m rows (at most n) of refs[0..n) in the order o gives, equal values in refs's order
 * (a stable sort's first m): their positions into refs, in top[0..*n_top) (room for min(m, n)).
 * A bounded heap when m < n: O(n log m), m rows' values held. Returns PT_OK or PT_NOMEM. */
pt_status pt_order_top(const pt_collection *c, const pt_order *o, const pt_rowref *refs, size_t n, size_t m,
                       uint32_t *top, size_t *n_top);

#endif /* PT_ORDERBY_H */
