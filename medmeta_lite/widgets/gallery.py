"""The demo gallery of the Voilà app: one tab per notebook demo, each built the first time its tab opens.

Building every demo up front would take about five seconds before the page shows anything; a tab that
builds on first view keeps the app's start to the first demo alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets

from medmeta_lite import experiments
from medmeta_lite.widgets.foundations import (
    shift_explorer,
    shots_explorer,
    transfer_explorer,
    warm_start_explorer,
)
from medmeta_lite.widgets.learners import ensemble_explorer, learning_rate_explorer
from medmeta_lite.widgets.toy_line import slope_explorer


@dataclass(frozen=True)
class GalleryDemo:
    """One tab: its title, the sentence above the demo, and the function that builds the widget."""

    title: str
    notebook: str
    description: str
    build: Callable[[int], widgets.Widget]


DEMOS = (
    GalleryDemo("Toy line", "00_start_here",
                "Drag the slope of a line through noisy points of y = 2x and watch the squared error.",
                lambda seed: slope_explorer(1.0)),
    GalleryDemo("Fewer shots", "01_what_is_meta_learning",
                "A prior meta-learned across 100 tasks against learning from scratch, as labels per task "
                "grow.",
                lambda seed: shots_explorer(experiments.make_shots_demo(random_state=seed), n_shots=2)),
    GalleryDemo("Transfer", "02_meta_learning_vs_transfer",
                "Fine-tuning from one source task against a meta-learned prior, as the target drifts away.",
                lambda seed: transfer_explorer(experiments.make_transfer_demo(random_state=seed), 0.5)),
    GalleryDemo("Shift", "03_goals_of_meta_learning",
                "Adaptation speed and error when new tasks come from a shifted distribution.",
                lambda seed: shift_explorer(experiments.make_goals_demo(random_state=seed), 1.0)),
    GalleryDemo("Warm start", "04_applications",
                "Hyperparameter search started from the settings that worked on similar past tasks.",
                lambda seed: warm_start_explorer(experiments.make_warm_start_demo(random_state=seed), 20)),
    GalleryDemo("Averaging", "08_averaging_meta_learner",
                "Members trained on bootstrap resamples and their average: the ensemble never loses under "
                "squared error.",
                lambda seed: ensemble_explorer(n_estimators=10, noise=2.0, random_state=seed)),
    GalleryDemo("Learning rate", "09_gradient_descent_learner",
                "Gradient descent on a line: too small crawls, too large diverges.",
                lambda seed: learning_rate_explorer(learning_rate=0.1, random_state=seed)),
)


def demo_gallery(random_state: int = 0) -> widgets.Tab:
    """Return a ``Tab`` of the workbook's demos; each tab builds its demo when it is first selected.

    Parameters
    ----------
    random_state : int, default=0
        Seed of every demo, as in the notebooks.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter the first draw prints
    ...     gallery = demo_gallery()
    >>> [gallery.get_title(index) for index in range(2)], len(gallery.children[1].children)
    (['Toy line', 'Fewer shots'], 0)
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     gallery.selected_index = 1  # builds the second demo
    >>> len(gallery.children[1].children)
    2
    """
    tabs = [widgets.VBox(layout=widgets.Layout(min_height="420px")) for _ in DEMOS]

    def build(index: int | None) -> None:
        if index is None or tabs[index].children:
            return
        demo = DEMOS[index]
        heading = widgets.HTML(f"<p>{demo.description} <em>From notebook {demo.notebook}.</em></p>")
        # Shown at once (comm messages leave during the callback) while the demo computes, up to ~2 s.
        tabs[index].children = [heading, widgets.HTML("<p><i>Building the demo…</i></p>")]
        tabs[index].children = [heading, demo.build(random_state)]

    gallery = widgets.Tab(children=tabs, titles=[demo.title for demo in DEMOS])
    gallery.observe(lambda change: build(change["new"]), names="selected_index")
    build(0)
    return gallery
