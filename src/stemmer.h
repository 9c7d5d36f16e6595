/*
 * stemmer.h — the English stemmer of Milvus's `stemmer` filter and `english` analyzer
 * (stemmer.c): the Snowball English ("Porter2") algorithm as published at
 * snowballstem.org/algorithms/english/stemmer.html, in the revision tantivy's Stemmer filter runs
 * (rust-stemmers 1.2: the R1 exceptions gener, commun and arsen; no later additions).
 */
#ifndef PT_STEMMER_H
#define PT_STEMMER_H

#include <stddef.h>

/* Room a word of `len` bytes needs in its buffer while it is stemmed. */
#define PT_STEM_ROOM(len) ((len) + 2)

/* Stems the UTF-8 word w[0..len) in place (the buffer has PT_STEM_ROOM(len) bytes) and returns
 * its new length. Only ASCII letters take part in the rules (other characters are consonants to
 * them), as in Snowball; the word is expected lowercased, as the english analyzer has it. Linear
 * in len; never fails. */
size_t pt_stem_english(char *w, size_t len);

#endif /* PT_STEMMER_H */
