"""Tests of the Leitner-box scheduler: intervals, promotion, reset and ordering."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medmeta_lite.interview import flashcards

DAY = datetime.date(2025, 3, 1)


def test_documented_intervals():
    assert flashcards.LEITNER_INTERVALS == (1, 2, 4, 8, 16)
    assert [flashcards.interval_days(box) for box in range(1, 6)] == [1, 2, 4, 8, 16]
    for bad in (0, 6, 2.0, True):
        with pytest.raises(ValueError, match="box"):
            flashcards.interval_days(bad)


def test_new_card_is_due_today_in_box_one():
    card = flashcards.new_card("mlf-001", DAY)
    assert (card.box, card.due, card.n_reviews, card.last_review) == (1, DAY, 0, None)
    assert flashcards.is_due(card, DAY)
    assert not flashcards.is_due(card, DAY - datetime.timedelta(days=1))


def test_correct_answers_climb_the_boxes_with_doubling_intervals():
    card, today, waits = flashcards.new_card("q", DAY), DAY, []
    for _ in range(6):
        card = flashcards.review(card, correct=True, today=today)
        waits.append((card.box, (card.due - today).days))
        today = card.due
    assert waits == [(2, 2), (3, 4), (4, 8), (5, 16), (5, 16), (5, 16)]
    assert card.n_reviews == 6 and card.n_lapses == 0


def test_a_wrong_answer_resets_to_box_one_due_tomorrow():
    card = flashcards.Card("q", box=4, due=DAY)
    missed = flashcards.review(card, correct=False, today=DAY)
    tomorrow = DAY + datetime.timedelta(days=1)
    assert (missed.box, missed.due, missed.n_lapses, missed.last_review) == (1, tomorrow, 1, DAY)


def test_review_counts_from_the_day_of_the_review_even_when_late():
    card = flashcards.Card("q", box=2, due=DAY)
    late = DAY + datetime.timedelta(days=10)
    assert flashcards.review(card, True, late).due == late + datetime.timedelta(days=4)


def test_cards_are_immutable_and_review_returns_a_new_card():
    card = flashcards.new_card("q", DAY)
    flashcards.review(card, True, DAY)
    assert card.box == 1
    with pytest.raises(AttributeError):
        card.box = 3


def test_due_cards_orders_by_due_date_then_box_then_input_order():
    cards = [flashcards.Card("late", 3, DAY - datetime.timedelta(2)), flashcards.Card("b", 2, DAY),
             flashcards.Card("a", 2, DAY), flashcards.Card("low", 1, DAY),
             flashcards.Card("future", 1, DAY + datetime.timedelta(1))]
    assert [card.question_id for card in flashcards.due_cards(cards, DAY)] == ["late", "low", "b", "a"]


def test_ensure_cards_adds_missing_and_keeps_existing():
    existing = {"a": flashcards.Card("a", 3, DAY + datetime.timedelta(4))}
    merged = flashcards.ensure_cards(["a", "b"], existing, DAY)
    assert merged["a"] is existing["a"] and merged["b"] == flashcards.new_card("b", DAY)
    assert "b" not in existing
    assert flashcards.box_counts(merged.values()) == {1: 1, 2: 0, 3: 1, 4: 0, 5: 0}


def test_dict_round_trip_and_malformed_records():
    card = flashcards.review(flashcards.new_card("q", DAY), False, DAY)
    assert flashcards.card_from_dict(flashcards.card_to_dict(card)) == card
    for bad in ({"box": 1}, {"question_id": "q", "box": 9, "due": "2025-01-01"},
                {"question_id": "q", "box": 1, "due": "yesterday"}):
        with pytest.raises(ValueError, match="box|malformed"):
            flashcards.card_from_dict(bad)


def test_today_must_be_a_date():
    with pytest.raises(TypeError, match="today"):
        flashcards.new_card("q", "2025-01-01")
    assert flashcards.new_card("q", datetime.datetime(2025, 1, 1, 9)).due == datetime.date(2025, 1, 1)
    assert flashcards.new_card("q").due == datetime.date.today()


@given(st.lists(st.booleans(), min_size=1, max_size=30))
def test_any_review_sequence_keeps_the_card_valid(answers):
    card, today = flashcards.new_card("q", DAY), DAY
    for correct in answers:
        card = flashcards.review(card, correct, today)
        assert 1 <= card.box <= 5
        assert card.due - today == datetime.timedelta(days=flashcards.interval_days(card.box))
        today = card.due
    assert card.n_reviews == len(answers) and card.n_lapses == answers.count(False)
    assert card.box == (1 if not answers[-1] else min(5, 1 + _trailing_true(answers)))


def _trailing_true(answers):
    count = 0
    for correct in reversed(answers):
        if not correct:
            break
        count += 1
    return count
