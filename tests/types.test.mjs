// The TypeScript declarations (web/src/index.d.ts) compile under --strict against typical use,
// and reject the misuse marked with @ts-expect-error in tests/types/usage.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

test('tsc --strict accepts the documented usage of the declarations', { timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(here, 'types/tsconfig.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}\n${r.stderr}`);
});
