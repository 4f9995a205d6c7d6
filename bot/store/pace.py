"""The platforms' limits shared by every process: what an engine that can share them offers.

A platform counts a bot's sends per token, not per process: two processes sending at the
platform's rate each send twice too fast together. An engine that several processes share
(PostgreSQL: `bot.store.postgres_pace`) hands out *send slots*: instants, one `spacing` apart
across every process, at which one send may leave. A process reserves several at once (one
round trip for a batch of sends) and sends each at its slot. The SQLite engine is one process's
and offers none of this: its engine keeps the limits in memory (bot.delivery.ratelimit).

Pauses ("retry after" for one chat, or for the whole platform) are shared the same way: noted
by the process that was refused, read by every process with its next reservation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["EVERY_CHAT", "SendSlots", "SharedPace"]

# The chat id of a pause for every chat of the platform (its global limit).
EVERY_CHAT = "*"


@dataclass(frozen=True)
class SendSlots:
    """`count` slots, the first `first_in` seconds from now (0 or more), then one every
    `spacing` seconds; `pauses`: (chat id, seconds left) of every chat told to wait."""

    first_in: float
    count: int
    spacing: float
    pauses: tuple[tuple[str, float], ...] = ()


@runtime_checkable
class SharedPace(Protocol):
    async def reserve_send_slots(self, bucket: str, count: int, spacing: float) -> SendSlots:
        """Reserve `count` consecutive slots of `bucket` (at least `spacing` seconds apart,
        counting every process's slots) and read the pauses in force."""
        ...

    async def note_send_pause(self, bucket: str, chat_id: str, seconds: float) -> None:
        """`chat_id` of `bucket` (EVERY_CHAT: all of them) waits `seconds` from now, in every
        process; a longer pause already noted is kept."""
        ...
