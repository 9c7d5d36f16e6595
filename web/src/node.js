// node.js — entry point for Node.js: init() reads dist/partita.wasm from disk.
import { readFileSync } from 'node:fs';
import { setDefaultWasmLoader } from './core/loader.js';

// A file is read and compiled synchronously: both take a few milliseconds once, and the async
// forms (fs/promises, WebAssembly.compile) added 3-4 ms to a cold init() on these machines, in
// thread-pool round trips and in the task that resolves the compile (bench --only start). V8
// compiles functions lazily on first call either way; what runs here is decoding and validation.
setDefaultWasmLoader(async (url = new URL('../../dist/partita.wasm', import.meta.url)) => {
  const u = url instanceof URL ? url : new URL(url, 'file://' + process.cwd() + '/');
  if (u.protocol === 'file:') return new WebAssembly.Module(readFileSync(u));
  const res = await fetch(u);
  if (!res.ok) throw new Error(`cannot fetch ${u}: HTTP ${res.status}`);
  return WebAssembly.compile(await res.arrayBuffer());
});

export * from './index.js';
