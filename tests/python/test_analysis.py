"""occupancy, simulate, irl (discrete models) and estimate, sample (continuous actions) against
independent NumPy references (closed forms, dense linear solves) and the CLI's documents."""
import json
import math
import subprocess

import numpy as np
import pytest

import softmdp
from reference import random_model, soft_policy, soft_vi

GAMMA = 0.9


def _np_occupancy(P, pi, p0, gamma):
    """(I - gamma P_pi^T)^-1 p0, dense, and d(s, a) = d(s) pi(a|s)."""
    Ppi = np.einsum("sa,ast->st", pi, P)
    d = np.linalg.solve(np.eye(len(p0)) - gamma * Ppi.T, p0)
    return d, d[:, None] * pi


def _np_finite_occupancy(P, pi, p0, gamma, H):
    Ppi = np.einsum("sa,ast->st", pi, P)
    x, d = p0.copy(), np.zeros_like(p0)
    for _ in range(H):
        d += x
        x = gamma * Ppi.T @ x
    return d


def _run(cli, *args):
    out = subprocess.run([cli, *map(str, args), "--json", "-", "--quiet"], capture_output=True, text=True)
    assert out.returncode in (0, 4), out.stderr
    return json.loads(out.stdout)


def _without_seconds(x):
    if isinstance(x, dict):
        return {k: _without_seconds(v) for k, v in x.items() if k not in ("seconds",)}
    if isinstance(x, list):
        return [_without_seconds(v) for v in x]
    return x


# --- occupancy -------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["array", "uniform", "optimal"])
def test_occupancy_against_dense_solve(which):
    P, R, _, _ = random_model(8, 3, 5)
    rng = np.random.default_rng(1)
    p0 = rng.random(8)
    p0 /= p0.sum()
    m = softmdp.Model.from_arrays(P, R, GAMMA, initial=p0)
    alpha = 0.4
    if which == "array":
        pi = rng.random((8, 3))
        pi /= pi.sum(axis=1, keepdims=True)
        occ = softmdp.occupancy(m, pi, tolerance=1e-12)
        assert occ.source == "array" and occ.alpha is None
    elif which == "uniform":
        pi = np.full((8, 3), 1 / 3)
        occ = softmdp.occupancy(m, "uniform", tolerance=1e-12)
    else:
        _, Q = soft_vi(P, R, GAMMA, alpha)
        pi = soft_policy(Q, alpha)
        occ = softmdp.occupancy(m, alpha=alpha, tolerance=1e-12)
        assert occ.source == "soft-optimal at alpha 0.4" and occ.alpha == alpha
    d, dsa = _np_occupancy(P, pi, p0, GAMMA)
    err = np.abs(occ.states - d).sum() + np.abs(occ.state_actions - dsa).sum()
    assert occ.converged and occ.error_bound <= 1e-12
    assert err <= occ.error_bound + 1e-9  # the optimal policy itself is solved to 1e-12, not exactly
    assert occ.total == pytest.approx(1 / (1 - GAMMA), rel=1e-12)
    assert occ.expected_return == pytest.approx((dsa * R).sum(), rel=1e-9)
    np.testing.assert_allclose(occ.policy, pi, atol=1e-9)


def test_occupancy_finite_horizon_and_errors():
    P, R, _, _ = random_model(6, 2, 9)
    m = softmdp.Model.from_arrays(P, R, GAMMA)
    pi = np.full((6, 2), 0.5)
    occ = softmdp.occupancy(m, pi, horizon=7)
    np.testing.assert_allclose(occ.states, _np_finite_occupancy(P, pi, np.full(6, 1 / 6), GAMMA, 7), rtol=1e-13)
    assert occ.horizon == 7 and occ.total == pytest.approx(sum(GAMMA ** t for t in range(7)))
    with pytest.raises(softmdp.UsageError, match="alpha=A"):
        softmdp.occupancy(m)
    with pytest.raises(softmdp.UsageError, match="softmax needs alpha > 0"):
        softmdp.occupancy(m, "softmax")
    with pytest.raises(softmdp.UsageError, match="policy must be uniform, greedy, softmax"):
        softmdp.occupancy(m, "best")
    with pytest.raises(softmdp.Error):
        softmdp.occupancy(m, np.full((6, 2), 0.7))  # rows do not sum to 1


def test_occupancy_with_a_prior():
    """A prior excluding action 0 in state 0, uniform elsewhere: V = alpha log sum_a pi0 exp(Q/alpha) is
    the entropy-regularised V over the allowed actions minus alpha log k(s) (k allowed actions), so the
    NumPy reference is a masked soft VI with rewards r - alpha log k(s)."""
    P, R, _, _ = random_model(5, 2, 7)
    m = softmdp.Model.from_arrays(P, R, GAMMA)
    pi0 = np.full((5, 2), 0.5)
    pi0[0] = [0.0, 1.0]
    mask = pi0 > 0
    alpha = 0.5
    _, Q = soft_vi(P, R - alpha * np.log(mask.sum(axis=1))[:, None], GAMMA, alpha, mask=mask)
    pi = soft_policy(Q, alpha)
    occ = softmdp.occupancy(m, alpha=alpha, prior=pi0, tolerance=1e-12)
    assert occ.source == "soft-optimal at alpha 0.5, prior array"
    np.testing.assert_allclose(occ.policy, pi, atol=1e-9)
    d, _ = _np_occupancy(P, pi, np.full(5, 0.2), GAMMA)
    np.testing.assert_allclose(occ.states, d, atol=1e-8)


def test_occupancy_to_json_equals_cli(cli, mdps):
    path = mdps / "gridworld4x4.json"
    m = softmdp.load(path)
    for args, kw in [(["--alpha", "0.5"], dict(alpha=0.5)), (["--policy", "uniform", "--horizon", "20"], dict(policy="uniform", horizon=20)),
                     (["--policy", "greedy"], dict(policy="greedy"))]:
        a = _run(cli, "occupancy", path, *args)
        b = json.loads(softmdp.occupancy(m, **kw).to_json())
        assert _without_seconds(a) == _without_seconds(b)


# --- simulate --------------------------------------------------------------------------------------

def test_simulate_frequencies_within_a_standard_error_of_the_occupancy():
    P, R, _, _ = random_model(5, 2, 3)
    m = softmdp.Model.from_arrays(P, R, GAMMA)
    pi = np.array([[0.2, 0.8], [0.5, 0.5], [0.9, 0.1], [0.3, 0.7], [0.6, 0.4]])
    H, N = 25, 2000
    tr = softmdp.simulate(m, pi, episodes=N, horizon=H, seed=4)
    assert len(tr) == N and tr.offsets[-1] == N * H and not tr.terminated.any()
    # Per episode: sum_t gamma^t 1[s_t = s]; its mean estimates the finite-horizon occupancy.
    t = np.arange(len(tr.states)) - np.repeat(tr.offsets[:-1], np.diff(tr.offsets))
    per = np.zeros((N, 5))
    np.add.at(per, (np.repeat(np.arange(N), np.diff(tr.offsets)), tr.states), GAMMA ** t)
    mean, se = per.mean(axis=0), per.std(axis=0, ddof=1) / math.sqrt(N)
    d = _np_finite_occupancy(P, pi, np.full(5, 0.2), GAMMA, H)
    z = np.abs(mean - d) / se
    assert z.max() < 4.5, z
    # the actions follow pi: the frequency of action 1 in state 0
    in0 = tr.states == 0
    f = tr.actions[in0].mean()
    assert abs(f - 0.8) < 4.5 * math.sqrt(0.16 / in0.sum())
    # same seed, same episodes; another seed, others
    again = softmdp.simulate(m, pi, episodes=N, horizon=H, seed=4)
    assert np.array_equal(again.states, tr.states) and np.array_equal(again.actions, tr.actions)
    assert not np.array_equal(softmdp.simulate(m, pi, episodes=N, horizon=H, seed=5).states, tr.states)
    with pytest.raises(softmdp.UsageError, match="episodes must be at least 1"):
        softmdp.simulate(m, pi, episodes=0)


def test_simulate_to_json_equals_cli_and_reads_back(cli, mdps, tmp_path):
    path = mdps / "gridworld4x4.json"
    m = softmdp.load(path)
    a = _run(cli, "simulate", path, "--alpha", "0.5", "--episodes", "20", "--horizon", "30", "--seed", "3")
    tr = softmdp.simulate(m, alpha=0.5, episodes=20, horizon=30, seed=3)
    assert json.loads(tr.to_json()) == a
    f = tmp_path / "demos.json"
    f.write_text(tr.to_json())
    back = softmdp.load_trajectories(m, f)
    for k in ("states", "actions", "offsets"):  # what IRL reads (not final states, returns)
        assert np.array_equal(getattr(back, k), getattr(tr, k)), k
    s, act = tr.episode(2)
    assert s.tolist() == a["trajectories"][2]["states"] and act.tolist() == a["trajectories"][2]["actions"]
    assert tr.discounted_return[2] == a["trajectories"][2]["return"]


# --- irl -------------------------------------------------------------------------------------------

def _grid(n=4):
    """A deterministic n x n grid, actions left/down/right/up, walls keep you in place; the goal
    (bottom right) is absorbing via a self-loop."""
    S, A = n * n, 4
    P = np.zeros((A, S, S))
    for s in range(S):
        r, c = divmod(s, n)
        for a, (dr, dc) in enumerate([(0, -1), (1, 0), (0, 1), (-1, 0)]):
            r2, c2 = min(max(r + dr, 0), n - 1), min(max(c + dc, 0), n - 1)
            P[a, s, r2 * n + c2] = 1.0
    return P


def test_irl_recovers_the_expert_policy(cli, tmp_path):
    n, alpha = 4, 0.5
    P = _grid(n)
    S = n * n
    # True reward per state: features (S, 3): goal corner, a bad cell, and the row index.
    phi = np.zeros((S, 3))
    phi[S - 1, 0] = 1.0
    phi[5, 1] = 1.0
    phi[:, 2] = np.arange(S) // n / n
    w_true = np.array([2.0, -2.0, 0.3])
    R = np.repeat((phi @ w_true)[:, None], 4, axis=1)
    m = softmdp.Model.from_arrays(P, R, GAMMA)
    _, Q = soft_vi(P, R, GAMMA, alpha)
    expert = soft_policy(Q, alpha)
    demos = softmdp.simulate(m, expert, episodes=400, horizon=40, seed=1)
    res = softmdp.irl(m, demos, features=phi, feature_names=["goal", "bad", "row"], alpha=alpha)
    assert res.converged and res.stop == "converged"
    d_expert, _ = _np_occupancy(P, expert, np.full(S, 1 / S), GAMMA)
    tv = 0.5 * np.abs(res.policy - expert).sum(axis=1)
    assert (d_expert * tv).sum() / d_expert.sum() < 0.05
    assert res.feature_names == ["goal", "bad", "row"] and res.weights.shape == (3,)
    # the learned policy is the soft optimum of the learned reward (a NumPy soft VI on res.reward)
    _, Ql = soft_vi(P, res.reward, GAMMA, alpha)
    np.testing.assert_allclose(res.policy, soft_policy(Ql, alpha), atol=1e-6)
    # the learned model carries the learned reward
    assert np.allclose(res.model.to_scipy()[1], res.reward)
    # the weights: the goal's above the bad cell's, as in w_true (the scale is identified only up to noise)
    assert res.weights[0] > 0 > res.weights[1]


def test_irl_to_json_equals_cli(cli, mdps, tmp_path):
    path = mdps / "gridworld4x4.json"
    m = softmdp.load(path)
    demos = softmdp.simulate(m, alpha=0.5, episodes=30, horizon=30, seed=1)
    f = tmp_path / "demos.json"
    f.write_text(demos.to_json())
    a = _run(cli, "irl", path, "--demonstrations", f, "--alpha", "0.5", "--l2", "0.1", "--irl-iterations", "30")
    b = json.loads(softmdp.irl(m, f, alpha=0.5, l2=0.1, irl_iterations=30).to_json())
    assert _without_seconds(a) == _without_seconds(b)
    c = json.loads(softmdp.irl(m, demos, alpha=0.5, l2=0.1, irl_iterations=30).to_json())
    assert _without_seconds(c) == _without_seconds(b)
    with pytest.raises(softmdp.UsageError, match="optimizer must be lbfgs or gradient"):
        softmdp.irl(m, demos, optimizer="newton")
    with pytest.raises(softmdp.UsageError, match="alpha must be a finite number > 0"):
        softmdp.irl(m, demos, alpha=0.0)


def test_irl_with_a_prior_equals_cli_and_never_takes_an_excluded_action(cli, mdps, tmp_path):
    path, prior_file = mdps / "gridworld4x4.json", mdps / "priors" / "gridworld4x4_no_up.json"
    m = softmdp.load(path)
    doc = json.loads(prior_file.read_text())["policy"]
    names, actions = m.state_names, m.action_names
    pi0 = np.array([[doc.get(s, {}).get(a, 0.0) for a in actions] for s in names])
    available = ~np.isnan(softmdp.solve(m).q)  # q is NaN where an action is unavailable
    absent = pi0.sum(axis=1) == 0  # states the file leaves out (terminal ones): uniform on their actions
    pi0[absent] = available[absent] / np.maximum(available[absent].sum(axis=1, keepdims=True), 1)
    demos = softmdp.simulate(m, softmdp.solve(m, 0.5, prior=pi0).policy, episodes=20, horizon=30, seed=2)
    f = tmp_path / "demos.json"
    f.write_text(demos.to_json())
    a = _run(cli, "irl", path, "--demonstrations", f, "--alpha", "0.5", "--l2", "0.1", "--irl-iterations", "20", "--prior", prior_file)
    res = softmdp.irl(m, f, alpha=0.5, l2=0.1, irl_iterations=20, prior=pi0)
    b = json.loads(res.to_json())
    assert a.pop("prior") == str(prior_file) and b.pop("prior") == "prior array"
    assert _without_seconds(a) == _without_seconds(b)
    up = actions.index("up")
    assert np.all(res.policy[pi0[:, up] == 0, up] == 0.0)  # pi = pi0 exp((Q - V)/alpha): 0 where pi0 is


# --- learn and continuous to_json ------------------------------------------------------------------

def test_learn_to_json_equals_cli(cli, mdps):
    path = mdps / "chain2.json"
    a = _run(cli, "learn", path, "--alpha", "0.5", "--steps", "2000", "--seed", "3")
    r = softmdp.learn(softmdp.load(path), alpha=0.5, steps=2000, seed=3)
    assert _without_seconds(json.loads(r.to_json())) == _without_seconds(a)


def test_continuous_solve_to_json_equals_cli(cli, mdps):
    a = _run(cli, "solve", mdps / "continuous1d.json", "--alpha", "0.5")
    b = json.loads(softmdp.solve_continuous(mdps / "continuous1d.json", 0.5).to_json())
    assert _without_seconds(a) == _without_seconds(b)


# --- estimate and sample: a quadratic Q over a box -------------------------------------------------

def _quadratic(tmp_path, r=0.7, c=0.8, low=(-1.0, -0.5), high=(1.5, 2.0)):
    """One state, one anchor (so every weight is 1) into a terminal state: Q(a) = r - c ||a||^2 with V = 0."""
    doc = {"format": "softmdp/1", "name": "quadratic", "discount": 0.9, "states": ["s", "end"],
           "action_space": {"low": list(low), "high": list(high)}, "bandwidth": 1.0, "action_cost": c,
           "anchors": [{"s": "s", "at": [0.0] * len(low), "r": r, "next": [["end", 1.0]]}]}
    path = tmp_path / "quadratic.json"
    path.write_text(json.dumps(doc))
    return path


def _quadratic_soft_value(alpha, r, c, low, high):
    """alpha log integral over the box of exp((r - c ||a||^2) / alpha) da, by erf per dimension."""
    k = math.sqrt(c / alpha)
    log_z = r / alpha
    for lo, hi in zip(low, high):
        log_z += math.log(math.sqrt(math.pi) / (2 * k) * (math.erf(k * hi) - math.erf(k * lo)))
    return alpha * log_z


def test_estimate_against_the_erf_closed_form_and_its_standard_error(tmp_path, cli):
    low, high, r, c, alpha = (-1.0, -0.5), (1.5, 2.0), 0.7, 0.8, 0.3
    path = _quadratic(tmp_path, r, c, low, high)
    truth = _quadratic_soft_value(alpha, r, c, low, high)
    e = softmdp.estimate(path, "s", alpha, samples=200000, seed=1)
    assert e.finite and e.reference == pytest.approx(truth, abs=max(e.reference_error, 1e-12) + 1e-12)
    assert abs(e.corrected - truth) < 5 * e.std_error
    # coverage of the reported standard error over seeds: |corrected - truth| <= 2 se in ~95% of runs
    inside = sum(abs(x.corrected - truth) <= 2 * x.std_error
                 for x in (softmdp.estimate(path, 0, alpha, samples=3000, seed=s, nodes=4) for s in range(40)))
    assert inside >= 33, inside  # P(Binomial(40, 0.95) < 33) < 0.001
    a = _run(cli, "estimate", path, "--state", "s", "--alpha", alpha, "--samples", 200000, "--seed", 1)
    assert json.loads(e.to_json()) == a
    with pytest.raises(softmdp.UsageError, match="samples must be in 2"):
        softmdp.estimate(path, "s", alpha, samples=1)
    with pytest.raises(softmdp.UsageError, match="no such state"):
        softmdp.estimate(path, "nowhere", alpha)
    with pytest.raises(softmdp.UsageError, match="terminal"):
        softmdp.estimate(path, "end", alpha)
    with pytest.raises(softmdp.UsageError, match="proposal must be uniform, gaussian or svgd"):
        softmdp.estimate(path, "s", alpha, proposal="normal")


def test_sample_mean_against_the_truncated_normal(tmp_path, cli):
    low, high, r, c, alpha = (-1.0,), (2.0,), 0.0, 1.0, 0.5
    path = _quadratic(tmp_path, r, c, low, high)
    sd = math.sqrt(alpha / (2 * c))  # exp(-c a^2 / alpha) is N(0, alpha / (2c)), truncated to [lo, hi]
    lo, hi = low[0] / sd, high[0] / sd
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    Z = 0.5 * (math.erf(hi / math.sqrt(2)) - math.erf(lo / math.sqrt(2)))
    mean = sd * (phi(lo) - phi(hi)) / Z
    std = sd * math.sqrt(1 + (lo * phi(lo) - hi * phi(hi)) / Z - ((phi(lo) - phi(hi)) / Z) ** 2)
    n = 100
    s = softmdp.sample(path, "s", alpha, particles=n, steps=200, draws=5000, seed=2)
    assert s.particles.shape == (n, 1) and s.resampled and s.finite
    assert ((s.particles > low[0]) & (s.particles < high[0])).all()
    assert abs(s.particles.mean() - mean) < 5 * std / math.sqrt(n)
    assert abs(s.particles.std() - std) < 0.25 * std
    a = _run(cli, "sample", path, "--state", "s", "--alpha", alpha, "--particles", n, "--steps", 200, "--draws", 5000, "--seed", 2)
    assert json.loads(s.to_json()) == a
    with pytest.raises(softmdp.UsageError, match="particles must be in 2"):
        softmdp.sample(path, "s", alpha, particles=1)
