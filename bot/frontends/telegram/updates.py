"""Handling Telegram updates concurrently across chats, in order within each chat.

PTB handles one update at a time by default. A reply waits for its chat's own token bucket
(one message a second; 20 a minute in a group), so a fan sending ten commands at once kept every
other fan waiting behind those ten replies. Here each chat gets its turn in the order its
updates arrived, and updates of different chats run side by side: one busy chat can only slow
itself down.

The order within a chat matters: "/subscribe tcr" then "/settings" must be answered in that
order, and a chat's replies must not overtake each other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Coroutine, Hashable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger("pitboard.telegram")

# PTB holds one slot of this for each update being handled, including those waiting for their
# chat's turn: high enough that a chat with a backlog cannot take every slot (its commands
# beyond the throttle's burst are dropped at once anyway), low enough to bound memory.
MAX_CONCURRENT_UPDATES = 1024


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


def chat_key(update: object) -> Hashable | None:
    """The chat an update belongs to (None: it has no chat and needs no order)."""
    if isinstance(update, Update):
        chat = update.effective_chat
        if chat is not None:
            return chat.id
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return None


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Updates of one chat one after another, in arrival order; different chats at once."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[Hashable, _Turn] = {}
        self._running: set[asyncio.Task[Any]] = set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            if key is None:
                await coroutine
                return
            # asyncio.Lock hands itself over first come, first served, and PTB starts one task
            # per update in arrival order: a chat's updates take their turns in that order.
            turn = self._turns.get(key)
            if turn is None:
                turn = self._turns[key] = _Turn()
            turn.users += 1
            try:
                async with turn.lock:
                    await coroutine
            except asyncio.CancelledError:
                if isinstance(coroutine, Coroutine):
                    coroutine.close()  # cancelled before its turn came: it never started
                raise
            finally:
                turn.users -= 1
                if turn.users == 0:
                    del self._turns[key]
        finally:
            if task is not None:
                self._running.discard(task)

    def waiting_chats(self) -> int:
        """How many chats have updates being handled or waiting (for /status and tests)."""
        return len(self._turns)

    async def settle(self, grace: float) -> None:
        """At shutdown, beside `Application.stop()`: let the updates being handled finish for
        up to `grace` seconds, then cancel the rest. A reply still waiting for its chat's token
        (a group allows one every three seconds) would otherwise hold the stop for as long as
        that chat's backlog lasts."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while self._running:
            remaining = deadline - loop.time()
            if remaining <= 0:
                late = set(self._running)
                log.warning("telegram: %d updates not handled when stopping", len(late))
                for task in late:
                    task.cancel()
                await asyncio.wait(late)
                return
            await asyncio.wait(set(self._running), timeout=remaining)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
