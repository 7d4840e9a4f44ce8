"""Read and write notebook files as JSON, byte for byte in the layout the repository commits.

Jupyter, nbformat and papermill all write one-space indents, sorted keys, UTF-8 text and a final newline;
rewriting a notebook the same way keeps its diff to what really changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

Result = TypeVar("Result")


def read_notebook(path: Path) -> dict:
    """Return the notebook at ``path`` as JSON (a ``dict``), refusing a file that is not a notebook."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read the notebook {path}: {error}") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError(f"{path} is not a notebook (no list of cells)")
    return notebook


def write_notebook(path: Path, notebook: dict) -> None:
    """Write ``notebook`` to ``path`` in the committed layout."""
    text = json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    Path(path).write_text(text, encoding="utf-8")


def rewrite_notebook(path: Path, change: Callable[[dict], Result]) -> Result:
    """Apply ``change`` to the notebook at ``path`` in place and return what ``change`` returned.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "probe.ipynb"
    >>> write_notebook(path, {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    >>> rewrite_notebook(path, lambda notebook: notebook["metadata"].setdefault("title", "probe"))
    'probe'
    >>> read_notebook(path)["metadata"]
    {'title': 'probe'}
    """
    notebook = read_notebook(path)
    result = change(notebook)
    write_notebook(path, notebook)
    return result
