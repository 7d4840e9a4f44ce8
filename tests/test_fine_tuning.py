"""Tests of the few-shot baselines: pixel nearest centroid, scratch softmax regression, fine-tuning."""

import numpy as np
import pytest

from medmeta_lite.data import data_dir
from medmeta_lite.data.synthetic_images import load_synthetic_split
from medmeta_lite.defaults.fewshot import DEFAULT_PRETRAINED_FILE
from medmeta_lite.fewshot.episodes import EpisodeSampler
from medmeta_lite.fewshot.evaluation import evaluate_episodes
from medmeta_lite.fewshot.fine_tuning import (
    FineTuningClassifier,
    PixelNearestCentroid,
    ScratchClassifier,
    fit_softmax_heads,
)


@pytest.fixture(scope="module")
def meta_test_batch():
    test = load_synthetic_split("meta_test", 30, random_state=5)
    return EpisodeSampler(test.images, test.labels, n_ways=5, n_shots=5, n_queries=10,
                          random_state=0).sample_batch(150)


def test_pixel_nearest_centroid_by_hand():
    support = np.zeros((4, 3, 3))
    support[0, 0, 0] = support[1, 0, 1] = 1.0   # class 0: bright pixel in the top row
    support[2, 2, 2] = support[3, 2, 1] = 1.0   # class 1: bright pixel in the bottom row
    query = np.zeros((2, 3, 3))
    query[0, 2, 2] = query[1, 0, 0] = 1.0
    assert PixelNearestCentroid().predict(support, [0, 0, 1, 1], query).tolist() == [1, 0]


def test_pixel_nearest_centroid_is_far_from_perfect_on_synthetic_data(meta_test_batch):
    # Classes differ by structure at random positions, not by a fixed pixel pattern.
    result = evaluate_episodes(PixelNearestCentroid(), meta_test_batch)
    assert 0.2 < result.mean < 0.65


def test_batched_paths_match_per_episode_paths(meta_test_batch):
    small = meta_test_batch
    for model in (PixelNearestCentroid(), ScratchClassifier(n_iter=30)):
        batched = model.predict_episodes(small)[:5]
        looped = np.stack([model.predict(small.episode(i).support_images, small.episode(i).support_labels,
                                         small.episode(i).query_images) for i in range(5)])
        np.testing.assert_array_equal(batched, looped)


def test_softmax_heads_fit_separable_support():
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((3, 10)) * 3
    features = (centres[np.repeat(np.arange(3), 4)] + 0.1 * rng.standard_normal((12, 10)))[None]
    labels = np.repeat(np.arange(3), 4)[None]
    weights, bias = fit_softmax_heads(features, labels, 3, n_iter=200)
    normalised = features / np.linalg.norm(features, axis=-1, keepdims=True)
    assert ((normalised @ weights + bias[:, None]).argmax(-1) == labels).all()


def test_support_label_errors():
    with pytest.raises(ValueError, match="every label"):
        PixelNearestCentroid().predict(np.zeros((2, 4, 4)), [0, 2], np.zeros((1, 4, 4)))
    with pytest.raises(ValueError, match="support labels"):
        ScratchClassifier().predict(np.zeros((2, 4, 4)), [0, 1, 1], np.zeros((1, 4, 4)))


@pytest.fixture(scope="module")
def tiny_pretrained():
    data = load_synthetic_split("meta_train", 8, random_state=0)
    return FineTuningClassifier(filters=8, n_iter=3, n_fine_tune_steps=3, random_state=0).fit(
        data.images, data.labels)


def test_fine_tuning_smoke(tiny_pretrained, meta_test_batch, tmp_path):
    assert len(tiny_pretrained.history_["loss"]) == 3 and tiny_pretrained.classes_.size == 16
    episode = meta_test_batch.episode(0)
    for mode in ("head", "all"):
        tiny_pretrained.fine_tune = mode
        predicted = tiny_pretrained.predict(episode.support_images, episode.support_labels,
                                            episode.query_images)
        assert predicted.shape == (50,) and set(predicted.tolist()) <= set(range(5))
    tiny_pretrained.fine_tune = "head"
    loaded = FineTuningClassifier.load(tiny_pretrained.save(tmp_path / "pretrained.npz"))
    assert loaded.get_params() == tiny_pretrained.get_params()
    assert loaded.set_params(n_fine_tune_steps=3).n_fine_tune_steps == 3
    np.testing.assert_allclose(loaded.embed(episode.query_images),
                               tiny_pretrained.embed(episode.query_images), rtol=1e-5, atol=1e-5)
    tiny_pretrained.fine_tune = "everything"
    with pytest.raises(ValueError, match="fine_tune"):
        tiny_pretrained.predict(episode.support_images, episode.support_labels, episode.query_images)
    tiny_pretrained.fine_tune = "head"
    with pytest.raises(ValueError, match="not fitted"):
        FineTuningClassifier().embed(episode.query_images)


def test_committed_pretrained_backbone_transfers(repo_root, meta_test_batch):
    path = data_dir() / DEFAULT_PRETRAINED_FILE
    if not path.is_file():
        pytest.skip(f"{DEFAULT_PRETRAINED_FILE} not built yet: python -m medmeta_lite.defaults "
                    "fewshot")
    model = FineTuningClassifier.load(path)
    assert evaluate_episodes(model, meta_test_batch).mean > evaluate_episodes(PixelNearestCentroid(),
                                                                              meta_test_batch).mean + 0.15
