// durable-child.mjs — the writer of the crash tests (tests/durable.test.mjs): opens the durable
// store in argv[2] and writes random mutations until it is killed, recording each on stdout,
// synchronously: "begin <json>" before the call, "ack <n>" once it resolved. The parent SIGKILLs
// it at a random moment and checks the store against the acknowledged operations.
//   node durable-child.mjs DIR SEED [groupCommitMs [cold]]   (cold: the store has coldVectors)
import { writeSync } from 'node:fs';
import { init, connections, Collection, CollectionSchema, FieldSchema, DataType } from 'partita';

const [dir, seedText, groupText, coldText] = process.argv.slice(2);
let seed = Number(seedText) >>> 0 || 1;
const rand = (n) => {
  // xorshift32: the same sequence for a seed
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed % n;
};

await init();
// small thresholds, so that checkpoints (and log truncations) happen between the kills too
connections._connectDurable('crash', dir, { compactMinBytes: 16384, compactRatio: 1, groupCommitMs: Number(groupText ?? 0), coldVectors: coldText === 'cold' });
const schema = new CollectionSchema([
  new FieldSchema('id', DataType.INT64, { is_primary: true }),
  new FieldSchema('n', DataType.INT64),
  new FieldSchema('tag', DataType.VARCHAR, { max_length: 16, nullable: true, default_value: 'd' }),
  new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 4 }),
]);
const c = new Collection('crash', schema, { using: 'crash' });
const say = (line) => writeSync(1, `${line}\n`);
say('ready');

/** Up to `n` rows made by make(id), of distinct keys below 300 (an upsert's keys are distinct). */
function distinct(n, make) {
  const seen = new Set();
  for (let k = 0; k < n; k++) seen.add(rand(300));
  return [...seen].map(make);
}

let fresh = 1_000_000 + rand(1000) * 1000;
for (let i = 0; ; i++) {
  const kind = rand(10);
  let op;
  if (kind < 3) {
    const rows = [];
    for (let k = rand(20) + 1; k > 0; k--) rows.push({ id: fresh++, n: rand(1000), tag: `i${rand(100)}`, v: [rand(9), rand(9), 1, 2] });
    op = { kind: 'insert', rows };
  } else if (kind < 6) {
    op = { kind: 'upsert', rows: distinct(rand(30) + 1, (id) => ({ id, n: rand(1000), tag: rand(4) ? `u${rand(100)}` : null, v: [rand(9), 0, rand(9), 1] })) };
  } else if (kind < 8) {
    const ids = Array.from({ length: rand(10) + 1 }, () => rand(300));
    op = { kind: 'delete', ids };
  } else if (kind < 9) {
    op = { kind: 'merge', rows: distinct(rand(5) + 1, (id) => ({ id, n: rand(1000), v: [1, 1, rand(9), 0] })) };
  } else {
    op = { kind: 'checkpoint' };
  }
  say(`begin ${JSON.stringify(op)}`);
  if (op.kind === 'insert') await c.insert(op.rows);
  else if (op.kind === 'upsert') await c.upsert(op.rows);
  else if (op.kind === 'merge') await c.upsert(op.rows, { partial_update: true });
  else if (op.kind === 'delete') await c.delete(`id in [${op.ids.join(',')}]`);
  else connections._durable('crash').checkpoint();
  say(`ack ${i}`);
}
