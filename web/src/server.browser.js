// server.browser.js — the `partita/server` entry for browser: the Milvus REST v2 handler, with
// init() finding the .wasm as the `partita` entry for browser does.
import './browser.js';

export { createHandler, fetch, routes, DEFAULT_MAX_BODY_BYTES } from './server.js';
export { default } from './server.js';
