"""The SQLite database as files on disk: private permissions, and a marker against silent loss.

Subscriptions, chat ids and the delivery log are personal data: the database's folder is created
0700 and the file 0600 before SQLite touches it (SQLite gives its -wal and -shm files the
database file's permissions, so they follow).

A database that vanished while chats were subscribed (a wrong volume mounted, a deleted data
folder) must not be recreated empty without anyone noticing: every fan would silently stop
getting posts. So while the database holds chats, a marker file sits next to it
(`<name>.in-use`); a start that finds the marker but not the database refuses, until the
operator restores the file or says `--new-database`.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.store.protocol import StoreError

__all__ = ["DatabaseMissing", "marker_path", "prepare_file", "remember_database"]


class DatabaseMissing(StoreError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"the database {path} is gone, but {marker_path(path)} says it held chats; "
            "restore it, or start with --new-database to begin with an empty one"
        )
        self.path = path


def marker_path(database: Path) -> Path:
    return database.with_name(database.name + ".in-use")


def prepare_file(database: Path, *, new_database: bool = False) -> None:
    """Create the folder (0700) and an empty file (0600) if missing; refuse a vanished one.

    Blocking file calls: run it in a thread from async code.
    """
    if not database.exists() and marker_path(database).exists() and not new_database:
        raise DatabaseMissing(database)
    try:
        if not database.parent.exists():
            database.parent.mkdir(parents=True, mode=0o700)
        # O_EXCL: a file that appeared meanwhile keeps the permissions it was given.
        descriptor = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as error:
        reason = error.strerror or str(error)
        raise StoreError(f"cannot create the database {database}: {reason}") from error
    os.close(descriptor)


def remember_database(database: Path, holds_chats: bool) -> None:
    """Keep the marker in step with whether the database holds chats (best effort)."""
    marker = marker_path(database)
    try:
        if holds_chats:
            if not marker.exists():
                descriptor = os.open(marker, os.O_WRONLY | os.O_CREAT, 0o600)
                os.write(descriptor, b"Pitboard's database next to this file holds chats.\n")
                os.close(descriptor)
        else:
            marker.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only folder: the database itself reports that more clearly
