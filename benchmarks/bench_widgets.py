"""Latency of every widget callback, driven headless: what one slider move costs the kernel.

Imports every module in `medmeta_lite.widgets`, runs each pure callback listed in its BENCHMARK_CASES a
number of times, renders the figures it leaves to PNG as Jupyter's inline backend does, and prints median
and p95 milliseconds. Target: p95 <= 100 ms for each.
Usage: python benchmarks/bench_widgets.py [--repeats 20]
"""

import argparse
import importlib
import io
import pkgutil
import time

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

import medmeta_lite.widgets  # noqa: E402


def render_open_figures() -> None:
    # Jupyter's inline backend turns every open figure into a PNG after the callback: count that too.
    for number in plt.get_fignums():
        plt.figure(number).savefig(io.BytesIO(), format="png")
    plt.close("all")


def call_like_a_slider(function, kwargs) -> None:
    result = function(**kwargs)
    if isinstance(result, matplotlib.figure.Figure) and result.number not in plt.get_fignums():
        result.savefig(io.BytesIO(), format="png")
    render_open_figures()


def benchmark_cases():
    for module_info in pkgutil.iter_modules(medmeta_lite.widgets.__path__):
        module = importlib.import_module(f"medmeta_lite.widgets.{module_info.name}")
        yield from getattr(module, "BENCHMARK_CASES", [])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    arguments = parser.parse_args()
    print("| callback | median ms | p95 ms | target |")
    print("|---|---:|---:|---|")
    failures = 0
    for name, function, kwargs in benchmark_cases():
        call_like_a_slider(function, kwargs)  # warm-up: first-call caches are not what a slider move costs
        timings = []
        for _ in range(arguments.repeats):
            start = time.perf_counter()
            call_like_a_slider(function, kwargs)
            timings.append((time.perf_counter() - start) * 1000)
        p95 = float(np.percentile(timings, 95))
        failures += p95 > 100
        print(f"| {name} | {np.median(timings):.1f} | {p95:.1f} | {'ok' if p95 <= 100 else 'SLOW'} |")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
