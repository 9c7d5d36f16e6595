// Entry point of the bundler test: esbuild bundles this with the package (resolved through its
// `exports` map, `browser` condition). esbuild does not follow new URL(…, import.meta.url), so
// the .wasm comes in as a file (loader { '.wasm': 'file' }) and is given to init() explicitly.
import * as partita from 'partita';
import wasmPath from 'partita/partita.wasm';
import { runScenario } from './scenario.js';

let result;
try {
  result = await runScenario(partita, { wasm: new URL(wasmPath, import.meta.url) });
} catch (e) {
  result = { error: String(e?.stack ?? e) };
}
window.results = result;
document.title = 'done';
