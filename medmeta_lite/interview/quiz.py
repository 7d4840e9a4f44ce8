"""Self-check quizzes on the interview bank: pure scoring functions and a plain ipywidgets front end.

Three kinds of check are scored here:

* multiple choice: the selected option index equals the correct one;
* numeric: the answer lies within ``tolerance`` of the expected value (``"87.5%"`` is read as 0.875);
* short answer: the share of key points the answer covers, each key point being covered when one of its
  keywords or synonyms occurs in the answer; words of the question itself earn nothing, and a list of
  keywords that is not written as sentences earns no credit (see :func:`score_short_answer`).

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
# Words that hold sentences together: an answer written in sentences has many, a pasted list of keywords
# has none. Chinese has no spaces, so its particles and connectives play the same role.
_FUNCTION_WORDS = frozenset(
    "a an the is are was were be been am to of in on at by for with from as that this these those it its "
    "they them their we our you your he she his her which who whose because so if when while than then but "
    "and or not nor can could will would should must may might do does did has have had into onto there "
    "what how why per via each every both also just again still".split()
)
_FUNCTION_CHARACTERS = frozenset("的了是在和与及把被将就而对用让会要能可以"
                                 "因为所以如果但并也都其这那它们我你他从给到")


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
    sentences : bool
        False when a short answer reads as a list of keywords rather than sentences (it then scores 0).
    """

    correct: bool
    score: float
    covered: tuple[int, ...] = ()
    missed: tuple[int, ...] = ()
    sentences: bool = True


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


def _default_keywords(key_point: str) -> list[str]:
    """Keywords derived from a key point when the bank gives none (a third of them must occur)."""
    if _CJK.search(key_point):
        text = "".join(_CJK.findall(key_point))
        return list(dict.fromkeys(text[i:i + 2] for i in range(len(text) - 1)))
    words = [word for word in _WORD.findall(key_point.lower()) if word not in _STOPWORDS and len(word) >= 4]
    return list(dict.fromkeys(words))


def reads_as_sentences(answer: str) -> bool:
    """Whether ``answer`` is written as sentences rather than as a list of keywords.

    English needs at least four words, at least two different function words (articles, prepositions,
    auxiliaries, pronouns, conjunctions) and function words making up at least a tenth of its words;
    Chinese needs at least one particle or connective (的, 是, 在, 因为…) per twenty characters. An answer
    with twenty Chinese characters or more (code and English terms inside Chinese prose are common) is
    judged as Chinese.

    Examples
    --------
    >>> reads_as_sentences("Treat each hospital as a task, so that the model adapts from a few labels.")
    True
    >>> reads_as_sentences("analogy many hospitals adapt few labelled similar sites validation")
    False
    >>> reads_as_sentences("把每家医院当作一个任务，模型只需少量标注就能适应新医院。")
    True
    >>> reads_as_sentences("类比 多家医院 适应 少量标注 验证")
    False
    """
    characters = _CJK.findall(answer)
    words = _WORD.findall(_CJK.sub(" ", answer.lower()))
    if len(characters) >= 20 or len(characters) > len(words):
        found = sum(character in _FUNCTION_CHARACTERS for character in characters)
        return found >= max(1, len(characters) / 20)
    function_words = [word for word in words if word in _FUNCTION_WORDS]
    return len(words) >= 4 and len(set(function_words)) >= 2 and len(function_words) >= 0.1 * len(words)


def score_short_answer(answer: str, key_points, *, keywords=None, min_fraction: float = 0.5,
                       prompt=None) -> Result:
    """Score a free-text answer by the share of key points it mentions.

    Parameters
    ----------
    answer : str
        What the candidate typed (English or Chinese).
    key_points : sequence of str
        The key points of the question, in the answer's language.
    keywords : sequence of sequence of str or None, default=None
        One group of alternatives (synonyms, paraphrases) per key point; a key point is covered when any
        alternative occurs. ``None`` derives keywords from the key points themselves (see Notes).
    min_fraction : float, default=0.5
        Share of key points needed for ``Result.correct``.
    prompt : str, sequence of str or None, default=None
        The question the candidate saw. A keyword that occurs in it earns nothing, so pasting the question
        back scores 0.

    Returns
    -------
    Result
        ``score`` is the covered share; ``covered``/``missed`` list key-point indices; ``sentences`` is
        False (and the score 0) when the answer is a list of keywords (:func:`reads_as_sentences`).

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
    >>> result = score_short_answer("The learning rate is hard-coded in the loop.", points,
    ...                             keywords=[["ignores input"], ["learning rate", "hard-coded"]])
    >>> result.score, result.covered, result.missed
    (0.5, (1,), (0,))
    >>> score_short_answer("学习率被硬编码了，而且 predict 忽略了输入", ["忽略输入", "学习率未使用"],
    ...                    keywords=[["忽略了输入"], ["学习率"]]).correct
    True
    >>> echo = "Why is the learning rate of this code unused?"
    >>> score_short_answer(echo, points, keywords=[["ignores input"], ["learning rate", "hard-coded"]],
    ...                    prompt=echo).score
    0.0
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
    prompt = "\n".join([prompt] if isinstance(prompt, str) else list(prompt or ()))
    prompt_stems, prompt_compact = _stems(prompt), _normalise(prompt)
    if not reads_as_sentences(answer):
        return Result(False, 0.0, (), tuple(range(len(key_points))), sentences=False)
    answer_stems, answer_compact = _stems(answer), _normalise(answer)
    covered, missed = [], []
    for index, key_point in enumerate(key_points):
        group = keywords[index] if keywords is not None else _default_keywords(key_point)
        # Words the candidate was given earn nothing: they prove only that the question was read.
        group = [keyword for keyword in group if not (prompt and _keyword_found(keyword, prompt_stems,
                                                                                 prompt_compact))]
        found = sum(_keyword_found(keyword, answer_stems, answer_compact) for keyword in group)
        hit = found >= 1 if keywords is not None else bool(group) and found >= len(group) / 3 - 1e-12
        (covered if hit else missed).append(index)
    score = len(covered) / len(key_points)
    return Result(score >= min_fraction - 1e-12, score, tuple(covered), tuple(missed))


def option_order(question: bank.Question) -> list[int]:
    """The order in which the options of a multiple-choice check are shown: shuffled, the same every time.

    Authors tend to put the right option in the same places (in this bank most often first or second,
    almost never last), so the position would give the answer away. The right option is therefore shown
    at positions taken in turn through the bank's multiple-choice checks (first, second, third, fourth,
    first…), so every position holds the answer equally often; the wrong options fill the other places in
    an order shuffled by the question's id. Every front end shows the options in this order and scores the
    index of the option as the bank lists it.

    Examples
    --------
    >>> order = option_order(bank.get_question("mlf-001"))
    >>> sorted(order) == list(range(4)), order == option_order(bank.get_question("mlf-001"))
    (True, True)
    """
    check = question.check
    if check is None or check.type != "multiple_choice":
        raise ValueError(f"question {question.id} has no multiple-choice check")
    n_options = len(check.options.en)
    wrong = [index for index in range(n_options) if index != check.correct]
    seed = zlib.crc32(question.id.encode("utf-8"))  # crc32, not hash(): stable across runs
    random.Random(seed).shuffle(wrong)
    in_turn = [other.id for other in bank.questions()
               if other.check is not None and other.check.type == "multiple_choice"]
    # A question outside the bank (an edited copy, a test) falls back to a position drawn from its id.
    position = (in_turn.index(question.id) if question.id in in_turn else seed) % n_options
    return wrong[:position] + [check.correct] + wrong[position:]


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
    return score_key_points(question, response, lang, min_fraction=check.min_fraction)


def score_key_points(question: bank.Question, answer: str, lang: str = "en", *,
                     min_fraction: float = 0.5) -> Result:
    """Key-point coverage of a free-text ``answer`` to ``question`` (:func:`score_short_answer`).

    Uses the keywords of the question's short-answer check when it has them, else keywords derived from
    its key points; words of the question's prompts earn nothing. The short-answer check and the mock
    interview's checklist both score through here.

    Examples
    --------
    >>> answer = "It ignores its input and the learning rate is unused."
    >>> score_key_points(bank.get_question("mlf-012"), answer).covered
    (0, 6)
    """
    check = question.check
    keywords = check.keywords[lang] if check is not None and check.keywords else None
    return score_short_answer(answer, question.key_points.get(lang), keywords=keywords,
                              min_fraction=min_fraction, prompt=shown_prompts(question, lang))


def shown_prompts(question: bank.Question, lang: str = "en") -> list[str]:
    """The question's prompt and its check's prompt in ``lang``: the text a short answer earns nothing for.

    Examples
    --------
    >>> len(shown_prompts(bank.get_question("dep-001")))
    2
    """
    prompts = [question.prompt.get(lang)]
    if question.check is not None and question.check.prompt is not None:
        prompts.append(question.check.prompt.get(lang))
    return prompts


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
    if check.type == "short_answer":
        # A keyword match is a hint, not a verdict: never "Correct." for free text.
        points = question.key_points.get(lang)
        if not result.sentences:
            lines = [MESSAGES["not_sentences"][lang]]
        else:
            lines = [MESSAGES["covered"][lang].format(k=len(result.covered), n=len(points))]
            lines += [f"  - {MESSAGES['missed'][lang]}: {points[index]}" for index in result.missed]
        lines += [check.explanation.get(lang),
                  f"{MESSAGES['model_answer'][lang]}: {question.answer.get(lang)}"]
        return "\n".join(lines)
    lines = [MESSAGES["correct" if result.correct else "wrong"][lang]]
    if check.type == "numeric" and not result.correct:
        expected = MESSAGES["expected"][lang].format(value=f"{check.value:g}",
                                                     tolerance=f"{check.tolerance:g}")
        lines[0] += " " + expected
    if check.type == "multiple_choice" and not result.correct:
        lines[0] += f" → {check.options.get(lang)[check.correct]}"
    lines.append(check.explanation.get(lang))
    return "\n".join(lines)


# -------------------------------------------------------------------------------------------------- widget


