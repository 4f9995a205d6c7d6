"""A timetable across a summer-time change: every row says which clock it is on."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.core.catalog import Catalog
from bot.core.model import Event, Series, Session, SessionKind
from bot.core.reply import Table
from bot.core.views import timetable_reply
from bot.frontends.console.render import render

EVENT = "night-cup-2022/dst"
NOW = datetime.fromisoformat("2022-10-20T12:00+00:00")


def _session(slug: str, day: date, wall: time, offset: timedelta | None = None) -> Session:
    return Session(
        id=f"{EVENT}/{slug}",
        slug=slug,
        event_id=EVENT,
        series_id="night-cup-2022",
        name=slug.title(),
        short_name=slug,
        kind=SessionKind.RACE,
        day=day,
        local_time=wall,
        timezone="Europe/Berlin",
        utc_offset=offset,
    )


def _event(*sessions: Session) -> Event:
    return Event(
        id=EVENT,
        slug="dst",
        series_id="night-cup-2022",
        name="Night race",
        timezone="Europe/Berlin",
        start_date=sessions[0].day,
        end_date=sessions[-1].day,
        sessions=sessions,
    )


# 30 October 2022: Berlin goes from CEST to CET at 03:00, London from BST to GMT at 02:00.
ACROSS = _event(
    _session("qualifying", date(2022, 10, 29), time(14, 0)),  # 12:00 UTC: 13:00 BST
    _session("night", date(2022, 10, 30), time(2, 30), timedelta(hours=1)),  # 01:30 UTC: GMT
)
SUMMER = _event(_session("race", date(2022, 10, 29), time(14, 0)))


def _catalog(event: Event) -> Catalog:
    series = Series(id="night-cup-2022", name="Night Cup", season=2022, events=(event,))
    return Catalog.build([series], [], [], [])


def _table(event: Event, zone: str) -> tuple[Table, str]:
    reply = timetable_reply(_catalog(event), event, zone, NOW)
    table = next(block for block in reply.blocks if isinstance(block, Table))
    return table, render(reply, colour=False)


def test_a_london_reader_sees_bst_and_gmt_on_their_own_rows() -> None:
    table, text = _table(ACROSS, "Europe/London")
    assert [column.header for column in table.columns][-1] == "At the track"
    assert [(row[1], row[-1]) for row in table.rows] == [
        ("13:00 BST", "14:00 CEST"),
        ("01:30 GMT", "02:30 CET"),
    ]
    assert "Europe/London (BST)" not in text and "At the track: Europe/Berlin" not in text


def test_at_the_track_each_row_keeps_its_own_abbreviation() -> None:
    table, _ = _table(ACROSS, "Europe/Berlin")
    assert [row[1] for row in table.rows] == ["14:00 CEST", "02:30 CET"]
    assert "At the track" not in [column.header for column in table.columns]


def test_one_abbreviation_all_weekend_keeps_the_plain_layout() -> None:
    table, text = _table(SUMMER, "Europe/London")
    assert [row[1] for row in table.rows] == ["13:00"]
    assert "Times in Europe/London (BST). At the track: Europe/Berlin (CEST)." in text
