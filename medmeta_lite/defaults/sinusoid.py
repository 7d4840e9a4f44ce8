"""The committed sinusoid meta-learners: MAML, first-order MAML, Reptile and the pretrained baseline.

Trained with the settings of Finn et al. (2017); regenerate the files with
``python -m medmeta_lite.defaults sinusoid ``.
"""

from __future__ import annotations

from pathlib import Path

from medmeta_lite.data.bundled import data_dir
from medmeta_lite.data.tasks import SinusoidTaskSampler
from medmeta_lite.defaults.checksums import verify, write_checksums
from medmeta_lite.gradmeta.baselines import PretrainedBaseline
from medmeta_lite.gradmeta.maml import MAML
from medmeta_lite.gradmeta.reptile import Reptile

DEFAULT_META_ITERATIONS = 10000
"""Meta-iterations of the committed models (the paper's 70,000 give slightly better curves)."""

SINUSOID_COMMAND = "python -m medmeta_lite.defaults sinusoid"
SINUSOID_FILES = {"maml": "maml_sinusoid_maml.npz", "fomaml": "maml_sinusoid_fomaml.npz",
                 "reptile": "maml_sinusoid_reptile.npz", "pretrained": "maml_sinusoid_pretrained.npz"}


def train_sinusoid_models(n_meta_iter=DEFAULT_META_ITERATIONS, random_state=0) -> dict:
    """Train MAML, FOMAML, Reptile and the pretrained baseline on sinusoid tasks with the paper's settings.

    Every learner sees its own sampler seeded with ``random_state`` (the same task stream).

    Returns
    -------
    dict of str to fitted learner
    """

    # n_meta_iter goes to the constructors, so that a saved and reloaded model reports what it ran
    learners = {"maml": MAML(n_meta_iter=n_meta_iter, random_state=random_state),
                "fomaml": MAML(first_order=True, n_meta_iter=n_meta_iter, random_state=random_state),
                "reptile": Reptile(n_meta_iter=n_meta_iter, random_state=random_state),
                "pretrained": PretrainedBaseline(n_meta_iter=n_meta_iter, random_state=random_state)}
    for learner in learners.values():
        learner.fit(SinusoidTaskSampler(random_state=random_state))
    return learners


def load_sinusoid_models(folder=None) -> dict:
    """Load the committed sinusoid models: MAML, FOMAML, Reptile and the pretrained baseline.

    Parameters
    ----------
    folder : path-like, default=None
        Where the ``.npz`` files lie; ``None`` uses :func:`medmeta_lite.data.data_dir`.

    Returns
    -------
    dict of str to fitted learner
        Keys ``"maml"``, ``"fomaml"``, ``"reptile"``, ``"pretrained"``.

    Examples
    --------
    >>> sorted(load_sinusoid_models())
    ['fomaml', 'maml', 'pretrained', 'reptile']
    """

    folder = data_dir() if folder is None else Path(folder)
    classes = {"maml": MAML, "fomaml": MAML, "reptile": Reptile, "pretrained": PretrainedBaseline}
    return {name: cls.load(verify(folder, SINUSOID_FILES[name], SINUSOID_COMMAND))
            for name, cls in classes.items()}


def save_sinusoid_models(learners: dict, folder) -> list[str]:
    """Save the learners of :func:`train_sinusoid_models` under ``folder``; return one report line each."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, learner in learners.items():
        learner.save(folder / SINUSOID_FILES[name])
        final = learner.history_[-100:].mean()
        lines.append(f"{name}: final meta-loss {final:.3f} -> {SINUSOID_FILES[name]}")
    write_checksums(folder, [SINUSOID_FILES[name] for name in learners])
    return lines
