"""Every notebook follows the skeleton, and its student version runs end to end under papermill with tiny
parameters, from a wheel of the package installed outside the repository (as ``pip install`` and Colab users
get it)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from medmeta_lite.data import list_notebooks
from medmeta_lite.workbook import static_widgets
from medmeta_lite.workbook.grading import make_student_versions
from medmeta_lite.workbook.notebook_files import read_notebook
from medmeta_lite.workbook.runner import declared_parameters, run_papermill

NOTEBOOKS = list_notebooks()
REPOSITORY = Path(__file__).resolve().parent.parent
# What a wheel is built from; the rest of a working tree (.venv, build/, .git) stays out of the copy.
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "medmeta_lite", "notebooks")
EXPECTED_NUMBERS = [f"{number:02d}" for number in range(16)]


def _cells(path):
    return read_notebook(path)


def test_the_workbook_has_every_numbered_notebook():
    numbers = [path.name[:2] for path in NOTEBOOKS]
    assert numbers == EXPECTED_NUMBERS, f"notebook prefixes found: {numbers}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_follows_the_skeleton(path):
    notebook = _cells(path)
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    # code[0] is the Colab install cell (tests/test_launchers.py)
    assert "parameters" in code[1]["metadata"].get("tags", []), "the parameters cell follows the Colab cell"
    versions_cell = "".join(code[3]["source"])
    assert "NBVAL_IGNORE_OUTPUT" in versions_cell and "show_versions" in versions_cell
    title = "".join(notebook["cells"][0]["source"])
    assert title.startswith(f"# {path.name[:2]} · "), "the first cell is the '# NN · Title' markdown"
    assert "Educational use only — not for clinical decisions." in title
    text = "\n".join("".join(cell["source"]) for cell in notebook["cells"])
    for heading in ("## Key takeaways", "## Exercises"):
        assert heading in text, f"missing section {heading!r}"
    counts = [cell["execution_count"] for cell in code]
    assert counts == list(range(1, len(code) + 1)), "commit notebooks after Restart & Run All"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_stored_outputs_are_clean(path):
    notebook = _cells(path)
    for cell in notebook["cells"]:
        expected_error = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error" or expected_error, f"stored error: {output.get('ename')}"
            if output.get("name") == "stderr":
                pytest.fail(f"stored stderr output: {''.join(output['text'])[:200]!r}")
    assert not re.search(r"/(work|tmp|root|home)/", json.dumps(notebook)), "a machine path is stored"
    assert not re.search(r" at 0x[0-9a-f]{6,}", json.dumps(notebook)), "a memory address is stored"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_widgets_show_a_picture_and_a_sentence_before_the_notebook_runs(path):
    # Opened before it runs (fresh clone, GitHub, untrusted), a widget falls back to its saved picture or
    # text: never to its raw repr, which reads like a broken install.
    notebook = _cells(path)
    state = notebook["metadata"]["widgets"][static_widgets.WIDGET_STATE]["state"]
    views = [(cell, output["data"]) for cell in notebook["cells"] for output in cell.get("outputs", [])
             if static_widgets.WIDGET_VIEW in output.get("data", {})]
    assert views, "a workbook notebook without a widget"
    for cell, data in views:
        text = data["text/plain"] if isinstance(data["text/plain"], str) else "".join(data["text/plain"])
        assert text.startswith("Interactive widget: run this notebook's cells"), text[:80]
        model_id = data[static_widgets.WIDGET_VIEW]["model_id"]
        assert model_id in state, "the widget's state was not saved with the notebook"
        if "_explorer(" in "".join(cell["source"]):  # every explorer draws a figure: it must be there
            assert data.get("image/png", "").startswith("iVBOR"), "an explorer without its first picture"


@pytest.fixture(scope="module")
def installed_notebooks(tmp_path_factory):
    """Build a wheel, install it into a fresh folder, copy its notebooks out with ``medmeta notebooks``.

    Returns the folder of copied notebooks; kernels started while the test runs import the installed
    package (``PYTHONPATH``), so nothing is read from the repository.
    """
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        copy = shutil.copytree if (REPOSITORY / name).is_dir() else shutil.copy2
        copy(REPOSITORY / name, source / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                                   if (REPOSITORY / name).is_dir() else {}))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(root / "dist"),
                    str(source)], check=True, cwd=root)
    wheel = next((root / "dist").glob("medmeta_lite-*.whl"))
    target = root / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True, cwd=root)
    environment = dict(os.environ, PYTHONPATH=str(target))
    # The package, its data, the site's template and the Voilà app's notebook all resolve in the target.
    imported = subprocess.run([sys.executable, "-c", "import medmeta_lite, medmeta_lite.data as d; "
                               "from medmeta_lite.workbook import app, site; "
                               "print(medmeta_lite.__file__); print(d.data_dir()); "
                               "print(app.APP_NOTEBOOK if app.APP_NOTEBOOK.is_file() else 'no-app'); "
                               "print(next(site.TEMPLATES.glob('*/index.html.j2'), 'no-template')); "
                               "print(next(site.TEMPLATES.glob('widget_fonts.css.j2'), 'no-include'))"],
                              check=True, capture_output=True, text=True, cwd=root, env=environment)
    assert all(line.startswith(str(target)) for line in imported.stdout.split()), imported.stdout
    copied = subprocess.run([sys.executable, "-m", "medmeta_lite.interview.cli", "notebooks", "notebooks"],
                            check=True, capture_output=True, text=True, cwd=root, env=environment)
    assert "copied 16 notebooks to notebooks" in copied.stdout, copied.stdout
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(target)  # the kernels papermill starts inherit it
    yield root / "notebooks"
    if old is None:
        del os.environ["PYTHONPATH"]
    else:
        os.environ["PYTHONPATH"] = old


@pytest.fixture(scope="module")
def student_notebooks(installed_notebooks, tmp_path_factory):
    """The student version (nbgrader, ``make student``) of every notebook the installed wheel copied out."""
    root = tmp_path_factory.mktemp("classroom")
    make_student_versions(root / "student", root / "course", sorted(installed_notebooks.glob("*.ipynb")))
    return root / "student"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_student_version_runs_unanswered_from_an_installed_wheel(path, student_notebooks, tmp_path):
    # What a student receives: solutions and hidden tests removed, run top to bottom before any exercise
    # is answered, against the package as pip installs it. The instructor's version runs under nbval.
    smoke = _cells(path)["metadata"].get("medmeta", {}).get("smoke_parameters")
    assert smoke, "notebook metadata needs medmeta.smoke_parameters (tiny values for this test)"
    unknown = set(smoke) - declared_parameters(path)
    assert not unknown, f"smoke parameters not in the parameters cell: {sorted(unknown)}"
    # A per-cell limit far above any cell's need: it bounds a rare kernel-client stall seen under load.
    run_papermill(student_notebooks / path.name, tmp_path / path.name, smoke, timeout=120)
    ran = _cells(tmp_path / path.name)["cells"]
    check = next(cell for cell in ran if cell.get("id") == "graded-exercise-tests")
    printed = "".join("".join(output.get("text", "")) for output in check["outputs"])
    assert "not answered yet" in printed, printed
    shown = next(cell for cell in ran if "interview.show(" in "".join(cell["source"]))
    html = "".join(shown["outputs"][0]["data"]["text/html"])
    assert "No model answer in this version" in html and 'class="medmeta-answer"' not in html
