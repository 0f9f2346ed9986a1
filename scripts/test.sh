#!/usr/bin/env bash
# Installs the dependencies, builds softmdp with its tests and runs every test:
#   1. the Release build and the whole suite (ctest);
#   2. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. each libFuzzer target for a bounded time (scripts/fuzz.sh, 30 s each).
# usage: bash scripts/test.sh [BUILD_DIR]   (SOFTMDP_QUICK=1 runs step 1 only)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
bash scripts/install-deps.sh
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release ${SOFTMDP_CMAKE_ARGS:-}
cmake --build "$BUILD" -j"$(nproc)"
ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure
if [ "${SOFTMDP_QUICK:-0}" = 1 ]; then exit 0; fi
echo "== sanitizers (ASan + UBSan)"
cmake -S . -B "$BUILD-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOFTMDP_SANITIZE=ON -DSOFTMDP_BUILD_BENCH=OFF
cmake --build "$BUILD-asan" -j"$(nproc)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$BUILD-asan" -j"$(nproc)" --output-on-failure
echo "== fuzzing"
bash scripts/fuzz.sh 30
