"""The announcer with the audience kept in memory and enqueues written in chunks (issue 11):
an announcement right after a change sees it, and one cut short by a crash between two chunks
is finished at the next start, each chat getting it exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.plan import PlanSettings
from bot.core.schedules import load_catalog
from bot.scheduling import Announcer
from bot.store.sqlite import SQLiteStore
from tests.scheduling.test_announcer import HOCKENHEIM, SCHEDULES, cest
from tests.store.test_sqlite_chunks import Crash, PausingStore

SERIES = frozenset({"24h-series-2022"})
FANS = [ChatRef("console", f"fan-{n:04}") for n in range(1_100)]
REMINDER_15 = f"{HOCKENHEIM}/race-part-1|reminder|15|2022-05-14T11:55:00+00:00"


def announcer(store: SQLiteStore, at: str = "2022-05-12T09:00") -> Announcer:
    catalogs = CatalogHolder(load_catalog(SCHEDULES))
    return Announcer(catalogs, store, FixedClock(cest(at)), PlanSettings())


async def recipients(store: SQLiteStore, announcer: Announcer, text: str) -> list[ChatRef]:
    """Who an admin's free post, sent now, goes to."""
    before = await store.announcement_keys("free|")
    await announcer.broadcast(text)
    (key,) = await store.announcement_keys("free|") - before
    return [d.chat for d in await store.deliveries(key)]


async def test_an_announcement_right_after_each_change_sees_it(tmp_path: Path) -> None:
    a, b, c = (ChatRef("telegram", n) for n in ("1", "2", "3"))
    async with SQLiteStore(tmp_path / "db.sqlite3") as store:
        await store.set_subscriptions([Subscription(ref, series=SERIES) for ref in (a, b)])
        posts = announcer(store)
        assert await recipients(store, posts, "one") == [a, b]  # the audience is now kept

        await store.set_subscription(Subscription(c, series=SERIES))  # subscribe
        assert await recipients(store, posts, "two") == [a, b, c]
        await store.remove_subscription(a)  # unsubscribe
        assert await recipients(store, posts, "three") == [b, c]
        await store.set_active(b, False, "bot was blocked by the user")  # blocked
        assert await recipients(store, posts, "four") == [c]
        await store.set_active(b, True)
        moved = ChatRef("telegram", "-1003")
        await store.rewrite_chat(c, moved)  # the group became a supergroup
        assert await recipients(store, posts, "five") == [moved, b]

        # Settings: composing reads the chat's subscription as it is now, without a query.
        drivers = Subscription(b, series=SERIES, drivers=frozenset({"bäckman"}))
        await store.set_subscription(drivers)
        assert store.audience_subscription(b) == drivers
        await store.upsert_chat(Chat(b, zone="America/New_York"))
        assert [chat.zone for chat, _ in await store.audience()] == [
            "Europe/Stockholm",
            "America/New_York",
        ]


@pytest.mark.parametrize("crash_after", [1, 2])
async def test_a_reminder_cut_short_by_a_crash_is_finished_at_the_next_start(
    tmp_path: Path, crash_after: int
) -> None:
    path = tmp_path / "db.sqlite3"
    # Five minutes before Race Part 1: its 15-minute reminder goes out late at start.
    async with PausingStore(path, crash_after=crash_after) as store:
        await store.set_subscriptions([Subscription(ref, series=SERIES) for ref in FANS])
        cut = announcer(store, "2022-05-14T13:50")
        with pytest.raises(Crash):
            await cut.start()
        await cut.stop()
        assert len(await store.deliveries(REMINDER_15)) == 500 * crash_after
    async with SQLiteStore(path) as restarted:
        again = announcer(restarted, "2022-05-14T13:51")
        await again.start()
        await again.stop()
        deliveries = await restarted.deliveries(REMINDER_15)
        assert await restarted.unfinished_announcements() == []
    assert [d.chat for d in deliveries] == FANS  # every fan once


async def test_a_free_post_cut_short_by_a_crash_is_finished_at_the_next_start(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    async with PausingStore(path, crash_after=1) as store:
        await store.set_subscriptions([Subscription(ref, series=SERIES) for ref in FANS])
        with pytest.raises(Crash):
            await announcer(store).broadcast("Pit lane open at 18:00")
        (item,) = await store.unfinished_announcements()
    async with SQLiteStore(path) as restarted:
        again = announcer(restarted)
        await again.start()
        await again.stop()
        deliveries = await restarted.deliveries(item.key)
        assert await restarted.unfinished_announcements() == []
    assert [d.chat for d in deliveries] == FANS


async def test_a_reminder_cut_short_and_stale_by_the_next_start_is_closed_as_it_is(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    async with PausingStore(path, crash_after=1) as store:
        await store.set_subscriptions([Subscription(ref, series=SERIES) for ref in FANS])
        cut = announcer(store, "2022-05-14T13:50")
        with pytest.raises(Crash):
            await cut.start()
        await cut.stop()
    async with SQLiteStore(path) as restarted:
        # Back hours later: Race Part 1 is long under way, its reminder no use to anyone.
        again = announcer(restarted, "2022-05-14T18:00")
        await again.start()
        await again.stop()
        assert await restarted.unfinished_announcements() == []
        assert len(await restarted.deliveries(REMINDER_15)) == 500  # nothing more written
