"""A replay's clock shared by processes on one PostgreSQL database (bot.scheduling.shared_clock):
the leader publishes each move, the others follow it and never pass its hold, and a process
that takes the lead continues from the last publication.

Each "process" is a store handle, a coordinator and a `ScaledClock` of its own, whose monotonic
counter the test moves by hand: the clocks' readings are asserted exactly, never against the
machine's speed. Waits are for conditions, with generous timeouts.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from bot.core.clock import ScaledClock
from bot.scheduling.shared_clock import ClockSharing
from bot.store.coordination import CLOCK
from bot.store.postgres import PostgresStore
from bot.store.postgres_coordination import PostgresCoordinator

AT = datetime.fromisoformat("2022-05-12T09:00+00:00")  # every process's --at
SPEED = 600.0
PATIENCE = 60.0
NEVER = 3600.0  # a follower's fallback poll that cannot be what a test sees


async def until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 - another "process's" doing
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), PATIENCE)


@dataclass
class Process:
    store: PostgresStore
    coordinator: PostgresCoordinator
    clock: ScaledClock
    sharing: ClockSharing
    ticks: list[float] = field(default_factory=lambda: [0.0])  # its monotonic counter

    def run_for(self, real_seconds: float) -> None:
        self.ticks[0] += real_seconds


@pytest.fixture
async def cluster(postgres_url: str) -> AsyncIterator[Callable[..., Awaitable[Process]]]:
    """Makes processes on one schema; opened, and closed at the end."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    made: list[Process] = []

    def make(at: datetime = AT) -> Process:
        ticks = [0.0]
        store = PostgresStore(postgres_url, schema=schema)
        coordinator = store.coordinator()
        clock = ScaledClock(at, SPEED, monotonic=lambda: ticks[0], started=False)
        sharing = ClockSharing(clock, store, lambda: coordinator.signal(CLOCK), poll_seconds=NEVER)
        coordinator.listen(lambda signal: sharing.heard() if signal == CLOCK else None)
        process = Process(store, coordinator, clock, sharing, ticks)
        return process

    async def opened(at: datetime = AT) -> Process:
        process = make(at)
        await process.store.open()
        await process.coordinator.open()
        made.append(process)
        return process

    try:
        yield opened
    finally:
        for process in made:
            await process.sharing.stop()
            await process.coordinator.close()
            await process.store.close()


async def publish(leader: Process) -> None:
    """The leader's move, written and signalled (as the pacer's `on_moved` does it)."""
    published = leader.sharing.published
    leader.sharing.moved()
    await until(lambda: leader.sharing.published > published)


async def test_a_follower_never_passes_the_hold_and_follows_each_move(
    cluster: Callable[..., Awaitable[Process]],
) -> None:
    leader, follower = await cluster(), await cluster()
    hold = AT + timedelta(minutes=30)
    leader.clock.start()
    leader.clock.hold_at(hold)
    await publish(leader)
    follower.sharing.follow()
    await until(lambda: follower.sharing.followed == 1)
    assert AT <= follower.clock.now() <= hold
    # However long the follower's process runs, its clock stands at the leader's hold.
    follower.run_for(1_000_000)
    assert follower.clock.now() == hold
    assert follower.clock.real_seconds_until(hold + timedelta(seconds=1)) == float("inf")

    # The leader gets there and moves the hold on: the follower hears of it (its fallback
    # poll is an hour away: the signal carried it) and runs up to the new hold, no further.
    leader.run_for(1_000_000)
    later = hold + timedelta(minutes=45)
    leader.clock.hold_at(later)
    await publish(leader)
    await until(lambda: follower.sharing.followed == 2)
    assert hold <= follower.clock.now() <= later
    follower.run_for(1_000_000)
    assert follower.clock.now() == later


async def test_a_follower_started_late_picks_the_clock_up(
    cluster: Callable[..., Awaitable[Process]],
) -> None:
    leader = await cluster()
    reached = AT + timedelta(hours=5)
    leader.clock.start()
    leader.clock.hold_at(reached)
    leader.run_for(1_000_000)
    await publish(leader)
    assert leader.clock.now() == reached

    # Started with the replay's --at, five hours of clock behind the leader.
    late = await cluster()
    assert late.clock.now() == AT and not late.clock.started
    late.sharing.follow()
    await until(lambda: late.sharing.followed == 1)
    assert late.clock.started and late.clock.now() == reached
    late.run_for(1_000_000)
    assert late.clock.now() == reached  # held where the leader is held


async def test_a_new_leader_continues_from_the_published_reading(
    cluster: Callable[..., Awaitable[Process]],
) -> None:
    leader = await cluster()
    reached = AT + timedelta(hours=2, minutes=10)
    leader.clock.start()
    leader.clock.hold_at(reached)
    leader.run_for(1_000_000)
    await publish(leader)
    await leader.sharing.stop()
    await leader.coordinator.close()  # the leader is gone

    # The process that takes the lead was started with the replay's --at (a restart, say):
    # its clock continues from the leader's last reading, not from its own start.
    successor = await cluster()
    await successor.sharing.take_over()
    assert successor.clock.now() == reached
    # It now leads: its own moves go on from there and are published for the others.
    successor.clock.hold_at(reached + timedelta(minutes=20))
    successor.run_for(1_000_000)
    await publish(successor)
    published = await successor.store.read_replay_clock()
    assert published is not None
    assert published.reading == reached + timedelta(minutes=20)


async def test_an_earlier_replays_clock_is_not_taken_up(
    cluster: Callable[..., Awaitable[Process]],
) -> None:
    old = await cluster()
    old.clock.start()
    old.clock.hold_at(AT + timedelta(hours=1))
    old.run_for(1_000_000)
    await publish(old)

    # A replay started later on the same database begins at its own --at, not back there.
    later_at = AT + timedelta(days=3)
    fresh = await cluster(later_at)
    await fresh.sharing.take_over()
    assert fresh.clock.now() == later_at and fresh.sharing.followed == 0


async def test_a_stopped_leaders_clock_stands_where_it_stopped(
    cluster: Callable[..., Awaitable[Process]],
) -> None:
    leader = await cluster()
    leader.clock.start()
    leader.clock.hold_at(AT + timedelta(days=2))  # running freely towards a far hold
    await publish(leader)
    leader.run_for(6)  # an hour of clock at SPEED
    stopped_at = leader.clock.now()
    assert stopped_at == AT + timedelta(hours=1)
    await leader.sharing.publish_stop()

    # Whoever comes next finds the clock where the leader stopped, not run on towards the
    # far hold while no process paced it.
    successor = await cluster()
    await successor.sharing.take_over()
    assert successor.clock.now() == stopped_at
    successor.run_for(1_000_000)
    assert successor.clock.now() == stopped_at  # held there until it paces the clock itself
