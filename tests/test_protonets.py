"""Tests of Prototypical Networks: distances and loss by hand, training smoke run, save/load."""

import numpy as np
import pytest

from medmeta_lite import serialization
from medmeta_lite.backend import keras, tf
from medmeta_lite.data import data_dir
from medmeta_lite.data.preprocessing import prepare_images
from medmeta_lite.data.synthetic_images import load_synthetic_split
from medmeta_lite.defaults.fewshot import DEFAULT_PROTONET_FILE
from medmeta_lite.fewshot.embedding import (
    FusedBatchNormalization,
    compute_prototypes,
    episode_prototypes,
    prototype_distances,
    prototypical_loss,
    squared_euclidean_distances,
)
from medmeta_lite.fewshot.episodes import EpisodeSampler
from medmeta_lite.fewshot.evaluation import evaluate_episodes
from medmeta_lite.fewshot.protonets import ProtoNet

pytest.importorskip("tensorflow")


def test_distances_and_prototypes_by_hand():
    prototypes = compute_prototypes([[0.0, 0.0], [2.0, 2.0], [4.0, 0.0]], [0, 0, 1], n_ways=2)
    np.testing.assert_allclose(prototypes, [[1.0, 1.0], [4.0, 0.0]])
    distances = squared_euclidean_distances([[1.0, 2.0]], prototypes)
    np.testing.assert_allclose(distances, [[0.0 + 1.0, 9.0 + 4.0]])


def test_prototypical_loss_by_hand():
    support = np.array([[0.0], [2.0]], dtype="float32")
    query = np.array([[1.5], [0.0]], dtype="float32")
    loss, accuracy = prototypical_loss(support, np.array([0, 1]), query, np.array([0, 0]), n_ways=2,
                                       distance="squared_euclidean")
    # Query 1.5 (true class 0): distances 2.25 and 0.25; query 0.0: distances 0 and 4.
    first = 2.25 + np.log(np.exp(-2.25) + np.exp(-0.25))
    second = 0.0 + np.log(1.0 + np.exp(-4.0))
    assert float(loss) == pytest.approx((first + second) / 2, rel=1e-5)
    assert float(accuracy) == pytest.approx(0.5)
    # Euclidean (the default): distances 1.5 and 0.5, then 0 and 2.
    loss, accuracy = prototypical_loss(support, np.array([0, 1]), query, np.array([0, 0]), n_ways=2)
    first = 1.5 + np.log(np.exp(-1.5) + np.exp(-0.5))
    second = 0.0 + np.log(1.0 + np.exp(-2.0))
    assert float(loss) == pytest.approx((first + second) / 2, rel=1e-5)
    assert float(accuracy) == pytest.approx(0.5)


def test_euclidean_loss_has_finite_gradient_on_a_prototype():
    query = tf.Variable([[0.0, 0.0]])
    with tf.GradientTape() as tape:
        loss, _ = prototypical_loss(np.array([[0.0, 0.0], [2.0, 0.0]], "float32"), np.array([0, 1]),
                                    query, np.array([0]), n_ways=2)
    assert np.all(np.isfinite(tape.gradient(loss, query).numpy()))


def test_distance_choice_and_old_files(tiny_model, tmp_path):
    np.testing.assert_allclose(prototype_distances([[1.0, 2.0]], [[1.0, 0.0]]), [[2.0]])
    with pytest.raises(ValueError, match="distance must be one of 'euclidean', 'squared_euclidean'"):
        prototype_distances([[1.0]], [[0.0]], "manhattan")
    test = load_synthetic_split("meta_test", 3, random_state=2)
    support, labels, query = test.images[[0, 3]], [0, 1], test.images[[1, 4]]
    squared = tiny_model.set_params(distance="squared_euclidean").predict_proba(support, labels, query)
    euclidean = tiny_model.set_params(distance="euclidean").predict_proba(support, labels, query)
    # Same ranking, different confidence.
    np.testing.assert_array_equal(squared.argmax(1), euclidean.argmax(1))
    assert not np.allclose(squared, euclidean)
    # A file written before the hyperparameter existed was trained with the square and loads so.
    path = tiny_model.save(tmp_path / "protonet.npz")
    header, arrays = serialization.load_model_file(path, "ProtoNet")
    del header["hyperparameters"]["distance"]
    old = serialization.save_model(tmp_path / "old.npz", tiny_model, arrays,
                                   hyperparameters=header["hyperparameters"], state=header["state"])
    assert ProtoNet.load(old).distance == "squared_euclidean"
    assert ProtoNet.load(path).distance == "euclidean"


def test_prepare_images_standardises_and_adds_channel():
    prepared = prepare_images(np.arange(32, dtype=np.uint8).reshape(2, 4, 4))
    assert prepared.shape == (2, 4, 4, 1) and prepared.dtype == np.float32
    np.testing.assert_allclose(prepared.mean(axis=(1, 2, 3)), 0, atol=1e-6)
    with pytest.raises(ValueError, match="shape"):
        prepare_images(np.zeros((2, 4)))


@pytest.fixture(scope="module")
def tiny_model():
    data = load_synthetic_split("meta_train", 10, random_state=0)
    return ProtoNet(filters=8, n_meta_iter=4, n_ways=4, n_shots=2, n_queries=3,
                    random_state=0).fit(data.images, data.labels)


def test_fit_smoke_and_history(tiny_model):
    assert len(tiny_model.history_["loss"]) == 4
    assert all(np.isfinite(tiny_model.history_["loss"]))
    assert tiny_model.embed(np.zeros((3, 28, 28))).shape == (3, 8)
    # scikit-learn's repr shows the hyperparameters that differ from the defaults
    assert repr(tiny_model).startswith("ProtoNet(filters=8, n_meta_iter=4")


def test_batched_and_per_episode_predictions_agree(tiny_model):
    test = load_synthetic_split("meta_test", 8, random_state=1)
    batch = EpisodeSampler(test.images, test.labels, n_ways=3, n_shots=2, n_queries=3,
                           random_state=0).sample_batch(5)
    batched = tiny_model.predict_episodes(batch)
    looped = np.stack([tiny_model.predict(e.support_images, e.support_labels, e.query_images) for e in batch])
    np.testing.assert_array_equal(batched, looped)
    probabilities = tiny_model.predict_proba(batch.episode(0).support_images, batch.episode(0).support_labels,
                                             batch.episode(0).query_images)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    table = tiny_model.embed(test.images)
    np.testing.assert_allclose(episode_prototypes(table, batch)[0],
                               compute_prototypes(table[batch.support_index[0]], batch.support_labels[0], 3))


def test_save_and_load_round_trip(tiny_model, tmp_path):
    path = tiny_model.save(tmp_path / "protonet.npz")
    loaded = ProtoNet.load(path)
    images = load_synthetic_split("meta_test", 2, random_state=3).images
    np.testing.assert_allclose(loaded.embed(images), tiny_model.embed(images), rtol=1e-5, atol=1e-5)
    assert loaded.history_["loss"] == pytest.approx(tiny_model.history_["loss"])


def test_errors():
    with pytest.raises(ValueError, match="not fitted"):
        ProtoNet().embed(np.zeros((1, 28, 28)))
    data = load_synthetic_split("meta_train", 4, random_state=0)
    with pytest.raises(ValueError, match="n_meta_iter"):
        ProtoNet(filters=4, n_meta_iter=0).fit(data.images, data.labels)
    with pytest.raises(ValueError, match="meta_lr"):
        ProtoNet(filters=4, meta_lr=-1.0, n_meta_iter=1, n_ways=2, n_shots=1,
                 n_queries=1).fit(data.images, data.labels)


def test_committed_weights_beat_pixels_on_unseen_classes(repo_root):
    from medmeta_lite.fewshot.fine_tuning import PixelNearestCentroid

    path = data_dir() / DEFAULT_PROTONET_FILE
    if not path.is_file():
        pytest.skip(f"{DEFAULT_PROTONET_FILE} not built yet: python -m medmeta_lite.defaults "
                    "fewshot")
    model = ProtoNet.load(path)
    test = load_synthetic_split("meta_test", 40, random_state=11)
    batch = EpisodeSampler(test.images, test.labels, n_ways=5, n_shots=5, n_queries=10,
                           random_state=0).sample_batch(100)
    protonet = evaluate_episodes(model, batch).mean
    pixels = evaluate_episodes(PixelNearestCentroid(), batch).mean
    assert protonet > pixels + 0.15


def test_fused_batch_normalization_matches_keras():
    """The fused training path must give Keras's outputs and moving averages (same weights, same maths)."""
    images = np.random.default_rng(0).standard_normal((5, 3, 3, 4)).astype("float32") * 3 + 1
    reference, fused = keras.layers.BatchNormalization(momentum=0.9), FusedBatchNormalization(momentum=0.9)
    for layer in (reference, fused):
        layer.build(images.shape)
        layer.gamma.assign(np.arange(1, 5, dtype="float32"))
        layer.beta.assign(np.arange(4, dtype="float32"))
    np.testing.assert_allclose(fused(images, training=True), reference(images, training=True), atol=1e-5)
    np.testing.assert_allclose(fused.moving_mean, reference.moving_mean, atol=1e-6)
    np.testing.assert_allclose(fused.moving_variance, reference.moving_variance, atol=1e-6)
    np.testing.assert_allclose(fused(images, training=False), reference(images, training=False), atol=1e-5)
