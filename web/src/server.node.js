// server.node.js — the `partita/server` entry for node: the Milvus REST v2 handler, with
// init() finding the .wasm as the `partita` entry for node does.
import './node.js';

export { createHandler, fetch, routes, constantTimeEqual, DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT_MS } from './server/handler.js';
export { default } from './server/handler.js';
