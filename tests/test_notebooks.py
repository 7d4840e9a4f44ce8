"""Every notebook follows the skeleton and runs end to end under papermill with tiny parameters."""

import json
import re

import pytest

from medmeta_lite.workbook import declared_parameters, list_notebooks, run_papermill

NOTEBOOKS = list_notebooks()
EXPECTED_NUMBERS = [f"{number:02d}" for number in range(16)]


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_workbook_has_every_numbered_notebook():
    numbers = [path.name[:2] for path in NOTEBOOKS]
    assert numbers == EXPECTED_NUMBERS, f"notebook prefixes found: {numbers}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_follows_the_skeleton(path):
    notebook = _cells(path)
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", []), "first code cell must be tagged parameters"
    versions_cell = "".join(code[2]["source"])
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
def test_notebook_runs_with_smoke_parameters(path, tmp_path):
    smoke = _cells(path)["metadata"].get("medmeta", {}).get("smoke_parameters")
    assert smoke, "notebook metadata needs medmeta.smoke_parameters (tiny values for this test)"
    unknown = set(smoke) - declared_parameters(path)
    assert not unknown, f"smoke parameters not in the parameters cell: {sorted(unknown)}"
    # A per-cell limit far above any cell's need: it bounds a rare kernel-client stall seen under load.
    run_papermill(path, tmp_path / path.name, smoke, timeout=120)
