// The offline demo page (issue 5, part 4), as `npm start` serves it: the real partita-serve CLI
// on a free port, headless Chromium loading / with every request kept on 127.0.0.1. The test
// loads the films, upserts a film through the form (new key, the same key in another
// partition, then a replacement), searches by clicking the map, narrows the partitions, runs
// the text box's keyword, vector and hybrid searches side by side, and takes a screenshot
// (under the OS temp dir, path printed; not committed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, openPage, skipWithoutChromium as skip } from './support/chromium.mjs';

const bin = fileURLToPath(new URL('../web/bin/partita-serve.mjs', import.meta.url));
let server, browser;

/** Starts partita-serve on a free port; resolves with the child and its URL. */
function startServer(args = []) {
  const child = spawn(process.execPath, [bin, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /serving Milvus REST v2 on (http:\/\/\S+)\n/.exec(out);
      if (m) resolve({ child, url: m[1], out });
    });
    child.on('exit', (code) => reject(new Error(`partita-serve exited (${code}): ${out}`)));
  });
}

async function stopServer(s) {
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise((resolve) => s.child.on('exit', resolve));
  s.child.kill('SIGTERM');
  await exited;
}

before(async () => {
  server = await startServer();
  if (!skip) browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stopServer(server);
});

test('partita-serve serves the demo, the package files it imports, and the REST API', async () => {
  assert.match(server.out, /demo page on http:\/\/127\.0\.0\.1:\d+\/\n/);
  const types = {
    '/': 'text/html; charset=utf-8',
    '/demo.js': 'text/javascript; charset=utf-8',
    '/demo.css': 'text/css; charset=utf-8',
    '/partita/web/src/browser.js': 'text/javascript; charset=utf-8',
    '/partita/dist/partita.mjs': 'text/javascript; charset=utf-8',
    '/partita/dist/partita.wasm': 'application/wasm',
  };
  for (const [p, type] of Object.entries(types)) {
    const r = await fetch(server.url + p);
    assert.equal(r.status, 200, p);
    assert.equal(r.headers.get('content-type'), type, p);
  }
  assert.match(await (await fetch(server.url + '/')).text(), /<script type="importmap">/);
  const wasm = await fetch(server.url + '/partita/dist/partita.wasm', { method: 'HEAD' });
  assert.ok(Number(wasm.headers.get('content-length')) > 1000);
  // nothing outside the mounted directories, nor files of other types
  for (const p of ['/missing.js', '/partita/web/src/%2e%2e/%2e%2e/package.json', '/partita/dist/..%2f..%2fpackage.json', '/partita/web/', '/%00.js'])
    assert.equal((await fetch(server.url + p)).status, 404, p);
  // the REST API is still there
  const r = await fetch(server.url + '/v2/vectordb/collections/list', { method: 'POST', body: '{}' });
  assert.deepEqual(await r.json(), { code: 0, data: [] });
});

test('partita-serve --api-only answers / with the list of routes', async () => {
  const s = await startServer(['--api-only']);
  try {
    assert.doesNotMatch(s.out, /demo page/);
    const page = await (await fetch(s.url + '/')).text();
    assert.match(page, /\/v2\/vectordb\/entities\/upsert/);
    assert.equal((await fetch(s.url + '/demo.js')).status, 404);
  } finally {
    await stopServer(s);
  }
});

test('the demo page works offline: load, upsert and search through the UI', { skip, timeout: 60_000 }, async () => {
  const { page, problems, requests } = await openPage(browser.context, server.url);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(server.url + '/');
  await page.waitForSelector('#status.ready', { timeout: 20_000 });
  assert.match(await page.textContent('#status'), /^partita \d+\.\d+\.\d+ in WebAssembly, ready in \d+ ms/);

  const count = (name) => page.textContent(`#partitions tr[data-partition="${name}"] .count`).then(Number);
  const total = () => page.textContent('#total');
  assert.equal(await total(), 'collection.num_entities = 0');

  // load the dataset: one partition per genre
  await page.click('#load');
  await page.waitForFunction(() => document.querySelectorAll('#map .dot').length === 240);
  assert.equal(await total(), 'collection.num_entities = 240');
  for (const g of ['comedy', 'drama', 'horror', 'scifi']) assert.equal(await count(g), 60, g);
  assert.equal(await count('_default'), 0);
  assert.match(await page.textContent('#mutation'), /^\(insert count: 60, delete count: 60, upsert count: 60, timestamp: \d+, success count: 60, err count: 0/);
  assert.equal(await page.textContent('.target-name'), 'comedy');

  // place a new film on the map and upsert it into 'comedy'
  const map = await page.locator('#map').boundingBox();
  const spot = { x: map.x + map.width * 0.52, y: map.y + map.height * 0.08 }; // an empty corner
  await page.check('input[name=mode][value=place]');
  await page.mouse.click(spot.x, spot.y);
  assert.equal(await page.inputValue('#f-id'), '241');
  assert.match(await page.textContent('#f-where'), /^Placed at \(.*\) on the map: .* Upsert adds film_id 241 to 'comedy' \(\+1\)\.$/);
  await page.fill('#f-title', 'The Offline Demo');
  await page.fill('#f-year', '2025');
  await page.click('#upsert-button');
  await page.waitForFunction(() => document.querySelector('#mutation').textContent.includes('upsert count: 1,'));
  assert.match(await page.textContent('#mutation'), /^\(insert count: 1, delete count: 1, upsert count: 1, timestamp: \d+, success count: 1, err count: 0/);
  assert.match(await page.textContent('#mutation'), /primary_keys=\[241\]/);
  assert.match(await page.textContent('#mutation-explain'), /was not in 'comedy': upsert inserted it, so 'comedy' now holds 61 \(was 60\)/);
  assert.equal(await count('comedy'), 61);

  // the same film_id upserted into 'drama' is a second entity
  await page.check('#partitions tr[data-partition="drama"] .target');
  assert.match(await page.textContent('#f-where'), /Upsert adds film_id 241 to 'drama' \(\+1\), a second entity beside the one in 'comedy', which stays\./);
  await page.click('#upsert-button');
  await page.waitForFunction(() => document.querySelector('#mutation-explain').textContent.includes("'drama'"));
  assert.match(await page.textContent('#mutation-explain'), /The film_id 241 in 'comedy' is another entity/);
  assert.equal(await count('drama'), 61);
  assert.equal(await total(), 'collection.num_entities = 242');

  // upserting it into 'drama' again replaces it there
  assert.match(await page.textContent('#f-where'), /^Editing film_id 241 of 'drama'\. Upsert replaces film_id 241 in 'drama' \(its count stays: ±0\)\./);
  await page.fill('#f-title', 'The Offline Demo, Director\'s Cut');
  await page.click('#upsert-button');
  await page.waitForFunction(() => document.querySelector('#mutation-explain').textContent.includes('was already in'));
  assert.match(await page.textContent('#mutation-explain'), /film_id 241 was already in 'drama': upsert deleted it and inserted the new row, so 'drama' still holds 61/);
  assert.equal(await total(), 'collection.num_entities = 242');
  assert.equal(await page.locator('#log li').count(), 4 + 3);

  // search where the film was placed: both entities come first, at distance 0
  await page.check('input[name=mode][value=search]');
  await page.mouse.click(spot.x, spot.y);
  await page.waitForSelector('#hits td.num');
  const hits = async () => page.$$eval('#hits tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim())));
  let rows = await hits();
  assert.equal(rows.length, 5);
  assert.deepEqual(rows.slice(0, 2).map((r) => [r[1], r[3], r[6]]).sort(), [['241', 'comedy', '0'], ['241', 'drama', '0']]);
  assert.deepEqual(rows.map((r) => r[2]).filter((t) => t.startsWith('The Offline Demo')).sort(), ['The Offline Demo', "The Offline Demo, Director's Cut"]);
  assert.match(await page.textContent('#search-code'), /→ 5 hits in [\d.]+ ms/);
  assert.equal(await page.locator('#map .hit-ring').count(), 5);

  // search only 'drama', with a filter
  for (const g of ['_default', 'comedy', 'horror', 'scifi']) await page.uncheck(`#partitions tr[data-partition="${g}"] .searched`);
  await page.fill('#filter', 'year >= 2000');
  await page.waitForFunction(() => document.querySelector('#search-code').textContent.includes("'year >= 2000'"));
  await page.waitForFunction(() => document.querySelector('#search-code').textContent.includes('→'));
  rows = await hits();
  assert.equal(rows.length, 5);
  assert.deepEqual(rows[0].slice(1, 4), ['241', "The Offline Demo, Director's Cut", 'drama']);
  for (const r of rows) {
    assert.equal(r[3], 'drama');
    assert.ok(Number(r[4]) >= 2000, `year ${r[4]}`);
  }
  assert.match(await page.textContent('#search-code'), /partition_names: \['drama'\]/);
  // everything outside the search is faded: 61 drama entities, some of them matching
  const shown = await page.locator('#map .dot:not(.out)').count();
  assert.ok(shown > 5 && shown < 61, `${shown} entities in scope`);

  // a filter error is shown as Milvus words it, not thrown
  await page.fill('#filter', 'year >= ');
  await page.waitForSelector('#search-error:not([hidden])');
  assert.match(await page.textContent('#search-error'), /^MilvusException\(code=\d+, message=/);
  await page.click('.chips button:has-text("year >= 2000")');
  await page.waitForSelector('#search-error', { state: 'hidden' });

  // switch the write partition to 'comedy' and delete film 241 there: only 'comedy' shrinks
  await page.check('#partitions tr[data-partition="comedy"] .target');
  assert.equal(await page.textContent('.target-name'), 'comedy');
  await page.click('#delete-button');
  await page.waitForFunction(() => document.querySelector('#mutation-explain').textContent.includes('deleted from'));
  assert.match(await page.textContent('#mutation'), /^\(insert count: 0, delete count: 1, upsert count: 0, timestamp: \d+, success count: 0, err count: 0/);
  assert.match(await page.textContent('#mutation-explain'), /film_id 241 deleted from 'comedy', which now holds 60 \(was 61\)/);
  assert.equal(await count('comedy'), 60);
  assert.equal(await count('drama'), 61);
  assert.equal(await total(), 'collection.num_entities = 241');
  assert.deepEqual(await page.$$eval('#partitions tr.changed', (trs) => trs.map((tr) => tr.dataset.partition)), ['comedy']);
  // the drama-only search is unchanged: its film 241 is still the first hit
  rows = await hits();
  assert.deepEqual(rows[0].slice(1, 4), ['241', "The Offline Demo, Director's Cut", 'drama']);

  const dir = await mkdtemp(path.join(tmpdir(), 'partita-demo-'));
  const shot = path.join(dir, 'demo.png');
  await page.screenshot({ path: shot, fullPage: true });
  process.stdout.write(`# demo screenshot: ${shot}\n`);

  // near neighbours crowd together on the projection: the map magnifies them in a corner,
  // ranks drawn there, and a film clicked in the magnified square is selected
  for (const g of ['_default', 'comedy', 'horror', 'scifi']) await page.check(`#partitions tr[data-partition="${g}"] .searched`);
  await page.click('.chips button:has-text("no filter")');
  await page.waitForFunction(() => !document.querySelector('#search-code').textContent.includes('year >='));
  await page.click('#map .dot[data-key="horror/33"]');
  await page.waitForFunction(() => document.querySelectorAll('#map .zoom-ring').length === 5);
  rows = await hits();
  assert.deepEqual(rows.map((r) => r[1]), ['33', '124', '90', '153', '121']);
  assert.deepEqual(await page.$$eval('#map .zoom .hit-rank', (ts) => ts.map((t) => t.textContent)), ['1', '2', '3', '4', '5']);
  assert.equal(await page.locator('#map > .hit-rank').count(), 0, 'ranks are drawn in the magnified square only');
  await page.click('#map .zoom-dot[data-key="horror/124"]');
  assert.equal(await page.inputValue('#f-id'), '124');
  assert.equal(await page.textContent('.target-name'), 'horror');

  // the text box: keyword (BM25), vector and hybrid (RRF) results side by side on the same films
  await page.fill('#text-query', 'dark house');
  await page.click('#text-form button');
  await page.waitForFunction(() => document.querySelector('#text-code').textContent.includes('→'));
  const list = (id) => page.$$eval(`#${id} li`, (lis) => lis.map((li) => ({ id: li.dataset.id, title: li.firstChild.textContent, score: Number(li.querySelector('.score').textContent) })));
  const [kw, vec, hyb] = [await list('text-bm25'), await list('text-vector'), await list('text-hybrid')];
  assert.equal(kw.length, 5);
  for (const h of kw) assert.match(h.title, /\b(Dark|House)\b/, h.title);
  for (let i = 1; i < kw.length; i++) assert.ok(kw[i].score <= kw[i - 1].score);
  assert.equal(vec.length, 5);
  assert.equal(hyb.length, 5);
  for (const h of hyb) assert.ok(kw.some((x) => x.id === h.id) || vec.some((x) => x.id === h.id), `fused hit ${h.id} comes from a sub-search`);
  assert.match(await page.textContent('#text-code'), /hybrid_search\(\[bm25Request, vectorRequest\], new RRFRanker\(\), 5/);
  assert.match(await page.textContent('#text-code'), /→ 5 \+ 5 \+ 5 hits in [\d.]+ ms/);
  assert.equal(await page.isHidden('#text-error'), true);

  assert.deepEqual(problems.errors, [], 'errors in the page');
  assert.deepEqual(problems.external, [], 'requests that left 127.0.0.1');
  // the listener saw the page's own traffic, all of it on the server's origin
  for (const p of ['/', '/demo.js', '/demo.css', '/films.js', '/partita/web/src/browser.js', '/partita/dist/partita.wasm'])
    assert.ok(requests.includes(server.url + p), `requested ${p}`);
  assert.ok(requests.every((u) => u.startsWith(server.url + '/')), requests.join('\n'));
  await page.close();
});

test('the network is cut for the demo: a request off the origin fails and is reported', { skip, timeout: 30_000 }, async () => {
  const { page, problems } = await openPage(browser.context, server.url);
  try {
    await page.goto(server.url + '/');
    await page.waitForSelector('#status.ready', { timeout: 20_000 });
    const outcome = await page.evaluate(() => fetch('https://fonts.example.com/font.css').then(() => 'loaded', (e) => e.name));
    assert.equal(outcome, 'TypeError');
    assert.deepEqual(problems.external, ['https://fonts.example.com/font.css']);
  } finally {
    await page.close();
  }
});
