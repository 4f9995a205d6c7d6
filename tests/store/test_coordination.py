"""Several processes on one PostgreSQL database: one planning leader, taken over when it dies;
signals heard by the others (LISTEN/NOTIFY). Each coordinator here is what one process opens.

Takeover is waited for as a condition with a generous timeout, never timed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
import pytest

from bot.core.audience import Chat, ChatRef
from bot.scheduling.leadership import Leadership
from bot.store import OutboxItem
from bot.store.coordination import ENQUEUED, RELOADED, LocalCoordinator
from bot.store.postgres import PostgresStore
from bot.store.postgres_coordination import PostgresCoordinator

PATIENCE = 60.0  # seconds: a busy 2-core machine is slow, never this slow


async def until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 (the conditions are other processes')
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), PATIENCE)


@pytest.fixture
async def schema(postgres_url: str) -> str:
    name = f"test_{uuid.uuid4().hex[:16]}"
    async with PostgresStore(postgres_url, schema=name):
        pass  # created and migrated
    return name


@pytest.fixture
async def coordinators(
    postgres_url: str, schema: str
) -> AsyncIterator[Callable[[], Awaitable[PostgresCoordinator]]]:
    opened: list[PostgresCoordinator] = []

    async def open_one() -> PostgresCoordinator:
        coordinator = PostgresStore(postgres_url, schema=schema).coordinator()
        await coordinator.open()
        opened.append(coordinator)
        return coordinator

    yield open_one
    for coordinator in opened:
        await coordinator.close()


class Planner:
    """What a process's planning would do: counts its starts and stops."""

    def __init__(self, coordinator: PostgresCoordinator | LocalCoordinator) -> None:
        self.starts = 0
        self.stops = 0
        self.leadership = Leadership(coordinator, self.start, self.stop, poll_seconds=0.05)

    async def start(self) -> None:
        self.starts += 1

    async def stop(self) -> None:
        self.stops += 1


async def kill_connection(postgres_url: str, coordinator: PostgresCoordinator) -> None:
    """As the server sees a process killed with SIGKILL: its connection ends."""
    conn = await asyncpg.connect(postgres_url)
    try:
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", coordinator.server_pid)
    finally:
        await conn.close()


async def test_one_process_leads_and_another_takes_over_when_its_connection_dies(
    postgres_url: str, coordinators: Callable[[], Awaitable[PostgresCoordinator]]
) -> None:
    first, second, third = [Planner(await coordinators()) for _ in range(3)]
    await first.leadership.start()
    await second.leadership.start()
    await third.leadership.start()
    try:
        assert first.leadership.planning and first.starts == 1
        assert not second.leadership.planning and not third.leadership.planning
        dead = first.leadership._coordinator
        assert isinstance(dead, PostgresCoordinator)
        await kill_connection(postgres_url, dead)
        # One of the standbys takes over; the dead one stops planning.
        await until(lambda: second.leadership.planning or third.leadership.planning)
        await until(lambda: not first.leadership.planning)
        assert first.stops == 1
        assert second.starts + third.starts == 1
        assert not (second.leadership.planning and third.leadership.planning)
    finally:
        for planner in (first, second, third):
            await planner.leadership.stop()


async def test_a_process_that_lost_the_lead_can_lead_again_later(
    postgres_url: str, coordinators: Callable[[], Awaitable[PostgresCoordinator]]
) -> None:
    first, second = Planner(await coordinators()), Planner(await coordinators())
    await first.leadership.start()
    await second.leadership.start()
    try:
        dead = first.leadership._coordinator
        assert isinstance(dead, PostgresCoordinator)
        await kill_connection(postgres_url, dead)
        await until(lambda: second.leadership.planning and not first.leadership.planning)
        # The second dies too: the first, reconnected, leads again.
        alive = second.leadership._coordinator
        assert isinstance(alive, PostgresCoordinator)
        await kill_connection(postgres_url, alive)
        await until(lambda: first.leadership.planning and not second.leadership.planning)
        assert (first.starts, first.stops, second.starts, second.stops) == (2, 1, 1, 1)
    finally:
        await first.leadership.stop()
        await second.leadership.stop()


async def test_a_leader_that_stops_hands_over(
    coordinators: Callable[[], Awaitable[PostgresCoordinator]],
) -> None:
    first_coordinator = await coordinators()
    first, second = Planner(first_coordinator), Planner(await coordinators())
    await first.leadership.start()
    await second.leadership.start()
    try:
        await first.leadership.stop()
        await first_coordinator.close()  # a process stopping lets go of the lock
        await until(lambda: second.leadership.planning)
        assert first.stops == 1
    finally:
        await second.leadership.stop()


async def test_signals_reach_the_other_processes_not_the_sender(
    coordinators: Callable[[], Awaitable[PostgresCoordinator]],
) -> None:
    sender, other, third = await coordinators(), await coordinators(), await coordinators()
    heard: dict[str, list[str]] = {"sender": [], "other": [], "third": []}
    sender.listen(heard["sender"].append)
    other.listen(heard["other"].append)
    third.listen(heard["third"].append)
    await sender.signal(ENQUEUED)
    await sender.signal(RELOADED)
    await until(lambda: len(heard["other"]) == 2 and len(heard["third"]) == 2)
    assert heard["other"] == heard["third"] == [ENQUEUED, RELOADED]
    # Its own signal comes back to the sender's connection too; it is not handed on.
    await other.signal(ENQUEUED)
    await until(lambda: len(heard["sender"]) == 1)
    assert heard["sender"] == [ENQUEUED]


async def test_separate_schemas_elect_separately(
    postgres_url: str, coordinators: Callable[[], Awaitable[PostgresCoordinator]]
) -> None:
    here = await coordinators()
    elsewhere_schema = f"test_{uuid.uuid4().hex[:16]}"
    async with PostgresStore(postgres_url, schema=elsewhere_schema) as store:
        elsewhere = store.coordinator()
        await elsewhere.open()
        try:
            assert await here.try_lead()
            assert await elsewhere.try_lead()
        finally:
            await elsewhere.close()


async def test_alone_on_sqlite_the_process_always_leads() -> None:
    planner = Planner(LocalCoordinator())
    await planner.leadership._coordinator.open()
    await planner.leadership.start()
    try:
        assert planner.leadership.planning and planner.starts == 1
    finally:
        await planner.leadership.stop()
    assert planner.stops == 1


async def test_claims_given_back_at_a_graceful_stop_are_signalled_to_the_others(
    postgres_url: str, schema: str, coordinators: Callable[[], Awaitable[PostgresCoordinator]]
) -> None:
    listening = await coordinators()
    heard: list[str] = []
    listening.listen(heard.append)
    async with PostgresStore(postgres_url, schema=schema, process_name="stopping") as stopping:
        at = datetime(2026, 5, 13, 14, 0, tzinfo=UTC)
        await stopping.upsert_chat(Chat(ChatRef("telegram", "1")))
        await stopping.enqueue(OutboxItem("k", "start", "s", at, {}), [ChatRef("telegram", "1")])
        assert len(await stopping.claim(at, 10)) == 1
        assert await stopping.release_leases() == 1
    # The others' engines wake at once, as for deliveries just enqueued.
    await until(lambda: heard == [ENQUEUED])
