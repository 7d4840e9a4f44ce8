"""Tests of the meta-learned prior: closed forms against references, learning to learn, and the contract."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge

from medmeta_lite.data.tasks import LinearTaskSampler, Task
from medmeta_lite.priors.meta_prior import MetaLearnedPrior, RidgeAroundPrior, query_errors


def _tasks(n_tasks=60, n_shots=5, n_queries=30, seed=0, **family):
    return LinearTaskSampler(random_state=seed, **family).sample_tasks(n_tasks, n_shots, n_queries)


def test_ridge_around_zero_matches_penalised_least_squares():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 3)), rng.normal(size=12)
    model = RidgeAroundPrior(alpha=0.7).fit(X, y)
    design = np.hstack([X, np.ones((12, 1))])
    # the intercept is penalised like the weights: augmented least squares with sqrt(alpha) * I
    augmented = np.vstack([design, np.sqrt(0.7) * np.eye(4)])
    expected = np.linalg.lstsq(augmented, np.concatenate([y, np.zeros(4)]), rcond=None)[0]
    assert np.allclose(np.append(model.coef_, model.intercept_), expected)


def test_ridge_around_prior_is_ridge_on_residuals():
    # shrinking towards h equals ridge towards zero on the targets minus the prior's predictions
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(15, 2)), rng.normal(size=15)
    prior_coef, prior_intercept = np.array([1.5, -0.5]), 0.3
    model = RidgeAroundPrior(alpha=2.0, prior_coef=prior_coef, prior_intercept=prior_intercept).fit(X, y)
    residual_fit = RidgeAroundPrior(alpha=2.0).fit(X, y - X @ prior_coef - prior_intercept)
    assert np.allclose(model.coef_, residual_fit.coef_ + prior_coef)
    assert np.isclose(model.intercept_, residual_fit.intercept_ + prior_intercept)


def test_small_alpha_recovers_ordinary_least_squares():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    model = RidgeAroundPrior(alpha=1e-10).fit(X, y)
    reference = Ridge(alpha=1e-10).fit(X, y)
    assert np.allclose(model.coef_, reference.coef_, atol=1e-6)
    assert np.isclose(model.intercept_, reference.intercept_, atol=1e-6)


def test_gradient_adaptation_matches_explicit_loop_and_converges():
    rng = np.random.default_rng(3)
    X, y = rng.uniform(-1, 1, size=(10, 2)), rng.normal(size=10)
    start_coef, start_intercept = np.array([0.5, 1.0]), -0.2
    model = RidgeAroundPrior(prior_coef=start_coef, prior_intercept=start_intercept, n_iter=7,
                             learning_rate=0.2).fit(X, y)
    theta, design = np.append(start_coef, start_intercept), np.hstack([X, np.ones((10, 1))])
    for _ in range(7):
        theta = theta - 0.2 * (2 / 10) * design.T @ (design @ theta - y)
    assert np.allclose(np.append(model.coef_, model.intercept_), theta)
    converged = RidgeAroundPrior(n_iter=5000, learning_rate=0.5).fit(X, y)
    assert np.allclose(converged.coef_, Ridge(alpha=1e-12).fit(X, y).coef_, atol=1e-4)
    unchanged = RidgeAroundPrior(prior_coef=start_coef, n_iter=0).fit(X, y)
    assert np.allclose(unchanged.coef_, start_coef)


def test_meta_learned_centre_recovers_family_mean():
    tasks = _tasks(n_tasks=400, weight_mean=[2.0, -1.0], n_features=2, intercept_std=0.2, seed=4)
    prior = MetaLearnedPrior(alpha=1.0).fit(tasks)
    assert np.allclose(prior.prior_coef_, [2.0, -1.0], atol=0.15)
    assert abs(prior.prior_intercept_) < 0.15


def test_meta_learned_centre_minimises_query_error():
    # the closed form is a minimum: nudging the centre in any direction raises the training query error
    tasks = _tasks(n_tasks=30, seed=5)
    prior = MetaLearnedPrior(alpha=0.5).fit(tasks)
    best = prior.meta_train_error_
    for delta in ([0.05, 0.0], [-0.05, 0.0], [0.0, 0.05], [0.0, -0.05]):
        nudged = RidgeAroundPrior(alpha=0.5, prior_coef=prior.prior_coef_ + delta[0],
                                  prior_intercept=prior.prior_intercept_ + delta[1])
        assert query_errors(nudged, tasks).mean() > best


def test_meta_prior_beats_scratch_at_few_shots_and_matches_at_many():
    prior = MetaLearnedPrior(alphas=np.logspace(-2, 2, 9), random_state=0).fit(_tasks(seed=6))
    few = _tasks(n_tasks=100, n_shots=2, n_queries=50, seed=7)
    many = _tasks(n_tasks=100, n_shots=200, n_queries=50, seed=8)
    scratch = RidgeAroundPrior(alpha=prior.alpha_)
    assert prior.query_errors(few).mean() < 0.5 * query_errors(scratch, few).mean()
    assert prior.query_errors(many).mean() == pytest.approx(query_errors(scratch, many).mean(), rel=0.05)


def test_linear_maml_initialisation_beats_zero_after_one_step():
    prior = MetaLearnedPrior(n_inner_steps=3, inner_lr=0.5).fit(_tasks(seed=9))
    new = _tasks(n_tasks=100, seed=10)
    meta_one_step = prior.query_errors(new, n_inner_steps=1).mean()
    scratch_ten_steps = query_errors(RidgeAroundPrior(n_iter=10, learning_rate=0.5), new).mean()
    assert meta_one_step < scratch_ten_steps


def test_shift_degrades_the_prior():
    prior = MetaLearnedPrior(alpha=1.0).fit(_tasks(seed=11))
    errors = [prior.query_errors(_tasks(n_tasks=100, seed=12, shift=shift)).mean() for shift in (0, 1, 3)]
    assert errors[0] < errors[1] < errors[2]


def test_meta_validation_picks_larger_alpha_for_homogeneous_families():
    alphas = np.logspace(-2, 3, 11)
    narrow = MetaLearnedPrior(alphas=alphas, random_state=0).fit(
        _tasks(n_tasks=80, seed=13, weight_std=0.05, intercept_std=0.05))
    wide = MetaLearnedPrior(alphas=alphas, random_state=0).fit(
        _tasks(n_tasks=80, seed=13, weight_std=1.5, intercept_std=1.5))
    assert narrow.alpha_ > wide.alpha_
    assert narrow.meta_validation_errors_.shape == (11,)


def test_fit_on_sampler_and_determinism():
    first = MetaLearnedPrior(alphas=[0.1, 1.0], random_state=0).fit(
        LinearTaskSampler(random_state=1), n_tasks=20, n_shots=5, n_queries=10)
    second = MetaLearnedPrior(alphas=[0.1, 1.0], random_state=0).fit(
        LinearTaskSampler(random_state=1), n_tasks=20, n_shots=5, n_queries=10)
    assert np.array_equal(first.prior_coef_, second.prior_coef_)
    assert first.n_tasks_ == 20 and first.n_features_in_ == 1


def test_adapt_returns_new_learner_and_leaves_prior_unchanged():
    prior = MetaLearnedPrior().fit(_tasks(seed=14))
    before = prior.prior_coef_.copy()
    task = _tasks(n_tasks=1, seed=15)[0]
    learner = prior.adapt(task.X_support, task.y_support)
    assert isinstance(learner, RidgeAroundPrior)
    assert learner.predict(task.X_query).shape == (task.n_queries,)
    assert np.array_equal(prior.prior_coef_, before)
    assert learner.prior_coef is not prior.prior_coef_


def test_query_errors_fast_path_matches_generic_path():
    class Wrapped(RidgeAroundPrior):  # a subclass takes the generic clone -> fit -> predict path
        pass

    tasks = _tasks(n_tasks=5, seed=16)
    settings = {"alpha": 0.3, "prior_coef": [1.0], "prior_intercept": 0.2}
    for kwargs in (settings, {"n_iter": 4}):
        fast = query_errors(RidgeAroundPrior(**kwargs), tasks)
        assert np.allclose(fast, query_errors(Wrapped(**kwargs), tasks))


def test_clone_and_get_params():
    prior = MetaLearnedPrior(alpha=0.5, random_state=3)
    assert clone(prior).get_params() == prior.get_params()
    assert "alpha=0.5" in repr(RidgeAroundPrior(alpha=0.5))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"alpha": -1.0}, ValueError, "alpha"), ({"alpha": "big"}, TypeError, "alpha"),
     ({"n_inner_steps": -2}, ValueError, "n_inner_steps"), ({"n_inner_steps": 2, "inner_lr": 0}, ValueError,
                                                             "inner_lr"),
     ({"alphas": [0.1, 1.0], "n_inner_steps": 2}, ValueError, "alphas"),
     ({"alphas": [0.1], "validation_fraction": 1.5}, ValueError, "validation_fraction")],
)
def test_bad_hyperparameters_raise(kwargs, error, match):
    with pytest.raises(error, match=match):
        MetaLearnedPrior(**kwargs).fit(_tasks(n_tasks=4))


def test_bad_tasks_raise():
    with pytest.raises(ValueError, match="empty"):
        MetaLearnedPrior().fit([])
    with pytest.raises(TypeError, match="Task"):
        MetaLearnedPrior().fit([np.zeros((3, 1))])
    no_query = Task(np.zeros((3, 1)), np.zeros(3), np.zeros((0, 1)), np.zeros(0))
    with pytest.raises(ValueError, match="query"):
        MetaLearnedPrior().fit([no_query])
    mixed = [_tasks(n_tasks=1)[0], _tasks(n_tasks=1, n_features=2)[0]]
    with pytest.raises(ValueError, match="same number of features"):
        MetaLearnedPrior().fit(mixed)
    with pytest.raises(ValueError, match="n_tasks"):
        MetaLearnedPrior().fit(LinearTaskSampler(random_state=0))
    with pytest.raises(ValueError, match="at least 2 tasks"):
        MetaLearnedPrior(alphas=[1.0]).fit(_tasks(n_tasks=1))


def test_predict_checks_features_and_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        RidgeAroundPrior().predict(np.zeros((2, 1)))
    model = RidgeAroundPrior().fit(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="features"):
        model.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="prior_coef"):
        RidgeAroundPrior(prior_coef=[1.0, 2.0, 3.0]).fit(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(NotFittedError):
        MetaLearnedPrior().adapt(np.zeros((2, 1)), np.zeros(2))
