/*
 * fuzz_snapshot.c — libFuzzer target: snapshot loading (pt_collection_load). The input is
 * loaded, as a new collection, into a store that already holds the fuzz collection. A refused
 * load must leave the store as it was (one collection, unchanged) with its error filled in; an
 * accepted one must give a collection that reads, and saves to bytes that load back into the
 * same contents.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20)) return 0;
  pt_store *st;
  pt_collection *c = fuzz_collection(&st);
  char *before = test_snapshot(c);
  pt_error e;
  pt_collection *loaded = NULL;
  pt_status rc = pt_collection_load(st, data, size, "g", 1, &loaded, &e);
  fuzz_error_filled(rc, &e, "load");
  if (rc != PT_OK) {
    if (pt_store_num_collections(st) != 1 || pt_collection_find(st, "g", 1) != NULL) {
      fprintf(stderr, "fuzz: a refused load (%s) left a collection behind\n", e.message);
      abort();
    }
  } else {
    char *got = test_snapshot(loaded);
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (pt_collection_save(loaded, &bytes, &len, &e) != PT_OK) {
      fprintf(stderr, "fuzz: a loaded collection does not save: %s\n", e.message);
      abort();
    }
    pt_collection *again = NULL;
    if (pt_collection_load(st, bytes, len, "h", 1, &again, &e) != PT_OK) {
      fprintf(stderr, "fuzz: a saved collection does not load: %s\n", e.message);
      abort();
    }
    char *back = test_snapshot(again);
    if (strcmp(got, back) != 0) {
      fprintf(stderr, "fuzz: save and load changed the collection\nloaded:\n%s\nreloaded:\n%s\n", got, back);
      abort();
    }
    free(back);
    free(got);
    pt_free(bytes);
  }
  fuzz_unchanged(c, before, "load");
  free(before);
  pt_store_close(st);
  return 0;
}
