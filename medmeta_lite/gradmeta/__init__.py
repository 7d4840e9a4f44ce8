"""Gradient-based meta-learning in TensorFlow: functional networks, shared tensor operations, MAML,
first-order MAML, Reptile and the pretrained baseline.
"""

from medmeta_lite.gradmeta.base import (
    AdaptedLearner,
    FunctionalMetaLearner,
    as_task_batch,
    check_task_batch,
    draw_batch,
)
from medmeta_lite.gradmeta.baselines import PretrainedBaseline, SinusoidOracle
from medmeta_lite.gradmeta.maml import MAML
from medmeta_lite.gradmeta.networks import MLP, Conv4, conv4_apply, mlp_apply, network_from_config
from medmeta_lite.gradmeta.ops import LOSSES, adam_update, adapt, loss_per_task, tile
from medmeta_lite.gradmeta.reptile import Reptile

__all__ = [
    "AdaptedLearner",
    "Conv4",
    "FunctionalMetaLearner",
    "LOSSES",
    "MAML",
    "MLP",
    "PretrainedBaseline",
    "Reptile",
    "SinusoidOracle",
    "adam_update",
    "adapt",
    "as_task_batch",
    "check_task_batch",
    "conv4_apply",
    "draw_batch",
    "loss_per_task",
    "mlp_apply",
    "network_from_config",
    "tile",
]
