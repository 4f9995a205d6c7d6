"""Chats' rows kept in memory between commands, valid while the database has not changed.

Every command reads its chat's row (zone, language, spoilers), and that read was a round trip to
aiosqlite's thread, a tenth of a command's own CPU on a busy machine (issue 11). The rows read
are kept here, together with the database's `PRAGMA data_version` at the time: a number that
changes with every commit made by any other connection, this process's own aiosqlite
connection and another process alike. It is asked on a small connection of its own, on the
event loop's thread, without a round trip: a few microseconds, and never a wait (busy_timeout
is 0; a busy answer counts as a change). Any commit, a settings change or a delivery's outcome,
empties the cache, so a command never sees a row older than the last commit before it; an idle
bot answers from memory.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import OrderedDict
from pathlib import Path

from bot.core.audience import Chat, ChatRef

__all__ = ["ChatRows"]

log = logging.getLogger(__name__)

# Rows kept: far more than the chats asking at once; a row is a few hundred bytes.
MAX_ROWS = 10_000


class ChatRows:
    """The rows read since the last commit anyone made; `ChatRows.open(path)` or None."""

    def __init__(self, watch: sqlite3.Connection, limit: int = MAX_ROWS) -> None:
        self._watch = watch
        self._limit = max(1, limit)
        self._rows: OrderedDict[ChatRef, Chat] = OrderedDict()
        self._version: int | None = None

    @classmethod
    def open(cls, path: Path) -> ChatRows | None:
        """A cache for the database at `path`; None when it cannot watch it (then every read
        goes to the database, as before)."""
        try:
            watch = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            watch.execute("PRAGMA busy_timeout = 0")
            watch.execute("PRAGMA query_only = 1")
        except sqlite3.Error as error:
            log.warning("chat rows not kept in memory: %s", error)
            return None
        return cls(watch)

    def version(self) -> int | None:
        """The database's version now (None: unknown, treated as changed). A change since
        the rows were read forgets them all."""
        try:
            version = int(self._watch.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            version = None
        if version is None or version != self._version:
            self._rows.clear()
            self._version = version
        return version

    def get(self, ref: ChatRef) -> tuple[Chat | None, int | None]:
        """The row kept since the last commit (None: not kept, read it) and the version now,
        to hand to `keep` with the row read: one look at the version per call."""
        version = self.version()
        return (None if version is None else self._rows.get(ref)), version

    def keep(self, chat: Chat, read_at: int | None) -> None:
        """Keep a row read from the database when the version was `read_at` (taken before
        the read): kept only if nothing was committed since, so a read that raced with a
        commit is never kept."""
        if read_at is None or read_at != self._version or read_at != self.version():
            return
        self._rows[chat.ref] = chat
        self._rows.move_to_end(chat.ref)
        while len(self._rows) > self._limit:
            self._rows.popitem(last=False)

    def forget(self) -> None:
        """Forget every row (this process is about to change chats)."""
        self._rows.clear()
        self._version = None

    def __len__(self) -> int:
        return len(self._rows)

    def close(self) -> None:
        self._rows.clear()
        self._watch.close()
