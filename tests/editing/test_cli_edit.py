"""`pitboard edit`, `pitboard audit` and `pitboard undo` through `bot.cli.main`, on a copy of the
bundled schedules and a database in tmp_path."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import main

from .conftest import copy_schedules, snapshot

TCR = "2022/tcr-germany.toml"
AT = "2022-04-25T10:30+02:00"


def pitboard(tmp_path: Path, *args: str) -> list[str]:
    folder = copy_schedules(tmp_path)
    return ["--schedules", str(folder), "--at", AT, *args, "--database", str(tmp_path / "db")]


def test_edit_audit_undo_from_the_shell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = copy_schedules(tmp_path)
    before = snapshot(folder)
    assert main(pitboard(tmp_path, "edit", "time", "oschersleben race 1", "2022-04-23", "10:30",
                         "--as", "alice")) == 0  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Edit #1: tcr-germany-2022/oschersleben/race-1: time set to 2022-04-23 10:30"
    assert out[1] == (
        "  moved tcr-germany-2022/oschersleben/race-1: 2022-04-23 TBA -> 2022-04-23T08:30:00+00:00"
    )
    assert out[-1] == "Undo with: pitboard undo 1"
    assert 'time = "10:30"' in (folder / TCR).read_text()
    assert main(pitboard(tmp_path, "audit")) == 0
    assert capsys.readouterr().out == (
        "#1  2022-04-25 08:30 UTC  cli:alice  "
        "tcr-germany-2022/oschersleben/race-1: time set to 2022-04-23 10:30\n"
    )
    assert main(pitboard(tmp_path, "undo", "1", "--as", "bob")) == 0
    assert capsys.readouterr().out.startswith("Edit #2: undo #1 (")
    assert snapshot(folder) == before
    assert main(pitboard(tmp_path, "undo", "1")) == 1
    assert "undone already" in capsys.readouterr().err


def test_dry_run_shows_the_lines_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_schedules(tmp_path)
    before = snapshot(folder)
    args = pitboard(tmp_path, "edit", "cancel", "oschersleben", "race", "2", "--dry-run")
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Would do: tcr-germany-2022/oschersleben/race-2: cancelled"
    assert any(line.endswith(": + cancelled = true") for line in out)
    assert out[-1] == "Dry run: nothing written."
    assert snapshot(folder) == before
    assert not (tmp_path / "db").exists()


def test_rows_from_a_file_or_stdin_and_problems_by_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_schedules(tmp_path)
    before = snapshot(folder)
    rows = tmp_path / "rows.txt"
    rows.write_text("5 jessica laps=21\nDNS jesica - fuel pump\n")
    args = pitboard(tmp_path, "edit", "results", "oschersleben race 2", "--rows", str(rows))
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "line 2, column 5: unknown driver 'jesica' (did you mean Jessica Bäckman?)" in err
    assert snapshot(folder) == before
    monkeypatch.setattr("sys.stdin", io.StringIO("5 jessica laps=21 - brakes\n"))
    args = pitboard(tmp_path, "edit", "results", "oschersleben race 2", "--rows", "-")
    assert main(args) == 0
    text = (folder / TCR).read_text()
    assert 'laps = 21\nnote = "brakes"\nsource = "edit-1"\n' in text


def test_the_bundled_season_is_not_edited(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["edit", "cancel", "oschersleben race 2"]) == 2
    assert "read-only" in capsys.readouterr().err
