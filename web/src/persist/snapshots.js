// persist/snapshots.js — where snapshots (collection.save() bytes) are kept: a file in Node, OPFS or
// IndexedDB in browsers, or any bytes store with get/put (Workers KV, R2, Durable Objects), and
// an optional autosave. Every adapter is { get(key): Promise<Uint8Array | null>,
// put(key, bytes): Promise<void> }, and put() replaces the previous bytes whole or not at all.

import { Collection, _onMutation } from '../orm/collection.js';
import { CLIENT_ERROR, ParamError } from '../core/errors.js';
import { idbOpen, idbTransaction } from '../remote/idb.js';

function checkKey(key) {
  if (typeof key !== 'string' || key === '') throw new ParamError(CLIENT_ERROR, `a snapshot key must be a non-empty string, got ${String(key)}`);
  return key;
}

function checkAdapter(adapter) {
  if (!adapter || typeof adapter.get !== 'function' || typeof adapter.put !== 'function')
    throw new ParamError(CLIENT_ERROR, 'a snapshot adapter needs get(key) and put(key, bytes) methods');
  return adapter;
}

/**
 * Snapshots as files in a directory (Node): one file per key (the key URI-encoded). put()
 * writes a temporary file, fsyncs it, renames it over the old one and fsyncs the directory, so
 * a crash leaves the old snapshot or the new one, never a torn file.
 */
export class FileAdapter {
  #dir;
  #seq = 0;

  /** @param {string} dir created when missing */
  constructor(dir) {
    if (typeof dir !== 'string' || dir === '') throw new ParamError(CLIENT_ERROR, 'FileAdapter needs a directory path');
    this.#dir = dir;
  }

  get dir() {
    return this.#dir;
  }

  async #path(key) {
    const path = await import('node:path');
    return path.join(this.#dir, encodeURIComponent(checkKey(key)) + '.snapshot');
  }

  async get(key) {
    const fs = await import('node:fs/promises');
    try {
      const buf = await fs.readFile(await this.#path(key));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      if (e.code === 'ENOENT') return null;
      throw e;
    }
  }

  async put(key, bytes) {
    const fs = await import('node:fs/promises');
    const target = await this.#path(key);
    await fs.mkdir(this.#dir, { recursive: true });
    const tmp = `${target}.${process.pid}.${++this.#seq}.tmp`;
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } catch (e) {
      await fh.close();
      await fs.rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    try {
      await fs.rename(tmp, target);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
    // the rename itself survives a crash once the directory is synced (not possible everywhere)
    let dh = null;
    try {
      dh = await fs.open(this.#dir, 'r');
      await dh.sync();
    } catch {
      // Windows cannot open directories: the rename is as durable as the OS makes it
    } finally {
      await dh?.close();
    }
  }

  async delete(key) {
    const fs = await import('node:fs/promises');
    await fs.rm(await this.#path(key), { force: true });
  }
}

/** Snapshots in IndexedDB (browsers, web workers): one object store, the bytes keyed by key;
 * a put is one transaction, so it is whole or absent. */
export class IndexedDBAdapter {
  #name;
  #idb;
  #db = null;

  /** @param {string} [name] database name @param {{ indexedDB?: IDBFactory }} [options] */
  constructor(name = 'partita-snapshots', { indexedDB = globalThis.indexedDB } = {}) {
    if (!indexedDB) throw new ParamError(CLIENT_ERROR, 'IndexedDB is not available here');
    this.#name = name;
    this.#idb = indexedDB;
  }

  async #open() {
    this.#db ??= await idbOpen(this.#idb, this.#name, 'snapshots');
    return this.#db;
  }

  /** fn(store) returns a request; resolves with its result. */
  async #tx(mode, fn) {
    return idbTransaction(await this.#open(), 'snapshots', mode, (store) => {
      const req = fn(store);
      return { get value() { return req.result; } };
    });
  }

  async get(key) {
    const v = await this.#tx('readonly', (s) => s.get(checkKey(key)));
    return v === undefined ? null : new Uint8Array(v);
  }

  async put(key, bytes) {
    checkKey(key);
    // a copy of exactly the bytes (a view may share a larger buffer)
    await this.#tx('readwrite', (s) => s.put(bytes.slice().buffer, key));
  }

  async delete(key) {
    await this.#tx('readwrite', (s) => s.delete(checkKey(key)));
  }

  close() {
    this.#db?.close();
    this.#db = null;
  }
}

/** Snapshots in the Origin Private File System (browsers): one file per key in a directory.
 * A writable stream writes to a swap file that replaces the file only on close(), so a put is
 * whole or absent. */
export class OPFSAdapter {
  #dirName;
  #root;

  /** @param {string} [dirName] @param {{ root?: () => Promise<FileSystemDirectoryHandle> }} [options] */
  constructor(dirName = 'partita-snapshots', { root } = {}) {
    const storage = globalThis.navigator?.storage;
    this.#root = root ?? (storage?.getDirectory ? () => storage.getDirectory() : null);
    if (!this.#root) throw new ParamError(CLIENT_ERROR, 'OPFS (navigator.storage.getDirectory) is not available here');
    this.#dirName = dirName;
  }

  async #dir() {
    return (await this.#root()).getDirectoryHandle(this.#dirName, { create: true });
  }

  async get(key) {
    let fh;
    try {
      fh = await (await this.#dir()).getFileHandle(encodeURIComponent(checkKey(key)));
    } catch (e) {
      if (e?.name === 'NotFoundError') return null;
      throw e;
    }
    return new Uint8Array(await (await fh.getFile()).arrayBuffer());
  }

  async put(key, bytes) {
    const fh = await (await this.#dir()).getFileHandle(encodeURIComponent(checkKey(key)), { create: true });
    const w = await fh.createWritable();
    try {
      await w.write(bytes);
    } catch (e) {
      await w.abort();
      throw e;
    }
    await w.close();
  }

  async delete(key) {
    try {
      await (await this.#dir()).removeEntry(encodeURIComponent(checkKey(key)));
    } catch (e) {
      if (e?.name !== 'NotFoundError') throw e;
    }
  }
}

/**
 * The usual adapter for this environment: Node, a FileAdapter in `location` (a directory);
 * browsers, OPFS when it can create writable files, else IndexedDB (database `location`).
 */
export function defaultAdapter(location = 'partita-snapshots') {
  const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
  if (isNode && typeof globalThis.navigator?.storage?.getDirectory !== 'function') return new FileAdapter(location);
  if (typeof globalThis.FileSystemFileHandle?.prototype?.createWritable === 'function' && globalThis.navigator?.storage?.getDirectory)
    return new OPFSAdapter(location);
  return new IndexedDBAdapter(location);
}

/** Saves a collection's snapshot under `key` (default: its name). */
export async function saveCollection(collection, adapter, key = collection.name) {
  checkAdapter(adapter);
  checkKey(key);
  await adapter.put(key, collection.save());
}

/**
 * Loads the snapshot kept under `key` as a new collection (see Collection.load); null when
 * there is none. A corrupt snapshot throws a MilvusException (status PT_CORRUPT).
 * @param {{ name?: string, using?: string }} [options]
 */
export async function loadCollection(adapter, key, options = {}) {
  checkAdapter(adapter);
  const bytes = await adapter.get(checkKey(key));
  if (bytes === null || bytes === undefined) return null;
  return Collection.load(bytes, options);
}

/**
 * Saves a collection after changes: once `mutations` changes have happened, or `delayMs`
 * after the last change (debounced), whichever comes first. Saves run one at a time; a change
 * during a save schedules another. Failures go to `onError` and reject the next flush().
 */
export class Autosave {
  #collection;
  #adapter;
  #key;
  #every;
  #delayMs;
  #onError;
  #unsubscribe;
  #pending = 0;
  #timer = null;
  #chain = Promise.resolve();
  #error = null;
  #saves = 0;

  /**
   * @param {Collection} collection
   * @param {{ get: Function, put: Function }} adapter
   * @param {{ key?: string, mutations?: number, delayMs?: number, onError?: (e: unknown) => void }} [options]
   */
  constructor(collection, adapter, { key = collection.name, mutations = 1000, delayMs = 1000, onError } = {}) {
    this.#collection = collection;
    this.#adapter = checkAdapter(adapter);
    this.#key = checkKey(key);
    if (!(Number.isInteger(mutations) && mutations >= 1)) throw new ParamError(CLIENT_ERROR, `autosave mutations must be a positive integer, got ${mutations}`);
    if (!(typeof delayMs === 'number' && delayMs >= 0)) throw new ParamError(CLIENT_ERROR, `autosave delayMs must be a non-negative number, got ${delayMs}`);
    this.#every = mutations;
    this.#delayMs = delayMs;
    this.#onError = onError ?? null;
    this.#unsubscribe = _onMutation(collection.using, collection.name, () => this.#changed());
  }

  /** Saves completed so far. */
  get saves() {
    return this.#saves;
  }

  /** Changes not saved yet. */
  get pending() {
    return this.#pending;
  }

  /** The last save's failure (cleared by a successful save), or null. */
  get lastError() {
    return this.#error;
  }

  #changed() {
    this.#pending++;
    if (this.#pending >= this.#every) {
      this.#save();
    } else {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#save(), this.#delayMs);
      this.#timer.unref?.();
    }
  }

  /** Takes the snapshot now (synchronously, so it holds exactly the changes so far) and
   * queues its write after the earlier ones. */
  #save() {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const pending = this.#pending;
    this.#pending = 0;
    let bytes;
    try {
      bytes = this.#collection.save();
    } catch (e) {
      this.#pending += pending;
      this.#failed(e);
      return this.#chain;
    }
    const next = this.#chain.then(async () => {
      try {
        await this.#adapter.put(this.#key, bytes);
        this.#saves++;
        this.#error = null;
      } catch (e) {
        this.#pending += pending; // not saved: the next save or flush tries again
        this.#failed(e);
      }
    });
    this.#chain = next;
    return next;
  }

  #failed(e) {
    this.#error = e;
    if (this.#onError) {
      try {
        this.#onError(e);
      } catch {
        // a failing handler must not stop autosave
      }
    }
  }

  /** Saves unsaved changes now and resolves when every save so far is written; rejects with
   * the failure when the last save failed. */
  async flush() {
    if (this.#pending > 0 || this.#timer) this.#save();
    await this.#chain;
    if (this.#error) throw this.#error;
  }

  /** Flushes, then stops listening for changes. */
  async close() {
    try {
      await this.flush();
    } finally {
      this.#unsubscribe();
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
    }
  }
}
