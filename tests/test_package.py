"""Package-level promises: TensorFlow stays unloaded, the public API is importable, metadata agrees."""

import re
import subprocess
import sys

import yaml

from medmeta_lite.reproducibility import versions


def test_importing_the_package_does_not_import_tensorflow():
    code = "import medmeta_lite, sys; assert 'tensorflow' not in sys.modules, 'TensorFlow was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_numpy_only_modules_do_not_import_tensorflow():
    modules = ["medmeta_lite.data.bundled", "medmeta_lite.data.tasks", "medmeta_lite.workbook",
               "medmeta_lite.widgets.toy_line"]
    code = ("import importlib, sys\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            "assert 'tensorflow' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def _names(requirements):
    return {re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")
            for requirement in requirements}


def test_environment_yml_names_the_same_packages_as_pyproject(repo_root):
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        from pip._vendor import tomli as tomllib

    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    declared = _names(project["dependencies"] + project["optional-dependencies"]["test"])
    environment = yaml.safe_load((repo_root / "environment.yml").read_text())
    conda = [entry for entry in environment["dependencies"] if isinstance(entry, str)]
    listed = _names(conda) - {"python", "pip"}
    assert listed == declared, (f"only in environment.yml: {sorted(listed - declared)}; "
                                f"only in pyproject.toml: {sorted(declared - listed)}")
    pip_section = next(entry for entry in environment["dependencies"] if isinstance(entry, dict))
    assert pip_section["pip"] == ["-e ."], "environment.yml must end with `pip: - -e .`"


def test_versions_reports_numpy():
    assert "numpy" in versions()


def test_ctrl_c_during_the_first_tensorflow_import_says_to_restart():
    # The Ctrl-C is made to land inside the import itself: a real signal's timing against a 4-second import
    # depends on the machine's load, and a signal handled after the import finished tests nothing.
    code = (
        "import importlib\n"
        "from medmeta_lite import backend\n"
        "real_import = importlib.import_module\n"
        "def interrupted(name, *args):\n"
        "    if name == 'tensorflow':\n"
        "        raise KeyboardInterrupt\n"
        "    return real_import(name, *args)\n"
        "importlib.import_module = interrupted\n"
        "try:\n"
        "    backend.tf.constant(1.0)\n"
        "except KeyboardInterrupt as error:\n"
        "    print('interrupted:', error)\n"
        "importlib.import_module = real_import\n"
        "for lazy in (backend.tf, backend.keras):\n"
        "    try:\n"
        "        lazy.constant\n"
        "    except RuntimeError as error:\n"
        "        print('later:', error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "interrupted: the import of tensorflow was interrupted; restart the kernel" in result.stdout
    later = [line for line in result.stdout.splitlines() if line.startswith("later:")]
    assert len(later) == 2 and all("restart the kernel" in line for line in later)
    assert "tensorflow" not in result.stderr
