/*
 * merge.c — values computed by a merge-mode upsert (PT_WRITE_MERGE) from the row it replaces:
 * ARRAY fields under ARRAY_APPEND / ARRAY_REMOVE, and the dynamic part merged key by key.
 * Milvus's rules (proxy/task_upsert.go, typeutil ApplyArrayRowOp, the MEP "Array Field Partial
 * Update Operators"): APPEND keeps order and duplicates, base first; REMOVE drops every match
 * and keeps the order of the rest; floats compare as IEEE numbers; a null payload changes
 * nothing (write.c never asks for that row), a null base is empty for both, and the result is
 * valid (typeutil's merge flips the row's ValidData). Dynamic keys: docs userguide upsert-entities.md, "Upsert keys in the dynamic
 * field": in merge mode the keys given are merged into the stored ones.
 *
 * HOW IT WORKS
 * Every result goes into a pt_merged: one byte buffer per column, a state, an offset and a size
 * per batch row. write.c asks for each cell before it reserves anything, so an allocation that
 * fails here leaves the store untouched, and commit copies the bytes like any other value.
 * REMOVE sorts the given elements once and looks every stored element up by binary search, so
 * hostile payloads cost (n + m) log m, not n * m; the dynamic merge hashes the given keys once.
 */
#include "merge.h"

#include <stdlib.h>

#include "json.h"
#include "pkindex.h"
#include "schema.h"

/* ============================================================================================
 * The side buffer
 * ========================================================================================== */

pt_status pt_merged_init(pt_merged *m, size_t n) {
  memset(m, 0, sizeof *m);
  if (!n) return PT_OK;
  if (!(m->state = pt_calloc(n, 1)) || !(m->at = pt_calloc(n, sizeof *m->at)) ||
      !(m->size = pt_calloc(n, sizeof *m->size)))
    return PT_NOMEM;
  return PT_OK;
}

void pt_merged_release(pt_merged *m) {
  pt_free(m->state);
  pt_free(m->at);
  pt_free(m->size);
  pt_free(m->bytes);
  memset(m, 0, sizeof *m);
}

/* Room for `n` bytes of row r's value; *out is where they go. */
static pt_status reserve(pt_merged *m, size_t r, size_t n, uint8_t **out) {
  if (PT_GROW(&m->bytes, &m->cap, m->len + n + 1)) return PT_NOMEM;
  m->at[r] = m->len;
  *out = m->bytes + m->len;
  return PT_OK;
}

static void commit(pt_merged *m, size_t r, size_t n) {
  m->size[r] = (uint32_t)n;
  m->len += n;
  m->state[r] = PT_MERGED_VALUE;
}

/* ============================================================================================
 * ARRAY values (encoded as batch.c writes them: uint32 count, then packed elements, or for
 * VARCHAR elements count x (uint32 length, bytes))
 * ========================================================================================== */

static uint32_t get_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

/* One element of a packed array as a number that compares as Milvus compares it (Go's ==):
 * integers exactly, floats as IEEE values (so -0.0 is 0.0). */
typedef union elem_key {
  int64_t i;
  double d;
} elem_key;

static elem_key read_elem(int elem, const uint8_t *p) {
  elem_key k;
  k.i = 0;
  switch (elem) {
  case PT_BOOL: k.i = p[0] != 0; break;
  case PT_INT8: { int8_t x; memcpy(&x, p, 1); k.i = x; break; }
  case PT_INT16: { int16_t x; memcpy(&x, p, 2); k.i = x; break; }
  case PT_INT32: { int32_t x; memcpy(&x, p, 4); k.i = x; break; }
  case PT_INT64: memcpy(&k.i, p, 8); break;
  case PT_FLOAT: { float x; memcpy(&x, p, 4); k.d = (double)x + 0.0; break; }
  case PT_DOUBLE: { double x; memcpy(&x, p, 8); k.d = x + 0.0; break; }
  default: break;
  }
  return k;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = ((const elem_key *)a)->i, y = ((const elem_key *)b)->i;
  return (x > y) - (x < y);
}

/* Stored arrays hold finite floats only (batch.c refuses NaN), so < and > order them all. */
static int cmp_f64(const void *a, const void *b) {
  double x = ((const elem_key *)a)->d, y = ((const elem_key *)b)->d;
  return (x > y) - (x < y);
}

typedef struct str_key {
  const uint8_t *p;
  uint32_t len;
} str_key;

static int cmp_str(const void *a, const void *b) {
  const str_key *x = a, *y = b;
  if (x->len != y->len) return x->len < y->len ? -1 : 1;
  return x->len ? memcmp(x->p, y->p, x->len) : 0;
}

static bool is_float(int elem) { return elem == PT_FLOAT || elem == PT_DOUBLE; }

/* REMOVE: the stored elements that no given element equals, in their order. */
static pt_status array_remove(pt_merged *m, size_t r, int elem, const uint8_t *base, size_t base_len,
                              const uint8_t *pay) {
  uint32_t nb = get_u32(base), np = get_u32(pay);
  uint8_t *out;
  if (reserve(m, r, base_len, &out)) return PT_NOMEM;
  if (nb == 0 || np == 0) { /* nothing to remove: the stored value as it is */
    memcpy(out, base, base_len);
    commit(m, r, base_len);
    return PT_OK;
  }
  size_t at = 4;
  uint32_t kept = 0;
  if (elem == PT_VARCHAR) {
    str_key *keys = pt_malloc((size_t)np * sizeof *keys);
    if (!keys) return PT_NOMEM;
    for (size_t k = 0, pos = 4; k < np; k++) {
      keys[k].len = get_u32(pay + pos);
      keys[k].p = pay + pos + 4;
      pos += 4 + keys[k].len;
    }
    qsort(keys, np, sizeof *keys, cmp_str);
    for (size_t k = 0, pos = 4; k < nb; k++) {
      str_key e = {base + pos + 4, get_u32(base + pos)};
      size_t sz = 4 + e.len;
      if (!bsearch(&e, keys, np, sizeof *keys, cmp_str)) {
        memcpy(out + at, base + pos, sz);
        at += sz;
        kept++;
      }
      pos += sz;
    }
    pt_free(keys);
  } else {
    size_t esz = pt_dtype_scalar_size(elem);
    int (*cmp)(const void *, const void *) = is_float(elem) ? cmp_f64 : cmp_i64;
    elem_key *keys = pt_malloc((size_t)np * sizeof *keys);
    if (!keys) return PT_NOMEM;
    for (size_t k = 0; k < np; k++) keys[k] = read_elem(elem, pay + 4 + k * esz);
    qsort(keys, np, sizeof *keys, cmp);
    for (size_t k = 0; k < nb; k++) {
      elem_key e = read_elem(elem, base + 4 + k * esz);
      if (!bsearch(&e, keys, np, sizeof *keys, cmp)) {
        memcpy(out + at, base + 4 + k * esz, esz);
        at += esz;
        kept++;
      }
    }
    pt_free(keys);
  }
  memcpy(out, &kept, 4);
  commit(m, r, at);
  return PT_OK;
}

pt_status pt_merge_array(pt_merged *m, size_t r, int op, int elem, int64_t max_capacity, const uint8_t *base,
                         size_t base_len, bool base_null, const uint8_t *pay, size_t pay_len, uint32_t *count) {
  if (op == PT_FIELD_OP_ARRAY_REMOVE) {
    if (base_null) { /* nothing to remove from: the row becomes an empty array (Milvus flips it valid) */
      static const uint8_t empty[4] = {0, 0, 0, 0};
      return array_remove(m, r, elem, empty, sizeof empty, pay);
    }
    return array_remove(m, r, elem, base, base_len, pay);
  }
  /* APPEND: the stored elements, then the given ones */
  uint32_t nb = base_null ? 0 : get_u32(base), np = get_u32(pay);
  *count = nb + np;
  if ((int64_t)nb + np > max_capacity) return PT_RANGE;
  size_t body_b = nb ? base_len - 4 : 0, body_p = pay_len - 4, total = 4 + body_b + body_p;
  uint8_t *out;
  if (reserve(m, r, total, &out)) return PT_NOMEM;
  uint32_t n = nb + np;
  memcpy(out, &n, 4);
  if (body_b) memcpy(out + 4, base + 4, body_b);
  if (body_p) memcpy(out + 4 + body_b, pay + 4, body_p);
  commit(m, r, total);
  return PT_OK;
}

/* ============================================================================================
 * The dynamic part
 * ========================================================================================== */

/* One member of a canonical object: its key as written (with its quotes) and its value. */
typedef struct member {
  pt_str key, value;
} member;

/* The members of canonical object text (empty text: none); *n gets their count. */
static pt_status members(pt_str t, member **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (t.len < 2) return PT_OK;
  size_t count = 0, cap = 0, cur = pt_json_enter(t);
  member *ms = NULL;
  while (cur < t.len && t.ptr[cur] != '}') {
    member mb;
    mb.value = pt_json_next(t, &cur, &mb.key);
    if (PT_GROW(&ms, &cap, count + 1)) {
      pt_free(ms);
      return PT_NOMEM;
    }
    ms[count++] = mb;
  }
  *out = ms;
  *n = count;
  return PT_OK;
}

/* Open addressing over the given members: slot -> index of the last member with that key + 1
 * (0: empty). */
typedef struct keyset {
  size_t *slots;
  size_t mask;
} keyset;

static size_t keyset_find(const keyset *ks, const member *ms, pt_str key, uint64_t h) {
  for (size_t i = (size_t)h & ks->mask;; i = (i + 1) & ks->mask) {
    size_t s = ks->slots[i];
    if (!s || pt_str_eq(ms[s - 1].key.ptr, ms[s - 1].key.len, key.ptr, key.len)) return i;
  }
}

pt_status pt_merge_dynamic(pt_merged *m, size_t r, pt_str stored, pt_str given, size_t *len) {
  member *sm = NULL, *gm = NULL;
  size_t ns = 0, ng = 0;
  keyset ks = {NULL, 0};
  uint8_t *done = NULL, *out;
  pt_status rc = PT_NOMEM;
  if (members(stored, &sm, &ns) || members(given, &gm, &ng)) goto fail;
  size_t cap = 8;
  while (cap < 2 * ng) cap <<= 1;
  if (!(ks.slots = pt_calloc(cap, sizeof *ks.slots)) || (ng && !(done = pt_calloc(ng, 1)))) goto fail;
  ks.mask = cap - 1;
  for (size_t i = 0; i < ng; i++) /* later members of one key replace earlier ones */
    ks.slots[keyset_find(&ks, gm, gm[i].key, pt_hash_bytes(gm[i].key.ptr, gm[i].key.len))] = i + 1;
  if (reserve(m, r, stored.len + given.len + 2, &out)) goto fail;
  size_t at = 0;
  out[at++] = '{';
#define PUT_MEMBER(k, v)                         \
  do {                                           \
    if (at > 1) out[at++] = ',';                 \
    memcpy(out + at, (k).ptr, (k).len);          \
    at += (k).len;                               \
    out[at++] = ':';                             \
    memcpy(out + at, (v).ptr, (v).len);          \
    at += (v).len;                               \
  } while (0)
  /* 1. the stored members where they stand, a given key's value replacing the stored one */
  for (size_t i = 0; i < ns; i++) {
    size_t s = ks.slots[keyset_find(&ks, gm, sm[i].key, pt_hash_bytes(sm[i].key.ptr, sm[i].key.len))];
    if (!s) {
      PUT_MEMBER(sm[i].key, sm[i].value);
    } else if (!done[s - 1]) {
      done[s - 1] = 1;
      PUT_MEMBER(sm[i].key, gm[s - 1].value);
    } /* a stored key written twice: its first place takes the given value, the rest go */
  }
  /* 2. the given keys that were not stored, in their order */
  for (size_t i = 0; i < ng; i++) {
    size_t s = ks.slots[keyset_find(&ks, gm, gm[i].key, pt_hash_bytes(gm[i].key.ptr, gm[i].key.len))];
    if (done[s - 1]) continue;
    done[s - 1] = 1;
    PUT_MEMBER(gm[i].key, gm[s - 1].value);
  }
#undef PUT_MEMBER
  out[at++] = '}';
  commit(m, r, at);
  *len = at;
  rc = PT_OK;
fail:
  pt_free(sm);
  pt_free(gm);
  pt_free(ks.slots);
  pt_free(done);
  return rc;
}
