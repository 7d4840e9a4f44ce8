"""ipywidgets front ends: thin explorers over the plotting functions, the self-check, the trainer and the
Voilà app's demo gallery.
"""

from medmeta_lite.widgets.figure_view import FigureView, figure_explorer
from medmeta_lite.widgets.foundations import (
    episode_explorer,
    label_savings_explorer,
    meta_overfitting_explorer,
    shift_explorer,
    shots_explorer,
    transfer_explorer,
    warm_start_explorer,
)
from medmeta_lite.widgets.gallery import DEMOS, demo_gallery
from medmeta_lite.widgets.images import ways_shots_explorer
from medmeta_lite.widgets.learners import (
    ensemble_explorer,
    keras_explorer,
    learning_rate_explorer,
    standardized_diabetes,
)
from medmeta_lite.widgets.quiz import check_widget, self_check
from medmeta_lite.widgets.sinusoid import AMPLITUDES, PHASES, sinusoid_explorer
from medmeta_lite.widgets.toy_line import slope_explorer
from medmeta_lite.widgets.trainer import (
    answer_review_html,
    flashcard_back_html,
    flashcard_front_html,
    flashcard_review_widget,
    mock_interview_widget,
    question_card_html,
    recorded_quiz,
    summary_html,
)

__all__ = [
    "AMPLITUDES",
    "DEMOS",
    "FigureView",
    "PHASES",
    "answer_review_html",
    "check_widget",
    "demo_gallery",
    "ensemble_explorer",
    "episode_explorer",
    "figure_explorer",
    "flashcard_back_html",
    "flashcard_front_html",
    "flashcard_review_widget",
    "keras_explorer",
    "label_savings_explorer",
    "learning_rate_explorer",
    "meta_overfitting_explorer",
    "mock_interview_widget",
    "question_card_html",
    "recorded_quiz",
    "self_check",
    "shift_explorer",
    "shots_explorer",
    "sinusoid_explorer",
    "slope_explorer",
    "standardized_diabetes",
    "summary_html",
    "transfer_explorer",
    "warm_start_explorer",
    "ways_shots_explorer",
]
