"""Slides: every notebook as a reveal.js deck that opens offline, and the slide metadata behind it.

Each cell carries ``metadata.slideshow.slide_type``, chosen by one rule (:func:`slide_type`): the title and
every numbered section start a slide, each demo (a widget) and each ``###`` heading a sub-slide below it,
and the four set-up cells of the skeleton (Colab install, parameters, imports, versions) are skipped. The
same metadata drives ``make slides`` (static decks in ``build/slides/``) and live presentation in
JupyterLab with jupyterlab-rise.

``python -m medmeta_lite.workbook.slides --output build/slides`` writes the decks from the committed
notebooks, which hold their outputs; ``--assign notebooks/*.ipynb`` rewrites the metadata in place.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter

from medmeta_lite.data.bundled import list_notebooks
from medmeta_lite.workbook.notebook_files import rewrite_notebook
from medmeta_lite.workbook.site import TEMPLATES, SiteScripts, install_scripts, without_remote_images

SKELETON_CODE_CELLS = 4
"""Code cells at the top of every notebook that set up rather than teach: Colab install, parameters,
imports and seed, versions."""
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")
DEMO_CALLS = ("_explorer(", "_widget(", "self_check(", "demo_gallery(")
TEMPLATE_NAME = "medmeta_slides"


def slide_type(cell: dict, code_index: int | None, is_first: bool) -> str:
    """The slide type of one cell (as JSON).

    Parameters
    ----------
    cell : dict
    code_index : int or None
        Position of the cell among the notebook's code cells; None for a markdown cell.
    is_first : bool
        Whether it is the notebook's first cell (its title).

    Examples
    --------
    >>> slide_type({"cell_type": "markdown", "source": "## 2. From scratch"}, None, False)
    'slide'
    >>> slide_type({"cell_type": "code", "source": "ensemble_explorer(n_estimators=5)"}, 9, False)
    'subslide'
    >>> slide_type({"cell_type": "code", "source": "seed = 0"}, 1, False)
    'skip'
    """
    source = "".join(cell.get("source", ""))
    if is_first:
        return "slide"
    if cell.get("cell_type") == "code":
        if code_index is not None and code_index < SKELETON_CODE_CELLS:
            return "skip"
        return "subslide" if any(call in source for call in DEMO_CALLS) else "-"
    if source.startswith(("# ", "## ")):
        return "slide"
    if source.startswith("### "):
        return "subslide"
    return "-"


def split_at_headings(notebook: dict) -> int:
    r"""Split every markdown cell of ``notebook`` (JSON, in place) so that each heading starts a cell: a
    section that begins mid-cell would stay on the previous slide. Return how many cells were added.

    Examples
    --------
    >>> notebook = {"cells": [{"cell_type": "markdown", "id": "a", "metadata": {},
    ...                        "source": "Text.\n\n## 2. Next\n\nMore."}]}
    >>> split_at_headings(notebook), [cell["source"] for cell in notebook["cells"]]
    (1, ['Text.\n', '## 2. Next\n\nMore.'])
    >>> [cell["id"] for cell in notebook["cells"]]
    ['a', 'a-1']
    """
    cells = []
    added = 0
    for cell in notebook["cells"]:
        lines = "".join(cell.get("source", "")).splitlines(keepends=True)
        starts = [index for index, line in enumerate(lines) if index and line.startswith("#")]
        if cell.get("cell_type") != "markdown" or not starts:
            cells.append(cell)
            continue
        for part, (begin, end) in enumerate(zip([0, *starts], [*starts, len(lines)], strict=True)):
            text = "".join(lines[begin:end]).rstrip("\n") + ("\n" if end < len(lines) else "")
            piece = {**cell, "metadata": copy.deepcopy(cell.get("metadata", {})), "source": text}
            if part and "id" in cell:
                piece["id"] = f"{cell['id'][:60]}-{part}"
            cells.append(piece)
        added += len(starts)
    notebook["cells"] = cells
    return added


def assign_slide_types(notebook: dict) -> int:
    """Write every cell's slide type into ``notebook`` (JSON, in place); return how many changed."""
    changed = 0
    code_index = 0
    for position, cell in enumerate(notebook["cells"]):
        is_code = cell.get("cell_type") == "code"
        wanted = slide_type(cell, code_index if is_code else None, position == 0)
        code_index += is_code
        slideshow = cell.setdefault("metadata", {}).setdefault("slideshow", {})
        if slideshow.get("slide_type") != wanted:
            slideshow["slide_type"] = wanted
            changed += 1
    return changed


def export_deck(notebook_path: Path, slides_dir: Path, scripts: SiteScripts) -> Path:
    """Write the reveal.js deck of one notebook (with its outputs) as ``slides_dir/NAME.slides.html``."""
    notebook = nbformat.read(notebook_path, as_version=4)
    without_remote_images(notebook)
    exporter = SlidesExporter(extra_template_basedirs=[str(TEMPLATES)], extra_template_paths=[str(TEMPLATES)],
                              template_name=TEMPLATE_NAME,
                              reveal_url_prefix=scripts.reveal_url_prefix, reveal_scroll=True,
                              reveal_width="1200", reveal_height="800",  # 110-character code lines fit
                              reveal_theme="white",  # its fonts lie beside it; "simple" fetches Google Fonts
                              require_js_url=scripts.require_js_url, jquery_url=scripts.jquery_url,
                              widget_renderer_url=scripts.widget_renderer_url,
                              mathjax_url=scripts.mathjax_url)
    body, _ = exporter.from_notebook_node(notebook)
    deck = Path(slides_dir) / f"{Path(notebook_path).stem}.slides.html"
    deck.parent.mkdir(parents=True, exist_ok=True)
    deck.write_text(body, encoding="utf-8")
    return deck


def build_decks(slides_dir: Path, node_modules: Path | None = None,
                notebooks: list[Path] | None = None) -> list[Path]:
    """Write a deck for each notebook (default: every workbook notebook) and their scripts; return the
    decks' paths."""
    scripts = install_scripts(slides_dir, node_modules)
    return [export_deck(path, slides_dir, scripts) for path in (notebooks or list_notebooks())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medmeta_lite.workbook.slides",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=Path("build/slides"),
                        help="folder for the decks (default: build/slides)")
    parser.add_argument("--node-modules", type=Path, default=None, metavar="FOLDER",
                        help="npm folder with the decks' scripts (reveal.js, jQuery, RequireJS, MathJax)")
    parser.add_argument("--assign", type=Path, nargs="+", default=None, metavar="NOTEBOOK",
                        help="instead of writing decks, write the slide metadata into these notebooks")
    arguments = parser.parse_args(argv)
    try:
        if arguments.assign:
            for path in arguments.assign:
                added = rewrite_notebook(path, split_at_headings)
                changed = rewrite_notebook(path, assign_slide_types)
                print(f"{path}: {added} cell(s) split at a heading, {changed} slide type(s) changed")
            return 0
        decks = build_decks(arguments.output, arguments.node_modules)
    except ValueError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    print(f"wrote {len(decks)} slide decks in {arguments.output} (open any .slides.html; arrow keys step)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
