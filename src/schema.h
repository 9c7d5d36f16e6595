/*
 * schema.h — DataType facts, FieldSchema / CollectionSchema, and the rules that check them.
 * pymilvus's client-side checks run when a schema is built (pt_schema_from_json); Milvus's
 * CreateCollection checks run when a collection is created (pt_schema_check_create).
 */
#ifndef PT_SCHEMA_H
#define PT_SCHEMA_H

#include "common.h"

/* A field's default value, as the kind of JSON value the host gave. */
typedef enum pt_default_kind {
  PT_DEFAULT_NONE = 0,
  PT_DEFAULT_BOOL,
  PT_DEFAULT_INT,    /* an integer number */
  PT_DEFAULT_FLOAT,  /* a number with a fraction (or beyond int64) */
  PT_DEFAULT_STRING
} pt_default_kind;

typedef struct pt_default {
  pt_default_kind kind;
  bool b;
  int64_t i;
  double d;
  char *s; /* owned */
  size_t slen;
} pt_default;

typedef struct pt_field {
  char *name; /* owned, NUL-terminated */
  size_t name_len;
  char *description; /* owned */
  int32_t dtype;
  int32_t element_type; /* ARRAY elements; PT_NONE otherwise */
  int64_t field_id;     /* 100 + position, as Milvus assigns */
  bool is_primary, auto_id, nullable, is_partition_key, is_clustering_key, is_dynamic;
  bool has_auto_id;     /* auto_id was given explicitly */
  bool has_dim, has_max_length, has_max_capacity;
  int64_t dim, max_length, max_capacity;
  bool has_default;
  pt_default default_value;
  /* Text analysis (Milvus's type params of a VarChar field): enable_analyzer, enable_match, and
   * analyzer_params as the JSON text given (an object is kept as printed, a string as it is). */
  bool has_enable_analyzer, enable_analyzer, has_enable_match, enable_match;
  char *analyzer_params; /* owned, NUL-terminated; NULL when absent */
  size_t analyzer_params_len;
  /* the analyzer of a field with enable_analyzer, built once by pt_schema_check_create and kept
   * (owned; read-only, so every write, search by text and text_match plan runs this one); NULL
   * before the check and on every other field */
  struct pt_analyzer *analyzer;
  /* the output of a function (Milvus's is_function_output, set by pt_schema_check_create); a
   * BM25 output's input field index is bm25_input (-1 for every other field) */
  bool is_function_output;
  int bm25_input;
  /* derived when the collection is created (pt_schema_check_create) */
  uint32_t width;     /* elements per row: dim for dense vectors, dim/8 for binary, 1 else */
  uint32_t elem_size; /* bytes per element in storage; 0 for variable-length types */
} pt_field;

/* Milvus's FunctionType codes (schema.proto; the faces' FunctionType tables are checked against
 * them at init). A function of the schema (Milvus's FunctionSchema) is BM25 only: one VarChar
 * input with enable_analyzer, one SparseFloatVector output, no params; the others are refused. */
#define PT_FUNCTION_UNKNOWN 0
#define PT_FUNCTION_BM25 1
#define PT_FUNCTION_TEXTEMBEDDING 2
#define PT_FUNCTION_RERANK 3
#define PT_FUNCTION_MINHASH 4
#define PT_FUNCTION_MOLFINGERPRINT 5
typedef struct pt_function {
  char *name;        /* owned */
  char *description; /* owned */
  int32_t type;
  char **inputs, **outputs; /* owned names */
  size_t n_inputs, n_outputs;
  char *params; /* owned: the params object as compact JSON text ("{}" when none) */
  size_t n_params;
} pt_function;

struct pt_schema {
  pt_field *fields;
  size_t n_fields;
  pt_function *functions;
  size_t n_functions;
  char *description; /* owned */
  bool auto_id, has_auto_id;
  bool enable_dynamic_field;
  /* collection property allow_insert_auto_id (Milvus 2.6.3): an insert may give the keys of an
   * auto_id collection; has_ when the property was given (it reads back as given) */
  bool allow_insert_auto_id, has_allow_insert_auto_id;
  int primary;       /* index of the primary key, -1 when absent */
  int partition_key; /* index of the partition key, -1 when absent */
};

/* ---- DataType facts ---- */
bool pt_dtype_valid(int dtype);               /* a known code (not NONE/UNKNOWN) */
bool pt_dtype_is_vector(int dtype);
bool pt_dtype_is_dense_vector(int dtype);     /* every vector type but sparse */
bool pt_dtype_is_integer(int dtype);          /* INT8 .. INT64 */
bool pt_dtype_is_variable(int dtype);         /* stored as bytes with offsets */
const char *pt_dtype_proto_name(int dtype);   /* "Int64", "FloatVector": Milvus's proto names */
const char *pt_dtype_error_label(int dtype);  /* pymilvus's row-error label: "int64", "int" */
bool pt_dtype_int_range(int dtype, int64_t *lo, int64_t *hi);
size_t pt_dtype_scalar_size(int dtype);       /* ARRAY elements: BOOL..INT64, FLOAT, DOUBLE; 0 else */

/* ---- Schemas ---- */

/* Milvus's CreateCollection checks, in the server's order; fills the derived field facts.
 * `orm` adds pymilvus ORM Collection()'s check_schema ("No vector field is found."). */
pt_status pt_schema_check_create(pt_schema *schema, const char *coll_name, size_t coll_len,
                                 bool require_vector, bool orm, pt_error *err);

/* Deep copy; NULL on allocation failure. */
pt_schema *pt_schema_clone(const pt_schema *schema);

/* Equal as pymilvus compares schemas for Collection(name, schema) on an existing collection. */
bool pt_schema_equal(const pt_schema *a, const pt_schema *b);

/* Index of the field called (name, len), or -1. */
int pt_schema_find(const pt_schema *schema, const char *name, size_t len);

/* Checks a collection, partition or field name with Milvus's rules. */
pt_status pt_check_partition_name(const char *name, size_t len, pt_error *err);

#endif /* PT_SCHEMA_H */
