// browser.js — entry point for browsers and Web Workers: init() fetches partita.wasm from
// next to the package's files (dist/partita.wasm, which bundlers that follow
// new URL(…, import.meta.url) copy along), or from the URL given as { wasm }, compiling while
// it downloads.
import { setDefaultWasmLoader } from './core/loader.js';

// resolved on first use: where import.meta.url is not a URL (workerd) this module still loads
setDefaultWasmLoader(async (wasm) => {
  const url = wasm ?? new URL('../../dist/partita.wasm', import.meta.url);
  const res = await fetch(url);
  if (!res.ok) {
    const hint = wasm === undefined ? ' (give init() the .wasm: init({ wasm: url | bytes | WebAssembly.Module }))' : '';
    throw new Error(`cannot fetch ${res.url || url}: HTTP ${res.status}${hint}`);
  }
  if (WebAssembly.compileStreaming && /application\/wasm/.test(res.headers.get('content-type') || ''))
    return WebAssembly.compileStreaming(res);
  return WebAssembly.compile(await res.arrayBuffer());
});

export * from './index.js';
