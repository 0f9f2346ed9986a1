#!/usr/bin/env bash
# The benchmark set behind default_method (issue 15; docs/performance.md "Default method"): every
# hard and every soft (alpha 1) method on gridworlds with slip 0.2 at gamma 0.99/0.999/0.9999,
# a chain, Garnets at gamma 0.9/0.95/0.99 and a forest-management model, each to a certified 1e-6,
# all in one run (the machine is shared: compare within a run, not across runs).
#
# usage: bash bench/defaults.sh [GRID_SIDE] [CPU_LIMIT_S] [GARNET_STATES] [CHAIN_STATES]
#        (default 100, 10 CPU seconds per run, 100000, 100000). METHODS="vi soft-ipi" limits the methods,
#        MODELS="chain grid_0.9999" the models (grid_0.99 grid_0.999 grid_0.9999 chain garnet_0.9
#        garnet_0.95 garnet_0.99 forest).
# Needs a built ./build/softmdp (BIN=... to use another). Prints one markdown row per (model,
# alpha): per method the wall seconds of the solve (--stats) and the CPU seconds of the process
# (user + sys, less sensitive to other jobs on a shared machine) as "wall / cpu", "> T" for a
# CPU-time limit (ulimit -t T: a wall-clock timeout would measure the other jobs) or a run that
# did not converge, the least CPU in bold, and the method default_method
# picks (`softmdp solve` without --method).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100}"
T="${2:-10}"
G="${3:-100000}"
C="${4:-100000}"
BIN="${BIN:-./build/softmdp}"
WORK="$(mktemp -d /tmp/softmdp-defaults.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
HARD="${METHODS:-vi pi ipi mpi}"
SOFT="${METHODS:-soft-vi soft-pi soft-ipi soft-mpi}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg)"
models=()
for g in 0.99 0.999 0.9999; do
  $BIN generate gridworld --size "$N" "$N" --slip 0.2 --discount "$g" --output "$WORK/grid_$g.json" >/dev/null
  models+=("grid_$g")
done
$BIN generate chain --states "$C" --discount 0.9999 --output "$WORK/chain.json" >/dev/null
models+=(chain)
for g in 0.9 0.95 0.99; do
  $BIN generate garnet --states "$G" --actions 4 --branching 5 --seed 1 --discount "$g" --output "$WORK/garnet_$g.json" >/dev/null
  models+=("garnet_$g")
done
# MDPToolbox's forest management (mdps/forest.json, scripts/make_examples.py) with 10^4 ages.
/usr/bin/python3 - "$WORK/forest.json" <<'EOF'
import json, sys
S, p = 10000, 0.1
names = [f"age{i}" for i in range(S)]
tr = []
for s in range(S):
    up = min(s + 1, S - 1)
    tr.append({"s": names[s], "a": "wait", "r": 4.0 if s == S - 1 else 0.0, "next": [[names[0], p], [names[up], 1 - p]]})
    tr.append({"s": names[s], "a": "cut", "r": 0.0 if s == 0 else (2.0 if s == S - 1 else 1.0), "next": [[names[0], 1.0]]})
json.dump({"format": "softmdp/1", "name": "forest", "discount": 0.99, "states": names, "actions": ["wait", "cut"],
           "transitions": tr}, open(sys.argv[1], "w"))
EOF
models+=(forest)
if [[ -n ${MODELS:-} ]]; then read -r -a models <<<"$MODELS"; fi
# Binary (UMB) copies: loading them is cheap, so CPU seconds are mostly the solve's.
for f in "${models[@]}"; do $BIN convert "$WORK/$f.json" "$WORK/$f.umb" --to umb >/dev/null; done
label() {
  case $1 in
    grid_*) echo "gridworld ${N}x${N} slip 0.2 gamma ${1#grid_}" ;;
    chain) echo "chain $C gamma 0.9999" ;;
    garnet_*) echo "Garnet $G x 4 x 5 gamma ${1#garnet_}" ;;
    forest) echo "forest 10^4 gamma 0.99" ;;
  esac
}
set +e +o pipefail  # a timeout is still a row
for alpha in 0 1; do
  methods=$HARD
  [[ $alpha == 1 ]] && methods=$SOFT
  echo
  echo "| model | alpha | $(echo $methods | sed 's/ / | /g') | default |"
  echo "|---|---|$(for _ in $methods; do printf -- '---|'; done)---|"
  for f in "${models[@]}"; do
    row="| $(label "$f") | $alpha |"
    best=""; best_s=""
    cells=()
    for meth in $methods; do
      out=$( { /usr/bin/time -f 'cpu %U %S' bash -c "ulimit -t $T; exec \"\$@\"" _ $BIN solve "$WORK/$f.umb" --alpha "$alpha" --method "$meth" --tolerance 1e-6 --quiet --stats >/dev/null; } 2>&1)
      line=$(echo "$out" | grep '^stats:')
      s=$(echo "$line" | grep -o 'solve [0-9.]*' | awk '{print $2}')
      cpu=$(echo "$out" | grep '^cpu' | awk '{printf "%.2f", $2 + $3}')
      if [[ -z $s ]] || ! echo "$line" | grep -q 'stop converged'; then cells+=("> $T"); continue; fi
      cells+=("$s / $cpu")
      if [[ -z $best_s ]] || awk "BEGIN{exit !($cpu < $best_s)}"; then best=$meth; best_s=$cpu; fi
    done
    i=0
    for meth in $methods; do
      c=${cells[$i]}
      [[ $meth == "$best" ]] && c="**$c**"
      row="$row $c |"
      i=$((i + 1))
    done
    def=$($BIN solve "$WORK/$f.umb" --alpha "$alpha" --tolerance 1e-6 --max-iterations 1 --quiet --json - 2>/dev/null | grep -o '"method": *"[^"]*"' | head -1 | sed 's/.*: *"//; s/"//')
    echo "$row ${def:-?} |"
  done
done
