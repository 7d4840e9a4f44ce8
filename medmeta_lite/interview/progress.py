"""Per-user progress of the interview trainer: attempts, flashcards and mock-interview sessions.

Progress is one JSON file, ``progress.json``, in the user's data directory:
``platformdirs.user_data_dir("medmeta-lite")``, or the directory named by the environment variable
``MEDMETA_LITE_HOME`` (tests and classrooms), or an explicit ``home`` argument.

* Every writer goes through :func:`update_progress` (or :func:`record` and :func:`record_session`, built on
  it): under a file lock (``progress.json.lock``, the ``filelock`` package) it re-reads the file, applies
  one change and saves, so two notebooks, widgets or terminal sessions never write a stale copy over each
  other's answers.
* Writes are atomic: the data go to a temporary file in the same directory, which is flushed and
  ``fsync``-ed and then renamed over ``progress.json`` with ``os.replace``; a process killed mid-save leaves
  the previous file intact, and its leftover temporary file is removed by the next writer.
* A file that cannot be read (invalid UTF-8 or JSON, or a wrong structure anywhere) is never dropped
  silently: it is renamed to ``progress.json.corrupt-<UTC timestamp>`` next to the original and a warning
  names both paths; the trainer then starts from empty progress. ``repair=False`` only warns and leaves the
  file where it is.
"""

from __future__ import annotations

import datetime as _datetime
import json
import os
import tempfile
import warnings
from pathlib import Path

import platformdirs
from filelock import FileLock, Timeout

from medmeta_lite.interview import bank, flashcards

ENV_VAR = "MEDMETA_LITE_HOME"
FILE_NAME = "progress.json"
SCHEMA_VERSION = 1
LOCK_TIMEOUT_S = 30.0
"""Seconds a writer waits for another one to finish before giving up with a clear error."""
STALE_TEMPORARY_S = 600.0
"""Age after which a temporary file left by a killed save is removed."""


class ProgressError(OSError):
    """The progress file or its folder cannot be used (a folder where the file should be, no permission)."""


def progress_home(home=None) -> Path:
    """Return the directory holding ``progress.json``: ``home``, else ``$MEDMETA_LITE_HOME``, else the
    platform's user data directory for ``medmeta-lite``.

    Examples
    --------
    >>> progress_home("/some/dir").name
    'dir'
    """
    if home not in (None, ""):
        return Path(home).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()

    return Path(platformdirs.user_data_dir("medmeta-lite", appauthor=False))


def progress_path(home=None) -> Path:
    """Return the path of the progress file in :func:`progress_home`."""
    return progress_home(home) / FILE_NAME


def empty_progress() -> dict:
    """Return the progress of a new user.

    Examples
    --------
    >>> sorted(empty_progress())
    ['attempts', 'cards', 'mock_sessions', 'version']
    """
    return {"version": SCHEMA_VERSION, "attempts": [], "cards": {}, "mock_sessions": []}


def _check_structure(data) -> None:
    if not isinstance(data, dict):
        raise ValueError("the top level is not an object")
    if data.get("version") != SCHEMA_VERSION:
        raise ValueError(f"unsupported version {data.get('version')!r}")
    for key, kind in (("attempts", list), ("cards", dict), ("mock_sessions", list)):
        if not isinstance(data.get(key), kind):
            raise ValueError(f"'{key}' is missing or not a {kind.__name__}")
    for card in data["cards"].values():
        try:
            flashcards.card_from_dict(card)
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"a flashcard is malformed ({error!r})") from error
    for attempt in data["attempts"]:
        if not isinstance(attempt, dict) or not isinstance(attempt.get("question_id"), str):
            raise ValueError("an attempt has no question_id")
        if not isinstance(attempt.get("topic", ""), str):
            raise ValueError(f"attempt {attempt['question_id']} has a topic that is not text")
        score = attempt.get("score", 0.0)
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            raise ValueError(f"attempt {attempt['question_id']} has a score that is not a number: {score!r}")
    for session in data["mock_sessions"]:
        if not isinstance(session, dict):
            raise ValueError("a mock-interview session is not an object")


def load_progress(home=None, *, repair: bool = True) -> dict:
    """Read the progress file; a missing file gives :func:`empty_progress`.

    Parameters
    ----------
    home : path or None, default=None
        See :func:`progress_home`.
    repair : bool, default=True
        When the file is corrupt, move it aside to ``progress.json.corrupt-<timestamp>`` (``True``) or leave
        it in place (``False``, for read-only views). Either way a warning is issued and empty progress is
        returned.

    Returns
    -------
    dict

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     load_progress(folder)["attempts"]
    []
    """
    path = progress_path(home)
    _check_usable(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return empty_progress()
    except OSError as error:
        raise ProgressError(f"cannot read the progress file {path}: {error.strerror or error}") from error
    try:
        data = json.loads(raw.decode("utf-8"))
        _check_structure(data)
    except ValueError as error:  # UnicodeDecodeError and json.JSONDecodeError are ValueErrors
        if not repair:
            warnings.warn(f"progress file {path} is unreadable ({error}); showing empty progress and leaving "
                          f"the file untouched", stacklevel=2)
            return empty_progress()
        stamp = _datetime.datetime.now(_datetime.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        aside = path.with_name(f"{FILE_NAME}.corrupt-{stamp}")
        os.replace(path, aside)
        warnings.warn(f"progress file {path} was unreadable ({error}); it was moved to {aside} and progress "
                      f"starts empty", stacklevel=2)
        return empty_progress()
    return data


def save_progress(data: dict, home=None) -> Path:
    """Write ``data`` to the progress file atomically and return its path.

    The JSON goes to a temporary file in the same directory, is flushed and fsync-ed, then replaces the
    old file in one ``os.replace``; readers see either the old or the new file, never a partial one.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save_progress(empty_progress(), folder)
    ...     load_progress(folder) == empty_progress()
    True
    """
    _check_structure(data)
    path = progress_path(home)
    _check_usable(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{FILE_NAME}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):
        # Persist the rename itself (POSIX); without it a power cut could resurrect the old file.
        directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return path


def _check_usable(path: Path) -> None:
    """Refuse, in one line, a progress path that cannot work: a folder where the file should be, or a file
    where its folder should be."""
    if path.is_dir():
        raise ProgressError(f"{path} is a folder, but the progress file should be there; move the folder "
                            f"away or choose another home (--home or {ENV_VAR})")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ProgressError(f"{parent} is a file, but the progress folder should be there; choose "
                                    f"another home (--home or {ENV_VAR})")
            break


def _remove_stale_temporaries(folder: Path) -> None:
    now = _datetime.datetime.now().timestamp()
    for leftover in folder.glob(f".{FILE_NAME}.*.tmp"):
        try:
            if now - leftover.stat().st_mtime > STALE_TEMPORARY_S:
                leftover.unlink()
        except FileNotFoundError:  # another writer removed it first
            pass


def update_progress(change, home=None) -> dict:
    """Apply ``change`` to the saved progress under a file lock and save the result; return it.

    The one way to write progress: it re-reads the file inside the lock, so a change made elsewhere since
    this process last read (another notebook widget, a terminal session) is kept, never overwritten.

    Parameters
    ----------
    change : callable
        Takes the current progress (a dict) and returns the new progress, e.g.
        ``lambda data: record_attempt(data, question, result, mode="quiz")``.
    home : path or None, default=None
        See :func:`progress_home`.

    Returns
    -------
    dict
        The progress as saved.

    Raises
    ------
    ProgressError
        The file cannot be written, or another writer held the lock for ``LOCK_TIMEOUT_S`` seconds.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     saved = update_progress(lambda data: record_mock_session(data, {"n_questions": 0}), folder)
    ...     len(load_progress(folder)["mock_sessions"])
    1
    """
    path = progress_path(home)
    _check_usable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ProgressError(f"cannot create the progress folder {path.parent}: {error.strerror or error}") \
            from error
    lock = FileLock(str(path.with_name(f"{FILE_NAME}.lock")), timeout=LOCK_TIMEOUT_S)
    try:
        with lock:
            _remove_stale_temporaries(path.parent)
            data = change(load_progress(home))
            save_progress(data, home)
    except Timeout as error:
        raise ProgressError(f"another process has held the lock on {path} for {LOCK_TIMEOUT_S:.0f} s; close "
                            f"other trainer sessions and try again") from error
    return data


def record(question, result, *, mode: str, lang: str = "en", home=None, now=None) -> dict:
    """Record one answer in the saved progress (see :func:`record_attempt`) and return the progress."""
    return update_progress(lambda data: record_attempt(data, question, result, mode=mode, lang=lang, now=now),
                           home)


def record_session(summary: dict, *, home=None, now=None) -> dict:
    """Record one mock-interview summary in the saved progress and return the progress."""
    return update_progress(lambda data: record_mock_session(data, summary, now), home)


def _now(now) -> _datetime.datetime:
    return now if now is not None else _datetime.datetime.now(_datetime.timezone.utc)


def record_attempt(data: dict, question, result, *, mode: str, lang: str = "en", now=None) -> dict:
    """Return a copy of ``data`` with one more attempt and the question's flashcard rescheduled.

    Parameters
    ----------
    data : dict
        Progress as returned by :func:`load_progress`.
    question : bank.Question
    result : quiz.Result
        Its ``correct`` moves the flashcard up a box or back to box 1.
    mode : {"quiz", "flashcard", "mock"}
    lang : str, default="en"
    now : datetime.datetime or None, default=None
        Time stamp of the attempt (UTC now when ``None``); its date is the flashcard's "today".

    Examples
    --------
    >>> import datetime
    >>> from medmeta_lite import interview
    >>> from medmeta_lite.interview import quiz
    >>> question = interview.get_question("mlf-008")
    >>> data = record_attempt(empty_progress(), question, quiz.score_answer(question, "2.5"), mode="quiz",
    ...                       now=datetime.datetime(2025, 1, 1, 12, 0))
    >>> data["cards"]["mlf-008"]["box"], data["attempts"][0]["correct"]
    (2, True)
    """
    if mode not in ("quiz", "flashcard", "mock"):
        raise ValueError(f"mode must be 'quiz', 'flashcard' or 'mock', got {mode!r}")
    bank.check_lang(lang)
    moment = _now(now)
    updated = {**data, "attempts": list(data["attempts"]), "cards": dict(data["cards"])}
    updated["attempts"].append({
        "question_id": question.id, "topic": question.topic, "correct": bool(result.correct),
        "score": round(float(result.score), 4), "mode": mode, "lang": lang, "time": moment.isoformat(),
    })
    today = moment.date()
    stored = updated["cards"].get(question.id)
    card = flashcards.card_from_dict(stored) if stored else flashcards.new_card(question.id, today)
    updated["cards"][question.id] = flashcards.card_to_dict(flashcards.review(card, result.correct, today))
    return updated


def record_mock_session(data: dict, summary: dict, now=None) -> dict:
    """Return a copy of ``data`` with a mock-interview summary (see ``mock.summarize``) appended."""
    updated = {**data, "mock_sessions": list(data["mock_sessions"])}
    updated["mock_sessions"].append({**summary, "time": _now(now).isoformat()})
    return updated


def cards(data: dict) -> dict[str, flashcards.Card]:
    """Return the flashcards stored in ``data`` as ``{question_id: Card}``."""
    return {question_id: flashcards.card_from_dict(card) for question_id, card in data["cards"].items()}


def topic_stats(data: dict) -> dict[str, dict]:
    """Return per-topic results: ``{topic: {"attempts": n, "correct": k, "mean_score": s}}``.

    ``mean_score`` averages the attempts' scores: 0 or 1 for checks and flashcards, the share of key points
    covered for mock-interview answers.

    Examples
    --------
    >>> topic_stats(empty_progress())
    {}
    """
    stats: dict[str, dict] = {}
    for attempt in data["attempts"]:
        entry = stats.setdefault(attempt.get("topic", "unknown"), {"attempts": 0, "correct": 0, "total": 0.0})
        entry["attempts"] += 1
        entry["correct"] += bool(attempt.get("correct"))
        entry["total"] += float(attempt.get("score", attempt.get("correct", 0)))
    for entry in stats.values():
        entry["mean_score"] = round(entry.pop("total") / entry["attempts"], 4)
    return dict(sorted(stats.items()))


def weak_topics(data: dict, threshold: float = 0.6, min_attempts: int = 1) -> list[str]:
    """Return topics whose mean score is below ``threshold`` (at least ``min_attempts``), weakest first."""
    stats = topic_stats(data)
    weak = [topic for topic, entry in stats.items()
            if entry["attempts"] >= min_attempts and entry["mean_score"] < threshold]
    return sorted(weak, key=lambda topic: (stats[topic]["mean_score"], topic))
