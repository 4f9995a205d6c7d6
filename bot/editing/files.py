"""Reading the schedules folder's texts and writing one file atomically.

A file is written to a temporary file in the same folder, flushed to disk, then renamed over
the old one (`os.replace`): a reader (the bot's folder watch, a text editor) sees the old text
or the new one, never half of it. The temporary name does not end in `.toml`, so the watch and
the loader never read it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def read_texts(directory: Path) -> dict[str, str]:
    """Every schedule file's text by relative path ("2022/tcr-germany.toml")."""
    texts = {}
    for path in sorted(directory.rglob("*.toml")):
        if path.is_file():
            texts[path.relative_to(directory).as_posix()] = path.read_text(encoding="utf-8")
    return texts


def write_atomically(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """The rename itself is durable only once the folder is synced (POSIX; not on Windows)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
