// Types of `partita/server/node`: the Milvus REST v2 handler served on node:http, and Milvus's
// gRPC API on the same port.
import type { HandlerOptions } from './server.js';

export { createHandler } from './server.js';
export type { HandlerOptions } from './server.js';

export interface ServeOptions extends HandlerOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 19530 (Milvus's); 0 picks a free port. */
  port?: number;
  /**
   * Static files for GET and HEAD, answered before the REST routes: URL prefix ('/',
   * '/assets/') -> directory. The longest prefix wins; a path ending in '/' serves its
   * index.html (so a '/' mount with an index.html replaces the page at '/'). Only files of web
   * types (html, js, mjs, css, json, wasm, svg, png, ico, txt, map, ts) inside the directory.
   */
  files?: Record<string, string>;
  /**
   * Also serve Milvus's gRPC API (MilvusService: what the Milvus SDKs speak) on the same port,
   * over the same store as the REST API (`using` is then not taken). Needs the optional peer
   * packages @grpc/grpc-js and @grpc/proto-loader: without them serve() rejects with an error
   * (code 'PARTITA_GRPC_PEERS') that names them. Default false.
   */
  grpc?: boolean;
  /**
   * Keep the store in directory `dir` (created when missing): every acknowledged change is in
   * its log before the answer is sent (see the README's "Durable stores"). With `grpc` it is
   * the gRPC face's default database (REST serves the same store); otherwise the `using`
   * connection's ('default'). close() syncs it and releases its lock. `fsync`: 'batch' (the
   * default: one fdatasync per request) or 'none'; `groupCommitMs`: one fdatasync per window.
   */
  durable?: { dir: string; fsync?: 'batch' | 'none'; groupCommitMs?: number };
}

export interface RunningServer {
  /** 'http://127.0.0.1:PORT' */
  readonly url: string;
  readonly port: number;
  /** Whether Milvus's gRPC API is served on the port too. */
  readonly grpc: boolean;
  /** The node:http Server (typed structurally, so these types do not need @types/node). */
  readonly server: { close(callback?: (err?: Error) => void): unknown; closeAllConnections?(): void; listening: boolean };
  close(): Promise<void>;
}

/** Serves the Milvus REST v2 subset (and with `grpc`, Milvus's gRPC API); resolves once it is
 * listening. */
export function serve(options?: ServeOptions): Promise<RunningServer>;
