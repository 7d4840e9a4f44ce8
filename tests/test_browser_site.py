"""The offline site works with the network cut: two notebooks executed and exported as ``make workbook``
does, then the index and both pages opened in Chromium started inside a network namespace of its own
(``unshare -n``). Equations must be typeset, widgets must show their saved state, every page must say
that it is a static copy, and nothing may be requested from anywhere but the site's own folder."""

import re

import pytest

from medmeta_lite.workbook.runner import run_workbook
from tests.browser_support import (
    REMOTE_RESOURCE,
    chromium_page,
    offline_chromium_or_skip,
    screenshot,
    site_node_modules_or_skip,
    wait_until,
)

PAGES = ["00_start_here", "08_averaging_meta_learner"]
RAW_MATH = re.compile(r"\$[^$\n]+\$")
MATHJAX_DONE_JS = "() => !!window.MathJax && !!MathJax.Hub && MathJax.Hub.queue.pending === 0"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    node_modules = site_node_modules_or_skip()
    output = tmp_path_factory.mktemp("site")
    runs = run_workbook(output, names=PAGES, node_modules=node_modules)
    assert [run.error for run in runs] == ["", ""]
    return output / "html"


@pytest.fixture(scope="module")
def offline_chromium(tmp_path_factory):
    return offline_chromium_or_skip(tmp_path_factory.mktemp("offline"))


def test_no_page_loads_a_script_or_stylesheet_from_the_network(site):
    pages = sorted(site.glob("*.html"))
    assert {page.stem for page in pages} == {"index", *PAGES}
    for page in pages:
        found = REMOTE_RESOURCE.findall(page.read_text(encoding="utf-8"))
        assert not found, f"{page.name} loads {found}"
    assert (site / "_static" / "mathjax" / "MathJax.js").is_file()
    assert (site / "_static" / "embed-amd.js").is_file()


def test_index_and_pages_work_with_the_network_cut(site, offline_chromium):
    with chromium_page(offline_chromium) as page:
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto((site / "index.html").as_uri())
        links = page.locator("table a[href$='.html']")
        assert links.count() == len(PAGES)
        screenshot(page, "site_index")

        links.nth(1).click()  # the index links to the pages
        page.wait_for_url("**/08_averaging_meta_learner.html")
        for name in PAGES:
            page.goto((site / f"{name}.html").as_uri())
            page.wait_for_function(MATHJAX_DONE_JS, timeout=60_000)
            assert page.locator(".MathJax_CHTML").count() > 0, f"{name}: no equation was typeset"
            markdown = "\n".join(page.locator(".jp-RenderedMarkdown").all_inner_texts())
            assert not RAW_MATH.findall(markdown), f"{name}: TeX left untypeset: {RAW_MATH.findall(markdown)}"
            assert "Static copy" in page.locator(".medmeta-static-banner").inner_text()
            # Widgets come back from their saved state, figure included.
            slider = page.locator(".widget-slider").first
            slider.wait_for()
            wait_until(page, lambda: page.locator("img.widget-image, .widget-output img").count() > 0,
                       f"{name}: no widget shows its last picture")
            assert page.get_by_text("Error displaying widget").count() == 0
            slider.scroll_into_view_if_needed()
            screenshot(page, f"site_{name}")
        remote = [url for url in requested if not url.startswith(("file:", "data:", "blob:"))]
        assert not remote, f"the pages asked the network for {remote}"
