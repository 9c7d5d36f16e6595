// client/databases.js — the databases of a server, one registry per owner connection (the
// connection of its default database), shared by every face that serves it: a MilvusClient
// address (and the gRPC server over it) and a REST handler's connection, so that under
// serve({ grpc }) a database made over gRPC is one REST lists, and the reverse. Each database
// other than `default` is a store of its own, connection alias databaseAlias(owner, db): under a
// durable store, a durable store in a directory under the owner's (kept across restarts), with
// the owner's durable options; otherwise what `optionsOf(db)` says (in memory, or a forwarding
// connection's remote database). In a page a durable store's databases are listed and opened
// asynchronously (their Workers): a face awaits ready(db) before it uses one.

import { engine } from '../core/engine.js';
import { Databases } from '../core/databases.js';
import { connections, durableInPage } from '../orm/connections.js';
import { databaseDir, databaseOfEntry, removeStore, storedDatabases } from '../persist/durable.js';

/** The connection alias of database `db` of owner connection `owner`. */
export const databaseAlias = (owner, db) => (db === 'default' ? owner : `${owner}\u0000${db}`);

export class OwnedDatabases extends Databases {
  #owner;
  #dir;
  #optionsOf;
  #listed = null; // in a page: the promise of the stored databases, found once

  /** `dir`: the owner's durable store (its databases are the stores found under it), or null;
   * `optionsOf(db)`: the connection options of a database otherwise. */
  constructor(owner, dir, optionsOf) {
    // a page's store lists its databases asynchronously (ready())
    super(dir && !durableInPage() ? storedDatabases(dir) : []);
    this.#owner = owner;
    this.#dir = dir;
    this.#optionsOf = optionsOf;
  }

  /** Whether databases are stores of a page (listed, opened and deleted asynchronously). */
  get #inPage() {
    return Boolean(this.#dir) && durableInPage();
  }

  /** Resolves once the databases are known and the store of `db` (when it is one of them) is
   * open; elsewhere than in a page, at once. A database that does not exist is left to the
   * request to refuse. */
  async ready(db) {
    if (!this.#inPage) return;
    try {
      await (this.#listed ??= this.#list());
    } catch (e) {
      this.#listed = null; // tried again by the next request
      throw e;
    }
    if (db !== undefined && db !== 'default' && this.has(db)) await connections._open(this.open(db));
  }

  async #list() {
    await connections._open(this.#owner);
    this.found((await connections._durable(this.#owner).databaseEntries()).map(databaseOfEntry).filter((n) => n !== null));
  }

  /** The connection alias of database `db` (checked), connected on first use; a durable
   * database's store is opened (recovered) now, or in a page by ready(). */
  open(db) {
    this.check(db);
    const alias = databaseAlias(this.#owner, db);
    if (db !== 'default' && !connections.has_connection(alias)) {
      // a durable database keeps the owner's sync policy (fsync, groupCommitMs, ...)
      const durable = this.#dir ? connections._durableOptions(this.#owner) : undefined;
      const opening = connections.connect(alias, this.#dir ? { uri: databaseDir(this.#dir, db), ...(durable && { durable }) } : this.#optionsOf(db));
      if (this.#inPage) opening.catch(() => {}); // awaited by ready(), which reports it
      else if (this.#dir) connections._store(alias);
    }
    return alias;
  }

  /** CreateDatabase; a durable database's store is made now (in a page: a promise of it). */
  create(db) {
    super.create(db);
    if (!this.#dir) return undefined;
    if (!this.#inPage) return void this.open(db);
    return connections._open(this.open(db)).catch((e) => {
      // the store could not be made: no database is left behind
      connections.remove_connection(databaseAlias(this.#owner, db));
      this.forget(db);
      throw e;
    });
  }

  /** DropDatabase: false when `db` is not there (which Milvus answers with success); Milvus's
   * error when it holds collections; else its store is closed and, when durable, deleted (in a
   * page: a promise of that). */
  dropStore(db) {
    if (this.#inPage) return this.#dropInPage(db);
    // a durable database is opened (to count its collections) before it is dropped
    if (this.#dir && this.has(db)) this.open(db);
    if (!this.#forget(db)) return false;
    if (this.#dir) removeStore(databaseDir(this.#dir, db));
    return true;
  }

  async #dropInPage(db) {
    await this.ready(db);
    if (!this.#forget(db)) return false;
    await connections._durable(this.#owner).removeStore(databaseDir(this.#dir, db));
    return true;
  }

  /** Milvus's drop of `db` (its rules, its collections counted) and its connection closed. */
  #forget(db) {
    const alias = databaseAlias(this.#owner, db);
    const open = connections.has_connection(alias);
    if (!this.drop(db, () => (open ? engine().listCollections(connections._store(alias)).length : 0))) return false;
    if (open) connections.remove_connection(alias);
    return true;
  }

  /** Closes the store of every database (synced, locks released). */
  close() {
    for (const db of this.list())
      if (connections.has_connection(databaseAlias(this.#owner, db))) connections.remove_connection(databaseAlias(this.#owner, db));
  }
}

const owned = new Map(); // owner connection alias -> OwnedDatabases

/** The databases of owner connection `owner`; `make()` makes them on first use. */
export function ownedDatabases(owner, make) {
  let d = owned.get(owner);
  if (!d) owned.set(owner, (d = make()));
  return d;
}

/** Closes the stores of every database of `owner` (its own connection too) and forgets them. */
export function closeDatabases(owner) {
  const d = owned.get(owner);
  if (d) d.close();
  else if (connections.has_connection(owner)) connections.remove_connection(owner);
  owned.delete(owner);
}
