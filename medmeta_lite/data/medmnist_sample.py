"""The embedded real sample: 90 images per class of BreastMNIST, PneumoniaMNIST and RetinaMNIST.

The workbook's default run shows and evaluates real medical images without a network. A class-balanced
sample of three official MedMNIST v2 files (Yang et al., 2023; CC BY 4.0) ships in
``data/medmnist_sample.npz``: 9 classes in 3 modalities (breast ultrasound, paediatric chest X-ray,
colour fundus photographs converted to grey), 90 images of 28×28 per class, about 0.6 MB. It is a
meta-*test* pool: nothing is trained on it, so every image of a class may appear in an episode.

Each class takes its images from the official test split first, then from the validation split, then
from the training split when the smaller splits hold too few (BreastMNIST's malignant class has 42 test
images, RetinaMNIST's grade 4 only 20); ``source_split`` and ``source_index`` record where every image
comes from. The file is stored uncompressed with fixed zip timestamps, so rebuilding it from the same
official files gives the same bytes and the same MD5 (:data:`SAMPLE_MD5`)::

    python -m medmeta_lite.defaults medmnist-sample --source FOLDER_WITH_THE_OFFICIAL_FILES

The rebuild checks the MD5 of every source file first (:func:`medmeta_lite.data.medmnist.load_medmnist`).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

from medmeta_lite.data.bundled import data_dir
from medmeta_lite.data.medmnist import CLASS_NAMES, MedMNISTSplits, file_md5, load_medmnist
from medmeta_lite.validation import check_count

SAMPLE_FILE = "medmnist_sample.npz"
SAMPLE_FLAGS = ("breastmnist", "pneumoniamnist", "retinamnist")
SAMPLE_PER_CLASS = 90  # RetinaMNIST grade 4 has 92 images in all three splits
SAMPLE_MD5 = "90064a0865cf3151e3c4b5bf2cd6df4f"
"""MD5 of the committed ``data/medmnist_sample.npz``; checked on every load."""

MODALITIES = {"breastmnist": "breast ultrasound", "pneumoniamnist": "paediatric chest X-ray",
              "retinamnist": "fundus photograph (grey)"}
"""What each sampled dataset shows, for titles and tables."""

_SPLIT_ORDER = ("test", "val", "train")  # test first: the images no published model was trained on
_SPLIT_CODES = {"train": 0, "val": 1, "test": 2}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip's earliest date: the same bytes on every rebuild
SAMPLE_COMMAND = "python -m medmeta_lite.defaults medmnist-sample --source FOLDER"


def select_balanced(splits: MedMNISTSplits, per_class: int = SAMPLE_PER_CLASS) -> dict:
    """Pick ``per_class`` images of every class of one MedMNIST file, test split first.

    Within a split the images are taken in file order (no randomness), so the selection depends on the
    file alone.

    Parameters
    ----------
    splits : MedMNISTSplits
        A file read by :func:`medmeta_lite.data.medmnist.load_medmnist`.
    per_class : int, default=90

    Returns
    -------
    dict
        ``images`` uint8 (n, 28, 28), ``labels`` (n,), ``source_split`` (n,) with 0 train, 1 val, 2 test,
        and ``source_index`` (n,), the row in that split; classes in order, ``per_class`` rows each.

    Raises
    ------
    ValueError
        A class has fewer than ``per_class`` images in the whole file.
    """
    per_class = check_count("per_class", per_class)
    parts = {name: [] for name in ("images", "labels", "source_split", "source_index")}
    n_classes = len(splits.class_names)
    for label in range(n_classes):
        chosen = []
        for split in _SPLIT_ORDER:
            rows = np.flatnonzero(getattr(splits, f"{split}_labels") == label)
            chosen += [(split, int(row)) for row in rows[:per_class - len(chosen)]]
        if len(chosen) < per_class:
            raise ValueError(f"{splits.flag}: class {label} has only {len(chosen)} images, fewer than "
                             f"per_class={per_class}")
        parts["images"] += [getattr(splits, f"{split}_images")[row] for split, row in chosen]
        parts["labels"] += [label] * per_class
        parts["source_split"] += [_SPLIT_CODES[split] for split, _ in chosen]
        parts["source_index"] += [row for _, row in chosen]
    return {"images": np.stack(parts["images"]).astype(np.uint8),
            "labels": np.asarray(parts["labels"], dtype=np.uint8),
            "source_split": np.asarray(parts["source_split"], dtype=np.uint8),
            "source_index": np.asarray(parts["source_index"], dtype=np.int32)}


def write_stored_npz(path, arrays: dict) -> Path:
    """Write ``arrays`` as an uncompressed ``.npz`` whose bytes depend only on the arrays.

    ``numpy.savez`` stamps every entry with the current time; this writer uses a fixed date, sorted
    names and no compression, so that the file's MD5 can be pinned.
    """
    path = Path(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]), version=(1, 0),
                                      allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue())
    return path


def build_sample(source, out, per_class: int = SAMPLE_PER_CLASS) -> Path:
    """Rebuild ``medmnist_sample.npz`` in ``out`` from the official files in ``source``.

    Every source file is checked against its official MD5 before it is read.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    arrays = {}
    for flag in SAMPLE_FLAGS:
        selected = select_balanced(load_medmnist(flag, source), per_class)
        arrays |= {f"{flag}_{name}": values for name, values in selected.items()}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return write_stored_npz(out / SAMPLE_FILE, arrays)


def load_medmnist_sample(folder=None, *, md5: str | None = SAMPLE_MD5) -> dict:
    """Load the embedded real sample: ``{flag: MedMNISTSplits}`` for the three datasets.

    Parameters
    ----------
    folder : path-like or None, default=None
        Folder holding ``medmnist_sample.npz``; None means the workbook's data folder.
    md5 : str or None, default=SAMPLE_MD5
        Expected MD5 of the file; None skips the check (a sample you rebuilt with other settings).

    Returns
    -------
    dict of MedMNISTSplits
        Each holds its images in the split they came from (``pooled()`` gives all 90 per class), with
        the class names of :data:`medmeta_lite.data.medmnist.CLASS_NAMES`.

    Raises
    ------
    FileNotFoundError
        The file is missing; the message gives the command that rebuilds it.
    ValueError
        The MD5 differs (damaged or replaced file) or the file lacks a dataset.

    Examples
    --------
    >>> sample = load_medmnist_sample()
    >>> sample["retinamnist"].pooled()[0].shape
    (450, 28, 28)
    """
    folder = Path(folder) if folder is not None else data_dir()
    path = folder / SAMPLE_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{SAMPLE_FILE} is missing from {folder}; rebuild it from the official "
                                f"MedMNIST files with `{SAMPLE_COMMAND}`")
    actual = file_md5(path)
    if md5 is not None and actual != md5:
        raise ValueError(f"{SAMPLE_FILE} in {folder} has MD5 {actual}, expected {md5}: the file is damaged "
                         f"or was replaced; rebuild it with `{SAMPLE_COMMAND}`")
    with np.load(path, allow_pickle=False) as archive:
        contents = {name: archive[name] for name in archive.files}
    sample = {}
    for flag in SAMPLE_FLAGS:
        try:
            images, labels = contents[f"{flag}_images"], contents[f"{flag}_labels"].astype(np.int64)
            source_split = contents[f"{flag}_source_split"]
        except KeyError as error:
            raise ValueError(f"{SAMPLE_FILE} has no {error.args[0]}: rebuild it with "
                             f"`{SAMPLE_COMMAND}`") from None
        by_split = {}
        for split, code in _SPLIT_CODES.items():
            rows = source_split == code
            by_split |= {f"{split}_images": images[rows], f"{split}_labels": labels[rows]}
        sample[flag] = MedMNISTSplits(flag=flag, file_name=SAMPLE_FILE, md5=actual,
                                      class_names=CLASS_NAMES[flag], converted_from_rgb=flag == "retinamnist",
                                      **by_split)
    return sample
