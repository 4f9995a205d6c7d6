"""`pitboard run` refused before it starts: one clear line on stderr, exit 2, no traceback.

Run as a user runs it (a subprocess, real files). Each case here used to start the terminal
front-end silently, or crash with a traceback, or (the database) start over empty.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEDULES = ROOT / "schedules"


def run(
    tmp_path: Path,
    *args: str,
    config: str = "",
    env: dict[str, str] | None = None,
    stdin: str = "",
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.toml"
    database = tmp_path / "data" / "pitboard.sqlite3"
    path.write_text(
        f'[general]\nschedules = "{SCHEDULES}"\ndatabase = "{database}"\n{config}', "utf-8"
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "run", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(env or {})},
    )


def refused(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """The one line the operator sees; fails on anything but a clean exit 2."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = [line for line in done.stderr.splitlines() if line.startswith("pitboard: ")]
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_a_platform_enabled_in_the_config_without_its_token_is_an_error(tmp_path: Path) -> None:
    done = run(tmp_path, config="[telegram]\nenabled = true\n", env={"TELEGRAM_BOT_TOKEN": " "})
    refused(done, "telegram.enabled is true", "TELEGRAM_BOT_TOKEN is not set")
    # Nothing started: no terminal front-end answered, no database was made.
    assert not (tmp_path / "data").exists()


def test_without_any_platform_configured_the_terminal_still_runs(tmp_path: Path) -> None:
    done = run(tmp_path, stdin="/help\n")
    assert done.returncode == 0, done.stderr
    assert "/next" in done.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--at", "2022-05-12T09:00+02:00", "--speed", "0"), ("--speed",)),
        (("--at", "2022-05-12T09:00+02:00", "--speed", "-5"), ("--speed",)),
        (("--at", "2022-05-12T09:00+02:00", "--speed", "nan"), ("--speed",)),
        (("--at", "2022-05-12T09:00+02:00", "--speed", "1e300"), ("--speed",)),
        (("--speed", "60"), ("--speed needs --at",)),
        (
            ("--at", "2022-05-12T09:00+02:00", "--until", "2022-05-11"),
            ("--until", "must be after --at"),
        ),
    ],
)
def test_bad_replay_options_are_named(tmp_path: Path, args: tuple[str, ...], words) -> None:
    refused(run(tmp_path, *args), *words)


def test_a_huge_number_in_the_config_is_named(tmp_path: Path) -> None:
    done = run(tmp_path, config="[announcements]\npreview_days = 9223372036854775807\n")
    refused(done, "announcements.preview_days", "at most")


def test_a_corrupt_database_is_named(tmp_path: Path) -> None:
    database = tmp_path / "data" / "pitboard.sqlite3"
    database.parent.mkdir()
    database.write_bytes(b"this is not a database, just some text " * 200)
    refused(run(tmp_path), "pitboard.sqlite3", "not a database")


def test_a_database_path_that_cannot_be_created_is_named(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the database's folder should be")
    refused(run(tmp_path), "pitboard.sqlite3")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_a_read_only_database_is_named(tmp_path: Path) -> None:
    assert run(tmp_path).returncode == 0
    database = tmp_path / "data" / "pitboard.sqlite3"
    for path in database.parent.iterdir():
        path.chmod(0o400)
    refused(run(tmp_path), "pitboard.sqlite3")


def test_a_database_that_vanished_while_it_held_chats_is_not_recreated_empty(
    tmp_path: Path,
) -> None:
    assert run(tmp_path).returncode == 0  # the terminal is a subscribed chat
    database = tmp_path / "data" / "pitboard.sqlite3"
    for path in database.parent.glob("pitboard.sqlite3*"):
        if not path.name.endswith(".in-use"):
            path.unlink()
    line = refused(run(tmp_path), "is gone", "--new-database")
    assert str(database) in line and not database.exists()
    # Said on purpose, it starts afresh.
    again = run(tmp_path, "--new-database")
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM chats").fetchone() == (1,)
