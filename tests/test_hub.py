"""The class JupyterHub works: one student, on a fresh hub started from deploy/jupyterhub's configuration,
gets a server with their own copy of the notebooks, runs notebook 08 and moves a slider (the load test of
benchmarks/bench_hub.py with one student; `make hub-bench` runs 5, 10 and 20)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from medmeta_lite.data import list_notebooks
from medmeta_lite.interview.cli import build_parser

REPOSITORY = Path(__file__).resolve().parent.parent
PROXY = REPOSITORY / "build" / ".hub-js" / "node_modules" / ".bin" / "configurable-http-proxy"
ROW = re.compile(r"^\| 1 \| (?P<start>[\d.]+) / [\d.]+ \| (?P<cell>[\d.]+) / [\d.]+ \| "
                 r"(?P<slider>[\d.]+) / [\d.]+ \| (?P<memory>\d+) \| (?P<failures>\d+) \|$", re.MULTILINE)


def test_one_student_runs_a_widget_notebook_on_the_class_hub():
    pytest.importorskip("jupyterhub", reason="JupyterHub is installed by `make install` (test extras)")
    if not PROXY.exists():
        message = ("configurable-http-proxy is not installed in build/.hub-js: `make test` installs it with "
                   "npm")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    completed = subprocess.run([sys.executable, "benchmarks/bench_hub.py", "--students", "1"], cwd=REPOSITORY,
                               capture_output=True, text=True, timeout=400)
    assert completed.returncode == 0, completed.stdout + completed.stderr[-3000:]
    row = ROW.search(completed.stdout)
    assert row, completed.stdout
    assert row["failures"] == "0"
    assert 0 < float(row["start"]) < 120 and float(row["slider"]) > 0 and int(row["memory"]) > 50


def test_the_kubernetes_values_agree_with_the_hub_and_the_measured_memory():
    values_file = REPOSITORY / "deploy" / "kubernetes" / "values.yaml"
    values = yaml.safe_load(values_file.read_text(encoding="utf-8"))
    user = values["singleuser"]
    # The same landing notebook as the one-machine hub, and a notebook that exists.
    folder, _, name = user["defaultUrl"].removeprefix("/lab/tree/").partition("/")
    assert folder == "medmeta-notebooks" and name in {path.name for path in list_notebooks()}
    config = (REPOSITORY / "deploy" / "jupyterhub" / "jupyterhub_config.py").read_text(encoding="utf-8")
    assert f'WORKBOOK_FOLDER = "{folder}"' in config
    # The copy at start is the `medmeta notebooks` command, which never overwrites a student's notebook.
    command = user["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[:2] == ["medmeta", "notebooks"] and command[2].endswith(f"/{folder}")
    assert "notebooks" in build_parser().format_help()
    # 908 MB measured for a student with a TensorFlow notebook (deploy/kubernetes/README.md).
    assert _gibibytes(user["memory"]["guarantee"]) >= 0.908 and _gibibytes(user["memory"]["limit"]) >= 1.5
    assert 0 < user["cpu"]["guarantee"] <= user["cpu"]["limit"]
    assert values["cull"]["enabled"] and values["prePuller"]["hook"]["enabled"]


def _gibibytes(text: str) -> float:
    number, unit = float(text[:-1]), text[-1]
    return number * {"G": 1.0, "M": 1 / 1024}[unit]
