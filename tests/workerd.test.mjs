// partita in workerd, the runtime of Cloudflare Workers, on loopback:
//  1. examples/worker (the Worker a user deploys with its wrangler.toml), bundled as wrangler
//     bundles it (esbuild, the `workerd` export condition, `.wasm` imports left as CompiledWasm
//     modules, node: imports external), serving Milvus's REST API v2 through `partita/server`;
//  2. the WASI artefacts on the JS shim (tests/support/wasi-worker.mjs).
// workerd is the npm package pinned in package.json (see ../shared/docs/toolchain.md §5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPECTED } from './support/wasi-capi.mjs';
import { expectedIntegrations } from './support/integrations.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE = path.join(root, 'examples/worker');
const TOKEN = 'root:Milvus';

let workerdBin = null;
try {
  workerdBin = (await import('workerd')).default.default;
} catch { /* not installed */ }
// Outside CI a machine without the devDependencies skips; under CI (.ci/run sets CI) it fails.
const skip = workerdBin || process.env.CI ? false : 'the workerd npm package is not installed (npm ci)';

let proc, dir, log = '';
const origin = {};

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

/** Bundles the example Worker as wrangler does; returns the names of the .wasm modules it imports. */
async function bundleExample(out) {
  // a user's project: node_modules/partita is the package (here, this checkout)
  await mkdir(path.join(out, 'node_modules'), { recursive: true });
  await symlink(root, path.join(out, 'node_modules/partita'), 'dir');
  return bundle(out, path.join(EXAMPLE, 'src/index.js'), 'worker.js');
}

/** Bundles `entry` into out/`file` as wrangler does (`extra`: more esbuild options, such as the
 * alias a wrangler.toml [alias] gives); returns the names of the .wasm modules it imports. */
async function bundle(out, entry, file, extra = {}) {
  const esbuild = await import('esbuild');
  const wasm = new Map();
  await esbuild.build({
    ...extra,
    entryPoints: [entry],
    outfile: path.join(out, file),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    nodePaths: [path.join(out, 'node_modules')],
    logLevel: 'silent',
    plugins: [{
      name: 'wrangler-like-rules',
      setup(b) {
        // CompiledWasm: the module stays an import, uploaded next to the bundle
        b.onResolve({ filter: /\.wasm$/ }, (args) => {
          const file = path.resolve(args.resolveDir, args.path);
          const name = path.basename(file);
          wasm.set(name, file);
          return { path: `./${name}`, external: true };
        });
        b.onResolve({ filter: /^node:/ }, () => ({ external: true }));
      },
    }],
  });
  for (const [name, file] of wasm) await copyFile(file, path.join(out, name));
  return [...wasm.keys()];
}

/** compatibility_date and compatibility_flags of examples/worker/wrangler.toml. */
async function wranglerSettings() {
  const toml = await readFile(path.join(EXAMPLE, 'wrangler.toml'), 'utf8');
  const date = toml.match(/^compatibility_date\s*=\s*"([^"]+)"/m)[1];
  const flags = [...(toml.match(/^compatibility_flags\s*=\s*\[([^\]]*)\]/m)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  return { date, flags };
}

/** A Worker that runs the SDK README's quickstart as it is (its import moved to the top of the
 * module) at GET /quickstart, and answers with what it found. */
function sdkWorkerSource(readme) {
  const block = readme.slice(readme.indexOf('### Create Collection, Insert, and Search')).match(/```typescript\n([\s\S]*?)```/)[1];
  const imports = block.split('\n').filter((l) => l.startsWith('import '));
  const body = block.split('\n').filter((l) => !l.startsWith('import ')).join('\n');
  return `${imports.join('\n')}
export default {
  async fetch(request) {
    if (new URL(request.url).pathname !== '/quickstart') return new Response('not found', { status: 404 });
    try {
${body}
      return Response.json(results);
    } catch (e) {
      return new Response(String(e?.stack ?? e?.reason ?? JSON.stringify(e)), { status: 500 });
    }
  },
};
`;
}

before(async () => {
  if (skip) return;
  dir = await mkdtemp(path.join(tmpdir(), 'partita-workerd-'));
  const wasmModules = await bundleExample(dir);
  // code written for @zilliz/milvus2-sdk-node, the SDK's name aliased to partita/milvus-client
  // (wrangler.toml: [alias] "@zilliz/milvus2-sdk-node" = "partita/milvus-client")
  await writeFile(path.join(dir, 'sdk-src.js'), sdkWorkerSource(await readFile(path.join(root, 'node_modules/@zilliz/milvus2-sdk-node/README.md'), 'utf8')));
  const sdkWasm = await bundle(dir, path.join(dir, 'sdk-src.js'), 'sdk.js', { alias: { '@zilliz/milvus2-sdk-node': 'partita/milvus-client' } });
  // LangChain.js's and LlamaIndex.TS's Milvus stores as they are (tests/support/integrations.mjs),
  // the SDK's name aliased the same way. Unlike partita, the frameworks import Node modules
  // (langsmith, under @langchain/core: node:fs, node:worker_threads, node:zlib; @llamaindex/env:
  // node:async_hooks, node:module), which workerd gives with nodejs_compat, the default from
  // compatibility date 2026-08-04 (node:worker_threads is missing at 2025-09-15 even with the flag)
  await writeFile(path.join(dir, 'integrations-src.js'), `import { runIntegrations } from ${JSON.stringify(path.join(root, 'tests/support/integrations.mjs'))};
export default {
  async fetch(request) {
    if (new URL(request.url).pathname !== '/integrations') return new Response('not found', { status: 404 });
    try {
      return Response.json(await runIntegrations());
    } catch (e) {
      return new Response(String(e?.stack ?? e), { status: 500 });
    }
  },
};
`);
  const integrationsWasm = await bundle(dir, path.join(dir, 'integrations-src.js'), 'integrations.js', {
    alias: { '@zilliz/milvus2-sdk-node': 'partita/milvus-client' },
    // @llamaindex/env's workerd build calls createRequire(import.meta.url) as it loads, and
    // workerd leaves import.meta.url undefined in a Worker's modules (cloudflare/workerd#6986):
    // the Worker fails to start whatever store it uses, unless the bundler defines it
    // (wrangler.toml: [define] "import.meta.url" = "'file:///worker.js'")
    define: { 'import.meta.url': '"file:///integrations.js"' },
  });
  for (const f of ['partita-wasi.wasm', 'partita-cli.wasm']) await copyFile(path.join(root, 'dist', f), path.join(dir, f));
  await copyFile(path.join(root, 'wasi/shim.mjs'), path.join(dir, 'shim.mjs'));
  for (const f of ['wasi-worker.mjs', 'wasi-capi.mjs']) await copyFile(path.join(root, 'tests/support', f), path.join(dir, f));
  const { date, flags } = await wranglerSettings();
  const mod = (name, kind = name.endsWith('.wasm') ? 'wasm' : 'esModule') => `(name = "${name}", ${kind} = embed "${name}")`;
  await writeFile(path.join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "example", worker = .example), (name = "wasi", worker = .wasi), (name = "sdk", worker = .sdk), (name = "integrations", worker = .integrations) ],
  sockets = [
    (name = "example", address = "127.0.0.1:0", http = (), service = "example"),
    (name = "wasi", address = "127.0.0.1:0", http = (), service = "wasi"),
    (name = "sdk", address = "127.0.0.1:0", http = (), service = "sdk"),
    (name = "integrations", address = "127.0.0.1:0", http = (), service = "integrations"),
  ],
);
const sdk :Workerd.Worker = (
  modules = [ ${['sdk.js', ...sdkWasm].map((n) => mod(n)).join(', ')} ],
  compatibilityDate = "${date}",
  compatibilityFlags = [ ${flags.map((f) => `"${f}"`).join(', ')} ],
);
const integrations :Workerd.Worker = (
  modules = [ ${['integrations.js', ...integrationsWasm].map((n) => mod(n)).join(', ')} ],
  compatibilityDate = "2026-10-01",
);
const example :Workerd.Worker = (
  modules = [ ${['worker.js', ...wasmModules].map((n) => mod(n)).join(', ')} ],
  bindings = [ (name = "PARTITA_TOKEN", text = "${TOKEN}") ],
  compatibilityDate = "${date}",
  compatibilityFlags = [ ${flags.map((f) => `"${f}"`).join(', ')} ],
);
const wasi :Workerd.Worker = (
  modules = [ ${['wasi-worker.mjs', 'shim.mjs', 'wasi-capi.mjs', 'partita-wasi.wasm', 'partita-cli.wasm'].map((n) => mod(n)).join(', ')} ],
  compatibilityDate = "${date}",
);
`);
  const ports = { example: await freePort(), wasi: await freePort(), sdk: await freePort(), integrations: await freePort() };
  for (const [k, p] of Object.entries(ports)) origin[k] = `http://127.0.0.1:${p}`;
  proc = spawn(workerdBin, ['serve', path.join(dir, 'config.capnp'),
    '--socket-addr', `example=127.0.0.1:${ports.example}`, '--socket-addr', `wasi=127.0.0.1:${ports.wasi}`,
    '--socket-addr', `sdk=127.0.0.1:${ports.sdk}`, '--socket-addr', `integrations=127.0.0.1:${ports.integrations}`],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  const deadline = Date.now() + 30_000;
  for (const o of Object.values(origin)) {
    for (;;) {
      try {
        await fetch(o + '/nothing-here');
        break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`workerd did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});

after(async () => {
  proc?.kill('SIGTERM');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** POST /v2/vectordb/<route> to the example Worker. */
async function rest(route, body, { token = TOKEN } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(`${origin.example}/v2/vectordb/${route}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await r.text();
  assert.equal(r.status, token ? 200 : 401, `${route}: ${text}\n${log}`);
  return JSON.parse(text);
}

test('workerd: the example Worker serves Milvus REST v2 (create, partitions, upsert, query, search)', { skip, timeout: 60_000 }, async () => {
  assert.deepEqual(await rest('collections/list', {}, { token: null }), { code: 1800, message: "user hasn't authenticated" });
  assert.deepEqual(await rest('collections/create', {
    collectionName: 'films',
    schema: {
      fields: [
        { fieldName: 'film_id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'films', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
        { fieldName: 'title', dataType: 'VarChar', elementTypeParams: { max_length: 32 } },
      ],
    },
    indexParams: [{ fieldName: 'films', metricType: 'L2', indexType: 'AUTOINDEX' }],
  }), { code: 0, data: {} });
  assert.deepEqual(await rest('partitions/create', { collectionName: 'films', partitionName: 'comedy' }), { code: 0, data: {} });
  const rows = Array.from({ length: 10 }, (_, i) => ({ film_id: i, films: [i, i], title: `t${i}` }));
  const up = await rest('entities/upsert', { collectionName: 'films', partitionName: 'comedy', data: rows });
  assert.equal(up.code, 0, JSON.stringify(up));
  assert.equal(up.data.upsertCount, 10);
  assert.deepEqual(up.data.upsertIds, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  // the same key again in the same partition replaces the row
  await rest('entities/upsert', { collectionName: 'films', partitionName: 'comedy', data: [{ film_id: 3, films: [30, 30], title: 'new3' }] });
  const q = await rest('entities/query', { collectionName: 'films', filter: 'film_id in [2, 3]', outputFields: ['title'] });
  assert.deepEqual(q, { code: 0, cost: 0, data: [{ film_id: '2', title: 't2' }, { film_id: '3', title: 'new3' }] });
  const count = await rest('entities/query', { collectionName: 'films', filter: '', outputFields: ['count(*)'], partitionNames: ['comedy'] });
  assert.deepEqual(count.data, [{ 'count(*)': '10' }]); // INT64 as text without Accept-Type-Allow-Int64
  const s = await rest('entities/search', { collectionName: 'films', data: [[4.2, 4.2]], limit: 2, outputFields: ['title'], filter: 'film_id != 5' });
  assert.equal(s.code, 0, JSON.stringify(s));
  assert.deepEqual(s.data.map((h) => [h.film_id, h.title]), [['4', 't4'], ['6', 't6']]);
  assert.deepEqual(s.topks, [2]);
  // errors read as Milvus's
  const bad = await rest('entities/query', { collectionName: 'films', filter: 'title > 1' });
  assert.equal(bad.code, 1100);
  assert.match(bad.message, /comparisons between VarChar and Int64 are not supported/);
  assert.equal((await rest('entities/query', { collectionName: 'nope', filter: 'film_id > 0' })).code, 100);
});

test("workerd: the SDK README's quickstart runs as it is, @zilliz/milvus2-sdk-node aliased to partita/milvus-client", { skip, timeout: 60_000 }, async () => {
  const r = await fetch(`${origin.sdk}/quickstart`);
  const text = await r.text();
  assert.equal(r.status, 200, `${text}\n${log}`);
  const res = JSON.parse(text);
  assert.equal(res.status.error_code, 'Success');
  assert.deepEqual(res.results.map((h) => h.text), ['doc1', 'doc2']);
  const bundled = await readFile(path.join(dir, 'sdk.js'), 'utf8');
  assert.match(bundled, /web\/src\/client\/milvus-client\.js/, 'partita\'s client is in the bundle');
  assert.doesNotMatch(bundled, /@grpc|milvus2-sdk-node\/dist/, 'and nothing of the SDK (no gRPC)');
});

test('workerd: the WASI reactor runs on the JS shim through the C API', { skip, timeout: 60_000 }, async () => {
  const r = await fetch(`${origin.wasi}/reactor`);
  const text = await r.text();
  assert.equal(r.status, 200, `${text}\n${log}`);
  const res = JSON.parse(text);
  for (const k of ['partitions', 'upsert_count', 'primary_keys', 'num_entities', 'query', 'bad_status']) assert.deepEqual(res[k], EXPECTED[k], k);
  assert.deepEqual(res.search.map((h) => h.film_id), [3, 4]);
  assert.equal(res.error.code, 1100);
});

test('workerd: the WASI command (JSON lines) runs on the JS shim', { skip, timeout: 60_000 }, async () => {
  const stdin = [
    { op: 'create', collection: 'c', schema: { fields: [{ name: 'id', dtype: 'INT64', is_primary: true }, { name: 'v', dtype: 'FLOAT_VECTOR', dim: 2 }] }, partitions: ['p'] },
    { op: 'upsert', collection: 'c', partition: 'p', data: [{ id: 1, v: [0, 0] }, { id: 2, v: [1, 1] }] },
    { op: 'query', collection: 'c', filter: 'id > 1' },
    { op: 'search', collection: 'c', data: [[0.9, 0.9]], limit: 1, metric_type: 'L2' },
    { op: 'delete', collection: 'c', filter: 'id in [1]' },
    { op: 'query', collection: 'x', filter: 'id > 1' },
  ].map((l) => JSON.stringify(l)).join('\n') + '\n';
  const r = await fetch(`${origin.wasi}/cli`, { method: 'POST', body: stdin });
  const text = await r.text();
  assert.equal(r.status, 200, `${text}\n${log}`);
  const { exitCode, stdout, stderr } = JSON.parse(text);
  assert.equal(exitCode, 0, stderr);
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines[0], { collection: 'c', partitions: ['_default', 'p'] });
  assert.equal(lines[1].upsert_count, 2);
  assert.deepEqual(lines[2], { rows: [{ id: 2 }] });
  assert.deepEqual(lines[3].hits[0].map((h) => h.id), [2]);
  assert.equal(lines[4].delete_count, 1);
  assert.equal(lines[5].error.code, 100);
});

test('workerd refuses to compile WebAssembly from bytes (why the .wasm is a module import)', { skip }, async () => {
  const r = await fetch(`${origin.wasi}/compile`);
  assert.equal(r.status, 500);
  assert.match(await r.text(), /disallowed/);
});

test("workerd: LangChain.js's Milvus store and LlamaIndex.TS's MilvusVectorStore as they are, @zilliz/milvus2-sdk-node aliased to partita/milvus-client", { skip, timeout: 60_000 }, async () => {
  const r = await fetch(`${origin.integrations}/integrations`);
  const text = await r.text();
  assert.equal(r.status, 200, `${text}\n${log}`);
  assert.deepEqual(JSON.parse(text), expectedIntegrations());
  const bundled = await readFile(path.join(dir, 'integrations.js'), 'utf8');
  assert.doesNotMatch(bundled, /@grpc|milvus2-sdk-node\/dist/, 'nothing of the SDK (no gRPC)');
});
