"""LinearRegression against scikit-learn and NumPy: ordinary least squares, ridge, rank-deficient X."""

import numpy as np
import pytest
from sklearn import linear_model
from sklearn.datasets import load_diabetes
from sklearn.utils.estimator_checks import parametrize_with_checks

from medmeta_lite.learners.linear import LinearRegression

RTOL = 1e-8


def assert_same_fit(ours, reference):
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, rtol=RTOL, atol=1e-12)


@parametrize_with_checks([LinearRegression(), LinearRegression(alpha=0.5),
                          LinearRegression(fit_intercept=False)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", [(50, 5), (200, 1), (30, 12)])
def test_matches_scikit_learn_on_random_data(seed, shape):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=shape) * rng.uniform(0.1, 10, size=shape[1]) + rng.normal(size=shape[1])
    y = X @ rng.normal(size=shape[1]) + 3.0 + rng.normal(size=shape[0])
    assert_same_fit(LinearRegression().fit(X, y), linear_model.LinearRegression().fit(X, y))


def test_matches_scikit_learn_and_numpy_on_diabetes():
    X, y = load_diabetes(return_X_y=True)
    ours = LinearRegression().fit(X, y)
    assert_same_fit(ours, linear_model.LinearRegression().fit(X, y))
    with_ones = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(with_ones, y, rcond=None)[0]
    np.testing.assert_allclose(ours.coef_, solution[:-1], rtol=RTOL)
    np.testing.assert_allclose(ours.intercept_, solution[-1], rtol=RTOL)


@pytest.mark.parametrize("alpha", [1e-3, 0.1, 1.0, 10.0, 1000.0])
def test_ridge_matches_scikit_learn_ridge(alpha):
    X, y = load_diabetes(return_X_y=True)
    assert_same_fit(LinearRegression(alpha=alpha).fit(X, y), linear_model.Ridge(alpha=alpha).fit(X, y))
    reference = linear_model.Ridge(alpha=alpha, fit_intercept=False).fit(X, y)
    assert_same_fit(LinearRegression(alpha=alpha, fit_intercept=False).fit(X, y), reference)


def test_ridge_shrinks_weights_as_alpha_grows():
    X, y = load_diabetes(return_X_y=True)
    norms = [np.linalg.norm(LinearRegression(alpha=alpha).fit(X, y).coef_) for alpha in (0.0, 0.1, 1.0, 10.0)]
    assert all(later < earlier for earlier, later in zip(norms, norms[1:], strict=False))


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_rank_deficient_gives_minimum_norm_solution_like_scikit_learn(fit_intercept):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    # a copied column and a linear combination: X has rank 4 with 6 columns
    X = np.column_stack([X, X[:, 0], X[:, 1] - 2 * X[:, 2]])
    y = X[:, :4] @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.1 * rng.normal(size=40)
    ours = LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    assert ours.rank_ == 4
    assert_same_fit(ours, linear_model.LinearRegression(fit_intercept=fit_intercept).fit(X, y))
    # minimum norm: the copied column shares its weight equally with the original
    np.testing.assert_allclose(ours.coef_[0], ours.coef_[4], rtol=1e-8)


def test_more_features_than_samples_matches_scikit_learn():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(8, 20)), rng.normal(size=8)
    ours = LinearRegression().fit(X, y)
    assert_same_fit(ours, linear_model.LinearRegression().fit(X, y))
    np.testing.assert_allclose(ours.predict(X), y, atol=1e-10)  # interpolates the training points


def test_integer_inputs_and_labels_give_float_predictions():
    X = np.arange(10).reshape(-1, 1)
    y = 2 * np.arange(10)
    model = LinearRegression().fit(X, y)
    assert model.predict(X).dtype == np.float64
    np.testing.assert_allclose(model.coef_, [2.0])
    assert model.intercept_ == pytest.approx(0.0, abs=1e-12)


def test_fit_does_not_modify_inputs():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=30)
    X_before, y_before = X.copy(), y.copy()
    LinearRegression(alpha=1.0).fit(X, y)
    LinearRegression().fit(X, y)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_predict_uses_its_input_and_any_number_of_rows():
    model = LinearRegression().fit(np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 3.0, 5.0]))
    np.testing.assert_allclose(model.predict(np.array([[10.0], [-1.0], [0.5], [4.0], [7.0]])),
                               [21.0, -1.0, 2.0, 9.0, 15.0])


def test_nearly_collinear_columns_use_scikit_learns_rank_cutoff():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(200, 3))
    # a column equal to another up to 1e-13: "rank deficient" for both solvers' cut-off (1e-6 relative)
    X = np.column_stack([X, X[:, 0] + 1e-13 * rng.normal(size=200)])
    y = X[:, :3] @ np.array([1.0, 2.0, -1.0]) + rng.normal(size=200)
    ours = LinearRegression().fit(X, y)
    reference = linear_model.LinearRegression().fit(X, y)
    assert ours.rank_ == reference.rank_ == 3
    assert_same_fit(ours, reference)
