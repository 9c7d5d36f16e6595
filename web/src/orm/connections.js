// connections.js — pymilvus's `connections`: named connections, each with its own store.
//
// Without a connection, or with uri ':memory:', a connection is an embedded in-memory store
// running in this page / worker / process. A store lives as long as the program: like a
// server, it keeps its collections across disconnect() and connect() of the same alias.
// A uri ending in '.db' (Milvus Lite's rule, e.g. './milvus.db') is a durable store in that
// directory (persist/durable.js; Node): opened on first use, kept until remove_connection().
// In a page (no Node), the same uri names a store in the origin's private file system kept by a
// Worker (persist/browser-store.js): opening it is asynchronous, so connect() returns a promise
// there, to await before the store is used (MilvusClient awaits it in its connectPromise).

import { engine, isInitialized } from '../core/engine.js';
import { init } from '../core/loader.js';
import { CLIENT_ERROR, Code, ConnectionConfigException, ConnectionNotExistException, MilvusException, ParamError } from '../core/errors.js';
import { Forwarder } from '../remote/forward.js';
import { DurableStore } from '../persist/durable.js';
import { BrowserStore, browserOptions } from '../persist/browser-store.js';
import { durableOptions } from '../persist/recovery.js';
import { registryHost, registryOf } from '../core/registry.js';
import { acceptOptions } from './options.js';

const DEFAULT = 'default';

/** How reads give INT64 values (the `int64` option): 'auto', numbers when they are safe integers
 * and exact BigInts beyond 2^53; 'string', every INT64 value as its decimal digits (Milvus
 * REST's int64-as-string), keys then also taken as digits by get() and search by ids. */
const INT64_MODES = ['auto', 'string'];

/** Options of a forwarding connection only (ConnectOptions in index.d.ts): an embedded-only
 * store has no use for them, so they are refused there rather than kept unused. */
const REMOTE_OPTIONS = ['token', 'user', 'password', 'db_name', 'timeout', 'batch_rows', 'batch_bytes', 'max_pending_bytes',
  'max_in_flight', 'retry_initial_ms', 'retry_max_ms', 'retry_multiplier', 'max_retries', 'ack', 'outbox', 'outbox_fsync',
  'index_params', 'fetch', 'on_error', 'stream_bodies'];

/** pymilvus's address options (host, port, secure) as the uri they name: Milvus serves its
 * REST v2 API on the port of its gRPC API (19530), so http://host:port is the same server. */
function addressUri(options) {
  const { host, port, secure } = options;
  if (host === undefined && port === undefined && secure === undefined) return options.uri;
  if (options.uri !== undefined)
    throw new ConnectionConfigException(CLIENT_ERROR, 'connect() takes uri or host / port / secure, not both');
  const h = host ?? 'localhost', p = port ?? 19530;
  if (typeof h !== 'string' || !/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(h))
    throw new ConnectionConfigException(CLIENT_ERROR, `host must be a host name or address, got ${JSON.stringify(h) ?? typeof h}`);
  const n = typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : p;
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new ConnectionConfigException(CLIENT_ERROR, `port must be an integer in [1, 65535], got ${JSON.stringify(p) ?? typeof p}`);
  if (secure !== undefined && typeof secure !== 'boolean')
    throw new ConnectionConfigException(CLIENT_ERROR, `secure must be a bool, got ${typeof secure}`);
  return `${secure ? 'https' : 'http'}://${h}:${n}`;
}

/** Whether a uri names a durable store: a path ending in '.db', as pymilvus tells Milvus Lite's. */
export const isStorePath = (uri) => typeof uri === 'string' && /\.db\/?$/.test(uri) && !/^https?:\/\//i.test(uri);

/** Whether durable stores are a page's (persist/browser-store.js) rather than directories of
 * this process (Node, whose persist/durable.js says which version it needs). */
export const durableInPage = () => typeof globalThis.process?.versions?.node !== 'string';

class Connections {
  #aliases = new Map(); // alias -> { config, connected }
  #stores = new Map(); // alias -> the engine's store
  #durables = new Map(); // alias -> DurableStore, for '.db' connections
  #forwarders = new Map(); // alias -> Forwarder, for http(s) connections

  /**
   * @param {string} [alias]
   * @param {{ uri?: string, token?: string, user?: string, password?: string, db_name?: string,
   *   timeout?: number, batch_rows?: number, batch_bytes?: number, max_pending_bytes?: number,
   *   retry_initial_ms?: number, retry_max_ms?: number, retry_multiplier?: number, max_retries?: number,
   *   ack?: 'local' | 'remote', outbox?: string | object, outbox_fsync?: boolean,
   *   index_params?: Record<string, { index_type?: string, metric_type?: string, params?: object }>,
   *   fetch?: typeof fetch, on_error?: (err: Error) => void, host?: string, port?: number | string,
   *   secure?: boolean, int64?: 'auto' | 'string' }} [options]
   *   uri ':memory:' (or none): the embedded store only; http(s)://host:port (or host / port /
   *   secure): the embedded store, and its mutations forwarded to that Milvus REST v2 endpoint
   *   (forward.js says how). int64: how reads give INT64 values (INT64_MODES). Any other option
   *   is refused by name.
   */
  connect(alias = DEFAULT, options = {}) {
    if (typeof alias !== 'string')
      throw new ConnectionConfigException(CLIENT_ERROR, `Alias should be string, but ${typeof alias} is given.`);
    options = acceptOptions('connections.connect() options', options, ['uri', 'host', 'port', 'secure', 'int64', 'durable', ...REMOTE_OPTIONS]);
    if (options.int64 !== undefined && !INT64_MODES.includes(options.int64))
      throw new ConnectionConfigException(CLIENT_ERROR, `int64 must be ${INT64_MODES.map((m) => `'${m}'`).join(' or ')}, got ${JSON.stringify(options.int64) ?? typeof options.int64}`);
    const uri = addressUri(options) ?? ':memory:';
    if (typeof uri !== 'string') throw new ConnectionConfigException(CLIENT_ERROR, 'uri must be a string');
    const remote = /^https?:\/\//i.test(uri);
    const path = isStorePath(uri);
    if (!remote && !path && uri !== ':memory:' && uri !== '')
      throw new ConnectionConfigException(CLIENT_ERROR, `unsupported uri ${JSON.stringify(uri)}: use ':memory:', a path ending in .db (a durable store), or http(s)://host:port`);
    if (!remote)
      for (const k of REMOTE_OPTIONS)
        if (options[k] !== undefined)
          throw new ParamError(CLIENT_ERROR, `connections.connect() options: '${k}' is an option of a forwarding connection (uri http(s)://host:port); the embedded store alone has no use for it`);
    const { host: _h, port: _p, secure: _s, durable: given, ...rest } = options;
    const config = { ...rest, uri: remote || path ? uri : ':memory:' };
    if (given !== undefined) {
      if (!path) throw new ParamError(CLIENT_ERROR, "connections.connect() options: 'durable' is an option of a durable store (a uri ending in .db)");
      // checked now (refused by name when wrong), and the checked copy kept: the caller's object
      // is not read again when the store, or another database of its owner, opens later
      config.durable = (durableInPage() ? browserOptions : durableOptions)(given);
    }
    if (path) config.path = uri;
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
    if (path && durableInPage()) {
      const opened = this._open(alias);
      opened.catch(() => {}); // reported where the store is used too
      return opened;
    }
  }

  disconnect(alias = DEFAULT) {
    const a = this.#aliases.get(alias);
    if (a) a.connected = false;
  }

  /** Forgets an alias; its embedded store (and every collection in it) is closed. */
  remove_connection(alias = DEFAULT) {
    this.#aliases.delete(alias);
    this.#opening.delete(alias);
    const fw = this.#forwarders.get(alias);
    if (fw) {
      this.#forwarders.delete(alias);
      fw.close();
    }
    const store = this.#stores.get(alias);
    if (store) {
      this.#stores.delete(alias);
      const durable = this.#durables.get(alias);
      this.#durables.delete(alias);
      try {
        durable?.close();
      } finally {
        engine().closeStore(store);
      }
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

  /** The key mode of an alias (the `int64` option): 'auto' or 'string'. */
  _int64Mode(alias = DEFAULT) {
    return this.#aliases.get(alias)?.config.int64 ?? 'auto';
  }

  /** The forwarder of an alias connected to a remote endpoint, or null. */
  _forwarder(alias = DEFAULT) {
    const a = this.#aliases.get(alias);
    return a && a.connected ? this.#forwarders.get(alias) ?? null : null;
  }

  /** RenameCollection `from` → `to` in the store of an alias, for every face (the registry's
   * checks: Milvus's refusal of an alias as `from`, of a taken name); refused on a forwarding
   * connection, where the remote collection would keep its name. */
  _renameCollection(alias, from, to) {
    if (this._forwarder(alias))
      throw new MilvusException(Code.PARAMETER_INVALID, 'renaming a collection is not supported by partita on a forwarding connection (the remote collection would keep its name): invalid parameter');
    return registryOf(this._store(alias)).rename(from, to);
  }

  /** The store of an alias (the engine's, opened on first use); `default` connects on first use. */
  _store(alias = DEFAULT) {
    const a = this.#aliases.get(alias);
    if (!a && alias === DEFAULT) this.connect(DEFAULT);
    else if (!a || !a.connected) throw new ConnectionNotExistException(CLIENT_ERROR, 'should create connection first.');
    let store = this.#stores.get(alias);
    if (!store && this.#aliases.get(alias).config.path !== undefined && durableInPage()) {
      const { path } = this.#aliases.get(alias).config;
      const failed = this.#opening.get(alias)?.failed;
      throw failed ?? new ConnectionConfigException(CLIENT_ERROR, `the store ${path} is still being opened: in a page, a durable store opens ` +
        'asynchronously; await connections.connect() (or MilvusClient\'s connectPromise) before using it');
    }
    if (!store) {
      store = engine().openStore();
      const { path, durable } = this.#aliases.get(alias).config;
      if (path !== undefined) {
        try {
          this.#durables.set(alias, new DurableStore(store, path, durable, registryHost));
        } catch (e) {
          engine().closeStore(store);
          throw e;
        }
      }
      this.#stores.set(alias, store);
    }
    return store;
  }

  #opening = new Map(); // alias -> { promise, failed } of a store being opened in a page

  /** Opens the store of an alias when it is not open yet; in a page a durable store's opening
   * is asynchronous (persist/browser-store.js), elsewhere this is _store(). */
  async _open(alias = DEFAULT) {
    const config = this.#aliases.get(alias)?.config;
    if (!config || config.path === undefined || !durableInPage() || this.#stores.has(alias)) return void this._store(alias);
    let o = this.#opening.get(alias);
    if (!o || o.failed) {
      o = { failed: null };
      o.promise = (async () => {
        let store = null;
        try {
          if (!isInitialized()) await init(); // connect() may come before init()
          store = engine().openStore();
          const durable = await BrowserStore.open(store, config.path, config.durable, registryHost);
          // a second connect() of the same store while it opened keeps it; another path does not
          if (this.#aliases.get(alias)?.config?.path !== config.path) {
            // removed (or connected elsewhere) while it opened
            durable.close();
            engine().closeStore(store);
            throw new ConnectionConfigException(CLIENT_ERROR, `the connection '${alias}' was removed while its store ${config.path} opened`);
          }
          this.#durables.set(alias, durable);
          this.#stores.set(alias, store);
          this.#opening.delete(alias);
        } catch (e) {
          if (store !== null && !this.#stores.has(alias)) engine().closeStore(store);
          o.failed = e;
          throw e;
        }
      })();
      this.#opening.set(alias, o);
    }
    return o.promise;
  }

  /**
   * Connects `alias` to the durable store in directory `dir` (any name; partita-serve --data),
   * with the options of persist/durable.js (fsync, groupCommitMs, compactRatio, compactMinBytes),
   * and opens it now, so that a store that cannot be opened fails here.
   */
  _connectDurable(alias, dir, options = {}) {
    if (typeof dir !== 'string' || dir === '') throw new ConnectionConfigException(CLIENT_ERROR, 'a durable store needs a directory path');
    const prev = this.#aliases.get(alias);
    if (prev && prev.connected && prev.config.path !== dir)
      throw new ConnectionConfigException(CLIENT_ERROR, `Alias of '${alias}' already creating connections, but the configure is not the same as passed in.`);
    this.#aliases.set(alias, { config: { uri: dir, path: dir, durable: options }, connected: true });
    try {
      return this._store(alias);
    } catch (e) {
      this.#aliases.delete(alias);
      throw e;
    }
  }

  /** The directory (Node) or OPFS path (page) of an alias's durable store, opened or not; null
   * for an alias whose store is in memory or remote. */
  _storePath(alias = DEFAULT) {
    return this.#aliases.get(alias)?.config.path ?? null;
  }

  /** The durable options an alias was connected with (undefined: the defaults, or none). */
  _durableOptions(alias = DEFAULT) {
    return this.#aliases.get(alias)?.config.durable;
  }

  /** The durable store of an alias (null: in memory), once its store is open. */
  _durable(alias = DEFAULT) {
    return this.#durables.get(alias) ?? null;
  }

  /** Resolves when the mutations of an alias made so far are on disk (a durable store with a
   * group commit window, or a page's); null when there is nothing to wait for. */
  _synced(alias = DEFAULT) {
    return this.#durables.get(alias)?.synced() ?? null;
  }

  /** Runs `fn`, a mutation of the engine that runs none of the caller's code, for a caller that
   * awaits _synced(alias) before it answers: a durable store in a directory then fdatasyncs it in
   * the thread pool instead of before `fn` returns (DurableStore.deferred). */
  _deferred(alias, fn) {
    const d = this.#durables.get(alias);
    return typeof d?.deferred === 'function' ? d.deferred(fn) : fn();
  }
}

export const connections = new Connections();
