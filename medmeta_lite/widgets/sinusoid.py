"""The sinusoid explorer of ``12_maml_sinusoid``: pick a task, K and the number of SGD steps.

Every learner is adapted to every task of a small grid once, when the explorer is built; a slider move
only draws the stored predictions (:func:`medmeta_lite.plotting.sinusoid.plot_explorer_frame`).
"""

from __future__ import annotations

import functools

import ipywidgets as widgets
import numpy as np

from medmeta_lite.defaults.sinusoid import load_sinusoid_models
from medmeta_lite.experiments.sinusoid import precompute_task_grid
from medmeta_lite.plotting.sinusoid import plot_explorer_frame
from medmeta_lite.widgets.figure_view import FigureView

AMPLITUDES = np.round(np.arange(0.5, 5.01, 0.5), 1)
PHASES = np.round(np.linspace(0.0, np.pi, 9), 2)


def sinusoid_explorer(learners: dict, *, shot_values=(5, 10, 20), n_steps: int = 10, inner_lr: float = 0.01,
                      random_state: int = 0):
    """Return sliders for amplitude, phase, K and SGD steps that redraw each learner's adapted curve.

    Parameters
    ----------
    learners : dict of str to fitted learner
        E.g. :func:`medmeta_lite.gradmeta.maml.load_sinusoid_models`.
    shot_values : sequence of int, default=(5, 10, 20)
    n_steps : int, default=10
        Largest number of SGD steps on the slider.
    inner_lr : float, default=0.01
    random_state : int, default=0
        Seeds the support inputs.

    Examples
    --------
    >>> import contextlib, io
    >>> from medmeta_lite.defaults.sinusoid import load_sinusoid_models
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter the first draw prints escapes
    ...     explorer = sinusoid_explorer({"maml": load_sinusoid_models()["maml"]}, n_steps=2)
    >>> [child.description for child in explorer.children[:4]]
    ['amplitude', 'phase', 'K', 'steps']
    """
    grid = precompute_task_grid(learners, AMPLITUDES, PHASES, shot_values, n_steps=n_steps,
                                inner_lr=inner_lr, random_state=random_state)

    view = FigureView(plot_explorer_frame)

    def draw(amplitude, phase, n_shots, n_steps):
        view.show(grid, list(AMPLITUDES).index(amplitude), list(PHASES).index(phase), n_shots, n_steps)

    layout = widgets.Layout(width="420px")
    controls = {
        "amplitude": widgets.SelectionSlider(options=list(AMPLITUDES), value=AMPLITUDES[5],
                                             description="amplitude", layout=layout, continuous_update=False),
        "phase": widgets.SelectionSlider(options=list(PHASES), value=PHASES[4], description="phase",
                                         layout=layout, continuous_update=False),
        "n_shots": widgets.ToggleButtons(options=list(shot_values), value=shot_values[0], description="K"),
        "n_steps": widgets.IntSlider(value=1, min=0, max=n_steps, description="steps", layout=layout,
                                     continuous_update=False),
    }
    return widgets.interactive(draw, **controls)


@functools.cache
def _benchmark_grid():
    return precompute_task_grid(load_sinusoid_models(), AMPLITUDES, PHASES, (5, 10, 20))


def _redraw(amplitude_index: int, phase_index: int, n_shots: int, n_steps: int):
    # What one slider move computes: draw stored predictions (the grid is built once, outside the timing).
    return plot_explorer_frame(_benchmark_grid(), amplitude_index, phase_index, n_shots, n_steps)


BENCHMARK_CASES = [("sinusoid.sinusoid_explorer", _redraw,
                    {"amplitude_index": 6, "phase_index": 3, "n_shots": 10, "n_steps": 5})]
