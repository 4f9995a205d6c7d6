"""The bundled schedules/ directory loads cleanly and says what the press releases say."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from bot.core.catalog import Catalog
from bot.core.model import Link, ResultStatus, SessionKind
from bot.core.schedules import check_directory, load_catalog
from tests.test_schedules_helpers import REAL_SCHEDULES


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(REAL_SCHEDULES)


def test_the_real_schedules_have_no_problems() -> None:
    catalog, problems = check_directory(REAL_SCHEDULES)
    assert problems == ()
    assert catalog is not None
    assert set(catalog.series) == {"24h-series-2022", "stcc-2022", "tcr-germany-2022"}


def test_hockenheim_race_part_1_starts_at_13_55_in_berlin(catalog: Catalog) -> None:
    session = catalog.sessions["24h-series-2022/hockenheim/race-part-1"]
    assert session.start == datetime(2022, 5, 14, 13, 55, tzinfo=ZoneInfo("Europe/Berlin"))
    assert session.start_utc == datetime(2022, 5, 14, 11, 55, tzinfo=UTC)
    assert session.duration == timedelta(hours=6)
    assert session.end_utc == datetime(2022, 5, 14, 17, 55, tzinfo=UTC)
    assert session.part == 1
    assert session.name == "Race – Part 1"
    assert session.short_name == "Race P1"
    assert session.kind is SessionKind.RACE
    assert session.event_id == "24h-series-2022/hockenheim"
    assert session.series_id == "24h-series-2022"
    # The session has no links of its own: it shows the event's.
    assert session.broadcasts == (Link("24H Series on YouTube", "https://youtube.com/24HSeries"),)
    assert session.live_timing == Link(
        "Live timing", "https://livetiming.getraceresults.com/24hseries"
    )
    assert session.points_scale is None  # the 24H Series file names no points scales


def test_hockenheim_event_keeps_file_order_and_details(catalog: Catalog) -> None:
    event = catalog.events["24h-series-2022/hockenheim"]
    assert [s.slug for s in event.sessions] == [
        "free-practice",
        "qualifying",
        "race-part-1",
        "race-part-2",
    ]
    assert event.track_id == "hockenheimring"
    assert (event.start_date, event.end_date) == (date(2022, 5, 13), date(2022, 5, 15))
    assert event.classes[0].name == "TCR" and event.classes[0].cars == 8
    (entry,) = event.entries
    assert entry.number == "120"
    assert entry.drivers == (
        "andreas-backman",
        "oliver-soderstrom",
        "emil-sallberg",
        "marcus-fluch",
    )


def test_oschersleben_sessions_are_tba_on_their_days(catalog: Catalog) -> None:
    event = catalog.events["tcr-germany-2022/oschersleben"]
    days = {s.slug: s.day for s in event.sessions}
    assert days["fp1"] == date(2022, 4, 22)
    assert days["race-1"] == date(2022, 4, 23)
    assert days["race-2"] == date(2022, 4, 24)
    assert all(s.is_tba and s.start is None and s.start_utc is None for s in event.sessions)
    # A TBA session is listed at the start of its day in the event's zone.
    race_1 = catalog.sessions["tcr-germany-2022/oschersleben/race-1"]
    assert race_1.sort_key == datetime(2022, 4, 22, 22, 0, tzinfo=UTC)


def test_jessica_did_not_start_qualifying_2_with_a_fuel_pump_problem(catalog: Catalog) -> None:
    q2 = catalog.sessions["tcr-germany-2022/oschersleben/qualifying-2"]
    (row,) = q2.results
    assert row.drivers == ("jessica-backman",)
    assert row.status is ResultStatus.DNS
    assert row.position is None
    assert row.note == "fuel pump"


def test_points_scales_come_from_the_series_by_session_kind(catalog: Catalog) -> None:
    sessions = catalog.sessions
    assert sessions["tcr-germany-2022/oschersleben/race-1"].points_scale == "tcr-germany-race"
    assert sessions["tcr-germany-2022/oschersleben/qualifying-1"].points_scale == (
        "tcr-germany-qualifying"
    )
    assert sessions["tcr-germany-2022/oschersleben/fp1"].points_scale is None
    race_1 = sessions["tcr-germany-2022/oschersleben/race-1"]
    assert race_1.short_name == "Race 1"  # no `short`: the name is used
    assert race_1.results[0].position == 1
    assert catalog.scales["tcr-germany-race"].points_for(1) == 25


def test_published_standings_are_fractions_after_the_event_id(catalog: Catalog) -> None:
    (table,) = catalog.series["tcr-germany-2022"].published_standings
    assert table.after_event == "tcr-germany-2022/oschersleben"
    assert [(r.position, r.driver, r.points) for r in table.rows] == [
        (1, "martin-andersen", Fraction(65)),
        (2, "jonas-karklys", Fraction(55)),
        (3, "jessica-backman", Fraction(44)),
    ]


def test_events_with_dates_to_be_announced(catalog: Catalog) -> None:
    final = catalog.events["tcr-germany-2022/hockenheim"]
    assert final.is_tba
    assert final.date_note == "end of October"
    assert final.round == 7
    assert final.sessions == ()


def test_shared_files(catalog: Catalog) -> None:
    track = catalog.tracks["hockenheimring"]
    assert track.length_km == 4.574 and track.corners == 16 and track.country == "DE"
    assert track.lap_records[0].class_name == "TCR"
    assert track.lap_records[0].time == "1:47.095"
    jessica = catalog.drivers["jessica-backman"]
    assert jessica.name == "Jessica Bäckman"
    assert jessica.country == "SE"
    assert any("Oschersleben 2022" in line for line in jessica.highlights)
    assert catalog.series["stcc-2022"].short_name == "STCC"
    assert [e for e, _ in catalog.entries_by_driver["andreas-backman"]] == [
        "24h-series-2022/hockenheim",
        "stcc-2022/ljungbyhed",
    ]
