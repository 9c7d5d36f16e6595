/* test_smoke.c — the seed example end to end through the C API. */
#include "harness.h"

TEST(seed_example) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "test_partition_insert",
      "{\"fields\":[{\"name\":\"film_id\",\"dtype\":5,\"is_primary\":true},"
      "{\"name\":\"films\",\"dtype\":101,\"dim\":2}]}");
  pt_error err;
  CHECK_OK(pt_partition_create(c, "comedy", 6, &err), &err);
  pt_mutation_result r = test_write(c, "comedy", PT_OP_UPSERT,
      "[[0,1,2,3,4,5,6,7,8,9],[[0,1],[0,1],[0,1],[0,1],[0,1],[0,1],[0,1],[0,1],[0,1],[0,1]]]");
  CHECK_EQ_INT(r.upsert_count, 10);
  CHECK_EQ_INT(r.insert_count, 10);
  CHECK_EQ_INT(r.delete_count, 10);
  CHECK_EQ_INT(r.n_keys, 10);
  for (int i = 0; i < 10; i++) CHECK_EQ_INT(r.int_keys[i], i);
  CHECK(r.timestamp == 1700000000000ull << 18);
  pt_mutation_result_clear(&r);
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 10);
  CHECK_EQ_INT(pt_collection_num_entities(c, "comedy", 6), 10);
  pt_store_close(st);
}

TEST_MAIN(T(seed_example))
