"""The one model file format: round trips, and damaged or foreign files reported by name."""

from __future__ import annotations

import json
import struct
import zipfile

import numpy as np
import pytest

from medmeta_lite.data import data_dir
from medmeta_lite.defaults import SINUSOID_FILES
from medmeta_lite.gradmeta import MAML
from medmeta_lite.learners import LinearRegression
from medmeta_lite.serialization import FORMAT, load_model_file, save_model


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "model.npz"
    arrays = {"coef": np.arange(3.0), "layers": [np.ones(2), np.zeros(1)]}
    save_model(path, LinearRegression(alpha=0.5), arrays, state={"n_features_in": 3})
    return path


def test_round_trip_keeps_arrays_lists_state_and_hyperparameters(saved):
    header, arrays = load_model_file(saved, "LinearRegression")
    assert header["format"] == FORMAT and header["class"] == "LinearRegression"
    assert header["hyperparameters"] == {"alpha": 0.5, "fit_intercept": True}
    assert header["state"] == {"n_features_in": 3} and "numpy" in header["versions"]
    np.testing.assert_array_equal(arrays["coef"], np.arange(3.0))
    assert [layer.tolist() for layer in arrays["layers"]] == [[1.0, 1.0], [0.0]]


def test_another_class_is_refused(saved):
    with pytest.raises(ValueError, match="holds a LinearRegression, not a MAML"):
        load_model_file(saved, "MAML")


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "text"])
def test_a_damaged_file_is_reported_by_name(saved, damage):
    data = saved.read_bytes()
    if damage == "truncate":
        saved.write_bytes(data[: len(data) // 2])
    elif damage == "flip":  # one bit of the compressed weights (header fields unused by readers aside)
        with zipfile.ZipFile(saved) as archive:
            entry = archive.getinfo("coef.npy")
        lengths = data[entry.header_offset + 26:entry.header_offset + 30]
        name_length, extra_length = struct.unpack("<HH", lengths)
        position = entry.header_offset + 30 + name_length + extra_length + entry.compress_size // 2
        saved.write_bytes(data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1:])
    elif damage == "empty":
        saved.write_bytes(b"")
    else:
        saved.write_text("not a model")
    with pytest.raises(ValueError, match=str(saved.name)):
        load_model_file(saved, "LinearRegression")


def test_a_file_without_the_header_format_is_refused(tmp_path):
    path = tmp_path / "old.npz"
    np.savez(path, header=np.array(json.dumps({"class": "LinearRegression"})), coef=np.zeros(2))
    with pytest.raises(ValueError, match="not a medmeta-lite model file"):
        load_model_file(path, "LinearRegression")


def test_non_finite_weights_are_refused(tmp_path):
    path = save_model(tmp_path / "nan.npz", LinearRegression(), {"coef": np.array([1.0, np.nan])})
    with pytest.raises(ValueError, match="non-finite values in 'coef'"):
        load_model_file(path, "LinearRegression")


def test_a_missing_file_names_itself(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        load_model_file(tmp_path / "missing.npz", "LinearRegression")


def test_committed_weights_use_the_format(repo_root):
    for name in ("maml", "fomaml"):
        header, arrays = load_model_file(data_dir() / SINUSOID_FILES[name], "MAML")
        assert header["hyperparameters"]["first_order"] is (name == "fomaml")
        assert header["state"]["network"] == {"kind": "mlp", "layer_sizes": [1, 40, 40, 1]}
        assert len(arrays["meta_parameters"]) == 6
    model = MAML.load(data_dir() / SINUSOID_FILES["maml"])
    assert model.get_params()["n_meta_iter"] == 10_000 and model.history_.shape == (10_000,)


@pytest.mark.parametrize("damage", ["truncate", "flip", "replace", "missing manifest"])
def test_damaged_committed_weights_are_reported_by_name_with_the_command(repo_root, tmp_path, damage):
    from medmeta_lite.defaults import load_sinusoid_models

    folder = tmp_path / "data"
    folder.mkdir()
    for name in [*SINUSOID_FILES.values(), "checksums.json"]:
        (folder / name).write_bytes((data_dir() / name).read_bytes())
    target = folder / SINUSOID_FILES["reptile"]
    data = target.read_bytes()
    if damage == "truncate":
        target.write_bytes(data[:-100])
    elif damage == "flip":
        target.write_bytes(data[:500] + bytes([data[500] ^ 0x01]) + data[501:])
    elif damage == "replace":
        target.write_bytes((folder / SINUSOID_FILES["maml"]).read_bytes())
    else:
        (folder / "checksums.json").unlink()
    with pytest.raises((ValueError, FileNotFoundError)) as caught:
        load_sinusoid_models(folder)
    message = str(caught.value)
    assert "python -m medmeta_lite.defaults sinusoid" in message
    assert (target.name in message) or damage == "missing manifest"
    assert len(load_sinusoid_models(data_dir())) == 4  # the committed files pass
