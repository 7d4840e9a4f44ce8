"""Spaced repetition for the interview bank: a Leitner-box scheduler made of pure functions.

Each question is a card that sits in one of five boxes. A new card starts in box 1 and is due at once.
Answering a due card correctly moves it up one box; a wrong answer sends it back to box 1. The box sets the
wait before the card is due again:

=====  ==================
box    next review after
=====  ==================
1      1 day
2      2 days
3      4 days
4      8 days
5      16 days (top box; stays there while answered correctly)
=====  ==================

Every function takes the current date as ``today`` (a ``datetime.date``), so tests and notebooks can replay
any schedule; ``None`` means ``date.today()``. Cards are frozen dataclasses; the progress file stores them
with :func:`card_to_dict` / :func:`card_from_dict`.
"""

from __future__ import annotations

import datetime as _datetime
from dataclasses import dataclass, replace

LEITNER_INTERVALS = (1, 2, 4, 8, 16)
"""Days until the next review for boxes 1 to 5."""

N_BOXES = len(LEITNER_INTERVALS)


def _today(today) -> _datetime.date:
    if today is None:
        return _datetime.date.today()
    if isinstance(today, _datetime.datetime):
        return today.date()
    if not isinstance(today, _datetime.date):
        raise TypeError(f"today must be a datetime.date or None, got {type(today).__name__}")
    return today


@dataclass(frozen=True, repr=False)
class Card:
    """The schedule of one question.

    Attributes
    ----------
    question_id : str
    box : int
        1 (new or recently missed) to 5 (well known).
    due : datetime.date
        First day the card should be reviewed again.
    n_reviews, n_lapses : int
        Reviews so far, and how many of them were wrong.
    last_review : datetime.date or None
    """

    question_id: str
    box: int
    due: _datetime.date
    n_reviews: int = 0
    n_lapses: int = 0
    last_review: _datetime.date | None = None

    def __repr__(self) -> str:
        return (f"Card({self.question_id!r}, box {self.box}, due {self.due.isoformat()}, "
                f"{self.n_reviews} reviews, {self.n_lapses} lapses)")


def interval_days(box: int) -> int:
    """Return the number of days a card waits after being promoted to (or reset into) ``box``.

    Examples
    --------
    >>> [interval_days(box) for box in range(1, 6)]
    [1, 2, 4, 8, 16]
    """
    if isinstance(box, bool) or not isinstance(box, int) or not 1 <= box <= N_BOXES:
        raise ValueError(f"box must be an integer from 1 to {N_BOXES}, got {box!r}")
    return LEITNER_INTERVALS[box - 1]


def new_card(question_id: str, today=None) -> Card:
    """Return a new card: box 1, due ``today``.

    Examples
    --------
    >>> import datetime
    >>> new_card("mlf-001", today=datetime.date(2025, 1, 1))
    Card('mlf-001', box 1, due 2025-01-01, 0 reviews, 0 lapses)
    """
    if not isinstance(question_id, str) or not question_id:
        raise ValueError("question_id must be a non-empty string")
    return Card(question_id=question_id, box=1, due=_today(today))


def review(card: Card, correct: bool, today=None) -> Card:
    """Return the card after one review: up one box when ``correct``, back to box 1 otherwise.

    The next due date is ``today`` plus the interval of the new box, so reviewing early or late always
    counts from the day of the review.

    Notes
    -----
    Used by the trainer in `notebooks/15_interview_trainer.ipynb` and by ``medmeta review``.

    References
    ----------
    Leitner, S. (1972). So lernt man lernen. Herder. (The box system.)

    Examples
    --------
    >>> import datetime
    >>> day = datetime.date(2025, 1, 1)
    >>> card = review(new_card("mlf-001", day), correct=True, today=day)
    >>> card.box, card.due
    (2, datetime.date(2025, 1, 3))
    >>> card = review(card, correct=False, today=datetime.date(2025, 1, 3))
    >>> card.box, card.due, card.n_lapses
    (1, datetime.date(2025, 1, 4), 1)
    """
    if not isinstance(card, Card):
        raise TypeError(f"card must be a Card, got {type(card).__name__}")
    today = _today(today)
    box = min(card.box + 1, N_BOXES) if correct else 1
    return replace(card, box=box, due=today + _datetime.timedelta(days=interval_days(box)),
                   n_reviews=card.n_reviews + 1, n_lapses=card.n_lapses + (not correct), last_review=today)


def is_due(card: Card, today=None) -> bool:
    """Whether ``card`` should be reviewed on ``today`` (due today or overdue)."""
    return card.due <= _today(today)


def due_cards(cards, today=None) -> list[Card]:
    """Return the cards due on ``today``, most overdue first, then lowest box, ties in input order.

    Examples
    --------
    >>> import datetime
    >>> day = datetime.date(2025, 1, 10)
    >>> cards = [new_card("b", datetime.date(2025, 1, 9)), new_card("a", datetime.date(2025, 1, 12)),
    ...          new_card("c", datetime.date(2025, 1, 5))]
    >>> [card.question_id for card in due_cards(cards, today=day)]
    ['c', 'b']
    """
    today = _today(today)
    return sorted((card for card in cards if card.due <= today), key=lambda card: (card.due, card.box))


def ensure_cards(question_ids, cards: dict, today=None) -> dict:
    """Return a new ``{question_id: Card}`` with a new card for every id not yet scheduled.

    Existing cards are kept as they are; ids of cards whose question left the bank are kept too, so that
    history is never dropped silently.
    """
    today = _today(today)
    merged = dict(cards)
    for question_id in question_ids:
        if question_id not in merged:
            merged[question_id] = new_card(question_id, today)
    return merged


def box_counts(cards) -> dict[int, int]:
    """Return how many cards sit in each box, ``{1: n1, ..., 5: n5}``.

    Examples
    --------
    >>> import datetime
    >>> box_counts([new_card("a", datetime.date(2025, 1, 1))])
    {1: 1, 2: 0, 3: 0, 4: 0, 5: 0}
    """
    counts = dict.fromkeys(range(1, N_BOXES + 1), 0)
    for card in cards:
        counts[card.box] += 1
    return counts


def simulate(answers, start=None, question_id: str = "card") -> list[dict]:
    """Replay one card through a sequence of answers, each given on the day the card falls due.

    Parameters
    ----------
    answers : sequence of bool
        Whether each successive review is correct.
    start : datetime.date or None, default=None
        Day the card is created and first reviewed (``None``: today).
    question_id : str, default="card"

    Returns
    -------
    list of dict
        One entry per review: ``day`` (date), ``box_before``, ``correct``, ``box_after``, ``next_due``.

    Examples
    --------
    >>> import datetime
    >>> history = simulate([True, True, False], start=datetime.date(2025, 1, 1))
    >>> [(entry["day"].day, entry["box_after"]) for entry in history]
    [(1, 2), (3, 3), (7, 1)]
    """
    card = new_card(question_id, start)
    history = []
    for correct in answers:
        day = card.due
        updated = review(card, bool(correct), day)
        history.append({"day": day, "box_before": card.box, "correct": bool(correct),
                        "box_after": updated.box, "next_due": updated.due})
        card = updated
    return history


def card_to_dict(card: Card) -> dict:
    """Return a JSON-ready dict of ``card`` (dates as ISO strings)."""
    return {"question_id": card.question_id, "box": card.box, "due": card.due.isoformat(),
            "n_reviews": card.n_reviews, "n_lapses": card.n_lapses,
            "last_review": card.last_review.isoformat() if card.last_review else None}


def card_from_dict(data: dict) -> Card:
    """Inverse of :func:`card_to_dict`; raises ``ValueError`` on malformed data.

    Examples
    --------
    >>> import datetime
    >>> card = review(new_card("x", datetime.date(2025, 1, 1)), True, datetime.date(2025, 1, 1))
    >>> card_from_dict(card_to_dict(card)) == card
    True
    """
    try:
        card = Card(question_id=str(data["question_id"]), box=int(data["box"]),
                    due=_datetime.date.fromisoformat(data["due"]), n_reviews=int(data.get("n_reviews", 0)),
                    n_lapses=int(data.get("n_lapses", 0)),
                    last_review=(_datetime.date.fromisoformat(data["last_review"])
                                 if data.get("last_review") else None))
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"malformed flashcard record {data!r}: {error}") from error
    interval_days(card.box)
    return card
