#!/usr/bin/env bash
# softmdp-mpi against serial softmdp on one Garnet in PETSc binary (issue 19), in the same run,
# interleaved (this machine is shared: compare ratios, not seconds). Each row: solve seconds (the
# solver's own clock, load excluded), sweeps, and ms per sweep, best of REPS; and the bytes each rank
# sends per sweep (softmdp-mpi --stats). Soft value iteration (alpha 1) to a certified 1e-6 and hard
# value iteration to 1e-8, the issue's settings.
#
# usage: bash bench/mpi.sh [STATES] [REPS]     (default 1000000 states, A = 4, B = 5, gamma 0.99; 3 reps)
#        bash bench/mpi.sh ipi [STATES] [GRID] [TIMEOUT]
#   the second form: inexact policy iteration (ipi, soft-ipi) against value iteration (vi, soft-vi)
#   serially (1 thread) and on 1 and 2 ranks, on the Garnet (default 10^6 states, gamma 0.99) and a
#   GRIDxGRID gridworld (default 300, slip 0.2, gamma 0.9999); one run each, TIMEOUT s at most
#   (default 150); plus the preconditioner inside a rank on 2 ranks (Gauss-Seidel sweeps or none,
#   with or without each rank's coarse correction). MODELS="garnet grid" (default) chooses the models.
# Needs ./build/softmdp and ./build/softmdp-mpi (SOFTMDP_MPI), mpirun; about 400 MB in /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/build/softmdp
MPI=$PWD/build/softmdp-mpi
WORK="$(mktemp -d /tmp/softmdp-mpi-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1 OMPI_MCA_mtl=^ofi,psm,psm2 OMPI_MCA_osc=^ucx
if [[ "${1:-}" == ipi ]]; then
  S="${2:-1000000}"
  N="${3:-300}"
  T="${4:-150}"
  echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ); $(mpirun --version | head -1)"
  [[ " ${MODELS:-garnet} " == *" garnet "* ]] && "$BIN" generate garnet --states "$S" --actions 4 --branching 5 --seed 1 --output "$WORK/garnet.petsc" --quiet
  "$BIN" generate gridworld --size "$N" "$N" --slip 0.2 --discount 0.9999 --output "$WORK/grid.petsc" --quiet
  set +e +o pipefail  # a row without Krylov counts (vi) or a timeout is still a row
  echo
  echo "| model | method | runner | solve s | outer | inner | products | sweeps | stop |"
  echo "|---|---|---|---|---|---|---|---|---|"
  # row MODEL_LABEL FILE METHOD_OPTS RUNNER_LABEL CMD...: one table row from the stats line on stderr
  row() {
    local label=$1 file=$2 opts=$3 runner=$4
    shift 4
    local line
    # shellcheck disable=SC2086
    line=$(timeout "$T" "$@" "$file" $opts --quiet --stats 2>&1 >/dev/null | grep -m1 '^stats: ' || echo "stats: timeout or failure")
    local solve outer inner mv sweeps stop
    solve=$(grep -o 'solve [0-9.]*' <<< "$line" | awk '{print $2}')
    outer=$(grep -o '[0-9]* outer' <<< "$line" | awk '{print $1}')
    inner=$(grep -o '[0-9]* inner' <<< "$line" | awk '{print $1}')
    mv=$(grep -o '[0-9]* matrix-vector' <<< "$line" | awk '{print $1}')
    sweeps=$(grep -o '[0-9]* sweeps' <<< "$line" | awk '{print $1}')
    stop=$(grep -o 'stop [a-z_]*' <<< "$line" | awk '{print $2}')
    echo "| $label | $opts | $runner | ${solve:-> $T?} | ${outer:--} | ${inner:--} | ${mv:--} | ${sweeps:--} | ${stop:-timeout or failure} |"
  }
  for model in ${MODELS:-garnet grid}; do
    if [[ $model == garnet ]]; then
      label="Garnet $S x 4 x 5 gamma 0.99"
      specs=("--method soft-vi --alpha 1 --tolerance 1e-6" "--method soft-ipi --alpha 1 --tolerance 1e-6" "--method vi --tolerance 1e-8" "--method ipi --tolerance 1e-8")
    else
      label="gridworld ${N}x${N} slip 0.2 gamma 0.9999"
      specs=("--method soft-vi --alpha 1 --tolerance 1e-6" "--method soft-ipi --alpha 1 --tolerance 1e-6" "--method vi --tolerance 1e-6" "--method ipi --tolerance 1e-6")
    fi
    for opts in "${specs[@]}"; do
      row "$label" "$WORK/$model.petsc" "$opts" "serial, 1 thread" "$BIN" solve --threads 1
      row "$label" "$WORK/$model.petsc" "$opts" "1 rank" mpirun -n 1 "$MPI" solve
      row "$label" "$WORK/$model.petsc" "$opts" "2 ranks" mpirun -n 2 --oversubscribe "$MPI" solve
    done
    for pre in "--aggregate-size 0" "--aggregate-size 0 --preconditioner-sweeps 0"; do
      row "$label" "$WORK/$model.petsc" "--method soft-ipi --alpha 1 --tolerance 1e-6 $pre" "2 ranks" mpirun -n 2 --oversubscribe "$MPI" solve
    done
  done
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
S="${1:-1000000}"
REPS="${2:-3}"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "garnet: S=$S A=4 B=5 seed=1 gamma 0.99; $(date -u +%Y-%m-%dT%H:%MZ); $(mpirun --version | head -1)"
"$BIN" generate garnet --states "$S" --actions 4 --branching 5 --seed 1 --output "$WORK/g.petsc" --quiet
echo "g.petsc: $(du -m "$WORK/g.petsc" | cut -f1) MB"
# run NAME CMD...: appends "NAME solve_s sweeps" to $WORK/runs from the stats line on stderr
run() {
  local name=$1
  shift
  "$@" --quiet --stats 2> "$WORK/err" > /dev/null || { cat "$WORK/err"; exit 1; }
  local line
  line=$(grep -m1 '^stats: ' "$WORK/err")
  local solve sweeps
  solve=$(sed -E 's/.*solve ([0-9.]+) s.*/\1/' <<< "$line")
  sweeps=$(sed -E 's/.* ([0-9]+) sweeps.*/\1/' <<< "$line")
  echo "$name $solve $sweeps" >> "$WORK/runs"
  grep "^stats: rank" "$WORK/err" > "$WORK/ranks.${name//\//_}" || true
}
: > "$WORK/runs"
for ((i = 0; i < REPS; i++)); do
  for cfg in "soft:--method soft-vi --alpha 1 --tolerance 1e-6" "hard:--method vi --tolerance 1e-8"; do
    kind=${cfg%%:*}
    opts=${cfg#*:}
    # shellcheck disable=SC2086
    {
      run "$kind/serial-2-threads" "$BIN" solve "$WORK/g.petsc" $opts
      run "$kind/serial-1-thread" "$BIN" solve "$WORK/g.petsc" $opts --threads 1
      run "$kind/mpi-1-rank" mpirun -n 1 "$MPI" solve "$WORK/g.petsc" $opts
      run "$kind/mpi-2-ranks" mpirun -n 2 --oversubscribe "$MPI" solve "$WORK/g.petsc" $opts
      run "$kind/mpi-1-rank-2-threads" mpirun -n 1 "$MPI" solve "$WORK/g.petsc" $opts --threads 2
    }
  done
done
echo
echo "| run | best solve s | sweeps | ms per sweep | / serial 2 threads |"
echo "|---|---|---|---|---|"
for kind in soft hard; do
  base=$(awk -v k="$kind/serial-2-threads" '$1 == k {print $2}' "$WORK/runs" | sort -g | head -1)
  for name in serial-2-threads serial-1-thread mpi-1-rank mpi-2-ranks mpi-1-rank-2-threads; do
    awk -v k="$kind/$name" -v base="$base" '$1 == k { if (best == "" || $2 < best) { best = $2; sw = $3 } }
      END { printf "| %s | %.3f | %d | %.2f | %.2fx |\n", k, best, sw, 1000 * best / sw, best / base }' "$WORK/runs"
  done
done
echo
echo "per rank, 2 ranks (soft):"
cat "$WORK/ranks.soft_mpi-2-ranks"
