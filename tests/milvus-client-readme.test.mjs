// The SDK README's API reference, method by method, against partita's MilvusClient: every
// method it names is there (doing what it says, or answering with a status that says partita
// does not do it), never a "client.x is not a function".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { MilvusClient, ErrorCode } from 'partita/milvus-client';
import { uniqueName } from './support/helpers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'node_modules/@zilliz/milvus2-sdk-node/README.md'), 'utf8');

test('every method the SDK README calls is a method of partita\'s MilvusClient', () => {
  const named = [...new Set([...readme.matchAll(/\bclient\.([a-zA-Z]+)\(/g)].map((m) => m[1]))];
  assert.ok(named.length > 60, `the README names ${named.length} methods`);
  const client = new MilvusClient({ address: ':memory:' });
  assert.deepEqual(named.filter((m) => typeof client[m] !== 'function'), []);
});

test('flushAll / flushAllSync, batchDescribeCollections, getIndexStatistics, reconnectToPrimary; the others refused by status', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const a = uniqueName('readme_a'), b = uniqueName('readme_b');
  for (const collection_name of [a, b]) assert.equal((await client.createCollection({ collection_name, dimension: 2 })).error_code, ErrorCode.SUCCESS);
  await client.insert({ collection_name: a, data: [{ id: 1, vector: [1, 0] }] });
  const all = await client.flushAll();
  assert.equal(all.status.error_code, ErrorCode.SUCCESS, all.status.reason);
  assert.equal(typeof all.flush_all_ts, 'number');
  assert.equal((await client.flushAllSync()).flushed, true);
  const batch = await client.batchDescribeCollections({ collection_names: [a, b, 'nope_none'] });
  assert.equal(batch.status.error_code, ErrorCode.SUCCESS);
  assert.deepEqual(batch.responses.map((r) => r.collection_name ?? null).slice(0, 2), [a, b]);
  assert.equal(batch.responses[2].status.code, 100); // collection not found, in its own reply
  const stats = await client.getIndexStatistics({ collection_name: a });
  assert.equal(stats.status.error_code, ErrorCode.SUCCESS);
  assert.deepEqual(stats, await client.describeIndex({ collection_name: a }));
  assert.equal(await client.reconnectToPrimary(), false);
  for (const m of ['addCollectionFunction', 'dropCollectionFunction', 'refreshLoad']) {
    const s = await client[m]({ collection_name: a, functions: [] });
    assert.equal(s.code, 1100, m);
    assert.match(s.reason, new RegExp(`^MilvusClient\\.${m} is not supported by partita`));
  }
  await assert.rejects(client.flushAll({ nope: 1 }), /`nope` of MilvusClient.flushAll is not supported/);
});
