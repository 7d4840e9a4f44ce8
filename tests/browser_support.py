"""Real-browser checks of the notebooks: JupyterLab on 127.0.0.1 driven by Debian's Chromium.

Used by ``tests/test_browser*.py``. The notebooks are copied into a temporary server root, so that running
them in the browser (and JupyterLab's autosave) never touches the committed files. Screenshots go to
``build/screenshots/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from medmeta_lite.workbook.app import voila_command
from medmeta_lite.workbook.site import NPM_PACKAGES

REPO_ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT_DIR = REPO_ROOT / "build" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# True once the open notebook's kernel is connected and idle.
KERNEL_IDLE_JS = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
      && widget.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}"""
# True once no cell of the open notebook is queued or running ("[*]").
CELLS_DONE_JS = """() => {
  const prompts = document.querySelectorAll('.jp-InputArea-prompt');
  return prompts.length > 0 && [...prompts].every(p => !p.textContent.includes('*'));
}"""
TIMEOUT_MS = 120_000


def chromium_or_skip() -> str:
    """Return the Chromium executable; skip (or, under CI, fail) when it is missing."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable:
        return executable
    message = ("Debian's chromium is not installed: run `make test` as root (it installs it) or "
               "`sudo apt-get install chromium` to enable the browser tests")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


SITE_NODE_MODULES = REPO_ROOT / "build" / ".site-js" / "node_modules"
# A script, stylesheet or module import that names another host.
REMOTE_RESOURCE = re.compile(r"""<script[^>]+src=["']https?:"""
                             r"""|<link[^>]+href=["']https?:|import\(["']https?:""")


def site_node_modules_or_skip() -> Path:
    """The npm folder ``make test`` fills for the site and the slides; skip when npm did not run."""
    if (SITE_NODE_MODULES / "mathjax" / "MathJax.js").is_file():
        return SITE_NODE_MODULES
    pytest.skip(f"the site's npm packages are not installed in {SITE_NODE_MODULES.relative_to(REPO_ROOT)}: "
                f"`make test` installs them ({', '.join(NPM_PACKAGES)}) when npm is available")


def offline_chromium_or_skip(folder: Path) -> str:
    """Write in ``folder`` a wrapper that starts Chromium with its network cut (``unshare -n``); return it."""
    executable = chromium_or_skip()
    unshare = shutil.which("unshare")
    if not unshare or subprocess.run([unshare, "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("`unshare -n` is not permitted here (it needs root or user namespaces)")
    wrapper = Path(folder) / "chromium-offline"
    wrapper.write_text(f'#!/bin/sh\nexec {unshare} -n {executable} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _server(command: list[str], work_dir: Path, ready_path: str, base: str, environment: dict):
    """Run a server command in its own process group until the ``with`` block ends; yield once
    ``base + ready_path`` answers 200. Kernels are stopped with it (they share its process group)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    log_path = work_dir / "server.log"
    log = open(log_path, "w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment,
                              start_new_session=True)
    try:
        deadline = time.time() + 90
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"{command[:3]} exited: {log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}{ready_path}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.25)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def _environment(work_dir: Path) -> dict:
    # Runtime files and the trainer's progress stay in the test's folder, never in the user's.
    return dict(os.environ, JUPYTER_RUNTIME_DIR=str(work_dir / "runtime"),
                MEDMETA_LITE_HOME=str(work_dir / "trainer-home"))


@contextmanager
def jupyter_lab(work_dir: Path, app: str = "jupyterlab"):
    """Start JupyterLab (or, with ``app="notebook"``, Jupyter Notebook 7) on 127.0.0.1 with a copy of
    ``notebooks/`` and yield its base URL."""
    root = work_dir / "root"
    shutil.copytree(REPO_ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = work_dir / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # No news or update checks: they would try the network.
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port = _free_port()
    application = "LabApp" if app == "jupyterlab" else "JupyterNotebookApp"
    command = [sys.executable, "-m", app, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--ServerApp.password=",
               "--allow-root", f"--ServerApp.root_dir={root}",
               f"--{application}.user_settings_dir={work_dir / 'settings'}",
               f"--{application}.workspaces_dir={work_dir / 'workspaces'}",
               f"--{application}.expose_app_in_browser=True"]
    base = f"http://127.0.0.1:{port}"
    with _server(command, work_dir, "/api/status", base, _environment(work_dir)):
        yield base


@contextmanager
def voila_app(work_dir: Path):
    """Start the workbook's Voilà app on 127.0.0.1, exactly as ``medmeta app`` does, and yield its URL."""
    port = _free_port()
    command = voila_command(port, open_browser=False, port_retries=0)
    # Voilà's own static files answer at once; the page itself only once the notebook has run.
    with _server(command, work_dir, "/voila/static/voila.js", f"http://127.0.0.1:{port}",
                 _environment(work_dir)) as base:
        yield base


@contextmanager
def chromium_page(executable: str):
    """Yield a Playwright page in headless Chromium (no browser download: Debian's binary)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        try:
            yield page
        finally:
            browser.close()


def open_and_run_all(page, base: str, notebook: str, ui: str = "lab/tree") -> None:
    """Open a notebook in JupyterLab (or, with ``ui="notebooks"``, in Notebook 7), run all cells and wait
    until every cell has finished."""
    # `reset`: start from an empty workspace, so a notebook opened earlier is not restored in a hidden tab
    # whose widgets would match the same selectors.
    page.goto(f"{base}/{ui}/{notebook}?reset")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    page.wait_for_function(KERNEL_IDLE_JS)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(500)
    page.wait_for_function(CELLS_DONE_JS)
    page.wait_for_function(KERNEL_IDLE_JS)
    assert page.get_by_text("Error displaying widget").count() == 0, "a widget failed to render"


def drag_slider(page, slider, fraction: float) -> None:
    """Drag a slider's handle with the mouse to ``fraction`` of its track."""
    # JupyterLab scrolls its own notebook panel (and renders long notebooks in windows), so ask the element
    # itself to come to the middle of the view, and check that it did: a drag off screen moves nothing.
    def in_view() -> bool:
        slider.evaluate("element => element.scrollIntoView({block: 'center'})")
        box = slider.locator(".noUi-target").bounding_box()
        return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]

    wait_until(page, in_view, "the slider could not be scrolled into view")
    # Measure only once the slider is laid out and the scroll has settled; a stale box drags page text.
    wait_until(page, lambda: slider.locator(".widget-readout").text_content().strip() != "",
               "the slider never showed its value")
    # JupyterLab renders the cells that scroll into view and then corrects their heights, which moves the
    # slider on a busy machine long after the scroll: drag only once its handle stayed put for 0.6 s.
    boxes = []  # (track, handle) at every poll, 0.2 s apart

    def settled() -> bool:
        boxes.append((slider.locator(".noUi-target").bounding_box(),
                      slider.locator(".noUi-handle").bounding_box()))
        return len(boxes) >= 4 and None not in boxes[-1] and len(set(map(repr, boxes[-4:]))) == 1

    wait_until(page, settled, "the slider kept moving on the page")
    track, handle = boxes[-1]
    y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(track["x"] + fraction * track["width"], y, steps=12)
    page.mouse.up()


def move_slider_and_wait_for_redraw(page, slider, image, fraction: float = 0.8) -> None:
    """Drag ``slider`` to ``fraction`` of its track; fail unless its readout changes and ``image`` (a
    locator of the figure it drives) gets a new picture."""
    image.wait_for()
    image_before = image.get_attribute("src")
    readout = slider.locator(".widget-readout")
    wait_until(page, lambda: readout.text_content().strip() != "", "the slider never showed its value")
    readout_before = readout.text_content()
    drag_slider(page, slider, fraction)
    # Locators are looked up again at every poll: the front end may replace the output's elements.
    try:
        wait_until(page, lambda: readout.text_content() != readout_before,
                   "the slider's readout did not change")
    except AssertionError:
        screenshot(page, "browser_failed_slider_drag")  # where the drag went, for whoever reads the failure
        raise
    wait_until(page, lambda: image.get_attribute("src") != image_before,
               "the plot was not redrawn after the slider moved")


def wait_until(page, condition, message: str, timeout_s: float = TIMEOUT_MS / 1000) -> None:
    """Poll ``condition()`` (re-reading the page each time) until it is true; fail with ``message``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        page.wait_for_timeout(200)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under ``build/screenshots/`` and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path))
    return path
