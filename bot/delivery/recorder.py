"""What became of each delivery, written to the store in batches (write-behind).

A worker that has sent a post (or given up on it) hands the outcome to the `Recorder` and goes
on with the next delivery; the recorder writes every outcome gathered meanwhile with one
`Store.record_marks` call: one commit for the batch instead of one per message, which was most
of the engine's cost per message against SQLite.

The crash window, and why it is safe: an outcome waits in memory for at most `linger`
seconds plus the write before it (if a write is under way). Until then the delivery is still
SENDING in the store, exactly like a send in flight, so a process killed meanwhile loses no
delivery: once its lease expires it is taken back (`Store.reclaim_expired_leases`, and any
claim) and sent again, at most once, as any send in flight at a crash is. A post of several
messages resends only the messages whose `MarkPartSent` was not written yet. A graceful
`stop()` writes everything.

A batch the store refuses (one delivery deleted meanwhile, say) is written again mark by mark,
so one bad mark cannot lose the others; a mark that still fails is logged and its delivery
stays SENDING for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from bot.delivery.errors import describe
from bot.store.marks import DeliveryMark, MarkRetry
from bot.store.protocol import Store

__all__ = ["RECORD_LINGER_SECONDS", "Recorder"]

log = logging.getLogger("pitboard.delivery")

# How long the first outcome of a batch waits for others to join it. Short next to the time a
# chat waits between two posts anyway (a second), long enough that a Telegram-paced fan-out
# (30 a second) commits a handful at a time rather than one by one; at a faster pace the batch
# grows by itself while the previous one is being written.
RECORD_LINGER_SECONDS = 0.05


class Recorder:
    def __init__(
        self,
        store: Store,
        *,
        linger: float = RECORD_LINGER_SECONDS,
        on_retry: Callable[[], None] = lambda: None,
    ) -> None:
        self._store = store
        self._linger = max(0.0, linger)
        self._on_retry = on_retry  # a retry is written: the feeder may want to claim it later
        self._marks: list[DeliveryMark] = []
        self._ready = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._writing = asyncio.Lock()  # one write at a time: a delivery's marks stay in order
        self.writes = 0  # record_marks calls that succeeded
        self.written = 0  # marks they wrote

    @property
    def waiting(self) -> int:
        """Outcomes not written yet."""
        return len(self._marks)

    def start(self) -> None:
        if self._task is not None:
            return
        # Made here: an Event belongs to the running loop.
        self._ready, self._stopping = asyncio.Event(), asyncio.Event()
        if self._marks:
            self._ready.set()
        self._task = asyncio.create_task(self._run(), name="delivery-recorder")

    def add(self, mark: DeliveryMark) -> None:
        self._marks.append(mark)
        self._ready.set()

    async def flush(self) -> None:
        """Write every outcome waiting now, without waiting for the linger to end."""
        await self._write_waiting()

    async def stop(self) -> None:
        """Write every outcome still waiting, then stop."""
        task, self._task = self._task, None
        self._stopping.set()
        self._ready.set()
        if task is not None:
            await asyncio.wait([task])  # whatever ended it, what it left is written below
        await self._write_waiting()  # outcomes added after the task's last write, if any

    async def _run(self) -> None:
        while not self._stopping.is_set():
            await self._ready.wait()
            if self._linger:
                # Let other outcomes join this batch; stop() cuts the wait short.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._linger):
                        await self._stopping.wait()
            await self._write_waiting()

    async def _write_waiting(self) -> None:
        async with self._writing:
            marks, self._marks = self._marks, []
            self._ready.clear()
            if marks:
                await self._write(marks)

    async def _write(self, marks: list[DeliveryMark]) -> None:
        try:
            await self._store.record_marks(marks)
            self.writes += 1
            self.written += len(marks)
        except Exception as error:
            log.error("recording %d delivery outcomes failed: %s", len(marks), describe(error))
            await self._write_one_by_one(marks)
        if any(isinstance(mark, MarkRetry) for mark in marks):
            self._on_retry()

    async def _write_one_by_one(self, marks: list[DeliveryMark]) -> None:
        for mark in marks:
            try:
                await self._store.record_marks([mark])
                self.writes += 1
                self.written += 1
            except Exception as error:
                # The delivery stays SENDING: the next start() requeues it.
                log.error("delivery %d: recording %s failed: %s",
                          mark.delivery_id, type(mark).__name__, describe(error))  # fmt: skip
