"""Warm-started hyperparameter search: AutoML that learns from earlier tasks which settings to try first.

Every task is a small 1-D regression problem; a *configuration* is a polynomial degree and a ridge
strength. Searching from scratch tries configurations in random order. A warm start (Feurer et al., 2015)
describes each task by a few *meta-features*, finds the most similar earlier tasks, and tries first the
configurations that ranked best on them. The figure of merit is the number of configurations evaluated
before one is within a tolerance of the best.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from medmeta_lite.data.tasks import Task
from medmeta_lite.validation import check_count, check_non_negative, make_rng

__all__ = [
    "WarmStartSearch",
    "configuration_errors",
    "meta_features",
    "polynomial_ridge_grid",
    "random_search_expected_evaluations",
    "sample_curve_tasks",
]


DEFAULT_DEGREES = tuple(range(1, 11))
DEFAULT_ALPHAS = tuple(10.0 ** exponent for exponent in range(-6, 2))


def polynomial_ridge_grid(degrees=DEFAULT_DEGREES, alphas=DEFAULT_ALPHAS) -> list[dict]:
    """Return every combination of a polynomial degree and a ridge strength as a list of dicts.

    The default is 10 degrees times 8 ridge strengths (1e-6 to 10): 80 configurations.

    Examples
    --------
    >>> grid = polynomial_ridge_grid(degrees=(1, 2), alphas=(0.1, 1.0))
    >>> len(grid), grid[0]
    (4, {'degree': 1, 'alpha': 0.1})
    """
    return [{"degree": int(degree), "alpha": float(alpha)} for degree in degrees for alpha in alphas]


def sample_curve_tasks(n_tasks: int, *, n_shots: int = 30, n_queries: int = 100, frequency_range=(0.5, 8.0),
                       noise: float = 0.1, random_state=None) -> list[Task]:
    """Draw 1-D tasks ``y = sin(frequency * x + phase) + noise`` on ``x`` in [-1, 1].

    The frequency (log-uniform in ``frequency_range``) sets how wiggly a task is, and so which polynomial
    degree and ridge strength suit it: the hyperparameter landscape differs between tasks but is similar
    for similar tasks.

    Parameters
    ----------
    n_tasks, n_shots, n_queries : int
        Number of tasks, and support (training) and query (validation) examples per task.
    frequency_range : tuple of float, default=(0.5, 8.0)
    noise : float, default=0.1
    random_state : int, Generator or None

    Returns
    -------
    list of Task
        Each with ``parameters`` ``{"frequency": ..., "phase": ...}``.

    Examples
    --------
    >>> tasks = sample_curve_tasks(2, n_shots=10, n_queries=20, random_state=0)
    >>> tasks[0]
    Task('curve 0', 10 support / 20 query, 1 feature)
    """
    for name, value in (("n_tasks", n_tasks), ("n_shots", n_shots), ("n_queries", n_queries)):
        check_count(name, value)
    low, high = frequency_range
    if not 0 < low <= high:
        raise ValueError(f"frequency_range must be (low, high) with 0 < low <= high, got {frequency_range!r}")
    rng = make_rng(random_state)
    frequencies = np.exp(rng.uniform(np.log(low), np.log(high), n_tasks))
    phases = rng.uniform(0, 2 * np.pi, n_tasks)
    tasks = []
    for index, (frequency, phase) in enumerate(zip(frequencies, phases, strict=True)):
        x = rng.uniform(-1, 1, size=(n_shots + n_queries, 1))
        y = np.sin(frequency * x[:, 0] + phase) + noise * rng.standard_normal(len(x))
        tasks.append(Task(x[:n_shots], y[:n_shots], x[n_shots:], y[n_shots:], name=f"curve {index}",
                          parameters={"frequency": float(frequency), "phase": float(phase)}))
    return tasks


def _powers(x: np.ndarray, degree: int) -> np.ndarray:
    return np.vander(x[:, 0], degree + 1, increasing=True)


def configuration_errors(task: Task, configurations) -> np.ndarray:
    """Query mean squared error of polynomial ridge regression fitted on the support set, per configuration.

    The intercept (the constant column) is penalised like the other coefficients; inputs lie in [-1, 1],
    so plain powers of ``x`` stay well scaled up to degree 10.

    Examples
    --------
    >>> task = sample_curve_tasks(1, random_state=0)[0]
    >>> configuration_errors(task, polynomial_ridge_grid(degrees=(1, 5), alphas=(1e-3,))).round(2)
    array([0.59, 0.02])
    """
    if task.X_support.shape[1] != 1:
        raise ValueError("configuration_errors expects tasks with one feature")
    errors = []
    for configuration in configurations:
        degree, alpha = configuration["degree"], configuration["alpha"]
        support, query = _powers(task.X_support, degree), _powers(task.X_query, degree)
        system = support.T @ support + alpha * np.eye(degree + 1)
        coef = np.linalg.lstsq(system, support.T @ task.y_support, rcond=None)[0]
        errors.append(np.mean((query @ coef - task.y_query) ** 2))
    return np.asarray(errors)


def meta_features(task: Task) -> np.ndarray:
    """Describe a task by two numbers computed from its support set only.

    Returns ``[roughness, log variance]``: roughness is the mean squared difference of successive targets
    (sorted by ``x``) relative to the targets' variance, near 0 for a smooth trend and near 2 for noise.

    Examples
    --------
    >>> smooth, wiggly = sample_curve_tasks(1, frequency_range=(1, 1), random_state=0) + sample_curve_tasks(
    ...     1, frequency_range=(8, 8), random_state=0)
    >>> bool(meta_features(smooth)[0] < meta_features(wiggly)[0])
    True
    """
    order = np.argsort(task.X_support[:, 0])
    y = task.y_support[order]
    variance = max(float(np.var(y)), 1e-12)
    roughness = float(np.mean(np.diff(y) ** 2)) / variance
    return np.array([roughness, np.log(variance)])


def _good_enough(errors: np.ndarray, tolerance: float) -> np.ndarray:
    return errors <= errors.min() * (1 + tolerance)


def random_search_expected_evaluations(errors, tolerance: float = 0.1) -> float:
    """Expected evaluations of a random-order search until one configuration is within ``tolerance``.

    Without replacement, with ``m`` good configurations among ``N``, the first good one is expected at
    position ``(N + 1) / (m + 1)``.

    Examples
    --------
    >>> random_search_expected_evaluations([1.0, 2.0, 3.0, 4.0], tolerance=0.0)
    2.5
    """
    errors = np.asarray(errors, dtype=float)
    n_good = int(_good_enough(errors, check_non_negative("tolerance", tolerance)).sum())
    return (errors.size + 1) / (n_good + 1)


class WarmStartSearch(BaseEstimator):
    """Order configurations for a new task by how they ranked on the most similar earlier tasks.

    Parameters
    ----------
    configurations : list of dict or None, default=None
        Candidates (``degree`` and ``alpha``); None uses :func:`polynomial_ridge_grid`.
    n_neighbors : int, default=3
        Earlier tasks whose rankings are averaged.

    Attributes
    ----------
    configurations_ : list of dict
    errors_ : ndarray of shape (n_tasks, n_configurations)
        Query error of every configuration on every earlier task.
    meta_features_ : ndarray of shape (n_tasks, 2)
    n_tasks_ : int

    Notes
    -----
    Introduced in ``notebooks/04_applications.ipynb``.

    References
    ----------
    .. [1] M. Feurer, J. T. Springenberg and F. Hutter, "Initializing Bayesian hyperparameter optimization
       via meta-learning", AAAI 2015.

    Examples
    --------
    >>> history = sample_curve_tasks(30, random_state=0)
    >>> search = WarmStartSearch(n_neighbors=3).fit(history)
    >>> new_task = sample_curve_tasks(1, random_state=1)[0]
    >>> search.evaluations_to_target(new_task, tolerance=0.1) <= random_search_expected_evaluations(
    ...     configuration_errors(new_task, search.configurations_), tolerance=0.1)
    True
    """

    def __init__(self, *, configurations=None, n_neighbors: int = 3):
        self.configurations = configurations
        self.n_neighbors = n_neighbors

    def fit(self, tasks):
        """Evaluate every configuration on every earlier task and store the tasks' meta-features.

        Parameters
        ----------
        tasks : list of Task
            Earlier tasks with one feature.

        Returns
        -------
        self : WarmStartSearch
        """
        tasks = list(tasks)
        if not tasks:
            raise ValueError("tasks is empty: a warm start needs earlier tasks")
        check_count("n_neighbors", self.n_neighbors)
        configurations = polynomial_ridge_grid() if self.configurations is None else list(self.configurations)
        if not configurations:
            raise ValueError("configurations is empty")
        self.configurations_ = configurations
        self.errors_ = np.array([configuration_errors(task, configurations) for task in tasks])
        self.meta_features_ = np.array([meta_features(task) for task in tasks])
        self._feature_mean = self.meta_features_.mean(axis=0)
        self._feature_scale = self.meta_features_.std(axis=0) + 1e-12
        self.n_tasks_ = len(tasks)
        return self

    def neighbours(self, task: Task) -> np.ndarray:
        """Indices of the earlier tasks closest to ``task`` in standardised meta-feature space."""
        check_is_fitted(self)
        standardised = (self.meta_features_ - self._feature_mean) / self._feature_scale
        query = (meta_features(task) - self._feature_mean) / self._feature_scale
        distances = np.linalg.norm(standardised - query, axis=1)
        return np.argsort(distances, kind="stable")[:min(self.n_neighbors, self.n_tasks_)]

    def suggest(self, task: Task) -> np.ndarray:
        """Configuration indices in the order to try them on ``task`` (best average rank first)."""
        neighbours = self.neighbours(task)
        ranks = np.argsort(np.argsort(self.errors_[neighbours], axis=1, kind="stable"), axis=1)
        return np.argsort(ranks.mean(axis=0), kind="stable")

    def evaluations_to_target(self, task: Task, tolerance: float = 0.1) -> int:
        """Evaluations the warm-started search needs on ``task`` to find a configuration within tolerance.

        The best error on ``task`` is found by evaluating every configuration, which a real search cannot
        do; it is used here only to score the search.
        """
        tolerance = check_non_negative("tolerance", tolerance)
        errors = configuration_errors(task, self.configurations_)
        good = _good_enough(errors, tolerance)
        return int(np.flatnonzero(good[self.suggest(task)])[0]) + 1
