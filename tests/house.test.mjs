// The house rules of web/src (issue 14): one engine meets the core, and every constant comes
// from C once.
//  - core/engine.js is the only module that calls the `_pt_wasm_*` exports or touches linear
//    memory (HEAPU8, HEAP32, ..., a DataView over it), and only core/loader.js loads the glue;
//    the engine itself hands neither the module nor a view of its memory to anyone.
//  - No JS file holds a copy of a code the core defines and reports at init (pt_wasm_constants:
//    input kinds, cell states, forms, ops, flags, statuses, error codes, DataTypes and their
//    classes and REST names, field operations, FunctionTypes), except the tables that must exist
//    before init() — DataType (core/dtype.js), the error codes (core/errors.js), FieldOpType
//    (core/fieldop.js) and FunctionType (core/functiontype.js) — which the engine checks against
//    the core's when it starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, memoryUsage } from 'partita';
import { checkMirrors, engine } from '../web/src/core/engine.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Every .js / .mjs file under `dir` (relative to the repository), with its text. */
async function sources(dir) {
  const out = [];
  for (const e of await readdir(path.join(root, dir), { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !/\.m?js$/.test(e.name)) continue;
    const file = path.relative(root, path.join(e.parentPath ?? e.path, e.name));
    out.push({ file, text: await readFile(path.join(root, file), 'utf8') });
  }
  return out;
}

/** The text without comments, so that prose may name what code may not: strings are matched
 * first and kept (a URL's // is not a comment), comments dropped. */
const code = (text) =>
  text.replace(/('(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`)|\/\*[\s\S]*?\*\/|\/\/.*$/gm, (m, str) => str ?? ' ');

const web = [...(await sources('web/src')), ...(await sources('web/bin')), ...(await sources('web/demo'))];
const ENGINE = 'web/src/core/engine.js';

test('web/src is in wings, and the entries package.json names are where it says', async () => {
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  const targets = [];
  const walk = (v) => (typeof v === 'string' ? targets.push(v) : Object.values(v).forEach(walk));
  walk(pkg.exports);
  for (const t of targets.filter((t) => t.startsWith('./web/src/'))) assert.ok(web.some((f) => './' + f.file === t) || t.endsWith('.d.ts'), t);
  for (const f of web.filter((f) => f.file.startsWith('web/src/')))
    assert.match(f.file, /^web\/src\/((core|orm|remote|server|persist|client|grpc)\/[a-z-]+\.js|[a-z.-]+\.js)$/, f.file);
  // at the top: entries only (each re-exports a wing, or picks how init() finds the .wasm)
  for (const f of web.filter((f) => /^web\/src\/[^/]+\.js$/.test(f.file)))
    assert.ok(targets.includes('./' + f.file) || f.file === 'web/src/index.js', `${f.file} is not an entry`);
});

test('no JS file but core/engine.js names _pt_wasm_ or reads linear memory', () => {
  const rules = [
    [/_pt_wasm_/, 'calls an export of the core'],
    [/\bHEAP(U?8|U?16|U?32|U?64|F32|F64|64)\b/, 'reads linear memory'],
    [/\bwasm(Memory|Exports)\b/, 'reaches the module'],
    [/\.dv\b/, 'reads linear memory through a DataView'],
    [/\bstack(Alloc|Save|Restore)\b/, 'allocates on the core\'s stack'],
  ];
  const offences = [];
  for (const { file, text } of web) {
    if (file === ENGINE) continue;
    for (const [re, what] of rules) if (re.test(code(text))) offences.push(`${file} ${what} (${re})`);
    // the Emscripten glue is loaded once, and handed to the engine
    if (/dist\/partita\.mjs/.test(code(text)) && file !== 'web/src/core/loader.js') offences.push(`${file} imports the glue`);
  }
  assert.deepEqual(offences, []);
  // the engine does touch it (the scan would pass vacuously if the names were wrong)
  const engineText = web.find((f) => f.file === ENGINE).text;
  assert.match(engineText, /_pt_wasm_write\(/);
  assert.match(engineText, /HEAPU8/);
});

test('the engine hands out neither the module nor a view of linear memory', async () => {
  await init();
  const e = engine();
  const { heap } = memoryUsage();
  const reaches = (v) => v !== null && typeof v === 'object' &&
    (v instanceof WebAssembly.Memory || v instanceof WebAssembly.Instance || 'HEAPU8' in v || '_pt_wasm_alloc' in v ||
     ((ArrayBuffer.isView(v) || v instanceof ArrayBuffer) && (v.buffer ?? v).byteLength === heap));
  for (const [k, v] of Object.entries(e)) {
    assert.ok(!reaches(v), `engine().${k}`);
    if (v && typeof v === 'object') for (const [k2, v2] of Object.entries(v)) assert.ok(!reaches(v2), `engine().${k}.${k2}`);
  }
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(e)))
    assert.ok(!/^(M|module|exports|u8|dv|heap|memory)$/i.test(name), `engine().${name}`);
});

test('no JS file holds a copy of a code the core defines', async () => {
  await init();
  const C = engine().constants;
  const groups = ['status', 'exception', 'input', 'cell', 'form', 'field', 'op', 'flags', 'code', 'dtype', 'field_op', 'function'];
  // the tables JS must have before init(), checked against the core's when the engine starts
  const mirror = { dtype: 'web/src/core/dtype.js', code: 'web/src/core/errors.js', field_op: 'web/src/core/fieldop.js', function: 'web/src/core/functiontype.js' };
  const mirrorOf = Object.fromEntries(Object.entries(mirror).map(([g, f]) => [f, g]));
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const vectorCodes = C.dtype_class.vector.join('|');
  const offences = [];
  for (const { file, text } of web) {
    const src = code(text);
    const own = mirrorOf[file]; // the table this file may hold
    for (const g of groups) {
      let keyed = 0;
      for (const [name, value] of Object.entries(C[g])) {
        if (typeof value !== 'number' || (own && C[own][name] === value)) continue;
        const v = escape(String(value));
        // a constant or a table entry as the core spells it: NAME = 3, PT_FORM_NAME = 3, NAME: 3
        if (new RegExp(`(?:\\b|_)${name}\\s*(?::|=(?!=))\\s*${v}(?![\\w.])`).test(src)) offences.push(`${file}: ${g}.${name} = ${value}`);
        // a table in other words: two or more keys of one group, in any case ({ insert: 1, upsert: 2 })
        else if (new RegExp(`[{,]\\s*['"]?${name}['"]?\\s*:\\s*${v}(?![\\w.])`, 'i').test(src)) keyed++;
      }
      if (keyed >= 2) offences.push(`${file}: a table of ${keyed} ${g} codes`);
    }
    // Milvus's error codes the core defines, written as numbers where an error is made
    if (own !== 'code')
      for (const [name, value] of Object.entries(C.code)) {
        const made = new RegExp(`(?:Exception|Error|failure)\\(\\s*(?:[\\w.]+\\s*\\?\\?\\s*)?${value}\\b`);
        if (made.test(src)) offences.push(`${file}: error code ${value} (code.${name}) written as a number`);
      }
    // DataTypes compared with numbers, and ranges of vector codes ("is it a vector?" is the
    // core's to say: dtype_class)
    const op = '(?:[<>]=?|[=!]==?)';
    const dtypeNumber = new RegExp(`\\b(?:dtype|element_type|keyType)\\s*${op}\\s*\\d|\\d\\s*${op}\\s*(?:\\w+\\.)?(?:dtype|element_type|keyType)\\b`);
    if (dtypeNumber.test(src)) offences.push(`${file}: a DataType compared with a number`);
    const range = '(?:[<>]=?)';
    if (new RegExp(`${range}\\s*(?:${vectorCodes})\\b|\\b(?:${vectorCodes})\\s*${range}`).test(src)) offences.push(`${file}: a range of vector DataType codes`);
    // REST's schema.proto names of the vector types are the core's (dtype_proto)
    for (const t of C.dtype_class.vector) {
      const proto = C.dtype_proto[Object.keys(C.dtype).find((k) => C.dtype[k] === t)];
      if (new RegExp(`['"\`]${proto}['"\`]`).test(src)) offences.push(`${file}: the REST name '${proto}'`);
    }
  }
  assert.deepEqual(offences, []);
});

test('the tables JS has before init() are checked against the core when the engine starts', async () => {
  await init();
  const C = engine().constants;
  assert.doesNotThrow(() => checkMirrors(C));
  const changed = (group, name, delta) => ({ ...C, [group]: { ...C[group], [name]: C[group][name] + delta } });
  assert.throws(() => checkMirrors(changed('dtype', 'FLOAT_VECTOR', 1)), /DataType\.FLOAT_VECTOR is 101 in JS but 102 in the core/);
  assert.throws(() => checkMirrors(changed('code', 'COLLECTION_NOT_FOUND', 1)), /error code COLLECTION_NOT_FOUND is 100 in JS but 101/);
  assert.throws(() => checkMirrors(changed('field_op', 'ARRAY_REMOVE', 1)), /FieldOpType\.ARRAY_REMOVE is 2 in JS but 3 in the core/);
  assert.throws(() => checkMirrors(changed('function', 'BM25', 1)), /FunctionType\.BM25 is 1 in JS but 2 in the core/);
  // every FunctionType code, not only the one the core runs
  assert.throws(() => checkMirrors(changed('function', 'RERANK', 1)), /FunctionType\.RERANK is 3 in JS but 4 in the core/);
  const { MOLFINGERPRINT: _m, ...fewerTypes } = C.function;
  assert.throws(() => checkMirrors({ ...C, function: fewerTypes }), /FunctionType\.MOLFINGERPRINT is not one of the core's/);
  // a name the core does not know is refused in every table (DataType and FieldOpType too)
  const { INT8_VECTOR: _v, ...fewerDtypes } = C.dtype;
  assert.throws(() => checkMirrors({ ...C, dtype: fewerDtypes }), /DataType\.INT8_VECTOR is not one of the core's/);
  const { ARRAY_REMOVE: _r, ...fewerOps } = C.field_op;
  assert.throws(() => checkMirrors({ ...C, field_op: fewerOps }), /FieldOpType\.ARRAY_REMOVE is not one of the core's/);
  const { PARAMETER_MISSING: _, ...fewer } = C.code;
  assert.throws(() => checkMirrors({ ...C, code: fewer }), /error code PARAMETER_MISSING is not one of the core's/);
  // and what the faces ask of DataTypes is the core's answer
  const { isVectorType, isDenseVectorType, isIntegerType } = await import('../web/src/core/dtype.js');
  for (let t = -1; t <= 1000; t++) {
    assert.equal(isVectorType(t), C.dtype_class.vector.includes(t), `vector ${t}`);
    assert.equal(isDenseVectorType(t), C.dtype_class.dense_vector.includes(t), `dense ${t}`);
    assert.equal(isIntegerType(t), C.dtype_class.integer.includes(t), `integer ${t}`);
  }
});
