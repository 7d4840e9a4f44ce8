"""Checks of hyperparameters shared by every learner, sampler and meta-learner.

Input *data* is checked with scikit-learn's ``validate_data``; these functions check the settings a user
passes, so that a bad one fails at once with a message that names it. They raise
:class:`InvalidParameterError`, which is both a ``ValueError`` and a ``TypeError`` (as scikit-learn's own
parameter error is), so callers may catch either.
"""

from __future__ import annotations

import numbers
import os

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


def check_finite(name: str, values) -> np.ndarray:
    """Return ``values`` as an array if it holds numbers and no NaN or infinity; name the first bad one.

    Examples
    --------
    >>> check_finite("support_images", [[0.0, 1.0], [2.0, float("nan")]])
    Traceback (most recent call last):
    ...
    ValueError: support_images holds nan at index (1, 1); NaN and infinite values are refused
    """
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise InvalidParameterError(f"{name} must hold numbers, got dtype {array.dtype}")
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            index = tuple(int(i) for i in np.unravel_index(int(np.argmax(bad)), array.shape))
            raise ValueError(f"{name} holds {array[index]} at index {index}; NaN and infinite values are "
                             f"refused")
    return array


def check_random_state(random_state, name: str = "random_state"):
    """Return ``random_state`` if ``numpy.random.default_rng`` accepts it as a seed: None, an integer
    ``>= 0`` or a numpy ``Generator``, ``BitGenerator`` or ``SeedSequence``.

    Examples
    --------
    >>> check_random_state("seed")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    medmeta_lite.validation.InvalidParameterError: random_state must be ..., got 'seed'
    """
    if random_state is None or isinstance(random_state, (np.random.Generator, np.random.BitGenerator,
                                                         np.random.SeedSequence)):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) \
            and random_state >= 0:
        return random_state
    raise InvalidParameterError(f"{name} must be None, an integer >= 0 or a numpy Generator, "
                                f"got {random_state!r}")


def make_rng(random_state, name: str = "random_state") -> np.random.Generator:
    """``numpy.random.default_rng(random_state)`` after :func:`check_random_state`: the package's one way
    to turn a ``random_state`` into a generator."""
    return np.random.default_rng(check_random_state(random_state, name))


def check_classes(name: str, classes, available) -> np.ndarray:
    """Return ``classes`` as unique integer labels that all occur in ``available``; refuse an empty list.

    Examples
    --------
    >>> check_classes("classes", [0, 0, 1], [0, 1, 2])
    Traceback (most recent call last):
    ...
    ValueError: classes lists class 0 more than once
    """
    values = np.asarray(classes).ravel()
    if values.size == 0:
        raise ValueError(f"{name} is empty; give at least one class label")
    if values.dtype.kind == "f" and np.all(np.isfinite(values)) and np.all(values == np.round(values)):
        values = values.astype(np.int64)
    if values.dtype.kind not in "iu" or values.dtype == bool:
        raise InvalidParameterError(f"{name} must hold integer class labels, got {values.tolist()!r}")
    unique, counts = np.unique(values, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f"{name} lists class {int(unique[counts > 1][0])} more than once")
    unknown = np.setdiff1d(values, np.asarray(available))
    if unknown.size:
        raise ValueError(f"{name} {unknown.tolist()} do not occur in the labels: no images have them")
    return values.astype(np.int64)


def total_memory_bytes() -> int | None:
    """Physical memory of this machine in bytes, or None where the operating system does not say."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def check_memory(what: str, n_bytes: float) -> None:
    """Refuse at once a request whose arrays would need more memory than the machine has.

    Without this, an absurd size (a billion tasks, a million images per class) sets numpy allocating
    until the kernel dies; with it, the caller learns how much was asked for and how much there is.

    Examples
    --------
    >>> check_memory("a test", 1e3)
    >>> check_memory("1e6 tasks of 1e6 points", 8e12)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 1e6 tasks of 1e6 points would need about 7451 GiB, more than the ... GiB of memory ...
    """
    total = total_memory_bytes()
    if total is not None and n_bytes > total:
        raise ValueError(f"{what} would need about {n_bytes / 2**30:.0f} GiB, more than the "
                         f"{total / 2**30:.0f} GiB of memory this machine has; ask for fewer")
