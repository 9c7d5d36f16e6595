// Hostile input through the JS API (issue 6, items 2 and 3): each case gets a MilvusException and
// leaves the collection exactly as it was (rejectsUnchanged compares count and every row); keys
// named __proto__ / constructor stay plain data; the memory ceiling of init({ memory_limit })
// refuses with Milvus's quota error instead of aborting. The C side of the same list is
// tests/unit/test_hostile.c.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, CollectionSchema, FieldSchema, DataType, MilvusException, memoryUsage } from 'partita';
import { rejects, rejectsUnchanged, snapshot, uniqueName } from './support/helpers.mjs';

await init();

function fresh() {
  const schema = new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
    new FieldSchema('s', DataType.VARCHAR, { max_length: 4, nullable: true }),
    new FieldSchema('j', DataType.JSON, { nullable: true }),
    new FieldSchema('i32', DataType.INT32, { nullable: true }),
  ], { enable_dynamic_field: true });
  const c = new Collection(uniqueName('hostile'), schema);
  c.insert([{ id: 1, v: [1, 2], s: 'ab', j: { a: 1 } }, { id: 2, v: [3, 4], k: 'x' }]);
  return c;
}

const deep = (n, open, inner, close) => open.repeat(n) + inner + close.repeat(n);

describe('hostile input: a MilvusException, the store unchanged', () => {
  const c = fresh();
  after(() => c.drop());

  test('JSON nested 10,000 deep: a JSON field, a dynamic value, JSON text', async () => {
    let nested = 1;
    for (let i = 0; i < 10000; i++) nested = [nested];
    await rejectsUnchanged(c, () => c.insert([{ id: 9, v: [0, 1], j: nested }]), { message: 'nest' });
    await rejectsUnchanged(c, () => c.upsert([{ id: 9, v: [0, 1], extra: nested }]), { message: 'nest' });
    await rejectsUnchanged(c, () => c.insert([{ id: 9, v: [0, 1], j: deep(10000, '[', '1', ']') }]), { message: 'Invalid JSON' });
  });

  test('strings over max_length in UTF-8 bytes, lone surrogates', async () => {
    await rejectsUnchanged(c, () => c.insert([{ id: 9, v: [0, 1], s: '日本' }]), { message: 'length: 6, max length: 4' });
    await rejectsUnchanged(c, () => c.insert([{ id: 9, v: [0, 1], s: 'ab\ud800' }]), { message: 'not valid UTF-8' });
    // JSON.stringify writes a lone surrogate as the escape \udc00, which cJSON refuses
    await rejectsUnchanged(c, () => c.upsert([{ id: 9, v: [0, 1], extra: 'x\udc00' }]), { message: /not valid UTF-8|Invalid JSON/ });
    // (requests are JSON text too: the escaped lone surrogate is refused the same way)
    await rejectsUnchanged(c, () => c.query('s == "\ud800"'), { message: /UTF-8|not valid JSON/ });
  });

  test('strings on either side of the encoder\'s short/long split read back exactly; a lone surrogate anywhere is refused', async () => {
    // the engine writes a column of ASCII strings a char at a time up to 32 chars and by
    // encodeInto beyond; anything else makes it write the column again, as WTF-8
    const w = new Collection(uniqueName('strs'), new CollectionSchema([
      new FieldSchema('id', DataType.INT64, { is_primary: true }),
      new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
      new FieldSchema('s', DataType.VARCHAR, { max_length: 200 }),
    ]));
    try {
      const values = ['', 'a', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(33), 'q'.repeat(100), 'é'.repeat(20),
        'a'.repeat(40) + 'é', '日本'.repeat(20), 'a'.repeat(35) + '\u{1F600}', 'b'.repeat(5) + '\u{1F600}'];
      const n = values.length;
      await w.insert([Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, () => [0, 1]), values]);
      await w.insert(values.map((s, i) => ({ id: 100 + i, v: [0, 1], s })));
      const got = await w.query('id >= 0', { output_fields: ['s'] });
      const byId = new Map(got.map((r) => [r.id, r.s]));
      values.forEach((s, i) => {
        assert.equal(byId.get(i), s, `columns form, value ${i}`);
        assert.equal(byId.get(100 + i), s, `rows form, value ${i}`);
      });
      for (const bad of ['a'.repeat(40) + '\ud800', '\udc00' + 'a'.repeat(40), 'a'.repeat(10) + '\ud800b'])
        for (const data of [[[9], [[0, 1]], [bad]], [{ id: 9, v: [0, 1], s: bad }]])
          await rejectsUnchanged(w, () => w.insert(data), { message: 'not valid UTF-8' });
    } finally {
      await w.drop();
    }
  });

  test('NaN and Infinity in vectors and in search vectors', async () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      await rejectsUnchanged(c, () => c.insert([{ id: 9, v: [0, bad] }]), { message: /NaN|Inf/ });
      await rejectsUnchanged(c, () => c.upsert([{ id: 1, v: new Float32Array([bad, 0]) }]), { message: /NaN|Inf/ });
      await rejectsUnchanged(c, () => c.search([[bad, 1]], 'v', {}, 1), { message: /NaN|Inf/ });
    }
  });

  test('dims and capacities over the limits', async () => {
    const make = (f) => () => new Collection(uniqueName('lim'), new CollectionSchema([
      new FieldSchema('id', DataType.INT64, { is_primary: true }), new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }), f]));
    await rejects(make(new FieldSchema('w', DataType.FLOAT_VECTOR, { dim: 32769 })), { message: 'dim' });
    await rejects(make(new FieldSchema('w', DataType.FLOAT_VECTOR, { dim: 2 ** 40 })), { message: 'dim' });
    await rejects(make(new FieldSchema('a', DataType.ARRAY, { element_type: DataType.INT64, max_capacity: 4097 })), { message: '4096' });
    await rejects(make(new FieldSchema('t', DataType.VARCHAR, { max_length: 65536 })), { message: '65535' });
  });

  test('batches over the size limit', async () => {
    const big = 'x'.repeat(1 << 20);
    const rows = Array.from({ length: 70 }, (_, i) => ({ id: 100 + i, v: [0, 1], pad: big }));
    await rejectsUnchanged(c, () => c.insert(rows), { message: /exceeds|too large|size/ });
  });

  test('filter expressions nested 10,000 deep', async () => {
    for (const expr of [deep(10000, '(', 'id > 0', ')'), deep(10000, 'not ', 'id > 0', ''), 'id in ' + deep(10000, '[', '1', ']')]) {
      await rejectsUnchanged(c, () => c.query(expr), { message: 'cannot parse expression' });
      await rejectsUnchanged(c, () => c.delete(expr), { message: 'cannot parse expression' });
      await rejectsUnchanged(c, () => c.search([[1, 1]], 'v', {}, 1, expr), { message: 'cannot parse expression' });
    }
  });

  test('BigInt overflow: int64 keys and INT32 values', async () => {
    await rejectsUnchanged(c, () => c.insert([{ id: 2n ** 63n, v: [0, 1] }]), { message: 'out of range' });
    await rejectsUnchanged(c, () => c.insert([{ id: -(2n ** 63n) - 1n, v: [0, 1] }]), { message: 'out of range' });
    await rejectsUnchanged(c, () => c.insert([{ id: 9, v: [0, 1], i32: 2n ** 31n }]), { message: 'out of range' });
    await rejectsUnchanged(c, () => c.delete(`id in [${2n ** 64n}]`), {});
  });
});

test('a write started from a getter of a row being written is refused; the outer write is applied whole', async () => {
  // the rows of a write are read into buffers reused from write to write: a second write started
  // while they are read would overwrite the first one's columns (it used to store the inner
  // write's keys with the outer write's vectors)
  const c = fresh();
  try {
    let inner;
    const rows = [
      { id: 10, v: [1, 1] },
      { id: 11, get v() { inner = c.insert([{ id: 100, v: [9, 9] }, { id: 101, v: [8, 8] }]); return [2, 2]; } },
      { id: 12, v: [3, 3] },
    ];
    const res = await c.insert(rows);
    assert.deepEqual(res.primary_keys, [10, 11, 12]);
    await rejects(() => inner, { code: 1, message: 'a write was started while the rows of another write were being read' });
    const got = await c.query('id >= 10', { output_fields: ['v'] });
    assert.deepEqual(got.sort((a, b) => a.id - b.id), [{ id: 10, v: [1, 1] }, { id: 11, v: [2, 2] }, { id: 12, v: [3, 3] }]);
    // and the next write goes through
    await c.insert([{ id: 13, v: [4, 4] }]);
    assert.equal(c.num_entities, 2 + 4);
  } finally {
    c.drop();
  }
});

describe('__proto__ and constructor are plain data', () => {
  test('dynamic keys, JSON members and a field named __proto__: no prototype pollution', async () => {
    const schema = new CollectionSchema([
      new FieldSchema('id', DataType.INT64, { is_primary: true }),
      new FieldSchema('__proto__', DataType.FLOAT_VECTOR, { dim: 2 }),
      new FieldSchema('constructor', DataType.INT64),
    ], { enable_dynamic_field: true });
    const c = new Collection(uniqueName('proto'), schema);
    try {
      const row = JSON.parse('{"id":1,"__proto__":[1,2],"constructor":7,"prototype":{"__proto__":{"polluted":1}},"toString":3}');
      c.insert([row]);
      const [got] = await c.query('constructor == 7', { output_fields: ['*'] });
      assert.ok(Object.hasOwn(got, '__proto__'), 'a field named __proto__ is an own property');
      assert.deepEqual(Array.from(got.__proto__), [1, 2]);
      assert.equal(Object.getPrototypeOf(got), Object.prototype);
      assert.equal(got.constructor, 7);
      assert.equal(got.toString, 3);
      assert.ok(Object.hasOwn(got.prototype, '__proto__'));
      assert.equal(({}).polluted, undefined);
      assert.equal(Object.prototype.polluted, undefined);
      const hits = await c.search([[1, 2]], '__proto__', {}, 1, '', { output_fields: ['constructor', 'toString'] });
      assert.equal(hits[0][0].entity.constructor, 7);
      assert.equal(({}).polluted, undefined);
    } finally {
      c.drop();
    }
  });
});

describe('sizes are checked before anything of their size is allocated (issue 13)', () => {
  // lists that claim lengths the batch limit or the nq limit cannot hold: each is refused in
  // milliseconds with Milvus's error; before, several killed Node with an uncatchable OOM
  const holey = (n, first) => {
    const a = [];
    if (first !== undefined) a[0] = first;
    a.length = n;
    return a;
  };
  const tooLarge = { code: 1102, message: 'insert request size exceeds maxInsertSize' };
  const tooMany = { code: 1100, message: 'nq [' };

  test('a batch of 3e8 rows, a column of 3e8 values, a Proxy claiming 1e12 rows, an Arrow table of 3e8', async () => {
    const c = fresh();
    try {
      await rejectsUnchanged(c, () => c.insert(holey(3e8, { id: 9, v: [0, 1] })), { ...tooLarge, message: 'maxInsertSize: 6000000000 bytes' }); // 8 + 8 + 4 bytes a row
      await rejectsUnchanged(c, () => c.upsert(holey(3e8, { id: 9, v: [0, 1] })), tooLarge);
      await rejectsUnchanged(c, () => c.insert([holey(3e8, 9), [[0, 1]], ['a'], [null], [null]]), tooLarge);
      await rejectsUnchanged(c, () => c.insert(new Proxy([{ id: 9, v: [0, 1] }], { get: (o, k) => (k === 'length' ? 1e12 : o[0]) })), tooLarge);
      await rejectsUnchanged(c, () => c.insert({ numRows: 3e8, schema: { fields: [{ name: 'id' }] }, getChild: () => ({ nullCount: 0, data: [], get: () => 1 }) }), tooLarge);
      // 3e8 columns: their number is refused (or the list of them cannot even be allocated)
      await rejectsUnchanged(c, () => c.insert(holey(3e8)), {});
      await rejectsUnchanged(c, () => c.insert(holey(9)), { message: "The data doesn't match with schema fields, expect 5 list, got 9" });
      // with no fixed-width field, each row counts one byte
      const v = new Collection(uniqueName('var'), new CollectionSchema([
        new FieldSchema('k', DataType.VARCHAR, { is_primary: true, max_length: 8 }), new FieldSchema('sv', DataType.SPARSE_FLOAT_VECTOR)]));
      await rejects(() => v.insert(holey(3e8, { k: 'a', sv: { 1: 1 } })), { ...tooLarge, message: 'maxInsertSize: 300000000 bytes' });
      v.drop();
    } finally {
      c.drop();
    }
  });

  test('3e8 query vectors (lists, sparse, flat), a list of 3e8 ids, a Proxy of endless ids', async () => {
    const c = fresh();
    try {
      await rejects(() => c.search(holey(3e8, [0, 1]), 'v', {}, 1), { ...tooMany, message: 'nq [300000000] is invalid' });
      await rejects(() => c.search(new Float32Array(2 * 16385), 'v', {}, 1), { ...tooMany, message: 'nq [16385] is invalid' });
      const sp = new Collection(uniqueName('sp'), new CollectionSchema([
        new FieldSchema('k', DataType.INT64, { is_primary: true }), new FieldSchema('sv', DataType.SPARSE_FLOAT_VECTOR)]));
      await rejects(() => sp.search(holey(3e8, { 1: 1 }), 'sv', {}, 1), { ...tooMany, message: 'nq [300000000] is invalid' });
      sp.drop();
      await rejects(() => c.get(holey(3e8, 1)), { message: 'primary key undefined is not an integer' });
      // keys are read up to the expression's limit (1 MiB), and the core refuses the rest
      await rejects(() => c.get(new Proxy([1], { get: (_o, k) => (k === 'length' ? 3e8 : 1) })),
        { code: 1100, message: /the expression is 10485\d\d bytes long, the limit is 1048576/ });
    } finally {
      c.drop();
    }
  });
});

describe('memory ceiling: init({ memory_limit })', () => {
  test('a write past the ceiling is a quota error and changes nothing; lifting it lets it through', async () => {
    const c = fresh();
    try {
      const info = await init({ memory_limit: 0 });
      assert.equal(info.memory_limit, 0);
      const before = await snapshot(c);
      const rows = Array.from({ length: 20000 }, (_, i) => ({ id: 1000 + i, v: [i, 1], s: 'abcd' }));
      const { memory_limit } = await init({ memory_limit: 1 }); // below what is in use: no growth
      assert.equal(memory_limit, 1);
      const e = await rejects(() => c.insert(rows), { code: 9, message: 'memory quota exceeded, please allocate more resources' });
      assert.ok(e instanceof MilvusException);
      await init({ memory_limit: null });
      assert.deepEqual(await snapshot(c), before);
      c.insert(rows);
      assert.equal(c.num_entities, 2 + rows.length);
    } finally {
      await init({ memory_limit: 0 });
      c.drop();
    }
  });
  test('at and far above the ceiling, drop, drop_partition, delete and compact still work and free memory', async () => {
    const schema = new CollectionSchema([
      new FieldSchema('id', DataType.INT64, { is_primary: true }),
      new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 64 }),
      new FieldSchema('s', DataType.VARCHAR, { max_length: 16 }),
    ]);
    const name = uniqueName('ceiling');
    const c = new Collection(name, schema);
    try {
      const p = c.create_partition('p');
      const rows = (from, n) => Array.from({ length: n }, (_, i) => ({ id: from + i, v: new Array(64).fill(i % 7), s: `r${i}` }));
      for (let k = 0; k < 4; k++) await c.insert(rows(k * 5000, 5000));
      await p.insert(rows(100000, 500));
      const other = fresh();
      const full = memoryUsage().used;
      // exactly at the ceiling: growth is refused, freeing is not
      await init({ memory_limit: full });
      await rejects(() => c.insert(rows(200000, 1)), { code: 9, message: 'memory quota exceeded' });
      assert.equal((await c.delete('id % 2 == 0')).delete_count, 10250);
      await c.compact();
      const compacted = memoryUsage().used;
      assert.ok(compacted < full, `${compacted} < ${full}`);
      assert.equal(c.num_entities, 10250);
      // far above it (a ceiling of 1 byte): the same, and the drops
      await init({ memory_limit: 1 });
      assert.equal((await p.delete('id in [100001, 100003]')).delete_count, 2);
      await c.compact();
      c.drop_partition('p');
      assert.ok(memoryUsage().used < compacted);
      other.drop();
      c.drop();
      assert.ok(memoryUsage().used < full / 2);
      await init({ memory_limit: 0 });
      await rejects(() => new Collection(name), { message: 'not exist' });
    } finally {
      await init({ memory_limit: 0 });
      try { c.drop(); } catch {}
    }
  });
  test('bad ceilings are refused', async () => {
    for (const bad of [-1, 1.5, '100', NaN]) await rejects(() => init({ memory_limit: bad }), { code: 1, message: 'memory_limit' });
  });
});

test('rows with another prototype give what they own; a Proxy in a row\'s or a vector\'s prototype chain', async () => {
  const c = fresh();
  try {
    // inherited values (a data property, a class's getter) are not the row's: absent, so null
    const proto = { s: 'zz', i32: 5, k: 'dyn' };
    const a = Object.assign(Object.create(proto), { id: 10, v: [1, 1] });
    class Row { constructor(id) { this.id = id; this.v = new Float32Array([2, 2]); } get s() { return 'no'; } }
    await c.insert([a, new Row(11)]);
    // a row whose prototype is a Proxy: its traps run while the row is read (the read phase),
    // and what the row owns is what is stored
    const asked = [];
    const viaProxy = Object.assign(Object.create(new Proxy({}, { get(t, k, r) { asked.push(k); return Reflect.get(t, k, r); } })), { id: 12, v: [3, 3], s: 'own' });
    await c.insert([viaProxy]);
    assert.ok(asked.length > 0, 'the prototype was asked for the fields the row does not own');
    // a Proxy row that throws for any key it does not know but the well-known symbols (as
    // strict-access wrappers do): asked only for its fields and what every object is asked
    const known = new Set(Object.getOwnPropertyNames(Symbol).map((k) => Symbol[k]).filter((x) => typeof x === 'symbol'));
    const strict = new Proxy({ id: 13, v: [5, 5], s: 'st', j: { a: 2 }, i32: 7 }, {
      get(t, k, r) {
        if (typeof k === 'symbol' ? !known.has(k) : !(k in t)) throw new Error(`strict row: no ${String(k)}`);
        return Reflect.get(t, k, r);
      },
    });
    await c.insert([strict]);
    const got = await c.query('id >= 10', { output_fields: ['v', 's', 'i32', 'j', 'k'] });
    assert.deepEqual(got.sort((x, y) => x.id - y.id), [
      { id: 10, v: [1, 1], s: null, i32: null, j: null },
      { id: 11, v: [2, 2], s: null, i32: null, j: null },
      { id: 12, v: [3, 3], s: 'own', i32: null, j: null },
      { id: 13, v: [5, 5], s: 'st', i32: 7, j: { a: 2 } },
    ]);
    // a Float32Array whose prototype chain holds a Proxy that detaches the array's buffer the
    // first time it is asked anything: whenever that happens during the read, the vector is
    // measured after it (refused as empty), or was read before it (stored as it was) — never a
    // mix of the two, never bytes from a detached buffer
    const v = new Float32Array([4, 4]), buffer = v.buffer;
    let detached = false;
    Object.setPrototypeOf(v, new Proxy(Float32Array.prototype, {
      get(t, k, r) {
        if (!detached) (detached = true), structuredClone(buffer, { transfer: [buffer] });
        return Reflect.get(t, k, r);
      },
    }));
    const before = await snapshot(c);
    try {
      await c.insert([{ id: 14, v }]);
      assert.equal(detached, false, 'stored although the buffer was detached while the row was read');
      assert.deepEqual((await c.query('id == 14', { output_fields: ['v'] }))[0].v, [4, 4]);
    } catch (e) {
      if (!(e instanceof MilvusException)) throw e;
      assert.ok(detached, 'refused although nothing changed');
      assert.match(e.message, /dim|length/);
      assert.deepEqual(await snapshot(c), before);
    }
  } finally {
    c.drop();
  }
});
