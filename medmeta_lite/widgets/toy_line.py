"""The first widget of the workbook: guess the slope of the toy line (``00_start_here``)."""

from __future__ import annotations

import functools

import ipywidgets as widgets

from medmeta_lite.data.bundled import load_toy_line
from medmeta_lite.plotting.toy_line import line_fit_error, plot_line_guess
from medmeta_lite.widgets.figure_view import figure_explorer


def slope_explorer(initial_slope: float = 1.0):
    """Return a slider for the slope of ``y = slope * x`` that redraws the fit and its held-out error.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter the first draw prints
    ...     explorer = slope_explorer()
    >>> explorer.children[0].description
    'slope'
    """
    line = load_toy_line()

    slider = widgets.FloatSlider(value=initial_slope, min=0.0, max=4.0, step=0.05, description="slope",
                                 continuous_update=False, readout_format=".2f",
                                 layout=widgets.Layout(width="480px"))
    # the figure's title states the held-out error
    return figure_explorer(plot_line_guess, slope=slider, line=widgets.fixed(line))


@functools.cache
def _toy_line():
    return load_toy_line()


def _redraw(slope: float):
    # What one slider move computes: the error and the figure (the benchmark renders it).
    line_fit_error(slope, _toy_line().X_test, _toy_line().y_test)
    return plot_line_guess(slope, _toy_line())


BENCHMARK_CASES = [("toy_line.slope_explorer", _redraw, {"slope": 1.5})]
