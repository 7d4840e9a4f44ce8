"""ipywidgets front end of the interview trainer: mock interview, flashcard review and a recorded quiz.

The logic lives in :mod:`medmeta_lite.interview.mock`, :mod:`medmeta_lite.interview.flashcards`,
:mod:`medmeta_lite.interview.quiz` and :mod:`medmeta_lite.interview.progress`; this module only lays out
plain ipywidgets (no
injected JavaScript) and renders HTML with the pure functions listed in ``BENCHMARK_CASES``.

Nothing is written to disk until the user clicks a button, and only when ``save=True``; progress goes to
``progress_dir`` (``None`` or ``""``: ``$MEDMETA_LITE_HOME`` or the user data directory). The per-question
timer starts when the candidate presses Start on a question and stops when the answer is submitted (no
live countdown: that would need a background thread or JavaScript).
"""

from __future__ import annotations

import datetime
import html
import time

import ipywidgets as widgets

from medmeta_lite.interview import bank, flashcards, mock, progress, quiz, rendering
from medmeta_lite.interview.messages import MESSAGES, level_label
from medmeta_lite.widgets.quiz import check_widget

# --------------------------------------------------------------------------------------- pure HTML renderers

def question_card_html(question: bank.Question, lang: str = "en", number: int = 1, total: int = 1,
                       time_limit_s: float = 180.0, *, started: bool = True) -> str:
    """Return the HTML of a mock-interview question: position, topic, difficulty, time limit and prompt.

    Before the candidate presses Start (``started=False``) the prompt is replaced by an invitation to start,
    so that reading the question counts towards its time.

    Examples
    --------
    >>> "What is meta-learning?" in question_card_html(bank.get_question("mlf-001"))
    True
    >>> "What is meta-learning?" in question_card_html(bank.get_question("mlf-001"), started=False)
    False
    >>> "简单" in question_card_html(bank.get_question("mlf-001"), lang="zh")
    True
    """
    topic = bank.topics()[question.topic].get(lang)
    header = " · ".join([MESSAGES["question"][lang].format(k=number, n=total), question.id, topic,
                         level_label(question.kind, lang), level_label(question.difficulty, lang),
                         MESSAGES["limit"][lang].format(s=time_limit_s)])
    body = (rendering.paragraphs_html(question.prompt.get(lang)) if started
            else f"<p><i>{html.escape(MESSAGES['ready'][lang])}</i></p>")
    return (f"<div class=\"medmeta-mock-question\" style=\"{rendering.TEXT_STYLE}\">"
            f"<div style=\"{rendering.MUTED_STYLE}\">{html.escape(header)}</div>{body}</div>")


def answer_review_html(question: bank.Question, lang: str = "en", elapsed_s: float | None = None,
                       time_limit_s: float = 180.0) -> str:
    """Return the HTML shown after submitting: time taken, model answer and follow-up questions.

    Examples
    --------
    >>> "参考答案" in answer_review_html(bank.get_question("mlf-001"), lang="zh", elapsed_s=12)
    True
    """
    parts = []
    if elapsed_s is not None:
        over = MESSAGES["over"][lang] if elapsed_s > time_limit_s else ""
        parts.append(f"<p><i>{html.escape(MESSAGES['took'][lang].format(s=elapsed_s, over=over))}</i></p>")
    parts.append(f"<p><b>{MESSAGES['model_answer'][lang]}</b></p>{rendering.paragraphs_html(question.answer.get(lang))}")
    parts.append(f"<p><b>{MESSAGES['follow_ups'][lang]}</b></p>{rendering.list_html(question.follow_ups.get(lang))}")
    return f"<div class=\"medmeta-mock-answer\" style=\"{rendering.TEXT_STYLE}\">{''.join(parts)}</div>"


def summary_html(summary: dict, lang: str | None = None) -> str:
    """Return the HTML of a mock-interview summary: totals, a per-question table, weak topics, the Markdown.

    Examples
    --------
    >>> session = mock.MockInterview([bank.get_question("mlf-001")], time_limit_s=60)
    >>> session.record("mlf-001", "learning to learn", elapsed_s=30, covered=[True, False, False, True])
    >>> "50%" in summary_html(session.summarize())
    True
    """
    lang = bank.check_lang(lang or summary["lang"])
    markdown = mock.summary_markdown(summary, lang)
    # The Markdown export is the single source of the wording: its table and bullet lines become HTML here.
    parts, rows = [], []
    for line in markdown.splitlines():
        if line.startswith("|---"):
            continue
        if line.startswith("|"):
            tag = "th" if not rows else "td"
            rows.append("<tr>" + "".join(f"<{tag} style=\"padding:2px 8px;text-align:left\">"
                                         f"{html.escape(cell.strip())}</{tag}>"
                                         for cell in line.strip("|").split("|")) + "</tr>")
            continue
        if rows:
            parts.append(f"<table>{''.join(rows)}</table>")
            rows = []
        if line.startswith("# "):
            parts.append(f"<h4>{html.escape(line[2:])}</h4>")
        elif line.startswith("## "):
            parts.append(f"<p><b>{html.escape(line[3:])}</b></p>")
        elif line.startswith("- "):
            parts.append(f"<div>• {html.escape(line[2:])}</div>")
        elif line.strip():
            parts.append(f"<p>{html.escape(line)}</p>")
    source = f"<details><summary>Markdown</summary><pre>{html.escape(markdown)}</pre></details>"
    return f"<div class=\"medmeta-mock-summary\">{''.join(parts)}{source}</div>"


def flashcard_front_html(question: bank.Question, card: flashcards.Card, lang: str = "en",
                         number: int = 1, total: int = 1) -> str:
    """Return the HTML of a flashcard's front: position, box and the prompt.

    Examples
    --------
    >>> card = flashcards.new_card("mlf-001", datetime.date(2025, 1, 1))
    >>> "box 1" in flashcard_front_html(bank.get_question("mlf-001"), card)
    True
    """
    header = MESSAGES["card"][lang].format(k=number, n=total, box=card.box) + f" · {question.id}"
    return (f"<div class=\"medmeta-flashcard\">"
            f"<div style=\"{rendering.MUTED_STYLE}\">{html.escape(header)}</div>"
            f"{rendering.paragraphs_html(question.prompt.get(lang))}</div>")


def flashcard_back_html(question: bank.Question, lang: str = "en") -> str:
    """Return the HTML of a flashcard's back: key points, then the full answer folded."""
    return (f"{rendering.list_html(question.key_points.get(lang))}<details><summary>"
            f"{MESSAGES['model_answer'][lang]}</summary>{rendering.paragraphs_html(question.answer.get(lang))}"
            f"</details>")


# ---------------------------------------------------------------------------------------------------- widgets

class _ProgressWriter:
    """Records answers after a click: with ``save``, each through :func:`progress.update_progress`, which
    re-reads the file under its lock, so one widget never writes a stale copy over another's answers;
    without ``save``, only in memory."""

    def __init__(self, progress_dir, save: bool):
        self.home = progress_dir or None
        self.save = save
        self.data = progress.load_progress(self.home, repair=False)

    def _apply(self, change) -> None:
        self.data = progress.update_progress(change, self.home) if self.save else change(self.data)

    def record(self, question, result, mode: str, lang: str, now=None) -> None:
        self._apply(lambda data: progress.record_attempt(data, question, result, mode=mode, lang=lang,
                                                         now=now))

    def record_session(self, summary: dict) -> None:
        self._apply(lambda data: progress.record_mock_session(data, summary))


def mock_interview_widget(*, n: int = 3, lang: str = "en", topic=None, kind=None, difficulty=None,
                          time_limit_s: float = 180.0, random_state=None, progress_dir=None,
                          save: bool = True):
    """Return a ``VBox`` that runs a timed mock interview of ``n`` questions.

    Parameters
    ----------
    n : int, default=3
    lang : {"en", "zh"}, default="en"
        Initial language; a toggle switches it at any time.
    topic, kind, difficulty : str or None
        Filters for drawing the questions.
    time_limit_s : float, default=180
    random_state : int or None, default=None
    progress_dir : path, "" or None, default=None
        Where progress is saved; ``None``/``""`` means the default location.
    save : bool, default=True
        Record each graded answer and the summary (only ever after a click).

    Returns
    -------
    ipywidgets.VBox
        Its ``session`` attribute is the :class:`~medmeta_lite.interview.mock.MockInterview`.

    Notes
    -----
    The home of the trainer is `notebooks/15_interview_trainer.ipynb`.
    """

    drawn = mock.draw_questions(n, topic=topic, kind=kind, difficulty=difficulty,
                                          random_state=random_state)
    session = mock.MockInterview(drawn, lang=lang, time_limit_s=time_limit_s)
    writer = _ProgressWriter(progress_dir, save)
    language = widgets.ToggleButtons(options=[("English", "en"), ("中文", "zh")], value=lang,
                                     description=MESSAGES["language"][lang])
    prompt = widgets.HTML()
    answer = widgets.Textarea(layout=widgets.Layout(width="95%", height="8em"))
    answer.add_class("medmeta-mock-answer-input")
    start = widgets.Button(button_style="info", icon="play")
    start.add_class("medmeta-mock-start")
    submit = widgets.Button(button_style="primary")
    submit.add_class("medmeta-mock-submit")
    review = widgets.HTML()
    checklist = widgets.VBox()
    advance = widgets.Button(button_style="success")
    advance.add_class("medmeta-mock-next")
    summary = widgets.HTML()
    summary.add_class("medmeta-mock-summary-box")
    save_markdown = widgets.Button(layout=widgets.Layout(display="none", width="auto"))  # never clipped
    saved_note = widgets.HTML()
    # The clock of a question starts when the candidate presses Start, not when the cell runs: a student
    # who runs every cell and reads on must not find question 1 already over time.
    state = {"started": None, "elapsed": None}

    def current_question():
        return session.current

    def render():
        code = language.value
        question = current_question()
        language.description = MESSAGES["language"][code]
        start.description = MESSAGES["start"][code]
        submit.description = MESSAGES["submit"][code]
        answer.placeholder = MESSAGES["placeholder"][code]
        save_markdown.description = MESSAGES["save_markdown"][code]
        if question is None:
            prompt.value, review.value = "", ""
            for element in (start, answer, submit, checklist, advance):
                element.layout.display = "none"
            summary.value = summary_html(session.summarize(), code)
            save_markdown.layout.display = None
            return
        number = session.questions.index(question) + 1
        started = state["started"] is not None
        prompt.value = question_card_html(question, code, number, len(session.questions),
                                          session.time_limit_s, started=started)
        revealed = state["elapsed"] is not None
        answer.disabled = revealed
        start.layout.display = None if not started else "none"
        answer.layout.display = None if started else "none"
        submit.layout.display = "none" if revealed or not started else None
        for element in (checklist, advance):
            element.layout.display = None if revealed else "none"
        if revealed:
            review.value = answer_review_html(question, code, state["elapsed"], session.time_limit_s)
            points = question.key_points.get(code)
            for box, point in zip(checklist.children[1:], points, strict=True):
                box.description = point
            advance.description = MESSAGES["finish" if number == len(session.questions) else "next"][code]
            checklist_title.value = f"<b>{html.escape(MESSAGES['checklist'][code])}</b>"
        else:
            review.value = ""

    checklist_title = widgets.HTML()

    def on_start(_button):
        state["started"] = time.monotonic()
        render()

    def on_submit(_button):
        question = current_question()
        state["elapsed"] = time.monotonic() - state["started"]
        suggestion = mock.suggest_checklist(question, answer.value, language.value)
        boxes = [widgets.Checkbox(value=hit, indent=False, layout=widgets.Layout(width="95%"))
                 for hit in suggestion]
        checklist.children = [checklist_title, *boxes]
        render()

    def on_advance(_button):
        question = current_question()
        covered = [box.value for box in checklist.children[1:]]
        session.record(question.id, answer.value, elapsed_s=state["elapsed"], covered=covered)
        score = sum(covered) / len(covered)
        hits = tuple(index for index, hit in enumerate(covered) if hit)
        misses = tuple(index for index, hit in enumerate(covered) if not hit)
        writer.record(question, quiz.Result(score >= mock.WEAK_THRESHOLD, score, hits, misses),
                      mode="mock", lang=language.value)
        if session.finished:
            writer.record_session(session.summarize())
        answer.value = ""
        state["elapsed"] = None
        state["started"] = None
        render()

    def on_save_markdown(_button):
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = progress.progress_home(writer.home) / f"mock-interview-{stamp}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        markdown = mock.summary_markdown(session.summarize(), language.value)
        path.write_text(markdown, encoding="utf-8")
        saved_note.value = html.escape(MESSAGES["saved"][language.value].format(path=path))

    start.on_click(on_start)
    submit.on_click(on_submit)
    advance.on_click(on_advance)
    save_markdown.on_click(on_save_markdown)
    def on_language(change):
        session.lang = change["new"]
        render()

    language.observe(on_language, names="value")
    render()
    box = widgets.VBox([language, prompt, start, answer, submit, review, checklist, advance, summary,
                        save_markdown, saved_note])
    box.add_class("medmeta-mock-interview")
    box.session = session
    return box


def flashcard_review_widget(*, lang: str = "en", n: int = 10, progress_dir=None, save: bool = True,
                            today=None):
    """Return a ``VBox`` that reviews up to ``n`` flashcards due ``today`` (Leitner boxes).

    Cards missing from the progress file start in box 1, due today. Each answer reschedules the card
    (:func:`medmeta_lite.interview.flashcards.review`) and, with ``save=True``, is written to the progress
    file.

    Returns
    -------
    ipywidgets.VBox
        Its ``due`` attribute lists the cards of this session.
    """

    bank.check_lang(lang)
    today = today or datetime.date.today()
    writer = _ProgressWriter(progress_dir, save)
    known = {question.id: question for question in bank.questions()}
    cards = flashcards.ensure_cards(known, progress.cards(writer.data), today)
    due = flashcards.due_cards([cards[question_id] for question_id in known], today)[:n]
    front, back = widgets.HTML(), widgets.HTML()
    show = widgets.Button(description=MESSAGES["show"][lang], button_style="primary")
    knew = widgets.Button(description=MESSAGES["knew"][lang], button_style="success")
    not_yet = widgets.Button(description=MESSAGES["not_yet"][lang], button_style="warning")
    grading = widgets.HBox([knew, not_yet])
    state = {"index": 0, "known": 0}

    def render(revealed=False):
        if state["index"] >= len(due):
            front.value = html.escape(MESSAGES["done"][lang].format(k=state["known"], n=len(due)) if due
                                      else MESSAGES["no_due"][lang])
            back.value = ""
            show.layout.display = grading.layout.display = "none"
            return
        card = due[state["index"]]
        question = known[card.question_id]
        front.value = flashcard_front_html(question, card, lang, state["index"] + 1, len(due))
        back.value = flashcard_back_html(question, lang) if revealed else ""
        show.layout.display = "none" if revealed else None
        grading.layout.display = None if revealed else "none"

    def grade(correct: bool):
        question = known[due[state["index"]].question_id]
        moment = datetime.datetime.combine(today, datetime.datetime.now().time())
        writer.record(question, quiz.Result(correct, float(correct)), mode="flashcard", lang=lang, now=moment)
        state["known"] += correct
        state["index"] += 1
        render()

    show.on_click(lambda _button: render(revealed=True))
    knew.on_click(lambda _button: grade(True))
    not_yet.on_click(lambda _button: grade(False))
    render()
    box = widgets.VBox([front, show, back, grading])
    box.add_class("medmeta-flashcards")
    box.due = due
    return box


def recorded_quiz(*, notebook=None, topic=None, lang: str = "en", progress_dir=None, save: bool = True):
    """Return the self-check of ``notebook`` (or all checks of ``topic``) recording every attempt."""

    writer = _ProgressWriter(progress_dir, save)
    selection = [question for question in bank.questions(topic=topic, notebook=notebook)
                 if question.check is not None]
    if not selection:
        raise ValueError(f"no questions with a check for notebook={notebook!r}, topic={topic!r}")

    def on_result(question, result):
        writer.record(question, result, mode="quiz", lang=lang)

    return widgets.VBox([check_widget(question, lang, on_result) for question in selection])


def _benchmark_cases() -> list:
    """The trainer's callbacks for ``benchmarks/bench_widgets.py``, built on request: they load the bank."""
    session = mock.MockInterview([bank.get_question("mlf-012"), bank.get_question("fsm-002")],
                                 time_limit_s=120)
    session.record("mlf-012", "predict ignores its input and the learning rate is unused",
                   elapsed_s=95.0, covered=[True, False, False, False, False, False, True])
    return [
        ("trainer.question_card", question_card_html,
         {"question": bank.get_question("maml-001"), "lang": "zh", "number": 2, "total": 5}),
        ("trainer.answer_review", answer_review_html,
         {"question": bank.get_question("mlf-008"), "lang": "en", "elapsed_s": 140.0}),
        ("trainer.suggest_checklist", mock.suggest_checklist,
         {"question": bank.get_question("dep-001"),
          "answer": "Hold out whole sites, compare with fine-tuning, patient-level splits and monitoring.",
          "lang": "en"}),
        ("trainer.summary", summary_html, {"summary": session.summarize(), "lang": "en"}),
        ("trainer.flashcard_back", flashcard_back_html,
         {"question": bank.get_question("fsm-001"), "lang": "zh"}),
    ]


def __getattr__(name: str):
    # BENCHMARK_CASES, like every widget module's, but computed only when a benchmark or test asks for it,
    # so that importing the widgets does not load and parse the question bank.
    if name == "BENCHMARK_CASES":
        return _benchmark_cases()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
