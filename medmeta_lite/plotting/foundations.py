"""Demos and figures of the foundation notebooks (01-07): what meta-learning is, and what it buys.

Each demo is two pure functions: ``make_*_demo(...)`` in :mod:`medmeta_lite.experiments.foundations` does
the computation once and returns a dict of arrays; ``plot_*(demo, ...)`` here draws one view of it quickly
enough for a slider. All randomness enters
through ``random_state``, so two runs give identical numbers.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from medmeta_lite.data.synthetic_images import CLASS_NAMES
from medmeta_lite.experiments.foundations import labels_to_reach
from medmeta_lite.plotting.images import plot_episode
from medmeta_lite.plotting.style import colour, legend_beside, log_scale, new_figure

__all__ = [
    "plot_adaptation_speed",
    "plot_episode_accuracy",
    "plot_episode_example",
    "plot_label_savings",
    "plot_meta_gradient_cost",
    "plot_meta_overfitting",
    "plot_shift",
    "plot_shots_demo",
    "plot_transfer",
    "plot_warm_start",
]



def _draw_line(axes, slope, intercept, **style):
    grid = np.array([-1.0, 1.0])
    axes.plot(grid, slope * grid + intercept, **style)


def plot_shots_demo(demo: dict, n_shots: int, *, target: float | None = None,
                    figure: Figure | None = None) -> Figure:
    """Left: one new task fitted from ``n_shots`` examples; right: mean query error against shots.

    Notes
    -----
    Introduced in ``notebooks/01_what_is_meta_learning.ipynb``.
    Given ``figure`` (made by an earlier call), the data are redrawn in its axes: what a slider does,
    see :class:`medmeta_lite.widgets.FigureView`.
    """
    if n_shots not in demo["example"]["fits"]:
        raise ValueError(f"n_shots must be one of {sorted(demo['example']['fits'])}, got {n_shots!r}")
    figure, (left, right) = new_figure(2, width=4.6, height=3.4, reuse=figure)
    ends = np.array([-1.0, 1.0])
    training_lines = [np.column_stack([ends, slope * ends + intercept])
                      for slope, intercept in demo["training_lines"]]
    # one collection for all the grey lines: one artist to draw instead of 25
    left.add_collection(LineCollection(training_lines, colors="#bbbbbb", linewidths=0.7, zorder=1))
    task = demo["example"]["task"]
    _draw_line(left, task.parameters["weights"][0], task.parameters["intercept"], color=colour("oracle"),
               linestyle="--", linewidth=1.5, label="true line of the new task")
    for name, (slope, intercept) in demo["example"]["fits"][n_shots].items():
        _draw_line(left, slope, intercept, color=colour(name), linewidth=2, label=name)
    left.scatter(task.X_support[:n_shots, 0], task.y_support[:n_shots], color="black", zorder=3, s=25,
                 label=f"{n_shots} support example{'' if n_shots == 1 else 's'}")
    left.set(xlabel="x", ylabel="y", title="New task (grey: training tasks)", xlim=(-1, 1))
    left.legend(loc="upper left", fontsize=8)
    for name in ("meta-learned", "scratch"):
        right.plot(demo["shots"], demo[name], marker="o", color=colour(name), label=name)
    right.axvline(n_shots, color="#777777", linewidth=1)
    if target is not None:
        right.axhline(target, color=colour("oracle"), linestyle=":", linewidth=1, label=f"target {target:g}")
    right.set(xlabel="support examples (shots)", ylabel="query mean squared error",
              title="Average over new tasks")
    log_scale(right)
    right.legend()
    return figure


def plot_transfer(demo: dict, distance: float | None = None) -> Figure:
    """Mean query error of transfer, meta-learned and scratch against the target's distance from the source.

    Notes
    -----
    Introduced in ``notebooks/02_meta_learning_vs_transfer.ipynb``.
    """
    figure, axes = new_figure(1, width=6.0, height=3.6)
    for name in ("transfer", "meta-learned", "scratch"):
        axes.plot(demo["distances"], demo[name], marker="o", color=colour(name), label=name)
    if distance is not None:
        index = int(np.argmin(np.abs(demo["distances"] - distance)))
        axes.axvline(demo["distances"][index], color="#777777", linewidth=1)
        winner = min(("transfer", "meta-learned", "scratch"), key=lambda name: demo[name][index])
        axes.set_title(f"distance {demo['distances'][index]:.2f}: {winner} wins "
                       f"({demo['n_shots']} shots per target task)")
    else:
        axes.set_title(f"{demo['n_shots']} shots per target task")
    axes.set(xlabel="distance of the target from the source (0 = the source, 1 = a typical task)",
             ylabel="query mean squared error")
    axes.set_ylim(bottom=0)
    axes.legend()
    return figure


def plot_adaptation_speed(demo: dict) -> Figure:
    """Query error against gradient steps, from the meta-learned initialisation and from zero.

    Notes
    -----
    Introduced in ``notebooks/03_goals_of_meta_learning.ipynb``.
    """
    figure, axes = new_figure(1, width=8.4, height=3.4)  # room for the legend beside the plot
    # steps start at 0: symlog keeps 0 on a log-like axis
    axes.plot(demo["steps"], demo["meta_steps"], marker="o", color=colour("meta-learned"),
              label="meta-learned initialisation")
    axes.plot(demo["steps"], demo["scratch_steps"], marker="o", color=colour("scratch"),
              label="scratch (zero)")
    axes.axvline(demo["n_inner_steps"], color="#777777", linewidth=1, linestyle=":",
                 label=f"steps used in meta-training ({demo['n_inner_steps']})")
    axes.set(xscale="symlog", xlabel="gradient steps on the support set",
             ylabel="query mean squared error", title="Adaptation speed on new tasks")
    log_scale(axes)
    axes.set_xticks(demo["steps"], [str(step) for step in demo["steps"]])
    axes.set_xlim(-0.1, demo["steps"].max() * 1.1)
    legend_beside(axes)
    return figure


def plot_shift(demo: dict, shift: float | None = None) -> Figure:
    """Query error of the meta-learned prior and of scratch on task families shifted by ``shift``.

    Notes
    -----
    Introduced in ``notebooks/03_goals_of_meta_learning.ipynb``.
    """
    figure, axes = new_figure(1, width=6.0, height=3.4)
    axes.plot(demo["shifts"], demo["shifted_meta"], marker="o", color=colour("meta-learned"),
              label="meta-learned prior")
    axes.plot(demo["shifts"], demo["shifted_scratch"], marker="o", color=colour("scratch"), label="scratch")
    title = "Distribution shift: every weight of the new tasks moves by the shift"
    if shift is not None:
        index = int(np.argmin(np.abs(demo["shifts"] - shift)))
        axes.axvline(demo["shifts"][index], color="#777777", linewidth=1)
        title = (f"shift {demo['shifts'][index]:+.0f}: meta-learned {demo['shifted_meta'][index]:.3f}, "
                 f"scratch {demo['shifted_scratch'][index]:.3f}")
    axes.set(xlabel="shift of the task weights (training tasks: 0)", ylabel="query mean squared error",
             title=title)
    log_scale(axes)
    axes.legend()
    return figure


def plot_warm_start(demo: dict, n_history: int | None = None, *, figure: Figure | None = None) -> Figure:
    """Left: mean evaluations against the number of earlier tasks; right: per-task evaluations for one.

    Notes
    -----
    Introduced in ``notebooks/04_applications.ipynb``.
    Given ``figure`` (made by an earlier call), the data are redrawn in its axes: what a slider does,
    see :class:`medmeta_lite.widgets.FigureView`.
    """
    grid = demo["n_history_grid"]
    row = len(grid) - 1 if n_history is None else int(np.argmin(np.abs(grid - n_history)))
    figure, (left, right) = new_figure(2, width=4.6, height=3.4, reuse=figure)
    for statistic, style in ((np.mean, "-"), (np.median, "--")):
        name = statistic.__name__
        left.plot(grid, statistic(demo["warm"], axis=1), marker="o", linestyle=style,
                  color=colour("meta-learned"), label=f"warm start, {name}")
        left.axhline(statistic(demo["random"]), linestyle=style, color=colour("scratch"),
                     label=f"random order, {name}")
    left.axvline(grid[row], color="#777777", linewidth=1)
    left.set(xlabel="earlier tasks the warm start learns from",
             ylabel="evaluations to reach the target", title=f"{demo['random'].size} new tasks",
             ylim=(0, 1.7 * max(demo["warm"].mean(axis=1).max(), demo["random"].mean())))
    log_scale(left, y=False, x_ticks=grid)
    left.legend(fontsize=8, loc="upper right")
    bins = np.arange(0.5, demo["n_configurations"] + 1.5, 2)
    # "stepfilled": one polygon per histogram instead of one rectangle per bin, for a fast redraw
    right.hist(demo["random"], bins=bins, color=colour("scratch"), alpha=0.6, histtype="stepfilled",
               label="random order (expected)")
    right.hist(demo["warm"][row], bins=bins, color=colour("meta-learned"), alpha=0.6, histtype="stepfilled",
               label=f"warm start ({grid[row]} earlier tasks)")
    right.set(xlabel=f"evaluations (of {demo['n_configurations']} configurations)", ylabel="new tasks",
              title=f"within {demo['tolerance']:.0%} of the best configuration",
              xlim=(0, max(demo["warm"][row].max(), demo["random"].max()) + 2))
    right.legend()
    return figure


def plot_meta_gradient_cost(rows) -> Figure:
    """Memory kept for the backward pass and time per meta-gradient against inner steps, by MAML order.

    Parameters
    ----------
    rows : list of dict
        The output of ``medmeta_lite.experiments.measure_meta_gradient_cost``: ``first_order``,
        ``n_inner_steps``, ``seconds_per_step`` and ``kept_bytes`` per configuration.

    Notes
    -----
    Introduced in ``notebooks/05_core_challenges.ipynb``.
    """
    figure, (left, right) = new_figure(2, width=4.4, height=3.3)
    for first_order, name in ((False, "maml"), (True, "first-order maml")):
        selected = sorted((row for row in rows if row["first_order"] == first_order),
                          key=lambda row: row["n_inner_steps"])
        if not selected:
            continue
        steps = [row["n_inner_steps"] for row in selected]
        label = "first-order MAML" if first_order else "second-order MAML"
        left.plot(steps, [row["kept_bytes"] / 1024 for row in selected], marker="o", color=colour(name),
                  label=label)
        milliseconds = [row["seconds_per_step"] * 1000 for row in selected]
        right.plot(steps, milliseconds, marker="o", color=colour(name), label=label)
    left.set(xlabel="inner steps", ylabel="kilobytes kept for the backward pass",
             title="Memory of one meta-gradient", ylim=(0, None))
    right.set(xlabel="inner steps", ylabel="milliseconds", title="Time of one meta-gradient (varies by run)",
              ylim=(0, None))
    for axes in (left, right):
        axes.set_xticks(sorted({row["n_inner_steps"] for row in rows}))
        axes.legend()
    return figure


def plot_meta_overfitting(demo: dict, diversity: float | None = None, *,
                          figure: Figure | None = None) -> Figure:
    """Training-task and new-task error against the number of training tasks, for one diversity.

    Notes
    -----
    Introduced in ``notebooks/05_core_challenges.ipynb``.
    Given ``figure`` (made by an earlier call), the data are redrawn in its axes: what a slider does,
    see :class:`medmeta_lite.widgets.FigureView`.
    """
    diversity = demo["test_diversity"] if diversity is None else diversity
    row = int(np.argmin(np.abs(demo["diversities"] - diversity)))
    figure, (left, right) = new_figure(2, width=4.6, height=3.4, reuse=figure)
    left.plot(demo["n_tasks_grid"], demo["training"][row], marker="o", color=colour("member"),
              label="training tasks")
    left.plot(demo["n_tasks_grid"], demo["new"][row], marker="o", color=colour("meta-learned"),
              label="new tasks")
    left.set(xlabel="number of training tasks", ylabel="query mean squared error",
             title=f"training diversity {demo['diversities'][row]:g} (new tasks {demo['test_diversity']:g})")
    log_scale(left, x_ticks=demo["n_tasks_grid"])
    left.legend()
    for index, value in enumerate(demo["diversities"]):
        right.plot(demo["n_tasks_grid"], demo["new"][index], marker="o", color=colour("", index),
                   linewidth=3 if index == row else 1.2, label=f"diversity {value:g}")
    right.set(xlabel="number of training tasks", ylabel="query mean squared error",
              title="New-task error for every diversity")
    log_scale(right, x_ticks=demo["n_tasks_grid"])
    right.legend()
    return figure


def plot_episode_accuracy(demo: dict) -> Figure:
    """Accuracy (mean and 95% interval over episodes) against shots, one panel per acquisition style.

    Notes
    -----
    Introduced in ``notebooks/06_medical_imaging_uses.ipynb``.
    """
    styles = demo["styles"]
    figure, axes = new_figure(len(styles), width=3.9, height=3.3, sharey=True)
    axes = np.atleast_1d(axes)
    for panel, style in zip(axes, styles, strict=True):
        for index, name in enumerate(demo["models"]):
            values = [demo["accuracy"][style][name][n_shots] for n_shots in demo["shots"]]
            panel.errorbar(demo["shots"], [mean for mean, _ in values], yerr=[half for _, half in values],
                           marker="o", capsize=3, color=colour(name, index), label=name)
        panel.axhline(demo["chance"], color=colour("oracle"), linestyle=":", linewidth=1, label="chance")
        panel.set(xlabel="support images per class (shots)", title=f"style: {style}", ylim=(0, 1.02))
        panel.set_xticks(demo["shots"])
    axes[0].set_ylabel(f"{demo['n_ways']}-way accuracy ({demo['n_episodes']} episodes)")
    axes[0].legend(loc="lower right", fontsize=8)
    return figure


def plot_episode_example(demo: dict, *, style: str = "standard", n_shots: int | None = None,
                         model: str | None = None) -> Figure:
    """One stored episode of ``demo``, with the predictions of ``model`` framed right or wrong.

    Notes
    -----
    Introduced in ``notebooks/06_medical_imaging_uses.ipynb``.
    """

    n_shots = demo["shots"][0] if n_shots is None else n_shots
    if style not in demo["examples"] or n_shots not in demo["examples"][style]:
        raise ValueError(f"no stored episode for style={style!r}, n_shots={n_shots!r}")
    episode, predictions = demo["examples"][style][n_shots]
    title = f"{demo['n_ways']}-way {n_shots}-shot episode, style {style}"
    if model is not None:
        mean, half = demo["accuracy"][style][model][n_shots]
        title += f"; {model}: {mean:.1%} ± {half:.1%} over {demo['n_episodes']} episodes"
    return plot_episode(episode, class_names=CLASS_NAMES,
                        predictions=None if model is None else predictions[model], max_queries=3, title=title)


def plot_label_savings(demo: dict, target: float) -> Figure:
    """Mean query error against labelled patients at the new site, with the labels each needs for ``target``.

    Notes
    -----
    Introduced in ``notebooks/07_efficiency_and_label_savings.ipynb``.
    """
    figure, axes = new_figure(1, width=6.2, height=3.6)
    needed = {}
    for name in ("meta-learned", "scratch"):
        errors = demo[name]
        needed[name] = labels_to_reach(demo["shots"], errors, target)
        axes.plot(demo["shots"], errors, marker="o", color=colour(name), label=name)
        if needed[name] is not None:
            axes.axvline(needed[name], color=colour(name), linestyle=":", linewidth=1.2)
    axes.axhline(target, color=colour("oracle"), linestyle="--", linewidth=1, label=f"target {target:.2f}")
    words = {name: ("never" if value is None else f"{value} labels") for name, value in needed.items()}
    axes.set(xlabel="labelled patients at the new site (shots)",
             ylabel="query mean squared error\n(1 = predicting the mean)",
             title=f"to reach the target: meta-learned {words['meta-learned']}, scratch {words['scratch']}")
    log_scale(axes, y=False, x_ticks=demo["shots"])
    axes.legend()
    return figure
