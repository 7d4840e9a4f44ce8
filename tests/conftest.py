"""Paths of the repository for the tests."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
MEDMNIST_DIR = REPO_ROOT.parent / "shared" / "data" / "medmnist"


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT
