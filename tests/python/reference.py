"""Independent NumPy references for the Python tests: dense soft/hard value iteration, exact policy
evaluation by a linear solve, and random models. Nothing here calls softmdp."""
import numpy as np


def random_model(S, A, seed, density=0.5, mask_some=False, terminal_some=False):
    """Dense P (A, S, S), R (S, A), mask (S, A), terminal (S,) with rows summing to 1."""
    rng = np.random.default_rng(seed)
    P = rng.random((A, S, S)) * (rng.random((A, S, S)) < density)
    for a in range(A):
        for s in range(S):
            if P[a, s].sum() == 0:
                P[a, s, rng.integers(S)] = 1.0
    P /= P.sum(axis=2, keepdims=True)
    R = rng.normal(size=(S, A))
    mask = np.ones((S, A), dtype=bool)
    if mask_some:
        for s in range(S):
            k = rng.integers(A)
            mask[s, (k + 1 + np.arange(rng.integers(A))) % A] = False  # at least action k stays
    terminal = np.zeros(S, dtype=bool)
    if terminal_some:
        terminal[rng.choice(S, size=max(1, S // 5), replace=False)] = True
    return P, R, mask, terminal


def q_of(P, R, V, gamma):
    """Q(s, a) = R(s, a) + gamma sum_s' P[a, s, s'] V(s')."""
    return R + gamma * np.einsum("ast,t->sa", P, V)


def soft_vi(P, R, gamma, alpha, mask=None, terminal=None, tol=1e-13, max_iter=200000):
    """V = alpha logsumexp(Q / alpha) over available actions (max at alpha 0); terminal V = 0."""
    A, S, _ = P.shape
    mask = np.ones((S, A), bool) if mask is None else mask
    terminal = np.zeros(S, bool) if terminal is None else terminal
    V = np.zeros(S)
    for _ in range(max_iter):
        Q = np.where(mask, q_of(P, R, V, gamma), -np.inf)
        m = Q.max(axis=1)
        if alpha > 0:
            Vn = m + alpha * np.log(np.exp((Q - m[:, None]) / alpha).sum(axis=1))
        else:
            Vn = m
        Vn[terminal] = 0.0
        if np.max(np.abs(Vn - V)) < tol * (1 - gamma):
            V = Vn
            break
        V = Vn
    Q = np.where(mask, q_of(P, R, V, gamma), np.nan)
    Q[terminal] = np.nan
    return V, Q


def soft_policy(Q, alpha):
    """softmax(Q / alpha) over the non-NaN entries (0 elsewhere; rows all NaN stay 0)."""
    pi = np.zeros_like(Q)
    for s in range(Q.shape[0]):
        ok = ~np.isnan(Q[s])
        if ok.any():
            z = Q[s, ok] / alpha
            e = np.exp(z - z.max())
            pi[s, ok] = e / e.sum()
    return pi


def evaluate(P, R, gamma, pi, alpha, terminal=None):
    """Exact (I - gamma P_pi) V = r_pi + alpha H(pi); returns V and Q (state convention)."""
    A, S, _ = P.shape
    terminal = np.zeros(S, bool) if terminal is None else terminal
    live = ~terminal
    Ppi = np.einsum("sa,ast->st", pi, P)
    with np.errstate(divide="ignore", invalid="ignore"):
        H = -np.where(pi > 0, pi * np.log(pi), 0.0).sum(axis=1)
    rpi = (pi * np.where(np.isnan(R), 0, R)).sum(axis=1) + alpha * H
    M = np.eye(S) - gamma * Ppi
    M[terminal] = 0
    M[terminal, terminal] = 1
    rpi[terminal] = 0
    V = np.linalg.solve(M, rpi)
    Q = q_of(P, R, V, gamma)
    return V, Q


def frozenlake_table(desc, slippery=True):
    """Gymnasium's FrozenLake P table (gymnasium/envs/toy_text/frozen_lake.py, written out here):
    actions 0 left, 1 down, 2 right, 3 up; slippery: the intended direction or either perpendicular
    one, 1/3 each; H and G terminal (self-loops there), reward 1 on entering G."""
    nrow, ncol = len(desc), len(desc[0])
    P = {s: {a: [] for a in range(4)} for s in range(nrow * ncol)}

    def inc(row, col, a):
        if a == 0:
            col = max(col - 1, 0)
        elif a == 1:
            row = min(row + 1, nrow - 1)
        elif a == 2:
            col = min(col + 1, ncol - 1)
        elif a == 3:
            row = max(row - 1, 0)
        return row, col

    for row in range(nrow):
        for col in range(ncol):
            s = row * ncol + col
            for a in range(4):
                li = P[s][a]
                if desc[row][col] in "GH":
                    li.append((1.0, s, 0, True))
                    continue
                for b in ([(a - 1) % 4, a, (a + 1) % 4] if slippery else [a]):
                    r2, c2 = inc(row, col, b)
                    s2 = r2 * ncol + c2
                    letter = desc[r2][c2]
                    li.append((1.0 / 3.0 if slippery else 1.0, s2, float(letter == "G"), letter in "GH"))
    return P


MAP4 = ["SFFF", "FHFH", "FFFH", "HFFG"]
MAP8 = ["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"]


def gym_table_to_dense(P, nS, nA):
    """The table as dense (A, S, S) and expected R (S, A), terminal = G/H (the test's own reading)."""
    T = np.zeros((nA, nS, nS))
    R = np.zeros((nS, nA))
    for s in range(nS):
        for a in range(nA):
            for p, s2, r, _ in P[s][a]:
                T[a, s, s2] += p
                R[s, a] += p * r
    return T, R
