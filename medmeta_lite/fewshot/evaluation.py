"""The few-shot evaluation protocol: class splits, 600-episode evaluation and 95 % intervals.

Every method in notebooks 13 and 14 and in ``benchmarks/bench_fewshot.py`` is scored by
:func:`evaluate_episodes` on the same episodes, so their accuracies compare directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from medmeta_lite.fewshot.episodes import EpisodeBatch, EpisodeSampler, check_images_labels
from medmeta_lite.validation import check_classes, check_count

N_EVALUATION_EPISODES = 600


@dataclass(frozen=True, repr=False)
class FewShotProtocol:
    """Where meta-training and meta-test episodes come from.

    Attributes
    ----------
    name : str
        ``"class split"`` or ``"dataset split"``.
    meta_train_images, meta_train_labels, meta_test_images, meta_test_labels : ndarray
    """

    name: str
    meta_train_images: np.ndarray
    meta_train_labels: np.ndarray
    meta_test_images: np.ndarray
    meta_test_labels: np.ndarray

    def meta_train_sampler(self, **kwargs) -> EpisodeSampler:
        """An :class:`EpisodeSampler` over the meta-training data (keyword arguments pass through)."""
        return EpisodeSampler(self.meta_train_images, self.meta_train_labels, **kwargs)

    def meta_test_sampler(self, **kwargs) -> EpisodeSampler:
        """An :class:`EpisodeSampler` over the meta-test data (keyword arguments pass through)."""
        return EpisodeSampler(self.meta_test_images, self.meta_test_labels, **kwargs)

    def __repr__(self) -> str:
        return (f"FewShotProtocol({self.name!r}, meta-train {np.unique(self.meta_train_labels).size} classes "
                f"/ {len(self.meta_train_images)} images, meta-test {np.unique(self.meta_test_labels).size} "
                f"classes / {len(self.meta_test_images)} images)")


def class_split_protocol(images, labels, test_classes) -> FewShotProtocol:
    """Split one labelled dataset by class: ``test_classes`` for meta-testing, the rest for meta-training.

    Parameters
    ----------
    images : array-like of shape (n_images, ...)
    labels : array-like of int
    test_classes : sequence of int
        Dataset labels reserved for meta-testing; no image of these classes reaches meta-training.

    Returns
    -------
    FewShotProtocol

    Examples
    --------
    >>> import numpy as np
    >>> protocol = class_split_protocol(np.zeros((40, 8, 8)), np.repeat(np.arange(4), 10), test_classes=[3])
    >>> np.unique(protocol.meta_train_labels).tolist(), np.unique(protocol.meta_test_labels).tolist()
    ([0, 1, 2], [3])
    """
    images, labels = check_images_labels(images, labels)
    test_classes = check_classes("test_classes", test_classes, labels)
    is_test = np.isin(labels, test_classes)
    if is_test.all():
        raise ValueError("test_classes cover every class; keep some for meta-training")
    return FewShotProtocol("class split", images[~is_test], labels[~is_test],
                           images[is_test], labels[is_test])


def dataset_split_protocol(source_images, source_labels, target_images, target_labels) -> FewShotProtocol:
    """Cross-domain protocol: meta-train on the source dataset, meta-test on a different target dataset.

    The label spaces are unrelated (label 0 of the target has nothing to do with label 0 of the source).

    Examples
    --------
    >>> import numpy as np
    >>> protocol = dataset_split_protocol(np.zeros((20, 8, 8)), np.repeat([0, 1], 10),
    ...                                   np.ones((10, 8, 8)), np.repeat([0, 1], 5))
    >>> protocol.name
    'dataset split'
    """
    source_images, source_labels = check_images_labels(source_images, source_labels)
    target_images, target_labels = check_images_labels(target_images, target_labels)
    if source_images.shape[1:] != target_images.shape[1:]:
        raise ValueError(f"source images {source_images.shape[1:]} and target images "
                         f"{target_images.shape[1:]} must have the same shape")
    return FewShotProtocol("dataset split", source_images, source_labels, target_images, target_labels)


def confidence_interval_95(accuracies) -> float:
    """Half-width of the normal-approximation 95 % interval of a mean: ``1.96 · std / √n``.

    ``std`` is the population standard deviation of the per-episode accuracies, as in the evaluation code
    of Prototypical Networks and of Chen et al. (2019).

    Examples
    --------
    >>> round(confidence_interval_95([0.5, 0.7, 0.6, 0.8]), 4)
    0.1096
    """
    accuracies = np.asarray(accuracies, dtype=float).ravel()
    if accuracies.size < 2:
        raise ValueError("need at least two episode accuracies for an interval")
    return float(1.96 * accuracies.std() / np.sqrt(accuracies.size))


@dataclass(frozen=True, repr=False)
class EpisodeEvaluation:
    """Per-episode accuracies with their mean and 95 % interval.

    Attributes
    ----------
    accuracies : ndarray of shape (n_episodes,)
    """

    accuracies: np.ndarray

    @property
    def mean(self) -> float:
        return float(np.mean(self.accuracies))

    @property
    def ci95(self) -> float:
        return confidence_interval_95(self.accuracies)

    @property
    def n_episodes(self) -> int:
        return len(self.accuracies)

    def __repr__(self) -> str:
        return f"EpisodeEvaluation({self.mean:.3f} ± {self.ci95:.3f}, {self.n_episodes} episodes)"


def evaluate_episodes(model, episodes) -> EpisodeEvaluation:
    """Accuracy of a few-shot classifier on each episode of a batch.

    Parameters
    ----------
    model : object or callable
        Either an object with ``predict_episodes(batch)`` returning predicted query labels of shape
        (n_episodes, n_query) (fast path: embed the pool once), or an object with
        ``predict(support_images, support_labels, query_images)``, or such a callable.
    episodes : EpisodeBatch
        Usually ``sampler.sample_batch(600)``; use the same batch for every method so they face the
        same tasks.

    Returns
    -------
    EpisodeEvaluation

    Examples
    --------
    >>> import numpy as np
    >>> images = np.repeat(np.arange(4.0), 10)[:, None, None] * np.ones((1, 4, 4))
    >>> sampler = EpisodeSampler(images, np.repeat(np.arange(4), 10), n_ways=2, n_shots=1, n_queries=3,
    ...                          random_state=0)
    >>> def nearest(support_images, support_labels, query_images):
    ...     distance = ((query_images[:, None] - support_images[None]) ** 2).sum(axis=(2, 3))
    ...     return support_labels[distance.argmin(axis=1)]
    >>> evaluate_episodes(nearest, sampler.sample_batch(20))
    EpisodeEvaluation(1.000 ± 0.000, 20 episodes)
    """
    if not isinstance(episodes, EpisodeBatch):
        raise TypeError(f"episodes must be an EpisodeBatch (sampler.sample_batch(n)), "
                        f"got {type(episodes).__name__}")
    if hasattr(model, "predict_episodes"):
        predicted = np.asarray(model.predict_episodes(episodes))
    else:
        predict = model.predict if hasattr(model, "predict") else model
        if not callable(predict):
            raise TypeError("model must be callable or have predict() or predict_episodes()")
        predicted = np.stack([np.asarray(predict(episode.support_images, episode.support_labels,
                                                 episode.query_images)) for episode in episodes])
    if predicted.shape != episodes.query_labels.shape:
        raise ValueError(f"predictions have shape {predicted.shape}, expected {episodes.query_labels.shape}")
    return EpisodeEvaluation(accuracies=(predicted == episodes.query_labels).mean(axis=1))


def accuracy_grid(models: dict, images, labels, *, n_ways_values=(2, 3, 5), n_shots_values=(1, 2, 5, 10),
                  n_queries: int = 10, n_episodes: int = 100, random_state=0) -> dict:
    """Mean accuracy and 95 % interval of several few-shot classifiers for every (ways, shots) pair.

    Computed once so that a widget can redraw any slice instantly. All methods face the same episodes
    for a given pair.

    Parameters
    ----------
    models : dict of str to model
        Anything :func:`evaluate_episodes` accepts.
    images, labels : the meta-test pool
    n_ways_values, n_shots_values : sequences of int
    n_queries, n_episodes : int
    random_state : int, default=0

    Returns
    -------
    dict
        ``n_ways`` and ``n_shots`` (the grids' axes) and ``methods``: for each method name, ``accuracy``
        and ``ci95`` arrays of shape (len(n_ways_values), len(n_shots_values)).

    Examples
    --------
    >>> import numpy as np
    >>> images = np.repeat(np.arange(4.0), 20)[:, None, None] * np.ones((1, 4, 4))
    >>> def nearest(support_images, support_labels, query_images):
    ...     distance = ((query_images[:, None] - support_images[None]) ** 2).sum(axis=(2, 3))
    ...     return support_labels[distance.argmin(axis=1)]
    >>> grid = accuracy_grid({"nearest": nearest}, images, np.repeat(np.arange(4), 20), n_ways_values=(2,),
    ...                      n_shots_values=(1, 2), n_episodes=5)
    >>> grid["methods"]["nearest"]["accuracy"].tolist()
    [[1.0, 1.0]]
    """
    n_ways_values, n_shots_values = tuple(n_ways_values), tuple(n_shots_values)
    methods = {name: {"accuracy": np.zeros((len(n_ways_values), len(n_shots_values))),
                      "ci95": np.zeros((len(n_ways_values), len(n_shots_values)))} for name in models}
    for row, n_ways in enumerate(n_ways_values):
        for column, n_shots in enumerate(n_shots_values):
            sampler = EpisodeSampler(images, labels, n_ways=n_ways, n_shots=n_shots, n_queries=n_queries,
                                     random_state=random_state)
            episodes = sampler.sample_batch(n_episodes)
            for name, model in models.items():
                result = evaluate_episodes(model, episodes)
                methods[name]["accuracy"][row, column] = result.mean
                methods[name]["ci95"][row, column] = result.ci95
    return {"n_ways": n_ways_values, "n_shots": n_shots_values, "methods": methods}


def compare_on_domains(methods: dict, targets: dict, *, n_shots: int = 5,
                       n_episodes: int = N_EVALUATION_EPISODES, slow=(), n_slow_episodes: int = 10,
                       random_state=0) -> dict:
    """Evaluate every method on every target domain, all methods on the same episodes of a domain.

    Methods that adapt one episode at a time (``slow``) see only the first ``n_slow_episodes`` of the
    same episode sequence, so their numbers compare with the others' on those episodes, with wider
    intervals.

    Parameters
    ----------
    methods : dict of str to model
        Anything :func:`evaluate_episodes` accepts.
    targets : dict of str to (images, labels, n_ways)
        The meta-test pool of each domain and the number of ways of its episodes.
    n_shots : int, default=5
    n_episodes : int, default=600
    slow : collection of str, default=()
        Names in ``methods`` evaluated on ``n_slow_episodes`` episodes only.
    n_slow_episodes : int, default=10
    random_state : int, default=0
        Seeds the episode sampler of every domain.

    Returns
    -------
    dict of str to dict of str to EpisodeEvaluation
        ``results[target][method]``.

    Notes
    -----
    The protocol of ``notebooks/14_meta_learning_vs_fine_tuning.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> images = np.repeat(np.arange(3.0), 20)[:, None, None] * np.ones((1, 4, 4))
    >>> def nearest(support_images, support_labels, query_images):
    ...     distance = ((query_images[:, None] - support_images[None]) ** 2).sum(axis=(2, 3))
    ...     return support_labels[distance.argmin(axis=1)]
    >>> toy = {"toy": (images, np.repeat(np.arange(3), 20), 3)}
    >>> results = compare_on_domains({"nearest": nearest}, toy, n_shots=1, n_episodes=4)
    >>> results["toy"]["nearest"].mean
    1.0
    """
    n_episodes = check_count("n_episodes", n_episodes)
    n_slow_episodes = check_count("n_slow_episodes", n_slow_episodes)
    unknown = set(slow) - set(methods)
    if unknown:
        raise ValueError(f"slow names methods that are not in methods: {sorted(unknown)}")
    results = {}
    for name, (images, labels, n_ways) in targets.items():
        episodes = EpisodeSampler(images, labels, n_ways=n_ways, n_shots=n_shots,
                                  random_state=random_state).sample_batch(n_episodes)
        # A fresh sampler with the same seed draws the same first episodes.
        first = EpisodeSampler(images, labels, n_ways=n_ways, n_shots=n_shots,
                               random_state=random_state).sample_batch(min(n_slow_episodes, n_episodes))
        results[name] = {method: evaluate_episodes(model, first if method in slow else episodes)
                         for method, model in methods.items()}
    return results
