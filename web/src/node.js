// node.js — entry point for Node.js: init() reads dist/partita.wasm from disk.
import { readFile } from 'node:fs/promises';
import { setDefaultWasmLoader } from './binding.js';

setDefaultWasmLoader(async (url = new URL('../../dist/partita.wasm', import.meta.url)) => {
  const u = url instanceof URL ? url : new URL(url, 'file://' + process.cwd() + '/');
  if (u.protocol === 'file:') return WebAssembly.compile(await readFile(u));
  const res = await fetch(u);
  if (!res.ok) throw new Error(`cannot fetch ${u}: HTTP ${res.status}`);
  return WebAssembly.compile(await res.arrayBuffer());
});

export * from './index.js';
