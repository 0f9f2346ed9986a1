#!/usr/bin/env python3
"""Independent reader of the binary model files softmdp writes, written from the specifications
(UMB: github.com/pmc-tools/umb spec.md; PETSc: MatLoad/VecLoad binary layout; NumPy: np.load), not
from softmdp's C++. Checks FILE against the softmdp/1 JSON model it was converted from and exits 0
("ok") or with an AssertionError naming the difference.

usage: read_binary.py MODEL.json FILE.umb|FILE.petsc|FILE.npz
"""
import io
import json
import sys
import tarfile

import numpy as np


def load_json(path):
    """The JSON model as (discount, S, A, p0, {(s, a): (expected reward, [(s', p), ...])})."""
    with open(path) as f:
        d = json.load(f)
    states, actions = d["states"], d["actions"]
    snames = states if isinstance(states, list) else [str(i) for i in range(states)]
    anames = actions if isinstance(actions, list) else [str(i) for i in range(actions)]
    sidx = {n: i for i, n in enumerate(snames)}
    aidx = {n: i for i, n in enumerate(anames)}
    s_of = lambda x: sidx[x] if isinstance(x, str) else x
    a_of = lambda x: aidx[x] if isinstance(x, str) else x
    S = len(snames)
    rows = {}
    for e in d.get("transitions", []):
        r = e.get("r", 0.0)
        succ = []
        for item in e["next"]:
            succ.append((s_of(item[0]), item[1]))
            if len(item) > 2:
                r += item[1] * item[2]
        rows[(s_of(e["s"]), a_of(e["a"]))] = (r, succ)
    p0 = d.get("initial")
    if isinstance(p0, dict):
        v = [0.0] * S
        for k, p in p0.items():
            v[s_of(k) if not k.isdigit() or k in sidx else int(k)] = p
        p0 = v
    if p0 is None:
        p0 = [1.0 / S] * S
    return d["discount"], S, len(anames), p0, rows


def read_umb(path):
    with tarfile.open(path) as t:
        files = {m.name.lstrip("./"): t.extractfile(m).read() for m in t.getmembers() if m.isfile()}
    index = json.loads(files["index.json"])
    ts = index["transition-system"]
    assert ts["time"] == "discrete" and ts["#players"] == 1
    assert ts["branch-probability-type"]["type"] == "double"
    S, C, B = ts["#states"], ts["#choices"], ts["#branches"]
    arr = lambda name, dt, n: np.frombuffer(files[name], dtype=dt, count=n)
    s2c = arr("state-to-choices.bin", "<u8", S + 1)
    c2b = arr("choice-to-branches.bin", "<u8", C + 1)
    target = arr("branch-to-target.bin", "<u8", B)
    prob = arr("branch-to-probability.bin", "<f8", B)
    act = arr("actions/choices/values.bin", "<u4", C)
    (rid, ann), = index["annotations"]["rewards"].items()
    assert ann["applies-to"] == ["choices"]
    rew = arr(f"annotations/rewards/{rid}/choices/values.bin", "<f8", C)
    rows = {}
    for s in range(S):
        for c in range(s2c[s], s2c[s + 1]):
            succ = [(int(target[b]), float(prob[b])) for b in range(c2b[c], c2b[c + 1])]
            rows[(s, int(act[c]))] = (float(rew[c]), succ)
    bits = np.frombuffer(files["state-is-initial.bin"], dtype="<u8")
    initial = [(int(bits[s // 64]) >> (s % 64)) & 1 for s in range(S)]
    p0 = list(arr("annotations/softmdp/initial/states/values.bin", "<f8", S))
    assert initial == [int(p > 0) for p in p0], "state-is-initial.bin does not mark the support of p0"
    assert ts["#initial-states"] == sum(initial)
    return index["file-data"]["parameters"]["discount"], S, ts["#choice-actions"], p0, rows


def matrix_rows(S, A, indptr, indices, data, R):
    rows = {}
    for s in range(S):
        for a in range(A):
            i = s * A + a
            if indptr[i + 1] > indptr[i]:
                rows[(s, a)] = (float(R[s, a]), [(int(indices[k]), float(data[k])) for k in range(indptr[i], indptr[i + 1])])
            else:
                assert R[s, a] == 0.0, "an unavailable pair with a reward"
    return rows


def read_petsc(path):
    buf = open(path, "rb").read()
    at = 0

    def take(dt, n):
        nonlocal at
        v = np.frombuffer(buf, dtype=dt, count=n, offset=at)
        at += v.nbytes
        return v

    def mat():
        cid, m, n, nz = take(">i4", 4)
        assert cid == 1211216, "not a PETSc Mat"
        lengths = take(">i4", m)
        assert lengths.sum() == nz
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        return m, n, indptr, take(">i4", nz), take(">f8", nz)

    def vec():
        cid, n = take(">i4", 2)
        assert cid == 1211214, "not a PETSc Vec"
        return take(">f8", n)

    SA, S, indptr, indices, data = mat()
    Sr, A, rptr, rcol, rval = mat()
    assert Sr == S and SA == S * A
    R = np.zeros((S, A))
    for s in range(S):
        for k in range(rptr[s], rptr[s + 1]):
            R[s, rcol[k]] = rval[k]
    gamma = vec()
    p0 = vec()
    assert at == len(buf), "bytes after the last object"
    return float(gamma[0]), S, A, list(p0), matrix_rows(S, A, indptr, indices, data, R)


def read_npz(path):
    z = np.load(path)
    SA, S = (int(x) for x in z["shape"])
    A = SA // S
    assert str(z["format"]) == "csr"
    return float(z["discount"]), S, A, list(z["initial"]), matrix_rows(S, A, z["indptr"], z["indices"], z["data"], z["rewards"])


def main():
    model, path = sys.argv[1], sys.argv[2]
    want = load_json(model)
    reader = read_umb if path.endswith(".umb") else read_petsc if path.endswith((".petsc", ".bin")) else read_npz
    got = reader(path)
    names = ["discount", "states", "actions", "initial"]
    for name, w, g in zip(names, want[:4], got[:4]):
        assert w == g, f"{name}: JSON {w}, {path} {g}"
    wrows, grows = want[4], got[4]
    assert sorted(wrows) == sorted(grows), f"pairs (s, a) differ: {sorted(set(wrows) ^ set(grows))[:5]}"
    for key, (r, succ) in wrows.items():
        gr, gsucc = grows[key]
        assert gsucc == succ, f"(s, a) = {key}: successors {gsucc}, JSON {succ}"
        assert abs(gr - r) <= 1e-12 * max(1.0, abs(r)), f"(s, a) = {key}: reward {gr}, JSON {r}"
    print("ok")


if __name__ == "__main__":
    main()
