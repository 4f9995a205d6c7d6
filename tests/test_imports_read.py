"""Reading timing exports (bot.core.imports): the files in tests/data/imports, written for these
tests, read and matched to the events of tests/data/imports/schedules; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.edits.inputs import DriverInput, EntryInput
from bot.core.imports import SheetFormat, read_plain_csv, read_results
from bot.core.imports.preview import preview_lines
from bot.core.schedules import load_catalog

DATA = Path(__file__).resolve().parent / "data" / "imports"
CATALOG = load_catalog(DATA / "schedules")
TCR_RACE_1 = CATALOG.sessions["tcr-demo-2023/demo-ring/race-1"]
TCR_RACE_2 = CATALOG.sessions["tcr-demo-2023/demo-ring/race-2"]
ENDURANCE = CATALOG.sessions["endurance-demo-2023/demo-12h/race"]


def text_of(name: str) -> str:
    raw = (DATA / name).read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def test_a_two_class_al_kamel_export_matches_every_car_by_number() -> None:
    found = read_results(text_of("tcr-race-1-alkamel.csv"), "r1.csv", TCR_RACE_1, CATALOG)
    assert found.ok and found.format is SheetFormat.ALKAMEL and found.complete is True
    assert [(r.line, r.position, r.status, r.car) for r in found.rows] == [
        (2, 1, "classified", "5"),
        (3, 2, "classified", "7"),
        (4, 3, "classified", "1"),
        (5, 4, "classified", "21"),
        (6, 5, "classified", "23"),
        (7, 6, "classified", "22"),
        (8, None, "dnf", "11"),  # "Not classified": scores nothing, as a DNF
        (9, None, "dnf", "24"),  # "Retired"
    ]
    second, junior_fastest, lapped, not_classified = (found.rows[i] for i in (1, 4, 5, 6))
    assert (second.laps, second.time, second.gap, second.best_lap) == (
        18,
        "30:14.001",
        "+1.656",
        "1'38.050",
    )
    # The fastest lap of each class, from the cars' best laps (FL_TIME).
    assert [r.car for r in found.rows if r.fastest_lap] == ["7", "23"]
    assert junior_fastest.class_name == "Junior" and lapped.gap == "1 Lap"
    assert not_classified.note == "not classified"
    assert found.entries == () and found.drivers == ()


def test_a_four_driver_export_adds_the_car_missing_from_the_entries() -> None:
    found = read_results(text_of("endurance-12h-alkamel.csv"), "12h.csv", ENDURANCE, CATALOG)
    assert found.ok and found.complete is True
    assert found.entries == (
        EntryInput(
            number="131",
            team="Västkust Racing",
            car="Hyundai Elantra N TCR",
            class_name="TCE",
            # Jessica is in drivers.toml already ("Jessica BÄCKMAN" is her): matched by name.
            driver_ids=("jessica-backman", "tove-testa", "ulf-udden", "vera-vik"),
        ),
    )
    assert found.drivers == (
        DriverInput("tove-testa", "Tove Testa"),
        DriverInput("ulf-udden", "Ulf Uddén"),
        DriverInput("vera-vik", "Vera Vik"),
    )
    assert [(r.position, r.car, r.laps) for r in found.rows] == [
        (1, "101", 352),
        (2, "131", 350),
        (3, "420", 340),
        (None, "108", 201),
    ]
    assert found.rows[0].time == "12:00'41.101" and found.rows[1].gap == "2 Laps"
    assert found.matches[1].drivers == "Jessica Bäckman, Tove Testa, Ulf Uddén, Vera Vik"


def test_a_plain_csv_matches_by_number_then_by_name_and_adds_a_new_driver() -> None:
    found = read_results(text_of("tcr-race-2.csv"), "r2.csv", TCR_RACE_2, CATALOG)
    assert found.ok and found.format is SheetFormat.PLAIN and found.complete is None
    by_line = {r.line: r for r in found.rows}
    # Björn is car 5; the file says 15, a car not entered: he is matched by his name.
    assert by_line[4].car == "5" and "the file says #15" in found.matches[2].how
    assert (by_line[8].status, by_line[8].note, by_line[8].position) == ("dnf", "gearbox", None)
    assert (by_line[9].status, by_line[9].note) == ("dns", "fuel pump")
    assert found.entries == (
        EntryInput("99", "Epsilon Racing", None, "Junior", ("wille-wennberg",)),
    )
    assert found.drivers == (DriverInput("wille-wennberg", "Wille Wennberg"),)


def test_read_plain_csv_numbers_lines_from_where_the_text_was_cut() -> None:
    pasted = "pos;driver;note\n1;CLEO CARRÉ;\n2;Anna Alm;\n3;nobody known;late"
    found = read_plain_csv(pasted, "message", TCR_RACE_2, CATALOG, first_line=2)
    assert found.ok
    assert [(r.line, r.position, r.car, r.driver_ids) for r in found.rows] == [
        (3, 1, "7", ()),
        (4, 2, "1", ()),
        (5, 3, None, ("nobody-known",)),  # a new driver in a car without a number
    ]


@pytest.mark.parametrize(
    ("name", "line", "column", "key", "message"),
    [
        (
            "broken-wrong-delimiter.csv",
            1,
            None,
            "",
            "an Al Kamel export separates its fields with ';', but this header uses ','",
        ),
        ("broken-missing-column.csv", 1, None, "", "missing required column NUMBER"),
        ("broken-duplicate-position.csv", 5, 1, "POSITION", "position 3 is also on line 4"),
        ("broken-unknown-status.csv", 4, 13, "STATUS", "unknown status 'Crashed'"),
    ],
)
def test_every_broken_file_names_its_line_and_column(
    name: str, line: int, column: int | None, key: str, message: str
) -> None:
    found = read_results(text_of(name), name, TCR_RACE_1, CATALOG)
    assert len(found.problems) == 1, found.problems
    problem = found.problems[0]
    assert (problem.file, problem.line, problem.column, problem.key) == (name, line, column, key)
    assert problem.message.startswith(message)
    assert str(problem).startswith(f"{name}:{line}: ")
    assert preview_lines(found, CATALOG)[0] == f"{name} (Al Kamel): 1 problem, nothing imported"


def test_unparsable_laps_and_time_are_named_by_line_and_column() -> None:
    name = "broken-laps-and-time.csv"
    found = read_results(text_of(name), name, TCR_RACE_1, CATALOG)
    assert [(p.line, p.column, p.key) for p in found.problems] == [(3, 4, "laps"), (4, 5, "time")]
    assert str(found.problems[0]) == f"{name}:3: laps: 'eighteen' is not a number of laps"
    assert found.problems[1].where == "line 4, column 5"


def test_rows_that_cannot_be_matched_are_problems() -> None:
    text = (
        "position,number,driver,class\n"
        "1,7,Cléo Carré,TCR\n"
        "2,77,,TCR\n"  # a car not entered, and no driver to enter it with
        "3,5,Björn Öberg,Juniors\n"  # a class the event does not have
        "4,8,Cléo Carré,TCR\n"  # car 8 is not entered: Cléo is, as car 7, which has a row
        "5,7,Anna Alm,TCR\n"  # car 7 again
        "6,30,Zed Zoo,TCR\n"  # a new driver in a new car...
        "7,31,ZOO Zed,TCR\n"  # ... who cannot drive a second new car
    )
    found = read_plain_csv(text, "bad.csv", TCR_RACE_1, CATALOG)
    assert [(p.line, p.key, p.column) for p in found.problems] == [
        (3, "number", 2),
        (4, "class", 4),
        (5, "number", 2),
        (6, "number", 2),
        (8, "driver", 3),
    ]
    assert "car 77 is not entered in Demo Ring" in found.problems[0].message
    assert "unknown class 'Juniors' (did you mean 'Junior'?)" in found.problems[1].message
    assert found.problems[2].message == found.problems[3].message == "car 7 is also on line 2"
    assert found.problems[4].message == "Zed Zoo already has a result on line 7"


def test_a_comma_file_with_a_semicolon_in_a_row_says_how_many_fields() -> None:
    text = "position,number\n1,7\n2,5,1\n"
    found = read_plain_csv(text, "x.csv", TCR_RACE_1, CATALOG)
    assert [(p.line, p.column) for p in found.problems] == [(3, None)]
    assert found.problems[0].message.startswith("3 fields where the header names 2 columns")
