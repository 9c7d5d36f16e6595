/*
 * analyzer.c — Milvus's analyzers (analyzer.h): analyzer_params read from JSON text into a
 * tokenizer and a chain of filters, with the checks and messages of Milvus's tantivy binding, and
 * the chain run over UTF-8 text into tokens with offsets and positions.
 *
 * HOW IT WORKS
 * Parameters are read straight from the checked JSON text (json.h's walkers), without a tree: a
 * value's kind is its first byte, strings are unescaped where they are needed, and a member given
 * twice counts by its last occurrence, as in serde_json's maps. The reading follows Milvus's
 * AnalyzerBuilder step for step, so that the first error Milvus reports is the one reported here:
 * a "type" makes a built-in analyzer (and every other member but stop_words is ignored);
 * otherwise "tokenizer" is read first, then the other members in key order, "filter" building
 * its filters in list order (a list element that is neither a string nor an object is skipped,
 * as Milvus skips it).
 *
 * A run decodes the text once. The tokenizer finds each token's byte range; the token's bytes go
 * through the filters in a scratch buffer (lowercasing writes into the other scratch buffer, as it
 * may lengthen a character), and a token that every filter keeps is appended to the run's text
 * arena. Every step is linear in the token, so a run is linear in the text. Stop words are kept
 * in an open-addressed set (FNV-1a of the word, power-of-two slots, load at most one half).
 */
#include "analyzer.h"

#include "json.h"
#include "stemmer.h"
#include "text.h"
#include "unicode.h"

#include <stdio.h>

/* ============================================================================================
 * The analyzer
 * ========================================================================================== */

typedef enum tok_kind { TOK_STANDARD = 0, TOK_WHITESPACE = 1 } tok_kind;

typedef enum filter_kind {
  F_LOWERCASE = 0,
  F_ALNUMONLY,
  F_CNCHARONLY,
  F_CNALNUMONLY,
  F_LENGTH,
  F_STOP,
  F_STEMMER
} filter_kind;

typedef struct stop_set {
  char *words;      /* the words, one after another */
  size_t words_len, words_cap;
  struct stop_word {
    uint32_t off, len; /* the word is words[off .. off + len) */
  } *w;
  size_t n, n_cap;
  uint32_t *slots; /* word index + 1; 0 = empty */
  size_t cap;
} stop_set;

typedef struct filter {
  filter_kind kind;
  uint64_t limit; /* F_LENGTH: tokens of fewer bytes than this are kept (Milvus's max + 1) */
  stop_set stop;  /* F_STOP */
} filter;

struct pt_analyzer {
  tok_kind tok;
  filter *f;
  size_t nf, cap;
};

static void stop_free(stop_set *s) {
  pt_free(s->words);
  pt_free(s->w);
  pt_free(s->slots);
  memset(s, 0, sizeof *s);
}

void pt_analyzer_free(pt_analyzer *a) {
  if (!a) return;
  for (size_t i = 0; i < a->nf; i++)
    if (a->f[i].kind == F_STOP) stop_free(&a->f[i].stop);
  pt_free(a->f);
  pt_free(a);
}

static uint64_t fnv1a(const char *s, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
  return h;
}

static pt_status stop_add(stop_set *s, const char *w, size_t n) {
  if (n > UINT32_MAX || s->words_len > UINT32_MAX - n) return PT_NOMEM;
  if (PT_GROW(&s->words, &s->words_cap, s->words_len + n + 1) != PT_OK) return PT_NOMEM;
  if (PT_GROW(&s->w, &s->n_cap, s->n + 1) != PT_OK) return PT_NOMEM;
  if (n) memcpy(s->words + s->words_len, w, n);
  s->w[s->n].off = (uint32_t)s->words_len;
  s->w[s->n].len = (uint32_t)n;
  s->words_len += n;
  s->n++;
  return PT_OK;
}

/* Builds the hash slots once every word is in. */
static pt_status stop_index(stop_set *s) {
  size_t cap = 16;
  while (cap / 2 < s->n) {
    if (cap > SIZE_MAX / 4 / sizeof(uint32_t)) return PT_NOMEM;
    cap *= 2;
  }
  s->slots = pt_calloc(cap, sizeof *s->slots);
  if (!s->slots) return PT_NOMEM;
  s->cap = cap;
  for (size_t i = 0; i < s->n; i++) {
    size_t j = (size_t)fnv1a(s->words + s->w[i].off, s->w[i].len) & (cap - 1);
    while (s->slots[j]) j = (j + 1) & (cap - 1);
    s->slots[j] = (uint32_t)i + 1;
  }
  return PT_OK;
}

static bool stop_has(const stop_set *s, const char *w, size_t n) {
  size_t j = (size_t)fnv1a(w, n) & (s->cap - 1);
  for (; s->slots[j]; j = (j + 1) & (s->cap - 1)) {
    uint32_t i = s->slots[j] - 1;
    if (s->w[i].len == n && memcmp(s->words + s->w[i].off, w, n) == 0) return true;
  }
  return false;
}

/* Milvus's _english_ list (tantivy-binding's stop_words::ENGLISH: Lucene's English stop set). */
static const char *const ENGLISH_STOP[] = {"a",    "an",    "and",   "are",  "as",    "at",   "be",   "but",  "by",
                                           "for",  "if",    "in",    "into", "is",    "it",   "no",   "not",  "of",
                                           "on",   "or",    "such",  "that", "the",   "their", "then", "there", "these",
                                           "they", "this",  "to",    "was",  "will",  "with", NULL};

/* The stop lists of other languages Milvus knows by name (refused: partita ships English only). */
static const char *const OTHER_STOP_LISTS[] = {"_chinese_", "_danish_",     "_dutch_",   "_finnish_", "_french_",
                                               "_german_",  "_hungarian_",  "_italian_", "_norwegian_", "_portuguese_",
                                               "_russian_", "_spanish_",    "_swedish_", "_arabic_",  "_thai_", NULL};

static pt_status stop_add_english(stop_set *s) {
  for (int i = 0; ENGLISH_STOP[i]; i++)
    if (stop_add(s, ENGLISH_STOP[i], strlen(ENGLISH_STOP[i])) != PT_OK) return PT_NOMEM;
  return PT_OK;
}

static pt_status add_filter(pt_analyzer *a, filter_kind kind, filter **out) {
  if (PT_GROW(&a->f, &a->cap, a->nf + 1) != PT_OK) return PT_NOMEM;
  filter *f = &a->f[a->nf++];
  memset(f, 0, sizeof *f);
  f->kind = kind;
  if (out) *out = f;
  return PT_OK;
}

/* ============================================================================================
 * Reading the parameters
 * ========================================================================================== */

typedef struct ctx {
  pt_str params; /* the whole text, for messages */
  pt_error *err;
  pt_analyzer *a;
} ctx;

#define KIND_INTERNAL "InternalError"
#define KIND_INVALID "InvalidArgument"
#define KIND_JSON "JsonError"

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
static pt_status fail(ctx *c, pt_status st, const char *kind, const char *fmt, ...) {
  char what[512], excerpt[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  pt_excerpt(excerpt, sizeof excerpt, c->params.ptr, c->params.len, 200);
  return pt_fail(c->err, st, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                 "create tokenizer failed with error: %s: %s param: %s", kind, what, excerpt);
}

static pt_status nomem(ctx *c) { return pt_fail_nomem(c->err); }

typedef enum jkind { J_STRING, J_NUMBER, J_OBJECT, J_ARRAY, J_BOOL, J_NULL } jkind;

static jkind kind_of(pt_str v) {
  switch (v.ptr[0]) {
  case '"': return J_STRING;
  case '{': return J_OBJECT;
  case '[': return J_ARRAY;
  case 't':
  case 'f': return J_BOOL;
  case 'n': return J_NULL;
  default: return J_NUMBER;
  }
}

/* Members of an object or elements of an array (text pt_json_check accepted). */
typedef struct jiter {
  pt_str t;
  size_t cur;
} jiter;

static void jiter_init(jiter *it, pt_str container) {
  it->t = container;
  it->cur = pt_json_enter(container);
}

static bool jiter_next(jiter *it, pt_str *key, pt_str *val) {
  while (it->cur < it->t.len && (unsigned char)it->t.ptr[it->cur] <= 32) it->cur++;
  if (it->cur >= it->t.len || it->t.ptr[it->cur] == '}' || it->t.ptr[it->cur] == ']') return false;
  *val = pt_json_next(it->t, &it->cur, key);
  return true;
}

/* The bytes of a JSON string value (its text with the quotes) into buf (NUL-terminated, cut to
 * cap - 1 bytes); returns the full length. */
static size_t jstr(pt_str raw, char *buf, size_t cap) {
  size_t n = pt_json_unescape(raw.ptr + 1, raw.len - 2, NULL);
  if (n < cap) {
    pt_json_unescape(raw.ptr + 1, raw.len - 2, buf);
    buf[n] = '\0';
  } else {
    char *tmp = pt_malloc(n + 1);
    if (tmp) {
      pt_json_unescape(raw.ptr + 1, raw.len - 2, tmp);
      size_t keep = pt_excerpt(buf, cap, tmp, n, cap > 4 ? cap - 4 : 0);
      buf[keep] = '\0';
      pt_free(tmp);
    } else {
      buf[0] = '\0';
    }
  }
  return n;
}

/* A key (its text with the quotes) equals z. */
static bool key_is(pt_str key, const char *z) {
  char buf[32];
  return jstr(key, buf, sizeof buf) == strlen(z) && strcmp(buf, z) == 0;
}

/* The last member `name` of an object, or {NULL, 0}. */
static pt_str member(pt_str obj, const char *name) {
  pt_str found = {NULL, 0}, k, v;
  jiter it;
  jiter_init(&it, obj);
  while (jiter_next(&it, &k, &v))
    if (key_is(k, name)) found = v;
  return found;
}

static bool in_list(const char *z, const char *const *list) {
  for (int i = 0; list[i]; i++)
    if (strcmp(z, list[i]) == 0) return true;
  return false;
}

/* A stop word list (Milvus's get_string_list + get_stop_words_list): an array of strings, where
 * "_english_" stands for the English list. `label` names it in messages. */
static pt_status read_stop_words(ctx *c, pt_str list, const char *label, stop_set *s) {
  if (kind_of(list) != J_ARRAY) return fail(c, PT_SCHEMA, KIND_INTERNAL, "%s should be array", label);
  jiter it;
  pt_str k, v;
  jiter_init(&it, list);
  while (jiter_next(&it, NULL, &v))
    if (kind_of(v) != J_STRING) return fail(c, PT_SCHEMA, KIND_INTERNAL, "%s list item should be string", label);
  (void)k;
  jiter_init(&it, list);
  while (jiter_next(&it, NULL, &v)) {
    size_t n = pt_json_unescape(v.ptr + 1, v.len - 2, NULL);
    char small[64];
    char *w = n < sizeof small ? small : pt_malloc(n + 1);
    if (!w) return nomem(c);
    pt_json_unescape(v.ptr + 1, v.len - 2, w);
    w[n] = '\0';
    pt_status rc = PT_OK;
    if (n > 0 && w[0] == '_' && strcmp(w, "_english_") == 0) {
      rc = stop_add_english(s) == PT_OK ? PT_OK : nomem(c);
    } else if (n > 0 && w[0] == '_' && in_list(w, OTHER_STOP_LISTS)) {
      rc = fail(c, PT_SCHEMA, KIND_INTERNAL,
                "stop words list %s is not available in partita, which ships the _english_ list only", w);
    } else {
      rc = stop_add(s, w, n) == PT_OK ? PT_OK : nomem(c);
    }
    if (w != small) pt_free(w);
    if (rc != PT_OK) return rc;
  }
  return PT_OK;
}

/* Adds a stop filter over the words of `list` (NULL: none) and, with `english`, Milvus's list. */
static pt_status add_stop_filter(ctx *c, pt_str list, const char *label, bool english) {
  filter *f;
  if (add_filter(c->a, F_STOP, &f) != PT_OK) return nomem(c);
  pt_status rc = PT_OK;
  if (english && stop_add_english(&f->stop) != PT_OK) rc = nomem(c);
  if (rc == PT_OK && list.ptr) rc = read_stop_words(c, list, label, &f->stop);
  if (rc == PT_OK && stop_index(&f->stop) != PT_OK) rc = nomem(c);
  return rc;
}

/* ---- built-in analyzers ---- */

static pt_status build_template(ctx *c, pt_str obj, const char *type) {
  pt_analyzer *a = c->a;
  pt_str stop = member(obj, "stop_words");
  a->tok = TOK_STANDARD;
  if (strcmp(type, "standard") == 0) {
    if (add_filter(a, F_LOWERCASE, NULL) != PT_OK) return nomem(c);
    /* the custom list is read (and checked) first, as Milvus does; an empty one adds no filter */
    if (stop.ptr) {
      pt_status rc = add_stop_filter(c, stop, "filter stop_words", false);
      if (rc != PT_OK) return rc;
      if (a->f[a->nf - 1].stop.n == 0) {
        stop_free(&a->f[a->nf - 1].stop);
        a->nf--;
      }
    }
    return PT_OK;
  }
  if (strcmp(type, "english") == 0) {
    /* lowercase, stemmer, the English list, then the custom list: stop words are matched against
     * stemmed tokens, as Milvus's english_analyzer does */
    if (add_filter(a, F_LOWERCASE, NULL) != PT_OK || add_filter(a, F_STEMMER, NULL) != PT_OK) return nomem(c);
    pt_status rc = add_stop_filter(c, (pt_str){NULL, 0}, NULL, true);
    if (rc == PT_OK && stop.ptr) {
      rc = add_stop_filter(c, stop, "filter stop_words", false);
      if (rc == PT_OK && a->f[a->nf - 1].stop.n == 0) {
        stop_free(&a->f[a->nf - 1].stop);
        a->nf--;
      }
    }
    return rc;
  }
  if (strcmp(type, "chinese") == 0)
    return fail(c, PT_SCHEMA, KIND_INTERNAL,
                "build-in analyzer type chinese is not available in partita: its jieba tokenizer needs a "
                "dictionary partita does not ship");
  return fail(c, PT_SCHEMA, KIND_INTERNAL, "unknown build-in analyzer type: %s", type);
}

/* ---- tokenizers ---- */

static pt_status build_tokenizer(ctx *c, pt_str tok) {
  char name[256];
  pt_str obj = {NULL, 0};
  if (kind_of(tok) == J_STRING) {
    jstr(tok, name, sizeof name);
  } else {
    obj = tok;
    pt_str type = member(obj, "type");
    if (!type.ptr) return fail(c, PT_SCHEMA, KIND_INVALID, "costum tokenizer must set type");
    if (kind_of(type) != J_STRING) return fail(c, PT_SCHEMA, KIND_INVALID, "tokenizer type should be string");
    jstr(type, name, sizeof name);
  }
  if (strcmp(name, "standard") == 0) {
    c->a->tok = TOK_STANDARD;
    if (obj.ptr) {
      pt_str uax = member(obj, "uax29");
      if (uax.ptr && kind_of(uax) != J_BOOL)
        return fail(c, PT_SCHEMA, KIND_INVALID, "standard tokenizer uax29 must be a boolean");
      if (uax.ptr && uax.ptr[0] == 't')
        return fail(c, PT_SCHEMA, KIND_INVALID,
                    "standard tokenizer uax29 (Unicode word segmentation) is not available in partita");
      if (member(obj, "max_token_length").ptr)
        return fail(c, PT_SCHEMA, KIND_INVALID, "standard tokenizer max_token_length requires uax29 to be true");
    }
    return PT_OK;
  }
  if (strcmp(name, "whitespace") == 0) {
    c->a->tok = TOK_WHITESPACE;
    return PT_OK;
  }
  static const char *const DICT[] = {"jieba", "lindera", "icu", "language_identifier", NULL};
  if (in_list(name, DICT))
    return fail(c, PT_SCHEMA, KIND_INVALID,
                "unsupported tokenizer: %s (not available in partita: it needs dictionaries or models partita "
                "does not ship; use standard or whitespace)",
                name);
  if (strcmp(name, "grpc") == 0)
    return fail(c, PT_SCHEMA, KIND_INVALID,
                "unsupported tokenizer: grpc (not available in partita: it calls a remote service)");
  return fail(c, PT_SCHEMA, KIND_INVALID, "unsupported tokenizer: %s", name);
}

/* ---- filters ---- */

static pt_status length_filter(ctx *c, pt_str obj) {
  pt_str max = member(obj, "max");
  uint64_t v = 0;
  bool ok = max.ptr && kind_of(max) == J_NUMBER && max.ptr[0] != '-';
  for (size_t i = 0; ok && i < max.len; i++) {
    char d = max.ptr[i];
    if (d < '0' || d > '9' || v > (UINT64_MAX - (uint64_t)(d - '0')) / 10) ok = false; /* a fraction, or beyond u64 */
    else v = v * 10 + (uint64_t)(d - '0');
  }
  if (!ok) return fail(c, PT_SCHEMA, KIND_INTERNAL, "lenth max param was none or not uint");
  filter *f;
  if (add_filter(c->a, F_LENGTH, &f) != PT_OK) return nomem(c);
  f->limit = v + 1; /* RemoveLongFilter::limit(max + 1), wrapping as Milvus's usize does */
  return PT_OK;
}

static pt_status stemmer_filter(ctx *c, pt_str obj) {
  pt_str lang = member(obj, "language");
  if (!lang.ptr || kind_of(lang) != J_STRING)
    return fail(c, PT_SCHEMA, KIND_INTERNAL, "stemmer language field should be string");
  char name[256];
  jstr(lang, name, sizeof name);
  for (char *p = name; *p; p++)
    if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
  if (strcmp(name, "english") == 0) return add_filter(c->a, F_STEMMER, NULL) == PT_OK ? PT_OK : nomem(c);
  static const char *const OTHERS[] = {"arabic",  "arabig",    "danish",     "dutch",    "finnish", "french",
                                       "german",  "greek",     "hungarian",  "italian",  "norwegian", "portuguese",
                                       "romanian", "russian",  "spanish",    "swedish",  "tamil",   "turkish", NULL};
  if (in_list(name, OTHERS))
    return fail(c, PT_SCHEMA, KIND_INTERNAL,
                "create stemmer failed : stemmer language %s is not available in partita, which ships the english "
                "stemmer only",
                name);
  return fail(c, PT_SCHEMA, KIND_INTERNAL, "create stemmer failed : unsupport language: %s", name);
}

static pt_status object_filter(ctx *c, pt_str obj) {
  pt_str type = member(obj, "type");
  if (!type.ptr) return fail(c, PT_SCHEMA, KIND_INTERNAL, "no type field in filter params");
  if (kind_of(type) != J_STRING) return fail(c, PT_SCHEMA, KIND_INTERNAL, "filter type should be string");
  char name[256];
  jstr(type, name, sizeof name);
  if (strcmp(name, "length") == 0) return length_filter(c, obj);
  if (strcmp(name, "stemmer") == 0) return stemmer_filter(c, obj);
  if (strcmp(name, "stop") == 0) {
    if (member(obj, "stop_words_file").ptr)
      return fail(c, PT_SCHEMA, KIND_INTERNAL, "stop_words_file is not available in partita, which reads no files");
    return add_stop_filter(c, member(obj, "stop_words"), "stop_words", false);
  }
  static const char *const NOT_HERE[] = {"decompounder", "regex", "synonym", NULL};
  if (in_list(name, NOT_HERE))
    return fail(c, PT_SCHEMA, KIND_INTERNAL, "filter type %s is not available in partita", name);
  return fail(c, PT_SCHEMA, KIND_INTERNAL, "unsupport filter type: %s", name);
}

static pt_status build_filters(ctx *c, pt_str list) {
  if (kind_of(list) != J_ARRAY) return fail(c, PT_SCHEMA, KIND_INTERNAL, "filter params should be array");
  jiter it;
  pt_str v;
  jiter_init(&it, list);
  while (jiter_next(&it, NULL, &v)) {
    pt_status rc = PT_OK;
    jkind k = kind_of(v);
    if (k == J_STRING) {
      char name[256];
      jstr(v, name, sizeof name);
      static const char *const SYSTEM[] = {"lowercase", "alphanumonly", "cncharonly", "cnalphanumonly", NULL};
      static const filter_kind KINDS[] = {F_LOWERCASE, F_ALNUMONLY, F_CNCHARONLY, F_CNALNUMONLY};
      int found = -1;
      for (int i = 0; SYSTEM[i]; i++)
        if (strcmp(name, SYSTEM[i]) == 0) found = i;
      if (found >= 0) rc = add_filter(c->a, KINDS[found], NULL) == PT_OK ? PT_OK : nomem(c);
      else if (strcmp(name, "asciifolding") == 0 || strcmp(name, "removepunct") == 0)
        rc = fail(c, PT_SCHEMA, KIND_INTERNAL, "filter %s is not available in partita", name);
      else rc = fail(c, PT_SCHEMA, KIND_INTERNAL, "build analyzer failed, filter not found :%s", name);
    } else if (k == J_OBJECT) {
      rc = object_filter(c, v);
    } /* anything else is skipped, as Milvus skips it */
    if (rc != PT_OK) return rc;
  }
  return PT_OK;
}

/* ---- the whole ---- */

/* Compares two keys by their unescaped bytes. */
static int key_cmp(pt_str a, pt_str b, ctx *c, bool *oom) {
  size_t na = pt_json_unescape(a.ptr + 1, a.len - 2, NULL), nb = pt_json_unescape(b.ptr + 1, b.len - 2, NULL);
  char *x = pt_malloc(na + nb + 2);
  (void)c;
  if (!x) {
    *oom = true;
    return 0;
  }
  pt_json_unescape(a.ptr + 1, a.len - 2, x);
  pt_json_unescape(b.ptr + 1, b.len - 2, x + na + 1);
  int r = memcmp(x, x + na + 1, na < nb ? na : nb);
  if (r == 0) r = na < nb ? -1 : na > nb;
  pt_free(x);
  return r;
}

static pt_status build(ctx *c, pt_str obj) {
  /* 1. a built-in analyzer */
  pt_str type = member(obj, "type");
  if (type.ptr) {
    if (kind_of(type) != J_STRING) return fail(c, PT_SCHEMA, KIND_INTERNAL, "analyzer type shoud be string");
    char name[256];
    jstr(type, name, sizeof name);
    return build_template(c, obj, name);
  }
  /* 2. a custom one: its tokenizer first */
  pt_str tok = member(obj, "tokenizer");
  if (!tok.ptr) return fail(c, PT_SCHEMA, KIND_INTERNAL, "tokenizer name or type must be set");
  if (kind_of(tok) != J_STRING && kind_of(tok) != J_OBJECT)
    return fail(c, PT_SCHEMA, KIND_INTERNAL, "tokenizer name should be string or dict");
  pt_status rc = build_tokenizer(c, tok);
  if (rc != PT_OK) return rc;
  /* 3. then the other members in key order: "filter" builds its filters, any other key but
   *    "tokenizer" is an error (the first in key order is the one reported) */
  pt_str unknown = {NULL, 0}, k, v, filter_key = {NULL, 0};
  bool oom = false;
  jiter it;
  jiter_init(&it, obj);
  while (jiter_next(&it, &k, &v)) {
    if (key_is(k, "tokenizer")) continue;
    if (key_is(k, "filter")) {
      filter_key = k;
      continue;
    }
    if (!unknown.ptr || key_cmp(k, unknown, c, &oom) < 0) unknown = k;
    if (oom) return nomem(c);
  }
  bool filter_first = filter_key.ptr && (!unknown.ptr || key_cmp(filter_key, unknown, c, &oom) < 0);
  if (oom) return nomem(c);
  if (filter_first) {
    rc = build_filters(c, member(obj, "filter"));
    if (rc != PT_OK) return rc;
  }
  if (unknown.ptr) {
    char name[256];
    jstr(unknown, name, sizeof name);
    return fail(c, PT_SCHEMA, KIND_INTERNAL, "unknown analyzer option key: %s", name);
  }
  return PT_OK;
}

pt_status pt_analyzer_new(const char *params, size_t len, pt_analyzer **out, pt_error *err) {
  if (!out || (!params && len)) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_analyzer_new: missing argument");
  *out = NULL;
  if (len > PT_ANALYZER_PARAMS_MAX)
    return pt_fail(err, PT_LIMIT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "analyzer params of %zu bytes exceed the limit of %zu bytes", len, PT_ANALYZER_PARAMS_MAX);
  pt_analyzer *a = pt_calloc(1, sizeof *a);
  if (!a) return pt_fail_nomem(err);
  ctx c = {{params ? params : "", len}, err, a};
  pt_status rc = PT_OK;
  if (len == 0) { /* no params: the standard analyzer */
    rc = add_filter(a, F_LOWERCASE, NULL) == PT_OK ? PT_OK : nomem(&c);
  } else {
    pt_json_checked chk;
    if (!pt_json_check(params, len, 0, &chk)) {
      char what[160];
      pt_json_describe(&chk, what, sizeof what);
      rc = fail(&c, PT_PARSE, KIND_JSON, "%s", what);
    } else {
      pt_str obj = {params, len};
      size_t at = 0;
      while (at < len && (unsigned char)params[at] <= 32) at++;
      obj.ptr += at;
      obj.len -= at;
      if (kind_of(obj) != J_OBJECT) {
        rc = fail(&c, PT_SCHEMA, KIND_INTERNAL, "params should be a json map");
      } else {
        jiter it;
        pt_str k, v;
        jiter_init(&it, obj);
        if (!jiter_next(&it, &k, &v)) rc = add_filter(a, F_LOWERCASE, NULL) == PT_OK ? PT_OK : nomem(&c); /* {} */
        else rc = build(&c, obj);
      }
    }
  }
  if (rc != PT_OK) {
    pt_analyzer_free(a);
    return rc;
  }
  *out = a;
  pt_error_clear(err);
  return PT_OK;
}

/* ============================================================================================
 * Running
 * ========================================================================================== */

void pt_tokens_release(pt_tokens *t) {
  if (!t) return;
  pt_free(t->v);
  pt_free(t->text);
  pt_free(t->scratch[0]);
  pt_free(t->scratch[1]);
  memset(t, 0, sizeof *t);
}

static bool scratch(pt_tokens *t, int i, size_t need) {
  return need <= t->scratch_cap[i] || PT_GROW(&t->scratch[i], &t->scratch_cap[i], need) == PT_OK;
}

/* Lowercases w[0..n) of scratch `*cur` into the other scratch buffer (or in place for ASCII);
 * false when the buffer cannot grow. */
static bool lowercase(pt_tokens *t, int *cur, size_t *n) {
  char *w = t->scratch[*cur];
  bool ascii = true;
  for (size_t i = 0; i < *n; i++)
    if ((unsigned char)w[i] >= 0x80) ascii = false;
  if (ascii) {
    for (size_t i = 0; i < *n; i++)
      if (w[i] >= 'A' && w[i] <= 'Z') w[i] = (char)(w[i] + 32);
    return true;
  }
  int o = 1 - *cur;
  if (!scratch(t, o, PT_STEM_ROOM(*n + *n / 2 + 4))) return false;
  w = t->scratch[*cur];
  char *d = t->scratch[o];
  size_t m = 0;
  for (size_t i = 0; i < *n;) {
    size_t k;
    uint32_t cp = pt_utf8_decode(w + i, *n - i, &k), lo[2];
    size_t nl = pt_uni_lower(cp, lo);
    for (size_t j = 0; j < nl; j++) m += pt_utf8_encode(lo[j], d + m);
    i += k;
  }
  *n = m;
  *cur = o;
  return true;
}

/* Whether the token passes filter f (which may change it). */
static int apply(const filter *f, pt_tokens *t, int *cur, size_t *n) {
  const char *w = t->scratch[*cur];
  switch (f->kind) {
  case F_LOWERCASE: return lowercase(t, cur, n) ? 1 : -1;
  case F_ALNUMONLY:
    for (size_t i = 0; i < *n; i++) {
      char ch = w[i];
      if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) return 0;
    }
    return 1;
  case F_CNCHARONLY:
  case F_CNALNUMONLY:
    for (size_t i = 0; i < *n;) {
      size_t k;
      uint32_t cp = pt_utf8_decode(w + i, *n - i, &k);
      if (pt_uni_is_han(cp)) return 1;
      if (f->kind == F_CNALNUMONLY && cp < 0x80 &&
          ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')))
        return 1;
      i += k;
    }
    return 0;
  case F_LENGTH: return (uint64_t)*n < f->limit;
  case F_STOP: return !stop_has(&f->stop, w, *n);
  case F_STEMMER: *n = pt_stem_english(t->scratch[*cur], *n); return 1;
  }
  return 1;
}

/* Runs the filters over text[start, end) and appends the token if it passes; false on OOM. */
static bool emit(const pt_analyzer *a, pt_tokens *t, const char *text, size_t start, size_t end, uint32_t position) {
  size_t n = end - start;
  int cur = 0;
  if (!scratch(t, 0, PT_STEM_ROOM(n + n / 2 + 4))) return false;
  memcpy(t->scratch[0], text + start, n);
  for (size_t i = 0; i < a->nf; i++) {
    if (a->f[i].kind == F_STEMMER && !scratch(t, cur, PT_STEM_ROOM(n))) return false;
    int r = apply(&a->f[i], t, &cur, &n);
    if (r < 0) return false;
    if (r == 0) return true; /* removed */
  }
  if (t->n + 1 > t->cap && PT_GROW(&t->v, &t->cap, t->n + 1) != PT_OK) return false;
  if (t->text_len + n + 1 > t->text_cap && PT_GROW(&t->text, &t->text_cap, t->text_len + n + 1) != PT_OK) return false;
  memcpy(t->text + t->text_len, t->scratch[cur], n);
  pt_atoken *k = &t->v[t->n++];
  k->start = (uint32_t)start;
  k->end = (uint32_t)end;
  k->position = position;
  k->text = (uint32_t)t->text_len;
  k->len = (uint32_t)n;
  t->text_len += n;
  return true;
}

static inline bool ascii_alnum(unsigned char b) {
  return (unsigned)((b | 0x20) - 'a') < 26 || (unsigned)(b - '0') < 10;
}

static bool is_ascii_ws(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r'; }

pt_status pt_analyzer_run(const pt_analyzer *a, const char *text, size_t len, pt_tokens *out, pt_error *err) {
  if (!a || !out || (!text && len)) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_analyzer_run: missing argument");
  out->n = 0;
  out->text_len = 0;
  if (len > PT_ANALYZER_TEXT_MAX)
    return pt_fail(err, PT_LIMIT, PT_CODE_TOO_LARGE, PT_EXC_MILVUS,
                   "text of %zu bytes exceeds the analyzer's limit of %zu bytes", len, PT_ANALYZER_TEXT_MAX);
  size_t bad = pt_utf8_check(text, len);
  if (bad < len)
    return pt_fail(err, PT_PARSE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "string data must be utf8 format: the text holds bytes that are not UTF-8 at byte %zu" PT_INVALID_PARAMETER,
                   bad);
  uint32_t position = 0;
  size_t i = 0;
  bool ok = true;
  if (a->tok == TOK_WHITESPACE) {
    /* UTF-8 sequences hold no ASCII bytes: white space can be found byte by byte */
    while (ok && i < len) {
      while (i < len && is_ascii_ws(text[i])) i++;
      if (i == len) break;
      size_t start = i;
      while (i < len && !is_ascii_ws(text[i])) i++;
      ok = emit(a, out, text, start, i, position++);
    }
  } else {
    /* ASCII bytes are classified on the spot; the rest through unicode.h */
    while (ok && i < len) {
      size_t k = 1;
      unsigned char b = (unsigned char)text[i];
      if (b < 0x80 ? !ascii_alnum(b) : !pt_uni_is_alnum(pt_utf8_decode(text + i, len - i, &k))) {
        i += k;
        continue;
      }
      size_t start = i;
      i += k;
      while (i < len) {
        b = (unsigned char)text[i];
        if (b < 0x80) {
          if (!ascii_alnum(b)) break;
          i++;
          continue;
        }
        if (!pt_uni_is_alnum(pt_utf8_decode(text + i, len - i, &k))) break;
        i += k;
      }
      ok = emit(a, out, text, start, i, position++);
    }
  }
  if (!ok) {
    out->n = 0;
    out->text_len = 0;
    return pt_fail_nomem(err);
  }
  pt_error_clear(err);
  return PT_OK;
}
