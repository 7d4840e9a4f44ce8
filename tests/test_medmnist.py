"""Tests of the MedMNIST v2 reader: MD5 check, corrupt files, grayscale conversion and the download path."""

import functools
import http.server
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from medmeta_lite.data.medmnist import KNOWN_SUBSETS, OFFICIAL_MD5, file_md5, load_medmnist
from medmeta_lite.data.preprocessing import to_grayscale

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_MEDMNIST = Path(REPO_ROOT).parent / "shared" / "data" / "medmnist"
needs_shared = pytest.mark.skipif(
    not (SHARED_MEDMNIST / "breastmnist.npz").is_file(),
    reason="real MedMNIST files not found in ../shared/data/medmnist beside the repository",
)


@pytest.fixture
def http_folder():
    """Serve a folder over HTTP on 127.0.0.1 in a background thread; yields (folder -> base URL)."""
    servers = []

    def serve(folder):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _write_fake_medmnist(path, rgb=False):
    rng = np.random.default_rng(0)
    shape = (6, 28, 28, 3) if rgb else (6, 28, 28)
    arrays = {}
    for split in ("train", "val", "test"):
        arrays[f"{split}_images"] = rng.integers(0, 256, shape, dtype=np.uint8)
        arrays[f"{split}_labels"] = np.array([[0], [1], [0], [1], [2], [2]])
    np.savez_compressed(path, **arrays)
    return file_md5(path)


@needs_shared
def test_official_breastmnist_loads_with_its_md5():
    splits = load_medmnist("breastmnist", SHARED_MEDMNIST)
    assert splits.md5 == OFFICIAL_MD5["breastmnist"] == "750601b1f35ba3300ea97c75c52ff8f6"
    assert (len(splits.train_labels), len(splits.val_labels), len(splits.test_labels)) == (546, 78, 156)
    assert splits.train_images.shape == (546, 28, 28) and splits.train_images.dtype == np.uint8
    assert splits.train_labels.shape == (546,)
    assert set(np.unique(splits.test_labels)) == {0, 1}
    assert not splits.converted_from_rgb
    images, labels = splits.pooled()
    assert len(images) == len(labels) == 780


@needs_shared
def test_retinamnist_is_converted_to_grayscale():
    splits = load_medmnist("retinamnist", SHARED_MEDMNIST)
    assert splits.md5 == "bd4c0672f1bba3e3a89f0e4e876791e4"
    assert splits.converted_from_rgb and "converted from RGB" in repr(splits)
    assert splits.test_images.shape == (400, 28, 28)
    raw = np.load(SHARED_MEDMNIST / "retinamnist.npz")["test_images"][:3].astype(float)
    expected = raw @ np.array([0.299, 0.587, 0.114])
    assert np.abs(splits.test_images[:3] - expected).max() <= 0.5 + 1e-9
    assert len(splits.class_names) == 5


@needs_shared
def test_pneumonia_subset_by_file_name_and_md5():
    name = "pneumoniamnist_subset_balanced.npz"
    splits = load_medmnist("pneumoniamnist", SHARED_MEDMNIST, file_name=name)
    assert splits.md5 == KNOWN_SUBSETS[name]
    assert np.bincount(splits.test_labels).tolist() == [234, 234]
    # An explicit md5 argument overrides the table (here a wrong one, so it must fail).
    with pytest.raises(ValueError, match="MD5"):
        load_medmnist("pneumoniamnist", SHARED_MEDMNIST, file_name=name, md5="0" * 32)


def test_missing_file_says_how_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        load_medmnist("breastmnist", tmp_path)


def test_unknown_file_needs_an_md5(tmp_path):
    with pytest.raises(ValueError, match="no known MD5"):
        load_medmnist("breastmnist", tmp_path, file_name="my_copy.npz")


def test_truncated_file_raises_value_error(tmp_path):
    path = tmp_path / "fake.npz"
    expected = _write_fake_medmnist(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="does not match"):
        load_medmnist("fake", tmp_path, file_name="fake.npz", md5=expected)
    # Even when the MD5 of the truncated file itself is supplied, the broken archive is rejected.
    with pytest.raises(ValueError, match="could not be read|not a MedMNIST"):
        load_medmnist("fake", tmp_path, file_name="fake.npz", md5=file_md5(path))


@needs_shared
def test_corrupt_copy_of_official_file_is_rejected(tmp_path):
    corrupt = bytearray((SHARED_MEDMNIST / "breastmnist.npz").read_bytes())
    corrupt[1000] ^= 0xFF
    (tmp_path / "breastmnist.npz").write_bytes(bytes(corrupt))
    with pytest.raises(ValueError, match="corrupt"):
        load_medmnist("breastmnist", tmp_path)


def test_file_with_missing_keys_is_rejected(tmp_path):
    path = tmp_path / "partial.npz"
    np.savez(path, train_images=np.zeros((2, 28, 28), dtype=np.uint8))
    with pytest.raises(ValueError, match="keys"):
        load_medmnist("partial", tmp_path, file_name="partial.npz", md5=file_md5(path))


def test_fake_rgb_file_loads_and_converts(tmp_path):
    md5 = _write_fake_medmnist(tmp_path / "colour.npz", rgb=True)
    splits = load_medmnist("colour", tmp_path, file_name="colour.npz", md5=md5)
    assert splits.train_images.shape == (6, 28, 28) and splits.converted_from_rgb
    assert splits.class_names == ("class 0", "class 1", "class 2")


def test_to_grayscale_weights():
    pixel = np.array([[[[255, 0, 0]]], [[[0, 255, 0]]], [[[0, 0, 255]]]], dtype=np.uint8)
    assert to_grayscale(pixel).ravel().tolist() == [76, 150, 29]
    with pytest.raises(ValueError, match="RGB"):
        to_grayscale(np.zeros((2, 4, 4)))


@needs_shared
def test_download_over_local_http_server(tmp_path, http_folder):
    base_url = http_folder(SHARED_MEDMNIST)
    target = tmp_path / "cache"
    splits = load_medmnist("breastmnist", target, download=True, url_base=base_url)
    assert (target / "breastmnist.npz").is_file()
    assert splits.md5 == OFFICIAL_MD5["breastmnist"]
    # A second call finds the file and does not download again (the server may be gone).
    assert load_medmnist("breastmnist", target).md5 == splits.md5


@needs_shared
def test_download_of_a_corrupt_file_fails_and_leaves_nothing(tmp_path, http_folder):
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(SHARED_MEDMNIST / "breastmnist.npz", served / "breastmnist.npz")
    with open(served / "breastmnist.npz", "r+b") as handle:
        handle.truncate(1000)
    target = tmp_path / "cache"
    with pytest.raises(ValueError, match="(?i)md5|hash"):
        load_medmnist("breastmnist", target, download=True, url_base=http_folder(served))
    assert not (target / "breastmnist.npz").exists()


def test_download_refuses_non_official_files(tmp_path):
    with pytest.raises(ValueError, match="only the official"):
        load_medmnist("pneumoniamnist", tmp_path, download=True,
                      file_name="pneumoniamnist_subset_balanced.npz", url_base="http://127.0.0.1:9")


def test_every_corruption_of_a_file_with_a_caller_given_md5_is_reported_by_name(tmp_path):
    """With the caller's MD5 of the damaged bytes the checksum passes, so the reader itself must notice."""
    source = tmp_path / "source.npz"
    _write_fake_medmnist(source)
    data = source.read_bytes()
    rng = np.random.default_rng(1)
    positions = rng.choice(len(data), size=60, replace=False)
    silent = []
    for trial, position in enumerate(positions):
        damaged = tmp_path / f"damaged{trial}.npz"
        damaged.write_bytes(data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1:])
        try:
            splits = load_medmnist("fake", tmp_path, file_name=damaged.name, md5=file_md5(damaged))
        except ValueError as error:
            assert damaged.name in str(error)
        else:  # a flip in an unused header field leaves the content intact: then it must equal the original
            original = load_medmnist("fake", tmp_path, file_name=source.name, md5=file_md5(source))
            if not np.array_equal(splits.train_images, original.train_images):
                silent.append(int(position))
    assert silent == []
    for length in (0, 10, len(data) // 2, len(data) - 1):
        truncated = tmp_path / f"truncated{length}.npz"
        truncated.write_bytes(data[:length])
        with pytest.raises(ValueError, match=truncated.name):
            load_medmnist("fake", tmp_path, file_name=truncated.name, md5=file_md5(truncated))


@pytest.mark.parametrize("problem", ["nan images", "negative labels", "float labels"])
def test_bad_content_is_refused(tmp_path, problem):
    arrays = {}
    for split in ("train", "val", "test"):
        arrays[f"{split}_images"] = np.zeros((4, 28, 28), dtype=np.float32)
        arrays[f"{split}_labels"] = np.array([[0], [1], [0], [1]])
    if problem == "nan images":
        arrays["val_images"][2, 3, 4] = np.nan
    elif problem == "negative labels":
        arrays["test_labels"][1, 0] = -1
    else:
        arrays["train_labels"] = arrays["train_labels"].astype(float)
    path = tmp_path / "bad.npz"
    np.savez_compressed(path, **arrays)
    with pytest.raises(ValueError, match="bad.npz"):
        load_medmnist("bad", tmp_path, file_name="bad.npz", md5=file_md5(path))
