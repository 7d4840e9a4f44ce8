"""The ways to open the workbook outside a clone agree with the one repository URL and with pyproject.toml:
Colab badges and install cells in every notebook and in the README, the Binder badge, environment.yml."""

import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from medmeta_lite.data import list_notebooks
from medmeta_lite.workbook import (
    COLAB_CELL_ID,
    binder_badge,
    colab_badge,
    colab_install_source,
    repository_url,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    from pip._vendor import tomli as tomllib

REPOSITORY = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
README = (REPOSITORY / "README.md").read_text(encoding="utf-8")
NOTEBOOKS = list_notebooks()


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_the_repository_url_comes_from_pyproject():
    assert repository_url() == PYPROJECT["project"]["urls"]["Repository"].rstrip("/")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_each_notebook_opens_in_colab_and_installs_itself_there(path):
    cells = _cells(path)
    assert colab_badge(path.name) in "".join(cells[0]["source"]), "the title cell needs its Colab badge"
    first_code = next(cell for cell in cells if cell["cell_type"] == "code")
    assert first_code["id"] == COLAB_CELL_ID
    assert "".join(first_code["source"]) == colab_install_source()
    assert first_code["outputs"] == [], "outside Colab the install cell does nothing"


def test_the_install_cell_does_nothing_outside_colab():
    namespace = {}
    exec(colab_install_source(), namespace)  # noqa: S102 - the cell's own text, run as a notebook would
    assert "output" not in namespace, "the Colab branch ran outside Colab"


def test_the_readme_has_every_badge():
    for path in NOTEBOOKS:
        assert colab_badge(path.name) in README, f"README lacks the Colab badge of {path.name}"
    assert binder_badge() in README
    urls = set(re.findall(r"https://(?:colab\.research\.google\.com/github|mybinder\.org/v2/gh)/([^/]+/[^/]+)/",
                          README))
    assert urls == {repository_url().removeprefix("https://github.com/")}, urls


def _conda_requirements() -> dict[str, str]:
    environment = yaml.safe_load((REPOSITORY / "environment.yml").read_text(encoding="utf-8"))
    found = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, str) and entry != "pip":
            name, specifier = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", entry).groups()
            found[name.lower()] = specifier.replace(" ", "")
    return found


def test_environment_yml_pins_agree_with_pyproject():
    project = PYPROJECT["project"]
    texts = project["dependencies"] + project["optional-dependencies"]["test"]
    wanted = [Requirement(text) for text in texts]
    conda = _conda_requirements()
    assert SpecifierSet(conda.pop("python")) == SpecifierSet(project["requires-python"])
    problems = [f"{requirement.name}: pyproject {requirement.specifier}, environment.yml "
                f"{conda.get(requirement.name.lower(), 'missing')}"
                for requirement in wanted
                if SpecifierSet(conda.get(requirement.name.lower(), "==0")) != requirement.specifier]
    extra = set(conda) - {requirement.name.lower() for requirement in wanted}
    assert not problems and not extra, (problems, sorted(extra))
