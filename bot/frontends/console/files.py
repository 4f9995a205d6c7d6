"""A reply's image in the terminal: written to a file, whose path is printed with the reply."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bot.core.reply import Attachment

__all__ = ["default_directory", "save_attachment"]


def default_directory() -> Path:
    """Where images go when the app names no folder (it names the one beside its log)."""
    return Path(tempfile.gettempdir()) / "pitboard"


def save_attachment(attachment: Attachment, directory: Path) -> Path:
    """Write the image as `directory/<its filename>` (the latest chart of a series replaces the
    one before) and return the path."""
    directory.mkdir(parents=True, exist_ok=True)
    # Only the name's last part: a file name never picks another folder.
    path = directory / Path(attachment.filename).name
    path.write_bytes(attachment.data)
    return path
