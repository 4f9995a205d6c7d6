"""A store write that fails when a job fires: the announcement is tried again, not lost.

Reproduces issue 9: another process held the SQLite write lock across a reminder's due time,
the enqueue failed with "database is locked", and the 60-minute reminder was never posted.
The clock is a replay clock (a minute of race weekend per real second or faster), so the
retries, spaced on the injected clock, take a moment of real time; nothing here asserts how
long anything took.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest

from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import ScaledClock
from bot.core.plan import PlanSettings
from bot.core.schedules import load_catalog
from bot.scheduling import Announcer
from bot.store.records import OutboxItem
from bot.store.sqlite import SQLiteStore
from tests.scheduling.test_announcer import FAN, HOCKENHEIM, SCHEDULES, cest

REMINDER_60 = f"{HOCKENHEIM}/free-practice|reminder|60|2022-05-13T14:20:00+00:00"


class LockedStore(SQLiteStore):
    """Refuses to enqueue `key` while `locked()` says so, as SQLite does when another process
    holds the write lock past the busy timeout."""

    def __init__(self, path: Path, key: str, locked: Callable[[], bool]) -> None:
        super().__init__(path)
        self.key, self.locked = key, locked
        self.refused = 0

    async def enqueue(
        self,
        item: OutboxItem,
        recipients: Sequence[ChatRef],
        *,
        priority: int = 0,
        on_first_chunk: Callable[[], None] | None = None,
    ) -> bool:
        if item.key == self.key and self.locked():
            self.refused += 1
            raise sqlite3.OperationalError("database is locked")
        return await super().enqueue(
            item, recipients, priority=priority, on_first_chunk=on_first_chunk
        )


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def locked_store(tmp_path: Path, locked: Callable[[], bool]) -> LockedStore:
    db = LockedStore(tmp_path / "pitboard.sqlite3", REMINDER_60, locked)
    await db.open()
    await db.upsert_chat(Chat(FAN, zone="Europe/Stockholm", reminder_minutes=(60, 15)))
    await db.set_subscription(Subscription(FAN, series=frozenset({"24h-series-2022"})))
    return db


async def test_a_reminder_whose_enqueue_fails_at_its_due_time_is_retried_until_it_succeeds(
    tmp_path: Path,
) -> None:
    clock = ScaledClock(cest("2022-05-13T15:19:58"), speed=10)  # 2 s before the 60-min reminder
    failures_left = [3]

    def locked() -> bool:
        failures_left[0] -= 1
        return failures_left[0] >= 0

    db = await locked_store(tmp_path, locked)
    announcer = Announcer(CatalogHolder(load_catalog(SCHEDULES)), db, clock, PlanSettings())
    await announcer.start()
    try:
        await eventually(lambda: db.has_announcement(REMINDER_60))
        (delivery,) = await db.deliveries(REMINDER_60)
    finally:
        await announcer.stop()
        await db.close()
    assert db.refused == 3
    assert delivery.chat == FAN


async def test_a_reminder_that_cannot_be_enqueued_before_its_session_starts_is_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A replay at an hour a second: the database stays locked until after Free Practice has
    # begun (16:20), later than any try before the start could come back (a minute apart).
    clock = ScaledClock(cest("2022-05-13T15:19:58"), speed=3600)
    db = await locked_store(tmp_path, lambda: clock.now() < cest("2022-05-13T16:25"))
    announcer = Announcer(CatalogHolder(load_catalog(SCHEDULES)), db, clock, PlanSettings())
    caplog.set_level(logging.INFO, logger="pitboard.scheduling")
    await announcer.start()
    gave_up = f"gave up enqueueing {REMINDER_60}"

    async def given_up() -> bool:
        return gave_up in caplog.text

    try:
        await eventually(given_up)
        assert REMINDER_60 not in {a.key for a in announcer.pending()}
        assert not await db.has_announcement(REMINDER_60)
        # The 15-minute reminder, due while the lock was held too, went out.
        assert await db.announcement_keys(f"{HOCKENHEIM}/free-practice|reminder|15|")
    finally:
        await announcer.stop()
        await db.close()
    assert db.refused > 1  # tried again while it was still worth it
