"""Tests of the warm-started hyperparameter search."""

import numpy as np
import pytest

from medmeta_lite.data.tasks import Task
from medmeta_lite.priors.warm_start import (
    WarmStartSearch,
    configuration_errors,
    meta_features,
    polynomial_ridge_grid,
    random_search_expected_evaluations,
    sample_curve_tasks,
)


def test_grid_and_tasks_shapes():
    assert len(polynomial_ridge_grid()) == 80
    tasks = sample_curve_tasks(3, n_shots=7, n_queries=11, random_state=0)
    assert [task.n_shots for task in tasks] == [7, 7, 7] and tasks[0].n_queries == 11
    assert tasks[0].parameters.keys() == {"frequency", "phase"}


def test_configuration_errors_match_numpy_polyfit_without_penalty():
    task = sample_curve_tasks(1, n_shots=40, random_state=1)[0]
    error = configuration_errors(task, [{"degree": 3, "alpha": 0.0}])[0]
    coef = np.polyfit(task.X_support[:, 0], task.y_support, 3)
    expected = np.mean((np.polyval(coef, task.X_query[:, 0]) - task.y_query) ** 2)
    assert error == pytest.approx(expected, rel=1e-6)


def test_wiggly_tasks_prefer_higher_degrees_and_are_rougher():
    configurations = polynomial_ridge_grid()
    smooth = sample_curve_tasks(1, frequency_range=(0.7, 0.7), random_state=2)[0]
    wiggly = sample_curve_tasks(1, frequency_range=(7.0, 7.0), random_state=2)[0]
    best = {name: configurations[configuration_errors(task, configurations).argmin()]["degree"]
            for name, task in (("smooth", smooth), ("wiggly", wiggly))}
    assert best["wiggly"] > best["smooth"]


def test_roughness_is_near_zero_for_a_trend_and_near_two_for_noise():
    rng = np.random.default_rng(6)
    x = rng.uniform(-1, 1, size=(500, 1))
    trend = Task(x, 3 * x[:, 0], x[:5], x[:5, 0])
    noise = Task(x, rng.standard_normal(500), x[:5], x[:5, 0])
    assert meta_features(trend)[0] < 0.01
    assert meta_features(noise)[0] == pytest.approx(2.0, abs=0.3)


def test_random_search_expectation_matches_simulation():
    errors = np.array([1.0, 1.05, 2.0, 3.0, 4.0, 5.0])
    rng = np.random.default_rng(0)
    simulated = [np.flatnonzero(errors[rng.permutation(6)] <= 1.1)[0] + 1 for _ in range(20000)]
    assert random_search_expected_evaluations(errors, tolerance=0.1) == pytest.approx(7 / 3)
    assert np.mean(simulated) == pytest.approx(7 / 3, rel=0.03)


def test_warm_start_saves_evaluations_on_new_tasks():
    search = WarmStartSearch(n_neighbors=5).fit(sample_curve_tasks(60, random_state=3))
    new_tasks = sample_curve_tasks(30, random_state=4)
    warm = [search.evaluations_to_target(task, 0.1) for task in new_tasks]
    scratch = [random_search_expected_evaluations(configuration_errors(task, search.configurations_), 0.1)
               for task in new_tasks]
    assert np.median(warm) < np.median(scratch)
    assert np.mean(warm) < np.mean(scratch)


def test_suggest_is_a_permutation_and_neighbours_are_nearest():
    history = sample_curve_tasks(10, random_state=5)
    search = WarmStartSearch(n_neighbors=1).fit(history)
    order = search.suggest(history[3])
    assert sorted(order) == list(range(80))
    assert search.neighbours(history[3])[0] == 3          # a task is its own nearest neighbour
    assert order[0] == search.errors_[3].argmin()         # ... so its own best configuration comes first
    assert search.evaluations_to_target(history[3], 0.0) == 1


def test_bad_input_raises():
    with pytest.raises(ValueError, match="empty"):
        WarmStartSearch().fit([])
    with pytest.raises(ValueError, match="n_neighbors"):
        WarmStartSearch(n_neighbors=0).fit(sample_curve_tasks(2, random_state=0))
    with pytest.raises(ValueError, match="tolerance"):
        random_search_expected_evaluations([1.0, 2.0], tolerance=-1)
    with pytest.raises(ValueError, match="n_tasks"):
        sample_curve_tasks(0)
    with pytest.raises(ValueError, match="frequency_range"):
        sample_curve_tasks(1, frequency_range=(0, 1))
