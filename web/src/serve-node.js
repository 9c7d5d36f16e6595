// serve-node.js — the `partita/server/node` entry: the Milvus REST v2 handler on node:http
// (server/node.js).
export { serve, createHandler } from './server/node.js';
