/*
 * fuzz_columns.c — libFuzzer target: typed column buffers (what the JS marshaller sends).
 * The input is read as: a header byte (op, form), a row count (0..15), then per column a
 * field byte (a schema field, the dynamic column, by position), a kind byte (any
 * pt_input_kind, valid or not), a width byte and a cells byte (none, or states from the
 * data); values are taken from the rest of the input, sized exactly as the kind and width
 * say (the one promise a host makes: its buffers are as large as it declares), and text
 * offsets are increasing within the arena. A FLOAT32 column whose cells byte has bit 1 set
 * comes in two pieces (values_tail from head_rows on, the next byte). The core must refuse
 * what does not fit the schema with an error and leave the store as it was.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
  const uint8_t *p;
  size_t n;
} input;

static uint8_t byte(input *in) {
  if (!in->n) return 0;
  in->n--;
  return *in->p++;
}

/* `len` bytes from the input, zero-padded once it runs out, in a buffer of its own. */
static void *take(input *in, size_t len) {
  uint8_t *out = calloc(len ? len : 1, 1);
  size_t k = len < in->n ? len : in->n;
  memcpy(out, in->p, k);
  in->p += k;
  in->n -= k;
  return out;
}

static size_t value_size(int32_t kind) {
  switch (kind) {
    case PT_IN_BOOL: case PT_IN_BYTES: return 1;
    case PT_IN_INT64: case PT_IN_DOUBLE: return 8;
    case PT_IN_FLOAT32: case PT_IN_INT32: return 4;
    default: return 0;
  }
}

#define MAX_COLS 14

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  input in = {data, size};
  uint8_t head = byte(&in);
  size_t n = byte(&in) % 16;
  size_t ncols = byte(&in) % (MAX_COLS + 1);
  pt_column_in cols[MAX_COLS];
  void *owned[MAX_COLS * 4];
  size_t n_owned = 0;
  memset(cols, 0, sizeof cols);
  int32_t form = head % 3;
  for (size_t k = 0; k < ncols; k++) {
    pt_column_in *col = &cols[k];
    uint8_t f = byte(&in);
    col->field = f == 250 ? PT_FIELD_DYNAMIC : f == 251 ? PT_FIELD_BY_POSITION : (int32_t)(f % 13);
    if (form == PT_FORM_COLUMNS) col->field = PT_FIELD_BY_POSITION;
    col->kind = byte(&in) % 10;
    col->width = byte(&in) % 10;
    col->n_rows = (byte(&in) & 0x80) ? n + 1 : n; /* now and then, a column of the wrong length */
    uint8_t cells = byte(&in);
    if (form == PT_FORM_DATAFRAME) {
      static const char *names[] = {"id", "v", "s", "j", "f", "d", "i8", "b", "ai", "h", "bv", "nope", "$meta"};
      col->name = names[f % 13];
      col->name_len = strlen(col->name);
    }
    if (col->kind == PT_IN_TEXT || col->kind == PT_IN_JSON) {
      size_t arena = byte(&in) % 64;
      char *text = take(&in, arena);
      uint32_t *offs = calloc(col->n_rows + 1, sizeof *offs);
      for (size_t r = 1; r <= col->n_rows; r++) {
        uint32_t step = byte(&in) % 9;
        offs[r] = offs[r - 1] + step <= arena ? offs[r - 1] + step : (uint32_t)arena;
      }
      col->values = text;
      col->offsets = offs;
      owned[n_owned++] = text;
      owned[n_owned++] = offs;
    } else if (col->kind == PT_IN_FLOAT32 && (cells & 2)) {
      /* in two pieces, as pt_collection_stage_split lends them: rows [0, head) and the rest,
       * each in a buffer of its own; now and then split past the rows (refused) */
      size_t row = value_size(col->kind) * col->width;
      col->head_rows = byte(&in) % (col->n_rows + 2);
      size_t head = col->head_rows <= col->n_rows ? col->head_rows : col->n_rows;
      void *v = take(&in, row * head), *t = take(&in, row * (col->n_rows - head));
      col->values = v;
      col->values_tail = t;
      owned[n_owned++] = v;
      owned[n_owned++] = t;
    } else {
      void *v = take(&in, value_size(col->kind) * col->width * col->n_rows);
      col->values = v;
      owned[n_owned++] = v;
    }
    if (cells & 1) {
      uint8_t *c = take(&in, col->n_rows);
      for (size_t r = 0; r < col->n_rows; r++) c[r] %= 6;
      col->cells = c;
      col->got = "thing";
      col->got_len = 5;
      col->got_length = cells >> 1;
      owned[n_owned++] = c;
    }
  }
  pt_store *st;
  pt_collection *coll = fuzz_collection(&st);
  char *before = test_snapshot(coll);
  pt_batch_in b = {form, n, ncols, cols};
  pt_mutation_result r;
  pt_error e;
  pt_status rc = pt_collection_write(coll, NULL, 0, (head & 8) ? PT_OP_UPSERT : PT_OP_INSERT, &b,
                                     (head & 16) ? PT_WRITE_DUPLICATES_LAST_WINS : 0, &r, &e);
  fuzz_error_filled(rc, &e, "typed write");
  if (rc != PT_OK) fuzz_unchanged(coll, before, "typed batch");
  else free(test_snapshot(coll));
  pt_mutation_result_clear(&r);
  free(before);
  pt_store_close(st);
  for (size_t k = 0; k < n_owned; k++) free(owned[k]);
  return 0;
}
