/*
 * fuzz_diff.c — libFuzzer target, differential: the input is a sequence of operations
 * (insert, upsert, delete by key list or by range, over 16 keys in two partitions), applied
 * both to a collection and to a plain model (per partition, a multiset of (key, value):
 * insert adds a copy, as Milvus stores duplicate keys; upsert replaces every copy in its
 * partition; delete removes every copy in the partitions it covers). After every operation
 * the count must agree, and at the end, and every 8 operations, a query of everything must
 * return exactly the model's rows.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEYS 16
#define COPIES 8

/* model[p][k]: the copies of key k in partition p, by their values */
typedef struct {
  int n;
  int values[COPIES];
} slot;

static slot model[2][KEYS];

static const char *PART[2] = {"_default", "p"};

static void fail(const char *what, const char *got) {
  fprintf(stderr, "fuzz_diff: %s\n%s\n", what, got ? got : "");
  abort();
}

static uint64_t model_count(void) {
  uint64_t n = 0;
  for (int p = 0; p < 2; p++)
    for (int k = 0; k < KEYS; k++) n += (uint64_t)model[p][k].n;
  return n;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* Compares a query of everything (per partition) with the model. */
static void compare(pt_collection *c) {
  for (int p = 0; p < 2; p++) {
    test_buf req = {NULL, 0, 0};
    test_buf_printf(&req, "{\"expr\":\"id >= 0\",\"limit\":16384,\"output_fields\":[\"val\"],\"partition_names\":[\"%s\"]}", PART[p]);
    pt_rows *rows = NULL;
    pt_error e;
    if (pt_collection_query(c, req.p, req.len, &rows, &e) != PT_OK) fail("query failed", e.message);
    test_buf_free(&req);
    int got[KEYS][COPIES * 2];
    int ngot[KEYS] = {0};
    int idc = test_col(rows, "id"), valc = test_col(rows, "val");
    for (size_t i = 0; i < pt_rows_count(rows); i++) {
      int64_t k = test_i64(rows, (size_t)idc, i);
      if (k < 0 || k >= KEYS || ngot[k] >= COPIES * 2) fail("a key the model does not have", NULL);
      got[k][ngot[k]++] = (int)test_i64(rows, (size_t)valc, i);
    }
    pt_rows_free(rows);
    for (int k = 0; k < KEYS; k++) {
      slot *s = &model[p][k];
      if (ngot[k] != s->n) {
        char msg[128];
        snprintf(msg, sizeof msg, "partition %s key %d: %d copies, the model has %d", PART[p], k, ngot[k], s->n);
        fail(msg, NULL);
      }
      int want[COPIES];
      memcpy(want, s->values, sizeof want);
      qsort(want, (size_t)s->n, sizeof(int), cmp_int);
      qsort(got[k], (size_t)ngot[k], sizeof(int), cmp_int);
      for (int i = 0; i < s->n; i++)
        if (want[i] != got[k][i]) fail("a value differs from the model", NULL);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  memset(model, 0, sizeof model);
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "d", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},"
                                                "{'name':'v','dtype':101,'dim':2},{'name':'val','dtype':5}]}"));
  pt_error e;
  if (pt_partition_create(c, "p", 1, &e) != PT_OK) fail("partition", e.message);
  size_t i = 0, ops = 0;
  while (i + 3 <= size && ops < 256) {
    uint8_t op = data[i], a = data[i + 1], b = data[i + 2];
    i += 3;
    ops++;
    int p = (op >> 2) & 1;
    int k = a % KEYS, val = b;
    pt_mutation_result r;
    pt_status rc;
    switch (op & 3) {
      case 0:   /* insert one or two rows (the second: the next key, or the same key again) */
      case 1: { /* upsert one or two rows */
        int two = (op >> 3) & 1, same = (op >> 4) & 1;
        int k2 = same ? k : (k + 1) % KEYS;
        char batch[160];
        if (two)
          snprintf(batch, sizeof batch, "[{\"id\":%d,\"v\":[0,1],\"val\":%d},{\"id\":%d,\"v\":[1,0],\"val\":%d}]", k, val, k2, val + 1);
        else
          snprintf(batch, sizeof batch, "[{\"id\":%d,\"v\":[0,1],\"val\":%d}]", k, val);
        bool upsert = (op & 3) == 1;
        bool dup_in_batch = two && k2 == k;
        bool full = model[p][k].n + 1 + dup_in_batch > COPIES || (two && !dup_in_batch && model[p][k2].n + 1 > COPIES);
        if (!upsert && full) break; /* the model's room: skip */
        rc = pt_collection_write_json(c, PART[p], strlen(PART[p]), upsert ? PT_OP_UPSERT : PT_OP_INSERT, batch, strlen(batch),
                                      0, &r, &e);
        pt_mutation_result_clear(&r);
        if (upsert && dup_in_batch) {
          /* Milvus 2.6 refuses duplicate keys in one upsert batch; the store is unchanged */
          if (rc == PT_OK) fail("an upsert with a key twice was accepted", NULL);
          break;
        }
        if (rc != PT_OK) fail("a write failed", e.message);
        if (upsert) {
          model[p][k].n = 1;
          model[p][k].values[0] = val;
          if (two) {
            model[p][k2].n = 1;
            model[p][k2].values[0] = val + 1;
          }
        } else {
          model[p][k].values[model[p][k].n++] = val;
          if (two) {
            if (model[p][k2].n >= COPIES) fail("model full", NULL);
            model[p][k2].values[model[p][k2].n++] = val + 1;
          }
        }
        break;
      }
      case 2: { /* delete keys by list, in one partition or all */
        int all = (op >> 3) & 1;
        char expr[64];
        int k2 = b % KEYS;
        snprintf(expr, sizeof expr, "id in [%d, %d]", k, k2);
        rc = pt_collection_delete(c, all ? NULL : PART[p], all ? 0 : strlen(PART[p]), expr, strlen(expr), &r, &e);
        pt_mutation_result_clear(&r);
        if (rc != PT_OK) fail("a delete failed", e.message);
        for (int q = 0; q < 2; q++)
          if (all || q == p) model[q][k].n = model[q][k2].n = 0;
        break;
      }
      default: { /* delete a range of keys by a filter on the key and the value */
        char expr[96];
        int hi = k + (b % 5);
        snprintf(expr, sizeof expr, "id >= %d and id <= %d and val %% 2 == %d", k, hi, (op >> 3) & 1);
        rc = pt_collection_delete(c, PART[p], strlen(PART[p]), expr, strlen(expr), &r, &e);
        pt_mutation_result_clear(&r);
        if (rc != PT_OK) fail("a delete failed", e.message);
        for (int key = k; key <= hi && key < KEYS; key++) {
          slot *s = &model[p][key];
          int kept = 0;
          for (int x = 0; x < s->n; x++)
            if (s->values[x] % 2 != ((op >> 3) & 1)) s->values[kept++] = s->values[x];
          s->n = kept;
        }
        break;
      }
    }
    if (pt_collection_num_entities(c, NULL, 0) != model_count()) fail("the count differs from the model", NULL);
    if (ops % 8 == 0) compare(c);
  }
  compare(c);
  pt_store_close(st);
  return 0;
}
