"""Give every widget output of a saved notebook a picture and a sentence, for when the widget cannot render.

A notebook opened before it has run in this session (a fresh clone, GitHub, an untrusted notebook in
JupyterLab) cannot draw its widgets: JupyterLab then falls back to the output's plain text, which for an
explorer is ``interactive(children=(FloatSlider(…`` and sends students off to reinstall. This module adds,
beside each widget view, the first PNG its saved widget state holds (the figure the explorer drew) and
replaces the plain text with a sentence that says to run the cells. Where the widget can render, JupyterLab,
Notebook 7 and nbconvert still show the live widget.

Run on notebooks in place: ``python -m medmeta_lite.workbook.static_widgets notebooks/*.ipynb``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medmeta_lite.workbook.notebook_files import rewrite_notebook

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PLACEHOLDER = ("Interactive widget: run this notebook's cells (or Run All) to use it. "
               "Until then, a picture of its first state stands in for it.")
PLACEHOLDER_WITHOUT_PICTURE = "Interactive widget: run this notebook's cells (or Run All) to use it."
REFERENCE = "IPY_MODEL_"


def _references(value) -> list[str]:
    if isinstance(value, str) and value.startswith(REFERENCE):
        return [value[len(REFERENCE):]]
    if isinstance(value, list):
        return [found for item in value for found in _references(item)]
    return []


def first_picture(state: dict, model_id: str) -> str | None:
    """The first PNG (base64) found under widget ``model_id`` in a saved widget state, children first in
    their order, or None.

    Images are found in an Output widget's outputs and in an Image widget's saved value.

    Examples
    --------
    >>> state = {"box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_out"]}},
    ...          "out": {"model_name": "OutputModel",
    ...                  "state": {"outputs": [{"data": {"image/png": "iVBOR"}}]}}}
    >>> first_picture(state, "box")
    'iVBOR'
    """
    seen = set()
    pending = [model_id]
    while pending:
        current = pending.pop(0)
        if current in seen or current not in state:
            continue
        seen.add(current)
        model = state[current]
        fields = model.get("state", {})
        for output in fields.get("outputs", []) or []:
            picture = output.get("data", {}).get("image/png")
            if picture:
                return "".join(picture) if isinstance(picture, list) else picture
        if model.get("model_name") == "ImageModel" and fields.get("format", "png") == "png":
            for buffer in model.get("buffers", []):
                if buffer.get("path") == ["value"] and buffer.get("encoding") == "base64":
                    return buffer["data"]
        children = [found for value in fields.values() for found in _references(value)]
        pending.extend(child for child in children if state.get(child, {}).get("model_name") != "LayoutModel")
    return None


def add_static_pictures(notebook: dict) -> int:
    """Add the first picture and the run-the-cells sentence to every widget output of ``notebook`` (a
    notebook as JSON), in place; return how many widget outputs got a picture."""
    state = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    pictured = 0
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            picture = first_picture(state, data[WIDGET_VIEW].get("model_id", ""))
            if picture:
                data["image/png"] = picture
                data["text/plain"] = PLACEHOLDER
                pictured += 1
            else:
                data.pop("image/png", None)
                data["text/plain"] = PLACEHOLDER_WITHOUT_PICTURE
    return pictured


def rewrite(path: Path) -> int:
    """Apply :func:`add_static_pictures` to the notebook file ``path``, keeping its JSON layout."""
    return rewrite_notebook(path, add_static_pictures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medmeta_lite.workbook.static_widgets",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks to rewrite in place")
    arguments = parser.parse_args(argv)
    for path in arguments.notebooks:
        if not path.is_file():
            parser.exit(2, f"{parser.prog}: error: no notebook at {path}\n")
        try:
            print(f"{path}: {rewrite(path)} widget output(s) pictured")
        except ValueError as error:
            parser.exit(2, f"{parser.prog}: error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
