// A Cloudflare Worker serving Milvus's REST API v2 (the subset partita implements) from an
// embedded partita store: any Milvus REST client can create collections, upsert, query and
// search against it.
//
// `partita/server` resolves to its `workerd` entry here (wrangler bundles with the `workerd`
// export condition), which imports partita.wasm as a WebAssembly.Module compiled at deploy
// time: Workers refuse to compile WebAssembly from bytes at run time.
//
// The store lives in the isolate's memory: it is per isolate and starts empty whenever the
// runtime starts a new one. Keep the data somewhere durable (forward mutations to a Milvus
// server with connections.connect(), see partita's README) when it matters.
import { createHandler } from 'partita/server';

let handler = null;

export default {
  async fetch(request, env) {
    // With a PARTITA_TOKEN secret (`wrangler secret put PARTITA_TOKEN`), requests need
    // `Authorization: Bearer <token>`, as a Milvus server with authentication does.
    handler ??= createHandler({ token: env.PARTITA_TOKEN || undefined });
    return handler(request);
  },
};
