// outbox.js — where the forwarder keeps mutations that the remote has not acknowledged yet, so
// that they survive a reload or a restart: a file in Node, IndexedDB in browsers and workers
// that have it, or nothing (memory only).
//
// A store holds records { id, meta, rows?, offsets? }: `id` is [epoch, seq] (an epoch per
// forwarder start, so ids never repeat across restarts and sort in the order of the writes),
// `meta` is JSON (kind, collection, partition, request body of non-data operations), `rows` the
// REST row objects as UTF-8 bytes and `offsets` where each row starts (outbox records are what
// the forwarder queue holds, see forward.js). Every method returns a Promise; put() resolves
// once the record is written where it survives the program (in the OS for a file: fsync when
// asked for).

import { idbOpen, idbTransaction } from './idb.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// node:fs is imported only when a FileOutbox is used, by a specifier bundlers leave alone: a
// literal 'node:fs/promises' makes browser bundles fail (esbuild: "Could not resolve").
const NODE_FS = 'node:fs/promises';
const importNodeFs = () => import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS);

/**
 * An outbox in a file, as an append-only log of frames:
 *   u32 total length | u32 header length | header JSON | rows bytes | offsets (u32 LE)
 * where a header is { id, meta, rows: byteLength, n } for a record and { id, done: true } when
 * it was acknowledged. A frame cut short by a crash is ignored on load. The file is emptied when
 * nothing is pending (compact), so it stays as small as the backlog.
 */
export class FileOutbox {
  #path;
  #fsync;
  #fh = null;
  #chain = Promise.resolve();
  #fs = null;

  /** @param {string} path @param {{ fsync?: boolean }} [options] */
  constructor(path, { fsync = false } = {}) {
    this.#path = path;
    this.#fsync = fsync;
  }

  get path() {
    return this.#path;
  }

  async #open() {
    if (this.#fh) return this.#fh;
    this.#fs ??= await importNodeFs();
    this.#fh = await this.#fs.open(this.#path, 'a+');
    return this.#fh;
  }

  /** Runs writes one after another, in call order. */
  #serial(fn) {
    const next = this.#chain.then(fn);
    this.#chain = next.catch(() => {});
    return next;
  }

  async load() {
    this.#fs ??= await importNodeFs();
    let buf;
    try {
      buf = await this.#fs.readFile(this.#path);
    } catch (e) {
      if (e.code === 'ENOENT') return [];
      throw e;
    }
    const records = new Map();
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let at = 0;
    while (at + 8 <= buf.length) {
      const total = dv.getUint32(at, true), hlen = dv.getUint32(at + 4, true);
      if (total < 8 + hlen || at + total > buf.length) break; // cut short
      let header;
      try {
        header = JSON.parse(decoder.decode(buf.subarray(at + 8, at + 8 + hlen)));
      } catch {
        break;
      }
      const key = header.id.join('.');
      if (header.done) {
        records.delete(key);
      } else {
        const body = at + 8 + hlen;
        const rec = { id: header.id, meta: header.meta };
        if (header.rows !== undefined) {
          // copies (a Buffer's slice is a view, at any alignment)
          rec.rows = new Uint8Array(buf.subarray(body, body + header.rows));
          const offs = new Uint8Array(buf.subarray(body + header.rows, body + header.rows + (header.n + 1) * 4));
          rec.offsets = new Uint32Array(offs.buffer, 0, header.n + 1);
        }
        records.set(key, rec);
      }
      at += total;
    }
    return [...records.values()];
  }

  put(rec) {
    const header = { id: rec.id, meta: rec.meta };
    if (rec.rows) {
      header.rows = rec.rows.byteLength;
      header.n = rec.offsets.length - 1;
    }
    return this.#serial(() => this.#append(header, rec.rows, rec.offsets));
  }

  remove(id) {
    return this.#serial(() => this.#append({ id, done: true }));
  }

  /** Empties the file (nothing is pending). */
  compact() {
    return this.#serial(async () => {
      const fh = await this.#open();
      await fh.truncate(0);
    });
  }

  async #append(header, rows, offsets) {
    const h = encoder.encode(JSON.stringify(header));
    const rowsLen = rows ? rows.byteLength : 0, offLen = offsets ? offsets.byteLength : 0;
    const frame = new Uint8Array(8 + h.length + rowsLen + offLen);
    const dv = new DataView(frame.buffer);
    dv.setUint32(0, frame.length, true);
    dv.setUint32(4, h.length, true);
    frame.set(h, 8);
    if (rows) frame.set(rows, 8 + h.length);
    if (offsets) frame.set(new Uint8Array(offsets.buffer, offsets.byteOffset, offLen), 8 + h.length + rowsLen);
    const fh = await this.#open();
    await fh.write(frame);
    if (this.#fsync) await fh.datasync();
  }

  async close() {
    await this.#chain;
    const fh = this.#fh;
    this.#fh = null;
    if (fh) await fh.close();
  }
}

/** An outbox in IndexedDB (browsers, web workers): one object store, records keyed by id. */
export class IndexedDBOutbox {
  #name;
  #db = null;
  #idb;

  /** @param {string} name database name @param {{ indexedDB?: IDBFactory }} [options] */
  constructor(name, { indexedDB = globalThis.indexedDB } = {}) {
    if (!indexedDB) throw new Error('IndexedDB is not available here');
    this.#name = name;
    this.#idb = indexedDB;
  }

  async #open() {
    this.#db ??= await idbOpen(this.#idb, this.#name, 'outbox', { keyPath: 'id' });
    return this.#db;
  }

  async #tx(mode, fn) {
    return idbTransaction(await this.#open(), 'outbox', mode, fn);
  }

  load() {
    return this.#tx('readonly', (store) => {
      const out = { value: [] };
      const req = store.openCursor();
      req.onsuccess = () => {
        const cur = req.result;
        if (!cur) return;
        const r = cur.value;
        out.value.push({ id: r.id, meta: r.meta, rows: r.rows, offsets: r.offsets });
        cur.continue();
      };
      return out;
    });
  }

  put(rec) {
    const value = { id: rec.id, meta: rec.meta };
    if (rec.rows) {
      value.rows = rec.rows;
      value.offsets = rec.offsets;
    }
    return this.#tx('readwrite', (store) => (store.put(value), { value: undefined }));
  }

  remove(id) {
    return this.#tx('readwrite', (store) => (store.delete(id), { value: undefined }));
  }

  compact() {
    return this.#tx('readwrite', (store) => (store.clear(), { value: undefined }));
  }

  async close() {
    if (this.#db) this.#db.close();
    this.#db = null;
  }
}

/**
 * The outbox an `outbox` connection option names: a store object (load/put/remove/compact), a
 * path (Node: a file), or a name (elsewhere: an IndexedDB database). null: memory only.
 */
export function openOutbox(option, { fsync } = {}) {
  if (option === undefined || option === null || option === false) return null;
  if (typeof option === 'object' && typeof option.put === 'function') return option;
  if (typeof option !== 'string' || option === '') throw new TypeError('outbox must be a path / database name or an outbox store');
  const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined && typeof globalThis.indexedDB === 'undefined';
  return isNode ? new FileOutbox(option, { fsync }) : new IndexedDBOutbox(option);
}
