"""Checks of hyperparameters shared by every learner, sampler and meta-learner.

Input *data* is checked with scikit-learn's ``validate_data``; these two functions check the numbers a user
passes as settings, so that a bad one fails at once with a message that names it.
"""

from __future__ import annotations

import numbers

import numpy as np


def check_count(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` if it is an integer ``>= minimum``.

    Raises
    ------
    TypeError
        ``value`` is not an integer (``True`` and ``1.0`` included).
    ValueError
        ``value`` is smaller than ``minimum``.

    Examples
    --------
    >>> check_count("n_shots", 5)
    5
    >>> check_count("n_shots", 0)
    Traceback (most recent call last):
    ...
    ValueError: n_shots must be an integer >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_positive(name: str, value) -> float:
    """Return ``value`` as a ``float`` if it is a finite real number ``> 0`` (a learning rate, a scale).

    Raises
    ------
    TypeError
        ``value`` is not a real number.
    ValueError
        ``value`` is zero, negative, infinite or NaN.

    Examples
    --------
    >>> check_positive("learning_rate", 0.1)
    0.1
    >>> check_positive("learning_rate", -1)
    Traceback (most recent call last):
    ...
    ValueError: learning_rate must be a finite number > 0, got -1
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number > 0, got {value!r} ({type(value).__name__})")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)
