"""Prototypical Networks (Snell et al., 2017) with a Conv-4 embedding in Keras 3.

A Conv-4 network maps every image to an embedding. In an episode, each class's *prototype* is the mean
embedding of its support images; a query image gets the softmax over negative squared Euclidean
distances to the prototypes. Meta-training minimises the cross-entropy of the query labels over many
episodes, so that the embedding makes "nearest prototype" work on classes it has never seen.

Regenerate the committed weights of the notebooks (ProtoNet, the fine-tuning baseline's pre-trained
backbone and a first-order MAML Conv-4) with one command (about a minute on 2 CPU cores)::

    python -m medmeta_lite.protonets --train-defaults --out data/
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from medmeta_lite.episodes import EpisodeBatch, EpisodeSampler
from medmeta_lite.synthetic_images import standardise_images
from medmeta_lite.validation import check_count, check_positive

DEFAULT_PROTONET_FILE = "fewshot_protonet.npz"
DEFAULT_PRETRAINED_FILE = "fewshot_pretrained.npz"
DEFAULT_MAML_FILE = "fewshot_maml.npz"
DEFAULT_SETTINGS = {"n_per_class": 200, "filters": 32, "n_meta_iter": 250, "n_ways": 10, "n_shots": 5,
                    "n_queries": 5, "meta_lr": 0.002, "pretrain_n_iter": 300, "maml_n_meta_iter": 100,
                    "maml_n_shots": 1, "maml_inner_lr": 0.4, "maml_n_inner_steps": 3,
                    "maml_meta_batch_size": 4, "maml_meta_lr": 0.003, "seed": 0}
"""Settings of the committed few-shot models (synthetic meta-training classes, standard style)."""


def _keras():
    import keras

    return keras


def build_conv4(filters: int = 32, *, image_size: int = 28, seed: int = 0, name: str = "conv4"):
    """Conv-4 embedding: four blocks of 3×3 convolution, batch norm, ReLU and 2×2 max-pool, then flatten.

    A 28×28 image shrinks to 14, 7, 3 and 1 pixels, so the embedding has ``filters`` dimensions.

    Parameters
    ----------
    filters : int, default=32
        Channels of every convolution (the papers use 64; 32 is four times cheaper on a CPU).
    image_size : int, default=28
    seed : int, default=0
        Seed of the kernel initialisers.

    Returns
    -------
    keras.Model
        Input ``(image_size, image_size, 1)``, output ``(filters * s * s,)`` with ``s`` the final size.

    References
    ----------
    Vinyals, O. et al. (2016). Matching networks for one shot learning. NeurIPS.

    Examples
    --------
    >>> build_conv4(8).output_shape
    (None, 8)
    """
    keras = _keras()
    layers = keras.layers
    inputs = keras.Input((image_size, image_size, 1))
    hidden = inputs
    for block in range(4):
        hidden = layers.Conv2D(filters, 3, padding="same", use_bias=False,
                               kernel_initializer=keras.initializers.HeNormal(seed=seed + block))(hidden)
        hidden = layers.BatchNormalization(momentum=0.9)(hidden)
        hidden = layers.ReLU()(hidden)
        hidden = layers.MaxPooling2D(2)(hidden)
    return keras.Model(inputs, layers.Flatten()(hidden), name=name)


def prepare_images(images) -> np.ndarray:
    """Standardise each image and add the channel axis: ``(n, h, w)`` → float32 ``(n, h, w, 1)``."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n_images, height, width[, 1]), got {images.shape}")
    return standardise_images(images)[..., None]


def squared_euclidean_distances(query_embeddings, prototypes) -> np.ndarray:
    """Squared Euclidean distance of every query embedding to every prototype (numpy).

    Examples
    --------
    >>> squared_euclidean_distances([[0.0, 0.0], [1.0, 1.0]], [[0.0, 0.0], [2.0, 0.0]]).tolist()
    [[0.0, 4.0], [2.0, 2.0]]
    """
    query_embeddings, prototypes = np.asarray(query_embeddings, float), np.asarray(prototypes, float)
    # ||q||² - 2 q·c + ||c||²: avoids a (n_query, n_ways, n_features) temporary, large for 600 episodes.
    cross = query_embeddings @ np.swapaxes(prototypes, -1, -2)
    query_norms = (query_embeddings ** 2).sum(-1)[..., :, None]
    distances = query_norms - 2 * cross + (prototypes ** 2).sum(-1)[..., None, :]
    return np.maximum(distances, 0.0)


def compute_prototypes(embeddings, labels, n_ways: int) -> np.ndarray:
    """Mean embedding of each class ``0 … n_ways - 1`` (numpy).

    Examples
    --------
    >>> compute_prototypes([[0.0], [2.0], [5.0]], [0, 0, 1], 2).tolist()
    [[1.0], [5.0]]
    """
    embeddings, labels = np.asarray(embeddings, float), np.asarray(labels)
    one_hot = np.eye(n_ways)[labels]
    return (one_hot.T @ embeddings) / one_hot.sum(axis=0)[:, None]


def episode_prototypes(table, episodes) -> np.ndarray:
    """Prototypes of every episode of an :class:`EpisodeBatch`, given one feature row per pool image.

    Parameters
    ----------
    table : ndarray of shape (n_images, n_features)
        Features (embeddings or pixels) of ``episodes.images``.
    episodes : EpisodeBatch

    Returns
    -------
    ndarray of shape (n_episodes, n_ways, n_features)
    """
    one_hot = np.eye(episodes.classes.shape[1])[episodes.support_labels]          # (episodes, support, ways)
    sums = np.einsum("esw,esd->ewd", one_hot, np.asarray(table, float)[episodes.support_index])
    return sums / one_hot.sum(axis=1)[..., None]


def pool_embeddings(model, episodes) -> np.ndarray:
    """Embeddings of the pool images an :class:`EpisodeBatch` uses (zero rows for unused images).

    The table is cached on ``model`` while the same pool array (the same object) comes back, so that a
    grid of ways and shots over one pool embeds it once.
    """
    cached = getattr(model, "_pool_cache", None)
    used = np.unique(np.concatenate([episodes.support_index.ravel(), episodes.query_index.ravel()]))
    if cached is None or cached[0] is not episodes.images:
        cached = (episodes.images, np.zeros(len(episodes.images), dtype=bool), None)
    pool, done, table = cached
    missing = used[~done[used]]
    if missing.size:
        embedded = model.embed(pool[missing])
        if table is None:
            table = np.zeros((len(pool), embedded.shape[1]))
        table[missing] = embedded
        done[missing] = True
    model._pool_cache = (pool, done, table)
    return table


def read_history(archive) -> dict:
    """The ``history_loss`` / ``history_accuracy`` arrays of a saved model as a dict of lists."""
    return {"loss": archive["history_loss"].tolist(), "accuracy": archive["history_accuracy"].tolist()}


def prototypical_loss(support_embeddings, support_labels, query_embeddings, query_labels, n_ways: int):
    """Prototypical-network loss and accuracy of one episode (TensorFlow, differentiable).

    ``loss = mean_q [ d(q, c_{y_q}) + log Σ_k exp(-d(q, c_k)) ]`` with ``d`` the squared Euclidean
    distance and ``c_k`` the mean support embedding of class ``k``.

    Returns
    -------
    loss, accuracy : scalar tensors

    Examples
    --------
    >>> import numpy as np
    >>> loss, accuracy = prototypical_loss(np.array([[0.0], [2.0]], "float32"), np.array([0, 1]),
    ...                                    np.array([[0.0]], "float32"), np.array([0]), 2)
    >>> round(float(loss), 4), float(accuracy)
    (0.0181, 1.0)
    """
    import tensorflow as tf

    support_embeddings = tf.convert_to_tensor(support_embeddings)
    query_embeddings = tf.convert_to_tensor(query_embeddings, dtype=support_embeddings.dtype)
    one_hot = tf.one_hot(support_labels, n_ways, dtype=support_embeddings.dtype)
    prototypes = tf.matmul(one_hot, support_embeddings, transpose_a=True) / tf.reduce_sum(one_hot, 0)[:, None]
    distances = tf.reduce_sum(tf.square(query_embeddings[:, None, :] - prototypes[None]), axis=-1)
    labels = tf.cast(query_labels, tf.int32)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=-distances))
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmin(distances, axis=1, output_type=tf.int32), labels),
                                      tf.float32))
    return loss, accuracy


def _seed_from(random_state) -> int:
    return int(np.random.default_rng(random_state).integers(2**31 - 1))


class ProtoNet:
    """Prototypical Networks with a Conv-4 embedding, meta-trained on N-way K-shot episodes.

    Parameters
    ----------
    n_ways, n_shots, n_queries : int, default=10, 5, 5
        Episode shape used for meta-training (``fit`` may override). Training with more ways than at
        test time helps (Snell et al., 2017).
    filters : int, default=32
        Channels of each Conv-4 block; the embedding has this many dimensions for 28×28 images.
    meta_lr : float, default=0.002
        Adam learning rate of the embedding.
    n_meta_iter : int, default=300
        Meta-training episodes.
    random_state : int, Generator or None
        Seeds the initial weights and the episodes.

    Attributes
    ----------
    embedding_ : keras.Model
        The trained Conv-4 embedding.
    history_ : dict of list
        Episode ``loss`` and ``accuracy`` (on the query set) during meta-training.
    train_seconds_ : float

    Notes
    -----
    Introduced in ``notebooks/13_few_shot_medical_images.ipynb``.

    References
    ----------
    Snell, J., Swersky, K. & Zemel, R. (2017). Prototypical networks for few-shot learning. NeurIPS.

    Examples
    --------
    >>> from medmeta_lite.synthetic_images import load_synthetic_split
    >>> data = load_synthetic_split("meta_train", 12, random_state=0)
    >>> model = ProtoNet(filters=8, random_state=0).fit(data.images, data.labels, n_meta_iter=3,
    ...                                                  n_ways=3, n_shots=2, n_queries=2)
    >>> len(model.history_["loss"])
    3
    >>> model.predict(data.images[:24:12], [0, 1], data.images[1:3]).shape
    (2,)
    """

    def __init__(self, *, n_ways: int = 10, n_shots: int = 5, n_queries: int = 5, filters: int = 32,
                 meta_lr: float = 0.002, n_meta_iter: int = 300, random_state=None):
        self.n_ways = n_ways
        self.n_shots = n_shots
        self.n_queries = n_queries
        self.filters = filters
        self.meta_lr = meta_lr
        self.n_meta_iter = n_meta_iter
        self.random_state = random_state

    def _build(self, image_size, seed):
        self._pool_cache = None  # embeddings of an old network must not be reused
        self.embedding_ = build_conv4(check_count("filters", self.filters), image_size=image_size,
                                      seed=seed, name="protonet_embedding")
        self.image_size_ = image_size

    def fit(self, images, labels, n_meta_iter=None, n_ways=None, n_shots=None, n_queries=None):
        """Meta-train the embedding on episodes drawn from ``images`` / ``labels``.

        Parameters
        ----------
        images : array-like of shape (n_images, height, width[, 1])
            Meta-training images; each is standardised.
        labels : array-like of int
            Class of each image (only meta-training classes: keep meta-test classes out).
        n_meta_iter, n_ways, n_shots, n_queries : int, optional
            Override the constructor's values for this call.

        Returns
        -------
        self
        """
        import tensorflow as tf

        n_meta_iter = check_count("n_meta_iter", self.n_meta_iter if n_meta_iter is None else n_meta_iter)
        n_ways = check_count("n_ways", self.n_ways if n_ways is None else n_ways, minimum=2)
        n_shots = check_count("n_shots", self.n_shots if n_shots is None else n_shots)
        n_queries = check_count("n_queries", self.n_queries if n_queries is None else n_queries)
        meta_lr = check_positive("meta_lr", self.meta_lr)
        prepared = prepare_images(images)
        rng = np.random.default_rng(self.random_state)
        sampler = EpisodeSampler(prepared, labels, n_ways=n_ways, n_shots=n_shots, n_queries=n_queries,
                                 random_state=rng)
        self._build(prepared.shape[1], int(rng.integers(2**31 - 1)))
        optimizer = _keras().optimizers.Adam(meta_lr)
        embedding = self.embedding_
        n_support = n_ways * n_shots

        @tf.function(reduce_retracing=True)
        def meta_step(batch_images, support_labels, query_labels):
            with tf.GradientTape() as tape:
                embedded = embedding(batch_images, training=True)
                loss, accuracy = prototypical_loss(embedded[:n_support], support_labels, embedded[n_support:],
                                                   query_labels, n_ways)
            gradients = tape.gradient(loss, embedding.trainable_variables)
            optimizer.apply_gradients(zip(gradients, embedding.trainable_variables, strict=True))
            return loss, accuracy

        history = {"loss": [], "accuracy": []}
        start = time.perf_counter()
        episodes = sampler.sample_batch(n_meta_iter)
        for index in range(n_meta_iter):
            rows = np.concatenate([episodes.support_index[index], episodes.query_index[index]])
            loss, accuracy = meta_step(tf.constant(prepared[rows]),
                                       tf.constant(episodes.support_labels[index]),
                                       tf.constant(episodes.query_labels[index]))
            history["loss"].append(float(loss))
            history["accuracy"].append(float(accuracy))
        self.train_seconds_ = time.perf_counter() - start
        self.history_ = history
        self.n_classes_seen_ = int(np.unique(sampler.labels).size)
        return self

    def _check_is_fitted(self):
        if not hasattr(self, "embedding_"):
            raise ValueError("this ProtoNet is not fitted yet: call fit() or ProtoNet.load() first")

    def embed(self, images, batch_size: int = 1024) -> np.ndarray:
        """Embeddings of ``images`` (standardised first), shape ``(n_images, filters)``."""
        self._check_is_fitted()
        prepared = prepare_images(images)
        if prepared.shape[1] != self.image_size_:
            raise ValueError(f"images are {prepared.shape[1]} pixels wide, "
                             f"the network expects {self.image_size_}")
        return np.concatenate([self.embedding_(prepared[start:start + batch_size], training=False).numpy()
                               for start in range(0, len(prepared), batch_size)]).astype(np.float64)

    def _scores(self, support_embeddings, support_labels, query_embeddings):
        support_labels = np.asarray(support_labels).ravel()
        if len(support_labels) != len(support_embeddings):
            raise ValueError(f"{len(support_embeddings)} support images but {len(support_labels)} labels")
        n_ways = int(support_labels.max()) + 1
        if set(np.unique(support_labels)) != set(range(n_ways)):
            raise ValueError("support_labels must use every label 0 … n_ways - 1")
        prototypes = compute_prototypes(support_embeddings, support_labels, n_ways)
        return -squared_euclidean_distances(query_embeddings, prototypes)

    def predict_proba(self, support_images, support_labels, query_images) -> np.ndarray:
        """Softmax over negative squared distances to the prototypes, shape ``(n_query, n_ways)``."""
        scores = self._scores(self.embed(support_images), support_labels, self.embed(query_images))
        scores -= scores.max(axis=1, keepdims=True)
        probabilities = np.exp(scores)
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def predict(self, support_images, support_labels, query_images) -> np.ndarray:
        """Episode label (``0 … n_ways - 1``) of the nearest prototype for each query image."""
        scores = self._scores(self.embed(support_images), support_labels, self.embed(query_images))
        return scores.argmax(axis=1)

    def predict_episodes(self, episodes: EpisodeBatch) -> np.ndarray:
        """Predicted query labels of every episode of a batch, embedding the image pool only once."""
        if not isinstance(episodes, EpisodeBatch):
            raise TypeError("episodes must be an EpisodeBatch")
        table = pool_embeddings(self, episodes)
        prototypes = episode_prototypes(table, episodes)
        distances = squared_euclidean_distances(table[episodes.query_index], prototypes)
        return distances.argmin(axis=-1)

    @property
    def filters_out_(self) -> int:
        self._check_is_fitted()
        return int(self.embedding_.output_shape[-1])

    def save(self, path) -> Path:
        """Save the embedding weights and settings to an ``.npz`` file."""
        self._check_is_fitted()
        path = Path(path)
        settings = {"n_ways": self.n_ways, "n_shots": self.n_shots, "n_queries": self.n_queries,
                    "filters": self.filters, "meta_lr": self.meta_lr, "n_meta_iter": self.n_meta_iter,
                    "image_size": self.image_size_}
        weights = {f"weight_{index:02d}": value for index, value in enumerate(self.embedding_.get_weights())}
        history = getattr(self, "history_", {"loss": [], "accuracy": []})
        np.savez_compressed(path, settings=json.dumps(settings), history_loss=np.asarray(history["loss"]),
                            history_accuracy=np.asarray(history["accuracy"]), **weights)
        return path

    @classmethod
    def load(cls, path) -> ProtoNet:
        """Rebuild a fitted :class:`ProtoNet` from :meth:`save`'s file."""
        with np.load(path, allow_pickle=False) as archive:
            settings = json.loads(str(archive["settings"]))
            weights = [archive[key] for key in sorted(k for k in archive.files if k.startswith("weight_"))]
            history = read_history(archive)
        image_size = settings.pop("image_size")
        model = cls(**settings)
        model._build(image_size, seed=0)
        model.embedding_.set_weights(weights)
        model.history_ = history
        return model

    def __repr__(self) -> str:
        fitted = ", fitted" if hasattr(self, "embedding_") else ""
        return (f"ProtoNet(n_ways={self.n_ways}, n_shots={self.n_shots}, filters={self.filters}, "
                f"meta_lr={self.meta_lr}, n_meta_iter={self.n_meta_iter}{fitted})")


def _train_maml(images, labels, settings):
    """First-order MAML on the Conv-4 of :mod:`medmeta_lite.networks` (5-way head); None if unavailable."""
    try:
        from medmeta_lite.maml import MAML
        from medmeta_lite.networks import Conv4
    except ImportError:
        return None
    sampler = EpisodeSampler(images, labels, n_ways=5, n_shots=settings["maml_n_shots"], n_queries=5,
                             random_state=settings["seed"])
    maml = MAML(network=Conv4(n_ways=5, n_filters=settings["filters"]), loss="cross_entropy",
                first_order=True, inner_lr=settings["maml_inner_lr"],
                n_inner_steps=settings["maml_n_inner_steps"],
                meta_batch_size=settings["maml_meta_batch_size"], meta_lr=settings["maml_meta_lr"],
                random_state=settings["seed"])
    start = time.perf_counter()
    maml.fit(sampler, n_meta_iter=settings["maml_n_meta_iter"])
    maml.train_seconds_ = time.perf_counter() - start
    return maml


def train_default_models(out=None, *, settings=None, verbose=True) -> dict:
    """Train the notebooks' default few-shot models and save them under ``out`` (default ``data/``).

    All three learn only the synthetic meta-training classes (standard style): the ProtoNet
    (``fewshot_protonet.npz``), the pre-trained backbone of the fine-tuning baseline
    (``fewshot_pretrained.npz``) and a first-order MAML Conv-4 (``fewshot_maml.npz``). Returns the file
    names and training seconds.
    """
    from medmeta_lite.datasets import data_dir
    from medmeta_lite.fine_tuning import FineTuningClassifier
    from medmeta_lite.synthetic_images import load_synthetic_split

    settings = DEFAULT_SETTINGS | (settings or {})
    out = Path(out) if out is not None else data_dir()
    out.mkdir(parents=True, exist_ok=True)
    data = load_synthetic_split("meta_train", settings["n_per_class"], random_state=settings["seed"])
    protonet = ProtoNet(n_ways=settings["n_ways"], n_shots=settings["n_shots"],
                        n_queries=settings["n_queries"], filters=settings["filters"],
                        meta_lr=settings["meta_lr"], n_meta_iter=settings["n_meta_iter"],
                        random_state=settings["seed"])
    protonet.fit(data.images, data.labels)
    report = {"protonet": protonet.save(out / DEFAULT_PROTONET_FILE).name,
              "protonet_seconds": round(protonet.train_seconds_, 1)}
    pretrained = FineTuningClassifier(filters=settings["filters"], n_iter=settings["pretrain_n_iter"],
                                      random_state=settings["seed"])
    pretrained.fit(data.images, data.labels)
    report |= {"pretrained": pretrained.save(out / DEFAULT_PRETRAINED_FILE).name,
               "pretrained_seconds": round(pretrained.train_seconds_, 1)}
    maml = _train_maml(data.images, data.labels, settings)
    if maml is not None:
        maml.save(out / DEFAULT_MAML_FILE)
        report |= {"maml": DEFAULT_MAML_FILE, "maml_seconds": round(maml.train_seconds_, 1)}
    if verbose:
        print(json.dumps(report))
    return report


def load_default_models(folder=None) -> dict:
    """Load the committed few-shot models: ``{"protonet", "fine-tuning", "maml"}`` (``maml`` may be None).

    Raises FileNotFoundError naming the command that builds the files when they are missing.
    """
    from medmeta_lite.datasets import data_dir
    from medmeta_lite.fine_tuning import FineTuningClassifier

    folder = Path(folder) if folder is not None else data_dir()
    for name in (DEFAULT_PROTONET_FILE, DEFAULT_PRETRAINED_FILE):
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{name} is missing from {folder.name}/; build it with "
                                    f"python -m medmeta_lite.protonets --train-defaults --out data/")
    models = {"protonet": ProtoNet.load(folder / DEFAULT_PROTONET_FILE),
              "fine-tuning": FineTuningClassifier.load(folder / DEFAULT_PRETRAINED_FILE), "maml": None}
    if (folder / DEFAULT_MAML_FILE).is_file():
        from medmeta_lite.maml import MAML

        models["maml"] = MAML.load(folder / DEFAULT_MAML_FILE)
    return models


def main(argv=None) -> None:
    """Command line: ``python -m medmeta_lite.protonets --train-defaults --out data/``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train-defaults", action="store_true",
                        help="train the notebooks' default ProtoNet, fine-tuning backbone and MAML")
    parser.add_argument("--out", default=None, help="output folder (default: the package's data/ folder)")
    arguments = parser.parse_args(argv)
    if not arguments.train_defaults:
        parser.error("nothing to do: pass --train-defaults")
    train_default_models(arguments.out)


if __name__ == "__main__":
    main()
