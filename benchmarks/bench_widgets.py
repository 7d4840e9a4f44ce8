"""Latency of every widget callback, driven headless: what one slider move costs the kernel.

Imports every module in `medmeta_lite.widgets`, runs each pure callback listed in its BENCHMARK_CASES a
number of times and prints median and p95 milliseconds. A callback that returns a figure goes through
`FigureView.render`, exactly as a widget shows it: build the figure, lay it out, encode the PNG. A
callback that returns HTML is timed as it is. Target: p95 <= 100 ms for each.
A plot function that accepts ``figure=`` redraws in place, as in the widgets; ``--compare-new-figure`` also
times each of those with a new figure per move (the way every redraw worked before), in the same run.
Usage: python benchmarks/bench_widgets.py [--repeats 20] [--compare-new-figure]
"""

import argparse
import functools
import importlib
import pkgutil
import time

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

import medmeta_lite.widgets  # noqa: E402
from medmeta_lite.widgets.figure_view import FigureView  # noqa: E402


def slider_move(function, kwargs, new_figure=False):
    """One slider move: the callback, with the PNG that a widget makes of a figure it returns.

    With ``new_figure`` the view cannot pass the last figure back, so every move builds a new one."""
    drawn = function(**kwargs)
    plt.close("all")
    if isinstance(drawn, matplotlib.figure.Figure):
        return functools.partial(FigureView(function, in_place=not new_figure).render, **kwargs)
    return functools.partial(function, **kwargs)


def time_moves(move, repeats: int) -> list[float]:
    move()  # warm-up: the widget's first draw happens when the notebook cell runs, not on a move
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        move()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def benchmark_cases():
    for module_info in pkgutil.iter_modules(medmeta_lite.widgets.__path__):
        module = importlib.import_module(f"medmeta_lite.widgets.{module_info.name}")
        yield from getattr(module, "BENCHMARK_CASES", [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--compare-new-figure", action="store_true",
                        help="also time the plots that redraw in place with a new figure per move")
    arguments = parser.parse_args()
    print("| callback | median ms | p95 ms | target |")
    print("|---|---:|---:|---|")
    failures = 0
    comparisons = []
    for name, function, kwargs in benchmark_cases():
        timings = time_moves(slider_move(function, kwargs), arguments.repeats)
        p95 = float(np.percentile(timings, 95))
        failures += p95 > 100
        print(f"| {name} | {np.median(timings):.1f} | {p95:.1f} | {'ok' if p95 <= 100 else 'SLOW'} |")
        if arguments.compare_new_figure and FigureView(function).redraws_in_place:
            new = time_moves(slider_move(function, kwargs, new_figure=True), arguments.repeats)
            comparisons.append((name, float(np.median(new)), float(np.median(timings))))
    if comparisons:
        print("\n| redrawn in place | new figure, median ms | in place, median ms | ratio |")
        print("|---|---:|---:|---:|")
        for name, new, in_place in comparisons:
            print(f"| {name} | {new:.1f} | {in_place:.1f} | {new / in_place:.2f}x |")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
