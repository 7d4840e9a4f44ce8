"""The committed few-shot models: a ProtoNet, the fine-tuning baseline's backbone and a first-order MAML.

All three learn only the synthetic meta-training classes. Regenerate the files (about a minute on 2 CPU
cores) with ``python -m medmeta_lite.defaults fewshot ``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from medmeta_lite.data.bundled import data_dir
from medmeta_lite.data.synthetic_images import load_synthetic_split
from medmeta_lite.defaults.checksums import verify, write_checksums
from medmeta_lite.fewshot.adapted import AdaptedEpisodeClassifier
from medmeta_lite.fewshot.episodes import EpisodeSampler
from medmeta_lite.fewshot.evaluation import evaluate_episodes
from medmeta_lite.fewshot.fine_tuning import FineTuningClassifier
from medmeta_lite.fewshot.protonets import ProtoNet
from medmeta_lite.gradmeta.maml import MAML
from medmeta_lite.gradmeta.networks import Conv4

FEWSHOT_COMMAND = "python -m medmeta_lite.defaults fewshot"
DEFAULT_PROTONET_FILE = "fewshot_protonet.npz"


DEFAULT_PRETRAINED_FILE = "fewshot_pretrained.npz"


DEFAULT_MAML_FILE = "fewshot_maml.npz"


FAMILIES = ("protonet", "pretrained", "maml")


DEFAULT_MAML_CURVE_FILE = "fewshot_maml_curve.csv"


DEFAULT_SETTINGS = {"n_per_class": 200, "filters": 32, "n_meta_iter": 250, "n_ways": 10, "n_shots": 5,
                    "n_queries": 5, "meta_lr": 0.002, "pretrain_n_iter": 300, "maml_max_meta_iter": 3000,
                    "maml_n_shots": 5, "maml_n_queries": 10, "maml_inner_lr": 0.4, "maml_n_inner_steps": 3,
                    "maml_test_steps": 10, "maml_meta_batch_size": 4, "maml_meta_lr": 0.002,
                    "maml_check_every": 100, "maml_patience": 5, "maml_validation_episodes": 100,
                    "seed": 0}
"""Settings of the committed few-shot models (synthetic meta-training classes, standard style).

MAML trains for at most ``maml_max_meta_iter`` meta-iterations and stops when its validation accuracy has
not improved for ``maml_patience`` checks (one every ``maml_check_every`` iterations); the best weights
are kept."""


def _train_maml(images, labels, settings):
    """First-order MAML on Conv-4 (5-way head), meta-trained until its validation accuracy stops improving.

    Validation episodes are 5-way with the training shots, drawn from *new images* of the meta-training
    classes (generated with another seed): the meta-test classes are never used to choose the stopping
    point. Returns the fitted MAML (best weights) and the curve as a list of dicts.
    """
    seed = settings["seed"]
    sampler = EpisodeSampler(images, labels, n_ways=5, n_shots=settings["maml_n_shots"],
                             n_queries=settings["maml_n_queries"], random_state=seed)
    validation_images = load_synthetic_split("meta_train", 40, random_state=seed + 1000)
    validation = EpisodeSampler(validation_images.images, validation_images.labels, n_ways=5,
                                n_shots=settings["maml_n_shots"], n_queries=15,
                                random_state=seed + 1000).sample_batch(settings["maml_validation_episodes"])
    # XLA makes the per-task convolutions of Conv-4 about 5x slower on CPU (measured): plain graphs here.
    maml = MAML(network=Conv4(n_ways=5, n_filters=settings["filters"]), loss="cross_entropy",
                first_order=True, inner_lr=settings["maml_inner_lr"],
                n_inner_steps=settings["maml_n_inner_steps"], jit_compile=False,
                meta_batch_size=settings["maml_meta_batch_size"], meta_lr=settings["maml_meta_lr"],
                n_meta_iter=settings["maml_max_meta_iter"], random_state=seed)
    curve, best = [], {"accuracy": -1.0, "weights": None, "checks_without_gain": 0}
    start = time.perf_counter()

    def validate(n_done):
        if n_done % settings["maml_check_every"]:
            return False
        maml.meta_parameters_ = [variable.numpy() for variable in maml.variables_]
        result = evaluate_episodes(AdaptedEpisodeClassifier(maml, n_steps=settings["maml_test_steps"]),
                                   validation)
        curve.append({"meta_iteration": n_done, "seconds": round(time.perf_counter() - start, 1),
                      "validation_accuracy": round(result.mean, 4), "validation_ci95": round(result.ci95, 4)})
        if result.mean > best["accuracy"]:
            best.update(accuracy=result.mean, weights=maml.meta_parameters_, checks_without_gain=0,
                        meta_iteration=n_done)
        else:
            best["checks_without_gain"] += 1
        return best["checks_without_gain"] >= settings["maml_patience"]

    maml.fit(sampler, callback=validate)
    maml.train_seconds_ = time.perf_counter() - start
    for variable, weight in zip(maml.variables_, best["weights"], strict=True):
        variable.assign(weight)
    maml.meta_parameters_ = best["weights"]
    maml.best_meta_iteration_ = best["meta_iteration"]
    for point in curve:
        end = point["meta_iteration"]
        window = maml.history_[max(0, end - settings["maml_check_every"]):end]
        point["training_loss"] = round(float(window.mean()), 4)
    return maml, curve


def write_curve(path, curve) -> Path:
    """Write MAML's validation curve as CSV (one row per check)."""
    path = Path(path)
    columns = ("meta_iteration", "seconds", "training_loss", "validation_accuracy", "validation_ci95")
    rows = [",".join(columns)] + [",".join(str(point[column]) for column in columns) for point in curve]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def load_maml_curve(folder=None) -> dict:
    """The committed MAML's validation curve: ``{column: ndarray}`` read from ``fewshot_maml_curve.csv``."""
    folder = Path(folder) if folder is not None else data_dir()
    path = verify(folder, DEFAULT_MAML_CURVE_FILE, FEWSHOT_COMMAND)
    table = np.genfromtxt(path, delimiter=",", names=True)
    return {name: np.atleast_1d(table[name]) for name in table.dtype.names}


def default_protonet(settings=None) -> ProtoNet:
    """The committed ProtoNet, unfitted: the settings of :data:`DEFAULT_SETTINGS`, updated by ``settings``.

    The training command and the peer benchmark both build it here, so they train the same model.

    Examples
    --------
    >>> default_protonet().n_meta_iter, default_protonet({"seed": 3}).random_state
    (250, 3)
    """
    settings = DEFAULT_SETTINGS | (settings or {})
    return ProtoNet(n_ways=settings["n_ways"], n_shots=settings["n_shots"], n_queries=settings["n_queries"],
                    filters=settings["filters"], meta_lr=settings["meta_lr"],
                    n_meta_iter=settings["n_meta_iter"], random_state=settings["seed"])


def train_fewshot_models(out=None, *, settings=None, only=None) -> dict:
    """Train the notebooks' default few-shot models and save them under ``out`` (default: the data folder).

    All three learn only the synthetic meta-training classes (standard style): the ProtoNet
    (``fewshot_protonet.npz``), the pre-trained backbone of the fine-tuning baseline
    (``fewshot_pretrained.npz``) and a first-order MAML Conv-4 (``fewshot_maml.npz``, with its validation
    curve in ``fewshot_maml_curve.csv``). ``only`` trains a subset, for example ``("maml",)``. Returns the
    file names and training seconds.
    """

    settings = DEFAULT_SETTINGS | (settings or {})
    only = set(FAMILIES if only is None else only)
    if not only or not only <= set(FAMILIES):
        raise ValueError(f"only must name some of {FAMILIES}, got {sorted(only)}")
    out = Path(out) if out is not None else data_dir()
    out.mkdir(parents=True, exist_ok=True)
    data = load_synthetic_split("meta_train", settings["n_per_class"], random_state=settings["seed"])
    report, written = {}, []
    if "protonet" in only:
        protonet = default_protonet(settings).fit(data.images, data.labels)
        written.append(protonet.save(out / DEFAULT_PROTONET_FILE).name)
        report["protonet_seconds"] = round(protonet.train_seconds_, 1)
    if "pretrained" in only:
        pretrained = FineTuningClassifier(filters=settings["filters"], n_iter=settings["pretrain_n_iter"],
                                          random_state=settings["seed"])
        pretrained.fit(data.images, data.labels)
        written.append(pretrained.save(out / DEFAULT_PRETRAINED_FILE).name)
        report["pretrained_seconds"] = round(pretrained.train_seconds_, 1)
    if "maml" in only:
        maml, curve = _train_maml(data.images, data.labels, settings)
        written += [maml.save(out / DEFAULT_MAML_FILE).name,
                    write_curve(out / DEFAULT_MAML_CURVE_FILE, curve).name]
        report |= {"maml_seconds": round(maml.train_seconds_, 1), "maml_meta_iterations": len(maml.history_),
                   "maml_best_meta_iteration": maml.best_meta_iteration_,
                   "maml_best_validation_accuracy": max(point["validation_accuracy"] for point in curve)}
    write_checksums(out, written)
    return {"files": written} | report


def load_fewshot_models(folder=None) -> dict:
    """Load the committed few-shot models: ``{"protonet", "fine-tuning", "maml"}``.

    Every file is checked against ``checksums.json`` first; a missing or damaged one raises an error that
    names it and the command that rebuilds it.
    """

    folder = Path(folder) if folder is not None else data_dir()
    files = {"protonet": (ProtoNet, DEFAULT_PROTONET_FILE), "maml": (MAML, DEFAULT_MAML_FILE),
             "fine-tuning": (FineTuningClassifier, DEFAULT_PRETRAINED_FILE)}
    return {name: model.load(verify(folder, file_name, FEWSHOT_COMMAND))
            for name, (model, file_name) in files.items()}
