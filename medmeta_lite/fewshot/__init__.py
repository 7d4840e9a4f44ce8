"""Few-shot image classification: episodes, the evaluation protocol, Prototypical Networks, the
fine-tuning baselines and a meta-learner adapted episode by episode.
"""

from medmeta_lite.fewshot.adapted import AdaptedEpisodeClassifier
from medmeta_lite.fewshot.embedding import (
    build_conv4,
    class_separation,
    compute_prototypes,
    episode_prototypes,
    pool_embeddings,
    prototype_distances,
    prototypical_loss,
    read_history,
    squared_euclidean_distances,
)
from medmeta_lite.fewshot.episodes import (
    Episode,
    EpisodeBatch,
    EpisodeSampler,
    check_images_labels,
    predict_each_episode,
)
from medmeta_lite.fewshot.evaluation import (
    N_EVALUATION_EPISODES,
    EpisodeEvaluation,
    FewShotProtocol,
    accuracy_grid,
    class_split_protocol,
    compare_on_domains,
    confidence_interval_95,
    dataset_split_protocol,
    evaluate_episodes,
)
from medmeta_lite.fewshot.fine_tuning import (
    FineTuningClassifier,
    PixelNearestCentroid,
    ScratchClassifier,
    fit_softmax_heads,
)
from medmeta_lite.fewshot.protonets import ProtoNet

__all__ = [
    "AdaptedEpisodeClassifier",
    "Episode",
    "EpisodeBatch",
    "EpisodeEvaluation",
    "EpisodeSampler",
    "FewShotProtocol",
    "FineTuningClassifier",
    "N_EVALUATION_EPISODES",
    "PixelNearestCentroid",
    "ProtoNet",
    "ScratchClassifier",
    "accuracy_grid",
    "build_conv4",
    "class_separation",
    "compare_on_domains",
    "check_images_labels",
    "class_split_protocol",
    "compute_prototypes",
    "confidence_interval_95",
    "dataset_split_protocol",
    "episode_prototypes",
    "evaluate_episodes",
    "fit_softmax_heads",
    "pool_embeddings",
    "predict_each_episode",
    "prototype_distances",
    "prototypical_loss",
    "read_history",
    "squared_euclidean_distances",
]
