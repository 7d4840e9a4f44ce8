"""Widgets work for a real user: JupyterLab in headless Chromium, run all, move a slider, see a redraw."""

import pytest

from tests.browser_support import (
    chromium_or_skip,
    chromium_page,
    jupyter_lab,
    move_slider_and_wait_for_redraw,
    open_and_run_all,
    screenshot,
)

# Notebooks whose first slider redraws a plot; each is checked the same way.
WIDGET_NOTEBOOKS = ["00_start_here", "01_what_is_meta_learning", "08_averaging_meta_learner"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    executable = chromium_or_skip()
    with jupyter_lab(tmp_path_factory.mktemp("lab")) as base:
        yield base, executable


@pytest.mark.parametrize("notebook", WIDGET_NOTEBOOKS)
def test_slider_redraws_the_plot(lab, notebook):
    base, executable = lab
    with chromium_page(executable) as page:
        open_and_run_all(page, base, f"{notebook}.ipynb")
        # A widget extension that fails to load shows the widget's repr as text: wait for a real slider.
        slider = page.locator(".widget-slider").first
        slider.wait_for()
        output = page.locator(".widget-interact .widget-output, .widget-output").first
        move_slider_and_wait_for_redraw(page, slider, output.locator("img").first)
        assert page.get_by_text("Error displaying widget").count() == 0
        screenshot(page, f"browser_{notebook}")


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory):
    executable = chromium_or_skip()
    with jupyter_lab(tmp_path_factory.mktemp("notebook7"), app="notebook") as base:
        yield base, executable


def test_slider_redraws_the_plot_in_notebook_7(notebook7):
    base, executable = notebook7
    with chromium_page(executable) as page:
        open_and_run_all(page, base, "08_averaging_meta_learner.ipynb", ui="notebooks")
        slider = page.locator(".widget-slider").first
        slider.wait_for()
        output = page.locator(".widget-output").first
        move_slider_and_wait_for_redraw(page, slider, output.locator("img").first)
        assert page.get_by_text("Error displaying widget").count() == 0
        screenshot(page, "browser_notebook7_08_averaging_meta_learner")
