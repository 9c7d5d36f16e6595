/*
 * fuzz_snapshot.c — libFuzzer target: snapshot loading (pt_collection_load). The input is
 * loaded, as a new collection, into a store that already holds the fuzz collection.
 *
 * Two modes, chosen by the first byte:
 *   - 0x89, the first byte of the snapshot magic: the input is loaded as it is. Nearly every
 *     change is stopped by the checksums, so this fuzzes the frame (header, lengths, CRCs).
 *   - any other byte stands for 0x89, and the input's checksums are rewritten first
 *     (pt_snapshot_reseal, chained or not as the version field says), as a hostile writer would:
 *     this fuzzes the decoder behind the checksums (schema, names, columns, stored values).
 * A refused load must leave the store as it was (one collection, unchanged) with its error
 * filled in. An accepted one must give a collection that reads, and saves to bytes that load
 * back into the same contents and save again to the same bytes.
 */
#include "fuzz_common.h"

#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *save_or_die(pt_collection *c, size_t *len) {
  uint8_t *bytes = NULL;
  pt_error e;
  if (pt_collection_save(c, &bytes, len, &e) != PT_OK) {
    fprintf(stderr, "fuzz: a loaded collection does not save: %s\n", e.message);
    abort();
  }
  return bytes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20) || size == 0) return 0;
  uint8_t *input = malloc(size);
  memcpy(input, data, size);
  if (input[0] != 0x89) {
    input[0] = 0x89;
    pt_snapshot_reseal(input, size);
  }
  pt_store *st;
  pt_collection *c = fuzz_collection(&st);
  char *before = test_snapshot(c);
  pt_error e;
  pt_collection *loaded = NULL;
  pt_status rc = pt_collection_load(st, input, size, "g", 1, &loaded, &e);
  fuzz_error_filled(rc, &e, "load");
  if (rc != PT_OK) {
    if (pt_store_num_collections(st) != 1 || pt_collection_find(st, "g", 1) != NULL) {
      fprintf(stderr, "fuzz: a refused load (%s) left a collection behind\n", e.message);
      abort();
    }
  } else {
    /* read back: what loaded saves, loads equal and saves to the same bytes */
    char *got = test_snapshot(loaded);
    size_t len = 0, len2 = 0;
    uint8_t *bytes = save_or_die(loaded, &len);
    pt_collection_drop(st, "g", 1);
    pt_collection *again = NULL;
    if (pt_collection_load(st, bytes, len, "g", 1, &again, &e) != PT_OK) {
      fprintf(stderr, "fuzz: a saved collection does not load: %s\n", e.message);
      abort();
    }
    char *back = test_snapshot(again);
    if (strcmp(got, back) != 0) {
      fprintf(stderr, "fuzz: save and load changed the collection\nloaded:\n%s\nreloaded:\n%s\n", got, back);
      abort();
    }
    uint8_t *bytes2 = save_or_die(again, &len2);
    if (len2 != len || memcmp(bytes, bytes2, len) != 0) {
      fprintf(stderr, "fuzz: saving what was loaded from a save gave other bytes (%zu, then %zu)\n", len, len2);
      abort();
    }
    pt_collection_drop(st, "g", 1);
    free(back);
    free(got);
    pt_free(bytes);
    pt_free(bytes2);
  }
  fuzz_unchanged(c, before, "load");
  free(before);
  free(input);
  pt_store_close(st);
  return 0;
}
