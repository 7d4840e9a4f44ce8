"""Functional networks: batched and unbatched application agree, shapes, configuration round trip."""

import numpy as np
import pytest

from medmeta_lite.backend import tf
from medmeta_lite.gradmeta.networks import MLP, Conv4, mlp_apply, network_from_config


def test_mlp_initial_weights_follow_the_fan_in_bound():
    weights = MLP(layer_sizes=(1, 40, 40, 1)).init_weights(np.random.default_rng(0))
    assert [w.shape for w in weights] == [(1, 40), (40,), (40, 40), (40,), (40, 1), (1,)]
    assert np.abs(weights[2]).max() <= 1 / np.sqrt(40)
    assert all(w.dtype == np.float32 for w in weights)


def test_mlp_matches_a_numpy_forward_pass():
    rng = np.random.default_rng(1)
    weights = MLP(layer_sizes=(2, 5, 1)).init_weights(rng, dtype="float64")
    X = rng.normal(size=(7, 2))
    expected = np.maximum(X @ weights[0] + weights[1], 0) @ weights[2] + weights[3]
    np.testing.assert_allclose(mlp_apply(weights, X).numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize("network, shape", [
    (MLP(layer_sizes=(1, 8, 1)), (6, 1)), (Conv4(n_ways=3, n_filters=4), (6, 28, 28, 1)),
    (Conv4(n_ways=2, n_filters=3, normalization=None), (4, 12, 12, 1))])
def test_batched_application_equals_one_task_at_a_time(network, shape):
    rng = np.random.default_rng(2)
    per_task = [network.init_weights(np.random.default_rng(seed), dtype="float64") for seed in range(3)]
    for weights in per_task:  # non-zero heads so that the comparison is not trivial
        weights[-2] += rng.normal(size=weights[-2].shape)
    batched = [np.stack(parts) for parts in zip(*per_task, strict=True)]
    X = rng.normal(size=(3, *shape))
    together = network.apply(batched, X).numpy()
    for task, weights in enumerate(per_task):
        np.testing.assert_allclose(together[task], network.apply(weights, X[task]).numpy(), atol=1e-10)


def test_conv4_output_shape_and_second_derivatives_exist():
    network = Conv4(n_ways=5, n_filters=4)
    weights = [tf.constant(w) for w in network.init_weights(np.random.default_rng(0))]
    weights[-2] = weights[-2] + 0.1
    images = tf.random.stateless_normal((2, 28, 28, 1), seed=(1, 2))
    assert tuple(network.apply(weights, images).shape) == (2, 5)
    with tf.GradientTape() as outer:
        outer.watch(weights)
        with tf.GradientTape() as inner:
            inner.watch(weights)
            loss = tf.reduce_sum(network.apply(weights, images) ** 2)
        gradient = inner.gradient(loss, weights[0])
        norm = tf.reduce_sum(gradient ** 2)
    second = outer.gradient(norm, weights[0])
    assert second is not None and np.isfinite(second.numpy()).all()


def test_wrong_number_of_weights_is_a_value_error():
    with pytest.raises(ValueError, match="weight arrays"):
        MLP().apply(MLP().init_weights(np.random.default_rng(0))[:4], np.zeros((2, 1), "float32"))
    with pytest.raises(ValueError, match="n_ways"):
        Conv4(n_ways=0)
    with pytest.raises(ValueError, match="layer_sizes"):
        MLP(layer_sizes=(3,))


def test_configuration_round_trip():
    for network in (MLP(layer_sizes=(2, 7, 1)), Conv4(n_ways=4, n_filters=16, normalization=None)):
        assert repr(network_from_config(network.get_config())) == repr(network)
    with pytest.raises(ValueError, match="unknown network kind"):
        network_from_config({"kind": "resnet"})
