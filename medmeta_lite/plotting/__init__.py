"""Figures: pure functions that take computed results and return a matplotlib ``Figure``.
"""

from medmeta_lite.plotting.foundations import (
    plot_adaptation_speed,
    plot_episode_accuracy,
    plot_episode_example,
    plot_label_savings,
    plot_meta_gradient_cost,
    plot_meta_overfitting,
    plot_shift,
    plot_shots_demo,
    plot_transfer,
    plot_warm_start,
)
from medmeta_lite.plotting.images import (
    plot_accuracy_vs_shots,
    plot_domain_shift,
    plot_embedding,
    plot_episode,
    plot_image_grid,
    plot_method_comparison,
    plot_ways_shots,
)
from medmeta_lite.plotting.learners import (
    plot_ensemble,
    plot_ensemble_variance,
    plot_keras_fit,
    plot_loss_curve,
)
from medmeta_lite.plotting.sinusoid import (
    LABELS,
    plot_adaptation_curves,
    plot_explorer_frame,
    plot_gradient_cost,
    plot_meta_training,
    plot_sinusoid_tasks,
    plot_task_fits,
)
from medmeta_lite.plotting.style import (
    FALLBACK_COLOURS,
    METHOD_COLOURS,
    clear_data,
    colour,
    legend_beside,
    log_scale,
    new_figure,
)
from medmeta_lite.plotting.toy_line import line_fit_error, plot_line_guess
from medmeta_lite.plotting.trainer import bank_counts, chinese_font, plot_bank_overview, plot_review_history

__all__ = [
    "FALLBACK_COLOURS",
    "LABELS",
    "METHOD_COLOURS",
    "bank_counts",
    "chinese_font",
    "clear_data",
    "colour",
    "legend_beside",
    "line_fit_error",
    "log_scale",
    "new_figure",
    "plot_accuracy_vs_shots",
    "plot_adaptation_curves",
    "plot_adaptation_speed",
    "plot_bank_overview",
    "plot_domain_shift",
    "plot_embedding",
    "plot_ensemble",
    "plot_ensemble_variance",
    "plot_episode",
    "plot_episode_accuracy",
    "plot_episode_example",
    "plot_explorer_frame",
    "plot_gradient_cost",
    "plot_image_grid",
    "plot_keras_fit",
    "plot_label_savings",
    "plot_line_guess",
    "plot_loss_curve",
    "plot_meta_gradient_cost",
    "plot_meta_overfitting",
    "plot_meta_training",
    "plot_method_comparison",
    "plot_review_history",
    "plot_shift",
    "plot_shots_demo",
    "plot_sinusoid_tasks",
    "plot_task_fits",
    "plot_transfer",
    "plot_warm_start",
    "plot_ways_shots",
]
