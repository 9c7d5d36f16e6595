// Databases as named stores, for the faces that have them (MilvusClient per address, REST per
// handler's connection): which exist, and Milvus's rules and messages for creating, finding and
// dropping them. Each database other than `default` is an embedded store of its own.
import { Code, MilvusException } from './errors.js';
import { engine } from './engine.js';

/** Milvus's database-not-found error (merr.ErrDatabaseNotFound). */
export const noDatabase = (db) => new MilvusException(800, `database not found[database=${db}]`);

export class Databases {
  #names = new Set(['default']);

  /** `names`: databases that exist already (a durable store's, found on disk). */
  constructor(names = []) {
    for (const n of names) this.#names.add(n);
  }

  has(db) {
    return this.#names.has(db);
  }

  /** Adds databases found to exist after construction (a page's durable store lists them
   * asynchronously, once its Worker is up). */
  found(names) {
    for (const n of names) this.#names.add(n);
  }

  /** Forgets `db` without Milvus's checks: a database whose store could not be made. */
  forget(db) {
    if (db !== 'default') this.#names.delete(db);
  }

  /** The names, `default` first, then in the order they were created. */
  list() {
    return [...this.#names];
  }

  /** `db` when it exists, else Milvus's database-not-found error. */
  check(db) {
    if (!this.#names.has(db)) throw noDatabase(db);
    return db;
  }

  create(db) {
    engine().checkDatabaseName(typeof db === 'string' ? db : ''); // Milvus's rule (the core's): none is ''
    if (this.#names.has(db)) throw new MilvusException(Code.UNEXPECTED, `database already exist: ${db}`);
    this.#names.add(db);
  }

  /** Forgets `db` (false when it was not there, which Milvus answers with success);
   * `collections()` counts its collections: Milvus drops only empty databases. */
  drop(db, collections) {
    if (db === 'default') throw new MilvusException(Code.UNEXPECTED, 'can not drop default database');
    if (!this.#names.has(db)) return false;
    if (collections() > 0) throw new MilvusException(Code.UNEXPECTED, `database:${db} not empty, must drop all collections before drop database`);
    this.#names.delete(db);
    return true;
  }
}
