#!/usr/bin/env bash
# softmdp benchmark driver: generates a Garnet MDP, measures softmdp and the NumPy/SciPy reference
# (bench/reference.py, rows grouped by action) in the same run, checks that both reach the same V,
# and prints ms per sweep, time to a certified 1e-6, load time and peak RSS, with ratios.
#
# usage: bash bench/run.sh [STATES] [SWEEPS]      (default 1000000 states; sweeps timed as t(2K) - t(K), K = 10)
# Needs a built ./build/softmdp and Debian's python3-numpy/python3-scipy (scripts/install-deps.sh).
# Not part of the test suite: at 10^6 states it takes several minutes and ~8 GiB (Python's json).
set -euo pipefail
cd "$(dirname "$0")/.."
S="${1:-1000000}"
K="${2:-10}"
BIN=./build/softmdp
PY=/usr/bin/python3
WORK="$(mktemp -d /tmp/softmdp-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
F="$WORK/garnet.json"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "garnet: S=$S A=4 B=5 gamma=0.99 seed=1"
t0=$(date +%s.%N)
$BIN generate garnet --states "$S" --actions 4 --branching 5 --seed 1 --discount 0.99 --output "$F"
t1=$(date +%s.%N)
echo "generate: $(echo "$t1 - $t0" | bc) s, $(du -m "$F" | cut -f1) MB"

stats() { grep -o "$1 [0-9.]*" | head -1 | awk '{print $2}'; }
run() {  # run ARGS... -> stderr stats line
  $BIN solve "$F" --quiet --stats "$@" 2>&1 >/dev/null | grep '^stats:' || true
}
# ms per sweep from runs of K and 2K sweeps: (t(2K) - t(K)) / K cancels what a solve does once
# (the final Q table, policy, bound), so only sweeps are timed, as on the reference side.
solve_s() { run "$@" | grep -o 'solve [0-9.]*' | awk '{print $2}'; }
per_sweep() { echo "scale=6; 1000 * ($(solve_s "$@" --max-iterations $((2 * K))) - $(solve_s "$@" --max-iterations "$K")) / $K" | bc; }
hard_sweep=$(per_sweep --method vi)
soft_sweep=$(per_sweep --method soft-vi --alpha 1)
hard_line=$(run --tolerance 1e-6 --json "$WORK/hard.json")
soft_line=$(run --alpha 1 --tolerance 1e-6 --json "$WORK/soft.json")
load=$(echo "$hard_line" | grep -o 'load [0-9.]*' | awk '{print $2}')
rss=$(echo "$hard_line" | grep -o 'peak RSS [0-9]*' | awk '{print $3}')
hard_tol=$(echo "$hard_line" | grep -o 'solve [0-9.]*' | awk '{print $2}')
soft_tol=$(echo "$soft_line" | grep -o 'solve [0-9.]*' | awk '{print $2}')

ref=$($PY bench/reference.py "$F" --sweeps "$K" --alpha 1 --tol 1e-6 --out "$WORK/ref.npy")
check=$($PY - "$WORK" <<'PYEOF'
import json, sys, numpy as np
w = sys.argv[1]
for name in ("hard", "soft"):
    v = np.array(json.load(open(f"{w}/{name}.json"))["values"])
    r = np.load(f"{w}/ref_{name}.npy")
    print(f"{name}: max |V_softmdp - V_numpy| = {np.abs(v - r).max():.2e} (both certified within 1e-6 of V*)")
PYEOF
)
$PY - "$ref" "$hard_sweep" "$soft_sweep" "$hard_tol" "$soft_tol" "$load" "$rss" <<'PYEOF'
import json, sys
ref = json.loads(sys.argv[1])
hs, ss, ht, st, load, rss = map(float, sys.argv[2:8])
rows = [
    ("hard VI, ms per sweep", hs, ref["hard_ms_per_sweep"]),
    ("soft VI (alpha 1), ms per sweep", ss, ref["soft_ms_per_sweep"]),
    ("hard, s to certified 1e-6 (default method vs VI)", ht, ref["hard_seconds_to_tol"]),
    ("soft, s to certified 1e-6 (default method vs VI)", st, ref["soft_seconds_to_tol"]),
    ("load, s", load, ref["load_seconds"]),
    ("peak RSS, MiB", rss, ref["load_peak_rss_mib"]),
]
print(f"{'measure':<50} {'softmdp':>10} {'numpy/scipy':>12} {'ratio':>7}")
for name, a, b in rows:
    print(f"{name:<50} {a:>10.3f} {b:>12.3f} {b / a if a else float('nan'):>6.1f}x")
PYEOF
echo "$check"
