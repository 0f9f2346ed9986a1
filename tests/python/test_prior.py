"""KL regularisation towards a reference policy (prior=) against a NumPy KL value iteration written
here: V(s) = alpha log sum_a pi0(a|s) exp(Q(s,a)/alpha) on the original rewards (no reward shift)."""
import json
import subprocess

import numpy as np
import pytest

import softmdp
from reference import q_of, random_model

GAMMA = 0.9


def kl_vi(P, R, pi0, alpha, tol=1e-14):
    S = R.shape[0]
    V = np.zeros(S)
    for _ in range(100000):
        Q = q_of(P, R, V, GAMMA)
        with np.errstate(divide="ignore"):
            Z = np.where(pi0 > 0, Q + alpha * np.log(pi0), -np.inf)
        m = Z.max(axis=1)
        Vn = m + alpha * np.log(np.exp((Z - m[:, None]) / alpha).sum(axis=1))
        if np.max(np.abs(Vn - V)) <= tol:
            V = Vn
            break
        V = Vn
    Q = q_of(P, R, V, GAMMA)
    return V, pi0 * np.exp((Q - V[:, None]) / alpha)


def prior_of(S, A, seed):
    rng = np.random.default_rng(seed)
    pi0 = rng.random((S, A)) * (rng.random((S, A)) < 0.7)
    pi0[np.arange(S), rng.integers(A, size=S)] += 0.1  # every state keeps an action
    return pi0 / pi0.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("alpha", [0.1, 1.0])
def test_solve_evaluate_compare_sweep_with_prior(alpha):
    P, R, _, _ = random_model(12, 3, 31)
    m = softmdp.Model.from_arrays(P, R, GAMMA)
    pi0 = prior_of(12, 3, 5)
    assert (pi0 == 0).any()
    V, pi = kl_vi(P, R, pi0, alpha)
    r = softmdp.solve(m, alpha, prior=pi0, tolerance=1e-11)
    assert np.max(np.abs(r.values - V)) <= 1e-9
    assert np.max(np.abs(r.policy - pi)) <= 1e-8
    # On the user's model, in its reward scale: q = Q = R + gamma P V on every action, excluded ones too.
    assert np.all(r.policy[pi0 == 0] == 0)
    assert np.max(np.abs(r.q - q_of(P, R, V, GAMMA))) <= 1e-8
    assert r.model.num_available == m.num_available == 36  # the user's model, not the prior model (which drops rows)
    assert json.loads(r.to_json())["policy_residual"] <= 1e-8
    assert json.loads(r.to_json())["prior"] == "array"
    # The objective E[sum gamma^t (r - alpha KL(pi||pi0))] of pi, by a dense solve here.
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(pi > 0, pi * np.log(pi / pi0), 0.0).sum(axis=1)
    Ppi = np.einsum("sa,ast->st", pi, P)
    J = np.linalg.solve(np.eye(12) - GAMMA * Ppi, (pi * R).sum(axis=1) - alpha * kl)
    assert np.max(np.abs(J - V)) <= 1e-9
    e = softmdp.evaluate(m, pi, alpha, prior=pi0, tolerance=1e-11)
    assert np.max(np.abs(e.values - J)) <= 1e-9
    c = softmdp.compare(m, alpha, prior=pi0, tolerance=1e-11)
    assert np.max(np.abs(c.soft.values - V)) <= 1e-9
    assert np.all(c.soft.values <= c.hard.values + 1e-9)  # the KL penalty is >= 0
    assert c.gap_bound is None and c.global_bound is None
    sw = softmdp.sweep(m, [alpha / 2, alpha], prior=pi0, tolerance=1e-11)
    assert sw.objective[1] == pytest.approx(m.initial @ V, abs=1e-9)
    assert sw.objective[0] >= sw.objective[1] - 1e-9  # non-increasing in alpha


def test_uniform_prior_is_entropy_minus_log_n_over_one_minus_gamma():
    P, R, _, _ = random_model(10, 4, 32)
    m = softmdp.Model.from_arrays(P, R, GAMMA)
    alpha = 0.5
    ent = softmdp.solve(m, alpha, tolerance=1e-11)
    kl = softmdp.solve(m, alpha, prior=np.full((10, 4), 0.25), tolerance=1e-11)
    assert np.max(np.abs(kl.values - (ent.values - alpha * np.log(4) / (1 - GAMMA)))) <= 1e-8
    assert np.max(np.abs(kl.policy - ent.policy)) <= 1e-9


def test_bad_priors_raise():
    P, R, _, _ = random_model(5, 2, 33)
    m = softmdp.Model.from_arrays(P, R, GAMMA)
    with pytest.raises(softmdp.InputError, match="sum to"):
        softmdp.solve(m, 1.0, prior=np.full((5, 2), 0.4))
    bad = np.full((5, 2), 0.5)
    bad[2] = [1.5, -0.5]
    with pytest.raises(softmdp.InputError, match="state 2"):
        softmdp.solve(m, 1.0, prior=bad)
    with pytest.raises(softmdp.UsageError, match="prior must have shape"):
        softmdp.solve(m, 1.0, prior=np.full((5, 3), 1 / 3))


def test_cli_prior_matches_python(cli, mdps):
    path, prior = str(mdps / "chain2.json"), str(mdps / "priors" / "chain2_stay.json")
    out = subprocess.run([cli, "solve", path, "--alpha", "1", "--prior", prior, "--method", "soft-vi", "--tolerance", "1e-11",
                          "--json", "-", "--quiet"], capture_output=True, text=True, check=True).stdout
    doc = json.loads(out)
    assert doc["prior"] == prior
    pi0 = np.array([[0.9, 0.1], [0.5, 0.5]])
    r = softmdp.solve(softmdp.load(path), 1.0, "soft-vi", prior=pi0, tolerance=1e-11)
    assert np.max(np.abs(np.array(doc["values"]) - r.values)) <= 1e-12


def dense_backward(P, R, pi0, alpha, H, terminal, given=None):
    """Backward induction written here: V_t = alpha log sum_a pi0 exp(Q_t/alpha), or the evaluation
    V_t = sum_a pi Q_t - alpha KL(pi || pi0) of a stationary pi."""
    S, A = R.shape
    V = np.zeros((H + 1, S))
    V[H] = terminal
    Q = np.zeros((H, S, A))
    pol = np.zeros((H, S, A))
    for t in range(H - 1, -1, -1):
        Q[t] = q_of(P, R, V[t + 1], GAMMA)
        if given is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                V[t] = (given * Q[t]).sum(axis=1) - alpha * np.where(given > 0, given * np.log(given / pi0), 0.0).sum(axis=1)
            pol[t] = given
            continue
        with np.errstate(divide="ignore"):
            Z = np.where(pi0 > 0, Q[t] + alpha * np.log(pi0), -np.inf)
        m = Z.max(axis=1)
        V[t] = m + alpha * np.log(np.exp((Z - m[:, None]) / alpha).sum(axis=1))
        pol[t] = pi0 * np.exp((Q[t] - V[t][:, None]) / alpha)
    return V, Q, pol


def test_finite_horizon_with_prior_matches_dense_backward_induction():
    P, R, _, _ = random_model(9, 3, 34)
    m = softmdp.Model.from_arrays(P, R, GAMMA)
    pi0 = prior_of(9, 3, 6)
    assert (pi0 == 0).any()
    alpha, H = 0.3, 12
    terminal = np.linspace(-1, 1, 9)
    V, Q, pol = dense_backward(P, R, pi0, alpha, H, terminal)
    r = softmdp.solve(m, alpha, horizon=H, terminal_values=terminal, prior=pi0)
    assert np.max(np.abs(r.values - V)) <= 1e-12
    assert np.max(np.abs(r.q - Q)) <= 1e-12
    assert np.max(np.abs(r.policy - pol)) <= 1e-12
    assert json.loads(r.to_json())["prior"] == "array"
    e = softmdp.evaluate(m, pol[0], alpha, horizon=H, terminal_values=terminal, prior=pi0)
    assert np.max(np.abs(e.values - dense_backward(P, R, pi0, alpha, H, terminal, pol[0])[0])) <= 1e-12
    u = softmdp.evaluate(m, "uniform", alpha, horizon=H, prior=pi0)  # uniform on pi0's support
    support = (pi0 > 0) / (pi0 > 0).sum(axis=1, keepdims=True)
    assert np.max(np.abs(u.values - dense_backward(P, R, pi0, alpha, H, np.zeros(9), support)[0])) <= 1e-12
    with pytest.raises(softmdp.InputError, match="excludes"):
        softmdp.evaluate(m, np.full((9, 3), 1 / 3), alpha, horizon=H, prior=pi0)
