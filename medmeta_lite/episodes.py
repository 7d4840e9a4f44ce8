"""N-way K-shot episodes: the tasks of few-shot image classification, and their standard evaluation.

An *episode* picks ``n_ways`` classes, relabels them ``0 … n_ways - 1`` in random order, and draws
``n_shots`` support images and ``n_queries`` query images of each, without overlap. Two protocols decide
where the classes come from:

- **class split**: meta-train and meta-test episodes use disjoint classes of one dataset
  (:func:`class_split_protocol`), the setting of Omniglot and miniImageNet;
- **dataset split** (cross-domain): meta-train on one dataset, meta-test on another
  (:func:`dataset_split_protocol`), the setting of BSCD-FSL, closer to a new hospital.

Reported accuracy is the mean over 600 meta-test episodes with a 95 % interval ``1.96 · std / √n``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from medmeta_lite.validation import check_count

N_EVALUATION_EPISODES = 600


def _check_images_labels(images, labels):
    images = np.asarray(images)
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:  # MedMNIST stores labels as (n, 1)
        labels = labels[:, 0]
    if images.ndim < 3:
        raise ValueError(f"images must have shape (n_images, height, width[, channels]), got {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"labels must have shape ({len(images)},), got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers, got dtype {labels.dtype}")
    return images, labels


@dataclass(frozen=True, repr=False)
class Episode:
    """One N-way K-shot task: support and query images with episode labels ``0 … n_ways - 1``.

    Attributes
    ----------
    support_images : ndarray of shape (n_ways * n_shots, height, width[, channels])
    support_labels : ndarray of shape (n_ways * n_shots,)
    query_images : ndarray of shape (n_ways * n_queries, height, width[, channels])
    query_labels : ndarray of shape (n_ways * n_queries,)
    classes : ndarray of shape (n_ways,)
        Original dataset label of each episode label (``classes[0]`` is the class called 0).
    """

    support_images: np.ndarray
    support_labels: np.ndarray
    query_images: np.ndarray
    query_labels: np.ndarray
    classes: np.ndarray

    @property
    def n_ways(self) -> int:
        return len(self.classes)

    @property
    def n_shots(self) -> int:
        return len(self.support_labels) // self.n_ways

    @property
    def n_queries(self) -> int:
        return len(self.query_labels) // self.n_ways

    def __repr__(self) -> str:
        return (f"Episode({self.n_ways}-way {self.n_shots}-shot, {len(self.query_labels)} query images, "
                f"classes={self.classes.tolist()})")


@dataclass(frozen=True, repr=False)
class EpisodeBatch:
    """Many episodes stored as indices into one pool of images (cheap to hold 600 of them).

    Methods that can embed the pool once (Prototypical Networks, frozen features) evaluate a batch without
    copying images; :meth:`episode` materialises one :class:`Episode`.

    Attributes
    ----------
    images : ndarray of shape (n_images, ...)
        The pool the indices point into.
    support_index, support_labels : ndarray of shape (n_episodes, n_ways * n_shots)
    query_index, query_labels : ndarray of shape (n_episodes, n_ways * n_queries)
    classes : ndarray of shape (n_episodes, n_ways)
    """

    images: np.ndarray
    support_index: np.ndarray
    support_labels: np.ndarray
    query_index: np.ndarray
    query_labels: np.ndarray
    classes: np.ndarray

    def __len__(self) -> int:
        return len(self.classes)

    def episode(self, index: int) -> Episode:
        """Return episode ``index`` with its images."""
        return Episode(self.images[self.support_index[index]], self.support_labels[index],
                       self.images[self.query_index[index]], self.query_labels[index], self.classes[index])

    def __iter__(self):
        return (self.episode(index) for index in range(len(self)))

    def __repr__(self) -> str:
        n_ways = self.classes.shape[1]
        n_shots = self.support_index.shape[1] // n_ways
        return (f"EpisodeBatch({len(self)} episodes, {n_ways}-way {n_shots}-shot, "
                f"{self.query_index.shape[1] // n_ways} queries per class)")


class EpisodeSampler:
    """Draw N-way K-shot episodes from labelled images, reproducibly.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width[, channels])
    labels : array-like of int, shape (n_images,) or (n_images, 1)
    n_ways : int, default=5
        Classes per episode.
    n_shots : int, default=1
        Support images per class.
    n_queries : int, default=15
        Query images per class (disjoint from the support images).
    classes : sequence of int or None, default=None
        Restrict episodes to these dataset labels (None: every label present).
    random_state : int, Generator or None
        Two samplers with the same seed and data draw the same episodes.

    Notes
    -----
    Introduced in ``notebooks/13_few_shot_medical_images.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> images, labels = np.zeros((60, 28, 28)), np.repeat(np.arange(6), 10)
    >>> sampler = EpisodeSampler(images, labels, n_ways=3, n_shots=2, n_queries=4, random_state=0)
    >>> episode = sampler.sample()
    >>> episode.support_images.shape, episode.query_images.shape, episode.support_labels.tolist()
    ((6, 28, 28), (12, 28, 28), [0, 0, 1, 1, 2, 2])
    """

    def __init__(self, images, labels, *, n_ways: int = 5, n_shots: int = 1, n_queries: int = 15,
                 classes=None, random_state=None):
        self.images, self.labels = _check_images_labels(images, labels)
        self.n_ways = check_count("n_ways", n_ways, minimum=2)
        self.n_shots = check_count("n_shots", n_shots)
        self.n_queries = check_count("n_queries", n_queries)
        present = np.unique(self.labels)
        self.classes = present if classes is None else np.asarray(classes, dtype=np.int64).ravel()
        missing = np.setdiff1d(self.classes, present)
        if missing.size:
            raise ValueError(f"classes {missing.tolist()} have no images")
        if self.n_ways > self.classes.size:
            raise ValueError(f"n_ways={self.n_ways} but only {self.classes.size} classes are available")
        needed = self.n_shots + self.n_queries
        self._members = [np.flatnonzero(self.labels == label) for label in self.classes]
        short = [int(label) for label, rows in zip(self.classes, self._members, strict=True)
                 if rows.size < needed]
        if short:
            raise ValueError(f"classes {short} have fewer than n_shots + n_queries = {needed} images; "
                             f"lower n_shots or n_queries")
        self.random_state = random_state
        self._rng = np.random.default_rng(random_state)

    def sample_batch(self, n_episodes: int) -> EpisodeBatch:
        """Draw ``n_episodes`` episodes as an :class:`EpisodeBatch` of indices into ``images``."""
        n_episodes = check_count("n_episodes", n_episodes)
        n_ways, n_shots, n_queries = self.n_ways, self.n_shots, self.n_queries
        support_index = np.empty((n_episodes, n_ways, n_shots), dtype=np.int64)
        query_index = np.empty((n_episodes, n_ways, n_queries), dtype=np.int64)
        chosen = np.empty((n_episodes, n_ways), dtype=np.int64)
        for episode in range(n_episodes):
            picks = self._rng.choice(self.classes.size, size=n_ways, replace=False)
            chosen[episode] = self.classes[picks]
            for way, pick in enumerate(picks):
                rows = self._rng.choice(self._members[pick], size=n_shots + n_queries, replace=False)
                support_index[episode, way], query_index[episode, way] = rows[:n_shots], rows[n_shots:]
        ways = np.arange(n_ways)
        return EpisodeBatch(
            images=self.images,
            support_index=support_index.reshape(n_episodes, -1),
            support_labels=np.tile(np.repeat(ways, n_shots), (n_episodes, 1)),
            query_index=query_index.reshape(n_episodes, -1),
            query_labels=np.tile(np.repeat(ways, n_queries), (n_episodes, 1)),
            classes=chosen,
        )

    def sample(self) -> Episode:
        """Draw one :class:`Episode`."""
        return self.sample_batch(1).episode(0)

    def __repr__(self) -> str:
        return (f"EpisodeSampler({self.n_ways}-way {self.n_shots}-shot, n_queries={self.n_queries}, "
                f"{self.classes.size} classes, {len(self.images)} images)")


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
    images, labels = _check_images_labels(images, labels)
    test_classes = np.asarray(test_classes, dtype=np.int64).ravel()
    unknown = np.setdiff1d(test_classes, labels)
    if unknown.size:
        raise ValueError(f"test_classes {unknown.tolist()} do not occur in labels")
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
    source_images, source_labels = _check_images_labels(source_images, source_labels)
    target_images, target_labels = _check_images_labels(target_images, target_labels)
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


class AdaptedEpisodeClassifier:
    """Few-shot classifier from a fitted optimisation-based meta-learner (MAML, first-order MAML, Reptile).

    For each episode the meta-learned initial weights take ``n_steps`` SGD steps on the (standardised)
    support set, and each query image gets the class with the largest logit. The adaptation of one
    episode is one compiled TensorFlow function reused for every episode of the same shape.

    Parameters
    ----------
    meta_learner : fitted meta-learner
        Needs ``network_`` (with ``apply(weights, X)``), ``meta_parameters_`` and ``inner_lr``, for example
        ``medmeta_lite.maml.MAML(network="conv4", loss="cross_entropy")`` after ``fit``.
    n_steps : int, default=10
        Adaptation steps at meta-test time (often more than during meta-training).
    inner_lr : float or None, default=None
        Step size; None uses the meta-learner's ``inner_lr``.

    Notes
    -----
    A network whose head has ``k`` outputs serves episodes of ``n_ways <= k`` classes: the unused outputs
    are never targeted by the support labels and are ignored at prediction. Introduced in
    ``notebooks/13_few_shot_medical_images.ipynb``.

    References
    ----------
    Finn, C., Abbeel, P. & Levine, S. (2017). Model-agnostic meta-learning for fast adaptation of deep
    networks. ICML.
    """

    def __init__(self, meta_learner, *, n_steps: int = 10, inner_lr=None):
        self.meta_learner = meta_learner
        self.n_steps = n_steps
        self.inner_lr = inner_lr

    def _adapt_and_predict(self):
        import tensorflow as tf

        for name in ("network_", "meta_parameters_", "inner_lr"):
            if not hasattr(self.meta_learner, name):
                raise TypeError(f"meta_learner has no {name}: pass a fitted MAML-like meta-learner")
        key = (id(self.meta_learner), self.n_steps, self.inner_lr)
        if getattr(self, "_compiled_key", None) != key:
            network = self.meta_learner.network_
            initial = [tf.constant(weight) for weight in self.meta_learner.meta_parameters_]
            n_steps = check_count("n_steps", self.n_steps, minimum=0)
            learning_rate = float(self.meta_learner.inner_lr if self.inner_lr is None else self.inner_lr)

            @tf.function(reduce_retracing=True)
            def adapt_and_predict(support, labels, query):
                weights = list(initial)
                for _ in tf.range(n_steps):  # a graph loop: tracing cost does not grow with n_steps
                    with tf.GradientTape() as tape:
                        tape.watch(weights)
                        logits = network.apply(weights, support)
                        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                                             logits=logits))
                    gradients = tape.gradient(loss, weights)
                    weights = [weight - learning_rate * gradient
                               for weight, gradient in zip(weights, gradients, strict=True)]
                return network.apply(weights, query)

            self._compiled, self._compiled_key = adapt_and_predict, key
        return self._compiled

    def predict(self, support_images, support_labels, query_images) -> np.ndarray:
        """Adapt on one support set and return the query images' episode labels."""
        from medmeta_lite.synthetic_images import standardise_images

        support_labels = np.asarray(support_labels).ravel()
        n_ways = int(support_labels.max()) + 1

        def prepared(images):
            images = standardise_images(images)
            return images[..., None] if images.ndim == 3 else images

        adapt_and_predict = self._adapt_and_predict()
        n_outputs = int(np.shape(self.meta_learner.meta_parameters_[-1])[-1])  # the head's bias
        if n_outputs < n_ways:
            raise ValueError(f"the meta-learner's head has {n_outputs} outputs, fewer than n_ways={n_ways}")
        logits = adapt_and_predict(prepared(support_images), support_labels.astype(np.int32),
                                   prepared(query_images)).numpy()
        return logits[:, :n_ways].argmax(axis=-1)

    def __repr__(self) -> str:
        return f"AdaptedEpisodeClassifier({type(self.meta_learner).__name__}, n_steps={self.n_steps})"


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
