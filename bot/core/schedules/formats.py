"""Parsers for single values: each takes what tomllib produced and returns the clean value, or
raises ValueError with a message a maintainer can act on (the caller adds file, line and key)."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

E = TypeVar("E", bound=StrEnum)

TBA: Literal["TBA"] = "TBA"
# Wide enough for any racing calendar, narrow enough that no zone conversion can overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2999
# Counts and positions beyond this are typos, and huge ints cannot even be printed in 3.11.
LARGEST_INT = 1_000_000

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)", re.ASCII)
_DURATION = re.compile(r"(?:(\d{1,3})h)?(?:(\d{1,4})m)?", re.ASCII)
_OFFSET = re.compile(r"([+-])(\d{2}):([0-5]\d)", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_COUNTRY = re.compile(r"[A-Z]{2}", re.ASCII)
_LAP_TIME = re.compile(r"\d{1,2}:[0-5]\d\.\d{3}", re.ASCII)
# A time off a timing sheet: "41.101", "1:47.095", "25:03.456", "5:44'41.101", "1:02:03.4".
_TIMING = re.compile(r"(?:(?:\d{1,3}[:'])?[0-5]?\d[:'])?[0-5]?\d(?:\.\d{1,4})?", re.ASCII)


def describe(value: object) -> str:
    """A short, printable description of a TOML value for "expected X, got Y"."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}" if abs(value) <= LARGEST_INT else "a very large integer"
    if isinstance(value, float):
        return f"float {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {shown!r}"
    if isinstance(value, datetime):
        return "a date with a time"
    if isinstance(value, date):
        return f"date {value.isoformat()}"
    if isinstance(value, time):
        return "a time of day"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def suggestion(word: str, choices: Iterable[str]) -> str:
    """ " (did you mean 'time'?)" for a near miss, else ""."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_key(key: str, allowed: Collection[str]) -> str:
    return f"unknown key {key!r}{suggestion(key, allowed)}; allowed: {', '.join(sorted(allowed))}"


def text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {describe(value)}")
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def integer(value: object, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {describe(value)}")
    if abs(value) > LARGEST_INT:
        raise ValueError(f"{describe(value)} is out of range")
    if minimum is not None and value < minimum:
        raise ValueError(f"must be at least {minimum}, got {value}")
    return value


def positive_number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {describe(value)}")
    if not math.isfinite(value) or not 0 < value <= LARGEST_INT:
        raise ValueError(f"expected a positive number, got {describe(value)}")
    return float(value)


def flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {describe(value)}")
    return value


def choice(kind: type[E], value: object) -> E:
    word = text(value)
    try:
        return kind(word)
    except ValueError:
        options = [member.value for member in kind]
        hint = suggestion(word, options)
        raise ValueError(f"{word!r} is not one of: {', '.join(options)}{hint}") from None


def slug(value: object) -> str:
    word = text(value)
    if not _SLUG.fullmatch(word):
        raise ValueError(
            f"{word!r} is not a valid id: use lowercase letters, digits and single hyphens, "
            "e.g. 'race-1'"
        )
    return word


def url(value: object) -> str:
    word = text(value)
    parts = urlsplit(word) if word.isprintable() and " " not in word else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{word!r} is not a web address (http:// or https://)")
    return word


def country(value: object) -> str:
    word = text(value)
    if not _COUNTRY.fullmatch(word):
        raise ValueError(f"{word!r} is not an ISO 3166-1 alpha-2 code (two capitals, e.g. 'SE')")
    return word


def lap_time(value: object) -> str:
    word = text(value)
    if not _LAP_TIME.fullmatch(word):
        raise ValueError(f"{word!r} is not a lap time like '1:47.095' (M:SS.mmm)")
    return word


def timing(value: object) -> str:
    """A race time or lap time kept as the timing sheet wrote it, once it looks like one."""
    word = text(value)
    if not _TIMING.fullmatch(word):
        raise ValueError(f"{word!r} is not a time like '1:47.095', '25:03.456' or \"5:44'41.101\"")
    return word


def car_number(value: object) -> str:
    """A car number is text ("120", "07"); a bare TOML integer is accepted as its digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(integer(value, minimum=0))
    return text(value)


def timezone(value: object) -> str:
    name = text(value)
    try:
        ZoneInfo(name)
    except Exception:  # zoneinfo raises several types for odd keys; any of them means "not usable"
        raise ValueError(f"{name!r} is not a known IANA time zone (e.g. 'Europe/Berlin')") from None
    return name


def day(value: object) -> date:
    """A TOML date (2022-05-13) or the same as a string ("2022-05-13")."""
    if isinstance(value, datetime) or not isinstance(value, date | str):
        raise ValueError(f"expected a date like 2022-05-13, got {describe(value)}")
    if isinstance(value, str):
        if not _DATE.fullmatch(value):
            raise ValueError(f"{value!r} is not a date like 2022-05-13 (YYYY-MM-DD)")
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a real date") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"{value.isoformat()} is outside the years {FIRST_YEAR}-{LAST_YEAR}")
    return value


def session_time(value: object) -> time | Literal["TBA"]:
    """ "HH:MM" local wall time, or "TBA" while it is not announced."""
    if isinstance(value, time) and value.tzinfo is None:
        if value.second or value.microsecond:
            raise ValueError("give the time to the minute, e.g. '16:20'")
        return value
    word = text(value)
    if word == TBA:
        return TBA
    match = _CLOCK.fullmatch(word)
    if match is None:
        raise ValueError(f"{word!r} is not a time like '16:20' (HH:MM, 24-hour) or 'TBA'")
    return time(int(match[1]), int(match[2]))


def duration(value: object) -> timedelta:
    """ "6h", "45m", "1h30m"."""
    word = text(value)
    match = _DURATION.fullmatch(word)
    if match is None or not (match[1] or match[2]):
        raise ValueError(f"{word!r} is not a duration like '6h', '45m' or '1h30m'")
    length = timedelta(hours=int(match[1] or 0), minutes=int(match[2] or 0))
    if not length:
        raise ValueError("a duration must be longer than zero")
    return length


def utc_offset(value: object) -> timedelta:
    """ "+02:00" or "-05:30"."""
    word = text(value)
    match = _OFFSET.fullmatch(word)
    if match is None or int(match[2]) > 14:
        raise ValueError(f"{word!r} is not a UTC offset like '+02:00'")
    sign = -1 if match[1] == "-" else 1
    return sign * timedelta(hours=int(match[2]), minutes=int(match[3]))
