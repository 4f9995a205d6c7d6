"""The typed values of the edit commands' options (Discord hands every one over as text): a
day, a wall time or TBA, a duration, a time zone. A bad value raises `ValueError` with what
was expected, which the admin sees instead of a preview."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TBA = "TBA"
_DURATION = re.compile(r"(?:(?P<hours>\d+)\s*h)?\s*(?:(?P<minutes>\d+)\s*m(?:in)?)?")
_CLOCK = re.compile(r"(?P<hours>\d{1,2})[:.](?P<minutes>\d{2})")


def parse_day(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{what} {text!r} is not a date: use YYYY-MM-DD, e.g. 2022-05-13"
        ) from None


def parse_clock(text: str) -> time | None:
    """A wall time ("14:30", "9.05"), or None for TBA."""
    cleaned = text.strip()
    if cleaned.upper() == TBA:
        return None
    match = _CLOCK.fullmatch(cleaned)
    if match is not None:
        hours, minutes = int(match["hours"]), int(match["minutes"])
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise ValueError(f"time {text!r} is not a time: use HH:MM (local to the event) or {TBA}")


def parse_duration(text: str) -> timedelta:
    """ "6h", "45m", "1h 30m", or hours and minutes "1:30"."""
    cleaned = text.strip().lower()
    clock = _CLOCK.fullmatch(cleaned)
    match = _DURATION.fullmatch(cleaned)
    if clock is not None:
        hours, minutes = int(clock["hours"]), int(clock["minutes"])
    elif match is not None and cleaned and (match["hours"] or match["minutes"]):
        hours, minutes = int(match["hours"] or 0), int(match["minutes"] or 0)
    else:
        raise ValueError(f"duration {text!r}: use hours and minutes, e.g. 6h, 45m or 1h30m")
    if not hours and not minutes:
        raise ValueError("a duration must be longer than 0 minutes")
    return timedelta(hours=hours, minutes=minutes)


def check_zone(text: str) -> str:
    name = text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"time zone {text!r} is not an IANA zone: use one like Europe/Berlin"
        ) from None
    return name
