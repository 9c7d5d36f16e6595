// Nothing silently ignored: every option that web/src/index.d.ts documents for a method of the
// ORM face (Collection, Partition, connections) is either honoured — the test sees its effect —
// or refused by name; and a key the types do not document is refused by name. The options are
// read from the declarations themselves, so an option added to the types with neither an effect
// nor a refusal here fails this test (EVIDENCE has no entry for it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { init, connections, Collection, Partition, CollectionSchema, FieldSchema, DataType, FieldOp, ParamError, MilvusException, AnnSearchRequest, RRFRanker } from 'partita';
import { uniqueName } from './support/helpers.mjs';

await init();

// ---- the documented options, from the declarations ------------------------------------------

const dts = readFileSync(new URL('../web/src/index.d.ts', import.meta.url), 'utf8');

/** Top-level `name?:` keys of an object type's body (nested braces skipped). */
function bodyKeys(body) {
  const keys = [];
  let depth = 0;
  for (const m of body.matchAll(/[{}()<>]|(?:^|[\s;{])([A-Za-z_]\w*)\??\s*:/g)) {
    if (m[0] === '{' || m[0] === '(' || m[0] === '<') depth++;
    else if (m[0] === '}' || m[0] === ')' || m[0] === '>') depth--;
    else if (depth === 0) keys.push(m[1]);
  }
  return keys;
}

const interfaces = new Map();
for (const m of dts.matchAll(/^export interface (\w+)(?: extends ([\w, ]+))? \{\n([\s\S]*?)^\}/gm)) {
  // documentation comments are not keys
  const body = m[3].replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  interfaces.set(m[1], { extends: m[2] ? m[2].split(',').map((x) => x.trim()) : [], body });
}

/** The keys of a type as written in a signature: an interface (with what it extends) or an
 * inline object type; nested option objects as 'key.sub'. */
function typeKeys(type) {
  type = type.replace(/\s*\|\s*(null|undefined)\b/g, '').trim();
  if (type.startsWith('{')) return bodyKeys(type.slice(1, -1));
  const i = interfaces.get(type);
  assert.ok(i, `index.d.ts: no interface ${type}`);
  const keys = i.extends.flatMap(typeKeys);
  for (const k of bodyKeys(i.body)) {
    keys.push(k);
    // an inline object type of a key (SearchParam.params): its keys too
    const inline = i.body.match(new RegExp(`\\b${k}\\?:\\s*(\\{[^}]*\\})`));
    if (inline) for (const sub of bodyKeys(inline[1].slice(1, -1))) keys.push(`${k}.${sub}`);
  }
  return keys;
}

/** [owner, method, argument, keys] for every argument named options or param of the ORM face. */
function documented() {
  const out = [];
  const blocks = [
    ['Collection', dts.match(/^export class Collection \{([\s\S]*?)^\}/m)[1]],
    ['Partition', dts.match(/^export class Partition \{([\s\S]*?)^\}/m)[1]],
    ['connections', dts.match(/^export const connections: \{([\s\S]*?)^\};/m)[1]],
  ];
  for (const [owner, block] of blocks) {
    const text = block.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, ' ');
    for (const m of text.matchAll(/(?:static )?(\w+)\(([^()]*)\)/g)) {
      for (const arg of m[2].split(/,(?![^{]*\})/)) {
        const a = arg.match(/^\s*(options|param)\??:\s*(.+?)\s*$/);
        if (a) out.push([owner, m[1], a[1], typeKeys(a[2])]);
      }
    }
  }
  return out;
}

// ---- a fixture and a way to call each method with options -----------------------------------

function films(using) {
  const c = new Collection(uniqueName('opt'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('n', DataType.INT64),
    new FieldSchema('tags', DataType.ARRAY, { element_type: DataType.INT64, max_capacity: 8 }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]), { using });
  return c;
}
async function filled() {
  const c = films();
  await c.insert([1, 2, 3].map((i) => ({ id: i, n: i * 10, tags: [i], v: [i, 1] })));
  const p = c.create_partition('p');
  await p.insert({ id: 4, n: 40, tags: [4], v: [4, 1] });
  return c;
}
const Q = [[1, 1]];

/** For each documented (owner.method, argument): a call of it with `opts` in that argument. */
const CALLS = {
  'Collection.constructor.options': async (opts) => new Collection(uniqueName('opt'), new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }), new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
  ]), opts),
  'Collection.drop_partition.options': async (opts) => { const c = await filled(); c.drop_partition('p', opts); return c; },
  'Collection.drop.options': async (opts) => { const c = await filled(); c.drop(opts); return c; },
  'Collection.insert.options': async (opts, c) => (c ?? await filled()).insert({ id: 9, n: 90, tags: [9], v: [9, 1] }, opts),
  'Collection.upsert.options': async (opts, c, partial) => (c ?? await filled()).upsert(partial ? { id: 1, n: 11 } : { id: 1, n: 11, tags: [5], v: [5, 5] }, opts),
  'Collection.delete.options': async (opts, c) => (c ?? await filled()).delete('id in [1, 4]', opts),
  'Collection.query.options': async (opts, c) => (c ?? await filled()).query('id > 0', opts),
  'Collection.get.options': async (opts, c) => (c ?? await filled()).get([1, 4], opts),
  'Collection.search.param': async (opts, c) => (c ?? await filled()).search(Q, 'v', opts, undefined, null),
  'Collection.search.options': async (opts, c) => (c ?? await filled()).search(Q, 'v', { metric_type: 'L2' }, 3, null, opts),
  'Collection.hybrid_search.options': async (opts, c) =>
    (c ?? await filled()).hybrid_search([new AnnSearchRequest(Q, 'v', { metric_type: 'L2' }, 3)], new RRFRanker(), 3, opts),
  'Collection.flush.options': async (opts) => (await filled()).flush(opts),
  'Collection.create_index.options': async (opts, c) => (c ?? await filled()).create_index('v', { index_type: 'HNSW', metric_type: 'L2' }, opts),
  'Collection.index.options': async (opts, c) => (c ?? await filled()).index(opts),
  'Collection.has_index.options': async (opts, c) => (c ?? await filled()).has_index(opts),
  'Collection.drop_index.options': async (opts, c) => (c ?? await filled()).drop_index(opts),
  'Collection.load.options': async (opts) => (await filled()).load(opts),
  'Collection.release.options': async (opts) => (await filled()).release(opts),
  'Collection.compact.options': async (opts) => (await filled()).compact(opts),
  'Collection.get_compaction_state.options': async (opts) => (await filled()).get_compaction_state(opts),
  'Collection.wait_for_compaction_completed.options': async (opts) => (await filled()).wait_for_compaction_completed(opts),
  'Collection.load(static).options': async (opts) => Collection.load((await filled()).save(), { name: uniqueName('restored'), ...opts }),
  'Partition.constructor.options': async (opts) => new Partition(films(opts?.using).name, 'q', '', opts),
  'Partition.insert.options': async (opts, c) => (c ?? await filled()).partition('p').insert({ id: 9, n: 90, tags: [9], v: [9, 1] }, opts),
  'Partition.upsert.options': async (opts, c, partial) => (c ?? await filled()).partition('p').upsert(partial ? { id: 4, n: 44 } : { id: 4, n: 44, tags: [5], v: [5, 5] }, opts),
  'Partition.delete.options': async (opts, c) => (c ?? await filled()).partition('p').delete('id > 0', opts),
  'Partition.query.options': async (opts, c) => (c ?? await filled()).partition('p').query('id > 0', opts),
  'Partition.get.options': async (opts, c) => (c ?? await filled()).partition('p').get([1, 4], opts),
  'Partition.search.param': async (opts, c) => (c ?? await filled()).partition('p').search(Q, 'v', opts, undefined, null),
  'Partition.search.options': async (opts, c) => (c ?? await filled()).partition('p').search(Q, 'v', { metric_type: 'L2' }, 3, null, opts),
  'Partition.hybrid_search.options': async (opts, c) =>
    (c ?? await filled()).partition('p').hybrid_search([new AnnSearchRequest(Q, 'v', { metric_type: 'L2' }, 3)], new RRFRanker(), 3, opts),
  'Partition.flush.options': async (opts) => (await filled()).partition('p').flush(opts),
  'Partition.load.options': async (opts) => (await filled()).partition('p').load(opts),
  'Partition.release.options': async (opts) => (await filled()).partition('p').release(opts),
  'Partition.drop.options': async (opts) => (await filled()).partition('p').drop(opts),
  'connections.connect.options': async (opts) => connections.connect(uniqueName('alias'), opts),
  // the iterators, drained: query_iterator's rows; search_iterator's hits as one query's list
  'Collection.query_iterator.options': async (opts, c) => drain(await (c ?? await filled()).query_iterator(opts)),
  'Collection.search_iterator.param': async (opts, c) => [await drain(await (c ?? await filled()).search_iterator(Q, 'v', opts))],
  'Collection.search_iterator.options': async (opts, c) =>
    [await drain(await (c ?? await filled()).search_iterator(Q, 'v', { metric_type: 'L2' }, 1000, -1, null, null, null, opts))],
};

async function drain(it) {
  const out = [];
  for (let b = await it.next(); b.length; b = await it.next()) out.push(...b);
  return out;
}

/** The key of CALLS of a documented method (Collection.load is both static and not). */
function callKey(owner, method, arg, keys) {
  if (owner === 'Collection' && method === 'load' && keys.includes('name')) return `Collection.load(static).${arg}`;
  return `${owner}.${method}.${arg}`;
}

/** Asserts that `p` rejects with a ParamError (or MilvusException) whose message names `name`. */
async function refused(p, name, cls = MilvusException) {
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
    assert.ok(e.message.includes(name), `"${e.message}" does not name ${name}`);
    return true;
  });
}

// ---- the evidence: for each documented key, its effect (or its refusal) ---------------------

const ids = (rows) => rows.map((r) => r.id).sort((a, b) => a - b);
const hitIds = (hits) => hits[0].map((h) => h.id);

/** A grouping search's hit ids (grouping.test.mjs has the rest): rows 5 (n 10, as row 1) and, in
 * partition p, 6 (n 40, as row 4) and 7 (n 70) added, so that groups hold more than a row. */
async function grouped(call, key, o) {
  const c = await filled();
  await c.insert({ id: 5, n: 10, tags: [], v: [1, 1] });
  await c.partition('p').insert([{ id: 6, n: 40, tags: [], v: [4, 1] }, { id: 7, n: 70, tags: [], v: [5, 1] }]);
  return hitIds(await call(key.endsWith('.param') ? { metric_type: 'L2', ...o } : o, c)).map(Number);
}
/** By where the search runs (partition p; the collection with param's default limit of 10, or
 * with the limit 3 of the options' calls): [group_size 1, group_size 2, strict group_size 2]. */
const GROUPED = {
  partition: [[4, 7], [4, 6, 7], [4, 6]],
  param: [[1, 2, 3, 4, 7], [1, 5, 2, 3, 4, 6, 7], [1, 5, 4, 6]],
  options: [[1, 2, 3], [1, 5, 2, 3], [1, 5, 4, 6]],
};
const groupedWant = (key, i) => GROUPED[key.startsWith('Partition') ? 'partition' : key.endsWith('.param') ? 'param' : 'options'][i];

/** By key: (call, callKey) => assertions that the key is honoured (or refused by name). */
/** IVF_RABITQ's query bits under either name: out of range refused by name, in range searched. */
async function rbqBits(call, name) {
  const c = await filled();
  c.create_index('v', { index_type: 'IVF_RABITQ', metric_type: 'L2', params: { nlist: 1, refine: true } });
  await refused(call({ metric_type: 'L2', params: { [name]: 9 } }, c), `param '${name}' (9) should be in range [0, 8]`);
  assert.ok((await call({ metric_type: 'L2', params: { [name]: 6 } }, c))[0].length > 0);
}

const EVIDENCE = {
  group_by_field: async (call, key) => {
    assert.deepEqual(await grouped(call, key, { group_by_field: 'n' }), groupedWant(key, 0));
    await refused(grouped(call, key, { group_by_field: 'tags' }), 'unsupported data type Array for group by operator');
  },
  group_size: async (call, key) => {
    assert.deepEqual(await grouped(call, key, { group_by_field: 'n', group_size: 2 }), groupedWant(key, 1));
    await refused(grouped(call, key, { group_by_field: 'n', group_size: 11 }), 'input group size:11');
  },
  strict_group_size: async (call, key) => {
    assert.deepEqual(await grouped(call, key, { group_by_field: 'n', group_size: 2, strict_group_size: true }), groupedWant(key, 2));
  },
  // Milvus 3.0's ordering (order-by.test.mjs has the rest): ids descending, and Milvus's message
  // for a field it cannot order by
  order_by_fields: async (call, key) => {
    const search = key.includes('search');
    const base = search ? {} : { limit: 4 };
    const got = await call({ ...base, order_by_fields: [{ field: 'n', order: 'desc' }] });
    const list = (search ? got[0] : got).map((r) => Number(r.id));
    assert.deepEqual(list, [...list].sort((a, b) => b - a));
    assert.ok(list.length > (key.startsWith('Partition') ? 0 : 1), `order_by_fields: ${list}`);
    await refused(call({ ...base, order_by_fields: 'v' }), "order_by field 'v'");
  },
  // validated on every method (its wait bounds apply on forwarding connections, forward.test.mjs)
  timeout: async (call) => refused(call({ timeout: -1 }), 'timeout', ParamError),
  // 'remote' needs a forwarding connection (forward.test.mjs waits for the remote's answer)
  ack: async (call) => {
    await refused(call({ ack: 'remote' }), 'ack', ParamError);
    await call({ ack: 'local' });
  },
  partition_name: async (call) => {
    const c = await filled();
    await call({ partition_name: 'p' }, c);
    const inP = await c.partition('p').query('id > 0', { output_fields: ['n'] });
    assert.notDeepEqual(inP, [{ id: 4, n: 40 }], 'partition_name changed nothing in partition p');
  },
  partition_names: async (call) => {
    const all = await call({}), onlyP = await call({ partition_names: ['p'] });
    assert.notDeepEqual(JSON.stringify(onlyP), JSON.stringify(all));
  },
  partial_update: async (call) => {
    const c = await filled();
    await call({ partial_update: true }, c, true);
    const rows = await c.query('n in [11, 44]', { output_fields: ['v', 'tags'] });
    assert.equal(rows.length, 1, 'partial_update: the row was not updated');
    assert.ok(Array.isArray(rows[0].v) && rows[0].tags.length === 1, 'partial_update: the fields left out were not kept');
  },
  field_ops: async (call) => {
    const c = await filled();
    await call({ field_ops: { tags: FieldOp.array_append() } }, c);
    const rows = await c.query('id in [1, 4]', { output_fields: ['tags'] });
    assert.ok(rows.some((r) => r.tags.length === 2), 'field_ops: ARRAY_APPEND kept one element');
  },
  // the template values bind {ks}: the rows selected follow them (the call's own filter is not
  // a template, so each method is called here on the same kind of collection)
  expr_params: async (call, key) => {
    const c = await filled(), on = key.startsWith('Partition') ? c.partition('p') : c;
    const tpl = 'id in {ks}', with4 = { expr_params: { ks: [4] } };
    if (key.includes('query_iterator')) {
      assert.deepEqual(ids(await call({ expr: tpl, ...with4 })), [4]);
    } else if (key.includes('search_iterator')) {
      const it = await c.search_iterator(Q, 'v', { metric_type: 'L2' }, 10, -1, tpl, null, null, with4);
      assert.deepEqual((await drain(it)).map((h) => h.id), [4]);
    } else if (key.includes('.delete.')) {
      assert.equal((await on.delete(tpl, with4)).delete_count, 1);
      assert.deepEqual(await c.query('id == 4'), [], 'expr_params: the row was not deleted');
    } else if (key.includes('.search.')) {
      const hits = await on.search(Q, 'v', { metric_type: 'L2' }, 3, tpl, with4);
      assert.deepEqual(hitIds(hits), [4]);
    } else {
      assert.deepEqual(ids(await on.query(tpl, with4)), [4]);
      assert.notDeepEqual(ids(await on.query(tpl, { expr_params: { ks: [1] } })), [4]);
    }
    await refused(on.query('id == {k}', { expr_params: {} }), '{k} is not found');
  },
  batch_size: async (call, key) => {
    const c = await filled();
    const it = key.includes('search') ? await c.search_iterator(Q, 'v', { metric_type: 'L2' }, 1) : await c.query_iterator({ batch_size: 1 });
    assert.equal((await it.next()).length, 1, 'batch_size: the first batch is not of one');
    await refused(call({ batch_size: -1 }), 'batch size cannot be less than zero', ParamError);
  },
  expr: async (call) => {
    assert.deepEqual(ids(await call({ expr: 'id > 2' })), [3, 4]);
  },
  output_fields: async (call) => {
    const a = JSON.stringify(await call({ output_fields: ['n'] })), b = JSON.stringify(await call({ output_fields: ['tags'] }));
    assert.ok(a.includes('"n"') && !b.includes('"n"'), 'output_fields changed nothing');
  },
  limit: async (call, key) => {
    const rows = await call(key.endsWith('.param') ? { metric_type: 'L2', limit: 1 } : { limit: 1 });
    assert.equal(key.endsWith('.param') ? rows[0].length : rows.length, 1);
  },
  offset: async (call, key) => {
    if (key.includes('search_iterator')) {
      await call({ metric_type: 'L2', offset: 0 });
      return refused(call({ metric_type: 'L2', offset: 1 }), 'Not support offset when searching iteration', ParamError);
    }
    // search's options have no limit (its argument does); query's and param's do
    const base = key.endsWith('.param') ? { metric_type: 'L2', limit: 2 } : key.includes('search.') ? {} : { limit: 2 };
    const first = await call(base), skipped = await call({ ...base, offset: 1 });
    assert.notDeepEqual(JSON.stringify(skipped), JSON.stringify(first));
  },
  round_decimal: async (call, key) => {
    const base = key.endsWith('.param') ? { metric_type: 'COSINE' } : {};
    const hits = await call({ ...base, round_decimal: 1 });
    assert.ok(hits[0].length > 0);
    for (const h of hits[0]) assert.ok(Math.abs(h.distance * 10 - Math.round(h.distance * 10)) < 1e-6, `distance ${h.distance} not rounded`);
  },
  consistency_level: async (call) => {
    for (const level of ['Strong', 'Session', 'Bounded', 'Eventually', 'Customized', 0, 4]) await call({ consistency_level: level });
    await refused(call({ consistency_level: 'Strongest' }), 'invalid consistency level: Strongest', ParamError);
    await refused(call({ consistency_level: 5 }), 'invalid consistency level: 5', ParamError);
  },
  metric_type: async (call) => {
    const l2 = await call({ metric_type: 'L2' }), ip = await call({ metric_type: 'IP' });
    assert.notDeepEqual(l2[0].map((h) => h.distance), ip[0].map((h) => h.distance));
  },
  params: async (call) => {
    const all = await call({ metric_type: 'L2', params: {} }), near = await call({ metric_type: 'L2', params: { radius: 2 } });
    assert.ok(near[0].length < all[0].length, 'params changed nothing');
  },
  'params.radius': async (call) => EVIDENCE.params(call),
  // index search parameters: read by the core against the field's index (indexes.test.mjs has recall)
  'params.ef': async (call) => {
    const c = await filled();
    c.create_index('v', { index_type: 'HNSW', metric_type: 'L2' });
    await refused(call({ metric_type: 'L2', params: { ef: 1 } }, c), 'ef(1) should be larger than k');
    assert.ok((await call({ metric_type: 'L2', params: { ef: 64 } }, c))[0].length > 0);
  },
  'params.nprobe': async (call) => {
    const c = await filled();
    c.create_index('v', { index_type: 'IVF_FLAT', metric_type: 'L2', params: { nlist: 1 } });
    await refused(call({ metric_type: 'L2', params: { nprobe: 70000 } }, c), "param 'nprobe' (70000) should be in range [1, 65536]");
    assert.ok((await call({ metric_type: 'L2', params: { nprobe: 1 } }, c))[0].length > 0);
  },
  'params.refine_k': async (call) => {
    const c = await filled();
    c.create_index('v', { index_type: 'HNSW_SQ', metric_type: 'L2', params: { refine: true } });
    await refused(call({ metric_type: 'L2', params: { refine_k: 0.5 } }, c), "param 'refine_k'");
    assert.ok((await call({ metric_type: 'L2', params: { refine_k: 2 } }, c))[0].length > 0);
  },
  'params.rbq_bits_query': async (call) => rbqBits(call, 'rbq_bits_query'),
  'params.rbq_query_bits': async (call) => rbqBits(call, 'rbq_query_bits'),
  index_name: async (call, key) => {
    const c = await filled();
    if (key.includes('create_index')) {
      await call({ index_name: 'named' }, c);
      assert.equal(c.index().index_name, 'named');
      return;
    }
    c.create_index('v', { index_type: 'HNSW', metric_type: 'L2' }, { index_name: 'ix' });
    if (key.includes('has_index')) {
      assert.deepEqual([await call({ index_name: 'ix' }, c), await call({ index_name: 'zz' }, c)], [true, false]);
    } else if (key.includes('drop_index')) {
      await refused(call({ index_name: 'zz' }, c), 'index not found');
      await call({ index_name: 'ix' }, c);
      assert.equal(c.has_index(), false);
    } else {
      assert.equal((await call({ index_name: 'ix' }, c)).field_name, 'v');
      await refused(call({ index_name: 'zz' }, c), 'index not found');
    }
  },
  field_name: async (call) => {
    const c = await filled();
    c.create_index('v', { index_type: 'FLAT', metric_type: 'L2' }, { index_name: 'flat' });
    assert.equal((await call({ field_name: 'v' }, c)).index_name, 'flat');
    await refused(call({ field_name: 'n' }, c), 'index not found');
  },
  'params.range_filter': async (call) => {
    const ring = await call({ metric_type: 'L2', params: { radius: 100, range_filter: 1 } });
    assert.ok(ring[0].every((h) => h.distance >= 1 && h.distance < 100) && ring[0].length > 0);
    assert.ok(!hitIds(ring).includes(1), 'range_filter kept the exact match');
  },
  using: async (call) => {
    const alias = uniqueName('using');
    connections.connect(alias);
    const made = await call({ using: alias });
    const c = made instanceof Partition ? made.collection : made;
    assert.equal(c.using, alias);
    assert.throws(() => new Collection(c.name), /not exist/, 'the collection is in the default store too');
  },
  num_partitions: async (call) => {
    const c = new Collection(uniqueName('pk'), new CollectionSchema([
      new FieldSchema('id', DataType.INT64, { is_primary: true }), new FieldSchema('k', DataType.INT64, { is_partition_key: true }),
      new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
    ]), { num_partitions: 3 });
    assert.equal(c.partitions.length, 3);
    await refused(call({ num_partitions: 'three' }), 'num_partitions', ParamError);
  },
  // search by primary keys (search_by_ids.test.mjs): with `data` too it is refused; alone, the
  // key's own row is its nearest hit
  ids: async (call, key) => {
    await refused(call({ ids: [1] }), 'ids', ParamError);
    const c = await filled(), on = key.startsWith('Partition') ? c.partition('p') : c;
    const hits = await on.search(null, 'v', { metric_type: 'L2' }, 1, null, { ids: [4] });
    assert.equal(Number(hits[0][0].id), 4);
  },
  // collection properties: allow_insert_auto_id is honoured (autoid_insert.test.mjs), others refused
  properties: async (call) => {
    await refused(call({ properties: { 'mmap.enabled': true } }), 'mmap.enabled', ParamError);
    await refused(call({ properties: { allow_insert_auto_id: true } }), 'allow_insert_auto_id'); // no auto_id here
    const c = new Collection(uniqueName('aiai'), new CollectionSchema([
      new FieldSchema('id', DataType.INT64, { is_primary: true, auto_id: true }), new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
    ]), { properties: { allow_insert_auto_id: true } });
    assert.deepEqual((await c.insert({ id: 5, v: [1, 1] })).primary_keys.map(Number), [5]);
  },
  name: async (call) => {
    const name = uniqueName('named');
    const c = await call({ name });
    assert.equal(c.name, name);
  },
  // connections.connect
  uri: async (call) => {
    const alias = uniqueName('alias');
    connections.connect(alias, { uri: 'http://127.0.0.1:9', fetch: async () => new Response('{}'), max_retries: 0 });
    assert.equal(connections.get_connection_addr(alias).uri, 'http://127.0.0.1:9');
    connections.remove_connection(alias);
    await refused(call({ uri: 'grpc://x' }), 'unsupported uri');
  },
  host: async () => {
    const alias = uniqueName('alias');
    connections.connect(alias, { host: 'milvus.local', port: '19530', fetch: async () => new Response('{}'), max_retries: 0 });
    assert.equal(connections.get_connection_addr(alias).uri, 'http://milvus.local:19530');
    connections.remove_connection(alias);
  },
  port: async (call) => {
    const alias = uniqueName('alias');
    connections.connect(alias, { port: 8080, fetch: async () => new Response('{}'), max_retries: 0 });
    assert.equal(connections.get_connection_addr(alias).uri, 'http://localhost:8080');
    connections.remove_connection(alias);
    await refused(call({ port: 70000 }), 'port');
    await refused(call({ uri: 'http://a:1', port: 1 }), 'uri or host / port / secure');
  },
  secure: async () => {
    const alias = uniqueName('alias');
    connections.connect(alias, { host: 'h', secure: true, fetch: async () => new Response('{}'), max_retries: 0 });
    assert.equal(connections.get_connection_addr(alias).uri, 'https://h:19530');
    connections.remove_connection(alias);
  },
  int64: async (call) => {
    // int64_keys.test.mjs walks the key mode; here its effect on one read, and a bad value refused
    const alias = uniqueName('alias');
    connections.connect(alias, { int64: 'string' });
    const c = new Collection(uniqueName('o'), new CollectionSchema([
      new FieldSchema('id', DataType.INT64, { is_primary: true }), new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
    ]), { using: alias });
    assert.deepEqual((await c.insert({ id: 5, v: [1, 1] })).primary_keys, ['5']);
    connections.remove_connection(alias);
    await refused(call({ int64: 'number' }), "int64 must be 'auto' or 'string'");
  },
};
// A forwarding connection's options (forward.test.mjs and outbox.test.mjs show their effects):
// refused by name on a connection that forwards nowhere.
for (const k of ['token', 'user', 'password', 'db_name', 'batch_rows', 'batch_bytes', 'max_pending_bytes', 'max_in_flight', 'retry_initial_ms',
  'retry_max_ms', 'retry_multiplier', 'max_retries', 'outbox', 'outbox_fsync', 'index_params', 'fetch', 'on_error', 'stream_bodies'])
  EVIDENCE[`connect:${k}`] = async (call) => refused(call({ [k]: k === 'fetch' || k === 'on_error' ? () => {} : 1 }), `'${k}'`, ParamError);
EVIDENCE['connect:timeout'] = async (call) => refused(call({ timeout: 5 }), "'timeout'", ParamError);
EVIDENCE['connect:ack'] = async (call) => refused(call({ ack: 'remote' }), "'ack'", ParamError);
// a durable store's options (durable.test.mjs shows a group commit window's effect): refused by
// name without a .db uri, and key by key with one
EVIDENCE['connect:durable'] = async (call) => {
  await refused(call({ durable: { fsync: 'none' } }), "'durable'", ParamError);
  await refused(call({ uri: './never-opened.db', durable: { fsinc: 'none' } }), "'fsinc'", ParamError);
};

const evidenceFor = (owner, key) => (owner === 'connections' && EVIDENCE[`connect:${key}`]) || EVIDENCE[key];

// ---- the walk --------------------------------------------------------------------------------

const methods = [...new Map(documented().map((m) => [callKey(...m), m])).values()];

test('the declarations document options for the ORM methods (the parser finds them)', () => {
  const seen = new Set(methods.map(([o, m, a]) => `${o}.${m}.${a}`));
  for (const k of ['Collection.search.param', 'Collection.search.options', 'Partition.upsert.options', 'connections.connect.options'])
    assert.ok(seen.has(k), `${k} not found in index.d.ts`);
  assert.ok(methods.find(([o, m, a]) => o === 'Collection' && m === 'search' && a === 'param')[3].includes('params.radius'));
});

for (const [owner, method, arg, keys] of methods) {
  const key = callKey(owner, method, arg, keys);
  test(`${key}: every documented option honoured or refused by name, any other refused by name`, async () => {
    const call = CALLS[key];
    assert.ok(call, `${key} is documented in index.d.ts but this test has no way to call it (CALLS)`);
    for (const k of new Set(keys)) {
      const evidence = evidenceFor(owner, k);
      assert.ok(evidence, `${key}: option '${k}' is documented but neither honoured nor refused here (EVIDENCE)`);
      await evidence(call, key);
    }
    // a key the types do not document
    await refused(call({ no_such_option: 1 }), "'no_such_option'", ParamError);
    if (arg === 'param') {
      // index parameters the field's index (none here) does not take: the core names them
      await refused(call({ metric_type: 'L2', params: { nprobe: 16 } }), "'nprobe'");
      await refused(call({ metric_type: 'L2', params: { ef: 64 } }), "'ef'");
      await refused(call({ metric_type: 'L2', params: { search_list: 64 } }), "'search_list'", ParamError);
    }
  });
}

test('options Milvus has and partita does not are refused by name, and nothing is done', async () => {
  const c = await filled();
  const before = JSON.stringify(await c.query('id > 0', { output_fields: ['*'] }));
  await refused(c.query('id > 0', { group_by_field: 'n' }), "'group_by_field'", ParamError);
  await refused(c.query('id > {x}', { filter_params: { x: 1 } }), "'filter_params'", ParamError);
  await refused(c.insert({ id: 7, n: 1, tags: [], v: [1, 1] }, { partition: 'p' }), "'partition'", ParamError);
  await refused(c.delete('id > 0', { consistency_level: 'Strong' }), "'consistency_level'", ParamError);
  await refused(c.load({ replica_number: 2 }), "'replica_number'", ParamError);
  await refused(Promise.resolve().then(() => new Collection(c.name, { shards_num: 2 })), "'shards_num'", ParamError);
  const other = uniqueName('other');
  connections.connect(other);
  await refused(Promise.resolve().then(() => new Partition(c, 'q', '', { using: other })), 'using', ParamError);
  assert.equal(JSON.stringify(await c.query('id > 0', { output_fields: ['*'] })), before, 'a refused call changed the store');
});
