// persist/store-worker.js — the dedicated Worker of a durable store in a page (browser-store.js):
// it holds the store's files and the lock, and writes the bytes the page's engine produced. It
// never reads or makes a record (the core's format is the engine's business, in the page): it
// stores bytes, flushes them, and says so.
//
// FILES (one directory per store): checkpoint.0, checkpoint.1, log.0, log.1. Checkpoint n goes
// to slot n % 2 and its log (HEADER(n), then the records since) to log.(n % 2); the other slot
// keeps checkpoint n-1 and its log until checkpoint n and its log's HEADER are flushed, so a
// stop at any moment leaves one whole checkpoint with its log (OPFS's sync access handles have
// no atomic rename; two slots need none).
//
// BACKENDS: OPFS (navigator.storage.getDirectory(), a FileSystemSyncAccessHandle per file,
// flush() is the sync) when the browser has sync access handles; else IndexedDB (a file is a
// list of chunks; each write is one transaction with durability 'strict', complete = the sync).
//
// LOCK: the Web Lock 'partita-store:<name>' is held while the store is open; a second opener (a
// second tab, or a second connection in this one) is refused at once. A closed or crashed tab's
// worker ends and its lock goes with it.
//
// PROTOCOL (page -> worker; every message is answered { id, ok, ... } or { id, error } in order):
//   { op: 'open', name, backend: 'auto'|'opfs'|'idb' } -> { backend, cp: [b0, b1], log: [b0, b1] }
//   { op: 'start', slot, keep, reset }   cut log.slot to `keep` bytes, or write it as `reset`
//   { op: 'append', slot, at, bytes, sync } write at `at`, flush when `sync`
//   { op: 'checkpoint', slot, bytes, header } checkpoint.slot := bytes; log.slot := header
//   { op: 'sync' }                        flush the log
//   { op: 'close' }                       flush, release the files and the lock
//   { op: 'list' } -> { entries }         the entries of this store's databases/ (the stores of
//                                         its other databases: directories, or IndexedDB names)
//   { op: 'remove', name }                delete the closed store `name` (a dropped database's),
//                                         its lock held meanwhile

const FILES = ['checkpoint.0', 'checkpoint.1', 'log.0', 'log.1'];

/** OPFS: the store's files through sync access handles. */
async function opfsFiles(name) {
  let dir = await navigator.storage.getDirectory();
  for (const part of ['partita', ...name.split('/')]) dir = await dir.getDirectoryHandle(part, { create: true });
  const handles = {};
  try {
    for (const f of FILES) handles[f] = await (await dir.getFileHandle(f, { create: true })).createSyncAccessHandle();
  } catch (e) {
    for (const h of Object.values(handles)) h.close();
    throw e;
  }
  return {
    backend: 'opfs',
    read(f) {
      const h = handles[f];
      const out = new Uint8Array(h.getSize());
      for (let at = 0; at < out.length;) at += h.read(out.subarray(at), { at });
      return out;
    },
    write(f, bytes, at) {
      const h = handles[f];
      for (let done = 0; done < bytes.length;) done += h.write(bytes.subarray(done), { at: at + done });
    },
    truncate(f, n) {
      handles[f].truncate(n);
    },
    flush(f) {
      handles[f].flush();
    },
    close() {
      for (const h of Object.values(handles)) h.close();
    },
  };
}

const idbRequest = (req) => new Promise((resolve, reject) => {
  req.onsuccess = () => resolve(req.result);
  req.onerror = () => reject(req.error);
});

/** IndexedDB: a file is its chunks, keyed [file, offset]; every change is one transaction,
 * committed with durability 'strict' before it is answered. */
async function idbFiles(name) {
  const open = indexedDB.open(`partita-store:${name}`, 1);
  open.onupgradeneeded = () => open.result.createObjectStore('chunks');
  const db = await idbRequest(open);
  const range = (f, from = 0) => IDBKeyRange.bound([f, from], [f, Infinity]);
  /** Runs fn(objectStore) in a readwrite transaction; resolves when it is committed. */
  const change = (fn) => new Promise((resolve, reject) => {
    const tx = db.transaction('chunks', 'readwrite', { durability: 'strict' });
    fn(tx.objectStore('chunks'));
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
  const chunks = async (f) => {
    const tx = db.transaction('chunks', 'readonly');
    const os = tx.objectStore('chunks');
    const [keys, values] = await Promise.all([idbRequest(os.getAllKeys(range(f))), idbRequest(os.getAll(range(f)))]);
    return keys.map((k, i) => ({ at: k[1], bytes: values[i] }));
  };
  return {
    backend: 'idb',
    async read(f) {
      const list = await chunks(f);
      const out = new Uint8Array(list.reduce((n, c) => Math.max(n, c.at + c.bytes.length), 0));
      for (const c of list) out.set(c.bytes, c.at);
      return out;
    },
    // chunks only ever end where the next begins: a write at `at` follows a truncate to `at`
    write: (f, bytes, at) => change((os) => os.put(bytes.slice(), [f, at])),
    async truncate(f, n) {
      const cut = (await chunks(f)).filter((c) => c.at + c.bytes.length > n);
      await change((os) => {
        for (const c of cut) {
          os.delete([f, c.at]);
          if (c.at < n) os.put(c.bytes.slice(0, n - c.at), [f, c.at]);
        }
      });
    },
    flush() {}, // each change was committed durably
    close() {
      db.close();
    },
  };
}

let files = null;
let storeName = null;
let releaseLock = null;

/** Takes the store's Web Lock now or refuses; resolves once held, with its release. */
function lock(name) {
  if (!navigator.locks) throw new Error('this browser has no Web Locks API (navigator.locks): a durable store needs it to keep a second tab out');
  return new Promise((resolve, reject) => {
    navigator.locks.request(`partita-store:${name}`, { ifAvailable: true }, (held) => {
      if (!held) {
        reject(Object.assign(new Error(`the store ${name} is open in another tab, worker or connection of this origin; one at a time may open a store`), { locked: true }));
        return null;
      }
      return new Promise((release) => resolve(release));
    }).catch(reject);
  });
}

/** The OPFS directory of path parts `parts` under partita/, or null when it is not there. */
async function opfsDir(parts) {
  let dir = await navigator.storage.getDirectory();
  try {
    for (const part of ['partita', ...parts]) dir = await dir.getDirectoryHandle(part);
  } catch (e) {
    if (e?.name === 'NotFoundError') return null;
    throw e;
  }
  return dir;
}

const handlers = {
  async open({ name, backend }) {
    releaseLock = await lock(name);
    storeName = name;
    try {
      const opfs = typeof FileSystemSyncAccessHandle === 'function' && typeof navigator.storage?.getDirectory === 'function';
      if (backend === 'opfs' && !opfs) throw new Error('this browser has no OPFS sync access handles (FileSystemSyncAccessHandle in a Worker)');
      if ((backend === 'idb' || !opfs) && typeof indexedDB === 'undefined')
        throw new Error('this browser has neither OPFS sync access handles nor IndexedDB: a durable store needs one');
      files = backend === 'idb' || !opfs ? await idbFiles(name) : await opfsFiles(name);
    } catch (e) {
      releaseLock();
      throw e;
    }
    const read = async (f) => {
      const b = await files.read(f);
      return b.length ? b : null;
    };
    return { backend: files.backend, cp: [await read(FILES[0]), await read(FILES[1])], log: [await read(FILES[2]), await read(FILES[3])] };
  },
  async start({ slot, keep, reset }) {
    const f = `log.${slot}`;
    await files.truncate(f, reset ? 0 : keep);
    if (reset) await files.write(f, reset, 0);
    await files.flush(f);
    return {};
  },
  async append({ slot, at, bytes, sync }) {
    await files.write(`log.${slot}`, bytes, at);
    if (sync) await files.flush(`log.${slot}`);
    return {};
  },
  async checkpoint({ slot, bytes, header }) {
    for (const [f, b] of [[`checkpoint.${slot}`, bytes], [`log.${slot}`, header]]) {
      await files.truncate(f, 0);
      await files.write(f, b, 0);
      await files.flush(f);
    }
    return {};
  },
  async sync() {
    for (const f of FILES) await files.flush(f);
    return {};
  },
  async close() {
    try {
      for (const f of FILES) await files.flush(f);
      files.close();
    } finally {
      files = null;
      releaseLock?.();
    }
    return {};
  },
  async list() {
    if (files.backend === 'opfs') {
      const dir = await opfsDir([...storeName.split('/'), 'databases']);
      const entries = [];
      if (dir) for await (const [entry, handle] of dir.entries()) if (handle.kind === 'directory') entries.push(entry);
      return { entries };
    }
    const prefix = `partita-store:${storeName}/databases/`;
    const names = (await indexedDB.databases()).map((d) => d.name);
    return { entries: names.filter((n) => n.startsWith(prefix) && !n.slice(prefix.length).includes('/')).map((n) => n.slice(prefix.length)) };
  },
  async remove({ name }) {
    const release = await lock(name); // closed by this page, not open anywhere else
    try {
      if (files.backend === 'opfs') {
        const parts = name.split('/');
        await (await opfsDir(parts.slice(0, -1)))?.removeEntry(parts.at(-1), { recursive: true }).catch((e) => {
          if (e?.name !== 'NotFoundError') throw e;
        });
      } else {
        await idbRequest(indexedDB.deleteDatabase(`partita-store:${name}`));
      }
    } finally {
      release();
    }
    return {};
  },
};

// messages are handled one at a time, in order (a write never overtakes an earlier one)
let queue = Promise.resolve();
let broken = null;
self.onmessage = (e) => {
  const m = e.data;
  queue = queue.then(async () => {
    if (broken && m.op !== 'close') return self.postMessage({ id: m.id, error: broken });
    try {
      const reply = { id: m.id, ok: true, ...(await handlers[m.op](m)) };
      // the files read on open are handed over, not copied
      self.postMessage(reply, [...(reply.cp ?? []), ...(reply.log ?? [])].filter(Boolean).map((b) => b.buffer));
    } catch (err) {
      const message = `${err?.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err?.message ?? err}`;
      // a failed write leaves the log's end unknown: nothing after it may be written
      if (m.op !== 'open') broken = message;
      self.postMessage({ id: m.id, error: message, locked: Boolean(err?.locked) });
    }
  });
};
