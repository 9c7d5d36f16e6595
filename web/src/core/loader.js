// loader.js — loading the WebAssembly core: init() compiles or takes the .wasm, instantiates
// the Emscripten glue with it and hands the module to the engine (engine.js), which alone talks
// to it from then on. The entry points (node.js, browser.js, workerd.js) say how the .wasm is
// found by default.

import createPartitaModule from '../../../dist/partita.mjs';
import { Code, MilvusException } from './errors.js';
import { engine, startEngine } from './engine.js';

let defaultLoader = null;
let initPromise = null;

/** Entry points (node.js, browser.js, workerd.js) say how the .wasm is found by default. */
export function setDefaultWasmLoader(loader) {
  defaultLoader = loader;
}

/** Turns init()'s `wasm` option (Module, bytes, URL, Response) into a WebAssembly.Module. */
async function toModule(wasm) {
  if (wasm instanceof WebAssembly.Module) return wasm;
  if (wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm)) return WebAssembly.compile(wasm);
  if (typeof Response !== 'undefined' && wasm instanceof Response) {
    if (WebAssembly.compileStreaming && /application\/wasm/.test(wasm.headers.get('content-type') || ''))
      return WebAssembly.compileStreaming(wasm);
    return WebAssembly.compile(await wasm.arrayBuffer());
  }
  if (typeof wasm === 'string' || wasm instanceof URL) {
    if (!defaultLoader) throw new MilvusException(Code.CLIENT, 'no loader for a wasm URL in this environment');
    return defaultLoader(wasm);
  }
  throw new MilvusException(Code.CLIENT, 'init({ wasm }) takes a WebAssembly.Module, a BufferSource, a Response or a URL');
}

/**
 * Loads the WebAssembly core once; later calls return the same promise. `memory_limit` (bytes;
 * 0 or null: none) caps what the core allocates, and is applied by every call that gives it.
 * @param {{ wasm?: WebAssembly.Module | BufferSource | Response | URL | string,
 *   memory_limit?: number | null }} [options]
 */
export function init(options = {}) {
  if (options.memory_limit !== undefined) checkMemoryLimit(options.memory_limit);
  if (!initPromise) {
    initPromise = load(options).catch((e) => {
      initPromise = null; // a failed load can be retried
      throw e;
    });
  }
  if (options.memory_limit === undefined) return initPromise;
  return initPromise.then((info) => {
    info.memory_limit = engine().setMemoryLimit(options.memory_limit ?? 0);
    return info;
  });
}

function checkMemoryLimit(v) {
  if (v !== null && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0))
    throw new MilvusException(Code.CLIENT, `init({ memory_limit }) takes a number of bytes (0 or null: no limit), got ${typeof v === 'number' ? v : typeof v}`);
}

async function load(options) {
  let wasm = options.wasm;
  if (wasm === undefined) {
    if (!defaultLoader) throw new MilvusException(Code.CLIENT, 'init() needs { wasm } in this environment');
    wasm = await defaultLoader();
  }
  const module = await toModule(wasm);
  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  // The glue is always handed a compiled Module: it then never fetches or compiles by itself,
  // which Workers forbid, and never looks at import.meta.url, which is not a URL there.
  const M = await Promise.race([
    failed,
    createPartitaModule({
      locateFile: (name) => name,
      instantiateWasm(imports, receive) {
        WebAssembly.instantiate(module, imports).then((instance) => receive(instance, module), fail);
        return {};
      },
      print: () => {},
      printErr: () => {},
    }),
  ]);
  const e = startEngine(M);
  return { version: e.constants.version, memory_limit: e.memoryLimit() };
}
