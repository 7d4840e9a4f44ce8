"""Build hook: the wheel carries the numbered notebooks as package data (``medmeta_lite/notebooks/``).

Everything else is declared in ``pyproject.toml``. The notebooks stay at the repository's top level, where
JupyterLab, nbval and the Makefile use them; a wheel copies them in, so that ``medmeta notebooks DEST`` and
``python -m medmeta_lite.workbook`` find them in an installed package too.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithNotebooks(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # an editable install reads them from the clone
            return
        target = Path(self.build_lib) / "medmeta_lite" / "notebooks"
        target.mkdir(parents=True, exist_ok=True)
        source = Path(__file__).resolve().parent / "notebooks"
        for notebook in sorted(source.glob("[0-9][0-9]_*.ipynb")):
            shutil.copyfile(notebook, target / notebook.name)


setup(cmdclass={"build_py": BuildWithNotebooks})
