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

/* A constant. The plan keeps one per literal and list item, so it is kept small: 16 bytes. */
typedef struct pt_value {
  uint8_t type;      /* pt_vtype */
  bool b;            /* VT_BOOL */
  union {
    uint32_t slen;   /* VT_STRING: bytes */
    uint32_t n;      /* VT_ARRAY: items */
  };
  union {
    int64_t i;       /* VT_INT */
    double d;        /* VT_FLOAT */
    const char *s;   /* VT_STRING: unquoted bytes, owned by the plan */
    struct pt_value *items; /* VT_ARRAY */
  };
} pt_value;

/* The order of two integer or two string constants: -1, 0 or 1 (strings byte-wise, a prefix
 * first). */
static inline int pt_value_cmp(const pt_value *a, const pt_value *b) {
  if (a->type == VT_STRING) {
    size_t n = a->slen < b->slen ? a->slen : b->slen;
    int c = n ? memcmp(a->s, b->s, n) : 0;
    return c ? (c < 0 ? -1 : 1) : (a->slen < b->slen ? -1 : a->slen > b->slen);
  }
  return a->i < b->i ? -1 : a->i > b->i;
}

/* An `in` list of integers or strings longer than this is sorted when it is planned, and rows
 * are looked up in it by binary search: a long list costs log(n) a row, not n. */
#define PT_TERM_SORTED_AFTER 16

/* A column of the row: a field, or a path into a JSON field / the dynamic field, or an element
 * of an ARRAY field. */
typedef struct pt_colref {
  pt_str *keys;        /* JSON path, as written between the brackets (owned by the plan) */
  int64_t index;       /* ARRAY element access a[i] */
  int32_t field;       /* schema field index, or the dynamic column ($meta) */
  uint32_t n_keys;
  uint8_t dtype;       /* the field's DataType (PT_JSON for $meta) */
  uint8_t elem_type;   /* ARRAY: element type */
  uint8_t vtype_dtype; /* the DataType of what is accessed: dtype, element type, or PT_JSON */
  bool dynamic;        /* the field is $meta */
  bool has_index;
} pt_colref;

typedef enum pt_cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } pt_cmp;

/* Whether a three-way comparison `c` (<0, 0, >0; 2 when either side is NaN, which compares
 * unequal to everything) satisfies `op`: the one rule of the evaluator and the constant folder. */
static inline bool pt_cmp_holds(int c, pt_cmp op) {
  if (c == 2) return op == CMP_NE;
  switch (op) {
  case CMP_EQ: return c == 0;
  case CMP_NE: return c != 0;
  case CMP_LT: return c < 0;
  case CMP_LE: return c <= 0;
  case CMP_GT: return c > 0;
  default: return c >= 0;
  }
}
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
  P_MATCH,         /* text_match(col, "...") / phrase_match(col, "...", slop) */
  P_NOT, P_AND, P_OR
} pt_pred_kind;

/* A run of a like pattern between two unescaped `%` (or an end of it): `lead` and `trail`
 * code points of `_` around a core of bytes, in which `any` (with has_any) marks more `_`. A
 * core without `_` is searched for with its KMP failure function, in linear time. */
typedef struct pt_like_seg {
  const char *lit;        /* the core's bytes (at a `_` of `any`, unused) */
  union {
    const uint32_t *fail; /* has_any false: fail[k], the longest proper border of lit[0..k] */
    const uint8_t *any;   /* has_any: one flag per byte of the core, 1 for a `_` */
  };
  uint32_t len, lead, trail;
  bool has_any;
} pt_like_seg;

/* text_match / phrase_match: the query as the field's analyzer tokenizes it, and how a row's
 * tokens are looked up in it. Built by the parser in the plan's arena; the analyzer is the
 * field's (pt_field.analyzer), which outlives the plan. */
typedef struct pt_match {
  const struct pt_analyzer *analyzer; /* the field's (pt_field.analyzer) */
  uint32_t n_terms;          /* query tokens */
  const uint32_t *position;  /* [n_terms]: each token's position in the query */
  const uint32_t *term;      /* [n_terms]: each token's distinct term, 0..n_distinct-1 */
  uint32_t n_distinct;
  const pt_str *text;        /* [n_distinct]: the distinct terms' texts */
  const uint32_t *mult;      /* [n_distinct]: how many query tokens each term is */
  const uint32_t *slots;     /* open addressing over the distinct terms: term + 1, 0 empty */
  uint32_t mask;             /* slots - 1 (a power of two minus one) */
  bool phrase;               /* phrase_match */
  uint32_t slop;             /* phrase_match */
  int64_t min_should;        /* text_match: rows need this many query tokens (minimum_should_match, 1) */
} pt_match;

/* phrase_match's limit on the tokens of its phrase. A row is matched term by term (tantivy's
 * PhraseScorer), each term a pass over the row's positions of it: a phrase of n tokens costs up
 * to n passes over the row. Milvus has no limit; partita refuses longer phrases, so that one
 * filter cannot hold every row for seconds. */
#define PT_PHRASE_MAX_TOKENS 256

/* The distinct term of the query that (s, n) is, or UINT32_MAX. */
static inline uint32_t pt_match_find(const pt_match *m, const char *s, size_t n, uint64_t h) {
  for (uint32_t i = (uint32_t)h & m->mask;; i = (i + 1) & m->mask) {
    uint32_t t = m->slots[i];
    if (!t) return UINT32_MAX;
    const pt_str *x = &m->text[t - 1];
    if (x->len == n && (n == 0 || memcmp(x->ptr, s, n) == 0)) return t - 1;
  }
}

/* A predicate: what each kind needs shares one union, so that a long chain of small
 * predicates stays a small multiple of its text (80 bytes a node on 64-bit hosts). */
typedef struct pt_pred {
  uint8_t kind;            /* pt_pred_kind */
  uint8_t cmp;             /* pt_cmp: P_COMPARE, P_COMPARE_COLS */
  uint8_t arith;           /* pt_arith: P_COMPARE: col arith operand CMP value */
  uint8_t like;            /* pt_like_kind: P_LIKE, the pattern's class */
  uint8_t contains;        /* pt_contains_kind: P_CONTAINS */
  bool b;                  /* P_CONST */
  bool array_length;       /* P_COMPARE on array_length(col) */
  bool lo_incl, hi_incl;   /* P_RANGE */
  bool negate;             /* P_TERM: not in; P_NULL: is not null */
  bool sorted;             /* P_TERM: the list is in pt_value_cmp order (PT_TERM_SORTED_AFTER) */
  pt_colref col;           /* every kind but P_CONST, P_NOT, P_AND, P_OR */
  union {
    struct {
      pt_value value;      /* P_COMPARE / P_TERM (array) / P_CONTAINS */
      pt_value operand;    /* P_COMPARE with arith */
    };
    pt_colref col2;        /* P_COMPARE_COLS */
    struct {
      pt_value lo, hi;     /* P_RANGE */
    };
    struct {
      const char *pat;     /* P_LIKE, EQUAL / PREFIX / POSTFIX: the operand */
      size_t pat_len;
      const pt_like_seg *segs; /* INNER / MATCH: the runs between % (first and last anchored) */
      uint32_t n_segs;
    };
    const pt_match *match; /* P_MATCH */
    struct {
      struct pt_pred **kids; /* P_NOT: 1; P_AND / P_OR: n (flattened) */
      size_t n_kids, kids_cap;
    };
  };
} pt_pred;

typedef struct pt_plan pt_plan;

/* Parses and type-checks `expr` against a collection; `what` names the plan in messages
 * ("query", "delete"). `params` (params_len bytes, or NULL / 0 for none) is the JSON object of
 * the expression's template values (Milvus's expr_params): each `{name}` in the expression
 * stands for the constant of member `name` — a bool, a number (an integer when written without
 * fraction or exponent), a string or a list of these — bound as a literal is, never read as
 * expression text. A name without a value is an error; values no name uses are not, as in
 * Milvus. On success *out holds the plan (pt_plan_free). */
pt_status pt_plan_parse(const pt_collection *c, const char *expr, size_t len, const char *params, size_t params_len,
                        const char *what, pt_plan **out, pt_error *err);
const pt_pred *pt_plan_root(const pt_plan *plan);
void pt_plan_free(pt_plan *plan);

/* True when `expr` holds only white space. */
bool pt_expr_is_empty(const char *expr, size_t len);

/* The keys of a primary-key filter: `pk in [...]` or `pk == k`, as the plan's constants. */
typedef struct pt_pkfilter {
  size_t n;
  const pt_value *values;
} pt_pkfilter;

/* Key k of a primary-key filter. */
static inline pt_key pt_pkfilter_key(const pt_pkfilter *f, size_t k) {
  const pt_value *v = &f->values[k];
  pt_key key = {0, NULL, 0};
  if (v->type == VT_STRING) {
    key.s = v->s;
    key.len = v->slen;
  } else {
    key.i = v->i;
  }
  return key;
}

/* When a plan is a primary-key filter, fills `out` (pointing into the plan) and returns true. */
bool pt_plan_keys(const pt_plan *plan, const pt_collection *c, pt_pkfilter *out);

/* Maximum nesting of parentheses, unary operators and function calls in an expression. */
#define PT_EXPR_MAX_DEPTH 128
/* Maximum length of an expression, in bytes. */
#define PT_EXPR_MAX_LENGTH (1u << 20)

#endif /* PT_EXPR_H */
