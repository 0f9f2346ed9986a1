#!/usr/bin/python3
"""softmdp-mpi against independent references, with 1, 2 and 3 ranks (ctest: mpi_solve).

Methods vi, soft-vi, ipi and soft-ipi. References: tests/reference/solve_mdp.py (plain-Python exact
policy iteration) on the example MDPs, closed forms on a 3-state cycle, and the serial `softmdp solve`
with vi / soft-vi (a separate code path: whole-model sweeps, exact-evaluation refinement) on a
10^4-state Garnet in PETSc binary. Each distributed V must
lie within its printed error bound (plus the reference's own bound) of the reference; runs of the same
model on different rank counts within 1e-9 of each other. Also: partitions with empty ranks, ranks of
one state whose successors are all remote, and a rank that fails to read its block (every rank exits
2 with the same message, no output file left). UMB read by blocks (1, 2, 3 ranks; a damaged file gives
the serial reader's message once); --json-shards concatenated equals the --json document.

usage: check_mpi.py SOFTMDP_MPI SOFTMDP MPIEXEC SOURCE_DIR WORK_DIR
"""
import json
import math
import os
import pathlib
import struct
import subprocess
import sys
import time

MPI, SERIAL, MPIEXEC, SRC, WORK = sys.argv[1:6]
SRC = pathlib.Path(SRC)
WORK = pathlib.Path(WORK)
WORK.mkdir(parents=True, exist_ok=True)
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_btl="self,vader", OMPI_MCA_pml="ob1", OMPI_MCA_mtl="^ofi,psm,psm2", OMPI_MCA_osc="^ucx")
failures = []
started = time.time()


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def mpirun(n, *args):
    cmd = [MPIEXEC, "-n", str(n), "--oversubscribe", MPI, "solve", *map(str, args)]
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=120)


def solve_mpi(n, model, alpha, *extra, kind="vi", stderr=None):
    """kind "vi": vi or soft-vi; "ipi": ipi or soft-ipi (as alpha is 0 or not)."""
    method = ("soft-" if alpha > 0 else "") + kind
    out = WORK / f"mpi_{pathlib.Path(model).stem}_{n}_{alpha}_{method}.json"
    p = mpirun(n, model, "--method", method, "--alpha", alpha, "--tolerance", "1e-10", "--json", out, *extra)
    if stderr is not None:
        stderr.append(p.stderr)
    if p.returncode != 0:
        check(False, f"{model} n={n} {method} alpha={alpha}: exit {p.returncode}: {p.stderr.strip()}")
        return None
    d = json.loads(out.read_text())
    check(d["format"] == "softmdp-result/1" and d["converged"] and d["method"] == method,
          f"{pathlib.Path(model).name} n={n}: softmdp-result/1, converged, method {method}")
    return d


def within(d, ref, ref_bound, what):
    err = max(abs(a - b) for a, b in zip(d["values"], ref))
    check(len(d["values"]) == len(ref) and err <= d["error_bound"] + ref_bound,
          f"{what}: max |V - V_ref| = {err:.3g} <= printed bound {d['error_bound']:.3g} + reference {ref_bound:.3g}")


def reference(model, alpha):
    p = subprocess.run([sys.executable, SRC / "tests/reference/solve_mdp.py", model, str(alpha)], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)["values"]


# 1. Example MDPs against the plain-Python reference (exact policy iteration), hard and soft.
cases = [("riverswim.json", 0.5, [1, 2, 3]), ("gridworld4x4.json", 0.0, [3])]
for name, alpha, ranks in cases:
    model = SRC / "mdps" / name
    ref = reference(model, alpha)
    runs = [d for d in (solve_mpi(n, model, alpha) for n in ranks) if d]
    for n, d in zip(ranks, runs):
        within(d, ref, 1e-11 * max(1.0, max(map(abs, ref))), f"{name} alpha={alpha} n={n} vs reference policy iteration")
    if len(runs) > 1:
        gap = max(abs(a - b) for d in runs[1:] for a, b in zip(d["values"], runs[0]["values"]))
        check(gap <= 1e-9, f"{name}: ranks {ranks} agree within 1e-9 (max gap {gap:.3g})")
# Inexact policy iteration (ipi, soft-ipi) on the same references; riverswim on 1, 2, 3 ranks.
for name, alpha, ranks in (("riverswim.json", 0.5, [1, 2, 3]), ("gridworld4x4.json", 0.0, [3])):
    model = SRC / "mdps" / name
    ref = reference(model, alpha)
    runs = [d for d in (solve_mpi(n, model, alpha, kind="ipi") for n in ranks) if d]
    for n, d in zip(ranks, runs):
        within(d, ref, 1e-11 * max(1.0, max(map(abs, ref))), f"{name} {d['method']} alpha={alpha} n={n} vs reference policy iteration")
    if len(runs) > 1:
        gap = max(abs(a - b) for d in runs[1:] for a, b in zip(d["values"], runs[0]["values"]))
        check(gap <= 1e-9, f"{name} soft-ipi: ranks {ranks} agree within 1e-9 (max gap {gap:.3g})")
# the document matches the serial one field by field (apart from the run's own numbers)
serial = json.loads(subprocess.run([SERIAL, "solve", SRC / "mdps/riverswim.json", "--method", "soft-vi", "--alpha", "0.5", "--tolerance",
                                    "1e-10", "--json", "-"], capture_output=True, text=True, check=True).stdout)
d = json.loads((WORK / "mpi_riverswim_3_0.5_soft-vi.json").read_text())
check(list(d) == list(serial), "riverswim: the same fields in the same order as the serial softmdp-result/1")
check(all(d[k] == serial[k] for k in ("states", "actions", "greedy")), "riverswim: same states, actions, greedy actions as serial")
check(all(abs(a - b) <= 1e-9 for k in ("q", "policy") for ra, rb in zip(d[k], serial[k]) for a, b in zip(ra, rb) if a is not None),
      "riverswim: Q and policy within 1e-9 of serial")

# 2. A 3-state cycle, closed forms: from each state x (reward 1) and y (reward 0) lead to the two other
# states, so V* = 1/(1-gamma) hard and alpha log(1 + e^(1/alpha)) / (1 - gamma) soft.
cycle = WORK / "cycle3.json"
T = [{"s": s, "a": a, "r": r, "next": [[t, 1.0]]}
     for s, x, y in (("a", "b", "c"), ("b", "c", "a"), ("c", "a", "b")) for a, r, t in (("x", 1.0, x), ("y", 0.0, y))]
cycle.write_text(json.dumps({"format": "softmdp/1", "name": "cycle3", "discount": 0.9, "states": ["a", "b", "c"],
                             "actions": ["x", "y"], "transitions": T}))
d = solve_mpi(3, cycle, 0.5, "--partition", "1,2", "--stats")
if d:
    within(d, [0.5 * math.log(1 + math.exp(2.0)) / 0.1] * 3, 1e-12, "cycle3 soft, one state per rank, all successors remote")
d = solve_mpi(3, cycle, 0.0, "--partition", "0,3")
if d:
    within(d, [10.0] * 3, 1e-12, "cycle3 hard, ranks 0 and 2 empty")
# ipi on the same edge partitions; --stats: each rank of one state sends its value to its 2 neighbours
# (16 B) and receives their 2 (16 B) per product, and the Krylov counts are reported.
err = []
d = solve_mpi(3, cycle, 0.5, "--partition", "1,2", "--stats", kind="ipi", stderr=err)
if d:
    within(d, [0.5 * math.log(1 + math.exp(2.0)) / 0.1] * 3, 1e-12, "cycle3 soft-ipi, one state per rank, all successors remote")
    ranks_lines = [l for l in err[0].splitlines() if l.startswith("stats: rank ")]
    check(len(ranks_lines) == 3 and all("2 ghosts; per sweep: sent 16 B, received 16 B" in l for l in ranks_lines)
          and "outer iterations" in err[0] and "inner Krylov iterations" in err[0] and "ghost exchanges" in err[0],
          f"cycle3 soft-ipi --stats: 16 B sent and received per product by each rank, Krylov counts: {err[0].strip()[:400]}")
d = solve_mpi(3, cycle, 0.0, "--partition", "0,3", kind="ipi")
if d:
    within(d, [10.0] * 3, 1e-12, "cycle3 ipi, ranks 0 and 2 empty")
p = mpirun(2, cycle, "--method", "ipi", "--alpha", "1")
check(p.returncode == 2 and "soft-ipi" in p.stderr, f"ipi with --alpha 1: exit 2 suggesting soft-ipi ({p.returncode})")
p = mpirun(2, cycle, "--alpha", "1e308", "--json", WORK / "overflow.json")
q = subprocess.run([SERIAL, "solve", cycle, "--method", "soft-vi", "--alpha", "1e308"], capture_output=True, text=True)
check(p.returncode == 2 == q.returncode and "numerical error" in p.stderr and not (WORK / "overflow.json").exists(),
      f"alpha 1e308 overflows: exit 2 as serially ({p.returncode}, serial {q.returncode}), nothing written")
p = mpirun(2, cycle, "--partition", "2,1")
check(p.returncode == 2 and "--partition" in p.stderr, f"a decreasing --partition: exit 2 naming --partition ({p.returncode})")

# 3. A 10^4-state Garnet in PETSc binary (each rank reads its rows) against the serial CLI.
garnet = WORK / "garnet10k.petsc"
subprocess.run([SERIAL, "generate", "garnet", "--states", "10000", "--seed", "3", "--output", garnet], check=True, capture_output=True)
# ipi and soft-ipi against the serial value iteration (another algorithm, the same reference values).
serial_runs = {}
for alpha, ranks, kind in ((0.0, [1, 3], "vi"), (1.0, [2], "vi"), (0.0, [2], "ipi"), (1.0, [1, 3], "ipi")):
    method = ("soft-" if alpha else "") + kind
    ref_method = "soft-vi" if alpha else "vi"
    if alpha not in serial_runs:
        serial_runs[alpha] = json.loads(subprocess.run([SERIAL, "solve", garnet, "--method", ref_method, "--alpha", str(alpha), "--tolerance",
                                                        "1e-10", "--json", "-"], capture_output=True, text=True, check=True).stdout)
    serial = serial_runs[alpha]
    runs = [d for d in (solve_mpi(n, garnet, alpha, kind=kind) for n in ranks) if d]
    for n, d in zip(ranks, runs):
        within(d, serial["values"], serial["error_bound"], f"garnet 10^4 {method} alpha={alpha} n={n} vs serial softmdp {ref_method}")
        check(abs(d["objective"] - serial["objective"]) <= 1e-8, f"garnet {method} alpha={alpha} n={n}: objective as serial")
    if len(runs) > 1:
        gap = max(abs(a - b) for a, b in zip(runs[0]["values"], runs[1]["values"]))
        check(gap <= 1e-9, f"garnet {method} alpha={alpha}: ranks {ranks} agree within 1e-9 (max gap {gap:.3g})")

# 4. One rank fails to read its block: the last probability of P (the last state's, rank 2's) made
# negative. Every rank must stop with exit 2 and the same message, and no output file be left.
bad = WORK / "garnet10k_bad.petsc"
raw = bytearray(garnet.read_bytes())
_, rows, cols, nnz = struct.unpack(">iiii", raw[:16])
at = 16 + 4 * rows + 4 * nnz + 8 * (nnz - 1)
raw[at:at + 8] = struct.pack(">d", -0.5)
bad.write_bytes(bytes(raw))
out = WORK / "outdir" / "bad.json"
out.parent.mkdir(exist_ok=True)
for f in out.parent.iterdir():
    f.unlink()
p = mpirun(3, bad, "--json", out)
check(p.returncode == 2, f"corrupt block of rank 2: exit 2 (got {p.returncode})")
check("rank 2:" in p.stderr and "'P values[" + str(nnz - 1) + "]'" in p.stderr and p.stderr.count("softmdp-mpi:") == 1,
      f"one message naming rank 2 and P values: {p.stderr.strip()[:300]}")
check(not any(out.parent.iterdir()), "no output file (nor temporary file) left")
p = mpirun(2, WORK / "missing.json", "--json", out)
check(p.returncode == 3 and not any(out.parent.iterdir()), f"a missing model: exit 3 on every rank ({p.returncode}), no output")

# 5. The same Garnet as UMB: each rank reads its byte ranges (the serial reader's UmbBlocks). 1, 2 and 3
# ranks against the serial CLI on the UMB file, and within 1e-9 of the PETSc runs above.
umb = WORK / "garnet10k.umb"
subprocess.run([SERIAL, "convert", garnet, umb], check=True, capture_output=True)
serial = json.loads(subprocess.run([SERIAL, "solve", umb, "--method", "soft-vi", "--alpha", "1", "--tolerance", "1e-10", "--json", "-"],
                                   capture_output=True, text=True, check=True).stdout)
petsc_run = json.loads((WORK / "mpi_garnet10k_2_1.0_soft-vi.json").read_text())
for n in (1, 2, 3):
    d = solve_mpi(n, umb, 1.0)
    if d:
        within(d, serial["values"], serial["error_bound"], f"garnet 10^4 UMB alpha=1 n={n} vs serial softmdp on the UMB file")
        gap = max(abs(a - b) for a, b in zip(d["values"], petsc_run["values"]))
        check(gap <= 1e-9, f"garnet UMB n={n} and PETSc n=2 agree within 1e-9 (max gap {gap:.3g})")
# a damaged UMB: a successor out of range in the last state's branches (rank 2's block): every rank
# exits 2, one message, the serial reader's message, no output
raw = bytearray(umb.read_bytes())
at = 0
while raw[at:at + 1] != b"\0":  # the tar member branch-to-target.bin: 8-byte little-endian targets
    name = raw[at:at + 100].rstrip(b"\0").decode()
    size = int(raw[at + 124:at + 135].decode(), 8)
    if name == "branch-to-target.bin":
        raw[at + 512 + size - 8:at + 512 + size] = struct.pack("<Q", 10**6)
        break
    at += 512 + (size + 511) // 512 * 512
bad_umb = WORK / "garnet10k_bad.umb"
bad_umb.write_bytes(bytes(raw))
q = subprocess.run([SERIAL, "solve", bad_umb], capture_output=True, text=True)
p = mpirun(3, bad_umb, "--json", out)
message = q.stderr.strip().split("error: ", 1)[-1]
check(p.returncode == 2 == q.returncode and p.stderr.count("softmdp-mpi:") == 1 and "rank 2: " + message in p.stderr
      and "branch-to-target.bin" in message, f"damaged UMB: exit 2 as serially, one message: {p.stderr.strip()[:300]} / serial: {message[:200]}")
check(not any(out.parent.iterdir()), "damaged UMB: no output file left")
gz = WORK / "garnet10k.umb.gz"
subprocess.run(["gzip", "-kf", umb], check=True)
p = mpirun(2, gz)
check(p.returncode == 2 and "uncompressed UMB" in p.stderr and p.stderr.count("softmdp-mpi:") == 1,
      f"compressed UMB refused with exit 2: {p.stderr.strip()[:200]}")

# 6. --json-shards: from one run with --json too, the index's result plus the shards' arrays
# concatenated in rank order must be the --json document exactly.
shards = WORK / "shards"
shards.mkdir(exist_ok=True)
for f in shards.iterdir():
    f.unlink()
single = WORK / "single.json"
p = mpirun(3, SRC / "mdps/riverswim.json", "--alpha", "0.5", "--json", single, "--json-shards", shards / "rs", "--partition", "0,2")
check(p.returncode == 0, f"--json-shards on 3 ranks (rank 0 empty): exit 0 ({p.returncode}: {p.stderr.strip()[:200]})")
if p.returncode == 0:
    index = json.loads((shards / "rs.json").read_text())
    doc = json.loads(single.read_text())
    joined = dict(index["result"])
    parts = [json.loads((shards / sh["file"]).read_text()) for sh in index["shards"]]
    for key in index["arrays"]:
        joined[key] = [x for part in parts for x in part[key]]
    joined = {k: joined[k] for k in doc if k in joined}
    check(index["format"] == "softmdp-result-shards/1" and all(part["format"] == "softmdp-result-shard/1" for part in parts)
          and [(sh["first_state"], sh["num_states"]) for sh in index["shards"]] == [(0, 0), (0, 2), (2, len(doc["values"]) - 2)]
          and all(part["first_state"] == sh["first_state"] and len(part["values"]) == sh["num_states"] for part, sh in zip(parts, index["shards"])),
          "shards: formats, state ranges as partitioned (an empty rank 0 included)")
    check(joined == doc and list(joined) == list(doc), "shards: index result + arrays concatenated in rank order == the --json document")
    check(sorted(f.name for f in shards.iterdir()) == ["rs-0.json", "rs-1.json", "rs-2.json", "rs.json"], "shards: no temporary file left")
p = mpirun(2, SRC / "mdps/riverswim.json", "--json-shards", WORK / "no_such_dir" / "rs")
check(p.returncode == 3 and p.stderr.count("softmdp-mpi:") == 1 and not (WORK / "no_such_dir").exists(),
      f"--json-shards into a missing directory: exit 3, one message ({p.returncode}: {p.stderr.strip()[:200]})")

print(f"{len(failures)} failure(s), {time.time() - started:.1f} s")
sys.exit(1 if failures else 0)
