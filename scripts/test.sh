#!/usr/bin/env bash
# Installs the dependencies, builds softmdp with its tests, and runs every test (ctest).
# Usage: bash scripts/test.sh [BUILD_DIR]   (extra CMake options via SOFTMDP_CMAKE_ARGS)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
bash scripts/install-deps.sh
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release ${SOFTMDP_CMAKE_ARGS:-}
cmake --build "$BUILD" -j"$(nproc)"
ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure
