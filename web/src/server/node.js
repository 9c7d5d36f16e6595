// server/node.js — the Milvus REST v2 handler on node:http (`partita/server/node`).
//
// Requests go to the handler's transport-neutral core (handler.handle) without building web
// Request / Response objects. The handler decides from the headers alone whether a request may
// go on (route, token), and only then asks for its body: read straight off the socket into one
// buffer (its size known from Content-Length when given), refused once it passes maxBodyBytes
// (a client that sent `Expect: 100-continue` gets its 100 Continue only then). What arrives of
// a body after its answer (a refusal, 413, 408) is discarded, never kept, and the connection
// closed unless little is left. requestTimeoutMs bounds a whole request, headers included,
// from its first byte. GET and
// HEAD requests may also be answered from directories (the `files` option: the demo page).

import http from 'node:http';
import { Duplex, PassThrough } from 'node:stream';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import '../node.js';
import { init } from '../core/loader.js';
import { createHandler, timedOut, DEFAULT_MAX_BODY_BYTES } from './handler.js';
import { aliasOf, closeDurableAddress } from '../client/milvus-client.js';
import { closeDatabases } from '../client/databases.js';
import { connections } from '../orm/connections.js';

const EMPTY = new Uint8Array(0);

/**
 * How long a connection closed after an early answer keeps reading (and discarding) what the
 * client still sends before it is cut: closing at once, with bytes unread, sends the client a
 * reset that can make it lose the answer (Go's net/http waits 500 ms the same way).
 */
const LINGER_MS = 500;
/** The most of an unread body read through (and discarded) to keep its connection. */
const DRAIN_BYTES = 64 * 1024;

/** How often node looks for requests past their time, for a request timeout of `ms`. */
const checkIntervalMs = (ms) => Math.max(10, Math.min(1000, Math.floor(ms / 8)));

/** The first buffer of a body (it doubles as bytes arrive, up to the declared length). */
const FIRST_BUFFER = 64 * 1024;

/**
 * Reads a request body up to `max` bytes; null when it is larger. `start()` is called before
 * the first byte is asked for (100 Continue). The memory held grows with the bytes received,
 * never ahead of them: a declared Content-Length only caps the buffer (a client that declares
 * 64 MiB and sends nothing reserves nothing).
 */
function readBody(req, max, start) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const known = Number.isFinite(declared) && declared >= 0;
    if (known && declared > max) return resolve(null);
    start?.();
    const cap = known ? declared : max;
    let buf = Buffer.allocUnsafe(Math.min(cap, FIRST_BUFFER));
    let size = 0;
    req.on('data', (chunk) => {
      if (size + chunk.length > max) {
        // the rest is discarded as it comes (see discardRest), not kept
        req.removeAllListeners('data');
        buf = null;
        return resolve(null);
      }
      if (size + chunk.length > buf.length) {
        const grown = Buffer.allocUnsafe(Math.max(size + chunk.length, Math.min(cap, 2 * buf.length)));
        buf.copy(grown, 0, 0, size);
        buf = grown;
      }
      chunk.copy(buf, size);
      size += chunk.length;
    });
    req.on('end', () => resolve(size === buf.length ? buf : buf.subarray(0, size)));
    req.on('error', reject);
  });
}

/**
 * Before an answer to a request whose body was not all read (refused on its headers, too large,
 * late): the rest of the body is discarded as it comes, never kept. A rest of at most
 * DRAIN_BYTES (as declared) is simply read through, keeping the connection; a larger or
 * undeclared one is not: the answer says `connection: close`, and once it is sent the socket's
 * write side is closed and the socket destroyed when the client closes its side or LINGER_MS
 * later. (Go's net/http does the same with 256 KiB and 500 ms.)
 */
function discardRest(req, res) {
  if (req.complete) return;
  req.removeAllListeners('data');
  req.resume();
  if (Number(req.headers['content-length']) <= DRAIN_BYTES) return;
  res.shouldKeepAlive = false;
  res.setHeader('connection', 'close');
  const socket = req.socket;
  // node calls destroySoon() once a `connection: close` answer is sent
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once('close', () => clearTimeout(timer));
  };
}

/** An HTTP/1.1 answer written on a socket that has no response object (node's client errors). */
function rawAnswer(status, out) {
  const body = out?.body ?? '';
  const type = out ? `content-type: ${out.contentType}\r\n` : '';
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\n${type}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The statuses node answers its client errors with (the rest: 400). */
const CLIENT_ERROR_STATUS = { HPE_HEADER_OVERFLOW: 431, HPE_CHUNK_EXTENSIONS_OVERFLOW: 413, ERR_HTTP_REQUEST_TIMEOUT: 408 };

/** Content types of the static files served (browsers need these for modules and wasm). */
const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json', '.ts': 'text/plain; charset=utf-8',
};

/**
 * Finds the file that a GET path names under `mounts` (URL prefix -> directory; the longest
 * prefix wins, a path ending in '/' means its index.html); null when there is none. Paths
 * that climb out of a mount's directory, and files of types not listed above, are not served.
 */
async function findFile(mounts, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  for (const [prefix, dir] of mounts) {
    if (!decoded.startsWith(prefix)) continue;
    let rel = decoded.slice(prefix.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.join(dir, rel);
    if (!file.startsWith(dir + path.sep) || !Object.hasOwn(CONTENT_TYPES, path.extname(file))) return null;
    try {
      return { file, body: await readFile(file) };
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Serves the Milvus REST v2 subset on node:http.
 * @param {{ host?: string, port?: number, using?: string, token?: string, maxBodyBytes?: number,
 *   requestTimeoutMs?: number, cors?: boolean | string | string[],
 *   page?: string | Response | (() => Response | string | Promise<Response | string>),
 *   files?: Record<string, string>, grpc?: boolean,
 *   durable?: { dir: string, fsync?: 'batch' | 'none', groupCommitMs?: number } }} [options] `durable`: keep the
 *   store in directory `dir` (persist/durable.js; the gRPC face's default database with
 *   grpc, else the `using` connection); close() releases it. `files`: URL prefix ('/', '/assets/') ->
 *   directory, served to GET and HEAD before the handler (so a mounted index.html replaces
 *   the page at '/')
 * @returns {Promise<{ url: string, port: number, server: http.Server, close(): Promise<void> }>}
 */
export async function serve(options = {}) {
  const { host = '127.0.0.1', port = 19530, files = {}, grpc = false, durable = null, ...handlerOptions } = options;
  if (typeof grpc !== 'boolean') throw new TypeError('grpc: true (serve Milvus\'s gRPC API on the same port) or false');
  if (durable !== null && (typeof durable !== 'object' || typeof durable.dir !== 'string'))
    throw new TypeError('durable: { dir, fsync?, groupCommitMs?, compactRatio?, compactMinBytes?, coldVectors? } (a durable store in directory dir)');
  await init();
  let grpcFace = null;
  let durableAlias = null; // the connection of the durable store serve() opened (REST only)
  if (grpc) {
    if (handlerOptions.using !== undefined) throw new TypeError('using: not with grpc (the REST API serves the gRPC API\'s store)');
    const { createGrpcFace } = await import('../grpc/server.js');
    grpcFace = await createGrpcFace({ token: handlerOptions.token ?? null, maxMessageBytes: handlerOptions.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, durable });
    handlerOptions.using = aliasOf(grpcFace.address, 'default');
  } else if (durable) {
    const { dir, ...opts } = durable;
    connections._connectDurable(handlerOptions.using ?? 'default', dir, opts);
    durableAlias = handlerOptions.using ?? 'default';
  }
  /** The durable stores serve() opened, every database's, synced and their locks released. */
  const release = () => {
    if (grpcFace && durable) closeDurableAddress(grpcFace.address);
    else if (durableAlias !== null) closeDatabases(durableAlias);
  };
  const handler = createHandler(handlerOptions);
  const max = handler.maxBodyBytes;
  const mounts = Object.entries(files)
    .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : prefix + '/', path.resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);

  const T = handler.requestTimeoutMs;
  // node's clock on requests: a request (headers and body) not all in T ms after its first
  // byte is answered 408 (clientError below), looked for every checkIntervalMs(T); 0: node's
  // own defaults
  const timeouts = T ? { requestTimeout: T, headersTimeout: T, connectionsCheckingInterval: checkIntervalMs(T) } : {};
  /** The response to the request being received on each socket (clientError must not write
   * over it). */
  const responding = new WeakMap();

  const onRequest = async (req, res, expectsContinue = false) => {
    const socket = req.socket;
    responding.set(socket, res);
    // until the request is all in (its answer may come first)
    const done = () => responding.get(socket) === res && responding.delete(socket);
    res.once('finish', () => (req.complete ? done() : req.once('end', done)));
    try {
      const urlPath = (req.url ?? '/').split('?', 1)[0];
      const method = (req.method ?? 'GET').toUpperCase();
      if (mounts.length && (method === 'GET' || method === 'HEAD')) {
        const found = await findFile(mounts, urlPath);
        if (found) return sendFile(req, res, found, method);
      }
      const out = await handler.handle({
        method,
        path: urlPath,
        header: (name) => {
          const v = req.headers[name];
          return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
        },
        // asked for only once the request has passed the handler's checks
        body: () => {
          if (method !== 'POST') return Promise.resolve(EMPTY);
          return readBody(req, max, expectsContinue ? () => res.writeContinue() : null);
        },
      });
      if (out.page !== undefined) return sendPage(req, res, out.page, method);
      discardRest(req, res);
      res.writeHead(out.status, { 'content-type': out.contentType, 'content-length': Buffer.byteLength(out.body), ...out.headers });
      res.end(method === 'HEAD' ? undefined : out.body);
    } catch {
      // a failure of the transport itself (the handler answers its own errors): no details
      if (!res.headersSent) {
        discardRest(req, res);
        res.writeHead(500, { 'content-type': 'text/plain' });
      }
      res.end('internal server error');
    }
  };
  const server = http.createServer(timeouts, onRequest);
  // `Expect: 100-continue`: answered by the handler, which sends 100 Continue when it reads
  server.on('checkContinue', (req, res) => onRequest(req, res, true));
  // the errors node finds itself (bad requests, oversized headers, requests past their time),
  // answered as node does, the timeout as the handler answers a late body
  server.on('clientError', (err, socket) => {
    const res = responding.get(socket);
    if (socket.writable && !res?.headersSent && err.code !== 'ECONNRESET') {
      const status = CLIENT_ERROR_STATUS[err.code] ?? 400;
      socket.write(rawAnswer(status, status === 408 ? timedOut(T) : null));
    }
    socket.destroy(err);
  });
  server.keepAliveTimeout = 65_000;

  // with gRPC, each connection goes to the face its first bytes speak to: HTTP/2's preface to
  // gRPC, anything else to node's HTTP server (as Milvus serves both on 19530). node:http's own
  // connection listener is taken off and called for the HTTP ones, so that the server still
  // tracks them (timeouts, closing idle ones).
  if (grpcFace) {
    const httpConnection = server.listeners('connection');
    server.removeAllListeners('connection');
    server.on('connection', (socket) => dispatch(socket, (s) => httpConnection.forEach((f) => f.call(server, s)), grpcFace.injector, T));
  }
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await grpcFace?.close();
    release();
    throw e;
  }
  const actual = server.address().port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${actual}`,
    port: actual,
    server,
    grpc: grpcFace !== null,
    async close() {
      const closed = new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections?.();
      });
      await Promise.all([closed, grpcFace?.close()]);
      // the durable store opened here: synced, its lock released
      release();
    },
  };
}

/** The client preface of HTTP/2 (RFC 9113 §3.4): how a gRPC connection begins. */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * Hands a connection to the gRPC face (an HTTP/2 preface) or to the REST server (anything
 * else), once its first bytes are in (a connection that sends none within `timeoutMs` is closed). The REST server reads the socket itself (the bytes read
 * are put back); the gRPC face gets a stream that gives those bytes first, then the socket's
 * (node's HTTP/2 reads a net.Socket's handle, past bytes put back).
 */
function dispatch(socket, toHttp, injector, timeoutMs) {
  let head = Buffer.alloc(0);
  // a connection that says nothing is not kept past the request timeout
  if (timeoutMs) socket.setTimeout(timeoutMs, () => socket.destroy());
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const n = Math.min(head.length, H2_PREFACE.length);
    const h2 = head.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (h2 && n < H2_PREFACE.length) return; // not yet known
    socket.off('data', onData);
    socket.setTimeout(0);
    socket.pause();
    if (!h2) {
      socket.unshift(head);
      toHttp(socket);
      socket.resume();
      return;
    }
    const readable = new PassThrough();
    readable.write(head);
    socket.pipe(readable);
    const stream = Duplex.from({ readable, writable: socket });
    socket.on('close', () => stream.destroy());
    stream.on('close', () => socket.destroy());
    stream.on('error', () => socket.destroy());
    injector.injectConnection(stream);
    socket.resume();
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
}

function sendFile(req, res, { file, body }, method) {
  discardRest(req, res);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(file)],
    'content-length': body.length,
    'cache-control': 'no-cache',
  });
  res.end(method === 'HEAD' ? undefined : body);
}

async function sendPage(req, res, page, method) {
  const p = typeof page === 'function' ? await page() : page;
  discardRest(req, res);
  if (typeof Response !== 'undefined' && p instanceof Response) {
    const headers = Object.fromEntries(p.headers);
    const bytes = Buffer.from(await p.arrayBuffer());
    res.writeHead(p.status, headers);
    return res.end(method === 'HEAD' ? undefined : bytes);
  }
  const text = String(p);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(method === 'HEAD' ? undefined : text);
}

export { createHandler };
