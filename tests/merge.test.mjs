// Upsert in merge mode (pymilvus 2.6 partial_update, Milvus 2.6.2+) and the upsert's field
// operations (field_ops: ARRAY_APPEND / ARRAY_REMOVE, Milvus 3.0) through the ORM (Collection
// and Partition) and the REST server (partialUpdate, fieldOps); the forwarder's part is in
// forward.test.mjs. Every failure leaves the store as
// it was, with Milvus's or pymilvus's message. The rules themselves are the core's
// (tests/unit/test_merge.c); these tests check that each face hands them over whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, Collection, Partition, FieldOp, FieldOpType,
  MilvusException, ParamError, DataNotMatchException,
} from 'partita';
import { createHandler } from 'partita/server';
import { uniqueName, mergeSchema } from './support/helpers.mjs';

await init();

const schema = mergeSchema;

const all = (c) => c.query('id >= 0', { output_fields: ['*'] });

/** A call that must be refused with `cls`, `code` and `message`, leaving the store as it was. */
async function refused(c, call, cls, code, message) {
  const before = await all(c);
  await assert.rejects(call, (e) => {
    assert.ok(e instanceof cls, `${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
  assert.deepEqual(await all(c), before);
}

test('Collection.upsert with partial_update keeps what the rows leave out', async () => {
  const c = new Collection(uniqueName('merge'), schema());
  await c.insert([
    { id: 1, v: [1, 2], title: 'Alien', year: 1979, tags: ['sf'], studio: 'Fox', rank: 3 },
    { id: 2, v: [3, 4], title: 'Heat' },
  ]);
  const r = await c.upsert([{ id: 1, title: 'Aliens', rank: 4, cut: 'final' }], { partial_update: true });
  assert.equal(r.upsert_count, 1);
  assert.equal(r.delete_count, 1);
  assert.deepEqual(r.primary_keys, [1]);
  assert.deepEqual(await c.get(1, { output_fields: ['*'] }), [
    { id: 1, v: [1, 2], title: 'Aliens', year: 1979, tags: ['sf'], studio: 'Fox', rank: 4, cut: 'final' },
  ]);
  // a null given replaces; a new key with the required fields takes null and the default
  const r2 = await c.upsert([{ id: 2, v: [5, 5], title: null }, { id: 3, v: [6, 6], title: null }], { partial_update: true });
  assert.equal(r2.delete_count, 1);
  assert.deepEqual(await c.query('id in [2, 3]', { output_fields: ['*'] }), [
    { id: 2, v: [5, 5], title: null, year: 2000, tags: null },
    { id: 3, v: [6, 6], title: null, year: 2000, tags: null },
  ]);
  // without partial_update the upsert replaces the whole row, as before
  await c.upsert({ id: 1, v: [0, 0] });
  assert.deepEqual(await c.get(1, { output_fields: ['*'] }), [{ id: 1, v: [0, 0], title: null, year: 2000, tags: null }]);
  // partial_update: false is the plain upsert
  await c.upsert({ id: 1, v: [9, 9], title: 'x' }, { partial_update: false });
  assert.equal((await c.get(1, { output_fields: ['year'] }))[0].year, 2000);
});

test('merge errors: Milvus\'s and pymilvus\'s messages, nothing changed', async () => {
  const c = new Collection(uniqueName('merge'), schema());
  await c.insert([{ id: 1, v: [1, 2], title: 'Alien' }, { id: 2, v: [3, 4] }]);
  // a new key must carry every required field
  await refused(c, () => c.upsert([{ id: 1, title: 'ok' }, { id: 7, title: 'new' }], { partial_update: true }),
    MilvusException, 1100, 'fieldSchema(v) has no corresponding fieldData pass in: invalid parameter');
  // rows of one batch carry the same fields (pymilvus)
  await refused(c, () => c.upsert([{ id: 1, title: 'a' }, { id: 2, year: 5 }], { partial_update: true }),
    DataNotMatchException, 1, 'The data fields length is inconsistent. previous length is 2, current length is 1');
  // the options are checked
  await refused(c, () => c.upsert({ id: 1, title: 'a' }, { partial_update: 'yes' }), ParamError, 1, 'partial_update must be a bool, got string');
  await refused(c, () => c.insert({ id: 5, v: [0, 0] }, { partial_update: true }), ParamError, 1, 'partial_update is an option of upsert, not of insert');
  await refused(c, () => c.insert({ id: 5, v: [0, 0], tags: [] }, { field_ops: { tags: 'array_append' } }), ParamError, 1,
    'field_ops is an option of upsert, not of insert');
});

test('Partition.upsert with field_ops: ARRAY_APPEND and ARRAY_REMOVE, every spelling', async () => {
  const c = new Collection(uniqueName('ops'), schema());
  const p = new Partition(c, 'p');
  await p.insert([{ id: 1, v: [1, 1], tags: ['a', 'b'] }, { id: 2, v: [2, 2], tags: null }]);
  // a field operation alone makes the upsert a merge (Milvus promotes it)
  const r = await p.upsert([{ id: 1, tags: ['c', 'a'] }, { id: 2, tags: ['z'] }], { field_ops: { tags: FieldOp.array_append() } });
  assert.equal(r.delete_count, 2);
  assert.deepEqual(await p.query('id >= 0', { output_fields: ['tags', 'v'] }), [
    { id: 1, tags: ['a', 'b', 'c', 'a'], v: [1, 1] },
    { id: 2, tags: ['z'], v: [2, 2] },
  ]);
  await p.upsert({ id: 1, tags: ['a'] }, { field_ops: { tags: 'ARRAY_REMOVE' } });
  await p.upsert({ id: 2, tags: ['q'] }, { partial_update: true, field_ops: { tags: FieldOpType.ARRAY_APPEND, title: FieldOp.replace() } });
  assert.deepEqual(await p.query('id >= 0', { output_fields: ['tags'] }), [
    { id: 1, tags: ['b', 'c'] },
    { id: 2, tags: ['z', 'q'] },
  ]);
  // REPLACE alone (and null) is the plain upsert: no merge
  await p.upsert({ id: 1, v: [7, 7] }, { field_ops: { tags: 'replace', title: null } });
  assert.deepEqual(await p.get(1, { output_fields: ['tags', 'v'] }), [{ id: 1, tags: null, v: [7, 7] }]);
  // the result must fit max_capacity (4), the payload alone too; other faults of the core
  await p.upsert({ id: 1, tags: ['x', 'y', 'z'] }, { partial_update: true });
  await refused(c, () => p.upsert({ id: 1, tags: ['w', 'v'] }, { field_ops: { tags: 'array_append' } }), MilvusException, 65535,
    'array length 5 exceeds max_capacity 4');
  await refused(c, () => p.upsert({ id: 1, tags: ['1', '2', '3', '4', '5'] }, { field_ops: { tags: 'array_append' } }), MilvusException, 1100,
    'ARRAY_APPEND payload for field "tags" row 0 has length 5 exceeding max_capacity 4: invalid parameter');
  await refused(c, () => p.upsert({ id: 1, title: 't' }, { field_ops: { title: 'array_append' } }), MilvusException, 1100,
    'op ARRAY_APPEND requires Array field, but field "title" is VarChar: invalid parameter');
  await refused(c, () => p.upsert({ id: 1, title: 't' }, { field_ops: { tags: 'array_remove' } }), MilvusException, 1100,
    'partial-update op targets field "tags" not present in fields_data: invalid parameter');
  await refused(c, () => p.upsert({ id: 1, tags: [] }, { field_ops: { tags: 9 } }), MilvusException, 1100, 'unsupported partial update op: 9: invalid parameter');
  // pymilvus's own checks of the spelling
  await refused(c, () => p.upsert({ id: 1, tags: [] }, { field_ops: { tags: 'append' } }), ParamError, 1, "unknown field_op alias 'append' for field 'tags'");
  await refused(c, () => p.upsert({ id: 1, tags: [] }, { field_ops: { tags: 1.5 } }), ParamError, 1, "unsupported field_op type float for field 'tags'");
  await refused(c, () => p.upsert({ id: 1, tags: [] }, { field_ops: { tags: { op: 1, x: 2 } } }), ParamError, 1, "unsupported field_op type dict for field 'tags'");
  await refused(c, () => p.upsert({ id: 1, tags: [] }, { field_ops: [['tags', 1]] }), ParamError, 1,
    'field_ops must be a mapping of field name to operation, got list');
});

// ---------------------------------------------------------------------------------------------
// REST: partialUpdate and fieldOps on entities/upsert
// ---------------------------------------------------------------------------------------------

const handler = createHandler();
async function call(path, body) {
  const res = await handler(new Request(`http://127.0.0.1/v2/vectordb/${path}`, { method: 'POST', body: JSON.stringify(body) }));
  return res.json();
}

test('REST entities/upsert with partialUpdate and fieldOps', async () => {
  const name = uniqueName('rest');
  const c = new Collection(name, schema());
  await c.insert([{ id: 1, v: [1, 2], title: 'Alien', tags: ['a'], k: 1 }]);
  let r = await call('entities/upsert', { collectionName: name, data: [{ id: 1, title: 'Aliens', j: 2 }], partialUpdate: true });
  assert.deepEqual(r, { code: 0, cost: 0, data: { upsertCount: 1, upsertIds: ['1'] } });
  r = await call('entities/upsert', { collectionName: name, data: [{ id: 1, tags: ['b', 'a'] }], fieldOps: [{ fieldName: 'tags', op: 'ARRAY_APPEND' }] });
  assert.equal(r.code, 0, JSON.stringify(r));
  r = await call('entities/upsert', { collectionName: name, data: [{ id: 1, tags: ['a'] }], partialUpdate: true, fieldOps: [{ fieldName: 'tags', op: 'ARRAY_REMOVE' }] });
  assert.equal(r.code, 0, JSON.stringify(r));
  assert.deepEqual(await c.get(1, { output_fields: ['*'] }), [{ id: 1, v: [1, 2], title: 'Aliens', year: 2000, tags: ['b'], k: 1, j: 2 }]);
  const before = await all(c);
  // Milvus's messages; nothing changes
  const fails = [
    [{ data: [{ id: 9, title: 'x' }], partialUpdate: true }, 1100, 'fieldSchema(v) has no corresponding fieldData pass in: invalid parameter'],
    [{ data: [{ id: 1, tags: ['x'] }], fieldOps: [{ fieldName: 'id', op: 'ARRAY_APPEND' }] }, 1100,
      'field "id" is the primary key and cannot carry a partial-update op: invalid parameter'],
    [{ data: [{ id: 1, tags: ['x'] }], fieldOps: [{ fieldName: 'tags', op: 'ARRAY_REMOVE' }, { fieldName: 'tags', op: 'REPLACE' }] }, 1100,
      'duplicate partial-update op for field "tags": invalid parameter'],
    [{ data: [{ id: 1, tags: ['x'] }], fieldOps: [{ fieldName: 'tags', op: 'ARRAY_EXTEND' }] }, 1100,
      'unsupported partial update op: ARRAY_EXTEND: invalid parameter'],
    [{ data: [{ id: 1, tags: ['x'] }], fieldOps: [{ fieldName: 'tags', op: 2 }] }, 1801,
      'can only accept json format request, error: json: cannot unmarshal number into Go struct field FieldPartialUpdateOpReq.fieldOps.op of type string'],
    [{ data: [{ id: 1, tags: ['x'] }], fieldOps: [{ fieldName: 'tags', op: 'PATH_REPLACE', path: '[0]' }] }, 1100,
      'fieldOps path (PATH_REPLACE) is not supported by partita: invalid parameter'],
    [{ data: [{ id: 1, tags: ['x'] }], fieldOps: ['tags'] }, 1801,
      'can only accept json format request, error: json: cannot unmarshal string into Go struct field CollectionDataReq.fieldOps of type httpserver.FieldPartialUpdateOpReq'],
    [{ data: [{ id: 1, tags: ['x'] }], partialUpdate: 'yes' }, 1801,
      'can only accept json format request, error: json: cannot unmarshal string into Go struct field CollectionDataReq.partialUpdate of type bool'],
  ];
  for (const [body, code, message] of fails) {
    const res = await call('entities/upsert', { collectionName: name, ...body });
    assert.deepEqual(res, { code, message }, JSON.stringify(body));
  }
  const ins = await call('entities/insert', { collectionName: name, data: [{ id: 5, v: [0, 0] }], partialUpdate: true });
  assert.deepEqual(ins, { code: 1100, message: 'partialUpdate is a parameter of entities/upsert, not of entities/insert: invalid parameter' });
  assert.deepEqual(await all(c), before);
});
