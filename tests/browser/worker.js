// A module Web Worker running the scenario: import maps do not reach workers, so it imports the
// package's browser entry by path. With { wasm } in the message, init() gets that.
import * as partita from '/pkg/web/src/browser.js';
import { runScenario } from './scenario.js';

self.onmessage = async ({ data }) => {
  try {
    const inWorker = typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope;
    const result = await runScenario(partita, data.wasm ? { wasm: data.wasm } : undefined);
    postMessage({ ...result, inWorker });
  } catch (e) {
    postMessage({ error: String(e?.stack ?? e) });
  }
};
