"""A brand-new database missed nothing: no "missed while down" for what fell due before it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.plan import PlanSettings
from bot.core.schedules import load_catalog
from bot.scheduling import Announcer
from bot.store.records import OutboxItem
from bot.store.sqlite import SQLiteStore

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
FAN = ChatRef("console", "fan")
AFTER_THE_SEASON = datetime(2022, 7, 1, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path):
    store = SQLiteStore(tmp_path / "pitboard.sqlite3")
    await store.open()
    await store.upsert_chat(Chat(FAN))
    await store.set_subscription(Subscription(FAN, series=frozenset({"24h-series-2022"})))
    yield store
    await store.close()


async def plan_once(store: SQLiteStore) -> int:
    catalogs = CatalogHolder(load_catalog(SCHEDULES))
    announcer = Announcer(catalogs, store, FixedClock(AFTER_THE_SEASON), PlanSettings())
    report = await announcer.start()
    await announcer.stop()
    return report.skipped


async def test_a_new_database_logs_one_summary_not_a_line_per_announcement(
    store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pitboard.scheduling")
    skipped = await plan_once(store)
    assert skipped > 0
    messages = [record.getMessage() for record in caplog.records]
    assert not [m for m in messages if "missed while down" in m]
    assert any(f"{skipped} announcements due before its first plan" in m for m in messages)


async def test_a_database_that_announced_before_still_names_what_it_missed(
    store, caplog: pytest.LogCaptureFixture
) -> None:
    earlier = OutboxItem("free|earlier", "free", "free", AFTER_THE_SEASON, {"text": "hi"})
    await store.enqueue(earlier, [FAN])
    caplog.set_level(logging.INFO, logger="pitboard.scheduling")
    skipped = await plan_once(store)
    missed = [r for r in caplog.records if "missed while down, skipped" in r.getMessage()]
    assert len(missed) == skipped > 0
