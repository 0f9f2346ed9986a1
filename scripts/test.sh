#!/usr/bin/env bash
# Installs the dependencies, builds softmdp with its tests and runs every test:
#   1. the include direction of the layers (scripts/check_layers.py), the Release build and the
#      whole suite (ctest), the Python module's tests (pytest), then the install and examples/ built
#      against it (scripts/test_install.sh);
#   2. the same suite built with clang, AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer's
#      coverage instrumentation (one build serves step 3 too);
#   3. each libFuzzer target for a bounded time (scripts/fuzz.sh, 30 s each, side by side).
# usage: bash scripts/test.sh [BUILD_DIR]   (SOFTMDP_QUICK=1 runs step 1 only)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
start=$(date +%s)
stage() { echo "== $1 ($(( $(date +%s) - start )) s so far)"; }
bash scripts/install-deps.sh
stage "include layers"
python3 scripts/check_layers.py
python3 scripts/check_unity.py
stage "release build"
# Unity (batched) builds: both builds here start from nothing, and batching the sources cut the
# release build from 507 s to 278 s on 2 cores (the heavy headers are parsed and instantiated once per
# batch, not once per file; a plain developer build stays per file, so a one-file change recompiles
# one file). Batched files share one scope: scripts/check_unity.py fails on an internal name that two
# files of one target declare (it could silently overload), before anything is built.
UNITY="-DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=8"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release $UNITY ${SOFTMDP_CMAKE_ARGS:-}
cmake --build "$BUILD" -j"$(nproc)"
stage "release tests"
ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure
stage "python tests"
# Debian's interpreter: the one the module is built for, with python3-numpy/scipy/pytest (a `python3`
# earlier on PATH may be a pyenv shim without them).
BUILD_ABS="$(realpath "$BUILD")"
PYTHONPATH="$BUILD_ABS/python" SOFTMDP_BUILD="$BUILD_ABS" /usr/bin/python3 -m pytest -q tests/python
stage "install + examples against the installed package"
bash scripts/test_install.sh "$BUILD"
if [ "${SOFTMDP_QUICK:-0}" = 1 ]; then stage "done"; exit 0; fi
stage "sanitizer build (clang, ASan + UBSan + fuzzer instrumentation)"
SAN="$BUILD-san"
cmake -S . -B "$SAN" $UNITY -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOFTMDP_SANITIZE=ON -DSOFTMDP_FUZZ=ON \
  -DSOFTMDP_BUILD_BENCH=OFF -DSOFTMDP_PYTHON=OFF -DSOFTMDP_MPI=OFF
cmake --build "$SAN" -j"$(nproc)"
stage "sanitizer tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$SAN" -j"$(nproc)" --output-on-failure
stage "fuzzing"
bash scripts/fuzz.sh 30 "$SAN"
stage "done"
