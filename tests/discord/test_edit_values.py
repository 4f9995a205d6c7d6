"""The edit commands' typed option values: good ones parsed, bad ones said plainly."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from bot.frontends.discord.edit_values import check_zone, parse_clock, parse_day, parse_duration


def test_days_times_and_tba() -> None:
    assert parse_day(" 2022-05-13 ") == date(2022, 5, 13)
    assert parse_clock("14:30") == time(14, 30)
    assert parse_clock("9.05") == time(9, 5)
    assert parse_clock("tba") is None


@pytest.mark.parametrize("text", ["25:00", "14:60", "noon", "1430", ""])
def test_a_bad_time_says_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock(text)


def test_a_bad_day_says_what_is_expected() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_day("13/05/2022")


@pytest.mark.parametrize(
    ("text", "minutes"), [("6h", 360), ("45m", 45), ("1h30m", 90), ("1h 30min", 90), ("1:30", 90)]
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "0m", "six hours", "h"])
def test_a_bad_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_zones() -> None:
    assert check_zone("Europe/Berlin") == "Europe/Berlin"
    with pytest.raises(ValueError, match="IANA"):
        check_zone("CEST")
