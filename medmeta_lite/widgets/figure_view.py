"""Fast redraws for sliders: solve a figure's layout once, then reuse it for the figures that follow.

A slider callback builds a fresh matplotlib figure from a pure ``plot_*`` function. Most of what a redraw
costs is not drawing but layout: constrained layout measures every tick label to place the axes, and
Jupyter's inline backend measures them all again for ``bbox_inches="tight"``. The figures of one widget
differ only in their data, so :class:`FigureView` solves the layout on the first figure of each shape,
copies those axes positions onto later ones, checks after drawing that everything still fits, and
encodes the PNG itself. A plotting function that accepts ``figure=`` goes one step further: it redraws its
data in the figure of the last move, whose axes and ticks are then built only once.
"""

from __future__ import annotations

import gc
import inspect
import io
from collections.abc import Callable
from contextlib import contextmanager

import ipywidgets as widgets
import matplotlib.image
import matplotlib.pyplot as plt
from IPython.display import Image, display
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure


class FigureView:
    """Render the figures of one plotting function as PNG bytes, with the layout solved once per shape.

    Parameters
    ----------
    plot : callable
        Returns a new :class:`~matplotlib.figure.Figure`, usually made by
        :func:`medmeta_lite.plotting.style.new_figure` and so with constrained layout. If it accepts a
        ``figure`` argument, every call after the first passes the figure it returned last, and the
        function redraws its data there (see :func:`medmeta_lite.plotting.style.clear_data`): the axes
        and their ticks are built once, not on every slider move.
    in_place : bool, default=True
        ``False`` never passes the last figure back: every call builds a new one (benchmarks and tests
        compare the two ways).

    Attributes
    ----------
    layouts : dict
        Axes positions (figure fractions) per figure shape: size in inches and grid of axes.
    redraws_in_place : bool
        Whether ``plot`` accepts ``figure`` and ``in_place`` is true.

    Examples
    --------
    >>> from medmeta_lite.plotting.style import new_figure
    >>> def plot(slope):
    ...     figure, axes = new_figure()
    ...     axes.plot([0, 1], [0, slope])
    ...     return figure
    >>> view = FigureView(plot)
    >>> view.render(2.0)[:4] == b"\\x89PNG"
    True
    >>> _ = view.render(3.0)
    >>> len(view.layouts)  # both figures have one axes of the same size: one layout serves them
    1
    """

    def __init__(self, plot: Callable[..., Figure], *, in_place: bool = True):
        self.plot = plot
        self.layouts: dict[tuple, list] = {}
        self._renderers: dict[tuple, RendererAgg] = {}
        self.redraws_in_place = in_place and "figure" in inspect.signature(plot).parameters
        self._figure: Figure | None = None  # the figure such a plot draws into again, and its layout engine
        self._layout_engine = None

    def render(self, *args, **kwargs) -> bytes:
        """Call the plotting function with these arguments and return its figure as PNG bytes."""
        with _collect_only_new_objects():
            return self._render(*args, **kwargs)

    def _render(self, *args, **kwargs) -> bytes:
        if self._figure is not None:
            kwargs["figure"] = self._figure
        figure = self.plot(*args, **kwargs)
        if not isinstance(figure, Figure):
            raise TypeError(f"{getattr(self.plot, '__name__', self.plot)!r} must return a matplotlib Figure, "
                            f"got {type(figure).__name__}")
        try:
            canvas = _ReusingCanvas(figure, self._renderers)
            if figure is self._figure:
                engine = self._layout_engine
            else:
                engine = figure.get_layout_engine()
                if self.redraws_in_place:  # _place switches the engine off: keep it for a re-solve
                    self._figure, self._layout_engine = figure, engine
            shape = (tuple(figure.get_size_inches().round(3)),
                     tuple(_grid_position(axes) for axes in figure.axes))
            known = shape in self.layouts
            if not known:
                self._solve(figure, engine, shape)
            _place(figure, self.layouts[shape])
            canvas.draw()
            if known and not figure_fits(figure, canvas.get_renderer()):
                # Labels grew past the layout learned earlier (a longer title, wider tick labels).
                self._solve(figure, engine, shape)
                _place(figure, self.layouts[shape])
                canvas.draw()
            buffer = io.BytesIO()
            # Light compression: a third of the encoding time, for a PNG that stays around 100 kB.
            matplotlib.image.imsave(buffer, canvas.buffer_rgba(), format="png", dpi=figure.dpi,
                                    pil_kwargs={"compress_level": 1})
            return buffer.getvalue()
        finally:
            plt.close(figure)  # the inline backend must not show it a second time

    def show(self, *args, **kwargs) -> None:
        """Render the figure and display it in the current output (a widget's output area)."""

        display(Image(data=self.render(*args, **kwargs), format="png"))

    def _solve(self, figure: Figure, engine, shape: tuple) -> None:
        if engine is not None:
            engine.execute(figure)
        self.layouts[shape] = [axes.get_position(original=True) for axes in figure.axes]


def figure_explorer(plot: Callable[..., Figure], **controls):
    """``ipywidgets.interactive`` over a plotting function, each change drawn through one :class:`FigureView`.

    Parameters
    ----------
    plot : callable
        Returns a new figure; every argument is passed by name.
    **controls
        One entry per argument of ``plot``: a widget (a slider, a menu) or ``ipywidgets.fixed(value)`` for
        an argument that does not change. Widgets appear in the order given.

    Returns
    -------
    ipywidgets.interactive

    Examples
    --------
    >>> import contextlib, io
    >>> import ipywidgets as widgets
    >>> from medmeta_lite.plotting.style import new_figure
    >>> def plot(slope, title):
    ...     figure, axes = new_figure()
    ...     axes.plot([0, 1], [0, slope])
    ...     axes.set_title(title)
    ...     return figure
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter the first draw prints its repr
    ...     explorer = figure_explorer(plot, slope=widgets.FloatSlider(value=1.0, description="slope"),
    ...                                title=widgets.fixed("a line"))
    >>> [child.description for child in explorer.children[:1]]
    ['slope']
    """

    view = FigureView(plot)
    return widgets.interactive(lambda **values: view.show(**values), **controls)


class _ReusingCanvas(FigureCanvasAgg):
    """An Agg canvas that draws into a renderer kept from earlier figures of the same pixel size.

    Text sizes are cached per renderer, so a renderer that lives across redraws measures each tick label
    once, not once per slider move.
    """

    def __init__(self, figure: Figure, renderers: dict):
        super().__init__(figure)
        self._shared_renderers = renderers

    def get_renderer(self) -> RendererAgg:
        width, height = self.figure.bbox.size
        key = (width, height, self.figure.dpi)
        if key not in self._shared_renderers:
            self._shared_renderers[key] = RendererAgg(width, height, self.figure.dpi)
        self.renderer = self._shared_renderers[key]
        return self.renderer


def _grid_position(axes) -> tuple:
    spec = axes.get_subplotspec()
    if spec is None:  # a colour bar or an inset: placed with its parent
        return ("free", axes.get_label())
    return (spec.get_geometry(), spec.rowspan.start, spec.colspan.start)


def _place(figure: Figure, positions: list) -> None:
    figure.set_layout_engine("none")  # keep these positions: no layout pass on draw
    for axes, position in zip(figure.axes, positions, strict=True):
        axes.set_position(position)
        axes.set_in_layout(True)  # set_position takes axes out of layout; a re-solve must see them


def figure_fits(figure: Figure, renderer, tolerance: float = 1.0) -> bool:
    """Whether every axes (with its labels) and every figure text lies inside the figure, none overlapping."""
    frame = figure.bbox
    boxes = [axes.get_tightbbox(renderer) for axes in figure.axes if axes.get_visible()]
    boxes += [text.get_window_extent(renderer) for text in figure.texts if text.get_text()]
    for index, box in enumerate(boxes):
        if (box.x0 < frame.x0 - tolerance or box.y0 < frame.y0 - tolerance
                or box.x1 > frame.x1 + tolerance or box.y1 > frame.y1 + tolerance):
            return False
        for other in boxes[index + 1:]:
            overlap_width = min(box.x1, other.x1) - max(box.x0, other.x0)
            overlap_height = min(box.y1, other.y1) - max(box.y0, other.y0)
            if overlap_width > tolerance and overlap_height > tolerance:
                return False
    return True


@contextmanager
def _collect_only_new_objects():
    """While a redraw runs, let the garbage collector look only at the objects the redraw creates.

    By the time a widget draws, the kernel holds TensorFlow and the notebook's data: hundreds of thousands
    of objects. A full collection walks all of them (about 100 ms), and the many short-lived objects of a
    redraw set one off every few slider moves. Freezing the objects that exist before the redraw keeps them
    out of its collections; one collection at the end frees the redraw's own garbage, and unfreezing hands
    everything back to the collector as it was.
    """
    if gc.get_freeze_count():  # someone else froze objects on purpose: leave their setting alone
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.collect()
        gc.unfreeze()
