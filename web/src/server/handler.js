// server/handler.js — a Milvus RESTful API v2 subset over an embedded store, as one web-standard
// `fetch(request) -> Response` function (Node ≥ 20, service workers, Cloudflare Workers).
//
// It answers as Milvus's proxy does (internal/distributed/proxy/httpserver/handler_v2.go):
// HTTP 200 with {"code", "message"} for every API error, {"code": 0, "data": ...} on success,
// gin's plain "404 page not found" for an unknown route or method, 401 with code 1800 when a
// token is configured and the request does not carry it, the request binding's errors (1801
// for a body that is not a JSON object of the request's shape, 1802 for a missing required
// parameter, with go-playground/validator's wording), and INT64 values and ids as strings
// unless the request says `Accept-Type-Allow-Int64: true`.
//
// The request binding and envelopes are in shapes.js, the routes and their handlers in
// routes.js; this module is the handler around them: body reading, token, CORS, errors.

import { Code, MilvusException } from '../core/errors.js';
import { init } from '../core/loader.js';
import { typedKind, typedLength } from '../core/typed.js';
import { Connection, ON_DATABASE, PREFIX, ROUTES, indexPage } from './routes.js';
import { connections } from '../orm/connections.js';
import { NOT_FOUND, bind, bindWrite, decoder, failure, isSpace, own, parseBody, parseBool } from './shapes.js';

export { routes } from './routes.js';

/** Milvus's REST body limit is the proxy's; partita's default is the 64 MiB of issue 4. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** How long a request body may take to arrive (the store's work itself is synchronous). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

/** Reads a web Request's body (`reader`: its reader, null when it has none) up to `max` bytes;
 * null when it is larger. */
async function readRequestBody(request, reader, max) {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) return null;
  if (!reader) return new Uint8Array(0);
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.byteLength;
  }
  return out;
}

/** What a body read gives when it took longer than the request timeout. */
const TIMED_OUT = Symbol('timed out');

/** `promise`, or TIMED_OUT once `ms` (0: never) have passed. */
function withTimeout(promise, ms) {
  if (!ms) return promise;
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export function timedOut(ms) {
  return failure(Code.UNEXPECTED, `request timeout: the request did not arrive within ${ms} ms`, 408);
}

export function tooLarge(max) {
  return failure(Code.TOO_LARGE, `parameter too large[message=request body is larger than ${max} bytes]`, 413);
}

// ---------------------------------------------------------------------------------------------
// The handler
// ---------------------------------------------------------------------------------------------

const encoder = new TextEncoder();

/**
 * Whether two strings are equal, in a time that depends on their lengths only (never on where
 * they differ): a token compared with === leaks its prefix to whoever can time the answers.
 */
export function constantTimeEqual(a, b) {
  const x = encoder.encode(a), y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < y.length; i++) diff |= (x[i % (x.length || 1)] ?? 0) ^ y[i];
  return diff === 0;
}

function authorized(header, token) {
  if (!header) return false;
  const m = /^(Bearer|Basic)\s+(.*)$/i.exec(header.trim());
  if (!m) return false;
  if (m[1].toLowerCase() === 'bearer') return constantTimeEqual(m[2], token);
  let decoded;
  try {
    decoded = atob(m[2]);
  } catch {
    return false;
  }
  return constantTimeEqual(decoded, token);
}

/**
 * CORS: off unless `cors` is given (true or '*': any origin; a string or an array: those
 * origins). Returns the headers for a request from `origin` (null: none to add).
 */
function corsPolicy(cors) {
  if (cors === undefined || cors === null || cors === false) return () => null;
  const any = cors === true || cors === '*';
  const allowed = any ? null : new Set(Array.isArray(cors) ? cors : [cors]);
  if (!any) for (const o of allowed) if (typeof o !== 'string') throw new TypeError('cors: origins must be strings');
  return (origin) => {
    if (!origin || (!any && !allowed.has(origin))) return null;
    return { 'access-control-allow-origin': any ? '*' : origin, vary: 'origin' };
  };
}

const PREFLIGHT = {
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': 'authorization, content-type, accept-type-allow-int64, db-name, request-timeout',
  'access-control-max-age': '600',
};

/**
 * Creates a Milvus REST v2 handler over the embedded store of a connection alias.
 * Hardening: the token is compared in constant time; a body over maxBodyBytes gets 413 and one
 * that does not arrive within requestTimeoutMs gets 408; errors carry messages, never stacks;
 * CORS headers are sent only when `cors` says so (true / '*', an origin or a list of them),
 * and preflights (OPTIONS) are answered only then. Requests share one store safely: each one's
 * work on the core runs synchronously to the end once its body is in, so concurrent requests
 * are serialised by the event loop.
 * @param {{ using?: string, token?: string, maxBodyBytes?: number, requestTimeoutMs?: number,
 *   cors?: boolean | string | string[],
 *   page?: string | Response | (() => Response | string | Promise<Response | string>) }} [options]
 * @returns {((request: Request) => Promise<Response>) & { handle: Function }}
 */
export function createHandler(options = {}) {
  const using = options.using ?? 'default';
  const token = options.token ?? null;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!(Number.isSafeInteger(maxBodyBytes) && maxBodyBytes >= 0)) throw new TypeError('maxBodyBytes: a number of bytes');
  if (!(Number.isSafeInteger(requestTimeoutMs) && requestTimeoutMs >= 0)) throw new TypeError('requestTimeoutMs: a number of milliseconds (0: none)');
  const corsFor = corsPolicy(options.cors);
  const connection = new Connection(using);

  /** The transport-neutral handler, with CORS headers added (and preflights answered). */
  async function handle(request) {
    const cors = corsFor(request.header('origin'));
    if (request.method === 'OPTIONS' && cors && request.path.startsWith(PREFIX))
      return { status: 204, contentType: 'text/plain', body: '', headers: { ...cors, ...PREFLIGHT } };
    const out = await route(request);
    // a copy: some answers (NOT_FOUND) are shared constants
    if (cors && out.page === undefined) return { ...out, headers: { ...out.headers, ...cors } };
    return out;
  }

  /** Whether a request may use the API, from its headers alone: the one place that decides. */
  const authorize = (header) => token === null || authorized(header('authorization'), token);

  /**
   * The transport-neutral core of the handler: { method, path, header(name), body } ->
   * { status, contentType, body }. `body` is a function reading the body (a Promise of its
   * bytes, or of null once it passes maxBodyBytes), called only when the request has passed the
   * route and token checks, so a refused request's body is never read; or the bytes themselves
   * (or null), read by the caller.
   */
  async function route({ method, path, header, body: given }) {
    if ((method === 'GET' || method === 'HEAD') && (path === '/' || path === '/index.html')) {
      if (options.page !== undefined) return { page: options.page };
      return { status: 200, contentType: 'text/html; charset=utf-8', body: indexPage() };
    }
    const route = method === 'POST' && path.startsWith(PREFIX) ? own(ROUTES, path.slice(PREFIX.length)) : undefined;
    if (!route) return NOT_FOUND;
    if (!authorize(header)) return failure(1800, "user hasn't authenticated", 401);
    const body = typeof given === 'function' ? await withTimeout(given(), requestTimeoutMs) : given;
    if (body === null) return tooLarge(maxBodyBytes);
    if (body === TIMED_OUT) return timedOut(requestTimeoutMs);
    // the body is copied into linear memory as measured by the engine: a genuine Uint8Array
    if (typedKind(body) !== 'Uint8Array') throw new TypeError('handle(): body must be a Uint8Array, null (too large), TIMED_OUT or a function reading it');
    await init();
    const [shape, fn, scope] = route;
    const allowInt64 = parseBool(header('accept-type-allow-int64'));
    try {
      let req, raw;
      if (shape === 'CollectionDataReq') {
        ({ req, raw } = bindWriteOrFail(body));
      } else {
        req = bind(shape, parseBody(decoder.decode(body)));
      }
      // the request runs in database dbName (or the header's); databases/* name theirs instead
      const db = req.dbName || header('db-name') || 'default';
      await connection.databases.ready(db); // in a page, a durable store's databases open asynchronously
      const conn = scope === ON_DATABASE ? connection : connection.database(db);
      const out = await fn(conn, req, allowInt64, raw); // databases/create and drop: in a page, promises
      // a durable store with a group commit window: answered once the change is on disk (the
      // store of the request's database)
      const synced = connections._synced(conn.using);
      if (synced) await synced;
      return out;
    } catch (e) {
      if (e instanceof MilvusException) return failure(e.code, e.message);
      // anything else is a bug of ours: its message, never its stack
      return failure(Code.UNEXPECTED, `internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  function bindWriteOrFail(body) {
    let start = 0;
    const length = typedLength(body);
    while (start < length && isSpace(body[start])) start++;
    if (start === length)
      throw new MilvusException(1801, 'can only accept json format request, the request body should be nil, however {} is valid');
    try {
      return bindWrite(body);
    } catch (e) {
      if (e instanceof SyntaxError) throw new MilvusException(1801, `can only accept json format request, error: ${e.message}`);
      throw e;
    }
  }

  async function fetch(request) {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    let reader = null;
    const body = () => readRequestBody(request, (reader = request.body?.getReader() ?? null), maxBodyBytes);
    const out = await handle({ method, path: url.pathname, header: (n) => request.headers.get(n), body });
    // a body that was not read to its end (too large, late) is dropped, not read on
    reader?.cancel().catch(() => {});
    if (out.page !== undefined) {
      const p = typeof out.page === 'function' ? await out.page() : out.page;
      if (p instanceof Response) return p;
      return new Response(String(p), { headers: { 'content-type': 'text/html; charset=utf-8' } });
    }
    const headers = { 'content-type': out.contentType, ...out.headers };
    return new Response(method === 'HEAD' || out.status === 204 ? null : out.body, { status: out.status, headers });
  }

  fetch.handle = handle;
  fetch.maxBodyBytes = maxBodyBytes;
  fetch.requestTimeoutMs = requestTimeoutMs;
  return fetch;
}

let defaultHandler = null;

/** A handler with the default options (the `default` connection, no token), for Workers. */
export function fetch(request) {
  defaultHandler ??= createHandler();
  return defaultHandler(request);
}

export default { fetch };
