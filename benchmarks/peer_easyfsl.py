"""The peer of ``bench_fewshot.py --peer``: easyfsl's Prototypical Networks (PyTorch, CPU) on our episodes.

Runs in its own virtual environment (``make peer-venv`` or ``bench_fewshot.py --peer`` creates
``.venv-peer`` with torch and easyfsl), never in the workbook's ``.venv``. It reads one ``.npz`` written by
``bench_fewshot.py``: the prepared (standardised) meta-training images with the indices of every training
episode, and each test domain's image pool with the indices of its test episodes. It trains a Conv-4 of
the same shape as the workbook's (four blocks of 3×3 convolution without bias, batch norm, ReLU and 2×2
max-pool; 32 filters) on the same number of episodes with Adam at the same learning rate, the way
easyfsl's own examples train, then prints one JSON line: training episodes per second and each test
domain's per-episode accuracies.

Usage: ``.venv-peer/bin/python benchmarks/peer_easyfsl.py EPISODES.npz``
"""

from __future__ import annotations

import json
import sys
import time
import types
from pathlib import Path

import numpy as np
import torch
from torch import nn


def _prototypical_networks():
    """Import easyfsl's PrototypicalNetworks without ``easyfsl.methods.__init__``.

    That ``__init__`` imports every method, and some of them import torchvision, whose PyPI wheel does not
    import beside the CPU build of torch used here. Registering the sub-package by path loads only the
    files Prototypical Networks needs; the class itself is easyfsl's, unchanged.
    """
    import easyfsl  # noqa: PLC0415  (only the package path is needed here)

    package = types.ModuleType("easyfsl.methods")
    package.__path__ = [str(Path(easyfsl.__file__).parent / "methods")]
    sys.modules.setdefault("easyfsl.methods", package)
    from easyfsl.methods.prototypical_networks import PrototypicalNetworks  # noqa: PLC0415

    return PrototypicalNetworks, easyfsl.__version__


def conv4(filters: int) -> nn.Module:
    """Conv-4 with the workbook's shape: a 28×28 image ends as ``filters`` numbers."""
    layers, channels = [], 1
    for _ in range(4):
        convolution = nn.Conv2d(channels, filters, 3, padding=1, bias=False)
        nn.init.kaiming_normal_(convolution.weight, nonlinearity="relu")  # He normal, as in the workbook
        layers += [convolution, nn.BatchNorm2d(filters, momentum=0.1), nn.ReLU(), nn.MaxPool2d(2)]
        channels = filters
    return nn.Sequential(*layers, nn.Flatten())


def main(path: str) -> None:
    PrototypicalNetworks, version = _prototypical_networks()
    data = np.load(path)
    torch.manual_seed(int(data["seed"]))
    settings = json.loads(str(data["settings"]))
    model = PrototypicalNetworks(conv4(settings["filters"]))
    optimizer = torch.optim.Adam(model.parameters(), lr=settings["meta_lr"])
    criterion = nn.CrossEntropyLoss()
    images = torch.from_numpy(data["train_images"]).permute(0, 3, 1, 2).contiguous()
    support_index, query_index = data["train_support_index"], data["train_query_index"]
    support_labels = torch.from_numpy(data["train_support_labels"]).long()
    query_labels = torch.from_numpy(data["train_query_labels"]).long()
    model.train()
    start = time.perf_counter()
    for episode in range(len(support_index)):
        optimizer.zero_grad()
        model.process_support_set(images[support_index[episode]], support_labels[episode])
        loss = criterion(model(images[query_index[episode]]), query_labels[episode])
        loss.backward()
        optimizer.step()
    train_seconds = time.perf_counter() - start
    model.eval()
    domains = {}
    with torch.no_grad():
        for name in json.loads(str(data["domains"])):
            pool = torch.from_numpy(data[f"{name}/images"]).permute(0, 3, 1, 2).contiguous()
            supports, queries = data[f"{name}/support_index"], data[f"{name}/query_index"]
            labels, truth = data[f"{name}/support_labels"], data[f"{name}/query_labels"]
            start = time.perf_counter()
            accuracies = []
            for episode in range(len(supports)):
                model.process_support_set(pool[supports[episode]], torch.from_numpy(labels[episode]).long())
                predicted = model(pool[queries[episode]]).argmax(dim=1).numpy()
                accuracies.append(float((predicted == truth[episode]).mean()))
            domains[name] = {"accuracies": accuracies, "seconds": time.perf_counter() - start}
    print(json.dumps({"library": f"easyfsl {version}", "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "train_episodes": len(support_index),
                      "train_seconds": train_seconds, "domains": domains}))


if __name__ == "__main__":
    main(sys.argv[1])
