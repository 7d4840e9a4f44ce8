"""Tests of the progress file: location, round trip, atomic saves under SIGKILL and corrupt files."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import pytest

from medmeta_lite import interview
from medmeta_lite.interview import progress, quiz

NOW = datetime.datetime(2025, 5, 1, 10, 30, tzinfo=datetime.timezone.utc)


def test_home_comes_from_argument_then_environment_then_platformdirs(monkeypatch, tmp_path):
    monkeypatch.setenv(progress.ENV_VAR, str(tmp_path / "env"))
    assert progress.progress_path() == tmp_path / "env" / "progress.json"
    assert progress.progress_home(tmp_path / "arg") == tmp_path / "arg"
    assert progress.progress_home("") == tmp_path / "env"
    monkeypatch.delenv(progress.ENV_VAR)
    assert progress.progress_home().name == "medmeta-lite"


def test_missing_file_is_empty_progress_and_nothing_is_created(tmp_path):
    assert progress.load_progress(tmp_path / "new") == progress.empty_progress()
    assert not (tmp_path / "new").exists()


def test_round_trip_with_attempts_cards_and_sessions(tmp_path):
    question = interview.get_question("mlf-009")
    data = progress.record_attempt(progress.empty_progress(), question, quiz.score_answer(question, "-10"),
                                   mode="quiz", lang="zh", now=NOW)
    data = progress.record_attempt(data, question, quiz.score_answer(question, "3"), mode="quiz", now=NOW)
    data = progress.record_mock_session(data, {"n_questions": 1, "weak_topics": ["maml"]}, now=NOW)
    progress.save_progress(data, tmp_path)
    loaded = progress.load_progress(tmp_path)
    assert loaded == data
    assert [attempt["correct"] for attempt in loaded["attempts"]] == [True, False]
    card = progress.cards(loaded)["mlf-009"]
    assert (card.box, card.n_reviews, card.n_lapses) == (1, 2, 1)
    expected = {"implementation": {"attempts": 2, "correct": 1, "mean_score": 0.5}}
    assert progress.topic_stats(loaded) == expected
    assert progress.weak_topics(loaded) == ["implementation"]
    assert loaded["attempts"][0]["lang"] == "zh"
    assert not list(tmp_path.glob(".progress.json.*")), "no temporary file is left behind"


def test_record_attempt_does_not_mutate_its_input():
    question = interview.get_question("mlf-008")
    data = progress.empty_progress()
    progress.record_attempt(data, question, quiz.score_answer(question, "2.5"), mode="quiz", now=NOW)
    assert data == progress.empty_progress()
    with pytest.raises(ValueError, match="mode"):
        progress.record_attempt(data, question, quiz.Result(True, 1.0), mode="exam")


def test_save_refuses_malformed_data(tmp_path):
    with pytest.raises(ValueError, match="attempts"):
        progress.save_progress({"version": 1, "cards": {}, "mock_sessions": []}, tmp_path)
    assert not (tmp_path / "progress.json").exists()


@pytest.mark.parametrize("content", ["{not json", "[]", '{"version": 99}',
                                     '{"version": 1, "attempts": [], "cards": {"q": {"box": 7}}, '
                                     '"mock_sessions": []}'])
def test_corrupt_file_is_moved_aside_with_a_warning(tmp_path, content):
    path = tmp_path / "progress.json"
    path.write_text(content, encoding="utf-8")
    with pytest.warns(UserWarning, match="moved to .*progress.json.corrupt-"):
        data = progress.load_progress(tmp_path)
    assert data == progress.empty_progress()
    assert not path.exists()
    aside = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == content


def test_read_only_load_warns_and_leaves_a_corrupt_file_in_place(tmp_path):
    path = tmp_path / "progress.json"
    path.write_text("garbage", encoding="utf-8")
    with pytest.warns(UserWarning, match="untouched"):
        assert progress.load_progress(tmp_path, repair=False) == progress.empty_progress()
    assert path.read_text(encoding="utf-8") == "garbage"
    assert not list(tmp_path.glob("*.corrupt-*"))


_WRITER = textwrap.dedent("""
    import sys
    from medmeta_lite.interview import progress
    home = sys.argv[1]
    data = progress.empty_progress()
    iteration = 0
    while True:
        iteration += 1
        # Large, changing content so that each write takes a while and a kill can land mid-write.
        data["attempts"] = [{"question_id": f"q{iteration}-{index}", "topic": "t", "correct": True,
                             "score": 1.0, "mode": "quiz", "lang": "en", "time": "x" * 200}
                            for index in range(3000)]
        progress.save_progress(data, home)
        print(iteration, flush=True)
""")


def test_a_process_killed_while_saving_leaves_a_valid_file(tmp_path):
    for attempt in range(3):
        writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path)], stdout=subprocess.PIPE,
                                  text=True)
        try:
            assert writer.stdout.readline().strip(), "the writer did not save once"
            time.sleep(0.05 + 0.07 * attempt)
        finally:
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait(10)
            writer.stdout.close()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            data = progress.load_progress(tmp_path)
        assert len(data["attempts"]) == 3000
        assert len({attempt["question_id"].split("-")[0] for attempt in data["attempts"]}) == 1
    # A temporary file interrupted by the kill may remain; it never replaces progress.json.
    assert all(path.name.startswith(".progress.json.") for path in tmp_path.iterdir()
               if path.name != "progress.json")


_RECORDER = """
import sys
from medmeta_lite import interview
from medmeta_lite.interview import progress, quiz
home, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
question = interview.get_question("mlf-008")
for index in range(count):
    progress.record(question, quiz.Result(index % 2 == 0, float(index % 2 == 0)), mode="quiz", lang=tag,
                    home=home)
"""


def test_two_processes_recording_at_once_lose_no_answer(tmp_path):
    script = tmp_path / "recorder.py"
    script.write_text(_RECORDER)
    writers = [subprocess.Popen([sys.executable, str(script), str(tmp_path / "home"), tag, "150"])
               for tag in ("en", "zh")]
    assert [writer.wait(timeout=300) for writer in writers] == [0, 0]
    attempts = progress.load_progress(tmp_path / "home")["attempts"]
    assert len(attempts) == 300
    assert sum(attempt["lang"] == "zh" for attempt in attempts) == 150


def test_a_widget_never_writes_a_stale_copy_over_newer_answers(tmp_path):
    question = interview.get_question("mlf-008")
    early = progress.load_progress(tmp_path)  # what a widget loaded when its cell ran
    progress.record(question, quiz.score_answer(question, "2.5"), mode="quiz", home=tmp_path)
    progress.record_session({"n_questions": 1, "n_answered": 1}, home=tmp_path)
    wrong = quiz.Result(False, 0.0)
    saved = progress.update_progress(
        lambda data: progress.record_attempt(data, question, wrong, mode="flashcard"), tmp_path)
    assert early["attempts"] == [] and len(saved["attempts"]) == 2 and len(saved["mock_sessions"]) == 1


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8",
                                     b'{"version": 1, "attempts": [{"question_id": "x", "score": "abc"}], '
                                     b'"cards": {}, "mock_sessions": []}',
                                     b'{"version": 1, "attempts": [{"question_id": "x", "topic": ["a"]}], '
                                     b'"cards": {}, "mock_sessions": []}',
                                     b'{"version": 1, "attempts": [], "cards": {"x": {"box": 1}}, '
                                     b'"mock_sessions": []}'])
def test_unreadable_progress_is_moved_aside_naming_both_paths(tmp_path, content):
    path = progress.progress_path(tmp_path)
    path.write_bytes(content)
    with pytest.warns(UserWarning) as caught:
        data = progress.update_progress(lambda current: current, tmp_path)
    assert data == progress.empty_progress()
    message = str(caught[0].message)
    backups = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == content
    assert str(path) in message and str(backups[0]) in message


def test_path_errors_are_one_clear_line(tmp_path):
    progress.progress_path(tmp_path).mkdir()
    with pytest.raises(progress.ProgressError, match="is a folder"):
        progress.load_progress(tmp_path)
    not_a_folder = tmp_path / "plain-file"
    not_a_folder.write_text("x")
    with pytest.raises(progress.ProgressError, match="is a file"):
        progress.update_progress(lambda data: data, not_a_folder)


def test_stale_temporary_files_are_cleaned_up(tmp_path):
    stale = tmp_path / ".progress.json.abc123.tmp"
    fresh = tmp_path / ".progress.json.def456.tmp"
    stale.write_text("{")
    fresh.write_text("{")
    old = time.time() - 2 * progress.STALE_TEMPORARY_S
    os.utime(stale, (old, old))
    progress.update_progress(lambda data: data, tmp_path)
    assert not stale.exists() and fresh.exists()  # a save still in progress elsewhere is left alone
