#!/usr/bin/env bash
# One MCE-IRL gradient (soft solve + occupancy + Phi^T d) on a 10^5-state Garnet with 4 actions and
# 10 features: softmdp (bench/bench_irl_gradient.cpp) against NumPy/SciPy (bench/irl_gradient.py)
# on the same file in the same run; both print dJ/dw[0..2], which must agree.
#   usage: bash bench/irl_gradient.sh [STATES] [TOLERANCE]     (default 100000, 1e-8)
set -euo pipefail
cd "$(dirname "$0")/.."
S="${1:-100000}"
TOL="${2:-1e-8}"
# As the CLI and the Python module do for their users: OpenMP threads sleep at barriers instead of
# spinning (spinning costs many times a sweep on shared cores; apps/main.cpp).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
WORK="$(mktemp -d /tmp/softmdp-irl-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "garnet: S=$S A=4 B=5 gamma=0.95 seed=1, alpha 1, tolerance $TOL"
./build/softmdp generate garnet --states "$S" --actions 4 --branching 5 --seed 1 --discount 0.95 --output "$WORK/g.npz" --quiet
echo "softmdp (default method):"
./build/softmdp_bench_irl_gradient "$WORK/g.npz" 1 "$TOL" 3
echo "softmdp (soft-vi):"
./build/softmdp_bench_irl_gradient "$WORK/g.npz" 1 "$TOL" 3 soft-vi
echo "numpy/scipy:"
/usr/bin/python3 bench/irl_gradient.py "$WORK/g.npz" 1 "$TOL" 3
