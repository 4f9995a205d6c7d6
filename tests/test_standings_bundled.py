"""The real schedules/: Jessica Bäckman's 44 points after Oschersleben, from the encoded scales."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from pathlib import Path

import pytest

pytest.importorskip("bot.core.schedules")

from bot.core.catalog import Catalog
from bot.core.published_check import published_disagreements
from bot.core.schedules import load_catalog
from bot.core.standings import TableKind, driver_total, session_points, standings

SERIES = "tcr-germany-2022"
ROUND_1 = f"{SERIES}/oschersleben"
JESSICA = "jessica-backman"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(Path(__file__).resolve().parent.parent / "schedules")


def test_jessicas_44_points_come_from_the_encoded_scales(catalog: Catalog) -> None:
    def points(slug: str) -> Fraction:
        return session_points(catalog, catalog.sessions[f"{ROUND_1}/{slug}"])[JESSICA]

    # 25 (Race 1 win) + 11 (Race 2 5th) + 8 (Q1 2nd) + 0 (Q2 DNS); practice scores nothing.
    assert [points(s) for s in ("race-1", "race-2", "qualifying-1", "qualifying-2")] == [
        25,
        11,
        8,
        0,
    ]
    assert points("fp1") == points("fp2") == 0
    assert catalog.sessions[f"{ROUND_1}/race-1"].points_scale == "tcr-germany-race"
    assert catalog.sessions[f"{ROUND_1}/qualifying-1"].points_scale == "tcr-germany-qualifying"
    total = driver_total(catalog, SERIES, JESSICA)
    assert (total.points, total.known) == (Fraction(44), True)
    assert (total.position, total.source) == (3, "published")


def test_round_one_shows_the_published_top_three(catalog: Catalog) -> None:
    table = standings(catalog, SERIES)
    assert (table.source, table.complete, table.after_event) == ("published", False, ROUND_1)
    assert (table.rounds_done, table.rounds_total) == (1, 7)
    assert table.note == "top three as published after round 1 of 7"
    assert [(line.position, line.label, line.points, line.country) for line in table.lines] == [
        (1, "Martin Andersen", Fraction(65), "DK"),
        (2, "Jonas Karklys", Fraction(55), "LT"),
        (3, "Jessica Bäckman", Fraction(44), "SE"),
    ]
    teams = standings(catalog, SERIES, TableKind.TEAMS)
    assert (teams.source, teams.complete) == ("computed", False)
    assert [(line.label, line.points) for line in teams.lines] == [
        ("ROJA Motorsport", Fraction(44))
    ]


def test_the_published_table_agrees_with_our_results(catalog: Catalog) -> None:
    # Jessica's 44 is known and equal; Andersen and Karklys have no results, so are not checked.
    assert published_disagreements(catalog) == []


SATURDAY_BEFORE_Q1 = datetime.fromisoformat("2022-04-23T00:01+02:00")
SUNDAY_AFTER_RACE_1 = datetime.fromisoformat("2022-04-24T00:01+02:00")
MONDAY_AFTER_RACE_2 = datetime.fromisoformat("2022-04-25T00:01+02:00")


def test_before_qualifying_1_nothing_counts_and_round_1_is_not_over(catalog: Catalog) -> None:
    # Q1 and Race 1 are TBA on the Saturday: finished only once that day is over.
    table = standings(catalog, SERIES, until=SATURDAY_BEFORE_Q1)
    assert (table.lines, table.after_event, table.rounds_done) == ((), None, 0)
    total = driver_total(catalog, SERIES, JESSICA, until=SATURDAY_BEFORE_Q1)
    assert (total.points, total.position) == (Fraction(0), None)


def test_mid_weekend_counts_qualifying_1_and_race_1_and_says_the_round_is_not_over(
    catalog: Catalog,
) -> None:
    table = standings(catalog, SERIES, until=SUNDAY_AFTER_RACE_1)
    # The table published after round 1 includes Sunday's sessions: not shown before them.
    assert (table.source, table.complete, table.event_over) == ("computed", False, False)
    assert table.sessions_in == (f"{ROUND_1}/qualifying-1", f"{ROUND_1}/race-1")
    assert [(line.label, line.points) for line in table.lines] == [
        ("Jessica Bäckman", Fraction(33))
    ]
    total = driver_total(catalog, SERIES, JESSICA, until=SUNDAY_AFTER_RACE_1)
    assert (total.points, total.ranked) == (Fraction(33), False)


def test_after_race_2_the_published_table_is_in(catalog: Catalog) -> None:
    table = standings(catalog, SERIES, until=MONDAY_AFTER_RACE_2)
    assert (table.source, table.event_over, table.rounds_done) == ("published", True, 1)
    total = driver_total(catalog, SERIES, JESSICA, until=MONDAY_AFTER_RACE_2)
    assert (total.points, total.position, total.ranked) == (Fraction(44), 3, True)


def test_tables_are_cached_by_the_sessions_counted_not_by_the_moment(catalog: Catalog) -> None:
    sunday_morning = standings(catalog, SERIES, TableKind.TEAMS, until=SUNDAY_AFTER_RACE_1)
    sunday_noon = standings(
        catalog, SERIES, TableKind.TEAMS, until=datetime.fromisoformat("2022-04-24T12:00+02:00")
    )
    # The same sessions are in: the same computed lines, not a recount.
    assert sunday_noon.lines is sunday_morning.lines
    monday = standings(catalog, SERIES, TableKind.TEAMS, until=MONDAY_AFTER_RACE_2)
    assert monday.lines is not sunday_morning.lines
    assert [(line.label, line.points) for line in monday.lines] == [
        ("ROJA Motorsport", Fraction(44))
    ]
