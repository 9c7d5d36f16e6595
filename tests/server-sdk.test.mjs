// The official Milvus Node SDK's REST client (@zilliz/milvus2-sdk-node HttpClient) drives
// partita's server (partita/server/node on loopback) and gets the answers Milvus gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient, HttpError } from '@zilliz/milvus2-sdk-node';
import { serve } from 'partita/server/node';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { uniqueName, range } from './support/helpers.mjs';

const TOKEN = 'root:Milvus';
let server, client, int64Client;

before(async () => {
  server = await serve({ port: 0, token: TOKEN });
  client = new HttpClient({ endpoint: server.url, token: TOKEN });
  int64Client = new HttpClient({ endpoint: server.url, username: 'root', password: 'Milvus', acceptInt64: true });
});
after(() => server.close());

test('serve() listens on an ephemeral loopback port', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(server.port > 0);
});

test('collections: quick create, describe, has, list, stats, load state, drop', async () => {
  const name = uniqueName('sdk');
  assert.deepEqual(await client.createCollection({ collectionName: name, dimension: 8 }), { code: 0, data: {} });
  const d = await client.describeCollection({ collectionName: name });
  assert.equal(d.code, 0);
  assert.equal(d.data.collectionName, name);
  assert.deepEqual(d.data.fields.map((f) => [f.name, f.type, f.primaryKey]), [['id', 'Int64', true], ['vector', 'FloatVector', false]]);
  assert.deepEqual(d.data.indexes, [{ indexName: 'vector', fieldName: 'vector', metricType: 'COSINE' }]);
  assert.equal(d.data.load, 'LoadStateLoaded');
  assert.deepEqual(await client.hasCollection({ collectionName: name }), { code: 0, data: { has: true } });
  assert.ok((await client.listCollections()).data.includes(name));
  assert.deepEqual(await client.getCollectionStatistics({ collectionName: name }), { code: 0, data: { rowCount: 0 } });
  assert.deepEqual((await client.getCollectionLoadState({ collectionName: name })).data, { loadState: 'LoadStateLoaded', loadProgress: 100 });
  assert.deepEqual(await client.loadCollection({ collectionName: name }), { code: 0, data: {} });
  assert.deepEqual(await client.releaseCollection({ collectionName: name }), { code: 0, data: {} });
  assert.deepEqual(await client.flushCollection({ collectionName: name }), { code: 0, data: {} });
  assert.deepEqual(await client.dropCollection({ collectionName: name }), { code: 0, data: {} });
  assert.deepEqual(await client.hasCollection({ collectionName: name }), { code: 0, data: { has: false } });
  const missing = await client.describeCollection({ collectionName: name });
  assert.deepEqual(missing, { code: 100, message: `can't find collection[database=default][collection=${name}]` });
});

test('collections: custom schema with index params, validation errors with Milvus messages', async () => {
  const name = uniqueName('sdk_custom');
  const res = await client.createCollection({
    collectionName: name,
    schema: {
      autoID: false,
      enableDynamicField: false,
      fields: [
        { fieldName: 'pk', dataType: 'VarChar', isPrimary: true, elementTypeParams: { max_length: 32 } },
        { fieldName: 'emb', dataType: 'FloatVector', elementTypeParams: { dim: 3 } },
        { fieldName: 'year', dataType: 'Int32' },
      ],
    },
    indexParams: [{ fieldName: 'emb', metricType: 'IP', indexName: 'emb_idx' }],
  });
  assert.deepEqual(res, { code: 0, data: {} });
  const d = (await client.describeCollection({ collectionName: name })).data;
  assert.deepEqual(d.fields.map((f) => f.type), ['VarChar', 'FloatVector', 'Int32']);
  assert.deepEqual(d.indexes, [{ indexName: 'emb_idx', fieldName: 'emb', metricType: 'IP' }]);
  assert.equal(d.enableDynamicField, false);
  const bad = await client.createCollection({ collectionName: uniqueName(), schema: { fields: [{ fieldName: 'a', dataType: 'varchar' }] } });
  assert.deepEqual(bad, { code: 1100, message: 'invalid parameter, data type varchar is invalid(case sensitive).' });
  const noName = await client.describeCollection({});
  assert.equal(noName.code, 1802);
  assert.match(noName.message, /^missing required parameters, error: Key: 'CollectionNameReq.CollectionName'/);
  const dim = await client.insert({ collectionName: name, data: [{ pk: 'a', emb: [1, 2], year: 1 }] });
  assert.equal(dim.code, 1804); // Milvus's REST layer: "fail to deal the insert data"
  assert.match(dim.message, /^fail to deal the insert data, error: the dim \(2\) of field data\(emb\) is not equal to schema dim \(3\)/);
});

test('partitions: create, list, has, stats, load, release, drop', async () => {
  const name = uniqueName('sdk_part');
  await client.createCollection({ collectionName: name, dimension: 2 });
  assert.deepEqual(await client.createPartition({ collectionName: name, partitionName: 'comedy' }), { code: 0, data: {} });
  assert.deepEqual(await client.listPartitions({ collectionName: name }), { code: 0, data: ['_default', 'comedy'] });
  assert.deepEqual(await client.hasPartition({ collectionName: name, partitionName: 'comedy' }), { code: 0, data: { has: true } });
  await client.insert({ collectionName: name, partitionName: 'comedy', data: range(4, (i) => ({ id: i, vector: [i, 1] })) });
  assert.deepEqual(await client.getPartitionStatistics({ collectionName: name, partitionName: 'comedy' }), { code: 0, data: { rowCount: 4 } });
  assert.deepEqual(await client.loadPartitions({ collectionName: name, partitionNames: ['comedy'] }), { code: 0, data: {} });
  assert.deepEqual(await client.releasePartitions({ collectionName: name, partitionNames: ['comedy'] }), { code: 0, data: {} });
  const missing = await client.getPartitionStatistics({ collectionName: name, partitionName: 'drama' });
  assert.deepEqual(missing, { code: 200, message: 'partition not found[partition=drama]' });
  assert.deepEqual(await client.dropPartition({ collectionName: name, partitionName: 'comedy' }), { code: 0, data: {} });
  assert.deepEqual(await client.hasPartition({ collectionName: name, partitionName: 'comedy' }), { code: 0, data: { has: false } });
});

test('entities: insert, upsert, query, get, delete — int64 as strings, dynamic fields', async () => {
  const name = uniqueName('sdk_ent');
  await client.createCollection({ collectionName: name, dimension: 4 });
  const ins = await client.insert({
    collectionName: name,
    data: range(5, (i) => ({ id: i, vector: [i, 1, 1, 1], color: i % 2 ? 'red' : 'blue' })),
  });
  assert.deepEqual(ins, { code: 0, cost: 0, data: { insertCount: 5, insertIds: ['0', '1', '2', '3', '4'] } });
  const up = await client.upsert({ collectionName: name, data: [{ id: 4, vector: [9, 9, 9, 9], color: 'green' }] });
  assert.deepEqual(up, { code: 0, cost: 0, data: { upsertCount: 1, upsertIds: ['4'] } });
  const q = await client.query({ collectionName: name, filter: 'color == "red"', outputFields: ['color'] });
  assert.deepEqual(q, { code: 0, cost: 0, data: [{ id: '1', color: 'red' }, { id: '3', color: 'red' }] });
  const g = await client.get({ collectionName: name, id: [4], outputFields: ['*'] });
  assert.deepEqual(g.data, [{ id: '4', vector: [9, 9, 9, 9], color: 'green' }]);
  const gi = await int64Client.get({ collectionName: name, id: 4, outputFields: ['color'] });
  assert.deepEqual(gi.data, [{ id: 4, color: 'green' }]);
  assert.deepEqual(await client.delete({ collectionName: name, filter: 'id in [0, 1]' }), { code: 0, data: { deleteCount: 2 } });
  const rest = await int64Client.query({ collectionName: name, filter: 'id >= 0', outputFields: ['id'] });
  assert.deepEqual(rest.data, [{ id: 2 }, { id: 3 }, { id: 4 }]);
  const count = await client.query({ collectionName: name, filter: '', outputFields: ['count(*)'] });
  assert.deepEqual(count.data, [{ 'count(*)': '3' }]);
  const bad = await client.query({ collectionName: name, filter: 'id >' });
  assert.equal(bad.code, 1100);
  assert.match(bad.message, /^failed to create query plan: cannot parse expression: id >/);
  const none = await client.insert({ collectionName: uniqueName('nope'), data: [{ id: 1, vector: [1, 1, 1, 1] }] });
  assert.equal(none.code, 100);
});

test('entities: search with filter and output fields; nq > 1 comes back split by topks', async () => {
  const name = uniqueName('sdk_search');
  await client.createCollection({ collectionName: name, dimension: 2, metricType: 'L2' });
  await client.insert({ collectionName: name, data: range(8, (i) => ({ id: i, vector: [i, 0], even: i % 2 === 0 })) });
  const one = await client.search({ collectionName: name, data: [[3.2, 0]], limit: 2, filter: 'even == true', outputFields: ['even'] });
  assert.equal(one.code, 0);
  assert.deepEqual(one.topks, [2]);
  assert.deepEqual(one.data.map((h) => [h.id, h.even]), [['4', true], ['2', true]]);
  assert.ok(Math.abs(one.data[0].distance - 0.64) < 1e-5);
  const two = await int64Client.search({ collectionName: name, data: [[0, 0], [7, 0]], limit: 3 });
  assert.deepEqual(two.topks, [3, 3]);
  assert.deepEqual(two.data.map((hits) => hits.map((h) => h.id)), [[0, 1, 2], [7, 6, 5]]);
  const mismatch = await client.search({ collectionName: name, data: [[0, 0]], searchParams: { metricType: 'IP' } });
  assert.deepEqual(mismatch, { code: 1100, message: 'metric type not match: invalid parameter[expected=L2][actual=IP]' });
});

test('without the token: HTTP 401 with code 1800', async () => {
  const anonymous = new HttpClient({ endpoint: server.url });
  await assert.rejects(anonymous.listCollections(), (e) => {
    assert.ok(e instanceof HttpError);
    assert.equal(e.status, 401);
    assert.match(e.message, /"code":1800,"message":"user hasn't authenticated"/);
    return true;
  });
});

test('routes partita does not serve are 404, as unknown routes are on Milvus', async () => {
  await assert.rejects(client.listUsers(), (e) => e instanceof HttpError && e.status === 404);
  // indexes/* are served (issue 18): a missing collection is Milvus's error, not a 404
  assert.equal((await client.listIndexes({ collectionName: 'x' })).code, 100);
  const res = await fetch(`${server.url}/v2/vectordb/collections/list`);
  assert.equal(res.status, 404);
  assert.equal(await res.text(), '404 page not found');
});

test('bodies over the limit: 413 and code 1102, the server keeps serving', async () => {
  const small = await serve({ port: 0, maxBodyBytes: 1024 });
  try {
    const res = await fetch(`${small.url}/v2/vectordb/entities/insert`, {
      method: 'POST',
      body: JSON.stringify({ collectionName: 'x', data: range(100, (i) => ({ id: i, vector: [i, i] })) }),
    });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).code, 1102);
    const ok = await fetch(`${small.url}/v2/vectordb/collections/list`, { method: 'POST', body: '{}' });
    assert.deepEqual((await ok.json()).code, 0);
  } finally {
    await small.close();
  }
});

/** Starts the CLI; resolves with the child and the URL it prints. */
function startCli(args, env = {}) {
  const bin = fileURLToPath(new URL('../web/bin/partita-serve.mjs', import.meta.url));
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^partita: serving Milvus REST v2 on (http:\/\/127\.0\.0\.1:(\d+))\n/.exec(out);
      if (m) resolve({ child, url: m[1], port: Number(m[2]), line: out });
    });
    child.on('exit', (code) => reject(new Error(`partita-serve exited (${code}) before listening: ${out}`)));
  });
}

test('the partita-serve CLI prints its URL, serves, and exits cleanly on SIGTERM', { timeout: 20_000 }, async () => {
  const { child, url, line } = await startCli(['--port', '0', '--token', 't0k']);
  // gRPC on the same port (its optional peers are devDependencies here)
  assert.equal(line, `partita: serving Milvus REST v2 on ${url}\npartita: serving Milvus gRPC on ${url.slice(7)}\npartita: demo page on ${url}/\n`);
  const c = new HttpClient({ endpoint: url, token: 't0k' });
  assert.equal((await c.listCollections()).code, 0);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.kill('SIGTERM');
  assert.deepEqual(await exited, { code: 0, signal: null });
});

test('the CLI takes its port from PARTITA_PORT, and --port wins over it', { timeout: 20_000 }, async () => {
  const probe = await serve({ port: 0 });
  const free = probe.port;
  await probe.close();
  const a = await startCli([], { PARTITA_PORT: String(free) });
  assert.equal(a.port, free);
  a.child.kill('SIGINT');
  await new Promise((resolve) => a.child.on('exit', resolve));
  // with an unusable PARTITA_PORT, --port 0 still starts it
  const b = await startCli(['--port', '0'], { PARTITA_PORT: 'not-a-port' });
  assert.ok(b.port > 0);
  b.child.kill('SIGTERM');
  await new Promise((resolve) => b.child.on('exit', resolve));
});
