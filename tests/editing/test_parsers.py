"""Pasted result rows and `/edit ...` lines turned into edits, with problems by line and column."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.core.edits.commands import parse_edit_command
from bot.core.edits.inputs import ResultRowInput
from bot.core.edits.operations import (
    AddEntries,
    AddEvent,
    AddSession,
    CancelSession,
    EnterResults,
    EnterStandings,
    PostponeSession,
    SetSessionTime,
)
from bot.core.edits.rows import parse_rows, read_pasted
from bot.core.model import SessionKind
from bot.core.schedules import load_catalog

from .conftest import BUNDLED

CATALOG = load_catalog(BUNDLED)
RACE_1 = CATALOG.sessions["tcr-germany-2022/oschersleben/race-1"]
QUALIFYING_24H = CATALOG.sessions["24h-series-2022/hockenheim/qualifying"]


def test_rows_with_positions_statuses_cars_extras_and_notes() -> None:
    text = (
        "1 jessica laps=20 time=30:01.123 best=1:28.456 fl\n"
        "\n"
        "  DNS Jessica Bäckman - fuel pump\n"
        '2 #7 gap="1 lap" class=TCR — late stop\n'
        "DSQ #12\n"
    )
    rows, problems = parse_rows(text, RACE_1, CATALOG)
    assert problems == ()
    assert rows == (
        ResultRowInput(1, 1, 1, "classified", None, ("jessica-backman",), None, 20,
                       "30:01.123", None, "1:28.456", True, None),
        ResultRowInput(3, 3, None, "dns", None, ("jessica-backman",), note="fuel pump"),
        ResultRowInput(4, 1, 2, "classified", "7", (), "TCR", gap="1 lap", note="late stop"),
        ResultRowInput(5, 1, None, "dsq", "12"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 jessica\n2 jesica", "line 2, column 3: unknown driver 'jesica' (did you mean "
                                "Jessica Bäckman?)"),
        ("1 jessica\nP9x #7", "line 2, column 1: 'P9x' is not a position or a status"),
        ("1 #7 speed=200", "line 1, column 6: unknown extra speed="),
        ("1 #7 laps=many", "line 1, column 6: laps=many is not a number"),
        ("DNF", "line 1, column 5: say who"),
        ("", "no rows"),
    ],
)  # fmt: skip
def test_a_bad_row_says_its_line_and_column(text: str, message: str) -> None:
    _, problems = parse_rows(text, RACE_1, CATALOG)
    assert str(problems[0]).startswith(message), problems


def test_a_name_is_looked_for_among_the_event_drivers_first_then_asked_about() -> None:
    rows, _ = parse_rows("1 backman", QUALIFYING_24H, CATALOG)
    assert rows[0].driver_ids == ("andreas-backman",)  # the only Bäckman at Hockenheim
    rows, _ = parse_rows("1 backman", RACE_1, CATALOG)
    assert rows[0].driver_ids == ("jessica-backman",)  # the only one at Oschersleben
    _, problems = parse_rows("1 mar", RACE_1, CATALOG)
    assert str(problems[0]).startswith("line 1, column 3: 'mar' could be ")
    assert "Martin Andersen" in str(problems[0]) and "Marcus Fluch" in str(problems[0])


def test_a_pasted_csv_is_read_by_the_import_reader_with_its_new_cars() -> None:
    text = "position,number,driver,team,laps\n1,120,Andreas Bäckman,Lestrup Racing Team,300\n"
    text += "2,7,Nova Driver,New Team,299\n"
    pasted = read_pasted(text, QUALIFYING_24H, CATALOG)
    assert pasted.problems == ()
    assert [(r.position, r.car, r.laps) for r in pasted.rows] == [(1, "120", 300), (2, "7", 299)]
    assert [e.number for e in pasted.entries] == ["7"]
    assert [d.name for d in pasted.drivers] == ["Nova Driver"]


def test_edit_commands_become_edits() -> None:
    def edit(text: str) -> object:
        parsed = parse_edit_command(text, CATALOG)
        assert parsed.problems == (), parsed.problems
        return parsed.edit

    race_1 = RACE_1.id
    assert edit("/edit time oschersleben race 1 2022-04-23 10:30") == SetSessionTime(
        race_1, date(2022, 4, 23), time(10, 30)
    )
    assert edit(f"/edit time {race_1} tba") == SetSessionTime(race_1, None, None)
    assert edit("/edit cancel oschersleben race 1") == CancelSession(race_1)
    assert edit("/edit reinstate oschersleben race 1") == CancelSession(race_1, False)
    assert edit("/edit postpone oschersleben race 1 2022-04-24") == PostponeSession(
        race_1, date(2022, 4, 24)
    )
    assert edit(
        '/edit add-event tcr-germany-2022 most name="Autodrom Most" tz=Europe/Prague '
        "from=2022-06-10 to=2022-06-12 round=3"
    ) == AddEvent("tcr-germany-2022", "most", "Autodrom Most", 3, None, "Europe/Prague",
                  date(2022, 6, 10), date(2022, 6, 12))  # fmt: skip
    assert edit(
        '/edit add-session oschersleben warm-up name="Warm-up" kind=warmup date=2022-04-24 '
        "time=09:00"
    ) == AddSession("tcr-germany-2022/oschersleben", "warm-up", "Warm-up", SessionKind.WARMUP,
                    date(2022, 4, 24), time(9, 0))  # fmt: skip
    results = edit("/edit results-replace oschersleben race 1 complete\n1 jessica\nDNF #7")
    assert isinstance(results, EnterResults)
    assert (results.mode, results.complete, len(results.rows)) == ("replace", True, 2)
    assert results.rows[1].line == 3
    standings = edit(
        '/edit standings tcr-germany-2022 oschersleben note="top two"\n1 Martin Andersen 65\n'
        "2 jessica 44.5"
    )
    assert isinstance(standings, EnterStandings)
    assert [(r.position, r.driver_id, r.points) for r in standings.rows] == [
        (1, "martin-andersen", "65"),
        (2, "jessica-backman", "44.5"),
    ]
    csv = edit("/edit results hockenheim qualifying\nposition,number,driver\n1,7,Nova Driver")
    assert isinstance(csv, tuple) and isinstance(csv[0], AddEntries)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/edit time oschersleben race 9 10:00", "line 1, column 12: no session 'oschersleben "),
        ("/edit time oschersleben race 1 25:00", "line 1, column 32: '25:00' is not a time"),
        ("/edit time oschersleben race 1 2022-02-30 10:00", "line 1, column 32: '2022-02-30' is"),
        ("/edit move x", "line 1, column 7: unknown edit 'move'"),
        ("/edit add-event tcr-germany-2022 m tz=Europe/Prague", "line 1, column 7: missing name="),
        ('/edit add-event tcr-germany-2022 most name="M" tz=Mars/Base', "line 1, column 48: tz:"),
        ("/edit results oschersleben race 1", "line 1, column 7: no rows"),
        ("/edit standings tcr-germany-2022 oschersleben\n1 nobody 3", "line 2, column 3: no "),
    ],
)  # fmt: skip
def test_a_bad_edit_command_says_where(text: str, message: str) -> None:
    parsed = parse_edit_command(text, CATALOG)
    assert parsed.edit is None
    assert str(parsed.problems[0]).startswith(message), parsed.problems
