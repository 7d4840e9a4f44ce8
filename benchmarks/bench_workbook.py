"""Wall time of `make workbook`: every notebook executed on its default parameters, one after the other.

In the same run it also times a bare kernel that only imports TensorFlow (three times: before, between and
after the notebooks; the median is the baseline) and prints each notebook's time as a multiple of it.
Targets: total <= 120 s on 2 cores, and every notebook <= 4x the bare kernel (a ratio that holds on a
slow or busy machine, where plain seconds do not).
Usage: python benchmarks/bench_workbook.py [--jobs N] [--no-html] [NOTEBOOK ...]
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from medmeta_lite.data import list_notebooks
from medmeta_lite.workbook.runner import execute_notebook, format_table, run_workbook

RATIO_TARGET = 4.0


def bare_kernel_seconds(folder: Path) -> float:
    """Seconds papermill takes to run a notebook whose one cell imports TensorFlow."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import tensorflow as tf")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "bare_tensorflow_kernel.ipynb"
    nbformat.write(notebook, path)
    run = execute_notebook(path, folder / "bare", html=False)
    if run.error:
        raise RuntimeError(f"the bare TensorFlow kernel failed: {run.error}")
    return run.seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--no-html", action="store_true")
    parser.add_argument("notebooks", nargs="*")
    arguments = parser.parse_args()
    names = arguments.notebooks or [path.stem for path in list_notebooks()]
    with tempfile.TemporaryDirectory() as output:
        folder = Path(output)
        baselines = [bare_kernel_seconds(folder)]
        start = time.perf_counter()
        half = len(names) // 2
        runs = run_workbook(folder, jobs=arguments.jobs, html=not arguments.no_html, names=names[:half])
        baselines.append(bare_kernel_seconds(folder))
        runs += run_workbook(folder, jobs=arguments.jobs, html=not arguments.no_html, names=names[half:])
        wall = time.perf_counter() - start
        baselines.append(bare_kernel_seconds(folder))
    baseline = statistics.median(baselines)
    print(format_table(runs, wall, baseline))
    listed = ", ".join(f"{seconds:.1f}" for seconds in baselines)
    print(f"bare TensorFlow kernel: {listed} s (median {baseline:.1f})")
    worst = max(runs, key=lambda run: run.seconds)
    print(f"target: total <= 120 s -> {'met' if wall <= 120 else 'NOT met'}; "
          f"every notebook <= {RATIO_TARGET:g}x the bare kernel -> "
          f"{'met' if worst.seconds <= RATIO_TARGET * baseline else 'NOT met'} "
          f"(slowest: {worst.name}, {worst.seconds / baseline:.2f}x)")
    return 1 if any(run.error for run in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
