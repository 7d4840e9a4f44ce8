"""Sliders for the foundation notebooks (01-07): each redraws a precomputed demo, never recomputes it.

Every helper takes the dict returned by a ``make_*_demo`` function of
:mod:`medmeta_lite.plotting.foundations` (computed once in the notebook), so that moving a slider only
draws a figure.
"""

from __future__ import annotations

import functools

import ipywidgets as widgets

from medmeta_lite import experiments
from medmeta_lite.fewshot.fine_tuning import PixelNearestCentroid
from medmeta_lite.plotting import foundations
from medmeta_lite.widgets.figure_view import figure_explorer

_LAYOUT = {"width": "480px"}


def _selection_slider(values, value, description: str, format_value=str):
    options = [(format_value(item), item) for item in values]
    value = min(values, key=lambda item: abs(item - value))
    return widgets.SelectionSlider(options=options, value=value, description=description,
                                   continuous_update=False, layout=widgets.Layout(**_LAYOUT),
                                   style={"description_width": "initial"})


def shots_explorer(demo: dict, n_shots: int = 3, *, target: float | None = None):
    """Slider over the number of shots of :func:`~medmeta_lite.plotting.experiments.make_shots_demo`.

    Examples
    --------
    >>> import contextlib, io
    >>> demo = experiments.make_shots_demo(n_tasks=10, shots=(1, 5), n_test_tasks=5, n_queries=10)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # silence the console's clear codes
    ...     explorer = shots_explorer(demo)
    >>> explorer.children[0].description
    'shots'
    """
    slider = _selection_slider([int(value) for value in demo["shots"]], n_shots, "shots")
    return figure_explorer(foundations.plot_shots_demo, demo=widgets.fixed(demo), n_shots=slider,
                           target=widgets.fixed(target))


def transfer_explorer(demo: dict, distance: float = 0.5):
    """Slider over the target's distance from the source, for ``make_transfer_demo``.

    Examples
    --------
    >>> import contextlib, io
    >>> demo = experiments.make_transfer_demo(n_tasks=10, distances=(0.0, 1.0), n_target_tasks=5)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # silence the console's clear codes
    ...     explorer = transfer_explorer(demo)
    >>> explorer.children[0].description
    'distance from source'
    """
    slider = _selection_slider([float(value) for value in demo["distances"]], distance,
                               "distance from source", lambda value: f"{value:.2f}")
    return figure_explorer(foundations.plot_transfer, demo=widgets.fixed(demo), distance=slider)


def shift_explorer(demo: dict, shift: float = 1.0):
    """Slider over the distribution shift of the new tasks, for ``make_goals_demo``.

    Examples
    --------
    >>> import contextlib, io
    >>> demo = experiments.make_goals_demo(n_tasks=10, steps=(0, 1), shifts=(0, 1), n_test_tasks=5)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # silence the console's clear codes
    ...     explorer = shift_explorer(demo)
    >>> explorer.children[0].description
    'shift'
    """
    slider = _selection_slider([float(value) for value in demo["shifts"]], shift, "shift",
                               lambda value: f"{value:+.0f}")
    return figure_explorer(foundations.plot_shift, demo=widgets.fixed(demo), shift=slider)


def warm_start_explorer(demo: dict, n_history: int = 20):
    """Slider over the number of earlier tasks of the warm-started search, for ``make_warm_start_demo``.

    Examples
    --------
    >>> import contextlib, io
    >>> demo = experiments.make_warm_start_demo(n_history_grid=(5, 10), n_new_tasks=5)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # silence the console's clear codes
    ...     explorer = warm_start_explorer(demo)
    >>> explorer.children[0].description
    'earlier tasks'
    """
    slider = _selection_slider([int(value) for value in demo["n_history_grid"]], n_history, "earlier tasks")
    return figure_explorer(foundations.plot_warm_start, demo=widgets.fixed(demo), n_history=slider)


def episode_explorer(demo: dict, *, style: str = "standard", n_shots: int | None = None,
                     model: str | None = None):
    """Menus and a slider over the stored episodes of ``make_episode_demo``: style, shots and model.

    Examples
    --------
    >>> import contextlib, io
    >>> from medmeta_lite.fewshot.fine_tuning import PixelNearestCentroid
    >>> demo = experiments.make_episode_demo({"pixel nearest centroid": PixelNearestCentroid()},
    ...                                      n_episodes=5, n_per_class=10)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # silence the console's clear codes
    ...     explorer = episode_explorer(demo)
    >>> [child.description for child in explorer.children[:3]]
    ['style', 'shots', 'model']
    """
    n_shots = demo["shots"][0] if n_shots is None else n_shots
    model = demo["models"][-1] if model is None else model
    style_menu = widgets.Dropdown(options=list(demo["styles"]), value=style, description="style")
    shots_slider = _selection_slider(list(demo["shots"]), n_shots, "shots")
    model_menu = widgets.Dropdown(options=list(demo["models"]), value=model, description="model")
    return figure_explorer(foundations.plot_episode_example, demo=widgets.fixed(demo), style=style_menu,
                           n_shots=shots_slider, model=model_menu)


def meta_overfitting_explorer(demo: dict, diversity: float = 0.1):
    """Slider over the diversity of the training tasks, for ``make_meta_overfitting_demo``.

    Examples
    --------
    >>> import contextlib, io
    >>> demo = experiments.make_meta_overfitting_demo(n_tasks_grid=(2, 4), diversities=(0.1, 0.5),
    ...                                               n_test_tasks=5, n_repeats=1)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # silence the console's clear codes
    ...     explorer = meta_overfitting_explorer(demo)
    >>> explorer.children[0].description
    'training diversity'
    """
    slider = _selection_slider([float(value) for value in demo["diversities"]], diversity,
                               "training diversity", lambda value: f"{value:g}")
    return figure_explorer(foundations.plot_meta_overfitting, demo=widgets.fixed(demo), diversity=slider)


def label_savings_explorer(demo: dict, target: float = 0.6):
    """Slider over the target error, showing the labels each learner needs, for ``make_label_savings_demo``.

    Examples
    --------
    >>> import contextlib, io
    >>> demo = experiments.make_label_savings_demo(shots=(2, 20), n_repeats=1)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # silence the console's clear codes
    ...     explorer = label_savings_explorer(demo)
    >>> explorer.children[0].description
    'target error'
    """
    slider = widgets.FloatSlider(value=target, min=0.45, max=0.85, step=0.01, description="target error",
                                 continuous_update=False, readout_format=".2f",
                                 layout=widgets.Layout(**_LAYOUT), style={"description_width": "initial"})
    return figure_explorer(foundations.plot_label_savings, demo=widgets.fixed(demo), target=slider)


def _pixel_nearest_centroid():
    return PixelNearestCentroid()


# What one slider move computes: the figure of a small precomputed demo (the benchmark renders it).
@functools.cache
def _demo(name: str) -> dict:
    small = {
        "shots": lambda: experiments.make_shots_demo(n_tasks=20, n_test_tasks=10, n_queries=20),
        "transfer": lambda: experiments.make_transfer_demo(n_tasks=20, n_target_tasks=10),
        "goals": lambda: experiments.make_goals_demo(n_tasks=20, n_test_tasks=10),
        "warm start": lambda: experiments.make_warm_start_demo(n_new_tasks=20),
        "episodes": lambda: experiments.make_episode_demo(
            {"pixel nearest centroid": _pixel_nearest_centroid()}, n_episodes=20, n_per_class=10),
        "overfitting": lambda: experiments.make_meta_overfitting_demo(n_test_tasks=10, n_repeats=1),
        "labels": lambda: experiments.make_label_savings_demo(n_repeats=1),
    }
    return small[name]()


def _redraw_shots(n_shots: int, figure=None):
    return foundations.plot_shots_demo(_demo("shots"), n_shots, figure=figure)


def _redraw_transfer(distance: float):
    return foundations.plot_transfer(_demo("transfer"), distance)


def _redraw_shift(shift: float):
    return foundations.plot_shift(_demo("goals"), shift)


def _redraw_warm_start(n_history: int, figure=None):
    return foundations.plot_warm_start(_demo("warm start"), n_history, figure=figure)


def _redraw_episode(style: str, n_shots: int):
    return foundations.plot_episode_example(_demo("episodes"), style=style, n_shots=n_shots,
                                            model="pixel nearest centroid")


def _redraw_meta_overfitting(diversity: float, figure=None):
    return foundations.plot_meta_overfitting(_demo("overfitting"), diversity, figure=figure)


def _redraw_label_savings(target: float):
    return foundations.plot_label_savings(_demo("labels"), target)


BENCHMARK_CASES = [
    ("foundations.shots_explorer", _redraw_shots, {"n_shots": 3}),
    ("foundations.transfer_explorer", _redraw_transfer, {"distance": 0.5}),
    ("foundations.shift_explorer", _redraw_shift, {"shift": 2.0}),
    ("foundations.warm_start_explorer", _redraw_warm_start, {"n_history": 20}),
    ("foundations.episode_explorer", _redraw_episode, {"style": "scanner_b", "n_shots": 5}),
    ("foundations.meta_overfitting_explorer", _redraw_meta_overfitting, {"diversity": 0.1}),
    ("foundations.label_savings_explorer", _redraw_label_savings, {"target": 0.6}),
]
