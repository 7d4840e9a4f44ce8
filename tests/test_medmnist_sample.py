"""The embedded real sample and the cross-domain protocol built on it."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from medmeta_lite.data.bundled import data_dir
from medmeta_lite.data.medmnist import CLASS_NAMES, file_md5, load_medmnist
from medmeta_lite.data.medmnist_sample import (
    SAMPLE_FILE,
    SAMPLE_FLAGS,
    SAMPLE_MD5,
    SAMPLE_PER_CLASS,
    build_sample,
    load_medmnist_sample,
    select_balanced,
)
from medmeta_lite.defaults.__main__ import main as defaults_main
from medmeta_lite.experiments import cross_domain
from medmeta_lite.fewshot.fine_tuning import PixelNearestCentroid

SHARED_MEDMNIST = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "medmnist"
needs_shared = pytest.mark.skipif(
    not all((SHARED_MEDMNIST / f"{flag}.npz").is_file() for flag in SAMPLE_FLAGS),
    reason="the official MedMNIST files are not in ../shared/data/medmnist beside the repository",
)


def test_committed_sample_has_the_pinned_md5_and_stays_small():
    path = data_dir() / SAMPLE_FILE
    assert file_md5(path) == SAMPLE_MD5
    assert path.stat().st_size <= 1_000_000


def test_every_class_has_the_same_number_of_real_images():
    sample = load_medmnist_sample()
    assert set(sample) == set(SAMPLE_FLAGS)
    for flag, splits in sample.items():
        images, labels = splits.pooled()
        assert images.dtype == np.uint8 and images.shape[1:] == (28, 28)
        counts = np.bincount(labels, minlength=len(CLASS_NAMES[flag]))
        assert counts.tolist() == [SAMPLE_PER_CLASS] * len(CLASS_NAMES[flag]), (flag, counts)
        assert images.std() > 10, f"{flag}: the images look blank"


def test_sample_prefers_the_official_test_split():
    breast = load_medmnist_sample()["breastmnist"]
    # 42 malignant images are in the official test split; the other 48 of that class come from val/train.
    assert np.sum(breast.test_labels == 0) == 42
    assert np.sum(breast.test_labels == 1) == SAMPLE_PER_CLASS


def test_a_damaged_sample_is_refused_with_the_rebuild_command(tmp_path):
    shutil.copy(data_dir() / SAMPLE_FILE, tmp_path / SAMPLE_FILE)
    with open(tmp_path / SAMPLE_FILE, "r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02")
    with pytest.raises(ValueError, match="medmnist-sample --source"):
        load_medmnist_sample(tmp_path)
    with pytest.raises(FileNotFoundError, match="medmnist-sample --source"):
        load_medmnist_sample(tmp_path / "empty")


def test_select_balanced_names_a_class_that_is_too_small():
    splits = load_medmnist_sample()["retinamnist"]
    with pytest.raises(ValueError, match="class 0 has only 90 images"):
        select_balanced(splits, per_class=91)


@needs_shared
def test_rebuilding_from_the_official_files_gives_the_same_bytes(tmp_path):
    path = build_sample(SHARED_MEDMNIST, tmp_path)
    assert file_md5(path) == SAMPLE_MD5


@needs_shared
def test_sample_images_are_the_official_images_at_their_recorded_rows():
    with np.load(data_dir() / SAMPLE_FILE) as archive:
        for flag in SAMPLE_FLAGS:
            official = load_medmnist(flag, SHARED_MEDMNIST)
            splits = ("train", "val", "test")
            for row in (0, 45, 89, 200 if flag == "retinamnist" else 120):
                split = splits[archive[f"{flag}_source_split"][row]]
                index = archive[f"{flag}_source_index"][row]
                expected = getattr(official, f"{split}_images")[index]
                assert np.array_equal(expected, archive[f"{flag}_images"][row])
                assert getattr(official, f"{split}_labels")[index] == archive[f"{flag}_labels"][row]


def test_rebuild_command_needs_a_source(capsys):
    with pytest.raises(SystemExit):
        defaults_main(["medmnist-sample"])
    assert "--source" in capsys.readouterr().err


def test_target_domains_follow_the_protocol_ways():
    domains = cross_domain.target_domains(synthetic_per_class=40)
    assert {name: domain["n_ways"] for name, domain in domains.items()} == {
        "synthetic (unseen classes)": 5, "BreastMNIST": 2, "PneumoniaMNIST": 2, "RetinaMNIST": 5}
    assert {domain["source"] for name, domain in domains.items() if name != "synthetic (unseen classes)"} == {
        "embedded sample"}


@needs_shared
def test_full_files_replace_the_sample():
    domains = cross_domain.target_domains(SHARED_MEDMNIST, synthetic_per_class=20)
    assert domains["BreastMNIST"]["source"] == "breastmnist.npz"
    assert len(domains["BreastMNIST"]["labels"]) == 780


def test_every_shot_of_the_protocol_fits_the_sample():
    domains = cross_domain.target_domains(synthetic_per_class=40)
    rows = cross_domain.evaluate_domains({"pixel nearest centroid": PixelNearestCentroid()}, domains,
                                         n_episodes=3)
    assert len(rows) == len(domains) * len(cross_domain.CROSS_DOMAIN_SHOTS)
    assert {row["n_shots"] for row in rows} == {1, 5, 20}
    assert all(0.0 <= row["accuracy"] <= 1.0 and row["n_episodes"] == 3 for row in rows)
    table = cross_domain.format_rows(rows)
    assert "RetinaMNIST" in table and "5-way 20-shot" in table


@needs_shared
def test_leave_one_dataset_out_trains_on_the_other_datasets():
    rows = cross_domain.leave_one_dataset_out(SHARED_MEDMNIST, shots=(5,), n_episodes=4, n_meta_iter=3,
                                              pretrain_n_iter=3)
    assert {row["domain"] for row in rows} == {"BreastMNIST", "PneumoniaMNIST", "RetinaMNIST"}
    retina = [row for row in rows if row["domain"] == "RetinaMNIST"]
    assert {row["meta_trained_on"] for row in retina} == {"breastmnist+pneumoniamnist"}
    assert {row["method"] for row in retina} == {"protonet", "fine-tuning (linear probe)",
                                                 "pixel nearest centroid"}


def test_leave_one_out_needs_two_datasets():
    with pytest.raises(ValueError, match="at least two datasets"):
        cross_domain.leave_one_dataset_out(SHARED_MEDMNIST, flags=("breastmnist",))


def test_cross_domain_command_prints_json_rows(capsys):
    cross_domain.main(["--episodes", "2", "--shots", "1", "--json"])
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]  # stdout holds only the JSON rows
    assert "# BreastMNIST: embedded sample, 180 images" in captured.err
    assert {row["method"] for row in rows} >= {"protonet", "first-order maml", "fine-tuning (linear probe)"}
    assert {row["domain"] for row in rows} == {"synthetic (unseen classes)", "BreastMNIST", "PneumoniaMNIST",
                                               "RetinaMNIST"}
