"""One platform's lane: its sender, its limiter, its queue of claimed deliveries, its tasks.

The engine decides what to do with a delivery; the lane only holds the moving parts: the
queue between the feeder and the workers (with a low-water mark, so the feeder claims in
batches rather than one by one), deliveries parked in memory while their chat's own bucket
refills, and which workers are mid-send so that `stop()` lets exactly those finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.core.audience import Chat, ChatRef
from bot.delivery.errors import RetryAfter
from bot.delivery.posts import send_part
from bot.delivery.ratelimit import Grant, PlatformLimiter
from bot.delivery.sender import Sender
from bot.store.records import Delivery

__all__ = ["Lane", "LaneStats"]

log = logging.getLogger("pitboard.delivery")


@dataclass
class LaneStats:
    """Counts since the engine was built, for /status and the benchmark."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    rate_limited: int = 0  # RetryAfter answers from the platform
    migrated: int = 0
    blocked: int = 0
    parked: int = 0  # sends set aside while their chat's bucket refilled


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


# i18n: not user text (a type's name)
Feed = Callable[["Lane"], Coroutine[Any, Any, None]]
# deliver(lane, delivery, unparked): unparked is True for a delivery back from parking.
# i18n: not user text (a type's name)
Deliver = Callable[["Lane", Delivery, bool], Coroutine[Any, Any, None]]


class Lane:
    def __init__(
        self, platform: str, sender: Sender, limiter: PlatformLimiter, *, capacity: int
    ) -> None:
        self.platform = platform
        self.sender = sender
        self.limiter = limiter
        self.capacity = max(2, capacity)
        self.stats = LaneStats()
        self._queue: asyncio.Queue[tuple[Delivery, bool]] | None = None
        self._wakeup = asyncio.Event()
        self._parked: list[tuple[float, int, Delivery]] = []
        self._parked_chats: dict[ChatRef, int] = {}  # how many are parked per chat
        self._parked_slots: dict[ChatRef, float] = {}  # when the chat's last one comes back
        self._order = itertools.count()
        self._feeder: asyncio.Task[None] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._sending: set[asyncio.Task[object]] = set()
        self._stopping = False
        self._turns: dict[ChatRef, _Turn] = {}

    # --- tasks -------------------------------------------------------------------------------

    def start(self, feed: Feed, deliver: Deliver, workers: int) -> None:
        self._queue = asyncio.Queue()
        self._forget_parked()
        self._stopping = False
        self._wakeup = asyncio.Event()  # made here: an Event belongs to the running loop
        self._feeder = asyncio.create_task(feed(self), name=f"delivery-feed-{self.platform}")
        self._workers = [
            asyncio.create_task(self._work(deliver), name=f"delivery-{self.platform}-{n}")
            for n in range(workers)
        ]

    async def stop(self, grace: float) -> None:
        """Cancel the feeder and idle workers; give workers mid-send `grace` seconds."""
        self._stopping = True
        tasks = [t for t in [self._feeder, *self._workers] if t is not None]
        for task in tasks:
            if task not in self._sending:
                task.cancel()
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace)
            for task in late:
                log.warning("%s: a send did not finish within %.0f s", self.platform, grace)
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        # Claimed but unsent deliveries are still SENDING in the store: the engine gives them
        # back once every outcome is written (and since they were never sent, that repeats
        # nothing).
        self._feeder, self._workers, self._queue = None, [], None
        self._forget_parked()

    def _forget_parked(self) -> None:
        self._parked.clear()
        self._parked_chats.clear()
        self._parked_slots.clear()

    async def _work(self, deliver: Deliver) -> None:
        queue = self._queue
        assert queue is not None
        while not self._stopping:
            delivery, unparked = await queue.get()
            if queue.qsize() <= self.capacity // 2:
                self._wakeup.set()  # room for the feeder's next batch
            await deliver(self, delivery, unparked)

    @contextlib.asynccontextmanager
    async def chat_turn(self, ref: ChatRef) -> AsyncIterator[None]:
        """One send at a time per chat, in the order the workers asked: posts to a chat keep
        their order (a chat's limit allows about one a second anyway, so this costs nothing)."""
        turn = self._turns.get(ref)
        if turn is None:
            turn = self._turns[ref] = _Turn()
        turn.users += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[ref]

    def chat_busy(self, ref: ChatRef) -> bool:
        return ref in self._turns

    @contextlib.contextmanager
    def sending(self) -> Iterator[None]:
        """Marks the current worker as mid-send: stop() waits for it instead of cancelling."""
        task = asyncio.current_task()
        if task is None:
            yield
            return
        self._sending.add(task)
        try:
            yield
        finally:
            self._sending.discard(task)

    async def send(self, chat: Chat, part: Any, grant: Grant) -> str | None:
        """Send one message with the tokens `grant` took. However it ends, the limiter hears
        that the request is over, so its count of the last second holds the arrival."""
        try:
            return await send_part(self.sender, chat, part)
        finally:
            self.limiter.finished(grant)

    # --- the queue -----------------------------------------------------------------------------

    def room(self) -> int:
        """How many deliveries the feeder should claim now: 0 until the queue is half empty."""
        if self._queue is None:
            return 0
        queued = self._queue.qsize()
        return self.capacity - queued if queued <= self.capacity // 2 else 0

    def enqueue(self, deliveries: Iterable[Delivery]) -> None:
        assert self._queue is not None
        for delivery in deliveries:
            self._queue.put_nowait((delivery, False))

    def nudge(self) -> None:
        self._wakeup.set()

    async def wait(self, seconds: float) -> None:
        """Sleep up to `seconds`, or until nudged. A nudge that came while the feeder was busy
        ends the next wait at once, so none is lost."""
        # asyncio.timeout, not wait_for: Python 3.11's wait_for returns normally when it is
        # cancelled just as the event is set (a worker nudging as stop() cancels the feeder),
        # and the feeder then went on claiming until stop()'s grace ran out.
        try:
            async with asyncio.timeout(max(0.0, seconds)):
                await self._wakeup.wait()
        except TimeoutError:
            pass
        finally:
            self._wakeup.clear()

    # --- parking -------------------------------------------------------------------------------

    def park(self, delivery: Delivery, seconds: float, spacing: float) -> None:
        """Set `delivery` aside for `seconds`, and at least `spacing` after the chat's last
        parked delivery: posts to one chat come back one by one, in the order they were
        parked, instead of all at once to race each other."""
        chat = delivery.chat
        at = time.monotonic() + seconds
        last = self._parked_slots.get(chat)
        if last is not None:
            at = max(at, last + spacing)
        self._parked_slots[chat] = at
        self._parked_chats[chat] = self._parked_chats.get(chat, 0) + 1
        heapq.heappush(self._parked, (at, next(self._order), delivery))
        self.stats.parked += 1
        self.nudge()

    def has_parked(self, chat: ChatRef) -> bool:
        """Whether posts to `chat` are set aside: a newer one must queue behind them."""
        return chat in self._parked_chats

    def parked_count(self) -> int:
        return len(self._parked)

    def next_parked_in(self) -> float | None:
        if not self._parked:
            return None
        return max(0.0, self._parked[0][0] - time.monotonic())

    def release_parked(self) -> None:
        now = time.monotonic()
        while self._parked and self._parked[0][0] <= now and self._queue is not None:
            _, _, delivery = heapq.heappop(self._parked)
            left = self._parked_chats[delivery.chat] - 1
            if left:
                self._parked_chats[delivery.chat] = left
            else:
                del self._parked_chats[delivery.chat]
                del self._parked_slots[delivery.chat]
            self._queue.put_nowait((delivery, True))

    # --- platform answers ----------------------------------------------------------------------

    def rate_limited(self, chat: Chat, answer: RetryAfter | float) -> None:
        """The platform answered "retry after" to a send to `chat` (the error, or just its
        seconds): that chat waits, and every send only when the platform called it global."""
        self.stats.rate_limited += 1
        if isinstance(answer, RetryAfter):
            seconds, platform_wide = answer.seconds, answer.platform_wide
        else:
            seconds, platform_wide = float(answer), False
        if self.limiter.refused(chat, seconds, platform_wide=platform_wide):
            log.info("%s asked us to wait %.1f s (global limit)", self.platform, seconds)
        else:
            log.info("%s asked us to wait %.1f s for %s", self.platform, seconds, chat.ref)
