"""Tests of the interview question bank: the schema of the whole file, filters and rendering."""

from __future__ import annotations

import copy
import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from medmeta_lite import interview
from medmeta_lite.interview import quiz

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def test_packaged_bank_passes_its_schema():
    interview.validate_bank()


def test_every_notebook_field_names_an_existing_notebook_file():
    interview.validate_bank(notebooks_dir=NOTEBOOKS_DIR)


def test_bank_size_and_unique_ids():
    all_questions = interview.questions()
    assert len(all_questions) >= 55
    ids = [question.id for question in all_questions]
    assert len(ids) == len(set(ids))


def test_every_notebook_has_questions_and_numbered_notebooks_have_a_check():
    for stem in interview.NOTEBOOK_STEMS:
        selection = interview.questions(notebook=stem)
        assert selection, stem
        if stem != "00_start_here":
            assert any(question.check is not None for question in selection), stem


def test_step_two_coverage_of_maml_and_few_shot_medical_questions():
    assert len(interview.questions(notebook="12_maml_sinusoid")) >= 10
    few_shot = (interview.questions(notebook="13_few_shot_medical_images")
                + interview.questions(notebook="14_meta_learning_vs_fine_tuning"))
    assert len(few_shot) >= 10


def test_bank_uses_every_kind_and_difficulty():
    bank = interview.questions()
    assert {question.kind for question in bank} == set(interview.KINDS)
    assert {question.difficulty for question in bank} == set(interview.DIFFICULTIES)


def test_chinese_texts_are_chinese_and_english_texts_are_not():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for question in interview.questions():
        assert cjk.search(question.prompt.zh) and cjk.search(question.answer.zh), question.id
        assert not cjk.search(question.prompt.en + question.answer.en), question.id
        assert all(cjk.search(point) for point in question.key_points.zh), question.id


def test_each_model_answer_passes_its_own_short_answer_check():
    for question in interview.questions():
        if question.check is not None and question.check.type == "short_answer":
            for lang in interview.LANGUAGES:
                result = quiz.score_answer(question, question.answer.get(lang), lang)
                assert result.score == 1.0, (question.id, lang, result.missed)


def test_multiple_choice_options_are_distinct():
    for question in interview.questions():
        if question.check is not None and question.check.type == "multiple_choice":
            for lang in interview.LANGUAGES:
                options = question.check.options.get(lang)
                assert len(set(options)) == len(options), question.id


def test_questions_are_frozen_dataclasses():
    question = interview.get_question("mlf-001")
    with pytest.raises(dataclasses.FrozenInstanceError):
        question.topic = "other"


def test_filters_combine_and_reject_unknown_values():
    hard_coding = interview.questions(difficulty="hard", kind="debugging")
    assert hard_coding and all(q.difficulty == "hard" and q.kind == "debugging" for q in hard_coding)
    assert [q.id for q in interview.questions(topic="foundations")][0] == "mlf-000"
    with pytest.raises(ValueError, match="easy, medium, hard"):
        interview.questions(difficulty="impossible")
    with pytest.raises(ValueError, match="concept, coding, debugging, design"):
        interview.questions(kind="essay")
    with pytest.raises(ValueError, match="maml"):
        interview.questions(topic="astrology")
    with pytest.raises(ValueError, match="01_what_is_meta_learning"):
        interview.questions(notebook="99_missing")
    with pytest.raises(KeyError):
        interview.get_question("nope-000")


class _DetailsParser(HTMLParser):
    """Collects the text found outside and inside <details> elements."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.outside, self.inside = [], []

    def handle_starttag(self, tag, attrs):
        self.depth += tag == "details"

    def handle_endtag(self, tag):
        self.depth -= tag == "details"

    def handle_data(self, data):
        (self.inside if self.depth else self.outside).append(data)


def test_show_hides_answers_inside_details():
    rendered = interview.show(notebook="01_what_is_meta_learning")
    parser = _DetailsParser()
    parser.feed(rendered.data)
    outside, inside = " ".join(parser.outside), " ".join(parser.inside)
    question = interview.get_question("mlf-001")
    assert question.prompt.en in outside and question.prompt.zh in outside
    assert question.key_points.en[0] in inside and question.key_points.zh[0] in inside
    assert question.follow_ups.en[0] in inside
    assert question.key_points.en[0] not in outside
    assert "learning to learn" not in outside.lower()


def test_show_language_switch_and_id_selection():
    english = interview.show(ids=["mlf-001"], lang="en").data
    assert "What is meta-learning?" in english and "什么是元学习" not in english
    chinese = interview.show(ids="mlf-001", lang="zh").data
    assert "什么是元学习" in chinese and "What is meta-learning?" not in chinese
    code = interview.show(ids=["mlf-008"], lang="en").data
    assert "<pre" in code and "&lt;" not in code.split("<pre")[0][-5:]
    with pytest.raises(ValueError, match="lang"):
        interview.show(ids=["mlf-001"], lang="fr")
    with pytest.raises(ValueError, match="nope"):
        interview.show(notebook="01_what_is_meta_learning", ids=["nope"])


def _bank_copy():
    return copy.deepcopy(interview.raw_bank())


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda bank: bank["questions"].append(copy.deepcopy(bank["questions"][0])), "duplicate id"),
        (lambda bank: bank["questions"][0].update(difficulty="trivial"), "difficulty 'trivial'"),
        (lambda bank: bank["questions"][0].update(kind="essay"), "kind 'essay'"),
        (lambda bank: bank["questions"][0]["answer"].pop("zh"), "answer.zh: missing"),
        (lambda bank: bank["questions"][0]["key_points"]["zh"].pop(), "'en' has"),
        (lambda bank: bank["questions"][0].update(notebook="99_nothing"), "not a workbook notebook stem"),
        (lambda bank: bank["questions"][0].update(topic="astrology"), "topic 'astrology'"),
        (lambda bank: bank["questions"][0]["check"].update(correct=9), "not an index"),
        (lambda bank: bank["questions"][0].pop("sources"), "missing fields sources"),
        (lambda bank: bank["questions"][0].update(colour="red"), "unknown fields colour"),
    ],
)
def test_validate_bank_reports_each_problem(corrupt, message):
    bank = _bank_copy()
    corrupt(bank)
    with pytest.raises(ValueError, match=re.escape(message)):
        interview.validate_bank(bank)


def test_validate_bank_checks_keyword_groups_and_notebook_files(tmp_path):
    bank = _bank_copy()
    short = next(entry for entry in bank["questions"] if entry.get("check", {}).get("type") == "short_answer")
    short["check"]["keywords"]["en"].pop()
    with pytest.raises(ValueError, match="one non-empty list of keywords per key point"):
        interview.validate_bank(bank)
    with pytest.raises(ValueError, match="does not exist"):
        interview.validate_bank(_bank_copy(), notebooks_dir=tmp_path)
