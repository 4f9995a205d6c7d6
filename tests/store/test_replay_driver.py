"""Two processes' replay drivers on one PostgreSQL database (bot.scheduling.replay_driver): the
leader paces the replay's clock and publishes it, the other follows; when the leader loses
the lead it stops pacing and follows, and the process that takes the lead paces on from the
last publication. Each "process" has a store handle, a coordinator, an announcer and a
`ScaledClock` of its own; the clocks' monotonic counters stand still (only the hold and the
publications move them), so readings are compared, never timed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.catalog import CatalogHolder
from bot.core.clock import ScaledClock
from bot.core.plan import PlanSettings
from bot.core.schedules import load_catalog
from bot.scheduling import Announcer, ScheduleReloader
from bot.scheduling.cluster import Cluster
from bot.scheduling.replay_driver import ReplayDriver
from bot.scheduling.shared_clock import ClockSharing
from bot.store.coordination import CLOCK
from bot.store.postgres import PostgresStore

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
AT = datetime.fromisoformat("2022-05-12T09:00+02:00")
PATIENCE = 60.0


async def until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 - the conditions are another "process's"
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), PATIENCE)


@dataclass
class Process:
    store: PostgresStore
    clock: ScaledClock
    cluster: Cluster
    driver: ReplayDriver
    sharing: ClockSharing


async def nothing_unsent() -> datetime | None:
    return None


@pytest.fixture
async def processes(postgres_url: str) -> AsyncIterator[list[Process]]:
    """Two processes on one schema; the first leads. The first never tries for the lead again
    by itself (its next look is an hour away): the test says when it looks."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    made: list[Process] = []
    for poll in (3600.0, 0.05):
        store = PostgresStore(postgres_url, schema=schema)
        await store.open()
        catalogs = CatalogHolder(load_catalog(SCHEDULES))
        clock = ScaledClock(AT, 600.0, monotonic=lambda: 0.0, started=False)
        announcer = Announcer(catalogs, store, clock, PlanSettings())
        reloader = ScheduleReloader(SCHEDULES, catalogs, announcer.replan)
        cluster = Cluster(
            store.coordinator(), store, announcer, reloader, lambda: None, poll_seconds=poll
        )
        coordinator = cluster.coordinator
        sharing = ClockSharing(
            clock, store, lambda c=coordinator: c.signal(CLOCK), poll_seconds=0.05
        )
        driver = ReplayDriver(clock, announcer, nothing_unsent, lambda: None, cluster, sharing)
        await driver.adopt()
        await cluster.start()
        driver.start()
        made.append(Process(store, clock, cluster, driver, sharing))
    try:
        yield made
    finally:
        for process in made:
            await process.driver.stop()
            await process.cluster.stop()
            await process.store.close()


async def test_the_leader_paces_and_publishes_and_the_other_follows(
    processes: list[Process],
) -> None:
    leader, follower = processes
    await until(lambda: leader.driver.pacing and leader.sharing.published > 0)
    assert not follower.driver.pacing and follower.sharing.following
    await until(lambda: follower.sharing.followed > 0)
    published = await leader.store.read_replay_clock()
    assert published is not None and published.hold is not None
    assert follower.clock.started and follower.clock.now() <= published.hold


async def test_a_leader_that_loses_the_lead_follows_and_the_new_one_paces_on(
    processes: list[Process],
) -> None:
    first, second = processes
    await until(lambda: first.driver.pacing and first.sharing.published > 0)
    before = await first.store.read_replay_clock()
    assert before is not None

    # The first process's connection that held the lead is gone; its next look notices.
    await first.cluster.coordinator.close()
    await first.cluster.leadership.step()
    assert not first.cluster.leadership.planning
    assert not first.driver.pacing and first.sharing.following

    # The second takes the lead, paces from the first's last publication, and publishes.
    await until(lambda: second.driver.pacing and second.sharing.published > 0)
    assert second.clock.now() >= before.reading
    after = await second.store.read_replay_clock()
    assert after is not None and after.move > before.move and after.reading >= before.reading
    # The first now follows the second's clock (read by its fallback poll: its own
    # connection for signals is closed).
    await until(lambda: first.sharing.followed > 0)
    assert first.clock.now() >= before.reading
