"""Computations behind the learner notebooks (08-10): ensembles, gradient-descent runs, Keras snapshots.
"""

from __future__ import annotations

import dataclasses
import numbers
import warnings
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from medmeta_lite.learners.averaging import AveragingMetaLearner
from medmeta_lite.learners.gradient import GradientDescentRegressor
from medmeta_lite.learners.keras_learner import KerasRegressor, fit_with_snapshots
from medmeta_lite.learners.linear import LinearRegression
from medmeta_lite.validation import check_count, check_non_negative, make_rng


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


@dataclass(frozen=True)
class BaggedLine:
    """A bagged linear regression on a noisy line, with every member's prediction on a grid.

    Attributes
    ----------
    X : ndarray of shape (n_samples, 1)
    y : ndarray of shape (n_samples,)
        The training points (see :func:`noisy_line`).
    grid : ndarray of shape (50,)
        Inputs from 0 to 10 where the members predict.
    member_predictions : ndarray of shape (n_estimators, 50)
        Row ``i`` is member ``i``'s prediction on ``grid``; read-only.
    """

    X: np.ndarray
    y: np.ndarray
    grid: np.ndarray
    member_predictions: np.ndarray


# The largest ensemble fitted so far for each (n_samples, noise, random_state), most recent last.
_bagged_lines: OrderedDict[tuple, BaggedLine] = OrderedDict()
_BAGGED_LINES_KEPT = 16


def bagged_line(n_estimators: int, noise: float, *, n_samples: int = 12, random_state=0) -> BaggedLine:
    """Fit ``AveragingMetaLearner(n_estimators)`` on :func:`noisy_line` data; predict with each member.

    The members are drawn one after the other from one random generator, so the first ``k`` members of a
    larger ensemble *are* the ``k``-member ensemble, to the last bit. With an integer ``random_state`` the
    largest ensemble fitted so far for the same data is kept (for the last 16 data settings), and a smaller
    ``n_estimators`` takes its first rows: moving the "members" slider of notebook 08 down and up refits
    nothing. A larger one, new data or a ``random_state`` that is not an integer fits as usual.

    Parameters
    ----------
    n_estimators : int
        Number of members (bootstrap resamples), at least 1.
    noise : float
        Standard deviation of the label noise, at least 0.
    n_samples : int, default=12
    random_state : int, Generator or None, default=0

    Returns
    -------
    BaggedLine

    Examples
    --------
    >>> line = bagged_line(5, 2.0)
    >>> line.member_predictions.shape
    (5, 50)
    >>> fresh = AveragingMetaLearner(n_estimators=3, random_state=0).fit(line.X, line.y)
    >>> bool(np.array_equal(bagged_line(3, 2.0).member_predictions,
    ...                     fresh.member_predictions(line.grid.reshape(-1, 1))))
    True
    """
    n_estimators = check_count("n_estimators", n_estimators)
    noise = check_non_negative("noise", noise)
    n_samples = check_count("n_samples", n_samples)
    if not isinstance(random_state, numbers.Integral) or isinstance(random_state, bool):
        return _fit_bagged_line(n_estimators, noise, n_samples, random_state)  # nothing fixes the draw
    key = (n_samples, noise, int(random_state))
    kept = _bagged_lines.get(key)
    if kept is None or len(kept.member_predictions) < n_estimators:
        kept = _bagged_lines[key] = _fit_bagged_line(n_estimators, noise, n_samples, int(random_state))
        if len(_bagged_lines) > _BAGGED_LINES_KEPT:
            _bagged_lines.popitem(last=False)
    _bagged_lines.move_to_end(key)
    return dataclasses.replace(kept, member_predictions=kept.member_predictions[:n_estimators])


def _fit_bagged_line(n_estimators: int, noise: float, n_samples: int, random_state) -> BaggedLine:
    X, y = noisy_line(n_samples, noise, random_state)
    grid = np.linspace(0.0, 10.0, 50)
    ensemble = AveragingMetaLearner(n_estimators=n_estimators, random_state=random_state).fit(X, y)
    line = BaggedLine(X, y, grid, ensemble.member_predictions(grid.reshape(-1, 1)))
    for array in (line.X, line.y, line.grid, line.member_predictions):
        array.flags.writeable = False  # kept for later calls: a caller must not change them
    return line


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
