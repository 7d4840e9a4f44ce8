"""Shared figure style: one palette and one way to make a figure, so every notebook looks alike."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

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
               **subplot_kwargs) -> tuple[Figure, object]:
    """Create a figure with readable defaults (font sizes, grid, tight layout).

    Parameters
    ----------
    n_columns, n_rows : int, default=1
        Grid of axes.
    width, height : float
        Size of *one* panel in inches.

    Returns
    -------
    figure : matplotlib.figure.Figure
    axes : Axes or array of Axes

    Examples
    --------
    >>> figure, axes = new_figure(2)
    >>> len(axes)
    2
    """
    with plt.rc_context({"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10,
                         "legend.fontsize": 9, "axes.grid": True, "grid.alpha": 0.3,
                         "axes.spines.top": False, "axes.spines.right": False}):
        figure, axes = plt.subplots(n_rows, n_columns, figsize=(width * n_columns, height * n_rows),
                                    layout="constrained", **subplot_kwargs)
    return figure, axes
