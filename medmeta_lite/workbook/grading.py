"""Classroom versions with nbgrader: a student copy of every notebook, and autograding of filled-in copies.

Every notebook ends its exercises with one graded exercise (an answer cell and a test cell, see
``medmeta_lite.interview.exercises``), after a hand-graded cell of written answers to the others (notebook 11
has one more, for its code review). Their nbgrader cell metadata marks what is solution, what is a test and
how many points it is worth; the interview cell's solution switches the model answers on. nbgrader then
does the rest: the student version drops the solutions (between ``### BEGIN SOLUTION`` and
``### END SOLUTION``), the hidden tests and the outputs, so it shows the interview questions without their
model answers; autograding puts the hidden tests back and runs the notebook.

Each notebook is its own assignment, named by its stem, so a course can hand out one notebook a week. The
course folder (default ``build/nbgrader``) has nbgrader's layout::

    source/<stem>/<stem>.ipynb                  the instructor's notebook, copied from notebooks/
    release/<stem>/<stem>.ipynb                 the student version
    submitted/<student>/<stem>/<stem>.ipynb     a student's filled-in copy
    autograded/<student>/<stem>/<stem>.ipynb    the graded copy; gradebook.db holds the scores

``python -m medmeta_lite.workbook.grading student`` (``make student``) writes the student versions to
``build/student``; ``python -m medmeta_lite.workbook.grading grade`` (``make grade``) collects the filled-in
notebooks of ``build/submissions/<student>/<stem>.ipynb``, autogrades them and prints every score.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from medmeta_lite.data.bundled import list_notebooks

COURSE = Path("build/nbgrader")
STUDENT_VERSIONS = Path("build/student")
SUBMISSIONS = Path("build/submissions")
CODE_STUB = ""
"""What replaces a code solution: nothing (a blank line). nbgrader's default, "# YOUR CODE HERE" and a
raised NotImplementedError, would stop a student's Run All at the first exercise, and would read oddly in
the interview cell, whose solution only switches the model answers on. The answer variable keeps its
``None`` instead (its line says "replace None with your answer"), and the visible check says "not answered
yet"."""
TEXT_STUB = "_Write your answers here._"
CELL_TIMEOUT_SECONDS = 300
"""Per-cell limit while autograding: far above any cell's need (the slowest take about 20 s)."""


@dataclass(frozen=True)
class Score:
    """A submitted notebook's autograded score (written answers are graded by hand, outside it)."""

    student: str
    notebook: str
    points: float
    max_points: float


def course_config(course: Path) -> Config:
    """nbgrader's configuration for a course folder: its gradebook, the stubs and the grading kernel."""
    course = Path(course).resolve()
    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    config.Exchange.root = str(course / "exchange")    # never the system-wide /srv/nbgrader/exchange
    config.ClearSolutions.code_stub = {"python": CODE_STUB}
    config.ClearSolutions.text_stub = TEXT_STUB
    config.Execute.timeout = CELL_TIMEOUT_SECONDS
    # The kernel client that cannot sleep through a reply (medmeta_lite.workbook.kernel), as for papermill.
    config.Execute.kernel_manager_class = "medmeta_lite.workbook.kernel.SlicedPollKernelManager"
    config.NbGraderAPI.log_level = "WARN"
    return config


def grading_api(course: Path) -> NbGraderAPI:
    """An nbgrader API object for ``course``, the folder (and its unused exchange) created if needed."""
    (Path(course) / "exchange").mkdir(parents=True, exist_ok=True)
    # nbgrader runs the `alembic` command by name to check its gradebook's schema; it sits beside this
    # interpreter, which is not on PATH when the virtual environment is used without being activated.
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    config = course_config(course)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _run(step: str, result: dict) -> None:
    if not result.get("success"):
        details = (result.get("log") or "") + (result.get("error") or "")
        raise RuntimeError(f"nbgrader could not {step}:\n{details.strip()[-3000:]}")


def make_student_versions(output: Path = STUDENT_VERSIONS, course: Path = COURSE,
                          notebooks: list[Path] | None = None) -> list[Path]:
    """Write the student version of each notebook (default: every workbook notebook) to ``output``.

    The instructor's notebooks are copied into the course's ``source`` folder and registered in its
    gradebook, which autograding needs later.

    Returns
    -------
    list of Path
        The student notebooks, ``output/<stem>.ipynb``.

    Raises
    ------
    ValueError
        If a notebook named in ``notebooks`` is not a file.
    """
    course, output = Path(course), Path(output)
    paths = [Path(path) for path in notebooks or list_notebooks()]
    missing = [str(path) for path in paths if not path.is_file() or path.suffix != ".ipynb"]
    if missing:
        raise ValueError(f"not a notebook file: {', '.join(missing)}")
    api = grading_api(course)
    written = []
    for path in paths:
        source = course / "source" / path.stem / path.name
        source.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, source)
        _run(f"generate the student version of {path.name}", api.generate_assignment(path.stem))
        output.mkdir(parents=True, exist_ok=True)
        written.append(Path(shutil.copyfile(course / "release" / path.stem / path.name, output / path.name)))
    return written


def collect_submissions(submissions: Path = SUBMISSIONS, course: Path = COURSE) -> list[tuple[str, str]]:
    """Copy ``submissions/<student>/<stem>.ipynb`` into the course's ``submitted`` folder.

    Returns
    -------
    list of (student, stem)

    Raises
    ------
    ValueError
        If the folder is missing or empty, or a notebook's name is not a workbook notebook's.
    """
    submissions, course = Path(submissions), Path(course)
    stems = {path.stem for path in list_notebooks()}
    if not submissions.is_dir():
        raise ValueError(f"no submissions folder {submissions}: put each student's notebooks in "
                         f"{submissions}/<student>/<notebook>.ipynb")
    collected = []
    for path in sorted(submissions.glob("*/*.ipynb")):
        if path.stem not in stems:
            raise ValueError(f"{path} is not named after a workbook notebook (for example "
                             f"{min(stems)}.ipynb); rename it so it can be graded")
        student = path.parent.name
        target = course / "submitted" / student / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        collected.append((student, path.stem))
    if not collected:
        raise ValueError(f"no notebooks in {submissions}/<student>/: nothing to grade")
    return collected


def autograde(student: str, stem: str, course: Path = COURSE) -> Score:
    """Autograde ``course/submitted/<student>/<stem>/<stem>.ipynb`` and return its score.

    The notebook's assignment must have been generated first (:func:`make_student_versions`): the tests
    that run are the instructor's, hidden ones included, whatever the student did to the test cells.
    """
    course = Path(course)
    if not (course / "release" / stem).is_dir():
        raise ValueError(f"{stem} has no student version in {course}: run make_student_versions first")
    with warnings.catch_warnings():
        # nbgrader 0.9 adds gradebook rows in a way SQLAlchemy 2 warns about; the rows are written anyway
        warnings.filterwarnings("ignore", category=SAWarning)
        _run(f"autograde {student}'s {stem}", grading_api(course).autograde(stem, student))
    with Gradebook(course_config(course).CourseDirectory.db_url) as gradebook:
        graded = gradebook.find_submission_notebook(stem, stem, student)
        return Score(student, stem, float(graded.code_score), float(graded.max_code_score))


def write_scores(scores: list[Score], path: Path) -> None:
    """Write the scores as CSV (student, notebook, points, max_points)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "notebook", "points", "max_points"])
        writer.writerows([score.student, score.notebook, score.points, score.max_points] for score in scores)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medmeta_lite.workbook.grading",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--course", type=Path, default=COURSE,
                        help=f"nbgrader course folder (default: {COURSE})")
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser("student", help="write the student version of every notebook")
    student.add_argument("--output", type=Path, default=STUDENT_VERSIONS,
                         help=f"folder for the student notebooks (default: {STUDENT_VERSIONS})")
    student.add_argument("notebooks", type=Path, nargs="*", help="notebooks (default: all)")
    grade = commands.add_parser("grade", help="autograde every notebook in SUBMISSIONS/<student>/")
    grade.add_argument("--submissions", type=Path, default=SUBMISSIONS,
                       help=f"folder of filled-in notebooks (default: {SUBMISSIONS})")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "student":
            written = make_student_versions(arguments.output, arguments.course, arguments.notebooks or None)
            plural = "s" if len(written) != 1 else ""
            print(f"wrote {len(written)} student notebook{plural} in {arguments.output} "
                  "(solutions, hidden tests and outputs removed)")
            return 0
        if not (arguments.course / "release").is_dir():
            make_student_versions(STUDENT_VERSIONS, arguments.course)
        scores = [autograde(name, stem, arguments.course)
                  for name, stem in collect_submissions(arguments.submissions, arguments.course)]
    except (ValueError, RuntimeError) as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    for score in scores:
        print(f"{score.student:<20} {score.notebook:<40} {score.points:g} / {score.max_points:g}")
    write_scores(scores, arguments.course / "grades.csv")
    print(f"autograded {len(scores)} notebooks; scores in {arguments.course / 'grades.csv'} "
          "(written answers are graded by hand: nbgrader's formgrader)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
