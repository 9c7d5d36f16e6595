// Writes dist/milvus-proto.json: Milvus's protocol (milvus.proto, common.proto, schema.proto,
// ...) as the protobuf.js JSON descriptor that @zilliz/milvus2-sdk-node publishes
// (dist/milvus/proto-json/milvus.js, generated there from Milvus's milvus-proto repository), for
// partita's gRPC server (web/src/grpc/). A build output, never hand-edited or committed: the
// descriptor is taken as the SDK ships it, and written again when the SDK's copy is newer.
import { createRequire } from 'node:module';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/milvus-proto.json');
const require = createRequire(path.join(root, 'package.json'));
const source = require.resolve('@zilliz/milvus2-sdk-node/dist/milvus/proto-json/milvus.js');
const mtime = (f) => { try { return statSync(f).mtimeMs; } catch { return -1; } };
if (mtime(out) < mtime(source)) {
  const descriptor = require(source).default;
  const milvus = descriptor?.nested?.milvus?.nested?.proto?.nested?.milvus?.nested?.MilvusService;
  if (!milvus?.methods) throw new Error(`${source}: no milvus.proto.milvus.MilvusService in the SDK's descriptor`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(descriptor));
}
