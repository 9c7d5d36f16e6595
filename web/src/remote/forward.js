// forward.js — forwarding the mutations of a connection to a Milvus REST v2 endpoint.
//
// The path of one mutation: the WebAssembly core validates and applies it locally first (a bad
// batch never leaves the page), and returns the rows as written, already encoded as REST row
// objects (pt_mutation_result.rows_json). The forwarder queues that text and resolves the call;
// in the background it sends the queue in order, so that the remote sees the mutations of every
// collection in the order they were made wherever that order can be seen:
//   - consecutive inserts / upserts of one collection and partition travel as one request, up
//     to `batch_rows` rows and `batch_bytes` bytes (a larger mutation is cut into several);
//     upserts are only combined when their keys are disjoint (Milvus rejects a batch that
//     repeats a key); a merge-mode upsert (partial_update, field operations) travels as the
//     rows it wrote, every field of them, in requests of its own with partialUpdate: true and
//     no fieldOps, so that the remote ends with the local rows (an operation sent again would
//     apply twice);
//   - up to `max_in_flight` requests overlap when they are inserts / upserts of one collection
//     with disjoint keys (their order cannot be seen); creates, drops, deletes and anything whose
//     keys are unknown wait for everything before them and go alone;
//   - network failures, timeouts, HTTP 5xx / 429 and Milvus's rate-limit codes are retried with
//     exponential backoff and jitter, forever by default (the data is never dropped for them);
//   - an authentication failure pauses the queue, keeping everything, until connect() gives new
//     credentials (or resume()); any other answer with a non-zero code rejects those mutations:
//     the error reaches the call that waits for it (`ack: 'remote'`) or the next flush();
//   - flush() resolves when everything mutated before it has been acknowledged;
//   - when more than `max_pending_bytes` wait, new mutations wait for room (back-pressure);
//   - with an `outbox`, every queued mutation is also written where it survives a restart, and
//     sent again from there: delivery is at least once.
// Nothing here parses or rewrites rows: int64 keys stay digits in text from the core to the wire.

import { CLIENT_ERROR, Code, MilvusException } from '../core/errors.js';
import { openOutbox } from './outbox.js';
import { REST_CODES } from './rest.js';

const encoder = new TextEncoder();
const COMMA = encoder.encode(',');
const CLOSE = encoder.encode(']}');
/** Whether request bodies go as streams: in Node, whose fetch copies byte arrays (see #body).
 * Decided on first use: touching the ReadableStream global makes Node load its web streams,
 * about 5 ms that every `import 'partita'` paid at start-up, forwarding or not. */
let streams;
const streamBodies = () =>
  (streams ??= typeof process !== 'undefined' && process.versions?.node !== undefined && typeof ReadableStream === 'function');

/** Defaults of the forwarding options of connections.connect(). */
export const FORWARD_DEFAULTS = Object.freeze({
  timeout: 30, // seconds per request attempt (the call's own `timeout` shortens it)
  batch_rows: 10000,
  batch_bytes: 16 * 1024 * 1024, // well under Milvus's 64 MB request limit
  max_pending_bytes: 256 * 1024 * 1024,
  retry_initial_ms: 50,
  retry_max_ms: 30000,
  retry_multiplier: 2,
  max_retries: Infinity,
  max_in_flight: 2, // data requests of one collection with disjoint keys may overlap
  ack: 'local',
  outbox_fsync: false,
});

// upsert_merge: a merge-mode upsert (partial_update, field operations) forwarded as the rows it
// wrote, with partialUpdate; it never travels in one request with plain upserts
const DATA_KINDS = new Set(['insert', 'upsert', 'upsert_merge']);
const PATHS = {
  create_collection: 'collections/create',
  drop_collection: 'collections/drop',
  create_partition: 'partitions/create',
  release_partition: 'partitions/release',
  drop_partition: 'partitions/drop',
  insert: 'entities/insert',
  upsert: 'entities/upsert',
  upsert_merge: 'entities/upsert',
  delete: 'entities/delete',
};

/** Runs fn in a later turn of the event loop (after pending I/O), without setTimeout's clamp. */
const macrotask =
  typeof setImmediate === 'function'
    ? (fn) => setImmediate(fn)
    : typeof MessageChannel === 'function'
      ? (() => {
          const ch = new MessageChannel();
          const queue = [];
          ch.port1.onmessage = () => queue.shift()();
          return (fn) => {
            queue.push(fn);
            ch.port2.postMessage(0);
          };
        })()
      : (fn) => setTimeout(fn, 0);

/** Whether two key sets share no key; null stands for "any key" (unknown keys). */
function disjoint(a, b) {
  if (!a || !b) return false;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const k of small) if (large.has(k)) return false;
  return true;
}

/** An error of the forwarding machinery itself (no answer from the remote to pass on). */
function forwardError(message, cause) {
  return new MilvusException(CLIENT_ERROR, message, cause === undefined ? {} : { cause });
}

/** The request a remote error came from, for messages: "entities/upsert of 'films'". */
function describe(req) {
  return `${PATHS[req.kind]} of '${req.collection}'${req.partition ? ` (partition '${req.partition}')` : ''}`;
}

export class Forwarder {
  #config;
  #base;
  #fetch;
  #outbox;
  #epoch = Date.now();
  #seq = 0;
  #queue = []; // entries, oldest first
  #pendingBytes = 0;
  #running = false;
  #closed = false;
  #paused = null; // the MilvusException that paused the queue
  #unreported = []; // remote failures no caller has seen yet
  #roomWaiters = [];
  #doneWaiters = []; // { seq, resolve }
  #wakers = new Set(); // end backoff sleeps early (resume, close)
  #inflight = new Set(); // requests being delivered
  #parked = []; // requests stopped by a pause, sent first after resume()
  #ready; // the outbox's backlog is in the queue
  #outboxSettled = Promise.resolve(); // the outbox's last removal (its writes run in order)
  #stats = { requests: 0, retries: 0, rows: 0, bytes: 0 };

  /**
   * @param {object} config the connection's options (see FORWARD_DEFAULTS; uri, token, db_name,
   *   fetch, outbox, index_params, on_error)
   */
  constructor(config) {
    this.#config = { ...FORWARD_DEFAULTS, ...config };
    const c = this.#config;
    for (const k of ['timeout', 'batch_rows', 'batch_bytes', 'max_pending_bytes', 'retry_initial_ms', 'retry_max_ms', 'max_in_flight'])
      if (typeof c[k] !== 'number' || !(c[k] > 0)) throw forwardError(`${k} must be a positive number, got ${String(c[k])}`);
    if (c.ack !== 'local' && c.ack !== 'remote') throw forwardError(`ack must be 'local' or 'remote', got ${String(c.ack)}`);
    this.#base = c.uri.replace(/\/+$/, '');
    this.#fetch = c.fetch ?? globalThis.fetch.bind(globalThis);
    this.#outbox = openOutbox(c.outbox, { fsync: c.outbox_fsync });
    this.#ready = this.#restore();
  }

  get uri() {
    return this.#config.uri;
  }

  get db_name() {
    return this.#config.db_name ?? 'default';
  }

  get ack() {
    return this.#config.ack;
  }

  /** Options of connect() that shape what is sent (index_params of collections/create). */
  get config() {
    return this.#config;
  }

  /** What is waiting: mutations, rows and bytes; whether the queue is paused and why. */
  get pending() {
    return {
      mutations: this.#queue.length,
      rows: this.#queue.reduce((n, e) => n + e.n - e.acked, 0),
      bytes: this.#pendingBytes,
      paused: this.#paused,
    };
  }

  /** Requests sent, retries, rows and body bytes acknowledged so far. */
  get stats() {
    return { ...this.#stats };
  }

  /** New credentials or options from connect() with the same uri; resumes a paused queue. */
  update(config) {
    this.#config = { ...this.#config, ...config };
    this.resume();
  }

  /** Resumes a queue paused by an authentication failure. */
  resume() {
    if (!this.#paused) return;
    this.#paused = null;
    for (const wake of this.#wakers) wake();
    this.#kick();
  }

  // ---- enqueueing -------------------------------------------------------------------------

  /**
   * Waits until the backlog is under max_pending_bytes (back-pressure); null when there is room
   * now and nobody waits before us, so that callers stay synchronous in the common case.
   * @param {number | undefined} timeoutMs
   */
  room(timeoutMs) {
    if (this.#pendingBytes < this.#config.max_pending_bytes && !this.#roomWaiters.length) return null;
    return new Promise((resolve, reject) => {
      const w = { resolve, reject, timer: null };
      if (timeoutMs !== undefined)
        w.timer = setTimeout(() => {
          this.#roomWaiters.splice(this.#roomWaiters.indexOf(w), 1);
          reject(
            forwardError(
              `Retry timeout: ${timeoutMs / 1000}s, message=the forwarding backlog is full (${this.#pendingBytes} bytes ` +
                `wait for ${this.#base}); nothing was changed`,
            ),
          );
        }, timeoutMs);
      this.#roomWaiters.push(w);
    });
  }

  #releaseRoom() {
    while (this.#roomWaiters.length && this.#pendingBytes < this.#config.max_pending_bytes) {
      const w = this.#roomWaiters.shift();
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  /**
   * Queues a mutation. `kind` is a key of PATHS; data kinds carry `rows` (UTF-8 bytes of REST
   * row objects separated by commas) and `offsets` (row i spans offsets[i] .. offsets[i+1]-1),
   * `keys` (a Set of the keys the remote sees, as text; null when unknown: then the entry never
   * travels with or beside others); other kinds carry `body`. Returns the entry (see acknowledged()) and a Promise of its outbox write.
   */
  enqueue({ kind, collection, partition = null, body = null, rows = null, offsets = null, keys = null, timeoutMs }) {
    if (this.#closed) throw forwardError(`the connection to ${this.#base} was removed`);
    const e = {
      seq: ++this.#seq,
      id: [this.#epoch, this.#seq],
      kind,
      collection,
      partition,
      body,
      rows,
      offsets,
      keys,
      n: rows ? offsets.length - 1 : 0,
      claimed: 0, // rows (data) or 1 (other kinds) handed to requests
      acked: 0, // rows the remote acknowledged
      bytes: rows ? rows.byteLength : 256,
      timeoutMs,
      waiters: [],
      error: null,
      done: false,
    };
    this.#queue.push(e);
    this.#pendingBytes += e.bytes;
    const persisted = this.#outbox ? this.#persist(e) : null;
    this.#kick();
    return { entry: e, persisted };
  }

  /** A mutation applied locally that cannot be forwarded: reported to flush() and on_error. */
  lost(collection, message) {
    this.#report(forwardError(`'${collection}': ${message}`));
  }

  async #persist(e) {
    try {
      await this.#outbox.put({ id: e.id, meta: this.#meta(e), rows: e.rows ?? undefined, offsets: e.offsets ?? undefined });
    } catch (cause) {
      this.#report(
        forwardError(`the outbox could not keep ${PATHS[e.kind]} of '${e.collection}': ${cause?.message ?? cause}`, cause),
      );
    }
  }

  #meta(e) {
    return { kind: e.kind, collection: e.collection, partition: e.partition, body: e.body, keyed: Boolean(e.keys) };
  }

  /** The outbox's backlog goes first, before anything queued since the start. */
  async #restore() {
    if (!this.#outbox) return;
    let records;
    try {
      records = await this.#outbox.load();
    } catch (cause) {
      this.#report(forwardError(`the outbox could not be read: ${cause?.message ?? cause}`, cause));
      return;
    }
    const restored = records.map((r) => ({
      seq: 0,
      id: r.id,
      kind: r.meta.kind,
      collection: r.meta.collection,
      partition: r.meta.partition,
      body: r.meta.body,
      rows: r.rows ? new Uint8Array(r.rows) : null,
      offsets: r.offsets ? new Uint32Array(r.offsets) : null,
      keys: null,
      n: r.offsets ? r.offsets.length - 1 : 0,
      claimed: 0,
      acked: 0,
      bytes: r.rows ? r.rows.byteLength : 256,
      timeoutMs: undefined,
      waiters: [],
      error: null,
      done: false,
    }));
    for (const e of restored) this.#pendingBytes += e.bytes;
    this.#queue.unshift(...restored);
  }

  // ---- waiting ------------------------------------------------------------------------------

  /**
   * Resolves when the remote acknowledged the entry; rejects with the remote's error, or with a
   * timeout error after timeoutMs (the entry stays queued).
   */
  acknowledged(entry, timeoutMs) {
    if (entry.done) return entry.error ? Promise.reject(entry.error) : Promise.resolve();
    if (this.#paused) return Promise.reject(this.#paused); // it stays queued until resume()
    return new Promise((resolve, reject) => {
      const w = { resolve, reject, timer: null };
      entry.waiters.push(w);
      if (timeoutMs !== undefined)
        w.timer = setTimeout(() => {
          entry.waiters.splice(entry.waiters.indexOf(w), 1);
          const why = this.#paused ?? this.#lastError;
          reject(
            forwardError(
              `Retry timeout: ${timeoutMs / 1000}s, message=${PATHS[entry.kind]} of '${entry.collection}' is not acknowledged by ` +
                `${this.#base} yet${why ? ` (last error: ${why.message})` : ''}; it stays queued and is applied locally`,
            ),
          );
        }, timeoutMs);
    });
  }

  #lastError = null;

  /**
   * Resolves when every mutation queued before the call is acknowledged (and removed from the
   * outbox); rejects with the first
   * remote failure not yet reported to a caller (all of them in `errors`), at once while the
   * queue is paused by an authentication failure, or after timeoutMs.
   */
  async flush(timeoutMs) {
    await this.#ready;
    const target = this.#seq;
    if (!this.#paused && this.#queue.some((e) => e.seq <= target)) {
      let timer = null;
      const done = new Promise((resolve) => this.#doneWaiters.push({ seq: target, resolve }));
      let onPause;
      const paused = new Promise((resolve) => this.#doneWaiters.push((onPause = { seq: Infinity, resolve, onPause: true })));
      const timeout =
        timeoutMs === undefined
          ? null
          : new Promise((_, reject) => {
              timer = setTimeout(
                () =>
                  reject(
                    forwardError(
                      `Retry timeout: ${timeoutMs / 1000}s, message=flush: ${this.pending.mutations} mutations still wait for ` +
                        `${this.#base}${this.#lastError ? ` (last error: ${this.#lastError.message})` : ''}; nothing is lost`,
                    ),
                  ),
                timeoutMs,
              );
            });
      try {
        await Promise.race([done, paused, ...(timeout ? [timeout] : [])]);
      } finally {
        clearTimeout(timer);
        this.#doneWaiters = this.#doneWaiters.filter((w) => w !== onPause);
      }
    }
    // what was acknowledged is out of the outbox too (a program ending now does not send it again)
    await this.#outboxSettled;
    if (this.#paused) throw this.#paused;
    if (this.#unreported.length) {
      const errors = this.#unreported;
      this.#unreported = [];
      const first = errors[0];
      const e = new MilvusException(first.code, first.message, { cause: first });
      e.name = first.name;
      e.errors = errors;
      throw e;
    }
  }

  #report(err) {
    this.#unreported.push(err);
    try {
      this.#config.on_error?.(err);
    } catch {
      // a listener's failure is its own
    }
  }

  #settleDone() {
    // the queue is in seq order (restored entries, seq 0, first): its head is the oldest pending
    const oldest = this.#queue.length ? this.#queue[0].seq : Infinity;
    this.#doneWaiters = this.#doneWaiters.filter((w) => {
      if (w.onPause || oldest <= w.seq) return true;
      w.resolve();
      return false;
    });
  }

  // ---- sending ------------------------------------------------------------------------------

  #kick() {
    if (this.#running || this.#closed || this.#paused) return;
    this.#running = true;
    // let the calls of this turn queue up first: they may travel in the same request
    macrotask(() => {
      this.#pump()
        .catch((err) => this.#report(forwardError(`forwarding stopped: ${err?.message ?? err}`, err)))
        .finally(() => {
          this.#running = false;
          if (this.#queue.length && !this.#paused && !this.#closed) this.#kick();
        });
    });
  }

  /**
   * One turn of the event loop, so that requests in flight make progress: a caller mutating in
   * a tight loop of awaited calls only ever yields to microtasks, and the network would wait
   * until the loop ends instead of overlapping with it.
   */
  turn() {
    return new Promise((resolve) => macrotask(resolve));
  }

  async #pump() {
    await this.#ready;
    while (!this.#closed && !this.#paused) {
      let req = null;
      if (this.#parked.length) {
        if (!this.#inflight.size) req = this.#parked.shift();
      } else if (this.#inflight.size < this.#config.max_in_flight) {
        req = this.#next();
      }
      if (req) {
        this.#launch(req);
        continue;
      }
      if (!this.#inflight.size) break;
      await Promise.race([...this.#inflight].map((r) => r.done));
    }
  }

  #launch(req) {
    this.#inflight.add(req);
    req.done = this.#deliver(req)
      .catch((err) => this.#fail(req, forwardError(`forwarding failed: ${err?.message ?? err}`, err)))
      .finally(() => this.#inflight.delete(req));
  }

  /** Sends a request until it is acknowledged, refused, or parked by a pause. */
  async #deliver(req) {
    for (let attempt = 0; ; attempt++) {
      const out = await this.#send(req);
      if (this.#closed) return;
      if (out.ok) {
        this.#lastError = null;
        this.#complete(req);
        return;
      }
      this.#lastError = out.error;
      if (out.auth) {
        this.#parked.push(req);
        if (!this.#paused) this.#pause(out.error);
        return;
      }
      if (out.fatal || attempt + 1 > this.#config.max_retries) {
        this.#fail(req, out.error);
        return;
      }
      this.#stats.retries++;
      await this.#backoff(attempt);
      if (this.#closed) return;
      if (this.#paused) {
        this.#parked.push(req);
        return;
      }
    }
  }

  #backoff(attempt) {
    const c = this.#config;
    const cap = Math.min(c.retry_max_ms, c.retry_initial_ms * c.retry_multiplier ** attempt);
    const ms = cap / 2 + Math.random() * (cap / 2); // "equal jitter": never less than half
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakers.add(wake);
    });
  }

  /**
   * Whether entry e may be delivered while the requests in flight are: only data requests of the
   * same collection whose keys are disjoint from e's (parts of e itself never conflict).
   * Anything else (creates, drops, deletes, auto_id upserts, restored entries) goes alone, after
   * everything before it, so the remote applies the mutations of a collection in their order
   * wherever the order can be seen.
   */
  #overlaps(e) {
    for (const r of this.#inflight) {
      if (!DATA_KINDS.has(r.kind) || r.collection !== e.collection) return false;
      for (const p of r.parts) if (p.e !== e && !disjoint(e.keys, p.e.keys)) return false;
    }
    return true;
  }

  /** The next request: the oldest work not handed out yet, with what may travel with it; null
   * when it has to wait for the requests in flight. */
  #next() {
    const head = this.#queue.find((e) => e.claimed < (DATA_KINDS.has(e.kind) ? e.n : 1));
    if (!head) return null;
    const busy = this.#inflight.size > 0;
    if (!DATA_KINDS.has(head.kind)) {
      if (busy) return null;
      head.claimed = 1;
      return { kind: head.kind, collection: head.collection, partition: head.partition, parts: [{ e: head }], rows: 0 };
    }
    if (busy && !this.#overlaps(head)) return null;
    const { batch_rows: maxRows, batch_bytes: maxBytes } = this.#config;
    const parts = [];
    let rows = 0, bytes = 0;
    const upsert = head.kind !== 'insert';
    for (let i = this.#queue.indexOf(head); i < this.#queue.length; i++) {
      const e = this.#queue[i];
      if (e.kind !== head.kind || e.collection !== head.collection || e.partition !== head.partition) break;
      if (parts.length) {
        if (e.claimed) break;
        // one upsert request never repeats a key (Milvus refuses that)
        if (upsert && parts.some((p) => !disjoint(p.e.keys, e.keys))) break;
        if (busy && !this.#overlaps(e)) break;
      }
      // as many rows of e as fit (at least one row per request)
      let to = e.claimed;
      while (to < e.n && rows < maxRows) {
        const size = e.offsets[to + 1] - e.offsets[to];
        if (rows > 0 && bytes + size > maxBytes) break;
        bytes += size;
        rows++;
        to++;
      }
      if (to === e.claimed) break;
      parts.push({ e, from: e.claimed, to });
      if (to < e.n || rows >= maxRows) break;
    }
    for (const p of parts) p.e.claimed = p.to; // only once the request is whole
    return { kind: head.kind, collection: head.collection, partition: head.partition, parts, rows };
  }

  /** The pieces of a request's body, in order: views of the queued rows, nothing copied. */
  #chunks(req) {
    if (!DATA_KINDS.has(req.kind)) return [encoder.encode(JSON.stringify(req.parts[0].e.body))];
    const head = { collectionName: req.collection };
    if (req.partition) head.partitionName = req.partition;
    if (this.db_name !== 'default') head.dbName = this.db_name;
    if (req.kind === 'upsert_merge') head.partialUpdate = true;
    const chunks = [encoder.encode(JSON.stringify(head).slice(0, -1) + ',"data":[')];
    req.parts.forEach((p, i) => {
      if (i) chunks.push(COMMA);
      chunks.push(p.e.rows.subarray(p.e.offsets[p.from], p.e.offsets[p.to] - 1));
    });
    chunks.push(CLOSE);
    return chunks;
  }

  /**
   * The body as fetch takes it. Node's fetch copies a byte array it is given, so there the
   * pieces travel as a stream (chunked transfer encoding); elsewhere (browsers send streams
   * only over HTTP/2) they are joined into one array.
   */
  #body(chunks) {
    const length = chunks.reduce((n, c) => n + c.length, 0);
    if (this.#config.stream_bodies ?? streamBodies()) {
      let i = 0;
      const stream = new ReadableStream({
        pull(ctl) {
          if (i < chunks.length) ctl.enqueue(chunks[i++]);
          else ctl.close();
        },
      });
      return { body: stream, length, extra: { duplex: 'half' } };
    }
    if (chunks.length === 1) return { body: chunks[0], length, extra: {} };
    const body = new Uint8Array(length);
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.length;
    }
    return { body, length, extra: {} };
  }

  async #send(req) {
    const c = this.#config;
    const { body, length, extra } = this.#body(this.#chunks(req));
    let timeoutMs = c.timeout * 1000;
    for (const p of req.parts) if (p.e.timeoutMs !== undefined && p.e.timeoutMs > 0) timeoutMs = Math.min(timeoutMs, p.e.timeoutMs);
    const headers = {
      'Content-Type': 'application/json',
      'Accept-Type-Allow-Int64': 'false',
      'Request-Timeout': String(Math.max(1, Math.ceil(timeoutMs / 1000))),
    };
    if (c.token) headers.Authorization = `Bearer ${c.token}`;
    if (this.db_name !== 'default') headers['DB-Name'] = this.db_name;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    this.#stats.requests++;
    let status, text;
    try {
      const res = await this.#fetch(`${this.#base}/v2/vectordb/${PATHS[req.kind]}`, { method: 'POST', headers, body, signal: ctl.signal, ...extra });
      status = res.status;
      text = await res.text();
    } catch (cause) {
      const why = ctl.signal.aborted ? `no answer within ${timeoutMs / 1000}s` : `${cause?.cause?.code ?? cause?.message ?? cause}`;
      return { error: forwardError(`${describe(req)} could not reach ${this.#base}: ${why}`, cause) };
    } finally {
      clearTimeout(timer);
    }
    let answer = null;
    try {
      answer = JSON.parse(text);
    } catch {
      // not a Milvus envelope
    }
    const code = answer && typeof answer.code === 'number' ? answer.code : null;
    const message = answer && typeof answer.message === 'string' ? answer.message : text.slice(0, 200);
    if (status === 401 || status === 403 || code === REST_CODES.AUTH || code === REST_CODES.MERR_NOT_AUTHENTICATED || code === REST_CODES.MERR_PRIVILEGE_DENIED)
      return { auth: true, error: new MilvusException(code ?? (status === 401 ? REST_CODES.AUTH : REST_CODES.MERR_PRIVILEGE_DENIED), message) };
    if (status >= 500 || status === 429 || status === 408)
      return { error: new MilvusException(code ?? Code.UNEXPECTED, `${describe(req)}: HTTP ${status}: ${message}`) };
    if (status !== 200) return { fatal: true, error: new MilvusException(code ?? Code.UNEXPECTED, `${describe(req)}: HTTP ${status}: ${message}`) };
    if (code === null) return { error: forwardError(`${describe(req)}: the answer of ${this.#base} is not a Milvus REST v2 envelope: ${message}`) };
    if (code === 0 || code === 200) {
      this.#stats.rows += req.rows;
      this.#stats.bytes += length;
      return { ok: true };
    }
    if (code === REST_CODES.RATE_LIMITED || code === REST_CODES.MERR_RATE_LIMIT) return { error: new MilvusException(code, message) };
    return { fatal: true, error: new MilvusException(code, message) };
  }

  // ---- outcomes -----------------------------------------------------------------------------

  #finish(e, error) {
    if (e.done) return; // another part of it failed first
    e.done = true;
    e.error = error;
    const i = this.#queue.indexOf(e);
    if (i >= 0) this.#queue.splice(i, 1);
    this.#pendingBytes -= e.bytes;
    if (this.#outbox) {
      let last = this.#outbox.remove(e.id);
      if (!this.#queue.length) last = this.#outbox.compact();
      this.#outboxSettled = last.catch(() => {});
    }
    for (const w of e.waiters) {
      clearTimeout(w.timer);
      if (error) w.reject(error);
      else w.resolve();
    }
    if (error && !e.waiters.length) this.#report(error);
    e.waiters = [];
  }

  #complete(req) {
    for (const p of req.parts) {
      if (DATA_KINDS.has(req.kind)) p.e.acked += p.to - p.from;
      if (!DATA_KINDS.has(req.kind) || p.e.acked >= p.e.n) this.#finish(p.e, null);
    }
    this.#releaseRoom();
    this.#settleDone();
  }

  #fail(req, error) {
    // the entries of the request are given up whole (rows of them that went out before stay)
    for (const p of req.parts) this.#finish(p.e, error);
    this.#releaseRoom();
    this.#settleDone();
  }

  #pause(error) {
    this.#paused = error;
    // flush() reports it for as long as the queue is paused, so it is not kept as unreported
    try {
      this.#config.on_error?.(error);
    } catch {
      // a listener's failure is its own
    }
    for (const w of this.#doneWaiters) if (w.onPause) w.resolve();
    for (const e of this.#queue)
      for (const w of e.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(error);
      }
  }

  /** Stops sending (what is queued stays in the outbox, if there is one). */
  async close() {
    this.#closed = true;
    for (const wake of this.#wakers) wake();
    for (const w of this.#roomWaiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(forwardError(`the connection to ${this.#base} was removed`));
    }
    await this.#outbox?.close?.();
  }
}
