"""AveragingMetaLearner: different resamples, one member per task, and the ensemble-versus-member loss."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.estimator_checks import parametrize_with_checks

from medmeta_lite import experiments
from medmeta_lite.data.tasks import LinearTaskSampler, Task
from medmeta_lite.learners.averaging import AveragingMetaLearner, EnsembleLosses
from medmeta_lite.learners.gradient import GradientDescentRegressor
from medmeta_lite.learners.linear import LinearRegression


class ConstantRegressor(RegressorMixin, BaseEstimator):
    """Predicts a fixed value: lets hypothesis choose member predictions freely."""

    def __init__(self, *, value=0.0):
        self.value = value

    def fit(self, X, y):
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict(self, X):
        return np.full(len(X), self.value)


def noisy_line(seed, n_samples=30, noise=1.0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n_samples, 1))
    return X, 2 * X.ravel() + noise * rng.standard_normal(n_samples)


@parametrize_with_checks([AveragingMetaLearner(n_estimators=3, random_state=0)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_default_members_are_linear_regressions_on_different_resamples():
    X, y = noisy_line(0)
    ensemble = AveragingMetaLearner(n_estimators=6, random_state=0).fit(X, y)
    assert len(ensemble.estimators_) == 6
    assert all(isinstance(member, LinearRegression) for member in ensemble.estimators_)
    slopes = [member.coef_[0] for member in ensemble.estimators_]
    assert len(set(np.round(slopes, 12))) == 6  # every member saw a different resample


def test_members_are_clones_not_the_template():
    template = LinearRegression()
    ensemble = AveragingMetaLearner(estimator=template, n_estimators=2, random_state=0).fit(*noisy_line(0))
    assert not hasattr(template, "coef_")
    assert ensemble.estimators_[0] is not ensemble.estimators_[1]


def test_predict_is_the_mean_of_member_predictions_on_new_inputs():
    X, y = noisy_line(1)
    ensemble = AveragingMetaLearner(n_estimators=4, random_state=0).fit(X, y)
    X_new = np.linspace(-3, 3, 7).reshape(-1, 1)  # a size that differs from the training set
    expected = np.mean([member.predict(X_new) for member in ensemble.estimators_], axis=0)
    np.testing.assert_allclose(ensemble.predict(X_new), expected)
    assert ensemble.predict(X_new).shape == (7,)


def test_same_random_state_same_ensemble_and_members_get_their_own_seeds():
    X, y = noisy_line(2)
    template = GradientDescentRegressor(n_iter=300, learning_rate=0.3)
    first = AveragingMetaLearner(estimator=template, n_estimators=3, random_state=5).fit(X, y)
    second = AveragingMetaLearner(estimator=template, n_estimators=3, random_state=5).fit(X, y)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    seeds = [member.random_state for member in first.estimators_]
    assert len(set(seeds)) == 3


def test_without_bootstrap_deterministic_members_are_identical_and_gain_nothing():
    X, y = noisy_line(3)
    ensemble = AveragingMetaLearner(n_estimators=5, bootstrap=False, random_state=0).fit(X, y)
    losses = ensemble.losses(X, y)
    assert np.ptp(losses.member_mse) == pytest.approx(0.0, abs=1e-12)
    assert losses.ambiguity == pytest.approx(0.0, abs=1e-20)
    assert losses.ensemble_mse == pytest.approx(losses.mean_member_mse)


def test_fit_tasks_fits_one_member_per_task_on_its_support_set():
    tasks = LinearTaskSampler(random_state=0).sample_tasks(n_tasks=5, n_shots=8, n_queries=20)
    ensemble = AveragingMetaLearner(random_state=0).fit_tasks(tasks)
    assert len(ensemble.estimators_) == 5 and ensemble.n_features_in_ == 1
    for member, task in zip(ensemble.estimators_, tasks, strict=True):
        reference = LinearRegression().fit(task.X_support, task.y_support)
        np.testing.assert_allclose(member.coef_, reference.coef_)
    assert ensemble.predict(tasks[0].X_query).shape == (20,)


def test_fit_tasks_rejects_empty_and_non_tasks_and_mixed_feature_counts():
    with pytest.raises(ValueError, match="at least one task"):
        AveragingMetaLearner().fit_tasks([])
    with pytest.raises(TypeError, match="Task"):
        AveragingMetaLearner().fit_tasks([(np.zeros((3, 1)), np.zeros(3))])
    one = Task(np.zeros((3, 1)), np.zeros(3), np.zeros((2, 1)), np.zeros(2))
    two = Task(np.zeros((3, 2)), np.zeros(3), np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="same number of features"):
        AveragingMetaLearner().fit_tasks([one, two])


def test_losses_report_members_and_ensemble_and_the_ambiguity_identity():
    X, y = noisy_line(4)
    X_query, y_query = noisy_line(40)
    losses = AveragingMetaLearner(n_estimators=7, random_state=0).fit(X, y).losses(X_query, y_query)
    assert isinstance(losses, EnsembleLosses) and losses.member_mse.shape == (7,)
    assert losses.mean_member_mse == pytest.approx(losses.member_mse.mean())
    assert losses.ensemble_mse == pytest.approx(losses.mean_member_mse - losses.ambiguity)
    assert "ensemble_mse=" in repr(losses)
    with pytest.raises(ValueError, match="one target per row"):
        AveragingMetaLearner(n_estimators=2, random_state=0).fit(X, y).losses(X_query, y_query[:-1])


def test_losses_from_predictions_match_the_fitted_ensembles_losses_and_refuse_bad_shapes():
    X, y = noisy_line(6)
    X_query, y_query = noisy_line(7)
    ensemble = AveragingMetaLearner(n_estimators=5, random_state=0).fit(X, y)
    from_predictions = EnsembleLosses.from_predictions(ensemble.member_predictions(X_query), y_query)
    losses = ensemble.losses(X_query, y_query)
    assert np.array_equal(from_predictions.member_mse, losses.member_mse)
    assert from_predictions.ensemble_mse == losses.ensemble_mse
    assert from_predictions.ambiguity == losses.ambiguity
    assert from_predictions.ensemble_mse > 0
    with pytest.raises(ValueError, match="one row per member"):
        EnsembleLosses.from_predictions(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match="one row per member"):
        EnsembleLosses.from_predictions(np.zeros((0, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="per column of member_predictions"):
        EnsembleLosses.from_predictions(np.zeros((2, 4)), np.zeros(3))


@settings(max_examples=60, deadline=None)
@given(values=arrays(np.float64, st.integers(1, 8), elements=st.floats(-1e3, 1e3)),
       targets=arrays(np.float64, st.integers(1, 6), elements=st.floats(-1e3, 1e3)))
def test_ensemble_error_never_exceeds_mean_member_error(values, targets):
    ensemble = AveragingMetaLearner(n_estimators=1, random_state=0).fit(np.zeros((2, 1)), np.zeros(2))
    ensemble.estimators_ = [ConstantRegressor(value=float(value)).fit(np.zeros((1, 1)), None)
                            for value in values]
    losses = ensemble.losses(np.zeros((len(targets), 1)), targets)
    assert losses.ensemble_mse <= losses.mean_member_mse * (1 + 1e-12) + 1e-9


@pytest.mark.parametrize("seed", range(5))
def test_diverse_members_on_noisy_data_are_strictly_better_on_average(seed):
    X, y = noisy_line(seed, n_samples=15, noise=1.0)
    X_query, y_query = noisy_line(100 + seed, n_samples=200, noise=1.0)
    losses = AveragingMetaLearner(n_estimators=20, random_state=seed).fit(X, y).losses(X_query, y_query)
    assert losses.ensemble_mse < losses.mean_member_mse - 1e-3


def test_the_first_members_of_a_larger_ensemble_are_the_smaller_ensemble():
    # bagged_line (notebook 08's slider) serves smaller ensembles from a larger fit on this property.
    X, y = noisy_line(8)
    template = GradientDescentRegressor(n_iter=300, learning_rate=0.3)
    larger = AveragingMetaLearner(estimator=template, n_estimators=9, random_state=3).fit(X, y)
    for count in (1, 4, 9):
        smaller = AveragingMetaLearner(estimator=template, n_estimators=count, random_state=3).fit(X, y)
        np.testing.assert_array_equal(smaller.member_predictions(X), larger.member_predictions(X)[:count])


def test_bagged_line_reuses_its_largest_fit_and_gives_what_a_fresh_fit_gives():
    def fresh(n_estimators, noise, random_state):
        X, y = experiments.noisy_line(12, noise, random_state)
        ensemble = AveragingMetaLearner(n_estimators=n_estimators, random_state=random_state).fit(X, y)
        return X, ensemble.member_predictions(np.linspace(0.0, 10.0, 50).reshape(-1, 1))

    # up, down and up again, on two data sets in turn: every answer equals a fit of its own
    for n_estimators, noise in [(5, 1.0), (40, 1.0), (3, 2.5), (17, 1.0), (41, 1.0), (2, 2.5), (1, 1.0)]:
        line = experiments.bagged_line(n_estimators, noise, random_state=11)
        X, members = fresh(n_estimators, noise, 11)
        np.testing.assert_array_equal(line.X, X)
        np.testing.assert_array_equal(line.member_predictions, members)
    assert experiments.bagged_line(3, 1.0, random_state=11).member_predictions.base is \
        experiments.bagged_line(20, 1.0, random_state=11).member_predictions.base  # rows of one fit
    with pytest.raises(ValueError, match="read-only"):
        experiments.bagged_line(3, 1.0, random_state=11).member_predictions[0, 0] = 0.0
    # no integer seed, nothing kept: two calls draw two data sets
    assert not np.array_equal(experiments.bagged_line(3, 1.0, random_state=None).X,
                              experiments.bagged_line(3, 1.0, random_state=None).X)


@pytest.mark.parametrize(("arguments", "message"), [
    ({"n_estimators": 0, "noise": 1.0}, "n_estimators"),
    ({"n_estimators": 2.5, "noise": 1.0}, "n_estimators"),
    ({"n_estimators": 3, "noise": -1.0}, "noise"),
    ({"n_estimators": 3, "noise": float("nan")}, "noise"),
    ({"n_estimators": 3, "noise": 1.0, "n_samples": 0}, "n_samples"),
])
def test_bagged_line_refuses_bad_values_by_name(arguments, message):
    with pytest.raises(ValueError, match=message):
        experiments.bagged_line(**arguments)
