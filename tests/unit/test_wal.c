/*
 * test_wal.c — the mutation log (wal.c): records made by a store's mutations, read back and
 * applied to another store.
 *
 * Covers:
 *   - replay: a store recording every kind of mutation (create, drop and load of collections,
 *     partitions created and dropped, inserts from JSON and from columns (TEXT cells, nulls,
 *     missing cells), upserts, merge-mode upserts with field operations, deletes by key and by
 *     filter with template values, auto_id keys) and a second store the records are applied to
 *     end equal: every collection row for row, their snapshot bytes byte for byte (keys,
 *     timestamps and the store's clocks included), and the next auto_id key and timestamp.
 *   - what is not recorded: a failed mutation (nothing changed, nothing pending), an opened
 *     (not created) collection, an existing partition created again, a missing one dropped.
 *   - checkpoints: pt_store_checkpoint applied to an empty store gives the same store; the
 *     records after it, applied on top, give the store at the end.
 *   - damage: truncation at every byte reads a prefix of whole records and reports the cut as
 *     torn; a flipped bit in any record stops the reader at that record (never later), torn
 *     only when it is the last one; a zero tail (a file extended but not written) is torn.
 *   - forged records (changed bytes with their CRC recomputed): applying them fails with an
 *     error or succeeds, never reads out of bounds (ASan), and a failure leaves the store as it
 *     was.
 *   - a checkpoint's snapshots: a flipped bit in one is refused by its record's checksum (the
 *     same bytes loaded on their own, by the snapshot's); under a good record checksum the
 *     snapshot's section CRCs are not computed again, and its structure is still checked.
 *   - runs of inserts (pt_log_apply_next applies them in one call, their keys indexed at the
 *     end): large batches with keys repeated across them and within them replay to the same
 *     store, every copy of a key found; a damaged record inside a run ends the run before it,
 *     with the keys of the run indexed, and the next call reports it. The end of a run enters
 *     the rows of the partitions it wrote, not every partition's (another collection's waiting
 *     rows still wait), unless it wrote more partitions than it remembers; it reads only the
 *     header of the record after it (the call that applies that record checksums it, once).
 *   - allocation failure while recording a write, swept: PT_NOMEM with nothing changed and
 *     nothing pending, or success with the record pending.
 */
#include "harness.h"

#include <stdlib.h>

#include "crc32.h"
#include "fixture_format0.h"
#if defined(__SANITIZE_ADDRESS__)
#define PT_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PT_TEST_ASAN 1
#endif
#endif
#if PT_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif
#include "store.h"

#define SCHEMA_W                                                                                           \
  "{'enable_dynamic_field':true,'fields':[{'name':'id','dtype':5,'is_primary':true},"                     \
  "{'name':'t','dtype':21,'max_length':32,'nullable':true,'default_value':'dflt'},"                       \
  "{'name':'n','dtype':5,'nullable':true},{'name':'ai','dtype':22,'element_type':5,'max_capacity':8},"   \
  "{'name':'j','dtype':23,'nullable':true},{'name':'v','dtype':101,'dim':2}]}"

#define SCHEMA_AUTO                                                                                        \
  "{'fields':[{'name':'id','dtype':5,'is_primary':true,'auto_id':true},{'name':'v','dtype':101,'dim':2}]}"

#define SCHEMA_KEY                                                                                         \
  "{'fields':[{'name':'pk','dtype':21,'max_length':16,'is_primary':true},"                               \
  "{'name':'tenant','dtype':5,'is_partition_key':true},{'name':'v','dtype':101,'dim':2}]}"

/* The log a test builds: pending records taken after each call. */
typedef struct logbuf {
  uint8_t *p;
  size_t len, cap;
} logbuf;

static void take(logbuf *l, pt_store *s) {
  size_t n;
  const uint8_t *p = pt_store_log_pending(s, &n);
  if (l->len + n > l->cap) {
    l->cap = (l->len + n) * 2 + 64;
    l->p = realloc(l->p, l->cap);
  }
  if (n) memcpy(l->p + l->len, p, n);
  l->len += n;
  pt_store_log_taken(s);
}

static size_t pending(pt_store *s) {
  size_t n;
  pt_store_log_pending(s, &n);
  return n;
}

static void jw(pt_store *s, logbuf *l, const char *coll, const char *part, pt_op op, const char *json, uint32_t flags,
               const pt_field_op *ops, size_t n_ops) {
  pt_collection *c = pt_collection_find(s, coll, strlen(coll));
  CHECK(c != NULL);
  pt_mutation_result res;
  pt_error err;
  const char *t = J(json);
  CHECK_OK(pt_collection_write_json_ops(c, part, part ? strlen(part) : 0, op, t, strlen(t), flags, ops, n_ops, &res, &err),
           &err);
  pt_mutation_result_clear(&res);
  take(l, s);
}

static void del(pt_store *s, logbuf *l, const char *coll, const char *part, const char *expr, const char *params) {
  pt_collection *c = pt_collection_find(s, coll, strlen(coll));
  pt_mutation_result res;
  pt_error err;
  const char *pj = params ? J(params) : NULL;
  CHECK_OK(pt_collection_delete_with_params(c, part, part ? strlen(part) : 0, expr, strlen(expr), pj, pj ? strlen(pj) : 0,
                                            &res, &err),
           &err);
  pt_mutation_result_clear(&res);
  take(l, s);
}

static void create(pt_store *s, logbuf *l, const char *name, const char *schema_json, int64_t nparts) {
  pt_schema *schema = test_schema(J(schema_json));
  pt_collection_options o = {nparts, 0};
  pt_collection *c;
  pt_error err;
  CHECK_OK(pt_collection_create(s, name, strlen(name), schema, &o, &c, &err), &err);
  pt_schema_free(schema);
  take(l, s);
}

/* A write in column form: TEXT values with null and missing cells, INT64 with a null. */
static void columns_write(pt_store *s, logbuf *l) {
  pt_collection *c = pt_collection_find(s, "w", 1);
  int64_t ids[3] = {100, 101, 102};
  const char text[] = "xxhelloYYworld";
  uint32_t offs[4] = {2, 7, 9, 14};
  uint8_t tcells[3] = {PT_CELL_VALUE, PT_CELL_NULL, PT_CELL_VALUE};
  int64_t nums[3] = {7, 0, 9};
  uint8_t ncells[3] = {PT_CELL_VALUE, PT_CELL_NULL, PT_CELL_VALUE};
  float vec[6] = {1, 2, 3, 4, 5, 6};
  const char arrays[] = "[1][2,3][]";
  uint32_t aoffs[4] = {0, 3, 8, 10};
  pt_column_in cols[5];
  memset(cols, 0, sizeof cols);
  cols[0] = (pt_column_in){0, PT_IN_INT64, NULL, 0, 3, 1, ids, NULL, NULL, NULL, 0, 0};
  cols[1] = (pt_column_in){1, PT_IN_TEXT, NULL, 0, 3, 1, text, offs, tcells, NULL, 0, 0};
  cols[2] = (pt_column_in){2, PT_IN_INT64, NULL, 0, 3, 1, nums, NULL, ncells, NULL, 0, 0};
  cols[3] = (pt_column_in){3, PT_IN_JSON, NULL, 0, 3, 1, arrays, aoffs, NULL, NULL, 0, 0};
  cols[4] = (pt_column_in){5, PT_IN_FLOAT32, NULL, 0, 3, 2, vec, NULL, NULL, NULL, 0, 0};
  pt_batch_in b = {PT_FORM_ROWS, 3, 5, cols, 0, NULL};
  pt_mutation_result res;
  pt_error err;
  CHECK_OK(pt_collection_write(c, "p1", 2, PT_OP_INSERT, &b, 0, &res, &err), &err);
  pt_mutation_result_clear(&res);
  take(l, s);
}

/* Every kind of recorded mutation; `l` gets the records. */
static void mutate(pt_store *s, logbuf *l) {
  pt_error err;
  create(s, l, "w", SCHEMA_W, 0);
  jw(s, l, "w", NULL, PT_OP_INSERT,
     "[{'id':1,'t':'a','n':1,'ai':[1],'j':{'k':1},'v':[1,2],'x':1},{'id':2,'ai':[],'v':[0,1]},"
     "{'id':3,'t':null,'ai':[5,6],'v':[3,3],'y':'z'},{'id':3,'ai':[9],'v':[4,4]}]",
     0, NULL, 0);
  pt_collection *w = pt_collection_find(s, "w", 1);
  CHECK_OK(pt_partition_create(w, "p1", 2, &err), &err);
  take(l, s);
  columns_write(s, l);
  jw(s, l, "w", "p1", PT_OP_UPSERT, "[{'id':100,'t':'up','ai':[4],'v':[9,9]},{'id':103,'ai':[1],'v':[0,0]}]", 0, NULL, 0);
  pt_field_op ops[1] = {{"ai", 2, PT_FIELD_OP_ARRAY_APPEND}};
  jw(s, l, "w", NULL, PT_OP_UPSERT, "[{'id':1,'ai':[7,8]},{'id':2,'ai':[3]}]", 0, ops, 1);
  jw(s, l, "w", NULL, PT_OP_UPSERT, "[{'id':2,'t':'merged','z':5}]", PT_WRITE_MERGE, NULL, 0);
  del(s, l, "w", NULL, "id in [3]", NULL);
  del(s, l, "w", "p1", "n > {lo}", "{'lo':8}");
  /* indexes: one kept (rows written after it join it), one created and dropped */
  const char *hnsw = J("{'field_name':'v','index_type':'HNSW','metric_type':'L2','params':{'M':4,'efConstruction':8}}");
  CHECK_OK(pt_collection_create_index(pt_collection_find(s, "w", 1), hnsw, strlen(hnsw), &err), &err);
  take(l, s);
  jw(s, l, "w", NULL, PT_OP_INSERT, "[{'id':60,'ai':[],'v':[6,0]}]", 0, NULL, 0);
  create(s, l, "auto", SCHEMA_AUTO, 0);
  jw(s, l, "auto", NULL, PT_OP_INSERT, "[{'v':[1,1]},{'v':[2,2]},{'v':[3,3]}]", 0, NULL, 0);
  jw(s, l, "auto", NULL, PT_OP_INSERT, "[{'v':[4,4]}]", 0, NULL, 0);
  create(s, l, "keyed", SCHEMA_KEY, 4);
  jw(s, l, "keyed", NULL, PT_OP_INSERT, "[{'pk':'a','tenant':1,'v':[1,0]},{'pk':'b','tenant':2,'v':[0,1]}]", 0, NULL, 0);
  jw(s, l, "keyed", NULL, PT_OP_UPSERT, "[{'pk':'a','tenant':3,'v':[1,1]}]", 0, NULL, 0);
  const char *ivf = J("{'field_name':'v','index_type':'IVF_FLAT','metric_type':'L2','params':{'nlist':1}}");
  CHECK_OK(pt_collection_create_index(pt_collection_find(s, "keyed", 5), ivf, strlen(ivf), &err), &err);
  take(l, s);
  CHECK_OK(pt_collection_drop_index(pt_collection_find(s, "keyed", 5), "{}", 2, &err), &err);
  take(l, s);
  /* a snapshot loaded under another name, then the original dropped (a rename) */
  uint8_t *snap;
  size_t snap_len;
  CHECK_OK(pt_collection_save(pt_collection_find(s, "auto", 4), &snap, &snap_len, &err), &err);
  CHECK_OK(pt_collection_load(s, snap, snap_len, "auto2", 5, NULL, &err), &err);
  pt_free(snap);
  take(l, s);
  CHECK_OK(pt_collection_drop(s, "auto", 4), (pt_error *)NULL);
  take(l, s);
  jw(s, l, "auto2", NULL, PT_OP_INSERT, "[{'v':[5,5]}]", 0, NULL, 0);
  w = pt_collection_find(s, "w", 1);
  CHECK_OK(pt_partition_create(w, "p2", 2, &err), &err);
  take(l, s);
  jw(s, l, "w", "p2", PT_OP_INSERT, "[{'id':50,'ai':[],'v':[5,0]}]", 0, NULL, 0);
  CHECK_OK(pt_partition_drop(w, "p2", 2, &err), &err);
  take(l, s);
}


/* Applies every record of `l` (which must be whole) to `s`. */
static void replay(pt_store *s, const uint8_t *p, size_t len) {
  size_t at = 0;
  pt_log_record rec;
  pt_error err;
  pt_status rc;
  while ((rc = pt_log_next(p, len, at, &rec, &err)) == PT_OK) {
    CHECK_OK(pt_log_apply(s, p + at, rec.length, &err), &err);
    at += rec.length;
  }
  CHECK_EQ_INT(rc, PT_NOT_FOUND);
}

/* A store as a process started later would open it: its clock is ahead of test_store's, so a
 * replay that took timestamps or auto_id keys from the clock would differ. */
static uint64_t later_clock(void *ctx) {
  (void)ctx;
  return 1700000000000ull + 86400000ull;
}
static pt_store *later_store(void) {
  pt_store_options o;
  memset(&o, 0, sizeof o);
  o.clock_ms = later_clock;
  pt_store *s = NULL;
  CHECK_OK(pt_store_open(&o, &s), (pt_error *)NULL);
  return s;
}

static pt_store *recording_store(void) {
  pt_store *s = test_store();
  pt_store_log(s, 1);
  return s;
}

TEST(replay_gives_the_same_store) {
  logbuf l = {NULL, 0, 0};
  pt_store *a = recording_store();
  mutate(a, &l);
  CHECK(l.len > 0);
  pt_store *b = later_store();
  replay(b, l.p, l.len);
  char *da = test_dump_store(a), *db = test_dump_store(b);
  CHECK_STR(da, db);
  free(da);
  free(db);
  /* the clocks go on from the recorded ones: the next key and timestamp are new ones */
  uint64_t last_id = a->last_id, last_ts = a->last_ts;
  pt_mutation_result rb;
  pt_error err;
  const char *row = J("[{'v':[6,6]}]");
  CHECK_OK(pt_collection_write_json(pt_collection_find(b, "auto2", 5), NULL, 0, PT_OP_INSERT, row, strlen(row), 0, &rb, &err), &err);
  CHECK((uint64_t)rb.int_keys[0] > last_id);
  CHECK(rb.timestamp > last_ts);
  pt_mutation_result_clear(&rb);
  /* a replayed store records nothing while applying */
  pt_store *c = test_store();
  pt_store_log(c, 1);
  replay(c, l.p, l.len);
  CHECK_EQ_INT(pending(c), 0);
  pt_store_close(a);
  pt_store_close(b);
  pt_store_close(c);
  free(l.p);
}

/* A vector column in two pieces (pt_collection_stage_split: rows spanning two segments, the
 * host writing each piece in place) is recorded as one block, as the same rows given in one
 * piece are (records of the same length), and the record replays to the same store. */
TEST(a_column_in_two_pieces_is_recorded_as_one) {
  enum { D = 8192, N = 50 }; /* 32 KB rows: 64 rows to a segment */
  const char *schema = "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':8192}]}";
  logbuf la = {NULL, 0, 0}, lb = {NULL, 0, 0};
  pt_store *a = recording_store(), *b = recording_store();
  create(a, &la, "s", schema, 0);
  create(b, &lb, "s", schema, 0);
  float *v = calloc((size_t)64 * D, sizeof *v);
  int64_t ids[64];
  for (int k = 0; k < 64; k++) ids[k] = k;
  pt_error err;
  pt_mutation_result res;
  for (int side = 0; side < 2; side++) {
    pt_store *s = side ? b : a;
    pt_collection *c = pt_collection_find(s, "s", 1);
    pt_column_in cols[2];
    memset(cols, 0, sizeof cols);
    cols[0] = (pt_column_in){0, PT_IN_INT64, NULL, 0, 40, 1, ids, NULL, NULL, NULL, 0, 0, NULL, 0};
    cols[1] = (pt_column_in){1, PT_IN_FLOAT32, NULL, 0, 40, D, v, NULL, NULL, NULL, 0, 0, NULL, 0};
    for (int r = 0; r < 40; r++) v[(size_t)r * D] = (float)r;
    pt_batch_in bi = {PT_FORM_COLUMNS, 40, 2, cols, 0, NULL};
    CHECK_OK(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &bi, 0, &res, &err), &err);
    pt_mutation_result_clear(&res);
    /* keys 100.. : a in two pieces staged in place, b in one block */
    int64_t keys[N];
    for (int r = 0; r < N; r++) keys[r] = 100 + r;
    size_t head = N;
    void *tail = NULL;
    float *at = side ? v : pt_collection_stage_split(c, NULL, 0, 1, N, &head, &tail);
    CHECK(at != NULL && (side || (head == 24 && tail != NULL)));
    for (int r = 0; r < N; r++) {
      float *row = (size_t)r < head ? at + (size_t)r * D : (float *)tail + (size_t)(r - (int)head) * D;
      memset(row, 0, D * sizeof *row);
      row[0] = (float)r;
      row[D - 1] = (float)-r;
    }
    cols[0] = (pt_column_in){0, PT_IN_INT64, NULL, 0, N, 1, keys, NULL, NULL, NULL, 0, 0, NULL, 0};
    cols[1] = (pt_column_in){1, PT_IN_FLOAT32, NULL, 0, N, D, at, NULL, NULL, NULL, 0, 0, tail, tail ? head : 0};
    bi = (pt_batch_in){PT_FORM_COLUMNS, N, 2, cols, 0, NULL};
    CHECK_OK(pt_collection_write(c, NULL, 0, PT_OP_INSERT, &bi, 0, &res, &err), &err);
    pt_mutation_result_clear(&res);
    take(side ? &lb : &la, s);
  }
  CHECK_EQ_INT(la.len, lb.len);
  char *da = test_dump_store(a);
  pt_store *ra = later_store();
  replay(ra, la.p, la.len);
  char *dra = test_dump_store(ra);
  CHECK_STR(dra, da);
  /* the rows given in two pieces are the rows given in one */
  char *sa = test_snapshot(pt_collection_find(a, "s", 1)), *sb = test_snapshot(pt_collection_find(b, "s", 1));
  CHECK_STR(sa, sb);
  free(sa);
  free(sb);
  free(da);
  free(dra);
  free(v);
  free(la.p);
  free(lb.p);
  pt_store_close(a);
  pt_store_close(b);
  pt_store_close(ra);
}

TEST(failures_and_no_ops_record_nothing) {
  logbuf l = {NULL, 0, 0};
  pt_store *s = recording_store();
  create(s, &l, "w", SCHEMA_W, 0);
  l.len = 0;
  pt_error err;
  pt_mutation_result res;
  pt_collection *c = pt_collection_find(s, "w", 1);
  const char *bad = J("[{'id':'x','ai':[],'v':[1,2]}]");
  CHECK(pt_collection_write_json(c, NULL, 0, PT_OP_INSERT, bad, strlen(bad), 0, &res, &err) != PT_OK);
  CHECK(pt_collection_delete(c, NULL, 0, "nonsense ==", 11, &res, &err) != PT_OK);
  CHECK(pt_collection_delete(c, "nope", 4, "id > 0", 6, &res, &err) != PT_OK);
  CHECK_OK(pt_partition_create(c, "_default", 8, &err), &err);
  CHECK_OK(pt_partition_drop(c, "missing", 7, &err), &err);
  CHECK_OK(pt_collection_drop(s, "missing", 7), (pt_error *)NULL);
  pt_schema *schema = test_schema(J(SCHEMA_W));
  pt_collection *again;
  CHECK_OK(pt_collection_create(s, "w", 1, schema, NULL, &again, &err), &err);
  pt_schema_free(schema);
  CHECK_EQ_INT(pending(s), 0);
  /* off: what was pending is gone, and nothing more is recorded */
  const char *first = J("[{'id':1,'ai':[],'v':[1,2]}]");
  CHECK_OK(pt_collection_write_json(c, NULL, 0, PT_OP_INSERT, first, strlen(first), 0, &res, &err), &err);
  pt_mutation_result_clear(&res);
  CHECK(pending(s) > 0);
  pt_store_log(s, 0);
  CHECK_EQ_INT(pending(s), 0);
  const char *row = J("[{'id':2,'ai':[],'v':[1,2]}]");
  CHECK_OK(pt_collection_write_json(c, NULL, 0, PT_OP_INSERT, row, strlen(row), 0, &res, &err), &err);
  pt_mutation_result_clear(&res);
  CHECK_EQ_INT(pending(s), 0);
  pt_store_close(s);
  free(l.p);
}

TEST(checkpoint_then_log) {
  logbuf l = {NULL, 0, 0};
  pt_store *a = recording_store();
  mutate(a, &l);
  uint8_t *cp;
  size_t cp_len;
  pt_error err;
  const uint8_t host[] = "{\"aliases\":1}";
  CHECK_OK(pt_store_checkpoint(a, 7, host, sizeof host - 1, &cp, &cp_len, &err), &err);
  /* HEADER(7) first, END(7) last, the host's bytes in a HOST record */
  pt_log_record rec;
  CHECK_OK(pt_log_next(cp, cp_len, 0, &rec, &err), &err);
  CHECK_EQ_INT(rec.type, PT_LOG_HEADER);
  CHECK(rec.item_len == 8 && rec.item[0] == 7);
  size_t at = 0, hosts = 0;
  uint32_t last = 0;
  while (pt_log_next(cp, cp_len, at, &rec, &err) == PT_OK) {
    if (rec.type == PT_LOG_HOST) {
      hosts++;
      CHECK(rec.item_len == sizeof host - 1 && memcmp(rec.item, host, rec.item_len) == 0);
    }
    last = rec.type;
    at += rec.length;
  }
  CHECK_EQ_INT(at, cp_len);
  CHECK_EQ_INT(last, PT_LOG_END);
  CHECK_EQ_INT(hosts, 1);
  pt_store *b = later_store();
  replay(b, cp, cp_len);
  char *da = test_dump_store(a), *db = test_dump_store(b);
  CHECK_STR(da, db);
  free(da);
  free(db);
  /* later records on top of the checkpoint */
  l.len = 0;
  jw(a, &l, "w", NULL, PT_OP_UPSERT, "[{'id':1,'t':'after','ai':[],'v':[8,8]}]", 0, NULL, 0);
  del(a, &l, "w", NULL, "id == 2", NULL);
  jw(a, &l, "auto2", NULL, PT_OP_INSERT, "[{'v':[7,7]}]", 0, NULL, 0);
  replay(b, l.p, l.len);
  da = test_dump_store(a);
  db = test_dump_store(b);
  CHECK_STR(da, db);
  free(da);
  free(db);
  /* markers */
  uint8_t m[PT_LOG_MARKER_BYTES];
  pt_log_marker(1, 42, m);
  CHECK_OK(pt_log_next(m, sizeof m, 0, &rec, &err), &err);
  CHECK(rec.type == PT_LOG_END && rec.length == sizeof m && rec.item[0] == 42);
  pt_free(cp);
  pt_store_close(a);
  pt_store_close(b);
  free(l.p);
}

/* The offsets where records start in a whole log, and its length last. */
static size_t record_starts(const uint8_t *p, size_t len, size_t *starts, size_t max) {
  size_t n = 0, at = 0;
  pt_log_record rec;
  while (pt_log_next(p, len, at, &rec, NULL) == PT_OK && n < max) {
    starts[n++] = at;
    at += rec.length;
  }
  CHECK_EQ_INT(at, len);
  return n;
}

/* Reads records until one fails; the bytes read, and the last status and record. */
static size_t read_prefix(const uint8_t *p, size_t len, pt_status *rc, pt_log_record *rec) {
  size_t at = 0;
  pt_error err;
  while ((*rc = pt_log_next(p, len, at, rec, &err)) == PT_OK) at += rec->length;
  if (*rc == PT_CORRUPT) CHECK(err.code == PT_CODE_PARAMETER_INVALID && strstr(err.message, "log record at byte"));
  return at;
}

/* pt_log_apply_next (one pass: read and apply) replays a log to the same store as pt_log_next
 * then pt_log_apply; a failure says whether the read or the apply failed. */
TEST(apply_next_replays_in_one_pass) {
  logbuf l = {NULL, 0, 0};
  pt_store *a = recording_store();
  mutate(a, &l);
  pt_store *b = later_store();
  pt_log_record rec;
  pt_error err;
  pt_status rc;
  int applied = 0;
  size_t at = 0;
  while ((rc = pt_log_apply_next(b, l.p, l.len, at, &rec, &applied, &err)) == PT_OK) {
    CHECK_EQ_INT(applied, 1);
    at += rec.length;
  }
  CHECK_EQ_INT(rc, PT_NOT_FOUND);
  CHECK_EQ_INT(applied, 0);
  char *da = test_dump_store(a), *db = test_dump_store(b);
  CHECK_STR(da, db);
  free(da);
  free(db);
  /* the last record on a store without its collection: the apply's failure */
  size_t starts[256];
  size_t n = record_starts(l.p, l.len, starts, 256);
  CHECK(n > 1);
  uint8_t *copy = malloc(l.len);
  memcpy(copy, l.p, l.len);
  char *before = test_dump_store(b);
  pt_store *fresh = test_store();
  CHECK_EQ_INT(pt_log_apply_next(fresh, copy, l.len, starts[n - 1], &rec, &applied, &err), PT_CORRUPT);
  CHECK_EQ_INT(applied, 1);
  /* a flipped byte: the read's failure, nothing applied */
  copy[starts[1] + 20] ^= 0x40;
  CHECK_EQ_INT(pt_log_apply_next(b, copy, l.len, starts[1], &rec, &applied, &err), PT_CORRUPT);
  CHECK_EQ_INT(applied, 0);
  char *after = test_dump_store(b);
  CHECK_STR(before, after);
  free(before);
  free(after);
  free(copy);
  pt_store_close(fresh);
  pt_store_close(a);
  pt_store_close(b);
  free(l.p);
}

TEST(torn_and_flipped_logs_read_a_prefix) {
  logbuf l = {NULL, 0, 0};
  pt_store *s = recording_store();
  mutate(s, &l);
  size_t starts[256];
  size_t n = record_starts(l.p, l.len, starts, 256);
  CHECK(n > 20 && n < 256);
  uint8_t *copy = malloc(l.len + 64);
  /* every truncation: the whole records before the cut, the cut reported as torn */
  for (size_t cut = 0; cut < l.len; cut++) {
    pt_status rc;
    pt_log_record rec;
    size_t got = read_prefix(l.p, cut, &rc, &rec);
    size_t want = 0;
    for (size_t i = 0; i < n && starts[i] <= cut; i++) want = starts[i];
    CHECK_EQ_INT(got, want);
    if (got < cut) CHECK(rc == PT_CORRUPT && rec.torn == 1);
    else CHECK(rc == PT_NOT_FOUND);
  }
  /* a zero tail after the last record: torn */
  memcpy(copy, l.p, l.len);
  memset(copy + l.len, 0, 64);
  pt_status rc;
  pt_log_record rec;
  CHECK_EQ_INT(read_prefix(copy, l.len + 64, &rc, &rec), l.len);
  CHECK(rc == PT_CORRUPT && rec.torn == 1);
  /* a flipped bit: the reader stops at its record, torn only when that is the last one */
  for (size_t byte = 0; byte < l.len; byte += 3) {
    memcpy(copy, l.p, l.len);
    copy[byte] ^= (uint8_t)(1u << (byte % 8));
    size_t i = 0;
    while (i + 1 < n && starts[i + 1] <= byte) i++;
    size_t got = read_prefix(copy, l.len, &rc, &rec);
    CHECK_EQ_INT(got, starts[i]);
    CHECK_EQ_INT(rc, PT_CORRUPT);
    if (i + 1 < n && rec.torn) {
      /* only a length made larger (the record then seems to run past the end) looks torn */
      CHECK(byte - starts[i] < 4 || byte >= starts[i + 1] - 4);
    }
  }
  free(copy);
  pt_store_close(s);
  free(l.p);
}

TEST(forged_records_fail_cleanly) {
  logbuf l = {NULL, 0, 0};
  pt_store *a = recording_store();
  mutate(a, &l);
  size_t starts[256];
  size_t n = record_starts(l.p, l.len, starts, 256);
  uint8_t *rec_copy = malloc(l.len);
  for (size_t i = 0; i < n; i++) {
    size_t len = (i + 1 < n ? starts[i + 1] : l.len) - starts[i];
    /* the store just before record i */
    pt_store *b = test_store();
    replay(b, l.p, starts[i]);
    char *before = test_dump_store(b);
    for (size_t k = 16; k + PT_WAL_FOOT < len; k += (len > 400 ? 13 : 2)) {
      static const uint8_t xors[] = {0x01, 0x80, 0xff};
      uint8_t x = xors[k % 3];
      memcpy(rec_copy, l.p + starts[i], len);
      rec_copy[k] ^= x;
      pt_wal_reseal(rec_copy, len);
      pt_error err;
      pt_store *c = test_store();
      replay(c, l.p, starts[i]);
      if (pt_log_apply(c, rec_copy, len, &err) != PT_OK) {
        char *after = test_dump_store(c);
        if (strcmp(before, after) != 0) {
          fprintf(stderr, "record %zu byte %zu xor %02x: failed (%s) but changed the store\n", i, k, x, err.message);
          CHECK(0);
        }
        free(after);
      }
      pt_store_close(c);
    }
    free(before);
    pt_store_close(b);
  }
  free(rec_copy);
  pt_store_close(a);
  free(l.p);
}

/* A create_index record logged before inverted_index_algo was checked by knowhere's names (any
 * string was taken until 7856f14) is still applied, as the snapshot's definition is. */
TEST(older_sparse_algo_names_replay) {
  logbuf l = {NULL, 0, 0}, ix = {NULL, 0, 0};
  pt_store *a = recording_store();
  pt_error err;
  create(a, &l, "sp", "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'sv','dtype':104}]}", 0);
  jw(a, &l, "sp", NULL, PT_OP_INSERT, "[{'id':1,'sv':{'3':0.5}}]", 0, NULL, 0);
  const char *req = J("{'field_name':'sv','index_type':'SPARSE_INVERTED_INDEX','metric_type':'IP','params':{'inverted_index_algo':'DAAT_WAND'}}");
  CHECK_OK(pt_collection_create_index(pt_collection_find(a, "sp", 2), req, strlen(req), &err), &err);
  take(&ix, a);
  uint8_t *at = NULL;
  for (size_t i = 0; !at && i + 9 <= ix.len; i++)
    if (memcmp(ix.p + i, "DAAT_WAND", 9) == 0) at = ix.p + i;
  CHECK(at != NULL);
  if (at) {
    memcpy(at, "BLOCK_MAX", 9);
    pt_wal_reseal(ix.p, ix.len);
    pt_store *b = test_store();
    replay(b, l.p, l.len);
    CHECK_OK(pt_log_apply(b, ix.p, ix.len, &err), &err);
    char *desc = NULL;
    size_t dlen = 0;
    CHECK_OK(pt_collection_describe_index(pt_collection_find(b, "sp", 2), "{}", 2, &desc, &dlen, &err), &err);
    CHECK(desc && strstr(desc, "BLOCK_MAX"));
    pt_free(desc);
    pt_store_close(b);
  }
  pt_store_close(a);
  free(l.p);
  free(ix.p);
}

TEST(allocation_failure_while_recording) {
  test_alloc_install();
  for (long n = 1;; n++) {
    pt_store *s = recording_store();
    logbuf l = {NULL, 0, 0};
    create(s, &l, "w", SCHEMA_W, 0);
    pt_store_log_taken(s);
    pt_collection *c = pt_collection_find(s, "w", 1);
    char *before = test_snapshot(c);
    const char *rows = J("[{'id':1,'t':'a','ai':[1,2],'v':[1,2]},{'id':2,'ai':[],'v':[3,4]}]");
    pt_mutation_result res;
    pt_error err;
    test_alloc_fail_at(n);
    pt_status rc = pt_collection_write_json(c, NULL, 0, PT_OP_UPSERT, rows, strlen(rows), 0, &res, &err);
    test_alloc_fail_at(0);
    if (rc == PT_OK) {
      CHECK(pending(s) > 0);
      pt_mutation_result_clear(&res);
      free(before);
      pt_store_close(s);
      free(l.p);
      break;
    }
    CHECK_EQ_INT(rc, PT_NOMEM);
    CHECK_EQ_INT(pending(s), 0);
    test_unchanged(__FILE__, __LINE__, before, c);
    pt_store_close(s);
    free(l.p);
    CHECK(n < 10000);
  }
}

/* The snapshot item of the first LOAD record of a checkpoint: its offset in `cp` and length. */
static size_t load_snapshot(const uint8_t *cp, size_t len, size_t *rec_at, size_t *rec_len, size_t *snap_len) {
  pt_log_record rec;
  for (size_t at = 0; pt_log_next(cp, len, at, &rec, NULL) == PT_OK; at += rec.length) {
    if (rec.type != PT_LOG_LOAD) continue;
    size_t i = at + PT_WAL_HEAD, n = pt_wal_get32(cp + i);
    i += PT_WAL_ITEM_HEAD + (n == PT_WAL_ABSENT ? 0 : pt_wal_pad8(n)); /* the name */
    *rec_at = at;
    *rec_len = rec.length;
    *snap_len = pt_wal_get32(cp + i);
    return i + PT_WAL_ITEM_HEAD;
  }
  CHECK(0);
  return 0;
}

/* Applies the checkpoint's records up to and including the one at `upto` to a fresh store: the
 * status of that one. */
static pt_status apply_upto(pt_store *s, const uint8_t *cp, size_t len, size_t upto, int *applied, pt_error *err) {
  pt_log_record rec;
  for (size_t at = 0;; at += rec.length) {
    pt_status rc = pt_log_apply_next(s, cp, len, at, &rec, applied, err);
    if (at == upto || rc) return rc;
  }
}

TEST(checkpoint_snapshots_under_the_record_checksum) {
  logbuf l = {NULL, 0, 0};
  pt_store *a = recording_store();
  mutate(a, &l);
  uint8_t *cp, *copy;
  size_t len, rec_at, rec_len, snap_len;
  pt_error err;
  int applied;
  CHECK_OK(pt_store_checkpoint(a, 3, NULL, 0, &cp, &len, &err), &err);
  size_t snap = load_snapshot(cp, len, &rec_at, &rec_len, &snap_len);
  CHECK(snap_len > 64);
  copy = malloc(len);
  /* a flipped bit in the snapshot's rows: the record fails its checksum, nothing is applied */
  memcpy(copy, cp, len);
  copy[snap + snap_len / 2] ^= 0x10;
  pt_store *b = test_store();
  CHECK_EQ_INT(apply_upto(b, copy, len, rec_at, &applied, &err), PT_CORRUPT);
  CHECK(applied == 0 && strstr(err.message, "fails its checksum"));
  CHECK_EQ_INT(pt_store_num_collections(b), 0);
  pt_store_close(b);
  /* the same snapshot bytes loaded on their own: the snapshot's own checksum refuses them */
  b = test_store();
  CHECK_EQ_INT(pt_collection_load(b, copy + snap, snap_len, NULL, 0, NULL, &err), PT_CORRUPT);
  CHECK(strstr(err.message, "is corrupted") != NULL);
  pt_store_close(b);
  /* a good record checksum vouches for the bytes: a section CRC changed behind it is not read
   * again (the record's sum covers every byte the section's would) */
  memcpy(copy, cp, len);
  copy[snap + snap_len - 1] ^= 0x01; /* the last section's CRC */
  pt_wal_reseal(copy + rec_at, rec_len);
  b = test_store();
  CHECK_OK(apply_upto(b, copy, len, rec_at, &applied, &err), &err);
  CHECK(applied == 1 && pt_store_num_collections(b) == 1);
  pt_store_close(b);
  /* ... and its structure is still checked: a section's length changed behind a good record
   * checksum is refused by the apply, which leaves the store as it was */
  memcpy(copy, cp, len);
  copy[snap + 32 + 8] ^= 0x01; /* the first section's length */
  pt_wal_reseal(copy + rec_at, rec_len);
  b = test_store();
  CHECK_EQ_INT(apply_upto(b, copy, len, rec_at, &applied, &err), PT_CORRUPT);
  CHECK(applied == 1 && strstr(err.message, "invalid snapshot"));
  CHECK_EQ_INT(pt_store_num_collections(b), 0);
  pt_store_close(b);
  free(copy);
  pt_free(cp);
  pt_store_close(a);
  free(l.p);
}

#define SCHEMA_PLAIN "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'v','dtype':101,'dim':2}]}"

/* Inserts n rows with keys key0 + (i % period) into collection `coll`. */
static void insert_many(pt_store *s, logbuf *l, const char *coll, int key0, int n, int period) {
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "[");
  for (int i = 0; i < n; i++) test_buf_printf(&b, "%s{\"id\":%d,\"v\":[%d,1]}", i ? "," : "", key0 + i % period, i);
  test_buf_printf(&b, "]");
  pt_collection *c = pt_collection_find(s, coll, strlen(coll));
  pt_mutation_result res;
  pt_error err;
  CHECK_OK(pt_collection_write_json(c, NULL, 0, PT_OP_INSERT, b.p, b.len, 0, &res, &err), &err);
  pt_mutation_result_clear(&res);
  take(l, s);
  test_buf_free(&b);
}

/* Rows of collection `coll` with key `id`. */
static size_t copies(pt_store *s, const char *coll, int id) {
  char req[64];
  snprintf(req, sizeof req, "{\"expr\":\"id == %d\"}", id);
  pt_rows *rows = test_query(pt_collection_find(s, coll, strlen(coll)), req);
  size_t n = pt_rows_count(rows);
  pt_rows_free(rows);
  return n;
}

TEST(runs_of_inserts_replay_in_one_call) {
  logbuf l = {NULL, 0, 0};
  pt_store *a = recording_store();
  create(a, &l, "p", SCHEMA_PLAIN, 0);
  insert_many(a, &l, "p", 0, 40000, 40000);
  insert_many(a, &l, "p", 30000, 20000, 15000); /* keys of the first batch, and repeated */
  insert_many(a, &l, "p", 45000, 30000, 30000);
  del(a, &l, "p", NULL, "id in [31000]", NULL);
  insert_many(a, &l, "p", 70000, 100, 100);
  jw(a, &l, "p", NULL, PT_OP_UPSERT, "[{'id':36000,'v':[0,0]}]", 0, NULL, 0);
  size_t starts[16];
  size_t n = record_starts(l.p, l.len, starts, 16);
  CHECK_EQ_INT(n, 7);
  pt_store *b = test_store();
  pt_log_record rec;
  pt_error err;
  int applied;
  size_t at = 0, calls = 0;
  pt_status rc;
  while ((rc = pt_log_apply_next(b, l.p, l.len, at, &rec, &applied, &err)) == PT_OK) {
    calls++;
    at += rec.length;
  }
  CHECK_EQ_INT(rc, PT_NOT_FOUND);
  CHECK_EQ_INT(calls, 5); /* the three inserts in one call */
  char *da = test_dump_store(a), *db = test_dump_store(b);
  CHECK_STR(da, db);
  free(da);
  free(db);
  CHECK_EQ_INT(copies(b, "p", 31000), 0);
  CHECK_EQ_INT(copies(b, "p", 36000), 1);
  CHECK_EQ_INT(copies(b, "p", 32000), 3);
  CHECK_EQ_INT(copies(b, "p", 46000), 1);
  CHECK_EQ_INT(copies(b, "p", 74000), 1);
  pt_store_close(b);
  /* the third insert damaged: the run stops before it, its rows' keys all indexed */
  uint8_t *copy = malloc(l.len);
  memcpy(copy, l.p, l.len);
  copy[starts[3] + 100] ^= 0x02;
  b = test_store();
  CHECK_OK(pt_log_apply_next(b, copy, l.len, 0, &rec, &applied, &err), &err);
  CHECK_OK(pt_log_apply_next(b, copy, l.len, starts[1], &rec, &applied, &err), &err);
  CHECK(applied == 1 && rec.type == PT_LOG_WRITE && starts[1] + rec.length == starts[3]);
  CHECK_EQ_INT(pt_log_apply_next(b, copy, l.len, starts[3], &rec, &applied, &err), PT_CORRUPT);
  CHECK(applied == 0 && strstr(err.message, "fails its checksum"));
  CHECK_EQ_INT(copies(b, "p", 32000), 3);
  CHECK_EQ_INT(copies(b, "p", 31000), 3);
  CHECK_EQ_INT(copies(b, "p", 46000), 0);
  CHECK_EQ_INT(pt_collection_num_entities(pt_collection_find(b, "p", 1), NULL, 0), 60000);
  pt_store_close(b);
  free(copy);
  pt_store_close(a);
  free(l.p);
}

/* Inserts n rows (keys "<prefix><i>", tenants 0 .. n - 1) into partition-key collection `coll`. */
static void insert_tenants(pt_store *s, logbuf *l, const char *coll, const char *prefix, int n) {
  test_buf b = {NULL, 0, 0};
  test_buf_printf(&b, "[");
  for (int i = 0; i < n; i++) test_buf_printf(&b, "%s{'pk':'%s%d','tenant':%d,'v':[%d,1]}", i ? "," : "", prefix, i, i, i);
  test_buf_printf(&b, "]");
  jw(s, l, coll, NULL, PT_OP_INSERT, b.p, 0, NULL, 0);
  test_buf_free(&b);
}

/* The end of a run of inserts enters the rows of the partitions the run wrote, not every
 * partition's: another collection's rows that wait for its key index (inserted, not yet read)
 * still wait after it. A run into more partitions than it remembers enters every
 * partition's. */
TEST(a_run_enters_its_own_partitions) {
  logbuf l = {NULL, 0, 0}, other = {NULL, 0, 0};
  pt_store *a = recording_store();
  create(a, &l, "p", SCHEMA_PLAIN, 0);
  size_t run = l.len;
  insert_many(a, &l, "p", 0, 100, 100);
  insert_many(a, &l, "p", 100, 100, 100);
  size_t keyed = l.len;
  create(a, &l, "k", SCHEMA_KEY, 32);
  size_t run2 = l.len;
  insert_tenants(a, &l, "k", "a", 64);
  insert_tenants(a, &l, "k", "b", 64);
  /* the store the log is applied to holds "q", whose inserted rows wait for its index */
  pt_store *b = recording_store();
  create(b, &other, "q", SCHEMA_PLAIN, 0);
  insert_many(b, &other, "q", 0, 40000, 40000);
  insert_many(b, &other, "q", 50000, 100, 100);
  pt_partition *q = pt_collection_find(b, "q", 1)->parts[0];
  uint32_t waiting = q->unindexed;
  CHECK(waiting >= 100);
  pt_log_record rec;
  pt_error err;
  int applied;
  CHECK_OK(pt_log_apply_next(b, l.p, l.len, 0, &rec, &applied, &err), &err);
  CHECK_OK(pt_log_apply_next(b, l.p, l.len, run, &rec, &applied, &err), &err);
  CHECK_EQ_INT(run + rec.length, keyed); /* the two inserts, one run */
  pt_collection *p = pt_collection_find(b, "p", 1);
  CHECK_EQ_INT(p->parts[0]->unindexed, 0);
  CHECK_EQ_INT(q->unindexed, waiting);
  /* 32 partitions written by one run: more than it remembers, every partition is entered */
  CHECK_OK(pt_log_apply_next(b, l.p, l.len, keyed, &rec, &applied, &err), &err);
  CHECK_OK(pt_log_apply_next(b, l.p, l.len, run2, &rec, &applied, &err), &err);
  CHECK_EQ_INT(run2 + rec.length, l.len);
  pt_collection *k = pt_collection_find(b, "k", 1);
  CHECK(k->n_parts == 32);
  size_t written = 0;
  for (size_t i = 0; i < k->n_parts; i++) {
    CHECK_EQ_INT(k->parts[i]->unindexed, 0);
    written += k->parts[i]->n_rows > 0;
  }
  CHECK(written > PT_WAL_RUN_PARTS);
  CHECK_EQ_INT(q->unindexed, 0);
  CHECK_EQ_INT(pt_collection_num_entities(k, NULL, 0), 128);
  CHECK_EQ_INT(pt_collection_num_entities(p, NULL, 0), 200);
  CHECK_EQ_INT(copies(b, "q", 50050), 1);
  pt_store_close(b);
  pt_store_close(a);
  free(l.p);
  free(other.p);
}

/* The record after a run of inserts is read by the call that applies it, not by the run as well:
 * the run looks at its header only (under ASan the rest of it is made unreadable, so a checksum
 * of it by the run would stop the test). */
TEST(a_run_reads_only_the_header_of_the_record_after_it) {
  logbuf l = {NULL, 0, 0};
  pt_store *a = recording_store();
  create(a, &l, "p", SCHEMA_PLAIN, 0);
  insert_many(a, &l, "p", 0, 50, 50);
  insert_many(a, &l, "p", 100, 50, 50);
  del(a, &l, "p", NULL, "id in [3]", NULL);
  size_t starts[8];
  CHECK_EQ_INT(record_starts(l.p, l.len, starts, 8), 4);
  uint8_t *copy = malloc(l.len);
  memcpy(copy, l.p, l.len);
  pt_store *b = test_store();
  pt_log_record rec;
  pt_error err;
  int applied;
  CHECK_OK(pt_log_apply_next(b, copy, l.len, 0, &rec, &applied, &err), &err);
#if PT_TEST_ASAN
  ASAN_POISON_MEMORY_REGION(copy + starts[3] + 8, l.len - starts[3] - 8);
#endif
  CHECK_OK(pt_log_apply_next(b, copy, l.len, starts[1], &rec, &applied, &err), &err);
  CHECK_EQ_INT(starts[1] + rec.length, starts[3]);
#if PT_TEST_ASAN
  ASAN_UNPOISON_MEMORY_REGION(copy + starts[3] + 8, l.len - starts[3] - 8);
#endif
  CHECK_OK(pt_log_apply_next(b, copy, l.len, starts[3], &rec, &applied, &err), &err);
  CHECK(rec.type == PT_LOG_DELETE && starts[3] + rec.length == l.len);
  CHECK_EQ_INT(pt_collection_num_entities(pt_collection_find(b, "p", 1), NULL, 0), 99);
  pt_store_close(b);
  pt_store_close(a);
  free(copy);
  free(l.p);
}

/* A HEADER or END record moves no clock, applied alone (pt_log_apply) or met by
 * pt_log_apply_next: the core writes them with timestamp 0, and one forged with a later time
 * leaves the store as it was either way (pt_log_apply moved last_ts to it, pt_log_apply_next
 * did not, so the same log replayed two ways gave two stores: found by fuzz_wal). */
TEST(markers_move_no_clock) {
  for (int end = 0; end <= 1; end++) {
    uint8_t m[PT_LOG_MARKER_BYTES];
    pt_log_marker(end, 7, m);
    uint64_t later = (uint64_t)1 << 62;
    for (int i = 0; i < 8; i++) m[8 + i] = (uint8_t)(later >> (8 * i));
    pt_wal_reseal(m, sizeof m);
    pt_log_record rec;
    pt_error err;
    CHECK_OK(pt_log_next(m, sizeof m, 0, &rec, &err), &err);
    CHECK(rec.ts == later);
    pt_store *a = recording_store(), *b = recording_store();
    uint64_t ta = a->last_ts, tb = b->last_ts;
    CHECK_OK(pt_log_apply(a, m, sizeof m, &err), &err);
    int applied = 1;
    CHECK_OK(pt_log_apply_next(b, m, sizeof m, 0, &rec, &applied, &err), &err);
    CHECK_EQ_INT(applied, 0);
    CHECK(a->last_ts == ta);
    CHECK(b->last_ts == tb);
    pt_store_close(a);
    pt_store_close(b);
  }
}

/* Every collection of `a` and `b` holds the same rows (clocks and snapshot bytes aside). */
static void same_collections(pt_store *a, pt_store *b) {
  CHECK_EQ_INT(pt_store_num_collections(a), pt_store_num_collections(b));
  for (size_t i = 0; i < pt_store_num_collections(a); i++) {
    size_t n;
    const char *name = pt_store_collection_name(a, i, &n);
    pt_collection *cb = pt_collection_find(b, name, n);
    CHECK(cb != NULL);
    if (!cb) continue;
    char *da = test_snapshot(pt_collection_find(a, name, n)), *db = test_snapshot(cb);
    CHECK_STR(db, da);
    free(da);
    free(db);
  }
}

/* Logs and checkpoints written before 2026-12-07 (records of format 0: CRC-32 footers, snapshots
 * of version 3) are still read, and a log begun in format 0 is continued in format 1. */
TEST(format0_logs_and_checkpoints_still_open) {
  logbuf l = {NULL, 0, 0};
  pt_store *a = recording_store();
  mutate(a, &l); /* the same mutations as the fixture's, recorded now */
  uint8_t *old = malloc(sizeof format0_log), *cp = malloc(sizeof format0_checkpoint);
  memcpy(old, format0_log, sizeof format0_log); /* 8-byte aligned, as a host reads a log */
  memcpy(cp, format0_checkpoint, sizeof format0_checkpoint);
  CHECK_EQ_INT(pt_wal_get32(old + 4) >> PT_WAL_FORMAT_SHIFT, 0);
  pt_store *b = later_store();
  replay(b, old, sizeof format0_log);
  same_collections(a, b);
  pt_store *c = later_store();
  size_t at = 0;
  pt_log_record rec;
  pt_error err;
  int applied;
  while (pt_log_apply_next(c, cp, sizeof format0_checkpoint, at, &rec, &applied, &err) == PT_OK) at += rec.length;
  CHECK_EQ_INT(at, sizeof format0_checkpoint);
  same_collections(a, c);
  /* the old log, then records of format 1 made by a store that replayed it */
  pt_store_log(b, 1);
  logbuf more = {NULL, 0, 0};
  jw(b, &more, "w", NULL, PT_OP_UPSERT, "[{'id':2,'t':'after'}]", PT_WRITE_MERGE, NULL, 0);
  jw(a, &l, "w", NULL, PT_OP_UPSERT, "[{'id':2,'t':'after'}]", PT_WRITE_MERGE, NULL, 0);
  CHECK(more.len > 0 && pt_wal_get32(more.p + 4) >> PT_WAL_FORMAT_SHIFT == PT_WAL_FORMAT);
  uint8_t *mixed = malloc(sizeof format0_log + more.len);
  memcpy(mixed, format0_log, sizeof format0_log);
  memcpy(mixed + sizeof format0_log, more.p, more.len);
  pt_store *d = later_store();
  replay(d, mixed, sizeof format0_log + more.len);
  same_collections(a, d);
  /* a flipped bit in a format-0 record is still caught by its CRC-32 */
  mixed[40] ^= 0x04;
  CHECK_EQ_INT(pt_log_next(mixed, sizeof format0_log + more.len, 0, &rec, &err), PT_CORRUPT);
  free(mixed);
  free(more.p);
  free(old);
  free(cp);
  free(l.p);
  pt_store_close(a);
  pt_store_close(b);
  pt_store_close(c);
  pt_store_close(d);
}

#define SCHEMA_WIDE                                                                                        \
  "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'n','dtype':5,'nullable':true},"         \
  "{'name':'t','dtype':21,'max_length':16},{'name':'v','dtype':101,'dim':8192}]}"

/* Writes rows [from, from + n) into the WIDE collection `c` (typed columns). */
static void wide_rows(pt_collection *c, pt_op op, int64_t from, size_t n) {
  enum { DIM = 8192 };
  int64_t *ids = malloc(n * 8), *nums = malloc(n * 8);
  uint8_t *cells = malloc(n);
  char *text = malloc(n * 8 + 1);
  uint32_t *offs = malloc((n + 1) * 4);
  float *vec = malloc(n * DIM * sizeof *vec);
  offs[0] = 0;
  for (size_t i = 0; i < n; i++) {
    ids[i] = from + (int64_t)i;
    nums[i] = (int64_t)i * 3;
    cells[i] = i % 5 ? PT_CELL_VALUE : PT_CELL_NULL;
    offs[i + 1] = offs[i] + (uint32_t)snprintf(text + offs[i], 9, "r%07lld", (long long)(from + (int64_t)i));
    for (size_t d = 0; d < DIM; d++) vec[i * DIM + d] = (float)((from + (int64_t)i) * 7 + (int64_t)d % 13);
  }
  pt_column_in cols[4];
  memset(cols, 0, sizeof cols);
  cols[0] = (pt_column_in){0, PT_IN_INT64, NULL, 0, n, 1, ids, NULL, NULL, NULL, 0, 0};
  cols[1] = (pt_column_in){1, PT_IN_INT64, NULL, 0, n, 1, nums, NULL, cells, NULL, 0, 0};
  cols[2] = (pt_column_in){2, PT_IN_TEXT, NULL, 0, n, 1, text, offs, NULL, NULL, 0, 0};
  cols[3] = (pt_column_in){3, PT_IN_FLOAT32, NULL, 0, n, DIM, vec, NULL, NULL, NULL, 0, 0};
  pt_batch_in b = {PT_FORM_ROWS, n, 4, cols, 0, NULL};
  pt_mutation_result res;
  pt_error err;
  CHECK_OK(pt_collection_write(c, NULL, 0, op, &b, 0, &res, &err), &err);
  pt_mutation_result_clear(&res);
  free(ids);
  free(nums);
  free(cells);
  free(text);
  free(offs);
  free(vec);
}

/* A checkpoint replayed from a block (pt_store_log_source) keeps its full segments' fixed-width
 * columns in the block: the rows are the same, writes into those segments (in place) and after
 * them work, and the block is freed with the last segment that holds it (compaction, drop),
 * with every byte accounted for. An allocation failure at any point of such a replay leaves
 * nothing behind. */
TEST(checkpoint_columns_adopted_in_place) {
  test_alloc_install(); /* the first test: nothing is allocated yet */
  logbuf junk = {NULL, 0, 0};
  pt_store *a = test_store();
  pt_error err;
  pt_collection *c = test_collection(a, "wide", J(SCHEMA_WIDE));
  CHECK_EQ_INT(c->layout.seg_mask + 1, 64);
  wide_rows(c, PT_OP_INSERT, 0, 150); /* two full segments and 22 rows */
  uint8_t *cp;
  size_t len;
  CHECK_OK(pt_store_checkpoint(a, 1, NULL, 0, &cp, &len, &err), &err);
  char *want = test_snapshot(c);
  size_t base = pt_memory_used();

  pt_store *b = test_store();
  uint8_t *block = pt_block_new(len);
  memcpy(block, cp, len);
  size_t with_block = pt_memory_used();
  pt_store_log_source(b, block, len);
  size_t at = 0;
  pt_log_record rec;
  int applied;
  while (pt_log_apply_next(b, block, len, at, &rec, &applied, &err) == PT_OK) at += rec.length;
  CHECK_EQ_INT(at, len);
  pt_store_log_source(b, NULL, 0);
  pt_block_release(block); /* the host's reference: the segments keep theirs */
  pt_collection *d = pt_collection_find(b, "wide", 4);
  CHECK(d != NULL);
  if (!d) return;
  pt_partition *p = d->parts[0];
  CHECK_EQ_INT(p->n_segs, 3);
  CHECK(p->segs[0]->cols[0].block == block && p->segs[1]->cols[3].block == block);
  CHECK(p->segs[0]->cols[2].block == NULL && p->segs[2]->cols[3].block == NULL); /* VARCHAR; the partial segment */
  CHECK(p->segs[0]->cols[3].data >= block && p->segs[0]->cols[3].data < block + len);
  /* the block's bytes are what the segments' copies took before: less than it, not more */
  CHECK(pt_memory_used() - base < with_block - base + len);
  char *got = test_snapshot(d);
  CHECK_STR(got, want);
  free(got);
  /* writes: an upsert of a row in an adopted segment, inserts after, deletes */
  del(b, &junk, "wide", NULL, "id in [1, 70, 149]", NULL);
  wide_rows(d, PT_OP_UPSERT, 5, 10); /* rows of the first (adopted) segment */
  wide_rows(c, PT_OP_UPSERT, 5, 10);
  wide_rows(d, PT_OP_INSERT, 1000, 50);
  wide_rows(c, PT_OP_INSERT, 1000, 50);
  del(a, &junk, "wide", NULL, "id in [1, 70, 149]", NULL);
  want = (free(want), test_snapshot(c));
  got = test_snapshot(d);
  CHECK_STR(got, want);
  free(got);
  /* compaction rewrites the partition into segments of its own: the block goes */
  size_t before = pt_memory_used();
  CHECK_OK(pt_partition_compact(p, &d->layout, NULL) == PT_OK ? PT_OK : PT_NOMEM, (pt_error *)NULL);
  CHECK(p->segs[0]->cols[3].block == NULL);
  CHECK(pt_memory_used() < before);
  got = test_snapshot(d);
  CHECK_STR(got, want);
  free(got);
  pt_store_close(b);

  /* allocation failures at every step of a replay from a block: refused whole, nothing kept */
  for (long n = 1;; n++) {
    size_t mem0 = pt_memory_used();
    pt_store *e = test_store();
    size_t mem = pt_memory_used();
    block = pt_block_new(len);
    memcpy(block, cp, len);
    pt_store_log_source(e, block, len);
    test_alloc_fail_at(n);
    pt_status rc = PT_OK;
    for (at = 0; (rc = pt_log_apply_next(e, block, len, at, &rec, &applied, &err)) == PT_OK;) at += rec.length;
    test_alloc_fail_at(0);
    pt_store_log_source(e, NULL, 0);
    pt_block_release(block);
    bool done = at == len;
    if (!done) {
      CHECK_EQ_INT(rc, PT_NOMEM);
      CHECK_EQ_INT(pt_store_num_collections(e), 0);
      CHECK_EQ_INT(pt_memory_used(), mem);
    }
    pt_store_close(e);
    CHECK_EQ_INT(pt_memory_used(), mem0);
    if (done || n > 5000) break;
    if (n > 60) n += 6;
  }
  free(junk.p);
  free(want);
  pt_free(cp);
  pt_store_close(a);
}

TEST_MAIN(T(checkpoint_columns_adopted_in_place), T(format0_logs_and_checkpoints_still_open), T(allocation_failure_while_recording), T(replay_gives_the_same_store), T(a_column_in_two_pieces_is_recorded_as_one), T(failures_and_no_ops_record_nothing),
          T(checkpoint_then_log), T(apply_next_replays_in_one_pass), T(torn_and_flipped_logs_read_a_prefix), T(forged_records_fail_cleanly),
          T(older_sparse_algo_names_replay), T(checkpoint_snapshots_under_the_record_checksum),
          T(runs_of_inserts_replay_in_one_call), T(a_run_enters_its_own_partitions), T(markers_move_no_clock),
          T(a_run_reads_only_the_header_of_the_record_after_it))
