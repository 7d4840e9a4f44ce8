"""The ``medmeta`` command driven as a user would: a subprocess with scripted standard input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from medmeta_lite import interview
from medmeta_lite.interview import cli, quiz


def run(tmp_path, *arguments, stdin="", home=None):
    environment = dict(os.environ, MEDMETA_LITE_HOME=str(home or tmp_path / "home"), PYTHONIOENCODING="utf-8")
    completed = subprocess.run([sys.executable, "-m", "medmeta_lite.interview.cli", *arguments], input=stdin,
                               capture_output=True, text=True, encoding="utf-8", env=environment, timeout=120)
    return completed


def stored(tmp_path):
    return json.loads((tmp_path / "home" / "progress.json").read_text(encoding="utf-8"))


def test_quiz_scores_answers_and_records_progress(tmp_path):
    # Both checks of notebook 02 are multiple choice. The quiz asks them in the order --seed 0 draws and
    # shows each one's options shuffled: type the number under which the right option appears.
    questions = interview.questions(notebook="02_meta_learning_vs_transfer")
    asked = [questions[index] for index in np.random.default_rng(0).permutation(len(questions))]
    numbers = [quiz.option_order(question).index(question.check.correct) + 1 for question in asked]
    assert len(set(numbers)) == 2  # distinct numbers: answering in the wrong order would fail
    completed = run(tmp_path, "quiz", "--notebook", "02_meta_learning_vs_transfer", "--seed", "0",
                    stdin="9\nabc\n" + "".join(f"{number}\n" for number in numbers))
    assert completed.returncode == 0, completed.stderr
    assert "Please type a number from 1 to 4." in completed.stdout
    assert completed.stdout.count("Correct.") == 2
    assert "Quiz score: 2 of 2 correct." in completed.stdout
    attempts = stored(tmp_path)["attempts"]
    assert [(a["mode"], a["correct"]) for a in attempts] == [("quiz", True), ("quiz", True)]


def test_quiz_in_chinese_with_numeric_and_short_answers(tmp_path):
    completed = run(tmp_path, "quiz", "--notebook", "11_complete_example_and_code_review", "--seed", "1",
                    "--lang", "zh", stdin="很多\n0.933\npredict 忽略输入，学习率未使用\n")
    assert completed.returncode == 0, completed.stderr
    assert "请输入一个数字" in completed.stdout
    assert "回答正确。" in completed.stdout and "遗漏的要点" in completed.stdout
    assert "测验得分：2 题答对 1 题。" in completed.stdout


def test_quiz_stops_gracefully_at_end_of_input(tmp_path):
    completed = run(tmp_path, "quiz", "--n", "3", stdin="")
    assert completed.returncode == 0, completed.stderr
    assert "(end of input: stopping here)" in completed.stdout
    assert "Quiz score: 0 of 0 correct." in completed.stdout
    assert not (tmp_path / "home" / "progress.json").exists()


def test_mock_interview_in_chinese_with_self_grading_and_markdown_export(tmp_path):
    markdown = tmp_path / "summary.md"
    completed = run(tmp_path, "mock", "--n", "2", "--lang", "zh", "--seed", "0", "--markdown", str(markdown),
                    stdin="支持集用来适应，查询集用来评估\n\n\n我不知道\n\n9\n1 2\n")
    assert completed.returncode == 0, completed.stderr
    assert "参考答案" in completed.stdout and "请输入 1 到" in completed.stdout
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("# 模拟面试总结") and "共 2 道题，回答了 2 道" in text
    data = stored(tmp_path)
    assert len(data["mock_sessions"]) == 1 and [a["mode"] for a in data["attempts"]] == ["mock", "mock"]
    assert data["mock_sessions"][0]["questions"][1]["score"] == pytest.approx(
        2 / len(interview.get_question(data["mock_sessions"][0]["questions"][1]["id"]).key_points.zh))


def test_mock_interview_ending_early_reports_skipped_questions(tmp_path):
    completed = run(tmp_path, "mock", "--n", "3", "--seed", "2", "--no-save", stdin="an answer\n\nnone\n")
    assert completed.returncode == 0, completed.stderr
    assert "(end of input: stopping here)" in completed.stdout
    assert "Answered 1 of 3 questions" in completed.stdout and completed.stdout.count("| skipped |") == 2
    assert not (tmp_path / "home").exists()


def test_review_reschedules_cards_and_progress_reports_them(tmp_path):
    completed = run(tmp_path, "review", "--n", "2", "--today", "2025-01-01", stdin="\ny\n\nmaybe\nn\n")
    assert completed.returncode == 0, completed.stderr
    first, second = interview.questions()[:2]
    assert f"Next review of {first.id}: 2025-01-03 (box 2)." in completed.stdout
    assert f"Next review of {second.id}: 2025-01-02 (box 1)." in completed.stdout
    assert "Please type y or n." in completed.stdout
    report = run(tmp_path, "progress", "--today", "2025-01-02")
    assert report.returncode == 0, report.stderr
    assert "Answers recorded: 2" in report.stdout
    assert "Flashcards per box (1 = new or missed, 5 = known): 1: 1, 2: 1" in report.stdout
    assert "Flashcards due today: 1" in report.stdout


def test_progress_of_a_new_user(tmp_path):
    completed = run(tmp_path, "progress", "--lang", "zh")
    assert completed.returncode == 0 and "还没有进度" in completed.stdout


@pytest.mark.parametrize("arguments, message", [
    (["mock", "--n", "0"], "must be >= 1"),
    (["mock", "--n", "999"], "only"),
    (["quiz", "--topic", "astrology"], "invalid choice: 'astrology'"),
    (["mock", "--lang", "fr"], "invalid choice"),
    ([], "required"),
])
def test_bad_arguments_exit_with_status_two(tmp_path, arguments, message):
    completed = run(tmp_path, *arguments)
    assert completed.returncode == 2
    assert message in completed.stderr


def test_a_corrupt_progress_file_is_set_aside_with_a_warning(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "progress.json").write_text("{broken", encoding="utf-8")
    completed = run(tmp_path, "quiz", "--notebook", "02_meta_learning_vs_transfer", stdin="2\n")
    assert completed.returncode == 0
    assert "was unreadable" in completed.stderr and "progress.json.corrupt-" in completed.stderr
    assert len(list(home.glob("progress.json.corrupt-*"))) == 1
    assert len(stored(tmp_path)["attempts"]) == 1


def test_main_runs_in_process(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MEDMETA_LITE_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO(""))
    assert cli.main(["progress"]) == 0
    assert "No progress yet" in capsys.readouterr().out
    assert cli.build_parser().prog == "medmeta"


def test_path_problems_are_one_clear_line(tmp_path, capsys):
    home_file = tmp_path / "not-a-folder"
    home_file.write_text("x")
    with pytest.raises(SystemExit) as stopped:
        cli.main(["progress", "--home", str(home_file)])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "is a file" in error and "Traceback" not in error
    (tmp_path / "home" / "progress.json").mkdir(parents=True)
    with pytest.raises(SystemExit):
        cli.main(["progress", "--home", str(tmp_path / "home")])
    assert "is a folder" in capsys.readouterr().err


def test_mock_answers_span_several_lines_and_text_wraps_to_the_terminal(tmp_path):
    completed = run(tmp_path, "mock", "--n", "1", "--seed", "0", "--no-save",
                    stdin="The support set adapts the model.\nThe query set scores it.\n\nnone\n")
    assert completed.returncode == 0, completed.stderr
    assert "an empty line ends it" in completed.stdout and "Answered 1 of 1 questions" in completed.stdout
    # The subprocess has no terminal: text is wrapped to the fallback width of 100 columns.
    assert max(len(line) for line in completed.stdout.splitlines() if not line.startswith("|")) <= 100


def test_topic_choices_are_listed_in_the_help(tmp_path):
    completed = run(tmp_path, "mock", "--help")
    assert "medical-pitfalls" in completed.stdout and "task-construction" in completed.stdout
