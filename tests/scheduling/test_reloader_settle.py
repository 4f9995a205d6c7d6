"""A schedules file that vanishes for a moment tells fans nothing; cancelling is said in the
data; every change that reverts an earlier one is posted. The real reloader and announcer on
a real SQLite store, the bundled 24H Series weekend after its preview went out."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.audience import Chat, ChatRef, Subscription
from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.plan import PlanSettings, changes, parse_key, plan
from bot.core.queries import upcoming_sessions
from bot.core.schedules import load_catalog
from bot.core.views import timetable_reply
from bot.frontends.console.render import render
from bot.scheduling import Announcer, ScheduleReloader
from bot.store.sqlite import SQLiteStore

SCHEDULES = Path(__file__).resolve().parents[2] / "schedules"
HOCKENHEIM = "24h-series-2022/hockenheim"
SESSIONS = [
    f"{HOCKENHEIM}/{slug}" for slug in ("free-practice", "qualifying", "race-part-1", "race-part-2")
]
FAN = ChatRef("console", "fan")
# Friday 13 May 2022, 10:00 in Hockenheim: the preview went out, every session is ahead.
FRIDAY = datetime.fromisoformat("2022-05-13T10:00+02:00")


@dataclass
class Weekend:
    folder: Path
    series_file: Path
    original: str
    store: SQLiteStore
    catalogs: CatalogHolder
    announcer: Announcer
    reloader: ScheduleReloader

    async def changed(self) -> list[tuple[str, int, datetime | None]]:
        """Every CHANGED post so far: (subject, revision, new start), oldest revision first."""
        found = []
        for key in await self.store.announcement_keys():
            parsed = parse_key(key)
            if parsed is not None and parsed.kind.value == "changed":
                found.append((parsed.subject, parsed.offset_minutes or 0, parsed.planned_start))
        return sorted(found, key=lambda item: (item[1], item[0]))


@pytest.fixture
async def weekend(tmp_path: Path) -> AsyncIterator[Weekend]:
    folder = tmp_path / "schedules"
    shutil.copytree(SCHEDULES, folder)
    store = SQLiteStore(tmp_path / "pitboard.sqlite3")
    await store.open()
    await store.upsert_chat(Chat(FAN, zone="Europe/Stockholm", reminder_minutes=(60, 15)))
    await store.set_subscription(Subscription(FAN, series=frozenset({"24h-series-2022"})))
    catalogs = CatalogHolder(load_catalog(folder))
    announcer = Announcer(catalogs, store, FixedClock(FRIDAY), PlanSettings())
    await announcer.start()  # sends the preview: fans are told every session's start
    reloader = ScheduleReloader(folder, catalogs, announcer.replan)
    series_file = folder / "2022" / "24h-series.toml"
    yield Weekend(
        folder, series_file, series_file.read_text(), store, catalogs, announcer, reloader
    )
    await announcer.stop()
    await store.close()


def starts(weekend: Weekend) -> dict[str, datetime | None]:
    return {s: load_catalog(SCHEDULES).sessions[s].start_utc for s in SESSIONS}


def cancel_every_session(text: str) -> str:
    return text.replace("[[events.sessions]]\n", "[[events.sessions]]\ncancelled = true\n")


async def test_a_file_that_vanishes_for_a_moment_changes_nothing(weekend: Weekend) -> None:
    before = weekend.catalogs.current
    aside = weekend.series_file.with_suffix(".saving")  # what an editor's save does
    weekend.series_file.rename(aside)
    assert await weekend.reloader.poll() is None
    assert weekend.catalogs.current is before
    aside.rename(weekend.series_file)
    assert await weekend.reloader.poll() is None
    assert weekend.catalogs.current is before
    assert await weekend.changed() == []
    reminders = [a for a in weekend.announcer.pending() if a.subject in SESSIONS]
    assert len(reminders) == 12  # two reminders and a start post for each of the four


async def test_a_file_gone_for_good_is_applied_once_settled_and_cancels_nothing(
    weekend: Weekend,
) -> None:
    weekend.series_file.unlink()
    assert await weekend.reloader.poll() is None  # seen once: wait
    assert HOCKENHEIM in weekend.catalogs.current.events
    result = await weekend.reloader.poll()  # the same on a second look: applied
    assert result is not None and result.ok
    assert HOCKENHEIM not in weekend.catalogs.current.events
    assert not [a for a in weekend.announcer.pending() if a.subject in SESSIONS]
    # Absent is not cancelled: no "Cancelled" post for the weekend or any session.
    assert await weekend.changed() == []
    # Back: planned again, and no correction needed, since nothing false was said.
    weekend.series_file.write_text(weekend.original)
    result = await weekend.reloader.poll()
    assert result is not None and result.ok
    assert len([a for a in weekend.announcer.pending() if a.subject in SESSIONS]) == 12
    assert await weekend.changed() == []


async def test_cancelled_in_the_data_then_back_then_cancelled_again_posts_every_change(
    weekend: Weekend,
) -> None:
    told = starts(weekend)
    weekend.series_file.write_text(cancel_every_session(weekend.original))
    assert await weekend.reloader.poll() is None  # cancelling waits for a second look too
    assert await weekend.reloader.poll() is not None
    assert await weekend.changed() == [(s, 0, None) for s in sorted(SESSIONS)]
    assert not [a for a in weekend.announcer.pending() if a.subject in SESSIONS]

    weekend.series_file.write_text(weekend.original)
    assert await weekend.reloader.poll() is not None  # nothing taken away: at once
    back = [item for item in await weekend.changed() if item[1] == 1]
    assert back == [(s, 1, told[s]) for s in sorted(SESSIONS)]  # every one, Part 2 included

    weekend.series_file.write_text(cancel_every_session(weekend.original))
    await weekend.reloader.poll()
    await weekend.reloader.poll()
    again = [item for item in await weekend.changed() if item[1] == 2]
    assert again == [(s, 2, None) for s in sorted(SESSIONS)]
    # Every post went to the fan, and replanning again posts nothing more.
    for subject, revision, _start in await weekend.changed():
        key = next(
            k
            for k in await weekend.store.announcement_keys()
            if k.startswith(f"{subject}|changed|{revision or ''}|")
        )
        assert [d.chat for d in await weekend.store.deliveries(key)] == [FAN]
    await weekend.announcer.replan()
    assert len(await weekend.changed()) == 12


def test_a_weekend_that_moves_back_and_forth_is_posted_each_time(tmp_path: Path) -> None:
    folder = tmp_path / "schedules"
    shutil.copytree(SCHEDULES, folder)
    series_file = folder / "2022" / "24h-series.toml"
    original = series_file.read_text()
    preview = f"{HOCKENHEIM}|preview||2022-05-13T14:20:00+00:00"  # fans saw the weekend only
    now = FRIDAY.astimezone(UTC)

    def catalog_with(first_session_time: str):
        series_file.write_text(original.replace('time = "16:20"', f'time = "{first_session_time}"'))
        return load_catalog(folder)

    announced = [preview]
    for step, wall in enumerate(("17:00", "16:20", "17:00")):
        (change,) = changes(catalog_with(wall), announced, now)
        assert change.subject == HOCKENHEIM and change.revision == (step or None)
        announced.append(change.key)
    assert changes(catalog_with("17:00"), announced, now) == []


def test_a_cancelled_session_is_marked_in_the_timetable_and_left_out_of_next(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "schedules"
    shutil.copytree(SCHEDULES, folder)
    series_file = folder / "2022" / "24h-series.toml"
    series_file.write_text(cancel_every_session(series_file.read_text()))
    catalog = load_catalog(folder)
    table = render(
        timetable_reply(catalog, catalog.events[HOCKENHEIM], "UTC", FRIDAY), colour=False
    )
    assert "Qualifying (cancelled)" in table
    assert not [s for s in upcoming_sessions(catalog, FRIDAY, limit=50) if s.id in SESSIONS]
    assert not [a for a in plan(catalog, PlanSettings()) if a.event_id == HOCKENHEIM]
