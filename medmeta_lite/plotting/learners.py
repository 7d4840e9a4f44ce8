"""Figures for the base-learner notebooks (08 averaging, 09 gradient descent, 10 Keras).

Each ``plot_*`` function is a pure callback for a widget: it takes plain values, returns a ``Figure`` and
never prints. Anything slow (a grid of Keras fits) is computed beforehand by a separate function.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from medmeta_lite.experiments.learners import KerasSnapshots, bagged_line, gradient_descent_run
from medmeta_lite.learners.averaging import EnsembleLosses
from medmeta_lite.learners.linear import LinearRegression
from medmeta_lite.plotting.style import colour, log_scale, new_figure


def plot_ensemble(n_estimators: int, noise: float, *, n_samples: int = 12, random_state=0,
                  figure: Figure | None = None) -> Figure:
    """Bagged linear regressions on a noisy line: the members, their average and the errors.

    Left: the training points, every member's line (grey) and the ensemble's (blue). Right: each member's
    mean squared error against the true line ``y = 2x`` on [0, 10], their mean and the ensemble's.

    Parameters
    ----------
    n_estimators : int
        Number of members (bootstrap resamples).
    noise : float
        Standard deviation of the label noise.
    n_samples : int, default=12
    random_state : int, default=0
    figure : Figure, optional
        A figure returned by an earlier call: redraw the data in its axes instead of building a new
        figure (what a slider does on every move, see :class:`medmeta_lite.widgets.FigureView`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> figure = plot_ensemble(5, 2.0)
    >>> "ensemble MSE" in figure.axes[1].get_title()
    True
    >>> plot_ensemble(8, 2.0, figure=figure) is figure, figure.axes[0].get_title()
    (True, '8 members (grey) and their average')
    """
    line = bagged_line(n_estimators, noise, n_samples=n_samples, random_state=random_state)
    X, y, grid, members = line.X, line.y, line.grid, line.member_predictions
    losses = EnsembleLosses.from_predictions(members, 2.0 * grid)

    figure, (left, right) = new_figure(2, width=4.6, height=3.4, reuse=figure)
    # one LineCollection instead of one Line2D per member: a 50-member redraw stays cheap
    member_lines = [np.column_stack([grid, prediction]) for prediction in members]
    left.add_collection(LineCollection(member_lines, colors=colour("member"), linewidths=0.8, alpha=0.6))
    left.plot(grid, members.mean(axis=0), color=colour("ensemble"), linewidth=2.5, label="ensemble")
    left.plot(grid, 2.0 * grid, color="black", linestyle=":", label="true line y = 2x")
    left.scatter(X.ravel(), y, color=colour("scratch"), s=18, zorder=3, label="training points")
    left.set(xlabel="x", ylabel="y", title=f"{n_estimators} members (grey) and their average")
    left.legend(loc="upper left")

    positions = np.arange(1, len(losses.member_mse) + 1)  # members are counted from 1
    right.vlines(positions, 0, losses.member_mse, colors=colour("member"), linewidth=4, label="each member")
    right.xaxis.set_major_locator(MaxNLocator(integer=True))  # 3 members must not read 0.0, 0.5, ... 2.0
    right.axhline(losses.mean_member_mse, color="black", linestyle="--",
                  label=f"mean member {losses.mean_member_mse:.2f}")
    right.axhline(losses.ensemble_mse, color=colour("ensemble"), linewidth=2.5,
                  label=f"ensemble {losses.ensemble_mse:.2f}")
    right.set_ylim(0, 1.45 * max(losses.member_mse.max(), 1e-12))  # headroom for the legend
    right.set(xlabel="member", ylabel="MSE against the true line",
              title=f"ensemble MSE {losses.ensemble_mse:.2f} ≤ mean member MSE {losses.mean_member_mse:.2f}")
    right.legend(loc="upper right")
    return figure


def plot_ensemble_variance(curve: dict) -> Figure:
    """Plot the result of :func:`ensemble_variance_curve`.

    Examples
    --------
    >>> figure = plot_ensemble_variance({"n_estimators": np.array([1, 5]), "variance": np.array([2.0, 1.5])})
    >>> figure.axes[0].get_xlabel()
    'number of members'
    """
    figure, axes = new_figure(width=5.0, height=3.2)
    axes.plot(curve["n_estimators"], curve["variance"], marker="o", color=colour("ensemble"),
              label="bagged ensemble")
    if "full_data_variance" in curve:
        axes.axhline(curve["full_data_variance"], color="black", linestyle=":",
                     label="one fit on all the points")
    axes.set(xlabel="number of members", ylabel="variance of the prediction at x = 10",
             title="bagging lowers the variance, down to a floor", ylim=(0, None))
    axes.legend(loc="upper right")
    return figure


def plot_loss_curve(learning_rate: float, n_iter: int, X: np.ndarray, y: np.ndarray, *,
                    standardize: bool = False, random_state=0, figure: Figure | None = None) -> Figure:
    """How far the training loss of gradient descent is above the closed-form minimum, per iteration.

    The gap ``loss - minimum`` is drawn on a log axis, where a constant shrink factor per step is a straight
    line: the steep start is the fast directions of the loss surface, the long slope after it the slowest
    one. A learning rate that is too large makes the gap explode; the plot then stops where fitting stopped
    and the title carries the divergence message.

    Parameters
    ----------
    learning_rate : float
    n_iter : int
    X, y : ndarray
        Training data (the notebook uses the standardised diabetes data).
    standardize : bool, default=False
    random_state : int, default=0
    figure : Figure, optional
        A figure returned by an earlier call, to redraw in place (see :func:`plot_ensemble`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> X = np.linspace(-1, 1, 20).reshape(-1, 1)
    >>> figure = plot_loss_curve(0.3, 50, X, 2 * X.ravel() + 1)
    >>> figure.axes[0].get_yscale(), figure.axes[0].get_ylabel()
    ('log', 'training MSE minus its minimum')
    """
    model, message = gradient_descent_run(learning_rate, n_iter, X, y, standardize=standardize,
                                          random_state=random_state)
    minimum = float(np.mean((LinearRegression().fit(X, y).predict(X) - y) ** 2))
    figure, axes = new_figure(width=6.0, height=3.6, reuse=figure)
    steps = np.arange(len(model.loss_curve_))
    gap = model.loss_curve_ - minimum
    # A gap at rounding level (or below zero) has no place on a log axis: the curve ends there.
    shown = np.isfinite(gap) & (gap > 1e-12 * max(minimum, 1.0))
    axes.plot(steps[shown], gap[shown], color=colour("scratch"),
              label=f"gradient descent, learning_rate={learning_rate:.3g}")
    log_scale(axes)
    axes.set(xlabel="iteration", ylabel="training MSE minus its minimum")
    if model.diverged_:
        headline = textwrap.fill(message.split(" The weights")[0], width=80)
        axes.set_title(headline, color=colour("scratch"), fontsize=8, loc="left")
    else:
        axes.set_title(f"after {model.n_iter_} iterations: {gap[-1]:.2g} above the minimum MSE {minimum:.4g}")
    axes.legend(loc="lower right" if model.diverged_ else "upper right")  # away from the curve's end
    return figure


def plot_keras_fit(snapshots: KerasSnapshots, hidden_units: int, epochs: int, X, y, *, X_held_out=None,
                   y_held_out=None, figure: Figure | None = None) -> Figure:
    """A Keras network's fit after ``epochs`` epochs next to the closed form, and its loss curve.

    Parameters
    ----------
    snapshots : KerasSnapshots
        From :func:`keras_snapshots`; ``(hidden_units, epochs)`` must be one of its grid points.
    hidden_units, epochs : int
    X, y : ndarray
        The training data that the snapshots were trained on.
    X_held_out, y_held_out : ndarray, optional
        Held-out points, drawn as crosses (with a snapshot grid that reaches them, they show extrapolation).
    figure : Figure, optional
        A figure returned by an earlier call, to redraw in place (see :func:`plot_ensemble`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> grid = np.linspace(0, 1, 5).reshape(-1, 1)
    >>> fake = KerasSnapshots((2,), (1,), grid, {(2, 1): grid.ravel()}, {2: np.array([1.0])},
    ...                       2 * grid.ravel())
    >>> plot_keras_fit(fake, 2, 1, grid, 2 * grid.ravel()).axes[1].get_xlabel()
    'epoch'
    """
    if (hidden_units, epochs) not in snapshots.predictions:
        raise ValueError(f"no snapshot for hidden_units={hidden_units}, epochs={epochs}; choose from "
                         f"{snapshots.hidden_units_options} and {snapshots.checkpoints}")
    figure, (left, right) = new_figure(2, width=4.6, height=3.4, reuse=figure)
    left.scatter(np.ravel(X), y, color=colour("member"), s=18, label="training points")
    if X_held_out is not None:
        left.scatter(np.ravel(X_held_out), y_held_out, color="black", marker="x", s=28,
                     label="held-out points")
    left.plot(snapshots.X_grid, snapshots.linear_predictions, color="black", linestyle=":",
              label="closed form")
    left.plot(snapshots.X_grid, snapshots.predictions[hidden_units, epochs], color=colour("transfer"),
              linewidth=2, label=f"Keras, {hidden_units} hidden units")
    left.set(xlabel="x", ylabel="y", title=f"after {epochs} epochs")
    left.legend(loc="upper left")
    history = snapshots.histories[hidden_units]
    right.plot(np.arange(1, len(history) + 1), history, color=colour("transfer"), alpha=0.35)
    right.plot(np.arange(1, epochs + 1), history[:epochs], color=colour("transfer"), linewidth=2)
    right.axvline(epochs, color="black", linewidth=0.8)
    log_scale(right)
    right.set(xlabel="epoch", ylabel="training MSE (log scale)", title=f"loss {history[epochs - 1]:.3g}")
    return figure
