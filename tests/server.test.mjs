// The Milvus REST v2 handler of partita/server, called directly (no socket): envelopes, codes,
// Milvus's binding messages, int64 handling, schemas both ways, and every route's answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHandler, routes } from 'partita/server';
import { connections, Collection, CollectionSchema, FieldSchema, DataType } from 'partita';
import { uniqueName, range } from './support/helpers.mjs';

const handler = createHandler();

async function call(path, body, { headers = {}, method = 'POST', via = handler } = {}) {
  const init = { method, headers };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await via(new Request(`http://127.0.0.1/v2/vectordb/${path}`, init));
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, type: res.headers.get('content-type'), text, json };
}

/** Calls a route that must succeed; returns the envelope. */
async function ok(path, body, options) {
  const r = await call(path, body, options);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json?.code, 0, `${path}: ${r.text}`);
  return r.json;
}

/** Calls a route that must fail with HTTP 200 and {code, message}. */
async function fails(path, body, code, message, options) {
  const r = await call(path, body, options);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), ['code', 'message'], r.text);
  assert.equal(r.json.code, code, r.text);
  if (typeof message === 'string') assert.equal(r.json.message, message);
  else if (message) assert.match(r.json.message, message);
  return r.json;
}

const INT64 = { headers: { 'Accept-Type-Allow-Int64': 'true' } };

async function quick(extra = {}) {
  const name = uniqueName('rest');
  await ok('collections/create', { collectionName: name, dimension: 4, ...extra });
  return name;
}

// ---- transport ------------------------------------------------------------------------------

test('unknown routes and methods get gin\'s plain 404', async () => {
  for (const [path, method] of [['collections/nope', 'POST'], ['collections/list', 'GET'], ['entities/nope', 'POST']]) {
    const r = await call(path, method === 'GET' ? undefined : {}, { method });
    assert.equal(r.status, 404);
    assert.equal(r.text, '404 page not found');
    assert.equal(r.type, 'text/plain');
  }
  const r = await handler(new Request('http://127.0.0.1/v1/vector/collections', { method: 'POST', body: '{}' }));
  assert.equal(r.status, 404);
});

test('GET / answers an HTML page listing the routes, or the page given', async () => {
  const r = await handler(new Request('http://127.0.0.1/'));
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  const html = await r.text();
  for (const route of routes) assert.ok(html.includes(route), route);
  assert.equal(routes.length, 44);
  const custom = createHandler({ page: () => new Response('demo', { headers: { 'content-type': 'text/html' } }) });
  assert.equal(await (await custom(new Request('http://127.0.0.1/'))).text(), 'demo');
});

test('success envelopes: code 0 and data, with cost where Milvus sends it', async () => {
  const name = await quick();
  assert.deepEqual(await ok('collections/has', { collectionName: name }), { code: 0, data: { has: true } });
  assert.deepEqual(await ok('collections/flush', { collectionName: name }), { code: 0, data: {} });
  const ins = await ok('entities/insert', { collectionName: name, data: [{ id: 1, vector: [1, 2, 3, 4] }] });
  assert.deepEqual(ins, { code: 0, cost: 0, data: { insertCount: 1, insertIds: ['1'] } });
  const r = await call('collections/has', { collectionName: name });
  assert.equal(r.type, 'application/json; charset=utf-8');
});

test('bodies that are not a JSON object of the request shape: 1801 with Go\'s wording', async () => {
  await fails('collections/has', '', 1801, 'can only accept json format request, the request body should be nil, however {} is valid');
  await fails('collections/has', '{"collectionName": ', 1801, /^can only accept json format request, error: /);
  await fails('collections/has', '[1]', 1801,
    'can only accept json format request, error: json: cannot unmarshal array into Go value of type httpserver.CollectionNameReq');
  await fails('collections/has', { collectionName: 5 }, 1801,
    'can only accept json format request, error: json: cannot unmarshal number into Go struct field CollectionNameReq.collectionName of type string');
  await fails('entities/query', { collectionName: 'x', limit: 1.5 }, 1801,
    'can only accept json format request, error: json: cannot unmarshal number 1.5 into Go struct field QueryReqV2.limit of type int32');
  await fails('entities/insert', '', 1801, /the request body should be nil/);
  await fails('entities/insert', '{"collectionName": "x", "data": [', 1801, /^can only accept json format request, error: /);
  await fails('entities/insert', { collectionName: 'x', data: 'rows' }, 1801,
    'can only accept json format request, error: json: cannot unmarshal string into Go struct field CollectionDataReq.data of type []map[string]interface {}');
});

test('missing required parameters: 1802 with validator\'s message', async () => {
  await fails('collections/describe', {}, 1802,
    "missing required parameters, error: Key: 'CollectionNameReq.CollectionName' Error:Field validation for 'CollectionName' failed on the 'required' tag");
  await fails('partitions/create', { collectionName: '' }, 1802,
    "missing required parameters, error: Key: 'PartitionReq.CollectionName' Error:Field validation for 'CollectionName' failed on the 'required' tag\n" +
      "Key: 'PartitionReq.PartitionName' Error:Field validation for 'PartitionName' failed on the 'required' tag");
  await fails('entities/get', { collectionName: 'x' }, 1802, /'CollectionIDReq.ID' Error:Field validation for 'ID' failed on the 'required' tag$/);
  await fails('entities/delete', { collectionName: 'x', id: [1] }, 1802, /'CollectionFilterReq.Filter'/);
  await fails('entities/insert', { collectionName: 'x' }, 1802, /'CollectionDataReq.Data'/);
  await fails('entities/search', { collectionName: 'x' }, 1802, /'SearchReqV2.Data'/);
  await fails('partitions/load', { collectionName: 'x' }, 1802, /'PartitionsReq.PartitionNames'/);
});

test('dbName other than "default" (body or DB-Name header) is database not found, code 800', async () => {
  await fails('collections/list', { dbName: 'prod' }, 800, 'database not found[database=prod]');
  await fails('collections/list', {}, 800, 'database not found[database=other]', { headers: { 'DB-Name': 'other' } });
  await ok('collections/list', { dbName: 'default' });
});

test('token: 401 with code 1800 without it; Bearer and Basic are accepted', async () => {
  const guarded = createHandler({ token: 'root:Milvus' });
  const r = await call('collections/list', {}, { via: guarded });
  assert.equal(r.status, 401);
  assert.deepEqual(r.json, { code: 1800, message: "user hasn't authenticated" });
  const wrong = await call('collections/list', {}, { via: guarded, headers: { Authorization: 'Bearer root:wrong' } });
  assert.equal(wrong.status, 401);
  await ok('collections/list', {}, { via: guarded, headers: { Authorization: 'Bearer root:Milvus' } });
  await ok('collections/list', {}, { via: guarded, headers: { Authorization: `Basic ${btoa('root:Milvus')}` } });
  // unknown routes are still 404 (the route is matched before authentication)
  assert.equal((await call('nope/nope', {}, { via: guarded })).status, 404);
});

test('bodies over maxBodyBytes are refused with 413 and code 1102, others pass', async () => {
  const small = createHandler({ maxBodyBytes: 64 });
  const r = await call('collections/list', { dbName: 'default', pad: 'x'.repeat(100) }, { via: small });
  assert.equal(r.status, 413);
  assert.equal(r.json.code, 1102);
  assert.match(r.json.message, /^parameter too large\[message=request body is larger than 64 bytes\]$/);
  // a streamed body without Content-Length is counted as it arrives
  const stream = new ReadableStream({
    start(ctl) {
      for (let i = 0; i < 10; i++) ctl.enqueue(new TextEncoder().encode('          '));
      ctl.close();
    },
  });
  const s = await small(new Request('http://127.0.0.1/v2/vectordb/collections/list', { method: 'POST', body: stream, duplex: 'half' }));
  assert.equal(s.status, 413);
  await ok('collections/list', {}, { via: small });
});

// ---- collections ----------------------------------------------------------------------------

test('quick create: id + vector, dynamic field on, AUTOINDEX with the metric, loaded', async () => {
  const name = await quick({ metricType: 'L2' });
  const d = (await ok('collections/describe', { collectionName: name })).data;
  assert.equal(d.collectionName, name);
  assert.equal(typeof d.collectionID, 'number');
  assert.deepEqual(d.fields.map((f) => [f.name, f.type, f.primaryKey, f.autoId, f.id]), [
    ['id', 'Int64', true, false, 100],
    ['vector', 'FloatVector', false, false, 101],
  ]);
  assert.deepEqual(d.fields[1].params, [{ key: 'dim', value: '4' }]);
  assert.equal(d.fields[0].params, undefined);
  assert.deepEqual(d.indexes, [{ indexName: 'vector', fieldName: 'vector', metricType: 'L2' }]);
  assert.equal(d.load, 'LoadStateLoaded');
  assert.equal(d.enableDynamicField, true);
  assert.equal(d.autoId, false);
  assert.equal(d.consistencyLevel, 'Bounded');
  assert.deepEqual([d.shardsNum, d.partitionsNum, d.functions, d.aliases, d.properties], [1, 1, [], [], []]);

  const v = await quick({ idType: 'VarChar', params: { max_length: 32, enableDynamicField: false }, primaryFieldName: 'pk', vectorFieldName: 'emb', autoID: false });
  const dv = (await ok('collections/describe', { collectionName: v })).data;
  assert.deepEqual(dv.fields.map((f) => f.name), ['pk', 'emb']);
  assert.deepEqual(dv.fields[0].params, [{ key: 'max_length', value: '32' }]);
  assert.equal(dv.enableDynamicField, false);
  assert.equal(dv.indexes[0].metricType, 'COSINE');
});

test('quick create errors are Milvus\'s', async () => {
  await fails('collections/create', { collectionName: uniqueName() }, 1100,
    'dimension is required for quickly create collection(default metric type: COSINE): invalid parameter[expected=collectionName & dimension][actual=collectionName]');
  await fails('collections/create', { collectionName: uniqueName(), dimension: 2, idType: 'Int32' }, 1100,
    'idType can only be [Int64, VarChar], default: Int64: invalid parameter[expected=Int64, Varchar][actual=Int32]');
});

test('schema keys bound as Go binds JSON: case-insensitively (autoId, EnableDynamicField, FieldName, ...)', async () => {
  const name = uniqueName('fold');
  await ok('collections/create', {
    CollectionName: name,
    schema: {
      autoId: true,
      ENABLEDYNAMICFIELD: true,
      Fields: [
        { fieldname: 'id', datatype: 'Int64', isprimary: true },
        { FieldName: 'v', DataType: 'FloatVector', ElementTypeParams: { dim: 2 } },
      ],
    },
    IndexParams: [{ FIELDNAME: 'v', metrictype: 'L2' }],
  });
  const d = (await ok('collections/describe', { collectionName: name })).data;
  assert.equal(d.autoId, true);
  assert.equal(d.enableDynamicField, true);
  assert.deepEqual(d.fields.map((f) => [f.name, f.type, f.primaryKey]), [['id', 'Int64', true], ['v', 'FloatVector', false]]);
  assert.equal(d.indexes[0].metricType, 'L2');
  // an auto_id key given is refused, a dynamic key kept
  const ins = await ok('entities/insert', { collectionName: name, data: [{ v: [1, 2], extra: 'x' }] });
  assert.equal(ins.data.insertCount, 1);
  // a later key binding the same field wins, as in Go (autoID then autoid: false)
  const other = uniqueName('fold');
  await ok('collections/create', { collectionName: other, schema: { autoID: true, autoid: false, fields: [
    { fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } }] } });
  assert.equal((await ok('collections/describe', { collectionName: other })).data.autoId, false);
  // a key that is not a field's under any case stays unbound (Go ignores it): enabledDynamicField
  const third = uniqueName('fold');
  await ok('collections/create', { collectionName: third, schema: { enabledDynamicField: true, fields: [
    { fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } }] } });
  assert.equal((await ok('collections/describe', { collectionName: third })).data.enableDynamicField, false);
});

test('custom schema: proto type names, element types, params, defaults, nullable; described back', async () => {
  const name = uniqueName('custom');
  await ok('collections/create', {
    collectionName: name,
    description: 'films',
    schema: {
      autoID: true,
      enableDynamicField: true,
      fields: [
        { fieldName: 'film_id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'films', dataType: 'FloatVector', elementTypeParams: { dim: '2' } },
        { fieldName: 'title', dataType: 'VarChar', elementTypeParams: { max_length: 64 }, nullable: true },
        { fieldName: 'tags', dataType: 'Array', elementDataType: 'VarChar', elementTypeParams: { max_capacity: 4, max_length: 8 } },
        { fieldName: 'year', dataType: 'Int16', defaultValue: 2000 },
        { fieldName: 'meta', dataType: 'JSON' },
        { fieldName: 'ok', dataType: 'Bool' },
        { fieldName: 'score', dataType: 'Double' },
        { fieldName: 'sparse', dataType: 'SparseFloatVector' },
      ],
    },
    indexParams: [{ fieldName: 'films', metricType: 'L2', indexName: 'films_idx', params: { index_type: 'HNSW' } }],
  });
  const d = (await ok('collections/describe', { collectionName: name })).data;
  assert.equal(d.description, 'films');
  assert.equal(d.autoId, true);
  assert.deepEqual(d.fields.map((f) => f.type), ['Int64', 'FloatVector', 'VarChar', 'Array', 'Int16', 'JSON', 'Bool', 'Double', 'SparseFloatVector']);
  const by = Object.fromEntries(d.fields.map((f) => [f.name, f]));
  assert.equal(by.film_id.autoId, true);
  assert.equal(by.title.nullable, true);
  assert.equal(by.tags.elementType, 'VarChar');
  assert.deepEqual(by.tags.params.map((p) => p.key).sort(), ['max_capacity', 'max_length']);
  assert.deepEqual(by.year.defaultValue, { Data: { IntData: 2000 } });
  assert.equal(by.sparse.params, undefined);
  assert.deepEqual(d.indexes, [{ indexName: 'films_idx', fieldName: 'films', metricType: 'L2' }]);
  assert.equal(d.load, 'LoadStateLoaded');
});

test('custom schema errors: unknown types, undefined index fields, server checks', async () => {
  await fails('collections/create', { collectionName: uniqueName(), schema: { fields: [{ fieldName: 'a', dataType: 'int64' }] } }, 1100,
    'invalid parameter, data type int64 is invalid(case sensitive).');
  await fails('collections/create', {
    collectionName: uniqueName(),
    schema: { fields: [{ fieldName: 'a', dataType: 'Int64', isPrimary: true }, { fieldName: 'b', dataType: 'Array', elementDataType: 'Foo' }] },
  }, 1100, 'invalid parameter, element data type Foo is invalid(case sensitive).');
  await fails('collections/create', {
    collectionName: uniqueName(),
    schema: { fields: [{ fieldName: 'a', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } }] },
    indexParams: [{ fieldName: 'w', metricType: 'L2' }],
  }, 1802, 'missing required parameters, error: `w` hasn\'t defined in schema');
  const e = await call('collections/create', {
    collectionName: uniqueName(),
    schema: { fields: [{ fieldName: 'a', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector' }] },
  });
  assert.notEqual(e.json.code, 0);
  assert.match(e.json.message, /dim/);
});

test('custom schema without indexParams is not loaded until collections/load; release unloads', async () => {
  const name = uniqueName('unloaded');
  await ok('collections/create', {
    collectionName: name,
    schema: { fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } }] },
  });
  assert.deepEqual((await ok('collections/get_load_state', { collectionName: name })).data, { loadState: 'LoadStateNotLoad' });
  assert.equal((await ok('collections/describe', { collectionName: name })).data.load, 'LoadStateNotLoad');
  await ok('entities/insert', { collectionName: name, data: [{ id: 1, v: [1, 2] }] }); // writes need no load
  const id = (await ok('collections/describe', { collectionName: name })).data.collectionID;
  await fails('entities/query', { collectionName: name, filter: 'id > 0' }, 101, `collection not loaded[collection=${id}]`);
  await fails('entities/search', { collectionName: name, data: [[1, 2]] }, 101, `collection not loaded[collection=${id}]`);
  await ok('collections/load', { collectionName: name });
  assert.deepEqual((await ok('collections/get_load_state', { collectionName: name })).data, { loadState: 'LoadStateLoaded', loadProgress: 100 });
  assert.equal((await ok('entities/query', { collectionName: name, filter: 'id > 0' })).data.length, 1);
  await ok('collections/release', { collectionName: name });
  await fails('entities/get', { collectionName: name, id: 1 }, 101);
});

test('has / list / drop / get_stats; unknown collections are code 100', async () => {
  const name = await quick();
  assert.ok((await ok('collections/list', {})).data.includes(name));
  await ok('entities/insert', { collectionName: name, data: range(5, (i) => ({ id: i, vector: [i, 1, 1, 1] })) });
  assert.deepEqual((await ok('collections/get_stats', { collectionName: name })).data, { rowCount: 5 });
  assert.deepEqual(await ok('collections/drop', { collectionName: name }), { code: 0, data: {} });
  assert.deepEqual((await ok('collections/has', { collectionName: name })).data, { has: false });
  assert.ok(!(await ok('collections/list', {})).data.includes(name));
  await ok('collections/drop', { collectionName: name }); // idempotent, as in Milvus
  const missing = `can't find collection[database=default][collection=${name}]`;
  for (const [path, body] of [
    ['collections/describe', {}], ['collections/get_stats', {}], ['collections/get_load_state', {}],
    ['partitions/list', {}], ['partitions/create', { partitionName: 'p' }],
    ['entities/insert', { data: [{ id: 1, vector: [1, 2, 3, 4] }] }], ['entities/query', {}],
    ['entities/search', { data: [[1, 2, 3, 4]] }], ['entities/delete', { filter: 'id > 0' }], ['entities/get', { id: 1 }],
  ])
    await fails(path, { collectionName: name, ...body }, 100, missing);
});

test('a collection created through the JS API is served (loaded, no index)', async () => {
  const name = uniqueName('js');
  const coll = new Collection(name, new CollectionSchema([
    new FieldSchema('k', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]));
  await coll.insert([{ k: 7, v: [1, 0] }]);
  const d = (await ok('collections/describe', { collectionName: name })).data;
  assert.deepEqual(d.indexes, []);
  assert.equal(d.load, 'LoadStateLoaded');
  assert.deepEqual((await ok('entities/get', { collectionName: name, id: 7 }, INT64)).data, [{ k: 7, v: [1, 0] }]);
});

// ---- partitions -----------------------------------------------------------------------------

test('partitions: create, list, has, get_stats, load, release, drop', async () => {
  const name = await quick();
  await ok('partitions/create', { collectionName: name, partitionName: 'comedy' });
  await ok('partitions/create', { collectionName: name, partitionName: 'comedy' }); // exists: fine
  assert.deepEqual((await ok('partitions/list', { collectionName: name })).data, ['_default', 'comedy']);
  assert.deepEqual((await ok('partitions/has', { collectionName: name, partitionName: 'comedy' })).data, { has: true });
  assert.deepEqual((await ok('partitions/has', { collectionName: name, partitionName: 'drama' })).data, { has: false });
  await ok('entities/insert', { collectionName: name, partitionName: 'comedy', data: range(3, (i) => ({ id: i, vector: [1, 1, 1, i] })) });
  await ok('entities/insert', { collectionName: name, data: [{ id: 10, vector: [1, 1, 1, 1] }] });
  assert.deepEqual((await ok('partitions/get_stats', { collectionName: name, partitionName: 'comedy' })).data, { rowCount: 3 });
  assert.deepEqual((await ok('partitions/get_stats', { collectionName: name, partitionName: '_default' })).data, { rowCount: 1 });
  await fails('partitions/get_stats', { collectionName: name, partitionName: 'drama' }, 200, 'partition not found[partition=drama]');
  await ok('partitions/load', { collectionName: name, partitionNames: ['comedy'] });
  await ok('partitions/release', { collectionName: name, partitionNames: ['comedy', '_default'] });
  await fails('partitions/load', { collectionName: name, partitionNames: ['drama'] }, 200, 'partition not found[partition=drama]');
  await fails('entities/insert', { collectionName: name, partitionName: 'drama', data: [{ id: 1, vector: [1, 1, 1, 1] }] }, 200,
    'partition not found[partition=drama]');
  const q = await ok('entities/query', { collectionName: name, filter: 'id >= 0', partitionNames: ['comedy'], outputFields: ['id'] }, INT64);
  assert.deepEqual(q.data, [{ id: 0 }, { id: 1 }, { id: 2 }]);
  await ok('partitions/drop', { collectionName: name, partitionName: 'comedy' });
  assert.deepEqual((await ok('partitions/list', { collectionName: name })).data, ['_default']);
  const e = await call('partitions/drop', { collectionName: name, partitionName: '_default' });
  assert.notEqual(e.json.code, 0);
  assert.match(e.json.message, /default partition cannot be deleted/);
});

// ---- entities -------------------------------------------------------------------------------

test('insert / upsert: counts and ids, int64 ids as strings unless Accept-Type-Allow-Int64', async () => {
  const name = await quick();
  const big = '9007199254740993'; // 2^53 + 1: a double cannot hold it
  const body = `{"collectionName":"${name}","data":[{"id":${big},"vector":[1,2,3,4]},{"id":-9223372036854775808,"vector":[0,0,0,1]}]}`;
  const r = await ok('entities/insert', body);
  assert.deepEqual(r.data, { insertCount: 2, insertIds: [big, '-9223372036854775808'] });
  // with the header the ids are JSON numbers, digits intact
  const u = await call('entities/upsert', `{"collectionName":"${name}","data":[{"id":${big},"vector":[4,3,2,1]}]}`, INT64);
  assert.equal(u.text, `{"code":0,"cost":0,"data":{"upsertCount":1,"upsertIds":[${big}]}}`);
  const g = await call('entities/get', `{"collectionName":"${name}","id":"${big}","outputFields":["vector"]}`, INT64);
  assert.equal(g.text, `{"code":0,"cost":0,"data":[{"id":${big},"vector":[4,3,2,1]}]}`);
  const gs = await ok('entities/get', { collectionName: name, id: [big, '-9223372036854775808'] });
  assert.deepEqual(gs.data.map((row) => row.id).sort(), ['-9223372036854775808', big]);
  // "true" is read as Go's strconv.ParseBool: "1", "t", "TRUE" ... too; anything else is false
  const one = await ok('entities/get', { collectionName: name, id: big, outputFields: ['id'] }, { headers: { 'Accept-Type-Allow-Int64': 'nope' } });
  assert.deepEqual(one.data, [{ id: big }]);
});

test('insert / upsert: dynamic fields, a single row object, VarChar ids, auto_id', async () => {
  const name = await quick({ idType: 'VarChar', params: { max_length: 16 } });
  const r = await ok('entities/insert', { collectionName: name, data: { id: 'a', vector: [1, 0, 0, 0], color: 'red', n: 1 } });
  assert.deepEqual(r.data, { insertCount: 1, insertIds: ['a'] });
  const q = await ok('entities/query', { collectionName: name, filter: 'color == "red"' });
  assert.deepEqual(q.data, [{ id: 'a', vector: [1, 0, 0, 0], color: 'red', n: 1 }]);
  const auto = await quick({ autoID: true });
  const a = await ok('entities/insert', { collectionName: auto, data: [{ vector: [1, 2, 3, 4] }, { vector: [1, 2, 3, 5] }] });
  assert.equal(a.data.insertCount, 2);
  assert.ok(a.data.insertIds.every((id) => /^\d+$/.test(id)), JSON.stringify(a.data));
});

test('insert / upsert errors: empty data, the core\'s checks, nothing written', async () => {
  const name = await quick({ params: { enableDynamicField: false } });
  await fails('entities/insert', { collectionName: name, data: [] }, 1804, 'fail to deal the insert data, error: missing required parameters');
  await fails('entities/upsert', { collectionName: name, data: null }, 1802, /CollectionDataReq.Data/);
  // Milvus's REST layer measures each vector as it converts the rows: 1804, not the proxy's 1100
  await fails('entities/insert', { collectionName: name, data: [{ id: 1, vector: [1, 2] }] }, 1804,
    'fail to deal the insert data, error: the dim (2) of field data(vector) is not equal to schema dim (4): invalid parameter[expected=4][actual=2]');
  await fails('entities/upsert', { collectionName: name, data: [{ id: 1, vector: [1, 2, 3, 4] }, { id: 2, vector: [1, 2, 3, 4, 5] }] }, 1804,
    /^fail to deal the insert data, error: the dim \(5\) of field data\(vector\)/);
  await fails('entities/upsert', { collectionName: name, data: [{ id: 1, vector: [1, 2, 3, 4] }, { id: 1, vector: [1, 2, 3, 4] }] }, 1100,
    'duplicate primary keys are not allowed in the same batch: invalid parameter');
  await fails('entities/insert', { collectionName: name, data: [{ id: 'x', vector: [1, 2, 3, 4] }] }, 1804, /^fail to deal the insert data, error: /);
  assert.deepEqual((await ok('collections/get_stats', { collectionName: name })).data, { rowCount: 0 });
});

// issue 13: the rows of a write go to the core unparsed, and cJSON alone took what JSON does
// not; such text was stored as written, and every later answer holding it was not JSON
test('insert / upsert bodies that are not JSON as Milvus takes it: 1801, nothing written', async () => {
  const name = await quick();
  const row = (extra) => `{"collectionName":"${name}","data":[{"id":1,"vector":[1,2,3,4]${extra}}]}`;
  const bodies = [
    [row(',"j":{"a":02},"dyn":1.'), 'a number with a leading zero at byte'],
    [row(',"dyn":1.'), "a number without a digit after '.' at byte"],
    [row(',"dyn":"a\u0001b"'), 'a control character (U+0001) in a string that is not escaped'],
    [row(',"dyn":"a\tb"'), 'a control character (U+0009) in a string that is not escaped'],
    [row(',"dyn":1e400'), 'a number beyond the range of a double'],
    [row(',"dyn":"\\ud800"'), 'a lone surrogate (\\ud800)'],
    [row(',"dyn\\u0000":1'), 'a NUL character (\\u0000) in an object key'],
    [`\uFEFF${row('')}`, null], // JSON.parse refuses it first (a byte order mark is not JSON)
    [`${row('')}\u000b`, 'text after the JSON value'],
  ];
  for (const op of ['insert', 'upsert'])
    for (const [body, why] of bodies) {
      const r = await fails(`entities/${op}`, body, 1801);
      assert.ok(r.message.startsWith('can only accept json format request, error: '), r.message);
      if (why) assert.ok(r.message.includes(why), `${JSON.stringify(body)}: ${r.message}`);
    }
  assert.deepEqual((await ok('collections/get_stats', { collectionName: name })).data, { rowCount: 0 });
  // what is taken reads back as written, in JSON's one form
  await ok('entities/insert', `{"collectionName":"${name}","data":[{"id":2,"vector":[1,2,3,4],"dyn":{ "a" : [ 1.50 , "\\u0041\\/\\u0000" ] }}]}`);
  const got = await ok('entities/query', { collectionName: name, filter: 'id == 2', outputFields: ['dyn'] });
  assert.deepEqual(got.data, [{ id: '2', dyn: { a: [1.5, 'A/\0'] } }]);
});

test('query: filter, outputFields, default limit 100, offset, count(*), filter errors', async () => {
  const name = await quick();
  await ok('entities/insert', { collectionName: name, data: range(150, (i) => ({ id: i, vector: [i, 0, 0, 1], tag: i % 2 ? 'odd' : 'even' })) });
  const all = await ok('entities/query', { collectionName: name, filter: '' }, INT64);
  assert.equal(all.data.length, 100);
  assert.deepEqual(all.data[0], { id: 0, vector: [0, 0, 0, 1], tag: 'even' });
  const page = await ok('entities/query', { collectionName: name, filter: 'tag == "odd"', outputFields: ['tag'], limit: 3, offset: 2 }, INT64);
  assert.deepEqual(page.data, [{ id: 5, tag: 'odd' }, { id: 7, tag: 'odd' }, { id: 9, tag: 'odd' }]);
  assert.deepEqual((await ok('entities/query', { collectionName: name, filter: '', outputFields: ['count(*)'] }, INT64)).data, [{ 'count(*)': 150 }]);
  assert.deepEqual((await ok('entities/query', { collectionName: name, outputFields: ['count(*)'] })).data, [{ 'count(*)': '150' }]);
  await fails('entities/query', { collectionName: name, filter: 'id > "x"' }, 1100, /^failed to create query plan: cannot parse expression: id > "x"/);
});

test('expression templates: exprParams fill {name} outside string literals', async () => {
  const name = await quick();
  await ok('entities/insert', { collectionName: name, data: range(6, (i) => ({ id: i, vector: [1, 1, 1, i], tag: `t{${i}}` })) });
  const q = await ok('entities/query', {
    collectionName: name, filter: 'id > {low} and id in {ids} and tag != "{low}"', exprParams: { low: 1, ids: [0, 2, 3] }, outputFields: ['tag'],
  }, INT64);
  assert.deepEqual(q.data, [{ id: 2, tag: 't{2}' }, { id: 3, tag: 't{3}' }]);
  const s = await ok('entities/search', { collectionName: name, data: [[1, 1, 1, 5]], filter: 'tag == {t}', exprParams: { t: 't{4}' } }, INT64);
  assert.deepEqual(s.data.map((h) => h.id), [4]);
  assert.deepEqual((await ok('entities/delete', { collectionName: name, filter: 'id < {n}', exprParams: { n: 2 } })).data, { deleteCount: 2 });
  await fails('entities/query', { collectionName: name, filter: 'id > {x}', exprParams: { y: 1 } }, 1100,
    'failed to create query plan: the value of expression template variable name {x} is not found: invalid parameter');
});

test('delete by filter, then query and get no longer see the rows', async () => {
  const name = await quick();
  await ok('entities/insert', { collectionName: name, data: range(6, (i) => ({ id: i, vector: [1, 1, 1, i] })) });
  assert.deepEqual(await ok('entities/delete', { collectionName: name, filter: 'id in [1, 2, 3]' }), { code: 0, data: { deleteCount: 3 } });
  const q = await ok('entities/query', { collectionName: name, filter: 'id >= 0', outputFields: ['id'] });
  assert.deepEqual(q.data, [{ id: '0' }, { id: '4' }, { id: '5' }]);
  assert.deepEqual((await ok('entities/get', { collectionName: name, id: [1, 4] })).data.map((r) => r.id), ['4']);
  await fails('entities/delete', { collectionName: name, filter: 'id >' }, 1100, /^failed to create delete plan: cannot parse expression: id >/);
});

test('get: a scalar or a list; keys of the wrong type are code 1806', async () => {
  const name = await quick({ idType: 'VarChar', params: { max_length: 8 } });
  await ok('entities/insert', { collectionName: name, data: [{ id: 'a', vector: [1, 1, 1, 1] }, { id: 'b', vector: [2, 2, 2, 2] }] });
  assert.deepEqual((await ok('entities/get', { collectionName: name, id: 'b', outputFields: ['id'] })).data, [{ id: 'b' }]);
  assert.equal((await ok('entities/get', { collectionName: name, id: ['a', 'b', 'c'] })).data.length, 2);
  await fails('entities/get', { collectionName: name, id: 3 }, 1806, /^please check the primary key and its' type can only in \[int, string\], error: /);
  const ints = await quick();
  await fails('entities/get', { collectionName: ints, id: [1.5] }, 1806);
});

test('search: flat hits named by the primary key, distance, output fields, filter; topks', async () => {
  const name = await quick({ metricType: 'L2' });
  await ok('entities/insert', { collectionName: name, data: range(10, (i) => ({ id: i, vector: [i, 0, 0, 0], kind: i < 5 ? 'low' : 'high' })) });
  const one = await ok('entities/search', { collectionName: name, data: [[2.1, 0, 0, 0]], limit: 3, outputFields: ['kind'] }, INT64);
  assert.deepEqual(one.topks, [3]);
  assert.deepEqual(one.data.map((h) => [h.id, h.kind]), [[2, 'low'], [3, 'low'], [1, 'low']]);
  assert.ok(Math.abs(one.data[0].distance - 0.01) < 1e-5, String(one.data[0].distance)); // L2 (squared), the index's metric
  assert.deepEqual(Object.keys(one.data[0]).sort(), ['distance', 'id', 'kind']);
  const two = await ok('entities/search', {
    collectionName: name, data: [[0, 0, 0, 0], [9, 0, 0, 0]], limit: 2, filter: 'kind == "high"', annsField: 'vector',
  });
  assert.deepEqual(two.topks, [2, 2]);
  assert.deepEqual(two.data.map((h) => h.id), ['5', '6', '9', '8']);
  assert.equal(two.cost, 0);
  const off = await ok('entities/search', { collectionName: name, data: [[0, 0, 0, 0]], limit: 2, offset: 2 }, INT64);
  assert.deepEqual(off.data.map((h) => h.id), [2, 3]);
  const none = await ok('entities/search', { collectionName: name, data: [[0, 0, 0, 0]], filter: 'id > 100' });
  assert.deepEqual(none, { code: 0, cost: 0, data: [] });
  const range_ = await ok('entities/search', {
    collectionName: name, data: [[0, 0, 0, 0]], searchParams: { metricType: 'L2', params: { radius: 5, range_filter: 1 } },
  }, INT64);
  assert.deepEqual(range_.data.map((h) => h.id), [1, 2]);
});

test('search errors: metric mismatch, unknown annsField, wrong dims, consistency level', async () => {
  const name = await quick({ metricType: 'COSINE' });
  await ok('entities/insert', { collectionName: name, data: [{ id: 1, vector: [1, 0, 0, 0] }] });
  await fails('entities/search', { collectionName: name, data: [[1, 0, 0, 0]], searchParams: { metricType: 'L2' } }, 1100,
    'metric type not match: invalid parameter[expected=COSINE][actual=L2]');
  await fails('entities/search', { collectionName: name, data: [[1, 0, 0, 0]], annsField: 'nope' }, 1801,
    'can only accept json format request, error: cannot find a vector field named: nope');
  await fails('entities/search', { collectionName: name, data: [[1, 0]] }, 1100, /dimension/);
  // vectors of other sizes whose sizes add up: each vector is checked (issue 13)
  await fails('entities/search', { collectionName: name, data: [[1, 0, 0, 0, 0, 0], [1, 0]] }, 1100,
    'vector dimension mismatch, expected vector size(byte) 16, actual 24.: invalid parameter');
  await fails('entities/search', { collectionName: name, data: [[1, 0, 0, 0]], consistencyLevel: 'Now' }, 1100,
    "consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], default: Bounded, err:parameter:'Now' is incorrect, please check it: invalid parameter");
});

test('the handler serves the store of the connection alias given by `using`', async () => {
  connections.connect('server_test_other', { uri: ':memory:' });
  const other = createHandler({ using: 'server_test_other' });
  const name = uniqueName('other');
  await ok('collections/create', { collectionName: name, dimension: 2 }, { via: other });
  assert.deepEqual((await ok('collections/has', { collectionName: name }, { via: other })).data, { has: true });
  assert.deepEqual((await ok('collections/has', { collectionName: name })).data, { has: false });
});

test('collections/create takes allow_insert_auto_id in params: described back, and inserts may give their keys', async () => {
  const name = uniqueName('aiai');
  const fields = [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } }];
  await ok('collections/create', { collectionName: name, schema: { autoID: true, fields }, params: { allow_insert_auto_id: 'true' } });
  const d = await ok('collections/describe', { collectionName: name });
  assert.deepEqual(d.data.properties, [{ key: 'allow_insert_auto_id', value: 'true' }]);
  await ok('collections/load', { collectionName: name });
  const ins = await ok('entities/insert', { collectionName: name, data: [{ id: '1152921504606846977', v: [1, 2] }] });
  assert.deepEqual(ins.data.insertIds, ['1152921504606846977']);
  const got = await ok('entities/get', { collectionName: name, id: ['1152921504606846977'], outputFields: ['id'] });
  assert.deepEqual(got.data, [{ id: '1152921504606846977' }]);
  // quick setup takes it too; the core's refusals are Milvus's, and nothing is created
  const quickName = await quick({ autoID: true, params: { allow_insert_auto_id: true } });
  assert.deepEqual((await ok('collections/describe', { collectionName: quickName })).data.properties, [{ key: 'allow_insert_auto_id', value: 'true' }]);
  const bad = uniqueName('aiai');
  await fails('collections/create', { collectionName: bad, schema: { fields }, params: { allow_insert_auto_id: true } }, 1100,
    'the value for allow_insert_auto_id must be false when autoID is false: invalid parameter');
  await fails('collections/create', { collectionName: bad, schema: { autoID: true, fields }, params: { allow_insert_auto_id: 'yes' } }, 1100,
    'the value for allow_insert_auto_id must be a boolean: invalid parameter');
  assert.equal((await ok('collections/has', { collectionName: bad })).data.has, false);
});

test('collections/create refuses the params it would not honour (ttlSeconds, …) by name, and creates nothing', async () => {
  const fields = [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } }];
  for (const [params, key] of [[{ ttlSeconds: 60 }, 'ttlSeconds'], [{ partitionKeyIsolation: true }, 'partitionKeyIsolation'],
    [{ 'mmap.enabled': true }, 'mmap.enabled'], [{ shardsNum: 2 }, 'shardsNum'], [{ consistencyLevel: 'Strong', tllSeconds: 1 }, 'tllSeconds']]) {
    const name = uniqueName('params');
    await fails('collections/create', { collectionName: name, schema: { fields }, params }, 1100,
      `\`${key}\` in the params of collections/create is not supported by partita: invalid parameter`);
    await fails('collections/create', { collectionName: name, dimension: 2, params }, 1100,
      `\`${key}\` in the params of collections/create is not supported by partita: invalid parameter`);
    assert.equal((await ok('collections/has', { collectionName: name })).data.has, false);
  }
  // what partita honours: one shard, the consistency levels, partitionsNum with a partition key
  await ok('collections/create', { collectionName: uniqueName('params'), dimension: 2, params: { shardsNum: 1, consistencyLevel: 'Strong', enableDynamicField: false } });
});

test('entities/search refuses by name what it would not honour: functionScore, searchParams keys other than metricType / params', async () => {
  const name = await quick();
  await ok('entities/insert', { collectionName: name, data: [{ id: 1, vector: [1, 2, 3, 4] }] });
  const base = { collectionName: name, data: [[1, 2, 3, 4]], limit: 1 };
  await fails('entities/search', { ...base, functionScore: { functions: [{ name: 'd', type: 'Rerank', inputFieldNames: ['id'], outputFieldNames: [], params: { reranker: 'decay' } }] } },
    1100, '`functionScore` of entities/search is not supported by partita: invalid parameter');
  for (const key of ['ignore_growing', 'hints', 'radius'])
    await fails('entities/search', { ...base, searchParams: { metricType: 'COSINE', [key]: 1 } }, 1100,
      `\`searchParams.${key}\` of entities/search is not supported by partita: invalid parameter`);
  // what it honours, and an empty functionScore (as a Go client binds an absent one)
  const hit = await ok('entities/search', { ...base, searchParams: { metricType: 'COSINE', params: { radius: -1 } }, functionScore: { functions: [] } });
  assert.equal(hit.data.length, 1);
});
