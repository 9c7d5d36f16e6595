/*
 * expr.h — Milvus filter expressions: tokens, the typed plan the parser builds, and its API.
 *
 * The language is Milvus 2.6's (planparserv2): comparisons and ranges on fields, JSON paths and
 * array elements, `in` / `not in`, `like`, `is null`, `exists`, json_contains / array_contains (and _all / _any),
 * array_length, arithmetic of the form `field op const CMP const`, two-field comparisons, and
 * `and` / `or` / `not` in Kleene three-valued logic. expr_lex.c tokenizes, expr_parse.c parses and
 * type-checks with Milvus's rules and messages, filter.c evaluates the plan column by column.
 */
#ifndef PT_EXPR_H
#define PT_EXPR_H

#include "store.h"

/* ============================================================================================
 * Tokens (expr_lex.c)
 * ========================================================================================== */

typedef enum pt_tok_kind {
  T_END = 0, T_IDENT, T_JSON_IDENT, T_INT, T_FLOAT, T_STRING, T_TRUE, T_FALSE,
  T_LPAREN, T_RPAREN, T_LBRACKET, T_RBRACKET, T_COMMA,
  T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_POW,
  T_NOT, T_AND, T_OR, T_TILDE, T_BITAND, T_BITOR, T_BITXOR, T_SHL, T_SHR, T_ASSIGN,
  T_IN, T_LIKE, T_EXISTS, T_IS_NULL, T_IS_NOT_NULL,
  T_JSON_CONTAINS, T_JSON_CONTAINS_ALL, T_JSON_CONTAINS_ANY,
  T_ARRAY_CONTAINS, T_ARRAY_CONTAINS_ALL, T_ARRAY_CONTAINS_ANY, T_ARRAY_LENGTH,
  T_TEXT_MATCH, T_PHRASE_MATCH, T_RANDOM_SAMPLE, T_LBRACE, T_RBRACE,
  T_BAD /* a character or literal the grammar has no token for */
} pt_tok_kind;

typedef struct pt_token {
  pt_tok_kind kind;
  size_t pos, len;  /* span in the expression text */
  bool overflow;    /* T_INT: beyond int64 (the text is kept for the message) */
  uint64_t u;       /* T_INT: magnitude */
  double d;         /* T_FLOAT */
} pt_token;

typedef struct pt_lexer {
  const char *s;
  size_t len, pos;
} pt_lexer;

/* The next token; T_END at the end of the text. */
pt_token pt_lex_next(pt_lexer *lx);

/* Go's strconv.Unquote of a string literal token (its quotes included) into out[0..len-2]:
 * the unquoted length, or SIZE_MAX when an escape is not valid. */
size_t pt_lex_unquote(const char *tok, size_t len, char *out);

/* ============================================================================================
 * The plan (expr_parse.c)
 * ========================================================================================== */

/* Types of constants and expressions, as Milvus names them in messages. */
typedef enum pt_vtype {
  VT_NONE = 0, VT_BOOL, VT_INT, VT_FLOAT, VT_STRING, VT_ARRAY, VT_JSON
} pt_vtype;

typedef struct pt_value {
  pt_vtype type;
  bool b;
  int64_t i;
  double d;
  const char *s; /* VT_STRING: unquoted bytes, owned by the plan */
  size_t slen;
  struct pt_value *items; /* VT_ARRAY */
  size_t n;
} pt_value;

/* A column of the row: a field, or a path into a JSON field / the dynamic field, or an element
 * of an ARRAY field. */
typedef struct pt_colref {
  int field;         /* schema field index, or the dynamic column ($meta) */
  bool dynamic;      /* the field is $meta */
  int dtype;         /* the field's DataType (PT_JSON for $meta) */
  int elem_type;     /* ARRAY: element type */
  const char **keys; /* JSON path, as written between the brackets (owned by the plan) */
  size_t *key_lens;
  size_t n_keys;
  bool has_index;    /* ARRAY element access a[i] */
  int64_t index;
  int vtype_dtype;   /* the DataType of what is accessed: dtype, element type, or PT_JSON */
} pt_colref;

typedef enum pt_cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } pt_cmp;
typedef enum pt_arith { AR_NONE, AR_ADD, AR_SUB, AR_MUL, AR_DIV, AR_MOD } pt_arith;
typedef enum pt_like_kind { LIKE_EQUAL, LIKE_PREFIX, LIKE_POSTFIX, LIKE_INNER, LIKE_MATCH } pt_like_kind;
typedef enum pt_contains_kind { CONTAINS_ONE, CONTAINS_ALL, CONTAINS_ANY } pt_contains_kind;

typedef enum pt_pred_kind {
  P_CONST,         /* true / false: a folded constant predicate */
  P_COMPARE,       /* col [arith v] CMP value, or array_length(col) CMP value */
  P_COMPARE_COLS,  /* col CMP col2 */
  P_RANGE,         /* lo <(=) col <(=) hi */
  P_TERM,          /* col [not] in [values] */
  P_LIKE,          /* col like pattern */
  P_NULL,          /* col is [not] null */
  P_EXISTS,        /* exists path */
  P_CONTAINS,      /* json/array_contains[_all|_any](col, value) */
  P_NOT, P_AND, P_OR
} pt_pred_kind;

typedef struct pt_pred {
  pt_pred_kind kind;
  bool b;                  /* P_CONST */
  pt_colref col, col2;
  pt_cmp cmp;
  pt_arith arith;          /* P_COMPARE: col arith operand CMP value */
  pt_value operand;
  pt_value value;          /* P_COMPARE / P_TERM (array) / P_CONTAINS */
  bool array_length;       /* P_COMPARE on array_length(col) */
  pt_value lo, hi;         /* P_RANGE */
  bool lo_incl, hi_incl;
  bool negate;             /* P_TERM: not in; P_NULL: is not null */
  pt_like_kind like;       /* P_LIKE: the pattern's class, and its operand (or raw pattern) */
  const char *pat;
  size_t pat_len;
  pt_contains_kind contains;
  struct pt_pred **kids;   /* P_NOT: 1; P_AND / P_OR: n (flattened) */
  size_t n_kids, kids_cap;
} pt_pred;

typedef struct pt_plan pt_plan;

/* Parses and type-checks `expr` against a collection; `what` names the plan in messages
 * ("query", "delete"). On success *out holds the plan (pt_plan_free). */
pt_status pt_plan_parse(const pt_collection *c, const char *expr, size_t len, const char *what, pt_plan **out,
                        pt_error *err);
const pt_pred *pt_plan_root(const pt_plan *plan);
void pt_plan_free(pt_plan *plan);

/* True when `expr` holds only white space. */
bool pt_expr_is_empty(const char *expr, size_t len);

/* The keys of a primary-key filter: `pk in [...]` or `pk == k`. */
typedef struct pt_pkfilter {
  size_t n;
  pt_key *keys;
} pt_pkfilter;

/* When a plan is a primary-key filter, fills `out` (pointing into the plan) and returns true. */
bool pt_plan_keys(const pt_plan *plan, const pt_collection *c, pt_pkfilter *out);

/* Maximum nesting of parentheses, unary operators and function calls in an expression. */
#define PT_EXPR_MAX_DEPTH 128
/* Maximum length of an expression, in bytes. */
#define PT_EXPR_MAX_LENGTH (1u << 20)

#endif /* PT_EXPR_H */
