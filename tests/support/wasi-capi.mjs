// wasi-capi.mjs — drives the WASI reactor (dist/partita-wasi.wasm) through the C API of
// include/partita.h only, as a WASI host in any language would: pointers, lengths, out-params and
// pt_error. Shared by tests/wasi.test.mjs (Node's WASI, and the JS shim) and the workerd test
// (the shim inside a Worker), so that every host runs the same scenario and is checked alike.
// Struct layouts (pt_error, pt_mutation_result) come from the reactor's pt_wasm_constants().

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A thin caller over the reactor's exports. */
export function capi(exports) {
  const { memory } = exports;
  const u8 = () => new Uint8Array(memory.buffer);
  const dv = () => new DataView(memory.buffer);
  const cstr = (p) => {
    const m = u8();
    let end = p;
    while (m[end]) end++;
    return dec.decode(m.subarray(p, end));
  };
  const layout = JSON.parse(cstr(exports.pt_wasm_constants())).layout;
  const temps = [];
  const alloc = (n) => {
    const p = exports.pt_alloc(n);
    if (!p) throw new Error(`pt_alloc(${n}) failed`);
    temps.push(p);
    return p;
  };
  /** A UTF-8 copy in linear memory: [pointer, byte length]. */
  const str = (s) => {
    const b = enc.encode(s);
    const p = alloc(b.length + 1);
    u8().set(b, p);
    u8()[p + b.length] = 0;
    return [p, b.length];
  };
  const err = alloc(layout.pt_error.size);
  const out = alloc(8);
  const len = alloc(8);
  const error = () => ({
    status: dv().getInt32(err + layout.pt_error.status, true),
    code: dv().getInt32(err + layout.pt_error.code, true),
    message: cstr(err + layout.pt_error.message),
  });
  /** Calls fn; a status other than PT_OK throws pt_error as { code, message }. */
  const check = (status) => {
    if (status !== 0) {
      const e = error();
      throw Object.assign(new Error(e.message), e);
    }
  };
  const outPtr = () => dv().getUint32(out, true);
  /** Text the core allocated at *out (length *len), freed with pt_free. */
  const takeText = () => {
    const p = outPtr(), n = dv().getUint32(len, true);
    const s = dec.decode(u8().slice(p, p + n));
    exports.pt_free(p);
    return s;
  };
  return {
    exports, layout, str, alloc, check, error, out, len, outPtr, takeText, cstr, dv, u8,
    release() {
      for (const p of temps.splice(0)) exports.pt_free(p);
    },
  };
}

/**
 * Creates a collection with a partition, upserts, queries, searches and provokes an error,
 * through partita.h's functions. Returns plain data for the caller to check.
 */
export function scenario(exports) {
  const c = capi(exports);
  const { layout, str, check } = c;
  const e = exports;
  const res = { version: c.cstr(e.pt_version()) };
  try {
    check(e.pt_store_open(0, c.out));
    const store = c.outPtr();

    const schema = JSON.stringify({
      fields: [
        { name: 'film_id', dtype: 5, is_primary: true },
        { name: 'films', dtype: 101, dim: 2 },
        { name: 'title', dtype: 21, max_length: 32 },
      ],
    });
    check(e.pt_schema_from_json(...str(schema), c.out, 0));
    const sch = c.outPtr();
    check(e.pt_collection_create(store, ...str('films'), sch, 0, c.out, 0));
    const coll = c.outPtr();
    e.pt_schema_free(sch);
    check(e.pt_partition_create(coll, ...str('comedy'), 0));
    res.partitions = Array.from({ length: e.pt_collection_num_partitions(coll) }, (_, i) => c.cstr(e.pt_collection_partition_name(coll, i, 0)));

    // upsert: PT_OP_UPSERT = 2
    const rows = JSON.stringify(Array.from({ length: 10 }, (_, i) => ({ film_id: i, films: [i, i], title: `t${i}` })));
    const mr = c.alloc(layout.pt_mutation_result.size);
    c.u8().fill(0, mr, mr + layout.pt_mutation_result.size);
    check(e.pt_collection_write_json(coll, ...str('comedy'), 2, ...str(rows), 0, mr, 0));
    const L = layout.pt_mutation_result;
    res.upsert_count = Number(c.dv().getBigUint64(mr + L.upsert_count, true));
    res.timestamp = c.dv().getBigUint64(mr + L.timestamp, true) > 0n;
    const keysPtr = c.dv().getUint32(mr + L.int_keys, true);
    res.primary_keys = Array.from({ length: Number(c.dv().getBigUint64(mr + L.n_keys, true)) }, (_, i) => Number(c.dv().getBigInt64(keysPtr + i * 8, true)));
    e.pt_mutation_result_clear(mr);
    res.num_entities = Number(e.pt_collection_num_entities(coll, ...str('comedy')));

    // query
    check(e.pt_collection_query(coll, ...str(JSON.stringify({ expr: 'film_id in [2, 4]', output_fields: ['title'] })), c.out, 0));
    const qrows = c.outPtr();
    check(e.pt_rows_to_json(qrows, 0, c.out, c.len, 0));
    res.query = JSON.parse(c.takeText());
    e.pt_rows_free(qrows);

    // search: one float32 query vector
    const vec = c.alloc(8);
    new Float32Array(c.u8().buffer, vec, 2).set([3.1, 3.1]);
    const req = { anns_field: 'films', metric_type: 'L2', limit: 2, nq: 1, vector_kind: 'float32', output_fields: ['title'] };
    check(e.pt_collection_search(coll, ...str(JSON.stringify(req)), vec, 8, c.out, 0));
    const sr = c.outPtr();
    check(e.pt_search_to_json(sr, 0, c.out, c.len, 0));
    res.search = JSON.parse(c.takeText());
    e.pt_search_free(sr);

    // an error: Milvus's code and message through pt_error
    res.bad_status = e.pt_collection_query(coll, ...str(JSON.stringify({ expr: 'film_id >' })), c.out, 0);
    const err = c.alloc(layout.pt_error.size);
    e.pt_collection_query(coll, ...str(JSON.stringify({ expr: 'title > 1' })), c.out, err);
    res.error = {
      code: c.dv().getInt32(err + layout.pt_error.code, true),
      message: c.cstr(err + layout.pt_error.message),
    };
    e.pt_store_close(store);
  } finally {
    c.release();
  }
  return res;
}

/** What scenario() must return, for every host. */
export const EXPECTED = {
  partitions: ['_default', 'comedy'],
  upsert_count: 10,
  timestamp: true,
  primary_keys: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  num_entities: 10,
  query: [{ film_id: 2, title: 't2' }, { film_id: 4, title: 't4' }],
  search: [{ film_id: 3, title: 't3', distance: 0.019999962 }, { film_id: 4, title: 't4', distance: 1.6199999 }],
  bad_status: 9,
};
