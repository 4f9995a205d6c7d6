"""A platform's limit shared with the bot's other processes, one store round trip per batch.

Every send, after its tokens from this process's buckets (bot.delivery.ratelimit), takes a
*send slot* from the store (bot.store.pace): an instant at which it may leave, one `spacing`
apart across every process. Slots are reserved several at a time, as many as this process
has sends waiting (at most `BATCH_SECONDS` of the platform's rate), so a fan-out costs one
round trip per batch, and a lone command reply reserves just its own.

A slot must be used on time: one more than `spacing` late is dropped, not spent, so a process
that fell behind (a busy event loop) cannot catch up in a burst another process's sends
already fill. A dropped slot is lost capacity, never an extra send.

The pauses in force (chats the platform told to wait, in any process) come back with each
reservation and are applied here; a refusal this process receives is noted in the store at
once, for the others.

A platform's limit is per bot (Telegram counts per token, Discord per application), so the
budget's bucket is named after the bot, not only the platform (`pace_bucket`): two bots of one
platform on one database each keep their own. The name holds the bot's public id, never its
secret: the part of a Telegram token before the colon, the application id a Discord token
starts with.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.audience import ChatRef
from bot.store.pace import EVERY_CHAT, SendSlots, SharedPace

if TYPE_CHECKING:
    from bot.delivery.ratelimit import PlatformLimiter

__all__ = ["BATCH_SECONDS", "PaceStats", "SharedPacer", "pace_bucket", "shared_pacer"]

log = logging.getLogger("pitboard.delivery")

# A batch holds at most this many seconds of the platform's rate: 7 slots at Telegram's 30 a
# second, 12 at Discord's 50. Longer batches cost fewer round trips, but slots reserved for
# sends that never come are lost to every process.
BATCH_SECONDS = 0.25

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
PauseSink = Callable[[str, float], None]


@dataclass
class PaceStats:
    reservations: int = 0  # store round trips for slots
    slots: int = 0  # slots reserved
    used: int = 0  # slots a send left at
    dropped: int = 0  # slots missed (too late) and not spent
    pauses_noted: int = 0
    unshared: int = 0  # sends that went on their own buckets alone: the store failed


class SharedPacer:
    def __init__(
        self,
        store: SharedPace,
        bucket: str,
        per_second: float,
        *,
        on_pause: PauseSink,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        batch_seconds: float = BATCH_SECONDS,
    ) -> None:
        self.store = store
        self.bucket = bucket
        self.spacing = 1.0 / per_second
        self.max_batch = max(1, int(per_second * batch_seconds))
        self._batch_seconds = batch_seconds
        self.stats = PaceStats()
        self._on_pause = on_pause
        self._monotonic = monotonic
        self._sleep = sleep
        self._slots: deque[float] = deque()  # reserved slots, in this process's monotonic time
        self._recent: deque[float] = deque()  # when slots were handed out, the last batch's time
        self._lock = asyncio.Lock()
        self._waiting = 0
        self._notes: set[asyncio.Task[None]] = set()

    async def take(self, demand: int = 0) -> None:
        """Wait for this process's next shared slot. `demand`: sends queued behind this one
        (a hint for the batch size)."""
        self._waiting += 1
        try:
            async with self._lock:
                slot = await self._next_slot(demand)
        finally:
            self._waiting -= 1
        delay = slot - self._monotonic()
        if delay > 0:
            await self._sleep(delay)
        self.stats.used += 1

    async def _next_slot(self, demand: int) -> float:
        now = self._monotonic()
        while self._slots and self._slots[0] + self.spacing < now:
            self._slots.popleft()
            self.stats.dropped += 1
        if not self._slots:
            # This send, those queued behind it here, and those the caller says are coming; or,
            # when more, as many as went out in the last batch's time: sends waiting for their
            # slots now come back for more (with another process sharing the limit, the slots
            # and not this process's own buckets are what hold them back).
            while self._recent and self._recent[0] < now - self._batch_seconds:
                self._recent.popleft()
            wanted = max(demand + self._waiting, len(self._recent))
            count = min(self.max_batch, max(1, wanted))
            try:
                granted = await self.store.reserve_send_slots(self.bucket, count, self.spacing)
            except Exception as error:
                # The database is away: this send keeps to this process's own buckets rather
                # than fail (the other processes cannot reach it either, and send little).
                self.stats.unshared += 1
                log.warning("%s: no shared send slot (%s)", self.bucket, type(error).__name__)
                return now
            self._apply(granted)
        self._recent.append(now)
        return self._slots.popleft()

    def _apply(self, granted: SendSlots) -> None:
        self.stats.reservations += 1
        self.stats.slots += granted.count
        # The server's "first in" counts from when it answered: counting it from the answer's
        # arrival here errs late by the way back, which is the safe side.
        start = self._monotonic() + granted.first_in
        self._slots.extend(start + n * granted.spacing for n in range(granted.count))
        for chat_id, seconds in granted.pauses:
            self._on_pause(chat_id, seconds)

    def note_pause(self, chat_id: str | None, seconds: float) -> None:
        """Tell the other processes (in the background: the refused send goes on with its
        retry meanwhile) that a chat, or the platform (None), must wait `seconds`."""
        task = asyncio.get_running_loop().create_task(
            self._note(EVERY_CHAT if chat_id is None else chat_id, seconds)
        )
        self._notes.add(task)
        task.add_done_callback(self._notes.discard)

    async def _note(self, chat_id: str, seconds: float) -> None:
        try:
            await self.store.note_send_pause(self.bucket, chat_id, seconds)
            self.stats.pauses_noted += 1
        except Exception as error:  # the local pause holds; the others learn nothing
            log.warning("%s: could not share a pause for %s: %s", self.bucket, chat_id, error)

    async def settle(self) -> None:
        """Wait for pauses still being noted (for stop() and tests)."""
        if self._notes:
            await asyncio.gather(*self._notes, return_exceptions=True)


def pace_bucket(platform: str, token: str | None) -> str:
    """The name of one bot's shared budget: "telegram:123456" for the token "123456:AA…".

    Only the bot's public id goes into it (it is stored, and shown in the database): the
    part of a Telegram token before the colon; the id a Discord token starts with (base64 of
    the bot's user id, which is its application's id). A token of another shape is named by
    a short digest, from which the token cannot be recovered."""
    if not token:
        return platform
    head = token.split(":" if platform == "telegram" else ".", 1)[0]
    if platform == "telegram" and head.isdigit():
        return f"{platform}:{head}"
    if platform == "discord" and head:
        try:
            decoded = base64.b64decode(head + "=" * (-len(head) % 4), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        if decoded.isdigit():
            return f"{platform}:{decoded}"
    return f"{platform}:{hashlib.sha256(token.encode()).hexdigest()[:16]}"


def shared_pacer(
    store: SharedPace, platform: str, limiter: PlatformLimiter, bucket: str | None = None
) -> SharedPacer:
    """The pacer of `platform` for `limiter`: slots at the limiter's global rate (margin kept),
    and the pauses the other processes learnt applied to its chats. `bucket`: the bot's
    budget (`pace_bucket`); the platform's name when not given."""

    def paused(chat_id: str, seconds: float) -> None:
        if chat_id == EVERY_CHAT:
            limiter.pause(seconds)
        else:
            limiter.pause_chat(ChatRef(platform, chat_id), seconds)

    return SharedPacer(
        store, bucket or platform, limiter.limits.global_refill_per_second(), on_pause=paused
    )
