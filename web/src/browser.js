// browser.js — entry point for browsers and Web Workers: init() fetches partita.wasm from
// next to the package (or from the URL given as { wasm }), compiling while it downloads.
import { setDefaultWasmLoader } from './binding.js';

setDefaultWasmLoader(async (url = new URL('../../dist/partita.wasm', import.meta.url)) => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot fetch ${url}: HTTP ${res.status}`);
  if (WebAssembly.compileStreaming && /application\/wasm/.test(res.headers.get('content-type') || ''))
    return WebAssembly.compileStreaming(res);
  return WebAssembly.compile(await res.arrayBuffer());
});

export * from './index.js';
