"""Text formatting shared by every front-end: ordinals, countdowns, times in a zone, points,
monospace widths."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from bot.core.i18n import (
    DEFAULT_LANGUAGE,
    _,
    current_language,
    format_day,
    format_number,
    format_time_of_day,
    ordinal,
)
from bot.core.model import zone_info
from bot.core.reply import Moment, MomentStyle

__all__ = [
    "count",
    "display_width",
    "format_countdown",
    "format_duration",
    "format_moment",
    "format_points",
    "in_zone",
    "ordinal",
    "truncate",
]


def format_points(points: Fraction | int) -> str:
    """25 -> "25"; a dead heat's shared 17.5 -> "17.5"."""
    # An int and a Fraction both have a numerator and a denominator: no conversion (a Fraction
    # built from a Fraction costs a slow type check, once per line of every table shown).
    if points.denominator == 1:
        return str(points.numerator)
    shown = f"{points.numerator / points.denominator:.2f}".rstrip("0").rstrip(".")
    if current_language() == DEFAULT_LANGUAGE:
        return shown
    return format_number(Decimal(shown))


def format_countdown(delta: timedelta) -> str:
    """A short human countdown: "in 2 d 3 h", "in 45 min", "now", "3 h ago"."""
    # To the nearest minute: a reminder composed a moment after it was due says "60 min",
    # not "59 min".
    seconds = round(delta.total_seconds() / 60) * 60
    if abs(seconds) < 60:
        return _("now")
    span = _span(abs(seconds))
    return _("in {span}").format(span=span) if seconds > 0 else _("{span} ago").format(span=span)


def _span(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    # Unit abbreviations, translated: "2 d 3 h", "2 T. 3 Std.".
    day, hour, minute = _("{n} d"), _("{n} h"), _("{n} min")
    if days:
        shown = [day.format(n=days)] + ([hour.format(n=hours)] if hours else [])
    elif hours:
        shown = [hour.format(n=hours)] + ([minute.format(n=minutes)] if minutes else [])
    else:
        shown = [minute.format(n=minutes)]
    return " ".join(shown)


def format_duration(delta: timedelta) -> str:
    return _span(int(delta.total_seconds()))


def in_zone(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(zone_info(zone))


def format_moment(moment: Moment) -> str:
    """A moment in its zone, in the current language and clock: "Fri 13 May 16:20 CEST",
    "fre 13 maj 16:20 CEST", "Fr., 13. Mai 16:20 CEST"."""
    local = in_zone(moment.at, moment.zone)
    abbreviation = local.tzname() or moment.zone
    if moment.style is MomentStyle.TIME:
        return f"{format_time_of_day(local)} {abbreviation}"
    if moment.style is MomentStyle.DATE:
        return format_day(local)
    if moment.style is MomentStyle.RELATIVE and moment.reference is not None:
        return format_countdown(moment.at - moment.reference)
    return f"{format_day(local)} {format_time_of_day(local)} {abbreviation}"


ELLIPSIS = "…"


def display_width(value: str) -> int:
    """Monospace cells `value` takes: wide East Asian characters count 2, combining marks and
    format characters (zero-width space) 0. For aligning table columns."""
    if value.isascii():
        return len(value)
    width = 0
    for char in value:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def truncate(value: str, width: int) -> str:
    """`value` cut to at most `width` cells, ending in "…" when something was cut."""
    if display_width(value) <= width:
        return value
    budget = width - display_width(ELLIPSIS)
    kept: list[str] = []
    used = 0
    for char in value:
        cells = display_width(char)
        if used + cells > budget:
            break
        kept.append(char)
        used += cells
    return "".join(kept) + ELLIPSIS


def count(number: int, singular: str, plural: str | None = None) -> str:
    """'1 chat', '0 chats', '3 series' (`plural` for words not made plural with an s)."""
    word = singular if number == 1 else (plural or singular + "s")
    return f"{number} {word}"
