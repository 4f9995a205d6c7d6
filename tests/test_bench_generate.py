"""The benchmark's generated schedules are valid, sane and reproducible; the benchmark runs."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from bench._catalog_gen import SESSIONS, Shape, generate

schedules = pytest.importorskip("bot.core.schedules")

SMALL = Shape(series=3, events=4, entries=6)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("bench") / "schedules", SMALL)


@pytest.fixture(scope="module")
def catalog(made):
    return schedules.load_catalog(made.directory)


def test_load_catalog_accepts_every_generated_file(made, catalog):
    assert sorted(catalog.series) == sorted(made.series_ids)
    assert len(catalog.events) == SMALL.series * SMALL.events
    assert len(catalog.sessions) == made.sessions == SMALL.series * SMALL.events * 8
    assert sorted(catalog.drivers) == sorted(made.driver_ids)
    assert len(made.driver_ids) == SMALL.series * SMALL.entries


def test_each_weekend_has_two_practices_two_qualifyings_and_four_races(catalog):
    for event in catalog.events.values():
        kinds = [session.kind.value for session in event.sessions]
        assert sorted(kinds) == sorted(["practice"] * 2 + ["qualifying"] * 2 + ["race"] * 4)
        assert len(event.entries) == SMALL.entries
        assert all(len(entry.drivers) == 1 for entry in event.entries)


def test_every_session_has_complete_results_for_every_entry(catalog):
    for session in catalog.sessions.values():
        event = catalog.events[session.event_id]
        entered = {driver for entry in event.entries for driver in entry.drivers}
        assert session.results_complete
        assert {d for row in session.results for d in row.drivers} == entered
        classified = sorted(row.position for row in session.results if row.position is not None)
        assert classified == list(range(1, len(classified) + 1))
        if session.kind.value != "race":
            assert len(classified) == SMALL.entries


def test_races_and_qualifyings_score_practice_does_not(catalog):
    for session in catalog.sessions.values():
        scores = session.kind.value in ("race", "qualifying")
        assert (session.points_scale is not None) == scores, session.id
        if scores:
            assert session.points_scale in catalog.scales


def test_sessions_never_overlap_within_a_series(catalog):
    for series_id in catalog.series:
        sessions = sorted(
            (s for s in catalog.sessions.values() if s.series_id == series_id),
            key=lambda s: s.start_utc,
        )
        for earlier, later in pairwise(sessions):
            assert earlier.end_utc <= later.start_utc, (earlier.id, later.id)


def test_the_calendar_stays_inside_the_season(made):
    assert made.first_day.year == made.last_day.year == SMALL.season
    assert made.first_day.weekday() == 4  # events start on a Friday


def test_the_same_seed_writes_the_same_bytes(made, tmp_path):
    again = generate(tmp_path / "again", SMALL)
    for first, second in zip(made.files, again.files, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_a_shape_that_does_not_fit_one_season_is_refused(tmp_path):
    with pytest.raises(ValueError, match="events must be 1 to 14"):
        generate(tmp_path, Shape(events=15))


def test_the_session_plan_has_no_overlap_on_its_own():
    by_day: dict[int, list[tuple[int, int]]] = {}
    for plan in SESSIONS:
        by_day.setdefault(plan.day, []).append((plan.hour * 60, plan.hour * 60 + plan.minutes))
    for slots in by_day.values():
        for (_, end), (start, _) in pairwise(sorted(slots)):
            assert end <= start


def test_the_quick_benchmark_ends_with_one_json_line_of_figures(capsys):
    pytest.importorskip("bot.core.service")
    from bench import core

    assert core.main(["--quick"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    figures = json.loads(last)
    assert figures["sessions"] == 5 * 4 * 8
    assert figures["load"]["load_validate_s"] > 0
    assert figures["load"]["ratio"] == pytest.approx(
        figures["load"]["load_validate_s"] / figures["load"]["raw_parse_s"], rel=0.02
    )
    for name in ("standings", "next", "driver"):
        assert figures["queries"][name]["statuses"] == {"ok": figures["queries"][name]["n"]}
        assert figures["queries"][name]["p99_ms"] >= figures["queries"][name]["p50_ms"] > 0


def test_the_generator_can_be_run_by_hand(tmp_path, capsys):
    from bench._catalog_gen import main

    assert main([str(tmp_path / "out"), "--series", "1", "--events", "1", "--entries", "2"]) == 0
    assert "8 sessions, 16 results" in capsys.readouterr().out
    assert (Path(tmp_path / "out") / "drivers.toml").is_file()
