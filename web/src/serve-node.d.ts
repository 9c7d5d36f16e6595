// Types of `partita/server/node`: the Milvus REST v2 handler served on node:http.
import type { HandlerOptions } from './server.js';

export { createHandler } from './server.js';
export type { HandlerOptions } from './server.js';

export interface ServeOptions extends HandlerOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 19530 (Milvus's); 0 picks a free port. */
  port?: number;
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
