"""medmeta_lite: the helper package of the medmeta-lite workbook on meta-learning for medical imaging.

The package has one subpackage per part, from the bottom layer up (a module imports only from its own
part and from the parts above it in this list):

- ``validation``, ``serialization``, ``backend``, ``reproducibility``: checks, the model file format, the
  lazy TensorFlow import and seeding, used everywhere;
- ``data``: bundled files, tasks, MedMNIST, synthetic images, preprocessing;
- ``learners``: scikit-learn-style base learners; ``priors``: meta-learning without neural networks;
- ``gradmeta``: MAML, first-order MAML, Reptile and their shared operations;
- ``fewshot``: episodes, the evaluation protocol, ProtoNet and the fine-tuning baselines;
- ``interview``: the bilingual question bank and trainer;
- ``defaults``: the committed models; ``experiments``: computations the notebooks share;
- ``plotting``: figures; ``widgets``: ipywidgets front ends; ``workbook``: runs the notebooks.

TensorFlow is imported on first use (see :mod:`medmeta_lite.backend`), never by ``import medmeta_lite``.
"""

__version__ = "0.1.0"

from medmeta_lite.data import (  # noqa: E402
    LinearTaskSampler,
    SinusoidTaskSampler,
    Task,
    TaskSampler,
    load_synthetic_split,
    make_synthetic_images,
)
from medmeta_lite.fewshot import EpisodeSampler, evaluate_episodes  # noqa: E402
from medmeta_lite.learners import AveragingMetaLearner, GradientDescentRegressor, LinearRegression  # noqa: E402
from medmeta_lite.priors import MetaLearnedPrior, RidgeAroundPrior  # noqa: E402
from medmeta_lite.reproducibility import set_seed, show_versions, versions  # noqa: E402

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
