"""Two processes' parts on one PostgreSQL database (each with a store handle and a coordinator
of its own, as two processes have): the leader plans, the follower passes a replan on to it,
hears of deliveries enqueued and composes them for the chat's subscription as stored now, and
a reload in one reaches the other. Waited for as conditions, never timed."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.audience import Chat, ChatKind, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.plan import PlanSettings
from bot.core.schedules import load_catalog
from bot.scheduling import Announcer, ScheduleReloader
from bot.scheduling.cluster import Cluster
from bot.store.coordination import ENQUEUED, REPLAN
from bot.store.postgres import PostgresStore

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
QUIET_DAY = datetime.fromisoformat("2022-05-12T09:00+02:00")
FAN = ChatRef("telegram", "4242")
PATIENCE = 60.0


async def until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 - the conditions are another "process's"
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), PATIENCE)


@dataclass
class Process:
    store: PostgresStore
    catalogs: CatalogHolder
    announcer: Announcer
    reloader: ScheduleReloader
    cluster: Cluster
    wakes: int = 0


@pytest.fixture
async def processes(postgres_url: str, tmp_path: Path) -> AsyncIterator[list[Process]]:
    """Two processes on one schema and one (copied) schedules folder; the first one leads."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    folder = tmp_path / "schedules"
    shutil.copytree(SCHEDULES, folder)
    made: list[Process] = []
    for _ in range(2):
        store = PostgresStore(postgres_url, schema=schema)
        await store.open()
        catalogs = CatalogHolder(load_catalog(folder))
        clock = FixedClock(QUIET_DAY)
        cluster_ref: list[Cluster] = []
        announcer = Announcer(
            catalogs,
            store,
            clock,
            PlanSettings(),
            on_enqueued=lambda r=cluster_ref: r[0].enqueued(),
        )
        reloader = ScheduleReloader(folder, catalogs, announcer.replan)

        def wake(index: int = len(made)) -> None:
            made[index].wakes += 1

        cluster = Cluster(store.coordinator(), store, announcer, reloader, wake, poll_seconds=0.05)
        cluster_ref.append(cluster)
        made.append(Process(store, catalogs, announcer, reloader, cluster))
    await made[0].store.upsert_chat(Chat(FAN, kind=ChatKind.PRIVATE))
    await made[0].store.set_subscription(
        Subscription(FAN, series=frozenset({"tcr-germany"}), drivers=frozenset({"first-driver"}))
    )
    for process in made:
        await process.cluster.start()
    try:
        yield made
    finally:
        for process in made:
            await process.cluster.stop()
            await process.store.close()


async def test_the_first_leads_and_the_other_follows(processes: list[Process]) -> None:
    leader, follower = processes
    assert leader.cluster.leadership.planning and leader.announcer.running
    assert not follower.cluster.leadership.planning and not follower.announcer.running
    assert follower.announcer.following and not leader.announcer.following


async def test_a_replan_asked_for_in_the_follower_is_made_by_the_leader(
    processes: list[Process],
) -> None:
    leader, follower = processes
    plans = leader.announcer.plans_made
    report = await follower.announcer.replan()
    assert report.scheduled == 0 and follower.announcer.plans_made == 0
    await until(lambda: leader.announcer.plans_made > plans)
    assert leader.cluster.heard.get(REPLAN) == 1


async def test_the_follower_sends_what_the_leader_enqueued_for_the_subscription_as_stored(
    processes: list[Process],
) -> None:
    leader, follower = processes
    follower_view = follower.store.audience_subscription(FAN)
    assert follower_view is not None and follower_view.drivers == {"first-driver"}
    # The fan changes whom they follow (answered by the leader's process, say), then the
    # leader enqueues: the follower, which may send the post, composes it for the new choice.
    await leader.store.set_subscription(
        Subscription(FAN, series=frozenset({"tcr-germany"}), drivers=frozenset({"new-driver"}))
    )
    wakes = follower.wakes
    assert await leader.announcer.broadcast("Pit lane open") == 1

    def follower_sees_new_driver() -> bool:
        seen = follower.store.audience_subscription(FAN)
        return seen is not None and seen.drivers == {"new-driver"}

    await until(lambda: follower_sees_new_driver() and follower.wakes > wakes)
    assert follower.cluster.heard.get(ENQUEUED) == 1
    assert leader.cluster.heard.get(ENQUEUED) is None  # its own signal is not heard back


async def test_a_reload_in_one_process_reloads_the_other(processes: list[Process]) -> None:
    leader, follower = processes
    folder = next(iter(SCHEDULES.glob("2022/*.toml")))
    changed = leader.reloader._directory / folder.relative_to(SCHEDULES)
    text = changed.read_text(encoding="utf-8")
    # A harmless edit: a comment, so the catalog is the same data from new files.
    changed.write_text(text + "\n# edited by an operator\n", encoding="utf-8")
    before = leader.reloader.last_result
    result = await follower.reloader.reload()  # an admin's /edit answered by the follower
    assert result.ok
    await until(lambda: leader.reloader.last_result is not before)
    assert leader.reloader.last_result is not None and leader.reloader.last_result.ok
    # Heard, so not told on again: the follower hears nothing back.
    assert follower.cluster.heard.get("reloaded") is None
