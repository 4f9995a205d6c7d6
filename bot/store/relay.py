"""Telegram updates handed between webhook workers through a store several processes share.

Telegram pushes every update of a bot to one URL; behind it (a reverse proxy spreading the
requests) several worker processes each receive some. Each keeps what it receives in the
store, under its chat's *partition* (chat id modulo the number of workers), and answers
Telegram once it is kept; each worker takes, in update order, only its own partition's
updates. So a chat's updates are all answered by one worker, in order, each once (a retried
push has the same update id and is kept once), and what that worker keeps in memory per chat
(the per-fan command throttle) holds for the whole deployment.

A worker hears at once that an update of its partition was kept by another worker
(`watch_relayed_updates`: LISTEN/NOTIFY on PostgreSQL), and looks for its updates slowly
besides, for a notification lost while its listening connection was down.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["UpdateRelay"]


@runtime_checkable
class UpdateRelay(Protocol):
    async def relay_update(self, update_id: int, part: int, body: str) -> bool:
        """Keep a received update for partition `part`; False: it was kept before."""
        ...

    async def take_relayed_updates(self, part: int, limit: int) -> list[tuple[int, str]]:
        """The oldest `limit` updates of `part` not taken yet, in update order, now taken."""
        ...

    async def watch_relayed_updates(self, part: int, wake: Callable[[], None]) -> bool:
        """From now on call `wake` (in the event loop) whenever an update of `part` is kept,
        by any process. Calling it again with the same `wake` adds nothing; it listens again
        if the listening connection was lost. False while it cannot listen (the database
        is away): the caller polls, and calls again later."""
        ...
