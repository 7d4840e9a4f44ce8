"""Read MedMNIST v2 ``.npz`` files (28×28 medical images) with an MD5 check and an optional download.

MedMNIST v2 (Yang et al., 2023) stores each dataset as one ``.npz`` archive with the keys
``train_images``, ``val_images``, ``test_images`` and ``train_labels``, ``val_labels``, ``test_labels``
(labels of shape ``(n, 1)``). The workbook never downloads anything on its own: pass ``download=True``
to fetch the official file once with ``pooch``; every load, downloaded or not, checks the file's MD5 so a
truncated or corrupt file raises ``ValueError`` instead of loading silently.

Licence of the data: CC BY 4.0; cite MedMNIST v2 and the source datasets (see ``data/README.md``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pooch

from medmeta_lite.data.preprocessing import to_grayscale
from medmeta_lite.serialization import NPZ_READ_ERRORS, read_npz
from medmeta_lite.validation import check_finite

DEFAULT_URL_BASE = "https://zenodo.org/records/10519652/files"
"""Where the official MedMNIST v2 files live (Zenodo record of MedMNIST+ / v3.0)."""

OFFICIAL_MD5 = {
    "breastmnist": "750601b1f35ba3300ea97c75c52ff8f6",
    "pneumoniamnist": "28209eda62fecd6e6a2d98b1501bb15f",
    "retinamnist": "bd4c0672f1bba3e3a89f0e4e876791e4",
}
"""Official MD5 of the 28×28 files the workbook uses (from the ``medmnist`` package's ``INFO`` table)."""

KNOWN_SUBSETS = {
    "pneumoniamnist_subset_balanced.npz": "3062d8c693378b506564f35a50301b11",
    "pneumoniamnist_subset_fewnormal.npz": "f5b994ec7c2fe8bc81ae15cbab7c3df8",
}
"""Non-official PneumoniaMNIST subsets in the same layout, with their own MD5 (not downloadable)."""

CLASS_NAMES = {
    "breastmnist": ("malignant", "normal or benign"),
    "pneumoniamnist": ("normal", "pneumonia"),
    "retinamnist": ("grade 0", "grade 1", "grade 2", "grade 3", "grade 4"),
}

_SPLITS = ("train", "val", "test")
_KEYS = tuple(f"{split}_{kind}" for split in _SPLITS for kind in ("images", "labels"))


@dataclass(frozen=True, repr=False)
class MedMNISTSplits:
    """The three splits of one MedMNIST file, images as uint8 ``(n, 28, 28)`` and labels as ``(n,)``.

    Attributes
    ----------
    flag : str
        Dataset name, for example ``"breastmnist"``.
    file_name, md5 : str
        The file read and its verified MD5.
    train_images, train_labels, val_images, val_labels, test_images, test_labels : ndarray
    class_names : tuple of str
    converted_from_rgb : bool
        True when the file holds colour images (RetinaMNIST) that were converted to grayscale.
    """

    flag: str
    file_name: str
    md5: str
    train_images: np.ndarray
    train_labels: np.ndarray
    val_images: np.ndarray
    val_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    class_names: tuple
    converted_from_rgb: bool

    def pooled(self) -> tuple[np.ndarray, np.ndarray]:
        """All three splits concatenated: the image pool of cross-domain meta-test episodes."""
        images = np.concatenate([self.train_images, self.val_images, self.test_images])
        labels = np.concatenate([self.train_labels, self.val_labels, self.test_labels])
        return images, labels

    def __repr__(self) -> str:
        sizes = "/".join(str(len(getattr(self, f"{split}_labels"))) for split in _SPLITS)
        rgb = ", converted from RGB" if self.converted_from_rgb else ""
        return (f"MedMNISTSplits({self.flag!r}, train/val/test = {sizes}, {len(self.class_names)} classes"
                f"{rgb})")


def file_md5(path) -> str:
    """MD5 hex digest of a file, read in chunks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "empty"
    >>> _ = path.write_bytes(b"")
    >>> file_md5(path)
    'd41d8cd98f00b204e9800998ecf8427e'
    """
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _expected_md5(flag, file_name, md5):
    if md5 is not None:
        return str(md5).lower()
    if file_name in KNOWN_SUBSETS:
        return KNOWN_SUBSETS[file_name]
    if file_name == f"{flag}.npz" and flag in OFFICIAL_MD5:
        return OFFICIAL_MD5[flag]
    raise ValueError(f"no known MD5 for {file_name!r}; pass md5=... (the official files are "
                     f"{sorted(f'{name}.npz' for name in OFFICIAL_MD5)})")


def _download(flag, file_name, root: Path, md5, url_base):
    if file_name != f"{flag}.npz" or flag not in OFFICIAL_MD5:
        raise ValueError(f"download=True fetches only the official files "
                         f"{sorted(f'{name}.npz' for name in OFFICIAL_MD5)}; {file_name!r} is not one")
    url = f"{url_base.rstrip('/')}/{file_name}?download=1"
    root.mkdir(parents=True, exist_ok=True)
    # pooch checks the hash and deletes a bad download before raising ValueError.
    pooch.retrieve(url, known_hash=f"md5:{md5}", fname=file_name, path=root, progressbar=False)


def load_medmnist(flag: str, root, download: bool = False, *, file_name: str | None = None,
                  md5: str | None = None, url_base: str = DEFAULT_URL_BASE) -> MedMNISTSplits:
    """Load a MedMNIST v2 file, checking its MD5; optionally download the official file first.

    Parameters
    ----------
    flag : str
        Dataset name: ``"breastmnist"``, ``"pneumoniamnist"`` or ``"retinamnist"`` (others need ``md5``).
    root : str or path-like
        Folder holding (or receiving) the file.
    download : bool, default=False
        Fetch the official file with ``pooch`` when it is missing. Nothing is downloaded otherwise.
    file_name : str or None, default=None
        File to read; None means the official ``f"{flag}.npz"``. Use it for the non-official subsets
        listed in :data:`KNOWN_SUBSETS` (for example ``"pneumoniamnist_subset_balanced.npz"``).
    md5 : str or None, default=None
        Expected MD5; None uses :data:`OFFICIAL_MD5` or :data:`KNOWN_SUBSETS`.
    url_base : str, default=DEFAULT_URL_BASE
        Folder URL the file is fetched from (tests point it at a local server).

    Returns
    -------
    MedMNISTSplits
        uint8 images of shape (n, 28, 28); colour files (RetinaMNIST) are converted to grayscale with
        BT.601 luma weights and ``converted_from_rgb`` is True.

    Raises
    ------
    FileNotFoundError
        The file is missing and ``download`` is False; the message says how to get it.
    ValueError
        The MD5 does not match, the archive is truncated or corrupt, or keys or shapes are wrong.

    Notes
    -----
    Introduced in ``notebooks/14_meta_learning_vs_fine_tuning.ipynb``.

    References
    ----------
    Yang, J. et al. (2023). MedMNIST v2 - A large-scale lightweight benchmark for 2D and 3D biomedical
    image classification. Scientific Data, 10, 41.

    Examples
    --------
    >>> import tempfile
    >>> load_medmnist("breastmnist", tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: breastmnist.npz not found in ...
    """
    if not isinstance(flag, str) or not flag:
        raise TypeError(f"flag must be a dataset name such as 'breastmnist', got {flag!r}")
    flag = flag.lower()
    file_name = file_name or f"{flag}.npz"
    expected = _expected_md5(flag, file_name, md5)
    root = Path(root)
    path = root / file_name
    if not path.is_file():
        if not download:
            official = f"{flag}.npz" if flag in OFFICIAL_MD5 else "the official file"
            raise FileNotFoundError(
                f"{file_name} not found in {root}. Get {official} with "
                f"load_medmnist({flag!r}, root, download=True) (needs network; about 0.5-4 MB from "
                f"{DEFAULT_URL_BASE}) or copy it there by hand; MD5 {expected}")
        _download(flag, file_name, root, expected, url_base)
    actual = file_md5(path)
    if actual != expected:
        raise ValueError(f"{path.name}: MD5 {actual} does not match the expected {expected}; the file is "
                         f"corrupt, truncated or another version. Delete it and download it again.")
    try:
        arrays = read_npz(path)
    except NPZ_READ_ERRORS as error:
        raise ValueError(f"{path.name} could not be read as an .npz archive ({error}); "
                         f"delete it and download it again") from error
    missing = [key for key in _KEYS if key not in arrays]
    if missing:
        raise ValueError(f"{path.name} is not a MedMNIST file: keys {missing} are missing")
    converted = False
    for split in _SPLITS:
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim == 4 and images.shape[-1] == 3:
            images, converted = to_grayscale(images), True
        if images.ndim != 3:
            raise ValueError(f"{path.name}: {split}_images has shape {images.shape}, expected (n, h, w[, 3])")
        check_finite(f"{path.name}: {split}_images", images)
        labels = np.asarray(labels).reshape(len(labels), -1)
        if labels.dtype.kind not in "iu" or (labels.size and labels.min() < 0):
            raise ValueError(f"{path.name}: {split}_labels must be integers >= 0, got {labels.dtype} "
                             f"values from {labels.min()} to {labels.max()}")
        if labels.shape[1] != 1 or len(labels) != len(images):
            raise ValueError(f"{path.name}: {split}_labels has shape {arrays[f'{split}_labels'].shape}, "
                             f"expected ({len(images)}, 1)")
        arrays[f"{split}_images"], arrays[f"{split}_labels"] = images, labels[:, 0].astype(np.int64)
    n_classes = int(max(arrays[f"{split}_labels"].max() for split in _SPLITS)) + 1
    class_names = CLASS_NAMES.get(flag, tuple(f"class {index}" for index in range(n_classes)))
    return MedMNISTSplits(flag=flag, file_name=file_name, md5=actual, class_names=class_names,
                          converted_from_rgb=converted, **arrays)
