/*
 * fuzz_wal.c — libFuzzer target: the mutation log (wal.c). Three modes, by the first byte % 3:
 *   0 read-back oracle: the rest of the input is a script of mutations (insert, upsert, merge
 *     upsert with an array append, delete by key and by filter, partitions created and
 *     dropped) run on a recording store; the records it made, applied to a fresh store, must
 *     give the same store (every row, snapshot bytes, clocks), and the records read back one by
 *     one must cover the log exactly. The log replayed by pt_log_apply_next (runs of inserts in
 *     one call, their keys indexed at the end) must give the same store and the same rows for
 *     each key as the replay record by record.
 *   1 the rest is a log as it is: pt_log_next reads a prefix of whole records (never past the
 *     end, each with a good checksum) and stops at the first bad one; each record read is
 *     applied to the fuzz collection's store, and a refused one must leave it as it was; the
 *     bytes replayed by pt_log_apply_next give the same store and rows for each key.
 *   2 the same, with each record's checksum and trailing length rewritten first (as a hostile
 *     writer would), which fuzzes the record decoders behind the checksums.
 */
#include "fuzz_common.h"

#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t rd32(const uint8_t *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static void wr32(uint8_t *b, uint32_t v) {
  for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
}


static void take(pt_store *s, test_buf *log) {
  size_t n;
  const uint8_t *p = pt_store_log_pending(s, &n);
  if (n) test_buf_put(log, (const char *)p, n);
  pt_store_log_taken(s);
}

/* Every collection's rows looked up by key (`pk == k`, through the key index) for each key of
 * an INT64 primary key that a scan finds, and keys 0..9 (most absent), as text. */
static char *lookups(pt_store *s) {
  test_buf b = {NULL, 0, 0};
  for (size_t i = 0; i < pt_store_num_collections(s); i++) {
    size_t n;
    const char *name = pt_store_collection_name(s, i, &n);
    pt_collection *c = pt_collection_find(s, name, n);
    const pt_schema *sc = c->schema;
    test_buf_printf(&b, "== %.*s\n", (int)n, name);
    if (sc->primary < 0 || sc->fields[sc->primary].dtype != PT_INT64) continue;
    const char *pk = sc->fields[sc->primary].name;
    char req[256];
    snprintf(req, sizeof req, "{\"expr\":\"\",\"limit\":16384,\"output_fields\":[\"%s\"]}", pk);
    pt_rows *all = NULL;
    pt_error e;
    if (pt_collection_query(c, req, strlen(req), &all, &e) != PT_OK) {
      test_buf_printf(&b, "scan failed: %s\n", e.message);
      continue;
    }
    size_t rows = pt_rows_count(all);
    for (size_t r = 0; r < rows + 10; r++) {
      long long k = r < rows ? (long long)test_i64(all, 0, r) : (long long)(r - rows);
      snprintf(req, sizeof req, "{\"expr\":\"%s == %lld\",\"output_fields\":[\"*\"]}", pk, k);
      pt_rows *got = NULL;
      if (pt_collection_query(c, req, strlen(req), &got, &e) != PT_OK) {
        test_buf_printf(&b, "%lld: failed: %s\n", k, e.message);
      } else {
        char *d = test_dump_rows(got);
        test_buf_printf(&b, "%lld: %zu\n%s", k, pt_rows_count(got), d);
        free(d);
      }
      pt_rows_free(got);
    }
    pt_rows_free(all);
  }
  return b.p ? b.p : calloc(1, 1);
}

/* Aborts unless stores a and b hold the same (test_dump_store) and, with `keys`, look up the same
 * keys. */
static void same_stores(pt_store *a, pt_store *b, bool keys, const char *what) {
  char *da = test_dump_store(a), *db = test_dump_store(b);
  if (strcmp(da, db) != 0) {
    fprintf(stderr, "fuzz: %s: the stores differ\n%s\n--\n%s\n", what, da, db);
    abort();
  }
  free(da);
  free(db);
  if (!keys) return;
  da = lookups(a);
  db = lookups(b);
  if (strcmp(da, db) != 0) {
    fprintf(stderr, "fuzz: %s: lookups by key differ\n%s\n--\n%s\n", what, da, db);
    abort();
  }
  free(da);
  free(db);
}

/* Replays `log` into `s` by pt_log_apply_next, as pt_log_next and pt_log_apply do record by
 * record here: a record that is read but does not apply is passed over, the first that cannot be
 * read ends the replay; `strict`: every record must apply. Returns the bytes replayed. */
static size_t replay_runs(pt_store *s, const uint8_t *log, size_t len, bool strict) {
  size_t at = 0;
  pt_log_record rec;
  pt_error e;
  int applied;
  pt_status rc;
  while ((rc = pt_log_apply_next(s, log, len, at, &rec, &applied, &e)) == PT_OK || applied) {
    fuzz_error_filled(rc, &e, "pt_log_apply_next");
    if (rc != PT_OK && strict) {
      fprintf(stderr, "fuzz: a recorded run of records does not apply: %s\n", e.message);
      abort();
    }
    at += rec.length;
  }
  if (rc != PT_NOT_FOUND && rc != PT_CORRUPT) {
    fprintf(stderr, "fuzz: pt_log_apply_next failed with %d (applied %d): %s\n", (int)rc, applied, e.message);
    abort();
  }
  return at;
}

/* Mode 0: a script of mutations, recorded, replayed, compared. */
static void oracle(const uint8_t *in, size_t size) {
  pt_store *a = test_store();
  pt_store_log(a, 1);
  test_buf log = {NULL, 0, 0};
  pt_collection *c = test_collection(a, "f", J(FUZZ_SCHEMA));
  (void)c;
  /* the creation was recorded before the log was taken: take it now */
  take(a, &log);
  for (size_t i = 0; i + 2 < size && i < 96; i += 3) {
    c = pt_collection_find(a, "f", 1);
    uint8_t op = in[i] % 7, k = in[i + 1] % 8, x = in[i + 2];
    const char *part = x & 0x80 ? "p" : NULL;
    char buf[512];
    pt_mutation_result r;
    pt_error e;
    pt_status rc = PT_OK;
    switch (op) {
    case 0: case 1: {
      snprintf(buf, sizeof buf,
               "[{\"id\":%u,\"v\":[%u,1,2,3],\"s\":\"s%u\",\"h\":[0,1,0,%u],\"bv\":[%u],\"ai\":[%u],\"k%u\":%u},"
               "{\"id\":%u,\"v\":[0,0,0,%u],\"h\":[1,1,1,1],\"bv\":[1],\"s\":null}]",
               k, x, x % 10, x % 3, x, x, k, x, (k + 1) % 8, x);
      rc = pt_collection_write_json(c, part, part ? 1 : 0, op ? PT_OP_UPSERT : PT_OP_INSERT, buf, strlen(buf), 0, &r, &e);
      break;
    }
    case 2: {
      pt_field_op ops[1] = {{"ai", 2, PT_FIELD_OP_ARRAY_APPEND}};
      snprintf(buf, sizeof buf, "[{\"id\":%u,\"ai\":[%u]}]", k, x);
      rc = pt_collection_write_json_ops(c, part, part ? 1 : 0, PT_OP_UPSERT, buf, strlen(buf), 0, ops, 1, &r, &e);
      break;
    }
    case 3:
      snprintf(buf, sizeof buf, "id in [%u, %u]", k, x % 8);
      rc = pt_collection_delete(c, part, part ? 1 : 0, buf, strlen(buf), &r, &e);
      break;
    case 4:
      snprintf(buf, sizeof buf, "v[3] > %u or s == \"s%u\"", x % 5, x % 10);
      rc = pt_collection_delete(c, NULL, 0, buf, strlen(buf), &r, &e);
      break;
    case 5:
      pt_partition_create(c, "p", 1, &e);
      rc = PT_ERROR;
      break;
    default:
      pt_partition_drop(c, "p", 1, &e);
      rc = PT_ERROR;
      break;
    }
    if (rc == PT_OK) pt_mutation_result_clear(&r);
    take(a, &log);
  }
  /* read back: whole records covering the log exactly, applied to a fresh store */
  pt_store *b = test_store();
  size_t at = 0;
  pt_log_record rec;
  pt_error e;
  pt_status rc;
  while ((rc = pt_log_next((const uint8_t *)log.p, log.len, at, &rec, &e)) == PT_OK) {
    if (pt_log_apply(b, (const uint8_t *)log.p + at, rec.length, &e) != PT_OK) {
      fprintf(stderr, "fuzz: a recorded record does not apply: %s\n", e.message);
      abort();
    }
    at += rec.length;
  }
  if (rc != PT_NOT_FOUND || at != log.len) {
    fprintf(stderr, "fuzz: the log does not read back whole (%zu of %zu bytes): %s\n", at, log.len, e.message);
    abort();
  }
  same_stores(a, b, false, "recorded, then replayed record by record");
  /* replayed by runs: every record applies, the whole log is read */
  pt_store *r = test_store();
  if (replay_runs(r, (const uint8_t *)log.p, log.len, true) != log.len) {
    fprintf(stderr, "fuzz: pt_log_apply_next did not replay the whole log\n");
    abort();
  }
  same_stores(b, r, true, "replayed record by record, then by pt_log_apply_next");
  test_buf_free(&log);
  pt_store_close(a);
  pt_store_close(b);
  pt_store_close(r);
}

/* Modes 1 and 2: foreign bytes as a log. */
static void foreign(uint8_t *in, size_t size, bool reseal) {
  if (reseal)
    for (size_t at = 0; size - at >= 24;) {
      size_t total = rd32(in + at);
      if (total < 24 || total % 8 || total > size - at) break;
      wr32(in + at + total - 4, (uint32_t)total);
      pt_wal_reseal(in + at, total); /* its format's check (wal.c) */
      at += total;
    }
  pt_store *st;
  pt_collection *c = fuzz_collection(&st);
  (void)c;
  size_t at = 0;
  pt_log_record rec;
  pt_error e;
  pt_status rc;
  while ((rc = pt_log_next(in, size, at, &rec, &e)) == PT_OK) {
    if (rec.length < 24 || rec.length > size - at || (rec.item && (rec.item < in + at || rec.item + rec.item_len > in + at + rec.length))) {
      fprintf(stderr, "fuzz: pt_log_next gave a record outside the bytes\n");
      abort();
    }
    char *before = test_dump_store(st);
    pt_status ap = pt_log_apply(st, in + at, rec.length, &e);
    fuzz_error_filled(ap, &e, "log apply");
    if (ap != PT_OK) {
      char *after = test_dump_store(st);
      if (strcmp(before, after) != 0) {
        fprintf(stderr, "fuzz: a refused record (%s) changed the store\n", e.message);
        abort();
      }
      free(after);
    }
    free(before);
    at += rec.length;
  }
  if (rc != PT_NOT_FOUND && rc != PT_CORRUPT) {
    fprintf(stderr, "fuzz: pt_log_next failed with %d\n", (int)rc);
    abort();
  }
  fuzz_error_filled(rc == PT_NOT_FOUND ? PT_OK : rc, &e, "log read");
  pt_store *st2;
  fuzz_collection(&st2);
  if (replay_runs(st2, in, size, false) != at) {
    fprintf(stderr, "fuzz: pt_log_apply_next read another prefix of the log\n");
    abort();
  }
  same_stores(st, st2, true, "replayed record by record, then by pt_log_apply_next");
  pt_store_close(st);
  pt_store_close(st2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0 || size > (1u << 16)) return 0;
  uint8_t *input = malloc(size);
  memcpy(input, data, size);
  uint8_t mode = input[0] % 3;
  memmove(input, input + 1, size - 1); /* records start 8-byte aligned, as a host reads a log */
  switch (mode) {
  case 0: oracle(input, size - 1); break;
  case 1: foreign(input, size - 1, false); break;
  default: foreign(input, size - 1, true); break;
  }
  free(input);
  return 0;
}
