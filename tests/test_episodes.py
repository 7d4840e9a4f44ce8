"""Tests of the N-way K-shot episode sampler, the protocols and the 600-episode evaluation."""

import numpy as np
import pytest

from medmeta_lite.data.synthetic_images import META_TEST_CLASSES, META_TRAIN_CLASSES, make_synthetic_images
from medmeta_lite.fewshot.episodes import EpisodeBatch, EpisodeSampler
from medmeta_lite.fewshot.evaluation import (
    class_split_protocol,
    confidence_interval_95,
    dataset_split_protocol,
    evaluate_episodes,
)


@pytest.fixture(scope="module")
def synthetic():
    return make_synthetic_images(25, random_state=0)


def test_episode_shapes_and_labels(synthetic):
    sampler = EpisodeSampler(synthetic.images, synthetic.labels, n_ways=5, n_shots=3, n_queries=4,
                             random_state=0)
    episode = sampler.sample()
    assert episode.support_images.shape == (15, 28, 28)
    assert episode.query_images.shape == (20, 28, 28)
    assert episode.support_labels.tolist() == np.repeat(np.arange(5), 3).tolist()
    assert episode.query_labels.tolist() == np.repeat(np.arange(5), 4).tolist()
    assert (episode.n_ways, episode.n_shots, episode.n_queries) == (5, 3, 4)
    assert len(set(episode.classes.tolist())) == 5


def test_support_and_query_are_disjoint_and_labels_match_classes(synthetic):
    batch = EpisodeSampler(synthetic.images, synthetic.labels, n_ways=4, n_shots=5, n_queries=10,
                           random_state=1).sample_batch(50)
    for support, query, classes, support_labels, query_labels in zip(
            batch.support_index, batch.query_index, batch.classes, batch.support_labels, batch.query_labels,
            strict=True):
        assert not set(support) & set(query)
        np.testing.assert_array_equal(synthetic.labels[support], classes[support_labels])
        np.testing.assert_array_equal(synthetic.labels[query], classes[query_labels])


def test_reproducible_with_random_state(synthetic):
    def draw(seed):
        return EpisodeSampler(synthetic.images, synthetic.labels, n_ways=5, n_shots=1, random_state=seed
                              ).sample_batch(10)

    first, second, other = draw(3), draw(3), draw(4)
    np.testing.assert_array_equal(first.support_index, second.support_index)
    np.testing.assert_array_equal(first.query_index, second.query_index)
    assert not np.array_equal(first.support_index, other.support_index)


def test_episode_label_order_is_shuffled(synthetic):
    batch = EpisodeSampler(synthetic.images, synthetic.labels, n_ways=5, random_state=0).sample_batch(30)
    # Label 0 is not always the smallest class id: a model cannot exploit the order.
    assert not np.all(np.diff(batch.classes, axis=1) > 0)


def test_class_split_has_no_leakage(synthetic):
    protocol = class_split_protocol(synthetic.images, synthetic.labels, test_classes=META_TEST_CLASSES)
    assert set(np.unique(protocol.meta_train_labels)) == set(META_TRAIN_CLASSES)
    assert set(np.unique(protocol.meta_test_labels)) == set(META_TEST_CLASSES)
    train_batch = protocol.meta_train_sampler(n_ways=5, n_shots=1, random_state=0).sample_batch(200)
    test_batch = protocol.meta_test_sampler(n_ways=5, n_shots=1, random_state=0).sample_batch(200)
    assert not set(train_batch.classes.ravel()) & set(META_TEST_CLASSES)
    assert set(test_batch.classes.ravel()) <= set(META_TEST_CLASSES)
    assert "class split" in repr(protocol)


def test_dataset_split_protocol_checks_shapes():
    protocol = dataset_split_protocol(np.zeros((20, 8, 8)), np.repeat([0, 1], 10),
                                      np.ones((10, 8, 8)), np.repeat([0, 1], 5))
    assert protocol.meta_test_sampler(n_ways=2, n_shots=1, n_queries=2).sample().support_images.max() == 1
    with pytest.raises(ValueError, match="same shape"):
        dataset_split_protocol(np.zeros((20, 8, 8)), np.repeat([0, 1], 10), np.zeros((10, 4, 4)),
                               np.repeat([0, 1], 5))


def test_medmnist_style_labels_are_accepted():
    sampler = EpisodeSampler(np.zeros((20, 4, 4)), np.repeat([0, 1], 10)[:, None], n_ways=2, n_shots=2,
                             n_queries=3, random_state=0)
    assert sampler.sample().query_images.shape == (6, 4, 4)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"n_ways": 7}, ValueError, "only 6 classes"),
    ({"n_shots": 8, "n_queries": 5}, ValueError, "fewer than"),
    ({"n_shots": 0}, ValueError, "n_shots"),
    ({"n_ways": 1}, ValueError, "n_ways"),
    ({"classes": [0, 42]}, ValueError, "no images"),
])
def test_bad_sampler_arguments(kwargs, error, message):
    images, labels = np.zeros((60, 4, 4)), np.repeat(np.arange(6), 10)
    with pytest.raises(error, match=message):
        EpisodeSampler(images, labels, **kwargs)


def test_bad_labels():
    with pytest.raises(TypeError, match="integers"):
        EpisodeSampler(np.zeros((4, 2, 2)), np.array([0.0, 0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="labels must have shape"):
        EpisodeSampler(np.zeros((4, 2, 2)), np.array([0, 1]))


def test_confidence_interval_by_hand():
    accuracies = np.array([0.2, 0.4, 0.6, 0.8])
    std = np.sqrt(np.mean((accuracies - 0.5) ** 2))  # population std, as in the few-shot literature
    assert confidence_interval_95(accuracies) == pytest.approx(1.96 * std / 2)
    with pytest.raises(ValueError, match="two"):
        confidence_interval_95([0.5])


def test_evaluate_episodes_paths_agree(synthetic):
    sampler = EpisodeSampler(synthetic.images, synthetic.labels, n_ways=3, n_shots=2, n_queries=5,
                             random_state=0)
    batch = sampler.sample_batch(12)
    assert isinstance(batch, EpisodeBatch) and len(list(batch)) == 12

    def always_zero(support_images, support_labels, query_images):
        return np.zeros(len(query_images), dtype=int)

    class Oracle:
        def predict_episodes(self, episodes):
            return episodes.query_labels

    chance = evaluate_episodes(always_zero, batch)
    assert chance.mean == pytest.approx(1 / 3)
    assert chance.ci95 == pytest.approx(0.0)
    perfect = evaluate_episodes(Oracle(), batch)
    assert perfect.mean == 1.0 and perfect.n_episodes == 12
    assert "1.000" in repr(perfect)
    with pytest.raises(TypeError, match="EpisodeBatch"):
        evaluate_episodes(always_zero, batch.episode(0))


def test_adapted_episode_classifier_with_a_functional_conv4(synthetic):
    pytest.importorskip("tensorflow")
    from types import SimpleNamespace

    from medmeta_lite.fewshot.adapted import AdaptedEpisodeClassifier
    from medmeta_lite.gradmeta.networks import Conv4

    network = Conv4(n_ways=3, n_filters=4)
    weights = network.init_weights(np.random.default_rng(0))
    learner = SimpleNamespace(network_=network, meta_parameters_=weights, inner_lr=0.5)
    batch = EpisodeSampler(synthetic.images, synthetic.labels, n_ways=2, n_shots=2, n_queries=3,
                           random_state=0).sample_batch(3)
    # No step: the zero-initialised head gives equal logits, so every query gets label 0.
    unadapted = evaluate_episodes(AdaptedEpisodeClassifier(learner, n_steps=0), batch)
    assert unadapted.mean == pytest.approx(0.5)
    adapted = AdaptedEpisodeClassifier(learner, n_steps=5)
    episode = batch.episode(0)
    assert adapted.predict(episode.support_images, episode.support_labels, episode.query_images).shape == (6,)
    five_way = EpisodeSampler(synthetic.images, synthetic.labels, n_ways=5, n_shots=1, n_queries=1,
                              random_state=0).sample()
    with pytest.raises(ValueError, match="fewer than n_ways"):
        adapted.predict(five_way.support_images, five_way.support_labels, five_way.query_images)
    with pytest.raises(TypeError, match="network_"):
        AdaptedEpisodeClassifier(object()).predict(episode.support_images, episode.support_labels,
                                                   episode.query_images)
