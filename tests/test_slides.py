"""Slides: every committed notebook carries the slide metadata of the one rule, decks are written for every
notebook with their scripts local, one deck steps through its slides in Chromium with the network cut, and
JupyterLab presents the same slides live (jupyterlab-rise)."""

import copy
import re

import pytest

from medmeta_lite.data import list_notebooks
from medmeta_lite.workbook import slides
from medmeta_lite.workbook.notebook_files import read_notebook
from tests.browser_support import (
    REMOTE_RESOURCE,
    chromium_or_skip,
    chromium_page,
    jupyter_lab,
    offline_chromium_or_skip,
    screenshot,
    site_node_modules_or_skip,
    wait_until,
)

NOTEBOOKS = list_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_cell_carries_the_slide_type_of_the_rule(path):
    notebook = read_notebook(path)
    types = [cell.get("metadata", {}).get("slideshow", {}).get("slide_type") for cell in notebook["cells"]]
    assert all(kind in slides.SLIDE_TYPES for kind in types), "a cell without slide metadata"
    assert slides.assign_slide_types(copy.deepcopy(notebook)) == 0, (
        f"slide metadata differs from the rule: python -m medmeta_lite.workbook.slides --assign {path.name}")
    assert types[0] == "slide"
    code_types = [kind for cell, kind in zip(notebook["cells"], types, strict=True)
                  if cell["cell_type"] == "code"]
    assert code_types[:slides.SKELETON_CODE_CELLS] == ["skip"] * slides.SKELETON_CODE_CELLS
    assert types.count("slide") >= 5, "a deck of fewer than five slides"
    demos = [kind for cell, kind in zip(notebook["cells"], types, strict=True)
             if cell["cell_type"] == "code" and "self_check(" in "".join(cell["source"])]
    assert demos == ["subslide"], "the self-check gets a sub-slide of its own"


def test_the_rule_refuses_nothing_and_skips_only_set_up():
    notebook = {"cells": [{"cell_type": "markdown", "source": "# 99 · Title"},
                          *[{"cell_type": "code", "source": f"setup_{index} = 1"} for index in range(4)],
                          {"cell_type": "markdown", "source": "## 1. A section"},
                          {"cell_type": "code", "source": "slope_explorer(1.0)"},
                          {"cell_type": "markdown", "source": "### Self-check"},
                          {"cell_type": "markdown", "source": "More text."}]}
    assert slides.assign_slide_types(notebook) == 9
    assert [cell["metadata"]["slideshow"]["slide_type"] for cell in notebook["cells"]] == [
        "slide", "skip", "skip", "skip", "skip", "slide", "subslide", "subslide", "-"]


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    node_modules = site_node_modules_or_skip()
    folder = tmp_path_factory.mktemp("slides")
    return folder, slides.build_decks(folder, node_modules)


def test_a_deck_for_every_notebook_with_nothing_loaded_from_the_network(decks):
    folder, written = decks
    assert sorted(path.name for path in written) == sorted(f"{path.stem}.slides.html" for path in NOTEBOOKS)
    for deck in written:
        text = deck.read_text(encoding="utf-8")
        assert not REMOTE_RESOURCE.findall(text), f"{deck.name} loads {REMOTE_RESOURCE.findall(text)}"
        assert '"_static/reveal.js/dist/reveal.js"' in text
    assert (folder / "_static" / "reveal.js" / "dist" / "reveal.js").is_file()


def test_a_deck_steps_through_three_slides_offline(decks, tmp_path):
    folder, _ = decks
    offline_chromium = offline_chromium_or_skip(tmp_path)
    deck = folder / "08_averaging_meta_learner.slides.html"
    with chromium_page(offline_chromium) as page:
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(deck.as_uri())
        page.wait_for_selector(".reveal.ready")
        assert "averaging meta-learner" in page.locator("section.present").first.inner_text().lower()
        for step in range(1, 4):
            page.keyboard.press("ArrowRight")
            wait_until(page, lambda step=step: page.url.endswith(f"#/{step}"),
                       f"slide {step} was not reached")
            present = page.locator(".slides > section.present")
            assert present.inner_text().strip(), f"slide {step} is empty"
        heading = page.locator(".slides > section.present h2").first.inner_text()
        assert re.match(r"\d\. ", heading), heading
        wait_until(page, lambda: page.locator("section.present .MathJax_CHTML").count() > 0,
                   "the equations on the third slide were not typeset")
        hidden_copies = page.locator("section.present .MJX_Assistive_MathML")
        assert all(not hidden_copies.nth(index).is_visible() for index in range(hidden_copies.count())), (
            "an equation is drawn twice")
        page.wait_for_timeout(1000)  # let the slide transition finish before the picture
        screenshot(page, "slides_08_third_slide")
        remote = [url for url in requested if not url.startswith(("file:", "data:", "blob:"))]
        assert not remote, f"the deck asked the network for {remote}"


def test_jupyterlab_presents_the_same_slides_live(tmp_path):
    executable = chromium_or_skip()
    notebook = next(path for path in NOTEBOOKS if path.stem == "08_averaging_meta_learner")
    slide_cells = [cell for cell in read_notebook(notebook)["cells"]
                   if cell["metadata"]["slideshow"]["slide_type"] == "slide"]
    with jupyter_lab(tmp_path) as base, chromium_page(executable) as page:
        page.goto(f"{base}/lab/tree/{notebook.name}?reset")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        page.evaluate("window.jupyterapp.commands.execute('RISE:preview')")  # jupyterlab-rise, as Alt+R
        wait_until(page, lambda: any("/rise/" in frame.url for frame in page.frames),
                   "jupyterlab-rise opened no slideshow")
        deck = next(frame for frame in page.frames if "/rise/" in frame.url)
        deck.wait_for_selector(".reveal .slides > section")
        wait_until(page, lambda: deck.locator(".reveal .slides > section").count() == len(slide_cells),
                   f"the live deck does not have the notebook's {len(slide_cells)} slides")
        assert "Averaging meta-learner" in deck.locator("section.present").first.inner_text()
        screenshot(page, "slides_live_jupyterlab_rise")
