// Iterators: Collection.query_iterator / search_iterator in pymilvus's shape (next() gives a
// batch, [] when done; close()), and MilvusClient.queryIterator / searchIterator as the SDK's
// async iterables. Every row present from start to end is visited exactly once even while
// other calls upsert and delete between batches; pymilvus's parameter checks and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, CollectionSchema, FieldSchema, DataType, ParamError, MilvusException } from 'partita';
import { MilvusClient } from 'partita/milvus-client';
import { range, rejects, uniqueName } from './support/helpers.mjs';

await init();

const schema = (pk = DataType.INT64) => new CollectionSchema([
  new FieldSchema('id', pk, { is_primary: true, ...(pk === DataType.VARCHAR ? { max_length: 16 } : {}) }),
  new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  new FieldSchema('n', DataType.INT64),
]);

/** A deterministic shuffle of 0..n-1. */
const shuffled = (n) => range(n, (i) => (i * 7919) % n);

async function drain(it) {
  const batches = [];
  for (let b = await it.next(); b.length; b = await it.next()) batches.push(b);
  assert.deepEqual(await it.next(), [], 'a finished iterator keeps answering []');
  return batches;
}

test('query_iterator: batches in key order, each row once, limit, offset, expr and template values', async () => {
  const c = new Collection(uniqueName('qit'), schema());
  await c.insert(shuffled(50).map((i) => ({ id: i, v: [i, 0], n: i % 5 })));
  const all = await drain(await c.query_iterator({ batch_size: 7 }));
  assert.deepEqual(all.map((b) => b.length), [7, 7, 7, 7, 7, 7, 7, 1]);
  assert.deepEqual(all.flat().map((r) => Number(r.id)), range(50));
  const some = await drain(await c.query_iterator(4, 10, 'n == {k}', ['n'], null, { expr_params: { k: 2 } }));
  assert.deepEqual(some.flat().map((r) => [Number(r.id), Number(r.n)]), range(10, (i) => [2 + 5 * i, 2]));
  const skipped = await drain(await c.query_iterator({ batch_size: 100, offset: 45 }));
  assert.deepEqual(skipped.flat().map((r) => Number(r.id)), [45, 46, 47, 48, 49]);
  const it = await c.query_iterator({ batch_size: 3 });
  assert.equal((await it.next()).length, 3);
  it.close();
  assert.deepEqual(await it.next(), []);
  // async iterable
  const seen = [];
  for await (const batch of await c.query_iterator({ batch_size: 20, limit: 30 })) seen.push(...batch.map((r) => Number(r.id)));
  assert.deepEqual(seen, range(30));
});

test('query_iterator: every row exactly once while other calls upsert and delete between batches', async () => {
  for (const pk of [DataType.INT64, DataType.VARCHAR]) {
    const c = new Collection(uniqueName('qitmut'), schema(pk));
    const key = (i) => (pk === DataType.VARCHAR ? `k${String(i).padStart(4, '0')}` : i);
    await c.insert(shuffled(300).map((i) => ({ id: key(i), v: [i, 0], n: 0 })));
    // a duplicate of one key in another partition: a run of one key is never cut
    c.create_partition('other');
    await c.insert([{ id: key(15), v: [0, 0], n: 0 }], { partition_name: 'other' }); // at the end of the first batch
    const it = await c.query_iterator({ batch_size: 16, output_fields: ['n'] });
    const visits = new Map();
    const deleted = new Set(), late = new Set();
    let step = 0;
    for (let b = await it.next(); b.length; b = await it.next(), step++) {
      for (const r of b) visits.set(r.id, (visits.get(r.id) ?? 0) + 1);
      // upsert rows already seen and not yet seen, delete some not yet seen, insert new keys
      const ahead = 299 - step, behind = step;
      if (ahead > behind) await c.upsert([{ id: key(ahead), v: [0, 0], n: step + 1 }, { id: key(behind), v: [0, 0], n: -1 }]);
      if (step % 3 === 0 && ahead - 7 > 0) {
        await c.delete(pk === DataType.VARCHAR ? `id == "${key(ahead - 7)}"` : `id == ${ahead - 7}`);
        deleted.add(key(ahead - 7));
      }
      if (step < 10) { // (a key inserted ahead at every batch would keep the iterator going, as it should)
        await c.insert([{ id: key(1000 + step), v: [0, 0], n: 0 }]);
        late.add(key(1000 + step));
      }
    }
    for (let i = 0; i < 300; i++) {
      const k = key(i);
      if (deleted.has(k) && !visits.has(k)) continue; // deleted before its turn: not visited
      const want = i === 15 ? 2 : 1; // two rows of key 15 (two partitions), both once
      assert.equal(visits.get(k), want, `${pk === DataType.VARCHAR ? 'varchar' : 'int64'} key ${k} visited ${visits.get(k)} times`);
    }
    for (const k of late) assert.ok((visits.get(k) ?? 0) <= 1, `${k} visited twice`);
    for (const k of visits.keys()) assert.ok(visits.get(k) <= 2);
  }
});

test('query_iterator: pymilvus parameter checks', async () => {
  const c = new Collection(uniqueName('qitchk'), schema());
  await rejects(() => c.query_iterator({ batch_size: -1 }), { cls: ParamError, message: 'batch size cannot be less than zero' });
  await rejects(() => c.query_iterator({ batch_size: 16385 }), { cls: ParamError, message: 'batch size cannot be larger than 16384' });
  await rejects(() => c.query_iterator({ limit: -2 }), { cls: ParamError, message: 'limit must be -1 (unlimited)' });
  await rejects(() => c.query_iterator({ expr: 3 }), { cls: ParamError, message: 'The type of expr must be string' });
  const it = await c.query_iterator({ expr: 'id > {x}' });
  await rejects(() => it.next(), { code: 1100, message: 'the value of expression template variable name {x} is not found' });
  await rejects(() => c.query_iterator({ timeout: -1 }), { cls: ParamError, message: 'timeout must be a non-negative number' });
});

test('search_iterator: pages by distance, each row once, ties broken by key, limit; under writes', async () => {
  const c = new Collection(uniqueName('sit'), schema());
  // distances with many ties: |x| in 0..9, five rows each
  await c.insert(shuffled(50).map((i) => ({ id: i, v: [i % 10, 0], n: i })));
  for (const metric of ['L2', 'IP', 'COSINE']) {
    const q = metric === 'COSINE' ? [1, 0.5] : [0, 0];
    const batches = await drain(await c.search_iterator([q], 'v', { metric_type: metric }, 6, -1));
    const hits = batches.flat();
    assert.equal(hits.length, 50, metric);
    assert.equal(new Set(hits.map((h) => h.id)).size, 50, metric);
    const d = hits.map((h) => h.distance);
    for (let i = 1; i < d.length; i++) assert.ok(metric === 'L2' ? d[i] >= d[i - 1] : d[i] <= d[i - 1], `${metric} order at ${i}`);
    const whole = (await c.search([q], 'v', { metric_type: metric }, 50))[0];
    assert.deepEqual(hits.map((h) => h.distance), whole.map((h) => h.distance), metric);
  }
  const limited = await drain(await c.search_iterator([[0, 0]], 'v', { metric_type: 'L2' }, 4, 9, 'n >= {m}', null, ['n'], { expr_params: { m: 10 } }));
  assert.deepEqual(limited.map((b) => b.length), [4, 4, 1]);
  assert.ok(limited.flat().every((h) => h.entity.n >= 10));
  // writes between batches: rows present throughout with their vectors unchanged come once
  const it = await c.search_iterator([[0, 0]], 'v', { metric_type: 'L2', params: {} }, 5);
  const visits = new Map();
  let step = 0;
  for (let b = await it.next(); b.length; b = await it.next(), step++) {
    for (const h of b) visits.set(h.id, (visits.get(h.id) ?? 0) + 1);
    if (step < 5) {
      await c.upsert([{ id: step, v: [100, 0], n: -1 }]); // moved far away
      await c.insert([{ id: 1000 + step, v: [9, 0], n: 0 }]);
    }
  }
  for (const [id, n] of visits) assert.equal(n, 1, `hit ${id} came ${n} times`);
  for (let i = 5; i < 50; i++) assert.equal(visits.get(i), 1, `row ${i} was not visited`);
});

test('search_iterator: pymilvus parameter checks', async () => {
  const c = new Collection(uniqueName('sitchk'), schema());
  await c.insert([{ id: 1, v: [1, 0], n: 1 }]);
  await rejects(() => c.search_iterator([], 'v', { metric_type: 'L2' }), { cls: ParamError, message: 'vector_data for search cannot be empty' });
  await rejects(() => c.search_iterator([[0, 0]], 'v', {}), { cls: ParamError, message: 'must specify metrics type for search iterator' });
  await rejects(() => c.search_iterator([[0, 0]], 'v', { metric_type: 'SUPERSTRUCTURE' }), { cls: MilvusException, message: 'unsupported metrics type for search iteration: SUPERSTRUCTURE' });
  await rejects(() => c.search_iterator([[0, 0]], 'v', { metric_type: 'L2', offset: 2 }), { cls: ParamError, message: 'Not support offset when searching iteration' });
  await rejects(() => c.search_iterator([[0, 0]], 'v', { metric_type: 'L2', params: { radius: 1, range_filter: 2 } }), {
    message: 'for metrics:L2, radius must be larger than range_filter, please adjust your parameter',
  });
  await rejects(() => c.search_iterator([[0, 0]], 'v', { metric_type: 'IP', params: { radius: 2, range_filter: 1 } }), {
    message: 'for metrics:IP, radius must be smalled than range_filter, please adjust your parameter',
  });
  // an index's parameters on a field without that index: the core refuses them by name, as search does
  await rejects(async () => (await c.search_iterator([[0, 0]], 'v', { metric_type: 'L2', params: { ef: 5 } }, 10)).next(),
    { cls: MilvusException, message: "search param 'ef' is for HNSW indexes; field v has no index" });
  await rejects(() => c.search_iterator([[0, 0]], 'v', { metric_type: 'L2', params: { level: 1 } }, 10), { cls: ParamError, message: "'level'" });
  await rejects(() => c.search_iterator([[0, 0]], 'v', { metric_type: 'L2', round_decimal: 2 }), { cls: ParamError, message: "'round_decimal'" });
  await rejects(() => c.query_iterator({ batch_size: 2, consistency: 'Strong' }), { cls: ParamError, message: "'consistency'" });
  const two = await c.search_iterator([[0, 0], [1, 1]], 'v', { metric_type: 'L2' });
  await rejects(() => two.next(), { cls: ParamError, message: 'Not support search iteration over multiple vectors at present' });
  // a radius bounds every page
  const bounded = await drain(await c.search_iterator([[0, 0]], 'v', { metric_type: 'L2', params: { radius: 0.5 } }));
  assert.deepEqual(bounded, []);
});

test('MilvusClient: queryIterator and searchIterator are the SDK\'s async iterables', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const name = uniqueName('sdkit');
  await client.createCollection({ collection_name: name, dimension: 2, metric_type: 'L2' }); // its index's metric is the search's
  await client.insert({ collection_name: name, data: shuffled(30).map((i) => ({ id: i, vector: [i, 0], tag: i % 2 ? 'odd' : 'even' })) });
  const q = await client.queryIterator({ collection_name: name, batchSize: 8, filter: 'tag == {t}', exprValues: { t: 'odd' }, output_fields: ['tag'] });
  const rows = [];
  for await (const batch of q) {
    assert.ok(batch.length <= 8);
    rows.push(...batch);
  }
  assert.deepEqual(rows.map((r) => Number(r.id)), range(15, (i) => 2 * i + 1));
  // the rows as client.query gives them (a dynamic key named in output_fields under $meta)
  const tagOf = (r) => r.tag ?? r.$meta?.tag;
  assert.ok(rows.every((r) => tagOf(r) === 'odd'));
  const byQuery = (await client.query({ collection_name: name, filter: 'id in [1, 3]', output_fields: ['tag'] })).data;
  assert.deepEqual(rows.slice(0, 2), byQuery.sort((a, b) => Number(a.id) - Number(b.id)));
  const s = await client.searchIterator({ collection_name: name, data: [0, 0], batchSize: 7, limit: 20, metric_type: 'L2', output_fields: ['tag'] });
  const hits = [];
  for await (const batch of s) hits.push(...batch);
  assert.deepEqual(hits.map((h) => Number(h.id)), range(20));
  assert.ok(hits.every((h) => typeof h.score === 'number' && typeof tagOf(h) === 'string'));
  const filtered = await client.searchIterator({ collection_name: name, data: [0, 0], batchSize: 5, limit: 10, external_filter_fn: (r) => tagOf(r) === 'even', output_fields: ['tag'] });
  const f = [];
  for await (const batch of filtered) f.push(...batch);
  assert.ok(f.length > 0 && f.every((h) => tagOf(h) === 'even'));
  await assert.rejects(() => client.queryIterator({ collection_name: name, batchSize: 5, nope: 1 }), /`nope` of MilvusClient.queryIterator/);
});
