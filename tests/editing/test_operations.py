"""Each edit operation as text: `plan_edit` on the bundled files (read, never written), the
result checked by the loader with the new text overlaid, as the Editor does."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.core.catalog import Catalog
from bot.core.edits.apply import EditPlan, SourceStamp, plan_edit
from bot.core.edits.inputs import DriverInput, EntryInput, ResultRowInput
from bot.core.edits.operations import (
    AddEntries,
    AddEvent,
    AddSession,
    CancelSession,
    Edit,
    EnterResults,
    EnterStandings,
    PostponeSession,
    SetSessionTime,
    StandingsRowInput,
)
from bot.core.model import ResultStatus, SessionKind
from bot.core.schedules import check_directory, load_catalog
from bot.editing.files import read_texts

from .conftest import BUNDLED

TCR = "2022/tcr-germany.toml"
H24 = "2022/24h-series.toml"
OSCHERSLEBEN = "tcr-germany-2022/oschersleben"
HOCKENHEIM = "24h-series-2022/hockenheim"
CATALOG = load_catalog(BUNDLED)
FILES = read_texts(BUNDLED)
STAMP = SourceStamp("edit-9", "operator", "console", datetime(2022, 5, 1, 12, tzinfo=UTC))


def planned(edit: Edit | tuple[Edit, ...], stamp: SourceStamp | None = None) -> EditPlan:
    plan = plan_edit(edit, FILES, CATALOG, stamp)
    assert not plan.problems, plan.problems
    return plan


def loaded(plan: EditPlan) -> Catalog:
    catalog, problems = check_directory(BUNDLED, plan.texts)
    assert catalog is not None, problems
    return catalog


def added_lines(plan: EditPlan, path: str) -> list[str]:
    old = FILES[path].splitlines()
    return [line for line in plan.texts[path].splitlines() if line not in old]


def test_cancel_and_reinstate() -> None:
    session = f"{HOCKENHEIM}/qualifying"
    cancelled = planned(CancelSession(session))
    assert loaded(cancelled).sessions[session].cancelled
    assert added_lines(cancelled, H24) == ["cancelled = true"]
    back = plan_edit(CancelSession(session, cancelled=False), cancelled.texts, CATALOG)
    assert back.texts[H24] == FILES[H24]


def test_postpone_keeps_the_day_or_moves_it_and_makes_the_time_tba() -> None:
    session = f"{HOCKENHEIM}/race-part-2"
    plan = planned(PostponeSession(session, date(2022, 5, 15)))
    assert loaded(plan).sessions[session].is_tba
    same_day = planned(PostponeSession(session))
    assert loaded(same_day).sessions[session].day == date(2022, 5, 15)


def test_set_time_with_an_offset_settles_a_wall_time_that_happens_twice() -> None:
    plan = planned(
        SetSessionTime(f"{HOCKENHEIM}/free-practice", None, time(17), timedelta(hours=2))
    )
    assert 'utc_offset = "+02:00"' in added_lines(plan, H24)
    start = loaded(plan).sessions[f"{HOCKENHEIM}/free-practice"].start_utc
    assert start == datetime(2022, 5, 13, 15, tzinfo=UTC)


def test_add_an_event_and_a_session_in_one_batch_with_their_source() -> None:
    plan = planned(
        (
            AddEvent(
                "tcr-germany-2022",
                "red-bull-ring-2",
                "Red Bull Ring II",
                3,
                "red-bull-ring",
                "Europe/Vienna",
                date(2022, 6, 3),
                date(2022, 6, 5),
            ),
            AddSession(
                "tcr-germany-2022/red-bull-ring-2",
                "race-1",
                "Race 1",
                SessionKind.RACE,
                date(2022, 6, 4),
                time(15, 30),
                timedelta(minutes=30),
            ),
        ),
        STAMP,
    )
    catalog = loaded(plan)
    session = catalog.sessions["tcr-germany-2022/red-bull-ring-2/race-1"]
    assert (session.local_time, session.duration) == (time(15, 30), timedelta(minutes=30))
    assert catalog.events["tcr-germany-2022/red-bull-ring-2"].round == 3
    text = plan.texts[TCR]
    assert text.count('source = "edit-9"') == 2
    assert (
        '[sources.edit-9]\nkind = "operator"\nby = "console"\nat = 2022-05-01T12:00:00Z\n' in text
    )
    assert text.startswith(FILES[TCR].split("[[standings]]")[0].rstrip("\n"))


def test_results_merge_corrects_a_row_and_adds_one_replace_writes_the_whole_list() -> None:
    session = f"{OSCHERSLEBEN}/fp1"
    corrected = ResultRowInput(line=1, position=4, driver_ids=("jessica-backman",), note="traffic")
    plan = planned(EnterResults(session, (corrected,)))
    [row] = loaded(plan).sessions[session].results
    assert (row.position, row.note) == (4, "traffic")
    # The row was corrected in place: its `driver` line is the one it had.
    assert added_lines(plan, TCR) == ["position = 4", 'note = "traffic"']
    h24 = f"{HOCKENHEIM}/race-part-1"
    first = planned(EnterResults(h24, (ResultRowInput(1, position=2, car="120", laps=300),)))
    dnf = ResultRowInput(1, position=None, status="dnf", car="120", note="fire")
    replaced = plan_edit(
        EnterResults(h24, (dnf,), mode="replace", complete=True), first.texts, CATALOG
    )
    [row] = loaded(replaced).sessions[h24].results
    assert (row.status, row.position, row.note) == (ResultStatus.DNF, None, "fire")
    assert "laps = 300" not in replaced.texts[H24]
    assert loaded(replaced).sessions[h24].results_complete


def test_standings_replace_the_table_published_after_that_event() -> None:
    rows = (
        StandingsRowInput(2, 1, "martin-andersen", "65"),
        StandingsRowInput(3, 2, "jessica-backman", "44"),
    )
    plan = planned(EnterStandings("tcr-germany-2022", OSCHERSLEBEN, rows, "top two"), STAMP)
    [table] = loaded(plan).series["tcr-germany-2022"].published_standings
    assert [(r.position, r.driver, r.points) for r in table.rows] == [
        (1, "martin-andersen", 65),
        (2, "jessica-backman", 44),
    ]
    assert table.note == "top two"


def test_new_entries_and_drivers_write_two_files_checked_together() -> None:
    entry = EntryInput("77", "Lestrup Racing Team", "Audi RS 3 LMS TCR", "TCR", ("new-driver",))
    driver = DriverInput("new-driver", "Nova Driver", "SE")
    row = ResultRowInput(1, position=1, car="77")
    plan = planned(
        (
            AddEntries(HOCKENHEIM, (entry,), (driver,)),
            EnterResults(f"{HOCKENHEIM}/qualifying", (row,)),
        ),
        STAMP,
    )
    assert sorted(plan.texts) == ["2022/24h-series.toml", "drivers.toml"]
    catalog = loaded(plan)
    assert catalog.drivers["new-driver"].name == "Nova Driver"
    assert catalog.sessions[f"{HOCKENHEIM}/qualifying"].results[0].drivers == ("new-driver",)
    assert plan.texts["drivers.toml"] == FILES["drivers.toml"] + (
        '\n[drivers.new-driver]\nname = "Nova Driver"\ncountry = "SE"\nsource = "edit-9"\n'
    )
    # A driver whose table the loader refuses refuses the entry with it: nothing is half done.
    bad = DriverInput("new-driver", "Nova Driver", "Sweden")
    broken = planned(AddEntries(HOCKENHEIM, (entry,), (bad,)))
    catalog, problems = check_directory(BUNDLED, broken.texts)
    assert catalog is None
    assert [p.file for p in problems] == ["drivers.toml"]


def test_what_cannot_be_done_is_said_before_any_text_is_built() -> None:
    cases: list[tuple[Edit, str]] = [
        (CancelSession(f"{OSCHERSLEBEN}/race-9"), "unknown session"),
        (
            AddEvent(
                "tcr-germany-2022", "oschersleben", "X", None, None, "Europe/Berlin", None, None
            ),
            "exists already",
        ),
        (
            AddSession(OSCHERSLEBEN, "fp1", "FP1", SessionKind.PRACTICE, date(2022, 4, 22), None),
            "exists already",
        ),
        (AddEntries(HOCKENHEIM, (EntryInput("120"),)), "car #120 is entered"),
        (CancelSession(f"{HOCKENHEIM}/qualifying", cancelled=False), "nothing to change"),
    ]
    for edit, message in cases:
        plan = plan_edit(edit, FILES, CATALOG)
        assert not plan.texts and message in str(plan.problems[0]), (edit, plan.problems)


def test_no_text_is_written_for_the_bundled_folder() -> None:
    assert read_texts(BUNDLED) == FILES
    assert Path(BUNDLED / TCR).read_text() == FILES[TCR]
