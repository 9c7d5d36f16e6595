/*
 * fuzz_json_batch.c — libFuzzer target: JSON batches. The input's first byte picks insert or
 * upsert (and the duplicates-last-wins flag); the rest is the batch text, written with
 * pt_collection_write_json into the fuzz collection. A refused batch must leave the store as
 * it was, with an error message; an accepted one must be readable back (query and JSON).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  pt_store *st;
  pt_collection *c = fuzz_collection(&st);
  char *before = test_snapshot(c);
  pt_op op = (data[0] & 1) ? PT_OP_UPSERT : PT_OP_INSERT;
  pt_write_flags flags = (data[0] & 2) ? PT_WRITE_DUPLICATES_LAST_WINS : 0;
  pt_mutation_result r;
  pt_error e;
  pt_status rc = pt_collection_write_json(c, (data[0] & 4) ? "_default" : NULL, (data[0] & 4) ? 8 : 0, op,
                                          (const char *)data + 1, size - 1, flags, &r, &e);
  fuzz_error_filled(rc, &e, "JSON write");
  if (rc != PT_OK) fuzz_unchanged(c, before, "JSON batch");
  else free(test_snapshot(c)); /* everything written reads back */
  pt_mutation_result_clear(&r);
  free(before);
  pt_store_close(st);
  return 0;
}
