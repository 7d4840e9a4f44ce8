"""The bad-input matrix: every learner rejects every kind of bad input with a message naming the problem."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from medmeta_lite.learners.averaging import AveragingMetaLearner
from medmeta_lite.learners.gradient import GradientDescentRegressor
from medmeta_lite.learners.linear import LinearRegression


def keras_regressor(**params):
    from medmeta_lite.learners.keras_learner import KerasRegressor

    return KerasRegressor(**{"hidden_units": 2, "epochs": 1, "random_state": 0, **params})


LEARNERS = {
    "linear": LinearRegression,
    "gradient": lambda **params: GradientDescentRegressor(**{"n_iter": 5, "tol": 0, **params}),
    "averaging": lambda **params: AveragingMetaLearner(**{"n_estimators": 2, "random_state": 0, **params}),
    "keras": keras_regressor,
}

# hyperparameter values that must be refused, per learner: (params, message pattern)
BAD_HYPERPARAMETERS = {
    "linear": [({"alpha": -1.0}, "alpha must be"), ({"alpha": float("nan")}, "alpha must be"),
               ({"alpha": "big"}, "alpha must be")],
    "gradient": [({"n_iter": 0}, "n_iter must be"), ({"n_iter": -3}, "n_iter must be"),
                 ({"n_iter": 2.5}, "n_iter must be"), ({"learning_rate": 0.0}, "learning_rate must be"),
                 ({"learning_rate": -0.1}, "learning_rate must be"), ({"tol": -1.0}, "tol must be")],
    "averaging": [({"n_estimators": 0}, "n_estimators must be"),
                  ({"n_estimators": 1.5}, "n_estimators must be")],
    "keras": [({"epochs": 0}, "epochs must be"), ({"learning_rate": -0.01}, "learning_rate must be"),
              ({"hidden_units": 0}, "hidden_units must be"), ({"batch_size": 0}, "batch_size must be")],
}

parametrize_learners = pytest.mark.parametrize("name", list(LEARNERS))


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2))
    return X, X @ np.array([1.0, -1.0]) + 0.5


@pytest.fixture(scope="module")
def fitted(data):
    return {name: make().fit(*data) for name, make in LEARNERS.items()}


@parametrize_learners
def test_lengths_that_differ(name, data):
    X, y = data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LEARNERS[name]().fit(X, y[:-1])


@parametrize_learners
@pytest.mark.parametrize("bad_value, message", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_nan_or_inf_in_X(name, data, bad_value, message):
    X, y = data
    X = X.copy()
    X[3, 1] = bad_value
    with pytest.raises(ValueError, match=message):
        LEARNERS[name]().fit(X, y)


@parametrize_learners
@pytest.mark.parametrize("bad_value, message", [(np.nan, "NaN"), (-np.inf, "infinity")])
def test_nan_or_inf_in_y(name, data, bad_value, message):
    X, y = data
    y = y.copy()
    y[0] = bad_value
    with pytest.raises(ValueError, match=message):
        LEARNERS[name]().fit(X, y)


@parametrize_learners
def test_empty_arrays(name):
    with pytest.raises(ValueError, match="0 sample"):
        LEARNERS[name]().fit(np.empty((0, 2)), np.empty(0))


@parametrize_learners
def test_one_dimensional_X_says_how_to_reshape(name, data):
    X, y = data
    with pytest.raises(ValueError, match=r"(?s)Expected 2D array.*reshape\(-1, 1\)"):
        LEARNERS[name]().fit(X[:, 0], y)


@parametrize_learners
def test_one_dimensional_X_at_predict_time(name, fitted, data):
    with pytest.raises(ValueError, match=r"reshape\(-1, 1\)"):
        fitted[name].predict(data[0][:, 0])


@parametrize_learners
def test_different_feature_count_at_predict_time(name, fitted):
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 2 features"):
        fitted[name].predict(np.zeros((4, 3)))


@parametrize_learners
def test_predict_before_fit(name, data):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        LEARNERS[name]().predict(data[0])
    assert issubclass(NotFittedError, ValueError)


@parametrize_learners
def test_non_numeric_X(name, data):
    X, y = data
    words = np.array([["a", "b"]] * len(y))
    with pytest.raises(ValueError, match="numeric|string"):
        LEARNERS[name]().fit(words, y)


@parametrize_learners
@pytest.mark.parametrize("dtype", ["U", "O"])
def test_non_numeric_y(name, data, dtype):
    X, y = data
    labels = np.array(["sick"] * len(y), dtype=dtype)
    with pytest.raises((TypeError, ValueError), match="numeric|convert string"):
        LEARNERS[name]().fit(X, labels)


@pytest.mark.parametrize("name, params, message",
                         [(name, params, message) for name, cases in BAD_HYPERPARAMETERS.items()
                          for params, message in cases])
def test_bad_hyperparameters(name, params, message, data):
    with pytest.raises((ValueError, TypeError), match=message):
        LEARNERS[name](**params).fit(*data)


@parametrize_learners
def test_integer_labels_are_accepted_and_predictions_are_float(name, data):
    X, _ = data
    labels = np.arange(len(X)) % 3
    assert LEARNERS[name]().fit(X, labels).predict(X).dtype == np.float64
