#!/usr/bin/env bash
# madupite (github.com/madupite/madupite, ETH Zurich) against softmdp-mpi on the same PETSc binary
# Garnet (issue 19), in the same run, interleaved: this machine is shared, compare ratios.
# madupite is built OUTSIDE the repository and never vendored; this script holds the exact steps.
#
# usage: bash bench/madupite.sh build [PEER_DIR]          (once; default /work/peers/madupite)
#        bash bench/madupite.sh run [STATES] [REPS] [PEER_DIR]   (default 1000000 states, 3 reps)
#
# Build steps (what `build` does):
#   1. PETSc and Open MPI from Debian: apt-get install petsc-dev libopenmpi-dev nlohmann-json3-dev
#      (on this machine only: NOT in scripts/install-deps.sh; softmdp's SOFTMDP_MPI needs petsc-dev too).
#   2. madupite's source at commit $COMMIT into PEER_DIR/src: `git clone https://github.com/madupite/madupite`
#      and `git checkout $COMMIT` (here it came from a local mirror: set MADUPITE_GIT to a git dir).
#      Only CMakeLists.txt, include/, src/ are needed (the repository's large data files are not).
#   3. Its CMakeLists.txt downloads nlohmann/json with FetchContent; offline, it is replaced by
#      Debian's package (find_package(nlohmann_json)). Nothing else is changed.
#   4. A 40-line driver (examples/softmdp_bench/madupite_solve.cpp, written below) loads P.bin and
#      g.bin with madupite's Matrix::fromFile and calls MDP::solve() with the options of the command
#      line; madupite's CMakeLists builds every examples/*/*.cpp as a program.
#   5. madupite uses PETSC_SUCCESS (PETSc >= 3.19); Debian 12 has PETSc 3.18, where PetscErrorCode is
#      an int and success is 0: -DPETSC_SUCCESS=0 on the compiler's command line (no source change).
#   6. cmake -DCMAKE_BUILD_TYPE=Release (madupite adds -O3), cmake --build -j2.
#
# The run: softmdp generates the Garnet (S x 4 x 5, seed 1, gamma 0.99) as one PETSc file; P and R are
# cut out of it into P.bin and g.bin (madupite's two files; R is a reward: -mode MAXREWARD). madupite's
# defaults: inexact policy iteration, GMRES, forcing alpha 1e-4, -atol_pi 1e-8 on the Bellman residual
# ||TV - V||_inf. softmdp-mpi: hard vi to a certified 1e-8 error bound (|V - V*| <= 1e-8, stronger than
# a residual of 1e-8, which only gives |V - V*| <= residual / (1 - gamma) = 1e-6), and soft-vi, alpha 1,
# to a certified 1e-6 (madupite has no soft variant: that row is the issue's target, compared with
# madupite's hard solve).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
COMMIT=dbc3aff  # madupite main as fetched on 2026-12-02 (full hash in PEER_DIR/COMMIT)
what="${1:-run}"

build() {
  local peer="${1:-/work/peers/madupite}"
  mkdir -p "$peer"
  if [ ! -f "$peer/src/CMakeLists.txt" ]; then
    if [ -n "${MADUPITE_GIT:-}" ]; then
      mkdir -p "$peer/src"
      git --git-dir="$MADUPITE_GIT" rev-parse HEAD > "$peer/COMMIT"
      git --git-dir="$MADUPITE_GIT" ls-tree -r HEAD --name-only | grep -E '^(CMakeLists.txt|include/|src/)' |
        while read -r f; do mkdir -p "$peer/src/$(dirname "$f")"; git --git-dir="$MADUPITE_GIT" show "HEAD:$f" > "$peer/src/$f"; done
    else
      git clone https://github.com/madupite/madupite "$peer/src"
      git -C "$peer/src" checkout "$COMMIT"
      git -C "$peer/src" rev-parse HEAD > "$peer/COMMIT"
    fi
  fi
  # step 3: no download (offline): Debian's nlohmann/json
  sed -i -e 's|^include(FetchContent)$|find_package(nlohmann_json 3.10 REQUIRED)|' \
         -e '/^FetchContent_Declare(json URL/d' -e '/^FetchContent_MakeAvailable(json)/d' "$peer/src/CMakeLists.txt"
  mkdir -p "$peer/src/examples/softmdp_bench"
  cat > "$peer/src/examples/softmdp_bench/madupite_solve.cpp" <<'EOF'
// softmdp's bench driver for madupite (written by softmdp's bench/madupite.sh; not part of madupite).
//   mpirun -n K madupite_solve P.bin g.bin [madupite/PETSc options: -mode MAXREWARD -discount_factor 0.99 ...]
// Loads P ((S*A) x S, AIJ) and g (S x A) with madupite's Matrix::fromFile and runs MDP::solve()
// (inexact policy iteration) with the options of the command line.
#include <mpi.h>
#include <petscsys.h>

#include <cstdio>
#include <string>

#include "mdp.h"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: madupite_solve P.bin g.bin [options]\n");
        return 2;
    }
    const std::string P = argv[1], g = argv[2];
    auto madupite = Madupite::initialize(&argc, &argv);
    MPI_Comm comm = PETSC_COMM_WORLD;
    const int fcomm = Madupite::pyGetCommWorld();  // madupite instantiates fromFile for Fortran (int) communicators only
    MDP mdp(madupite);
    MPI_Barrier(comm);
    const double t0 = MPI_Wtime();
    auto g_mat = Matrix::fromFile(fcomm, "g_file", g, MatrixCategory::Cost, MatrixType::Dense);
    auto P_mat = Matrix::fromFile(fcomm, "P_file", P, MatrixCategory::Dynamics);
    MPI_Barrier(comm);
    const double t1 = MPI_Wtime();
    mdp.setStageCostMatrix(g_mat);
    mdp.setTransitionProbabilityTensor(P_mat);
    mdp.solve();
    MPI_Barrier(comm);
    const double t2 = MPI_Wtime();
    PetscPrintf(comm, "madupite_solve: load %.3f s, solve %.3f s\n", t1 - t0, t2 - t1);
    return 0;
}
EOF
  cmake -S "$peer/src" -B "$peer/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-DPETSC_SUCCESS=0
  cmake --build "$peer/build" -j2 --target madupite_solve
  echo "built $peer/build/madupite_solve from madupite $(cat "$peer/COMMIT")"
}

run() {
  local S="${1:-1000000}" REPS="${2:-3}" peer="${3:-/work/peers/madupite}"
  local BIN=$ROOT/build/softmdp MPI=$ROOT/build/softmdp-mpi MAD=$peer/build/madupite_solve
  # WORK is global: the EXIT trap removes it
  WORK="$(mktemp -d /tmp/softmdp-madupite.XXXXXX)"
  trap 'rm -rf "$WORK"' EXIT
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1 OMPI_MCA_mtl=^ofi,psm,psm2 OMPI_MCA_osc=^ucx
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "garnet: S=$S A=4 B=5 seed=1 gamma 0.99; $(date -u +%Y-%m-%dT%H:%MZ); madupite $(cut -c1-12 "$peer/COMMIT"); PETSc $(pkg-config --modversion PETSc)"
  "$BIN" generate garnet --states "$S" --actions 4 --branching 5 --seed 1 --discount 0.99 --output "$WORK/g.petsc" --quiet
  # madupite's two files: P ((S*A) x S AIJ) and R (S x A) are the first two objects of softmdp's file.
  /usr/bin/python3 - "$WORK" <<'PY'
import struct, sys
w = sys.argv[1]
b = open(f"{w}/g.petsc", "rb").read()
_, rows, cols, nnz = struct.unpack(">iiii", b[:16])
p_end = 16 + 4 * rows + 12 * nnz
_, S, A, rnz = struct.unpack(">iiii", b[p_end:p_end + 16])
r_end = p_end + 16 + (8 * S * A if rnz == -1 else 4 * S + 12 * rnz)
open(f"{w}/P.bin", "wb").write(b[:p_end])
open(f"{w}/g.bin", "wb").write(b[p_end:r_end])
PY
  : > "$WORK/runs"
  mad() {  # mad NAME RANKS: madupite's default inexact PI to a Bellman residual of 1e-8
    local t0 t1
    t0=$(date +%s.%N)
    mpirun -n "$2" --oversubscribe "$MAD" "$WORK/P.bin" "$WORK/g.bin" -mode MAXREWARD -discount_factor 0.99 -atol_pi 1e-8 \
      -file_stats "$WORK/stats.json" -file_cost "$WORK/mad_values.txt" -overwrite true > "$WORK/out" 2>&1 || { cat "$WORK/out"; exit 1; }
    t1=$(date +%s.%N)
    local load solve
    load=$(sed -nE 's/.*load ([0-9.]+) s.*/\1/p' "$WORK/out")
    solve=$(sed -nE 's/.*solve ([0-9.]+) s.*/\1/p' "$WORK/out")
    echo "$1 $solve $load $(echo "$t1 - $t0" | bc)" >> "$WORK/runs"
  }
  smdp() {  # smdp NAME RANKS OPTIONS...: softmdp-mpi, solve and load seconds from --stats
    local name=$1 n=$2 t0 t1
    shift 2
    t0=$(date +%s.%N)
    mpirun -n "$n" --oversubscribe "$MPI" solve "$WORK/g.petsc" "$@" --quiet --stats 2> "$WORK/err" > /dev/null || { cat "$WORK/err"; exit 1; }
    t1=$(date +%s.%N)
    local line
    line=$(grep -m1 '^stats: ' "$WORK/err")
    echo "$name $(sed -E 's/.*solve ([0-9.]+) s.*/\1/' <<< "$line") $(sed -E 's/.*load ([0-9.]+) s.*/\1/' <<< "$line") $(echo "$t1 - $t0" | bc)" >> "$WORK/runs"
  }
  for ((i = 0; i < REPS; i++)); do
    for n in 1 2; do
      mad "madupite-ipi-residual-1e-8/$n" "$n"
      smdp "softmdp-vi-bound-1e-8/$n" "$n" --method vi --tolerance 1e-8
      smdp "softmdp-vi-bound-1e-6/$n" "$n" --method vi --tolerance 1e-6
      smdp "softmdp-soft-vi-alpha-1-bound-1e-6/$n" "$n" --method soft-vi --alpha 1 --tolerance 1e-6
    done
  done
  # The same problem: madupite's V against softmdp's (hard, bound 1e-8), one run.
  mpirun -n 1 "$MPI" solve "$WORK/g.petsc" --method vi --tolerance 1e-8 --json "$WORK/smdp.json" --quiet
  /usr/bin/python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
v = json.load(open(f"{w}/smdp.json"))["values"]
m = [float(x) for x in open(f"{w}/mad_values.txt").read().split()]  # madupite prints 6 significant digits
rel = max(abs(a - b) / max(abs(b), 1e-300) for a, b in zip(m, v))
print(f"same problem: {len(m)} madupite values (written with 6 significant digits), max |V_madupite - V_softmdp| / |V_softmdp| = {rel:.3g}")
st = json.load(open(f"{w}/stats.json"))["runs"]
it = st.get("iterations", [])
if it:
    last = it[-1]
    print(f"madupite's last run: {len(it) - 1} PI iterations, {sum(x.get('ksp_iterations', 0) for x in it)} KSP iterations, "
          f"final residual {last.get('residual', 'n/a')}")
PY
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| run (ranks) | best solve s | its load s | wall s (mpirun) | madupite solve / this solve |"
  echo "|---|---|---|---|---|"
  for n in 1 2; do
    local base
    base=$(awk -v k="madupite-ipi-residual-1e-8/$n" '$1 == k {print $2}' "$WORK/runs" | sort -g | head -1)
    for name in madupite-ipi-residual-1e-8 softmdp-vi-bound-1e-8 softmdp-vi-bound-1e-6 softmdp-soft-vi-alpha-1-bound-1e-6; do
      awk -v k="$name/$n" -v base="$base" '$1 == k { if (best == "" || $2 < best) { best = $2; ld = $3; wall = $4 } }
        END { printf "| %s | %.3f | %.3f | %.2f | %.1fx |\n", k, best, ld, wall, base / best }' "$WORK/runs"
    done
  done
}

case "$what" in
  build) shift; build "$@" ;;
  run) shift; run "$@" ;;
  *) echo "usage: bash bench/madupite.sh build [PEER_DIR] | run [STATES] [REPS] [PEER_DIR]" >&2; exit 2 ;;
esac
