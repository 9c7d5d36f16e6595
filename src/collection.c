/*
 * collection.c — the store, its clock, collections and their partitions.
 */
#include "store.h"

#include <stdio.h>
#include <time.h>

#include "cJSON.h"

/* ============================================================================================
 * Store and hybrid timestamps
 * ========================================================================================== */


static uint64_t default_clock_ms(void *ctx) {
  (void)ctx;
  struct timespec ts;
  if (timespec_get(&ts, TIME_UTC) != TIME_UTC) return 0;
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t now_ms(const pt_store *s) { return s->opts.clock_ms(s->opts.clock_ctx); }

uint64_t pt_store_next_ts(pt_store *s) {
  if (s->wal.applying && s->wal.force_ts) { /* a log record: the timestamp it had */
    if (s->wal.force_ts > s->last_ts) s->last_ts = s->wal.force_ts;
    return s->wal.force_ts;
  }
  /* physical << 18 | logical, as Milvus's TSO; never backwards, even if the clock is */
  uint64_t ts = now_ms(s) << PT_TS_LOGICAL_BITS;
  if (ts <= s->last_ts) ts = s->last_ts + 1;
  s->last_ts = ts;
  return ts;
}

int64_t pt_store_next_ids(pt_store *s, uint64_t n) {
  /* auto_id keys come from the same kind of clock as Milvus's ID allocator: unique, increasing
   * and positive; a batch takes a consecutive range (a log record: the range it had) */
  uint64_t first = now_ms(s) << PT_TS_LOGICAL_BITS;
  if (s->wal.applying && s->wal.force_id) first = s->wal.force_id;
  else if (first <= s->last_id) first = s->last_id + 1;
  if (first + n - 1 > s->last_id) s->last_id = first + n - 1;
  s->wal.first_id = first;
  return (int64_t)first;
}

pt_status pt_store_open(const pt_store_options *opts, pt_store **out) {
  if (!out) return PT_MISUSE;
  *out = NULL;
  pt_store *s = pt_calloc(1, sizeof *s);
  if (!s) return PT_NOMEM;
  if (opts) s->opts = *opts;
  if (!s->opts.clock_ms) s->opts.clock_ms = default_clock_ms;
  if (s->opts.compact_ratio == 0 || s->opts.compact_ratio != s->opts.compact_ratio) s->opts.compact_ratio = 0.5;
  *out = s;
  return PT_OK;
}

void pt_collection_forget_request(pt_collection *c) {
  cJSON_Delete(c->last_request_root);
  pt_free(c->last_request);
  c->last_request_root = NULL;
  c->last_request = NULL;
  c->last_request_len = 0;
}

void pt_collection_destroy(pt_collection *c) {
  if (!c) return;
  for (size_t i = 0; i < c->n_parts; i++) pt_partition_free(c->parts[i], &c->layout);
  pt_free(c->parts);
  for (size_t i = 0; i < c->n_vindexes; i++) pt_vindex_release(&c->vindexes[i]);
  pt_free(c->vindexes);
  pt_collection_forget_request(c);
  pt_free(c->layout.row_bytes);
  pt_free(c->layout.nullable);
  pt_schema_free(c->schema);
  pt_free(c->name);
  pt_free(c);
}

void pt_store_close(pt_store *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n_colls; i++) pt_collection_destroy(s->colls[i]);
  pt_free(s->colls);
  pt_free(s->wal.buf);
  pt_cold_state_free(&s->cold);
  pt_free(s);
}

size_t pt_store_num_collections(const pt_store *s) { return s ? s->n_colls : 0; }

uint32_t pt_store_generation(const pt_store *s) { return s ? s->generation : 0; }

const char *pt_store_collection_name(const pt_store *s, size_t i, size_t *len) {
  if (!s || i >= s->n_colls) return NULL;
  if (len) *len = s->colls[i]->name_len;
  return s->colls[i]->name;
}

/* ============================================================================================
 * Collections
 * ========================================================================================== */

pt_collection *pt_collection_find(pt_store *s, const char *name, size_t len) {
  if (!s || !name) return NULL;
  for (size_t i = 0; i < s->n_colls; i++)
    if (pt_str_eq(s->colls[i]->name, s->colls[i]->name_len, name, len)) return s->colls[i];
  return NULL;
}

/* Chooses the segment size: about 4 MB of fixed-width data, between 64 and 65536 rows. */
pt_status pt_layout_build(pt_collection *c) {
  const pt_schema *s = c->schema;
  pt_layout *lay = &c->layout;
  lay->n_cols = s->n_fields + (s->enable_dynamic_field ? 1 : 0);
  lay->pk = s->primary;
  lay->dynamic = s->enable_dynamic_field ? (int)s->n_fields : -1;
  if (!(lay->row_bytes = pt_calloc(lay->n_cols, sizeof *lay->row_bytes))) return PT_NOMEM;
  if (!(lay->nullable = pt_calloc(lay->n_cols, sizeof *lay->nullable))) return PT_NOMEM;
  size_t per_row = 8; /* next link + bitmaps */
  for (size_t i = 0; i < s->n_fields; i++) {
    const pt_field *f = &s->fields[i];
    lay->row_bytes[i] = (size_t)f->width * f->elem_size;
    lay->nullable[i] = f->nullable;
    per_row += lay->row_bytes[i] ? lay->row_bytes[i] : 16;
  }
  uint32_t shift = 6;
  while (shift < 16 && ((size_t)1 << (shift + 1)) * per_row <= ((size_t)4 << 20)) shift++;
  lay->seg_shift = shift;
  lay->seg_mask = (1u << shift) - 1;
  return PT_OK;
}

pt_status pt_collection_add_partition(pt_collection *c, const char *name, size_t len) {
  if (PT_GROW(&c->parts, &c->parts_cap, c->n_parts + 1)) return PT_NOMEM;
  pt_partition *p = pt_partition_new(name, len, c->schema->fields[c->schema->primary].dtype == PT_VARCHAR);
  if (!p) return PT_NOMEM;
  c->parts[c->n_parts++] = p;
  return PT_OK;
}

pt_status pt_collection_create(pt_store *s, const char *name, size_t name_len,
                               const pt_schema *schema, const pt_collection_options *options,
                               pt_collection **out, pt_error *err) {
  if (!s || !name || !schema || !out)
    return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_collection_create: missing argument");
  *out = NULL;
  pt_collection_options opts = {0, 0};
  if (options) opts = *options;
  bool orm = (opts.flags & PT_CREATE_ORM) != 0;

  pt_schema *copy = pt_schema_clone(schema);
  if (!copy) return pt_fail_nomem(err);
  pt_status rc = pt_schema_check_create(copy, name, name_len,
                                        !(s->opts.flags & PT_STORE_ALLOW_NO_VECTOR), orm, err);
  if (rc) {
    pt_schema_free(copy);
    return rc;
  }

  pt_collection *existing = pt_collection_find(s, name, name_len);
  if (existing) {
    bool same = pt_schema_equal(existing->schema, copy);
    pt_schema_free(copy);
    if (!same) {
      if (orm)
        return pt_fail(err, PT_EXISTS, PT_CODE_CLIENT, PT_EXC_SCHEMA_NOT_READY,
                       "The collection already exist, but the schema is not the same as the schema passed in.");
      return pt_fail(err, PT_EXISTS, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "create duplicate collection with different parameters, collection: %.*s",
                     (int)name_len, name);
    }
    *out = existing;
    pt_error_clear(err);
    return PT_OK;
  }

  bool part_key = copy->partition_key >= 0;
  int64_t nparts = opts.num_partitions;
  if (!part_key && nparts != 0) {
    pt_schema_free(copy);
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "num_partitions should only be specified with partition key field enabled");
  }
  if (part_key && nparts == 0) nparts = 16;
  if (part_key && (nparts < 0 || nparts > PT_MAX_PARTITIONS)) {
    pt_schema_free(copy);
    if (nparts < 0)
      return pt_fail(err, PT_RANGE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                     "the specified partitions should be greater than 0 if partition key is used");
    return pt_fail(err, PT_LIMIT, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "partition number (%lld) exceeds max configuration (%d), collection: %.*s",
                   (long long)nparts, PT_MAX_PARTITIONS, (int)name_len, name);
  }

  pt_collection *c = pt_calloc(1, sizeof *c);
  if (!c) {
    pt_schema_free(copy);
    return pt_fail_nomem(err);
  }
  c->store = s;
  c->id = ++s->next_collection_id;
  c->schema = copy;
  c->name_len = name_len;
  c->partition_key_mode = part_key;
  c->num_partitions = part_key ? nparts : 0;
  if (!(c->name = pt_strndup(name, name_len)) || pt_layout_build(c)) goto nomem;
  if (part_key) {
    for (int64_t i = 0; i < nparts; i++) {
      char pname[32];
      int n = snprintf(pname, sizeof pname, PT_DEFAULT_PARTITION "_%lld", (long long)i);
      if (pt_collection_add_partition(c, pname, (size_t)n)) goto nomem;
    }
  } else if (pt_collection_add_partition(c, PT_DEFAULT_PARTITION, strlen(PT_DEFAULT_PARTITION))) {
    goto nomem;
  }
  /* the log record, with the schema as created; then the only step that changes the store */
  pt_walw w;
  pt_wal_begin(&w, &s->wal, PT_LOG_CREATE_COLLECTION);
  if (w.active) {
    char *text = NULL;
    size_t text_len = 0;
    pt_wal_item(&w, name, name_len);
    if (pt_schema_to_json(c->schema, &text, &text_len)) w.ok = false;
    else pt_wal_item(&w, text, text_len);
    pt_free(text);
    pt_wal_u64(&w, (uint64_t)c->num_partitions);
  }
  if (pt_wal_ready(&w)) goto nomem;
  if (PT_GROW(&s->colls, &s->colls_cap, s->n_colls + 1)) {
    pt_wal_cancel(&w);
    goto nomem;
  }
  s->colls[s->n_colls++] = c;
  s->generation++;
  pt_wal_end_now(&w, s);
  *out = c;
  pt_error_clear(err);
  return PT_OK;
nomem:
  pt_collection_destroy(c);
  return pt_fail_nomem(err);
}

pt_status pt_collection_drop(pt_store *s, const char *name, size_t name_len) {
  if (!s || !name) return PT_MISUSE;
  for (size_t i = 0; i < s->n_colls; i++) {
    if (!pt_str_eq(s->colls[i]->name, s->colls[i]->name_len, name, name_len)) continue;
    pt_walw w;
    pt_wal_begin(&w, &s->wal, PT_LOG_DROP_COLLECTION);
    pt_wal_item(&w, name, name_len);
    if (pt_wal_ready(&w)) return PT_NOMEM;
    pt_collection_destroy(s->colls[i]);
    memmove(&s->colls[i], &s->colls[i + 1], (s->n_colls - i - 1) * sizeof *s->colls);
    s->n_colls--;
    s->generation++;
    pt_wal_end_now(&w, s);
    break;
  }
  return PT_OK;
}

const pt_schema *pt_collection_schema(const pt_collection *c) { return c ? c->schema : NULL; }
const char *pt_collection_name(const pt_collection *c) { return c ? c->name : NULL; }
uint64_t pt_collection_id(const pt_collection *c) { return c ? c->id : 0; }

/* ============================================================================================
 * Partitions
 * ========================================================================================== */

pt_status pt_partition_create(pt_collection *c, const char *name, size_t len, pt_error *err) {
  if (!c || !name) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_partition_create: missing argument");
  if (c->partition_key_mode)
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "disable create partition if partition key mode is used");
  pt_status rc = pt_check_partition_name(name, len, err);
  if (rc) return rc;
  if (pt_partition_find(c, name, len) >= 0) {
    pt_error_clear(err);
    return PT_OK;
  }
  if (c->n_parts >= PT_MAX_PARTITIONS)
    return pt_fail(err, PT_LIMIT, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "partition number (%zu) exceeds max configuration (%d), collection: %s",
                   c->n_parts, PT_MAX_PARTITIONS, c->name);
  pt_walw w;
  pt_wal_begin(&w, &c->store->wal, PT_LOG_CREATE_PARTITION);
  pt_wal_item(&w, c->name, c->name_len);
  pt_wal_item(&w, name, len);
  if (pt_wal_ready(&w)) return pt_fail_nomem(err);
  if (pt_collection_add_partition(c, name, len)) {
    pt_wal_cancel(&w);
    return pt_fail_nomem(err);
  }
  pt_wal_end_now(&w, c->store);
  pt_error_clear(err);
  return PT_OK;
}

pt_status pt_partition_drop(pt_collection *c, const char *name, size_t len, pt_error *err) {
  if (!c || !name) return pt_fail(err, PT_MISUSE, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "pt_partition_drop: missing argument");
  if (c->partition_key_mode)
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS,
                   "disable drop partition if partition key mode is used");
  if (pt_str_eqz(name, len, PT_DEFAULT_PARTITION))
    return pt_fail(err, PT_SCHEMA, PT_CODE_UNEXPECTED, PT_EXC_MILVUS, "default partition cannot be deleted");
  int i = pt_partition_find(c, name, len);
  if (i >= 0) {
    pt_walw w;
    pt_wal_begin(&w, &c->store->wal, PT_LOG_DROP_PARTITION);
    pt_wal_item(&w, c->name, c->name_len);
    pt_wal_item(&w, name, len);
    if (pt_wal_ready(&w)) return pt_fail_nomem(err);
    pt_partition_free(c->parts[i], &c->layout);
    memmove(&c->parts[i], &c->parts[i + 1], (c->n_parts - (size_t)i - 1) * sizeof *c->parts);
    c->n_parts--;
    pt_wal_end_now(&w, c->store);
  }
  pt_error_clear(err);
  return PT_OK;
}

int pt_partition_exists(const pt_collection *c, const char *name, size_t len) {
  return c && name && pt_partition_find(c, name, len) >= 0;
}

size_t pt_collection_num_partitions(const pt_collection *c) { return c ? c->n_parts : 0; }

const char *pt_collection_partition_name(const pt_collection *c, size_t i, size_t *len) {
  if (!c || i >= c->n_parts) return NULL;
  if (len) *len = c->parts[i]->name_len;
  return c->parts[i]->name;
}

uint64_t pt_collection_num_entities(const pt_collection *c, const char *partition, size_t len) {
  if (!c) return 0;
  if (partition) {
    int i = pt_partition_find(c, partition, len);
    return i < 0 ? 0 : c->parts[i]->n_live;
  }
  uint64_t n = 0;
  for (size_t i = 0; i < c->n_parts; i++) n += c->parts[i]->n_live;
  return n;
}
