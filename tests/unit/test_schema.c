/*
 * test_schema.c — FieldSchema / CollectionSchema / CreateCollection rules, collections and
 * partitions.
 *
 * Covers:
 *   - pt_field_check_json: every pymilvus FieldSchema() error (object, name, dtype, description,
 *     bool params, auto_id placement and type, default None / unsupported defaults, element type,
 *     type params parsed as strconv.ParseInt does), and that success clears the error.
 *   - pt_schema_from_json: every CollectionSchema() error (JSON, shape, kwargs types, primary key
 *     count / type / primary_field, partition key count / type / partition_key_field), the
 *     schema-level auto_id, and that a failure leaves *out NULL.
 *   - pt_collection_create: every CreateCollection check the code implements, with Milvus's
 *     message, code and MilvusException (field / vector counts, no vector field with and without
 *     PT_STORE_ALLOW_NO_VECTOR and PT_CREATE_ORM, collection and field names, keywords,
 *     duplicates, primary key, dynamic, auto_id, STRING / NONE types, partition key, dims,
 *     max_length, arrays, nullable vectors, default values, num_partitions); cases pymilvus
 *     already refuses are built by editing the parsed schema (schema.h). A failed create leaves
 *     the store unchanged.
 *   - re-opening: an equal schema opens the same collection with its rows; a different one fails
 *     with the server's or (PT_CREATE_ORM) pymilvus's message; what counts as different.
 *   - collections: find, drop (idempotent), listing.
 *   - partitions: _default, create (idempotent, name rules, limit), drop (_default refused,
 *     missing is a no-op, rows go), listing order, partition-key mode (names, create/drop refused).
 *   - pt_schema_to_json: every key present, and a round trip that rebuilds an equal schema.
 *   - pt_dtype_name / pt_status_str.
 */
#include "harness.h"

#include <math.h>
#include <stdlib.h>

#include "schema.h"

#define PK "{'name':'id','dtype':5,'is_primary':true}"
#define VEC "{'name':'v','dtype':101,'dim':4}"

/* ---- helpers ---- */

static pt_status field_check(const char *sq, pt_error *err) {
  const char *j = J(sq);
  return pt_field_check_json(j, strlen(j), err);
}

#define FIELD_ERR(sq, st, code, exc, needle)                                               \
  do {                                                                                     \
    pt_error e_;                                                                           \
    EXPECT_ERR(field_check(sq, &e_), &e_, st, code, exc, needle);                          \
  } while (0)

#define FIELD_OK(sq)                                                                       \
  do {                                                                                     \
    pt_error e_;                                                                           \
    CHECK_OK(field_check(sq, &e_), &e_);                                                   \
  } while (0)

static pt_status schema_parse(const char *sq, pt_schema **out, pt_error *err) {
  const char *j = J(sq);
  return pt_schema_from_json(j, strlen(j), out, err);
}

#define SCHEMA_ERR(sq, st, code, exc, needle)                                              \
  do {                                                                                     \
    pt_error e_;                                                                           \
    pt_schema *s_ = (pt_schema *)1;                                                        \
    EXPECT_ERR(schema_parse(sq, &s_, &e_), &e_, st, code, exc, needle);                    \
    CHECK(s_ == NULL);                                                                     \
    pt_schema_free(s_ == (pt_schema *)1 ? NULL : s_);                                      \
  } while (0)

/* A schema from single-quoted JSON that must build. */
static pt_schema *schema_sq(const char *sq) { return test_schema(J(sq)); }

static pt_status create(pt_store *st, const char *name, const pt_schema *s, int64_t nparts,
                        uint32_t flags, pt_collection **out, pt_error *err) {
  pt_collection_options o = {nparts, flags};
  return pt_collection_create(st, name, strlen(name), s, &o, out, err);
}

/* Creating a collection from `s` fails as expected and leaves the store as it was. */
static void create_fails(int line, pt_store *st, const char *name, const pt_schema *s,
                         int64_t nparts, uint32_t flags, pt_status status, int32_t code,
                         int32_t exc, const char *needle) {
  size_t before = pt_store_num_collections(st);
  pt_collection *c = (pt_collection *)1;
  pt_error e;
  pt_status rc = create(st, name, s, nparts, flags, &c, &e);
  test_expect_err(__FILE__, line, rc, &e, status, code, exc, needle);
  if (c != NULL || pt_store_num_collections(st) != before) {
    fprintf(stderr, "  FAIL %s:%d: a failed create changed the store\n", __FILE__, line);
    pt_test_failures++;
  }
}
#define CREATE_ERR_S(st, name, s, nparts, flags, status, code, exc, needle)                \
  create_fails(__LINE__, st, name, s, nparts, flags, status, code, exc, needle)
/* As CREATE_ERR_S, from single-quoted schema JSON. */
#define CREATE_ERR(st, name, sq, status, code, exc, needle)                                \
  do {                                                                                     \
    pt_schema *s_ = schema_sq(sq);                                                         \
    create_fails(__LINE__, st, name, s_, 0, 0, status, code, exc, needle);                 \
    pt_schema_free(s_);                                                                    \
  } while (0)

/* Inserts rows that must go in, dropping the result. */
static void insert(pt_collection *c, const char *partition, const char *sq) {
  pt_mutation_result r = test_write(c, partition, PT_OP_INSERT, J(sq));
  pt_mutation_result_clear(&r);
}

static pt_store *store_with_flags(uint32_t flags) {
  pt_store_options o = {NULL, NULL, flags};
  pt_store *s = NULL;
  if (pt_store_open(&o, &s) != PT_OK) exit(2);
  return s;
}

/* ============================================================================================
 * pymilvus FieldSchema()
 * ========================================================================================== */

TEST(field_check_accepts_every_type) {
  FIELD_OK(PK);
  FIELD_OK("{'name':'b','dtype':1}");
  FIELD_OK("{'name':'i','dtype':2,'default_value':3}");
  FIELD_OK("{'name':'s','dtype':21,'max_length':'16','description':'text'}");
  FIELD_OK("{'name':'a','dtype':22,'element_type':5,'max_capacity':4}");
  FIELD_OK("{'name':'j','dtype':23,'nullable':true,'default_value':null}");
  FIELD_OK("{'name':'v','dtype':101,'dim':'8'}");
  FIELD_OK("{'name':'sp','dtype':104}");
  FIELD_OK("{'name':'k','dtype':21,'max_length':8,'is_partition_key':true,'is_clustering_key':false}");
  FIELD_OK("{'name':'id','dtype':21,'is_primary':true,'auto_id':true,'max_length':30}");
  FIELD_OK("{'name':'x','dtype':5,'auto_id':false}"); /* auto_id=False is fine anywhere */
  /* success clears a previously filled error */
  pt_error e;
  (void)field_check("{'name':'a'}", &e);
  CHECK(e.status != PT_OK);
  CHECK_OK(field_check(VEC, &e), &e);
  CHECK_EQ_INT(e.status, PT_OK);
  CHECK_EQ_INT(e.message[0], '\0');
  CHECK_EQ_INT(e.row, -1);
  /* err may be NULL */
  const char *j = J(PK);
  CHECK_EQ_INT(pt_field_check_json(j, strlen(j), NULL), PT_OK);
  CHECK_EQ_INT(pt_field_check_json(J("{'name':'a'}"), 12, NULL), PT_SCHEMA);
}

TEST(field_check_errors) {
  FIELD_ERR("[", PT_PARSE, PT_CODE_CLIENT, PT_EXC_PARAM, "invalid field JSON");
  FIELD_ERR("5", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "The field of schema type must be FieldSchema.");
  FIELD_ERR("{'dtype':5}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "The name of a field must be str type, got None.");
  FIELD_ERR("{'name':3,'dtype':5}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "The name of a field must be str type");
  /* dtype */
  const char *bad_dtypes[] = {"{'name':'a'}", "{'name':'a','dtype':null}", "{'name':'a','dtype':'5'}",
                              "{'name':'a','dtype':5.5}", "{'name':'a','dtype':7}", "{'name':'a','dtype':-1}",
                              "{'name':'a','dtype':999}", "{'name':'a','dtype':1e9}"};
  for (size_t i = 0; i < sizeof bad_dtypes / sizeof bad_dtypes[0]; i++)
    FIELD_ERR(bad_dtypes[i], PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_TYPE_NOT_SUPPORT, "Field dtype must be of DataType");
  FIELD_ERR("{'name':'a','dtype':22,'element_type':7,'max_capacity':2}", PT_SCHEMA, PT_CODE_CLIENT,
            PT_EXC_DATA_TYPE_NOT_SUPPORT, "Field dtype must be of DataType");
  FIELD_ERR("{'name':'a','dtype':22,'element_type':'x','max_capacity':2}", PT_SCHEMA, PT_CODE_CLIENT,
            PT_EXC_DATA_TYPE_NOT_SUPPORT, "Field dtype must be of DataType");
  /* typed params */
  FIELD_ERR("{'name':'a','dtype':5,'description':1}", PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM,
            "Param description must be str type.");
  FIELD_ERR("{'name':'a','dtype':5,'is_primary':'yes'}", PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PRIMARY_KEY,
            "Param is_primary must be bool type.");
  FIELD_ERR("{'name':'a','dtype':5,'is_dynamic':1}", PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM,
            "Param is_dynamic must be bool type.");
  FIELD_ERR("{'name':'a','dtype':5,'nullable':0}", PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM,
            "Param nullable must be bool type.");
  FIELD_ERR("{'name':'a','dtype':5,'is_primary':true,'auto_id':1}", PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_AUTO_ID,
            "Param auto_id must be bool type.");
  FIELD_ERR("{'name':'a','dtype':5,'is_partition_key':'true'}", PT_TYPE_MISMATCH, PT_CODE_CLIENT,
            PT_EXC_PARTITION_KEY, "Param is_partition_key must be bool type.");
  FIELD_ERR("{'name':'a','dtype':5,'is_clustering_key':[]}", PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM,
            "Param is_clustering_key must be bool type.");
  /* auto_id */
  FIELD_ERR("{'name':'a','dtype':5,'auto_id':true}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_AUTO_ID,
            "The auto_id can only be specified on the primary key field");
  FIELD_ERR("{'name':'a','dtype':10,'is_primary':true,'auto_id':true}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_AUTO_ID,
            "The auto_id can only be specified on field with DataType.INT64 and DataType.VARCHAR.");
  /* default values */
  FIELD_ERR("{'name':'a','dtype':5,'default_value':null}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
            "Default value cannot be None for a field that is defined as nullable == false.");
  FIELD_ERR("{'name':'a','dtype':23,'default_value':[1]}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
            "Default value unsupported data type: <class 'list'>");
  FIELD_ERR("{'name':'a','dtype':23,'default_value':{'k':1}}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
            "Default value unsupported data type: <class 'dict'>");
  /* type params are parsed as Milvus does (strconv.ParseInt of their string form) */
  FIELD_ERR("{'name':'v','dtype':101,'dim':'abc'}", PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
            "strconv.ParseInt: parsing \"abc\": invalid syntax");
  FIELD_ERR("{'name':'v','dtype':101,'dim':'8x'}", PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
            "strconv.ParseInt: parsing \"8x\": invalid syntax");
  FIELD_ERR("{'name':'v','dtype':101,'dim':1.5}", PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
            "strconv.ParseInt: parsing \"1.5\": invalid syntax");
  FIELD_ERR("{'name':'v','dtype':101,'dim':true}", PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
            "strconv.ParseInt: parsing bool: invalid syntax");
  FIELD_ERR("{'name':'s','dtype':21,'max_length':''}", PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
            "strconv.ParseInt: parsing \"\": invalid syntax");
  FIELD_ERR("{'name':'a','dtype':22,'element_type':5,'max_capacity':[4]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
            PT_EXC_MILVUS, "strconv.ParseInt: parsing list: invalid syntax");
  /* misuse */
  pt_error e;
  CHECK_EQ_INT(pt_field_check_json(NULL, 0, &e), PT_MISUSE);
}

/* ============================================================================================
 * pymilvus CollectionSchema()
 * ========================================================================================== */

TEST(schema_from_json_errors) {
  SCHEMA_ERR("{'fields':[", PT_PARSE, PT_CODE_CLIENT, PT_EXC_PARAM, "invalid schema JSON");
  SCHEMA_ERR("[]", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "Schema type must be schema.CollectionSchema.");
  SCHEMA_ERR("{}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "The fields of schema must be type list.");
  SCHEMA_ERR("{'fields':{}}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "The fields of schema must be type list.");
  SCHEMA_ERR("{'description':5,'fields':[" PK "]}", PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM,
             "Param description must be str type.");
  SCHEMA_ERR("{'fields':[" PK ",5]}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
             "The field of schema type must be FieldSchema.");
  /* a field's own error comes through unchanged */
  SCHEMA_ERR("{'fields':[" PK ",{'name':'x','dtype':6}]}", PT_SCHEMA, PT_CODE_CLIENT,
             PT_EXC_DATA_TYPE_NOT_SUPPORT, "Field dtype must be of DataType");
  SCHEMA_ERR("{'fields':[" PK ",{'name':'x','dtype':5,'auto_id':true}]}", PT_SCHEMA, PT_CODE_CLIENT,
             PT_EXC_AUTO_ID, "The auto_id can only be specified on the primary key field");
  /* kwargs */
  SCHEMA_ERR("{'primary_field':5,'fields':[" PK "]}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PRIMARY_KEY,
             "Param primary_field must be int or str type.");
  SCHEMA_ERR("{'partition_key_field':true,'fields':[" PK "]}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARTITION_KEY,
             "Param partition_key_field must be str type.");
  SCHEMA_ERR("{'auto_id':'yes','fields':[" PK "]}", PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_AUTO_ID,
             "Param auto_id must be bool type.");
  SCHEMA_ERR("{'enable_dynamic_field':1,'fields':[" PK "]}", PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM,
             "Param enable_dynamic_field must be bool type.");
  /* primary key */
  SCHEMA_ERR("{'fields':[" VEC "]}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PRIMARY_KEY,
             "Schema must have a primary key field.");
  SCHEMA_ERR("{'fields':[]}", PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PRIMARY_KEY, "Schema must have a primary key field.");
  SCHEMA_ERR("{'primary_field':'nope','fields':[{'name':'id','dtype':5}," VEC "]}", PT_SCHEMA, PT_CODE_CLIENT,
             PT_EXC_PRIMARY_KEY, "Schema must have a primary key field.");
  SCHEMA_ERR("{'fields':[" PK ",{'name':'id2','dtype':5,'is_primary':true}]}", PT_SCHEMA, PT_CODE_CLIENT,
             PT_EXC_PRIMARY_KEY, "Expected only one primary key field, got [id, id2, ...].");
  SCHEMA_ERR("{'primary_field':'k','fields':[" PK ",{'name':'k','dtype':21,'max_length':4}]}", PT_SCHEMA,
             PT_CODE_CLIENT, PT_EXC_PRIMARY_KEY, "Expected only one primary key field, got [id, k, ...].");
  SCHEMA_ERR("{'fields':[{'name':'id','dtype':10,'is_primary':true}]}", PT_SCHEMA, PT_CODE_CLIENT,
             PT_EXC_PRIMARY_KEY, "Primary key type must be DataType.INT64 or DataType.VARCHAR.");
  SCHEMA_ERR("{'primary_field':'v','fields':[{'name':'id','dtype':5}," VEC "]}", PT_SCHEMA, PT_CODE_CLIENT,
             PT_EXC_PRIMARY_KEY, "Primary key type must be DataType.INT64 or DataType.VARCHAR.");
  /* partition key */
  SCHEMA_ERR("{'fields':[" PK ",{'name':'k','dtype':11,'is_partition_key':true}]}", PT_SCHEMA, PT_CODE_CLIENT,
             PT_EXC_PARTITION_KEY, "Partition key field type must be DataType.INT64 or DataType.VARCHAR.");
  SCHEMA_ERR("{'partition_key_field':'v','fields':[" PK "," VEC "]}", PT_SCHEMA, PT_CODE_CLIENT,
             PT_EXC_PARTITION_KEY, "Partition key field type must be DataType.INT64 or DataType.VARCHAR.");
  SCHEMA_ERR("{'fields':[" PK ",{'name':'a','dtype':5,'is_partition_key':true},"
             "{'name':'b','dtype':5,'is_partition_key':true}]}",
             PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARTITION_KEY, "Expected only one partition key field, got [a, b, ...].");
  SCHEMA_ERR("{'partition_key_field':'nope','fields':[" PK "," VEC "]}", PT_SCHEMA, PT_CODE_CLIENT,
             PT_EXC_PARTITION_KEY, "the specified partition key field {nope} not exist");
  /* misuse */
  pt_schema *s = NULL;
  pt_error e;
  CHECK_EQ_INT(pt_schema_from_json(NULL, 0, &s, &e), PT_MISUSE);
  CHECK_EQ_INT(pt_schema_from_json("{}", 2, NULL, &e), PT_MISUSE);
}

TEST(schema_from_json_kwargs) {
  /* primary_field and partition_key_field name the fields; auto_id on the schema goes to the
   * primary key; counts and the primary index are exposed */
  pt_schema *s = schema_sq("{'auto_id':true,'primary_field':'pk','partition_key_field':'k','enable_dynamic_field':true,"
                           "'fields':[{'name':'k','dtype':21,'max_length':8},{'name':'pk','dtype':5}," VEC "]}");
  CHECK_EQ_INT(pt_schema_num_fields(s), 3);
  CHECK_EQ_INT(pt_schema_primary_field(s), 1);
  CHECK(s->fields[1].is_primary && s->fields[1].auto_id);
  CHECK(s->fields[0].is_partition_key);
  CHECK_EQ_INT(s->partition_key, 0);
  CHECK(s->auto_id && s->enable_dynamic_field);
  CHECK_EQ_INT(s->fields[2].field_id, 102);
  /* the schema-level flag mirrors the primary key's */
  pt_schema *t = schema_sq("{'fields':[{'name':'id','dtype':5,'is_primary':true,'auto_id':true}," VEC "]}");
  CHECK(t->auto_id);
  pt_schema_free(t);
  pt_schema_free(s);
  pt_schema_free(NULL);
  CHECK_EQ_INT(pt_schema_num_fields(NULL), 0);
  CHECK_EQ_INT(pt_schema_primary_field(NULL), -1);
}

/* ============================================================================================
 * CreateCollection: server rules
 * ========================================================================================== */

TEST(create_counts_and_vector_fields) {
  pt_store *st = test_store();
  /* 64 fields is the limit; the hidden $meta field counts */
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "{'fields':[" PK "," VEC);
  for (int i = 2; i < 64; i++) test_buf_printf(&b, ",{'name':'f%d','dtype':5}", i);
  test_buf_printf(&b, "]}");
  pt_schema *s = schema_sq(b.p);
  pt_collection *c = NULL;
  pt_error e;
  CHECK_OK(create(st, "wide", s, 0, 0, &c, &e), &e);
  pt_schema_free(s);
  s = schema_sq(b.p);             /* the same fields... */
  s->enable_dynamic_field = true; /* ...plus $meta is one too many */
  CREATE_ERR_S(st, "wide2", s, 0, 0, PT_LIMIT, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
               "maximum field's number should be limited to 64");
  pt_schema_free(s);
  b.len = 0;
  test_buf_printf(&b, "{'fields':[" PK "," VEC);
  for (int i = 2; i < 65; i++) test_buf_printf(&b, ",{'name':'f%d','dtype':5}", i);
  test_buf_printf(&b, "]}");
  CREATE_ERR(st, "wide3", b.p, PT_LIMIT, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "maximum field's number should be limited to 64");
  test_buf_free(&b);

  /* four vector fields, not five */
  const char *four = "{'fields':[" PK ",{'name':'v1','dtype':101,'dim':2},{'name':'v2','dtype':102,'dim':2},"
                     "{'name':'v3','dtype':100,'dim':8},{'name':'v4','dtype':104}]}";
  s = schema_sq(four);
  CHECK_OK(create(st, "four", s, 0, 0, &c, &e), &e);
  pt_schema_free(s);
  CREATE_ERR(st, "five", "{'fields':[" PK ",{'name':'v1','dtype':101,'dim':2},{'name':'v2','dtype':102,'dim':2},"
             "{'name':'v3','dtype':100,'dim':8},{'name':'v4','dtype':104},{'name':'v5','dtype':105,'dim':2}]}",
             PT_LIMIT, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "maximum vector field's number should be limited to 4");

  /* no vector field: the server's error, or pymilvus ORM's; allowed when the store says so */
  const char *novec = "{'fields':[" PK ",{'name':'x','dtype':11}]}";
  CREATE_ERR(st, "novec", novec, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "schema does not contain vector field: invalid parameter");
  s = schema_sq(novec);
  CREATE_ERR_S(st, "novec", s, 0, PT_CREATE_ORM, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_SCHEMA_NOT_READY,
               "No vector field is found.");
  pt_store *open = store_with_flags(PT_STORE_ALLOW_NO_VECTOR);
  CHECK_OK(create(open, "novec", s, 0, 0, &c, &e), &e);
  CHECK_OK(create(open, "novec_orm", s, 0, PT_CREATE_ORM, &c, &e), &e);
  CHECK_EQ_INT(pt_store_num_collections(open), 2);
  pt_schema_free(s);
  pt_store_close(open);
  CHECK_EQ_INT(pt_store_num_collections(st), 2);
  pt_store_close(st);
}

TEST(create_collection_names) {
  pt_store *st = test_store();
  pt_schema *s = schema_sq("{'fields':[" PK "," VEC "]}");
  pt_collection *c = NULL;
  pt_error e;
  CREATE_ERR_S(st, "", s, 0, 0, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
               "collection name should not be empty: invalid parameter");
  char long_name[300];
  memset(long_name, 'a', 256);
  long_name[256] = '\0';
  CREATE_ERR_S(st, long_name, s, 0, 0, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
               ". the length of a collection name must be less than 255 characters: invalid parameter");
  long_name[255] = '\0'; /* 255 characters are allowed */
  CHECK_OK(create(st, long_name, s, 0, 0, &c, &e), &e);
  CREATE_ERR_S(st, "1abc", s, 0, 0, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
               "Invalid collection name: 1abc. the first character of a collection name must be an underscore or "
               "letter: invalid parameter");
  CREATE_ERR_S(st, "a-b", s, 0, 0, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
               "Invalid collection name: a-b. collection name can only contain numbers, letters and underscores: "
               "invalid parameter");
  CREATE_ERR_S(st, "a b", s, 0, 0, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
               "Invalid collection name: a b. collection name can only contain numbers, letters and underscores");
  CREATE_ERR_S(st, "\xc3\xa9t\xc3\xa9", s, 0, 0, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
               "the first character of a collection name must be an underscore or letter");
  CHECK_OK(create(st, "_Under_9", s, 0, 0, &c, &e), &e);
  CHECK(pt_collection_find(st, "_Under_9", 8) == c);
  CHECK_STR(pt_collection_name(c), "_Under_9");
  pt_schema_free(s);
  pt_store_close(st);
}

/* Database names: the collection names' rule, with Milvus's messages for databases (code 802). */
TEST(database_names) {
  pt_error e;
  static const char *const OK[] = {"default", "_", "a", "db_1", "A9_z"};
  for (size_t i = 0; i < sizeof OK / sizeof *OK; i++) CHECK_OK(pt_check_database_name(OK[i], strlen(OK[i]), &e), &e);
  char longest[PT_MAX_NAME_LENGTH + 2];
  memset(longest, 'd', sizeof longest);
  CHECK_OK(pt_check_database_name(longest, PT_MAX_NAME_LENGTH, &e), &e);
  CHECK_ERR(pt_check_database_name(longest, PT_MAX_NAME_LENGTH + 1, &e), &e, PT_SCHEMA, 802, PT_EXC_MILVUS,
            "the length of a database name must be less than 255 characters: invalid database name[database=ddd");
  CHECK_ERR(pt_check_database_name("", 0, &e), &e, PT_SCHEMA, 802, PT_EXC_MILVUS,
            "database name couldn't be empty: invalid database name[database=]");
  CHECK_ERR(pt_check_database_name(NULL, 0, &e), &e, PT_SCHEMA, 802, PT_EXC_MILVUS, "database name couldn't be empty");
  static const char *const FIRST[] = {"1db", "-x", " a", "\xc3\xa9"};
  for (size_t i = 0; i < sizeof FIRST / sizeof *FIRST; i++) {
    char want[128];
    snprintf(want, sizeof want, "the first character of a database name must be an underscore or letter: invalid database name[database=%s]", FIRST[i]);
    CHECK_ERR(pt_check_database_name(FIRST[i], strlen(FIRST[i]), &e), &e, PT_SCHEMA, 802, PT_EXC_MILVUS, want);
  }
  static const char *const CHAR[] = {"a-b", "a b", "a.b", "db\xc3\xa9", "a$"};
  for (size_t i = 0; i < sizeof CHAR / sizeof *CHAR; i++) {
    char want[128];
    snprintf(want, sizeof want, "database name can only contain numbers, letters and underscores: invalid database name[database=%s]", CHAR[i]);
    CHECK_ERR(pt_check_database_name(CHAR[i], strlen(CHAR[i]), &e), &e, PT_SCHEMA, 802, PT_EXC_MILVUS, want);
  }
  /* a NUL inside is a character like any other: refused */
  CHECK_ERR(pt_check_database_name("a\0b", 3, &e), &e, PT_SCHEMA, 802, PT_EXC_MILVUS, "can only contain");
}

TEST(create_field_names_and_keywords) {
  pt_store *st = test_store();
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'','dtype':5}]}", PT_SCHEMA, 1701, PT_EXC_MILVUS,
             "field name should not be empty");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'  ','dtype':5}]}", PT_SCHEMA, 1701, PT_EXC_MILVUS,
             "field name should not be empty");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'1a','dtype':5}]}", PT_SCHEMA, 1701, PT_EXC_MILVUS,
             "Invalid field name: 1a. The first character of a field name must be an underscore or letter.");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'a-b','dtype':5}]}", PT_SCHEMA, 1701, PT_EXC_MILVUS,
             "Invalid field name: a-b. Field name can only contain numbers, letters, and underscores.");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'$meta','dtype':5}]}", PT_SCHEMA, 1701, PT_EXC_MILVUS,
             "Invalid field name: $meta. The first character of a field name must be an underscore or letter.");
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "{'fields':[" PK "," VEC ",{'name':'");
  for (int i = 0; i < 256; i++) test_buf_put(&b, "f", 1);
  test_buf_printf(&b, "','dtype':5}]}");
  CREATE_ERR(st, "c", b.p, PT_SCHEMA, 1701, PT_EXC_MILVUS,
             ". The length of a field name must be less than 255 characters.");
  test_buf_free(&b);
  const char *keywords[] = {"like", "LIKE", "exists", "and", "OR", "not", "in", "IN", "json_contains",
                            "JSON_CONTAINS_ANY", "array_contains_all", "array_length", "ARRAY_LENGTH",
                            "true", "True", "FALSE", "text_match", "phrase_match", "random_sample", "null", "NULL"};
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
    char sq[200], msg[200];
    snprintf(sq, sizeof sq, "{'fields':[" PK "," VEC ",{'name':'%s','dtype':5}]}", keywords[i]);
    snprintf(msg, sizeof msg, "Invalid field name: %s. %s is keyword in milvus.", keywords[i], keywords[i]);
    CREATE_ERR(st, "c", sq, PT_SCHEMA, 1701, PT_EXC_MILVUS, msg);
  }
  /* near-keywords are plain names */
  pt_schema *s = schema_sq("{'fields':[" PK "," VEC ",{'name':'Like','dtype':5},{'name':'nulls','dtype':5}]}");
  pt_collection *c;
  pt_error e;
  CHECK_OK(create(st, "c", s, 0, 0, &c, &e), &e);
  pt_schema_free(s);
  CREATE_ERR(st, "d", "{'fields':[" PK "," VEC ",{'name':'v','dtype':5}]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "duplicated field name v found");
  pt_store_close(st);
}

TEST(create_primary_dynamic_auto_id_types) {
  pt_store *st = test_store();
  CREATE_ERR(st, "c", "{'fields':[{'name':'id','dtype':5,'is_primary':true,'nullable':true}," VEC "]}", PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "primary field not support null: invalid parameter");
  CREATE_ERR(st, "c", "{'fields':[{'name':'id','dtype':5,'is_primary':true,'default_value':3}," VEC "]}", PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "primary key can't be with default value: invalid parameter");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'d','dtype':23,'is_dynamic':true}]}", PT_SCHEMA,
             PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "cannot explicitly set a field as a dynamic field");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'s','dtype':20}]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "string data type not supported yet, please use VarChar type instead");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'n','dtype':0}]}", PT_SCHEMA, PT_CODE_PARAMETER_INVALID,
             PT_EXC_MILVUS, "field data type: None is not supported: invalid parameter");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'k','dtype':5,'is_partition_key':true,'nullable':true}]}",
             PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "partition key field not support nullable: invalid parameter");
  /* pymilvus builds "should not be primary field" but never raises it: the server does */
  CREATE_ERR(st, "c", "{'fields':[{'name':'id','dtype':5,'is_primary':true,'is_partition_key':true}," VEC "]}",
             PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "the partition key field must not be primary field");

  /* rules pymilvus already enforces, reached by editing a parsed schema */
  const char *base = "{'fields':[" PK "," VEC ",{'name':'x','dtype':5},{'name':'y','dtype':21,'max_length':4}]}";
  pt_schema *s = schema_sq(base);
  s->fields[2].is_primary = true;
  CREATE_ERR_S(st, "c", s, 0, 0, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
               "there are more than one primary key, field name = id, x");
  pt_schema_free(s);
  s = schema_sq(base);
  s->fields[0].is_primary = false;
  CREATE_ERR_S(st, "c", s, 0, 0, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "primary key is not specified");
  pt_schema_free(s);
  s = schema_sq(base);
  s->fields[0].dtype = PT_INT32;
  CREATE_ERR_S(st, "c", s, 0, 0, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
               "the data type of primary key should be Int64 or VarChar");
  pt_schema_free(s);
  s = schema_sq(base);
  s->fields[0].auto_id = true;
  s->fields[2].auto_id = true;
  CREATE_ERR_S(st, "c", s, 0, 0, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
               "only one field can speficy AutoID with true, field name = id, x");
  pt_schema_free(s);
  s = schema_sq(base);
  s->fields[2].auto_id = true;
  CREATE_ERR_S(st, "c", s, 0, 0, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
               "only primary field can speficy AutoID with true, field name = x");
  pt_schema_free(s);
  s = schema_sq(base);
  s->fields[2].is_partition_key = s->fields[3].is_partition_key = true;
  CREATE_ERR_S(st, "c", s, 0, 0, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
               "there are more than one partition key, field name = x, y");
  pt_schema_free(s);
  s = schema_sq(base);
  s->fields[1].is_partition_key = true;
  CREATE_ERR_S(st, "c", s, 0, 0, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
               "the data type of partition key should be Int64 or VarChar");
  pt_schema_free(s);
  s = schema_sq("{'fields':[" PK "," VEC ",{'name':'d','dtype':11,'default_value':1.5}]}");
  s->fields[2].default_value.d = INFINITY; /* JSON cannot say Inf: set it directly */
  CREATE_ERR_S(st, "c", s, 0, 0, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "value '+Inf' is not a number or infinity");
  pt_schema_free(s);
  CHECK_EQ_INT(pt_store_num_collections(st), 0);

  /* the good ones */
  s = schema_sq("{'fields':[{'name':'id','dtype':21,'is_primary':true,'auto_id':true,'max_length':20}," VEC
                ",{'name':'k','dtype':5,'is_partition_key':true}]}");
  pt_collection *c;
  pt_error e;
  CHECK_OK(create(st, "ok", s, 0, 0, &c, &e), &e);
  CHECK(pt_collection_schema(c) != s);
  CHECK_EQ_INT(pt_schema_primary_field(pt_collection_schema(c)), 0);
  pt_schema_free(s);
  pt_store_close(st);
}

TEST(create_type_params) {
  pt_store *st = test_store();
  /* vector dims */
  CREATE_ERR(st, "c", "{'fields':[" PK ",{'name':'v','dtype':101}]}", PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "dimension is not defined in field type params of field v, check type param `dim` for vector field");
  CREATE_ERR(st, "c", "{'fields':[" PK ",{'name':'v','dtype':101,'dim':1}]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "invalid dimension: 1. should be in range 2 ~ 32768");
  CREATE_ERR(st, "c", "{'fields':[" PK ",{'name':'v','dtype':102,'dim':0}]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "invalid dimension: 0. should be in range 2 ~ 32768");
  CREATE_ERR(st, "c", "{'fields':[" PK ",{'name':'v','dtype':103,'dim':-4}]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "invalid dimension: -4. should be in range 2 ~ 32768");
  CREATE_ERR(st, "c", "{'fields':[" PK ",{'name':'v','dtype':101,'dim':32769}]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "invalid dimension: 32769 of field v. float vector dimension should be in range 2 ~ 32768");
  CREATE_ERR(st, "c", "{'fields':[" PK ",{'name':'v','dtype':105,'dim':40000}]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "invalid dimension: 40000 of field v. float vector dimension should be in range 2 ~ 32768");
  CREATE_ERR(st, "c", "{'fields':[" PK ",{'name':'b','dtype':100,'dim':12}]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "invalid dimension: 12 of field b. binary vector dimension should be multiple of 8. ");
  CREATE_ERR(st, "c", "{'fields':[" PK ",{'name':'b','dtype':100,'dim':262152}]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "invalid dimension: 262152 of field b. binary vector dimension should be in range 2 ~ 262144");
  CREATE_ERR(st, "c", "{'fields':[" PK ",{'name':'sp','dtype':104,'dim':8}]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "dim should not be specified for sparse vector field sp(101)");
  /* VARCHAR max_length */
  CREATE_ERR(st, "coll", "{'fields':[" PK "," VEC ",{'name':'s','dtype':21}]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "type param(max_length) should be specified for varChar field(s) of collection coll");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'s','dtype':21,'max_length':0}]}", PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "the maximum length specified for a VarChar field(s) should be in (0, 65535], but got 0 instead: invalid parameter");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'s','dtype':21,'max_length':65536}]}", PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "the maximum length specified for a VarChar field(s) should be in (0, 65535], but got 65536 instead");
  CREATE_ERR(st, "c", "{'fields':[{'name':'id','dtype':21,'is_primary':true}," VEC "]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "type param(max_length) should be specified for varChar field(id) of collection c");
  /* ARRAY */
  CREATE_ERR(st, "coll", "{'fields':[" PK "," VEC ",{'name':'a','dtype':22,'element_type':5}]}", PT_SCHEMA,
             PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "type param(max_capacity) should be specified for array field a of collection coll");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'a','dtype':22,'element_type':5,'max_capacity':0}]}",
             PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "the maximum capacity specified for a Array should be in (0, 4096]");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'a','dtype':22,'element_type':5,'max_capacity':4097}]}",
             PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "the maximum capacity specified for a Array should be in (0, 4096]");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'a','dtype':22,'element_type':23,'max_capacity':4}]}",
             PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "element type JSON is not supported");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'a','dtype':22,'element_type':101,'max_capacity':4}]}",
             PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "element type FloatVector is not supported");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'a','dtype':22,'max_capacity':4}]}", PT_SCHEMA,
             PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "element type None is not supported");
  CREATE_ERR(st, "coll", "{'fields':[" PK "," VEC ",{'name':'a','dtype':22,'element_type':21,'max_capacity':4}]}",
             PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "type param(max_length) should be specified for varChar field(a) of collection coll");
  /* the limits themselves are allowed */
  pt_schema *s = schema_sq("{'fields':[" PK ",{'name':'v','dtype':101,'dim':32768},{'name':'b','dtype':100,'dim':262144},"
                           "{'name':'s','dtype':21,'max_length':65535},"
                           "{'name':'a','dtype':22,'element_type':21,'max_length':65535,'max_capacity':4096}]}");
  pt_collection *c;
  pt_error e;
  CHECK_OK(create(st, "limits", s, 0, 0, &c, &e), &e);
  pt_schema_free(s);
  CHECK_EQ_INT(pt_store_num_collections(st), 1);
  pt_store_close(st);
}

TEST(create_nullable_and_defaults) {
  pt_store *st = test_store();
  CREATE_ERR(st, "c", "{'fields':[" PK ",{'name':'v','dtype':101,'dim':4,'nullable':true}]}", PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "vector type not support null, type:FloatVector, name:v: invalid parameter");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'j','dtype':23,'default_value':1}]}", PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "JSON field does not support default value: invalid parameter");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'a','dtype':22,'element_type':5,'max_capacity':2,'default_value':1}]}",
             PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "Array field does not support default value: invalid parameter");
  CREATE_ERR(st, "c", "{'fields':[" PK ",{'name':'v','dtype':101,'dim':4,'default_value':1}]}", PT_SCHEMA,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "FloatVector field does not support default value: invalid parameter");
  /* kind mismatches */
  const char *mism[] = {
      "{'name':'x','dtype':5,'default_value':'a'}", "{'name':'x','dtype':5,'default_value':true}",
      "{'name':'x','dtype':5,'default_value':1.5}", "{'name':'x','dtype':1,'default_value':1}",
      "{'name':'x','dtype':21,'max_length':4,'default_value':1}", "{'name':'x','dtype':10,'default_value':'1'}",
      "{'name':'x','dtype':11,'default_value':false}"};
  for (size_t i = 0; i < sizeof mism / sizeof mism[0]; i++) {
    char sq[300];
    snprintf(sq, sizeof sq, "{'fields':[" PK "," VEC ",%s]}", mism[i]);
    CREATE_ERR(st, "c", sq, PT_TYPE_MISMATCH, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
               "default value type mismatches field schema type: invalid parameter");
  }
  /* ranges: partita takes a JSON integer for INT8/16/32 when it fits (a JSON host cannot say
   * np.int8), and refuses it when it does not */
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'x','dtype':2,'default_value':200}]}", PT_RANGE,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "default value out of range: invalid parameter[expected=in [-128, 127]][actual=200]");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'x','dtype':3,'default_value':-32769}]}", PT_RANGE,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "default value out of range");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'x','dtype':4,'default_value':2147483648}]}", PT_RANGE,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "default value out of range");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'x','dtype':10,'default_value':1e39}]}", PT_RANGE,
             PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "default value out of range: invalid parameter");
  CREATE_ERR(st, "c", "{'fields':[" PK "," VEC ",{'name':'x','dtype':21,'max_length':3,'default_value':'abcd'}]}",
             PT_LIMIT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, "the length (4) of string exceeds max length (3): invalid parameter");
  pt_schema *s = schema_sq("{'fields':[" PK "," VEC ",{'name':'a','dtype':2,'default_value':-128},"
                           "{'name':'b','dtype':4,'default_value':2147483647},{'name':'c','dtype':10,'default_value':2},"
                           "{'name':'d','dtype':11,'default_value':1e300},{'name':'e','dtype':21,'max_length':3,'default_value':'abc'},"
                           "{'name':'f','dtype':1,'default_value':false},{'name':'g','dtype':5,'nullable':true,'default_value':9}]}");
  pt_collection *c;
  pt_error e;
  CHECK_OK(create(st, "defaults", s, 0, 0, &c, &e), &e);
  pt_schema_free(s);
  CHECK_EQ_INT(pt_store_num_collections(st), 1);
  pt_store_close(st);
}

TEST(create_num_partitions) {
  pt_store *st = test_store();
  pt_schema *plain = schema_sq("{'fields':[" PK "," VEC "]}");
  pt_schema *keyed = schema_sq("{'fields':[" PK "," VEC ",{'name':'k','dtype':21,'max_length':8,'is_partition_key':true}]}");
  CREATE_ERR_S(st, "c", plain, 4, 0, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
               "num_partitions should only be specified with partition key field enabled");
  CREATE_ERR_S(st, "c", keyed, -1, 0, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
               "the specified partitions should be greater than 0 if partition key is used");
  CREATE_ERR_S(st, "c", keyed, 2000, 0, PT_LIMIT, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
               "partition number (2000) exceeds max configuration (1024), collection: c");
  pt_collection *c16, *c4, *c1024;
  pt_error e;
  CHECK_OK(create(st, "c16", keyed, 0, 0, &c16, &e), &e);
  CHECK_EQ_INT(pt_collection_num_partitions(c16), 16);
  size_t len;
  CHECK_STR(pt_collection_partition_name(c16, 0, &len), "_default_0");
  CHECK_EQ_INT(len, 10);
  CHECK_STR(pt_collection_partition_name(c16, 15, NULL), "_default_15");
  CHECK(pt_collection_partition_name(c16, 16, NULL) == NULL);
  CHECK(!pt_partition_exists(c16, "_default", 8));
  CHECK_OK(create(st, "c4", keyed, 4, 0, &c4, &e), &e);
  CHECK_EQ_INT(pt_collection_num_partitions(c4), 4);
  CHECK_OK(create(st, "c1024", keyed, 1024, 0, &c1024, &e), &e);
  CHECK_EQ_INT(pt_collection_num_partitions(c1024), 1024);
  /* partitions cannot be managed by hand in partition-key mode */
  EXPECT_ERR(pt_partition_create(c4, "p", 1, &e), &e, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "disable create partition if partition key mode is used");
  EXPECT_ERR(pt_partition_drop(c4, "_default_1", 10, &e), &e, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "disable drop partition if partition key mode is used");
  CHECK_EQ_INT(pt_collection_num_partitions(c4), 4);
  pt_schema_free(plain);
  pt_schema_free(keyed);
  pt_store_close(st);
}

/* ============================================================================================
 * Re-opening, finding, dropping
 * ========================================================================================== */

TEST(reopen_same_and_different_schema) {
  pt_store *st = test_store();
  const char *base = "{'description':'films','fields':[" PK "," VEC ",{'name':'t','dtype':21,'max_length':8,'default_value':'x'}]}";
  pt_schema *s = schema_sq(base);
  pt_collection *c = NULL, *c2 = NULL;
  pt_error e;
  CHECK_OK(create(st, "films", s, 0, 0, &c, &e), &e);
  insert(c, NULL, "[{'id':1,'v':[1,2,3,4],'t':'a'}]");
  /* the same schema opens the same collection, rows and all, with or without PT_CREATE_ORM */
  CHECK_OK(create(st, "films", s, 0, 0, &c2, &e), &e);
  CHECK(c2 == c);
  CHECK_OK(create(st, "films", s, 0, PT_CREATE_ORM, &c2, &e), &e);
  CHECK(c2 == c);
  pt_schema *s2 = schema_sq(base); /* an equal schema built separately */
  CHECK_OK(create(st, "films", s2, 0, 0, &c2, &e), &e);
  CHECK(c2 == c);
  pt_schema_free(s2);
  CHECK_EQ_INT(pt_store_num_collections(st), 1);
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 1);
  /* schema-level auto_id and field-level auto_id are the same schema */
  pt_schema *a1 = schema_sq("{'auto_id':true,'fields':[" PK "," VEC "]}");
  pt_schema *a2 = schema_sq("{'fields':[{'name':'id','dtype':5,'is_primary':true,'auto_id':true}," VEC "]}");
  CHECK_OK(create(st, "auto", a1, 0, 0, &c, &e), &e);
  CHECK_OK(create(st, "auto", a2, 0, 0, &c2, &e), &e);
  CHECK(c == c2);
  pt_schema_free(a1);
  pt_schema_free(a2);

  /* every kind of difference is a different schema */
  const char *different[] = {
      "{'description':'other','fields':[" PK "," VEC ",{'name':'t','dtype':21,'max_length':8,'default_value':'x'}]}",
      "{'description':'films','fields':[" PK ",{'name':'v','dtype':101,'dim':8},{'name':'t','dtype':21,'max_length':8,'default_value':'x'}]}",
      "{'description':'films','fields':[" PK "," VEC ",{'name':'t','dtype':21,'max_length':9,'default_value':'x'}]}",
      "{'description':'films','fields':[" PK "," VEC ",{'name':'t','dtype':21,'max_length':8,'default_value':'y'}]}",
      "{'description':'films','fields':[" PK "," VEC ",{'name':'t','dtype':21,'max_length':8}]}",
      "{'description':'films','fields':[" PK "," VEC ",{'name':'t','dtype':21,'max_length':8,'default_value':'x','nullable':true}]}",
      "{'description':'films','fields':[" PK "," VEC ",{'name':'u','dtype':21,'max_length':8,'default_value':'x'}]}",
      "{'description':'films','fields':[" PK "," VEC ",{'name':'t','dtype':21,'max_length':8,'default_value':'x','description':'d'}]}",
      "{'description':'films','enable_dynamic_field':true,'fields':[" PK "," VEC ",{'name':'t','dtype':21,'max_length':8,'default_value':'x'}]}",
      "{'description':'films','fields':[" PK "," VEC "]}",
      "{'description':'films','fields':[" VEC "," PK ",{'name':'t','dtype':21,'max_length':8,'default_value':'x'}]}",
      "{'description':'films','fields':[{'name':'id','dtype':5,'is_primary':true,'auto_id':true}," VEC ",{'name':'t','dtype':21,'max_length':8,'default_value':'x'}]}",
      "{'description':'films','fields':[" PK ",{'name':'v','dtype':102,'dim':4},{'name':'t','dtype':21,'max_length':8,'default_value':'x'}]}",
  };
  for (size_t i = 0; i < sizeof different / sizeof different[0]; i++) {
    pt_schema *d = schema_sq(different[i]);
    CREATE_ERR_S(st, "films", d, 0, 0, PT_EXISTS, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                 "create duplicate collection with different parameters, collection: films");
    CREATE_ERR_S(st, "films", d, 0, PT_CREATE_ORM, PT_EXISTS, PT_CODE_CLIENT, PT_EXC_SCHEMA_NOT_READY,
                 "The collection already exist, but the schema is not the same as the schema passed in.");
    pt_schema_free(d);
  }
  /* an invalid schema under an existing name reports the schema's own error */
  CREATE_ERR(st, "films", "{'fields':[" PK ",{'name':'v','dtype':101,'dim':1}]}", PT_SCHEMA, PT_CODE_UNEXPECTED,
             PT_EXC_MILVUS, "invalid dimension: 1.");
  c = pt_collection_find(st, "films", 5);
  CHECK(c != NULL);
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 1);
  pt_schema_free(s);
  pt_store_close(st);
}

TEST(collection_find_drop_list) {
  pt_store *st = test_store();
  pt_schema *s = schema_sq("{'fields':[" PK "," VEC "]}");
  pt_collection *a, *b, *c;
  pt_error e;
  CHECK_OK(create(st, "a", s, 0, 0, &a, &e), &e);
  CHECK_OK(create(st, "bb", s, 0, 0, &b, &e), &e);
  CHECK_OK(create(st, "c", s, 0, 0, &c, &e), &e);
  CHECK_EQ_INT(pt_store_num_collections(st), 3);
  size_t len = 0;
  CHECK_STR(pt_store_collection_name(st, 1, &len), "bb");
  CHECK_EQ_INT(len, 2);
  CHECK(pt_store_collection_name(st, 3, &len) == NULL);
  CHECK(pt_collection_find(st, "bb", 2) == b);
  CHECK(pt_collection_find(st, "b", 1) == NULL);
  CHECK(pt_collection_find(st, "bbb", 3) == NULL);
  CHECK(pt_collection_find(NULL, "a", 1) == NULL);
  insert(b, NULL, "{'id':1,'v':[0,0,0,0]}");
  CHECK_EQ_INT(pt_collection_drop(st, "bb", 2), PT_OK);
  CHECK_EQ_INT(pt_collection_drop(st, "bb", 2), PT_OK); /* idempotent */
  CHECK_EQ_INT(pt_collection_drop(st, "nope", 4), PT_OK);
  CHECK_EQ_INT(pt_store_num_collections(st), 2);
  CHECK_STR(pt_store_collection_name(st, 0, NULL), "a");
  CHECK_STR(pt_store_collection_name(st, 1, NULL), "c");
  CHECK(pt_collection_find(st, "bb", 2) == NULL);
  /* re-created empty */
  CHECK_OK(create(st, "bb", s, 0, 0, &b, &e), &e);
  CHECK_EQ_INT(pt_collection_num_entities(b, NULL, 0), 0);
  CHECK_EQ_INT(pt_collection_drop(NULL, "a", 1), PT_MISUSE);
  CHECK_EQ_INT(pt_store_num_collections(NULL), 0);
  pt_error e2;
  CHECK_EQ_INT(pt_collection_create(st, NULL, 0, s, NULL, &a, &e2), PT_MISUSE);
  CHECK_EQ_INT(pt_collection_create(st, "x", 1, NULL, NULL, &a, &e2), PT_MISUSE);
  pt_schema_free(s);
  pt_store_close(st);
  pt_store_close(NULL);
}

/* ============================================================================================
 * Partitions
 * ========================================================================================== */

TEST(partition_rules) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "films", J("{'fields':[" PK "," VEC "]}"));
  pt_error e;
  CHECK_EQ_INT(pt_collection_num_partitions(c), 1);
  CHECK_STR(pt_collection_partition_name(c, 0, NULL), "_default");
  CHECK(pt_partition_exists(c, "_default", 8));
  CHECK(!pt_partition_exists(c, "_def", 4));
  CHECK_OK(pt_partition_create(c, "comedy", 6, &e), &e);
  CHECK_OK(pt_partition_create(c, "drama", 5, &e), &e);
  CHECK_OK(pt_partition_create(c, "comedy", 6, &e), &e); /* exists: no-op */
  CHECK_OK(pt_partition_create(c, "1st", 3, &e), &e);    /* newer Milvus allows a leading digit */
  CHECK_EQ_INT(pt_collection_num_partitions(c), 4);
  CHECK_STR(pt_collection_partition_name(c, 1, NULL), "comedy");
  CHECK_STR(pt_collection_partition_name(c, 2, NULL), "drama");
  CHECK_STR(pt_collection_partition_name(c, 3, NULL), "1st");
  /* names */
  EXPECT_ERR(pt_partition_create(c, "", 0, &e), &e, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "Invalid partition name: . Partition name should not be empty.");
  EXPECT_ERR(pt_partition_create(c, "   ", 3, &e), &e, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "Invalid partition name: . Partition name should not be empty.");
  EXPECT_ERR(pt_partition_create(c, "a-b", 3, &e), &e, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "Invalid partition name: a-b. Partition name can only contain numbers, letters and underscores.");
  char name[300];
  memset(name, 'p', 256);
  EXPECT_ERR(pt_partition_create(c, name, 256, &e), &e, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             ". The length of a partition name must be less than 255 characters.");
  CHECK_OK(pt_partition_create(c, name, 255, &e), &e);
  CHECK_EQ_INT(pt_collection_num_partitions(c), 5);
  /* dropping */
  insert(c, "comedy", "[{'id':1,'v':[0,0,0,0]},{'id':2,'v':[0,0,0,0]}]");
  insert(c, NULL, "[{'id':3,'v':[0,0,0,0]}]");
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 3);
  EXPECT_ERR(pt_partition_drop(c, "_default", 8, &e), &e, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "default partition cannot be deleted");
  CHECK_OK(pt_partition_drop(c, "nope", 4, &e), &e); /* missing: no-op */
  CHECK_OK(pt_partition_drop(c, "comedy", 6, &e), &e);
  CHECK(!pt_partition_exists(c, "comedy", 6));
  CHECK_EQ_INT(pt_collection_num_partitions(c), 4);
  CHECK_STR(pt_collection_partition_name(c, 1, NULL), "drama");
  CHECK_EQ_INT(pt_collection_num_entities(c, NULL, 0), 1); /* its rows went with it */
  CHECK_EQ_INT(pt_collection_num_entities(c, "comedy", 6), 0);
  /* re-created: empty */
  CHECK_OK(pt_partition_create(c, "comedy", 6, &e), &e);
  CHECK_STR(pt_collection_partition_name(c, 4, NULL), "comedy");
  CHECK_EQ_INT(pt_collection_num_entities(c, "comedy", 6), 0);
  pt_rows *rows = test_query(c, "{\"expr\":\"id in [1,2,3]\"}");
  CHECK_EQ_INT(pt_rows_count(rows), 1);
  pt_rows_free(rows);
  /* the partition limit */
  for (int i = (int)pt_collection_num_partitions(c); i < PT_MAX_PARTITIONS; i++) {
    char pn[32];
    int n = snprintf(pn, sizeof pn, "p%d", i);
    CHECK_OK(pt_partition_create(c, pn, (size_t)n, &e), &e);
  }
  CHECK_EQ_INT(pt_collection_num_partitions(c), PT_MAX_PARTITIONS);
  EXPECT_ERR(pt_partition_create(c, "one_more", 8, &e), &e, PT_LIMIT, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
             "partition number (1024) exceeds max configuration (1024), collection: films");
  CHECK_OK(pt_partition_create(c, "drama", 5, &e), &e); /* an existing one is still fine */
  CHECK_EQ_INT(pt_partition_create(NULL, "x", 1, &e), PT_MISUSE);
  CHECK_EQ_INT(pt_partition_drop(c, NULL, 0, &e), PT_MISUSE);
  CHECK(!pt_partition_exists(NULL, "x", 1));
  CHECK_EQ_INT(pt_collection_num_partitions(NULL), 0);
  pt_store_close(st);
}

/* ============================================================================================
 * Describing a schema
 * ========================================================================================== */

TEST(schema_to_json_round_trip) {
  const char *sq = "{'description':'all','enable_dynamic_field':true,'fields':["
                   "{'name':'id','dtype':21,'is_primary':true,'auto_id':true,'max_length':32,'description':'key'},"
                   "{'name':'v','dtype':101,'dim':'8'},{'name':'b','dtype':100,'dim':16},"
                   "{'name':'a','dtype':22,'element_type':21,'max_length':5,'max_capacity':3},"
                   "{'name':'n','dtype':4,'nullable':true,'default_value':7},{'name':'f','dtype':11,'default_value':0.25},"
                   "{'name':'t','dtype':21,'max_length':4,'default_value':'x\\\\'},{'name':'o','dtype':1,'default_value':true},"
                   "{'name':'k','dtype':5,'is_partition_key':true,'is_clustering_key':true}]}";
  pt_schema *s = schema_sq(sq);
  char *text = NULL;
  size_t len = 0;
  CHECK_EQ_INT(pt_schema_to_json(s, &text, &len), PT_OK);
  CHECK(text != NULL && len == strlen(text));
  /* every key is there */
  const char *keys[] = {"\"description\":\"all\"", "\"auto_id\":true", "\"enable_dynamic_field\":true",
                        "\"primary_field\":\"id\"", "\"field_id\":100", "\"field_id\":108", "\"dim\":8",
                        "\"element_type\":21", "\"max_capacity\":3", "\"default_value\":7",
                        "\"default_value\":0.25", "\"default_value\":\"x\\\\\"", "\"default_value\":true",
                        "\"is_partition_key\":true", "\"is_clustering_key\":true", "\"nullable\":true",
                        "\"description\":\"key\""};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (!strstr(text, keys[i])) {
      fprintf(stderr, "  FAIL schema JSON lacks %s: %s\n", keys[i], text);
      pt_test_failures++;
    }
  /* read back: an equal schema, and the same text again */
  pt_schema *back = test_schema(text);
  CHECK(pt_schema_equal(s, back));
  char *text2 = NULL;
  CHECK_EQ_INT(pt_schema_to_json(back, &text2, NULL), PT_OK);
  CHECK_STR(text, text2);
  /* a collection created from either opens the other */
  pt_store *st = test_store();
  pt_collection *c, *c2;
  pt_error e;
  CHECK_OK(pt_collection_create(st, "all", 3, s, NULL, &c, &e), &e);
  char *text3 = NULL;
  CHECK_EQ_INT(pt_schema_to_json(pt_collection_schema(c), &text3, NULL), PT_OK);
  pt_schema *back3 = test_schema(text3);
  CHECK_OK(pt_collection_create(st, "all", 3, back3, NULL, &c2, &e), &e);
  CHECK(c == c2);
  pt_free(text);
  pt_free(text2);
  pt_free(text3);
  pt_schema_free(back);
  pt_schema_free(back3);
  pt_schema_free(s);
  pt_store_close(st);
  CHECK_EQ_INT(pt_schema_to_json(NULL, &text, NULL), PT_MISUSE);
}

/* A schema whose fields share a name (refused only when a collection is created) reads back as
 * it was: its description must not name the primary key in a way that marks the other field
 * too (found by fuzz_hybrid: "Expected only one primary key field, got [t, t, ...]"). */
TEST(schema_with_shared_names_reads_back) {
  const char *json = "{\"fields\":[{\"name\":\"t\",\"dtype\":21,\"max_length\":8},"
                     "{\"name\":\"t\",\"dtype\":21,\"max_length\":8,\"is_primary\":true}]}";
  pt_error e;
  pt_schema *a = NULL, *b = NULL;
  CHECK_OK(pt_schema_from_json(json, strlen(json), &a, &e), &e);
  char *t1 = NULL, *t2 = NULL;
  size_t l1 = 0, l2 = 0;
  CHECK_OK(pt_schema_to_json(a, &t1, &l1), (pt_error *)NULL);
  CHECK_OK(pt_schema_from_json(t1, l1, &b, &e), &e);
  if (b) {
    CHECK_OK(pt_schema_to_json(b, &t2, &l2), (pt_error *)NULL);
    CHECK_STR(t2, t1);
    CHECK(pt_schema_equal(a, b));
  }
  pt_free(t1);
  pt_free(t2);
  pt_schema_free(a);
  pt_schema_free(b);
}

TEST(collection_properties) {
  /* allow_insert_auto_id: a boolean or Go's ParseBool text; read back as a boolean */
  pt_schema *s = schema_sq("{'auto_id':true,'properties':{'allow_insert_auto_id':'T'},"
                           "'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}");
  char *text = NULL;
  CHECK_EQ_INT(pt_schema_to_json(s, &text, NULL), PT_OK);
  CHECK(text && strstr(text, "\"properties\":{\"allow_insert_auto_id\":true}"));
  pt_schema *back = test_schema(text);
  CHECK(pt_schema_equal(s, back));
  pt_schema *plain = schema_sq("{'auto_id':true,'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}");
  CHECK(!pt_schema_equal(s, plain));
  pt_free(text);
  pt_schema_free(back);
  pt_schema_free(plain);
  pt_schema_free(s);
  SCHEMA_ERR("{'properties':{'allow_insert_auto_id':'yes'},'fields':[{'name':'id','dtype':5,'is_primary':true}]}",
             PT_TYPE_MISMATCH, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "the value for allow_insert_auto_id must be a boolean: invalid parameter");
  SCHEMA_ERR("{'properties':{'allow_insert_auto_id':1},'fields':[{'name':'id','dtype':5,'is_primary':true}]}",
             PT_TYPE_MISMATCH, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "the value for allow_insert_auto_id must be a boolean: invalid parameter");
  SCHEMA_ERR("{'properties':{'mmap.enabled':true},'fields':[{'name':'id','dtype':5,'is_primary':true}]}",
             PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "the collection property mmap.enabled is not supported by partita");
  SCHEMA_ERR("{'properties':[],'fields':[{'name':'id','dtype':5,'is_primary':true}]}",
             PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "Param properties must be dict type.");
  /* without auto_id keys the property cannot be on (Milvus's alter_properties rule) */
  pt_store *st = test_store();
  CREATE_ERR(st, "c", "{'properties':{'allow_insert_auto_id':true},'fields':[{'name':'id','dtype':5,'is_primary':true},"
                      "{'name':'v','dtype':101,'dim':2}]}",
             PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
             "the value for allow_insert_auto_id must be false when autoID is false: invalid parameter");
  pt_store_close(st);
}

TEST(names_of_types_and_statuses) {
  CHECK_STR(pt_dtype_name(PT_INT64), "INT64");
  CHECK_STR(pt_dtype_name(PT_SPARSE_FLOAT_VECTOR), "SPARSE_FLOAT_VECTOR");
  CHECK_STR(pt_dtype_name(PT_UNKNOWN), "UNKNOWN");
  CHECK(pt_dtype_name(7) == NULL);
  CHECK(pt_dtype_name(-1) == NULL);
  CHECK_STR(pt_status_str(PT_OK), "PT_OK");
  CHECK_STR(pt_status_str(PT_EXISTS), "PT_EXISTS");
  CHECK_STR(pt_status_str(PT_CONSTRAINT), "PT_CONSTRAINT");
  CHECK_STR(pt_status_str(99), "PT_UNKNOWN_STATUS");
  CHECK_STR(pt_version(), PT_VERSION_STRING);
}

TEST_MAIN(T(field_check_accepts_every_type), T(field_check_errors), T(schema_from_json_errors),
          T(schema_from_json_kwargs), T(create_counts_and_vector_fields), T(create_collection_names),
          T(create_field_names_and_keywords), T(create_primary_dynamic_auto_id_types),
          T(create_type_params), T(create_nullable_and_defaults), T(create_num_partitions),
          T(reopen_same_and_different_schema), T(collection_find_drop_list), T(partition_rules),
          T(schema_to_json_round_trip), T(names_of_types_and_statuses), T(collection_properties),
          T(schema_with_shared_names_reads_back), T(database_names))
