/*
 * test_vindex.c — vector indexes wired into collections (src/vindex.c): create_index,
 * drop_index, describe, and the searches that walk them.
 *
 * Covers, on clustered data (a Gaussian mixture with a fixed seed):
 *   - create_index: the types built, the exact ones, the ones refused by name (DISKANN, BIN_*
 *     on float fields, HNSW on FLOAT16, scalar indexes), Milvus's messages for parameters out of
 *     range, of the wrong type, unknown keys, metrics; the same index twice is a no-op, another
 *     one on the field is refused; the index's metric is the search's default and another one
 *     is refused; ef / nprobe on a field without that index type are refused by name.
 *   - search through each built type and metric: recall@10 against a twin collection without
 *     an index (exact search) above a floor, and results equal to the exact search (keys and
 *     distances) when ef / nprobe cover everything.
 *   - change: 1,000 mixed upserts (merge-mode among them) and deletes after the build: with ef
 *     covering everything results equal the twin's exact ones (no deleted or replaced row,
 *     new rows found), recall holds at the default; then compaction: the same again.
 *   - filtered search at 50 %, 10 % and 1 % pass: recall against the exact filtered search.
 *   - describe (indexed / total / pending rows), drop, memory: an index's bytes are counted in
 *     pt_memory_used and given back on drop.
 *   - allocation failure, swept: create_index fails cleanly (no index, memory as it was) for
 *     each allocation in turn, and succeeds once none fails.
 */
#include "harness.h"

#include <math.h>
#include <stdlib.h>

#include "cJSON.h"
#include "store.h"  /* pt_snapshot_reseal */
#include "vindex.h" /* the walk's choice */

#define DIM 16
#define CENTRES 40

static uint64_t rng = 0x1234567887654321ull;
static double unif(void) {
  rng = rng * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(rng >> 11) / 9007199254740992.0;
}
static double gauss(void) {
  double u = unif() + 1e-12, v = unif();
  return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

static float centres[CENTRES][DIM];
static void make_centres(void) {
  rng = 0x1234567887654321ull;
  for (int c = 0; c < CENTRES; c++)
    for (int j = 0; j < DIM; j++) centres[c][j] = (float)(gauss() * 4);
}
/* a point near centre `c` */
static void point(float *v, int c) {
  for (int j = 0; j < DIM; j++) v[j] = centres[c % CENTRES][j] + (float)gauss();
}

#define SCHEMA "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'tag','dtype':5},{'name':'v','dtype':101,'dim':16}]}"

/* BIN_IVF_FLAT's tests run the same helpers with `binary` set: 'v' is then a BINARY_VECTOR field
 * of BDIM bits, a row's bits the signs of BDIM / DIM points near centres its own centre picks
 * (so they are clustered as the float rows are). */
#define BDIM 128
#define BSCHEMA "{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'tag','dtype':5},{'name':'v','dtype':100,'dim':128}]}"
static bool binary;
/* HNSW on half fields: with `half` 102 (FLOAT16_VECTOR) or 103 (BFLOAT16_VECTOR), 'v' is of that
 * type (rows written and queries given as float32, rounded to it by the core) */
static int half;
static const char *schema(void) {
  if (half)
    return test_jf("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'tag','dtype':5},{'name':'v','dtype':%d,'dim':16}]}",
                   half);
  return J(binary ? BSCHEMA : SCHEMA);
}
static void bits_of(uint8_t *out, int c) {
  float t[DIM];
  memset(out, 0, BDIM / 8);
  for (int k = 0; k < BDIM / DIM; k++) {
    point(t, c * 5 + k * 11);
    for (int j = 0; j < DIM; j++)
      if (t[j] > 0) out[(k * DIM + j) >> 3] |= (uint8_t)(1u << ((k * DIM + j) & 7));
  }
}

/* Writes rows with keys [from, from + n): tag = key % 100, vectors near centre (key * 7 + ver). */
static void write_rows(pt_collection *a, pt_collection *b, pt_op op, int from, int n, int ver) {
  int64_t *ids = malloc((size_t)n * sizeof *ids), *tags = malloc((size_t)n * sizeof *tags);
  float *v = malloc((size_t)n * DIM * sizeof *v);
  uint8_t *bv = malloc((size_t)n * BDIM / 8);
  for (int i = 0; i < n; i++) {
    ids[i] = from + i;
    tags[i] = (from + i) % 100;
    point(v + (size_t)i * DIM, (from + i) * 7 + ver);
    bits_of(bv + (size_t)i * BDIM / 8, (from + i) * 7 + ver);
  }
  pt_column_in cols[3] = {{.field = PT_FIELD_BY_POSITION, .kind = PT_IN_INT64, .n_rows = (size_t)n, .width = 1, .values = ids},
                          {.field = PT_FIELD_BY_POSITION, .kind = PT_IN_INT64, .n_rows = (size_t)n, .width = 1, .values = tags},
                          binary ? (pt_column_in){.field = PT_FIELD_BY_POSITION, .kind = PT_IN_BYTES, .n_rows = (size_t)n,
                                                  .width = BDIM / 8, .values = bv}
                                 : (pt_column_in){.field = PT_FIELD_BY_POSITION, .kind = PT_IN_FLOAT32, .n_rows = (size_t)n,
                                                  .width = DIM, .values = v}};
  pt_batch_in batch = {PT_FORM_COLUMNS, (size_t)n, 3, cols};
  pt_collection *cs[2] = {a, b};
  for (int k = 0; k < 2; k++) {
    if (!cs[k]) continue;
    pt_mutation_result r;
    pt_error e;
    CHECK_OK(pt_collection_write(cs[k], NULL, 0, op, &batch, 0, &r, &e), &e);
    pt_mutation_result_clear(&r);
  }
  free(ids);
  free(tags);
  free(v);
  free(bv);
}

static void del(pt_collection *a, pt_collection *b, const char *expr) {
  pt_collection *cs[2] = {a, b};
  for (int k = 0; k < 2; k++) {
    pt_mutation_result r;
    pt_error e;
    CHECK_OK(pt_collection_delete(cs[k], NULL, 0, expr, strlen(expr), &r, &e), &e);
    pt_mutation_result_clear(&r);
  }
}

static pt_status create(pt_collection *c, const char *req, pt_error *e) {
  const char *r = J(req);
  return pt_collection_create_index(c, r, strlen(r), e);
}

#define NQ 20
static float queries[NQ * DIM];
static uint8_t bqueries[NQ * BDIM / 8];
static void make_queries(void) {
  for (int i = 0; i < NQ; i++) point(queries + i * DIM, i * 3 + 1);
  for (int i = 0; i < NQ; i++) bits_of(bqueries + i * BDIM / 8, i * 3 + 1);
}

/* Searches NQ queries: keys and distances of the hits (k per query, fewer padded with -1). */
static void search(pt_collection *c, const char *metric, const char *params, const char *expr, int k, int64_t *keys,
                   float *dist) {
  char req[512];
  snprintf(req, sizeof req, "{\"anns_field\":\"v\",\"metric_type\":\"%s\",\"limit\":%d,\"nq\":%d,\"params\":%s,\"expr\":\"%s\"%s}",
           metric, k, NQ, params, expr, binary ? ",\"vector_kind\":\"bytes\"" : "");
  pt_search_result *res = NULL;
  pt_error e;
  for (int i = 0; i < NQ * k; i++) keys[i] = -1, dist[i] = 0;
  CHECK_OK(binary ? pt_collection_search(c, req, strlen(req), bqueries, sizeof bqueries, &res, &e)
                  : pt_collection_search(c, req, strlen(req), queries, sizeof queries, &res, &e), &e);
  if (!res) return;
  const uint32_t *counts = pt_search_counts(res);
  const float *d = pt_search_distances(res);
  const pt_rows *rows = pt_search_rows(res);
  size_t at = 0;
  for (int q = 0; q < NQ; q++)
    for (uint32_t j = 0; j < counts[q]; j++, at++) {
      keys[q * k + j] = test_i64(rows, 0, at);
      dist[q * k + j] = d[at];
    }
  pt_search_free(res);
}

/* recall of `got` against `want` (NQ * k keys) */
static double recall(const int64_t *got, const int64_t *want, int k) {
  int hit = 0, all = 0;
  for (int q = 0; q < NQ; q++)
    for (int i = 0; i < k; i++) {
      if (want[q * k + i] < 0) continue;
      all++;
      for (int j = 0; j < k; j++)
        if (got[q * k + j] == want[q * k + i]) {
          hit++;
          break;
        }
    }
  return all ? (double)hit / all : 1;
}

#define K 10

/* Whether `key` is among kb[from, to). */
static bool among(int64_t key, const int64_t *kb, int from, int to) {
  for (int j = from; j < to; j++)
    if (kb[j] == key) return true;
  return false;
}

/* Two searches' hits (queries of K each) agree: the same distances in the same places, and the
 * same keys. Binary distances tie often: the hits of one distance come in their rows' order,
 * which upserts make differ between the twins (the indexed one deletes and appends, the other
 * overwrites in place), and the last distance of a query is cut where the two may keep
 * different rows: there, with `binary`, the keys are compared as sets, and not at the cut. */
static bool same(const int64_t *ka, const float *da, const int64_t *kb, const float *db, int n) {
  for (int i = 0; i < n; i++) {
    int run = i, end = i; /* [run, end): the hits of this query at this distance */
    while (binary && run % K && da[run - 1] == da[i]) run--;
    while (binary && end < (i / K + 1) * K && da[end] == da[i]) end++;
    bool at_cut = end == (i / K + 1) * K;
    bool ok = da[i] == db[i] && (binary ? at_cut || among(ka[i], kb, run, end) : ka[i] == kb[i]);
    if (!ok) {
      fprintf(stderr, "  differs at %d: key %lld vs %lld, distance %.9g vs %.9g\n", i, (long long)ka[i],
              (long long)kb[i], (double)da[i], (double)db[i]);
      return false;
    }
  }
  return true;
}

#define N_ROWS 3000

typedef struct kind {
  const char *create, *metric, *full, *dflt;
  double floor;
} kind;

static const kind KINDS[] = {
    {"{'field_name':'v','index_type':'HNSW','metric_type':'L2','params':{'M':16,'efConstruction':100}}", "L2", "{\"ef\":3000}", "{\"ef\":64}", 0.95},
    {"{'field_name':'v','index_type':'HNSW','metric_type':'IP','params':{'M':16,'efConstruction':100}}", "IP", "{\"ef\":3000}", "{\"ef\":64}", 0.9},
    {"{'field_name':'v','index_type':'AUTOINDEX','metric_type':'COSINE'}", "COSINE", "{\"ef\":3000}", "{\"ef\":64}", 0.95},
    {"{'field_name':'v','index_type':'HNSW_SQ','metric_type':'L2','params':{'M':16,'efConstruction':100,'refine':true}}", "L2", "{\"ef\":3000,\"refine_k\":3}", "{\"ef\":64,\"refine_k\":2}", 0.9},
    {"{'field_name':'v','index_type':'IVF_FLAT','metric_type':'L2','params':{'nlist':32}}", "L2", "{\"nprobe\":32}", "{\"nprobe\":8}", 0.9},
    {"{'field_name':'v','index_type':'IVF_SQ8','metric_type':'COSINE','params':{'nlist':32}}", "COSINE", "{\"nprobe\":32}", "{\"nprobe\":8}", 0.85},
    /* refine without a type: the float32 rows (knowhere's FLAT refine), exact when it covers every row */
    {"{'field_name':'v','index_type':'IVF_RABITQ','metric_type':'L2','params':{'nlist':32,'refine':true}}", "L2", "{\"nprobe\":32,\"refine_k\":1000}", "{\"nprobe\":8,\"refine_k\":3}", 0.9},
    {"{'field_name':'v','index_type':'IVF_RABITQ','metric_type':'IP','params':{'nlist':32,'refine':'true','refine_type':'sq8'}}", "IP", "{\"nprobe\":32,\"refine_k\":3,\"rbq_bits_query\":6}", "{\"nprobe\":8,\"refine_k\":3,\"rbq_query_bits\":8}", 0.85},
};

static void twins(pt_store *st, pt_collection **a, pt_collection **b) {
  *a = test_collection(st, "indexed", schema());
  *b = test_collection(st, "exact", schema());
}

/* A new store with the twins holding the same N_ROWS rows, `a` indexed by `create_json`. */
static pt_store *indexed_twins(pt_collection **a, pt_collection **b, const char *create_json) {
  pt_store *st = test_store();
  twins(st, a, b);
  write_rows(*a, *b, PT_OP_INSERT, 0, N_ROWS, 0);
  pt_error e;
  CHECK_OK(create(*a, create_json, &e), &e);
  return st;
}

TEST(create_index_messages) {
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "c", J("{'fields':[{'name':'id','dtype':5,'is_primary':true},{'name':'tag','dtype':5},"
                                                "{'name':'v','dtype':101,'dim':16},{'name':'h','dtype':102,'dim':16},"
                                                "{'name':'b','dtype':100,'dim':16}]}"));
  pt_error e;
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'DISKANN'}", &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "index type DISKANN is not built by partita");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'NOPE'}", &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "invalid index type: NOPE");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'BIN_FLAT'}", &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "data type FloatVector can't build with this index BIN_FLAT");
  EXPECT_ERR(create(c, "{'field_name':'b','index_type':'HNSW'}", &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "data type BinaryVector can't build with this index HNSW");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'BIN_IVF_FLAT'}", &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "data type FloatVector can't build with this index BIN_IVF_FLAT");
  EXPECT_ERR(create(c, "{'field_name':'h','index_type':'IVF_FLAT'}", &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "partita builds IVF_FLAT on FloatVector fields only (HNSW also on Float16Vector and BFloat16Vector); "
             "field h is a Float16Vector");
  EXPECT_ERR(create(c, "{'field_name':'h','index_type':'HNSW_SQ'}", &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "partita builds HNSW_SQ on FloatVector fields only");
  EXPECT_ERR(create(c, "{'field_name':'tag','index_type':'INVERTED'}", &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "partita builds no scalar index (INVERTED on field tag)");
  EXPECT_ERR(create(c, "{'field_name':'nope'}", &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "cannot create index on non-exist field: nope");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'HNSW','params':{'M':3000}}", &e), &e, PT_RANGE, 1100,
             PT_EXC_MILVUS, "Out of range in json: param 'M' (3000) should be in range [2, 2048]");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'HNSW','params':{'efConstruction':0}}", &e), &e, PT_RANGE, 1100,
             PT_EXC_MILVUS, "param 'efConstruction' (0) should be in range [1, 2147483647]");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'IVF_FLAT','params':{'nlist':70000}}", &e), &e, PT_RANGE, 1100,
             PT_EXC_MILVUS, "param 'nlist' (70000) should be in range [1, 65536]");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'HNSW','params':{'M':'abc'}}", &e), &e, PT_MISUSE, 1100,
             PT_EXC_MILVUS, "Type conflict in json: param 'M' (\"abc\") should be integer");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'HNSW','params':{'nlist':4}}", &e), &e, PT_MISUSE, 1100,
             PT_EXC_MILVUS, "param 'nlist' is not a build parameter of HNSW");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'HNSW','metric_type':'HAMMING'}", &e), &e, PT_MISUSE, 1100,
             PT_EXC_MILVUS, "metric type HAMMING not found or not supported, supported: [L2 IP COSINE]");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'HNSW_SQ','params':{'sq_type':'SQ4U'}}", &e), &e, PT_MISUSE, 1100,
             PT_EXC_MILVUS, "sq_type SQ4U is not built by partita");
  /* IVF_RABITQ: knowhere's names and messages, what partita does not build refused by name */
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'IVF_RABITQ','params':{'refine':true,'refine_type':'SQ4'}}", &e),
             &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "invalid refine type : SQ4, optional types are [sq6, sq8, fp16, bf16, fp32, flat]: invalid parameter");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'IVF_RABITQ','params':{'refine':true,'refine_type':'SQ6'}}", &e),
             &e, PT_MISUSE, 1100, PT_EXC_MILVUS, "refine_type SQ6 is not built by partita");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'IVF_RABITQ','params':{'refine_type':'SQ8'}}", &e), &e, PT_MISUSE,
             1100, PT_EXC_MILVUS, "refine_type needs refine to be true");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'IVF_RABITQ','params':{'refine':1}}", &e), &e, PT_MISUSE, 1100,
             PT_EXC_MILVUS, "Type conflict in json: param 'refine' should be a boolean");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'IVF_RABITQ','params':{'rbq_bits':4}}", &e), &e, PT_MISUSE, 1100,
             PT_EXC_MILVUS, "rbq_bits 4 is not built by partita");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'IVF_RABITQ','params':{'rbq_bits':10}}", &e), &e, PT_RANGE, 1100,
             PT_EXC_MILVUS, "Out of range in json: param 'rbq_bits' (10) should be in range [1, 9]");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'IVF_RABITQ','params':{'nlist':0}}", &e), &e, PT_RANGE, 1100,
             PT_EXC_MILVUS, "Out of range in json: param 'nlist' (0) should be in range [1, 65536]");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'IVF_RABITQ','params':{'M':8}}", &e), &e, PT_MISUSE, 1100,
             PT_EXC_MILVUS, "param 'M' is not a build parameter of IVF_RABITQ");
  EXPECT_ERR(create(c, "{'field_name':'h','index_type':'IVF_RABITQ'}", &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "partita builds IVF_RABITQ on FloatVector fields only");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'IVF_RABITQ_FASTSCAN'}", &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "index type IVF_RABITQ_FASTSCAN is not built by partita");
  CHECK_EQ_INT(pt_memory_used() > 0, 1);
  /* accepted: string numbers as knowhere reads them; the same again is a no-op */
  CHECK_OK(create(c, "{'field_name':'v','index_type':'HNSW','metric_type':'l2','params':{'M':'8','efConstruction':32}}", &e), &e);
  CHECK_OK(create(c, "{'field_name':'v','index_type':'HNSW','metric_type':'l2','params':{'M':'8','efConstruction':32}}", &e), &e);
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'IVF_FLAT','metric_type':'L2'}", &e), &e, PT_MISUSE, 65535,
             PT_EXC_MILVUS, "at most one distinct index is allowed per field");
  CHECK_OK(create(c, "{'field_name':'b','index_type':'BIN_FLAT','metric_type':'JACCARD'}", &e), &e);
  CHECK_OK(create(c, "{'field_name':'h','index_name':'hi'}", &e), &e); /* AUTOINDEX on FLOAT16: exact */
  /* describe */
  char *out = NULL;
  size_t len = 0;
  const char *r = J("{'field_name':'v'}");
  CHECK_OK(pt_collection_describe_index(c, r, strlen(r), &out, &len, &e), &e);
  CHECK_STR(out, "[{\"index_name\":\"v\",\"field_name\":\"v\",\"index_type\":\"HNSW\",\"metric_type\":\"L2\",\"params\":"
                 "{\"M\":\"8\",\"efConstruction\":32},\"indexed_rows\":0,\"total_rows\":0,\"pending_index_rows\":0,"
                 "\"state\":\"Finished\",\"index_state_fail_reason\":\"\"}]");
  pt_free(out);
  r = J("{}");
  CHECK_OK(pt_collection_describe_index(c, r, strlen(r), &out, &len, &e), &e);
  CHECK(strstr(out, "\"index_name\":\"hi\",\"field_name\":\"h\",\"index_type\":\"AUTOINDEX\",\"metric_type\":\"COSINE\"") != NULL);
  pt_free(out);
  r = J("{'index_name':'zz'}");
  EXPECT_ERR(pt_collection_describe_index(c, r, strlen(r), &out, &len, &e), &e, PT_NOT_FOUND, 700, PT_EXC_MILVUS,
             "index not found[collection=c]");
  EXPECT_ERR(pt_collection_drop_index(c, r, strlen(r), &e), &e, PT_NOT_FOUND, 700, PT_EXC_MILVUS, "index not found");
  r = J("{}");
  EXPECT_ERR(pt_collection_drop_index(c, r, strlen(r), &e), &e, PT_MISUSE, 65535, PT_EXC_MILVUS,
             "there are multiple indexes, please specify the index_name");
  /* search: the index's metric by default, another refused; ef / nprobe where they belong */
  float q[16] = {1};
  pt_search_result *res = NULL;
  r = J("{'anns_field':'v','limit':3,'nq':1,'metric_type':'IP'}");
  EXPECT_ERR(pt_collection_search(c, r, strlen(r), q, sizeof q, &res, &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "metric type not match: invalid parameter[expected=L2][actual=IP]");
  r = J("{'anns_field':'v','limit':3,'nq':1,'params':{'nprobe':8}}");
  EXPECT_ERR(pt_collection_search(c, r, strlen(r), q, sizeof q, &res, &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "search param 'nprobe' is for IVF indexes; field v has an index of type HNSW");
  r = J("{'anns_field':'v','limit':10,'nq':1,'params':{'ef':5}}");
  EXPECT_ERR(pt_collection_search(c, r, strlen(r), q, sizeof q, &res, &e), &e, PT_RANGE, 1100, PT_EXC_MILVUS,
             "ef(5) should be larger than k(10)");
  r = J("{'anns_field':'v','limit':10,'nq':1,'params':{'ef':'x'}}");
  EXPECT_ERR(pt_collection_search(c, r, strlen(r), q, sizeof q, &res, &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "Type conflict in json: param 'ef' (\"x\") should be integer");
  r = J("{'anns_field':'v','limit':10,'nq':1,'params':{'ef':20}}");
  CHECK_OK(pt_collection_search(c, r, strlen(r), q, sizeof q, &res, &e), &e);
  pt_search_free(res);
  r = J("{'anns_field':'v','limit':10,'nq':1,'params':{'rbq_bits_query':4}}");
  EXPECT_ERR(pt_collection_search(c, r, strlen(r), q, sizeof q, &res, &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "search param 'rbq_bits_query' is for IVF_RABITQ indexes; field v has an index of type HNSW");
  /* dropped: ef has nothing to act on */
  r = J("{'index_name':'v'}");
  CHECK_OK(pt_collection_drop_index(c, r, strlen(r), &e), &e);
  r = J("{'anns_field':'v','limit':10,'nq':1,'params':{'ef':20}}");
  EXPECT_ERR(pt_collection_search(c, r, strlen(r), q, sizeof q, &res, &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "search param 'ef' is for HNSW indexes; field v has no index");
  pt_store_close(st);
}

/* Each kind's index: recall against its twin without one, the exact answer when the search
 * covers everything, its bytes counted and given back on drop. */
static void recall_and_exact(const kind *kinds, size_t n_kinds) {
  make_centres();
  make_queries();
  int64_t ka[NQ * K], kb[NQ * K];
  float da[NQ * K], db[NQ * K];
  for (size_t t = 0; t < n_kinds; t++) {
    const kind *kd = &kinds[t];
    pt_store *st = test_store();
    pt_collection *a, *b;
    twins(st, &a, &b);
    write_rows(a, b, PT_OP_INSERT, 0, N_ROWS, 0);
    size_t before = pt_memory_used();
    pt_error e;
    CHECK_OK(create(a, kd->create, &e), &e);
    CHECK(pt_memory_used() > before + N_ROWS * 8); /* the index's bytes are counted */
    search(b, kd->metric, "{}", "", K, kb, db);
    search(a, kd->metric, kd->full, "", K, ka, da);
    /* SQ8 codes without refine give approximate distances, as Milvus's IVF_SQ8 does */
    if (!strstr(kd->create, "SQ8") && !strstr(kd->create, "sq8") && !same(ka, da, kb, db, NQ * K)) {
      fprintf(stderr, "  FAIL %s: covering search differs from the exact one\n", kd->create);
      pt_test_failures++;
    }
    search(a, kd->metric, kd->dflt, "", K, ka, da);
    double r = recall(ka, kb, K);
    if (r < kd->floor) {
      fprintf(stderr, "  FAIL %s: recall %.3f < %.2f\n", kd->create, r, kd->floor);
      pt_test_failures++;
    }
    /* the index is walked, not scanned: one list of 32 misses some of the exact top 10 */
    if (binary) {
      search(a, kd->metric, "{\"nprobe\":1}", "", K, ka, da);
      CHECK(recall(ka, kb, K) < 1.0);
    }
    /* dropping gives the bytes back */
    const char *req = J("{'field_name':'v'}");
    CHECK_OK(pt_collection_drop_index(a, req, strlen(req), &e), &e);
    pt_collection_forget_request(a); /* the last search request each collection keeps parsed (search.c) */
    pt_collection_forget_request(b);
    CHECK(pt_memory_used() <= before);
    pt_store_close(st);
  }
}

TEST(search_recall_and_exact_when_covering) { recall_and_exact(KINDS, sizeof KINDS / sizeof *KINDS); }

static const kind BKINDS[] = {
    {"{'field_name':'v','index_type':'BIN_IVF_FLAT','metric_type':'HAMMING','params':{'nlist':32}}", "HAMMING", "{\"nprobe\":32}", "{\"nprobe\":8}", 0.9},
    {"{'field_name':'v','index_type':'BIN_IVF_FLAT','metric_type':'JACCARD','params':{'nlist':32}}", "JACCARD", "{\"nprobe\":32}", "{\"nprobe\":8}", 0.9},
};

/* 1,000 mixed operations after the build, then compaction: results equal the exact ones with ef
 * covering everything; recall holds. */
static void follow_changes(const kind *kd) {
  make_centres();
  make_queries();
  int64_t ka[NQ * K], kb[NQ * K];
  float da[NQ * K], db[NQ * K];
  {
    pt_store_options o = {NULL, NULL, 0, -1}; /* compaction when asked */
    pt_store *st = NULL;
    CHECK_OK(pt_store_open(&o, &st), (pt_error *)NULL);
    pt_collection *a = test_collection(st, "indexed", schema()), *b = test_collection(st, "exact", schema());
    write_rows(a, b, PT_OP_INSERT, 0, N_ROWS, 0);
    pt_error e;
    CHECK_OK(create(a, kd->create, &e), &e);
    rng = 99;
    for (int op = 0; op < 1000; op++) {
      int key = (int)(unif() * (N_ROWS + 500)), what = op % 4;
      if (what == 0 || what == 1) {
        write_rows(a, b, PT_OP_UPSERT, key, 1, op + 1); /* a replaced (or new) row */
      } else if (what == 2) {
        char expr[64];
        snprintf(expr, sizeof expr, "id in [%d, %d]", key, key + 1);
        del(a, b, expr);
      } else { /* merge-mode upsert: the tag changes, the vector stays */
        char row[128];
        snprintf(row, sizeof row, "[{\"id\":%d,\"tag\":%d}]", key, 100 + op);
        pt_collection *cs[2] = {a, b};
        for (int k = 0; k < 2; k++) {
          pt_mutation_result r;
          if (pt_collection_write_json(cs[k], NULL, 0, PT_OP_UPSERT, row, strlen(row), PT_WRITE_MERGE, &r, &e) ==
              PT_OK)
            pt_mutation_result_clear(&r);
        }
      }
      if (op % 100 == 99) { /* searches in between: the index catches up */
        search(a, kd->metric, kd->full, "", K, ka, da);
        search(b, kd->metric, "{}", "", K, kb, db);
        if (!same(ka, da, kb, db, NQ * K)) {
          fprintf(stderr, "  FAIL %s after %d operations\n", kd->create, op + 1);
          pt_test_failures++;
        }
      }
    }
    for (int round = 0; round < 2; round++) {
      search(a, kd->metric, kd->full, "", K, ka, da);
      search(b, kd->metric, "{}", "", K, kb, db);
      if (!same(ka, da, kb, db, NQ * K)) {
        fprintf(stderr, "  FAIL %s (%s compaction)\n", kd->create, round ? "after" : "before");
        pt_test_failures++;
      }
      search(a, kd->metric, kd->dflt, "", K, ka, da);
      double r = recall(ka, kb, K);
      if (r < kd->floor - 0.05) {
        fprintf(stderr, "  FAIL %s: recall %.3f after changes\n", kd->create, r);
        pt_test_failures++;
      }
      uint64_t removed = 0;
      CHECK_OK(pt_collection_compact(a, NULL, 0, &removed, &e), &e);
      CHECK_OK(pt_collection_compact(b, NULL, 0, &removed, &e), &e);
      if (round == 0) CHECK(removed > 0);
    }
    /* the index followed the compaction rather than being dropped */
    char *out = NULL;
    size_t len;
    const char *req = J("{}");
    CHECK_OK(pt_collection_describe_index(a, req, strlen(req), &out, &len, &e), &e);
    CHECK(out && strstr(out, "\"pending_index_rows\":0") != NULL);
    pt_free(out);
    pt_store_close(st);
  }
}

TEST(index_follows_upserts_deletes_and_compaction) {
  follow_changes(&KINDS[0]);
  follow_changes(&KINDS[4]);
  follow_changes(&KINDS[6]); /* IVF_RABITQ, FP32 refine: exact when it covers every row */
}

TEST(filtered_search_recall) {
  make_centres();
  make_queries();
  int64_t ka[NQ * K], kb[NQ * K];
  float da[NQ * K], db[NQ * K];
  static const char *FILTERS[] = {"tag < 50", "tag < 10", "tag < 1"};
  for (int t = 0; t < 2; t++) {
    const kind *kd = &KINDS[t == 0 ? 0 : 4];
    pt_collection *a, *b;
    pt_store *st = indexed_twins(&a, &b, kd->create);
    for (int f = 0; f < 3; f++) {
      search(a, kd->metric, kd->dflt, FILTERS[f], K, ka, da);
      search(b, kd->metric, "{}", FILTERS[f], K, kb, db);
      for (int i = 0; i < NQ * K; i++) {
        if (ka[i] < 0) continue;
        int tag = (int)(ka[i] % 100);
        CHECK(f == 0 ? tag < 50 : f == 1 ? tag < 10 : tag < 1);
      }
      double r = recall(ka, kb, K);
      if (r < 0.9) {
        fprintf(stderr, "  FAIL %s with %s: recall %.3f\n", kd->create, FILTERS[f], r);
        pt_test_failures++;
      }
    }
    pt_store_close(st);
  }
}

/* Whether a filtered search walks the index or scans the rows the filter passes: the walk where
 * it is expected to score fewer rows (pt_index_walk_pays), never by a fixed share (with
 * Milvus's 7 %, a 10 % filter over 20,000 x 128 rows walked at 1.3-2x the scan's time); the scan
 * takes the rows the filter selected for that choice instead of running the filter again. */
TEST(filtered_walk_or_scan) {
  make_centres();
  pt_store *st = test_store();
  pt_collection *a = test_collection(st, "indexed", J(SCHEMA));
  write_rows(a, NULL, PT_OP_INSERT, 0, N_ROWS, 0);
  pt_error e;
  CHECK_OK(create(a, KINDS[0].create, &e), &e);
  pt_vindex_catch_up(a, 2);
  size_t which = 0;
  CHECK(pt_vindex_of_field(a, 2, &which) != NULL);
  static const struct {
    const char *expr, *params;
    bool walks;
  } cases[] = {{"tag < 50", "{}", true},              /* ef 10: 1,500 x 0.5 >= 20 x (1 + 32 / 16) x 10 */
               {"tag < 50", "{\"ef\":16}", false},  /* 750 < 60 x 16 */
               {"tag < 10", "{}", false},              /* 300 x 0.1 < 60 x 10 */
               {"tag < 1", "{}", false}};
  uint32_t *sel = malloc(((size_t)a->layout.seg_mask + 1) * sizeof *sel);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cJSON *params = cJSON_Parse(cases[i].params);
    pt_index_search_params sp;
    bool use = false;
    memset(&sp, 0, sizeof sp);
    CHECK_OK(pt_vindex_search_params(a, 2, params, K, &sp, &use, &e), &e);
    CHECK(use);
    pt_filter *f = NULL;
    CHECK_OK(pt_filter_compile(a, cases[i].expr, strlen(cases[i].expr), NULL, 0, "query", &f, &e), &e);
    pt_vindex_walk w;
    CHECK_OK(pt_vindex_walk_begin(a, which, 0, f, &sp, &w, &e), &e);
    if ((w.ix != NULL) != cases[i].walks) {
      fprintf(stderr, "  FAIL %s with %s: %s\n", cases[i].expr, cases[i].params, w.ix ? "walks" : "scans");
      pt_test_failures++;
    }
    /* the rows selected once, as pt_filter_select gives them, for every segment the index covers */
    for (size_t s = 0; s < a->parts[0]->n_segs; s++) {
      const uint32_t *got = NULL;
      size_t n = 0, want = 0;
      CHECK(pt_vindex_walk_selected(&w, s, &got, &n));
      CHECK_OK(pt_filter_select(f, a, 0, s, sel, &want, &e), &e);
      CHECK(n == want && (n == 0 || memcmp(got, sel, n * sizeof *sel) == 0));
    }
    pt_vindex_walk_end(&w);
    pt_filter_free(f);
    cJSON_Delete(params);
  }
  free(sel);
  pt_store_close(st);
}

/* A filtered search that scans holds what its filter kept, not a segment's worth of room for
 * every segment: 2,048 rows of 1,024-d in segments of 256 rows, a filter passing 21 of them. */
TEST(filtered_scan_holds_what_passes) {
  pt_store *st = test_store();
  pt_collection *a = test_collection(st, "wide", J(TEST_WIDE_SCHEMA));
  test_write_wide(a, NULL, PT_OP_INSERT, 0, 2048, 0);
  pt_error e;
  CHECK_OK(create(a, "{'field_name':'v','index_type':'IVF_FLAT','metric_type':'L2','params':{'nlist':4}}", &e), &e);
  pt_vindex_catch_up(a, 2);
  size_t which = 0, cap = (size_t)a->layout.seg_mask + 1, segs = a->parts[0]->n_segs;
  CHECK(pt_vindex_of_field(a, 2, &which) != NULL);
  CHECK(segs >= 4);
  pt_index_search_params sp;
  bool use = false;
  CHECK_OK(pt_vindex_search_params(a, 2, NULL, K, &sp, &use, &e), &e);
  pt_filter *f = NULL;
  CHECK_OK(pt_filter_compile(a, "tag < 1", 7, NULL, 0, "query", &f, &e), &e);
  size_t before = pt_memory_used();
  pt_vindex_walk w;
  CHECK_OK(pt_vindex_walk_begin(a, which, 0, f, &sp, &w, &e), &e);
  CHECK(w.ix == NULL); /* 21 rows: scanned */
  size_t held = pt_memory_used() - before;
  if (held > (cap + 2 * 21) * sizeof(uint32_t) + (segs + 1) * sizeof(size_t)) { /* room for the rows kept, twice */
    fprintf(stderr, "  FAIL the scan holds %zu bytes for 21 rows in %zu segments of %zu\n", held, segs, cap);
    pt_test_failures++;
  }
  size_t kept = 0;
  for (size_t s = 0; s < segs; s++) {
    const uint32_t *got = NULL;
    size_t n = 0;
    CHECK(pt_vindex_walk_selected(&w, s, &got, &n));
    for (size_t j = 0; j < n; j++) CHECK(((s * cap + got[j]) % 100) == 0);
    kept += n;
  }
  CHECK_EQ_INT(kept, 21);
  pt_vindex_walk_end(&w);
  pt_filter_free(f);
  pt_store_close(st);
}

/* One query's top-k keys and distances through pt_collection_search (1,024-d rows). */
static size_t search_wide(pt_collection *c, const float *q, const char *params, const char *expr, int64_t *keys, float *dist) {
  char req[1024];
  snprintf(req, sizeof req, "{\"anns_field\":\"v\",\"metric_type\":\"L2\",\"limit\":10,\"nq\":1,\"params\":%s,\"expr\":\"%s\"}", params, expr);
  pt_search_result *res = NULL;
  pt_error e;
  CHECK_OK(pt_collection_search(c, req, strlen(req), q, 1024 * sizeof *q, &res, &e), &e);
  if (!res) return 0;
  size_t n = pt_search_counts(res)[0];
  const float *d = pt_search_distances(res);
  for (size_t j = 0; j < n; j++) keys[j] = test_i64(pt_search_rows(res), 0, j), dist[j] = d[j];
  pt_search_free(res);
  return n;
}

/* With more segments than PT_VINDEX_SAMPLE_MIN, whether the walk pays is first estimated on a
 * sample of them: a scan chosen on it selects only the sampled segments in advance (the rest as
 * the scan reaches them, as without an index) and finds exactly what the search without an
 * index finds, also when the sample misses where the filter's rows are (the exact count would
 * have walked: a wrong estimate costs time, never results); a walk is taken on the exact count
 * only, every segment selected. */
TEST(filtered_decision_on_a_sample) {
  pt_store *st = test_store();
  const char *schema = J(TEST_WIDE_SCHEMA);
  pt_collection *a = test_collection(st, "sampled", schema), *b = test_collection(st, "plain", schema);
  enum { SEGS = 12 };
  size_t cap = (size_t)a->layout.seg_mask + 1, rows = SEGS * cap;
  float q[TEST_WIDE_DIM];
  for (int j = 0; j < TEST_WIDE_DIM; j++) q[j] = 7.5f + (float)(j % 5) / 5.0f;
  test_write_wide(a, b, PT_OP_INSERT, 0, rows, 0);
  pt_error e;
  CHECK_EQ_INT(a->parts[0]->n_segs, SEGS);
  CHECK_OK(create(a, "{'field_name':'v','index_type':'IVF_FLAT','metric_type':'L2','params':{'nlist':16}}", &e), &e);
  pt_vindex_catch_up(a, 2);
  size_t which = 0;
  CHECK(pt_vindex_of_field(a, 2, &which) != NULL);
  cJSON *params = cJSON_Parse("{\"nprobe\":1}");
  pt_index_search_params sp;
  bool use = false;
  memset(&sp, 0, sizeof sp);
  CHECK_OK(pt_vindex_search_params(a, 2, params, 10, &sp, &use, &e), &e);
  CHECK(use);
  /* the sampled segments: those a filter passing a few rows everywhere has selected */
  bool sampled[SEGS] = {false};
  size_t n_sampled = 0;
  char expr[256];
  for (int round = 0; round < 3; round++) {
    if (round == 0) snprintf(expr, sizeof expr, "tag < 1");
    if (round == 1) { /* three segments the sample missed: 3/12 of the rows pass, where the walk pays */
      size_t un[3], m = 0;
      for (size_t s = 0; s < SEGS && m < 3; s++)
        if (!sampled[s]) un[m++] = s;
      CHECK_EQ_INT(m, 3);
      snprintf(expr, sizeof expr, "(id >= %zu and id < %zu) or (id >= %zu and id < %zu) or (id >= %zu and id < %zu)", un[0] * cap,
               (un[0] + 1) * cap, un[1] * cap, (un[1] + 1) * cap, un[2] * cap, (un[2] + 1) * cap);
      CHECK(pt_index_walk_pays(&pt_vindex_of_field(a, 2, NULL)->p, &sp, 3 * cap, rows)); /* counted, it would walk */
    }
    if (round == 2) snprintf(expr, sizeof expr, "tag < 50");
    pt_filter *f = NULL;
    CHECK_OK(pt_filter_compile(a, expr, strlen(expr), NULL, 0, "query", &f, &e), &e);
    pt_vindex_walk w;
    CHECK_OK(pt_vindex_walk_begin(a, which, 0, f, &sp, &w, &e), &e);
    CHECK((w.ix != NULL) == (round == 2));
    size_t selected = 0;
    for (size_t s = 0; s < SEGS; s++) {
      const uint32_t *got = NULL;
      size_t n = 0;
      if (!pt_vindex_walk_selected(&w, s, &got, &n)) continue;
      selected++;
      if (round == 0) sampled[s] = true, n_sampled++;
      uint32_t *want = malloc(cap * sizeof *want);
      size_t nw = 0;
      CHECK_OK(pt_filter_select(f, a, 0, s, want, &nw, &e), &e);
      CHECK(n == nw && (n == 0 || memcmp(got, want, n * sizeof *want) == 0));
      free(want);
    }
    /* round 0 and 1: the sample only (PT_VINDEX_SAMPLE_MIN of 12); round 2: every segment */
    CHECK_EQ_INT(selected, (round == 2 ? SEGS : PT_VINDEX_SAMPLE_MIN));
    pt_vindex_walk_end(&w);
    pt_filter_free(f);
    if (round < 2) { /* scanned: exactly the search without an index */
      int64_t ka[10], kb[10];
      float da[10], db[10];
      size_t na = search_wide(a, q, "{\"nprobe\":1}", expr, ka, da), nb = search_wide(b, q, "{}", expr, kb, db);
      CHECK(na == 10 && na == nb && memcmp(ka, kb, sizeof ka) == 0 && memcmp(da, db, sizeof da) == 0);
    }
  }
  CHECK_EQ_INT(n_sampled, PT_VINDEX_SAMPLE_MIN);
  cJSON_Delete(params);
  pt_store_close(st);
}

/* save / load keep the index (no rebuild: its bytes are there right after the load), renumbered
 * as the saved rows are; a damaged index is refused with the snapshot. */
/* A collection saved with its index (rows deleted and written after the build) loads with it:
 * searched through it, not rebuilt; `described` is in its description. */
static void save_load_with(const kind *kd, const char *described) {
  make_centres();
  make_queries();
  int64_t ka[NQ * K], kb[NQ * K];
  float da[NQ * K], db[NQ * K];
  pt_collection *a, *b;
  pt_store *st = indexed_twins(&a, &b, kd->create);
  pt_error e;
  del(a, b, "id < 300");                           /* the saved index is renumbered */
  write_rows(a, b, PT_OP_UPSERT, 2900, 200, 9);    /* rows the index does not hold yet */
  uint8_t *ba = NULL, *bb = NULL;
  size_t la = 0, lb = 0;
  CHECK_OK(pt_collection_save(a, &ba, &la, &e), &e);
  CHECK_OK(pt_collection_save(b, &bb, &lb, &e), &e);
  size_t m0 = pt_memory_used();
  pt_collection *ra = NULL, *rb = NULL;
  CHECK_OK(pt_collection_load(st, ba, la, "ra", 2, &ra, &e), &e);
  size_t m1 = pt_memory_used();
  CHECK_OK(pt_collection_load(st, bb, lb, "rb", 2, &rb, &e), &e);
  size_t m2 = pt_memory_used();
  CHECK(m1 - m0 > (m2 - m1) + N_ROWS * 8); /* the index came with the rows */
  if (ra && rb) {
    search(ra, kd->metric, kd->full, "", K, ka, da);
    search(rb, kd->metric, "{}", "", K, kb, db);
    CHECK(same(ka, da, kb, db, NQ * K));
    search(ra, kd->metric, kd->dflt, "", K, ka, da);
    CHECK(recall(ka, kb, K) >= kd->floor);
    char *out = NULL;
    size_t len;
    const char *req = J("{}");
    CHECK_OK(pt_collection_describe_index(ra, req, strlen(req), &out, &len, &e), &e);
    CHECK(out && strstr(out, described) != NULL);
    CHECK(out && strstr(out, "\"pending_index_rows\":0") != NULL);
    pt_free(out);
  }
  /* a byte of the index flipped: its section's checksum refuses the snapshot (the index's own
   * CRC is not summed again inside a summed section; a forger who reseals meets the structural
   * checks, as in test_index's forged payloads) */
  ba[la - 40] ^= 0x01;
  pt_collection *bad = NULL;
  EXPECT_ERR(pt_collection_load(st, ba, la, "bad", 3, &bad, &e), &e, PT_CORRUPT, 1100, PT_EXC_MILVUS, "(indexes) is corrupted");
  CHECK(bad == NULL);
  pt_free(ba);
  pt_free(bb);
  pt_store_close(st);
}

TEST(save_and_load_keep_the_index) {
  save_load_with(&KINDS[0], "\"index_type\":\"HNSW\",\"metric_type\":\"L2\",\"params\":{\"M\":16,\"efConstruction\":100}");
  save_load_with(&KINDS[6], "\"index_type\":\"IVF_RABITQ\",\"metric_type\":\"L2\",\"params\":{\"nlist\":32,\"refine\":true}");
}

/* BIN_IVF_FLAT on a binary field: Milvus's messages, recall and the exact answer, changes after the
 * build and compaction, save and load, each metric */
TEST(bin_ivf_flat) {
  binary = true;
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "c", schema());
  pt_error e;
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'BIN_IVF_FLAT','metric_type':'L2'}", &e), &e, PT_MISUSE, 1100,
             PT_EXC_MILVUS, "metric type L2 not found or not supported, supported: [HAMMING JACCARD]");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'BIN_IVF_FLAT','params':{'nlist':0}}", &e), &e, PT_RANGE, 1100,
             PT_EXC_MILVUS, "Out of range in json: param 'nlist' (0) should be in range [1, 65536]");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'BIN_IVF_FLAT','params':{'M':8}}", &e), &e, PT_MISUSE, 1100,
             PT_EXC_MILVUS, "param 'M' is not a build parameter of BIN_IVF_FLAT");
  EXPECT_ERR(create(c, "{'field_name':'v','index_type':'IVF_FLAT'}", &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "data type BinaryVector can't build with this index IVF_FLAT");
  CHECK_OK(create(c, "{'field_name':'v','index_type':'bin_ivf_flat'}", &e), &e); /* HAMMING, nlist 128 */
  char *out = NULL;
  size_t len = 0;
  const char *r = J("{}");
  CHECK_OK(pt_collection_describe_index(c, r, strlen(r), &out, &len, &e), &e);
  CHECK(out && strstr(out, "\"index_type\":\"BIN_IVF_FLAT\",\"metric_type\":\"HAMMING\",\"params\":{}") != NULL);
  pt_free(out);
  make_queries();
  pt_search_result *res = NULL;
  r = J("{'anns_field':'v','limit':10,'nq':1,'vector_kind':'bytes','params':{'ef':20}}");
  EXPECT_ERR(pt_collection_search(c, r, strlen(r), bqueries, BDIM / 8, &res, &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "search param 'ef' is for HNSW indexes; field v has an index of type BIN_IVF_FLAT");
  r = J("{'anns_field':'v','limit':10,'nq':1,'vector_kind':'bytes','params':{'nprobe':0}}");
  EXPECT_ERR(pt_collection_search(c, r, strlen(r), bqueries, BDIM / 8, &res, &e), &e, PT_RANGE, 1100, PT_EXC_MILVUS,
             "Out of range in json: param 'nprobe' (0) should be in range [1, 65536]");
  r = J("{'anns_field':'v','limit':10,'nq':1,'vector_kind':'bytes','metric_type':'JACCARD'}");
  EXPECT_ERR(pt_collection_search(c, r, strlen(r), bqueries, BDIM / 8, &res, &e), &e, PT_MISUSE, 1100, PT_EXC_MILVUS,
             "metric type not match: invalid parameter[expected=HAMMING][actual=JACCARD]");
  pt_store_close(st);
  recall_and_exact(BKINDS, 2);
  follow_changes(&BKINDS[0]);
  follow_changes(&BKINDS[1]);
  save_load_with(&BKINDS[1], "\"index_type\":\"BIN_IVF_FLAT\",\"metric_type\":\"JACCARD\",\"params\":{\"nlist\":32}");
  binary = false;
}

static const kind HKINDS[] = {
    {"{'field_name':'v','index_type':'HNSW','metric_type':'L2','params':{'M':16,'efConstruction':100}}", "L2", "{\"ef\":3000}", "{\"ef\":64}", 0.95},
    {"{'field_name':'v','index_type':'HNSW','metric_type':'IP','params':{'M':16,'efConstruction':100}}", "IP", "{\"ef\":3000}", "{\"ef\":64}", 0.9},
    {"{'field_name':'v','index_type':'HNSW','metric_type':'COSINE','params':{'M':16,'efConstruction':100}}", "COSINE", "{\"ef\":3000}", "{\"ef\":64}", 0.95},
};

/* HNSW on FLOAT16_VECTOR and BFLOAT16_VECTOR fields: recall and the exact answer (bit for bit)
 * per metric, changes after the build and compaction, save and load */
TEST(hnsw_on_half_fields) {
  for (half = 102; half <= 103; half++) {
    recall_and_exact(HKINDS, 3);
    follow_changes(&HKINDS[2]);
    save_load_with(&HKINDS[0], "\"index_type\":\"HNSW\",\"metric_type\":\"L2\"");
    /* walked, not scanned: a graph too sparse to reach every neighbour misses some */
    int64_t ka[NQ * K], kb[NQ * K];
    float da[NQ * K], db[NQ * K];
    pt_collection *a, *b;
    pt_store *st = indexed_twins(&a, &b, "{'field_name':'v','index_type':'HNSW','metric_type':'L2','params':{'M':2,'efConstruction':4}}");
    search(a, "L2", "{\"ef\":10}", "", K, ka, da);
    search(b, "L2", "{}", "", K, kb, db);
    CHECK(recall(ka, kb, K) < 1.0);
    pt_store_close(st);
  }
  half = 0;
}

TEST(create_index_allocation_failures) {
  make_centres();
  test_alloc_install();
  pt_store *st = test_store();
  pt_collection *c = test_collection(st, "c", J(SCHEMA));
  write_rows(c, NULL, PT_OP_INSERT, 0, 300, 0);
  size_t mem = pt_memory_used();
  static const char *const CREATE[] = {"{'field_name':'v','index_type':'HNSW','params':{'M':8,'efConstruction':32}}",
                                       "{'field_name':'v','index_type':'IVF_RABITQ','params':{'nlist':16,'refine':true,"
                                       "'refine_type':'SQ8'}}"};
  for (int which = 0; which < 2; which++) {
  long n;
  if (which) { /* the first index dropped: the second built from nothing */
    const char *r = J("{}");
    pt_error e;
    CHECK_OK(pt_collection_drop_index(c, r, strlen(r), &e), &e);
    mem = pt_memory_used();
  }
  for (n = 1; n < 100000; n++) {
    pt_error e;
    test_alloc_fail_at(n);
    pt_status rc = create(c, CREATE[which], &e);
    long used = test_alloc_count();
    test_alloc_fail_at(0);
    if (rc == PT_OK) {
      if (used >= n) fprintf(stderr, "  create_index succeeded with allocation %ld of %ld failing\n", n, used);
      CHECK(used < n);
      break;
    }
    if (rc != PT_NOMEM || pt_memory_used() != mem) {
      fprintf(stderr, "  FAIL create_index, allocation %ld failing: %s, %s\n", n, pt_status_str(rc), e.message);
      pt_test_failures++;
      break;
    }
    const char *r = J("{}");
    char *out = NULL;
    size_t len;
    EXPECT_ERR(pt_collection_describe_index(c, r, strlen(r), &out, &len, &e), &e, PT_NOT_FOUND, 700, PT_EXC_MILVUS, "index not found");
  }
  CHECK(n > 5);
  }
  pt_store_close(st);
  CHECK_EQ_INT(test_alloc_live(), 0);
}

TEST_MAIN(T(filtered_walk_or_scan), T(filtered_scan_holds_what_passes), T(filtered_decision_on_a_sample), T(create_index_allocation_failures), T(create_index_messages), T(search_recall_and_exact_when_covering),
          T(index_follows_upserts_deletes_and_compaction), T(filtered_search_recall),
          T(save_and_load_keep_the_index), T(bin_ivf_flat), T(hnsw_on_half_fields))
