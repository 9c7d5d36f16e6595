// grpc/load.js — the optional peers of partita's gRPC face (@grpc/grpc-js, @grpc/proto-loader and
// the protobufjs that proto-loader carries) and Milvus's protocol: dist/milvus-proto.json, the
// Node SDK's published descriptor written there by the build (scripts/milvus-proto.mjs).
//
// partita itself has no dependencies: the gRPC face loads these only when it is asked for, and
// says which package to install when one is missing.

import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';

/** How proto-loader reads Milvus's messages here: the SDK's own loader options (names as the
 * .proto spells them, INT64 as strings, enums by name, every field present, oneof names). */
export const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

const PEERS = ['@grpc/grpc-js', '@grpc/proto-loader'];

let loaded = null;

/**
 * protobufjs's reader with proto3's rule for `string` fields, as grpc-go (Milvus) unmarshals them:
 * bytes that are not UTF-8 fail the whole message (grpc-js answers INTERNAL), where protobufjs
 * would read them with replacement characters (and a string running past the message's end is
 * refused, not cut short).
 */
function strictReader(protobuf) {
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  return class StrictReader extends protobuf.BufferReader {
    string() {
      const b = this.bytes();
      let i = 0;
      while (i < b.length && b[i] < 0x80) i++;
      if (i === b.length) return b.toString('latin1'); // ASCII
      try {
        return utf8.decode(b);
      } catch {
        throw new Error('string field contains invalid UTF-8');
      }
    }
  };
}

const asBuffer = (bytes) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** The message of a missing peer: what to install. */
export function missingPeers(cause) {
  const e = new Error(`partita's gRPC server needs the optional peer packages ${PEERS.join(' and ')}: npm install ${PEERS.join(' ')}` +
    (cause ? ` (${cause.message})` : ''));
  e.code = 'PARTITA_GRPC_PEERS';
  return e;
}

/**
 * { grpc, service, types }: grpc-js, the MilvusService definition, and protobufjs types of the
 * messages carried as bytes inside others (CollectionSchema, PlaceholderGroup). Loaded once.
 */
export function loadGrpc() {
  return (loaded ??= (async () => {
    let grpc, protoLoader, protobuf;
    try {
      grpc = await import('@grpc/grpc-js');
      protoLoader = await import('@grpc/proto-loader');
      // proto-loader's own protobufjs (a dependency of it, wherever npm put it)
      const require = createRequire(import.meta.url);
      protobuf = createRequire(require.resolve('@grpc/proto-loader'))('protobufjs');
    } catch (e) {
      throw missingPeers(e);
    }
    grpc = grpc.default ?? grpc;
    const file = new URL('../../../dist/milvus-proto.json', import.meta.url);
    let json;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      throw new Error(`partita: Milvus's protocol descriptor ${file.pathname} is missing (the build writes it: npm run build): ${e.message}`);
    }
    const definition = (protoLoader.fromJSON ?? protoLoader.default.fromJSON)(json, LOADER_OPTIONS);
    const service = grpc.loadPackageDefinition(definition).milvus.proto.milvus.MilvusService.service;
    const root = protobuf.Root.fromJSON(json).resolveAll();
    const Strict = strictReader(protobuf);
    const decoder = (t) => (bytes) => t.toObject(t.decode(new Strict(asBuffer(bytes))), LOADER_OPTIONS);
    // every request is decoded with strings checked (as proto-loader decodes it otherwise)
    const methods = root.lookupService('milvus.proto.milvus.MilvusService').methods;
    for (const [name, m] of Object.entries(service)) m.requestDeserialize = decoder(methods[name].resolvedRequestType);
    const type = (name) => ({ decode: decoder(root.lookupType(name)) });
    return {
      grpc,
      service,
      types: { CollectionSchema: type('milvus.proto.schema.CollectionSchema'), PlaceholderGroup: type('milvus.proto.common.PlaceholderGroup') },
    };
  })().catch((e) => {
    loaded = null;
    throw e;
  }));
}
