// Re-entrancy (issue 13, item 1): the caller's code that runs while a call reads its values (a
// getter, a Proxy, toJSON) may drop, create, write, read, delete, compact, drop partitions, load
// snapshots or close the store. Each call must then either complete correctly, as if that code
// had run before it, or fail with a clean MilvusException and change nothing.
//
// The oracle is a twin store: the same setup in two connections; in `real` the action runs from
// inside the call's values, in `twin` the action runs first and then the same call with plain
// values. A call that succeeds in `real` must give the twin's answer and leave the twin's state; a
// call that fails must fail with a MilvusException and leave the state the action alone left.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, connections, Collection, Partition, CollectionSchema, FieldSchema, DataType, MilvusException,
} from 'partita';
import { createHandler } from 'partita/server';

await init();

const schema = (dim = 4) => new CollectionSchema([
  new FieldSchema('id', DataType.INT64, { is_primary: true }),
  new FieldSchema('v', DataType.FLOAT_VECTOR, { dim }),
  new FieldSchema('s', DataType.VARCHAR, { max_length: 16, nullable: true }),
  new FieldSchema('j', DataType.JSON, { nullable: true }),
], { enable_dynamic_field: true });
// another layout under the same name: the vector field is narrower and elsewhere
const otherSchema = () => new CollectionSchema([
  new FieldSchema('id', DataType.INT64, { is_primary: true }),
  new FieldSchema('w', DataType.VARCHAR, { max_length: 4, nullable: true }),
  new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
]);

const vec = (i) => [i, 1, 0, i % 3];
const NAMES = ['c', 'c2', 'c3'];

/** A fresh store under `using` with collection c: rows 1..6 (2 and 5 in partition p). */
function setup(using) {
  connections.remove_connection(using);
  connections.connect(using);
  const c = new Collection('c', schema(), { using });
  c.create_partition('p');
  c.insert([1, 3, 4, 6].map((id) => ({ id, v: vec(id), s: `s${id}`, j: { k: id }, extra: id })));
  c.insert([2, 5].map((id) => ({ id, v: vec(id), s: `s${id}` })), { partition_name: 'p' });
}

/** Everything in a store, comparable: each known collection's schema, partitions and rows. */
async function state(using) {
  const out = {};
  for (const name of NAMES) {
    let c;
    try {
      c = new Collection(name, { using });
    } catch {
      continue;
    }
    const parts = {};
    for (const p of c.partitions) parts[p.name] = await c.query('', { output_fields: ['*'], limit: 16384, partition_names: [p.name] });
    out[name] = { schema: String(c.schema), parts };
  }
  return JSON.parse(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
}

/** A result, comparable (timestamps differ between two stores). */
function comparable(r) {
  return JSON.parse(JSON.stringify(r, (k, v) => (k === 'timestamp' ? undefined : typeof v === 'bigint' ? `${v}n` : v)));
}

const coll = (using) => new Collection('c', { using });

// ---- actions: what the caller's code does from inside a call --------------------------------
// Each returns a promise of its outcome (mutations of the embedded store happen synchronously;
// their promises only settle later).

const ACTIONS = {
  'drop the collection': (using) => coll(using).drop(),
  'drop it and create it again': (using) => {
    coll(using).drop();
    new Collection('c', schema(), { using });
  },
  'drop it and create another layout under its name': (using) => {
    coll(using).drop();
    new Collection('c', otherSchema(), { using });
  },
  'create another collection': (using) => new Collection('c2', schema(), { using }),
  'insert into it': (using) => coll(using).insert([{ id: 40, v: vec(40), s: 'n' }]),
  'upsert into it': (using) => coll(using).upsert([{ id: 1, v: vec(7), s: 'u' }]),
  'search and query it': (using) => Promise.all([coll(using).search([vec(1)], 'v', { metric_type: 'L2' }, 3), coll(using).query('id > 2')]),
  'delete from it and compact it': async (using) => {
    const c = coll(using);
    const d = c.delete('id in [1, 3, 4]');
    const k = c.compact();
    return Promise.all([d, k]);
  },
  'drop its partition p': (using) => coll(using).drop_partition('p'),
  'create a partition q': (using) => coll(using).create_partition('q'),
  'load a snapshot of it as c3': (using) => Collection.load(coll(using).save(), { name: 'c3', using }),
  'close the store': (using) => {
    connections.remove_connection(using);
    connections.connect(using);
  },
};

// ---- entry points: calls whose values run the action (t) when they are read ----------------
// `t` is called at most once per call; in the twin it does nothing.

/** An array whose element i is a getter that calls t first. */
function withGetter(values, i, t) {
  const a = [...values];
  Object.defineProperty(a, i, { get: () => (t(), values[i]), enumerable: true });
  return a;
}

/** A Proxy of `target` whose every property read calls t first. */
const spy = (target, t) => new Proxy(target, { get: (o, k, r) => (t(), Reflect.get(o, k, r)) });

const ENTRIES = {
  'insert rows: a getter in a row': ({ c, t }) => c.insert([{ id: 20, v: vec(20) }, { id: 21, v: vec(21), get s() { t(); return 'g'; } }]),
  'insert rows: a Proxy row': ({ c, t }) => c.insert([{ id: 20, v: vec(20) }, spy({ id: 21, v: vec(21), s: 'p' }, t)]),
  'insert rows: a Proxy of the list': ({ c, t }) => c.insert(spy([{ id: 20, v: vec(20) }, { id: 21, v: vec(21) }], t)),
  'insert rows: a getter in a vector': ({ c, t }) => c.insert([{ id: 20, v: vec(20) }, { id: 21, v: withGetter(vec(21), 2, t) }]),
  'insert rows: toJSON in a JSON value': ({ c, t }) => c.insert([{ id: 20, v: vec(20), j: { toJSON: () => (t(), { a: 1 }) } }]),
  'insert rows: a dynamic key read through a Proxy': ({ c, t }) => c.insert([{ id: 20, v: vec(20), dyn: spy({ x: 1 }, t) }]),
  'upsert rows: a getter in a row': ({ c, t }) => c.upsert([{ id: 3, v: vec(30), get s() { t(); return 'u'; } }, { id: 22, v: vec(22) }]),
  'insert columns: a getter in the key column': ({ c, t }) => c.insert([withGetter([20, 21], 1, t), [vec(20), vec(21)], ['a', 'b'], [null, { q: 1 }]]),
  'insert columns: typed columns, a getter in the strings': ({ c, t }) =>
    c.insert([BigInt64Array.from([20n, 21n]), Float32Array.from([...vec(20), ...vec(21)]), withGetter(['a', 'b'], 0, t), [null, null]]),
  'insert an Arrow-like table: getChild': ({ c, t }) => {
    const cols = { id: [20, 21], v: [vec(20), vec(21)], s: ['a', null] };
    return c.insert({
      numRows: 2,
      schema: { fields: Object.keys(cols).map((name) => ({ name })) },
      getChild: (name) => (t(), { nullCount: 1, data: [], get: (i) => cols[name][i] }),
    });
  },
  'delete: a getter in the options': ({ c, t }) => c.delete('id in [1, 2, 6]', { get timeout() { t(); return undefined; } }),
  'query: output_fields read through a Proxy': ({ c, t }) => c.query('id > 0', { output_fields: spy(['id', 's', 'extra'], t), limit: 100 }),
  'query: toJSON in limit': ({ c, t }) => c.query('id > 0', { output_fields: ['*'], limit: { toJSON: () => (t(), 4) } }),
  'get: a getter in the ids': ({ c, t }) => c.get(withGetter([1, 2, 3, 40], 1, t), { output_fields: ['id', 's'] }),
  'search: a getter in a query vector': ({ c, t }) => c.search([vec(1), withGetter(vec(2), 1, t)], 'v', { metric_type: 'L2' }, 3, '', { output_fields: ['s'] }),
  'search: toJSON in params': ({ c, t }) => c.search([vec(1)], 'v', { metric_type: 'L2', params: { toJSON: () => (t(), {}) } }, 4),
  'search: output_fields as a Proxy': ({ c, t }) => c.search([vec(4)], 'v', { metric_type: 'IP' }, 3, 'id >= 0', { output_fields: spy(['id', 's', '$meta'], t) }),
  'search: a getter in options, a flat typed array of vectors': ({ c, t }) =>
    c.search(Float32Array.from([...vec(1), ...vec(5)]), 'v', { metric_type: 'L2' }, 2, '', { get round_decimal() { t(); return 2; } }),
  'Partition.insert: a getter in a row': ({ c, t }) => c.partition('p').insert([{ id: 23, v: vec(23), get s() { t(); return 'pp'; } }]),
  'Partition.search: a getter in a vector': ({ c, t }) => c.partition('p').search([withGetter(vec(5), 0, t)], 'v', { metric_type: 'L2' }, 5),
  'Partition.query and get: getters in options and ids': async ({ c, t }) => {
    const p = c.partition('p');
    return [await p.query('id > 0', { get output_fields() { t(); return ['id']; } }), await p.get(withGetter([2, 5], 0, t))];
  },
  'Partition.delete: a getter in the options': ({ c, t }) => c.partition('p').delete('id in [2]', { get timeout() { t(); return undefined; } }),
};

async function settle(p) {
  try {
    await p;
    return true;
  } catch (e) {
    assert.ok(e instanceof MilvusException, `the action failed with ${e?.constructor?.name}: ${e?.message}`);
    return false;
  }
}

async function runCase(entry, action) {
  setup('real');
  setup('twin');
  let fired = null;
  const t = () => {
    if (fired) return;
    try {
      fired = Promise.resolve(action('real'));
    } catch (e) {
      fired = Promise.reject(e);
    }
    fired.catch(() => {});
  };
  let result, error;
  try {
    result = await entry({ c: coll('real'), t });
  } catch (e) {
    error = e;
  }
  assert.ok(fired, 'the call never read the value that runs the action');
  if (error !== undefined)
    assert.ok(error instanceof MilvusException, `expected a MilvusException, got ${error?.constructor?.name}: ${error?.message}`);
  const applied = await settle(fired);
  // the twin: the action first (as far as it went), then the same call with plain values
  if (applied) await action('twin');
  const afterAction = await state('twin');
  let twinResult, twinError;
  try {
    twinResult = await entry({ c: coll('twin'), t: () => {} });
  } catch (e) {
    twinError = e;
  }
  if (error !== undefined) {
    assert.deepEqual(await state('real'), afterAction, `the failed call (${error.message}) changed the store`);
  } else {
    assert.equal(twinError, undefined, `the call succeeded, but fails after the action: ${twinError?.message}`);
    assert.deepEqual(comparable(result), comparable(twinResult), 'the answer differs from the same call after the action');
    assert.deepEqual(await state('real'), await state('twin'), 'the store differs from the same call after the action');
  }
}

describe('re-entrancy: every entry point × every action', () => {
  for (const [en, entry] of Object.entries(ENTRIES))
    test(en, async () => {
      for (const [an, action] of Object.entries(ACTIONS)) {
        try {
          await runCase(entry, action);
        } catch (e) {
          e.message = `${an}: ${e.message}`;
          throw e;
        }
      }
    });
});

describe('re-entrancy: the reported cases and the typed arrays', () => {
  test('an insert whose getter drops its collection and creates another never lands there', async () => {
    setup('real');
    const c = coll('real');
    let other;
    await assert.rejects(
      c.insert([{ id: 2, v: vec(2), get s() { c.drop(); other = new Collection('c2', schema(), { using: 'real' }); return 'y'; } }]),
      (e) => e instanceof MilvusException && e.code === 100,
    );
    assert.equal(other.num_entities, 0);
  });

  test('a search whose vector getter drops its collection fails cleanly (it trapped)', async () => {
    setup('real');
    const c = coll('real');
    const v = vec(1);
    Object.defineProperty(v, 1, { get() { c.drop(); new Collection('c3', schema(), { using: 'real' }).insert([{ id: 7, v: vec(7) }]); return 1; } });
    await assert.rejects(c.search([v], 'v', { metric_type: 'L2' }, 3), (e) => e instanceof MilvusException && e.code === 100);
  });

  test('a typed array detached or shrunk while the batch is read: refused, nothing written', async () => {
    setup('real');
    const c = coll('real');
    const before = await state('real');
    // a row's vector (kept by reference) whose buffer a later row's getter transfers
    const f = Float32Array.from(vec(20));
    await assert.rejects(c.insert([{ id: 20, v: f }, { id: 21, v: vec(21), get s() { f.buffer.transfer?.() ?? structuredClone(f.buffer, { transfer: [f.buffer] }); return 'x'; } }]),
      (e) => e instanceof MilvusException && /detached or resized/.test(e.message));
    // a flat vector column whose buffer the strings column's getter transfers
    const flat = Float32Array.from([...vec(20), ...vec(21)]);
    await assert.rejects(c.insert([[20, 21], flat, withGetter(['a', 'b'], 1, () => structuredClone(flat.buffer, { transfer: [flat.buffer] })), [null, null]]),
      (e) => e instanceof MilvusException && /detached or resized/.test(e.message));
    // a key column on a resizable buffer, shrunk by a getter of a later column
    const rb = new ArrayBuffer(16, { maxByteLength: 16 });
    const keys = new BigInt64Array(rb);
    keys.set([20n, 21n]);
    const keysView = new BigInt64Array(rb, 0, 2);
    await assert.rejects(c.insert([keysView, [vec(20), vec(21)], withGetter(['a', 'b'], 0, () => rb.resize(8)), [null, null]]),
      (e) => e instanceof MilvusException && /detached or resized/.test(e.message));
    assert.deepEqual(await state('real'), before);
  });

  test('lengths are the engine\'s: an own `length` on a typed array, a Proxy list whose length moves', async () => {
    setup('real');
    const c = coll('real');
    const v = Float32Array.from(vec(20));
    Object.defineProperty(v, 'length', { value: 400 });
    const r = await c.insert([{ id: 20, v }]);
    assert.equal(r.insert_count, 1);
    assert.deepEqual((await c.get([20], { output_fields: ['v'] }))[0].v, vec(20));
    // vectors as arrays (read once, copied) and as typed arrays (kept by reference) in one column
    await c.insert([{ id: 24, v: vec(24) }, { id: 25, v: Float32Array.from(vec(25)) }, { id: 26, v: new Float64Array(vec(26)) }]);
    assert.deepEqual((await c.get([24, 25, 26], { output_fields: ['v'] })).map((r) => r.v), [vec(24), vec(25), vec(26)]);
    let n = 1;
    const moving = new Proxy([{ id: 21, v: vec(21) }], { get: (o, k, rcv) => (k === 'length' ? n++ : Reflect.get(o, k, rcv)) });
    assert.equal((await c.insert(moving)).insert_count, 1);
  });

  test('a mutation reads each of its options once', async () => {
    setup('real');
    const c = coll('real');
    let reads = 0;
    const options = () => {
      let n = 0;
      return { get timeout() { reads++; return ++n === 1 ? 5 : 'later'; } };
    };
    await c.insert([{ id: 27, v: vec(27) }], options());
    await c.upsert([{ id: 27, v: vec(28) }], options());
    await c.delete('id in [27]', options());
    assert.equal(reads, 3);
  });

  test('a Partition is made only of a Collection, never of a look-alike', () => {
    setup('real');
    assert.throws(() => new Partition({ _handle: () => ({ ptr: 8 }), has_partition: () => false, name: 'x' }, 'p'),
      (e) => e instanceof MilvusException && /must be pymilvus.Collection/.test(e.message));
    assert.throws(() => new Partition(new Proxy(coll('real'), {}), 'p'), (e) => e instanceof MilvusException);
  });

  test('the REST handler copies a body by its real length and takes only Uint8Arrays', async () => {
    setup('real');
    const h = createHandler({ using: 'real' });
    const body = new TextEncoder().encode(JSON.stringify({ collectionName: 'c', data: [{ id: 30, v: vec(30) }] }));
    Object.defineProperty(body, 'length', { value: 1 });
    const out = await h.handle({ method: 'POST', path: '/v2/vectordb/entities/insert', header: () => null, body });
    assert.equal(JSON.parse(out.body).code, 0, out.body);
    assert.equal(coll('real').num_entities, 7);
    await assert.rejects(h.handle({ method: 'POST', path: '/v2/vectordb/entities/insert', header: () => null, body: { length: 4, 0: 123 } }), TypeError);
    // a header read after the body is bound may drop the collection: found missing, cleanly
    const drop = (name) => (name === 'db-name' ? (coll('real').drop(), null) : null);
    const again = await h.handle({ method: 'POST', path: '/v2/vectordb/entities/insert', header: drop, body: new TextEncoder().encode(JSON.stringify({ collectionName: 'c', data: [{ id: 31, v: vec(31) }] })) });
    assert.equal(JSON.parse(again.body).code, 100, again.body);
  });
});
