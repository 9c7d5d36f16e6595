/*
 * stemmer.c — the Snowball English stemmer ("Porter2"), written from the algorithm's published
 * description (snowballstem.org/algorithms/english/stemmer.html) in the revision that Milvus's
 * tantivy runs through rust-stemmers 1.2.
 *
 * HOW IT WORKS
 * The word is a byte buffer. Vowels are a e i o u y; every other character, multi-byte UTF-8
 * ones included, is a consonant, so the vowel tests look at single bytes, while the rules that
 * count characters (the three-character minimum, "preceded by more than one letter", "not the
 * first letter") step over whole UTF-8 sequences. After the exceptional words and the minimum
 * length, the prelude drops an initial apostrophe and marks consonant y as Y; R1 and R2 are
 * byte offsets (R1 after the first non-vowel that follows a vowel, or after gener / commun /
 * arsen; R2 the same again from R1). Steps 1a to 5 each find the longest of their suffixes at the
 * end of the word and then apply its condition: a suffix whose condition fails does nothing (a
 * shorter one is not tried), as a Snowball `among` does. Deletions happen only at the end, so
 * R1 and R2 never move. The postlude turns Y back into y. Each step looks at a bounded number of
 * bytes except the region marking and the vowel searches, which are single passes.
 */
#include "stemmer.h"

#include <stdbool.h>
#include <string.h>

static bool is_v(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }
static bool is_cont(char c) { return ((unsigned char)c & 0xC0) == 0x80; }

/* The start of the character that ends at `at` (at > 0). */
static size_t char_before(const char *w, size_t at) {
  do at--;
  while (at > 0 && is_cont(w[at]));
  return at;
}

/* The end of the character that starts at `at`. */
static size_t char_after(const char *w, size_t len, size_t at) {
  do at++;
  while (at < len && is_cont(w[at]));
  return at;
}

static size_t count_chars(const char *w, size_t len, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < len && n < max; i++)
    if (!is_cont(w[i])) n++;
  return n;
}

static bool ends(const char *w, size_t len, const char *s, size_t sl) { return len >= sl && memcmp(w + len - sl, s, sl) == 0; }

/* The longest of `list` (NULL-terminated) that ends the word: its index, or -1. */
static int longest(const char *w, size_t len, const char *const *list) {
  int best = -1;
  size_t best_len = 0;
  for (int i = 0; list[i]; i++) {
    size_t sl = strlen(list[i]);
    if (sl > best_len && ends(w, len, list[i], sl)) {
      best = i;
      best_len = sl;
    }
  }
  return best;
}

/* A vowel somewhere in w[0..at). */
static bool vowel_before(const char *w, size_t at) {
  while (at > 0)
    if (is_v(w[--at])) return true;
  return false;
}

/* Whether the word ends, at `at`, in a short syllable: a non-vowel other than w, x and Y after a
 * vowel after a non-vowel; or a non-vowel after a vowel that begins the word. */
static bool short_syllable(const char *w, size_t at) {
  if (at == 0) return false;
  size_t c1 = char_before(w, at); /* the last character */
  if (is_v(w[c1]) || c1 == 0) return false;
  if (!is_v(w[c1 - 1])) return false; /* a vowel is one byte */
  size_t v = c1 - 1;
  if (v == 0) return true; /* (b): the vowel begins the word */
  char last = w[c1];
  if (last == 'w' || last == 'x' || last == 'Y') return false;
  return !is_v(w[char_before(w, v)]);
}

typedef struct stem {
  char *w;
  size_t len, p1, p2;
} stem;

static void replace(stem *s, size_t suffix_len, const char *with) {
  size_t wl = strlen(with);
  s->len -= suffix_len;
  memcpy(s->w + s->len, with, wl);
  s->len += wl;
}

/* ---- the exceptional forms ---- */

static const char *const EXC1[] = {"skis", "skies", "dying", "lying", "tying", "idly", "gently", "ugly", "early",
                                   "only", "singly", "sky", "news", "howe", "atlas", "cosmos", "bias", "andes", NULL};
static const char *const EXC1_TO[] = {"ski", "sky", "die", "lie", "tie", "idl", "gentl", "ugli", "earli",
                                      "onli", "singl", NULL, NULL, NULL, NULL, NULL, NULL, NULL};
static const char *const EXC2[] = {"inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed", NULL};

static int exact(const char *w, size_t len, const char *const *list) {
  for (int i = 0; list[i]; i++)
    if (strlen(list[i]) == len && memcmp(w, list[i], len) == 0) return i;
  return -1;
}

/* ---- regions ---- */

static void mark_regions(stem *s) {
  const char *w = s->w;
  size_t n = s->len, i = 0;
  s->p1 = s->p2 = n;
  static const char *const PRE[] = {"gener", "commun", "arsen", NULL};
  bool pre = false;
  for (int k = 0; PRE[k]; k++) {
    size_t pl = strlen(PRE[k]);
    if (n >= pl && memcmp(w, PRE[k], pl) == 0) {
      i = pl;
      pre = true;
      break;
    }
  }
  if (!pre) {
    while (i < n && !is_v(w[i])) i++;
    if (i == n) return;
    while (i < n && is_v(w[i])) i++;
    if (i == n) return;
    i = char_after(w, n, i);
  }
  s->p1 = i;
  while (i < n && !is_v(w[i])) i++;
  if (i == n) return;
  while (i < n && is_v(w[i])) i++;
  if (i == n) return;
  s->p2 = char_after(w, n, i);
}

/* ---- the steps ---- */

static void step_1a(stem *s) {
  static const char *const APOS[] = {"'", "'s", "'s'", NULL};
  int a = longest(s->w, s->len, APOS);
  if (a >= 0) s->len -= strlen(APOS[a]);
  static const char *const L[] = {"sses", "ied", "ies", "ss", "us", "s", NULL};
  int k = longest(s->w, s->len, L);
  if (k < 0) return;
  size_t at = s->len - strlen(L[k]);
  switch (k) {
  case 0: replace(s, 4, "ss"); break;
  case 1:
  case 2: replace(s, 3, count_chars(s->w, at, 2) >= 2 ? "i" : "ie"); break;
  case 5:
    /* delete if a vowel stands before the character just before the s */
    if (at > 0 && vowel_before(s->w, char_before(s->w, at))) s->len -= 1;
    break;
  default: break; /* ss, us */
  }
}

static void step_1b(stem *s) {
  static const char *const L[] = {"ed", "eed", "ing", "edly", "eedly", "ingly", NULL};
  int k = longest(s->w, s->len, L);
  if (k < 0) return;
  size_t sl = strlen(L[k]), at = s->len - sl;
  if (k == 1 || k == 4) {
    if (at >= s->p1) replace(s, sl, "ee");
    return;
  }
  if (!vowel_before(s->w, at)) return;
  s->len = at;
  static const char *const E[] = {"at", "bl", "iz", "bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt", NULL};
  int e = longest(s->w, s->len, E);
  if (e >= 0 && e < 3) {
    s->w[s->len++] = 'e';
  } else if (e >= 3) {
    s->len -= 1;
  } else if (s->len == s->p1 && short_syllable(s->w, s->len)) {
    s->w[s->len++] = 'e';
  }
}

static void step_1c(stem *s) {
  if (s->len < 2) return;
  char last = s->w[s->len - 1];
  if (last != 'y' && last != 'Y') return;
  size_t c = char_before(s->w, s->len - 1);
  if (is_v(s->w[c]) || c == 0) return;
  s->w[s->len - 1] = 'i';
}

static void step_2(stem *s) {
  static const char *const L[] = {"tional", "enci",  "anci",  "abli",   "entli", "izer",   "ization", "ational",
                                  "ation",  "ator",  "alism", "aliti",  "alli",  "fulness", "ousli",  "ousness",
                                  "iveness", "iviti", "biliti", "bli",   "ogi",  "fulli",   "lessli", "li", NULL};
  static const char *const TO[] = {"tion", "ence", "ance", "able", "ent", "ize", "ize", "ate",
                                   "ate",  "ate",  "al",   "al",   "al",  "ful", "ous", "ous",
                                   "ive",  "ive",  "ble",  "ble",  "og",  "ful", "less", ""};
  int k = longest(s->w, s->len, L);
  if (k < 0) return;
  size_t sl = strlen(L[k]), at = s->len - sl;
  if (at < s->p1) return;
  if (k == 20 && !(at > 0 && s->w[at - 1] == 'l')) return; /* ogi: after l */
  if (k == 23 && !(at > 0 && strchr("cdeghkmnrt", s->w[at - 1]) && s->w[at - 1])) return; /* li: valid li-ending */
  replace(s, sl, TO[k]);
}

static void step_3(stem *s) {
  static const char *const L[] = {"tional", "ational", "alize", "icate", "iciti", "ative", "ical", "ful", "ness", NULL};
  static const char *const TO[] = {"tion", "ate", "al", "ic", "ic", "", "ic", "", ""};
  int k = longest(s->w, s->len, L);
  if (k < 0) return;
  size_t sl = strlen(L[k]), at = s->len - sl;
  if (at < s->p1) return;
  if (k == 5 && at < s->p2) return; /* ative: in R2 */
  replace(s, sl, TO[k]);
}

static void step_4(stem *s) {
  static const char *const L[] = {"al",  "ance", "ence", "er",  "ic",  "able", "ible", "ant",  "ement",
                                  "ment", "ent", "ism",  "ate", "iti", "ous",  "ive",  "ize", "ion", NULL};
  int k = longest(s->w, s->len, L);
  if (k < 0) return;
  size_t sl = strlen(L[k]), at = s->len - sl;
  if (at < s->p2) return;
  if (k == 17 && !(at > 0 && (s->w[at - 1] == 's' || s->w[at - 1] == 't'))) return;
  s->len = at;
}

static void step_5(stem *s) {
  if (s->len == 0) return;
  size_t at = s->len - 1;
  if (s->w[at] == 'e') {
    if (at >= s->p2 || (at >= s->p1 && !short_syllable(s->w, at))) s->len = at;
  } else if (s->w[at] == 'l') {
    if (at >= s->p2 && at > 0 && s->w[at - 1] == 'l') s->len = at;
  }
}

size_t pt_stem_english(char *w, size_t len) {
  int e = exact(w, len, EXC1);
  if (e >= 0) {
    if (!EXC1_TO[e]) return len;
    size_t n = strlen(EXC1_TO[e]);
    memcpy(w, EXC1_TO[e], n);
    return n;
  }
  if (count_chars(w, len, 3) < 3) return len;
  stem s = {w, len, 0, 0};
  /* prelude */
  if (s.len && w[0] == '\'') memmove(w, w + 1, --s.len);
  bool y_found = false;
  for (size_t i = 0; i < s.len; i++) {
    if (w[i] == 'y' && (i == 0 || is_v(w[i - 1]))) {
      w[i] = 'Y';
      y_found = true;
    }
  }
  mark_regions(&s);
  step_1a(&s);
  if (exact(w, s.len, EXC2) < 0) {
    step_1b(&s);
    step_1c(&s);
    step_2(&s);
    step_3(&s);
    step_4(&s);
    step_5(&s);
  }
  if (y_found)
    for (size_t i = 0; i < s.len; i++)
      if (w[i] == 'Y') w[i] = 'y';
  return s.len;
}
