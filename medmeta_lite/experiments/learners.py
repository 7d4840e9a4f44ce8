"""Computations behind the learner notebooks (08-10): ensembles, gradient-descent runs, Keras snapshots.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from medmeta_lite.learners.averaging import AveragingMetaLearner
from medmeta_lite.learners.gradient import GradientDescentRegressor
from medmeta_lite.learners.keras_learner import KerasRegressor, fit_with_snapshots
from medmeta_lite.learners.linear import LinearRegression
from medmeta_lite.validation import make_rng


def noisy_line(n_samples: int, noise: float, random_state=0, slope: float = 2.0):
    """Draw ``n_samples`` points of ``y = slope * x + noise * N(0, 1)`` with ``x`` uniform in [0, 10].

    Examples
    --------
    >>> X, y = noisy_line(5, 0.0)
    >>> X.shape, bool(np.allclose(y, 2 * X.ravel()))
    ((5, 1), True)
    """
    rng = make_rng(random_state)
    X = rng.uniform(0.0, 10.0, size=(n_samples, 1))
    return X, slope * X.ravel() + noise * rng.standard_normal(n_samples)


def ensemble_variance_curve(n_estimators_options, noise: float, *, n_samples: int = 12,
                            n_datasets: int = 200, random_state=0) -> dict:
    """Variance of the prediction at x = 10 across many data sets, for a single member and for ensembles.

    Bagging averages members fitted on resamples of one data set, so it removes the part of the variance
    that comes from *which* points were resampled, not the part that comes from the data set itself.

    Parameters
    ----------
    n_estimators_options : sequence of int
    noise : float
    n_samples, n_datasets : int
    random_state : int

    Returns
    -------
    dict
        ``n_estimators`` (array) and ``variance`` (array): variance of the prediction at x = 10 across
        ``n_datasets`` independent data sets; ``full_data_variance``: the same for one linear regression
        fitted on all the points of each data set (no resampling).

    Examples
    --------
    >>> curve = ensemble_variance_curve([1, 20], noise=2.0, n_datasets=30)
    >>> bool(curve["variance"][1] < curve["variance"][0])
    True
    """
    rng = make_rng(random_state)
    seeds = rng.integers(np.iinfo(np.int32).max, size=n_datasets)
    point = np.array([[10.0]])
    variances = []
    for n_estimators in n_estimators_options:
        predictions = [AveragingMetaLearner(n_estimators=n_estimators, random_state=int(seed))
                       .fit(*noisy_line(n_samples, noise, int(seed))).predict(point)[0] for seed in seeds]
        variances.append(np.var(predictions))
    full_data = [LinearRegression().fit(*noisy_line(n_samples, noise, int(seed))).predict(point)[0]
                 for seed in seeds]
    return {"n_estimators": np.asarray(n_estimators_options), "variance": np.asarray(variances),
            "full_data_variance": float(np.var(full_data))}


def gradient_descent_run(learning_rate: float, n_iter: int, X: np.ndarray, y: np.ndarray, *,
                         standardize: bool = False, random_state=0) -> tuple[GradientDescentRegressor, str]:
    """Fit :class:`GradientDescentRegressor` and return it with the warning it gave ("" when none).

    Examples
    --------
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1)
    >>> model, message = gradient_descent_run(5.0, 100, X, 2 * X.ravel())
    >>> model.diverged_, message.startswith("learning_rate=5.0 diverged")
    (True, True)
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = GradientDescentRegressor(learning_rate=learning_rate, n_iter=n_iter, tol=0,
                                         standardize=standardize, random_state=random_state).fit(X, y)
    return model, "; ".join(str(warning.message) for warning in caught)


@dataclass(frozen=True)
class KerasSnapshots:
    """Predictions of Keras networks of several widths after several epochs, computed once.

    Attributes
    ----------
    hidden_units_options : tuple of int
    checkpoints : tuple of int
        Epochs at which predictions were recorded.
    X_grid : ndarray of shape (n_points, 1)
    predictions : dict of (int, int) to ndarray
        ``predictions[hidden_units, epoch]`` on ``X_grid``.
    histories : dict of int to ndarray
        Training loss per epoch for each width.
    linear_predictions : ndarray
        The closed-form fit on ``X_grid``, for comparison.
    """

    hidden_units_options: tuple
    checkpoints: tuple
    X_grid: np.ndarray
    predictions: dict
    histories: dict
    linear_predictions: np.ndarray


def keras_snapshots(X, y, *, hidden_units_options=(1, 4, 16), checkpoints=(10, 50, 200),
                    learning_rate: float = 0.05, X_grid=None, random_state=0) -> KerasSnapshots:
    """Train one network per width for ``max(checkpoints)`` epochs, recording predictions along the way.

    This is the slow part of the Keras widget (a few seconds); the widget's callback only plots.
    ``X_grid`` (default: 60 points spanning ``X``) are the inputs where predictions are recorded; reach
    beyond the training range to show how each model extrapolates.

    Examples
    --------
    >>> X = np.linspace(0, 1, 8).reshape(-1, 1)
    >>> snapshots = keras_snapshots(X, 2 * X.ravel(), hidden_units_options=(2,), checkpoints=(1, 3))
    >>> sorted(snapshots.predictions)
    [(2, 1), (2, 3)]
    """

    X = np.asarray(X, dtype=float)
    if X_grid is None:
        X_grid = np.linspace(X.min(), X.max(), 60)
    X_grid = np.asarray(X_grid, dtype=float).reshape(-1, 1)
    predictions, histories = {}, {}
    for hidden_units in hidden_units_options:
        model = KerasRegressor(hidden_units=hidden_units, epochs=max(checkpoints),
                               learning_rate=learning_rate, random_state=random_state)
        for epoch, values in fit_with_snapshots(model, X, y, X_grid, checkpoints).items():
            predictions[hidden_units, epoch] = values
        histories[hidden_units] = model.history_
    return KerasSnapshots(tuple(hidden_units_options), tuple(sorted(checkpoints)), X_grid, predictions,
                          histories, LinearRegression().fit(X, y).predict(X_grid))
