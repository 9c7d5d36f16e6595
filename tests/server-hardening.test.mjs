// Server hardening (issue 6, item 5) on partita/server/node over loopback: constant-time token
// checks, the per-request timeout (408) next to the body limit, no stack traces in answers,
// CORS off unless configured, and many concurrent requests mixing writes and reads over one
// store ending in exactly the state a sequential model gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { serve } from 'partita/server/node';
import { constantTimeEqual } from 'partita/server';
import { uniqueName, range } from './support/helpers.mjs';

let server;
before(async () => {
  server = await serve({ port: 0 });
});
after(() => server.close());

const post = (base, path, body, headers = {}) =>
  fetch(`${base}/v2/vectordb/${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function ok(base, path, body, headers) {
  const res = await post(base, path, body, headers);
  const json = await res.json();
  assert.equal(json.code, 0, `${path}: ${JSON.stringify(json)}`);
  return json.data;
}

test('constantTimeEqual: equal only when equal, whatever the lengths', () => {
  assert.equal(constantTimeEqual('root:Milvus', 'root:Milvus'), true);
  for (const other of ['', 'r', 'root:Milvu', 'root:Milvus ', 'root:milvus', 'xoot:Milvus', 'root:Milvusroot:Milvus'])
    assert.equal(constantTimeEqual(other, 'root:Milvus'), false, other);
  assert.equal(constantTimeEqual('', ''), true);
  assert.equal(constantTimeEqual('日本', '日本'), true);
  assert.equal(constantTimeEqual('日本', '日木'), false);
});

test('tokens: prefixes and near misses are refused, Bearer and Basic accepted', async () => {
  const s = await serve({ port: 0, token: 'root:Milvus' });
  try {
    for (const auth of [undefined, 'Bearer root', 'Bearer root:Milvu', 'Bearer root:Milvus2', `Basic ${btoa('root:Milvux')}`, 'Basic !!!']) {
      const res = await post(s.url, 'collections/list', '{}', auth ? { authorization: auth } : {});
      assert.equal(res.status, 401, String(auth));
      assert.deepEqual(await res.json(), { code: 1800, message: "user hasn't authenticated" });
    }
    for (const auth of ['Bearer root:Milvus', `Basic ${btoa('root:Milvus')}`])
      assert.ok(Array.isArray(await ok(s.url, 'collections/list', '{}', { authorization: auth })));
  } finally {
    await s.close();
  }
});

test('a body that does not arrive in time gets 408, and the server keeps serving', async () => {
  const s = await serve({ port: 0, requestTimeoutMs: 300 });
  try {
    const answer = await new Promise((resolve, reject) => {
      const sock = net.connect(s.port, '127.0.0.1', () => {
        sock.write('POST /v2/vectordb/collections/list HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":');
      });
      let text = '';
      sock.on('data', (d) => (text += d));
      sock.on('close', () => resolve(text));
      sock.on('error', reject);
      setTimeout(() => sock.destroy(), 5000);
    });
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.match(answer, /"code":65535,"message":"request timeout: the request did not arrive within 300 ms"/);
    assert.ok(Array.isArray(await ok(s.url, 'collections/list', '{}')));
  } finally {
    await s.close();
  }
});

test('no stack traces: hostile bodies on every route get messages only', async () => {
  const bodies = ['{', '[]', 'null', '{"collectionName":{"__proto__":1}}', '{"collectionName":"x","data":[{"id":1e999}]}',
    '{"collectionName":"x","filter":"((((((","data":"\\ud800"}', '\u0000\u00ff', JSON.stringify({ collectionName: 'x'.repeat(70000) }),
    `{"collectionName":"x","data":${'['.repeat(10000)}${']'.repeat(10000)}}`, `{"collectionName":"x","filter":"${'('.repeat(10000)}"}`];
  const paths = ['collections/create', 'collections/describe', 'entities/insert', 'entities/upsert', 'entities/delete',
    'entities/query', 'entities/search', 'entities/get', 'partitions/create'];
  for (const path of paths) {
    for (const body of bodies) {
      const res = await post(server.url, path, body);
      const text = await res.text();
      assert.ok(res.status === 200 || res.status === 404, `${path} ${res.status}`);
      assert.doesNotMatch(text, /\n\s+at |file:\/\/|node:internal|\.js:\d+/, `${path} ${body.slice(0, 40)}: ${text}`);
      if (res.status === 200) assert.notEqual(JSON.parse(text).code, 0, `${path} ${body.slice(0, 40)}`);
    }
  }
});

test('CORS is off by default: no allow-origin header, preflights are not found', async () => {
  const res = await post(server.url, 'collections/list', '{}', { origin: 'https://evil.example' });
  assert.equal(res.headers.get('access-control-allow-origin'), null);
  await res.arrayBuffer();
  const pre = await fetch(`${server.url}/v2/vectordb/collections/list`, {
    method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  });
  assert.equal(pre.status, 404);
  assert.equal(pre.headers.get('access-control-allow-origin'), null);
  await pre.arrayBuffer();
});

test('CORS when configured: listed origins only, preflights answered', async () => {
  const s = await serve({ port: 0, cors: ['https://app.example'] });
  try {
    const res = await post(s.url, 'collections/list', '{}', { origin: 'https://app.example' });
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(res.headers.get('vary'), 'origin');
    await res.arrayBuffer();
    const other = await post(s.url, 'collections/list', '{}', { origin: 'https://evil.example' });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    await other.arrayBuffer();
    const pre = await fetch(`${s.url}/v2/vectordb/entities/insert`, {
      method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(pre.headers.get('access-control-allow-headers'), /authorization/);
    await pre.arrayBuffer();
  } finally {
    await s.close();
  }
  const any = await serve({ port: 0, cors: true });
  try {
    const res = await post(any.url, 'collections/list', '{}', { origin: 'https://whoever.example' });
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    await res.arrayBuffer();
  } finally {
    await any.close();
  }
});

test('concurrent requests over one store: writes and reads interleave safely, the end state equals the model', async () => {
  const name = uniqueName('conc');
  await ok(server.url, 'collections/create', {
    collectionName: name,
    schema: { fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
      { fieldName: 'w', dataType: 'Int64' }] },
    indexParams: [{ fieldName: 'v', metricType: 'L2' }],
  });
  // 40 workers, each owning keys [10w, 10w+10): insert, upsert, delete some, upsert again, in
  // its own order; all of them at once, with queries, searches and counts in between
  const WORKERS = 40;
  const model = new Map();
  const worker = async (w) => {
    const keys = range(10, (i) => w * 10 + i);
    await ok(server.url, 'entities/insert', { collectionName: name, data: keys.map((id) => ({ id, v: [id, 1], w: 0 })) });
    await ok(server.url, 'entities/upsert', { collectionName: name, data: keys.map((id) => ({ id, v: [id, 2], w: 1 })) });
    await ok(server.url, 'entities/delete', { collectionName: name, filter: `id in [${keys.filter((k) => k % 3 === 0)}]` });
    await ok(server.url, 'entities/upsert', { collectionName: name, data: keys.filter((k) => k % 2 === 0).map((id) => ({ id, v: [id, 3], w: 2 })) });
    for (const id of keys) {
      if (id % 2 === 0) model.set(id, 2);
      else if (id % 3 === 0) model.delete(id);
      else model.set(id, 1);
    }
  };
  const reader = async () => {
    for (let i = 0; i < 5; i++) {
      const rows = await ok(server.url, 'entities/query', { collectionName: name, filter: 'id >= 0', outputFields: ['id', 'w'], limit: 1000 });
      const ids = rows.map((r) => Number(r.id));
      assert.equal(new Set(ids).size, ids.length, 'a key seen twice in one query');
      for (const r of rows) assert.ok([0, 1, 2].includes(Number(r.w)), JSON.stringify(r)); // int64s come as strings
      const hits = await ok(server.url, 'entities/search', { collectionName: name, data: [[5, 1]], annsField: 'v', limit: 5 });
      assert.ok(hits.length <= 5);
    }
  };
  await Promise.all([...range(WORKERS, (w) => worker(w)), ...range(10, () => reader())]);
  const rows = await ok(server.url, 'entities/query', { collectionName: name, filter: 'id >= 0', outputFields: ['id', 'w'], limit: 1000 });
  const got = new Map(rows.map((r) => [Number(r.id), Number(r.w)]));
  assert.deepEqual([...got.entries()].sort((a, b) => a[0] - b[0]), [...model.entries()].sort((a, b) => a[0] - b[0]));
  const count = await ok(server.url, 'entities/query', { collectionName: name, filter: '', outputFields: ['count(*)'] });
  assert.equal(Number(count[0]['count(*)']), model.size);
  await ok(server.url, 'collections/drop', { collectionName: name });
});
