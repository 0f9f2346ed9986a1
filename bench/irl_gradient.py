#!/usr/bin/env python3
"""NumPy/SciPy peer of bench/bench_irl_gradient.cpp: one MCE-IRL gradient dJ_soft/dw = Phi^T d*.

usage: irl_gradient.py MODEL.npz ALPHA TOLERANCE [REPETITIONS]

Soft value iteration until the certified bound gamma/(1-gamma) ||V' - V||_inf <= TOLERANCE (the same
tolerance as the C++ solve), the soft-optimal policy, the occupancy (I - gamma P_pi^T) x = p0 by
BiCGSTAB (scipy.sparse.linalg), d(s,a) = x(s) pi(a|s) and Phi^T d, with the same features and weights.
"""
import sys
import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla


def main():
    z = np.load(sys.argv[1])
    alpha, tol = float(sys.argv[2]), float(sys.argv[3])
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    SA, S = (int(x) for x in z["shape"])
    A = SA // S
    gamma = float(z["discount"])
    P = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=(SA, S))
    p0 = np.asarray(z["initial"], dtype=float)
    K = 10
    phi = np.sin(0.7 * np.outer(np.arange(1, S + 1), np.arange(1, K + 1)))
    w = np.linspace(-1.0, 1.0, K)
    agg = sp.csr_matrix((np.ones(SA), np.arange(SA), np.arange(0, SA + 1, A)), shape=(S, SA))
    for _ in range(reps):
        t0 = time.perf_counter()
        r = np.repeat(phi @ w, A)
        V = np.zeros(S)
        sweeps = 0
        while True:
            Q = (r + gamma * (P @ V)).reshape(S, A)
            m = Q.max(axis=1)
            Vn = m + alpha * np.log(np.exp((Q - m[:, None]) / alpha).sum(axis=1))
            change = np.abs(Vn - V).max()
            V = Vn
            sweeps += 1
            if gamma / (1 - gamma) * change <= tol:
                break
        Q = (r + gamma * (P @ V)).reshape(S, A)
        pi = np.exp((Q - Q.max(axis=1, keepdims=True)) / alpha)
        pi /= pi.sum(axis=1, keepdims=True)
        Ppi = agg @ (sp.diags(pi.reshape(-1)) @ P)
        M = sp.identity(S, format="csr") - gamma * Ppi.T.tocsr()
        x, info = spla.bicgstab(M, p0, tol=1e-11, atol=0.0, maxiter=10000)  # Debian 12 SciPy 1.10: tol, not rtol
        grad = phi.T @ x  # sum_a d(s,a) = x(s) for per-state features
        t1 = time.perf_counter()
        res = np.abs(M @ x - p0).sum()
        # The same certificate as softmdp's: ||x - x*||_1 <= ||M x - p0||_1 / (1 - gamma) <= tolerance
        # (SciPy's BiCGSTAB may report a breakdown, info < 0, once the residual is at rounding level).
        assert np.isfinite(grad).all() and res / (1 - gamma) <= tol, f"bicgstab info {info}, l1 residual {res}"
        print(f"{t1 - t0:.4f} s  (soft VI, {sweeps} sweeps)  dJ/dw[0..2] = {grad[0]:.10g} {grad[1]:.10g} {grad[2]:.10g}")


if __name__ == "__main__":
    main()
