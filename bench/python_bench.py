#!/usr/bin/python3
"""Benchmarks of the Python module (issue 17), each against a floor or peer measured in the same run:

  overhead  solving a 2-state model from Python against the same solve in a C++ loop (no Python
            between calls; softmdp._core._bench_solve_loop): the difference is the binding's cost.
  irl       the maximum-entropy IRL inner loop: N soft value iterations to 1e-8 on a 20x20 gridworld
            with rewards changing every time (Model.with_rewards + solve), against a careful NumPy
            soft value iteration (SciPy CSR product, log-sum-exp over an (S, A) array) on the same
            rewards; both must agree on V.
  irl-paired  the same loop (default method), NumPy and softmdp alternating in blocks of 25 solves,
            timed by wall clock and CPU time: the ratio under a drifting load.
  garnet    Garnet(S = 10^5, A = 4, B = 5) built from SciPy arrays (Model.from_arrays) and soft-solved,
            against `softmdp solve` (the CLI) on the same model saved to .npz.

usage: PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py [overhead|irl|irl-paired|garnet ...]
       [--build build] [--n 1000]. Prints markdown rows for bench/RESULTS.md.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.sparse as sp

import softmdp


def best_of(repeats, f):
    return min(f() for _ in range(repeats))


def bench_overhead(args):
    P = np.array([[[0.9, 0.1], [0.0, 1.0]], [[0.2, 0.8], [0.5, 0.5]]])
    R = np.array([[1.0, 0.0], [0.0, 2.0]])
    m = softmdp.Model.from_arrays(P, R, 0.9)
    n = 5000
    print("| 2-state model | alpha | method | threads | C++ loop us/solve (best) | Python solve() us/call (best) | overhead us (median of paired differences) |")
    print("|---|---|---|---|---|---|---|")
    for threads in (1, 0):
        for alpha, method in ((0.0, "vi"), (0.5, "soft-vi"), (0.5, "soft-pi")):
            def py():
                t = time.perf_counter()
                for _ in range(n):
                    softmdp.solve(m, alpha, method, threads=threads)
                return (time.perf_counter() - t) / n

            cpp, p = [], []
            for _ in range(7):  # interleaved, best of each: the machine is shared
                cpp.append(softmdp._core._bench_solve_loop(m, alpha, method, n, threads=threads))
                p.append(py())
            diff = float(np.median(np.array(p) - np.array(cpp)))  # per interleaved pair: robust to load drift
            print(f"| 2 states, 2 actions, gamma 0.9 | {alpha} | {method} | {threads or 'all (0)'} | {min(cpp) * 1e6:.2f} "
                  f"| {min(p) * 1e6:.2f} | {diff * 1e6:.2f} |")


def gridworld(n, gamma, slip=0.1):
    """n x n grid, actions up/down/left/right, the intended move with 1 - slip, else stay (walls: stay)."""
    S, A = n * n, 4
    rows, cols, vals = [], [], []
    for y in range(n):
        for x in range(n):
            s = y * n + x
            for a, (dy, dx) in enumerate(((-1, 0), (1, 0), (0, -1), (0, 1))):
                y2, x2 = min(max(y + dy, 0), n - 1), min(max(x + dx, 0), n - 1)
                t = y2 * n + x2
                k = s * A + a
                if t == s:
                    rows.append(k), cols.append(s), vals.append(1.0)
                else:
                    rows += [k, k]
                    cols += [t, s]
                    vals += [1 - slip, slip]
    return sp.csr_matrix((vals, (rows, cols)), shape=(S * A, S)), S, A


def numpy_soft_vi(P, R, gamma, alpha, tol, V0=None):
    """Soft VI, V <- alpha logsumexp((R + gamma P V) / alpha), from V0 (default 0), stopped at
    gamma/(1-gamma) ||dV|| <= tol."""
    S, A = R.shape
    V = np.zeros(S) if V0 is None else V0.copy()
    c = gamma / (1 - gamma)
    while True:
        Q = R + gamma * (P @ V).reshape(S, A)
        mx = Q.max(axis=1)
        Vn = mx + alpha * np.log(np.exp((Q - mx[:, None]) / alpha).sum(axis=1))
        d = np.abs(Vn - V).max()
        V = Vn
        if c * d <= tol:
            return V


def bench_irl(args):
    gamma, alpha, tol, n = args.gamma, 1.0, 1e-8, args.n
    P, S, A = gridworld(20, gamma)
    rng = np.random.default_rng(0)
    thetas = [rng.normal(size=S) for _ in range(n)]  # a new reward r(s, a) = theta[s] per solve
    base = softmdp.Model.from_arrays(P, np.zeros((S, A)), gamma)
    Rs = [np.repeat(th[:, None], A, axis=1) for th in thetas]

    t = time.perf_counter()
    last = None
    for R in Rs:
        last = softmdp.solve(base.with_rewards(R), alpha, tolerance=tol)
    t_softmdp = time.perf_counter() - t
    method = last.method

    t = time.perf_counter()
    for R in Rs:
        V = numpy_soft_vi(P, R, gamma, alpha, tol)
    t_numpy = time.perf_counter() - t
    agree = np.abs(V - last.values).max()
    assert agree <= 2e-8, agree

    # softmdp, warm-started from the previous solve (what an IRL loop with small steps would do)
    t = time.perf_counter()
    prev = None
    for R in Rs:
        prev = softmdp.solve(base.with_rewards(R), alpha, tolerance=tol,
                             initial_values=None if prev is None else prev.values)
    t_warm = time.perf_counter() - t
    others = []
    for meth in ("soft-vi", "soft-ipi"):
        t = time.perf_counter()
        for R in Rs:
            softmdp.solve(base.with_rewards(R), alpha, meth, tolerance=tol)
        dt = time.perf_counter() - t
        others.append(f"{meth} {dt:.3f} s ({t_numpy / dt:.1f}x)")
    print(f"| {n} soft solves (alpha {alpha}, tolerance {tol}), 20x20 gridworld slip 0.1, gamma {gamma}, new rewards each "
          f"| NumPy soft VI {t_numpy:.3f} s | softmdp {method} {t_softmdp:.3f} s | {t_numpy / t_softmdp:.1f}x "
          f"| softmdp warm-started {t_warm:.3f} s ({t_numpy / t_warm:.1f}x) | {'; '.join(others)} | max abs V difference {agree:.1e} |")

    # The loop as IRL runs it: theta moves by a small gradient-like step each time (0.01 N(0, 1) per
    # state), and both sides warm-start from the previous solve's values.
    steps = [rng.normal(size=S) * 0.01 for _ in range(n)]
    Rg, th = [], rng.normal(size=S)
    for d in steps:
        th = th + d
        Rg.append(np.repeat(th[:, None], A, axis=1))
    t = time.perf_counter()
    prev = None
    for R in Rg:
        prev = softmdp.solve(base.with_rewards(R), alpha, tolerance=tol,
                             initial_values=None if prev is None else prev.values)
    t_sg = time.perf_counter() - t
    t = time.perf_counter()
    V = None
    for R in Rg:
        V = numpy_soft_vi(P, R, gamma, alpha, tol, V)
    t_ng = time.perf_counter() - t
    agree_g = np.abs(V - prev.values).max()
    assert agree_g <= 2e-8, agree_g
    print(f"| {n} soft solves as above, theta moving by 0.01 N(0, 1) per solve, both warm-started from the previous values "
          f"| NumPy soft VI {t_ng:.3f} s | softmdp {prev.method} {t_sg:.3f} s | {t_ng / t_sg:.1f}x | | | max abs V difference {agree_g:.1e} |")


def bench_irl_paired(args):
    """The IRL inner loop of bench_irl (default method, new rewards each solve), with NumPy and softmdp
    run in alternating blocks of 25 solves, so that both meet the same load (on a shared machine the
    load drifts over the minute NumPy needs; one long run each lets it bias the ratio either way), and
    timed both by the wall clock and by the process's CPU time (which leaves out the time spent waiting
    for a core; both sides run on one thread: the 400-state model is below sweep_threads' cut)."""
    gamma, alpha, tol, n = args.gamma, 1.0, 1e-8, args.n
    P, S, A = gridworld(20, gamma)
    rng = np.random.default_rng(0)
    base = softmdp.Model.from_arrays(P, np.zeros((S, A)), gamma)
    Rs = [np.repeat(rng.normal(size=S)[:, None], A, axis=1) for _ in range(n)]
    wall = {"numpy": 0.0, "softmdp": 0.0}
    cpu = dict(wall)
    worst, method = 0.0, None
    for k in range(0, n, 25):
        block = Rs[k:k + 25]
        for side in (("numpy", "softmdp") if (k // 25) % 2 == 0 else ("softmdp", "numpy")):
            t, c = time.perf_counter(), time.process_time()
            if side == "numpy":
                Vn = [numpy_soft_vi(P, R, gamma, alpha, tol) for R in block]
            else:
                res = [softmdp.solve(base.with_rewards(R), alpha, tolerance=tol) for R in block]
            wall[side] += time.perf_counter() - t
            cpu[side] += time.process_time() - c
        method = res[-1].method
        worst = max(worst, max(np.abs(v - r.values).max() for v, r in zip(Vn, res)))
    assert worst <= 2e-8, worst
    print(f"| {n} soft solves (alpha {alpha}, tolerance {tol}), 20x20 gridworld slip 0.1, gamma {gamma}, new rewards each, "
          f"alternating blocks of 25 | NumPy soft VI {wall['numpy']:.3f} s wall, {cpu['numpy']:.3f} s CPU "
          f"| softmdp {method} {wall['softmdp']:.3f} s wall, {cpu['softmdp']:.3f} s CPU "
          f"| {wall['numpy'] / wall['softmdp']:.1f}x wall, {cpu['numpy'] / cpu['softmdp']:.1f}x CPU "
          f"| max abs V difference over all solves {worst:.1e} |")


def garnet(S, A, B, seed):
    rng = np.random.default_rng(seed)
    idx = np.empty((S * A, B), dtype=np.int32)
    for j in range(B):  # B distinct successors per row: redraw collisions
        idx[:, j] = rng.integers(0, S, size=S * A)
    idx.sort(axis=1)
    while True:
        dup = np.nonzero((idx[:, 1:] == idx[:, :-1]).any(axis=1))[0]
        if dup.size == 0:
            break
        idx[dup, 0] = rng.integers(0, S, size=dup.size)
        idx[dup] = np.sort(idx[dup], axis=1)
    p = rng.exponential(size=(S * A, B))  # Dirichlet(1, ..., 1)
    p /= p.sum(axis=1, keepdims=True)
    P = sp.csr_matrix((p.ravel(), idx.ravel(), np.arange(0, S * A * B + 1, B, dtype=np.int64)), shape=(S * A, S))
    return P, rng.random((S, A))


def bench_garnet(args):
    S, A, B, gamma, alpha, tol = 100000, 4, 5, 0.99, 1.0, 1e-6
    P, R = garnet(S, A, B, 1)
    build = best_of(3, lambda: timed(lambda: softmdp.Model.from_arrays(P, R, gamma)))
    m = softmdp.Model.from_arrays(P, R, gamma)
    method = softmdp.default_method(m, alpha)
    py_wall, py_solver = [], []
    for _ in range(3):
        t = time.perf_counter()
        r = softmdp.solve(m, alpha, method, tolerance=tol)
        py_wall.append(time.perf_counter() - t)
        py_solver.append(r.seconds)
    cli = os.path.join(args.build, "softmdp")
    cli_solver, cli_wall = [], []
    with tempfile.TemporaryDirectory() as d:
        f, out = os.path.join(d, "garnet.npz"), os.path.join(d, "out.json")
        m.save(f)
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([cli, "solve", f, "--alpha", str(alpha), "--method", method, "--tolerance", str(tol),
                            "--json", out, "--quiet"], check=True)
            cli_wall.append(time.perf_counter() - t)
            doc = json.load(open(out))
            cli_solver.append(doc["seconds"])
        assert np.abs(np.array(doc["values"]) - r.values).max() <= 2 * tol
    print(f"| Garnet S=1e5 A=4 B=5 gamma {gamma} from SciPy CSR | Model.from_arrays {build:.3f} s "
          f"| {method} alpha {alpha} to {tol}: Python solve() {min(py_wall):.3f} s (solver {min(py_solver):.3f} s) "
          f"| CLI solver {min(cli_solver):.3f} s (process incl. load {min(cli_wall):.3f} s) "
          f"| ratio Python wall / CLI solver {min(py_wall) / min(cli_solver):.2f} |")


def timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("which", nargs="*", default=["overhead", "irl", "garnet"])
    ap.add_argument("--build", default="build")
    ap.add_argument("--n", type=int, default=1000, help="IRL: number of solves")
    ap.add_argument("--gamma", type=float, default=0.9, help="IRL: discount")
    args = ap.parse_args()
    for w in args.which:
        {"overhead": bench_overhead, "irl": bench_irl, "irl-paired": bench_irl_paired, "garnet": bench_garnet}[w](args)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
