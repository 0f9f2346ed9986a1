#!/usr/bin/env python3
"""NumPy/SciPy reference for softmdp's benchmark: the same Garnet MDP, the same sweeps.

Loads a softmdp/1 file with Python's json module (reported: seconds and peak RSS), builds the
"expert" layout (one CSR matrix P_a per action, rows = states, plus R[s, a]), and times Jacobi
sweeps of hard VI (V <- max_a R_a + gamma P_a V) and soft VI (V <- alpha logsumexp_a(...)/alpha)).
Then runs VI from V = 0 to a certified ||V - V*|| <= tol (gamma/(1-gamma) ||V' - V|| <= tol) and
writes V to a .npy file so the driver can compare it with softmdp's result.

usage: reference.py FILE --sweeps K --alpha A --tol T --out V.npy
"""
import argparse
import json
import resource
import time

import numpy as np
import scipy.sparse as sp


def load(path):
    t = time.perf_counter()
    with open(path) as f:
        d = json.load(f)
    S, A = d["states"], d["actions"]
    assert isinstance(S, int) and isinstance(A, int), "reference.py reads count-named (Garnet) files"
    rows = [[] for _ in range(A)]
    cols = [[] for _ in range(A)]
    vals = [[] for _ in range(A)]
    R = np.zeros((S, A))
    for e in d["transitions"]:
        s, a = e["s"], e["a"]
        r = e.get("r", 0.0)
        for item in e["next"]:
            rows[a].append(s)
            cols[a].append(item[0])
            vals[a].append(item[1])
            if len(item) > 2:
                r += item[1] * item[2]
        R[s, a] = r
    P = [sp.csr_matrix((vals[a], (rows[a], cols[a])), shape=(S, S)) for a in range(A)]
    del d
    return d_gamma(path), S, A, P, R, time.perf_counter() - t


def d_gamma(path):
    with open(path) as f:
        head = f.read(4096)
    i = head.index('"discount"')
    return float(head[i:].split(":", 1)[1].split(",", 1)[0])


def sweep(V, P, R, gamma, alpha):
    Q = np.stack([R[:, a] + gamma * (P[a] @ V) for a in range(len(P))], axis=1)
    if alpha == 0:
        return Q.max(axis=1)
    m = Q.max(axis=1)
    return m + alpha * np.log(np.exp((Q - m[:, None]) / alpha).sum(axis=1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--sweeps", type=int, default=20)
    ap.add_argument("--alpha", type=float, default=1.0)
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    gamma, S, A, P, R, load_s = load(args.file)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"states": S, "load_seconds": load_s, "load_peak_rss_mib": rss}
    for name, alpha in (("hard", 0.0), ("soft", args.alpha)):
        V = np.zeros(S)
        t = time.perf_counter()
        for _ in range(args.sweeps):
            V = sweep(V, P, R, gamma, alpha)
        out[f"{name}_ms_per_sweep"] = 1e3 * (time.perf_counter() - t) / args.sweeps
    for name, alpha in (("hard", 0.0), ("soft", args.alpha)):
        V = np.zeros(S)
        t = time.perf_counter()
        c = gamma / (1 - gamma)
        k = 0
        while True:
            W = sweep(V, P, R, gamma, alpha)
            k += 1
            done = c * np.abs(W - V).max() <= args.tol
            V = W
            if done:
                break
        out[f"{name}_seconds_to_tol"] = time.perf_counter() - t
        out[f"{name}_sweeps_to_tol"] = k
        if args.out:
            np.save(args.out.replace(".npy", f"_{name}.npy"), V)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
