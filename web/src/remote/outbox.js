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
const NODE_ZLIB = 'node:zlib';
const importNode = (name) => import(/* webpackIgnore: true */ /* @vite-ignore */ name);

/** The first bytes of an outbox file (format 1). */
const FILE_MAGIC = encoder.encode('PTOUTBX1');
/** The first and last four bytes of a frame, and as u32 LE. */
const FRAME_START_BYTES = encoder.encode('PTRF');
const FRAME_START = new DataView(FRAME_START_BYTES.buffer).getUint32(0, true);
const FRAME_END = new DataView(encoder.encode('PTEN').buffer).getUint32(0, true);
const PREFIX = 20;
const TRAILER = 8;

/**
 * An outbox in a file, as an append-only log behind FILE_MAGIC of frames:
 *   u32 FRAME_START | u32 total length | u32 header length | u32 CRC-32 of header, rows and
 *   offsets | u32 CRC-32 of the 16 bytes before | header JSON | rows bytes | offsets (u32 LE) |
 *   u32 total length | u32 FRAME_END
 * where a header is { id, meta, rows: byteLength, n } for a record and { id, done: true } when
 * it was acknowledged. The file is emptied when nothing is pending (compact), so it stays as
 * small as the backlog.
 *
 * Crashes: a frame is written at the end of the last good one, so a crash can only leave the
 * frame being written cut short (followed, after a power loss, by zeros or garbage). The first
 * load() or write of a program finds the last good frame and cuts the file there, so nothing is
 * ever appended behind torn bytes. A bad frame that was written to its end (its trailer is
 * there) or that good frames follow was damaged afterwards (a flipped bit): it is never
 * returned, and the file is refused as it is (load() and writes reject, nothing is cut), since
 * it holds acknowledged records.
 */
export class FileOutbox {
  #path;
  #fsync;
  #fh = null;
  #chain = Promise.resolve();
  #fs = null;
  #crc32 = null;
  /** Where the next frame goes (null: the file has not been checked yet). */
  #end = null;
  /** Why the file is refused (damaged, or not an outbox). */
  #refused = null;

  /** @param {string} path @param {{ fsync?: boolean }} [options] */
  constructor(path, { fsync = false } = {}) {
    this.#path = path;
    this.#fsync = fsync;
  }

  get path() {
    return this.#path;
  }

  async #modules() {
    if (this.#fs) return;
    const zlib = await importNode(NODE_ZLIB);
    if (typeof zlib.crc32 !== 'function') throw new Error('FileOutbox needs zlib.crc32 (Node 20.15 or later)');
    this.#crc32 = zlib.crc32;
    this.#fs = await importNode(NODE_FS);
  }

  async #open() {
    if (this.#fh) return this.#fh;
    await this.#modules();
    const { O_RDWR, O_CREAT } = this.#fs.constants;
    this.#fh = await this.#fs.open(this.#path, O_RDWR | O_CREAT);
    return this.#fh;
  }

  /** Runs operations one after another, in call order. */
  #serial(fn) {
    const next = this.#chain.then(fn);
    this.#chain = next.catch(() => {});
    return next;
  }

  #damaged(at, what) {
    return new Error(
      `outbox file ${this.#path} is damaged at byte ${at} (${what}); it holds acknowledged records, so it is left as it is: ` +
        'move it away to start with an empty outbox',
    );
  }

  /**
   * Reads the file's records and cuts off a torn last frame (or refuses the file); sets #end.
   * Runs in the chain, before any write of this program.
   */
  async #recover() {
    if (this.#refused) throw this.#refused;
    await this.#modules();
    let buf;
    try {
      buf = await this.#fs.readFile(this.#path);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
      this.#end = 0;
      return [];
    }
    const { records, end } = this.#scan(buf);
    if (end < buf.length) {
      // a frame (or the file's first bytes) cut short by a crash: cut it off
      const fh = await this.#open();
      await fh.truncate(end);
      if (this.#fsync) await fh.datasync();
    }
    this.#end = end;
    return [...records.values()];
  }

  /** The records of a file's bytes, and where its good frames end; throws when it is damaged. */
  #scan(buf) {
    const records = new Map();
    const n = FILE_MAGIC.length;
    const magic = buf.subarray(0, n);
    if (!magic.equals(FILE_MAGIC.subarray(0, magic.length))) {
      this.#refused = new Error(`${this.#path} is not a partita outbox file (of this format); it is left as it is`);
      throw this.#refused;
    }
    if (buf.length <= n) return { records, end: buf.length < n ? 0 : n };
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let at = n;
    while (at < buf.length) {
      const frame = this.#frame(buf, dv, at);
      if (!frame) {
        // cut short by a crash, unless it was written to its end or good frames follow
        const why = this.#written(buf, dv, at);
        if (why) {
          this.#refused = this.#damaged(at, why);
          throw this.#refused;
        }
        break;
      }
      const { header, body, total } = frame;
      const key = header.id.join('.');
      if (header.done) {
        records.delete(key);
      } else {
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
    return { records, end: at };
  }

  /** The frame at `at` when it is whole and its checksums hold: { header, body, total }; else null. */
  #frame(buf, dv, at) {
    if (at + PREFIX + TRAILER > buf.length || dv.getUint32(at, true) !== FRAME_START) return null;
    if (this.#crc32(buf.subarray(at, at + 16)) !== dv.getUint32(at + 16, true)) return null;
    const total = dv.getUint32(at + 4, true), hlen = dv.getUint32(at + 8, true);
    if (total < PREFIX + hlen + TRAILER || at + total > buf.length) return null;
    const end = at + total - TRAILER;
    if (this.#crc32(buf.subarray(at + PREFIX, end)) !== dv.getUint32(at + 12, true)) return null;
    let header = null;
    try {
      header = JSON.parse(decoder.decode(buf.subarray(at + PREFIX, at + PREFIX + hlen)));
    } catch {
      // checked below
    }
    const body = at + PREFIX + hlen;
    const id = header?.id;
    const shaped =
      Array.isArray(id) && id.length === 2 && id.every(Number.isSafeInteger) &&
      (header.done === true
        ? body === end
        : header.meta !== undefined &&
          (header.rows === undefined
            ? body === end
            : Number.isSafeInteger(header.rows) && Number.isSafeInteger(header.n) && header.n >= 0 &&
              body + header.rows + (header.n + 1) * 4 === end));
    // checksums that hold around a header of another shape: written so by a bug, not torn
    if (!shaped) throw this.#refused = this.#damaged(at, 'a frame of an unknown shape');
    return { header, body, total };
  }

  /**
   * Why the bad frame at `at` was not cut short by a crash, or null when it was: its trailer is
   * where its length says (it was written to its end), or a good frame follows it.
   */
  #written(buf, dv, at) {
    // at any end (the length in the prefix may be what was damaged)
    for (let e = at + PREFIX + TRAILER; e <= buf.length; e++)
      if (dv.getUint32(e - 4, true) === FRAME_END && dv.getUint32(e - 8, true) === e - at)
        return 'a frame written whole whose checksum fails';
    for (let p = buf.indexOf(FRAME_START_BYTES, at + 1); p >= 0; p = buf.indexOf(FRAME_START_BYTES, p + 1))
      if (this.#frame(buf, dv, p)) return `a bad frame before a good one at byte ${p}`;
    return null;
  }

  load() {
    return this.#serial(() => this.#recover());
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
      if (this.#end === null) await this.#recover();
      if (this.#refused) throw this.#refused;
      const fh = await this.#open();
      await fh.truncate(0);
      this.#end = 0;
    });
  }

  async #append(header, rows, offsets) {
    if (this.#end === null) await this.#recover();
    if (this.#refused) throw this.#refused;
    const h = encoder.encode(JSON.stringify(header));
    const rowsLen = rows ? rows.byteLength : 0, offLen = offsets ? offsets.byteLength : 0;
    const total = PREFIX + h.length + rowsLen + offLen + TRAILER;
    const lead = this.#end === 0 ? FILE_MAGIC.length : 0;
    const out = new Uint8Array(lead + total);
    out.set(FILE_MAGIC.subarray(0, lead));
    const frame = out.subarray(lead);
    const dv = new DataView(out.buffer, lead);
    dv.setUint32(0, FRAME_START, true);
    dv.setUint32(4, total, true);
    dv.setUint32(8, h.length, true);
    frame.set(h, PREFIX);
    if (rows) frame.set(rows, PREFIX + h.length);
    if (offsets) frame.set(new Uint8Array(offsets.buffer, offsets.byteOffset, offLen), PREFIX + h.length + rowsLen);
    dv.setUint32(12, this.#crc32(frame.subarray(PREFIX, total - TRAILER)), true);
    dv.setUint32(16, this.#crc32(frame.subarray(0, 16)), true);
    dv.setUint32(total - 8, total, true);
    dv.setUint32(total - 4, FRAME_END, true);
    const fh = await this.#open();
    try {
      // at the end of the last good frame (a short write goes on where it stopped)
      for (let done = 0; done < out.length; ) done += (await fh.write(out, done, out.length - done, this.#end + done)).bytesWritten;
      if (this.#fsync) await fh.datasync();
    } catch (e) {
      // what was written of the frame goes (if even that fails, the next frame overwrites it)
      await fh.truncate(this.#end).catch(() => {});
      throw e;
    }
    this.#end += out.length;
  }

  async close() {
    await this.#chain;
    const fh = this.#fh;
    this.#fh = null;
    if (fh) await fh.close();
  }
}

/**
 * An outbox in IndexedDB (browsers, web workers): one object store, records keyed by id. A
 * transaction is whole or absent, so nothing is torn; with `fsync`, writes ask for 'strict'
 * durability (a write resolves once it is on disk, not only in the browser's cache, which the
 * default 'relaxed' of some browsers allows, losing it on a power loss).
 */
export class IndexedDBOutbox {
  #name;
  #db = null;
  #idb;
  #writeOptions;

  /** @param {string} name database name @param {{ indexedDB?: IDBFactory, fsync?: boolean }} [options] */
  constructor(name, { indexedDB = globalThis.indexedDB, fsync = false } = {}) {
    if (!indexedDB) throw new Error('IndexedDB is not available here');
    this.#name = name;
    this.#idb = indexedDB;
    this.#writeOptions = fsync ? { durability: 'strict' } : undefined;
  }

  async #open() {
    this.#db ??= await idbOpen(this.#idb, this.#name, 'outbox', { keyPath: 'id' });
    return this.#db;
  }

  async #tx(mode, fn) {
    return idbTransaction(await this.#open(), 'outbox', mode, fn, mode === 'readwrite' ? this.#writeOptions : undefined);
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
  return isNode ? new FileOutbox(option, { fsync }) : new IndexedDBOutbox(option, { fsync });
}
