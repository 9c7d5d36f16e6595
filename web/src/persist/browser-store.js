// persist/browser-store.js — a durable store in a page: the core's mutation log and checkpoints
// (the same records as persist/durable.js writes in Node) kept in the origin's private file
// system (OPFS) by a dedicated Worker (store-worker.js), or in IndexedDB where a Worker has no
// OPFS sync access handles.
//
// WHERE THE ENGINE RUNS: in the page, as for an in-memory store. Only the log's bytes go to the
// Worker, which never reads them: reads never cross a thread, and the engine stays the only code
// that makes or reads a record. A write crosses once: its records are posted (one message per
// turn of the page's event loop, whatever the number of mutations in it), the Worker writes and
// flushes them, and answers; the asynchronous calls (insert, upsert, delete, MilvusClient's
// requests) resolve after that answer. The synchronous ones (Collection(), drop(),
// create_partition(), ...) return once their records are posted, and the next awaited write
// (or utility.flush_all()) resolves after they are flushed too.
//
// FILES: see store-worker.js (two checkpoint slots, a log per slot). RECOVERY: the newest whole
// checkpoint, then its log's valid prefix (persist/recovery.js); a torn last record is dropped
// and cut from the file. A log that follows a newer checkpoint than the newest whole one (that
// checkpoint was damaged after it was written) is refused by name.
//
// DATABASES: a MilvusClient's other databases are stores of their own under this one's path
// (`x.db/databases/<name>.db`, as in Node), each with its Worker; this store's Worker lists them
// and deletes a dropped one (client/databases.js).
//
// SYNC: fsync 'batch' (the default): the Worker flushes (FileSystemSyncAccessHandle.flush(), or
// an IndexedDB transaction with durability 'strict') before it answers. groupCommitMs > 0: at
// most one flush per window, the answers after it. fsync 'none': written, not flushed.

import { engine } from '../core/engine.js';
import { CLIENT_ERROR, Code, ConnectionConfigException, MilvusException, ParamError } from '../core/errors.js';
import { applyCheckpoint, applyLog, compactionDue, durableOptions, endedCheckpoint, logHeader } from './recovery.js';

const BACKENDS = ['auto', 'opfs', 'idb'];

/** The options of a store in a page: durable.js's and `backend` (where the bytes go). */
export const browserOptions = (o) => durableOptions(o, {
  coldVectors: (v = false) => {
    if (v) throw new ParamError(CLIENT_ERROR, 'durable store option coldVectors reads rows back from the checkpoint synchronously, which a store in a page cannot (its files are a Worker\'s): it is for stores in a directory (Node)');
    return false;
  },
  backend: (b = 'auto') => {
    if (!BACKENDS.includes(b)) throw new ParamError(CLIENT_ERROR, `durable store option backend must be ${BACKENDS.map((x) => `'${x}'`).join(', ')}, got ${String(b)}`);
    return b;
  },
});

/** The name of a store in a page: its path ('./milvus.db' -> 'milvus.db'), one directory of
 * the origin's private file system per '/'-separated part. */
export function storeName(path) {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (!parts.length || parts.some((p) => p === '..'))
    throw new ConnectionConfigException(CLIENT_ERROR, `the store path ${JSON.stringify(path)} names no store in this origin's private file system ('..' is not allowed)`);
  return parts.join('/');
}

/** Stores of this page being closed, by name: a new open of one waits for its lock to go. */
const closing = new Map();

export class BrowserStore {
  #worker;
  #name;
  #store;
  #opts;
  #host;
  #nextId = 1;
  #calls = new Map(); // message id -> [resolve, reject]
  #slot = 0; // the log being written: log.(id % 2)
  #id = 0; // the checkpoint the log follows
  #logBytes = 0;
  #cpBytes = 0;
  #pending = []; // records not yet posted (posted at the end of this turn)
  #posted = false;
  #waiters = []; // resolvers of synced()
  #unacked = 0; // messages posted whose answer is not in
  #timer = null;
  #dirty = false; // written, not flushed (a group commit window)
  #closed = false;
  backend = null;
  broken = null;

  constructor(worker, name, store, opts, host) {
    this.#worker = worker;
    this.#name = name;
    this.#store = store;
    this.#opts = opts;
    this.#host = host;
    worker.onmessage = (e) => this.#answer(e.data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.#fail(`its worker failed: ${e.message || 'it could not start (is store-worker.js served next to browser-store.js?)'}`);
    };
  }

  /**
   * Opens (creating it when missing) the store at `path` in this origin into the engine's
   * `store` (an empty one), and records its mutations from then on. `host` as durable.js's.
   */
  static async open(store, path, options = {}, host = null) {
    const opts = browserOptions(options);
    const name = storeName(path);
    if (typeof Worker !== 'function')
      throw new ConnectionConfigException(CLIENT_ERROR, `the store ${path} needs Web Workers (a durable store in a page is kept by a dedicated Worker)`);
    await closing.get(name);
    const worker = new Worker(new URL('./store-worker.js', import.meta.url), { type: 'module', name: `partita store ${name}` });
    const self = new BrowserStore(worker, name, store, opts, host);
    try {
      const files = await self.#call({ op: 'open', name, backend: opts.backend }, [], true);
      self.backend = files.backend;
      await self.#recover(files);
      engine().logTo(store, self);
      return self;
    } catch (e) {
      worker.terminate();
      throw e;
    }
  }

  get name() {
    return this.#name;
  }

  #damaged(file, what) {
    return new MilvusException(Code.UNEXPECTED, `the store ${this.#name} (${this.backend}) cannot be opened: ${file} ${what}`);
  }

  async #recover({ cp, log }) {
    const onHost = (bytes) => this.#host?.apply(bytes, this.#store);
    // the newest whole checkpoint (the other slot may hold one torn mid-write), read once: as it
    // is applied (a damaged record in it is refused by name then). The Worker writes a slot's log
    // header only once its checkpoint is flushed, so a checkpoint counts only when its log's header
    // names it: one that ends with its END but whose middle a power cut lost (storage may persist
    // a file's tail first) is passed over for the older slot, which with its log holds everything
    const heads = log.map((b) => (b ? logHeader(b).id : null));
    const ids = cp.map((b, s) => (b && heads[s] !== null && endedCheckpoint(b) === heads[s] ? heads[s] : null));
    const slot = ids[0] === null && ids[1] === null ? null : ids[1] === null || (ids[0] !== null && ids[0] > ids[1]) ? 0 : 1;
    this.#id = slot === null ? 0 : ids[slot];
    if (slot !== null && this.#id % 2 !== slot) throw this.#damaged(`checkpoint.${slot}`, `holds checkpoint ${this.#id}, which belongs in the other slot`);
    for (const s of [0, 1]) {
      const head = heads[s];
      if (head !== null && head > this.#id)
        throw this.#damaged(`log.${s}`, `follows checkpoint ${head}, but the newest whole checkpoint is ${this.#id} (checkpoint.${head % 2} is damaged)`);
    }
    if (slot !== null) {
      applyCheckpoint(this.#store, cp[slot], onHost, (what) => this.#damaged(`checkpoint.${slot}`, what));
      this.#cpBytes = cp[slot].length;
    }
    this.#slot = this.#id % 2;
    const file = `log.${this.#slot}`;
    const bytes = log[this.#slot];
    let keep = applyLog(this.#store, bytes, this.#id, onHost, (what) => this.#damaged(file, what));
    if (keep === 0) {
      const header = engine().logMarker(false, this.#id);
      keep = header.length;
      await this.#call({ op: 'start', slot: this.#slot, keep: 0, reset: header }, [header.buffer]);
    } else if (keep < bytes.length) {
      await this.#call({ op: 'start', slot: this.#slot, keep, reset: null }); // the torn last record
    }
    this.#logBytes = keep;
  }

  /** Posts a message; resolves with its answer. `open`: the answer to an open (no store yet). */
  #call(message, transfer = [], open = false) {
    if (this.broken && !open) return Promise.reject(this.broken);
    const id = this.#nextId++;
    this.#unacked++;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, [resolve, reject]);
      this.#worker.postMessage({ ...message, id }, transfer);
    });
  }

  #answer(m) {
    const call = this.#calls.get(m.id);
    if (!call) return;
    this.#calls.delete(m.id);
    this.#unacked--;
    if (m.error !== undefined) {
      const e = m.locked
        ? new ConnectionConfigException(CLIENT_ERROR, `the store ${this.#name} cannot be opened: ${m.error}`)
        : new MilvusException(Code.UNEXPECTED, `the store ${this.#name} (${this.backend ?? 'opening'}): ${m.error}`);
      if (this.backend !== null) this.#fail(m.error);
      call[1](this.broken ?? e);
    } else {
      call[0](m);
    }
    this.#settle();
  }

  /** The store refuses changes from now on; every waiter is told why. */
  #fail(why) {
    this.broken ??= this.backend === null
      ? new ConnectionConfigException(CLIENT_ERROR, `the store ${this.#name} cannot be opened: ${why}`)
      : new MilvusException(Code.UNEXPECTED, `the store ${this.#name} could not write its log (${why}): ` +
        'the last changes may not be durable, and the store refuses changes until it is opened again');
    for (const [, reject] of this.#calls.values()) reject(this.broken);
    this.#calls.clear();
    this.#unacked = 0;
    this.#settle();
  }

  /** Resolves the synced() waiters once nothing posted is unanswered and nothing is pending. */
  #settle() {
    if (!this.broken && (this.#unacked > 0 || this.#pending.length || this.#dirty)) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const [resolve, reject] of waiters) this.broken ? reject(this.broken) : resolve();
  }

  /** Called by the engine with the records of each mutation, before the mutation returns:
   * kept, and posted to the Worker at the end of this turn with the others of the turn. */
  append(bytes) {
    if (this.broken) throw this.broken;
    if (this.#closed) throw new MilvusException(Code.UNEXPECTED, `the store ${this.#name} is closed`);
    this.#pending.push(bytes);
    if (!this.#posted) {
      this.#posted = true;
      queueMicrotask(() => this.#post());
    }
  }

  #post() {
    this.#posted = false;
    if (!this.#pending.length || this.broken) return;
    const parts = this.#pending;
    this.#pending = [];
    let bytes = parts[0];
    if (parts.length > 1) {
      bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) bytes.set(p, (at += p.length) - p.length);
    }
    const sync = this.#opts.fsync === 'batch' && this.#opts.groupCommitMs === 0;
    const at = this.#logBytes;
    this.#logBytes += bytes.length; // before the bytes are handed over (transferred)
    this.#call({ op: 'append', slot: this.#slot, at, bytes, sync }, [bytes.buffer]).catch(() => {});
    if (this.#opts.fsync === 'batch' && this.#opts.groupCommitMs > 0) {
      this.#dirty = true;
      this.#timer ??= setTimeout(() => this.#flush(), this.#opts.groupCommitMs);
    }
    if (compactionDue(this.#opts, this.#logBytes, this.#cpBytes)) this.checkpoint();
  }

  #flush() {
    this.#timer = null;
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#call({ op: 'sync' }).catch(() => {});
  }

  /** Resolves once every record appended so far is written (and flushed, with fsync 'batch');
   * null when nothing is waiting. */
  synced() {
    if (this.broken) return Promise.reject(this.broken);
    if (!this.#unacked && !this.#pending.length && !this.#dirty) return null;
    return new Promise((resolve, reject) => this.#waiters.push([resolve, reject]));
  }

  /** Writes a checkpoint of the whole store now and starts a new, empty log. */
  checkpoint() {
    if (this.broken) throw this.broken;
    this.#post();
    const id = this.#id + 1;
    const bytes = engine().checkpoint(this.#store, id, this.#host?.state(this.#store) ?? new Uint8Array(0));
    const header = engine().logMarker(false, id);
    this.#id = id;
    this.#slot = id % 2;
    this.#cpBytes = bytes.length;
    this.#logBytes = header.length;
    this.#call({ op: 'checkpoint', slot: id % 2, bytes, header }, [bytes.buffer, header.buffer]).catch(() => {});
  }

  /** The entries of this store's databases/ (its other databases' stores, databaseDir's last
   * parts), as the Worker's backend keeps them. */
  async databaseEntries() {
    return (await this.#call({ op: 'list' })).entries;
  }

  /** Deletes the store `path` of this origin (a dropped database's), once it is closed. */
  async removeStore(path) {
    const name = storeName(path);
    await closing.get(name);
    await this.#call({ op: 'remove', name });
  }

  /** Bytes of the log and of the last checkpoint. */
  get sizes() {
    return { log: this.#logBytes, checkpoint: this.#cpBytes };
  }

  /** Posts what is pending, stops recording, and lets the Worker flush and release the lock
   * (a later open of the same store in this page waits for that). */
  close() {
    if (this.#closed) return;
    this.#post();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#dirty = false;
    this.#closed = true;
    if (this.#store.ptr) engine().logTo(this.#store, null);
    const done = this.#call({ op: 'close' }).catch(() => {}).finally(() => {
      this.#worker.terminate();
      if (closing.get(this.#name) === done) closing.delete(this.#name);
    });
    closing.set(this.#name, done);
  }

  /** Ends the Worker at once, as a closed tab does (what is not yet answered may be lost:
   * nothing acknowledged is). For crash tests. */
  _terminate() {
    this.#worker.terminate();
    this.#fail('its worker was terminated');
  }
}
