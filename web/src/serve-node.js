// serve-node.js — the `partita/server/node` entry: the Milvus REST v2 handler on node:http
// (server/node.js), and with serve({ grpc: true }) Milvus's gRPC API on the same port (grpc/).
export { serve, createHandler } from './server/node.js';
