// The WASI artefacts under Node's WASI and under the JS shim (wasi/shim.mjs):
//   dist/partita-wasi.wasm  a reactor exporting the C API of include/partita.h
//   dist/partita-cli.wasm   a command: JSON-lines requests on stdin, one result per line
// (The same shim runs both inside workerd: tests/workerd.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { instantiateReactor, runCommand } from '../wasi/shim.mjs';
import { EXPECTED, scenario } from './support/wasi-capi.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REACTOR = path.join(root, 'dist/partita-wasi.wasm');
const CLI = path.join(root, 'dist/partita-cli.wasm');
const NATIVE_CLI = path.join(root, 'build/native/partita_cli_native');
const reactorModule = await WebAssembly.compile(readFileSync(REACTOR));
const cliModule = await WebAssembly.compile(readFileSync(CLI));

/** Every function the header declares with PT_API. */
function headerFunctions() {
  const h = readFileSync(path.join(root, 'include/partita.h'), 'utf8');
  return [...h.matchAll(/PT_API[^;(]*?[ *](pt_[a-z0-9_]+)\(/g)].map((m) => m[1]).sort();
}

function checkScenario(res) {
  const { search, ...rest } = res;
  const { search: want, ...wantRest } = EXPECTED;
  assert.equal(res.version, '0.1.0');
  for (const [k, v] of Object.entries(wantRest)) assert.deepEqual(rest[k], v, k);
  assert.deepEqual(search.map(({ distance, ...h }) => h), want.map(({ distance, ...h }) => h));
  search.forEach((h, i) => assert.ok(Math.abs(h.distance - want[i].distance) < 1e-4, `distance ${h.distance}`));
  assert.equal(res.error.code, 1100);
  assert.match(res.error.message, /^failed to create query plan: cannot parse expression: title > 1, error: comparisons between VarChar and Int64 are not supported/);
}

test('reactor: exports every PT_API function of partita.h, imports only WASI preview1', () => {
  const exports = new Set(WebAssembly.Module.exports(reactorModule).map((e) => e.name));
  const want = headerFunctions();
  assert.ok(want.length > 40, `${want.length} functions found in the header`);
  assert.deepEqual(want.filter((n) => !exports.has(n)), [], 'missing exports');
  for (const n of ['memory', '_initialize', 'pt_wasm_constants', 'pt_wasm_write_json']) assert.ok(exports.has(n), n);
  const imports = WebAssembly.Module.imports(reactorModule);
  assert.deepEqual([...new Set(imports.map((i) => i.module))], ['wasi_snapshot_preview1']);
});

test('reactor under node:wasi: create, upsert, query, search and an error through the C API', () => {
  const wasi = new WASI({ version: 'preview1', args: [], env: {}, returnOnExit: true });
  const instance = new WebAssembly.Instance(reactorModule, wasi.getImportObject());
  wasi.initialize(instance);
  checkScenario(scenario(instance.exports));
});

test('reactor under the JS shim (what workerd and browsers use)', async () => {
  checkScenario(scenario((await instantiateReactor(reactorModule)).exports));
});

// ---------------------------------------------------------------------------------------------
// The command-line program
// ---------------------------------------------------------------------------------------------

const VEC = (i) => [i, i];
const REQUESTS = [
  { op: 'create', collection: 'films', partitions: ['comedy'], schema: {
    fields: [
      { name: 'film_id', dtype: 'INT64', is_primary: true },
      { name: 'films', dtype: 101, dim: 2 },
      { name: 'title', dtype: 'varchar', max_length: 16, nullable: true },
      { name: 'tags', dtype: 'ARRAY', element_type: 'VARCHAR', max_capacity: 4, max_length: 8, nullable: true },
    ] } },
  { op: 'create', collection: 'films', schema: { fields: [
    { name: 'film_id', dtype: 5, is_primary: true }, { name: 'films', dtype: 101, dim: 3 }] } },
  { op: 'create_partition', collection: 'films', partition: 'drama' },
  { id: 'ins', op: 'insert', collection: 'films', partition: 'comedy',
    data: [0, 1, 2, 3].map((i) => ({ film_id: i, films: VEC(i), title: `t${i}`, tags: ['a'] })) },
  { op: 'upsert', collection: 'films', partition: 'comedy',
    data: [{ film_id: 3, films: VEC(30), title: 'new3' }, { film_id: 4, films: VEC(4) }] },
  { op: 'upsert', collection: 'films', partition: 'drama', data: { film_id: '9007199254740993', films: [9, 9], title: 'big' } },
  { op: 'upsert', collection: 'films', partition: 'comedy', data: [{ film_id: 7, films: VEC(7) }, { film_id: 7, films: VEC(7) }] },
  { op: 'delete', collection: 'films', partition: 'comedy', filter: 'film_id in [0, 99]' },
  { op: 'query', collection: 'films', filter: 'film_id >= 3', output_fields: ['title', 'tags'] },
  { op: 'query', collection: 'films', filter: '', output_fields: ['count(*)'], partition_names: ['comedy'] },
  { id: 42, op: 'search', collection: 'films', data: [[3, 3], [9, 9]], limit: 2, metric_type: 'L2',
    filter: 'film_id != 4', output_fields: ['title'] },
  { op: 'search', collection: 'films', anns_field: 'nope', data: [[1, 1]], limit: 1 },
  { op: 'query', collection: 'films', filter: 'title > 1' },
  { op: 'query', collection: 'missing', filter: 'film_id > 1' },
  { op: 'upsert', collection: 'films', partition: 'nope', data: [{ film_id: 1, films: VEC(1) }] },
  { op: 'frobnicate', collection: 'films' },
  { op: 'drop_partition', collection: 'films', partition: 'drama' },
  { op: 'drop', collection: 'films' },
  { op: 'query', collection: 'films', filter: 'film_id > 1' },
];
const INPUT = REQUESTS.map((r) => JSON.stringify(r)).join('\n') + '\n\n{not json\n';

/** Parses the output; timestamps are replaced by `true` when positive, for comparison. */
function results(stdout) {
  const lines = stdout.split('\n');
  assert.equal(lines.pop(), '', 'output ends with a newline');
  return lines.map((l) => {
    const o = JSON.parse(l.replace(/"timestamp":(\d+)/, (_, t) => `"timestamp":${BigInt(t) > 0n}`));
    return o;
  });
}

function checkCli(stdout) {
  const out = results(stdout);
  assert.equal(out.length, REQUESTS.length + 1, stdout);
  const mutation = (o) => ({ err_count: 0, err_index: [], timestamp: true, ...o });
  const expected = [
    { collection: 'films', partitions: ['_default', 'comedy'] },
    { error: { code: 65535, message: 'create duplicate collection with different parameters, collection: films' } },
    { partitions: ['_default', 'comedy', 'drama'] },
    { id: 'ins', ...mutation({ insert_count: 4, delete_count: 0, upsert_count: 0, succ_count: 4, primary_keys: [0, 1, 2, 3], succ_index: [0, 1, 2, 3] }) },
    mutation({ insert_count: 2, delete_count: 2, upsert_count: 2, succ_count: 2, primary_keys: [3, 4], succ_index: [0, 1] }),
    null, // the int64 key: checked below as text
    { error: { code: 1100, message: null } },
    mutation({ insert_count: 0, delete_count: 2, upsert_count: 0, succ_count: 0, primary_keys: [], succ_index: [] }),
    null, // query with a big key: checked below
    { rows: [{ 'count(*)': 4 }] },
    { id: 42, hits: [
      [{ film_id: 2, title: 't2', distance: 2 }, { film_id: 1, title: 't1', distance: 8 }],
      [{ film_id: null, title: 'big', distance: 0 }, { film_id: 2, title: 't2', distance: 98 }],
    ] },
    { error: { code: 1100, message: 'failed to get field schema by name: fieldName(nope) not found: invalid parameter' } },
    { error: { code: 1100, message: 'failed to create query plan: cannot parse expression: title > 1, error: comparisons between VarChar and Int64 are not supported: invalid parameter' } },
    { error: { code: 100, message: "can't find collection[database=default][collection=missing]" } },
    { error: { code: 200, message: 'partition not found[partition=nope]' } },
    { error: { code: 1100, message: null } },
    { partitions: ['_default', 'comedy'] },
    { dropped: true },
    { error: { code: 100, message: "can't find collection[database=default][collection=films]" } },
    { error: { code: 1801, message: "can only accept json format request, error: invalid JSON: unexpected character 'n' at byte 1" } },
  ];
  expected.forEach((want, i) => {
    const got = out[i];
    if (want === null) return;
    if (want.error && want.error.message === null) {
      assert.equal(got.error?.code, want.error.code, `line ${i + 1}: ${JSON.stringify(got)}`);
      return;
    }
    if (want.hits) {
      assert.equal(got.id, 42);
      assert.equal(got.hits.length, 2);
      assert.deepEqual(got.hits[0], want.hits[0]);
      assert.equal(got.hits[1][0].title, 'big');
      return;
    }
    assert.deepEqual(got, want, `line ${i + 1}: ${JSON.stringify(REQUESTS[i] ?? 'not json')}`);
  });
  const lines = stdout.split('\n');
  // INT64 keys keep every digit, both ways
  assert.match(lines[5], /"primary_keys":\[9007199254740993\]/);
  assert.match(lines[8], /^\{"rows":\[\{"film_id":3,"title":"new3","tags":null\},\{"film_id":4,"title":null,"tags":null\},\{"film_id":9007199254740993,"title":"big","tags":null\}\]\}$/);
  assert.match(lines[10], /\{"film_id":9007199254740993,"title":"big","distance":0\}/);
  assert.match(out[6].error.message, /duplicate/i);
  assert.match(out[15].error.message, /unknown op "frobnicate"/);
}

test('CLI under node:wasi (wasi/run-command.mjs): JSON lines in, JSON lines out', () => {
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(root, 'wasi/run-command.mjs'), CLI],
    { input: INPUT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  checkCli(r.stdout);
});

test('CLI under the JS shim gives the same answers', async () => {
  const r = await runCommand(cliModule, { stdin: INPUT });
  assert.equal(r.exitCode, 0, r.stderr);
  checkCli(r.stdout);
});

test('CLI natively under ASan+UBSan gives the same answers', { skip: !existsSync(NATIVE_CLI) && 'no native build (bash scripts/setup.sh test)' }, () => {
  const r = spawnSync(NATIVE_CLI, [], {
    input: INPUT, encoding: 'utf8',
    env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:halt_on_error=1', UBSAN_OPTIONS: 'halt_on_error=1' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  checkCli(r.stdout);
});

// (A 25 MB line also works, but Node 20.20's WASI crashes V8's incremental marking while the
// program grows its memory that far — "Fatal error ... unreachable code" in ProcessEphemerons —
// unless node runs with --no-incremental-marking; the JS shim is not affected.)
test('CLI: a 1.6 MB upsert line (5,000 rows × 64-d) and a search over it, under node:wasi and the shim', async () => {
  const dim = 64, N = 5000;
  const rows = Array.from({ length: N }, (_, i) => ({ id: i, v: Array.from({ length: dim }, (_, d) => (d ? ((i * 31 + d * 7) % 97) / 97 : i / N)) }));
  const input = [
    { op: 'create', collection: 'big', schema: { fields: [{ name: 'id', dtype: 'INT64', is_primary: true }, { name: 'v', dtype: 'FLOAT_VECTOR', dim }] } },
    { op: 'upsert', collection: 'big', data: rows },
    { op: 'search', collection: 'big', data: [rows[1234].v], limit: 3, metric_type: 'L2' },
  ].map((r) => JSON.stringify(r)).join('\n') + '\n';
  const viaNode = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(root, 'wasi/run-command.mjs'), CLI],
    { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  const viaShim = await runCommand(cliModule, { stdin: input });
  for (const r of [{ exitCode: viaNode.status, stdout: viaNode.stdout, stderr: viaNode.stderr }, viaShim]) {
    assert.equal(r.exitCode, 0, r.stderr);
    const out = results(r.stdout);
    assert.equal(out[1].upsert_count, N);
    assert.equal(out[1].primary_keys.length, N);
    assert.equal(out[2].hits[0][0].id, 1234);
    assert.equal(out[2].hits[0][0].distance, 0);
  }
});

/** Runs the CLI on `input` as WASI and, when it is built, natively (ASan): [{ exitCode, stdout, stderr }]. */
async function bothClis(input) {
  const runs = [await runCommand(cliModule, { stdin: input })];
  if (existsSync(NATIVE_CLI)) {
    const r = spawnSync(NATIVE_CLI, [], { input, encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:halt_on_error=1' } });
    runs.push({ exitCode: r.status, stdout: r.stdout, stderr: r.stderr });
  }
  return runs;
}

// A NUL character in a line (raw, or \u0000 in a name or an expression) was cut at: the line by
// fgets + strlen, names and expressions by cJSON's C strings ('id == 2\u0000 or true' deleted
// row 2, '\u0000id == 1' matched every row). Now such requests are refused; values keep theirs.
test('CLI: a NUL character is refused in names and expressions, kept in values, never cut at (issue 13)', async () => {
  const input = [
    { op: 'create', collection: 'n', schema: { fields: [{ name: 'id', dtype: 'INT64', is_primary: true },
      { name: 'v', dtype: 'FLOAT_VECTOR', dim: 2 }, { name: 's', dtype: 'VARCHAR', max_length: 8 }] } },
    { op: 'insert', collection: 'n', data: [{ id: 1, v: [0, 1], s: 'a\0b' }, { id: 2, v: [1, 0], s: 'c' }] },
    { op: 'query', collection: 'n', filter: '\0id == 1', limit: 5 },
    { op: 'delete', collection: 'n', filter: 'id == 2\0 or true' },
    { op: 'query', collection: 'n\0x', filter: 'id >= 1' },
    { op: 'search', collection: 'n', data: [[0, 1]], limit: 2, filter: 'id < 0\0 or true' },
    { op: 'query', collection: 'n', filter: 'id >= 1', output_fields: ['s'] },
  ].map((r) => JSON.stringify(r)).join('\n') + '\n{"op":"drop","collection":"n"}\0\n';
  const runs = await bothClis(input);
  for (const r of runs) {
    assert.equal(r.exitCode, 0, r.stderr);
    const out = results(r.stdout);
    assert.equal(out.length, 8, r.stdout);
    assert.equal(out[1].insert_count, 2);
    for (const [i, key] of [[2, 'filter'], [3, 'filter'], [4, 'collection'], [5, 'filter']]) {
      assert.equal(out[i].error?.code, 1100, `line ${i + 1}: ${JSON.stringify(out[i])}`);
      assert.match(out[i].error.message, new RegExp(`^"${key}" holds a NUL character \\(\\\\u0000\\) in a string at byte \\d+: names, expressions and parameters cannot contain NUL`));
    }
    assert.deepEqual(out[6], { rows: [{ id: 1, s: 'a\0b' }, { id: 2, s: 'c' }] });
    assert.deepEqual(out[7], { error: { code: 1801, message: 'can only accept json format request, error: invalid JSON: text after the JSON value at byte 30' } });
  }
});

// The CLI packed query vectors by concatenation: [[1,0,0],[1]] on a 2-d field was searched as
// [1,0] and [0,1], and INT8 values were wrapped (300 as 44). Each vector is now measured, and
// byte vectors' values must be integers in range (issue 13).
test('CLI: a query vector of another size is refused, never cut into rows; byte values are not wrapped', async () => {
  const input = [
    { op: 'create', collection: 'q', schema: { fields: [{ name: 'id', dtype: 'INT64', is_primary: true },
      { name: 'v', dtype: 'FLOAT_VECTOR', dim: 2 }] } },
    { op: 'insert', collection: 'q', data: [{ id: 1, v: [0, 1] }, { id: 2, v: [1, 0] }] },
    { op: 'search', collection: 'q', data: [[1, 0, 0], [1]], limit: 2 },
    { op: 'search', collection: 'q', data: [[1, 0], [1]], limit: 2 },
    { op: 'create', collection: 'i8', schema: { fields: [{ name: 'id', dtype: 'INT64', is_primary: true },
      { name: 'v', dtype: 'INT8_VECTOR', dim: 2 }] } },
    { op: 'insert', collection: 'i8', data: [{ id: 1, v: [1, 2] }] },
    { op: 'search', collection: 'i8', data: [[300, 1]], limit: 1, metric_type: 'L2' },
    { op: 'search', collection: 'i8', data: [[1.5, 1]], limit: 1, metric_type: 'L2' },
    { op: 'search', collection: 'i8', data: [[1, 2]], limit: 1, metric_type: 'L2' },
  ].map((r) => JSON.stringify(r)).join('\n') + '\n';
  const runs = await bothClis(input);
  for (const r of runs) {
    assert.equal(r.exitCode, 0, r.stderr);
    const out = results(r.stdout);
    assert.equal(out.length, 9, r.stdout);
    for (const i of [2, 3]) assert.match(out[i].error?.message ?? '', /vector dimension mismatch, expected vector size\(byte\) 8, actual (12|4)/, JSON.stringify(out[i]));
    assert.match(out[6].error?.message ?? '', /must be integers in \[-128, 127\], got 300/);
    assert.match(out[7].error?.message ?? '', /must be integers in \[-128, 127\], got 1.5/);
    assert.equal(out[8].hits[0][0].id, 1);
  }
});
