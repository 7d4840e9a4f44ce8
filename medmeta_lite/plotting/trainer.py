"""Figures for the interview trainer (``notebooks/15_interview_trainer.ipynb``): pure functions."""

from __future__ import annotations

import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure

from medmeta_lite.interview import bank, flashcards
from medmeta_lite.plotting.style import FALLBACK_COLOURS, legend_beside, new_figure


def bank_counts(questions) -> dict[str, dict[str, int]]:
    """Return ``{topic: {difficulty: count}}`` for ``questions``, topics in bank order.

    Examples
    --------
    >>> bank_counts(bank.questions(topic="maml"))["maml"]["hard"] >= 1
    True
    """
    counts: dict[str, dict[str, int]] = {}
    for question in questions:
        row = counts.setdefault(question.topic, dict.fromkeys(bank.DIFFICULTIES, 0))
        row[question.difficulty] += 1
    return counts


_CJK_FONT_HINTS = ("CJK", "WenQuanYi", "SimHei", "Heiti", "PingFang", "YaHei", "Source Han",
                   "Droid Sans Fallback")


def chinese_font() -> str | None:
    """Return the family name of an installed font with Chinese glyphs, or ``None`` when there is none."""

    for font in font_manager.fontManager.ttflist:
        if any(hint.lower() in font.name.lower() for hint in _CJK_FONT_HINTS):
            return font.name
    return None


def plot_bank_overview(questions, lang: str = "en") -> Figure:
    """Draw the number of questions per topic as horizontal bars stacked by difficulty.

    With ``lang="zh"`` the topic names are Chinese when a font with Chinese glyphs is installed, English
    otherwise (rather than drawing empty boxes).

    Examples
    --------
    >>> figure = plot_bank_overview(bank.questions())
    >>> figure.axes[0].get_xlabel()
    'questions'
    """
    counts = bank_counts(questions)
    labels = bank.topics()
    font = chinese_font() if lang == "zh" else None
    lang = "zh" if font else "en"
    topics = list(counts)
    figure, axes = new_figure(width=7.0, height=0.32 * len(topics) + 1.2)
    left = np.zeros(len(topics))
    for index, difficulty in enumerate(bank.DIFFICULTIES):
        values = np.array([counts[topic][difficulty] for topic in topics])
        axes.barh(range(len(topics)), values, left=left, color=FALLBACK_COLOURS[index], label=difficulty)
        left += values
    axes.set_yticks(range(len(topics)), [labels[topic].get(lang) for topic in topics],
                    **({"fontfamily": font} if font else {}))
    axes.invert_yaxis()
    axes.set_xlabel("questions" if lang == "en" else "题目数", **({"fontfamily": font} if font else {}))
    axes.legend(loc="lower right")
    axes.grid(axis="y", visible=False)
    return figure


def plot_review_history(history) -> Figure:
    """Draw a simulated flashcard history (:func:`medmeta_lite.interview.flashcards.simulate`): box by day.

    Correct reviews are drawn as filled circles, wrong ones as crosses; the step line shows the box the card
    waits in until its next review.

    Examples
    --------
    >>> import datetime
    >>> figure = plot_review_history(flashcards.simulate([True, False, True], datetime.date(2025, 1, 1)))
    >>> figure.axes[0].get_ylabel()
    'Leitner box'
    """
    if not history:
        raise ValueError("history is empty: simulate at least one review")
    start = history[0]["day"]
    days = [(entry["day"] - start).days for entry in history]
    boxes = [entry["box_after"] for entry in history]
    end = (history[-1]["next_due"] - start).days
    figure, axes = new_figure(width=8.6, height=3.0)
    axes.step(days + [end], boxes + [boxes[-1]], where="post", color=FALLBACK_COLOURS[0], linewidth=1.5)
    for day, entry in zip(days, history, strict=True):
        axes.plot(day, entry["box_before"], "o" if entry["correct"] else "x", markersize=7,
                  color=FALLBACK_COLOURS[2] if entry["correct"] else FALLBACK_COLOURS[3])
    axes.plot([], [], "o", color=FALLBACK_COLOURS[2], label="review: correct")
    axes.plot([], [], "x", color=FALLBACK_COLOURS[3], label="review: wrong")
    axes.set_yticks(range(1, flashcards.N_BOXES + 1))
    axes.set_xlabel("day")
    axes.set_ylabel("Leitner box")
    legend_beside(axes)
    return figure
