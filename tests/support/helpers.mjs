// Shared helpers of the node test suites.
import assert from 'node:assert/strict';
import { MilvusException, CollectionSchema, FieldSchema, DataType } from 'partita';

let counter = 0;
/** A collection name no other test uses. */
export const uniqueName = (prefix = 'c') => `${prefix}_${process.pid}_${++counter}`;

/**
 * Asserts that fn throws (or rejects with) a MilvusException of class `cls` whose message
 * contains `message` (a string) or matches it (a RegExp), and whose code is `code`.
 */
export async function rejects(fn, { cls = MilvusException, code, message } = {}) {
  let error;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error, 'expected an exception, got none');
  assert.ok(error instanceof MilvusException, `expected a MilvusException, got ${error?.constructor?.name}: ${error?.message}`);
  assert.ok(error instanceof cls, `expected ${cls.name}, got ${error.constructor.name}: ${error.message}`);
  if (code !== undefined) assert.equal(error.code, code, `code of: ${error.message}`);
  if (typeof message === 'string') assert.ok(error.message.includes(message), `message "${error.message}" lacks "${message}"`);
  else if (message) assert.match(error.message, message);
  return error;
}

/** Everything in a collection, as a stable snapshot (rows in storage order, all fields). */
export async function snapshot(collection) {
  const rows = await collection.query('', { output_fields: ['*'], limit: 16384 });
  return { count: collection.num_entities, rows: JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) };
}

/** Runs fn, which must throw; then asserts the collection is exactly as before. */
export async function rejectsUnchanged(collection, fn, expectation) {
  const before = await snapshot(collection);
  const e = await rejects(fn, expectation);
  assert.deepEqual(await snapshot(collection), before, 'the store changed after a failed call');
  return e;
}

export const range = (n, f = (i) => i) => Array.from({ length: n }, (_, i) => f(i));

/** The schema of the merge-mode tests (merge.test.mjs, forward.test.mjs): a vector, a nullable
 * VARCHAR, a defaulted INT32, a nullable ARRAY of capacity 4 and dynamic fields. */
export const mergeSchema = () =>
  new CollectionSchema(
    [
      new FieldSchema('id', DataType.INT64, { is_primary: true }),
      new FieldSchema('v', DataType.FLOAT_VECTOR, { dim: 2 }),
      new FieldSchema('title', DataType.VARCHAR, { max_length: 16, nullable: true }),
      new FieldSchema('year', DataType.INT32, { default_value: 2000 }),
      new FieldSchema('tags', DataType.ARRAY, { element_type: DataType.VARCHAR, max_length: 8, max_capacity: 4, nullable: true }),
    ],
    'films',
    { enable_dynamic_field: true },
  );

/** The SDK README's quickstart (@zilliz/milvus2-sdk-node: "Create Collection, Insert, and
 * Search"), as its code block is written, from the README in `sdkDir`. */
export function sdkQuickstart(readFileSync, sdkDir) {
  const readme = readFileSync(`${sdkDir}/README.md`, 'utf8');
  const at = readme.indexOf('### Create Collection, Insert, and Search');
  assert.ok(at > 0, 'the quickstart is in the SDK README');
  const block = readme.slice(at).match(/```typescript\n([\s\S]*?)```/)[1];
  assert.match(block, /from '@zilliz\/milvus2-sdk-node'/);
  return block;
}

/** Checks what the quickstart printed (its `results`, as a RESULT line): both rows, by text. */
export function assertQuickstartResults(stdout) {
  const out = JSON.parse(stdout.split('\n').find((l) => l.startsWith('RESULT ')).slice(7));
  assert.equal(out.status.error_code, 'Success');
  assert.equal(out.results.length, 2);
  assert.deepEqual(out.results.map((h) => h.text), ['doc1', 'doc2']);
  for (const hit of out.results) {
    assert.deepEqual(Object.keys(hit).sort(), ['id', 'score', 'text']);
    assert.match(hit.id, /^\d+$/, 'auto_id keys are INT64 strings');
    assert.ok(Math.abs(hit.score - 1) < 1e-6, 'both rows point the same way as the query (COSINE)');
  }
}
