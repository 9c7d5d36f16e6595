#!/usr/bin/env bash
# setup.sh — installs what partita needs and builds it; every step is idempotent.
#
#   bash scripts/setup.sh deps    Debian toolchain (when missing) and npm devDependencies
#   bash scripts/setup.sh build   deps + the WebAssembly builds: dist/partita.{mjs,wasm} (Emscripten)
#                                 and dist/partita-wasi.wasm (WASI); dist/milvus-proto.json (the
#                                 gRPC server's protocol, from the Node SDK's descriptor)
#   bash scripts/setup.sh test    build + Debian's chromium (for the browser tests) + the native
#                                 build of the C unit tests (ASan+UBSan), the WASI build of the
#                                 same tests, and the libFuzzer targets (clang, ASan+UBSan;
#                                 build/fuzz) (run by `npm test`)
#   bash scripts/setup.sh bench   build + Debian's sqlite3 CLI (the durability bench's SQLite
#                                 peer, WAL mode) (run by `npm run bench`)
#
# npm start / npm test / npm run bench call it, so a fresh Debian machine with Node needs
# nothing else. Installing Debian packages needs root; without it the script says what to
# install and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=${1:-build}

# Debian's emscripten runs its JS optimiser with Debian's node modules (acorn) under
# whatever node is first on PATH; a NodeSource node does not search /usr/share/nodejs.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
export DEBIAN_FRONTEND=noninteractive

log() { printf '== %s\n' "$*" >&2; }

# Runs a command quietly, showing its output only when it fails.
quiet() {
  local out
  out=$(mktemp)
  if ! "$@" >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    echo "setup.sh: failed: $*" >&2
    exit 1
  fi
  rm -f "$out"
}

# ---------------------------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------------------------
APT_PKGS=(cmake ninja-build gcc libc6-dev clang-14 lld-14 llvm-14 dpkg-dev emscripten wasi-libc
          libclang-rt-14-dev-wasm32 libclang-rt-14-dev binaryen wabt)
# `test` only: headless Chromium for tests/browser.test.mjs and tests/demo.test.mjs (driven by
# the playwright-core devDependency, which never downloads a browser of its own)
APT_TEST_PKGS=(chromium)
# `bench` only: the sqlite3 CLI, SQLite in WAL mode beside the durable store (bench/lib/durable.mjs)
APT_BENCH_PKGS=(sqlite3)

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

# cJSON's source comes from `apt-get source cjson` (cmake/cjson.cmake): that needs a deb-src
# entry, which Debian images do not have, and an `apt-get update` after adding it.
have_deb_src() {
  grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/ &&
    [ -n "$(apt-cache showsrc cjson 2>/dev/null)" ]
}

cjson_cached() { compgen -G "$ROOT/.deps/cjson-1.7.15*/cJSON.c" >/dev/null; }

deps_apt() {
  local missing=() p pkgs=("${APT_PKGS[@]}")
  [ "$MODE" = test ] && pkgs+=("${APT_TEST_PKGS[@]}")
  [ "$MODE" = bench ] && pkgs+=("${APT_BENCH_PKGS[@]}")
  for p in "${pkgs[@]}"; do have_pkg "$p" || missing+=("$p"); done
  local need_src=0
  cjson_cached || have_deb_src || need_src=1
  if ((${#missing[@]} == 0 && need_src == 0)); then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    echo "partita needs these Debian packages: ${missing[*]:-(none)}" >&2
    ((need_src)) && echo "and a deb-src entry for Debian's main archive (for 'apt-get source cjson')" >&2
    echo "run this script as root once, or install them with sudo apt-get install ..." >&2
    exit 1
  fi
  if ((need_src)) && ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding a deb-src entry (for apt-get source cjson)"
    . /etc/os-release
    cat > /etc/apt/sources.list.d/partita-src.sources <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: ${VERSION_CODENAME} ${VERSION_CODENAME}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: ${VERSION_CODENAME}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  log "apt-get update"
  apt-get update -qq
  if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

deps_npm() {
  # npm ci when node_modules is absent or older than the lockfile
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# ---------------------------------------------------------------------------------------------
# Builds (CMake + Ninja; a configured build directory is reused)
# ---------------------------------------------------------------------------------------------
configure() { # dir, cmake args...
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    log "configure $dir"
    quiet "$@" -G Ninja
  fi
}

build_wasm() {
  mkdir -p build
  configure build/em emcmake cmake -S . -B build/em -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node -DPT_BUILD_TESTS=OFF
  log "build Emscripten (dist/partita.mjs, dist/partita.wasm)"
  quiet cmake --build build/em
  configure build/wasi cmake -S . -B build/wasi -DCMAKE_TOOLCHAIN_FILE=wasi/wasi-clang.cmake \
    -DCMAKE_BUILD_TYPE=Release
  log "build WASI (dist/partita-wasi.wasm, C tests as WASI programs)"
  quiet cmake --build build/wasi
}

# dist/milvus-proto.json: Milvus's protocol descriptor for the gRPC server, from the Node SDK's
build_proto() {
  log "Milvus protocol descriptor (dist/milvus-proto.json)"
  node scripts/milvus-proto.mjs
}

build_native_tests() {
  mkdir -p build
  configure build/native cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Debug \
    -DPT_SANITIZER=address,undefined -DPT_WERROR=ON
  log "build native C tests (gcc, ASan+UBSan)"
  quiet cmake --build build/native
}

# libFuzzer targets (tests/fuzz/fuzz_*.c): clang's -fsanitize=fuzzer needs libclang-rt-14-dev
build_fuzz() {
  mkdir -p build
  configure build/fuzz cmake -S . -B build/fuzz -DCMAKE_C_COMPILER=clang-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPT_BUILD_TESTS=OFF -DPT_FUZZ=ON
  log "build libFuzzer targets (clang, ASan+UBSan)"
  quiet cmake --build build/fuzz
}

case "$MODE" in
  deps) deps_apt; deps_npm ;;
  build | bench) deps_apt; deps_npm; build_wasm; build_proto ;;
  test) deps_apt; deps_npm; build_wasm; build_proto; build_native_tests; build_fuzz ;;
  fuzz) deps_apt; build_fuzz ;;
  *) echo "usage: $0 deps|build|test|bench|fuzz" >&2; exit 2 ;;
esac
