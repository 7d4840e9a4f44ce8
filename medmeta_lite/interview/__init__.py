"""The interview trainer: the bilingual question bank and its rendering, scoring, flashcards, progress,
mock interviews and the ``medmeta`` command.

The bank's API (``questions``, ``get_question``, ``show``, ...) is re-exported here; the other parts are
modules of their own: ``quiz`` (scoring), ``flashcards`` (Leitner boxes), ``progress`` (the saved file),
``mock`` (timed mock interviews), ``messages`` (every interface string in both languages) and ``cli``.
"""

from medmeta_lite.interview import flashcards, messages, mock, progress, quiz
from medmeta_lite.interview.bank import (
    CHECK_TYPES,
    DIFFICULTIES,
    KINDS,
    LANGUAGES,
    NOTEBOOK_STEMS,
    Bilingual,
    BilingualList,
    Check,
    Question,
    check_lang,
    get_question,
    join_lines,
    questions,
    raw_bank,
    topics,
    validate_bank,
)
from medmeta_lite.interview.rendering import question_html, show

__all__ = [
    "CHECK_TYPES",
    "DIFFICULTIES",
    "KINDS",
    "LANGUAGES",
    "NOTEBOOK_STEMS",
    "Bilingual",
    "BilingualList",
    "Check",
    "Question",
    "check_lang",
    "flashcards",
    "get_question",
    "join_lines",
    "messages",
    "mock",
    "progress",
    "question_html",
    "questions",
    "quiz",
    "raw_bank",
    "show",
    "topics",
    "validate_bank",
]
