// partita in a browser (issue 5, part 1): headless Chromium loads the package as an ES module
// from a plain <script type="module"> (import map, .wasm found next to the package files), in a
// module Web Worker, with the .wasm given explicitly in every form init({ wasm }) takes, from
// an esbuild bundle, and from Vite and webpack production builds. Each runs tests/browser/scenario.js (the seed example and a filtered
// search) and the test reads the results back; Node runs the same scenario for comparison.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, copyFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as partita from 'partita';
import { serveStatic } from './support/static-server.mjs';
import { launchChromium, openPage, skipWithoutChromium as skip } from './support/chromium.mjs';
import { runScenario, EXPECTED } from './browser/scenario.js';
import { expectedIntegrations } from './support/integrations.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let server, browser, bundleDir, viteDir, webpackDir, sdkApp, sdkDir, integDir;

before(async () => {
  if (skip) return;
  // esbuild bundles the entry as an app would (platform browser: the `browser` condition)
  bundleDir = await mkdtemp(path.join(tmpdir(), 'partita-bundle-'));
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(root, 'tests/browser/bundle-entry.js')],
    bundle: true, format: 'esm', platform: 'browser', outfile: path.join(bundleDir, 'bundle.js'),
    loader: { '.wasm': 'file' }, logLevel: 'silent',
  });
  await copyFile(path.join(root, 'tests/browser/bundle.html'), path.join(bundleDir, 'bundle.html'));
  // LangChain.js's and LlamaIndex.TS's Milvus stores as they are (tests/support/integrations.mjs),
  // bundled by esbuild with the SDK's name aliased to partita/milvus-client; `partita` is found
  // as in an app's node_modules
  integDir = await mkdtemp(path.join(tmpdir(), 'partita-integrations-'));
  await mkdir(path.join(integDir, 'node_modules'));
  await symlink(root, path.join(integDir, 'node_modules/partita'), 'dir');
  await esbuild.build({
    entryPoints: [path.join(root, 'tests/browser/integrations-entry.js')],
    bundle: true, format: 'esm', platform: 'browser', outfile: path.join(integDir, 'bundle.js'),
    alias: { '@zilliz/milvus2-sdk-node': 'partita/milvus-client' }, nodePaths: [path.join(integDir, 'node_modules')],
    loader: { '.wasm': 'file' }, logLevel: 'silent',
  });
  await copyFile(path.join(root, 'tests/browser/bundle.html'), path.join(integDir, 'bundle.html'));
  // a Vite production build of an app that imports the package by name (tests/browser/vite)
  viteDir = await mkdtemp(path.join(tmpdir(), 'partita-vite-'));
  const { build } = await import('vite');
  await build({
    root: path.join(root, 'tests/browser/vite'), base: './', configFile: false, logLevel: 'silent',
    build: { outDir: viteDir, emptyOutDir: true, target: 'es2022' },
  });
  // a webpack 5 production build of the same app (classic script output, top-level await in
  // its runtime): webpack also follows new URL(…, import.meta.url) and emits the .wasm
  webpackDir = await mkdtemp(path.join(tmpdir(), 'partita-webpack-'));
  const { default: webpack } = await import('webpack');
  const stats = await new Promise((resolve, reject) => webpack({
    mode: 'production', context: root, target: 'web', devtool: false,
    entry: path.join(root, 'tests/browser/vite/main.js'),
    output: { path: webpackDir, filename: 'main.js', publicPath: 'auto', assetModuleFilename: 'partita-[contenthash][ext]' },
    performance: { hints: false }, infrastructureLogging: { level: 'error' },
  }, (err, st) => (err ? reject(err) : resolve(st))));
  if (stats.hasErrors()) throw new Error(stats.toString({ all: false, errors: true }));
  await copyFile(path.join(root, 'tests/browser/webpack/index.html'), path.join(webpackDir, 'index.html'));
  // an app written for @zilliz/milvus2-sdk-node (the SDK README's quickstart, as it is), built by
  // Vite with the SDK's name aliased to partita/milvus-client
  sdkApp = await mkdtemp(path.join(tmpdir(), 'partita-sdk-app-'));
  await mkdir(path.join(sdkApp, 'node_modules'));
  await symlink(root, path.join(sdkApp, 'node_modules/partita'), 'dir');
  const readme = await readFile(path.join(root, 'node_modules/@zilliz/milvus2-sdk-node/README.md'), 'utf8');
  const quickstart = readme.slice(readme.indexOf('### Create Collection, Insert, and Search')).match(/```typescript\n([\s\S]*?)```/)[1];
  await writeFile(path.join(sdkApp, 'main.js'), `${quickstart}\nwindow.results = results;\ndocument.title = 'done';\n`);
  await writeFile(path.join(sdkApp, 'index.html'), '<!doctype html>\n<meta charset="utf-8">\n<link rel="icon" href="data:,">\n' +
    '<title>partita browser test: the SDK quickstart</title>\n<script type="module" src="./main.js"></script>\n');
  sdkDir = await mkdtemp(path.join(tmpdir(), 'partita-sdk-'));
  await build({
    root: sdkApp, base: './', configFile: false, logLevel: 'silent',
    resolve: { alias: { '@zilliz/milvus2-sdk-node': 'partita/milvus-client' } },
    build: { outDir: sdkDir, emptyOutDir: true, target: 'es2022' },
  });
  server = await serveStatic({
    '/': path.join(root, 'tests/browser'),
    '/pkg/': root,
    '/nowasm/': root,
    '/assets/': path.join(root, 'dist'),
    '/bundle/': bundleDir,
    '/vite/': viteDir,
    '/webpack/': webpackDir,
    '/sdk/': sdkDir,
    '/integrations/': integDir,
  }, { deny: ['/nowasm/dist/partita.wasm'] });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
  if (viteDir) await rm(viteDir, { recursive: true, force: true });
  if (webpackDir) await rm(webpackDir, { recursive: true, force: true });
  for (const d of [sdkApp, sdkDir, integDir]) if (d) await rm(d, { recursive: true, force: true });
});

/** Loads a test page, waits for its results and checks it raised no error and stayed local. */
async function results(pathAndQuery, { allowErrors = false } = {}) {
  const { page, problems } = await openPage(browser.context, server.origin);
  try {
    await page.goto(server.origin + pathAndQuery);
    await page.waitForFunction(() => document.title === 'done', null, { timeout: 20_000 });
    const out = await page.evaluate(() => window.results);
    if (!allowErrors) assert.deepEqual(problems.errors, [], 'errors in the page');
    assert.deepEqual(problems.external, [], 'requests that left 127.0.0.1');
    return out;
  } finally {
    await page.close();
  }
}

test('the scenario gives the expected results in Node (the reference for the browser)', async () => {
  assert.deepEqual(await runScenario(partita), EXPECTED);
});

test('page with <script type="module"> and an import map, and module Web Workers', { skip, timeout: 60_000 }, async () => {
  const before = server.requests.length;
  const r = await results('/page.html');
  assert.deepEqual(r.page, EXPECTED, 'in the page');
  assert.deepEqual(r.worker, { ...EXPECTED, inWorker: true }, 'in a Web Worker finding the .wasm itself');
  assert.deepEqual(r.workerModule, { ...EXPECTED, inWorker: true }, 'in a Web Worker given a compiled Module');
  // the .wasm came from next to the package's files: page, worker, and the page's compile
  const wasm = server.requests.slice(before).filter((p) => p.endsWith('.wasm'));
  assert.deepEqual(wasm, ['/pkg/dist/partita.wasm', '/pkg/dist/partita.wasm', '/pkg/dist/partita.wasm']);
});

for (const form of ['string', 'url', 'bytes', 'arraybuffer', 'module', 'response']) {
  test(`init({ wasm }) with a ${form} where no .wasm sits next to the package`, { skip, timeout: 60_000 }, async () => {
    const before = server.requests.length;
    assert.deepEqual(await results(`/explicit.html?form=${form}`), EXPECTED);
    assert.ok(!server.requests.slice(before).includes('/nowasm/dist/partita.wasm'), 'the default location was not tried');
  });
}

test('init() without { wasm } when the .wasm is missing rejects with a message that says so', { skip, timeout: 60_000 }, async () => {
  const r = await results('/explicit.html?form=none', { allowErrors: true });
  assert.match(r.error, /cannot fetch http:.*\/nowasm\/dist\/partita\.wasm: HTTP 404 \(give init\(\) the \.wasm/);
});

// each bundled app loads, runs the scenario, and fetches the one .wasm its bundler emitted
const BUNDLES = [
  ['an esbuild bundle (browser condition), with the .wasm imported as a file', '/bundle/bundle.html', /^\/bundle\/partita-\w+\.wasm$/],
  ['a Vite build: the package by name, init() with no arguments, the .wasm emitted as an asset', '/vite/index.html', /^\/vite\/assets\/partita-[\w-]+\.wasm$/],
  ['a webpack build: the package by name, init() with no arguments, the .wasm emitted as an asset', '/webpack/index.html', /^\/webpack\/partita-\w+\.wasm$/],
];
for (const [name, page, wasmPath] of BUNDLES) {
  test(name, { skip, timeout: 60_000 }, async () => {
    const before = server.requests.length;
    assert.deepEqual(await results(page), EXPECTED);
    const wasm = server.requests.slice(before).filter((p) => p.endsWith('.wasm'));
    assert.equal(wasm.length, 1);
    assert.match(wasm[0], wasmPath);
  });
}

test('persistence in the browser: OPFS (the default adapter) and IndexedDB survive a reload', { skip, timeout: 60_000 }, async () => {
  const want = [{ id: 1, tag: 'a', vec: [0.5, 1] }, { id: 2, tag: 'B', vec: [6, 7] }];
  const saved = await results('/persist.html?step=save');
  assert.equal(saved.error, undefined, saved.error);
  assert.equal(saved.adapter, 'OPFSAdapter');
  assert.deepEqual(saved.rows, want);
  assert.equal(saved.missing, null);
  // a new page of the same profile: the store in memory is gone, the snapshots are not
  const loaded = await results('/persist.html?step=load');
  assert.equal(loaded.error, undefined, loaded.error);
  assert.deepEqual(loaded.opfsRows, want);
  assert.deepEqual(loaded.idbRows, want);
  assert.equal(loaded.opfsEntities, 2);
});

test("the SDK README's quickstart as it is, in a Vite build with @zilliz/milvus2-sdk-node aliased to partita/milvus-client", { skip, timeout: 60_000 }, async () => {
  const before = server.requests.length;
  const r = await results('/sdk/index.html');
  assert.equal(r.status.error_code, 'Success');
  assert.deepEqual(r.results.map((h) => h.text), ['doc1', 'doc2']);
  const wasm = server.requests.slice(before).filter((p) => p.endsWith('.wasm'));
  assert.equal(wasm.length, 1);
  assert.match(wasm[0], /^\/sdk\/assets\/partita-[\w-]+\.wasm$/);
});

test("LangChain.js's Milvus store and LlamaIndex.TS's MilvusVectorStore as they are, in an esbuild bundle with @zilliz/milvus2-sdk-node aliased to partita/milvus-client", { skip, timeout: 90_000 }, async () => {
  const r = await results('/integrations/bundle.html');
  assert.equal(r.error, undefined, r.error);
  assert.deepEqual(r, expectedIntegrations());
  const bundled = await readFile(path.join(integDir, 'bundle.js'), 'utf8');
  assert.doesNotMatch(bundled, /@grpc|milvus2-sdk-node\/dist/, 'nothing of the SDK (no gRPC)');
});
