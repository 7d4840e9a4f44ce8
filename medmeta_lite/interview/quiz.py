"""Self-check quizzes on the interview bank: pure scoring functions and a plain ipywidgets front end.

Three kinds of check are scored here:

* multiple choice: the selected option index equals the correct one;
* numeric: the answer lies within ``tolerance`` of the expected value (``"87.5%"`` is read as 0.875);
* short answer: the share of key points the answer covers, each key point being covered when one of its
  keywords occurs in the answer (see :func:`score_short_answer` for the matching rules).

The widget uses only standard ipywidgets (no injected JavaScript), so it works in JupyterLab and in the
browser test; the scoring functions are separate so that tests, the command line and the mock interview
share them.
"""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass

from medmeta_lite.interview import bank
from medmeta_lite.interview.messages import MESSAGES
from medmeta_lite.validation import check_finite, check_non_negative

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z0-9]+")
# Longest first, so that "ations" is stripped before "s"; a stem keeps at least three letters.
_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ies", "ied", "ed", "es", "ly", "s", "e")
_STOPWORDS = frozenset(
    "a an the and or of to in on for with by from at as is are be been being it its this that these those "
    "than then so such into over under not no can may must should would will each every one two which "
    "what when where who how why do does did has have had their there they them we you your our more most "
    "less few many much all any some only also very".split()
)


@dataclass(frozen=True)
class Result:
    """The outcome of scoring one answer.

    Attributes
    ----------
    correct : bool
        Whether the answer passes.
    score : float
        In [0, 1]: 1 or 0 for multiple choice and numeric checks, the covered share for short answers.
    covered, missed : tuple of int
        Indices of the key points a short answer covers and misses (empty for other kinds).
    """

    correct: bool
    score: float
    covered: tuple[int, ...] = ()
    missed: tuple[int, ...] = ()


def score_multiple_choice(selected, correct: int, n_options: int | None = None) -> Result:
    """Score a multiple-choice answer: ``selected`` is the chosen option index (or ``None``).

    Examples
    --------
    >>> score_multiple_choice(1, correct=1).correct
    True
    >>> score_multiple_choice(None, correct=1).score
    0.0
    """
    if selected is None:
        return Result(False, 0.0)
    if isinstance(selected, bool) or not isinstance(selected, int):
        raise TypeError(f"selected must be an option index (int) or None, got {type(selected).__name__}")
    if selected < 0 or (n_options is not None and selected >= n_options):
        raise ValueError(f"selected={selected} is not an option index (there are {n_options} options)")
    hit = selected == correct
    return Result(hit, float(hit))


def parse_number(text) -> float:
    """Read a number typed by a person: ``"0.875"``, ``" 87.5 % "`` (percent), ``"-1e-3"`` or ``"7/8"``.

    Examples
    --------
    >>> parse_number("87.5%"), parse_number("7/8"), parse_number(2)
    (0.875, 0.875, 2.0)
    """
    if isinstance(text, bool):
        raise TypeError("a boolean is not a numeric answer")
    if isinstance(text, (int, float)):
        return float(text)
    cleaned = str(text).strip().replace(" ", "").replace("，", ",").replace("％", "%")
    try:
        if cleaned.endswith("%"):
            return float(cleaned[:-1]) / 100
        if cleaned.count("/") == 1:
            numerator, denominator = cleaned.split("/")
            return float(numerator) / float(denominator)
        return float(cleaned)
    except (ValueError, ZeroDivisionError) as error:
        raise ValueError(f"cannot read {text!r} as a number") from error


def score_numeric(answer, value: float, tolerance: float) -> Result:
    """Score a numeric answer: correct when ``|answer - value| <= tolerance``.

    ``answer`` may be a number or text accepted by :func:`parse_number`; unreadable text raises
    ``ValueError``.

    Examples
    --------
    >>> score_numeric("0.874", value=0.875, tolerance=0.005).correct
    True
    >>> score_numeric(0.9, value=0.875, tolerance=0.005).correct
    False
    """
    value = float(check_finite("value", value))
    tolerance = check_non_negative("tolerance", tolerance)
    hit = abs(parse_number(answer) - value) <= tolerance + 1e-12
    return Result(hit, float(hit))


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> list[str]:
    # "z" -> "s" first, so that British and American spellings (initialise/initialize) meet.
    return [_stem(word.replace("z", "s")) for word in _WORD.findall(text.lower())]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


def _keyword_found(keyword: str, answer_stems: list[str], answer_compact: str) -> bool:
    words = _stems(keyword)
    if not words or _CJK.search(keyword):
        # Chinese (no word boundaries) and symbols such as "==": substring match, spaces ignored.
        return _normalise(keyword) in answer_compact
    return all(any(stem == word or (len(word) >= 4 and stem.startswith(word)) for stem in answer_stems)
               for word in words)


def _default_keywords(key_point: str) -> tuple[list[str], float]:
    """Keywords derived from a key point when the bank gives none, and the share of them required."""
    if _CJK.search(key_point):
        runs = _CJK.findall(key_point)
        text = "".join(runs)
        return list(dict.fromkeys(text[i:i + 2] for i in range(len(text) - 1))), 1 / 3
    words = [word for word in _WORD.findall(key_point.lower()) if word not in _STOPWORDS and len(word) >= 4]
    return list(dict.fromkeys(words)), 1 / 3


def score_short_answer(answer: str, key_points, *, keywords=None, min_fraction: float = 0.5) -> Result:
    """Score a free-text answer by the share of key points it mentions.

    Parameters
    ----------
    answer : str
        What the candidate typed (English or Chinese).
    key_points : sequence of str
        The key points of the question, in the answer's language.
    keywords : sequence of sequence of str or None, default=None
        One group of alternatives per key point; a key point is covered when any alternative occurs.
        ``None`` derives keywords from the key points themselves (see Notes).
    min_fraction : float, default=0.5
        Share of key points needed for ``Result.correct``.

    Returns
    -------
    Result
        ``score`` is the covered share; ``covered``/``missed`` list key-point indices.

    Notes
    -----
    Matching is deliberately simple and transparent, a self-grading aid rather than a judge. English text is
    lower-cased, split into words and stemmed by stripping common suffixes (``-ing``, ``-ed``, ``-s``,
    ``-ation``...); a keyword matches when each of its stems equals, or (for stems of four letters or more)
    starts, some word stem of the answer, in any order; "z" is read as "s" so that British and American
    spellings agree. Chinese keywords, and keywords without letters or digits, match as substrings with
    whitespace ignored. Without explicit keywords, a key point counts as covered when a third of its content
    words (English: four letters or more, stop words removed) or of its character bigrams (Chinese) occur in
    the answer: key points often list alternatives, of which an answer names a few. Expect some misses and
    some false hits: the result is a suggestion that the candidate confirms or corrects.

    Examples
    --------
    >>> points = ["predict ignores its input", "the learning rate is unused"]
    >>> result = score_short_answer("The learning rate is hard-coded.", points,
    ...                             keywords=[["ignores input"], ["learning rate", "hard-coded"]])
    >>> result.score, result.covered, result.missed
    (0.5, (1,), (0,))
    >>> score_short_answer("学习率硬编码了，而且 predict 忽略输入", ["忽略输入", "学习率未使用"],
    ...                    keywords=[["忽略输入"], ["学习率"]]).correct
    True
    """
    if not isinstance(answer, str):
        raise TypeError(f"answer must be a string, got {type(answer).__name__}")
    key_points = list(key_points)
    if not key_points:
        raise ValueError("key_points must not be empty")
    if keywords is not None and len(keywords) != len(key_points):
        raise ValueError(f"keywords has {len(keywords)} groups but there are {len(key_points)} key points")
    if not 0 < min_fraction <= 1:
        raise ValueError(f"min_fraction must be in (0, 1], got {min_fraction}")
    answer_stems, answer_compact = _stems(answer), _normalise(answer)
    covered, missed = [], []
    for index, key_point in enumerate(key_points):
        if keywords is not None:
            hit = any(_keyword_found(keyword, answer_stems, answer_compact) for keyword in keywords[index])
        else:
            words, required = _default_keywords(key_point)
            found = sum(_keyword_found(word, answer_stems, answer_compact) for word in words)
            hit = bool(words) and found / len(words) >= required - 1e-12
        (covered if hit else missed).append(index)
    score = len(covered) / len(key_points)
    return Result(score >= min_fraction - 1e-12, score, tuple(covered), tuple(missed))


def option_order(question: bank.Question) -> list[int]:
    """The order in which the options of a multiple-choice check are shown: shuffled, the same every time.

    Authors tend to put the right option in the same places (in this bank most often second, almost never
    last), so the position would give the answer away. Every front end shows the options in this order,
    seeded by the question's id, and scores the index of the option as the bank lists it.

    Examples
    --------
    >>> order = option_order(bank.get_question("mlf-001"))
    >>> sorted(order) == list(range(4)), order == option_order(bank.get_question("mlf-001"))
    (True, True)
    """
    check = question.check
    if check is None or check.type != "multiple_choice":
        raise ValueError(f"question {question.id} has no multiple-choice check")
    order = list(range(len(check.options.en)))
    random.Random(zlib.crc32(question.id.encode("utf-8"))).shuffle(order)  # crc32: stable across runs
    return order


def score_answer(question: bank.Question, response, lang: str = "en") -> Result:
    """Score ``response`` against the check of ``question`` (any kind), in language ``lang``.

    Examples
    --------
    >>> score_answer(bank.get_question("mlf-008"), "2.5").correct
    True
    """
    bank.check_lang(lang)
    check = question.check
    if check is None:
        raise ValueError(f"question {question.id} has no check")
    if check.type == "multiple_choice":
        return score_multiple_choice(response, check.correct, len(check.options.en))
    if check.type == "numeric":
        return score_numeric(response, check.value, check.tolerance)
    keywords = check.keywords[lang] if check.keywords else None
    return score_short_answer(response, question.key_points.get(lang), keywords=keywords,
                              min_fraction=check.min_fraction)


def feedback_text(question: bank.Question, result: Result, lang: str = "en") -> str:
    """Return plain-text feedback for ``result``: verdict, details and the explanation.

    Examples
    --------
    >>> question = bank.get_question("mlf-008")
    >>> print(feedback_text(question, score_answer(question, "3"), lang="en"))
    Not quite. Expected 2.5 (tolerance 0.001).
    predict averages the members' predictions on the given input, (1.0 + 2.0 + 4.5) / 3 = 2.5.
    """
    bank.check_lang(lang)
    check = question.check
    lines = [MESSAGES["correct" if result.correct else "wrong"][lang]]
    if check.type == "numeric" and not result.correct:
        expected = MESSAGES["expected"][lang].format(value=f"{check.value:g}",
                                                     tolerance=f"{check.tolerance:g}")
        lines[0] += " " + expected
    if check.type == "multiple_choice" and not result.correct:
        lines[0] += f" → {check.options.get(lang)[check.correct]}"
    if check.type == "short_answer":
        points = question.key_points.get(lang)
        lines.append(MESSAGES["covered"][lang].format(k=len(result.covered), n=len(points)))
        lines += [f"  - {MESSAGES['missed'][lang]}: {points[index]}" for index in result.missed]
    lines.append(check.explanation.get(lang))
    return "\n".join(lines)


# -------------------------------------------------------------------------------------------------- widget


