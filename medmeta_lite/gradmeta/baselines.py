"""Baselines for the sinusoid benchmark: joint ("pretrained") training then fine-tuning, and an oracle.

The pretrained baseline is what transfer learning does without meta-learning: fit one network to the
pooled data of all training tasks, then fine-tune it on a new task's support set. With phases uniform on
[0, π] the tasks do not cancel out: the pooled fit is the family's mean wave, about -1.6·cos x
(``notebooks/12_maml_sinusoid.ipynb`` derives it), which suits no single task, so a few SGD steps from it
help little. The oracle knows the family is ``a * sin(x) + b * cos(x)`` and fits only those two coefficients.
"""

from __future__ import annotations

import numpy as np

from medmeta_lite.backend import tf
from medmeta_lite.gradmeta.base import FunctionalMetaLearner
from medmeta_lite.gradmeta.ops import adam_update, loss_per_task


class PretrainedBaseline(FunctionalMetaLearner):
    """Joint training on every task's points, then SGD fine-tuning on a new task's support set.

    Parameters
    ----------
    network : {"mlp", "conv4"} or network object, default="mlp"
    loss : {"mse", "cross_entropy"}, default="mse"
    inner_lr : float, default=0.01
        SGD step size of the fine-tuning in ``adapt``.
    meta_lr : float, default=0.001
        Adam step size of the joint training (named like the meta-learners' outer step size so that the
        three learners share one interface).
    n_inner_steps : int, default=10
        Fine-tuning steps that ``adapt`` takes by default.
    meta_batch_size : int, default=25
        Tasks pooled into each joint-training batch.
    n_meta_iter : int, default=1000
        Meta-updates.
    n_shots, n_queries : int, default=10
        Support and query examples of each training task (an episode sampler fixes its own).
    jit_compile : bool, default=True
    dtype : {"float32", "float64"}, default="float32"
    random_state : int, Generator or None

    Attributes
    ----------
    meta_parameters_ : list of ndarray
        The jointly trained weights (the starting point of fine-tuning).
    history_ : ndarray of shape (n_meta_iter,)
        Pooled training loss of each update.
    network_ : network object
    n_features_in_ : int

    Notes
    -----
    Introduced in ``notebooks/12_maml_sinusoid.ipynb``.

    References
    ----------
    Finn, C., Abbeel, P. & Levine, S. (2017). Model-agnostic meta-learning for fast adaptation of deep
    networks. ICML (the "pretrained" baseline of section 5.1).

    Examples
    --------
    >>> from medmeta_lite.data.tasks import SinusoidTaskSampler
    >>> baseline = PretrainedBaseline(meta_batch_size=5, n_meta_iter=3, random_state=0)
    >>> baseline.fit(SinusoidTaskSampler(random_state=0)).history_.shape
    (3,)
    """


    def __init__(self, *, network="mlp", loss="mse", inner_lr=0.01, meta_lr=0.001, n_inner_steps=10,
                 meta_batch_size=25, n_meta_iter=1000, n_shots=10, n_queries=10, jit_compile=True,
                 dtype="float32", random_state=None):
        self.network = network
        self.loss = loss
        self.inner_lr = inner_lr
        self.meta_lr = meta_lr
        self.n_inner_steps = n_inner_steps
        self.meta_batch_size = meta_batch_size
        self.n_meta_iter = n_meta_iter
        self.n_shots = n_shots
        self.n_queries = n_queries
        self.jit_compile = jit_compile
        self.dtype = dtype
        self.random_state = random_state

    def fit(self, task_sampler, callback=None):
        """Train jointly on the pooled points of tasks drawn from ``task_sampler``; return self."""

        def make_step():
            self._first_moments = [tf.Variable(tf.zeros_like(v)) for v in self.variables_]
            self._second_moments = [tf.Variable(tf.zeros_like(v)) for v in self.variables_]
            self._adam_step = tf.Variable(0, dtype=tf.int64)

            def step(X_support, y_support, X_query, y_query, iteration):
                X = tf.concat([X_support, X_query], axis=1)
                y = tf.concat([y_support, y_query], axis=1)
                with tf.GradientTape() as tape:
                    # The same weights for every task: apply them unbatched to all pooled points at once.
                    outputs = self.network_.apply(self.variables_, tf.reshape(X, tf.concat(
                        [[-1], tf.shape(X)[2:]], axis=0)))
                    outputs = tf.reshape(outputs, tf.concat([tf.shape(X)[:2], tf.shape(outputs)[1:]], axis=0))
                    loss = tf.reduce_mean(loss_per_task(outputs, y, self.loss))
                gradients = tape.gradient(loss, self.variables_)
                adam_update(self.variables_, gradients, self._first_moments, self._second_moments,
                             self._adam_step, tf.constant(self.meta_lr, self.variables_[0].dtype))
                return loss

            return step

        return self._run_meta_training(task_sampler, make_step, callback)


class SinusoidOracle:
    """Reference that knows the task family: least squares on the features ``[sin x, cos x]``.

    Any ``amplitude * sin(x - phase)`` equals ``a * sin(x) + b * cos(x)`` with ``a = amplitude *
    cos(phase)`` and ``b = -amplitude * sin(phase)``, so two noiseless support points already identify
    the task. It is the floor no learner of the MLP can beat.

    Attributes
    ----------
    amplitude_, phase_ : float
        The recovered task parameters.

    Notes
    -----
    Introduced in ``notebooks/12_maml_sinusoid.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> oracle = SinusoidOracle().fit(X, 3 * np.sin(X[:, 0] - 0.5))
    >>> round(oracle.amplitude_, 3), round(oracle.phase_, 3)
    (3.0, 0.5)
    """

    @staticmethod
    def _features(X):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != 1:
            raise ValueError(f"X must have shape (n_examples, 1), got {X.shape}")
        return np.column_stack([np.sin(X[:, 0]), np.cos(X[:, 0])])

    def fit(self, X_support, y_support):
        """Fit the two coefficients on the support set; return self."""
        features = self._features(X_support)
        y_support = np.asarray(y_support, dtype=float)
        if y_support.shape != (len(features),):
            raise ValueError(f"y_support must have shape ({len(features)},), got {y_support.shape}")
        self.coef_ = np.linalg.lstsq(features, y_support, rcond=None)[0]
        self.amplitude_ = float(np.hypot(*self.coef_))
        self.phase_ = float(np.arctan2(-self.coef_[1], self.coef_[0]))
        return self

    def predict(self, X) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise ValueError("this SinusoidOracle is not fitted yet; call fit(X_support, y_support) first")
        return self._features(X) @ self.coef_

    def __repr__(self) -> str:
        return "SinusoidOracle()"
