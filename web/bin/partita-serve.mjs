#!/usr/bin/env node
// partita-serve — serves Milvus's gRPC API (MilvusService) and a Milvus RESTful API v2 subset on
// one port over an embedded partita store, and the offline demo page (web/demo/, which runs
// partita in the browser) at /.
//
//   partita-serve [--port N] [--host H] [--token T] [--max-body-bytes N] [--api-only]
//                 [--request-timeout-ms N] [--cors ORIGIN]... [--rest-only] [--data DIR [--fsync batch|none]
//                 [--group-commit-ms N] [--cold-vectors]]
//
// gRPC needs the optional peer packages @grpc/grpc-js and @grpc/proto-loader: without them (or
// with --rest-only) it serves REST only, and says so on stderr.
//
// --data DIR keeps the store in directory DIR (created when missing; persist/durable.js): every
// acknowledged change is in its log before the answer is sent, and it is all there on the next
// start. Without it the store is in memory and forgotten when the server stops. `npm start`
// passes --data partita-data. --cold-vectors (durable option coldVectors) lets the float rows an
// index searches without (IVF_SQ8, HNSW_SQ, IVF_RABITQ) leave memory at each checkpoint, read
// back from it when a request needs them.
// The port comes from --port, else PARTITA_PORT, else 19530 (Milvus's); --port 0 picks a free
// one. It prints one line when it is listening, and closes on SIGINT / SIGTERM. --api-only
// leaves the demo out (/ then lists the REST routes).
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { serve } from '../src/serve-node.js';
import { loadGrpc } from '../src/grpc/load.js';
import path from 'node:path';

/** The demo page and the package files it imports, as the page's import map names them. */
const DEMO_FILES = {
  '/': fileURLToPath(new URL('../demo/', import.meta.url)),
  '/partita/web/src/': fileURLToPath(new URL('../src/', import.meta.url)),
  '/partita/dist/': fileURLToPath(new URL('../../dist/', import.meta.url)),
};

function fail(message) {
  process.stderr.write(`partita-serve: ${message}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      token: { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'api-only': { type: 'boolean' },
      'request-timeout-ms': { type: 'string' },
      cors: { type: 'string', multiple: true },
      'rest-only': { type: 'boolean' },
      data: { type: 'string' },
      fsync: { type: 'string' },
      'group-commit-ms': { type: 'string' },
      'cold-vectors': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (e) {
  fail(e.message);
}
if (values.help) {
  process.stdout.write('usage: partita-serve [--port N] [--host 127.0.0.1] [--token T] [--max-body-bytes N] [--api-only]\n' +
    '                     [--request-timeout-ms N] [--cors ORIGIN|*]... [--rest-only] [--data DIR [--fsync batch|none] [--group-commit-ms N]\n' +
    '                     [--cold-vectors]]\n' +
    'Serves Milvus\'s gRPC API and a Milvus REST v2 subset on one port over an embedded store, and the demo page\n' +
    'at / (not with --api-only). gRPC needs @grpc/grpc-js and @grpc/proto-loader; --rest-only leaves it out.\n' +
    '--data DIR: the store is kept in DIR (fsync per request by default; --group-commit-ms N: one fsync per N ms;\n' +
    '--cold-vectors: float rows an IVF_SQ8 / HNSW_SQ / IVF_RABITQ index searches without leave memory at each\n' +
    'checkpoint and are read back from it when needed);\n' +
    'without it the store is in memory only.\n' +
    'Port: --port, else $PARTITA_PORT, else 19530.\n');
  process.exit(0);
}

const portText = values.port ?? process.env.PARTITA_PORT ?? '19530';
if (!/^\d+$/.test(portText) || Number(portText) > 65535) fail(`invalid port ${JSON.stringify(portText)}`);
const options = { host: values.host ?? '127.0.0.1', port: Number(portText) };
if (values.token !== undefined) options.token = values.token;
if (values['max-body-bytes'] !== undefined) {
  const n = Number(values['max-body-bytes']);
  if (!Number.isInteger(n) || n <= 0) fail(`invalid --max-body-bytes ${values['max-body-bytes']}`);
  options.maxBodyBytes = n;
}
if (!values['api-only']) options.files = DEMO_FILES;
if (values['request-timeout-ms'] !== undefined) {
  const n = Number(values['request-timeout-ms']);
  if (!Number.isInteger(n) || n < 0) fail(`invalid --request-timeout-ms ${values['request-timeout-ms']}`);
  options.requestTimeoutMs = n;
}
// CORS stays off unless asked for: --cors '*' for any origin, or one --cors per origin
if (values.cors !== undefined) options.cors = values.cors.includes('*') ? true : values.cors;

if (values.data === undefined && (values.fsync !== undefined || values['group-commit-ms'] !== undefined || values['cold-vectors']))
  fail('--fsync, --group-commit-ms and --cold-vectors need --data DIR');
if (values.data !== undefined) {
  // the store is opened by serve(): the gRPC face's default database (REST serves the same
  // store), or the default connection with --rest-only
  const durable = { dir: values.data };
  if (values.fsync !== undefined) durable.fsync = values.fsync;
  if (values['group-commit-ms'] !== undefined) {
    const n = Number(values['group-commit-ms']);
    if (!Number.isInteger(n) || n < 0) fail(`invalid --group-commit-ms ${values['group-commit-ms']}`);
    durable.groupCommitMs = n;
  }
  if (values['cold-vectors']) durable.coldVectors = true;
  options.durable = durable;
}

/** The message for a store that could not be opened (not a listening failure), or null. */
function storeError(e) {
  return values.data !== undefined && e.code !== 'EADDRINUSE' && e.code !== 'EACCES' && !e.syscall
    ? `cannot open the store in ${values.data}: ${e.message}` : null;
}

options.grpc = !values['rest-only'];
if (options.grpc) {
  // the gRPC peers not installed: REST only, said on stderr (found out before serve() opens
  // the store and the port, so they are opened once)
  try {
    await loadGrpc();
  } catch (e) {
    if (e.code !== 'PARTITA_GRPC_PEERS') fail(e.message);
    process.stderr.write(`partita-serve: serving REST only: ${e.message}\n`);
    options.grpc = false;
  }
}
let server;
try {
  server = await serve(options);
} catch (e) {
  fail(storeError(e) ?? `cannot listen on ${options.host}:${options.port}: ${e.message}`);
}
// one write, so that a reader of the first line gets the others with it
process.stdout.write(`partita: serving Milvus REST v2 on ${server.url}\n` +
  (server.grpc ? `partita: serving Milvus gRPC on ${server.url.replace(/^http:\/\//, '')}\n` : '') +
  (values.data !== undefined ? `partita: store kept in ${path.resolve(values.data)}\n` : '') +
  (options.files ? `partita: demo page on ${server.url}/\n` : ''));

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (closing) process.exit(1);
    closing = true;
    await server.close(); // a durable store: synced, its lock released
    process.exit(0);
  });
}
