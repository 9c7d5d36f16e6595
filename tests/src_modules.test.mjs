// src/ as modules without circles. A module is a header of src/ and the .c files that define
// what it declares: X.h fronts X.c, except the headers of FRONTS below; a .c that no header
// fronts (it defines only functions of include/partita.h) is a module of its own. Checked:
//   1. the modules' #include "..." graph has no cycle;
//   2. the graph of which module calls which (nm over the native build's objects: the symbols
//      one object needs and another defines) has no cycle — the include graph alone would miss
//      a function defined in one module and declared in another's header;
//   3. every function a module calls in another is declared in partita.h or in the header of
//      the module that defines it, so that the include graph shows every dependency;
//   4. no .c file declares a function of the core by hand: a declaration has one home.
// `npm test` builds build/native first (scripts/setup.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(root, 'src');
const OBJECTS = path.join(root, 'build/native/CMakeFiles/partita_core.dir/src');

// Headers that front more than their namesake .c.
const FRONTS = {
  'store.h': ['segment.c', 'partition.c', 'collection.c', 'compact.c', 'snapshot.c', 'fts.c', 'cold.c'],
  'expr.h': ['expr_lex.c', 'expr_parse.c'],
  'distance.h': ['distance.c', 'distance_simd128.c'],
  'index.h': ['index.c', 'hnsw.c', 'ivf.c', 'sq8.c', 'rabitq.c'],
};

const files = readdirSync(SRC).filter((f) => /\.[ch]$/.test(f)).sort();
const read = (f) => readFileSync(path.join(SRC, f), 'utf8');

/** file -> module name */
function moduleMap() {
  const mod = new Map();
  for (const h of files.filter((f) => f.endsWith('.h'))) {
    const name = h.slice(0, -2);
    mod.set(h, name);
    for (const c of FRONTS[h] ?? (files.includes(`${name}.c`) ? [`${name}.c`] : [])) {
      assert.ok(files.includes(c), `FRONTS: ${h} fronts ${c}, which is not in src/`);
      assert.ok(!mod.has(c), `${c} is fronted by two headers`);
      mod.set(c, name);
    }
  }
  for (const c of files.filter((f) => f.endsWith('.c'))) if (!mod.has(c)) mod.set(c, c.slice(0, -2));
  return mod;
}

/** A cycle of a directed graph (Map node -> Set of nodes) as a list of nodes, or null. */
function findCycle(graph) {
  const state = new Map(); // 1: on the path, 2: done
  const stack = [];
  const visit = (n) => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of [...graph.keys()].sort()) {
    if (state.has(n)) continue;
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

function addEdge(graph, a, b, why, whys) {
  if (a === b) return;
  if (!graph.has(a)) graph.set(a, new Set());
  graph.get(a).add(b);
  const k = `${a} -> ${b}`;
  if (!whys.has(k)) whys.set(k, []);
  whys.get(k).push(why);
}

const describe = (cycle, whys) =>
  cycle.slice(1).map((b, i) => `  ${cycle[i]} -> ${b}: ${whys.get(`${cycle[i]} -> ${b}`).slice(0, 4).join(', ')}`).join('\n');

/** Comments and string literals out, preprocessor lines out: what the compiler parses. */
function code(text) {
  return text
    .replace(/^[ \t]*#[ \t]*ifdef[ \t]+__cplusplus\b[\s\S]*?^[ \t]*#[ \t]*endif[^\n]*/gm, ' ') // extern "C" { }
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""')
    .replace(/^[ \t]*#[^\n]*(?:\\\n[^\n]*)*/gm, ' ');
}

/** The function declarations (not definitions) at file scope: name -> the declaration's text. */
function declarations(text) {
  const out = new Map();
  let depth = 0, seg = '';
  for (const ch of code(text).replace(/__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)/g, ' ')) {
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) seg = '';
    } else if (depth === 0) {
      if (ch !== ';') {
        seg += ch;
        continue;
      }
      const s = seg.trim().replace(/\s+/g, ' ');
      seg = '';
      if (/^(static|typedef|extern)\b/.test(s) || s.includes('=')) continue;
      const m = s.match(/^(?:PT_API )?[A-Za-z_][\w *]*?[ *](pt_[a-z0-9_]+) ?\(/);
      if (m) out.set(m[1], s);
    }
  }
  return out;
}

test('src/: the #include graph of the modules has no cycle', () => {
  const mod = moduleMap();
  const graph = new Map(), whys = new Map();
  for (const f of files) {
    for (const [, inc] of read(f).matchAll(/^[ \t]*#[ \t]*include[ \t]*"([^"]+)"/gm)) {
      if (!mod.has(inc)) continue; // partita.h, cJSON.h
      addEdge(graph, mod.get(f), mod.get(inc), `${f} includes ${inc}`, whys);
    }
  }
  const cycle = findCycle(graph);
  assert.equal(cycle, null, cycle && `an include cycle:\n${describe(cycle, whys)}`);
});

/** object file (X.c) -> { defines: Set, needs: Set } of the native build. */
function symbols() {
  assert.ok(existsSync(OBJECTS), `${OBJECTS} is missing: run \`bash scripts/setup.sh test\` first`);
  // the objects of today's src/ (a file renamed since leaves its old object behind: not read)
  const objs = files.filter((f) => f.endsWith('.c')).map((c) => `${c}.o`);
  for (const o of objs) {
    const obj = path.join(OBJECTS, o);
    assert.ok(existsSync(obj) && statSync(obj).mtimeMs >= statSync(path.join(SRC, o.slice(0, -2))).mtimeMs,
      `${obj} is missing or older than its source: rebuild build/native`);
  }
  const nm = ['nm', 'llvm-nm', 'llvm-nm-14'].find((n) => spawnSync(n, ['--version']).status === 0);
  assert.ok(nm, 'nm is not installed');
  const r = spawnSync(nm, ['-A', '-g', ...objs], { cwd: OBJECTS, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const out = new Map(objs.map((o) => [o.slice(0, -2), { defines: new Set(), needs: new Set() }]));
  for (const line of r.stdout.split('\n')) {
    const m = line.match(/^([^:]+\.c)\.o:\s*(?:[0-9a-fA-F]+\s+)?([A-Za-z])\s+(\S+)$/);
    if (!m || !m[3].startsWith('pt_')) continue;
    (m[2] === 'U' ? out.get(m[1]).needs : out.get(m[1]).defines).add(m[3]);
  }
  return out;
}

test('src/: which module calls which (nm) has no cycle, and each call is declared where it is defined', () => {
  const mod = moduleMap();
  const syms = symbols();
  const definer = new Map();
  for (const [c, s] of syms) for (const name of s.defines) definer.set(name, c);
  const decls = new Map(); // name -> headers declaring it
  const headers = [...files.filter((f) => f.endsWith('.h')), '../include/partita.h'];
  for (const h of headers)
    for (const name of declarations(read(h)).keys()) decls.set(name, [...(decls.get(name) ?? []), path.basename(h)]);

  const graph = new Map(), whys = new Map(), misfiled = [];
  for (const [c, s] of syms) {
    for (const name of s.needs) {
      const d = definer.get(name);
      if (!d || mod.get(d) === mod.get(c)) continue;
      addEdge(graph, mod.get(c), mod.get(d), `${c} calls ${name} (${d})`, whys);
      const where = decls.get(name) ?? [];
      const home = where.filter((h) => h === 'partita.h' || mod.get(h) === mod.get(d));
      if (!home.length || where.length !== home.length)
        misfiled.push(`${c} calls ${name}, defined in ${d} (module ${mod.get(d)}), declared in ${where.join(', ') || 'no header'}`);
    }
  }
  const cycle = findCycle(graph);
  const problems = [];
  if (cycle) problems.push(`a call cycle between modules:\n${describe(cycle, whys)}`);
  if (misfiled.length) problems.push(`functions declared away from their module:\n  ${misfiled.join('\n  ')}`);
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('src/: no .c file declares a function of the core by hand', () => {
  const hand = [];
  for (const c of files.filter((f) => f.endsWith('.c')))
    for (const [name, decl] of declarations(read(c))) hand.push(`${c}: ${decl}`);
  assert.deepEqual(hand, [], `declarations belong in the defining module's header:\n  ${hand.join('\n  ')}`);
});
