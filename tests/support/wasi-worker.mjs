// The Worker of tests/workerd.test.mjs for the WASI artefacts: both .wasm files arrive as
// WebAssembly.Modules compiled by workerd, and run on the JS shim (wasi/shim.mjs).
//   GET  /reactor   the C-API scenario of wasi-capi.mjs on dist/partita-wasi.wasm
//   POST /cli       the body as stdin of dist/partita-cli.wasm: { exitCode, stdout, stderr }
//   GET  /compile   tries WebAssembly.compile() on bytes, which Workers refuse
import reactor from './partita-wasi.wasm';
import cli from './partita-cli.wasm';
import { instantiateReactor, runCommand } from './shim.mjs';
import { scenario } from './wasi-capi.mjs';

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      if (pathname === '/reactor') return Response.json(scenario((await instantiateReactor(reactor)).exports));
      if (pathname === '/cli') return Response.json(await runCommand(cli, { stdin: new Uint8Array(await request.arrayBuffer()) }));
      if (pathname === '/compile') {
        await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
        return new Response('compiled');
      }
    } catch (e) {
      return new Response(`${e.name}: ${e.message}`, { status: 500 });
    }
    return new Response('not found', { status: 404 });
  },
};
