"""Base learners with scikit-learn's ``fit``/``predict`` contract: closed form, gradient descent, Keras and
averaging.
"""

from medmeta_lite.learners.averaging import AveragingMetaLearner, EnsembleLosses
from medmeta_lite.learners.gradient import (
    DIVERGENCE_FACTOR,
    GradientDescentRegressor,
    largest_stable_learning_rate,
    mse_loss_and_gradient,
)
from medmeta_lite.learners.keras_learner import KerasRegressor, fit_with_snapshots
from medmeta_lite.learners.linear import RANK_TOLERANCE, LinearPredictorMixin, LinearRegression

__all__ = [
    "AveragingMetaLearner",
    "DIVERGENCE_FACTOR",
    "EnsembleLosses",
    "GradientDescentRegressor",
    "KerasRegressor",
    "LinearPredictorMixin",
    "LinearRegression",
    "RANK_TOLERANCE",
    "fit_with_snapshots",
    "largest_stable_learning_rate",
    "mse_loss_and_gradient",
]
