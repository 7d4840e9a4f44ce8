"""Seeding and environment reporting for notebooks and tests."""

from __future__ import annotations

import platform
import random
import sys
from importlib import metadata

import numpy as np

_REPORTED_PACKAGES = (
    "medmeta-lite",
    "numpy",
    "scikit-learn",
    "matplotlib",
    "ipywidgets",
    "jupyterlab",
    "tensorflow",
    "tensorflow-cpu",
    "keras",
)


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and, when it is loaded, Keras.

    Call it once in a notebook's setup cell; package code never seeds anything itself and takes
    ``random_state`` arguments instead.

    Parameters
    ----------
    seed : int
        Non-negative seed.

    Examples
    --------
    >>> set_seed(0)
    >>> import numpy as np
    >>> round(float(np.random.rand()), 4)
    0.5488
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed))
    # Seed Keras only when a notebook already imported it: importing TensorFlow here would cost 4 s.
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(int(seed))


def versions() -> dict[str, str]:
    """Return the versions of Python and the packages the workbook relies on.

    Returns
    -------
    dict of str to str
        Package name to version; packages that are not installed are left out.

    Examples
    --------
    >>> "numpy" in versions()
    True
    """
    found = {"python": platform.python_version(), "platform": platform.platform(terse=True)}
    for name in _REPORTED_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def show_versions() -> None:
    """Print the environment as an aligned table, for the versions cell of every notebook.

    Examples
    --------
    >>> show_versions()  # doctest: +ELLIPSIS
    python ...
    """
    table = versions()
    width = max(len(name) for name in table)
    print("\n".join(f"{name:<{width}}  {version}" for name, version in table.items()))
