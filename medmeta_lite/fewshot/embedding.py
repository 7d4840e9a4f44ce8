"""The Conv-4 embedding network and the prototype arithmetic that ProtoNet and the baselines share.

A prototype is the mean embedding of a class's support images; a query belongs to the class of the
nearest prototype (Snell et al., 2017). The distance is Euclidean by default, as in easyfsl; Snell et
al. used its square. Both rank prototypes the same way; they differ in the softmax, so in training.
"""

from __future__ import annotations

import functools

import numpy as np

from medmeta_lite.backend import keras, tf


def _keras():
    return keras


@functools.cache
def _fused_batch_normalization_class():
    """Define :class:`FusedBatchNormalization` on first use: subclassing a Keras layer imports TensorFlow,
    and importing this module must not (``import medmeta_lite`` stays light).

    Examples
    --------
    >>> import numpy as np
    >>> layer = _fused_batch_normalization_class()(momentum=0.5)
    >>> outputs = layer(np.arange(16, dtype="float32").reshape(2, 2, 2, 2), training=True)
    >>> np.round(np.asarray(layer.moving_mean), 2).tolist()   # 0.5 · 0 + 0.5 · batch mean
    [3.5, 4.0]
    """

    class FusedBatchNormalization(keras.layers.BatchNormalization):
        """Keras batch normalisation whose training pass runs TensorFlow's fused kernel on 4-D inputs.

        Same weights, same arithmetic and same moving averages as ``keras.layers.BatchNormalization`` (which
        composes the normalisation from separate moments, subtract and scale operations); with TensorFlow's
        oneDNN kernels on, the fused kernel makes a Conv-4 training step about 1.5 times faster. Inference,
        masks and other ranks use the parent's path.
        """

        def call(self, inputs, training=None, mask=None):
            if not (training and self.trainable) or mask is not None or len(inputs.shape) != 4 \
                    or self.axis not in (-1, 3) or self.renorm or inputs.dtype != tf.float32:
                return super().call(inputs, training=training, mask=mask)
            scale = self.gamma if self.scale else tf.ones(inputs.shape[-1])
            offset = self.beta if self.center else tf.zeros(inputs.shape[-1])
            outputs, mean, variance = tf.compat.v1.nn.fused_batch_norm(inputs, scale, offset,
                                                                      epsilon=self.epsilon, is_training=True)
            # The fused kernel returns the Bessel-corrected variance; Keras averages the biased one.
            count = tf.cast(tf.size(inputs) // tf.shape(inputs)[-1], tf.float32)
            variance = variance * (count - 1.0) / tf.maximum(count, 1.0)
            self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
            self.moving_variance.assign(self.moving_variance * self.momentum
                                        + variance * (1.0 - self.momentum))
            return outputs

    return FusedBatchNormalization


def __getattr__(name: str):
    # ``from medmeta_lite.fewshot.embedding import FusedBatchNormalization`` builds the class lazily.
    if name == "FusedBatchNormalization":
        return _fused_batch_normalization_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_conv4(filters: int = 32, *, image_size: int = 28, seed: int = 0, name: str = "conv4"):
    """Conv-4 embedding: four blocks of 3×3 convolution, batch norm, ReLU and 2×2 max-pool, then flatten.

    A 28×28 image shrinks to 14, 7, 3 and 1 pixels, so the embedding has ``filters`` dimensions.

    Parameters
    ----------
    filters : int, default=32
        Channels of every convolution (the papers use 64; 32 is four times cheaper on a CPU).
    image_size : int, default=28
    seed : int, default=0
        Seed of the kernel initialisers.

    Returns
    -------
    keras.Model
        Input ``(image_size, image_size, 1)``, output ``(filters * s * s,)`` with ``s`` the final size.

    References
    ----------
    Vinyals, O. et al. (2016). Matching networks for one shot learning. NeurIPS.

    Examples
    --------
    >>> build_conv4(8).output_shape
    (None, 8)
    """
    keras = _keras()
    layers = keras.layers
    inputs = keras.Input((image_size, image_size, 1))
    hidden = inputs
    for block in range(4):
        hidden = layers.Conv2D(filters, 3, padding="same", use_bias=False,
                               kernel_initializer=keras.initializers.HeNormal(seed=seed + block))(hidden)
        hidden = _fused_batch_normalization_class()(momentum=0.9)(hidden)
        hidden = layers.ReLU()(hidden)
        hidden = layers.MaxPooling2D(2)(hidden)
    return keras.Model(inputs, layers.Flatten()(hidden), name=name)


def squared_euclidean_distances(query_embeddings, prototypes) -> np.ndarray:
    """Squared Euclidean distance of every query embedding to every prototype (numpy).

    Examples
    --------
    >>> squared_euclidean_distances([[0.0, 0.0], [1.0, 1.0]], [[0.0, 0.0], [2.0, 0.0]]).tolist()
    [[0.0, 4.0], [2.0, 2.0]]
    """
    query_embeddings, prototypes = np.asarray(query_embeddings, float), np.asarray(prototypes, float)
    # ||q||² - 2 q·c + ||c||²: avoids a (n_query, n_ways, n_features) temporary, large for 600 episodes.
    cross = query_embeddings @ np.swapaxes(prototypes, -1, -2)
    query_norms = (query_embeddings ** 2).sum(-1)[..., :, None]
    distances = query_norms - 2 * cross + (prototypes ** 2).sum(-1)[..., None, :]
    return np.maximum(distances, 0.0)


def compute_prototypes(embeddings, labels, n_ways: int) -> np.ndarray:
    """Mean embedding of each class ``0 … n_ways - 1`` (numpy).

    Examples
    --------
    >>> compute_prototypes([[0.0], [2.0], [5.0]], [0, 0, 1], 2).tolist()
    [[1.0], [5.0]]
    """
    embeddings, labels = np.asarray(embeddings, float), np.asarray(labels)
    one_hot = np.eye(n_ways)[labels]
    return (one_hot.T @ embeddings) / one_hot.sum(axis=0)[:, None]


def episode_prototypes(table, episodes) -> np.ndarray:
    """Prototypes of every episode of an :class:`EpisodeBatch`, given one feature row per pool image.

    Parameters
    ----------
    table : ndarray of shape (n_images, n_features)
        Features (embeddings or pixels) of ``episodes.images``.
    episodes : EpisodeBatch

    Returns
    -------
    ndarray of shape (n_episodes, n_ways, n_features)
    """
    one_hot = np.eye(episodes.classes.shape[1])[episodes.support_labels]          # (episodes, support, ways)
    sums = np.einsum("esw,esd->ewd", one_hot, np.asarray(table, float)[episodes.support_index])
    return sums / one_hot.sum(axis=1)[..., None]


def pool_embeddings(model, episodes) -> np.ndarray:
    """Embeddings of the pool images an :class:`EpisodeBatch` uses (zero rows for unused images).

    The table is cached on ``model`` while the same pool array (the same object) comes back, so that a
    grid of ways and shots over one pool embeds it once.
    """
    cached = getattr(model, "_pool_cache", None)
    used = np.unique(np.concatenate([episodes.support_index.ravel(), episodes.query_index.ravel()]))
    if cached is None or cached[0] is not episodes.images:
        cached = (episodes.images, np.zeros(len(episodes.images), dtype=bool), None)
    pool, done, table = cached
    missing = used[~done[used]]
    if missing.size:
        embedded = model.embed(pool[missing])
        if table is None:
            table = np.zeros((len(pool), embedded.shape[1]))
        table[missing] = embedded
        done[missing] = True
    model._pool_cache = (pool, done, table)
    return table


def read_history(archive) -> dict:
    """The ``history_loss`` / ``history_accuracy`` arrays of a saved model as a dict of lists."""
    return {"loss": archive["history_loss"].tolist(), "accuracy": archive["history_accuracy"].tolist()}


DISTANCES = ("euclidean", "squared_euclidean")


def check_distance(distance: str) -> str:
    """Return ``distance`` if it is one of :data:`DISTANCES`, else raise a ``ValueError`` naming them."""
    if distance not in DISTANCES:
        raise ValueError(f"distance must be one of {', '.join(map(repr, DISTANCES))}; got {distance!r}")
    return distance


def prototype_distances(query_embeddings, prototypes, distance: str = "euclidean") -> np.ndarray:
    """Distance of every query embedding to every prototype (numpy), Euclidean or squared Euclidean.

    Examples
    --------
    >>> prototype_distances([[3.0, 4.0]], [[0.0, 0.0]]).tolist()
    [[5.0]]
    >>> prototype_distances([[3.0, 4.0]], [[0.0, 0.0]], "squared_euclidean").tolist()
    [[25.0]]
    """
    squared = squared_euclidean_distances(query_embeddings, prototypes)
    return squared if check_distance(distance) == "squared_euclidean" else np.sqrt(squared)


def prototypical_loss(support_embeddings, support_labels, query_embeddings, query_labels, n_ways: int,
                      distance: str = "euclidean"):
    """Prototypical-network loss and accuracy of one episode (TensorFlow, differentiable).

    ``loss = mean_q [ d(q, c_{y_q}) + log Σ_k exp(-d(q, c_k)) ]`` with ``c_k`` the mean support embedding
    of class ``k`` and ``d`` the Euclidean distance (``distance="euclidean"``, easyfsl's choice) or its
    square (``"squared_euclidean"``, Snell et al.'s). The square makes far prototypes' logits fall
    quadratically, so the softmax saturates sooner and gradients reach fewer classes.

    Returns
    -------
    loss, accuracy : scalar tensors

    Examples
    --------
    >>> import numpy as np
    >>> loss, accuracy = prototypical_loss(np.array([[0.0], [2.0]], "float32"), np.array([0, 1]),
    ...                                    np.array([[0.0]], "float32"), np.array([0]), 2,
    ...                                    distance="squared_euclidean")
    >>> round(float(loss), 4), float(accuracy)
    (0.0181, 1.0)
    >>> round(float(prototypical_loss(np.array([[0.0], [2.0]], "float32"), np.array([0, 1]),
    ...                               np.array([[0.0]], "float32"), np.array([0]), 2)[0]), 4)
    0.1269
    """

    check_distance(distance)
    support_embeddings = tf.convert_to_tensor(support_embeddings)
    query_embeddings = tf.convert_to_tensor(query_embeddings, dtype=support_embeddings.dtype)
    one_hot = tf.one_hot(support_labels, n_ways, dtype=support_embeddings.dtype)
    prototypes = tf.matmul(one_hot, support_embeddings, transpose_a=True) / tf.reduce_sum(one_hot, 0)[:, None]
    distances = tf.reduce_sum(tf.square(query_embeddings[:, None, :] - prototypes[None]), axis=-1)
    if distance == "euclidean":
        # The square root's gradient is infinite at 0; a query exactly on a prototype must not give NaN.
        distances = tf.sqrt(tf.maximum(distances, 1e-12))
    labels = tf.cast(query_labels, tf.int32)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=-distances))
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmin(distances, axis=1, output_type=tf.int32), labels),
                                      tf.float32))
    return loss, accuracy


def class_separation(points, labels) -> float:
    """Between-class variance over mean within-class variance of ``points``: how far apart classes lie.

    Higher means classes further apart relative to their spread. Measured in the full space of
    ``points``, so a two-dimensional picture of them can look more (or less) separated than this says.

    Parameters
    ----------
    points : array-like of shape (n_points, n_dimensions)
        Flattened pixels or embeddings.
    labels : array-like of shape (n_points,)

    Returns
    -------
    float

    Notes
    -----
    Used in ``notebooks/13_few_shot_medical_images.ipynb`` to compare raw pixels with the ProtoNet
    embedding of classes it never saw.

    Examples
    --------
    >>> import numpy as np
    >>> points = np.array([[0.0], [0.2], [10.0], [10.2]])
    >>> round(class_separation(points, np.array([0, 0, 1, 1])), 1)
    2500.0
    """
    points, labels = np.asarray(points, dtype=float), np.asarray(labels).ravel()
    if points.ndim != 2 or len(points) != len(labels):
        raise ValueError(f"points must have shape (n_points, n_dimensions) with one label each, got "
                         f"{points.shape} and {labels.shape}")
    classes = np.unique(labels)
    if classes.size < 2:
        raise ValueError("class_separation needs at least two classes")
    centres = np.stack([points[labels == label].mean(axis=0) for label in classes])
    within = np.mean([points[labels == label].var(axis=0).sum() for label in classes])
    return float(centres.var(axis=0).sum() / within)
