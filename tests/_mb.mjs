import { init, Collection, CollectionSchema, FieldSchema, DataType } from 'partita';
await init();
const dim = 128, N = 100000, B = 10000;
const schema = () => new CollectionSchema([new FieldSchema('id', DataType.INT64, { is_primary: true }), new FieldSchema('vec', DataType.FLOAT_VECTOR, { dim }), new FieldSchema('tag', DataType.VARCHAR, { max_length: 16 }), new FieldSchema('n', DataType.INT32)]);
const vecs = new Float32Array(N * dim); for (let i = 0; i < vecs.length; i++) vecs[i] = Math.random();
const ids = Array.from({ length: N }, (_, i) => i), tags = ids.map((i) => `t${i % 10}`), ns = ids.map((i) => i % 1000);
const forms = {
  rowsTyped: (s, n) => Array.from({ length: n }, (_, k) => ({ id: ids[s + k], vec: vecs.slice((s + k) * dim, (s + k + 1) * dim), tag: tags[s + k], n: ns[s + k] })),
  rowsArray: (s, n) => Array.from({ length: n }, (_, k) => ({ id: ids[s + k], vec: Array.from(vecs.subarray((s + k) * dim, (s + k + 1) * dim)), tag: tags[s + k], n: ns[s + k] })),
  columns: (s, n) => [ids.slice(s, s + n), vecs.slice(s * dim, (s + n) * dim), tags.slice(s, s + n), ns.slice(s, s + n)],
};
for (const [name, make] of Object.entries(forms)) {
  const times = [];
  for (let rep = 0; rep < 15; rep++) {
    const c = new Collection(`mb_${name}_${rep}`, schema());
    const batches = []; for (let s = 0; s < N; s += B) batches.push(make(s, B));
    const t = performance.now();
    for (const b of batches) await c.insert(b);
    times.push(performance.now() - t);
    c.drop();
  }
  times.sort((a, b) => a - b);
  console.log(name, 'median ms', times[7].toFixed(1), 'min', times[0].toFixed(1));
}
