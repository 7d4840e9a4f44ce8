"""Checks of hyperparameters shared by every learner, sampler and meta-learner.

Input *data* is checked with scikit-learn's ``validate_data``; these functions check the settings a user
passes, so that a bad one fails at once with a message that names it. They raise
:class:`InvalidParameterError`, which is both a ``ValueError`` and a ``TypeError`` (as scikit-learn's own
parameter error is), so callers may catch either.
"""

from __future__ import annotations

import numbers

import numpy as np


class InvalidParameterError(ValueError, TypeError):
    """A hyperparameter of the wrong type or out of its range; the message names it."""


def check_count(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` if it is an integer ``>= minimum``.

    Raises
    ------
    InvalidParameterError
        ``value`` is not an integer (``True`` and ``1.0`` included) or is smaller than ``minimum``.

    Examples
    --------
    >>> check_count("n_shots", 5)
    5
    >>> check_count("n_shots", 0)
    Traceback (most recent call last):
    ...
    medmeta_lite.validation.InvalidParameterError: n_shots must be an integer >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value!r} "
                                    f"({type(value).__name__})")
    if value < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_positive(name: str, value) -> float:
    """Return ``value`` as a ``float`` if it is a finite real number ``> 0`` (a learning rate, a scale).

    Raises
    ------
    InvalidParameterError
        ``value`` is not a real number, or is zero, negative, infinite or NaN.

    Examples
    --------
    >>> check_positive("learning_rate", 0.1)
    0.1
    >>> check_positive("learning_rate", -1)
    Traceback (most recent call last):
    ...
    medmeta_lite.validation.InvalidParameterError: learning_rate must be a finite number > 0, got -1
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(f"{name} must be a number > 0, got {value!r} ({type(value).__name__})")
    if not np.isfinite(value) or value <= 0:
        raise InvalidParameterError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def check_non_negative(name: str, value) -> float:
    """Return ``value`` as a ``float`` if it is a finite real number ``>= 0`` (a penalty, a tolerance).

    Examples
    --------
    >>> check_non_negative("alpha", 0)
    0.0
    >>> check_non_negative("alpha", float("nan"))
    Traceback (most recent call last):
    ...
    medmeta_lite.validation.InvalidParameterError: alpha must be a finite number >= 0, got nan
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(f"{name} must be a number >= 0, got {value!r} ({type(value).__name__})")
    if not np.isfinite(value) or value < 0:
        raise InvalidParameterError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def check_choice(name: str, value, choices):
    """Return ``value`` if it is one of ``choices`` (compared with ``==``; ``True`` is not ``1``).

    Examples
    --------
    >>> check_choice("loss", "mse", ("mse", "cross_entropy"))
    'mse'
    >>> check_choice("loss", "l1", ("mse", "cross_entropy"))
    Traceback (most recent call last):
    ...
    medmeta_lite.validation.InvalidParameterError: loss must be one of ('mse', 'cross_entropy'), got 'l1'
    """
    if not any(value is choice or (type(value) is type(choice) and value == choice) for choice in choices):
        raise InvalidParameterError(f"{name} must be one of {tuple(choices)!r}, got {value!r}")
    return value


def check_bool(name: str, value) -> bool:
    """Return ``value`` if it is a boolean (``numpy.bool_`` included); text such as ``"no"`` is refused.

    Examples
    --------
    >>> check_bool("first_order", "yes")
    Traceback (most recent call last):
    ...
    medmeta_lite.validation.InvalidParameterError: first_order must be True or False, got 'yes'
    """
    if not isinstance(value, bool | np.bool_):
        raise InvalidParameterError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def as_float_targets(y: np.ndarray) -> np.ndarray:
    """Return ``y`` as float64, with a message that names the problem when it is not numeric."""
    if y.dtype.kind not in "biuf":
        raise TypeError(f"y must be numeric (ints or floats), got dtype {y.dtype}; "
                        "convert labels with y.astype(float)")
    # float64 targets: integer labels minus float predictions would otherwise be computed by accident
    return np.asarray(y, dtype=np.float64)
