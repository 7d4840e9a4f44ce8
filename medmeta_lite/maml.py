"""Model-Agnostic Meta-Learning (MAML) and first-order MAML in TensorFlow, batched over tasks.

MAML learns initial weights ``theta`` such that a few gradient steps on a task's support set give weights
``phi`` that do well on the task's query set. The meta-gradient flows *through* the inner gradient steps
(a second-order derivative); first-order MAML (FOMAML) drops that term.

The whole meta-step (inner loop for all ``meta_batch_size`` tasks, query loss, meta-gradient and Adam
update) is one compiled ``tf.function``; the tasks run side by side with batched weights. Run
``python -m medmeta_lite.maml --train-defaults --out data/`` to regenerate the committed weights.
"""

from __future__ import annotations

import argparse
import inspect
import json
import time
import warnings
from pathlib import Path

import numpy as np
import tensorflow as tf

from medmeta_lite.networks import MLP, Conv4, network_from_config
from medmeta_lite.validation import check_count, check_positive

_LOSSES = ("mse", "cross_entropy")


# ---------------------------------------------------------------------------------------------------------
# Pure functions shared by meta-training, validation and test
# ---------------------------------------------------------------------------------------------------------
def _loss_per_task(outputs, y, loss: str):
    """Mean loss of each task: ``outputs`` (n_tasks, n_examples, n_outputs), ``y`` (n_tasks, n_examples)."""
    if loss == "mse":
        return tf.reduce_mean(tf.square(outputs[..., 0] - tf.cast(y, outputs.dtype)), axis=1)
    labels = tf.cast(y, tf.int32)
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=outputs)
    return tf.reduce_mean(losses, axis=1)


def _adapt(network, loss, weights, X_support, y_support, n_steps, inner_lr, second_order):
    """Run ``n_steps`` of SGD on every task's support set at once; return the adapted batched weights.

    ``weights`` carry a leading task axis. Summing the per-task losses gives each task its own gradient,
    because task ``t``'s loss depends only on ``weights[i][t]``. With ``second_order=False`` the inner
    gradients are constants for any enclosing tape: the meta-gradient then skips their derivative.
    """
    for _ in range(n_steps):
        with tf.GradientTape() as tape:
            tape.watch(weights)
            total = tf.reduce_sum(_loss_per_task(network.apply(weights, X_support), y_support, loss))
        gradients = tape.gradient(total, weights)
        if not second_order:
            gradients = [tf.stop_gradient(gradient) for gradient in gradients]
        weights = [weight - inner_lr * gradient for weight, gradient in zip(weights, gradients, strict=True)]
    return weights


def _tile(weights, n_tasks):
    return [tf.broadcast_to(weight[None], tf.concat([[n_tasks], tf.shape(weight)], axis=0))
            for weight in weights]


def _adam_update(variables, gradients, first_moments, second_moments, step, learning_rate,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    """Adam (Kingma & Ba, 2015) written out so that it compiles with the rest of the meta-step."""
    step.assign_add(1)
    t = tf.cast(step, variables[0].dtype)
    correction = tf.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    for variable, gradient, m, v in zip(variables, gradients, first_moments, second_moments, strict=True):
        m.assign(beta_1 * m + (1 - beta_1) * gradient)
        v.assign(beta_2 * v + (1 - beta_2) * tf.square(gradient))
        variable.assign_sub(learning_rate * correction * m / (tf.sqrt(v) + epsilon))


def _draw_batch(task_sampler, n_tasks, n_shots, n_queries):
    """Draw a meta-batch as a dict of stacked arrays from a task sampler or an episode sampler."""
    try:
        parameters = inspect.signature(task_sampler.sample_batch).parameters
    except (TypeError, ValueError):
        parameters = {}
    if len(parameters) >= 3:
        return as_task_batch(task_sampler.sample_batch(n_tasks, n_shots, n_queries))
    # Episode samplers (medmeta_lite.episodes) fix n_ways, n_shots and n_queries themselves.
    return as_task_batch(task_sampler.sample_batch(n_tasks))


def as_task_batch(batch) -> dict:
    """Return ``batch`` as the dict of stacked arrays the meta-learners use.

    Accepts the dict of ``TaskSampler.sample_batch`` as is, and converts an
    :class:`medmeta_lite.episodes.EpisodeBatch` (indices into an image pool) into images of shape
    ``(n_tasks, n_examples, height, width, channels)`` with a channel axis added to grey-scale images.
    """
    if isinstance(batch, dict):
        return batch
    if all(hasattr(batch, name) for name in ("images", "support_index", "query_index")):
        images = np.asarray(batch.images)
        if images.ndim == 3:
            images = images[..., None]
        return {"X_support": images[batch.support_index], "y_support": np.asarray(batch.support_labels),
                "X_query": images[batch.query_index], "y_query": np.asarray(batch.query_labels)}
    raise TypeError(f"expected a dict from TaskSampler.sample_batch or an EpisodeBatch, "
                    f"got {type(batch).__name__}")


def _check_batch(batch, name="task batch"):
    for key in ("X_support", "y_support", "X_query", "y_query"):
        if key not in batch:
            raise ValueError(f"{name} is missing {key!r}; task samplers return dicts from sample_batch()")
    if np.ndim(batch["X_support"]) < 3:
        raise ValueError(f"X_support must have shape (n_tasks, n_shots, ...), "
                         f"got {np.shape(batch['X_support'])}")
    if np.shape(batch["y_support"]) != np.shape(batch["X_support"])[:2]:
        raise ValueError(f"y_support must have shape {np.shape(batch['X_support'])[:2]}, "
                         f"got {np.shape(batch['y_support'])}")
    if np.shape(batch["y_query"]) != np.shape(batch["X_query"])[:2]:
        raise ValueError(f"y_query must have shape {np.shape(batch['X_query'])[:2]}, "
                         f"got {np.shape(batch['y_query'])}")


# ---------------------------------------------------------------------------------------------------------
# Adapted learner
# ---------------------------------------------------------------------------------------------------------
class AdaptedLearner:
    """A model adapted to one task: the network and its task-specific weights ``phi``.

    Returned by ``adapt()`` of :class:`MAML`, :class:`medmeta_lite.reptile.Reptile` and
    :class:`medmeta_lite.pretrained.PretrainedBaseline`; it never shares state with the meta-learner.

    Attributes
    ----------
    weights_ : list of ndarray
        Adapted weights.
    n_inner_steps_ : int
        Gradient steps taken on the support set.
    """

    def __init__(self, network, weights, loss, n_inner_steps):
        self.network = network
        self.loss = loss
        self.weights_ = [np.array(weight) for weight in weights]
        self.n_inner_steps_ = n_inner_steps

    def decision_function(self, X) -> np.ndarray:
        """Raw outputs of the adapted network (regression values or class logits)."""
        X = np.asarray(X, dtype=self.weights_[0].dtype)
        if isinstance(self.network, Conv4) and X.ndim == 3:
            X = X[..., None]  # grey-scale images without a channel axis
        return self.network.apply(self.weights_, X).numpy()

    def predict(self, X) -> np.ndarray:
        """Predictions for ``X``: values of shape (n_examples,) for MSE, class labels for cross-entropy."""
        outputs = self.decision_function(X)
        return outputs[:, 0] if self.loss == "mse" else outputs.argmax(axis=1)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (cross-entropy networks only)."""
        if self.loss != "cross_entropy":
            raise ValueError("predict_proba needs a network trained with loss='cross_entropy'")
        return tf.nn.softmax(self.decision_function(X)).numpy()

    def __repr__(self) -> str:
        return f"AdaptedLearner({self.network!r}, n_inner_steps={self.n_inner_steps_})"


# ---------------------------------------------------------------------------------------------------------
# Shared machinery of MAML, Reptile and the pretrained baseline
# ---------------------------------------------------------------------------------------------------------
class FunctionalMetaLearner:
    """Base class: network resolution, adaptation, evaluation, save/load. Subclasses define the meta-step.

    Not used directly; see :class:`MAML`, :class:`medmeta_lite.reptile.Reptile` and
    :class:`medmeta_lite.pretrained.PretrainedBaseline`.
    """

    _hyperparameters: tuple[str, ...] = ()
    _chunk_size = 20  # meta-iterations per compiled call; divides the benchmark's 100-iteration windows

    # -- validation and set-up -------------------------------------------------------------------------
    def _validate_hyperparameters(self, n_meta_iter):
        check_positive("inner_lr", self.inner_lr)
        check_positive("meta_lr", self.meta_lr)
        check_count("n_inner_steps", self.n_inner_steps, minimum=0)
        check_count("meta_batch_size", self.meta_batch_size)
        check_count("n_meta_iter", n_meta_iter)
        if self.loss not in _LOSSES:
            raise ValueError(f"loss must be one of {_LOSSES}, got {self.loss!r}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")

    def _resolve_network(self, batch):
        network = self.network
        if network == "mlp":
            n_features = int(np.shape(batch["X_support"])[-1])
            return MLP(layer_sizes=(n_features, 40, 40, 1))
        if network == "conv4":
            n_ways = int(max(np.max(batch["y_support"]), np.max(batch["y_query"]))) + 1
            return Conv4(n_ways=n_ways, n_channels=int(np.shape(batch["X_support"])[-1]))
        if isinstance(network, str):
            raise ValueError(f"network must be 'mlp', 'conv4' or a functional network object, "
                             f"got {network!r}")
        for method in ("init_weights", "apply"):
            if not callable(getattr(network, method, None)):
                raise TypeError(f"a custom network needs an {method}() method, got {type(network).__name__}")
        return network

    def _start(self, task_sampler, n_meta_iter, n_shots, n_queries):
        n_meta_iter = self.n_meta_iter if n_meta_iter is None else n_meta_iter
        self._validate_hyperparameters(n_meta_iter)
        if not callable(getattr(task_sampler, "sample_batch", None)):
            raise TypeError("task_sampler needs a sample_batch(n_tasks, n_shots, n_queries) method")
        check_count("n_shots", n_shots)
        check_count("n_queries", n_queries)
        first = _draw_batch(task_sampler, self.meta_batch_size, n_shots, n_queries)
        _check_batch(first)
        self.network_ = self._resolve_network(first)
        rng = np.random.default_rng(self.random_state)
        self._variables = [tf.Variable(weight.astype(self.dtype))
                           for weight in self.network_.init_weights(rng, dtype=self.dtype)]
        self.n_features_in_ = int(np.shape(first["X_support"])[-1])
        return n_meta_iter, first

    def _cast(self, batch):
        label_dtype = self.dtype if self.loss == "mse" else "int32"
        return (tf.constant(np.asarray(batch["X_support"], dtype=self.dtype)),
                tf.constant(np.asarray(batch["y_support"], dtype=label_dtype)),
                tf.constant(np.asarray(batch["X_query"], dtype=self.dtype)),
                tf.constant(np.asarray(batch["y_query"], dtype=label_dtype)))

    def _run_meta_training(self, task_sampler, n_meta_iter, n_shots, n_queries, progress, make_update,
                           callback=None):
        """Shared training loop: draw ``chunk`` meta-batches in NumPy, run them in one compiled call.

        ``make_update()`` returns ``update(X_support, y_support, X_query, y_query, iteration) -> loss``
        for one meta-batch; a ``tf.while_loop`` runs it over a chunk of meta-batches so that Python and the
        function-call overhead are paid once per chunk instead of once per meta-iteration.
        """
        n_meta_iter, first = self._start(task_sampler, n_meta_iter, n_shots, n_queries)
        update = make_update()
        loss_dtype = self._variables[0].dtype

        def run_chunk(X_support, y_support, X_query, y_query, start):
            n_batches = X_support.shape[0]
            losses = tf.TensorArray(loss_dtype, size=n_batches)
            for index in tf.range(n_batches):
                iteration = start + tf.cast(index, tf.int64)
                losses = losses.write(index, update(X_support[index], y_support[index], X_query[index],
                                                    y_query[index], iteration))
            return losses.stack()

        compiled = self._compile(run_chunk)
        history = np.empty(n_meta_iter)
        bar = None
        if progress:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                warnings.warn("progress=True needs tqdm; training silently", stacklevel=3)
            else:
                bar = tqdm(total=n_meta_iter, desc=type(self).__name__, leave=False)
        for start in range(0, n_meta_iter, self._chunk_size):
            size = min(self._chunk_size, n_meta_iter - start)
            batches = [first] if start == 0 else []
            batches += [_draw_batch(task_sampler, self.meta_batch_size, n_shots, n_queries)
                        for _ in range(size - len(batches))]
            stacked = {key: np.stack([batch[key] for batch in batches])
                       for key in ("X_support", "y_support", "X_query", "y_query")}
            history[start:start + size] = compiled(*self._cast(stacked), tf.constant(start, tf.int64)).numpy()
            if bar is not None:
                bar.update(size)
            if callback is not None:
                callback(start + size)
        if bar is not None:
            bar.close()
        self.history_ = history
        self.meta_parameters_ = [variable.numpy() for variable in self._variables]
        return self

    def _compile(self, function):
        return tf.function(function, jit_compile=bool(self.jit_compile))

    # -- fitted-state helpers ----------------------------------------------------------------------------
    def _check_is_fitted(self):
        if not hasattr(self, "meta_parameters_"):
            raise ValueError(f"this {type(self).__name__} is not fitted yet; call fit(task_sampler) first")

    def _check_inputs(self, X, name="X"):
        X = np.asarray(X, dtype=self.meta_parameters_[0].dtype)
        if isinstance(self.network_, Conv4) and X.ndim == 3:
            X = X[..., None]  # grey-scale images without a channel axis
        if X.ndim < 2:
            raise ValueError(f"{name} must have shape (n_examples, n_features...), got {X.shape}")
        if X.shape[-1] != self.n_features_in_:
            raise ValueError(f"{name} has {X.shape[-1]} features but the meta-learner was fitted with "
                             f"{self.n_features_in_}")
        return X

    # -- adaptation and evaluation -----------------------------------------------------------------------
    def adapt(self, X_support, y_support, n_inner_steps=None, inner_lr=None) -> AdaptedLearner:
        """Adapt the meta-parameters to one task with SGD on its support set; return a NEW learner.

        Parameters
        ----------
        X_support : array of shape (n_shots, n_features) (or (n_shots, height, width, channels))
        y_support : array of shape (n_shots,)
        n_inner_steps : int, default=None
            Gradient steps; ``None`` uses the meta-learner's ``n_inner_steps`` (``0`` returns the
            meta-parameters themselves).
        inner_lr : float, default=None
            SGD step size; ``None`` uses the meta-learner's ``inner_lr``.

        Returns
        -------
        AdaptedLearner
            Has ``predict(X)``; the meta-parameters are left unchanged.
        """
        self._check_is_fitted()
        X_support = self._check_inputs(X_support, "X_support")
        y_support = np.asarray(y_support)
        if y_support.shape != X_support.shape[:1]:
            raise ValueError(f"y_support must have shape ({len(X_support)},), got {y_support.shape}")
        n_steps = self.n_inner_steps if n_inner_steps is None else n_inner_steps
        n_steps = check_count("n_inner_steps", n_steps, minimum=0)
        learning_rate = check_positive("inner_lr", self.inner_lr if inner_lr is None else inner_lr)
        label_dtype = X_support.dtype if self.loss == "mse" else np.int32
        weights = _adapt(self.network_, self.loss, _tile([tf.constant(w) for w in self.meta_parameters_], 1),
                         tf.constant(X_support[None]), tf.constant(y_support[None].astype(label_dtype)),
                         n_steps, learning_rate, second_order=False)
        return AdaptedLearner(self.network_, [weight[0] for weight in weights], self.loss, n_steps)

    def predict(self, X) -> np.ndarray:
        """Predictions of the meta-parameters before any adaptation (step 0)."""
        self._check_is_fitted()
        X = self._check_inputs(X)
        return AdaptedLearner(self.network_, self.meta_parameters_, self.loss, 0).predict(X)

    def adaptation_curve(self, batch, n_steps: int = 10, inner_lr=None, per_task=False) -> np.ndarray:
        """Query loss after 0, 1, ..., ``n_steps`` SGD steps on the support sets of a batch of tasks.

        Parameters
        ----------
        batch : dict or EpisodeBatch
            From ``task_sampler.sample_batch(n_tasks, n_shots, n_queries)`` or an episode sampler.
        n_steps : int, default=10
        inner_lr : float, default=None
            ``None`` uses the meta-learner's ``inner_lr``.
        per_task : bool, default=False
            Return the (n_steps + 1, n_tasks) losses instead of their mean over tasks.

        Returns
        -------
        ndarray of shape (n_steps + 1,)
            Mean query loss (MSE or cross-entropy) at each step; accuracy is in :meth:`accuracy_curve`.
        """
        return self._curves(batch, n_steps, inner_lr)[0 if not per_task else 1]

    def accuracy_curve(self, batch, n_steps: int = 10, inner_lr=None) -> np.ndarray:
        """Query accuracy after 0..``n_steps`` steps (cross-entropy networks), mean over the batch's tasks."""
        if self.loss != "cross_entropy":
            raise ValueError("accuracy_curve needs a network trained with loss='cross_entropy'")
        return self._curves(batch, n_steps, inner_lr)[2]

    def adaptation_predictions(self, X_support, y_support, X, n_steps: int = 10, inner_lr=None) -> np.ndarray:
        """Outputs on ``X`` after 0, 1, ..., ``n_steps`` SGD steps, for many tasks adapted side by side.

        Parameters
        ----------
        X_support : array of shape (n_tasks, n_shots, n_features...)
        y_support : array of shape (n_tasks, n_shots)
        X : array of shape (n_tasks, n_examples, n_features...)
            Where to predict, e.g. a grid of inputs for a plot.
        n_steps : int, default=10
        inner_lr : float, default=None
            ``None`` uses the meta-learner's ``inner_lr``.

        Returns
        -------
        ndarray of shape (n_steps + 1, n_tasks, n_examples) (MSE) or (..., n_ways) logits (cross-entropy)
        """
        self._check_is_fitted()
        dtype = self.meta_parameters_[0].dtype
        batch = {"X_support": np.asarray(X_support, dtype=dtype), "y_support": np.asarray(y_support),
                 "X_query": np.asarray(X, dtype=dtype), "y_query": np.zeros(np.shape(X)[:2])}
        _check_batch(batch)
        outputs = [output.numpy() for output in self._step_outputs(batch, n_steps, inner_lr)]
        return np.array([output[..., 0] for output in outputs] if self.loss == "mse" else outputs)

    def _step_outputs(self, batch, n_steps, inner_lr):
        """Yield the query outputs of every task after 0, 1, ..., n_steps SGD steps on its support set."""
        n_steps = check_count("n_steps", n_steps, minimum=0)
        learning_rate = check_positive("inner_lr", self.inner_lr if inner_lr is None else inner_lr)
        X_support, y_support, X_query, _ = self._cast(batch)
        weights = _tile([tf.constant(w) for w in self.meta_parameters_], X_support.shape[0])
        for step in range(n_steps + 1):
            if step:
                weights = _adapt(self.network_, self.loss, weights, X_support, y_support, 1, learning_rate,
                                 second_order=False)
            yield self.network_.apply(weights, X_query)

    def _curves(self, batch, n_steps, inner_lr):
        self._check_is_fitted()
        batch = as_task_batch(batch)
        _check_batch(batch)
        y_query = self._cast(batch)[3]
        losses, accuracies = [], []
        for outputs in self._step_outputs(batch, n_steps, inner_lr):
            losses.append(_loss_per_task(outputs, y_query, self.loss).numpy())
            if self.loss == "cross_entropy":
                predicted = tf.argmax(outputs, axis=-1, output_type=tf.int32)
                accuracies.append(float(tf.reduce_mean(tf.cast(tf.equal(predicted, y_query), "float64"))))
        per_task = np.array(losses)
        return per_task.mean(axis=1), per_task, np.array(accuracies)

    # -- persistence ---------------------------------------------------------------------------------------
    def save(self, path) -> None:
        """Save hyperparameters, network configuration, meta-parameters and history to an ``.npz`` file."""
        self._check_is_fitted()
        if not callable(getattr(self.network_, "get_config", None)):
            raise TypeError("save() needs a network with get_config(); custom networks must provide one")
        settings = {name: getattr(self, name) for name in self._hyperparameters if name != "network"}
        header = {"class": type(self).__name__, "hyperparameters": settings,
                  "network": self.network_.get_config(), "n_features_in": self.n_features_in_}
        arrays = {f"weight_{index}": weight for index, weight in enumerate(self.meta_parameters_)}
        np.savez_compressed(path, header=np.array(json.dumps(header)), history=self.history_, **arrays)

    @classmethod
    def load(cls, path):
        """Load a meta-learner saved with :meth:`save`; the result is fitted and ready to ``adapt``."""
        with np.load(path, allow_pickle=False) as stored:
            header = json.loads(str(stored["header"]))
            if header["class"] != cls.__name__:
                raise ValueError(f"{path} holds a {header['class']}, not a {cls.__name__}")
            n_weights = sum(1 for key in stored.files if key.startswith("weight_"))
            weights = [stored[f"weight_{index}"] for index in range(n_weights)]
            history = stored["history"]
        network = network_from_config(header["network"])
        model = cls(network=network, **header["hyperparameters"])
        model.network_ = network
        model.meta_parameters_ = weights
        model.history_ = history
        model.n_features_in_ = header["n_features_in"]
        return model

    def get_params(self, deep=True) -> dict:
        return {name: getattr(self, name) for name in self._hyperparameters}

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._hyperparameters)
        return f"{type(self).__name__}({settings})"


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
        ``apply(weights, X)`` and ``get_config()`` (see :mod:`medmeta_lite.networks`).
    loss : {"mse", "cross_entropy"}, default="mse"
    inner_lr : float, default=0.01
        SGD step size of the inner loop (training and ``adapt``).
    meta_lr : float, default=0.001
        Adam step size of the meta-update.
    n_inner_steps : int, default=1
    meta_batch_size : int, default=25
        Tasks per meta-update.
    n_meta_iter : int, default=1000
        Meta-updates; ``fit(..., n_meta_iter=...)`` overrides it.
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
    >>> from medmeta_lite.tasks import SinusoidTaskSampler
    >>> maml = MAML(meta_batch_size=5, random_state=0).fit(SinusoidTaskSampler(random_state=0), n_meta_iter=3)
    >>> maml.history_.shape
    (3,)
    >>> task = SinusoidTaskSampler(random_state=1).sample_task(n_shots=10, n_queries=20)
    >>> learner = maml.adapt(task.X_support, task.y_support, n_inner_steps=5)
    >>> learner.predict(task.X_query).shape
    (20,)
    """

    _hyperparameters = ("network", "loss", "inner_lr", "meta_lr", "n_inner_steps", "meta_batch_size",
                        "n_meta_iter", "first_order", "jit_compile", "dtype", "random_state")

    def __init__(self, *, network="mlp", loss="mse", inner_lr=0.01, meta_lr=0.001, n_inner_steps=1,
                 meta_batch_size=25, n_meta_iter=1000, first_order=False, jit_compile=True, dtype="float32",
                 random_state=None):
        self.network = network
        self.loss = loss
        self.inner_lr = inner_lr
        self.meta_lr = meta_lr
        self.n_inner_steps = n_inner_steps
        self.meta_batch_size = meta_batch_size
        self.n_meta_iter = n_meta_iter
        self.first_order = first_order
        self.jit_compile = jit_compile
        self.dtype = dtype
        self.random_state = random_state

    def _validate_hyperparameters(self, n_meta_iter):
        super()._validate_hyperparameters(n_meta_iter)
        check_count("n_inner_steps", self.n_inner_steps)

    def _meta_loss_and_tape(self, X_support, y_support, X_query, y_query):
        """Mean query loss after adaptation, and the tape that recorded it (for the meta-gradient)."""
        n_tasks = tf.shape(X_support)[0]
        with tf.GradientTape() as outer_tape:
            adapted = _adapt(self.network_, self.loss, _tile(self._variables, n_tasks), X_support, y_support,
                             self.n_inner_steps, self.inner_lr, second_order=not self.first_order)
            meta_loss = tf.reduce_mean(_loss_per_task(self.network_.apply(adapted, X_query), y_query,
                                                      self.loss))
        return meta_loss, outer_tape

    def _meta_gradient(self, X_support, y_support, X_query, y_query):
        """Meta-loss and its gradient for the current meta-parameters (no update)."""
        meta_loss, outer_tape = self._meta_loss_and_tape(X_support, y_support, X_query, y_query)
        return meta_loss, outer_tape.gradient(meta_loss, self._variables)

    def _make_meta_step(self):
        self._first_moments = [tf.Variable(tf.zeros_like(v)) for v in self._variables]
        self._second_moments = [tf.Variable(tf.zeros_like(v)) for v in self._variables]
        self._adam_step = tf.Variable(0, dtype=tf.int64)

        def meta_step(X_support, y_support, X_query, y_query, iteration):
            meta_loss, gradients = self._meta_gradient(X_support, y_support, X_query, y_query)
            _adam_update(self._variables, gradients, self._first_moments, self._second_moments,
                         self._adam_step, tf.constant(self.meta_lr, self._variables[0].dtype))
            return meta_loss

        return meta_step

    def fit(self, task_sampler, n_meta_iter=None, n_shots=10, n_queries=10, progress=False, callback=None):
        """Meta-train on tasks drawn from ``task_sampler``.

        Parameters
        ----------
        task_sampler : TaskSampler or EpisodeSampler
            Any object with ``sample_batch(n_tasks, n_shots, n_queries)`` returning a dict (see
            :mod:`medmeta_lite.tasks`), or an :class:`medmeta_lite.episodes.EpisodeSampler` whose
            ``sample_batch(n_episodes)`` fixes the shots itself (``n_shots``/``n_queries`` are then ignored).
        n_meta_iter : int, default=None
            Meta-updates; ``None`` uses the constructor's ``n_meta_iter``.
        n_shots, n_queries : int, default=10
            Support and query examples per training task.
        progress : bool, default=False
            Show a tqdm progress bar.
        callback : callable, default=None
            Called as ``callback(n_done)`` after every compiled chunk of 20 meta-iterations (timing, logging).

        Returns
        -------
        self
        """
        return self._run_meta_training(task_sampler, n_meta_iter, n_shots, n_queries, progress,
                                       self._make_meta_step, callback)


# ---------------------------------------------------------------------------------------------------------
# Cost of the meta-gradient
# ---------------------------------------------------------------------------------------------------------
def _bytes_kept_for_backward(graph, n_forward_ops: int) -> int:
    """Bytes of forward-pass tensors that the backward pass reads, in a graph whose first
    ``n_forward_ops`` operations are the forward pass (the ops are stored in creation order)."""
    operations = graph.get_operations()
    forward = {operation.name for operation in operations[:n_forward_ops]}
    kept = {}
    for operation in operations[n_forward_ops:]:
        for tensor in operation.inputs:
            if tensor.op.name in forward and tensor.dtype.is_floating and tensor.shape.is_fully_defined():
                kept[tensor.name] = int(np.prod(tensor.shape.as_list(), dtype=np.int64)) * tensor.dtype.size
    return sum(kept.values())


def _counting_meta_gradient(maml, n_forward_ops: list):
    """The meta-gradient of ``maml``, noting at trace time how many graph ops the forward pass made."""

    def meta_gradient(*tensors):
        meta_loss, tape = maml._meta_loss_and_tape(*tensors)
        # Runs while tracing: every op created so far belongs to the forward pass (inner loops included).
        n_forward_ops.append(len(tf.compat.v1.get_default_graph().get_operations()))
        return meta_loss, tape.gradient(meta_loss, maml._variables)

    return meta_gradient


def measure_meta_gradient_cost(n_inner_steps_values=(1, 2, 3, 5), first_order_values=(False, True), *,
                               network="mlp", meta_batch_size=25, n_shots=10, n_queries=10, n_repeats=20,
                               jit_compile=True, random_state=0) -> list[dict]:
    """Time one meta-gradient and measure the memory it keeps, for second- and first-order MAML.

    Parameters
    ----------
    n_inner_steps_values : sequence of int, default=(1, 2, 3, 5)
    first_order_values : sequence of bool, default=(False, True)
    network : {"mlp", "conv4"} or network object, default="mlp"
        ``"mlp"`` runs on sinusoid tasks; other networks need image tasks, so pass a sampler-backed
        network only through :class:`MAML` directly.
    meta_batch_size, n_shots, n_queries : int
    n_repeats : int, default=20
        Timed meta-gradients per configuration (after one warm-up call that compiles).
    jit_compile : bool, default=True
    random_state : int, default=0

    Returns
    -------
    list of dict
        One row per configuration with ``first_order``, ``n_inner_steps``, ``seconds_per_step`` (median
        wall time of one meta-gradient, compiled) and ``kept_bytes``: the bytes of forward-pass tensors
        that the backward pass of the meta-gradient reads, counted on the traced graph from the
        tensors' static shapes. ``kept_bytes`` is a deterministic proxy for activation memory (on CPU,
        process RSS is too coarse to see kilobytes); the graph optimiser may still fuse or drop some.

    Notes
    -----
    Plotted in ``notebooks/05_core_challenges.ipynb``. Timings on a shared CPU vary from run to run.

    Examples
    --------
    >>> rows = measure_meta_gradient_cost((1, 2), (False,), meta_batch_size=2, n_repeats=1)
    >>> rows[1]["kept_bytes"] > rows[0]["kept_bytes"]
    True
    """
    from medmeta_lite.tasks import SinusoidTaskSampler

    check_count("n_repeats", n_repeats)
    sampler = SinusoidTaskSampler(random_state=random_state)
    rows = []
    for first_order in first_order_values:
        for n_inner_steps in n_inner_steps_values:
            maml = MAML(network=network, n_inner_steps=n_inner_steps, first_order=bool(first_order),
                        meta_batch_size=meta_batch_size, jit_compile=jit_compile, random_state=random_state)
            maml._validate_hyperparameters(1)
            batch = sampler.sample_batch(meta_batch_size, n_shots, n_queries)
            maml.network_ = maml._resolve_network(batch)
            rng = np.random.default_rng(random_state)
            maml._variables = [tf.Variable(w) for w in maml.network_.init_weights(rng, dtype=maml.dtype)]
            tensors = maml._cast(batch)
            n_forward_ops = []
            compiled = tf.function(_counting_meta_gradient(maml, n_forward_ops), jit_compile=jit_compile)
            graph = compiled.get_concrete_function(*tensors).graph
            kept = _bytes_kept_for_backward(graph, n_forward_ops[-1])
            compiled(*tensors)[0].numpy()
            seconds = []
            for _ in range(n_repeats):
                start = time.perf_counter()
                compiled(*tensors)[0].numpy()
                seconds.append(time.perf_counter() - start)
            rows.append({"first_order": bool(first_order), "n_inner_steps": int(n_inner_steps),
                         "seconds_per_step": float(np.median(seconds)), "kept_bytes": kept})
    return rows


# ---------------------------------------------------------------------------------------------------------
# Command line: regenerate the committed weights
# ---------------------------------------------------------------------------------------------------------
DEFAULT_META_ITERATIONS = 10000
DEFAULT_FILES = {"maml": "maml_sinusoid_maml.npz", "fomaml": "maml_sinusoid_fomaml.npz",
                 "reptile": "maml_sinusoid_reptile.npz", "pretrained": "maml_sinusoid_pretrained.npz"}


def train_default_models(n_meta_iter=DEFAULT_META_ITERATIONS, random_state=0) -> dict:
    """Train MAML, FOMAML, Reptile and the pretrained baseline on sinusoid tasks with the paper's settings.

    Every learner sees its own sampler seeded with ``random_state`` (the same task stream).

    Returns
    -------
    dict of str to fitted learner
    """
    from medmeta_lite.pretrained import PretrainedBaseline
    from medmeta_lite.reptile import Reptile
    from medmeta_lite.tasks import SinusoidTaskSampler

    # n_meta_iter goes to the constructors, so that a saved and reloaded model reports what it ran
    learners = {"maml": MAML(n_meta_iter=n_meta_iter, random_state=random_state),
                "fomaml": MAML(first_order=True, n_meta_iter=n_meta_iter, random_state=random_state),
                "reptile": Reptile(n_meta_iter=n_meta_iter, random_state=random_state),
                "pretrained": PretrainedBaseline(n_meta_iter=n_meta_iter, random_state=random_state)}
    for learner in learners.values():
        learner.fit(SinusoidTaskSampler(random_state=random_state))
    return learners


def load_default_models(folder=None) -> dict:
    """Load the committed sinusoid models: MAML, FOMAML, Reptile and the pretrained baseline.

    Parameters
    ----------
    folder : path-like, default=None
        Where the ``.npz`` files lie; ``None`` uses :func:`medmeta_lite.datasets.data_dir`.

    Returns
    -------
    dict of str to fitted learner
        Keys ``"maml"``, ``"fomaml"``, ``"reptile"``, ``"pretrained"``.

    Examples
    --------
    >>> sorted(load_default_models())
    ['fomaml', 'maml', 'pretrained', 'reptile']
    """
    from medmeta_lite.datasets import data_dir
    from medmeta_lite.pretrained import PretrainedBaseline
    from medmeta_lite.reptile import Reptile

    folder = data_dir() if folder is None else Path(folder)
    classes = {"maml": MAML, "fomaml": MAML, "reptile": Reptile, "pretrained": PretrainedBaseline}
    missing = [DEFAULT_FILES[name] for name in classes if not (folder / DEFAULT_FILES[name]).exists()]
    if missing:
        raise FileNotFoundError(f"missing {missing}; regenerate them with "
                                "`python -m medmeta_lite.maml --train-defaults --out data/`")
    return {name: cls.load(folder / DEFAULT_FILES[name]) for name, cls in classes.items()}


def adaptation_curves(learners: dict, shot_values=(5, 10, 20), *, n_tasks=600, n_queries=100, n_steps=10,
                      inner_lr=0.01, support_side=None, random_state=1234) -> dict:
    """Query MSE after 0..``n_steps`` SGD steps for each learner and support size, on held-out sinusoids.

    Every learner is evaluated on the same tasks (one sampler seeded with ``random_state`` per support
    size) with the same SGD step size, so the curves compare initialisations, not step sizes.

    Parameters
    ----------
    learners : dict of str to fitted learner
    shot_values : sequence of int, default=(5, 10, 20)
    n_tasks, n_queries, n_steps : int
    inner_lr : float, default=0.01
    support_side : {None, "left", "right"}, default=None
        Put the support points on one half of the input range (the half-range experiment).
    random_state : int, default=1234

    Returns
    -------
    dict of str to ndarray of shape (len(shot_values), n_steps + 1)

    Examples
    --------
    >>> curves = adaptation_curves(load_default_models(), (10,), n_tasks=20, n_steps=2)
    >>> curves["maml"].shape
    (1, 3)
    """
    from medmeta_lite.tasks import SinusoidTaskSampler

    batches = [SinusoidTaskSampler(support_side=support_side, random_state=random_state)
               .sample_batch(n_tasks, n_shots, n_queries) for n_shots in shot_values]
    return {name: np.array([learner.adaptation_curve(batch, n_steps=n_steps, inner_lr=inner_lr)
                            for batch in batches])
            for name, learner in learners.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Train the sinusoid meta-learners and save their weights.")
    parser.add_argument("--train-defaults", action="store_true",
                        help="train MAML, FOMAML, Reptile and the pretrained baseline")
    parser.add_argument("--out", default="data", help="folder for the .npz files")
    parser.add_argument("--meta-iters", type=int, default=DEFAULT_META_ITERATIONS)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args(argv)
    if not arguments.train_defaults:
        parser.error("nothing to do: pass --train-defaults")
    folder = Path(arguments.out)
    folder.mkdir(parents=True, exist_ok=True)
    learners = train_default_models(arguments.meta_iters, arguments.seed)
    for name, learner in learners.items():
        learner.save(folder / DEFAULT_FILES[name])
        print(f"{name}: final meta-loss {learner.history_[-100:].mean():.3f} -> {DEFAULT_FILES[name]}")


if __name__ == "__main__":
    main()
