"""Widgets of the few-shot image notebooks (13, 14): redraw precomputed accuracies, never recompute them.

The notebook computes :func:`medmeta_lite.fewshot.accuracy_grid` once (every method on the same episodes
for each number of ways and shots); moving a slider only draws
:func:`medmeta_lite.plotting.images.plot_ways_shots`.
"""

from __future__ import annotations

import functools

import ipywidgets as widgets

from medmeta_lite.data.synthetic_images import load_synthetic_split
from medmeta_lite.fewshot.evaluation import accuracy_grid
from medmeta_lite.fewshot.fine_tuning import PixelNearestCentroid, ScratchClassifier
from medmeta_lite.plotting import images as image_plots
from medmeta_lite.widgets.figure_view import figure_explorer

_LAYOUT = {"width": "420px"}


def ways_shots_explorer(grid: dict, n_ways: int | None = None, n_shots: int | None = None):
    """Sliders over the number of ways and shots of a precomputed accuracy grid.

    Parameters
    ----------
    grid : dict
        From :func:`medmeta_lite.fewshot.evaluation.accuracy_grid`.
    n_ways, n_shots : int, optional
        Initial values (default: the largest ways, the middle shots).

    Returns
    -------
    ipywidgets.interactive

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # silence the console's clear codes
    ...     explorer = ways_shots_explorer(_example_grid())
    >>> [child.description for child in explorer.children[:2]]
    ['ways', 'shots']
    """
    ways_values = [int(value) for value in grid["n_ways"]]
    shots_values = [int(value) for value in grid["n_shots"]]
    n_ways = ways_values[-1] if n_ways is None else n_ways
    n_shots = shots_values[len(shots_values) // 2] if n_shots is None else n_shots

    def slider(values, value, description):
        return widgets.SelectionSlider(options=[(str(item), item) for item in values],
                                       value=min(values, key=lambda item: abs(item - value)),
                                       description=description, continuous_update=False,
                                       layout=widgets.Layout(**_LAYOUT))

    return figure_explorer(image_plots.plot_ways_shots, grid=widgets.fixed(grid),
                           n_ways=slider(ways_values, n_ways, "ways"),
                           n_shots=slider(shots_values, n_shots, "shots"))


@functools.lru_cache(maxsize=1)
def _example_grid() -> dict:
    """A small grid from the numpy-only baselines (no TensorFlow), for benchmarks and doctests."""

    test = load_synthetic_split("meta_test", 20, random_state=0)
    models = {"pixel nearest centroid": PixelNearestCentroid(), "scratch": ScratchClassifier(n_iter=20)}
    return accuracy_grid(models, test.images, test.labels, n_ways_values=(2, 5), n_shots_values=(1, 5),
                         n_queries=5, n_episodes=10)


def _redraw_ways_shots(n_ways: int, n_shots: int):
    return image_plots.plot_ways_shots(_example_grid(), n_ways, n_shots)


BENCHMARK_CASES = [
    ("images.ways_shots_explorer", _redraw_ways_shots, {"n_ways": 5, "n_shots": 5}),
]
