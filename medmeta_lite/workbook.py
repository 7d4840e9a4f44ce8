"""Execute the whole workbook: every notebook, top to bottom, on the embedded default data.

``make workbook`` runs ``python -m medmeta_lite.workbook --output build``: each executed notebook goes to
``build/notebooks/`` and an HTML copy (with the widgets' state) to ``build/html/``. Parameters can be
overridden for every notebook that declares them, as with papermill: ``-p n_tasks 32``.
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import json
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from queue import Empty

import nbformat
import papermill
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter
from traitlets import DottedObjectName, Type

from medmeta_lite.data.bundled import list_notebooks

SLOW_CELL_SECONDS = 60.0
"""A cell that runs longer than this is reported (the slowest default cell takes about 10 s)."""
POLL_SLICE_SECONDS = 0.5
DISTRIBUTION = "medmeta-lite"
COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE_IMAGE = "https://mybinder.org/badge_logo.svg"
COLAB_CELL_ID = "colab-install"


@dataclass(frozen=True)
class NotebookRun:
    """Outcome of executing one notebook: seconds, an error (empty when it ran) and its slow cells."""

    name: str
    seconds: float
    error: str = ""
    slow_cells: tuple[str, ...] = ()


class SlicedPollChannel(AsyncZMQSocketChannel):
    """A kernel channel that waits for a message in short slices instead of one long poll.

    Under CPU load the asyncio poll of a zmq socket sometimes misses the wake-up of a message that has
    already arrived (zmq signals readiness on an edge, and the edge can pass before the poll is armed);
    the poll then sleeps until its timeout, and only its final check finds the message. nbclient waits
    for a cell's reply with one poll as long as the cell timeout, so a widget cell that finished in 0.4 s
    sat for the whole timeout and was then reported as fine. Polling in 0.5 s slices bounds a missed
    wake-up to half a second; measured under load, 3 of 30 runs of a one-widget notebook stalled for the
    full timeout with one long poll and none of 30 with sliced polls.
    """

    async def get_msg(self, timeout: float | None = None) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            wait = POLL_SLICE_SECONDS if remaining is None else min(POLL_SLICE_SECONDS, remaining)
            if await self.socket.poll(int(wait * 1000)):
                return await self._recv()
            if deadline is not None and time.monotonic() >= deadline:
                raise Empty


class SlicedPollKernelClient(AsyncKernelClient):
    """The asynchronous kernel client nbclient uses, with :class:`SlicedPollChannel` channels."""

    shell_channel_class = Type(SlicedPollChannel)
    iopub_channel_class = Type(SlicedPollChannel)
    stdin_channel_class = Type(SlicedPollChannel)
    control_channel_class = Type(SlicedPollChannel)


class SlicedPollKernelManager(AsyncKernelManager):
    """A kernel manager whose clients are :class:`SlicedPollKernelClient` (passed to papermill)."""

    client_class = DottedObjectName("medmeta_lite.workbook.SlicedPollKernelClient")
    client_factory = Type(SlicedPollKernelClient, klass=AsyncKernelClient)


def repository_url() -> str:
    """The repository named once, in ``pyproject.toml``'s ``[project.urls]`` (read from the package metadata).

    Examples
    --------
    >>> repository_url().startswith("https://github.com/")
    True
    """
    for entry in importlib.metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip() == "Repository":
            return url.strip().rstrip("/")
    raise LookupError(f"{DISTRIBUTION}'s metadata names no Repository URL: reinstall the package "
                      f"(pip install -e .) after editing [project.urls] in pyproject.toml")


def _github_path() -> str:
    prefix = "https://github.com/"
    url = repository_url()
    if not url.startswith(prefix) or url.count("/") != 4:
        raise ValueError(f"the Colab and Binder links need a https://github.com/OWNER/REPOSITORY URL, "
                         f"got {url}")
    return url[len(prefix):]


def colab_url(notebook_name: str) -> str:
    """Where Colab opens ``notebook_name`` (for example ``"00_start_here.ipynb"``) from the repository."""
    return f"https://colab.research.google.com/github/{_github_path()}/blob/main/notebooks/{notebook_name}"


def colab_badge(notebook_name: str) -> str:
    """The Markdown "Open in Colab" badge of one notebook."""
    return f"[![Open in Colab]({COLAB_BADGE_IMAGE})]({colab_url(notebook_name)})"


def binder_badge() -> str:
    """The Markdown Binder badge: JupyterLab on mybinder.org, opened on notebook 00."""
    url = f"https://mybinder.org/v2/gh/{_github_path()}/main?labpath=notebooks%2F00_start_here.ipynb"
    return f"[![Launch on Binder]({BINDER_BADGE_IMAGE})]({url})"


def colab_install_source() -> str:
    """The source of every notebook's first code cell: on Colab it installs the package from the repository
    (keeping Colab's own TensorFlow, which satisfies the requirement); anywhere else it does nothing."""
    return (
        "# On Google Colab, install the workbook's package first (Colab's own TensorFlow is kept).\n"
        "# Anywhere else this cell does nothing.\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        "if \"google.colab\" in sys.modules:\n"
        "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\",\n"
        f"                    \"{DISTRIBUTION} @ git+{repository_url()}\"], check=True)\n"
        "    from google.colab import output\n"
        "\n"
        "    output.enable_custom_widget_manager()  # ipywidgets 8 in Colab's front end"
    )


def _parse_parameter(text: str):
    # Same rule as papermill's command line: a Python literal if it parses, otherwise a string.
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


WIDGET_SCRIPTS = {
    # file written under html/_static/ : where it lies in an npm install of the two packages
    "embed-amd.js": "@jupyter-widgets/html-manager/dist/embed-amd.js",
    "require.js": "requirejs/require.js",
}


def install_widget_scripts(node_modules: Path, html_dir: Path) -> None:
    """Copy the widget manager's JavaScript beside the HTML copies, so their widgets render offline."""
    static = html_dir / "_static"
    static.mkdir(parents=True, exist_ok=True)
    for target, source in WIDGET_SCRIPTS.items():
        found = Path(node_modules) / source
        if not found.is_file():
            raise FileNotFoundError(f"{found} is missing: npm install "
                                    "@jupyter-widgets/html-manager@1 requirejs")
        shutil.copyfile(found, static / target)


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
        cells = json.loads(Path(output).read_text(encoding="utf-8"))["cells"]
        failed = [cell for cell in cells
                  if any(item.get("output_type") == "error" for item in cell.get("outputs", []))]
        if not failed or any("raises-exception" not in cell.get("metadata", {}).get("tags", [])
                             for cell in failed):
            raise


def _html_exporter(offline_widgets: bool):
    if offline_widgets:
        return HTMLExporter(widget_renderer_url="_static/embed-amd.js", require_js_url="_static/require.js")
    return HTMLExporter()


def execute_notebook(source: Path, output_dir: Path, parameters: dict | None = None,
                     html: bool = True, timeout: int = 600, offline_widgets: bool = False) -> NotebookRun:
    """Execute one notebook with papermill, writing the result and (optionally) its HTML copy.

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
    slow = slow_cells(notebook_out)
    if html:
        html_out = output_dir / "html" / source.with_suffix(".html").name
        html_out.parent.mkdir(parents=True, exist_ok=True)
        exporter = _html_exporter(offline_widgets)
        body, _ = exporter.from_notebook_node(nbformat.read(notebook_out, as_version=4))
        html_out.write_text(body, encoding="utf-8")
    return NotebookRun(source.name, seconds, slow_cells=slow)


def slow_cells(executed: Path, threshold: float = SLOW_CELL_SECONDS) -> tuple[str, ...]:
    """The cells of a papermill-executed notebook that ran longer than ``threshold`` seconds, described by
    their execution count, duration and first line."""
    cells = json.loads(Path(executed).read_text(encoding="utf-8"))["cells"]
    found = []
    for cell in cells:
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
        if duration > threshold:
            first = "".join(cell["source"]).splitlines()[:1] or [""]
            found.append(f"cell {cell.get('execution_count')} took {duration:.0f} s: {first[0][:60]}")
    return tuple(found)


def declared_parameters(notebook: Path) -> set[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            tree = ast.parse("".join(cell["source"]))
            return {target.id for node in tree.body if isinstance(node, ast.Assign)
                    for target in node.targets if isinstance(target, ast.Name)}
    return set()


def run_workbook(output_dir: Path, parameters: dict | None = None, jobs: int = 1, html: bool = True,
                 names: list[str] | None = None, widget_js: Path | None = None) -> list[NotebookRun]:
    """Execute every numbered notebook (or those in ``names``) and return their timings.

    ``widget_js`` is an npm ``node_modules`` folder holding ``@jupyter-widgets/html-manager`` and
    ``requirejs``; with it the HTML copies load the widget manager from ``html/_static`` instead of a CDN.
    """
    notebooks = list_notebooks()
    if names:
        wanted = set(names)
        notebooks = [path for path in notebooks if path.stem in wanted or path.name in wanted]
        missing = wanted - {path.stem for path in notebooks} - {path.name for path in notebooks}
        if missing:
            raise ValueError(f"no such notebook(s): {sorted(missing)}")
    output_dir = Path(output_dir)
    offline = bool(html and widget_js)
    if offline:
        install_widget_scripts(Path(widget_js), output_dir / "html")
    arguments = (output_dir, parameters, html, 600, offline)
    if jobs <= 1:
        return [execute_notebook(path, *arguments) for path in notebooks]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(execute_notebook, path, *arguments) for path in notebooks]
        return [future.result() for future in futures]


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
    parser.add_argument("--widget-js", type=Path, default=None, metavar="NODE_MODULES",
                        help="npm folder with @jupyter-widgets/html-manager and requirejs "
                        "(offline HTML widgets)")
    parser.add_argument("notebooks", nargs="*", help="notebook names to run (default: all)")
    arguments = parser.parse_args(argv)
    parameters = {name: _parse_parameter(value) for name, value in arguments.parameter}
    start = time.perf_counter()
    runs = run_workbook(Path(arguments.output), parameters, arguments.jobs, not arguments.no_html,
                        arguments.notebooks or None, arguments.widget_js)
    print(format_table(runs, time.perf_counter() - start))
    for run in runs:
        for cell in run.slow_cells:
            print(f"SLOW {run.name}: {cell} (over {SLOW_CELL_SECONDS:.0f} s)", file=sys.stderr)
    failed = [run for run in runs if run.error]
    for run in failed:
        print(f"FAILED {run.name}: {run.error}", file=sys.stderr)
    if not failed:
        print(f"executed notebooks in {arguments.output}/notebooks, HTML in {arguments.output}/html")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
