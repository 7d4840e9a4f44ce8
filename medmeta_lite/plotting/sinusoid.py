"""Figures for MAML on sinusoids (``notebooks/12_maml_sinusoid.ipynb``).

Pure functions: each takes computed arrays and returns a figure. The widget in
:mod:`medmeta_lite.widgets.sinusoid` calls :func:`plot_explorer_frame` on arrays computed once by
:func:`medmeta_lite.experiments.precompute_task_grid`, so a slider move only draws lines.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from medmeta_lite.data.tasks import SinusoidTaskSampler
from medmeta_lite.experiments.sinusoid import explorer_frame_errors
from medmeta_lite.plotting.style import colour, legend_beside, log_scale, new_figure

LABELS = {"maml": "MAML", "fomaml": "first-order MAML", "reptile": "Reptile", "pretrained": "pretrained",
          "oracle": "oracle"}
_COLOUR_KEYS = {"fomaml": "first-order maml"}


def _style(name: str, index: int) -> dict:
    return {"color": colour(_COLOUR_KEYS.get(name, name), index), "label": LABELS.get(name, name)}


def plot_sinusoid_tasks(sampler: SinusoidTaskSampler, n_tasks: int = 5, n_shots: int = 10) -> Figure:
    """Draw ``n_tasks`` tasks of a sampler: each true curve with its support points.

    Examples
    --------
    >>> figure = plot_sinusoid_tasks(SinusoidTaskSampler(random_state=0), n_tasks=3)
    >>> len(figure.axes[0].lines)
    3
    """
    batch = sampler.sample_batch(n_tasks, n_shots, 0)
    grid = np.linspace(*sampler.x_range, 200)
    figure, axes = new_figure(width=6.0, height=3.4)
    for task in range(n_tasks):
        amplitude, phase = batch["parameters"]["amplitude"][task], batch["parameters"]["phase"][task]
        line, = axes.plot(grid, sampler.function(grid, amplitude, phase), linewidth=1.2,
                          color=colour("", task), label=f"A={amplitude:.1f}, φ={phase:.1f}")
        axes.scatter(batch["X_support"][task, :, 0], batch["y_support"][task], s=14, color=line.get_color())
    axes.set(xlabel="x", ylabel="y", title=f"{n_tasks} sinusoid tasks and their {n_shots} support points")
    axes.legend(loc="upper right", fontsize=8, ncols=2)
    return figure


def plot_meta_training(histories: dict, window: int = 100) -> Figure:
    """Meta-training loss of each learner, smoothed by a running mean over ``window`` iterations.

    Examples
    --------
    >>> figure = plot_meta_training({"maml": np.linspace(3, 1, 500)}, window=50)
    >>> figure.axes[0].get_yscale()
    'log'
    """
    figure, axes = new_figure(width=7.6, height=3.4)
    for index, (name, history) in enumerate(histories.items()):
        history = np.asarray(history, dtype=float)
        size = min(window, len(history))
        smooth = np.convolve(history, np.ones(size) / size, mode="valid")
        axes.plot(np.arange(size, len(history) + 1), smooth, **_style(name, index))
    axes.set(xlabel="meta-iteration", ylabel="training loss (running mean)",
             title="Meta-training: loss of the adapted models")
    log_scale(axes)
    legend_beside(axes, fontsize=8)
    return figure


def plot_adaptation_curves(curves: dict, shot_values=(5, 10, 20), title_suffix: str = "") -> Figure:
    """Query MSE against SGD steps, one panel per support size, one line per learner.

    Parameters
    ----------
    curves : dict of str to ndarray of shape (len(shot_values), n_steps + 1)
        From :func:`medmeta_lite.experiments.sinusoid.adaptation_curves`.
    shot_values : sequence of int
    title_suffix : str, default=""

    Examples
    --------
    >>> figure = plot_adaptation_curves({"maml": np.ones((2, 4))}, shot_values=(5, 10))
    >>> [axes.get_title() for axes in figure.axes]
    ['K = 5 support points', 'K = 10 support points']
    """
    figure, axes = new_figure(len(shot_values), width=4.1, height=3.2, sharey=True)
    axes = np.atleast_1d(axes)
    for column, (panel, n_shots) in enumerate(zip(axes, shot_values, strict=True)):
        for index, (name, curve) in enumerate(curves.items()):
            steps = np.arange(curve.shape[1])
            panel.plot(steps, curve[column], marker="o", markersize=3, **_style(name, index))
        panel.set(xlabel="SGD steps on the support set", title=f"K = {n_shots} support points{title_suffix}")
        panel.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
        log_scale(panel)
    axes[0].set_ylabel("query MSE (log scale)")
    legend_beside(axes[-1], fontsize=8)
    return figure


def plot_task_fits(x_grid, y_true, X_support, y_support, predictions: dict, title: str = "") -> Figure:
    """One task: the true curve, the support points and each learner's prediction on ``x_grid``.

    Examples
    --------
    >>> grid = np.linspace(-5, 5, 50)
    >>> figure = plot_task_fits(grid, np.sin(grid), grid[:3], np.sin(grid[:3]), {"maml": np.sin(grid)})
    >>> len(figure.axes[0].lines)
    2
    """
    figure, axes = new_figure(width=6.0, height=3.6)
    axes.plot(x_grid, y_true, color="black", linestyle=":", linewidth=1.5, label="true function")
    for index, (name, prediction) in enumerate(predictions.items()):
        axes.plot(x_grid, prediction, linewidth=1.6, **_style(name, index))
    axes.scatter(np.ravel(X_support), y_support, color="black", zorder=3, s=22, label="support points")
    axes.set(xlabel="x", ylabel="y", title=title, ylim=(-6, 6))
    axes.legend(loc="lower left", fontsize=8, ncols=2)
    return figure


def plot_explorer_frame(grid: dict, amplitude_index: int, phase_index: int, n_shots: int,
                        n_steps: int) -> Figure:
    """Draw one setting of the sinusoid explorer from ``precompute_task_grid`` arrays (no training).

    Examples
    --------
    >>> from medmeta_lite.defaults import load_sinusoid_models
    >>> from medmeta_lite.experiments import precompute_task_grid
    >>> models = load_sinusoid_models()
    >>> grid = precompute_task_grid({"maml": models["maml"]}, [1.0, 4.0], [0.0], (5,), n_steps=2)
    >>> figure = plot_explorer_frame(grid, 1, 0, 5, 2)
    >>> figure.axes[0].get_title().split(" — ")[0]
    'A = 4.0, φ = 0.00, K = 5, 2 steps'
    """
    amplitude, phase = grid["amplitudes"][amplitude_index], grid["phases"][phase_index]
    column = grid["shot_values"].index(n_shots)
    y_true = SinusoidTaskSampler.function(grid["x_grid"], amplitude, phase)
    X_support = grid["x_pool"][:n_shots]
    predictions = {name: values[amplitude_index, phase_index, column, n_steps]
                   for name, values in grid["predictions"].items()}
    errors = explorer_frame_errors(grid, amplitude_index, phase_index, n_shots, n_steps)
    summary = ", ".join(f"{LABELS.get(name, name)} {error:.2f}" for name, error in errors.items())
    steps = f"{n_steps} step" if n_steps == 1 else f"{n_steps} steps"
    title = (f"A = {amplitude:.1f}, φ = {phase:.2f}, K = {n_shots}, {steps} — MSE on the grid:\n"
             f"{summary}")
    figure = plot_task_fits(grid["x_grid"], y_true, X_support,
                            SinusoidTaskSampler.function(X_support, amplitude, phase), predictions, title)
    figure.axes[0].title.set_fontsize(9)
    return figure


def plot_gradient_cost(rows: list[dict]) -> Figure:
    """Bytes kept for the backward pass against inner steps, second- vs first-order MAML.

    Parameters
    ----------
    rows : list of dict
        From :func:`medmeta_lite.experiments.meta_gradient_cost.measure_meta_gradient_cost`.

    Examples
    --------
    >>> rows = [{"first_order": False, "n_inner_steps": 1, "kept_bytes": 2e4, "seconds_per_step": 1e-3}]
    >>> plot_gradient_cost(rows).axes[0].get_xlabel()
    'inner SGD steps'
    """
    figure, axes = new_figure(width=5.0, height=3.4)
    for index, first_order in enumerate((False, True)):
        chosen = sorted((row for row in rows if row["first_order"] == first_order),
                        key=lambda row: row["n_inner_steps"])
        if chosen:
            name = "fomaml" if first_order else "maml"
            axes.plot([row["n_inner_steps"] for row in chosen], [row["kept_bytes"] / 1024 for row in chosen],
                      marker="o", **_style(name, index))
    axes.set(xlabel="inner SGD steps", ylabel="KiB kept for the backward pass",
             title="Memory of the meta-gradient")
    axes.legend()
    return figure
