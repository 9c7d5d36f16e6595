#!/usr/bin/env bash
# fuzz.sh — longer libFuzzer runs: `npm run fuzz -- 600` runs every target for 600 seconds
# (default 60), one after the other; `npm run fuzz -- 600 fuzz_diff` runs only the ones named.
#
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>, read only) and
# grows a working corpus in build/fuzz/corpus/<target> that later runs resume from. A crash,
# leak or failed store check stops the run with the input saved as
# build/fuzz/artifacts/<target>-crash-<sha1>; reproduce it with build/fuzz/<target> <file>.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
shift || true
bash scripts/setup.sh fuzz
TARGETS=("$@")
if ((${#TARGETS[@]} == 0)); then
  for f in tests/fuzz/fuzz_*.c; do TARGETS+=("$(basename "$f" .c)"); done
  TARGETS+=(roundtrip)
fi
mkdir -p build/fuzz/artifacts
for t in "${TARGETS[@]}"; do
  if [ "$t" = roundtrip ]; then
    bash scripts/setup.sh build
    # about 250 rounds a second; the seed is printed in any failure (PT_ROUNDTRIP_SEED replays it)
    echo "== roundtrip: ${SECONDS_EACH}s"
    PT_ROUNDTRIP_ITERATIONS=$((SECONDS_EACH * 250)) node --disable-warning=ExperimentalWarning --test tests/roundtrip.test.mjs
    continue
  fi
  mkdir -p "build/fuzz/corpus/$t"
  echo "== $t: ${SECONDS_EACH}s"
  "build/fuzz/$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="build/fuzz/artifacts/$t-" "build/fuzz/corpus/$t" "tests/fuzz/corpus/$t"
done
