"""`pitboard import results SESSION FILE [--dry-run]`, run as an operator runs it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.test_cli import pitboard

DATA = Path(__file__).resolve().parent / "data" / "imports"
RACE_1 = "tcr-demo-2023/demo-ring/race-1"


def folder_with_schedules(tmp_path: Path) -> Path:
    shutil.copytree(DATA / "schedules", tmp_path / "schedules")
    return tmp_path


def toml_texts(folder: Path) -> dict[Path, str]:
    return {path: path.read_text("utf-8") for path in sorted(folder.rglob("*.toml"))}


def test_a_dry_run_prints_each_row_and_writes_nothing(tmp_path: Path) -> None:
    folder = folder_with_schedules(tmp_path)
    before = toml_texts(folder)
    export = str(DATA / "tcr-race-1-alkamel.csv")
    done = pitboard(
        "--schedules", "schedules", "import", "results", "demo ring race 1", export, "--dry-run",
        cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "tcr-race-1-alkamel.csv (Al Kamel): 8 rows for Race 1, Demo Ring "
        f"({RACE_1}), a whole classification"
    )
    assert lines[2].split() == ["2", "#7", "Cléo", "Carré", "18", "laps", "+1.656", "fastest",
                                "lap", "1'38.050"]  # fmt: skip
    assert re.fullmatch(
        r"Would change 2023/tcr-demo\.toml \(\+\d+ lines\) \(--diff shows the lines\)\.", lines[-2]
    )
    assert lines[-1] == "Dry run: nothing written."
    assert toml_texts(folder) == before
    assert not (folder / "data").exists()  # not even a database


def test_an_import_writes_the_results_and_the_standings_follow(tmp_path: Path) -> None:
    folder = folder_with_schedules(tmp_path)
    export = str(DATA / "endurance-12h-alkamel.csv")
    done = pitboard(
        "--schedules", "schedules", "import", "results", "endurance-demo-2023/demo-12h/race",
        export, "--as", "anna", cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "Imported as edit #1 (undo: pitboard undo 1)."
    assert "new entry: #131 Västkust Racing, Hyundai Elantra N TCR, TCE:" in done.stdout
    table = pitboard(
        "--schedules", "schedules", "--at", "2023-06-05T12:00+02:00", "standings", "endurance",
        cwd=folder,
    )  # fmt: skip
    assert table.returncode == 0, table.stderr
    rows = [line.split() for line in table.stdout.splitlines()]
    assert ["5", "Jessica", "Bäckman", "SE", "36"] in rows  # 4 drivers share 1st
    assert ["1", "Ida", "Isaksson", "40"] in rows


def test_a_broken_file_says_where_and_changes_nothing(tmp_path: Path) -> None:
    folder = folder_with_schedules(tmp_path)
    before = toml_texts(folder)
    export = str(DATA / "broken-duplicate-position.csv")
    done = pitboard("--schedules", "schedules", "import", "results", RACE_1, export, cwd=folder)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "broken-duplicate-position.csv (Al Kamel): 1 problem, nothing imported",
        "broken-duplicate-position.csv:5: POSITION: position 3 is also on line 4",
    ]
    assert toml_texts(folder) == before


def test_an_unknown_session_or_the_bundled_season_is_refused(tmp_path: Path) -> None:
    folder = folder_with_schedules(tmp_path)
    export = str(DATA / "tcr-race-2.csv")
    unknown = pitboard(
        "--schedules", "schedules", "import", "results", "nowhere", export, cwd=folder
    )
    assert unknown.returncode == 1 and "No session called “nowhere”" in unknown.stderr
    elsewhere = tmp_path / "elsewhere"  # no config, no schedules folder: the bundled season
    elsewhere.mkdir()
    bundled = pitboard("import", "results", "oschersleben race 1", export, cwd=elsewhere)
    assert bundled.returncode == 2 and "the bundled season is read-only" in bundled.stderr


def test_an_import_is_in_the_audit_of_the_database_it_was_given(tmp_path: Path) -> None:
    """`--database` as `pitboard edit` and `pitboard audit` take it, so an import and the edits
    around it are one log (without it the import went to the config's database)."""
    folder = folder_with_schedules(tmp_path)
    export = str(DATA / "endurance-12h-alkamel.csv")
    done = pitboard(
        "--schedules", "schedules", "import", "results", "endurance-demo-2023/demo-12h/race",
        export, "--as", "anna", "--database", "ops.sqlite3", cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    audit = pitboard("--schedules", "schedules", "audit", "--database", "ops.sqlite3", cwd=folder)
    assert audit.returncode == 0, audit.stderr
    (entry,) = audit.stdout.splitlines()
    assert entry.startswith("#1  ") and "cli:anna" in entry
    assert not (folder / "data").exists()  # the config's database was never opened


def test_an_applied_import_says_partial_as_its_dry_run_does(tmp_path: Path) -> None:
    folder = folder_with_schedules(tmp_path)
    export = str(DATA / "tcr-race-1-alkamel.csv")
    args = ("--schedules", "schedules", "import", "results", "demo ring race 1", export)
    dry = pitboard(*args, "--partial", "--dry-run", cwd=folder)
    done = pitboard(*args, "--partial", "--as", "anna", cwd=folder)
    assert dry.returncode == 0 and done.returncode == 0, done.stderr
    assert dry.stdout.splitlines()[0].endswith(", partial")
    assert done.stdout.splitlines()[0] == dry.stdout.splitlines()[0]
