"""Tests of the quiz scoring functions and of the ipywidgets self-check."""

from __future__ import annotations

import dataclasses

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
    strict = quiz.score_short_answer("The training data leak in.", points, keywords=keywords,
                                     min_fraction=0.5)
    assert strict.score == pytest.approx(1 / 3) and not strict.correct


def test_score_short_answer_in_chinese_uses_substrings():
    points = ["测试集泄漏", "成员完全相同"]
    result = quiz.score_short_answer("训练时用了测试集，造成 泄漏。", points, keywords=[["泄漏"], ["相同"]])
    assert result.sentences
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
    answer = ("predict 忽略了输入；测试集在训练时泄漏了；成员是同一个对象；梯度的符号不清楚；"
              "整数标签与浮点预测用 == 比较；每一步都重复拟合，训练量翻倍；学习率没有被使用。")
    assert quiz.score_answer(short, answer, "zh").score == 1.0
    with pytest.raises(ValueError, match="no check"):
        quiz.score_answer(dataclasses.replace(short, check=None), "x")


def test_every_question_has_a_check():
    assert [question.id for question in interview.questions() if question.check is None] == []


MULTIPLE_CHOICE = [question for question in interview.questions()
                   if question.check is not None and question.check.type == "multiple_choice"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_right_option_is_rarely_the_longest(lang):
    """Test-wise candidates pick the longest option; it must not pay off (at most 30 % of the checks)."""
    longest = []
    for question in MULTIPLE_CHOICE:
        lengths = [len(option) for option in question.check.options.get(lang)]
        right = question.check.correct
        if all(lengths[right] > length for index, length in enumerate(lengths) if index != right):
            longest.append(question.id)
    assert len(longest) <= 0.3 * len(MULTIPLE_CHOICE), (len(longest), len(MULTIPLE_CHOICE), longest)


def test_the_right_option_is_spread_over_the_shown_positions():
    """Guessing one position (for example always the second option) must not pay off either."""
    shown = [quiz.option_order(question).index(question.check.correct) for question in MULTIPLE_CHOICE]
    n_positions = len(MULTIPLE_CHOICE[0].check.options.en)
    for position in range(n_positions):
        assert shown.count(position) <= 0.3 * len(shown), (position, shown.count(position), len(shown))


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
    assert "covers 2 of 7 key points — compare it with the model answer" in feedback.value
    assert "Not quite." not in feedback.value and "Correct." not in feedback.value
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


# ----------------------------------------------------------------------------- short answers cannot be gamed

SHORT_ANSWER_QUESTIONS = [question for question in interview.questions()
                          if question.check is not None and question.check.type == "short_answer"]


def test_the_bank_has_at_least_ten_short_answer_checks():
    assert len(SHORT_ANSWER_QUESTIONS) >= 10


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("question", SHORT_ANSWER_QUESTIONS, ids=lambda question: question.id)
def test_short_answer_model_answer_passes_and_an_echo_of_the_prompts_earns_nothing(question, lang):
    model = quiz.score_answer(question, question.answer.get(lang), lang)
    assert model.correct and model.sentences, (question.id, lang, model)
    for echo in quiz.shown_prompts(question, lang) + ["\n".join(quiz.shown_prompts(question, lang))]:
        result = quiz.score_answer(question, echo, lang)
        assert result.score == 0.0 and not result.correct, (question.id, lang, echo[:60], result)


# Answers a student typed, per item: right answers in other words, keyword salads, prompt echoes.
PARAPHRASES = {
    "dep-002": [
        ("en", "Think of many hospitals: the model has practised adapting to lots of similar sites, so a new "
               "site needs only a handful of labelled scans. We still check it on that site's own patients "
               "before anyone relies on it, and it does not replace your judgement."),
        ("zh", "可以把它想成在很多家医院上反复练习：模型学会了怎样快速适应新的医院，"
               "所以新医院只需要标注几张片子。上线之前，我们仍会在这家医院自己的病人数据上做验证，"
               "它也不会取代医生的判断。"),
    ],
    "fsm-007": [
        ("en", "First I would make sure the same patient's tiles are not in both the support and the query "
               "set, because neighbouring patches leak. Then I would average accuracy over 600 random "
               "episodes and report a 95% interval, and compare with a simple pretrained baseline on the "
               "same episodes."),
        ("zh", "先确认同一位病人的切片没有同时出现在支持集和查询集里，"
               "否则相邻图块会泄露答案；"
               "再看染色或扫描仪这类捷径；然后在 600 个随机 episode 上取平均并给出 95% 区间；"
               "最后和原始像素最近邻这样的简单基线比较。"),
    ],
    "tc-001": [
        ("en", "I would treat each hospital as its own task and draw a small support set and a query set "
               "from it, taking the two from different people. Whole hospitals stay in a single meta-split, "
               "so the held-out ones test adaptation to an unseen hospital. Small and large hospitals should "
               "be sampled about equally often so that the big ones do not dominate, and with only a handful "
               "of hospitals I would create extra tasks by scanner or by augmentation."),
        ("zh", "我会把每家医院当作一个任务，从中抽取少量支持集和查询集，两者来自不同的病人。"
               "整家医院只放进一个元划分，留出的医院用来检验对新医院的适应。"
               "大小医院的抽样频率要大致均衡，避免大医院占主导；医院太少时，"
               "可以按扫描仪拆分或做数据增强来增加任务。"),
    ],
}
SALADS = {
    "dep-002": [("en", "analogy many hospitals adapt few labelled similar sites validation"),
                ("zh", "类比 多家医院 适应 少量标注 相似站点 验证")],
    "fsm-007": [("en", "leakage patient split episodes 600 interval baseline")],
    "tc-001": [("en", "site task support query held-out sites validation")],
    "mlf-012": [("en", "ignores input leakage x_test identical clone gradient sign integer float twice lr")],
}


@pytest.mark.parametrize("question_id, lang, answer",
                         [(key, lang, text) for key, entries in PARAPHRASES.items()
                          for lang, text in entries])
def test_paraphrased_right_answers_pass(question_id, lang, answer):
    result = quiz.score_answer(interview.get_question(question_id), answer, lang)
    assert result.correct and result.score >= 0.75, result


@pytest.mark.parametrize("question_id, lang, answer",
                         [(key, lang, text) for key, entries in SALADS.items() for lang, text in entries])
def test_keyword_salads_earn_nothing(question_id, lang, answer):
    question = interview.get_question(question_id)
    result = quiz.score_answer(question, answer, lang)
    assert result.score == 0.0 and not result.sentences
    assert quiz.feedback_text(question, result, lang).startswith(MESSAGES["not_sentences"][lang])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_short_answer_feedback_never_says_correct(lang):
    question = interview.get_question("dep-002")
    result = quiz.score_answer(question, question.answer.get(lang), lang)
    text = quiz.feedback_text(question, result, lang)
    assert MESSAGES["correct"][lang] not in text
    assert text.startswith(MESSAGES["covered"][lang].format(k=len(result.covered),
                                                            n=len(question.key_points.get(lang))))
    assert question.answer.get(lang) in text


def test_reads_as_sentences():
    assert quiz.reads_as_sentences("The support set adapts the model and the query set scores it.")
    assert not quiz.reads_as_sentences("support query adapt score")
    assert not quiz.reads_as_sentences("the the the support query")  # one repeated article is not a sentence
    assert quiz.reads_as_sentences("支持集用来适应模型，查询集用来评估它。")
    assert not quiz.reads_as_sentences("支持集 查询集 适应 评估")
