// milvus-client.node.js — the `partita/milvus-client` entry for node: @zilliz/milvus2-sdk-node's
// MilvusClient over the embedded store, with init() finding the .wasm as the `partita` entry
// for node does (the client loads the core on its first call).
import './node.js';

export * from './client/index.js';
