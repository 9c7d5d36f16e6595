/*
 * partita.h — the C contract of partita's core.
 *
 * partita keeps Milvus-style partitioned collections in memory: a schema checked with Milvus's
 * rules, batches normalised from row or column input, an append-only columnar store per
 * partition with a primary-key hash index and tombstones, and insert / upsert / delete / query
 * with Milvus 2.6 semantics. The core knows nothing of JavaScript, Emscripten or WASI and does no
 * I/O; `web/pt_wasm.c` adapts this header to WebAssembly hosts.
 *
 * Conventions used by every function below:
 * - Fallible functions return a `pt_status` (PT_OK = 0) and write results through out-params.
 * - `pt_error *err` may be NULL. When given, it is cleared on success and filled on failure with
 *   the status, the Milvus error code, the pymilvus exception class and the Milvus message.
 * - A failed call leaves every handle exactly as it was before the call.
 * - Strings are (pointer, length) pairs of UTF-8 and need no NUL terminator.
 * - Every `*_free` / `*_close` / `*_clear` accepts NULL (or an empty struct) as a no-op.
 * - Memory returned to the caller says who owns it; whatever the core allocates goes through the
 *   allocator installed with pt_set_allocator().
 */
#ifndef PARTITA_H
#define PARTITA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ============================================================================================ */
/* Compile-time options                                                                          */
/* ============================================================================================ */

/* PT_API marks the public functions. The build compiles src/ with hidden visibility, so only
 * these symbols leave a shared library; the WebAssembly shims export their own wrappers. */
#ifndef PT_API
#  if defined(__GNUC__) || defined(__clang__)
#    define PT_API __attribute__((visibility("default")))
#  else
#    define PT_API
#  endif
#endif

/* ============================================================================================ */
/* Version                                                                                       */
/* ============================================================================================ */

#define PT_VERSION_MAJOR 0
#define PT_VERSION_MINOR 1
#define PT_VERSION_PATCH 0
#define PT_VERSION_STRING "0.1.0"

/** Hybrid timestamps (write results) are Milvus's: physical milliseconds << 18 | a logical count. */
#define PT_TS_LOGICAL_BITS 18

/** The library version, "MAJOR.MINOR.PATCH"; a static string. */
PT_API const char *pt_version(void);

/* The snapshot format written by pt_collection_save; pt_collection_load reads versions 1 up to
 * this one and refuses newer ones. 2: the sections' CRCs are chained, so their order is checked.
 * 3: the indexes section. 4: 64-bit checks (pt_hash64) instead of CRC-32, payloads and
 * fixed-width columns 8-aligned. 5: indexes 8-aligned (an HNSW graph's arrays kept where
 * they were read). */
#define PT_SNAPSHOT_FORMAT_VERSION 5

/* ============================================================================================ */
/* Status codes                                                                                  */
/* ============================================================================================ */

typedef int pt_status;
/* BEGIN status codes (stable numbers; pt_status_str() names them) */
#define PT_OK 0            /* success */
#define PT_ERROR 1         /* generic failure */
#define PT_NOMEM 2         /* an allocation failed; nothing was changed */
#define PT_MISUSE 3        /* the API was called wrongly (NULL handle, bad enum) */
#define PT_RANGE 4         /* a value is outside the range of its type or a limit */
#define PT_SCHEMA 5        /* the schema, or a batch's shape against it, is invalid */
#define PT_TYPE_MISMATCH 6 /* a value has the wrong type for its field */
#define PT_CONSTRAINT 7    /* a constraint was violated (duplicate key in one upsert batch) */
#define PT_NOT_FOUND 8     /* a collection, partition or field does not exist */
#define PT_PARSE 9         /* JSON or filter-expression syntax error */
#define PT_LIMIT 10        /* a size limit was exceeded */
#define PT_EXISTS 11       /* the object exists and differs from the one asked for */
#define PT_CORRUPT 12      /* a snapshot is truncated, corrupted, foreign or of a newer format */
#define PT_COLD 13         /* rows the call needs are cold: read them back (pt_store_cold_reads,
                            * pt_store_cold_done) and call again; nothing was changed */
/* END status codes */

/** A static name for a status code ("PT_OK", "PT_NOMEM", ...). */
PT_API const char *pt_status_str(pt_status status);

/* pymilvus exception classes: pt_error.exc says which one a host should raise. Server-side
 * errors are plain MilvusException; client-side checks use pymilvus's subclasses. */
typedef enum pt_exception {
  PT_EXC_MILVUS = 0,                /* MilvusException (server errors) */
  PT_EXC_PARAM = 1,                 /* ParamError */
  PT_EXC_DATA_NOT_MATCH = 2,        /* DataNotMatchException */
  PT_EXC_DATA_TYPE_NOT_SUPPORT = 3, /* DataTypeNotSupportException */
  PT_EXC_PRIMARY_KEY = 4,           /* PrimaryKeyException */
  PT_EXC_AUTO_ID = 5,               /* AutoIDException */
  PT_EXC_PARTITION_KEY = 6,         /* PartitionKeyException */
  PT_EXC_SCHEMA_NOT_READY = 7,      /* SchemaNotReadyException */
  PT_EXC_COLLECTION_NOT_EXIST = 8,  /* CollectionNotExistException */
  PT_EXC_COUNT_ = 9
} pt_exception;

/* Milvus / pymilvus numeric error codes found in pt_error.code. */
#define PT_CODE_CLIENT 1                 /* pymilvus client-side checks (ErrorCode.UNEXPECTED_ERROR) */
#define PT_CODE_QUOTA_EXCEEDED 9         /* merr.ErrServiceQuotaExceeded: the memory ceiling */
#define PT_CODE_COLLECTION_NOT_FOUND 100 /* merr.ErrCollectionNotFound */
#define PT_CODE_PARTITION_NOT_FOUND 200  /* merr.ErrPartitionNotFound */
#define PT_CODE_PARAMETER_INVALID 1100   /* merr.ErrParameterInvalid */
#define PT_CODE_PARAMETER_MISSING 1101   /* merr.ErrParameterMissing */
#define PT_CODE_TOO_LARGE 1102           /* merr.ErrParameterTooLarge */
#define PT_CODE_IO_FAILED 1001           /* merr.ErrIoFailed: rows read back do not match (cold rows) */
#define PT_CODE_UNEXPECTED 65535         /* a plain server error (errors.New) */

#define PT_ERROR_MESSAGE_MAX 1024

/** Where and why a call failed; see the conventions at the top of this file. */
typedef struct pt_error {
  pt_status status;                  /* PT_OK when there is no error */
  int32_t code;                      /* Milvus error code (PT_CODE_*) */
  int32_t exc;                       /* pt_exception */
  int64_t row;                       /* offending row of a batch, or -1 */
  int32_t field;                     /* offending schema field index, or -1 */
  int32_t expr_offset;               /* filter expressions: byte offset of the offending text, or -1 */
  int32_t expr_length;               /* filter expressions: its length in bytes */
  char message[PT_ERROR_MESSAGE_MAX]; /* NUL-terminated Milvus-style message */
} pt_error;

/* ============================================================================================ */
/* Allocator                                                                                     */
/* ============================================================================================ */

/** Allocation hooks, libc-shaped with a context pointer. `realloc` may be called with NULL. */
typedef struct pt_allocator {
  void *(*malloc)(void *ctx, size_t size);
  void *(*realloc)(void *ctx, void *ptr, size_t size);
  void (*free)(void *ctx, void *ptr);
  void *ctx;
} pt_allocator;

/**
 * Installs the allocator used by the core and by cJSON, process-wide (like SQLite's
 * SQLITE_CONFIG_MALLOC). Call it before any store exists; NULL restores libc.
 * @return PT_MISUSE if a store is open or a hook is missing.
 */
PT_API pt_status pt_set_allocator(const pt_allocator *allocator);

/** Allocates `size` bytes through the core's allocator (for buffers a host passes in); NULL on
 * failure. Free with pt_free(). */
PT_API void *pt_alloc(size_t size);

/** Frees memory the core handed to the caller (pt_schema_to_json output, ...). NULL is a no-op. */
PT_API void pt_free(void *ptr);

/** Bytes currently allocated through the core's allocator (all stores, cJSON included). */
PT_API size_t pt_memory_used(void);

/** Bytes of rows dropped from memory and held by checkpoints instead (all stores; "Cold rows"). */
PT_API size_t pt_cold_bytes(void);

/**
 * Sets a ceiling on pt_memory_used(), process-wide; 0 (the default) means none. An allocation
 * that would pass it fails like any allocation failure: the call returns PT_NOMEM, changes
 * nothing, and its pt_error carries Milvus's quota error (code PT_CODE_QUOTA_EXCEEDED, "memory
 * quota exceeded, please allocate more resources: quota exceeded[limit=...]"). A ceiling below
 * what is in use refuses every further growth; memory already held is never taken away.
 */
PT_API void pt_set_memory_limit(size_t bytes);

/** The ceiling set with pt_set_memory_limit (0: none). */
PT_API size_t pt_memory_limit(void);

/* How far past the ceiling an operation that frees memory may go while it runs. */
#define PT_MEMORY_RELIEF ((size_t)16 << 20)

/**
 * Operations that free memory work at and above the ceiling, or a store at its ceiling could
 * never shrink: pt_collection_drop and pt_partition_drop allocate nothing, and while
 * pt_collection_delete or pt_collection_compact runs, the ceiling stands PT_MEMORY_RELIEF bytes
 * above the larger of itself and the bytes in use when it began (for its filter, its selection,
 * the one segment compaction builds at a time); all of it is given back before it returns. A
 * host that allocates around such a call (the name or filter it passes, with pt_alloc) wraps
 * both in pt_memory_relief(1) ... pt_memory_relief(0); pairs nest.
 */
PT_API void pt_memory_relief(int on);

/* ============================================================================================ */
/* Data types                                                                                    */
/* ============================================================================================ */

/** Milvus DataType, with the numeric codes of schema.proto and pymilvus. */
typedef enum pt_dtype {
  PT_NONE = 0,
  PT_BOOL = 1,
  PT_INT8 = 2,
  PT_INT16 = 3,
  PT_INT32 = 4,
  PT_INT64 = 5,
  PT_FLOAT = 10,
  PT_DOUBLE = 11,
  PT_STRING = 20, /* exists in the enum; Milvus rejects it in schemas */
  PT_VARCHAR = 21,
  PT_ARRAY = 22,
  PT_JSON = 23,
  PT_GEOMETRY = 24,
  PT_TEXT = 25,
  PT_TIMESTAMPTZ = 26,
  PT_BINARY_VECTOR = 100,
  PT_FLOAT_VECTOR = 101,
  PT_FLOAT16_VECTOR = 102,
  PT_BFLOAT16_VECTOR = 103,
  PT_SPARSE_FLOAT_VECTOR = 104,
  PT_INT8_VECTOR = 105,
  PT_UNKNOWN = 999
} pt_dtype;

/** pymilvus's name of a DataType ("INT64", "FLOAT_VECTOR"); NULL for an unknown code. */
PT_API const char *pt_dtype_name(int dtype);

/* Limits, as Milvus configures them by default. */
#define PT_MAX_NAME_LENGTH 255
#define PT_MAX_FIELDS 64
#define PT_MAX_VECTOR_FIELDS 4
#define PT_MAX_DIM 32768
#define PT_MAX_VARCHAR_LENGTH 65535
#define PT_MAX_ARRAY_CAPACITY 4096
#define PT_MAX_JSON_LENGTH 65536
#define PT_MAX_PARTITIONS 1024
#define PT_MAX_TOPK 16384
#define PT_MAX_NQ 16384 /* query vectors per search request */
#define PT_MAX_BATCH_BYTES (64u * 1024u * 1024u)
/* JSON: cJSON refuses documents nesting deeper than CJSON_NESTING_LIMIT (1000) levels; a filter
 * expression may nest 128 levels (parentheses, unary operators, calls). */

/* ============================================================================================ */
/* Schema                                                                                        */
/* ============================================================================================ */

typedef struct pt_schema pt_schema;

/**
 * Checks one FieldSchema as pymilvus's FieldSchema() does (dtype is a DataType, default_value
 * None on a non-nullable field, ...). `json` is one field object, as in pt_schema_from_json.
 */
PT_API pt_status pt_field_check_json(const char *json, size_t len, pt_error *err);

/**
 * Checks a database name as Milvus does (ValidateDatabaseName: not empty, at most
 * PT_MAX_NAME_LENGTH bytes, a letter or underscore first, then letters, digits and underscores;
 * the collection names' rule), with Milvus's messages (code 802).
 */
PT_API pt_status pt_check_database_name(const char *name, size_t len, pt_error *err);

/**
 * Builds a schema from JSON and runs pymilvus's CollectionSchema() checks (one primary key of
 * type INT64 or VARCHAR, auto_id only on it, one partition key, ...). Milvus's server-side rules
 * run later, in pt_collection_create().
 *
 * JSON shape: {"description": "", "auto_id": false, "enable_dynamic_field": false,
 *   "primary_field": "id", "partition_key_field": "k", "fields": [{"name": "id", "dtype": 5,
 *   "description": "", "is_primary": true, "auto_id": false, "dim": 8, "max_length": 64,
 *   "element_type": 5, "max_capacity": 16, "nullable": false, "default_value": 0,
 *   "is_partition_key": false, "enable_analyzer": true, "enable_match": true,
 *   "analyzer_params": {"type": "english"}}]}. Absent keys take pymilvus's defaults.
 *   enable_analyzer / enable_match: booleans or what Go's strconv.ParseBool reads;
 *   analyzer_params: an object (kept as its compact JSON text) or that text as a string.
 *
 * @param[out] out  the new schema, owned by the caller (pt_schema_free).
 */
PT_API pt_status pt_schema_from_json(const char *json, size_t len, pt_schema **out, pt_error *err);

/**
 * Describes a schema as JSON in the shape pt_schema_from_json reads, with every key present,
 * plus "field_id" per field. `*out` is NUL-terminated, owned by the caller: free with pt_free().
 */
PT_API pt_status pt_schema_to_json(const pt_schema *schema, char **out, size_t *len);

/**
 * Milvus's run_analyzer for one text: builds the analyzer `params` describes (JSON text of
 * `params_len` bytes, as a field's analyzer_params; 0 bytes: the standard analyzer) and writes
 * the tokens of `text` as JSON: ["token", ...], or with `detail` / `hash` (nonzero) one object per token,
 * {"token", "start_offset", "end_offset", "position", "position_length"} (byte offsets; with
 * detail) and "hash" (the BM25 function's term index of the token; with hash), as pymilvus's
 * AnalyzeResult holds them. Params are refused with Milvus's messages; text must be UTF-8.
 * @param[out] out  NUL-terminated JSON, owned by the caller (pt_free); `*out_len` its length.
 */
PT_API pt_status pt_run_analyzer(const char *params, size_t params_len, const char *text, size_t text_len, int detail,
                                 int hash, char **out, size_t *out_len, pt_error *err);

/** Frees a schema. Collections keep their own copy, so this is safe at any time. */
PT_API void pt_schema_free(pt_schema *schema);

/** Number of user fields (the hidden $meta field is not counted). */
PT_API size_t pt_schema_num_fields(const pt_schema *schema);

/** Index of the primary-key field, or -1 when the schema has none. */
PT_API int pt_schema_primary_field(const pt_schema *schema);

/* ============================================================================================ */
/* Store, collections and partitions                                                            */
/* ============================================================================================ */

typedef struct pt_store pt_store;
typedef struct pt_collection pt_collection;

/** Options for pt_store_open. Zero-initialise and set what you need. */
typedef struct pt_store_options {
  /* Physical clock in milliseconds since the epoch, for hybrid timestamps and auto_id keys.
   * NULL: the C library's realtime clock. Timestamps never go backwards whatever it returns. */
  uint64_t (*clock_ms)(void *ctx);
  void *clock_ctx;
  /* Require at least one vector field per collection, as Milvus >= 2.4.4 does (default on:
   * 0 means on; set PT_STORE_ALLOW_NO_VECTOR in flags to turn it off). */
  uint32_t flags;
  /* Automatic compaction after mutations: a partition is compacted when its deleted rows exceed
   * compact_ratio × its live rows and compacting frees at least one segment (see
   * pt_collection_compact). 0: the default, 0.5; negative: never automatically. */
  double compact_ratio;
} pt_store_options;

#define PT_STORE_ALLOW_NO_VECTOR (1u << 0)

/** Opens an empty in-memory store. `opts` may be NULL. */
PT_API pt_status pt_store_open(const pt_store_options *opts, pt_store **out);

/** Closes a store and every collection in it (their handles become invalid). */
PT_API void pt_store_close(pt_store *store);

/** Options for pt_collection_create. Zero-initialise; NULL means all defaults. */
typedef struct pt_collection_options {
  /* Partition-key collections: how many partitions keys are hashed into (0: Milvus's 16). */
  int64_t num_partitions;
  uint32_t flags;
} pt_collection_options;

/* Run pymilvus ORM Collection()'s own checks first, with its messages ("No vector field is
 * found.", "The collection already exist, but the schema is not the same ..."), as the JS
 * Collection class does; without it the messages are the server's (REST, MilvusClient). */
#define PT_CREATE_ORM (1u << 0)

/**
 * Creates collection `name` from a copy of `schema`, after Milvus's CreateCollection checks
 * (names, limits, dims, max_length, defaults, ...). If the collection exists with an equal
 * schema, opens it; with a different one, fails with PT_EXISTS and pymilvus's message.
 * @param[out] out  the collection, owned by the store (valid until dropped or the store closes).
 */
PT_API pt_status pt_collection_create(pt_store *store, const char *name, size_t name_len,
                                      const pt_schema *schema,
                                      const pt_collection_options *options, pt_collection **out,
                                      pt_error *err);

/** The collection called `name`, or NULL. Owned by the store. */
PT_API pt_collection *pt_collection_find(pt_store *store, const char *name, size_t name_len);

/** Drops a collection (idempotent, as in Milvus). Its handle becomes invalid. */
PT_API pt_status pt_collection_drop(pt_store *store, const char *name, size_t name_len);

/**
 * A number that changes whenever a collection of the store is created, dropped or loaded (and
 * only then). A collection's handle is valid until it is dropped, so a host that keeps handles
 * by name may use them for as long as this number has not changed since it found them.
 */
PT_API uint32_t pt_store_generation(const pt_store *store);

/** Number of collections, and the name of the i-th (owned by the store). */
PT_API size_t pt_store_num_collections(const pt_store *store);
PT_API const char *pt_store_collection_name(const pt_store *store, size_t i, size_t *len);

/** The collection's schema, owned by the collection. */
PT_API const pt_schema *pt_collection_schema(const pt_collection *coll);

/** A number identifying the collection within its store (Milvus's collectionID): never reused,
 * so a host can tell a dropped-and-recreated collection from the one it knew. */
PT_API uint64_t pt_collection_id(const pt_collection *coll);

/** The collection's name (NUL-terminated, owned by the collection). */
PT_API const char *pt_collection_name(const pt_collection *coll);

/** Creates a partition; an existing one is a no-op, as in Milvus. */
PT_API pt_status pt_partition_create(pt_collection *coll, const char *name, size_t name_len,
                                     pt_error *err);

/** Drops a partition with its rows; a missing one is a no-op; `_default` cannot be dropped. */
PT_API pt_status pt_partition_drop(pt_collection *coll, const char *name, size_t name_len,
                                   pt_error *err);

/** 1 if the partition exists, 0 if not. */
PT_API int pt_partition_exists(const pt_collection *coll, const char *name, size_t name_len);

/** Number of partitions (at least 1: `_default`), and the name of the i-th, in creation order. */
PT_API size_t pt_collection_num_partitions(const pt_collection *coll);
PT_API const char *pt_collection_partition_name(const pt_collection *coll, size_t i, size_t *len);

/**
 * Live entities in the collection, or in one partition when `partition` is not NULL (0 for a
 * missing partition). Unlike Milvus's num_entities, deleted and overwritten rows are not counted.
 */
PT_API uint64_t pt_collection_num_entities(const pt_collection *coll, const char *partition,
                                           size_t partition_len);

/* ============================================================================================ */
/* Batches                                                                                       */
/* ============================================================================================ */

/** How a host transcribed one input column. */
typedef enum pt_input_kind {
  PT_IN_ABSENT = 0,  /* no values; every cell is missing */
  PT_IN_BOOL = 1,    /* uint8_t per value, 0 or 1 */
  PT_IN_INT64 = 2,   /* int64_t per value */
  PT_IN_DOUBLE = 3,  /* double per value */
  PT_IN_FLOAT32 = 4, /* float per value */
  PT_IN_BYTES = 5,   /* uint8_t per value (raw vector bytes, fp16/bf16 little-endian halves) */
  PT_IN_TEXT = 6,    /* UTF-8 strings: offsets[n + 1] into `values` */
  PT_IN_JSON = 7,    /* JSON documents as UTF-8 text: offsets[n + 1] into `values` */
  PT_IN_INT32 = 8    /* int32_t per value */
} pt_input_kind;

/** State of one cell of an input column, when `cells` is given. */
typedef enum pt_cell {
  PT_CELL_VALUE = 0,        /* a value is present at this row */
  PT_CELL_NULL = 1,         /* the input said null / None */
  PT_CELL_MISSING = 2,      /* the row has no such key (row form only) */
  PT_CELL_WRONG_TYPE = 3,   /* the host could not transcribe the value: see pt_column_in.got */
  PT_CELL_WRONG_LENGTH = 4, /* a vector of another length: see pt_column_in.got_length */
  PT_CELL_OUT_OF_RANGE = 5  /* an integer beyond int64: see pt_column_in.got */
} pt_cell;

/** Shape of a batch: it decides which pymilvus checks and messages apply. */
typedef enum pt_form {
  PT_FORM_ROWS = 0,     /* a list of row objects (or one row): columns named by `field` */
  PT_FORM_COLUMNS = 1,  /* a list of columns in schema order: matched by position */
  PT_FORM_DATAFRAME = 2 /* named columns (DataFrame / Arrow Table): matched by `name` */
} pt_form;

#define PT_FIELD_DYNAMIC (-2) /* pt_column_in.field of the dynamic ($meta) column */
#define PT_FIELD_BY_POSITION (-1)

/**
 * One input column. Values for row r start at element r * width (fixed kinds) or at byte
 * offsets[r] (TEXT / JSON). Cells whose state is not PT_CELL_VALUE have unspecified values.
 * Nothing here is retained after the call returns; the caller owns every buffer.
 */
typedef struct pt_column_in {
  int32_t field;          /* schema field index, PT_FIELD_DYNAMIC, or PT_FIELD_BY_POSITION */
  int32_t kind;           /* pt_input_kind */
  const char *name;       /* the column's name (PT_FORM_DATAFRAME), else NULL */
  size_t name_len;
  size_t n_rows;          /* rows in this column (checked against the batch) */
  uint32_t width;         /* values per row: 1 for scalars, dim (or dim/8 bytes) for vectors */
  const void *values;
  const uint32_t *offsets; /* TEXT / JSON only */
  const uint8_t *cells;    /* pt_cell per row, or NULL when every cell holds a value */
  /* Details of the first cell marked WRONG_TYPE / OUT_OF_RANGE / WRONG_LENGTH, for messages. */
  const char *got;         /* the host's type name, or the value's text */
  size_t got_len;
  int64_t got_length;      /* the vector's length */
  /* A PT_IN_FLOAT32 column may come in two pieces (pt_collection_stage_split): `values` holds
   * rows [0, head_rows) and values_tail rows [head_rows, n_rows). NULL: one block. */
  const void *values_tail;
  size_t head_rows;
} pt_column_in;

/** How an upsert applies the values of one field to the row it replaces (Milvus 2.6.17+
 * FieldPartialUpdateOp.OpType; the numbers are Milvus's). */
typedef enum pt_field_op_kind {
  PT_FIELD_OP_REPLACE = 0,      /* the value given replaces the stored one (the default) */
  PT_FIELD_OP_ARRAY_APPEND = 1, /* ARRAY fields: the elements given go after the stored ones */
  PT_FIELD_OP_ARRAY_REMOVE = 2  /* ARRAY fields: every stored element equal to one given goes */
} pt_field_op_kind;

/** One field operation of an upsert: the field by name (not NUL-terminated) and its kind. */
typedef struct pt_field_op {
  const char *name;
  size_t name_len;
  int32_t op; /* pt_field_op_kind */
} pt_field_op;

/** A batch of rows for insert or upsert. */
typedef struct pt_batch_in {
  int32_t form;                /* pt_form */
  size_t n_rows;               /* rows in the batch */
  size_t n_columns;
  const pt_column_in *columns;
  /* Upsert only: operations per field, as UpsertRequest.field_ops (0 and NULL: none). Any
   * operation other than REPLACE makes the upsert a merge (PT_WRITE_MERGE), as in Milvus. */
  size_t n_field_ops;
  const pt_field_op *field_ops;
} pt_batch_in;

/* ============================================================================================ */
/* Mutations                                                                                     */
/* ============================================================================================ */

typedef enum pt_op {
  PT_OP_INSERT = 1, /* append rows; duplicate keys are stored, as Milvus does */
  PT_OP_UPSERT = 2  /* delete the keys in the target partition, then insert, at one timestamp */
} pt_op;

typedef uint32_t pt_write_flags;
/* Upsert: let the last of several rows with one key win instead of rejecting the batch
 * (Milvus's compatibility mode before 2.6). */
#define PT_WRITE_DUPLICATES_LAST_WINS (1u << 0)
/* Also return the rows as written, as Milvus REST v2 row objects (rows_json), for forwarding
 * the mutation to a Milvus server: values as stored (defaults filled in, floats as stored),
 * INT64 as numbers; an auto_id key is left out on insert (the server assigns its own) and is
 * the key given by the caller on upsert (the one the server deletes). */
#define PT_WRITE_ROWS_JSON (1u << 1)
/* Upsert in merge mode (Milvus 2.6.2+ partial_update): a row whose key exists in the target
 * partition (in any partition in partition-key mode) keeps the stored value of every field the
 * row leaves out, and its dynamic keys are merged key by key into the stored ones; a row whose
 * key is new must carry every field that is neither nullable nor defaulted. In row form every
 * row must carry the same fields. delete_count counts the keys that existed. Cannot be combined
 * with PT_WRITE_DUPLICATES_LAST_WINS. */
#define PT_WRITE_MERGE (1u << 2)

/**
 * What a mutation did; the fields of pymilvus's MutationResult. succ_index is 0..n-1 and
 * err_index is empty whenever a call succeeds: a batch is applied whole or not at all.
 * Keys are in batch order: int_keys for INT64 keys, str_offsets/str_data for VARCHAR keys.
 * The arrays are owned by the struct: release them with pt_mutation_result_clear().
 */
typedef struct pt_mutation_result {
  uint64_t insert_count;
  uint64_t delete_count;
  uint64_t upsert_count;
  uint64_t timestamp;     /* hybrid timestamp: physical_ms << PT_TS_LOGICAL_BITS | logical */
  uint64_t n_keys;
  int32_t key_type;       /* PT_INT64 or PT_VARCHAR; PT_NONE when there are no keys */
  int64_t *int_keys;      /* n_keys values */
  uint32_t *str_offsets;  /* n_keys + 1 offsets into str_data */
  char *str_data;
  /* PT_WRITE_ROWS_JSON: "row,row,...,row" (NUL-terminated), row i at rows_json_offsets[i] up to
   * rows_json_offsets[i + 1] - 1 (its comma excluded); rows_json_offsets[n_keys] is the text's
   * length + 1. Both NULL when the text could not be allocated after the rows were written: the
   * mutation stands, and the caller reports that it cannot be forwarded. */
  char *rows_json;
  uint32_t *rows_json_offsets;
} pt_mutation_result;

/** Frees the arrays of a result and zeroes it. */
PT_API void pt_mutation_result_clear(pt_mutation_result *result);

/**
 * The most rows a batch of this collection may have: PT_MAX_BATCH_BYTES over the bytes of a
 * row's fixed-width fields (at least one byte a row). pt_collection_write refuses a batch of more
 * rows (code 1102, maxInsertSize) before it reads any cell, so a host that finds its input
 * longer may pass the row count alone, with no columns, to have it refused.
 */
PT_API size_t pt_collection_max_batch_rows(const pt_collection *coll);

/**
 * Inserts or upserts a batch into a partition (`partition` NULL or empty: `_default`).
 * Everything is validated before anything changes; on failure nothing changes. An upsert whose
 * keys are distinct (no PT_WRITE_DUPLICATES_LAST_WINS) overwrites a key's row where it is when
 * that row is the key's only row in the partition and every variable-width value of the new
 * row stores as many bytes as the old one; other rows are appended and the old ones deleted.
 * Only the storage order (query and tie order) tells the two apart.
 * @param[out] result  filled on success (clear it with pt_mutation_result_clear).
 */
PT_API pt_status pt_collection_write(pt_collection *coll, const char *partition,
                                     size_t partition_len, pt_op op, const pt_batch_in *batch,
                                     pt_write_flags flags, pt_mutation_result *result,
                                     pt_error *err);

/**
 * Where the next `n_rows` rows written to `partition` (NULL or empty: `_default`) will store
 * fixed-width field `field`, so that a host can write that column straight into place instead
 * of into a buffer the write copies from: a pointer to n_rows * (the field's bytes per row)
 * bytes, or NULL when the rows would not lie in one block (they would span two segments, the
 * collection is in partition-key mode, the partition does not exist, the field is variable
 * width or the primary key, or memory ran out). The bytes are the unused tail of the
 * partition's storage: nothing in them is visible until a write commits, and a write that
 * fails leaves them unused. A batch of at most n_rows rows whose column `field` has this
 * pointer as its values is stored without that column being copied (an upsert that overwrites
 * rows in place copies their values out of the block, and moves the appended rows' values up
 * within it). Valid until the next mutation of the collection.
 */
PT_API void *pt_collection_stage(pt_collection *coll, const char *partition, size_t partition_len,
                                 size_t field, size_t n_rows);

/**
 * As pt_collection_stage, and also where the rows would span the partition's last segment and
 * one new segment: returns where rows [0, *head_rows) go (the last segment's unused tail) and
 * sets *tail to where rows [*head_rows, n_rows) go (the start of the new segment), or returns as
 * pt_collection_stage does with *tail NULL and *head_rows n_rows. A batch whose column `field`
 * has these as its values and values_tail (pt_column_in), with the same head_rows, is stored
 * without that column being copied. NULL when the rows would span more than two segments or
 * for pt_collection_stage's other reasons.
 */
PT_API void *pt_collection_stage_split(pt_collection *coll, const char *partition, size_t partition_len,
                                       size_t field, size_t n_rows, size_t *head_rows, void **tail);

/**
 * As pt_collection_write, from JSON text: an array of row objects, one row object, or an array
 * of columns (arrays) in schema order. Values are encoded as in Milvus's REST API: INT64 as a
 * number or a numeric string, vectors as number arrays (binary vectors as byte values), sparse
 * vectors as {"index": value} or {"indices": [...], "values": [...]}.
 */
PT_API pt_status pt_collection_write_json(pt_collection *coll, const char *partition,
                                          size_t partition_len, pt_op op, const char *json,
                                          size_t len, pt_write_flags flags,
                                          pt_mutation_result *result, pt_error *err);

/**
 * As pt_collection_write_json, with the upsert's field operations (pt_batch_in.field_ops): the
 * REST face's `fieldOps`. `field_ops` may be NULL when n_field_ops is 0; nothing of it is kept.
 */
PT_API pt_status pt_collection_write_json_ops(pt_collection *coll, const char *partition,
                                              size_t partition_len, pt_op op, const char *json,
                                              size_t len, pt_write_flags flags,
                                              const pt_field_op *field_ops, size_t n_field_ops,
                                              pt_mutation_result *result, pt_error *err);

/**
 * Deletes the rows matching a filter expression, in one partition or (partition NULL) all of
 * them. Counts as Milvus does: a primary-key list counts every listed key, found or not.
 */
PT_API pt_status pt_collection_delete(pt_collection *coll, const char *partition,
                                      size_t partition_len, const char *expr, size_t expr_len,
                                      pt_mutation_result *result, pt_error *err);

/**
 * pt_collection_delete with the expression's template values (Milvus's expr_params): `params`
 * is a JSON object, each `{name}` in the expression standing for the constant of its member
 * `name` (a bool, a number — an integer when written without fraction or exponent —, a string
 * or a list of these), bound as a literal is and never read as expression text. A name without
 * a value is an error; values no name uses are not (as in Milvus). Query and search take the
 * same object as the request's "expr_params" member.
 */
PT_API pt_status pt_collection_delete_with_params(pt_collection *coll, const char *partition,
                                                  size_t partition_len, const char *expr, size_t expr_len,
                                                  const char *params, size_t params_len,
                                                  pt_mutation_result *result, pt_error *err);

/* ============================================================================================ */
/* Query                                                                                         */
/* ============================================================================================ */

typedef struct pt_rows pt_rows;

/**
 * Runs a query. `request` is JSON: {"expr": "id in [1,2]", "output_fields": ["*"],
 * "partition_names": ["p"], "limit": 10, "offset": 0, "expr_params": {"k": 1}}; every key is optional but an empty
 * expression needs a limit, as in Milvus. Rows come back in storage order: partition order,
 * then insertion order.
 * @param[out] out  the result, owned by the caller (pt_rows_free).
 */
PT_API pt_status pt_collection_query(pt_collection *coll, const char *request, size_t len,
                                     pt_rows **out, pt_error *err);

/** One output column of a query result. */
typedef struct pt_column_out {
  const char *name;         /* NUL-terminated */
  int32_t dtype;            /* pt_dtype; PT_JSON for the dynamic field and count(*) is PT_INT64 */
  int32_t is_dynamic;       /* 1 for the $meta column (JSON objects of the dynamic keys) */
  uint32_t width;           /* elements per row: dim floats, dim/8 bytes, dim halves, dim int8 */
  uint32_t elem_size;       /* bytes per element of `values` for fixed-width columns */
  const void *values;       /* fixed width: n_rows * width elements */
  const uint32_t *offsets;  /* VARCHAR / JSON / ARRAY / SPARSE: n_rows + 1 byte offsets */
  const uint8_t *valid;     /* per row 1 = value, 0 = null; NULL when the field is not nullable */
} pt_column_out;

/* Output encodings: BOOL uint8; INT8/16/32/64, FLOAT, DOUBLE native little-endian; VARCHAR UTF-8;
 * JSON text; ARRAY as JSON text; SPARSE_FLOAT_VECTOR as JSON text {"index": value};
 * FLOAT_VECTOR float32; FLOAT16/BFLOAT16 uint16 halves; BINARY / INT8 vectors bytes. */

PT_API size_t pt_rows_count(const pt_rows *rows);
PT_API size_t pt_rows_num_columns(const pt_rows *rows);
/** The i-th column; owned by `rows`. */
PT_API const pt_column_out *pt_rows_column(const pt_rows *rows, size_t i);
PT_API void pt_rows_free(pt_rows *rows);

/* ============================================================================================ */
/* Search                                                                                        */
/* ============================================================================================ */

typedef struct pt_search_result pt_search_result;

/**
 * Exact vector search. `request` is JSON: {"anns_field": "v", "metric_type": "L2", "limit": 10,
 * "offset": 0, "expr": "n > 5", "expr_params": {...}, "partition_names": [...], "output_fields": [...],
 * "params": {"radius": r, "range_filter": f}, "nq": 2, "vector_kind": "float32" | "bytes",
 * "sparse": [ {index: value}, ... ]}. Dense query vectors are `vectors`: nq × dim float32 for
 * FLOAT / FLOAT16 / BFLOAT16 fields ("float32"), nq × dim bytes for INT8 and nq × dim/8 bytes
 * for BINARY fields ("bytes"); sparse query vectors travel in the request. The metric defaults
 * to COSINE (HAMMING for binary, IP for sparse). Distances are Milvus's: squared L2, IP, cosine
 * similarity, Hamming count, Jaccard distance; hits come best first, ties in storage order.
 * `vectors` is not retained, and is read only once nq and vectors_bytes are found valid: a host
 * may pass NULL with the number or the size of vectors it did not copy, to have them refused.
 * @param[out] out  the result, owned by the caller (pt_search_free).
 */
PT_API pt_status pt_collection_search(pt_collection *coll, const char *request, size_t len,
                                      const void *vectors, size_t vectors_bytes,
                                      pt_search_result **out, pt_error *err);

/**
 * The query vectors of a search as a host read them (pt_collection_search_vectors), for the
 * core to check against the field searched and convert: typed values, or JSON text.
 *
 * Typed (`kind` PT_IN_FLOAT32 or PT_IN_DOUBLE: numbers; PT_IN_BYTES: raw bytes): `n` vectors
 * of `width` values each, vector after vector, in `values`. Raw bytes are the bytes of
 * BINARY_VECTOR vectors (width dim/8), the two's-complement bytes of INT8_VECTOR vectors
 * (width dim), or the little-endian halves of FLOAT16 / BFLOAT16 vectors (width 2 * dim bytes).
 * Numbers are converted to the field's type: rounded to float32, then to the field's precision
 * (FLOAT16, BFLOAT16), never NaN or infinite; integers in [-128, 127] (INT8) or [0, 255]
 * (BINARY), never wrapped. `cells` (NULL: every vector was read whole) holds per vector
 * PT_CELL_VALUE, PT_CELL_WRONG_LENGTH (a vector of another size, not read; `got_length`: the
 * values of the first one) or PT_CELL_WRONG_TYPE (a value that is not a number; `got`: the
 * host's name for the type of the first one).
 *
 * JSON (`kind` PT_IN_JSON): `values` is `len` bytes of JSON text, a list of vectors as Milvus's
 * REST API takes them: arrays of numbers; for BINARY, FLOAT16 and BFLOAT16 fields also base64
 * strings of the vector's bytes; for SPARSE_FLOAT_VECTOR fields sparse vectors ({"index":
 * value}, {"indices": [...], "values": [...]}, or [[index, value], ...]).
 *
 * The number of vectors is checked first (1 to PT_MAX_NQ), and nothing is read when it is out
 * of range: a host that finds more vectors than that may give their number in `n` with `values`
 * NULL (for JSON text, `n` is otherwise 0: the text is counted). Then each vector's size (the
 * first vector of another size is reported), then its values, in order.
 * Nothing is retained after the call returns.
 */
typedef struct pt_vectors_in {
  int32_t kind;           /* pt_input_kind: FLOAT32, DOUBLE, BYTES or JSON */
  uint32_t n;             /* vectors (JSON: 0, or a count given without the text) */
  uint32_t width;         /* typed: values (BYTES: bytes) per vector */
  const void *values;     /* typed: n * width values; JSON: the text */
  size_t len;             /* JSON: bytes of text */
  const uint8_t *cells;   /* typed: pt_cell per vector, or NULL */
  const char *got;        /* the host's name for the type of the first value not a number */
  size_t got_len;
  int64_t got_length;     /* the values of the first vector of another size */
} pt_vectors_in;

/**
 * pt_collection_search with query vectors as a host read them (pt_vectors_in), judged here:
 * the field searched is `anns_field`, or the only vector field; the vectors must match it in
 * number, size, type and range, with Milvus's messages. `request` is as for
 * pt_collection_search, without "nq", "vector_kind" and "sparse" (the vectors say all that).
 * @param[out] out  the result, owned by the caller (pt_search_free).
 */
PT_API pt_status pt_collection_search_vectors(pt_collection *coll, const char *request, size_t len,
                                              const pt_vectors_in *vectors, pt_search_result **out,
                                              pt_error *err);

/**
 * Milvus's hybrid_search: several searches of the collection, fused by a reranker. `request` is
 * JSON: {"reqs": [sub, ...], "rerank": {"strategy": "rrf", "params": {"k": 60}} or
 * {"strategy": "weighted", "params": {"weights": [w, ...], "norm_score": true}}, "limit": 10,
 * "offset": 0, "output_fields": [...], "partition_names": [...]}; each `sub` is a request as for
 * pt_collection_search_vectors (anns_field, metric_type, limit, expr, expr_params, params), its
 * query vectors `vectors[i]` (as many as subs; every sub the same number of queries). RRF scores
 * a row sum(1 / (k + rank)); weighted sum(weight * normalised score) with Milvus's
 * normalisation per metric. Hits come best first (ties in storage order); the result reads as a
 * search's (the distances are the fused scores). Errors are Milvus's (rerank params, limits).
 * @param[out] out  the result, owned by the caller (pt_search_free).
 */
PT_API pt_status pt_collection_hybrid_search(pt_collection *coll, const char *request, size_t len,
                                             const pt_vectors_in *vectors, size_t n_vectors,
                                             pt_search_result **out, pt_error *err);

/** Number of query vectors, hits per query, every hit's distance (query after query), and the
 * rows of the hits (primary key first, then the output fields; same order). Owned by the
 * result. pt_search_key_is_output says whether the primary key was asked for as an output
 * field too (by name or by "*"), as Milvus then returns it among a hit's fields as well as
 * its id. */
PT_API size_t pt_search_nq(const pt_search_result *result);
PT_API const uint32_t *pt_search_counts(const pt_search_result *result);
PT_API const float *pt_search_distances(const pt_search_result *result);
PT_API const pt_rows *pt_search_rows(const pt_search_result *result);
PT_API int pt_search_key_is_output(const pt_search_result *result);
PT_API void pt_search_free(pt_search_result *result);

/* ============================================================================================ */
/* Vector indexes (src/vindex.c)                                                                 */
/* ============================================================================================ */

/**
 * Creates an index on a vector field and builds it in every partition (Milvus's create_index).
 * `request` is JSON: {"field_name", "index_name" (default: the field's name), "index_type"
 * (default AUTOINDEX), "metric_type" (default: the field type's, COSINE for dense vectors),
 * "params" (the build parameters: M and efConstruction for HNSW / HNSW_SQ, sq_type, refine and
 * refine_type for HNSW_SQ, nlist for IVF_FLAT / IVF_SQ8 / BIN_IVF_FLAT, nlist, refine and
 * refine_type for IVF_RABITQ)}. Built: HNSW, HNSW_SQ, IVF_FLAT, IVF_SQ8, IVF_RABITQ and
 * AUTOINDEX (HNSW, M 18, efConstruction 240) on FLOAT_VECTOR fields,
 * HNSW on FLOAT16_VECTOR / BFLOAT16_VECTOR fields, BIN_IVF_FLAT (HAMMING or JACCARD) on
 * BINARY_VECTOR fields; FLAT, BIN_FLAT, SPARSE_INVERTED_INDEX and SPARSE_WAND (and AUTOINDEX on other vector types) are
 * recorded and searched exactly. Every other type is refused by name, parameters out of
 * Milvus's ranges with knowhere's messages (code 1100). The same index again is a no-op; a
 * different one on an indexed field is refused. All or nothing (PT_NOMEM leaves no index).
 * Searches of the field then walk the index, with the request's params.ef / params.nprobe.
 */
PT_API pt_status pt_collection_create_index(pt_collection *coll, const char *request, size_t len, pt_error *err);

/**
 * Drops the index a request names ({"field_name", "index_name"}, either or both; neither: the
 * collection's only index). None: PT_NOT_FOUND, code 700; several: refused.
 */
PT_API pt_status pt_collection_drop_index(pt_collection *coll, const char *request, size_t len, pt_error *err);

/**
 * Describes the indexes a request names (as pt_collection_drop_index; neither: all) as a JSON
 * array of {"index_name", "field_name", "index_type", "metric_type", "params" (as given),
 * "indexed_rows", "total_rows", "pending_index_rows", "state" ("Finished"),
 * "index_state_fail_reason"}. Rows appended since the last search are added to the indexes
 * first. None named: PT_NOT_FOUND, code 700.
 * @param[out] out  the JSON text, NUL-terminated, owned by the caller (pt_free).
 */
PT_API pt_status pt_collection_describe_index(pt_collection *coll, const char *request, size_t len, char **out,
                                              size_t *out_len, pt_error *err);

/* ============================================================================================ */
/* Snapshots and compaction                                                                      */
/* ============================================================================================ */

/**
 * Saves a collection as snapshot bytes: its name, schema, partitions (in order) and live rows (in
 * storage order; deleted rows are left out, as compaction would), and the store's timestamp and
 * auto_id state, so that a load never hands out a key or timestamp already used. The format
 * (src/snapshot.c) is little-endian: a versioned header, then sections, each with its length and
 * a CRC-32 that continues the one before it (so their order is checked too). The collection is
 * not changed.
 * @param[out] out  the bytes, owned by the caller (free with pt_free); `*len` is their length.
 */
PT_API pt_status pt_collection_save(const pt_collection *coll, uint8_t **out, size_t *len, pt_error *err);

/* ============================================================================================ */
/* Cold rows                                                                                    */
/* ============================================================================================ */

/*
 * A durable host may drop the float rows of a vector field from memory where its index searches
 * without them (IVF_SQ8; HNSW_SQ without refine; IVF_RABITQ without refine or with SQ8 / FP16 /
 * BF16 refine codes), as Milvus leaves a raw vector field on disk beside an index without raw
 * data. Only whole segments below the partition's index high-water mark whose bytes the last
 * checkpoint holds whole go (pt_collection_cold_drop). A call that needs such rows (an exact or
 * fallback scan, vector output fields, search by primary key, merge-mode upserts, save,
 * checkpoint, compaction, a rebuild) changes nothing and returns PT_COLD; the host then reads
 * the bytes each entry of pt_store_cold_reads names from that checkpoint into its `dst`, calls
 * pt_store_cold_done, and makes the call again. Rows read back stay in memory until the next
 * pt_collection_cold_drop.
 */
typedef struct pt_cold_read {
  uint64_t checkpoint; /* the checkpoint id (pt_store_checkpoint) that holds the bytes */
  uint64_t at;         /* their offset in its bytes */
  uint64_t len;        /* how many */
  uint8_t *dst;        /* where they go: room owned by the store until pt_store_cold_done */
} pt_cold_read;

/**
 * Drops the rows of vector field `field` of `coll` that may go cold (above) and that
 * checkpoint `checkpoint` (the store's last pt_store_checkpoint, now durable) holds.
 * @param[out] dropped  bytes given back (may be NULL).
 * @return PT_NOT_FOUND (code 1100) for an unknown or non-vector field; PT_MISUSE when the last
 *   checkpoint is not `checkpoint`; PT_OK otherwise (also when nothing may go).
 */
PT_API pt_status pt_collection_cold_drop(pt_collection *coll, const char *field, size_t field_len, uint64_t checkpoint,
                                         uint64_t *dropped, pt_error *err);

/**
 * After a call returned PT_COLD: the reads it waits for, each with room at `dst` (allocated
 * here: PT_NOMEM, with nothing changed, when it does not fit). The array is the store's.
 */
PT_API pt_status pt_store_cold_reads(pt_store *store, const pt_cold_read **reads, size_t *n, pt_error *err);

/**
 * The host has read every pt_store_cold_reads entry into its `dst` (`ok`), or could not (`ok`
 * false: nothing is installed). Each read is checked against the bytes that were dropped; a
 * mismatch installs none and returns PT_CORRUPT (PT_CODE_IO_FAILED, Milvus's ErrIoFailed) naming it.
 */
PT_API pt_status pt_store_cold_done(pt_store *store, int ok, pt_error *err);

/**
 * Loads snapshot bytes into `store` as a new collection, called `name` (NULL: the saved name).
 * Everything is checked (header, checksums, structure, every stored value) while the collection
 * is built apart from the store; it joins the store only when complete. So a truncated,
 * corrupted, foreign or newer-version snapshot fails with PT_CORRUPT (code 1100, a message
 * saying which), a name already in use with PT_EXISTS, a failed allocation with PT_NOMEM, and in
 * every case the store is exactly as it was. The store's clock and auto_id allocator are moved
 * past the saved ones. `bytes` is not retained.
 * @param[out] out  the collection, owned by the store (may be NULL).
 */
PT_API pt_status pt_collection_load(pt_store *store, const uint8_t *bytes, size_t len, const char *name,
                                    size_t name_len, pt_collection **out, pt_error *err);

/**
 * Compacts the collection's partitions (or one, `partition` not NULL): rewrites their segments
 * without deleted rows, in storage order, and rebuilds their key index, so memory follows the
 * live rows. Row order, query and search results are unchanged. Runs automatically after
 * mutations as pt_store_options.compact_ratio says. It works a segment at a time: peak memory is
 * the collection plus one segment, within the relief at the memory ceiling (pt_memory_relief).
 * @param[out] removed  rows dropped (may be NULL). On PT_NOMEM, partitions already compacted stay
 *                      so, the one being compacted is partly so (the same rows, in the same
 *                      order, never more memory than before), and the others are as they were.
 */
PT_API pt_status pt_collection_compact(pt_collection *coll, const char *partition, size_t partition_len,
                                       uint64_t *removed, pt_error *err);

/* ============================================================================================ */
/* The mutation log (durable stores: src/wal.c has the format)                                   */
/* ============================================================================================ */

/*
 * A store can record every mutation it acknowledges as a log record: bytes a host appends to a
 * file before it reports the call done. Applying the records of a log, in order, to the store
 * they were recorded from (as it was when recording started) makes the same store: each record
 * goes through the call that made it, with the same hybrid timestamp and auto_id keys. The core
 * does no I/O: the host takes the pending bytes after each call (pt_store_log_pending).
 *
 * A record is little-endian and 8-byte aligned: length u32 (of the whole record, a multiple of
 * 8), type u32 (the high byte: the record's format, 1), hybrid timestamp u64, items (each: length
 * u32 (0xFFFFFFFF: absent), u32 0, the bytes, zeros to a multiple of 8), then a 64-bit check of
 * everything before it (u64, src/hash64.c), u32 0 and the length again (u32). Records of format
 * 0 (the high byte 0; a CRC-32 (u32) and the length instead of the last 16 bytes) are still read. A checkpoint is a log too: HEADER(id), one LOAD (a snapshot) per collection, the
 * host's records, END(id).
 */
/* BEGIN log record types (numbers written on disk: never change one) */
#define PT_LOG_HEADER 1            /* first record of a log or checkpoint: its checkpoint id */
#define PT_LOG_END 2               /* last record of a checkpoint: the same id */
#define PT_LOG_CREATE_COLLECTION 3 /* name, schema (pt_schema_to_json), num_partitions */
#define PT_LOG_DROP_COLLECTION 4   /* name */
#define PT_LOG_CREATE_PARTITION 5  /* collection, partition */
#define PT_LOG_DROP_PARTITION 6    /* collection, partition */
#define PT_LOG_WRITE 7             /* collection, partition, the pt_batch_in of an insert / upsert */
#define PT_LOG_DELETE 8            /* collection, partition, expression, expr_params */
#define PT_LOG_LOAD 9              /* name, snapshot bytes (pt_collection_load; a checkpoint's collections) */
#define PT_LOG_HOST 10             /* bytes the host records itself (aliases, ...); the core never applies them */
#define PT_LOG_CREATE_INDEX 11     /* collection, the create_index request (pt_collection_create_index) */
#define PT_LOG_DROP_INDEX 12       /* collection, the drop_index request (pt_collection_drop_index) */
/* END log record types */

/** Bytes of a HEADER or END record (pt_log_marker). */
#define PT_LOG_MARKER_BYTES 48u

/**
 * A block of bytes that a store may keep parts of. pt_block_new allocates `len` bytes (8-byte
 * aligned, counted by pt_memory_used as pt_alloc's are) holding one reference, the caller's;
 * pt_block_release drops one, and the last frees the block. A host reads a checkpoint or log
 * into a block and names it with pt_store_log_source before replaying it: a snapshot loaded
 * from it (a LOAD record that is at least half the block) then keeps the fixed-width columns of
 * its full segments where they were read, each such segment holding a reference, instead of
 * copying them. The block stays until the last of them goes (compaction, drop, close).
 */
PT_API uint8_t *pt_block_new(size_t len);
PT_API void pt_block_release(uint8_t *block);
/** Names the block (pt_block_new, of `len` bytes) that the following pt_log_apply_next calls on
 * `store` read from; NULL ends it. */
PT_API void pt_store_log_source(pt_store *store, uint8_t *block, size_t len);

/**
 * Names `bytes` (NULL: none) as the whole checkpoint file about to be replayed into `store`, for
 * cold rows ("Cold rows"): the full segments its snapshots load are marked as lying at their
 * offsets in it, and its HEADER record's id becomes the checkpoint pt_collection_cold_drop
 * takes. Nothing is kept in place (do not name the bytes with pt_store_log_source too: rows
 * kept in a block could not leave memory without it).
 */
PT_API void pt_store_cold_source(pt_store *store, const uint8_t *bytes, size_t len);

/** A record as pt_log_next reads it. `item` / `item_len`: its first item (HEADER / END: the
 * checkpoint id as 8 bytes; HOST: the host's bytes); NULL when absent. */
typedef struct pt_log_record {
  uint32_t type;
  uint64_t ts;
  size_t length;         /* bytes of the whole record */
  const uint8_t *item;
  size_t item_len;
  int torn;              /* on PT_CORRUPT: 1 when the bad record runs to the end of the bytes (a
                          * torn last write), 0 when more bytes follow it */
} pt_log_record;

/**
 * Turns recording on (1) or off (0). While on, each mutation that succeeds (collection created —
 * not one opened —, dropped, loaded; partition created or dropped; insert, upsert (merge mode
 * and field operations included), delete) appends its record to the store's pending bytes; a
 * record that cannot be allocated fails the call (PT_NOMEM) with nothing changed. Off discards
 * the pending bytes. Compaction is not recorded: it changes no result.
 */
PT_API void pt_store_log(pt_store *store, int on);

/** The records made since the last pt_store_log_taken (NULL and 0 when none). */
PT_API const uint8_t *pt_store_log_pending(const pt_store *store, size_t *len);

/** Forgets the pending records (the host has written them). */
PT_API void pt_store_log_taken(pt_store *store);

/** Appends a HOST record with `bytes` to the pending records (recording on or off). */
PT_API pt_status pt_store_log_host(pt_store *store, const uint8_t *bytes, size_t len, pt_error *err);

/** Writes the HEADER (end = 0) or END (end = 1) record of checkpoint `id` into `out`
 * (PT_LOG_MARKER_BYTES bytes). */
PT_API void pt_log_marker(int end, uint64_t id, uint8_t out[PT_LOG_MARKER_BYTES]);

/**
 * A checkpoint of the whole store: HEADER(id), a LOAD record per collection (its snapshot),
 * a HOST record with `host` when `host_len` > 0, END(id). Owned by the caller (pt_free).
 */
PT_API pt_status pt_store_checkpoint(pt_store *store, uint64_t id, const uint8_t *host, size_t host_len,
                                     uint8_t **out, size_t *len, pt_error *err);

/**
 * Reads the record at byte `at` of `bytes`: PT_OK (rec filled), PT_NOT_FOUND when `at` is the
 * end, PT_CORRUPT when the bytes there are not a whole record with a good checksum (rec->torn
 * says whether it is the last thing in the bytes). Linear in the record; never reads outside
 * `bytes`.
 */
PT_API pt_status pt_log_next(const uint8_t *bytes, size_t len, size_t at, pt_log_record *rec, pt_error *err);

/**
 * Applies one record (a whole one, as pt_log_next found it, at an 8-byte aligned address: every
 * record of a log read into an aligned buffer is) to `store` through the call that
 * made it, with its timestamp and auto_id keys, without recording it. HEADER, END and HOST
 * records change nothing here. A record that cannot be applied (it does not fit the store)
 * fails with PT_CORRUPT and the call's own message, and the store is as it was.
 */
PT_API pt_status pt_log_apply(pt_store *store, const uint8_t *record, size_t len, pt_error *err);

/**
 * pt_log_next, then pt_log_apply of the record it read, in one pass over its bytes (the checksum
 * is checked once): the replay of a log. HEADER, END and HOST records are only read (`rec` says
 * which). `*applied` (may be NULL) is 1 when the record was read and handed to be applied, so a
 * failure with it set is the apply's (the record does not fit the store), else the read's.
 * A run of inserts is applied in one call: when the record is a WRITE that inserts, the records
 * after it that are too are applied with it (their keys enter the index once, at the end), up
 * to the first that is not, or cannot be read or applied (the next call meets it); `rec` then
 * spans the run: `length` is its bytes, the rest is its last record's.
 */
PT_API pt_status pt_log_apply_next(pt_store *store, const uint8_t *bytes, size_t len, size_t at, pt_log_record *rec,
                                   int *applied, pt_error *err);

/* ============================================================================================ */
/* JSON output: Milvus REST v2 shapes                                                            */
/* ============================================================================================ */

/* INT64 values as JSON strings (REST v2 without Accept-Type-Allow-Int64), so that clients
 * whose numbers are doubles keep every digit. */
#define PT_JSON_INT64_AS_STRING (1u << 0)

/**
 * A query / get result as a JSON array of row objects, as Milvus's REST API v2 returns them:
 * field name to value, the dynamic field's keys as members of the row, nulls as null, vectors
 * as number arrays (BINARY: byte values), sparse vectors as {"index": value}, floats in their
 * shortest round-trip form.
 * @param[out] out  NUL-terminated text owned by the caller (pt_free); `len` may be NULL.
 */
PT_API pt_status pt_rows_to_json(const pt_rows *rows, uint32_t flags, char **out, size_t *len, pt_error *err);

/**
 * A search result as one flat JSON array of hits, query after query: each hit the row object of
 * its primary key and output fields with a "distance" member (pt_search_counts splits it).
 * @param[out] out  NUL-terminated text owned by the caller (pt_free); `len` may be NULL.
 */
PT_API pt_status pt_search_to_json(const pt_search_result *result, uint32_t flags, char **out, size_t *len,
                                   pt_error *err);

/* pt_json_validate: a NUL character (\u0000) is refused in string values too (names,
 * expressions and parameters of a request). */
#define PT_JSON_VALIDATE_NO_NUL (1u << 0)

/**
 * Checks that `json` is one JSON value as partita takes JSON everywhere (batches, JSON and
 * dynamic values, requests, schemas, snapshots): RFC 8259 exactly, which is also what Go's
 * encoding/json (Milvus) and JSON.parse take (no leading zeros, a digit after '.' and 'e', no
 * raw control characters in strings, white space only as space, tab, CR and LF, no byte order
 * mark, nothing after the value); and UTF-8 text, no \u escape of a lone surrogate, numbers
 * within the range of a double, at most 1000 levels of nesting, and no NUL character (\u0000)
 * in an object key (nor, with PT_JSON_VALIDATE_NO_NUL, anywhere). Linear in `len`.
 * Returns PT_OK, or PT_PARSE with a message that says what is wrong at which byte ("invalid
 * JSON: ...", or for a NUL "a NUL character (\u0000) in ... at byte n").
 */
PT_API pt_status pt_json_validate(const char *json, size_t len, uint32_t flags, pt_error *err);

/**
 * Finds the member `key` of the JSON object `json` without building a tree: its value's text
 * starts at *start and is *value_len bytes long (the last one when the key repeats). Values are
 * skipped by their brackets and strings, not validated. Returns 1 found, 0 absent, -1 when the
 * text is not an object this scanner can walk (PT_JSON_MEMBER_DEPTH levels of nesting at most).
 */
#define PT_JSON_MEMBER_DEPTH 1088
PT_API int pt_json_member(const char *json, size_t len, const char *key, size_t key_len, size_t *start,
                          size_t *value_len);

#ifdef __cplusplus
}
#endif
#endif /* PARTITA_H */
