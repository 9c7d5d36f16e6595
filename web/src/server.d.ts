// Types of `partita/server`: a Milvus RESTful API v2 subset over an embedded store, as one
// web-standard fetch handler (Node ≥ 20, service workers, Cloudflare Workers).

/** What GET / answers: HTML text, a Response, or a function giving either. */
export type ServerPage = string | Response | (() => string | Response | Promise<string | Response>);

export interface HandlerOptions {
  /** The connection alias whose embedded store is served (default 'default'). */
  using?: string;
  /** When set, requests need `Authorization: Bearer <token>` (or Basic of the same
   * `user:password`); others get HTTP 401 {"code":1800,"message":"user hasn't authenticated"}. */
  token?: string;
  /** Larger request bodies get HTTP 413 with code 1102 (default 64 MiB). */
  maxBodyBytes?: number;
  /** A request that has not fully arrived after this many milliseconds gets HTTP 408 with code
   * 65535 (default 30000; 0: no limit of partita's). The fetch handler counts from the call, the
   * node server (partita/server/node) from the request's first byte, headers included, and
   * closes the connection. The store's own work runs synchronously once the body is in. */
  requestTimeoutMs?: number;
  /** CORS, off by default: true or '*' allows any origin, a string or an array those origins
   * (`Access-Control-Allow-Origin` on answers, OPTIONS preflights answered with 204). */
  cors?: boolean | string | string[];
  /** GET / (default: a small HTML page listing the routes). */
  page?: ServerPage;
}

/** The transport-neutral request the handler's core takes (used by adapters such as serve()). */
export interface RawRequest {
  method: string;
  path: string;
  header(name: string): string | null;
  /** A function reading the body, called only once the request has passed the route and token
   * checks (so a refused request's body is never read; its Promise resolves to null when the
   * body is larger than maxBodyBytes, and the handler answers 408 when it takes longer than
   * requestTimeoutMs); or the body itself, read by the caller (null: larger than maxBodyBytes). */
  body: (() => Promise<Uint8Array | null>) | Uint8Array | null;
}

export type RawResponse =
  | { status: number; contentType: string; body: string; headers?: Record<string, string> }
  | { page: ServerPage };

export interface Handler {
  (request: Request): Promise<Response>;
  /** The handler without web Request/Response objects, for server adapters. */
  handle(request: RawRequest): Promise<RawResponse>;
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
}

/** Compares two strings in a time that depends on their lengths only (token checks). */
export function constantTimeEqual(a: string, b: string): boolean;

/** A Milvus REST v2 handler over the embedded store of `options.using`. */
export function createHandler(options?: HandlerOptions): Handler;

/** A handler with the default options (the `default` connection, no token). */
export function fetch(request: Request): Promise<Response>;

/** The routes served: '/v2/vectordb/collections/create', ... */
export const routes: readonly string[];

/** 64 MiB. */
export const DEFAULT_MAX_BODY_BYTES: number;
export const DEFAULT_REQUEST_TIMEOUT_MS: number;

/** For Workers: `export { default } from 'partita/server'`. */
declare const worker: { fetch(request: Request): Promise<Response> };
export default worker;
