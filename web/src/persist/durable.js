// persist/durable.js — a store kept in a directory (Node): the core's mutation log (src/wal.c)
// appended before each mutation returns, checkpoints, recovery, compaction and a lock.
//
// THE DIRECTORY
//   checkpoint   the whole store at one moment: HEADER(n), a snapshot per collection, the host's
//                records (aliases), END(n). Replaced whole: written to checkpoint.tmp, fsynced,
//                renamed over the old one, the directory fsynced.
//   log          HEADER(n), then one record per acknowledged mutation since checkpoint n.
//   LOCK         the pid of the process that has the store open.
//
// RECOVERY: the checkpoint (it must be whole: HEADER to END with the same n; a damaged one is
// refused by name), then the log when its HEADER is the checkpoint's n (an older n means the
// process stopped between writing checkpoint n and starting its log: the checkpoint already
// holds every record of that log). The log is applied up to its first record that is not whole
// with a good checksum: a torn last record (the process or machine stopped mid-append) is
// dropped and the file cut there; a damaged record with more bytes after it is refused by name
// (cutting there would lose the acknowledged records behind it).
//
// A CHECKPOINT writes checkpoint n+1, then a new log with HEADER(n+1) (log.tmp renamed over the
// log). A crash between the two leaves checkpoint n+1 and the log of n, which recovery ignores.
// It runs by itself when the log passes `compactRatio` × the last checkpoint's size (and
// `compactMinBytes`), so the disk holds about (1 + compactRatio) × the live data at most.
//
// SYNC: each mutation's records are written (write(2)) before the call returns, so a killed
// process loses nothing acknowledged. fsync: 'batch' (the default) fdatasyncs them too before
// the call is acknowledged: a synchronous call (Collection(), drop(), create_partition(), ...)
// fdatasyncs before it returns; the asynchronous insert / upsert / delete of every face (ORM,
// MilvusClient, REST, gRPC) run their write in deferred() and resolve after an fdatasync of the
// thread pool that covers it, so the process goes on meanwhile and the calls written while one
// runs share the next (group commit without a window: one call in flight costs one fdatasync,
// a burst of eight, two). groupCommitMs > 0 instead fdatasyncs at most once per window (in the
// thread pool), the asynchronous calls resolving after the one that covers them and the
// synchronous ones written before they return and fdatasynced within the window. A machine
// crash loses nothing acknowledged either way. fsync: 'none' never fdatasyncs (a killed process
// loses nothing; a power cut may).

import { engine } from '../core/engine.js';
import { CLIENT_ERROR, Code, ConnectionConfigException, MilvusException, ParamError } from '../core/errors.js';
import { applyCheckpoint, applyLog, compactionDue, durableOptions } from './recovery.js';

function nodeModules() {
  const get = globalThis.process?.getBuiltinModule;
  if (typeof get !== 'function')
    throw new ConnectionConfigException(CLIENT_ERROR, 'a store in a directory needs Node.js 20.16 or later (process.getBuiltinModule)');
  return { fs: get('node:fs'), path: get('node:path') };
}

/** Whether process `pid` is alive (EPERM: alive, another user's); a zombie (killed, not yet
 * reaped by its parent; Linux's /proc says) is not. */
function alive(fs, pid) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return e.code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: kill(0) said it exists
  }
}

/** Durable stores open in this process, by their directory's real path. */
const openHere = new Map();
let exitHooked = false;

/** fsync of a directory, so that a rename in it survives a crash (not possible on Windows). */
function syncDir(fs, dir) {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a directory: the rename is as durable as the OS makes it
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/** Writes `parts` to `file` through `file`.tmp: written, fsynced, renamed, directory fsynced. */
function replaceFile(fs, dir, file, parts) {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const p of parts) writeAll(fs, fd, p, null);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncDir(fs, dir);
}

function writeAll(fs, fd, bytes, position) {
  for (let done = 0; done < bytes.length;) {
    const n = fs.writeSync(fd, bytes, done, bytes.length - done, position === null ? null : position + done);
    done += n;
  }
}

/**
 * Bytes [start, start + length) of an open file, as engine().replayLog takes them: read by
 * copyTo(into) straight to where the core reads them, not into a buffer of their own first
 * (reopening a large store is mostly reading it: a buffer meant fresh memory to fault in, a copy
 * and a garbage collection). subarray(begin, end) is a range of the range.
 */
class FileBytes {
  #fs;
  #file;
  #fd;
  #start;
  constructor(fs, file, fd, start, length) {
    this.#fs = fs;
    this.#file = file;
    this.#fd = fd;
    this.#start = start;
    this.length = length;
  }

  subarray(begin, end = this.length) {
    const b = Math.min(begin, this.length);
    return new FileBytes(this.#fs, this.#file, this.#fd, this.#start + b, Math.max(Math.min(end, this.length) - b, 0));
  }

  copyTo(into) {
    for (let done = 0; done < into.length;) {
      const n = this.#fs.readSync(this.#fd, into, done, into.length - done, this.#start + done);
      // a file that shrank while it was read (the LOCK keeps partita's other processes out)
      if (n === 0)
        throw Object.assign(new Error(`${this.#file} ended at byte ${this.#start + done}, before the ${this.#start + into.length} it had when opened`),
          { code: 'ESHRUNK', syscall: 'read', path: this.#file });
      done += n;
    }
  }

  close() {
    this.#fs.closeSync(this.#fd);
  }
}

export class DurableStore {
  #fs;
  #dir;
  #store;
  #opts;
  #lockPath;
  #logPath;
  #cpPath;
  #fd = -1;
  #cold = { fd: -1, id: 0 }; // coldVectors: the checkpoint file open for reading rows back, and its id
  #id = 0; // the checkpoint the log follows
  #logBytes = 0; // the log's length
  #cpBytes = 0; // the last checkpoint's length
  #host;
  #timer = null; // the group commit window's
  // SYNC STATE. Records are counted as they are written (#written); #synced is how many of them
  // an fdatasync has covered. An fdatasync runs either synchronously (a call that returns
  // durable) or in the thread pool (one at a time: #inflight), covering what was written when it
  // was started; the calls waiting in synced() resolve once #synced reaches what they wrote.
  #written = 0;
  #synced = 0;
  #waiters = []; // [count written, resolve, reject] of synced() calls
  #inflight = false; // an fdatasync of the thread pool is running
  #retired = []; // descriptors of replaced logs, closed when the running fdatasync ends
  #deferring = 0; // > 0: the caller awaits synced() (see deferred)
  broken = null;

  /**
   * Opens (creating it when missing) the store in directory `dir` into the engine's `store`
   * (an empty one), and records its mutations from then on. `host`: { state(): Uint8Array
   * (the host's records for a checkpoint, may be empty), apply(bytes) (a HOST record on
   * recovery) } for what the host keeps itself (aliases).
   */
  constructor(store, dir, options = {}, host = null) {
    const { fs, path } = nodeModules();
    if (typeof dir !== 'string' || dir === '') throw new ParamError(CLIENT_ERROR, 'a durable store needs a directory path');
    this.#fs = fs;
    this.#opts = durableOptions(options);
    this.#store = store;
    this.#host = host;
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new ConnectionConfigException(CLIENT_ERROR, `cannot create the store directory ${dir}: ${e.message}`);
    }
    if (!fs.statSync(dir).isDirectory())
      throw new ConnectionConfigException(CLIENT_ERROR, `${dir} is not a directory: a durable store is a directory (checkpoint, log, LOCK)`);
    this.#dir = fs.realpathSync(dir);
    this.#lockPath = path.join(this.#dir, 'LOCK');
    this.#logPath = path.join(this.#dir, 'log');
    this.#cpPath = path.join(this.#dir, 'checkpoint');
    this.#lock();
    try {
      this.#recover();
      // the rows the checkpoint holds came back cold from the replay (applyCheckpoint's `cold`)
      if (this.#opts.coldVectors) engine().setColdSource(store, (id, at, into) => this.#readCold(id, at, into));
      engine().logTo(store, this);
    } catch (e) {
      this.#unlock();
      throw e;
    }
  }

  get dir() {
    return this.#dir;
  }

  #lock() {
    const fs = this.#fs;
    if (openHere.has(this.#dir))
      throw new ConnectionConfigException(CLIENT_ERROR, `the store ${this.#dir} is already open in this process (pid ${process.pid}); close it first`);
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = fs.openSync(this.#lockPath, 'wx');
        fs.writeSync(fd, `${process.pid}\n`);
        fs.closeSync(fd);
        openHere.set(this.#dir, this);
        // a process that ends without closing its stores leaves no lock behind (a killed one
        // does; the next open finds its holder gone)
        if (!exitHooked) {
          exitHooked = true;
          process.once('exit', () => {
            for (const d of [...openHere.values()]) d.#unlock();
          });
        }
        return;
      } catch (e) {
        if (e.code !== 'EEXIST' || attempt > 2) throw e;
      }
      let text = '';
      try {
        text = fs.readFileSync(this.#lockPath, 'utf8');
      } catch (e) {
        if (e.code === 'ENOENT') continue;
        throw e;
      }
      const pid = Number.parseInt(text, 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(fs, pid))
        throw new ConnectionConfigException(CLIENT_ERROR, `the store ${this.#dir} is in use by process ${pid} (lock file ${this.#lockPath}); ` +
          'one process at a time may open a store');
      // the holder is gone (killed): its lock is stale
      fs.rmSync(this.#lockPath, { force: true });
    }
  }

  #unlock() {
    if (openHere.get(this.#dir) !== this) return;
    openHere.delete(this.#dir);
    try {
      this.#fs.rmSync(this.#lockPath, { force: true });
    } catch {
      // the directory went away: nothing to release
    }
  }

  /** The bytes of `file` (null when it is missing), read when the engine copies them, straight
   * into the core's memory; `close` them after. */
  #open(file) {
    let fd;
    try {
      fd = this.#fs.openSync(file, 'r');
    } catch (e) {
      if (e.code === 'ENOENT') return null;
      throw e;
    }
    try {
      return new FileBytes(this.#fs, file, fd, 0, this.#fs.fstatSync(fd).size);
    } catch (e) {
      this.#fs.closeSync(fd);
      throw e;
    }
  }

  #damaged(file, what) {
    return new MilvusException(Code.UNEXPECTED, `the store ${this.#dir} cannot be opened: ${file} ${what}`);
  }

  #recover() {
    const fs = this.#fs;
    const onHost = (bytes) => this.#host?.apply(bytes, this.#store);
    const cp = this.#open(this.#cpPath);
    try {
      if (cp) {
        this.#id = applyCheckpoint(this.#store, cp, onHost, (what) => this.#damaged(this.#cpPath, what), this.#opts.coldVectors);
        this.#cpBytes = cp.length;
      }
    } finally {
      cp?.close();
    }
    const log = this.#open(this.#logPath);
    let keep;
    try {
      keep = applyLog(this.#store, log, this.#id, onHost, (what) => this.#damaged(this.#logPath, what));
    } finally {
      log?.close();
    }
    if (keep === 0) {
      replaceFile(fs, this.#dir, this.#logPath, [engine().logMarker(false, this.#id)]);
      keep = engine().constants.log.MARKER_BYTES;
    } else if (keep < log.length) {
      fs.truncateSync(this.#logPath, keep); // the torn last record
    }
    this.#fd = fs.openSync(this.#logPath, 'r+');
    if (keep < log?.length) fs.fdatasyncSync(this.#fd);
    this.#logBytes = keep;
  }

  /** Called by the engine with the records of each mutation, before the mutation returns: a
   * view of them in the core's memory, valid during this call only (written at once, not
   * kept). */
  appendNow(bytes) {
    if (this.broken) throw this.broken;
    try {
      writeAll(this.#fs, this.#fd, bytes, this.#logBytes);
      this.#logBytes += bytes.length;
      this.#written++;
      if (this.#opts.fsync !== 'batch') this.#synced = this.#written; // nothing to wait for
      else if (this.#opts.groupCommitMs > 0) this.#schedule();
      else if (this.#deferring > 0) this.#start(); // or, when one runs, at its end
      else this.#syncNow();
    } catch (e) {
      this.broken = new MilvusException(Code.UNEXPECTED, `the store ${this.#dir} could not write its log (${e.message}): ` +
        'the last change is not durable, and the store refuses changes until it is opened again');
      throw this.broken;
    }
    if (compactionDue(this.#opts, this.#logBytes, this.#cpBytes)) this.checkpoint();
  }

  /**
   * Runs `fn` (a synchronous call of the engine that runs no code of the caller's) for a caller
   * that awaits synced() before it answers (the asynchronous insert, upsert and delete of every
   * face): with fsync 'batch' its records are fdatasynced in the thread pool, not before `fn`
   * returns, so the process goes on (the next request is read, the next batch applied) while
   * the disk works, and the calls made meanwhile share the next fdatasync. Any other mutation
   * (a synchronous call, or one made by code `fn` runs — it runs none) is fdatasynced before it
   * returns.
   */
  deferred(fn) {
    this.#deferring++;
    try {
      return fn();
    } finally {
      this.#deferring--;
    }
  }

  #schedule() {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#start();
    }, this.#opts.groupCommitMs);
  }

  /** Starts an fdatasync in the thread pool of what is written and not yet synced, unless one
   * runs: its end starts the next, covering what was written meanwhile. So the process applies
   * the next writes while the disk syncs the last ones (a burst of eight costs two). */
  #start() {
    if (this.#inflight || this.#fd < 0 || this.broken || this.#synced === this.#written) return;
    const upto = this.#written;
    this.#inflight = true;
    this.#fs.fdatasync(this.#fd, (e) => {
      this.#inflight = false;
      for (const fd of this.#retired.splice(0)) this.#fs.closeSync(fd);
      if (e) this.#fail(e);
      else this.#covered(upto);
      if (this.#synced < this.#written && !this.#timer) this.#start(); // written meanwhile
    });
  }

  /** fdatasync now, covering everything written. */
  #syncNow() {
    if (this.#synced === this.#written) return;
    this.#fs.fdatasyncSync(this.#fd);
    this.#covered(this.#written);
  }

  #covered(upto) {
    if (upto <= this.#synced) return;
    this.#synced = upto;
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const w of waiting) {
      if (w[0] <= upto) w[1]();
      else this.#waiters.push(w);
    }
  }

  #fail(e) {
    this.broken ??= new MilvusException(Code.UNEXPECTED, `the store ${this.#dir} could not sync its log: ${e.message}`);
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const w of waiting) w[2](this.broken);
  }

  /** Resolves once every record appended so far is fdatasynced; null when it already is. */
  synced() {
    if (this.#synced === this.#written) return null;
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => this.#waiters.push([this.#written, resolve, reject]));
  }

  /** Writes a checkpoint of the whole store now and starts a new, empty log. */
  checkpoint() {
    if (this.broken) throw this.broken;
    const fs = this.#fs;
    const id = this.#id + 1;
    const bytes = engine().checkpoint(this.#store, id, this.#host?.state(this.#store) ?? new Uint8Array(0));
    replaceFile(fs, this.#dir, this.#cpPath, [bytes]);
    this.#cpBytes = bytes.length;
    this.#id = id;
    // the new log, then the old one's descriptor goes
    replaceFile(fs, this.#dir, this.#logPath, [engine().logMarker(false, id)]);
    this.#release(this.#fd);
    this.#fd = fs.openSync(this.#logPath, 'r+');
    this.#logBytes = engine().constants.log.MARKER_BYTES;
    this.#covered(this.#written); // the checkpoint, fsynced, holds every record written
    // coldVectors: the float rows this checkpoint holds that an index searches without leave
    // memory (src/cold.c says which), read back from it when a call needs them (#readCold)
    if (this.#opts.coldVectors) engine().coldDropAll(this.#store, id);
  }

  /**
   * Reads `into.length` bytes at offset `at` of checkpoint `id` (the core's cold rows): the
   * checkpoint file, which is that checkpoint as long as the store is open (the core reads every
   * cold row back before it writes the next one).
   */
  #readCold(id, at, into) {
    const fs = this.#fs;
    if (id !== this.#id)
      throw new MilvusException(Code.IO_FAILED, `IO failed: rows dropped from memory are in checkpoint ${id}, but ${this.#cpPath} holds checkpoint ${this.#id}`);
    try {
      // one descriptor while the file is that checkpoint (a new one replaces the file: reopened)
      if (this.#cold.id !== id) this.#closeCold();
      if (this.#cold.fd < 0) this.#cold = { fd: fs.openSync(this.#cpPath, 'r'), id };
      for (let done = 0; done < into.length; ) {
        const n = fs.readSync(this.#cold.fd, into, done, into.length - done, at + done);
        if (n === 0) throw new Error(`the file ends before byte ${at + into.length}`);
        done += n;
      }
    } catch (e) {
      if (e instanceof MilvusException) throw e;
      throw new MilvusException(Code.IO_FAILED, `IO failed: reading rows back from ${this.#cpPath}: ${e.message}`);
    }
  }

  #closeCold() {
    if (this.#cold.fd >= 0) this.#fs.closeSync(this.#cold.fd);
    this.#cold = { fd: -1, id: 0 };
  }

  /** Bytes of the log and of the last checkpoint. */
  get sizes() {
    return { log: this.#logBytes, checkpoint: this.#cpBytes };
  }

  /** Syncs what is pending, stops recording and releases the lock. The engine's store stays
   * open (in memory) for its owner to close. */
  close() {
    if (this.#fd < 0) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    try {
      if (!this.broken && this.#opts.fsync === 'batch') this.#syncNow();
    } catch (e) {
      this.#fail(e);
    }
    try {
      if (this.#store.ptr) engine().logTo(this.#store, null);
    } finally {
      this.#release(this.#fd);
      this.#fd = -1;
      this.#closeCold();
      this.#unlock();
    }
  }

  /** Closes a log's descriptor now, or when the running fdatasync (which may be of it) ends. */
  #release(fd) {
    if (this.#inflight) this.#retired.push(fd);
    else this.#fs.closeSync(fd);
  }
}

/** The directory of database `db` (not 'default') of the durable store in `dir`: its own store. */
export function databaseDir(dir, db) {
  return `${dir.replace(/\/+$/, '')}/databases/${encodeURIComponent(db)}.db`;
}

/** The database a directory entry under a durable store's `databases/` holds (databaseDir's
 * last part), or null for an entry that is not one. */
export const databaseOfEntry = (entry) => (entry.endsWith('.db') ? decodeURIComponent(entry.slice(0, -3)) : null);

/** The databases (besides 'default') kept under the durable store in `dir`. */
export function storedDatabases(dir) {
  const { fs } = nodeModules();
  try {
    return fs.readdirSync(`${dir.replace(/\/+$/, '')}/databases`).map(databaseOfEntry).filter((n) => n !== null);
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
}

/** Deletes the directory of a durable store that is not open (a dropped database's). */
export function removeStore(dir) {
  nodeModules().fs.rmSync(dir, { recursive: true, force: true });
}
