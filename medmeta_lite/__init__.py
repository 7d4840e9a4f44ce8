"""medmeta_lite: the helper package of the medmeta-lite workbook on meta-learning for medical imaging.

Learners follow scikit-learn's ``fit``/``predict`` contract; meta-learners follow the same contract at the
level of tasks. TensorFlow is imported only by the modules that need it (``keras_learner``, ``maml``, ...),
never by this file.
"""

from medmeta_lite.averaging import AveragingMetaLearner
from medmeta_lite.episodes import EpisodeSampler, evaluate_episodes
from medmeta_lite.gradient import GradientDescentRegressor
from medmeta_lite.linear import LinearRegression
from medmeta_lite.meta_prior import MetaLearnedPrior, RidgeAroundPrior
from medmeta_lite.reproducibility import set_seed, show_versions, versions
from medmeta_lite.synthetic_images import load_synthetic_split, make_synthetic_images
from medmeta_lite.tasks import LinearTaskSampler, SinusoidTaskSampler, Task, TaskSampler

__version__ = "0.1.0"

__all__ = [
    "AveragingMetaLearner",
    "EpisodeSampler",
    "GradientDescentRegressor",
    "LinearRegression",
    "LinearTaskSampler",
    "MetaLearnedPrior",
    "RidgeAroundPrior",
    "SinusoidTaskSampler",
    "Task",
    "TaskSampler",
    "__version__",
    "evaluate_episodes",
    "load_synthetic_split",
    "make_synthetic_images",
    "set_seed",
    "show_versions",
    "versions",
]
