"""Points for one session: scales, statuses, shared cars and dead heats; and the count-back."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest

from bot.core.catalog import Catalog
from bot.core.model import (
    Driver,
    PointsScale,
    ResultRow,
    ResultStatus,
    Session,
    SessionKind,
)
from bot.core.points import Tally, rank, scored_rows, session_points
from tests.one_event import RACE, one_event_catalog, results_session

QUALIFYING = PointsScale("qualifying", "Qualifying", (10, 8, 6, 5, 4, 3, 2, 1))
SHORT = PointsScale("short", "Top three", (25, 20, 16))


def row(
    position: int | None, *drivers: str, status: ResultStatus = ResultStatus.CLASSIFIED
) -> ResultRow:
    return ResultRow(drivers=drivers, status=status, position=position)


def catalog_of(*sessions: Session) -> Catalog:
    drivers = [Driver(id="jessica-backman", name="Jessica Bäckman", country="SE")]
    return one_event_catalog(drivers, sessions, [RACE, QUALIFYING, SHORT])


def test_round_one_gives_jessica_44_points() -> None:
    # Oschersleben 2022 as the press release tells it: Q1 2nd, Race 1 win, Q2 DNS, Race 2 5th.
    weekend = (
        results_session("fp1", (row(2, "jessica-backman"),), scale=None, kind=SessionKind.PRACTICE),
        results_session(
            "qualifying-1", (row(2, "jessica-backman"),), "qualifying", SessionKind.QUALIFYING
        ),
        results_session("race-1", (row(1, "jessica-backman"),)),
        results_session(
            "qualifying-2",
            (row(None, "jessica-backman", status=ResultStatus.DNS),),
            "qualifying",
            SessionKind.QUALIFYING,
        ),
        results_session("race-2", (row(5, "jessica-backman"),)),
    )
    catalog = catalog_of(*weekend)
    by_session = {s.slug: session_points(catalog, s)["jessica-backman"] for s in weekend}
    assert by_session == {
        "fp1": 0,
        "qualifying-1": 8,
        "race-1": 25,
        "qualifying-2": 0,
        "race-2": 11,
    }
    assert sum(by_session.values()) == 44


def test_dead_heat_for_second_shares_second_and_third_place_points() -> None:
    race = results_session(
        "race", (row(1, "a"), row(2, "b"), row(2, "c"), row(4, "d")), scale="short"
    )
    points = session_points(catalog_of(race), race)
    # 25-20-16: the two at P2 share 20 + 16; the next car is P4 and the scale has nothing left.
    assert points == {"a": 25, "b": 18, "c": 18, "d": 0}
    full = results_session("race", (row(1, "a"), row(2, "b"), row(2, "c"), row(4, "d")))
    assert session_points(catalog_of(full), full) == {"a": 25, "b": 18, "c": 18, "d": 13}


def test_three_way_dead_heat_gives_exact_thirds() -> None:
    race = results_session("race", (row(1, "a"), row(1, "b"), row(1, "c")))
    points = session_points(catalog_of(race), race)
    assert points == {"a": Fraction(61, 3), "b": Fraction(61, 3), "c": Fraction(61, 3)}


def test_dead_heat_on_the_last_scoring_place_halves_the_last_point() -> None:
    rows = (*(row(p, f"d{p}") for p in range(1, 15)), row(15, "x"), row(15, "y"))
    race = results_session("race", rows)
    points = session_points(catalog_of(race), race)
    assert points["x"] == points["y"] == Fraction(1, 2)


@pytest.mark.parametrize("status", [ResultStatus.DNF, ResultStatus.DNS, ResultStatus.DSQ])
def test_a_car_that_is_not_classified_scores_nothing(status: ResultStatus) -> None:
    # Even with a position recorded (a DSQ after crossing the line first), it scores 0 and
    # does not take the place away from the classified cars.
    race = results_session(
        "race", (row(1, "out", status=status), row(2, "second"), row(3, "third"))
    )
    points = session_points(catalog_of(race), race)
    assert points == {"out": 0, "second": 20, "third": 16}


def test_every_driver_of_a_shared_car_gets_the_cars_points() -> None:
    race = results_session("race", (row(1, "a", "b", "c"), row(2, "d", "e")))
    points = session_points(catalog_of(race), race)
    assert points == {"a": 25, "b": 25, "c": 25, "d": 20, "e": 20}
    # The car itself scored once: 25, not 75.
    assert [car for _, car in scored_rows(catalog_of(race), race)] == [25, 20]


def test_a_session_without_a_scale_scores_nothing() -> None:
    practice = results_session(
        "fp1", (row(1, "a"), row(2, "b")), scale=None, kind=SessionKind.PRACTICE
    )
    assert session_points(catalog_of(practice), practice) == {"a": 0, "b": 0}


def test_an_unknown_scale_is_named_in_the_error() -> None:
    race = results_session("race", (row(1, "a"),), scale="no-such-scale")
    with pytest.raises(ValueError, match="s/e/race names unknown points scale 'no-such-scale'"):
        session_points(catalog_of(race), race)


def tally(label: str, points: int, *finishes: int) -> Tally:
    return Tally(
        key=label.lower(), label=label, points=Fraction(points), finishes=Counter(finishes)
    )


def test_rank_breaks_a_points_tie_by_wins_then_seconds() -> None:
    ranked = rank(
        [
            tally("Anna", 40, 2, 2),  # no win, two seconds
            tally("Bea", 40, 1, 9),  # one win
            tally("Cleo", 50),
            tally("Ada", 30, 3, 3),
            tally("Dora", 30, 2, 11),  # a second beats two thirds
        ]
    )
    assert [(position, t.label) for position, t in ranked] == [
        (1, "Cleo"),
        (2, "Bea"),
        (3, "Anna"),
        (4, "Dora"),
        (5, "Ada"),
    ]


def test_rank_shares_a_position_when_count_back_cannot_separate() -> None:
    ranked = rank([tally("Zoe", 45, 1, 2), tally("Mia", 45, 2, 1), tally("Ida", 10, 5)])
    assert [(position, t.label) for position, t in ranked] == [(1, "Mia"), (1, "Zoe"), (3, "Ida")]
