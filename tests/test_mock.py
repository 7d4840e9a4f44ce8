"""Tests of the mock-interview logic and of the trainer widgets (driven headless, no browser)."""

from __future__ import annotations

import datetime
import json

import pytest

from medmeta_lite import interview
from medmeta_lite.interview import mock, progress
from medmeta_lite.interview.messages import level_label
from medmeta_lite.widgets import trainer


def test_draw_questions_is_reproducible_filtered_and_distinct():
    drawn = mock.draw_questions(5, kind="concept", difficulty="medium", random_state=3)
    assert drawn == mock.draw_questions(5, kind="concept", difficulty="medium", random_state=3)
    assert len({question.id for question in drawn}) == 5
    assert all(q.kind == "concept" and q.difficulty == "medium" for q in drawn)
    everything = mock.draw_questions(len(interview.questions()), random_state=0)
    assert sorted(q.id for q in everything) == sorted(q.id for q in interview.questions())


@pytest.mark.parametrize("n, message", [(0, "positive"), (True, "positive"), (10_000, "only")])
def test_draw_questions_rejects_bad_counts(n, message):
    with pytest.raises(ValueError, match=message):
        mock.draw_questions(n)


def test_suggest_checklist_uses_keywords_in_both_languages():
    question = interview.get_question("mlf-012")
    assert mock.suggest_checklist(question, "") == (False,) * 7
    assert mock.suggest_checklist(question, "Each step fits the model again, doubling the cost.", "en")[5]
    assert mock.suggest_checklist(question, "每一步都重复拟合，训练量翻倍了。", "zh")[5]
    # Words of the question earn nothing: the prompt itself says fit is called "twice".
    assert not mock.suggest_checklist(question, "It calls fit twice in each of the steps.", "en")[5]


def test_session_records_answers_and_summarizes_weak_topics():
    questions = [interview.get_question(question_id) for question_id in ("mlf-001", "maml-001", "maml-002")]
    session = mock.MockInterview(questions, lang="en", time_limit_s=60)
    assert session.current.id == "mlf-001" and not session.finished
    session.record("mlf-001", "a", elapsed_s=30, covered=[True, True, True, False])
    session.record("maml-001", "b", elapsed_s=90, covered=[False, True, False, False])
    summary = session.summarize()
    assert summary["n_answered"] == 2 and summary["n_questions"] == 3
    rows = {row["id"]: row for row in summary["questions"]}
    assert rows["mlf-001"]["score"] == 0.75 and not rows["mlf-001"]["overtime"]
    assert rows["maml-001"]["overtime"] and rows["maml-002"]["answered"] is False
    assert summary["topic_scores"] == {"foundations": 0.75, "maml": 0.125}
    assert summary["weak_topics"] == ["maml"]
    points = interview.get_question("maml-001").key_points.en
    assert rows["maml-001"]["missed"] == [points[0], points[2], points[3]]
    json.dumps(summary)


def test_session_validates_what_it_records():
    session = mock.MockInterview([interview.get_question("mlf-001")])
    with pytest.raises(ValueError, match="not part of this session"):
        session.record("maml-001", "", elapsed_s=1, covered=[True] * 4)
    with pytest.raises(ValueError, match="key points"):
        session.record("mlf-001", "", elapsed_s=1, covered=[True])
    with pytest.raises(ValueError, match="elapsed_s"):
        session.record("mlf-001", "", elapsed_s=-1, covered=[True] * 4)
    with pytest.raises(ValueError, match="at least one"):
        mock.MockInterview([])
    with pytest.raises(ValueError, match="lang"):
        mock.MockInterview([interview.get_question("mlf-001")], lang="fr")


@pytest.mark.parametrize("lang, title, weak", [("en", "# Mock interview summary", "## Weak topics"),
                                               ("zh", "# 模拟面试总结", "## 薄弱主题")])
def test_summary_markdown_in_both_languages(lang, title, weak):
    session = mock.MockInterview([interview.get_question("fsm-001")], lang=lang, time_limit_s=10)
    session.record("fsm-001", "x", elapsed_s=20, covered=[True, False, False, False])
    markdown = mock.summary_markdown(session.summarize())
    assert markdown.startswith(title) and weak in markdown
    assert ("over time" if lang == "en" else "超时") in markdown
    assert interview.get_question("fsm-001").key_points.get(lang)[1] in markdown
    in_a_notebook = mock.summary_markdown(session.summarize(), heading_level=3)
    assert in_a_notebook.startswith("##" + title) and "##" + weak in in_a_notebook
    with pytest.raises(ValueError, match="heading_level"):
        mock.summary_markdown(session.summarize(), heading_level=0)


def _children(box):
    return dict(zip(["language", "prompt", "start", "answer", "submit", "review", "checklist", "advance",
                     "summary", "save_markdown", "saved_note"], box.children, strict=True))


def test_mock_interview_widget_flow_saves_only_after_clicks(tmp_path):
    box = trainer.mock_interview_widget(n=2, random_state=0, progress_dir=tmp_path, time_limit_s=60)
    parts = _children(box)
    first = box.session.questions[0]
    # Before Start the question is hidden, so reading time cannot be spent before the clock runs.
    assert first.prompt.en[:30] not in parts["prompt"].value and parts["answer"].layout.display == "none"
    parts["start"].click()
    assert first.prompt.en[:30] in parts["prompt"].value and parts["review"].value == ""
    assert parts["start"].layout.display == "none" and parts["answer"].layout.display is None
    assert not (tmp_path / "progress.json").exists()
    parts["answer"].value = "some answer"
    parts["submit"].click()
    assert "Model answer" in parts["review"].value
    boxes = parts["checklist"].children[1:]
    assert len(boxes) == len(first.key_points.en)
    parts["language"].value = "zh"
    assert "参考答案" in parts["review"].value and boxes[0].description == first.key_points.zh[0]
    for checkbox in boxes:
        checkbox.value = True
    parts["advance"].click()
    assert json.loads((tmp_path / "progress.json").read_text(encoding="utf-8"))["attempts"][0]["score"] == 1.0
    assert parts["start"].layout.display is None and parts["answer"].layout.display == "none"
    parts["start"].click()
    parts["submit"].click()
    parts["advance"].click()
    assert box.session.finished and "模拟面试总结" in parts["summary"].value
    assert len(progress.load_progress(tmp_path)["mock_sessions"]) == 1
    parts["save_markdown"].click()
    saved = list(tmp_path.glob("mock-interview-*.md"))
    assert len(saved) == 1 and saved[0].read_text(encoding="utf-8").startswith("# 模拟面试总结")


def test_flashcard_widget_reviews_due_cards_in_bank_order(tmp_path):
    today = datetime.date(2025, 1, 1)
    box = trainer.flashcard_review_widget(n=2, progress_dir=tmp_path, today=today)
    front, show, back, grading = box.children
    assert [card.question_id for card in box.due] == [q.id for q in interview.questions()[:2]]
    show.click()
    assert interview.questions()[0].key_points.en[0] in back.value
    grading.children[0].click()
    show.click()
    grading.children[1].click()
    assert "1 of 2 known" in front.value
    cards = progress.cards(progress.load_progress(tmp_path))
    assert cards[box.due[0].question_id].due == datetime.date(2025, 1, 3)
    assert cards[box.due[1].question_id].due == datetime.date(2025, 1, 2)


def test_widgets_with_save_false_never_write(tmp_path):
    box = trainer.mock_interview_widget(n=1, random_state=0, progress_dir=tmp_path, save=False)
    parts = _children(box)
    parts["start"].click()
    parts["submit"].click()
    parts["advance"].click()
    quiz_box = trainer.recorded_quiz(notebook="08_averaging_meta_learner", progress_dir=tmp_path, save=False)
    entry, button = quiz_box.children[0].children[1:3]
    entry.value = "2.5"
    button.click()
    assert list(tmp_path.iterdir()) == []


def test_recorded_quiz_records_each_attempt(tmp_path):
    quiz_box = trainer.recorded_quiz(notebook="08_averaging_meta_learner", progress_dir=tmp_path)
    entry, button, feedback = quiz_box.children[0].children[1:4]
    entry.value = "2.5"
    button.click()
    assert "Correct." in feedback.value
    assert progress.load_progress(tmp_path)["attempts"][0]["question_id"] == "mlf-008"


@pytest.mark.parametrize("name, function, kwargs", trainer.BENCHMARK_CASES,
                         ids=[case[0] for case in trainer.BENCHMARK_CASES])
def test_benchmark_cases_run(name, function, kwargs):
    assert function(**kwargs)


def test_mock_interview_clock_starts_on_start_not_when_the_cell_runs(monkeypatch):
    clock = {"now": 0.0}
    monkeypatch.setattr(trainer.time, "monotonic", lambda: clock["now"])
    box = trainer.mock_interview_widget(n=1, random_state=0, save=False, time_limit_s=60)
    parts = _children(box)
    clock["now"] = 900.0          # the student runs every cell and reads on for a quarter of an hour
    parts["start"].click()
    clock["now"] = 930.0
    parts["answer"].value = "An answer written in thirty seconds."
    parts["submit"].click()
    review = parts["review"].value
    assert "Time taken: 30 s" in review and "over the suggested time" not in review


def test_mock_interview_labels_are_chinese_in_chinese_mode():
    box = trainer.mock_interview_widget(n=1, random_state=0, save=False, lang="en")
    parts = _children(box)
    parts["language"].value = "zh"
    question = box.session.questions[0]
    assert parts["language"].description == "语言" and parts["start"].description == "开始"
    header = parts["prompt"].value
    assert level_label(question.difficulty, "zh") in header and level_label(question.kind, "zh") in header
