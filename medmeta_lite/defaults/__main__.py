"""Regenerate the committed files: ``python -m medmeta_lite.defaults {sinusoid,fewshot,medmnist-sample}``.

``--out FOLDER`` writes elsewhere than the data folder; ``medmnist-sample`` needs ``--source FOLDER`` with
the official MedMNIST files.
"""

from __future__ import annotations

import argparse
import json

from medmeta_lite.data.bundled import data_dir
from medmeta_lite.data.medmnist import file_md5
from medmeta_lite.data.medmnist_sample import SAMPLE_MD5, build_sample
from medmeta_lite.defaults.fewshot import FAMILIES, train_fewshot_models
from medmeta_lite.defaults.sinusoid import (
    DEFAULT_META_ITERATIONS,
    save_sinusoid_models,
    train_sinusoid_models,
)


def main(argv=None) -> None:
    """Rebuild one family of committed files and save it (default: the package's data folder)."""
    parser = argparse.ArgumentParser(prog="python -m medmeta_lite.defaults",
                                     description="Train the committed models and save their weights.")
    parser.add_argument("family", choices=("sinusoid", "fewshot", "medmnist-sample"),
                        help="sinusoid: MAML, first-order MAML, Reptile and the pretrained baseline "
                             "(notebook 12); fewshot: ProtoNet, the fine-tuning backbone and a Conv-4 MAML "
                             "(notebooks 06, 13, 14); medmnist-sample: the embedded real images")
    parser.add_argument("--out", default=None, help="folder for the .npz files (default: the data folder)")
    parser.add_argument("--meta-iters", type=int, default=DEFAULT_META_ITERATIONS,
                        help="meta-iterations of the sinusoid models")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sinusoid models")
    parser.add_argument("--only", nargs="+", choices=FAMILIES, default=None,
                        help="fewshot: train only these models (default: all three)")
    parser.add_argument("--source", default=None,
                        help="medmnist-sample: folder with the official breastmnist.npz, pneumoniamnist.npz "
                             "and retinamnist.npz (their MD5s are checked)")
    arguments = parser.parse_args(argv)
    folder = data_dir() if arguments.out is None else arguments.out
    if arguments.family == "medmnist-sample":
        if arguments.source is None:
            parser.error("medmnist-sample needs --source FOLDER holding the official MedMNIST files")
        path = build_sample(arguments.source, folder)
        print(f"{path} MD5 {file_md5(path)} (pinned: {SAMPLE_MD5})")
    elif arguments.family == "sinusoid":
        learners = train_sinusoid_models(arguments.meta_iters, arguments.seed)
        print("\n".join(save_sinusoid_models(learners, folder)))
    else:
        print(json.dumps(train_fewshot_models(folder, only=arguments.only)))


if __name__ == "__main__":
    main()
