/*
 * test_merge.c — upserts in merge mode (PT_WRITE_MERGE, Milvus 2.6.2+ partial_update) and the
 * upsert's field operations (ARRAY_APPEND / ARRAY_REMOVE, Milvus's FieldPartialUpdateOp).
 *
 * Covers:
 *   - a stored key keeps every field the row leaves out (vectors, nullable, defaulted, ARRAY,
 *     the dynamic part); a null given replaces; the dynamic keys given are merged key by key;
 *     delete_count counts the keys that were stored; a new key must carry every required field
 *     (Milvus's message), in a batch that mixes stored and new keys too; row-form rows must carry
 *     the same fields (pymilvus's message); merge is scoped to the target partition; in
 *     partition-key mode the row follows its merged partition key.
 *   - field operations: APPEND keeps order and duplicates, REMOVE drops every match and keeps
 *     the order of the rest (INT64, VARCHAR, FLOAT with -0.0 == 0.0); a null base; a null
 *     payload changes nothing; a new key stores the payload; an operation makes the upsert a
 *     merge; max_capacity on the payload and on the result; every validation message of
 *     Milvus's proxy, in its order.
 *   - every failure leaves the store exactly as it was, an allocation failing at any point of a
 *     merge with field operations and dynamic keys included; insert refuses merge and
 *     operations.
 */
#include "harness.h"

#include <stdlib.h>

#define MIL PT_EXC_MILVUS
#define INV PT_CODE_PARAMETER_INVALID

#define SCHEMA                                                                                       \
  "{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"               \
  "{'name':'v','dtype':101,'dim':2},{'name':'tag','dtype':21,'max_length':8,'nullable':true},"      \
  "{'name':'n','dtype':4,'default_value':7},"                                                       \
  "{'name':'arr','dtype':22,'element_type':5,'max_capacity':4,'nullable':true},"                    \
  "{'name':'sarr','dtype':22,'element_type':21,'max_length':8,'max_capacity':3,'nullable':true},"   \
  "{'name':'farr','dtype':22,'element_type':10,'max_capacity':8,'nullable':true}]}"

static pt_status upsert_ops(pt_collection *c, const char *partition, const char *json, pt_write_flags flags,
                            const pt_field_op *ops, size_t n_ops, pt_mutation_result *res, pt_error *err) {
  return pt_collection_write_json_ops(c, partition, partition ? strlen(partition) : 0, PT_OP_UPSERT, json,
                                      strlen(json), flags, ops, n_ops, res, err);
}

/* A merge-mode upsert that must succeed; returns its delete_count. */
static uint64_t merge(pt_collection *c, const char *partition, const char *json, const pt_field_op *ops,
                      size_t n_ops) {
  pt_mutation_result res;
  pt_error err;
  pt_status rc = upsert_ops(c, partition, json, PT_WRITE_MERGE, ops, n_ops, &res, &err);
  if (rc != PT_OK) {
    fprintf(stderr, "  FAIL merge %s -> %s: %s\n", json, pt_status_str(rc), err.message);
    pt_test_failures++;
    return UINT64_MAX;
  }
  uint64_t d = res.delete_count;
  pt_mutation_result_clear(&res);
  return d;
}

/* A write that must fail as described and leave the store as it was. */
static void fails(int line, pt_collection *c, const char *partition, pt_op op, const char *json,
                  pt_write_flags flags, const pt_field_op *ops, size_t n_ops, pt_status st, int32_t code,
                  int32_t exc, const char *needle) {
  char *before = test_snapshot(c);
  pt_mutation_result res;
  pt_error err;
  pt_status rc = pt_collection_write_json_ops(c, partition, partition ? strlen(partition) : 0, op, json,
                                              strlen(json), flags, ops, n_ops, &res, &err);
  test_expect_err(__FILE__, line, rc, &err, st, code, exc, needle);
  if (res.n_keys || res.insert_count) {
    fprintf(stderr, "  FAIL %s:%d: a failed write left a result\n", __FILE__, line);
    pt_test_failures++;
  }
  test_unchanged(__FILE__, line, before, c);
  pt_mutation_result_clear(&res);
}
#define FAILS(c, part, json, flags, ops, n, st, code, needle) \
  fails(__LINE__, c, part, PT_OP_UPSERT, json, flags, ops, n, st, code, MIL, needle)
#define FAILS_EXC(c, part, json, flags, ops, n, st, code, exc, needle) \
  fails(__LINE__, c, part, PT_OP_UPSERT, json, flags, ops, n, st, code, exc, needle)

/* Row `id` as REST JSON (every field), or "" when it is not stored; in a static buffer. */
static const char *row(pt_collection *c, int id) {
  static char out[2048];
  char req[96];
  snprintf(req, sizeof req, "{\"expr\":\"id == %d\",\"output_fields\":[\"*\"]}", id);
  pt_rows *rows = test_query(c, req);
  out[0] = '\0';
  if (!rows) return out;
  char *json = NULL;
  pt_error e;
  if (pt_rows_count(rows) && pt_rows_to_json(rows, 0, &json, NULL, &e) == PT_OK) snprintf(out, sizeof out, "%s", json);
  pt_free(json);
  pt_rows_free(rows);
  return out;
}

static uint64_t count_of(pt_collection *c, const char *partition) {
  return pt_collection_num_entities(c, partition, partition ? strlen(partition) : 0);
}

static pt_field_op op(const char *name, int kind) {
  pt_field_op o = {name, name ? strlen(name) : 0, kind};
  return o;
}

#define FULL1 "{'id':1,'v':[1,2],'tag':'a','n':1,'arr':[1,2],'sarr':['x','y'],'farr':[0.5],'k1':1,'k2':'s'}"

/* ============================================================================================
 * Out of memory (first: the test allocator goes in before anything is allocated)
 * ========================================================================================== */

TEST(out_of_memory_anywhere_changes_nothing) {
  test_alloc_install();
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "m", J(SCHEMA));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[" FULL1 ",{'id':2,'v':[0,0],'arr':[1,2,3],'k9':0}]"));
  pt_mutation_result_clear(&r);
  pt_field_op ops[2] = {op("arr", PT_FIELD_OP_ARRAY_APPEND), op("sarr", PT_FIELD_OP_ARRAY_REMOVE)};
  const char *json = J("[{'id':1,'v':[1,2],'arr':[7],'sarr':['x'],'k1':5,'k7':'n'},{'id':2,'v':[0,0],'arr':[8],'sarr':['q'],'k9':1},"
                       "{'id':3,'v':[3,3],'arr':[9],'sarr':['z'],'k0':null}]");
  bool done = false;
  for (long n = 1; n < 5000 && !done; n++) {
    char *before = test_snapshot(c);
    pt_mutation_result res;
    pt_error e;
    test_alloc_fail_at(n);
    pt_status rc = upsert_ops(c, NULL, json, PT_WRITE_MERGE, ops, 2, &res, &e);
    long used = test_alloc_count();
    test_alloc_fail_at(0);
    if (rc == PT_OK) {
      done = true;
      CHECK(used < n);
      CHECK_EQ_INT(res.delete_count, 2);
    } else {
      if (rc != PT_NOMEM) {
        fprintf(stderr, "  FAIL allocation %ld: %s: %s\n", n, pt_status_str(rc), e.message);
        pt_test_failures++;
        free(before);
        break;
      }
      test_unchanged(__FILE__, __LINE__, before, c);
      before = NULL;
    }
    pt_mutation_result_clear(&res);
    free(before);
  }
  CHECK(done);
  CHECK_STR(row(c, 1), J("[{'id':1,'v':[1,2],'tag':'a','n':1,'arr':[1,2,7],'sarr':['y'],'farr':[0.5],'k1':5,'k2':'s','k7':'n'}]"));
  CHECK_STR(row(c, 2), J("[{'id':2,'v':[0,0],'tag':null,'n':7,'arr':[1,2,3,8],'sarr':[],'farr':null,'k9':1}]"));
  CHECK_STR(row(c, 3), J("[{'id':3,'v':[3,3],'tag':null,'n':7,'arr':[9],'sarr':['z'],'farr':null,'k0':null}]"));
  pt_store_close(st);
  CHECK_EQ_INT(test_alloc_live(), 0);
}

/* ============================================================================================
 * Merge mode
 * ========================================================================================== */

TEST(merge_keeps_what_the_row_leaves_out) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "m", J(SCHEMA));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[" FULL1 ",{'id':2,'v':[3,4]}]"));
  pt_mutation_result_clear(&r);
  const char *before2 = "";
  char keep2[2048];
  snprintf(keep2, sizeof keep2, "%s", row(c, 2));
  before2 = keep2;

  /* one field given: the others keep their values, the vector and the dynamic keys included */
  CHECK_EQ_INT(merge(c, NULL, J("{'id':1,'tag':'b'}"), NULL, 0), 1);
  CHECK_STR(row(c, 1), J("[{'id':1,'v':[1,2],'tag':'b','n':1,'arr':[1,2],'sarr':['x','y'],'farr':[0.5],'k1':1,'k2':'s'}]"));
  CHECK_STR(row(c, 2), before2);
  CHECK_EQ_INT(count_of(c, NULL), 2);
  /* a null given replaces (Milvus: omit the field to keep it) */
  merge(c, NULL, J("{'id':1,'tag':null,'arr':null}"), NULL, 0);
  CHECK_STR(row(c, 1), J("[{'id':1,'v':[1,2],'tag':null,'n':1,'arr':null,'sarr':['x','y'],'farr':[0.5],'k1':1,'k2':'s'}]"));
  /* the vector replaced, the defaulted field kept */
  merge(c, NULL, J("{'id':1,'v':[9,9]}"), NULL, 0);
  CHECK_STR(row(c, 1), J("[{'id':1,'v':[9,9],'tag':null,'n':1,'arr':null,'sarr':['x','y'],'farr':[0.5],'k1':1,'k2':'s'}]"));
  /* dynamic keys: given ones replace where they stand, new ones follow, the others stay */
  merge(c, NULL, J("{'id':1,'k2':'t','k3':[1]}"), NULL, 0);
  CHECK_STR(row(c, 1), J("[{'id':1,'v':[9,9],'tag':null,'n':1,'arr':null,'sarr':['x','y'],'farr':[0.5],'k1':1,'k2':'t','k3':[1]}]"));
  /* a new key with every required field: nullable and defaulted ones take null / the default;
   * stored and new keys in one batch, one delete counted */
  CHECK_EQ_INT(merge(c, NULL, J("[{'id':3,'v':[5,6]},{'id':2,'v':[7,8]}]"), NULL, 0), 1);
  CHECK_STR(row(c, 3), J("[{'id':3,'v':[5,6],'tag':null,'n':7,'arr':null,'sarr':null,'farr':null}]"));
  CHECK_STR(row(c, 2), J("[{'id':2,'v':[7,8],'tag':null,'n':7,'arr':null,'sarr':null,'farr':null}]"));
  CHECK_EQ_INT(count_of(c, NULL), 3);

  /* a new key without a required field: Milvus's message, nothing changes; also when the
   * batch's other rows are stored keys */
  FAILS(c, NULL, J("{'id':9,'tag':'x'}"), PT_WRITE_MERGE, NULL, 0, PT_SCHEMA, INV,
        "fieldSchema(v) has no corresponding fieldData pass in: invalid parameter");
  FAILS(c, NULL, J("[{'id':1,'tag':'x'},{'id':9,'tag':'y'}]"), PT_WRITE_MERGE, NULL, 0, PT_SCHEMA, INV,
        "fieldSchema(v) has no corresponding fieldData pass in");
  /* row form: every row carries the same fields (pymilvus) */
  FAILS_EXC(c, NULL, J("[{'id':1,'tag':'x'},{'id':2,'n':5}]"), PT_WRITE_MERGE, NULL, 0, PT_SCHEMA, PT_CODE_CLIENT,
            PT_EXC_DATA_NOT_MATCH, "The data fields length is inconsistent. previous length is 2, current length is 1");
  /* a bad value in a merge row is refused as in any upsert */
  FAILS_EXC(c, NULL, J("[{'id':1,'tag':'x'},{'id':2,'tag':'much too long'}]"), PT_WRITE_MERGE, NULL, 0, PT_LIMIT,
            PT_CODE_CLIENT, PT_EXC_PARAM, "invalid input of field (tag), length of string exceeds max length. length: 13");
  /* merge with the last-wins flag, and merge on insert: misuse */
  pt_mutation_result res;
  pt_error e;
  CHECK_EQ_INT(upsert_ops(c, NULL, J("{'id':1}"), PT_WRITE_MERGE | PT_WRITE_DUPLICATES_LAST_WINS, NULL, 0, &res, &e),
               PT_MISUSE);
  fails(__LINE__, c, NULL, PT_OP_INSERT, J("{'id':5,'v':[1,1]}"), PT_WRITE_MERGE, NULL, 0, PT_MISUSE, PT_CODE_UNEXPECTED,
        MIL, "for upserts only");
  /* a key given twice is refused as in any upsert */
  FAILS(c, NULL, J("[{'id':1,'tag':'x'},{'id':1,'tag':'y'}]"), PT_WRITE_MERGE, NULL, 0, PT_CONSTRAINT, INV, "duplicate");
  pt_store_close(st);
}

TEST(merge_is_scoped_to_the_target_partition) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "m", J(SCHEMA));
  pt_error e;
  CHECK_OK(pt_partition_create(c, "p1", 2, &e), &e);
  pt_mutation_result r = test_write(c, "p1", PT_OP_INSERT, J(FULL1));
  pt_mutation_result_clear(&r);
  /* the key is stored in p1 only: in _default it is a new key */
  FAILS(c, NULL, J("{'id':1,'tag':'x'}"), PT_WRITE_MERGE, NULL, 0, PT_SCHEMA, INV, "fieldSchema(v) has no corresponding");
  CHECK_EQ_INT(merge(c, "p1", J("{'id':1,'tag':'x'}"), NULL, 0), 1);
  CHECK_STR(row(c, 1), J("[{'id':1,'v':[1,2],'tag':'x','n':1,'arr':[1,2],'sarr':['x','y'],'farr':[0.5],'k1':1,'k2':'s'}]"));
  CHECK_EQ_INT(merge(c, NULL, J("{'id':1,'v':[0,0]}"), NULL, 0), 0);
  CHECK_EQ_INT(count_of(c, "p1"), 1);
  CHECK_EQ_INT(count_of(c, "_default"), 1);
  pt_store_close(st);
}

TEST(merge_in_partition_key_mode) {
  pt_store *st = test_store();
  pt_schema *s = test_schema(J("{'fields':[{'name':'id','dtype':5,'is_primary':true},"
                               "{'name':'k','dtype':21,'max_length':8,'is_partition_key':true},"
                               "{'name':'x','dtype':5,'nullable':true},{'name':'v','dtype':101,'dim':2}]}"));
  pt_collection_options o = {8, 0};
  pt_collection *c = NULL;
  pt_error e;
  CHECK_OK(pt_collection_create(st, "pk", 2, s, &o, &c, &e), &e);
  pt_schema_free(s);
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[{'id':1,'k':'a','x':1,'v':[1,1]},{'id':2,'k':'b','x':2,'v':[2,2]}]"));
  pt_mutation_result_clear(&r);
  /* the partition key left out: the row keeps it (and its partition) */
  CHECK_EQ_INT(merge(c, NULL, J("{'id':1,'x':10}"), NULL, 0), 1);
  CHECK_STR(row(c, 1), J("[{'id':1,'k':'a','x':10,'v':[1,1]}]"));
  /* a new partition key: the merged row moves, once */
  for (int i = 0; i < 20; i++) {
    char json[80];
    snprintf(json, sizeof json, "{\"id\":1,\"k\":\"z%d\"}", i);
    merge(c, NULL, json, NULL, 0);
  }
  CHECK_STR(row(c, 1), J("[{'id':1,'k':'z19','x':10,'v':[1,1]}]"));
  CHECK_EQ_INT(count_of(c, NULL), 2);
  pt_store_close(st);
}

/* ============================================================================================
 * Field operations
 * ========================================================================================== */

TEST(array_append_and_remove) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "m", J(SCHEMA));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT,
                                    J("[" FULL1 ",{'id':2,'v':[0,0],'arr':[1,2,1,3],'sarr':null,'farr':[-0.0,1.5,0.0,2]}]"));
  pt_mutation_result_clear(&r);
  pt_field_op app = op("arr", PT_FIELD_OP_ARRAY_APPEND), rem = op("arr", PT_FIELD_OP_ARRAY_REMOVE);
  /* APPEND: stored elements first, duplicates kept; an operation alone makes the upsert a merge */
  pt_mutation_result res;
  pt_error e;
  CHECK_OK(upsert_ops(c, NULL, J("{'id':1,'arr':[2,2]}"), 0, &app, 1, &res, &e), &e);
  CHECK_EQ_INT(res.delete_count, 1);
  pt_mutation_result_clear(&res);
  CHECK_STR(row(c, 1), J("[{'id':1,'v':[1,2],'tag':'a','n':1,'arr':[1,2,2,2],'sarr':['x','y'],'farr':[0.5],'k1':1,'k2':'s'}]"));
  /* REMOVE: every match goes, the rest keep their order; other fields given are replaced */
  merge(c, NULL, J("[{'id':1,'arr':[2],'tag':'t'},{'id':2,'arr':[1,9],'tag':'u'}]"), &rem, 1);
  CHECK_STR(row(c, 1), J("[{'id':1,'v':[1,2],'tag':'t','n':1,'arr':[1],'sarr':['x','y'],'farr':[0.5],'k1':1,'k2':'s'}]"));
  CHECK_STR(row(c, 2), J("[{'id':2,'v':[0,0],'tag':'u','n':7,'arr':[2,3],'sarr':null,'farr':[-0,1.5,0,2]}]"));
  /* floats compare as numbers: 0.0 removes -0.0 too */
  pt_field_op frem = op("farr", PT_FIELD_OP_ARRAY_REMOVE);
  merge(c, NULL, J("{'id':2,'farr':[0.0,7]}"), &frem, 1);
  CHECK_STR(row(c, 2), J("[{'id':2,'v':[0,0],'tag':'u','n':7,'arr':[2,3],'sarr':null,'farr':[1.5,2]}]"));
  /* VARCHAR elements; a null base is empty for APPEND and REMOVE alike, and becomes a value */
  pt_field_op sapp = op("sarr", PT_FIELD_OP_ARRAY_APPEND), srem = op("sarr", PT_FIELD_OP_ARRAY_REMOVE);
  merge(c, NULL, J("[{'id':1,'sarr':['x','z']}]"), &srem, 1);
  CHECK_STR(row(c, 1), J("[{'id':1,'v':[1,2],'tag':'t','n':1,'arr':[1],'sarr':['y'],'farr':[0.5],'k1':1,'k2':'s'}]"));
  merge(c, NULL, J("[{'id':2,'sarr':['q']}]"), &srem, 1);
  CHECK_STR(row(c, 2), J("[{'id':2,'v':[0,0],'tag':'u','n':7,'arr':[2,3],'sarr':[],'farr':[1.5,2]}]"));
  merge(c, NULL, J("[{'id':1,'sarr':['y','w']},{'id':2,'sarr':['p']}]"), &sapp, 1);
  CHECK_STR(row(c, 1), J("[{'id':1,'v':[1,2],'tag':'t','n':1,'arr':[1],'sarr':['y','y','w'],'farr':[0.5],'k1':1,'k2':'s'}]"));
  CHECK_STR(row(c, 2), J("[{'id':2,'v':[0,0],'tag':'u','n':7,'arr':[2,3],'sarr':['p'],'farr':[1.5,2]}]"));
  /* a null payload changes nothing; a new key stores the payload as given */
  merge(c, NULL, J("{'id':1,'sarr':null}"), &sapp, 1);
  merge(c, NULL, J("{'id':4,'v':[4,4],'sarr':['n']}"), &sapp, 1);
  CHECK_STR(row(c, 1), J("[{'id':1,'v':[1,2],'tag':'t','n':1,'arr':[1],'sarr':['y','y','w'],'farr':[0.5],'k1':1,'k2':'s'}]"));
  CHECK_STR(row(c, 4), J("[{'id':4,'v':[4,4],'tag':null,'n':7,'arr':null,'sarr':['n'],'farr':null}]"));
  /* REPLACE is the plain merge; two operations in one upsert */
  pt_field_op two[2] = {op("arr", PT_FIELD_OP_ARRAY_APPEND), op("tag", PT_FIELD_OP_REPLACE)};
  merge(c, NULL, J("{'id':1,'arr':[8],'tag':'r'}"), two, 2);
  CHECK_STR(row(c, 1), J("[{'id':1,'v':[1,2],'tag':'r','n':1,'arr':[1,8],'sarr':['y','y','w'],'farr':[0.5],'k1':1,'k2':'s'}]"));
  pt_store_close(st);
}

TEST(field_operation_errors_change_nothing) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "m", J(SCHEMA));
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, J("[" FULL1 ",{'id':2,'v':[0,0],'arr':[1,2,3]}]"));
  pt_mutation_result_clear(&r);
  pt_field_op app = op("arr", PT_FIELD_OP_ARRAY_APPEND), rem = op("arr", PT_FIELD_OP_ARRAY_REMOVE);
  /* the result of an APPEND beyond max_capacity (4): the merge's message */
  FAILS(c, NULL, J("[{'id':1,'arr':[3]},{'id':2,'arr':[4,5]}]"), 0, &app, 1, PT_LIMIT, PT_CODE_UNEXPECTED,
        "array length 5 exceeds max_capacity 4");
  /* the payload alone beyond it: the proxy's message, before any merge */
  FAILS(c, NULL, J("{'id':1,'arr':[1,2,3,4,5]}"), 0, &app, 1, PT_LIMIT, INV,
        "ARRAY_APPEND payload for field \"arr\" row 0 has length 5 exceeding max_capacity 4: invalid parameter");
  /* a REMOVE payload may be longer than the capacity for a stored key, not for a new one */
  CHECK_EQ_INT(merge(c, NULL, J("{'id':2,'arr':[9,9,9,9,9,9]}"), &rem, 1), 1);
  FAILS(c, NULL, J("{'id':7,'v':[1,1],'arr':[9,9,9,9,9,9]}"), 0, &rem, 1, PT_LIMIT, INV,
        "the length (6) of 0th array exceeds max capacity (4)");
  /* the proxy's checks, in its order */
  pt_field_op bad[2];
  bad[0] = op(NULL, PT_FIELD_OP_ARRAY_APPEND);
  FAILS(c, NULL, J("{'id':1,'arr':[1]}"), 0, bad, 1, PT_SCHEMA, INV, "FieldPartialUpdateOp.field_name is required: invalid parameter");
  bad[0] = op("arr", PT_FIELD_OP_REPLACE);
  bad[1] = op("arr", PT_FIELD_OP_ARRAY_APPEND);
  FAILS(c, NULL, J("{'id':1,'arr':[1]}"), 0, bad, 2, PT_SCHEMA, INV, "duplicate partial-update op for field \"arr\"");
  bad[0] = op("id", PT_FIELD_OP_ARRAY_APPEND);
  FAILS(c, NULL, J("{'id':1,'arr':[1]}"), 0, bad, 1, PT_SCHEMA, INV,
        "field \"id\" is the primary key and cannot carry a partial-update op");
  bad[0] = op("nope", PT_FIELD_OP_ARRAY_REMOVE);
  FAILS(c, NULL, J("{'id':1,'arr':[1]}"), 0, bad, 1, PT_SCHEMA, INV, "field \"nope\" not found in collection schema");
  bad[0] = op("arr", 7);
  FAILS(c, NULL, J("{'id':1,'arr':[1]}"), 0, bad, 1, PT_SCHEMA, INV, "unsupported partial update op: 7");
  bad[0] = op("tag", PT_FIELD_OP_ARRAY_APPEND);
  FAILS(c, NULL, J("{'id':1,'tag':'x'}"), 0, bad, 1, PT_SCHEMA, INV,
        "op ARRAY_APPEND requires Array field, but field \"tag\" is VarChar");
  bad[0] = op("sarr", PT_FIELD_OP_ARRAY_REMOVE);
  FAILS(c, NULL, J("{'id':1,'arr':[1]}"), 0, bad, 1, PT_SCHEMA, INV,
        "partial-update op targets field \"sarr\" not present in fields_data");
  /* a name that is not UTF-8 is quoted as Go's %q does */
  bad[0] = op("a\"\xff", PT_FIELD_OP_ARRAY_REMOVE);
  FAILS(c, NULL, J("{'id':1,'arr':[1]}"), 0, bad, 1, PT_SCHEMA, INV, "field \"a\\\"\\xff\" not found");
  /* operations on insert: misuse */
  fails(__LINE__, c, NULL, PT_OP_INSERT, J("{'id':5,'v':[1,1],'arr':[1]}"), 0, &app, 1, PT_MISUSE, PT_CODE_UNEXPECTED,
        MIL, "for upserts only");
  pt_store_close(st);
}

TEST(merged_dynamic_part_within_the_json_limit) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "m", J(SCHEMA));
  /* a stored dynamic part of about 40,000 bytes, and a merge that would add 30,000 more: each
   * is within PT_MAX_JSON_LENGTH (65,536), the merged one is not */
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "{\"id\":1,\"v\":[1,1],\"big\":\"");
  for (int i = 0; i < 40000; i++) test_buf_put(&b, "a", 1);
  test_buf_printf(&b, "\"}");
  pt_mutation_result r = test_write(c, NULL, PT_OP_INSERT, b.p);
  pt_mutation_result_clear(&r);
  b.len = 0;
  test_buf_printf(&b, "{\"id\":1,\"more\":\"");
  for (int i = 0; i < 30000; i++) test_buf_put(&b, "b", 1);
  test_buf_printf(&b, "\"}");
  FAILS(c, NULL, b.p, PT_WRITE_MERGE, NULL, 0, PT_LIMIT, INV,
        "the length (70020) of json field ($meta) exceeds max length (65536): invalid parameter");
  /* replacing the big key instead fits */
  b.len = 0;
  test_buf_printf(&b, "{\"id\":1,\"big\":\"");
  for (int i = 0; i < 30000; i++) test_buf_put(&b, "b", 1);
  test_buf_printf(&b, "\"}");
  CHECK_EQ_INT(merge(c, NULL, b.p, NULL, 0), 1);
  const char *want = J("[{'id':1,'v':[1,1],'tag':null,'n':7,'arr':null,'sarr':null,'farr':null,'big':'bbbb");
  CHECK(strncmp(row(c, 1), want, strlen(want)) == 0); /* row() keeps the first 2,047 bytes */
  test_buf_free(&b);
  pt_store_close(st);
}

TEST_MAIN(T(out_of_memory_anywhere_changes_nothing), T(merge_keeps_what_the_row_leaves_out), T(merge_is_scoped_to_the_target_partition),
          T(merge_in_partition_key_mode), T(array_append_and_remove), T(field_operation_errors_change_nothing),
          T(merged_dynamic_part_within_the_json_limit))
