"""The announcer on a real SQLite store: a replayed weekend, downtime, reloads moving sessions."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock, ScaledClock
from bot.core.plan import PlanSettings
from bot.core.schedules import load_catalog
from bot.scheduling import Announcer, ScheduleReloader
from bot.store.sqlite import SQLiteStore

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
HOCKENHEIM = "24h-series-2022/hockenheim"
FAN = ChatRef("console", "fan")


def cest(text: str) -> datetime:
    return datetime.fromisoformat(text + "+02:00").astimezone(UTC)


@pytest.fixture
async def store(tmp_path: Path):
    store = SQLiteStore(tmp_path / "pitboard.sqlite3")
    await store.open()
    await store.upsert_chat(Chat(FAN, zone="Europe/Stockholm", reminder_minutes=(60, 15)))
    await store.set_subscription(Subscription(FAN, series=frozenset({"24h-series-2022"})))
    yield store
    await store.close()


def keys_by_kind(keys: set[str], kind: str) -> list[str]:
    return sorted(k for k in keys if k.split("|")[1] == kind)


async def test_replay_of_the_weekend_enqueues_every_announcement_once_in_order(store) -> None:
    # 4 days of race weekend at 400,000x: about a second of real time.
    clock = ScaledClock(cest("2022-05-12T09:00"), speed=400_000)
    announcer = Announcer(CatalogHolder(load_catalog(SCHEDULES)), store, clock, PlanSettings())
    report = await announcer.start()
    assert report.late == 1  # the preview was due on 11 May: sent late, before the first session
    await asyncio.sleep(clock.real_seconds_until(cest("2022-05-16T00:00")) + 0.1)
    await announcer.stop()
    keys = await store.announcement_keys()
    starts = keys_by_kind(keys, "start")
    reminders = keys_by_kind(keys, "reminder")
    assert len(starts) == 4 and len(reminders) == 8
    assert f"{HOCKENHEIM}/race-part-1|reminder|15|2022-05-14T11:55:00+00:00" in keys
    assert keys_by_kind(keys, "preview") == [f"{HOCKENHEIM}|preview||2022-05-13T14:20:00+00:00"]
    # The preview marked each session it showed (to catch later moves); markers post nothing.
    assert len(keys_by_kind(keys, "told")) == 4
    # Every post went to the one subscribed chat, exactly once.
    for key in keys - set(keys_by_kind(keys, "told")):
        deliveries = await store.deliveries(key)
        assert [d.chat for d in deliveries] == [FAN]


async def test_restart_after_downtime_sends_missed_reminders_late_and_never_twice(store) -> None:
    catalogs = CatalogHolder(load_catalog(SCHEDULES))
    clock = FixedClock(cest("2022-05-14T13:50"))  # five minutes before Race Part 1
    first = Announcer(catalogs, store, clock, PlanSettings())
    await first.start()
    await first.stop()
    keys = await store.announcement_keys()
    part1 = f"{HOCKENHEIM}/race-part-1"
    # Both reminders were missed while the session had not started: sent late.
    assert f"{part1}|reminder|60|2022-05-14T11:55:00+00:00" in keys
    assert f"{part1}|reminder|15|2022-05-14T11:55:00+00:00" in keys
    # Friday's starts are long past the live grace: skipped, not posted hours late.
    assert not any("free-practice|start" in k for k in keys)
    assert not any(k.startswith(f"{part1}|start") for k in keys)
    # A restart a minute later plans again: nothing is enqueued a second time.
    clock.set(cest("2022-05-14T13:51"))
    again = Announcer(catalogs, store, clock, PlanSettings())
    report = await again.start()
    await again.stop()
    assert report.late == 0 and await store.announcement_keys() == keys


async def test_start_inside_the_grace_period_goes_out_as_live_now(store) -> None:
    clock = FixedClock(cest("2022-05-14T14:00"))  # Race Part 1 started five minutes ago
    announcer = Announcer(CatalogHolder(load_catalog(SCHEDULES)), store, clock, PlanSettings())
    await announcer.start()
    await announcer.stop()
    keys = await store.announcement_keys()
    assert f"{HOCKENHEIM}/race-part-1|start||2022-05-14T11:55:00+00:00" in keys
    assert not any(k.startswith(f"{HOCKENHEIM}/race-part-1|reminder") for k in keys)


async def test_misfire_defaults_never_drop_a_late_job(store) -> None:
    announcer = Announcer(
        CatalogHolder(load_catalog(SCHEDULES)),
        store,
        FixedClock(cest("2022-05-12T09:00")),
        PlanSettings(),
    )
    defaults = announcer._scheduler._job_defaults  # the scheduler's own, as configured
    assert defaults["misfire_grace_time"] is None and defaults["coalesce"] is False


async def test_reload_that_moves_a_session_posts_one_change_and_moves_its_reminders(
    store, tmp_path: Path
) -> None:
    folder = tmp_path / "schedules"
    shutil.copytree(SCHEDULES, folder)
    catalogs = CatalogHolder(load_catalog(folder))
    clock = FixedClock(cest("2022-05-13T10:00"))  # after the preview went out
    announcer = Announcer(catalogs, store, clock, PlanSettings())
    await announcer.start()
    reloader = ScheduleReloader(folder, catalogs, announcer.replan)
    series_file = folder / "2022" / "24h-series.toml"
    series_file.write_text(series_file.read_text().replace('time = "19:05"', 'time = "19:35"'))
    result = await reloader.reload()
    assert result.ok
    assert result.changes == (
        f"moved {HOCKENHEIM}/qualifying: 2022-05-13T17:05:00+00:00 -> 2022-05-13T17:35:00+00:00",
    )
    keys = await store.announcement_keys()
    changed = [k for k in keys if "|changed|" in k]
    assert changed == [f"{HOCKENHEIM}/qualifying|changed||2022-05-13T17:35:00+00:00"]
    # Reminders are planned for the new time; none for the old one.
    due = sorted(a.key for a in announcer.pending() if "qualifying|reminder" in a.key)
    assert due == [
        f"{HOCKENHEIM}/qualifying|reminder|15|2022-05-13T17:35:00+00:00",
        f"{HOCKENHEIM}/qualifying|reminder|60|2022-05-13T17:35:00+00:00",
    ]
    # Reloading the same files again changes nothing and posts nothing.
    await reloader.reload()
    await announcer.stop()
    assert [k for k in await store.announcement_keys() if "|changed|" in k] == changed


async def test_broken_reload_keeps_the_last_good_catalog(store, tmp_path: Path, caplog) -> None:
    folder = tmp_path / "schedules"
    shutil.copytree(SCHEDULES, folder)
    catalogs = CatalogHolder(load_catalog(folder))
    before = catalogs.current
    reloads: list[int] = []

    async def on_swap() -> None:
        reloads.append(1)

    reloader = ScheduleReloader(folder, catalogs, on_swap)
    series_file = folder / "2022" / "24h-series.toml"
    series_file.write_text(series_file.read_text().replace('time = "19:05"', 'time = "25:05"'))
    result = await reloader.reload()
    assert not result.ok and catalogs.current is before and reloads == []
    assert any("2022/24h-series.toml" in str(p) and "time" in str(p) for p in result.problems)
    assert "kept the last good schedules" in caplog.text


async def test_file_watch_picks_up_a_change(store, tmp_path: Path) -> None:
    folder = tmp_path / "schedules"
    shutil.copytree(SCHEDULES, folder)
    catalogs = CatalogHolder(load_catalog(folder))
    swapped = asyncio.Event()

    async def on_swap() -> None:
        swapped.set()

    reloader = ScheduleReloader(folder, catalogs, on_swap, poll_seconds=0.02)
    watcher = asyncio.create_task(reloader.watch())
    series_file = folder / "2022" / "24h-series.toml"
    series_file.write_text(series_file.read_text().replace('"16:20"', '"16:30"'))
    await asyncio.wait_for(swapped.wait(), timeout=5)
    watcher.cancel()
    session = catalogs.current.sessions[f"{HOCKENHEIM}/free-practice"]
    assert session.start_utc == datetime(2022, 5, 13, 14, 30, tzinfo=UTC)


async def test_after_downtime_each_chat_gets_one_reminder_per_session_with_the_time_left(
    store,
) -> None:
    only_60, only_15 = ChatRef("console", "only-60"), ChatRef("console", "only-15")
    for ref, minutes in ((only_60, (60,)), (only_15, (15,))):
        await store.upsert_chat(Chat(ref, zone="Europe/Berlin", reminder_minutes=minutes))
        await store.set_subscription(Subscription(ref, series=frozenset({"24h-series-2022"})))
    catalogs = CatalogHolder(load_catalog(SCHEDULES))
    clock = FixedClock(cest("2022-05-13T15:10"))  # Free Practice starts at 16:20
    killed = Announcer(catalogs, store, clock, PlanSettings())
    await killed.start()
    await killed.stop()  # killed at 15:10, before the 60-minute reminder (15:20)
    clock.set(cest("2022-05-13T16:10"))  # restarted after both reminders were due
    restarted = Announcer(catalogs, store, clock, PlanSettings())
    report = await restarted.start()
    await restarted.stop()

    practice = f"{HOCKENHEIM}/free-practice|reminder|"
    keys = {k for k in await store.announcement_keys() if k.startswith(practice)}
    assert len(keys) == 2  # both recorded: neither is planned again
    posts = [d for key in sorted(keys) for d in await store.deliveries(key)]
    assert sorted(d.chat.id for d in posts) == ["fan", "only-15", "only-60"]
    assert report.late == 2  # one post per chat, over the two keys
    for delivery in posts:
        chat = await store.get_chat(delivery.chat)
        assert chat is not None
        reply = restarted.compose(delivery.item, chat)
        assert reply is not None and reply.title == "Free Practice starts in 10 min"
