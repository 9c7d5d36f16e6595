// The npm package as a user gets it: `npm pack` (after the build), the tarball installed into an
// empty project with the network off (`npm install --offline`: partita has no runtime
// dependencies; apache-arrow is an optional peer), then the seed's example, partita/server,
// partita/server/node and the WASI artefacts used from it by their package names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir, app, packed;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'partita-pack-'));
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  packed = JSON.parse(out.slice(out.indexOf('[')))[0];
  app = path.join(dir, 'app');
  execFileSync('mkdir', ['-p', app]);
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync(npm, ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', path.join(dir, packed.filename)],
    { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const run = (file, args = []) => spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', file, ...args], { cwd: app, encoding: 'utf8' });

test('npm pack: the built artefacts, types, demo page, README and licence, and nothing else', () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const f of ['dist/partita.mjs', 'dist/partita.wasm', 'dist/partita-wasi.wasm', 'dist/partita-cli.wasm',
    'web/src/index.d.ts', 'web/src/server.d.ts', 'web/src/serve-node.d.ts', 'web/src/index.js', 'web/src/workerd.js',
    'web/bin/partita-serve.mjs', 'web/demo/index.html', 'wasi/shim.mjs', 'wasi/shim.d.ts', 'include/partita.h', 'README.md', 'LICENSE', 'package.json'])
    assert.ok(files.includes(f), `${f} is not in the package`);
  const stray = files.filter((f) => !/^(dist|web\/src|web\/bin|web\/demo|wasi|include)\/|^(README\.md|LICENSE|package\.json)$/.test(f));
  assert.deepEqual(stray, []);
  assert.ok(!files.some((f) => /^(tests|src|bench|scripts|examples)\//.test(f)));
  // a guard against stray large files, not a budget of the code: three builds of the core (about
  // 220 KB each compressed: Emscripten, WASI library, WASI command), the README, the types
  assert.ok(packed.size < 1_200_000, `the tarball is ${packed.size} bytes`);
});

test('installed offline into an empty project: no dependencies come along', async () => {
  const pkg = JSON.parse(await readFile(path.join(app, 'node_modules/partita/package.json'), 'utf8'));
  assert.equal(pkg.name, 'partita');
  assert.equal(pkg.dependencies, undefined);
  assert.ok(!existsSync(path.join(app, 'node_modules/apache-arrow')), 'the optional peer is not installed');
  // every export target exists in the installed package
  const targets = [];
  const walk = (v) => (typeof v === 'string' ? targets.push(v) : Object.values(v).forEach(walk));
  walk(pkg.exports);
  for (const t of targets) assert.ok(existsSync(path.join(app, 'node_modules/partita', t)), `exports target ${t} is missing`);
});

test("the seed's example runs from the installed package (import ... from 'partita')", async () => {
  await copyFile(path.join(root, 'examples/seed.mjs'), path.join(app, 'seed.mjs'));
  const src = await readFile(path.join(app, 'seed.mjs'), 'utf8');
  assert.match(src, /from 'partita'/);
  // print what the example computes
  await writeFile(path.join(app, 'seed-check.mjs'), `${src}
console.log('RESULT ' + JSON.stringify({ upsert_count: res.upsert_count, primary_keys: res.primary_keys,
  comedy: partition.num_entities, total: collection.num_entities, partitions: collection.partitions.map((p) => p.name) }));
`);
  const r = run('seed-check.mjs');
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.deepEqual(JSON.parse(line.slice(7)), {
    upsert_count: 10, primary_keys: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], comedy: 10, total: 20, partitions: ['_default', 'comedy', 'drama'],
  });
});

test('partita/server (fetch handler), partita/server/node and the WASI artefacts from the installed package', async () => {
  await writeFile(path.join(app, 'server-check.mjs'), `
import { createHandler } from 'partita/server';
import { serve } from 'partita/server/node';
import { runCommand } from 'partita/wasi-shim';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const out = {};
const handler = createHandler();
const post = async (h, route, body) => (await h(new Request('http://x/v2/vectordb/' + route, { method: 'POST', body: JSON.stringify(body) }))).json();
out.create = await post(handler, 'collections/create', { collectionName: 'c', dimension: 2 });
out.upsert = (await post(handler, 'entities/upsert', { collectionName: 'c', data: [{ id: 1, vector: [1, 0] }] })).data.upsertCount;

const server = await serve({ port: 0 });
const r = await fetch(server.url + '/v2/vectordb/entities/query', { method: 'POST', body: JSON.stringify({ collectionName: 'c', filter: 'id == 1', outputFields: ['id'] }) });
out.query = (await r.json()).data;
await server.close();

// package subpaths of the .wasm files resolve to files a host can load
const require = createRequire(import.meta.url);
const cli = await WebAssembly.compile(await readFile(require.resolve('partita/partita-cli.wasm')));
const res = await runCommand(cli, { stdin: JSON.stringify({ op: 'query', collection: 'x', filter: '' }) + '\\n' });
out.cli = JSON.parse(res.stdout).error.code;
console.log('RESULT ' + JSON.stringify(out));
`);
  const r = run('server-check.mjs');
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.deepEqual(JSON.parse(line.slice(7)), {
    create: { code: 0, data: {} }, upsert: 1, query: [{ id: '1' }], cli: 100,
  });
});

test('exports: each runtime\'s resolver picks its entry (node, browser, workerd, default, types)', async () => {
  const esbuild = await import('esbuild');
  const pkgDir = path.join(app, 'node_modules/partita');
  /** The package's files that a bundle of `spec` built with these resolver settings takes in. */
  const resolved = async (spec, settings) => {
    const r = await esbuild.build({
      stdin: { contents: `export * from '${spec}';`, resolveDir: app, loader: 'js' },
      absWorkingDir: app, bundle: true, write: false, metafile: true, format: 'esm', logLevel: 'silent',
      external: ['*.wasm'], ...settings,
    });
    return Object.keys(r.metafile.inputs).map((f) => path.relative(pkgDir, path.resolve(app, f)));
  };
  const cases = {
    node: [{ platform: 'node' }, 'web/src/node.js', 'web/src/server.node.js'],
    browser: [{ platform: 'browser' }, 'web/src/browser.js', 'web/src/server.browser.js'],
    // what wrangler gives esbuild for a Worker
    workerd: [{ platform: 'neutral', conditions: ['workerd', 'worker', 'browser'] }, 'web/src/workerd.js', 'web/src/server.workerd.js'],
    default: [{ platform: 'neutral', conditions: [] }, 'web/src/browser.js', 'web/src/server.browser.js'],
  };
  for (const [name, [settings, main, server]] of Object.entries(cases)) {
    const a = await resolved('partita', settings);
    assert.ok(a.includes(main), `${name}: 'partita' took ${a.join(', ')}`);
    assert.ok(a.includes('dist/partita.mjs') && a.includes('web/src/index.js'), name);
    const b = await resolved('partita/server', settings);
    assert.ok(b.includes(server) && b.includes(main), `${name}: 'partita/server' took ${b.join(', ')}`);
    const c = await resolved('partita/milvus-client', settings);
    const client = server.replace('server.', 'milvus-client.');
    assert.ok(c.includes(client) && c.includes(main), `${name}: 'partita/milvus-client' took ${c.join(', ')}`);
    assert.ok(!c.some((f) => f.includes('milvus2-sdk-node')), `${name}: 'partita/milvus-client' took the SDK`);
    for (const other of Object.values(cases).map((c) => c[1]).filter((f) => f !== main))
      assert.ok(!a.includes(other) && !b.includes(other) && !c.includes(other), `${name} also took ${other}`);
  }
  // TypeScript finds the declarations through the `types` condition (moduleResolution bundler and node16)
  const ts = (await import('typescript')).default;
  // and through typesVersions under moduleResolution "node" (node10), which reads no `exports`
  for (const moduleResolution of [ts.ModuleResolutionKind.Bundler, ts.ModuleResolutionKind.Node16, ts.ModuleResolutionKind.Node10]) {
    const options = { module: moduleResolution === ts.ModuleResolutionKind.Node16 ? ts.ModuleKind.Node16 : ts.ModuleKind.ESNext, moduleResolution };
    for (const [spec, want] of [['partita', 'web/src/index.d.ts'], ['partita/server', 'web/src/server.d.ts'],
      ['partita/server/node', 'web/src/serve-node.d.ts'], ['partita/wasi-shim', 'wasi/shim.d.ts'],
      ['partita/milvus-client', 'web/src/milvus-client.d.ts'], ['partita/persist', 'web/src/persist.d.ts']]) {
      const r = ts.resolveModuleName(spec, path.join(app, 'index.ts'), options, ts.sys);
      assert.equal(path.relative(pkgDir, r.resolvedModule?.resolvedFileName ?? ''), want, `${spec} (${moduleResolution})`);
    }
  }
});

test('the partita-serve binary is installed', () => {
  assert.ok(existsSync(path.join(app, 'node_modules/.bin/partita-serve')));
});

test('without the optional gRPC peers: serve({ grpc: true }) names what to install, partita-serve serves REST only and says so', async () => {
  assert.ok(packed.files.some((f) => f.path === 'dist/milvus-proto.json'), "Milvus's protocol descriptor is in the package");
  await writeFile(path.join(app, 'grpc-check.mjs'), `
import { serve } from 'partita/server/node';
try {
  await serve({ port: 0, grpc: true });
  console.log('RESULT served');
} catch (e) {
  console.log('RESULT ' + JSON.stringify({ code: e.code, message: e.message }));
}
`);
  const r = run('grpc-check.mjs');
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('RESULT ')).slice(7));
  assert.equal(got.code, 'PARTITA_GRPC_PEERS');
  assert.match(got.message, /npm install @grpc\/grpc-js @grpc\/proto-loader/);
  // the CLI: REST only, said on stderr; it is stopped once it has said where it listens
  const child = spawn(path.join(app, 'node_modules/.bin/partita-serve'), ['--port', '0', '--api-only'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stderr.on('data', (d) => (err += d));
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`partita-serve exited (${code}): ${err}`)));
  });
  child.kill('SIGTERM');
  assert.match(out, /^partita: serving Milvus REST v2 on http:\/\/127\.0\.0\.1:\d+\n$/);
  assert.match(err, /serving REST only: .*npm install @grpc\/grpc-js @grpc\/proto-loader/);
});
