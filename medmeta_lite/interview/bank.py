"""The bilingual interview question bank: loading, filtering, validation and rendering.

Every question lives in one data file, ``medmeta_lite/interview/bank.yaml``; this module reads it with
``yaml.safe_load`` into frozen dataclasses. ``questions()`` filters the bank, ``show()`` renders a selection
for a notebook with the model answer hidden until the reader opens it, and ``validate_bank()`` checks the
schema (the test suite runs it on the whole file).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

LANGUAGES = ("en", "zh")
KINDS = ("concept", "coding", "debugging", "design")
DIFFICULTIES = ("easy", "medium", "hard")
CHECK_TYPES = ("multiple_choice", "numeric", "short_answer")
NOTEBOOK_STEMS = (
    "00_start_here",
    "01_what_is_meta_learning",
    "02_meta_learning_vs_transfer",
    "03_goals_of_meta_learning",
    "04_applications",
    "05_core_challenges",
    "06_medical_imaging_uses",
    "07_efficiency_and_label_savings",
    "08_averaging_meta_learner",
    "09_gradient_descent_learner",
    "10_keras_base_learner",
    "11_complete_example_and_code_review",
    "12_maml_sinusoid",
    "13_few_shot_medical_images",
    "14_meta_learning_vs_fine_tuning",
    "15_interview_trainer",
)
_BANK_FILE = "bank.yaml"


@dataclass(frozen=True)
class Bilingual:
    """A text in English and Chinese; ``text.get("zh")`` picks one language."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return getattr(self, check_lang(lang))


@dataclass(frozen=True)
class BilingualList:
    """A list of texts (key points, follow-ups, options) in English and Chinese."""

    en: tuple[str, ...]
    zh: tuple[str, ...]

    def get(self, lang: str) -> tuple[str, ...]:
        return getattr(self, check_lang(lang))


@dataclass(frozen=True)
class Check:
    """A self-check attached to a question; scored by the functions of :mod:`medmeta_lite.interview.quiz`.

    ``type`` is ``"multiple_choice"`` (``options``, ``correct``), ``"numeric"`` (``value``,
    ``tolerance``) or ``"short_answer"`` (``keywords``: one group of alternatives per key point,
    ``min_fraction``: the share of key points an answer must cover).
    """

    type: str
    prompt: Bilingual
    explanation: Bilingual
    options: BilingualList | None = None
    correct: int | None = None
    value: float | None = None
    tolerance: float | None = None
    keywords: dict | None = None
    min_fraction: float = 0.5


@dataclass(frozen=True)
class Question:
    """One interview question of the bank.

    Attributes
    ----------
    id, topic, kind, difficulty, notebook : str
    prompt, answer : Bilingual
    key_points, follow_ups : BilingualList
    sources : tuple of str
    check : Check or None
    """

    id: str
    topic: str
    kind: str
    difficulty: str
    notebook: str
    prompt: Bilingual
    answer: Bilingual
    key_points: BilingualList
    follow_ups: BilingualList
    sources: tuple[str, ...]
    check: Check | None = None

    def __repr__(self) -> str:
        return f"Question({self.id!r}, {self.topic}, {self.kind}, {self.difficulty}: {self.prompt.en[:50]!r})"


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    return lang


@functools.lru_cache(maxsize=1)
def raw_bank() -> dict:
    """The packaged bank as parsed YAML (plain dicts and lists), before validation and conversion."""
    text = resources.files("medmeta_lite.interview").joinpath(_BANK_FILE).read_text(encoding="utf-8")
    # libyaml's loader, where PyYAML was built with it, parses the bank ten times faster (0.02 s, not 0.17 s)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# Chinese characters and the punctuation used with them (CJK symbols, full-width forms, curly quotes, dashes).
_CJK_CHARACTER = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK_CHARACTER}])[ \t]+(?=[{_CJK_CHARACTER}])")
# Full-width punctuation carries its own spacing: no space after a comma or full stop, or before them.
_SPACE_BY_FULL_WIDTH_PUNCTUATION = re.compile("(?<=[，。；：、！？）])[ \t]+|[ \t]+(?=[，。；：、！？（])")


def _tidy_chinese(text: str) -> str:
    """Drop the spaces that YAML line folding leaves between Chinese characters and next to their punctuation.

    Examples
    --------
    >>> _tidy_chinese("每类 n_shots 张支持图像， n_queries 张查询图像")
    '每类 n_shots 张支持图像，n_queries 张查询图像'
    """
    return _SPACE_BY_FULL_WIDTH_PUNCTUATION.sub("", _SPACE_BETWEEN_CJK.sub("", text))


def join_lines(lines) -> str:
    """Join the lines of one paragraph: with a space, except between two Chinese characters.

    Examples
    --------
    >>> join_lines(["learning to", "learn"]), join_lines(["元学习是", "学会学习"])
    ('learning to learn', '元学习是学会学习')
    """
    return _tidy_chinese(" ".join(line.strip() for line in lines))


def _bilingual(entry: dict) -> Bilingual:
    return Bilingual(en=str(entry["en"]).strip(), zh=_tidy_chinese(str(entry["zh"]).strip()))


def _bilingual_list(entry: dict) -> BilingualList:
    return BilingualList(en=tuple(str(item) for item in entry["en"]),
                         zh=tuple(_tidy_chinese(str(item)) for item in entry["zh"]))


def _parse_check(entry: dict) -> Check:
    keywords = entry.get("keywords")
    if keywords is not None:
        keywords = {lang: tuple(tuple(str(word) for word in group) for group in keywords[lang])
                    for lang in LANGUAGES}
    return Check(
        type=entry["type"],
        prompt=_bilingual(entry["prompt"]),
        explanation=_bilingual(entry["explanation"]),
        options=_bilingual_list(entry["options"]) if "options" in entry else None,
        correct=int(entry["correct"]) if "correct" in entry else None,
        value=float(entry["value"]) if "value" in entry else None,
        tolerance=float(entry["tolerance"]) if "tolerance" in entry else None,
        keywords=keywords,
        min_fraction=float(entry.get("min_fraction", 0.5)),
    )


def _parse_question(entry: dict) -> Question:
    return Question(
        id=entry["id"], topic=entry["topic"], kind=entry["kind"], difficulty=entry["difficulty"],
        notebook=entry["notebook"], prompt=_bilingual(entry["prompt"]), answer=_bilingual(entry["answer"]),
        key_points=_bilingual_list(entry["key_points"]), follow_ups=_bilingual_list(entry["follow_ups"]),
        sources=tuple(str(source) for source in entry["sources"]),
        check=_parse_check(entry["check"]) if entry.get("check") else None,
    )


@functools.lru_cache(maxsize=1)
def _bank() -> tuple[tuple[Question, ...], dict]:
    data = raw_bank()
    validate_bank(data)
    topics = {name: _bilingual(label) for name, label in data["topics"].items()}
    return tuple(_parse_question(entry) for entry in data["questions"]), topics


def topics() -> dict[str, Bilingual]:
    """Return the topics of the bank, name to bilingual label.

    Examples
    --------
    >>> topics()["maml"].en
    'MAML and optimisation-based methods'
    """
    return dict(_bank()[1])


def _require(name: str, value, allowed) -> None:
    if value is not None and value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; allowed values are: {', '.join(allowed)}")


def questions(topic: str | None = None, difficulty: str | None = None, kind: str | None = None,
              notebook: str | None = None) -> list[Question]:
    """Return the questions of the bank that match every given filter, in file order.

    Parameters
    ----------
    topic, difficulty, kind, notebook : str or None, default=None
        ``None`` keeps every value. Unknown values raise ``ValueError`` naming the allowed ones.

    Returns
    -------
    list of Question

    Notes
    -----
    The bank is rendered at the end of every notebook; the trainer is
    `notebooks/15_interview_trainer.ipynb`.

    Examples
    --------
    >>> [question.id for question in questions(notebook="01_what_is_meta_learning")][:1]
    ['mlf-001']
    >>> questions(difficulty="trivial")
    Traceback (most recent call last):
    ...
    ValueError: unknown difficulty 'trivial'; allowed values are: easy, medium, hard
    """
    bank, bank_topics = _bank()
    _require("topic", topic, tuple(bank_topics))
    _require("difficulty", difficulty, DIFFICULTIES)
    _require("kind", kind, KINDS)
    _require("notebook", notebook, NOTEBOOK_STEMS)
    return [question for question in bank
            if (topic is None or question.topic == topic)
            and (difficulty is None or question.difficulty == difficulty)
            and (kind is None or question.kind == kind)
            and (notebook is None or question.notebook == notebook)]


def get_question(question_id: str) -> Question:
    """Return the question with id ``question_id``; ``KeyError`` if there is none.

    Examples
    --------
    >>> get_question("mlf-001").prompt.en
    'What is meta-learning?'
    """
    for question in _bank()[0]:
        if question.id == question_id:
            return question
    raise KeyError(f"no question with id {question_id!r}")


# ---------------------------------------------------------------------------------------------- validation

def _problems_of_bilingual(where: str, entry, *, as_list: bool = False) -> list[str]:
    if not isinstance(entry, dict):
        return [f"{where}: expected a mapping with keys 'en' and 'zh'"]
    problems = []
    for lang in LANGUAGES:
        value = entry.get(lang)
        if as_list:
            if not isinstance(value, list) or not value or not all(isinstance(item, str) and item.strip()
                                                                   for item in value):
                problems.append(f"{where}.{lang}: expected a non-empty list of non-empty strings")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{where}.{lang}: missing or empty")
    if as_list and not problems and len(entry["en"]) != len(entry["zh"]):
        problems.append(f"{where}: 'en' has {len(entry['en'])} items but 'zh' has {len(entry['zh'])}")
    return problems


def _problems_of_check(where: str, check, n_key_points: int) -> list[str]:
    if not isinstance(check, dict):
        return [f"{where}: expected a mapping"]
    kind = check.get("type")
    if kind not in CHECK_TYPES:
        return [f"{where}.type: {kind!r} is not one of {', '.join(CHECK_TYPES)}"]
    problems = _problems_of_bilingual(f"{where}.prompt", check.get("prompt"))
    problems += _problems_of_bilingual(f"{where}.explanation", check.get("explanation"))
    if kind == "multiple_choice":
        options = check.get("options")
        option_problems = _problems_of_bilingual(f"{where}.options", options, as_list=True)
        problems += option_problems
        correct = check.get("correct")
        if not option_problems and (isinstance(correct, bool) or not isinstance(correct, int)
                                    or not 0 <= correct < len(options["en"])):
            problems.append(f"{where}.correct: {correct!r} is not an index of the options")
        if not option_problems and len(options["en"]) < 2:
            problems.append(f"{where}.options: at least two options are needed")
    elif kind == "numeric":
        for name in ("value", "tolerance"):
            if isinstance(check.get(name), bool) or not isinstance(check.get(name), (int, float)):
                problems.append(f"{where}.{name}: expected a number")
        if isinstance(check.get("tolerance"), (int, float)) and check["tolerance"] < 0:
            problems.append(f"{where}.tolerance: must be >= 0")
    else:
        fraction = check.get("min_fraction", 0.5)
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction <= 1:
            problems.append(f"{where}.min_fraction: expected a number in (0, 1]")
        keywords = check.get("keywords")
        if keywords is not None:
            for lang in LANGUAGES:
                groups = keywords.get(lang) if isinstance(keywords, dict) else None
                if (not isinstance(groups, list) or len(groups) != n_key_points
                        or not all(isinstance(group, list) and group for group in groups)):
                    problems.append(f"{where}.keywords.{lang}: expected one non-empty list of keywords "
                                    f"per key point ({n_key_points})")
    return problems


def validate_bank(data: dict | None = None, *, notebooks_dir: str | Path | None = None) -> None:
    """Check the bank against its schema and raise ``ValueError`` listing every problem found.

    Parameters
    ----------
    data : dict or None, default=None
        The parsed YAML document; ``None`` validates the packaged ``bank.yaml``.
    notebooks_dir : path or None, default=None
        When given (the repository's ``notebooks/``), every ``notebook`` field must also name an existing
        ``<stem>.ipynb`` file there.

    Examples
    --------
    >>> validate_bank()
    >>> validate_bank({"topics": {}, "questions": [{"id": "x"}]})
    Traceback (most recent call last):
    ...
    ValueError: the interview bank has 1 problem(s):
    - x: missing fields answer, difficulty, follow_ups, key_points, kind, notebook, prompt, sources, topic
    """
    data = raw_bank() if data is None else data
    problems = []
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        raise ValueError("the interview bank must be a mapping with a list under 'questions'")
    topic_names = data.get("topics") if isinstance(data.get("topics"), dict) else {}
    for name, label in topic_names.items():
        problems += _problems_of_bilingual(f"topics.{name}", label)
    required = ("id", "topic", "kind", "difficulty", "notebook", "prompt", "answer", "key_points",
                "follow_ups", "sources")
    seen = set()
    for index, entry in enumerate(data["questions"]):
        if not isinstance(entry, dict):
            problems.append(f"question #{index}: expected a mapping")
            continue
        where = str(entry.get("id", f"question #{index}"))
        missing = sorted(field for field in required if field not in entry)
        if missing:
            problems.append(f"{where}: missing fields {', '.join(missing)}")
            continue
        unknown = sorted(set(entry) - set(required) - {"check"})
        if unknown:
            problems.append(f"{where}: unknown fields {', '.join(unknown)}")
        if entry["id"] in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(entry["id"])
        if entry["topic"] not in topic_names:
            problems.append(f"{where}: topic {entry['topic']!r} is not declared under 'topics'")
        if entry["kind"] not in KINDS:
            problems.append(f"{where}: kind {entry['kind']!r} is not one of {', '.join(KINDS)}")
        if entry["difficulty"] not in DIFFICULTIES:
            problems.append(f"{where}: difficulty {entry['difficulty']!r} is not one of "
                            f"{', '.join(DIFFICULTIES)}")
        if entry["notebook"] not in NOTEBOOK_STEMS:
            problems.append(f"{where}: notebook {entry['notebook']!r} is not a workbook notebook stem")
        elif notebooks_dir is not None and not (Path(notebooks_dir) / f"{entry['notebook']}.ipynb").is_file():
            problems.append(f"{where}: notebook file {entry['notebook']}.ipynb does not exist")
        for field in ("prompt", "answer"):
            problems += _problems_of_bilingual(f"{where}.{field}", entry[field])
        for field in ("key_points", "follow_ups"):
            problems += _problems_of_bilingual(f"{where}.{field}", entry[field], as_list=True)
        sources = entry["sources"]
        if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and s for s in sources):
            problems.append(f"{where}.sources: expected a non-empty list of citations")
        if entry.get("check") is not None:
            key_points = entry["key_points"]
            n_key_points = len(key_points.get("en") or []) if isinstance(key_points, dict) else 0
            problems += _problems_of_check(f"{where}.check", entry["check"], n_key_points)
    if problems:
        listing = "\n".join(f"- {problem}" for problem in problems)
        raise ValueError(f"the interview bank has {len(problems)} problem(s):\n{listing}")


# ------------------------------------------------------------------------------------------------ rendering


