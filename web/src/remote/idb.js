// idb.js — the two IndexedDB steps the outbox (outbox.js) and the snapshot adapter (persist.js)
// share: opening a database with one object store, and running one transaction as a Promise.

/** Opens database `name` (version 1), creating object store `storeName` with `options`. */
export function idbOpen(factory, name, storeName, options) {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(storeName, options);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Runs fn(objectStore) in one transaction (`options`: IDBTransactionOptions, durability);
 * resolves with fn's returned `{ value }` read when the transaction has completed (so requests'
 * results are in), rejects when it fails. */
export function idbTransaction(db, storeName, mode, fn, options) {
  return new Promise((resolve, reject) => {
    const tx = options ? db.transaction(storeName, mode, options) : db.transaction(storeName, mode);
    const result = fn(tx.objectStore(storeName));
    tx.oncomplete = () => resolve(result?.value);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}
