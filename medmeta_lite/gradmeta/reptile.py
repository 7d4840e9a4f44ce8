"""Reptile: first-order meta-learning that moves the initial weights towards each task's adapted weights.

For every task of a meta-batch, Reptile runs a few SGD steps from the meta-parameters ``theta`` to get
``phi``, then moves ``theta`` a fraction of the way towards the average ``phi``. No second derivative and
no support/query split is needed; all tasks of the meta-batch run side by side in one compiled step.
"""

from __future__ import annotations

from medmeta_lite.backend import tf
from medmeta_lite.gradmeta.base import FunctionalMetaLearner
from medmeta_lite.gradmeta.ops import adapt, loss_per_task, tile
from medmeta_lite.validation import check_bool, check_count


class Reptile(FunctionalMetaLearner):
    """Reptile meta-learner: ``theta <- theta + epsilon * mean_over_tasks(phi - theta)``.

    Parameters
    ----------
    network : {"mlp", "conv4"} or network object, default="mlp"
        See :class:`medmeta_lite.gradmeta.maml.MAML`.
    loss : {"mse", "cross_entropy"}, default="mse"
    inner_lr : float, default=0.02
        SGD step size of the inner loop (training and ``adapt``).
    meta_lr : float, default=1.0
        The outer step size ``epsilon``: the fraction of the way towards the *average* adapted weights of
        the meta-batch. Averaging 25 tasks makes the step much less noisy than one task's, so the full
        step of the paper's batched variant works (0.1 suits one task per update).
    n_inner_steps : int, default=5
        SGD steps per task during meta-training (``adapt`` uses the same number by default).
    meta_batch_size : int, default=25
    n_meta_iter : int, default=1000
        Meta-updates.
    n_shots, n_queries : int, default=10
        Support and query examples of each training task (an episode sampler fixes its own).
    anneal_meta_lr : bool, default=True
        Decrease ``epsilon`` linearly to zero over the meta-iterations, as in the paper.
    jit_compile : bool, default=True
    dtype : {"float32", "float64"}, default="float32"
    random_state : int, Generator or None

    Attributes
    ----------
    meta_parameters_ : list of ndarray
    history_ : ndarray of shape (n_meta_iter,)
        Loss of the adapted weights on each task's points (support and query together), mean over tasks.
    network_ : network object
    n_features_in_ : int

    Notes
    -----
    Reptile uses every point of a training task for its inner steps (support and query together): it
    has no query loss to differentiate. Introduced in ``notebooks/12_maml_sinusoid.ipynb``.

    References
    ----------
    Nichol, A., Achiam, J. & Schulman, J. (2018). On first-order meta-learning algorithms.
    arXiv:1803.02999.

    Examples
    --------
    >>> from medmeta_lite.data.tasks import SinusoidTaskSampler
    >>> reptile = Reptile(meta_batch_size=5, n_meta_iter=3, random_state=0)
    >>> reptile = reptile.fit(SinusoidTaskSampler(random_state=0))
    >>> reptile.history_.shape
    (3,)
    """


    def __init__(self, *, network="mlp", loss="mse", inner_lr=0.02, meta_lr=1.0, n_inner_steps=5,
                 meta_batch_size=25, n_meta_iter=1000, n_shots=10, n_queries=10, anneal_meta_lr=True,
                 jit_compile=True, dtype="float32",
                 random_state=None):
        self.network = network
        self.loss = loss
        self.inner_lr = inner_lr
        self.meta_lr = meta_lr
        self.n_inner_steps = n_inner_steps
        self.meta_batch_size = meta_batch_size
        self.n_meta_iter = n_meta_iter
        self.n_shots = n_shots
        self.n_queries = n_queries
        self.anneal_meta_lr = anneal_meta_lr
        self.jit_compile = jit_compile
        self.dtype = dtype
        self.random_state = random_state

    def _validate_hyperparameters(self):
        super()._validate_hyperparameters()
        check_count("n_inner_steps", self.n_inner_steps)
        check_bool("anneal_meta_lr", self.anneal_meta_lr)

    def fit(self, task_sampler, callback=None):
        """Meta-train on tasks from ``task_sampler`` (same arguments as :meth:`MAML.fit`); return self."""
        total = self.n_meta_iter

        def make_meta_step():
            def meta_step(X_support, y_support, X_query, y_query, iteration):
                X = tf.concat([X_support, X_query], axis=1)
                y = tf.concat([y_support, y_query], axis=1)
                adapted = adapt(self.network_, self.loss, tile(self.variables_, tf.shape(X)[0]), X, y,
                                 self.n_inner_steps, self.inner_lr, second_order=False)
                dtype = self.variables_[0].dtype
                step_size = tf.constant(self.meta_lr, dtype)
                if self.anneal_meta_lr:
                    step_size = step_size * (1 - tf.cast(iteration, dtype) / total)
                for variable, weights in zip(self.variables_, adapted, strict=True):
                    variable.assign_add(step_size * (tf.reduce_mean(weights, axis=0) - variable))
                return tf.reduce_mean(loss_per_task(self.network_.apply(adapted, X), y, self.loss))

            return meta_step

        return self._run_meta_training(task_sampler, make_meta_step, callback)
