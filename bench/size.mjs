// npm run size — what a page downloads for partita, against the budgets of issue 5, with the
// WebAssembly peer installed here beside it (also printed by `npm run bench`):
//   core    dist/partita.wasm, gzip -9: budget 150 KB
//   glue    the JS a browser loads (web/src/browser.js and everything it imports, the Emscripten
//           glue dist/partita.mjs included), bundled and minified by esbuild, gzip -9: budget 25 KB
//   peers   hnswlib-wasm's single-file module (its .wasm is inlined as base64), the same way
// Sizes are of the built artefacts: run after `npm run build`.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
export const BUDGET = { wasmGzip: 150 * 1024, glueGzip: 25 * 1024 };

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** The JS of one entry point as a bundler would ship it: bundled, minified, .wasm left out. */
async function bundled(entry, platform) {
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    entryPoints: [path.join(root, entry)], bundle: true, minify: true, format: 'esm', platform,
    write: false, external: ['*.wasm'], logLevel: 'silent',
  });
  return Buffer.from(r.outputFiles[0].contents);
}

export async function sizes() {
  const wasm = readFileSync(path.join(root, 'dist/partita.wasm'));
  const browser = await bundled('web/src/browser.js', 'browser');
  const server = await bundled('web/src/server.browser.js', 'browser');
  const dist = path.join(root, 'node_modules/hnswlib-wasm/dist');
  const peerFile = readdirSync(dist).find((f) => /^hnswlib-[0-9a-f]+\.js$/.test(f));
  const peer = readFileSync(path.join(dist, peerFile));
  return {
    wasm: { bytes: wasm.length, gzip: gz(wasm) },
    glue: { bytes: browser.length, gzip: gz(browser) },
    glueWithServer: { bytes: server.length, gzip: gz(server) },
    peers: { 'hnswlib-wasm 0.8.2 (wasm inlined in its JS)': { bytes: peer.length, gzip: gz(peer) } },
  };
}

export function printSizes(s) {
  const row = (name, x, budget) =>
    `| ${name} | ${kb(x.bytes)} | ${kb(x.gzip)} | ${budget ? `${kb(budget)} ${x.gzip <= budget ? 'ok' : 'OVER'}` : ''} |`;
  console.log('| artefact | raw | gzip -9 | budget |\n|---|--:|--:|--:|');
  console.log(row('partita core: dist/partita.wasm', s.wasm, BUDGET.wasmGzip));
  console.log(row("partita JS glue ('partita', browser), esbuild --minify", s.glue, BUDGET.glueGzip));
  console.log(row("'partita/server' alone (a REST Worker)", s.glueWithServer));
  for (const [name, x] of Object.entries(s.peers)) console.log(row(name, x));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await sizes();
  console.log('## Size\n');
  printSizes(s);
  if (s.wasm.gzip > BUDGET.wasmGzip || s.glue.gzip > BUDGET.glueGzip) process.exitCode = 1;
}
