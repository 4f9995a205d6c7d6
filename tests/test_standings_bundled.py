"""The real schedules/: Jessica Bäckman's 44 points after Oschersleben, from the encoded scales."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

pytest.importorskip("bot.core.schedules")

from bot.core.catalog import Catalog
from bot.core.schedules import load_catalog
from bot.core.standings import (
    TableKind,
    driver_total,
    published_disagreements,
    session_points,
    standings,
)

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
