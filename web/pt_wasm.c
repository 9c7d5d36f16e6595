/*
 * pt_wasm.c — the WebAssembly boundary of partita: the only functions a host (web/src/ modules,
 * a WASI host) calls. It adapts partita.h to what crosses a wasm32 boundary: i32 numbers and
 * pointers, f64 for 64-bit counts. Used by both builds: Emscripten (exports kept with
 * EMSCRIPTEN_KEEPALIVE and listed in web/exports.txt) and WASI (export_name attributes).
 *
 * THE BOUNDARY, in one place
 * - Memory: the host lays a call's arguments out in its staging block (pt_wasm_scratch: one
 *   block kept from call to call, outside the store's memory accounting), or allocates them
 *   with pt_wasm_alloc and frees them with pt_wasm_free; every buffer the core returns (JSON
 *   text, pt_rows, a search result) says how it is freed. A query or a search answers in one
 *   pt_wasm_block, status first, which the host reads with no further call.
 *   One loan: pt_wasm_stage lends the host the unused tail of a partition's storage (and, for
 *   rows that span two segments, the start of the next) for one fixed-width column of its next
 *   write (bulk vectors written once, in place); the core
 *   owns it, the host never frees it, and it is valid until that write.
 *   pt_wasm_set_memory_limit caps what the core allocates (f64 bytes, 0: none); a call that
 *   would pass it fails with PT_NOMEM and the quota error (code 9), and changes nothing. A heap
 *   that cannot grow makes malloc return NULL (-sABORTING_MALLOC=0), reported the same way.
 * - Text: strings, JSON and requests must be UTF-8; the host sends a JS string with lone
 *   surrogates as those bytes (WTF-8), which the core refuses, rather than as U+FFFD.
 * - Structs: the host reads and writes pt_error, pt_batch_in, pt_column_in, pt_field_op,
 *   pt_vectors_in, pt_mutation_result, pt_column_out, pt_wasm_block and a store's generation
 *   counter (which tells it that the collection handles it keeps are still valid) in linear
 *   memory at the offsets that pt_wasm_constants() reports (wasm32: pointers and size_t are 4
 *   bytes). No layout is written down twice.
 * - Errors: calls that can fail report into one static pt_error (pt_wasm_error()); a host
 *   reads it right after a call returns a failure status or a null handle.
 * - Strings: UTF-8 (pointer, length) pairs; nothing needs a NUL terminator.
 * - No call re-enters the host, and nothing here throws or traps on bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partita.h"
#include "expr.h"
#include "schema.h"
#include "store.h"
#include "vindex.h"
#include "half.h"

#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
#define PT_WASM_EXPORT(name) EMSCRIPTEN_KEEPALIVE
#elif defined(__wasi__)
#define PT_WASM_EXPORT(name) __attribute__((export_name(#name), used, visibility("default")))
#else
#define PT_WASM_EXPORT(name)
#endif

#define EXPORT(ret, name) PT_WASM_EXPORT(name) ret name

static pt_error last_error;

/*
 * What a query or a search returns, in one block the host reads with no further call (its
 * layout in pt_wasm_constants): the status first, then the rows (their columns, contiguous
 * pt_column_out) and, for a search, the hits per query vector and their distances. The host
 * copies out what it needs and frees the result by its handle: pt_wasm_rows_free (a query's
 * rows) or pt_wasm_search_free (a search's result). On failure only `status` is set (the
 * error is in pt_wasm_error()).
 */
typedef struct pt_wasm_block {
  int32_t status;
  uint32_t n_rows;
  uint32_t n_columns;
  const pt_column_out *columns;
  uint32_t nq;               /* a search's query vectors */
  const uint32_t *counts;    /* hits per query vector */
  const float *distances;    /* every hit, query after query */
  int32_t key_is_output;     /* the primary key was asked for as an output field too */
  void *handle;              /* the pt_rows or pt_search_result to free */
} pt_wasm_block;

EXPORT(void *, pt_wasm_alloc)(size_t size);
EXPORT(void, pt_wasm_free)(void *ptr);
EXPORT(uint8_t *, pt_wasm_block_new)(size_t size);
EXPORT(void, pt_wasm_block_release)(uint8_t *block);
EXPORT(void, pt_wasm_log_source)(pt_store *store, uint8_t *block, size_t len);
EXPORT(void, pt_wasm_cold_source)(pt_store *store, const uint8_t *bytes, size_t len);
EXPORT(pt_error *, pt_wasm_error)(void);
EXPORT(const char *, pt_wasm_constants)(void);
EXPORT(double, pt_wasm_memory_used)(void);
EXPORT(double, pt_wasm_cold_bytes)(void);
EXPORT(void, pt_wasm_set_memory_limit)(double bytes);
EXPORT(double, pt_wasm_memory_limit)(void);
EXPORT(void, pt_wasm_memory_relief)(int on);
EXPORT(pt_store *, pt_wasm_store_open)(void);
EXPORT(void, pt_wasm_store_close)(pt_store *store);
EXPORT(pt_status, pt_wasm_field_check)(const char *json, size_t len);
EXPORT(pt_status, pt_wasm_database_name_check)(const char *name, size_t len);
EXPORT(char *, pt_wasm_run_analyzer)(const char *params, size_t plen, const char *text, size_t tlen, int detail, int hash);
EXPORT(pt_schema *, pt_wasm_schema_from_json)(const char *json, size_t len);
EXPORT(char *, pt_wasm_schema_to_json)(const pt_schema *schema);
EXPORT(void, pt_wasm_schema_free)(pt_schema *schema);
EXPORT(pt_collection *, pt_wasm_collection_create)(pt_store *store, const char *name, size_t len,
                                                   const pt_schema *schema, double num_partitions,
                                                   uint32_t flags);
EXPORT(pt_collection *, pt_wasm_collection_find)(pt_store *store, const char *name, size_t len);
EXPORT(pt_status, pt_wasm_collection_drop)(pt_store *store, const char *name, size_t len);
EXPORT(char *, pt_wasm_store_list)(pt_store *store);
EXPORT(double, pt_wasm_collection_id)(pt_collection *coll);
EXPORT(double, pt_wasm_collection_max_rows)(const pt_collection *coll);
EXPORT(char *, pt_wasm_collection_describe)(pt_collection *coll);
EXPORT(pt_status, pt_wasm_partition_create)(pt_collection *coll, const char *name, size_t len);
EXPORT(pt_status, pt_wasm_create_index)(pt_collection *coll, const char *req, size_t len);
EXPORT(pt_status, pt_wasm_drop_index)(pt_collection *coll, const char *req, size_t len);
EXPORT(char *, pt_wasm_describe_index)(pt_collection *coll, const char *req, size_t len);
EXPORT(pt_status, pt_wasm_partition_drop)(pt_collection *coll, const char *name, size_t len);
EXPORT(int, pt_wasm_partition_exists)(pt_collection *coll, const char *name, size_t len);
EXPORT(const char *, pt_wasm_search_metric)(pt_collection *coll, const char *field, size_t len);
EXPORT(void, pt_wasm_to_halves)(const float *in, size_t n, int bf16, uint16_t *out);
EXPORT(double, pt_wasm_num_entities)(pt_collection *coll, const char *partition, size_t len, int scoped);
EXPORT(pt_status, pt_wasm_write)(pt_collection *coll, const char *partition, size_t partition_len,
                                 int op, const pt_batch_in *batch, uint32_t flags,
                                 pt_mutation_result *result);
EXPORT(void *, pt_wasm_stage)(pt_collection *coll, const char *partition, size_t partition_len,
                              size_t field, size_t n_rows, size_t *split);
EXPORT(pt_status, pt_wasm_write_json)(pt_collection *coll, const char *partition, size_t partition_len,
                                      int op, const char *json, size_t len, uint32_t flags,
                                      const pt_field_op *field_ops, size_t n_field_ops,
                                      pt_mutation_result *result);
EXPORT(pt_status, pt_wasm_delete)(pt_collection *coll, const char *partition, size_t partition_len,
                                  const char *expr, size_t len, const char *params, size_t params_len,
                                  pt_mutation_result *result);
EXPORT(void, pt_wasm_mutation_result_clear)(pt_mutation_result *result);
EXPORT(void, pt_wasm_rows_free)(pt_rows *rows);
EXPORT(pt_status, pt_wasm_query_block)(pt_collection *coll, const char *request, size_t len,
                                       pt_wasm_block *out);
EXPORT(pt_status, pt_wasm_search_block)(pt_collection *coll, const char *request, size_t len,
                                        const pt_vectors_in *vectors, pt_wasm_block *out);
EXPORT(pt_status, pt_wasm_hybrid_search_block)(pt_collection *coll, const char *request, size_t len,
                                               const pt_vectors_in *vectors, size_t n_vectors, pt_wasm_block *out);
EXPORT(void, pt_wasm_search_free)(pt_search_result *r);
EXPORT(void *, pt_wasm_scratch)(size_t size);
EXPORT(int, pt_wasm_simd)(void);
EXPORT(uint8_t *, pt_wasm_collection_save)(const pt_collection *coll, uint32_t *len_out);
EXPORT(pt_collection *, pt_wasm_collection_load)(pt_store *store, const uint8_t *bytes, size_t len,
                                                 const char *name, size_t name_len);
EXPORT(double, pt_wasm_collection_compact)(pt_collection *coll, const char *partition, size_t len, int scoped);
EXPORT(void, pt_wasm_store_log)(pt_store *store, int on);
EXPORT(const uint8_t *, pt_wasm_log_pending)(pt_store *store, uint32_t *len_out);
EXPORT(void, pt_wasm_log_taken)(pt_store *store);
EXPORT(pt_status, pt_wasm_log_host)(pt_store *store, const uint8_t *bytes, size_t len);
EXPORT(void, pt_wasm_log_marker)(int end, double id, uint8_t *out);
EXPORT(uint8_t *, pt_wasm_checkpoint)(pt_store *store, double id, const uint8_t *host, size_t host_len, uint32_t *len_out);
EXPORT(double, pt_wasm_cold_drop)(pt_collection *c, const char *field, size_t len, double checkpoint);
EXPORT(double, pt_wasm_cold_reads)(pt_store *store, uint32_t i, double *out);
EXPORT(pt_status, pt_wasm_cold_done)(pt_store *store, int ok);
EXPORT(pt_status, pt_wasm_log_next)(const uint8_t *bytes, size_t len, size_t at, double *out, pt_store *store);
EXPORT(char *, pt_wasm_rows_to_json)(const pt_rows *rows, uint32_t flags);
EXPORT(char *, pt_wasm_search_to_json)(const pt_search_result *r, uint32_t flags);
EXPORT(int, pt_wasm_json_member)(const char *json, size_t len, const char *key, size_t key_len, uint32_t *out);
EXPORT(pt_status, pt_wasm_json_validate)(const char *json, size_t len, uint32_t flags);

/* ---- memory ---- */

/* Allocates through the core's allocator (so pt_memory_used counts it); 0 on failure. */
void *pt_wasm_alloc(size_t size) { return pt_alloc(size ? size : 1); }
void pt_wasm_free(void *ptr) { pt_free(ptr); }
/* A block (pt_block_new) that a store replaying it may keep parts of; 0 on failure. */
uint8_t *pt_wasm_block_new(size_t size) { return pt_block_new(size ? size : 1); }
void pt_wasm_block_release(uint8_t *block) { pt_block_release(block); }
void pt_wasm_log_source(pt_store *store, uint8_t *block, size_t len) { pt_store_log_source(store, block, len); }
void pt_wasm_cold_source(pt_store *store, const uint8_t *bytes, size_t len) { pt_store_cold_source(store, bytes, len); }
double pt_wasm_memory_used(void) { return (double)pt_memory_used(); }
double pt_wasm_cold_bytes(void) { return (double)pt_cold_bytes(); }
/* A ceiling beyond what size_t holds is no ceiling (wasm32: 4 GiB is all there is). */
void pt_wasm_set_memory_limit(double bytes) {
  pt_set_memory_limit(bytes > 0 && bytes < (double)SIZE_MAX ? (size_t)bytes : 0);
}
double pt_wasm_memory_limit(void) { return (double)pt_memory_limit(); }
void pt_wasm_memory_relief(int on) { pt_memory_relief(on); }

/* ---- errors ---- */

pt_error *pt_wasm_error(void) { return &last_error; }

static void set_error(pt_status status, const char *msg) {
  last_error.status = status;
  last_error.code = 65535;
  last_error.exc = PT_EXC_MILVUS;
  last_error.row = -1;
  last_error.field = -1;
  last_error.expr_offset = -1;
  last_error.expr_length = 0;
  snprintf(last_error.message, sizeof last_error.message, "%s", msg);
}

/* ---- constants: every code, name and struct layout a host needs, from the headers ---- */

#define OFF(type, member) (int)offsetof(type, member)

/* snprintf for %d, %u and %s only. The constants are read by init(), and the engine compiles
 * each WebAssembly function on its first call: musl's printf (with its long double code) would
 * be compiled for this one call, a measurable part of init(). */
static void format_constants(char *out, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t n = 0;
  for (const char *f = fmt; *f && n + 1 < cap; f++) {
    char num[24];
    const char *piece = num;
    if (*f != '%') {
      out[n++] = *f;
      continue;
    }
    f++;
    if (*f == 's') {
      piece = va_arg(ap, const char *);
    } else {
      long long v = *f == 'u' ? (long long)va_arg(ap, unsigned) : (long long)va_arg(ap, int);
      unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
      char *p = num + sizeof num - 1;
      *p = '\0';
      do *--p = (char)('0' + u % 10); while (u /= 10);
      if (v < 0) *--p = '-';
      piece = p;
    }
    while (*piece && n + 1 < cap) out[n++] = *piece++;
  }
  out[n] = '\0';
  va_end(ap);
}

/* Every DataType code, in the order of partita.h. */
static const int DTYPE_CODES[] = {
    PT_NONE, PT_BOOL, PT_INT8, PT_INT16, PT_INT32, PT_INT64, PT_FLOAT, PT_DOUBLE, PT_STRING,
    PT_VARCHAR, PT_ARRAY, PT_JSON, PT_GEOMETRY, PT_TEXT, PT_TIMESTAMPTZ, PT_BINARY_VECTOR,
    PT_FLOAT_VECTOR, PT_FLOAT16_VECTOR, PT_BFLOAT16_VECTOR, PT_SPARSE_FLOAT_VECTOR,
    PT_INT8_VECTOR, PT_UNKNOWN};
#define N_DTYPES (sizeof DTYPE_CODES / sizeof DTYPE_CODES[0])

/* Appends the text of fmt (format_constants' conversions) at out[*n]. */
static void append(char *out, size_t cap, size_t *n, const char *fmt, int v, const char *s) {
  if (*n + 1 >= cap) return;
  if (s) format_constants(out + *n, cap - *n, fmt, s, v);
  else format_constants(out + *n, cap - *n, fmt, v);
  *n += strlen(out + *n);
}

/* The codes of the DataTypes for which `is` holds, as a JSON array: the hosts ask these
 * questions (is it a vector?) of the core's own predicates, never of a range they copied. */
static void dtype_class(char *out, size_t cap, bool (*is)(int)) {
  size_t n = 0;
  append(out, cap, &n, "[", 0, NULL);
  for (size_t i = 0, k = 0; i < N_DTYPES; i++)
    if (is(DTYPE_CODES[i])) append(out, cap, &n, k++ ? ",%d" : "%d", DTYPE_CODES[i], NULL);
  append(out, cap, &n, "]", 0, NULL);
}

/* {"BOOL":"Bool",...}: the schema.proto name (Milvus's REST vocabulary) of every valid DataType. */
static void dtype_protos(char *out, size_t cap) {
  size_t n = 0;
  append(out, cap, &n, "{", 0, NULL);
  for (size_t i = 0, k = 0; i < N_DTYPES; i++) {
    int t = DTYPE_CODES[i];
    if (!pt_dtype_valid(t)) continue;
    append(out, cap, &n, k++ ? ",\"%s\":" : "\"%s\":", 0, pt_dtype_name(t));
    append(out, cap, &n, "\"%s\"", 0, pt_dtype_proto_name(t));
  }
  append(out, cap, &n, "}", 0, NULL);
}

const char *pt_wasm_constants(void) {
  static char buf[6144];
  if (buf[0]) return buf;
  char vector[128], dense_vector[128], integer[64], protos[640];
  dtype_class(vector, sizeof vector, pt_dtype_is_vector);
  dtype_class(dense_vector, sizeof dense_vector, pt_dtype_is_dense_vector);
  dtype_class(integer, sizeof integer, pt_dtype_is_integer);
  dtype_protos(protos, sizeof protos);
  format_constants(buf, sizeof buf,
    "{\"version\":\"%s\",\"format_version\":1,"
    "\"status\":{\"OK\":%d,\"ERROR\":%d,\"NOMEM\":%d,\"MISUSE\":%d,\"RANGE\":%d,\"SCHEMA\":%d,"
    "\"TYPE_MISMATCH\":%d,\"CONSTRAINT\":%d,\"NOT_FOUND\":%d,\"PARSE\":%d,\"LIMIT\":%d,\"EXISTS\":%d,\"CORRUPT\":%d,\"COLD\":%d},"
    "\"exception\":{\"MilvusException\":%d,\"ParamError\":%d,\"DataNotMatchException\":%d,"
    "\"DataTypeNotSupportException\":%d,\"PrimaryKeyException\":%d,\"AutoIDException\":%d,"
    "\"PartitionKeyException\":%d,\"SchemaNotReadyException\":%d,\"CollectionNotExistException\":%d},"
    "\"dtype\":{\"NONE\":%d,\"BOOL\":%d,\"INT8\":%d,\"INT16\":%d,\"INT32\":%d,\"INT64\":%d,\"FLOAT\":%d,"
    "\"DOUBLE\":%d,\"STRING\":%d,\"VARCHAR\":%d,\"ARRAY\":%d,\"JSON\":%d,\"GEOMETRY\":%d,\"TEXT\":%d,"
    "\"TIMESTAMPTZ\":%d,\"BINARY_VECTOR\":%d,\"FLOAT_VECTOR\":%d,\"FLOAT16_VECTOR\":%d,"
    "\"BFLOAT16_VECTOR\":%d,\"SPARSE_FLOAT_VECTOR\":%d,\"INT8_VECTOR\":%d,\"UNKNOWN\":%d},"
    "\"dtype_class\":{\"vector\":%s,\"dense_vector\":%s,\"integer\":%s},\"dtype_proto\":%s,"
    "\"code\":{\"CLIENT\":%d,\"QUOTA_EXCEEDED\":%d,\"COLLECTION_NOT_FOUND\":%d,\"PARTITION_NOT_FOUND\":%d,"
    "\"PARAMETER_INVALID\":%d,\"PARAMETER_MISSING\":%d,\"TOO_LARGE\":%d,\"IO_FAILED\":%d,\"UNEXPECTED\":%d},"
    "\"input\":{\"ABSENT\":%d,\"BOOL\":%d,\"INT64\":%d,\"DOUBLE\":%d,\"FLOAT32\":%d,\"BYTES\":%d,"
    "\"TEXT\":%d,\"JSON\":%d,\"INT32\":%d},"
    "\"input_bytes\":{\"BOOL\":%d,\"INT64\":%d,\"DOUBLE\":%d,\"FLOAT32\":%d,\"BYTES\":%d,\"INT32\":%d},"
    "\"cell\":{\"VALUE\":%d,\"NULL\":%d,\"MISSING\":%d,\"WRONG_TYPE\":%d,\"WRONG_LENGTH\":%d,\"OUT_OF_RANGE\":%d},"
    "\"form\":{\"ROWS\":%d,\"COLUMNS\":%d,\"DATAFRAME\":%d},"
    "\"field\":{\"DYNAMIC\":%d,\"BY_POSITION\":%d},"
    "\"op\":{\"INSERT\":%d,\"UPSERT\":%d},"
    "\"flags\":{\"DUPLICATES_LAST_WINS\":%u,\"ROWS_JSON\":%u,\"MERGE\":%u,\"CREATE_ORM\":%u,\"JSON_INT64_AS_STRING\":%u},"
    "\"field_op\":{\"REPLACE\":%d,\"ARRAY_APPEND\":%d,\"ARRAY_REMOVE\":%d},\"function\":{\"Unknown\":%d,\"BM25\":%d,\"TEXTEMBEDDING\":%d,\"RERANK\":%d,\"MINHASH\":%d,\"MOLFINGERPRINT\":%d},"
    "\"limits\":{\"MAX_NAME_LENGTH\":%d,\"MAX_FIELDS\":%d,\"MAX_DIM\":%d,\"MAX_VARCHAR_LENGTH\":%d,"
    "\"MAX_JSON_LENGTH\":%d,\"MAX_PARTITIONS\":%d,\"MAX_TOPK\":%d,\"MAX_NQ\":%d,\"MAX_BATCH_BYTES\":%u,\"MAX_EXPR_LENGTH\":%u,\"TS_LOGICAL_BITS\":%d},"
    "\"layout\":{"
    "\"pt_error\":{\"size\":%d,\"status\":%d,\"code\":%d,\"exc\":%d,\"row\":%d,\"field\":%d,"
    "\"expr_offset\":%d,\"expr_length\":%d,\"message\":%d},"
    "\"pt_batch_in\":{\"size\":%d,\"form\":%d,\"n_rows\":%d,\"n_columns\":%d,\"columns\":%d,"
    "\"n_field_ops\":%d,\"field_ops\":%d},"
    "\"pt_field_op\":{\"size\":%d,\"name\":%d,\"name_len\":%d,\"op\":%d},"
    "\"pt_column_in\":{\"size\":%d,\"field\":%d,\"kind\":%d,\"name\":%d,\"name_len\":%d,\"n_rows\":%d,"
    "\"width\":%d,\"values\":%d,\"offsets\":%d,\"cells\":%d,\"got\":%d,\"got_len\":%d,\"got_length\":%d,"
    "\"values_tail\":%d,\"head_rows\":%d},"
    "\"pt_mutation_result\":{\"size\":%d,\"insert_count\":%d,\"delete_count\":%d,\"upsert_count\":%d,"
    "\"timestamp\":%d,\"n_keys\":%d,\"key_type\":%d,\"int_keys\":%d,\"str_offsets\":%d,\"str_data\":%d,\"rows_json\":%d,\"rows_json_offsets\":%d},"
    "\"pt_column_out\":{\"size\":%d,\"name\":%d,\"dtype\":%d,\"is_dynamic\":%d,\"width\":%d,"
    "\"elem_size\":%d,\"values\":%d,\"offsets\":%d,\"valid\":%d},"
    "\"pt_vectors_in\":{\"size\":%d,\"kind\":%d,\"n\":%d,\"width\":%d,\"values\":%d,\"len\":%d,"
    "\"cells\":%d,\"got\":%d,\"got_len\":%d,\"got_length\":%d},"
    "\"pt_wasm_block\":{\"size\":%d,\"status\":%d,\"n_rows\":%d,\"n_columns\":%d,\"columns\":%d,"
    "\"nq\":%d,\"counts\":%d,\"distances\":%d,\"key_is_output\":%d,\"handle\":%d},"
    "\"pt_store\":{\"generation\":%d}},"
    "\"log\":{\"HEADER\":%d,\"END\":%d,\"HOST\":%d,\"MARKER_BYTES\":%u}}",
    PT_VERSION_STRING,
    PT_OK, PT_ERROR, PT_NOMEM, PT_MISUSE, PT_RANGE, PT_SCHEMA, PT_TYPE_MISMATCH, PT_CONSTRAINT,
    PT_NOT_FOUND, PT_PARSE, PT_LIMIT, PT_EXISTS, PT_CORRUPT, PT_COLD,
    PT_EXC_MILVUS, PT_EXC_PARAM, PT_EXC_DATA_NOT_MATCH, PT_EXC_DATA_TYPE_NOT_SUPPORT,
    PT_EXC_PRIMARY_KEY, PT_EXC_AUTO_ID, PT_EXC_PARTITION_KEY, PT_EXC_SCHEMA_NOT_READY,
    PT_EXC_COLLECTION_NOT_EXIST,
    PT_NONE, PT_BOOL, PT_INT8, PT_INT16, PT_INT32, PT_INT64, PT_FLOAT, PT_DOUBLE, PT_STRING,
    PT_VARCHAR, PT_ARRAY, PT_JSON, PT_GEOMETRY, PT_TEXT, PT_TIMESTAMPTZ, PT_BINARY_VECTOR,
    PT_FLOAT_VECTOR, PT_FLOAT16_VECTOR, PT_BFLOAT16_VECTOR, PT_SPARSE_FLOAT_VECTOR,
    PT_INT8_VECTOR, PT_UNKNOWN,
    vector, dense_vector, integer, protos,
    PT_CODE_CLIENT, PT_CODE_QUOTA_EXCEEDED, PT_CODE_COLLECTION_NOT_FOUND, PT_CODE_PARTITION_NOT_FOUND,
    PT_CODE_PARAMETER_INVALID, PT_CODE_PARAMETER_MISSING, PT_CODE_TOO_LARGE, PT_CODE_IO_FAILED, PT_CODE_UNEXPECTED,
    PT_IN_ABSENT, PT_IN_BOOL, PT_IN_INT64, PT_IN_DOUBLE, PT_IN_FLOAT32, PT_IN_BYTES, PT_IN_TEXT,
    PT_IN_JSON, PT_IN_INT32,
    /* bytes per value of the fixed-width input kinds (partita.h, pt_input_kind) */
    (int)sizeof(uint8_t), (int)sizeof(int64_t), (int)sizeof(double), (int)sizeof(float),
    (int)sizeof(uint8_t), (int)sizeof(int32_t),
    PT_CELL_VALUE, PT_CELL_NULL, PT_CELL_MISSING, PT_CELL_WRONG_TYPE, PT_CELL_WRONG_LENGTH,
    PT_CELL_OUT_OF_RANGE,
    PT_FORM_ROWS, PT_FORM_COLUMNS, PT_FORM_DATAFRAME,
    PT_FIELD_DYNAMIC, PT_FIELD_BY_POSITION,
    PT_OP_INSERT, PT_OP_UPSERT,
    (unsigned)PT_WRITE_DUPLICATES_LAST_WINS, (unsigned)PT_WRITE_ROWS_JSON, (unsigned)PT_WRITE_MERGE,
    (unsigned)PT_CREATE_ORM, (unsigned)PT_JSON_INT64_AS_STRING,
    PT_FIELD_OP_REPLACE, PT_FIELD_OP_ARRAY_APPEND, PT_FIELD_OP_ARRAY_REMOVE, PT_FUNCTION_UNKNOWN, PT_FUNCTION_BM25,
    PT_FUNCTION_TEXTEMBEDDING, PT_FUNCTION_RERANK, PT_FUNCTION_MINHASH, PT_FUNCTION_MOLFINGERPRINT,
    PT_MAX_NAME_LENGTH, PT_MAX_FIELDS, PT_MAX_DIM, PT_MAX_VARCHAR_LENGTH, PT_MAX_JSON_LENGTH,
    PT_MAX_PARTITIONS, PT_MAX_TOPK, PT_MAX_NQ, (unsigned)PT_MAX_BATCH_BYTES, (unsigned)PT_EXPR_MAX_LENGTH, PT_TS_LOGICAL_BITS,
    (int)sizeof(pt_error), OFF(pt_error, status), OFF(pt_error, code), OFF(pt_error, exc),
    OFF(pt_error, row), OFF(pt_error, field), OFF(pt_error, expr_offset), OFF(pt_error, expr_length),
    OFF(pt_error, message),
    (int)sizeof(pt_batch_in), OFF(pt_batch_in, form), OFF(pt_batch_in, n_rows),
    OFF(pt_batch_in, n_columns), OFF(pt_batch_in, columns), OFF(pt_batch_in, n_field_ops),
    OFF(pt_batch_in, field_ops),
    (int)sizeof(pt_field_op), OFF(pt_field_op, name), OFF(pt_field_op, name_len), OFF(pt_field_op, op),
    (int)sizeof(pt_column_in), OFF(pt_column_in, field), OFF(pt_column_in, kind),
    OFF(pt_column_in, name), OFF(pt_column_in, name_len), OFF(pt_column_in, n_rows),
    OFF(pt_column_in, width), OFF(pt_column_in, values), OFF(pt_column_in, offsets),
    OFF(pt_column_in, cells), OFF(pt_column_in, got), OFF(pt_column_in, got_len),
    OFF(pt_column_in, got_length), OFF(pt_column_in, values_tail), OFF(pt_column_in, head_rows),
    (int)sizeof(pt_mutation_result), OFF(pt_mutation_result, insert_count),
    OFF(pt_mutation_result, delete_count), OFF(pt_mutation_result, upsert_count),
    OFF(pt_mutation_result, timestamp), OFF(pt_mutation_result, n_keys),
    OFF(pt_mutation_result, key_type), OFF(pt_mutation_result, int_keys),
    OFF(pt_mutation_result, str_offsets), OFF(pt_mutation_result, str_data),
    OFF(pt_mutation_result, rows_json), OFF(pt_mutation_result, rows_json_offsets),
    (int)sizeof(pt_column_out), OFF(pt_column_out, name), OFF(pt_column_out, dtype),
    OFF(pt_column_out, is_dynamic), OFF(pt_column_out, width), OFF(pt_column_out, elem_size),
    OFF(pt_column_out, values), OFF(pt_column_out, offsets), OFF(pt_column_out, valid),
    (int)sizeof(pt_vectors_in), OFF(pt_vectors_in, kind), OFF(pt_vectors_in, n), OFF(pt_vectors_in, width),
    OFF(pt_vectors_in, values), OFF(pt_vectors_in, len), OFF(pt_vectors_in, cells), OFF(pt_vectors_in, got),
    OFF(pt_vectors_in, got_len), OFF(pt_vectors_in, got_length),
    (int)sizeof(pt_wasm_block), OFF(pt_wasm_block, status), OFF(pt_wasm_block, n_rows),
    OFF(pt_wasm_block, n_columns), OFF(pt_wasm_block, columns), OFF(pt_wasm_block, nq),
    OFF(pt_wasm_block, counts), OFF(pt_wasm_block, distances), OFF(pt_wasm_block, key_is_output),
    OFF(pt_wasm_block, handle),
    OFF(struct pt_store, generation),
    PT_LOG_HEADER, PT_LOG_END, PT_LOG_HOST, PT_LOG_MARKER_BYTES);
  return buf;
}

/* ---- store, schema, collections ---- */

pt_store *pt_wasm_store_open(void) {
  pt_store *s = NULL;
  if (pt_store_open(NULL, &s) != PT_OK) set_error(PT_NOMEM, "out of memory");
  return s;
}
void pt_wasm_store_close(pt_store *store) { pt_store_close(store); }

pt_status pt_wasm_field_check(const char *json, size_t len) { return pt_field_check_json(json, len, &last_error); }
pt_status pt_wasm_database_name_check(const char *name, size_t len) { return pt_check_database_name(name, len, &last_error); }

/* The tokens of one text as JSON (pt_run_analyzer); free with pt_wasm_free. 0 on an error. */
char *pt_wasm_run_analyzer(const char *params, size_t plen, const char *text, size_t tlen, int detail, int hash) {
  char *out = NULL;
  pt_run_analyzer(params, plen, text, tlen, detail, hash, &out, NULL, &last_error);
  return out;
}

pt_schema *pt_wasm_schema_from_json(const char *json, size_t len) {
  pt_schema *s = NULL;
  pt_schema_from_json(json, len, &s, &last_error);
  return s;
}

/* JSON text, NUL-terminated; free it with pt_wasm_free. 0 on allocation failure. */
char *pt_wasm_schema_to_json(const pt_schema *schema) {
  char *out = NULL;
  pt_schema_to_json(schema, &out, NULL);
  return out;
}
void pt_wasm_schema_free(pt_schema *schema) { pt_schema_free(schema); }

pt_collection *pt_wasm_collection_create(pt_store *store, const char *name, size_t len,
                                         const pt_schema *schema, double num_partitions, uint32_t flags) {
  pt_collection_options opts = {(int64_t)num_partitions, flags};
  pt_collection *c = NULL;
  pt_collection_create(store, name, len, schema, &opts, &c, &last_error);
  return c;
}

pt_collection *pt_wasm_collection_find(pt_store *store, const char *name, size_t len) {
  return pt_collection_find(store, name, len);
}

pt_status pt_wasm_collection_drop(pt_store *store, const char *name, size_t len) {
  pt_status rc = pt_collection_drop(store, name, len);
  if (rc == PT_NOMEM) pt_fail_nomem(&last_error); /* its log record could not be allocated */
  return rc;
}

double pt_wasm_collection_id(pt_collection *coll) { return (double)pt_collection_id(coll); }

double pt_wasm_collection_max_rows(const pt_collection *coll) { return (double)pt_collection_max_batch_rows(coll); }

/* Appends `s` as a JSON string literal. */
static size_t put_json_string(char *out, size_t at, size_t cap, const char *s, size_t len) {
  if (at < cap) out[at] = '"';
  at++;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      if (at + 1 < cap) { out[at] = '\\'; out[at + 1] = (char)c; }
      at += 2;
    } else if (c < 0x20) {
      char tmp[8];
      snprintf(tmp, sizeof tmp, "\\u%04x", c);
      for (int k = 0; k < 6; k++, at++) if (at < cap) out[at] = tmp[k];
    } else {
      if (at < cap) out[at] = (char)c;
      at++;
    }
  }
  if (at < cap) out[at] = '"';
  return at + 1;
}

/* ["a","b"]: the collections of a store. Free with pt_wasm_free. */
char *pt_wasm_store_list(pt_store *store) {
  for (size_t cap = 256;; cap *= 2) {
    char *out = pt_wasm_alloc(cap);
    if (!out) return NULL;
    size_t at = 0;
    out[at++] = '[';
    for (size_t i = 0; i < pt_store_num_collections(store); i++) {
      size_t len;
      const char *name = pt_store_collection_name(store, i, &len);
      if (i && at < cap) out[at] = ',';
      if (i) at++;
      at = put_json_string(out, at, cap, name, len);
    }
    if (at + 2 <= cap) {
      out[at++] = ']';
      out[at] = '\0';
      return out;
    }
    pt_wasm_free(out);
  }
}

/* {"name":..., "schema":{...}, "partitions":[{"name":..., "num_entities":n}, ...]}.
 * Free with pt_wasm_free; 0 on allocation failure. */
char *pt_wasm_collection_describe(pt_collection *coll) {
  char *schema = NULL;
  if (pt_schema_to_json(pt_collection_schema(coll), &schema, NULL) != PT_OK) return NULL;
  for (size_t cap = 1024 + strlen(schema);; cap *= 2) {
    char *out = pt_wasm_alloc(cap);
    if (!out) { pt_free(schema); return NULL; }
    const char *name = pt_collection_name(coll);
    size_t at = 0;
    int n = snprintf(out, cap, "{\"id\":%llu,\"name\":", (unsigned long long)pt_collection_id(coll));
    at = (size_t)n;
    at = put_json_string(out, at, cap, name, strlen(name));
    n = snprintf(at < cap ? out + at : NULL, at < cap ? cap - at : 0, ",\"schema\":%s,\"partitions\":[", schema);
    at += (size_t)n;
    for (size_t i = 0; i < pt_collection_num_partitions(coll); i++) {
      size_t len;
      const char *p = pt_collection_partition_name(coll, i, &len);
      if (i) { if (at < cap) out[at] = ','; at++; }
      n = snprintf(at < cap ? out + at : NULL, at < cap ? cap - at : 0, "{\"name\":");
      at += (size_t)n;
      at = put_json_string(out, at, cap, p, len);
      n = snprintf(at < cap ? out + at : NULL, at < cap ? cap - at : 0, ",\"num_entities\":%llu}",
                   (unsigned long long)pt_collection_num_entities(coll, p, len));
      at += (size_t)n;
    }
    if (at + 3 <= cap) {
      out[at++] = ']';
      out[at++] = '}';
      out[at] = '\0';
      pt_free(schema);
      return out;
    }
    pt_wasm_free(out);
  }
}

pt_status pt_wasm_create_index(pt_collection *coll, const char *req, size_t len) {
  return pt_collection_create_index(coll, req, len, &last_error);
}
pt_status pt_wasm_drop_index(pt_collection *coll, const char *req, size_t len) {
  return pt_collection_drop_index(coll, req, len, &last_error);
}
/* The indexes a request names as JSON (pt_collection_describe_index); free with pt_wasm_free.
 * 0 on an error. */
char *pt_wasm_describe_index(pt_collection *coll, const char *req, size_t len) {
  char *out = NULL;
  size_t n = 0;
  pt_collection_describe_index(coll, req, len, &out, &n, &last_error);
  return out;
}

pt_status pt_wasm_partition_create(pt_collection *coll, const char *name, size_t len) {
  return pt_partition_create(coll, name, len, &last_error);
}
pt_status pt_wasm_partition_drop(pt_collection *coll, const char *name, size_t len) {
  return pt_partition_drop(coll, name, len, &last_error);
}
int pt_wasm_partition_exists(pt_collection *coll, const char *name, size_t len) {
  return pt_partition_exists(coll, name, len);
}

/* n floats as IEEE halves (bf16 0) or bfloat16s (1), rounded as the core rounds a written vector. */
void pt_wasm_to_halves(const float *in, size_t n, int bf16, uint16_t *out) {
  for (size_t i = 0; i < n; i++) out[i] = bf16 ? pt_f32_to_bf16(in[i]) : pt_f32_to_f16(in[i]);
}

/* The metric a search of vector field `field` takes when it names none: its index's, else the
 * field type's default (vindex.c's one rule); NULL when no vector field has that name. */
const char *pt_wasm_search_metric(pt_collection *coll, const char *field, size_t len) {
  int fi = pt_schema_find(coll->schema, field, len);
  return fi >= 0 && pt_dtype_is_vector(coll->schema->fields[fi].dtype) ? pt_vindex_search_metric(coll, fi) : NULL;
}
double pt_wasm_num_entities(pt_collection *coll, const char *partition, size_t len, int scoped) {
  return (double)pt_collection_num_entities(coll, scoped ? partition : NULL, len);
}

/* ---- mutations ---- */

pt_status pt_wasm_write(pt_collection *coll, const char *partition, size_t partition_len, int op,
                        const pt_batch_in *batch, uint32_t flags, pt_mutation_result *result) {
  return pt_collection_write(coll, partition, partition_len, (pt_op)op, batch, flags, result, &last_error);
}

/* pt_collection_stage_split: split[0] gets head_rows, split[1] the tail (0: one block). */
void *pt_wasm_stage(pt_collection *coll, const char *partition, size_t partition_len, size_t field,
                    size_t n_rows, size_t *split) {
  void *tail;
  void *head = pt_collection_stage_split(coll, partition, partition_len, field, n_rows, &split[0], &tail);
  split[1] = (size_t)(uintptr_t)tail;
  return head;
}

pt_status pt_wasm_write_json(pt_collection *coll, const char *partition, size_t partition_len, int op,
                             const char *json, size_t len, uint32_t flags, const pt_field_op *field_ops,
                             size_t n_field_ops, pt_mutation_result *result) {
  return pt_collection_write_json_ops(coll, partition, partition_len, (pt_op)op, json, len, flags, field_ops,
                                      n_field_ops, result, &last_error);
}

pt_status pt_wasm_delete(pt_collection *coll, const char *partition, size_t partition_len,
                         const char *expr, size_t len, const char *params, size_t params_len,
                         pt_mutation_result *result) {
  return pt_collection_delete_with_params(coll, partition, partition_len, expr, len, params, params_len, result,
                                          &last_error);
}

void pt_wasm_mutation_result_clear(pt_mutation_result *result) { pt_mutation_result_clear(result); }

/* ---- reads ---- */

static void block_rows(const pt_rows *rows, pt_wasm_block *out) {
  out->n_rows = (uint32_t)pt_rows_count(rows);
  out->n_columns = (uint32_t)pt_rows_num_columns(rows);
  out->columns = pt_rows_column(rows, 0);
}

pt_status pt_wasm_query_block(pt_collection *coll, const char *request, size_t len, pt_wasm_block *out) {
  pt_rows *rows = NULL;
  memset(out, 0, sizeof *out);
  out->status = pt_collection_query(coll, request, len, &rows, &last_error);
  if (out->status != PT_OK) return out->status;
  block_rows(rows, out);
  out->handle = rows;
  return PT_OK;
}
void pt_wasm_rows_free(pt_rows *rows) { pt_rows_free(rows); }

/* ---- search ---- */

/* A search's result into a block (search and hybrid search). */
static pt_status search_block(pt_search_result *r, pt_wasm_block *out) {
  if (out->status != PT_OK) return out->status;
  block_rows(pt_search_rows(r), out);
  out->nq = (uint32_t)pt_search_nq(r);
  out->counts = pt_search_counts(r);
  out->distances = pt_search_distances(r);
  out->key_is_output = pt_search_key_is_output(r);
  out->handle = r;
  return PT_OK;
}
pt_status pt_wasm_search_block(pt_collection *coll, const char *request, size_t len, const pt_vectors_in *vectors,
                               pt_wasm_block *out) {
  pt_search_result *r = NULL;
  memset(out, 0, sizeof *out);
  out->status = pt_collection_search_vectors(coll, request, len, vectors, &r, &last_error);
  return search_block(r, out);
}
/* `vectors`: n_vectors pt_vectors_in, one per sub-request, in one array. */
pt_status pt_wasm_hybrid_search_block(pt_collection *coll, const char *request, size_t len, const pt_vectors_in *vectors,
                                      size_t n_vectors, pt_wasm_block *out) {
  pt_search_result *r = NULL;
  memset(out, 0, sizeof *out);
  out->status = pt_collection_hybrid_search(coll, request, len, vectors, n_vectors, &r, &last_error);
  return search_block(r, out);
}
void pt_wasm_search_free(pt_search_result *r) { pt_search_free(r); }

/* ---- the host's staging block ---- */

/* One block the host stages a call's arguments in (request text, strings, a batch's buffers,
 * query vectors), kept from call to call so that a call makes no allocation of its own: at
 * least `size` bytes (its old contents are not kept when it grows), or NULL when memory ran
 * out; 0 gives it back. It is the host's, not the store's: outside pt_memory_used and the
 * memory ceiling (a host keeps it small: it gives back a large one after the call). */
void *pt_wasm_scratch(size_t size) {
  static void *block;
  static size_t cap;
  if (size == 0 || size > cap) {
    free(block);
    block = NULL;
    cap = 0;
    if (size == 0) return NULL;
    if (!(block = malloc(size))) return NULL;
    cap = size;
  }
  return block;
}

/* ---- REST v2 JSON ---- */

/* NUL-terminated JSON text (free with pt_wasm_free); 0 on failure (pt_wasm_error says why). */
char *pt_wasm_rows_to_json(const pt_rows *rows, uint32_t flags) {
  char *out = NULL;
  pt_rows_to_json(rows, flags, &out, NULL, &last_error);
  return out;
}
char *pt_wasm_search_to_json(const pt_search_result *r, uint32_t flags) {
  char *out = NULL;
  pt_search_to_json(r, flags, &out, NULL, &last_error);
  return out;
}
/* 1 found (out[0] = start, out[1] = length of the value's text), 0 absent, -1 not an object. */
int pt_wasm_json_member(const char *json, size_t len, const char *key, size_t key_len, uint32_t *out) {
  size_t start = 0, n = 0;
  int rc = pt_json_member(json, len, key, key_len, &start, &n);
  if (rc == 1) {
    out[0] = (uint32_t)start;
    out[1] = (uint32_t)n;
  }
  return rc;
}

/* PT_OK, or PT_PARSE with pt_wasm_error saying what is wrong (pt_json_validate). */
pt_status pt_wasm_json_validate(const char *json, size_t len, uint32_t flags) {
  return pt_json_validate(json, len, flags, &last_error);
}

/* ---- snapshots and compaction ---- */

/* The snapshot bytes (free with pt_wasm_free), their length in *len_out; 0 on failure
 * (pt_wasm_error says why). */
uint8_t *pt_wasm_collection_save(const pt_collection *coll, uint32_t *len_out) {
  uint8_t *out = NULL;
  size_t len = 0;
  if (pt_collection_save(coll, &out, &len, &last_error) != PT_OK) return NULL;
  *len_out = (uint32_t)len;
  return out;
}

/* The loaded collection (name 0: the saved one); 0 on failure, the store unchanged. */
pt_collection *pt_wasm_collection_load(pt_store *store, const uint8_t *bytes, size_t len, const char *name,
                                       size_t name_len) {
  pt_collection *c = NULL;
  pt_collection_load(store, bytes, len, name, name_len, &c, &last_error);
  return c;
}

/* Rows removed by compacting the collection (scoped: one partition); -1 on failure. */
double pt_wasm_collection_compact(pt_collection *coll, const char *partition, size_t len, int scoped) {
  uint64_t removed = 0;
  if (pt_collection_compact(coll, scoped ? partition : NULL, len, &removed, &last_error) != PT_OK) return -1;
  return (double)removed;
}

/* ---- the mutation log (wal.c) ---- */

void pt_wasm_store_log(pt_store *store, int on) { pt_store_log(store, on); }

/* The pending records and their length in *len_out (0 and NULL: none). */
const uint8_t *pt_wasm_log_pending(pt_store *store, uint32_t *len_out) {
  size_t len = 0;
  const uint8_t *p = pt_store_log_pending(store, &len);
  *len_out = (uint32_t)len;
  return p;
}

void pt_wasm_log_taken(pt_store *store) { pt_store_log_taken(store); }

pt_status pt_wasm_log_host(pt_store *store, const uint8_t *bytes, size_t len) {
  return pt_store_log_host(store, bytes, len, &last_error);
}

void pt_wasm_log_marker(int end, double id, uint8_t *out) { pt_log_marker(end, (uint64_t)id, out); }

/* The checkpoint's bytes (free with pt_wasm_free), their length in *len_out; 0 on failure. */
uint8_t *pt_wasm_checkpoint(pt_store *store, double id, const uint8_t *host, size_t host_len, uint32_t *len_out) {
  uint8_t *out = NULL;
  size_t len = 0;
  if (pt_store_checkpoint(store, (uint64_t)id, host, host_len, &out, &len, &last_error) != PT_OK) return NULL;
  *len_out = (uint32_t)len;
  return out;
}

/* pt_collection_cold_drop: the bytes given back, or -1 on failure (pt_wasm_error). */
double pt_wasm_cold_drop(pt_collection *c, const char *field, size_t len, double checkpoint) {
  uint64_t dropped = 0;
  if (pt_collection_cold_drop(c, field, len, (uint64_t)checkpoint, &dropped, &last_error) != PT_OK) return -1;
  return (double)dropped;
}

/* pt_store_cold_reads: how many reads the last PT_COLD waits for (-1 on failure, pt_wasm_error);
 * read i's checkpoint id, offset, length and where its bytes go as 4 doubles into `out`. */
double pt_wasm_cold_reads(pt_store *store, uint32_t i, double *out) {
  const pt_cold_read *r;
  size_t n;
  if (pt_store_cold_reads(store, &r, &n, &last_error) != PT_OK) return -1;
  if (i < n) {
    out[0] = (double)r[i].checkpoint;
    out[1] = (double)r[i].at;
    out[2] = (double)r[i].len;
    out[3] = (double)(uintptr_t)r[i].dst;
  }
  return (double)n;
}

pt_status pt_wasm_cold_done(pt_store *store, int ok) { return pt_store_cold_done(store, ok, &last_error); }

/* pt_log_next (store NULL), or pt_log_apply_next into `store`, into 7 doubles: type, length,
 * the first item's offset in `bytes` (-1: absent), its length, torn (on PT_CORRUPT), a HEADER /
 * END record's checkpoint id, and 1 when the record was read and handed to be applied. */
pt_status pt_wasm_log_next(const uint8_t *bytes, size_t len, size_t at, double *out, pt_store *store) {
  pt_log_record rec;
  int applied = 0;
  pt_status rc = store ? pt_log_apply_next(store, bytes, len, at, &rec, &applied, &last_error)
                       : pt_log_next(bytes, len, at, &rec, &last_error);
  out[0] = rec.type;
  out[1] = (double)rec.length;
  out[2] = rec.item ? (double)(rec.item - bytes) : -1;
  out[3] = (double)rec.item_len;
  out[4] = rec.torn;
  uint64_t id = 0;
  if (rc == PT_OK && (rec.type == PT_LOG_HEADER || rec.type == PT_LOG_END))
    for (int i = 7; i >= 0; i--) id = id << 8 | rec.item[i];
  out[5] = (double)id;
  out[6] = applied;
  return rc;
}

/* 1 when the vector kernels of this build are WebAssembly SIMD128 ones. */
int pt_wasm_simd(void) {
#ifdef __wasm_simd128__
  return 1;
#else
  return 0;
#endif
}
