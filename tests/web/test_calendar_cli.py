"""`pitboard calendar SERIES|DRIVER [-o FILE]`: a parseable feed, to a file or standard output."""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar

from bot.cli import main

AT = "2022-05-12T09:00+02:00"


def test_writes_a_series_feed_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "tcr.ics"
    assert main(["--at", AT, "calendar", "tcr", "germany", "-o", str(output)]) == 0
    calendar = Calendar.from_ical(output.read_bytes())
    uids = {str(e["UID"]) for e in calendar.walk("VEVENT")}
    assert uids and all(u.startswith("tcr-germany-2022/") for u in uids)
    assert str(calendar["X-WR-CALNAME"]).startswith("ADAC TCR Germany 2022")
    assert str(output) in capsys.readouterr().out


def test_a_driver_feed_goes_to_standard_output(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["--at", AT, "calendar", "jessica-backman"]) == 0
    calendar = Calendar.from_ical(capsysbinary.readouterr().out)
    assert calendar.walk("VEVENT")


def test_the_bundled_example_is_what_the_command_writes(tmp_path: Path) -> None:
    output = tmp_path / "example.ics"
    assert main(["--at", AT, "calendar", "tcr-germany-2022", "-o", str(output)]) == 0
    example = Path(__file__).resolve().parents[2] / "docs/examples/tcr-germany-2022.ics"
    assert output.read_bytes() == example.read_bytes()


def test_an_unknown_name_is_an_error_with_suggestions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["calendar", "nobody-at-all"]) == 1
    assert "No series or driver" in capsys.readouterr().err
