"""FigureView: the layout learned on the first figure serves later ones, and is solved again when it no
longer fits."""

import gc
import importlib
import io
import pkgutil

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

import medmeta_lite.widgets
from medmeta_lite.plotting.learners import plot_ensemble, plot_loss_curve
from medmeta_lite.plotting.style import new_figure
from medmeta_lite.widgets.figure_view import FigureView, figure_fits


def _line(slope, title="a line"):
    figure, axes = new_figure()
    axes.plot([0, 1], [0, slope])
    axes.set_title(title)
    return figure


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_render_returns_a_png_and_leaves_no_figure_open():
    plt.close("all")
    png = FigureView(_line).render(2.0)
    assert png.startswith(b"\x89PNG")
    assert _pixels(png).shape == (340, 500, 3)  # new_figure's 5 x 3.4 inches at 100 dpi
    assert plt.get_fignums() == []


def test_a_reused_layout_draws_the_same_picture_as_a_fresh_layout():
    view = FigureView(_line)
    view.render(2.0)
    reused = _pixels(view.render(2.0))
    figure = _line(2.0)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")  # constrained layout solved for this very figure
    plt.close(figure)
    assert len(view.layouts) == 1
    assert np.array_equal(reused, _pixels(buffer.getvalue()))


def test_a_longer_title_makes_the_view_solve_the_layout_again():
    view = FigureView(_line)
    view.render(1.0)
    short_title_layout = view.layouts.copy()
    long_title = "a title that wraps\nover three lines\nso that it needs more room"
    view.render(1.0, title=long_title)
    ((shape, positions),) = view.layouts.items()
    assert positions[0].y1 < short_title_layout[shape][0].y1  # the axes moved down to make room


def test_the_diverging_learning_rate_figure_fits_after_a_converging_one():
    X = np.linspace(-1, 1, 30).reshape(-1, 1)
    y = 3 * X.ravel() + 1
    view = FigureView(plot_loss_curve)
    view.render(0.1, 200, X, y)
    view.render(50.0, 200, X, y)  # two-line red title, tick labels up to 1e+30
    figure = plot_loss_curve(50.0, 200, X, y)
    ((positions),) = view.layouts.values()
    figure.set_layout_engine("none")
    for axes, position in zip(figure.axes, positions, strict=True):
        axes.set_position(position)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    assert figure_fits(figure, canvas.get_renderer())
    plt.close(figure)


def _line_in_place(slope, title="a line", figure=None):
    figure, axes = new_figure(reuse=figure)
    axes.plot([0, 1], [0, slope])
    axes.set_title(title)
    return figure


def test_a_plot_that_accepts_a_figure_is_redrawn_in_that_figure_with_the_same_pixels():
    plt.close("all")
    received = []

    def spy(slope, figure=None):
        received.append(figure)
        return _line_in_place(slope, figure=figure)

    view, fresh = FigureView(spy), FigureView(_line)
    for slope in (1.0, 3.0, -2.0, 0.5):
        assert np.array_equal(_pixels(view.render(slope)), _pixels(fresh.render(slope)))
    assert received[0] is None  # the first call builds the figure
    assert len({id(figure) for figure in received[1:]}) == 1 and received[1] is not None
    assert plt.get_fignums() == []  # the figure kept for redraws is not one that pyplot shows


def test_a_figure_redrawn_in_place_solves_its_layout_again_when_a_title_grows():
    view = FigureView(_line_in_place)
    view.render(1.0)
    ((shape, short_positions),) = view.layouts.items()
    view.render(1.0, title="a title that wraps\nover three lines\nso that it needs more room")
    assert view.layouts[shape][0].y1 < short_positions[0].y1  # the original layout engine made room
    fresh = FigureView(_line)
    fresh.render(1.0)
    long_title = "a title that wraps\nover three lines\nso that it needs more room"
    fresh.render(1.0, title=long_title)
    assert np.array_equal(_pixels(view.render(2.0, title=long_title)),
                          _pixels(fresh.render(2.0, title=long_title)))


def test_plot_ensemble_redrawn_in_place_matches_a_new_figure():
    previous = plot_ensemble(3, 0.5)
    redrawn = plot_ensemble(12, 2.0, figure=previous)
    new = plot_ensemble(12, 2.0)
    assert redrawn is previous
    for kept, made in zip(redrawn.axes, new.axes, strict=True):
        assert kept.get_title() == made.get_title()
        assert kept.get_xlim() == made.get_xlim() and kept.get_ylim() == made.get_ylim()
        assert [line.get_label() for line in kept.lines] == [line.get_label() for line in made.lines]
        assert len(kept.collections) == len(made.collections)
        for old_data, new_data in zip(kept.lines, made.lines, strict=True):
            assert np.array_equal(old_data.get_xydata(), new_data.get_xydata())
        assert [text.get_text() for text in kept.get_legend().get_texts()] == \
            [text.get_text() for text in made.get_legend().get_texts()]
    plt.close("all")


def test_a_callback_that_returns_no_figure_is_named_in_the_error():
    def not_a_plot():
        return "text"

    with pytest.raises(TypeError, match="not_a_plot.*must return a matplotlib Figure, got str"):
        FigureView(not_a_plot).render()


def _figure_cases():
    for module_info in pkgutil.iter_modules(medmeta_lite.widgets.__path__):
        module = importlib.import_module(f"medmeta_lite.widgets.{module_info.name}")
        for name, function, kwargs in getattr(module, "BENCHMARK_CASES", []):
            if not name.startswith("trainer."):
                yield pytest.param(function, kwargs, id=name)


@pytest.mark.parametrize(("function", "kwargs"), list(_figure_cases()))
def test_every_widget_figure_fits_inside_its_picture(function, kwargs):
    view = FigureView(function)
    view.render(**kwargs)
    figure = function(**kwargs)
    ((_, positions),) = [(shape, layout) for shape, layout in view.layouts.items()
                         if len(layout) == len(figure.axes)]
    figure.set_layout_engine("none")
    for axes, position in zip(figure.axes, positions, strict=True):
        axes.set_position(position)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    assert figure_fits(figure, canvas.get_renderer()), "labels spill out of the figure or overlap"
    plt.close(figure)


def _in_place_cases():
    for case in _figure_cases():
        function, _ = case.values
        if FigureView(function).redraws_in_place:
            yield case


def test_the_slowest_widget_figures_redraw_in_place():
    names = {case.id for case in _in_place_cases()}
    assert {"learners.ensemble_explorer", "foundations.shots_explorer", "foundations.warm_start_explorer",
            "foundations.meta_overfitting_explorer", "learners.learning_rate_explorer",
            "learners.keras_explorer"} <= names


@pytest.mark.parametrize(("function", "kwargs"), list(_in_place_cases()))
def test_every_figure_redrawn_in_place_looks_like_a_new_one(function, kwargs):
    in_place = FigureView(function)
    fresh = FigureView(function, in_place=False)  # a new figure each time
    for _ in range(3):  # the first call builds the figure, the next ones redraw in it
        assert np.array_equal(_pixels(in_place.render(**kwargs)), _pixels(fresh.render(**kwargs)))
    assert plt.get_fignums() == []


def test_the_ensemble_explorer_redrawn_in_place_matches_new_figures_as_the_sliders_move():
    in_place = FigureView(plot_ensemble)
    fresh = FigureView(plot_ensemble, in_place=False)
    for n_estimators, noise in ((10, 2.0), (50, 5.0), (1, 0.0), (23, 0.5)):
        assert np.array_equal(_pixels(in_place.render(n_estimators, noise)),
                              _pixels(fresh.render(n_estimators, noise)))


def test_the_loss_curve_redrawn_in_place_switches_between_converging_and_diverging_titles():
    # a diverging run titles its figure on the left in small red type; the next converging run must not
    # keep that title
    X = np.linspace(-1, 1, 30).reshape(-1, 1)
    y = 3 * X.ravel() + 1
    in_place = FigureView(plot_loss_curve)
    fresh = FigureView(plot_loss_curve, in_place=False)
    for learning_rate in (0.1, 50.0, 0.3, 50.0, 0.1):
        assert np.array_equal(_pixels(in_place.render(learning_rate, 200, X, y)),
                              _pixels(fresh.render(learning_rate, 200, X, y)))


def test_new_figure_refuses_to_reuse_a_figure_of_another_grid():
    figure, _ = new_figure(2)
    with pytest.raises(ValueError, match="reuse must be a figure with 1 x 3 axes.*has 2"):
        new_figure(3, reuse=figure)
    plt.close(figure)


def test_render_leaves_the_garbage_collector_as_it_found_it():
    FigureView(_line).render(1.0)
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    gc.freeze()  # a user who froze objects on purpose keeps them frozen
    try:
        FigureView(_line).render(1.0)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
