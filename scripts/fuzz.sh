#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined) and runs each for a
# bounded time (clang -O1 cannot honour `omp simd` and would say so: -Wno-pass-failed), seeded from mdps/ and tests/bad/. Exits non-zero on any crash, leak or sanitizer
# report; the input that caused it is left in build-fuzz/ (add it to tests/bad/ as a regression).
# usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 30; run longer with e.g. 3600)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-30}"
OUT=build-fuzz
mkdir -p "$OUT"
EIGEN=$(pkg-config --cflags eigen3 2>/dev/null || echo -I/usr/include/eigen3)
FLAGS=(-std=c++20 -O1 -g -Wno-pass-failed -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fopenmp -Ilib/include $EIGEN)
DEPS=$(pkg-config --libs fmt 2>/dev/null || echo -lfmt)
# The library once, as objects with fuzzer instrumentation (no main).
LIBFLAGS=(-std=c++20 -O1 -g -Wno-pass-failed -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fopenmp -Ilib/include $EIGEN)
objs=()
for src in lib/src/*.cpp; do
  obj="$OUT/$(basename "${src%.cpp}").o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then clang++ "${LIBFLAGS[@]}" -c "$src" -o "$obj" & fi
  objs+=("$obj")
  while [ "$(jobs -r | wc -l)" -ge "$(nproc)" ]; do sleep 0.2; done
done
wait
for target in fuzz_loader fuzz_readers; do
  clang++ "${FLAGS[@]}" "tests/fuzz/$target.cpp" "${objs[@]}" $DEPS -o "$OUT/$target"
  corpus="$OUT/corpus-$target"
  mkdir -p "$corpus"
  cp mdps/*.json tests/bad/*.json "$corpus"/ 2>/dev/null || true
  echo "fuzzing $target for ${SECONDS_PER_TARGET}s"
  (cd "$OUT" && "./$target" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
      -print_final_stats=1 "corpus-$target" 2>&1 | tail -15)
  if ls "$OUT"/crash-* "$OUT"/leak-* "$OUT"/timeout-* >/dev/null 2>&1; then
    echo "fuzz: $target found a failing input: $(ls "$OUT"/crash-* "$OUT"/leak-* "$OUT"/timeout-* 2>/dev/null)"
    exit 1
  fi
done
echo "fuzz: no crash"
