"""Bad input at every public entry point is refused with a clear error raised by the package itself.

Each row calls one entry point with one bad value. It must raise ``ValueError`` or ``TypeError`` whose
message names the argument, from a line of ``medmeta_lite`` (not from deep inside numpy, scikit-learn or
TensorFlow) — never accept the value silently.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medmeta_lite import interview
from medmeta_lite.data import (
    LinearTaskSampler,
    SinusoidTaskSampler,
    Task,
    load_diabetes_tasks,
    load_medmnist,
    make_synthetic_images,
    standardise_images,
)
from medmeta_lite.defaults import load_fewshot_models
from medmeta_lite.fewshot import (
    AdaptedEpisodeClassifier,
    EpisodeSampler,
    FineTuningClassifier,
    PixelNearestCentroid,
    ProtoNet,
    ScratchClassifier,
    class_split_protocol,
    compare_on_domains,
    fit_softmax_heads,
)
from medmeta_lite.gradmeta import MAML, Conv4, Reptile
from medmeta_lite.interview import mock, progress, quiz
from medmeta_lite.learners import (
    AveragingMetaLearner,
    GradientDescentRegressor,
    KerasRegressor,
    LinearRegression,
)
from medmeta_lite.priors import MetaLearnedPrior, RidgeAroundPrior, WarmStartSearch, sample_curve_tasks

PACKAGE = str(Path(__file__).resolve().parent.parent / "medmeta_lite")
NAN = float("nan")
RNG = np.random.default_rng(0)
IMAGES = RNG.random((30, 8, 8))
LABELS = np.repeat(np.arange(3), 10)
SUPPORT = RNG.random((4, 8, 8))
SUPPORT_LABELS = np.array([0, 0, 1, 1])
QUERY = RNG.random((3, 8, 8))
X = RNG.random((10, 2))
Y = RNG.random(10)


def _with_nan(array, index):
    array = np.array(array, dtype=float)
    array[index] = NAN
    return array


def _task(**changes):
    parts = {"X_support": X[:5], "y_support": Y[:5], "X_query": X[5:], "y_query": Y[5:]} | changes
    return Task(**parts)


def _fitted_maml():
    return MAML(meta_batch_size=2, n_meta_iter=1, jit_compile=False, random_state=0).fit(
        SinusoidTaskSampler(random_state=0))


def _fitted_conv4():
    images = RNG.random((30, 28, 28))
    sampler = EpisodeSampler(images, LABELS, n_ways=2, n_shots=1, n_queries=2, random_state=0)
    return MAML(network="conv4", loss="cross_entropy", meta_batch_size=1, n_meta_iter=1, jit_compile=False,
                random_state=0).fit(sampler)


def _fitted_prior():
    return MetaLearnedPrior(random_state=0).fit(LinearTaskSampler(random_state=0).sample_tasks(6, 5, 5))


QUESTION = interview.get_question("mlf-008")
CASES = [
    # few-shot baselines
    ("PixelNearestCentroid.predict", lambda: PixelNearestCentroid().predict(
        _with_nan(SUPPORT, (1, 2, 3)), SUPPORT_LABELS, QUERY), "support_images"),
    ("PixelNearestCentroid.predict", lambda: PixelNearestCentroid().predict(
        SUPPORT, SUPPORT_LABELS, _with_nan(QUERY, (0, 0, 0))), "query_images"),
    ("PixelNearestCentroid.predict", lambda: PixelNearestCentroid().predict(SUPPORT, [0, 0, 1], QUERY),
     "support"),
    ("PixelNearestCentroid.predict",
     lambda: PixelNearestCentroid().predict(SUPPORT, [0.0, 0, 1, 1], QUERY), "support_labels"),
    ("PixelNearestCentroid.predict", lambda: PixelNearestCentroid().predict(SUPPORT, [0, 0, 2, 2], QUERY),
     "support_labels"),
    ("ScratchClassifier.predict", lambda: ScratchClassifier(learning_rate=-1).predict(
        SUPPORT, SUPPORT_LABELS, QUERY), "learning_rate"),
    ("ScratchClassifier.predict",
     lambda: ScratchClassifier(n_iter=0).predict(SUPPORT, SUPPORT_LABELS, QUERY), "n_iter"),
    ("ScratchClassifier.predict",
     lambda: ScratchClassifier(n_iter=-1).predict(SUPPORT, SUPPORT_LABELS, QUERY), "n_iter"),
    ("ScratchClassifier.predict",
     lambda: ScratchClassifier(l2=-1).predict(SUPPORT, SUPPORT_LABELS, QUERY), "l2"),
    ("ScratchClassifier.predict", lambda: ScratchClassifier().predict(
        _with_nan(SUPPORT, (0, 0, 0)), SUPPORT_LABELS, QUERY), "support_images"),
    ("fit_softmax_heads", lambda: fit_softmax_heads(np.ones((4, 3)), np.zeros((1, 4), int), 2), "features"),
    ("fit_softmax_heads", lambda: fit_softmax_heads(np.ones((1, 4, 3)), np.array([[0, 1, 2, 5]]), 2),
     "labels"),
    ("fit_softmax_heads", lambda: fit_softmax_heads(_with_nan(np.ones((1, 4, 3)), (0, 1, 1)),
                                                    np.array([[0, 1, 0, 1]]), 2), "features"),
    ("fit_softmax_heads", lambda: fit_softmax_heads(np.ones((1, 4, 3)), np.array([[0, 1, 0, 1]]), 2,
                                                    l2=-1), "l2"),
    # episodes and protocols
    ("EpisodeSampler", lambda: EpisodeSampler(IMAGES, LABELS, n_ways=2, classes=[0, 0, 1]), "classes"),
    ("EpisodeSampler", lambda: EpisodeSampler(IMAGES, LABELS, n_ways=2, classes=[]), "classes"),
    ("EpisodeSampler", lambda: EpisodeSampler(IMAGES, LABELS, n_ways=2, classes=[0, 7]), "classes"),
    ("EpisodeSampler", lambda: EpisodeSampler(IMAGES, LABELS, n_ways=2, n_queries=2, random_state="seed"),
     "random_state"),
    ("EpisodeSampler", lambda: EpisodeSampler(_with_nan(IMAGES, (3, 1, 1)), LABELS, n_ways=2, n_queries=2),
     "images"),
    ("EpisodeSampler", lambda: EpisodeSampler(IMAGES, LABELS.astype(float), n_ways=2), "labels"),
    ("EpisodeSampler", lambda: EpisodeSampler(IMAGES, LABELS, n_ways=True), "n_ways"),
    ("class_split_protocol", lambda: class_split_protocol(IMAGES, LABELS, [1.7]), "test_classes"),
    ("class_split_protocol", lambda: class_split_protocol(IMAGES, LABELS, []), "test_classes"),
    ("class_split_protocol", lambda: class_split_protocol(IMAGES, LABELS, [2, 2]), "test_classes"),
    # tasks and samplers
    ("Task", lambda: _task(y_support=_with_nan(Y[:5], 2)), "y_support"),
    ("Task", lambda: _task(X_query=_with_nan(X[5:], (1, 1))), "X_query"),
    ("Task", lambda: _task(X_support=np.where(X[:5] > 0.5, np.inf, X[:5])), "X_support"),
    ("Task", lambda: _task(y_support=np.array(["a"] * 5)), "y_support"),
    ("Task", lambda: _task(y_support=np.ones((5, 2))), "y_support"),
    ("LinearTaskSampler.sample_tasks", lambda: LinearTaskSampler(random_state="seed").sample_tasks(2, 3, 3),
     "random_state"),
    ("SinusoidTaskSampler.sample_batch",
     lambda: SinusoidTaskSampler(support_side="top").sample_batch(2, 3, 3), "support_side"),
    ("load_diabetes_tasks", lambda: load_diabetes_tasks(by="bmi"), "by"),
    ("make_synthetic_images", lambda: make_synthetic_images(0), "n_per_class"),
    ("standardise_images", lambda: standardise_images(_with_nan(IMAGES, (0, 0, 0))), "images"),
    # absurd sizes fail at once, saying how much memory they would need
    ("LinearTaskSampler.sample_batch", lambda: LinearTaskSampler().sample_batch(10**9, 10, 100), "GiB"),
    ("EpisodeSampler.sample_batch",
     lambda: EpisodeSampler(IMAGES, LABELS, n_ways=2, n_queries=2).sample_batch(10**12), "GiB"),
    ("make_synthetic_images", lambda: make_synthetic_images(10**9), "GiB"),
    # learners and priors
    ("LinearRegression.fit", lambda: LinearRegression(fit_intercept="no").fit(X, Y), "fit_intercept"),
    ("LinearRegression.fit", lambda: LinearRegression(alpha=NAN).fit(X, Y), "alpha"),
    ("GradientDescentRegressor.fit", lambda: GradientDescentRegressor(standardize="yes").fit(X, Y),
     "standardize"),
    ("GradientDescentRegressor.fit", lambda: GradientDescentRegressor(random_state="seed").fit(X, Y),
     "random_state"),
    ("AveragingMetaLearner.fit", lambda: AveragingMetaLearner(bootstrap="no").fit(X, Y), "bootstrap"),
    ("AveragingMetaLearner.fit", lambda: AveragingMetaLearner(random_state="seed").fit(X, Y), "random_state"),
    ("RidgeAroundPrior.fit", lambda: RidgeAroundPrior(n_iter=-3).fit(X, Y), "n_iter"),
    ("MetaLearnedPrior.adapt", lambda: _fitted_prior().adapt(X[:3, :1], Y[:3], n_inner_steps=-3),
     "n_inner_steps"),
    ("MetaLearnedPrior.adapt", lambda: _fitted_prior().adapt(X[:3, :1], Y[:3], n_inner_steps=2, inner_lr=0),
     "inner_lr"),
    # gradient-based meta-learners
    ("MAML.fit", lambda: MAML(first_order="yes").fit(SinusoidTaskSampler()), "first_order"),
    ("MAML.fit", lambda: MAML(jit_compile="no").fit(SinusoidTaskSampler()), "jit_compile"),
    ("MAML.fit", lambda: MAML(loss="l1").fit(SinusoidTaskSampler()), "loss"),
    ("MAML.fit", lambda: MAML(n_shots=0).fit(SinusoidTaskSampler()), "n_shots"),
    ("MAML.fit", lambda: MAML(random_state="seed").fit(SinusoidTaskSampler()), "random_state"),
    ("Reptile.fit", lambda: Reptile(anneal_meta_lr="yes").fit(SinusoidTaskSampler()), "anneal_meta_lr"),
    ("MAML.adapt", lambda: _fitted_maml().adapt(_with_nan(np.ones((5, 1)), (2, 0)), np.ones(5)), "X_support"),
    ("MAML.adapt", lambda: _fitted_maml().adapt(np.ones((5, 1)), _with_nan(np.ones(5), 4)), "y_support"),
    ("MAML.predict", lambda: _fitted_maml().predict(np.full((3, 1), np.inf)), "X"),
    ("Conv4", lambda: Conv4(n_ways=0), "n_ways"),
    ("Conv4", lambda: Conv4(normalization="batch"), "normalization"),
    # deep models: refused before any training
    ("ProtoNet.fit", lambda: ProtoNet(n_meta_iter=1).fit(np.full((30, 28, 28), NAN), LABELS), "images"),
    ("ProtoNet.fit",
     lambda: ProtoNet(n_meta_iter=1, random_state="seed").fit(IMAGES, LABELS), "random_state"),
    ("ProtoNet.fit", lambda: ProtoNet(n_meta_iter=1, distance="cosine").fit(IMAGES, LABELS), "distance"),
    ("FineTuningClassifier.fit", lambda: FineTuningClassifier(n_iter=1).fit(_with_nan(IMAGES, (0, 1, 1)),
                                                                             LABELS), "images"),
    ("FineTuningClassifier.predict", lambda: FineTuningClassifier(fine_tune="x").set_params(
        n_iter=1).fit(np.ones((6, 28, 28)), np.arange(6) % 2).predict(SUPPORT, SUPPORT_LABELS, QUERY),
     "fine_tune"),
    ("KerasRegressor.fit", lambda: KerasRegressor(epochs=0).fit(X, Y), "epochs"),
    ("KerasRegressor.fit", lambda: KerasRegressor(epochs=1, random_state="seed").fit(X, Y), "random_state"),
    ("WarmStartSearch.fit", lambda: WarmStartSearch(n_neighbors=0).fit(sample_curve_tasks(2, random_state=0)),
     "n_neighbors"),
    ("compare_on_domains", lambda: compare_on_domains({"pixels": PixelNearestCentroid()},
                                                      {"toy": (IMAGES, LABELS, 2)}, slow=["maml"]), "slow"),
    ("AdaptedEpisodeClassifier.predict", lambda: AdaptedEpisodeClassifier(
        _fitted_conv4(), n_steps=-1).predict(np.ones((4, 28, 28)), SUPPORT_LABELS, np.ones((2, 28, 28))),
     "n_steps"),
    ("ProtoNet.predict", lambda: load_fewshot_models()["protonet"].predict(
        np.ones((4, 28, 28)), SUPPORT_LABELS, np.full((2, 28, 28), np.inf)), "query_images"),
    ("load_medmnist", lambda: load_medmnist("chestmnist", "."), "chestmnist"),
    ("MockInterview", lambda: mock.MockInterview([QUESTION], lang="fr"), "lang"),
    # interview trainer
    ("quiz.score_numeric", lambda: quiz.score_numeric(1e300, 1.0, float("inf")), "tolerance"),
    ("quiz.score_numeric", lambda: quiz.score_numeric("1", 1.0, -1), "tolerance"),
    ("quiz.score_answer", lambda: quiz.score_answer(QUESTION, "2.5", lang="fr"), "lang"),
    ("progress.record_attempt", lambda: progress.record_attempt(
        progress.empty_progress(), QUESTION, quiz.Result(True, 1.0), mode="quiz", lang="fr"), "lang"),
    ("progress.record_attempt", lambda: progress.record_attempt(progress.empty_progress(), QUESTION,
                                                                quiz.Result(True, 1.0), mode="exam"), "mode"),
    ("interview.questions", lambda: interview.questions(topic="astrology"), "topic"),
    ("interview.questions", lambda: interview.questions(difficulty="trivial"), "difficulty"),
]


@pytest.mark.parametrize(("entry_point", "call", "argument"), CASES,
                         ids=[f"{entry}-{name}-{number}" for number, (entry, _, name) in enumerate(CASES)])
def test_bad_input_is_refused_clearly_by_the_package(entry_point, call, argument):
    with pytest.raises((ValueError, TypeError)) as caught:
        call()
    assert argument in str(caught.value), f"{entry_point}: the message does not name {argument!r}"
    raising = str(caught.traceback[-1].path)
    assert raising.startswith(PACKAGE), f"{entry_point}: raised inside {raising}, not by medmeta_lite"


def test_the_matrix_covers_many_entry_points():
    assert len(CASES) >= 60 and len({entry for entry, _, _ in CASES}) >= 30


def test_empty_queries_give_empty_predictions():
    for model in (PixelNearestCentroid(), ScratchClassifier()):
        predicted = model.predict(SUPPORT, SUPPORT_LABELS, np.empty((0, 8, 8)))
        assert predicted.shape == (0,) and predicted.dtype.kind == "i"


@settings(max_examples=25, deadline=None)
@given(st.integers(0, SUPPORT.size - 1), st.sampled_from([NAN, np.inf, -np.inf]))
def test_any_non_finite_pixel_is_named_with_its_index(flat_index, value):
    support = SUPPORT.copy()
    index = np.unravel_index(flat_index, support.shape)
    support[index] = value
    with pytest.raises(ValueError, match=rf"support_images holds {value} at index \({index[0]}, "):
        PixelNearestCentroid().predict(support, SUPPORT_LABELS, QUERY)
