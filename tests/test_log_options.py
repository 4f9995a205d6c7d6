"""--log-level, --log-format and the `logging` config section: JSON lines for log collectors,
with the tokens scrubbed as in the text log."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import build_parser, main, with_log_options
from bot.config import Config, LoggingConfig
from bot.logformat import JsonFormatter
from bot.logsafe import REDACTED, configure_logging

ROOT = Path(__file__).resolve().parent.parent
# A minute of the Thursday before Hockenheim at 600 times real speed: a short run that logs.
REPLAY = ("--at", "2022-05-12T09:00+02:00", "--until", "2022-05-12T09:01+02:00", "--speed", "600")
TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging sets process-wide state: put it back for the other tests."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook, threading.excepthook)
    try:
        yield
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        sys.excepthook, threading.excepthook = saved[2], saved[3]
        logging.captureWarnings(False)


def test_json_lines_carry_time_level_logger_and_message_with_tokens_scrubbed(restored_logging):
    stream = io.StringIO()
    configure_logging([TOKEN], logging.INFO, stream=stream, formatter=JsonFormatter())
    log = logging.getLogger("pitboard.test")
    log.info("polling https://api.telegram.org/bot%s/getUpdates", TOKEN)
    log.debug("below the level: not written")
    try:
        raise RuntimeError(f"failed calling /bot{TOKEN}/getMe")
    except RuntimeError:
        log.exception("telegram stopped")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # one object per line, the traceback inside its record
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"time", "level", "logger", "message"}
    assert first["level"] == "INFO" and first["logger"] == "pitboard.test"
    assert first["message"] == f"polling https://api.telegram.org/bot{REDACTED}/getUpdates"
    assert first["time"].endswith("+00:00")
    assert second["level"] == "ERROR" and second["message"] == "telegram stopped"
    assert "RuntimeError: failed calling /bot<redacted>/getMe" in second["exception"]
    assert TOKEN not in stream.getvalue()
    assert TOKEN.split(":", 1)[1] not in stream.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ["--log-level", "debug", "--log-format", "json", "run"],
        ["run", "--log-level", "debug", "--log-format", "json"],
        ["--log-format", "json", "run", "--log-level", "debug"],
    ],
)
def test_the_options_are_taken_before_or_after_the_command(argv):
    args = build_parser().parse_args(argv)
    assert with_log_options(Config(), args).logging == LoggingConfig("debug", "json")


def test_without_the_options_the_config_s_logging_section_holds():
    config = Config(logging=LoggingConfig("warning", "json"))
    assert with_log_options(config, build_parser().parse_args(["run"])) == config
    args = build_parser().parse_args(["run", "--log-level", "error"])
    assert with_log_options(config, args).logging == LoggingConfig("error", "json")


def test_a_wrong_level_is_refused_by_name(capsys):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["run", "--log-level", "verbose"])
    assert exited.value.code == 2
    assert "--log-level: invalid choice: 'verbose'" in capsys.readouterr().err


def run_bot(
    tmp_path: Path, before: tuple[str, ...] = (), after: tuple[str, ...] = (), config: str = ""
) -> list[str]:
    """A short terminal replay, as the operator runs it; the log file's lines."""
    database = tmp_path / "data" / "pitboard.sqlite3"
    path = tmp_path / "config.toml"
    path.write_text(
        f'[general]\nschedules = "{ROOT / "schedules"}"\ndatabase = "{database}"\n{config}',
        "utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), *before, "run", *after, *REPLAY],
        input="",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    return (tmp_path / "data" / "pitboard.log").read_text("utf-8").splitlines()


def test_a_run_with_log_format_json_writes_json_lines(tmp_path: Path):
    lines = run_bot(tmp_path, before=("--log-format", "json"))
    records = [json.loads(line) for line in lines]  # every line is an object
    assert any(r["logger"] == "pitboard.delivery" and r["level"] == "INFO" for r in records)


def test_the_config_s_level_keeps_info_out_of_the_log(tmp_path: Path):
    json_warnings = '[logging]\nlevel = "warning"\nformat = "json"\n'
    lines = run_bot(tmp_path, config=json_warnings)
    assert all(json.loads(line)["level"] in ("WARNING", "ERROR", "CRITICAL") for line in lines)
    # And --log-level overrides the file: the info lines are back, still as JSON.
    lines = run_bot(tmp_path, after=("--log-level", "info"), config=json_warnings)
    assert any(json.loads(line)["level"] == "INFO" for line in lines)


def test_the_other_commands_log_as_asked_when_given_an_option(restored_logging, capsys):
    assert main(["--log-format", "json", "check", str(ROOT / "schedules")]) == 0
    logging.getLogger("pitboard.test").warning("the check is done")
    (line,) = [line for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert json.loads(line) | {"time": None} == {
        "time": None,
        "level": "WARNING",
        "logger": "pitboard.test",
        "message": "the check is done",
    }
