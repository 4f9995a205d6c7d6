"""A few answers worked out at once, each holding its turn into its reply's first moments.

Fifty fans asking at once used to get their answers worked out four at a time, while every
reply went out as soon as its answer was ready. The sends piled up: each is several steps
through the HTTP client (and, in tests, a fake Bot API on the same event loop), and with
dozens of them in flight every step waited behind all the others, so most replies reached
the fans near the end of the crowd (the median at 0.7–0.9 of the slowest). Holding the turn
until the reply is sent lets the first answers reach their fans first.

A reply that waits, though (for its chat's one-a-second token, or a slow network), must not
hold the turn: four fans each asking twice would otherwise stall everyone for a second. So
the turn is held into the send for at most `hold_seconds`, then handed to the next question
while the reply goes on by itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

__all__ = ["AnswerSlots", "Slot"]


class Slot:
    """One question's turn: held from working out the answer into sending the reply."""

    def __init__(self, slots: asyncio.Semaphore, hold_seconds: float) -> None:
        self._slots = slots
        self._hold_seconds = hold_seconds
        self._held = True

    async def send(self, sending: Awaitable[None]) -> None:
        """Await `sending` (the reply), keeping the turn for its first `hold_seconds` only."""
        task = asyncio.ensure_future(sending)
        try:
            await asyncio.wait({task}, timeout=self._hold_seconds)
        except BaseException:  # cancelled while the reply was under way: it goes too
            task.cancel()
            await asyncio.wait({task})  # and has wound up (its limiter told) before we go
            raise
        self.release()
        await task

    def release(self) -> None:
        if self._held:
            self._held = False
            self._slots.release()


class AnswerSlots:
    """`at_once` questions worked out at a time, first come first served."""

    def __init__(self, at_once: int, hold_seconds: float) -> None:
        self._slots = asyncio.Semaphore(at_once)
        self._hold_seconds = hold_seconds

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[Slot]:
        await self._slots.acquire()
        slot = Slot(self._slots, self._hold_seconds)
        try:
            yield slot
        finally:
            slot.release()
