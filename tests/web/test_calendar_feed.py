"""The ICS text itself: parsed back with icalendar, checked against the zone rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.core.audience import ChatRef, Subscription
from bot.core.catalog import Catalog
from bot.core.model import Event, Link, Series, Session, SessionKind
from bot.core.schedules import load_catalog
from bot.feeds.ics import build_feed
from bot.feeds.select import driver_sessions, followed_sessions, series_sessions
from bot.feeds.versions import Version, compare
from tests.web.conftest import SCHEDULES

STAMP = datetime(2022, 3, 1, 12, 0, tzinfo=UTC)
EVENT = "night-cup-2022/dst"
BERLIN = ZoneInfo("Europe/Berlin")


def _session(
    slug: str, day: date, wall: time | None, offset: timedelta | None = None, **more: object
) -> Session:
    return Session(
        id=f"{EVENT}/{slug}",
        slug=slug,
        event_id=EVENT,
        series_id="night-cup-2022",
        name=slug.replace("-", " ").title(),
        short_name=slug,
        kind=SessionKind.RACE,
        day=day,
        local_time=wall,
        timezone="Europe/Berlin",
        utc_offset=offset,
        **more,  # type: ignore[arg-type]
    )


SPRING = _session("spring", date(2022, 3, 27), time(10, 0), duration=timedelta(hours=1))
AUTUMN_TWICE = _session("autumn", date(2022, 10, 30), time(2, 30), timedelta(hours=1))
TBA = _session("tba", date(2022, 6, 4), None)
CALLED_OFF = _session(
    "called-off",
    date(2022, 6, 5),
    time(14, 0),
    cancelled=True,
    broadcasts=(Link("YouTube", "https://youtube.example/night"),),
    live_timing=Link("Timing", "https://timing.example/night"),
)


def _catalog(*sessions: Session) -> Catalog:
    event = Event(
        id=EVENT,
        slug="dst",
        series_id="night-cup-2022",
        name="Night race",
        timezone="Europe/Berlin",
        start_date=min(s.day for s in sessions),
        end_date=max(s.day for s in sessions),
        sessions=sessions,
    )
    series = Series(id="night-cup-2022", name="Night Cup", season=2022, events=(event,))
    return Catalog.build([series], [], [], [])


def _parse(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(item["UID"]): item for item in calendar.walk("VEVENT")}


def test_a_session_on_the_spring_dst_day_is_at_the_right_instant_with_its_tzid() -> None:
    body = build_feed(_catalog(SPRING), [SPRING], name="t", versions={}, stamp=STAMP)
    item = _parse(body)[f"{SPRING.id}@pitboard"]
    start = item.decoded("DTSTART")  # type: ignore[attr-defined]
    # 27 March 2022: Berlin is on CEST (+02:00) from 03:00, so 10:00 is 08:00 UTC.
    assert start.astimezone(UTC) == datetime(2022, 3, 27, 8, 0, tzinfo=UTC)
    assert item["DTSTART"].params["TZID"] == "Europe/Berlin"  # type: ignore[index]
    assert item.decoded("DTEND").astimezone(UTC) == datetime(2022, 3, 27, 9, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    # The VTIMEZONE the feed carries says the same: CEST from 03:00 that day.
    calendar = Calendar.from_ical(body)
    zones = {str(z["TZID"]): z for z in calendar.walk("VTIMEZONE")}
    assert "Europe/Berlin" in zones
    tz = zones["Europe/Berlin"].to_tz()
    wall = datetime(2022, 3, 27, 10, 0, tzinfo=tz)
    assert wall.utcoffset() == timedelta(hours=2)
    assert datetime(2022, 3, 27, 1, 30, tzinfo=tz).utcoffset() == timedelta(hours=1)


def test_the_hour_that_happens_twice_is_given_in_utc() -> None:
    body = build_feed(_catalog(AUTUMN_TWICE), [AUTUMN_TWICE], name="t", versions={}, stamp=STAMP)
    item = _parse(body)[f"{AUTUMN_TWICE.id}@pitboard"]
    # 02:30 at +01:00 (the second 02:30, CET) is 01:30 UTC; a TZID could not say which.
    assert item.decoded("DTSTART") == datetime(2022, 10, 30, 1, 30, tzinfo=UTC)  # type: ignore[attr-defined]
    assert "TZID" not in item["DTSTART"].params  # type: ignore[index]
    assert b"DTSTART:20221030T013000Z" in body


def test_a_tba_session_is_an_all_day_item_marked_time_tba() -> None:
    body = build_feed(_catalog(TBA), [TBA], name="t", versions={}, stamp=STAMP)
    item = _parse(body)[f"{TBA.id}@pitboard"]
    assert item.decoded("DTSTART") == date(2022, 6, 4)  # type: ignore[attr-defined]
    assert item.decoded("DTEND") == date(2022, 6, 5)  # type: ignore[attr-defined]
    assert "time TBA" in str(item["SUMMARY"])  # type: ignore[index]
    assert "Time TBA" in str(item["DESCRIPTION"])  # type: ignore[index]
    assert str(item["STATUS"]) == "TENTATIVE"  # type: ignore[index]


def test_a_cancelled_session_says_so_and_carries_its_links() -> None:
    body = build_feed(_catalog(CALLED_OFF), [CALLED_OFF], name="t", versions={}, stamp=STAMP)
    item = _parse(body)[f"{CALLED_OFF.id}@pitboard"]
    assert str(item["STATUS"]) == "CANCELLED"  # type: ignore[index]
    description = str(item["DESCRIPTION"])  # type: ignore[index]
    assert "https://youtube.example/night" in description
    assert "https://timing.example/night" in description
    assert str(item["URL"]) == "https://youtube.example/night"  # type: ignore[index]


def test_versions_bump_only_for_a_session_that_moved() -> None:
    first, changed = compare({}, _catalog(SPRING, TBA), STAMP)
    assert changed and {v.sequence for v in first.values()} == {0}
    later = STAMP + timedelta(days=1)
    same, changed = compare(first, _catalog(SPRING, TBA), later)
    assert not changed and same == first
    moved = replace(SPRING, local_time=time(11, 0))
    timed = replace(TBA, local_time=time(9, 0))
    after, changed = compare(first, _catalog(moved, timed), later)
    assert changed
    assert after[SPRING.id] == Version(after[SPRING.id].seen, 1, later)
    assert after[TBA.id].sequence == 1
    body = build_feed(_catalog(moved), [moved], name="t", versions=after, stamp=later)
    item = _parse(body)[f"{SPRING.id}@pitboard"]
    assert item["SEQUENCE"] == 1  # type: ignore[index]
    assert item.decoded("LAST-MODIFIED") == later  # type: ignore[attr-defined]


def test_the_bundled_feeds_parse_and_hold_no_results() -> None:
    catalog = load_catalog(SCHEDULES)
    results_seen = 0
    for series_id in catalog.series:
        sessions = series_sessions(catalog, series_id)
        body = build_feed(catalog, sessions, name=series_id, versions={}, stamp=STAMP)
        items = _parse(body)
        assert set(items) == {f"{s.id}@pitboard" for s in sessions}
        # A feed never spoils: no one who finished a session is named in it.
        text = body.decode().replace("\r\n ", "")  # unfolded
        for session in sessions:
            for row in session.results:
                results_seen += 1
                for driver in row.drivers:
                    assert catalog.drivers[driver].name not in text
    assert results_seen, "the bundled data has results to hide"
    feed = driver_sessions(catalog, "jessica-backman")
    assert feed and all(
        s.event_id in {e for e, _ in catalog.entries_by_driver["jessica-backman"]} for s in feed
    )


def test_a_chat_feed_follows_its_filters() -> None:
    catalog = load_catalog(SCHEDULES)
    ref = ChatRef("console", "fan")
    races = Subscription(
        ref, series=frozenset({"tcr-germany-2022"}), session_kinds=frozenset({SessionKind.RACE})
    )
    found = followed_sessions(catalog, races)
    assert found and {s.kind for s in found} == {SessionKind.RACE}
    assert {s.series_id for s in found} == {"tcr-germany-2022"}
    assert followed_sessions(catalog, None) == []
