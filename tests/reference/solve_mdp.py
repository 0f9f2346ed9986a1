#!/usr/bin/env python3
"""Independent reference solver for softmdp/1 files (plain Python, no softmdp code).

Reads the JSON with Python's json module, builds dense tables, and runs policy iteration with exact
evaluation by Gaussian elimination (hard, alpha = 0) or soft policy iteration (alpha > 0), then
prints {"values": [...]} on stdout. Meant for the small example MDPs only.
"""
import json
import math
import sys


def load(path):
    with open(path) as f:
        d = json.load(f)
    states = d["states"]
    names = states if isinstance(states, list) else [str(i) for i in range(states)]
    S = len(names)
    actions = d["actions"]
    anames = actions if isinstance(actions, list) else [str(i) for i in range(actions)]
    sidx = {n: i for i, n in enumerate(names)}
    aidx = {n: i for i, n in enumerate(anames)}

    def s_of(x):
        return sidx[x] if isinstance(x, str) else x

    def a_of(x):
        return aidx[x] if isinstance(x, str) else x

    rows = [dict() for _ in range(S)]  # s -> a -> (expected reward, {s': p})
    for e in d["transitions"]:
        s, a = s_of(e["s"]), a_of(e["a"])
        r = e.get("r", 0.0)
        succ = {}
        for item in e["next"]:
            to, p = s_of(item[0]), item[1]
            succ[to] = succ.get(to, 0.0) + p
            if len(item) > 2:
                r += p * item[2]
        rows[s][a] = (r, succ)
    return d["discount"], S, rows


def solve_linear(A, b):
    n = len(b)
    M = [row[:] + [b[i]] for i, row in enumerate(A)]
    for c in range(n):
        piv = max(range(c, n), key=lambda r: abs(M[r][c]))
        M[c], M[piv] = M[piv], M[c]
        for r in range(n):
            if r != c and M[r][c] != 0.0:
                f = M[r][c] / M[c][c]
                for k in range(c, n + 1):
                    M[r][k] -= f * M[c][k]
    return [M[i][n] / M[i][i] for i in range(n)]


def evaluate(gamma, S, rows, pi, alpha):
    A = [[0.0] * S for _ in range(S)]
    b = [0.0] * S
    for s in range(S):
        A[s][s] = 1.0
        for a, p in pi[s].items():
            r, succ = rows[s][a]
            b[s] += p * r
            if p > 0 and alpha > 0:
                b[s] -= alpha * p * math.log(p)
            for to, q in succ.items():
                A[s][to] -= gamma * p * q
    return solve_linear(A, b)


def improve(gamma, S, rows, V, alpha):
    pi = []
    for s in range(S):
        if not rows[s]:
            pi.append({})
            continue
        q = {a: r + gamma * sum(p * V[t] for t, p in succ.items()) for a, (r, succ) in rows[s].items()}
        if alpha == 0:
            best = max(q.values())
            a_star = min(a for a in q if q[a] == best)
            pi.append({a_star: 1.0})
        else:
            m = max(q.values())
            w = {a: math.exp((v - m) / alpha) for a, v in q.items()}
            z = sum(w.values())
            pi.append({a: x / z for a, x in w.items()})
    return pi


def main():
    path = sys.argv[1]
    alpha = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    gamma, S, rows = load(path)
    V = [0.0] * S
    pi = improve(gamma, S, rows, V, alpha)
    for _ in range(200):
        V = evaluate(gamma, S, rows, pi, alpha)
        new = improve(gamma, S, rows, V, alpha)
        diff = max((abs(new[s].get(a, 0) - pi[s].get(a, 0)) for s in range(S) for a in set(new[s]) | set(pi[s])),
                   default=0.0)
        pi = new
        if diff < 1e-15:
            break
    V = evaluate(gamma, S, rows, pi, alpha)
    print(json.dumps({"values": V}))


if __name__ == "__main__":
    main()
