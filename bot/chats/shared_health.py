"""Channel health known to every process of a deployment on one store (issue 14).

With several processes, the one that finds a channel it cannot post in (a Discord channel
deleted, a Telegram channel where the bot is no admin) is seldom the one an admin asks for
/status. `SharedChannelHealth` keeps the channels' problems in the store as well as in
memory: a report or a clear is written in the background (in the order they were made; the
sender that found it does not wait for the database), and /status reads the store first
(`refresh`), so every process shows every process's findings.

A process that finds a channel fine (a post went out) clears the problem in the store only if
it knows of it; it learns what the others noted at each /status and, while it posts, at most
every `REFRESH_SECONDS`, and then clears what it found fine since. So a problem another process
noted is cleared at most that long after the first good post anywhere. Problems of the
process's own front-ends (one that could not start) stay in memory: they are its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from bot.chats.health import ChannelHealth

__all__ = ["REFRESH_SECONDS", "ChannelProblems", "SharedChannelHealth"]

log = logging.getLogger("pitboard.chats")

REFRESH_SECONDS = 30.0


class ChannelProblems(Protocol):
    """What the store offers (bot.store.protocol: `Store.note_channel_problem`)."""

    async def note_channel_problem(self, channel: str, problem: str | None) -> None: ...

    async def channel_problems(self) -> dict[str, str]: ...


class SharedChannelHealth(ChannelHealth):
    def __init__(
        self,
        store: ChannelProblems,
        *,
        refresh_seconds: float = REFRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._store = store
        self._refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._lock = asyncio.Lock()  # writes and reads reach the store in the order made
        self._unwritten: dict[str, int] = {}  # channel -> writes of it not done yet
        self._found_fine: set[str] = set()  # channels cleared here since the last read
        self._read_at: float | None = None
        self._reading: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def report(self, channel: str, problem: str) -> None:
        self._found_fine.discard(channel)
        if self._problems.get(channel) != problem:
            super().report(channel, problem)
            self._note(channel, problem)
        self._refresh_soon()

    def clear(self, channel: str) -> None:
        self._found_fine.add(channel)
        if channel in self._problems:
            super().clear(channel)
            self._note(channel, None)
        self._refresh_soon()

    async def refresh(self) -> None:
        """Read every process's problems; clear in the store those found fine here since."""
        async with self._lock:  # after every write made before: the read includes them
            found_fine, self._found_fine = self._found_fine, set()
            try:
                stored = await self._store.channel_problems()
            except Exception as error:
                log.warning("cannot read the channels' problems: %s", type(error).__name__)
                self._found_fine |= found_fine
                return
            self._read_at = self._monotonic()
        # Changed here after the read (reported again, say): this process's word stands.
        stale = sorted(found_fine & stored.keys() - self._unwritten.keys())
        for channel in stale:
            del stored[channel]
        for channel in self._unwritten:
            if channel in self._problems:
                stored[channel] = self._problems[channel]
            else:
                stored.pop(channel, None)
        self._problems = stored
        for channel in stale:
            self._note(channel, None)

    async def settle(self) -> None:
        """Wait for the writes and reads under way (for stop() and tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- plumbing --------------------------------------------------------------------------

    def _note(self, channel: str, problem: str | None) -> None:
        self._unwritten[channel] = self._unwritten.get(channel, 0) + 1
        if self._spawn(self._write(channel, problem)) is None:
            self._written(channel)  # no event loop: memory only

    async def _write(self, channel: str, problem: str | None) -> None:
        try:
            async with self._lock:
                await self._store.note_channel_problem(channel, problem)
        except Exception as error:  # known here still; the others learn it at the next one
            log.warning("cannot note the problem of %s: %s", channel, type(error).__name__)
        finally:
            self._written(channel)

    def _written(self, channel: str) -> None:
        left = self._unwritten.get(channel, 1) - 1
        if left > 0:
            self._unwritten[channel] = left
        else:
            self._unwritten.pop(channel, None)

    def _refresh_soon(self) -> None:
        if self._reading is not None and not self._reading.done():
            return
        if self._read_at is not None and self._monotonic() - self._read_at < self._refresh_seconds:
            return
        self._reading = self._spawn(self.refresh())

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
        try:
            task = asyncio.get_running_loop().create_task(work)
        except RuntimeError:  # called outside the event loop (a test, a script)
            work.close()
            return None
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task
