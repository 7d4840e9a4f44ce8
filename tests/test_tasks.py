"""Task samplers: reproducible draws, the sinusoid family's ranges and the half-range variant."""

import numpy as np
import pytest

from medmeta_lite.data.tasks import LinearTaskSampler, SinusoidTaskSampler, Task


def test_same_random_state_gives_the_same_tasks():
    first = SinusoidTaskSampler(random_state=3).sample_batch(4, 5, 7)
    second = SinusoidTaskSampler(random_state=3).sample_batch(4, 5, 7)
    other = SinusoidTaskSampler(random_state=4).sample_batch(4, 5, 7)
    for key in ("X_support", "y_support", "X_query", "y_query"):
        np.testing.assert_array_equal(first[key], second[key])
    assert not np.allclose(first["y_support"], other["y_support"])


def test_sinusoid_tasks_follow_the_paper_ranges_and_formula():
    batch = SinusoidTaskSampler(random_state=0).sample_batch(500, 10, 20)
    amplitude, phase = batch["parameters"]["amplitude"], batch["parameters"]["phase"]
    assert 0.1 <= amplitude.min() and amplitude.max() <= 5.0
    assert 0.0 <= phase.min() and phase.max() <= np.pi
    assert batch["X_support"].shape == (500, 10, 1) and batch["y_query"].shape == (500, 20)
    assert -5.0 <= batch["X_query"].min() and batch["X_query"].max() <= 5.0
    expected = amplitude[:, None] * np.sin(batch["X_query"][..., 0] - phase[:, None])
    np.testing.assert_allclose(batch["y_query"], expected)


def test_half_range_support_stays_on_one_side_and_keeps_the_tasks():
    full = SinusoidTaskSampler(random_state=1).sample_batch(50, 10, 30)
    left = SinusoidTaskSampler(support_side="left", random_state=1).sample_batch(50, 10, 30)
    right = SinusoidTaskSampler(support_side="right", random_state=1).sample_batch(50, 10, 30)
    assert left["X_support"].max() <= 0.0 <= right["X_support"].min()
    assert left["X_query"].min() < -2.5 and left["X_query"].max() > 2.5  # queries still cover the range
    np.testing.assert_array_equal(left["parameters"]["amplitude"], full["parameters"]["amplitude"])
    np.testing.assert_array_equal(left["X_query"], full["X_query"])


def test_noise_and_task_objects():
    task = SinusoidTaskSampler(noise=0.5, random_state=0).sample_task(n_shots=5, n_queries=50)
    assert isinstance(task, Task) and task.n_shots == 5
    parameters = task.parameters
    clean = SinusoidTaskSampler.function(task.X_query[:, 0], parameters["amplitude"], parameters["phase"])
    assert 0.3 < np.std(task.y_query - clean) < 0.8


@pytest.mark.parametrize("options, message", [({"amplitude_range": (5.0, 1.0)}, "amplitude_range"),
                                              ({"x_range": (1.0, 1.0)}, "x_range"),
                                              ({"support_side": "up"}, "support_side"),
                                              ({"noise": -1.0}, "noise")])
def test_bad_sampler_options_are_value_errors(options, message):
    with pytest.raises(ValueError, match=message):
        SinusoidTaskSampler(**options).sample_batch(2, 3, 3)


def test_linear_sampler_is_unchanged_by_the_support_hook():
    batch = LinearTaskSampler(random_state=0).sample_batch(3, 4, 5)
    rng = np.random.default_rng(0)
    weights = 2.0 + 0.5 * rng.standard_normal((3, 1))
    rng.standard_normal(3)
    X = rng.uniform(-1, 1, size=(3, 9, 1))
    np.testing.assert_array_equal(batch["X_support"], X[:, :4])
    np.testing.assert_allclose(batch["parameters"]["weights"], weights)
