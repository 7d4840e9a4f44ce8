"""Classroom versions: every notebook's graded exercise, the student versions nbgrader writes, and the grading
round trip (full marks with the instructor's solution, none with a wrong, missing or tampered answer)."""

import copy
import json
import re
import subprocess
import sys

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator, ValidationError

from medmeta_lite.data import copy_notebooks, list_notebooks
from medmeta_lite.interview.exercises import ANSWER_KINDS, check_answer_form
from medmeta_lite.workbook import grading
from medmeta_lite.workbook.notebook_files import read_notebook, write_notebook

NOTEBOOKS = list_notebooks()
GRADED = "00_start_here"   # the fastest notebook to autograde


def _cell(notebook, cell_id):
    return next(cell for cell in notebook["cells"] if cell.get("id") == cell_id)


def _source(cell):
    return "".join(cell["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_notebook_ends_its_exercises_with_a_graded_exercise(path):
    notebook = read_notebook(path)
    MetadataValidator().validate_nb(nbformat.from_dict(notebook))   # nbgrader's check: ids, points, types
    ids = [cell.get("id") for cell in notebook["cells"]]
    exercises = next(index for index, cell in enumerate(notebook["cells"])
                     if _source(cell).startswith("## Exercises"))
    # every exercise list has written solutions, graded by hand, then one autograded exercise
    expected = ["written-answers", "graded-exercise", "graded-exercise-answer", "graded-exercise-tests"]
    assert ids[exercises + 1:exercises + 1 + len(expected)] == expected
    answer, tests = _source(_cell(notebook, expected[-2])), _source(_cell(notebook, expected[-1]))
    name = re.match(r"(\w+) = None  # replace None with your answer\n### BEGIN SOLUTION\n", answer).group(1)
    assert answer.endswith("### END SOLUTION")
    assert f'check_answer_form("{name}", {name}, ' in tests
    assert re.search(r"### BEGIN HIDDEN TESTS\n(.|\n)*assert (.|\n)*### END HIDDEN TESTS$", tests)
    metadata = _cell(notebook, expected[-1])["metadata"]["nbgrader"]
    assert metadata["grade"] and metadata["locked"] and metadata["points"] > 0
    # The interview questions' model answers, written by code, are a solution too: off in the student version.
    interview = next(cell for cell in notebook["cells"] if "interview.show(" in _source(cell))
    assert interview["metadata"]["nbgrader"]["solution"]
    switch = r"model_answers = False  #.*\n### BEGIN SOLUTION\nmodel_answers = True\n### END SOLUTION\n"
    call = rf'interview\.show\(notebook="{path.stem}", model_answers=model_answers\)$'
    assert re.search(switch + call, _source(interview))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_written_solution_is_marked_as_a_solution(path):
    # Written solutions sit in collapsed <details> blocks: each must be inside a hand-graded solution cell,
    # between nbgrader's markers, so that the student version drops it.
    notebook = read_notebook(path)
    collapsed = [cell for cell in notebook["cells"] if "<details>" in _source(cell)]
    expected = {"written-answers"} | ({"written-review"} if path.stem == "11_complete_example_and_code_review"
                                      else set())
    assert {cell.get("id") for cell in collapsed} == expected
    for cell in collapsed:
        metadata = cell["metadata"]["nbgrader"]
        assert metadata["solution"] and metadata["grade"] and metadata["points"] > 0
        assert re.search(r"\n<!-- BEGIN SOLUTION -->\n<details>(.|\n)+</details>\n<!-- END SOLUTION -->$",
                         _source(cell))


def test_nbgrader_refuses_a_test_cell_without_points():
    # The validator the test above relies on fails where it should.
    notebook = read_notebook(NOTEBOOKS[0])
    del _cell(notebook, "graded-exercise-tests")["metadata"]["nbgrader"]["points"]
    with pytest.raises(ValidationError, match="points"):
        MetadataValidator().validate_nb(nbformat.from_dict(notebook))


def test_the_answer_check_only_says_whether_an_answer_is_there(capsys):
    check_answer_form("slope", None, "number")
    assert capsys.readouterr().out.startswith("slope: not answered yet")
    for name, value, kind in [("count", 3, "whole number"), ("name", "maml", "text"),
                              ("centre", [1.0, 2.0], "array"), ("predict", len, "function")]:
        check_answer_form(name, value, kind)
        assert capsys.readouterr().out.startswith(f"{name}: answered with "), name
    with pytest.raises(ValueError, match="slope should be a number, got str"):
        check_answer_form("slope", "2.0", "number")
    with pytest.raises(ValueError, match="count should be a whole number, got bool"):
        check_answer_form("count", True, "whole number")
    with pytest.raises(ValueError, match="kind must be one of"):
        check_answer_form("slope", 2.0, "float")
    assert set(ANSWER_KINDS) == {"number", "whole number", "text", "array", "mapping", "function"}


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """Student versions of every notebook (``make student``) and the course folder behind them."""
    root = tmp_path_factory.mktemp("classroom")
    written = grading.make_student_versions(root / "student", root / "course")
    return root, written


def test_make_student_writes_every_notebook_without_solutions_tests_or_outputs(classroom):
    root, written = classroom
    assert [path.name for path in written] == [path.name for path in NOTEBOOKS]
    for path in written:
        student = read_notebook(path)
        instructor = read_notebook(next(source for source in NOTEBOOKS if source.name == path.name))
        text = json.dumps(student)
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "<details>"):
            assert marker not in text, f"{path.name}: {marker} left in the student version"
        assert all(not cell.get("outputs") for cell in student["cells"]), f"{path.name}: outputs left"
        solution = _source(_cell(instructor, "graded-exercise-answer")).split("\n")[2]
        assert solution not in text, f"{path.name}: the solution's first line is still there"
        answer = _source(_cell(student, "graded-exercise-answer"))
        assert answer.endswith(f"= None  # replace None with your answer\n{grading.CODE_STUB}"), answer
        interview = next(cell for cell in student["cells"] if "interview.show(" in _source(cell))
        assert "model_answers = True" not in _source(interview)
        tests = _cell(student, "graded-exercise-tests")
        assert "assert" not in _source(tests) and tests["metadata"]["editable"] is False
        assert _source(_cell(student, "written-answers")).endswith(grading.TEXT_STUB)
        # everything else is the instructor's notebook, cell for cell
        ids = [cell.get("id") for cell in instructor["cells"]]
        assert [cell.get("id") for cell in student["cells"]] == ids, f"{path.name}: cells added or lost"


def _submit(root, student, notebook):
    folder = root / "submissions" / student
    folder.mkdir(parents=True, exist_ok=True)
    write_notebook(folder / f"{GRADED}.ipynb", notebook)


def test_grading_gives_full_marks_to_the_solution_and_none_to_wrong_missing_or_tampered_answers(classroom,
                                                                                                 capsys):
    root, _ = classroom
    student = read_notebook(root / "student" / f"{GRADED}.ipynb")
    instructor = read_notebook(next(path for path in NOTEBOOKS if path.stem == GRADED))
    solved, wrong = copy.deepcopy(student), copy.deepcopy(student)
    _cell(solved, "graded-exercise-answer")["source"] = _cell(instructor, "graded-exercise-answer")["source"]
    _cell(wrong, "graded-exercise-answer")["source"] = "heldout_mse_with_intercept = 0.5\n"
    # A student who also empties the locked test cell: grading puts the instructor's tests back.
    _cell(wrong, "graded-exercise-tests")["source"] = "print('no tests here')\n"
    for name, notebook in {"solved": solved, "wrong": wrong, "unanswered": student}.items():
        _submit(root, name, notebook)

    assert grading.main(["--course", str(root / "course"), "grade",
                         "--submissions", str(root / "submissions")]) == 0
    printed = capsys.readouterr().out
    points = {line.split()[0]: line.split()[-3:] for line in printed.splitlines()}
    assert points == {"solved": ["2", "/", "2"], "unanswered": ["0", "/", "2"], "wrong": ["0", "/", "2"]}
    rows = (root / "course" / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "student,notebook,points,max_points" and f"solved,{GRADED},2.0,2.0" in rows


def test_grading_refuses_what_it_cannot_grade(classroom, tmp_path, capsys):
    root, _ = classroom
    course = str(root / "course")
    with pytest.raises(SystemExit) as stopped:
        grading.main(["--course", course, "grade", "--submissions", str(tmp_path / "missing")])
    assert stopped.value.code == 2 and "no submissions folder" in capsys.readouterr().err
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / "homework.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(SystemExit):
        grading.main(["--course", course, "grade", "--submissions", str(tmp_path)])
    assert "homework.ipynb is not named after a workbook notebook" in capsys.readouterr().err
    with pytest.raises(ValueError, match="has no student version"):
        grading.autograde("ann", "00_start_here", tmp_path / "empty-course")
    with pytest.raises(ValueError, match="not a notebook file: .*08_missing.ipynb"):
        grading.make_student_versions(tmp_path / "student", tmp_path / "course",
                                      [tmp_path / "08_missing.ipynb"])


def test_a_class_hub_hands_out_the_student_versions_without_overwriting_answers(classroom, tmp_path):
    # deploy/jupyterhub copies MEDMETA_HUB_NOTEBOOKS (build/student) into each student's folder this way.
    root, written = classroom
    copied, kept = copy_notebooks(tmp_path / "home", root / "student")
    assert [path.name for path in copied] == [path.name for path in written] and not kept
    answered = tmp_path / "home" / f"{GRADED}.ipynb"
    assert "BEGIN SOLUTION" not in answered.read_text(encoding="utf-8")
    answered.write_text("my answers", encoding="utf-8")
    copied, kept = copy_notebooks(tmp_path / "home", root / "student")
    assert not copied and answered in kept and answered.read_text(encoding="utf-8") == "my answers"
    with pytest.raises(ValueError, match="no notebooks in"):
        copy_notebooks(tmp_path / "other", tmp_path / "empty")


def test_make_student_command_writes_the_student_versions(tmp_path):
    # `make student` runs this command (every notebook; one here, the fixture above covers them all).
    finished = subprocess.run([sys.executable, "-m", "medmeta_lite.workbook.grading", "--course",
                               str(tmp_path / "course"), "student", "--output", str(tmp_path / "student"),
                               str(NOTEBOOKS[0])], capture_output=True, text=True, check=True)
    assert finished.stdout.startswith(f"wrote 1 student notebook in {tmp_path / 'student'}")
    assert "BEGIN SOLUTION" not in (tmp_path / "student" / NOTEBOOKS[0].name).read_text(encoding="utf-8")
