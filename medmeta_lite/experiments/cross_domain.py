"""Cross-domain few-shot evaluation on real medical images, in the style of BSCD-FSL (Guo et al., 2020).

Protocol: meta-train (or pre-train) on a *source* (here the synthetic meta-training classes), then test
on each *target* modality with episodes drawn from the whole target pool: 600 episodes per setting,
mean accuracy with a 95 % interval, 5-way episodes or all-classes-way where a dataset has fewer than 5
classes, and 1, 5 and 20 shots with 15 queries per class. Nothing is trained on a target; a method sees
only the support set of each episode.

The targets come from the embedded sample (:mod:`medmeta_lite.data.medmnist_sample`) unless a folder of
full MedMNIST files is given, whose files then replace the sample dataset by dataset. With full files,
:func:`leave_one_dataset_out` runs the other protocol of the literature: meta-train on the classes of
every other dataset and test on the held-out one.

Run from a terminal::

    python -m medmeta_lite.experiments.cross_domain                       # embedded sample, all methods
    python -m medmeta_lite.experiments.cross_domain --medmnist-root DIR   # full files where present
    python -m medmeta_lite.experiments.cross_domain --medmnist-root DIR --leave-one-out
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from medmeta_lite.data.medmnist import CLASS_NAMES, OFFICIAL_MD5, load_medmnist
from medmeta_lite.data.medmnist_sample import MODALITIES, SAMPLE_FLAGS, load_medmnist_sample
from medmeta_lite.data.synthetic_images import load_synthetic_split
from medmeta_lite.defaults.fewshot import load_fewshot_models
from medmeta_lite.fewshot.adapted import AdaptedEpisodeClassifier
from medmeta_lite.fewshot.episodes import EpisodeSampler
from medmeta_lite.fewshot.evaluation import N_EVALUATION_EPISODES, compare_on_domains, evaluate_episodes
from medmeta_lite.fewshot.fine_tuning import FineTuningClassifier, PixelNearestCentroid, ScratchClassifier
from medmeta_lite.fewshot.protonets import ProtoNet
from medmeta_lite.validation import check_count

CROSS_DOMAIN_SHOTS = (1, 5, 20)
"""Shots of the BSCD-FSL protocol."""

MAX_WAYS = 5
N_QUERIES = 15
TARGET_NAMES = {"breastmnist": "BreastMNIST", "pneumoniamnist": "PneumoniaMNIST",
                "retinamnist": "RetinaMNIST"}


def real_domains(medmnist_root=None) -> dict:
    """The real target pools: BreastMNIST, PneumoniaMNIST and RetinaMNIST.

    Parameters
    ----------
    medmnist_root : path-like or None, default=None
        Folder with full MedMNIST files; a dataset whose official file is there replaces its sample.

    Returns
    -------
    dict
        ``{name: {"images", "labels", "n_ways", "source", "modality"}}``: every image of the dataset
        (all splits pooled, as in cross-domain testing), 5-way or all-classes-way, ``source`` saying
        ``"embedded sample"`` or the file read, and what the images show.

    Examples
    --------
    >>> {name: (domain["n_ways"], len(domain["labels"])) for name, domain in real_domains().items()}
    {'BreastMNIST': (2, 180), 'PneumoniaMNIST': (2, 180), 'RetinaMNIST': (5, 450)}
    """
    sample = load_medmnist_sample()
    domains = {}
    for flag in SAMPLE_FLAGS:
        splits, source = sample[flag], "embedded sample"
        if medmnist_root is not None and (Path(medmnist_root) / f"{flag}.npz").is_file():
            splits, source = load_medmnist(flag, medmnist_root), f"{flag}.npz"
        images, labels = splits.pooled()
        domains[TARGET_NAMES[flag]] = {"images": images, "labels": labels, "source": source,
                                       "modality": MODALITIES[flag],
                                       "n_ways": min(MAX_WAYS, len(CLASS_NAMES[flag]))}
    return domains


def target_domains(medmnist_root=None, *, synthetic_per_class: int = 100, random_state=0) -> dict:
    """Every test pool of the protocol: the unseen synthetic classes (in-domain), then the real ones.

    Parameters
    ----------
    medmnist_root : path-like or None, default=None
        Passed to :func:`real_domains`.
    synthetic_per_class : int, default=100
        Images per unseen synthetic class.
    random_state : int, default=0

    Returns
    -------
    dict
        As :func:`real_domains`, with ``"synthetic (unseen classes)"`` first.
    """
    synthetic = load_synthetic_split("meta_test", check_count("synthetic_per_class", synthetic_per_class),
                                     random_state=random_state + 1)
    reference = {"images": synthetic.images, "labels": synthetic.labels, "n_ways": MAX_WAYS,
                 "source": "synthetic", "modality": "unseen synthetic classes"}
    return {"synthetic (unseen classes)": reference} | real_domains(medmnist_root)


def default_methods(*, maml_steps: int = 10) -> dict:
    """The committed models and the baselines, keyed by the names the tables print."""
    models = load_fewshot_models()
    return {"protonet": models["protonet"],
            "first-order maml": AdaptedEpisodeClassifier(models["maml"], n_steps=maml_steps),
            "fine-tuning (linear probe)": models["fine-tuning"],
            "scratch (softmax on pixels)": ScratchClassifier(),
            "pixel nearest centroid": PixelNearestCentroid()}


def foundation_comparison(*, n_shots: int = 5, n_episodes: int = N_EVALUATION_EPISODES,
                          n_maml_episodes: int = 30, medmnist_root=None, random_state=0) -> dict:
    """A frozen pre-trained encoder with a linear probe against ProtoNet and MAML, on the same episodes.

    The interview question "why meta-learning when foundation models exist?" in miniature. Today's
    default baseline is a large pre-trained encoder, frozen, with a linear head fitted on the support set.
    Here the encoder is the workbook's Conv-4 pre-trained as an ordinary classifier on the 16 synthetic
    meta-training classes: it stands in for a large pre-trained model, and is no substitute for one. The
    meta-learners learned from the same classes, episodically. Every method meets the same episodes of
    every domain of :func:`target_domains`; first-order MAML adapts one episode at a time, so it sees only
    the first ``n_maml_episodes`` of them (``benchmarks/bench_fewshot.py`` runs it on all 600).

    Returns
    -------
    dict of str to dict of str to EpisodeEvaluation
        ``results[domain][method]`` for the methods ``"frozen encoder + linear probe"``,
        ``"protonet (meta-learned)"`` and ``"first-order maml"``.

    Notes
    -----
    Shown in ``notebooks/04_applications.ipynb``.
    """
    models = load_fewshot_models()
    methods = {"frozen encoder + linear probe": models["fine-tuning"],
               "protonet (meta-learned)": models["protonet"],
               "first-order maml": AdaptedEpisodeClassifier(models["maml"], n_steps=10)}
    targets = {name: (domain["images"], domain["labels"], domain["n_ways"])
               for name, domain in target_domains(medmnist_root, random_state=random_state).items()}
    return compare_on_domains(methods, targets, n_shots=n_shots, n_episodes=n_episodes,
                              slow={"first-order maml"}, n_slow_episodes=n_maml_episodes,
                              random_state=random_state)


def evaluate_domains(methods: dict, domains: dict, *, shots=CROSS_DOMAIN_SHOTS,
                     n_episodes: int = N_EVALUATION_EPISODES, random_state=0, progress=None) -> list[dict]:
    """Every method on the same episodes of every domain and shot count: one row per combination.

    Returns
    -------
    list of dict
        ``domain``, ``n_ways``, ``n_shots``, ``method``, ``accuracy``, ``ci95``, ``n_episodes`` and
        ``seconds`` (evaluation time).
    """
    n_episodes = check_count("n_episodes", n_episodes)
    rows = []
    for name, domain in domains.items():
        for n_shots in shots:
            episodes = EpisodeSampler(domain["images"], domain["labels"], n_ways=domain["n_ways"],
                                      n_shots=n_shots, n_queries=N_QUERIES,
                                      random_state=random_state).sample_batch(n_episodes)
            for method, model in methods.items():
                start = time.perf_counter()
                result = evaluate_episodes(model, episodes)
                rows.append({"domain": name, "n_ways": domain["n_ways"], "n_shots": n_shots, "method": method,
                             "accuracy": round(result.mean, 4), "ci95": round(result.ci95, 4),
                             "n_episodes": result.n_episodes,
                             "seconds": round(time.perf_counter() - start, 2)})
                if progress is not None:
                    progress(rows[-1])
    return rows


def leave_one_dataset_out(medmnist_root, *, flags=tuple(OFFICIAL_MD5), shots=CROSS_DOMAIN_SHOTS,
                          n_episodes: int = N_EVALUATION_EPISODES, n_meta_iter: int = 250,
                          pretrain_n_iter: int = 300, random_state=0, progress=None) -> list[dict]:
    """Meta-train on every other dataset's classes, test on the held-out dataset; one fold per dataset.

    Each fold trains a ProtoNet and a pre-trained backbone (for the linear probe) on the training
    splits of the other datasets, their classes numbered one after the other, and tests them with pixel
    nearest centroid on episodes from the held-out dataset's whole file.

    Parameters
    ----------
    medmnist_root : path-like
        Folder with the full official files of every name in ``flags`` (at least two).
    flags : sequence of str, default: the three official files the workbook knows
    shots, n_episodes : as in :func:`evaluate_domains`
    n_meta_iter, pretrain_n_iter : int
        Training episodes of the ProtoNet and iterations of the backbone, per fold.
    random_state : int, default=0

    Returns
    -------
    list of dict
        Rows as :func:`evaluate_domains`, with ``domain`` naming the held-out dataset and
        ``meta_trained_on`` the others.
    """
    flags = tuple(flags)
    if len(flags) < 2:
        raise ValueError(f"leave-one-dataset-out needs at least two datasets, got {flags}")
    data = {flag: load_medmnist(flag, medmnist_root) for flag in flags}
    rows = []
    for held_out in flags:
        sources = [flag for flag in flags if flag != held_out]
        images, labels, offset = [], [], 0
        for flag in sources:
            images.append(data[flag].train_images)
            labels.append(data[flag].train_labels + offset)
            offset += len(data[flag].class_names)
        images, labels = np.concatenate(images), np.concatenate(labels)
        protonet = ProtoNet(n_ways=min(MAX_WAYS, offset), n_shots=5, n_queries=5,
                            n_meta_iter=n_meta_iter, random_state=random_state).fit(images, labels)
        backbone = FineTuningClassifier(n_iter=pretrain_n_iter, random_state=random_state).fit(images, labels)
        pool_images, pool_labels = data[held_out].pooled()
        domain = {TARGET_NAMES.get(held_out, held_out): {
            "images": pool_images, "labels": pool_labels,
            "n_ways": min(MAX_WAYS, len(data[held_out].class_names))}}
        methods = {"protonet": protonet, "fine-tuning (linear probe)": backbone,
                   "pixel nearest centroid": PixelNearestCentroid()}
        for row in evaluate_domains(methods, domain, shots=shots, n_episodes=n_episodes,
                                    random_state=random_state):
            rows.append(row | {"meta_trained_on": "+".join(sources)})
            if progress is not None:
                progress(rows[-1])
    return rows


def format_rows(rows) -> str:
    """The rows as an aligned text table (accuracy ± 95 % interval)."""
    lines = [f"{'domain':<28} {'task':<13} {'method':<28} {'accuracy':>15} {'episodes':>8}"]
    for row in rows:
        task = f"{row['n_ways']}-way {row['n_shots']}-shot"
        lines.append(f"{row['domain']:<28} {task:<13} {row['method']:<28} "
                     f"{row['accuracy']:>7.3f} ± {row['ci95']:.3f} {row['n_episodes']:>8}")
    return "\n".join(lines)


def main(argv=None) -> None:
    """Print the cross-domain table (or the leave-one-dataset-out table) for the committed models."""
    parser = argparse.ArgumentParser(prog="python -m medmeta_lite.experiments.cross_domain",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--medmnist-root", default=None,
                        help="folder with full MedMNIST files; they replace the embedded sample")
    parser.add_argument("--leave-one-out", action="store_true",
                        help="meta-train on the other datasets' classes, test on each held-out dataset "
                             "(needs --medmnist-root with the full files)")
    parser.add_argument("--episodes", type=int, default=N_EVALUATION_EPISODES)
    parser.add_argument("--shots", type=int, nargs="+", default=list(CROSS_DOMAIN_SHOTS))
    parser.add_argument("--json", action="store_true", help="one JSON line per row")
    arguments = parser.parse_args(argv)
    if arguments.leave_one_out:
        if arguments.medmnist_root is None:
            parser.error("--leave-one-out needs --medmnist-root with the full MedMNIST files")
        rows = leave_one_dataset_out(arguments.medmnist_root, shots=arguments.shots,
                                     n_episodes=arguments.episodes)
    else:
        domains = target_domains(arguments.medmnist_root)
        for name, domain in domains.items():
            print(f"# {name}: {domain['source']}, {len(domain['labels'])} images, "
                  f"{domain['modality']}", file=sys.stderr)
        rows = evaluate_domains(default_methods(), domains, shots=arguments.shots,
                                n_episodes=arguments.episodes)
    print("\n".join(json.dumps(row) for row in rows) if arguments.json else format_rows(rows))


if __name__ == "__main__":
    main()
