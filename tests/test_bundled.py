"""Tests of the committed and bundled bundled."""

import numpy as np
import pytest

from medmeta_lite.data import bundled
from medmeta_lite.data.bundled import load_diabetes_tasks, load_toy_line, make_toy_line, write_toy_line


def test_toy_line_has_no_held_out_point_in_training():
    line = load_toy_line()
    assert np.intersect1d(line.X_train.ravel(), line.X_test.ravel()).size == 0
    assert line.X_train.shape == (11, 1) and line.y_train.shape == (11,)
    assert line.X_test.shape == (12, 1) and line.y_test.shape == (12,)


def test_committed_toy_line_matches_its_generator(tmp_path):
    regenerated = write_toy_line(tmp_path / "toy_line.csv").read_text()
    assert regenerated == (bundled.data_dir() / "toy_line.csv").read_text()


def test_toy_line_follows_y_equals_2x():
    x, y, _ = make_toy_line(noise=0.0)
    np.testing.assert_allclose(y, 2 * x)


def test_data_dir_override_and_missing_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDMETA_LITE_DATA", str(tmp_path))
    assert bundled.data_dir() == tmp_path
    monkeypatch.setenv("MEDMETA_LITE_DATA", str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError, match="MEDMETA_LITE_DATA"):
        bundled.data_dir()


@pytest.mark.parametrize("by, n_sites", [("age", 4), ("sex", 2)])
def test_diabetes_sites_partition_the_patients(by, n_sites):
    tasks = load_diabetes_tasks(by=by, n_shots=10, random_state=0)
    assert len(tasks) == n_sites
    assert sum(task.n_shots + task.n_queries for task in tasks) == 442
    assert all(task.X_support.shape == (10, 9) for task in tasks)


def test_diabetes_support_and_query_are_disjoint_and_reproducible():
    first = load_diabetes_tasks(n_shots=15, n_queries=30, random_state=3)
    second = load_diabetes_tasks(n_shots=15, n_queries=30, random_state=3)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a.X_support, b.X_support)
        rows = {tuple(row) for row in a.X_support}
        assert not rows & {tuple(row) for row in a.X_query}
        assert a.n_queries == 30


@pytest.mark.parametrize("kwargs, message", [
    ({"by": "bmi"}, "by must be one of"),
    ({"n_shots": 0}, "n_shots must be an integer >= 1"),
    ({"n_shots": 500}, "leaves no query patients"),
    ({"n_queries": -1}, "n_queries must be"),
])
def test_diabetes_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_diabetes_tasks(**kwargs)
