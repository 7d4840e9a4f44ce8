"""Prototypical Networks (Snell et al., 2017) with a Conv-4 embedding in Keras 3.

A Conv-4 network maps every image to an embedding. In an episode, each class's *prototype* is the mean
embedding of its support images; a query image gets the softmax over negative Euclidean distances to the
prototypes (Snell et al. used squared distances; ``distance="squared_euclidean"`` gives those).
Meta-training minimises the cross-entropy of the query labels over many episodes, so that the embedding
makes "nearest prototype" work on classes it has never seen.

Regenerate the committed weights of the notebooks (ProtoNet, the fine-tuning baseline's pre-trained
backbone and a first-order MAML Conv-4) with one command (about a minute on 2 CPU cores)::

    python -m medmeta_lite.defaults fewshot
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from medmeta_lite import serialization
from medmeta_lite.backend import keras, tf
from medmeta_lite.data.preprocessing import prepare_images
from medmeta_lite.fewshot.embedding import (
    build_conv4,
    check_distance,
    compute_prototypes,
    episode_prototypes,
    pool_embeddings,
    prototype_distances,
    prototypical_loss,
    read_history,
    squared_euclidean_distances,
)
from medmeta_lite.fewshot.episodes import EpisodeBatch, EpisodeSampler, check_support_labels
from medmeta_lite.validation import (
    check_count,
    check_finite,
    check_positive,
    make_rng,
)


def _seed_from(random_state) -> int:
    return int(make_rng(random_state).integers(2**31 - 1))


class ProtoNet(BaseEstimator):
    """Prototypical Networks with a Conv-4 embedding, meta-trained on N-way K-shot episodes.

    Parameters
    ----------
    n_ways, n_shots, n_queries : int, default=10, 5, 5
        Episode shape used for meta-training (``fit`` may override). Training with more ways than at
        test time helps (Snell et al., 2017).
    filters : int, default=32
        Channels of each Conv-4 block; the embedding has this many dimensions for 28×28 images.
    meta_lr : float, default=0.002
        Adam learning rate of the embedding.
    n_meta_iter : int, default=300
        Meta-training episodes.
    distance : {"euclidean", "squared_euclidean"}, default="euclidean"
        Distance to the prototypes, in training and in :meth:`predict_proba`. Euclidean is easyfsl's
        choice; on the medical targets of notebook 14 it transferred better than the square of Snell et
        al. (PneumoniaMNIST 2-way 5-shot 0.74 against 0.67 in one measured run).
    random_state : int, Generator or None
        Seeds the initial weights and the episodes.

    Attributes
    ----------
    embedding_ : keras.Model
        The trained Conv-4 embedding.
    history_ : dict of list
        Episode ``loss`` and ``accuracy`` (on the query set) during meta-training.
    train_seconds_ : float

    Notes
    -----
    Introduced in ``notebooks/13_few_shot_medical_images.ipynb``.

    References
    ----------
    Snell, J., Swersky, K. & Zemel, R. (2017). Prototypical networks for few-shot learning. NeurIPS.

    Examples
    --------
    >>> from medmeta_lite.data.synthetic_images import load_synthetic_split
    >>> data = load_synthetic_split("meta_train", 12, random_state=0)
    >>> model = ProtoNet(filters=8, n_meta_iter=3, n_ways=3, n_shots=2, n_queries=2, random_state=0)
    >>> model = model.fit(data.images, data.labels)
    >>> len(model.history_["loss"])
    3
    >>> model.predict(data.images[:24:12], [0, 1], data.images[1:3]).shape
    (2,)
    """

    def __init__(self, *, n_ways: int = 10, n_shots: int = 5, n_queries: int = 5, filters: int = 32,
                 meta_lr: float = 0.002, n_meta_iter: int = 300, distance: str = "euclidean",
                 random_state=None):
        self.n_ways = n_ways
        self.n_shots = n_shots
        self.n_queries = n_queries
        self.filters = filters
        self.meta_lr = meta_lr
        self.n_meta_iter = n_meta_iter
        self.distance = distance
        self.random_state = random_state

    def _build(self, image_size, seed):
        self._pool_cache = None  # embeddings of an old network must not be reused
        self.embedding_ = build_conv4(check_count("filters", self.filters), image_size=image_size,
                                      seed=seed, name="protonet_embedding")
        self.image_size_ = image_size

    def fit(self, images, labels):
        """Meta-train the embedding on episodes drawn from ``images`` / ``labels``.

        Parameters
        ----------
        images : array-like of shape (n_images, height, width[, 1])
            Meta-training images; each is standardised.
        labels : array-like of int
            Class of each image (only meta-training classes: keep meta-test classes out).

        Returns
        -------
        self
        """

        n_meta_iter = check_count("n_meta_iter", self.n_meta_iter)
        n_ways = check_count("n_ways", self.n_ways, minimum=2)
        n_shots = check_count("n_shots", self.n_shots)
        n_queries = check_count("n_queries", self.n_queries)
        meta_lr = check_positive("meta_lr", self.meta_lr)
        distance = check_distance(self.distance)
        prepared = prepare_images(images)
        rng = make_rng(self.random_state)
        sampler = EpisodeSampler(prepared, labels, n_ways=n_ways, n_shots=n_shots, n_queries=n_queries,
                                 random_state=rng)
        self._build(prepared.shape[1], int(rng.integers(2**31 - 1)))
        optimizer = keras.optimizers.Adam(meta_lr)
        embedding = self.embedding_
        # Built before tracing: slots created inside the first call make TensorFlow trace the step twice
        # (0.7 s of a 5 s training run).
        optimizer.build(embedding.trainable_variables)
        n_support = n_ways * n_shots

        @tf.function(reduce_retracing=True)
        def meta_step(batch_images, support_labels, query_labels):
            with tf.GradientTape() as tape:
                embedded = embedding(batch_images, training=True)
                loss, accuracy = prototypical_loss(embedded[:n_support], support_labels, embedded[n_support:],
                                                   query_labels, n_ways, distance)
            gradients = tape.gradient(loss, embedding.trainable_variables)
            optimizer.apply_gradients(zip(gradients, embedding.trainable_variables, strict=True))
            return loss, accuracy

        history = {"loss": [], "accuracy": []}
        start = time.perf_counter()
        episodes = sampler.sample_batch(n_meta_iter)
        for index in range(n_meta_iter):
            rows = np.concatenate([episodes.support_index[index], episodes.query_index[index]])
            loss, accuracy = meta_step(tf.constant(prepared[rows]),
                                       tf.constant(episodes.support_labels[index]),
                                       tf.constant(episodes.query_labels[index]))
            history["loss"].append(float(loss))
            history["accuracy"].append(float(accuracy))
        self.train_seconds_ = time.perf_counter() - start
        self.history_ = history
        self.n_classes_seen_ = int(np.unique(sampler.labels).size)
        return self

    def embed(self, images, batch_size: int = 1024) -> np.ndarray:
        """Embeddings of ``images`` (standardised first), shape ``(n_images, filters)``."""
        check_is_fitted(self, "embedding_")
        prepared = prepare_images(images)
        if len(prepared) == 0:
            return np.empty((0, self.filters_out_))
        if prepared.shape[1] != self.image_size_:
            raise ValueError(f"images are {prepared.shape[1]} pixels wide, "
                             f"the network expects {self.image_size_}")
        return np.concatenate([self.embedding_(prepared[start:start + batch_size], training=False).numpy()
                               for start in range(0, len(prepared), batch_size)]).astype(np.float64)

    def _scores(self, support_images, support_labels, query_images):
        support_labels, n_ways = check_support_labels(support_labels, len(support_images))
        check_finite("support_images", support_images)
        check_finite("query_images", query_images)
        prototypes = compute_prototypes(self.embed(support_images), support_labels, n_ways)
        return -prototype_distances(self.embed(query_images), prototypes, self.distance)

    def predict_proba(self, support_images, support_labels, query_images) -> np.ndarray:
        """Softmax over negative distances to the prototypes, shape ``(n_query, n_ways)``."""
        scores = self._scores(support_images, support_labels, query_images)
        scores -= scores.max(axis=1, keepdims=True)
        probabilities = np.exp(scores)
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def predict(self, support_images, support_labels, query_images) -> np.ndarray:
        """Episode label (``0 … n_ways - 1``) of the nearest prototype for each query image."""
        return self._scores(support_images, support_labels, query_images).argmax(axis=1)

    def predict_episodes(self, episodes: EpisodeBatch) -> np.ndarray:
        """Predicted query labels of every episode of a batch, embedding the image pool only once."""
        if not isinstance(episodes, EpisodeBatch):
            raise TypeError("episodes must be an EpisodeBatch")
        table = pool_embeddings(self, episodes)
        prototypes = episode_prototypes(table, episodes)
        # Euclidean and squared distances rank prototypes alike, so the cheaper square serves here.
        distances = squared_euclidean_distances(table[episodes.query_index], prototypes)
        return distances.argmin(axis=-1)

    @property
    def filters_out_(self) -> int:
        check_is_fitted(self, "embedding_")
        return int(self.embedding_.output_shape[-1])

    def save(self, path) -> Path:
        """Save the embedding weights, settings and training history (:mod:`medmeta_lite.serialization`)."""
        check_is_fitted(self, "embedding_")
        history = getattr(self, "history_", {"loss": [], "accuracy": []})
        return serialization.save_model(
            path, self, {"embedding": self.embedding_.get_weights(),
                         "history_loss": np.asarray(history["loss"]),
                         "history_accuracy": np.asarray(history["accuracy"])},
            state={"image_size": self.image_size_})

    @classmethod
    def load(cls, path) -> ProtoNet:
        """Rebuild a fitted :class:`ProtoNet` from :meth:`save`'s file."""
        header, arrays = serialization.load_model_file(path, cls.__name__)
        # Files saved before ``distance`` existed were trained with the squared distance.
        model = cls(**{"distance": "squared_euclidean", **header["hyperparameters"]})
        model._build(header["state"]["image_size"], seed=0)
        model.embedding_.set_weights(arrays["embedding"])
        model.history_ = read_history(arrays)
        return model

