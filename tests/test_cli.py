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
    answer = json.loads(done.stdout)
    assert answer["status"] == "ok" and answer["driver"]["name"] == "Jessica Bäckman"
    weekend = answer["driver"]["weekend"]["sessions"]
    race_1 = next(s for s in weekend if s["session"]["name"] == "Race 1")
    assert race_1["position"] == 1 and race_1["status"] == "classified"
    assert answer["driver"]["championship"]["points"] == 44


def test_json_is_the_data_not_the_text_layout() -> None:
    table = json.loads(pitboard("--json", "standings", "tcr-germany-2022").stdout)
    rows = table["standings"]["rows"]
    assert [(r["position"], r["name"], r["points"]) for r in rows] == [
        (1, "Martin Andersen", 65),
        (2, "Jonas Karklys", 55),
        (3, "Jessica Bäckman", 44),
    ]
    assert table["standings"]["source"] == "published" and table["standings"]["rounds_total"] == 7
    results = json.loads(
        pitboard("--json", "results", "tcr-germany-2022/oschersleben/race-1").stdout
    )
    row = results["results"]["rows"][0]
    assert row["position"] == 1 and row["points"] == 25 and row["team"] == "ROJA Motorsport"
    assert row["drivers"] == [{"id": "jessica-backman", "name": "Jessica Bäckman"}]
    upcoming = json.loads(pitboard("--at", "2022-05-12T09:00+02:00", "--json", "next").stdout)
    first = upcoming["sessions"][0]
    assert first["id"] == "24h-series-2022/hockenheim/free-practice"
    assert first["start"] == "2022-05-13T14:20:00+00:00"
    assert first["start_local"] == "2022-05-13T16:20:00+02:00"
    ambiguous = pitboard("--json", "driver", "backman")
    assert ambiguous.returncode == 1
    asked = json.loads(ambiguous.stdout)
    assert asked["status"] == "ambiguous" and len(asked["choices"]) == 2
    assert "─" not in ambiguous.stdout + upcoming["sessions"][0]["name"]


def test_driver_takes_a_short_event_name_as_in_chats() -> None:
    done = pitboard("--at", "2022-04-25T12:00+02:00", "driver", "jessica", "oschersleben")
    assert done.returncode == 0, done.stdout
    assert "Race 1 WIN" in done.stdout


def test_output_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    # The reader is gone before the command is even read: every write meets a closed pipe.
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--database", str(tmp_path / "db.sqlite3")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
    )
    assert process.stdout is not None
    process.stdout.close()
    _, errors = process.communicate("/help\n/standings tcr-germany-2022\n", timeout=60)
    assert "Traceback" not in errors and "BrokenPipeError" not in errors, errors
    assert process.returncode == 141


def test_terminal_front_end_logs_to_a_file_and_a_new_database_missed_nothing(
    tmp_path: Path,
) -> None:
    done = pitboard("run", "--database", str(tmp_path / "db.sqlite3"), stdin="/next\n")
    assert done.returncode == 0, done.stderr
    # Nothing but the answer on the screen: no log line on stdout or stderr.
    assert " INFO " not in done.stdout + done.stderr
    assert done.stderr == ""
    log = (tmp_path / "pitboard.log").read_text()
    assert "delivery started: console" in log
    # Every 2022 announcement fell due before this brand-new database: none was "missed".
    assert "missed while down" not in log


def test_standings_teams_flag_and_unknown_series() -> None:
    assert pitboard("standings", "tcr-germany-2022", "--teams").returncode == 0
    unknown = pitboard("standings", "tcr", "germny")
    assert unknown.returncode == 1 and "Did you mean" in unknown.stdout


def test_bad_at_time_is_a_usage_error() -> None:
    done = pitboard("--at", "yesterday", "next")
    assert done.returncode == 2 and "not an ISO time" in done.stderr


def test_terminal_front_end_reads_piped_commands(tmp_path: Path) -> None:
    # A database of its own: the checkout's default one belongs to whoever runs `make run`
    # there (a bot still running, or a stale in-use marker, must not fail the suite).
    done = pitboard(
        "run",
        "--database",
        str(tmp_path / "db.sqlite3"),
        stdin="/standings tcr-germany-2022\n/driver backman\n/help\n",
    )
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
    latest = MIGRATIONS[-1].version
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


def test_the_terminal_keeps_its_database_folder_private(tmp_path: Path) -> None:
    # The terminal's log file is written beside the database, before the store opens it:
    # whoever makes the folder first, it is the owner's alone.
    folder = tmp_path / "new" / "data"
    done = pitboard("run", "--database", str(folder / "db.sqlite3"), stdin="/help\n")
    assert done.returncode == 0, done.stderr
    assert (folder / "pitboard.log").exists()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "db.sqlite3").stat().st_mode & 0o777 == 0o600


def test_chart_writes_the_png_true_at_the_clock_given(tmp_path: Path) -> None:
    out = tmp_path / "chart.png"
    done = pitboard("--at", "2022-04-25T00:01+02:00", "chart", "tcr-germany-2022", "-o", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "After round 1 of 7 (Oschersleben)" in done.stdout
    assert f"Chart written to {out}" in done.stdout
    png = out.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1200, 800)
    # --json: the data series drawn, Race 2 in, nothing later.
    data = json.loads(
        pitboard(
            "--json",
            "--at",
            "2022-04-24T12:00+02:00",
            "chart",
            "tcr",
            "germany",
            "-o",
            str(tmp_path / "sunday.png"),
        ).stdout
    )
    assert data["chart"]["steps"] == ["Start", "Qualifying 1", "Race 1"]
    assert data["chart"]["drivers"][0]["points"] == [0, 8, 33]


def test_chart_of_a_series_without_results_says_so_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "chart.png"
    done = pitboard("--at", "2022-04-22T12:00+02:00", "chart", "tcr-germany-2022", "-o", str(out))
    assert done.returncode == 0 and "No results in TCR Germany 2022 yet" in done.stdout
    assert not out.exists()


def test_the_terminal_writes_a_chart_beside_its_log_and_prints_the_path(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    done = pitboard("run", "--database", str(database), stdin="/chart tcr-germany-2022\n")
    assert done.returncode == 0, done.stdout + done.stderr
    chart = tmp_path / "charts" / "standings-tcr-germany-2022.png"
    assert f"Chart: {chart}" in done.stdout
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
