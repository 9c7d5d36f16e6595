/*
 * test_analyzer.c — Milvus's analyzers (src/analyzer.c, stemmer.c, unicode.c): outputs for a table
 * of inputs, the documented examples of Milvus's analyzer pages, every parameter error, the
 * English stemmer against pairs of Snowball's English test vocabulary, invalid UTF-8 and oversized
 * input refused, very long tokens, and allocation failure swept over building and running.
 *
 * Expected outputs are written as "token@start-end#position" lists (or plain "token|token"), as
 * Milvus's run_analyzer gives them with with_detail=True.
 */
#include "harness.h"

#include <stdlib.h>

#include "analyzer.h"
#include "stemmer.h"
#include "text.h"
#include "unicode.h"

/* The tokens of `text` under `params` ("" = no params), joined by '|'; with `detail`, each as
 * token@start-end#position. On an error: "ERR <message>". The result is a static buffer. */
static const char *run(const char *params, const char *text, bool detail) {
  static char out[8192];
  pt_analyzer *a = NULL;
  pt_error e;
  pt_status rc = pt_analyzer_new(params, strlen(params), &a, &e);
  if (rc != PT_OK) {
    snprintf(out, sizeof out, "ERR %s", e.message);
    return out;
  }
  pt_tokens t = {0};
  rc = pt_analyzer_run(a, text, strlen(text), &t, &e);
  if (rc != PT_OK) {
    snprintf(out, sizeof out, "ERR %s", e.message);
  } else {
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < t.n && at < sizeof out - 64; i++) {
      const pt_atoken *k = &t.v[i];
      at += (size_t)snprintf(out + at, sizeof out - at, "%s%.*s", i ? "|" : "", (int)k->len, pt_token_text(&t, i));
      if (detail) at += (size_t)snprintf(out + at, sizeof out - at, "@%u-%u#%u", k->start, k->end, k->position);
    }
  }
  pt_tokens_release(&t);
  pt_analyzer_free(a);
  return out;
}

#define RUN(params, text, want) CHECK_STR(run(J(params), text, false), want)
#define RUND(params, text, want) CHECK_STR(run(J(params), text, true), want)

/* ---- Milvus's documented examples ----
 * The standard and english outputs are quoted from Milvus's pages (standard-analyzer.md,
 * english-analyzer.md, "Expected output"); the others apply each filter page's configuration to a
 * text of ours, with the output the filter's definition gives. */

TEST(documented_examples) {
  /* standard-analyzer.md: stop_words ["for"] */
  RUN("{'type':'standard','stop_words':['for']}", "The Milvus vector database is built for scale!",
      "the|milvus|vector|database|is|built|scale");
  /* english-analyzer.md: stop_words ["a","an","the"] on top of the English list */
  RUN("{'type':'english','stop_words':['a','an','the']}", "Milvus is a vector database built for scale!",
      "milvus|vector|databas|built|scale");
  /* the custom analyzer the english page calls equivalent (stop_words as a list) */
  RUN("{'tokenizer':'standard','filter':['lowercase',{'type':'stemmer','language':'english'},"
      "{'type':'stop','stop_words':['_english_']}]}",
      "Milvus is a vector database built for scale!", "milvus|vector|databas|built|scale");
  /* stop-filter.md */
  RUN("{'tokenizer':'standard','filter':[{'type':'stop','stop_words':['of','to','_english_']}]}",
      "The stop words filter is used to remove a list of common words", "The|stop|words|filter|used|remove|list|common|words");
  /* length-filter.md: max 10 */
  RUN("{'tokenizer':'standard','filter':[{'type':'length','max':10}]}",
      "The length filter allows control over token length requirements for text processing.",
      "The|length|filter|allows|control|over|token|length|for|text|processing");
  /* lowercase-filter.md */
  RUN("{'tokenizer':'standard','filter':['lowercase']}", "The Lowercase Filter Ensures Uniformity In Text Processing.",
      "the|lowercase|filter|ensures|uniformity|in|text|processing");
  /* whitespace-tokenizer.md */
  RUN("{'tokenizer':'whitespace','filter':['lowercase']}", "The Milvus vector database is built for scale",
      "the|milvus|vector|database|is|built|for|scale");
  /* stemmer-filter.md */
  RUN("{'tokenizer':'standard','filter':['lowercase',{'type':'stemmer','language':'english'}]}",
      "running runs looked ran runner", "run|run|look|ran|runner");
  /* alphanumonly / cnalphanumonly / cncharonly pages */
  RUN("{'tokenizer':'whitespace','filter':['alphanumonly']}", "Milvus 2.0 @ Scale! #AI #LLM",
      "Milvus");
  RUN("{'tokenizer':'whitespace','filter':['cnalphanumonly']}", "Milvus 是 LF AI&Data 下的一个开源项目 ！！ ...",
      "Milvus|是|LF|AI&Data|下的一个开源项目");
  RUN("{'tokenizer':'whitespace','filter':['cncharonly']}", "Milvus 是 LF AI&Data 下的一个开源项目 ！！ ...",
      "是|下的一个开源项目");
}

/* ---- defaults, positions, offsets ---- */

TEST(defaults_and_positions) {
  /* no params, {} and {"type":"standard"} are the same analyzer */
  CHECK_STR(run("", "Hello, World", false), "hello|world");
  RUN("{}", "Hello, World", "hello|world");
  RUN("{'type':'standard'}", "Hello, World", "hello|world");
  /* white space around the object is JSON */
  CHECK_STR(run(" \n{ } ", "A b", false), "a|b");
  /* positions count the tokenizer's tokens: removed ones leave gaps */
  RUND("{'type':'english'}", "The quick foxes are jumping", "quick@4-9#1|fox@10-15#2|jump@20-27#4");
  RUND("{'type':'standard'}", "  héllo—wörld  ", "héllo@2-8#0|wörld@11-17#1");
  /* a custom analyzer without filters keeps the case */
  RUN("{'tokenizer':'standard'}", "MiXeD Case", "MiXeD|Case");
  RUN("{'tokenizer':{'type':'standard'}}", "MiXeD Case", "MiXeD|Case");
  RUN("{'tokenizer':{'type':'whitespace','unused':1}}", "a-b c", "a-b|c");
  /* a built-in type ignores the other members but stop_words, as Milvus does */
  RUN("{'type':'standard','tokenizer':'whitespace','filter':['bogus']}", "a-b C", "a|b|c");
  /* the last of a repeated member counts */
  RUN("{'type':'english','type':'standard'}", "Running dogs", "running|dogs");
  /* empty text, text without tokens */
  RUN("{}", "", "");
  RUN("{}", " ,.;!?-_ ", "");
  RUN("{'tokenizer':'whitespace'}", " \t\r\n\f ", "");
  /* stop words are exact, after the filters before them */
  RUN("{'type':'standard','stop_words':['The']}", "The the", "the|the");
  RUN("{'type':'standard','stop_words':['the']}", "The the", "");
  RUN("{'type':'standard','stop_words':[]}", "The the", "the|the");
  /* english: custom stop words are matched after stemming */
  RUN("{'type':'english','stop_words':['running','jump']}", "running jumping", "run");
}

/* ---- the standard tokenizer over Unicode and punctuation ---- */

TEST(unicode_and_punctuation) {
  /* tantivy SimpleTokenizer's own test texts (Milvus checks its default against it) */
  RUND("{'tokenizer':'standard'}", "The 2 QUICK Brown-Foxes dog's 32.3",
       "The@0-3#0|2@4-5#1|QUICK@6-11#2|Brown@12-17#3|Foxes@18-23#4|dog@24-27#5|s@28-29#6|32@30-32#7|3@33-34#8");
  RUN("{'tokenizer':'standard'}", "---abc123---DEF_456---", "abc123|DEF|456");
  RUN("{}", "éclair Straße Ελληνικά русский 日本語", "éclair|straße|ελληνικά|русский|日本語");
  /* a run of CJK characters is one token, as in Milvus's standard tokenizer */
  RUN("{}", "中文分词，日本語のテキスト", "中文分词|日本語のテキスト");
  /* combining marks outside Alphabetic separate (U+0301), those inside do not (U+0345) */
  RUN("{}", "cafe\xCC\x81s", "cafe|s");
  RUN("{}", "a\xCD\x85" "b", "a\xCD\x85" "b");
  /* numbers of every kind: Arabic-Indic digits (Nd), superscripts (No), Roman numerals (Nl) */
  RUN("{}", "x\xD9\xA3 \xC2\xB2 \xE2\x85\xAB", "x\xD9\xA3|\xC2\xB2|\xE2\x85\xBB");
  /* emoji, symbols, marks and spaces of every kind separate */
  RUN("{}", "a\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x94\xAC" "b\xE2\x80\x83" "c\xC2\xA0" "d", "a|b|c|d");
  /* 4-byte letters: Gothic, and CJK extension B */
  RUN("{}", "\xF0\x90\x8C\xB0\xF0\x90\x8C\xB1 \xF0\xA0\x80\x80", "\xF0\x90\x8C\xB0\xF0\x90\x8C\xB1|\xF0\xA0\x80\x80");
  /* lowercasing: no final-sigma rule (tantivy lowercases character by character), İ to i̇,
   * titlecase digraphs, Deseret (4 bytes), the Kelvin sign to a 1-byte k, Ⱥ to a 3-byte ⱥ */
  RUN("{}", "ΣΊΣΥΦΟΣ", "σίσυφοσ");
  RUN("{}", "İstanbul", "i\xCC\x87stanbul");
  RUN("{}", "ǅemal", "ǆemal");
  RUN("{}", "\xF0\x90\x90\x80", "\xF0\x90\x90\xA8");
  RUN("{}", "\xE2\x84\xAA" "elvin", "kelvin");
  RUN("{}", "\xC8\xBA", "\xE2\xB1\xA5");
  /* whitespace splits on ASCII white space only: not \v, not U+00A0, not U+3000 */
  RUND("{'tokenizer':'whitespace'}", "Hello,  World!\tfoo\xC2\xA0" "bar a\vb",
       "Hello,@0-6#0|World!@8-14#1|foo\xC2\xA0" "bar@15-23#2|a\vb@24-27#3");
}

/* ---- filters ---- */

TEST(filters) {
  /* length counts UTF-8 bytes: é is 2 */
  RUN("{'tokenizer':'standard','filter':[{'type':'length','max':3}]}", "abc abcd é éé", "abc|é");
  RUN("{'tokenizer':'standard','filter':[{'type':'length','max':0}]}", "a bb", "");
  /* Milvus's limit is max + 1 in a usize: the largest max wraps to 0 and removes every token */
  RUN("{'tokenizer':'standard','filter':[{'type':'length','max':18446744073709551615}]}", "a bb", "");
  RUN("{'tokenizer':'standard','filter':[{'type':'length','max':18446744073709551614}]}", "a bb", "a|bb");
  /* alphanumonly is ASCII only */
  RUN("{'tokenizer':'standard','filter':['alphanumonly']}", "abc café 123 日本", "abc|123");
  /* filters apply in order: stop before lowercase sees "The" */
  RUN("{'tokenizer':'standard','filter':[{'type':'stop','stop_words':['the']},'lowercase']}", "The the x", "the|x");
  RUN("{'tokenizer':'standard','filter':['lowercase',{'type':'stop','stop_words':['the']}]}", "The the x", "x");
  /* a stop filter without a list removes nothing (Milvus 2.6); escapes in words are read */
  RUN("{'tokenizer':'standard','filter':[{'type':'stop'}]}", "a b", "a|b");
  RUN("{'tokenizer':'standard','filter':[{'type':'stop','stop_words':['\\u00e9t\\u00e9']}]}", "été x", "x");
  /* the stemmer's language is case-insensitive */
  RUN("{'tokenizer':'standard','filter':[{'type':'stemmer','language':'EngLish'}]}", "connections", "connect");
  /* list elements that are neither strings nor objects are skipped, as Milvus skips them */
  RUN("{'tokenizer':'standard','filter':[1,null,true,[],'lowercase']}", "AB", "ab");
  /* many stop words */
  test_buf b = {0};
  test_buf_printf(&b, "{\"type\":\"standard\",\"stop_words\":[");
  for (int i = 0; i < 5000; i++) test_buf_printf(&b, "%s\"w%d\"", i ? "," : "", i);
  test_buf_printf(&b, "]}");
  CHECK_STR(run(b.p, "w1 w4999 w5000 W17", false), "w5000");
  test_buf_free(&b);
}

/* ---- parameter errors, with Milvus's messages ---- */

static void expect_error(const char *params, pt_status st, const char *needle) {
  pt_analyzer *a = NULL;
  pt_error e;
  pt_status rc = pt_analyzer_new(params, strlen(params), &a, &e);
  if (rc != st || !strstr(e.message, needle) || a != NULL || e.status != st) {
    fprintf(stderr, "  FAIL params %s: %s (%s), want %s with \"%s\"\n", params, pt_status_str(rc), e.message,
            pt_status_str(st), needle);
    pt_test_failures++;
  }
  pt_analyzer_free(a);
}
#define BAD(params, needle) expect_error(J(params), PT_SCHEMA, needle)

TEST(parameter_errors) {
  /* the whole message as Milvus's tantivy binding writes it */
  BAD("{'type':'nope'}", "create tokenizer failed with error: InternalError: unknown build-in analyzer type: nope param: {\"type\":\"nope\"}");
  expect_error("{'type':", PT_PARSE, "create tokenizer failed with error: JsonError: ");
  expect_error("{'a':1,}", PT_PARSE, "JsonError");
  expect_error("[1]", PT_SCHEMA, "InternalError: params should be a json map");
  expect_error("\"standard\"", PT_SCHEMA, "params should be a json map");
  expect_error("null", PT_SCHEMA, "params should be a json map");
  BAD("{'type':1}", "InternalError: analyzer type shoud be string");
  BAD("{'type':'standard','stop_words':'_english_'}", "InternalError: filter stop_words should be array");
  BAD("{'type':'english','stop_words':['a',1]}", "InternalError: filter stop_words list item should be string");
  BAD("{'filter':['lowercase']}", "InternalError: tokenizer name or type must be set");
  BAD("{'tokenizer':1}", "InternalError: tokenizer name should be string or dict");
  BAD("{'tokenizer':{'name':'standard'}}", "InvalidArgument: costum tokenizer must set type");
  BAD("{'tokenizer':{'type':['standard']}}", "InvalidArgument: tokenizer type should be string");
  BAD("{'tokenizer':'bogus'}", "InvalidArgument: unsupported tokenizer: bogus");
  BAD("{'tokenizer':'standard','filter':'lowercase'}", "InternalError: filter params should be array");
  BAD("{'tokenizer':'standard','filter':['uppercase']}", "InternalError: build analyzer failed, filter not found :uppercase");
  BAD("{'tokenizer':'standard','filter':[{'max':3}]}", "InternalError: no type field in filter params");
  BAD("{'tokenizer':'standard','filter':[{'type':3}]}", "InternalError: filter type should be string");
  BAD("{'tokenizer':'standard','filter':[{'type':'lowercase'}]}", "InternalError: unsupport filter type: lowercase");
  BAD("{'tokenizer':'standard','filter':[{'type':'length'}]}", "InternalError: lenth max param was none or not uint");
  BAD("{'tokenizer':'standard','filter':[{'type':'length','max':-1}]}", "lenth max param was none or not uint");
  BAD("{'tokenizer':'standard','filter':[{'type':'length','max':10.0}]}", "lenth max param was none or not uint");
  BAD("{'tokenizer':'standard','filter':[{'type':'length','max':1e1}]}", "lenth max param was none or not uint");
  BAD("{'tokenizer':'standard','filter':[{'type':'length','max':'10'}]}", "lenth max param was none or not uint");
  BAD("{'tokenizer':'standard','filter':[{'type':'length','max':18446744073709551616}]}", "lenth max param was none or not uint");
  BAD("{'tokenizer':'standard','filter':[{'type':'stop','stop_words':'a'}]}", "InternalError: stop_words should be array");
  BAD("{'tokenizer':'standard','filter':[{'type':'stop','stop_words':[{}]}]}", "InternalError: stop_words list item should be string");
  BAD("{'tokenizer':'standard','filter':[{'type':'stemmer'}]}", "InternalError: stemmer language field should be string");
  BAD("{'tokenizer':'standard','filter':[{'type':'stemmer','language':'klingon'}]}", "create stemmer failed : unsupport language: klingon");
  BAD("{'tokenizer':'standard','zzz':1}", "InternalError: unknown analyzer option key: zzz");
  /* several wrong members: the first in key order is reported */
  BAD("{'tokenizer':'standard','zzz':1,'filter':'x'}", "filter params should be array");
  BAD("{'tokenizer':'standard','aaa':1,'filter':'x'}", "unknown analyzer option key: aaa");
  BAD("{'tokenizer':'standard','filter':['lowercase'],'stop_words':['a']}", "unknown analyzer option key: stop_words");
  /* the standard tokenizer's newer options */
  BAD("{'tokenizer':{'type':'standard','uax29':'yes'}}", "standard tokenizer uax29 must be a boolean");
  BAD("{'tokenizer':{'type':'standard','max_token_length':5}}", "max_token_length requires uax29 to be true");
  RUN("{'tokenizer':{'type':'standard','uax29':false}}", "a b", "a|b");
  /* refused by name: what needs dictionaries, models, services or files partita does not have */
  BAD("{'type':'chinese'}", "build-in analyzer type chinese is not available in partita");
  BAD("{'tokenizer':'jieba'}", "unsupported tokenizer: jieba (not available in partita");
  BAD("{'tokenizer':{'type':'lindera','dict_kind':'ipadic'}}", "unsupported tokenizer: lindera (not available in partita");
  BAD("{'tokenizer':'icu'}", "unsupported tokenizer: icu (not available in partita");
  BAD("{'tokenizer':{'type':'language_identifier'}}", "language_identifier (not available in partita");
  BAD("{'tokenizer':{'type':'grpc'}}", "grpc (not available in partita: it calls a remote service)");
  BAD("{'tokenizer':{'type':'standard','uax29':true}}", "uax29 (Unicode word segmentation) is not available in partita");
  BAD("{'tokenizer':'standard','filter':['asciifolding']}", "filter asciifolding is not available in partita");
  BAD("{'tokenizer':'standard','filter':['removepunct']}", "filter removepunct is not available in partita");
  BAD("{'tokenizer':'standard','filter':[{'type':'decompounder','word_list':['a']}]}", "filter type decompounder is not available in partita");
  BAD("{'tokenizer':'standard','filter':[{'type':'regex','expr':'a'}]}", "filter type regex is not available in partita");
  BAD("{'tokenizer':'standard','filter':[{'type':'synonym'}]}", "filter type synonym is not available in partita");
  BAD("{'tokenizer':'standard','filter':[{'type':'stemmer','language':'French'}]}", "stemmer language french is not available in partita");
  BAD("{'tokenizer':'standard','filter':[{'type':'stop','stop_words':['_french_']}]}", "stop words list _french_ is not available in partita");
  BAD("{'tokenizer':'standard','filter':[{'type':'stop','stop_words_file':{'type':'local','path':'/x'}}]}", "stop_words_file is not available in partita");
  /* a NUL in a string and bytes that are not UTF-8 are JSON errors */
  expect_error("{\"type\":\"stan\\u0000dard\"}", PT_PARSE, "JsonError");
  expect_error("{\"type\":\"\xff\"}", PT_PARSE, "JsonError");
  /* the parameters' size limit; a missing buffer */
  pt_analyzer *a = NULL;
  pt_error e;
  CHECK_ERR(pt_analyzer_new("{}", PT_ANALYZER_PARAMS_MAX + 1, &a, &e), &e, PT_LIMIT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
            "exceed the limit");
  CHECK_EQ_INT(pt_analyzer_new(NULL, 3, &a, &e), PT_MISUSE);
  CHECK(a == NULL);
  /* a long wrong name is cut in the message, which stays UTF-8 */
  test_buf b = {0};
  test_buf_printf(&b, "{\"type\":\"");
  for (int i = 0; i < 2000; i++) test_buf_printf(&b, "é");
  test_buf_printf(&b, "\"}");
  CHECK_EQ_INT(pt_analyzer_new(b.p, b.len, &a, &e), PT_SCHEMA);
  CHECK_EQ_INT(pt_utf8_check(e.message, strlen(e.message)), strlen(e.message));
  CHECK_MSG(&e, "unknown build-in analyzer type: éé");
  test_buf_free(&b);
}

/* ---- hostile text ---- */

TEST(hostile_text) {
  pt_analyzer *a = NULL;
  pt_error e;
  CHECK_OK(pt_analyzer_new(J("{'type':'english'}"), strlen(J("{'type':'english'}")), &a, &e), &e);
  pt_tokens t = {0};
  /* not UTF-8: a stray continuation byte, an overlong form, a surrogate, a cut sequence */
  static const char *const bad[] = {"ab\x80", "\xC0\xAF", "\xED\xA0\x80", "abc\xE6\x97", "\xF4\x90\x80\x80"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK_ERR(pt_analyzer_run(a, bad[i], strlen(bad[i]), &t, &e), &e, PT_PARSE, PT_CODE_PARAMETER_INVALID,
              PT_EXC_MILVUS, "string data must be utf8 format");
    CHECK_EQ_INT(t.n, 0);
  }
  /* beyond the size limit: refused by its length alone, before a byte is read */
  static const char tiny[1] = {'a'};
  CHECK_ERR(pt_analyzer_run(a, tiny, PT_ANALYZER_TEXT_MAX + 1, &t, &e), &e, PT_LIMIT, PT_CODE_TOO_LARGE, PT_EXC_MILVUS,
            "exceeds the analyzer's limit");
  /* a NUL is a separator like any other non-alphanumeric character */
  CHECK_OK(pt_analyzer_run(a, "ab\0cd", 5, &t, &e), &e);
  CHECK_EQ_INT(t.n, 2);
  /* a 1 MB token stays one token (Milvus's standard tokenizer has no length limit), lowercased and
   * stemmed whole; a length filter removes it */
  size_t n = 1u << 20;
  char *big = malloc(n + 8);
  for (size_t i = 0; i < n; i++) big[i] = (char)('A' + i % 7);
  memcpy(big + n, "ING bb", 6);
  CHECK_OK(pt_analyzer_run(a, big, n + 6, &t, &e), &e);
  CHECK_EQ_INT(t.n, 2);
  CHECK_EQ_INT(t.v[0].start, 0);
  CHECK_EQ_INT(t.v[0].end, n + 3);
  CHECK(t.v[0].len <= n + 3 && t.v[0].len >= n - 3);
  CHECK(pt_token_text(&t, 0)[0] == 'a');
  pt_analyzer_free(a);
  const char *lp = J("{'tokenizer':'standard','filter':[{'type':'length','max':255}]}");
  CHECK_OK(pt_analyzer_new(lp, strlen(lp), &a, &e), &e);
  CHECK_OK(pt_analyzer_run(a, big, n + 6, &t, &e), &e);
  CHECK_EQ_INT(t.n, 1);
  CHECK_EQ_INT(t.v[0].position, 1);
  /* many one-byte tokens: one pt_atoken each */
  for (size_t i = 0; i < n; i++) big[i] = (i & 1) ? ' ' : 'x';
  CHECK_OK(pt_analyzer_run(a, big, n, &t, &e), &e);
  CHECK_EQ_INT(t.n, n / 2);
  CHECK_EQ_INT(t.v[t.n - 1].position, n / 2 - 1);
  CHECK_EQ_INT(t.text_len, n / 2);
  free(big);
  pt_tokens_release(&t);
  pt_tokens_release(&t);
  pt_tokens_release(NULL);
  pt_analyzer_free(a);
  pt_analyzer_free(NULL);
  /* a misused run */
  CHECK_EQ_INT(pt_analyzer_run(NULL, "a", 1, &t, &e), PT_MISUSE);
}

/* ---- the English stemmer ---- */

typedef struct pair {
  const char *word, *stem;
} pair;

/* Pairs from Snowball's English test vocabulary (snowballstem.org, voc.txt / output.txt; BSD
 * licence): every 110th word whose stem differs, and words that exercise each rule. */
static const pair STEMS[] = {
{"acceptable", "accept"}, {"acquiring", "acquir"}, {"adopted", "adopt"}, {"agglomeration", "agglomer"}, {"allowable", "allow"}, 
{"amusing", "amus"}, {"anthony", "anthoni"}, {"appointments", "appoint"}, {"arms", "arm"}, {"asserting", "assert"}, 
{"attics", "attic"}, {"aware", "awar"}, {"baptizing", "baptiz"}, {"beats", "beat"}, {"bending", "bend"}, 
{"bisection", "bisect"}, {"blowing", "blow"}, {"boroughmongering", "boroughmong"}, {"breathlessly", "breathless"}, {"buccaneering", "buccan"}, 
{"buying", "buy"}, {"cantered", "canter"}, {"cashmere", "cashmer"}, {"certificates", "certif"}, {"chatty", "chatti"}, 
{"christening", "christen"}, {"claws", "claw"}, {"cocked", "cock"}, {"comestibles", "comest"}, {"competency", "compet"}, 
{"conclude", "conclud"}, {"congenially", "congeni"}, {"constancy", "constanc"}, {"contrasted", "contrast"}, {"coralline", "corallin"}, 
{"county", "counti"}, {"credible", "credibl"}, {"crushing", "crush"}, {"cymindis", "cymindi"}, {"deathbed", "deathb"}, 
{"defalcation", "defalc"}, {"deluges", "delug"}, {"deprive", "depriv"}, {"destroying", "destroy"}, {"different", "differ"}, 
{"disbelieved", "disbeliev"}, {"disgusted", "disgust"}, {"dissatisfied", "dissatisfi"}, {"dizziness", "dizzi"}, {"draggled", "draggl"}, 
{"duchesses", "duchess"}, {"economy", "economi"}, {"electrical", "electr"}, {"eminently", "emin"}, {"energetically", "energet"}, 
{"entomostracous", "entomostrac"}, {"esplanades", "esplanad"}, {"exaggerates", "exagger"}, {"exhausted", "exhaust"}, {"exposes", "expos"}, 
{"facings", "face"}, {"fated", "fate"}, {"festive", "festiv"}, {"fissures", "fissur"}, {"flooring", "floor"}, 
{"force", "forc"}, {"fourthly", "fourth"}, {"frowsy", "frowsi"}, {"gamblers", "gambler"}, {"geraldine", "geraldin"}, 
{"glows", "glow"}, {"grapevine", "grapevin"}, {"grossness", "gross"}, {"habituated", "habitu"}, {"harse", "hars"}, 
{"heiresses", "heiress"}, {"histrionic", "histrion"}, {"hospitable", "hospit"}, {"hurts", "hurt"}, {"imaginary", "imaginari"}, 
{"implicated", "implic"}, {"inarticulately", "inarticul"}, {"indecency", "indec"}, {"inermis", "inermi"}, {"inhospitable", "inhospit"}, 
{"inspecting", "inspect"}, {"interminable", "intermin"}, {"inveigled", "inveigl"}, {"israelites", "israelit"}, {"jokes", "joke"}, 
{"kindled", "kindl"}, {"landings", "land"}, {"learners", "learner"}, {"licentious", "licenti"}, {"livers", "liver"}, 
{"louis", "loui"}, {"magistrate", "magistr"}, {"manoeuvre", "manoeuvr"}, {"material", "materi"}, {"memoirs", "memoir"}, 
{"millions", "million"}, {"missions", "mission"}, {"months", "month"}, {"muddying", "muddi"}, {"narrative", "narrat"}, 
{"nests", "nest"}, {"northwards", "northward"}, {"obligingness", "obliging"}, {"officiates", "offici"}, {"ordinances", "ordin"}, 
{"ovens", "oven"}, {"painting", "paint"}, {"parliamentary", "parliamentari"}, {"pattens", "patten"}, {"pensioner", "pension"}, 
{"perseverance", "persever"}, {"philosopher", "philosoph"}, {"piping", "pipe"}, {"pledges", "pledg"}, {"popped", "pop"}, 
{"prairies", "prairi"}, {"prepossession", "prepossess"}, {"privateer", "privat"}, {"promised", "promis"}, {"providence", "provid"}, 
{"purposes", "purpos"}, {"quitting", "quit"}, {"rarity", "rariti"}, {"recantation", "recant"}, {"recuvver", "recuvv"}, 
{"reigned", "reign"}, {"remitting", "remit"}, {"repressing", "repress"}, {"resounding", "resound"}, {"returning", "return"}, 
{"riggers", "rigger"}, {"rosinas", "rosina"}, {"sabre", "sabr"}, {"satisfy", "satisfi"}, {"scorches", "scorch"}, 
{"seconded", "second"}, {"september", "septemb"}, {"shattered", "shatter"}, {"shrubs", "shrub"}, {"singing", "sing"}, 
{"sleepers", "sleeper"}, {"snapped", "snap"}, {"solidness", "solid"}, {"specify", "specifi"}, {"spurred", "spur"}, 
{"statements", "statement"}, {"stitching", "stitch"}, {"strolling", "stroll"}, {"subterfuges", "subterfug"}, {"superabundant", "superabund"}, 
{"surweys", "surwey"}, {"tables", "tabl"}, {"teens", "teen"}, {"thanks", "thank"}, {"thuds", "thud"}, 
{"tolerate", "toler"}, {"trammels", "trammel"}, {"trepidation", "trepid"}, {"tumble", "tumbl"}, {"unappeased", "unappeas"}, 
{"undaunted", "undaunt"}, {"unfavourable", "unfavour"}, {"unlicensed", "unlicens"}, {"unrecognised", "unrecognis"}, {"unwashed", "unwash"}, 
{"vainly", "vain"}, {"verse", "vers"}, {"vittles", "vittl"}, {"wallflowers", "wallflow"}, {"weapons", "weapon"}, 
{"whirling", "whirl"}, {"wisitations", "wisit"}, {"wrens", "wren"},     /* exceptions, regions and the rules one by one */
    {"generously", "generous"}, {"generate", "generat"}, {"communism", "communism"}, {"skies", "sky"},
    {"dying", "die"}, {"news", "news"}, {"gas", "gas"}, {"gaps", "gap"}, {"ties", "tie"}, {"cries", "cri"},
    {"hoping", "hope"}, {"running", "run"}, {"consolingly", "consol"}, {"conspiracy", "conspiraci"},
    {"knackeries", "knackeri"}, {"yelling", "yell"}, {"sayings", "say"}, {"enjoying", "enjoy"}, {"sky", "sky"},
    {"early", "earli"}, {"only", "onli"}, {"idly", "idl"}, {"gently", "gentl"}, {"yearly", "year"},
    {"hopeful", "hope"}, {"happiness", "happi"}, {"electricity", "electr"}, {"conditional", "condit"},
    {"agreement", "agreement"}, {"adjustment", "adjust"}, {"adoption", "adopt"}, {"rolled", "roll"},
    {"emotional", "emot"}, {"ugly", "ugli"}, {"agreed", "agre"}, {"feed", "feed"}, {"bleed", "bleed"},
    {"succeeded", "succeed"}, {"proceeding", "proceed"}, {"exceedingly", "exceed"}, {"herrings", "herring"},
    /* Milvus's english-analyzer page */
    {"database", "databas"},
    /* short words are left as they are; other scripts are consonants to the rules */
    {"a", "a"}, {"is", "is"}, {"ied", "ie"}, {"été", "été"}, {"naïvely", "naïv"},
};

TEST(english_stemmer) {
  char buf[64];
  for (size_t i = 0; i < sizeof STEMS / sizeof STEMS[0]; i++) {
    size_t n = strlen(STEMS[i].word);
    memcpy(buf, STEMS[i].word, n);
    n = pt_stem_english(buf, n);
    buf[n] = '\0';
    if (strcmp(buf, STEMS[i].stem) != 0) {
      fprintf(stderr, "  FAIL stem(%s) = %s, want %s\n", STEMS[i].word, buf, STEMS[i].stem);
      pt_test_failures++;
    }
  }
  CHECK_EQ_INT(pt_stem_english(buf, 0), 0);
}

/* ---- Unicode look-ups ---- */

TEST(unicode_tables) {
  CHECK(pt_uni_is_alnum('a') && pt_uni_is_alnum('Z') && pt_uni_is_alnum('0') && !pt_uni_is_alnum('_'));
  CHECK(pt_uni_is_alnum(0xE9) && pt_uni_is_alnum(0x4E2D) && pt_uni_is_alnum(0x0663) && !pt_uni_is_alnum(0x0301));
  CHECK(!pt_uni_is_alnum(0x1F600) && !pt_uni_is_alnum(0x3000) && !pt_uni_is_alnum(0x10FFFF) && pt_uni_is_alnum(0x20000));
  CHECK(pt_uni_is_han(0x4E2D) && pt_uni_is_han(0x3005) && !pt_uni_is_han(0x3042) && !pt_uni_is_han('a'));
  uint32_t lo[2];
  CHECK(pt_uni_lower('A', lo) == 1 && lo[0] == 'a');
  CHECK(pt_uni_lower(0x100, lo) == 1 && lo[0] == 0x101);  /* stride-2 run */
  CHECK(pt_uni_lower(0x101, lo) == 1 && lo[0] == 0x101);
  CHECK(pt_uni_lower(0x130, lo) == 2 && lo[0] == 0x69 && lo[1] == 0x307);
  CHECK(pt_uni_lower(0x1E9E, lo) == 1 && lo[0] == 0xDF);
  CHECK(pt_uni_lower(0x3A3, lo) == 1 && lo[0] == 0x3C3);
  CHECK(pt_uni_lower(0x4E2D, lo) == 1 && lo[0] == 0x4E2D);
  char u[4];
  size_t k;
  static const uint32_t cps[] = {0, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF};
  for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
    size_t n = pt_utf8_encode(cps[i], u);
    CHECK(pt_utf8_decode(u, n, &k) == cps[i] && k == n);
  }
}

/* ---- allocation failure ---- */

static const char *const SWEEP_PARAMS[] = {
    "",
    "{'type':'english','stop_words':['x','_english_']}",
    "{'tokenizer':'standard','filter':['lowercase',{'type':'stop','stop_words':['the','_english_']},"
    "{'type':'length','max':8},{'type':'stemmer','language':'english'},'cnalphanumonly']}",
    "{'tokenizer':'whitespace','zzzz':1}",
};
static const char SWEEP_TEXT[] = "The QUICK brown foxes — ΣΊΣΥΦΟΣ İstanbul 日本語 jumped over the lazy dogs' kennels";

/* Builds and runs once with allocation n failing; the outcome as text (malloc'd). */
static char *sweep_once(const char *params, long n, bool *reached, bool *clean) {
  pt_analyzer *a = NULL;
  pt_tokens t = {0};
  pt_error e;
  long live = test_alloc_live();
  test_alloc_fail_at(n);
  pt_status rc = pt_analyzer_new(params, strlen(params), &a, &e);
  if (rc == PT_OK) rc = pt_analyzer_run(a, SWEEP_TEXT, sizeof SWEEP_TEXT - 1, &t, &e);
  *reached = n && test_alloc_count() >= n;
  test_alloc_fail_at(0);
  test_buf b = {0};
  if (rc == PT_OK) {
    for (size_t i = 0; i < t.n; i++)
      test_buf_printf(&b, "%.*s@%u-%u#%u ", (int)t.v[i].len, pt_token_text(&t, i), t.v[i].start, t.v[i].end,
                      t.v[i].position);
  } else {
    test_buf_printf(&b, "ERR %d %s", rc, e.message);
    *clean = (*reached && rc == PT_NOMEM && e.status == PT_NOMEM && t.n == 0) || (!*reached && rc != PT_NOMEM);
  }
  pt_tokens_release(&t);
  pt_analyzer_free(a);
  if (test_alloc_live() != live) *clean = false;
  if (!b.p) test_buf_printf(&b, "%s", "");
  return b.p;
}

TEST(allocation_failures) {
  CHECK_EQ_INT(pt_memory_used(), 0);
  test_alloc_install();
  for (size_t p = 0; p < sizeof SWEEP_PARAMS / sizeof SWEEP_PARAMS[0]; p++) {
    const char *params = p ? J(SWEEP_PARAMS[p]) : "";
    char params_copy[512];
    snprintf(params_copy, sizeof params_copy, "%s", params);
    bool reached, clean = true;
    char *want = sweep_once(params_copy, 0, &reached, &clean);
    for (long n = 1; n < 1000; n++) {
      clean = true;
      char *got = sweep_once(params_copy, n, &reached, &clean);
      if (!clean) {
        fprintf(stderr, "  FAIL params %zu, allocation %ld failing: not a clean failure (%s)\n", p, n, got);
        pt_test_failures++;
      }
      if (!reached) { /* the run that reached no failure gives what a run without failures gives */
        CHECK_STR(got, want);
        free(got);
        break;
      }
      free(got);
      if (pt_test_failures > 20) break;
    }
    free(want);
  }
  CHECK_EQ_INT(pt_memory_used(), 0);
  CHECK_EQ_INT(pt_set_allocator(NULL), PT_OK);
}

TEST_MAIN(T(documented_examples), T(defaults_and_positions), T(unicode_and_punctuation), T(filters), T(parameter_errors),
          T(hostile_text), T(english_stemmer), T(unicode_tables), T(allocation_failures))
