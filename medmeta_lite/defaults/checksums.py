"""SHA-256 checksums of the committed model files, kept in ``checksums.json`` beside them.

The command that trains the default models writes the checksums; the loaders verify a file before they
read it, so a damaged, truncated or replaced file is reported by name, with what is wrong and the command
that regenerates it, instead of failing deep inside numpy or loading wrong weights.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = "checksums.json"


def file_sha256(path) -> str:
    """SHA-256 of a file's bytes, as 64 hexadecimal digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(folder, names) -> Path:
    """Record the SHA-256 of each file ``names`` in ``folder/checksums.json`` (other entries are kept)."""
    folder = Path(folder)
    manifest = folder / MANIFEST
    entries = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    entries |= {name: file_sha256(folder / name) for name in names}
    manifest.write_text(json.dumps(dict(sorted(entries.items())), indent=1) + "\n", encoding="utf-8")
    return manifest


def verify(folder, name: str, command: str) -> Path:
    """Return ``folder/name`` after checking it against ``folder/checksums.json``.

    Raises
    ------
    FileNotFoundError
        The file or the manifest is missing; the message names the command that rebuilds both.
    ValueError
        The file's checksum differs from the manifest's, or the manifest does not list it.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "weights.npz").write_bytes(b"weights")
    >>> _ = write_checksums(folder, ["weights.npz"])
    >>> verify(folder, "weights.npz", "make weights").name
    'weights.npz'
    >>> _ = (folder / "weights.npz").write_bytes(b"weightz")
    >>> verify(folder, "weights.npz", "make weights")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: weights.npz in ... does not match its checksum ...; regenerate it with `make weights`
    """
    folder = Path(folder)
    path, manifest = folder / name, folder / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{name} is missing from {folder}; build it with `{command}`")
    if not manifest.is_file():
        raise FileNotFoundError(f"{MANIFEST} is missing from {folder}, so {name} cannot be verified; "
                                f"regenerate the models and their checksums with `{command}`")
    try:
        expected = json.loads(manifest.read_text(encoding="utf-8")).get(name)
    except (ValueError, AttributeError) as error:
        raise ValueError(f"{manifest} is not a readable checksum list ({error}); regenerate it with "
                         f"`{command}`") from error
    if expected is None:
        raise ValueError(f"{manifest} has no checksum for {name}; regenerate it with `{command}`")
    actual = file_sha256(path)
    if actual != expected:
        raise ValueError(f"{name} in {folder} does not match its checksum in {MANIFEST} (expected sha256 "
                         f"{expected[:12]}…, found {actual[:12]}…): the file is damaged, truncated or was "
                         f"replaced; regenerate it with `{command}`")
    return path
