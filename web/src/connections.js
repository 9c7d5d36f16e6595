// connections.js — pymilvus's `connections`: named connections, each with its own store.
//
// Without a connection, or with uri ':memory:', a connection is an embedded in-memory store
// running in this page / worker / process. A store lives as long as the program: like a
// server, it keeps its collections across disconnect() and connect() of the same alias.

import { core } from './binding.js';
import { CLIENT_ERROR, ConnectionConfigException, ConnectionNotExistException } from './errors.js';

const DEFAULT = 'default';

class Connections {
  #aliases = new Map(); // alias -> { config, connected }
  #stores = new Map(); // alias -> store pointer

  /**
   * @param {string} [alias]
   * @param {{ uri?: string, token?: string, db_name?: string }} [options]
   */
  connect(alias = DEFAULT, options = {}) {
    if (typeof alias !== 'string')
      throw new ConnectionConfigException(CLIENT_ERROR, `Alias should be string, but ${typeof alias} is given.`);
    const uri = options.uri ?? ':memory:';
    if (typeof uri !== 'string') throw new ConnectionConfigException(CLIENT_ERROR, 'uri must be a string');
    if (/^https?:\/\//i.test(uri))
      throw new ConnectionConfigException(
        CLIENT_ERROR,
        `forwarding to a Milvus REST endpoint (${uri}) is not available in this version of partita yet; ` +
          "connect with uri ':memory:' (or no uri) for the embedded store",
      );
    if (uri !== ':memory:' && uri !== '')
      throw new ConnectionConfigException(CLIENT_ERROR, `unsupported uri ${JSON.stringify(uri)}: use ':memory:' or http(s)://host:port`);
    const prev = this.#aliases.get(alias);
    if (prev && prev.connected && prev.config.uri !== ':memory:')
      throw new ConnectionConfigException(CLIENT_ERROR, `Alias of '${alias}' already creating connections, but the configure is not the same as passed in.`);
    this.#aliases.set(alias, { config: { ...options, uri: ':memory:' }, connected: true });
  }

  disconnect(alias = DEFAULT) {
    const a = this.#aliases.get(alias);
    if (a) a.connected = false;
  }

  /** Forgets an alias; its embedded store (and every collection in it) is closed. */
  remove_connection(alias = DEFAULT) {
    this.#aliases.delete(alias);
    const store = this.#stores.get(alias);
    if (store) {
      this.#stores.delete(alias);
      core().exports._pt_wasm_store_close(store);
    }
  }

  has_connection(alias = DEFAULT) {
    const a = this.#aliases.get(alias);
    return Boolean(a && a.connected) || (alias === DEFAULT && !a);
  }

  list_connections() {
    const out = [...this.#aliases].map(([alias, a]) => [alias, a.connected ? { uri: a.config.uri } : null]);
    if (!this.#aliases.has(DEFAULT)) out.unshift([DEFAULT, { uri: ':memory:' }]);
    return out;
  }

  get_connection_addr(alias = DEFAULT) {
    const a = this.#aliases.get(alias);
    return a ? { uri: a.config.uri } : alias === DEFAULT ? { uri: ':memory:' } : {};
  }

  /** The store of an alias; `default` connects on first use. */
  _store(alias = DEFAULT) {
    const a = this.#aliases.get(alias);
    if (!a && alias === DEFAULT) this.connect(DEFAULT);
    else if (!a || !a.connected) throw new ConnectionNotExistException(CLIENT_ERROR, 'should create connection first.');
    let store = this.#stores.get(alias);
    if (!store) {
      const c = core();
      store = c.exports._pt_wasm_store_open() >>> 0;
      if (!store) throw c.lastError();
      this.#stores.set(alias, store);
    }
    return store;
  }
}

export const connections = new Connections();
