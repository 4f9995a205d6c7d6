"""What a timing sheet adds to a result row (class, laps, time, gap, best lap, fastest lap, dnq):
read from the files, checked with file:line:key, scored right, shown where results are shown."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.model import ResultStatus
from bot.core.schedules import load_catalog
from bot.core.service import ChatContext, Service
from bot.core.standings import TableKind, standings
from bot.frontends.console.render import render
from tests.test_schedules_helpers import (
    SERIES,
    line_of,
    problems_in,
    replace_once,
    write_schedules,
)

RACE_ROWS = """\
[[events.sessions.results]]
position = 1
driver = "cleo"

[[events.sessions.results]]
position = 2
car = "7"
"""

TIMED_ROWS = """\
[[events.sessions.results]]
position = 1
driver = "cleo"
class = "TCR"
laps = 24
time = "40:12.345"
best_lap = "1:38.101"
fastest_lap = true

[[events.sessions.results]]
position = 2
car = "7"
class = "TCR"
laps = 24
gap = "+3.456"
best_lap = "1:38.500"

[[events.sessions.results]]
driver = "dan"
status = "dnq"
note = "107% rule"
"""

CLASSES = """\
[[events.classes]]
name = "TCR"

[[events.entries]]
number = "7"
"""


def timed_series() -> str:
    text = replace_once(SERIES, RACE_ROWS, TIMED_ROWS)
    text = replace_once(text, '[[events.entries]]\nnumber = "7"\n', CLASSES)
    return replace_once(
        text,
        'drivers = ["cleo"]\n',
        'drivers = ["cleo"]\n\n[[events.entries]]\ndrivers = ["dan"]\n',
    )


def test_timing_keys_reach_the_model_and_dnq_scores_nothing(tmp_path: Path) -> None:
    catalog = load_catalog(write_schedules(tmp_path, timed_series()))
    race = catalog.sessions["demo-2022/ring/race"]
    first, second, dnq = race.results
    assert (first.laps, first.time, first.best_lap, first.fastest_lap, first.class_name) == (
        24,
        "40:12.345",
        "1:38.101",
        True,
        "TCR",
    )
    assert (second.gap, second.time, second.fastest_lap) == ("+3.456", None, False)
    assert dnq.status is ResultStatus.DNQ and dnq.position is None and dnq.note == "107% rule"
    table = standings(catalog, "demo-2022", TableKind.DRIVERS)
    points = {line.key: line.points for line in table.lines}
    assert points.get("dan", 0) == 0 and points["cleo"] == 25


def test_bad_timing_values_are_named_by_line_and_key(tmp_path: Path) -> None:
    text = timed_series()
    text = replace_once(text, "laps = 24\ntime", "laps = -1\ntime")
    text = replace_once(text, 'gap = "+3.456"\nbest_lap = "1:38.500"', 'best_lap = "fast"')
    text = replace_once(text, 'class = "TCR"\nlaps = 24\nbest', 'class = "TRC"\nlaps = 24\nbest')
    text = replace_once(text, 'status = "dnq"', 'status = "dnq"\nfastest_lap = true\nclass = "TCR"')
    found = {
        (p.line, p.key.rsplit(".", 1)[-1]): p.message
        for p in problems_in(write_schedules(tmp_path, text))
    }
    assert found[(line_of(text, "laps = -1"), "laps")] == "must be at least 0, got -1"
    assert "'fast' is not a time" in found[(line_of(text, 'best_lap = "fast"'), "best_lap")]
    assert "unknown class 'TRC' (did you mean 'TCR'?)" in found[(line_of(text, '"TRC"'), "class")]
    fastest = found[(line_of(text, "fastest_lap = true", 2), "fastest_lap")]
    assert fastest == "the fastest lap in class 'TCR' is already events[0].sessions[1].results[0]'s"
    assert len(found) == 4


async def test_results_show_laps_gap_best_lap_and_the_fastest_lap(tmp_path: Path) -> None:
    catalog = load_catalog(write_schedules(tmp_path, timed_series()))
    service = Service(
        CatalogHolder(catalog), FixedClock(datetime.fromisoformat("2022-05-15T12:00+02:00"))
    )
    shown = render(
        await service.handle("/results demo-2022/ring/race", ChatContext(zone="Europe/Berlin")),
        colour=False,
    )
    lines = shown.splitlines()
    header = next(line for line in lines if line.startswith("Pos"))
    # Each car's drivers go on their own line under it; the gap column stands for laps and
    # status; notes go under the table: narrow enough for a phone.
    assert header.split() == ["Pos", "No", "Time"]
    assert "Anna Alm, Ben Berg" in shown
    assert any(line.split() == ["1", "8", "40:12.345"] for line in lines)
    assert any(line.split() == ["2", "7", "+3.456"] for line in lines)
    assert any(line.split() == ["–", "DNQ"] for line in lines)
    assert "Distance: 24 laps" in lines and "Dan Dahl: 107% rule" in lines
    assert "Fastest lap: Cleo Carr, 1:38.101" in shown
    driver = render(
        await service.handle("/driver cleo", ChatContext(zone="Europe/Berlin")), colour=False
    )
    assert "Race WIN, fastest lap" in driver


async def test_results_without_timing_keys_show_no_timing_columns(tmp_path: Path) -> None:
    catalog = load_catalog(write_schedules(tmp_path))
    service = Service(
        CatalogHolder(catalog), FixedClock(datetime.fromisoformat("2022-05-15T12:00+02:00"))
    )
    shown = render(
        await service.handle("/results demo-2022/ring/race", ChatContext(zone="Europe/Berlin")),
        colour=False,
    )
    header = next(line for line in shown.splitlines() if line.startswith("Pos"))
    assert header.split() == ["Pos", "No", "Note"]  # car 7's team and drivers go below it
    assert "Fastest lap" not in shown
