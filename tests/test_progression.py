"""The standings chart's data: points per driver per round (or session), true at the clock's now."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from bot.core.catalog import Catalog
from bot.core.model import SessionKind
from bot.core.progression import chart_caption, progression
from bot.core.reply import ReplyStatus, plain_text
from bot.core.schedules import load_catalog
from bot.core.standings import standings
from tests.test_standings import build, event, row, session

SERIES = "tcr-germany-2022"
SUNDAY_BEFORE_RACE_2 = datetime.fromisoformat("2022-04-24T12:00+02:00")
MONDAY_AFTER_RACE_2 = datetime.fromisoformat("2022-04-25T00:01+02:00")
FRIDAY_BEFORE_ANYTHING = datetime.fromisoformat("2022-04-22T12:00+02:00")


@pytest.fixture(scope="module")
def bundled() -> Catalog:
    return load_catalog(Path(__file__).resolve().parent.parent / "schedules")


def series_of(found: object) -> dict[str, list[Fraction | None]]:
    return {d.label: list(d.points) for d in found.drivers}  # type: ignore[attr-defined]


def test_before_race_2_only_saturdays_sessions_count(bundled: Catalog) -> None:
    found = progression(bundled, SERIES, until=SUNDAY_BEFORE_RACE_2)
    # One round under way: a step per session, and Sunday's Q2 and Race 2 are not in yet.
    assert [s.label for s in found.steps] == ["Start", "Qualifying 1", "Race 1"]
    assert series_of(found) == {"Jessica Bäckman": [0, 8, 33]}
    assert found.heading == "Round 1 of 7 (Oschersleben) under way: after Qualifying 1 and Race 1"


def test_after_race_2_the_last_step_is_the_table_standings_shows(bundled: Catalog) -> None:
    found = progression(bundled, SERIES, until=MONDAY_AFTER_RACE_2)
    assert [s.label for s in found.steps] == [
        "Start",
        "Qualifying 1",
        "Race 1",
        "Qualifying 2",
        "Race 2",
    ]
    # The round is over: the organiser's published top three, as /standings shows; the two
    # rivals have no results in the data, so before it their points are unknown, not 0.
    assert series_of(found) == {
        "Martin Andersen": [0, None, None, None, 65],
        "Jonas Karklys": [0, None, None, None, 55],
        "Jessica Bäckman": [0, 8, 33, 33, 44],
    }
    table = standings(bundled, SERIES, until=MONDAY_AFTER_RACE_2)
    assert [(d.label, d.position) for d in found.drivers] == [
        (line.label, line.position) for line in table.lines
    ]
    assert found.heading == "After round 1 of 7 (Oschersleben)"
    caption = plain_text(chart_caption(found).blocks[0].lines[1])  # type: ignore[union-attr]
    assert caption == "After round 1 of 7 (Oschersleben)"


def test_a_results_post_chart_stops_at_its_race(bundled: Catalog) -> None:
    # Race 1's post, sent long after Race 2: the chart as it stood once Race 1 was over.
    found = progression(bundled, SERIES, through=f"{SERIES}/oschersleben/race-1")
    assert series_of(found) == {"Jessica Bäckman": [0, 8, 33]}


def test_no_results_yet_is_empty(bundled: Catalog) -> None:
    assert progression(bundled, SERIES, until=FRIDAY_BEFORE_ANYTHING).empty


def test_followed_drivers_are_added_and_highlighted(bundled: Catalog) -> None:
    found = progression(
        bundled, SERIES, until=MONDAY_AFTER_RACE_2, top=1, highlight={"jessica-backman"}
    )
    assert [(d.label, d.highlighted) for d in found.drivers] == [
        ("Martin Andersen", False),
        ("Jessica Bäckman", True),
    ]


def test_rounds_are_the_steps_once_two_rounds_have_results() -> None:
    jb, ma = "jessica-backman", "martin-andersen"
    catalog = build(
        event("one", 1, session("one", "race-1", row(1, jb), row(2, ma))),
        event(
            "two",
            2,
            session("two", "qualifying", row(1, ma), row(2, jb), kind=SessionKind.QUALIFYING),
            session("two", "race-1", row(1, ma), row(2, jb), day=date(2022, 4, 24)),
        ),
    )
    found = progression(catalog, "cup-2022")
    assert [s.label for s in found.steps] == ["Start", "R1 One", "R2 Two"]
    assert series_of(found) == {
        "Martin Andersen": [0, 20, 20 + 10 + 25],
        "Jessica Bäckman": [0, 25, 25 + 8 + 20],
    }


def test_the_same_cut_gives_the_same_progression_once_per_catalog(bundled: Catalog) -> None:
    first = progression(bundled, SERIES, until=MONDAY_AFTER_RACE_2)
    # Another moment with the same sessions finished: the same object, not a recount.
    assert progression(bundled, SERIES, until=MONDAY_AFTER_RACE_2.replace(hour=9)) is first
    assert progression(bundled, SERIES, until=SUNDAY_BEFORE_RACE_2) is not first


async def test_the_service_says_when_there_is_nothing_to_draw(bundled: Catalog) -> None:
    from bot.core.catalog import CatalogHolder
    from bot.core.clock import FixedClock
    from bot.core.service import Service

    service = Service(CatalogHolder(bundled), FixedClock(FRIDAY_BEFORE_ANYTHING))
    reply = await service.handle("/chart tcr germany")
    assert reply.status is ReplyStatus.EMPTY
    assert "No results in TCR Germany 2022 yet" in plain_text(reply.blocks[0].lines[0])  # type: ignore[union-attr]


def test_a_reply_with_an_image_stays_printable_as_json(bundled: Catalog) -> None:
    from bot.core.progression import alt_text
    from bot.core.reply import Attachment, Reply, to_jsonable

    found = progression(bundled, SERIES, until=MONDAY_AFTER_RACE_2)
    assert alt_text(found) == (
        "TCR Germany 2022: championship points after round 1 of 7 (Oschersleben)"
    )
    image = Attachment(b"\x89PNG", "chart.png", description=alt_text(found))
    shown = to_jsonable(Reply(None, attachment=image))["attachment"]
    assert shown["data"] == "<4 bytes>" and "4 bytes" in repr(image)
