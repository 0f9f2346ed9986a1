#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined: the sanitizer build with
# SOFTMDP_FUZZ=ON, the same one scripts/test.sh runs the test suite in) and runs each for a bounded
# time, seeded from mdps/ and tests/bad/ (its binary UMB, PETSc and npz files too). Exits non-zero on any crash, leak or sanitizer report; the
# input that caused it is left in BUILD_DIR (add it to tests/bad/ as a regression).
# usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET] [BUILD_DIR]   (default 30 s, build-san; run longer with e.g. 3600)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-30}"
OUT="${2:-build-san}"
cmake -S . -B "$OUT" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSOFTMDP_SANITIZE=ON -DSOFTMDP_FUZZ=ON \
  -DSOFTMDP_BUILD_BENCH=OFF > /dev/null
cmake --build "$OUT" -j"$(nproc)" --target fuzz_loader fuzz_readers fuzz_importers
# The targets are single-threaded: they run side by side (three targets on two cores share them).
targets=(fuzz_loader fuzz_readers fuzz_importers)
pids=()
for target in "${targets[@]}"; do
  corpus="$OUT/corpus-$target"
  mkdir -p "$corpus"
  if [ "$target" = fuzz_importers ]; then
    # First byte: even = Cassandra, odd = PRISM (parts .tra, .srew, .trew, .lab joined by \x01).
    for f in tests/data/*.mdp tests/bad/*.mdp; do if [ -f "$f" ]; then { printf '\0'; cat "$f"; } > "$corpus/$(basename "$f")"; fi; done
    { printf '\1'; cat tests/data/prism_small.tra; printf '\1'; cat tests/data/prism_small.srew; printf '\1';
      cat tests/data/prism_small.trew; printf '\1'; cat tests/data/prism_small.lab; } > "$corpus/prism_small"
  else
    cp mdps/*.json tests/bad/*.json tests/bad/*.umb tests/bad/*.petsc tests/bad/*.npz tests/data/*.umb "$corpus"/ 2>/dev/null || true
  fi
  echo "fuzzing $target for ${SECONDS_PER_TARGET}s"
  (cd "$OUT" && "./$target" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
      -print_final_stats=1 "corpus-$target" > "fuzz-$target.log" 2>&1) &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
for target in "${targets[@]}"; do
  echo "== $target"
  tail -15 "$OUT/fuzz-$target.log"
done
if ls "$OUT"/crash-* "$OUT"/leak-* "$OUT"/timeout-* >/dev/null 2>&1; then
  echo "fuzz: a target found a failing input: $(ls "$OUT"/crash-* "$OUT"/leak-* "$OUT"/timeout-* 2>/dev/null)"
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "fuzz: a target exited with an error (see its log above)"
  exit 1
fi
echo "fuzz: no crash"
