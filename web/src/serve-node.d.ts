// Types of `partita/server/node`: the Milvus REST v2 handler served on node:http.
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
}

export interface RunningServer {
  /** 'http://127.0.0.1:PORT' */
  readonly url: string;
  readonly port: number;
  /** The node:http Server (typed structurally, so these types do not need @types/node). */
  readonly server: { close(callback?: (err?: Error) => void): unknown; closeAllConnections?(): void; listening: boolean };
  close(): Promise<void>;
}

/** Serves the Milvus REST v2 subset; resolves once it is listening. */
export function serve(options?: ServeOptions): Promise<RunningServer>;
