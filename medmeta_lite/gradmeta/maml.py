"""Model-Agnostic Meta-Learning (MAML) and first-order MAML in TensorFlow, batched over tasks.

MAML learns initial weights ``theta`` such that a few gradient steps on a task's support set give weights
``phi`` that do well on the task's query set. The meta-gradient flows *through* the inner gradient steps
(a second-order derivative); first-order MAML (FOMAML) drops that term.

The whole meta-step (inner loop for all ``meta_batch_size`` tasks, query loss, meta-gradient and Adam
update) is one compiled ``tf.function``; the tasks run side by side with batched weights. Run
``python -m medmeta_lite.defaults sinusoid `` to regenerate the committed weights.
"""

from __future__ import annotations

from medmeta_lite.backend import tf
from medmeta_lite.gradmeta.base import FunctionalMetaLearner
from medmeta_lite.gradmeta.ops import adam_update, adapt, loss_per_task, tile
from medmeta_lite.validation import check_bool, check_count


class MAML(FunctionalMetaLearner):
    """Model-Agnostic Meta-Learning: learn initial weights from which a few SGD steps fit a new task.

    For each task of a meta-batch, ``n_inner_steps`` SGD steps on the support set turn the
    meta-parameters ``theta`` into ``phi``; Adam then moves ``theta`` against the gradient of the mean
    query loss of the ``phi``'s. With ``first_order=False`` that gradient flows through the inner
    gradient steps (second-order terms via nested ``tf.GradientTape``); with ``first_order=True``
    (FOMAML) the inner gradients are treated as constants.

    Parameters
    ----------
    network : {"mlp", "conv4"} or network object, default="mlp"
        ``"mlp"`` is the 1-40-40-1 ReLU network; ``"conv4"`` the Conv-4 image classifier (its number of
        classes is read from the first task batch); or any object with ``init_weights(rng, dtype)``,
        ``apply(weights, X)`` and ``get_config()`` (see :mod:`medmeta_lite.gradmeta.networks`).
    loss : {"mse", "cross_entropy"}, default="mse"
    inner_lr : float, default=0.01
        SGD step size of the inner loop (training and ``adapt``).
    meta_lr : float, default=0.001
        Adam step size of the meta-update.
    n_inner_steps : int, default=1
    meta_batch_size : int, default=25
        Tasks per meta-update.
    n_meta_iter : int, default=1000
        Meta-updates.
    n_shots, n_queries : int, default=10
        Support and query examples of each training task (an episode sampler fixes its own).
    first_order : bool, default=False
        Drop the second-order term (FOMAML).
    jit_compile : bool, default=True
        Compile the meta-step with XLA. On CPU this makes the sinusoid MLP about 3x faster, but Conv-4
        slower (and its compilation takes tens of seconds): pass ``False`` for images.
    dtype : {"float32", "float64"}, default="float32"
    random_state : int, Generator or None
        Seeds the initial weights (tasks come from the sampler's own ``random_state``).

    Attributes
    ----------
    meta_parameters_ : list of ndarray
        The learned initial weights ``theta``.
    history_ : ndarray of shape (n_meta_iter,)
        Meta-loss (mean query loss after adaptation) of each meta-iteration.
    network_ : network object
    n_features_in_ : int

    Notes
    -----
    Introduced in ``notebooks/12_maml_sinusoid.ipynb``; used on images in
    ``notebooks/13_few_shot_medical_images.ipynb``.

    References
    ----------
    Finn, C., Abbeel, P. & Levine, S. (2017). Model-agnostic meta-learning for fast adaptation of deep
    networks. ICML. arXiv:1703.03400.

    Examples
    --------
    >>> from medmeta_lite.data.tasks import SinusoidTaskSampler
    >>> maml = MAML(meta_batch_size=5, n_meta_iter=3, random_state=0).fit(SinusoidTaskSampler(random_state=0))
    >>> maml.history_.shape
    (3,)
    >>> task = SinusoidTaskSampler(random_state=1).sample_task(n_shots=10, n_queries=20)
    >>> learner = maml.adapt(task.X_support, task.y_support, n_inner_steps=5)
    >>> learner.predict(task.X_query).shape
    (20,)
    """


    def __init__(self, *, network="mlp", loss="mse", inner_lr=0.01, meta_lr=0.001, n_inner_steps=1,
                 meta_batch_size=25, n_meta_iter=1000, n_shots=10, n_queries=10, first_order=False,
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
        self.first_order = first_order
        self.jit_compile = jit_compile
        self.dtype = dtype
        self.random_state = random_state

    def _validate_hyperparameters(self):
        super()._validate_hyperparameters()
        check_count("n_inner_steps", self.n_inner_steps)
        check_bool("first_order", self.first_order)

    def meta_loss_and_tape(self, X_support, y_support, X_query, y_query):
        """Mean query loss after adaptation, and the tape that recorded it (for the meta-gradient).

        The forward half of one meta-step, public so that its cost can be measured on its own
        (:func:`medmeta_lite.experiments.measure_meta_gradient_cost`); call :meth:`initialize` first.
        """
        n_tasks = tf.shape(X_support)[0]
        with tf.GradientTape() as outer_tape:
            adapted = adapt(self.network_, self.loss, tile(self.variables_, n_tasks), X_support, y_support,
                             self.n_inner_steps, self.inner_lr, second_order=not self.first_order)
            meta_loss = tf.reduce_mean(loss_per_task(self.network_.apply(adapted, X_query), y_query,
                                                      self.loss))
        return meta_loss, outer_tape

    def meta_gradient(self, X_support, y_support, X_query, y_query):
        """Meta-loss and its gradient with respect to ``variables_`` for one task batch (no update)."""
        meta_loss, outer_tape = self.meta_loss_and_tape(X_support, y_support, X_query, y_query)
        return meta_loss, outer_tape.gradient(meta_loss, self.variables_)

    def _make_meta_step(self):
        self._first_moments = [tf.Variable(tf.zeros_like(v)) for v in self.variables_]
        self._second_moments = [tf.Variable(tf.zeros_like(v)) for v in self.variables_]
        self._adam_step = tf.Variable(0, dtype=tf.int64)

        def meta_step(X_support, y_support, X_query, y_query, iteration):
            meta_loss, gradients = self.meta_gradient(X_support, y_support, X_query, y_query)
            adam_update(self.variables_, gradients, self._first_moments, self._second_moments,
                         self._adam_step, tf.constant(self.meta_lr, self.variables_[0].dtype))
            return meta_loss

        return meta_step

    def fit(self, task_sampler, callback=None):
        """Meta-train on tasks drawn from ``task_sampler``.

        Parameters
        ----------
        task_sampler : TaskSampler or EpisodeSampler
            Any object with ``sample_batch(n_tasks, n_shots, n_queries)`` returning a dict (see
            :mod:`medmeta_lite.data.tasks`), or an :class:`medmeta_lite.fewshot.EpisodeSampler` whose
            ``sample_batch(n_episodes)`` fixes the shots itself (the ``n_shots`` and ``n_queries``
            hyperparameters are then ignored).
        callback : callable, default=None
            Called as ``callback(n_done)`` after every compiled chunk of 20 meta-iterations (timing, logging,
            validation). Returning ``True`` stops training there; ``history_`` then holds ``n_done`` losses.

        Returns
        -------
        self
        """
        return self._run_meta_training(task_sampler, self._make_meta_step, callback)

