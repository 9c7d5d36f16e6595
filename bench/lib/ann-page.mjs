// The index bench's million mode (`npm run bench -- --only index --million`, or
// PARTITA_BENCH_MILLION=1): 1,000,000 x 128 of the Gaussian mixture, each library's HNSW built
// and searched in a fresh page of headless Chromium (playwright-core driving Debian's chromium,
// as the browser tests do; bench/lib/ann-in-page.js is the page's side), served cross-origin
// isolated so that the page's clock resolves microseconds. partita's HNSW and hnswlib-wasm's
// (same M 16, efConstruction 200); edgevec is not run at this size (a few hundred rows/s: hours
// for a build). Recall against the exact top-10, computed in Node with the same scan.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '../../tests/support/static-server.mjs';
import { launchChromium } from '../../tests/support/chromium.mjs';
import { DATA_DIR, EFS, HNSW, K, Q, WARM, dataFile, loadData, printSuite, summarise, truthOf } from './ann.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function millionInPage({ table, N = 1_000_000, dim = 128, libs = (process.env.PARTITA_BENCH_LIBS ?? 'partita HNSW,hnswlib-wasm HNSW').split(',') }) {
  console.log(`\n## Indexes in a page: ${N.toLocaleString('en')} x ${dim}-d, a Gaussian mixture of 1,000 centres; HNSW M ${HNSW.M}, ` +
    `efConstruction ${HNSW.efConstruction}; ${Q} queries, top-${K}; headless Chromium, one page per library, one run each\n`);
  const file = dataFile('mixture', N, dim);
  const truth = await truthOf(loadData(file, N, dim));
  const hnswlib = readdirSync(path.join(root, 'node_modules/hnswlib-wasm/dist')).find((f) => /^hnswlib-[0-9a-f]+\.js$/.test(f));
  const server = await serveStatic({ '/': root, '/data/': DATA_DIR },
    { headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } });
  const browser = await launchChromium();
  const res = { exactScan: { medianMs: truth.medianMs } };
  try {
    for (const lib of libs) {
      const page = await browser.context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(`${server.origin}/bench/lib/ann-page.html`);
        const load0 = loadavg()[0];
        const r = await page.evaluate(async (a) => (await import('/bench/lib/ann-in-page.js')).run(a), {
          lib, data: `/data/${path.basename(file)}`, hnswlibFile: `/node_modules/hnswlib-wasm/dist/${hnswlib}`, N, dim, Q, K,
          M: HNSW.M, efConstruction: HNSW.efConstruction, seed: HNSW.seed, efs: EFS, warm: WARM,
        });
        res[lib] = { ...summarise([r], () => truth.ids), loadAverage: [load0, loadavg()[0]] };
        if (r.exactMedianMs) res.exactInPage = { medianMs: r.exactMedianMs };
        console.log(`${lib}: built in ${(r.buildMs / 1000).toFixed(1)} s (load average ${load0.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after)`);
      } catch (e) {
        console.error(`${lib} in the page failed: ${e.message}${errors.length ? `\n${errors.join('\n')}` : ''}`);
        process.exitCode = 1;
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  if (res.exactInPage) res.exactScan = res.exactInPage; // the page's own exact scan, when partita ran
  printSuite(res, { N, dim, table });
  const mine = res['partita HNSW'];
  const best = mine?.curve.find((c) => c.recall >= 0.95);
  if (best) console.log(`\ndone-when check: ${N.toLocaleString('en')} vectors searched in a page at recall@10 ${best.recall.toFixed(3)} in ${best.medianMs.toFixed(3)} ms ` +
    `(median, ef ${best.p}): ${best.medianMs < 1 ? 'under' : 'NOT under'} a millisecond`);
  return res;
}
