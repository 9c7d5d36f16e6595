/*
 * snapshot.c — a collection as bytes and back: pt_collection_save, pt_collection_load.
 *
 * THE FORMAT (version 5). Every integer is little-endian.
 *
 *   header, 32 bytes
 *     magic        8   89 50 54 53 0D 0A 1A 0A  ("\x89PTS\r\n\x1a\n", as PNG's: catches 7-bit
 *                      and newline-translating transports)
 *     version      u32 PT_SNAPSHOT_FORMAT_VERSION; a reader refuses a newer one
 *     flags        u32 0; a reader refuses bits it does not know
 *     total_length u64 bytes of the whole snapshot, header included
 *     sections     u32 number of sections that follow
 *     header_check u32 the low 32 bits of pt_hash64(0, the 28 bytes before it)
 *   sections, back to back, each
 *     kind         u32 1 = collection, 2 = partition, 3 = indexes
 *     zero         u32 0
 *     length       u64 bytes of payload
 *     payload      `length` bytes, then zeros to a multiple of 8: every payload starts 8-aligned
 *                  from the snapshot's start
 *     check        u64 pt_hash64 (hash64.c) of kind through the padding, seeded with the check
 *                      before it (the header's pt_hash64 whole, for the first section): the
 *                      chain makes the last check one of the whole file, so a section moved,
 *                      dropped or repeated is detected as surely as a changed byte
 *
 *   the collection section (first, once)
 *     last_ts      u64 the store's last hybrid timestamp when saved
 *     last_id      u64 the store's last auto_id key when saved
 *     flags        u32 bit 0: partition-key collection
 *     partitions   u32 number of partition sections that follow
 *     num_partitions i64 partition-key collections: the number of partitions asked for
 *     name         u32 length, then UTF-8
 *     schema       u32 length, then the schema as pt_schema_to_json writes it
 *   one partition section per partition, in the collection's order
 *     name         u32 length, then UTF-8
 *     rows         u32 live rows, in storage order (deleted rows are not saved)
 *     then per stored column (the schema's fields in order, then $meta when dynamic):
 *       nullable fields: the validity bitmap, ceil(rows / 8) bytes, bit set = a value
 *       fixed width:     zeros to a multiple of 8 from the payload's start, then rows × row width
 *                        bytes, as stored (vectors, numbers, BOOL as 0/1): 8-aligned wherever
 *                        the snapshot is, so a load can keep them where they were read
 *       variable length: rows × u32 byte lengths, then the bytes of every row back to back
 *                        (VARCHAR UTF-8, JSON text, ARRAY / sparse in their stored encodings
 *                        (batch.c), a null as 0 bytes)
 *
 *   the indexes section (last, once; version 3)
 *     count        u32 vector indexes
 *     then per index:
 *       request    u32 length, then the create_index request that defines it (JSON, as
 *                  vindexdef.c writes it back; read again through the same checks)
 *       then per partition, in order:
 *         upto     u32 the rows the index covers, [0, upto) in the saved numbering (rows after
 *                      it are added by the next search)
 *         length   u64 bytes of the index (0: none in this partition)
 *         padding  zeros to a multiple of 8 from the payload's start (version 5): an index
 *                  starts 8-aligned wherever the snapshot is, so that a load can keep its
 *                  arrays where they were read (index.c, hnsw.c)
 *         index    the index as pt_index_save writes it (index.c; its own CRC and checks),
 *                  over the saved rows' ids, so that a load does not rebuild it
 *
 *   Version 4 (partita before 2026-12-07's second change; still read) is version 5 without the
 *   padding before an index.
 *
 *   Version 3 (partita before 2026-12-07; still read) frames a section as kind u32, length u64,
 *   payload, crc u32 (CRC-32, IEEE 802.3 as zlib's, chained as the checks are), checks its header
 *   with CRC-32 and pads nothing. CRC-32 ran at about the speed of reading the bytes in
 *   WebAssembly; pt_hash64 runs near memory speed.
 *   Version 2 is version 3 without the indexes section (read: the collection has no index).
 *   Version 1 is the same but for each section's CRC, which starts afresh (covers the section
 *   alone): it is still read, and then the order of its sections is not protected.
 *
 * HOW LOADING STAYS SAFE
 *   1. The header and every section's bounds and check are checked before anything is built: a
 *      truncation (at any byte), a flipped bit, a foreign file or a newer version is an error
 *      naming what is wrong, before any allocation beyond the error.
 *   2. A check stops accidents, not forgeries, so the payloads are then read as untrusted: every
 *      length is checked against what remains, the schema goes through the same checks as a
 *      new collection's, partition names through Milvus's rules, and every stored value that
 *      readers decode (UTF-8 strings, JSON documents, ARRAY and sparse encodings, BOOL bytes,
 *      validity of null cells) is checked before the rows are copied into segments.
 *   3. The collection is built apart from the store (its own segments; its key index rebuilt
 *      from the rows, as compaction does, when first read) and attached only when complete; any failure, allocation
 *      failures included, frees it and leaves the store exactly as it was.
 */
#include "store.h"

#include <stdio.h>

#include "cJSON.h"
#include "crc32.h"
#include "hash64.h"
#include "json.h"
#include "text.h"


#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "snapshot.c copies columns as stored: it assumes a little-endian host (wasm32, x86, ARM)"
#endif

static const uint8_t MAGIC[8] = {0x89, 'P', 'T', 'S', '\r', '\n', 0x1a, '\n'};
#define HEADER_BYTES 32u
#define SECTION_OVERHEAD 16u /* versions 1-3: kind, length, crc */
#define SECTION_HEAD 16u     /* version 4: kind, 0, length */
#define SECTION_OVERHEAD_V4 24u /* version 4: kind, 0, length, check (and the payload's padding) */
#define KIND_COLLECTION 1u
#define KIND_PARTITION 2u
#define KIND_INDEXES 3u
#define FLAG_PARTITION_KEY 1u

/* ============================================================================================
 * Little-endian writing; with `p` NULL it only measures
 * ========================================================================================== */

typedef struct wbuf {
  uint8_t *p;
  size_t at;
  /* a checkpoint's save (pt_collection_save_marked): where the snapshot starts in it, the
   * generation its marks carry (0: no marks), and the fields (the float vectors are marked) */
  uint64_t ck_base;
  uint32_t ck_gen;
  const pt_schema *ck_schema;
} wbuf;

static void put_bytes(wbuf *w, const void *src, size_t n) {
  if (w->p && n) memcpy(w->p + w->at, src, n);
  w->at += n;
}
static void put_u32(wbuf *w, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  put_bytes(w, b, 4);
}
static void put_u64(wbuf *w, uint64_t v) {
  put_u32(w, (uint32_t)v);
  put_u32(w, (uint32_t)(v >> 32));
}
/* Zeros up to a multiple of 8 bytes from `base`. */
static void put_pad8(wbuf *w, size_t base) {
  static const uint8_t zeros[8] = {0};
  put_bytes(w, zeros, (8 - (w->at - base) % 8) % 8);
}

static uint32_t get_u32(const uint8_t *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static uint64_t get_u64(const uint8_t *b) { return (uint64_t)get_u32(b) | (uint64_t)get_u32(b + 4) << 32; }

/* ============================================================================================
 * Saving
 * ========================================================================================== */

static void write_collection(wbuf *w, const pt_collection *c, const char *schema, size_t schema_len) {
  put_u64(w, c->store->last_ts);
  put_u64(w, c->store->last_id);
  put_u32(w, c->partition_key_mode ? FLAG_PARTITION_KEY : 0);
  put_u32(w, (uint32_t)c->n_parts);
  put_u64(w, (uint64_t)c->num_partitions);
  put_u32(w, (uint32_t)c->name_len);
  put_bytes(w, c->name, c->name_len);
  put_u32(w, (uint32_t)schema_len);
  put_bytes(w, schema, schema_len);
}

/* Runs `body` for every live row (seg, off) of a partition, in storage order. */
#define FOR_LIVE(p, lay, seg, off, body)                                                   \
  for (size_t si_ = 0; si_ < (p)->n_segs; si_++) {                                         \
    const pt_segment *seg = (p)->segs[si_];                                                \
    for (uint32_t off = 0; off < seg->count; off++) {                                      \
      if (pt_bit_get(seg->deleted, off)) continue;                                         \
      body                                                                                 \
    }                                                                                      \
  }

static void write_partition(wbuf *w, const pt_partition *p, const pt_layout *lay) {
  uint64_t n = p->n_live;
  size_t base = w->at; /* the payload's start: 8-aligned in the snapshot */
  put_u32(w, (uint32_t)p->name_len);
  put_bytes(w, p->name, p->name_len);
  put_u32(w, (uint32_t)n);
  for (size_t c = 0; c < lay->n_cols; c++) {
    if (lay->nullable[c]) {
      size_t nb = (size_t)((n + 7) / 8);
      if (w->p) {
        uint8_t *bits = w->p + w->at;
        memset(bits, 0, nb);
        uint32_t i = 0;
        FOR_LIVE(p, lay, seg, off, {
          if (pt_bit_get(seg->cols[c].valid, off)) pt_bit_set(bits, i);
          i++;
        })
      }
      w->at += nb;
    }
    size_t rb = lay->row_bytes[c];
    if (rb) {
      put_pad8(w, base); /* a fixed-width column starts 8-aligned: a load can use it in place */
      if (!w->p) {
        w->at += (size_t)n * rb;
        continue;
      }
      /* runs of consecutive live rows in one copy */
      for (size_t si = 0; si < p->n_segs; si++) {
        const pt_segment *seg = p->segs[si];
        if (w->ck_gen && seg->count == (uint32_t)lay->seg_mask + 1 && c < w->ck_schema->n_fields &&
            w->ck_schema->fields[c].dtype == PT_FLOAT_VECTOR) /* a checkpoint's mark (cold.c) */
          pt_cold_mark((pt_column *)(uintptr_t)&seg->cols[c], seg, lay, w->ck_gen, w->ck_base + w->at);
        for (uint32_t off = 0, end; (end = pt_live_run(seg, &off, UINT32_MAX)) > off; off = end)
          put_bytes(w, seg->cols[c].data + (size_t)off * rb, (size_t)(end - off) * rb);
      }
      continue;
    }
    FOR_LIVE(p, lay, seg, off, { put_u32(w, seg->cols[c].offsets[off + 1] - seg->cols[c].offsets[off]); })
    FOR_LIVE(p, lay, seg, off, {
      const pt_column *col = &seg->cols[c];
      put_bytes(w, pt_var_cell(col, off), col->offsets[off + 1] - col->offsets[off]);
    })
  }
}

/* A section's frame: kind, 0 and length before the payload, zeros to 8 and the check of all of
 * it after it, continued from the check before it. */
static void section_begin(wbuf *w, uint32_t kind, uint64_t length, size_t *start) {
  *start = w->at;
  put_u32(w, kind);
  put_u32(w, 0);
  put_u64(w, length);
}
static void section_end(wbuf *w, size_t start, uint64_t *chain) {
  put_pad8(w, start);
  if (w->p) *chain = pt_hash64(*chain, w->p + start, w->at - start);
  put_u64(w, *chain);
}
static uint64_t section_bytes(uint64_t payload) { return SECTION_OVERHEAD_V4 + ((payload + 7) & ~(uint64_t)7); }

/* One partition's index as it is saved: over the saved rows (live rows renumbered in storage
 * order, as compaction does), covering *upto of them; *out NULL when there is none. */
static pt_status saved_index(const pt_partition *p, const pt_layout *lay, const pt_part_vix *pv, uint8_t **out,
                             size_t *len, uint32_t *upto) {
  *out = NULL;
  *len = 0;
  *upto = 0;
  if (!pv->ix) return PT_OK;
  uint32_t live = 0;
  for (uint32_t r = 0; r < pv->upto; r++) live += !pt_row_deleted(p, lay, r);
  *upto = live;
  if (live == pv->upto) return pt_index_save(pv->ix, out, len);
  /* a copy renumbered as the rows are saved */
  uint8_t *bytes;
  size_t n;
  pt_index *copy = NULL;
  uint32_t *remap = pt_malloc((size_t)pv->upto * sizeof *remap);
  pt_status rc = remap ? pt_index_save(pv->ix, &bytes, &n) : PT_NOMEM;
  if (rc == PT_OK) {
    rc = pt_index_load(bytes, n, true, &copy, NULL); /* just saved */
    pt_free(bytes);
  }
  if (rc == PT_OK) {
    uint32_t next = 0;
    for (uint32_t r = 0; r < pv->upto; r++) remap[r] = pt_row_deleted(p, lay, r) ? PT_INDEX_NONE : next++;
    pt_part_rows ctx = {p, lay, pv->col};
    pt_index_rows rows = {pt_part_rows_get, &ctx};
    rc = pt_index_compact(copy, &rows, remap, pv->upto);
  }
  if (rc == PT_OK) rc = pt_index_save(copy, out, len);
  pt_index_free(copy);
  pt_free(remap);
  return rc == PT_OK ? PT_OK : PT_NOMEM;
}

/* The indexes section's parts made before it is measured: requests and index bytes. */
typedef struct saved_indexes {
  char **requests;   /* per index */
  uint8_t **bytes;   /* per index x partition */
  size_t *lens;
  uint32_t *uptos;
  size_t n_ix, n_parts;
} saved_indexes;

static void saved_free(saved_indexes *si) {
  for (size_t i = 0; si->requests && i < si->n_ix; i++) pt_free(si->requests[i]);
  for (size_t i = 0; si->bytes && i < si->n_ix * si->n_parts; i++) pt_free(si->bytes[i]);
  pt_free(si->requests);
  pt_free(si->bytes);
  pt_free(si->lens);
  pt_free(si->uptos);
}

static pt_status saved_make(const pt_collection *c, saved_indexes *si) {
  memset(si, 0, sizeof *si);
  si->n_ix = c->n_vindexes;
  si->n_parts = c->n_parts;
  size_t n = si->n_ix * si->n_parts + 1;
  si->requests = pt_calloc(si->n_ix + 1, sizeof *si->requests);
  si->bytes = pt_calloc(n, sizeof *si->bytes);
  si->lens = pt_calloc(n, sizeof *si->lens);
  si->uptos = pt_calloc(n, sizeof *si->uptos);
  if (!si->requests || !si->bytes || !si->lens || !si->uptos) return PT_NOMEM;
  for (size_t i = 0; i < si->n_ix; i++) {
    if (!(si->requests[i] = pt_vindex_request_json(&c->vindexes[i], c->schema))) return PT_NOMEM;
    for (size_t p = 0; p < si->n_parts; p++) {
      const pt_partition *part = c->parts[p];
      if (i >= part->n_vix) continue;
      size_t k = i * si->n_parts + p;
      if (saved_index(part, &c->layout, &part->vix[i], &si->bytes[k], &si->lens[k], &si->uptos[k])) return PT_NOMEM;
    }
  }
  return PT_OK;
}

static void write_indexes(wbuf *w, const saved_indexes *si) {
  size_t base = w->at; /* the payload's start: 8-aligned in the snapshot */
  put_u32(w, (uint32_t)si->n_ix);
  for (size_t i = 0; i < si->n_ix; i++) {
    size_t rl = strlen(si->requests[i]);
    put_u32(w, (uint32_t)rl);
    put_bytes(w, si->requests[i], rl);
    for (size_t p = 0; p < si->n_parts; p++) {
      size_t k = i * si->n_parts + p;
      put_u32(w, si->uptos[k]);
      put_u64(w, si->lens[k]);
      put_pad8(w, base);
      put_bytes(w, si->bytes[k], si->lens[k]);
    }
  }
}

pt_status pt_collection_save(const pt_collection *c, uint8_t **out, size_t *len, pt_error *err) {
  return pt_collection_save_marked(c, 0, 0, out, len, err);
}

pt_status pt_collection_save_marked(const pt_collection *c, uint64_t ck_base, uint32_t ck_gen, uint8_t **out,
                                    size_t *len, pt_error *err) {
  if (!c || !out || !len)
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_save: missing argument");
  *out = NULL;
  *len = 0;
  bool cold; /* the rows' bytes are needed: cold ones are read back first (cold.c) */
  pt_status want = pt_cold_want_in(c, SIZE_MAX, SIZE_MAX, &cold);
  if (cold || want) return pt_cold_fail(want, err);
  char *schema = NULL;
  size_t schema_len = 0;
  if (pt_schema_to_json(c->schema, &schema, &schema_len)) return pt_fail_nomem(err);
  uint64_t *lengths = pt_malloc((c->n_parts + 2) * sizeof *lengths);
  saved_indexes si;
  if (!lengths || saved_make(c, &si)) {
    if (lengths) saved_free(&si);
    pt_free(lengths);
    pt_free(schema);
    return pt_fail_nomem(err);
  }

  /* 1. measure every payload (the same code as writing, with no buffer) */
  wbuf m = {NULL, 0, 0, 0, NULL};
  write_collection(&m, c, schema, schema_len);
  lengths[0] = m.at;
  uint64_t total = HEADER_BYTES + section_bytes(lengths[0]);
  for (size_t i = 0; i < c->n_parts; i++) {
    const pt_partition *p = c->parts[i];
    m.at = 0;
    write_partition(&m, p, &c->layout);
    lengths[i + 1] = m.at;
    total += section_bytes(m.at);
  }
  m.at = 0;
  write_indexes(&m, &si);
  lengths[c->n_parts + 1] = m.at;
  total += section_bytes(m.at);
  if (total > SIZE_MAX) {
    saved_free(&si);
    pt_free(lengths);
    pt_free(schema);
    return pt_fail(err, PT_LIMIT, PT_CODE_TOO_LARGE, PT_EXC_MILVUS,
                   "snapshot of collection %s is too large for this platform: %llu bytes", c->name,
                   (unsigned long long)total);
  }

  /* 2. write */
  uint8_t *buf = pt_malloc((size_t)total);
  if (!buf) {
    saved_free(&si);
    pt_free(lengths);
    pt_free(schema);
    return pt_fail_nomem(err);
  }
  wbuf w = {buf, 0, ck_base, ck_gen, c->schema};
  put_bytes(&w, MAGIC, 8);
  put_u32(&w, PT_SNAPSHOT_FORMAT_VERSION);
  put_u32(&w, 0);
  put_u64(&w, total);
  put_u32(&w, (uint32_t)(c->n_parts + 2));
  uint64_t chain = pt_hash64(0, buf, 28);
  put_u32(&w, (uint32_t)chain);
  size_t start;
  section_begin(&w, KIND_COLLECTION, lengths[0], &start);
  write_collection(&w, c, schema, schema_len);
  section_end(&w, start, &chain);
  for (size_t i = 0; i < c->n_parts; i++) {
    section_begin(&w, KIND_PARTITION, lengths[i + 1], &start);
    write_partition(&w, c->parts[i], &c->layout);
    section_end(&w, start, &chain);
  }
  section_begin(&w, KIND_INDEXES, lengths[c->n_parts + 1], &start);
  write_indexes(&w, &si);
  section_end(&w, start, &chain);
  pt_assert(w.at == total);
  saved_free(&si);
  pt_free(lengths);
  pt_free(schema);
  *out = buf;
  *len = (size_t)total;
  pt_error_clear(err);
  return PT_OK;
}

/* ============================================================================================
 * Loading: errors
 * ========================================================================================== */

#define CORRUPT(err, ...) pt_fail(err, PT_CORRUPT, PT_CODE_PARAMETER_INVALID, PT_EXC_MILVUS, __VA_ARGS__)
#define BAD PT_INVALID_PARAMETER

/* A bounded reader over one payload. */
typedef struct rbuf {
  const uint8_t *p;
  size_t len, at;
} rbuf;

static bool take(rbuf *r, size_t n, const uint8_t **out) {
  if (n > r->len - r->at) return false;
  *out = r->p + r->at;
  r->at += n;
  return true;
}
static bool take_u32(rbuf *r, uint32_t *v) {
  const uint8_t *b;
  if (!take(r, 4, &b)) return false;
  *v = get_u32(b);
  return true;
}
static bool take_u64(rbuf *r, uint64_t *v) {
  const uint8_t *b;
  if (!take(r, 8, &b)) return false;
  *v = get_u64(b);
  return true;
}
static bool take_str(rbuf *r, pt_str *s) {
  uint32_t n;
  const uint8_t *b;
  if (!take_u32(r, &n) || !take(r, n, &b)) return false;
  s->ptr = (const char *)b;
  s->len = n;
  return true;
}

/* ============================================================================================
 * Loading: checking stored values
 * ========================================================================================== */

/* NULL when the stored bytes of one non-null cell of field f (NULL: $meta) are valid, else why
 * not. */
static const char *check_cell(const pt_field *f, const uint8_t *d, uint32_t n) {
  int dtype = f ? f->dtype : PT_JSON;
  switch (dtype) {
  case PT_VARCHAR: case PT_TEXT: case PT_GEOMETRY: case PT_TIMESTAMPTZ:
    return pt_utf8_count((const char *)d, n) < 0 ? "is not valid UTF-8" : NULL;
  case PT_JSON: {
    /* what a write accepts (json.h), so that every read gives valid JSON: a stored value
     * that is valid but not in canonical form (written by an older partita) is kept as it is */
    if (n == 0) return NULL;
    pt_json_checked chk;
    if (!pt_json_check((const char *)d, n, PT_JSON_NUL_OK, &chk)) return "is not valid JSON";
    size_t at = 0;
    while (d[at] == ' ' || d[at] == '\t' || d[at] == '\n' || d[at] == '\r') at++; /* a value follows */
    return !f && d[at] != '{' ? "is not a JSON object" : NULL;
  }
  case PT_ARRAY: {
    if (n < 4) return "is not a stored array";
    uint32_t count = get_u32(d);
    size_t at = 4, esz = pt_dtype_scalar_size(f->element_type);
    if (f->element_type == PT_VARCHAR) {
      for (uint32_t i = 0; i < count; i++) {
        if (n - at < 4) return "is not a stored array";
        uint32_t len = get_u32(d + at);
        at += 4;
        if (len > n - at) return "is not a stored array";
        if (pt_utf8_count((const char *)d + at, len) < 0) return "holds a string that is not valid UTF-8";
        at += len;
      }
    } else {
      if (!esz || (n - 4) / esz != count || (n - 4) % esz) return "is not a stored array";
      if (f->element_type == PT_BOOL)
        for (uint32_t i = 0; i < count; i++)
          if (d[4 + i] > 1) return "holds a BOOL that is neither 0 nor 1";
      at = n;
    }
    return at == n ? NULL : "is not a stored array";
  }
  case PT_SPARSE_FLOAT_VECTOR: {
    if (n < 4) return "is not a stored sparse vector";
    uint32_t count = get_u32(d);
    if ((n - 4) / 8 != count || (n - 4) % 8) return "is not a stored sparse vector";
    for (uint32_t i = 0; i < count; i++) {
      uint32_t idx = get_u32(d + 4 + 8 * i);
      if (i && idx <= get_u32(d + 4 + 8 * (i - 1))) return "is a sparse vector whose indices are not increasing";
    }
    return NULL;
  }
  default: return NULL;
  }
}

/* ============================================================================================
 * Loading: building
 * ========================================================================================== */

typedef struct colsrc {
  const uint8_t *valid; /* nullable: bitmap */
  const uint8_t *data;  /* fixed: rows × width; variable: the bytes */
  const uint8_t *lens;  /* variable: rows × u32 */
} colsrc;

static const char *field_label(const pt_collection *c, size_t col) {
  return col < c->schema->n_fields ? c->schema->fields[col].name : PT_DYNAMIC_FIELD_NAME;
}

static pt_status load_partition(pt_collection *c, size_t index, const uint8_t *payload, size_t plen,
                                uint32_t version, uint8_t *block, pt_error *err) {
  const pt_layout *lay = &c->layout;
  rbuf r = {payload, plen, 0};
  pt_str name;
  uint32_t rows;
  if (!take_str(&r, &name) || !take_u32(&r, &rows))
    return CORRUPT(err, "invalid snapshot: partition %zu ends early" BAD, index);
  if (c->partition_key_mode ? (name.len == 0 || name.len > PT_MAX_NAME_LENGTH || pt_utf8_count(name.ptr, name.len) < 0)
                            : pt_check_partition_name(name.ptr, name.len, err) != PT_OK)
    return CORRUPT(err, "invalid snapshot: partition %zu has an invalid name" BAD, index);
  if (pt_partition_find(c, name.ptr, name.len) >= 0)
    return CORRUPT(err, "invalid snapshot: partition %.*s appears twice" BAD, (int)name.len, name.ptr);
  if (index == 0 && !c->partition_key_mode && !pt_str_eqz(name.ptr, name.len, PT_DEFAULT_PARTITION))
    return CORRUPT(err, "invalid snapshot: the first partition is %.*s, not " PT_DEFAULT_PARTITION BAD, (int)name.len,
                   name.ptr);
  if (rows >= PT_NO_ROW)
    return CORRUPT(err, "invalid snapshot: partition %.*s has too many rows" BAD, (int)name.len, name.ptr);

  /* 1. find every column's bytes, checking bounds and stored values, before allocating rows */
  colsrc *src = pt_calloc(lay->n_cols, sizeof *src);
  if (!src) return pt_fail_nomem(err);
  pt_status rc = PT_OK;
  for (size_t ci = 0; ci < lay->n_cols && rc == PT_OK; ci++) {
    const pt_field *f = ci < c->schema->n_fields ? &c->schema->fields[ci] : NULL;
    size_t rb = lay->row_bytes[ci], bytes;
    if (lay->nullable[ci] && !take(&r, ((size_t)rows + 7) / 8, &src[ci].valid)) goto short_payload;
    if (rb) {
      if (version >= 4) { /* zeros to 8 bytes from the payload's start */
        const uint8_t *pad;
        if (!take(&r, (8 - r.at % 8) % 8, &pad)) goto short_payload;
        for (const uint8_t *z = pad; z < r.p + r.at; z++)
          if (*z) {
            rc = CORRUPT(err, "invalid snapshot: partition %.*s, field %s: bytes where zeros belong" BAD, (int)name.len,
                         name.ptr, field_label(c, ci));
            break;
          }
        if (rc) break;
      }
      if (!pt_mul_ok(rows, rb, &bytes) || !take(&r, bytes, &src[ci].data)) goto short_payload;
      if (f && f->dtype == PT_BOOL)
        for (size_t i = 0; i < rows; i++)
          if (src[ci].data[i] > 1) {
            rc = CORRUPT(err, "invalid snapshot: partition %.*s, field %s: row %zu holds a BOOL that is neither 0 nor 1" BAD,
                         (int)name.len, name.ptr, field_label(c, ci), i);
            break;
          }
      continue;
    }
    if (!take(&r, (size_t)rows * 4, &src[ci].lens)) goto short_payload;
    uint64_t total = 0;
    for (size_t i = 0; i < rows; i++) total += get_u32(src[ci].lens + 4 * i);
    if (total > r.len - r.at || !take(&r, (size_t)total, &src[ci].data)) goto short_payload;
    const uint8_t *d = src[ci].data;
    for (size_t i = 0; i < rows && rc == PT_OK; i++) {
      uint32_t n = get_u32(src[ci].lens + 4 * i);
      bool present = !src[ci].valid || pt_bit_get(src[ci].valid, (uint32_t)i);
      const char *why = !present ? (n ? "is null but holds bytes" : NULL) : check_cell(f, d, n);
      if (why)
        rc = CORRUPT(err, "invalid snapshot: partition %.*s, field %s: row %zu %s" BAD, (int)name.len, name.ptr,
                     field_label(c, ci), i, why);
      d += n;
    }
  }
  if (rc) goto done;
  if (r.at != r.len) {
    rc = CORRUPT(err, "invalid snapshot: partition %.*s has %zu bytes after its last column" BAD, (int)name.len,
                 name.ptr, r.len - r.at);
    goto done;
  }

  /* 2. the partition, its segments and rows */
  if ((rc = pt_collection_add_partition(c, name.ptr, name.len))) {
    rc = pt_fail_nomem(err);
    goto done;
  }
  pt_partition *p = c->parts[c->n_parts - 1];
  const uint32_t cap = lay->seg_mask + 1;
  size_t n_segs = ((size_t)rows + cap - 1) / cap;
  if (n_segs && PT_GROW(&p->segs, &p->segs_cap, n_segs)) {
    rc = pt_fail_nomem(err);
    goto done;
  }
  size_t *var_at = pt_calloc(lay->n_cols, sizeof *var_at); /* bytes of each variable column consumed */
  /* read from the checkpoint file named for cold rows (pt_store_cold_source): it holds these rows
   * where they lie in it, so the float rows of full segments are not copied here; pt_cold_loaded
   * keeps them out of memory or copies them, once the indexes say which */
  const pt_cold_state *cs = &c->store->cold;
  bool cold = !block && cs->src && payload >= cs->src && (size_t)(payload - cs->src) <= cs->src_len;
  uint8_t **fixed = block || cold ? pt_calloc(lay->n_cols, sizeof *fixed) : NULL; /* adopted (or left), per column */
  if (!var_at || ((block || cold) && !fixed)) {
    pt_free(var_at);
    pt_free(fixed);
    rc = pt_fail_nomem(err);
    goto done;
  }
  for (size_t k = 0; k < n_segs; k++) {
    uint32_t r0 = (uint32_t)(k * cap), m = rows - r0 < cap ? rows - r0 : cap;
    /* a full segment's fixed-width columns stay where they were read, when 8-aligned there (a
     * partial one is copied: later rows are appended to it) */
    bool adopt = false;
    for (size_t ci = 0; block && ci < lay->n_cols; ci++) {
      const uint8_t *at = lay->row_bytes[ci] ? src[ci].data + (size_t)r0 * lay->row_bytes[ci] : NULL;
      fixed[ci] = m == cap && at && (uintptr_t)at % 8 == 0 ? block + (at - block) : NULL;
      adopt |= fixed[ci] != NULL;
    }
    for (size_t ci = 0; cold && ci < lay->n_cols; ci++) { /* a full segment's float rows: left */
      fixed[ci] = m == cap && c->schema->fields[ci].dtype == PT_FLOAT_VECTOR ? (uint8_t *)(uintptr_t)src[ci].data : NULL;
      adopt |= fixed[ci] != NULL;
    }
    pt_segment *seg = adopt ? pt_segment_new_in(lay, block, fixed) : pt_segment_new(lay);
    if (!seg) {
      rc = pt_fail_nomem(err);
      break;
    }
    p->segs[p->n_segs++] = seg; /* owned by the partition from here: freed with it on failure */
    for (size_t ci = 0; ci < lay->n_cols && rc == PT_OK; ci++) {
      pt_column *col = &seg->cols[ci];
      if (src[ci].valid)
        for (uint32_t i = 0; i < m; i++)
          if (pt_bit_get(src[ci].valid, r0 + i)) pt_bit_set(col->valid, i);
      size_t rb = lay->row_bytes[ci];
      if (rb) {
        const uint8_t *from = src[ci].data + (size_t)r0 * rb;
        if (!col->block && col->data) memcpy(col->data, from, (size_t)m * rb);
        if (!col->data) { /* left out: the checkpoint holds these rows there (cold.c's mark) */
          col->ck_gen = cs->gen;
          col->ck_live = cap;
          col->ck_at = (uint64_t)(from - cs->src);
        }
        continue;
      }
      size_t bytes = 0;
      for (uint32_t i = 0; i < m; i++) bytes += get_u32(src[ci].lens + 4 * ((size_t)r0 + i));
      if ((rc = pt_segment_reserve_bytes(seg, ci, bytes))) {
        rc = rc == PT_NOMEM ? pt_fail_nomem(err)
                            : CORRUPT(err, "invalid snapshot: partition %.*s, field %s: too many bytes for one segment" BAD,
                                      (int)name.len, name.ptr, field_label(c, ci));
        break;
      }
      if (bytes) memcpy(col->data, src[ci].data + var_at[ci], bytes);
      var_at[ci] += bytes;
      col->used = bytes;
      uint32_t at = 0;
      for (uint32_t i = 0; i < m; i++) {
        at += get_u32(src[ci].lens + 4 * ((size_t)r0 + i));
        col->offsets[i + 1] = at;
      }
    }
    if (rc) break;
    seg->count = seg->live = m;
  }
  pt_free(var_at);
  pt_free(fixed);
  if (rc) goto done;
  p->n_rows = rows;
  p->n_live = rows;

  /* 3. the key index and chains: room reserved (its pages untouched), the rows left out of it
   * as an insert leaves its rows (pt_partition's `unindexed`), until the first read by key */
  if (pt_pkindex_reserve(&p->index, rows)) {
    rc = pt_fail_nomem(err);
    goto done;
  }
  p->unindexed = rows;
  goto done;

short_payload:
  rc = CORRUPT(err, "invalid snapshot: partition %.*s ends early" BAD, (int)name.len, name.ptr);
done:
  pt_free(src);
  return rc;
}

/* Checks the header and every section's bounds and CRC; fills the sections' payloads. */
typedef struct section {
  uint32_t kind;
  const uint8_t *payload;
  size_t len;
} section;

static const char *kind_name(uint32_t kind) {
  return kind == KIND_COLLECTION ? "collection" : kind == KIND_PARTITION ? "partition"
                                                 : kind == KIND_INDEXES  ? "indexes" : "unknown";
}

static pt_status check_frame(const uint8_t *b, size_t len, bool summed, section **out, size_t *n_out,
                             uint32_t *version_out, pt_error *err) {
  *out = NULL;
  *n_out = 0;
  if (len < 8 || memcmp(b, MAGIC, 8) != 0)
    return CORRUPT(err, "invalid snapshot: not a partita snapshot (its first bytes are not the snapshot magic)" BAD);
  if (len < HEADER_BYTES)
    return CORRUPT(err, "invalid snapshot: truncated: %zu bytes, shorter than the %u-byte header" BAD, len,
                   HEADER_BYTES);
  uint32_t version = get_u32(b + 8), flags = get_u32(b + 12), n = get_u32(b + 24);
  uint64_t total = get_u64(b + 16);
  /* the header's check: CRC-32 to version 3, the low half of pt_hash64 from version 4 (a
   * changed version field fails one or the other) */
  uint64_t h64 = pt_hash64(0, b, 28);
  uint32_t crc = get_u32(b + 28), want = version >= 4 ? (uint32_t)h64 : pt_crc32(b, 28);
  /* a newer version's header is taken with either check this version knows, to name it */
  if (version > PT_SNAPSHOT_FORMAT_VERSION && crc == pt_crc32(b, 28)) want = crc;
  if (crc != want)
    return CORRUPT(err, "invalid snapshot: corrupted header (checksum 0x%08x, expected 0x%08x)" BAD, crc, want);
  if (version == 0 || version > PT_SNAPSHOT_FORMAT_VERSION)
    return CORRUPT(err,
                   "invalid snapshot: format version %u is not supported (this is partita %s, which reads versions 1 to %d)" BAD,
                   version, PT_VERSION_STRING, PT_SNAPSHOT_FORMAT_VERSION);
  if (flags)
    return CORRUPT(err, "invalid snapshot: unknown header flags 0x%08x" BAD, flags);
  if (total != len)
    return CORRUPT(err, "invalid snapshot: %s: the header says %llu bytes, %zu were given" BAD,
                   total > len ? "truncated" : "trailing bytes", (unsigned long long)total, len);
  bool v4 = version >= 4;
  size_t overhead = v4 ? SECTION_OVERHEAD_V4 : SECTION_OVERHEAD;
  if (n < (version >= 3 ? 2u : 1u) || n > PT_MAX_PARTITIONS + (version >= 3 ? 2u : 1u) ||
      n > (len - HEADER_BYTES) / overhead)
    return CORRUPT(err, "invalid snapshot: %u sections cannot be right" BAD, n);
  section *s = pt_calloc(n, sizeof *s);
  if (!s) return pt_fail_nomem(err);
  size_t at = HEADER_BYTES;
  uint64_t chain = v4 ? h64 : crc; /* from version 2: each section's check continues the one before it */
  pt_status rc = PT_OK;
  for (uint32_t i = 0; i < n; i++) {
    if (len - at < overhead) {
      rc = CORRUPT(err, "invalid snapshot: truncated before section %u" BAD, i);
      break;
    }
    uint32_t kind = get_u32(b + at);
    uint64_t plen = get_u64(b + at + (v4 ? 8 : 4));
    size_t head = v4 ? SECTION_HEAD : 12, room = len - at - overhead;
    /* version 4: the payload is padded to 8 bytes */
    if (plen > room || (v4 && ((plen + 7) & ~(uint64_t)7) > room)) {
      rc = CORRUPT(err, "invalid snapshot: section %u (%s) is corrupted or truncated: it claims %llu bytes, %zu remain" BAD, i,
                   kind_name(kind), (unsigned long long)plen, room);
      break;
    }
    size_t framed = head + (size_t)(v4 ? (plen + 7) & ~(uint64_t)7 : plen);
    /* summed: the bytes are those a checksum over all of them has just vouched for (a log
     * record's): the sections' own checks were right when written, and are not read again */
    uint64_t stored = v4 ? get_u64(b + at + framed) : get_u32(b + at + framed);
    uint64_t computed = summed ? stored
                        : v4   ? pt_hash64(chain, b + at, framed)
                               : pt_crc32_update(version >= 2 ? (uint32_t)chain : 0, b + at, framed);
    if (stored != computed) {
      rc = CORRUPT(err, "invalid snapshot: section %u (%s) is corrupted%s (checksum 0x%0*llx, expected 0x%0*llx)" BAD, i,
                   kind_name(kind), version >= 2 ? " or out of place" : "", v4 ? 16 : 8, (unsigned long long)stored,
                   v4 ? 16 : 8, (unsigned long long)computed);
      break;
    }
    chain = computed;
    uint32_t want_kind = i == 0 ? KIND_COLLECTION : version >= 3 && i == n - 1 ? KIND_INDEXES : KIND_PARTITION;
    if (kind != want_kind) {
      rc = CORRUPT(err, "invalid snapshot: section %u is of kind %u, expected %u (%s)" BAD, i, kind, want_kind,
                   kind_name(want_kind));
      break;
    }
    /* version 4: the word after the kind and the padding are zeros (not read otherwise) */
    bool zeros = !v4 || get_u32(b + at + 4) == 0;
    for (size_t k = head + (size_t)plen; zeros && k < framed; k++) zeros = b[at + k] == 0;
    if (!zeros) {
      rc = CORRUPT(err, "invalid snapshot: section %u (%s) has bytes where zeros belong" BAD, i, kind_name(kind));
      break;
    }
    s[i].kind = kind;
    s[i].payload = b + at + head;
    s[i].len = (size_t)plen;
    at += framed + (v4 ? 8 : 4);
  }
  if (rc == PT_OK && at != len)
    rc = CORRUPT(err, "invalid snapshot: %zu bytes after the last section" BAD, len - at);
  if (rc) {
    pt_free(s);
    return rc;
  }
  *out = s;
  *n_out = n;
  *version_out = version;
  return PT_OK;
}

/* The indexes section (version 3): every definition read again through create_index's checks,
 * every index through pt_index_load's, and then against its partition: the same parameters as
 * its definition, no row at or beyond what it covers, covering no more rows than were saved. */
static pt_status load_indexes(pt_collection *c, const uint8_t *payload, size_t plen, uint32_t version, uint8_t *block,
                              pt_error *err) {
  rbuf r = {payload, plen, 0};
  uint32_t count;
  if (!take_u32(&r, &count) || count > c->schema->n_fields)
    return CORRUPT(err, "invalid snapshot: the indexes section is malformed" BAD);
  if (!count) return r.at == r.len ? PT_OK : CORRUPT(err, "invalid snapshot: the indexes section is malformed" BAD);
  if (!(c->vindexes = pt_calloc(count, sizeof *c->vindexes))) return pt_fail_nomem(err);
  for (size_t p = 0; p < c->n_parts; p++) {
    if (!(c->parts[p]->vix = pt_calloc(count, sizeof *c->parts[p]->vix))) return pt_fail_nomem(err);
    c->parts[p]->n_vix = count;
  }
  for (uint32_t i = 0; i < count; i++) {
    pt_str req;
    if (!take_str(&r, &req)) return CORRUPT(err, "invalid snapshot: index %u ends early" BAD, i);
    unsigned long failures = pt_alloc_failures();
    cJSON *root = cJSON_ParseWithLength(req.ptr, req.len);
    if (!root)
      return pt_alloc_failures() != failures ? pt_fail_nomem(err)
                                             : CORRUPT(err, "invalid snapshot: index %u is not a JSON request" BAD, i);
    pt_vindex v;
    pt_status rc = pt_vindex_parse_saved(c->schema, root, &v, err);
    cJSON_Delete(root);
    if (rc == PT_NOMEM) return rc;
    if (rc) {
      char why[PT_ERROR_MESSAGE_MAX / 2];
      snprintf(why, sizeof why, "%.400s", err ? err->message : "");
      return CORRUPT(err, "invalid snapshot: index %u is refused: %s" BAD, i, why);
    }
    for (size_t j = 0; j < c->n_vindexes; j++)
      if (c->vindexes[j].field == v.field || pt_str_eq(c->vindexes[j].name, c->vindexes[j].name_len, v.name, v.name_len)) {
        pt_vindex_release(&v);
        return CORRUPT(err, "invalid snapshot: index %u repeats a field or a name" BAD, i);
      }
    c->vindexes[c->n_vindexes++] = v;
    for (size_t p = 0; p < c->n_parts; p++) {
      pt_partition *part = c->parts[p];
      uint32_t upto;
      uint64_t blen;
      const uint8_t *bytes;
      const uint8_t *pad = NULL;
      if (!take_u32(&r, &upto) || !take_u64(&r, &blen) || (version >= 5 && !take(&r, (8 - r.at % 8) % 8, &pad)) ||
          blen > r.len - r.at || !take(&r, (size_t)blen, &bytes))
        return CORRUPT(err, "invalid snapshot: index %u ends early" BAD, i);
      for (const uint8_t *z = pad; z && z < bytes; z++)
        if (*z) return CORRUPT(err, "invalid snapshot: index %u: bytes where zeros belong" BAD, i);
      if (blen == 0) {
        if (upto) return CORRUPT(err, "invalid snapshot: index %u covers rows it does not hold" BAD, i);
        continue;
      }
      if (!v.built || upto > part->n_rows)
        return CORRUPT(err, "invalid snapshot: index %u does not fit partition %zu" BAD, i, p);
      pt_index *ix = NULL;
      /* its section was summed; in a block, its arrays may stay there */
      if ((rc = pt_index_load_in(bytes, (size_t)blen, true, block, &ix, err))) return rc;
      const pt_index_params *ip = pt_index_get_params(ix);
      bool fits = ip->type == v.p.type && ip->metric == v.p.metric && ip->dim == v.p.dim && ip->M == v.p.M &&
                  ip->ef_construction == v.p.ef_construction && ip->nlist == v.p.nlist && ip->refine == v.p.refine &&
                  ip->elem == v.p.elem && ip->refine_type == v.p.refine_type;
      fits = fits && pt_index_rows_below(ix, upto);
      if (!fits) {
        pt_index_free(ix);
        return CORRUPT(err, "invalid snapshot: index %u does not match its definition or partition %zu" BAD, i, p);
      }
      part->vix[i] = (pt_part_vix){ix, upto, v.field};
    }
  }
  if (r.at != r.len) return CORRUPT(err, "invalid snapshot: bytes left after the indexes" BAD);
  return PT_OK;
}

void pt_snapshot_reseal(uint8_t *b, size_t len) {
  if (len < HEADER_BYTES) return;
  uint32_t version = get_u32(b + 8);
  bool v4 = version >= 4;
  uint64_t chain = v4 ? pt_hash64(0, b, 28) : pt_crc32(b, 28);
  wbuf w = {b, 28, 0, 0, NULL};
  put_u32(&w, (uint32_t)chain);
  size_t overhead = v4 ? SECTION_OVERHEAD_V4 : SECTION_OVERHEAD, head = v4 ? SECTION_HEAD : 12;
  for (size_t at = HEADER_BYTES; len - at >= overhead;) {
    uint64_t plen = get_u64(b + at + (v4 ? 8 : 4));
    if (v4) plen = (plen + 7) & ~(uint64_t)7;
    if (plen > len - at - overhead) return;
    size_t framed = head + (size_t)plen;
    chain = v4 ? pt_hash64(chain, b + at, framed) : pt_crc32_update(version >= 2 ? (uint32_t)chain : 0, b + at, framed);
    w.at = at + framed;
    if (v4)
      put_u64(&w, chain);
    else
      put_u32(&w, (uint32_t)chain);
    at += framed + (v4 ? 8 : 4);
  }
}

pt_status pt_collection_load(pt_store *s, const uint8_t *b, size_t len, const char *name, size_t name_len,
                             pt_collection **out, pt_error *err) {
  return pt_snapshot_load(s, b, len, false, name, name_len, out, err);
}

pt_status pt_snapshot_load(pt_store *s, const uint8_t *b, size_t len, bool summed, const char *name, size_t name_len,
                           pt_collection **out, pt_error *err) {
  if (out) *out = NULL;
  if (!s || (!b && len))
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_load: missing argument");
  pt_json_hooks_install();
  section *secs = NULL;
  size_t n_secs = 0;
  uint32_t version = 0;
  pt_status rc = check_frame(b ? b : (const uint8_t *)"", len, summed, &secs, &n_secs, &version, err);
  if (rc) return rc;

  /* 1. the collection section */
  pt_collection *c = NULL;
  pt_schema *schema = NULL;
  rbuf r = {secs[0].payload, secs[0].len, 0};
  uint64_t last_ts, last_id, num_partitions;
  uint32_t flags, n_parts;
  pt_str saved_name, schema_text;
  if (!take_u64(&r, &last_ts) || !take_u64(&r, &last_id) || !take_u32(&r, &flags) || !take_u32(&r, &n_parts) ||
      !take_u64(&r, &num_partitions) || !take_str(&r, &saved_name) || !take_str(&r, &schema_text) || r.at != r.len) {
    rc = CORRUPT(err, "invalid snapshot: the collection section is malformed" BAD);
    goto fail;
  }
  size_t n_data = version >= 3 ? n_secs - 1 : n_secs; /* the indexes section last */
  if ((flags & ~FLAG_PARTITION_KEY) || n_parts + 1 != n_data || n_parts < 1) {
    rc = CORRUPT(err, "invalid snapshot: the collection section does not match the sections that follow" BAD);
    goto fail;
  }
  if (!name) {
    name = saved_name.ptr;
    name_len = saved_name.len;
  }
  if (pt_collection_find(s, name, name_len)) {
    rc = pt_fail(err, PT_EXISTS, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                 "can't load snapshot: collection %.*s already exists", (int)name_len, name);
    goto fail;
  }
  /* cJSON reports bad text and a failed allocation alike (PT_PARSE): a second try tells a
   * passing allocation failure from bad text */
  rc = pt_schema_from_json(schema_text.ptr, schema_text.len, &schema, err);
  if (rc == PT_PARSE) rc = pt_schema_from_json(schema_text.ptr, schema_text.len, &schema, err);
  if (rc) {
    if (rc != PT_NOMEM) {
      char why[PT_ERROR_MESSAGE_MAX / 2];
      snprintf(why, sizeof why, "%.400s", err ? err->message : "");
      rc = CORRUPT(err, "invalid snapshot: its schema is refused: %s" BAD, why);
    }
    goto fail;
  }
  /* the store's rules for a new collection, as pt_collection_create applies them */
  if ((rc = pt_schema_check_create(schema, name, name_len, !(s->opts.flags & PT_STORE_ALLOW_NO_VECTOR), false, err)))
    goto fail;
  bool part_key = (flags & FLAG_PARTITION_KEY) != 0;
  if (part_key != (schema->partition_key >= 0) ||
      (part_key ? (int64_t)num_partitions != (int64_t)n_parts : num_partitions != 0)) {
    rc = CORRUPT(err, "invalid snapshot: its partitions do not match its schema's partition key" BAD);
    goto fail;
  }
  if (!(c = pt_calloc(1, sizeof *c))) {
    rc = pt_fail_nomem(err);
    goto fail;
  }
  c->store = s;
  c->schema = schema;
  schema = NULL;
  c->name_len = name_len;
  c->partition_key_mode = part_key;
  c->num_partitions = part_key ? (int64_t)num_partitions : 0;
  if (!(c->name = pt_strndup(name, name_len)) || pt_layout_build(c)) {
    rc = pt_fail_nomem(err);
    goto fail;
  }

  /* 2. the partitions: from a log record of a block the host named (pt_store_log_source) that
   * is at least half of it, full segments keep their fixed-width columns in the block (version
   * 4 lays them out 8-aligned for it; an older snapshot is copied) */
  uint8_t *block = NULL;
  uintptr_t from = (uintptr_t)s->wal.src, here = (uintptr_t)b;
  if (summed && version >= 4 && s->wal.src && here >= from && here - from <= s->wal.src_len && len <= s->wal.src_len - (here - from) &&
      len >= s->wal.src_len / 2)
    block = s->wal.src;
  for (size_t i = 1; i < n_data; i++)
    if ((rc = load_partition(c, i - 1, secs[i].payload, secs[i].len, version, block, err))) goto fail;
  if (version >= 3 && (rc = load_indexes(c, secs[n_data].payload, secs[n_data].len, version, block, err))) goto fail;
  /* the float rows a load from a checkpoint named for cold rows left out: cold, or copied now */
  if ((rc = pt_cold_loaded(c))) {
    rc = pt_fail_nomem(err);
    goto fail;
  }

  /* 3. attach: the only step that changes the store (after its log record, when recording) */
  pt_walw w;
  pt_wal_begin(&w, &s->wal, PT_LOG_LOAD);
  pt_wal_item(&w, name == saved_name.ptr ? NULL : name, name_len);
  pt_wal_item(&w, b, len);
  if (pt_wal_ready(&w) || PT_GROW(&s->colls, &s->colls_cap, s->n_colls + 1)) {
    pt_wal_cancel(&w);
    rc = pt_fail_nomem(err);
    goto fail;
  }
  c->id = ++s->next_collection_id;
  s->colls[s->n_colls++] = c;
  s->generation++;
  if (last_ts > s->last_ts) s->last_ts = last_ts;
  if (last_id > s->last_id) s->last_id = last_id;
  pt_wal_end_now(&w, s);
  pt_free(secs);
  if (out) *out = c;
  pt_error_clear(err);
  return PT_OK;

fail:
  pt_schema_free(schema);
  pt_collection_destroy(c);
  pt_free(secs);
  return rc;
}
