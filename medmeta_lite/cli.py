"""The ``medmeta`` command: the interview trainer in a terminal.

Subcommands::

    medmeta quiz     [--notebook NB] [--topic T] [--n 5] [--lang en|zh] [--seed S]
    medmeta mock     [--n 5] [--lang en|zh] [--topic T] [--kind K] [--difficulty D] [--seed S]
                     [--time-limit 180] [--markdown FILE]
    medmeta review   [--n 10] [--lang en|zh] [--today YYYY-MM-DD]
    medmeta progress [--lang en|zh]

Every subcommand accepts ``--home DIR`` (else ``$MEDMETA_LITE_HOME``, else the user data directory) and
``--no-save``. Input is read from standard input one line per answer, so a session can be scripted
(``printf '2\\n0.5\\n' | medmeta quiz``); at the end of input the command stops, keeps what was answered and
exits normally.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import textwrap
import time

import numpy as np

from medmeta_lite import flashcards, interview, mock_interview, progress, quiz

_TEXT = {
    "eof": {"en": "(end of input: stopping here)", "zh": "（输入结束，到此为止）"},
    "choice": {"en": "Your choice (1-{k}): ", "zh": "你的选择（1-{k}）："},
    "bad_choice": {"en": "Please type a number from 1 to {k}.", "zh": "请输入 1 到 {k} 之间的数字。"},
    "number": {"en": "Your answer (a number): ", "zh": "你的答案（一个数字）："},
    "text": {"en": "Your answer (one line): ", "zh": "你的答案（一行）："},
    "quiz_score": {"en": "Quiz score: {k} of {n} correct.", "zh": "测验得分：{n} 题答对 {k} 题。"},
    "time_limit": {"en": "Time limit: {s:.0f} s. Type your answer on one line.",
                   "zh": "限时 {s:.0f} 秒。请在一行内输入你的答案。"},
    "model_answer": {"en": "Model answer", "zh": "参考答案"},
    "checklist": {"en": "Key points ([x] = found in your answer by keyword matching):",
                  "zh": "要点（[x] 表示通过关键词匹配在你的回答中找到）："},
    "grade": {"en": "Which key points did you cover? Enter = accept, or numbers like '1 3', or 'none': ",
              "zh": "你覆盖了哪些要点？直接回车表示接受建议，或输入编号如“1 3”，或输入 none："},
    "bad_grade": {"en": "Type key-point numbers between 1 and {k}, 'none', or just Enter.",
                  "zh": "请输入 1 到 {k} 之间的要点编号、none，或直接回车。"},
    "took": {"en": "Time taken: {s:.0f} s{over}.", "zh": "用时 {s:.0f} 秒{over}。"},
    "over": {"en": " (over the limit)", "zh": "（超时）"},
    "saved_markdown": {"en": "Summary written to {path}", "zh": "总结已写入 {path}"},
    "no_due": {"en": "No flashcards are due today. Come back tomorrow!",
               "zh": "今天没有需要复习的卡片，明天再来吧！"},
    "due": {"en": "{k} flashcards due today; reviewing {n}.",
            "zh": "今天有 {k} 张卡片到期，本次复习 {n} 张。"},
    "reveal": {"en": "Press Enter to see the answer... ", "zh": "按回车查看答案……"},
    "knew": {"en": "Did you know it? [y/n]: ", "zh": "你答对了吗？[y/n]："},
    "bad_yes_no": {"en": "Please type y or n.", "zh": "请输入 y 或 n。"},
    "next_due": {"en": "Next review of {id}: {date} (box {box}).",
                 "zh": "{id} 下次复习：{date}（第 {box} 盒）。"},
    "progress_file": {"en": "Progress file: {path}", "zh": "进度文件：{path}"},
    "attempts": {"en": "Answers recorded: {n}", "zh": "已记录的作答：{n}"},
    "topic_header": {"en": "  topic" + " " * 35 + "answers  mean score", "zh": "  主题：作答数，平均得分"},
    "topic_line": {"en": "  {topic:<40} {attempts:>7}  {mean_score:>10.0%}",
                   "zh": "  {topic}：{attempts}，{mean_score:.0%}"},
    "weak": {"en": "Weak topics: {topics}", "zh": "薄弱主题：{topics}"},
    "no_weak": {"en": "Weak topics: none yet", "zh": "薄弱主题：暂无"},
    "boxes": {"en": "Flashcards per box (1 = new or missed, 5 = known): {counts}",
              "zh": "各盒卡片数（1 = 新卡或答错，5 = 已掌握）：{counts}"},
    "due_today": {"en": "Flashcards due today: {n}", "zh": "今天到期的卡片：{n}"},
    "sessions": {"en": "Mock interviews completed: {n}", "zh": "已完成的模拟面试：{n}"},
    "nothing": {"en": "No progress yet: try `medmeta quiz` or `medmeta mock`.",
                "zh": "还没有进度：试试 `medmeta quiz` 或 `medmeta mock`。"},
}


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


def _print_text(text: str, lang: str, indent: str = "  ") -> None:
    """Print bank text: paragraphs wrapped (English) or joined (Chinese), code blocks as they are."""
    for block in text.strip("\n").split("\n\n"):
        lines = block.split("\n")
        if all(line.startswith("    ") or not line.strip() for line in lines):
            print("\n".join(indent + line for line in lines))
        elif lang == "en":
            print(textwrap.fill(interview.join_lines(lines), width=100, initial_indent=indent,
                                subsequent_indent=indent))
        else:
            print(indent + interview.join_lines(lines))
        print()


def _header(number: int, total: int, question, lang: str) -> None:
    topic = interview.topics()[question.topic].get(lang)
    print(f"\n[{number}/{total}] {question.id} · {topic} · {question.kind} · {question.difficulty}")


def _load(args):
    return progress.load_progress(args.home)


def _save(args, data) -> None:
    if not args.no_save:
        progress.save_progress(data, args.home)


# ------------------------------------------------------------------------------------------------------ quiz

def _ask_check(question, lang: str):
    check = question.check
    print(check.prompt.get(lang))
    if check.type == "multiple_choice":
        options, order = check.options.get(lang), quiz.option_order(question)
        for number, index in enumerate(order, start=1):
            print(f"  {number}) {options[index]}")
        while True:
            reply = _ask(_TEXT["choice"][lang].format(k=len(options))).strip()
            if reply.isdigit() and 1 <= int(reply) <= len(options):
                return order[int(reply) - 1]
            print(_TEXT["bad_choice"][lang].format(k=len(options)))
    if check.type == "numeric":
        while True:
            reply = _ask(_TEXT["number"][lang])
            try:
                quiz.parse_number(reply)
            except ValueError:
                print(quiz._TEXT["not_number"][lang])
                continue
            return reply
    return _ask(_TEXT["text"][lang])


def _command_quiz(args) -> int:
    lang = args.lang
    pool = [question for question in interview.questions(topic=args.topic, notebook=args.notebook)
            if question.check is not None]
    if not pool:
        raise ValueError(f"no questions with a check for notebook={args.notebook!r}, topic={args.topic!r}")
    order = np.random.default_rng(args.seed).permutation(len(pool))[: args.n]
    selection = [pool[index] for index in order]
    data = _load(args)
    n_correct = n_done = 0
    try:
        for number, question in enumerate(selection, start=1):
            _header(number, len(selection), question, lang)
            response = _ask_check(question, lang)
            result = quiz.score_answer(question, response, lang)
            print(quiz.feedback_text(question, result, lang))
            n_done += 1
            n_correct += result.correct
            data = progress.record_attempt(data, question, result, mode="quiz", lang=lang)
            _save(args, data)
    except _EndOfInput:
        print(_TEXT["eof"][lang])
    print("\n" + _TEXT["quiz_score"][lang].format(k=n_correct, n=n_done))
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
    questions = mock_interview.draw_questions(args.n, topic=args.topic, kind=args.kind,
                                              difficulty=args.difficulty, random_state=args.seed)
    session = mock_interview.MockInterview(questions, lang=lang, time_limit_s=args.time_limit)
    data = _load(args)
    try:
        for number, question in enumerate(questions, start=1):
            _header(number, len(questions), question, lang)
            _print_text(question.prompt.get(lang), lang)
            print(_TEXT["time_limit"][lang].format(s=args.time_limit))
            started = time.monotonic()
            answer = _ask("> ")
            elapsed = time.monotonic() - started
            over = _TEXT["over"][lang] if elapsed > args.time_limit else ""
            print(_TEXT["took"][lang].format(s=elapsed, over=over))
            print(f"\n{_TEXT['model_answer'][lang]}:")
            _print_text(question.answer.get(lang), lang)
            suggestion = mock_interview.suggest_checklist(question, answer, lang)
            print(_TEXT["checklist"][lang])
            for index, (point, hit) in enumerate(zip(question.key_points.get(lang), suggestion, strict=True),
                                                 start=1):
                print(f"  {index}. [{'x' if hit else ' '}] {point}")
            covered = None
            while covered is None:
                covered = _parse_grade(_ask(_TEXT["grade"][lang]), suggestion)
                if covered is None:
                    print(_TEXT["bad_grade"][lang].format(k=len(suggestion)))
            session.record(question.id, answer, elapsed_s=elapsed, covered=covered)
            score = sum(covered) / len(covered)
            result = quiz.Result(score >= mock_interview.WEAK_THRESHOLD, score,
                                 tuple(i for i, hit in enumerate(covered) if hit),
                                 tuple(i for i, hit in enumerate(covered) if not hit))
            data = progress.record_attempt(data, question, result, mode="mock", lang=lang)
            _save(args, data)
    except _EndOfInput:
        print(_TEXT["eof"][lang])
    summary = session.summarize()
    markdown = mock_interview.summary_markdown(summary, lang)
    print("\n" + markdown)
    if session.n_answered:
        data = progress.record_mock_session(data, summary)
        _save(args, data)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as stream:
            stream.write(markdown)
        print(_TEXT["saved_markdown"][lang].format(path=args.markdown))
    return 0


# ---------------------------------------------------------------------------------------------------- review

def _command_review(args) -> int:
    lang = args.lang
    today = args.today or datetime.date.today()
    data = _load(args)
    known = {question.id: question for question in interview.questions()}
    cards = flashcards.ensure_cards(known, progress.cards(data), today)
    # Bank order breaks ties, so a new user starts with the first notebook's questions.
    due = flashcards.due_cards([cards[question_id] for question_id in known], today)
    if not due:
        print(_TEXT["no_due"][lang])
        return 0
    selection = due[: args.n]
    print(_TEXT["due"][lang].format(k=len(due), n=len(selection)))
    try:
        for number, card in enumerate(selection, start=1):
            question = known[card.question_id]
            _header(number, len(selection), question, lang)
            _print_text(question.prompt.get(lang), lang)
            _ask(_TEXT["reveal"][lang])
            for point in question.key_points.get(lang):
                print(f"  - {point}")
            while True:
                reply = _ask(_TEXT["knew"][lang]).strip().lower()
                if reply in ("y", "yes", "n", "no", "是", "否"):
                    break
                print(_TEXT["bad_yes_no"][lang])
            knew = reply in ("y", "yes", "是")
            moment = datetime.datetime.combine(today, datetime.datetime.now().time())
            data = progress.record_attempt(data, question, quiz.Result(knew, float(knew)), mode="flashcard",
                                           lang=lang, now=moment)
            updated = flashcards.card_from_dict(data["cards"][question.id])
            print(_TEXT["next_due"][lang].format(id=question.id, date=updated.due.isoformat(),
                                                 box=updated.box))
            _save(args, data)
    except _EndOfInput:
        print(_TEXT["eof"][lang])
    return 0


# -------------------------------------------------------------------------------------------------- progress

def _command_progress(args) -> int:
    lang = args.lang
    data = progress.load_progress(args.home, repair=False)
    print(_TEXT["progress_file"][lang].format(path=progress.progress_path(args.home)))
    if not data["attempts"] and not data["cards"]:
        print(_TEXT["nothing"][lang])
        return 0
    print(_TEXT["attempts"][lang].format(n=len(data["attempts"])))
    labels = interview.topics()
    print(_TEXT["topic_header"][lang])
    for topic, entry in progress.topic_stats(data).items():
        name = labels[topic].get(lang) if topic in labels else topic
        print(_TEXT["topic_line"][lang].format(topic=name, **entry))
    weak = progress.weak_topics(data)
    if weak:
        names = ", ".join(labels[topic].get(lang) if topic in labels else topic for topic in weak)
        print(_TEXT["weak"][lang].format(topics=names))
    else:
        print(_TEXT["no_weak"][lang])
    cards = progress.cards(data)
    counts = flashcards.box_counts(cards.values())
    print(_TEXT["boxes"][lang].format(counts=", ".join(f"{box}: {n}" for box, n in counts.items())))
    print(_TEXT["due_today"][lang].format(n=len(flashcards.due_cards(cards.values(), args.today))))
    print(_TEXT["sessions"][lang].format(n=len(data["mock_sessions"])))
    return 0


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
    common.add_argument("--lang", choices=interview.LANGUAGES, default="en", help="language (default: en)")
    common.add_argument("--home", default=None,
                        help=f"progress directory (default: ${progress.ENV_VAR} or the user data directory)")
    common.add_argument("--no-save", action="store_true", help="do not write progress")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{quiz,mock,review,progress}")

    quiz_parser = commands.add_parser("quiz", parents=[common], help="answer self-check questions")
    quiz_parser.add_argument("--notebook", choices=interview.NOTEBOOK_STEMS, default=None)
    quiz_parser.add_argument("--topic", default=None)
    quiz_parser.add_argument("--n", type=_positive_int, default=5, help="number of questions (default: 5)")
    quiz_parser.add_argument("--seed", type=int, default=None, help="random seed for the question order")
    quiz_parser.set_defaults(handler=_command_quiz)

    mock_parser = commands.add_parser("mock", parents=[common], help="timed mock interview with self-grading")
    mock_parser.add_argument("--n", type=_positive_int, default=5, help="number of questions (default: 5)")
    mock_parser.add_argument("--topic", default=None)
    mock_parser.add_argument("--kind", choices=interview.KINDS, default=None)
    mock_parser.add_argument("--difficulty", choices=interview.DIFFICULTIES, default=None)
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
    except ValueError as error:
        parser.exit(2, f"medmeta: error: {error}\n")
    except KeyboardInterrupt:
        print()
        return 130


if __name__ == "__main__":
    sys.exit(main())
