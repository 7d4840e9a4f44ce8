"""The committed default models: train, save and load them (``python -m medmeta_lite.defaults``).
"""

from medmeta_lite.defaults.fewshot import (
    DEFAULT_MAML_FILE,
    DEFAULT_PRETRAINED_FILE,
    DEFAULT_PROTONET_FILE,
    DEFAULT_SETTINGS,
    load_fewshot_models,
    load_maml_curve,
    train_fewshot_models,
)
from medmeta_lite.defaults.sinusoid import (
    DEFAULT_META_ITERATIONS,
    SINUSOID_FILES,
    load_sinusoid_models,
    save_sinusoid_models,
    train_sinusoid_models,
)

__all__ = [
    "DEFAULT_MAML_FILE",
    "DEFAULT_META_ITERATIONS",
    "DEFAULT_PRETRAINED_FILE",
    "DEFAULT_PROTONET_FILE",
    "DEFAULT_SETTINGS",
    "SINUSOID_FILES",
    "load_fewshot_models",
    "load_maml_curve",
    "load_sinusoid_models",
    "save_sinusoid_models",
    "train_fewshot_models",
    "train_sinusoid_models",
]
