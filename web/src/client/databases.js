// client/databases.js — the databases of a server, one registry per owner connection (the
// connection of its default database), shared by every face that serves it: a MilvusClient
// address (and the gRPC server over it) and a REST handler's connection, so that under
// serve({ grpc }) a database made over gRPC is one REST lists, and the reverse. Each database
// other than `default` is a store of its own, connection alias databaseAlias(owner, db): under a
// durable store, a durable store in a directory under the owner's (kept across restarts), with
// the owner's durable options;
// otherwise what `optionsOf(db)` says (in memory, or a forwarding connection's remote database).

import { engine } from '../core/engine.js';
import { unsupported } from './status.js';
import { Databases } from '../core/databases.js';
import { connections, durableInPage } from '../orm/connections.js';
import { databaseDir, removeStore, storedDatabases } from '../persist/durable.js';

/** The connection alias of database `db` of owner connection `owner`. */
export const databaseAlias = (owner, db) => (db === 'default' ? owner : `${owner}\u0000${db}`);

export class OwnedDatabases extends Databases {
  #owner;
  #dir;
  #optionsOf;

  /** `dir`: the owner's durable store (its databases are the stores found under it), or null;
   * `optionsOf(db)`: the connection options of a database otherwise. */
  constructor(owner, dir, optionsOf) {
    // a page's durable store keeps its default database only (persist/browser-store.js)
    super(dir && !durableInPage() ? storedDatabases(dir) : []);
    this.#owner = owner;
    this.#dir = dir;
    this.#optionsOf = optionsOf;
  }

  /** The connection alias of database `db` (checked), connected on first use; a durable
   * database's store is opened (recovered) now. */
  open(db) {
    this.check(db);
    const alias = databaseAlias(this.#owner, db);
    if (db !== 'default' && !connections.has_connection(alias)) {
      // a durable database keeps the owner's sync policy (fsync, groupCommitMs, ...)
      const durable = this.#dir ? connections._durableOptions(this.#owner) : undefined;
      connections.connect(alias, this.#dir ? { uri: databaseDir(this.#dir, db), ...(durable && { durable }) } : this.#optionsOf(db));
      if (this.#dir) connections._store(alias);
    }
    return alias;
  }

  /** CreateDatabase; a durable database's directory is made now. */
  create(db) {
    // checked before the name is listed: a page's store has no directory of databases
    if (this.#dir && durableInPage()) throw unsupported('creating a database in a durable store in a page (it keeps its default database only)');
    super.create(db);
    if (this.#dir) this.open(db);
  }

  /** DropDatabase: false when `db` is not there (which Milvus answers with success); Milvus's
   * error when it holds collections; else its store is closed and, when durable, deleted. */
  dropStore(db) {
    // a durable database is opened (to count its collections) before it is dropped
    if (this.#dir && this.has(db)) this.open(db);
    const alias = databaseAlias(this.#owner, db);
    const open = connections.has_connection(alias);
    if (!this.drop(db, () => (open ? engine().listCollections(connections._store(alias)).length : 0))) return false;
    if (open) connections.remove_connection(alias);
    if (this.#dir) removeStore(databaseDir(this.#dir, db));
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
