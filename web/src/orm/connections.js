// connections.js — pymilvus's `connections`: named connections, each with its own store.
//
// Without a connection, or with uri ':memory:', a connection is an embedded in-memory store
// running in this page / worker / process. A store lives as long as the program: like a
// server, it keeps its collections across disconnect() and connect() of the same alias.

import { engine } from '../core/engine.js';
import { CLIENT_ERROR, ConnectionConfigException, ConnectionNotExistException } from '../core/errors.js';
import { Forwarder } from '../remote/forward.js';

const DEFAULT = 'default';

class Connections {
  #aliases = new Map(); // alias -> { config, connected }
  #stores = new Map(); // alias -> the engine's store
  #forwarders = new Map(); // alias -> Forwarder, for http(s) connections

  /**
   * @param {string} [alias]
   * @param {{ uri?: string, token?: string, user?: string, password?: string, db_name?: string,
   *   timeout?: number, batch_rows?: number, batch_bytes?: number, max_pending_bytes?: number,
   *   retry_initial_ms?: number, retry_max_ms?: number, retry_multiplier?: number, max_retries?: number,
   *   ack?: 'local' | 'remote', outbox?: string | object, outbox_fsync?: boolean,
   *   index_params?: Record<string, { index_type?: string, metric_type?: string, params?: object }>,
   *   fetch?: typeof fetch, on_error?: (err: Error) => void }} [options]
   *   uri ':memory:' (or none): the embedded store only; http(s)://host:port: the embedded store,
   *   and its mutations forwarded to that Milvus REST v2 endpoint (forward.js says how).
   */
  connect(alias = DEFAULT, options = {}) {
    if (typeof alias !== 'string')
      throw new ConnectionConfigException(CLIENT_ERROR, `Alias should be string, but ${typeof alias} is given.`);
    const uri = options.uri ?? ':memory:';
    if (typeof uri !== 'string') throw new ConnectionConfigException(CLIENT_ERROR, 'uri must be a string');
    const remote = /^https?:\/\//i.test(uri);
    if (!remote && uri !== ':memory:' && uri !== '')
      throw new ConnectionConfigException(CLIENT_ERROR, `unsupported uri ${JSON.stringify(uri)}: use ':memory:' or http(s)://host:port`);
    const config = { ...options, uri: remote ? uri : ':memory:' };
    if (config.token === undefined && (options.user || options.password)) config.token = `${options.user ?? ''}:${options.password ?? ''}`;
    const prev = this.#aliases.get(alias);
    if (prev && prev.connected && prev.config.uri !== config.uri)
      throw new ConnectionConfigException(CLIENT_ERROR, `Alias of '${alias}' already creating connections, but the configure is not the same as passed in.`);
    if (remote) {
      const fw = this.#forwarders.get(alias);
      if (fw && fw.uri === uri) fw.update(config);
      else {
        if (fw) fw.close();
        try {
          this.#forwarders.set(alias, new Forwarder(config));
        } catch (e) {
          throw new ConnectionConfigException(e.code ?? CLIENT_ERROR, e.message);
        }
      }
    } else if (this.#forwarders.has(alias)) {
      this.#forwarders.get(alias).close();
      this.#forwarders.delete(alias);
    }
    this.#aliases.set(alias, { config, connected: true });
  }

  disconnect(alias = DEFAULT) {
    const a = this.#aliases.get(alias);
    if (a) a.connected = false;
  }

  /** Forgets an alias; its embedded store (and every collection in it) is closed. */
  remove_connection(alias = DEFAULT) {
    this.#aliases.delete(alias);
    const fw = this.#forwarders.get(alias);
    if (fw) {
      this.#forwarders.delete(alias);
      fw.close();
    }
    const store = this.#stores.get(alias);
    if (store) {
      this.#stores.delete(alias);
      engine().closeStore(store);
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

  /** The forwarder of an alias connected to a remote endpoint, or null. */
  _forwarder(alias = DEFAULT) {
    const a = this.#aliases.get(alias);
    return a && a.connected ? this.#forwarders.get(alias) ?? null : null;
  }

  /** The store of an alias (the engine's, opened on first use); `default` connects on first use. */
  _store(alias = DEFAULT) {
    const a = this.#aliases.get(alias);
    if (!a && alias === DEFAULT) this.connect(DEFAULT);
    else if (!a || !a.connected) throw new ConnectionNotExistException(CLIENT_ERROR, 'should create connection first.');
    let store = this.#stores.get(alias);
    if (!store) {
      store = engine().openStore();
      this.#stores.set(alias, store);
    }
    return store;
  }
}

export const connections = new Connections();
