// The C unit tests (tests/unit/test_*.c), run twice: natively under ASan+UBSan (gcc) and
// compiled to WebAssembly (WASI) under Node. `npm test` builds both first (scripts/setup.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const names = readdirSync(path.join(root, 'tests/unit'))
  .filter((f) => /^test_.*\.c$/.test(f))
  .map((f) => f.slice(0, -2))
  .sort();

const builds = [
  { kind: 'native (ASan+UBSan)', file: (n) => path.join(root, 'build/native', n), run: (f) => [f, []] },
  {
    kind: 'WASI (wasm32 under Node)',
    file: (n) => path.join(root, 'build/wasi/tests', `${n}.wasm`),
    run: (f) => [process.execPath, ['--disable-warning=ExperimentalWarning', path.join(root, 'wasi/run-command.mjs'), f]],
  },
];

test('there are C unit tests', () => assert.ok(names.length >= 1));

for (const b of builds) {
  for (const name of names) {
    test(`${name} — ${b.kind}`, { timeout: 300_000 }, () => {
      const file = b.file(name);
      assert.ok(existsSync(file), `${file} is missing: run \`bash scripts/setup.sh test\` first`);
      const [cmd, args] = b.run(file);
      const r = spawnSync(cmd, args, {
        encoding: 'utf8',
        env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:halt_on_error=1', UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1' },
        maxBuffer: 64 << 20,
      });
      const out = `${r.stdout}\n${r.stderr}`;
      // a signal (status null) is named: a run that printed its summary and was then killed is told apart
      assert.equal(r.status, 0, `${name} failed (${b.kind}; exit ${r.status}, signal ${r.signal}, ${r.error?.message ?? 'no spawn error'}):\n${out.slice(-6000)}`);
      assert.match(r.stdout, /^\d+ passed, 0 failed$/m, `no summary from ${name}:\n${out.slice(-2000)}`);
    });
  }
}
