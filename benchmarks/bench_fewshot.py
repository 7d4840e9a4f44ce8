"""Few-shot image classification benchmark: every method on the same 600 meta-test episodes.

Rows: 5-way 1-shot and 5-shot on the synthetic meta-test classes (never seen in meta-training), then
cross-domain 2-way 5-shot on BreastMNIST and PneumoniaMNIST and 5-way 5-shot on RetinaMNIST when the
MedMNIST files are found (``--medmnist-root``, default ``../shared/data/medmnist`` beside the repository).
Methods are meta-trained (or pre-trained) once, on the synthetic meta-training classes only.

Usage::

    python benchmarks/bench_fewshot.py            # table
    python benchmarks/bench_fewshot.py --json     # one JSON line per row
    python benchmarks/bench_fewshot.py --retrain  # train instead of loading data/fewshot_*.npz

Accuracy is the mean over episodes with the 95 % interval ``1.96 · std / √n``. Whole-network fine-tuning
and first-order MAML adapt one episode at a time with gradient steps; they use the first
``--slow-episodes`` episodes (default 100) of the same sampler unless ``--full`` is given.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from medmeta_lite.data.bundled import data_dir
from medmeta_lite.data.medmnist import load_medmnist
from medmeta_lite.data.synthetic_images import load_synthetic_split
from medmeta_lite.defaults.fewshot import DEFAULT_PRETRAINED_FILE, load_fewshot_models, train_fewshot_models
from medmeta_lite.fewshot.adapted import AdaptedEpisodeClassifier
from medmeta_lite.fewshot.episodes import EpisodeSampler
from medmeta_lite.fewshot.evaluation import N_EVALUATION_EPISODES, evaluate_episodes
from medmeta_lite.fewshot.fine_tuning import FineTuningClassifier, PixelNearestCentroid, ScratchClassifier

REPO_ROOT = Path(__file__).resolve().parent.parent
SLOW_METHODS = ("fine-tuning (all layers)", "first-order maml")  # adapt one episode at a time
MEDMNIST_SETS = (  # (row name, flag, file name, n_ways, n_shots)
    ("BreastMNIST", "breastmnist", None, 2, 5),
    ("PneumoniaMNIST (balanced subset)", "pneumoniamnist", "pneumoniamnist_subset_balanced.npz", 2, 5),
    ("RetinaMNIST", "retinamnist", None, 5, 5),
)


def _load_methods(retrain: bool, seed: int):
    """Return {name: (model, train_seconds)}; train_seconds is None when weights were loaded from data/."""
    if retrain:
        folder = Path(tempfile.mkdtemp())
        report = train_fewshot_models(folder)
        seconds = {"protonet": report["protonet_seconds"], "fine-tuning": report["pretrained_seconds"],
                   "maml": report.get("maml_seconds")}
    else:
        folder, seconds = None, {"protonet": None, "fine-tuning": None, "maml": None}
    models = load_fewshot_models(folder)
    all_layers = FineTuningClassifier.load(_pretrained_path(folder)).set_params(fine_tune="all",
                                                                                n_fine_tune_steps=50)
    methods = {
        "protonet": (models["protonet"], seconds["protonet"]),
        "fine-tuning (head)": (models["fine-tuning"], seconds["fine-tuning"]),
        "fine-tuning (all layers)": (all_layers, seconds["fine-tuning"]),
    }
    methods["first-order maml"] = (AdaptedEpisodeClassifier(models["maml"], n_steps=10), seconds["maml"])
    methods["scratch (softmax on pixels)"] = (ScratchClassifier(), 0.0)
    methods["pixel nearest centroid"] = (PixelNearestCentroid(), 0.0)
    return methods


def _pretrained_path(folder):
    return (folder or data_dir()) / DEFAULT_PRETRAINED_FILE


def _episode_pools(medmnist_root: Path, seed: int):
    """Yield (dataset name, images, labels, n_ways, n_shots) for every row group."""
    test = load_synthetic_split("meta_test", 100, random_state=seed + 1)
    yield "synthetic (unseen classes)", test.images, test.labels, 5, 1
    yield "synthetic (unseen classes)", test.images, test.labels, 5, 5
    for name, flag, file_name, n_ways, n_shots in MEDMNIST_SETS:
        try:
            splits = load_medmnist(flag, medmnist_root, file_name=file_name)
        except FileNotFoundError:
            print(f"# {name}: skipped, no {file_name or flag + '.npz'} in {medmnist_root} "
                  f"(see medmeta_lite.data.medmnist.load_medmnist(download=True))", file=sys.stderr)
            continue
        images, labels = splits.pooled()  # cross-domain: the whole target dataset is the meta-test pool
        yield name, images, labels, n_ways, n_shots


def run(medmnist_root: Path, *, retrain=False, full=False, slow_episodes=100,
        n_episodes=N_EVALUATION_EPISODES, seed=0):
    methods = _load_methods(retrain, seed)
    rows = []
    for dataset, images, labels, n_ways, n_shots in _episode_pools(medmnist_root, seed):
        sampler = EpisodeSampler(images, labels, n_ways=n_ways, n_shots=n_shots, n_queries=15,
                                 random_state=seed)
        episodes = sampler.sample_batch(n_episodes)
        for method, (model, train_seconds) in methods.items():
            batch = episodes
            if method in SLOW_METHODS and not full:
                batch = EpisodeSampler(images, labels, n_ways=n_ways, n_shots=n_shots, n_queries=15,
                                       random_state=seed).sample_batch(min(slow_episodes, n_episodes))
                # Same seed, so these are the first episodes of the 600 the other methods face.
            start = time.perf_counter()
            result = evaluate_episodes(model, batch)
            rows.append({"method": method, "dataset": dataset, "n_ways": n_ways, "n_shots": n_shots,
                         "accuracy": round(result.mean, 4), "ci95": round(result.ci95, 4),
                         "train_seconds": None if train_seconds is None else round(train_seconds, 1),
                         "n_episodes": result.n_episodes,
                         "eval_seconds": round(time.perf_counter() - start, 1)})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON line per row")
    parser.add_argument("--medmnist-root", default=str(REPO_ROOT.parent / "shared" / "data" / "medmnist"))
    parser.add_argument("--retrain", action="store_true", help="train instead of loading data/fewshot_*.npz")
    parser.add_argument("--full", action="store_true", help="600 episodes for whole-network fine-tuning too")
    parser.add_argument("--slow-episodes", type=int, default=100)
    parser.add_argument("--episodes", type=int, default=N_EVALUATION_EPISODES)
    arguments = parser.parse_args(argv)
    rows = run(Path(arguments.medmnist_root), retrain=arguments.retrain, full=arguments.full,
               slow_episodes=arguments.slow_episodes, n_episodes=arguments.episodes)
    if arguments.json:
        for row in rows:
            print(json.dumps(row))
        return
    print(f"{'dataset':<34} {'task':<14} {'method':<28} {'accuracy':>15} {'episodes':>8} {'train s':>8}")
    for row in rows:
        task = f"{row['n_ways']}-way {row['n_shots']}-shot"
        seconds = "loaded" if row["train_seconds"] is None else f"{row['train_seconds']:.1f}"
        print(f"{row['dataset']:<34} {task:<14} {row['method']:<28} "
              f"{row['accuracy']:>7.3f} ± {row['ci95']:.3f} {row['n_episodes']:>8} {seconds:>8}")
    synthetic = {row["method"]: row["accuracy"] for row in rows
                 if row["dataset"].startswith("synthetic") and row["n_shots"] == 5}
    gap = synthetic["protonet"] - synthetic["pixel nearest centroid"]
    print(f"\nsynthetic 5-way 5-shot: ProtoNet beats pixel nearest centroid by {100 * gap:.1f} points "
          f"(target >= 15)")


if __name__ == "__main__":
    main()
