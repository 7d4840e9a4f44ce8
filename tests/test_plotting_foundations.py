"""Headless tests of the foundation demos (notebooks 01-07): numbers first, then figures and widgets."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from medmeta_lite import experiments
from medmeta_lite.plotting import foundations
from medmeta_lite.widgets import foundations as foundation_widgets


@pytest.fixture(scope="module")
def shots_demo():
    return experiments.make_shots_demo(n_tasks=40, shots=(1, 2, 5, 20), n_test_tasks=40, n_queries=30)


def test_labels_to_reach():
    assert experiments.labels_to_reach([1, 2, 5], [0.5, 0.2, 0.1], 0.2) == 2
    assert experiments.labels_to_reach([1, 2, 5], [0.5, 0.4, 0.3], 0.2) is None


def test_shots_demo_meta_prior_needs_fewer_shots(shots_demo):
    assert shots_demo["meta-learned"][0] < 0.5 * shots_demo["scratch"][0]
    target = 0.2
    meta = experiments.labels_to_reach(shots_demo["shots"], shots_demo["meta-learned"], target)
    scratch = experiments.labels_to_reach(shots_demo["shots"], shots_demo["scratch"], target)
    assert meta is not None and (scratch is None or meta < scratch)
    # with 20 shots the prior no longer matters
    assert shots_demo["meta-learned"][-1] == pytest.approx(shots_demo["scratch"][-1], rel=0.15)


def test_demos_are_deterministic():
    first = experiments.make_transfer_demo(n_tasks=20, n_target_tasks=10, random_state=3)
    second = experiments.make_transfer_demo(n_tasks=20, n_target_tasks=10, random_state=3)
    assert np.array_equal(first["transfer"], second["transfer"])


def test_transfer_demo_has_both_regimes():
    demo = experiments.make_transfer_demo(n_tasks=60, n_target_tasks=100)
    assert demo["transfer"][0] < demo["meta-learned"][0]
    assert demo["meta-learned"][-1] < demo["transfer"][-1]
    assert np.all(demo["scratch"] > demo["meta-learned"])


def test_goals_demo_adaptation_and_shift():
    demo = experiments.make_goals_demo(n_tasks=60, n_test_tasks=80)
    steps = list(demo["steps"])
    assert demo["meta_steps"][steps.index(1)] < demo["scratch_steps"][steps.index(10)]
    shifts = list(demo["shifts"])
    assert demo["shifted_meta"][shifts.index(3)] > 2 * demo["shifted_meta"][shifts.index(0)]
    assert np.any(demo["shifted_scratch"] < demo["shifted_meta"])


def test_meta_overfitting_demo_shows_gap_and_homogeneity_cost():
    demo = experiments.make_meta_overfitting_demo(n_tasks_grid=(2, 64), diversities=(0.1, 0.5),
                                                  n_test_tasks=100, n_repeats=3)
    narrow, matched = demo["new"]
    assert demo["training"][1, 0] < demo["new"][1, 0]       # two tasks: meta-overfitting gap
    assert matched[-1] < matched[0]                          # more tasks help
    assert narrow[-1] > matched[-1]                          # too-similar training tasks hurt new tasks
    assert demo["alphas"][0, -1] > demo["alphas"][1, -1]     # ... through an overconfident prior


def test_label_savings_demo_saves_labels():
    demo = experiments.make_label_savings_demo(shots=(2, 5, 20, 50), n_repeats=3)
    assert demo["meta-learned"][0] < demo["scratch"][0]
    meta = experiments.labels_to_reach(demo["shots"], demo["meta-learned"], 0.62)
    scratch = experiments.labels_to_reach(demo["shots"], demo["scratch"], 0.62)
    assert meta is not None and (scratch is None or meta < scratch)


def test_warm_start_demo_saves_evaluations():
    demo = experiments.make_warm_start_demo(n_history_grid=(10, 60), n_new_tasks=30)
    assert demo["warm"].shape == (2, 30)
    assert np.median(demo["warm"][-1]) < np.median(demo["random"])


def test_shots_figure_shows_the_demo_it_was_given(shots_demo):
    figure = foundations.plot_shots_demo(shots_demo, 2, target=0.2)
    left, right = figure.axes
    assert left.get_title() == "New task (grey: training tasks)"
    assert right.get_xlabel() == "support examples (shots)"
    assert right.get_ylabel() == "query mean squared error"
    curves = {line.get_label(): line for line in right.get_lines()}
    for name in ("meta-learned", "scratch"):
        np.testing.assert_array_equal(curves[name].get_xdata(), shots_demo["shots"])
        np.testing.assert_array_equal(curves[name].get_ydata(), shots_demo[name])
    assert curves["target 0.2"].get_ydata()[0] == 0.2
    support = left.collections[-1].get_offsets()  # the scatter of the support examples
    assert len(support) == 2
    assert [text.get_text() for text in left.get_legend().get_texts()][-1] == "2 support examples"
    with pytest.raises(ValueError, match="n_shots"):
        foundations.plot_shots_demo(shots_demo, 3)


def _shown_data(axes) -> int:
    """Finite data points drawn in ``axes`` (lines, collections, patches and images)."""
    points = sum(np.isfinite(np.asarray(line.get_xydata(), dtype=float)).all(axis=1).sum()
                 for line in axes.get_lines())
    points += sum(len(collection.get_offsets()) + len(getattr(collection, "get_segments", list)())
                  for collection in axes.collections)
    points += len(axes.patches) + sum(image.get_array().size for image in axes.images)
    return int(points)


@pytest.mark.parametrize(("name", "function", "kwargs"), foundation_widgets.BENCHMARK_CASES,
                         ids=[case[0] for case in foundation_widgets.BENCHMARK_CASES])
def test_widget_callbacks_draw_labelled_data(name, function, kwargs):
    figure = function(**kwargs)
    assert isinstance(figure, Figure) and figure.axes
    for axes in figure.axes:
        if not axes.get_visible() or not axes.axison and not axes.images:
            continue
        labels = [axes.get_title(), axes.get_xlabel(), axes.get_ylabel(),
                  *(text.get_text() for text in [*axes.texts, *figure.texts])]
        assert any(labels), f"{name}: an axes has no title, axis label or text"
        assert _shown_data(axes) > 0, f"{name}: an axes shows no data"


def test_widget_helpers_build_sliders(shots_demo):
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        explorer = foundation_widgets.shots_explorer(shots_demo, n_shots=2)
    assert explorer.children[0].value == 2
