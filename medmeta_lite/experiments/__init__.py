"""Computations that the notebooks and their widgets share: each runs once and returns arrays to plot.
"""

from medmeta_lite.experiments.foundations import (
    ALPHAS,
    labels_to_reach,
    make_episode_demo,
    make_goals_demo,
    make_label_savings_demo,
    make_meta_overfitting_demo,
    make_shots_demo,
    make_transfer_demo,
    make_warm_start_demo,
)
from medmeta_lite.experiments.learners import (
    BaggedLine,
    KerasSnapshots,
    bagged_line,
    ensemble_variance_curve,
    gradient_descent_run,
    keras_snapshots,
    noisy_line,
)
from medmeta_lite.experiments.meta_gradient_cost import measure_meta_gradient_cost
from medmeta_lite.experiments.sinusoid import adaptation_curves, explorer_frame_errors, precompute_task_grid

__all__ = [
    "ALPHAS",
    "BaggedLine",
    "KerasSnapshots",
    "adaptation_curves",
    "bagged_line",
    "ensemble_variance_curve",
    "explorer_frame_errors",
    "gradient_descent_run",
    "keras_snapshots",
    "labels_to_reach",
    "make_episode_demo",
    "make_goals_demo",
    "make_label_savings_demo",
    "make_meta_overfitting_demo",
    "make_shots_demo",
    "make_transfer_demo",
    "make_warm_start_demo",
    "measure_meta_gradient_cost",
    "noisy_line",
    "precompute_task_grid",
]
