"""Shared test set-up: headless matplotlib, quiet TensorFlow, and the repository's paths."""

import os
from pathlib import Path

import matplotlib
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
matplotlib.use("Agg")

REPO_ROOT = Path(__file__).resolve().parent.parent
MEDMNIST_DIR = REPO_ROOT.parent / "shared" / "data" / "medmnist"


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
