"""The Voilà app works for a real user, every time it starts: ten fresh servers, each loaded in headless
Chromium, none may hang; on one of them a mock-interview question is answered and saved, and a gallery
slider redraws its figure."""

import json
import time
from contextlib import ExitStack

from tests.browser_support import (
    chromium_or_skip,
    chromium_page,
    move_slider_and_wait_for_redraw,
    screenshot,
    voila_app,
    wait_until,
)

FRESH_STARTS = 10
LOAD_TIMEOUT_MS = 60_000  # the app shows its widgets in about 6 s here; a hang never does


def _open(page, base: str) -> float:
    """Start loading the app; return the moment it started."""
    start = time.monotonic()
    page.goto(base, wait_until="commit")
    return start


def _wait_for_widgets(page, start: float) -> float:
    """Wait until the app shows its widgets and return the seconds since ``start``; fail on a hang."""
    try:
        page.wait_for_selector(".medmeta-mock-interview", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector(".widget-tab .widget-slider", timeout=LOAD_TIMEOUT_MS)
    except Exception as error:  # a hang: say where the page stopped
        stuck = page.locator("body").inner_text()[:200]
        raise AssertionError(f"the app did not show its widgets within {LOAD_TIMEOUT_MS / 1000:.0f} s: "
                             f"{stuck!r}") from error
    return time.monotonic() - start


def _load(page, base: str) -> float:
    return _wait_for_widgets(page, _open(page, base))


def test_the_app_starts_on_fresh_servers_without_hanging(tmp_path):
    executable = chromium_or_skip()
    seconds = []
    with chromium_page(executable) as first_page:
        second_page = first_page.context.browser.new_page(viewport={"width": 1280, "height": 1000})
        pages = [first_page, second_page]
        # Two fresh servers at a time, one per core, each loaded in its own tab.
        for round_number in range(FRESH_STARTS // len(pages)):
            with ExitStack() as servers:
                bases = [servers.enter_context(voila_app(tmp_path / f"start-{round_number}-{index}"))
                         for index in range(len(pages))]
                starts = [_open(page, base) for page, base in zip(pages, bases, strict=True)]
                for page, start in zip(pages, starts, strict=True):
                    seconds.append(_wait_for_widgets(page, start))
                    assert page.get_by_text("Error displaying widget").count() == 0
                    # Code is hidden: no line of the app notebook's code reaches the page.
                    text = page.locator("body").inner_text()
                    assert "mock_interview_widget(" not in text and "import" not in text
    assert len(seconds) == FRESH_STARTS
    print(f"{FRESH_STARTS} fresh starts, widgets shown after {min(seconds):.1f} to {max(seconds):.1f} s")


def test_answer_a_question_and_move_a_slider_in_the_app(tmp_path):
    executable = chromium_or_skip()
    with voila_app(tmp_path) as base, chromium_page(executable) as page:
        _load(page, base)
        interview = page.locator(".medmeta-mock-interview")
        interview.locator(".medmeta-mock-start").click()
        answer = interview.locator("textarea")
        answer.wait_for()
        answer.fill("Meta-learning learns across many tasks how to learn a new task from few examples, "
                    "for example a prior or an initialisation that adapts in a few gradient steps.")
        interview.locator(".medmeta-mock-submit").click()
        interview.locator(".widget-checkbox").first.wait_for()
        wait_until(page, lambda: "Model answer" in interview.inner_text(),
                   "no model answer was shown after Submit")
        interview.locator(".medmeta-mock-next").click()
        progress_file = tmp_path / "trainer-home" / "progress.json"
        deadline = time.monotonic() + 30
        while not progress_file.exists():
            assert time.monotonic() < deadline, "the graded answer was not saved to the progress file"
            time.sleep(0.2)
        saved = json.loads(progress_file.read_text(encoding="utf-8"))
        assert len(saved["attempts"]) == 1 and saved["attempts"][0]["mode"] == "mock"
        screenshot(page, "app_mock_interview")

        gallery = page.locator(".widget-tab")
        move_slider_and_wait_for_redraw(page, gallery.locator(".widget-slider").first,
                                        gallery.locator("img").first, 0.85)
        # Another tab builds its demo when first opened.
        gallery.get_by_text("Averaging", exact=True).click()
        wait_until(page, lambda: gallery.locator(".widget-slider").count() >= 3,
                   "the Averaging tab did not build its demo")
        screenshot(page, "app_gallery")

