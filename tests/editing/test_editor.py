"""The Editor on a copy of the bundled schedules: the text it writes (comments and layout
kept), what it refuses (leaving every file and the catalog as they were), the audit log, undo,
and admins only. Reload here is the real ScheduleReloader's, without the rest of the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from bot.core.catalog import CatalogHolder
from bot.core.clock import FixedClock
from bot.core.edits.inputs import DriverInput, EntryInput, ResultRowInput
from bot.core.edits.operations import (
    AddEntries,
    AddEvent,
    AddSession,
    EnterResults,
    SetSessionTime,
)
from bot.core.model import SessionKind
from bot.core.provenance import FactKind
from bot.core.schedules import load_catalog
from bot.editing import ADMINS_ONLY, CONSOLE, Actor, Editor
from bot.scheduling import ScheduleReloader
from bot.store.sqlite import SQLiteStore

from .conftest import copy_schedules, snapshot

TCR = "2022/tcr-germany.toml"
RACE_1 = "tcr-germany-2022/oschersleben/race-1"
RACE_2 = "tcr-germany-2022/oschersleben/race-2"
NOW = datetime(2022, 4, 25, 8, 30, tzinfo=UTC)
ANNA = Actor("telegram", "12345", "@anna", is_admin=True)


@dataclass
class Desk:
    folder: Path
    catalogs: CatalogHolder
    store: SQLiteStore
    editor: Editor


async def nothing() -> None:
    return None


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    folder = copy_schedules(tmp_path)
    catalogs = CatalogHolder(load_catalog(folder))
    store = SQLiteStore(tmp_path / "pitboard.sqlite3")
    await store.open()
    await store.migrate()
    reloader = ScheduleReloader(folder, catalogs, nothing)
    editor = Editor(folder, store, catalogs, FixedClock(NOW), reloader.reload)
    yield Desk(folder, catalogs, store, editor)
    await store.close()


async def test_a_time_edit_changes_that_line_only_and_keeps_every_comment_and_blank_line(
    desk: Desk,
) -> None:
    before = (desk.folder / TCR).read_text()
    outcome = await desk.editor.apply(SetSessionTime(RACE_1, None, time(10, 15)), ANNA)
    assert outcome.ok, outcome.problems
    after = (desk.folder / TCR).read_text()
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    # Race 1's time line changes and names its sources: the release that still states the
    # session's name and day, and the edit; the edit's source is appended to the file.
    line = old_lines.index('time = "TBA"\n', old_lines.index('id = "race-1"\n'))
    assert new_lines[line : line + 2] == [
        'time = "10:15"\n',
        f'source = ["tcr-germany-premiere", "edit-{outcome.edit_id}"]\n',
    ]
    # Its result row, which took the session's source, keeps the release's explicitly.
    row = old_lines.index('driver = "jessica-backman"\n', line) + 1
    assert new_lines[row + 1] == 'source = "tcr-germany-premiere"\n'
    del new_lines[row + 1]
    stamp = [
        "\n",
        f"[sources.edit-{outcome.edit_id}]\n",
        'kind = "operator"\n',
        'by = "telegram:12345 (@anna)"\n',
        "at = 2022-04-25T08:30:00Z\n",
    ]
    assert new_lines[-len(stamp) :] == stamp
    # Everything else, comments and blank lines included, is byte-for-byte the same.
    rest = new_lines[:line] + new_lines[line + 2 : -len(stamp)]
    assert rest == old_lines[:line] + old_lines[line + 1 :]
    assert desk.catalogs.current.sessions[RACE_1].local_time == time(10, 15)


async def test_results_added_to_a_session_keep_the_rest_of_the_file(desk: Desk) -> None:
    before = (desk.folder / TCR).read_text()
    row = ResultRowInput(line=1, position=4, driver_ids=("jessica-backman",), note="last lap pass")
    outcome = await desk.editor.apply(
        EnterResults(RACE_2, (row,), mode="replace", complete=False), ANNA
    )
    # Race 2 scores: 4th instead of 5th changes the computed points the published table
    # checks, so the loader refuses it, and says where.
    assert not outcome.ok
    assert any(p.key == "standings[0].rows[2].points" for p in outcome.problems)
    assert (desk.folder / TCR).read_text() == before
    fp1 = ResultRowInput(line=1, position=3, driver_ids=("jessica-backman",), note="traffic")
    outcome = await desk.editor.apply(
        EnterResults("tcr-germany-2022/oschersleben/fp1", (fp1,), mode="replace"), ANNA
    )
    assert outcome.ok, outcome.problems
    after = (desk.folder / TCR).read_text()
    source = f"edit-{outcome.edit_id}"
    assert after == before.replace(
        'time = "TBA"\n\n[[events.sessions.results]]\nposition = 2\ndriver = "jessica-backman"\n',
        'time = "TBA"\n\n[[events.sessions.results]]\nposition = 3\ndriver = "jessica-backman"\n'
        f'note = "traffic"\nsource = "{source}"\n',
        1,
    ) + (
        f'\n[sources.{source}]\nkind = "operator"\nby = "telegram:12345 (@anna)"\n'
        "at = 2022-04-25T08:30:00Z\n"
    )
    row = desk.catalogs.current.sessions["tcr-germany-2022/oschersleben/fp1"].results[0]
    assert (row.position, row.note) == (3, "traffic")


@pytest.mark.parametrize(
    "case", ["unknown session", "no such wall time", "unknown driver", "car not entered"]
)
async def test_a_bad_edit_says_where_and_changes_no_file_and_not_the_catalog(
    desk: Desk, case: str
) -> None:
    # A weekend over the night summer time starts (27 March 2022 in Europe/Berlin).
    setup = (
        AddEvent("tcr-germany-2022", "test-day", "Test day", None, "oschersleben",
                 "Europe/Berlin", date(2022, 3, 26), date(2022, 3, 27)),
        AddSession("tcr-germany-2022/test-day", "warm-up", "Warm-up", SessionKind.WARMUP,
                   date(2022, 3, 27), None),
    )  # fmt: skip
    assert (await desk.editor.apply(setup, ANNA)).ok
    files, catalog = snapshot(desk.folder), desk.catalogs.current
    edits = {
        "unknown session": SetSessionTime("tcr-germany-2022/oschersleben/race-9", None, time(9)),
        "no such wall time": SetSessionTime("tcr-germany-2022/test-day/warm-up", None, time(2, 30)),
        "unknown driver": EnterResults(
            RACE_1, (ResultRowInput(line=3, column=5, position=1, driver_ids=("jesica",)),)
        ),
        "car not entered": EnterResults(
            RACE_1, (ResultRowInput(line=2, column=1, position=1, car="99"),)
        ),
    }
    outcome = await desk.editor.apply(edits[case], ANNA)
    preview = await desk.editor.preview(edits[case], ANNA)
    assert not outcome.ok and not preview.ok and outcome.edit_id is None
    [problem] = outcome.problems
    assert preview.problems == outcome.problems
    if case == "unknown session":
        assert "unknown session 'tcr-germany-2022/oschersleben/race-9'" in str(problem)
    elif case == "no such wall time":
        assert (problem.file, problem.key) == (TCR, "events[3].sessions[0].time")
        assert problem.line is not None and problem.column == 8
        assert "does not exist in Europe/Berlin" in problem.message
    elif case == "unknown driver":
        assert str(problem) == "line 3, column 5: unknown driver 'jesica'"
    else:
        assert str(problem).startswith("line 2, column 1: car #99 is not entered in Oschersleben")
    assert snapshot(desk.folder) == files
    assert desk.catalogs.current is catalog
    assert [r.action for r in await desk.editor.audit()] == ["batch"]


async def test_the_audit_log_says_who_when_and_what(desk: Desk) -> None:
    outcome = await desk.editor.apply(SetSessionTime(RACE_1, None, time(10, 15)), ANNA)
    [record] = await desk.editor.audit(10)
    assert record.id == outcome.edit_id
    assert (record.at, record.actor, record.action) == (NOW, "telegram:12345 (@anna)", "time")
    assert (record.target, record.summary) == (RACE_1, f"{RACE_1}: time set to 10:15")
    assert list(record.files) == [TCR]
    before, after = record.files[TCR]
    assert 'time = "TBA"' in (before or "") and after == (desk.folder / TCR).read_text()


async def test_undo_restores_the_exact_text_and_is_logged(desk: Desk) -> None:
    original = (desk.folder / TCR).read_text()
    first = await desk.editor.apply(SetSessionTime(RACE_1, None, time(10, 15)), ANNA)
    assert first.edit_id is not None
    undone = await desk.editor.undo(first.edit_id, CONSOLE)
    assert undone.ok, undone.problems
    assert (desk.folder / TCR).read_text() == original
    assert desk.catalogs.current.sessions[RACE_1].is_tba
    newest, older = await desk.editor.audit(2)
    assert (newest.action, newest.target, newest.actor) == ("undo", f"#{first.edit_id}", "console")
    assert older.undone_by == newest.id
    again = await desk.editor.undo(first.edit_id, CONSOLE)
    assert not again.ok and "undone already" in str(again.problems[0])


async def test_undo_refuses_when_a_later_edit_touched_the_file(desk: Desk) -> None:
    first = await desk.editor.apply(SetSessionTime(RACE_1, None, time(10, 15)), ANNA)
    second = await desk.editor.apply(SetSessionTime(RACE_2, None, time(11, 30)), ANNA)
    assert first.edit_id is not None and second.edit_id is not None
    files = snapshot(desk.folder)
    refused = await desk.editor.undo(first.edit_id, ANNA)
    assert not refused.ok
    assert str(refused.problems[0]) == (
        f"{TCR} changed again since #{first.edit_id} (by #{second.edit_id}): undo those first"
    )
    assert snapshot(desk.folder) == files
    assert (await desk.editor.undo(second.edit_id, ANNA)).ok
    assert (await desk.editor.undo(first.edit_id, ANNA)).ok
    assert desk.catalogs.current.sessions[RACE_1].is_tba


async def test_a_non_admin_is_refused_and_nothing_changes(desk: Desk) -> None:
    fan = Actor("telegram", "999", "@fan", is_admin=False)
    files = snapshot(desk.folder)
    outcome = await desk.editor.apply(SetSessionTime(RACE_1, None, time(10, 15)), fan)
    assert not outcome.ok and str(outcome.problems[0]) == ADMINS_ONLY
    preview = await desk.editor.preview(SetSessionTime(RACE_1, None, time(10, 15)), fan)
    assert not preview.ok and str(preview.problems[0]) == ADMINS_ONLY
    done = await desk.editor.apply(SetSessionTime(RACE_1, None, time(10, 15)), ANNA)
    assert done.edit_id is not None
    after_admin = snapshot(desk.folder)
    undo = await desk.editor.undo(done.edit_id, fan)
    assert not undo.ok and str(undo.problems[0]) == ADMINS_ONLY
    assert snapshot(desk.folder) == after_admin != files
    assert len(await desk.editor.audit()) == 1


async def test_a_file_that_cannot_be_written_leaves_every_file_as_it_was(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.editing import editor as editor_module

    real_write = editor_module.write_atomically

    def disk_full_for_drivers(path: Path, text: str) -> None:
        if path.name == "drivers.toml":
            raise OSError(28, "No space left on device", str(path))
        real_write(path, text)

    monkeypatch.setattr(editor_module, "write_atomically", disk_full_for_drivers)
    files = snapshot(desk.folder)
    entry = EntryInput("77", "New Team", "Cupra Leon", None, ("nova-driver",))
    edit = AddEntries("24h-series-2022/hockenheim", (entry,), (DriverInput("nova-driver", "Nova"),))
    outcome = await desk.editor.apply(edit, ANNA)
    assert not outcome.ok
    assert "No space left on device" in str(outcome.problems[0])
    assert snapshot(desk.folder) == files  # the series file written first was put back
    [record] = await desk.editor.audit()
    assert record.undone_by == record.id  # the log does not claim it


async def test_a_moved_session_keeps_its_results_attributed_to_the_release(desk: Desk) -> None:
    """Provenance is per table and inherited: stamping only the edit on the session would
    hand its result rows (which the edit never touched) to the edit as well."""
    outcome = await desk.editor.apply(SetSessionTime(RACE_1, None, time(10, 15)), ANNA)
    assert outcome.ok, outcome.problems
    provenance = desk.catalogs.current.provenance
    session = provenance.of((FactKind.SESSION, RACE_1, -1))
    result = provenance.of((FactKind.RESULT, RACE_1, 0))
    assert session is not None and result is not None
    assert session.sources == ("tcr-germany-premiere", f"edit-{outcome.edit_id}")
    assert result.sources == ("tcr-germany-premiere",)
