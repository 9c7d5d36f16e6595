// grpc/server.js — Milvus's gRPC API (MilvusService) on @grpc/grpc-js, over a MilvusClient face
// of the embedded store: what serve({ grpc: true }) (server/node.js) puts on its port beside the
// REST API. Connections come in through an injector (the port's listener hands over the ones
// that speak HTTP/2); the token, when set, is checked on every call as Milvus checks it: the
// `authorization` metadata holds base64("user:password") or base64(token).

import { MilvusClient, openDurableAddress } from '../client/milvus-client.js';
import { constantTimeEqual } from '../server/handler.js';
import { loadGrpc } from './load.js';
import { milvusService } from './service.js';

let faces = 0;

/**
 * Creates the gRPC face: { injector, address, close() }. `address` names the face's store (a
 * MilvusClient address: its connection is `connectionAlias(address)`).
 * @param {{ token?: string | null, maxMessageBytes: number }} options
 */
export async function createGrpcFace({ token = null, maxMessageBytes, durable = null }) {
  const { grpc, service, types } = await loadGrpc();
  const address = `partita-serve-${++faces}:19530`;
  // a durable store (--data) is the face's default database, so gRPC and REST both keep to it
  if (durable) {
    const { dir, ...options } = durable;
    openDurableAddress(address, dir, options);
  }
  const face = new MilvusClient({ address });
  await face.connectPromise;
  const { version } = await face.getVersion();
  const impl = milvusService(face, { version, types });
  const server = new grpc.Server({
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': -1,
  });
  const unauthenticated = { code: grpc.status.UNAUTHENTICATED, details: 'auth check failure, please check username and password are correct' };
  const authorized = (metadata) => {
    if (token === null) return true;
    const given = metadata.get('authorization')[0];
    if (typeof given !== 'string') return false;
    return constantTimeEqual(Buffer.from(given, 'base64').toString('utf8'), token);
  };
  const guarded = {};
  for (const [name, fn] of Object.entries(impl)) {
    guarded[name] = (call, callback) => {
      if (!authorized(call.metadata)) return callback(unauthenticated);
      fn(call, callback).catch((e) => callback({ code: grpc.status.INTERNAL, details: `internal error: ${e?.message ?? e}` }));
    };
  }
  server.addService(service, guarded);
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  return {
    address,
    injector,
    close() {
      return new Promise((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 1000).unref?.();
      });
    },
  };
}
