"""The interview trainer works for a real user: JupyterLab in headless Chromium, notebook 15.

One self-check is answered (pick an option, press Check, read the feedback) and one mock-interview question
is answered, self-graded and saved to the progress file of the server's ``MEDMETA_LITE_HOME``.
"""

import json
import time

import pytest

from tests.browser_support import chromium_or_skip, chromium_page, jupyter_lab, open_and_run_all, screenshot

NOTEBOOK = "15_interview_trainer.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    executable = chromium_or_skip()
    work_dir = tmp_path_factory.mktemp("trainer-lab")
    with jupyter_lab(work_dir) as base:
        yield base, executable, work_dir / "trainer-home"


def _wait_for_file(path, timeout_s=30.0):
    deadline = time.time() + timeout_s
    while not path.exists():
        if time.time() > deadline:
            raise AssertionError(f"{path.name} was not written after {timeout_s} s")
        time.sleep(0.2)
    return json.loads(path.read_text(encoding="utf-8"))


def test_self_check_and_mock_interview_in_the_browser(lab):
    base, executable, trainer_home = lab
    with chromium_page(executable) as page:
        open_and_run_all(page, base, NOTEBOOK)
        assert not (trainer_home / "progress.json").exists(), "running the notebook must not write progress"

        # Self-check: a wrong option first, then the right one; feedback appears under the button.
        check = page.locator(".medmeta-check", has_text="dep-003")
        check.scroll_into_view_if_needed()
        feedback = check.locator(".medmeta-feedback")
        check.locator("label", has_text="The training loss of the meta-learner.").click()
        check.locator("button", has_text="Check").click()
        page.wait_for_function("element => element.textContent.includes('Not quite.')",
                               arg=feedback.element_handle())
        check.locator("label", has_text="A shift in the distribution").click()
        check.locator("button", has_text="Check").click()
        page.wait_for_function("element => element.textContent.includes('Correct.')",
                               arg=feedback.element_handle())
        assert "needs no labels" in feedback.inner_text()
        feedback.scroll_into_view_if_needed()
        screenshot(page, "browser_trainer_self_check")

        # Mock interview: answer, submit, see the model answer and checklist, tick a point, move on.
        mock = page.locator(".medmeta-mock-interview")
        mock.scroll_into_view_if_needed()
        # JupyterLab renders scrolled-in cells lazily: wait for the content rather than reading it at once.
        page.wait_for_function("element => element.textContent.includes('Question 1 of 3')",
                               arg=mock.element_handle())
        mock.locator(".medmeta-mock-answer-input textarea").fill("Confidence intervals over many episodes.")
        mock.locator("button.medmeta-mock-submit").click()
        mock.get_by_text("Model answer").wait_for()
        checkboxes = mock.locator(".widget-checkbox input[type=checkbox]")
        assert checkboxes.count() >= 3
        checkboxes.first.check()
        mock.locator("button.medmeta-mock-next").click()
        page.wait_for_function("element => element.textContent.includes('Question 2 of 3')",
                               arg=mock.element_handle())
        mock.scroll_into_view_if_needed()
        screenshot(page, "browser_trainer_mock_interview")

    record = _wait_for_file(trainer_home / "progress.json")
    assert [attempt["mode"] for attempt in record["attempts"]] == ["mock"]
    assert record["attempts"][0]["score"] > 0
