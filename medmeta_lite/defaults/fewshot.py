"""The committed few-shot models: a ProtoNet, the fine-tuning baseline's backbone and a first-order MAML.

All three learn only the synthetic meta-training classes. Regenerate the files (about a minute on 2 CPU
cores) with ``python -m medmeta_lite.defaults fewshot --out data/``.
"""

from __future__ import annotations

import time
from pathlib import Path

from medmeta_lite.data.bundled import data_dir
from medmeta_lite.data.synthetic_images import load_synthetic_split
from medmeta_lite.defaults.checksums import verify, write_checksums
from medmeta_lite.fewshot.episodes import EpisodeSampler
from medmeta_lite.fewshot.fine_tuning import FineTuningClassifier
from medmeta_lite.fewshot.protonets import ProtoNet
from medmeta_lite.gradmeta.maml import MAML
from medmeta_lite.gradmeta.networks import Conv4

FEWSHOT_COMMAND = "python -m medmeta_lite.defaults fewshot --out data/"
DEFAULT_PROTONET_FILE = "fewshot_protonet.npz"


DEFAULT_PRETRAINED_FILE = "fewshot_pretrained.npz"


DEFAULT_MAML_FILE = "fewshot_maml.npz"


DEFAULT_SETTINGS = {"n_per_class": 200, "filters": 32, "n_meta_iter": 250, "n_ways": 10, "n_shots": 5,
                    "n_queries": 5, "meta_lr": 0.002, "pretrain_n_iter": 300, "maml_n_meta_iter": 100,
                    "maml_n_shots": 1, "maml_inner_lr": 0.4, "maml_n_inner_steps": 3,
                    "maml_meta_batch_size": 4, "maml_meta_lr": 0.003, "seed": 0}
"""Settings of the committed few-shot models (synthetic meta-training classes, standard style)."""


def _train_maml(images, labels, settings):
    """First-order MAML on the Conv-4 of :mod:`medmeta_lite.gradmeta.networks` (5-way head)."""
    sampler = EpisodeSampler(images, labels, n_ways=5, n_shots=settings["maml_n_shots"], n_queries=5,
                             random_state=settings["seed"])
    maml = MAML(network=Conv4(n_ways=5, n_filters=settings["filters"]), loss="cross_entropy",
                first_order=True, inner_lr=settings["maml_inner_lr"],
                n_inner_steps=settings["maml_n_inner_steps"],
                meta_batch_size=settings["maml_meta_batch_size"], meta_lr=settings["maml_meta_lr"],
                n_meta_iter=settings["maml_n_meta_iter"], random_state=settings["seed"])
    start = time.perf_counter()
    maml.fit(sampler)
    maml.train_seconds_ = time.perf_counter() - start
    return maml


def train_fewshot_models(out=None, *, settings=None) -> dict:
    """Train the notebooks' default few-shot models and save them under ``out`` (default ``data/``).

    All three learn only the synthetic meta-training classes (standard style): the ProtoNet
    (``fewshot_protonet.npz``), the pre-trained backbone of the fine-tuning baseline
    (``fewshot_pretrained.npz``) and a first-order MAML Conv-4 (``fewshot_maml.npz``). Returns the file
    names and training seconds.
    """

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
    report |= {"maml": maml.save(out / DEFAULT_MAML_FILE).name,
               "maml_seconds": round(maml.train_seconds_, 1)}
    write_checksums(out, [DEFAULT_PROTONET_FILE, DEFAULT_PRETRAINED_FILE, DEFAULT_MAML_FILE])
    return report


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
