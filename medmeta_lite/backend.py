"""TensorFlow and Keras, imported on their first use.

Importing TensorFlow costs about 4 s and 500 MB, so ``import medmeta_lite`` and the notebooks that never
train a network must not pay for it. Every module reaches TensorFlow and Keras through the two names
defined here, ``tf`` and ``keras``: they behave like the modules, and import them the first time an
attribute is read. This is the package's only deferred import.
"""

from __future__ import annotations

import importlib
import os
import sys
import types

# TensorFlow reads these once, when it is first imported. Set here, however JupyterLab was started, they keep
# its start-up log out of the notebooks and keep TensorFlow's own CPU kernels rather than oneDNN's: with
# oneDNN, TensorFlow 2.21 crashed the process (a segmentation fault, a heap corruption) in two of four runs
# of the unit suite, and the committed weights were trained without it. DEVELOPERS.md has the measurements.
# A value the user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


# A TensorFlow import stopped half-way cannot be undone or repeated in the same process (its C++ runtime
# stays half-registered), so after an interrupt every later use says so instead of failing obscurely.
_INTERRUPTED: list[str] = []


class LazyModule(types.ModuleType):
    """A stand-in for a module that imports the real one when an attribute is first read.

    Parameters
    ----------
    name : str
        The module to import, e.g. ``"tensorflow"``.

    Examples
    --------
    >>> math = LazyModule("math")
    >>> math.sqrt(16.0)
    4.0
    """

    def __getattr__(self, attribute: str):
        if _INTERRUPTED:
            raise RuntimeError(f"the first import of {_INTERRUPTED[0]} was interrupted (Ctrl-C), which "
                               f"leaves TensorFlow half-loaded in this process; restart the kernel (Kernel > "
                               f"Restart Kernel) or the Python session, then run the cells again")
        try:
            module = importlib.import_module(self.__name__)
        except KeyboardInterrupt:
            _INTERRUPTED.append(self.__name__)
            raise KeyboardInterrupt(f"the import of {self.__name__} was interrupted; restart the kernel "
                                    f"before using TensorFlow in this process") from None
        value = getattr(module, attribute)
        # Cache on the stand-in, so later reads are plain attribute look-ups.
        setattr(self, attribute, value)
        return value

    def __repr__(self) -> str:
        state = "imported" if self.__name__ in sys.modules else "not imported yet"
        return f"<lazy module {self.__name__!r} ({state})>"


tf = LazyModule("tensorflow")
keras = LazyModule("keras")


def tensorflow_loaded() -> bool:
    """Whether TensorFlow has been imported in this process (by the package or by anyone else)."""
    return "tensorflow" in sys.modules
