/*
 * fuzz_common.h — what the libFuzzer targets share (tests/fuzz/fuzz_*.c, built with
 * -DPT_FUZZ=ON by clang with -fsanitize=fuzzer,address,undefined): a collection of every
 * kind of field (a VarChar with match enabled among them) holding a few rows, and the check that a refused call left it as it was.
 * A failed check aborts, which libFuzzer reports as a crash with the input that caused it.
 */
#ifndef PT_FUZZ_COMMON_H
#define PT_FUZZ_COMMON_H

#include "harness.h"

#include <stdlib.h>

#define FUZZ_SCHEMA                                                                                                  \
  "{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"                                \
  "{'name':'v','dtype':101,'dim':4},{'name':'s','dtype':21,'max_length':8,'nullable':true},"                          \
  "{'name':'j','dtype':23,'nullable':true},{'name':'f','dtype':10,'nullable':true},"                                  \
  "{'name':'d','dtype':11,'default_value':1.5},{'name':'i8','dtype':2,'nullable':true},"                               \
  "{'name':'b','dtype':1,'nullable':true},{'name':'ai','dtype':22,'element_type':5,'max_capacity':4,'nullable':true},"  \
  "{'name':'h','dtype':102,'dim':4},{'name':'bv','dtype':100,'dim':8},"                                                \
  "{'name':'m','dtype':21,'max_length':64,'nullable':true,'enable_analyzer':true,'enable_match':true,"                 \
  "'analyzer_params':{'type':'english'}}]}"

#define FUZZ_ROWS                                                                                                    \
  "[{'id':1,'v':[1,2,3,4],'s':'ab','j':{'a':[1,2]},'f':0.5,'i8':-3,'b':true,'ai':[1,2],'h':[0,1,0,1],'bv':[255],'k':1,"  \
  "'m':'Quick brown foxes ran to the river'},"                                                                           \
  "{'id':2,'v':[0,0,1,0],'s':null,'j':null,'h':[1,1,1,1],'bv':[1],'extra':{'x':'y'}},"                                               \
  "{'id':3,'v':[4,3,2,1],'s':'\\u65e5','ai':[],'h':[0,0,0,0],'bv':[0],'k':'z','m':'fox, fox: the brown \\u65e5\\u672c fox'}]"

/* A store with the fuzz collection and its rows. */
static inline pt_collection *fuzz_collection(pt_store **store) {
  *store = test_store();
  pt_collection *c = test_collection(*store, "f", J(FUZZ_SCHEMA));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J(FUZZ_ROWS));
  pt_mutation_result_clear(&r);
  return c;
}

/* Aborts when `c` no longer matches `before` (a test_snapshot) after a refused call. */
static inline void fuzz_unchanged(pt_collection *c, const char *before, const char *what) {
  char *now = test_snapshot(c);
  if (strcmp(now, before) != 0) {
    fprintf(stderr, "fuzz: a refused %s changed the store\nbefore:\n%s\nafter:\n%s\n", what, before, now);
    abort();
  }
  free(now);
}

/* Aborts unless a failed call filled its error in. */
static inline void fuzz_error_filled(pt_status rc, const pt_error *e, const char *what) {
  if (rc != PT_OK && (e->status != rc || e->message[0] == '\0')) {
    fprintf(stderr, "fuzz: %s failed with %d and no error message\n", what, (int)rc);
    abort();
  }
}

#endif
