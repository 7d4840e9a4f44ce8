"""Figures of the few-shot image notebooks (06, 13, 14): episodes as image grids, accuracy against shots,
embeddings in two dimensions and a method comparison with 95 % intervals.

Every function takes data and returns a matplotlib ``Figure``; none trains anything.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from medmeta_lite.plotting.style import colour, legend_beside, log_scale, new_figure

__all__ = ["plot_accuracy_vs_shots", "plot_embedding", "plot_episode", "plot_image_grid",
           "plot_domain_shift", "plot_method_comparison", "plot_ways_shots"]

_CORRECT, _WRONG = "#009E73", "#D55E00"


def _squeeze(image):
    image = np.asarray(image)
    return image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image


def plot_image_grid(images, labels=None, *, class_names=None, n_per_class: int = 6, title=None) -> Figure:
    """Show ``n_per_class`` images of each class, one row per class (two columns of classes beyond eight).

    Parameters
    ----------
    images : array-like of shape (n_images, height, width[, channels])
    labels : array-like of int or None
        None shows the first images in one row.
    class_names : sequence of str or mapping, optional
        Row titles, indexed by label.
    n_per_class : int, default=6
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes showing all the images as a single mosaic, each image stretched to its own range.

    Examples
    --------
    >>> import numpy as np
    >>> figure = plot_image_grid(np.zeros((6, 8, 8)), np.repeat([0, 1], 3), class_names=["a", "b"],
    ...                          n_per_class=3)
    >>> len(figure.axes), [text.get_text() for text in figure.axes[0].texts]
    (1, ['a', 'b'])
    """
    images = np.asarray(images)
    labels = np.zeros(len(images), dtype=int) if labels is None else np.asarray(labels).ravel()
    classes = np.unique(labels)
    height, width = _tile(images[0]).shape[:2]
    gap = max(3, width // 5)
    inches = 0.9 / (width + gap)  # about 0.9 inch per image
    name_width = int(1.5 / inches) if class_names is not None else 0
    block_columns = 1 if len(classes) <= 8 else 2  # sixteen rows of classes would make a very tall figure
    block_rows = -(-len(classes) // block_columns)
    block_width = name_width + n_per_class * (width + gap) + gap
    mosaic = np.ones((gap + block_rows * (height + gap), block_columns * block_width, 3))
    figure, axis = new_figure(width=mosaic.shape[1] * inches + 0.2,
                              height=mosaic.shape[0] * inches + (0.5 if title else 0.2))
    for index, label in enumerate(classes):
        block_column, block_row = divmod(index, block_rows)  # classes run down the first column first
        top = gap + block_row * (height + gap)
        first_left = block_column * block_width + name_width
        for position, member in enumerate(np.flatnonzero(labels == label)[:n_per_class]):
            left = first_left + position * (width + gap)
            mosaic[top:top + height, left:left + width] = _tile(images[member])
        if class_names is not None:
            axis.text(first_left - gap, top + height / 2, str(class_names[label]).replace("_", " "),
                      ha="right", va="center", fontsize=8)
    axis.imshow(mosaic, interpolation="nearest")
    axis.set_axis_off()
    if title:
        figure.suptitle(title)
    return figure


def plot_episode(episode, *, class_names=None, predictions=None, max_queries: int = 4,
                 title=None) -> Figure:
    """Draw one N-way K-shot episode: a row per class, support images left, query images right.

    Parameters
    ----------
    episode : Episode
        From :meth:`medmeta_lite.fewshot.episodes.EpisodeSampler.sample`.
    class_names : sequence of str or mapping, optional
        Names indexed by the *dataset* label (``episode.classes``), for example
        :data:`medmeta_lite.data.synthetic_images.CLASS_NAMES`; row titles otherwise read "class c".
    predictions : array-like of int, optional
        Predicted episode labels of the query images; each shown query gets a green (right) or
        orange-red (wrong) frame and its predicted label.
    max_queries : int, default=4
        Query images shown per class.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Introduced in ``notebooks/06_medical_imaging_uses.ipynb``; used again in notebooks 13 and 14.

    Examples
    --------
    >>> from medmeta_lite.fewshot.episodes import EpisodeSampler
    >>> from medmeta_lite.data.synthetic_images import CLASS_NAMES, make_synthetic_images
    >>> data = make_synthetic_images(10, classes=[0, 1, 2], random_state=0)
    >>> episode = EpisodeSampler(data.images, data.labels, n_ways=3, n_shots=2, n_queries=3,
    ...                          random_state=0).sample()
    >>> figure = plot_episode(episode, class_names=CLASS_NAMES)
    >>> len(figure.axes), [text.get_text() for text in figure.axes[0].texts]
    (1, ['0: two discs', '1: disc', '2: ring', 'support', 'query'])
    """
    n_ways, n_shots, n_queries = episode.n_ways, episode.n_shots, episode.n_queries
    shown = min(max_queries, n_queries)
    if predictions is not None:
        predictions = np.asarray(predictions).ravel()
        if predictions.size != len(episode.query_labels):
            raise ValueError(f"predictions has {predictions.size} entries, "
                             f"expected {len(episode.query_labels)}")
    # One image of all the tiles in one axes: a figure with an axes per tile took a slider 100 ms to build.
    # The image starts with a blank strip for the row names, so that nothing lies outside the axes.
    height, width = _tile(episode.support_images[0]).shape[:2]
    gap = max(3, width // 5)
    inches = 0.95 / (width + gap)  # about an inch per tile, as in plot_image_grid
    support_left = int(1.6 / inches)
    row_step = height + (height // 2 if predictions is not None else gap)
    query_left = support_left + n_shots * (width + gap) + width // 2  # a wider gap before the queries
    mosaic = np.ones((gap + n_ways * row_step, query_left + shown * (width + gap), 3))
    figure_width = mosaic.shape[1] * inches + 0.2
    figure, axis = new_figure(width=figure_width, height=mosaic.shape[0] * inches + 0.6)
    for way in range(n_ways):
        top = gap + way * row_step
        support = np.flatnonzero(episode.support_labels == way)
        query = np.flatnonzero(episode.query_labels == way)[:shown]
        for column, index in enumerate(support):
            left = support_left + column * (width + gap)
            mosaic[top:top + height, left:left + width] = _tile(episode.support_images[index])
        for offset, index in enumerate(query):
            left = query_left + offset * (width + gap)
            mosaic[top:top + height, left:left + width] = _tile(episode.query_images[index])
            if predictions is not None:
                frame = _CORRECT if predictions[index] == episode.query_labels[index] else _WRONG
                axis.add_patch(Rectangle((left - 1.5, top - 1.5), width + 2, height + 2, fill=False,
                                         edgecolor=frame, linewidth=2.5))
                axis.text(left + width / 2, top + height + 1.5, f"→ {predictions[index]}", color=frame,
                          ha="center", va="top", fontsize=8)
        dataset_label = int(episode.classes[way])
        name = class_names[dataset_label] if class_names is not None else f"class {dataset_label}"
        axis.text(support_left - gap, top + height / 2, f"{way}: {str(name).replace('_', ' ')}", ha="right",
                  va="center", fontsize=8)
    axis.text(support_left, gap - 3, "support", fontsize=9, va="bottom")
    if shown:
        axis.text(query_left, gap - 3, "query", fontsize=9, va="bottom")
    axis.imshow(mosaic, interpolation="nearest")
    axis.set_axis_off()
    title = title or f"{n_ways}-way {n_shots}-shot episode"
    figure.suptitle(textwrap.fill(title, width=int(11 * figure_width)), fontsize=10)
    return figure


def _tile(image) -> np.ndarray:
    """One image as RGB in [0, 1], stretched to its own range (as ``imshow`` shows a single image)."""
    image = np.asarray(_squeeze(image), dtype=float)
    low, high = image.min(), image.max()
    scaled = (image - low) / (high - low) if high > low else np.zeros_like(image)
    return np.repeat(scaled[..., None], 3, axis=-1) if scaled.ndim == 2 else scaled


def plot_accuracy_vs_shots(results, *, n_ways=None, highlight_shots=None, chance=None, title=None) -> Figure:
    """Mean accuracy (with 95 % interval band) against the number of shots, one line per method.

    Parameters
    ----------
    results : dict
        ``{method: {"shots": [...], "accuracy": [...], "ci95": [...]}}``.
    n_ways : int, optional
        Shown in the title, and used for the chance line when ``chance`` is None.
    highlight_shots : int, optional
        Draws a vertical marker at this number of shots.
    chance : float, optional

    Examples
    --------
    >>> figure = plot_accuracy_vs_shots({"protonet": {"shots": [1, 5], "accuracy": [0.6, 0.8],
    ...                                               "ci95": [0.02, 0.01]}}, n_ways=5)
    >>> figure.axes[0].get_ylabel()
    'query accuracy'
    """
    figure, axis = new_figure(width=7.2, height=3.6)
    for index, (method, curve) in enumerate(results.items()):
        shots = np.asarray(curve["shots"])
        accuracy, ci95 = np.asarray(curve["accuracy"]), np.asarray(curve["ci95"])
        line_colour = colour(method, index)
        axis.plot(shots, accuracy, "o-", color=line_colour, label=method)
        axis.fill_between(shots, accuracy - ci95, accuracy + ci95, color=line_colour, alpha=0.2)
    chance = chance if chance is not None else (1.0 / n_ways if n_ways else None)
    if chance is not None:
        axis.axhline(chance, color="#999999", linestyle=":", label="chance")
    if highlight_shots is not None:
        axis.axvline(highlight_shots, color="#333333", linewidth=1, alpha=0.5)
    log_scale(axis, y=False, x_ticks=sorted({int(s) for curve in results.values() for s in curve["shots"]}),
              base=2)
    axis.set_xlabel("shots per class (support images)")
    axis.set_ylabel("query accuracy")
    axis.set_ylim(0, 1.02)
    legend_beside(axis)
    axis.set_title(title or (f"{n_ways}-way accuracy against shots" if n_ways else "accuracy against shots"))
    return figure


def plot_embedding(points, labels, *, class_names=None, title="embedding (first two principal components)",
                   ) -> Figure:
    """Scatter 2-D points (for example a PCA of embeddings) coloured by class.

    Examples
    --------
    >>> import numpy as np
    >>> figure = plot_embedding(np.zeros((4, 2)), [0, 0, 1, 1], class_names={0: "a", 1: "b"})
    >>> len(figure.axes[0].collections)
    2
    """
    points, labels = np.asarray(points), np.asarray(labels).ravel()
    if points.ndim != 2 or points.shape[1] != 2 or len(points) != len(labels):
        raise ValueError(f"points must have shape (n, 2) matching labels, got {points.shape}")
    figure, axis = new_figure(width=7.0, height=4.0)
    for index, label in enumerate(np.unique(labels)):
        mask = labels == label
        name = class_names[label] if class_names is not None else f"class {label}"
        axis.scatter(points[mask, 0], points[mask, 1], s=14, alpha=0.75, color=colour("", index),
                     label=str(name).replace("_", " "))
    axis.set_xlabel("component 1")
    axis.set_ylabel("component 2")
    legend_beside(axis, fontsize=8, markerscale=1.5)
    axis.set_title(title)
    return figure


def plot_method_comparison(rows, *, title=None, chance=None) -> Figure:
    """Horizontal bars of mean accuracy with 95 % intervals, one bar per method.

    Parameters
    ----------
    rows : sequence of dict
        Each with ``method``, ``accuracy`` and ``ci95`` (as printed by ``benchmarks/bench_fewshot.py``).
    chance : float, optional

    Examples
    --------
    >>> figure = plot_method_comparison([{"method": "protonet", "accuracy": 0.8, "ci95": 0.01}])
    >>> figure.axes[0].get_xlabel()
    'query accuracy (mean ± 95% interval)'
    """
    rows = list(rows)
    figure, axis = new_figure(width=5.6, height=0.45 * len(rows) + 1.2)
    names = [row["method"] for row in rows]
    positions = np.arange(len(rows))[::-1]
    axis.barh(positions, [row["accuracy"] for row in rows], xerr=[row["ci95"] for row in rows],
              color=[colour(name.split(" (")[0], index) for index, name in enumerate(names)], alpha=0.85,
              capsize=3)  # "protonet (5-shot)" keeps the colour of "protonet"
    for position, row in zip(positions, rows, strict=True):
        axis.text(row["accuracy"] + row["ci95"] + 0.01, position, f"{row['accuracy']:.3f}", va="center",
                  fontsize=8)
    if chance is not None:
        axis.axvline(chance, color="#999999", linestyle=":", label="chance")
        axis.legend(loc="lower right")
    axis.set_yticks(positions, names)
    axis.set_xlim(0, 1.1)
    axis.set_xlabel("query accuracy (mean ± 95% interval)")
    if title:
        axis.set_title(title)
    return figure


def plot_ways_shots(grid: dict, n_ways: int, n_shots: int) -> Figure:
    """One slice of a precomputed :func:`medmeta_lite.fewshot.accuracy_grid`: accuracy against shots for
    ``n_ways`` classes, with the accuracies at ``n_shots`` written in the title.

    Examples
    --------
    >>> import numpy as np
    >>> grid = {"n_ways": (2, 5), "n_shots": (1, 5), "methods": {"protonet": {
    ...     "accuracy": np.array([[0.8, 0.9], [0.6, 0.8]]), "ci95": np.full((2, 2), 0.01)}}}
    >>> plot_ways_shots(grid, 5, 5).axes[0].get_title()
    '5-way, 5 shots: protonet 0.800'
    """
    if n_ways not in grid["n_ways"]:
        raise ValueError(f"n_ways={n_ways} was not precomputed; choose from {list(grid['n_ways'])}")
    row = list(grid["n_ways"]).index(n_ways)
    column = list(grid["n_shots"]).index(n_shots) if n_shots in grid["n_shots"] else None
    results = {name: {"shots": grid["n_shots"], "accuracy": values["accuracy"][row],
                      "ci95": values["ci95"][row]} for name, values in grid["methods"].items()}
    title = f"{n_ways}-way"
    if column is not None:
        title += f", {n_shots} shot{'' if n_shots == 1 else 's'}: " + ", ".join(
            f"{name} {values['accuracy'][row, column]:.3f}" for name, values in grid["methods"].items())
    figure = plot_accuracy_vs_shots(results, n_ways=n_ways, highlight_shots=n_shots, title=title)
    figure.axes[0].title.set_fontsize(9)
    return figure


def plot_domain_shift(results: dict, *, title="accuracy by target domain", chances=None) -> Figure:
    """Grouped bars: one group per target domain, one bar per method, with 95 % intervals.

    Parameters
    ----------
    results : dict
        ``{domain: {method: result}}`` where each result has ``mean`` and ``ci95`` (an
        :class:`~medmeta_lite.fewshot.evaluation.EpisodeEvaluation`) or is a dict with those keys.
    chances : dict of str to float, optional
        Chance accuracy of each domain, drawn as a short dotted line over its group.

    Examples
    --------
    >>> results = {"A": {"protonet": {"mean": 0.8, "ci95": 0.01}, "scratch": {"mean": 0.5, "ci95": 0.02}}}
    >>> len(plot_domain_shift(results).axes[0].patches)
    2
    """
    def value(result, key):
        return result[key] if isinstance(result, dict) else getattr(result, key)

    domains = list(results)
    methods = list(dict.fromkeys(method for domain in domains for method in results[domain]))
    figure, axis = new_figure(width=max(5.6, 1.6 * len(domains) + 1.5), height=3.8)
    width = 0.8 / len(methods)
    for index, method in enumerate(methods):
        positions, means, intervals = [], [], []
        for group, domain in enumerate(domains):
            if method in results[domain]:
                positions.append(group - 0.4 + width * (index + 0.5))
                means.append(value(results[domain][method], "mean"))
                intervals.append(value(results[domain][method], "ci95"))
        axis.bar(positions, means, width=width, yerr=intervals, capsize=2, label=method,
                 color=colour(method, index), alpha=0.85)
    for group, domain in enumerate(domains):
        if chances and domain in chances:
            axis.hlines(chances[domain], group - 0.45, group + 0.45, colors="#555555", linestyles=":")
    axis.set_xticks(range(len(domains)), domains, fontsize=8)
    axis.set_ylim(0, 1.3)  # head room for the legend above the bars
    axis.set_yticks(np.linspace(0, 1, 6))
    axis.set_ylabel("query accuracy")
    axis.legend(fontsize=7, ncols=min(3, len(methods)), loc="upper right")
    axis.set_title(title)
    return figure


def plot_validation_curve(curve: dict, *, best=None,
                          title="first-order MAML: validation accuracy during meta-training") -> Figure:
    """Validation accuracy (with its 95 % interval) and mean training loss against meta-iterations.

    Parameters
    ----------
    curve : dict of array
        ``meta_iteration``, ``validation_accuracy``, ``validation_ci95`` and ``training_loss``, as read by
        :func:`medmeta_lite.defaults.fewshot.load_maml_curve`.
    best : int, optional
        Meta-iteration of the kept weights, marked by a vertical line (default: the best accuracy).

    Examples
    --------
    >>> curve = {"meta_iteration": np.array([100, 200, 300]),
    ...          "validation_accuracy": np.array([0.5, 0.7, 0.6]), "validation_ci95": np.array([0.02] * 3),
    ...          "training_loss": np.array([1.4, 0.9, 0.8])}
    >>> figure = plot_validation_curve(curve)
    >>> [axis.get_ylabel() for axis in figure.axes]
    ['validation accuracy (5-way)', 'training loss (mean since the previous check)']
    """
    iterations = np.asarray(curve["meta_iteration"])
    accuracy, interval = np.asarray(curve["validation_accuracy"]), np.asarray(curve["validation_ci95"])
    best = int(iterations[np.argmax(accuracy)]) if best is None else best
    figure, axis = new_figure(width=6.0, height=3.4)
    axis.fill_between(iterations, accuracy - interval, accuracy + interval, color=colour("maml"), alpha=0.2)
    axis.plot(iterations, accuracy, marker="o", markersize=3, color=colour("maml"),
              label="validation accuracy")
    axis.axvline(best, color="#555555", linestyle=":", label=f"kept: iteration {best}")
    axis.set_xlabel("meta-iteration")
    axis.set_ylabel("validation accuracy (5-way)")
    loss_axis = axis.twinx()
    loss_axis.plot(iterations, curve["training_loss"], color="#D55E00", linewidth=1.2, label="training loss")
    loss_axis.set_ylabel("training loss (mean since the previous check)")
    loss_axis.grid(False)
    handles = axis.get_legend_handles_labels()[0] + loss_axis.get_legend_handles_labels()[0]
    axis.legend(handles=handles, fontsize=8, loc="center right")
    axis.set_title(title)
    return figure
