/*
 * fuzz_diff_merge.c — libFuzzer target, differential: the input is a sequence of upserts (plain,
 * merge mode, with ARRAY_APPEND / ARRAY_REMOVE field operations; one or two rows carrying the
 * same fields) and deletes over 8 keys in two partitions, applied both to a collection and to a
 * plain model of Milvus's rules: a stored key keeps the fields a merge leaves out and merges
 * its dynamic keys (stored order kept, new keys after); a new key needs the vector; APPEND puts
 * the payload after the stored elements (a null base is empty) and refuses a result over
 * max_capacity; REMOVE drops every stored element the payload holds; a null payload changes
 * nothing; a plain upsert replaces the whole row. A batch the model refuses must be refused and
 * leave the store as it was (all or nothing); delete_count must be the number of stored keys.
 * Every 8 operations and at the end every row of every key must read back as the model has it.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEYS 8
#define CAP 6

typedef struct {
  bool live;
  int v;             /* the vector is [v, 0] */
  bool a_null;
  int a;
  bool tags_null;
  int nt, tags[CAP];
  int nd, dkey[2], dval[2]; /* dynamic keys ("x" 0, "y" 1) in stored order */
} mrow;

static mrow model[2][KEYS];
static const char *PART[2] = {"_default", "p"};
static const char *DKEY[2] = {"x", "y"};

static void fail(const char *what, const char *got) {
  fprintf(stderr, "fuzz_diff_merge: %s\n%s\n", what, got ? got : "");
  abort();
}

/* A row as pt_rows_to_json writes it (schema order, then the dynamic keys in stored order). */
static void render(test_buf *b, int k, const mrow *m) {
  test_buf_printf(b, "[{\"id\":%d,\"v\":[%d,0],\"a\":", k, m->v);
  if (m->a_null) test_buf_printf(b, "null");
  else test_buf_printf(b, "%d", m->a);
  test_buf_printf(b, ",\"tags\":");
  if (m->tags_null) {
    test_buf_printf(b, "null");
  } else {
    test_buf_printf(b, "[");
    for (int i = 0; i < m->nt; i++) test_buf_printf(b, "%s%d", i ? "," : "", m->tags[i]);
    test_buf_printf(b, "]");
  }
  for (int i = 0; i < m->nd; i++) test_buf_printf(b, ",\"%s\":%d", DKEY[m->dkey[i]], m->dval[i]);
  test_buf_printf(b, "}]");
}

static void compare(pt_collection *c) {
  for (int p = 0; p < 2; p++)
    for (int k = 0; k < KEYS; k++) {
      char req[160];
      snprintf(req, sizeof req, "{\"expr\":\"id == %d\",\"output_fields\":[\"*\"],\"partition_names\":[\"%s\"]}", k, PART[p]);
      pt_rows *rows = NULL;
      pt_error e;
      if (pt_collection_query(c, req, strlen(req), &rows, &e) != PT_OK) fail("query failed", e.message);
      char *got = NULL;
      if (pt_rows_count(rows) && pt_rows_to_json(rows, 0, &got, NULL, &e) != PT_OK) fail("rows_to_json failed", e.message);
      test_buf want = {NULL, 0, 0};
      test_buf_put(&want, "", 0);
      if (model[p][k].live) render(&want, k, &model[p][k]);
      if (strcmp(got ? got : "", want.p) != 0) {
        test_buf msg = {NULL, 0, 0};
        test_buf_printf(&msg, "partition %s key %d:\n  got  %s\n  want %s", PART[p], k, got ? got : "(none)", want.p);
        fail("a row differs from the model", msg.p);
      }
      pt_free(got);
      test_buf_free(&want);
      pt_rows_free(rows);
    }
}

static uint64_t model_count(void) {
  uint64_t n = 0;
  for (int p = 0; p < 2; p++)
    for (int k = 0; k < KEYS; k++) n += model[p][k].live;
  return n;
}

/* What one batch row carries (every row of the batch the same fields). */
typedef struct {
  int kind; /* 0 plain upsert, 1 merge, 2 merge with a field operation on tags */
  int op;   /* PT_FIELD_OP_ARRAY_APPEND / _REMOVE when kind == 2 */
  bool v, a, a_null, tags, tags_null, x, y;
} shape;

/* Applies one row to model row `m` (a copy); false when Milvus refuses the row. */
static bool apply(mrow *m, const shape *s, int v, int a, const int *pay, int np, int xv, int yv) {
  bool stored = m->live && s->kind != 0; /* a merge with the stored row */
  if (!stored) {
    if (!s->v) return false; /* a new key (or a plain upsert) needs the vector */
    memset(m, 0, sizeof *m);
    m->live = true;
    m->a_null = m->tags_null = true;
  }
  if (s->v) m->v = v;
  if (s->a) {
    m->a_null = s->a_null;
    m->a = s->a_null ? 0 : a;
  }
  if (s->tags && (s->kind != 2 || !stored)) { /* the value given replaces */
    m->tags_null = s->tags_null;
    m->nt = 0;
    if (!s->tags_null)
      for (int i = 0; i < np; i++) m->tags[m->nt++] = pay[i];
  } else if (s->tags && !s->tags_null) { /* an operation on the stored array; a null changes nothing */
    int base = m->tags_null ? 0 : m->nt;
    if (s->op == PT_FIELD_OP_ARRAY_APPEND) {
      if (base + np > CAP) return false;
      m->nt = base;
      for (int i = 0; i < np; i++) m->tags[m->nt++] = pay[i];
    } else {
      int kept = 0;
      for (int i = 0; i < base; i++) {
        bool hit = false;
        for (int j = 0; j < np; j++) hit |= m->tags[i] == pay[j];
        if (!hit) m->tags[kept++] = m->tags[i];
      }
      m->nt = kept;
    }
    m->tags_null = false;
  }
  int given[2] = {s->x, s->y}, vals[2] = {xv, yv};
  for (int key = 0; key < 2; key++) {
    if (!given[key]) continue;
    int at = -1;
    for (int i = 0; i < m->nd; i++)
      if (m->dkey[i] == key) at = i;
    if (at < 0) {
      at = m->nd++;
      m->dkey[at] = key;
    }
    m->dval[at] = vals[key];
  }
  return true;
}

static void put_row(test_buf *b, const shape *s, int k, int v, int a, const int *pay, int np, int xv, int yv) {
  test_buf_printf(b, "{\"id\":%d", k);
  if (s->v) test_buf_printf(b, ",\"v\":[%d,0]", v);
  if (s->a) {
    if (s->a_null) test_buf_printf(b, ",\"a\":null");
    else test_buf_printf(b, ",\"a\":%d", a);
  }
  if (s->tags) {
    if (s->tags_null) {
      test_buf_printf(b, ",\"tags\":null");
    } else {
      test_buf_printf(b, ",\"tags\":[");
      for (int i = 0; i < np; i++) test_buf_printf(b, "%s%d", i ? "," : "", pay[i]);
      test_buf_printf(b, "]");
    }
  }
  if (s->x) test_buf_printf(b, ",\"x\":%d", xv);
  if (s->y) test_buf_printf(b, ",\"y\":%d", yv);
  test_buf_printf(b, "}");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  memset(model, 0, sizeof model);
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "m", J("{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                                "{'name':'v','dtype':101,'dim':2},{'name':'a','dtype':5,'nullable':true},"
                                                "{'name':'tags','dtype':22,'element_type':5,'max_capacity':6,'nullable':true}]}"));
  pt_error e;
  if (pt_partition_create(c, "p", 1, &e) != PT_OK) fail("partition", e.message);
  size_t i = 0, ops = 0;
  while (i + 4 <= size && ops < 128) {
    uint8_t op = data[i], kb = data[i + 1], b = data[i + 2], m = data[i + 3];
    i += 4;
    ops++;
    int p = (op >> 2) & 1, k = kb % KEYS;
    pt_mutation_result r;
    pt_status rc;
    if ((op & 3) == 3) { /* delete a key in one partition */
      char expr[32];
      snprintf(expr, sizeof expr, "id in [%d]", k);
      rc = pt_collection_delete(c, PART[p], strlen(PART[p]), expr, strlen(expr), &r, &e);
      pt_mutation_result_clear(&r);
      if (rc != PT_OK) fail("a delete failed", e.message);
      model[p][k].live = false;
    } else {
      shape s = {op & 3, (op >> 4) & 1 ? PT_FIELD_OP_ARRAY_REMOVE : PT_FIELD_OP_ARRAY_APPEND,
                 (m & 1) != 0, (m & 2) != 0, (m & 4) != 0, (m & 8) != 0, (m & 16) != 0, (m & 32) != 0, (m & 64) != 0};
      if (s.kind == 0) s.v = true; /* a plain upsert carries every required field */
      if (s.kind == 2) s.tags = true; /* the operation's field is carried */
      int nrows = (op >> 3) & 1 ? 2 : 1, np = (kb >> 3) % 4;
      int pay[3] = {b % 4, (b >> 2) % 4, (b >> 4) % 4};
      mrow next[2];
      bool ok = true;
      int found = 0;
      test_buf batch = {NULL, 0, 0};
      test_buf_printf(&batch, "[");
      for (int row = 0; row < nrows; row++) {
        int key = (k + row) % KEYS;
        next[row] = model[p][key];
        found += next[row].live;
        int v = b + row, a = (int)m - row, xv = b ^ row, yv = kb + row;
        if (!apply(&next[row], &s, v, a, pay, np, xv, yv)) ok = false;
        if (row) test_buf_printf(&batch, ",");
        put_row(&batch, &s, key, v, a, pay, np, xv, yv);
      }
      test_buf_printf(&batch, "]");
      pt_field_op fop = {"tags", 4, s.op};
      char *before = ok ? NULL : test_snapshot(c);
      rc = pt_collection_write_json_ops(c, PART[p], strlen(PART[p]), PT_OP_UPSERT, batch.p, batch.len,
                                        s.kind == 1 ? PT_WRITE_MERGE : 0, &fop, s.kind == 2, &r, &e);
      if (ok && rc != PT_OK) fail("an upsert the model takes was refused", e.message);
      if (!ok && rc == PT_OK) fail("an upsert the model refuses was accepted", batch.p);
      if (ok && s.kind != 0 && r.delete_count != (uint64_t)found) fail("delete_count is not the number of stored keys", batch.p);
      pt_mutation_result_clear(&r);
      if (!ok) {
        fuzz_unchanged(c, before, "merge upsert");
        free(before);
      } else {
        for (int row = 0; row < nrows; row++) model[p][(k + row) % KEYS] = next[row];
      }
      test_buf_free(&batch);
    }
    if (pt_collection_num_entities(c, NULL, 0) != model_count()) fail("the count differs from the model", NULL);
    if (ops % 8 == 0) compare(c);
  }
  compare(c);
  pt_store_close(st);
  return 0;
}
