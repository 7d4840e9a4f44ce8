"""Figures for the toy line y = 2x (``notebooks/00_start_here.ipynb``)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from medmeta_lite.plotting.style import colour, new_figure


def line_fit_error(slope: float, X: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of the line ``y = slope * x`` (no intercept) on ``(X, y)``.

    Examples
    --------
    >>> import numpy as np
    >>> line_fit_error(2.0, np.array([[1.0], [2.0]]), np.array([2.0, 4.0]))
    0.0
    """
    return float(np.mean((slope * np.ravel(X) - y) ** 2))


def plot_line_guess(slope: float, line) -> Figure:
    """Plot the toy line's training and held-out points with the line ``y = slope * x``.

    Parameters
    ----------
    slope : float
        The slope the reader guesses with the slider.
    line : sklearn.utils.Bunch
        The result of :func:`medmeta_lite.data.bundled.load_toy_line`.

    Returns
    -------
    matplotlib.figure.Figure
        The title states the held-out mean squared error of the guess.

    Examples
    --------
    >>> from medmeta_lite.data.bundled import load_toy_line
    >>> figure = plot_line_guess(1.5, load_toy_line())
    >>> figure.axes[0].get_title().startswith("slope 1.50")
    True
    """
    figure, axes = new_figure(width=5.5, height=3.6)
    grid = np.linspace(0.0, 15.5, 2)
    axes.scatter(line.X_train.ravel(), line.y_train, label="training points", color=colour("member"))
    axes.scatter(line.X_test.ravel(), line.y_test, marker="x", label="held-out points",
                 color=colour("scratch"))
    axes.plot(grid, slope * grid, color=colour("meta-learned"), label=f"your line: y = {slope:.2f} x")
    axes.plot(grid, line.slope * grid, color="black", linestyle=":", linewidth=1, label="true line: y = 2 x")
    error = line_fit_error(slope, line.X_test, line.y_test)
    axes.set(xlabel="x", ylabel="y", xlim=(-0.5, 15.5), ylim=(-3, 35),
             title=f"slope {slope:.2f}: held-out MSE = {error:.2f}")
    axes.legend(loc="upper left")
    return figure
