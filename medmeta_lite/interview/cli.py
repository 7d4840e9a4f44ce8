"""The ``medmeta`` command: the interview trainer in a terminal, a copy of the notebooks, and the Voilà app.

Subcommands::

    medmeta quiz     [--notebook NB] [--topic T] [--n 5] [--lang en|zh] [--seed S]
    medmeta mock     [--n 5] [--lang en|zh] [--topic T] [--kind K] [--difficulty D] [--seed S]
                     [--time-limit 180] [--markdown FILE]
    medmeta review   [--n 10] [--lang en|zh] [--today YYYY-MM-DD]
    medmeta progress [--lang en|zh]
    medmeta notebooks DEST   (copy the workbook's notebooks into DEST, keeping any already there)
    medmeta app      [--port 8866] [--no-browser]   (the trainer and the demo gallery in a browser, via Voilà)

The first four accept ``--home DIR`` (else ``$MEDMETA_LITE_HOME``, else the user data directory) and
``--no-save``. Input is read from standard input: a choice or a number on one line; an answer in sentences
(a short-answer check, a mock-interview question) on as many lines as needed, ended by an empty line. So a
session can be scripted (``printf '2\\n0.5\\n' | medmeta quiz``); at the end of input the command stops,
keeps what was answered and exits normally. Text is wrapped to the width of the terminal.
"""

from __future__ import annotations

import argparse
import datetime
import re
import shutil
import sys
import textwrap
import time
import unicodedata

from medmeta_lite.data.bundled import copy_notebooks
from medmeta_lite.interview import bank, flashcards, mock, progress, quiz
from medmeta_lite.interview.messages import MESSAGES, level_label
from medmeta_lite.validation import make_rng
from medmeta_lite.workbook import app


class _EndOfInput(Exception):
    """Raised when standard input is exhausted in the middle of a session."""


def _ask(prompt: str) -> str:
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    if not line:
        print()
        raise _EndOfInput
    line = line.rstrip("\r\n")
    if not sys.stdin.isatty():
        print(line)  # echo scripted input so that the transcript reads like a session
    return line


def _ask_lines(prompt: str) -> str:
    """Read an answer of several lines, ended by an empty line (or by the end of input after some text)."""
    print(prompt, flush=True)
    lines = []
    while True:
        try:
            line = _ask("> " if not lines else "  ")
        except _EndOfInput:
            if lines:
                break
            raise
        if not line.strip():
            if lines:
                break
            continue
        lines.append(line)
    return "\n".join(lines)


def _width() -> int:
    """Columns to wrap text to: the terminal's width, between 40 and 100."""
    return max(40, min(100, shutil.get_terminal_size((100, 24)).columns - 1))


def _display_width(character: str) -> int:
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Wrap one paragraph to ``width`` columns: at spaces for English, anywhere for Chinese.

    Chinese characters take two columns in a terminal and have no spaces to break at, so a line of Chinese
    is cut by display width; an English word or number inside it stays whole, and a closing punctuation
    mark never starts a line.

    Examples
    --------
    >>> wrap("one two three four", 9)
    ['one two', 'three', 'four']
    >>> wrap("元学习就是学会学习，它在很多任务上积累经验。", 12)
    ['元学习就是学', '会学习，它在', '很多任务上积', '累经验。']
    >>> wrap("用 Hessian 向量积", 9)
    ['用', 'Hessian', '向量积']
    """
    if not any(_display_width(character) == 2 for character in text):
        return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent) or [indent]
    lines, current, used = [], indent, len(indent)
    for token in re.findall(r"[A-Za-z0-9_.'/+-]+|.", text):
        size = sum(_display_width(character) for character in token)
        if used + size > width and current.strip() and token not in "，。；：、！？）」』》":
            lines.append(current.rstrip())
            current, used = indent, len(indent)
            if token == " ":
                continue
        current += token
        used += size
    lines.append(current.rstrip())
    return lines


def _print_text(text: str, indent: str = "  ") -> None:
    """Print bank text: paragraphs wrapped to the terminal, code blocks as they are."""
    for block in text.strip("\n").split("\n\n"):
        lines = block.split("\n")
        if all(line.startswith("    ") or not line.strip() for line in lines):
            print("\n".join(indent + line for line in lines))
        else:
            print("\n".join(wrap(bank.join_lines(lines), _width(), indent)))
        print()


def _print_wrapped(text: str, indent: str = "") -> None:
    """Print lines of interface text (feedback, options, the Markdown summary) wrapped to the terminal.

    Line breaks are kept; a bullet ("- ", "1) ", "2. [x] ") gets a hanging indent; table rows stay whole.
    """
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("|"):
            print(line)
            continue
        lead = indent + line[: len(line) - len(stripped)]
        marker = re.match(r"(- |\d+[.)] (\[[ x]\] )?)", stripped)
        hang = lead + " " * (len(marker.group(0)) if marker else 0)
        wrapped = wrap(stripped, _width() - len(hang) + len(lead), "")
        print("\n".join([lead + wrapped[0]] + [hang + part for part in wrapped[1:]]))


def _header(number: int, total: int, question, lang: str) -> None:
    topic = bank.topics()[question.topic].get(lang)
    print(f"\n[{number}/{total}] {question.id} · {topic} · {level_label(question.kind, lang)} · "
          f"{level_label(question.difficulty, lang)}")


def _load(args):
    return progress.load_progress(args.home)


def _apply(args, data, change, *arguments, **keywords) -> dict:
    """Apply ``change(progress, *arguments, **keywords)``: saved at once through the locked, re-reading
    writer (so another session's answers are kept), or only in memory with ``--no-save``."""
    if args.no_save:
        return change(data, *arguments, **keywords)
    return progress.update_progress(lambda current: change(current, *arguments, **keywords), args.home)


# ------------------------------------------------------------------------------------------------------ quiz

def _ask_check(question, lang: str):
    check = question.check
    _print_wrapped(check.prompt.get(lang))
    if check.type == "multiple_choice":
        options, order = check.options.get(lang), quiz.option_order(question)
        for number, index in enumerate(order, start=1):
            _print_wrapped(f"  {number}) {options[index]}")
        while True:
            reply = _ask(MESSAGES["choice"][lang].format(k=len(options))).strip()
            if reply.isdigit() and 1 <= int(reply) <= len(options):
                return order[int(reply) - 1]
            print(MESSAGES["bad_choice"][lang].format(k=len(options)))
    if check.type == "numeric":
        while True:
            reply = _ask(MESSAGES["number"][lang])
            try:
                quiz.parse_number(reply)
            except ValueError:
                print(MESSAGES["not_number"][lang])
                continue
            return reply
    return _ask_lines(MESSAGES["text"][lang])


def _command_quiz(args) -> int:
    lang = args.lang
    pool = [question for question in bank.questions(topic=args.topic, notebook=args.notebook)
            if question.check is not None]
    if not pool:
        raise ValueError(f"no questions with a check for notebook={args.notebook!r}, topic={args.topic!r}")
    order = make_rng(args.seed).permutation(len(pool))[: args.n]
    selection = [pool[index] for index in order]
    data = _load(args)
    n_correct = n_done = 0
    try:
        for number, question in enumerate(selection, start=1):
            _header(number, len(selection), question, lang)
            response = _ask_check(question, lang)
            result = quiz.score_answer(question, response, lang)
            _print_wrapped(quiz.feedback_text(question, result, lang))
            n_done += 1
            n_correct += result.correct
            data = _apply(args, data, progress.record_attempt, question, result, mode="quiz", lang=lang)
    except _EndOfInput:
        print(MESSAGES["eof"][lang])
    print("\n" + MESSAGES["quiz_score"][lang].format(k=n_correct, n=n_done))
    return 0


# ------------------------------------------------------------------------------------------------------ mock

def _parse_grade(reply: str, suggestion: tuple[bool, ...]):
    reply = reply.strip().lower()
    if not reply:
        return suggestion
    if reply in ("none", "0", "无"):
        return (False,) * len(suggestion)
    picked = reply.replace(",", " ").replace("，", " ").split()
    if not all(item.isdigit() and 1 <= int(item) <= len(suggestion) for item in picked):
        return None
    chosen = {int(item) - 1 for item in picked}
    return tuple(index in chosen for index in range(len(suggestion)))


def _command_mock(args) -> int:
    lang = args.lang
    questions = mock.draw_questions(args.n, topic=args.topic, kind=args.kind,
                                              difficulty=args.difficulty, random_state=args.seed)
    session = mock.MockInterview(questions, lang=lang, time_limit_s=args.time_limit)
    data = _load(args)
    try:
        for number, question in enumerate(questions, start=1):
            _header(number, len(questions), question, lang)
            _print_text(question.prompt.get(lang))
            print(MESSAGES["time_limit"][lang].format(s=args.time_limit))
            started = time.monotonic()
            answer = _ask_lines(MESSAGES["text"][lang])
            elapsed = time.monotonic() - started
            over = MESSAGES["over_limit"][lang] if elapsed > args.time_limit else ""
            print(MESSAGES["took_line"][lang].format(s=elapsed, over=over))
            print(f"\n{MESSAGES['model_answer'][lang]}:")
            _print_text(question.answer.get(lang))
            suggestion = mock.suggest_checklist(question, answer, lang)
            print(MESSAGES["checklist_terminal"][lang])
            for index, (point, hit) in enumerate(zip(question.key_points.get(lang), suggestion, strict=True),
                                                 start=1):
                _print_wrapped(f"  {index}. [{'x' if hit else ' '}] {point}")
            covered = None
            while covered is None:
                covered = _parse_grade(_ask(MESSAGES["grade"][lang]), suggestion)
                if covered is None:
                    print(MESSAGES["bad_grade"][lang].format(k=len(suggestion)))
            session.record(question.id, answer, elapsed_s=elapsed, covered=covered)
            score = sum(covered) / len(covered)
            result = quiz.Result(score >= mock.WEAK_THRESHOLD, score,
                                 tuple(i for i, hit in enumerate(covered) if hit),
                                 tuple(i for i, hit in enumerate(covered) if not hit))
            data = _apply(args, data, progress.record_attempt, question, result, mode="mock", lang=lang)
    except _EndOfInput:
        print(MESSAGES["eof"][lang])
    summary = session.summarize()
    markdown = mock.summary_markdown(summary, lang)
    print()
    _print_wrapped(markdown)
    if session.n_answered:
        data = _apply(args, data, progress.record_mock_session, summary)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as stream:
            stream.write(markdown)
        print(MESSAGES["saved_markdown"][lang].format(path=args.markdown))
    return 0


# ---------------------------------------------------------------------------------------------------- review

def _command_review(args) -> int:
    lang = args.lang
    today = args.today or datetime.date.today()
    data = _load(args)
    known = {question.id: question for question in bank.questions()}
    cards = flashcards.ensure_cards(known, progress.cards(data), today)
    # Bank order breaks ties, so a new user starts with the first notebook's questions.
    due = flashcards.due_cards([cards[question_id] for question_id in known], today)
    if not due:
        print(MESSAGES["no_due_terminal"][lang])
        return 0
    selection = due[: args.n]
    print(MESSAGES["due"][lang].format(k=len(due), n=len(selection)))
    try:
        for number, card in enumerate(selection, start=1):
            question = known[card.question_id]
            _header(number, len(selection), question, lang)
            _print_text(question.prompt.get(lang))
            _ask(MESSAGES["reveal"][lang])
            for point in question.key_points.get(lang):
                print(f"  - {point}")
            while True:
                reply = _ask(MESSAGES["knew_prompt"][lang]).strip().lower()
                if reply in ("y", "yes", "n", "no", "是", "否"):
                    break
                print(MESSAGES["bad_yes_no"][lang])
            knew = reply in ("y", "yes", "是")
            moment = datetime.datetime.combine(today, datetime.datetime.now().time())
            data = _apply(args, data, progress.record_attempt, question, quiz.Result(knew, float(knew)),
                          mode="flashcard", lang=lang, now=moment)
            updated = flashcards.card_from_dict(data["cards"][question.id])
            print(MESSAGES["next_due"][lang].format(id=question.id, date=updated.due.isoformat(),
                                                 box=updated.box))
    except _EndOfInput:
        print(MESSAGES["eof"][lang])
    return 0


# -------------------------------------------------------------------------------------------------- progress

def _command_progress(args) -> int:
    lang = args.lang
    data = progress.load_progress(args.home, repair=False)
    print(MESSAGES["progress_file"][lang].format(path=progress.progress_path(args.home)))
    if not data["attempts"] and not data["cards"]:
        print(MESSAGES["nothing"][lang])
        return 0
    print(MESSAGES["attempts"][lang].format(n=len(data["attempts"])))
    labels = bank.topics()
    print(MESSAGES["topic_header"][lang])
    for topic, entry in progress.topic_stats(data).items():
        name = labels[topic].get(lang) if topic in labels else topic
        print(MESSAGES["topic_line"][lang].format(topic=name, **entry))
    weak = progress.weak_topics(data)
    if weak:
        names = ", ".join(labels[topic].get(lang) if topic in labels else topic for topic in weak)
        print(MESSAGES["weak_topics_line"][lang].format(topics=names))
    else:
        print(MESSAGES["no_weak"][lang])
    cards = progress.cards(data)
    counts = flashcards.box_counts(cards.values())
    print(MESSAGES["boxes"][lang].format(counts=", ".join(f"{box}: {n}" for box, n in counts.items())))
    print(MESSAGES["due_today"][lang].format(n=len(flashcards.due_cards(cards.values(), args.today))))
    print(MESSAGES["sessions"][lang].format(n=len(data["mock_sessions"])))
    return 0


def _command_notebooks(args) -> int:
    try:
        copied, kept = copy_notebooks(args.destination)
    except OSError as error:  # a file in the way, no permission, a full disk
        raise ValueError(f"cannot copy the notebooks to {args.destination}: {error}") from None
    destination = args.destination.rstrip("/\\") or args.destination
    print(f"copied {len(copied)} notebooks to {destination}")
    for path in kept:
        print(f"kept your copy of {path.name} (a notebook that is already there is never overwritten)")
    print(f"open them with: jupyter lab {destination}/00_start_here.ipynb")
    return 0


def _command_app(args) -> int:
    return app.serve(args.port, open_browser=not args.no_browser)


# ------------------------------------------------------------------------------------------------------ main

def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``medmeta`` (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="medmeta",
        description="Interview trainer of the medmeta-lite workbook (educational use only, not for clinical "
                    "decisions).")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=bank.LANGUAGES, default="en", help="language (default: en)")
    common.add_argument("--home", default=None,
                        help=f"progress directory (default: ${progress.ENV_VAR} or the user data directory)")
    common.add_argument("--no-save", action="store_true", help="do not write progress")
    commands = parser.add_subparsers(dest="command", required=True,
                                     metavar="{quiz,mock,review,progress,notebooks,app}")

    quiz_parser = commands.add_parser("quiz", parents=[common], help="answer self-check questions")
    quiz_parser.add_argument("--notebook", choices=bank.NOTEBOOK_STEMS, default=None)
    topic_help = "only questions of this topic: " + ", ".join(sorted(bank.topics()))
    quiz_parser.add_argument("--topic", choices=sorted(bank.topics()), default=None, metavar="TOPIC",
                             help=topic_help)
    quiz_parser.add_argument("--n", type=_positive_int, default=5, help="number of questions (default: 5)")
    quiz_parser.add_argument("--seed", type=int, default=None, help="random seed for the question order")
    quiz_parser.set_defaults(handler=_command_quiz)

    mock_parser = commands.add_parser("mock", parents=[common], help="timed mock interview with self-grading")
    mock_parser.add_argument("--n", type=_positive_int, default=5, help="number of questions (default: 5)")
    mock_parser.add_argument("--topic", choices=sorted(bank.topics()), default=None, metavar="TOPIC",
                             help=topic_help)
    mock_parser.add_argument("--kind", choices=bank.KINDS, default=None)
    mock_parser.add_argument("--difficulty", choices=bank.DIFFICULTIES, default=None)
    mock_parser.add_argument("--seed", type=int, default=None, help="random seed for drawing questions")
    mock_parser.add_argument("--time-limit", type=_positive_float, default=180.0,
                             help="seconds per question (default: 180)")
    mock_parser.add_argument("--markdown", default=None, help="also write the summary to this Markdown file")
    mock_parser.set_defaults(handler=_command_mock)

    review_parser = commands.add_parser("review", parents=[common], help="review due flashcards")
    review_parser.add_argument("--n", type=_positive_int, default=10, help="cards per session (default: 10)")
    review_parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                               help="pretend today is YYYY-MM-DD")
    review_parser.set_defaults(handler=_command_review)

    progress_parser = commands.add_parser("progress", parents=[common], help="show your progress")
    progress_parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                                 help="pretend today is YYYY-MM-DD")
    progress_parser.set_defaults(handler=_command_progress)

    notebooks_parser = commands.add_parser("notebooks", help="copy the workbook's notebooks into a folder")
    notebooks_parser.add_argument("destination", metavar="DEST",
                                  help="folder to copy them into (created if needed; notebooks already "
                                       "there are kept)")
    notebooks_parser.set_defaults(handler=_command_notebooks)

    app_parser = commands.add_parser("app", help="serve the trainer and the demo gallery as a Voilà app")
    app_parser.add_argument("--port", type=int, default=app.DEFAULT_PORT,
                            help=f"port on 127.0.0.1 (default: {app.DEFAULT_PORT})")
    app_parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    app_parser.set_defaults(handler=_command_app)
    return parser


def main(argv=None) -> int:
    """Run ``medmeta`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit status.

    Examples
    --------
    >>> main(["mock", "--n", "0"])  # doctest: +SKIP
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (ValueError, progress.ProgressError) as error:
        parser.exit(2, f"medmeta: error: {error}\n")
    except KeyboardInterrupt:
        print()
        return 130


if __name__ == "__main__":
    sys.exit(main())
