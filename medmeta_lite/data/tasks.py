"""Tasks and task samplers: the unit that meta-learners learn across.

A *task* is one site, scanner or patient group: a small labelled ``support`` set to adapt on and a
``query`` set to measure the adapted model on. A *sampler* draws tasks from a family that shares
structure; every sampler has the same API so that meta-learners and notebooks can swap families.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from medmeta_lite.validation import check_choice, check_count, check_finite, check_memory, make_rng


@dataclass(frozen=True, repr=False)
class Task:
    """One task: support set, query set, a name and the parameters that generated it.

    Parameters
    ----------
    X_support, y_support : ndarray of shape (n_shots, n_features) and (n_shots,)
        Examples the learner adapts on.
    X_query, y_query : ndarray of shape (n_queries, n_features) and (n_queries,)
        Held-out examples of the same task, never used for adaptation.
    name : str, default="task"
    parameters : dict, default={}
        The task's true parameters (slope, amplitude, ...) when it is synthetic.

    Examples
    --------
    >>> import numpy as np
    >>> task = Task(np.zeros((5, 1)), np.zeros(5), np.ones((20, 1)), np.ones(20), name="site A")
    >>> task
    Task('site A', 5 support / 20 query, 1 feature)
    """

    X_support: np.ndarray
    y_support: np.ndarray
    X_query: np.ndarray
    y_query: np.ndarray
    name: str = "task"
    parameters: dict = field(default_factory=dict)

    def __post_init__(self):
        for part in ("support", "query"):
            X = check_finite(f"X_{part}", getattr(self, f"X_{part}"))
            y = check_finite(f"y_{part}", getattr(self, f"y_{part}"))
            if X.ndim != 2:
                raise ValueError(f"X_{part} must be 2-D (n_examples, n_features), got shape {X.shape}")
            if y.ndim != 1:
                raise ValueError(f"y_{part} must be 1-D (one target per example), got shape {y.shape}")
            if len(X) != len(y):
                raise ValueError(f"X_{part} has {len(X)} rows but y_{part} has {len(y)}")
        if self.X_support.shape[1] != self.X_query.shape[1]:
            raise ValueError("support and query sets must have the same number of features")

    @property
    def n_shots(self) -> int:
        return len(self.X_support)

    @property
    def n_queries(self) -> int:
        return len(self.X_query)

    def __repr__(self) -> str:
        n_features = self.X_support.shape[1]
        plural = "" if n_features == 1 else "s"
        return (f"Task({self.name!r}, {self.n_shots} support / {self.n_queries} query, "
                f"{n_features} feature{plural})")


class TaskSampler:
    """Base class of task families: subclasses draw task parameters and evaluate the task's function.

    Subclasses implement ``_draw_parameters(rng, n_tasks)`` (a dict of arrays with leading axis
    ``n_tasks``), ``_draw_inputs(rng, n_tasks, n_points)`` and ``_targets(X, parameters)``.
    """

    def __init__(self, *, noise: float = 0.0, random_state=None):
        self.noise = noise
        self.random_state = random_state
        self._rng = make_rng(random_state)

    def sample_batch(self, n_tasks: int, n_shots: int, n_queries: int) -> dict:
        """Draw ``n_tasks`` tasks as stacked arrays, the fast path for batched meta-training.

        Returns
        -------
        dict
            ``X_support`` (n_tasks, n_shots, n_features), ``y_support`` (n_tasks, n_shots),
            ``X_query``, ``y_query`` likewise, and ``parameters`` (dict of arrays of length n_tasks).
        """
        n_tasks = check_count("n_tasks", n_tasks)
        n_shots = check_count("n_shots", n_shots)
        n_queries = check_count("n_queries", n_queries, minimum=0)
        # inputs, targets and their views: about three float64 arrays of n_tasks x n_points x n_features
        n_features = getattr(self, "n_features", 1)
        check_memory(f"{n_tasks} tasks of {n_shots + n_queries} points",
                     3 * 8 * n_tasks * (n_shots + n_queries) * (n_features + 1))
        rng = self._rng
        parameters = self._draw_parameters(rng, n_tasks)
        X = self._arrange_support(self._draw_inputs(rng, n_tasks, n_shots + n_queries), n_shots)
        y = self._targets(X, parameters)
        if self.noise:
            y = y + self.noise * rng.standard_normal(y.shape)
        return {
            "X_support": X[:, :n_shots], "y_support": y[:, :n_shots],
            "X_query": X[:, n_shots:], "y_query": y[:, n_shots:],
            "parameters": parameters,
        }

    def _arrange_support(self, X, n_shots):
        """Hook for samplers that place the support inputs differently from the query inputs."""
        return X

    def sample_tasks(self, n_tasks: int, n_shots: int, n_queries: int) -> list[Task]:
        """Draw ``n_tasks`` tasks as :class:`Task` objects (readable; use ``sample_batch`` in hot loops)."""
        batch = self.sample_batch(n_tasks, n_shots, n_queries)
        prefix = type(self).__name__.replace("TaskSampler", "").lower() or "task"
        return [
            Task(batch["X_support"][i], batch["y_support"][i], batch["X_query"][i], batch["y_query"][i],
                 name=f"{prefix} {i}",
                 parameters={key: float(value[i]) if np.ndim(value[i]) == 0 else value[i]
                             for key, value in batch["parameters"].items()})
            for i in range(n_tasks)
        ]

    def sample_task(self, n_shots: int, n_queries: int) -> Task:
        """Draw one :class:`Task`."""
        return self.sample_tasks(1, n_shots, n_queries)[0]

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in vars(self).items()
                             if not key.startswith("_"))
        return f"{type(self).__name__}({settings})"


class LinearTaskSampler(TaskSampler):
    """Linear regression tasks ``y = X @ w + b + noise`` whose weights share a common mean.

    Each task is a "site": the same kind of measurement, a slightly different relation. The spread of
    the weights around ``weight_mean`` sets how much one task tells about another; ``shift`` moves the
    whole family, to model a new hospital whose relation differs from the training sites.

    Parameters
    ----------
    n_features : int, default=1
    weight_mean : float or array-like, default=2.0
        Centre of the task weights (the y = 2x line of the workbook).
    weight_std : float, default=0.5
        Spread of the task weights around ``weight_mean``: task diversity.
    intercept_std : float, default=0.5
        Spread of the task intercepts around 0.
    shift : float, default=0.0
        Added to every weight: distribution shift of the whole family.
    x_range : tuple of float, default=(-1.0, 1.0)
        Inputs are uniform in this range.
    noise : float, default=0.3
        Standard deviation of the label noise.
    random_state : int, Generator or None

    Examples
    --------
    >>> sampler = LinearTaskSampler(random_state=0)
    >>> task = sampler.sample_task(n_shots=5, n_queries=50)
    >>> task
    Task('linear 0', 5 support / 50 query, 1 feature)
    >>> sorted(task.parameters)
    ['intercept', 'weights']
    """

    def __init__(self, *, n_features: int = 1, weight_mean=2.0, weight_std: float = 0.5,
                 intercept_std: float = 0.5, shift: float = 0.0, x_range=(-1.0, 1.0), noise: float = 0.3,
                 random_state=None):
        super().__init__(noise=noise, random_state=random_state)
        self.n_features = n_features
        self.weight_mean = weight_mean
        self.weight_std = weight_std
        self.intercept_std = intercept_std
        self.shift = shift
        self.x_range = x_range

    def _draw_parameters(self, rng, n_tasks):
        n_features = check_count("n_features", self.n_features)
        if self.weight_std < 0 or self.intercept_std < 0 or self.noise < 0:
            raise ValueError("weight_std, intercept_std and noise must be >= 0")
        mean = np.broadcast_to(np.asarray(self.weight_mean, dtype=float), (n_features,))
        weights = mean + self.shift + self.weight_std * rng.standard_normal((n_tasks, n_features))
        intercept = self.intercept_std * rng.standard_normal(n_tasks)
        return {"weights": weights, "intercept": intercept}

    def _draw_inputs(self, rng, n_tasks, n_points):
        low, high = self.x_range
        if not low < high:
            raise ValueError(f"x_range must be (low, high) with low < high, got {self.x_range!r}")
        return rng.uniform(low, high, size=(n_tasks, n_points, self.n_features))

    def _targets(self, X, parameters):
        return np.einsum("tnd,td->tn", X, parameters["weights"]) + parameters["intercept"][:, None]


class SinusoidTaskSampler(TaskSampler):
    """Sinusoid regression tasks ``y = amplitude * sin(x - phase)``, the benchmark of Finn et al. (2017).

    Every task is a sine wave with its own amplitude and phase; a few support points must be enough to
    recover the whole curve. With ``support_side="left"`` (or ``"right"``) all support inputs fall in the
    left (right) half of ``x_range`` while query inputs cover all of it: the learner must extrapolate,
    which only works when the family's shape was learned.

    Parameters
    ----------
    amplitude_range : tuple of float, default=(0.1, 5.0)
        Amplitudes are uniform in this range.
    phase_range : tuple of float, default=(0.0, pi)
        Phases are uniform in this range.
    x_range : tuple of float, default=(-5.0, 5.0)
        Inputs are uniform in this range.
    support_side : {None, "left", "right"}, default=None
        Restrict the support inputs to one half of ``x_range`` (the "half-range" experiment).
    noise : float, default=0.0
        Standard deviation of the label noise.
    random_state : int, Generator or None

    Notes
    -----
    Introduced in ``notebooks/12_maml_sinusoid.ipynb``.

    References
    ----------
    Finn, C., Abbeel, P. & Levine, S. (2017). Model-agnostic meta-learning for fast adaptation of deep
    networks. ICML. arXiv:1703.03400.

    Examples
    --------
    >>> sampler = SinusoidTaskSampler(random_state=0)
    >>> task = sampler.sample_task(n_shots=10, n_queries=100)
    >>> task
    Task('sinusoid 0', 10 support / 100 query, 1 feature)
    >>> sorted(task.parameters)
    ['amplitude', 'phase']
    >>> left = SinusoidTaskSampler(support_side="left", random_state=0).sample_task(10, 100)
    >>> bool(left.X_support.max() <= 0.0)
    True
    """

    def __init__(self, *, amplitude_range=(0.1, 5.0), phase_range=(0.0, np.pi), x_range=(-5.0, 5.0),
                 support_side=None, noise: float = 0.0, random_state=None):
        super().__init__(noise=noise, random_state=random_state)
        self.amplitude_range = amplitude_range
        self.phase_range = phase_range
        self.x_range = x_range
        self.support_side = support_side

    @staticmethod
    def _check_range(name, value):
        try:
            low, high = (float(bound) for bound in value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a pair (low, high), got {value!r}") from None
        if not low <= high:
            raise ValueError(f"{name} must be (low, high) with low <= high, got {value!r}")
        return low, high

    def _draw_parameters(self, rng, n_tasks):
        if self.noise < 0:
            raise ValueError(f"noise must be >= 0, got {self.noise!r}")
        check_choice("support_side", self.support_side, (None, "left", "right"))
        amplitude = rng.uniform(*self._check_range("amplitude_range", self.amplitude_range), size=n_tasks)
        phase = rng.uniform(*self._check_range("phase_range", self.phase_range), size=n_tasks)
        return {"amplitude": amplitude, "phase": phase}

    def _draw_inputs(self, rng, n_tasks, n_points):
        low, high = self._check_range("x_range", self.x_range)
        if not low < high:
            raise ValueError(f"x_range must be (low, high) with low < high, got {self.x_range!r}")
        return rng.uniform(low, high, size=(n_tasks, n_points, 1))

    def _arrange_support(self, X, n_shots):
        if self.support_side is None:
            return X
        low, high = self._check_range("x_range", self.x_range)
        middle = (low + high) / 2
        X = X.copy()
        # Squeeze the support draws into one half: same random numbers, so tasks match the full-range ones.
        start = low if self.support_side == "left" else middle
        X[:, :n_shots] = start + (X[:, :n_shots] - low) / 2
        return X

    @staticmethod
    def function(X, amplitude, phase):
        """Evaluate ``amplitude * sin(X - phase)``: the true curve of one task (or broadcast over tasks)."""
        return amplitude * np.sin(np.asarray(X, dtype=float) - phase)

    def _targets(self, X, parameters):
        return self.function(X[..., 0], parameters["amplitude"][:, None], parameters["phase"][:, None])
