/*
 * fuzz_json_batch.c — libFuzzer target: JSON batches. The input's first byte picks insert or
 * upsert (and the duplicates-last-wins flag); the rest is the batch text, written with
 * pt_collection_write_json into the fuzz collection. A refused batch must leave the store as
 * it was, with an error message. An accepted one (the read-back oracle, issue 13):
 *   - was JSON as pt_json_validate takes it (what the core accepts is JSON);
 *   - reads back, queried by its keys, as strictly valid JSON (pt_json_validate), holding for
 *     every row of the batch the JSON value of `j`, the string `s` and the dynamic members
 *     exactly in the canonical form of what was written (json.h: no white space, strings
 *     as JSON.stringify writes them, NULs included, numbers as written, members in order), that
 *     form being written by a reader of this file, not by the core's code;
 *   - and the whole store still reads back (test_snapshot).
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- an independent reader of JSON text that pt_json_validate has accepted ---- */

static size_t ws(const char *s, size_t n, size_t i) {
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
  return i;
}

static int hexval(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

static uint32_t hex4(const char *s) {
  return (uint32_t)(hexval(s[0]) << 12 | hexval(s[1]) << 8 | hexval(s[2]) << 4 | hexval(s[3]));
}

/* The bytes of the string at s[i] == '"' appended to `out`; returns the index past it. */
static size_t string_bytes(const char *s, size_t n, size_t i, test_buf *out) {
  for (i++; i < n && s[i] != '"'; i++) {
    if (s[i] != '\\') {
      test_buf_put(out, s + i, 1);
      continue;
    }
    char e = s[++i], c = e;
    switch (e) {
    case 'b': c = '\b'; break;
    case 'f': c = '\f'; break;
    case 'n': c = '\n'; break;
    case 'r': c = '\r'; break;
    case 't': c = '\t'; break;
    case 'u': {
      uint32_t cp = hex4(s + i + 1);
      i += 4;
      if (cp >= 0xD800 && cp < 0xDC00) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(s + i + 3) - 0xDC00);
        i += 6;
      }
      char u[4];
      size_t k = 0;
      if (cp < 0x80) u[k++] = (char)cp;
      else if (cp < 0x800) u[k++] = (char)(0xC0 | cp >> 6), u[k++] = (char)(0x80 | (cp & 0x3F));
      else if (cp < 0x10000)
        u[k++] = (char)(0xE0 | cp >> 12), u[k++] = (char)(0x80 | (cp >> 6 & 0x3F)), u[k++] = (char)(0x80 | (cp & 0x3F));
      else
        u[k++] = (char)(0xF0 | cp >> 18), u[k++] = (char)(0x80 | (cp >> 12 & 0x3F)), u[k++] = (char)(0x80 | (cp >> 6 & 0x3F)),
        u[k++] = (char)(0x80 | (cp & 0x3F));
      test_buf_put(out, u, k);
      continue;
    }
    default: break; /* \" \\ \/ */
    }
    test_buf_put(out, &c, 1);
  }
  return i + 1;
}

/* The string's bytes, written as JSON.stringify writes a string. */
static void put_string(test_buf *out, const test_buf *bytes) {
  static const char hex[] = "0123456789abcdef";
  test_buf_put(out, "\"", 1);
  for (size_t k = 0; k < bytes->len; k++) {
    unsigned char c = (unsigned char)bytes->p[k];
    const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : c == '\n' ? "\\n"
                      : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
    if (esc) test_buf_put(out, esc, 2);
    else if (c < 0x20) test_buf_printf(out, "\\u00%c%c", hex[c >> 4], hex[c & 15]);
    else test_buf_put(out, (const char *)&c, 1);
  }
  test_buf_put(out, "\"", 1);
}

/* The value at s[i] (after white space) in canonical form, appended to `out`, or (raw) as it is
 * written; returns the index past the value. The canonical form is written here from the JSON
 * value, as JSON.stringify would write it, numbers as written: not by the core's code. */
static size_t value(const char *s, size_t n, size_t i, test_buf *out, bool raw) {
  i = ws(s, n, i);
  size_t start = i;
  char c = s[i];
  test_buf scratch = {NULL, 0, 0};
  test_buf *to = raw ? &scratch : out;
  if (c == '"') {
    test_buf str = {NULL, 0, 0};
    i = string_bytes(s, n, i, &str);
    put_string(to, &str);
    test_buf_free(&str);
  } else if (c == '[' || c == '{') {
    test_buf_put(to, &c, 1);
    i = ws(s, n, i + 1);
    bool first = true;
    while (s[i] != ']' && s[i] != '}') {
      if (!first) test_buf_put(to, ",", 1);
      first = false;
      if (c == '{') {
        i = value(s, n, i, to, false); /* the key */
        i = ws(s, n, i) + 1;           /* ':' */
        test_buf_put(to, ":", 1);
      }
      i = ws(s, n, value(s, n, i, to, false));
      if (s[i] == ',') i = ws(s, n, i + 1);
    }
    test_buf_put(to, c == '[' ? "]" : "}", 1);
    i++;
  } else {
    while (i < n && s[i] != ',' && s[i] != ']' && s[i] != '}' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') i++;
    test_buf_put(to, s + start, i - start);
  }
  if (raw) test_buf_put(out, s + start, i - start);
  test_buf_free(&scratch);
  return i;
}

static size_t skip(const char *s, size_t n, size_t i) {
  test_buf scratch = {NULL, 0, 0};
  i = value(s, n, i, &scratch, true);
  test_buf_free(&scratch);
  return i;
}

/* What the oracle compares of one row: j and s, and the dynamic members ("key":value, in
 * order), in canonical form (written rows) or as they are (rows read back). A field not
 * written reads back as null. */
typedef struct row_view {
  test_buf j, s, dyn;
  bool has_j, has_s;
} row_view;

static const char *const FIELD_NAMES[] = {"id", "v", "s", "j", "f", "d", "i8", "b", "ai", "h", "bv", "m"};

static int field_of(const char *key, size_t len) {
  for (size_t k = 0; k < sizeof FIELD_NAMES / sizeof *FIELD_NAMES; k++)
    if (strlen(FIELD_NAMES[k]) == len && memcmp(FIELD_NAMES[k], key, len) == 0) return (int)k;
  return -1;
}

/* The view of the row object at s[i]; returns the index past it. Fields count once (the first
 * time, as the core reads a repeated key); other keys are dynamic members, every one. */
static size_t view_row(const char *s, size_t n, size_t i, row_view *v, bool raw) {
  memset(v, 0, sizeof *v);
  i = ws(s, n, i) + 1; /* '{' */
  i = ws(s, n, i);
  while (s[i] != '}') {
    test_buf key = {NULL, 0, 0};
    size_t k0 = i;
    i = string_bytes(s, n, i, &key);
    i = ws(s, n, i) + 1;
    int f = field_of(key.p ? key.p : "", key.len);
    if (f == 3 && !v->has_j) {
      v->has_j = true;
      i = value(s, n, i, &v->j, raw);
    } else if (f == 2 && !v->has_s) {
      v->has_s = true;
      i = value(s, n, i, &v->s, raw);
    } else if (f >= 0) {
      i = skip(s, n, i);
    } else {
      if (v->dyn.len) test_buf_put(&v->dyn, ",", 1);
      value(s, n, k0, &v->dyn, raw);
      test_buf_put(&v->dyn, ":", 1);
      i = value(s, n, i, &v->dyn, raw);
    }
    test_buf_free(&key);
    i = ws(s, n, i);
    if (s[i] == ',') i = ws(s, n, i + 1);
  }
  if (!v->has_j) test_buf_printf(&v->j, "null");
  if (!v->has_s) test_buf_printf(&v->s, "null");
  return i + 1;
}

static void view_free(row_view *v) {
  test_buf_free(&v->j);
  test_buf_free(&v->s);
  test_buf_free(&v->dyn);
}

static bool same(const test_buf *a, const test_buf *b) {
  return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

static void oracle_fail(const char *what, const char *batch, size_t len, const char *got, size_t got_len) {
  fprintf(stderr, "fuzz: %s\nbatch: %.*s\nread back: %.*s\n", what, (int)(len < 4000 ? len : 4000), batch,
          (int)(got_len < 4000 ? got_len : 4000), got);
  abort();
}

/* The batch's rows, as written: rows form (an object, or an array of objects), or columns. */
static size_t written_rows(const char *s, size_t n, row_view **out) {
  size_t i = ws(s, n, 0), count = 0, cap = 0;
  *out = NULL;
  if (s[i] == '{') {
    *out = calloc(1, sizeof **out);
    view_row(s, n, i, *out, false);
    return 1;
  }
  i = ws(s, n, i + 1);
  if (s[i] == '{') {
    while (s[i] != ']') {
      if (count == cap) *out = realloc(*out, (cap = cap ? 2 * cap : 8) * sizeof **out);
      i = ws(s, n, view_row(s, n, i, &(*out)[count++], false));
      if (s[i] == ',') i = ws(s, n, i + 1);
    }
    return count;
  }
  /* columns, in schema order (no auto_id): j is the 4th, s the 3rd; no dynamic part */
  for (int col = 0; s[i] != ']'; col++) {
    size_t r = 0;
    i = ws(s, n, i + 1);
    while (s[i] != ']') {
      if (r == count) {
        if (count == cap) *out = realloc(*out, (cap = cap ? 2 * cap : 8) * sizeof **out);
        memset(&(*out)[count++], 0, sizeof **out);
      }
      row_view *v = &(*out)[r++];
      if (col == 3) i = value(s, n, i, &v->j, false), v->has_j = true;
      else if (col == 2) i = value(s, n, i, &v->s, false), v->has_s = true;
      else i = skip(s, n, i);
      i = ws(s, n, i);
      if (s[i] == ',') i = ws(s, n, i + 1);
    }
    i = ws(s, n, i + 1);
    if (s[i] == ',') i = ws(s, n, i + 1);
  }
  for (size_t r = 0; r < count; r++) {
    if (!(*out)[r].has_j) test_buf_printf(&(*out)[r].j, "null");
    if (!(*out)[r].has_s) test_buf_printf(&(*out)[r].s, "null");
  }
  return count;
}

static void read_back(pt_collection *c, const pt_mutation_result *r, pt_op op, pt_write_flags flags, const char *batch,
                      size_t len) {
  pt_error e;
  if (pt_json_validate(batch, len, 0, &e) != PT_OK) oracle_fail("an accepted batch is not JSON", batch, len, e.message, strlen(e.message));
  if (r->n_keys == 0 || r->n_keys > 10000) return;
  /* the rows of the batch's keys, in storage order */
  test_buf req = {NULL, 0, 0};
  test_buf_printf(&req, "{\"expr\":\"id in [");
  for (uint64_t k = 0; k < r->n_keys; k++) test_buf_printf(&req, "%s%lld", k ? "," : "", (long long)r->int_keys[k]);
  test_buf_printf(&req, "]\",\"output_fields\":[\"*\"],\"limit\":16384}");
  pt_rows *rows = NULL;
  char *json = NULL;
  size_t jlen = 0;
  if (pt_collection_query(c, req.p, req.len, &rows, &e) != PT_OK || pt_rows_to_json(rows, 0, &json, &jlen, &e) != PT_OK)
    oracle_fail("the rows of an accepted batch cannot be queried", batch, len, e.message, strlen(e.message));
  test_buf_free(&req);
  if (pt_json_validate(json, jlen, 0, &e) != PT_OK) oracle_fail("a query answer is not JSON", batch, len, json, jlen);
  /* each row read back, with its key */
  size_t n_got = pt_rows_count(rows), i = 1;
  row_view *got = calloc(n_got ? n_got : 1, sizeof *got);
  for (size_t k = 0; k < n_got; k++) {
    i = ws(json, jlen, view_row(json, jlen, i, &got[k], true));
    if (json[i] == ',') i++;
  }
  int id_col = test_col(rows, "id");
  /* each written row against the row that holds it now: insert appends rows in batch order (the
   * last rows of a key are the batch's); an upsert leaves one row per key (the last of the
   * batch's rows with it when duplicates are let through, the only one otherwise) */
  row_view *want = NULL;
  size_t n_want = written_rows(batch, len, &want);
  if (n_want != r->n_keys) oracle_fail("the batch's rows were not counted as written", batch, len, json, jlen);
  for (size_t w = 0; w < n_want; w++) {
    int64_t key = r->int_keys[w];
    size_t later = 0; /* batch rows after w with the same key */
    for (size_t x = w + 1; x < n_want; x++) later += r->int_keys[x] == key;
    if (op == PT_OP_UPSERT && later) continue; /* overwritten (only with PT_WRITE_DUPLICATES_LAST_WINS) */
    size_t skip_from_end = op == PT_OP_INSERT ? later : 0, k = n_got;
    while (k-- > 0)
      if (test_i64(rows, (size_t)id_col, k) == key && skip_from_end-- == 0) break;
    if (k == SIZE_MAX) oracle_fail("a written row is not there", batch, len, json, jlen);
    if (!same(&want[w].j, &got[k].j) || !same(&want[w].s, &got[k].s) || !same(&want[w].dyn, &got[k].dyn))
      oracle_fail("a row does not read back as it was written", batch, len, json, jlen);
  }
  (void)flags;
  for (size_t k = 0; k < n_got; k++) view_free(&got[k]);
  for (size_t w = 0; w < n_want; w++) view_free(&want[w]);
  free(got);
  free(want);
  pt_free(json);
  pt_rows_free(rows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  pt_store *st;
  pt_collection *c = fuzz_collection(&st);
  char *before = test_snapshot(c);
  pt_op op = (data[0] & 1) ? PT_OP_UPSERT : PT_OP_INSERT;
  pt_write_flags flags = (data[0] & 2) ? PT_WRITE_DUPLICATES_LAST_WINS : 0;
  pt_mutation_result r;
  pt_error e;
  const char *batch = (const char *)data + 1;
  pt_status rc = pt_collection_write_json(c, (data[0] & 4) ? "_default" : NULL, (data[0] & 4) ? 8 : 0, op, batch, size - 1,
                                          flags, &r, &e);
  fuzz_error_filled(rc, &e, "JSON write");
  if (rc != PT_OK) {
    fuzz_unchanged(c, before, "JSON batch");
  } else {
    read_back(c, &r, op, flags, batch, size - 1);
    free(test_snapshot(c)); /* everything written reads back */
  }
  pt_mutation_result_clear(&r);
  free(before);
  pt_store_close(st);
  return 0;
}
