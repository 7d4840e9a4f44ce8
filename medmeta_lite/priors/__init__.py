"""Meta-learning without neural networks: a meta-learned prior for linear tasks and a warm-started search.
"""

from medmeta_lite.priors.meta_prior import MetaLearnedPrior, RidgeAroundPrior, query_errors
from medmeta_lite.priors.warm_start import (
    DEFAULT_ALPHAS,
    DEFAULT_DEGREES,
    WarmStartSearch,
    configuration_errors,
    meta_features,
    polynomial_ridge_grid,
    random_search_expected_evaluations,
    sample_curve_tasks,
)

__all__ = [
    "DEFAULT_ALPHAS",
    "DEFAULT_DEGREES",
    "MetaLearnedPrior",
    "RidgeAroundPrior",
    "WarmStartSearch",
    "configuration_errors",
    "meta_features",
    "polynomial_ridge_grid",
    "query_errors",
    "random_search_expected_evaluations",
    "sample_curve_tasks",
]
