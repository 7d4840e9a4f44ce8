"""The visible half of a notebook's graded exercise: is the answer filled in, and of the right kind?

Every notebook ends its exercises with one graded exercise. The student writes code that assigns an answer
variable (it starts as ``None``); the cell after it calls :func:`check_answer_form`, which says whether the
answer is there and has the expected form, without saying whether it is right. Whether it is right is
decided by the instructor's tests, which nbgrader hides in the student version and puts back when it grades
(see ``medmeta_lite.workbook.grading``). An unanswered exercise therefore never stops a notebook that is run
from top to bottom; an answer of the wrong kind is refused with a message that names the problem.
"""

from __future__ import annotations

import numbers

import numpy as np

# kind -> (test of a value, how the message names the kind)
ANSWER_KINDS = {
    "number": (lambda value: isinstance(value, numbers.Real) and not isinstance(value, bool), "a number"),
    "whole number": (lambda value: isinstance(value, numbers.Integral) and not isinstance(value, bool),
                     "a whole number"),
    "text": (lambda value: isinstance(value, str), "text (a str)"),
    "array": (lambda value: isinstance(value, (np.ndarray, list, tuple)), "an array"),
    "mapping": (lambda value: isinstance(value, dict), "a dict"),
    "function": (callable, "a function"),
}


def check_answer_form(name: str, value, kind: str) -> None:
    """Print whether a graded exercise's answer is filled in (and refuse one of the wrong kind).

    Parameters
    ----------
    name : str
        The answer variable's name, as the student sees it.
    value : object
        Its current value; ``None`` means "not answered yet".
    kind : str
        The form the answer must have, one of ``ANSWER_KINDS``.

    Raises
    ------
    ValueError
        If ``kind`` is unknown, or ``value`` is not ``None`` and not of that kind.

    Examples
    --------
    >>> check_answer_form("best_slope", None, "number")
    best_slope: not answered yet. Replace None in the cell above, run it, then run this cell again.
    >>> check_answer_form("best_slope", 2.01, "number")
    best_slope: answered with a number. The grader's hidden tests decide whether it is right.
    """
    if kind not in ANSWER_KINDS:
        raise ValueError(f"kind must be one of {sorted(ANSWER_KINDS)}, got {kind!r}")
    if value is None:
        print(f"{name}: not answered yet. Replace None in the cell above, run it, then run this cell again.")
        return
    accepts, description = ANSWER_KINDS[kind]
    if not accepts(value):
        raise ValueError(f"{name} should be {description}, got {type(value).__name__}: {value!r:.80}")
    print(f"{name}: answered with {description}. The grader's hidden tests decide whether it is right.")
