"""Wall time of `make workbook`: every notebook executed on its default parameters, one after the other.

Prints a Markdown table (per notebook seconds) and the total; target: total <= 120 s on 2 cores.
Usage: python benchmarks/bench_workbook.py [--jobs N] [--no-html] [NOTEBOOK ...]
"""

import argparse
import tempfile
import time
from pathlib import Path

from medmeta_lite.workbook import format_table, run_workbook


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--no-html", action="store_true")
    parser.add_argument("notebooks", nargs="*")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as output:
        start = time.perf_counter()
        runs = run_workbook(Path(output), jobs=arguments.jobs, html=not arguments.no_html,
                            names=arguments.notebooks or None)
        wall = time.perf_counter() - start
    print(format_table(runs, wall))
    print(f"target: total <= 120 s -> {'met' if wall <= 120 else 'NOT met'}")
    return 1 if any(run.error for run in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
