// Before init() resolves, every entry point says to await init() (this file runs in its own
// process, so nothing has initialised the module yet).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { init, isInitialized, Collection, CollectionSchema, FieldSchema, DataType, MilvusException } from 'partita';

test('using the API before init() throws a MilvusException that says to await init()', async () => {
  assert.equal(isInitialized(), false);
  // DataType is plain data, usable before init
  assert.equal(DataType.INT64, 5);
  for (const fn of [
    () => new FieldSchema('id', DataType.INT64, { is_primary: true }),
    () => new CollectionSchema([]),
    () => new Collection('x'),
  ]) {
    assert.throws(fn, (e) => e instanceof MilvusException && /await init\(\)/.test(e.message));
  }
});

test('init({ wasm }) takes compiled modules and bytes', async () => {
  const bytes = await readFile(new URL('../dist/partita.wasm', import.meta.url));
  await assert.rejects(init({ wasm: 42 }), /takes a WebAssembly.Module/);
  const info = await init({ wasm: await WebAssembly.compile(bytes) });
  assert.ok(info.version);
  assert.equal(isInitialized(), true);
  assert.equal(await init(), info, 'memoised');
  new FieldSchema('id', DataType.INT64, { is_primary: true });
});
