// Filter templates (Milvus's expr_params): `{name}` bound to a value by the core, in the ORM
// (expr_params of delete / query / search), the REST server (exprParams) and MilvusClient
// (exprValues) — one implementation (src/expr_parse.c). Values are never read as expression
// text: injection attempts select only the rows whose field equals the text. Errors carry
// Milvus's messages and leave the store as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, CollectionSchema, FieldSchema, DataType, ParamError, MilvusException } from 'partita';
import { MilvusClient } from 'partita/milvus-client';
import { createHandler } from 'partita/server';
import { range, rejects, rejectsUnchanged, uniqueName } from './support/helpers.mjs';

await init();

const INJECTIONS = ['" or 1==1 or name == "', "' or 1==1 or name == '", 'x" || id > 0 || "', 'a{n}', '\\', '"', ') or (1==1', 'x"] or id in ["'];

const schema = () => new CollectionSchema([
  new FieldSchema('id', DataType.INT64, { is_primary: true }),
  new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  new FieldSchema('name', DataType.VARCHAR, { max_length: 64 }),
  new FieldSchema('score', DataType.DOUBLE),
], { enable_dynamic_field: true });

async function people() {
  const c = new Collection(uniqueName('tpl'), schema());
  await c.insert([
    ...range(5, (i) => ({ id: i, v: [i, 0], name: `p${i}`, score: i / 2 })),
    ...INJECTIONS.map((name, i) => ({ id: 100 + i, v: [0, i], name, score: -1 })),
  ]);
  return c;
}

const ids = (rows) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);

test('ORM: expr_params in query, search and delete, every kind of value', async () => {
  const c = await people();
  assert.deepEqual(ids(await c.query('id > {lo} and id < {hi}', { expr_params: { lo: 1, hi: 4 } })), [2, 3]);
  assert.deepEqual(ids(await c.query('id in {ks}', { expr_params: { ks: [0, 4, 9] } })), [0, 4]);
  assert.deepEqual(ids(await c.query('id in {ks}', { expr_params: { ks: new Int32Array([1, 2]) } })), [1, 2]);
  assert.deepEqual(ids(await c.query('id == {k}', { expr_params: { k: 3n } })), [3]);
  assert.deepEqual(ids(await c.query('score >= {s}', { expr_params: { s: 1.5 } })), [3, 4]);
  assert.deepEqual(ids(await c.query('name like {p}', { expr_params: { p: 'p%' } })), [0, 1, 2, 3, 4]);
  assert.deepEqual(ids(await c.query('name in {n} or id == {z}', { expr_params: { n: ['p1', 'p2'], z: 4 } })), [1, 2, 4]);
  assert.deepEqual(ids(await c.query('name in {n}', { expr_params: { n: ['p1', 'p2'] } })), [1, 2]);
  const hits = await c.search([[0, 0]], 'v', { metric_type: 'L2' }, 10, 'score > {s}', { expr_params: { s: 0.6 } });
  assert.deepEqual(hits[0].map((h) => Number(h.id)), [2, 3, 4]);
  const r = await c.delete('name == {n}', { expr_params: { n: 'p0' } });
  assert.equal(r.delete_count, 1);
  assert.deepEqual(ids(await c.query('id < 5')), [1, 2, 3, 4]);
});

test('ORM: a string value is never expression text (injection attempts)', async () => {
  const c = await people();
  for (const [i, text] of INJECTIONS.entries()) {
    assert.deepEqual(ids(await c.query('name == {n}', { expr_params: { n: text } })), [100 + i], text);
    assert.deepEqual(ids(await c.query('name in {n}', { expr_params: { n: [text] } })), [100 + i], text);
  }
  await rejects(() => c.query('id == {n}', { expr_params: { n: '1 or 1==1' } }), {
    code: 1100, message: 'comparisons between Int64 and VarChar are not supported',
  });
  const before = c.num_entities;
  assert.equal((await c.delete('name == {n}', { expr_params: { n: '" or 1==1 or name != "' } })).delete_count, 0);
  assert.equal(c.num_entities, before);
});

test('ORM: errors with Milvus messages; the store is unchanged', async () => {
  const c = await people();
  await rejectsUnchanged(c, () => c.delete('id > {lo}'), {
    code: 1100, message: 'failed to create delete plan: the value of expression template variable name {lo} is not found: invalid parameter',
  });
  await rejectsUnchanged(c, () => c.delete('id > {lo}', { expr_params: { hi: 1 } }), { code: 1100, message: 'variable name {lo} is not found' });
  await rejectsUnchanged(c, () => c.delete('id in {k}', { expr_params: { k: 1 } }), {
    code: 1100, message: 'the value of term expression template variable {k} is not array',
  });
  await rejectsUnchanged(c, () => c.delete('name like {k}', { expr_params: { k: 1 } }), {
    code: 1100, message: 'the value of like expression template variable {k} is not string',
  });
  await rejectsUnchanged(c, () => c.delete('id == {k}', { expr_params: { k: null } }), { code: 1100, message: 'got NoneType' });
  await rejectsUnchanged(c, () => c.delete('id == {k}', { expr_params: { k: { a: 1 } } }), { code: 1100, message: 'got dict' });
  await rejectsUnchanged(c, () => c.delete('id == {k}', { expr_params: { k: 2n ** 63n } }), { code: 1100, message: 'out of the range of int64' });
  await rejectsUnchanged(c, () => c.delete('id == {k}', { expr_params: [1] }), {
    cls: ParamError, code: 1100, message: 'expr_params must be a dict of template values, got list',
  });
  await rejectsUnchanged(c, () => c.delete('id == {k}', { expr_params: { k: NaN } }), { cls: ParamError, message: 'not a finite number' });
  await rejectsUnchanged(c, () => c.delete('id == {k}', { expr_params: { k: () => 1 } }), { cls: ParamError, message: 'a function' });
  await rejects(() => c.query('score > {s}', { expr_params: { s: 'x' } }), { code: 1100, message: 'comparisons between Double and VarChar' });
  await rejects(() => c.search([[0, 0]], 'v', { metric_type: 'L2' }, 3, 'id > {x}'), { code: 1100, message: 'variable name {x} is not found' });
  // unused values are no error, as in Milvus
  assert.deepEqual(ids(await c.query('id == 1', { expr_params: { unused: 1 } })), [1]);
});

test('REST: exprParams share the core implementation (injection attempts, errors)', async () => {
  const handler = createHandler();
  const call = async (path, body) => (await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }))).json();
  const name = uniqueName('tplrest');
  assert.equal((await call('collections/create', { collectionName: name, dimension: 2 })).code, 0);
  const rows = INJECTIONS.map((t, i) => ({ id: i, vector: [i, 1], t }));
  assert.equal((await call('entities/insert', { collectionName: name, data: rows })).code, 0);
  for (const [i, text] of INJECTIONS.entries()) {
    const q = await call('entities/query', { collectionName: name, filter: 't == {x}', exprParams: { x: text }, outputFields: ['id'] });
    assert.deepEqual(q.data.map((r) => Number(r.id)), [i], text);
  }
  const missing = await call('entities/delete', { collectionName: name, filter: 'id in {ks}', exprParams: { ks: 1 } });
  assert.deepEqual(missing, { code: 1100, message: 'failed to create delete plan: the value of term expression template variable {ks} is not array: invalid parameter' });
  assert.equal((await call('entities/query', { collectionName: name, filter: 'id >= 0', outputFields: ['id'] })).data.length, INJECTIONS.length);
  const d = await call('entities/delete', { collectionName: name, filter: 't == {x}', exprParams: { x: INJECTIONS[0] } });
  assert.deepEqual(d.data, { deleteCount: 1 });
});

test('MilvusClient: exprValues of query, search and delete', async () => {
  const client = new MilvusClient({ address: ':memory:' });
  const name = uniqueName('tplsdk');
  await client.createCollection({ collection_name: name, dimension: 2 });
  await client.insert({ collection_name: name, data: INJECTIONS.map((t, i) => ({ id: i, vector: [i, 1], t })) });
  for (const [i, text] of INJECTIONS.entries()) {
    const q = await client.query({ collection_name: name, filter: 't == {x}', exprValues: { x: text }, output_fields: ['id'] });
    assert.deepEqual(q.data.map((r) => Number(r.id)), [i], text);
  }
  const s = await client.search({ collection_name: name, data: [0, 1], filter: 'id in {ks}', exprValues: { ks: [2, 3] }, limit: 5 });
  assert.deepEqual(s.results.map((h) => Number(h.id)), [2, 3]);
  const bad = await client.query({ collection_name: name, filter: 'id in {ks}' });
  assert.equal(bad.status.code, 1100);
  assert.match(bad.status.reason, /the value of expression template variable name \{ks\} is not found/);
  const d = await client.delete({ collection_name: name, filter: 't == {x}', exprValues: { x: INJECTIONS[1] } });
  assert.equal(d.delete_cnt, '1');
  assert.equal((await client.count({ collection_name: name })).data, INJECTIONS.length - 1);
  assert.ok(MilvusException);
});
