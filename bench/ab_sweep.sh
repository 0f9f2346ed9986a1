#!/usr/bin/env bash
# A/B of the sweep kernel: this tree's jacobi_sweep against the one of git revision REV, both in one
# process, run in a random order every round (bench/ab/main.cpp), with the gather floor. On a shared
# machine whose speed drifts within minutes, the per-round ratios are the numbers to trust.
#
# usage: bash bench/ab_sweep.sh [REV=HEAD~1] [ROUNDS=100] [STATES=1000000] [THREADS=2]
# Needs git, g++ and the libraries of scripts/install-deps.sh; builds in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
REV="${1:-HEAD~1}"
ROUNDS="${2:-100}"
S="${3:-1000000}"
THREADS="${4:-2}"
WORK="$(mktemp -d /tmp/softmdp-ab.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
git archive "$REV" lib | tar -x -C "$WORK"
# A base revision from before the layered layout (lib/include/softmdp/*.hpp, lib/src/*.cpp): give its
# flat headers the new paths by forwarding headers, so this tree's side.cpp and garnet.hpp compile.
layout() {  # layout ROOT NAME -> the path of lib/src/**/NAME.cpp
  if [ -f "$1/lib/src/$2.cpp" ]; then echo "$1/lib/src/$2.cpp"; else ls "$1"/lib/src/*/"$2".cpp; fi
}
if [ -f "$WORK/lib/include/softmdp/bellman.hpp" ]; then
  for h in "$PWD"/lib/include/softmdp/*/*.hpp; do
    rel="${h#"$PWD"/lib/include/softmdp/}"
    if [ -f "$WORK/lib/include/softmdp/$(basename "$h")" ]; then
      mkdir -p "$WORK/lib/include/softmdp/$(dirname "$rel")"
      printf '#pragma once\n#include "softmdp/%s"\n' "$(basename "$h")" > "$WORK/lib/include/softmdp/$rel"
    fi
  done
fi
FLAGS=(-std=c++20 -O3 -DNDEBUG -fopenmp -fno-math-errno -fno-trapping-math)
side() {  # side NAME ROOT
  g++ "${FLAGS[@]}" -c bench/ab/side.cpp -o "$WORK/$1.o" -DSIDE="$1" -Dsoftmdp="softmdp_$1" -I"$2/lib/include" \
    -DSIDE_BELLMAN="\"$(layout "$2" bellman)\"" -DSIDE_MODEL="\"$(layout "$2" model)\""
}
side base_side "$WORK" &
side head_side "$PWD"
wait
g++ "${FLAGS[@]}" bench/ab/main.cpp "$WORK/base_side.o" "$WORK/head_side.o" -lfmt -o "$WORK/ab"
echo "base: $(git rev-parse --short "$REV"), head: working tree; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$WORK/ab" "$ROUNDS" "$S" "$THREADS"
