"""The interview trainer works for a real user: JupyterLab in headless Chromium, notebook 15.

One self-check is answered (pick an option, press Check, read the feedback); a three-question mock interview
is answered, self-graded and saved to the progress file of the server's ``MEDMETA_LITE_HOME``; then one
flashcard is graded in the next widget, and every answer and the session must still be in the file.
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
        check.locator("label", has_text="The training loss of the meta-learner").click()
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

        # One of the questions added in 2026: a regulatory check, answered right at the first try.
        new_item = page.locator(".medmeta-check", has_text="dep-004")
        new_item.scroll_into_view_if_needed()
        new_item.locator("label", has_text="Make modifications described and verified").click()
        new_item.locator("button", has_text="Check").click()
        page.wait_for_function("element => element.textContent.includes('Correct.')",
                               arg=new_item.locator(".medmeta-feedback").element_handle())

        # A short answer: a list of keywords earns nothing; sentences earn key points, never a bare verdict.
        short = page.locator(".medmeta-check", has_text="dep-001")
        short.scroll_into_view_if_needed()
        short_feedback = short.locator(".medmeta-feedback")
        short.locator("textarea").fill("held-out sites baseline fine-tuning patient split monitoring drift")
        short.locator("button", has_text="Check").click()
        page.wait_for_function("element => element.textContent.includes('No credit')",
                               arg=short_feedback.element_handle())
        sentences = ("I would treat each site as a task and hold out whole sites for testing. I would "
                     "compare with a fine-tuned baseline, split by patient, and monitor drift "
                     "after deployment.")
        short.locator("textarea").fill(sentences)
        short.locator("button", has_text="Check").click()
        page.wait_for_function("element => element.textContent.includes('compare it with the model answer')",
                               arg=short_feedback.element_handle())
        assert "Correct." not in short_feedback.inner_text()
        short_feedback.scroll_into_view_if_needed()
        screenshot(page, "browser_trainer_short_answer")

        # Mock interview: answer, submit, see the model answer and checklist, tick a point, move on.
        mock = page.locator(".medmeta-mock-interview")
        mock.scroll_into_view_if_needed()
        # JupyterLab renders scrolled-in cells lazily: wait for the content rather than reading it at once.
        page.wait_for_function("element => element.textContent.includes('Question 1 of 3')",
                               arg=mock.element_handle())
        # The question stays hidden, and its clock stopped, until Start is pressed.
        assert mock.locator(".medmeta-mock-answer-input textarea").count() == 0 or \
            not mock.locator(".medmeta-mock-answer-input textarea").is_visible()
        mock.locator("button.medmeta-mock-start").click()
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

        # Finish the interview: two more answers, then the session summary is saved too.
        for number in (2, 3):
            mock.locator("button.medmeta-mock-start").click()
            mock.locator(".medmeta-mock-answer-input textarea").fill("Average over 600 episodes.")
            mock.locator("button.medmeta-mock-submit").click()
            mock.get_by_text("Model answer").wait_for()
            mock.locator("button.medmeta-mock-next").click()
            if number == 2:
                page.wait_for_function("element => element.textContent.includes('Question 3 of 3')",
                                       arg=mock.element_handle())
        _wait_for(lambda: len(_read(trainer_home)["mock_sessions"]) == 1, "the mock session was not saved")

        # A flashcard graded in the next widget must keep every answer and the session above: the widget
        # loaded its copy of the progress before the interview, and must not write that copy back.
        cards = page.locator(".medmeta-flashcards")
        cards.scroll_into_view_if_needed()
        cards.locator("button", has_text="Show answer").click()
        cards.locator("button", has_text="I knew it").click()
        _wait_for(lambda: any(attempt["mode"] == "flashcard" for attempt in _read(trainer_home)["attempts"]),
                  "the flashcard answer was not saved")
        screenshot(page, "browser_trainer_flashcard")

    record = _read(trainer_home)
    assert [attempt["mode"] for attempt in record["attempts"]] == ["mock", "mock", "mock", "flashcard"]
    assert len(record["mock_sessions"]) == 1 and record["mock_sessions"][0]["n_answered"] == 3


def _read(home):
    return json.loads((home / "progress.json").read_text(encoding="utf-8"))


def _wait_for(condition, message, timeout_s=30.0):
    deadline = time.time() + timeout_s
    while not condition():
        if time.time() > deadline:
            raise AssertionError(message)
        time.sleep(0.2)
