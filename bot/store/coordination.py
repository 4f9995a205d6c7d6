"""What processes sharing one store tell each other: who plans, and what just changed.

Several bot processes on one PostgreSQL database must agree on one planning leader (the
announcer runs in exactly one of them) and hear at once of work another process made (new
deliveries to send, schedule files reloaded, a replan asked for) instead of polling for it.
`Coordinator` is that conversation; `LocalCoordinator` is the one-process case (SQLite, or a
test): the process always leads and hears only itself. `bot.store.postgres_coordination` holds
the PostgreSQL one (an advisory lock and LISTEN/NOTIFY on a connection of its own).

Engine-neutral: it imports nothing but the standard library.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

__all__ = [
    "CLOCK",
    "ENQUEUED",
    "RELOADED",
    "REPLAN",
    "Coordinator",
    "LocalCoordinator",
    "Signal",
]

Signal = str
# New deliveries were enqueued: every process's delivery engine looks for them now.
ENQUEUED: Signal = "enqueued"
# The schedule files changed and one process reloaded them: every process reloads its catalog.
RELOADED: Signal = "reloaded"
# Something the plan depends on changed in a process that does not plan (a chat's reminder
# offsets): the leader plans again.
REPLAN: Signal = "replan"

# The planning leader moved a replay's clock (bot.store.replay_clock): every process reads it.
CLOCK: Signal = "clock"

Listener = Callable[[Signal], None]


class Coordinator(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None:
        """Let go of leadership (if held) and stop listening."""
        ...

    async def try_lead(self) -> bool:
        """Become the planning leader if no live process is; True while this one leads."""
        ...

    def leading(self) -> bool:
        """Whether this process still holds the leadership (False once its hold is lost)."""
        ...

    async def signal(self, signal: Signal) -> None:
        """Tell every other process; never raises (a lost signal is covered by polling)."""
        ...

    def listen(self, listener: Listener) -> None:
        """Call `listener` with each signal another process sends (in the event loop)."""
        ...


class LocalCoordinator:
    """One process alone on its store: always the leader; there is no one else to tell."""

    def __init__(self) -> None:
        self._open = False

    async def open(self) -> None:
        self._open = True

    async def close(self) -> None:
        self._open = False

    async def try_lead(self) -> bool:
        return self._open

    def leading(self) -> bool:
        return self._open

    async def signal(self, signal: Signal) -> None:
        return None

    def listen(self, listener: Listener) -> None:
        return None
