"""A table counts a session from the moment `finished_at` gives, read from the catalog's
precomputed timeline instead of converting time zones per table: the two must agree to the
microsecond, for timed sessions with and without a duration and for TBA ones."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

from bot.core.catalog import Catalog
from bot.core.cut import Cut, finished_at, last_to_finish
from bot.core.model import Event, Series, Session, SessionKind
from bot.core.schedules import load_catalog

TICK = timedelta(microseconds=1)


def session(slug: str, day: date, at: time | None, minutes: int | None) -> Session:
    return Session(
        id=f"s/e/{slug}",
        slug=slug,
        event_id="s/e",
        series_id="s",
        name=slug,
        short_name=slug,
        kind=SessionKind.RACE,
        day=day,
        local_time=at,
        timezone="America/New_York",
        duration=None if minutes is None else timedelta(minutes=minutes),
    )


def hand_built() -> Catalog:
    sessions = (
        session("timed", date(2022, 3, 12), time(23, 30), 90),  # ends after a summer-time change
        session("no-duration", date(2022, 3, 13), time(9, 0), None),
        session("tba", date(2022, 3, 13), None, None),
        session("tba-too", date(2022, 3, 13), None, 45),
    )
    event = Event(
        id="s/e", slug="e", series_id="s", name="E", timezone="America/New_York", sessions=sessions
    )
    return Catalog.build([Series(id="s", name="S", season=2022, events=(event,))], [], [], [])


def assert_counted_from_its_finish(catalog: Catalog) -> None:
    for s in catalog.sessions.values():
        finish = finished_at(s)
        assert Cut.at(finish).counts(catalog, s), s.id
        assert not Cut.at(finish - TICK).counts(catalog, s), s.id
        assert Cut.through(catalog, s) == Cut(finish, (finish, catalog.timeline.index(s)))


def test_hand_built_sessions_count_from_their_finish() -> None:
    assert_counted_from_its_finish(hand_built())


def test_every_bundled_session_counts_from_its_finish() -> None:
    assert_counted_from_its_finish(
        load_catalog(Path(__file__).resolve().parent.parent / "schedules")
    )


def test_the_last_to_finish_is_the_latest_finish_then_the_latest_in_the_timetable() -> None:
    catalog = hand_built()
    # Both TBA sessions finish at the end of the day; the later one in the file closes it.
    closing = last_to_finish(catalog, catalog.events["s/e"])
    assert closing is not None and closing.slug == "tba-too"
