"""Widgets of the base-learner notebooks: ensemble size and noise, learning rate and iterations, Keras width.

Each helper returns an ``ipywidgets.interactive``; the callbacks are the pure ``plot_*`` functions of
:mod:`medmeta_lite.plotting.learners`, listed in ``BENCHMARK_CASES``.
"""

from __future__ import annotations

import functools

import ipywidgets as widgets
import numpy as np
from sklearn.datasets import load_diabetes

from medmeta_lite.experiments.learners import KerasSnapshots
from medmeta_lite.plotting.learners import plot_ensemble, plot_keras_fit, plot_loss_curve
from medmeta_lite.widgets.figure_view import figure_explorer


def _slider_options() -> dict:
    # a fresh Layout per slider: no widget is created when this module is imported
    return {"continuous_update": False, "style": {"description_width": "110px"},
            "layout": widgets.Layout(width="460px")}


@functools.cache
def standardized_diabetes() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's diabetes data with every feature scaled to mean 0 and standard deviation 1.

    Examples
    --------
    >>> X, y = standardized_diabetes()
    >>> X.shape, bool(np.allclose(X.std(axis=0), 1.0))
    ((442, 10), True)
    """
    X, y = load_diabetes(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def ensemble_explorer(n_estimators: int = 10, noise: float = 2.0, random_state: int = 0):
    """Sliders for the number of members and the label noise of a bagged linear regression.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter the first draw prints escapes
    ...     explorer = ensemble_explorer()
    >>> [child.description for child in explorer.children[:2]]
    ['members', 'noise']
    """
    return figure_explorer(
        plot_ensemble,
        n_estimators=widgets.IntSlider(value=n_estimators, min=1, max=50, description="members",
                                       **_slider_options()),
        noise=widgets.FloatSlider(value=noise, min=0.0, max=5.0, step=0.25, description="noise",
                                  **_slider_options()),
        random_state=widgets.fixed(random_state))


def learning_rate_explorer(learning_rate: float = 0.1, n_iter: int = 200, random_state: int = 0):
    """Sliders for the learning rate and the number of iterations of gradient descent on diabetes data.

    Learning rates above about 0.25 diverge on the standardised data; the figure then shows the message.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter the first draw prints escapes
    ...     explorer = learning_rate_explorer()
    >>> [child.description for child in explorer.children[:2]]
    ['learning_rate', 'n_iter']
    """
    X, y = standardized_diabetes()

    return figure_explorer(
        plot_loss_curve,
        learning_rate=widgets.FloatLogSlider(value=learning_rate, base=10, min=-3, max=0, step=0.05,
                                             readout_format=".3f", description="learning_rate",
                                             **_slider_options()),
        n_iter=widgets.IntSlider(value=n_iter, min=10, max=2000, step=10, description="n_iter",
                                 **_slider_options()),
        X=widgets.fixed(X), y=widgets.fixed(y), random_state=widgets.fixed(random_state))


def keras_explorer(snapshots: KerasSnapshots, X, y, *, X_held_out=None, y_held_out=None):
    """Sliders over a precomputed grid of Keras fits (width x epochs); each move only redraws.

    Parameters
    ----------
    snapshots : KerasSnapshots
        From :func:`medmeta_lite.plotting.learners.keras_snapshots` (the training happens there).
    X, y : ndarray
        The training data of the snapshots.
    X_held_out, y_held_out : ndarray, optional
        Held-out points to draw as crosses.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter the first draw prints escapes
    ...     explorer = keras_explorer(_benchmark_snapshots(), *_benchmark_line())
    >>> [child.description for child in explorer.children[:2]]
    ['hidden_units', 'epochs']
    """
    return figure_explorer(
        plot_keras_fit,
        snapshots=widgets.fixed(snapshots),
        hidden_units=widgets.SelectionSlider(options=list(snapshots.hidden_units_options),
                                             value=snapshots.hidden_units_options[-1],
                                             description="hidden_units", **_slider_options()),
        epochs=widgets.SelectionSlider(options=list(snapshots.checkpoints), value=snapshots.checkpoints[-1],
                                       description="epochs", **_slider_options()),
        X=widgets.fixed(X), y=widgets.fixed(y), X_held_out=widgets.fixed(X_held_out),
        y_held_out=widgets.fixed(y_held_out))


@functools.cache
def _benchmark_line():
    X = np.linspace(0.0, 1.0, 11).reshape(-1, 1)
    return X, 2.0 * X.ravel()


@functools.cache
def _benchmark_snapshots() -> KerasSnapshots:
    # Same shapes as real snapshots, made without TensorFlow: the callback's cost is the plotting alone.
    X, y = _benchmark_line()
    grid = np.linspace(0.0, 1.0, 60).reshape(-1, 1)
    widths, checkpoints = (1, 4, 16), (10, 50, 200)
    predictions = {(width, epoch): (1 - np.exp(-epoch / 50)) * 2 * grid.ravel()
                   for width in widths for epoch in checkpoints}
    histories = {width: np.geomspace(1.0, 1e-3, 200) for width in widths}
    return KerasSnapshots(widths, checkpoints, grid, predictions, histories, 2 * grid.ravel())


BENCHMARK_CASES = [
    ("learners.ensemble_explorer", plot_ensemble, {"n_estimators": 50, "noise": 2.0}),
    ("learners.learning_rate_explorer", functools.partial(plot_loss_curve, X=standardized_diabetes()[0],
                                                          y=standardized_diabetes()[1]),
     {"learning_rate": 0.1, "n_iter": 2000}),
    ("learners.learning_rate_explorer (diverging)",
     functools.partial(plot_loss_curve, X=standardized_diabetes()[0], y=standardized_diabetes()[1]),
     {"learning_rate": 0.5, "n_iter": 2000}),
    ("learners.keras_explorer",
     functools.partial(plot_keras_fit, _benchmark_snapshots(), X=_benchmark_line()[0],
                       y=_benchmark_line()[1]),
     {"hidden_units": 16, "epochs": 50}),
]
