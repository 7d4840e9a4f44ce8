"""medmeta_lite: the helper package of the medmeta-lite workbook on meta-learning for medical imaging.

Learners follow scikit-learn's ``fit``/``predict`` contract; meta-learners follow the same contract at the
level of tasks. TensorFlow is imported only by the modules that need it (``keras_learner``, ``maml``, ...),
never by this file.
"""

import os

# TensorFlow reads these once, when it is first imported (lazily, by the modules that need it). Set here,
# they keep its start-up log out of the notebooks (a red box of oneDNN and CPU-feature lines) and keep its
# CPU kernels deterministic, however JupyterLab was started; a value the user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from medmeta_lite.averaging import AveragingMetaLearner  # noqa: E402
from medmeta_lite.episodes import EpisodeSampler, evaluate_episodes  # noqa: E402
from medmeta_lite.gradient import GradientDescentRegressor  # noqa: E402
from medmeta_lite.linear import LinearRegression  # noqa: E402
from medmeta_lite.meta_prior import MetaLearnedPrior, RidgeAroundPrior  # noqa: E402
from medmeta_lite.reproducibility import set_seed, show_versions, versions  # noqa: E402
from medmeta_lite.synthetic_images import load_synthetic_split, make_synthetic_images  # noqa: E402
from medmeta_lite.tasks import LinearTaskSampler, SinusoidTaskSampler, Task, TaskSampler  # noqa: E402

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
