"""Baselines for few-shot image classification: fine-tuning, training from scratch, pixel nearest centroid.

- :class:`FineTuningClassifier` pre-trains a Conv-4 classifier on all meta-training classes at once
  (ordinary supervised learning, no episodes), then for each episode fits a *new* linear head on the
  support set, either on frozen features (``fine_tune="head"``, the "Baseline" of Chen et al., 2019) or
  while also updating the whole network (``fine_tune="all"``).
- :class:`ScratchClassifier` learns only from the support set: a softmax regression on raw pixels.
- :class:`PixelNearestCentroid` assigns each query image to the class whose mean support image is nearest
  in pixel space: the "no learning at all" floor.

Every classifier has ``predict(support_images, support_labels, query_images)`` and a batched
``predict_episodes(episode_batch)`` used by :func:`medmeta_lite.fewshot.evaluation.evaluate_episodes`.
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
from medmeta_lite.fewshot.embedding import build_conv4, compute_prototypes, pool_embeddings, read_history
from medmeta_lite.fewshot.embedding import squared_euclidean_distances as _distances
from medmeta_lite.fewshot.episodes import EpisodeBatch, check_support_labels, predict_each_episode
from medmeta_lite.gradmeta.ops import adapt, tile
from medmeta_lite.validation import (
    check_choice,
    check_count,
    check_finite,
    check_non_negative,
    check_positive,
    make_rng,
)


def _flatten(images, name: str = "images") -> np.ndarray:
    return prepare_images(images, name).reshape(len(images), -1).astype(np.float64)


def _no_queries(query_images) -> bool:
    """Whether the query set is empty (then every predict returns an empty array)."""
    return np.ndim(query_images) >= 1 and len(query_images) == 0


def fit_softmax_heads(features, labels, n_ways: int, *, n_iter: int = 100, learning_rate: float = 1.0,
                      l2: float = 1e-3):
    """Fit one softmax-regression head per episode by full-batch gradient descent, all episodes at once.

    Parameters
    ----------
    features : ndarray of shape (n_episodes, n_support, n_features)
        Rows are scaled to unit length first, so one learning rate suits pixels and embeddings.
    labels : ndarray of int, shape (n_episodes, n_support)
    n_ways : int
    n_iter, learning_rate, l2 : gradient-descent steps, step size and weight decay

    Returns
    -------
    weights : ndarray (n_episodes, n_features, n_ways)
    bias : ndarray (n_episodes, n_ways)

    Examples
    --------
    >>> import numpy as np
    >>> features = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    >>> weights, bias = fit_softmax_heads(features, np.array([[0, 1]]), 2)
    >>> (features[0] @ weights[0] + bias[0]).argmax(axis=1).tolist()
    [0, 1]
    """
    features = check_finite("features", features)
    if features.ndim != 3:
        raise ValueError(f"features must have shape (n_episodes, n_support, n_features), "
                         f"got {features.shape}")
    n_ways = check_count("n_ways", n_ways)
    labels = np.asarray(labels)
    if labels.shape != features.shape[:2] or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers of shape {features.shape[:2]}, got {labels.dtype} "
                         f"{labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_ways):
        raise ValueError(f"labels must lie in 0 … n_ways - 1 = {n_ways - 1}, "
                         f"got {labels.min()} … {labels.max()}")
    n_iter = check_count("n_iter", n_iter)
    learning_rate = check_positive("learning_rate", learning_rate)
    l2 = check_non_negative("l2", l2)
    features = _unit_rows(features)
    # Starting from zero, every gradient step keeps the weights in the span of the support rows, so run
    # the same descent on dual coefficients: weights = features.T @ dual (n_support × n_support kernel).
    dual, bias = _fit_dual_heads(features @ features.transpose(0, 2, 1), labels, n_ways, n_iter=n_iter,
                                 learning_rate=learning_rate, l2=l2)
    return features.transpose(0, 2, 1) @ dual, bias


def _fit_dual_heads(kernel, labels, n_ways, *, n_iter, learning_rate, l2):
    n_episodes, n_support, _ = kernel.shape
    targets = np.eye(n_ways)[labels]
    dual = np.zeros((n_episodes, n_support, n_ways))
    bias = np.zeros((n_episodes, n_ways))
    for _ in range(n_iter):
        logits = kernel @ dual + bias[:, None, :]
        logits -= logits.max(axis=-1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=-1, keepdims=True)
        error = (probabilities - targets) / n_support
        dual -= learning_rate * (error + l2 * dual)
        bias -= learning_rate * error.sum(axis=1)
    return dual, bias


def _pool_gram(episodes, unit: bool) -> np.ndarray:
    """Inner products between the standardised pool images that the episodes use (zeros elsewhere)."""
    used = np.unique(np.concatenate([episodes.support_index.ravel(), episodes.query_index.ravel()]))
    pixels = _flatten(episodes.images[used])
    if unit:
        pixels = _unit_rows(pixels)
    gram = np.zeros((len(episodes.images), len(episodes.images)))
    gram[np.ix_(used, used)] = pixels @ pixels.T
    return gram


def _take(gram, rows, columns):
    """``gram[rows[e], columns[e]]`` for every episode ``e``: shape (n_episodes, len(rows), len(columns))."""
    return gram[rows[:, :, None], columns[:, None, :]]


def _unit_rows(features):
    features = np.asarray(features, dtype=np.float64)
    return features / np.maximum(np.linalg.norm(features, axis=-1, keepdims=True), 1e-12)


def _predict_heads(features, weights, bias):
    return (_unit_rows(features) @ weights + bias[:, None, :]).argmax(axis=-1)


class PixelNearestCentroid(BaseEstimator):
    """Nearest class mean in pixel space: each query goes to the class of the closest mean support image.

    Images are standardised per image first, so only the pattern of pixels counts. No learning happens
    before the episode; this is the floor every learned method must beat.

    Notes
    -----
    Introduced in ``notebooks/13_few_shot_medical_images.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> support = np.stack([np.eye(4), np.eye(4)[::-1]])
    >>> PixelNearestCentroid().predict(support, [0, 1], support[::-1]).tolist()
    [1, 0]
    """

    def predict(self, support_images, support_labels, query_images) -> np.ndarray:
        """Episode label of the nearest class mean for each query image."""
        support_labels, n_ways = check_support_labels(support_labels, len(support_images))
        centroids = compute_prototypes(_flatten(support_images, "support_images"), support_labels, n_ways)
        if _no_queries(query_images):
            return np.empty(0, dtype=np.int64)
        return _distances(_flatten(query_images, "query_images"), centroids).argmin(axis=1)

    def predict_episodes(self, episodes: EpisodeBatch) -> np.ndarray:
        """Batched :meth:`predict` over an :class:`EpisodeBatch`, through the pool's Gram matrix."""
        gram = _pool_gram(episodes, unit=False)
        one_hot = np.eye(episodes.classes.shape[1])[episodes.support_labels]       # (episodes, support, ways)
        weights = one_hot / one_hot.sum(axis=1, keepdims=True)
        query_support = _take(gram, episodes.query_index, episodes.support_index)
        support_support = _take(gram, episodes.support_index, episodes.support_index)
        # ||q - c||² = ||q||² - 2 q·c + ||c||²; ||q||² is the same for every class and drops out.
        cross = query_support @ weights
        centroid_norms = np.einsum("esw,est,etw->ew", weights, support_support, weights)
        return (centroid_norms[:, None, :] - 2 * cross).argmin(axis=-1)


class ScratchClassifier(BaseEstimator):
    """Train from scratch on the support set only: softmax regression on standardised raw pixels.

    Parameters
    ----------
    n_iter : int, default=100
        Gradient-descent steps on the support set.
    learning_rate : float, default=1.0
    l2 : float, default=1e-3
        Weight decay; with a handful of images per class the model must be kept simple.

    Notes
    -----
    Introduced in ``notebooks/13_few_shot_medical_images.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> support = np.stack([np.eye(4), np.eye(4)[::-1]])
    >>> ScratchClassifier().predict(support, [0, 1], support).tolist()
    [0, 1]
    """

    def __init__(self, *, n_iter: int = 100, learning_rate: float = 1.0, l2: float = 1e-3):
        self.n_iter = n_iter
        self.learning_rate = learning_rate
        self.l2 = l2

    def predict(self, support_images, support_labels, query_images) -> np.ndarray:
        """Fit on the support set, then predict the query images' episode labels."""
        support_labels, n_ways = check_support_labels(support_labels, len(support_images))
        support = _flatten(support_images, "support_images")
        weights, bias = fit_softmax_heads(support[None], support_labels[None], n_ways, n_iter=self.n_iter,
                                          learning_rate=self.learning_rate, l2=self.l2)
        if _no_queries(query_images):
            return np.empty(0, dtype=np.int64)
        return _predict_heads(_flatten(query_images, "query_images")[None], weights, bias)[0]

    def predict_episodes(self, episodes: EpisodeBatch) -> np.ndarray:
        """Batched :meth:`predict` over an :class:`EpisodeBatch`, through the pool's Gram matrix."""
        gram = _pool_gram(episodes, unit=True)
        dual, bias = _fit_dual_heads(_take(gram, episodes.support_index, episodes.support_index),
                                     episodes.support_labels, episodes.classes.shape[1], n_iter=self.n_iter,
                                     learning_rate=self.learning_rate, l2=self.l2)
        logits = _take(gram, episodes.query_index, episodes.support_index) @ dual + bias[:, None, :]
        return logits.argmax(axis=-1)


class FineTuningClassifier(BaseEstimator):
    """Pre-train a Conv-4 classifier on the meta-training classes, then fine-tune a new head per episode.

    Parameters
    ----------
    filters : int, default=32
        Channels of each Conv-4 block (the same backbone as :class:`medmeta_lite.fewshot.protonets.ProtoNet`).
    learning_rate : float, default=0.002
        Adam step size of pre-training.
    n_iter : int, default=400
        Pre-training mini-batch steps.
    batch_size : int, default=64
    fine_tune : {"head", "all"}, default="head"
        ``"head"``: a new linear head on frozen features (fast, batched over episodes). ``"all"``: the
        new head *and* the backbone are trained on the support set (gradient descent, batch-norm statistics
        frozen), one episode at a time; much slower.
    n_fine_tune_steps : int, default=100
        Steps on the support set.
    fine_tune_lr : float, default=0.01
        Step size of ``fine_tune="all"`` (the head-only path uses unit-scaled features and step 1).
    random_state : int, Generator or None

    Attributes
    ----------
    backbone_ : keras.Model
        Pre-trained Conv-4 feature extractor.
    classes_ : ndarray
        Meta-training classes seen in pre-training.
    history_ : dict of list
        Pre-training ``loss`` and ``accuracy`` per step.
    train_seconds_ : float

    Notes
    -----
    Introduced in ``notebooks/13_few_shot_medical_images.ipynb``; the domain-shift comparison is in
    ``notebooks/14_meta_learning_vs_fine_tuning.ipynb``.

    References
    ----------
    Chen, W.-Y., Liu, Y.-C., Kira, Z., Wang, Y.-C. F. & Huang, J.-B. (2019). A closer look at few-shot
    classification. ICLR.
    Guo, Y. et al. (2020). A broader study of cross-domain few-shot learning. ECCV.

    Examples
    --------
    >>> from medmeta_lite.data.synthetic_images import load_synthetic_split
    >>> data = load_synthetic_split("meta_train", 8, random_state=0)
    >>> model = FineTuningClassifier(filters=8, n_iter=2, random_state=0).fit(data.images, data.labels)
    >>> model.predict(data.images[:16:8], [0, 1], data.images[1:4]).shape
    (3,)
    """

    def __init__(self, *, filters: int = 32, learning_rate: float = 0.002, n_iter: int = 400,
                 batch_size: int = 64, fine_tune: str = "head", n_fine_tune_steps: int = 100,
                 fine_tune_lr: float = 0.01, random_state=None):
        self.filters = filters
        self.learning_rate = learning_rate
        self.n_iter = n_iter
        self.batch_size = batch_size
        self.fine_tune = fine_tune
        self.n_fine_tune_steps = n_fine_tune_steps
        self.fine_tune_lr = fine_tune_lr
        self.random_state = random_state

    def _build(self, image_size, n_classes, seed):
        self._pool_cache = None  # embeddings of an old network must not be reused
        self.backbone_ = build_conv4(check_count("filters", self.filters), image_size=image_size,
                                     seed=seed, name="pretrained_backbone")
        self.head_ = keras.layers.Dense(n_classes, name="pretraining_head")
        self.head_.build((None, self.backbone_.output_shape[-1]))
        self.image_size_ = image_size

    def fit(self, images, labels):
        """Pre-train backbone and a classification head on all classes of ``images`` (mini-batch Adam).

        Returns
        -------
        self
        """

        n_iter = check_count("n_iter", self.n_iter)
        batch_size = check_count("batch_size", self.batch_size)
        learning_rate = check_positive("learning_rate", self.learning_rate)
        prepared = prepare_images(images)
        labels = np.asarray(labels).ravel()
        if len(labels) != len(prepared):
            raise ValueError(f"{len(prepared)} images but {len(labels)} labels")
        self.classes_, targets = np.unique(labels, return_inverse=True)
        rng = make_rng(self.random_state)
        self._build(prepared.shape[1], self.classes_.size, int(rng.integers(2**31 - 1)))
        backbone, head = self.backbone_, self.head_
        variables = backbone.trainable_variables + head.trainable_variables
        optimizer = keras.optimizers.Adam(learning_rate)
        # Built before tracing: slots created inside the first call make TensorFlow trace the step twice.
        optimizer.build(variables)

        @tf.function(reduce_retracing=True)
        def step(batch_images, batch_targets):
            with tf.GradientTape() as tape:
                logits = head(backbone(batch_images, training=True))
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=batch_targets,
                                                                                     logits=logits))
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
            correct = tf.equal(tf.argmax(logits, axis=1, output_type=tf.int32), batch_targets)
            return loss, tf.reduce_mean(tf.cast(correct, tf.float32))

        history = {"loss": [], "accuracy": []}
        start = time.perf_counter()
        for _ in range(n_iter):
            rows = rng.choice(len(prepared), size=min(batch_size, len(prepared)), replace=False)
            loss, accuracy = step(tf.constant(prepared[rows]), tf.constant(targets[rows].astype(np.int32)))
            history["loss"].append(float(loss))
            history["accuracy"].append(float(accuracy))
        self.train_seconds_ = time.perf_counter() - start
        self.history_ = history
        return self

    def embed(self, images, batch_size: int = 1024) -> np.ndarray:
        """Frozen pre-trained features of ``images``, shape ``(n_images, filters)``."""
        check_is_fitted(self, "backbone_")
        prepared = prepare_images(images)
        if len(prepared) == 0:
            return np.empty((0, int(self.backbone_.output_shape[-1])))
        return np.concatenate([self.backbone_(prepared[start:start + batch_size], training=False).numpy()
                               for start in range(0, len(prepared), batch_size)]).astype(np.float64)

    def _check_mode(self):
        check_choice("fine_tune", self.fine_tune, ("head", "all"))

    def predict(self, support_images, support_labels, query_images) -> np.ndarray:
        """Fine-tune a new head (and, with ``fine_tune="all"``, the backbone) on the support set; predict."""
        check_is_fitted(self, "backbone_")
        self._check_mode()
        support_labels, n_ways = check_support_labels(support_labels, len(support_images))
        check_finite("support_images", support_images)
        if _no_queries(query_images):
            return np.empty(0, dtype=np.int64)
        check_finite("query_images", query_images)
        if self.fine_tune == "all":
            return self._fine_tune_all(prepare_images(support_images), support_labels, n_ways,
                                       prepare_images(query_images))
        weights, bias = fit_softmax_heads(self.embed(support_images)[None], support_labels[None], n_ways,
                                          n_iter=self.n_fine_tune_steps)
        return _predict_heads(self.embed(query_images)[None], weights, bias)[0]

    def predict_episodes(self, episodes: EpisodeBatch) -> np.ndarray:
        """Predict every episode of a batch; the head-only path embeds the image pool once."""
        check_is_fitted(self, "backbone_")
        self._check_mode()
        if self.fine_tune == "all":
            return predict_each_episode(self.predict, episodes)
        table = pool_embeddings(self, episodes)
        weights, bias = fit_softmax_heads(table[episodes.support_index], episodes.support_labels,
                                          episodes.classes.shape[1], n_iter=self.n_fine_tune_steps)
        return _predict_heads(table[episodes.query_index], weights, bias)

    def _fine_tune_all(self, support, support_labels, n_ways, query):
        """Fine-tune the backbone and a zero-initialised head on the support set; label the query."""
        rate = check_positive("fine_tune_lr", self.fine_tune_lr)
        n_steps = check_count("n_fine_tune_steps", self.n_fine_tune_steps)
        dimension = int(self.backbone_.output_shape[-1])
        key = (rate, support.shape[1:])
        if getattr(self, "_fine_tuner", (None,))[0] != key:
            network = _BackboneWithHead(self.backbone_)
            images = tf.TensorSpec((None, *support.shape[1:]), tf.float32)
            # One trace serves every episode size and number of ways (a trace costs about a second).
            signature = [[tf.TensorSpec(variable.shape, tf.float32)
                          for variable in self.backbone_.trainable_variables]
                         + [tf.TensorSpec((dimension, None), tf.float32), tf.TensorSpec((None,), tf.float32)],
                         images, tf.TensorSpec((None,), tf.int32), images, tf.TensorSpec((), tf.int32)]

            @tf.function(input_signature=signature, autograph=False)  # as in AdaptedEpisodeClassifier
            def fine_tune_and_predict(initial, support, labels, query, steps):
                weights = adapt(network, "cross_entropy", tile(initial, 1), support[None], labels[None],
                                steps, rate, second_order=False)
                return network.apply(weights, query[None])[0]

            self._fine_tuner = (key, fine_tune_and_predict)
        initial = [variable.value for variable in self.backbone_.trainable_variables]
        initial += [tf.zeros((dimension, n_ways)), tf.zeros((n_ways,))]
        labels = tf.constant(support_labels.astype(np.int32))
        logits = self._fine_tuner[1](initial, tf.constant(support, tf.float32), labels,
                                     tf.constant(query, tf.float32), tf.constant(n_steps, tf.int32))
        return logits.numpy().argmax(axis=1)

    def save(self, path) -> Path:
        """Save the pre-trained backbone, head, settings and history (:mod:`medmeta_lite.serialization`)."""
        check_is_fitted(self, "backbone_")
        return serialization.save_model(
            path, self, {"backbone": self.backbone_.get_weights(), "head": self.head_.get_weights(),
                         "classes": self.classes_, "history_loss": np.asarray(self.history_["loss"]),
                         "history_accuracy": np.asarray(self.history_["accuracy"])},
            state={"image_size": self.image_size_})

    @classmethod
    def load(cls, path) -> FineTuningClassifier:
        """Rebuild a pre-trained classifier from :meth:`save`'s file; change fine-tuning options with
        ``set_params`` (``FineTuningClassifier.load(path).set_params(fine_tune="all")``)."""
        header, arrays = serialization.load_model_file(path, cls.__name__)
        model = cls(**header["hyperparameters"])
        model.classes_ = arrays["classes"]
        model._build(header["state"]["image_size"], model.classes_.size, seed=0)
        model.backbone_.set_weights(arrays["backbone"])
        model.head_.set_weights(arrays["head"])
        model.history_ = read_history(arrays)
        return model


class _BackboneWithHead:
    """The pre-trained backbone and a linear head as a functional network: ``apply(weights, X)``.

    Lets whole-network fine-tuning run through the package's one inner loop,
    :func:`medmeta_lite.gradmeta.ops.adapt`. The weights carry the task axis of one task; batch-norm layers
    stay in inference mode, because statistics of five images would be meaningless.
    """

    def __init__(self, backbone):
        self.backbone = backbone
        self.non_trainable = [variable.value for variable in backbone.non_trainable_variables]

    def apply(self, weights, X):
        *backbone_weights, head_weights, head_bias = weights
        features, _ = self.backbone.stateless_call([weight[0] for weight in backbone_weights],
                                                   self.non_trainable, X[0], training=False)
        return (tf.matmul(features, head_weights[0]) + head_bias[0])[None]
