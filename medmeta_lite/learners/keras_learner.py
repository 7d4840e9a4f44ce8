"""A one-hidden-layer Keras network wrapped as a scikit-learn regressor.

This is the only base-learner module that imports TensorFlow, and it does so inside ``fit`` and
``predict``: importing :mod:`medmeta_lite` or this module stays fast.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from medmeta_lite.backend import keras, tf
from medmeta_lite.validation import as_float_targets, check_count, check_positive, make_rng


def _integer_seed(random_state) -> int:
    """Turn an int, a Generator or None into the integer seed that Keras needs."""
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    return int(make_rng(random_state).integers(np.iinfo(np.int32).max))


class KerasRegressor(RegressorMixin, BaseEstimator):
    """Regression with a small neural network: ``Dense(hidden_units, relu) -> Dense(1)``, trained with Adam.

    ``fit`` builds a fresh network every time, after ``keras.backend.clear_session()`` and
    ``keras.utils.set_random_seed(seed)``, so the same ``random_state`` gives the same weights and the
    same ``history_``. Inputs and targets are cast to float32 (targets reshaped to a column) before they
    reach Keras, so integer labels never meet float predictions. Training is a single
    ``model.fit(..., epochs=epochs)`` call: one pass over the data per epoch.

    Parameters
    ----------
    hidden_units : int, default=10
        Width of the hidden ReLU layer; must be > 0.
    epochs : int, default=200
        Passes over the training data; must be > 0.
    learning_rate : float, default=0.01
        Adam step size; must be > 0.
    batch_size : int or None, default=None
        Mini-batch size; None uses the whole training set as one batch (one gradient step per epoch).
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the initial weights and of the shuffling.
    verbose : int, default=0
        Passed to Keras; 0 is silent.

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    history_ : ndarray of shape (epochs,)
        Training MSE after each epoch.
    n_features_in_ : int
        Number of features seen during ``fit``.

    Notes
    -----
    Introduced in ``notebooks/10_keras_base_learner.ipynb`` (coding problem C). A single network fitted
    on a single data set is ordinary supervised learning; it becomes a base learner of a meta-learner
    once something is learned *across* tasks, such as its initial weights (MAML) or an average over
    task-specific copies.

    References
    ----------
    .. [1] Kingma, D. P. and Ba, J. (2015). Adam: A method for stochastic optimization. *ICLR*.
    .. [2] Chollet, F. et al. (2015). Keras. https://keras.io

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(-1, 1, 32).reshape(-1, 1)
    >>> y = 2 * X.ravel()
    >>> model = KerasRegressor(hidden_units=8, epochs=300, learning_rate=0.05, random_state=0).fit(X, y)
    >>> model.history_.shape
    (300,)
    >>> bool(model.history_[-1] < 0.01)
    True
    >>> model.predict(np.array([[0.5]])).round(1)
    array([1.])
    """

    def __init__(self, *, hidden_units: int = 10, epochs: int = 200, learning_rate: float = 0.01,
                 batch_size: int | None = None, random_state=None, verbose: int = 0):
        self.hidden_units = hidden_units
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y):
        """Build a fresh network and train it for ``epochs`` passes over ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs; 2-D even with one feature (use ``X.reshape(-1, 1)``).
        y : array-like of shape (n_samples,)
            Numeric targets.

        Returns
        -------
        self : KerasRegressor
            The fitted model.
        """
        return self._fit(X, y, callbacks=None)

    def _fit(self, X, y, callbacks):
        hidden_units = int(check_count("hidden_units", self.hidden_units))
        epochs = int(check_count("epochs", self.epochs))
        learning_rate = float(check_positive("learning_rate", self.learning_rate))
        if self.batch_size is not None:
            check_count("batch_size", self.batch_size)
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        y = as_float_targets(y)
        seed = _integer_seed(self.random_state)


        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        try:
            tf.config.experimental.enable_op_determinism()
        except (AttributeError, RuntimeError):  # older TensorFlow, or already configured
            pass

        model = keras.Sequential([
            keras.Input(shape=(X.shape[1],)),
            keras.layers.Dense(hidden_units, activation="relu"),
            keras.layers.Dense(1),
        ])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse")
        inputs = X.astype(np.float32)
        targets = y.astype(np.float32).reshape(-1, 1)  # a column, like the network's output
        # A tf.data pipeline costs about 8 ms per epoch on small data; NumPy arrays cost about 50 ms
        # because Keras rebuilds a shuffling pipeline for them at every epoch.
        if self.batch_size is None or self.batch_size >= len(X):
            data = tf.data.Dataset.from_tensors((inputs, targets))
        else:
            data = (tf.data.Dataset.from_tensor_slices((inputs, targets))
                    .shuffle(len(X), seed=seed, reshuffle_each_iteration=True)
                    .batch(int(self.batch_size)))
        # Each fit builds a new network, so TensorFlow traces a new training function every time and,
        # after a few fits in a loop (an ensemble, a grid), logs a "retracing" warning that is expected here.
        tf_logger = tf.get_logger()
        previous_level = tf_logger.level
        tf_logger.setLevel("ERROR")
        try:
            history = model.fit(data, epochs=epochs, shuffle=False, verbose=self.verbose,
                                callbacks=callbacks)
        finally:
            tf_logger.setLevel(previous_level)
        self.model_ = model
        self.history_ = np.asarray(history.history["loss"], dtype=np.float64)
        return self

    def predict(self, X):
        """Predict with the trained network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs with the same number of features as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predictions as float64, one per row of ``X``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        # calling the model directly: no progress bar and no per-call tf.function retracing
        outputs = self.model_(X.astype(np.float32), training=False)
        return np.asarray(outputs, dtype=np.float64).reshape(-1)


def fit_with_snapshots(estimator: KerasRegressor, X, y, X_grid, checkpoints) -> dict[int, np.ndarray]:
    """Fit ``estimator`` once and record its predictions on ``X_grid`` after each epoch in ``checkpoints``.

    Because a fit is deterministic for a given ``random_state``, the snapshot after epoch ``e`` equals the
    prediction of the same estimator fitted with ``epochs=e``: one training run replaces a grid of them.

    Parameters
    ----------
    estimator : KerasRegressor
        Trained for ``estimator.epochs`` epochs; every checkpoint must be in ``1..epochs``.
    X, y : array-like
        Training data.
    X_grid : array-like of shape (n_points, n_features)
        Where to record predictions.
    checkpoints : iterable of int
        Epochs after which to record.

    Returns
    -------
    dict of int to ndarray of shape (n_points,)
        Predictions on ``X_grid`` after each checkpoint epoch; ``estimator`` is fitted in place.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.linspace(-1, 1, 16).reshape(-1, 1)
    >>> model = KerasRegressor(hidden_units=4, epochs=6, random_state=0)
    >>> snapshots = fit_with_snapshots(model, X, 2 * X.ravel(), X, checkpoints=[3, 6])
    >>> sorted(snapshots), bool(np.allclose(snapshots[6], model.predict(X)))
    ([3, 6], True)
    """

    checkpoints = sorted({int(epoch) for epoch in checkpoints})
    if not checkpoints or checkpoints[0] < 1 or checkpoints[-1] > estimator.epochs:
        raise ValueError(f"checkpoints must lie in 1..epochs={estimator.epochs}, got {checkpoints}")
    grid = np.asarray(X_grid, dtype=np.float32)
    snapshots: dict[int, np.ndarray] = {}

    def record(epoch, logs):
        if epoch + 1 in checkpoints:
            outputs = recorder.model(grid, training=False)
            snapshots[epoch + 1] = np.asarray(outputs, dtype=np.float64).reshape(-1)

    recorder = keras.callbacks.LambdaCallback(on_epoch_end=record)
    estimator._fit(X, y, callbacks=[recorder])
    return snapshots
