#!/usr/bin/env node
// Runs a WASI command-model program under Node's built-in WASI; ctest uses it as the emulator
// for the WASI build of the C unit tests.   node wasi/run-command.mjs prog.wasm [args...]
import { readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { WASI } from 'node:wasi';

// Node 20.20's V8 sometimes aborts with "Invalid bytecode" (exit 139) when it flushes the
// bytecode of this script's functions while a WASI program runs (about 1 run in 8 of
// test_expr under load, never with the flag). The same V8 also aborts ("unreachable code" in
// MarkCompactCollector::ProcessEphemerons) when a memory.grow's external-memory report finishes
// an incremental marking: test_compact's soak hit it in 3-4 runs of 30-40, none of 60 with
// incremental marking off. The flags only affect this runner.
setFlagsFromString('--no-flush-bytecode');
setFlagsFromString('--no-incremental-marking');

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: run-command.mjs program.wasm [args...]');
  process.exit(2);
}
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
