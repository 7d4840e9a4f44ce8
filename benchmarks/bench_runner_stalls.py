"""Count notebook-runner stalls under CPU load: the workbook's sliced-poll kernel client against the default.

A stall is a cell that finished at once but whose reply the runner only noticed when the cell timeout ran
out (see ``medmeta_lite.workbook.kernel.SlicedPollChannel``). Each run executes one notebook with papermill
and a short cell timeout while busy loops keep every core loaded, and counts the runs in which some cell
took at least the timeout.

Usage::

    python benchmarks/bench_runner_stalls.py --runs 14       # notebook 07, a widget notebook
    python benchmarks/bench_runner_stalls.py NOTEBOOK --client default   # papermill's own kernel client
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import papermill

from medmeta_lite.workbook.kernel import SlicedPollKernelManager

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
DEFAULT_NOTEBOOK = NOTEBOOKS / "07_efficiency_and_label_savings.ipynb"  # a widget notebook


def longest_cell_seconds(executed: Path) -> float:
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    return max((cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0) for cell in cells)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebook", type=Path, nargs="?", default=DEFAULT_NOTEBOOK)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--timeout", type=int, default=40, help="cell timeout in seconds")
    parser.add_argument("--client", choices=("sliced", "default"), default="sliced")
    parser.add_argument("--no-load", action="store_true", help="do not keep the cores busy")
    arguments = parser.parse_args()
    extra = {"kernel_manager_class": SlicedPollKernelManager} if arguments.client == "sliced" else {}
    busy = [] if arguments.no_load else [subprocess.Popen(["sh", "-c", "while :; do :; done"])
                                         for _ in range(os.cpu_count() or 2)]
    stalls, seconds = 0, []
    try:
        for _ in range(arguments.runs):
            with tempfile.TemporaryDirectory() as folder:
                output = Path(folder) / arguments.notebook.name
                start = time.perf_counter()
                papermill.execute_notebook(str(arguments.notebook), str(output), kernel_name="python3",
                                           cwd=str(arguments.notebook.resolve().parent), progress_bar=False,
                                           execution_timeout=arguments.timeout, **extra)
                seconds.append(time.perf_counter() - start)
                stalls += longest_cell_seconds(output) >= arguments.timeout - 0.5
    finally:
        for process in busy:
            process.kill()
    median = sorted(seconds)[len(seconds) // 2]
    print(json.dumps({"notebook": arguments.notebook.name, "client": arguments.client, "runs": arguments.runs,
                      "stalls": stalls, "cell_timeout_s": arguments.timeout, "loaded": not arguments.no_load,
                      "seconds_min_median_max": [round(min(seconds), 1), round(median, 1),
                                                 round(max(seconds), 1)]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
