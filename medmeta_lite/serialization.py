"""One file format for every fitted model: a JSON header plus named arrays in a compressed ``.npz``.

The header records the model's class, its hyperparameters (``get_params()``), the fitted state that is not
an array, and the versions that wrote it. Loading checks the class, refuses files that are damaged or hold
non-finite weights, and names the file in every error, so a broken download or a stale file is reported
rather than silently used.
"""

from __future__ import annotations

import importlib.metadata
import json
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

FORMAT = "medmeta-lite model"
FORMAT_VERSION = 1

#: What reading a damaged, truncated or foreign ``.npz`` file can raise; callers name the file and say why.
NPZ_READ_ERRORS = (OSError, EOFError, KeyError, ValueError, TypeError, NotImplementedError, struct.error,
                   zipfile.BadZipFile, zlib.error)


def _package_version() -> str:
    try:
        return importlib.metadata.version("medmeta-lite")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def save_model(path, model, arrays: dict, *, hyperparameters: dict | None = None,
               state: dict | None = None) -> Path:
    """Write ``model``'s hyperparameters, ``state`` and ``arrays`` to ``path`` (an ``.npz`` file).

    Parameters
    ----------
    path : path-like
    model : estimator
        Its class name and ``get_params(deep=False)`` go into the header.
    arrays : dict of str to ndarray or list of ndarray
        A list is stored as numbered entries and comes back as a list.
    hyperparameters : dict, default=None
        Replaces ``get_params(deep=False)``, for models whose parameters hold objects that JSON cannot store.
    state : dict, default=None
        Fitted values that are not arrays (JSON-serialisable).

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from medmeta_lite.learners import LinearRegression
    >>> path = Path(tempfile.mkdtemp()) / "model.npz"
    >>> _ = save_model(path, LinearRegression(), {"coef": np.ones(2), "layers": [np.zeros(1)]})
    >>> header, stored = load_model_file(path, "LinearRegression")
    >>> header["hyperparameters"]["alpha"], stored["layers"][0].tolist()
    (0.0, [0.0])
    """
    path = Path(path)
    header = {"format": FORMAT, "format_version": FORMAT_VERSION, "class": type(model).__name__,
              "hyperparameters": model.get_params(deep=False) if hyperparameters is None else hyperparameters,
              "state": state or {}, "lists": sorted(name for name, value in arrays.items()
                                                    if isinstance(value, list | tuple)),
              "versions": {"medmeta_lite": _package_version(), "numpy": np.__version__}}
    entries = {}
    for name, value in arrays.items():
        if isinstance(value, list | tuple):
            entries |= {f"{name}.{index:03d}": np.asarray(item) for index, item in enumerate(value)}
        else:
            entries[name] = np.asarray(value)
    np.savez_compressed(path, header=np.array(json.dumps(header, sort_keys=True)), **entries)
    return path


def read_npz(path) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file, read after checking the CRC of every zip entry.

    numpy reads an array without reaching the end of its zip entry, where zipfile checks the CRC, so a
    flipped bit would pass unnoticed and be used as a weight or a pixel: every entry is tested first.

    Raises
    ------
    ValueError
        When an entry fails its CRC check. A file that is not a zip archive or is cut short raises one of
        :data:`NPZ_READ_ERRORS` (callers turn it into a message that names the file).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "arrays.npz"
    >>> np.savez(path, counts=np.arange(3))
    >>> read_npz(path)["counts"].tolist()
    [0, 1, 2]
    """
    with zipfile.ZipFile(path) as archive:
        damaged = archive.testzip()
    if damaged is not None:
        raise ValueError(f"entry {damaged!r} fails its CRC check")
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def load_model_file(path, class_name: str) -> tuple[dict, dict]:
    """Read a file written by :func:`save_model`; return its header and arrays (lists rebuilt).

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When the file is damaged, is not a model file, holds another class, or has non-finite values;
        the message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file {path} does not exist")
    try:
        stored = read_npz(path)
        header = json.loads(str(stored.pop("header")))
    except NPZ_READ_ERRORS as error:
        raise ValueError(f"{path} is damaged or is not a medmeta-lite model file ({error})") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{path} is not a medmeta-lite model file (its header has no format {FORMAT!r})")
    if header.get("class") != class_name:
        raise ValueError(f"{path} holds a {header.get('class')}, not a {class_name}")
    for name, value in stored.items():
        if np.issubdtype(value.dtype, np.floating) and not np.all(np.isfinite(value)):
            raise ValueError(f"{path} holds non-finite values in {name!r}: the model is unusable")
    arrays = {name: value for name, value in stored.items() if "." not in name}
    for name in header.get("lists", []):
        keys = sorted(key for key in stored if key.startswith(f"{name}."))
        arrays[name] = [stored[key] for key in keys]
    return header, arrays
