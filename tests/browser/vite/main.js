// Entry point of the Vite and webpack tests: an app that imports the package by name and calls init() with no
// arguments. Both resolve `partita` through its `exports` map (`browser` condition) and emit the
// .wasm that web/src/browser.js points at with new URL(…, import.meta.url) as an asset.
import * as partita from 'partita';
import { runScenario } from '../scenario.js';

let result;
try {
  result = await runScenario(partita);
} catch (e) {
  result = { error: String(e?.stack ?? e) };
}
window.results = result;
document.title = 'done';
