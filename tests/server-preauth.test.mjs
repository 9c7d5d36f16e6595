// What a client that has not shown the token, or that sends slowly, can make the server do
// (issue 13, items 5 and 12): the token is checked on the headers, before any byte of the body
// is read (an unauthenticated upload costs the server nothing but its headers); an answer
// given before the body is all in closes the connection without reading the rest into memory;
// requestTimeoutMs bounds the whole request, headers included (slow-header clients).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { serve } from 'partita/server/node';
import { createHandler } from 'partita/server';

const TOKEN = 'root:Milvus';
const MiB = 1024 * 1024;

/**
 * A raw HTTP/1.1 client on one socket: write() what you like, `text` is all that came back,
 * `ended` resolves when the server has closed its side, `closed` when the connection is gone
 * (the server cut it: writes fail).
 */
const clients = [];
function rawClient(port) {
  // half-open allowed: the client goes on sending after the server's FIN, as a hostile one would
  const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  const c = { sock, text: '', sent: 0, waiters: [] };
  clients.push(c);
  c.connected = new Promise((resolve) => sock.once('connect', resolve));
  c.closed = new Promise((resolve) => sock.once('close', resolve));
  // the server has closed its side (FIN) or the connection is gone
  c.ended = new Promise((resolve) => (sock.once('end', resolve), sock.once('close', resolve)));
  sock.on('error', () => {}); // a reset is a close here
  sock.on('data', (d) => {
    c.text += d;
    for (const w of c.waiters.splice(0)) if (!w.check()) c.waiters.push(w);
  });
  /** Resolves once the answer so far matches `re`; rejects after `ms`. */
  c.until = (re, ms) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms; got ${JSON.stringify(c.text.slice(0, 300))}`)), ms);
      const w = { check: () => (re.test(c.text) ? (clearTimeout(timer), resolve(c.text), true) : false) };
      if (!w.check()) c.waiters.push(w);
    });
  c.write = (data) =>
    new Promise((resolve) => {
      if (sock.destroyed || !sock.writable) return resolve(false);
      c.sent += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      sock.write(data, (err) => resolve(!err));
    });
  return c;
}

/** Ends a test's server and whatever connections it left (a failing test must not hang). */
function stop(s) {
  for (const c of clients.splice(0)) c.sock.destroy();
  s.server.closeAllConnections();
  return s.close();
}

/**
 * After an early answer: the client keeps sending, the server keeps discarding for its linger
 * time (500 ms), then cuts the connection: closed within a bound, whatever the client does.
 */
async function lingers(c) {
  const t0 = performance.now();
  let closed = false;
  c.closed.then(() => (closed = true));
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  while (!closed && performance.now() - t0 < 5000) if (!(await c.write(chunk))) break;
  await withTimeoutMs(c.closed, 5000, 'the close');
  const elapsed = performance.now() - t0;
  assert.ok(elapsed < 2000, `closed after ${elapsed.toFixed(0)} ms`);
}

const withTimeoutMs = (p, ms, what) =>
  Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);

const head = (path, length, extra = '') =>
  `POST /v2/vectordb/${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n${extra}\r\n`;

test('an unauthenticated 60 MiB upload gets 401 on its headers, before its body is sent, and is cut soon after', async () => {
  // a long request timeout: the old server waited for the whole body before checking the token
  const s = await serve({ port: 0, token: TOKEN, requestTimeoutMs: 20_000 });
  try {
    for (const auth of ['', 'authorization: Bearer wrong\r\n', `authorization: Basic ${btoa('root:milvus')}\r\n`]) {
      const c = rawClient(s.port);
      await c.connected;
      await c.write(head('entities/insert', 60 * MiB, auth) + '{"collectionName":"x","data":[');
      // the answer comes while the client has sent 64 KiB of its 60 MiB, and waits
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      await c.write(chunk);
      const text = await c.until(/^HTTP\/1\.1 401 [^]*\r\n\r\n\{[^]*\}$/, 3000);
      const [headers, body] = text.split('\r\n\r\n');
      assert.match(headers, /\r\nconnection: close\r\n/i);
      assert.deepEqual(JSON.parse(body), { code: 1800, message: "user hasn't authenticated" });
      // the client goes on sending: the server discards what comes for a moment, then cuts
      await lingers(c);
    }
  } finally {
    await stop(s);
  }
});

test('fetch() sees the 401 of an unauthenticated large upload, not a reset', async () => {
  const s = await serve({ port: 0, token: TOKEN, requestTimeoutMs: 20_000 });
  try {
    const body = new Uint8Array(16 * MiB).fill(0x20);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${s.url}/v2/vectordb/entities/insert`, { method: 'POST', body, headers: { authorization: 'Bearer nope' } });
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { code: 1800, message: "user hasn't authenticated" });
    }
    // and the server keeps serving
    const res = await fetch(`${s.url}/v2/vectordb/collections/list`, { method: 'POST', body: '{}', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal((await res.json()).code, 0);
  } finally {
    await stop(s);
  }
});

test('Expect: 100-continue: no 100 Continue without the token (401 at once), 100 Continue with it', async () => {
  const s = await serve({ port: 0, token: TOKEN, requestTimeoutMs: 20_000 });
  try {
    const anon = rawClient(s.port);
    await anon.connected;
    await anon.write(head('entities/insert', 60 * MiB, 'expect: 100-continue\r\n'));
    const text = await anon.until(/\r\n\r\n\{[^]*\}$/, 3000);
    assert.match(text, /^HTTP\/1\.1 401 /);
    await withTimeoutMs(anon.ended, 3000, 'the close');
    // a small body too: the client may never send it, so the connection is not kept for it
    // (node closes when a final answer goes before 100 Continue)
    const small = rawClient(s.port);
    await small.connected;
    await small.write(head('collections/list', 2, 'expect: 100-continue\r\n'));
    await small.until(/^HTTP\/1\.1 401 [^]*\r\nconnection: close\r\n[^]*\}$/i, 3000);
    await withTimeoutMs(small.ended, 3000, 'the close');

    const auth = rawClient(s.port);
    await auth.connected;
    await auth.write(head('collections/list', 2, `expect: 100-continue\r\nauthorization: Bearer ${TOKEN}\r\n`));
    await auth.until(/^HTTP\/1\.1 100 Continue\r\n\r\n$/, 3000);
    await auth.write('{}');
    await auth.until(/\r\n\r\n\{"code":0,"data":\[[^]*\]\}$/, 3000);
    auth.sock.destroy();
  } finally {
    await stop(s);
  }
});

test('bodies answered before they are all in (unknown routes, over the limit): connection closed, rest discarded', async () => {
  const s = await serve({ port: 0, token: TOKEN, requestTimeoutMs: 20_000, maxBodyBytes: 1024 });
  try {
    const cases = [
      [head('entities/nosuch', 60 * MiB, `authorization: Bearer ${TOKEN}\r\n`), /^HTTP\/1\.1 404 /],
      // a chunked body, its size not declared: refused once it passes the limit
      [`POST /v2/vectordb/entities/insert HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nauthorization: Bearer ${TOKEN}\r\n\r\n`, /^HTTP\/1\.1 413 /],
    ];
    for (const [first, status] of cases) {
      const c = rawClient(s.port);
      await c.connected;
      await c.write(first);
      const chunked = /chunked/.test(first);
      const piece = chunked ? `10000\r\n${' '.repeat(0x10000)}\r\n` : Buffer.alloc(0x10000, 0x20);
      let answered = false;
      c.until(/\r\n\r\n[^]+$/, 3000).then(() => (answered = true), () => {});
      while (!answered && c.sent < 2 * MiB) await c.write(piece);
      await c.until(/\r\n\r\n[^]+$/, 3000);
      assert.match(c.text, status);
      assert.match(c.text, /\r\nconnection: close\r\n/i);
      await lingers(c);
    }
  } finally {
    await stop(s);
  }
});

test('a small refused body is read through and discarded: the connection is kept', async () => {
  const s = await serve({ port: 0, token: TOKEN });
  try {
    const c = rawClient(s.port);
    await c.connected;
    // the body comes after the answer to its headers
    await c.write(head('collections/list', 2));
    await c.until(/\r\n\r\n\{"code":1800[^]*\}$/, 3000);
    assert.match(c.text, /^HTTP\/1\.1 401 [^]*\r\nconnection: keep-alive\r\n/i);
    await c.write('{}' + head('collections/list', 2, `authorization: Bearer ${TOKEN}\r\n`) + '{}');
    await c.until(/\{"code":0,"data":\[[^]*\]\}$/, 3000);
    assert.equal(c.text.match(/HTTP\/1\.1 /g).length, 2);
  } finally {
    await stop(s);
  }
});

test('the fetch handler (Workers) does not read the body of a request without the token', async () => {
  const handler = createHandler({ token: TOKEN });
  let pulled = 0;
  const body = new ReadableStream({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(MiB));
    },
  });
  const res = await handler(new Request('http://x/v2/vectordb/entities/insert', { method: 'POST', body, duplex: 'half', headers: { authorization: 'Bearer no' } }));
  assert.equal(res.status, 401);
  assert.deepEqual(await res.json(), { code: 1800, message: "user hasn't authenticated" });
  // a ReadableStream pulls once to fill its queue when created (highWaterMark 1): nothing more
  assert.ok(pulled <= 1, `pulled ${pulled} times`);
  // the transport-neutral core asks for the body only after the token check
  let asked = 0;
  const out = await handler.handle({
    method: 'POST', path: '/v2/vectordb/entities/insert', header: () => null,
    body: () => (asked++, Promise.resolve(new Uint8Array(0))),
  });
  assert.equal(out.status, 401);
  assert.equal(asked, 0);
});

test('slow headers: a request still incomplete after requestTimeoutMs is closed within a small bound', async () => {
  const T = 300;
  const s = await serve({ port: 0, requestTimeoutMs: T });
  try {
    const runs = [
      // headers dribbled, a byte every 20 ms, never finished
      async (c) => {
        const line = 'POST /v2/vectordb/collections/list HTTP/1.1\r\nhost: x\r\nx-slow: ' + 'a'.repeat(1000);
        for (const ch of line) if (!(await c.write(ch)) || (await Promise.race([c.closed.then(() => true), sleep(20)]))) break;
      },
      // nothing at all after connecting
      async () => {},
      // headers in 200 ms, then a body that stops half way: the whole request is bounded
      async (c) => {
        await c.write('POST /v2/vectordb/collections/list HTTP/1.1\r\nhost: x\r\n');
        await sleep(200);
        await c.write('content-length: 100\r\n\r\n{"a":');
      },
    ];
    for (const [i, run] of runs.entries()) {
      const c = rawClient(s.port);
      await c.connected;
      const t0 = performance.now();
      run(c);
      await withTimeoutMs(c.ended, 3000, `run ${i}: the close`);
      const elapsed = performance.now() - t0;
      assert.ok(elapsed >= T - 20 && elapsed < T + 700, `run ${i}: closed after ${elapsed.toFixed(0)} ms`);
      // answered as Milvus answers a late body, whichever clock saw it first
      assert.match(c.text, /^HTTP\/1\.1 408 /, `run ${i}`);
      assert.match(c.text, /"code":65535,"message":"request timeout: the request did not arrive within 300 ms"/, `run ${i}`);
      assert.equal(c.text.match(/HTTP\/1\.1 /g).length, 1, `run ${i}: one answer`);
    }
    // a keep-alive connection: the second request is dribbled too
    const c = rawClient(s.port);
    await c.connected;
    await c.write(head('collections/list', 2) + '{}');
    await c.until(/"code":0/, 2000);
    await sleep(T + 100); // idle between requests is not a slow request
    const t0 = performance.now();
    await c.write('POST /v2/vectordb/');
    await withTimeoutMs(c.ended, 3000, 'the close');
    assert.ok(performance.now() - t0 < T + 700);
  } finally {
    await stop(s);
  }
});

test('headers are bounded in size: 431 for 64 KiB of them', async () => {
  const s = await serve({ port: 0 });
  try {
    const c = rawClient(s.port);
    await c.connected;
    await c.write(`POST /v2/vectordb/collections/list HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    await withTimeoutMs(c.ended, 3000, 'the close');
    assert.match(c.text, /^HTTP\/1\.1 431 /);
  } finally {
    await stop(s);
  }
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('a declared Content-Length reserves nothing: stalled bodies hold memory only for the bytes sent', async () => {
  // no token (the default): every client may send a body
  const s = await serve({ port: 0, requestTimeoutMs: 20_000 });
  try {
    globalThis.gc?.();
    const base = process.memoryUsage().arrayBuffers;
    const stalled = [];
    for (let i = 0; i < 8; i++) {
      const c = rawClient(s.port);
      await c.connected;
      await c.write(head('entities/insert', 60 * MiB) + '{"collectionName":"x","data":[' + ' '.repeat(1024));
      stalled.push(c);
    }
    await sleep(300); // the server has read what was sent and waits for the rest
    const grown = process.memoryUsage().arrayBuffers - base;
    assert.ok(grown < 32 * MiB, `8 stalled 60 MiB uploads hold ${(grown / MiB).toFixed(0)} MiB`);
  } finally {
    await stop(s);
  }
});
