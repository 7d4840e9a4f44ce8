"""Datasets that ship with the workbook or with scikit-learn; nothing here touches the network.

- ``load_toy_line``: the y = 2x line of the interview brief, with a held-out set that does not overlap the
  training points (``toy_line.csv`` in the package's data files).
- ``load_diabetes_tasks``: scikit-learn's bundled diabetes data split into "sites" by a covariate, the
  real-data family of regression tasks for the meta-learning demos.
- ``load_medmnist``: real MedMNIST v2 files, read and MD5-checked (see :mod:`medmeta_lite.data.medmnist`).
"""

from __future__ import annotations

import csv
import importlib.resources
import os
import shutil
from pathlib import Path

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.utils import Bunch

from medmeta_lite.data.medmnist import load_medmnist
from medmeta_lite.data.tasks import Task
from medmeta_lite.validation import check_choice, check_count, make_rng

__all__ = ["copy_notebooks", "data_dir", "list_notebooks", "load_diabetes_tasks", "load_medmnist",
           "load_toy_line", "make_toy_line", "notebooks_dir", "write_toy_line"]

DATA_ENVIRONMENT_VARIABLE = "MEDMETA_LITE_DATA"
TOY_LINE_FILE = "toy_line.csv"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
FIRST_NOTEBOOK = "00_start_here.ipynb"
TOY_LINE_SLOPE = 2.0


def data_dir() -> Path:
    """Return the folder of the workbook's data files: committed weights, the toy line, the MedMNIST sample.

    They are package data (``medmeta_lite/data/files/``), so an installed wheel finds them as a clone
    does. Set the environment variable ``MEDMETA_LITE_DATA`` to use another folder.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> (data_dir() / "toy_line.csv").is_file()
    True
    """
    override = os.environ.get(DATA_ENVIRONMENT_VARIABLE)
    packaged = Path(str(importlib.resources.files("medmeta_lite.data"))) / "files"
    folder = Path(override) if override else packaged
    if not folder.is_dir():
        source = f"{DATA_ENVIRONMENT_VARIABLE}={override}" if override else "the installed package"
        raise FileNotFoundError(
            f"the workbook's data folder {folder} (from {source}) does not exist; unset "
            f"{DATA_ENVIRONMENT_VARIABLE} to use the files that ship with the package, or reinstall it "
            f"(pip install medmeta-lite)"
        )
    return folder


def notebooks_dir() -> Path:
    """Return the folder of the workbook's numbered notebooks.

    An installed wheel carries them as package data (``medmeta_lite/notebooks/``); in a clone of the
    repository they are its ``notebooks/`` folder.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> (notebooks_dir() / "00_start_here.ipynb").is_file()
    True
    """
    installed = Path(str(importlib.resources.files("medmeta_lite") / "notebooks"))
    checkout = Path(__file__).resolve().parents[2] / "notebooks"
    for folder in (installed, checkout):
        if (folder / FIRST_NOTEBOOK).is_file():
            return folder
    raise FileNotFoundError(f"the workbook's notebooks are neither in {installed} (an installed package) nor "
                            f"in {checkout} (a clone of the repository); reinstall medmeta-lite")


def list_notebooks(folder=None) -> list[Path]:
    """Return the numbered notebooks in order (``00_…`` first), from ``folder`` or :func:`notebooks_dir`.

    Examples
    --------
    >>> list_notebooks()[0].name
    '00_start_here.ipynb'
    """
    return sorted(Path(folder or notebooks_dir()).glob(NOTEBOOK_GLOB))


def copy_notebooks(destination, source=None) -> tuple[list[Path], list[Path]]:
    """Copy the workbook's notebooks into ``destination`` (created if needed) to open them in Jupyter.

    A notebook already in ``destination`` is kept as it is, never overwritten: it may hold your answers.

    Parameters
    ----------
    destination : path-like
    source : path-like, optional
        A folder of notebooks to copy instead of the workbook's own, such as the student versions that
        ``make student`` writes to ``build/student``.

    Returns
    -------
    copied, kept : lists of pathlib.Path
        The files written, and the files that were already there and left alone.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> copied, kept = copy_notebooks(folder)
    >>> copied[0].name, len(kept)
    ('00_start_here.ipynb', 0)
    >>> copied, kept = copy_notebooks(folder)
    >>> len(copied), kept[0].name
    (0, '00_start_here.ipynb')
    """
    destination = Path(destination)
    if destination.exists() and not destination.is_dir():
        raise NotADirectoryError(f"{destination} is a file, not a folder: choose a folder for the notebooks")
    notebooks = list_notebooks() if source is None else sorted(Path(source).glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"no notebooks in {source}: give the folder that holds the .ipynb files")
    destination.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for notebook in notebooks:
        target = destination / notebook.name
        if target.exists():
            kept.append(target)
        else:
            shutil.copyfile(notebook, target)
            copied.append(target)
    return copied, kept


def make_toy_line(*, noise: float = 0.3, random_state=0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generate the toy line: x on a grid, y = 2x + Gaussian noise, and a train/held-out split.

    Training inputs are the integers 0…10; held-out inputs are the half-integers 0.5…9.5 plus two
    extrapolation points (12 and 15), so no held-out point coincides with a training point.

    Parameters
    ----------
    noise : float, default=0.3
        Standard deviation of the label noise.
    random_state : int, Generator or None, default=0

    Returns
    -------
    x, y : ndarray of shape (n,)
    split : ndarray of str, "train" or "test"

    Examples
    --------
    >>> x, y, split = make_toy_line()
    >>> int((split == "train").sum()), int((split == "test").sum())
    (11, 12)
    """
    rng = make_rng(random_state)
    x_train = np.arange(0.0, 11.0)
    x_test = np.concatenate([np.arange(0.5, 10.0), [12.0, 15.0]])
    x = np.concatenate([x_train, x_test])
    y = TOY_LINE_SLOPE * x + noise * rng.standard_normal(x.size)
    split = np.array(["train"] * x_train.size + ["test"] * x_test.size)
    return x, y, split


def write_toy_line(path=None) -> Path:
    """Regenerate ``data/toy_line.csv`` from :func:`make_toy_line` (rounded to 4 decimals).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> write_toy_line(pathlib.Path(tempfile.mkdtemp()) / "toy_line.csv").name
    'toy_line.csv'
    """
    path = Path(path) if path is not None else data_dir() / TOY_LINE_FILE
    x, y, split = make_toy_line()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["x", "y", "split"])
        writer.writerows((f"{xi:g}", f"{yi:.4f}", si) for xi, yi, si in zip(x, y, split, strict=True))
    return path


def load_toy_line() -> Bunch:
    """Load the y = 2x toy line with a training set and a non-overlapping held-out set.

    Returns
    -------
    sklearn.utils.Bunch
        ``X_train`` (11, 1), ``y_train`` (11,), ``X_test`` (12, 1), ``y_test`` (12,), ``slope`` (the true
        slope, 2.0) and ``description``.

    Notes
    -----
    Introduced in ``notebooks/11_complete_example_and_code_review.ipynb``.

    Examples
    --------
    >>> line = load_toy_line()
    >>> line.X_train.shape, line.X_test.shape
    ((11, 1), (12, 1))
    >>> bool(np.intersect1d(line.X_train, line.X_test).size == 0)
    True
    """
    path = data_dir() / TOY_LINE_FILE
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or set(rows[0]) != {"x", "y", "split"}:
        raise ValueError(f"{path} must have the columns x, y, split; regenerate it with write_toy_line()")
    x = np.array([float(row["x"]) for row in rows])
    y = np.array([float(row["y"]) for row in rows])
    split = np.array([row["split"] for row in rows])
    train, test = split == "train", split == "test"
    return Bunch(
        X_train=x[train, None], y_train=y[train], X_test=x[test, None], y_test=y[test],
        slope=TOY_LINE_SLOPE,
        description="y = 2x + N(0, 0.3^2); training x = 0..10, held-out x = 0.5..9.5, 12, 15",
    )


_DIABETES_SPLITS = ("age", "sex")


def load_diabetes_tasks(*, by: str = "age", n_shots: int = 20, n_queries: int | None = None,
                        standardize: bool = True, random_state=None) -> list[Task]:
    """Split scikit-learn's diabetes data into tasks ("sites") by a covariate.

    The 442 patients are grouped by age quartile (4 sites) or by sex (2 sites); the grouping covariate
    is dropped from the features. Within each site, ``n_shots`` patients form the support set and the
    rest (or ``n_queries`` of them) the query set.

    Parameters
    ----------
    by : {"age", "sex"}, default="age"
    n_shots : int, default=20
        Support examples per site.
    n_queries : int or None, default=None
        Query examples per site; None uses all remaining patients of the site.
    standardize : bool, default=True
        Scale features to zero mean and unit variance over all 442 patients and express the target
        (disease progression after one year) in standard deviations; the scaling uses no labels of any
        query set beyond their global mean and spread.
    random_state : int, Generator or None

    Returns
    -------
    list of Task
        One task per site, named after its band (for example ``"age 19-38"``).

    Notes
    -----
    Data: Efron, Hastie, Johnstone and Tibshirani (2004), "Least angle regression", bundled with
    scikit-learn (BSD licence). Introduced in ``notebooks/01_what_is_meta_learning.ipynb``.

    Examples
    --------
    >>> tasks = load_diabetes_tasks(by="age", n_shots=10, random_state=0)
    >>> len(tasks), tasks[0].X_support.shape
    (4, (10, 9))
    """

    check_choice("by", by, _DIABETES_SPLITS)
    check_count("n_shots", n_shots)
    if n_queries is not None:
        check_count("n_queries", n_queries)
    data = load_diabetes(scaled=False)
    features, target = data.data, data.target
    column = data.feature_names.index(by)
    covariate = features[:, column]
    features = np.delete(features, column, axis=1)
    if standardize:
        features = (features - features.mean(axis=0)) / features.std(axis=0)
        target = (target - target.mean()) / target.std()
    if by == "age":
        edges = np.percentile(covariate, [0, 25, 50, 75, 100])
        band = np.clip(np.searchsorted(edges, covariate, side="right") - 1, 0, 3)
        names = [f"age {edges[i]:.0f}-{edges[i + 1]:.0f}" for i in range(4)]
    else:
        band = (covariate == covariate.max()).astype(int)
        names = ["sex 1", "sex 2"]
    rng = make_rng(random_state)
    tasks = []
    for site, name in enumerate(names):
        rows = rng.permutation(np.flatnonzero(band == site))
        if n_shots >= rows.size:
            raise ValueError(f"n_shots={n_shots} leaves no query patients in site {name!r} "
                             f"({rows.size} patients); use n_shots < {rows.size}")
        support = rows[:n_shots]
        query = rows[n_shots:] if n_queries is None else rows[n_shots:n_shots + n_queries]
        tasks.append(Task(features[support], target[support], features[query], target[query], name=name,
                          parameters={"covariate": by, "n_patients": int(rows.size)}))
    return tasks
