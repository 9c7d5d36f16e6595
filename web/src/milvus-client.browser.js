// milvus-client.browser.js — the `partita/milvus-client` entry for browser: @zilliz/milvus2-sdk-node's
// MilvusClient over the embedded store, with init() finding the .wasm as the `partita` entry
// for browser does (the client loads the core on its first call).
import './browser.js';

export * from './client/index.js';
