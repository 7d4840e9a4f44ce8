"""Functional networks for the optimisation-based meta-learners: weights in a list, a pure ``apply``.

MAML needs to run one network with many sets of weights (the meta-parameters and each task's adapted
copy) and to differentiate through the adaptation itself. A Keras ``Model`` owns its weights, so here a
network is just two things: ``init_weights(rng)``, which returns a list of NumPy arrays, and
``apply(weights, X)``, a pure TensorFlow function of the weights and the inputs.

``apply`` accepts either one set of weights with inputs of shape ``(n_examples, ...)`` or a *batch* of
weight sets (each array with a leading ``n_tasks`` axis) with inputs of shape ``(n_tasks, n_examples,
...)``. The batched form evaluates every task of a meta-batch in one computation, which is what makes the
meta-step fast. Any object with ``init_weights``, ``apply`` and ``get_config`` can be passed to
:class:`medmeta_lite.gradmeta.maml.MAML` as ``network=``.
"""

from __future__ import annotations

import numpy as np

from medmeta_lite.backend import tf
from medmeta_lite.validation import check_choice, check_count


def _is_batched(weights, unbatched_rank: int) -> bool:
    rank = len(weights[0].shape)
    if rank not in (unbatched_rank, unbatched_rank + 1):
        raise ValueError(f"the first weight must have rank {unbatched_rank} (one set of weights) or "
                         f"{unbatched_rank + 1} (a batch of tasks), got shape {tuple(weights[0].shape)}")
    return rank == unbatched_rank + 1


def _check_n_weights(weights, expected: int, name: str):
    if len(weights) != expected:
        raise ValueError(f"{name} expects {expected} weight arrays, got {len(weights)}")


def mlp_apply(weights, X):
    """Apply a ReLU multilayer perceptron given as ``[W1, b1, W2, b2, ...]`` (``W`` of shape (in, out)).

    Parameters
    ----------
    weights : list of tensors
        Unbatched (``W`` of shape (in, out)) or batched over tasks (``W`` of shape (n_tasks, in, out)).
    X : tensor of shape (n_examples, in) or (n_tasks, n_examples, in)

    Returns
    -------
    tensor of shape (n_examples, out) or (n_tasks, n_examples, out)

    Examples
    --------
    >>> import numpy as np
    >>> weights = MLP(layer_sizes=(1, 3, 1)).init_weights(np.random.default_rng(0))
    >>> tuple(mlp_apply(weights, np.zeros((4, 1), dtype="float32")).shape)
    (4, 1)
    """
    if len(weights) % 2:
        raise ValueError(f"an MLP needs pairs of (weight, bias) arrays, got {len(weights)} arrays")
    batched = _is_batched(weights, 2)
    hidden = tf.convert_to_tensor(X, dtype=weights[0].dtype)
    n_layers = len(weights) // 2
    for layer in range(n_layers):
        kernel, bias = weights[2 * layer], weights[2 * layer + 1]
        if batched:
            hidden = tf.einsum("tni,tio->tno", hidden, kernel) + bias[:, None, :]
        else:
            hidden = tf.matmul(hidden, kernel) + bias
        if layer < n_layers - 1:
            hidden = tf.nn.relu(hidden)
    return hidden


class MLP:
    """The multilayer perceptron of the sinusoid benchmark: 1-40-40-1 with ReLU by default.

    Parameters
    ----------
    layer_sizes : tuple of int, default=(1, 40, 40, 1)
        Width of the input, each hidden layer and the output.

    Notes
    -----
    Weights start uniform in ``±1/sqrt(fan_in)`` (the PyTorch default for linear layers), so results
    can be compared with PyTorch implementations of the benchmark. Introduced in
    ``notebooks/12_maml_sinusoid.ipynb``.

    References
    ----------
    Finn, C., Abbeel, P. & Levine, S. (2017). Model-agnostic meta-learning for fast adaptation of deep
    networks. ICML. arXiv:1703.03400.

    Examples
    --------
    >>> import numpy as np
    >>> network = MLP()
    >>> network
    MLP(layer_sizes=(1, 40, 40, 1))
    >>> weights = network.init_weights(np.random.default_rng(0))
    >>> [w.shape for w in weights][:2]
    [(1, 40), (40,)]
    """

    def __init__(self, layer_sizes=(1, 40, 40, 1)):
        sizes = tuple(int(size) for size in layer_sizes)
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"layer_sizes needs at least two positive widths, got {layer_sizes!r}")
        self.layer_sizes = sizes

    def init_weights(self, rng: np.random.Generator, dtype="float32") -> list[np.ndarray]:
        """Draw initial weights ``[W1, b1, ...]`` from ``rng``."""
        weights = []
        for fan_in, fan_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            bound = 1.0 / np.sqrt(fan_in)
            weights.append(rng.uniform(-bound, bound, size=(fan_in, fan_out)).astype(dtype))
            weights.append(rng.uniform(-bound, bound, size=(fan_out,)).astype(dtype))
        return weights

    def apply(self, weights, X):
        """Outputs of the network for one set of weights or a batch of them (see :func:`mlp_apply`)."""
        _check_n_weights(weights, 2 * (len(self.layer_sizes) - 1), "this MLP")
        return mlp_apply(weights, X)

    def get_config(self) -> dict:
        return {"kind": "mlp", "layer_sizes": list(self.layer_sizes)}

    def __repr__(self) -> str:
        return f"MLP(layer_sizes={self.layer_sizes})"


def _conv3x3_same(hidden, kernel):
    """3×3 convolution with zero padding and a different kernel for every task (leading axis)."""
    n_tasks = hidden.shape[0]
    if n_tasks is not None:
        # One conv2d per task: conv2d takes one kernel per call, and CPU has no gradient for a grouped
        # convolution. Measured here this beats nine shifted einsums by 2-3x, second derivatives included.
        return tf.stack([tf.nn.conv2d(hidden[task], kernel[task], strides=1, padding="SAME")
                         for task in range(n_tasks)])
    height, width = hidden.shape[2], hidden.shape[3]
    padded = tf.pad(hidden, [[0, 0], [0, 0], [1, 1], [1, 1], [0, 0]])
    total = 0.0
    for row in range(3):
        for column in range(3):
            window = padded[:, :, row:row + height, column:column + width, :]
            total = total + tf.einsum("tnhwc,tcf->tnhwf", window, kernel[:, row, column])
    return total


def conv4_apply(weights, X, normalization: str | None = "layer"):
    """Apply the Conv-4 backbone and its linear head (see :class:`Conv4`).

    Parameters
    ----------
    weights : list of tensors
        Per block ``kernel (3, 3, in, filters), bias (filters,)`` plus ``scale, offset (filters,)`` when
        ``normalization="layer"``, then the head ``W (filters, n_ways), b (n_ways,)``; batched weights carry
        a leading ``n_tasks`` axis.
    X : tensor of shape (n_examples, height, width, channels)
        Or (n_tasks, n_examples, height, width, channels) with batched weights.
    normalization : {"layer", None}, default="layer"

    Returns
    -------
    tensor of logits, shape (n_examples, n_ways) or (n_tasks, n_examples, n_ways)
    """
    per_block = 4 if normalization == "layer" else 2
    _check_n_weights(weights, 4 * per_block + 2, f"Conv-4 with normalization={normalization!r}")
    batched = _is_batched(weights, 4)
    hidden = tf.convert_to_tensor(X, dtype=weights[0].dtype)
    if not batched:
        hidden = hidden[None]
        weights = [weight[None] for weight in weights]
    if len(hidden.shape) != 5:
        raise ValueError(f"Conv-4 expects images of shape (n_examples, height, width, channels), got "
                         f"{tuple(hidden.shape)}")
    for block in range(4):
        kernel, bias = weights[per_block * block], weights[per_block * block + 1]
        hidden = _conv3x3_same(hidden, kernel) + bias[:, None, None, None, :]
        if normalization == "layer":
            # Per-example statistics: no running averages, and a single query image is handled like a batch.
            scale, offset = weights[per_block * block + 2], weights[per_block * block + 3]
            mean, variance = tf.nn.moments(hidden, axes=[2, 3, 4], keepdims=True)
            hidden = (hidden - mean) * tf.math.rsqrt(variance + 1e-5)
            hidden = hidden * scale[:, None, None, None, :] + offset[:, None, None, None, :]
        hidden = tf.nn.relu(hidden)
        n_tasks, n_examples = tf.shape(hidden)[0], tf.shape(hidden)[1]
        flat = tf.reshape(hidden, tf.concat([[n_tasks * n_examples], tf.shape(hidden)[2:]], axis=0))
        flat = tf.nn.max_pool2d(flat, ksize=2, strides=2, padding="VALID")
        hidden = tf.reshape(flat, tf.concat([[n_tasks, n_examples], tf.shape(flat)[1:]], axis=0))
    features = tf.reduce_mean(hidden, axis=[2, 3])  # 28×28 ends at 1×1; larger images are averaged
    logits = tf.einsum("tnf,tfo->tno", features, weights[-2]) + weights[-1][:, None, :]
    return logits if batched else logits[0]


class Conv4:
    """The Conv-4 backbone of few-shot learning: four blocks of conv 3×3, normalisation, ReLU, max-pool 2.

    Parameters
    ----------
    n_ways : int, default=5
        Number of classes of the linear head.
    n_filters : int, default=64
        Filters of every convolution (the papers use 64 (32 for MAML on miniImageNet); fewer is faster).
    n_channels : int, default=1
        Channels of the input images (1 for grey-scale 28×28 images).
    normalization : {"layer", None}, default="layer"
        ``"layer"`` normalises each example over height, width and channels with a learned scale and
        offset: unlike batch norm it keeps no running statistics and treats a single query image like a
        batch. ``None`` removes it.

    Notes
    -----
    Introduced in ``notebooks/13_few_shot_medical_images.ipynb``.

    References
    ----------
    Vinyals, O. et al. (2016). Matching networks for one shot learning. NeurIPS.
    Finn, C., Abbeel, P. & Levine, S. (2017). Model-agnostic meta-learning for fast adaptation of deep
    networks. ICML.

    Examples
    --------
    >>> import numpy as np
    >>> network = Conv4(n_ways=3, n_filters=8)
    >>> weights = network.init_weights(np.random.default_rng(0))
    >>> images = np.zeros((2, 28, 28, 1), dtype="float32")
    >>> tuple(network.apply(weights, images).shape)
    (2, 3)
    """

    def __init__(self, n_ways: int = 5, n_filters: int = 64, n_channels: int = 1, normalization="layer"):
        for name, value in (("n_ways", n_ways), ("n_filters", n_filters), ("n_channels", n_channels)):
            check_count(name, value)
        check_choice("normalization", normalization, ("layer", None))
        self.n_ways, self.n_filters, self.n_channels = int(n_ways), int(n_filters), int(n_channels)
        self.normalization = normalization

    def init_weights(self, rng: np.random.Generator, dtype="float32") -> list[np.ndarray]:
        """He-uniform kernels, zero biases, unit scales; the head starts at zero (uniform first guess)."""
        weights = []
        in_channels = self.n_channels
        for _ in range(4):
            bound = np.sqrt(6.0 / (9 * in_channels))
            weights.append(rng.uniform(-bound, bound, size=(3, 3, in_channels, self.n_filters)).astype(dtype))
            weights.append(np.zeros(self.n_filters, dtype=dtype))
            if self.normalization == "layer":
                weights.append(np.ones(self.n_filters, dtype=dtype))
                weights.append(np.zeros(self.n_filters, dtype=dtype))
            in_channels = self.n_filters
        weights.append(np.zeros((self.n_filters, self.n_ways), dtype=dtype))
        weights.append(np.zeros(self.n_ways, dtype=dtype))
        return weights

    def apply(self, weights, X):
        """Logits for one set of weights or a batch of them (see :func:`conv4_apply`)."""
        return conv4_apply(weights, X, normalization=self.normalization)

    def get_config(self) -> dict:
        return {"kind": "conv4", "n_ways": self.n_ways, "n_filters": self.n_filters,
                "n_channels": self.n_channels, "normalization": self.normalization}

    def __repr__(self) -> str:
        return (f"Conv4(n_ways={self.n_ways}, n_filters={self.n_filters}, n_channels={self.n_channels}, "
                f"normalization={self.normalization!r})")


def network_from_config(config: dict):
    """Rebuild a network from its ``get_config()`` dictionary (used by ``MAML.load``).

    Examples
    --------
    >>> network_from_config(MLP().get_config())
    MLP(layer_sizes=(1, 40, 40, 1))
    """
    options = dict(config)
    kind = options.pop("kind", None)
    if kind == "mlp":
        return MLP(**options)
    if kind == "conv4":
        return Conv4(**options)
    raise ValueError(f"unknown network kind {kind!r}; expected 'mlp' or 'conv4'")
