"""Load test of the class JupyterHub (deploy/jupyterhub): N students at once on this machine.

For each N the script starts the hub and its configurable-http-proxy on 127.0.0.1 (test mode of
``deploy/jupyterhub/jupyterhub_config.py``: dummy authenticator, servers as this user), creates N
students and starts their servers together, then has every student, at the same time:

1. run all code cells of notebook 08 (the averaging meta-learner, whose explorer has two sliders) in a
   kernel of their own server, through the Jupyter REST and kernel websocket APIs, as Run All does;
2. move the explorer's "members" slider five times, one to two seconds apart, exactly as the browser
   does: a widget ``update`` message on the slider's comm; the callback has finished when the kernel
   reports idle for that message.

It prints, per N: server start time (p50/p95, from the start request to a ready server), cell latency
(p50/p95 of execute request to idle), slider-callback latency (p50/p95), memory per student (unique set
size of the student's server and kernel, mean) and failures. Everything is bounded: spawns time out after
120 s, cells after 300 s, and the whole run stops after 30 minutes.

Usage: ``make hub-bench`` (installs JupyterHub and configurable-http-proxy first), or
``python benchmarks/bench_hub.py --students 5 10 20``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

from medmeta_lite.workbook.notebook_files import read_notebook

REPOSITORY = Path(__file__).resolve().parent.parent
CONFIG = REPOSITORY / "deploy" / "jupyterhub" / "jupyterhub_config.py"
NOTEBOOK = "08_averaging_meta_learner.ipynb"
SLIDER = "members"
SLIDER_MOVES = 5
SPAWN_TIMEOUT_S = 120
CELL_TIMEOUT_S = 300
RUN_TIMEOUT_S = 30 * 60


@dataclass
class Student:
    name: str
    server_start_s: float | None = None
    cell_latencies: list[float] = field(default_factory=list)
    slider_latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    memory_mb: float | None = None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _code_cells(notebook: str = NOTEBOOK) -> list[str]:
    cells = read_notebook(REPOSITORY / "notebooks" / notebook)["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


class Hub:
    """A hub started in test mode in its own process group; stopped with everything it spawned."""

    def __init__(self, state: Path, proxy: str):
        self.state = state
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        environment = dict(os.environ, MEDMETA_HUB_TEST="1", MEDMETA_HUB_STATE=str(state),
                           MEDMETA_HUB_PORT=str(self.port), MEDMETA_HUB_PROXY=proxy,
                           MEDMETA_HUB_TEST_PASSWORD=secrets.token_hex(8), MEDMETA_HUB_TEST_TOKEN=self.token,
                           CONFIGPROXY_AUTH_TOKEN=secrets.token_hex(16))
        hub_command = [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(CONFIG),
                       f"--JupyterHub.hub_port={_free_port()}",
                       f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{_free_port()}"]
        self.log = open(state / "hub.log", "w")
        self.process = subprocess.Popen(hub_command, cwd=state, env=environment, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.http = AsyncHTTPClient(max_clients=64)

    async def api(self, method: str, path: str, body: dict | None = None, base: str | None = None):
        request = HTTPRequest(f"{base or self.base + '/hub/api'}{path}", method=method,
                              headers={"Authorization": f"token {self.token}"},
                              body=None if body is None and method == "GET" else json.dumps(body or {}),
                              request_timeout=60, allow_nonstandard_methods=True)
        try:
            response = await self.http.fetch(request, raise_error=True)
        except Exception as error:  # say which request failed: a bare "Timeout during request" does not
            raise RuntimeError(f"{method} {request.url}: {type(error).__name__}: {error}") from error
        return json.loads(response.body) if response.body else None

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited: {(self.state / 'hub.log').read_text()[-2000:]}")
            try:
                await self.api("GET", "/")
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    def student_processes(self, name: str | None = None) -> list[psutil.Process]:
        """The servers and kernels of this hub's students (of one student with ``name``): in test mode
        their HOME lies in the hub's state folder."""
        homes = self.state / "homes"
        found = []
        for process in psutil.process_iter(["pid"]):
            try:
                home = process.environ().get("HOME", "")
            except (psutil.Error, OSError):
                continue
            if home == str(homes / name) if name else home.startswith(f"{homes}{os.sep}"):
                found.append(process)
        return found

    def stop(self) -> None:
        # Servers run in sessions of their own: stop them and their kernels, then the hub and its proxy.
        for process in self.student_processes():
            try:
                process.kill()
            except psutil.Error:
                continue
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


async def start_server(hub: Hub, student: Student) -> None:
    start = time.monotonic()
    await hub.api("POST", f"/users/{student.name}/server")
    while time.monotonic() - start < SPAWN_TIMEOUT_S:
        model = await hub.api("GET", f"/users/{student.name}")
        if (model.get("servers") or {}).get("", {}).get("ready"):
            student.server_start_s = time.monotonic() - start
            return
        await asyncio.sleep(0.25)
    raise TimeoutError(f"{student.name}'s server was not ready after {SPAWN_TIMEOUT_S} s")


class Kernel:
    """One kernel of a student's server, driven over its websocket like JupyterLab does."""

    def __init__(self, connection, session: str):
        self.connection = connection
        self.session = session
        self.sliders: dict[str, str] = {}  # slider description -> comm id
        self.slider_ranges: dict[str, tuple[int, int]] = {}  # slider description -> values to move to
        self.selection_sliders: set[str] = set()

    def _message(self, channel: str, msg_type: str, content: dict) -> dict:
        header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": self.session,
                  "username": "student", "version": "5.3", "date": ""}
        return {"channel": channel, "header": header, "parent_header": {}, "metadata": {},
                "content": content, "buffers": []}

    async def request(self, channel: str, msg_type: str, content: dict) -> float:
        """Send one message and return the seconds until the kernel is idle again for it."""
        message = self._message(channel, msg_type, content)
        start = time.monotonic()
        await self.connection.write_message(json.dumps(message))
        while True:
            raw = await asyncio.wait_for(self.connection.read_message(), CELL_TIMEOUT_S)
            if raw is None:
                raise ConnectionError("the kernel's websocket closed")
            reply = json.loads(raw)
            kind = reply["header"]["msg_type"]
            if kind == "comm_open" and reply["content"].get("target_name") == "jupyter.widget":
                state = reply["content"]["data"].get("state", {})
                if state.get("_model_name", "").endswith("SliderModel"):
                    name = state.get("description", "")
                    self.sliders[name] = reply["content"]["comm_id"]
                    # A selection slider moves by index, a number slider by value (whole numbers here).
                    options = state.get("_options_labels")
                    if options is not None:
                        self.selection_sliders.add(name)
                    self.slider_ranges[name] = ((0, len(options) - 1) if options is not None
                                                else (int(state.get("min", 0)), int(state.get("max", 1))))
            if reply.get("parent_header", {}).get("msg_id") != message["header"]["msg_id"]:
                continue
            if kind == "error":
                raise RuntimeError(f"{reply['content']['ename']}: {reply['content']['evalue']}")
            if kind == "status" and reply["content"]["execution_state"] == "idle":
                return time.monotonic() - start


@dataclass(frozen=True)
class Workload:
    """What every student runs: a notebook's code cells, then moves of one of its sliders."""

    notebook: str
    slider: str
    cells: tuple[str, ...]


async def run_student(hub: Hub, student: Student, workload: Workload, barrier: asyncio.Event,
                      arrived: list, n_students: int) -> None:
    """Run the notebook's cells, wait for the class, then move the slider.

    The slider phase starts once every student has arrived at it, ready or failed on the way: a student
    whose kernel could not start must not keep the others waiting until the run's time limit.
    """
    connection = None
    try:
        try:
            user_api = f"{hub.base}/user/{student.name}/api"
            path = f"medmeta-notebooks/{workload.notebook}"
            session = await hub.api("POST", "/sessions", {"path": path, "type": "notebook",
                                                          "name": workload.notebook,
                                                          "kernel": {"name": "python3"}}, base=user_api)
            kernel_id = session["kernel"]["id"]
            url = f"ws://127.0.0.1:{hub.port}/user/{student.name}/api/kernels/{kernel_id}/channels"
            headers = {"Authorization": f"token {hub.token}"}
            try:
                # the same 60 s limit as every other request (tornado's default is 20 s): while twenty
                # kernels start at once, the server answers the websocket only when its kernel does
                connection = await websocket_connect(HTTPRequest(url, headers=headers, connect_timeout=60,
                                                                 request_timeout=60))
            except Exception as error:
                raise RuntimeError(f"websocket {url}: {type(error).__name__}: {error}") from error
            kernel = Kernel(connection, uuid.uuid4().hex)
            for source in workload.cells:
                student.cell_latencies.append(await kernel.request("shell", "execute_request", {
                    "code": source, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True}))
            if workload.slider not in kernel.sliders:
                raise RuntimeError(f"the notebook showed no '{workload.slider}' slider: "
                                   f"{sorted(kernel.sliders)}")
        finally:
            arrived.append(student.name)
            if len(arrived) == n_students:
                barrier.set()
        await barrier.wait()  # every student moves sliders at the same time
        rng = random.Random(student.name)
        for _ in range(SLIDER_MOVES):
            await asyncio.sleep(rng.uniform(1.0, 2.0))  # a student looks at the figure, then moves again
            low, high = kernel.slider_ranges[workload.slider]
            key = "index" if workload.slider in kernel.selection_sliders else "value"
            student.slider_latencies.append(await kernel.request("shell", "comm_msg", {
                "comm_id": kernel.sliders[workload.slider],
                "data": {"method": "update", "state": {key: rng.randint(low, high)}, "buffer_paths": []}}))
    finally:
        if connection is not None:
            connection.close()


def _student_memory_mb(hub: Hub, student: Student) -> float:
    """Unique memory (USS) of the student's server and its kernels, in MB."""
    total = 0
    for process in hub.student_processes(student.name):
        try:
            total += process.memory_full_info().uss
        except psutil.Error:
            continue
    return total / 1e6


def _percentiles(values: list[float]) -> tuple[float, float]:
    if not values:
        return float("nan"), float("nan")
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def load_test(n_students: int, proxy: str, workload: Workload, keep: bool = False) -> list[Student]:
    state = Path(tempfile.mkdtemp(prefix="medmeta-hub-"))
    hub = Hub(state, proxy)
    students = [Student(f"student{index:02d}") for index in range(n_students)]
    try:
        await hub.wait_ready()
        await hub.api("POST", "/users", {"usernames": [student.name for student in students]})

        async def guarded(coroutine, student):
            try:
                await coroutine
            except Exception as error:  # counted, reported, and the others go on
                student.failures.append(f"{type(error).__name__}: {error}"[:200])

        await asyncio.gather(*(guarded(start_server(hub, student), student) for student in students))
        barrier, arrived = asyncio.Event(), []
        running = [student for student in students if not student.failures]
        await asyncio.gather(*(guarded(run_student(hub, student, workload, barrier, arrived, len(running)),
                                       student) for student in running))
        # Memory last, once every student is done: reading each process's memory map costs CPU that would
        # otherwise compete with the slider moves of students who are not done yet.
        for student in running:
            if not student.failures:
                student.memory_mb = _student_memory_mb(hub, student)
    finally:
        hub.stop()
        if keep:
            print(f"  (hub log and student homes kept in {state})", file=sys.stderr)
        else:
            shutil.rmtree(state, ignore_errors=True)
    return students


def format_row(n_students: int, students: list[Student]) -> str:
    starts = [student.server_start_s for student in students if student.server_start_s is not None]
    cells = [latency for student in students for latency in student.cell_latencies]
    sliders = [latency for student in students for latency in student.slider_latencies]
    memory = [student.memory_mb for student in students if student.memory_mb is not None]
    failures = sum(bool(student.failures) for student in students)
    start50, start95 = _percentiles(starts)
    cell50, cell95 = _percentiles(cells)
    slider50, slider95 = _percentiles(sliders)
    mean_memory = statistics.mean(memory) if memory else float("nan")
    return (f"| {n_students} | {start50:.1f} / {start95:.1f} | {cell50:.2f} / {cell95:.2f} | "
            f"{slider50:.2f} / {slider95:.2f} | {mean_memory:.0f} | {failures} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[5, 10, 20],
                        help="class sizes to test, one after the other (default: 5 10 20)")
    parser.add_argument("--proxy", default=None,
                        help="configurable-http-proxy command (default: build/.hub-js, else PATH)")
    parser.add_argument("--keep", action="store_true", help="keep each run's hub log and student homes")
    parser.add_argument("--notebook", default=NOTEBOOK,
                        help=f"notebook every student runs (default: {NOTEBOOK})")
    parser.add_argument("--slider", default=SLIDER,
                        help=f"description of the slider every student moves (default: {SLIDER})")
    arguments = parser.parse_args(argv)
    if any(not 1 <= n <= 40 for n in arguments.students):
        parser.error("--students takes class sizes from 1 to 40 (this runs on one machine)")
    local = REPOSITORY / "build" / ".hub-js" / "node_modules" / ".bin" / "configurable-http-proxy"
    proxy = arguments.proxy or (str(local) if local.exists() else shutil.which("configurable-http-proxy"))
    if not proxy:
        parser.error("configurable-http-proxy not found: run `make hub-bench`, which installs it with npm")
    if not (REPOSITORY / "notebooks" / arguments.notebook).is_file():
        parser.error(f"no notebook notebooks/{arguments.notebook}")
    workload = Workload(arguments.notebook, arguments.slider, tuple(_code_cells(arguments.notebook)))
    print(f"JupyterHub load test on {os.cpu_count()} cores: every student runs all {len(workload.cells)} "
          f"code cells of {workload.notebook}, then moves its '{workload.slider}' slider {SLIDER_MOVES} "
          "times (1-2 s apart)")
    print("\n| students | server start p50 / p95 (s) | cell latency p50 / p95 (s) | "
          "slider callback p50 / p95 (s) | memory per student (MB, USS) | failures |")
    print("|---:|---:|---:|---:|---:|---:|")
    deadline = time.monotonic() + RUN_TIMEOUT_S
    failed = 0
    for n_students in arguments.students:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            print(f"stopped: the whole run is bounded to {RUN_TIMEOUT_S / 60:.0f} minutes", file=sys.stderr)
            return 1
        students = asyncio.run(asyncio.wait_for(load_test(n_students, proxy, workload, arguments.keep),
                                                remaining))
        print(format_row(n_students, students), flush=True)
        for student in students:
            for failure in student.failures:
                print(f"  {student.name}: {failure}", file=sys.stderr)
        failed += sum(bool(student.failures) for student in students)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
