// The C/JS boundary is declared in one place (web/pt_wasm.c); this checks that the builds and
// the export list agree with it, so that no export silently goes missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { init } from 'partita';
import { engine } from '../web/src/core/engine.js';

const root = new URL('../', import.meta.url);
const shim = await readFile(new URL('web/pt_wasm.c', root), 'utf8');
const declared = [...shim.matchAll(/^EXPORT\([^,]+,\s*(pt_wasm_\w+)\)/gm)].map((m) => m[1]).sort();
const listed = (await readFile(new URL('web/exports.txt', root), 'utf8')).split('\n').filter(Boolean).map((s) => s.replace(/^_/, '')).sort();

test('web/exports.txt lists exactly the functions web/pt_wasm.c exports', () => {
  assert.ok(declared.length > 20);
  assert.deepEqual(listed, declared);
});

test('the Emscripten build exports every one of them', async () => {
  await init();
  const glue = await readFile(new URL('dist/partita.mjs', root), 'utf8');
  for (const name of declared) assert.ok(glue.includes(`Module["_${name}"]`), `${name} is not exported by dist/partita.mjs`);
});

test('the WASI reactor exports every one of them, and runs', async () => {
  const module = await WebAssembly.compile(await readFile(new URL('dist/partita-wasi.wasm', root)));
  const exported = WebAssembly.Module.exports(module).map((e) => e.name);
  for (const name of declared) assert.ok(exported.includes(name), `${name} is not exported by dist/partita-wasi.wasm`);
  const wasi = new WASI({ version: 'preview1', args: [], env: {}, returnOnExit: true });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  wasi.initialize(instance);
  const { memory, pt_wasm_constants } = instance.exports;
  const p = pt_wasm_constants();
  const u8 = new Uint8Array(memory.buffer);
  let end = p;
  while (u8[end]) end++;
  const constants = JSON.parse(new TextDecoder().decode(u8.subarray(p, end)));
  assert.equal(constants.dtype.INT64, 5);
  // both builds are wasm32: the struct layouts the JS layer reads must be the same in both
  await init();
  assert.deepEqual(constants.layout, engine().layout);
  assert.deepEqual(constants.dtype, engine().constants.dtype);
});
