/*
 * fuzz_vectors.c — libFuzzer target: the query vectors of a search as JSON text (vectors.c,
 * what the REST server and the WASI command hand over). The first byte picks the field (FLOAT,
 * FLOAT16, BFLOAT16, BINARY, INT8 or SPARSE vectors), the rest is the text. A refused text
 * fills its error in; an accepted one must read back exactly: its vectors, as the core
 * converted them, written out again as JSON (numbers, and sparse pairs) and as typed values
 * (float32, doubles, raw bytes), are accepted and give the same vectors, bit for bit.
 */
#include "fuzz_common.h"
#include "vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
  int32_t dtype;
  int64_t dim;
} FIELDS[] = {{PT_FLOAT_VECTOR, 4}, {PT_FLOAT16_VECTOR, 4}, {PT_BFLOAT16_VECTOR, 2},
              {PT_BINARY_VECTOR, 16}, {PT_INT8_VECTOR, 4}, {PT_SPARSE_FLOAT_VECTOR, 0}};

static size_t width(const pt_field *f) { return f->dtype == PT_BINARY_VECTOR ? (size_t)f->dim / 8 : (size_t)f->dim; }

/* The converted vectors as JSON text: floats with 9 significant digits (a float32 reads back
 * as itself), bytes as integers, sparse vectors as {"index": value}. */
static void write_back(const pt_field *f, const pt_queries *q, test_buf *b) {
  size_t w = width(f);
  test_buf_printf(b, "[");
  for (size_t i = 0; i < q->nq; i++) {
    test_buf_printf(b, i ? ",%s" : "%s", q->sp ? "{" : "[");
    if (q->sp) {
      for (size_t k = 0; k < q->sp_n[i]; k++)
        test_buf_printf(b, "%s\"%u\":%.9g", k ? "," : "", (unsigned)q->sp[i][k].index, (double)q->sp[i][k].value);
    } else {
      for (size_t j = 0; j < w; j++) {
        const char *sep = j ? "," : "";
        if (q->f) test_buf_printf(b, "%s%.9g", sep, (double)q->f[i * w + j]);
        else if (q->i8) test_buf_printf(b, "%s%d", sep, q->i8[i * w + j]);
        else test_buf_printf(b, "%s%u", sep, q->bin[i * w + j]);
      }
    }
    test_buf_printf(b, q->sp ? "}" : "]");
  }
  test_buf_printf(b, "]");
}

static void same(const pt_field *f, const pt_queries *a, const pt_queries *b, const char *how) {
  size_t w = width(f);
  bool ok = a->nq == b->nq;
  if (ok && a->f) ok = b->f && memcmp(a->f, b->f, a->nq * w * sizeof *a->f) == 0;
  if (ok && a->i8) ok = b->i8 && memcmp(a->i8, b->i8, a->nq * w) == 0;
  if (ok && a->bin) ok = b->bin && memcmp(a->bin, b->bin, a->nq * w) == 0;
  for (size_t i = 0; ok && a->sp && i < a->nq; i++)
    ok = b->sp && a->sp_n[i] == b->sp_n[i] && (a->sp_n[i] == 0 || memcmp(a->sp[i], b->sp[i], a->sp_n[i] * sizeof *a->sp[i]) == 0);
  if (!ok) {
    fprintf(stderr, "fuzz: accepted vectors of a %s field do not read back the same %s\n", pt_dtype_name(f->dtype), how);
    abort();
  }
}

static void read_ok(const pt_field *f, const pt_vectors_in *in, const pt_queries *want, const char *how) {
  pt_queries q;
  pt_error e;
  pt_status rc = pt_queries_read(f, in, &q, &e);
  if (rc != PT_OK) {
    fprintf(stderr, "fuzz: accepted vectors of a %s field are refused %s: %s\n", pt_dtype_name(f->dtype), how, e.message);
    abort();
  }
  same(f, want, &q, how);
  pt_queries_release(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 4096) return 0;
  pt_field f;
  memset(&f, 0, sizeof f);
  f.name = "v";
  f.name_len = 1;
  f.dtype = FIELDS[data[0] % (sizeof FIELDS / sizeof FIELDS[0])].dtype;
  f.dim = FIELDS[data[0] % (sizeof FIELDS / sizeof FIELDS[0])].dim;
  pt_vectors_in in = {PT_IN_JSON, 0, 0, data + 1, size - 1, NULL, NULL, 0, 0};
  pt_queries q;
  pt_error e;
  pt_status rc = pt_queries_read(&f, &in, &q, &e);
  fuzz_error_filled(rc, &e, "reading query vectors");
  if (rc == PT_OK) {
    /* as JSON again */
    test_buf b = {NULL, 0, 0};
    write_back(&f, &q, &b);
    pt_vectors_in again = {PT_IN_JSON, 0, 0, b.p, b.len, NULL, NULL, 0, 0};
    read_ok(&f, &again, &q, "as JSON");
    test_buf_free(&b);
    /* as typed values: float32, doubles, raw bytes */
    size_t w = width(&f);
    if (q.f) {
      pt_vectors_in typed = {PT_IN_FLOAT32, (uint32_t)q.nq, (uint32_t)w, q.f, 0, NULL, NULL, 0, 0};
      read_ok(&f, &typed, &q, "as float32");
    } else if (q.i8 || q.bin) {
      double *d = malloc(q.nq * w * sizeof *d + 1);
      for (size_t i = 0; i < q.nq * w; i++) d[i] = q.i8 ? q.i8[i] : q.bin[i];
      pt_vectors_in typed = {PT_IN_DOUBLE, (uint32_t)q.nq, (uint32_t)w, d, 0, NULL, NULL, 0, 0};
      read_ok(&f, &typed, &q, "as doubles");
      pt_vectors_in raw = {PT_IN_BYTES, (uint32_t)q.nq, (uint32_t)w, q.i8 ? (const void *)q.i8 : q.bin, 0, NULL, NULL, 0, 0};
      read_ok(&f, &raw, &q, "as bytes");
      free(d);
    }
  }
  pt_queries_release(&q);
  return 0;
}
