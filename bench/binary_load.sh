#!/usr/bin/env bash
# Load times of one Garnet in every model format, in the same run: softmdp/1 JSON against UMB
# (uncompressed, generated streamed), PETSc binary and NumPy .npz (converted from the UMB). Each load
# is `softmdp validate FILE` (read, check everything, build the CSR model; nothing else), run REPS
# times from the page cache; the table gives the best wall time, its CPU time (user + sys: this
# machine is shared, so wall time waits for the core too) and the peak RSS, and the model's CSR size.
#
# usage: bash bench/binary_load.sh [STATES] [REPS]     (default 1000000 states, A = 4, B = 5; 3 reps)
# Needs ./build/softmdp and /usr/bin/time. About 2 GB in a temporary directory at 10^6 states.
set -euo pipefail
cd "$(dirname "$0")/.."
S="${1:-1000000}"
REPS="${2:-3}"
BIN=$PWD/build/softmdp
WORK="$(mktemp -d /tmp/softmdp-binload.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "garnet: S=$S A=4 B=5 seed=1; $(date -u +%Y-%m-%dT%H:%MZ)"
gen() {  # gen FILE: seconds to generate it
  local t0 t1
  t0=$(date +%s.%N)
  "$BIN" generate garnet --states "$S" --actions 4 --branching 5 --seed 1 --output "$1" --quiet
  t1=$(date +%s.%N)
  echo "generate $1: $(echo "$t1 - $t0" | bc) s, $(du -m "$1" | cut -f1) MB"
}
gen g.json
gen g.umb
"$BIN" convert g.umb g.petsc
"$BIN" convert g.umb g.npz
echo "convert: g.petsc $(du -m g.petsc | cut -f1) MB, g.npz $(du -m g.npz | cut -f1) MB"
CSR=$("$BIN" info g.umb --json - | python3 -c 'import json, sys; print(json.load(sys.stdin)["csr_bytes"])')
echo "CSR arrays: $((CSR / 1048576)) MiB"
echo
echo "| format | file MB | best wall s | its CPU s | peak RSS MiB | RSS / CSR | wall / JSON |"
echo "|---|---|---|---|---|---|---|"
json_best=""
for f in g.json g.umb g.petsc g.npz; do
  best=""
  for ((i = 0; i < REPS; i++)); do
    /usr/bin/time -f "%e %U %S %M" -o t.txt "$BIN" validate "$f" > /dev/null
    read -r wall user sys rss < t.txt
    if [ -z "$best" ] || (( $(echo "$wall < $best" | bc) )); then best=$wall; cpu=$(echo "$user + $sys" | bc); peak=$rss; fi
  done
  [ -z "$json_best" ] && json_best=$best
  printf "| %s | %s | %s | %s | %s | %.2f | %.3f |\n" "${f#g.}" "$(du -m "$f" | cut -f1)" "$best" "$cpu" "$((peak / 1024))" \
    "$(echo "$peak * 1024 / $CSR" | bc -l)" "$(echo "$best / $json_best" | bc -l)"
done
