// workerd.js — entry point for Cloudflare Workers (workerd): the runtime compiles the .wasm at
// deploy time and hands it over as a WebAssembly.Module (Workers forbid compiling from bytes).
import wasmModule from '../../dist/partita.wasm';
import { setDefaultWasmLoader } from './core/loader.js';

setDefaultWasmLoader(async () => wasmModule);

export * from './index.js';
