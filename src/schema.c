/*
 * schema.c — DataType facts, FieldSchema / CollectionSchema from JSON, and their checks.
 *
 * Two sets of rules apply, as in Milvus, and each keeps its own messages:
 *   1. pymilvus's client-side checks, when a FieldSchema / CollectionSchema is built
 *      (pt_field_check_json, pt_schema_from_json): exception classes with code 1.
 *   2. Milvus's CreateCollection checks, when a collection is created
 *      (pt_schema_check_create), in the order the proxy and rootcoord run them.
 */
#include "schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyzer.h"
#include "cJSON.h"
#include "json.h"
#include "text.h"


/* ============================================================================================
 * DataType facts
 * ========================================================================================== */

typedef struct dtype_info {
  int code;
  const char *name;  /* pymilvus DataType name */
  const char *proto; /* schema.proto name, as in Milvus's messages and REST */
  const char *label; /* pymilvus row-error label */
} dtype_info;

static const dtype_info DTYPES[] = {
    {PT_NONE, "NONE", "None", "none"},
    {PT_BOOL, "BOOL", "Bool", "bool"},
    {PT_INT8, "INT8", "Int8", "int"},
    {PT_INT16, "INT16", "Int16", "int"},
    {PT_INT32, "INT32", "Int32", "int"},
    {PT_INT64, "INT64", "Int64", "int64"},
    {PT_FLOAT, "FLOAT", "Float", "float"},
    {PT_DOUBLE, "DOUBLE", "Double", "double"},
    {PT_STRING, "STRING", "String", "string"},
    {PT_VARCHAR, "VARCHAR", "VarChar", "varchar"},
    {PT_ARRAY, "ARRAY", "Array", "array"},
    {PT_JSON, "JSON", "JSON", "json"},
    {PT_GEOMETRY, "GEOMETRY", "Geometry", "geometry"},
    {PT_TEXT, "TEXT", "Text", "text"},
    {PT_TIMESTAMPTZ, "TIMESTAMPTZ", "Timestamptz", "string"},
    {PT_BINARY_VECTOR, "BINARY_VECTOR", "BinaryVector", "binary_vector"},
    {PT_FLOAT_VECTOR, "FLOAT_VECTOR", "FloatVector", "float_vector"},
    {PT_FLOAT16_VECTOR, "FLOAT16_VECTOR", "Float16Vector", "float16_vector"},
    {PT_BFLOAT16_VECTOR, "BFLOAT16_VECTOR", "BFloat16Vector", "bfloat16_vector"},
    {PT_SPARSE_FLOAT_VECTOR, "SPARSE_FLOAT_VECTOR", "SparseFloatVector", "sparse_float_vector"},
    {PT_INT8_VECTOR, "INT8_VECTOR", "Int8Vector", "int8_vector"},
    {PT_UNKNOWN, "UNKNOWN", "Unknown", "unknown"},
};

static const dtype_info *dtype_lookup(int code) {
  for (size_t i = 0; i < sizeof DTYPES / sizeof DTYPES[0]; i++)
    if (DTYPES[i].code == code) return &DTYPES[i];
  return NULL;
}

const char *pt_dtype_name(int dtype) {
  const dtype_info *d = dtype_lookup(dtype);
  return d ? d->name : NULL;
}
const char *pt_dtype_proto_name(int dtype) {
  const dtype_info *d = dtype_lookup(dtype);
  return d ? d->proto : "Unknown";
}
const char *pt_dtype_error_label(int dtype) {
  const dtype_info *d = dtype_lookup(dtype);
  return d ? d->label : "unknown";
}

bool pt_dtype_valid(int dtype) {
  return dtype != PT_NONE && dtype != PT_UNKNOWN && dtype_lookup(dtype) != NULL;
}
bool pt_dtype_is_vector(int dtype) { return dtype >= PT_BINARY_VECTOR && dtype <= PT_INT8_VECTOR; }
bool pt_dtype_is_dense_vector(int dtype) {
  return pt_dtype_is_vector(dtype) && dtype != PT_SPARSE_FLOAT_VECTOR;
}
bool pt_dtype_is_integer(int dtype) { return dtype >= PT_INT8 && dtype <= PT_INT64; }
bool pt_dtype_is_variable(int dtype) {
  switch (dtype) {
  case PT_VARCHAR: case PT_STRING: case PT_TEXT: case PT_GEOMETRY: case PT_TIMESTAMPTZ:
  case PT_JSON: case PT_ARRAY: case PT_SPARSE_FLOAT_VECTOR:
    return true;
  default:
    return false;
  }
}

bool pt_dtype_int_range(int dtype, int64_t *lo, int64_t *hi) {
  switch (dtype) {
  case PT_INT8: *lo = INT8_MIN; *hi = INT8_MAX; return true;
  case PT_INT16: *lo = INT16_MIN; *hi = INT16_MAX; return true;
  case PT_INT32: *lo = INT32_MIN; *hi = INT32_MAX; return true;
  case PT_INT64: *lo = INT64_MIN; *hi = INT64_MAX; return true;
  default: return false;
  }
}

size_t pt_dtype_scalar_size(int dtype) {
  switch (dtype) {
  case PT_BOOL: case PT_INT8: return 1;
  case PT_INT16: return 2;
  case PT_INT32: case PT_FLOAT: return 4;
  case PT_INT64: case PT_DOUBLE: return 8;
  default: return 0;
  }
}

/* ============================================================================================
 * Freeing and copying
 * ========================================================================================== */

static void field_release(pt_field *f) {
  pt_free(f->name);
  pt_free(f->description);
  pt_free(f->default_value.s);
  pt_free(f->analyzer_params);
  pt_analyzer_free(f->analyzer);
  memset(f, 0, sizeof *f);
}

static void names_free(char **names, size_t n) {
  for (size_t i = 0; i < n; i++) pt_free(names[i]);
  pt_free(names);
}

static void function_release(pt_function *fn) {
  pt_free(fn->name);
  pt_free(fn->description);
  names_free(fn->inputs, fn->n_inputs);
  names_free(fn->outputs, fn->n_outputs);
  pt_free(fn->params);
  memset(fn, 0, sizeof *fn);
}

void pt_schema_free(pt_schema *schema) {
  if (!schema) return;
  for (size_t i = 0; i < schema->n_fields; i++) field_release(&schema->fields[i]);
  for (size_t i = 0; i < schema->n_functions; i++) function_release(&schema->functions[i]);
  pt_free(schema->functions);
  pt_free(schema->fields);
  pt_free(schema->description);
  pt_free(schema);
}

static char **names_copy(char *const *names, size_t n) {
  char **out = pt_calloc(n ? n : 1, sizeof *out);
  if (!out) return NULL;
  for (size_t i = 0; i < n; i++)
    if (!(out[i] = pt_strndup(names[i], strlen(names[i])))) {
      names_free(out, i);
      return NULL;
    }
  return out;
}

static pt_status function_copy(pt_function *b, const pt_function *a) {
  *b = *a;
  b->name = pt_strndup(a->name, strlen(a->name));
  b->description = pt_strndup(a->description, strlen(a->description));
  b->params = pt_strndup(a->params, strlen(a->params));
  b->inputs = names_copy(a->inputs, a->n_inputs);
  b->outputs = names_copy(a->outputs, a->n_outputs);
  if (!b->inputs) b->n_inputs = 0;
  if (!b->outputs) b->n_outputs = 0;
  return b->name && b->description && b->params && b->inputs && b->outputs ? PT_OK : PT_NOMEM;
}

static bool names_equal(char *const *a, size_t na, char *const *b, size_t nb) {
  if (na != nb) return false;
  for (size_t i = 0; i < na; i++)
    if (strcmp(a[i], b[i]) != 0) return false;
  return true;
}

static bool functions_equal(const pt_schema *a, const pt_schema *b) {
  if (a->n_functions != b->n_functions) return false;
  for (size_t i = 0; i < a->n_functions; i++) {
    const pt_function *x = &a->functions[i], *y = &b->functions[i];
    if (strcmp(x->name, y->name) != 0 || strcmp(x->description, y->description) != 0 || x->type != y->type ||
        !names_equal(x->inputs, x->n_inputs, y->inputs, y->n_inputs) ||
        !names_equal(x->outputs, x->n_outputs, y->outputs, y->n_outputs) || strcmp(x->params, y->params) != 0)
      return false;
  }
  return true;
}

pt_schema *pt_schema_clone(const pt_schema *src) {
  pt_schema *s = pt_calloc(1, sizeof *s);
  if (!s) return NULL;
  *s = *src;
  s->fields = NULL;
  s->description = NULL;
  s->n_fields = 0;
  s->functions = NULL;
  s->n_functions = 0;
  if (src->n_functions && !(s->functions = pt_calloc(src->n_functions, sizeof *s->functions))) goto fail;
  for (size_t i = 0; i < src->n_functions; i++) {
    s->n_functions = i + 1;
    if (function_copy(&s->functions[i], &src->functions[i])) goto fail;
  }
  if (!(s->description = pt_strndup(src->description, strlen(src->description)))) goto fail;
  if (src->n_fields && !(s->fields = pt_calloc(src->n_fields, sizeof *s->fields))) goto fail;
  for (size_t i = 0; i < src->n_fields; i++) {
    const pt_field *a = &src->fields[i];
    pt_field *b = &s->fields[i];
    *b = *a;
    b->name = b->description = NULL;
    b->default_value.s = NULL;
    b->analyzer_params = NULL;
    b->analyzer = NULL; /* built again by pt_schema_check_create */
    s->n_fields = i + 1;
    if (!(b->name = pt_strndup(a->name, a->name_len))) goto fail;
    if (!(b->description = pt_strndup(a->description, strlen(a->description)))) goto fail;
    if (a->default_value.s &&
        !(b->default_value.s = pt_strndup(a->default_value.s, a->default_value.slen)))
      goto fail;
    if (a->analyzer_params && !(b->analyzer_params = pt_strndup(a->analyzer_params, a->analyzer_params_len)))
      goto fail;
  }
  return s;
fail:
  pt_schema_free(s);
  return NULL;
}

size_t pt_schema_num_fields(const pt_schema *schema) { return schema ? schema->n_fields : 0; }
int pt_schema_primary_field(const pt_schema *schema) { return schema ? schema->primary : -1; }

int pt_schema_find(const pt_schema *schema, const char *name, size_t len) {
  for (size_t i = 0; i < schema->n_fields; i++)
    if (pt_str_eq(schema->fields[i].name, schema->fields[i].name_len, name, len)) return (int)i;
  return -1;
}

static bool default_equal(const pt_default *a, const pt_default *b) {
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case PT_DEFAULT_NONE: return true;
  case PT_DEFAULT_BOOL: return a->b == b->b;
  case PT_DEFAULT_INT: return a->i == b->i;
  case PT_DEFAULT_FLOAT: return a->d == b->d;
  case PT_DEFAULT_STRING: return pt_str_eq(a->s, a->slen, b->s, b->slen);
  }
  return false;
}

bool pt_schema_equal(const pt_schema *a, const pt_schema *b) {
  if (a->n_fields != b->n_fields || a->enable_dynamic_field != b->enable_dynamic_field ||
      a->allow_insert_auto_id != b->allow_insert_auto_id ||
      strcmp(a->description, b->description) != 0 || !functions_equal(a, b))
    return false;
  for (size_t i = 0; i < a->n_fields; i++) {
    const pt_field *x = &a->fields[i], *y = &b->fields[i];
    if (!pt_str_eq(x->name, x->name_len, y->name, y->name_len) || x->dtype != y->dtype ||
        strcmp(x->description, y->description) != 0 || x->is_primary != y->is_primary ||
        x->auto_id != y->auto_id || x->nullable != y->nullable ||
        x->is_partition_key != y->is_partition_key || x->element_type != y->element_type ||
        x->has_dim != y->has_dim || (x->has_dim && x->dim != y->dim) ||
        x->has_max_length != y->has_max_length || (x->has_max_length && x->max_length != y->max_length) ||
        x->has_max_capacity != y->has_max_capacity ||
        (x->has_max_capacity && x->max_capacity != y->max_capacity) ||
        x->has_default != y->has_default || !default_equal(&x->default_value, &y->default_value) ||
        x->has_enable_analyzer != y->has_enable_analyzer || x->enable_analyzer != y->enable_analyzer ||
        x->has_enable_match != y->has_enable_match || x->enable_match != y->enable_match ||
        !pt_str_eq(x->analyzer_params ? x->analyzer_params : "", x->analyzer_params_len,
                   y->analyzer_params ? y->analyzer_params : "", y->analyzer_params_len) ||
        (x->analyzer_params == NULL) != (y->analyzer_params == NULL))
      return false;
  }
  return true;
}

/* ============================================================================================
 * JSON helpers
 * ========================================================================================== */

static const char *json_type_name(const cJSON *v) {
  if (cJSON_IsBool(v)) return "bool";
  if (cJSON_IsNumber(v)) return "number";
  if (cJSON_IsString(v)) return "string";
  if (cJSON_IsArray(v)) return "list";
  if (cJSON_IsObject(v)) return "dict";
  if (cJSON_IsNull(v)) return "None";
  return "unknown";
}

/* An optional boolean key: absent → `*present` false. A non-boolean → the given error. */
static pt_status get_bool(const cJSON *obj, const char *key, bool *out, bool *present,
                          pt_error *err, pt_exception exc, const char *msg) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (present) *present = v != NULL && !cJSON_IsNull(v);
  if (!v || cJSON_IsNull(v)) return PT_OK;
  if (!cJSON_IsBool(v)) return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, exc, "%s", msg);
  *out = cJSON_IsTrue(v);
  return PT_OK;
}

/* Go's strconv.ParseBool, which Milvus reads a boolean collection property with. */
static bool parse_go_bool(const char *s, bool *out) {
  static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
  static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
    if (strcmp(s, yes[i]) == 0) { *out = true; return true; }
    if (strcmp(s, no[i]) == 0) { *out = false; return true; }
  }
  return false;
}

/* The collection properties ("properties": {key: value}, as pymilvus's and the Node SDK's
 * create_collection take them): allow_insert_auto_id, a boolean or its text; any other key
 * is refused by name, since partita would otherwise ignore it. */
static pt_status get_properties(const cJSON *root, pt_schema *s, pt_error *err) {
  const cJSON *props = cJSON_GetObjectItemCaseSensitive(root, "properties");
  if (!props || cJSON_IsNull(props)) return PT_OK;
  if (!cJSON_IsObject(props))
    return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "Param properties must be dict type.");
  const cJSON *kv;
  cJSON_ArrayForEach(kv, props) {
    if (strcmp(kv->string, PT_PROP_ALLOW_INSERT_AUTO_ID) != 0)
      return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
                     "the collection property %s is not supported by partita", kv->string);
    bool v = false;
    if (cJSON_IsBool(kv)) v = cJSON_IsTrue(kv);
    else if (!cJSON_IsString(kv) || !parse_go_bool(kv->valuestring, &v))
      return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "the value for %s must be a boolean" PT_INVALID_PARAMETER, PT_PROP_ALLOW_INSERT_AUTO_ID);
    s->allow_insert_auto_id = v;
    s->has_allow_insert_auto_id = true;
  }
  return PT_OK;
}

/* An optional string key, copied; absent → empty string. */
static pt_status get_string_copy(const cJSON *obj, const char *key, char **out, pt_error *err) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  const char *s = "";
  if (v && !cJSON_IsNull(v)) {
    if (!cJSON_IsString(v))
      return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM,
                     "Param %s must be str type.", key);
    s = v->valuestring;
  }
  *out = pt_strndup(s, strlen(s));
  return *out ? PT_OK : pt_fail_nomem(err);
}

/* Parses a type parameter the way Milvus does (strconv.ParseInt on its string form). */
static pt_status get_type_param(const cJSON *obj, const char *key, int64_t *out, bool *present,
                                pt_error *err) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  *present = v != NULL && !cJSON_IsNull(v);
  if (!*present) return PT_OK;
  if (cJSON_IsNumber(v)) {
    double d = v->valuedouble;
    if (d == floor(d) && d >= -9.2e18 && d <= 9.2e18) {
      *out = (int64_t)d;
      return PT_OK;
    }
    char text[64];
    snprintf(text, sizeof text, "%.17g", d);
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "strconv.ParseInt: parsing \"%s\": invalid syntax", text);
  }
  if (cJSON_IsString(v)) {
    const char *s = v->valuestring;
    char *end = NULL;
    long long x = strtoll(s, &end, 10);
    if (*s && end && *end == '\0') {
      *out = (int64_t)x;
      return PT_OK;
    }
    char ex[80];
    pt_excerpt(ex, sizeof ex, s, strlen(s), 60);
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "strconv.ParseInt: parsing \"%s\": invalid syntax", ex);
  }
  return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                 "strconv.ParseInt: parsing %s: invalid syntax", json_type_name(v));
}

/* A boolean type parameter (enable_analyzer, enable_match): a boolean, or what Go's
 * strconv.ParseBool reads (pymilvus sends a string as it is, the server parses it). Milvus takes
 * a value it cannot parse as false; partita refuses it rather than ignore it. */
static pt_status get_bool_param(const cJSON *obj, const char *key, bool *out, bool *present, pt_error *err) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  *present = v != NULL && !cJSON_IsNull(v);
  if (!*present) return PT_OK;
  if (cJSON_IsBool(v)) {
    *out = cJSON_IsTrue(v);
    return PT_OK;
  }
  static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
  static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
  char text[80];
  if (cJSON_IsString(v)) {
    for (size_t i = 0; i < 6; i++) {
      if (strcmp(v->valuestring, yes[i]) == 0) return *out = true, PT_OK;
      if (strcmp(v->valuestring, no[i]) == 0) return *out = false, PT_OK;
    }
    pt_excerpt(text, sizeof text, v->valuestring, strlen(v->valuestring), 60);
  } else if (cJSON_IsNumber(v) && (v->valuedouble == 0 || v->valuedouble == 1)) {
    *out = v->valuedouble == 1;
    return PT_OK;
  } else {
    snprintf(text, sizeof text, "%s", json_type_name(v));
  }
  return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                 "type param %s: strconv.ParseBool: parsing \"%s\": invalid syntax" PT_INVALID_PARAMETER, key, text);
}

/* analyzer_params: a dict (kept as its compact JSON text) or a JSON string (kept as it is). */
static pt_status get_analyzer_params(const cJSON *obj, pt_field *f, pt_error *err) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "analyzer_params");
  if (!v || cJSON_IsNull(v)) return PT_OK;
  if (cJSON_IsString(v)) {
    f->analyzer_params_len = strlen(v->valuestring);
    f->analyzer_params = pt_strndup(v->valuestring, f->analyzer_params_len);
  } else {
    f->analyzer_params = cJSON_PrintUnformatted(v);
    f->analyzer_params_len = f->analyzer_params ? strlen(f->analyzer_params) : 0;
  }
  return f->analyzer_params ? PT_OK : pt_fail_nomem(err);
}

/* ============================================================================================
 * FieldSchema (pymilvus's client-side checks)
 * ========================================================================================== */

static pt_status parse_default(const cJSON *v, pt_field *f, pt_error *err) {
  pt_default *d = &f->default_value;
  if (cJSON_IsNull(v)) {
    /* explicit None: allowed only on a nullable field, and then means "no default" */
    if (!f->nullable)
      return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
                     "Default value cannot be None for a field that is defined as nullable == false.");
    return PT_OK;
  }
  f->has_default = true;
  if (cJSON_IsBool(v)) {
    d->kind = PT_DEFAULT_BOOL;
    d->b = cJSON_IsTrue(v);
  } else if (cJSON_IsNumber(v)) {
    double x = v->valuedouble;
    if (x == floor(x) && x >= -9223372036854775808.0 && x < 9223372036854775808.0) {
      d->kind = PT_DEFAULT_INT;
      d->i = (int64_t)x;
    }
    d->d = x;
    if (d->kind != PT_DEFAULT_INT) d->kind = PT_DEFAULT_FLOAT;
  } else if (cJSON_IsString(v)) {
    d->kind = PT_DEFAULT_STRING;
    d->slen = strlen(v->valuestring);
    if (!(d->s = pt_strndup(v->valuestring, d->slen))) return pt_fail_nomem(err);
  } else {
    f->has_default = false;
    return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
                   "Default value unsupported data type: <class '%s'>", json_type_name(v));
  }
  return PT_OK;
}

/* ============================================================================================
 * Function (pymilvus's Function() checks)
 * ========================================================================================== */

/* input_field_names / output_field_names: a name or a list of names. */
static pt_status get_names(const cJSON *fn, const char *key, char ***out, size_t *n, pt_error *err) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(fn, key);
  *out = NULL;
  *n = 0;
  if (!v || cJSON_IsNull(v)) return PT_OK;
  bool one = cJSON_IsString(v);
  if (!one && !cJSON_IsArray(v))
    return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "The type of function input and output must be str.");
  size_t count = one ? 1 : (size_t)cJSON_GetArraySize(v);
  if (!(*out = pt_calloc(count ? count : 1, sizeof **out))) return pt_fail_nomem(err);
  const cJSON *item = one ? v : v->child;
  for (size_t i = 0; i < count; i++, item = item->next) {
    if (!cJSON_IsString(item))
      return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "The type of function input and output must be str.");
    if (!((*out)[i] = pt_strndup(item->valuestring, strlen(item->valuestring)))) return pt_fail_nomem(err);
    *n = i + 1;
  }
  return PT_OK;
}

static bool names_repeat(char *const *a, size_t n) {
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      if (strcmp(a[i], a[j]) == 0) return true;
  return false;
}

static bool names_share(char *const *a, size_t na, char *const *b, size_t nb) {
  for (size_t i = 0; i < na; i++)
    for (size_t j = 0; j < nb; j++)
      if (strcmp(a[i], b[j]) == 0) return true;
  return false;
}

/* One function object: {"name", "description", "type": 1 | "BM25", "input_field_names",
 * "output_field_names", "params": {}}. */
static pt_status function_from_json(const cJSON *obj, pt_function *fn, pt_error *err) {
  memset(fn, 0, sizeof *fn);
  if (!cJSON_IsObject(obj))
    return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "The function of schema type must be Function.");
  pt_status rc;
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
  if (name && !cJSON_IsNull(name) && !cJSON_IsString(name))
    return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "Param name must be str type.");
  if ((rc = get_string_copy(obj, "name", &fn->name, err)) || (rc = get_string_copy(obj, "description", &fn->description, err)))
    return rc;
  const cJSON *type = cJSON_GetObjectItemCaseSensitive(obj, "type");
  if (cJSON_IsNumber(type) && type->valuedouble == PT_FUNCTION_BM25) fn->type = PT_FUNCTION_BM25;
  else if (cJSON_IsString(type) && strcmp(type->valuestring, "BM25") == 0) fn->type = PT_FUNCTION_BM25;
  else return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "Unknown function type.");
  if ((rc = get_names(obj, "input_field_names", &fn->inputs, &fn->n_inputs, err)) ||
      (rc = get_names(obj, "output_field_names", &fn->outputs, &fn->n_outputs, err)))
    return rc;
  if (names_repeat(fn->inputs, fn->n_inputs))
    return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "Duplicate input field names are not allowed in function.");
  if (names_repeat(fn->outputs, fn->n_outputs))
    return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "Duplicate output field names are not allowed in function.");
  if (names_share(fn->inputs, fn->n_inputs, fn->outputs, fn->n_outputs))
    return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "Input and output field names must be different.");
  const cJSON *params = cJSON_GetObjectItemCaseSensitive(obj, "params");
  if (params && !cJSON_IsNull(params) && !cJSON_IsObject(params))
    return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_CLIENT, PT_EXC_PARAM, "Param params must be dict type.");
  if (params && cJSON_IsObject(params)) {
    fn->n_params = (size_t)cJSON_GetArraySize(params);
    fn->params = cJSON_PrintUnformatted(params);
  } else {
    fn->params = pt_strndup("{}", 2);
  }
  return fn->params ? PT_OK : pt_fail_nomem(err);
}

/* Fills `f` from one field object and runs FieldSchema()'s checks. */
static pt_status field_from_json(const cJSON *obj, pt_field *f, pt_error *err) {
  pt_status rc;
  memset(f, 0, sizeof *f);
  f->element_type = PT_NONE;
  f->bm25_input = -1;
  if (!cJSON_IsObject(obj))
    return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
                   "The field of schema type must be FieldSchema.");

  const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
  if (!cJSON_IsString(name))
    return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM,
                   "The name of a field must be str type, got %s.", name ? json_type_name(name) : "None");
  f->name_len = strlen(name->valuestring);
  if (!(f->name = pt_strndup(name->valuestring, f->name_len))) return pt_fail_nomem(err);

  const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(obj, "dtype");
  if (!cJSON_IsNumber(dtype) || dtype->valuedouble != floor(dtype->valuedouble) ||
      dtype->valuedouble < 0 || dtype->valuedouble > 100000 ||
      !dtype_lookup((int)dtype->valuedouble) || (int)dtype->valuedouble == PT_UNKNOWN)
    return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_TYPE_NOT_SUPPORT,
                   "Field dtype must be of DataType");
  f->dtype = (int32_t)dtype->valuedouble;

  if ((rc = get_string_copy(obj, "description", &f->description, err))) return rc;
  if ((rc = get_bool(obj, "is_primary", &f->is_primary, NULL, err, PT_EXC_PRIMARY_KEY,
                     "Param is_primary must be bool type.")))
    return rc;
  if ((rc = get_bool(obj, "is_dynamic", &f->is_dynamic, NULL, err, PT_EXC_PARAM,
                     "Param is_dynamic must be bool type.")))
    return rc;
  if ((rc = get_bool(obj, "nullable", &f->nullable, NULL, err, PT_EXC_PARAM,
                     "Param nullable must be bool type.")))
    return rc;
  if ((rc = get_bool(obj, "auto_id", &f->auto_id, &f->has_auto_id, err, PT_EXC_AUTO_ID,
                     "Param auto_id must be bool type.")))
    return rc;
  if (f->has_auto_id && f->auto_id && !f->is_primary)
    return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_AUTO_ID,
                   "The auto_id can only be specified on the primary key field");
  if (f->auto_id && f->dtype != PT_INT64 && f->dtype != PT_VARCHAR)
    return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_AUTO_ID,
                   "The auto_id can only be specified on field with DataType.INT64 and DataType.VARCHAR.");
  if ((rc = get_bool(obj, "is_partition_key", &f->is_partition_key, NULL, err,
                     PT_EXC_PARTITION_KEY, "Param is_partition_key must be bool type.")))
    return rc;
  if ((rc = get_bool(obj, "is_clustering_key", &f->is_clustering_key, NULL, err, PT_EXC_PARAM,
                     "Param is_clustering_key must be bool type.")))
    return rc;

  const cJSON *def = cJSON_GetObjectItemCaseSensitive(obj, "default_value");
  if (def && (rc = parse_default(def, f, err))) return rc;

  const cJSON *et = cJSON_GetObjectItemCaseSensitive(obj, "element_type");
  if (et && !cJSON_IsNull(et)) {
    if (!cJSON_IsNumber(et) || !dtype_lookup((int)et->valuedouble))
      return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_DATA_TYPE_NOT_SUPPORT,
                     "Field dtype must be of DataType");
    f->element_type = (int32_t)et->valuedouble;
  }
  if ((rc = get_type_param(obj, "dim", &f->dim, &f->has_dim, err))) return rc;
  if ((rc = get_type_param(obj, "max_length", &f->max_length, &f->has_max_length, err))) return rc;
  if ((rc = get_type_param(obj, "max_capacity", &f->max_capacity, &f->has_max_capacity, err)))
    return rc;
  if ((rc = get_bool_param(obj, "enable_analyzer", &f->enable_analyzer, &f->has_enable_analyzer, err))) return rc;
  if ((rc = get_bool_param(obj, "enable_match", &f->enable_match, &f->has_enable_match, err))) return rc;
  if ((rc = get_bool(obj, "is_function_output", &f->is_function_output, NULL, err, PT_EXC_PARAM,
                     "Param is_function_output must be bool type.")))
    return rc;
  return get_analyzer_params(obj, f, err);
}

pt_status pt_field_check_json(const char *json, size_t len, pt_error *err) {
  if (!json) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "no field JSON given");
  pt_json_hooks_install();
  pt_json_checked chk;
  cJSON *obj = pt_json_parse_ex(json, len, 0, &chk);
  if (!obj) return pt_json_fail(err, PT_CODE_CLIENT, PT_EXC_PARAM, "the field", "invalid field JSON", &chk);
  pt_field f;
  pt_status rc = field_from_json(obj, &f, err);
  field_release(&f);
  cJSON_Delete(obj);
  if (rc == PT_OK) pt_error_clear(err);
  return rc;
}

/* ============================================================================================
 * CollectionSchema (pymilvus's client-side checks)
 * ========================================================================================== */

pt_status pt_schema_from_json(const char *json, size_t len, pt_schema **out, pt_error *err) {
  if (!json || !out) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "no schema JSON given");
  *out = NULL;
  pt_json_hooks_install();
  pt_status rc = PT_OK;
  pt_json_checked chk;
  cJSON *root = pt_json_parse_ex(json, len, 0, &chk);
  if (!root) return pt_json_fail(err, PT_CODE_CLIENT, PT_EXC_PARAM, "the schema", "invalid schema JSON", &chk);
  pt_schema *s = pt_calloc(1, sizeof *s);
  if (!s) { rc = pt_fail_nomem(err); goto done; }
  s->primary = s->partition_key = -1;

  if (!cJSON_IsObject(root)) {
    rc = pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "Schema type must be schema.CollectionSchema.");
    goto done;
  }
  if ((rc = get_string_copy(root, "description", &s->description, err))) goto done;
  const cJSON *fields = cJSON_GetObjectItemCaseSensitive(root, "fields");
  if (!cJSON_IsArray(fields)) {
    rc = pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "The fields of schema must be type list.");
    goto done;
  }
  size_t n = (size_t)cJSON_GetArraySize(fields);
  if (n && !(s->fields = pt_calloc(n, sizeof *s->fields))) { rc = pt_fail_nomem(err); goto done; }
  const cJSON *item;
  cJSON_ArrayForEach(item, fields) {
    pt_field *f = &s->fields[s->n_fields];
    rc = field_from_json(item, f, err);
    s->n_fields++; /* counted even on failure, so that pt_schema_free releases it */
    if (rc) goto done;
  }

  const cJSON *fns = cJSON_GetObjectItemCaseSensitive(root, "functions");
  if (fns && !cJSON_IsNull(fns)) {
    if (!cJSON_IsArray(fns)) {
      rc = pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARAM, "The functions of schema must be type list.");
      goto done;
    }
    size_t nf = (size_t)cJSON_GetArraySize(fns);
    if (nf && !(s->functions = pt_calloc(nf, sizeof *s->functions))) { rc = pt_fail_nomem(err); goto done; }
    cJSON_ArrayForEach(item, fns) {
      rc = function_from_json(item, &s->functions[s->n_functions], err);
      s->n_functions++; /* counted even on failure, so that pt_schema_free releases it */
      if (rc) goto done;
    }
  }

  /* _check_kwargs */
  const cJSON *pk_name = cJSON_GetObjectItemCaseSensitive(root, "primary_field");
  const cJSON *part_name = cJSON_GetObjectItemCaseSensitive(root, "partition_key_field");
  if (pk_name && !cJSON_IsNull(pk_name) && !cJSON_IsString(pk_name)) {
    rc = pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PRIMARY_KEY, "Param primary_field must be int or str type.");
    goto done;
  }
  if (part_name && !cJSON_IsNull(part_name) && !cJSON_IsString(part_name)) {
    rc = pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARTITION_KEY, "Param partition_key_field must be str type.");
    goto done;
  }
  if ((rc = get_bool(root, "auto_id", &s->auto_id, &s->has_auto_id, err, PT_EXC_AUTO_ID,
                     "Param auto_id must be bool type.")))
    goto done;
  if ((rc = get_bool(root, "enable_dynamic_field", &s->enable_dynamic_field, NULL, err,
                     PT_EXC_PARAM, "Param enable_dynamic_field must be bool type.")))
    goto done;
  if ((rc = get_properties(root, s, err))) goto done;

  /* _check_fields */
  const char *pkn = cJSON_IsString(pk_name) ? pk_name->valuestring : NULL;
  const char *ptn = cJSON_IsString(part_name) ? part_name->valuestring : NULL;
  for (size_t i = 0; i < s->n_fields; i++) {
    pt_field *f = &s->fields[i];
    if (pkn && *pkn && strcmp(pkn, f->name) == 0) f->is_primary = true;
    if (ptn && *ptn && strcmp(ptn, f->name) == 0) f->is_partition_key = true;
    if (f->is_primary) {
      if (s->primary >= 0) {
        rc = pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PRIMARY_KEY,
                     "Expected only one primary key field, got [%s, %s, ...].",
                     s->fields[s->primary].name, f->name);
        goto done;
      }
      s->primary = (int)i;
    }
    if (f->is_partition_key) {
      if (f->dtype != PT_INT64 && f->dtype != PT_VARCHAR) {
        rc = pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARTITION_KEY,
                     "Partition key field type must be DataType.INT64 or DataType.VARCHAR.");
        goto done;
      }
      if (s->partition_key >= 0) {
        rc = pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARTITION_KEY,
                     "Expected only one partition key field, got [%s, %s, ...].",
                     s->fields[s->partition_key].name, f->name);
        goto done;
      }
      s->partition_key = (int)i;
    }
  }
  if (s->primary < 0) {
    rc = pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PRIMARY_KEY, "Schema must have a primary key field.");
    goto done;
  }
  if (s->fields[s->primary].dtype != PT_INT64 && s->fields[s->primary].dtype != PT_VARCHAR) {
    rc = pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PRIMARY_KEY,
                 "Primary key type must be DataType.INT64 or DataType.VARCHAR.");
    goto done;
  }
  /* pymilvus builds "Partition key field should not be primary field" but never raises it;
   * the server's check (pt_schema_check_create) catches that case. */
  if (s->partition_key < 0 && ptn) {
    rc = pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_PARTITION_KEY,
                 "the specified partition key field {%s} not exist", ptn);
    goto done;
  }
  if (s->auto_id) s->fields[s->primary].auto_id = true;
  /* the schema-level flag mirrors the primary key's, as pymilvus reports it */
  s->auto_id = s->fields[s->primary].auto_id;
  for (size_t i = 0; i < s->n_fields; i++) s->fields[i].field_id = 100 + (int64_t)i;

done:
  cJSON_Delete(root);
  if (rc != PT_OK) {
    pt_schema_free(s);
    return rc;
  }
  *out = s;
  pt_error_clear(err);
  return PT_OK;
}

/* ============================================================================================
 * CreateCollection (Milvus's server-side checks)
 * ========================================================================================== */

static const char *const KEYWORDS[] = {
    "$meta", "like", "LIKE", "exists", "EXISTS", "and", "AND", "or", "OR", "not", "NOT", "in", "IN",
    "json_contains", "JSON_CONTAINS", "json_contains_all", "JSON_CONTAINS_ALL",
    "json_contains_any", "JSON_CONTAINS_ANY", "array_contains", "ARRAY_CONTAINS",
    "array_contains_all", "ARRAY_CONTAINS_ALL", "array_contains_any", "ARRAY_CONTAINS_ANY",
    "array_length", "ARRAY_LENGTH", "true", "True", "TRUE", "false", "False", "FALSE",
    "text_match", "TEXT_MATCH", "phrase_match", "PHRASE_MATCH", "random_sample", "RANDOM_SAMPLE",
    "null", "NULL"};

static bool is_keyword(const char *s, size_t len) {
  for (size_t i = 0; i < sizeof KEYWORDS / sizeof KEYWORDS[0]; i++)
    if (pt_str_eqz(s, len, KEYWORDS[i])) return true;
  return false;
}

/* Trims ASCII white space, as Go's strings.TrimSpace does for these names. */
static void trim_space(const char **s, size_t *len) {
  while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t' || (*s)[0] == '\n' || (*s)[0] == '\r')) {
    (*s)++;
    (*len)--;
  }
  while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\n' ||
                  (*s)[*len - 1] == '\r'))
    (*len)--;
}

/* Milvus's rule for collection and database names (validateCollectionNameOrAlias,
 * ValidateDatabaseName): which part of it `name` breaks, if any. */
typedef enum name_fault { NAME_OK, NAME_EMPTY, NAME_LONG, NAME_FIRST, NAME_CHAR } name_fault;
static name_fault check_name(const char *name, size_t len) {
  if (len == 0) return NAME_EMPTY;
  if (len > PT_MAX_NAME_LENGTH) return NAME_LONG;
  if (!pt_is_name_start(name[0])) return NAME_FIRST;
  for (size_t i = 1; i < len; i++)
    if (!pt_is_name_char(name[i])) return NAME_CHAR;
  return NAME_OK;
}

static pt_status check_collection_name(const char *name, size_t len, pt_error *err) {
  switch (check_name(name, len)) {
  case NAME_OK: return PT_OK;
  case NAME_EMPTY:
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "collection name should not be empty" PT_INVALID_PARAMETER);
  case NAME_LONG:
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "Invalid collection name: %.*s. the length of a collection name must be less "
                   "than %d characters" PT_INVALID_PARAMETER,
                   (int)len, name, PT_MAX_NAME_LENGTH);
  case NAME_FIRST:
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "Invalid collection name: %.*s. the first character of a collection name must "
                   "be an underscore or letter" PT_INVALID_PARAMETER,
                   (int)len, name);
  default:
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "Invalid collection name: %.*s. collection name can only contain numbers, "
                   "letters and underscores" PT_INVALID_PARAMETER,
                   (int)len, name);
  }
}

/* merr.ErrDatabaseNameInvalid: its code and how Milvus words it after the reason */
#define DATABASE_NAME_INVALID_CODE 802
pt_status pt_check_database_name(const char *name, size_t len, pt_error *err) {
  if (!name && len) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_check_database_name: missing argument");
  const char *why;
  switch (check_name(name, len)) {
  case NAME_OK: return PT_OK;
  case NAME_EMPTY: why = "database name couldn't be empty"; break;
  case NAME_LONG:
    return pt_fail(err, PT_SCHEMA, DATABASE_NAME_INVALID_CODE, PT_EXC_MILVUS,
                   "the length of a database name must be less than %d characters: invalid database name[database=%.*s]",
                   PT_MAX_NAME_LENGTH, (int)len, name);
  case NAME_FIRST: why = "the first character of a database name must be an underscore or letter"; break;
  default: why = "database name can only contain numbers, letters and underscores"; break;
  }
  return pt_fail(err, PT_SCHEMA, DATABASE_NAME_INVALID_CODE, PT_EXC_MILVUS, "%s: invalid database name[database=%.*s]", why,
                 (int)len, name ? name : "");
}

#define FIELD_NAME_INVALID_CODE 1701
static pt_status check_field_name(const char *name, size_t len, pt_error *err) {
  trim_space(&name, &len);
  if (len == 0)
    return pt_fail(err, PT_SCHEMA, FIELD_NAME_INVALID_CODE, PT_EXC_MILVUS,
                   "field name should not be empty: field name invalid[field=]");
  if (len > PT_MAX_NAME_LENGTH)
    return pt_fail(err, PT_SCHEMA, FIELD_NAME_INVALID_CODE, PT_EXC_MILVUS,
                   "Invalid field name: %.*s. The length of a field name must be less than %d "
                   "characters.: field name invalid[field=%.*s]",
                   (int)len, name, PT_MAX_NAME_LENGTH, (int)len, name);
  if (!pt_is_name_start(name[0]))
    return pt_fail(err, PT_SCHEMA, FIELD_NAME_INVALID_CODE, PT_EXC_MILVUS,
                   "Invalid field name: %.*s. The first character of a field name must be an "
                   "underscore or letter.: field name invalid[field=%.*s]",
                   (int)len, name, (int)len, name);
  for (size_t i = 1; i < len; i++)
    if (!pt_is_name_char(name[i]))
      return pt_fail(err, PT_SCHEMA, FIELD_NAME_INVALID_CODE, PT_EXC_MILVUS,
                     "Invalid field name: %.*s. Field name can only contain numbers, letters, "
                     "and underscores.: field name invalid[field=%.*s]",
                     (int)len, name, (int)len, name);
  if (is_keyword(name, len))
    return pt_fail(err, PT_SCHEMA, FIELD_NAME_INVALID_CODE, PT_EXC_MILVUS,
                   "Invalid field name: %.*s. %.*s is keyword in milvus.: field name "
                   "invalid[field=%.*s]",
                   (int)len, name, (int)len, name, (int)len, name);
  return PT_OK;
}

pt_status pt_check_partition_name(const char *name, size_t len, pt_error *err) {
  trim_space(&name, &len);
  if (len == 0)
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "Invalid partition name: . Partition name should not be empty.");
  if (len > PT_MAX_NAME_LENGTH)
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "Invalid partition name: %.*s. The length of a partition name must be less "
                   "than %d characters.",
                   (int)len, name, PT_MAX_NAME_LENGTH);
  for (size_t i = 0; i < len; i++)
    if (!pt_is_name_char(name[i]))
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "Invalid partition name: %.*s. Partition name can only contain numbers, "
                     "letters and underscores.",
                     (int)len, name);
  return PT_OK;
}

static pt_status check_dim(const pt_field *f, pt_error *err) {
  if (f->dtype == PT_SPARSE_FLOAT_VECTOR) {
    if (f->has_dim)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "dim should not be specified for sparse vector field %s(%lld)", f->name,
                     (long long)f->field_id);
    return PT_OK;
  }
  if (!f->has_dim)
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "dimension is not defined in field type params of field %s, check type param "
                   "`dim` for vector field",
                   f->name);
  if (f->dim <= 1)
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "invalid dimension: %lld. should be in range 2 ~ %d", (long long)f->dim, PT_MAX_DIM);
  if (f->dtype == PT_BINARY_VECTOR) {
    if (f->dim % 8 != 0)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "invalid dimension: %lld of field %s. binary vector dimension should be "
                     "multiple of 8. ",
                     (long long)f->dim, f->name);
    if (f->dim > (int64_t)PT_MAX_DIM * 8)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "invalid dimension: %lld of field %s. binary vector dimension should be in "
                     "range 2 ~ %d",
                     (long long)f->dim, f->name, PT_MAX_DIM * 8);
  } else if (f->dim > PT_MAX_DIM) {
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "invalid dimension: %lld of field %s. float vector dimension should be in "
                   "range 2 ~ %d",
                   (long long)f->dim, f->name, PT_MAX_DIM);
  }
  return PT_OK;
}

static pt_status check_max_length(const pt_field *f, const char *coll, size_t coll_len,
                                  pt_error *err) {
  if (!f->has_max_length)
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "type param(max_length) should be specified for varChar field(%s) of "
                   "collection %.*s",
                   f->name, (int)coll_len, coll);
  if (f->max_length <= 0 || f->max_length > PT_MAX_VARCHAR_LENGTH)
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "the maximum length specified for a VarChar field(%s) should be in (0, %d], "
                   "but got %lld instead" PT_INVALID_PARAMETER,
                   f->name, PT_MAX_VARCHAR_LENGTH, (long long)f->max_length);
  return PT_OK;
}

static pt_status check_array(const pt_field *f, const char *coll, size_t coll_len, pt_error *err) {
  if (!f->has_max_capacity)
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "type param(max_capacity) should be specified for array field %s of collection %.*s",
                   f->name, (int)coll_len, coll);
  if (f->max_capacity <= 0 || f->max_capacity > PT_MAX_ARRAY_CAPACITY)
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "the maximum capacity specified for a Array should be in (0, %d]",
                   PT_MAX_ARRAY_CAPACITY);
  switch (f->element_type) {
  case PT_BOOL: case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: case PT_FLOAT:
  case PT_DOUBLE: case PT_VARCHAR:
    return PT_OK;
  default:
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "element type %s is not supported", pt_dtype_proto_name(f->element_type));
  }
}

/* The proxy's validateAnalyzer. Milvus reads enable_match and enable_analyzer only on string
 * fields and builds the analyzer only of a field with match enabled (or a BM25 input); partita
 * refuses them on other fields rather than ignore them, and builds the analyzer of every field
 * that enables it, so that analyzer_params it keeps are ones it can run; the field keeps it. */
static pt_status check_analyzer(pt_field *f, pt_error *err) {
  pt_analyzer_free(f->analyzer);
  f->analyzer = NULL;
  if (f->dtype != PT_VARCHAR) {
    if (f->enable_analyzer || f->enable_match || f->analyzer_params)
      return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "field %s is of type %s: enable_analyzer, enable_match and analyzer_params apply to "
                     "VarChar fields only (Milvus ignores them elsewhere; partita refuses them)" PT_INVALID_PARAMETER,
                     f->name, pt_dtype_proto_name(f->dtype));
    return PT_OK;
  }
  if (f->enable_match && !f->enable_analyzer)
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "field %s which has enable_match or is input of BM25 function must also enable_analyzer", f->name);
  if (!f->enable_analyzer) return PT_OK;
  return pt_analyzer_new(f->analyzer_params, f->analyzer_params ? f->analyzer_params_len : 0, &f->analyzer, err);
}

/* The proxy's validateFunction (Milvus 2.5's messages): names, fields that exist, one VarChar
 * input with enable_analyzer and one SparseFloatVector output per BM25 function, an output used
 * once. Marks the outputs (is_function_output, bm25_input). A field that says it is a function
 * output without a function naming it is refused rather than taken at its word. */
static pt_status check_functions(pt_schema *s, pt_error *err) {
  for (size_t i = 0; i < s->n_fields; i++) {
    if (s->fields[i].is_function_output) {
      bool named = false;
      for (size_t k = 0; k < s->n_functions && !named; k++)
        for (size_t o = 0; o < s->functions[k].n_outputs && !named; o++)
          named = strcmp(s->functions[k].outputs[o], s->fields[i].name) == 0;
      if (!named)
        return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                       "field %s is marked is_function_output but no function outputs it" PT_INVALID_PARAMETER,
                       s->fields[i].name);
    }
    s->fields[i].is_function_output = false;
    s->fields[i].bm25_input = -1;
  }
  for (size_t k = 0; k < s->n_functions; k++) {
    const pt_function *fn = &s->functions[k];
    /* checkFunctionBasicParams */
    if (!fn->name[0]) return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "function name cannot be empty");
    if (!fn->n_inputs)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "function input field names cannot be empty, function: %s", fn->name);
    if (!fn->n_outputs)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "function output field names cannot be empty, function: %s", fn->name);
    for (size_t i = 0; i < fn->n_inputs; i++)
      if (!fn->inputs[i][0])
        return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                       "function input field name cannot be empty string, function: %s", fn->name);
    for (size_t i = 0; i < fn->n_outputs; i++)
      if (!fn->outputs[i][0])
        return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                       "function output field name cannot be empty string, function: %s", fn->name);
    if (fn->n_params) return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "BM25 function accepts no params");
    for (size_t j = 0; j < k; j++)
      if (strcmp(s->functions[j].name, fn->name) == 0)
        return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "duplicate function name: %s", fn->name);
    int in = -1;
    for (size_t i = 0; i < fn->n_inputs; i++) {
      int fi = pt_schema_find(s, fn->inputs[i], strlen(fn->inputs[i]));
      if (fi < 0)
        return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "function input field not found: %s", fn->inputs[i]);
      if (s->fields[fi].nullable)
        return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                       "function input field cannot be nullable: function %s, field %s", fn->name, fn->inputs[i]);
      if (in < 0) in = fi;
    }
    const pt_field *inf = &s->fields[in];
    if (fn->n_inputs != 1 || inf->dtype != PT_VARCHAR)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "BM25 function input field must be a VARCHAR field, got %zu field with type %s", fn->n_inputs,
                     pt_dtype_proto_name(inf->dtype));
    if (!inf->enable_analyzer)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "BM25 function input field must set enable_analyzer to true");
    int out = -1;
    for (size_t i = 0; i < fn->n_outputs; i++) {
      int fi = pt_schema_find(s, fn->outputs[i], strlen(fn->outputs[i]));
      if (fi < 0)
        return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "function output field not found: %s", fn->outputs[i]);
      pt_field *f = &s->fields[fi];
      if (f->is_primary)
        return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                       "function output field cannot be primary key: function %s, field %s", fn->name, f->name);
      if (f->is_partition_key || f->is_clustering_key)
        return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                       "function output field cannot be partition key or clustering key: function %s, field %s",
                       fn->name, f->name);
      if (f->nullable)
        return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                       "function output field cannot be nullable: function %s, field %s", fn->name, f->name);
      if (f->is_function_output)
        return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                       "duplicate function output field: function %s, field %s", fn->name, f->name);
      f->is_function_output = true;
      if (out < 0) out = fi;
    }
    if (fn->n_outputs != 1)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "BM25 function only need 1 output field, but got %zu", fn->n_outputs);
    if (s->fields[out].dtype != PT_SPARSE_FLOAT_VECTOR)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "BM25 function output field must be a SparseFloatVector field, but got %s",
                     pt_dtype_proto_name(s->fields[out].dtype));
    s->fields[out].bm25_input = in;
  }
  return PT_OK;
}

/* rootcoord's checkDefaultValue, for the kinds of value a JSON host can give. */
static pt_status check_default(const pt_field *f, pt_error *err) {
  const pt_default *d = &f->default_value;
  const char *expected = NULL; /* the proto type the value implies, when it mismatches */
  switch (d->kind) {
  case PT_DEFAULT_NONE:
    return PT_OK;
  case PT_DEFAULT_BOOL:
    if (f->dtype != PT_BOOL) expected = "DataType_Bool";
    break;
  case PT_DEFAULT_INT:
    if (f->dtype == PT_FLOAT || f->dtype == PT_DOUBLE) break; /* a whole number is a float too */
    if (!pt_dtype_is_integer(f->dtype)) { expected = "DataType_Int64"; break; }
    {
      int64_t lo, hi;
      pt_dtype_int_range(f->dtype, &lo, &hi);
      if (d->i < lo || d->i > hi)
        return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                       "default value out of range" PT_INVALID_PARAMETER
                       "[expected=in [%lld, %lld]][actual=%lld]",
                       (long long)lo, (long long)hi, (long long)d->i);
    }
    break;
  case PT_DEFAULT_FLOAT:
    if (f->dtype == PT_DOUBLE) break;
    if (f->dtype != PT_FLOAT) { expected = "DataType_Float"; break; }
    if (isfinite(d->d) && fabs(d->d) > 3.4028234663852886e38)
      return pt_fail(err, PT_RANGE, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "default value out of range" PT_INVALID_PARAMETER);
    break;
  case PT_DEFAULT_STRING:
    if (f->dtype != PT_VARCHAR) { expected = "DataType_VarChar"; break; }
    if ((int64_t)d->slen > f->max_length)
      return pt_fail(err, PT_LIMIT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "the length (%zu) of string exceeds max length (%lld)" PT_INVALID_PARAMETER
                     "[expected=valid length string][actual=string length exceeds max length]",
                     d->slen, (long long)f->max_length);
    break;
  }
  if (expected)
    return pt_fail(err, PT_TYPE_MISMATCH, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "default value type mismatches field schema type" PT_INVALID_PARAMETER
                   "[expected=%s][actual=not match]",
                   expected);
  if (d->kind == PT_DEFAULT_FLOAT && !isfinite(d->d))
    return pt_fail(err, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "value '%s' is not a number or infinity",
                   isnan(d->d) ? "NaN" : d->d > 0 ? "+Inf" : "-Inf");
  return PT_OK;
}

/* Storage facts of a field, derived once its parameters are known to be valid. */
static void derive_layout(pt_field *f) {
  f->width = 1;
  switch (f->dtype) {
  case PT_BOOL: case PT_INT8: f->elem_size = 1; break;
  case PT_INT16: f->elem_size = 2; break;
  case PT_INT32: case PT_FLOAT: f->elem_size = 4; break;
  case PT_INT64: case PT_DOUBLE: f->elem_size = 8; break;
  case PT_FLOAT_VECTOR: f->elem_size = 4; f->width = (uint32_t)f->dim; break;
  case PT_FLOAT16_VECTOR: case PT_BFLOAT16_VECTOR: f->elem_size = 2; f->width = (uint32_t)f->dim; break;
  case PT_INT8_VECTOR: f->elem_size = 1; f->width = (uint32_t)f->dim; break;
  case PT_BINARY_VECTOR: f->elem_size = 1; f->width = (uint32_t)(f->dim / 8); break;
  default: f->elem_size = 0; break; /* variable length */
  }
}

pt_status pt_schema_check_create(pt_schema *s, const char *coll, size_t coll_len,
                                 bool require_vector, bool orm, pt_error *err) {
  pt_status rc;
  size_t n_vectors = 0;
  for (size_t i = 0; i < s->n_fields; i++) n_vectors += pt_dtype_is_vector(s->fields[i].dtype);

  /* pymilvus ORM Collection(): check_schema */
  if (orm) {
    if (s->n_fields == 0)
      return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_SCHEMA_NOT_READY,
                     "The field of the schema cannot be empty.");
    if (require_vector && n_vectors == 0)
      return pt_fail(err, PT_SCHEMA, PT_CODE_CLIENT, PT_EXC_SCHEMA_NOT_READY, "No vector field is found.");
  }

  /* 1-3. counts */
  if (s->n_fields + (s->enable_dynamic_field ? 1 : 0) > PT_MAX_FIELDS)
    return pt_fail(err, PT_LIMIT, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "maximum field's number should be limited to %d", PT_MAX_FIELDS);
  if (n_vectors > PT_MAX_VECTOR_FIELDS)
    return pt_fail(err, PT_LIMIT, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "maximum vector field's number should be limited to %d", PT_MAX_VECTOR_FIELDS);
  if (require_vector && n_vectors == 0)
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "schema does not contain vector field" PT_INVALID_PARAMETER);

  /* 4. collection name */
  if ((rc = check_collection_name(coll, coll_len, err))) return rc;

  /* the property only makes sense with auto_id keys (Milvus checks it when it is altered) */
  if (s->allow_insert_auto_id && !s->fields[s->primary].auto_id)
    return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                   "the value for %s must be false when autoID is false" PT_INVALID_PARAMETER,
                   PT_PROP_ALLOW_INSERT_AUTO_ID);

  /* 5. duplicated field names */
  for (size_t i = 0; i < s->n_fields; i++)
    for (size_t j = 0; j < i; j++)
      if (pt_str_eq(s->fields[i].name, s->fields[i].name_len, s->fields[j].name, s->fields[j].name_len))
        return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                       "duplicated field name %s found", s->fields[i].name);

  /* 6. primary key */
  int pk = -1;
  for (size_t i = 0; i < s->n_fields; i++) {
    const pt_field *f = &s->fields[i];
    if (!f->is_primary) continue;
    if (pk >= 0)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "there are more than one primary key, field name = %s, %s", s->fields[pk].name, f->name);
    if (f->dtype != PT_INT64 && f->dtype != PT_VARCHAR)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "the data type of primary key should be Int64 or VarChar");
    if (f->nullable)
      return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "primary field not support null" PT_INVALID_PARAMETER);
    if (f->has_default)
      return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "primary key can't be with default value" PT_INVALID_PARAMETER);
    pk = (int)i;
  }
  if (pk < 0)
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "primary key is not specified");

  /* 7. dynamic field */
  for (size_t i = 0; i < s->n_fields; i++)
    if (s->fields[i].is_dynamic)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "cannot explicitly set a field as a dynamic field");

  /* 8. auto id */
  int auto_field = -1;
  for (size_t i = 0; i < s->n_fields; i++) {
    const pt_field *f = &s->fields[i];
    if (!f->auto_id) continue;
    if (auto_field >= 0)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "only one field can speficy AutoID with true, field name = %s, %s",
                     s->fields[auto_field].name, f->name);
    if (!f->is_primary)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "only primary field can speficy AutoID with true, field name = %s", f->name);
    auto_field = (int)i;
  }

  /* 9. field types */
  for (size_t i = 0; i < s->n_fields; i++) {
    const pt_field *f = &s->fields[i];
    if (f->dtype == PT_STRING)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "string data type not supported yet, please use VarChar type instead");
    if (f->dtype == PT_NONE || !pt_dtype_valid(f->dtype))
      return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "field data type: %s is not supported" PT_INVALID_PARAMETER,
                     pt_dtype_proto_name(f->dtype));
  }

  /* 10. partition key */
  int part = -1;
  for (size_t i = 0; i < s->n_fields; i++) {
    const pt_field *f = &s->fields[i];
    if (!f->is_partition_key) continue;
    if (part >= 0)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "there are more than one partition key, field name = %s, %s",
                     s->fields[part].name, f->name);
    if (f->is_primary)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "the partition key field must not be primary field");
    if (f->nullable)
      return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "partition key field not support nullable" PT_INVALID_PARAMETER);
    if (f->dtype != PT_INT64 && f->dtype != PT_VARCHAR)
      return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "the data type of partition key should be Int64 or VarChar");
    part = (int)i;
  }

  /* 11. per field: name, vector dims, max_length, array params */
  for (size_t i = 0; i < s->n_fields; i++) {
    pt_field *f = &s->fields[i];
    if ((rc = check_field_name(f->name, f->name_len, err))) return rc;
    if (pt_dtype_is_vector(f->dtype) && (rc = check_dim(f, err))) return rc;
    if (f->dtype == PT_VARCHAR && (rc = check_max_length(f, coll, coll_len, err))) return rc;
    if (f->dtype == PT_ARRAY) {
      if ((rc = check_array(f, coll, coll_len, err))) return rc;
      if (f->element_type == PT_VARCHAR && (rc = check_max_length(f, coll, coll_len, err))) return rc;
    }
  }

  /* 11b. the proxy's validateAnalyzer: match needs the analyzer, and the analyzer must build */
  for (size_t i = 0; i < s->n_fields; i++)
    if ((rc = check_analyzer(&s->fields[i], err))) return rc;

  /* 11c. the proxy's validateFunction */
  if ((rc = check_functions(s, err))) return rc;

  /* 12. rootcoord: nullable vectors and default values */
  for (size_t i = 0; i < s->n_fields; i++) {
    pt_field *f = &s->fields[i];
    if (f->nullable && pt_dtype_is_vector(f->dtype))
      return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "vector type not support null, type:%s, name:%s" PT_INVALID_PARAMETER,
                     pt_dtype_proto_name(f->dtype), f->name);
    if (f->has_default && (f->dtype == PT_JSON || f->dtype == PT_ARRAY || pt_dtype_is_vector(f->dtype)))
      return pt_fail(err, PT_SCHEMA, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS,
                     "%s field does not support default value" PT_INVALID_PARAMETER,
                     pt_dtype_proto_name(f->dtype));
    if ((rc = check_default(f, err))) return rc;
  }

  s->primary = pk;
  s->partition_key = part;
  s->auto_id = s->fields[pk].auto_id;
  for (size_t i = 0; i < s->n_fields; i++) {
    s->fields[i].field_id = 100 + (int64_t)i;
    derive_layout(&s->fields[i]);
  }
  return PT_OK;
}

/* ============================================================================================
 * Describing a schema
 * ========================================================================================== */

static bool add_default(cJSON *obj, const pt_field *f) {
  const pt_default *d = &f->default_value;
  cJSON *v = NULL;
  switch (d->kind) {
  case PT_DEFAULT_NONE: return true;
  case PT_DEFAULT_BOOL: v = cJSON_CreateBool(d->b); break;
  case PT_DEFAULT_INT: v = cJSON_CreateNumber((double)d->i); break;
  case PT_DEFAULT_FLOAT: v = cJSON_CreateNumber(d->d); break;
  case PT_DEFAULT_STRING: v = cJSON_CreateString(d->s); break;
  }
  if (v && cJSON_AddItemToObject(obj, "default_value", v)) return true;
  cJSON_Delete(v); /* adding copies the key, which can fail: then v is still ours */
  return false;
}

pt_status pt_schema_to_json(const pt_schema *s, char **out, size_t *len) {
  if (!s || !out) return PT_MISUSE;
  pt_json_hooks_install();
  *out = NULL;
  cJSON *root = cJSON_CreateObject(), *fields = NULL;
  bool ok = root && cJSON_AddStringToObject(root, "description", s->description) &&
            cJSON_AddBoolToObject(root, "auto_id", s->auto_id) &&
            cJSON_AddBoolToObject(root, "enable_dynamic_field", s->enable_dynamic_field) &&
            (fields = cJSON_AddArrayToObject(root, "fields"));
  /* primary_field names the key only when no other field shares its name: reading it marks
   * every field of that name primary (pymilvus's _check_fields), and is_primary says it anyway */
  bool named_once = s->primary >= 0;
  for (size_t i = 0; named_once && i < s->n_fields; i++)
    named_once = (int)i == s->primary || strcmp(s->fields[i].name, s->fields[s->primary].name) != 0;
  if (ok && named_once)
    ok = cJSON_AddStringToObject(root, "primary_field", s->fields[s->primary].name) != NULL;
  if (ok && s->has_allow_insert_auto_id) {
    cJSON *props = cJSON_AddObjectToObject(root, "properties");
    ok = props && cJSON_AddBoolToObject(props, PT_PROP_ALLOW_INSERT_AUTO_ID, s->allow_insert_auto_id);
  }
  for (size_t i = 0; ok && i < s->n_fields; i++) {
    const pt_field *f = &s->fields[i];
    cJSON *o = cJSON_CreateObject();
    ok = o && cJSON_AddItemToArray(fields, o) && cJSON_AddStringToObject(o, "name", f->name) &&
         cJSON_AddNumberToObject(o, "dtype", f->dtype) &&
         cJSON_AddNumberToObject(o, "field_id", (double)f->field_id) &&
         cJSON_AddStringToObject(o, "description", f->description) &&
         cJSON_AddBoolToObject(o, "is_primary", f->is_primary) &&
         cJSON_AddBoolToObject(o, "auto_id", f->auto_id) &&
         cJSON_AddBoolToObject(o, "nullable", f->nullable) &&
         cJSON_AddBoolToObject(o, "is_partition_key", f->is_partition_key) &&
         cJSON_AddBoolToObject(o, "is_clustering_key", f->is_clustering_key) &&
         (!f->has_dim || cJSON_AddNumberToObject(o, "dim", (double)f->dim)) &&
         (!f->has_max_length || cJSON_AddNumberToObject(o, "max_length", (double)f->max_length)) &&
         (!f->has_max_capacity || cJSON_AddNumberToObject(o, "max_capacity", (double)f->max_capacity)) &&
         (f->element_type == PT_NONE || cJSON_AddNumberToObject(o, "element_type", f->element_type)) &&
         (!f->has_enable_analyzer || cJSON_AddBoolToObject(o, "enable_analyzer", f->enable_analyzer)) &&
         (!f->has_enable_match || cJSON_AddBoolToObject(o, "enable_match", f->enable_match)) &&
         (!f->analyzer_params || cJSON_AddStringToObject(o, "analyzer_params", f->analyzer_params)) &&
         (!f->is_function_output || cJSON_AddBoolToObject(o, "is_function_output", true)) &&
         add_default(o, f);
  }
  cJSON *fns = NULL;
  if (ok && s->n_functions) ok = (fns = cJSON_AddArrayToObject(root, "functions")) != NULL;
  for (size_t k = 0; ok && k < s->n_functions; k++) {
    const pt_function *fn = &s->functions[k];
    cJSON *o = cJSON_CreateObject(), *ins = NULL, *outs = NULL;
    ok = o && cJSON_AddItemToArray(fns, o) && cJSON_AddStringToObject(o, "name", fn->name) &&
         cJSON_AddStringToObject(o, "description", fn->description) &&
         cJSON_AddNumberToObject(o, "type", fn->type) &&
         (ins = cJSON_AddArrayToObject(o, "input_field_names")) && (outs = cJSON_AddArrayToObject(o, "output_field_names"));
    for (size_t i = 0; ok && i < fn->n_inputs; i++) ok = cJSON_AddItemToArray(ins, cJSON_CreateString(fn->inputs[i]));
    for (size_t i = 0; ok && i < fn->n_outputs; i++) ok = cJSON_AddItemToArray(outs, cJSON_CreateString(fn->outputs[i]));
    if (ok) {
      cJSON *params = cJSON_Parse(fn->params);
      ok = params && cJSON_AddItemToObject(o, "params", params);
      if (!ok) cJSON_Delete(params); /* not attached */
    }
  }
  char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  if (!text) return PT_NOMEM;
  *out = text;
  if (len) *len = strlen(text);
  return PT_OK;
}
