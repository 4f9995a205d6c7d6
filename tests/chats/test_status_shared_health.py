"""/status in any process shows what any process found wrong with a channel (issue 14).

Two processes on one PostgreSQL database, each with its own store handle, its own channel
health and its own /status: what one finds (a Discord channel deleted, a Telegram channel the
bot may not post in) the other's /status shows, and a channel one finds fine again is fine in
both. Nothing here is timed: the writes are waited for (`settle`), the reads are /status's.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bot.chats import Caller, Router
from bot.chats.admin import Admin
from bot.chats.settings import ChatSettings
from bot.chats.shared_health import SharedChannelHealth
from bot.core.audience import ChatKind, ChatRef
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.schedules import load_catalog
from bot.core.service import Service
from bot.frontends.console.render import render
from bot.store.postgres import PostgresStore
from tests.chats.test_router import FakePlanner, FakeReloader

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
NOW = datetime.fromisoformat("2022-05-12T09:00+02:00")
DELETED = "discord channel 4242"
NOT_ADMIN = "@pitboard_news"
ADMIN = Caller(ChatRef("telegram", "7"), ChatKind.PRIVATE, user_id="7", is_admin=True)


@dataclass
class Process:
    store: PostgresStore
    health: SharedChannelHealth
    router: Router

    async def status(self) -> str:
        return render(await self.router.handle("/status", ADMIN), colour=False)


def process(store: PostgresStore) -> Process:
    catalogs = CatalogHolder(load_catalog(SCHEDULES))
    clock = FixedClock(NOW)
    service = Service(catalogs, clock)
    settings = ChatSettings(store, service, clock, default_zone="UTC", default_reminders=())
    health = SharedChannelHealth(store)
    admin = Admin(store, catalogs, clock, FakePlanner(), FakeReloader(), health)
    return Process(store, health, Router(service, settings, admin))


@pytest.fixture
async def two_processes(postgres_url: str) -> AsyncIterator[tuple[Process, Process]]:
    schema = f"test_{uuid.uuid4().hex[:16]}"
    stores = [PostgresStore(postgres_url, schema=schema, process_name=n) for n in ("a", "b")]
    for store in stores:
        await store.open()
    try:
        yield process(stores[0]), process(stores[1])
    finally:
        for store in stores:
            await store.close()


async def test_a_problem_found_in_one_process_shows_in_the_others_status(two_processes) -> None:
    finding, asked = two_processes
    assert "Channels: all fine" in await asked.status()

    finding.health.report(DELETED, "the channel was deleted")
    finding.health.report(NOT_ADMIN, "the bot is not an admin with the right to post there")
    await finding.health.settle()

    status = await asked.status()
    assert f"{DELETED}: the channel was deleted" in status
    assert f"{NOT_ADMIN}: the bot is not an admin with the right to post there" in status


async def test_a_channel_found_fine_in_one_process_is_fine_in_all(two_processes) -> None:
    finding, posting = two_processes
    finding.health.report(DELETED, "the channel was deleted")
    finding.health.report(NOT_ADMIN, "the bot is not an admin with the right to post there")
    await finding.health.settle()

    # The other process posts there fine (it had not heard of the problem yet) ...
    posting.health.clear(DELETED)
    await posting.health.settle()
    # ... so neither /status shows it any more; the other problem stays.
    for either in (posting, finding):
        status = await either.status()
        assert DELETED not in status and NOT_ADMIN in status

    # Found again, by the process that had found it fine: known to both again.
    posting.health.report(DELETED, "the channel was deleted")
    await posting.health.settle()
    assert DELETED in await finding.status()


async def test_a_problem_found_again_after_being_found_fine_is_not_cleared(two_processes) -> None:
    finding, other = two_processes
    other.health.clear(DELETED)  # found fine, before anyone found a problem
    await other.health.settle()
    finding.health.report(DELETED, "the channel was deleted")
    await finding.health.settle()
    other.health.report(DELETED, "the channel was deleted")  # found deleted here too since
    await other.health.settle()
    assert DELETED in await other.status()
    assert DELETED in await finding.status()
