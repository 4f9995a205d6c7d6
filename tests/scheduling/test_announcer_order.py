"""Announcements due at one moment are enqueued in timetable order, by one job."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock, ScaledClock
from bot.core.plan import PlanSettings
from bot.core.schedules import load_catalog
from bot.scheduling import Announcer
from bot.store.sqlite import SQLiteStore

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
ROUND_1 = "tcr-germany-2022/oschersleben"
FAN = ChatRef("console", "fan")
TIMETABLE = ["fp1", "fp2", "qualifying-1", "race-1", "qualifying-2", "race-2"]


def cest(text: str) -> datetime:
    return datetime.fromisoformat(text + "+02:00").astimezone(UTC)


@pytest.fixture
async def store(tmp_path: Path):
    store = SQLiteStore(tmp_path / "pitboard.sqlite3")
    await store.open()
    await store.upsert_chat(Chat(FAN, zone="Europe/Stockholm"))
    await store.set_subscription(Subscription(FAN, series=frozenset({"tcr-germany-2022"})))
    yield store
    await store.close()


async def _results_delivery_ids(store: SQLiteStore) -> dict[str, int]:
    found = {}
    for slug in TIMETABLE:
        deliveries = await store.deliveries(f"{ROUND_1}/{slug}|results||")
        if deliveries:
            found[slug] = deliveries[0].id
    return found


async def test_results_of_one_weekend_are_enqueued_in_timetable_order(store) -> None:
    # Friday evening to Monday at 400,000x: under a second of real time on an idle machine.
    clock = ScaledClock(cest("2022-04-22T20:00"), speed=400_000)
    announcer = Announcer(CatalogHolder(load_catalog(SCHEDULES)), store, clock, PlanSettings())
    await announcer.start()
    try:
        for _ in range(600):  # up to a minute on a busy machine
            ids = await _results_delivery_ids(store)
            if len(ids) == len(TIMETABLE):
                break
            await asyncio.sleep(0.1)
    finally:
        await announcer.stop()
    # Qualifying 2 and Race 2 are both TBA on the Sunday: due together, queued as timetabled.
    assert sorted(ids, key=ids.__getitem__) == TIMETABLE


async def test_announcements_due_together_share_one_job(store) -> None:
    clock = FixedClock(cest("2022-04-22T20:00"))
    announcer = Announcer(CatalogHolder(load_catalog(SCHEDULES)), store, clock, PlanSettings())
    await announcer.start()
    await announcer.stop()
    jobs = [job.args[0] for job in announcer._scheduler.get_jobs()]  # one list per moment
    sunday = next(group for group in jobs if any("race-2|results" in a.key for a in group))
    assert [a.subject.rsplit("/", 1)[1] for a in sunday] == ["qualifying-2", "race-2"]
    assert len({group[0].due for group in jobs}) == len(jobs)
