"""The first drivers' table after a reload: the one pass over the rows (`bot.core.drivers_table`)
against the general way of adding points (`SessionScore` per session, exact under dead heats),
on awkward results sheets; how often a session is scored; the lines it builds.

The one pass takes the usual results sheet (row i classified at position i, one driver per row)
at its fastest and hands any other row to a row-by-row loop; both must give the same table as
the general way, line for line, whatever the rows look like.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.core.drivers_table as drivers_table
import bot.core.points as points_module
from bot.core.catalog import Catalog
from bot.core.model import (
    Driver,
    PointsScale,
    ResultRow,
    ResultStatus,
    Session,
    SessionKind,
)
from bot.core.standings import StandingsLine, TableKind, table_lines
from tests.one_event import RACE, one_event_catalog, results_session

SHORT = PointsScale("short", "Short", (3, 1))
SCALES = {scale.id: scale for scale in (RACE, SHORT)}
NAMES = ("Ada", "ada", "Bea", "Cleo")


def in_order(*crews: tuple[str, ...], retired: tuple[str, ...] = ()) -> tuple[ResultRow, ...]:
    """The usual sheet: crews classified 1, 2, 3, ..., then non-finishers without a position."""
    rows = [
        ResultRow(drivers=crew, status=ResultStatus.CLASSIFIED, position=position)
        for position, crew in enumerate(crews, start=1)
    ]
    rows += [ResultRow(drivers=(d,), status=ResultStatus.DNF) for d in retired]
    return tuple(rows)


@st.composite
def sheets(draw: st.DrawFn) -> tuple[Catalog, list[Session]]:
    """Sessions that start as the usual sheet and then go astray in any of the ways data can:
    a shared car, a driver listed twice, a dead heat, positions out of order or beyond the
    scale, a classified row without a position, a non-finisher with one, position 0, a session
    without a scale."""
    drivers = [
        Driver(id=f"d{n}", name=draw(st.sampled_from(NAMES)))
        for n in range(draw(st.integers(1, 7)))
    ]
    ids = [driver.id for driver in drivers] + ["unknown"]  # one not in the catalog
    sessions = []
    for number in range(draw(st.integers(1, 5))):
        rows = []
        usual = draw(st.integers(0, 6))
        for place in range(1, usual + 1):
            driver = draw(st.sampled_from(ids))
            rows.append(
                ResultRow(drivers=(driver,), status=ResultStatus.CLASSIFIED, position=place)
            )
        for _ in range(draw(st.integers(0, 5))):
            status = draw(st.sampled_from(list(ResultStatus)))
            position = draw(st.one_of(st.none(), st.integers(0, 20)))
            crew = tuple(draw(st.lists(st.sampled_from(ids), min_size=0, max_size=3)))
            rows.append(ResultRow(drivers=crew, status=status, position=position))
        scale = draw(st.sampled_from([*SCALES, None]))
        kind = draw(st.sampled_from([SessionKind.RACE, SessionKind.QUALIFYING]))
        sessions.append(results_session(f"s{number}", tuple(rows), scale, kind))
    return one_event_catalog(drivers, sessions, SCALES.values()), sessions


def general_way(catalog: Catalog, sessions: list[Session]) -> tuple[StandingsLine, ...]:
    """The same table with the one pass switched off: every session through `SessionScore`."""
    original = drivers_table._one_pass
    drivers_table._one_pass = lambda catalog, sessions: None
    try:
        return table_lines(catalog, sessions, TableKind.DRIVERS)
    finally:
        drivers_table._one_pass = original


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_the_one_pass_agrees_with_the_general_way_on_any_sheet(
    drawn: tuple[Catalog, list[Session]],
) -> None:
    catalog, sessions = drawn
    fast = table_lines(catalog, sessions, TableKind.DRIVERS)
    general = general_way(dataclasses.replace(catalog, _derived={}), sessions)
    assert fast == general
    assert [type(line.points) for line in fast] == [type(line.points) for line in general]


def counted_scores(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Session ids, once each time a session's `SessionScore` is worked out."""
    scored: list[str] = []
    original = points_module._score

    def counting(catalog: Catalog, session: Session) -> points_module.SessionScore:
        scored.append(session.id)
        return original(catalog, session)

    monkeypatch.setattr(points_module, "_score", counting)
    return scored


def test_usual_sheets_are_scored_in_the_one_pass_and_others_checked_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scored = counted_scores(monkeypatch)
    sessions = [
        results_session(
            "r1", in_order(("a",), ("b",), ("c",), retired=("d",)), "race", SessionKind.RACE
        ),
        # Out of order and a shared car: the row-by-row loop, still without a dead heat.
        results_session("r2", in_order(("b",), ("a", "d"))[::-1], "race", SessionKind.RACE),
    ]
    catalog = one_event_catalog(
        [Driver(id=d, name=d.upper()) for d in "abcd"], sessions, SCALES.values()
    )
    lines = table_lines(catalog, sessions, TableKind.DRIVERS)
    # r1 took no SessionScore: its points came straight from the scale. r2's positions are out
    # of row order, so its SessionScore is worked out once, to rule out a dead heat.
    assert scored == ["s/e/r2"]
    assert [(line.position, line.key, line.points, line.wins) for line in lines] == [
        (1, "a", Fraction(45), 1),  # equal on points, wins and seconds: the place shared
        (1, "b", Fraction(45), 1),
        (3, "d", Fraction(20), 0),
        (4, "c", Fraction(16), 0),
    ]


def test_a_dead_heat_scores_each_session_once_the_general_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scored = counted_scores(monkeypatch)
    dead_heat = (
        ResultRow(drivers=("a",), status=ResultStatus.CLASSIFIED, position=1),
        ResultRow(drivers=("b",), status=ResultStatus.CLASSIFIED, position=2),
        ResultRow(drivers=("c",), status=ResultStatus.CLASSIFIED, position=2),
    )
    sessions = [
        results_session("r1", in_order(("c",), ("b",), ("a",)), "race", SessionKind.RACE),
        results_session("r2", dead_heat, "race", SessionKind.RACE),
    ]
    catalog = one_event_catalog(
        [Driver(id=d, name=d.upper()) for d in "abc"], sessions, SCALES.values()
    )
    lines = table_lines(catalog, sessions, TableKind.DRIVERS)
    assert sorted(scored) == ["s/e/r1", "s/e/r2"]  # once each, though found on the way
    # b and c share the points of 2nd and 3rd place in r2: (20 + 16) / 2 = 18 each.
    assert [(line.key, line.points) for line in lines] == [
        ("c", Fraction(25 + 18)),
        ("a", Fraction(16 + 25)),
        ("b", Fraction(20 + 18)),
    ]


def test_lines_of_a_computed_table_are_frozen_standings_lines_like_any_other() -> None:
    sessions = [results_session("r1", in_order(("a",), ("b",)), "race", SessionKind.RACE)]
    catalog = one_event_catalog(
        [Driver(id="a", name="Ada", country="SE")], sessions, SCALES.values()
    )
    first, second = table_lines(catalog, sessions, TableKind.DRIVERS)
    expected = StandingsLine(1, "a", "Ada", Fraction(25), 1, "SE", None)
    assert first == expected
    assert hash(first) == hash(expected)
    assert repr(first) == repr(expected)
    assert dataclasses.replace(first, position=2) == dataclasses.replace(expected, position=2)
    assert second == StandingsLine(2, "b", "b", Fraction(20), 0, None, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.points = Fraction(1)  # type: ignore[misc]
