"""Tests of the quiz scoring functions and of the ipywidgets self-check."""

from __future__ import annotations

import pytest

from medmeta_lite import interview
from medmeta_lite.interview import bank, quiz
from medmeta_lite.interview.messages import MESSAGES
from medmeta_lite.widgets import quiz as quiz_widgets


def test_score_multiple_choice():
    assert quiz.score_multiple_choice(2, correct=2, n_options=4) == quiz.Result(True, 1.0)
    assert quiz.score_multiple_choice(0, correct=2, n_options=4) == quiz.Result(False, 0.0)
    assert quiz.score_multiple_choice(None, correct=2).correct is False
    with pytest.raises(ValueError, match="not an option index"):
        quiz.score_multiple_choice(4, correct=2, n_options=4)
    with pytest.raises(TypeError):
        quiz.score_multiple_choice("2", correct=2)


@pytest.mark.parametrize("text, expected", [("0.875", 0.875), (" 87.5 % ", 0.875), ("7/8", 0.875),
                                            ("-1e-3", -0.001), (3, 3.0), ("87.5％", 0.875)])
def test_parse_number(text, expected):
    assert quiz.parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "abc", "1/0", "1/2/3"])
def test_parse_number_rejects_garbage(text):
    with pytest.raises(ValueError, match="cannot read"):
        quiz.parse_number(text)


def test_score_numeric_uses_the_tolerance_on_both_sides():
    assert quiz.score_numeric("0.880", value=0.875, tolerance=0.005).correct
    assert quiz.score_numeric("0.870", value=0.875, tolerance=0.005).correct
    assert not quiz.score_numeric("0.881", value=0.875, tolerance=0.005).correct
    assert quiz.score_numeric("-10", value=-10.0, tolerance=0.0).correct
    with pytest.raises(ValueError, match="tolerance"):
        quiz.score_numeric(1.0, value=1.0, tolerance=-1)


def test_score_short_answer_with_keywords_stems_and_partial_credit():
    points = ["The test set leaks into training", "Members are identical", "The learning rate is unused"]
    keywords = [["leak", "test set"], ["identical", "bootstrap"], ["learning rate"]]
    result = quiz.score_short_answer("It is leaking test data, and the learning rates are ignored.", points,
                                     keywords=keywords)
    assert result.covered == (0, 2) and result.missed == (1,)
    assert result.score == pytest.approx(2 / 3) and result.correct
    assert not quiz.score_short_answer("Looks fine to me.", points, keywords=keywords).correct
    strict = quiz.score_short_answer("leak", points, keywords=keywords, min_fraction=0.5)
    assert strict.score == pytest.approx(1 / 3) and not strict.correct


def test_score_short_answer_in_chinese_uses_substrings():
    points = ["测试集泄漏", "成员完全相同"]
    result = quiz.score_short_answer("训练时用了测试集，造成 泄漏。", points, keywords=[["泄漏"], ["相同"]])
    assert result.covered == (0,) and result.score == 0.5


def test_score_short_answer_without_keywords_uses_key_point_words():
    points = ["Prototypes are class means of support embeddings", "Queries use squared Euclidean distance"]
    answer = "Each prototype is the mean of the support embeddings of a class."
    result = quiz.score_short_answer(answer, points)
    assert result.covered == (0,)
    chinese = quiz.score_short_answer("原型是支持集嵌入的平均值",
                                      ["原型是支持集嵌入的均值", "使用平方欧氏距离"])
    assert chinese.covered == (0,)


def test_score_short_answer_validates_its_input():
    with pytest.raises(ValueError, match="groups"):
        quiz.score_short_answer("x", ["a", "b"], keywords=[["a"]])
    with pytest.raises(ValueError, match="key_points"):
        quiz.score_short_answer("x", [])
    with pytest.raises(TypeError):
        quiz.score_short_answer(None, ["a"])


def test_score_answer_dispatches_on_the_check_type():
    multiple_choice = interview.get_question("mlf-001")
    assert quiz.score_answer(multiple_choice, multiple_choice.check.correct).correct
    numeric = interview.get_question("mlf-009")
    assert quiz.score_answer(numeric, "-10").correct
    short = interview.get_question("mlf-012")
    assert not quiz.score_answer(short, "no idea", "en").correct
    answer = "predict 忽略输入；测试集泄漏；成员相同；梯度不清；整数与浮点；训练两次；学习率未使用"
    assert quiz.score_answer(short, answer, "zh").score == 1.0
    without_check = [question for question in interview.questions() if question.check is None]
    assert without_check, "the bank should also hold questions without a check"
    with pytest.raises(ValueError, match="no check"):
        quiz.score_answer(without_check[0], "x")


def _parts(box):
    prompt, entry, button, feedback = box.children
    return entry, button, feedback


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_multiple_choice_widget_gives_feedback_with_explanation(lang):
    question = interview.get_question("mlf-001")
    seen = []
    widget = quiz_widgets.check_widget(question, lang, on_result=lambda q, r: seen.append(r))
    entry, button, feedback = _parts(widget)
    button.click()
    assert feedback.value == MESSAGES["no_choice"][lang] and not seen
    entry.value = (question.check.correct + 1) % len(question.check.options.en)
    button.click()
    assert MESSAGES["wrong"][lang] in feedback.value and seen[-1].correct is False
    entry.value = question.check.correct
    button.click()
    assert MESSAGES["correct"][lang] in feedback.value and seen[-1].correct is True
    assert question.check.explanation.get(lang)[:10] in feedback.value


def test_numeric_widget_reports_unreadable_numbers():
    entry, button, feedback = _parts(quiz_widgets.check_widget(interview.get_question("mlf-007")))
    entry.value = "lots"
    button.click()
    assert "Type a number" in feedback.value
    entry.value = "87.5%"
    button.click()
    assert "Correct." in feedback.value


def test_short_answer_widget_lists_missed_key_points():
    question = interview.get_question("mlf-012")
    entry, button, feedback = _parts(quiz_widgets.check_widget(question))
    entry.value = "predict ignores its input and the learning rate is unused"
    button.click()
    assert "covers 2 of 7 key points" in feedback.value and "Not quite." in feedback.value
    assert "trained twice" in feedback.value


def test_self_check_covers_every_numbered_notebook_and_rejects_empty_ones(monkeypatch):
    for stem in interview.NOTEBOOK_STEMS[1:]:
        box = quiz_widgets.self_check(notebook=stem, lang="zh")
        checked = [question for question in interview.questions(notebook=stem) if question.check is not None]
        assert len(box.children) == len(checked) >= 1
    with pytest.raises(ValueError, match="99_missing|allowed"):
        quiz_widgets.self_check(notebook="99_missing")
    unchecked = [q for q in interview.questions() if q.check is None]
    monkeypatch.setattr(bank, "questions", lambda **kwargs: unchecked)
    with pytest.raises(ValueError, match="01_what_is_meta_learning"):
        quiz_widgets.self_check(notebook="01_what_is_meta_learning")
    with pytest.raises(ValueError, match="lang"):
        quiz_widgets.self_check(notebook="01_what_is_meta_learning", lang="fr")
