"""Few-shot classification with a fitted optimisation-based meta-learner (MAML, first-order MAML, Reptile).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from medmeta_lite.backend import tf
from medmeta_lite.data.preprocessing import add_channel_axis, standardise_images
from medmeta_lite.fewshot.episodes import EpisodeBatch, predict_each_episode
from medmeta_lite.gradmeta.ops import adapt, tile
from medmeta_lite.validation import check_count


class AdaptedEpisodeClassifier(BaseEstimator):
    """Few-shot classifier from a fitted optimisation-based meta-learner (MAML, first-order MAML, Reptile).

    For each episode the meta-learned initial weights take ``n_steps`` SGD steps on the (standardised)
    support set, and each query image gets the class with the largest logit. The adaptation of one
    episode is one compiled TensorFlow function reused for every episode of the same shape.

    Parameters
    ----------
    meta_learner : fitted meta-learner
        Needs ``network_`` (with ``apply(weights, X)``), ``meta_parameters_`` and ``inner_lr``, for example
        ``medmeta_lite.gradmeta.maml.MAML(network="conv4", loss="cross_entropy")`` after ``fit``.
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

    def _adapt_and_predict(self, image_shape):
        for name in ("network_", "meta_parameters_", "inner_lr"):
            if not hasattr(self.meta_learner, name):
                raise TypeError(f"meta_learner has no {name}: pass a fitted MAML-like meta-learner")
        key = (id(self.meta_learner), self.n_steps, self.inner_lr, image_shape)
        if getattr(self, "_compiled_key", None) != key:
            network = self.meta_learner.network_
            initial = [tf.constant(weight) for weight in self.meta_learner.meta_parameters_]
            n_steps = check_count("n_steps", self.n_steps, minimum=0)
            learning_rate = float(self.meta_learner.inner_lr if self.inner_lr is None else self.inner_lr)

            images = tf.TensorSpec((None, *image_shape), tf.float32)

            # One trace serves every episode size (a trace costs about a second). The loop is already a
            # graph loop and every branch is decided in Python, so AutoGraph would only add 0.5 s of
            # source conversion to the first episode; the graph is the same without it.
            @tf.function(input_signature=[images, tf.TensorSpec((None,), tf.int32), images], autograph=False)
            def adapt_and_predict(support, labels, query):
                weights = adapt(network, "cross_entropy", tile(initial, 1), support[None], labels[None],
                                tf.constant(n_steps), learning_rate, second_order=False)
                return network.apply([weight[0] for weight in weights], query)

            self._compiled, self._compiled_key = adapt_and_predict, key
        return self._compiled

    def predict(self, support_images, support_labels, query_images) -> np.ndarray:
        """Adapt on one support set and return the query images' episode labels."""

        support_labels = np.asarray(support_labels).ravel()
        n_ways = int(support_labels.max()) + 1

        def prepared(images):
            return add_channel_axis(standardise_images(images))

        support, query = prepared(support_images), prepared(query_images)
        adapt_and_predict = self._adapt_and_predict(support.shape[1:])
        n_outputs = int(np.shape(self.meta_learner.meta_parameters_[-1])[-1])  # the head's bias
        if n_outputs < n_ways:
            raise ValueError(f"the meta-learner's head has {n_outputs} outputs, fewer than n_ways={n_ways}")
        logits = adapt_and_predict(tf.constant(support, tf.float32), support_labels.astype(np.int32),
                                   tf.constant(query, tf.float32)).numpy()
        return logits[:, :n_ways].argmax(axis=-1)

    def predict_episodes(self, episodes: EpisodeBatch) -> np.ndarray:
        """Adapt to every episode of a batch (two at a time, see :func:`predict_each_episode`)."""
        return predict_each_episode(self.predict, episodes)
