// Every schema and data error of milvus-semantics.md §2-§4 that partita reports: the exception
// class, the code and the Milvus / pymilvus message; and for data errors, that one bad row in a
// batch of 100 applies nothing.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, Collection, Partition, CollectionSchema, FieldSchema, DataType,
  MilvusException, ParamError, DataNotMatchException, DataTypeNotSupportException, PrimaryKeyException,
  AutoIDException, PartitionKeyException, SchemaNotReadyException, FieldsTypeException, FieldTypeException,
} from 'partita';
import { range, rejects, rejectsUnchanged, uniqueName } from './support/helpers.mjs';

await init();

const pk = (opts = {}) => new FieldSchema('id', DataType.INT64, { is_primary: true, ...opts });
const vec = (name = 'v', dim = 4) => new FieldSchema(name, DataType.FLOAT_VECTOR, { dim });
const create = (fields, opts, name = uniqueName('err')) => new Collection(name, new CollectionSchema(fields, opts));

describe('FieldSchema / CollectionSchema (pymilvus client checks, code 1)', () => {
  test('dtype must be a DataType', () =>
    rejects(() => new FieldSchema('x', 'NOT_A_TYPE'), { cls: DataTypeNotSupportException, code: 1, message: 'Field dtype must be of DataType' }));
  test('exactly one primary key', async () => {
    await rejects(() => new CollectionSchema([vec()]), { cls: PrimaryKeyException, code: 1, message: 'Schema must have a primary key field.' });
    await rejects(() => new CollectionSchema([pk(), new FieldSchema('id2', DataType.INT64, { is_primary: true }), vec()]), {
      cls: PrimaryKeyException, message: 'Expected only one primary key field, got [id, id2, ...].',
    });
  });
  test('primary key type', () =>
    rejects(() => new CollectionSchema([new FieldSchema('id', DataType.FLOAT, { is_primary: true }), vec()]), {
      cls: PrimaryKeyException, message: 'Primary key type must be DataType.INT64 or DataType.VARCHAR.',
    }));
  test('auto_id only on the primary key, and boolean', async () => {
    await rejects(() => new FieldSchema('x', DataType.INT64, { auto_id: true }), {
      cls: AutoIDException, message: 'The auto_id can only be specified on the primary key field',
    });
    await rejects(() => new FieldSchema('x', DataType.INT64, { is_primary: true, auto_id: 'yes' }), {
      cls: AutoIDException, message: 'Param auto_id must be bool type.',
    });
    await rejects(() => new CollectionSchema([pk(), vec()], { auto_id: 1 }), { cls: AutoIDException, message: 'Param auto_id must be bool type.' });
  });
  test('is_primary must be boolean', () =>
    rejects(() => new FieldSchema('x', DataType.INT64, { is_primary: 1 }), { cls: PrimaryKeyException, message: 'Param is_primary must be bool type.' }));
  test('partition key: type, count, existence', async () => {
    await rejects(() => new CollectionSchema([pk(), vec(), new FieldSchema('p', DataType.FLOAT, { is_partition_key: true })]), {
      cls: PartitionKeyException, message: 'Partition key field type must be DataType.INT64 or DataType.VARCHAR.',
    });
    await rejects(() => new CollectionSchema([pk(), vec(), new FieldSchema('p', DataType.INT64, { is_partition_key: true }),
      new FieldSchema('q', DataType.INT64, { is_partition_key: true })]), {
      cls: PartitionKeyException, message: 'Expected only one partition key field, got [p, q, ...].',
    });
    await rejects(() => new CollectionSchema([pk(), vec()], { partition_key_field: 'nope' }), {
      cls: PartitionKeyException, message: 'the specified partition key field {nope} not exist',
    });
  });
  test('default_value None needs a nullable field; objects are no default', async () => {
    await rejects(() => new FieldSchema('x', DataType.INT64, { default_value: null }), {
      cls: ParamError, message: 'Default value cannot be None for a field that is defined as nullable == false.',
    });
    new FieldSchema('x', DataType.INT64, { default_value: null, nullable: true });
    await rejects(() => new FieldSchema('x', DataType.JSON, { default_value: { a: 1 } }), {
      cls: ParamError, message: 'Default value unsupported data type',
    });
  });
  test('fields must be a list of FieldSchema', async () => {
    await rejects(() => new CollectionSchema('id'), { cls: FieldsTypeException, message: 'The fields of schema must be type list.' });
    await rejects(() => new CollectionSchema([{ name: 'id' }]), { cls: FieldTypeException, message: 'The field of schema type must be FieldSchema.' });
  });
});

describe('Collection(): pymilvus ORM and Milvus CreateCollection checks', () => {
  test('a vector field is required (ORM check first)', () =>
    rejects(() => create([pk()]), { cls: SchemaNotReadyException, code: 1, message: 'No vector field is found.' }));
  test('opening a missing collection needs a schema', () =>
    rejects(() => new Collection('never_created_here'), {
      cls: SchemaNotReadyException, message: "Collection 'never_created_here' not exist, or you can pass in schema to create one.",
    }));
  test('re-opening with another schema', async () => {
    const name = uniqueName('err');
    create([pk(), vec()], {}, name);
    create([pk(), vec()], {}, name); // the same schema opens it
    await rejects(() => create([pk(), vec('v', 8)], {}, name), {
      cls: SchemaNotReadyException, message: 'The collection already exist, but the schema is not the same as the schema passed in.',
    });
  });
  test('field and vector-field counts', async () => {
    await rejects(() => create([pk(), vec(), ...range(63, (i) => new FieldSchema(`f${i}`, DataType.INT8))]), {
      code: 65535, message: "maximum field's number should be limited to 64",
    });
    await rejects(() => create([pk(), ...range(5, (i) => vec(`v${i}`))]), { message: "maximum vector field's number should be limited to 4" });
  });
  test('collection names', async () => {
    // pymilvus refuses an empty name before asking the server (check_pass_param)
    await rejects(() => create([pk(), vec()], {}, ''), { cls: ParamError, code: 1, message: '`collection_name` value  is illegal' });
    await rejects(() => create([pk(), vec()], {}, '1abc'), {
      code: 1100, message: 'Invalid collection name: 1abc. the first character of a collection name must be an underscore or letter',
    });
    await rejects(() => create([pk(), vec()], {}, 'a-b'), {
      message: 'Invalid collection name: a-b. collection name can only contain numbers, letters and underscores',
    });
    await rejects(() => create([pk(), vec()], {}, 'x'.repeat(256)), { message: 'the length of a collection name must be less than 255 characters' });
  });
  test('field names', async () => {
    await rejects(() => create([pk(), vec(), new FieldSchema('9x', DataType.INT8)]), {
      message: 'Invalid field name: 9x. The first character of a field name must be an underscore or letter.',
    });
    await rejects(() => create([pk(), vec(), new FieldSchema('a b', DataType.INT8)]), {
      message: 'Invalid field name: a b. Field name can only contain numbers, letters, and underscores.',
    });
    await rejects(() => create([pk(), vec(), new FieldSchema('like', DataType.INT8)]), { message: 'Invalid field name: like. like is keyword in milvus.' });
    await rejects(() => create([pk(), vec(), new FieldSchema('', DataType.INT8)]), { message: 'field name should not be empty' });
    await rejects(() => create([pk(), vec(), new FieldSchema('v', DataType.INT8)]), { message: 'duplicated field name v found' });
  });
  test('vector dims', async () => {
    await rejects(() => create([pk(), new FieldSchema('v', DataType.FLOAT_VECTOR)]), {
      message: 'dimension is not defined in field type params of field v, check type param `dim` for vector field',
    });
    await rejects(() => create([pk(), vec('v', 1)]), { message: 'invalid dimension: 1. should be in range 2 ~ 32768' });
    await rejects(() => create([pk(), vec('v', 32769)]), {
      message: 'invalid dimension: 32769 of field v. float vector dimension should be in range 2 ~ 32768',
    });
    await rejects(() => create([pk(), new FieldSchema('b', DataType.BINARY_VECTOR, { dim: 12 })]), {
      message: 'invalid dimension: 12 of field b. binary vector dimension should be multiple of 8. ',
    });
    await rejects(() => create([pk(), new FieldSchema('s', DataType.SPARSE_FLOAT_VECTOR, { dim: 8 })]), {
      message: 'dim should not be specified for sparse vector field s(101)',
    });
  });
  test('VARCHAR max_length and ARRAY parameters', async () => {
    await rejects(() => create([pk(), vec(), new FieldSchema('s', DataType.VARCHAR)]), {
      message: 'type param(max_length) should be specified for varChar field(s) of collection',
    });
    await rejects(() => create([pk(), vec(), new FieldSchema('s', DataType.VARCHAR, { max_length: 65536 })]), {
      code: 1100, message: 'the maximum length specified for a VarChar field(s) should be in (0, 65535], but got 65536 instead',
    });
    await rejects(() => create([pk(), vec(), new FieldSchema('a', DataType.ARRAY, { element_type: DataType.INT8 })]), {
      message: 'type param(max_capacity) should be specified for array field a of collection',
    });
    await rejects(() => create([pk(), vec(), new FieldSchema('a', DataType.ARRAY, { element_type: DataType.INT8, max_capacity: 4097 })]), {
      message: 'the maximum capacity specified for a Array should be in (0, 4096]',
    });
    await rejects(() => create([pk(), vec(), new FieldSchema('a', DataType.ARRAY, { element_type: DataType.JSON, max_capacity: 4 })]), {
      message: 'element type JSON is not supported',
    });
  });
  test('nullable and default rules', async () => {
    await rejects(() => create([pk({ nullable: true }), vec()]), { code: 1100, message: 'primary field not support null' });
    await rejects(() => create([pk(), new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 4, nullable: true })]), {
      message: 'vector type not support null, type:FloatVector, name:v',
    });
    await rejects(() => create([pk(), vec(), new FieldSchema('i', DataType.INT8, { default_value: 300 })]), { message: 'default value out of range' });
    await rejects(() => create([pk(), vec(), new FieldSchema('i', DataType.INT64, { default_value: 'x' })]), {
      message: 'default value type mismatches field schema type',
    });
    await rejects(() => create([pk(), vec(), new FieldSchema('s', DataType.VARCHAR, { max_length: 2, default_value: 'abc' })]), {
      message: 'the length (3) of string exceeds max length (2)',
    });
  });
  test('partition keys', async () => {
    await rejects(() => create([pk(), vec(), new FieldSchema('p', DataType.INT64, { is_partition_key: true, nullable: true })]), {
      message: 'partition key field not support nullable',
    });
    await rejects(() => new Collection(uniqueName('err'), new CollectionSchema([pk(), vec()]), { num_partitions: 4 }), {
      message: 'num_partitions should only be specified with partition key field enabled',
    });
  });
});

describe('data errors leave the store unchanged (one bad row in 100)', () => {
  const schema = () => new CollectionSchema([
    pk(), vec(),
    new FieldSchema('i8', DataType.INT8),
    new FieldSchema('f', DataType.FLOAT),
    new FieldSchema('s', DataType.VARCHAR, { max_length: 4 }),
    new FieldSchema('j', DataType.JSON),
    new FieldSchema('a', DataType.ARRAY, { element_type: DataType.INT16, max_capacity: 3 }),
  ]);
  const good = (i) => ({ id: i, v: [i, 0, 0, 1], i8: i % 100, f: i / 2, s: `s${i % 100}`, j: { i }, a: [i % 7] });
  let c;
  const fresh = async () => {
    c = new Collection(uniqueName('data'), schema());
    await c.insert(range(20, (i) => good(1000 + i)));
    new Partition(c, 'p1');
    return c;
  };
  const batch = (bad) => range(100, (i) => (i === 57 ? { ...good(i), ...bad } : good(i)));
  const bad = (patch, expectation, op = 'upsert') => async () => {
    await fresh();
    const e = await rejectsUnchanged(c, () => c[op](batch(patch)), expectation);
    return e;
  };

  test('wrong type', bad({ i8: 'x' }, {
    cls: DataNotMatchException, code: 1,
    message: 'The Input data type is inconsistent with defined schema, {i8} field should be a int, but got a {string} instead.',
  }));
  test('INT8 out of range', async () => {
    const e = await bad({ i8: 300 }, { code: 1100, message: 'the 57th element (300) out of range: [-128, 127]' })();
    assert.equal(e.row, 57);
    assert.equal(e.field, 'i8');
  });
  test('NaN and Infinity in a FLOAT', async () => {
    await bad({ f: NaN }, { code: 65535, message: "value 'NaN' is not a number or infinity" })();
    await bad({ f: -Infinity }, { message: "value '-Inf' is not a number or infinity" })();
    await bad({ f: 1e39 }, { message: "value '+Inf' is not a number or infinity" })();
  });
  test('NaN in a vector', bad({ v: [0, NaN, 0, 0] }, { message: "value 'NaN' is not a number or infinity" }));
  test('vector of the wrong dim', bad({ v: [1, 2, 3] }, {
    code: 1100, message: 'the dim (3) of field data(v) is not equal to schema dim (4)',
  }));
  test('VARCHAR longer than max_length, in characters (pymilvus) and in UTF-8 bytes (Milvus)', async () => {
    await bad({ s: 'abcde' }, { cls: ParamError, message: 'invalid input of field (s), length of string exceeds max length. length: 5, max length: 4' })();
    await bad({ s: '日本' }, { code: 1100, message: 'length of varchar field s exceeds max length, row number: 57, length: 6, max length: 4' })();
  });
  test('VARCHAR given a number', bad({ s: 5 }, { cls: ParamError, message: 'field (s) expects string input, got: number' }));
  test('invalid JSON text in a JSON field', bad({ j: '{"a":' }, { cls: DataNotMatchException, message: 'Invalid JSON string' }));
  test('JSON longer than 64 KiB', bad({ j: { x: 'y'.repeat(70000) } }, { code: 1100, message: 'of json field (j) exceeds max length (65536)' }));
  test('JSON nested deeper than the parser allows', bad({ j: '['.repeat(10000) + ']'.repeat(10000) }, {
    cls: DataNotMatchException, message: 'Invalid JSON string',
  }));
  test('ARRAY over capacity, or of the wrong element type', async () => {
    await bad({ a: [1, 2, 3, 4] }, { code: 1100, message: 'the length (4) of 57th array exceeds max capacity (3)' })();
    await bad({ a: [1, 'x'] }, { cls: DataNotMatchException, message: '{a} field should be a array' })();
    await bad({ a: [40000] }, { cls: DataNotMatchException, message: 'out of range' })();
  });
  test('a missing field', bad({ s: undefined }, {
    cls: DataNotMatchException, message: 'Insert missed an field `s` to collection without set nullable==true or set default_value',
  }));
  test('null in a non-nullable field', bad({ s: null }, { cls: ParamError, message: 'field (s) expects a non-None input' }));
  test('an unexpected field without the dynamic field', bad({ extra: 1 }, {
    cls: DataNotMatchException, message: 'Attempt to insert an unexpected field `extra` to collection without enabling dynamic field',
  }));
  test('duplicate keys in one upsert batch', bad({ id: 3 }, { code: 1100, message: 'duplicate primary keys are not allowed in the same batch' }));
  test('a BigInt beyond int64', bad({ id: 2n ** 64n }, { cls: DataNotMatchException, message: 'Value out of range: 18446744073709551616' }));
  test('a non-integer key', bad({ id: 1.5 }, { cls: DataNotMatchException, message: '{id} field should be a int64, but got a {float} instead.' }));
  test('a partition that does not exist', async () => {
    await fresh();
    await rejectsUnchanged(c, () => c.upsert(batch({}), { partition_name: 'nope' }), { code: 200, message: 'partition not found[partition=nope]' });
  });
  test('column form: count and alignment', async () => {
    await fresh();
    await rejectsUnchanged(c, () => c.insert([[1], [[1, 2, 3, 4]]]), {
      cls: DataNotMatchException, message: "The data doesn't match with schema fields, expect 7 list, got 2",
    });
    await rejectsUnchanged(c, () => c.insert([[1, 2], [[1, 2, 3, 4]], [1, 2], [1, 2], ['a', 'b'], [{}, {}], [[1], [2]]]), {
      cls: ParamError, message: 'Field data size misaligned for field [v] got size=[1] alignment size=[2]',
    });
  });
});

describe('auto_id', () => {
  const schema = () => new CollectionSchema([pk({ auto_id: true }), vec()]);
  test('insert generates keys; supplying one is refused', async () => {
    const c = new Collection(uniqueName('auto'), schema());
    const res = await c.insert([{ v: [1, 1, 1, 1] }, { v: [2, 2, 2, 2] }]);
    assert.equal(res.primary_keys.length, 2);
    assert.ok(res.primary_keys.every((k) => typeof k === 'bigint' || Number.isSafeInteger(k)));
    assert.notEqual(res.primary_keys[0], res.primary_keys[1]);
    await rejectsUnchanged(c, () => c.insert([{ id: 5, v: [1, 1, 1, 1] }]), {
      code: 1100, message: 'can not assign primary field data when auto id enabled id',
    });
    // column form leaves the key column out on insert
    const r2 = await c.insert([[[3, 3, 3, 3]]]);
    assert.equal(r2.insert_count, 1);
  });
  test('upsert needs the key and replaces it with a new one', async () => {
    const c = new Collection(uniqueName('auto'), schema());
    const [k] = (await c.insert([{ v: [1, 1, 1, 1] }])).primary_keys;
    await rejectsUnchanged(c, () => c.upsert([{ v: [2, 2, 2, 2] }]), { code: 1100, message: 'must assign pk when upsert, primary field: id' });
    const res = await c.upsert([{ id: k, v: [9, 9, 9, 9] }]);
    assert.equal(res.upsert_count, 1);
    assert.notEqual(res.primary_keys[0], k);
    assert.deepEqual(await c.get([k]), []);
    assert.deepEqual(await c.get(res.primary_keys, { output_fields: ['v'] }), [{ id: res.primary_keys[0], v: [9, 9, 9, 9] }]);
    assert.equal(c.num_entities, 1);
  });
});

describe('partitions', () => {
  test('names, _default, idempotence', async () => {
    const c = create([pk(), vec()]);
    await rejects(() => new Partition(c, 'a-b'), { message: 'Invalid partition name: a-b. Partition name can only contain numbers, letters and underscores.' });
    await rejects(() => new Partition(c, ''), { message: 'Invalid partition name: . Partition name should not be empty.' });
    await rejects(() => c.drop_partition('_default'), { message: 'default partition cannot be deleted' });
    new Partition(c, 'p');
    new Partition(c, 'p');
    c.drop_partition('p');
    c.drop_partition('p');
    assert.deepEqual(c.partitions.map((p) => p.name), ['_default']);
  });
  test('partition-key collections route rows and refuse partition names', async () => {
    const c = new Collection(uniqueName('pk'), new CollectionSchema([pk(), vec(), new FieldSchema('tenant', DataType.VARCHAR, { max_length: 8, is_partition_key: true })]), { num_partitions: 4 });
    assert.equal(c.partitions.length, 4);
    await rejects(() => c.create_partition('x'), { message: 'disable create partition if partition key mode is used' });
    await rejects(() => c.insert([{ id: 1, v: [1, 1, 1, 1], tenant: 'a' }], { partition_name: '_default_0' }), {
      message: 'not support manually specifying the partition names if partition key mode is used',
    });
    await c.insert(range(40, (i) => ({ id: i, v: [i, 1, 1, 1], tenant: `t${i % 5}` })));
    assert.equal(c.num_entities, 40);
    // upsert deletes the key across all partitions, even when the partition key changes
    await c.upsert([{ id: 3, v: [0, 0, 0, 0], tenant: 'zzz' }]);
    assert.equal(c.num_entities, 40);
    assert.deepEqual(await c.get([3], { output_fields: ['tenant'] }), [{ id: 3, tenant: 'zzz' }]);
  });
});

describe('query, get and delete', () => {
  test('errors', async () => {
    const c = create([pk(), vec()]);
    await rejects(() => c.query(''), { code: 1100, message: 'empty expression should be used with limit' });
    await rejects(() => c.query('', { limit: 0 }), { code: 1100, message: 'invalid max query result window, limit [0] is invalid, should be greater than 0: invalid parameter' });
    await rejects(() => c.query('', { limit: 10, offset: -1 }), { code: 1100, message: 'invalid max query result window, offset [-1] is invalid, should be gte than 0: invalid parameter' });
    await rejects(() => c.query('', { limit: 16000, offset: 1000 }), { code: 1100, message: 'invalid max query result window, (offset+limit) should be in range [1, 16384], but got 17000: invalid parameter' });
    await rejects(() => c.query('', { output_fields: ['count(*)'], limit: 5 }), { message: 'count entities with pagination is not allowed' });
    await rejects(() => c.query('id in [1', {}), { code: 1100, message: 'cannot parse expression: id in [1' });
    await rejects(() => c.query('nope == 1', {}), { message: 'field nope not exist' });
    await rejects(() => c.query('', { limit: 1, output_fields: ['nope'] }), { message: 'field nope not exist' });
    await rejects(() => c.query('', { limit: 1, partition_names: ['nope'] }), { code: 65535, message: 'partition name nope not found' });
    // pymilvus refuses an empty filter before sending it (Prepare.delete_request)
    await rejects(() => c.delete(''), { cls: ParamError, code: 1, message: "Illegal str variables: {'filter': ''}, expect non-empty str" });
    await rejects(() => c.delete(' '), { code: 1100, message: 'invalid expression: invalid parameter[expected=valid expr][actual=empty expr]' });
    await rejects(() => c.delete(5), { cls: ParamError, message: 'The type of expr must be string' });
  });
  test('a dropped collection is reported', async () => {
    const c = create([pk(), vec()]);
    c.drop();
    await rejects(() => c.insert([{ id: 1, v: [1, 1, 1, 1] }]), { code: 100, message: "can't find collection[database=default][collection=" });
    assert.ok(MilvusException);
  });
});
