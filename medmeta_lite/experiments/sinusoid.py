"""Sinusoid experiments of notebook 12: adaptation curves on held-out tasks and the explorer's task grid.

Each function computes once what a figure or a slider then shows.
"""

from __future__ import annotations

import numpy as np

from medmeta_lite.data.tasks import SinusoidTaskSampler
from medmeta_lite.validation import make_rng


def adaptation_curves(learners: dict, shot_values=(5, 10, 20), *, n_tasks=600, n_queries=100, n_steps=10,
                      inner_lr=0.01, support_side=None, random_state=1234) -> dict:
    """Query MSE after 0..``n_steps`` SGD steps for each learner and support size, on held-out sinusoids.

    Every learner is evaluated on the same tasks (one sampler seeded with ``random_state`` per support
    size) with the same SGD step size, so the curves compare initialisations, not step sizes.

    Parameters
    ----------
    learners : dict of str to fitted learner
    shot_values : sequence of int, default=(5, 10, 20)
    n_tasks, n_queries, n_steps : int
    inner_lr : float, default=0.01
    support_side : {None, "left", "right"}, default=None
        Put the support points on one half of the input range (the half-range experiment).
    random_state : int, default=1234

    Returns
    -------
    dict of str to ndarray of shape (len(shot_values), n_steps + 1)

    Examples
    --------
    >>> from medmeta_lite.defaults import load_sinusoid_models
    >>> curves = adaptation_curves(load_sinusoid_models(), (10,), n_tasks=20, n_steps=2)
    >>> curves["maml"].shape
    (1, 3)
    """

    batches = [SinusoidTaskSampler(support_side=support_side, random_state=random_state)
               .sample_batch(n_tasks, n_shots, n_queries) for n_shots in shot_values]
    return {name: np.array([learner.adaptation_curve(batch, n_steps=n_steps, inner_lr=inner_lr)
                            for batch in batches])
            for name, learner in learners.items()}


def precompute_task_grid(learners: dict, amplitudes, phases, shot_values=(5, 10, 20), *, n_steps=10,
                         inner_lr=0.01, n_grid=100, x_range=(-5.0, 5.0), random_state=0) -> dict:
    """Adapt every learner to every (amplitude, phase, K) task once and keep its predictions per step.

    The support inputs of a K-shot task are the first K of one fixed random draw, so adding points
    never moves the others. The result feeds :func:`plot_explorer_frame`.

    Returns
    -------
    dict
        ``amplitudes``, ``phases``, ``shot_values``, ``x_grid``, ``x_pool`` (support inputs) and
        ``predictions``: for each learner an array of shape
        (len(amplitudes), len(phases), len(shot_values), n_steps + 1, n_grid).
    """
    amplitudes, phases = np.asarray(amplitudes, dtype=float), np.asarray(phases, dtype=float)
    x_pool = make_rng(random_state).uniform(*x_range, size=max(shot_values))
    x_grid = np.linspace(*x_range, n_grid)
    amplitude, phase = (values.ravel() for values in np.meshgrid(amplitudes, phases, indexing="ij"))
    predictions = {name: np.empty((len(amplitudes), len(phases), len(shot_values), n_steps + 1, n_grid))
                   for name in learners}
    for column, n_shots in enumerate(shot_values):
        X_support = np.broadcast_to(x_pool[:n_shots, None], (amplitude.size, n_shots, 1))
        y_support = SinusoidTaskSampler.function(X_support[..., 0], amplitude[:, None], phase[:, None])
        X = np.broadcast_to(x_grid[:, None], (amplitude.size, n_grid, 1))
        for name, learner in learners.items():
            outputs = learner.adaptation_predictions(X_support, y_support, X, n_steps=n_steps,
                                                     inner_lr=inner_lr)
            predictions[name][:, :, column] = np.moveaxis(outputs, 0, 1).reshape(
                len(amplitudes), len(phases), n_steps + 1, n_grid)
    return {"amplitudes": amplitudes, "phases": phases, "shot_values": tuple(shot_values), "x_grid": x_grid,
            "x_pool": x_pool, "predictions": predictions}


def explorer_frame_errors(grid: dict, amplitude_index: int, phase_index: int, n_shots: int,
                          n_steps: int) -> dict:
    """MSE of each learner's prediction against the true curve on the grid, for one explorer setting."""
    amplitude, phase = grid["amplitudes"][amplitude_index], grid["phases"][phase_index]
    y_true = SinusoidTaskSampler.function(grid["x_grid"], amplitude, phase)
    column = grid["shot_values"].index(n_shots)
    return {name: float(np.mean((values[amplitude_index, phase_index, column, n_steps] - y_true) ** 2))
            for name, values in grid["predictions"].items()}
