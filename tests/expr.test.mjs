// Filter expressions through the JS API (query, get, delete, count(*)), their errors, and a
// randomized model check that delete / query / get / count(*) agree after interleaved upserts
// and deletes. The grammar case by case is in tests/unit/test_expr.c.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Collection, Partition, CollectionSchema, FieldSchema, DataType, MilvusException } from 'partita';
import { range, rejects, uniqueName } from './support/helpers.mjs';

await init();

function shop() {
  const c = new Collection(uniqueName('expr'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
    new FieldSchema('name', DataType.VARCHAR, { max_length: 32 }),
    new FieldSchema('price', DataType.DOUBLE),
    new FieldSchema('qty', DataType.INT32, { nullable: true }),
    new FieldSchema('tags', DataType.ARRAY, { element_type: DataType.VARCHAR, max_capacity: 4, max_length: 16 }),
    new FieldSchema('info', DataType.JSON),
  ], { enable_dynamic_field: true }));
  return c;
}

const ROWS = [
  { id: 1, v: [0, 0], name: 'Café crème', price: 3.5, qty: 10, tags: ['hot', 'milk'], info: { origin: 'FR', score: 4 }, brand: 'a' },
  { id: 2, v: [0, 0], name: 'espresso', price: 2, qty: null, tags: ['hot'], info: { origin: 'IT', score: 5 }, brand: 'b' },
  { id: 3, v: [0, 0], name: 'iced "tea"', price: 4.25, qty: 0, tags: [], info: { origin: 'JP', score: 3.5, vegan: true } },
  { id: 4, v: [0, 0], name: '100% juice', price: 5, qty: 7, tags: ['cold'], info: {}, brand: 'a' },
];

const ids = (rows) => rows.map((r) => r.id);

test('filters select the rows Milvus would', async () => {
  const c = shop();
  await c.insert(ROWS);
  const cases = [
    ['price > 3', [1, 3, 4]],
    ['2 <= price < 4.25', [1, 2]],
    ['qty > 5', [1, 4]],
    ['qty is null', [2]],
    ['not (qty > 5)', [3]],
    ['name like "Café%"', [1]],
    ['name like "%tea%"', [3]],
    ['name == \'iced "tea"\'', [3]],
    ['name like "100\\\\%%"', [4]],
    ['array_contains(tags, "hot")', [1, 2]],
    ['array_length(tags) == 0', [3]],
    ['tags[0] == "cold"', [4]],
    ['info["origin"] in ["FR", "JP"]', [1, 3]],
    ['info["score"] >= 4', [1, 2]],
    ['exists info["vegan"]', [3]],
    ['brand == "a"', [1, 4]],
    ['brand != "a"', [2, 3]],
    ['price * 2 == 7', [1]],
    ['qty % 2 == 0 and price < 5', [1, 3]],
    ['id in [4, 1] or name like "esp%"', [1, 2, 4]],
  ];
  for (const [expr, want] of cases) assert.deepEqual(ids(await c.query(expr, { output_fields: ['id'] })), want, expr);
  // the same filters through count(*)
  for (const [expr, want] of cases)
    assert.deepEqual(await c.query(expr, { output_fields: ['count(*)'] }), [{ 'count(*)': want.length }], expr);
});

test('filters work in partitions, with limit and offset', async () => {
  const c = shop();
  const p = new Partition(c, 'p');
  await c.insert(ROWS);
  await p.insert(ROWS.map((r) => ({ ...r, id: r.id + 100 })));
  assert.deepEqual(ids(await c.query('price > 3')), [1, 3, 4, 101, 103, 104]);
  assert.deepEqual(ids(await p.query('price > 3')), [101, 103, 104]);
  assert.deepEqual(ids(await c.query('price > 3', { limit: 2, offset: 2 })), [4, 101]);
  assert.deepEqual(ids(await c.query('price > 3', { partition_names: ['_default'] })), [1, 3, 4]);
});

test('delete by any filter counts the rows it deleted; by keys, the keys listed', async () => {
  const c = shop();
  await c.insert(ROWS);
  const r1 = await c.delete('price > 4');
  assert.equal(r1.delete_count, 2);
  assert.deepEqual(ids(await c.query('', { limit: 10 })), [1, 2]);
  const r2 = await c.delete('id in [1, 99]');
  assert.equal(r2.delete_count, 2);
  assert.equal(c.num_entities, 1);
  const r3 = await c.delete('qty is null and brand == "b"');
  assert.equal(r3.delete_count, 1);
  assert.ok(c.is_empty);
});

test('errors carry Milvus messages, code 1100, and the span of the offending text', async () => {
  const c = shop();
  const e = await rejects(() => c.query('price > 1 and name == 5', {}), {
    cls: MilvusException, code: 1100,
    message: 'failed to create query plan: cannot parse expression: price > 1 and name == 5, error: comparisons between VarChar and Int64 are not supported: invalid parameter',
  });
  assert.equal(e.expr_offset, 14);
  assert.equal(e.expr_length, 9);
  const d = await rejects(() => c.delete('qty >'), { code: 1100, message: 'failed to create delete plan: cannot parse expression: qty >' });
  assert.equal(d.expr_offset, 5);
  await rejects(() => c.query('qty > 1.5', {}), { message: 'cannot cast value to Int32, value: float_val:1.5' });
  await rejects(() => c.query('name', {}), { message: 'predicate is not a boolean expression: name, data type: VarChar' });
  await rejects(() => c.query('(' .repeat(300) + 'qty > 1' + ')'.repeat(300), {}), { message: 'nests deeper than 128 levels' });
  await rejects(() => c.search([[0, 0]], 'v', {}, 3, 'qty >> 1'), { message: 'shift is not supported: qty>>1' });
});

test('search filters with the same language', async () => {
  const c = shop();
  await c.insert(ROWS.map((r, i) => ({ ...r, v: [i, 1] })));
  const [hits] = await c.search([[0, 1]], 'v', { metric_type: 'L2' }, 10, 'price > 3 and not (brand == "a")');
  assert.deepEqual(hits.map((h) => h.id), [3]);
});

/** A deterministic PRNG for the model test. */
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('delete / query / get / count(*) agree with a model after interleaved upserts and deletes', async () => {
  const c = new Collection(uniqueName('model'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
    new FieldSchema('n', DataType.INT32),
  ]));
  const parts = ['_default', 'p1', 'p2'];
  for (const p of parts.slice(1)) new Partition(c, p);
  /** model: partition -> Map(id -> [n, ...]) (insert keeps duplicate keys) */
  const model = Object.fromEntries(parts.map((p) => [p, new Map()]));
  const rnd = prng(7);
  const pick = (k) => Math.floor(rnd() * k);
  for (let step = 0; step < 300; step++) {
    const part = parts[pick(3)];
    const op = pick(10);
    if (op < 4) { // upsert a batch of distinct keys
      const keys = [...new Set(range(1 + pick(20), () => pick(200)))];
      const rows = keys.map((id) => ({ id, v: [id, step], n: pick(1000) }));
      await c.upsert(rows, { partition_name: part });
      for (const r of rows) model[part].set(r.id, [r.n]);
    } else if (op < 6) { // insert (duplicates allowed)
      const rows = range(1 + pick(10), () => ({ id: pick(200), v: [0, step], n: pick(1000) }));
      await c.insert(rows, { partition_name: part });
      for (const r of rows) model[part].set(r.id, [...(model[part].get(r.id) ?? []), r.n]);
    } else if (op < 8) { // delete by keys, in one partition or everywhere
      const keys = range(1 + pick(10), () => pick(200));
      const everywhere = rnd() < 0.5;
      const res = everywhere ? await c.delete(`id in [${keys}]`) : await c.delete(`id in [${keys}]`, { partition_name: part });
      assert.equal(res.delete_count, keys.length);
      for (const p of everywhere ? parts : [part]) for (const k of keys) model[p].delete(k);
    } else { // delete by a filter on n
      const x = pick(1000);
      let expected = 0;
      for (const p of parts)
        for (const [id, ns] of model[p]) {
          const keep = ns.filter((n) => !(n > x));
          expected += ns.length - keep.length;
          if (keep.length) model[p].set(id, keep);
          else model[p].delete(id);
        }
      const res = await c.delete(`n > ${x}`);
      assert.equal(res.delete_count, expected, `step ${step}: n > ${x}`);
    }
    if (step % 10 !== 0) continue;
    // every view of the store agrees with the model
    let total = 0;
    for (const p of parts) {
      const want = [...model[p]].flatMap(([id, ns]) => ns.map((n) => `${id}:${n}`)).sort();
      total += want.length;
      const rows = await c.query('', { output_fields: ['n'], partition_names: [p], limit: 16384 });
      assert.deepEqual(rows.map((r) => `${r.id}:${r.n}`).sort(), want, `step ${step} partition ${p}`);
      const some = [...model[p].keys()].slice(0, 5);
      const got = await c.get(some, { output_fields: ['n'], partition_names: [p] });
      assert.deepEqual(got.map((r) => `${r.id}:${r.n}`).sort(), some.flatMap((id) => model[p].get(id).map((n) => `${id}:${n}`)).sort());
    }
    assert.equal(c.num_entities, total);
    assert.deepEqual(await c.query('', { output_fields: ['count(*)'] }), [{ 'count(*)': total }]);
    assert.deepEqual(await c.query('n >= 500', { output_fields: ['count(*)'] }), [{
      'count(*)': parts.reduce((s, p) => s + [...model[p].values()].flat().filter((n) => n >= 500).length, 0),
    }]);
  }
});
