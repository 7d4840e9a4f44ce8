"""KerasRegressor: determinism, float32 handling, one pass per epoch, and agreement with the closed form.

Kept small: tiny networks, a few epochs, full-batch training.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils import estimator_checks

from medmeta_lite.learners.keras_learner import KerasRegressor, fit_with_snapshots
from medmeta_lite.learners.linear import LinearRegression

pytest.importorskip("keras")

# A fast subset of scikit-learn's checks: the whole suite takes over a minute of Keras fits. The input
# checks (NaN, 1-D X, feature count, dtypes) are covered by tests/test_validation_errors.py. Known to
# fail with few epochs: check_regressors_train, which needs hundreds of epochs to reach its R^2 threshold.
FAST_CHECKS = {
    "check_estimators_fit_returns_self", "check_fit_idempotent", "check_estimators_pickle",
    "check_regressors_int", "check_get_params_invariance", "check_no_attributes_set_in_init",
    "check_estimators_unfitted", "check_estimators_overwrite_params", "check_dont_overwrite_parameters",
}


@pytest.mark.parametrize("check_name", sorted(FAST_CHECKS))
def test_scikit_learn_estimator_checks(check_name):
    check = getattr(estimator_checks, check_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(KerasRegressor.__name__, KerasRegressor(hidden_units=4, epochs=2, random_state=0))


@pytest.fixture(scope="module")
def line():
    X = np.linspace(-1, 1, 24).reshape(-1, 1)
    return X, 2 * X.ravel()


def test_same_random_state_gives_identical_history_and_predictions(line):
    X, y = line
    first = KerasRegressor(hidden_units=4, epochs=5, random_state=1).fit(X, y)
    second = KerasRegressor(hidden_units=4, epochs=5, random_state=1).fit(X, y)
    np.testing.assert_array_equal(first.history_, second.history_)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    other = KerasRegressor(hidden_units=4, epochs=5, random_state=2).fit(X, y)
    assert not np.array_equal(first.history_, other.history_)


@pytest.mark.parametrize("batch_size, steps_per_epoch", [(None, 1), (10, 3)])
def test_one_training_pass_per_epoch(line, batch_size, steps_per_epoch):
    X, y = line
    model = KerasRegressor(hidden_units=3, epochs=4, batch_size=batch_size, random_state=0).fit(X, y)
    assert model.history_.shape == (4,)
    assert int(model.model_.optimizer.iterations.numpy()) == 4 * steps_per_epoch


def test_loss_is_mean_squared_error_against_a_column_of_float_targets():
    X = np.arange(10, dtype=float).reshape(-1, 1) / 10
    labels = np.arange(10) % 3  # integer labels
    # a negligible learning rate keeps the weights fixed, so the reported loss is the loss of predict()
    model = KerasRegressor(hidden_units=4, epochs=1, learning_rate=1e-12, random_state=0).fit(X, labels)
    predictions = model.predict(X)
    assert predictions.dtype == np.float64 and predictions.shape == (10,)
    expected = np.mean((predictions - labels.astype(float)) ** 2)
    assert model.history_[0] == pytest.approx(expected, rel=1e-5)


def test_approaches_the_closed_form_on_a_line(line):
    X, y = line
    model = KerasRegressor(hidden_units=8, epochs=200, learning_rate=0.05, random_state=0).fit(X, y)
    reference = LinearRegression().fit(X, y)
    assert model.history_[-1] < 0.01 < model.history_[0]
    np.testing.assert_allclose(model.predict(X), reference.predict(X), atol=0.2)


def test_silent_by_default_and_clonable(line, capsys):
    X, y = line
    model = KerasRegressor(hidden_units=2, epochs=2, random_state=0)
    model.fit(X, y)
    assert capsys.readouterr().out == ""
    copy = clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "model_")


def test_importing_the_module_does_not_import_tensorflow():
    code = ("import sys, medmeta_lite, medmeta_lite.learners.keras_learner; "
            "sys.exit(int('tensorflow' in sys.modules or 'keras' in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_snapshot_after_epoch_e_equals_a_fit_with_e_epochs(line):
    X, y = line
    long_run = KerasRegressor(hidden_units=4, epochs=6, learning_rate=0.05, random_state=0)
    snapshots = fit_with_snapshots(long_run, X, y, X, checkpoints=[3, 6])
    short_run = KerasRegressor(hidden_units=4, epochs=3, learning_rate=0.05, random_state=0).fit(X, y)
    np.testing.assert_allclose(snapshots[3], short_run.predict(X), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(snapshots[6], long_run.predict(X), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="checkpoints must lie in 1..epochs=6"):
        fit_with_snapshots(long_run, X, y, X, checkpoints=[7])
