from dataclasses import dataclass
from os import PathLike
from typing import Any, Literal, Mapping, Optional, Sequence, Union, overload

import numpy as np
import numpy.typing as npt

__version__: str

Array = npt.NDArray[np.float64]
Path = Union[str, PathLike[str]]
Convention = Literal["state", "action"]
Stop = Literal["converged", "iteration_limit", "time_limit", "resolution_floor", "stalled", "non_finite",
               "interrupted", "no_bound"]

class Error(Exception): ...
class InputError(Error, ValueError): ...
class UsageError(Error, ValueError): ...
class NumericalError(Error, ValueError, ArithmeticError): ...
class IoError(Error, OSError): ...

class Model:
    @staticmethod
    def from_arrays(P: Any, R: Any, discount: float, *, mask: Optional[npt.ArrayLike] = ...,
                    terminal: Optional[npt.ArrayLike] = ..., initial: Optional[npt.ArrayLike] = ...,
                    state_names: Optional[Sequence[str]] = ..., action_names: Optional[Sequence[str]] = ...,
                    name: str = ..., renormalize: bool = ...) -> Model: ...
    @staticmethod
    def from_gymnasium(P: Union[Mapping[int, Mapping[int, Sequence[tuple]]], Sequence[Any]], discount: float, *,
                       initial: Optional[npt.ArrayLike] = ..., name: str = ...) -> Model: ...
    def with_rewards(self, R: npt.ArrayLike) -> Model: ...
    def to_scipy(self) -> tuple[Any, Array, npt.NDArray[np.bool_]]: ...
    def save(self, path: Path, format: Optional[str] = ...) -> None: ...
    def solve(self, alpha: float = ..., method: Optional[str] = ..., **options: Any) -> Result: ...
    @property
    def name(self) -> str: ...
    @property
    def discount(self) -> float: ...
    @property
    def num_states(self) -> int: ...
    @property
    def num_actions(self) -> int: ...
    @property
    def num_transitions(self) -> int: ...
    @property
    def num_available(self) -> int: ...
    @property
    def state_names(self) -> list[str]: ...
    @property
    def action_names(self) -> list[str]: ...
    @property
    def initial(self) -> Array: ...
    @property
    def terminal(self) -> npt.NDArray[np.bool_]: ...

class Result:
    @property
    def values(self) -> Array: ...
    @property
    def q(self) -> Array: ...
    @property
    def policy(self) -> Array: ...
    @property
    def objective(self) -> float: ...
    @property
    def error_bound(self) -> Optional[float]: ...
    @property
    def stop(self) -> Stop: ...
    @property
    def converged(self) -> bool: ...
    @property
    def iterations(self) -> int: ...
    @property
    def sweeps(self) -> int: ...
    @property
    def inner_iterations(self) -> int: ...  # Krylov iterations (ipi, soft-ipi; 0 otherwise)
    @property
    def matvecs(self) -> int: ...  # passes over P_pi (ipi, soft-ipi; 0 otherwise)
    @property
    def seconds(self) -> float: ...
    @property
    def reason(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def method_note(self) -> str: ...
    @property
    def alpha(self) -> float: ...
    @property
    def convention(self) -> Optional[Convention]: ...
    @property
    def model(self) -> Model: ...
    def to_json(self) -> str: ...

@dataclass
class Comparison:
    hard: Result
    soft: Result
    gap_bound: Optional[Array]
    global_bound: Optional[float]
    soft_policy_hard_return: float
    soft_policy_hard_values: Array
    stats: dict[str, Any]
    def to_json(self) -> str: ...

@dataclass
class Sweep:
    alpha: Array
    objective: Array
    hard_return: Array
    mean_entropy: Array
    greedy_probability: Array
    kl_from_greedy: Array
    changed: npt.NDArray[np.uint64]
    converged: npt.NDArray[np.bool_]
    iterations: npt.NDArray[np.uint64]
    error_bound: Array
    objective_bound: Array
    objective_raised: npt.NDArray[np.bool_]
    seconds: Array
    def to_json(self) -> str: ...

@dataclass
class Learning:
    q: Array
    q_star: Array
    steps: npt.NDArray[np.uint64]
    q_error: Array
    objective: Array
    episodes: int
    def to_json(self) -> str: ...

@dataclass
class ContinuousResult:
    values: Array
    states: list[str]
    error_bound: Optional[float]
    iteration_bound: float
    integration_error: Optional[float]
    nodes: list[int]
    mc_std_error: Optional[Array]
    converged: bool
    stop: Stop
    iterations: int
    seconds: float
    reason: str
    method: str
    objective: float
    def to_json(self) -> str: ...

def solve_continuous(path: Path, alpha: float, *, integrator: Literal["quadrature", "mc"] = ..., nodes: int = ...,
                     max_nodes: int = ..., samples: int = ..., seed: int = ..., **options: Any) -> ContinuousResult: ...
def load(path: Path, discount: Optional[float] = ..., renormalize: bool = ..., format: Optional[str] = ...) -> Model: ...
@dataclass
class FiniteHorizonResult:
    horizon: int
    alpha: float
    method: str
    values: npt.NDArray[np.float64]   # (H + 1, S)
    q: npt.NDArray[np.float64]        # (H, S, A)
    policy: npt.NDArray[np.float64]   # (H, S, A)
    objective: float
    seconds: float
    def to_json(self) -> str: ...

@overload
def solve(model: Model, alpha: float = ..., method: Optional[str] = ..., *, initial_values: Optional[npt.ArrayLike] = ...,
          prior: Optional[npt.ArrayLike] = ..., horizon: None = ..., terminal_values: None = ...,
          tolerance: float = ..., max_iterations: int = ..., time_limit: Optional[float] = ..., threads: int = ...,
          evaluation_sweeps: int = ..., krylov: Literal["bicgstab", "gmres"] = ...,
          preconditioner_sweeps: int = ..., aggregate_size: Optional[int] = ...) -> Result: ...
@overload
def solve(model: Model, alpha: float = ..., *, horizon: int, terminal_values: Optional[npt.ArrayLike] = ...,
          prior: Optional[npt.ArrayLike] = ..., threads: int = ...) -> FiniteHorizonResult: ...
@overload
def evaluate(model: Model, policy: Union[npt.ArrayLike, Literal["uniform"]], alpha: float = ...,
             convention: Convention = ..., *, iterative: bool = ..., prior: Optional[npt.ArrayLike] = ..., horizon: None = ..., terminal_values: None = ...,
             tolerance: float = ..., max_iterations: int = ..., time_limit: Optional[float] = ..., threads: int = ...) -> Result: ...
@overload
def evaluate(model: Model, policy: Union[npt.ArrayLike, Literal["uniform"]], alpha: float = ...,
             convention: Literal["state"] = ..., *, horizon: int, terminal_values: Optional[npt.ArrayLike] = ...,
             prior: Optional[npt.ArrayLike] = ..., threads: int = ...) -> FiniteHorizonResult: ...
def compare(model: Model, alpha: float, *, soft_method: Optional[str] = ..., hard_method: Optional[str] = ...,
            prior: Optional[npt.ArrayLike] = ..., **options: Any) -> Comparison: ...
def sweep(model: Model, alphas: Sequence[float], method: Optional[str] = ..., *, prior: Optional[npt.ArrayLike] = ...,
          **options: Any) -> Sweep: ...
def residuals(model: Model, q: npt.ArrayLike, alpha: float, value_of_q: Literal["soft", "boltzmann"] = ..., *,
              states: Optional[npt.ArrayLike] = ..., actions: Optional[npt.ArrayLike] = ...) -> tuple[float, float]: ...
def learn(model: Model, alpha: float = ..., steps: int = ..., *, seed: int = ...,
          behaviour: Literal["uniform", "epsilon-greedy", "soft"] = ..., epsilon: float = ...,
          schedule: Literal["constant", "power"] = ..., learning_rate: float = ..., omega: float = ...,
          target_every: int = ..., horizon: int = ..., curve_points: int = ..., initial_q: float = ...) -> Learning: ...
def methods() -> list[tuple[str, bool, str]]: ...
def default_method(model: Model, alpha: float = ...) -> str: ...
def choose_default_method(model: Model, alpha: float = ..., keep_rows: bool = ..., available: int | None = ...) -> tuple[str, str]: ...
def alpha_grid(lo: float, hi: float, n: int, log_scale: bool = ...) -> list[float]: ...

PolicySpec = Union[npt.ArrayLike, Literal["uniform", "greedy", "softmax"], None]

@dataclass
class Occupancy:
    """State and state-action visitation of a policy (softmdp occupancy)."""
    states: Array                  # d(s) (S,)
    state_actions: Array           # d(s, a) (S, A), 0 where unavailable
    policy: Array                  # the policy measured (S, A)
    source: str
    alpha: Optional[float]
    horizon: Optional[int]
    error_bound: Optional[float]   # certified l1 error of states and state_actions together
    converged: bool
    method: str
    sweeps: int
    seconds: float
    reason: str
    total: float
    expected_return: float
    def to_json(self) -> str: ...

def occupancy(model: Model, policy: PolicySpec = ..., *, alpha: Optional[float] = ..., horizon: Optional[int] = ...,
              prior: Optional[npt.ArrayLike] = ..., **options: Any) -> Occupancy:
    """State and state-action visitation of a policy (an (S, A) array, "uniform", "greedy", "softmax";
    None: the soft optimum at alpha), discounted or over horizon=H, with a certified l1 bound."""

@dataclass
class Trajectories:
    """Episodes as flat int64 arrays: episode k is states[offsets[k]:offsets[k+1]] (and actions)."""
    states: npt.NDArray[np.int64]
    actions: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]
    final_state: npt.NDArray[np.int64]
    terminated: npt.NDArray[np.bool_]
    discounted_return: Array
    source: str
    alpha: Optional[float]
    seed: int
    horizon: int
    def __len__(self) -> int: ...
    def episode(self, k: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
    def to_json(self) -> str: ...

def simulate(model: Model, policy: PolicySpec = ..., *, alpha: Optional[float] = ..., episodes: int = ..., horizon: int = ...,
             seed: int = ..., **options: Any) -> Trajectories:
    """Episodes of a policy (softmdp simulate); seeded, the same episodes as the CLI for the same seed."""
def load_trajectories(model: Model, path: Path) -> Union[Trajectories, Array]:
    """A softmdp-trajectories/1 file: Trajectories, or (S, A) visitation counts."""

@dataclass
class IrlResult:
    """Maximum causal entropy IRL (softmdp irl)."""
    weights: Array
    reward: Array                  # (S, A), NaN where unavailable
    policy: Array                  # (S, A), or (H, S, A) with a horizon
    values: Array                  # (S,), or (H + 1, S) with a horizon
    curve: dict[str, npt.NDArray[Any]]
    demonstrated_features: Array
    learned_features: Array
    feature_names: list[str]
    iterations: int
    evaluations: int
    converged: bool
    stop: Stop
    reason: str
    seconds: float
    model: Model
    def to_json(self) -> str: ...

def irl(model: Model, demonstrations: Union[Trajectories, Path, npt.ArrayLike], *, features: Union[None, Path, npt.ArrayLike] = ...,
        feature_names: Optional[Sequence[str]] = ..., alpha: float = ..., horizon: Optional[int] = ...,
        optimizer: Literal["lbfgs", "gradient"] = ..., l2: float = ..., method: Optional[str] = ..., irl_iterations: int = ...,
        gradient_tolerance: float = ..., initial_weights: Optional[npt.ArrayLike] = ..., prior: Optional[npt.ArrayLike] = ...,
        tolerance: float = ..., **options: Any) -> IrlResult:
    """Maximum causal entropy inverse RL with linear features (softmdp irl); the model's rewards are ignored."""

@dataclass
class Estimate:
    """A Monte Carlo soft value of a continuous-action state (softmdp estimate)."""
    state: str
    alpha: float
    estimate: float
    std_error: float
    bias_correction: float
    corrected: float
    samples: int
    ess: float
    reference: Optional[float]
    reference_error: Optional[float]
    difference: Optional[float]
    finite: bool
    warnings: list[str]
    proposal: str
    seed: int
    def to_json(self) -> str: ...

def estimate(path: Path, state: Union[str, int], alpha: float, *, values: Union[None, Path, npt.ArrayLike] = ...,
             samples: int = ..., proposal: Literal["uniform", "gaussian", "svgd"] = ..., particles: int = ..., nodes: int = ...,
             seed: int = ...) -> Estimate:
    """alpha log integral exp(Q(s, a)/alpha) da by importance sampling, with its standard error (softmdp estimate)."""

@dataclass
class Samples:
    """SVGD particles from pi(a|s) (softmdp sample)."""
    state: str
    alpha: float
    particles: Array               # (n, d)
    svgd_particles: Array          # (n, d)
    steps: int
    converged: bool
    bandwidth: float
    ksd: float
    resampled: bool
    ess: Optional[float]
    draws: Optional[int]
    distinct: Optional[int]
    finite: bool
    warnings: list[str]
    seed: int
    def to_json(self) -> str: ...

def sample(path: Path, state: Union[str, int], alpha: float, *, values: Union[None, Path, npt.ArrayLike] = ..., particles: int = ...,
           steps: int = ..., step_size: float = ..., movement_tolerance: float = ..., threads: int = ...,
           weighting: Literal["resample", "none"] = ..., draws: int = ..., seed: int = ...) -> Samples:
    """SVGD particles from the soft policy of a continuous-action state (softmdp sample)."""
