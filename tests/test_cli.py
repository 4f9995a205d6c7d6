"""The `pitboard` command line, run as a user runs it: a subprocess, real files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bot.store.migrations import MIGRATIONS

ROOT = Path(__file__).resolve().parent.parent


def pitboard(
    *args: str, stdin: str = "", cwd: Path = ROOT, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
    )


def test_check_passes_on_the_bundled_schedules() -> None:
    done = pitboard("check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok: 3 series, 5 events, 10 sessions")


def test_check_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "schedules"
    shutil.copytree(ROOT / "schedules", folder)
    series = folder / "2022" / "24h-series.toml"
    text = series.read_text().replace('time = "19:05"', 'time = "7pm"')
    text = text.replace('timezone = "Europe/Berlin"', 'timezone = "Europe/Hockenheim"')
    series.write_text(text)
    done = pitboard("check", str(folder))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert any(
        re.match(r"2022/24h-series\.toml:\d+: events\[0\]\.timezone: ", line) for line in lines
    )
    assert any(
        re.match(r"2022/24h-series\.toml:\d+: events\[0\]\.sessions\[1\]\.time: ", line)
        for line in lines
    )


def test_queries_with_at_and_json() -> None:
    done = pitboard("--at", "2022-04-25T12:00+02:00", "--json", "driver", "jessica")
    assert done.returncode == 0
    reply = json.loads(done.stdout)
    assert reply["title"] == "Jessica Bäckman" and reply["status"] == "ok"
    assert "Race 1 WIN" in done.stdout


def test_standings_teams_flag_and_unknown_series() -> None:
    assert pitboard("standings", "tcr-germany-2022", "--teams").returncode == 0
    unknown = pitboard("standings", "tcr", "germny")
    assert unknown.returncode == 1 and "Did you mean" in unknown.stdout


def test_bad_at_time_is_a_usage_error() -> None:
    done = pitboard("--at", "yesterday", "next")
    assert done.returncode == 2 and "not an ISO time" in done.stderr


def test_terminal_front_end_reads_piped_commands() -> None:
    done = pitboard("run", stdin="/standings tcr-germany-2022\n/driver backman\n/help\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert (
        out.index("Martin Andersen") < out.index("Which driver do you mean") < out.index("/track")
    )


def test_replay_posts_the_hockenheim_weekend_in_order(tmp_path: Path) -> None:
    done = pitboard(
        "run",
        "--at",
        "2022-05-12T09:00+02:00",
        "--speed",
        "36000",
        "--until",
        "2022-05-16",
        stdin="/next\n",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    headers = re.findall(r"^» (.+)$", done.stdout, flags=re.M)
    titles = [
        line
        for line in done.stdout.splitlines()
        if re.match(r"^(Race weekend|.* starts in|.* is (starting|live) now)", line)
    ]
    assert titles[0] == "Race weekend: Hankook 12h Hockenheimring"
    assert sum("starts in" in t for t in titles) == 8
    assert sum(" now" in t for t in titles) == 4
    # Each post is headed with the moment it went out, in the chat's zone, in time order.
    assert headers and all(h.endswith(("CEST", "CET")) for h in headers)
    assert "youtube.com/24HSeries" in done.stdout and "livetiming.getraceresults.com" in done.stdout
    # The command typed during the replay was answered at the replay's start time.
    assert "Next up" in done.stdout and "in 1 d 7 h" in done.stdout


def test_db_upgrade(tmp_path: Path) -> None:
    database = tmp_path / "pitboard.sqlite3"
    database.touch()
    first = pitboard("db", "upgrade", "--database", str(database))
    latest = len(MIGRATIONS)
    assert first.returncode == 0 and f"upgraded from version 0 to {latest}" in first.stdout
    again = pitboard("db", "upgrade", "--database", str(database))
    assert "up to date" in again.stdout
    missing = pitboard("db", "upgrade", "--database", str(tmp_path / "nope.sqlite3"))
    assert missing.returncode == 2


def test_config_error_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[general]\ntimezon = "Europe/Stockholm"\n')
    done = pitboard("--config", str(config), "next")
    assert done.returncode == 2 and "general.timezon" in done.stderr and "timezone" in done.stderr
