#!/usr/bin/env node
// Runs a WASI command-model program under Node's built-in WASI; ctest uses it as the emulator
// for the WASI build of the C unit tests.   node wasi/run-command.mjs prog.wasm [args...]
import { readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { WASI } from 'node:wasi';

// Node 20.20's V8 sometimes aborts with "Invalid bytecode" (exit 139) when it flushes the
// bytecode of this script's functions while a WASI program runs (about 1 run in 8 of
// test_expr under load, never with the flag). The flag only affects this runner.
setFlagsFromString('--no-flush-bytecode');

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: run-command.mjs program.wasm [args...]');
  process.exit(2);
}
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
