"""Timed mock interviews on the question bank: drawing questions, self-grading and the weak-topic summary.

A session draws ``n`` questions (filtered by topic, kind and difficulty, reproducible with
``random_state``). For each one the candidate answers within a time limit, then sees the model answer with
the key points as a checklist and ticks the points the answer covered; :func:`suggest_checklist` pre-ticks
the points that keyword matching finds, and the candidate corrects it. The summary scores each answer by
the share of key points covered, lists weak topics (mean score below ``WEAK_THRESHOLD``) and exports as
Markdown in English or Chinese.

This module is pure logic: the timer is measured by the caller (``elapsed_s``), so tests run instantly. The
notebook front end is ``medmeta_lite.widgets.trainer`` and the terminal one is ``medmeta mock``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from medmeta_lite.interview import bank, quiz
from medmeta_lite.interview.messages import MESSAGES, level_label
from medmeta_lite.validation import make_rng

WEAK_THRESHOLD = 0.6
"""A topic whose mean key-point coverage is below this is reported as weak."""



def draw_questions(n: int, *, topic=None, kind=None, difficulty=None, random_state=None) -> list:
    """Draw ``n`` distinct questions from the bank, after filtering, in random order.

    Parameters
    ----------
    n : int
        Number of questions, at least 1 and at most the number that pass the filters.
    topic, kind, difficulty : str or None, default=None
        Filters, as in :func:`medmeta_lite.interview.bank.questions`.
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    list of Question

    Examples
    --------
    >>> drawn = draw_questions(3, topic="maml", random_state=0)
    >>> len({question.id for question in drawn}), all(question.topic == "maml" for question in drawn)
    (3, True)
    >>> drawn == draw_questions(3, topic="maml", random_state=0)
    True
    """
    pool = bank.questions(topic=topic, kind=kind, difficulty=difficulty)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if n > len(pool):
        raise ValueError(f"asked for {n} questions but only {len(pool)} match topic={topic!r}, "
                         f"kind={kind!r}, difficulty={difficulty!r}")
    rng = make_rng(random_state)
    return [pool[index] for index in rng.choice(len(pool), size=int(n), replace=False)]


def suggest_checklist(question: bank.Question, answer: str, lang: str = "en") -> tuple[bool, ...]:
    """Return, for each key point of ``question``, whether keyword matching finds it in ``answer``.

    Uses the question's short-answer keywords when it has them, otherwise keywords derived from the key
    points; words of the question earn nothing and a list of keywords ticks nothing (see
    :func:`medmeta_lite.interview.quiz.score_short_answer`). It is a suggestion for self-grading.

    Examples
    --------
    >>> suggest_checklist(bank.get_question("mlf-012"), "predict ignores its input; lr is unused")
    (True, False, False, False, False, False, True)
    """
    bank.check_lang(lang)
    result = quiz.score_key_points(question, answer or "", lang)
    return tuple(index in result.covered for index in range(len(question.key_points.get(lang))))


@dataclass(frozen=True)
class MockAnswer:
    """One answered question: the text, the time taken and the ticked key points."""

    question_id: str
    answer: str
    elapsed_s: float
    covered: tuple[bool, ...]

    @property
    def score(self) -> float:
        return sum(self.covered) / len(self.covered) if self.covered else 0.0


class MockInterview:
    """A mock-interview session: a fixed list of questions and the answers recorded so far.

    Parameters
    ----------
    questions : sequence of Question
    lang : {"en", "zh"}, default="en"
    time_limit_s : float, default=180
        Suggested time per question; longer answers are flagged "over time" in the summary.

    Notes
    -----
    The trainer in `notebooks/15_interview_trainer.ipynb` drives it through
    ``medmeta_lite.widgets.trainer.mock_interview_widget``.

    Examples
    --------
    >>> session = MockInterview(draw_questions(2, random_state=1), lang="en", time_limit_s=60)
    >>> first = session.current
    >>> covered = [True] * len(first.key_points.en)
    >>> session.record(first.id, "my answer", elapsed_s=42.0, covered=covered)
    >>> session.n_answered, session.finished
    (1, False)
    """

    def __init__(self, questions, *, lang: str = "en", time_limit_s: float = 180.0):
        self.questions = tuple(questions)
        if not self.questions:
            raise ValueError("a mock interview needs at least one question")
        self.lang = bank.check_lang(lang)
        if not time_limit_s > 0:
            raise ValueError(f"time_limit_s must be positive, got {time_limit_s!r}")
        self.time_limit_s = float(time_limit_s)
        self.answers: dict[str, MockAnswer] = {}

    def __repr__(self) -> str:
        return (f"MockInterview({len(self.questions)} questions, {self.n_answered} answered, "
                f"lang={self.lang!r}, time_limit_s={self.time_limit_s:g})")

    @property
    def n_answered(self) -> int:
        return len(self.answers)

    @property
    def finished(self) -> bool:
        return all(question.id in self.answers for question in self.questions)

    @property
    def current(self):
        """The first question without an answer, or ``None`` when the session is finished."""
        return next((question for question in self.questions if question.id not in self.answers), None)

    def record(self, question_id: str, answer: str, *, elapsed_s: float, covered) -> None:
        """Store the answer to ``question_id`` with the self-graded checklist ``covered``."""
        question = next((question for question in self.questions if question.id == question_id), None)
        if question is None:
            raise ValueError(f"question {question_id!r} is not part of this session")
        covered = tuple(bool(flag) for flag in covered)
        if len(covered) != len(question.key_points.en):
            raise ValueError(f"covered has {len(covered)} entries but {question_id} has "
                             f"{len(question.key_points.en)} key points")
        if elapsed_s < 0:
            raise ValueError(f"elapsed_s must be >= 0, got {elapsed_s}")
        self.answers[question_id] = MockAnswer(question_id, answer, float(elapsed_s), covered)

    def summarize(self) -> dict:
        """Return the session summary as a JSON-ready dict (see :func:`summary_markdown`)."""
        rows, by_topic = [], {}
        for question in self.questions:
            answer = self.answers.get(question.id)
            points = question.key_points.get(self.lang)
            ticked = answer.covered if answer else (False,) * len(points)
            row = {"id": question.id, "topic": question.topic, "kind": question.kind,
                   "difficulty": question.difficulty, "answered": answer is not None,
                   "score": round(answer.score, 4) if answer else 0.0,
                   "elapsed_s": round(answer.elapsed_s, 1) if answer else None,
                   "overtime": bool(answer and answer.elapsed_s > self.time_limit_s),
                   "missed": [point for point, hit in zip(points, ticked, strict=True) if not hit]}
            rows.append(row)
            by_topic.setdefault(question.topic, []).append(row["score"])
        topic_scores = {topic: round(float(np.mean(scores)), 4) for topic, scores in sorted(by_topic.items())}
        weak = sorted((topic for topic, score in topic_scores.items() if score < WEAK_THRESHOLD),
                      key=lambda topic: (topic_scores[topic], topic))
        mean_score = round(float(np.mean([row["score"] for row in rows])), 4)
        return {"lang": self.lang, "time_limit_s": self.time_limit_s, "n_questions": len(rows),
                "n_answered": self.n_answered, "mean_score": mean_score,
                "questions": rows, "topic_scores": topic_scores, "weak_topics": weak}


def summary_markdown(summary: dict, lang: str | None = None, *, heading_level: int = 1) -> str:
    """Render a session summary (from :meth:`MockInterview.summarize`) as Markdown.

    Parameters
    ----------
    summary : dict
    lang : {"en", "zh"}, optional
        Default: the language of the session.
    heading_level : int, default=1
        Level of the title (``#``); sections are one level below. Inside a notebook use 3, so that the
        summary does not outrank the notebook's own sections.

    Examples
    --------
    >>> session = MockInterview(draw_questions(1, topic="foundations", random_state=0), time_limit_s=60)
    >>> question = session.current
    >>> session.record(question.id, "...", elapsed_s=75, covered=[False] * len(question.key_points.en))
    >>> print(summary_markdown(session.summarize()).splitlines()[0])
    # Mock interview summary
    """
    lang = bank.check_lang(lang or summary["lang"])
    if isinstance(heading_level, bool) or heading_level not in range(1, 6):
        raise ValueError(f"heading_level must be an integer from 1 to 5, got {heading_level!r}")
    title, section = "#" * heading_level, "#" * (heading_level + 1)
    topics = bank.topics()
    lines = [f"{title} {MESSAGES['title'][lang]}", "",
             MESSAGES["overall"][lang].format(answered=summary["n_answered"], total=summary["n_questions"],
                                           score=summary["mean_score"]), "",
             MESSAGES["header"][lang], "|---|---|---|---|---|---|"]
    for number, row in enumerate(summary["questions"], start=1):
        topic = topics[row["topic"]].get(lang) if row["topic"] in topics else row["topic"]
        if row["answered"]:
            overtime = f" ({MESSAGES['overtime'][lang]})" if row["overtime"] else ""
            time = f"{row['elapsed_s']:.0f} s{overtime}"
        else:
            time = MESSAGES["skipped"][lang]
        difficulty = level_label(row["difficulty"], lang)
        lines.append(f"| {number} | {row['id']} | {topic} | {difficulty} | {row['score']:.0%} "
                     f"| {time} |")
    lines += ["", f"{section} {MESSAGES['weak'][lang]}", ""]
    if summary["weak_topics"]:
        lines += [f"- {topics[topic].get(lang) if topic in topics else topic}: "
                  f"{summary['topic_scores'][topic]:.0%}" for topic in summary["weak_topics"]]
    else:
        lines.append(MESSAGES["none_weak"][lang])
    missed = [(row["id"], point) for row in summary["questions"] for point in row["missed"]]
    if missed:
        lines += ["", f"{section} {MESSAGES['review'][lang]}", ""]
        lines += [f"- {question_id}: {point}" for question_id, point in missed]
    return "\n".join(lines) + "\n"
