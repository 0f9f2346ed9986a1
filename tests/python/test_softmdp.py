"""The Python module against independent NumPy references (reference.py), the CLI, and bad input."""
import json
import os
import signal
import subprocess
import threading
import time

import numpy as np
import pytest
import scipy.sparse as sp

import softmdp
from reference import (MAP4, MAP8, evaluate as np_evaluate, frozenlake_table, gym_table_to_dense, q_of,
                       random_model, soft_policy, soft_vi)

GAMMA = 0.9


def model_of(P, R, mask=None, terminal=None, **kw):
    return softmdp.Model.from_arrays(P, R, GAMMA, mask=mask, terminal=terminal, **kw)


# --- values against a NumPy soft value iteration ---------------------------------------------------

@pytest.mark.parametrize("alpha", [0.0, 0.05, 0.5, 3.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_solve_matches_numpy_soft_vi(alpha, seed):
    P, R, mask, terminal = random_model(12, 3, seed, mask_some=True, terminal_some=True)
    m = model_of(P, R, mask, terminal)
    V, Q = soft_vi(P, R, GAMMA, alpha, mask, terminal)
    r = softmdp.solve(m, alpha=alpha, tolerance=1e-10)
    assert r.converged
    assert r.error_bound <= 1e-10
    assert np.max(np.abs(r.values - V)) <= 1e-9
    # Q: NaN exactly where unavailable or terminal, equal elsewhere.
    assert np.array_equal(np.isnan(r.q), np.isnan(Q))
    ok = ~np.isnan(Q)
    assert np.max(np.abs(r.q[ok] - Q[ok])) <= 1e-9
    if alpha > 0:
        assert np.max(np.abs(r.policy - soft_policy(Q, alpha))) <= 1e-8
    assert r.policy[terminal].sum() == 0 and np.all(r.policy[~mask] == 0)
    assert abs(r.objective - m.initial @ V) <= 1e-9


@pytest.mark.parametrize("method", [mi[0] for mi in softmdp.methods()])
def test_every_method(method):
    soft = dict((n, s) for n, s, _ in softmdp.methods())[method]
    alpha = 0.3 if soft else 0.0
    P, R, mask, terminal = random_model(10, 3, 7)
    m = model_of(P, R)
    V, _ = soft_vi(P, R, GAMMA, alpha)
    if method == "mellowmax":  # alpha log mean exp = soft backup - alpha log |A| every step
        V = V - alpha * np.log(3) / (1 - GAMMA)
    r = softmdp.solve(m, alpha=alpha, method=method, tolerance=1e-9)
    assert r.method == method
    if method == "boltzmann":  # a fixed point of V = sum softmax(Q/alpha) Q, checked by NumPy
        Q = q_of(P, R, r.values, GAMMA)
        assert np.max(np.abs((soft_policy(Q, alpha) * Q).sum(axis=1) - r.values)) <= 1e-8
    elif r.error_bound is not None:  # certified methods: the bound covers the truth
        assert np.max(np.abs(r.values - V)) <= r.error_bound + 1e-12
    else:
        assert np.max(np.abs(r.values - V)) <= 1e-6


def test_default_method_and_options():
    P, R, _, _ = random_model(8, 2, 3)
    m = model_of(P, R)
    r = softmdp.solve(m, alpha=0.5)
    assert r.method == softmdp.default_method(m, 0.5)
    V, _ = soft_vi(P, R, GAMMA, 0.5)
    # iteration limit: one sweep of soft-vi is not converged, and says so
    r1 = softmdp.solve(m, alpha=0.5, method="soft-vi", max_iterations=1)
    assert not r1.converged and r1.iterations == 1
    assert r1.stop in {"iteration_limit", "no_bound", "time_limit", "converged", "resolution_floor", "stalled",
                       "non_finite", "interrupted"}
    # warm start from the answer: converges at once
    r2 = softmdp.solve(m, alpha=0.5, method="soft-vi", initial_values=V, tolerance=1e-8)
    assert r2.converged and r2.iterations <= 2
    r3 = softmdp.solve(m, alpha=0.5, method="soft-vi", threads=1)
    assert np.max(np.abs(r3.values - V)) <= r3.error_bound + 1e-12


def test_stop_is_typed():
    P, R, _, _ = random_model(8, 2, 3)
    r = softmdp.solve(model_of(P, R), alpha=0.5, method="soft-vi", max_iterations=2)
    assert r.stop == "iteration_limit"
    ok = softmdp.solve(model_of(P, R), alpha=0.5, method="soft-vi")
    assert ok.stop == "converged"


def test_result_arrays_are_views_owned_by_the_result():
    P, R, _, _ = random_model(6, 2, 4)
    r = softmdp.solve(model_of(P, R), alpha=0.2)
    v = r.values
    assert not v.flags.writeable and not v.flags.owndata and v.base is not None
    q = r.q
    assert not q.flags.owndata  # every state has every action: a view
    del r  # the arrays keep the result alive
    assert np.all(np.isfinite(v)) and q.shape == (6, 2)


# --- policy evaluation in both entropy conventions ------------------------------------------------

@pytest.mark.parametrize("convention", ["state", "action"])
def test_evaluate_given_policy(convention):
    P, R, mask, terminal = random_model(10, 3, 11, mask_some=True, terminal_some=True)
    m = model_of(P, R, mask, terminal)
    rng = np.random.default_rng(0)
    pi = rng.random(mask.shape) * mask
    pi[terminal] = 0
    live = ~terminal
    pi[live] /= pi[live].sum(axis=1, keepdims=True)
    alpha = 0.7
    V, Q = np_evaluate(P, R, GAMMA, pi, alpha, terminal)
    r = softmdp.evaluate(m, pi, alpha=alpha, convention=convention)
    assert r.convention == convention and r.method.endswith(convention)
    assert np.max(np.abs(r.values - V)) <= max(r.error_bound, 1e-12) + 1e-12
    with np.errstate(divide="ignore"):
        expect = Q if convention == "state" else Q - alpha * np.log(pi)
    ok = mask & live[:, None]
    assert np.max(np.abs(r.q[ok] - expect[ok])) <= 1e-9
    assert np.all(np.isnan(r.q[~ok]))
    ri = softmdp.evaluate(m, pi, alpha=alpha, convention=convention, iterative=True, tolerance=1e-10)
    assert np.max(np.abs(ri.values - V)) <= 1e-9


def test_evaluate_uniform_string():
    P, R, _, _ = random_model(5, 2, 5)
    V, _ = np_evaluate(P, R, GAMMA, np.full((5, 2), 0.5), 0.0)
    r = softmdp.evaluate(model_of(P, R), "uniform")
    assert np.max(np.abs(r.values - V)) <= 1e-10


# --- compare, sweep, residuals, learn -------------------------------------------------------------

def test_compare_fields():
    P, R, _, _ = random_model(10, 3, 21)
    m = model_of(P, R)
    alpha = 0.4
    Vh, _ = soft_vi(P, R, GAMMA, 0.0)
    Vs, Qs = soft_vi(P, R, GAMMA, alpha)
    c = softmdp.compare(m, alpha, tolerance=1e-10)
    assert np.max(np.abs(c.hard.values - Vh)) <= 1e-9
    assert np.max(np.abs(c.soft.values - Vs)) <= 1e-9
    assert np.all(Vh <= Vs + 1e-9) and np.all(Vs <= Vh + c.gap_bound + 1e-9)
    assert c.global_bound == pytest.approx(alpha * np.log(3) / (1 - GAMMA))
    pi = soft_policy(Qs, alpha)
    Vpi, _ = np_evaluate(P, R, GAMMA, pi, 0.0)
    assert np.max(np.abs(c.soft_policy_hard_values - Vpi)) <= 1e-8
    assert c.soft_policy_hard_return == pytest.approx(m.initial @ Vpi, abs=1e-8)
    H = -(pi * np.log(pi)).sum(axis=1)
    assert np.max(np.abs(c.stats["entropy"] - H)) <= 1e-8


def test_sweep_objectives():
    P, R, _, _ = random_model(8, 3, 22)
    m = model_of(P, R)
    alphas = softmdp.alpha_grid(0.01, 10, 4, log_scale=True)
    assert alphas == [0.01, 0.1, 1.0, 10.0]  # powers of ten exactly (sweep.hpp)
    sw = softmdp.sweep(m, alphas, tolerance=1e-10)
    for k, a in enumerate(alphas):
        V, Q = soft_vi(P, R, GAMMA, a)
        assert abs(sw.objective[k] - m.initial @ V) <= sw.objective_bound[k] + 1e-12
        Vpi, _ = np_evaluate(P, R, GAMMA, soft_policy(Q, a), 0.0)
        assert sw.hard_return[k] == pytest.approx(m.initial @ Vpi, abs=1e-7)
    assert np.all(np.diff(sw.objective) >= 0)  # J_soft grows with alpha
    assert sw.converged.all()


def test_residuals_vanish_at_the_soft_optimum_only():
    P, R, _, _ = random_model(8, 3, 23)
    m = model_of(P, R)
    alpha = 0.5
    _, Q = soft_vi(P, R, GAMMA, alpha)
    jv, jq = softmdp.residuals(m, Q, alpha)
    assert jv <= 1e-18 and jq <= 1e-18
    # Boltzmann V_Q leaves out alpha H: J_V = mean over p0 of (alpha H)^2 ... by the NumPy formula
    pi = soft_policy(Q, alpha)
    Vb = (pi * Q).sum(axis=1)
    Vsoft = alpha * np.log(np.exp(Q / alpha).sum(axis=1))
    TV = alpha * np.log(np.exp(q_of(P, R, Vb, GAMMA) / alpha).sum(axis=1))
    Qhat = q_of(P, R, Vb, GAMMA)
    jv_b, jq_b = softmdp.residuals(m, Q, alpha, "boltzmann")
    assert jv_b == pytest.approx(m.initial @ (TV - Vb) ** 2, rel=1e-9)
    assert jq_b == pytest.approx(m.initial @ (((Qhat - Q) ** 2).mean(axis=1)), rel=1e-9)
    assert np.allclose(Vsoft, soft_vi(P, R, GAMMA, alpha)[0])


def test_learn_approaches_q_star():
    P, R, _, _ = random_model(5, 2, 24)
    m = model_of(P, R)
    L = softmdp.learn(m, alpha=0.5, steps=200000, seed=1)
    _, Q = soft_vi(P, R, GAMMA, 0.5)
    assert np.max(np.abs(L.q_star - Q)) <= 1e-8
    assert L.q_error[-1] < L.q_error[0] / 5
    assert L.q_error[-1] == pytest.approx(np.max(np.abs(L.q - Q)), abs=1e-8)


# --- input forms ------------------------------------------------------------------------------

def test_input_forms_give_the_same_model():
    P, R, mask, terminal = random_model(7, 3, 31, mask_some=True)
    A, S, _ = P.shape
    dense = model_of(P, R, mask)
    Ps = sp.csr_matrix(P.transpose(1, 0, 2).reshape(S * A, S))
    by_sparse = model_of(Ps, R.ravel(), mask)
    by_list = model_of([sp.csr_matrix(P[a]) for a in range(A)], R, mask)
    by_dense_list = model_of([P[a] for a in range(A)], R, mask)
    V = softmdp.solve(dense, alpha=0.3, tolerance=1e-11).values
    for m in (by_sparse, by_list, by_dense_list):
        assert np.max(np.abs(softmdp.solve(m, alpha=0.3, tolerance=1e-11).values - V)) <= 1e-10
    # per-transition rewards: r(s, a, s'), expected r(s, a) = sum p r
    Rt = np.random.default_rng(1).normal(size=P.shape)
    m = model_of(P, Rt, mask)
    Vr, _ = soft_vi(P, (P * Rt).sum(axis=2).T, GAMMA, 0.3, mask)
    assert np.max(np.abs(softmdp.solve(m, alpha=0.3, tolerance=1e-11).values - Vr)) <= 1e-9


def test_names_initial_terminal():
    P, R, _, _ = random_model(3, 2, 32)
    m = softmdp.Model.from_arrays(P, R, 0.8, terminal=[2], initial=[0.5, 0.5, 0.0], state_names=["a", "b", "c"],
                                  action_names=["x", "y"], name="named")
    assert m.state_names == ["a", "b", "c"] and m.action_names == ["x", "y"] and m.name == "named"
    assert list(m.terminal) == [False, False, True]
    assert np.array_equal(m.initial, [0.5, 0.5, 0.0])
    r = softmdp.solve(m)
    assert r.values[2] == 0.0 and np.all(np.isnan(r.q[2]))
    assert json.loads(r.to_json())["states"] == ["a", "b", "c"]


# --- round trips ------------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:the initial distribution is uniform")  # PRISM's note on p0
@pytest.mark.parametrize("ext", [".json", ".umb", ".npz", ".petsc", ".mdp", ".tra"])
def test_round_trip(tmp_path, ext):
    P, R, mask, terminal = random_model(6, 3, 41, mask_some=ext not in (".mdp", ".tra"))  # Cassandra has every action everywhere; PRISM numbers choices
    A, S, _ = P.shape
    Ps = sp.csr_matrix(P.transpose(1, 0, 2).reshape(S * A, S))
    m = softmdp.Model.from_arrays(Ps, R, 0.95, mask=mask)
    path = tmp_path / f"model{ext}"
    m.save(path)
    back = softmdp.load(path, discount=0.95 if ext == ".tra" else None)
    P2, R2, mask2 = back.to_scipy()
    Pm = Ps.copy()
    Pm = sp.csr_matrix(Pm.multiply(mask.ravel()[:, None]))  # unavailable rows are dropped
    Pm.eliminate_zeros()
    assert np.array_equal(mask2, mask)
    assert P2.shape == (S * A, S) and abs(P2 - Pm).max() <= 1e-15
    assert np.max(np.abs(np.where(mask, R - R2, 0))) <= 1e-12
    assert back.discount == 0.95


def test_load_mdps_file_and_to_scipy(mdps):
    m = softmdp.load(mdps / "frozenlake4x4.json")
    P, R, mask = m.to_scipy()
    assert P.shape == (16 * 4, 16)
    sums = np.asarray(P.sum(axis=1)).ravel()
    assert np.allclose(sums[mask.ravel()], 1.0) and np.all(sums[~mask.ravel()] == 0)


# --- Gymnasium tables: FrozenLake ----------------------------------------------------------------

# Optimal V of FrozenLake 4x4 (slippery, gamma 0.99), the table given in many references
# (e.g. the value-iteration solutions of the Gymnasium FrozenLake tutorials), to 3 decimals.
FROZENLAKE4_V = [0.542, 0.499, 0.471, 0.457, 0.558, 0.0, 0.358, 0.0,
                 0.592, 0.643, 0.615, 0.0, 0.0, 0.742, 0.863, 0.0]


@pytest.mark.parametrize("desc", [MAP4, MAP8], ids=["4x4", "8x8"])
def test_frozenlake_gymnasium_table(desc, mdps):
    table = frozenlake_table(desc)
    n = len(desc) * len(desc[0])
    m = softmdp.Model.from_gymnasium(table, 0.99)
    assert m.num_states == n  # consistent termination: no extra state
    holes_goal = [i for i, c in enumerate("".join(desc)) if c in "HG"]
    assert list(np.nonzero(m.terminal)[0]) == holes_goal
    r = softmdp.solve(m, tolerance=1e-12)
    T, R = gym_table_to_dense(table, n, 4)
    term = np.zeros(n, bool)
    term[holes_goal] = True
    V, _ = soft_vi(T, R, 0.99, 0.0, terminal=term)
    assert np.max(np.abs(r.values - V)) <= 1e-10
    if len(desc) == 4:
        assert np.max(np.abs(r.values - FROZENLAKE4_V)) <= 5e-4
    # the library's own FrozenLake file (mdps/) is the same MDP
    ref = softmdp.solve(softmdp.load(mdps / f"frozenlake{len(desc)}x{len(desc)}.json"), tolerance=1e-12)
    assert ref.model.discount == 0.99
    assert np.max(np.abs(ref.values - r.values)) <= 1e-10
    # soft values against NumPy too
    rs = softmdp.solve(m, alpha=0.01, tolerance=1e-11)
    Vs, _ = soft_vi(T, R, 0.99, 0.01, terminal=term)
    assert np.max(np.abs(rs.values - Vs)) <= 1e-9


def test_gymnasium_mixed_termination_adds_a_terminal_state():
    # State 1 is entered with terminated=True from 0 but not from 2: termination belongs to the transition.
    P = {0: {0: [(1.0, 1, 5.0, True)]}, 1: {0: [(1.0, 2, 1.0, False)]}, 2: {0: [(0.5, 1, 0.0, False), (0.5, 2, 2.0, False)]}}
    m = softmdp.Model.from_gymnasium(P, 0.5)
    assert m.num_states == 4 and m.state_names[3] == "terminated"
    r = softmdp.solve(m, tolerance=1e-12)
    # by hand: V2 = 0.5 (0 + .5 V1) + 0.5 (2 + .5 V2); V1 = 1 + .5 V2; V0 = 5
    V2 = (1 + 0.25) / (1 - 0.25 * 0.5 - 0.25)
    assert r.values[0] == pytest.approx(5.0) and r.values[2] == pytest.approx(V2) and r.values[1] == pytest.approx(1 + 0.5 * V2)


# --- the CLI gives the same document -------------------------------------------------------------

@pytest.mark.parametrize("args", [("frozenlake4x4.json", 0.0, None), ("gridworld4x4.json", 0.5, "soft-vi"),
                                  ("riverswim.json", 0.2, None)])
def test_to_json_equals_cli(cli, mdps, args):
    file, alpha, method = args
    cmd = [cli, "solve", str(mdps / file), "--alpha", str(alpha), "--json", "-", "--quiet"]
    if method:
        cmd += ["--method", method]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    r = softmdp.solve(softmdp.load(mdps / file), alpha=alpha, method=method)
    a, b = json.loads(out), json.loads(r.to_json())
    a.pop("seconds"), b.pop("seconds")
    assert a == b


def _without_seconds(x):
    """A document with every "seconds" field removed (run times differ between two runs)."""
    if isinstance(x, dict):
        return {k: _without_seconds(v) for k, v in x.items() if k != "seconds"}
    if isinstance(x, list):
        return [_without_seconds(v) for v in x]
    return x


def test_compare_and_sweep_to_json_equal_cli(cli, mdps):
    path = str(mdps / "gridworld4x4.json")
    run = lambda *args: json.loads(subprocess.run([cli, *args, "--json", "-", "--quiet"], capture_output=True, text=True, check=True).stdout)
    m = softmdp.load(path)
    a, b = run("compare", path, "--alpha", "0.3"), json.loads(softmdp.compare(m, 0.3).to_json())
    assert a["format"] == "softmdp-compare/1" and _without_seconds(a) == _without_seconds(b)
    a = run("sweep", path, "--alpha-min", "0.01", "--alpha-max", "2", "--points", "4", "--log")
    b = json.loads(softmdp.sweep(m, softmdp.alpha_grid(0.01, 2.0, 4, log_scale=True)).to_json())
    assert a["format"] == "softmdp-sweep/1" and _without_seconds(a) == _without_seconds(b)


def test_evaluate_to_json_equals_cli(cli, mdps):
    cmd = [cli, "evaluate", str(mdps / "frozenlake4x4.json"), "--policy", "uniform", "--alpha", "0.1",
           "--convention", "action", "--json", "-", "--quiet"]
    a = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    b = json.loads(softmdp.evaluate(softmdp.load(mdps / "frozenlake4x4.json"), "uniform", 0.1, "action").to_json())
    a.pop("seconds"), b.pop("seconds")
    assert a == b


# --- errors -------------------------------------------------------------------------------------

def test_errors_are_clear_exceptions(tmp_path):
    P, R, _, _ = random_model(4, 2, 51)
    with pytest.raises(softmdp.UsageError, match=r"R must have shape \(S, A\) = \(4, 2\)"):
        softmdp.Model.from_arrays(P, np.zeros((3, 2)), 0.9)
    with pytest.raises(ValueError, match=r"dense P must have shape \(A, S, S\)"):
        softmdp.Model.from_arrays(np.zeros((2, 4, 3)), R, 0.9)
    bad = P.copy()
    bad[1, 2, 0] += 0.01
    with pytest.raises(softmdp.InputError, match=r"state 2, action 1.*sum to 1\.01"):
        softmdp.Model.from_arrays(bad, R, 0.9)
    nan = P.copy()
    nan[0, 1, :] = np.nan
    with pytest.raises(softmdp.InputError, match="probability must be finite"):
        softmdp.Model.from_arrays(nan, R, 0.9)
    Rn = R.copy()
    Rn[0, 0] = np.nan
    with pytest.raises(softmdp.InputError, match="reward must be finite"):
        softmdp.Model.from_arrays(P, Rn, 0.9)
    with pytest.raises(softmdp.InputError, match=r"discount must be in \[0, 1\]"):
        softmdp.Model.from_arrays(P, R, 1.5)
    m = softmdp.Model.from_arrays(P, R, 0.9)
    with pytest.raises(softmdp.UsageError, match="alpha") as e:
        softmdp.solve(m, alpha=-1)
    assert isinstance(e.value, ValueError) and isinstance(e.value, softmdp.Error)
    with pytest.raises(softmdp.UsageError, match="unknown method|method"):
        softmdp.solve(m, method="no-such-method")
    with pytest.raises(softmdp.UsageError, match="initial_values must have shape"):
        softmdp.solve(m, initial_values=np.zeros(3))
    with pytest.raises(softmdp.UsageError, match="not available|shape"):
        softmdp.evaluate(m, np.ones((4, 3)) / 3)
    with pytest.raises(softmdp.InputError):
        softmdp.evaluate(m, np.full((4, 2), 0.4))  # does not sum to 1
    with pytest.raises(softmdp.IoError) as e:
        softmdp.load(tmp_path / "missing.json")
    assert isinstance(e.value, OSError) and "missing.json" in str(e.value)
    (tmp_path / "broken.json").write_text('{"format": "softmdp/1", "discount": 0.9, "states": 2,')
    with pytest.raises(softmdp.InputError, match="broken.json"):
        softmdp.load(tmp_path / "broken.json")


def test_numerical_error():
    P, R, _, _ = random_model(4, 2, 52)
    m = softmdp.Model.from_arrays(P, R * 1e307, 0.99)
    with pytest.raises(softmdp.NumericalError):
        softmdp.solve(m, alpha=1e308, method="soft-vi")


# --- the interpreter ------------------------------------------------------------------------------

def slow_chain(S=200000):
    """A lazy random walk on a cycle: soft value iteration at gamma 0.999999 takes minutes."""
    s = np.arange(S)
    rows = np.repeat(np.arange(2 * S), 2)
    cols = np.empty(4 * S, dtype=np.int64)
    cols[0::4], cols[1::4] = s, (s + 1) % S  # action 0: stay or right
    cols[2::4], cols[3::4] = s, (s - 1) % S  # action 1: stay or left
    P = sp.csr_matrix((np.full(4 * S, 0.5), (rows, cols)), shape=(2 * S, S))
    R = np.random.default_rng(0).random((S, 2))
    return softmdp.Model.from_arrays(P, R, 0.999999)


def test_ctrl_c_raises_keyboard_interrupt():
    m = slow_chain()
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        softmdp.solve(m, alpha=1.0, method="soft-vi", tolerance=1e-12, time_limit=30)
    assert time.monotonic() - start < 1.5  # within a second of the signal


def test_gil_released_during_solve():
    m = slow_chain(50000)
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    t = threading.Thread(target=tick)
    t.start()
    r = softmdp.solve(m, alpha=1.0, method="soft-vi", time_limit=0.5)
    stop.set()
    t.join()
    assert not r.converged and r.seconds >= 0.5
    assert len(ticks) >= 5  # the other thread ran during the solve (about 50 ticks; 1 or 2 with the GIL held)


def test_with_rewards_matches_a_new_model():
    P, R, mask, terminal = random_model(9, 3, 61, mask_some=True, terminal_some=True)
    m = model_of(P, R, mask, terminal)
    R2 = np.random.default_rng(2).normal(size=R.shape)
    m2 = m.with_rewards(R2)
    V, _ = soft_vi(P, R2, GAMMA, 0.4, mask, terminal)
    assert np.max(np.abs(softmdp.solve(m2, alpha=0.4, tolerance=1e-11).values - V)) <= 1e-10
    assert np.max(np.abs(softmdp.solve(m.with_rewards(R2.ravel()), alpha=0.4, tolerance=1e-11).values - V)) <= 1e-10
    with pytest.raises(softmdp.UsageError, match=r"R must have shape \(S, A\)"):
        m.with_rewards(np.zeros((9, 2)))
    Rn = R2.copy()
    Rn[np.nonzero(mask & ~terminal[:, None])[0][0], np.nonzero(mask & ~terminal[:, None])[1][0]] = np.inf
    with pytest.raises(softmdp.InputError, match="reward must be finite"):
        m.with_rewards(Rn)


def test_from_arrays_leaves_the_input_alone():
    P, R, _, _ = random_model(6, 2, 62)
    Ps = sp.csr_matrix(P.transpose(1, 0, 2).reshape(12, 6))
    Ps.indices = Ps.indices.astype(np.int32)
    before = (Ps.indptr.copy(), Ps.indices.copy(), Ps.data.copy())
    # the same matrix with the successors of each row in reverse order (unsorted CSR)
    idx, dat = Ps.indices.copy(), Ps.data.copy()
    for k in range(12):
        lo, hi = Ps.indptr[k], Ps.indptr[k + 1]
        idx[lo:hi], dat[lo:hi] = idx[lo:hi][::-1], dat[lo:hi][::-1]
    Ps2 = sp.csr_matrix((dat, idx, Ps.indptr.copy()), shape=Ps.shape)
    assert not Ps2.has_sorted_indices
    a = softmdp.solve(model_of(Ps, R), tolerance=1e-12).values
    b = softmdp.solve(model_of(Ps2, R), tolerance=1e-12).values
    assert np.max(np.abs(a - b)) <= 1e-12
    assert all(np.array_equal(x, y) for x, y in zip(before, (Ps.indptr, Ps.indices, Ps.data)))


# --- continuous actions -----------------------------------------------------------------------------

def test_continuous_single_state_against_scipy_quad(tmp_path):
    """One state, two anchors leading back to it: Q(a) = sum_k w_k(a) r_k + gamma V - c a^2, so
    V = alpha log(integral exp((sum_k w_k(a) r_k - c a^2) / alpha) da) / (1 - gamma), by scipy.integrate.quad."""
    from scipy.integrate import quad
    gamma, alpha, h, c, lo, hi = 0.8, 0.3, 0.4, 0.2, -1.0, 2.0
    anchors = [(-0.5, 0.0), (1.0, 1.0)]
    doc = {"format": "softmdp/1", "name": "one", "discount": gamma, "states": ["s"],
           "action_space": {"low": [lo], "high": [hi]}, "bandwidth": h, "action_cost": c,
           "anchors": [{"s": "s", "at": [x], "r": r, "next": [["s", 1.0]]} for x, r in anchors]}
    path = tmp_path / "one.json"
    path.write_text(json.dumps(doc))

    def f(a):
        z = np.array([-(a - x) ** 2 / (2 * h * h) for x, _ in anchors])
        w = np.exp(z - z.max())
        w /= w.sum()
        return np.exp((w @ np.array([r for _, r in anchors]) - c * a * a) / alpha)

    V = alpha * np.log(quad(f, lo, hi, epsabs=0, epsrel=1e-13, limit=200)[0]) / (1 - gamma)
    r = softmdp.solve_continuous(path, alpha, tolerance=1e-9)
    assert r.converged and r.error_bound <= 1e-9
    assert abs(r.values[0] - V) <= r.error_bound + 1e-12
    mc = softmdp.solve_continuous(path, alpha, integrator="mc", samples=20000, seed=3)
    assert abs(mc.values[0] - V) <= 6 * mc.mc_std_error[0]


def test_continuous_equals_cli(cli, mdps):
    out = subprocess.run([cli, "solve", str(mdps / "continuous1d.json"), "--alpha", "0.5", "--json", "-", "--quiet"],
                         capture_output=True, text=True, check=True).stdout
    doc = json.loads(out)
    r = softmdp.solve_continuous(mdps / "continuous1d.json", 0.5)
    assert r.values.tolist() == doc["values"] and r.states == doc["states"]
    assert r.error_bound == doc["error_bound"]
    with pytest.raises(softmdp.UsageError, match="alpha > 0"):
        softmdp.solve_continuous(mdps / "continuous1d.json", 0.0)


# --- soft-ipi's two-level preconditioner (issue 15) against a NumPy soft policy iteration ---------

def test_soft_ipi_aggregation_matches_numpy_soft_pi_on_a_slow_chain():
    # A 300-state chain at gamma 0.999 (left/right, reward 1 for "right" at the end): it mixes slowly.
    S, gamma, alpha = 300, 0.999, 1.0
    P = np.zeros((2, S, S))
    for s in range(S):
        P[0, s, max(s - 1, 0)] = 1.0
        P[1, s, min(s + 1, S - 1)] = 1.0
    R = np.zeros((S, 2))
    R[S - 1, 1] = 1.0
    V = np.zeros(S)
    for _ in range(100):  # soft policy iteration, dense exact evaluations (Newton: quadratic)
        Vn = np_evaluate(P, R, gamma, soft_policy(q_of(P, R, V, gamma), alpha), alpha)[0]
        if np.max(np.abs(Vn - V)) < 1e-12 * (1 + np.max(np.abs(Vn))):
            V = Vn
            break
        V = Vn
    m = softmdp.Model.from_arrays(P, R, gamma)
    counts = {}
    for agg in (0, 8, None):
        r = softmdp.solve(m, alpha=alpha, method="soft-ipi", tolerance=1e-6, aggregate_size=agg)
        assert r.stop == "converged"
        assert np.max(np.abs(r.values - V)) <= r.error_bound
        counts[agg] = r.matvecs
    assert counts[8] < counts[0]
def test_choose_default_method_memory_check(mdps):
    # The memory check of the default: the fastest method when it fits, else soft-vi with a note.
    m = softmdp.load(mdps / "frozenlake8x8.json")
    fastest = softmdp.default_method(m, 1.0)
    assert softmdp.choose_default_method(m, 1.0, available=2**62) == (fastest, "")
    method, note = softmdp.choose_default_method(m, 1.0, available=0)
    assert method == "soft-vi"
    assert note.startswith(f"soft-vi chosen instead of the default {fastest}")
    r = softmdp.solve(m, alpha=1.0)
    assert r.method == fastest and r.method_note == ""
    assert "method_note" not in json.loads(r.to_json())
# --- finite horizons: solve/evaluate(horizon=H) against a NumPy backward induction ---------------

def _np_backward(P, R, mask, alpha, H, VH, pi=None):
    """V_t, Q_t, pi_t for t < H by backward induction over the available actions (pi: (S, A) or (H, S, A))."""
    V = [None] * (H + 1)
    V[H] = VH
    Qs, pis = [None] * H, [None] * H
    for t in reversed(range(H)):
        Q = np.where(mask, q_of(P, R, V[t + 1], GAMMA), -np.inf)
        if pi is None:
            if alpha > 0:
                top = Q.max(axis=1)
                V[t] = top + alpha * np.log(np.exp((Q - top[:, None]) / alpha).sum(axis=1))
                pis[t] = np.exp((Q - V[t][:, None]) / alpha)
            else:
                V[t] = Q.max(axis=1)
        else:
            p = pi if pi.ndim == 2 else pi[t]
            logp = np.log(np.where(p > 0, p, 1.0))
            V[t] = (p * np.where(mask, Q, 0.0)).sum(axis=1) - alpha * (p * logp).sum(axis=1)
            pis[t] = p
        Qs[t] = Q
    return np.array(V), Qs, pis


@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_finite_horizon_solve_and_evaluate_match_numpy(alpha):
    P, R, mask, _ = random_model(9, 3, 5, mask_some=True)
    m = model_of(P, R, mask)
    H = 4
    VH = np.random.default_rng(2).normal(size=9)
    V, Q, pis = _np_backward(P, R, mask, alpha, H, VH)
    r = softmdp.solve(m, alpha, horizon=H, terminal_values=VH)
    assert r.method == "backward-induction" and r.horizon == H
    assert r.values.shape == (H + 1, 9) and r.q.shape == (H, 9, 3) and r.policy.shape == (H, 9, 3)
    assert np.max(np.abs(r.values - V)) <= 1e-12
    for t in range(H):
        assert np.array_equal(np.isnan(r.q[t]), ~mask)
        assert np.max(np.abs(r.q[t][mask] - Q[t][mask])) <= 1e-12
        if alpha > 0:
            assert np.max(np.abs(r.policy[t] - np.where(mask, pis[t], 0.0))) <= 1e-12
    assert abs(r.objective - m.initial @ V[0]) <= 1e-12
    # Evaluation of a time-indexed random policy on the available actions.
    rng = np.random.default_rng(3)
    pi = rng.random((H, 9, 3)) * mask
    pi /= pi.sum(axis=2, keepdims=True)
    Ve, _, _ = _np_backward(P, R, mask, alpha, H, VH, pi)
    e = softmdp.evaluate(m, pi, alpha, horizon=H, terminal_values=VH)
    assert e.method == "evaluate-finite-horizon-state"
    assert np.max(np.abs(e.values - Ve)) <= 1e-12
    u = softmdp.evaluate(m, "uniform", alpha, horizon=H)
    Vu, _, _ = _np_backward(P, R, mask, alpha, H, np.zeros(9), mask / mask.sum(axis=1, keepdims=True))
    assert np.max(np.abs(u.values - Vu)) <= 1e-12


def test_finite_horizon_to_json_equals_cli_and_errors(cli, mdps):
    out = subprocess.run([cli, "solve", str(mdps / "chain2.json"), "--alpha", "0.5", "--horizon", "3", "--json", "-", "--quiet"],
                         capture_output=True, text=True, check=True).stdout
    r = softmdp.solve(softmdp.load(mdps / "chain2.json"), 0.5, horizon=3)
    assert _without_seconds(json.loads(out)) == _without_seconds(json.loads(r.to_json()))
    m = softmdp.load(mdps / "chain2.json")
    for bad in (0, -1, 2.5):
        with pytest.raises(softmdp.UsageError, match="horizon"):
            softmdp.solve(m, 1.0, horizon=bad)
    with pytest.raises(softmdp.UsageError, match="method: does not apply with horizon"):
        softmdp.solve(m, 1.0, "soft-vi", horizon=3)
    with pytest.raises(softmdp.UsageError, match="tolerance: does not apply with horizon"):
        softmdp.solve(m, 1.0, horizon=3, tolerance=1e-3)
    with pytest.raises(softmdp.UsageError, match="give horizon=H"):
        softmdp.solve(m, 1.0, terminal_values=[0.0, 0.0])
    with pytest.raises(softmdp.UsageError, match="horizon 1000000000 needs"):
        softmdp.solve(m, 1.0, horizon=10**9)
    with pytest.raises(softmdp.UsageError, match="state convention"):
        softmdp.evaluate(m, "uniform", 1.0, "action", horizon=3)
