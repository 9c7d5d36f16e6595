/*
 * cli.c — partita as a WASI command: JSON-lines requests on stdin, one JSON result per line on
 * stdout, against one in-memory store that lives as long as the program.
 *
 *   wasmtime dist/partita-cli.wasm < requests.jsonl
 *   node wasi/run-command.mjs dist/partita-cli.wasm < requests.jsonl
 *
 * Requests (one JSON object per line; blank lines are skipped; "id", when given, is echoed):
 *   {"op":"create","collection":"c","schema":{"fields":[...]},"partitions":["p"],"num_partitions":16}
 *       schema as pt_schema_from_json reads it; "dtype" / "element_type" may also be names
 *       ("INT64", "FLOAT_VECTOR"). An existing collection with an equal schema is opened.
 *   {"op":"create_partition","collection":"c","partition":"p"}
 *   {"op":"drop","collection":"c"}            {"op":"drop_partition","collection":"c","partition":"p"}
 *   {"op":"insert"|"upsert","collection":"c","partition":"p","data":[rows] | {row} | [columns]}
 *   {"op":"delete","collection":"c","partition":"p","filter":"id in [1, 2]"}
 *   {"op":"query","collection":"c","filter":"n > 1","output_fields":["*"],"limit":10,"offset":0,
 *    "partition_names":["p"]}
 *   {"op":"search","collection":"c","data":[[0.1, 0.2]],"anns_field":"v","limit":10,"filter":"...",
 *    "metric_type":"L2","params":{"radius":1},"output_fields":["n"],"offset":0,"partition_names":[...]}
 * Results:
 *   create:    {"collection":"c","partitions":["_default","p"]}     drops: {"dropped":true}
 *   mutations: pymilvus's MutationResult fields: {"insert_count":0,"delete_count":0,
 *              "upsert_count":2,"timestamp":...,"succ_count":2,"err_count":0,"primary_keys":[1,2],
 *              "succ_index":[0,1],"err_index":[]}
 *   query:     {"rows":[{...}, ...]}
 *   search:    {"hits":[[{"id":1,"distance":0.5,...}, ...], ...]}   one list per query vector
 *   failure:   {"error":{"code":1100,"message":"..."}}   Milvus's code and message (pt_error)
 * INT64 values are written as JSON numbers with every digit. The exit status is 0 at the end of
 * the input, whatever the requests did, and 1 when reading or writing fails.
 *
 * The data of insert / upsert is never parsed here: its text goes to pt_collection_write_json,
 * found with pt_json_member, so a large batch is not built as a cJSON tree.
 *
 * A line is checked whole with pt_json_validate (the JSON the core takes) before anything else,
 * and a line may hold any byte: lines are read with their lengths, never as C strings. The
 * other members are read with cJSON, whose strings end at a NUL character: a NUL (\u0000) is
 * refused in them (the data of a write may hold it in its values).
 */
#define _POSIX_C_SOURCE 200809L /* getline */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cJSON.h"
#include "partita.h"

/* ---------------------------------------------------------------------------------------------
 * A growable output buffer
 * ------------------------------------------------------------------------------------------- */

typedef struct {
  char *p;
  size_t len, cap;
  int oom;
} buf;

static void buf_put(buf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->len + n + 1 > cap) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      b->oom = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

static void buf_str(buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_fmt(buf *b, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n > 0) buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string literal. */
static void buf_json_string(buf *b, const char *s, size_t n) {
  buf_put(b, "\"", 1);
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    buf_put(b, s + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': buf_str(b, "\\\""); break;
      case '\\': buf_str(b, "\\\\"); break;
      case '\n': buf_str(b, "\\n"); break;
      case '\r': buf_str(b, "\\r"); break;
      case '\t': buf_str(b, "\\t"); break;
      default: buf_fmt(b, "\\u%04x", c); break;
    }
  }
  buf_put(b, s + run, n - run);
  buf_put(b, "\"", 1);
}

/* ---------------------------------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------------------------------- */

typedef struct {
  const char *line;
  size_t len;
} request;

/* The text of member `key` of the request, or NULL when absent. */
static const char *member_text(const request *r, const char *key, size_t *n) {
  size_t start = 0;
  if (pt_json_member(r->line, r->len, key, strlen(key), &start, n) != 1) return NULL;
  return r->line + start;
}

/* Member `key` parsed with cJSON (small members only), or NULL when absent or not JSON. */
static cJSON *member(const request *r, const char *key) {
  size_t n = 0;
  const char *t = member_text(r, key, &n);
  return t ? cJSON_ParseWithLength(t, n) : NULL;
}

/* Member `key` as a string copy, or NULL (absent, or not a string). */
static char *member_string(const request *r, const char *key) {
  cJSON *v = member(r, key);
  char *s = NULL;
  if (cJSON_IsString(v)) {
    size_t n = strlen(v->valuestring);
    if ((s = malloc(n + 1))) memcpy(s, v->valuestring, n + 1);
  }
  cJSON_Delete(v);
  return s;
}

static int fail(pt_error *err, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  memset(err, 0, sizeof *err);
  err->status = PT_ERROR;
  err->code = code;
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return PT_ERROR;
}

/* The members the operations read besides the data of a write: their strings are C strings,
 * so a NUL in them is refused. */
static const char *const READ_KEYS[] = {"op", "collection", "partition", "schema", "partitions", "num_partitions",
                                        "filter", "expr", "output_fields", "partition_names", "limit", "offset",
                                        "anns_field", "metric_type", "params"};

static int check_member(const request *r, const char *key, pt_error *err) {
  size_t n = 0;
  const char *t = member_text(r, key, &n);
  pt_error e;
  if (!t || pt_json_validate(t, n, PT_JSON_VALIDATE_NO_NUL, &e) == PT_OK) return PT_OK;
  return fail(err, PT_CODE_PARAMETER_INVALID,
              "\"%s\" holds %s: names, expressions and parameters cannot contain NUL: invalid parameter", key,
              e.message);
}

static int check_members(const request *r, int search, pt_error *err) {
  for (size_t k = 0; k < sizeof READ_KEYS / sizeof *READ_KEYS; k++)
    if (check_member(r, READ_KEYS[k], err) != PT_OK) return PT_ERROR;
  return search ? check_member(r, "data", err) : PT_OK; /* a search's vectors */
}

static pt_collection *find_collection(pt_store *store, const char *name, pt_error *err) {
  if (!name) {
    fail(err, PT_CODE_PARAMETER_MISSING, "missing required parameters, error: \"collection\" (a string)");
    return NULL;
  }
  pt_collection *c = pt_collection_find(store, name, strlen(name));
  if (!c) fail(err, PT_CODE_COLLECTION_NOT_FOUND, "can't find collection[database=default][collection=%s]", name);
  return c;
}

/* "dtype": "INT64" -> 5 (pymilvus's names, any case), in place. */
static void dtype_names_to_codes(cJSON *field, const char *key) {
  cJSON *v = cJSON_GetObjectItemCaseSensitive(field, key);
  if (!cJSON_IsString(v)) return;
  for (int code = 0; code <= 1000; code++) {
    const char *name = pt_dtype_name(code);
    if (name && strcasecmp(name, v->valuestring) == 0) {
      cJSON_ReplaceItemInObjectCaseSensitive(field, key, cJSON_CreateNumber(code));
      return;
    }
  }
}

static void partitions_json(buf *out, const pt_collection *c) {
  buf_str(out, "[");
  for (size_t i = 0; i < pt_collection_num_partitions(c); i++) {
    size_t n = 0;
    const char *name = pt_collection_partition_name(c, i, &n);
    if (i) buf_str(out, ",");
    buf_json_string(out, name, n);
  }
  buf_str(out, "]");
}

static int op_create(pt_store *store, const request *r, buf *out, pt_error *err) {
  char *name = member_string(r, "collection");
  cJSON *schema = member(r, "schema"), *parts = member(r, "partitions"), *np = member(r, "num_partitions");
  pt_schema *s = NULL;
  char *text = NULL;
  int rc = PT_ERROR;
  if (!name) {
    fail(err, PT_CODE_PARAMETER_MISSING, "missing required parameters, error: \"collection\" (a string)");
    goto done;
  }
  if (!cJSON_IsObject(schema)) {
    fail(err, PT_CODE_PARAMETER_MISSING, "missing required parameters, error: \"schema\" (an object)");
    goto done;
  }
  cJSON *fields = cJSON_GetObjectItemCaseSensitive(schema, "fields"), *f;
  cJSON_ArrayForEach(f, fields) {
    dtype_names_to_codes(f, "dtype");
    dtype_names_to_codes(f, "element_type");
  }
  if (!(text = cJSON_PrintUnformatted(schema))) {
    fail(err, PT_CODE_UNEXPECTED, "out of memory");
    goto done;
  }
  if ((rc = pt_schema_from_json(text, strlen(text), &s, err)) != PT_OK) goto done;
  pt_collection_options opts = {0};
  if (cJSON_IsNumber(np)) opts.num_partitions = (int64_t)np->valuedouble;
  pt_collection *c = NULL;
  if ((rc = pt_collection_create(store, name, strlen(name), s, &opts, &c, err)) != PT_OK) goto done;
  const cJSON *p;
  cJSON_ArrayForEach(p, parts) {
    if (!cJSON_IsString(p)) {
      rc = fail(err, PT_CODE_PARAMETER_INVALID, "partitions must be a list of names: invalid parameter");
      goto done;
    }
    if ((rc = pt_partition_create(c, p->valuestring, strlen(p->valuestring), err)) != PT_OK) goto done;
  }
  buf_str(out, "{\"collection\":");
  buf_json_string(out, name, strlen(name));
  buf_str(out, ",\"partitions\":");
  partitions_json(out, c);
  buf_str(out, "}");
done:
  free(name);
  cJSON_free(text);
  cJSON_Delete(schema);
  cJSON_Delete(parts);
  cJSON_Delete(np);
  pt_schema_free(s);
  return rc;
}

static int op_partition(pt_store *store, const request *r, int create, buf *out, pt_error *err) {
  char *name = member_string(r, "collection"), *part = member_string(r, "partition");
  int rc = PT_ERROR;
  pt_collection *c = find_collection(store, name, err);
  if (!c) goto done;
  if (!part) {
    fail(err, PT_CODE_PARAMETER_MISSING, "missing required parameters, error: \"partition\" (a string)");
    goto done;
  }
  rc = create ? pt_partition_create(c, part, strlen(part), err) : pt_partition_drop(c, part, strlen(part), err);
  if (rc != PT_OK) goto done;
  buf_str(out, "{\"partitions\":");
  partitions_json(out, c);
  buf_str(out, "}");
done:
  free(name);
  free(part);
  return rc;
}

static int op_drop(pt_store *store, const request *r, buf *out, pt_error *err) {
  char *name = member_string(r, "collection");
  if (!name)
    return fail(err, PT_CODE_PARAMETER_MISSING, "missing required parameters, error: \"collection\" (a string)");
  int rc = pt_collection_drop(store, name, strlen(name));
  free(name);
  if (rc != PT_OK) return fail(err, PT_CODE_UNEXPECTED, "%s", pt_status_str(rc));
  buf_str(out, "{\"dropped\":true}");
  return PT_OK;
}

/* pymilvus's MutationResult fields. */
static void mutation_json(buf *out, const pt_mutation_result *m, int with_index) {
  buf_fmt(out, "{\"insert_count\":%" PRIu64 ",\"delete_count\":%" PRIu64 ",\"upsert_count\":%" PRIu64,
          m->insert_count, m->delete_count, m->upsert_count);
  buf_fmt(out, ",\"timestamp\":%" PRIu64, m->timestamp);
  uint64_t succ = with_index ? m->n_keys : 0; /* a batch is written whole or not at all */
  buf_fmt(out, ",\"succ_count\":%" PRIu64 ",\"err_count\":0,\"primary_keys\":[", succ);
  for (uint64_t i = 0; i < m->n_keys; i++) {
    if (i) buf_str(out, ",");
    if (m->key_type == PT_VARCHAR)
      buf_json_string(out, m->str_data + m->str_offsets[i], m->str_offsets[i + 1] - m->str_offsets[i]);
    else
      buf_fmt(out, "%" PRId64, m->int_keys[i]);
  }
  buf_str(out, "],\"succ_index\":[");
  for (uint64_t i = 0; i < succ; i++) buf_fmt(out, i ? ",%" PRIu64 : "%" PRIu64, i);
  buf_str(out, "],\"err_index\":[]}");
}

static int op_write(pt_store *store, const request *r, pt_op op, buf *out, pt_error *err) {
  char *name = member_string(r, "collection"), *part = member_string(r, "partition");
  pt_mutation_result m = {0};
  int rc = PT_ERROR;
  size_t n = 0;
  const char *data = member_text(r, "data", &n);
  pt_collection *c = find_collection(store, name, err);
  if (!c) goto done;
  if (!data) {
    fail(err, PT_CODE_PARAMETER_MISSING, "missing required parameters, error: \"data\" (rows or columns)");
    goto done;
  }
  rc = pt_collection_write_json(c, part, part ? strlen(part) : 0, op, data, n, 0, &m, err);
  if (rc == PT_OK) mutation_json(out, &m, 1);
done:
  pt_mutation_result_clear(&m);
  free(name);
  free(part);
  return rc;
}

static int op_delete(pt_store *store, const request *r, buf *out, pt_error *err) {
  char *name = member_string(r, "collection"), *part = member_string(r, "partition");
  char *expr = member_string(r, "filter");
  if (!expr) expr = member_string(r, "expr");
  pt_mutation_result m = {0};
  int rc = PT_ERROR;
  pt_collection *c = find_collection(store, name, err);
  if (!c) goto done;
  if (!expr) {
    fail(err, PT_CODE_PARAMETER_MISSING, "missing required parameters, error: \"filter\" (a string)");
    goto done;
  }
  rc = pt_collection_delete(c, part, part ? strlen(part) : 0, expr, strlen(expr), &m, err);
  if (rc == PT_OK) mutation_json(out, &m, 0);
done:
  pt_mutation_result_clear(&m);
  free(name);
  free(part);
  free(expr);
  return rc;
}

/* Copies the members a query or search request takes ("filter" becomes "expr"). */
static cJSON *read_request(const request *r, const char *const *keys) {
  cJSON *req = cJSON_CreateObject();
  if (!req) return NULL;
  cJSON *expr = member(r, "filter");
  if (!expr) expr = member(r, "expr");
  if (expr) cJSON_AddItemToObject(req, "expr", expr);
  for (; *keys; keys++) {
    cJSON *v = member(r, *keys);
    if (v) cJSON_AddItemToObject(req, *keys, v);
  }
  return req;
}

static int op_query(pt_store *store, const request *r, buf *out, pt_error *err) {
  static const char *const keys[] = {"output_fields", "partition_names", "limit", "offset", NULL};
  char *name = member_string(r, "collection"), *text = NULL, *json = NULL;
  cJSON *req = NULL;
  pt_rows *rows = NULL;
  int rc = PT_ERROR;
  pt_collection *c = find_collection(store, name, err);
  if (!c) goto done;
  if (!(req = read_request(r, keys)) || !(text = cJSON_PrintUnformatted(req))) {
    fail(err, PT_CODE_UNEXPECTED, "out of memory");
    goto done;
  }
  if ((rc = pt_collection_query(c, text, strlen(text), &rows, err)) != PT_OK) goto done;
  size_t n = 0;
  if ((rc = pt_rows_to_json(rows, 0, &json, &n, err)) != PT_OK) goto done;
  buf_str(out, "{\"rows\":");
  buf_put(out, json, n);
  buf_str(out, "}");
done:
  pt_free(json);
  pt_rows_free(rows);
  cJSON_free(text);
  cJSON_Delete(req);
  free(name);
  return rc;
}

/* The schema field a search runs on: the one named, or the only vector field. */
static cJSON *search_field(const pt_collection *c, const char *anns, pt_error *err) {
  char *text = NULL;
  size_t n = 0;
  if (pt_schema_to_json(pt_collection_schema(c), &text, &n) != PT_OK) {
    fail(err, PT_CODE_UNEXPECTED, "out of memory");
    return NULL;
  }
  cJSON *schema = cJSON_ParseWithLength(text, n), *f, *found = NULL;
  pt_free(text);
  int vectors = 0;
  cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(schema, "fields")) {
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(f, "dtype"), *nm = cJSON_GetObjectItemCaseSensitive(f, "name");
    int is_vector = cJSON_IsNumber(dt) && dt->valueint >= PT_BINARY_VECTOR && dt->valueint <= PT_INT8_VECTOR;
    if (anns ? (cJSON_IsString(nm) && strcmp(nm->valuestring, anns) == 0) : is_vector) {
      if (!found) found = f;
      vectors++;
    }
  }
  if (found) found = cJSON_DetachItemViaPointer(cJSON_GetObjectItemCaseSensitive(schema, "fields"), found);
  cJSON_Delete(schema);
  if (!found && anns)
    fail(err, PT_CODE_PARAMETER_INVALID, "failed to get field schema by name: fieldName(%s) not found: invalid parameter", anns);
  else if (!found)
    fail(err, PT_CODE_PARAMETER_INVALID, "there is no vector field in the collection: invalid parameter");
  else if (!anns && vectors > 1) {
    cJSON_Delete(found);
    found = NULL;
    fail(err, PT_CODE_PARAMETER_INVALID, "anns_field is needed: the collection has %d vector fields: invalid parameter", vectors);
  }
  return found;
}

/* Splits pt_search_to_json's flat "[hit,hit,...]" into one list per query vector. */
static void split_hits(buf *out, const char *json, size_t n, const uint32_t *counts, size_t nq) {
  size_t i = 1; /* past '[' */
  buf_str(out, "[");
  for (size_t q = 0; q < nq; q++) {
    buf_str(out, q ? ",[" : "[");
    for (uint32_t k = 0; k < counts[q]; k++) {
      while (i < n && (json[i] == ',' || json[i] == ' ')) i++;
      size_t start = i;
      int depth = 0, in_str = 0;
      for (; i < n; i++) {
        char ch = json[i];
        if (in_str) {
          if (ch == '\\') i++;
          else if (ch == '"') in_str = 0;
        } else if (ch == '"') {
          in_str = 1;
        } else if (ch == '{' || ch == '[') {
          depth++;
        } else if (ch == '}' || ch == ']') {
          if (depth-- == 0) break; /* the closing ']' of the whole array */
          if (depth == 0) {
            i++;
            break;
          }
        }
      }
      if (k) buf_str(out, ",");
      buf_put(out, json + start, i - start);
    }
    buf_str(out, "]");
  }
  buf_str(out, "]");
}

static int op_search(pt_store *store, const request *r, buf *out, pt_error *err) {
  static const char *const keys[] = {"output_fields", "partition_names", "limit", "offset",
                                     "anns_field", "metric_type", "params", NULL};
  char *name = member_string(r, "collection"), *anns = member_string(r, "anns_field");
  char *text = NULL, *json = NULL;
  cJSON *req = NULL, *field = NULL;
  size_t data_len = 0;
  const char *data = member_text(r, "data", &data_len);
  pt_search_result *res = NULL;
  int rc = PT_ERROR;
  pt_collection *c = find_collection(store, name, err);
  if (!c || !(field = search_field(c, anns, err))) goto done;
  if (!(req = read_request(r, keys))) {
    fail(err, PT_CODE_UNEXPECTED, "out of memory");
    goto done;
  }
  if (!anns) cJSON_AddItemToObject(req, "anns_field", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(field, "name"), 0));
  if (!data) {
    fail(err, PT_CODE_PARAMETER_MISSING, "missing required parameters, error: \"data\" (a list of vectors)");
    goto done;
  }
  if (!(text = cJSON_PrintUnformatted(req))) {
    fail(err, PT_CODE_UNEXPECTED, "out of memory");
    goto done;
  }
  /* the vectors as the line holds them: the core reads them for the field and judges them */
  pt_vectors_in vectors = {PT_IN_JSON, 0, 0, data, data_len, NULL, NULL, 0, 0};
  if ((rc = pt_collection_search_vectors(c, text, strlen(text), &vectors, &res, err)) != PT_OK) goto done;
  size_t n = 0;
  if ((rc = pt_search_to_json(res, 0, &json, &n, err)) != PT_OK) goto done;
  buf_str(out, "{\"hits\":");
  split_hits(out, json, n, pt_search_counts(res), pt_search_nq(res));
  buf_str(out, "}");
done:
  pt_free(json);
  pt_search_free(res);
  cJSON_free(text);
  cJSON_Delete(req);
  cJSON_Delete(field);
  free(name);
  free(anns);
  return rc;
}

/* Runs one request line; writes its result (or error) as one JSON object into `out`. */
static void run(pt_store *store, const char *line, size_t len, buf *out) {
  request r = {line, len};
  pt_error err;
  memset(&err, 0, sizeof err);
  buf result = {0};
  int rc = PT_ERROR;
  size_t n = 0, idn = 0;
  const char *id = NULL;
  char *op = NULL;
  if (pt_json_validate(line, len, 0, &err) != PT_OK) {
    char why[sizeof err.message];
    snprintf(why, sizeof why, "%s", err.message);
    fail(&err, 1801, "can only accept json format request, error: %s", why);
  } else if (pt_json_member(line, len, "op", 2, &(size_t){0}, &n) < 0) {
    fail(&err, 1801, "can only accept json format request, error: a request is one JSON object per line");
  } else {
    id = member_text(&r, "id", &idn);
    op = member_string(&r, "op");
    if (!op) fail(&err, PT_CODE_PARAMETER_MISSING, "missing required parameters, error: \"op\" (a string)");
    else if (check_members(&r, !strcmp(op, "search"), &err) != PT_OK) { /* err says why */ }
    else if (!strcmp(op, "create")) rc = op_create(store, &r, &result, &err);
    else if (!strcmp(op, "create_partition")) rc = op_partition(store, &r, 1, &result, &err);
    else if (!strcmp(op, "drop_partition")) rc = op_partition(store, &r, 0, &result, &err);
    else if (!strcmp(op, "drop")) rc = op_drop(store, &r, &result, &err);
    else if (!strcmp(op, "insert")) rc = op_write(store, &r, PT_OP_INSERT, &result, &err);
    else if (!strcmp(op, "upsert")) rc = op_write(store, &r, PT_OP_UPSERT, &result, &err);
    else if (!strcmp(op, "delete")) rc = op_delete(store, &r, &result, &err);
    else if (!strcmp(op, "query")) rc = op_query(store, &r, &result, &err);
    else if (!strcmp(op, "search")) rc = op_search(store, &r, &result, &err);
    else fail(&err, PT_CODE_PARAMETER_INVALID, "unknown op \"%s\" (create, create_partition, drop_partition, drop, insert, upsert, delete, query, search): invalid parameter", op);
  }
  free(op);
  if (rc == PT_OK && result.oom) rc = fail(&err, PT_CODE_UNEXPECTED, "out of memory");
  if (rc == PT_OK) {
    /* {"id":...,<result members>} */
    if (id) {
      buf_str(out, "{\"id\":");
      buf_put(out, id, idn);
      buf_str(out, result.len > 2 ? "," : "");
      buf_put(out, result.p + 1, result.len - 1);
    } else {
      buf_put(out, result.p, result.len);
    }
  } else {
    buf_str(out, "{");
    if (id) {
      buf_str(out, "\"id\":");
      buf_put(out, id, idn);
      buf_str(out, ",");
    }
    buf_fmt(out, "\"error\":{\"code\":%d,\"message\":", (int)err.code);
    buf_json_string(out, err.message, strlen(err.message));
    buf_str(out, "}}");
  }
  free(result.p);
}

int main(void) {
  pt_store *store = NULL;
  pt_set_allocator(NULL); /* installs the core's cJSON hooks now: cJSON values made here are freed by them */
  if (pt_store_open(NULL, &store) != PT_OK) {
    fputs("partita-cli: cannot open a store\n", stderr);
    return 1;
  }
  buf out = {0};
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  int status = 0;
  /* one line of any length, with its length: a NUL byte in it is a byte like any other */
  while ((got = getline(&line, &cap, stdin)) >= 0) {
    size_t len = (size_t)got;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ')) len--;
    size_t start = 0;
    while (start < len && (line[start] == ' ' || line[start] == '\t')) start++;
    if (start == len) continue;
    out.len = 0;
    run(store, line + start, len - start, &out);
    buf_put(&out, "\n", 1);
    if (out.oom || fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
      status = 1;
      break;
    }
  }
  if (ferror(stdin)) {
    fputs("partita-cli: cannot read a request (out of memory or an input error)\n", stderr);
    status = 1;
  }
  free(line);
  free(out.p);
  pt_store_close(store);
  return status;
}
