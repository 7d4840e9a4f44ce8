"""The layering rules of DEVELOPERS.md, read from the source: which part may import which, no import
circles, no private names across modules, TensorFlow only through ``medmeta_lite.backend``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.import_graph import find_cycles, internal_edges, read_package

PACKAGE = Path(__file__).resolve().parent.parent / "medmeta_lite"
BASE = {"validation", "serialization", "backend", "reproducibility"}
# Each part may import itself, the base modules and the parts listed here (lower layers), never a higher one.
ALLOWED = {
    "validation": set(), "serialization": set(), "backend": set(), "reproducibility": set(),
    "workbook": BASE | {"data"},
    "data": BASE,
    "learners": BASE | {"data"},
    "priors": BASE | {"data", "learners"},
    "gradmeta": BASE | {"data"},
    "fewshot": BASE | {"data", "gradmeta"},
    "interview": BASE | {"data", "workbook"},  # the `medmeta` command copies notebooks and starts the app
    "defaults": BASE | {"data", "gradmeta", "fewshot"},
    "experiments": BASE | {"data", "learners", "priors", "gradmeta", "fewshot", "defaults"},
    "plotting": BASE | {"data", "learners", "priors", "gradmeta", "fewshot", "experiments", "interview"},
    "widgets": BASE | {"data", "learners", "priors", "gradmeta", "fewshot", "experiments", "interview",
                       "defaults", "plotting"},
}
ROOT_MODULE_LIMIT = 6  # modules directly under medmeta_lite/, besides __init__.py


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer_violations(infos) -> list[str]:
    problems = []
    for module, targets in internal_edges(infos).items():
        part = _part(module)
        if part == "__init__":
            continue
        for target in targets:
            other = _part(target)
            if other not in (part, "__init__") and other not in ALLOWED.get(part, set()):
                problems.append(f"{module} imports {target}: {part} may not import {other}")
            if other == "__init__":
                problems.append(f"{module} imports the top-level package (import the part itself)")
    return problems


def _rule_violations(infos) -> list[str]:
    problems = []
    for module, info in infos.items():
        problems += [f"{module}:{line} imports private {name} from {source}"
                     for source, name, line in info.private_names]
        problems += [f"{module}:{line} reaches private {source}.{name}"
                     for source, name, line in info.private_attributes]
        problems += [f"{module}:{line} imports inside a function or class: {text}"
                     for text, line in info.nested_imports]
        if module != "medmeta_lite.backend":
            problems += [f"{module}:{line} imports dynamically" for line in info.dynamic_imports]
            problems += [f"{module} imports {name} directly; use medmeta_lite.backend"
                         for name in info.imports if name.split(".")[0] in ("tensorflow", "keras")]
    return problems


@pytest.fixture(scope="module")
def infos():
    return read_package(PACKAGE)


def test_no_import_circles(infos):
    assert find_cycles(internal_edges(infos)) == []


def test_each_part_imports_only_lower_layers(infos):
    assert _layer_violations(infos) == []


def test_no_private_names_nested_or_direct_tensorflow_imports(infos):
    assert _rule_violations(infos) == []


def test_every_module_belongs_to_a_known_part(infos):
    assert {_part(module) for module in infos} - {"__init__"} <= set(ALLOWED)


def test_the_folder_listing_shows_the_parts():
    root_modules = [path.name for path in PACKAGE.glob("*.py") if path.name != "__init__.py"]
    assert len(root_modules) <= ROOT_MODULE_LIMIT, sorted(root_modules)
    for part in ALLOWED:
        assert (PACKAGE / part / "__init__.py").is_file() or (PACKAGE / f"{part}.py").is_file(), part


def _write_package(folder: Path, files: dict[str, str]) -> Path:
    root = folder / "medmeta_lite"
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_the_checks_fail_when_a_rule_is_broken(tmp_path):
    root = _write_package(tmp_path, {
        "__init__.py": "",
        "data/__init__.py": "",
        "data/tasks.py": """
            from medmeta_lite.gradmeta.maml import MAML   # a lower layer importing a higher one
            from medmeta_lite.data.loader import _secret  # a private name across modules
            """,
        "data/loader.py": """
            import medmeta_lite.data.tasks as tasks
            _secret = 1
            def load():
                import tensorflow                      # nested and direct
                return tasks._hidden                   # a private attribute of another module
            """,
        "gradmeta/__init__.py": "",
        "gradmeta/maml.py": "from medmeta_lite.data.tasks import Task\nMAML = 1\n",
    })
    infos = read_package(root)
    assert find_cycles(internal_edges(infos)) == [
        ["medmeta_lite.data.loader", "medmeta_lite.data.tasks", "medmeta_lite.gradmeta.maml"]]
    layers = _layer_violations(infos)
    assert any("data may not import gradmeta" in problem for problem in layers)
    rules = " | ".join(_rule_violations(infos))
    for expected in ("imports private _secret", "reaches private medmeta_lite.data.tasks._hidden",
                     "imports inside a function", "imports tensorflow directly"):
        assert expected in rules
