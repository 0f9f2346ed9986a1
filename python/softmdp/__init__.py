"""softmdp: exact, certified soft (entropy-regularised) and hard solvers for finite MDPs.

    >>> import numpy as np, softmdp
    >>> P = np.array([[[0.9, 0.1], [0.0, 1.0]], [[0.2, 0.8], [0.5, 0.5]]])  # (A, S, S)
    >>> R = np.array([[1.0, 0.0], [0.0, 2.0]])                                # (S, A)
    >>> m = softmdp.Model.from_arrays(P, R, discount=0.9)
    >>> r = softmdp.solve(m, alpha=0.5, tolerance=1e-10)
    >>> r.values, r.q, r.policy, r.error_bound, r.stop

Errors from the library are softmdp.Error subclasses with the CLI's messages: InputError,
UsageError, NumericalError (all ValueError) and IoError (OSError). See docs/python.md.

NumPy is needed for models and results; SciPy for sparse input and Model.to_scipy().
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

# As the CLI does (apps/main.cpp): OpenMP threads that spin at barriers cost many times a sweep when
# the cores are shared; sleeping costs microseconds. libgomp reads the policy when it is loaded, which
# is by the import of _core below (unless something loaded it before), so set it first, unless the
# user chose a policy. Measured: a Garnet 10^5 soft solve 2.2 s spinning, 1.3 s passive (bench/RESULTS.md).
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from . import _core  # noqa: E402
from ._core import (Error, InputError, IoError, NumericalError, Result, UsageError, alpha_grid,
                    choose_default_method, default_method, methods)

__all__ = ["Model", "Result", "FiniteHorizonResult", "Comparison", "Sweep", "Learning", "load", "solve", "evaluate", "compare",
           "sweep", "residuals", "learn", "solve_continuous", "ContinuousResult", "occupancy", "Occupancy", "simulate",
           "Trajectories", "load_trajectories", "irl", "IrlResult", "estimate", "Estimate", "sample", "Samples", "methods", "default_method", "choose_default_method", "alpha_grid", "Error", "InputError",
           "UsageError", "NumericalError", "IoError"]
__version__ = "0.1.0"

_SOLVER_DEFAULTS = dict(tolerance=1e-8, max_iterations=1_000_000, time_limit=None, threads=0,
                        evaluation_sweeps=20, krylov="bicgstab", preconditioner_sweeps=2,
                        aggregate_size=None)


def _np():
    import numpy
    return numpy


def _is_sparse(x) -> bool:
    try:
        import scipy.sparse as sp
    except ImportError:
        return False
    return sp.issparse(x)


def _csr_of(P, S=None):
    """P in any accepted form -> (S, A, indptr int64, indices int32, data float64) over rows s*A + a."""
    np = _np()
    if _is_sparse(P):
        import scipy.sparse as sp
        P = sp.csr_matrix(P)  # no copy when already CSR
        rows, S = P.shape
        if S == 0 or rows % S:
            raise UsageError(f"sparse P must have shape (S*A, S), got {P.shape}")
        A = rows // S
        return S, A, P.indptr, P.indices, P.data  # the caller's arrays, not copied (nor sorted)
    if isinstance(P, (list, tuple)):
        if len(P) == 0:
            raise UsageError("P is an empty list: give A matrices of shape (S, S)")
        if any(_is_sparse(p) for p in P):
            import scipy.sparse as sp
            mats = [sp.csr_matrix(p) for p in P]
            A = len(mats)
            S = mats[0].shape[0]
            for a, p in enumerate(mats):
                if p.shape != (S, S):
                    raise UsageError(f"P[{a}] must have shape (S, S) = ({S}, {S}), got {p.shape}")
            stacked = sp.vstack(mats, format="csr")  # rows a*S + s
            order = (np.arange(A)[None, :] * S + np.arange(S)[:, None]).ravel()  # row s*A + a
            return _csr_of(stacked[order])
        P = np.asarray(P, dtype=np.float64)
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 3 or P.shape[1] != P.shape[2]:
        raise UsageError(f"dense P must have shape (A, S, S), got {P.shape}")
    A, S, _ = P.shape
    dense = np.ascontiguousarray(P.transpose(1, 0, 2)).reshape(S * A, S)  # row s*A + a
    nz = dense != 0
    counts = nz.sum(axis=1)
    indptr = np.zeros(S * A + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    r, c = np.nonzero(nz)
    return S, A, indptr, c.astype(np.int32), dense[r, c]


def _values_on(Rt, S, A, indptr, indices):
    """Per-transition rewards given in P's shape, read at P's nonzeros (rows s*A + a)."""
    np = _np()
    S2, A2, rp, ri, rd = _csr_of(Rt)
    if (S2, A2) != (S, A):
        raise UsageError(f"per-transition R must have P's shape (S={S}, A={A}), got S={S2}, A={A2}")
    import scipy.sparse as sp
    Rm = sp.csr_matrix((rd, ri, rp), shape=(S * A, S))
    rows = np.repeat(np.arange(S * A), np.diff(indptr))
    return np.asarray(Rm[rows, indices]).ravel().astype(np.float64)


def _bool_vector(x, n, what):
    np = _np()
    if x is None:
        return None
    a = np.asarray(x)
    if a.dtype != bool:  # indices
        idx = a.astype(np.int64).ravel()
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise UsageError(f"{what} must be indices in [0, {n}) or a boolean array of {n}")
        a = np.zeros(n, dtype=bool)
        a[idx] = True
    return a.ravel()


def _from_arrays(P, R, discount: float, *, mask=None, terminal=None, initial=None, state_names=None,
                 action_names=None, name: str = "arrays", renormalize: bool = False) -> "Model":
        """A model from arrays.

        P: a SciPy sparse matrix of shape (S*A, S) with row s*A + a (madupite's and MDPSolver's
           layout), a list of A (S, S) matrices (dense or sparse), or a dense (A, S, S) array
           (pymdptoolbox's convention). Rows must sum to 1.
        R: (S, A) or (S*A,) expected rewards r(s, a), or per transition r(s, a, s') in P's shape.
        discount: gamma in [0, 1] (1 only when every policy reaches a terminal state).
        mask: boolean (S, A), True where an action is available. Default: where P's row is non-zero.
              Rows of unavailable actions are ignored.
        terminal: state indices or a boolean (S,): absorbing, value 0; their rows are ignored. A state
              whose rows are all unavailable is terminal too.
        initial: p0 (S,) (default uniform). state_names, action_names: lists of str.
        renormalize: rescale rows whose sums are within 1e-6 of 1.

        Copies: P once into the library's CSR (interleaved s' and p); float64 values and int32
        indices of a CSR input are read in place, other dtypes are converted first.
        """
        np = _np()
        S, A, indptr, indices, data = _csr_of(P)
        indptr = np.asarray(indptr, dtype=np.int64)
        if indices.dtype != np.int32:
            if indices.size and (indices.min() < 0 or indices.max() >= S):
                raise UsageError(f"P has a column index out of range [0, {S})")
            indices = indices.astype(np.int32)
        data = np.asarray(data, dtype=np.float64)
        row_reward = next_reward = None
        if _is_sparse(R) or isinstance(R, (list, tuple)) or np.ndim(R) == 3 or (
                np.ndim(R) == 2 and np.shape(R) == (S * A, S) and np.shape(R) != (S, A)):
            next_reward = _values_on(R, S, A, indptr, indices)
        else:
            R = np.asarray(R, dtype=np.float64)
            if R.shape not in ((S, A), (S * A,)):
                raise UsageError(f"R must have shape (S, A) = ({S}, {A}), (S*A,) = ({S * A},), or P's shape; got {R.shape}")
            row_reward = R.ravel()
        if mask is not None:
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != (S, A):
                raise UsageError(f"mask must have shape (S, A) = ({S}, {A}), got {mask.shape}")
            mask = mask.ravel()
        term = _bool_vector(terminal, S, "terminal")
        if initial is not None:
            initial = np.asarray(initial, dtype=np.float64).ravel()
        m = _core._from_csr(S, A, indptr, indices, data, row_reward, next_reward, mask, term, initial,
                            float(discount), name, list(state_names or []), list(action_names or []),
                            renormalize)
        return m

def _from_gymnasium(P, discount: float, *, initial=None, name: str = "gymnasium") -> "Model":
        """A model from a Gymnasium toy-text table P[s][a] = [(p, s', r, terminated), ...]
        (env.unwrapped.P of FrozenLake, Taxi, CliffWalking; a dict or a list over states).

        Termination is a property of the transition: a state entered only by transitions with
        terminated=True is terminal (value 0, its own P rows ignored: Gymnasium lists self-loops
        there); if some state is entered both ways, the terminating transitions go to an added
        absorbing state named "terminated" (state S). Repeated successors are merged, their rewards
        averaged by probability. initial: p0 over the states (e.g. env.unwrapped.initial_state_distrib).
        """
        np = _np()
        states = sorted(P.keys()) if isinstance(P, dict) else list(range(len(P)))
        S = len(states)
        if states != list(range(S)):
            raise UsageError("P's states must be 0 .. S-1")
        A = max(len(P[s]) for s in states) if S else 0
        ending, going = np.zeros(S, dtype=bool), np.zeros(S, dtype=bool)
        for s in states:
            for a in (sorted(P[s].keys()) if isinstance(P[s], dict) else range(len(P[s]))):
                for entry in P[s][a]:
                    p, s2, _, done = entry[:4]
                    if p > 0:
                        (ending if done else going)[s2] = True
        mixed = ending & going
        extra = bool(mixed.any())
        n = S + 1 if extra else S
        terminal = ending & ~going
        indptr, indices, data, rewards = [0], [], [], []
        for s in range(n):
            acts = P[s] if s < S else {}
            for a in range(A):
                row = {}
                if s < S and not terminal[s] and (a in acts if isinstance(acts, dict) else a < len(acts)):
                    for entry in acts[a]:
                        p, s2, r, done = entry[:4]
                        t = S if (done and mixed[s2]) else int(s2)
                        q, w = row.get(t, (0.0, 0.0))
                        row[t] = (q + p, w + p * r)
                for t in sorted(row):
                    q, w = row[t]
                    indices.append(t)
                    data.append(q)
                    rewards.append(w / q if q > 0 else 0.0)
                indptr.append(len(indices))
        import scipy.sparse as sp
        Pm = sp.csr_matrix((np.array(data), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
                           shape=(n * A, n))
        Rm = sp.csr_matrix((np.array(rewards), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
                           shape=(n * A, n))
        term = np.zeros(n, dtype=bool)
        term[:S] = terminal
        if extra:
            term[S] = True
        names = [str(s) for s in range(S)] + (["terminated"] if extra else [])
        if initial is not None:
            initial = np.asarray(initial, dtype=np.float64).ravel()
            if extra and initial.size == S:
                initial = np.append(initial, 0.0)
        mask = np.diff(Pm.indptr).reshape(n, A) > 0
        return _from_arrays(Pm, Rm, discount, mask=mask, terminal=term, initial=initial,
                        state_names=names if extra else None, name=name)

def _to_scipy(self):
    """(P, R, mask): P a new scipy.sparse.csr_matrix (S*A, S), row s*A + a (empty where the action
    is unavailable); R (S, A) expected rewards (0 where unavailable); mask (S, A) bool. Copies."""
    import scipy.sparse as sp
    indptr, indices, data, reward, mask = self._csr_arrays()
    S, A = self.num_states, self.num_actions
    return sp.csr_matrix((data, indices, indptr), shape=(S * A, S)), reward, mask

def _save_model(self, path, format: Optional[str] = None) -> None:
    """Writes the model to `path` in the format of its extension (.json softmdp/1, .mdp/.pomdp
    Cassandra, .tra PRISM (+ .lab/.trew beside it), .umb, .petsc/.bin PETSc binary, .npz) or
    `format` (softmdp, cassandra, prism, umb, petsc, npz). Atomic: a failure leaves no file."""
    self._save(str(path), format or "")

def _solve_method(self, alpha: float = 0.0, method: Optional[str] = None, **kw) -> Result:
    """softmdp.solve(self, alpha, method, ...)."""
    return solve(self, alpha, method, **kw)

Model = _core.Model
Model.__doc__ = """An immutable finite MDP in softmdp's CSR layout: Model.from_arrays, Model.from_gymnasium,
softmdp.load; model.save, model.to_scipy."""
Model.from_arrays = staticmethod(_from_arrays)
Model.from_gymnasium = staticmethod(_from_gymnasium)
Model.to_scipy = _to_scipy
Model.save = _save_model
Model.solve = _solve_method
Model.__module__ = "softmdp"
Result.__module__ = "softmdp"


def load(path, discount: Optional[float] = None, renormalize: bool = False, format: Optional[str] = None):
    """Reads a model file of any format the CLI reads: softmdp/1 JSON, UMB, PETSc binary, .npz (told by
    content), Cassandra (.mdp/.pomdp), PRISM (.tra, needs discount=). discount: for files without one
    (and overrides Cassandra's). Raises InputError/IoError with the CLI's messages."""
    return (_core._load(str(path), discount, renormalize, format or ""))


def _opts(kw):
    bad = set(kw) - set(_SOLVER_DEFAULTS)
    if bad:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(sorted(bad))}")
    return {**_SOLVER_DEFAULTS, **kw}


@dataclass
class FiniteHorizonResult:
    """solve(..., horizon=H) or evaluate(..., horizon=H): time-indexed values and policies by backward
    induction, exact (no tolerance). values (H + 1, S): V_0 ... V_H (V_H the terminal values); q and
    policy (H, S, A): Q_t and pi_t (NaN / 0 where an action is unavailable)."""
    horizon: int
    alpha: float
    method: str                # "backward-induction" or "evaluate-finite-horizon-state"
    values: Any                # (H + 1, S)
    q: Any                     # (H, S, A)
    policy: Any                # (H, S, A)
    objective: float           # sum_s p0(s) V_0(s)
    seconds: float
    _json: str = field(default="", repr=False)

    def to_json(self) -> str:
        """The CLI's softmdp-result/1 document with the per-time fields (`softmdp solve/evaluate --horizon H --json`)."""
        return self._json


def _finite_horizon(model, alpha, horizon, policy, terminal_values, options, refused, prior=None):
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise UsageError(f"horizon must be an int >= 1, got {horizon!r}")
    given = sorted(k for k, v in refused.items() if v is not None and v is not False)
    given += sorted(k for k in options if k != "threads")
    if given:
        raise UsageError(f"{', '.join(given)}: does not apply with horizon (backward induction is exact: no method, "
                         "tolerance or limit)")
    d = _core._finite_horizon(model, alpha, horizon, policy, terminal_values, options.get("threads", 0), prior)
    return FiniteHorizonResult(horizon=horizon, alpha=alpha, method=d["method"], values=d["values"], q=d["q"],
                               policy=d["policy"], objective=d["objective"], seconds=d["seconds"], _json=d["json"])


def solve(model, alpha: float = 0.0, method: Optional[str] = None, *, initial_values=None, prior=None, horizon: Optional[int] = None,
          terminal_values=None, **options):
    """Solves the model at temperature alpha (0: hard) with `method` (default: default_method(model,
    alpha), as the CLI, or vi / soft-vi when that would not fit in the memory available:
    choose_default_method, Result.method_note). Methods: see softmdp.methods().

    options: tolerance=1e-8 (certified ||V - V*||_inf), max_iterations=1e6, time_limit=None (s),
    threads=0 (all cores), evaluation_sweeps=20 (MPI), krylov="bicgstab" | "gmres" and
    preconditioner_sweeps=2 and aggregate_size=None (ipi, soft-ipi; the two-level preconditioner's
    states per aggregate, 0: Gauss-Seidel only, None: the CLI's default). initial_values: warm start V0 (S,), copied.

    Runs with the GIL released; Ctrl-C raises KeyboardInterrupt (checked between iterations, every
    50 ms). Returns a Result: values (S,), q (S, A) (NaN where unavailable), policy (S, A), objective,
    error_bound, stop, iterations, sweeps, seconds, reason; result.to_json() is the CLI's document.

    prior: KL regularisation towards a reference policy pi0, an (S, A) array (0 excludes an action;
    rows sum to 1), as the CLI's --prior: V = alpha log sum_a pi0 exp(Q/alpha). The result stays on
    the user's model (result.model is `model`; docs/regularised.md): q is Q = r + gamma P V in the
    model's reward scale on every action, policy pi0 exp((Q - V)/alpha), 0 on excluded actions.

    horizon=H: the finite-horizon optimum by backward induction instead (`softmdp solve --horizon`),
    from terminal_values V_H (S,) (default 0); returns a FiniteHorizonResult. Only threads= and prior=
    apply (V_t = alpha log sum_a pi0 exp(Q_t/alpha)).
    """
    if horizon is not None:
        return _finite_horizon(model, alpha, horizon, None, terminal_values, options,
                               {"method": method, "initial_values": initial_values}, prior)
    if terminal_values is not None:
        raise UsageError("terminal_values are the values at the end of a finite horizon: give horizon=H")
    if prior is not None:
        return _core._solve(model, alpha, method, initial_values, prior, **_opts(options))
    if not options:  # the common call: no dict merging (a few microseconds per call)
        return _core._solve(model, alpha, method, initial_values)
    return _core._solve(model, alpha, method, initial_values, **_opts(options))


def evaluate(model, policy, alpha: float = 0.0, convention: str = "state", *, iterative: bool = False,
             prior=None, horizon: Optional[int] = None, terminal_values=None, **options):
    """(Soft) evaluation of a stochastic policy: an (S, A) array of pi(a|s) (0 on unavailable actions),
    a per-available-(s, a) array, or "uniform". convention "state": V = sum pi Q + alpha H(pi);
    "action": Q(s,a) = r - alpha log pi(a|s) + gamma P V (same V). Exact (sparse LU or BiCGSTAB,
    certified by the residual) unless iterative=True. Options as solve(). prior: as solve(); then V
    is E[sum gamma^t (r - alpha KL(pi || pi0))] (state convention), pi must be 0 where pi0 is, and
    "uniform" is uniform on pi0's support; q is in the model's reward scale (as solve()).

    horizon=H: finite-horizon evaluation by backward induction (`softmdp evaluate --horizon`), state
    convention only, of a stationary (S, A) or time-indexed (H, S, A) policy, from terminal_values;
    returns a FiniteHorizonResult."""
    if horizon is not None:
        if convention != "state":
            raise UsageError("horizon evaluates in the state convention only")
        return _finite_horizon(model, alpha, horizon, policy, terminal_values, options, {"iterative": iterative}, prior)
    if terminal_values is not None:
        raise UsageError("terminal_values are the values at the end of a finite horizon: give horizon=H")
    return _core._evaluate(model, policy, alpha, convention, iterative, prior, **_opts(options))


@dataclass
class Comparison:
    """Soft against hard on one model (softmdp compare)."""
    hard: Result
    soft: Result
    gap_bound: Any             # (S,) alpha b(s): V_hard <= V_soft <= V_hard + gap_bound; None at gamma 1
    global_bound: Optional[float]
    soft_policy_hard_return: float
    soft_policy_hard_values: Any  # (S,)
    stats: dict                # entropy (S,), mean_entropy, greedy_probability, kl_from_greedy, changed
    _json: str = field(default="", repr=False)

    def to_json(self) -> str:
        """The CLI's softmdp-compare/1 document (as `softmdp compare --json`), written by the library."""
        return self._json


def compare(model, alpha: float, *, soft_method: Optional[str] = None, hard_method: Optional[str] = None,
            prior=None, **options) -> Comparison:
    """Solves the hard and the soft problem and compares them (softmdp compare). Options as solve().
    prior: as solve(), for the soft side (its q is -inf on excluded actions; no gap bound)."""
    d = _core._compare(model, alpha, soft_method or "", hard_method or "", prior, **_opts(options))
    return Comparison(**d)


@dataclass
class Sweep:
    """An alpha sweep (softmdp sweep): one NumPy array per field, one entry per alpha."""
    alpha: Any
    objective: Any
    hard_return: Any
    mean_entropy: Any
    greedy_probability: Any
    kl_from_greedy: Any
    changed: Any
    converged: Any
    iterations: Any
    error_bound: Any         # NaN where no bound
    objective_bound: Any
    objective_raised: Any
    seconds: Any
    _json: str = field(default="", repr=False)

    def to_json(self) -> str:
        """The CLI's softmdp-sweep/1 document (as `softmdp sweep --json`), written by the library."""
        return self._json


def sweep(model, alphas: Sequence[float], method: Optional[str] = None, *, prior=None, **options) -> Sweep:
    """Soft optima along `alphas` (e.g. alpha_grid(0.01, 10, 20, log_scale=True)), each warm-started
    from the previous one; objectives made monotone within their bounds (not with a prior: J is then
    non-increasing in alpha). Options and prior as solve()."""
    return Sweep(**_core._sweep(model, [float(a) for a in alphas], method or "", prior, **_opts(options)))


def residuals(model, q, alpha: float, value_of_q: str = "soft", *, states=None, actions=None):
    """Soft Bellman residuals (J_V, J_Q) of a Q table (S, A) (softmdp evaluate --residual).
    value_of_q: "soft" (alpha logsumexp Q/alpha) or "boltzmann". states: weights over states (default
    p0); actions: behaviour policy (S, A) (default uniform)."""
    return _core._residuals(model, q, alpha, value_of_q, states, actions)


@dataclass
class Learning:
    """Tabular soft Q-learning (softmdp learn)."""
    q: Any          # (S, A), NaN where unavailable
    q_star: Any     # (S, A), the exact soft optimum
    steps: Any      # learning curve: steps, ||Q - Q*||_inf, J of softmax(Q/alpha)
    q_error: Any
    objective: Any
    episodes: int
    _json: str = field(default="", repr=False)

    def to_json(self) -> str:
        """The CLI's softmdp-learn/1 document (as `softmdp learn --json`), written by the library."""
        return self._json


def learn(model, alpha: float = 1.0, steps: int = 100000, *, seed: int = 0, behaviour: str = "uniform",
          epsilon: float = 0.1, schedule: str = "power", learning_rate: float = 1.0, omega: float = 0.6,
          target_every: int = 1, horizon: int = 1000, curve_points: int = 20, initial_q: float = 0.0) -> Learning:
    """Soft Q-learning from simulated transitions (softmdp learn); Ctrl-C raises KeyboardInterrupt."""
    return Learning(**_core._learn(model, alpha, steps, seed, behaviour, epsilon, schedule, learning_rate, omega,
                                   target_every, horizon, curve_points, initial_q))


@dataclass
class ContinuousResult:
    """Soft values of a continuous-action model (softmdp solve on a continuous file)."""
    values: Any                        # (S,), a new array
    states: list
    error_bound: Optional[float]       # iteration_bound + integration_error (quadrature)
    iteration_bound: float
    integration_error: Optional[float]
    nodes: list                        # quadrature nodes per dimension of the reported grid
    mc_std_error: Any                  # Monte Carlo: standard error of V per state; else None
    converged: bool
    stop: str
    iterations: int
    seconds: float
    reason: str
    method: str
    objective: float
    _json: str = field(default="", repr=False)

    def to_json(self) -> str:
        """The CLI's softmdp-result/1 document of a continuous-action solve (as `softmdp solve FILE --json`)."""
        return self._json


def solve_continuous(path, alpha: float, *, integrator: str = "quadrature", nodes: int = 0, max_nodes: int = 16384,
                     samples: int = 20000, seed: int = 0, **options) -> ContinuousResult:
    """Soft Q-iteration over a continuous-action softmdp/1 file (docs/continuous.md), as `softmdp solve
    FILE --alpha A`: integrator "quadrature" (d <= 3; refined until tolerance, or `nodes` fixed) or "mc"
    (`samples` per state, `seed`). Options as solve(); Ctrl-C raises KeyboardInterrupt."""
    return ContinuousResult(**_core._solve_continuous(str(path), alpha, integrator, nodes, max_nodes, samples, seed,
                                                      **_opts(options)))


@dataclass
class Occupancy:
    """State and state-action visitation of a policy (softmdp occupancy): discounted,
    d(s) = sum_t gamma^t P(s_t = s) from p0 (summing to 1/(1 - gamma)), or over a finite horizon
    (sum over t < H). d(s, a) = d(s) pi(a|s). New arrays."""
    states: Any                 # d(s), (S,)
    state_actions: Any          # d(s, a), (S, A), 0 where unavailable
    policy: Any                 # pi (S, A): the policy measured
    source: str                 # how it was chosen: "array", "uniform", "soft-optimal at alpha 0.5", ...
    alpha: Optional[float]      # the policy's temperature, when it has one
    horizon: Optional[int]      # None: discounted
    error_bound: Optional[float]  # certified l1 error of states and state_actions together
    converged: bool
    method: str
    sweeps: int
    seconds: float
    reason: str
    total: float                # sum_s d(s)
    expected_return: float      # sum d(s, a) r(s, a): the policy's return without entropy terms
    _json: str = field(default="", repr=False)

    def to_json(self) -> str:
        """The CLI's softmdp-occupancy/1 document (as `softmdp occupancy --json`)."""
        return self._json


def occupancy(model, policy=None, *, alpha: Optional[float] = None, horizon: Optional[int] = None, prior=None,
              **options) -> Occupancy:
    """State and state-action visitation of a policy (softmdp occupancy), with a certified l1 bound.

    policy: an (S, A) array pi(a|s) (or one entry per available (s, a)), or "uniform", "greedy" (in the
    hard optimal Q*), "softmax" (the soft optimum at alpha); None: the soft-optimal policy at alpha
    (greedy optimal at alpha 0), as `softmdp occupancy --alpha A`. horizon=H: sum over t < H by forward
    recursion (exact) instead of the discounted occupancy. prior: as solve(), for the computed policy.
    Options as solve() (the tolerance is that of the occupancy's l1 bound and the policy's solve)."""
    d = _core._occupancy(model, policy, None if alpha is None else float(alpha), horizon, prior, **_opts(options))
    return Occupancy(**d)


@dataclass
class Trajectories:
    """Episodes of a policy (softmdp simulate), as flat arrays: episode k's states and actions are
    states[offsets[k]:offsets[k+1]] and actions[...] (int64 indices), its last state final_state[k]
    (terminal when terminated[k], else cut by the horizon). Pass to irl() as demonstrations."""
    states: Any
    actions: Any
    offsets: Any                # (episodes + 1,)
    final_state: Any            # (episodes,)
    terminated: Any             # (episodes,) bool
    discounted_return: Any      # (episodes,) sum_t gamma^t r_t with sampled rewards
    source: str = "array"
    alpha: Optional[float] = None
    seed: int = 0
    horizon: int = 0
    _json: str = field(default="", repr=False)

    def __len__(self) -> int:
        return len(self.final_state)

    def episode(self, k: int):
        """(states, actions) of episode k: views on the flat arrays."""
        a, b = self.offsets[k], self.offsets[k + 1]
        return self.states[a:b], self.actions[a:b]

    def to_json(self) -> str:
        """The CLI's softmdp-trajectories/1 document (as `softmdp simulate --json`); empty for
        trajectories read from a file (load_trajectories)."""
        return self._json

    def _arrays(self) -> dict:
        return dict(states=self.states, actions=self.actions, offsets=self.offsets, final_state=self.final_state,
                    terminated=self.terminated)


def simulate(model, policy=None, *, alpha: Optional[float] = None, episodes: int = 100, horizon: int = 100, seed: int = 0,
             **options) -> Trajectories:
    """Episodes of a policy (softmdp simulate): s_0 ~ p0, a_t ~ pi(.|s_t), until a terminal state or
    `horizon` steps. Same seed, same episodes as the CLI (episode k draws from its own stream).
    policy as occupancy() (None: the soft optimum at alpha). Options as solve() (for the policy's solve)."""
    d = _core._simulate(model, policy, None if alpha is None else float(alpha), episodes, horizon, seed, **_opts(options))
    return Trajectories(**d)


def load_trajectories(model, path):
    """Reads a softmdp-trajectories/1 file against the model: Trajectories, or an (S, A) array of
    visitation counts when the file has counts (both accepted by irl()). Only what IRL reads is
    read: states and actions (final_state, terminated and discounted_return are left 0)."""
    d = _core._read_trajectories(model, os.fspath(path))
    if "counts" in d:
        return d["counts"]
    return Trajectories(**d)


@dataclass
class IrlResult:
    """Maximum causal entropy IRL (softmdp irl): the learned weights, reward r_w = Phi w, and the
    learner's soft-optimal policy at alpha. New arrays."""
    weights: Any                # (K,)
    reward: Any                 # (S, A), NaN where unavailable
    policy: Any                 # (S, A); with a horizon (H, S, A), pi_t
    values: Any                 # (S,); with a horizon (H + 1, S)
    curve: dict                 # per optimiser iteration: iteration, log_likelihood, objective, feature_gap, gradient_norm, seconds
    demonstrated_features: Any  # mu_E (K,)
    learned_features: Any       # mu_w (K,)
    feature_names: list
    iterations: int
    evaluations: int
    converged: bool
    stop: str
    reason: str
    seconds: float
    model: "Model"              # the dynamics with the learned reward r_w
    _json: str = field(default="", repr=False)

    def to_json(self) -> str:
        """The CLI's softmdp-irl/1 document (as `softmdp irl --json`)."""
        return self._json


def irl(model, demonstrations, *, features=None, feature_names: Optional[Sequence[str]] = None, alpha: float = 1.0,
        horizon: Optional[int] = None, optimizer: str = "lbfgs", l2: float = 0.0, method: Optional[str] = None,
        irl_iterations: int = 200, gradient_tolerance: float = 1e-6, initial_weights=None, prior=None,
        tolerance: float = 1e-10, **options) -> IrlResult:
    """Maximum causal entropy inverse RL (softmdp irl; docs/irl.md): the weights w of a linear reward
    r_w = Phi w whose soft-optimal policy at alpha maximises the (discounted) likelihood of the
    demonstrations. The model's own rewards are ignored.

    demonstrations: Trajectories (simulate(), load_trajectories()), a softmdp-trajectories/1 path, or
    an (S, A) array of visitation counts (discounted only). features: None (one-hot: one weight per
    available (s, a)), a softmdp-features/1 path, an (S, K) array (per state) or an (S, A, K) array
    (per state-action); feature_names for the arrays. horizon=H: time-indexed policies by backward
    induction. optimizer "lbfgs" | "gradient"; l2: l2/2 ||w||^2; irl_iterations and
    gradient_tolerance (max |dL/dw_k|) stop the optimiser. prior: an (S, A) reference policy pi0
    (KL regularisation, as solve(prior=...); softmdp irl --prior): the learner is pi0 exp((Q - V)/alpha). method, tolerance (1e-10) and options as
    solve(): the inner soft solves. Ctrl-C raises KeyboardInterrupt."""
    if isinstance(demonstrations, (str, os.PathLike)):
        demonstrations = load_trajectories(model, demonstrations)
    if isinstance(demonstrations, Trajectories):
        demos = demonstrations._arrays()
    else:
        demos = {"counts": demonstrations}
    d = _core._irl(model, demos, features, list(feature_names or []), float(alpha), horizon, optimizer, float(l2), method,
                   irl_iterations, float(gradient_tolerance), initial_weights, prior, **_opts({"tolerance": tolerance, **options}))
    return IrlResult(**d)


@dataclass
class Estimate:
    """A Monte Carlo soft value alpha log integral exp(Q(s, a)/alpha) da of a continuous-action state
    (softmdp estimate), judged against the quadrature reference when d <= 3."""
    state: str
    alpha: float
    estimate: float             # alpha log mean(w)
    std_error: float            # its standard error (delta method)
    bias_correction: float      # added in `corrected`: about -alpha (n/ESS - 1)/(2n) removed
    corrected: float
    samples: int
    ess: float                  # effective sample size of the importance weights
    reference: Optional[float]  # alpha log Z by adaptive Gauss-Legendre quadrature (d <= 3)
    reference_error: Optional[float]
    difference: Optional[float]  # (corrected - reference) / sqrt(se^2 + reference_error^2)
    finite: bool
    warnings: list
    proposal: str
    seed: int
    _json: str = field(default="", repr=False)

    def to_json(self) -> str:
        """The CLI's softmdp-estimate/1 document (as `softmdp estimate --json`)."""
        return self._json


def estimate(path, state, alpha: float, *, values=None, samples: int = 100000, proposal: str = "uniform",
             particles: int = 100, nodes: int = 16, seed: int = 0) -> Estimate:
    """Monte Carlo soft value of one state of a continuous-action file (softmdp estimate; docs/continuous.md).
    state: name or index. values: successor values V, an (S,) array or a softmdp-result/1 path (default
    0). proposal "uniform" | "gaussian" | "svgd" (particles SVGD particles); nodes: Gauss-Legendre nodes
    per panel of the reference. Warnings (low effective sample size) are also issued as RuntimeWarning."""
    return Estimate(**_core._estimate(os.fspath(path), str(state), float(alpha), values, samples, proposal, particles,
                                      nodes, seed))


@dataclass
class Samples:
    """SVGD particles from the soft policy pi(a|s) ∝ exp(Q(s, a)/alpha) of a continuous-action state
    (softmdp sample), importance-resampled (weighting="resample") or as they are."""
    state: str
    alpha: float
    particles: Any              # (n, d): the particles reported
    svgd_particles: Any         # (n, d): SVGD's, before resampling
    steps: int
    converged: bool
    bandwidth: float
    ksd: float                  # kernel Stein discrepancy of the SVGD particles
    resampled: bool
    ess: Optional[float]        # of the importance weights (resampled)
    draws: Optional[int]
    distinct: Optional[int]
    finite: bool
    warnings: list
    seed: int
    _json: str = field(default="", repr=False)

    def to_json(self) -> str:
        """The CLI's softmdp-samples/1 document (as `softmdp sample --json`)."""
        return self._json


def sample(path, state, alpha: float, *, values=None, particles: int = 200, steps: int = 1000, step_size: float = 0.01,
           movement_tolerance: float = 1e-5, threads: int = 0, weighting: str = "resample", draws: int = 0,
           seed: int = 0) -> Samples:
    """SVGD particles from pi(a|s) ∝ exp(Q(s, a)/alpha) at one state of a continuous-action file
    (softmdp sample; docs/continuous.md). state and values as estimate(). weighting "resample":
    importance weights against pi on a kernel density of the particles, then resampling (right mode
    weights; draws: 0 = max(100000, 50 n)); "none": the SVGD particles as they are."""
    return Samples(**_core._sample(os.fspath(path), str(state), float(alpha), values, particles, steps, float(step_size),
                                   float(movement_tolerance), threads, weighting, draws, seed))
