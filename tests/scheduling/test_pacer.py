"""A paced replay: the clock never passes a due moment while posts due before it are still
going out, so a platform slower than the compressed clock delays the replay, never drops a
reminder. The platform here takes a real 20 ms per message, one at a time; the clock runs at
36,000x, so a fan-out of ten posts lasts two clock hours: far past the session it announces,
on any machine."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import ScaledClock
from bot.core.plan import PlanSettings
from bot.core.reply import Reply
from bot.core.schedules import load_catalog
from bot.delivery.engine import DeliveryEngine
from bot.delivery.errors import RetryAfter, TransientError
from bot.delivery.ratelimit import RateLimits
from bot.scheduling import Announcer
from bot.scheduling.pacer import ReplayPacer
from bot.store.records import DeliveryStatus
from bot.store.sqlite import SQLiteStore

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
CHATS = [ChatRef("console", f"fan-{n}") for n in range(10)]


def cest(text: str) -> datetime:
    return datetime.fromisoformat(text + "+02:00").astimezone(UTC)


SESSIONS = {
    "Free Practice": cest("2022-05-13T16:20"),
    "Qualifying": cest("2022-05-13T19:05"),
    "Race – Part 1": cest("2022-05-14T13:55"),
    "Race – Part 2": cest("2022-05-15T14:05"),
}


class SlowPlatform:
    """Takes a fixed real time per message, whatever the replay's clock says; with
    `refuse_every`, answers every n-th message with a short "retry after"."""

    platform = "console"

    def __init__(self, clock: ScaledClock, refuse_every: int = 0, fault: type = RetryAfter) -> None:
        self.clock = clock
        self.refuse_every = refuse_every
        self.fault = fault
        self.tries = 0
        self.sent: list[tuple[str, str, datetime]] = []

    async def send(self, chat: Chat, reply: Reply) -> str | None:
        await asyncio.sleep(0.02)
        self.tries += 1
        if self.refuse_every and self.tries % self.refuse_every == 0:
            if self.fault is RetryAfter:
                raise RetryAfter(0.05)  # due again 0.05 clock seconds on: inside a hold
            raise TransientError("timed out")  # retried after the engine's backoff
        self.sent.append((chat.ref.id, reply.title or "", self.clock.now()))
        return str(len(self.sent))


async def replay(
    tmp_path: Path, *, paced: bool, refuse_every: int = 0, fault: type = RetryAfter
) -> tuple[SlowPlatform, dict[DeliveryStatus, int]]:
    clock = ScaledClock(cest("2022-05-13T15:00"), speed=36_000, started=False)
    end = cest("2022-05-15T14:06")
    async with SQLiteStore(tmp_path / "pitboard.sqlite3") as store:
        await store.migrate()
        for ref in CHATS:
            await store.upsert_chat(Chat(ref, reminder_minutes=(60, 15)))
            await store.set_subscription(Subscription(ref, series=frozenset({"24h-series-2022"})))
        catalogs = CatalogHolder(load_catalog(SCHEDULES))
        platform = SlowPlatform(clock, refuse_every, fault)
        engines: list[DeliveryEngine] = []
        announcer = Announcer(
            catalogs,
            store,
            clock,
            PlanSettings(reminder_minutes=frozenset({60, 15})),
            on_enqueued=lambda: engines[0].wake(),
        )
        engine = DeliveryEngine(
            store,
            {"console": platform},
            announcer.compose,
            {"console": RateLimits(global_per_second=1000.0, per_chat_per_second=1000.0)},
            clock,
            workers_per_platform=1,
        )
        engines.append(engine)
        await engine.start()
        await announcer.start()
        if paced:
            pacing = ReplayPacer(clock, announcer, engine.earliest_unsent_due, engine.wake)
            pacing.start_clock()
            pacer = asyncio.create_task(pacing.run())
        else:  # what a replay did before: the clock runs on whatever is still queued
            clock.start()
            announcer.retime(end)
        try:
            async with asyncio.timeout(120):
                # Polling: nothing signals "the clock passed a moment and all is out".
                while clock.now() < end or await engine.earliest_unsent_due() is not None:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
        finally:
            if paced:
                pacer.cancel()
            await announcer.stop()
            await engine.stop()
        return platform, await store.delivery_counts()


async def test_a_slow_platform_delays_a_paced_replay_but_every_reminder_arrives_in_time(
    tmp_path: Path,
) -> None:
    platform, counts = await replay(tmp_path, paced=True)
    for session, start in SESSIONS.items():
        arrived = [at for _, title, at in platform.sent if title.startswith(f"{session} ")]
        # Two reminders and the start post for each chat; the reminders before the start.
        assert len(arrived) == 3 * len(CHATS), session
        assert sum(at < start for at in arrived) == 2 * len(CHATS), session
    assert counts[DeliveryStatus.SKIPPED] == 0
    assert counts[DeliveryStatus.PENDING] == counts[DeliveryStatus.SENDING] == 0


async def test_unpaced_the_same_replay_drops_reminders(tmp_path: Path) -> None:
    # The control: the platform above really is too slow for the clock (the replay as it ran
    # before pacing: the clock runs on whatever is still queued).
    platform, counts = await replay(tmp_path, paced=False)
    assert counts[DeliveryStatus.SKIPPED] > 0
    reminders = [
        at for _, title, at in platform.sent for name, start in SESSIONS.items()
        if title.startswith(f"{name} ") and at < start
    ]  # fmt: skip
    assert len(reminders) < 2 * len(SESSIONS) * len(CHATS)


async def test_retries_due_between_a_hold_and_its_moment_do_not_stall_the_replay(
    tmp_path: Path,
) -> None:
    # Held before a moment, a post refused with "retry after 0.05 s" is due again before the
    # moment: the clock must be let on to it, or each waits for the other.
    platform, counts = await replay(tmp_path, paced=True, refuse_every=3)
    for session, start in SESSIONS.items():
        arrived = [at for _, title, at in platform.sent if title.startswith(f"{session} ")]
        assert sum(at < start for at in arrived) == 2 * len(CHATS), session
    assert counts[DeliveryStatus.SKIPPED] == 0


async def test_a_reminder_failing_at_a_hold_is_retried_before_its_session_starts(
    tmp_path: Path,
) -> None:
    # Every third send times out; the engine retries after 0.5-2 s of clock. Held only a
    # second before the start, such a retry would fall after it and the reminder be dropped.
    platform, counts = await replay(tmp_path, paced=True, refuse_every=3, fault=TransientError)
    for session, start in SESSIONS.items():
        arrived = [at for _, title, at in platform.sent if title.startswith(f"{session} ")]
        assert sum(at < start for at in arrived) == 2 * len(CHATS), session
    assert counts[DeliveryStatus.SKIPPED] == 0


async def test_the_clock_stops_at_the_replays_end_not_at_the_next_moment(tmp_path: Path) -> None:
    # `--until` 15:05 CEST; the next moment is Free Practice's 60-minute reminder at 15:20.
    # Unbounded, the pacer lets the clock run to that moment (and the reminder fire) before
    # the end is noticed; a stopped bot's downtime must begin at its --until, not after it.
    clock = ScaledClock(cest("2022-05-13T15:00"), speed=36_000, started=False)
    until = cest("2022-05-13T15:05")
    async with SQLiteStore(tmp_path / "pitboard.sqlite3") as store:
        await store.migrate()
        for ref in CHATS:
            await store.upsert_chat(Chat(ref, reminder_minutes=(60, 15)))
            await store.set_subscription(Subscription(ref, series=frozenset({"24h-series-2022"})))
        platform = SlowPlatform(clock)
        engines: list[DeliveryEngine] = []
        announcer = Announcer(
            CatalogHolder(load_catalog(SCHEDULES)),
            store,
            clock,
            PlanSettings(reminder_minutes=frozenset({60, 15})),
            on_enqueued=lambda: engines[0].wake(),
        )
        engine = DeliveryEngine(
            store,
            {"console": platform},
            announcer.compose,
            {"console": RateLimits(global_per_second=1000.0, per_chat_per_second=1000.0)},
            clock,
        )
        engines.append(engine)
        await engine.start()
        await announcer.start()
        pacer = ReplayPacer(clock, announcer, engine.earliest_unsent_due, engine.wake, until=until)
        pacer.start_clock()
        task = asyncio.create_task(pacer.run())
        try:
            async with asyncio.timeout(60):
                while clock.now() < until:  # noqa: ASYNC110 - nothing signals the clock's moves
                    await asyncio.sleep(0.01)
            # Half a real second is five clock hours at this speed: the reminder's moment
            # would be long past if the clock could run on.
            await asyncio.sleep(0.5)
            assert clock.now() == until
            # (The weekend's preview, due before the first plan, went out at the start.)
            assert not [title for _, title, _ in platform.sent if "Free Practice" in title]
        finally:
            task.cancel()
            await announcer.stop()
            await engine.stop()


def test_a_started_replay_clock_waits_for_the_pacers_first_look() -> None:
    # However long the machine takes to run the pacer's first step, the clock has not moved:
    # it starts held where it stands (started unheld, an hour of real delay ran it on).
    real = [0.0]
    clock = ScaledClock(cest("2022-05-13T15:00"), speed=36_000, monotonic=lambda: real[0],
                        started=False)  # fmt: skip
    pacer = ReplayPacer(clock, _NoAnnouncements(), _nothing_unsent, lambda: None)
    pacer.start_clock()
    real[0] += 3600.0
    assert clock.started and clock.now() == cest("2022-05-13T15:00")


class _NoAnnouncements:
    firing = False

    def next_due(self) -> None:
        return None


async def _nothing_unsent() -> None:
    return None
