// Bounded libFuzzer runs (issue 6, item 4): every target in tests/fuzz/ runs for a few seconds
// from its committed seed corpus (built by `bash scripts/setup.sh test` in build/fuzz, clang with
// ASan+UBSan). A crash, a sanitizer report, a leak or a failed store check fails the test with
// the fuzzer's output. Longer runs: `npm run fuzz -- 600` (scripts/fuzz.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SECONDS = Number(process.env.PT_FUZZ_SECONDS ?? 8);
const targets = readdirSync(join(root, 'tests/fuzz')).filter((f) => /^fuzz_.*\.c$/.test(f)).map((f) => f.slice(0, -2));

test('there are fuzz targets, each with a seed corpus', () => {
  for (const t of ['fuzz_analyzer', 'fuzz_columns', 'fuzz_diff', 'fuzz_diff_merge', 'fuzz_filter', 'fuzz_index', 'fuzz_json_batch', 'fuzz_snapshot', 'fuzz_vectors']) assert.ok(targets.includes(t), t);
  for (const t of targets) assert.ok(readdirSync(join(root, 'tests/fuzz/corpus', t)).length > 0, t);
});

for (const t of targets) {
  test(`${t}: ${SECONDS} s of fuzzing find nothing`, { timeout: (SECONDS + 60) * 1000 }, () => {
    const bin = join(root, 'build/fuzz', t);
    assert.ok(existsSync(bin), `${bin} is missing: run bash scripts/setup.sh test`);
    const work = mkdtempSync(join(tmpdir(), `${t}-`));
    try {
      const r = spawnSync(bin, [`-max_total_time=${SECONDS}`, '-rss_limit_mb=1024', '-timeout=20', `-artifact_prefix=${work}/`, work,
        join(root, 'tests/fuzz/corpus', t)], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const out = `${r.stdout}${r.stderr}`;
      assert.equal(r.status, 0, out.slice(-6000));
      assert.match(out, /Done \d+ runs/);
      const runs = Number(/Done (\d+) runs/.exec(out)[1]);
      assert.ok(runs >= 50, `only ${runs} runs`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}
