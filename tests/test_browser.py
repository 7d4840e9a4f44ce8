"""Widgets work for a real user: JupyterLab in headless Chromium, run all, move a slider, see a redraw."""

import pytest

from tests.browser_support import (
    chromium_or_skip,
    chromium_page,
    drag_slider,
    jupyter_lab,
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
        output.locator("img").first.wait_for()
        image_before = output.locator("img").first.get_attribute("src")
        readout_before = slider.locator(".widget-readout").inner_text()
        drag_slider(page, slider, 0.8)
        page.wait_for_function(
            "([element, old]) => element.textContent.trim() !== old",
            arg=[slider.locator(".widget-readout").element_handle(), readout_before])
        page.wait_for_function(
            "([element, old]) => { const image = element.querySelector('img');"
            " return image && image.getAttribute('src') !== old; }",
            arg=[output.element_handle(), image_before])
        assert page.get_by_text("Error displaying widget").count() == 0
        screenshot(page, f"browser_{notebook}")
