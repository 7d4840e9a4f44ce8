"""Thin ipywidgets wrappers around the package's pure demo functions.

Each module here returns ``interact``/``VBox`` objects for one family of notebooks and lists its pure
callbacks in ``BENCHMARK_CASES`` so that ``benchmarks/bench_widgets.py`` can time them headless. Figures
are shown through :class:`~medmeta_lite.widgets.figure_view.FigureView`, which keeps a redraw fast.
"""
