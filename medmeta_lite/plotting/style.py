"""Shared figure style: one palette and one way to make a figure, so every notebook looks alike."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, LogLocator, NullLocator, StrMethodFormatter

# Colour-blind-safe (Okabe–Ito); each method keeps its colour across notebooks.
METHOD_COLOURS = {
    "meta-learned": "#0072B2",
    "maml": "#0072B2",
    "first-order maml": "#56B4E9",
    "reptile": "#009E73",
    "protonet": "#0072B2",
    "transfer": "#E69F00",
    "pretrained": "#E69F00",
    "fine-tuning": "#E69F00",
    "scratch": "#D55E00",
    "pixel nearest centroid": "#CC79A7",
    "oracle": "#000000",
    "ensemble": "#0072B2",
    "member": "#999999",
}
FALLBACK_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


def colour(method: str, index: int = 0) -> str:
    """Return the colour of a method name, or a palette colour by position for unknown names.

    Examples
    --------
    >>> colour("maml")
    '#0072B2'
    """
    return METHOD_COLOURS.get(method.lower(), FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)])


def new_figure(n_columns: int = 1, n_rows: int = 1, *, width: float = 5.0, height: float = 3.4,
               reuse: Figure | None = None, **subplot_kwargs) -> tuple[Figure, object]:
    """Create a figure with readable defaults (font sizes, grid, tight layout).

    Parameters
    ----------
    n_columns, n_rows : int, default=1
        Grid of axes.
    width, height : float
        Size of *one* panel in inches.
    reuse : Figure, optional
        A figure made by an earlier call with the same grid: return it, its axes emptied by
        :func:`clear_data`, instead of a new one. A plotting function with a ``figure=None`` argument passes
        it here, and so redraws in place when :class:`medmeta_lite.widgets.FigureView` hands it the figure
        of the last slider move.

    Returns
    -------
    figure : matplotlib.figure.Figure
    axes : Axes or array of Axes

    Examples
    --------
    >>> figure, axes = new_figure(2)
    >>> len(axes)
    2
    >>> _ = axes[0].plot([0, 1], [0, 1])
    >>> again, (left, right) = new_figure(2, reuse=figure)
    >>> again is figure, left is axes[0], len(left.lines)
    (True, True, 0)
    """
    if reuse is not None:
        return reuse, _emptied_axes(reuse, n_columns, n_rows)
    with plt.rc_context({"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10,
                         "legend.fontsize": 9, "axes.grid": True, "grid.alpha": 0.3,
                         "axes.spines.top": False, "axes.spines.right": False,
                         # A fixed title height: matplotlib otherwise measures every tick label on each
                         # draw to lift the title above them, which costs a slider a third of its redraw.
                         "axes.titley": 1.0}):
        figure, axes = plt.subplots(n_rows, n_columns, figsize=(width * n_columns, height * n_rows),
                                    layout="constrained", **subplot_kwargs)
    for panel in figure.axes:
        # Five intervals per axis read at a glance, and each tick fewer is less for a slider to redraw.
        panel.locator_params(nbins=5)
    return figure, axes


def _emptied_axes(figure: Figure, n_columns: int, n_rows: int):
    """The axes of a figure from :func:`new_figure`, emptied, in the shape ``plt.subplots`` returns them."""
    panels = figure.axes
    if len(panels) != n_columns * n_rows:
        raise ValueError(f"reuse must be a figure with {n_rows} x {n_columns} axes, as new_figure made it; "
                         f"this one has {len(panels)}")
    for panel in panels:
        clear_data(panel)
    if len(panels) == 1:
        return panels[0]
    grid = np.empty(len(panels), dtype=object)
    grid[:] = panels
    return grid.reshape(n_rows, n_columns) if n_rows > 1 and n_columns > 1 else grid


def clear_data(axes) -> None:
    """Remove what was plotted in ``axes`` (lines, collections, patches, texts, images, legend) but keep the
    axes, their ticks and their style, with data limits, colour cycle and titles reset: what is plotted
    next looks as it would in new axes.

    A plotting function that accepts ``figure=`` (see :class:`medmeta_lite.widgets.FigureView`) calls this
    on the axes of the figure it draws into again, then sets everything it sets on new axes (labels,
    limits, scales): those are kept, not reset. Building the axes and their tick marks is about a
    fifth of what a slider's redraw costs with a new figure; in place, a move redraws only the data.

    Examples
    --------
    >>> figure, axes = new_figure()
    >>> _ = axes.plot([0, 1], [0, 10], label="old")
    >>> _ = axes.legend()
    >>> clear_data(axes)
    >>> _ = axes.plot([0, 1], [0, 2])
    >>> len(axes.lines), axes.get_legend(), float(axes.dataLim.y1)
    (1, None, 2.0)
    """
    for artist in [*axes.lines, *axes.collections, *axes.patches, *axes.texts, *axes.images]:
        artist.remove()
    if axes.get_legend() is not None:
        axes.get_legend().remove()
    axes.relim()  # with no artist left: empty limits that the next artist added replaces
    axes.set_prop_cycle(None)  # the next line takes the first colour again, as in new axes
    axes.set_autoscale_on(True)  # limits set on the last call must not stick
    for location in ("left", "center", "right"):  # a title set on one call only must not stick either
        axes.set_title("", loc=location)


def legend_beside(axes, **kwargs):
    """Put the legend of ``axes`` to its right, where it cannot hide any data.

    Constrained layout makes room for it; give the figure about 1.5 inches more width.

    Examples
    --------
    >>> figure, axes = new_figure(width=6.5)
    >>> _ = axes.plot([0, 1], [0, 1], label="a line")
    >>> legend_beside(axes).get_texts()[0].get_text()
    'a line'
    """
    return axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **kwargs)


def log_scale(axes, *, x: bool = False, y: bool = True, x_ticks=None, base: float = 10) -> None:
    """Put axes on a log scale labelled with plain numbers (0.2, 5, 1e+04) and without minor ticks.

    Students read "0.2" faster than "2 x 10^-1". Minor ticks are left out on purpose: a slider redraws the
    figure, and matplotlib builds every minor tick and typesets every power-of-ten label anew each time,
    which on its own doubled the cost of a redraw.

    Parameters
    ----------
    axes : matplotlib.axes.Axes
    x, y : bool
        Which axis to put on a log scale (default: y only).
    x_ticks : sequence of float, optional
        Label exactly these x values (a grid of shots or task counts); implies ``x=True``.
    base : float, default=10
        Base of the log scale. With base 10, ticks fall on 1, 2, 3, 5 and 7 times the powers of ten
        within one decade, on 1, 2 and 5 times them over up to three decades, and on the powers alone
        beyond.

    Examples
    --------
    >>> figure, axes = new_figure()
    >>> _ = axes.plot([1, 10, 100], [0.5, 0.1, 0.02])
    >>> log_scale(axes, x_ticks=[1, 10, 100])
    >>> axes.get_xscale(), axes.get_yscale(), [label.get_text() for label in axes.get_xticklabels()]
    ('log', 'log', ['1', '10', '100'])
    """
    x = x or x_ticks is not None
    for flag, axis, set_scale in ((x, axes.xaxis, axes.set_xscale), (y, axes.yaxis, axes.set_yscale)):
        if not flag:
            continue
        set_scale("log", base=base)
        if axis is axes.xaxis and x_ticks is not None:
            axis.set_major_locator(FixedLocator(np.asarray(x_ticks, dtype=float)))
        else:
            axis.set_major_locator(_OneTwoFiveLocator() if base == 10 else LogLocator(base=base))
        axis.set_major_formatter(StrMethodFormatter("{x:g}"))
        axis.set_minor_locator(NullLocator())


class _OneTwoFiveLocator(LogLocator):
    """Log ticks at 1, 2, 3, 5 and 7 times each power of ten within a decade, at 1, 2 and 5 times over up
    to three decades, and at the powers alone over a longer range."""

    def tick_values(self, vmin, vmax):
        low, high = sorted((vmin, vmax))
        decades = np.log10(high / low) if low > 0 else np.inf
        if decades < 1:  # within one decade 1-2-5 may leave a single label
            self.set_params(subs=(1.0, 2.0, 3.0, 5.0, 7.0))
        else:
            self.set_params(subs=(1.0, 2.0, 5.0) if decades <= 3 else (1.0,))
        return super().tick_values(vmin, vmax)
