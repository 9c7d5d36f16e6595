/*
 * analyzer.h — Milvus's text analyzers (analyzer.c): `analyzer_params` read and validated with
 * Milvus's messages, and text turned into tokens with their offsets and positions, as Milvus's
 * run_analyzer returns them. Internal: schemas, writes (the BM25 function), text_match and the
 * hosts' run_analyzer are wired on top of this later.
 *
 * WHAT IS BUILT (Milvus 2.5 / 2.6, whose analyzers are tantivy's, configured by Milvus's
 * tantivy-binding):
 *   analyzers  {"type": "standard"}   standard tokenizer + lowercase (+ optional stop_words)
 *              {"type": "english"}    standard tokenizer + lowercase + English stemmer +
 *                                     _english_ stop words (+ optional stop_words), stop words
 *                                     removed after stemming, as Milvus does
 *              {} or no params        the standard analyzer
 *              {"tokenizer": ..., "filter": [...]}   a custom analyzer
 *   tokenizers standard    tantivy's SimpleTokenizer: maximal runs of alphanumeric characters
 *                          (Rust's char::is_alphanumeric: Alphabetic or Number, unicode.h); every
 *                          other character separates, apostrophes and hyphens included; a run of
 *                          CJK characters is one token
 *              whitespace  runs of characters between ASCII white space (space, \t, \n, \f, \r)
 *   filters    lowercase   full Unicode lowercasing per character (no final-sigma rule, as tantivy)
 *              alphanumonly, cncharonly, cnalphanumonly   keep a token that is all ASCII
 *                          alphanumeric / contains a Han character / contains a Han character or
 *                          an ASCII letter or digit
 *              {"type": "length", "max": N}   keep tokens of at most N bytes (UTF-8)
 *              {"type": "stop", "stop_words": [...]}   drop listed tokens; "_english_" stands for
 *                          Milvus's English list (the 33 words of Lucene's English stop set)
 *              {"type": "stemmer", "language": "english"}   Snowball English (stemmer.h)
 *   Refused by name, with a message that says why: the chinese analyzer and the jieba, lindera,
 *   icu and language_identifier tokenizers (they need dictionaries or models partita does not
 *   ship), grpc (a remote service), the asciifolding, removepunct, decompounder, regex and
 *   synonym filters, stemmers and stop lists of other languages, and stop_words_file (partita
 *   reads no files).
 *
 * TOKENS. Offsets are byte offsets into the text (tantivy's offset_from / offset_to), the token's
 * text is what the filters made of that slice, and positions count the tokenizer's tokens from 0:
 * a token a filter removes leaves a gap (stop words), as in Milvus. position_length is always 1.
 * A token has no length limit (Milvus's standard tokenizer has none: a 1 MB run of letters is one
 * token); the BM25 function hashes only its first 100 bytes (bm25.h).
 *
 * LIMITS. Text must be UTF-8 (refused otherwise, as Milvus's "string data must be utf8 format")
 * and at most PT_ANALYZER_TEXT_MAX bytes; analyzer_params at most PT_ANALYZER_PARAMS_MAX bytes of
 * RFC 8259 JSON. Building and running are linear: a run keeps at most one pt_atoken per byte of
 * text and 1.5 bytes of token text per byte (lowercasing can lengthen a character by half).
 */
#ifndef PT_ANALYZER_H
#define PT_ANALYZER_H

#include "common.h"

#define PT_ANALYZER_TEXT_MAX ((size_t)64 << 20)
#define PT_ANALYZER_PARAMS_MAX ((size_t)1 << 20)

typedef struct pt_analyzer pt_analyzer;

/* One token of a run, as Milvus's run_analyzer details it (AnalyzerToken). */
typedef struct pt_atoken {
  uint32_t start, end; /* start_offset, end_offset: bytes of the text the token comes from */
  uint32_t position;   /* the tokenizer's position; filters leave gaps */
  uint32_t text;       /* where the token's text is in pt_tokens.text */
  uint32_t len;        /* its length in bytes */
} pt_atoken;

/* The tokens of a run, and the texts they point into. Reused across runs (its memory is kept);
 * zero-initialise it before the first run, release it with pt_tokens_release. */
typedef struct pt_tokens {
  pt_atoken *v;
  size_t n, cap;
  char *text; /* the tokens' texts one after another, not NUL-terminated */
  size_t text_len, text_cap;
  char *scratch[2]; /* a token between filters */
  size_t scratch_cap[2];
} pt_tokens;

/* Builds an analyzer from `analyzer_params` (JSON text of `len` bytes; len 0 means none: the
 * standard analyzer). Errors are Milvus's, as its tantivy binding words them: "create tokenizer
 * failed with error: InternalError: unknown build-in analyzer type: x param: {...}" (PT_SCHEMA,
 * code 1100; a JSON syntax error PT_PARSE; PT_LIMIT beyond PT_ANALYZER_PARAMS_MAX). The caller
 * keeps `params`; *out is owned by the caller (pt_analyzer_free). */
pt_status pt_analyzer_new(const char *params, size_t len, pt_analyzer **out, pt_error *err);

/* Frees an analyzer; NULL is a no-op. */
void pt_analyzer_free(pt_analyzer *a);

/* Runs the analyzer over `len` bytes of text into `out` (its previous tokens are dropped). Text
 * that is not UTF-8 is refused (PT_PARSE, code 1100, "string data must be utf8 format ..."), and
 * so is text beyond PT_ANALYZER_TEXT_MAX (PT_LIMIT, code 1102). On an error `out` holds no
 * tokens. An analyzer may run many texts, but not two at once (it is read-only; `out` is not). */
pt_status pt_analyzer_run(const pt_analyzer *a, const char *text, size_t len, pt_tokens *out, pt_error *err);

/* Frees the memory of `t` and zeroes it; NULL is a no-op. */
void pt_tokens_release(pt_tokens *t);

/* The text of token i of `t` (its `len` bytes, not NUL-terminated). */
static inline const char *pt_token_text(const pt_tokens *t, size_t i) { return t->text + t->v[i].text; }

#endif /* PT_ANALYZER_H */
