// milvus-client.workerd.js — the `partita/milvus-client` entry for workerd: @zilliz/milvus2-sdk-node's
// MilvusClient over the embedded store, with init() finding the .wasm as the `partita` entry
// for workerd does (the client loads the core on its first call).
import './workerd.js';

export * from './client/index.js';
