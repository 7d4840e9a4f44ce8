"""Regenerate the committed models: ``python -m medmeta_lite.defaults {sinusoid,fewshot} [--out FOLDER]``."""

from __future__ import annotations

import argparse
import json

from medmeta_lite.data.bundled import data_dir
from medmeta_lite.defaults.fewshot import train_fewshot_models
from medmeta_lite.defaults.sinusoid import (
    DEFAULT_META_ITERATIONS,
    save_sinusoid_models,
    train_sinusoid_models,
)


def main(argv=None) -> None:
    """Train one family of committed models and save it (default: the package's data folder)."""
    parser = argparse.ArgumentParser(prog="python -m medmeta_lite.defaults",
                                     description="Train the committed models and save their weights.")
    parser.add_argument("family", choices=("sinusoid", "fewshot"),
                        help="sinusoid: MAML, first-order MAML, Reptile and the pretrained baseline "
                             "(notebook 12); fewshot: ProtoNet, the fine-tuning backbone and a Conv-4 MAML "
                             "(notebooks 06, 13, 14)")
    parser.add_argument("--out", default=None, help="folder for the .npz files (default: the data folder)")
    parser.add_argument("--meta-iters", type=int, default=DEFAULT_META_ITERATIONS,
                        help="meta-iterations of the sinusoid models")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sinusoid models")
    arguments = parser.parse_args(argv)
    folder = data_dir() if arguments.out is None else arguments.out
    if arguments.family == "sinusoid":
        learners = train_sinusoid_models(arguments.meta_iters, arguments.seed)
        print("\n".join(save_sinusoid_models(learners, folder)))
    else:
        print(json.dumps(train_fewshot_models(folder)))


if __name__ == "__main__":
    main()
