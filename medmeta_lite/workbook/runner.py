"""Execute the whole workbook: every notebook, top to bottom, on the embedded default data.

``make workbook`` runs ``python -m medmeta_lite.workbook --output build``: each executed notebook goes to
``build/notebooks/``, and its page of the offline site (with the widgets' state) to ``build/html/``
(:mod:`medmeta_lite.workbook.site`). Parameters can be overridden for every notebook that declares them,
as with papermill: ``-p n_tasks 32``.
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import papermill
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from medmeta_lite.data.bundled import list_notebooks
from medmeta_lite.workbook import static_widgets
from medmeta_lite.workbook.kernel import SlicedPollKernelManager
from medmeta_lite.workbook.notebook_files import read_notebook
from medmeta_lite.workbook.site import NPM_PACKAGES, SiteScripts, export_page, install_scripts, write_index

SLOW_CELL_SECONDS = 60.0
"""A cell that runs longer than this is reported (the slowest default cell takes about 10 s)."""


@dataclass(frozen=True)
class NotebookRun:
    """Outcome of executing one notebook: seconds, an error (empty when it ran) and its slow cells."""

    name: str
    seconds: float
    error: str = ""
    slow_cells: tuple[str, ...] = ()


def _parse_parameter(text: str):
    # Same rule as papermill's command line: a Python literal if it parses, otherwise a string.
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def run_papermill(source: Path, output: Path, parameters: dict | None = None, timeout: int = 600) -> None:
    """Execute ``source`` into ``output`` with papermill, accepting errors only where they are expected.

    Papermill reports any stored error, even in a cell tagged ``raises-exception`` (the code-review
    notebook crashes a flawed answer on purpose); such a cell still runs and the notebook goes on, so
    only errors in untagged cells are raised again.
    """

    try:
        papermill.execute_notebook(str(source), str(output), parameters=parameters or {},
                                   cwd=str(Path(source).parent), kernel_name="python3", progress_bar=False,
                                   execution_timeout=timeout, kernel_manager_class=SlicedPollKernelManager)
    except papermill.PapermillExecutionError:
        cells = read_notebook(output)["cells"]
        failed = [cell for cell in cells
                  if any(item.get("output_type") == "error" for item in cell.get("outputs", []))]
        if not failed or any("raises-exception" not in cell.get("metadata", {}).get("tags", [])
                             for cell in failed):
            raise


def execute_notebook(source: Path, output_dir: Path, parameters: dict | None = None,
                     html: bool = True, timeout: int = 600,
                     scripts: SiteScripts | None = None) -> NotebookRun:
    """Execute one notebook with papermill, writing the result and (optionally) its page of the site.

    ``scripts`` says where the page loads its JavaScript from (:func:`~medmeta_lite.workbook.site.
    install_scripts`); None leaves the scripts on their CDN.

    Parameters that the notebook's ``parameters`` cell does not define are ignored, so one set of
    overrides can be passed to the whole workbook.
    """

    notebook_out = output_dir / "notebooks" / source.name
    notebook_out.parent.mkdir(parents=True, exist_ok=True)
    declared = declared_parameters(source)
    chosen = {key: value for key, value in (parameters or {}).items() if key in declared}
    start = time.perf_counter()
    try:
        run_papermill(source, notebook_out, chosen, timeout)
    except papermill.PapermillExecutionError as error:
        return NotebookRun(source.name, time.perf_counter() - start,
                           f"{error.ename}: {error.evalue} (cell {error.exec_count})")
    except (CellTimeoutError, DeadKernelError) as error:  # a cell that waited out its timeout has failed
        return NotebookRun(source.name, time.perf_counter() - start,
                           f"{type(error).__name__}: {str(error).splitlines()[0]}")
    seconds = time.perf_counter() - start
    static_widgets.rewrite(notebook_out)  # opened before it runs again, each widget shows a picture
    slow = slow_cells(notebook_out)
    if html:
        export_page(notebook_out, output_dir / "html", scripts or install_scripts(output_dir / "html"))
    return NotebookRun(source.name, seconds, slow_cells=slow)


def slow_cells(executed: Path, threshold: float = SLOW_CELL_SECONDS) -> tuple[str, ...]:
    """The cells of a papermill-executed notebook that ran longer than ``threshold`` seconds, described by
    their execution count, duration and first line."""
    cells = read_notebook(executed)["cells"]
    found = []
    for cell in cells:
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
        if duration > threshold:
            first = "".join(cell["source"]).splitlines()[:1] or [""]
            found.append(f"cell {cell.get('execution_count')} took {duration:.0f} s: {first[0][:60]}")
    return tuple(found)


def declared_parameters(notebook: Path) -> set[str]:
    cells = read_notebook(notebook)["cells"]
    for cell in cells:
        if cell["cell_type"] == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            tree = ast.parse("".join(cell["source"]))
            return {target.id for node in tree.body if isinstance(node, ast.Assign)
                    for target in node.targets if isinstance(target, ast.Name)}
    return set()


def run_workbook(output_dir: Path, parameters: dict | None = None, jobs: int = 1, html: bool = True,
                 names: list[str] | None = None, node_modules: Path | None = None) -> list[NotebookRun]:
    """Execute every numbered notebook (or those in ``names``) and return their timings.

    With ``html``, the executed notebooks also become the offline site in ``output_dir/html`` (see
    :mod:`medmeta_lite.workbook.site`): ``node_modules`` is the npm folder that holds its scripts.
    """
    notebooks = list_notebooks()
    if names:
        wanted = set(names)
        notebooks = [path for path in notebooks if path.stem in wanted or path.name in wanted]
        missing = wanted - {path.stem for path in notebooks} - {path.name for path in notebooks}
        if missing:
            raise ValueError(f"no such notebook(s): {sorted(missing)}")
    output_dir = Path(output_dir)
    scripts = install_scripts(output_dir / "html", node_modules) if html else None
    arguments = (output_dir, parameters, html, 600, scripts)
    if jobs <= 1:
        runs = [execute_notebook(path, *arguments) for path in notebooks]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(execute_notebook, path, *arguments) for path in notebooks]
            runs = [future.result() for future in futures]
    if html:
        ran = [path for path, run in zip(notebooks, runs, strict=True) if not run.error]
        write_index(output_dir / "html", ran)
    return runs


def format_table(runs: list[NotebookRun], wall_seconds: float, baseline_seconds: float | None = None) -> str:
    """Render per-notebook timings as a Markdown table.

    With ``baseline_seconds`` (a kernel that only imports TensorFlow, timed the same way) each notebook's
    time is also shown as a multiple of it: a figure that survives a slow or busy machine.
    """
    n_failed = sum(bool(run.error) for run in runs)
    if baseline_seconds is None:
        lines = ["| notebook | seconds | status |", "|---|---:|---|"]
        lines += [f"| {run.name} | {run.seconds:.1f} | {run.error or 'ok'} |" for run in runs]
        lines.append(f"| **total (wall)** | {wall_seconds:.1f} | {n_failed} failed |")
        return "\n".join(lines)
    lines = ["| notebook | seconds | × bare TensorFlow kernel | status |", "|---|---:|---:|---|"]
    lines += [f"| {run.name} | {run.seconds:.1f} | {run.seconds / baseline_seconds:.2f} | "
              f"{run.error or 'ok'} |" for run in runs]
    lines.append(f"| bare kernel importing TensorFlow | {baseline_seconds:.1f} | 1.00 | |")
    lines.append(f"| **total (wall)** | {wall_seconds:.1f} | | {n_failed} failed |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medmeta_lite.workbook",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--output", default="build", help="folder for notebooks/ and html/ (default: build)")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"),
                        help="override a parameter in every notebook that declares it")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks executed at once (default: 1)")
    parser.add_argument("--no-html", action="store_true", help="skip the HTML copies")
    parser.add_argument("--node-modules", type=Path, default=None, metavar="FOLDER",
                        help="npm folder with the site's scripts (" + ", ".join(NPM_PACKAGES) + ")")
    parser.add_argument("notebooks", nargs="*", help="notebook names to run (default: all)")
    arguments = parser.parse_args(argv)
    parameters = {name: _parse_parameter(value) for name, value in arguments.parameter}
    start = time.perf_counter()
    runs = run_workbook(Path(arguments.output), parameters, arguments.jobs, not arguments.no_html,
                        arguments.notebooks or None, arguments.node_modules)
    print(format_table(runs, time.perf_counter() - start))
    for run in runs:
        for cell in run.slow_cells:
            print(f"SLOW {run.name}: {cell} (over {SLOW_CELL_SECONDS:.0f} s)", file=sys.stderr)
    failed = [run for run in runs if run.error]
    for run in failed:
        print(f"FAILED {run.name}: {run.error}", file=sys.stderr)
    if not failed:
        print(f"executed notebooks in {arguments.output}/notebooks"
              + ("" if arguments.no_html else f", the offline site in {arguments.output}/html/index.html"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
