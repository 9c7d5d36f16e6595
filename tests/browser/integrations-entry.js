// Entry point of the integrations page: esbuild bundles this with LangChain.js and LlamaIndex.TS
// as they are, @zilliz/milvus2-sdk-node aliased to partita/milvus-client (the `browser`
// condition). esbuild does not follow new URL(…, import.meta.url), so the .wasm comes in as a
// file and is given to init() before the first client call (as bundle-entry.js does).
import { init } from 'partita';
import wasmPath from 'partita/partita.wasm';
import { runIntegrations } from '../support/integrations.mjs';

let result;
try {
  await init({ wasm: new URL(wasmPath, import.meta.url) });
  result = await runIntegrations();
} catch (e) {
  result = { error: String(e?.stack ?? e) };
}
window.results = result;
document.title = 'done';
