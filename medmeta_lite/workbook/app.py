"""The Voilà app: ``medmeta app`` (or ``make app``) serves the interview trainer and the demo gallery on
127.0.0.1, with the code hidden.

Why a fresh start could hang, and what prevents it. Voilà executes the app notebook on the server with
nbclient, which waits for each cell's reply in one zmq poll as long as the cell timeout (no timeout, by
default). Under CPU load that poll can miss the wake-up of a reply that has already arrived (see
:class:`medmeta_lite.workbook.kernel.SlicedPollChannel`), and the page then stays on "Executing 24 of 31"
with the kernel and the server idle: seen here on 1 of 8 fresh starts of notebook 08. The app's kernels use
the sliced-poll client instead (``ServerKernelManager.client_class``), which bounds a missed wake-up to half
a second: 0 of 16 fresh starts of the same notebook hung. A cell timeout turns any other stall into an
error shown on the page, not an endless spinner.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from medmeta_lite.workbook.kernel import SlicedPollKernelClient

APP_NOTEBOOK = Path(__file__).resolve().parent / "app" / "medmeta_app.ipynb"
DEFAULT_PORT = 8866
CELL_TIMEOUT_SECONDS = 120


def voila_command(port: int = DEFAULT_PORT, *, open_browser: bool = True, notebook: Path = APP_NOTEBOOK,
                  port_retries: int = 50) -> list[str]:
    """The command line that serves ``notebook`` as a Voilà app on 127.0.0.1.

    Parameters
    ----------
    port : int, default=8866
        Port to listen on; with ``port_retries`` > 0 Voilà tries the next ones when it is taken.
    open_browser : bool, default=True
    notebook : Path, default: the app notebook shipped with the package
    port_retries : int, default=50

    Examples
    --------
    >>> command = voila_command(8900, open_browser=False)
    >>> command[1:3], "--port=8900" in command, "--no-browser" in command
    (['-m', 'voila'], True, True)
    >>> voila_command(70000)
    Traceback (most recent call last):
    ...
    ValueError: port must be an integer from 1 to 65535, got 70000
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port must be an integer from 1 to 65535, got {port!r}")
    notebook = Path(notebook)
    if not notebook.is_file():
        raise ValueError(f"no notebook at {notebook}")
    client = f"{SlicedPollKernelClient.__module__}.{SlicedPollKernelClient.__name__}"
    command = [sys.executable, "-m", "voila", str(notebook), "--Voila.ip=127.0.0.1", f"--port={port}",
               f"--Voila.port_retries={port_retries}", "--strip_sources=True", "--theme=light",
               f"--ServerKernelManager.client_class={client}",
               f"--VoilaExecutor.timeout={CELL_TIMEOUT_SECONDS}"]
    if not open_browser:
        command.append("--no-browser")
    return command


def serve(port: int = DEFAULT_PORT, open_browser: bool = True) -> int:
    """Serve the app until Ctrl+C; return Voilà's exit status (0 after Ctrl+C)."""
    command = voila_command(port, open_browser=open_browser)
    print(f"serving the medmeta-lite app on http://127.0.0.1:{port} (Ctrl+C stops it)", flush=True)
    try:
        return subprocess.run(command, check=False).returncode
    except KeyboardInterrupt:
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medmeta_lite.workbook.app",
                                     description="Serve the interview trainer and the demo gallery as a "
                                                 "Voilà app on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    arguments = parser.parse_args(argv)
    try:
        return serve(arguments.port, open_browser=not arguments.no_browser)
    except ValueError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")


if __name__ == "__main__":
    sys.exit(main())
