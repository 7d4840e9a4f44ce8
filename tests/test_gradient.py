"""GradientDescentRegressor: the gradient, convergence to the closed form, and the divergence message."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from medmeta_lite.learners.gradient import (
    GradientDescentRegressor,
    largest_stable_learning_rate,
    mse_loss_and_gradient,
)
from medmeta_lite.learners.linear import LinearRegression


@pytest.fixture(scope="module")
def standardized_diabetes():
    X, y = load_diabetes(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@parametrize_with_checks([GradientDescentRegressor(random_state=0),
                          GradientDescentRegressor(standardize=True, random_state=0)])
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        # some checks use few iterations on purpose; non-convergence is reported, not an error
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(25, 3)), rng.normal(size=25)
    coef, intercept = rng.normal(size=3), 0.7
    loss, gradient_coef, gradient_intercept = mse_loss_and_gradient(X, y, coef, intercept)
    assert loss == pytest.approx(np.mean((X @ coef + intercept - y) ** 2))
    step = 1e-6
    for index in range(3):
        shift = np.zeros(3)
        shift[index] = step
        numeric = (mse_loss_and_gradient(X, y, coef + shift, intercept)[0]
                   - mse_loss_and_gradient(X, y, coef - shift, intercept)[0]) / (2 * step)
        assert gradient_coef[index] == pytest.approx(numeric, rel=1e-6)
    numeric_intercept = (mse_loss_and_gradient(X, y, coef, intercept + step)[0]
                         - mse_loss_and_gradient(X, y, coef, intercept - step)[0]) / (2 * step)
    assert gradient_intercept == pytest.approx(numeric_intercept, rel=1e-6)


def test_converges_to_closed_form_on_standardized_diabetes(standardized_diabetes):
    X, y = standardized_diabetes
    model = GradientDescentRegressor(learning_rate=0.2, n_iter=10_000, random_state=0).fit(X, y)
    reference = LinearRegression().fit(X, y)
    assert model.converged_ and not model.diverged_
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=0, atol=1e-4)
    assert model.intercept_ == pytest.approx(reference.intercept_, abs=1e-4)


def test_standardize_option_converges_on_raw_diabetes():
    X, y = load_diabetes(return_X_y=True)
    model = GradientDescentRegressor(learning_rate=0.2, n_iter=10_000, standardize=True,
                                     random_state=0).fit(X, y)
    reference = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.predict(X), reference.predict(X), rtol=0, atol=1e-4)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-6)


def test_loss_curve_decreases_and_has_one_entry_per_step(standardized_diabetes):
    X, y = standardized_diabetes
    model = GradientDescentRegressor(learning_rate=0.1, n_iter=50, tol=0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tol=0 asks for exactly n_iter steps: nothing to warn about
        model.fit(X, y)
    assert model.n_iter_ == 50 and model.loss_curve_.shape == (51,)
    assert np.all(np.diff(model.loss_curve_) <= 0)
    assert not model.converged_
    with pytest.warns(ConvergenceWarning, match="did not reach tol=1e-08 in n_iter=50"):
        GradientDescentRegressor(learning_rate=0.1, n_iter=50, random_state=0).fit(X, y)


def test_intercept_is_learned():
    X = np.linspace(-1, 1, 30).reshape(-1, 1)
    y = 2 * X.ravel() + 5.0
    model = GradientDescentRegressor(learning_rate=0.5, n_iter=2000, random_state=0).fit(X, y)
    assert model.intercept_ == pytest.approx(5.0, abs=1e-6)
    assert model.coef_[0] == pytest.approx(2.0, abs=1e-6)


def test_same_random_state_gives_same_fit(standardized_diabetes):
    X, y = standardized_diabetes
    first = GradientDescentRegressor(n_iter=20, tol=0, random_state=3)
    second = GradientDescentRegressor(n_iter=20, tol=0, random_state=3)
    np.testing.assert_array_equal(first.fit(X, y).loss_curve_, second.fit(X, y).loss_curve_)


@pytest.mark.parametrize("learning_rate", [0.26, 0.5, 10.0])
def test_divergence_stops_and_names_the_learning_rate(standardized_diabetes, learning_rate):
    X, y = standardized_diabetes
    stable = largest_stable_learning_rate(X)
    assert 0.24 < stable < 0.25  # 2 / largest eigenvalue of the Hessian of the MSE
    model = GradientDescentRegressor(learning_rate=learning_rate, n_iter=1000, random_state=0)
    with pytest.warns(ConvergenceWarning, match=rf"learning_rate={learning_rate!r} diverged at iteration"):
        model.fit(X, y)
    assert model.diverged_ and not model.converged_
    assert model.n_iter_ < 1000
    assert np.all(np.isfinite(model.coef_))
    assert model.loss_curve_[-1] > 100 * model.loss_curve_[0] or not np.isfinite(model.loss_curve_[-1])


def test_divergence_message_suggests_standardizing_badly_scaled_features():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2)) * np.array([1.0, 100.0])
    y = X @ np.array([1.0, 0.01])
    with pytest.warns(ConvergenceWarning, match="standardize=True"):
        GradientDescentRegressor(learning_rate=0.1, random_state=0).fit(X, y)
    model = GradientDescentRegressor(learning_rate=0.1, n_iter=5000, standardize=True, random_state=0)
    np.testing.assert_allclose(model.fit(X, y).coef_, [1.0, 0.01], atol=1e-6)


def test_largest_stable_learning_rate_is_the_threshold():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2)) * np.array([1.0, 3.0])
    y = X @ np.array([1.0, -1.0]) + 2.0
    stable = largest_stable_learning_rate(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        GradientDescentRegressor(learning_rate=0.9 * stable, n_iter=20_000, random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        GradientDescentRegressor(learning_rate=1.1 * stable, n_iter=20_000, random_state=0).fit(X, y)
