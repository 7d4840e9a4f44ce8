"""The base of the gradient-based meta-learners: task batches, the adapted learner, and the shared class.

:class:`FunctionalMetaLearner` resolves the network, runs the compiled meta-training loop, adapts to new
tasks, evaluates adaptation curves and saves or loads itself; subclasses (MAML, Reptile, the pretrained
baseline) define only their meta-step.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from medmeta_lite import serialization
from medmeta_lite.backend import tf
from medmeta_lite.data.preprocessing import add_channel_axis
from medmeta_lite.gradmeta.networks import MLP, Conv4, network_from_config
from medmeta_lite.gradmeta.ops import LOSSES, adapt, loss_per_task, tile
from medmeta_lite.validation import (
    check_bool,
    check_choice,
    check_count,
    check_finite,
    check_positive,
    make_rng,
)


def draw_batch(task_sampler, n_tasks, n_shots, n_queries):
    """Draw a meta-batch as a dict of stacked arrays from a task sampler or an episode sampler."""
    try:
        parameters = inspect.signature(task_sampler.sample_batch).parameters
    except (TypeError, ValueError):
        parameters = {}
    if len(parameters) >= 3:
        return as_task_batch(task_sampler.sample_batch(n_tasks, n_shots, n_queries))
    # Episode samplers (medmeta_lite.fewshot.episodes) fix n_ways, n_shots and n_queries themselves.
    return as_task_batch(task_sampler.sample_batch(n_tasks))


def as_task_batch(batch) -> dict:
    """Return ``batch`` as the dict of stacked arrays the meta-learners use.

    Accepts the dict of ``TaskSampler.sample_batch`` as is, and converts an
    :class:`medmeta_lite.fewshot.episodes.EpisodeBatch` (indices into an image pool) into images of shape
    ``(n_tasks, n_examples, height, width, channels)`` with a channel axis added to grey-scale images.
    """
    if isinstance(batch, dict):
        return batch
    if all(hasattr(batch, name) for name in ("images", "support_index", "query_index")):
        images = add_channel_axis(np.asarray(batch.images))
        return {"X_support": images[batch.support_index], "y_support": np.asarray(batch.support_labels),
                "X_query": images[batch.query_index], "y_query": np.asarray(batch.query_labels)}
    raise TypeError(f"expected a dict from TaskSampler.sample_batch or an EpisodeBatch, "
                    f"got {type(batch).__name__}")


def check_task_batch(batch, name="task batch"):
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

    Returned by ``adapt()`` of :class:`MAML`, :class:`medmeta_lite.gradmeta.reptile.Reptile` and
    :class:`medmeta_lite.gradmeta.baselines.PretrainedBaseline`; it never shares state with the meta-learner.

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
        if isinstance(self.network, Conv4):
            X = add_channel_axis(X)
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
class FunctionalMetaLearner(BaseEstimator):
    """Base class: network resolution, adaptation, evaluation, save/load. Subclasses define the meta-step.

    Not used directly; see :class:`MAML`, :class:`medmeta_lite.gradmeta.reptile.Reptile` and
    :class:`medmeta_lite.gradmeta.baselines.PretrainedBaseline`.
    """

    _hyperparameters: tuple[str, ...] = ()
    _chunk_size = 20  # meta-iterations per compiled call; divides the benchmark's 100-iteration windows

    # -- validation and set-up -------------------------------------------------------------------------
    def _validate_hyperparameters(self):
        check_positive("inner_lr", self.inner_lr)
        check_positive("meta_lr", self.meta_lr)
        check_count("n_inner_steps", self.n_inner_steps, minimum=0)
        check_count("meta_batch_size", self.meta_batch_size)
        check_count("n_meta_iter", self.n_meta_iter)
        check_count("n_shots", self.n_shots)
        check_count("n_queries", self.n_queries)
        check_choice("loss", self.loss, LOSSES)
        check_choice("dtype", self.dtype, ("float32", "float64"))
        check_bool("jit_compile", self.jit_compile)

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

    def initialize(self, task_batch) -> tuple:
        """Check the hyperparameters, build the network for ``task_batch`` and draw the initial weights.

        Called by ``fit`` with the first meta-batch; call it yourself to study one meta-step (notebook 05
        measures the meta-gradient's cost this way). Sets ``network_``, ``variables_`` (the trainable
        ``tf.Variable`` list) and ``n_features_in_``, and returns ``task_batch`` as tensors.
        """
        self._validate_hyperparameters()
        check_task_batch(task_batch)
        self.network_ = self._resolve_network(task_batch)
        rng = make_rng(self.random_state)
        self.variables_ = [tf.Variable(weight.astype(self.dtype))
                           for weight in self.network_.init_weights(rng, dtype=self.dtype)]
        self.n_features_in_ = int(np.shape(task_batch["X_support"])[-1])
        return self.as_tensors(task_batch)

    def as_tensors(self, batch) -> tuple:
        """``(X_support, y_support, X_query, y_query)`` of a task batch as tensors of the model's dtypes."""
        label_dtype = self.dtype if self.loss == "mse" else "int32"
        return (tf.constant(np.asarray(batch["X_support"], dtype=self.dtype)),
                tf.constant(np.asarray(batch["y_support"], dtype=label_dtype)),
                tf.constant(np.asarray(batch["X_query"], dtype=self.dtype)),
                tf.constant(np.asarray(batch["y_query"], dtype=label_dtype)))

    def _run_meta_training(self, task_sampler, make_update, callback=None):
        """Shared training loop: draw ``chunk`` meta-batches in NumPy, run them in one compiled call.

        ``make_update()`` returns ``update(X_support, y_support, X_query, y_query, iteration) -> loss``
        for one meta-batch; a ``tf.while_loop`` runs it over a chunk of meta-batches so that Python and the
        function-call overhead are paid once per chunk instead of once per meta-iteration.
        """
        if not callable(getattr(task_sampler, "sample_batch", None)):
            raise TypeError("task_sampler needs a sample_batch(n_tasks, n_shots, n_queries) method")
        self._validate_hyperparameters()
        n_meta_iter, n_shots, n_queries = self.n_meta_iter, self.n_shots, self.n_queries
        first = draw_batch(task_sampler, self.meta_batch_size, n_shots, n_queries)
        self.initialize(first)
        update = make_update()
        loss_dtype = self.variables_[0].dtype

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
        done = 0
        for start in range(0, n_meta_iter, self._chunk_size):
            size = min(self._chunk_size, n_meta_iter - start)
            batches = [first] if start == 0 else []
            batches += [draw_batch(task_sampler, self.meta_batch_size, n_shots, n_queries)
                        for _ in range(size - len(batches))]
            stacked = {key: np.stack([batch[key] for batch in batches])
                       for key in ("X_support", "y_support", "X_query", "y_query")}
            losses = compiled(*self.as_tensors(stacked), tf.constant(start, tf.int64))
            history[start:start + size] = losses.numpy()
            done = start + size
            if callback is not None and callback(done) is True:
                break  # the callback asked to stop (early stopping on a validation score)
        self.history_ = history[:done]
        self.meta_parameters_ = [variable.numpy() for variable in self.variables_]
        return self

    def _compile(self, function):
        return tf.function(function, jit_compile=bool(self.jit_compile))

    # -- fitted-state helpers ----------------------------------------------------------------------------
    def _check_inputs(self, X, name="X"):
        X = check_finite(name, X).astype(self.meta_parameters_[0].dtype)
        if isinstance(self.network_, Conv4):
            X = add_channel_axis(X)
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
        check_is_fitted(self, "meta_parameters_")
        X_support = self._check_inputs(X_support, "X_support")
        y_support = check_finite("y_support", y_support)
        if y_support.shape != X_support.shape[:1]:
            raise ValueError(f"y_support must have shape ({len(X_support)},), got {y_support.shape}")
        n_steps = self.n_inner_steps if n_inner_steps is None else n_inner_steps
        n_steps = check_count("n_inner_steps", n_steps, minimum=0)
        learning_rate = check_positive("inner_lr", self.inner_lr if inner_lr is None else inner_lr)
        label_dtype = X_support.dtype if self.loss == "mse" else np.int32
        weights = adapt(self.network_, self.loss, tile([tf.constant(w) for w in self.meta_parameters_], 1),
                         tf.constant(X_support[None]), tf.constant(y_support[None].astype(label_dtype)),
                         n_steps, learning_rate, second_order=False)
        return AdaptedLearner(self.network_, [weight[0] for weight in weights], self.loss, n_steps)

    def predict(self, X) -> np.ndarray:
        """Predictions of the meta-parameters before any adaptation (step 0)."""
        check_is_fitted(self, "meta_parameters_")
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
        check_is_fitted(self, "meta_parameters_")
        dtype = self.meta_parameters_[0].dtype
        batch = {"X_support": np.asarray(X_support, dtype=dtype), "y_support": np.asarray(y_support),
                 "X_query": np.asarray(X, dtype=dtype), "y_query": np.zeros(np.shape(X)[:2])}
        check_task_batch(batch)
        outputs = [output.numpy() for output in self._step_outputs(batch, n_steps, inner_lr)]
        return np.array([output[..., 0] for output in outputs] if self.loss == "mse" else outputs)

    def _step_outputs(self, batch, n_steps, inner_lr):
        """Yield the query outputs of every task after 0, 1, ..., n_steps SGD steps on its support set."""
        n_steps = check_count("n_steps", n_steps, minimum=0)
        learning_rate = check_positive("inner_lr", self.inner_lr if inner_lr is None else inner_lr)
        X_support, y_support, X_query, _ = self.as_tensors(batch)
        weights = tile([tf.constant(w) for w in self.meta_parameters_], X_support.shape[0])
        for step in range(n_steps + 1):
            if step:
                weights = adapt(self.network_, self.loss, weights, X_support, y_support, 1, learning_rate,
                                 second_order=False)
            yield self.network_.apply(weights, X_query)

    def _curves(self, batch, n_steps, inner_lr):
        check_is_fitted(self, "meta_parameters_")
        batch = as_task_batch(batch)
        check_task_batch(batch)
        y_query = self.as_tensors(batch)[3]
        losses, accuracies = [], []
        for outputs in self._step_outputs(batch, n_steps, inner_lr):
            losses.append(loss_per_task(outputs, y_query, self.loss).numpy())
            if self.loss == "cross_entropy":
                predicted = tf.argmax(outputs, axis=-1, output_type=tf.int32)
                accuracies.append(float(tf.reduce_mean(tf.cast(tf.equal(predicted, y_query), "float64"))))
        per_task = np.array(losses)
        return per_task.mean(axis=1), per_task, np.array(accuracies)

    # -- persistence ---------------------------------------------------------------------------------------
    def save(self, path) -> Path:
        """Save hyperparameters, network configuration, meta-parameters and history (one ``.npz`` file)."""
        check_is_fitted(self, "meta_parameters_")
        if not callable(getattr(self.network_, "get_config", None)):
            raise TypeError("save() needs a network with get_config(); custom networks must provide one")
        hyperparameters = self.get_params(deep=False)
        hyperparameters.pop("network")
        return serialization.save_model(
            path, self, {"meta_parameters": self.meta_parameters_, "history": self.history_},
            hyperparameters=hyperparameters,
            state={"network": self.network_.get_config(), "n_features_in": self.n_features_in_})

    @classmethod
    def load(cls, path):
        """Load a meta-learner saved with :meth:`save`; the result is fitted and ready to ``adapt``."""
        header, arrays = serialization.load_model_file(path, cls.__name__)
        network = network_from_config(header["state"]["network"])
        model = cls(network=network, **header["hyperparameters"])
        model.network_ = network
        model.meta_parameters_ = arrays["meta_parameters"]
        model.history_ = arrays["history"]
        model.n_features_in_ = header["state"]["n_features_in"]
        return model
