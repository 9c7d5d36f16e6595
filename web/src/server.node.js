// server.node.js — the `partita/server` entry for node: the Milvus REST v2 handler, with
// init() finding the .wasm as the `partita` entry for node does.
import './node.js';

export { createHandler, fetch, routes, DEFAULT_MAX_BODY_BYTES } from './server.js';
export { default } from './server.js';
