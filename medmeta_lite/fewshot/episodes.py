"""N-way K-shot episodes: the tasks of few-shot image classification.

An *episode* picks ``n_ways`` classes, relabels them ``0 … n_ways - 1`` in random order, and draws
``n_shots`` support images and ``n_queries`` query images of each, without overlap. Where the classes
come from (a class split or a dataset split) and how episodes are scored is the protocol of
:mod:`medmeta_lite.fewshot.evaluation`.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from medmeta_lite.validation import (
    InvalidParameterError,
    check_classes,
    check_count,
    check_finite,
    check_memory,
    make_rng,
)


def check_images_labels(images, labels, *, names=("images", "labels")):
    """Return ``images`` and ``labels`` as arrays after checking shapes, integer labels and finite pixels."""
    images = check_finite(names[0], images)
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:  # MedMNIST stores labels as (n, 1)
        labels = labels[:, 0]
    if images.ndim < 3:
        raise ValueError(f"{names[0]} must have shape (n_images, height, width[, channels]), "
                         f"got {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"{names[1]} must have shape ({len(images)},), got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise InvalidParameterError(f"{names[1]} must be integers, got dtype {labels.dtype}")
    return images, labels


def check_support_labels(support_labels, n_support: int) -> tuple[np.ndarray, int]:
    """Return an episode's support labels and its number of ways; the labels must be integers that use
    every label ``0 … n_ways - 1``, one per support image."""
    support_labels = np.asarray(support_labels).ravel()
    if len(support_labels) != n_support:
        raise ValueError(f"{n_support} support images but {len(support_labels)} support labels")
    if not np.issubdtype(support_labels.dtype, np.integer):
        raise InvalidParameterError(f"support_labels must be integers, got dtype {support_labels.dtype}")
    if support_labels.size == 0:
        raise ValueError("the support set is empty: an episode needs at least one image per class")
    n_ways = int(support_labels.max()) + 1
    if set(np.unique(support_labels).tolist()) != set(range(n_ways)):
        raise ValueError("support_labels must use every label 0 … n_ways - 1")
    return support_labels, n_ways


@dataclass(frozen=True, repr=False)
class Episode:
    """One N-way K-shot task: support and query images with episode labels ``0 … n_ways - 1``.

    Attributes
    ----------
    support_images : ndarray of shape (n_ways * n_shots, height, width[, channels])
    support_labels : ndarray of shape (n_ways * n_shots,)
    query_images : ndarray of shape (n_ways * n_queries, height, width[, channels])
    query_labels : ndarray of shape (n_ways * n_queries,)
    classes : ndarray of shape (n_ways,)
        Original dataset label of each episode label (``classes[0]`` is the class called 0).
    """

    support_images: np.ndarray
    support_labels: np.ndarray
    query_images: np.ndarray
    query_labels: np.ndarray
    classes: np.ndarray

    @property
    def n_ways(self) -> int:
        return len(self.classes)

    @property
    def n_shots(self) -> int:
        return len(self.support_labels) // self.n_ways

    @property
    def n_queries(self) -> int:
        return len(self.query_labels) // self.n_ways

    def __repr__(self) -> str:
        return (f"Episode({self.n_ways}-way {self.n_shots}-shot, {len(self.query_labels)} query images, "
                f"classes={self.classes.tolist()})")


@dataclass(frozen=True, repr=False)
class EpisodeBatch:
    """Many episodes stored as indices into one pool of images (cheap to hold 600 of them).

    Methods that can embed the pool once (Prototypical Networks, frozen features) evaluate a batch without
    copying images; :meth:`episode` materialises one :class:`Episode`.

    Attributes
    ----------
    images : ndarray of shape (n_images, ...)
        The pool the indices point into.
    support_index, support_labels : ndarray of shape (n_episodes, n_ways * n_shots)
    query_index, query_labels : ndarray of shape (n_episodes, n_ways * n_queries)
    classes : ndarray of shape (n_episodes, n_ways)
    """

    images: np.ndarray
    support_index: np.ndarray
    support_labels: np.ndarray
    query_index: np.ndarray
    query_labels: np.ndarray
    classes: np.ndarray

    def __len__(self) -> int:
        return len(self.classes)

    def episode(self, index: int) -> Episode:
        """Return episode ``index`` with its images."""
        return Episode(self.images[self.support_index[index]], self.support_labels[index],
                       self.images[self.query_index[index]], self.query_labels[index], self.classes[index])

    def __iter__(self):
        return (self.episode(index) for index in range(len(self)))

    def __repr__(self) -> str:
        n_ways = self.classes.shape[1]
        n_shots = self.support_index.shape[1] // n_ways
        return (f"EpisodeBatch({len(self)} episodes, {n_ways}-way {n_shots}-shot, "
                f"{self.query_index.shape[1] // n_ways} queries per class)")


class EpisodeSampler:
    """Draw N-way K-shot episodes from labelled images, reproducibly.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width[, channels])
    labels : array-like of int, shape (n_images,) or (n_images, 1)
    n_ways : int, default=5
        Classes per episode.
    n_shots : int, default=1
        Support images per class.
    n_queries : int, default=15
        Query images per class (disjoint from the support images).
    classes : sequence of int or None, default=None
        Restrict episodes to these dataset labels (None: every label present).
    random_state : int, Generator or None
        Two samplers with the same seed and data draw the same episodes.

    Notes
    -----
    Introduced in ``notebooks/13_few_shot_medical_images.ipynb``.

    Examples
    --------
    >>> import numpy as np
    >>> images, labels = np.zeros((60, 28, 28)), np.repeat(np.arange(6), 10)
    >>> sampler = EpisodeSampler(images, labels, n_ways=3, n_shots=2, n_queries=4, random_state=0)
    >>> episode = sampler.sample()
    >>> episode.support_images.shape, episode.query_images.shape, episode.support_labels.tolist()
    ((6, 28, 28), (12, 28, 28), [0, 0, 1, 1, 2, 2])
    """

    def __init__(self, images, labels, *, n_ways: int = 5, n_shots: int = 1, n_queries: int = 15,
                 classes=None, random_state=None):
        self.images, self.labels = check_images_labels(images, labels)
        self.n_ways = check_count("n_ways", n_ways, minimum=2)
        self.n_shots = check_count("n_shots", n_shots)
        self.n_queries = check_count("n_queries", n_queries)
        present = np.unique(self.labels)
        self.classes = present if classes is None else check_classes("classes", classes, present)
        if self.n_ways > self.classes.size:
            raise ValueError(f"n_ways={self.n_ways} but only {self.classes.size} classes are available")
        needed = self.n_shots + self.n_queries
        self._members = [np.flatnonzero(self.labels == label) for label in self.classes]
        short = [int(label) for label, rows in zip(self.classes, self._members, strict=True)
                 if rows.size < needed]
        if short:
            raise ValueError(f"classes {short} have fewer than n_shots + n_queries = {needed} images; "
                             f"lower n_shots or n_queries")
        self.random_state = random_state
        self._rng = make_rng(random_state)

    def sample_batch(self, n_episodes: int) -> EpisodeBatch:
        """Draw ``n_episodes`` episodes as an :class:`EpisodeBatch` of indices into ``images``."""
        n_episodes = check_count("n_episodes", n_episodes)
        check_memory(f"{n_episodes} episodes",
                     8 * n_episodes * self.n_ways * (2 * (self.n_shots + self.n_queries) + 1))
        n_ways, n_shots, n_queries = self.n_ways, self.n_shots, self.n_queries
        support_index = np.empty((n_episodes, n_ways, n_shots), dtype=np.int64)
        query_index = np.empty((n_episodes, n_ways, n_queries), dtype=np.int64)
        chosen = np.empty((n_episodes, n_ways), dtype=np.int64)
        for episode in range(n_episodes):
            picks = self._rng.choice(self.classes.size, size=n_ways, replace=False)
            chosen[episode] = self.classes[picks]
            for way, pick in enumerate(picks):
                rows = self._rng.choice(self._members[pick], size=n_shots + n_queries, replace=False)
                support_index[episode, way], query_index[episode, way] = rows[:n_shots], rows[n_shots:]
        ways = np.arange(n_ways)
        return EpisodeBatch(
            images=self.images,
            support_index=support_index.reshape(n_episodes, -1),
            support_labels=np.tile(np.repeat(ways, n_shots), (n_episodes, 1)),
            query_index=query_index.reshape(n_episodes, -1),
            query_labels=np.tile(np.repeat(ways, n_queries), (n_episodes, 1)),
            classes=chosen,
        )

    def sample(self) -> Episode:
        """Draw one :class:`Episode`."""
        return self.sample_batch(1).episode(0)

    def __repr__(self) -> str:
        return (f"EpisodeSampler({self.n_ways}-way {self.n_shots}-shot, n_queries={self.n_queries}, "
                f"{self.classes.size} classes, {len(self.images)} images)")




def predict_each_episode(predict, episodes: EpisodeBatch) -> np.ndarray:
    """Labels that ``predict(support_images, support_labels, query_images)`` gives every episode's queries.

    For methods that adapt a network to each episode (whole-network fine-tuning, MAML). One episode's
    small convolutions keep only part of a CPU busy, and TensorFlow releases Python's lock while it
    computes, so after the first episode (which compiles the adaptation) two episodes run at a time. Each
    episode's result is the same as in a plain loop, in the same order.

    Parameters
    ----------
    predict : callable
    episodes : EpisodeBatch

    Returns
    -------
    ndarray of shape (n_episodes, n_queries_per_episode)

    Examples
    --------
    >>> import numpy as np
    >>> images = np.repeat(np.arange(3.0), 10)[:, None, None] * np.ones((1, 4, 4))
    >>> batch = EpisodeSampler(images, np.repeat(np.arange(3), 10), n_ways=3, n_queries=2,
    ...                        random_state=0).sample_batch(5)
    >>> def first_support_label(support_images, support_labels, query_images):
    ...     return np.full(len(query_images), support_labels[0])
    >>> predict_each_episode(first_support_label, batch).shape
    (5, 6)
    """

    def one(index):
        episode = episodes.episode(index)
        return np.asarray(predict(episode.support_images, episode.support_labels, episode.query_images))

    if len(episodes) == 0:
        return np.empty((0, episodes.query_index.shape[1]), dtype=np.int64)
    first = one(0)
    n_threads = min(2, os.cpu_count() or 1, len(episodes) - 1)
    if n_threads < 2:
        return np.stack([first] + [one(index) for index in range(1, len(episodes))])
    with ThreadPoolExecutor(n_threads) as pool:
        return np.stack([first, *pool.map(one, range(1, len(episodes)))])
