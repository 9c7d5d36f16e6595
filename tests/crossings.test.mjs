// One crossing per batch each way (issue 14): the engine stages a write's buffers in one block
// and makes one call for it, and reads a search or a query back from one status-first block.
// The core is instrumented where it is instantiated: every export the glue hands to the engine
// (JS → WASM) and every import the core calls (WASM → JS) is counted, for one upsert batch and
// one search after a warm-up (the staging block has its size then, and memory has grown).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const counts = { in: new Map(), out: new Map() };
let counting = false;
const count = (way, name) => {
  if (counting) counts[way].set(name, (counts[way].get(name) ?? 0) + 1);
};
const total = (way) => [...counts[way].values()].reduce((a, b) => a + b, 0);
const reset = () => {
  counts.in.clear();
  counts.out.clear();
};

// wrap every function the core imports, and every function it exports, before init() loads it
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (module, imports) {
  const wrapped = {};
  for (const [ns, fns] of Object.entries(imports ?? {})) {
    wrapped[ns] = {};
    for (const [name, f] of Object.entries(fns))
      wrapped[ns][name] = typeof f === 'function' ? (...a) => (count('out', `${ns}.${name}`), f(...a)) : f;
  }
  const result = await instantiate.call(this, module, wrapped);
  const instance = result instanceof WebAssembly.Instance ? result : result.instance;
  const exports = {};
  for (const [name, e] of Object.entries(instance.exports))
    exports[name] = typeof e === 'function' ? (...a) => (count('in', name), e(...a)) : e;
  const fake = { exports };
  return result instanceof WebAssembly.Instance ? fake : { ...result, instance: fake };
};

const { init, Collection, CollectionSchema, FieldSchema, DataType } = await import('partita');
await init();

const DIM = 16;
const batch = (from, n) => [
  BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i)),
  Float32Array.from({ length: n * DIM }, (_, i) => Math.sin(from * DIM + i)),
  Array.from({ length: n }, (_, i) => `t${(from + i) % 7}`),
];

async function measured(fn) {
  reset();
  counting = true;
  try {
    return await fn();
  } finally {
    counting = false;
  }
}

const show = (way) => JSON.stringify(Object.fromEntries(counts[way]));

test('one upsert batch and one search cross at most 3 times each way', async () => {
  const c = new Collection(`crossings_${process.pid}`, new CollectionSchema([
    new FieldSchema('id', DataType.INT64, { is_primary: true }),
    new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: DIM }),
    new FieldSchema('tag', DataType.VARCHAR, { max_length: 8 }),
  ]));
  try {
    // warm-up: the staging block grows to the batch, memory to the rows
    await c.insert(batch(0, 500));
    await c.upsert(batch(250, 500));
    await c.search([Array.from({ length: DIM }, (_, j) => Math.cos(j))], 'v', {}, 5, '', { output_fields: ['tag'] });

    const r = await measured(() => c.upsert(batch(400, 500)));
    assert.equal(r.upsert_count, 500);
    assert.ok(total('in') >= 1, 'the upsert was counted');
    assert.ok(total('in') <= 3, `an upsert batch made ${total('in')} calls into the core: ${show('in')}`);
    assert.ok(total('out') <= 3, `an upsert batch made ${total('out')} calls out of the core: ${show('out')}`);

    const hits = await measured(() => c.search([Array.from({ length: DIM }, (_, j) => Math.cos(j))], 'v', {}, 5, '', { output_fields: ['tag'] }));
    assert.equal(hits[0].length, 5);
    assert.ok(total('in') >= 1, 'the search was counted');
    assert.ok(total('in') <= 3, `a search made ${total('in')} calls into the core: ${show('in')}`);
    assert.ok(total('out') <= 3, `a search made ${total('out')} calls out of the core: ${show('out')}`);
  } finally {
    c.drop();
  }
});
