"""Few-shot benchmark: every method on the same 600 episodes of each domain, and a PyTorch peer.

The table follows the cross-domain protocol of :mod:`medmeta_lite.experiments.cross_domain` (BSCD-FSL
style): the committed models learned only the synthetic meta-training classes; they are tested on unseen
synthetic classes and on three real modalities (the embedded MedMNIST sample, or full files with
``--medmnist-root``), 5-way or all-classes-way, 1, 5 and 20 shots, 15 queries per class, 600 episodes
for every row (first-order MAML included), mean accuracy ± 95 % interval.

``--peer`` then trains a ProtoNet here and easyfsl's Prototypical Networks (PyTorch, CPU, in its own
virtual environment ``.venv-peer``, created on first use) on the same number of episodes of the same
shape, with the same Conv-4 shape and learning rate, and tests both on the same 5-shot episodes of every
domain. It prints the training speeds (episodes per second, alternating runs in one sitting; ours with
TensorFlow's oneDNN kernels off, as the workbook runs, and on, as TensorFlow ships) and their ratio to the
peer's, and both accuracies with their intervals.

Usage::

    python benchmarks/bench_fewshot.py                   # the table (about 30 min on 2 cores)
    python benchmarks/bench_fewshot.py --peer --no-table # only the side-by-side with easyfsl
    python benchmarks/bench_fewshot.py --json            # one JSON line per row
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from medmeta_lite.data.preprocessing import prepare_images
from medmeta_lite.data.synthetic_images import load_synthetic_split
from medmeta_lite.defaults.fewshot import DEFAULT_SETTINGS, default_protonet
from medmeta_lite.experiments.cross_domain import (
    CROSS_DOMAIN_SHOTS,
    N_QUERIES,
    default_methods,
    evaluate_domains,
    format_rows,
    target_domains,
)
from medmeta_lite.fewshot.episodes import EpisodeSampler
from medmeta_lite.fewshot.evaluation import N_EVALUATION_EPISODES, EpisodeEvaluation, evaluate_episodes

REPO_ROOT = Path(__file__).resolve().parent.parent
PEER_VENV = REPO_ROOT / ".venv-peer"
PEER_SCRIPT = Path(__file__).resolve().parent / "peer_easyfsl.py"
PEER_REQUIREMENTS = (["torch==2.13.0", "numpy"], ["--no-deps", "easyfsl==1.5.0"])
"""torch 2.13.0 is the CPU build on these machines; easyfsl without its dependencies, because it asks
for torchvision, which only the methods the peer does not use import (see ``peer_easyfsl.py``)."""


def ensure_peer_venv() -> Path:
    """Create ``.venv-peer`` with torch and easyfsl on first use; return its Python."""
    python = PEER_VENV / "bin" / "python"
    if not (PEER_VENV / ".installed").is_file():
        print(f"# creating {PEER_VENV.name} for the easyfsl peer (torch, numpy, easyfsl)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        for requirements in PEER_REQUIREMENTS:
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", *requirements], check=True)
        (PEER_VENV / ".installed").touch()
    return python


def _peer_episodes(domains, seed, n_episodes):
    """Training episodes (synthetic meta-training classes) and 5-shot test episodes of every domain."""
    settings = DEFAULT_SETTINGS
    train = load_synthetic_split("meta_train", settings["n_per_class"], random_state=seed)
    prepared = prepare_images(train.images).astype(np.float32)
    training = EpisodeSampler(prepared, train.labels, n_ways=settings["n_ways"], n_shots=settings["n_shots"],
                              n_queries=settings["n_queries"], random_state=seed)
    tests = {name: EpisodeSampler(domain["images"], domain["labels"], n_ways=domain["n_ways"], n_shots=5,
                                  n_queries=N_QUERIES, random_state=seed).sample_batch(n_episodes)
             for name, domain in domains.items()}
    return training.sample_batch(settings["n_meta_iter"]), tests


def _write_peer_file(path, training, tests, seed):
    """One .npz for the peer: the training episodes (their pool is already prepared) and the test episodes."""
    settings = DEFAULT_SETTINGS
    arrays = {"seed": np.array(seed), "domains": np.array(json.dumps(list(tests))),
              "settings": np.array(json.dumps({key: settings[key] for key in ("filters", "meta_lr")})),
              "train_images": training.images, "train_support_index": training.support_index,
              "train_query_index": training.query_index, "train_support_labels": training.support_labels,
              "train_query_labels": training.query_labels}
    for name, episodes in tests.items():
        arrays |= {f"{name}/images": prepare_images(episodes.images).astype(np.float32),
                   f"{name}/support_index": episodes.support_index,
                   f"{name}/query_index": episodes.query_index,
                   f"{name}/support_labels": episodes.support_labels,
                   f"{name}/query_labels": episodes.query_labels}
    np.savez(path, **arrays)


def _train_protonet(seed):
    """Train the workbook's ProtoNet with the committed settings; return it."""
    train = load_synthetic_split("meta_train", DEFAULT_SETTINGS["n_per_class"], random_state=seed)
    return default_protonet({"seed": seed}).fit(train.images, train.labels)


def _time_ours(seed, onednn: bool) -> float:
    """Training seconds of our ProtoNet in a fresh process with TensorFlow's oneDNN kernels off or on.

    TensorFlow reads ``TF_ENABLE_ONEDNN_OPTS`` once, at import, so each setting needs its own process.
    """
    environment = dict(os.environ, TF_ENABLE_ONEDNN_OPTS="1" if onednn else "0", PYTHONHASHSEED="0")
    output = subprocess.run([sys.executable, __file__, "--time-protonet", str(seed)], check=True, text=True,
                            capture_output=True, env=environment).stdout
    return float(output.strip().splitlines()[-1])


def run_peer(domains, *, seed=0, n_episodes=N_EVALUATION_EPISODES, repeats=2) -> dict:
    """Time our ProtoNet (oneDNN off and on) and the easyfsl peer, alternating; compare accuracies.

    Every timed run trains from scratch in its own process; the runs alternate so that a machine that
    slows down during the benchmark slows all three alike. Accuracies come from one model of each.
    """
    python = ensure_peer_venv()
    training, tests = _peer_episodes(domains, seed, n_episodes)
    seconds = {"ours (oneDNN off)": [], "ours (oneDNN on)": [], "peer": []}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "episodes.npz"
        _write_peer_file(path, training, tests, seed)
        for _ in range(repeats):
            seconds["ours (oneDNN off)"].append(_time_ours(seed, onednn=False))
            seconds["ours (oneDNN on)"].append(_time_ours(seed, onednn=True))
            output = subprocess.run([str(python), str(PEER_SCRIPT), str(path)], check=True, text=True,
                                    capture_output=True, env=dict(os.environ, PYTHONHASHSEED="0")).stdout
            peer = json.loads(output.strip().splitlines()[-1])
            seconds["peer"].append(peer["train_seconds"])
    n_train = DEFAULT_SETTINGS["n_meta_iter"]
    speeds = {name: round(n_train / min(values), 2) for name, values in seconds.items()}
    report = {"train_episodes": n_train, "seconds": {name: [round(value, 2) for value in values]
                                                     for name, values in seconds.items()},
              "episodes_per_second": speeds, "peer": peer["library"], "torch": peer["torch"],
              "torch_threads": peer["threads"],
              "speed_ratio": {name: round(speed / speeds["peer"], 2) for name, speed in speeds.items()
                              if name != "peer"}}
    model = _train_protonet(seed)
    report["domains"] = {}
    for name, episodes in tests.items():
        mine = evaluate_episodes(model, episodes)
        theirs = EpisodeEvaluation(accuracies=np.asarray(peer["domains"][name]["accuracies"]))
        report["domains"][name] = {
            "n_ways": int(episodes.classes.shape[1]), "n_episodes": len(episodes),
            "ours": [round(mine.mean, 4), round(mine.ci95, 4)],
            "peer": [round(theirs.mean, 4), round(theirs.ci95, 4)]}
    return report


def format_peer(report) -> str:
    settings = DEFAULT_SETTINGS
    lines = [f"ProtoNet training, {report['train_episodes']} episodes of {settings['n_ways']}-way "
             f"{settings['n_shots']}-shot {settings['n_queries']}-query, Conv-4 with {settings['filters']} "
             f"filters, best of {len(report['seconds']['peer'])} alternating runs:"]
    for name, speed in report["episodes_per_second"].items():
        label = f"{report['peer']} (torch {report['torch']}, {report['torch_threads']} threads)" \
            if name == "peer" else f"medmeta-lite {name}"
        ratio = "" if name == "peer" else f"   ratio to the peer {report['speed_ratio'][name]:.2f}"
        lines.append(f"  {label:<46} {speed:6.2f} episodes/s  (runs {report['seconds'][name]} s){ratio}")
    lines += ["  (target: ratio >= 1.5; the workbook turns oneDNN off, which TensorFlow and PyTorch turn on "
              "by default, because with it TensorFlow 2.21 crashed unit-suite runs: see DEVELOPERS.md)",
              "", f"{'domain':<28} {'task':<12} {'medmeta-lite':>16} {'easyfsl':>16}  verdict"]
    for name, row in report["domains"].items():
        (ours, ours_ci), (peer, peer_ci) = row["ours"], row["peer"]
        verdict = ("inside the peer's interval" if abs(ours - peer) <= peer_ci
                   else ("better" if ours > peer else "worse"))
        lines.append(f"{name:<28} {row['n_ways']}-way 5-shot {ours:>8.3f} ± {ours_ci:.3f} "
                     f"{peer:>8.3f} ± {peer_ci:.3f}  {verdict} ({row['n_episodes']} episodes)")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--medmnist-root", default=None,
                        help="folder with full MedMNIST files (default: the embedded sample)")
    parser.add_argument("--episodes", type=int, default=N_EVALUATION_EPISODES)
    parser.add_argument("--shots", type=int, nargs="+", default=list(CROSS_DOMAIN_SHOTS))
    parser.add_argument("--peer", action="store_true", help="also compare ProtoNet with easyfsl's")
    parser.add_argument("--no-table", action="store_true", help="skip the methods table")
    parser.add_argument("--json", action="store_true", help="JSON lines instead of tables")
    parser.add_argument("--time-protonet", type=int, metavar="SEED", default=None, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.time_protonet is not None:  # one timed run, in the process run_peer started
        print(_train_protonet(arguments.time_protonet).train_seconds_)
        return
    domains = target_domains(arguments.medmnist_root)
    for name, domain in domains.items():
        print(f"# {name}: {domain['source']}, {len(domain['labels'])} images", file=sys.stderr)
    if not arguments.no_table:
        rows = evaluate_domains(default_methods(), domains, shots=arguments.shots,
                                n_episodes=arguments.episodes,
                                progress=lambda row: print(json.dumps(row), file=sys.stderr))
        print("\n".join(json.dumps(row) for row in rows) if arguments.json else format_rows(rows))
    if arguments.peer:
        report = run_peer(domains, n_episodes=arguments.episodes)
        print(json.dumps(report) if arguments.json else "\n" + format_peer(report))


if __name__ == "__main__":
    main()
